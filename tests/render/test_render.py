"""The pages crdoc writes, read back with real parsers: Markdown (GitHub's, and the site's index
and limitations) with a CommonMark/GFM parser (markdown-it-py), the site's CRD and types pages
(HTML) with html.parser.

Outputs are never compared with crdoc's own idea of them: every page is parsed, and its
anchors, field rows, links, tables and HTML are collected from the token stream or the element
tree, then checked against the model (every version has a page, every field a row where
``Layout.locate`` says it is documented: on its version's page, or in the section of the
recovered type it lies in) and against the output files (every link lands on a file and an
anchor that exist). Hostile inputs (``fixtures/render/``, written by hand) try to break out of
Markdown and HTML through every printed string.
"""

from __future__ import annotations

import html
import json
import posixpath
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from click.testing import CliRunner
from conftest import (
    CORPUS_COUNTS,
    EXAMPLE_CHART,
    FIXTURES,
    Element,
    corpus_entry,
    field_locations,
    html_row_name,
    html_row_own,
    html_rows,
    markdown_pages,
    markdown_row_source,
    markdown_rows,
    parse_html,
    shows_field,
)
from markdown_it import MarkdownIt
from markdown_it.token import Token

from crdoc import load
from crdoc.cli import cli
from crdoc.errors import CrdocError
from crdoc.model import Catalog, Crd, Field, Version
from crdoc.pipeline import Reference
from crdoc.publish.markdown import write_markdown
from crdoc.render.environment import RenderOptions
from crdoc.render.layout import LIMITATIONS_PAGE, SPLIT_BYTES, Layout, page_id, version_page_path
from crdoc.reports.annotations import empty_annotations
from crdoc.reports.limitations import known_limitations

RENDER_FIXTURES = FIXTURES / "render"

# CommonMark + GFM tables. The nesting limit is raised: the field trees of real CRDs nest lists
# 10+ deep, which GitHub (cmark-gfm) and Python-Markdown render but markdown-it's default of 20
# token levels would silently stop parsing.
MD = MarkdownIt("commonmark", {"maxNesting": 1000}).enable(["table", "strikethrough"])


def _source(name: str) -> Path:
    """A source by test id: a corpus entry, the example chart, or a render fixture."""
    if name in CORPUS_COUNTS:
        return corpus_entry(name)
    if name == "example-chart":
        return EXAMPLE_CHART
    return RENDER_FIXTURES / f"{name}.yaml"


def _sources() -> list[str]:
    """Every corpus entry and the example chart (test ids are the names)."""
    return [*sorted(CORPUS_COUNTS), "example-chart"]


@cache
def _catalog(name: str) -> Catalog:
    return load(_source(name))


# -- reading Markdown back --------------------------------------------------------------------


def walk(tokens: list[Token]) -> Iterator[Token]:
    """Every token, inline children included, in document order."""
    for token in tokens:
        yield token
        if token.children:
            yield from walk(token.children)


_A_ID = re.compile(r'<a id="([^"]*)">')
_ATTR_ID = re.compile(r"\{\s*#(\S+)\s*\}\s*$")
_PUNCTUATION_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def _python_markdown_id(raw: str) -> str:
    """The id Python-Markdown's attr_list gives ``{ #raw }``: backslash escapes undone, and
    character references as the browser reads them in the attribute."""
    return html.unescape(_PUNCTUATION_ESCAPE.sub(r"\1", raw))


@dataclass
class ParsedPage:
    """What one page offers and points at: a Markdown page read with markdown-it, or (``html``)
    a site page crdoc writes as HTML, read with html.parser."""

    text: str
    tokens: list[Token]
    html: bool = False
    root: Element | None = None
    """The element tree of an HTML page."""
    anchors: set[str] = field(default_factory=set)
    """Ids a browser would find: ``<a id>`` (GitHub), ``{ #id }`` heading attributes (MkDocs'
    Markdown pages) or any element's id (HTML pages)."""
    links: list[str] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)
    """Each heading's text (as the reader sees it, attr-list marker removed)."""
    rows: dict[str, str] = field(default_factory=dict)
    """Field rows: id → the name the row's line shows."""
    targets: dict[str, str] = field(default_factory=dict)
    """An HTML page's deep links into recovered types (crdoc.js follows them): the anchor of a
    use → the href of the type's section."""


def parse_page(text: str, *, as_html: bool = False) -> ParsedPage:
    if as_html:
        return _parse_html_page(text)
    tokens = MD.parse(text)
    page = ParsedPage(text, tokens)
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            inline = tokens[index + 1]
            attr = _ATTR_ID.search(inline.content)
            if attr:
                page.anchors.add(_python_markdown_id(attr.group(1)))
            page.headings.append("".join(c.content for c in inline.children or ()))
    for token in walk(tokens):
        if token.type in ("html_block", "html_inline"):
            page.anchors.update(html.unescape(value) for value in _A_ID.findall(token.content))
        elif token.type == "link_open":
            page.links.append(str(token.attrs["href"]))
    page.rows = markdown_rows(tokens)
    return page


def _parse_html_page(text: str) -> ParsedPage:
    root = parse_html(text)
    page = ParsedPage(text, [], html=True, root=root)
    for element in root.iter():
        if "id" in element.attrs:
            page.anchors.add(element.attrs["id"])
        if element.tag == "a" and "href" in element.attrs:
            page.links.append(element.attrs["href"])
        if re.fullmatch(r"h[1-6]", element.tag):
            page.headings.append(element.text())
        if element.tag == "script" and "crdoc-targets" in element.classes:
            page.targets.update(json.loads(element.text()))
    page.rows = {ident: html_row_name(row) for ident, row in html_rows(root).items()}
    return page


@dataclass
class Output:
    """One rendered output: pages by relative path, parsed once."""

    catalog: Catalog
    pages: dict[str, ParsedPage]
    index: str
    layout: Layout
    """Where each page lives and each field is documented (as the renderer laid them out)."""


_OUTPUTS: dict[tuple[str, str], Output] = {}


@pytest.fixture(scope="module")
def out_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("markdown")


def github_output(name: str, root: Path) -> Output:
    """``crdoc markdown SOURCE -o DIR`` (the real command), every file read back and parsed."""
    key = (name, "github")
    if key not in _OUTPUTS:
        target = root / re.sub(r"[^A-Za-z0-9.-]", "_", name)
        result = CliRunner().invoke(cli, ["markdown", str(_source(name)), "-o", str(target), "-q"])
        assert result.exit_code == 0, result.output
        pages = {
            path.relative_to(target).as_posix(): parse_page(path.read_text(encoding="utf-8"))
            for path in sorted(target.rglob("*.md"))
        }
        catalog = _catalog(name)
        layout = Layout.of(Reference.of(catalog), index="README.md", split_bytes=SPLIT_BYTES)
        _OUTPUTS[key] = Output(catalog, pages, "README.md", layout)
    return _OUTPUTS[key]


def mkdocs_output(name: str) -> Output:
    """The pages ``crdoc build`` hands to MkDocs (the renderer's pages for the site: Markdown,
    and HTML for CRD versions and types), parsed."""
    key = (name, "mkdocs")
    if key not in _OUTPUTS:
        catalog = _catalog(name)
        pages = markdown_pages(catalog, RenderOptions(flavour="mkdocs"))
        parsed = {p.path: parse_page(p.text, as_html=p.html) for p in pages}
        _OUTPUTS[key] = Output(catalog, parsed, "index.md", Layout.of(Reference.of(catalog)))
    return _OUTPUTS[key]


def linked_page(path: str, page: ParsedPage, url: str) -> str | None:
    """The page a relative link's path (``url``, unquoted) of ``page`` at ``path`` leads to:
    Markdown pages link to ``.md`` files (MkDocs maps them), the site's HTML pages to the
    ``.html`` MkDocs writes for each page (``None`` for anything else)."""
    target = posixpath.normpath(posixpath.join(posixpath.dirname(path), url))
    if not page.html:
        return target if target.endswith(".md") else None
    return target.removesuffix(".html") + ".md" if target.endswith(".html") else None


def dead_links(pages: Mapping[str, ParsedPage]) -> list[str]:
    """Links that miss: relative paths to no output file, fragments to no anchor."""
    dead = []
    for path, page in pages.items():
        for href in page.links:
            parts = urlsplit(href)
            if parts.scheme in ("http", "https") and parts.netloc:
                continue
            if parts.scheme or parts.netloc:
                dead.append(f"{path}: {href} (not a relative link)")
                continue
            target = linked_page(path, page, unquote(parts.path)) if parts.path else path
            if target not in pages:
                dead.append(f"{path}: {href} (no file {target})")
            elif parts.fragment and unquote(parts.fragment) not in pages[target].anchors:
                dead.append(f"{path}: {href} (no anchor on {target})")
    return dead


def missing_fields(output: Output) -> list[str]:
    """Fields of the model without their row where the layout says they are documented: a
    row (with its anchor) naming the field, on the field's version page (or a part of it) or,
    inside a recovered type, in the type's section (ids ``type-{slug}.{path in the type}``)."""
    missing = []
    for crd in output.catalog.crds:
        for version in crd.versions:
            if version_page_path(crd, version) not in output.pages:
                missing.append(f"page {version_page_path(crd, version)}")
    for crd, version, item, page, anchor in field_locations(output.catalog, output.layout):
        where = f"{crd.key} {version.name} {item.path}"
        home = version_page_path(crd, version)
        if not anchor.startswith("type-") and (
            anchor != item.anchor or page not in _files_of(output.layout, home)
        ):
            missing.append(f"{where}: documented at {page}#{anchor}")
        parsed = output.pages.get(page)
        if parsed is None or anchor not in parsed.rows:
            missing.append(f"{where}: no row {anchor} on {page}")
        elif not shows_field(parsed.rows[anchor], item):
            missing.append(f"{where}: row {anchor} shows {parsed.rows[anchor]!r}")
    return missing


def _files_of(layout: Layout, page: str) -> set[str]:
    """A page's files: the page, or its parts when the layout splits it."""
    return {part.path for part in layout.parts.get(page, ())} | {page}


def expected_pages(output: Output) -> set[str]:
    """The index, a page per CRD version (each part of one split for GitHub), a types page per
    API group whose CRDs share recovered types, and the known limitations where the schemas
    imply any (deprecated versions, "Deprecated" descriptions, free-form fields)."""
    catalog, layout = output.catalog, output.layout
    pages = {output.index} | {version_page_path(c, v) for c in catalog.crds for v in c.versions}
    pages |= set(layout.types_pages.values())
    pages |= {part.path for parts in layout.parts.values() for part in parts}
    if known_limitations(catalog, empty_annotations()):
        pages.add(LIMITATIONS_PAGE)
    return pages


def followed(output: Output, page: str, anchor: str) -> tuple[str, str] | None:
    """Where the site takes a reader who opens ``page#anchor``: the element with that id, or
    (as crdoc.js does) through the page's deep-link targets into a recovered type's section,
    on this page or another; ``None`` when it leads nowhere."""
    for _ in range(32):
        parsed = output.pages.get(page)
        if parsed is None:
            return None
        if anchor in parsed.anchors:
            return page, anchor
        keys = [k for k in parsed.targets if anchor == k or anchor.startswith(k + ".")]
        if not keys:
            return None
        best = max(keys, key=len)
        url, _, fragment = parsed.targets[best].partition("#")
        if url:
            found = linked_page(page, parsed, unquote(url))
            if found is None:
                return None
            page = found
        anchor = unquote(fragment) + anchor[len(best) :]
    return None


def row_source(page: ParsedPage, anchor: str) -> str:
    """The Markdown source of one row of a GitHub page, without the rows nested in it."""
    return markdown_row_source(page.text, page.tokens, anchor)


def row_body_tokens(page: ParsedPage, anchor: str) -> list[Token]:
    """What a GitHub row holds under its line (description, annotation, facts), parsed as a
    Markdown document of its own."""
    lines = row_source(page, anchor).split("\n")[1:]
    return MD.parse("\n".join(line.removeprefix("  ") for line in lines))


def row_element(page: ParsedPage, anchor: str) -> Element:
    """One row of an HTML page, without the rows nested in it."""
    assert page.root is not None
    return html_row_own(html_rows(page.root)[anchor])


def row_text(page: ParsedPage, anchor: str) -> str:
    """A row as a reader sees it, without the rows nested in it: text only (escapes undone)."""
    if page.html:
        return " ".join(_html_strings(row_element(page, anchor)))
    tokens = MD.parse(row_source(page, anchor))
    return " ".join(t.content for t in walk(tokens) if t.type in ("text", "code_inline"))


def _html_strings(element: Element) -> Iterator[str]:
    """Each text node and each code element's text, in document order."""
    for child in element.children:
        if isinstance(child, str):
            yield child
        elif child.tag == "code":
            yield child.text()
        else:
            yield from _html_strings(child)


def field_text(output: Output, crd: Crd, version: Version, path: str) -> str:
    """The row of the field at ``path`` where it is documented, as a reader sees it."""
    page, anchor = output.layout.locate(crd.key, version.name, path)
    return row_text(output.pages[page], anchor)


# -- completeness -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", _sources())
def test_github_markdown_has_every_version_and_field(name: str, out_root: Path) -> None:
    """`crdoc markdown -o DIR` writes README.md plus exactly one page per CRD version (in parts
    when too big for GitHub) and the types pages, and every field of the model has a row
    naming it behind an `<a id>` anchor (as a browser decodes it): `field.anchor` on its
    version's page, or the field's id in the section of the recovered type it lies in."""
    output = github_output(name, out_root)
    assert set(output.pages) == expected_pages(output)
    if name in CORPUS_COUNTS:
        crds, versions, fields, _ = CORPUS_COUNTS[name]
        version_pages = {version_page_path(c, v) for c in output.catalog.crds for v in c.versions}
        assert len(version_pages) == versions and version_pages <= set(output.pages)
        assert sum(len(v.fields) for c in output.catalog.crds for v in c.versions) == fields
    assert missing_fields(output) == []


@pytest.mark.parametrize("name", _sources())
def test_mkdocs_markdown_has_every_version_and_field(name: str) -> None:
    """The pages `crdoc build` gives MkDocs: index.md, one HTML page per CRD version and the
    types pages; every field has its row (an element whose id is the field's anchor, naming
    it) where the layout documents it, and `page#field.anchor` of every field of every version
    page leads there (directly, or through the page's deep links into a type's section)."""
    output = mkdocs_output(name)
    assert set(output.pages) == expected_pages(output)
    assert all(
        output.pages[version_page_path(c, v)].html for c in output.catalog.crds for v in c.versions
    )
    assert missing_fields(output) == []
    astray = [
        f"{page}#{item.anchor} (documented at {located})"
        for crd, version, item, *located in field_locations(output.catalog, output.layout)
        if followed(output, page := version_page_path(crd, version), item.anchor) != tuple(located)
    ]
    assert astray == []


@pytest.mark.parametrize("name", _sources())
def test_github_markdown_has_no_dead_links(name: str, out_root: Path) -> None:
    """Every link in `crdoc markdown -o DIR` output is http(s) or relative; relative links reach
    an output file, and their #fragment an anchor on that page."""
    output = github_output(name, out_root)
    assert sum(len(p.links) for p in output.pages.values()) > 0
    assert dead_links(output.pages) == []


@pytest.mark.parametrize("name", _sources())
def test_mkdocs_markdown_has_no_dead_links(name: str) -> None:
    """The same for the pages handed to MkDocs (Markdown pages link to .md files, which MkDocs
    maps; HTML pages to the .html files MkDocs writes)."""
    output = mkdocs_output(name)
    assert sum(len(p.links) for p in output.pages.values()) > 0
    assert dead_links(output.pages) == []


@pytest.mark.parametrize(
    "name", ["example-chart", "gateway-api-standard", "traefik", "facts", "hostile", "anchors"]
)
def test_single_file_links_stay_in_the_file(name: str, tmp_path: Path, runner: CliRunner) -> None:
    """`--single-file`: one file whose links are all in-file #fragments (or http(s)), each
    fragment an anchor of that file, no id twice, and every field of every version has its row
    where the layout documents it, behind an anchor prefixed with its page's name (so the
    same path in two versions, or on a version page and a types page, does not clash)."""
    target = tmp_path / "API.md"
    result = runner.invoke(
        cli, ["markdown", str(_source(name)), "--single-file", "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["API.md"]  # no temporary file left
    page = parse_page(target.read_text(encoding="utf-8"))
    internal = [h for h in page.links if not h.startswith(("http://", "https://"))]
    assert internal and all(h.startswith("#") for h in internal), internal
    assert [h for h in internal if unquote(h[1:]) not in page.anchors] == []
    ids = _A_ID.findall(page.text)
    assert sorted(i for i in set(ids) if ids.count(i) > 1) == []
    catalog = _catalog(name)
    layout = Layout.of(Reference.of(catalog), index="README.md")
    for crd in catalog.crds:
        for version in crd.versions:
            assert page_id(version_page_path(crd, version)) in page.anchors
    missing = []
    for crd, version, item, home, anchor in field_locations(catalog, layout):
        ident = f"{page_id(home)}--{anchor}"
        if not shows_field(page.rows.get(ident, ""), item):
            missing.append(f"{crd.key} {version.name} {item.path}: {ident}")
    assert missing == []


def test_github_anchor_of_field_with_underscore(tmp_path: Path) -> None:
    """Focused: `spec.max_connections` and `spec.tls_config.ca_file` get exactly
    `<a id="spec.max_connections">`, the id links to them use, in GitHub Markdown (a folder
    and a single file)."""
    catalog = _catalog("anchors")
    write_markdown(Reference.of(catalog), tmp_path / "api")
    text = (tmp_path / "api" / "anchors.example.com" / "things-v1.md").read_text()
    assert '<a id="spec.max_connections"></a>**`max_connections`**' in text
    assert '<a id="spec.tls_config.ca_file"></a>' in text
    write_markdown(Reference.of(catalog), tmp_path / "API.md", single_file=True)
    single = (tmp_path / "API.md").read_text()
    assert '<a id="anchors.example.com-things-v1--spec.max_connections"></a>' in single


def test_map_value_field_anchor_decodes_to_its_id(tmp_path: Path) -> None:
    """A map's value field `spec.labels.*` has anchor `spec.labels.~2a` (`~` and the UTF-8 hex
    of `*`): the GitHub `<a id>` and the site's element id both decode to it, on the `*` row."""
    catalog = _catalog("anchors")
    labels = next(f for f in catalog.crds[0].versions[0].fields if f.path == "spec.labels.*")
    assert labels.anchor == "spec.labels.~2a"
    for flavour in ("github", "mkdocs"):
        pages = markdown_pages(catalog, RenderOptions(flavour=flavour))
        found = next(p for p in pages if p.path.endswith("things-v1.md"))
        page = parse_page(found.text, as_html=found.html)
        assert "spec.labels.~2a" in page.anchors, flavour
        assert page.rows["spec.labels.~2a"] == "*", flavour


# -- tables -----------------------------------------------------------------------------------


def gfm_cells(line: str) -> list[str]:
    """A GFM table row's cells: split at each `|` not right after a backslash (cmark-gfm and
    markdown-it both read `\\|` as a literal pipe, code spans included)."""
    row = line.strip()
    cells, current, previous = [], "", ""
    for char in row:
        if char == "|" and previous != "\\":
            cells.append(current)
            current = ""
        else:
            current += char
        previous = char
    cells.append(current)
    if row.startswith("|"):
        cells = cells[1:]
    if row.endswith("|") and not row.endswith("\\|"):
        cells = cells[:-1]
    return cells


def broken_table_rows(page: ParsedPage) -> list[str]:
    """Rows whose cell count differs from their table's header."""
    lines = page.text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    broken = []
    for token in page.tokens:
        if token.type != "table_open" or not token.map:
            continue
        rows = lines[token.map[0] : token.map[1]]
        width = len(gfm_cells(rows[0]))
        broken += [row for row in rows if len(gfm_cells(row)) != width]
    return broken


def _tables(pages: Mapping[str, ParsedPage]) -> int:
    return sum(t.type == "table_open" for p in pages.values() for t in p.tokens)


@pytest.mark.parametrize("name", [*_sources(), "hostile", "facts"])
def test_tables_keep_their_column_count(name: str, out_root: Path) -> None:
    """In both flavours every table row has as many cells as its header: no `|` from chart
    text (descriptions, kinds, short names, printer columns, JSON paths) splits a cell."""
    github = github_output(name, out_root)
    assert _tables(github.pages) >= 1
    broken = {path: broken_table_rows(page) for path, page in github.pages.items()}
    assert {path: rows for path, rows in broken.items() if rows} == {}
    # The MkDocs flavour's Markdown pages are read by Python-Markdown, which never splits a
    # cell inside code; its HTML pages reach the browser as they are.
    for path, page in mkdocs_output(name).pages.items():
        assert uneven_html_tables(page.text if page.html else python_markdown(page.text)) == [], (
            path
        )


class _TableCells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[int]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append(0)
        elif tag in ("td", "th") and self.tables and self.tables[-1]:
            self.tables[-1][-1] += 1


def uneven_html_tables(html: str) -> list[list[int]]:
    """Tables of rendered HTML whose rows do not all have the same number of cells."""
    parser = _TableCells()
    parser.feed(html)
    return [rows for rows in parser.tables if len(set(rows)) > 1]


def python_markdown(text: str) -> str:
    """The HTML MkDocs makes of a page (the Markdown extensions crdoc's site uses)."""
    import markdown

    return markdown.markdown(text, extensions=["tables", "attr_list", "md_in_html", "toc"])


@pytest.mark.parametrize(
    "path", ["spec.containers.image", "spec.labels.*", "a_b.*.c_d", "x.<script>.`y`|z", "[a](b).c"]
)
def test_path_cell_wraps_only_at_dots(path: str) -> None:
    """In a MkDocs table a field path is code that may wrap after each dot (``<wbr>``) and
    reads back, through Python-Markdown, as exactly the path; on GitHub it is plain code."""
    from crdoc.render.markup import code_cell, path_cell

    row = f"| a |\n| --- |\n| {path_cell(path, 'mkdocs')} |\n"
    cell = re.search(r"<td>(.*)</td>", python_markdown(row), re.S).group(1)
    assert cell.startswith("<code>") and cell.endswith("</code>"), cell
    assert cell.count("<wbr>") == path.count("."), cell
    assert "<script>" not in cell
    assert html.unescape(re.sub(r"</?(code|wbr)>", "", cell)) == path
    assert path_cell(path, "github") == code_cell(path, "github")


def test_hostile_printer_columns_table_cells(out_root: Path) -> None:
    """The hostile printer columns come out as one 4-cell row each whose cells read back (after
    GFM unescaping) as the input's text: name, type, JSON path as code, description."""
    page = github_output("hostile", out_root).pages["hostile.example.com/gadgets-v1.md"]
    tables = [t for t in page.tokens if t.type == "table_open"]
    rows: list[list[str]] = []
    for index, token in enumerate(page.tokens):
        if token.type != "tr_open":
            continue
        cells, position = [], index + 1
        while page.tokens[position].type != "tr_close":
            if page.tokens[position].type == "inline":
                cells.append(_inline_text(page.tokens[position]))
            position += 1
        rows.append(cells)
    assert tables
    body = {row[0]: row for row in rows}
    name = "Col|umn <script>alert(1)</script>"
    assert body[name] == [
        name,
        "string|x (f|g)",
        ".spec.a|b`c",
        "Printer | column <script>alert(1)</script> [x](javascript:alert(1)) {{ x }}.",
    ]
    assert body["Backslash\\"][2] == ".spec.a\\|b"


def _inline_text(token: Token) -> str:
    return "".join(c.content for c in token.children or () if c.type in ("text", "code_inline"))


def test_carriage_returns_do_not_break_rows_or_headings(out_root: Path) -> None:
    """Chart text with `\\r\\n` or a lone `\\r` (legal in JSON/YAML strings; CommonMark reads
    both as line endings) keeps each table row on one line and the title on its heading."""
    output = github_output("carriage-returns", out_root)
    page = output.pages["cr.example.com/crs-v1.md"]
    assert broken_table_rows(page) == []
    assert broken_table_rows(output.pages["README.md"]) == []
    title = page.headings[0]
    assert "Cr" in title and "Kind" in title and "v1" in title


# -- hostile text -----------------------------------------------------------------------------

_CRDOC_HTML = re.compile(r'<a id="[^"<>]*">|</a>|<br>')


def _foreign_html(page: ParsedPage) -> list[str]:
    """HTML in the token stream that is not crdoc's own: row anchors and the line break after
    a row's line."""
    foreign = []
    for token in walk(page.tokens):
        if token.type in ("html_block", "html_inline"):
            rest = _CRDOC_HTML.sub("", token.content).strip()
            if rest:
                foreign.append(token.content)
    return foreign


_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`).*?(?<!`)\1(?!`)", re.S)


def _outside_code(page: ParsedPage) -> str:
    """The page's Markdown source without fenced blocks and code spans."""
    lines = page.text.split("\n")
    for token in page.tokens:
        if token.type in ("fence", "code_block") and token.map:
            for number in range(*token.map):
                lines[number] = ""
    return _CODE_SPAN.sub("", "\n".join(lines))


def _foreign_elements(page: ParsedPage) -> list[str]:
    """Elements of an HTML page that chart text could make run or load something: any
    `<script>` but crdoc's deep-link data, `<img>`, `<iframe>`, `<object>`, `<svg>`, event
    handlers, and `javascript:` URLs."""
    assert page.root is not None
    foreign = []
    for element in page.root.iter():
        if element.tag == "script" and element.attrs.get("type") == "application/json":
            continue  # crdoc's deep-link targets: data, never run
        if element.tag in ("script", "img", "iframe", "object", "embed", "svg"):
            foreign.append(element.tag)
        foreign += [f"{element.tag} {name}" for name in element.attrs if name.startswith("on")]
        foreign += [
            f"{element.tag} {name}={value}"
            for name, value in element.attrs.items()
            if name in ("href", "src") and "javascript:" in value.lower()
        ]
    return foreign


@pytest.mark.parametrize("flavour", ["github", "mkdocs"])
def test_hostile_text_stays_text(flavour: str, out_root: Path) -> None:
    """Descriptions, enums, defaults, kinds, short names, scope, CEL rules and vendor extensions
    full of `<script>`, `<img onerror>`, `{{ x }}`, `{% raw %}`, javascript: links, backticks and
    pipes: the only HTML tokens of GitHub Markdown are crdoc's own, rendering the Markdown
    pages never yields a `<script` or `<img` tag, the site's HTML pages have no element from
    chart text, every link is http(s) or in-output, and the text reads back as written."""
    output = github_output("hostile", out_root) if flavour == "github" else mkdocs_output("hostile")
    for path, page in output.pages.items():
        if page.html:
            assert _foreign_elements(page) == [], path
            continue
        if flavour == "github":
            assert _foreign_html(page) == [], path
            assert "<script" not in _outside_code(page).lower(), path
            rendered = MD.renderer.render(page.tokens, MD.options, {})
        else:  # read as MkDocs reads it: Python-Markdown keeps pipes inside code cells
            rendered = python_markdown(page.text)
        assert "<script" not in rendered and "<img" not in rendered, path
    assert dead_links(output.pages) == []
    page = output.pages["hostile.example.com/gadgets-v1.md"]
    if page.html:
        assert page.root is not None
        texts = list(_html_strings(page.root))
    else:
        texts = [t.content for t in walk(page.tokens) if t.type in ("text", "code_inline")]
    joined = "\n".join(texts)
    # Jinja never evaluates chart text: `{{ x }}` and `{% raw %}` come out literally.
    assert "{{ x }} and {% raw %} and {# c #} and {%- endraw %}" in joined
    assert "Root | description <script>alert(1)</script> {{ x }} {% raw %}" in joined
    assert "Gadget v1" in page.headings
    for value in ("x|y", "<script>alert(1)</script>", "{{ x }}", "`tick`", "javascript:alert(1)"):
        assert json.dumps(value) in texts  # enum members, as code (JSON, as every value)
    assert {"p|q", '"p|q"'} & set(texts) and {"`", '"`"'} & set(texts)  # defaults
    rules = [t for t in texts if t.startswith("self.a | self.b && '<script>' != ''")]  # CEL rule
    assert len(rules) == 1 and "must <script>alert(1)</script> | x {{ x }}" in rules[0]  # message
    assert "[x](javascript:alert(1)) and [y]( javascript:alert(1) )" in joined


def test_hostile_links_never_reach_javascript(out_root: Path) -> None:
    """No `javascript:` link, even for a parser that does not filter schemes (Python-Markdown
    does not): with markdown-it's link validation off, every href of the Markdown pages is
    http(s) or relative; so is every href and src of the site's HTML pages."""
    permissive = MarkdownIt("commonmark", {"maxNesting": 1000}).enable("table")
    permissive.validateLink = lambda url: True  # type: ignore[method-assign]
    for output in (github_output("hostile", out_root), mkdocs_output("hostile")):
        for page in output.pages.values():
            if page.html:
                assert page.root is not None
                hrefs = [
                    value
                    for element in page.root.iter()
                    for name, value in element.attrs.items()
                    if name in ("href", "src")
                ]
            else:
                hrefs = [
                    str(t.attrs.get("href") or t.attrs.get("src"))
                    for t in walk(permissive.parse(page.text))
                    if t.type in ("link_open", "image")
                ]
                assert not re.search(r"\]\(\s*<?\s*javascript:", page.text, re.I)
            assert hrefs and not [h for h in hrefs if "javascript" in h.lower()]


def _blocks_row(page: ParsedPage) -> tuple[set[str], str]:
    """The hostile `blocks` field's description: the kinds of block it makes (markdown-it
    token types on GitHub, element names on the site) and its text, code spans shown with
    their backticks (as the input wrote them)."""
    if page.html:
        body = row_element(page, "spec.blocks").find(cls="cd")
        assert body is not None
        return {e.tag for e in body.iter()} - {"div", "code"}, _with_backticks(body)
    tokens = row_body_tokens(page, "spec.blocks")
    text = " ".join(
        f"`{t.content}`" if t.type == "code_inline" else t.content
        for t in walk(tokens)
        if t.type in ("text", "code_inline")
    )
    return {t.type for t in tokens} - {"inline"}, text


def _with_backticks(element: Element) -> str:
    return "".join(
        child
        if isinstance(child, str)
        else f"`{child.text()}`"
        if child.tag == "code"
        else " " + _with_backticks(child) + " "
        for child in element.children
    )


def test_hostile_description_keeps_no_block_markup(out_root: Path) -> None:
    """Headings, blockquotes, code blocks, fences, tables and HTML written in a description
    stay text: the `blocks` field's description holds only paragraphs and (the description's
    own) bullet lists, and `# heading from input` is not a heading."""
    markdown_blocks = {"paragraph_open", "paragraph_close", "bullet_list_open"}
    markdown_blocks |= {"bullet_list_close", "list_item_open", "list_item_close"}
    for output in (github_output("hostile", out_root), mkdocs_output("hostile")):
        page = output.pages["hostile.example.com/gadgets-v1.md"]
        assert not [h for h in page.headings if "heading from input" in h or "Not a heading" in h]
        kinds, text = _blocks_row(page)
        assert kinds - ({"p", "ul", "li"} if page.html else markdown_blocks) == set()
        text = " ".join(text.split())
        assert "# heading from input" in text
        assert "| a | b | | --- | --- | | c | d |" in text
        # A fence inside a paragraph is no code block: both flavours show a code span, as
        # CommonMark reads a run of backticks closed by a run as long (GitHub's Markdown gets
        # it fenced anew, so it cannot open a block there).
        assert "`fenced` Last | paragraph." in text


def test_hostile_description_dashes_are_not_a_rule(out_root: Path) -> None:
    """A description paragraph `---` (a common text separator) stays text, not an `<hr>`."""
    for output in (github_output("hostile", out_root), mkdocs_output("hostile")):
        page = output.pages["hostile.example.com/gadgets-v1.md"]
        if page.html:
            assert page.root is not None and not page.root.find_all("hr")
            assert "---" in _blocks_row(page)[1]
            continue
        assert not [t for t in row_body_tokens(page, "spec.blocks") if t.type == "hr"]
        assert not [t for t in page.tokens if t.type == "hr"]


def test_group_cannot_write_outside_the_output(tmp_path: Path, runner: CliRunner) -> None:
    """A CRD whose `spec.group` is `../../escaped` is refused (exit 1, naming the file) or
    written inside the output folder: nothing appears beside it."""
    out = tmp_path / "a" / "b" / "c" / "out"
    result = runner.invoke(cli, ["markdown", str(_source("escaping-group")), "-o", str(out)])
    outside = [
        p.relative_to(tmp_path).as_posix()
        for p in tmp_path.rglob("*")
        if p.is_file() and out not in p.parents
    ]
    assert outside == []
    assert result.exit_code in (0, 1)
    if result.exit_code == 1:
        assert "escaping-group.yaml" in result.output
    else:
        pages = [p for p in out.rglob("*.md") if p.name != "README.md"]
        assert len(pages) == 1 and "# Escapee v1" in pages[0].read_text()


def test_sanitised_page_paths_do_not_collide(tmp_path: Path, runner: CliRunner) -> None:
    """Two different CRDs whose groups differ only in an unsafe character (`/` vs `_`) are
    refused (exit 1) or each get their own page with their own fields: none is lost."""
    out = tmp_path / "api"
    result = runner.invoke(cli, ["markdown", str(_source("colliding-groups")), "-o", str(out)])
    assert result.exit_code in (0, 1)
    if result.exit_code == 1:
        assert "colliding-groups.yaml" in result.output
        return
    catalog = _catalog("colliding-groups")
    assert len(catalog.crds) == 2
    assert len([p for p in out.rglob("*.md") if p.name != "README.md"]) == 2
    output = github_output("colliding-groups", tmp_path / "again")
    assert missing_fields(output) == []


# -- descriptions and facts -------------------------------------------------------------------


@pytest.mark.parametrize("flavour", ["github", "mkdocs"])
def test_description_paragraphs_lists_and_urls(flavour: str, out_root: Path) -> None:
    """A description's paragraphs and `- ` list survive (paragraph and list tokens, or `<p>`
    and `<ul>` elements, wrapped lines joined), and a bare https URL becomes a link to
    itself."""
    output = github_output("facts", out_root) if flavour == "github" else mkdocs_output("facts")
    page = output.pages["facts.example.com/widgets-v1.md"]
    if page.html:
        body = row_element(page, "spec").find(cls="cd")
        assert body is not None
        blocks = [c for c in body.children if isinstance(c, Element)]
        paragraphs = [c.text() for c in blocks if c.tag == "p"]
        items = [
            li.text()
            for c in blocks
            if c.tag == "ul" and "cx" not in c.classes  # not the list of facts
            for li in c.find_all("li")
        ]
        links = [a.attrs["href"] for a in body.find_all("a")]
    else:
        tokens = row_body_tokens(page, "spec")
        paragraphs = [
            tokens[i + 1].content
            for i, t in enumerate(tokens)
            if t.type == "paragraph_open" and tokens[i - 1].type != "list_item_open"
        ]
        items = [
            _inline_text(tokens[i + 2])
            for i, t in enumerate(tokens)
            if t.type == "list_item_open" and tokens[i + 1].type == "paragraph_open"
        ]
        links = [t.attrs["href"] for t in walk(tokens) if t.type == "link_open"]
    assert "WidgetSpec is what the user wants. It is wrapped over two lines." in paragraphs
    assert "Modes:" in paragraphs
    assert items[:2] == ["Fast: quick and dirty.", "Slow: careful."]
    assert "https://example.com/docs/widgets" in links  # the trailing '.' is not in it


@pytest.mark.parametrize("flavour", ["github", "mkdocs"])
def test_schema_facts_are_shown_on_their_field(flavour: str, out_root: Path) -> None:
    """Each fact is shown on its own field's row (not on the rows nested in it): a `minimum: 0`
    bound (`0 ≤ value`), the falsy defaults `0` and `false`, enum values, a CEL rule with its
    message (on the object and on array items), list type and keys, lengths and item counts,
    required marks."""
    output = github_output("facts", out_root) if flavour == "github" else mkdocs_output("facts")
    crd = output.catalog.crds[0]
    v1, v1beta1 = (next(v for v in crd.versions if v.name == name) for name in ("v1", "v1beta1"))

    def shown(path: str) -> str:
        return field_text(output, crd, v1, path)

    # A default reads `default 0` on GitHub, `= 0` on the site.
    assert "0 ≤ value ≤ 10" in shown("spec.replicas")
    assert re.search(r"(?:default|=)\s+0\b", shown("spec.replicas"))
    assert re.search(r"(?:default|=)\s+false\b", shown("spec.enabled"))
    assert "Fast" in shown("spec.mode") and "Slow" in shown("spec.mode")
    assert "required" in shown("spec.mode") and "required" not in shown("spec.replicas")
    spec = shown("spec")
    assert "self.size >= self.replicas" in spec and "size must be at least replicas" in spec
    ports = shown("spec.ports")
    assert "self.port > 1024 || self.name == 'http'" in ports
    assert "privileged ports are for http only" in ports
    assert "map" in ports and "name" in ports  # x-kubernetes-list-type / list-map-keys
    assert "1 ≤ items" in ports
    assert "3 ≤ length" in shown("spec.owner.name")
    assert "1 ≤ value ≤ 65535" in shown("spec.ports.port")
    assert "privileged ports" not in shown("spec.ports.port")  # the rule is on its own field
    beta = output.pages["facts.example.com/widgets-v1beta1.md"]
    assert "0 ≤ value" in field_text(output, crd, v1beta1, "spec.replicas")
    if beta.html:
        assert beta.root is not None and "use v1" in beta.root.text()
    else:
        assert "use v1" in " ".join(t.content for t in walk(beta.tokens) if t.type == "text")


def test_empty_string_default_is_visible(out_root: Path) -> None:
    """`default: ""` shows a visible value (e.g. `""`) after the word default (GitHub) or the
    `=` of the row's default (the site)."""
    page = github_output("facts", out_root).pages["facts.example.com/widgets-v1.md"]
    tokens = MD.parse(row_source(page, "spec.prefix"))
    inline = [t for t in walk(tokens) if t.type in ("text", "code_inline")]
    after = [
        inline[i + 1].content
        for i, t in enumerate(inline[:-1])
        if t.type == "text" and t.content.rstrip().endswith("default")
    ]
    assert len(after) == 1 and after[0].strip() != ""
    site = mkdocs_output("facts").pages["facts.example.com/widgets-v1.md"]
    default = row_element(site, "spec.prefix").find(cls="cv")
    assert default is not None and default.text().removeprefix("= ").strip() != ""


def test_cel_message_on_the_right_gateway_field(out_root: Path) -> None:
    """gateway-api HTTPRoute v1: the fraction rule `self.numerator <= self.denominator` and its
    message are on `…requestMirror.fraction`'s row, the percent-or-fraction rule on
    `…requestMirror`'s, and neither leaks into the other (both for backendRefs filters too),
    wherever the rows are documented (inline or in a recovered type's section)."""
    output = github_output("gateway-api-standard", out_root)
    crd = output.catalog.find("gateway.networking.k8s.io/httproutes")
    v1 = next(v for v in crd.versions if v.name == "v1")

    def section_text(path: str) -> str:
        return field_text(output, crd, v1, path)

    for base in (
        "spec.rules.filters.requestMirror",
        "spec.rules.backendRefs.filters.requestMirror",
    ):
        fraction, mirror = section_text(base + ".fraction"), section_text(base)
        assert "self.numerator <= self.denominator" in fraction
        assert "numerator must be less than or equal to denominator" in fraction
        assert "!(has(self.percent) && has(self.fraction))" in mirror
        assert (
            "Only one of percent or fraction may be specified in HTTPRequestMirrorFilter" in mirror
        )
        assert "numerator must be less" not in mirror
        assert "Only one of percent" not in fraction
        percent = section_text(base + ".percent")
        assert "0 ≤ value ≤ 100" in percent


# -- determinism ------------------------------------------------------------------------------


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


@pytest.mark.parametrize("name", ["example-chart", "gateway-api-standard", "hostile"])
def test_rendering_is_deterministic(name: str, tmp_path: Path, runner: CliRunner) -> None:
    """Rendering the same catalog twice (and a freshly loaded one) gives identical pages, and
    `crdoc markdown` twice into two folders gives byte-identical trees."""
    catalog = _catalog(name)
    for flavour in ("github", "mkdocs"):
        first = [(p.path, p.text) for p in markdown_pages(catalog, RenderOptions(flavour=flavour))]
        again = [(p.path, p.text) for p in markdown_pages(catalog, RenderOptions(flavour=flavour))]
        fresh = markdown_pages(load(_source(name)), RenderOptions(flavour=flavour))
        assert first == again == [(p.path, p.text) for p in fresh]
    trees = []
    for folder in ("one", "two"):
        result = runner.invoke(cli, ["markdown", str(_source(name)), "-o", str(tmp_path / folder)])
        assert result.exit_code == 0, result.output
        trees.append(_tree(tmp_path / folder))
    assert len(trees[0]) > 1 and trees[0] == trees[1]


# -- template overrides -----------------------------------------------------------------------

MARKER = "<<custom example block>>"


#: Each flavour's CRD page template, and how its example section starts, shows the YAML and
#: starts any other section.
EXAMPLE_SECTIONS = {
    "github": ("crd.md.jinja", "## Example\n", "```yaml\napiVersion:", "\n## "),
    "mkdocs": (
        "crd.html.jinja",
        '<h2 id="example">Example</h2>\n',
        '<div class="highlight language-yaml"><pre><span></span><code><span class="nt">apiVersion',
        "<h2",
    ),
}


@pytest.mark.parametrize("flavour", ["github", "mkdocs"])
def test_template_override_changes_only_its_block(flavour: str, tmp_path: Path) -> None:
    """A `--templates` folder whose CRD page template (crd.md.jinja on GitHub, crd.html.jinja
    on the site) extends its `_base/` template and overrides the `example` block: every CRD
    page equals the default page with exactly the example section (heading and YAML) replaced
    by the override; every other page is unchanged."""
    name, heading, yaml_start, other_section = EXAMPLE_SECTIONS[flavour]
    (tmp_path / name).write_text(
        f'{{% extends "_base/{name}" %}}\n{{% block example %}}' + MARKER + "\n{% endblock %}\n"
    )
    catalog = _catalog("facts")
    version_pages = {version_page_path(c, v) for c in catalog.crds for v in c.versions}
    default = {p.path: p.text for p in markdown_pages(catalog, RenderOptions(flavour=flavour))}
    custom = {
        p.path: p.text
        for p in markdown_pages(catalog, RenderOptions(flavour=flavour, templates=tmp_path))
    }
    assert custom.keys() == default.keys() and version_pages < set(default)
    for path in set(default) - version_pages:
        assert custom[path] == default[path], path
    for path in version_pages:
        assert custom[path].count(MARKER) == 1
        head, tail = custom[path].split(MARKER + "\n")
        assert default[path].startswith(head) and default[path].endswith(tail)
        replaced = default[path][len(head) : len(default[path]) - len(tail)]
        assert replaced.startswith(heading) and yaml_start in replaced
        assert other_section not in replaced.removeprefix(heading)  # no other section went


def test_template_override_through_the_cli(tmp_path: Path, runner: CliRunner) -> None:
    """`crdoc markdown --templates DIR` uses the override (title block) on every CRD page."""
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "crd.md.jinja").write_text(
        '{% extends "_base/crd.md.jinja" %}\n'
        "{% block title %}\n# {{ crd.kind }} ({{ version.name }}) — custom\n{% endblock %}\n"
    )
    out = tmp_path / "api"
    result = runner.invoke(
        cli, ["markdown", str(_source("facts")), "-o", str(out), "--templates", str(templates)]
    )
    assert result.exit_code == 0, result.output
    page = (out / "facts.example.com" / "widgets-v1beta1.md").read_text()
    assert page.startswith("# Widget (v1beta1) — custom\n")


@pytest.mark.parametrize(
    ("body", "line", "words"),
    [
        (
            "{% block example %}\n## Example\n\n{{ no_such_name }}\n{% endblock %}\n",
            5,
            "no_such_name",
        ),
        (
            "{% block summary %}\n\nKind: {{ crd.no_such_attribute }}\n{% endblock %}\n",
            4,
            "no_such_attribute",
        ),
    ],
    ids=["undefined-name", "undefined-attribute"],
)
def test_template_undefined_is_an_error_naming_file_and_line(
    body: str, line: int, words: str, tmp_path: Path, runner: CliRunner
) -> None:
    """An undefined name in an override template fails with a CrdocError whose path is the
    template file and whose line is the one using it; the CLI prints `file:line:` and exits 1,
    writing nothing."""
    template = tmp_path / "templates" / "crd.md.jinja"
    template.parent.mkdir()
    template.write_text('{% extends "_base/crd.md.jinja" %}\n' + body)
    options = RenderOptions(flavour="github", templates=template.parent)
    with pytest.raises(CrdocError) as caught:
        markdown_pages(_catalog("facts"), options)
    assert Path(str(caught.value.path)).resolve() == template.resolve()
    assert caught.value.line == line
    assert words in caught.value.reason
    out = tmp_path / "api"
    result = runner.invoke(
        cli,
        ["markdown", str(_source("facts")), "-o", str(out), "--templates", str(template.parent)],
    )
    assert result.exit_code == 1
    assert f"crd.md.jinja:{line}:" in result.output and words in result.output
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["templates"]


def test_template_syntax_error_names_file_and_line(tmp_path: Path, runner: CliRunner) -> None:
    """A syntax error in an override template is a CrdocError naming the file and line."""
    template = tmp_path / "index.md.jinja"
    template.write_text('{% extends "_base/index.md.jinja" %}\n{% block title %}\n{% if %}\n')
    with pytest.raises(CrdocError) as caught:
        markdown_pages(_catalog("facts"), RenderOptions(templates=tmp_path))
    assert Path(str(caught.value.path)).resolve() == template.resolve()
    assert caught.value.line == 3
    result = runner.invoke(
        cli,
        [
            "markdown",
            str(_source("facts")),
            "-o",
            str(tmp_path / "out"),
            "--templates",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 1
    assert "index.md.jinja:3:" in result.output


# -- versions ---------------------------------------------------------------------------------


def version_switch(output: Output, path: str) -> dict[str, bool]:
    """The version switch at the top of the CRD page at ``path``: each page it links to →
    whether the link keeps the reader's #field (the site's ``data-crdoc-keep-hash``)."""
    page = output.pages[path]
    if page.html:
        assert page.root is not None
        switch = page.root.find("p", cls="crdoc-versions")
        assert switch is not None, path
        links = [(a.attrs["href"], "data-crdoc-keep-hash" in a.attrs) for a in switch.find_all("a")]
    else:
        line = next(
            t for t in page.tokens if t.type == "inline" and t.content.startswith("Versions:")
        )
        links = [(str(t.attrs["href"]), False) for t in walk([line]) if t.type == "link_open"]
    return {linked_page(path, page, unquote(href)) or href: keep for href, keep in links}


@pytest.mark.parametrize("flavour", ["github", "mkdocs"])
def test_version_switch_links_same_field(flavour: str, out_root: Path) -> None:
    """gateway-api (CRDs with 2–3 versions): the switch at the top of each version's page links
    to every other version's page, on the site keeping the reader's #field; a field both
    versions have is at the same anchor on both, so the kept #field leads to its row on the
    other version's page (on the site, also through the deep links into recovered types); a
    field only one version has (fixture) leads nowhere on the other's page."""
    output = (
        github_output("gateway-api-standard", out_root)
        if flavour == "github"
        else mkdocs_output("gateway-api-standard")
    )
    checked = 0
    for crd in output.catalog.crds:
        if len(crd.versions) < 2:
            continue
        for version in crd.versions:
            page_path = version_page_path(crd, version)
            switch = version_switch(output, page_path)
            others = [v for v in crd.versions if v is not version]
            assert switch == {version_page_path(crd, v): flavour == "mkdocs" for v in others}
            for other in others:
                there = version_page_path(crd, other)
                paths = {g.path for g in other.fields}
                for f in version.fields[:40]:
                    if f.path not in paths:
                        continue
                    located = output.layout.locate(crd.key, other.name, f.path)
                    if flavour == "mkdocs":
                        assert followed(output, there, f.anchor) == located, (there, f.path)
                    elif located[1].startswith("type-"):
                        continue  # GitHub runs no script to follow a path into a type
                    else:
                        assert located[1] == f.anchor and f.anchor in output.pages[located[0]].rows
                    checked += 1
    assert checked > (300 if flavour == "mkdocs" else 100)
    assert dead_links(output.pages) == []
    facts = github_output("facts", out_root) if flavour == "github" else mkdocs_output("facts")
    v1, v1beta1 = "facts.example.com/widgets-v1.md", "facts.example.com/widgets-v1beta1.md"
    assert version_switch(facts, v1) == {v1beta1: flavour == "mkdocs"}
    assert "spec.v1only" in facts.pages[v1].rows
    assert "spec.v1only" not in facts.pages[v1beta1].anchors
    assert "spec.size" in facts.pages[v1beta1].rows
    if flavour == "mkdocs":
        assert followed(facts, v1beta1, "spec.v1only") is None


# -- example manifests ------------------------------------------------------------------------


def _example(page: ParsedPage) -> Any:
    """The page's example manifest: its one YAML block (a fence on GitHub, highlighted HTML on
    the site), parsed."""
    if page.html:
        assert page.root is not None
        blocks = page.root.find_all("div", cls="language-yaml")
        assert len(blocks) == 1
        return yaml.safe_load(blocks[0].text())
    fences = [t for t in page.tokens if t.type == "fence" and t.info.strip() == "yaml"]
    assert len(fences) == 1
    return yaml.safe_load(fences[0].content)


def _missing_required(f: Field, value: Any, where: str) -> list[str]:
    """Required members of ``f`` absent from its example ``value``, recursively."""
    if isinstance(value, list):
        return [m for item in value for m in _missing_required(f, item, where + "[]")]
    if not isinstance(value, dict):
        return []
    missing = []
    for child in f.children:
        if child.name == "*":
            continue
        if child.name in value:
            missing += _missing_required(child, value[child.name], f"{where}.{child.name}")
        elif child.required:
            missing.append(f"{where}.{child.name}")
    return missing


def _check_example(crd: Crd, version: Version, manifest: Any) -> list[str]:
    problems = []
    if not isinstance(manifest, dict):
        return [f"{crd.key} {version.name}: not a mapping"]
    if manifest.get("apiVersion") != f"{crd.group}/{version.name}":
        problems.append(f"{crd.key} {version.name}: apiVersion {manifest.get('apiVersion')}")
    if manifest.get("kind") != crd.kind:
        problems.append(f"{crd.key} {version.name}: kind")
    metadata = manifest.get("metadata")
    if not isinstance(metadata, dict) or not isinstance(metadata.get("name"), str):
        problems.append(f"{crd.key} {version.name}: metadata.name")
    for root in version.roots:
        if root.name in ("apiVersion", "kind", "metadata", "status"):
            continue
        if root.required and root.name not in manifest:
            problems.append(f"{crd.key} {version.name}: {root.name}")
        if root.name in manifest:
            problems += [
                f"{crd.key} {version.name}: {m}"
                for m in _missing_required(root, manifest[root.name], root.name)
            ]
    return problems


@pytest.mark.parametrize("name", [*_sources(), "facts"])
def test_example_manifest_is_valid_yaml_with_required_fields(name: str) -> None:
    """Each version page's example is one YAML block that parses to a manifest with the right
    apiVersion, kind and metadata.name, and every required field below spec (recursively, for
    the members it shows)."""
    output = mkdocs_output(name)
    problems = []
    for crd in output.catalog.crds:
        for version in crd.versions:
            page = output.pages[version_page_path(crd, version)]
            problems += _check_example(crd, version, _example(page))
    assert problems == []


def test_example_manifest_of_the_fixture(out_root: Path) -> None:
    """The facts fixture's example, exactly: required spec members with values honouring
    bounds, lengths, enums and minItems (a name without constraints reads `example`) and the
    CEL rules (the item rule `self.port > 1024 || self.name == 'http'` gets port 1025; spec's
    `self.size >= self.replicas` holds once replicas is defaulted); optional ones left out."""
    page = github_output("facts", out_root).pages["facts.example.com/widgets-v1.md"]
    assert _example(page) == {
        "apiVersion": "facts.example.com/v1",
        "kind": "Widget",
        "metadata": {"name": "example-widget", "namespace": "default"},
        "spec": {
            "mode": "Fast",
            "size": 1,
            "owner": {"name": "example"},
            "ports": [{"name": "example", "port": 1025}],
        },
    }
