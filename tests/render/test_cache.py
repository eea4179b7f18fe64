"""Compiled templates kept between runs: the same pages, cold or warm, per flavour, and never
a failed run because of the cache."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import EXAMPLE_CHART

from crdoc import load
from crdoc.pipeline import Reference
from crdoc.render import cache, environment
from crdoc.render.environment import RenderOptions
from crdoc.render.pages import Renderer


def _pages(options: RenderOptions) -> dict[str, str]:
    return {
        page.path: page.text for page in Renderer(options).pages(Reference.of(load(EXAMPLE_CHART)))
    }


def _caches(root: Path) -> list[Path]:
    return sorted(root.glob("templates-*"))


def _site_caches(root: Path) -> dict[str, Path]:
    """The cache folders of a site's rendering, one per environment: its Markdown pages'
    (``mkdocs``) and its HTML pages' (``html``)."""
    folders = {folder.name.rsplit("-", 1)[1]: folder for folder in _caches(root)}
    assert sorted(folders) == ["html", "mkdocs"] and len(_caches(root)) == 2
    return folders


def _stored(root: Path) -> dict[str, list[str]]:
    return {name: sorted(p.name for p in f.iterdir()) for name, f in _site_caches(root).items()}


def test_warm_cache_gives_the_same_pages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRDOC_CACHE_DIR", "")
    uncached = _pages(RenderOptions())
    monkeypatch.setenv("CRDOC_CACHE_DIR", str(tmp_path))
    cold = _pages(RenderOptions())
    stored = _stored(tmp_path)
    assert len(stored["mkdocs"]) >= 2  # the index and limitations templates
    assert len(stored["html"]) >= 3  # the CRD and types page templates, and their parts
    warm = _pages(RenderOptions())
    assert cold == uncached == warm
    assert _stored(tmp_path) == stored


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
        env = environment.make_environment(RenderOptions(flavour=flavour, templates=templates))
        text = env.get_template("index.md.jinja").render()
        assert outputs.setdefault(flavour, text) == text
    assert outputs["github"] != outputs["mkdocs"]
    assert len(_caches(tmp_path / "cache")) == 2


def test_no_cache_when_disabled_or_unwritable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRDOC_CACHE_DIR", "")
    assert environment.make_environment(RenderOptions()).bytecode_cache is None
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("CRDOC_CACHE_DIR", str(blocked))
    assert cache.template_cache("mkdocs") is None
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
    assert _stored(tmp_path) == {"html": [], "mkdocs": []}


def test_old_caches_are_pruned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only folders named as crdoc names its caches go, the oldest first."""
    monkeypatch.setenv("CRDOC_CACHE_DIR", str(tmp_path))
    for index in range(cache.KEEP_CACHES + 3):
        old = tmp_path / f"templates-{index:016x}-mkdocs"
        old.mkdir()
        os.utime(old, ns=(index * 10**9, index * 10**9))
    for name in ("unrelated", "templates-mine", "templates-0123-mkdocs"):
        (tmp_path / name).mkdir()
    cache.template_cache("mkdocs")
    kept = _caches(tmp_path)
    assert len(kept) == cache.KEEP_CACHES + 2  # 8 of crdoc's (the new one too), 2 not
    assert tmp_path / f"templates-{cache.KEEP_CACHES + 2:016x}-mkdocs" in kept
    assert tmp_path / f"templates-{0:016x}-mkdocs" not in kept
    for name in ("unrelated", "templates-mine", "templates-0123-mkdocs"):
        assert (tmp_path / name).is_dir()


def test_damaged_cache_entries_are_compiled_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRDOC_CACHE_DIR", str(tmp_path))
    first = _pages(RenderOptions())
    entries = sorted(entry for f in _site_caches(tmp_path).values() for entry in f.iterdir())
    for entry in entries:
        entry.write_bytes(entry.read_bytes()[:12])  # truncated after the magic
    assert _pages(RenderOptions()) == first
    assert all(entry.stat().st_size > 12 for entry in entries)  # rewritten


def test_no_cache_where_others_could_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Compiled templates are code: a folder group or others may write to is not used."""
    monkeypatch.setenv("CRDOC_CACHE_DIR", str(tmp_path / "shared"))
    (tmp_path / "shared").mkdir(mode=0o777)
    (tmp_path / "shared").chmod(0o777)
    assert cache.template_cache("mkdocs") is None
    (tmp_path / "shared").chmod(0o700)
    assert cache.template_cache("mkdocs") is not None
    (folder,) = _caches(tmp_path / "shared")
    folder.chmod(0o770)
    assert cache.template_cache("mkdocs") is None


def test_no_cache_without_a_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No home folder (a container user missing from passwd): nothing lands in the working
    folder."""
    monkeypatch.delenv("CRDOC_CACHE_DIR")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(os.path, "expanduser", lambda path: path)
    monkeypatch.chdir(tmp_path)
    assert cache.template_cache("mkdocs") is None
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "flavour",
    [
        "mkdocs",
        "github",
    ],
)
def test_rendering_keeps_no_chart_text_afterwards(flavour: str) -> None:
    """mkdocs serve renders again and again in one process: the caches are emptied after
    each rendering (the site's HTML descriptions, GitHub's Markdown ones, code spans, coverage's
    restated-name checks)."""
    from crdoc.render import html, markup
    from crdoc.reports import coverage

    caches = {
        "html descriptions": html._description,
        "markdown descriptions": markup._description_cached,
        "code spans": markup._code_cached,
        "restated names": coverage._restates,
    }
    for kept in caches.values():
        kept.cache_clear()
    pages = Renderer(RenderOptions(flavour=flavour)).pages(Reference.of(load(EXAMPLE_CHART)))
    next(pages)
    next(pages)  # a CRD page: the flavour's descriptions fill
    filling = "html descriptions" if flavour == "mkdocs" else "markdown descriptions"
    assert caches[filling].cache_info().currsize > 0
    for _ in pages:
        pass
    assert {name: kept.cache_info().currsize for name, kept in caches.items()} == dict.fromkeys(
        caches, 0
    )
