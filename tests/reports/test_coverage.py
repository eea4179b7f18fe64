"""Documentation coverage: counts on real charts, exclusions, weak descriptions, renderers."""

from __future__ import annotations

import json

import pytest
from conftest import CORPUS_COUNTS, EXAMPLE_CHART, corpus_entry, counted_fields, report_renderer
from markdown_it import MarkdownIt

import crdoc
from crdoc.keywords import STANDARD_FIELDS
from crdoc.model import Catalog, Crd, Field, Version
from crdoc.reports.annotations import DEFAULT_FILENAME, load_annotations
from crdoc.reports.coverage import (
    coverage,
    fails_under,
    format_json,
    format_text,
    is_weak,
    name_words,
)


def make_field(path: str, description: str | None = None) -> Field:
    """A leaf field with an optional description."""
    facts = {} if description is None else {"description": description}
    return Field(
        path=path,
        name=path.rpartition(".")[2],
        depth=path.count("."),
        required=False,
        facts=facts,
    )


def make_catalog(*fields: Field, kind: str = "Widget") -> Catalog:
    """A one-CRD, one-version catalog holding ``fields``."""
    version = Version(name="v1", served=True, storage=True, fields=fields)
    crd = Crd(group="example.com", plural=kind.lower() + "s", kind=kind, versions=(version,))
    return Catalog(source="test", crds=(crd,))


# --------------------------------------------------------------------------- real data


def test_corpus_counts(corpus_name: str) -> None:
    """Fields and undocumented fields match the corpus manifest for every entry, but for each
    version's undescribed top-level `metadata`: a Kubernetes standard field, not counted."""
    _, versions, _, _ = CORPUS_COUNTS[corpus_name]
    fields, undocumented = counted_fields(corpus_name)
    report = coverage(crdoc.load(corpus_entry(corpus_name)))
    assert report.fields == fields
    assert report.undocumented == undocumented
    assert report.documented == fields - undocumented
    assert [row.standard for row in report.rows] == [1] * versions


def test_exclude_status_on_cloudnative_pg() -> None:
    """`status.**` drops status and all below it, and nothing else, before counting."""
    catalog = crdoc.load(corpus_entry("cloudnative-pg"))
    everything = coverage(catalog)
    fields = [f for crd in catalog.crds for v in crd.versions for f in v.fields]
    in_status = [f for f in fields if f.path == "status" or f.path.startswith("status.")]
    undocumented_in_status = [f for f in in_status if not f.is_documented]
    assert in_status and undocumented_in_status, "the test needs status fields to drop"
    report = coverage(catalog, exclude=["status.**"])
    assert report.fields == everything.fields - len(in_status)
    assert report.undocumented == everything.undocumented - len(undocumented_in_status)
    assert sum(row.excluded for row in report.rows) == len(in_status)
    assert not any(p.startswith("status") for row in report.rows for p in row.undocumented)


def test_exclude_single_field_and_star() -> None:
    """`status` drops just that field; `spec.*` drops spec's children but not spec."""
    catalog = crdoc.load(EXAMPLE_CHART)
    fields = [f for crd in catalog.crds for v in crd.versions for f in v.fields]
    base = coverage(catalog).fields
    status = sum(f.path == "status" for f in fields)
    assert status, "the test needs status fields to drop"
    assert coverage(catalog, exclude=["status"]).fields == base - status
    spec_children = sum(f.path.startswith("spec.") and f.depth == 1 for f in fields)
    assert coverage(catalog, exclude=["spec.*"]).fields == base - spec_children


def test_example_chart_rows_match_model() -> None:
    """Each row's undocumented paths are the model's undocumented fields of that version,
    but for the top-level Kubernetes standard ones (`metadata` here), counted apart."""
    catalog = crdoc.load(EXAMPLE_CHART)
    report = coverage(catalog)
    expected = []
    for crd in catalog.crds:
        for v in crd.versions:
            standard = [f for f in v.undocumented_fields if _is_standard(f)]
            paths = tuple(f.path for f in v.undocumented_fields if not _is_standard(f))
            expected.append((crd.key, v.name, paths, len(standard)))
    assert [(r.crd, r.version, r.undocumented, r.standard) for r in report.rows] == expected
    assert all(row.standard == 1 for row in report.rows)  # every version's `metadata`


def _is_standard(item: Field) -> bool:
    return item.depth == 0 and item.name in STANDARD_FIELDS


def test_annotations_hide_internal_and_document() -> None:
    """With annotations, internal CRDs are left out and noted fields count as documented."""
    catalog = crdoc.load(EXAMPLE_CHART)
    resolved = load_annotations(EXAMPLE_CHART / DEFAULT_FILENAME).resolve(catalog)
    report = coverage(catalog, annotations=resolved)
    assert {row.crd.split("/")[0] for row in report.rows} == {"alloydbomni.dbadmin.goog"}
    plain = coverage(catalog)
    public = [row for row in plain.rows if row.crd.startswith("alloydbomni.dbadmin.goog/")]
    assert report.fields == sum(row.fields for row in public)
    assert report.documented >= sum(row.documented for row in public)


def test_annotation_note_counts_as_documented(tmp_path) -> None:
    """An undocumented field with an annotation note is documented by it."""
    catalog = make_catalog(make_field("spec"), make_field("spec.size", "Size of the disk."))
    path = tmp_path / DEFAULT_FILENAME
    path.write_text("example.com/Widget:\n  fields:\n    spec: {note: The spec.}\n")
    resolved = load_annotations(path).resolve(catalog)
    assert coverage(catalog).undocumented == 1
    assert coverage(catalog, annotations=resolved).undocumented == 0


# --------------------------------------------------------------------------- the rules


@pytest.mark.parametrize(
    ("path", "description", "weak"),
    [
        ("spec.backupLocation", "Backup location.", True),
        ("spec.backupLocation", "The backup location", True),
        ("spec.name", "Name is the name.", True),
        ("spec.tlsConfig", "TLSConfig specifies the TLS config.", True),
        ("spec.podName", "podName is the podName", True),
        ("spec.name", "Name of the database to create.", False),
        ("spec.backupLocation", "Where backups are written.", False),
        ("spec.name", "Name is the unique name of the object.", False),
        ("spec.name", "", False),
        ("spec.labels.*", "*", False),
    ],
    ids=lambda value: repr(value),
)
def test_weak_rule(path: str, description: str, weak: bool) -> None:
    """A description that only restates the name is weak; any further word makes it real."""
    assert is_weak(make_field(path, description)) is weak


def test_name_words() -> None:
    """camelCase and acronyms split into lower-case words."""
    assert name_words("backupLocation") == "backup location"
    assert name_words("TLSConfig") == "tls config"
    assert name_words("PITREnabled") == "pitr enabled"


def test_weak_counts_as_documented() -> None:
    """Weak fields are listed but not undocumented; blank descriptions are undocumented."""
    catalog = make_catalog(
        make_field("spec", "The widget's desired state."),
        make_field("spec.name", "Name."),
        make_field("spec.size", "   "),
        make_field("spec.color"),
    )
    row = coverage(catalog).rows[0]
    assert (row.fields, row.documented) == (4, 2)
    assert row.undocumented == ("spec.size", "spec.color")
    assert row.weak == ("spec.name",)
    assert row.percent == 50.0


def test_fails_under() -> None:
    """The threshold applies to the overall percentage after exclusions."""
    catalog = make_catalog(make_field("spec", "Desired state."), make_field("status"))
    assert fails_under(coverage(catalog), 51)
    assert not fails_under(coverage(catalog), 50)
    assert not fails_under(coverage(catalog, exclude=["status"]), 100)


def test_empty_catalog_has_no_coverage_figure() -> None:
    """Nothing to document has no percentage (0 of 0 is not 100%) and never fails."""
    report = coverage(Catalog(source="empty"))
    assert report.percent is None and not fails_under(report, 100)
    assert "n/a" in format_text(report) and "100" not in format_text(report)
    assert format_json(report)["percent"] is None


# --------------------------------------------------------------------------- renderers


def test_format_text() -> None:
    """One line per version plus a total; details list the paths."""
    catalog = make_catalog(make_field("spec", "Desired state."), make_field("status"))
    report = coverage(catalog)
    text = format_text(report)
    lines = text.splitlines()
    assert lines[0].split() == ["CRD", "VERSION", "DOCUMENTED", "COVERAGE", "WEAK"]
    assert lines[1].split() == ["example.com/widgets", "v1", "1/2", "50.0%", "0"]
    assert lines[-1].split() == ["TOTAL", "1/2", "50.0%", "0"]
    assert "undocumented: status" in format_text(report, details=True)


def test_format_json() -> None:
    """JSON output is serialisable and carries totals and paths."""
    catalog = make_catalog(make_field("spec", "Desired state."), make_field("status"))
    data = json.loads(json.dumps(format_json(coverage(catalog, exclude=["nothing"]))))
    assert (data["fields"], data["documented"], data["percent"]) == (2, 1, 50.0)
    assert data["exclude"] == ["nothing"]
    assert data["rows"][0]["undocumented"] == ["status"]


def test_format_markdown_is_a_table_with_escaped_pipes() -> None:
    """The Markdown parses as one GFM table, a `|` in a cell escaped, one row per version."""
    catalog = make_catalog(make_field("spec", "Desired state."), kind="Pipe|Kind")
    text = report_renderer().coverage(coverage(catalog))
    assert "Pipe&#124;Kind" in text
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    assert [t.type for t in tokens].count("table_open") == 1
    rows = [t for t in tokens if t.type == "tr_open"]
    assert len(rows) == 3  # header, one version, total
    assert "<td>Pipe|Kind</td>" in MarkdownIt("commonmark").enable("table").render(text)
