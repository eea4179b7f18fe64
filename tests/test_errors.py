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

from crdoc import CrdocError, Limits, LoadOptions, load
from crdoc.cli import cli

ERRORS = Path(__file__).resolve().parent / "fixtures" / "errors"
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
