"""The model as data: ``crdoc inspect --format json`` (a stable, documented shape) and ``text``."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, TextIO

from crdoc.model import Catalog, Crd, Field, Version

if TYPE_CHECKING:  # only annotated: inspect without an annotations file never imports them
    from crdoc.reports.annotations import Annotation, ResolvedAnnotations

#: Bumped when the JSON shape changes in a way readers must know about.
SCHEMA_VERSION = 1


def catalog_data(
    catalog: Catalog, annotations: ResolvedAnnotations | None = None
) -> dict[str, Any]:
    """The whole catalog as JSON-ready data (docs/model.md gives the shape); with
    ``annotations``, the maintainers' annotations under ``"annotation"`` where they apply."""
    data = _head(catalog)
    data["crds"] = [crd_data(crd, annotations) for crd in catalog.crds]
    if catalog.warnings:
        data["warnings"] = list(catalog.warnings)
    return data


def _head(catalog: Catalog) -> dict[str, Any]:
    data: dict[str, Any] = {"schemaVersion": SCHEMA_VERSION, "source": catalog.source}
    if catalog.chart is not None:
        data["chart"] = _chart(catalog.chart)
    return data


def crd_data(crd: Crd, annotations: ResolvedAnnotations | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"group": crd.group, "plural": crd.plural, "kind": crd.kind}
    _put(data, "singular", crd.singular)
    _put(data, "listKind", crd.list_kind)
    _put(data, "shortNames", list(crd.short_names))
    _put(data, "categories", list(crd.categories))
    data["scope"] = crd.scope
    data["sources"] = list(crd.sources)
    if crd.chart is not None:
        data["chart"] = _chart(crd.chart)
    if annotations is not None:
        _put(data, "annotation", annotation_data(annotations.for_crd(crd)))
    data["versions"] = [version_data(version, crd, annotations) for version in crd.versions]
    return data


def version_data(
    version: Version, crd: Crd | None = None, annotations: ResolvedAnnotations | None = None
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": version.name,
        "served": version.served,
        "storage": version.storage,
        "deprecated": version.deprecated,
    }
    _put(data, "deprecationWarning", version.deprecation_warning)
    _put(data, "additionalPrinterColumns", [dict(c) for c in version.printer_columns])
    _put(data, "subresources", version.subresources)
    _put(data, "selectableFields", [dict(f) for f in version.selectable_fields])
    _put(data, "schema", version.schema)
    if annotations is None or crd is None:  # field_data, inlined: there may be millions
        data["fields"] = [
            {"path": f.path, "name": f.name, **f.facts, "required": f.required}
            for f in version.fields
        ]
        return data
    _put(data, "annotation", annotation_data(annotations.for_version(crd, version)))
    data["fields"] = [
        field_data(field, annotations.for_field(crd, version, field)) for field in version.fields
    ]
    return data


def field_data(field: Field, annotation: Annotation | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"path": field.path, "name": field.name}
    data.update(field.facts)
    data["required"] = field.required
    _put(data, "annotation", annotation_data(annotation))
    return data


def annotation_data(annotation: Annotation | None) -> dict[str, Any] | None:
    """An annotation's given parts (status, reason, note, see, since, until)."""
    if annotation is None:
        return None
    data: dict[str, Any] = {}
    for key in ("status", "reason", "note", "see", "since", "until"):
        _put(data, key, getattr(annotation, key))
    return data


def _chart(chart: Any) -> dict[str, Any]:
    data = {"name": chart.name}
    _put(data, "version", chart.version)
    _put(data, "appVersion", chart.app_version)
    _put(data, "description", chart.description)
    return data


def _put(data: dict[str, Any], key: str, value: Any) -> None:
    if value is not None and value != [] and value != {}:
        data[key] = value


def _plain(value: Any) -> Any:
    """JSON has no mapping proxies: read-only mappings are written as objects."""
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def write_json(
    catalog: Catalog, out: TextIO, annotations: ResolvedAnnotations | None = None
) -> None:
    """Write the catalog as JSON, one CRD a line, streamed CRD by CRD (the model of a big
    chart is big, and only the one-shot encoder runs at C speed: it takes no indent)."""
    out.write(_dumps(_head(catalog))[:-1] + ',\n"crds": [\n')
    for index, crd in enumerate(catalog.crds):
        out.write(("" if index == 0 else ",\n") + _dumps(crd_data(crd, annotations)))
    out.write("\n]")
    if catalog.warnings:
        out.write(',\n"warnings": ' + _dumps(list(catalog.warnings)))
    out.write("}\n")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=_plain)


def text_lines(catalog: Catalog) -> Iterator[str]:
    """A readable tree per CRD and version: path, type, required, default, enum, description."""
    for crd in catalog.crds:
        short = f"; short names: {', '.join(crd.short_names)}" if crd.short_names else ""
        yield f"{crd.key}  {crd.kind}  ({crd.scope}{short})"
        yield f"  from {', '.join(crd.sources)}"
        for version in crd.versions:
            flags = [
                word
                for word, on in (
                    ("served", version.served),
                    ("storage", version.storage),
                    ("deprecated", version.deprecated),
                )
                if on
            ]
            yield (
                f"  {crd.group}/{version.name}  ({', '.join(flags) or 'not served'}, "
                f"{len(version.fields)} fields)"
            )
            if not version.fields:
                yield "    (no schema)" if version.schema is None else "    (no fields)"
            for field in version.fields:
                yield "    " + "  " * field.depth + _field_line(field)
        yield ""


def _field_line(field: Field) -> str:
    parts = [field.path, f"<{field.type_label}>"]
    if field.required:
        parts.append("required")
    if field.has_default:
        parts.append("default=" + json.dumps(field.default, ensure_ascii=False, default=_plain))
    if field.enum:
        parts.append("enum=" + "|".join(json.dumps(v, ensure_ascii=False) for v in field.enum))
    first_line = field.description.strip().split("\n", 1)[0]
    if first_line:
        parts.append("— " + (first_line if len(first_line) <= 100 else first_line[:99] + "…"))
    return " ".join(parts)


def write_text(catalog: Catalog, out: TextIO) -> None:
    for line in text_lines(catalog):
        out.write(line + "\n")
