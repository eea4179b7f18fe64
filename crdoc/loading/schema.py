"""Walking a version's OpenAPI v3 schema into its field tree (the corpus MANIFEST's conventions).

A field is every node below the root reached through ``properties`` (named segment), array
``items`` (transparent: its members are the array's children) and ``additionalProperties``
schemas (segment ``*``). ``additionalProperties: true``/``{}`` adds no field; ``allOf``,
``anyOf``, ``oneOf`` and ``not`` are facts of their field, never fields.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from crdoc.keywords import STRUCTURAL
from crdoc.model import Field, new_field

KeyPath = tuple[str | int, ...]


class SchemaError(Exception):
    """A schema node of the wrong shape, with the key path that leads to it."""

    def __init__(self, message: str, keys: KeyPath) -> None:
        super().__init__(message)
        self.keys = keys


def walk_schema(
    root: Any, *, max_depth: int = 200, keys: KeyPath = ()
) -> tuple[Mapping[str, Any], tuple[Field, ...]]:
    """The root's own facts and every field below it, depth-first, parents before children.

    ``keys`` is where ``root`` sits in its document; a :class:`SchemaError` carries the key path
    of the offending node so the caller can name its line.
    """
    if not isinstance(root, Mapping):
        raise SchemaError(f"schema must be a mapping, not {_kind(root)}", keys)
    flat: list[Field | None] = []
    share = _sharing.get()
    _walk_members(root, "", 0, (None, *keys), flat, max_depth, share)
    return _facts(root, share), tuple(flat)  # type: ignore[arg-type]


def schema_facts(node: Mapping[str, Any]) -> Mapping[str, Any]:
    """A node's keywords but the structural ones; an array's item facts go under ``items``."""
    return _facts(node, _sharing.get())


def _facts(node: Mapping[str, Any], share: Sharing | None) -> Mapping[str, Any]:
    facts = {k: v for k, v in node.items() if k not in STRUCTURAL}
    items = node.get("items")
    if items is not None:
        facts["items"] = _facts(items, share) if _is_mapping(items) else items
    extra = node.get("additionalProperties")
    if extra is not None and not (extra and _is_mapping(extra)):
        facts["additionalProperties"] = extra
    return facts if share is None else share.facts(facts)


class Sharing:
    """Equal facts and names stored once, for one load.

    Schemas repeat themselves: the same description is on every copy of an embedded type (a
    pod template in five CRDs), on every version of a CRD, in every chart of an umbrella. One
    table per load keeps one copy of each, which is most of the model's memory. Facts are
    read-only, so sharing them is invisible to readers; equal but differently typed values
    (``1``, ``1.0``, ``true``) are never merged.
    """

    __slots__ = ("_facts", "_strings")

    def __init__(self) -> None:
        self._facts: dict[Any, Any] = {}
        self._strings: dict[str, str] = {}

    def string(self, text: str) -> str:
        """The one copy of ``text``."""
        return self._strings.setdefault(text, text)

    def facts(self, facts: dict[str, Any]) -> dict[str, Any]:
        """The one copy of a facts mapping. Facts of plain values (the usual ones) are keyed by
        their items and the types of their keys and values; others (nested values, floats) by
        a key that spells every type, and floats exactly (``-0.0`` is not ``0.0``)."""
        types = tuple(map(type, facts.values()))
        key: Any = None
        if float not in types and dict not in types and list not in types:
            key = (tuple(facts.items()), types, tuple(map(type, facts)))
        try:
            if key is None:
                key = _typed_key(facts)
            known: dict[str, Any] | None = self._facts.get(key)
        except (TypeError, RecursionError):  # a YAML tag's object; nesting deeper than Python
            return facts
        if known is not None:
            return known
        self._share_description(facts)
        self._facts[key] = facts
        return facts

    def _share_description(self, facts: dict[str, Any]) -> None:
        # The same text also sits in facts that differ otherwise (another type, a default).
        text = facts.get("description")
        if type(text) is str:
            facts["description"] = self._strings.setdefault(text, text)

    def field(self, field: Field) -> None:
        """Share a field built elsewhere (in a worker process, then pickled here)."""
        facts = self.facts(field.facts)  # type: ignore[arg-type]
        if facts is not field.facts:
            object.__setattr__(field, "facts", facts)
        object.__setattr__(field, "path", self.string(field.path))
        object.__setattr__(field, "name", self.string(field.name))


def _typed_key(value: Any) -> Any:
    """A hashable key equal only for values a schema reads the same: types spelt out (``1``,
    ``1.0`` and ``true`` differ) and floats by their exact bits (``-0.0`` and ``0.0`` differ)."""
    kind = type(value)
    if kind is str:
        return value
    if kind is dict:
        return (dict, tuple((_typed_key(k), _typed_key(v)) for k, v in value.items()))
    if kind is list:
        return (list, tuple(_typed_key(v) for v in value))
    if kind is float:
        return (float, value.hex())
    return (kind, value)


# Per thread (and inherited by forked workers): loads in other threads keep their own tables.
_sharing: ContextVar[Sharing | None] = ContextVar("crdoc_sharing", default=None)


@contextmanager
def sharing() -> Iterator[Sharing]:
    """Share equal facts and names among the fields walked inside this block."""
    share = Sharing()
    token = _sharing.set(share)
    try:
        yield share
    finally:
        _sharing.reset(token)


def _walk_members(
    node: Mapping[str, Any],
    prefix: str,
    depth: int,
    keys: Any,
    flat: list[Field | None],
    max_depth: int,
    share: Sharing | None,
) -> tuple[Field, ...]:
    # ``keys`` is a chain ``(parent chain, *steps)``, flattened by _keys only for an error:
    # building every field's full key path would cost time in proportion to its depth.
    if depth > max_depth:
        raise SchemaError(f"schema nested deeper than {max_depth} levels", _keys(keys))
    children: list[Field] = []
    for name, child, required, child_keys in _members(node, keys):
        path = f"{prefix}.{name}" if prefix else name
        if share is not None:
            path, name = share.string(path), share.string(name)
        slot = len(flat)
        flat.append(None)  # the parent's place, filled once its children are known
        grandchildren = _walk_members(child, path, depth + 1, child_keys, flat, max_depth, share)
        field = new_field(path, name, depth, required, _facts(child, share), grandchildren)
        flat[slot] = field
        children.append(field)
    return tuple(children)


def _keys(chain: Any) -> KeyPath:
    parts: list[Any] = []
    while chain is not None:
        parts[:0] = chain[1:]
        chain = chain[0]
    return tuple(parts)


def _is_mapping(value: Any) -> bool:
    return type(value) is dict or isinstance(value, Mapping)


def _members(
    node: Mapping[str, Any], keys: Any
) -> Iterator[tuple[str, Mapping[str, Any], bool, Any]]:
    """``(name, schema, required, keys)`` of a node's children, seen through array items."""
    while True:
        kind = node.get("type")
        if kind is not None and not isinstance(kind, str):
            raise SchemaError(f"'type' must be a string, not {_kind(kind)}", _keys((keys, "type")))
        properties = node.get("properties")
        if properties is not None:
            if not _is_mapping(properties):
                raise SchemaError(
                    f"'properties' must be a mapping, not {_kind(properties)}",
                    _keys((keys, "properties")),
                )
            required = node.get("required") or ()
            if not isinstance(required, list | tuple):
                raise SchemaError(
                    f"'required' must be a list, not {_kind(required)}",
                    _keys((keys, "required")),
                )
            for raw_name, child in properties.items():
                name = raw_name if type(raw_name) is str else _property_name(raw_name)
                child_keys = (keys, "properties", raw_name)
                if not _is_mapping(child):
                    raise SchemaError(
                        f"property {name!r} must be a schema mapping, not {_kind(child)}",
                        _keys(child_keys),
                    )
                yield name, child, name in required, child_keys
        extra = node.get("additionalProperties")
        if extra is not None:
            if extra and _is_mapping(extra):
                yield "*", extra, False, (keys, "additionalProperties")
            elif not isinstance(extra, bool | Mapping):
                raise SchemaError(
                    f"'additionalProperties' must be a schema or a boolean, not {_kind(extra)}",
                    _keys((keys, "additionalProperties")),
                )
        items = node.get("items")
        if items is None:
            return
        if not _is_mapping(items):
            if not isinstance(items, list):
                raise SchemaError(
                    f"'items' must be a schema, not {_kind(items)}", _keys((keys, "items"))
                )
            return
        node, keys = items, (keys, "items")


def _property_name(raw: Any) -> str:
    """Property names as Kubernetes reads them (YAML turned into JSON): ``on`` stays ``"true"``."""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, bool):
        return "true" if raw else "false"
    return "null" if raw is None else str(raw)


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", type(None): "null"}.get(
        type(value), type(value).__name__
    )


# The signature callers use to turn a SchemaError's key path into a line number.
LineFinder = Callable[[KeyPath], int]
