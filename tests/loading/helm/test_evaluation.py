"""Go templates parsed (:mod:`crdoc.loading.helm.gotemplate`) and evaluated in three values
(:mod:`crdoc.loading.helm.evaluator`), the conditions found around each line of a template
(:mod:`crdoc.loading.helm.guards`), and what ``.Files`` holds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES

from crdoc.loading.helm.context import (
    UNKNOWN,
    ChartContext,
    ChartFiles,
    FileData,
    FileText,
    glob_matcher,
    go_format,
    truth,
)
from crdoc.loading.helm.evaluator import Evaluator
from crdoc.loading.helm.gotemplate import (
    Action,
    Block,
    TemplateSyntaxError,
    Text,
    parse,
    parse_pipeline,
)
from crdoc.loading.helm.guards import template_guards
from crdoc.loading.helm.values import read_values_text
from crdoc.loading.helmview import HelmView
from crdoc.loading.sources import open_source

HELM = FIXTURES / "helm"


def evaluator(values: Any = None, files: dict[str, str] | None = None, **context: Any) -> Any:
    contents = {name: text.encode() for name, text in (files or {}).items()}
    chart_files = ChartFiles(list(contents), contents.__getitem__, str, str)
    return Evaluator(ChartContext(values=values or {}, chart={}, files=chart_files, **context))


def value(expression: str, values: Any = None, **context: Any) -> Any:
    return evaluator(values, **context).evaluate(expression)


# -- parsing ---------------------------------------------------------------------------------------


def test_parse_blocks_and_lines() -> None:
    text = (
        '{{- if .Values.a }}\nx: 1\n{{- else if eq .Values.b "c" }}\ny: 2\n'
        "{{- else }}\nz\n{{- end }}\n"
    )
    (block, tail) = parse(text)
    assert isinstance(block, Block) and block.keyword == "if" and block.line == 1
    assert [b.pipe.text if b.pipe else None for b in block.branches] == [
        ".Values.a",
        'eq .Values.b "c"',
        None,
    ]
    assert [b.line for b in block.branches] == [1, 3, 5]
    assert isinstance(tail, Text) and tail.text == "\n"


def test_trim_markers_remove_white_space() -> None:
    """``{{-`` and ``-}}`` remove the white space beside them, as Go does (``{{-3}}`` is a
    number, not a trim)."""
    nodes = parse("a  \n {{- .x -}} \n b{{ -3 }}")
    assert [n.text for n in nodes if isinstance(n, Text)] == ["a", "b"]
    assert [n.pipe.text for n in nodes if isinstance(n, Action)] == [".x", "-3"]


@pytest.mark.parametrize(
    "text",
    ["{{ if .a }}", "{{ end }}", "{{ else }}", '{{ define "x" }}', "{{ .a | }}", "{{ ( }}"],
)
def test_unbalanced_or_broken_templates_are_syntax_errors(text: str) -> None:
    with pytest.raises(TemplateSyntaxError):
        parse(text)


def test_pipeline_operands() -> None:
    pipe = parse_pipeline('$k, $v := (.Files.Glob "x/*").AsConfig | indent 2')
    assert pipe.variables == ("$k", "$v") and not pipe.assigns
    assert len(pipe.commands) == 2


# -- truth, comparisons and functions --------------------------------------------------------------

VALUES = read_values_text(
    "flags: {enabled: true, disabled: false, name: '', zero: 0, one: 1}\n"
    "channel: standard\nlist: [a, b]\nempty: {}\n",
    "values.yaml",
)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        (".Values.flags.enabled", True),
        (".Values.flags.zero", False),  # 0.0
        (".Values.flags.name", False),
        (".Values.empty", False),
        (".Values.missing", False),
        ('"false"', True),  # a non-empty string
        ("(.Values.missing).deep", False),  # a field of a parenthesised nil is nil
        (".Values.missing.deep", None),  # through nil: a Helm error
        ('eq .Values.channel "standard"', True),
        ('eq .Values.channel "a" "standard"', True),  # eq a b c: a == b or a == c
        ("eq .Values.flags.one 1", None),  # float64 and int: a Helm error
        ("eq (int .Values.flags.one) 1", True),
        ('eq .Values.missing "x"', False),  # nil compares false
        ('ne .Values.channel "x"', True),
        ("lt 1 2", True),
        ('lt "a" 2', None),
        ("gt .Values.flags.one 0.5", True),
        ("and .Values.flags.enabled .Values.flags.name", False),
        ("and .Values.missing .Values.missing.deep", False),  # short-circuit: no error
        ("or .Values.flags.disabled .Values.channel", True),
        ("or .Values.missing.deep .Values.flags.enabled", True),  # unknown or true: true
        ("and .Values.missing.deep .Values.flags.disabled", False),  # unknown and false
        ("and .Values.missing.deep .Values.flags.enabled", None),
        ("not .Values.flags.name", True),
        ("not .Values.missing.deep", None),
        ("empty .Values.list", False),
        ("default true .Values.flags.disabled", True),  # default replaces false
        ('hasKey .Values.flags "disabled"', True),
        ('hasKey .Values.missing "x"', False),
        ('hasKey .Values.channel "x"', None),
        ('has "b" .Values.list', True),
        ('has "b" .Values.channel', None),  # Sprig panics on a string haystack
        ('has "b" .Values.missing', False),
        ('semverCompare ">=1.22-0" .Capabilities.KubeVersion.GitVersion', True),
        ('semverCompare ">=1.22" "not a version"', None),
        ('.Capabilities.APIVersions.Has "apiextensions.k8s.io/v1"', True),
        ('.Capabilities.APIVersions.Has "apiextensions.k8s.io/v1beta1"', True),
        ('.Capabilities.APIVersions.Has "apiextensions.k8s.io/v1/CustomResourceDefinition"', False),
        ("ge (int .Capabilities.KubeVersion.Minor) 22", True),
        ('eq (.Values.flags.enabled | toString) "true"', True),
        ('ternary .Values.flags.enabled false (hasKey .Values.flags "enabled")', True),
        ('ternary 1 2 "yes"', None),  # the test must be a boolean
        ('eq (coalesce .Values.missing .Values.channel) "standard"', True),
        ('eq (dig "flags" "name" "x" .Values) ""', True),
        ('lookup "v1" "Namespace" "" "x"', None),  # cluster state
        ('eq .Release.Service "Helm"', True),
        ('unknownFunction "x"', None),
        ('required "needed" .Values.missing', None),
        ('fail "stop"', None),
    ],
)
def test_truth_of_expressions(expression: str, expected: bool | None) -> None:
    assert truth(value(expression, VALUES)) is expected


def test_numbers_print_as_go_prints_them() -> None:
    assert [go_format(v) for v in (1.0, 1.5, 100000.0, 1000000.0, 1e21, 0.0001, 1e-05)] == [
        "1",
        "1.5",
        "100000",
        "1e+06",
        "1e+21",
        "0.0001",
        "1e-05",
    ]
    assert value('printf "%s-%v-%d" "a" 1.0 3', VALUES) == "a-1-3"
    assert value("toString .Values.missing", VALUES) == "<nil>"


def test_yaml_keys_helm_reads_as_booleans() -> None:
    """YAML 1.1 ``on:`` is the boolean true for Helm's YAML reader: the key is ``"true"``, and
    ``.Values.on`` is nothing — a real trap in charts."""
    values = read_values_text("on: true\noff: 1\n", "values.yaml")
    assert values == {"true": True, "false": 1.0}
    assert truth(value(".Values.on", values)) is False


def test_include_renders_the_named_template() -> None:
    view = HelmView(open_source(HELM / "guards-chart"))
    ev = Evaluator(view.context(0))
    assert ev.evaluate('include "guards.onText" .') == "true"
    assert ev.evaluate('include "guards.offText" .') == "false"  # a non-empty string: true
    assert ev.evaluate('include "guards.offEmpty" .') == ""
    assert ev.evaluate('include "no.such" .') is UNKNOWN


def test_recursive_named_templates_stop() -> None:
    """A hostile chart's template that includes itself ends as unknown, not a crash."""
    from crdoc.loading.helm.context import Definition
    from crdoc.loading.helm.gotemplate import definitions

    text = '{{- define "loop" }}x{{ include "loop" . }}{{- end }}'
    found = {n: Definition(d, text, "t") for n, d in definitions(parse(text)).items()}
    ev = evaluator(definitions=lambda: found)
    assert ev.evaluate('include "loop" .') is UNKNOWN


#: guards-chart/templates/gNN.yaml → whether Helm renders it with the chart's values (read
#: from Helm's source; g05/g06/g10/g20/g21/g23 are false or nil, g17 needs a cluster).
GUARDS = {
    1: True,
    2: True,
    3: False,
    4: False,
    5: False,
    6: False,
    7: True,
    8: True,
    9: True,
    10: False,
    11: True,
    12: True,
    13: True,
    14: True,
    15: True,
    16: True,
    17: False,
    18: True,
    19: True,
    20: False,
    21: False,
    22: True,
    23: False,
    24: True,
    25: True,
    26: False,
}


@pytest.mark.parametrize("number", sorted(GUARDS))
def test_guards_chart_conditions(number: int) -> None:
    """The condition around each guard template, found in the template and evaluated with the
    chart's values, is what Helm decides."""
    chart = HELM / "guards-chart"
    view = HelmView(open_source(chart))
    path = chart / "templates" / f"g{number:02d}.yaml"
    text = path.read_text()
    guard = template_guards(text, str(path)).around(2, 12)
    assert guard
    satisfied = all(view.evaluate(0)(c) is c.holds for c in guard)
    assert satisfied is GUARDS[number]


# -- conditions around lines -----------------------------------------------------------------------


def test_conditions_around_documents() -> None:
    text = (
        "{{- if and .Values.a (not .Values.b) }}\n"  # 1
        "x: 1\n"  # 2
        "{{- else }}\n"  # 3
        "y: 2\n"  # 4
        "{{- with .Values.c }}\n"  # 5
        "z: {{ .d }}\n"  # 6
        "{{- if .e }}\n"  # 7
        "w: 1\n"  # 8
        "{{- end }}\n"  # 9
        "{{- end }}\n"  # 10
        "{{- end }}\n"  # 11
        "tail: 1\n"  # 12
    )
    guards = template_guards(text, "t.yaml")
    assert [(c.expression, c.holds) for c in guards.around(2, 2)] == [
        (".Values.a", True),
        (".Values.b", False),
    ]
    assert [(c.expression, c.holds) for c in guards.around(4, 4)] == [
        ("and .Values.a (not .Values.b)", False)
    ]
    inner = guards.around(8, 8)
    assert [(c.expression, c.holds, c.dot) for c in inner] == [
        ("and .Values.a (not .Values.b)", False, ()),
        (".Values.c", True, ()),
        (".e", True, (".Values.c",)),
    ]
    assert guards.around(2, 4) == ()  # across branches: only what both share
    assert guards.around(12, 12) == ()
    assert [offset for offset, _ in guards.choices] == [0]


def test_variables_in_conditions_are_kept_with_their_pipeline() -> None:
    text = '{{- $c := .Values.channel }}\n{{- if eq $c "x" }}\na: 1\n{{- end }}\n'
    (condition,) = template_guards(text, "t.yaml").around(3, 3)
    assert condition.variables == (("$c", ".Values.channel"),)
    view_values = {"channel": "x"}
    ev = evaluator(view_values)
    assert ev.evaluate('eq $c "x"', None, {"$c": ev.evaluate(".Values.channel")}) is True


# -- .Files ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "matches"),
    [
        ("crds/*.yaml", ["crds/a.yaml", "crds/b.yaml"]),
        ("crds/*", ["crds/a.yaml", "crds/b.yaml", "crds/notes.txt"]),
        ("crds/**.yaml", ["crds/a.yaml", "crds/b.yaml", "crds/deep/c.yaml"]),
        ("crds/**/*.yaml", ["crds/deep/c.yaml"]),
        ("crds/?.yaml", ["crds/a.yaml", "crds/b.yaml"]),
        ("crds/[!a].yaml", ["crds/b.yaml"]),
        ("crds/{a,b}.yaml", ["crds/a.yaml", "crds/b.yaml"]),
        ("crds/[", ["crds/a.yaml", "crds/b.yaml", "crds/deep/c.yaml", "crds/notes.txt"]),
    ],
)
def test_glob_matches_as_helm(pattern: str, matches: list[str]) -> None:
    """gobwas/glob with ``/`` as separator; a pattern that does not compile matches every
    file, as in Helm."""
    names = ["crds/a.yaml", "crds/b.yaml", "crds/deep/c.yaml", "crds/notes.txt"]
    assert [n for n in names if glob_matcher(pattern)(n)] == matches


def test_files_values() -> None:
    ev = evaluator(files={"f/a.yaml": "a: 1", "f/b.yaml": "b"})
    assert isinstance(ev.evaluate('.Files.Get "f/a.yaml"'), FileText)
    assert ev.evaluate('.Files.Get "f/missing.yaml"') == ""
    assert ev.evaluate('.Files.Get "../f/a.yaml"') == ""
    assert isinstance(ev.evaluate('(.Files.Glob "f/*").AsConfig'), FileData)
    assert isinstance(ev.evaluate('.Files.Get "f/a.yaml" | b64enc'), FileData)
    assert ev.evaluate('tpl (.Files.Get "f/a.yaml") .').tpl is True
    assert ev.evaluate('contains "a:" (.Files.Get "f/a.yaml")') is True


def test_helmignore_rules(tmp_path: Path) -> None:
    """Helm's ignore rules: a name without ``/`` matches base names, with ``/`` the whole path,
    ``dir/`` folders only; templates' dot files are always ignored."""
    chart = tmp_path / "c"
    for name in ("ci/x.yaml", "a/notes.bak", "a/keep.yaml", "docs/x.yaml", "templates/.hidden"):
        (chart / name).parent.mkdir(parents=True, exist_ok=True)
        (chart / name).write_text("x")
    (chart / "Chart.yaml").write_text("name: c\n")
    (chart / ".helmignore").write_text("# comment\nci/\n*.bak\n/docs/x.yaml\n")
    (seen,) = open_source(chart).charts
    assert sorted(seen.files_seen()) == [".helmignore", "a/keep.yaml"]
