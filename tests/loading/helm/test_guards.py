"""The conditions found around each line of a template (:mod:`crdoc.loading.helm.guards`)."""

from __future__ import annotations

from test_evaluator import evaluator

from crdoc.loading.helm.guards import template_guards

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
