"""Go templates parsed (:mod:`crdoc.loading.helm.gotemplate`)."""

from __future__ import annotations

import pytest

from crdoc.loading.helm.gotemplate import (
    Action,
    Block,
    TemplateSyntaxError,
    Text,
    parse,
    parse_pipeline,
)

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
