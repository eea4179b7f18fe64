"""CEL rules (``x-kubernetes-validations``) evaluated as the API server does on create.

The engine is ``common-expression-language`` (the Rust ``cel`` crate), loaded on first use
(:func:`_engine`): most pages have no rule to check, and ``crdoc`` starts without it. On top of
the CEL standard library it gets the Kubernetes libraries the API server adds, written here in
Python over plain values (see :data:`KUBERNETES_FUNCTIONS`): the strings extension, the list,
regex, URL, IP/CIDR, quantity and format libraries.

``self`` is typed from the schema as the API server types it (:func:`typed`): a string of format
``duration`` is a duration, ``date-time`` a timestamp, ``byte`` bytes, a ``number`` a double.

A rule gives one of three verdicts: it holds, it fails (a missing key, an out-of-range index or
a library function refusing its argument fails it, as the evaluation error does on the API
server), or it cannot be judged here (``None``: a function no library here has, a type the
engine cannot compare, ``size()`` of non-ASCII text, which the engine counts in bytes).
Transition rules (``oldSelf``) do not apply on create: callers skip them
(:func:`is_transition_rule`).
"""

from __future__ import annotations

import base64
import importlib.machinery
import importlib.util
import ipaddress
import os
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True, slots=True)
class Verdict:
    """What one rule says of one value: ``holds`` True or False, or None with the ``reason``
    it could not be judged."""

    holds: bool | None
    reason: str = ""


def is_transition_rule(rule: Mapping[str, Any]) -> bool:
    """A rule comparing with the stored object (``oldSelf``): it does not apply on create."""
    return "oldSelf" in str(rule.get("rule", ""))


def evaluate(rule: str, value: Any, schema: Mapping[str, Any] | None = None) -> Verdict:
    """Judge ``rule`` with ``self`` bound to ``value`` (plain JSON-like Python data), typed as
    the API server types it from ``schema``, the OpenAPI node the rule sits on."""
    try:
        value = typed(value, schema or {})
    except ValueError as error:
        return Verdict(False, f"{error}")
    if "size" in rule and _has_wide_text(value):
        # The engine counts a string's size in bytes, the API server in characters.
        return Verdict(None, "size() of non-ASCII text is not counted as the API server does")
    try:
        program = _compiled(rule)
    except ImportError:
        return Verdict(None, "no CEL engine is installed (pip install common-expression-language)")
    except Exception as error:  # noqa: BLE001 - the engine raises plain exceptions
        return Verdict(None, f"CEL cannot compile the rule: {_first_line(error)}")
    context = _context()
    context.add_variable("self", value)  # replaces the previous evaluation's
    _CALL_ERRORS.clear()
    try:
        result = program.execute(context)
    except (KeyError, IndexError, ZeroDivisionError) as error:
        # The API server fails a rule whose evaluation errs this way (no such key …).
        return Verdict(False, f"{type(error).__name__}: {_first_line(error)}")
    except Exception as error:  # noqa: BLE001
        return Verdict(None, f"CEL cannot evaluate the rule: {_first_line(error)}")
    if _CALL_ERRORS:
        # A library function refused its argument (quantity('x')): on the API server the
        # evaluation errs, and the rule fails.
        return Verdict(False, _CALL_ERRORS[0])
    if isinstance(result, bool):
        return Verdict(result)
    return Verdict(None, f"the rule gives {type(result).__name__}, not a bool")


def typed(value: Any, schema: Mapping[str, Any]) -> Any:
    """``value`` as the API server hands it to CEL: a string of format ``duration`` is a
    duration, ``date-time`` a timestamp, ``byte`` bytes; a ``number`` a double. Raises
    ValueError for a string its format refuses."""
    if isinstance(value, dict):
        properties = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        return {
            k: typed(v, properties.get(k, extra if isinstance(extra, Mapping) else {}))
            for k, v in value.items()
        }
    if isinstance(value, list):
        items = schema.get("items")
        return [typed(v, items if isinstance(items, Mapping) else {}) for v in value]
    if isinstance(value, int) and not isinstance(value, bool) and schema.get("type") == "number":
        return float(value)
    if isinstance(value, str) and schema.get("type") == "string":
        fmt = schema.get("format")
        if fmt == "duration":
            return _duration(value)
        if fmt in ("date-time", "datetime"):
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        if fmt == "byte":
            return base64.b64decode(value)
    return value


_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")
_DURATION_UNITS = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
}


def _duration(text: str) -> timedelta:
    """A Go duration (``1h30m``, ``500ms``, ``-2s``) as a timedelta."""
    sign, body = (-1, text[1:]) if text.startswith("-") else (1, text.removeprefix("+"))
    if body == "0":
        return timedelta(0)
    parts = _DURATION_PART.findall(body)
    if not body or "".join(n + u for n, u in parts) != body:
        raise ValueError(f"not a duration: {text!r}")
    return sign * timedelta(seconds=sum(float(n) * _DURATION_UNITS[u] for n, u in parts))


def _has_wide_text(value: Any) -> bool:
    if isinstance(value, str):
        return not value.isascii()
    if isinstance(value, dict):
        return any(_has_wide_text(k) or _has_wide_text(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_wide_text(v) for v in value)
    return False


def _first_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    # The engine's messages go on with advice ("Check that …"): the first sentence will do.
    return text.splitlines()[0].split(". ")[0][:160]


@cache
def _compiled(rule: str) -> Any:
    return _engine().compile(rule)


@cache
def _engine() -> Any:
    """The engine's compiled module. ``import cel`` would also import the package's command
    line (prompt_toolkit, rich, typer: 0.2-0.4 s, more than all of a chart's examples take), so
    the extension module is loaded by itself when it can be found, once per process: it is
    registered as ``cel.cel``, where the package looks for it if imported later (loading it a
    second time would fail: its initialisation may run once only)."""
    loaded = sys.modules.get("cel.cel")
    if loaded is not None:
        return loaded
    if "cel" not in sys.modules:
        path = _extension_path()
        if path is not None:
            loader = importlib.machinery.ExtensionFileLoader("cel.cel", path)
            module_spec = importlib.util.spec_from_file_location("cel.cel", path, loader=loader)
            if module_spec is not None:
                module = importlib.util.module_from_spec(module_spec)
                sys.modules["cel.cel"] = module
                try:
                    loader.exec_module(module)
                except BaseException:
                    del sys.modules["cel.cel"]
                    raise
                return module
    import cel  # noqa: PLC0415 - already imported, or another layout: the package itself

    return cel


def _extension_path() -> str | None:
    """Where the engine's extension module is, found without running its package."""
    spec = importlib.util.find_spec("cel")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            path = os.path.join(folder, "cel" + suffix)
            if os.path.exists(path):
                return path
    return None


@cache
def _context() -> Any:
    # One context for every evaluation (building one costs more than most evaluations): each
    # sets its own ``self``. Not thread-safe, as rendering runs in one thread per process.
    context = _engine().Context()
    for name, function in KUBERNETES_FUNCTIONS.items():
        context.add_function(name, _guarded(name, function))
    return context


#: Errors of the library functions during the current evaluation.
_CALL_ERRORS: list[str] = []


def _guarded(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """``function``, its errors noted in :data:`_CALL_ERRORS` rather than raised: the engine
    would print them on stderr, and they only need to fail the rule."""

    def call(*args: Any) -> Any:
        try:
            return function(*args)
        except Exception as error:  # noqa: BLE001 - any refusal fails the rule
            _CALL_ERRORS.append(f"{name}(): {error}")
            return None

    return call


# -- the Kubernetes CEL libraries, over plain values ----------------------------------------------
# CEL reads ``x.f(a)`` as ``f(x, a)``: each function takes the receiver first. Names shared by
# several libraries (indexOf on strings and lists) dispatch on the receiver's type.


def _index_of(receiver: Any, item: Any, start: int = 0) -> int:
    if isinstance(receiver, str):
        if start < 0 or start > len(receiver):
            raise IndexError(f"index out of range: {start}")
        return receiver.find(item, start)
    return next((i for i, x in enumerate(receiver) if x == item), -1)


def _last_index_of(receiver: Any, item: Any, end: int | None = None) -> int:
    if isinstance(receiver, str):
        return receiver.rfind(item, 0, None if end is None else end + len(item))
    found = [i for i, x in enumerate(receiver) if x == item]
    return found[-1] if found else -1


def _substring(text: str, start: int, end: int | None = None) -> str:
    stop = len(text) if end is None else end
    if not 0 <= start <= stop <= len(text):
        raise IndexError(f"substring out of range: [{start}, {stop})")
    return text[start:stop]


def _split(text: str, separator: str, limit: int = -1) -> list[str]:
    if limit == 0:
        return []
    if separator == "":
        parts = list(text)
        return parts if limit < 0 else [*parts[: limit - 1], "".join(parts[limit - 1 :])]
    return text.split(separator, -1 if limit < 0 else limit - 1)


def _replace(text: str, old: str, new: str, limit: int = -1) -> str:
    return text.replace(old, new, limit)


def _join(items: list[str], separator: str = "") -> str:
    return separator.join(items)


def _is_sorted(items: list[Any]) -> bool:
    return all(a <= b for a, b in zip(items, items[1:], strict=False))


def _find(text: str, pattern: str) -> str:
    match = re.search(pattern, text)
    return match.group(0) if match else ""


def _find_all(text: str, pattern: str, limit: int = -1) -> list[str]:
    found = [m.group(0) for m in re.finditer(pattern, text)]
    return found if limit < 0 else found[:limit]


def _url(text: str) -> dict[str, Any]:
    """A URL as the Kubernetes URL library parses it (an absolute URI or an absolute path)."""
    if not _is_url(text):
        raise ValueError(f"not a URL: {text!r}")
    parts = urlsplit(text)
    return {
        "scheme": parts.scheme,
        "host": parts.netloc.rpartition("@")[2],
        "hostname": parts.hostname or "",
        "port": str(parts.port or ""),
        "path": parts.path,
        "query": parts.query,
    }


def _is_url(text: str) -> bool:
    # Go's url.ParseRequestURI: an absolute URI (scheme:…) or an absolute path, no fragment.
    if not isinstance(text, str) or not text or "#" in text or any(c in text for c in " \t\n"):
        return False
    if text.startswith("/"):
        return True
    scheme, colon, _ = text.partition(":")
    return bool(colon) and bool(re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", scheme))


def _is_ip(text: str, family: int | None = None) -> bool:
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return False
    return family is None or address.version == family


def _is_cidr(text: str) -> bool:
    try:
        ipaddress.ip_network(text, strict=False)
    except ValueError:
        return False
    return "/" in text


#: Kubernetes quantity suffixes and their multipliers.
_SUFFIXES: dict[str, int | Decimal] = {
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
    "Pi": 2**50,
    "Ei": 2**60,
    "n": Decimal("1e-9"),
    "u": Decimal("1e-6"),
    "m": Decimal("1e-3"),
    "": 1,
    "k": 10**3,
    "M": 10**6,
    "G": 10**9,
    "T": 10**12,
    "P": 10**15,
    "E": 10**18,
}
_QUANTITY = re.compile(
    r"([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)"
)


def _quantity_value(text: Any) -> Decimal:
    if isinstance(text, int | float):
        return Decimal(str(text))
    match = _QUANTITY.fullmatch(str(text))
    if not match:
        raise ValueError(f"not a quantity: {text!r}")
    number, exponent, suffix = match.groups()
    try:
        value = Decimal(number + (exponent or ""))
    except InvalidOperation:
        raise ValueError(f"not a quantity: {text!r}") from None
    return value * Decimal(_SUFFIXES[suffix or ""])


def _quantity(text: str) -> float:
    # A quantity is carried as its value: comparisons, compareTo and asInteger need no more.
    return float(_quantity_value(text))


def _is_quantity(text: str) -> bool:
    try:
        _quantity_value(text)
    except ValueError:
        return False
    return True


def _compare(a: float, b: float) -> int:
    return (a > b) - (a < b)


_NAME = r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_DNS_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"

#: The Kubernetes format library's formats: name → whether a string is one.
FORMATS: dict[str, Callable[[str], bool]] = {
    "dns1123Label": lambda s: len(s) <= 63 and bool(re.fullmatch(_DNS_LABEL, s)),
    "dns1123LabelPrefix": lambda s: len(s) <= 63 and bool(re.fullmatch(r"[a-z0-9][-a-z0-9]*", s)),
    "dns1123Subdomain": lambda s: (
        len(s) <= 253 and bool(re.fullmatch(rf"{_DNS_LABEL}(\.{_DNS_LABEL})*", s))
    ),
    "dns1123SubdomainPrefix": lambda s: (
        len(s) <= 253 and bool(re.fullmatch(r"[a-z0-9][-a-z0-9.]*", s))
    ),
    "dns1035Label": lambda s: len(s) <= 63 and bool(re.fullmatch(r"[a-z]([-a-z0-9]*[a-z0-9])?", s)),
    "dns1035LabelPrefix": lambda s: len(s) <= 63 and bool(re.fullmatch(r"[a-z][-a-z0-9]*", s)),
    "qualifiedName": lambda s: _qualified_name(s),
    "labelValue": lambda s: s == "" or (len(s) <= 63 and bool(re.fullmatch(_NAME, s))),
    "uri": lambda s: _is_url(s),
    "uuid": lambda s: bool(re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", s)),
    "byte": lambda s: bool(
        re.fullmatch(r"([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?", s)
    ),
    "date": lambda s: bool(re.fullmatch(r"\d{4}-\d\d-\d\d", s)),
    "datetime": lambda s: bool(
        re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", s)
    ),
}


def _qualified_name(text: str) -> bool:
    prefix, slash, name = text.rpartition("/")
    if slash and not FORMATS["dns1123Subdomain"](prefix):
        return False
    return len(name) <= 63 and bool(re.fullmatch(_NAME, name))


def _format_named(name: str) -> Any:
    optional = _engine().OptionalValue
    return optional.of(name) if name in FORMATS else optional.none()


def _validate(fmt: str, text: str) -> Any:
    """``format.x().validate(s)``: no value when ``s`` is valid, else a list of errors."""
    optional = _engine().OptionalValue
    return optional.none() if FORMATS[fmt](text) else optional.of([f"not a valid {fmt}"])


#: Function name → implementation, as CEL calls them (receiver first).
KUBERNETES_FUNCTIONS: dict[str, Callable[..., Any]] = {
    # strings extension (the API server's version 2)
    "charAt": lambda s, i: s[i] if 0 <= i < len(s) else "" if i == len(s) else s[i],
    "indexOf": _index_of,
    "lastIndexOf": _last_index_of,
    "lowerAscii": lambda s: "".join(c.lower() if c.isascii() else c for c in s),
    "upperAscii": lambda s: "".join(c.upper() if c.isascii() else c for c in s),
    "replace": _replace,
    "split": _split,
    "substring": _substring,
    "trim": lambda s: s.strip(),
    "join": _join,
    # lists library
    "isSorted": _is_sorted,
    "sum": lambda items: sum(items),
    "min": lambda items: min(items),
    "max": lambda items: max(items),
    # regex library
    "find": _find,
    "findAll": _find_all,
    # URL library
    "isURL": _is_url,
    "url": _url,
    "getScheme": lambda u: u["scheme"],
    "getHost": lambda u: u["host"],
    "getHostname": lambda u: u["hostname"],
    "getPort": lambda u: u["port"],
    "getEscapedPath": lambda u: u["path"],
    "getQuery": lambda u: u["query"],
    # IP and CIDR libraries
    "isIP": _is_ip,
    "ip": lambda s: s if _is_ip(s) else _raise(ValueError(f"not an IP: {s!r}")),
    "family": lambda s: ipaddress.ip_address(s).version,
    "isCIDR": _is_cidr,
    "cidr": lambda s: s if _is_cidr(s) else _raise(ValueError(f"not a CIDR: {s!r}")),
    "isLoopback": lambda s: ipaddress.ip_address(s).is_loopback,
    "isUnspecified": lambda s: ipaddress.ip_address(s).is_unspecified,
    "prefixLength": lambda s: ipaddress.ip_network(s, strict=False).prefixlen,
    # quantity library
    "isQuantity": _is_quantity,
    "quantity": _quantity,
    "isInteger": lambda q: float(q).is_integer(),
    "asInteger": lambda q: int(q),
    "asApproximateFloat": lambda q: float(q),
    "sign": lambda q: _compare(q, 0),
    "compareTo": _compare,
    "isGreaterThan": lambda a, b: a > b,
    "isLessThan": lambda a, b: a < b,
    # format library: format.dns1123Label().validate(self), format.named("uuid")
    **{f"format.{name}": (lambda name=name: name) for name in FORMATS},
    "format.named": _format_named,
    "validate": _validate,
}


def _raise(error: Exception) -> Any:
    raise error
