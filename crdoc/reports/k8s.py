"""Recognise well-known Kubernetes types in crdoc's field tree.

Reads the table that ``scripts/gen_k8s_types.py`` generates (``k8s_types.json``) with the standard
library only, and names an object subtree of a CRD schema with a Kubernetes type when its
properties fit that type.

The rule
--------
A *node* is a crdoc :class:`~crdoc.model.Field` that has children and stands for one object:
an ``object`` field, the items of a ``[]object`` field (crdoc makes ``items`` transparent) or
the values of a ``map[string]object`` field (its ``*`` child). Its property set is S; the
*owner* is the field the node came from (the array or map field, or the node itself).

**Fit.** A node fits a type T when every property in S is a property of T in some release of
the table (S ⊆ the union of T's releases: a CRD built against an older Kubernetes lacks the
newer fields, never has unknown ones) and every property's schema agrees with T's type for
it: scalars by JSON type (``integer`` also takes ``number``; ``quantity`` and
``int-or-string`` take int-or-string, string or integer; ``time`` takes string), arrays and
maps by their element, and a property whose type is another table type (``Probe``) must fit
that type in turn when the CRD spells its properties out (a free-form object is let through
but proves nothing).

**Standalone naming** (:meth:`Matcher.match_node`), for a node whose parent names nothing:

1. candidates: the types the node fits;
2. for each, the release of T closest to S: ``missing`` = the fewest properties of one
   release's set that S lacks, ``coverage`` = |S| / |that set|, ``exact`` = nothing missing;
3. a candidate is *acceptable* when |S| ≥ ``MIN_PROPS`` (2) and it is exact, or its coverage
   is ≥ ``MIN_COVERAGE`` (0.75) with |S| ≥ ``MIN_PARTIAL_PROPS`` (4) — types of up to four
   properties must match exactly. A one-property node (``{name}``: LocalObjectReference,
   PodOS, PodSchedulingGate …) is named only when the descriptions of (a) below single out
   one exactly matching type;
4. the best acceptable candidates by (exact, coverage, fewer missing); if several tie, the tie
   is broken in tiers, each deciding only when it singles out exactly one candidate:
   (a) *docs*: the most node descriptions (the owner's, its items', its properties') equal,
   after whitespace/case normalisation, to descriptions Kubernetes gives that type, its
   properties or the properties holding it (controller-gen copies them verbatim; the table
   keeps hashes); (b) *name*: the owner's name ends with the kind (``additionalPodAffinity``
   → PodAffinity, not PodAntiAffinity), the kind begins with the name (``configMap`` →
   ConfigMapKeySelector, ``resources`` → ResourceRequirements) or the name holds every word
   that sets the candidate apart from the others tied (``keySecret`` → SecretKeySelector) —
   unless the node documents ≥ 2 properties and none of those texts is Kubernetes' (a
   look-alike such as an operator's own ``Condition``). Still tied: **no name**, reported as
   ambiguous;
5. a signature of generic property names is not enough on its own: unless S has ≥
   ``DISTINCT_SIZE`` (5) properties or one property name that at most ``DISTINCT_DF`` (2)
   table types use (``sizeLimit``, ``matchLabels``, ``claimName``), the winner must also be
   corroborated by (a) or (b) — else **no name** (reason ``weak``): ``{host, port}``,
   ``{name, namespace}``, ``{name, value}`` are everyone's types.

**Naming through the parent** (the walk of :func:`crdoc.reports.types.recover_types`): once a
node is named T, each child whose T property type is a table type R (``containers`` →
``[]Container``) is named R if it fits R (R as of the release closest to the parent:
``PersistentVolumeClaimSpec.resources`` is ResourceRequirements up to 1.28,
VolumeResourceRequirements after) — whatever its size, so ``imagePullSecrets`` items ``{name}``
become ``LocalObjectReference`` and ``matchExpressions`` items ``LabelSelectorRequirement``,
without ambiguity. A child that does not fit R is matched standalone like any other node.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from crdoc.model import object_node

if TYPE_CHECKING:
    from crdoc.model import Field

#: The generated table (``scripts/gen_k8s_types.py`` regenerates it; never edit it by hand).
TABLE_PATH = Path(__file__).resolve().parent / "k8s_types.json"

MIN_PROPS = 2
"""A standalone node needs at least this many properties (``{name}`` fits too many types)."""
MIN_COVERAGE = 0.75
"""A non-exact standalone match must hold this share of the closest release's properties…"""
MIN_PARTIAL_PROPS = 4
"""…and at least this many properties."""
DISTINCT_SIZE = 5
"""A node with this many properties is told by its signature alone."""
DISTINCT_DF = 2
"""A property name used by at most this many table types makes a small signature telling."""

Via = Literal["signature", "docs", "name", "parent"]
"""How a match was made: a telling signature, corroborated by descriptions or by the field
name, or given by the parent's type."""

_SCALARS = frozenset(
    {"string", "integer", "number", "boolean", "int-or-string", "quantity", "time", "object"}
)
_ARRAY = "[]"
_MAP = "map[string]"
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def doc_hash(text: str) -> str:
    """A short fingerprint of a description, blind to case and whitespace."""
    normal = " ".join(text.split()).lower()
    return hashlib.sha1(normal.encode()).hexdigest()[:8]


def words(name: str) -> frozenset[str]:
    """Lower-case camel-case words: ``bearerTokenSecret`` → bearer, token, secret."""
    return frozenset(w.lower() for w in _WORD.findall(name))


@dataclass(frozen=True, slots=True)
class KnownType:
    """One Kubernetes type of the table."""

    key: str
    """``core/v1.Container``."""
    kind: str
    gv: str
    """``core/v1``, ``apps/v1``, ``networking.k8s.io/v1``."""
    props: Mapping[str, str]
    """Property → type expression (the newest), union over the releases."""
    was: Mapping[str, tuple[tuple[int, str], ...]]
    """Property → (last release, older type expression) when its type changed."""
    release_sets: tuple[tuple[int, frozenset[str]], ...]
    """(newest release with that set, property set): each distinct set, newest first."""
    required: frozenset[str]
    url: str
    union: frozenset[str]
    """Every property of any release."""
    words: frozenset[str]
    """Words of the kind: ``SecretKeySelector`` → secret, key, selector."""
    docs: frozenset[str]
    """Description hashes (small types only)."""


class TypeTable:
    """The generated table, indexed for matching."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        releases = [int(r.split(".")[1]) for r in document["source"]["kubernetes"]]
        first, last = releases[0], releases[-1]
        doc_url = str(document["doc_url"])
        doc_release = int(str(document["doc_release"]).split(".")[1])
        self.types: dict[str, KnownType] = {}
        self.by_prop: dict[str, list[KnownType]] = {}
        for key, entry in document["types"].items():
            low, high = entry.get("releases", (first, last))
            since, until = entry.get("since", {}), entry.get("until", {})
            union = frozenset(entry["props"])
            sets: dict[frozenset[str], int] = {union: high}
            if since or until:
                # The property set changes only where some property comes or goes: one set
                # per stretch of releases, kept with the stretch's newest release.
                sets = {}
                starts = sorted(
                    r
                    for r in {low, *since.values(), *(r + 1 for r in until.values())}
                    if low <= r <= high
                )
                for start, end in zip(starts, [*(r - 1 for r in starts[1:]), high], strict=True):
                    present = frozenset(
                        p for p in union if since.get(p, low) <= start <= until.get(p, high)
                    )
                    sets[present] = end  # the newest release with that set wins
            known = KnownType(
                key=key,
                kind=entry["kind"],
                gv=entry["gv"],
                props=entry["props"],
                was={
                    p: tuple((r, e) for r, e in older) for p, older in entry.get("was", {}).items()
                },
                release_sets=tuple(sorted(((r, s) for s, r in sets.items()), reverse=True)),
                required=frozenset(entry.get("required", ())),
                url=doc_url.format(minor=f"1.{min(high, doc_release)}", anchor=entry["anchor"]),
                union=union,
                words=words(entry["kind"]),
                docs=frozenset(entry.get("docs", ())),
            )
            self.types[key] = known
            for prop in known.props:
                self.by_prop.setdefault(prop, []).append(known)
        self.releases = (first, last)
        self.df: Counter[str] = Counter({p: len(ts) for p, ts in self.by_prop.items()})
        """Property name → how many table types use it."""

    @classmethod
    def load(cls, path: Path = TABLE_PATH) -> TypeTable:
        return cls(json.loads(path.read_text()))

    def candidates(self, names: Iterable[str]) -> list[KnownType]:
        """Types having every one of ``names`` (in some release)."""
        names = list(names)
        if not names:
            return []
        pools = sorted((self.by_prop.get(n, []) for n in names), key=len)
        return [t for t in pools[0] if all(n in t.union for n in names)]

    def telling(self, names: Iterable[str]) -> bool:
        """Whether a property set is specific enough to be named by structure alone."""
        names = list(names)
        return len(names) >= DISTINCT_SIZE or any(self.df[n] <= DISTINCT_DF for n in names)


@dataclass(frozen=True, slots=True)
class Match:
    """A node named with a Kubernetes type."""

    type: KnownType
    via: Via
    exact: bool
    """The node's property set is the type's set in some release."""
    coverage: float
    """|S| / |closest release's set|."""
    missing: tuple[str, ...]
    """Properties of the closest release that the node lacks."""
    release: int
    """The newest release (1.x minor) whose set is closest to the node's."""

    def but(self, via: Via) -> Match:
        return Match(self.type, via, self.exact, self.coverage, self.missing, self.release)


@dataclass(frozen=True, slots=True)
class Verdict:
    """What standalone matching concluded about one node."""

    match: Match | None
    candidates: tuple[Match, ...] = ()
    """Acceptable candidates, best first."""
    reason: str = ""
    """Why there is no match: ``no candidate``, ``too small``, ``low coverage``,
    ``ambiguous`` (a tie nothing broke), ``weak`` (a generic signature, uncorroborated)."""


# --- the crdoc side ------------------------------------------------------------------------


def node_props(node: Field) -> dict[str, Field]:
    return {c.name: c for c in node.children}


def _json_type(facts: Mapping[str, Any]) -> str | None:
    if facts.get("x-kubernetes-int-or-string"):
        return "int-or-string"
    kind = facts.get("type")
    if isinstance(kind, str):
        return kind
    for key in ("anyOf", "oneOf"):
        branches = facts.get(key)
        if isinstance(branches, list):
            kinds = {b.get("type") for b in branches if isinstance(b, Mapping)}
            if kinds and kinds <= {"integer", "string"}:
                return "int-or-string"
    return None


def _scalar_fits(expected: str, actual: str | None) -> bool:
    if actual is None:  # untyped schema: accepted, proves nothing
        return True
    match expected:
        case "string" | "time":
            return actual == "string"
        case "integer" | "number":
            return actual in ("integer", "number")
        case "boolean":
            return actual == "boolean"
        case "int-or-string" | "quantity":
            return actual in ("int-or-string", "string", "integer", "number")
        case "object":
            return actual == "object"
    return False


def _descriptions(node: Field, owner: Field) -> list[str]:
    texts = [owner.description, node.description]
    items = owner.items.get("description")
    if isinstance(items, str):
        texts.append(items)
    texts.extend(c.description for c in node.children)
    return [t for t in texts if t.strip()]


class Matcher:
    """Fits crdoc nodes to table types; fits are memoised per (node, type)."""

    def __init__(self, table: TypeTable) -> None:
        self.table = table
        self._fits: dict[tuple[int, str], bool] = {}

    # -- fitting --------------------------------------------------------------------------

    def fits(self, node: Field, known: KnownType) -> bool:
        """Every property of ``node`` is one of ``known``'s, with an agreeing schema."""
        memo = (id(node), known.key)
        cached = self._fits.get(memo)
        if cached is None:
            self._fits[memo] = True  # a recursive type fits itself while being checked
            cached = all(
                name in known.props
                and any(self._value_fits(e, child, child.facts) for e in _exprs(known, name))
                for name, child in node_props(node).items()
            )
            self._fits[memo] = cached
        return cached

    def _value_fits(self, expr: str, f: Field, facts: Mapping[str, Any]) -> bool:
        # ``f`` is the field; ``facts`` the schema at this level (the field's, its items' …)
        actual = _json_type(facts)
        if expr.startswith(_ARRAY):
            if actual not in ("array", None):
                return False
            items = facts.get("items")
            return self._value_fits(
                expr[len(_ARRAY) :], f, items if isinstance(items, Mapping) else {}
            )
        if expr.startswith(_MAP):
            if actual not in ("object", None):
                return False
            values = [c for c in f.children if c.name == "*"]
            if len(values) != len(f.children):
                return False  # properties where a map was expected
            return not values or self._value_fits(expr[len(_MAP) :], values[0], values[0].facts)
        if expr in _SCALARS:
            return _scalar_fits(expr, actual)
        known = self.table.types.get(expr)
        if known is None or actual not in ("object", None):
            return False
        if not f.children:
            return True  # free-form or x-kubernetes-preserve-unknown-fields: unchecked
        if all(c.name == "*" for c in f.children):
            return False  # a map where a struct was expected
        return self.fits(f, known)

    def child_type(self, known: KnownType, child: Field, release: int) -> KnownType | None:
        """The table type of ``known``'s property ``child.name`` (through [] and maps): the
        one it had in ``release`` if the child fits it, else any other it had that fits."""
        node = object_node(child)
        for expr in _exprs(known, child.name, release):
            while expr.startswith((_ARRAY, _MAP)):
                expr = expr[len(_ARRAY) :] if expr.startswith(_ARRAY) else expr[len(_MAP) :]
            target = self.table.types.get(expr)
            if target is not None and (node is None or self.fits(node, target)):
                return target
        return None

    # -- standalone -----------------------------------------------------------------------

    def score(self, node: Field, known: KnownType, via: Via) -> Match:
        """How the node's property set compares with the closest release of ``known``."""
        names = frozenset(node_props(node))
        best: tuple[int, int, frozenset[str]] | None = None  # (missing, -release, set)
        for release, present in known.release_sets:
            if names <= present:
                candidate = (len(present - names), -release, present)
                if best is None or candidate < best:
                    best = candidate
        if best is None:  # mixes properties of different releases: compare with the union
            best = (len(known.union - names), -known.release_sets[0][0], known.union)
        missing, neg_release, present = best
        return Match(
            type=known,
            via=via,
            exact=missing == 0,
            coverage=len(names) / len(present) if present else 0.0,
            missing=tuple(sorted(present - names)),
            release=-neg_release,
        )

    def match_node(self, node: Field, owner: Field | None = None) -> Verdict:
        """Name ``node`` from its own properties (see the module's rule)."""
        owner = owner or node
        names = list(node_props(node))
        fitting = [t for t in self.table.candidates(names) if self.fits(node, t)]
        if not fitting:
            return Verdict(None, reason="no candidate")
        scored = sorted(
            (self.score(node, t, "signature") for t in fitting),
            key=lambda m: (not m.exact, -m.coverage, len(m.missing), m.type.key),
        )
        accepted = tuple(m for m in scored if _acceptable(m, len(names)))
        hashes = {doc_hash(t) for t in _descriptions(node, owner)}
        if not accepted and len(names) < MIN_PROPS:
            # a one-property node is named only when descriptions single out an exact type
            exact = [m for m in scored if m.exact]
            by_docs = _single_best(exact, lambda m: len(hashes & m.type.docs))
            if by_docs is not None:
                return Verdict(by_docs.but("docs"), tuple(exact))
            return Verdict(None, tuple(scored[:3]), "too small")
        if not accepted:
            return Verdict(None, tuple(scored[:3]), "low coverage")
        tied = [m for m in accepted if _rank(m) == _rank(accepted[0])]
        by_docs = _single_best(tied, lambda m: len(hashes & m.type.docs))
        by_name = _named(tied, owner)
        if by_name is not None and _contradicted(by_name, node):
            by_name = None
        if len(tied) > 1:
            if by_docs is not None:
                return Verdict(by_docs.but("docs"), accepted)
            if by_name is not None:
                return Verdict(by_name.but("name"), accepted)
            return Verdict(None, accepted, "ambiguous")
        best = tied[0]
        if self.table.telling(names):
            return Verdict(best, accepted)
        if by_docs is not None:
            return Verdict(best.but("docs"), accepted)
        if by_name is not None:
            return Verdict(best.but("name"), accepted)
        return Verdict(None, accepted, "weak")


def _contradicted(m: Match, node: Field) -> bool:
    """The node documents at least two properties and none of those texts is one Kubernetes
    gives ``m``'s type: a look-alike (an operator's own ``Condition``) or a rewrite; the field
    name alone then does not name it."""
    if not m.type.docs:
        return False
    described = [c.description for c in node.children if c.description.strip()]
    return len(described) >= 2 and not any(doc_hash(t) in m.type.docs for t in described)


def _exprs(known: KnownType, prop: str, release: int | None = None) -> list[str]:
    """The type expressions ``prop`` had, the one of ``release`` (default: newest) first."""
    newest = known.props[prop]
    older = known.was.get(prop, ())
    if release is not None:
        for last, expr in older:  # sorted by release
            if release <= last:
                return [expr, newest, *(e for _, e in older if e != expr)]
    return [newest, *(e for _, e in older)]


def _acceptable(m: Match, size: int) -> bool:
    if size < MIN_PROPS:
        return False
    return m.exact or (m.coverage >= MIN_COVERAGE and size >= MIN_PARTIAL_PROPS)


def _rank(m: Match) -> tuple[bool, float, int]:
    return (m.exact, round(m.coverage, 6), len(m.missing))


def _single_best(matches: list[Match], score: Any) -> Match | None:
    """The one match with the highest positive score, if exactly one has it."""
    scores = [score(m) for m in matches]
    top = max(scores, default=0)
    if top <= 0 or scores.count(top) != 1:
        return None
    return matches[scores.index(top)]


def _named(matches: list[Match], owner: Field) -> Match | None:
    """The one match that the owner's name names: the name ends with the kind
    (``additionalPodAffinity`` → PodAffinity), the kind begins with the name (``secret`` →
    SecretVolumeSource, ``resources`` → ResourceRequirements), or, among several matches, the
    name holds every word of the kind that the others lack (``keySecret`` →
    SecretKeySelector rather than ConfigMapKeySelector). Words are camel-case words, an
    array's plural ``s`` dropped."""
    plain = _word_sequence(owner.name)
    sequences = [plain, [*plain[:-1], _singular(plain[-1])]] if plain else []
    owner_words = {w for seq in sequences for w in seq}
    shared = frozenset.intersection(*(m.type.words for m in matches))
    named = []
    for m in matches:
        kind = _word_sequence(m.type.kind)
        own = m.type.words - shared
        if any(seq[-len(kind) :] == kind or kind[: len(seq)] == seq for seq in sequences) or (
            len(matches) > 1 and own and own <= owner_words
        ):
            named.append(m)
    return named[0] if len(named) == 1 else None


def _word_sequence(name: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(name)]


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word
