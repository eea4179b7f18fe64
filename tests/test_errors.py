"""Failure modes, one tiny broken input each: the command line prints one ``Error: path:line:
message`` line, exits 1 and shows no traceback; usage errors exit 2; ``--skip-invalid`` turns
problems into warnings. Inputs are in ``tests/fixtures/errors`` or generated into ``tmp_path``."""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import Result
from conftest import FIXTURES, corpus_entry

from crdoc import CrdocError, Limits, LoadOptions, load
from crdoc.cli import cli
from crdoc.loading.loader import template_syntax_errors
from crdoc.loading.sources import open_source

ERRORS = FIXTURES / "errors"
FILES = ERRORS / "files"

#: Ten lines of CRD leading to ``openAPIV3Schema:``, for generated schemas.
HEAD = (
    "apiVersion: apiextensions.k8s.io/v1\n"
    "kind: CustomResourceDefinition\n"
    "metadata: {name: deeps.errors.example.com}\n"
    "spec:\n"
    "  group: errors.example.com\n"
    "  names: {kind: Deep, plural: deeps}\n"
    "  versions:\n"
    "    - name: v1\n"
    "      schema:\n"
    "        openAPIV3Schema:\n"
)


def inspect(runner, *args: str | Path) -> Result:
    """``crdoc inspect ARGS`` through click's runner."""
    return runner.invoke(cli, ["inspect", *map(str, args)], prog_name="crdoc")


def assert_one_error(result: Result, expected: str) -> None:
    """Exit 1, nothing on stdout, exactly ``Error: <expected>`` on stderr, no traceback."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    assert result.stdout == ""
    assert result.stderr == f"Error: {expected}\n"
    assert "Traceback" not in result.output


def deep_schema(levels: int) -> str:
    """A CRD whose schema nests ``levels`` objects, one per line from line 11 (flow style, so
    lines stay short): the field at depth ``d`` is named on line ``11 + d``."""
    opening = "          {type: object, properties: {a:\n" * levels
    return HEAD + opening + "          {type: string" + "}" * (2 * levels + 1) + "\n"


def alias_bomb(levels: int = 9) -> str:
    """A CRD-looking document whose aliases expand to 10**levels nodes ("billion laughs")."""
    lines = [
        "apiVersion: apiextensions.k8s.io/v1",
        "kind: CustomResourceDefinition",
        "l0: &l0 [x, x, x, x, x, x, x, x, x, x]",
    ]
    for n in range(1, levels):
        lines.append(f"l{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


# -- one broken file each --------------------------------------------------------------------------

#: The parser's words for the unclosed flow mapping of ``unparseable.yaml`` (libyaml or PyYAML).
INVALID_YAML_FLOW = (
    "invalid YAML: did not find expected ',' or '}'"
    if yaml.__with_libyaml__
    else "invalid YAML: expected ',' or '}', but got ':'"
)

CASES = [
    ("unparseable-yaml", "unparseable.yaml", 8, INVALID_YAML_FLOW),
    ("missing-names", "no-names.yaml", 5, "CustomResourceDefinition has no 'spec.names' mapping"),
    ("missing-group", "no-group.yaml", 5, "CustomResourceDefinition has no 'spec.group'"),
    ("no-versions", "no-versions.yaml", 5, "CustomResourceDefinition has no versions"),
    (
        "properties-is-a-list",
        "properties-list.yaml",
        21,
        "'properties' must be a mapping, not a list",
    ),
    ("duplicate-key", "duplicate-key.yaml", 21, "invalid YAML: duplicate key 'spec'"),
    ("recursive-alias", "recursive-alias.yaml", 14, "recursive YAML alias"),
    (
        "invalid-json",
        "invalid.json",
        6,
        "invalid JSON: Expecting property name enclosed in double quotes",
    ),
]


@pytest.mark.parametrize(
    ("name", "line", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_broken_file(runner, name: str, line: int, message: str) -> None:
    """Each broken fixture gives its one exact ``Error: path:line: message`` line, exit 1."""
    path = FILES / name
    assert_one_error(inspect(runner, path), f"{path}:{line}: {message}")


@pytest.mark.parametrize(
    ("name", "line", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_broken_file_in_library(name: str, line: int, message: str) -> None:
    """The library raises the same problem as a :class:`CrdocError` with path and line."""
    path = FILES / name
    with pytest.raises(CrdocError) as caught:
        load(path)
    assert (caught.value.path, caught.value.line, caught.value.reason) == (str(path), line, message)


def test_invalid_utf8(runner, tmp_path: Path) -> None:
    """A file that is not UTF-8 is named with the line and byte offset of the first bad byte."""
    path = tmp_path / "latin1.yaml"
    data = b"apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n# caf\xe9\n"
    path.write_bytes(data)
    assert_one_error(inspect(runner, path), f"{path}:3: not valid UTF-8 (byte {data.index(0xE9)})")


def test_alias_bomb(runner, tmp_path: Path) -> None:
    """A "billion laughs" document is refused quickly at the node that crosses the budget (the
    sixth level, ~1.1 million nodes), with no memory blow-up."""
    path = tmp_path / "bomb.yaml"
    path.write_text(alias_bomb())
    assert_one_error(
        inspect(runner, path),
        f"{path}:8: YAML aliases expand this document past 1000000 nodes (alias bomb?)",
    )


def schema_bomb(anchor: str = " &", alias: str = " *") -> str:
    """A CRD whose schema nests aliases five levels deep, ten a level: 11,111 fields once
    expanded. ``anchor``/``alias`` are what stands between ``key:`` and ``&name``/``*name``."""
    lines = [
        HEAD.rstrip("\n"),
        "          type: object",
        "          properties:",
        f"            a0:{anchor}a0 {{type: string}}",
    ]
    for n in range(1, 5):
        refs = ", ".join(f"p{i}:{alias}a{n - 1}" for i in range(10))
        lines.append(f"            a{n}:{anchor}a{n} {{type: object, properties: {{{refs}}}}}")
    return "\n".join(lines) + "\n"


#: Spellings of anchors and aliases YAML allows; each must still be checked for expansion.
BOMB_SPELLINGS = [
    pytest.param(" &", " *", id="one-space"),
    pytest.param(
        "  &",
        " *",
        id="anchor-after-two-spaces",
    ),
    pytest.param(
        "\t&",
        " *",
        id="anchor-after-tab",
    ),
    pytest.param(
        " !!map &",
        " *",
        id="anchor-after-tag",
    ),
    pytest.param(
        " &",
        "  *",
        id="alias-after-two-spaces",
    ),
]


@pytest.mark.parametrize(("anchor", "alias"), BOMB_SPELLINGS)
def test_alias_bomb_in_schema_any_spelling(tmp_path: Path, anchor: str, alias: str) -> None:
    """Aliases inside a schema multiply the fields walked; whatever the spacing or tags around
    anchors and aliases, the expansion check refuses the document (here with a budget of 1000
    nodes, so that a missed check still ends quickly: it loads 11,111 fields instead)."""
    path = tmp_path / "schema-bomb.yaml"
    path.write_text(schema_bomb(anchor, alias))
    options = LoadOptions(limits=Limits(max_alias_nodes=1000))
    with pytest.raises(CrdocError) as caught:
        load(path, options)
    assert caught.value.located() == (
        f"{path}:16: YAML aliases expand this document past 1000 nodes (alias bomb?)"
    )


def test_schema_deeper_than_the_limit(runner, tmp_path: Path) -> None:
    """A schema nested 300 levels is refused by crdoc's own limit, at the first field too deep
    (depth 200, line 211), without a RecursionError."""
    path = tmp_path / "deep300.yaml"
    path.write_text(deep_schema(300))
    assert_one_error(inspect(runner, path), f"{path}:211: schema nested deeper than 200 levels")


def test_schema_at_the_limit_is_read(tmp_path: Path) -> None:
    """200 levels is still within the limit: 200 fields, the deepest at depth 199."""
    path = tmp_path / "deep200.yaml"
    path.write_text(deep_schema(200))
    fields = load(path).crds[0].versions[0].fields
    assert (len(fields), fields[-1].depth, fields[-1].type) == (200, 199, "string")


@pytest.mark.skipif(not yaml.__with_libyaml__, reason="the message is libyaml's")
def test_schema_nested_1000_levels_yaml(runner, tmp_path: Path) -> None:
    """A YAML schema nested 1000 levels gives a clear nesting error, not a RecursionError:
    libyaml stops at 1000 nested collections, two a level, so on line 508 (level 497)."""
    path = tmp_path / "deep1000.yaml"
    path.write_text(deep_schema(1000))
    assert_one_error(
        inspect(runner, path), f"{path}:508: invalid YAML: exceeded maximum nesting depth"
    )


#: One error line about nesting depth, for inputs whose exact wording is not crdoc's yet.
DEPTH_ERROR = r"Error: {path}(:\d+)?: [^\n]*(deep|depth|nest)[^\n]*\n"


def test_schema_nested_1000_levels_json(runner, tmp_path: Path) -> None:
    """A JSON schema nested 1000 levels gives one clear depth error, not a RecursionError."""
    path = tmp_path / "deep1000.json"
    levels = 1000
    path.write_text(
        '{"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",'
        ' "spec": {"group": "errors.example.com", "names": {"kind": "Deep", "plural": "deeps"},'
        ' "versions": [{"name": "v1", "schema": {"openAPIV3Schema": '
        + '{"type": "object", "properties": {"a": ' * levels
        + '{"type": "string"}'
        + "}}" * levels
        + "}}]}}\n"
    )
    result = inspect(runner, path)
    assert result.exit_code == 1
    assert not isinstance(result.exception, RecursionError)
    assert re.fullmatch(DEPTH_ERROR.format(path=re.escape(str(path))), result.stderr)


def test_schema_nested_deep_yaml_without_libyaml(tmp_path: Path) -> None:
    """With PyYAML's pure-Python parser (no libyaml), a schema nested 300 levels still gives one
    clear depth error, not a RecursionError traceback."""
    path = tmp_path / "deep300.yaml"
    path.write_text(deep_schema(300))
    script = "import sys, yaml; del yaml.CSafeLoader; from crdoc.cli import main; main()"
    done = subprocess.run(
        [sys.executable, "-c", script, "inspect", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in done.stderr, done.stderr[-300:]
    assert done.returncode == 1
    assert re.fullmatch(DEPTH_ERROR.format(path=re.escape(str(path))), done.stderr)


# -- not a chart -----------------------------------------------------------------------------------


def test_random_text_file_is_not_a_source(runner) -> None:
    """A text file that is neither YAML/JSON nor an archive is an error, not an empty result."""
    path = FILES / "not-a-chart.txt"
    result = inspect(runner, path)
    assert result.exit_code == 1
    assert re.fullmatch(rf"Error: {re.escape(str(path))}: [^\n]+\n", result.stderr)


def test_text_named_tgz_is_an_error(runner, tmp_path: Path) -> None:
    """A ``.tgz`` file that holds plain text is reported as an unreadable archive."""
    path = tmp_path / "chart-1.0.0.tgz"
    path.write_text("this is not an archive\n")
    result = inspect(runner, path)
    assert result.exit_code == 1
    assert re.fullmatch(
        rf"Error: {re.escape(str(path))}: not a readable \.tgz archive[^\n]*\n", result.stderr
    )


def test_gzip_that_is_not_tar_is_one_line_error(runner, tmp_path: Path) -> None:
    """A gzip file that holds no tar archive is one ``not a readable .tgz archive`` line."""
    path = tmp_path / "chart-1.0.0.tgz"
    path.write_bytes(gzip.compress(b"just some text, not a tar archive\n"))
    result = inspect(runner, path)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert re.fullmatch(
        rf"Error: {re.escape(str(path))}: not a readable \.tgz archive[^\n]*\n", result.stderr
    )


def test_gzip_that_is_not_tar_is_an_error(tmp_path: Path) -> None:
    """The library does refuse it, naming the file (the message's first line)."""
    path = tmp_path / "chart-1.0.0.tgz"
    path.write_bytes(gzip.compress(b"just some text, not a tar archive\n"))
    with pytest.raises(CrdocError) as caught:
        load(path)
    assert caught.value.located().startswith(f"{path}: not a readable .tgz archive: ")


def test_nonexistent_path_is_a_usage_error(runner, tmp_path: Path) -> None:
    """A source that does not exist is a usage error: exit 2, click's usage message."""
    path = tmp_path / "missing"
    result = inspect(runner, path)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "Usage: crdoc inspect [OPTIONS] SOURCE\n"
        "Try 'crdoc inspect --help' for help.\n"
        "\n"
        f"Error: Invalid value for 'SOURCE': '{path}': no such file or folder (nor a URL)\n"
    )


def test_nonexistent_path_in_library(tmp_path: Path) -> None:
    """The library reports a missing source as a :class:`CrdocError` naming it."""
    with pytest.raises(CrdocError) as caught:
        load(tmp_path / "missing")
    assert caught.value.located() == f"{tmp_path / 'missing'}: no such file or folder"


# -- several problems, and --skip-invalid ----------------------------------------------------------


def test_several_broken_files_are_all_reported(runner) -> None:
    """Every broken file of a folder is reported, one line each, in path order; the first line
    carries the ``Error:`` prefix; the text file is not read at all."""
    result = inspect(runner, FILES)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "Traceback" not in result.output
    expected = [f"{FILES}/{name}:{line}: {message}" for _, name, line, message in CASES]
    first, *rest = sorted(expected)
    assert result.stderr == "".join(line + "\n" for line in ["Error: " + first, *rest])


def test_mixed_folder_fails_without_skip_invalid(runner) -> None:
    """A folder with one valid and two broken files fails as a whole: both problems, no output."""
    folder = ERRORS / "mixed"
    result = inspect(runner, folder)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: {folder}/bad-group.yaml:5: CustomResourceDefinition has no 'spec.group'\n"
        f"{folder}/bad-yaml.yaml:8: {INVALID_YAML_FLOW}\n"
    )


def test_skip_invalid_warns_and_documents_the_rest(runner) -> None:
    """With ``--skip-invalid`` each broken file is one warning line and the valid CRD of the
    remaining file is output; exit 0."""
    folder = ERRORS / "mixed"
    for fmt in ("text", "json"):
        result = inspect(runner, folder, "--skip-invalid", "--format", fmt)
        assert result.exit_code == 0, result.output
        assert result.stderr == (
            f"Warning: skipped: {folder}/bad-group.yaml:5: "
            "CustomResourceDefinition has no 'spec.group'\n"
            f"Warning: skipped: {folder}/bad-yaml.yaml:8: {INVALID_YAML_FLOW}\n"
        )
    assert [(c["kind"], c["sources"]) for c in json.loads(result.stdout)["crds"]] == [
        ("Good", ["good.yaml"])
    ]


def test_skip_invalid_json_lists_warnings(runner) -> None:
    """In JSON, the skipped problems are listed under ``warnings``; ``-q`` silences stderr."""
    folder = ERRORS / "mixed"
    result = inspect(runner, folder, "--skip-invalid", "--format", "json", "-q")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    data = json.loads(result.stdout)
    assert [c["kind"] for c in data["crds"]] == ["Good"]
    assert data["warnings"] == [
        f"{folder}/bad-group.yaml:5: CustomResourceDefinition has no 'spec.group'",
        f"{folder}/bad-yaml.yaml:8: {INVALID_YAML_FLOW}",
    ]


def test_skip_invalid_keeps_valid_crds_of_a_partly_broken_file() -> None:
    """``--skip-invalid`` skips malformed *CRDs*: a valid CRD in the same stream as a broken
    one is still documented, the broken one a warning."""
    path = ERRORS / "partly-bad.yaml"
    catalog = load(path, LoadOptions(skip_invalid=True))
    assert catalog.warnings == (f"{path}:19: CustomResourceDefinition has no 'spec.group'",)
    assert [crd.key for crd in catalog.crds] == ["mixed.example.com/halves"]


HOSTILE_NAMES = [
    pytest.param(
        "names", "kind", '"Gadget<script>"', "spec.names.kind 'Gadget<script>'", id="kind"
    ),
    pytest.param("names", "plural", '"../x"', "spec.names.plural '../x'", id="plural"),
    pytest.param("names", "shortNames", '["g|d"]', "spec.names.shortNames 'g|d'", id="short-name"),
    pytest.param("spec", "group", '"../../escaped"', "spec.group '../../escaped'", id="group"),
    pytest.param("spec", "scope", '"Namespaced<b>"', "spec.scope 'Namespaced<b>'", id="scope"),
]


@pytest.mark.parametrize(("where", "key", "value", "message"), HOSTILE_NAMES)
def test_hostile_names_are_refused(
    runner, tmp_path: Path, where: str, key: str, value: str, message: str
) -> None:
    """Names the Kubernetes API server would refuse (they become page paths, titles and nav
    entries) are an error naming the file and the line of the key."""
    names = {"kind": "Gadget", "plural": "gadgets"}
    spec = {"group": "example.com", "scope": "Namespaced"}
    (names if where == "names" else spec)[key] = value
    lines = [
        "apiVersion: apiextensions.k8s.io/v1",
        "kind: CustomResourceDefinition",
        "spec:",
        f"  group: {spec['group']}",
        f"  scope: {spec['scope']}",
        "  names:",
        *[f"    {k}: {v}" for k, v in names.items()],
        "  versions:",
        "  - {name: v1, served: true, storage: true}",
    ]
    path = tmp_path / "crd.yaml"
    path.write_text("\n".join(lines) + "\n")
    line = max(i for i, text in enumerate(lines, start=1) if text.strip().startswith(key + ":"))
    result = runner.invoke(cli, ["inspect", str(path)])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {path}:{line}: {message} is not ")
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "layout",
    [
        pytest.param("a: {x: {y: &z ANCHORED}}\nb: *z\nc: *z\n", id="alias-above-its-anchor"),
        pytest.param("a: &z ANCHORED\nb: *z\n", id="sibling-alias"),
        pytest.param("a: [&z ANCHORED, *z]\n", id="alias-in-a-list"),
        pytest.param("base: &z ANCHORED\nm: {<<: *z}\n", id="merge-key"),
    ],
)
def test_aliases_anywhere_are_measured(tmp_path: Path, layout: str) -> None:
    """However an alias is placed (above its anchor, beside it, in a list, as a key, through a
    merge key), the document's expanded size is measured: a bomb behind it is refused."""
    bomb = "{" + ", ".join(f"k{i}: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]" for i in range(8)) + "}"
    text = "kind: CustomResourceDefinition\napiVersion: apiextensions.k8s.io/v1\n" + layout.replace(
        "ANCHORED", bomb
    )
    path = tmp_path / "crd.yaml"
    path.write_text(text)
    with pytest.raises(CrdocError, match="expand this document past 50 nodes"):
        load(path, LoadOptions(limits=Limits(max_alias_nodes=50)))
    # Within the budget the document is read (and then refused for what it is: no CRD spec).
    with pytest.raises(CrdocError, match="has no 'spec' mapping"):
        load(path, LoadOptions(limits=Limits(max_alias_nodes=10_000)))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("!!float nope", "'nope' is not a valid float"),
        ("!!bool maybe", "'maybe' is not a valid bool"),
        ("!!int x1", "'x1' is not a valid int"),
        ("!!int " + "9" * 5000, "is not a valid int"),  # more digits than Python converts
    ],
)
def test_values_their_tag_cannot_read_name_their_line(
    tmp_path: Path, value: str, message: str
) -> None:
    (tmp_path / "crd.yaml").write_text(
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
        f"metadata: {{name: a.b.c}}\nspec:\n  y: 1\n  x: {value}\n",
        encoding="utf-8",
    )
    with pytest.raises(CrdocError) as caught:
        load(tmp_path)
    assert caught.value.located().startswith(f"{tmp_path / 'crd.yaml'}:6: invalid YAML: ")
    assert message in caught.value.located()


# -- Go template syntax, as Helm's parser refuses it ---------------------------------------------

#: A CRD as a template (its label printed from the release).
TEMPLATED_CRD = (
    "apiVersion: apiextensions.k8s.io/v1\n"
    "kind: CustomResourceDefinition\n"
    "metadata:\n"
    "  name: goods.errors.example.com\n"
    "  labels: {release: {{ .Release.Name | quote }}}\n"
    "spec:\n"
    "  group: errors.example.com\n"
    "  names: {kind: Good, plural: goods}\n"
    "  scope: Namespaced\n"
    "  versions: [{name: v1, served: true, storage: true}]\n"
)


def template_chart(into: Path, broken: dict[str, str]) -> Path:
    """A chart whose ``templates/good.yaml`` is a valid templated CRD, plus ``broken`` (file
    name under ``templates/`` → text)."""
    chart = into / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: chart\nversion: 1.0.0\n")
    (chart / "values.yaml").write_text("plural: goods\nlist: [1]\n")
    (chart / "templates" / "good.yaml").write_text(TEMPLATED_CRD)
    for name, text in broken.items():
        (chart / "templates" / name).write_text(text)
    return chart


def helm_verdict(chart: Path) -> str | None:
    """Helm's parse error for a chart (``None`` when it renders), from the real Helm engine;
    the test is skipped when ``helm_python`` is not installed."""
    helm_python = pytest.importorskip("helm_python")
    try:
        helm_python.Chart.load(chart).render({}, name="release", namespace="default")
    except helm_python.HelmError as error:
        return str(error) if "parse error" in str(error) else None
    return None


#: One broken template per way Go's parser (so Helm) refuses it: file, text, line, message.
TEMPLATE_SYNTAX = [
    ("unclosed-action", "x.yaml", "a: 1\nb: {{ .Values.x\n", 2, "unclosed action"),
    ("unclosed-string", "x.yaml", 'a: {{ "abc }}\n', 1, "unclosed action"),
    ("if-without-end", "x.yaml", "a: 1\n{{ if .Values.x }}\nb: 2\n", 2, "'if' without 'end'"),
    ("define-without-end", "_helpers.tpl", '{{ define "x" }}\na\n', 1, "'define' without 'end'"),
    ("extra-end", "x.yaml", "a: 1\n{{ end }}\n", 2, "'end' without a block"),
    ("else-outside", "x.yaml", "a: 1\n\n{{ else }}\n", 3, "'else' outside a block"),
    (
        "second-else",
        "x.yaml",
        "{{ if .Values.a }}\n{{ else }}\n{{ else }}\n{{ end }}\n",
        3,
        "a second 'else' in one block",
    ),
    (
        "else-if-in-range",
        "x.yaml",
        "{{ range .Values.list }}\n{{ else if .Values.a }}\n{{ end }}\n",
        2,
        "'else if' in a 'range' block",
    ),
    ("end-with-argument", "x.yaml", "{{ if true }}{{ end 1 }}\n", 1, "unexpected '1' in 'end'"),
    (
        "unknown-function",
        "x.yaml",
        "a: 1\nb: {{ .Values.x | frobnicate }}\n",
        2,
        "function 'frobnicate' not defined",
    ),
    ("env-is-not-helms", "x.yaml", 'home: {{ env "HOME" }}\n', 1, "function 'env' not defined"),
    (
        "unknown-function-in-untaken-branch",
        "x.yaml",
        "{{ if false }}\nb: {{ foo 1 }}\n{{ end }}\n",
        2,
        "function 'foo' not defined",
    ),
    ("undefined-variable", "x.yaml", "a: {{ $x }}\n", 1, "undefined variable '$x'"),
    (
        "variable-out-of-scope",
        "x.yaml",
        "{{ if true }}{{ $y := 1 }}{{ end }}\n{{ $y }}\n",
        2,
        "undefined variable '$y'",
    ),
    (
        "variable-in-define",
        "_helpers.tpl",
        '{{ $z := 1 }}\n{{ define "d" }}{{ $z }}{{ end }}\n',
        2,
        "undefined variable '$z'",
    ),
    ("break-outside-range", "x.yaml", "{{ break }}\n", 1, "{{break}} outside {{range}}"),
    (
        "define-in-a-block",
        "_helpers.tpl",
        '{{ if true }}\n{{ define "d" }}{{ end }}\n{{ end }}\n',
        2,
        "'define' inside a block or definition",
    ),
    ("empty-action", "x.yaml", "a: {{ }}\n", 1, "empty action"),
    ("bad-number", "x.yaml", "a: {{ 1x }}\n", 1, "bad number syntax: '1x'"),
    ("unclosed-comment", "x.yaml", "{{/* note }}\n", 1, "unclosed comment"),
    ("broken-notes", "NOTES.txt", "Installed\n{{ .Values.x\n", 2, "unclosed action"),
]


@pytest.mark.parametrize(
    ("name", "text", "line", "message"),
    [case[1:] for case in TEMPLATE_SYNTAX],
    ids=[case[0] for case in TEMPLATE_SYNTAX],
)
def test_template_syntax_error(
    tmp_path: Path, name: str, text: str, line: int, message: str
) -> None:
    """A template Go's parser refuses (any file of ``templates/``: helpers and ``NOTES.txt``
    too, even one holding no CRD) is an error naming its file and line; Helm refuses the chart
    too."""
    chart = template_chart(tmp_path, {name: text})
    with pytest.raises(CrdocError) as caught:
        load(chart)
    where = f"{chart}/templates/{name}"
    assert caught.value.located() == f"{where}:{line}: template syntax error: {message}"
    assert helm_verdict(chart) is not None


#: Templates Go's parser accepts, near the refused ones: crdoc must read them too.
TEMPLATE_SYNTAX_ACCEPTED = [
    pytest.param('a: "{{ .Values.plural }}"\nb: {{ "}}" }}\n', id="braces-in-strings"),
    pytest.param("{{/* a\n  note */}}\n{{- /* trimmed */ -}}\n", id="comments"),
    pytest.param("a: {{ mulf 2 0x1p4 }}\nb: {{ add 010 0b1 1_000 }}\n", id="go-numbers"),
    pytest.param("{{ if $v := .Values.a }}{{ else }}{{ $v }}{{ end }}\n", id="variable-in-else"),
    pytest.param("{{ range $i, $v := .Values.list }}{{ $i }}{{ break }}{{ end }}\n", id="range"),
    pytest.param("{{ with .Values.a }}{{ else with .Values.b }}{{ end }}\n", id="else-with"),
    pytest.param('{{ define "d" }}{{ $.Values.a }}{{ end }}\n', id="dollar-in-define"),
    pytest.param('{{ lookup "v1" "Pod" "" "" }}{{ toYamlPretty . }}\n', id="helm-functions"),
    pytest.param("a: {{\n  .Values.plural\n}}\n", id="action-over-lines"),
    pytest.param("a: {{ print ($x := 1) }}{{ $x }}\n", id="declared-in-parentheses"),
]


@pytest.mark.parametrize("text", TEMPLATE_SYNTAX_ACCEPTED)
def test_template_syntax_accepted(tmp_path: Path, text: str) -> None:
    """Valid syntax near each refused case is read without a word, as Helm reads it."""
    chart = template_chart(tmp_path, {"x.yaml": text})
    assert [crd.key for crd in load(chart).crds] == ["errors.example.com/goods"]
    assert helm_verdict(chart) is None


def test_template_syntax_error_on_the_command_line(runner, tmp_path: Path) -> None:
    """The command line prints one ``Error: path:line: message`` line, exits 1, writes
    nothing; every broken template is reported, in path order."""
    chart = template_chart(tmp_path, {"a.yaml": "{{ if .Values.a }}\n", "b.yaml": "x: {{ foo }}\n"})
    out = tmp_path / "out.md"
    result = runner.invoke(cli, ["markdown", str(chart), "-o", str(out)], prog_name="crdoc")
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: {chart}/templates/a.yaml:1: template syntax error: 'if' without 'end'\n"
        f"{chart}/templates/b.yaml:1: template syntax error: function 'foo' not defined\n"
    )
    assert not out.exists()


def test_skip_invalid_skips_a_template_that_does_not_parse(runner, tmp_path: Path) -> None:
    """With ``--skip-invalid`` the broken template is one warning and skipped; the chart's
    other CRDs are documented. Without a closing ``end`` the broken file's CRD is not."""
    chart = template_chart(
        tmp_path, {"crds.yaml": "{{ if .Values.on }}\n" + TEMPLATED_CRD.replace("good", "bad")}
    )
    result = inspect(runner, chart, "--skip-invalid", "--format", "json")
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        f"Warning: skipped: {chart}/templates/crds.yaml:1: template syntax error: "
        "'if' without 'end'\n"
    )
    assert [c["sources"] for c in json.loads(result.stdout)["crds"]] == [["templates/good.yaml"]]


def test_braces_in_a_plain_file_outside_a_chart_are_no_template(tmp_path: Path) -> None:
    """Outside a chart, a file that parses as plain YAML is plain YAML: ``{{`` in a CRD
    description (here never closed) is text, not a template syntax error."""
    path = tmp_path / "crd.yaml"
    path.write_text(
        TEMPLATED_CRD.replace("{{ .Release.Name | quote }}", "'use {{ .Values.x to set it'")
    )
    assert [crd.key for crd in load(path).crds] == ["errors.example.com/goods"]


def test_template_outside_a_chart_that_does_not_parse(tmp_path: Path) -> None:
    """Outside a chart, a file that is not plain YAML is read as a template: one Go's parser
    refuses is a template syntax error, not a YAML one."""
    path = tmp_path / "crd.yaml"
    path.write_text("{{ if .Values.on }}\n" + TEMPLATED_CRD)
    with pytest.raises(CrdocError) as caught:
        load(path)
    assert caught.value.located() == f"{path}:1: template syntax error: 'if' without 'end'"


FIXTURE_CHARTS = sorted(
    path.parent.relative_to(ERRORS.parent)
    for path in ERRORS.parent.rglob("Chart.yaml")
    if "charts" not in path.parent.relative_to(ERRORS.parent).parts
)


@pytest.mark.parametrize("chart", FIXTURE_CHARTS, ids=str)
def test_fixture_charts_parse_as_helm_parses_them(chart: Path) -> None:
    """Every chart among the test fixtures parses, in crdoc as in Helm (subcharts included)."""
    path = ERRORS.parent / chart
    assert template_syntax_errors(open_source(path)) == []
    assert helm_verdict(path) is None


def test_corpus_charts_parse_as_helm_parses_them(corpus_name: str) -> None:
    """Every corpus chart parses, in crdoc as in Helm."""
    path = corpus_entry(corpus_name)
    assert template_syntax_errors(open_source(path)) == []
    if path.is_file() or (path / "Chart.yaml").exists():
        assert helm_verdict(path) is None
