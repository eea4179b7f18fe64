"""What ``.Files`` holds (:mod:`crdoc.loading.helm.context`): globs as Helm matches them, file
values, ``.helmignore`` rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_evaluator import evaluator

from crdoc.loading.helm.context import (
    FileData,
    FileText,
    glob_matcher,
)
from crdoc.loading.sources import open_source

# -- .Files ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "matches"),
    [
        ("crds/*.yaml", ["crds/a.yaml", "crds/b.yaml"]),
        ("crds/*", ["crds/a.yaml", "crds/b.yaml", "crds/notes.txt"]),
        ("crds/**.yaml", ["crds/a.yaml", "crds/b.yaml", "crds/deep/c.yaml"]),
        ("crds/**/*.yaml", ["crds/deep/c.yaml"]),
        ("crds/?.yaml", ["crds/a.yaml", "crds/b.yaml"]),
        ("crds/[!a].yaml", ["crds/b.yaml"]),
        ("crds/{a,b}.yaml", ["crds/a.yaml", "crds/b.yaml"]),
        ("crds/[", ["crds/a.yaml", "crds/b.yaml", "crds/deep/c.yaml", "crds/notes.txt"]),
    ],
)
def test_glob_matches_as_helm(pattern: str, matches: list[str]) -> None:
    """gobwas/glob with ``/`` as separator; a pattern that does not compile matches every
    file, as in Helm."""
    names = ["crds/a.yaml", "crds/b.yaml", "crds/deep/c.yaml", "crds/notes.txt"]
    assert [n for n in names if glob_matcher(pattern)(n)] == matches


def test_files_values() -> None:
    ev = evaluator(files={"f/a.yaml": "a: 1", "f/b.yaml": "b"})
    assert isinstance(ev.evaluate('.Files.Get "f/a.yaml"'), FileText)
    assert ev.evaluate('.Files.Get "f/missing.yaml"') == ""
    assert ev.evaluate('.Files.Get "../f/a.yaml"') == ""
    assert isinstance(ev.evaluate('(.Files.Glob "f/*").AsConfig'), FileData)
    assert isinstance(ev.evaluate('.Files.Get "f/a.yaml" | b64enc'), FileData)
    assert ev.evaluate('tpl (.Files.Get "f/a.yaml") .').tpl is True
    assert ev.evaluate('contains "a:" (.Files.Get "f/a.yaml")') is True


def test_helmignore_rules(tmp_path: Path) -> None:
    """Helm's ignore rules: a name without ``/`` matches base names, with ``/`` the whole path,
    ``dir/`` folders only; templates' dot files are always ignored."""
    chart = tmp_path / "c"
    for name in ("ci/x.yaml", "a/notes.bak", "a/keep.yaml", "docs/x.yaml", "templates/.hidden"):
        (chart / name).parent.mkdir(parents=True, exist_ok=True)
        (chart / name).write_text("x")
    (chart / "Chart.yaml").write_text("name: c\n")
    (chart / ".helmignore").write_text("# comment\nci/\n*.bak\n/docs/x.yaml\n")
    (seen,) = open_source(chart).charts
    assert sorted(seen.files_seen()) == [".helmignore", "a/keep.yaml"]
