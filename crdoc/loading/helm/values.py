"""Chart values as Helm builds them: ``values.yaml``, subcharts and ``global``, then the user's
``-f/--values`` files and ``--set``/``--set-string`` assignments.

Precedence, lowest first (Helm's ``MergeValues`` and ``CoalesceValues``): a chart's
``values.yaml``; for a subchart, its parent's block under the subchart's name (or alias) over
its own ``values.yaml``, and the parent's ``global`` over its own; then every ``-f`` file in
order, every ``--set``, every ``--set-string``. Maps merge key by key; anything else replaces;
a ``null`` removes the key. Numbers from YAML are floats (Helm reads values through JSON),
numbers from ``--set`` are integers: templates compare them differently.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from crdoc.errors import CrdocError
from crdoc.loading.limits import Limits
from crdoc.loading.yamlio import decode, yaml_documents

#: Deepest ``a.b.c`` nesting ``--set`` accepts, and the highest list index (Helm's bounds).
MAX_SET_DEPTH = 30
MAX_SET_INDEX = 65536


class SetSyntaxError(ValueError):
    """A ``--set`` assignment Helm would refuse."""


# -- --set ----------------------------------------------------------------------------------------


def parse_set(
    text: str, into: dict[str, Any] | None = None, *, strings: bool = False
) -> dict[str, Any]:
    """One ``--set`` argument (``a.b=1,c[0]=x,d={e,f}``, ``\\`` escaping) applied to ``into``,
    as Helm's ``strvals`` parser does; ``strings`` for ``--set-string`` (no typing).
    :class:`SetSyntaxError` says what is wrong."""
    data: dict[str, Any] = {} if into is None else into
    _SetParser(text, strings).parse(data)
    return data


class _SetParser:
    def __init__(self, text: str, strings: bool) -> None:
        self.text = text
        self.pos = 0
        self.strings = strings

    def parse(self, data: dict[str, Any]) -> None:
        while self.pos < len(self.text):
            self.key(data, 0)

    def until(self, stops: str) -> tuple[str, str | None]:
        """Characters up to one of ``stops`` (consumed, returned), ``\\`` escaping any."""
        out = []
        while self.pos < len(self.text):
            char = self.text[self.pos]
            self.pos += 1
            if char == "\\" and self.pos < len(self.text):
                out.append(self.text[self.pos])
                self.pos += 1
            elif char in stops:
                return "".join(out), char
            else:
                out.append(char)
        return "".join(out), None

    def key(self, data: dict[str, Any], depth: int) -> None:
        name, stop = self.until("=[,.")
        if stop is None:
            if name:
                raise SetSyntaxError(f"key {name!r} has no value")
            return
        if stop == ",":
            raise SetSyntaxError(f"key {name!r} has no value (cannot end with ,)")
        if stop == "=":
            data[name] = self.value()
            return
        if stop == ".":
            if depth + 1 > MAX_SET_DEPTH:
                raise SetSyntaxError(f"value name nested more than {MAX_SET_DEPTH} levels")
            inner = data.get(name)
            if not isinstance(inner, dict):
                inner = {}
            self.key(inner, depth + 1)
            if not inner:
                raise SetSyntaxError(f"key map {name!r} has no value")
            data[name] = inner
            return
        # "[": a list index
        items = data.get(name)
        data[name] = self.list_item(items if isinstance(items, list) else [], depth)

    def index(self) -> int:
        text, stop = self.until("]")
        if stop is None:
            raise SetSyntaxError("unterminated list index")
        try:
            index = int(text)
        except ValueError:
            raise SetSyntaxError(f"invalid list index {text!r}") from None
        if index < 0:
            raise SetSyntaxError(f"negative list index {index}")
        if index > MAX_SET_INDEX:
            raise SetSyntaxError(f"list index {index} above {MAX_SET_INDEX}")
        return index

    def list_item(self, items: list[Any], depth: int) -> list[Any]:
        index = self.index()
        items = items + [None] * (index + 1 - len(items))
        nxt = self.text[self.pos : self.pos + 1]
        self.pos += 1
        if nxt == "=":
            items[index] = self.value()
        elif nxt == ".":
            inner = items[index] if isinstance(items[index], dict) else {}
            self.key(inner, depth + 1)
            items[index] = inner
        elif nxt == "[":
            inner_items = items[index] if isinstance(items[index], list) else []
            items[index] = self.list_item(inner_items, depth)
        else:
            raise SetSyntaxError("a list index must be followed by '=', '.' or '['")
        return items

    def value(self) -> Any:
        if self.text[self.pos : self.pos + 1] == "{":
            self.pos += 1
            items = []
            while True:
                item, stop = self.until(",}")
                if stop is None:
                    raise SetSyntaxError("list of values not closed with '}'")
                items.append(self.typed(item))
                if stop == "}":
                    break
            after, stop = self.until(",")
            if after:
                raise SetSyntaxError(f"unexpected {after!r} after a list of values")
            return items
        text, _ = self.until(",")
        return self.typed(text)

    def typed(self, text: str) -> Any:
        """Helm's ``typedVal``: true/false/null in any case, integers not starting with 0."""
        if self.strings:
            return text
        lower = text.lower()
        if lower in ("true", "false"):
            return lower == "true"
        if lower == "null":
            return None
        if text == "0":
            return 0
        if text and text[0] != "0":
            try:
                value = int(text, 10)
            except ValueError:
                return text
            if -(2**63) <= value < 2**63 and text.lstrip("+-").isdigit():
                return value
        return text


def check_set(text: str) -> None:
    """Raise :class:`SetSyntaxError` for a ``--set`` argument Helm would refuse."""
    parse_set(text)


# -- files ----------------------------------------------------------------------------------------


def as_helm_numbers(value: Any) -> Any:
    """YAML values as Helm sees them (``sigs.k8s.io/yaml`` goes through JSON): integers become
    floats, booleans stay booleans, and keys are strings as Go writes them: a YAML 1.1 key
    ``on:`` is the boolean true, so its key is ``"true"``, and ``.Values.on`` is nothing."""
    if isinstance(value, dict):
        return {_key_text(key): as_helm_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_helm_numbers(item) for item in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def _key_text(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    if isinstance(key, float):
        from crdoc.loading.helm.context import go_format  # here: the evaluator's 13 ms

        return go_format(key)
    return str(key)


def read_values_text(text: str, where: str, limits: Limits = Limits()) -> dict[str, Any]:
    """The values in a YAML text (several documents are merged in order); a problem is a
    :class:`CrdocError` naming ``where`` and the line."""
    merged: dict[str, Any] = {}
    for document in yaml_documents(text, where, limits):
        if document.data is None:
            continue
        if not isinstance(document.data, dict):
            raise CrdocError("values must be a mapping", path=where, line=document.line)
        try:
            merge_maps(merged, as_helm_numbers(document.data))
        except RecursionError:
            raise CrdocError("values nested too deeply", path=where, line=document.line) from None
    return merged


def read_values_file(path: Path, limits: Limits = Limits()) -> dict[str, Any]:
    """A ``-f/--values`` file."""
    where = str(path)
    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            raise CrdocError(f"file larger than {limits.max_file_bytes} bytes", path=where)
        data = path.read_bytes()
    except OSError as exc:
        raise CrdocError(f"cannot read values: {exc.strerror}", path=where) from None
    return read_values_text(decode(data, where), where, limits)


def user_values(
    files: Iterable[Path],
    sets: Iterable[str],
    set_strings: Iterable[str] = (),
    limits: Limits = Limits(),
) -> dict[str, Any]:
    """The values a user gives: ``-f`` files in order, then ``--set``, then ``--set-string``."""
    values: dict[str, Any] = {}
    for path in files:
        merge_maps(values, read_values_file(Path(path), limits))
    for strings, items in ((False, sets), (True, set_strings)):
        flag = "--set-string" if strings else "--set"
        for item in items:
            try:
                merge_maps(values, parse_set(item, strings=strings))
            except SetSyntaxError as exc:
                raise CrdocError(f"{flag} {item}: {exc}") from None
    return values


# -- merging --------------------------------------------------------------------------------------


def merge_maps(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """Helm's ``MergeMaps``: ``over`` into ``base`` (in place), maps key by key, anything else
    replaced (lists too)."""
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            merge_maps(base[key], value)
        else:
            base[key] = copy.deepcopy(value)
    return base


def coalesce(given: Mapping[str, Any], defaults: Mapping[str, Any]) -> dict[str, Any]:
    """Helm's ``CoalesceValues``: ``given`` over a chart's ``defaults``; a ``null`` given
    removes the default."""
    result: dict[str, Any] = copy.deepcopy(dict(defaults))
    for key, value in given.items():
        if value is None:
            result.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(result.get(key), dict):
            result[key] = coalesce(value, result[key])
        else:
            result[key] = copy.deepcopy(value)
    return result


def subchart_values(
    parent: Mapping[str, Any], key: str, defaults: Mapping[str, Any]
) -> dict[str, Any]:
    """A subchart's values: its parent's ``key`` block over its own ``values.yaml``; the
    parent's ``global`` over its own ``global``."""
    block = parent.get(key)
    values = coalesce(block if isinstance(block, Mapping) else {}, defaults)
    parent_global = parent.get("global")
    own_global = values.get("global")
    if isinstance(parent_global, Mapping):
        merged = copy.deepcopy(dict(own_global)) if isinstance(own_global, Mapping) else {}
        values["global"] = merge_maps(merged, parent_global)
    return values


def lookup_path(values: Any, path: str) -> tuple[bool, Any]:
    """``(found, value)`` of a dotted path (a dependency's ``condition``)."""
    current = values
    for part in path.split("."):
        if not isinstance(current, Mapping) or part not in current:
            return False, None
        current = current[part]
    return True, current
