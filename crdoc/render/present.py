"""Readable wording of schema facts (no markup): bounds, lengths, list semantics, examples."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from markupsafe import Markup

from crdoc.keywords import CONSTRAINTS, SHOWN_BY_NAME
from crdoc.model import Crd, Version
from crdoc.render.examples import example_for
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
    """A minimal manifest: apiVersion, kind, metadata and the required fields, with values
    searched to pass the version's schema and CEL rules (:mod:`crdoc.render.examples`; its
    :func:`~crdoc.render.examples.example_for` also says when no valid one was found)."""
    return example_for(crd, version).text
