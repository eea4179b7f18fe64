"""Reader-first pages on real charts: recovered types, field rows, the inventory of every field
(objects.inv), page sizes, the template fast path, and GitHub-sized Markdown.

Sites are built once per corpus entry (module fixtures) and read back as files.
"""

from __future__ import annotations

import json
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote

import jsonschema
import pytest
import sphobjinv
import yaml
from click.testing import CliRunner
from conftest import CORPUS_COUNTS, EXAMPLE_CHART, corpus_entry

from crdoc import load_reference
from crdoc.cli import cli
from crdoc.keywords import STANDARD_FIELDS
from crdoc.publish.jsonschema import json_schemas
from crdoc.render import present
from crdoc.render.environment import RenderOptions, default_templates
from crdoc.render.layout import Layout
from crdoc.render.pages import Renderer

#: Today's reference HTML before recovered types and field rows, measured with crdoc at
#: bd74a83 (`crdoc build ENTRY`, every HTML file but assets): total bytes, largest page.
BEFORE = {
    "cloudnative-pg": (2_524_416, 1_159_473),
    "cloudnative-pg-v0.24.0": (2_218_891, 1_097_776),
    "gateway-api-standard": (2_067_337, 262_782),
    "kube-prometheus-stack.tgz": (8_825_284, 1_668_700),
    "prometheus-operator-legacy": (2_151_260, 776_459),
    "strimzi-kafka-operator": (3_766_841, 1_496_098),
    "traefik": (1_613_961, 221_356),
}
MAX_HTML_PAGE = 600_000
MAX_MARKDOWN_FILE = 400_000


def build(source: Path | str, out: Path, *args: str) -> Path:
    result = CliRunner().invoke(cli, ["build", str(source), "-o", str(out), "-q", *args])
    assert result.exit_code == 0, result.output
    return out


_SITES: dict[str, Path] = {}


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory):
    def site(name: str) -> Path:
        if name not in _SITES:
            source = EXAMPLE_CHART if name == "example-chart" else corpus_entry(name)
            _SITES[name] = build(source, tmp_path_factory.mktemp("site") / name)
        return _SITES[name]

    return site


def html_pages(site: Path) -> dict[str, str]:
    return {
        p.relative_to(site).as_posix(): p.read_text(encoding="utf-8")
        for p in site.rglob("*.html")
        if "assets" not in p.relative_to(site).parts
    }


ENTRIES = sorted(CORPUS_COUNTS)


# -- recovered types --------------------------------------------------------------------------


def test_kube_prometheus_types_have_kubernetes_and_derived_names() -> None:
    reference = load_reference(corpus_entry("kube-prometheus-stack.tgz"))
    types = {t.name: t for t in reference.types.types}
    container = types["Container"]
    assert container.known is not None and container.known.group_version == "core/v1"
    assert container.known.url.endswith("#container-v1-core")
    assert container.size > 150 and len(container.uses) >= 2
    assert "TLSConfig" in types and types["TLSConfig"].known is None
    assert len(types) == len({t.slug for t in reference.types.types})  # names are unique
    # A type is documented once: its home is one page; every use links there.
    layout = Layout.of(reference)
    assert set(layout.type_home) == {t.slug for t in reference.types.types}
    documented = [t.slug for page in layout.types_on.values() for t in page]
    assert sorted(documented) == sorted(set(documented))


def test_types_are_stable_and_identity_keeps_every_description() -> None:
    """Two loads give the same names; uses of one type have equal descriptions below them."""
    first = load_reference(corpus_entry("strimzi-kafka-operator")).types
    second = load_reference(corpus_entry("strimzi-kafka-operator")).types
    assert [t.name for t in first.types] == [t.name for t in second.types]
    reference = load_reference(corpus_entry("strimzi-kafka-operator"))
    by_path = {
        (crd.key, version.name, item.path): item
        for crd in reference.catalog.crds
        for version in crd.versions
        for item in version.fields
    }

    def below(item):
        return [(c.name, c.description, below(c)) for c in item.children]

    for recovered in reference.types.types:
        shapes = {json.dumps(below(by_path[(u.crd, u.version, u.path)])) for u in recovered.uses}
        assert len(shapes) == 1, recovered.name


# -- every field stays findable -----------------------------------------------------------------


@pytest.mark.parametrize("name", [*ENTRIES, "example-chart"])
def test_every_field_resolves_through_objects_inv(name: str, sites) -> None:
    """objects.inv (read with sphobjinv, a real Sphinx-inventory reader) names every CRD
    version and every field path of the model, each pointing at a page and an id that exist."""
    site = sites(name)
    inventory = sphobjinv.Inventory(str(site / "objects.inv"))
    entries = {obj.name: obj for obj in inventory.objects}
    reference = load_reference(EXAMPLE_CHART if name == "example-chart" else corpus_entry(name))
    pages = html_pages(site)
    ids = {path: set(re.findall(r'\sid="([^"]+)"', text)) for path, text in pages.items()}
    expected = 0
    for crd in reference.catalog.crds:
        for version in crd.versions:
            kind = entries.pop(f"{crd.group}/{version.name}/{crd.kind}")
            assert kind.role == "kind" and kind.domain == "crd" and kind.uri in pages
            for item in version.fields:
                expected += 1
                entry = entries.pop(f"{crd.group}/{version.name}/{crd.kind}.{item.path}")
                page, _, anchor = entry.uri.partition("#")
                assert entry.role == "field" and page in pages, entry.uri
                assert unquote(anchor) in ids[page], f"{entry.uri} (for {item.path})"
    assert entries == {}
    if name in CORPUS_COUNTS:
        assert expected == CORPUS_COUNTS[name][2]


def test_deep_link_targets_lead_into_types(sites) -> None:
    """A use of a type on a page maps its path to the type's section (crdoc.js follows
    `#spec.a.b` there): every target of every page exists."""
    site = sites("kube-prometheus-stack.tgz")
    pages = html_pages(site)
    ids = {path: set(re.findall(r'\sid="([^"]+)"', text)) for path, text in pages.items()}
    checked = 0
    for path, text in pages.items():
        for found in re.findall(
            r'<script type="application/json" class="crdoc-targets">(.*?)</script>', text
        ):
            for anchor, href in json.loads(found).items():
                assert anchor in ids[path], (path, anchor)
                target, _, fragment = href.partition("#")
                target = (
                    posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
                    if target
                    else path
                )
                assert fragment in ids[target], (path, href)
                checked += 1
    assert checked > 100


# -- sizes ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ENTRIES)
def test_pages_are_small_and_half_of_before(name: str, sites) -> None:
    site = sites(name)
    sizes = {path: len(text.encode()) for path, text in html_pages(site).items()}
    largest = max(sizes.values())
    total = sum(sizes.values())
    before_total, _ = BEFORE[name]
    assert largest <= MAX_HTML_PAGE, max(sizes, key=sizes.get)
    assert total <= before_total / 2, (total, before_total)


@pytest.mark.parametrize("name", ENTRIES)
def test_markdown_files_fit_github(name: str, tmp_path: Path) -> None:
    out = tmp_path / "api"
    result = CliRunner().invoke(cli, ["markdown", str(corpus_entry(name)), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    sizes = {p.name: p.stat().st_size for p in out.rglob("*.md")}
    assert max(sizes.values()) <= MAX_MARKDOWN_FILE, sizes


def big_crd(depth: int, width: int) -> dict:
    """A deep CRD with long descriptions and no repetition (types cannot shrink it)."""

    def level(d: int, prefix: str) -> dict:
        props = {}
        for i in range(width):
            name = f"{prefix}f{i}"
            text = f"Field {name} sets " + " ".join(f"word{(i * 7 + j) % 97}" for j in range(40))
            if d > 0 and i % 3 == 0:
                props[name] = {
                    "type": "object",
                    "description": text,
                    "properties": level(d - 1, name),
                }
            else:
                props[name] = {"type": "string", "description": text, "maxLength": 63}
        return props

    schema = {
        "type": "object",
        "properties": {"spec": {"type": "object", "properties": level(depth, "s")}},
    }
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "bigs.example.com"},
        "spec": {
            "group": "example.com",
            "names": {"kind": "Big", "plural": "bigs"},
            "scope": "Namespaced",
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {"openAPIV3Schema": schema},
                }
            ],
        },
    }


def test_a_huge_crd_is_split_into_linked_markdown_parts(tmp_path: Path) -> None:
    """A CRD version too large for one GitHub file becomes parts, each under 400 KB, linked to
    each other; every field keeps its anchor, and no link is dead."""
    source = tmp_path / "crd.yaml"
    source.write_text(yaml.safe_dump(big_crd(4, 12)), encoding="utf-8")
    out = tmp_path / "api"
    result = CliRunner().invoke(cli, ["markdown", str(source), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    files = {
        p.relative_to(out).as_posix(): p.read_text(encoding="utf-8") for p in out.rglob("*.md")
    }
    parts = sorted(p for p in files if p.startswith("example.com/bigs-v1"))
    assert len(parts) >= 4
    assert all(len(files[p].encode()) <= MAX_MARKDOWN_FILE for p in parts)
    assert "Parts: " in files["example.com/bigs-v1.md"]
    ids = {p: set(re.findall(r'<a id="([^"]+)"></a>', t)) for p, t in files.items()}
    reference = load_reference(source)
    layout = Layout.of(reference, index="README.md", split_bytes=250_000)
    for item in reference.catalog.crds[0].versions[0].fields:
        page, anchor = layout.locate("example.com/bigs", "v1", item.path)
        assert anchor in ids[page], (item.path, page)
    for page, text in files.items():
        for href in re.findall(r"\]\(([^)#\s]*)#?([^)\s]*)\)", text):
            target = (
                posixpath.normpath(posixpath.join(posixpath.dirname(page), href[0]))
                if href[0]
                else page
            )
            if href[0].startswith("http"):
                continue
            assert target in files, (page, href)
            if href[1]:
                assert unquote(href[1]) in ids[target], (page, href)


# -- rows -------------------------------------------------------------------------------------


def test_standard_fields_get_kubernetes_wording_and_leave_coverage(tmp_path: Path, sites) -> None:
    """`metadata` without a description shows Kubernetes' own words, marked, and is not
    counted as undocumented."""
    site = sites("example-chart")
    page = (site / "alloydbomni.dbadmin.goog" / "backupplans-v1.html").read_text(encoding="utf-8")
    row = re.search(r'<div class="cf" id="metadata">.*?</div></div>', page, re.S).group(0)
    assert "chip-standard" in row and "Standard object&#39;s metadata" in row
    reference = load_reference(EXAMPLE_CHART)
    counted = reference.coverage.row("alloydbomni.dbadmin.goog/backupplans", "v1")
    version = reference.catalog.find("alloydbomni.dbadmin.goog/backupplans").versions[0]
    standard = [f for f in version.roots if f.name in STANDARD_FIELDS and not f.is_documented]
    assert standard and counted.standard == len(standard)
    assert "metadata" not in counted.undocumented


@pytest.mark.parametrize(
    "name", ["kube-prometheus-stack.tgz", "strimzi-kafka-operator", "example-chart"]
)
@pytest.mark.parametrize("flavour", ["mkdocs", "github"])
def test_fast_path_writes_what_the_templates_write(name: str, flavour: str, tmp_path: Path) -> None:
    """The default field_row/chips/callout templates, used as a user's own (so the fast path
    is off), give the very bytes the Python fast path gives."""
    source = EXAMPLE_CHART if name == "example-chart" else corpus_entry(name)
    reference = load_reference(source)
    suffix = ".html.jinja" if flavour == "mkdocs" else ".md.jinja"
    for part in ("field_row", "chips", "callout"):
        (tmp_path / (part + suffix)).write_text(
            (default_templates() / (part + suffix)).read_text(encoding="utf-8"), encoding="utf-8"
        )
    index = "index.md" if flavour == "mkdocs" else "README.md"
    fast = Renderer(RenderOptions(flavour=flavour, index_name=index)).pages(reference)
    slow = Renderer(RenderOptions(flavour=flavour, index_name=index, templates=tmp_path)).pages(
        reference
    )
    fast_pages = {p.path: p.text for p in fast}
    slow_pages = {p.path: p.text for p in slow}
    assert fast_pages.keys() == slow_pages.keys()
    different = [path for path in fast_pages if fast_pages[path] != slow_pages[path]]
    assert different == []


def test_an_overridden_row_template_changes_every_row(tmp_path: Path) -> None:
    (tmp_path / "field_row.html.jinja").write_text(
        '{% macro field_row(row, chips, callout) %}<p class="mine" id="{{ row.id }}">'
        "{{ row.name }}</p>{% endmacro %}",
        encoding="utf-8",
    )
    reference = load_reference(EXAMPLE_CHART)
    pages = Renderer(RenderOptions(templates=tmp_path)).pages(reference)
    page = next(p for p in pages if p.path.endswith("backupplans-v1.md"))
    assert '<p class="mine" id="spec">spec</p>' in page.text and 'class="cf"' not in page.text


@pytest.mark.parametrize("name", [*ENTRIES, "example-chart"])
def test_example_manifests_are_valid_and_realistic(name: str) -> None:
    """Every example manifest validates against crdoc's own JSON Schema of its version, and
    uses realistic values where the schema says what they are."""
    reference = load_reference(EXAMPLE_CHART if name == "example-chart" else corpus_entry(name))
    schemas = json_schemas(reference.catalog)
    for crd in reference.catalog.crds:
        for version in crd.versions:
            if version.schema is None:
                continue
            manifest = yaml.safe_load(present.example_manifest(crd, version))
            key = next(
                k
                for k in schemas
                if k.endswith(f"{crd.kind.lower()}_{version.name}.json") and crd.group in k
            )
            errors = sorted(
                e.message for e in jsonschema.Draft7Validator(schemas[key]).iter_errors(manifest)
            )
            assert not [e for e in errors if "does not match" in e or "is not of type" in e], (
                crd.key,
                errors[:3],
            )


def test_example_values_follow_formats_and_quantities() -> None:
    reference = load_reference(EXAMPLE_CHART)
    crd = reference.catalog.find("alloydbomni.dbadmin.goog/dbclusters")
    manifest = yaml.safe_load(present.example_manifest(crd, crd.versions[0]))
    resources = manifest["spec"]["primarySpec"]["resources"]
    assert resources["cpu"] == "500m" and resources["memory"] == "1Gi"
