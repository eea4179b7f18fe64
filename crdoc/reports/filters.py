"""Choosing what a reference documents: the ``include``/``exclude`` globs of a settings file
(API groups, kinds, versions, fields), applied after the annotations matched the whole catalog."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from fnmatch import fnmatchcase
from typing import NamedTuple

from crdoc.model import Catalog, Field, Version


class Filters(NamedTuple):
    """Globs choosing parts of a catalog: API groups, kinds and version names
    (:func:`fnmatch.fnmatchcase`), and field paths (``*`` one segment, ``**`` any number)."""

    groups: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    versions: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.groups or self.kinds or self.versions or self.fields)


#: Keys of an ``include``/``exclude`` mapping.
FILTER_KEYS = Filters._fields


def filter_catalog(
    catalog: Catalog, include: Filters | None = None, exclude: Filters | None = None
) -> Catalog:
    """The catalog with only what ``include`` names (an empty list names everything) and
    without what ``exclude`` names.

    A CRD goes when its group or kind is left out, or all its versions are (field filters never
    remove a CRD or version, only fields). A field is kept when
    it or one of its ancestors matches an include pattern, or it is the ancestor of a kept
    field, and neither it nor any ancestor matches an exclude pattern: a dropped field's
    children go with it, and every kept field keeps its parent. ``Version.fields`` and the
    parents' ``children`` are rebuilt to match. Filter after :func:`~crdoc.reports.annotations.
    annotations_for` (annotations name fields of the whole catalog)."""
    include = include or Filters()
    exclude = exclude or Filters()
    crds = []
    for crd in catalog.crds:
        if not _chosen(crd.group, include.groups, exclude.groups):
            continue
        if not _chosen(crd.kind, include.kinds, exclude.kinds):
            continue
        versions = tuple(
            _filter_fields(version, include.fields, exclude.fields)
            for version in crd.versions
            if _chosen(version.name, include.versions, exclude.versions)
        )
        if versions:
            crds.append(crd if versions == crd.versions else replace(crd, versions=versions))
    return replace(catalog, crds=tuple(crds))


def _chosen(name: str, include: tuple[str, ...], exclude: tuple[str, ...]) -> bool:
    if include and not any(fnmatchcase(name, glob) for glob in include):
        return False
    return not any(fnmatchcase(name, glob) for glob in exclude)


def _filter_fields(version: Version, include: tuple[str, ...], exclude: tuple[str, ...]) -> Version:
    if not include and not exclude:
        return version
    # Here: crdoc.options imports this module at start-up, the annotations only filters need.
    from crdoc.reports.annotations import compile_pattern

    included = [compile_pattern(p) for p in include]
    excluded = [compile_pattern(p) for p in exclude]

    def rebuild(item: Field, inside_included: bool) -> Field | None:
        if any(test(item.path) for test in excluded):
            return None
        chosen = inside_included or any(test(item.path) for test in included)
        children = tuple(
            child for child in (rebuild(c, chosen) for c in item.children) if child is not None
        )
        if not chosen and not children:
            return None
        return item if children == item.children else replace(item, children=children)

    roots = [root for root in (rebuild(r, not include) for r in version.roots) if root]
    kept = tuple(_depth_first(roots))
    return version if kept == version.fields else replace(version, fields=kept)


def _depth_first(items: Iterable[Field]) -> Iterator[Field]:
    for item in items:
        yield item
        yield from _depth_first(item.children)
