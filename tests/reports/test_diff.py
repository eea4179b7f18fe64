"""``crdoc.reports.diff``: what changed between two catalogs, which changes break, and the
reports."""

from __future__ import annotations

import copy
import html
import json
import re
import time
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import yaml
from conftest import ROOT, corpus_entry, report_renderer
from markdown_it import MarkdownIt

from crdoc import load
from crdoc.model import Catalog
from crdoc.publish.dump import catalog_data
from crdoc.render.changes import TEXT_LEGEND, format_json, format_text
from crdoc.reports.diff import BREAKING_MEANS, ApiDiff, diff_catalogs, has_breaking

OLD_RELEASE = "cloudnative-pg-v0.24.0"
NEW_RELEASE = "cloudnative-pg"


# --------------------------------------------------------------------------------------------
# Hand-written fixtures


def _crd(
    spec: dict[str, Any],
    *,
    versions: list[dict[str, Any]] | None = None,
    required: list[str] | None = None,
    kind: str = "Widget",
    plural: str = "widgets",
) -> dict[str, Any]:
    """A CRD manifest whose versions all share the ``spec`` properties given."""
    schema: dict[str, Any] = {"type": "object", "properties": copy.deepcopy(spec)}
    if required:
        schema["required"] = required
    root = {
        "type": "object",
        "properties": {
            "apiVersion": {"type": "string"},
            "kind": {"type": "string"},
            "spec": schema,
        },
    }
    versions = versions or [{"name": "v1", "served": True, "storage": True}]
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.example.com"},
        "spec": {
            "group": "example.com",
            "names": {"kind": kind, "plural": plural, "singular": kind.lower()},
            "scope": "Namespaced",
            "versions": [
                {**v, "schema": {"openAPIV3Schema": copy.deepcopy(root)}} for v in versions
            ],
        },
    }


def _catalog(tmp_path: Path, name: str, *crds: dict[str, Any]) -> Catalog:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "crds.yaml").write_text(yaml.safe_dump_all(crds, sort_keys=False))
    return load(folder)


def _diff(tmp_path: Path, old: list[dict[str, Any]], new: list[dict[str, Any]]) -> ApiDiff:
    return diff_catalogs(_catalog(tmp_path, "old", *old), _catalog(tmp_path, "new", *new))


def _only(diff: ApiDiff) -> tuple[str, bool]:
    changes = diff.changes
    assert len(changes) == 1, format_text(diff)
    return changes[0].kind, changes[0].breaking


def _versions(*entries: tuple[str, bool, bool, bool]) -> list[dict[str, Any]]:
    return [
        {"name": n, "served": served, "storage": storage, "deprecated": deprecated}
        for n, served, storage, deprecated in entries
    ]


STRING = {"type": "string"}
INT = {"type": "integer"}

# (id, old spec properties, new spec properties, expected kind, expected breaking)
FIELD_RULES: list[tuple[str, dict[str, Any], dict[str, Any], str, bool]] = [
    # Breaking
    ("field removed", {"a": STRING, "b": STRING}, {"a": STRING}, "field-removed", True),
    ("type changed", {"a": STRING}, {"a": INT}, "type-changed", True),
    (
        "enum narrowed",
        {"a": {"type": "string", "enum": ["x", "y"]}},
        {"a": {"type": "string", "enum": ["x"]}},
        "enum-narrowed",
        True,
    ),
    ("enum added", {"a": STRING}, {"a": {"type": "string", "enum": ["x"]}}, "enum-added", True),
    (
        "items enum narrowed",
        {"a": {"type": "array", "items": {"type": "string", "enum": ["x", "y"]}}},
        {"a": {"type": "array", "items": {"type": "string", "enum": ["y"]}}},
        "enum-narrowed",
        True,
    ),
    (
        "minimum raised",
        {"a": {**INT, "minimum": 1}},
        {"a": {**INT, "minimum": 2}},
        "minimum-changed",
        True,
    ),
    ("minimum added", {"a": INT}, {"a": {**INT, "minimum": 0}}, "minimum-changed", True),
    (
        "maximum lowered",
        {"a": {**INT, "maximum": 9}},
        {"a": {**INT, "maximum": 5}},
        "maximum-changed",
        True,
    ),
    ("maximum added", {"a": INT}, {"a": {**INT, "maximum": 5}}, "maximum-changed", True),
    (
        "exclusiveMinimum on",
        {"a": {**INT, "minimum": 1}},
        {"a": {**INT, "minimum": 1, "exclusiveMinimum": True}},
        "exclusiveMinimum-changed",
        True,
    ),
    (
        "exclusiveMaximum on",
        {"a": {**INT, "maximum": 1, "exclusiveMaximum": False}},
        {"a": {**INT, "maximum": 1, "exclusiveMaximum": True}},
        "exclusiveMaximum-changed",
        True,
    ),
    (
        "minLength raised",
        {"a": STRING},
        {"a": {**STRING, "minLength": 1}},
        "minLength-changed",
        True,
    ),
    (
        "maxLength lowered",
        {"a": {**STRING, "maxLength": 63}},
        {"a": {**STRING, "maxLength": 10}},
        "maxLength-changed",
        True,
    ),
    (
        "minItems raised",
        {"a": {"type": "array", "items": STRING, "minItems": 1}},
        {"a": {"type": "array", "items": STRING, "minItems": 2}},
        "minItems-changed",
        True,
    ),
    (
        "maxItems added",
        {"a": {"type": "array", "items": STRING}},
        {"a": {"type": "array", "items": STRING, "maxItems": 3}},
        "maxItems-changed",
        True,
    ),
    (
        "minProperties raised",
        {"a": {"type": "object", "additionalProperties": STRING}},
        {"a": {"type": "object", "additionalProperties": STRING, "minProperties": 1}},
        "minProperties-changed",
        True,
    ),
    (
        "maxProperties lowered",
        {"a": {"type": "object", "additionalProperties": STRING, "maxProperties": 9}},
        {"a": {"type": "object", "additionalProperties": STRING, "maxProperties": 2}},
        "maxProperties-changed",
        True,
    ),
    ("pattern added", {"a": STRING}, {"a": {**STRING, "pattern": "^a"}}, "pattern-changed", True),
    (
        "pattern changed",
        {"a": {**STRING, "pattern": "^a"}},
        {"a": {**STRING, "pattern": "^b"}},
        "pattern-changed",
        True,
    ),
    (
        "CEL rule added",
        {"a": STRING},
        {"a": {**STRING, "x-kubernetes-validations": [{"rule": "self == oldSelf"}]}},
        "validation-rules-changed",
        True,
    ),
    (
        "uniqueItems added",
        {"a": {"type": "array", "items": STRING}},
        {"a": {"type": "array", "items": STRING, "uniqueItems": True}},
        "uniqueItems-changed",
        True,
    ),
    ("multipleOf added", {"a": INT}, {"a": {**INT, "multipleOf": 2}}, "multipleOf-changed", True),
    (
        "format added",
        {"a": STRING},
        {"a": {**STRING, "format": "date-time"}},
        "format-changed",
        True,
    ),
    (
        "nullable removed",
        {"a": {**STRING, "nullable": True}},
        {"a": STRING},
        "nullable-changed",
        True,
    ),
    (
        "int-or-string removed",
        {"a": {"x-kubernetes-int-or-string": True}},
        {"a": {"x-kubernetes-int-or-string": False}},
        "x-kubernetes-int-or-string-changed",
        True,
    ),
    (
        "list type set",
        {"a": {"type": "array", "items": STRING}},
        {"a": {"type": "array", "items": STRING, "x-kubernetes-list-type": "set"}},
        "x-kubernetes-list-type-changed",
        True,
    ),
    # Non-breaking
    ("optional field added", {"a": STRING}, {"a": STRING, "b": STRING}, "field-added", False),
    (
        "enum widened",
        {"a": {"type": "string", "enum": ["x"]}},
        {"a": {"type": "string", "enum": ["x", "y"]}},
        "enum-widened",
        False,
    ),
    (
        "enum dropped",
        {"a": {"type": "string", "enum": ["x"]}},
        {"a": STRING},
        "enum-removed",
        False,
    ),
    (
        "minimum lowered",
        {"a": {**INT, "minimum": 2}},
        {"a": {**INT, "minimum": 1}},
        "minimum-changed",
        False,
    ),
    ("maximum removed", {"a": {**INT, "maximum": 2}}, {"a": INT}, "maximum-changed", False),
    (
        "exclusiveMinimum off",
        {"a": {**INT, "minimum": 1, "exclusiveMinimum": True}},
        {"a": {**INT, "minimum": 1}},
        "exclusiveMinimum-changed",
        False,
    ),
    (
        "maxLength raised",
        {"a": {**STRING, "maxLength": 5}},
        {"a": {**STRING, "maxLength": 9}},
        "maxLength-changed",
        False,
    ),
    (
        "minLength lowered",
        {"a": {**STRING, "minLength": 5}},
        {"a": {**STRING, "minLength": 1}},
        "minLength-changed",
        False,
    ),
    (
        "pattern removed",
        {"a": {**STRING, "pattern": "^a"}},
        {"a": STRING},
        "pattern-changed",
        False,
    ),
    (
        "CEL rule removed",
        {"a": {**STRING, "x-kubernetes-validations": [{"rule": "self == oldSelf"}]}},
        {"a": STRING},
        "validation-rules-changed",
        False,
    ),
    (
        "CEL message changed",
        {"a": {**STRING, "x-kubernetes-validations": [{"rule": "self != ''", "message": "a"}]}},
        {"a": {**STRING, "x-kubernetes-validations": [{"rule": "self != ''", "message": "b"}]}},
        "validation-messages-changed",
        False,
    ),
    (
        "uniqueItems removed",
        {"a": {"type": "array", "items": STRING, "uniqueItems": True}},
        {"a": {"type": "array", "items": STRING}},
        "uniqueItems-changed",
        False,
    ),
    (
        "multipleOf loosened",
        {"a": {**INT, "multipleOf": 4}},
        {"a": {**INT, "multipleOf": 2}},
        "multipleOf-changed",
        False,
    ),
    (
        "format widened",
        {"a": {**INT, "format": "int32"}},
        {"a": {**INT, "format": "int64"}},
        "format-changed",
        False,
    ),
    (
        "nullable added",
        {"a": STRING},
        {"a": {**STRING, "nullable": True}},
        "nullable-changed",
        False,
    ),
    (
        "description changed",
        {"a": {**STRING, "description": "old"}},
        {"a": {**STRING, "description": "new"}},
        "description-changed",
        False,
    ),
    (
        "enum reordered",
        {"a": {"type": "string", "enum": ["x", "y"]}},
        {"a": {"type": "string", "enum": ["y", "x"]}},
        "enum-reordered",
        False,
    ),
    (
        "minItems lowered",
        {"a": {"type": "array", "items": STRING, "minItems": 2}},
        {"a": {"type": "array", "items": STRING, "minItems": 1}},
        "minItems-changed",
        False,
    ),
    (
        "maxItems raised",
        {"a": {"type": "array", "items": STRING, "maxItems": 2}},
        {"a": {"type": "array", "items": STRING, "maxItems": 5}},
        "maxItems-changed",
        False,
    ),
    (
        "minProperties lowered",
        {"a": {"type": "object", "additionalProperties": STRING, "minProperties": 2}},
        {"a": {"type": "object", "additionalProperties": STRING, "minProperties": 1}},
        "minProperties-changed",
        False,
    ),
    (
        "maxProperties removed",
        {"a": {"type": "object", "additionalProperties": STRING, "maxProperties": 2}},
        {"a": {"type": "object", "additionalProperties": STRING}},
        "maxProperties-changed",
        False,
    ),
    (
        "exclusiveMaximum off",
        {"a": {**INT, "maximum": 1, "exclusiveMaximum": True}},
        {"a": {**INT, "maximum": 1}},
        "exclusiveMaximum-changed",
        False,
    ),
    (
        "format removed",
        {"a": {**STRING, "format": "date-time"}},
        {"a": STRING},
        "format-changed",
        False,
    ),
    (
        "multipleOf removed",
        {"a": {**INT, "multipleOf": 2}},
        {"a": INT},
        "multipleOf-changed",
        False,
    ),
    (
        "additionalProperties closed",
        {"a": {"type": "object"}},
        {"a": {"type": "object", "additionalProperties": False}},
        "additionalProperties-changed",
        True,
    ),
    (
        "additionalProperties opened",
        {"a": {"type": "object", "additionalProperties": False}},
        {"a": {"type": "object", "additionalProperties": True}},
        "additionalProperties-changed",
        False,
    ),
    (
        "CEL rule changed",
        {"a": {**STRING, "x-kubernetes-validations": [{"rule": "self.size() < 9"}]}},
        {"a": {**STRING, "x-kubernetes-validations": [{"rule": "self.size() < 5"}]}},
        "validation-rules-changed",
        True,
    ),
    (
        "preserve-unknown-fields removed",
        {"a": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}},
        {"a": {"type": "object"}},
        "x-kubernetes-preserve-unknown-fields-changed",
        True,
    ),
    (
        "int-or-string added",
        {"a": {"x-kubernetes-int-or-string": False}},
        {"a": {"x-kubernetes-int-or-string": True}},
        "x-kubernetes-int-or-string-changed",
        False,
    ),
    (
        "embedded resource added",
        {"a": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}},
        {
            "a": {
                "type": "object",
                "x-kubernetes-preserve-unknown-fields": True,
                "x-kubernetes-embedded-resource": True,
            }
        },
        "x-kubernetes-embedded-resource-changed",
        True,
    ),
    (
        "embedded resource removed",
        {
            "a": {
                "type": "object",
                "x-kubernetes-preserve-unknown-fields": True,
                "x-kubernetes-embedded-resource": True,
            }
        },
        {"a": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}},
        "x-kubernetes-embedded-resource-changed",
        True,
    ),
    (
        "list made atomic",
        {"a": {"type": "array", "items": STRING, "x-kubernetes-list-type": "set"}},
        {"a": {"type": "array", "items": STRING, "x-kubernetes-list-type": "atomic"}},
        "x-kubernetes-list-type-changed",
        False,
    ),
    (
        "list map keys added",
        {"a": {"type": "array", "items": STRING, "x-kubernetes-list-type": "map"}},
        {
            "a": {
                "type": "array",
                "items": STRING,
                "x-kubernetes-list-type": "map",
                "x-kubernetes-list-map-keys": ["k"],
            }
        },
        "x-kubernetes-list-map-keys-changed",
        True,
    ),
    (
        "list map keys removed",
        {
            "a": {
                "type": "array",
                "items": STRING,
                "x-kubernetes-list-type": "map",
                "x-kubernetes-list-map-keys": ["k"],
            }
        },
        {"a": {"type": "array", "items": STRING, "x-kubernetes-list-type": "map"}},
        "x-kubernetes-list-map-keys-changed",
        False,
    ),
    *(
        (f"{keyword} {verb}", before, after, f"{keyword}-changed", breaking)
        for keyword, branch in (
            ("allOf", [{"minLength": 1}]),
            ("anyOf", [{"minLength": 1}, {"maxLength": 0}]),
            ("oneOf", [{"minLength": 1}, {"maxLength": 0}]),
            ("not", {"maxLength": 0}),
        )
        for verb, before, after, breaking in (
            ("added", {"a": STRING}, {"a": {**STRING, keyword: branch}}, True),
            ("removed", {"a": {**STRING, keyword: branch}}, {"a": STRING}, False),
        )
    ),
    *(
        (f"{keyword} changed", {"a": {**STRING, keyword: old}}, {"a": {**STRING, keyword: new}})
        + (f"{keyword}-changed", False)
        for keyword, old, new in (
            ("title", "Old", "New"),
            ("example", "x", "y"),
            ("externalDocs", {"url": "https://a.example"}, {"url": "https://b.example"}),
        )
    ),
    (
        "map type changed",
        {"a": {"type": "object", "x-kubernetes-map-type": "granular"}},
        {"a": {"type": "object", "x-kubernetes-map-type": "atomic"}},
        "x-kubernetes-map-type-changed",
        False,
    ),
    # Defaults: objects that left the field out change meaning on their next write.
    ("default added", {"a": STRING}, {"a": {**STRING, "default": "x"}}, "default-added", True),
    (
        "default changed",
        {"a": {**STRING, "default": "x"}},
        {"a": {**STRING, "default": "y"}},
        "default-changed",
        True,
    ),
    (
        "default removed",
        {"a": {**STRING, "default": "x"}},
        {"a": STRING},
        "default-removed",
        True,
    ),
    (
        "optional field with a default added",
        {"a": STRING},
        {"a": STRING, "b": {**STRING, "default": "x"}},
        "field-added",
        False,
    ),
    (
        "items description changed",
        {"a": {"type": "array", "items": {**STRING, "description": "old"}}},
        {"a": {"type": "array", "items": {**STRING, "description": "new"}}},
        "description-changed",
        False,
    ),
    (
        "preserve-unknown-fields added",
        {"a": {"type": "object"}},
        {"a": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}},
        "x-kubernetes-preserve-unknown-fields-changed",
        False,
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "kind", "breaking"),
    [pytest.param(*rule[1:], id=rule[0]) for rule in FIELD_RULES],
)
def test_field_rule(
    tmp_path: Path, old: dict[str, Any], new: dict[str, Any], kind: str, breaking: bool
) -> None:
    """Each classification rule, on a pair of one-CRD fixtures that differ in one keyword."""
    diff = _diff(tmp_path, [_crd(old)], [_crd(new)])
    assert _only(diff) == (kind, breaking)
    assert has_breaking(diff) is breaking
    assert diff.changes[0].path in ("spec.a", "spec.b")


class Case(NamedTuple):
    """Two releases (lists of CRD manifests) whose diff holds a change of ``kind`` classified
    ``breaking``."""

    id: str
    old: list[dict[str, Any]]
    new: list[dict[str, Any]]
    kind: str
    breaking: bool


def _edited(crd: dict[str, Any], edit: Any) -> dict[str, Any]:
    """A copy of ``crd`` changed by ``edit(spec)`` (its ``spec``, changed in place)."""
    out = copy.deepcopy(crd)
    edit(out["spec"])
    return out


def _set_version(**values: Any) -> Any:
    def edit(spec: dict[str, Any]) -> None:
        spec["versions"][0].update(values)

    return edit


BASE = _crd({"a": STRING})
GADGET = _crd({"a": STRING}, kind="Gadget", plural="gadgets")
SCALE = {"specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas"}
TWO_VERSIONS = _crd(
    {"a": STRING}, versions=_versions(("v1", True, True, False), ("v2", True, False, False))
)
OTHER_CASES = [
    Case("CRD removed", [BASE, GADGET], [GADGET], "crd-removed", True),
    Case("CRD added", [GADGET], [BASE, GADGET], "crd-added", False),
    Case("kind changed", [BASE], [_crd({"a": STRING}, kind="Gadget")], "kind-changed", True),
    Case(
        "scope changed",
        [BASE],
        [_edited(BASE, lambda spec: spec.update(scope="Cluster"))],
        "scope-changed",
        True,
    ),
    Case(
        "short names changed",
        [BASE],
        [_edited(BASE, lambda spec: spec["names"].update(shortNames=["wd"]))],
        "short-names-changed",
        False,
    ),
    Case(
        "storage version changed",
        [TWO_VERSIONS],
        [
            _crd(
                {"a": STRING},
                versions=_versions(("v1", True, False, False), ("v2", True, True, False)),
            )
        ],
        "storage-version-changed",
        True,
    ),
    Case("version removed", [TWO_VERSIONS], [BASE], "version-removed", True),
    Case("version added", [BASE], [TWO_VERSIONS], "version-added", False),
    Case(
        "version unserved",
        [TWO_VERSIONS],
        [
            _crd(
                {"a": STRING},
                versions=_versions(("v1", True, True, False), ("v2", False, False, False)),
            )
        ],
        "version-unserved",
        True,
    ),
    Case(
        "version served again",
        [
            _crd(
                {"a": STRING},
                versions=_versions(("v1", True, True, False), ("v2", False, False, False)),
            )
        ],
        [TWO_VERSIONS],
        "version-served",
        False,
    ),
    Case(
        "version deprecated",
        [BASE],
        [_edited(BASE, _set_version(deprecated=True))],
        "version-deprecated",
        False,
    ),
    Case(
        "version undeprecated",
        [_edited(BASE, _set_version(deprecated=True))],
        [BASE],
        "version-undeprecated",
        False,
    ),
    Case(
        "deprecation warning changed",
        [_edited(BASE, _set_version(deprecated=True, deprecationWarning="old"))],
        [_edited(BASE, _set_version(deprecated=True, deprecationWarning="new"))],
        "deprecation-warning-changed",
        False,
    ),
    Case(
        "subresource removed",
        [_edited(BASE, _set_version(subresources={"status": {}}))],
        [BASE],
        "subresource-removed",
        True,
    ),
    Case(
        "subresource added",
        [BASE],
        [_edited(BASE, _set_version(subresources={"status": {}}))],
        "subresource-added",
        False,
    ),
    Case(
        "subresource setting changed",
        [_edited(BASE, _set_version(subresources={"scale": SCALE}))],
        [
            _edited(
                BASE, _set_version(subresources={"scale": {**SCALE, "specReplicasPath": ".spec.n"}})
            )
        ],
        "subresource-changed",
        True,
    ),
    Case(
        "subresource setting added",
        [_edited(BASE, _set_version(subresources={"scale": SCALE}))],
        [
            _edited(
                BASE,
                _set_version(subresources={"scale": {**SCALE, "labelSelectorPath": ".status.s"}}),
            )
        ],
        "subresource-changed",
        False,
    ),
    Case(
        "printer columns changed",
        [BASE],
        [
            _edited(
                BASE,
                _set_version(
                    additionalPrinterColumns=[
                        {"name": "A", "type": "string", "jsonPath": ".spec.a"}
                    ]
                ),
            )
        ],
        "printer-columns-changed",
        False,
    ),
    Case(
        "required field added",
        [BASE],
        [_crd({"a": STRING, "b": STRING}, required=["b"])],
        "field-added",
        True,
    ),
    Case(
        "required field with a default added",
        [BASE],
        [_crd({"a": STRING, "b": {**STRING, "default": "x"}}, required=["b"])],
        "field-added",
        False,
    ),
    Case(
        "field became required",
        [BASE],
        [_crd({"a": STRING}, required=["a"])],
        "field-required",
        True,
    ),
    Case(
        "field with a default became required",
        [_crd({"a": {**STRING, "default": "x"}})],
        [_crd({"a": {**STRING, "default": "x"}}, required=["a"])],
        "field-required",
        False,
    ),
    Case(
        "field became optional",
        [_crd({"a": STRING}, required=["a"])],
        [BASE],
        "field-optional",
        False,
    ),
]
CASES = [
    Case(id, [_crd(old)], [_crd(new)], kind, breaking)
    for id, old, new, kind, breaking in FIELD_RULES
]
CASES += OTHER_CASES


def _guide_rules() -> list[tuple[str, tuple[str, ...], bool]]:
    """The rows of docs/diff.md's table of breaking changes: ``(first column, kinds, breaking)``;
    a row that says "the same kinds" has the kinds of the row above."""
    text = (ROOT / "docs" / "diff.md").read_text(encoding="utf-8")
    section = text[text.index("## What `crdoc diff` calls breaking") :]
    section = section.split("\n## ", 1)[0]
    rows = []
    kinds: tuple[str, ...] = ()
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or cells[1] not in ("yes", "no"):
            continue
        named = tuple(
            kind
            for group in re.findall(r"\(([^()]*)\)", cells[0])
            for kind in re.findall(r"`([a-zA-Z-]+)`", group)
        )
        kinds = named or kinds if "the same kinds" in cells[0] or named else ()
        assert kinds, f"docs/diff.md row names no kind: {cells[0]}"
        rows.append((cells[0], kinds, cells[1] == "yes"))
    return rows


GUIDE_RULES = _guide_rules()


def _run(tmp_path: Path, case: Case) -> ApiDiff:
    return _diff(tmp_path, case.old, case.new)


@pytest.mark.parametrize(
    ("row", "kinds", "breaking"), GUIDE_RULES, ids=[r[0][:60] for r in GUIDE_RULES]
)
def test_guide_rule(tmp_path: Path, row: str, kinds: tuple[str, ...], breaking: bool) -> None:
    """Each row of the table of docs/diff.md holds: a case for every kind it names, each giving that
    kind with that classification."""
    cases = [c for c in CASES if c.kind in kinds and c.breaking is breaking]
    assert {c.kind for c in cases} == set(kinds), (
        f"no case for {set(kinds) - {c.kind for c in cases}}"
    )
    for number, case in enumerate(cases):
        folder = tmp_path / str(number)
        folder.mkdir()
        diff = _run(folder, case)
        assert (case.kind, case.breaking) in {(c.kind, c.breaking) for c in diff.changes}, case.id
        assert has_breaking(diff) is any(c.breaking for c in diff.changes)


def test_every_case_is_in_the_guide() -> None:
    rows = {(kind, breaking) for _, kinds, breaking in GUIDE_RULES for kind in kinds}
    assert {(c.kind, c.breaking) for c in CASES} <= rows


def test_items_keywords_are_prefixed(tmp_path: Path) -> None:
    old = {"a": {"type": "array", "items": {"type": "string", "enum": ["x", "y"]}}}
    new = {"a": {"type": "array", "items": {"type": "string", "enum": ["y", "z"]}}}
    (change,) = _diff(tmp_path, [_crd(old)], [_crd(new)]).changes
    assert change.keyword == "items.enum"
    assert (change.added, change.removed) == (("z",), ("x",))


def test_became_required_and_optional(tmp_path: Path) -> None:
    spec = {"a": STRING, "b": STRING}
    diff = _diff(tmp_path, [_crd(spec, required=["b"])], [_crd(spec, required=["a"])])
    assert [(c.path, c.kind, c.breaking) for c in diff.changes] == [
        ("spec.a", "field-required", True),
        ("spec.b", "field-optional", False),
    ]


def test_new_required_field(tmp_path: Path) -> None:
    """A new required field breaks old manifests; under a new optional object it does not."""
    new = {
        "a": STRING,
        "b": STRING,
        "c": {"type": "object", "required": ["d"], "properties": {"d": STRING}},
    }
    diff = _diff(tmp_path, [_crd({"a": STRING})], [_crd(new, required=["b"])])
    assert [(c.path, c.kind, c.breaking) for c in diff.changes] == [
        ("spec.b", "field-added", True),
        ("spec.c", "field-added", False),
        ("spec.c.d", "field-added", False),
    ]
    text = format_text(diff)
    assert "spec.c added (object), with 1 field below it" in text
    assert "spec.c.d" not in text  # folded under its new parent


def test_version_changes(tmp_path: Path) -> None:
    old = _crd(
        {"a": STRING},
        versions=_versions(
            ("v1alpha1", True, False, False),
            ("v1beta1", True, True, False),
            ("v1beta2", True, False, False),
        ),
    )
    new = _crd(
        {"a": STRING},
        versions=_versions(
            ("v1beta1", False, False, True),
            ("v1beta2", True, False, True),
            ("v1", True, True, False),
        ),
    )
    diff = _diff(tmp_path, [old], [new])
    got = [(c.kind, c.version, c.breaking) for c in diff.changes]
    assert got == [
        ("storage-version-changed", None, True),
        ("version-added", "v1", False),
        ("version-removed", "v1alpha1", True),
        ("version-unserved", "v1beta1", True),
        ("version-deprecated", "v1beta1", False),
        ("version-deprecated", "v1beta2", False),
    ]
    (tmp_path / "back").mkdir()
    served_again = _diff(tmp_path / "back", [new], [old])
    kinds = {(c.kind, c.version): c.breaking for c in served_again.changes}
    assert kinds[("version-served", "v1beta1")] is False
    assert kinds[("version-undeprecated", "v1beta2")] is False


def test_crds_added_and_removed(tmp_path: Path) -> None:
    kept = _crd({"a": STRING})
    gone = _crd({"a": STRING}, kind="Gadget", plural="gadgets")
    came = _crd({"a": STRING}, kind="Gizmo", plural="gizmos")
    diff = _diff(tmp_path, [kept, gone], [kept, came])
    assert [(c.crd, c.kind, c.breaking) for c in diff.changes] == [
        ("example.com/gadgets", "crd-removed", True),
        ("example.com/gizmos", "crd-added", False),
    ]


def test_rename_is_remove_and_add(tmp_path: Path) -> None:
    diff = _diff(tmp_path, [_crd({"colour": STRING})], [_crd({"color": STRING})])
    assert [(c.path, c.kind, c.breaking) for c in diff.changes] == [
        ("spec.colour", "field-removed", True),  # where it was: after its old predecessor
        ("spec.color", "field-added", False),
    ]


def test_root_rule_change(tmp_path: Path) -> None:
    """CEL rules on the root schema are compared too (path ``""``)."""
    old = _crd({"a": STRING})
    new = copy.deepcopy(old)
    new["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["x-kubernetes-validations"] = [
        {"rule": "self.metadata.name.size() < 20"}
    ]
    (change,) = _diff(tmp_path, [old], [new]).changes
    assert (change.path, change.kind, change.breaking) == ("", "validation-rules-changed", True)


# --------------------------------------------------------------------------------------------
# Renderers


def test_markdown_escapes_and_parses(tmp_path: Path) -> None:
    old = {"a": {"type": "string", "enum": ["x|y", "<b>", "ok"]}, "p": {"type": "string"}}
    new = {"a": {"type": "string", "enum": ["ok"]}, "p": {"type": "string", "pattern": "^(a|b)<"}}
    diff = _diff(tmp_path, [_crd(old)], [_crd(new)])
    markdown = report_renderer().changes(diff)
    assert markdown.startswith("**2 breaking** and 0 non-breaking changes")
    html = MarkdownIt("commonmark").render(markdown)
    assert "<b>" not in html  # the enum value is text, not a tag
    assert "&lt;b&gt;" in html
    assert "x|y" in html  # inside a code span, shown as written
    assert "<code>spec.a</code>" in html
    assert "<ul>" in html and "<h3>" in html
    assert "<h3>Widget (<code>example.com/widgets</code>)</h3>" in html


def test_text_explains_its_mark(tmp_path: Path) -> None:
    old = {"a": {"type": "string", "enum": ["x", "y"]}}
    new = {"a": {"type": "string", "enum": ["x"]}, "b": STRING}
    text = format_text(_diff(tmp_path, [_crd(old)], [_crd(new)]))
    assert text.splitlines()[:2] == ["1 breaking, 1 non-breaking changes", TEXT_LEGEND]
    assert TEXT_LEGEND.startswith("! marks a breaking change: ")
    assert "  ! v1: field spec.a enum narrowed" in text
    assert "    v1: field spec.b added (string)" in text


def test_breaking_child_is_not_folded(tmp_path: Path) -> None:
    """A new object with a default exists in every old manifest once defaulted: a required
    field new under it breaks them, and is listed on its own, not folded under its parent."""
    new = {
        "a": STRING,
        "c": {"type": "object", "default": {}, "required": ["d"], "properties": {"d": STRING}},
    }
    diff = _diff(tmp_path, [_crd({"a": STRING})], [_crd(new)])
    assert [(c.path, c.breaking) for c in diff.changes] == [("spec.c", False), ("spec.c.d", True)]
    text = format_text(diff)
    assert "  ! v1: field spec.c.d added (string, required)" in text
    assert "below it" not in text
    markdown = report_renderer().changes(diff)
    assert markdown.index("spec.c.d") < markdown.index("Other changes")


def _reported(diff: ApiDiff) -> dict[str, list[tuple[str, bool, str]]]:
    """Each report's lines as ``(CRD key, breaking, words)``, words in plain text."""
    text_lines = []
    key = ""
    for line in format_text(diff).splitlines()[2:]:
        if line and not line.startswith("  "):
            key = line.split(" ")[0]
        elif line:
            text_lines.append((key, line[2] == "!", line[4:]))
    markdown_lines = []
    breaking = False
    inline = MarkdownIt("commonmark")
    for line in report_renderer().changes(diff).splitlines():
        if line.startswith("### "):
            key = re.search(r"\(`([^`]+)`\)$", line).group(1)  # type: ignore[union-attr]
        elif line.startswith("**Breaking:**") or line.startswith("**Other changes:**"):
            breaking = line.startswith("**Breaking")
        elif line.startswith("- "):
            words = html.unescape(re.sub(r"<[^>]+>", "", inline.renderInline(line[2:])))
            markdown_lines.append((key, breaking, words))
    data = format_json(diff)
    json_lines = [
        (crd["key"], change["breaking"], change["text"])
        for crd in data["crds"]
        for change in crd["changes"]
    ]
    return {"text": text_lines, "markdown": markdown_lines, "json": json_lines}


def test_reports_classify_alike(release_pair) -> None:
    """Text, Markdown and JSON mark the same changes breaking: the same lines in text and
    Markdown (which fold fields added or removed with their parent), every one of them a JSON
    change with the same classification, and the same counts."""
    _, _, diff = release_pair
    reports = _reported(diff)
    # The same lines (Markdown puts each CRD's breaking ones first).
    assert sorted(reports["text"]) == sorted(reports["markdown"])
    unfolded = {
        (k, b, re.sub(r", with \d+ fields? below it$", "", w)) for k, b, w in reports["text"]
    }
    assert unfolded <= set(reports["json"])
    assert {line[1] for line in reports["text"]} == {True, False}
    data = format_json(diff)
    summary = f"{data['breaking']} breaking, {data['nonBreaking']} non-breaking changes"
    assert format_text(diff).startswith(summary)
    assert (
        report_renderer()
        .changes(diff)
        .startswith(f"**{data['breaking']} breaking** and {data['nonBreaking']} non-breaking")
    )
    assert data["breakingMeans"] == BREAKING_MEANS
    assert BREAKING_MEANS in report_renderer().changes(diff).replace("\n", " ")


def test_markdown_of_no_changes(tmp_path: Path) -> None:
    diff = _diff(tmp_path, [_crd({"a": STRING})], [_crd({"a": STRING})])
    assert diff.is_empty and not has_breaking(diff)
    assert report_renderer().changes(diff) == "No changes to the CRDs.\n"
    assert format_text(diff) == "0 breaking, 0 non-breaking changes\n"


def test_json_is_json(tmp_path: Path) -> None:
    # (not "y", which PyYAML writes bare and Kubernetes reads as true)
    old = {"a": {"type": "string", "enum": ["x", "w"]}}
    new = {"a": {"type": "string", "enum": ["x"]}, "b": STRING}
    data = format_json(_diff(tmp_path, [_crd(old)], [_crd(new)]))
    assert json.loads(json.dumps(data)) == data
    assert (data["breaking"], data["nonBreaking"]) == (1, 1)
    first = data["crds"][0]["changes"][0]
    assert first["kind"] == "enum-narrowed" and first["removed"] == ["w"]


# --------------------------------------------------------------------------------------------
# The real release pair and the corpus


@pytest.fixture(scope="module")
def release_pair() -> tuple[Catalog, Catalog, ApiDiff]:
    old = load(corpus_entry(OLD_RELEASE))
    new = load(corpus_entry(NEW_RELEASE))
    return old, new, diff_catalogs(old, new)


def _fields(catalog: Catalog) -> dict[tuple[str, str, str], dict[str, Any]]:
    """(crd, version, path) → the field's inspect JSON, without its name."""
    data = catalog_data(catalog)
    out = {}
    for crd in data["crds"]:
        key = f"{crd['group']}/{crd['plural']}"
        for version in crd["versions"]:
            for field in version["fields"]:
                out[(key, version["name"], field["path"])] = field
    return out


def test_release_pair_fields_match_inspect_output(release_pair) -> None:
    """Added, removed and changed fields are exactly those the two inspect outputs differ in
    (for versions present in both releases)."""
    old, new, diff = release_pair
    before, after = _fields(old), _fields(new)
    shared = {(c, v) for c, v, _ in before} & {(c, v) for c, v, _ in after}
    assert shared
    added = {k for k in after.keys() - before.keys() if k[:2] in shared}
    removed = {k for k in before.keys() - after.keys() if k[:2] in shared}
    changed = {k for k in before.keys() & after.keys() if before[k] != after[k]}
    assert added and changed

    def paths(*kinds: str) -> set[tuple[str, str, str]]:
        return {
            (c.crd, c.version, c.path)
            for c in diff.changes
            if c.kind in kinds and c.path  # "" is the root schema, not a field
        }

    assert paths("field-added") == added
    assert paths("field-removed") == removed
    field_kinds = {c.kind for c in diff.changes if c.path} - {"field-added", "field-removed"}
    assert paths(*field_kinds) == changed


def test_release_pair_classification(release_pair) -> None:
    """Spot checks on real changes between the two cloudnative-pg releases."""
    _, _, diff = release_pair
    by_place = {(c.crd, c.path, c.keyword): c for c in diff.changes}
    # Breaking: a new CEL rule making Database.spec.cluster immutable.
    rule = by_place[("postgresql.cnpg.io/databases", "spec.cluster", "x-kubernetes-validations")]
    assert rule.breaking and rule.kind == "validation-rules-changed"
    assert rule.added == ("self == oldSelf",)
    # Non-breaking: a new compression algorithm accepted.
    compression = "spec.backup.barmanObjectStore.data.compression"
    enum = by_place[("postgresql.cnpg.io/clusters", compression, "enum")]
    assert (enum.kind, enum.breaking, enum.added, enum.removed) == (
        "enum-widened",
        False,
        ("lz4",),
        (),
    )
    # Non-breaking: an item pattern dropped.
    pattern = by_place[
        (
            "postgresql.cnpg.io/clusters",
            "spec.monitoring.podMonitorRelabelings.sourceLabels",
            "items.pattern",
        )
    ]
    assert (pattern.kind, pattern.breaking, pattern.new) == ("pattern-changed", False, None)
    added = {c.crd: c.breaking for c in diff.changes if c.kind == "crd-added"}
    assert added == {
        "postgresql.cnpg.io/databaseroles": False,
        "postgresql.cnpg.io/failoverquorums": False,
    }
    assert has_breaking(diff)
    assert not any(c.kind == "field-removed" for c in diff.changes)


def test_release_pair_reports(release_pair) -> None:
    _, _, diff = release_pair
    markdown = report_renderer().changes(diff)
    breaking = len(diff.breaking)
    assert markdown.startswith(f"**{breaking} breaking** and {len(diff.non_breaking)} non-breaking")
    html = MarkdownIt("commonmark").render(markdown)
    assert html.count("<h3>") == len(diff.crds)
    assert json.loads(json.dumps(format_json(diff)))["breaking"] == breaking
    assert format_text(diff) == format_text(diff_catalogs(*release_pair[:2]))  # deterministic


def test_self_diff_is_empty(corpus_name: str) -> None:
    catalog = load(corpus_entry(corpus_name))
    started = time.perf_counter()
    diff = diff_catalogs(catalog, catalog)
    assert diff.is_empty and diff.changes == () and not has_breaking(diff)
    assert time.perf_counter() - started < 5
