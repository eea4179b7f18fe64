"""Known limitations: what the maintainers say does not work, works only somewhere or is going
away (statuses ``non-functional``, ``cloud-only``, ``deprecated``), and what the schemas say
themselves: deprecated versions, fields described as deprecated, free-form fields nothing checks.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

from crdoc.model import Catalog, Crd, Field, Version
from crdoc.reports.annotations import Annotation, ResolvedAnnotations, derived_annotation

#: Statuses listed as known limitations.
LIMITATION_STATUSES = frozenset({"non-functional", "cloud-only", "deprecated"})


class Limitation(NamedTuple):
    """One known limitation: an annotation (or a schema fact) of a CRD, version or field."""

    crd: Crd
    version: Version | None
    """``None``: every version of the CRD."""
    field: Field | None
    """``None``: the whole CRD or version."""
    annotation: Annotation
    origin: str
    """``"annotations"`` (the maintainers' file) or ``"schema"`` (derived from the CRD)."""


def known_limitations(catalog: Catalog, annotations: ResolvedAnnotations) -> list[Limitation]:
    """Non-functional, cloud-only and deprecated CRDs, versions and fields, in catalog order,
    plus what the schema says itself: deprecated versions, fields whose description starts with
    "Deprecated", and free-form fields (accepted but unchecked, status
    :data:`~crdoc.reports.annotations.UNCHECKED`). An annotated field is not listed again from
    its schema."""
    found: list[Limitation] = []
    for crd in catalog.crds:
        annotation = annotations.for_crd(crd)
        if annotation is not None and annotation.status in LIMITATION_STATUSES:
            found.append(Limitation(crd, None, None, annotation, "annotations"))
        for version in crd.versions:
            found.extend(_version_limitations(annotations, crd, version))
    return found


def _version_limitations(
    annotations: ResolvedAnnotations, crd: Crd, version: Version
) -> Iterator[Limitation]:
    annotation = annotations.for_version(crd, version)
    if annotation is not None and annotation.status in LIMITATION_STATUSES:
        yield Limitation(crd, version, None, annotation, "annotations")
    elif version.deprecated:
        reason = version.deprecation_warning or (
            f"Version {version.name} is marked deprecated in the CRD."
        )
        yield Limitation(
            crd, version, None, Annotation(status="deprecated", reason=reason), "schema"
        )
    for item in version.fields:
        annotation = annotations.for_field(crd, version, item)
        if annotation is not None and annotation.status is not None:
            if annotation.status in LIMITATION_STATUSES:
                yield Limitation(crd, version, item, annotation, "annotations")
            continue
        derived = derived_annotation(item)
        if derived is not None:
            yield Limitation(crd, version, item, derived, "schema")


def limitation_data(item: Limitation) -> dict[str, Any]:
    """One limitation as JSON-ready data."""
    return {
        "crd": item.crd.key,
        "version": item.version.name if item.version else None,
        "field": item.field.path if item.field else None,
        "status": item.annotation.status,
        "reason": item.annotation.reason,
        "origin": item.origin,
    }


def limitation_lines(items: Sequence[Limitation]) -> Iterator[str]:
    """The limitations as text lines for a terminal (none when there are none)."""
    if not items:
        return
    yield f"known limitations: {len(items)}"
    for item in items:
        where = item.field.path if item.field else "(whole CRD or version)"
        version = item.version.name if item.version else "*"
        yield f"    {item.annotation.status}: {item.crd.key} {version} {where}"
