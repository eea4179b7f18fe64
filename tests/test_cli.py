"""The command line: every command documented, whole outputs asserted, goldens reviewed in diffs."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import EXAMPLE_CHART, ROOT, TESTS

from crdoc.cli import cli

GOLDENS = TESTS / "goldens"
REGENERATE = "CRDOC_REGENERATE_GOLDENS=1 python -m pytest tests/test_cli.py -k golden"
COMMANDS = sorted(cli.commands)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_with_an_example(runner: CliRunner, name: str) -> None:
    """Each command's --help works and carries a real example invocation."""
    result = runner.invoke(cli, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert f"crdoc {name} " in result.output


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_is_in_the_readme(name: str) -> None:
    """The README documents every command (sqlite-utils' test_docs habit)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"crdoc {name}" in readme


def test_readme_quick_start_has_the_two_commands() -> None:
    """The two newcomer commands: build the example site, and run the tests."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "crdoc build examples/alloydbomni-operator --config mkdocs.yml -o site/" in readme
    assert "pip install -e '.[test]' && .venv/bin/python -m pytest" in readme
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install -e '.[test]' && .venv/bin/python -m pytest" in ci


def test_inspect_example_chart_finds_all_14_crds(runner: CliRunner) -> None:
    """The bundled example: 14 CRDs over two groups, 15 versions, the templated one included."""
    result = runner.invoke(cli, ["inspect", str(EXAMPLE_CHART), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    keys = [crd["group"] + "/" + crd["plural"] for crd in data["crds"]]
    assert len(keys) == 14
    assert {key.split("/")[0] for key in keys} == {
        "alloydbomni.dbadmin.goog",
        "alloydbomni.internal.dbadmin.goog",
    }
    assert sum(len(crd["versions"]) for crd in data["crds"]) == 15
    restores = next(c for c in data["crds"] if c["plural"] == "restores")
    assert restores["sources"] == ["charts/alloydbomni-operator-fleet/templates/crd-restores.yaml"]
    assert data["chart"]["name"] == "alloydbomni-operator"
    kinds = [crd["kind"] for crd in data["crds"]]
    assert kinds.count("Failover") == 2  # the same kind in both groups, kept apart


def _check_golden(name: str, actual: str) -> None:
    path = GOLDENS / name
    if os.environ.get("CRDOC_REGENERATE_GOLDENS"):
        path.write_text(actual, encoding="utf-8")
    expected = path.read_text(encoding="utf-8") if path.exists() else ""
    assert actual == expected, f"{name} differs from its golden; after review, run: {REGENERATE}"


def test_golden_inspect_text_of_example_chart(runner: CliRunner) -> None:
    """The model dump of the example chart (a golden: shows whether the model changed)."""
    result = runner.invoke(cli, ["inspect", str(EXAMPLE_CHART)])
    assert result.exit_code == 0, result.output
    _check_golden("example-inspect.txt", result.output)


def test_golden_markdown_page_of_example_chart(runner: CliRunner, tmp_path: Path) -> None:
    """One rendered GitHub page of the example chart (a golden: shows whether markup changed)."""
    out = tmp_path / "api"
    result = runner.invoke(cli, ["markdown", str(EXAMPLE_CHART), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    page = out / "alloydbomni.dbadmin.goog" / "backupplans-v1.md"
    _check_golden("example-backupplans-v1.md", page.read_text(encoding="utf-8"))


def test_inspect_text_lists_every_field_path(runner: CliRunner) -> None:
    """The text tree is complete: one line per field, in model order."""
    text = runner.invoke(cli, ["inspect", str(EXAMPLE_CHART)]).output
    data = json.loads(
        runner.invoke(cli, ["inspect", str(EXAMPLE_CHART), "--format", "json"]).output
    )
    lines = [line.strip().split(" ", 1)[0] for line in text.splitlines() if line.startswith("    ")]
    expected = [f["path"] for crd in data["crds"] for v in crd["versions"] for f in v["fields"]]
    assert lines == expected


def test_quiet_build_prints_nothing(runner: CliRunner, tmp_path: Path) -> None:
    """--quiet: no progress and no summary line."""
    result = runner.invoke(
        cli, ["markdown", str(EXAMPLE_CHART), "-o", str(tmp_path / "md"), "--quiet"]
    )
    assert result.exit_code == 0
    assert result.output == ""


def test_error_is_one_line_without_traceback(runner: CliRunner, tmp_path: Path) -> None:
    """A malformed CRD: `Error: path:line: message`, exit 1, no traceback."""
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
        "spec:\n  group: example.com\n",
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["inspect", str(bad)])
    assert result.exit_code == 1
    assert (
        result.output == f"Error: {bad}:3: CustomResourceDefinition has no 'spec.names' mapping\n"
    )


def test_usage_error_exits_2(runner: CliRunner) -> None:
    """A missing source is a usage error (click's exit code 2), not a crash."""
    result = runner.invoke(cli, ["inspect", "/nonexistent/chart"])
    assert result.exit_code == 2
    assert re.search(r"no such file or folder", result.output)


def test_version_option(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert "version" in result.output


def test_main_group_is_click_group() -> None:
    assert isinstance(cli, click.Group)
