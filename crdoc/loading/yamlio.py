"""Reading YAML and JSON from charts: libyaml when present, real line numbers, limits."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from crdoc.errors import CrdocError
from crdoc.loading.limits import Limits

try:  # libyaml's parser is several times faster; its constructor is still SafeConstructor.
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover - pyyaml built without libyaml
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]

#: The text a document must contain to possibly be a CRD; others are never parsed.
CRD_MARKER = "CustomResourceDefinition"

# A document marker (`---`, `...`) stands at the start of a line; it ends any scalar, so the
# text can be cut there without a parser. Parsing only the documents that mention
# CRD_MARKER skips most of a chart (and its templated, often unparseable, non-CRD manifests).
_DOCUMENT_MARKER = re.compile(r"^(?:---|\.\.\.)(?=[ \t\r\n]|$)", re.MULTILINE)
_MERGE_TAG = "tag:yaml.org,2002:merge"
_STR_TAG = yaml.resolver.BaseResolver.DEFAULT_SCALAR_TAG
_SEQ_TAG = yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG
_MAP_TAG = yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG

# An alias is `*` followed at once by a name of these characters (libyaml and PyYAML's scanner
# both allow no others, and no empty name), and it needs an anchor, `&` and a name. Text with
# no alias can compose no shared node, so its documents are built without any memo.
_ALIAS = re.compile(r"\*[0-9A-Za-z_-]")
_ANCHOR = re.compile(r"&[0-9A-Za-z_-]")


@dataclass(frozen=True, slots=True)
class Document:
    """One parsed YAML document that mentions CRD_MARKER, with where it starts in its file."""

    data: Any
    line: int
    """1-based line of the document's first node in the original file."""
    node: Node | None
    """The composed node tree (YAML only): finds the line of any part on error."""


class _Loader(_SafeLoader):
    """The safe loader, with go-yaml's booleans and numbers (see :func:`go_scalar`), duplicate
    keys reported, aliases noticed, and two real-world quirks read as strings.

    Aliases make one node the child of several parents. The constructor builds each node once
    (it keeps what it built), so construction stays linear however the aliases multiply; but
    walking the result would not. A node met again — already built, or twice among one
    parent's children — is an alias: ``aliased`` is set, and the reader then measures the
    document's expanded size (:func:`_check_expansion`). Merge keys (``<<``) are expanded while
    constructing, so a document with one is measured before that.
    """

    aliased = False
    root: Node | None = None
    on_merge: Any = None

    def _note_shared(self, children: Iterable[Node]) -> None:
        built = self.constructed_objects
        seen: set[int] = set()
        for child in children:
            if child in built or id(child) in seen:
                self.aliased = True
                return
            seen.add(id(child))

    def construct_mapping(self, node: Node, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, MappingNode):
            seen: set[tuple[str, str]] = set()
            for key_node, _ in node.value:
                if isinstance(key_node, ScalarNode):
                    if key_node.tag == _MERGE_TAG and self.on_merge is not None:
                        self.on_merge()
                    key = (key_node.tag, key_node.value)
                    if key in seen:
                        raise yaml.constructor.ConstructorError(
                            None, None, f"duplicate key {key_node.value!r}", key_node.start_mark
                        )
                    seen.add(key)
            if not self.aliased:
                self._note_shared(part for pair in node.value for part in pair)
        # Any node may come here (a tag says what to build): PyYAML refuses the wrong kind.
        return super().construct_mapping(node, deep=deep)  # type: ignore[arg-type]

    def construct_sequence(self, node: Node, deep: bool = False) -> list[Any]:
        if not self.aliased and isinstance(node, SequenceNode):
            self._note_shared(node.value)
        return super().construct_sequence(node, deep=deep)  # type: ignore[arg-type]

    def construct_string(self, node: Node) -> str:
        return str(self.construct_scalar(node))  # type: ignore[arg-type]

    def resolve(self, kind: type, value: str | None, implicit: Any) -> str:
        """PyYAML's tag resolution, without its per-call overhead (libyaml's composer calls this
        for every node): quoted scalars are strings at once; a plain scalar is tried only
        against the implicit resolvers for its first character, in PyYAML's own order.

        Exactly :meth:`yaml.resolver.BaseResolver.resolve` for this loader's resolvers (no
        wildcard or path resolvers; the class keeps PyYAML's method otherwise)."""
        if kind is ScalarNode:
            if implicit[0]:
                candidates = _FIRST_CHARACTER.get(value[:1])  # type: ignore[index]
                if candidates is not None:
                    for tag, regexp in candidates:
                        if regexp.match(value):  # type: ignore[arg-type]
                            return tag
            return _STR_TAG
        if kind is MappingNode:
            return _MAP_TAG
        if kind is SequenceNode:
            return _SEQ_TAG
        # PyYAML's stubs leave resolve() untyped.
        resolved: str = super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]
        return resolved  # pragma: no cover - no other kinds


# A bare `=` resolves to YAML 1.1's "value" tag, which SafeLoader rejects: it is the string "=".
_Loader.add_constructor("tag:yaml.org,2002:value", _Loader.construct_string)
# Timestamps stay the text they were written as (Kubernetes reads YAML as JSON: no dates).
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_string)

# -- plain scalars as Go reads them -----------------------------------------------------------
#
# Kubernetes reads a manifest, and Helm a values file, with go-yaml (v2, through
# sigs.k8s.io/yaml): YAML 1.1 as Go has it, not as PyYAML does. `y` and `n` are booleans;
# integers are Go's (`0o17`, `0X1F`, underscores anywhere, `08` a float), floats need no dot
# (`1e3`, `+.5`) and overflow to text; there are no sexagesimal numbers (`1:30` is text).
# Booleans, integers and floats are resolved and built by go-yaml's rules (its resolve());
# null, merge keys, timestamps and `=` keep PyYAML's, which agree with Go's.

_BOOL_TAG = "tag:yaml.org,2002:bool"
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_GO_BOOLS = {
    **dict.fromkeys(("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE"), True),
    **dict.fromkeys(("on", "On", "ON"), True),
    **dict.fromkeys(("n", "N", "no", "No", "NO", "false", "False", "FALSE"), False),
    **dict.fromkeys(("off", "Off", "OFF"), False),
}
_GO_SPECIAL_FLOATS = {
    **dict.fromkeys((".nan", ".NaN", ".NAN"), float("nan")),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), float("inf")),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), float("-inf")),
}
#: go-yaml's yamlStyleFloat, tried on the text without underscores.
_GO_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
#: strconv.ParseInt's syntax in base 0 (sign, then a base prefix or a leading 0 for octal).
_GO_INT = re.compile(r"([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)")
#: Longer than any integer in 64 bits (a sign, "0b" and 64 binary digits): not one.
_GO_INT_LENGTH = 67
_LONE_UNDERSCORE = re.compile(r"(?<![0-9])_|_(?![0-9])")
_GO_BASES = {"x": 16, "X": 16, "o": 8, "O": 8, "b": 2, "B": 2}


def go_scalar(text: str) -> bool | int | float | None:
    """The boolean or number go-yaml reads a plain scalar as, or ``None`` (not one)."""
    if text in _GO_BOOLS:
        return _GO_BOOLS[text]
    if text in _GO_SPECIAL_FLOATS:
        return _GO_SPECIAL_FLOATS[text]
    first = text[:1]
    if first == ".":  # strconv.ParseFloat on the text as written: "_" only between digits
        if _GO_FLOAT.fullmatch(text.replace("_", "")) and not _LONE_UNDERSCORE.search(text):
            return _finite(float(text.replace("_", "")))
        return None
    if not first or first not in "0123456789+-":
        return None
    plain = text.replace("_", "")
    found = _GO_INT.fullmatch(plain) if len(plain) <= _GO_INT_LENGTH else None
    if found:
        sign, digits = found.groups()
        if digits[1:2] in _GO_BASES:
            value = int(digits[2:], _GO_BASES[digits[1]])
        else:
            value = int(digits, 8 if digits[0] == "0" else 10)  # a leading 0: octal
        value = -value if sign == "-" else value
        if -(2**63) <= value < 2**64 and not (sign == "+" and value >= 2**63):
            return value
    if _GO_FLOAT.fullmatch(plain):
        return _finite(float(plain))
    return None


def _finite(value: float) -> float | None:
    # strconv.ParseFloat reports an overflow as an error: go-yaml then keeps the text.
    return None if value in (float("inf"), float("-inf")) else value


class _GoScalars:
    """A resolver "regexp" (what ``match`` is asked) for the plain scalars go-yaml reads as
    ``kind``: a boolean, an integer or a float."""

    def __init__(self, kind: type) -> None:
        self.kind = kind

    def match(self, text: str) -> bool:
        return type(go_scalar(text)) is self.kind

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _GoScalars) and other.kind is self.kind

    __hash__ = None  # type: ignore[assignment]


def _go_resolvers(resolvers: dict[Any, list[tuple[str, Any]]]) -> dict[Any, list[Any]]:
    """PyYAML's resolvers by first character, Go's taking the place of its bool, int, float."""
    table = {
        first: [
            (tag, regexp) for tag, regexp in found if tag not in (_BOOL_TAG, _INT_TAG, _FLOAT_TAG)
        ]
        for first, found in resolvers.items()
    }
    for tag, kind, firsts in (
        (_BOOL_TAG, bool, "yYnNtTfFoO"),
        (_INT_TAG, int, "0123456789+-"),
        (_FLOAT_TAG, float, "0123456789+-."),
    ):
        for first in firsts:
            table.setdefault(first, []).insert(0, (tag, _GoScalars(kind)))
    return {first: found for first, found in table.items() if found}


def _go_constructor(kind: type, fallback: Any) -> Any:
    """A constructor building the scalar as go-yaml does (PyYAML's for what Go would not
    read as ``kind``: an explicit tag on other text, its error included)."""

    def construct(loader: Any, node: Node) -> Any:
        value = go_scalar(str(node.value)) if isinstance(node, ScalarNode) else None
        if type(value) is kind:
            return value
        if kind is float and type(value) is int:  # `!!float 1`
            return float(value)
        return fallback(loader, node)

    return construct


_Loader.yaml_implicit_resolvers = _go_resolvers(_SafeLoader.yaml_implicit_resolvers)
_Loader.add_constructor(_BOOL_TAG, _go_constructor(bool, _SafeLoader.construct_yaml_bool))
_Loader.add_constructor(_INT_TAG, _go_constructor(int, _SafeLoader.construct_yaml_int))
_Loader.add_constructor(_FLOAT_TAG, _go_constructor(float, _SafeLoader.construct_yaml_float))

#: The implicit resolvers by a plain scalar's first character ('' for the empty scalar).
_FIRST_CHARACTER: dict[str, tuple[tuple[str, re.Pattern[str]], ...]] = {
    first: tuple(resolvers)
    for first, resolvers in _Loader.yaml_implicit_resolvers.items()
    if first is not None
}
if None in _Loader.yaml_implicit_resolvers or _Loader.yaml_path_resolvers:  # pragma: no cover
    del _Loader.resolve  # a resolver for any first character, or by path: PyYAML's own method
else:
    # Without path resolvers these two, which the composer calls around every node, do
    # nothing; a builtin as the class attribute is called without binding the loader, so
    # `slice(parent, index)` and `tuple()` are no-ops that cost no Python frame.
    _Loader.descend_resolver = slice  # type: ignore[method-assign, assignment]
    _Loader.ascend_resolver = tuple  # type: ignore[method-assign, assignment]

# -- building data from composed nodes --------------------------------------------------------
#
# PyYAML's constructor dispatches every node through tables and generators and records every
# node it built; for the plain data of CRDs (strings, numbers, booleans, null, mappings,
# lists) one recursive function does the same work several times faster. It leaves anything
# else to the constructor (the loader above), which then builds the whole document again:
# other tags (binary, set, omap, custom `!tags`), merge keys, mappings whose keys collapse
# (duplicates: the constructor reports them, with their line), unhashable keys, any error, and
# nesting deep enough for a RecursionError. So the data, and every error, are the
# constructor's.

_CONVERTER = yaml.constructor.SafeConstructor()
#: Scalar tags other than str: go-yaml's booleans and numbers, PyYAML's null, and the two tags
#: crdoc reads as their text.
_SCALARS: dict[str, Any] = {
    _INT_TAG: _Loader.yaml_constructors[_INT_TAG].__get__(_CONVERTER),
    _FLOAT_TAG: _Loader.yaml_constructors[_FLOAT_TAG].__get__(_CONVERTER),
    _BOOL_TAG: _Loader.yaml_constructors[_BOOL_TAG].__get__(_CONVERTER),
    "tag:yaml.org,2002:null": _CONVERTER.construct_yaml_null,
    "tag:yaml.org,2002:value": _Loader.construct_string.__get__(_CONVERTER),
    "tag:yaml.org,2002:timestamp": _Loader.construct_string.__get__(_CONVERTER),
}


class _Unusual(Exception):
    """A node the fast builder leaves to the constructor."""


def _build(node: Node, room: int) -> Any:
    """The data of a node tree in which no node is shared (no aliases).

    Tags are tested first (the resolver's own string objects: equal at once), the node's class
    after, as an explicit tag can stand on any kind of node (`!!str {a: 1}`, `!!map x`).
    ``room`` is how many levels of mappings and lists may still open below this node."""
    tag = node.tag
    if tag == _MAP_TAG:
        if node.__class__ is not MappingNode:
            raise _Unusual
        if room <= 0:
            raise _TooDeep(node)
        pairs = node.value
        data = {}
        for key_node, value_node in pairs:
            if key_node.tag == _STR_TAG and key_node.__class__ is ScalarNode:
                key = key_node.value
            else:
                key = _build(key_node, room - 1)  # a merge key `<<` is an unusual tag
            if value_node.tag == _STR_TAG and value_node.__class__ is ScalarNode:
                data[key] = value_node.value
            else:
                data[key] = _build(value_node, room - 1)
        if len(data) != len(pairs):  # keys collapsed: duplicates, or `1` and `01` (both 1)
            raise _Unusual
        return data
    if tag == _STR_TAG:
        if node.__class__ is not ScalarNode:
            raise _Unusual
        return node.value
    if tag == _SEQ_TAG:
        if node.__class__ is not SequenceNode:
            raise _Unusual
        if room <= 0:
            raise _TooDeep(node)
        return [
            item.value
            if item.tag == _STR_TAG and item.__class__ is ScalarNode
            else _build(item, room - 1)
            for item in node.value
        ]
    convert = _SCALARS.get(tag)
    if convert is None or node.__class__ is not ScalarNode:
        raise _Unusual
    return convert(node)


def _build_shared(root: Node, room: int) -> tuple[Any, bool]:
    """The data of a node tree that may share nodes (aliases), and whether any is shared.

    Like the constructor, each node is built once (memo by identity) and a node met again
    gives the same object, so building stays linear however aliases multiply; a node met again
    is what makes the constructor's ``aliased`` true."""
    built: dict[int, Any] = {}
    shared = False

    def build(node: Node, room: int) -> Any:
        nonlocal shared
        key = id(node)
        if key in built:
            shared = True
            return built[key]
        kind = type(node)
        if kind is not ScalarNode and room <= 0:
            raise _TooDeep(node)
        if kind is MappingNode:
            if node.tag != _MAP_TAG:
                raise _Unusual
            pairs = node.value
            mapping: dict[Any, Any] = {}
            built[key] = mapping
            for key_node, value_node in pairs:
                item = build(key_node, room - 1)
                mapping[item] = build(value_node, room - 1)
            if len(mapping) != len(pairs):
                raise _Unusual
            return mapping
        if kind is SequenceNode:
            if node.tag != _SEQ_TAG:
                raise _Unusual
            sequence: list[Any] = []
            built[key] = sequence
            sequence.extend([build(item, room - 1) for item in node.value])
            return sequence
        if kind is ScalarNode:
            tag = node.tag
            if tag == _STR_TAG:
                data = node.value
            else:
                convert = _SCALARS.get(tag)
                if convert is None:
                    raise _Unusual
                data = convert(node)
            built[key] = data
            return data
        raise _Unusual  # pragma: no cover - composers make no other nodes

    data = build(root, room)
    return data, shared


def _may_share(text: str) -> bool:
    """Whether ``text`` could compose a shared node: it holds an alias and an anchor."""
    return _ALIAS.search(text) is not None and _ANCHOR.search(text) is not None


class _TooDeep(Exception):
    """A mapping or list nested deeper than the limit allows."""

    def __init__(self, node: Node) -> None:
        super().__init__()
        self.node = node


def _fast_build(node: Node, may_share: bool, room: int) -> tuple[Any, bool] | None:
    """``(data, aliased)`` by the fast builder, or None when the constructor must build it;
    :class:`_TooDeep` past ``room`` levels."""
    try:
        if may_share:
            return _build_shared(node, room)
        return _build(node, room), False
    except _TooDeep:
        raise
    except Exception:  # anything unusual, any error, or RecursionError: the constructor's
        _check_depth(node, room)  # before the constructor builds it (it recurses too)
        return None


def _check_depth(root: Node, room: int) -> None:
    """Raise :class:`_TooDeep` when mappings and lists nest more than ``room`` levels below
    ``root`` (iteratively: it runs where recursion may have failed; aliases are followed
    again only when met deeper)."""
    stack = [(root, room)]
    most: dict[int, int] = {}  # node → the most room it was met with (less: look again)
    while stack:
        node, left = stack.pop()
        if isinstance(node, ScalarNode) or most.get(id(node), -1) >= left:
            continue
        most[id(node)] = left
        if left <= 0:
            raise _TooDeep(node)
        stack.extend((child, left - 1) for child in _children(node))


def _too_deep(error: _TooDeep, path: str, offset: int, limit: int) -> CrdocError:
    line = error.node.start_mark.line + 1 + offset
    return CrdocError(f"YAML nested deeper than {limit} levels", path=path, line=line)


def decode(data: bytes, path: str) -> str:
    """Decode file bytes as UTF-8 (a BOM is dropped); invalid UTF-8 is an error naming the file."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise CrdocError(f"not valid UTF-8 (byte {exc.start})", path=path, line=line) from None


def split_documents(text: str) -> Iterator[tuple[str, int]]:
    """Cut a YAML stream at its document markers: ``(chunk, line offset of its first line)``."""
    start = 0
    offset = 0
    for match in _DOCUMENT_MARKER.finditer(text):
        if match.start() > start:
            yield text[start : match.start()], offset
            offset += text.count("\n", start, match.start())
            start = match.start()
    yield text[start:], offset


def crd_documents(text: str, path: str, limits: Limits) -> Iterator[Document]:
    """Parse the documents of a YAML (or JSON, by extension) file that may hold CRDs."""
    if CRD_MARKER not in text:
        return
    if path.endswith(".json"):
        yield from _json_documents(text, path, limits.max_nesting_depth)
        return
    for chunk, offset in split_documents(text):
        if CRD_MARKER in chunk:
            yield from _yaml_documents(chunk, path, offset, limits)


def yaml_documents(text: str, path: str, limits: Limits) -> Iterator[Document]:
    """Every document of a YAML text (a values file), with the bounds CRD files have."""
    for chunk, offset in split_documents(text):
        yield from _yaml_documents(chunk, path, offset, limits)


def _json_documents(text: str, path: str, limit: int) -> Iterator[Document]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CrdocError(f"invalid JSON: {exc.msg}", path=path, line=exc.lineno) from None
    except RecursionError:
        raise CrdocError("JSON nested too deeply", path=path) from None
    stack = [(data, limit)]
    while stack:  # the same bound as YAML's
        value, room = stack.pop()
        if isinstance(value, dict | list):
            if room <= 0:
                raise CrdocError(f"JSON nested deeper than {limit} levels", path=path)
            items = value.values() if isinstance(value, dict) else value
            stack.extend((item, room - 1) for item in items)
    yield Document(data=data, line=1, node=None)


def _yaml_documents(
    chunk: str, path: str, offset: int, limits: Limits, *, fast: bool = True
) -> Iterator[Document]:
    """The documents of ``chunk``; ``fast=False`` builds each with the constructor (tests)."""
    loader = _Loader(chunk)
    may_share = _may_share(chunk)
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            built = _fast_build(node, may_share, limits.max_nesting_depth) if fast else None
            if built is not None:
                data, aliased = built
                if aliased:
                    _check_expansion(node, limits.max_alias_nodes, path, offset)
                yield Document(data=data, line=node.start_mark.line + 1 + offset, node=node)
                continue
            loader.aliased = False
            measured = False

            def measure(root: Node = node) -> None:
                nonlocal measured
                if not measured:
                    measured = True
                    _check_expansion(root, limits.max_alias_nodes, path, offset)

            loader.on_merge = measure
            try:
                data = loader.construct_document(node)
            except (ValueError, KeyError, TypeError, OverflowError):  # `!!float x`, `!!bool y`
                raise _value_error(node, path, offset) from None
            if loader.aliased:
                measure()
            yield Document(data=data, line=node.start_mark.line + 1 + offset, node=node)
    except _TooDeep as error:
        raise _too_deep(error, path, offset, limits.max_nesting_depth) from None
    except yaml.YAMLError as exc:
        raise yaml_error(exc, path, offset) from None
    except RecursionError:  # the pure-Python parser recurses per nesting level
        raise CrdocError("YAML nested too deeply", path=path, line=offset + 1) from None
    finally:
        loader.dispose()


def _value_error(root: Node, path: str, offset: int) -> CrdocError:
    """The error for a scalar its tag cannot read (``!!float x``, ``!!bool maybe``, an int of
    more digits than Python converts), at that scalar's line."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, ScalarNode):
            convert = _SCALARS.get(node.tag)
            try:
                if convert is not None:
                    convert(node)
            except (ValueError, KeyError, TypeError, OverflowError):
                short = node.tag.rsplit(":", 1)[-1]
                value = node.value if len(node.value) <= 40 else node.value[:40] + "…"
                return CrdocError(
                    f"invalid YAML: {value!r} is not a valid {short}",
                    path=path,
                    line=node.start_mark.line + 1 + offset,
                )
        else:
            stack.extend(reversed(_children(node)))
    line = root.start_mark.line + 1 + offset
    return CrdocError("invalid YAML: a value its tag cannot read", path=path, line=line)


def yaml_error(exc: yaml.YAMLError, path: str, offset: int = 0) -> CrdocError:
    """A PyYAML error as crdoc's one-line error, at its line in the original file."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + offset if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        return CrdocError(f"invalid YAML: {problem}", path=path, line=line)
    return CrdocError(f"invalid YAML: {exc}", path=path)


def compose_file(text: str, path: str) -> tuple[Node | None, Any]:
    """A single-document YAML file (settings, annotations) parsed once: its node tree, for
    line numbers, and its data."""
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None, None
        limit = Limits().max_nesting_depth  # settings and annotations: crdoc's own bound
        try:
            built = _fast_build(root, _may_share(text), limit)
        except _TooDeep as error:
            raise _too_deep(error, path, 0, limit) from None
        if built is not None:
            return root, built[0]
        try:
            return root, loader.construct_document(root)
        except (ValueError, KeyError, TypeError, OverflowError):
            raise _value_error(root, path, 0) from None
    except yaml.YAMLError as exc:
        raise yaml_error(exc, path) from None
    finally:
        loader.dispose()


def _check_expansion(root: Node, budget: int, path: str, offset: int) -> None:
    """Refuse a document whose aliases expand it past ``budget`` nodes, or refer to themselves.

    Aliases make the node graph a DAG (or, for a recursive alias, a cycle); a walk of the
    expanded document would be exponential or endless. Sizes are counted with memoisation, so
    the check itself is linear in the composed nodes.
    """
    size: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            total = 1 + sum(size[id(child)] for child in _children(node))
            if total > budget:
                raise CrdocError(
                    f"YAML aliases expand this document past {budget} nodes (alias bomb?)",
                    path=path,
                    line=node.start_mark.line + 1 + offset,
                )
            size[key] = total
            continue
        if key in size:
            continue
        if key in on_path:
            raise CrdocError(
                "recursive YAML alias", path=path, line=node.start_mark.line + 1 + offset
            )
        on_path.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in on_path:
                raise CrdocError(
                    "recursive YAML alias", path=path, line=child.start_mark.line + 1 + offset
                )
            if id(child) not in size:
                stack.append((child, False))


def _children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, SequenceNode):
        return list(node.value)
    return []


def line_of(document: Document, keys: tuple[str | int, ...]) -> int:
    """The 1-based line of the part of ``document`` reached by ``keys``, or the nearest parent's."""
    root = document.node
    if root is None:
        return document.line
    node: Node = root
    line = node.start_mark.line
    for key in keys:
        child = None
        key_line = None
        if isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                if isinstance(key_node, ScalarNode) and key_node.value == key:
                    child, key_line = value_node, key_node.start_mark.line
                    break
        elif isinstance(node, SequenceNode) and isinstance(key, int) and key < len(node.value):
            child = node.value[key]
        if child is None:
            break
        node = child
        line = node.start_mark.line if key_line is None else key_line
    # Marks count from the chunk's start; document.line already carries the chunk offset.
    return document.line + (line - root.start_mark.line)
