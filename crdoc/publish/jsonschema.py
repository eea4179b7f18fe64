"""JSON Schema export: one standalone schema per CRD version, for kubeconform,
yaml-language-server and check-jsonschema, judging a manifest as the API server does.

Files follow the layout kubeconform's ``-schema-location`` templates and the public CRD catalogs
use: ``{group}/{kind}_{version}.json`` (kind in lower case, as kubeconform's ``ResourceKind``),
plus a flat ``{kind}_{version}.json`` where no other group has the same kind. Schemas are JSON
Schema draft-07, which all these tools read fully.

The OpenAPI v3 schema is rebuilt from the model (each field's facts, its children and its
array item facts) and converted (:func:`convert`) in the API server's sense:

- defaults first: each ``allOf``/``anyOf``/``oneOf``/``not`` branch is rewritten to judge a
  manifest as the API server judges it once defaulted (:mod:`crdoc.publish.defaulting`), and a
  required property with a default is not required of the manifest;
- unknown properties are refused wherever the API server would drop them (strict field
  validation refuses them): ``additionalProperties: false`` on every object, one without
  properties included, unless ``x-kubernetes-preserve-unknown-fields`` keeps it open; a
  resource's ``metadata`` (the root's, an embedded resource's) is left to the API server;
- ``nullable: true`` adds ``"null"`` to the type, and moves the branches out of a null's way
  (kube-openapi judges a null by type and enum only); ``x-kubernetes-int-or-string`` becomes
  ``type: [integer, string]``; ``x-kubernetes-embedded-resource`` allows and requires
  ``apiVersion`` and ``kind`` (checked as the API server checks them) and allows ``metadata``;
- Go regular expressions are rewritten in the dialect every validator reads
  (:mod:`crdoc.goregex`); one with no such form is kept as the annotation
  ``x-crdoc-unportable-pattern``, since a validator that cannot compile a pattern refuses the
  whole schema;
- boolean ``exclusiveMinimum``/``exclusiveMaximum`` become draft-07 numbers; ``example``
  becomes ``examples``; other ``x-kubernetes-*`` keys (CEL rules among them) are kept as
  annotations, which validators ignore.

The root requires ``apiVersion`` and ``kind`` with their exact values.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from crdoc.goregex import UnportablePattern, translate
from crdoc.keywords import COMBINATORS, CONDITIONAL, LOGICAL
from crdoc.model import Catalog, Crd, Version, openapi_schema
from crdoc.pipeline import Reference
from crdoc.publish.defaulting import defaulted_branch
from crdoc.publish.output import replace_folder, write_pages

DRAFT = "http://json-schema.org/draft-07/schema#"
_UNSAFE = re.compile(r"[^a-z0-9.-]")


def json_schemas(catalog: Catalog) -> dict[str, dict[str, Any]]:
    """``{relative output path: JSON Schema}``, one schema per CRD version (and its flat copy),
    paths sorted."""
    groups_of_kind: dict[str, set[str]] = {}
    for crd in catalog.crds:
        groups_of_kind.setdefault(crd.kind.lower(), set()).add(crd.group)
    out: dict[str, dict[str, Any]] = {}
    for crd in catalog.crds:
        kind = _safe(crd.kind.lower())
        for version in crd.versions:
            schema = version_schema(crd, version)
            name = f"{kind}_{_safe(version.name)}.json"
            out[f"{_safe(crd.group.lower())}/{name}"] = schema
            if len(groups_of_kind[crd.kind.lower()]) == 1:
                out[name] = schema
    return dict(sorted(out.items()))


def _safe(part: str) -> str:
    """A path component: names are checked on load, but never let one climb out or nest."""
    text = _UNSAFE.sub("_", part)
    return "_" if text in ("", ".", "..") else text


def write_schemas(reference: Reference, out: Path) -> int:
    """Write :func:`json_schemas` of the documented CRDs under ``out`` as indented JSON, as
    :mod:`crdoc.publish.output` allows. Returns the number of schemas."""
    pages = {
        path: json.dumps(schema, indent=2, ensure_ascii=False, default=_plain) + "\n"
        for path, schema in json_schemas(reference.catalog).items()
    }
    replace_folder(
        out,
        lambda folder: write_pages(folder, pages),
        clean=reference.settings.clean,
        sources=(reference.source,),
    )
    return len(pages)


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def version_schema(crd: Crd, version: Version) -> dict[str, Any]:
    """The JSON Schema of one CRD version's manifests."""
    api_version = f"{crd.group}/{version.name}"
    if version.schema is None:
        body: dict[str, Any] = {"type": "object"}
    else:
        body = convert(openapi_schema(version), resource=True)
    schema: dict[str, Any] = {
        "$schema": DRAFT,
        "$id": f"{api_version}/{crd.kind}",
        "title": f"{crd.kind} ({api_version})",
    }
    schema.update(body)
    schema["title"] = f"{crd.kind} ({api_version})"
    schema["type"] = "object"
    properties = dict(schema.get("properties") or {})
    properties["apiVersion"] = {**properties.get("apiVersion", {}), "const": api_version}
    properties["kind"] = {**properties.get("kind", {}), "const": crd.kind}
    properties["apiVersion"]["type"] = properties["kind"]["type"] = "string"
    properties["metadata"] = {**properties.get("metadata", {}), "type": "object"}
    schema["properties"] = properties
    required = [name for name in schema.get("required") or () if name not in ("apiVersion", "kind")]
    schema["required"] = ["apiVersion", "kind", *required]
    return schema


def convert(node: Any, *, strict: bool = True, resource: bool = False) -> Any:
    """An OpenAPI v3 (Kubernetes structural) schema node as JSON Schema draft-07 that judges as
    the API server does.

    ``strict``: refuse properties the schema does not name, as the API server's strict field
    validation does (``False`` inside branches, which only narrow their node, and in
    ``metadata``, which the API server checks itself). ``resource``: the node is a resource
    (the root, or ``x-kubernetes-embedded-resource``), whose ``metadata`` is ObjectMeta.
    """
    if not isinstance(node, Mapping):
        return node
    embedded = bool(node.get("x-kubernetes-embedded-resource"))
    resource = resource or embedded
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "properties" and isinstance(value, Mapping):
            out[key] = {
                name: convert(child, strict=strict and not (resource and name == "metadata"))
                for name, child in value.items()
            }
        elif key in ("items", "additionalProperties") and isinstance(value, Mapping):
            out[key] = convert(value, strict=strict)
        elif key == "not" and isinstance(value, Mapping):
            out[key] = convert(defaulted_branch(value, node), strict=False)
        elif key in COMBINATORS and isinstance(value, list):
            # Branches only narrow the node they sit on: never made strict themselves. The API
            # server defaults before it validates: each branch judges the defaulted object.
            out[key] = [convert(defaulted_branch(b, node), strict=False) for b in value]
        elif key in CONDITIONAL:
            out[key] = convert(value, strict=False)  # written by defaulted_branch
        elif key == "required" and isinstance(value, list):
            # A required property with a default is never missing by validation time.
            defaulted = _defaulted_properties(node)
            out[key] = [name for name in value if name not in defaulted]
            if not out[key]:
                del out[key]
        elif key == "pattern" and isinstance(value, str):
            try:
                out[key] = translate(value)
            except UnportablePattern:
                # Go syntax no other dialect has: kept as an annotation, since a validator that
                # cannot compile a pattern refuses the whole schema.
                out["x-crdoc-unportable-pattern"] = value
        elif key == "example":
            out["examples"] = [value]
        elif key in ("exclusiveMinimum", "exclusiveMaximum") and isinstance(value, bool):
            bound = "minimum" if key == "exclusiveMinimum" else "maximum"
            if value and bound in node:
                out[key] = node[bound]
        elif key in ("minimum", "maximum") and node.get(f"exclusive{key.title()}") is True:
            continue  # moved to the exclusive keyword
        else:
            out[key] = value
    types = _types(node)
    if types is not None:
        out["type"] = types[0] if len(types) == 1 else types
        if "null" in types:
            _null_skips_branches(out)
    if embedded:
        _embedded_resource(out)
    if (
        strict
        and not node.get("x-kubernetes-preserve-unknown-fields")
        and "additionalProperties" not in out
        and ("properties" in out or "object" in (types or ()))
    ):
        # The API server drops (strict field validation: refuses) every property the schema
        # does not name; an object without properties takes none.
        out["additionalProperties"] = False
    return out


def _defaulted_properties(node: Mapping[str, Any]) -> set[str]:
    properties = node.get("properties")
    if not isinstance(properties, Mapping):
        return set()
    return {n for n, s in properties.items() if isinstance(s, Mapping) and "default" in s}


def _null_skips_branches(out: dict[str, Any]) -> None:
    """A nullable node: null passes its type, and kube-openapi judges a null by type and enum
    only, so its branches are moved under ``if not null``. (A null is never in an ``enum``:
    kube-openapi's enum check skips null members, so an enum refuses null, as it does here.)"""
    branches = {key: out.pop(key) for key in LOGICAL if key in out}
    if branches:
        out["if"] = {"type": "null"}
        out["else"] = branches


#: What the API server checks of an embedded resource's apiVersion and kind
#: (apiextensions-apiserver's objectmeta validation): both present; apiVersion a group version
#: (at most one "/"), kind a DNS-1035 label once lower-cased.
_EMBEDDED_TYPE_META: dict[str, dict[str, Any]] = {
    "apiVersion": {"type": "string", "minLength": 1, "pattern": "^[^/]*(/[^/]*)?$"},
    "kind": {
        "type": "string",
        "minLength": 1,
        "maxLength": 63,
        "pattern": "^[A-Za-z]([-A-Za-z0-9]*[A-Za-z0-9])?$",
    },
    "metadata": {"type": "object"},
}


def _embedded_resource(out: dict[str, Any]) -> None:
    """An ``x-kubernetes-embedded-resource``: apiVersion, kind and metadata are allowed without
    being declared, and apiVersion and kind are required."""
    properties = out.setdefault("properties", {})
    for name, implicit in _EMBEDDED_TYPE_META.items():
        properties[name] = {**implicit, **properties.get(name, {})}
    required = list(out.get("required") or ())
    out["required"] = [*(n for n in ("apiVersion", "kind") if n not in required), *required]


def _types(node: Mapping[str, Any]) -> list[str] | None:
    """The JSON Schema types a node allows (``None``: any)."""
    if node.get("x-kubernetes-int-or-string"):
        types = ["integer", "string"]
    elif isinstance(node.get("type"), str):
        types = [node["type"]]
    else:
        return None
    if node.get("nullable") is True:
        types.append("null")
    return types
