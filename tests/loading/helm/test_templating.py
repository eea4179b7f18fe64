"""Go-templated YAML: :func:`crdoc.loading.helm.templating.neutralise` form by form, then CRDs
read end to end from templated chart files (``tests/fixtures/templating``), with errors at
original lines."""

from __future__ import annotations

import json

import pytest
import yaml
from conftest import FIXTURES

from crdoc import CrdocError, LoadOptions, load
from crdoc.cli import cli
from crdoc.errors import CrdocErrors
from crdoc.loading.helm.templating import PLACEHOLDER, is_templated, neutralise

TEMPLATING = FIXTURES / "templating"
CHART = TEMPLATING / "templated-chart"
HEAVY = CHART / "templates" / "crds.yaml"

# -- neutralise, one form at a time ----------------------------------------------------------------

#: (id, templated input, expected output keeping all branches)
FORMS = [
    ("no-template", "a: 1\nb: [x, y]\n", "a: 1\nb: [x, y]\n"),
    ("if-end-lines", "{{- if .Values.on }}\na: 1\n{{- end }}\n", "\na: 1\n\n"),
    (
        "with-range-lines",
        "{{ with .Values.x }}\na: 1\n{{ end }}\n{{- range .Values.list }}\n- b\n{{- end }}\n",
        "\na: 1\n\n\n- b\n\n",
    ),
    (
        "nested-if",
        "{{- if .a }}\n  {{- if .b }}\nx: 1\n  {{- end }}\ny: 2\n{{- end }}\n",
        "\n\nx: 1\n\ny: 2\n\n",
    ),
    (
        "if-else-both-kept",
        "{{- if .a }}\nv: one\n{{- else if .b }}\nv: two\n{{- else }}\nv: three\n{{- end }}\n",
        "\nv: one\n\nv: two\n\nv: three\n\n",
    ),
    (
        "include-nindent-line",
        'labels:\n  {{- include "x.labels" . | nindent 4 }}\n  a: b\n',
        "labels:\n\n  a: b\n",
    ),
    ("toyaml-line", "spec:\n  {{- toYaml .Values.spec | nindent 2 }}\n", "spec:\n\n"),
    (
        "inline-block-after-key",
        "annotations: {{- toYaml .Values.annotations | nindent 4 }}\nnext: 1\n",
        "annotations: \nnext: 1\n",
    ),
    ("inline-value", "name: {{ .Release.Name }}-x\n", f"name: {PLACEHOLDER}-x\n"),
    ("double-quoted", 'a: "{{ .Values.a }}"\n', f'a: "{PLACEHOLDER}"\n'),
    ("single-quoted", "a: 'pre {{ .Values.a }} post'\n", f"a: 'pre {PLACEHOLDER} post'\n"),
    ("two-inline", "a: {{ .x }}-{{ .y }}\n", f"a: {PLACEHOLDER}-{PLACEHOLDER}\n"),
    ("comment-line", "{{/* a comment */}}\na: 1\n", "\na: 1\n"),
    ("comment-multi-line", "{{- /*\none\ntwo\n*/ -}}\na: 1\n", "\n\n\n\na: 1\n"),
    ("comment-holding-braces", '{{/* a "}}" b }} */}}\na: 1\n', "\na: 1\n"),
    ("string-holding-braces", 'a: {{ printf "}}" }}\n', f"a: {PLACEHOLDER}\n"),
    ("raw-string-holding-braces", "a: {{ `}}` }}\n", f"a: {PLACEHOLDER}\n"),
    (
        "action-over-lines",
        '{{- $x := dict\n  "a" 1\n  "b" 2 }}\na: 1\n',
        "\n\n\na: 1\n",
    ),
    (
        "include-over-lines",
        'm:\n  {{ include "x"\n     (dict "k" 1) | nindent 2 }}\n  a: 1\n',
        "m:\n\n\n  a: 1\n",
    ),
    ("trim-markers-keep-lines", "a: 1\n\n{{- /* c */ -}}\n\nb: 2\n", "a: 1\n\n\n\nb: 2\n"),
    (
        "define-dropped",
        '{{- define "x" }}\nnot: [yaml\n{{- if .a }}\nmore\n{{- end }}\n{{- end }}\na: 1\n',
        "\n\n\n\n\n\na: 1\n",
    ),
    ("crlf", "a: 1\r\n{{- if .x }}\r\nb: 2\r\n{{- end }}\r\n", "a: 1\r\n\nb: 2\r\n\n"),
]


@pytest.mark.parametrize(("text", "expected"), [f[1:] for f in FORMS], ids=[f[0] for f in FORMS])
def test_neutralise_form(text: str, expected: str) -> None:
    """Each template form becomes the exact plain YAML the module promises, line for line."""
    out = neutralise(text)
    assert out == expected
    assert out.count("\n") == text.count("\n")


@pytest.mark.parametrize(("text", "expected"), [f[1:] for f in FORMS], ids=[f[0] for f in FORMS])
def test_neutralise_output_is_plain(text: str, expected: str) -> None:
    """What neutralise leaves holds no template action any more."""
    assert not is_templated(neutralise(text))
    assert not is_templated(neutralise(text, first_branch=True))


def test_neutralise_first_branch_keeps_only_first() -> None:
    """``first_branch=True`` keeps the ``if`` branch and drops ``else if``/``else`` branches,
    lines kept as blanks."""
    text = "{{- if .a }}\nv: one\n{{- else if .b }}\nv: two\n{{- else }}\nv: three\n{{- end }}\n"
    assert neutralise(text, first_branch=True) == "\nv: one\n\n\n\n\n\n"


def test_neutralise_first_branch_drops_nested_blocks_of_else() -> None:
    """A block nested in a dropped ``else`` is dropped whole, and text after ``end`` is back."""
    text = "{{ if .a }}\nx: 1\n{{ else }}\n{{ if .b }}\ny: 2\n{{ end }}\nz: 3\n{{ end }}\nw: 4\n"
    assert neutralise(text, first_branch=True) == "\nx: 1\n\n\n\n\n\n\nw: 4\n"


def test_neutralise_first_branch_keeps_range_else() -> None:
    """A ``range``'s ``else`` is not an alternative to drop: it stays with ``first_branch``."""
    text = "{{ range .items }}\na: 1\n{{ else }}\nb: 2\n{{ end }}\n"
    assert neutralise(text, first_branch=True) == "\na: 1\n\nb: 2\n\n"


@pytest.mark.parametrize("first_branch", [False, True], ids=["all-branches", "first-branch"])
def test_neutralise_preserves_line_count_of_fixture(first_branch: bool) -> None:
    """Over the heavily templated fixture, every line stays where it was: same line count, and
    every line without a template action is unchanged (or blank where dropped)."""
    text = HEAVY.read_text()
    out = neutralise(text, first_branch=first_branch)
    assert out.count("\n") == text.count("\n")
    for before, after in zip(text.split("\n"), out.split("\n"), strict=True):
        if "{{" not in before and "}}" not in before and "*/" not in before:
            assert after in (before, ""), (before, after)


def test_neutralised_fixture_parses_as_yaml() -> None:
    """The heavy fixture, neutralised, is plain YAML (one document after the comments)."""
    documents = list(yaml.safe_load_all(neutralise(HEAVY.read_text())))
    assert [d["kind"] for d in documents if d] == ["CustomResourceDefinition"]


def test_neutralise_inline_comment_vanishes() -> None:
    """A comment emits nothing, so one at the end of a value must not change that value."""
    out = neutralise("type: string {{/* was an integer */}}\n")
    assert yaml.safe_load(out) == {"type": "string"}


def test_neutralise_inline_control_actions_vanish() -> None:
    """``if``/``end`` emit nothing: inline, they must not glue TEMPLATED to a key or value."""
    text = "    {{- if .Values.x }}nullable: true{{- end }}\n"
    assert yaml.safe_load(neutralise(text)) == {"nullable": True}


def test_neutralise_inline_action_over_lines_with_text_after() -> None:
    """An inline action spanning lines, followed by more text (``}}-x``), still gives a value
    and keeps the mapping around it valid."""
    text = "m:\n  name: {{ .Release.Name\n    }}-x\n  e: 1\n"
    out = neutralise(text)
    assert out.count("\n") == text.count("\n")
    assert yaml.safe_load(out) == {"m": {"name": f"{PLACEHOLDER}-x", "e": 1}}


def test_neutralise_value_named_like_a_block_function() -> None:
    """``.Values.indent`` is a value, not the ``indent`` function: it becomes TEMPLATED."""
    assert neutralise("width: {{ .Values.indent }}\n") == f"width: {PLACEHOLDER}\n"


# -- end to end: CRDs from templated chart files ---------------------------------------------------


def crd_by_key(catalog, key: str):
    crd = catalog.find(key)
    assert crd is not None, [c.key for c in catalog.crds]
    return crd


def test_templated_chart_yields_both_crds() -> None:
    """The templated chart gives exactly the CRDs of its two templates; ``_helpers.tpl`` (only
    definitions) is not read, and both CRDs belong to the chart."""
    catalog = load(CHART)
    assert [(c.key, c.sources, c.chart.name, c.chart.version) for c in catalog.crds] == [
        ("templated.example.com/cogs", ("templates/alt-apiversion.yaml",), "templated", "3.1.4"),
        ("templated.example.com/gears", ("templates/crds.yaml",), "templated", "3.1.4"),
    ]


def test_heavily_templated_crd_names_and_scope() -> None:
    """Names survive the ``with``/``toYaml`` block around short names (which read as none) and
    the inline action in ``singular`` reads as TEMPLATED."""
    crd = crd_by_key(load(CHART), "templated.example.com/gears")
    assert (crd.kind, crd.plural, crd.singular, crd.short_names, crd.scope) == (
        "Gear",
        "gears",
        f"{PLACEHOLDER}-gear",
        (),
        "Cluster",
    )


def test_heavily_templated_crd_fields() -> None:
    """Every field of the templated schema is found: ``required`` from a nested ``if``, inline
    actions in quoted descriptions and a multi-line action as a default, the ``include`` over
    two lines dropped, and both branches of an ``if``/``else`` kept."""
    crd = crd_by_key(load(CHART), "templated.example.com/gears")
    (version,) = crd.versions
    assert version.description == f"Gears of {PLACEHOLDER}"
    assert [(f.path, f.required, dict(f.facts)) for f in version.fields] == [
        ("spec", False, {"type": "object"}),
        (
            "spec.teeth",
            True,
            {
                "type": "integer",
                "description": f"Teeth, {PLACEHOLDER} ok",
                "default": PLACEHOLDER,
            },
        ),
        ("spec.ratio", False, {"type": "string"}),
        ("spec.extra", False, {"type": "string"}),
        ("spec.fallback", False, {"type": "string"}),
    ]


def test_alternative_api_version_lines_use_first_branch() -> None:
    """``apiVersion:`` given twice by an ``if``/``else`` does not parse with both branches; the
    reader retries with first branches and gets the ``v1`` CRD."""
    crd = crd_by_key(load(CHART), "templated.example.com/cogs")
    assert crd.api_version == "apiextensions.k8s.io/v1"
    assert [v.name for v in crd.versions] == ["v1"]
    assert [f.path for f in crd.versions[0].fields] == ["size"]


def test_heavy_fixture_through_cli(runner) -> None:
    """The CLI reads the templated chart without error or warning."""
    result = runner.invoke(cli, ["inspect", str(CHART), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    data = json.loads(result.stdout)
    assert [(c["plural"], c["sources"], len(c["versions"][0]["fields"])) for c in data["crds"]] == [
        ("cogs", ["templates/alt-apiversion.yaml"], 1),
        ("gears", ["templates/crds.yaml"], 5),
    ]


# -- errors in templated files: original line numbers ----------------------------------------------

INVALID_MAPPING = (
    "mapping values are not allowed in this context"
    if yaml.__with_libyaml__
    else "mapping values are not allowed here"
)


def test_errors_in_templated_files_report_original_lines() -> None:
    """A schema error and a YAML syntax error, each below comments, blocks and ``include`` lines,
    are reported at their line in the original template, both of them."""
    chart = TEMPLATING / "broken-chart"
    with pytest.raises(CrdocErrors) as caught:
        load(chart)
    assert [error.located() for error in caught.value.errors] == [
        f"{chart}/templates/bad-schema.yaml:31: 'properties' must be a mapping, not a list",
        f"{chart}/templates/bad-yaml.yaml:16: invalid YAML: {INVALID_MAPPING}",
    ]


def test_errors_in_templated_files_through_cli(runner) -> None:
    """The CLI prints those two errors, one line each, and exits 1."""
    chart = TEMPLATING / "broken-chart"
    result = runner.invoke(cli, ["inspect", str(chart)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {chart}/templates/bad-schema.yaml:31: 'properties' must be a mapping, not a list\n"
        f"{chart}/templates/bad-yaml.yaml:16: invalid YAML: {INVALID_MAPPING}\n"
    )


def test_error_after_alternative_api_versions_is_the_real_one() -> None:
    """With ``apiVersion`` alternatives, the file parses only with first branches; a schema
    error further down must be reported, not the artefact of keeping both branches."""
    chart = TEMPLATING / "alt-error-chart"
    with pytest.raises(CrdocError) as caught:
        load(chart)
    assert caught.value.located() == (
        f"{chart}/templates/crd.yaml:20: 'properties' must be a mapping, not a list"
    )


def test_alternative_crd_documents_use_first_branch() -> None:
    """A template giving the same CRD as ``v1`` or (``else``) ``v1beta1``, as two documents, is
    one CRD: the first branch's."""
    catalog = load(TEMPLATING / "alt-documents-chart")
    assert [(c.key, c.api_version, c.sources) for c in catalog.crds] == [
        ("alt.example.com/pins", "apiextensions.k8s.io/v1", ("templates/crd.yaml",))
    ]


def test_templated_error_is_skipped_with_skip_invalid() -> None:
    """With ``skip_invalid`` the templated errors become warnings, at the same lines (and with
    ``allow_empty`` a source left without CRDs is accepted)."""
    chart = TEMPLATING / "broken-chart"
    catalog = load(chart, LoadOptions(skip_invalid=True, allow_empty=True))
    assert catalog.crds == ()
    assert catalog.warnings == (
        f"{chart}/templates/bad-schema.yaml:31: 'properties' must be a mapping, not a list",
        f"{chart}/templates/bad-yaml.yaml:16: invalid YAML: {INVALID_MAPPING}",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # another action on the line the first one ends on
        ("a: {{ .X\n  }}-{{ .Y }}\nb: 1\n", f"a: {PLACEHOLDER}-{PLACEHOLDER}\n\nb: 1\n"),
        # two actions over lines in a row
        ("a: {{ .X\n }}{{ .Y\n }}z\nb: 1\n", f"a: {PLACEHOLDER}{PLACEHOLDER}z\n\n\nb: 1\n"),
        # at the end of the file, with no line break after it
        ("a: {{ .X\n  }}", f"a: {PLACEHOLDER}\n"),
        # a control action over lines, alone on its lines
        ("{{- if and\n  .Values.x }}\na: 1\n{{- end }}\n", "\n\na: 1\n\n"),
    ],
)
def test_neutralise_keeps_text_after_actions_over_lines_on_their_line(
    text: str, expected: str
) -> None:
    out = neutralise(text)
    assert out == expected
    assert out.count("\n") == text.count("\n")
