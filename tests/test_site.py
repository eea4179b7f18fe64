"""`crdoc build`: the MkDocs (mkdocs-material) site, read back as HTML with html.parser.

Each check works on the built files only: ids and hrefs are collected from every page and
resolved against the output folder, the search index is read as JSON, and the output folder
is compared byte for byte across builds and failures.
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
from conftest import EXAMPLE_CHART, FIXTURES, ROOT, corpus_entry

from crdoc import load
from crdoc.cli import cli
from crdoc.model import Catalog
from crdoc.publish.output import MARKER

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
    """Every HTML page of a site (not the `_mkdocs` sources crdoc keeps), by relative path."""
    return {
        p.relative_to(site).as_posix(): read_html(p)
        for p in sorted(site.rglob("*.html"))
        if "_mkdocs" not in p.relative_to(site).parts
    }


def reference_paths(catalog: Catalog, prefix: str = "") -> list[str]:
    """The HTML page of every CRD version."""
    return [
        f"{prefix}{crd.group}/{crd.plural}-{version.name}.html"
        for crd in catalog.crds
        for version in crd.versions
    ]


def page_file(site: Path, path: str) -> Path:
    """The file of a page path `x.html`, also where MkDocs' directory URLs put it (x/index.html)."""
    plain = site / path
    if plain.is_file() or not path.endswith(".html") or path.endswith("index.html"):
        return plain
    return site / path.removesuffix(".html") / "index.html"


def missing_anchors(site: Path, catalog: Catalog, prefix: str = "") -> list[str]:
    """Fields whose anchor is not an id on their version's HTML page."""
    missing = []
    for crd in catalog.crds:
        for version in crd.versions:
            page = read_html(
                page_file(site, f"{prefix}{crd.group}/{crd.plural}-{version.name}.html")
            )
            missing += [
                f"{crd.key} {version.name}: {f.anchor}"
                for f in version.fields
                if f.anchor not in page.ids
            ]
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
    """The site has index.html, one HTML page per CRD version (15 for the example's 14 CRDs)
    and no other reference page; the index links to every one of them."""
    pages = html_pages(example_site)
    expected = reference_paths(example_catalog)
    assert len(expected) == 15
    assert "index.html" in pages
    assert set(pages) - {"index.html", "404.html", "limitations.html"} == set(expected)
    assert "limitations.html" in pages  # the example's maintainers mark fields non-functional
    index_links = {posixpath.normpath(unquote(h)) for h in pages["index.html"].links}
    assert set(expected) <= index_links
    assert (example_site / MARKER).is_file()


def test_every_field_anchor_is_an_html_id(example_site: Path, example_catalog: Catalog) -> None:
    """Every field of every version has an element whose id is `field.anchor` on its page."""
    assert sum(len(v.fields) for c in example_catalog.crds for v in c.versions) > 400
    assert missing_anchors(example_site, example_catalog) == []


def test_internal_links_resolve(example_site: Path, example_catalog: Catalog) -> None:
    """Every relative href/src of the index and reference pages reaches an existing file, and
    every #fragment an id on the target page (parent, children, tree, nav, assets)."""
    pages = html_pages(example_site)
    which = ["index.html", *reference_paths(example_catalog)]
    links = sum(len(pages[p].links) for p in which)
    assert links > 1000
    assert unresolved(example_site, pages, which) == []


def test_search_index_has_field_paths(example_site: Path, example_catalog: Catalog) -> None:
    """The search index holds a section per field, located at its anchor: e.g.
    `spec.primarySpec.resources.cpu` of DBCluster v1, with its description."""
    docs = search_index(example_site)["docs"]
    location = "alloydbomni.dbadmin.goog/dbclusters-v1.html#spec.primarySpec.resources.cpu"
    cpu = [d for d in docs if d["location"] == location]
    assert len(cpu) == 1
    assert "spec.primarySpec.resources.cpu" in cpu[0]["title"]
    assert "number of CPUs" in cpu[0]["text"]
    locations = {d["location"] for d in docs}
    for crd in example_catalog.crds:
        for version in crd.versions:
            page = f"{crd.group}/{crd.plural}-{version.name}.html"
            assert {f"{page}#{f.anchor}" for f in version.fields} <= locations


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
    index, assets, the kept MkDocs sources)."""
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
    (folder / "crd.md.jinja").write_text(
        '{% extends "_base/crd.md.jinja" %}\n{% block title %}\n# {{ missing_name }}\n'
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
    """A build that fails (a broken --templates template, named with its line; or MkDocs
    refusing a --config, failing mid-way once the staging folder exists) exits 1 without a
    traceback, leaves the previous site byte-identical, and leaves no temporary folder beside
    it nor in the temp directory."""
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
        assert "crd.md.jinja:3:" in result.output and "missing_name" in result.output
    else:
        config = _broken_config(tmp_path / "project")
        result = build(runner, EXAMPLE_CHART, "-o", out, "--config", config)
        assert "error" in result.output.lower()
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert tree(out) == before
    assert sorted(p.name for p in parent.iterdir()) == ["site"]
    assert list(scratch.iterdir()) == []


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
    """`--docs-only` writes the Markdown pages and a nav.yml (valid YAML, a MkDocs nav) that
    lists every page exactly once, index first; no HTML."""
    out = tmp_path / "reference"
    result = build(runner, EXAMPLE_CHART, "--docs-only", "-o", out)
    assert result.exit_code == 0, result.output
    pages = {p.relative_to(out).as_posix() for p in out.rglob("*.md")}
    expected = {
        "index.md",
        "limitations.md",
        *(p.removesuffix(".html") + ".md" for p in reference_paths(example_catalog)),
    }
    assert pages == expected
    assert not list(out.rglob("*.html"))
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
    assert len(reference) == 2 + len(reference_paths(example_catalog))  # index, limitations
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
    -o SITE` run from the repository root, builds the guide pages (Home, Usage, Model) and the
    reference of every CRD version, with the snippet of README.md included in the model page."""
    monkeypatch.chdir(ROOT)
    site = tmp_path / "site"
    result = build(runner, "examples/alloydbomni-operator", "--config", "mkdocs.yml", "-o", site)
    assert result.exit_code == 0, result.output
    guide = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    for entry in guide["nav"]:
        (page,) = entry.values()
        assert (site / page.replace(".md", ".html")).is_file(), page
    assert "schemaVersion" in (site / "model.html").read_text(encoding="utf-8")
    for path in ["reference/index.html", *reference_paths(example_catalog, "reference/")]:
        assert (site / path).is_file(), path
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
    """The printer-column table of the hostile site shows each JSON path as given."""
    text = (hostile_site / "hostile.example.com" / "gadgets-v1.html").read_text(encoding="utf-8")
    codes = re.findall(r"<td><code>(.*?)</code></td>", text)
    assert ".spec.a|b`c" in codes
    assert ".spec.a\\|b" in codes


# -- the largest corpus entry -----------------------------------------------------------------


def test_largest_corpus_entry_builds_with_every_anchor(tmp_path: Path, runner: CliRunner) -> None:
    """kube-prometheus-stack.tgz (10 CRDs, 10,590 fields): the full build succeeds and every
    field anchor is an id on its page."""
    source = corpus_entry("kube-prometheus-stack.tgz")
    site = tmp_path / "site"
    result = build(runner, source, "-o", site, "-q")
    assert result.exit_code == 0, result.output
    catalog = load(source)
    assert sum(len(v.fields) for c in catalog.crds for v in c.versions) == 10590
    assert missing_anchors(site, catalog) == []
