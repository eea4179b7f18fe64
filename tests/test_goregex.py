"""``crdoc.goregex``: Go patterns in the dialect Go, ECMA-262 and Python share."""

from __future__ import annotations

import re
from typing import Any

import pytest
import regress
from conftest import CORPUS_COUNTS, corpus_entry

from crdoc import load
from crdoc.goregex import UnportablePattern, translate
from crdoc.model import openapi_schema

#: The corpus patterns written in Go-only syntax (kube-prometheus-stack's AlertmanagerConfig
#: and PrometheusRule), with the same pattern in Python's scoped-flag syntax, which Go's scoping
#: of a mid-pattern (?i) (to the end of its group) corresponds to.
DAYS = "sun|mon|tues|wednes|thurs|fri|satur"
MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
GO_ONLY = {
    "^(?i)(abort|warn)?$": "^(?i:(abort|warn)?$)",
    f"^((?i){DAYS})day(?:((:({DAYS})day)$)|$)": f"^((?i:{DAYS}))day(?:((:({DAYS})day)$)|$)",
    f"^((?i){MONTHS}|1[0-2]|[1-9])(?:((:((?i){MONTHS}|1[0-2]|[1-9]))$)|$)": (
        f"^((?i:{MONTHS}|1[0-2]|[1-9]))(?:((:((?i:{MONTHS}|1[0-2]|[1-9])))$)|$)"
    ),
}
SAMPLES = [
    "",
    "abort",
    "ABORT",
    "Warn",
    "warning",
    "Monday",
    "MONDAY",
    "monDAY",
    "monday:friday",
    "Monday:Friday",
    "ſunday",  # Go folds s with the long s (and k with the Kelvin sign)
    "January",
    "DECEMBER:june",
    "12",
    "13",
    "may:1",
    "Jan",
]


def _engines(pattern: str) -> list[Any]:
    """The pattern compiled by every engine a schema meets: Python's re, ECMA-262 through
    regress in Unicode mode and not."""
    return [re.compile(pattern), regress.Regex(pattern, "u"), regress.Regex(pattern, "")]


def _matches(engine: Any, text: str) -> bool:
    if isinstance(engine, re.Pattern):
        return engine.search(text) is not None
    return engine.find(text) is not None


@pytest.mark.parametrize("go", list(GO_ONLY), ids=["partial_response", "weekdays", "months"])
def test_go_only_corpus_patterns(go: str) -> None:
    """Each matches what Go matches (Python's scoped flags as the reference), in every engine."""
    reference = re.compile(GO_ONLY[go])
    translated = translate(go)
    assert "(?" not in translated.replace("(?:", "")
    for engine in _engines(translated):
        for text in SAMPLES:
            assert _matches(engine, text) is (reference.search(text) is not None), (engine, text)


@pytest.fixture(scope="module")
def corpus_patterns() -> set[str]:
    patterns: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("pattern"), str):
                patterns.add(node["pattern"])
            for key, value in node.items():
                if key not in ("default", "example", "enum"):
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for name in sorted(CORPUS_COUNTS):
        for crd in load(corpus_entry(name)).crds:
            for version in crd.versions:
                walk(openapi_schema(version))
    return patterns


def test_corpus_patterns(corpus_patterns: set[str]) -> None:
    """Every corpus pattern has a portable form: the Go-only ones rewritten, every other one
    unchanged, and all compile in every engine."""
    assert set(GO_ONLY) <= corpus_patterns
    for pattern in corpus_patterns:
        translated = translate(pattern)
        assert (translated == pattern) is (pattern not in GO_ONLY), pattern
        _engines(translated)


# (Go pattern, its rewrite, texts Go matches, texts Go does not match)
REWRITES = [
    (r"^a\z", "^a$", ["a"], ["ab", "ba"]),
    (r"\Aa", "^a", ["ab"], ["ba"]),
    (r"^(?P<name>ab)+$", "^(ab)+$", ["abab"], ["aba"]),
    (r"^\Qa.b*\E$", r"^a\.b\*$", ["a.b*"], ["axb", "a.bb"]),
    (r"^[[:alpha:]_]+$", "^[A-Za-z_]+$", ["a_B"], ["a1"]),
    (r"^a{,3}$", r"^a\{,3\}$", ["a{,3}"], ["a", "aaa"]),  # no repetition in Go
    (r"^[]a]+$", r"^[\]a]+$", ["]a"], ["b"]),
    (r"^\-\_\#$", "^-_#$", ["-_#"], ["x"]),
    (r"^a}$", r"^a\}$", ["a}"], ["a"]),
    (r"(?s)^a.b$", r"^a[\s\S]b$", ["a\nb", "axb"], ["ab"]),
    (r"^\x{41}\x42$", r"^A\x42$", ["AB"], ["ab"]),
    (r"^(?i:ab)c$", "^(?:[Aa][Bb])c$", ["ABc", "abc"], ["abC"]),
    (r"^(?i)[a-c]$", "^[A-Ca-c]$", ["B", "b"], ["d"]),
    (r"^(?i)[^k]$", "^[^Kk\u212a]$", ["a"], ["k", "K", "\u212a"]),
    (r"^(?i)x(?-i)y$", "^[Xx]y$", ["Xy"], ["XY"]),
    (r"^\a$", r"^\x07$", ["\x07"], ["a"]),
]


@pytest.mark.parametrize(("go", "rewritten", "match", "no_match"), REWRITES, ids=lambda v: str(v))
def test_rewrites(go: str, rewritten: str, match: list[str], no_match: list[str]) -> None:
    assert translate(go) == rewritten
    for engine in _engines(rewritten):
        assert all(_matches(engine, text) for text in match), engine
        assert not any(_matches(engine, text) for text in no_match), engine


@pytest.mark.parametrize(
    "go",
    [
        r"^\d{1,3}(\.\d+)?$",
        r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
        r"^https?://[^\s/$.?#].[^\s]*$",
        "a/b",
    ],
)
def test_portable_patterns_unchanged(go: str) -> None:
    assert translate(go) == go


@pytest.mark.parametrize(
    ("go", "reason"),
    [
        ("(?m)^a$", "flag (?m)"),
        ("(?U)a+", "flag (?U)"),
        (r"\pL+", "Unicode class"),
        (r"[\p{Greek}]", "Unicode class"),
        (r"\C", "any byte"),
        (r"\101", "octal"),
        (r"[[:^alpha:]]", "negated POSIX"),
    ],
)
def test_unportable(go: str, reason: str) -> None:
    with pytest.raises(UnportablePattern, match=re.escape(reason)):
        translate(go)
