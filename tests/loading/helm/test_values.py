"""Values as Helm builds them: ``--set`` syntax and typing, ``-f`` files, precedence, and a
subchart's values from its parent and ``global``."""

from __future__ import annotations

from pathlib import Path

import pytest

from crdoc.errors import CrdocError
from crdoc.loading.helm.values import (
    SetSyntaxError,
    coalesce,
    parse_set,
    read_values_text,
    subchart_values,
    user_values,
)

#: (--set argument, values it gives)
SETS = [
    ("a=b", {"a": "b"}),
    ("a.b.c=d", {"a": {"b": {"c": "d"}}}),
    ("a=1,b=2", {"a": 1, "b": 2}),
    ("on=true,off=FALSE,gone=null", {"on": True, "off": False, "gone": None}),
    ("zero=0,neg=-5,plus=+5", {"zero": 0, "neg": -5, "plus": 5}),
    # not integers for Helm: leading zero, decimals, exponents, beyond int64
    ("v=007,f=1.5,e=1e3", {"v": "007", "f": "1.5", "e": "1e3"}),
    ("big=99999999999999999999", {"big": "99999999999999999999"}),
    ("empty=", {"empty": ""}),
    (r"a\.b=c", {"a.b": "c"}),
    (r"x=a\,b", {"x": "a,b"}),
    ("list={a,b,3}", {"list": ["a", "b", 3]}),
    ("list[1]=x", {"list": [None, "x"]}),
    ("l[0].name=n", {"l": [{"name": "n"}]}),
    ("l[0][1]=z", {"l": [[None, "z"]]}),
    ("a=1,a=2", {"a": 2}),
]


@pytest.mark.parametrize(("text", "expected"), SETS, ids=[s[0] for s in SETS])
def test_set_syntax_and_typing(text: str, expected: dict) -> None:
    assert parse_set(text) == expected


def test_set_string_keeps_strings() -> None:
    assert parse_set("a=true,b=1,c=null", strings=True) == {"a": "true", "b": "1", "c": "null"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a", "key 'a' has no value"),
        ("a,b=1", "key 'a' has no value (cannot end with ,)"),
        ("a[-1]=x", "negative list index -1"),
        ("a[x]=1", "invalid list index 'x'"),
        ("a[99999999]=1", "list index 99999999 above 65536"),
        ("a.", "key map 'a' has no value"),
        ("a={b,c", "list of values not closed with '}'"),
        (".".join("k" * 40) + "=1", "value name nested more than 30 levels"),
    ],
)
def test_set_errors(text: str, message: str) -> None:
    with pytest.raises(SetSyntaxError) as caught:
        parse_set(text)
    assert str(caught.value) == message


def test_yaml_numbers_are_floats_and_documents_merge() -> None:
    """As Helm reads values through JSON: ``1`` is a float, and a later document merges in."""
    values = read_values_text("a: 1\nb: {c: true}\n---\nb: {d: x}\n", "v.yaml")
    assert values == {"a": 1.0, "b": {"c": True, "d": "x"}}
    assert isinstance(values["a"], float)


def test_values_file_errors_name_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("a: 1\nb: [\n", encoding="utf-8")
    with pytest.raises(CrdocError) as caught:
        user_values([path], [])
    assert caught.value.located().startswith(f"{path}:3: invalid YAML")
    path.write_text("- a\n", encoding="utf-8")
    with pytest.raises(CrdocError, match="values must be a mapping"):
        user_values([path], [])


def test_precedence_files_then_set_then_set_string(tmp_path: Path) -> None:
    """-f files in order, then --set, then --set-string; maps merge, lists are replaced."""
    first = tmp_path / "1.yaml"
    second = tmp_path / "2.yaml"
    # (not `y:`, which Helm reads as the key "true", as Kubernetes does)
    first.write_text("a: {x: 1, w: 1}\nl: [1, 2]\nc: one\n", encoding="utf-8")
    second.write_text("a: {w: 2}\nl: [3]\n", encoding="utf-8")
    values = user_values([first, second], ["c=two", "a.z=3"], ["c=3"])
    assert values == {"a": {"x": 1.0, "w": 2.0, "z": 3}, "l": [3.0], "c": "3"}


def test_bad_set_is_an_error_naming_it() -> None:
    with pytest.raises(CrdocError, match=r"^--set a\.: key map 'a' has no value$"):
        user_values([], ["a."])


def test_coalesce_user_over_defaults_null_removes() -> None:
    defaults = {"crds": {"enabled": True, "channel": "standard"}, "keep": 1}
    given = {"crds": {"channel": "experimental"}, "keep": None}
    assert coalesce(given, defaults) == {"crds": {"enabled": True, "channel": "experimental"}}


def test_subchart_values_from_parent_block_and_global() -> None:
    """A subchart sees its parent's block under its name (or alias) over its own values, and
    the parent's ``global`` over its own."""
    parent = {"tools": {"channel": "experimental"}, "global": {"team": "a", "region": "eu"}}
    own = {"channel": "standard", "size": 1.0, "global": {"team": "b", "zone": "z"}}
    assert subchart_values(parent, "tools", own) == {
        "channel": "experimental",
        "size": 1.0,
        "global": {"team": "a", "zone": "z", "region": "eu"},
    }
    assert subchart_values({}, "tools", {"a": 1}) == {"a": 1}
