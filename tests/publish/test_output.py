"""Outputs never cost a user a file: the places crdoc refuses to write, what ``--clean`` may
remove (only what crdoc wrote before), modes a web server can read, and a source without CRDs
as an error. Every scenario checks each of the user's files byte for byte afterwards."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import EXAMPLE_CHART

from crdoc.cli import cli
from crdoc.errors import CrdocError
from crdoc.publish.output import MARKER, check_output_place

CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              description: What the user wants.
              properties:
                size: {type: integer, description: How big.}
"""


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file (bytes) and folder (None) under ``folder``, links not followed."""
    found: dict[str, bytes | None] = {}
    for top, dirs, files in os.walk(folder):
        for name in dirs:
            found[os.path.relpath(os.path.join(top, name), folder)] = None
        for name in files:
            path = os.path.join(top, name)
            found[os.path.relpath(path, folder)] = Path(path).read_bytes()
    return found


def kept(before: dict[str, bytes | None], folder: Path) -> bool:
    """Whether every file and folder of ``before`` is still under ``folder``, byte for byte."""
    after = snapshot(folder)
    return all(after.get(path, b"<gone>") == data for path, data in before.items())


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A user's project, the current folder: a git work tree with notes and a chart."""
    root = tmp_path / "project"
    (root / ".git" / "refs").mkdir(parents=True)
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (root / "NOTES.md").write_text("# My notes\n")
    chart = root / "chart"
    (chart / "crds").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: widgets\nversion: 1.0.0\n")
    (chart / "crds" / "widgets.yaml").write_text(CRD)
    monkeypatch.chdir(root)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    yield root


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def one_error(result: Result) -> str:
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    return lines[0]


# -- places crdoc never writes into, --clean or not -----------------------------------------------


@pytest.mark.parametrize("clean", [False, True], ids=["plain", "clean"])
@pytest.mark.parametrize(
    "command", [["markdown"], ["build", "--docs-only"], ["build"], ["schema"]], ids=" ".join
)
def test_current_folder_is_refused(project: Path, command: list[str], clean: bool) -> None:
    """``crdoc markdown chart -o .`` (the bug report: it deleted .git, NOTES.md and the chart)
    is refused before anything is touched, with --clean too."""
    before = snapshot(project)
    result = run(*command, "chart", "-o", ".", *(["--clean"] if clean else []))
    message = one_error(result)
    assert "refusing to write output here: it is the current folder" in message
    assert ".git/" in message and "NOTES.md" in message and "chart/" in message
    assert "crdoc never deletes or overwrites a file it did not write" in message
    assert snapshot(project) == before


@pytest.mark.parametrize("clean", [False, True], ids=["plain", "clean"])
def test_source_folder_is_refused(project: Path, clean: bool) -> None:
    """``crdoc markdown src -o src --clean`` replaced the user's CRD files: now refused."""
    before = snapshot(project)
    result = run("markdown", "chart", "-o", "chart", *(["--clean"] if clean else []))
    assert "it is the source crdoc reads" in one_error(result)
    assert snapshot(project) == before


def test_folder_holding_the_source_is_refused(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An output folder that holds the source (here: a parent of it) is refused."""
    monkeypatch.chdir(tmp_path)
    before = snapshot(project)
    result = run("markdown", project / "chart", "-o", project, "--clean")
    message = one_error(result)
    assert "it holds the source" in message or "version-control" in message
    assert snapshot(project) == before


def test_home_folder_is_refused(project: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "diary.txt").write_text("dear diary")
    before = snapshot(home)
    message = one_error(run("markdown", "chart", "-o", home, "--clean"))
    assert "it is your home folder" in message and "diary.txt" in message
    assert snapshot(home) == before


def test_work_tree_inside_the_output_is_refused(project: Path, tmp_path: Path) -> None:
    """A folder holding a version-control work tree deeper down is refused as well."""
    out = tmp_path / "workspace"
    (out / "other-repo" / ".hg").mkdir(parents=True)
    (out / "other-repo" / "main.py").write_text("print('hi')\n")
    before = snapshot(out)
    message = one_error(run("markdown", "chart", "-o", out, "--clean"))
    assert "it holds (other-repo) a version-control work tree" in message
    assert snapshot(out) == before


def test_filesystem_root_is_refused() -> None:
    """Checked directly: no test writes near ``/``."""
    with pytest.raises(CrdocError, match="it is the filesystem root"):
        check_output_place(Path("/"))


# -- folders shared with other files ---------------------------------------------------------------


def test_foreign_folder_refused_without_clean(project: Path) -> None:
    out = project / "docs"
    out.mkdir()
    (out / "index.md").write_text("# My docs\n")
    before = snapshot(project)
    message = one_error(run("markdown", "chart", "-o", out))
    assert "output folder holds files crdoc did not write (index.md)" in message
    assert "crdoc removes only the files it wrote before" in message
    assert snapshot(project) == before


def test_clean_writes_beside_other_files_and_removes_only_its_own(project: Path) -> None:
    """With --clean crdoc writes beside the user's files; the next run removes the pages it
    wrote before (a CRD gone from the chart) and never the user's."""
    out = project / "docs"
    (out / "guide").mkdir(parents=True)
    (out / "index.md").write_text("# My docs\n")
    (out / "guide" / "start.md").write_text("Start here.\n")
    user = snapshot(out)
    second = project / "chart" / "crds" / "gadgets.yaml"
    second.write_text(CRD.replace("widget", "gadget").replace("Widget", "Gadget"))
    assert run("markdown", "chart", "-o", out, "--clean", "-q").exit_code == 0
    assert (out / "example.com" / "gadgets-v1.md").is_file()
    assert (out / "README.md").is_file() and kept(user, out)
    manifest = (out / MARKER).read_text()
    assert "example.com/gadgets-v1.md\n" in manifest and "index.md" not in manifest
    second.unlink()
    assert run("markdown", "chart", "-o", out, "--clean", "-q").exit_code == 0
    assert not (out / "example.com" / "gadgets-v1.md").exists()
    assert (out / "example.com" / "widgets-v1.md").is_file() and kept(user, out)
    # Without --clean the shared folder is refused again, and left as it is.
    before = snapshot(out)
    assert "index.md" in one_error(run("markdown", "chart", "-o", out))
    assert snapshot(out) == before


def test_clean_never_overwrites_a_file_in_the_way(project: Path) -> None:
    """A user's file where crdoc would write (README.md) is an error naming it, nothing moved."""
    out = project / "docs"
    out.mkdir()
    (out / "README.md").write_text("# Mine\n")
    before = snapshot(project)
    message = one_error(run("markdown", "chart", "-o", out, "--clean"))
    assert "where it would write (README.md)" in message and "never overwrites" in message
    assert snapshot(project) == before


def test_own_folder_is_replaced_whole(project: Path) -> None:
    """A folder holding only what crdoc wrote is replaced without --clean (stale pages go)."""
    out = project / "api"
    second = project / "chart" / "crds" / "gadgets.yaml"
    second.write_text(CRD.replace("widget", "gadget").replace("Widget", "Gadget"))
    assert run("markdown", "chart", "-o", out, "-q").exit_code == 0
    second.unlink()
    assert run("markdown", "chart", "-o", out, "-q").exit_code == 0
    assert sorted(snapshot(out)) == [
        MARKER,
        "README.md",
        "example.com",
        "example.com/widgets-v1.md",
    ]


def test_hostile_manifest_cannot_remove_files_outside(project: Path) -> None:
    """A manifest naming paths outside its folder removes nothing there: only entries inside
    the folder are trusted."""
    out = project / "api"
    out.mkdir()
    (out / MARKER).write_text("../NOTES.md\n/etc/hostname\n../../x\nsub/../../NOTES.md\n")
    (out / "keep.txt").write_text("mine")
    before = snapshot(project)
    assert run("markdown", "chart", "-o", out, "--clean", "-q").exit_code == 0
    assert (project / "NOTES.md").read_text() == "# My notes\n"
    assert (out / "keep.txt").read_text() == "mine"
    assert kept({k: v for k, v in before.items() if not k.endswith(MARKER)}, project)


def test_folder_from_an_older_crdoc_is_refused_with_a_hint(project: Path) -> None:
    out = project / "api"
    out.mkdir()
    (out / MARKER).write_text("Written by crdoc; replaced whole on each run.\n")
    (out / "README.md").write_text("old\n")
    before = snapshot(out)
    message = one_error(run("markdown", "chart", "-o", out))
    assert "earlier crdoc that did not list its files" in message
    assert snapshot(out) == before


# -- single files ---------------------------------------------------------------------------------


@pytest.mark.parametrize("clean", [False, True], ids=["plain", "clean"])
def test_single_file_never_overwrites_a_users_file(project: Path, clean: bool) -> None:
    before = snapshot(project)
    message = one_error(
        run("markdown", "chart", "--single-file", "-o", "NOTES.md", *(["--clean"] * clean))
    )
    assert "was not written by crdoc" in message and "never overwrites it" in message
    assert snapshot(project) == before


def test_single_file_onto_the_source_is_refused(project: Path) -> None:
    source = project / "chart" / "crds" / "widgets.yaml"
    before = snapshot(project)
    message = one_error(run("markdown", source, "--single-file", "-o", source, "--clean"))
    assert "it is the source crdoc reads" in message
    assert snapshot(project) == before


def test_single_file_crdoc_wrote_is_rewritten(project: Path) -> None:
    assert run("markdown", "chart", "--single-file", "-o", "API.md", "-q").exit_code == 0
    assert run("markdown", "chart", "--single-file", "-o", "API.md", "-q").exit_code == 0


# -- modes ----------------------------------------------------------------------------------------


@pytest.fixture
def umask_022() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def modes(folder: Path) -> set[tuple[str, int]]:
    """The distinct (kind, permission bits) of a folder and everything in it."""
    found = {("dir", stat.S_IMODE(folder.stat().st_mode))}
    for path in folder.rglob("*"):
        found.add(("dir" if path.is_dir() else "file", stat.S_IMODE(path.stat().st_mode)))
    return found


@pytest.mark.parametrize(
    "command",
    [
        ["markdown", "chart", "-o", "out"],
        ["markdown", "chart", "--single-file", "-o", "out/API.md"],
        ["schema", "chart", "-o", "out"],
        ["build", "chart", "--docs-only", "-o", "out"],
        ["build", "chart", "-o", "out"],
        ["build", "chart", "--release", "1.0.0", "-o", "out"],
    ],
    ids=" ".join,
)
def test_outputs_get_the_modes_of_the_umask(
    project: Path, umask_022: None, command: list[str]
) -> None:
    """Under umask 022 folders are 0755 and files 0644 (a web server running as another user
    can read the site); no temporary folder's 0700 or temporary file's 0600 is left."""
    assert run(*command, "-q").exit_code == 0
    assert modes(project / "out") <= {("dir", 0o755), ("file", 0o644)}


# -- a source without CRDs --------------------------------------------------------------------


@pytest.fixture
def empty_chart(tmp_path: Path) -> Path:
    """A chart with no CRD, declaring a subchart that was never vendored."""
    chart = tmp_path / "empty"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text(
        "apiVersion: v2\nname: empty\nversion: 1.0.0\ndependencies:\n"
        "  - name: postgresql\n    version: 1.x\n    repository: https://charts.example.com\n"
    )
    (chart / "templates" / "cm.yaml").write_text("kind: ConfigMap\nmetadata: {name: x}\n")
    return chart


@pytest.mark.parametrize(
    "command",
    [
        ["inspect"],
        ["coverage"],
        ["markdown", "-o", "{out}"],
        ["build", "-o", "{out}"],
        ["schema", "-o", "{out}"],
    ],
    ids=lambda c: c[0],
)
def test_no_crd_is_an_error_saying_what_was_read(
    empty_chart: Path, tmp_path: Path, command: list[str]
) -> None:
    out = tmp_path / "out"
    args = [a.format(out=out) for a in command]
    message = one_error(run(args[0], empty_chart, *args[1:]))
    assert message == (
        f"Error: no CustomResourceDefinition found in {empty_chart}: read 1 file "
        "(1 in templates/) of chart empty; subcharts declared in Chart.yaml but not in charts/: "
        "postgresql ('helm dependency build' vendors them) (--allow-empty accepts a source "
        "without CRDs)"
    )
    assert not out.exists()


def test_no_crd_in_a_folder_of_templates_hints_at_the_chart(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "cm.yaml").write_text("kind: ConfigMap\nmetadata:\n  name: x\n")
    (templates / "note.txt").write_text("{{ .Values.x }}\n")
    (templates / "svc.yaml").write_text("kind: Service\n# {{ .Values.y }}\n")
    message = one_error(run("inspect", templates))
    assert "Helm templates but no Chart.yaml" in message


def test_no_crd_in_a_diff_is_an_error(empty_chart: Path) -> None:
    assert "no CustomResourceDefinition found" in one_error(run("diff", empty_chart, empty_chart))


def test_allow_empty_keeps_a_pipeline_going(empty_chart: Path, tmp_path: Path) -> None:
    """--allow-empty: exit 0 everywhere, and coverage says n/a, never 0 of 0 as 100%."""
    result = run("coverage", empty_chart, "--allow-empty")
    assert result.exit_code == 0, result.output
    assert "0/0" in result.output and "n/a" in result.output and "100" not in result.output
    result = run("coverage", empty_chart, "--allow-empty", "--format", "json")
    assert json.loads(result.stdout)["percent"] is None
    assert run("inspect", empty_chart, "--allow-empty").exit_code == 0
    site = run("build", empty_chart, "--allow-empty", "-o", tmp_path / "site", "-q")
    assert site.exit_code == 0, site.output
    index = (tmp_path / "site" / "index.html").read_text()
    assert "100%" not in index


def test_everything_left_out_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A settings filter leaving no CRD is named as such, not as an empty source."""
    (tmp_path / "crdoc.yaml").write_text(f"source: {EXAMPLE_CHART}\nexclude:\n  groups: ['*']\n")
    monkeypatch.chdir(tmp_path)
    message = one_error(run("inspect"))
    assert "every CRD found in" in message and "left out" in message
    assert run("inspect", "--allow-empty").exit_code == 0
