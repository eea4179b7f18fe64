"""The release workflow through the commands: `crdoc diff`, `crdoc schema`, `build --previous`
and the multi-version site (`build --release/--versioned`)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml
from click.testing import CliRunner
from conftest import EXAMPLE_CHART, corpus_entry

from crdoc.cli import cli
from crdoc.loading.loader import load
from crdoc.render.present import example_manifest

OLD, NEW = "cloudnative-pg-v0.24.0", "cloudnative-pg"


def test_diff_of_the_cloudnative_pg_release_pair(runner: CliRunner) -> None:
    """The real release pair: 7 breaking changes (new CEL rules) among 441; JSON, Markdown and
    text agree, and --fail-on-breaking exits 1 with one line."""
    old, new = str(corpus_entry(OLD)), str(corpus_entry(NEW))
    data = json.loads(runner.invoke(cli, ["diff", old, new, "--format", "json", "-q"]).output)
    assert (data["breaking"], data["nonBreaking"]) == (7, 434)
    markdown = runner.invoke(cli, ["diff", old, new, "--format", "markdown", "-q"]).output
    assert markdown.startswith("**7 breaking** and 434 non-breaking changes")
    assert "### Backup (`postgresql.cnpg.io/backups`)" in markdown
    failed = runner.invoke(cli, ["diff", old, new, "--fail-on-breaking", "-q"])
    assert failed.exit_code == 1
    assert failed.output.splitlines()[-1] == "Error: 7 breaking changes"


def test_diff_of_a_chart_with_itself_is_empty_and_passes(runner: CliRunner) -> None:
    """No change, no failure: the gate only trips on breaking changes."""
    chart = str(corpus_entry("kube-prometheus-stack.tgz"))
    result = runner.invoke(cli, ["diff", chart, chart, "--format", "json", "--fail-on-breaking"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["breaking"], data["nonBreaking"], data["crds"]) == (0, 0, [])


def test_schema_command_writes_valid_strict_schemas(runner: CliRunner, tmp_path: Path) -> None:
    """`crdoc schema` writes group/kind_version.json for every CRD version (28 files for the
    example: 15 under groups, 13 flat copies as Failover's kind repeats), each accepting the
    example manifest and rejecting a misspelt field."""
    out = tmp_path / "schemas"
    result = runner.invoke(cli, ["schema", str(EXAMPLE_CHART), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.json"))
    assert len(files) == 28
    assert "alloydbomni.dbadmin.goog/failover_v1.json" in files
    assert "failover_v1.json" not in files  # two groups have a Failover: no flat copy
    catalog = load(EXAMPLE_CHART)
    crd = catalog.find("alloydbomni.dbadmin.goog/dbclusters")
    version = crd.versions[0]
    schema = json.loads((out / "alloydbomni.dbadmin.goog" / "dbcluster_v1.json").read_text())
    manifest = yaml.safe_load(example_manifest(crd, version))
    jsonschema.validate(manifest, schema)
    manifest["spec"]["primarySpec"]["adminUsr"] = {}
    assert list(jsonschema.Draft7Validator(schema).iter_errors(manifest))


def test_build_previous_adds_a_changes_page(runner: CliRunner, tmp_path: Path) -> None:
    """--previous OLD: a "Changes since 0.24.0" page in the site and its nav."""
    out = tmp_path / "site"
    result = runner.invoke(
        cli,
        [
            "build",
            str(corpus_entry(NEW)),
            "-o",
            str(out),
            "--previous",
            str(corpus_entry(OLD)),
            "-q",
        ],
    )
    assert result.exit_code == 0, result.output
    page = (out / "changes.html").read_text(encoding="utf-8")
    assert "Changes since 0.24.0" in page and "lz4" in page
    assert "Changes since 0.24.0" in (out / "index.html").read_text(encoding="utf-8")


def test_versioned_site_adds_releases_without_rebuilding_others(
    runner: CliRunner, tmp_path: Path
) -> None:
    """Two releases into one folder (older first, then newer, then older again): each keeps its
    own folder, versions.json lists both newest first with `latest` on the newest, `latest/` is
    the newest's copy, the root redirects there, and re-adding the older release leaves the
    newer one's files untouched."""
    out = tmp_path / "site"
    old, new = str(corpus_entry(OLD)), str(corpus_entry(NEW))
    for source in (old, new):
        result = runner.invoke(cli, ["build", source, "-o", str(out), "--versioned", "-q"])
        assert result.exit_code == 0, result.output
    newer = (out / "0.29.0" / "index.html").read_bytes()
    stamp = (out / "0.29.0" / "index.html").stat().st_mtime_ns
    result = runner.invoke(cli, ["build", old, "-o", str(out), "--release", "0.24.0", "-q"])
    assert result.exit_code == 0, result.output
    assert (out / "0.29.0" / "index.html").stat().st_mtime_ns == stamp
    versions = json.loads((out / "versions.json").read_text())
    assert versions == [
        {"version": "0.29.0", "title": "0.29.0", "aliases": ["latest"]},
        {"version": "0.24.0", "title": "0.24.0", "aliases": []},
    ]
    assert (out / "latest" / "index.html").read_bytes() == newer
    assert "url=latest/" in (out / "index.html").read_text()
    assert '"provider": "mike"' in newer.decode()


def test_versioned_site_refuses_a_foreign_folder_and_bad_names(
    runner: CliRunner, tmp_path: Path
) -> None:
    """A folder crdoc did not write is left alone; a release name that is a path is refused."""
    out = tmp_path / "site"
    out.mkdir()
    (out / "mine.txt").write_text("keep")
    result = runner.invoke(cli, ["build", str(EXAMPLE_CHART), "-o", str(out), "--release", "1"])
    assert result.exit_code == 1
    assert "did not write" in result.output and (out / "mine.txt").read_text() == "keep"
    result = runner.invoke(
        cli, ["build", str(EXAMPLE_CHART), "-o", str(tmp_path / "x"), "--release", "../up"]
    )
    assert result.exit_code == 1
    assert "not a usable release name: '../up'" in result.output
