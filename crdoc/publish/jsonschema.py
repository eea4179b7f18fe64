"""JSON Schema export: one standalone schema per CRD version, for kubeconform and
yaml-language-server.

Files follow the openapi2jsonschema conventions kubeconform's ``-schema-location`` templates
expect: ``{group}/{kind}_{version}.json`` (lower case), plus a flat ``{kind}_{version}.json``
where no other group has the same kind. Schemas are JSON Schema draft-07, which both tools
read fully.

The OpenAPI v3 schema is rebuilt from the model (each field's facts, its children and its
array item facts) and converted: ``nullable: true`` adds ``"null"`` to the type;
``x-kubernetes-int-or-string`` becomes ``type: [integer, string]``; boolean
``exclusiveMinimum``/``exclusiveMaximum`` become draft-07 numbers; ``example`` becomes
``examples``; every object with ``properties`` gets ``additionalProperties: false`` unless it
keeps unknown fields (``x-kubernetes-preserve-unknown-fields``), so a misspelt field fails as
the API server's strict field validation would have it. ``metadata`` is left open (the API
server checks it). Other ``x-kubernetes-*`` keys are kept as annotations (validators ignore
unknown keywords). The root requires ``apiVersion`` and ``kind`` with their exact values.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from crdoc.keywords import COMBINATORS
from crdoc.model import Catalog, Crd, Field, Version
from crdoc.pipeline import Reference
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
        body = convert(openapi_schema(version))
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


def openapi_schema(version: Version) -> dict[str, Any]:
    """A version's OpenAPI v3 schema as the CRD gave it, rebuilt from the model."""
    return _node(dict(version.schema or {}), version.roots)


def _node(facts: Mapping[str, Any], children: tuple[Field, ...]) -> dict[str, Any]:
    """One schema node from its facts and the fields below it (seen through array items, as
    :mod:`crdoc.load.schema` walks them)."""
    node = {k: v for k, v in facts.items() if k != "items"}
    items = facts.get("items")
    if isinstance(items, Mapping):
        # The children belong to the innermost item schema.
        node["items"] = _node(items, children)
        return node
    if items is not None:
        node["items"] = items
    properties = {c.name: _node(c.facts, c.children) for c in children if c.name != "*"}
    if properties:
        node["properties"] = properties
        required = [c.name for c in children if c.required and c.name != "*"]
        if required:
            node["required"] = required
    for child in children:
        if child.name == "*":
            node["additionalProperties"] = _node(child.facts, child.children)
    return node


def convert(node: Any, *, strict: bool = True, in_metadata: bool = False) -> Any:
    """An OpenAPI v3 (Kubernetes structural) schema node as JSON Schema draft-07."""
    if not isinstance(node, Mapping):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "properties" and isinstance(value, Mapping):
            out[key] = {
                name: convert(child, strict=strict, in_metadata=in_metadata or name == "metadata")
                for name, child in value.items()
            }
        elif key in ("items", "additionalProperties", "not") and isinstance(value, Mapping):
            out[key] = convert(value, strict=strict and key != "not", in_metadata=in_metadata)
        elif key in COMBINATORS and isinstance(value, list):
            # Branches only narrow the node they sit on: never made strict themselves.
            out[key] = [convert(branch, strict=False) for branch in value]
        elif key == "pattern" and isinstance(value, str) and not _portable(value):
            # Go (RE2) syntax JSON Schema regexes lack, such as a (?i) flag mid-pattern: kept as
            # an annotation, since a validator that cannot compile it fails the whole schema.
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
        if "null" in types and isinstance(out.get("enum"), list) and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
    if node.get("x-kubernetes-embedded-resource"):
        properties = out.setdefault("properties", {})
        properties.setdefault("apiVersion", {"type": "string"})
        properties.setdefault("kind", {"type": "string"})
        properties.setdefault("metadata", {"type": "object"})
    if (
        strict
        and not in_metadata
        and "properties" in out
        and "additionalProperties" not in out
        and not node.get("x-kubernetes-preserve-unknown-fields")
    ):
        out["additionalProperties"] = False
    return out


def _portable(pattern: str) -> bool:
    """Whether a regular expression compiles outside Go (Python's ``re`` stands in for the
    ECMA-262 dialect JSON Schema names; it refuses mid-pattern flags as ECMA-262 does)."""
    try:
        re.compile(pattern)
    except re.error:
        return False
    return "(?" not in pattern.replace("(?:", "").replace("(?=", "").replace("(?!", "")


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
