"""Version constraints as Helm reads them: Masterminds/semver v3 (Helm 3.19+ and 4).

Helm uses these rules twice where crdoc needs them: ``semverCompare`` in templates (``{{ if
semverCompare ">=1.16-0" .Capabilities.KubeVersion.GitVersion }}``) and the ``version`` of a
chart's ``dependencies``. Neither PEP 440 (``packaging``) nor python-semver nor npm's rules
match them: ``>=1.16-0`` must accept ``1.16.0``, spaces and commas mean AND, ``||`` means OR,
``^``/``~``/``x`` ranges, partial versions (``1.2`` is ``1.2.0``) and a leading ``v`` are all
accepted, and a prerelease (``v1.29.3-gke.1093000``) satisfies a group of constraints only when
one of them names a prerelease itself.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from crdoc.loading.helm.records import Record

# NewVersion (loose, as Masterminds coerces by default): optional "v", optional minor and patch,
# leading zeros accepted.
_VERSION = re.compile(
    r"^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?"
    r"(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
    r"(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$"
)


class SemVer(Record):
    """A semantic version; build metadata is kept but never compared."""

    __slots__ = ("major", "minor", "patch", "prerelease", "metadata")
    major: int
    minor: int
    patch: int
    prerelease: str
    metadata: str

    def __init__(
        self,
        major: int,
        minor: int,
        patch: int,
        prerelease: str = "",
        metadata: str = "",
    ) -> None:
        self.major = major
        self.minor = minor
        self.patch = patch
        self.prerelease = prerelease
        self.metadata = metadata

    @classmethod
    def parse(cls, text: str) -> SemVer:
        """Masterminds' ``NewVersion``; ``ValueError`` for anything else."""
        match = _VERSION.match(text.strip())
        if not match:
            raise ValueError(f"{text!r} is not a semantic version")
        prerelease = match.group(4) or ""
        for part in prerelease.split(".") if prerelease else ():
            if part.isdigit() and len(part) > 1 and part.startswith("0"):
                raise ValueError(f"{text!r}: a numeric prerelease part has a leading zero")
        return cls(
            int(match.group(1)),
            int((match.group(2) or ".0")[1:]),
            int((match.group(3) or ".0")[1:]),
            prerelease,
            match.group(5) or "",
        )

    def compare(self, other: SemVer) -> int:
        """-1, 0 or 1, by SemVer 2.0 precedence (a release sorts after its prereleases)."""
        mine = (self.major, self.minor, self.patch)
        theirs = (other.major, other.minor, other.patch)
        if mine != theirs:
            return -1 if mine < theirs else 1
        if self.prerelease == other.prerelease:
            return 0
        if not self.prerelease:
            return 1
        if not other.prerelease:
            return -1
        return _compare_prerelease(self.prerelease, other.prerelease)

    def __str__(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.prerelease:
            text += f"-{self.prerelease}"
        return text + (f"+{self.metadata}" if self.metadata else "")


def _compare_prerelease(a: str, b: str) -> int:
    left, right = a.split("."), b.split(".")
    for x, y in zip(left, right, strict=False):
        if x == y:
            continue
        x_number, y_number = x.isdigit(), y.isdigit()
        if x_number and y_number:
            return -1 if int(x) < int(y) else 1
        if x_number != y_number:  # numeric identifiers sort before alphanumeric ones
            return -1 if x_number else 1
        return -1 if x < y else 1
    if len(left) == len(right):
        return 0
    return -1 if len(left) < len(right) else 1  # fewer identifiers sort first


_PART = r"[0-9xX*]+"
_CONSTRAINT_VERSION = (
    rf"v?({_PART})(\.{_PART})?(\.{_PART})?"
    r"(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
    r"(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?"
)
_OPERATORS = r"!=|>=|=>|<=|=<|~>|\^|~|>|<|=|"


@functools.cache
def _patterns() -> dict[str, re.Pattern[str]]:
    """The constraint grammar's expressions, compiled when a constraint is first read (they are
    long; most runs read none)."""
    return {
        "one": re.compile(rf"^\s*({_OPERATORS})\s*({_CONSTRAINT_VERSION})\s*$"),
        "find": re.compile(rf"({_OPERATORS})\s*({_CONSTRAINT_VERSION})"),
        "valid": re.compile(
            rf"^\s*(?:{_OPERATORS})\s*{_CONSTRAINT_VERSION}\s*"
            rf"(?:(?:\s+|,\s*)(?:{_OPERATORS})\s*{_CONSTRAINT_VERSION}\s*)*$"
        ),
        "hyphen": re.compile(rf"\s*({_CONSTRAINT_VERSION})\s+-\s+({_CONSTRAINT_VERSION})\s*"),
    }


_WILDCARDS = frozenset({"x", "X", "*"})


class _Comparison(Record):
    __slots__ = ("operator", "version", "dirty", "minor_dirty", "patch_dirty")
    operator: str
    version: SemVer
    dirty: bool
    """A wildcard or missing part (``1.2``, ``1.x``, ``*``)."""
    minor_dirty: bool
    patch_dirty: bool

    def __init__(
        self,
        operator: str,
        version: SemVer,
        dirty: bool,
        minor_dirty: bool,
        patch_dirty: bool,
    ) -> None:
        self.operator = operator
        self.version = version
        self.dirty = dirty
        self.minor_dirty = minor_dirty
        self.patch_dirty = patch_dirty

    def check(self, version: SemVer, prereleases: bool) -> bool:
        if version.prerelease and not prereleases:
            return False
        operator, bound = self.operator, self.version
        order = version.compare(bound)
        if operator in ("", "="):
            if not self.dirty:
                return order == 0
            operator = "~"  # a partial version without operator is a tilde range
        if operator == "!=":
            return self._not_equal(version, order)
        if operator == ">":
            if not self.dirty:
                return order > 0
            if version.major != bound.major:
                return version.major > bound.major
            if self.minor_dirty:
                return False
            return version.minor > bound.minor if self.patch_dirty else order > 0
        if operator == "<":
            return order < 0
        if operator in (">=", "=>"):
            return order >= 0
        if operator in ("<=", "=<"):
            if not self.dirty:
                return order <= 0
            if version.major > bound.major:
                return False
            return not (
                version.major == bound.major
                and version.minor > bound.minor
                and not self.minor_dirty
            )
        if operator in ("~", "~>"):
            if order < 0:
                return False
            if (bound.major, bound.minor, bound.patch) == (0, 0, 0) and not (
                self.minor_dirty or self.patch_dirty
            ):
                return True  # "~0.0.0" and "*": anything
            if version.major != bound.major:
                return False
            return version.minor == bound.minor or self.minor_dirty
        # "^": the leftmost non-zero part stays.
        if order < 0:
            return False
        if bound.major > 0 or self.minor_dirty:
            return version.major == bound.major
        if version.major > 0:
            return False
        if bound.minor > 0 or self.patch_dirty:
            return version.minor == bound.minor
        if version.minor > 0:
            return False
        return version.patch == bound.patch

    def _not_equal(self, version: SemVer, order: int) -> bool:
        bound = self.version
        if not self.dirty:
            return order != 0
        if bound.major != version.major:
            return True
        if self.minor_dirty:
            return False
        if bound.minor != version.minor:
            return True
        if self.patch_dirty:
            if version.prerelease or bound.prerelease:
                return _compare_prerelease(version.prerelease, bound.prerelease) != 0
            return False
        return order != 0


def _comparison(text: str) -> _Comparison:
    match = _patterns()["one"].match(text)
    if not match:
        raise ValueError(f"improper constraint: {text!r}")
    operator, major, minor, patch = match.group(1), match.group(3), match.group(4), match.group(5)
    prerelease = f"-{match.group(6)}" if match.group(6) else ""
    dirty = minor_dirty = patch_dirty = False
    if major in _WILDCARDS:
        version, dirty = f"0.0.0{prerelease}", True
    elif not minor or minor[1:] in _WILDCARDS:
        version, dirty, minor_dirty = f"{major}.0.0{prerelease}", True, True
    elif not patch or patch[1:] in _WILDCARDS:
        version, dirty, patch_dirty = f"{major}{minor}.0{prerelease}", True, True
    else:
        version = match.group(2)
    return _Comparison(operator, SemVer.parse(version), dirty, minor_dirty, patch_dirty)


@functools.lru_cache(maxsize=256)
def _groups(text: str) -> tuple[tuple[_Comparison, ...], ...]:
    patterns = _patterns()
    for match in list(patterns["hyphen"].finditer(text)):
        text = text.replace(match.group(0), f">= {match.group(1)}, <= {match.group(6)} ", 1)
    groups = []
    for part in text.split("||"):
        if not patterns["valid"].match(part):
            raise ValueError(f"improper constraint: {part.strip()!r}")
        found = [match.group(0) for match in patterns["find"].finditer(part)] or [part]
        groups.append(tuple(_comparison(item) for item in found))
    return tuple(groups)


class Constraint:
    """Masterminds' ``NewConstraint``: ``||`` separates alternatives; inside one, comparisons
    separated by spaces or commas must all hold; ``A - B`` is ``>= A, <= B``."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._groups = _groups(text)

    def check(self, version: str | SemVer) -> bool:
        """Whether ``version`` satisfies the constraint (``ValueError`` if it is no version).
        A prerelease satisfies a group only when one of its comparisons names a prerelease."""
        parsed = version if isinstance(version, SemVer) else SemVer.parse(version)
        for group in self._groups:
            prereleases = any(comparison.version.prerelease for comparison in group)
            if all(comparison.check(parsed, prereleases) for comparison in group):
                return True
        return False


def semver_compare(constraint: str, version: str) -> bool:
    """Sprig's ``semverCompare``: ``ValueError`` for an invalid constraint or version (a
    template error in Helm)."""
    return Constraint(constraint).check(version)


def highest_matching(constraint: str, versions: Iterable[str]) -> str | None:
    """What Helm's resolver picks from a repository index: the highest version (as written)
    satisfying ``constraint``, skipping versions that do not parse."""
    wanted = Constraint(constraint)
    parsed: list[tuple[SemVer, str]] = []
    for text in versions:
        try:
            parsed.append((SemVer.parse(text), text))
        except ValueError:
            continue

    def by_version(a: tuple[SemVer, str], b: tuple[SemVer, str]) -> int:
        return a[0].compare(b[0])

    parsed.sort(key=functools.cmp_to_key(by_version), reverse=True)
    return next((text for version, text in parsed if wanted.check(version)), None)
