"""Readable wording of schema facts (no markup): bounds, lengths, list semantics, examples."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import yaml
from markupsafe import Markup

from crdoc.keywords import CONSTRAINTS, SHOWN_BY_NAME
from crdoc.model import Crd, Field, Version
from crdoc.render.markup import json_value

#: How each annotation status is shown: (MkDocs admonition type, GitHub alert type, label).
STATUS_STYLES: dict[str | None, tuple[str, str, str]] = {
    "non-functional": ("danger", "CAUTION", "Does not work"),
    "cloud-only": ("warning", "WARNING", "Cloud-only"),
    "deprecated": ("warning", "WARNING", "Deprecated"),
    "experimental": ("example", "IMPORTANT", "Experimental"),
    "internal": ("info", "NOTE", "Internal"),
    "unchecked": ("info", "NOTE", "Not checked"),
    None: ("note", "NOTE", "Note"),
}


def status_style(status: str | None) -> tuple[str, str, str]:
    """The admonition type, alert type and label of an annotation status."""
    return STATUS_STYLES.get(status, STATUS_STYLES[None])


def percent(part: int, whole: int) -> Markup:
    """``93.2%`` as finished Markdown (``n/a`` of nothing: 0 of 0 is not 100%)."""
    return Markup("n/a" if whole == 0 else f"{100 * part / whole:.1f}%".replace(".0%", "%"))


def constraints(facts: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Every validation keyword of one schema node as ``(label, readable text)`` pairs."""
    if CONSTRAINTS.isdisjoint(facts):  # most fields: nothing to say
        return []
    out: list[tuple[str, str]] = []
    bound = _range(facts, "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "value")
    if bound:
        out.append(("Range", bound))
    for label, low, high, subject in (
        ("Length", "minLength", "maxLength", "length"),
        ("Items", "minItems", "maxItems", "items"),
        ("Properties", "minProperties", "maxProperties", "properties"),
    ):
        text = _range(facts, low, high, None, None, subject)
        if text:
            out.append((label, text))
    if "multipleOf" in facts:
        out.append(("Multiple of", json_value(facts["multipleOf"])))
    if "pattern" in facts:
        out.append(("Pattern", str(facts["pattern"])))
    if facts.get("uniqueItems"):
        out.append(("Unique items", "yes"))
    for keyword in ("allOf", "anyOf", "oneOf", "not"):
        if keyword in facts:
            out.append((keyword, json_value(facts[keyword])))
    return out


def _range(
    facts: Mapping[str, Any],
    low: str,
    high: str,
    exclusive_low: str | None,
    exclusive_high: str | None,
    subject: str,
) -> str:
    """``0 ≤ value ≤ 100`` — a bound of 0 counts (it is not "no bound")."""
    has_low, has_high = low in facts, high in facts
    if not has_low and not has_high:
        return ""
    text = subject
    if has_low:
        strict = exclusive_low is not None and facts.get(exclusive_low) is True
        text = f"{json_value(facts[low])} {'<' if strict else '≤'} {text}"
    if has_high:
        strict = exclusive_high is not None and facts.get(exclusive_high) is True
        text = f"{text} {'<' if strict else '≤'} {json_value(facts[high])}"
    return text


def list_semantics(facts: Mapping[str, Any]) -> str:
    """``x-kubernetes-list-type``/``-list-map-keys``/``-map-type`` in words."""
    parts = []
    list_type = facts.get("x-kubernetes-list-type")
    if list_type:
        parts.append(f"list type {list_type}")
    keys = facts.get("x-kubernetes-list-map-keys")
    if isinstance(keys, list) and keys:
        parts.append("keyed by " + ", ".join(str(k) for k in keys))
    map_type = facts.get("x-kubernetes-map-type")
    if map_type:
        parts.append(f"map type {map_type}")
    return "; ".join(parts)


def other_facts(facts: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Keywords no other part of a field's block shows (vendor extensions and the like)."""
    return [(k, json_value(v)) for k, v in facts.items() if k not in SHOWN_BY_NAME]


def example_manifest(crd: Crd, version: Version) -> str:
    """A minimal manifest: apiVersion, kind, metadata and the required fields, with defaults or
    placeholders of the right type. Valid YAML, though placeholders may not pass validation."""
    document: dict[str, Any] = {
        "apiVersion": f"{crd.group}/{version.name}",
        "kind": crd.kind,
        "metadata": {"name": f"example-{crd.singular or crd.kind.lower()}"},
    }
    if crd.scope == "Namespaced":
        document["metadata"]["namespace"] = "default"
    for root in version.roots:
        if root.name in ("apiVersion", "kind", "metadata", "status"):
            continue
        if root.required or root.name == "spec":
            document[root.name] = _example_value(root)
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


def _example_value(field: Field) -> Any:
    facts = field.facts
    if "default" in facts:
        return facts["default"]
    if field.enum:
        return field.enum[0] if field.type != "array" else [field.enum[0]]
    kind = facts.get("type")
    if facts.get("x-kubernetes-int-or-string"):
        return _quantity(field.name) if field.type_label == "Quantity" else 1
    if kind == "array":
        item = _item_placeholder(field)
        count = facts.get("minItems", 0)
        return (
            [item] * (count if isinstance(count, int) and 0 < count < 4 else 1)
            if item is not None
            else []
        )
    if kind == "object" or field.children:
        return {c.name: _example_value(c) for c in field.children if c.required and c.name != "*"}
    return _scalar_placeholder(facts)


def _quantity(name: str) -> str:
    """A Kubernetes quantity a reader would write for a field of this name."""
    lowered = name.lower()
    if "cpu" in lowered:
        return "500m"
    if any(word in lowered for word in ("memory", "storage", "size", "disk", "limit", "request")):
        return "1Gi"
    return "1"


def _item_placeholder(field: Field) -> Any:
    if field.children:
        return {c.name: _example_value(c) for c in field.children if c.required and c.name != "*"}
    items = field.items
    if "default" in items:
        return items["default"]
    if isinstance(items.get("enum"), list) and items["enum"]:
        return items["enum"][0]
    return _scalar_placeholder(items)


#: Example values for string formats (OpenAPI's and Kubernetes' own).
_FORMAT_EXAMPLES = {
    "date-time": "2024-01-01T00:00:00Z",
    "date": "2024-01-01",
    "duration": "30s",
    "uri": "https://example.com",
    "url": "https://example.com",
    "email": "user@example.com",
    "hostname": "example.com",
    "ipv4": "192.0.2.10",
    "ipv6": "2001:db8::10",
    "cidr": "192.0.2.0/24",
    "byte": "ZXhhbXBsZQ==",
    "uuid": "123e4567-e89b-12d3-a456-426614174000",
    "password": "changeme",
}


def _scalar_placeholder(facts: Mapping[str, Any]) -> Any:
    kind = facts.get("type")
    if facts.get("x-kubernetes-int-or-string"):
        return 1
    if kind in ("integer", "number"):
        low = facts.get("minimum", 0)
        return low + 1 if facts.get("exclusiveMinimum") is True else low
    if kind == "boolean":
        return False
    if kind == "string":
        return _string_placeholder(facts)
    return {}


# Strings tried, in order, for a string field with a pattern: the first that matches is used.
_STRING_CANDIDATES = (
    "example",
    "30s",
    "1Gi",
    "x",
    "a1",
    "example.com/example",
    "example.com",
    "1",
    "1m",
    "10Gi",
    "v1",
    "2024-01-01T00:00:00Z",
    "EXAMPLE",
)


def _string_placeholder(facts: Mapping[str, Any]) -> str:
    """A string within the field's length bounds that matches its pattern when one of a few
    plausible values does (else the plain placeholder: the example then says "fill me in")."""
    low = facts.get("minLength", 0)
    high = facts.get("maxLength")
    plain = "" if not isinstance(low, int) or low <= 0 else "x" * low
    pattern = facts.get("pattern")
    by_format = _FORMAT_EXAMPLES.get(str(facts.get("format", "")))
    if by_format is not None and not isinstance(pattern, str):
        return by_format
    if not isinstance(pattern, str):
        fits = not isinstance(high, int) or high >= len("example")
        return plain or ("example" if fits else "x")
    try:
        compiled = re.compile(pattern)
    except re.error:  # a Go-only regex: Python cannot check it
        return plain
    for candidate in _STRING_CANDIDATES:
        fits = len(candidate) >= (low if isinstance(low, int) else 0) and (
            not isinstance(high, int) or len(candidate) <= high
        )
        if fits and compiled.search(candidate):
            return candidate
    return plain
