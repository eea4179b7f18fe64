"""Version constraints as Helm reads them (Masterminds/semver v3): ``semverCompare`` in
templates and dependency versions, case by case."""

from __future__ import annotations

import pytest

from crdoc.loading.helm.semver import Constraint, SemVer, highest_matching, semver_compare

#: (constraint, version, satisfied)
CASES = [
    # exact, with and without "v", partial versions
    ("1.2.3", "1.2.3", True),
    ("=1.2.3", "v1.2.3", True),
    ("1.2.3", "1.2.4", False),
    ("1.2", "1.2.9", True),  # a partial version is a tilde range
    ("1.2", "1.3.0", False),
    ("1", "1.9.9", True),
    ("1", "2.0.0", False),
    # comparisons, partial bounds
    (">1.2", "1.2.9", False),
    (">1.2", "1.3.0", True),
    (">1", "1.99.0", False),
    (">=1.2", "1.2.0", True),
    ("<1.2", "1.1.99", True),
    ("<1.2", "1.2.0", False),
    ("<=1.2", "1.2.9", True),
    ("<=1.2", "1.3.0", False),
    ("=>1.0", "1.0.0", True),
    ("=<1.0", "1.0.5", True),
    # tilde and caret
    ("~1.2.3", "1.2.9", True),
    ("~1.2.3", "1.3.0", False),
    ("~1", "1.9.0", True),
    ("~>1.2", "1.2.5", True),
    ("^1.2.3", "1.9.0", True),
    ("^1.2.3", "2.0.0", False),
    ("^0.3", "0.3.5", True),
    ("^0.3", "0.4.0", False),
    ("^0.0.3", "0.0.4", False),
    ("^0", "0.9.9", True),
    # wildcards
    ("1.2.x", "1.2.7", True),
    ("1.x", "1.99.0", True),
    ("*", "7.0.0", True),
    ("0.12.*", "0.12.4", True),
    ("0.12.*", "0.13.0", False),
    # not equal, with wildcards
    ("!=1.2.3", "1.2.4", True),
    ("!=1.2", "1.2.9", False),
    ("!=1.x", "2.0.0", True),
    # AND (space or comma), OR, hyphen ranges
    (">=1.0 <2.0", "1.5.0", True),
    (">=1.0, <2.0", "2.0.0", False),
    (">=1.0.0 <2.0.0 || 3.x", "3.1.0", True),
    ("1.2 - 1.4", "1.3.5", True),
    ("1.2 - 1.4", "1.5.0", False),
    # prereleases: only a group naming one accepts them
    (">=1.16", "v1.29.3-gke.1093000", False),
    (">=1.16-0", "v1.29.3-gke.1093000", True),
    (">=1.16-0", "1.16.0", True),
    ("<1.16-0", "v1.15.12", True),
    (">=1.2.0-0 <2", "1.3.0-beta.1", True),
    ("^0.3", "0.3.1-rc.1", False),
    # build metadata is ignored
    (">=1.16-0", "v1.29.3+k3s1", True),
    ("1.2.3", "1.2.3+build.7", True),
]


@pytest.mark.parametrize(("constraint", "version", "expected"), CASES, ids=str)
def test_constraint(constraint: str, version: str, expected: bool) -> None:
    assert semver_compare(constraint, version) is expected


@pytest.mark.parametrize(
    ("smaller", "larger"),
    [
        ("1.0.0-alpha", "1.0.0"),
        ("1.0.0-alpha", "1.0.0-alpha.1"),
        ("1.0.0-alpha.1", "1.0.0-alpha.beta"),
        ("1.0.0-beta.2", "1.0.0-beta.11"),
        ("1.0.0-rc.1", "1.0.0"),
        ("1.9.0", "1.10.0"),
    ],
)
def test_precedence(smaller: str, larger: str) -> None:
    """SemVer 2.0 order: numeric identifiers numerically, before alphanumeric ones, fewer
    first; a release after its prereleases."""
    assert SemVer.parse(smaller).compare(SemVer.parse(larger)) == -1
    assert SemVer.parse(larger).compare(SemVer.parse(smaller)) == 1


@pytest.mark.parametrize("text", ["", "x", "1.2.3.4", "1.2.3-01", "not-a-version"])
def test_invalid_versions_are_errors(text: str) -> None:
    with pytest.raises(ValueError):
        SemVer.parse(text)


@pytest.mark.parametrize("text", [">>1", "1.2 ||", "~~1", ">=1.0 <"])
def test_invalid_constraints_are_errors(text: str) -> None:
    with pytest.raises(ValueError):
        Constraint(text)


def test_highest_matching_sorts_and_skips_prereleases_and_junk() -> None:
    """What Helm's resolver picks from an index listed in any order."""
    versions = ["0.2.0", "0.3.0", "bogus", "0.3.1-rc.1", "0.2.5", "0.4.0", "1.0.0"]
    assert highest_matching("^0.3", versions) == "0.3.0"
    assert highest_matching("~0.2.0", versions) == "0.2.5"
    assert highest_matching("*", versions) == "1.0.0"
    assert highest_matching(">=2", versions) is None
