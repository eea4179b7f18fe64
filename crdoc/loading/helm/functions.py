"""The Sprig and Helm functions crdoc's evaluator understands (:data:`FUNCTIONS`), in three
values: each returns :data:`~crdoc.loading.helm.context.UNKNOWN` when it cannot know the result.

A function takes the evaluator running it first (:class:`Running`: for ``include`` and
``tpl``), then the template's arguments.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Protocol

from crdoc.loading.helm.context import (
    MAX_INDENT,
    UNKNOWN,
    Failed,
    FileData,
    FileObject,
    FilePart,
    FileParts,
    FileText,
    Rendered,
    deep_equal,
    go_format,
    go_kind,
    joined,
    strval,
    text_of,
    truth,
)
from crdoc.loading.helm.gotemplate import Node, TemplateSyntaxError, parse
from crdoc.loading.helm.semver import semver_compare


class Running(Protocol):
    """What a function sees of the :class:`~crdoc.loading.helm.evaluator.Evaluator` running it
    (a protocol, so that this module needs nothing of the evaluator's)."""

    root: Any
    """The chart's top-level context (``$``)."""

    def include(self, name: Any, context: Any) -> Any:
        """``include``: a named template's output."""
        ...

    def render(self, nodes: list[Node], dot: Any, text: str = "", where: str = "") -> list[Any]:
        """The output of some nodes as Helm would print it."""
        ...


def _eq(ev: Running, first: Any, *others: Any) -> Any:
    if not others:
        return UNKNOWN
    for other in others:
        a, b = first, other
        if isinstance(a, FileText):
            a = a.text()
        if isinstance(b, FileText):
            b = b.text()
        kind_a, kind_b = go_kind(a), go_kind(b)
        if kind_a is None or kind_b is None:
            return UNKNOWN  # not comparable: a Helm error
        if kind_a == "nil" or kind_b == "nil":
            if kind_a == kind_b:
                return True
            continue
        if kind_a != kind_b:
            return UNKNOWN  # incompatible types for comparison (1 and 1.0 too)
        if a == b:
            return True
    return False


def _ne(ev: Running, a: Any, b: Any) -> Any:
    equal = _eq(ev, a, b)
    return UNKNOWN if equal is UNKNOWN else not equal


def _ordered(test: Callable[[Any, Any], bool]) -> Callable[..., Any]:
    def compare(ev: Running, a: Any, b: Any) -> Any:
        kind_a, kind_b = go_kind(a), go_kind(b)
        if kind_a != kind_b or kind_a not in ("int", "float", "string"):
            return UNKNOWN
        return test(a, b)

    return compare


def _empty(ev: Running, value: Any = None) -> Any:
    known = truth(value)
    return UNKNOWN if known is None else not known


def _default(ev: Running, fallback: Any, *given: Any) -> Any:
    if not given:
        return fallback
    value = given[0]
    known = truth(value)
    if known is None:
        return UNKNOWN
    return value if known else fallback


def _has_key(ev: Running, mapping: Any, key: Any) -> Any:
    if mapping is None:
        return False
    if not isinstance(mapping, dict) or not isinstance(key, str):
        return UNKNOWN
    return key in mapping


def _has(ev: Running, needle: Any, haystack: Any) -> Any:
    if haystack is None:
        return False
    if not isinstance(haystack, list | tuple):
        return UNKNOWN  # Sprig panics on anything but a list
    return any(deep_equal(needle, item) for item in haystack)


def _semver_compare(ev: Running, constraint: Any, version: Any) -> Any:
    if not isinstance(constraint, str):
        return UNKNOWN
    return semver_compare(constraint, strval(version))


def _to_int(ev: Running, value: Any = None) -> Any:
    """``cast.ToInt``: a string that does not parse is 0 (``int "27+"`` is 0)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if value is None:
        return 0
    if isinstance(value, str):
        text = value.strip()
        try:
            if re.fullmatch(r"[+-]?0[xX][0-9a-fA-F]+", text):
                return int(text, 16)
            if re.fullmatch(r"[+-]?0[0-7]+", text):
                return int(text, 8)
            return int(text.removesuffix(".0") if re.fullmatch(r"[+-]?\d+\.0*", text) else text)
        except ValueError:
            return 0
    return UNKNOWN


def _to_float(ev: Running, value: Any = None) -> Any:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    if value is None:
        return 0.0
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return 0.0
    return UNKNOWN


def _ternary(ev: Running, if_true: Any, if_false: Any, test: Any) -> Any:
    if test is UNKNOWN:
        return UNKNOWN
    if not isinstance(test, bool):
        return UNKNOWN
    return if_true if test else if_false


def _coalesce(ev: Running, *values: Any) -> Any:
    for value in values:
        known = truth(value)
        if known is None:
            return UNKNOWN
        if known:
            return value
    return None


def _dig(ev: Running, *args: Any) -> Any:
    if len(args) < 3 or not isinstance(args[-1], dict):
        return UNKNOWN
    *keys, fallback, mapping = args
    value: Any = mapping
    for key in keys:
        if not isinstance(value, dict) or key not in value:
            return fallback
        value = value[key]
    return value


def _get(ev: Running, mapping: Any, key: Any) -> Any:
    if not isinstance(mapping, dict):
        return UNKNOWN
    return mapping.get(key, "")


def _index(ev: Running, collection: Any, *keys: Any) -> Any:
    value = collection
    for key in keys:
        if isinstance(value, dict):
            value = value.get(key)
        elif isinstance(value, list | tuple) and isinstance(key, int) and 0 <= key < len(value):
            value = value[key]
        else:
            return UNKNOWN
    return value


def _string_function(function: Callable[..., Any]) -> Callable[..., Any]:
    """A Sprig string function: its arguments are strings (chart files read as text)."""

    def call(ev: Running, *args: Any) -> Any:
        texts = [text_of(arg) if isinstance(arg, FileText) else arg for arg in args]
        if any(not isinstance(text, str) for text in texts):
            return UNKNOWN
        return function(*texts)

    return call


def _include(ev: Running, name: Any, context: Any = None) -> Any:
    return ev.include(name, context)


def _tpl(ev: Running, template: Any, context: Any = None) -> Any:
    if isinstance(template, FileText):
        # Rendered later, when read: its conditions can be evaluated with the chart's
        # context, not with another (which may be unknown here).
        return FileText(template.files, template.name, True, context is ev.root)
    if isinstance(template, FilePart | FileParts):
        return template
    if not isinstance(template, str) or context is UNKNOWN:
        return UNKNOWN
    try:
        nodes = parse(template)
    except TemplateSyntaxError:
        return UNKNOWN
    return joined(ev.render(nodes, context, template, "tpl"))


def _required(ev: Running, message: Any, value: Any = None) -> Any:
    if value is None or value == "":
        raise Failed
    return value


def _fail(ev: Running, *args: Any) -> Any:
    raise Failed


def _not(ev: Running, value: Any) -> Any:
    known = truth(value)
    return UNKNOWN if known is None else not known


def _list(ev: Running, *items: Any) -> Any:
    return list(items)


def _dict(ev: Running, *pairs: Any) -> Any:
    items = list(pairs)
    if len(items) % 2:
        items.append("")
    return {strval(items[i]): items[i + 1] for i in range(0, len(items), 2)}


_VERB = re.compile(r"%([-+# 0]*)(\d*)(?:\.(\d+))?([a-zA-Z%])")


def _printf(ev: Running, form: Any, *args: Any) -> Any:
    if not isinstance(form, str):
        return UNKNOWN
    pieces: list[Any] = []
    position = 0
    values = list(args)
    for match in _VERB.finditer(form):
        pieces.append(form[position : match.start()])
        position = match.end()
        verb = match.group(4)
        if verb == "%":
            pieces.append("%")
            continue
        if not values:
            pieces.append(f"%!{verb}(MISSING)")
            continue
        value = values.pop(0)
        if isinstance(value, FileText | FilePart | FileObject | FileData):
            pieces.append(value)
        elif verb in ("s", "v"):
            pieces.append("%!s(<nil>)" if value is None and verb == "s" else go_format(value))
        elif verb == "d" and isinstance(value, int) and not isinstance(value, bool):
            pieces.append(str(value))
        elif verb == "q" and isinstance(value, str):
            pieces.append(_go_quote(value))
        elif verb == "t" and isinstance(value, bool):
            pieces.append(go_format(value))
        else:
            return UNKNOWN
    pieces.append(form[position:])
    return joined(pieces)


def _go_quote(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)


def _quote(ev: Running, *values: Any) -> Any:
    files = [v for v in values if isinstance(v, FileText)]
    if files:
        return FileData(tuple(files))
    return " ".join(_go_quote(strval(v)) for v in values if v is not None)


def _as_data(ev: Running, *values: Any) -> Any:
    """``b64enc``, ``toJson``…: a chart file becomes data; anything else is not needed."""
    files = [v.source if isinstance(v, FilePart | FileObject) else v for v in values]
    files = [v for v in files if isinstance(v, FileText)]
    return FileData(tuple(files)) if files else UNKNOWN


def _indent(ev: Running, width: Any, value: Any) -> Any:
    if isinstance(value, FileText | FilePart | FileObject | FileData | Rendered):
        return value  # where it stands says whether it is documents or data
    if not isinstance(width, int) or not isinstance(value, str) or not 0 <= width <= MAX_INDENT:
        return UNKNOWN
    pad = " " * width
    return pad + value.replace("\n", "\n" + pad)


def _nindent(ev: Running, width: Any, value: Any) -> Any:
    indented = _indent(ev, width, value)
    return "\n" + indented if isinstance(indented, str) else indented


def _split(ev: Running, separator: Any, text: Any, *rest: Any) -> Any:
    if isinstance(text, FileText):
        return FileParts(text)
    if not isinstance(separator, str) or not isinstance(text, str):
        return UNKNOWN
    return text.split(separator)


def _regex_split(ev: Running, pattern: Any, text: Any, limit: Any = -1) -> Any:
    if isinstance(text, FileText):
        return FileParts(text)
    return UNKNOWN


def _from_yaml(ev: Running, value: Any) -> Any:
    if isinstance(value, FileText):
        return FileObject(value)
    if isinstance(value, FilePart):
        return FileObject(value.source)
    return UNKNOWN


def _to_yaml(ev: Running, value: Any) -> Any:
    if isinstance(value, FileObject):
        return value.source
    return UNKNOWN


def _keep_file(ev: Running, target: Any, *rest: Any) -> Any:
    """``set``, ``merge``, ``mergeOverwrite``: a chart file's document stays that document
    (labels and annotations change; crdoc documents neither)."""
    if isinstance(target, FileObject):
        return target
    if isinstance(target, dict) and rest and isinstance(rest[-1], FileObject):
        return rest[-1]
    if isinstance(target, dict) and len(rest) == 2 and isinstance(rest[0], str):
        target[rest[0]] = rest[1]  # set MAP KEY VALUE
        return target
    return UNKNOWN


def _len(ev: Running, value: Any) -> Any:
    if isinstance(value, str | list | dict | tuple):
        return len(value)
    return UNKNOWN


def _kind_is(ev: Running, kind: Any, value: Any) -> Any:
    names = {
        "nil": "invalid",
        "bool": "bool",
        "int": "int64",
        "float": "float64",
        "string": "string",
    }
    found = go_kind(value)
    if found is not None:
        actual = names[found]
    elif isinstance(value, dict):
        actual = "map"
    elif isinstance(value, list):
        actual = "slice"
    else:
        return UNKNOWN
    return kind == actual or (kind == "int" and actual == "int64")


def _print(ev: Running, *values: Any) -> Any:
    # fmt.Sprint: a space between operands when neither is a string.
    out = []
    for index, value in enumerate(values):
        if index and not isinstance(value, str) and not isinstance(values[index - 1], str):
            out.append(" ")
        out.append(go_format(value))
    return "".join(out)


def _lookup(ev: Running, *args: Any) -> Any:
    return UNKNOWN  # cluster state


# name → (takes UNKNOWN arguments itself, implementation)
FUNCTIONS: dict[str, tuple[bool, Callable[..., Any]]] = {
    "eq": (False, _eq),
    "ne": (False, _ne),
    "lt": (False, _ordered(lambda a, b: a < b)),
    "le": (False, _ordered(lambda a, b: a <= b)),
    "gt": (False, _ordered(lambda a, b: a > b)),
    "ge": (False, _ordered(lambda a, b: a >= b)),
    "not": (False, _not),
    "empty": (False, _empty),
    "default": (False, _default),
    "hasKey": (False, _has_key),
    "has": (False, _has),
    "semverCompare": (False, _semver_compare),
    "toString": (False, lambda ev, value: strval(value)),
    "int": (False, _to_int),
    "int64": (False, _to_int),
    "float64": (False, _to_float),
    "ternary": (True, _ternary),
    "coalesce": (True, _coalesce),
    "dig": (False, _dig),
    "get": (False, _get),
    "index": (False, _index),
    "lower": (False, _string_function(str.lower)),
    "upper": (False, _string_function(str.upper)),
    "trim": (False, _string_function(str.strip)),
    "trimSuffix": (False, _string_function(lambda suffix, s: s.removesuffix(suffix))),
    "trimPrefix": (False, _string_function(lambda prefix, s: s.removeprefix(prefix))),
    "contains": (False, _string_function(lambda sub, s: sub in s)),
    "hasPrefix": (False, _string_function(lambda prefix, s: s.startswith(prefix))),
    "hasSuffix": (False, _string_function(lambda suffix, s: s.endswith(suffix))),
    "replace": (False, _string_function(lambda old, new, s: s.replace(old, new))),
    "include": (False, _include),
    "tpl": (True, _tpl),
    "required": (False, _required),
    "fail": (True, _fail),
    "list": (True, _list),
    "dict": (True, _dict),
    "printf": (False, _printf),
    "print": (False, _print),
    "quote": (False, _quote),
    "squote": (False, _quote),
    "b64enc": (False, _as_data),
    "toJson": (False, _as_data),
    "toPrettyJson": (False, _as_data),
    "toRawJson": (False, _as_data),
    "indent": (False, _indent),
    "nindent": (False, _nindent),
    "splitList": (False, _split),
    "regexSplit": (False, _regex_split),
    "fromYaml": (False, _from_yaml),
    "toYaml": (False, _to_yaml),
    "set": (True, _keep_file),
    "merge": (True, _keep_file),
    "mergeOverwrite": (True, _keep_file),
    "len": (False, _len),
    "kindIs": (False, _kind_is),
    "lookup": (True, _lookup),
}
