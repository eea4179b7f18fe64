"""crdoc where docs already live, through the real tools: the MkDocs plugin in `mkdocs build`,
README injection with `--check`, the settings file and `crdoc init`."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EXAMPLE_CHART

from crdoc.cli import cli

README = "# My operator\n\nIntro.\n\n## API\n\n<!-- BEGIN CRDOC -->\n<!-- END CRDOC -->\n\nEnd.\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A repository with the example chart in charts/ and a README with crdoc's markers."""
    shutil.copytree(EXAMPLE_CHART, tmp_path / "charts" / "alloydbomni-operator")
    (tmp_path / "README.md").write_text(README, encoding="utf-8")
    return tmp_path


def _mkdocs(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`mkdocs build` in its own process: the plugin is found through its entry point."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_plugin_in_a_real_mkdocs_build(project: Path) -> None:
    """Four lines in mkdocs.yml add the reference under reference/ and in the nav, and nothing
    is written into docs/."""
    (project / "docs").mkdir()
    (project / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
    (project / "mkdocs.yml").write_text(
        "site_name: Mine\nplugins:\n  - search\n  - crdoc:\n"
        "      source: charts/alloydbomni-operator\n",
        encoding="utf-8",
    )
    result = _mkdocs(project, "-d", "out")
    assert result.returncode == 0, result.stderr
    page = (
        project / "out" / "reference" / "alloydbomni.dbadmin.goog" / "backupplans-v1" / "index.html"
    )
    assert 'id="spec.backupLocation.gcsOptions"' in page.read_text(encoding="utf-8")
    assert "Reference" in (project / "out" / "index.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in (project / "docs").iterdir()) == ["index.md"]


def test_plugin_option_typo_fails_with_mkdocs_message(project: Path) -> None:
    """A misspelt plugin option is MkDocs' usual configuration error, naming the option."""
    (project / "docs").mkdir()
    (project / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
    (project / "mkdocs.yml").write_text(
        "site_name: Mine\nplugins:\n  - crdoc:\n      source: charts/alloydbomni-operator\n"
        "      paths: reference/\n",
        encoding="utf-8",
    )
    result = _mkdocs(project)
    assert result.returncode != 0
    assert "Plugin 'crdoc' option 'paths': unknown option 'paths'; did you mean 'path'?" in (
        result.stderr
    )


def test_inject_then_check_passes(project: Path, runner: CliRunner, monkeypatch) -> None:
    """`--inject README.md --check` fails (exit 1, a diff) before, passes after injecting; the
    text outside the markers is unchanged."""
    monkeypatch.chdir(project)
    args = ["markdown", "charts/alloydbomni-operator", "--inject", "README.md", "-q"]
    before = runner.invoke(cli, [*args, "--check"])
    assert before.exit_code == 1
    assert "+++ README.md" in before.output and "README.md is out of date" in before.output
    assert runner.invoke(cli, args).exit_code == 0
    text = (project / "README.md").read_text(encoding="utf-8")
    assert text.startswith("# My operator\n\nIntro.\n\n## API\n\n<!-- BEGIN CRDOC -->\n")
    assert text.endswith("<!-- END CRDOC -->\n\nEnd.\n")
    assert "\n## BackupPlan v1\n" in text and "\n# " not in text.split("BEGIN CRDOC")[1]
    after = runner.invoke(cli, [*args, "--check"])
    assert after.exit_code == 0, after.output


def test_inject_without_markers_leaves_the_file(project: Path, runner: CliRunner) -> None:
    """Missing markers: one clear error naming the file, and the file is untouched."""
    readme = project / "README.md"
    readme.write_text("# No markers\n", encoding="utf-8")
    result = runner.invoke(
        cli, ["markdown", str(project / "charts" / "alloydbomni-operator"), "--inject", str(readme)]
    )
    assert result.exit_code == 1
    assert str(readme) in result.output and "<!-- BEGIN CRDOC -->" in result.output
    assert readme.read_text(encoding="utf-8") == "# No markers\n"


def test_check_of_a_markdown_folder(project: Path, runner: CliRunner) -> None:
    """`crdoc markdown -o api/ --check` passes on a fresh output and fails once a page changed."""
    chart, out = str(project / "charts" / "alloydbomni-operator"), str(project / "api")
    assert runner.invoke(cli, ["markdown", chart, "-o", out, "-q"]).exit_code == 0
    assert runner.invoke(cli, ["markdown", chart, "-o", out, "--check", "-q"]).exit_code == 0
    page = project / "api" / "alloydbomni.dbadmin.goog" / "backupplans-v1.md"
    page.write_text(page.read_text(encoding="utf-8") + "edited\n", encoding="utf-8")
    stale = runner.invoke(cli, ["markdown", chart, "-o", out, "--check", "-q"])
    assert stale.exit_code == 1
    assert stale.output.splitlines()[-1] == "Error: 1 files out of date: run crdoc markdown"


def test_settings_file_gives_every_command_its_defaults(
    project: Path, runner: CliRunner, monkeypatch
) -> None:
    """`crdoc init` writes a crdoc.yaml that every command then reads: `crdoc coverage` with no
    argument covers the chart it names, and the file's exclude leaves status fields out."""
    monkeypatch.chdir(project)
    result = runner.invoke(cli, ["init", "--source", "charts/alloydbomni-operator"])
    assert result.exit_code == 0, result.output
    full = runner.invoke(cli, ["coverage", "--format", "json"])
    assert full.exit_code == 0, full.output
    settings = (project / "crdoc.yaml").read_text(encoding="utf-8")
    settings = settings.replace('#   fields: ["status.**"]', '  fields: ["status.**"]')
    settings = settings.replace("# exclude:", "exclude:")
    (project / "crdoc.yaml").write_text(settings, encoding="utf-8")
    narrowed = runner.invoke(cli, ["coverage", "--format", "json"])
    assert narrowed.exit_code == 0, narrowed.output
    # Internal CRDs are not counted (the annotations say so), as on the site's pages, nor the
    # Kubernetes standard `metadata` of the public group's 9 versions (326 fields less 9).
    assert '"fields": 317' in full.output
    assert '"fields": 317' not in narrowed.output
    again = runner.invoke(cli, ["init"])
    assert again.exit_code == 1 and "crdoc.yaml exists" in again.output


def test_unknown_settings_key_is_an_error_with_a_suggestion(
    project: Path, runner: CliRunner, monkeypatch
) -> None:
    """A typo in crdoc.yaml stops every command with the file, line and nearest valid key."""
    monkeypatch.chdir(project)
    (project / "crdoc.yaml").write_text(
        "source: charts/alloydbomni-operator\nbuild:\n  site-urll: https://x.example/\n",
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["inspect"])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {project / 'crdoc.yaml'}:3: unknown key 'site-urll' in build; "
        "did you mean 'site_url'?\n"
    )
