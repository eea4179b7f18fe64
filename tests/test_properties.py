"""Property-based tests: random structural schemas (nested objects, arrays of objects and of
arrays, ``additionalProperties`` schemas and booleans, property names and texts full of
Markdown/HTML/Jinja metacharacters, validation keywords with 0 values) in a valid CRD.

Derandomized for CI; set ``CRDOC_HYPOTHESIS_EXAMPLES`` to hunt with more examples.
"""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import markdown
import yaml
from conftest import field_locations, markdown_pages, markdown_rows, ragged_tables, shows_field
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from crdoc import CrdocError, load
from crdoc.model import anchor_for
from crdoc.pipeline import Reference
from crdoc.render.environment import RenderOptions
from crdoc.render.layout import Layout

EXAMPLES = int(os.environ.get("CRDOC_HYPOTHESIS_EXAMPLES", "60"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

#: Metacharacters of Markdown, HTML, Jinja and GFM tables, and a little of everything else.
META = list("*_`|<>&[](){}#!\\~.-+=:'\"$%") + [
    "{{",
    "}}",
    "{%",
    "%}",
    "<script>",
    "\u00e9",
    "\u4e2d",
]
TEXT = st.lists(
    st.one_of(st.sampled_from(META + ["\n", "\r", "\r\n", "\n\n", " ", "- ", "1. "]), st.text()),
    max_size=8,
).map("".join)
NAME = (
    st.lists(
        st.one_of(
            st.sampled_from(META),
            st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zs", "Zl", "Zp")), max_size=4),
        ),
        min_size=1,
        max_size=4,
    )
    .map("".join)
    .filter(lambda n: n.strip() == n and n != "")
)
SCALAR = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), TEXT)
VALIDATION = st.fixed_dictionaries(
    {},
    optional={
        "minimum": st.integers(-1, 1),
        "maximum": st.integers(0, 2),
        "minLength": st.just(0),
        "maxLength": st.integers(0, 3),
        "minItems": st.just(0),
        "maxItems": st.integers(0, 3),
        "pattern": TEXT,
        "format": TEXT,
        "nullable": st.booleans(),
        "x-kubernetes-validations": st.lists(
            st.fixed_dictionaries({"rule": TEXT}, optional={"message": TEXT}), max_size=2
        ),
    },
)


def _leaf() -> st.SearchStrategy[dict]:
    base = st.fixed_dictionaries(
        {"type": st.sampled_from(["string", "integer", "boolean", "number"])},
        optional={"description": TEXT, "enum": st.lists(SCALAR, max_size=3), "default": SCALAR},
    )
    return st.tuples(base, VALIDATION).map(lambda pair: {**pair[0], **pair[1]})


def _compound(children: st.SearchStrategy[dict]) -> st.SearchStrategy[dict]:
    obj = st.fixed_dictionaries(
        {"type": st.just("object")},
        optional={
            "description": TEXT,
            "properties": st.dictionaries(NAME, children, max_size=4),
            "additionalProperties": st.one_of(st.booleans(), children),
        },
    )
    arr = st.fixed_dictionaries(
        {"type": st.just("array"), "items": children}, optional={"description": TEXT}
    )
    return st.one_of(obj, arr)


SCHEMA = st.recursive(_leaf(), _compound, max_leaves=12)
ROOT = st.dictionaries(NAME, SCHEMA, min_size=1, max_size=4).map(
    lambda props: {"type": "object", "description": "root", "properties": props}
)


def expected_paths(node: dict, prefix: str = "") -> list[str]:
    """Field paths per the MANIFEST: properties by name, items transparent, an
    additionalProperties schema as ``*``; ``required`` and booleans add nothing."""
    paths: list[str] = []
    while True:
        for name, child in (node.get("properties") or {}).items():
            path = f"{prefix}.{name}" if prefix else name
            paths += [path, *expected_paths(child, path)]
        extra = node.get("additionalProperties")
        if isinstance(extra, dict) and extra:
            path = f"{prefix}.*" if prefix else "*"
            paths += [path, *expected_paths(extra, path)]
        items = node.get("items")
        if not isinstance(items, dict):
            return paths
        node = items


def write_crd(folder: Path, schema: dict) -> Path:
    manifest = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "things.prop.example.com"},
        "spec": {
            "group": "prop.example.com",
            "scope": "Namespaced",
            "names": {"kind": "Thing", "plural": "things"},
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {"openAPIV3Schema": schema},
                    "additionalPrinterColumns": [
                        {"name": "a|b", "type": "string", "jsonPath": ".spec|x"}
                    ],
                }
            ],
        },
    }
    path = folder / "crd.yaml"
    path.write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


GFM = MarkdownIt("commonmark").enable("table")
#: The only HTML crdoc writes into GitHub Markdown: row anchors, the break after a row's line.
OWN_HTML = re.compile(r'<a id="[^"<>]*">|</a>|<br>')


def html_of(tokens: list[Any]) -> list[str]:
    chunks = [t.content for t in tokens if t.type == "html_block"]
    chunks += [c.content for t in tokens for c in (t.children or ()) if c.type == "html_inline"]
    return [line for chunk in chunks for line in chunk.strip().splitlines() if line.strip()]


#: crdoc's deep-link targets of an HTML page (JSON data, never run).
DEEP_LINKS = re.compile(r'<script type="application/json" class="crdoc-targets">[^<]*</script>')


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)


@SETTINGS
@given(schema=ROOT)
def test_load_never_crashes_and_keeps_every_path(tmp_path_factory, schema: dict) -> None:
    """``crdoc.load`` of any generated CRD raises nothing but :class:`CrdocError`, and (these
    schemas being structural) succeeds with exactly the walker's field paths, in order."""
    folder = tmp_path_factory.mktemp("p")
    try:
        catalog = load(write_crd(folder, schema))
    except CrdocError:
        raise AssertionError("a valid structural schema was refused") from None
    fields = catalog.crds[0].versions[0].fields
    assert [f.path for f in fields] == expected_paths(schema)


@SETTINGS
@given(schema=ROOT)
def test_github_markdown_is_well_formed(tmp_path_factory, schema: dict) -> None:
    """On the GitHub page every field has a row, behind its ``<a id>`` anchor, whose line shows
    the field's name (its own row, or its row in the section of the recovered type it lies
    in), and there is no other row; every table keeps its column count; markdown-it sees no
    HTML but crdoc's own."""
    catalog = load(write_crd(tmp_path_factory.mktemp("p"), schema))
    pages = markdown_pages(catalog, RenderOptions(flavour="github"))
    page = next(p for p in pages if p.path.endswith("things-v1.md"))
    for each in pages:
        tokens = GFM.parse(each.text)
        assert ragged_tables(tokens) == [], each.path
        assert [h for h in html_of(tokens) if not OWN_HTML.fullmatch(h)] == [], each.path
    rows = markdown_rows(GFM.parse(page.text))
    layout = Layout.of(Reference.of(catalog), index="README.md")
    paths, anchors = [], set()
    for _, _, item, where, anchor in field_locations(catalog, layout):
        assert where == page.path, item.path  # one CRD: its types are on its page
        assert anchor == anchor_for(item.path) or anchor.startswith("type-"), item.path
        assert shows_field(rows.get(anchor, ""), item), (item.path, anchor)
        paths.append(item.path)
        anchors.add(anchor)
    assert paths == expected_paths(schema)
    assert set(rows) == anchors


@SETTINGS
@given(schema=ROOT)
def test_mkdocs_markdown_has_no_input_tags(tmp_path_factory, schema: dict) -> None:
    """The site's pages yield HTML with no ``<script>`` or ``<img>`` tag: none can come from
    input. Its Markdown pages are read as MkDocs reads them, with Python-Markdown (tables,
    attr_list, md_in_html); its HTML pages reach the browser as crdoc wrote them (bar crdoc's
    own deep-link data, a ``<script type="application/json">`` holding no tag)."""
    catalog = load(write_crd(tmp_path_factory.mktemp("p"), schema))
    for page in markdown_pages(catalog, RenderOptions(flavour="mkdocs")):
        html = page.text
        if not page.html:
            html = markdown.markdown(page.text, extensions=["tables", "attr_list", "md_in_html"])
        html = DEEP_LINKS.sub("", html)
        parser = _Tags()
        parser.feed(html)
        assert not {"script", "img", "iframe", "svg"} & set(parser.tags), page.path
