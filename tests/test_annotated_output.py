"""Annotations and coverage through the commands: what users of `inspect`, `markdown`, `build`
and `coverage` see of undocumented, non-functional, cloud-only and internal fields and CRDs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EXAMPLE_CHART, corpus_entry, counted_fields, markdown_row_source
from markdown_it import MarkdownIt

from crdoc.cli import cli

GCS = "spec.backupLocation.gcsOptions"
BACKUPPLANS = "alloydbomni.dbadmin.goog/backupplans-v1"


def _run(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(cli, [*args])
    assert result.exit_code == 0, result.output
    return result.stdout  # stderr may warn (subcharts not vendored)


def test_inspect_json_carries_the_example_annotations(runner: CliRunner) -> None:
    """The chart's crdoc-annotations.yaml is picked up by default and shows in the model: the
    internal group, the cloud-only GCS location, and the Japanese note on spec.paused."""
    data = json.loads(_run(runner, "inspect", str(EXAMPLE_CHART), "--format", "json"))
    crds = {crd["group"] + "/" + crd["plural"]: crd for crd in data["crds"]}
    assert crds["alloydbomni.internal.dbadmin.goog/instances"]["annotation"]["status"] == "internal"
    assert "annotation" not in crds["alloydbomni.dbadmin.goog/dbclusters"]
    fields = {
        f["path"]: f for f in crds["alloydbomni.dbadmin.goog/backupplans"]["versions"][0]["fields"]
    }
    assert fields[GCS]["annotation"]["status"] == "cloud-only"
    assert "metadata.google.internal" in fields[GCS]["annotation"]["reason"]
    assert fields["spec.paused"]["annotation"] == {"note": "一時停止中もスケジュールは保持される"}
    # No inheritance: the GCS location's children carry no annotation of their own.
    assert "annotation" not in fields[GCS + ".bucket"]


def test_markdown_shows_badges_notes_and_limitations(runner: CliRunner, tmp_path: Path) -> None:
    """The BackupPlan page marks the GCS location's row cloud-only with its reason, shows the
    note beside the description, and the known-limitations page links to the field's anchor."""
    out = tmp_path / "api"
    _run(runner, "markdown", str(EXAMPLE_CHART), "-o", str(out), "-q")
    page = (out / f"{BACKUPPLANS}.md").read_text(encoding="utf-8")
    row = markdown_row_source(page, MarkdownIt("commonmark").parse(page), GCS)
    assert row.startswith(f'- <a id="{GCS}"></a>**`gcsOptions`**')
    assert "· ☁️ *cloud-only*" in row.split("\n", 1)[0]  # the status chip, on the row's line
    assert "> [!WARNING]" in row and "metadata.google.internal" in row
    assert "一時停止中もスケジュールは保持される" in page
    limitations = (out / "limitations.md").read_text(encoding="utf-8")
    assert f"({BACKUPPLANS}.md#{GCS})" in limitations
    assert "**Does not work**" in limitations  # the Failover CRD, as a whole
    index = (out / "README.md").read_text(encoding="utf-8")
    assert "## Internal" in index
    assert "[known limitations](limitations.md)" in index


def test_hide_internal_leaves_the_internal_group_out(runner: CliRunner, tmp_path: Path) -> None:
    """--hide internal drops the operator-internal group from pages, index and coverage."""
    out = tmp_path / "api"
    _run(runner, "markdown", str(EXAMPLE_CHART), "-o", str(out), "-q", "--hide", "internal")
    assert not (out / "alloydbomni.internal.dbadmin.goog").exists()
    assert "## Internal" not in (out / "README.md").read_text(encoding="utf-8")
    report = json.loads(
        _run(runner, "coverage", str(EXAMPLE_CHART), "--format", "json", "--hide", "internal")
    )
    assert {row["crd"].split("/")[0] for row in report["rows"]} == {"alloydbomni.dbadmin.goog"}


def test_site_shows_badges_as_admonitions(runner: CliRunner, tmp_path: Path) -> None:
    """In the MkDocs site the statuses are admonitions; internal CRDs get their own nav section."""
    out = tmp_path / "site"
    _run(runner, "build", str(EXAMPLE_CHART), "-o", str(out), "-q")
    page = (out / f"{BACKUPPLANS}.html").read_text(encoding="utf-8")
    assert 'class="admonition warning"' in page and "Cloud-only" in page
    assert 'class="admonition danger"' in page  # s3Options: does not work
    assert (out / "limitations.html").exists()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Internal" in index and "Known limitations" in index


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_coverage_of_every_corpus_entry_matches_the_manifest(
    runner: CliRunner, corpus_name: str, fmt: str
) -> None:
    """`crdoc coverage` counts exactly MANIFEST.md's fields and undocumented fields, less the
    Kubernetes standard `metadata` of each version (see conftest.counted_fields)."""
    fields, undocumented = counted_fields(corpus_name)
    output = _run(runner, "coverage", str(corpus_entry(corpus_name)), "--format", fmt)
    documented = fields - undocumented
    if fmt == "json":
        data = json.loads(output)
        assert (data["fields"], data["undocumented"]) == (fields, undocumented)
    elif fmt == "text":
        assert "TOTAL" in output and f"{documented}/{fields}" in output
        assert output.count("    undocumented: ") == undocumented
    else:
        assert f"| **Total** | | | {documented}/{fields} |" in output


def test_coverage_exclude_and_fail_under(runner: CliRunner) -> None:
    """--exclude leaves paths out before counting; --fail-under fails below the threshold with
    one line and exit 1, and passes at it."""
    chart = corpus_entry("cloudnative-pg")
    data = json.loads(
        _run(runner, "coverage", str(chart), "--format", "json", "--exclude", "status.**")
    )
    # 108 in all, 11 of them the versions' standard `metadata`, 13 under status
    assert data["undocumented"] == 84
    percent = data["percent"]
    below = runner.invoke(
        cli, ["coverage", str(chart), "--exclude", "status.**", "--fail-under", str(percent + 0.1)]
    )
    assert below.exit_code == 1
    assert below.output.splitlines()[-1] == (
        f"Error: documentation coverage {percent:.1f}% is below --fail-under {percent + 0.1:g}%"
    )
    at = runner.invoke(
        cli, ["coverage", str(chart), "--exclude", "status.**", "--fail-under", str(percent - 0.01)]
    )
    assert at.exit_code == 0, at.output


def test_fail_under_is_a_percentage(runner: CliRunner) -> None:
    """--fail-under 120 is a usage error (exit 2)."""
    result = runner.invoke(cli, ["coverage", str(EXAMPLE_CHART), "--fail-under", "120"])
    assert result.exit_code == 2
    assert "a percentage from 0 to 100" in result.output


def test_annotation_typo_fails_every_command_naming_file_and_line(
    runner: CliRunner, tmp_path: Path
) -> None:
    """A misspelt field path in the annotations file stops the command with the file, the
    line and the nearest real path, before anything is written."""
    chart = tmp_path / "chart"
    shutil.copytree(EXAMPLE_CHART, chart)
    annotations = chart / "crdoc-annotations.yaml"
    text = annotations.read_text(encoding="utf-8").replace(
        GCS + ":", "spec.backupLocaton.gcsOptions:"
    )
    annotations.write_text(text, encoding="utf-8")
    line = next(
        n for n, row in enumerate(text.splitlines(), start=1) if "backupLocaton.gcsOptions" in row
    )
    expected = (
        f"Error: {annotations}:{line}: no field matches 'spec.backupLocaton.gcsOptions' in "
        f"alloydbomni.dbadmin.goog/backupplans; did you mean {GCS}?"
    )
    for args in (
        ["inspect", str(chart)],
        ["coverage", str(chart)],
        ["markdown", str(chart), "-o", str(tmp_path / "md")],
        ["build", str(chart), "-o", str(tmp_path / "site")],
    ):
        result = runner.invoke(cli, args)
        assert result.exit_code == 1, args
        assert result.output.strip().splitlines()[-1] == expected
    assert not (tmp_path / "md").exists() and not (tmp_path / "site").exists()


def test_explicit_annotations_file_replaces_the_default(runner: CliRunner, tmp_path: Path) -> None:
    """--annotations FILE is used instead of the file beside the chart."""
    other = tmp_path / "notes.yaml"
    other.write_text(
        "alloydbomni.dbadmin.goog/dbclusters:\n  fields:\n"
        "    spec.primarySpec.resources.cpu: {status: experimental, reason: Tuning.}\n",
        encoding="utf-8",
    )
    data = json.loads(
        _run(runner, "inspect", str(EXAMPLE_CHART), "--format", "json", "--annotations", str(other))
    )
    crds = {
        crd["plural"]: crd for crd in data["crds"] if crd["group"] == "alloydbomni.dbadmin.goog"
    }
    assert "annotation" not in crds["failovers"]  # the default file's entry is not read
    fields = {f["path"]: f for f in crds["dbclusters"]["versions"][0]["fields"]}
    assert fields["spec.primarySpec.resources.cpu"]["annotation"]["status"] == "experimental"
