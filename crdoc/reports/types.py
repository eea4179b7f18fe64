"""Recovered types: the objects a chart's CRDs embed again and again (a container, a TLS
configuration, a selector …), found by structure, named, and documented once.

A CRD schema has no type names: an embedded object is spelt out in full wherever it is used.
:func:`recover_types` finds the repeats and names them.

**Identity.** Two object nodes are the same type when everything below them is equal —
property names, required lists, types, formats, enums, defaults, bounds, patterns, CEL rules
*and descriptions* — and their own type-level facts are equal. What describes one use rather
than the type is left out of the comparison and stays with the use: the node's own
description, title, example, default and nullability, and for an array its list semantics and
item counts. Descriptions below the node do count: two objects documented differently are two
types, so documenting a type once never drops a word of any use.

**Object nodes** are fields with named children: an ``object`` field, an ``[]object`` field
(arrays are transparent: its children are its items' properties) or the ``*`` value field of
a ``map[string]object``.

**Promotion.** A structure becomes a type when it is used at least :data:`MIN_USES` times
where a reader sees it (uses inside another type count once, where that type is documented)
and holds at least :data:`MIN_FIELDS` fields: smaller repeats (a ``{name, key}`` reference)
read better inline than behind a link.

**Names.** A type that fits a well-known Kubernetes type (:mod:`crdoc.reports.k8s`, from the
Kubernetes OpenAPI definitions) takes its kind (``Container``, ``LabelSelector``) and links to
the Kubernetes API reference; any other takes the name its uses most often have, in
UpperCamelCase and singular for arrays (``tlsConfig`` → ``TLSConfig``, ``endpoints`` →
``Endpoint``). Names are unique in a chart: a second type with the same derived name takes
the kind of its first use as a prefix (``GRPCRouteFilter`` after ``Filter``), and any further
one a number (``TLSConfig 2``), in the order types are first used, so names are stable from
build to build. Top-level fields (``spec``, ``status``) are never types: each version's page
documents its own.
"""

from __future__ import annotations

import functools
import json
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from crdoc.model import Catalog, Crd, Field, Version, object_node
from crdoc.reports.k8s import Match, Matcher, TypeTable

#: A structure is promoted to a type from this many visible uses …
MIN_USES = 2
#: … and this many fields below it (a smaller repeat stays inline).
MIN_FIELDS = 4

#: Facts of a use, not of the type it uses.
_USE_FACTS = frozenset({"description", "title", "example", "default", "nullable", "externalDocs"})
#: Facts of an array field that describe the list, not its items' type.
_LIST_FACTS = _USE_FACTS | {
    "type",
    "items",
    "minItems",
    "maxItems",
    "uniqueItems",
    "x-kubernetes-list-type",
    "x-kubernetes-list-map-keys",
}


@dataclass(frozen=True, slots=True)
class TypeUse:
    """Where a type is used: the use's field in one CRD version."""

    crd: str
    """The CRD key, ``group/plural``."""
    version: str
    path: str
    """The field's path (an array field for ``[]T``, a map's ``*`` field for ``map[string]T``)."""


@dataclass(frozen=True, slots=True)
class KnownRef:
    """A well-known Kubernetes type a node fits."""

    kind: str
    group_version: str
    """``core/v1``, ``meta/v1``, ``apps/v1`` …"""
    url: str
    """Its section in the Kubernetes API reference."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RecoveredType:
    """One type recovered from a chart's schemas."""

    name: str
    """Unique in the chart: ``Container``, ``TLSConfig``, ``TLSConfig 2``."""
    slug: str
    """``name`` as an id: letters, digits and ``-`` (``TLSConfig-2``)."""
    node: Field
    """The field of its first use: the type's fields are its children."""
    uses: tuple[TypeUse, ...]
    """Every use a reader sees, in catalog order (the first is ``node``'s)."""
    known: KnownRef | None = None
    """The Kubernetes type it is, when it fits one."""
    size: int = 0
    """How many fields it holds (at any depth)."""

    @property
    def first(self) -> TypeUse:
        """Its first use in catalog order (where the type is documented)."""
        return self.uses[0]

    @property
    def crds(self) -> tuple[str, ...]:
        """The keys of the CRDs that use it, in catalog order."""
        return tuple(dict.fromkeys(use.crd for use in self.uses))


@dataclass(frozen=True, slots=True)
class Types:
    """The types recovered from a catalog, and the Kubernetes type of every other object node
    that fits one (shown by name, documented inline)."""

    types: tuple[RecoveredType, ...] = ()
    uses: Mapping[tuple[str, str, str], RecoveredType] = field(default_factory=dict)
    """(CRD key, version, path) → the type used there, for every visible use."""
    inside: Mapping[tuple[str, str], RecoveredType] = field(default_factory=dict)
    """(type slug, path relative to the type) → the type used there, inside a type."""
    known: Mapping[tuple[str, str, str], KnownRef] = field(default_factory=dict)
    """(CRD key, version, path) → the Kubernetes type of an object node not promoted."""

    def at(self, crd: str, version: str, path: str) -> RecoveredType | None:
        """The type used by the field at ``path`` of a CRD version, if any."""
        return self.uses.get((crd, version, path))

    def __bool__(self) -> bool:
        return bool(self.types or self.known)


class _Signatures:
    """Exact structure ids: equal ids, equal structures (interned, never hashed lossily)."""

    def __init__(self) -> None:
        self._ids: dict[Any, int] = {}
        self._facts: dict[int, str] = {}
        self._full: dict[int, int] = {}
        self._type: dict[int, int] = {}

    def _intern(self, key: Any) -> int:
        return self._ids.setdefault(key, len(self._ids))

    def _facts_key(self, facts: Mapping[str, Any]) -> str:
        # Equal facts are one shared dict (crdoc.loading.schema.Sharing): key them once per object.
        found = self._facts.get(id(facts))
        if found is None:
            found = json.dumps(facts, sort_keys=True, default=repr, ensure_ascii=False)
            self._facts[id(facts)] = found
        return found

    def _children(self, item: Field) -> tuple[tuple[str, bool, int], ...]:
        return tuple((c.name, c.required, self.full(c)) for c in item.children)

    def full(self, item: Field) -> int:
        """The id of a field with everything in it (as a child of another)."""
        found = self._full.get(id(item))
        if found is None:
            found = self._intern(("F", self._facts_key(item.facts), self._children(item)))
            self._full[id(item)] = found
        return found

    def type_of(self, item: Field) -> int:
        """The id of the type an object node holds (its use's own facts left out)."""
        found = self._type.get(id(item))
        if found is None:
            facts = item.facts
            if facts.get("type") == "array":
                items = facts.get("items")
                own = {k: v for k, v in (items or {}).items() if k not in _USE_FACTS}
                rest = {k: v for k, v in facts.items() if k not in _LIST_FACTS}
                key: tuple[str, ...] = (
                    json.dumps(own, sort_keys=True, default=repr),
                    json.dumps(rest, default=repr),
                )
            else:
                own = {k: v for k, v in facts.items() if k not in _USE_FACTS}
                key = (json.dumps(own, sort_keys=True, default=repr),)
            found = self._intern(("T", key, self._children(item)))
            self._type[id(item)] = found
        return found


def _size(item: Field) -> int:
    return sum(1 + _size(child) for child in item.children)


def recover_types(catalog: Catalog, *, known_types: bool = True) -> Types:
    """The types of ``catalog`` (see the module doc)."""
    signatures = _Signatures()
    nodes: list[tuple[Crd, Version, Field, int]] = []  # every object node, catalog order
    for crd in catalog.crds:
        for version in crd.versions:
            for item in version.fields:
                node = object_node(item)
                # Top-level fields (spec, status) are each version's own: never a type.
                if node is item and item.depth > 0:
                    nodes.append((crd, version, item, signatures.type_of(item)))
    raw = Counter(sig for *_, sig in nodes)
    candidates = {sig for sig, n in raw.items() if n >= MIN_USES}
    first: dict[int, Field] = {}
    for _, _, item, sig in nodes:
        if sig in candidates:
            first.setdefault(sig, item)
    candidates = {sig for sig in candidates if _size(first[sig]) >= MIN_FIELDS}
    # Uses a reader sees: the walk does not enter a type again once it is documented. A
    # candidate seen fewer than MIN_USES times that way is demoted; repeat until stable.
    while True:
        visible = _visible_uses(catalog, signatures, candidates)
        demoted = {sig for sig in candidates if len(visible.get(sig, ())) < MIN_USES}
        if not demoted:
            break
        candidates -= demoted
    arrays = {
        (crd.key, version.name, item.path)
        for crd in catalog.crds
        for version in crd.versions
        for item in version.fields
        if item.type == "array"
    }
    matcher = _matcher() if known_types else None
    known_at = _known_nodes(catalog, matcher, signatures) if matcher is not None else {}
    kinds = {crd.key: crd.kind for crd in catalog.crds}
    taken: dict[str, int] = {}
    types: dict[int, RecoveredType] = {}
    # In the order a reader meets them (the walk's order of first uses): stable numbering.
    for sig in sorted(candidates, key=lambda s: visible[s][0][0]):
        uses = [use for _, use in visible[sig]]
        node = first[sig]
        known = known_at.get((uses[0].crd, uses[0].version, uses[0].path))
        base = known.kind if known else _derived_name(uses, arrays)
        name = _unique(base, kinds[uses[0].crd], known is not None, taken)
        types[sig] = RecoveredType(
            name=name,
            slug=re.sub(r"[^A-Za-z0-9-]+", "-", name),
            node=node,
            uses=tuple(uses),
            known=known,
            size=_size(node),
        )
    use_map: dict[tuple[str, str, str], RecoveredType] = {}
    for recovered in types.values():
        for use in recovered.uses:
            use_map[(use.crd, use.version, use.path)] = recovered
    inside: dict[tuple[str, str], RecoveredType] = {}
    for recovered in types.values():
        prefix = recovered.node.path + "."
        for item in _below(recovered.node):
            node = object_node(item)
            if node is item and signatures.type_of(item) in types:
                inside[(recovered.slug, item.path.removeprefix(prefix))] = types[
                    signatures.type_of(item)
                ]
    known_inline = {key: ref for key, ref in known_at.items() if key not in use_map}
    return Types(types=tuple(types.values()), uses=use_map, inside=inside, known=known_inline)


def _unique(base: str, kind: str, known: bool, taken: dict[str, int]) -> str:
    """``base`` if no type has it yet; else, for a derived name, the name prefixed with the
    kind of its first use (``HTTPRouteFilter``) when that is free; else numbered
    (``Container 2``). ``taken`` counts the types per name."""
    candidates = [base] if known else [base, f"{kind}{base}"]
    for name in candidates:
        if name not in taken:
            taken[name] = 1
            return name
    taken[base] += 1
    return f"{base} {taken[base]}"


def _below(item: Field) -> Iterator[Field]:
    for child in item.children:
        yield child
        yield from _below(child)


def _visible_uses(
    catalog: Catalog, signatures: _Signatures, candidates: set[int]
) -> dict[int, list[tuple[int, TypeUse]]]:
    """Each candidate's uses as a reader meets them, numbered in walk order: a type's inside
    is walked once, at its first use; further uses of it do not add the uses inside again."""
    uses: dict[int, list[tuple[int, TypeUse]]] = {}
    entered: set[int] = set()
    counter = 0

    def walk(crd: Crd, version: Version, item: Field) -> None:
        nonlocal counter
        node = object_node(item)
        if node is item and item.depth > 0:
            sig = signatures.type_of(item)
            if sig in candidates:
                counter += 1
                uses.setdefault(sig, []).append(
                    (counter, TypeUse(crd.key, version.name, item.path))
                )
                if sig in entered:
                    return
                entered.add(sig)
        for child in item.children:
            walk(crd, version, child)

    for crd in catalog.crds:
        for version in crd.versions:
            for root in version.roots:
                walk(crd, version, root)
    return uses


_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
#: Words written in capitals in type names (``tlsConfig`` → ``TLSConfig``).
_ACRONYMS = frozenset(
    {
        "api",
        "cel",
        "cidr",
        "dns",
        "grpc",
        "http",
        "https",
        "id",
        "ip",
        "jwt",
        "oauth2",
        "oidc",
        "s3",
        "sa",
        "sni",
        "ssh",
        "tcp",
        "tls",
        "ttl",
        "udp",
        "uid",
        "uri",
        "url",
        "vpc",
    }
)


def _derived_name(uses: list[TypeUse], arrays: set[tuple[str, str, str]]) -> str:
    """The name the uses most often have, in UpperCamelCase, singular for arrays."""
    names: Counter[str] = Counter()
    for use in uses:
        head, _, name = use.path.rpartition(".")
        if name == "*":  # a map's values: the map's name
            name = head.rpartition(".")[2] or "Value"
        is_array = (use.crd, use.version, use.path) in arrays
        names[_camel(name, singular=is_array)] += 1
    best = max(names.items(), key=lambda pair: (pair[1], -len(pair[0]), pair[0]))
    return best[0]


def _camel(name: str, *, singular: bool) -> str:
    words = [w.lower() for w in _WORD.findall(name)] or ["object"]
    if singular:
        words[-1] = _singular(words[-1])
    return "".join(w.upper() if w in _ACRONYMS else w[:1].upper() + w[1:] for w in words)


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


def _matcher() -> Any:
    return Matcher(_table())


@functools.cache
def _table() -> Any:
    """The table of Kubernetes types, read once per process (10 ms)."""
    return TypeTable.load()


def _known_nodes(
    catalog: Catalog, matcher: Any, signatures: _Signatures
) -> dict[tuple[str, str, str], KnownRef]:
    """(CRD key, version, path) → the Kubernetes type of every object node that fits one.

    The matcher's rules (:mod:`crdoc.reports.k8s`: naming through the parent, else matching
    a node standalone), top-down, remembered per structure: a subtree equal to one matched
    before (same facts, children, descriptions and name, and the same type given by its
    parent) takes that result — big charts repeat the
    same embedded objects thousands of times."""
    memo: dict[tuple[int, str, str | None], list[tuple[str, Any]]] = {}

    def walk(item: Field, assigned: Any) -> list[tuple[str, Any]]:
        """(path relative to ``item``, KnownType) of every node named at or below ``item``."""
        key = (signatures.full(item), item.name, assigned.key if assigned else None)
        found = memo.get(key)
        if found is not None:
            return found
        found = []
        node = object_node(item)
        if node is not None:
            named = None
            if assigned is not None and matcher.fits(node, assigned):
                named = matcher.score(node, assigned, "parent")
            else:
                named = matcher.match_node(node, item).match
            if isinstance(named, Match):
                found.append((node.path[len(item.path) :], named.type))
            base = node.path[len(item.path) :]
            for child in node.children:
                if child.name == "*":
                    continue
                child_type = matcher.child_type(named.type, child, named.release) if named else None
                found.extend(
                    (f"{base}.{child.name}{rel}", known) for rel, known in walk(child, child_type)
                )
        memo[key] = found
        return found

    result: dict[tuple[str, str, str], KnownRef] = {}
    for crd in catalog.crds:
        for version in crd.versions:
            for root in version.roots:
                for rel, known in walk(root, None):
                    ref = KnownRef(known.kind, known.gv, known.url)
                    result[(crd.key, version.name, root.path + rel)] = ref
    return result
