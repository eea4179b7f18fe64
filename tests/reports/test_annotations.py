"""Maintainers' annotations: loading, checking against the example chart, limitations."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import EXAMPLE_CHART, ROOT

import crdoc
from crdoc.errors import CrdocError
from crdoc.model import Catalog, Crd, Field, Version
from crdoc.reports.annotations import (
    DEFAULT_FILENAME,
    Annotation,
    ResolvedAnnotations,
    find_default_annotations,
    load_annotations,
    path_matches,
)
from crdoc.reports.limitations import known_limitations

EXAMPLE_FILE = EXAMPLE_CHART / DEFAULT_FILENAME
SCHEMA = ROOT / "schemas" / "crdoc-annotations.schema.json"
BACKUPPLANS = "alloydbomni.dbadmin.goog/backupplans"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    """The example chart, loaded once."""
    return crdoc.load(EXAMPLE_CHART)


@pytest.fixture(scope="module")
def resolved(catalog: Catalog) -> ResolvedAnnotations:
    """The example annotations, resolved against the example chart."""
    return load_annotations(EXAMPLE_FILE).resolve(catalog)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / DEFAULT_FILENAME
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problem(tmp_path: Path, catalog: Catalog | None, text: str) -> CrdocError:
    """The error that loading (and, given a catalog, resolving) ``text`` raises."""
    path = write(tmp_path, text)
    with pytest.raises(CrdocError) as caught:
        annotations = load_annotations(path)
        if catalog is not None:
            annotations.resolve(catalog)
    return caught.value


def field_of(crd: Crd, version: str, path: str) -> tuple[Version, Field]:
    chosen = next(v for v in crd.versions if v.name == version)
    return chosen, next(f for f in chosen.fields if f.path == path)


# --------------------------------------------------------------------------- the example


def test_example_file_resolves(catalog: Catalog, resolved: ResolvedAnnotations) -> None:
    """The shipped example loads, resolves, and says what its YAML says."""
    backupplans = catalog.find(BACKUPPLANS)
    version, gcs = field_of(backupplans, "v1", "spec.backupLocation.gcsOptions")
    found = resolved.for_field(backupplans, version, gcs)
    assert found is not None and found.status == "cloud-only"
    assert "metadata server" in found.reason
    _, s3 = field_of(backupplans, "v1", "spec.backupLocation.s3Options")
    s3_found = resolved.for_field(backupplans, version, s3)
    assert (s3_found.status, s3_found.since) == ("non-functional", "1.0.0")
    assert s3_found.see.startswith("https://zenn.dev/")
    _, paused = field_of(backupplans, "v1", "spec.paused")
    assert (
        resolved.for_field(backupplans, version, paused).note
        == "一時停止中もスケジュールは保持される"
    )


def test_no_inheritance_to_children(catalog: Catalog, resolved: ResolvedAnnotations) -> None:
    """An annotation on gcsOptions says nothing about gcsOptions.bucket."""
    backupplans = catalog.find(BACKUPPLANS)
    version, bucket = field_of(backupplans, "v1", "spec.backupLocation.gcsOptions.bucket")
    assert resolved.for_field(backupplans, version, bucket) is None


def test_group_keys_are_qualified(catalog: Catalog, resolved: ResolvedAnnotations) -> None:
    """Failover exists in two groups: each keeps its own CRD-level annotation."""
    public = resolved.for_crd(catalog.find("alloydbomni.dbadmin.goog/failovers"))
    internal = resolved.for_crd(catalog.find("alloydbomni.internal.dbadmin.goog/failovers"))
    assert public.status == "non-functional"
    assert internal.status == "internal"
    assert resolved.for_crd(catalog.find("alloydbomni.dbadmin.goog/dbclusters")) is None


def test_is_hidden(catalog: Catalog, resolved: ResolvedAnnotations) -> None:
    """hide={"internal"} hides the whole internal group and nothing else."""
    hidden = {crd.group for crd in catalog.crds if resolved.is_hidden(crd, {"internal"})}
    assert hidden == {"alloydbomni.internal.dbadmin.goog"}
    assert not any(resolved.is_hidden(crd, set()) for crd in catalog.crds)


def test_source_lines(catalog: Catalog, resolved: ResolvedAnnotations) -> None:
    """Annotations remember the line of their key in the file."""
    lines = EXAMPLE_FILE.read_text(encoding="utf-8").splitlines()
    backupplans = catalog.find(BACKUPPLANS)
    version, gcs = field_of(backupplans, "v1", "spec.backupLocation.gcsOptions")
    line = resolved.for_field(backupplans, version, gcs).source_line
    assert lines[line - 1].strip().startswith("spec.backupLocation.gcsOptions:")


def test_known_limitations(catalog: Catalog, resolved: ResolvedAnnotations) -> None:
    """Annotated limitations and schema-derived ones are both listed, each with a reason."""
    rows = {
        (row.crd.key, row.version and row.version.name, row.field and row.field.path): row
        for row in known_limitations(catalog, resolved)
    }
    gcs = rows[(BACKUPPLANS, "v1", "spec.backupLocation.gcsOptions")]
    assert (gcs.annotation.status, gcs.origin) == ("cloud-only", "annotations")
    old = rows[("alloydbomni.dbadmin.goog/softwarelibraries", "v1alpha1", None)]
    assert (old.annotation.status, old.origin) == ("deprecated", "schema")
    assert rows[("alloydbomni.dbadmin.goog/failovers", None, None)].annotation.status == (
        "non-functional"
    )
    payload = rows[("alloydbomni.internal.dbadmin.goog/lrojobs", "v1", "spec.payload")]
    assert payload.origin == "schema"
    assert all(row.annotation.reason for row in rows.values())
    # experimental and note-only entries are not limitations
    assert not any("googleMLExtension" in (key[2] or "") for key in rows)
    assert not any(key[2] == "spec.paused" for key in rows)


def test_known_limitations_without_annotations(catalog: Catalog) -> None:
    """With no annotations file, the schema still yields the deprecated v1alpha1."""
    rows = known_limitations(catalog, ResolvedAnnotations())
    assert any(r.version is not None and r.version.name == "v1alpha1" for r in rows)
    assert all(r.origin == "schema" for r in rows)


# --------------------------------------------------------------------------- precedence


def test_for_field_precedence(tmp_path: Path, catalog: Catalog) -> None:
    """Version-specific beats all-versions; a note-only entry keeps the general status; an
    exact path beats a glob."""
    path = write(
        tmp_path,
        """\
        alloydbomni.dbadmin.goog/BackupPlan:
          fields:
            spec.backupLocation.gcsOptions: {status: cloud-only, reason: general}
            spec.paused: {status: experimental, reason: general, note: general note}
            spec.*: {status: deprecated, reason: glob}
            spec.cronSchedule: {status: non-functional, reason: exact}
          versions:
            v1:
              fields:
                spec.backupLocation.gcsOptions: {note: specific note}
                spec.paused: {status: non-functional, reason: specific}
        """,
    )
    resolved = load_annotations(path).resolve(catalog)
    crd = catalog.find(BACKUPPLANS)
    version, gcs = field_of(crd, "v1", "spec.backupLocation.gcsOptions")
    merged = resolved.for_field(crd, version, gcs)
    assert (merged.status, merged.reason, merged.note) == ("cloud-only", "general", "specific note")
    _, paused = field_of(crd, "v1", "spec.paused")
    won = resolved.for_field(crd, version, paused)
    assert (won.status, won.reason, won.note) == ("non-functional", "specific", "general note")
    _, cron = field_of(crd, "v1", "spec.cronSchedule")
    assert resolved.for_field(crd, version, cron).reason == "exact"
    _, retain = field_of(crd, "v1", "spec.backupRetainDays")
    assert resolved.for_field(crd, version, retain).reason == "glob"


def test_crd_entry_beats_group_entry(tmp_path: Path, catalog: Catalog) -> None:
    """A CRD's own status wins over its group's, whatever the file order."""
    path = write(
        tmp_path,
        """\
        alloydbomni.dbadmin.goog/*: {status: experimental, reason: group}
        alloydbomni.dbadmin.goog/backupplans: {status: deprecated, reason: own}
        """,
    )
    resolved = load_annotations(path).resolve(catalog)
    assert resolved.for_crd(catalog.find(BACKUPPLANS)).reason == "own"
    assert resolved.for_crd(catalog.find("alloydbomni.dbadmin.goog/backups")).reason == "group"


def test_annotation_over() -> None:
    """A specific status keeps its own reason; a specific note fills in over a general status."""
    general = Annotation(status="cloud-only", reason="g", note="gn", since="1")
    assert Annotation(status="deprecated").over(general) == Annotation(
        status="deprecated", note="gn"
    )
    assert Annotation(note="n", source_line=3).over(general) == Annotation(
        status="cloud-only", reason="g", note="n", since="1", source_line=3
    )


# --------------------------------------------------------------------------- glob semantics


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("spec", "spec", True),
        ("spec", "spec.paused", False),
        ("spec.*", "spec.paused", True),
        ("spec.*", "spec", False),
        ("spec.*", "spec.a.b", False),
        ("spec.**", "spec", True),
        ("spec.**", "spec.a.b.c", True),
        ("spec.**", "specs.a", False),
        ("**.bucket", "bucket", True),
        ("**.bucket", "spec.backupLocation.gcsOptions.bucket", True),
        ("**.bucket", "spec.bucketName", False),
        ("spec.**.key", "spec.key", True),
        ("spec.**.key", "spec.a.b.key", True),
        ("spec.**.key", "spec.a.b.keys", False),
        ("*.*", "spec.x", True),
        ("*.*", "spec", False),
        ("status.*.*", "status.labels.*", True),
        ("**", "anything.at.all", True),
    ],
    ids=lambda value: str(value),
)
def test_glob(pattern: str, path: str, expected: bool) -> None:
    """`*` is exactly one segment, `**` zero or more."""
    assert path_matches(pattern, path) is expected


def test_glob_entry_applies_to_every_match(tmp_path: Path, catalog: Catalog) -> None:
    """A `**` field key annotates every matching field, at any depth."""
    path = write(
        tmp_path,
        """\
        alloydbomni.dbadmin.goog/BackupPlan:
          fields:
            spec.backupLocation.**.bucket: {note: a bucket}
        """,
    )
    resolved = load_annotations(path).resolve(catalog)
    crd = catalog.find(BACKUPPLANS)
    version = crd.versions[0]
    noted = [f.path for f in version.fields if resolved.for_field(crd, version, f)]
    assert noted == [
        "spec.backupLocation.gcsOptions.bucket",
        "spec.backupLocation.s3Options.bucket",
    ]


# --------------------------------------------------------------------------- errors


def test_field_typo(tmp_path: Path, catalog: Catalog) -> None:
    """A misspelt path names file, line, CRD and the nearest real path."""
    error = problem(
        tmp_path,
        catalog,
        """\
        alloydbomni.dbadmin.goog/BackupPlan:
          fields:
            spec.backupLocaton.gcsOptions: {status: cloud-only, reason: x}
        """,
    )
    assert error.located() == (
        f"{tmp_path / DEFAULT_FILENAME}:3: no field matches 'spec.backupLocaton.gcsOptions' in "
        f"{BACKUPPLANS}; did you mean spec.backupLocation.gcsOptions?"
    )


def test_unknown_status(tmp_path: Path) -> None:
    """An unknown status is reported at its line with the nearest status."""
    error = problem(tmp_path, None, "a.b/C:\n  status: cloudonly\n")
    assert error.line == 2
    assert "unknown status 'cloudonly'; did you mean cloud-only?" in error.reason


def test_unknown_entry_key(tmp_path: Path) -> None:
    """An unknown key in an entry is reported with a suggestion."""
    error = problem(tmp_path, None, "a.b/C:\n  status: internal\n  feilds: {}\n")
    assert error.line == 3
    assert "unknown key 'feilds'" in error.reason and "did you mean fields?" in error.reason


def test_unknown_version(tmp_path: Path, catalog: Catalog) -> None:
    """A version the CRD does not have is an error naming the ones it has."""
    error = problem(
        tmp_path,
        catalog,
        """\
        alloydbomni.dbadmin.goog/SoftwareLibrary:
          versions:
            v1beta1:
              fields:
                spec: {note: x}
        """,
    )
    assert error.line == 3
    assert "no version 'v1beta1' in alloydbomni.dbadmin.goog/softwarelibraries" in error.reason
    assert "v1alpha1" in error.reason


def test_unknown_crd(tmp_path: Path, catalog: Catalog) -> None:
    """A CRD key matching nothing suggests the nearest group/Kind."""
    error = problem(tmp_path, catalog, "alloydbomni.dbadmin.goog/BackupPlam:\n  status: internal\n")
    assert error.line == 1
    assert "did you mean alloydbomni.dbadmin.goog/BackupPlan" in error.reason


def test_kind_of_other_group_does_not_match(tmp_path: Path, catalog: Catalog) -> None:
    """Keys are group-qualified: InstanceBackup lives only in the internal group."""
    error = problem(tmp_path, catalog, "alloydbomni.dbadmin.goog/InstanceBackup: {note: x}\n")
    assert "no CRD matches 'alloydbomni.dbadmin.goog/InstanceBackup'" in error.reason


def test_errors_are_collected(tmp_path: Path) -> None:
    """Every shape problem of a file is reported at once, each with its line."""
    error = problem(
        tmp_path,
        None,
        """\
        a.b/C:
          status: bogus
          see: ftp://example.com/x
        not-a-key: {}
        a.b/D:
          fields:
            spec..x: {note: n}
            spec.y: {reason: only a reason}
            spec.z: [1, 2]
        """,
    )
    text = error.message
    assert "2: unknown status 'bogus'" in text
    assert "3: 'see' must be an http(s) URL" in text
    assert "4: 'not-a-key' is not a CRD key" in text
    assert "7: empty path segment" in text
    assert "8: 'reason' without a status or a note" in text
    assert "9: field 'spec.z' must be a mapping" in text


def test_duplicate_key(tmp_path: Path) -> None:
    """A key given twice is an error, not a silent override."""
    error = problem(tmp_path, None, "a.b/C: {note: x}\na.b/C: {note: y}\n")
    assert error.line == 2 and "duplicate key" in error.reason


def test_invalid_yaml(tmp_path: Path) -> None:
    """A YAML syntax error names its line."""
    error = problem(tmp_path, None, "a.b/C:\n  note: [unclosed\n")
    assert error.reason.startswith("invalid YAML")


def test_versions_are_strings(tmp_path: Path, catalog: Catalog) -> None:
    """`since: 1.10` stays "1.10" (never the float 1.1); an empty file has no entries."""
    path = write(tmp_path, "alloydbomni.dbadmin.goog/Backup: {status: deprecated, since: 1.10}\n")
    resolved = load_annotations(path).resolve(catalog)
    assert resolved.for_crd(catalog.find("alloydbomni.dbadmin.goog/backups")).since == "1.10"
    assert load_annotations(write(tmp_path, "# nothing\n")).entries == ()


# --------------------------------------------------------------------------- finding, schema


def test_find_default_annotations(tmp_path: Path) -> None:
    """The file is found inside a chart folder and beside a .tgz; never for a URL."""
    assert find_default_annotations(str(EXAMPLE_CHART)) == EXAMPLE_FILE
    archive = tmp_path / "chart-1.0.0.tgz"
    archive.write_bytes(b"")
    assert find_default_annotations(str(archive)) is None
    write(tmp_path, "{}\n")
    assert find_default_annotations(str(archive)) == tmp_path / DEFAULT_FILENAME
    assert find_default_annotations("https://example.com/chart.tgz") is None


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    """A validator for the published JSON Schema (itself checked against draft 2020-12)."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_schema_accepts_example(validator: jsonschema.Draft202012Validator) -> None:
    """The example file is valid against the published schema."""
    data = yaml.safe_load(EXAMPLE_FILE.read_text(encoding="utf-8"))
    assert list(validator.iter_errors(data)) == []


@pytest.mark.parametrize(
    "bad",
    [
        {"a.b/C": {"staus": "internal"}},
        {"a.b/C": {"status": "bogus"}},
        {"no-slash": {"status": "internal"}},
        {"a.b/C": {"reason": "a reason alone"}},
        {"a.b/C": {"fields": {"spec.x": {"reason": "no status, no note"}}}},
        {"a.b/C": {"see": "ftp://x", "status": "internal"}},
        {"a.b/C": {"versions": {"v1": {"fields": {"x": {"note": "n", "extra": 1}}}}}},
    ],
    ids=[
        "unknown-key",
        "bad-status",
        "bad-crd-key",
        "reason-alone",
        "field-reason",
        "ftp",
        "extra",
    ],
)
def test_schema_rejects_bad_file(validator: jsonschema.Draft202012Validator, bad: dict) -> None:
    """Files the loader refuses, the schema refuses too."""
    assert list(validator.iter_errors(bad))
