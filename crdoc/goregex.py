"""Go (RE2) regular expressions rewritten in the dialect every JSON Schema validator reads.

A CRD's ``pattern`` is a Go regular expression: the API server compiles it with Go's
``regexp``. JSON Schema names ECMA-262 (check-jsonschema compiles with ``regress``, editors with
JavaScript), Python validators use ``re``, and kubeconform compiles with Go again. Most patterns
mean the same in all of them; a few Go spellings do not compile elsewhere, or compile to
something else. :func:`translate` rewrites a pattern into the subset the four share, with the
same meaning:

- flags: ``(?i)`` (mid-pattern too, up to the end of its group, as Go scopes it) and
  ``(?i:…)`` become explicit case classes (``[kKK]``: Go folds ``k`` to the Kelvin sign too);
  ``(?s)`` makes ``.`` ``[\\s\\S]``;
- named groups ``(?P<name>…)`` become plain groups (nothing in a schema reads a name);
- ``\\A`` → ``^``, ``\\z`` → ``$``, ``\\Q…\\E`` → escaped text, ``\\x{10FFFF}`` → the character,
  ``\\a`` → ``\\x07``, POSIX classes (``[[:alpha:]]``) → their ASCII ranges;
- escapes of punctuation ECMA-262 refuses in Unicode mode (``\\-`` outside a class, ``\\_``,
  ``\\#`` …) → the bare character; a ``{`` that is no repetition, a bare ``}`` or ``]`` →
  escaped (Python would read ``{,3}`` as a repetition, Unicode-mode ECMA-262 refuses the rest);
  a ``]`` first in a class → ``\\]`` (ECMA-262 reads ``[]`` as an empty class).

What has no equivalent in all four raises :class:`UnportablePattern` with the reason: ``(?m)``
and ``(?U)`` (their rewrites need look-behind, which Go lacks), Unicode classes ``\\pL`` (Python's
``re`` lacks them), ``\\C``, octal escapes, negated POSIX classes, case folding of wide
non-ASCII ranges. A pattern that needs no rewriting comes back unchanged, byte for byte.
"""

from __future__ import annotations

import re
import sys
import warnings
from dataclasses import dataclass
from functools import cache

#: Characters whose escape every dialect accepts (ECMA-262's SyntaxCharacter and ``/``).
_SYNTAX = frozenset("^$\\.*+?()[]{}|/")

#: Inside a class, the characters that must be escaped to stand for themselves.
_CLASS_SPECIAL = frozenset("\\]^-[")

#: Escapes that mean the same everywhere, kept as written.
_PORTABLE_ESCAPES = frozenset("bBdDsSwWfnrtv")

#: Escapes that stand for one character.
_CHAR_ESCAPES = {"a": "\x07", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}

_POSIX = {
    "alnum": "0-9A-Za-z",
    "alpha": "A-Za-z",
    "ascii": "\\x00-\\x7F",
    "blank": "\\t ",
    "cntrl": "\\x00-\\x1F\\x7F",
    "digit": "0-9",
    "graph": "!-~",
    "lower": "a-z",
    "print": " -~",
    "punct": "!-\\/:-@\\[-`{-~",
    "space": "\\t\\n\\v\\f\\r ",
    "upper": "A-Z",
    "word": "0-9A-Za-z_",
    "xdigit": "0-9A-Fa-f",
}

_REPEAT = re.compile(r"\{(\d+)(,(\d*))?\}")

#: A class range this long or longer is not folded character by character.
_MAX_FOLDED_RANGE = 1024


class UnportablePattern(ValueError):
    """A Go pattern with no equivalent every JSON Schema validator reads; the message says
    which construct."""


@dataclass(slots=True)
class _Flags:
    fold: bool = False
    dot_all: bool = False


def translate(pattern: str) -> str:
    """``pattern`` (Go RE2 syntax) in the syntax Go, ECMA-262 (Unicode mode or not) and
    Python's ``re`` share, with the same meaning. Raises :class:`UnportablePattern`."""
    out = _Translator(pattern).run()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # FutureWarning about possible set operations: harmless
        try:
            re.compile(out)
        except re.error as error:
            raise UnportablePattern(f"Python's re refuses the rewritten pattern: {error}") from None
    return out


class _Translator:
    """One left-to-right pass over a Go pattern, keeping Go's flag scopes on a stack."""

    def __init__(self, pattern: str) -> None:
        self.text = pattern
        self.pos = 0
        self.out: list[str] = []
        self.flags = _Flags()
        self.stack: list[_Flags] = []

    def run(self) -> str:
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            self.pos += 1
            if char == "\\":
                self._escape()
            elif char == "[":
                self._class()
            elif char == "(":
                self._open()
            elif char == ")":
                self.out.append(")")
                if self.stack:
                    self.flags = self.stack.pop()
            elif char == ".":
                self.out.append("[\\s\\S]" if self.flags.dot_all else ".")
            elif char == "{":
                match = _REPEAT.match(text, self.pos - 1)
                if match and self.out:
                    self.out.append(match.group())
                    self.pos = match.end()
                else:
                    self.out.append("\\{")  # Go reads it as a literal brace
            elif char in "}]":
                self.out.append("\\" + char)
            elif char in "|*+?^$":
                self.out.append(char)
            else:
                self._literal(char, raw=char)  # as written, unless (?i) folds it
        return "".join(self.out)

    # Outside classes -------------------------------------------------------------------------

    def _escape(self) -> None:
        if self.pos >= len(self.text):
            raise UnportablePattern("trailing backslash")
        char = self.text[self.pos]
        self.pos += 1
        if char == "A":
            self.out.append("^")
        elif char == "z":
            self.out.append("$")
        elif char == "Q":
            for literal in self._quoted():
                self._literal(literal)
        elif char in _PORTABLE_ESCAPES:
            self.out.append("\\" + char)
        elif char == "x":
            value, raw = self._hex()
            self._literal(value, raw=raw)
        elif char == "a":
            self.out.append("\\x07")
        elif char in _SYNTAX:
            self._literal(char)
        else:
            self._literal(self._other_escape(char))

    def _other_escape(self, char: str) -> str:
        if char in "pP":
            raise UnportablePattern(f"Unicode class \\{char} (Python's re has none)")
        if char == "C":
            raise UnportablePattern("\\C (any byte)")
        if char.isdigit():
            raise UnportablePattern(f"octal escape \\{char}")
        if char.isascii() and not char.isalnum():
            return char  # escaped punctuation: the character itself
        raise UnportablePattern(f"escape \\{char}")

    def _hex(self) -> tuple[str, str | None]:
        """The character of ``\\xHH`` or ``\\x{H…}`` (after the ``x``), and its spelling when
        that is portable as written (``\\xHH``)."""
        text = self.text
        if text.startswith("{", self.pos):
            end = text.find("}", self.pos)
            digits = text[self.pos + 1 : end] if end > 0 else ""
            if not digits or not all(c in "0123456789abcdefABCDEF" for c in digits):
                raise UnportablePattern("malformed \\x{…}")
            self.pos = end + 1
            value = int(digits, 16)
            if value > sys.maxunicode:
                raise UnportablePattern("\\x{…} beyond Unicode")
            return chr(value), None
        digits = text[self.pos : self.pos + 2]
        if len(digits) != 2 or not all(c in "0123456789abcdefABCDEF" for c in digits):
            raise UnportablePattern("malformed \\x escape")
        self.pos += 2
        return chr(int(digits, 16)), "\\x" + digits

    def _quoted(self) -> str:
        """The text of ``\\Q…\\E`` (after the ``Q``)."""
        end = self.text.find("\\E", self.pos)
        if end < 0:
            end = len(self.text)
        quoted = self.text[self.pos : end]
        self.pos = min(end + 2, len(self.text))
        return quoted

    def _literal(self, char: str, raw: str | None = None) -> None:
        """One literal character, folded into a class when ``(?i)`` is on."""
        if self.flags.fold:
            orbit = _fold(char)
            if len(orbit) > 1:
                self.out.append("[" + "".join(_class_char(c) for c in orbit) + "]")
                return
        if raw is not None:
            self.out.append(raw)
        elif char in _SYNTAX:
            self.out.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            self.out.append(f"\\x{ord(char):02X}")
        else:
            self.out.append(char)

    def _open(self) -> None:
        text = self.text
        self.stack.append(_Flags(self.flags.fold, self.flags.dot_all))
        if not text.startswith("?", self.pos):
            self.out.append("(")
            return
        self.pos += 1
        for prefix in ("P<", "<"):
            if text.startswith(prefix, self.pos):
                end = text.find(">", self.pos)
                if end < 0:
                    raise UnportablePattern("unterminated group name")
                self.pos = end + 1
                self.out.append("(")  # a name changes nothing that matches
                return
        if text.startswith(":", self.pos):
            self.pos += 1
            self.out.append("(?:")
            return
        flags = _Flags(self.flags.fold, self.flags.dot_all)
        on = True
        while self.pos < len(text) and text[self.pos] not in ":)":
            flag = text[self.pos]
            self.pos += 1
            if flag == "-":
                on = False
            elif flag == "i":
                flags.fold = on
            elif flag == "s":
                flags.dot_all = on
            elif flag in "mU":
                if on:
                    raise UnportablePattern(
                        f"flag (?{flag}) (its rewrite needs look-behind or lazy-by-default, "
                        "which not every dialect has)"
                    )
            else:
                raise UnportablePattern(f"group (?{flag}")
        if self.pos >= len(text):
            raise UnportablePattern("unterminated group")
        closer = text[self.pos]
        self.pos += 1
        if closer == ")":
            # (?flags): the rest of the enclosing group; this "group" opens nothing.
            self.stack.pop()
            self.flags = flags
        else:
            self.out.append("(?:")
            self.flags = flags

    # Classes ---------------------------------------------------------------------------------

    def _class(self) -> None:
        text = self.text
        negated = text.startswith("^", self.pos)
        if negated:
            self.pos += 1
        spelled: list[str] = []  # each member as it will be written, in order
        ranges: list[tuple[int, int]] = []  # the characters, for case folding
        escapes: list[str] = []  # class escapes (\\d …)
        first = True
        while True:
            if self.pos >= len(text):
                raise UnportablePattern("unterminated character class")
            if text[self.pos] == "]" and not first:
                self.pos += 1
                break
            if text.startswith("[:", self.pos):
                end = text.find(":]", self.pos + 2)
                name = text[self.pos + 2 : end] if end > 0 else ""
                if name.startswith("^"):
                    raise UnportablePattern(f"negated POSIX class [:{name}:]")
                if name not in _POSIX:
                    raise UnportablePattern(f"POSIX class [:{name}:]")
                self.pos = end + 2
                spelled.append(_POSIX[name])
                ranges.extend(_ranges_of(_POSIX[name]))
                first = False
                continue
            low = self._class_atom(first)
            first = False
            if isinstance(low, _ClassEscape):
                spelled.append(low.spelling)
                escapes.append(low.spelling)
                continue
            if (
                text.startswith("-", self.pos)
                and self.pos + 1 < len(text)
                and text[self.pos + 1] != "]"
            ):
                self.pos += 1
                high = self._class_atom(False)
                if isinstance(high, _ClassEscape) or ord(high[0]) < ord(low[0]):
                    raise UnportablePattern("malformed class range")
                spelled.append(f"{low[1]}-{high[1]}")
                ranges.append((ord(low[0]), ord(high[0])))
            else:
                spelled.append(low[1])
                ranges.append((ord(low[0]), ord(low[0])))
        if self.flags.fold:
            folded = _merged(_fold_ranges(ranges))
            spelled = [_class_range(low, high) for low, high in folded] + escapes
        self.out.append("[" + ("^" if negated else "") + "".join(spelled) + "]")

    def _class_atom(self, first: bool) -> tuple[str, str] | _ClassEscape:
        """One class member: its character and portable spelling, or a class escape."""
        text = self.text
        char = text[self.pos]
        self.pos += 1
        if char != "\\":
            if char == "]" and first:
                return char, "\\]"  # ECMA-262 would read "[]" as an empty class
            if char == "[":
                return char, "\\["  # Python warns of nested sets on a bare one
            if ord(char) < 0x20 or ord(char) == 0x7F:
                return char, _class_char(char)
            return char, char
        if self.pos >= len(text):
            raise UnportablePattern("trailing backslash")
        char = text[self.pos]
        self.pos += 1
        if char in "dDsSwW":
            return _ClassEscape("\\" + char)
        if char == "x":
            value, raw = self._hex()
            return value, raw or _class_char(value)
        if char == "a":
            return "\x07", "\\x07"
        if char in _CHAR_ESCAPES:
            return _CHAR_ESCAPES[char], "\\" + char
        if char == "Q":
            raise UnportablePattern("\\Q…\\E inside a class")
        if char in _SYNTAX or char == "-":
            return char, "\\" + char
        value = self._other_escape(char)
        return value, _class_char(value)


@dataclass(frozen=True, slots=True)
class _ClassEscape:
    """A class escape such as ``\\d`` inside a character class."""

    spelling: str


def _ranges_of(spec: str) -> list[tuple[int, int]]:
    """The ranges of a small class body written in this module (``A-Za-z``, ``\\x00-\\x7F``)."""
    chars: list[str] = []
    index = 0
    while index < len(spec):
        if spec.startswith("\\x", index):
            chars.append(chr(int(spec[index + 2 : index + 4], 16)))
            index += 4
        elif spec[index] == "\\":
            chars.append(_CHAR_ESCAPES.get(spec[index + 1], spec[index + 1]))
            index += 2
        else:
            chars.append(spec[index])
            index += 1
    out = []
    index = 0
    while index < len(chars):
        if index + 2 < len(chars) and chars[index + 1] == "-":
            out.append((ord(chars[index]), ord(chars[index + 2])))
            index += 3
        else:
            out.append((ord(chars[index]), ord(chars[index])))
            index += 1
    return out


def _merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for low, high in sorted(ranges):
        if out and low <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], high))
        else:
            out.append((low, high))
    return out


def _fold_ranges(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The ranges plus every character that folds to one of theirs, as Go's ``(?i)`` adds."""
    out = list(ranges)
    for low, high in ranges:
        if high - low >= _MAX_FOLDED_RANGE and any(_cased(c) for c in range(max(low, 0x80), high)):
            raise UnportablePattern("case folding of a wide non-ASCII range")
        for code in range(low, high + 1):
            out.extend((ord(c), ord(c)) for c in _fold(chr(code)))
    return out


def _cased(code: int) -> bool:
    char = chr(code)
    return char.lower() != char or char.upper() != char


def _class_range(low: int, high: int) -> str:
    if low == high:
        return _class_char(chr(low))
    if high == low + 1:
        return _class_char(chr(low)) + _class_char(chr(high))
    return f"{_class_char(chr(low))}-{_class_char(chr(high))}"


def _class_char(char: str) -> str:
    if char in _CLASS_SPECIAL:
        return "\\" + char
    if ord(char) < 0x20 or ord(char) == 0x7F:
        return f"\\x{ord(char):02X}"
    return char


@cache
def _fold(char: str) -> tuple[str, ...]:
    """The characters Go's case folding equates with ``char`` (its orbit), sorted."""
    orbit = {char}
    if char.isascii():
        for other in (char.lower(), char.upper()):
            orbit.add(other)
        # Go folds with Unicode's simple case folding: these two ASCII letters have a third
        # member outside ASCII.
        orbit.update({"k": "\u212a", "s": "\u017f"}.get(char.lower(), ""))
        return tuple(sorted(orbit))
    pending = [char]
    inverse = _inverse_case()
    while pending:
        current = pending.pop()
        for other in (current.lower(), current.upper(), *inverse.get(current, ())):
            if len(other) == 1 and other not in orbit:
                orbit.add(other)
                pending.append(other)
    return tuple(sorted(orbit))


@cache
def _inverse_case() -> dict[str, tuple[str, ...]]:
    """Character → the characters whose one-character lower or upper case it is (built once,
    only when a pattern folds a non-ASCII letter)."""
    inverse: dict[str, list[str]] = {}
    for code in range(sys.maxunicode + 1):
        if 0xD800 <= code <= 0xDFFF:
            continue
        char = chr(code)
        for other in (char.lower(), char.upper()):
            if other != char and len(other) == 1:
                inverse.setdefault(other, []).append(char)
    return {k: tuple(v) for k, v in inverse.items()}
