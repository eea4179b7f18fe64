"""crdoc's bounds on hostile input: each can be changed with ``--limit NAME=VALUE`` (or
``limits:`` in ``crdoc.yaml``) by a caller that trusts its input."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any

from crdoc.errors import did_you_mean


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """crdoc's own bounds on hostile input; each can be raised by a caller that trusts its input."""

    max_file_bytes: int = 256 * 1024 * 1024
    """Largest single file (or archive member) read."""
    max_total_bytes: int = 4 * 1024 * 1024 * 1024
    """Most bytes read from one source in all, archives unpacked."""
    max_archive_members: int = 50_000
    """Most entries in one archive, and most files and folders reached through links in a folder."""
    max_archive_depth: int = 5
    """Deepest nesting of archives in archives (a chart's ``charts/*.tgz`` is depth 2)."""
    max_alias_nodes: int = 1_000_000
    """Most nodes a YAML document may expand to through aliases (stops "billion laughs")."""
    max_schema_depth: int = 200
    """Deepest schema nesting walked."""
    max_nesting_depth: int = 800
    """Deepest nesting of mappings and lists in a YAML or JSON document (what is written out
    later must not outgrow Python's recursion limit)."""
    max_download_bytes: int = 100 * 1024 * 1024
    """Largest chart downloaded from a URL."""
    download_timeout: float = 30.0
    """Seconds to wait on a URL before giving up."""


#: The names of the bounds, in declaration order.
LIMIT_NAMES = tuple(f.name for f in fields(Limits))
_SIZE_SUFFIXES = {"K": 1024, "M": 1024**2, "G": 1024**3}


def limit_value(name: str, raw: Any) -> int | float:
    """One bound's value from text or a number (sizes may end in K, M or G); ``ValueError``
    says what is wrong, naming the nearest known name for a typo."""
    if name not in LIMIT_NAMES:
        raise ValueError(f"unknown limit {name!r}{did_you_mean(name, LIMIT_NAMES)}")
    if isinstance(raw, bool):
        raise ValueError(f"{name}={raw!r}: not a number")
    text = str(raw).strip()
    try:
        if name == "download_timeout":
            value: int | float = float(text)
        else:
            scale = _SIZE_SUFFIXES.get(text[-1:].upper(), 1)
            value = int(float(text[:-1] if scale != 1 else text) * scale)
    except ValueError:
        raise ValueError(f"{name}={raw!r}: not a number") from None
    if value <= 0:
        raise ValueError(f"{name}={raw!r}: must be positive")
    return value


def parse_limits(values: Iterable[str] | Mapping[str, Any]) -> Limits:
    """``NAME=VALUE`` pairs (or a mapping of names to values) as :class:`Limits`."""
    pairs = (
        values.items()
        if isinstance(values, Mapping)
        else (item.partition("=")[::2] for item in values)
    )
    values_by_name: dict[str, Any] = {name: limit_value(name, raw) for name, raw in pairs}
    return Limits(**values_by_name)
