"""Small records for the template machinery: equality, hashing and ``repr`` from their
``__slots__``.

Plain classes with an ``__init__`` written out, rather than dataclasses: a dataclass compiles
its methods when its module is imported, and the modules using these are imported for every
chart with templates (tens of milliseconds on a command that takes a few hundred).
"""

from __future__ import annotations

from typing import Any


class Record:
    """Fields are the class's ``__slots__``; ``_compared`` names the ones equality and hashing
    read (all of them by default)."""

    __slots__: tuple[str, ...] = ()
    _compared: tuple[str, ...] | None = None

    def _key(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self._compared or self.__slots__)

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({fields})"
