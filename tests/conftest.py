"""Shared fixtures: the real-chart corpus (read in place, never copied) and a CLI runner; and
the helpers that read rendered pages back (an HTML tree, field rows, where fields live)."""

from __future__ import annotations

import contextlib
import functools
import os
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

# Every test file finds its data from here, wherever it sits under tests/.
TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
FIXTURES = TESTS / "fixtures"
EXAMPLE_CHART = ROOT / "examples" / "alloydbomni-operator"
CORPUS = Path(os.environ.get("CRDOC_CORPUS", ROOT.parent / "shared" / "corpus"))
#: Upstream example manifests for corpus CRDs (read in place, never copied).
EXAMPLES = Path(os.environ.get("CRDOC_EXAMPLES", ROOT.parent / "shared" / "examples"))
#: Why a corpus test skips: where the corpus comes from, on one line.
CORPUS_SKIP = (
    "the corpus of real public charts is the read-only ../shared/corpus/ beside the checkout;"
    " CRDOC_CORPUS points elsewhere"
)
#: Why an upstream-examples test skips, on one line.
EXAMPLES_SKIP = (
    "the upstream example manifests are the read-only ../shared/examples/ beside the checkout;"
    " CRDOC_EXAMPLES points elsewhere"
)


@pytest.fixture(autouse=True, scope="session")
def _template_cache(tmp_path_factory: pytest.TempPathFactory):
    """Compiled templates go to a folder of the test run's own, never the user's cache."""
    before = os.environ.get("CRDOC_CACHE_DIR")
    os.environ["CRDOC_CACHE_DIR"] = str(tmp_path_factory.mktemp("template-cache"))
    yield
    if before is None:
        del os.environ["CRDOC_CACHE_DIR"]
    else:
        os.environ["CRDOC_CACHE_DIR"] = before


#: name → (CRDs, versions, fields, undocumented), as ../shared/corpus/MANIFEST.md gives them.
CORPUS_COUNTS = {
    "cloudnative-pg": (11, 11, 2614, 108),
    "cloudnative-pg-v0.24.0": (9, 9, 2288, 103),
    "gateway-api-standard": (10, 19, 1114, 36),
    "kube-prometheus-stack.tgz": (10, 10, 10590, 316),
    "prometheus-operator-legacy": (6, 6, 2674, 96),
    "strimzi-kafka-operator": (10, 10, 4369, 2827),
    "traefik": (25, 25, 1432, 221),
}


def counted_fields(name: str) -> tuple[int, int]:
    """(fields, undocumented) that coverage counts in a corpus entry: MANIFEST.md's figures
    less each version's top-level ``metadata``, which no corpus CRD describes — pages show
    Kubernetes' own words for it (a "Kubernetes standard" field) and coverage leaves it out."""
    _, versions, fields, undocumented = CORPUS_COUNTS[name]
    return fields - versions, undocumented - versions


def corpus_entry(name: str) -> Path:
    """The path of a corpus entry; the test is skipped (loudly) where the corpus is absent."""
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"corpus entry {path} is not here ({CORPUS_SKIP})")
    return path


def examples_entry(name: str) -> Path:
    """The path of an upstream example folder; the test is skipped (loudly) where it is absent."""
    path = EXAMPLES / name
    if not path.exists():
        pytest.skip(f"examples {path} are not here ({EXAMPLES_SKIP})")
    return path


@pytest.fixture(params=sorted(CORPUS_COUNTS), ids=str)
def corpus_name(request: pytest.FixtureRequest) -> str:
    """Each corpus entry's name in turn."""
    corpus_entry(request.param)
    return request.param


def markdown_pages(catalog: Any, options: Any = None, annotations: Any = None) -> list[Any]:
    """Every page of a loaded catalog, rendered (``RenderOptions()`` by default)."""
    from crdoc.pipeline import Reference
    from crdoc.render.environment import RenderOptions
    from crdoc.render.pages import Renderer

    reference = Reference.of(catalog, annotations)
    return list(Renderer(options or RenderOptions()).pages(reference))


def report_renderer() -> Any:
    """The renderer ``crdoc coverage --format markdown`` and ``crdoc diff`` use."""
    from crdoc.render.environment import RenderOptions
    from crdoc.render.pages import Renderer

    return Renderer(RenderOptions(flavour="github"))


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def ragged_tables(tokens: list[Any]) -> list[list[int]]:
    """The cell counts of each table (header row first) whose rows do not all match."""
    tables: list[list[int]] = []
    for token in tokens:
        if token.type == "table_open":
            tables.append([])
        elif token.type == "tr_open":
            tables[-1].append(0)
        elif token.type in ("th_open", "td_open"):
            tables[-1][-1] += 1
    return [t for t in tables if len(set(t)) > 1]


# -- reading pages back -------------------------------------------------------------------------

#: Elements that have no end tag.
VOID_ELEMENTS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)


@dataclass(eq=False)
class Element:
    """An element of a page read back with html.parser: just enough of a DOM for the tests."""

    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)

    @property
    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()

    def iter(self) -> Iterator[Element]:
        """This element and every element inside it, in document order."""
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None) -> list[Element]:
        return [
            e
            for e in self.iter()
            if (tag is None or e.tag == tag) and (cls is None or cls in e.classes)
        ]

    def find(self, tag: str | None = None, cls: str | None = None) -> Element | None:
        found = self.find_all(tag, cls)
        return found[0] if found else None

    def text(self) -> str:
        """The text a reader sees (character references decoded)."""
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(element)
        if tag not in VOID_ELEMENTS:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Element(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_html(text: str) -> Element:
    """A page (or a fragment) as a tree of :class:`Element` under a nameless root."""
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


def html_rows(root: Element) -> dict[str, Element]:
    """The field rows of an HTML page (``.cf`` elements) by id."""
    return {row.attrs["id"]: row for row in root.find_all(cls="cf") if "id" in row.attrs}


def html_row_name(row: Element) -> str:
    """What an HTML row's line starts with: the field's name (``.cn``)."""
    name = row.find(cls="cn")
    assert name is not None, row.attrs
    return name.text()


def html_row_own(row: Element) -> Element:
    """An HTML row without the rows nested in it (its line, description and facts)."""
    return Element(
        row.tag,
        row.attrs,
        [c for c in row.children if not (isinstance(c, Element) and "ck" in c.classes)],
    )


_ROW_ANCHOR = re.compile(r'^<a id="([^"]*)">$')
_LINE_ANCHOR = re.compile(r'<a id="([^"]*)"></a>')


def markdown_rows(tokens: list[Any]) -> dict[str, str]:
    """The field rows of a GitHub Markdown page read back with markdown-it: the id of each
    row's ``<a id>`` → the name its line shows (the code in bold right after the anchor)."""
    rows = {}
    for token in tokens:
        children = [c for c in token.children or () if c.type != "text" or c.content]
        for index, child in enumerate(children[:-3]):
            found = _ROW_ANCHOR.match(child.content) if child.type == "html_inline" else None
            if (
                found
                and children[index + 1].content == "</a>"
                and children[index + 2].type == "strong_open"
                and children[index + 3].type == "code_inline"
            ):
                rows[unescape(found.group(1))] = children[index + 3].content
    return rows


def markdown_row_source(text: str, tokens: list[Any], anchor: str) -> str:
    """The Markdown source of one row of a GitHub page: its list item, dedented, without the
    rows nested in it (its line, description, annotation and facts)."""
    lines = text.split("\n")
    items = [
        (token, tokens[index + 2].content if tokens[index + 2].type == "inline" else "")
        for index, token in enumerate(tokens[:-2])
        if token.type == "list_item_open" and token.map
    ]
    for position, (item, content) in enumerate(items):
        found = _LINE_ANCHOR.match(content)
        if not found or unescape(found.group(1)) != anchor:
            continue
        start, end = item.map
        for inner, inner_content in items[position + 1 :]:
            if inner.map[0] >= end:
                break
            if _LINE_ANCHOR.match(inner_content):  # the first row nested in it
                end = inner.map[0]
                break
        own = lines[start:end]
        indent = len(own[0]) - len(own[0].lstrip())
        return "\n".join(line[indent:] for line in own)
    raise AssertionError(f"no row {anchor}")


def field_locations(catalog: Any, layout: Any) -> Iterator[tuple[Any, Any, Any, str, str]]:
    """Every field of a catalog with the page and anchor that document it: (crd, version,
    field, page, anchor), from :meth:`Layout.locate` — its own row on its version's page, or
    its row in the section of the recovered type it lies in."""
    for crd in catalog.crds:
        for version in crd.versions:
            for item in version.fields:
                page, anchor = layout.locate(crd.key, version.name, item.path)
                yield crd, version, item, page, anchor


def shows_field(shown: str, item: Any) -> bool:
    """Whether a row's line names ``item``: its name, or (a nested field at the top of a part
    of a split page) its path ending in the name."""
    name = item.name.replace("\r", " ").replace("\n", " ")
    return shown == name or shown.endswith("." + name)


# Words by which a test file reaches ../shared/corpus or ../shared/examples: every test of such a
# file is marked `corpus`, so `pytest -m "not corpus and not browser"` never waits on them.
_CORPUS_WORDS = (
    "CORPUS",
    "EXAMPLES",
    "corpus_entry",
    "examples_entry",
    "corpus_name",
    "counted_fields",
    "raw_crds",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark corpus and browser tests by the file they live in (see pyproject's markers)."""
    reads_corpus: dict[Path, bool] = {}
    for item in items:
        path = Path(item.path)
        if path not in reads_corpus:
            text = path.read_text(encoding="utf-8")
            reads_corpus[path] = any(re.search(rf"\b{word}\b", text) for word in _CORPUS_WORDS)
        if reads_corpus[path] or "corpus_name" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.corpus)
        if path.name == "test_browser.py":
            item.add_marker(pytest.mark.browser)


# -- local HTTP servers ---------------------------------------------------------------------------


class QuietHandler(SimpleHTTPRequestHandler):
    """Serves a folder without a log line per request."""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's signature
        pass


@contextlib.contextmanager
def serving(handler: Callable[..., BaseHTTPRequestHandler]) -> Iterator[str]:
    """A plain-HTTP server on 127.0.0.1, in a thread, for the block: its base URL, ending in
    ``/``; stopped and joined after."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def serving_folder(folder: Path) -> contextlib.AbstractContextManager[str]:
    """:func:`serving` the files of ``folder``."""
    return serving(functools.partial(QuietHandler, directory=str(folder)))
