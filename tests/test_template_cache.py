"""Compiled templates kept between runs: the same pages, cold or warm, per flavour, and never
a failed run because of the cache."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import EXAMPLE_CHART

from crdoc import load, render
from crdoc.render import Renderer, RenderOptions


def _pages(options: RenderOptions) -> dict[str, str]:
    return {page.path: page.text for page in Renderer(options).pages(load(EXAMPLE_CHART))}


def _caches(root: Path) -> list[Path]:
    return sorted(root.glob("templates-*"))


def test_warm_cache_gives_the_same_pages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRDOC_CACHE_DIR", "")
    uncached = _pages(RenderOptions())
    monkeypatch.setenv("CRDOC_CACHE_DIR", str(tmp_path))
    cold = _pages(RenderOptions())
    (folder,) = _caches(tmp_path)
    stored = sorted(p.name for p in folder.iterdir())
    assert len(stored) >= 3  # the page, index and limitations templates
    warm = _pages(RenderOptions())
    assert cold == uncached == warm
    assert sorted(p.name for p in folder.iterdir()) == stored


def test_each_flavour_has_its_own_compiled_templates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Jinja folds a filter of constants into the compiled code: a template compiled for
    GitHub must not serve MkDocs (``code_cell`` escapes `|` for each its own way)."""
    monkeypatch.setenv("CRDOC_CACHE_DIR", str(tmp_path / "cache"))
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "index.md.jinja").write_text('{{ "a|b" | code_cell }}\n', encoding="utf-8")
    outputs = {}
    for flavour in ("github", "mkdocs", "github", "mkdocs"):
        env = render.make_environment(RenderOptions(flavour=flavour, templates=templates))
        text = env.get_template("index.md.jinja").render()
        assert outputs.setdefault(flavour, text) == text
    assert outputs["github"] != outputs["mkdocs"]
    assert len(_caches(tmp_path / "cache")) == 2


def test_no_cache_when_disabled_or_unwritable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRDOC_CACHE_DIR", "")
    assert render.make_environment(RenderOptions()).bytecode_cache is None
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("CRDOC_CACHE_DIR", str(blocked))
    assert render.template_cache("mkdocs") is None
    assert _pages(RenderOptions())  # renders without one


def test_unwritable_cache_does_not_fail_a_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cache folder that cannot be written (read-only home, full disk) keeps nothing."""
    import jinja2.bccache

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setenv("CRDOC_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(jinja2.bccache.tempfile, "NamedTemporaryFile", refuse)
    assert _pages(RenderOptions())
    (folder,) = _caches(tmp_path)
    assert list(folder.iterdir()) == []


def test_old_caches_are_pruned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRDOC_CACHE_DIR", str(tmp_path))
    for index in range(render.KEEP_CACHES + 3):
        old = tmp_path / f"templates-old{index:02d}-mkdocs"
        old.mkdir()
        os.utime(old, ns=(index * 10**9, index * 10**9))
    (tmp_path / "unrelated").mkdir()
    render.template_cache("mkdocs")
    kept = _caches(tmp_path)
    assert len(kept) == render.KEEP_CACHES
    assert tmp_path / f"templates-old{render.KEEP_CACHES + 2:02d}-mkdocs" in kept
    assert tmp_path / "templates-old00-mkdocs" not in kept
    assert (tmp_path / "unrelated").is_dir()
