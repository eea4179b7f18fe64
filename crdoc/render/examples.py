"""Example manifests that pass their own CRD's validation: schema keywords and CEL rules.

Each CRD version page shows a minimal manifest: ``apiVersion``, ``kind``, ``metadata`` and the
required fields (``spec`` always). Its values are searched for, not guessed: every candidate is
checked as the API server checks it, defaults applied first: the version's OpenAPI schema
(types, enums, formats, bounds, lengths, Go patterns, ``multipleOf``, item and property counts,
list-map keys, ``allOf``/``anyOf``/``oneOf`` (exactly one)/``not``) and the CEL rules of each node
it reaches (:mod:`crdoc.render.cel`; transition rules aside). Values are built bottom-up, each
node yielding its valid values best first (:meth:`_Search.values`), from the node as its
``allOf`` branches narrow it, then from each ``oneOf``/``anyOf`` branch merged into it:

- scalars: the default, the enum members, a format's example, plausible words, strings made
  from the pattern itself (:func:`pattern_strings`) within the length bounds, numbers meeting
  bounds and ``multipleOf``, strings the node's rules test or compare with;
- objects: the required properties, then, while a branch or a rule is not met, the properties a
  branch requires, the optional properties a rule names (those it asks for with ``has()``
  first; one, then two), enough properties for ``minProperties``; for the properties a rule
  names, the literals it compares with, their next values, and the property narrowed as the
  rule suggests (``has(self.tls.secret)``, ``size(self.hosts) >= 2``);
- arrays: ``minItems`` items (at least one), distinct where the list is a set or a map.

The search stops after :data:`BUDGET` checks per example.

There is no randomness: the same CRD always gives the same example. Where no value can be shown
valid — a rule the CEL engine cannot judge, or none found within the budget — the example is
still shown, with a note saying so (:attr:`Example.note`).
"""

from __future__ import annotations

import copy
import ipaddress
import itertools
import math
import re
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any

import yaml

from crdoc.goregex import UnportablePattern, translate
from crdoc.model import Crd, Version, openapi_schema

#: Checks one example may cost: candidates tried over all its nodes.
BUDGET = 4000

#: Nesting below which values are not searched for (a schema may nest 200 levels deep).
SEARCH_DEPTH = 48

#: Valid values a parent tries of one of its properties when a rule or branch is not met.
_ALTERNATIVES = 4

#: Example values for string formats (OpenAPI's and Kubernetes' own).
FORMAT_EXAMPLES = {
    "date-time": "2024-01-01T00:00:00Z",
    "datetime": "2024-01-01T00:00:00Z",
    "date": "2024-01-01",
    "duration": "30s",
    "uri": "https://example.com",
    "url": "https://example.com",
    "email": "user@example.com",
    "hostname": "example.com",
    "ipv4": "192.0.2.10",
    "ipv6": "2001:db8::10",
    "cidr": "192.0.2.0/24",
    "mac": "00:00:5e:00:53:01",
    "byte": "ZXhhbXBsZQ==",
    "uuid": "123e4567-e89b-12d3-a456-426614174000",
    "password": "changeme",
}

#: Strings tried, in order, for a string field with a pattern, before strings made from it.
_STRING_CANDIDATES = (
    "example",
    "30s",
    "1Gi",
    "x",
    "a1",
    "example.com/example",
    "example.com",
    "https://example.com",
    "1",
    "1m",
    "10Gi",
    "v1",
    "2024-01-01T00:00:00Z",
    "EXAMPLE",
)

#: What an embedded resource (``x-kubernetes-embedded-resource``) is given when its schema says
#: nothing more of it.
_EMBEDDED = {"apiVersion": "example.com/v1", "kind": "Example"}

#: Skipped at the top level: written by crdoc (apiVersion, kind, metadata) or never by users.
_HEADER = ("apiVersion", "kind", "metadata", "status")


@dataclass(frozen=True, slots=True)
class Example:
    """A CRD version's example manifest."""

    text: str
    """The manifest as YAML."""
    failures: tuple[str, ...] = ()
    """What the manifest breaks (a value was found for none of these: a rule that cannot
    hold, a search that ran out of budget); empty when it passes."""
    unchecked: tuple[str, ...] = ()
    """Rules the CEL engine could not judge on the manifest, with the reason."""
    rules_checked: int = 0
    """CEL rules evaluated on the manifest (transition rules are not: they skip creation)."""

    @property
    def problems(self) -> tuple[str, ...]:
        """Why the manifest is not shown valid (empty: it passes the schema and every rule)."""
        return self.failures + self.unchecked

    @property
    def note(self) -> str:
        """A plain sentence for the page when the example is not shown valid, else ``""``."""
        if self.failures:
            return (
                "crdoc found no example that passes every validation of this version; this one "
                f"does not ({self.failures[0]}): adjust it before applying it."
            )
        if self.unchecked:
            return (
                "crdoc could not check this example against every validation rule "
                f"({self.unchecked[0]}): it may need adjusting before it is applied."
            )
        return ""


def example_for(crd: Crd, version: Version) -> Example:
    """The example manifest of one CRD version, searched to pass its schema and CEL rules."""
    header: dict[str, Any] = {
        "apiVersion": f"{crd.group}/{version.name}",
        "kind": crd.kind,
        "metadata": {"name": f"example-{crd.singular or crd.kind.lower()}"},
    }
    if crd.scope == "Namespaced":
        header["metadata"]["namespace"] = "default"
    if version.schema is None:
        return Example(_dump(header))
    schema = openapi_schema(version)
    search = _Search()
    properties = schema.get("properties") or {}
    # The user writes spec and the required fields; the rest of the header is crdoc's.
    body = {
        **{k: v for k, v in schema.items() if k not in ("properties", "required")},
        "properties": {k: v for k, v in properties.items() if k not in _HEADER},
        "required": [
            k
            for k in properties
            if k not in _HEADER and (k == "spec" or k in (schema.get("required") or ()))
        ],
    }
    try:
        found = next(search.values(body, "", wrap=lambda value: {**header, **value}), None)
    except RecursionError:  # branches below SEARCH_DEPTH could still nest too deep
        found = None
    # No value found: the fallback (right types, first enum members) is shown with the note.
    document = {**header, **(_fallback(body) if found is None else found.value)}
    report = check(document, schema, root=True)
    # The check has the last word: a fallback that passes it is as good as a found value.
    failures = tuple(report.problems)
    return Example(_dump(document), failures, tuple(report.unknown), report.rules)


def example_value(schema: Mapping[str, Any]) -> Any:
    """A value of one OpenAPI schema node that passes it and its rules, searched as for an
    example manifest; ``None`` when none is found."""
    found = next(_Search().values(schema, ""), None)
    return None if found is None else found.value


def _dump(document: Mapping[str, Any]) -> str:
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


@dataclass(slots=True)
class Report:
    """What :func:`check` found: broken keywords and failed rules, rules it could not judge,
    and how many rules it evaluated."""

    problems: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    rules: int = 0


def check(value: Any, schema: Mapping[str, Any], *, root: bool = False) -> Report:
    """Judge ``value`` against an OpenAPI schema node and every CEL rule below it."""
    report = Report()
    _check(defaulted(value, schema), schema, "" if root else "<value>", report, deep=True)
    return report


def defaulted(value: Any, node: Mapping[str, Any]) -> Any:
    """``value`` as the API server validates it: missing properties that have a default are
    set, in every object present (defaults never sit in branches of a structural schema)."""
    if isinstance(value, dict):
        properties = node.get("properties") or {}
        extra = node.get("additionalProperties")
        out = {}
        for key, item in value.items():
            child = properties.get(key, extra if isinstance(extra, Mapping) else None)
            out[key] = defaulted(item, child) if isinstance(child, Mapping) else item
        for key, child in properties.items():
            if key not in out and isinstance(child, Mapping) and "default" in child:
                out[key] = defaulted(copy.deepcopy(child["default"]), child)
        return out
    if isinstance(value, list) and isinstance(node.get("items"), Mapping):
        return [defaulted(item, node["items"]) for item in value]
    return value


def _check(value: Any, node: Mapping[str, Any], path: str, report: Report, *, deep: bool) -> None:
    """Add what is wrong with ``value`` at ``node`` to ``report``; ``deep``: the nodes below
    too (else they are known good, as the search builds them)."""
    where = path or "the manifest"
    problem = _keyword_problem(value, node)
    if problem:
        report.problems.append(f"{where}: {problem}")
        return
    if value is None:
        return
    pattern = node.get("pattern")
    if isinstance(value, str) and isinstance(pattern, str) and _compiled_pattern(pattern) is None:
        report.unknown.append(f"{where}: pattern {pattern!r} has no Python form to check")
    if deep:
        _check_children(value, node, path, report)
    for combinator in ("allOf", "anyOf", "oneOf", "not"):
        if combinator in node:
            _check_branches(value, node, combinator, where, report)
    _check_rules(value, node, where, report)


def _check_children(value: Any, node: Mapping[str, Any], path: str, report: Report) -> None:
    if isinstance(value, list) and isinstance(node.get("items"), Mapping):
        for index, item in enumerate(value):
            _check(item, node["items"], f"{path}[{index}]", report, deep=True)
    elif isinstance(value, dict):
        properties = node.get("properties") or {}
        extra = node.get("additionalProperties")
        for key, item in value.items():
            child = properties.get(key, extra if isinstance(extra, Mapping) else None)
            if isinstance(child, Mapping):
                _check(item, child, f"{path}.{key}" if path else key, report, deep=True)


def _check_branches(
    value: Any, node: Mapping[str, Any], combinator: str, where: str, report: Report
) -> None:
    branches = node[combinator]
    if combinator == "not":
        branches = [branches]
    matched = []
    for branch in branches:
        if not isinstance(branch, Mapping):
            continue
        sub = Report()
        _check(value, branch, where, sub, deep=True)
        report.rules += sub.rules
        matched.append(not sub.problems)
    count = sum(matched)
    wrong = {
        "allOf": count < len(matched),
        "anyOf": count == 0,
        "oneOf": count != 1,
        "not": count == 1,
    }[combinator]
    if wrong:
        report.problems.append(f"{where}: {combinator} not met ({count} of {len(matched)} match)")


def _check_rules(value: Any, node: Mapping[str, Any], where: str, report: Report) -> None:
    rules = node.get("x-kubernetes-validations")
    if not isinstance(rules, list):
        return
    from crdoc.render import cel  # noqa: PLC0415 - lazy: only nodes with rules need the engine

    for rule in rules:
        if not isinstance(rule, Mapping) or cel.is_transition_rule(rule):
            continue
        report.rules += 1
        verdict = cel.evaluate(str(rule.get("rule", "")), value, node)
        if verdict.holds is None:
            report.unknown.append(f"{where}: rule {rule.get('rule')!r}: {verdict.reason}")
        elif not verdict.holds:
            report.problems.append(f"{where}: rule {rule.get('rule')!r} fails")


def _keyword_problem(value: Any, node: Mapping[str, Any]) -> str:
    """The first keyword of ``node`` itself that ``value`` breaks, or ``""``."""
    if value is None:
        return "" if node.get("nullable") is True else "null is not allowed"
    kind = node.get("type")
    if node.get("x-kubernetes-int-or-string"):
        if not (isinstance(value, str) or _is_int(value)):
            return "not an integer or a string"
    elif kind and not _has_type(value, kind):
        return f"not of type {kind}"
    enum = node.get("enum")
    if isinstance(enum, list) and value not in enum:
        return "not one of the enum values"
    if isinstance(value, str):
        return _string_problem(value, node)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _number_problem(value, node)
    if isinstance(value, list):
        keys = node.get("x-kubernetes-list-map-keys")
        if node.get("x-kubernetes-list-type") == "map" and isinstance(keys, list):
            entries = [tuple(repr(i.get(k)) for k in keys) for i in value if isinstance(i, dict)]
            if len(set(entries)) < len(entries):
                return "two items with the same map keys"
        if node.get("x-kubernetes-list-type") == "set" and len({repr(v) for v in value}) < len(
            value
        ):
            return "a set with an item twice"
        return _count_problem(len(value), node, "minItems", "maxItems") or (
            "items not unique"
            if node.get("uniqueItems") is True and len({repr(v) for v in value}) < len(value)
            else ""
        )
    if isinstance(value, dict):
        required = list(node.get("required") or ())
        if node.get("x-kubernetes-embedded-resource"):
            required += ["apiVersion", "kind"]
        missing = [k for k in required if k not in value]
        if missing:
            return f"required {missing[0]!r} missing"
        return _count_problem(len(value), node, "minProperties", "maxProperties")
    return ""


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _has_type(value: Any, kind: str) -> bool:
    return {
        "string": lambda: isinstance(value, str),
        "integer": lambda: _is_int(value) or (isinstance(value, float) and value.is_integer()),
        "number": lambda: isinstance(value, int | float) and not isinstance(value, bool),
        "boolean": lambda: isinstance(value, bool),
        "array": lambda: isinstance(value, list),
        "object": lambda: isinstance(value, dict),
    }.get(kind, lambda: True)()


def _count_problem(count: int, node: Mapping[str, Any], low: str, high: str) -> str:
    if isinstance(node.get(low), int) and count < node[low]:
        return f"fewer than {low} {node[low]}"
    if isinstance(node.get(high), int) and count > node[high]:
        return f"more than {high} {node[high]}"
    return ""


def _string_problem(value: str, node: Mapping[str, Any]) -> str:
    problem = _count_problem(len(value), node, "minLength", "maxLength")
    if problem:
        return problem
    pattern = node.get("pattern")
    if isinstance(pattern, str):
        compiled = _compiled_pattern(pattern)
        if compiled is not None and not compiled.search(value):
            return f"does not match {pattern!r}"
    fmt = node.get("format")
    if fmt in _FORMAT_CHECKS and not _FORMAT_CHECKS[fmt](value):
        return f"not a {fmt}"
    return ""


#: Formats whose values the API server (kube-openapi strfmt) checks; only the common ones.
_FORMAT_CHECKS: dict[str, Callable[[str], bool]] = {
    "date-time": lambda s: bool(_DATE_TIME.fullmatch(s)),
    "datetime": lambda s: bool(_DATE_TIME.fullmatch(s)),
    "date": lambda s: bool(re.fullmatch(r"\d{4}-\d\d-\d\d", s)),
    "duration": lambda s: bool(_DURATION.fullmatch(s)),
    "email": lambda s: bool(re.fullmatch(r"[^@\s]+@[^@\s]+", s)),
    "uuid": lambda s: bool(re.fullmatch(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}", s)),
    "byte": lambda s: bool(
        re.fullmatch(r"([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?", s)
    ),
    "ipv4": lambda s: _ip(s, 4),
    "ipv6": lambda s: _ip(s, 6),
    "cidr": lambda s: "/" in s and _network(s),
    "hostname": lambda s: bool(_HOSTNAME.fullmatch(s)) and len(s) <= 253,
    "mac": lambda s: bool(re.fullmatch(r"([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}", s)),
    "uri": lambda s: bool(re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:\S*|/\S*", s)),
}
_DATE_TIME: re.Pattern[str] = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
_DURATION: re.Pattern[str] = re.compile(r"[-+]?(0|((\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))+)")
_LABEL = r"[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?"
_HOSTNAME: re.Pattern[str] = re.compile(rf"{_LABEL}(\.{_LABEL})*")


def _ip(text: str, version: int) -> bool:
    try:
        return ipaddress.ip_address(text).version == version
    except ValueError:
        return False


def _network(text: str) -> bool:
    try:
        ipaddress.ip_network(text, strict=False)
    except ValueError:
        return False
    return True


@cache
def _compiled_pattern(pattern: str) -> re.Pattern[str] | None:
    """A Go pattern compiled in Python (``None``: it has no Python form)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return re.compile(translate(pattern))
    except (UnportablePattern, re.error):
        return None


def _number_problem(value: float, node: Mapping[str, Any]) -> str:
    low, high = node.get("minimum"), node.get("maximum")
    if isinstance(low, int | float):
        exclusive = node.get("exclusiveMinimum") is True
        if value < low or (exclusive and value == low):
            return "below the minimum"
    if isinstance(high, int | float):
        exclusive = node.get("exclusiveMaximum") is True
        if value > high or (exclusive and value == high):
            return "above the maximum"
    step = node.get("multipleOf")
    # In decimal: 0.3 is a multiple of 0.1, though not in binary floating point.
    if isinstance(step, int | float) and step > 0 and Decimal(str(value)) % Decimal(str(step)):
        return f"not a multiple of {step}"
    return ""


# -- searching ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Found:
    value: Any


class _Search:
    """One example's search: a budget of checks shared by all its nodes."""

    def __init__(self) -> None:
        self.spent = 0
        self.memo: dict[tuple[int, int], tuple[Mapping[str, Any], list[Any]]] = {}

    def accept(self, value: Any, node: Mapping[str, Any], *, deep: bool, wrap: Any = None) -> bool:
        """Whether ``value`` passes ``node`` (rules it cannot judge count as passing: the final
        check reports them). ``wrap``: the root's value made the whole manifest its branches
        and rules judge."""
        self.spent += 1
        report = Report()
        value = defaulted(value, node)
        if wrap is None:
            _check(value, node, "", report, deep=deep)
        else:
            # The root: its rules see the whole manifest, header included.
            problem = _keyword_problem(value, node)
            if problem:
                return False
            for combinator in ("allOf", "anyOf", "oneOf", "not"):
                if combinator in node:
                    _check_branches(wrap(value), node, combinator, "", report)
            _check_rules(wrap(value), node, "", report)
        return not report.problems

    @property
    def exhausted(self) -> bool:
        return self.spent >= BUDGET

    def values(self, node: Mapping[str, Any], path: str, wrap: Any = None) -> Iterator[_Found]:
        """Valid values of ``node``, best first, none twice."""
        seen: set[str] = set()
        for value in self._candidates(node, path):
            if self.exhausted:
                return
            key = repr(value)
            if key in seen:
                continue
            seen.add(key)
            if self.accept(value, node, deep=False, wrap=wrap):
                yield _Found(value)

    def some(self, node: Mapping[str, Any], path: str, count: int) -> list[Any]:
        """The first ``count`` valid values of ``node`` (remembered: parents ask again for each
        set of keys they try)."""
        key = (id(node), count)
        kept = self.memo.get(key)
        if kept is None or kept[0] is not node:  # an id is only unique while its node lives
            values = [f.value for f in itertools.islice(self.values(node, path), count)]
            kept = self.memo[key] = (node, values)
        return list(kept[1])

    def first(self, node: Mapping[str, Any], path: str) -> Any:
        found = next(self.values(node, path), None)
        return _fallback(node) if found is None else found.value

    def _candidates(self, node: Mapping[str, Any], path: str) -> Iterator[Any]:
        if path.count(".") + path.count("[") >= SEARCH_DEPTH:
            # Each level of the search costs Python several frames: deeper down, the plain
            # value of the right type (checked all the same).
            yield _fallback(node)
            return
        if node.get("default") is not None:
            default = node["default"]
            if self.accept(default, node, deep=True):
                yield default
        enum = node.get("enum")
        if isinstance(enum, list):
            yield from (v for v in enum if v is not None)
            return
        # allOf branches hold for every value: generate from the node they make together.
        shape = _merged(node, *(b for b in node.get("allOf") or () if isinstance(b, Mapping)))
        yield from self._shaped(shape, path)
        # Then values made for each oneOf/anyOf branch: a pattern, an enum or a required
        # property the branch adds (values() judges them against the node as written).
        for branch in _branches(node):
            yield from itertools.islice(self._shaped(_merged(shape, branch), path), 8)
            if self.exhausted:
                return

    def _shaped(self, node: Mapping[str, Any], path: str) -> Iterator[Any]:
        """Candidates from a node's type and keywords (its branches aside)."""
        enum = node.get("enum")
        if isinstance(enum, list):
            yield from (v for v in enum if v is not None)
            return
        kind = node.get("type")
        if node.get("x-kubernetes-int-or-string"):
            yield from _int_or_string_candidates(node, path)
        elif kind == "array":
            yield from self._arrays(node, path)
        elif node.get("x-kubernetes-embedded-resource"):
            # A resource inside the resource: the API server requires its apiVersion and kind.
            for value in self._objects(node, path):
                yield {**_EMBEDDED, **value}
        elif kind == "object" or "properties" in node or "additionalProperties" in node:
            yield from self._objects(node, path)
        elif kind in ("integer", "number"):
            yield from _numbers(node)
        elif kind == "boolean":
            yield from (False, True)
        elif kind == "string":
            yield from _strings(node)
        elif not _branches(node):
            yield {}

    def _arrays(self, node: Mapping[str, Any], path: str) -> Iterator[list[Any]]:
        items = node.get("items")
        if not isinstance(items, Mapping):
            items = {}
        low = node.get("minItems", 0)
        low = low if isinstance(low, int) else 0
        count = max(low, 1)
        if count > 64:
            return
        limit = max(count, _ALTERNATIVES)
        found = [f.value for f in itertools.islice(self.values(items, path + "[]"), limit)]
        unique = node.get("uniqueItems") is True or node.get("x-kubernetes-list-type") in (
            "set",
            "map",
        )
        if len(found) >= count and unique:
            yield found[:count]
        keys = node.get("x-kubernetes-list-map-keys")
        if found and count > 1 and isinstance(keys, list) and isinstance(found[0], dict):
            yield _renamed(found[0], keys, count)
        for value in found:
            yield [value] * count  # one value repeated: the simplest to read
        if len(found) >= count:
            yield found[:count]
        if low == 0:
            yield []

    def _objects(self, node: Mapping[str, Any], path: str) -> Iterator[dict[str, Any]]:
        properties: Mapping[str, Any] = node.get("properties") or {}
        if not properties:
            yield from self._maps(node, path)
            return
        required = [k for k in node.get("required") or () if k in properties]
        named = _named_in_rules(node, properties)
        optional = [k for k in properties if k not in required]
        # Key sets to try, fewest additions first: each branch's requirements, the optional
        # properties the rules name (one, then two), then enough to reach minProperties.
        extras: list[tuple[str, ...]] = [()]
        for branch in _branches(node):
            wanted = tuple(k for k in branch.get("required") or () if k in optional)
            wanted += tuple(
                k for k in (branch.get("properties") or {}) if k in optional and k not in wanted
            )
            extras.append(wanted)
        # A property a rule asks for by has() first: adding it is what such rules want.
        asked = _asked_by_has(node)
        mentioned = sorted((k for k in named if k in optional), key=lambda k: k not in asked)
        extras.extend((k,) for k in mentioned)
        extras.extend(itertools.combinations(mentioned, 2))
        low = node.get("minProperties", 0)
        low = low if isinstance(low, int) else 0
        for extra in list(extras):
            keys = [*required, *(k for k in extra if k not in required)]
            if len(keys) < low:
                padded = keys + [k for k in optional if k not in keys][: low - len(keys)]
                extras.append(tuple(k for k in padded if k not in required))
        tried: set[tuple[str, ...]] = set()
        for extra in extras:
            chosen = tuple(k for k in properties if k in required or k in extra)
            if chosen in tried or len(chosen) < low:
                continue
            tried.add(chosen)
            yield from self._objects_with(node, chosen, properties, named, path)
            if self.exhausted:
                return

    def _objects_with(
        self,
        node: Mapping[str, Any],
        keys: tuple[str, ...],
        properties: Mapping[str, Any],
        named: list[str],
        path: str,
    ) -> Iterator[dict[str, Any]]:
        """Objects holding exactly ``keys``: each property's best value, then other values of
        the properties the node's rules or branches name."""
        choices: list[list[Any]] = []
        hints = _rule_literals(node)
        for key in keys:
            child_path = f"{path}.{key}" if path else key
            values = self.some(properties[key], child_path, 1)
            if key in named:
                # Best first: the property's best value, the literals the node's rules compare
                # with (``self.port > 1024 || …``), its next values, then the property narrowed
                # as the rules suggest (``has(self.tls.secret)``, ``size(self.hosts) >= 2``).
                more = [
                    hint
                    for hint in hints
                    if hint not in values and self.accept(hint, properties[key], deep=True)
                ]
                more += self.some(properties[key], child_path, _ALTERNATIVES)[1:]
                for narrowed in _narrowed(properties[key], key, node, hints):
                    more += self.some(narrowed, child_path, 1)
                values += [v for i, v in enumerate(more) if v not in values and v not in more[:i]]
            choices.append(values or [_fallback(properties[key])])
        for combination in itertools.islice(itertools.product(*choices), 256):
            yield dict(zip(keys, combination, strict=True))

    def _maps(self, node: Mapping[str, Any], path: str) -> Iterator[dict[str, Any]]:
        values = node.get("additionalProperties")
        low = node.get("minProperties", 0)
        low = low if isinstance(low, int) else 0
        yield {}
        if low and isinstance(values, Mapping):
            value = self.first(values, path + ".*")
            yield {("example" if i == 0 else f"example{i + 1}"): value for i in range(low)}
        elif low:
            yield {("example" if i == 0 else f"example{i + 1}"): "example" for i in range(low)}


def _narrowed(
    child: Mapping[str, Any], key: str, node: Mapping[str, Any], hints: list[Any]
) -> Iterator[Mapping[str, Any]]:
    """``child`` (property ``key`` of ``node``) narrowed as the node's rules suggest: the
    properties they reach through it (``self.key.name``) required; its members (its items'
    members, for an array) the rules name set to the string literals of the rules they accept
    (``self.ref.group == 'x.io'``, ``self.refs.all(r, r.kind in ['A', 'B'])``); for an array,
    as many items as a number in the rules (up to 16)."""
    texts = [
        str(rule.get("rule", ""))
        for rule in node.get("x-kubernetes-validations") or ()
        if isinstance(rule, Mapping)
    ]
    reached = [
        name
        for text in texts
        for name in re.findall(rf"\bself\s*\.\s*{re.escape(key)}\s*\.\s*([A-Za-z_]\w*)", text)
    ]
    array = child.get("type") == "array" and isinstance(child.get("items"), Mapping)
    target: Mapping[str, Any] = child["items"] if array else child
    properties = target.get("properties") or {}
    wanted = [name for name in dict.fromkeys(reached) if name in properties]
    named = {name for text in texts for name in re.findall(r"\.\s*([A-Za-z_]\w*)", text)}
    pinned = {}
    for name in (n for n in properties if n in named):
        accepted = [
            h for h in hints if isinstance(h, str) and not _keyword_problem(h, properties[name])
        ]
        if accepted:
            pinned[name] = {"enum": accepted}
    if wanted or pinned:
        narrowed = _merged(target, {"required": wanted, "properties": pinned})
        yield {**child, "items": narrowed} if array else narrowed
    if child.get("type") == "array":
        for count in sorted({h for h in hints if _is_int(h) and 1 < h <= 16}):
            yield {**child, "minItems": max(count, child.get("minItems", 0) or 0)}


def _merged(node: Mapping[str, Any], *branches: Mapping[str, Any]) -> Mapping[str, Any]:
    """``node`` narrowed by ``branches`` (without its own branches): keywords of the branches
    win, properties are merged one by one, ``required`` lists add up."""
    if not branches:
        return node
    out = {k: v for k, v in node.items() if k not in ("allOf", "anyOf", "oneOf", "not")}
    for branch in branches:
        for key, value in branch.items():
            if key == "properties" and isinstance(value, Mapping):
                properties = dict(out.get("properties") or {})
                for name, child in value.items():
                    if isinstance(child, Mapping):
                        properties[name] = _merged(properties.get(name, {}), child)
                out["properties"] = properties
            elif key == "required" and isinstance(value, list):
                out["required"] = list(dict.fromkeys([*(out.get("required") or ()), *value]))
            elif key not in ("allOf", "anyOf", "oneOf", "not"):
                out[key] = value
    return out


def _renamed(item: dict[str, Any], keys: list[str], count: int) -> list[dict[str, Any]]:
    """``count`` copies of a list-map item whose string keys differ (``example``,
    ``example2`` …): the API server refuses two items with the same keys."""
    out = []
    for index in range(count):
        copy_ = dict(item)
        for key in keys:
            if index and isinstance(copy_.get(key), str):
                copy_[key] = f"{copy_[key]}{index + 1}"
        out.append(copy_)
    return out


def _branches(node: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [
        b
        for combinator in ("oneOf", "anyOf")
        for b in node.get(combinator) or ()
        if isinstance(b, Mapping)
    ]


_HAS_FIELD = re.compile(r"\bhas\(\s*self\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)")


def _asked_by_has(node: Mapping[str, Any]) -> set[str]:
    """Properties the node's rules test with ``has(self.x)``."""
    rules = node.get("x-kubernetes-validations") or ()
    return {
        name
        for rule in rules
        if isinstance(rule, Mapping)
        for name in _HAS_FIELD.findall(str(rule.get("rule", "")))
    }


_SELF_FIELD = re.compile(r"\bself\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)")


def _named_in_rules(node: Mapping[str, Any], properties: Mapping[str, Any]) -> list[str]:
    """Properties named by the node's rules (``self.x``, ``has(self.x)``) or its branches, in
    schema order."""
    names: set[str] = set()
    for rule in node.get("x-kubernetes-validations") or ():
        if isinstance(rule, Mapping):
            names.update(_SELF_FIELD.findall(str(rule.get("rule", ""))))
    for branch in _branches(node):
        names.update(branch.get("required") or ())
        names.update(branch.get("properties") or {})
    return [k for k in properties if k in names]


def _fallback(node: Mapping[str, Any]) -> Any:
    """A value of the right type, used when the search finds none (the note then says so)."""
    if "default" in node:
        return node["default"]
    enum = node.get("enum")
    if isinstance(enum, list) and enum:
        return enum[0]
    kind = node.get("type")
    if node.get("x-kubernetes-int-or-string") or kind in ("integer", "number"):
        return 1
    if kind == "boolean":
        return False
    if kind == "string":
        return "example"
    if kind == "array":
        return []
    properties = node.get("properties") or {}
    return {k: _fallback(properties[k]) for k in node.get("required") or () if k in properties}


def _numbers(node: Mapping[str, Any]) -> Iterator[float]:
    low, high = node.get("minimum"), node.get("maximum")
    step = node.get("multipleOf")
    integer = node.get("type") == "integer"
    start = low if isinstance(low, int | float) else 0
    if isinstance(low, int | float) and node.get("exclusiveMinimum") is True:
        start = low + 1 if integer else low + (step if isinstance(step, int | float) else 1)
    if isinstance(high, int | float) and start > high:
        start = high
    if isinstance(step, int | float) and step > 0:
        # The first multiple at or above the start, reckoned in decimal (0.3, not 0.30…04).
        exact = math.ceil(Decimal(str(start)) / Decimal(str(step))) * Decimal(str(step))
        start = int(exact) if exact == exact.to_integral_value() else float(exact)
    yield start
    for other in (1, 10, 100, 1000, high):
        if isinstance(other, int | float) and other != start:
            yield other


def _int_or_string_candidates(node: Mapping[str, Any], path: str) -> Iterator[Any]:
    name = path.rpartition(".")[2].rstrip("[]")
    pattern = node.get("pattern")
    quantity = isinstance(pattern, str) and pattern.startswith("^(\\+|-)?(([0-9]+")
    strings = _strings({k: v for k, v in node.items() if k != "format"})
    if quantity:
        yield _quantity(name)
    elif isinstance(pattern, str):
        yield from itertools.islice(strings, 1)  # the pattern says what strings look like
    yield 1
    yield from strings
    yield "50%"


def _quantity(name: str) -> str:
    """A Kubernetes quantity a reader would write for a field of this name."""
    lowered = name.lower()
    if "cpu" in lowered:
        return "500m"
    if any(word in lowered for word in ("memory", "storage", "size", "disk", "limit", "request")):
        return "1Gi"
    return "1"


def _strings(node: Mapping[str, Any]) -> Iterator[str]:
    low = node.get("minLength", 0)
    low = low if isinstance(low, int) else 0
    high = node.get("maxLength")
    high = high if isinstance(high, int) else None
    pattern = node.get("pattern")
    by_format = FORMAT_EXAMPLES.get(str(node.get("format", "")))
    if by_format is not None:
        yield by_format
    if not isinstance(pattern, str):
        if high is None or high >= len("example"):
            yield "example" if low <= len("example") else "x" * low
        yield "x" * max(low, 1)
        yield "https://example.com"
        yield from _rule_strings(node)
        return
    compiled = _compiled_pattern(pattern)
    if compiled is None:  # Go syntax Python lacks: the check reports it unchecked
        yield from (c for c in _STRING_CANDIDATES if low <= len(c) <= (high or len(c)))
        return
    for candidate in _STRING_CANDIDATES:
        if compiled.search(candidate):
            yield candidate
    yield from pattern_strings(pattern, low, high)
    yield from _rule_strings(node)


_CEL_NUMBER = re.compile(r"(?<![\w.\"'])-?\d+(?![\w.\"'])")


def _rule_literals(node: Mapping[str, Any]) -> list[Any]:
    """Values a node's rules compare its properties with: their string literals, and their
    integers with the integers either side (``> 1024``)."""
    out: list[Any] = []
    for rule in node.get("x-kubernetes-validations") or ():
        text = str(rule.get("rule", "")) if isinstance(rule, Mapping) else ""
        out += [m.group(2) for m in _CEL_STRING.finditer(text)]
        bare = _CEL_STRING.sub("", text)
        for number in map(int, _CEL_NUMBER.findall(bare)):
            out += [number, number + 1, number - 1]
    return list(dict.fromkeys(out))


#: A CEL string literal, raw or not, triple-quoted or not (group 2 holds its text).
_CEL_STRING = re.compile(r"[rR]?(\"\"\"|'''|\"|')(.*?)\1", re.S)


def _rule_strings(node: Mapping[str, Any]) -> Iterator[str]:
    """Strings a node's own rules suggest: strings matching a regex a rule tests
    (``self.matches(…)``), the literals a rule compares with, URLs starting with them."""
    for rule in node.get("x-kubernetes-validations") or ():
        text = str(rule.get("rule", "")) if isinstance(rule, Mapping) else ""
        for match in _CEL_STRING.finditer(text):
            literal = match.group(2)
            if text[: match.start()].rstrip().endswith("matches("):
                yield from itertools.islice(pattern_strings(literal), 3)
            else:
                url = literal + "example.com"
                # A scheme (ldap://) or a prefix (/api/) wants something after it.
                yield from (url, literal) if literal.endswith(("/", ":")) else (literal, url)
                yield "example" + literal


def pattern_strings(pattern: str, low: int = 0, high: int | None = None) -> Iterator[str]:
    """Strings matching a Go ``pattern`` with a length in ``[low, high]``, shortest repetitions
    first; none where the pattern has no Python form. Deterministic."""
    compiled = _compiled_pattern(pattern)
    if compiled is None:
        return
    parsed = _parsed(translate(pattern))
    seen: set[str] = set()
    for stretch, branch in itertools.product((0, 1, 2, 3, 5, 8, 16, 32, 64, 128, 253), (0, 1, 2)):
        built = _build(parsed, stretch, branch, {})
        # A prefix pattern (``^s3://``) reads better with a word after it: s3://example.
        tries = (built + "example", built) if built and not built[-1].isalnum() else (built,)
        for text in tries:
            if text in seen:
                continue
            seen.add(text)
            fits = len(text) >= low and (high is None or len(text) <= high)
            if fits and compiled.search(text):
                yield text


@cache
def _parsed(pattern: str) -> Any:
    import re._parser as parser  # noqa: PLC0415 - Python 3.11+; only pattern fields need it

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return parser.parse(pattern)


#: Characters preferred in generated strings, best first.
_PREFERRED = "aex0123456789bcdfghijklmnopqrstuvwyzABCDEFGHIJKLMNOPQRSTUVWXYZ-._/:=@ +~!#$%&*,;?^|"


def _build(items: Any, stretch: int, branch: int, groups: dict[int, str]) -> str:
    """One string of a parsed pattern: each repetition ``stretch`` times (within its bounds),
    each alternation's ``branch``-th choice (or its last)."""
    from re._constants import (  # noqa: PLC0415
        ANY,
        ASSERT,
        ASSERT_NOT,
        AT,
        BRANCH,
        GROUPREF,
        IN,
        LITERAL,
        MAX_REPEAT,
        MIN_REPEAT,
        NOT_LITERAL,
        SUBPATTERN,
    )

    out: list[str] = []
    for op, arg in items:
        if op is LITERAL:
            out.append(chr(arg))
        elif op is NOT_LITERAL:
            out.append(next(c for c in _PREFERRED if ord(c) != arg))
        elif op is ANY:
            out.append("a")
        elif op is IN:
            out.append(_class_char(arg))
        elif op in (MAX_REPEAT, MIN_REPEAT):
            low, high, sub = arg
            count = min(max(low, stretch), high, max(low, 256))
            out.extend(_build(sub, stretch, branch, groups) for _ in range(count))
        elif op is SUBPATTERN:
            group, _, _, sub = arg
            text = _build(sub, stretch, branch, groups)
            if group is not None:
                groups[group] = text
            out.append(text)
        elif op is BRANCH:
            choices = arg[1]
            out.append(_build(choices[min(branch, len(choices) - 1)], stretch, branch, groups))
        elif op is GROUPREF:
            out.append(groups.get(arg, ""))
        elif op in (AT, ASSERT, ASSERT_NOT):
            continue
    return "".join(out)


def _class_char(members: list[tuple[Any, Any]]) -> str:
    from re._constants import CATEGORY, LITERAL, NEGATE, RANGE  # noqa: PLC0415

    negate = any(op is NEGATE for op, _ in members)
    literals = {arg for op, arg in members if op is LITERAL}
    ranges = [arg for op, arg in members if op is RANGE]
    categories = [str(arg) for op, arg in members if op is CATEGORY]

    def inside(char: str) -> bool:
        code = ord(char)
        if code in literals or any(a <= code <= b for a, b in ranges):
            return True
        return any(_in_category(char, category) for category in categories)

    for char in _PREFERRED:
        if inside(char) != negate:
            return char
    for code in range(0x20, 0x3000):
        if inside(chr(code)) != negate:
            return chr(code)
    return "a"


def _in_category(char: str, category: str) -> bool:
    positive = {
        "CATEGORY_DIGIT": char.isdigit(),
        "CATEGORY_SPACE": char.isspace(),
        "CATEGORY_WORD": char.isalnum() or char == "_",
    }
    for name, result in positive.items():
        if category == name:
            return result
        if category == name.replace("CATEGORY_", "CATEGORY_NOT_"):
            return not result
    return False
