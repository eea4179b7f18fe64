"""`crdoc build`: the MkDocs (mkdocs-material) site, read back as HTML with html.parser.

Each check works on the built files only: ids, field rows and hrefs are collected from every
page and resolved against the output folder (where a field is documented — its version's
page, or the section of the recovered type it lies in — comes from ``Layout.locate``), the
search indexes are read as JSON, and the output folder is compared byte for byte across
builds and failures.
"""

from __future__ import annotations

import json
import posixpath
import re
import tempfile
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from click.testing import CliRunner
from conftest import (
    EXAMPLE_CHART,
    FIXTURES,
    ROOT,
    corpus_entry,
    field_locations,
    html_row_name,
    html_rows,
    parse_html,
    shows_field,
)

from crdoc import load
from crdoc.cli import cli
from crdoc.model import Catalog
from crdoc.pipeline import Reference
from crdoc.publish.output import MARKER
from crdoc.publish.search import INDEX
from crdoc.render.layout import Layout

HOSTILE = FIXTURES / "render" / "hostile.yaml"
EXTERNAL_HOSTS = ("fonts.googleapis.com", "fonts.gstatic.com", "unpkg.com", "jsdelivr", "cdnjs")


@dataclass
class HtmlPage:
    """What one HTML page defines and points at."""

    ids: set[str] = field(default_factory=set)
    links: list[str] = field(default_factory=list)
    """`href` of `<a>`: navigation."""
    resources: list[str] = field(default_factory=list)
    """URLs the browser loads: `<script src>`, `<link href>`, `<img src>`, `<iframe src>` …"""
    scripts: list[str] = field(default_factory=list)
    """The text of each inline `<script>`."""
    script_tags: int = 0
    article: list[str] = field(default_factory=list)
    """Start tags inside the page's `<article>` (the rendered Markdown)."""


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = HtmlPage()
        self._in_script = False
        self._article_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if "id" in values:
            self.page.ids.add(values["id"])
        if tag == "a" and "href" in values:
            self.page.links.append(values["href"])
        elif tag == "link" and "href" in values:
            self.page.resources.append(values["href"])
        for name in ("src", "srcset", "data"):
            if name in values and tag != "a":
                self.page.resources.append(values[name])
        if tag == "script":
            self.page.script_tags += 1
            self._in_script = "src" not in values
        if tag == "article":
            self._article_depth += 1
        elif self._article_depth:
            self.page.article.append(self.get_starttag_text() or tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False
        if tag == "article" and self._article_depth:
            self._article_depth -= 1

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.page.scripts.append(data)


def read_html(path: Path) -> HtmlPage:
    reader = _Reader()
    reader.feed(path.read_text(encoding="utf-8"))
    reader.close()
    return reader.page


def html_pages(site: Path) -> dict[str, HtmlPage]:
    """Every HTML page of a site, by relative path."""
    return {p.relative_to(site).as_posix(): read_html(p) for p in sorted(site.rglob("*.html"))}


def reference_paths(catalog: Catalog, prefix: str = "") -> list[str]:
    """The HTML page of every CRD version."""
    return [
        f"{prefix}{crd.group}/{crd.plural}-{version.name}.html"
        for crd in catalog.crds
        for version in crd.versions
    ]


def layout_of(catalog: Catalog) -> Layout:
    """Where the site's pages are and each field is documented."""
    return Layout.of(Reference.of(catalog))


def html_path(page: str, prefix: str = "") -> str:
    """The HTML file MkDocs writes for a page path (``g/p-v1.md`` → ``g/p-v1.html``)."""
    return prefix + page.removesuffix(".md") + ".html"


def types_paths(catalog: Catalog, prefix: str = "") -> list[str]:
    """The HTML page of each API group's types (the recovered types its CRDs share)."""
    return [html_path(page, prefix) for page in layout_of(catalog).types_pages.values()]


def page_file(site: Path, path: str) -> Path:
    """The file of a page path `x.html`, also where MkDocs' directory URLs put it (x/index.html)."""
    plain = site / path
    if plain.is_file() or not path.endswith(".html") or path.endswith("index.html"):
        return plain
    return site / path.removesuffix(".html") / "index.html"


def missing_anchors(site: Path, catalog: Catalog, prefix: str = "") -> list[str]:
    """Fields without their row where the layout documents them: an element whose id is the
    anchor ``Layout.locate`` gives (``field.anchor`` on the version's page, or the field's id in
    a recovered type's section), a field row naming the field."""
    rows: dict[str, dict[str, str]] = {}
    missing = []
    for crd, version, item, page, anchor in field_locations(catalog, layout_of(catalog)):
        if page not in rows:
            found = page_file(site, html_path(page, prefix))
            tree = parse_html(found.read_text(encoding="utf-8")) if found.is_file() else None
            rows[page] = {i: html_row_name(r) for i, r in html_rows(tree).items()} if tree else {}
        if not shows_field(rows[page].get(anchor, ""), item):
            missing.append(f"{crd.key} {version.name} {item.path}: {page}#{anchor}")
    return missing


def unresolved(site: Path, pages: dict[str, HtmlPage], which: list[str]) -> list[str]:
    """Internal links and resources of the pages ``which`` that miss a file or an id."""
    dead = []
    for path in which:
        page = pages[path]
        for href in [*page.links, *page.resources]:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or href.startswith("/"):
                continue  # external (checked elsewhere) or site-absolute
            target = path
            if parts.path:
                target = posixpath.normpath(
                    posixpath.join(posixpath.dirname(path), unquote(parts.path))
                )
            if (site / target).is_dir():
                target = posixpath.join(target, "index.html")
            if not (site / target).is_file():
                dead.append(f"{path}: {href} (no file {target})")
            elif parts.fragment and target.endswith(".html"):
                ids = pages[target].ids if target in pages else read_html(site / target).ids
                if unquote(parts.fragment) not in ids:
                    dead.append(f"{path}: {href} (no id on {target})")
    return dead


@dataclass(frozen=True)
class Run:
    exit_code: int
    output: str


def build(runner: CliRunner, *args: str | Path) -> Run:
    """`crdoc build ARGS` in-process; an unexpected exception's traceback goes in the output."""
    result = runner.invoke(cli, ["build", *map(str, args)])
    output = result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        assert result.exc_info is not None
        output += "".join(traceback.format_exception(*result.exc_info))
    return Run(result.exit_code, output)


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def search_index(site: Path) -> dict[str, Any]:
    """The search index, from `search_index.json` or the offline plugin's `search_index.js`."""
    json_file, js_file = site / "search" / "search_index.json", site / "search" / "search_index.js"
    assert json_file.is_file() or js_file.is_file()
    if js_file.is_file():
        text = js_file.read_text(encoding="utf-8")
        assert text.startswith("var __index = ")
        data = json.loads(text.removeprefix("var __index = "))
        if json_file.is_file():
            assert json.loads(json_file.read_text(encoding="utf-8")) == data
        return data
    return json.loads(json_file.read_text(encoding="utf-8"))


def crdoc_search_index(site: Path) -> dict[str, tuple[str, str, str, set[str]]]:
    """crdoc's own search index (``search/crdoc-index.json``, or the same as a script,
    ``.js``, under the offline plugin: one copy, never both), decoded as its format is
    documented (:class:`crdoc.publish.search.CompactIndex`): each page's URL → its kind,
    group, version and the field paths found on it."""
    json_file, js_file = (site / INDEX).with_suffix(".json"), (site / INDEX).with_suffix(".js")
    assert json_file.is_file() != js_file.is_file()
    if js_file.is_file():
        text = js_file.read_text(encoding="utf-8")
        assert text.startswith("var __crdocIndex = ")
        data = json.loads(text.removeprefix("var __crdocIndex = "))
    else:
        data = json.loads(json_file.read_text(encoding="utf-8"))
    assert data["v"] == 2
    segs = data["segs"]
    paths = [""]  # node 0, the root
    for delta, seg in zip(data["np"].split(","), data["ns"].split(","), strict=True):
        parent = paths[len(paths) - int(delta, 36)]
        paths.append(f"{parent}.{segs[int(seg, 36)]}" if parent else segs[int(seg, 36)])
    pages = {}
    for url, kind, group, version, runs in data["pages"]:
        nodes, end = set(), 0
        for run in runs.split(",") if runs else ():
            gap, _, length = run.partition("+")
            start = end + int(gap, 36)
            end = start + int(length or "0", 36)
            nodes.update(range(start, end + 1))
        pages[url] = (kind, group, version, {paths[node] for node in nodes})
    return pages


@pytest.fixture(scope="module")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`crdoc build examples/alloydbomni-operator -o SITE`, once for this module."""
    site = tmp_path_factory.mktemp("example") / "site"
    result = build(CliRunner(), EXAMPLE_CHART, "-o", site)
    assert result.exit_code == 0, result.output
    return site


@pytest.fixture(scope="module")
def example_catalog() -> Catalog:
    return load(EXAMPLE_CHART)


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("hostile") / "site"
    result = build(CliRunner(), HOSTILE, "-o", site)
    assert result.exit_code == 0, result.output
    return site


# -- the example chart's site -----------------------------------------------------------------


def test_build_writes_index_and_a_page_per_version(
    example_site: Path, example_catalog: Catalog
) -> None:
    """The site has index.html, one HTML page per CRD version (15 for the example's 14 CRDs),
    the types page of the API group whose CRDs share recovered types, and no other reference
    page (nor MkDocs sources); the index links to every version page, the uses of the shared
    types to the types page."""
    pages = html_pages(example_site)
    expected = reference_paths(example_catalog)
    assert len(expected) == 15
    types = types_paths(example_catalog)
    assert types == ["alloydbomni.dbadmin.goog/types.html"]
    assert "index.html" in pages
    assert set(pages) - {"index.html", "404.html", "limitations.html"} == {*expected, *types}
    assert "limitations.html" in pages  # the example's maintainers mark fields non-functional
    index_links = {posixpath.normpath(unquote(h)) for h in pages["index.html"].links}
    assert set(expected) <= index_links
    dbclusters = pages["alloydbomni.dbadmin.goog/dbclusters-v1.html"].links
    assert {h.partition("#")[0] for h in dbclusters} >= {"types.html"}
    assert (example_site / MARKER).is_file()
    assert sorted(p.name for p in example_site.iterdir() if p.name.startswith("_")) == []


def test_every_field_anchor_is_an_html_id(example_site: Path, example_catalog: Catalog) -> None:
    """Every field of every version has its row, an element whose id is its anchor, where it
    is documented: `field.anchor` on its version's page, or in a recovered type's section."""
    assert sum(len(v.fields) for c in example_catalog.crds for v in c.versions) > 400
    assert missing_anchors(example_site, example_catalog) == []


def test_internal_links_resolve(example_site: Path, example_catalog: Catalog) -> None:
    """Every relative href/src of the index and reference pages (versions and types) reaches
    an existing file, and every #fragment an id on the target page (type uses, the uses each
    type lists, the version switch, nav, assets)."""
    pages = html_pages(example_site)
    which = ["index.html", *reference_paths(example_catalog), *types_paths(example_catalog)]
    links = [h for p in which for h in pages[p].links]
    assert len(links) > 400
    assert len([h for h in links if "#" in h and not h.startswith("#")]) > 50  # into pages
    assert unresolved(example_site, pages, which) == []


def test_search_index_has_field_paths(example_site: Path, example_catalog: Catalog) -> None:
    """crdoc's search index holds every CRD version's page (kind, group, version) with every
    field path of it, e.g. `spec.primarySpec.resources.cpu` of DBCluster v1 (its search worker
    links each to `page#path`, which leads to the field's row); mkdocs-material's own index
    has each reference page by its title, but only its summary, never a field's row (the
    description of `…resources.cpu`)."""
    found = crdoc_search_index(example_site)
    assert found == {
        f"{crd.group}/{crd.plural}-{version.name}.html": (
            crd.kind,
            crd.group,
            version.name,
            {f.path for f in version.fields},
        )
        for crd in example_catalog.crds
        for version in crd.versions
    }
    assert (
        "spec.primarySpec.resources.cpu" in found["alloydbomni.dbadmin.goog/dbclusters-v1.html"][3]
    )
    docs = search_index(example_site)["docs"]
    titles = {d["location"]: d["title"] for d in docs}
    for crd in example_catalog.crds:
        for version in crd.versions:
            page = f"{crd.group}/{crd.plural}-{version.name}.html"
            assert titles.get(page) == f"{crd.kind} {version.name}", page
    for types_page in types_paths(example_catalog):
        assert titles.get(types_page) == "alloydbomni.dbadmin.goog types"
        # A types page: each type by its name and one line (size, uses), never its rows.
        sections = {
            d["location"].partition("#")[2]: d
            for d in docs
            if d["location"].startswith(types_page + "#type-")
        }
        assert sorted(sections) == ["type-Condition", "type-CriticalIncident"]
        condition = sections["type-Condition"]
        assert condition["title"] == "Condition"
        assert re.fullmatch(r"<p>.*\d+ fields · used by \d+ fields</p>", condition["text"])
    assert not [d for d in docs if "#spec." in d["location"] or "number of CPUs" in d["text"]]
    assert not [d for d in docs if "last time the condition transitioned" in d["text"]]


def test_no_web_fonts_or_javascript_links(example_site: Path) -> None:
    """The site needs no web fonts (no Google Fonts in any HTML or CSS) and has no
    `javascript:` link."""
    for path in [*example_site.rglob("*.html"), *example_site.rglob("*.css")]:
        text = path.read_text(encoding="utf-8")
        assert "fonts.googleapis.com" not in text and "fonts.gstatic.com" not in text, path
    for name, page in html_pages(example_site).items():
        assert not [h for h in page.links if h.strip().lower().startswith("javascript:")], name


def test_site_loads_nothing_from_the_network(example_site: Path) -> None:
    """No page loads a script, stylesheet, font or image from another host (CDNs included):
    the site works from a folder with no network."""
    external = set()
    for name, page in html_pages(example_site).items():
        for url in page.resources:
            parts = urlsplit(url)
            if parts.scheme or parts.netloc:
                external.add(f"{name}: {url}")
        text = (example_site / name).read_text(encoding="utf-8")
        external |= {f"{name}: {host}" for host in EXTERNAL_HOSTS if host in text}
    assert sorted(external) == []


def test_build_is_deterministic(example_site: Path, tmp_path: Path, runner: CliRunner) -> None:
    """Two builds of the same input are byte-identical, every file included (sitemap, search
    indexes, objects.inv, assets)."""
    second = tmp_path / "again"
    result = build(runner, EXAMPLE_CHART, "-o", second)
    assert result.exit_code == 0, result.output
    first_tree, second_tree = tree(example_site), tree(second)
    assert first_tree.keys() == second_tree.keys()
    assert [p for p in first_tree if first_tree[p] != second_tree[p]] == []


# -- atomic output ----------------------------------------------------------------------------


def test_foreign_folder_is_refused_then_shared_with_clean(
    tmp_path: Path, runner: CliRunner
) -> None:
    """Building into a folder holding a file crdoc did not write fails (exit 1, the folder and
    the file named) and leaves it exactly as it was; with --clean the site is written beside
    the file, which stays byte for byte."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    before = tree(out)
    result = build(runner, EXAMPLE_CHART, "-o", out)
    assert result.exit_code == 1
    assert str(out) in result.output and "notes.txt" in result.output
    assert "Traceback" not in result.output
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    result = build(runner, EXAMPLE_CHART, "-o", out, "--clean")
    assert result.exit_code == 0, result.output
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / "index.html").is_file() and (out / MARKER).is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_rebuild_over_own_output_needs_no_clean(
    example_site: Path, tmp_path: Path, runner: CliRunner
) -> None:
    """A folder crdoc wrote is replaced whole without --clean (stale files go)."""
    out = tmp_path / "site"
    assert build(runner, HOSTILE, "-o", out).exit_code == 0
    assert (out / "hostile.example.com").is_dir()
    result = build(runner, EXAMPLE_CHART, "-o", out)
    assert result.exit_code == 0, result.output
    assert not (out / "hostile.example.com").exists()
    assert tree(out) == tree(example_site)


def _broken_templates(folder: Path) -> Path:
    folder.mkdir()
    (folder / "crd.html.jinja").write_text(
        '{% extends "_base/crd.html.jinja" %}\n{% block title %}\n<h1>{{ missing_name }}</h1>\n'
        "{% endblock %}\n"
    )
    return folder


def _broken_config(folder: Path) -> Path:
    folder.mkdir()
    (folder / "docs").mkdir()
    (folder / "docs" / "index.md").write_text("# Mine\n")
    config = folder / "mkdocs.yml"
    config.write_text("site_name: Mine\ntheme:\n  name: no-such-theme\n")
    return config


@pytest.mark.parametrize("failure", ["template", "mkdocs"])
def test_failed_build_leaves_previous_output(
    failure: str, tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build that fails (a broken --templates template; or MkDocs refusing a --config,
    failing mid-way once the staging folder exists) exits 1 with an error and without a
    traceback, leaves the previous site byte-identical, and leaves no temporary folder beside
    it nor in the temp directory. (The template's error line: the test after this one.)"""
    parent = tmp_path / "parent"
    out = parent / "site"
    assert build(runner, EXAMPLE_CHART, "-o", out, "-q").exit_code == 0
    before = tree(out)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    if failure == "template":
        templates = _broken_templates(tmp_path / "templates")
        result = build(runner, EXAMPLE_CHART, "-o", out, "--templates", templates)
        assert "error" in result.output.lower()
    else:
        config = _broken_config(tmp_path / "project")
        result = build(runner, EXAMPLE_CHART, "-o", out, "--config", config)
        assert "error" in result.output.lower()
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert tree(out) == before
    assert sorted(p.name for p in parent.iterdir()) == ["site"]
    assert list(scratch.iterdir()) == []


def test_failed_build_names_the_template_file_and_line(tmp_path: Path, runner: CliRunner) -> None:
    """A broken --templates template (an undefined name in crd.html.jinja, line 3) stops
    `crdoc build` with one `Error:` line naming the template's file and line and the name, as
    `crdoc markdown` does for its templates."""
    templates = _broken_templates(tmp_path / "templates")
    result = build(runner, EXAMPLE_CHART, "-o", tmp_path / "site", "--templates", templates)
    assert result.exit_code == 1
    (error,) = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert f"{templates / 'crd.html.jinja'}:3:" in error and "missing_name" in error


# -- docs-only and --config -------------------------------------------------------------------


def _nav_paths(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, list):
        for item in node:
            yield from _nav_paths(item)
    elif isinstance(node, dict):
        for value in node.values():
            yield from _nav_paths(value)


def test_docs_only_writes_pages_and_nav(
    tmp_path: Path, runner: CliRunner, example_catalog: Catalog
) -> None:
    """`--docs-only` writes the pages (Markdown pages as they are; CRD version and types pages,
    which crdoc renders as HTML, as `.md` files holding that HTML, which MkDocs passes
    through), crdoc's stylesheet and script, and a nav.yml (valid YAML, a MkDocs nav) that
    lists every page exactly once, index first; no built site."""
    out = tmp_path / "reference"
    result = build(runner, EXAMPLE_CHART, "--docs-only", "-o", out)
    assert result.exit_code == 0, result.output
    pages = {p.relative_to(out).as_posix() for p in out.rglob("*.md")}
    rows = {
        *(p.removesuffix(".html") + ".md" for p in reference_paths(example_catalog)),
        *layout_of(example_catalog).types_pages.values(),
    }
    assert pages == {"index.md", "limitations.md", *rows}
    for page in rows:
        text = (out / page).read_text(encoding="utf-8")
        assert text.startswith('<div class="crdoc">') and html_rows(parse_html(text)), page
    assert (out / "index.md").read_text(encoding="utf-8").startswith("# ")
    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assets = {f for f in files if f.startswith("assets/crdoc/")}
    assert files - assets == {*pages, "nav.yml", MARKER}
    assert {"assets/crdoc/crdoc.css", "assets/crdoc/crdoc.js"} <= assets
    nav = yaml.safe_load((out / "nav.yml").read_text(encoding="utf-8"))
    assert isinstance(nav, list)
    listed = list(_nav_paths(nav))
    assert listed[0] == "index.md"
    assert sorted(listed) == sorted(pages)


def test_user_config_builds_their_pages_and_the_reference(
    tmp_path: Path, runner: CliRunner, example_catalog: Catalog
) -> None:
    """`--config` with a tiny mkdocs.yml and docs/index.md: their page is the home page, the
    reference is under reference/ with every field anchor, their nav keeps its entry and
    gains the reference, and the reference pages link correctly."""
    project = tmp_path / "project"
    (project / "docs").mkdir(parents=True)
    (project / "docs" / "index.md").write_text("# Our operator\n\nWelcome to the guide.\n")
    config = project / "mkdocs.yml"
    config.write_text("site_name: Our operator\nnav:\n  - Home: index.md\n")
    site = tmp_path / "site"
    result = build(runner, EXAMPLE_CHART, "--config", config, "-o", site)
    assert result.exit_code == 0, result.output
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "Welcome to the guide." in home
    assert (site / "reference" / "index.html").is_file()
    assert missing_anchors(site, example_catalog, "reference/") == []
    pages = html_pages(site)
    reference = [p for p in pages if p.startswith("reference/")]
    expected = [
        "reference/index.html",
        "reference/limitations.html",
        *reference_paths(example_catalog, "reference/"),
        *types_paths(example_catalog, "reference/"),
    ]  # where MkDocs' directory URLs (on by default) put them
    assert set(reference) == {page_file(site, p).relative_to(site).as_posix() for p in expected}
    assert unresolved(site, pages, reference) == []
    home_links = {posixpath.normpath(unquote(h)) for h in pages["index.html"].links}
    assert home_links & {"reference", "reference/index.html"}  # directory URLs or not
    assert (project / "docs").is_dir() and not (project / "docs" / "reference").exists()


def test_builds_in_one_process_are_independent(tmp_path: Path, runner: CliRunner) -> None:
    """Library use: a `--config` build, then a default build and another `--config` build in
    the same process all succeed."""
    project = tmp_path / "project"
    (project / "docs").mkdir(parents=True)
    (project / "docs" / "index.md").write_text("# Ours\n")
    config = project / "mkdocs.yml"
    config.write_text("site_name: Ours\n")
    first = build(runner, HOSTILE, "--config", config, "-o", tmp_path / "one")
    assert first.exit_code == 0, first.output
    second = build(runner, HOSTILE, "-o", tmp_path / "two")
    assert second.exit_code == 0, second.output
    third = build(runner, HOSTILE, "--config", config, "-o", tmp_path / "three")
    assert third.exit_code == 0, third.output


def test_readme_command_builds_guide_and_reference(
    tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch, example_catalog: Catalog
) -> None:
    """The README's quick start, `crdoc build examples/alloydbomni-operator --config mkdocs.yml
    -o SITE` run from the repository root, builds every guide page of the nav (all of docs/) and
    the reference of every CRD version."""
    monkeypatch.chdir(ROOT)
    site = tmp_path / "site"
    result = build(runner, "examples/alloydbomni-operator", "--config", "mkdocs.yml", "-o", site)
    assert result.exit_code == 0, result.output
    guide = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    for entry in guide["nav"]:
        (page,) = entry.values()
        assert (site / page.replace(".md", ".html")).is_file(), page
    assert "schemaVersion" in (site / "model.html").read_text(encoding="utf-8")
    for path in [
        "reference/index.html",
        *reference_paths(example_catalog, "reference/"),
        *types_paths(example_catalog, "reference/"),
    ]:
        assert page_file(site, path).is_file(), path
    assert missing_anchors(site, example_catalog, "reference/") == []


# -- hostile input ----------------------------------------------------------------------------


def test_hostile_page_body_has_no_input_markup(hostile_site: Path) -> None:
    """In the rendered content (<article>) of every page of the hostile fixture's site there is
    no `<script>`, `<img>` or event handler from chart text, and no `javascript:` link
    anywhere: chart text is shown as text."""
    pages = html_pages(hostile_site)
    for name, page in pages.items():
        tags = " ".join(page.article)
        assert "<script" not in tags and "<img" not in tags and "onerror" not in tags, name
        assert not [h for h in page.links if "javascript:" in h.lower()], name
    text = (hostile_site / "hostile.example.com" / "gadgets-v1.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text  # shown, escaped


def test_hostile_site_has_no_script_from_input(hostile_site: Path) -> None:
    """No page of the hostile fixture's site has a `<script>` element from chart text: every
    `<script>` is the theme's (no inline script mentions `alert(`) and the raw tag from the
    kind, descriptions or enums never appears."""
    for name, page in html_pages(hostile_site).items():
        assert not [s for s in page.scripts if "alert(" in s], name
        text = (hostile_site / name).read_text(encoding="utf-8")
        assert "<script>alert(1)</script>" not in text, name


def test_hostile_table_cells_read_as_input(hostile_site: Path) -> None:
    """The printer-column table of the hostile site shows each JSON path as given (line-break
    opportunities aside)."""
    text = (hostile_site / "hostile.example.com" / "gadgets-v1.html").read_text(encoding="utf-8")
    codes = [code.text() for td in parse_html(text).find_all("td") for code in td.find_all("code")]
    assert ".spec.a|b`c" in codes
    assert ".spec.a\\|b" in codes


# -- the largest corpus entry -----------------------------------------------------------------


def test_largest_corpus_entry_builds_with_every_anchor(tmp_path: Path, runner: CliRunner) -> None:
    """kube-prometheus-stack.tgz (10 CRDs, 10,590 fields): the full build succeeds and every
    field has its row where it is documented (its version's page, or a recovered type's
    section)."""
    source = corpus_entry("kube-prometheus-stack.tgz")
    site = tmp_path / "site"
    result = build(runner, source, "-o", site, "-q")
    assert result.exit_code == 0, result.output
    catalog = load(source)
    assert sum(len(v.fields) for c in catalog.crds for v in c.versions) == 10590
    assert missing_anchors(site, catalog) == []
