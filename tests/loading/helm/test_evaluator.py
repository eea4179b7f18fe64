"""Go templates evaluated in three values (:mod:`crdoc.loading.helm.evaluator`): truth,
comparisons and functions; the guards chart's conditions."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import FIXTURES

from crdoc.loading.helm.context import (
    UNKNOWN,
    ChartContext,
    ChartFiles,
    go_format,
    truth,
)
from crdoc.loading.helm.evaluator import Evaluator
from crdoc.loading.helm.gotemplate import (
    parse,
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
