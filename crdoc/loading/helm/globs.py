"""Glob patterns from charts, matched in time proportional to pattern times name.

Two dialects: ``.Files.Glob`` (``github.com/gobwas/glob`` with ``/`` as separator: ``*``,
``**``, ``?``, ``[…]``/``[!…]``, ``{a,b}``) and ``.helmignore`` (Go's ``filepath.Match``: ``*``,
``?``, ``[…]``/``[^…]``). A pattern comes from a stranger's chart: a regular expression built
from ``*a*a*a*…b`` backtracks for ever on a long name; this matcher follows every possible
position at once and never backtracks.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

#: Most alternatives ``{a,b}{c,d}…`` may expand to.
MAX_ALTERNATIVES = 256

# Tokens: ("char", c), ("star", crosses "/"), ("one",), ("class", negated, ranges)
_Token = tuple[Any, ...]


def compile_glob(pattern: str, *, gobwas: bool) -> Callable[[str], bool]:
    """A test of whole names against ``pattern`` (``gobwas``: ``.Files.Glob``'s dialect, else
    ``filepath.Match``'s). ``ValueError`` for a pattern that does not compile."""
    alternatives = _expand(pattern) if gobwas else [pattern]
    compiled = [_tokens(p, gobwas=gobwas) for p in alternatives]
    if len(compiled) == 1:
        simple = _simple(compiled[0])
        if simple is not None:
            return simple
    if all(sum(token[0] == "star" for token in tokens) <= 1 for tokens in compiled):
        # One star at most (`*.swp`, `crds/*.yaml`, most patterns): a regular expression
        # cannot backtrack badly on it, and is much faster than following positions.
        regex = re.compile("|".join(_regex(tokens) for tokens in compiled), re.DOTALL)
        return lambda name: regex.fullmatch(name) is not None
    return lambda name: any(_matches(tokens, name) for tokens in compiled)


def _simple(tokens: list[_Token]) -> Callable[[str], bool] | None:
    """A test without a regular expression for the commonest patterns (``.git``, ``*.swp``,
    ``OWNERS*``): compiling one costs more than a ``.helmignore`` saves."""
    if any(token[0] not in ("char", "star") for token in tokens):
        return None
    stars = [i for i, token in enumerate(tokens) if token[0] == "star"]
    text = "".join(token[1] for token in tokens if token[0] == "char")
    if not stars:
        return lambda name: name == text
    if len(stars) > 1 or tokens[stars[0]][1]:
        return None
    if stars[0] == 0:
        return lambda name: name.endswith(text) and "/" not in name[: len(name) - len(text)]
    if stars[0] == len(tokens) - 1:
        return lambda name: name.startswith(text) and "/" not in name[len(text) :]
    return None


def _regex(tokens: list[_Token]) -> str:
    out = []
    for token in tokens:
        kind = token[0]
        if kind == "char":
            out.append(re.escape(token[1]))
        elif kind == "star":
            out.append(".*" if token[1] else "[^/]*")
        elif kind == "one":
            out.append("[^/]")
        else:
            ranges = "".join(
                re.escape(low) if low == high else f"{re.escape(low)}-{re.escape(high)}"
                for low, high in token[2]
            )
            out.append(f"(?!/)[^{ranges}]" if token[1] else f"(?!/)[{ranges}]")
    return "(?:" + "".join(out) + ")"


def _expand(pattern: str) -> list[str]:
    """``{a,b}`` alternatives spelled out (nested ones too)."""
    start = _unescaped(pattern, "{", 0)
    if start < 0:
        if _unescaped(pattern, "}", 0) >= 0:
            raise ValueError("unmatched '}'")
        return [pattern]
    depth, i, parts, part_start = 0, start, [], start + 1
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                parts.append(pattern[part_start:i])
                break
        elif char == "," and depth == 1:
            parts.append(pattern[part_start:i])
            part_start = i + 1
        i += 1
    else:
        raise ValueError("unclosed '{'")
    found: list[str] = []
    for rest in _expand(pattern[i + 1 :]):
        for part in parts:
            for middle in _expand(part):
                found.append(pattern[:start] + middle + rest)
                if len(found) > MAX_ALTERNATIVES:
                    raise ValueError("too many alternatives")
    return found


def _unescaped(text: str, char: str, start: int) -> int:
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == char:
            return i
        i += 1
    return -1


def _tokens(pattern: str, *, gobwas: bool) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    negation = "!" if gobwas else "^"
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            if i + 1 >= len(pattern):
                raise ValueError("trailing escape")
            tokens.append(("char", pattern[i + 1]))
            i += 2
        elif char == "*":
            crosses = gobwas and pattern.startswith("**", i)
            i += 2 if crosses else 1
            if not (tokens and tokens[-1][0] == "star" and tokens[-1][1] == crosses):
                tokens.append(("star", crosses))
        elif char == "?":
            tokens.append(("one",))
            i += 1
        elif char == "[":
            i = _class(pattern, i + 1, negation, tokens)
        else:
            tokens.append(("char", char))
            i += 1
    return tokens


def _class(pattern: str, i: int, negation: str, tokens: list[_Token]) -> int:
    """A ``[…]`` class starting after ``[``; returns the index after ``]``."""
    negated = pattern[i : i + 1] == negation
    i += 1 if negated else 0
    ranges = []
    first = True
    while True:
        if i >= len(pattern):
            raise ValueError("unclosed '['")
        char = pattern[i]
        if char == "]" and not first:
            i += 1
            break
        if char == "\\":
            i += 1
            if i >= len(pattern):
                raise ValueError("trailing escape")
            char = pattern[i]
        low = high = char
        i += 1
        if pattern[i : i + 1] == "-" and pattern[i + 1 : i + 2] not in ("", "]"):
            high = pattern[i + 1]
            if high == "\\":
                high = pattern[i + 2 : i + 3]
                i += 1
            i += 2
            if high < low:
                raise ValueError("bad range")
        ranges.append((low, high))
        first = False
    tokens.append(("class", negated, tuple(ranges)))
    return i


def _step(token: _Token, char: str) -> bool:
    kind = token[0]
    if kind == "char":
        return bool(char == token[1])
    if kind == "one":
        return char != "/"
    if kind == "class":
        inside = any(low <= char <= high for low, high in token[2])
        return char != "/" and inside != bool(token[1])
    return False


def _matches(tokens: list[_Token], name: str) -> bool:
    """Every position the pattern can be at, character by character (no backtracking)."""
    end = len(tokens)

    def closure(positions: set[int]) -> set[int]:
        # A star matches nothing too: being at it is being past it.
        stack = list(positions)
        while stack:
            position = stack.pop()
            if position < end and tokens[position][0] == "star" and position + 1 not in positions:
                positions.add(position + 1)
                stack.append(position + 1)
        return positions

    positions = closure({0})
    for char in name:
        following: set[int] = set()
        for position in positions:
            if position == end:
                continue
            token = tokens[position]
            if token[0] == "star":
                if char != "/" or token[1]:
                    following.add(position)
            elif _step(token, char):
                following.add(position + 1)
        if not following:
            return False
        positions = closure(following)
    return end in positions
