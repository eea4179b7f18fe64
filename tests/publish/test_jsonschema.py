"""``crdoc.publish.jsonschema``: JSON Schemas for kubeconform / yaml-language-server, one per
CRD version."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import EXAMPLE_CHART, corpus_entry
from jsonschema.validators import validator_for

from crdoc import load
from crdoc.model import Catalog, openapi_schema
from crdoc.pipeline import Reference
from crdoc.publish.jsonschema import json_schemas, version_schema, write_schemas
from crdoc.publish.output import MARKER
from crdoc.render.present import example_manifest

#: (corpus entry, CRD key, version) whose generated example manifest fails validation. Empty:
#: string placeholders are chosen to match their field's pattern (crdoc.render.present), so every
#: example of the corpus validates; a new entry here needs a reason.
EXAMPLE_EXCEPTIONS: set[tuple[str, str, str]] = set()


def _validator(schema: dict[str, Any]) -> Any:
    cls = validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _errors(schema: dict[str, Any], document: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}"
        for e in _validator(schema).iter_errors(document)
    ]


def _is_strict(node: dict[str, Any]) -> bool:
    return node.get("additionalProperties") is False


def _check_catalog(name: str, catalog: Catalog) -> None:
    schemas = json_schemas(catalog)
    for path, schema in schemas.items():
        validator_for(schema).check_schema(schema)
        assert schema["$schema"] == "http://json-schema.org/draft-07/schema#", path
    accepted = failed = 0
    for crd in catalog.crds:
        for version in crd.versions:
            where = (name, crd.key, version.name)
            path = f"{crd.group}/{crd.kind.lower()}_{version.name}.json"
            schema = schemas[path]
            assert schema == version_schema(crd, version)
            example = yaml.safe_load(example_manifest(crd, version))
            errors = _errors(schema, example)
            if where in EXAMPLE_EXCEPTIONS:
                assert errors, f"{where} now passes: drop it from EXAMPLE_EXCEPTIONS"
                failed += 1
                continue
            assert errors == [], where
            accepted += 1
            # The wrong kind or apiVersion is refused.
            assert _errors(schema, {**example, "kind": "Bogus"}), where
            assert _errors(schema, {**example, "apiVersion": f"{crd.group}/v0bogus"}), where
            assert _errors(schema, {k: v for k, v in example.items() if k != "kind"}), where
            spec = schema["properties"].get("spec", {})
            if _is_strict(schema):
                assert _errors(schema, {**example, "sepc": {}}), where
            if _is_strict(spec) and isinstance(example.get("spec"), dict):
                misspelt = copy.deepcopy(example)
                misspelt["spec"]["bogusField"] = 1
                assert _errors(schema, misspelt), where
                for key in list(example["spec"]):
                    renamed = copy.deepcopy(example)
                    renamed["spec"][key + "Typo"] = renamed["spec"].pop(key)
                    assert _errors(schema, renamed), (where, key)
    assert accepted + failed == sum(len(crd.versions) for crd in catalog.crds)


def test_corpus_schemas(corpus_name: str) -> None:
    """Every schema is valid draft-07, accepts crdoc's example manifest (but the listed
    exceptions), and refuses a misspelt field where the CRD is strict and a wrong kind."""
    _check_catalog(corpus_name, load(corpus_entry(corpus_name)))


def test_example_chart_schemas() -> None:
    _check_catalog("alloydbomni-operator", load(EXAMPLE_CHART))


def test_paths_and_flat_copies() -> None:
    catalog = load(corpus_entry("cloudnative-pg"))
    schemas = json_schemas(catalog)
    assert "postgresql.cnpg.io/cluster_v1.json" in schemas
    assert schemas["cluster_v1.json"] is schemas["postgresql.cnpg.io/cluster_v1.json"]
    assert list(schemas) == sorted(schemas)
    assert all(path == path.lower() for path in schemas)
    assert len(schemas) == 2 * sum(len(crd.versions) for crd in catalog.crds)


# --------------------------------------------------------------------------------------------
# Hand-written fixtures


def _crd(group: str, kind: str, schema: dict[str, Any]) -> dict[str, Any]:
    plural = kind.lower() + "s"
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.{group}"},
        "spec": {
            "group": group,
            "names": {"kind": kind, "plural": plural},
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


SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "A widget.",
    "properties": {
        "apiVersion": {"type": "string"},
        "kind": {"type": "string"},
        "metadata": {"type": "object"},
        "spec": {
            "type": "object",
            "required": ["size", "mode"],
            "properties": {
                "size": {
                    "x-kubernetes-int-or-string": True,
                    "anyOf": [{"type": "integer"}, {"type": "string"}],
                },
                "note": {"type": "string", "nullable": True, "enum": ["a", "b"]},
                "maybe": {"type": "string", "nullable": True},
                "count": {
                    "x-kubernetes-int-or-string": True,
                    "nullable": True,
                    "anyOf": [{"type": "integer"}, {"type": "string"}],
                },
                "mode": {"type": "string", "default": "auto", "enum": ["auto", "manual"]},
                "keyless": {"type": "object"},
                "ratio": {"type": "number", "minimum": 0, "exclusiveMinimum": True, "maximum": 1},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                "loose": {
                    "type": "object",
                    "x-kubernetes-preserve-unknown-fields": True,
                    "properties": {"known": {"type": "string"}},
                },
                "ports": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["port"],
                        "properties": {"port": {"type": "integer", "format": "int32"}},
                    },
                    "x-kubernetes-list-type": "map",
                    "x-kubernetes-list-map-keys": ["port"],
                },
                "matrix": {
                    "type": "array",
                    "items": {"type": "array", "items": {"type": "string", "pattern": "^[a-z]+$"}},
                },
                "template": {
                    "type": "object",
                    "properties": {
                        "metadata": {
                            "type": "object",
                            "properties": {
                                "labels": {
                                    "type": "object",
                                    "additionalProperties": {"type": "string"},
                                }
                            },
                        },
                    },
                },
                "embedded": {
                    "type": "object",
                    "x-kubernetes-embedded-resource": True,
                    "properties": {
                        "spec": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
                    },
                },
                "name": {"type": "string", "example": "foo", "pattern": "^((?i)foo|bar)$"},
            },
            "x-kubernetes-validations": [{"rule": "self.size != 0"}],
        },
    },
}


def _load(tmp_path: Path, *crds: dict[str, Any]) -> Catalog:
    folder = tmp_path / "chart"
    folder.mkdir()
    (folder / "crds.yaml").write_text(yaml.safe_dump_all(crds, sort_keys=False))
    return load(folder)


@pytest.fixture
def widget(tmp_path: Path) -> dict[str, Any]:
    catalog = _load(tmp_path, _crd("example.com", "Widget", SCHEMA))
    return json_schemas(catalog)["widget_v1.json"]


def test_openapi_rebuilt_from_model(tmp_path: Path) -> None:
    """The model keeps everything: the OpenAPI schema rebuilt from it is the CRD's own."""
    catalog = _load(tmp_path, _crd("example.com", "Widget", SCHEMA))
    assert openapi_schema(catalog.crds[0].versions[0]) == SCHEMA


def _valid(widget: dict[str, Any], spec: dict[str, Any], **extra: Any) -> list[str]:
    document = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}
    return _errors(widget, {**document, "spec": spec, **extra})


def test_conversions(widget: dict[str, Any]) -> None:
    validator_for(widget).check_schema(widget)
    spec = widget["properties"]["spec"]["properties"]
    assert spec["size"]["type"] == ["integer", "string"]
    # A null passes the type of a nullable field, but never an enum (kube-openapi's enum check
    # skips null members), and kube-openapi judges a null by type and enum only.
    assert spec["note"]["type"] == ["string", "null"] and spec["note"]["enum"] == ["a", "b"]
    assert spec["count"]["if"] == {"type": "null"} and "anyOf" in spec["count"]["else"]
    assert spec["ratio"]["exclusiveMinimum"] == 0 and "minimum" not in spec["ratio"]
    assert spec["name"]["examples"] == ["foo"]
    # Go's mid-pattern (?i) lasts to the end of its group: both alternatives fold.
    assert spec["name"]["pattern"] == "^([Ff][Oo][Oo]|[Bb][Aa][Rr])$"
    assert widget["properties"]["spec"]["x-kubernetes-validations"]  # kept as an annotation
    assert widget["required"] == ["apiVersion", "kind"]
    # A required field with a default is never missing once the API server has defaulted.
    assert widget["properties"]["spec"]["required"] == ["size"]
    embedded = spec["embedded"]
    assert embedded["required"] == ["apiVersion", "kind"]
    assert set(embedded["properties"]) == {"apiVersion", "kind", "metadata", "spec"}


@pytest.mark.parametrize(
    ("spec", "ok"),
    [
        ({"size": 1}, True),
        ({"size": "10%"}, True),
        ({"size": 1.5}, False),
        ({}, False),  # size is required
        ({"size": 1, "note": "a"}, True),
        ({"size": 1, "note": None}, False),  # nullable, but no enum accepts null
        ({"size": 1, "note": "c"}, False),
        ({"size": 1, "maybe": None}, True),
        ({"size": 1, "maybe": 1}, False),
        ({"size": 1, "count": None}, True),  # the anyOf is not applied to a null
        ({"size": 1, "count": "10%"}, True),
        ({"size": 1, "count": 1.5}, False),
        ({"size": 1, "mode": "manual"}, True),
        ({"size": 1, "mode": "other"}, False),
        ({"size": 1, "keyless": {}}, True),
        ({"size": 1, "keyless": {"any": 1}}, False),  # an object without properties takes none
        ({"size": 1, "ratio": 0}, False),  # exclusive minimum
        ({"size": 1, "ratio": 0.5}, True),
        ({"size": 1, "ratio": 1}, True),
        ({"size": 1, "labels": {"a": "b"}}, True),
        ({"size": 1, "labels": {"a": 1}}, False),
        ({"size": 1, "free": {"anything": {"at": "all"}}}, True),
        ({"size": 1, "loose": {"known": "x", "unknown": 1}}, True),
        ({"size": 1, "loose": {"known": 1}}, False),
        ({"size": 1, "ports": [{"port": 80}]}, True),
        ({"size": 1, "ports": [{"port": 80, "prot": "TCP"}]}, False),  # misspelt, in an item
        ({"size": 1, "ports": [{}]}, False),
        ({"size": 1, "matrix": [["a"], ["b", "c"]]}, True),
        ({"size": 1, "matrix": [["A"]]}, False),
        ({"size": 1, "template": {"metadata": {"labels": {"a": "b"}}}}, True),
        # Only a resource's own metadata is ObjectMeta: this one is an ordinary object.
        ({"size": 1, "template": {"metadata": {"name": "x"}}}, False),
        ({"size": 1, "template": {"metdata": {}}}, False),
        (
            {
                "size": 1,
                "embedded": {"apiVersion": "v1", "kind": "Pod", "metadata": {}, "spec": {"x": 1}},
            },
            True,
        ),
        ({"size": 1, "embedded": {"apiVersion": "v1", "kind": "Pod"}}, True),
        (
            {
                "size": 1,
                "embedded": {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"x": 1}},
            },
            True,  # embedded metadata is ObjectMeta, which the API server checks
        ),
        ({"size": 1, "embedded": {"apiVersion": "v1", "kind": "Pod", "spce": {}}}, False),
        ({"size": 1, "embedded": {"kind": "Pod"}}, False),  # apiVersion is required
        ({"size": 1, "embedded": {"apiVersion": "v1"}}, False),  # and so is kind
        ({"size": 1, "embedded": {"apiVersion": "a/b/c", "kind": "Pod"}}, False),
        ({"size": 1, "embedded": {"apiVersion": "v1", "kind": "Pod_1"}}, False),
        ({"size": 1, "name": "FOO"}, True),  # Go's (?i), translated
        ({"size": 1, "name": "Bar"}, True),
        ({"size": 1, "name": "baz"}, False),
    ],
)
def test_validation(widget: dict[str, Any], spec: dict[str, Any], ok: bool) -> None:
    assert (_valid(widget, spec) == []) is ok


def test_wrong_kind_and_root(widget: dict[str, Any]) -> None:
    assert _valid(widget, {"size": 1}) == []
    assert _valid(widget, {"size": 1}, kind="Gadget")
    assert _valid(widget, {"size": 1}, apiVersion="example.com/v2")
    assert _valid(widget, {"size": 1}, metadata="w")
    assert _valid(widget, {"size": 1}, extra=1)


def test_kind_in_two_groups(tmp_path: Path) -> None:
    """A kind in two groups gets no flat copy (it would be ambiguous); others do."""
    catalog = _load(
        tmp_path,
        _crd("a.example.com", "Widget", SCHEMA),
        _crd("b.example.com", "Widget", SCHEMA),
        _crd("a.example.com", "Gadget", {"type": "object"}),
    )
    assert list(json_schemas(catalog)) == [
        "a.example.com/gadget_v1.json",
        "a.example.com/widget_v1.json",
        "b.example.com/widget_v1.json",
        "gadget_v1.json",
    ]


def test_no_schema_version(tmp_path: Path) -> None:
    """A version without a schema still pins apiVersion and kind, and allows anything else."""
    crd = _crd("example.com", "Widget", SCHEMA)
    del crd["spec"]["versions"][0]["schema"]
    catalog = _load(tmp_path, crd)
    schema = json_schemas(catalog)["widget_v1.json"]
    validator_for(schema).check_schema(schema)
    document = {"apiVersion": "example.com/v1", "kind": "Widget", "spec": {"any": 1}}
    assert _errors(schema, document) == []
    assert _errors(schema, {**document, "kind": "Gadget"})


def test_write_schemas(tmp_path: Path) -> None:
    catalog = _load(tmp_path, _crd("example.com", "Widget", SCHEMA))
    out = tmp_path / "schemas"
    write_schemas(Reference.of(catalog), out)
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert files == [MARKER, "example.com/widget_v1.json", "widget_v1.json"]
    written = json.loads((out / "widget_v1.json").read_text())
    assert written == json_schemas(catalog)["widget_v1.json"]
    write_schemas(Reference.of(catalog), out)  # its own folder: replaced without --clean
