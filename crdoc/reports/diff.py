"""What changed between two catalogs (two releases of a chart), and which changes break users.

:func:`diff_catalogs` compares CRD by CRD (by key ``group/plural``), version by version (by
name) and field by field (by path), keyword by keyword. Every :class:`Change` says whether it
is *breaking*: whether a manifest or client that worked against the old CRDs may fail against
the new ones (removed CRDs, versions and fields; new required fields; narrowed enums; tightened
validation; type changes; a new storage version; a version no longer served). Renames are a
removal and an addition: nothing is guessed.

The rules follow the Kubernetes API conventions ("Changing the API", sig-architecture's
api_changes.md): a call that succeeded must still succeed, and what is stored must keep its
meaning. So besides validation that tightens, a default changed, removed or added to an
existing field is breaking (objects that left the field out change meaning on their next
write), while a new field with a default, even a required one, is not (the API server fills it
in). docs/diff.md lists every rule.

The reports of a diff (a terminal's text, JSON, the Markdown of release notes) are worded by
:mod:`crdoc.render.changes`; all say what breaking means (:data:`BREAKING_MEANS`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from crdoc.keywords import INFORMATIONAL, LOGICAL, LOWER_BOUNDS, UPPER_BOUNDS
from crdoc.model import Catalog, Crd, Field, Version

#: What a breaking change is, as every report explains it.
BREAKING_MEANS = (
    "a manifest, stored object or client that worked with the old CRDs may fail, "
    "or change meaning, with the new ones"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    """One difference between the old and the new catalog."""

    kind: str
    """What changed: ``crd-removed``, ``field-added``, ``enum-narrowed``, ``minimum-changed`` …"""
    breaking: bool
    """Whether something that worked against the old CRDs may fail against the new ones."""
    crd: str
    """The CRD's key, ``group/plural``."""
    version: str | None = None
    """The version name (``None`` for a change to the whole CRD)."""
    path: str | None = None
    """The field path (``""`` for the version's root schema, ``None`` above field level)."""
    keyword: str | None = None
    """The schema keyword that changed (``items.`` before an array's item keywords)."""
    old: Any = None
    """The old value (``None`` when absent)."""
    new: Any = None
    """The new value (``None`` when absent)."""
    added: tuple[Any, ...] = ()
    """Members added (enum values, CEL rules)."""
    removed: tuple[Any, ...] = ()
    """Members removed (enum values, CEL rules)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CrdDiff:
    """The changes to one CRD, in a stable order: the CRD's own, then version by version."""

    key: str
    kind: str
    changes: tuple[Change, ...]

    @property
    def breaking(self) -> tuple[Change, ...]:
        """The breaking changes."""
        return tuple(c for c in self.changes if c.breaking)


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiDiff:
    """Every change between two catalogs, CRDs sorted by group then plural."""

    old_source: str
    new_source: str
    crds: tuple[CrdDiff, ...] = ()
    """Only the CRDs with changes."""

    @property
    def changes(self) -> tuple[Change, ...]:
        """Every change, CRD by CRD."""
        return tuple(c for crd in self.crds for c in crd.changes)

    @property
    def breaking(self) -> tuple[Change, ...]:
        """The breaking changes."""
        return tuple(c for c in self.changes if c.breaking)

    @property
    def non_breaking(self) -> tuple[Change, ...]:
        """The changes that break nothing."""
        return tuple(c for c in self.changes if not c.breaking)

    @property
    def is_empty(self) -> bool:
        """Whether the catalogs describe the same API."""
        return not self.crds


def has_breaking(diff: ApiDiff) -> bool:
    """Whether any change in ``diff`` is breaking."""
    return any(c.breaking for crd in diff.crds for c in crd.changes)


# --------------------------------------------------------------------------------------------
# Comparing


def diff_catalogs(old: Catalog, new: Catalog) -> ApiDiff:
    """Every change from ``old`` to ``new``, in a deterministic order."""
    old_crds = {crd.key: crd for crd in old.crds}
    new_crds = {crd.key: crd for crd in new.crds}
    keys = sorted(old_crds.keys() | new_crds.keys(), key=lambda k: tuple(k.split("/", 1)))
    crds = []
    for key in keys:
        before, after = old_crds.get(key), new_crds.get(key)
        if before is None:
            changes: list[Change] = [Change(kind="crd-added", breaking=False, crd=key)]
        elif after is None:
            changes = [Change(kind="crd-removed", breaking=True, crd=key)]
        else:
            changes = list(_crd_changes(before, after))
        if changes:
            kind = (after or before).kind  # type: ignore[union-attr]
            crds.append(CrdDiff(key=key, kind=kind, changes=tuple(changes)))
    return ApiDiff(old_source=old.source, new_source=new.source, crds=tuple(crds))


def _crd_changes(old: Crd, new: Crd) -> Iterator[Change]:
    key = old.key
    if old.kind != new.kind:
        yield Change(kind="kind-changed", breaking=True, crd=key, old=old.kind, new=new.kind)
    if old.scope != new.scope:
        yield Change(kind="scope-changed", breaking=True, crd=key, old=old.scope, new=new.scope)
    if old.short_names != new.short_names:
        gone = tuple(n for n in old.short_names if n not in new.short_names)
        came = tuple(n for n in new.short_names if n not in old.short_names)
        if gone or came:
            yield Change(
                kind="short-names-changed", breaking=False, crd=key, added=came, removed=gone
            )
    before, after = old.storage_version, new.storage_version
    if before is not None and after is not None and before.name != after.name:
        yield Change(
            kind="storage-version-changed", breaking=True, crd=key, old=before.name, new=after.name
        )
    old_versions = {v.name: v for v in old.versions}
    new_versions = {v.name: v for v in new.versions}
    for version in new.versions:
        if version.name not in old_versions:
            yield Change(kind="version-added", breaking=False, crd=key, version=version.name)
    for version in old.versions:
        if version.name not in new_versions:
            yield Change(kind="version-removed", breaking=True, crd=key, version=version.name)
    for version in new.versions:
        if version.name in old_versions:
            yield from _version_changes(key, old_versions[version.name], version)


def _version_changes(key: str, old: Version, new: Version) -> Iterator[Change]:
    name = new.name

    def change(kind: str, breaking: bool, **values: Any) -> Change:
        return Change(kind=kind, breaking=breaking, crd=key, version=name, **values)

    if old.served != new.served:
        yield change("version-served" if new.served else "version-unserved", not new.served)
    if old.deprecated != new.deprecated:
        yield change("version-deprecated" if new.deprecated else "version-undeprecated", False)
    if old.deprecation_warning != new.deprecation_warning and new.deprecated:
        yield change(
            "deprecation-warning-changed",
            False,
            old=old.deprecation_warning,
            new=new.deprecation_warning,
        )
    old_subresources = dict(old.subresources or {})
    new_subresources = dict(new.subresources or {})
    for sub in sorted(old_subresources.keys() | new_subresources.keys()):
        if sub not in old_subresources:
            yield change("subresource-added", False, keyword=sub, new=new_subresources[sub])
        elif sub not in new_subresources:
            yield change("subresource-removed", True, keyword=sub, old=old_subresources[sub])
        elif old_subresources[sub] != new_subresources[sub]:
            before, after = old_subresources[sub], new_subresources[sub]
            # Only a setting added (a scale labelSelectorPath, say) takes nothing away.
            kept = (
                isinstance(before, Mapping)
                and isinstance(after, Mapping)
                and all(after.get(k) == v for k, v in before.items())
            )
            yield change(
                "subresource-changed",
                not kept,
                keyword=sub,
                old=old_subresources[sub],
                new=new_subresources[sub],
            )
    if old.printer_columns != new.printer_columns:
        yield change("printer-columns-changed", False)
    if old.schema is not None or new.schema is not None:
        for kind, breaking, values in _facts_changes(old.schema or {}, new.schema or {}):
            yield change(kind, breaking, path="", **values)
    yield from _field_changes(key, name, old.fields, new.fields)


def _field_changes(
    key: str, version: str, old: tuple[Field, ...], new: tuple[Field, ...]
) -> Iterator[Change]:
    old_fields = {f.path: f for f in old}
    new_fields = {f.path: f for f in new}

    def always_there(path: str | None) -> bool:
        """Whether every old manifest's object at ``path`` exists once the API server has
        defaulted it: the root, an old field (where given), or a new one with a default under
        such an object."""
        if path is None or path in old_fields:
            return True
        field = new_fields.get(path)
        return field is not None and field.has_default and always_there(field.parent_path)

    for path in _merged_order(old, new):
        before, after = old_fields.get(path), new_fields.get(path)
        here: dict[str, Any] = {"crd": key, "version": version, "path": path}
        if before is None:
            assert after is not None
            # A required field under an existing object: old manifests lack it. Under a new
            # (optional) object it is only required once that object is given; with a default
            # the API server fills it in.
            breaking = after.required and not after.has_default and always_there(after.parent_path)
            yield Change(kind="field-added", breaking=breaking, new=after.type_label, **here)
        elif after is None:
            yield Change(kind="field-removed", breaking=True, old=before.type_label, **here)
        else:
            if before.required != after.required:
                kind = "field-required" if after.required else "field-optional"
                # A field that became required breaks manifests without it, unless the API
                # server fills it in.
                breaking = after.required and not after.has_default
                yield Change(kind=kind, breaking=breaking, **here)
            for kind, breaking, values in _facts_changes(before.facts, after.facts):
                yield Change(kind=kind, breaking=breaking, **here, **values)


def _merged_order(old: tuple[Field, ...], new: tuple[Field, ...]) -> list[str]:
    """Every path of both, in the new order; a removed field follows its old predecessor."""
    order = [f.path for f in new]
    present = set(order)
    after: dict[str | None, list[str]] = {}
    previous: str | None = None
    for field in old:
        if field.path in present:
            previous = field.path
        else:
            after.setdefault(previous, []).append(field.path)
    merged = list(after.get(None, []))
    for path in order:
        merged.append(path)
        merged.extend(after.get(path, []))
    return merged


# Bounds: (keyword, the sense in which a larger value is tighter).
# Format changes that accept more values than before (anything else new is tighter).
_WIDER_FORMATS = {("int32", "int64"), ("float", "double")}


def _facts_changes(
    old: Mapping[str, Any], new: Mapping[str, Any], prefix: str = ""
) -> Iterator[tuple[str, bool, dict[str, Any]]]:
    """``(kind, breaking, Change fields)`` for every keyword that differs, in keyword order."""
    keys = list(old) + [k for k in new if k not in old]
    for keyword in keys:
        missing = object()
        before, after = old.get(keyword, missing), new.get(keyword, missing)
        if before == after:
            continue
        name = prefix + keyword
        if keyword == "items" and isinstance(before, Mapping) and isinstance(after, Mapping):
            yield from _facts_changes(before, after, name + ".")
            continue
        values: dict[str, Any] = {
            "keyword": name,
            "old": None if before is missing else before,
            "new": None if after is missing else after,
        }
        kind, breaking = _classify(
            keyword, None if before is missing else before, None if after is missing else after
        )
        if keyword == "enum":
            old_values = before if isinstance(before, list) else []
            new_values = after if isinstance(after, list) else []
            values["added"] = tuple(v for v in new_values if v not in old_values)
            values["removed"] = tuple(v for v in old_values if v not in new_values)
        elif keyword == "x-kubernetes-validations":
            old_rules = _rules(before)
            new_rules = _rules(after)
            values["added"] = tuple(r for r in new_rules if r not in old_rules)
            values["removed"] = tuple(r for r in old_rules if r not in new_rules)
        yield kind, breaking, values


def _rules(value: Any) -> list[str]:
    if not isinstance(value, list):
        return []
    return [str(rule.get("rule")) for rule in value if isinstance(rule, Mapping)]


def _classify(keyword: str, old: Any, new: Any) -> tuple[str, bool]:
    """The change kind and whether it breaks, for one keyword going from ``old`` to ``new``
    (``None``: absent)."""
    if keyword in INFORMATIONAL:
        return f"{keyword}-changed", False
    if keyword == "default":
        # Defaults are applied when an object is read and written: objects that left the field
        # out take the new default (or none) on their next write, and change meaning.
        if old is None:
            return "default-added", True
        return ("default-removed" if new is None else "default-changed"), True
    if keyword == "type":
        return "type-changed", True
    if keyword == "enum":
        if old is None:
            return "enum-added", True
        if new is None:
            return "enum-removed", False
        narrowed = any(v not in new for v in old)
        widened = any(v not in old for v in new)
        if narrowed:
            return "enum-narrowed", True
        return ("enum-widened" if widened else "enum-reordered"), False
    if keyword in LOWER_BOUNDS or keyword in UPPER_BOUNDS:
        lower = keyword in LOWER_BOUNDS
        default = (-math.inf if keyword == "minimum" else 0) if lower else math.inf
        before, after = _number(old, default), _number(new, default)
        tighter = after > before if lower else after < before
        return f"{keyword}-changed", tighter
    if keyword in ("exclusiveMinimum", "exclusiveMaximum"):
        if isinstance(old, bool | None) and isinstance(new, bool | None):
            return f"{keyword}-changed", bool(new) and not old
        return f"{keyword}-changed", True  # numeric (JSON Schema style): treat as tightening
    if keyword == "pattern":
        return "pattern-changed", new is not None
    if keyword == "multipleOf":
        if new is None:
            return "multipleOf-changed", False
        try:
            looser = old is not None and float(old) % float(new) == 0
        except (TypeError, ValueError, ZeroDivisionError):
            looser = False
        return "multipleOf-changed", not looser
    if keyword == "format":
        return "format-changed", new is not None and (old, new) not in _WIDER_FORMATS
    if keyword == "nullable":
        return "nullable-changed", bool(old) and not new
    if keyword == "uniqueItems":
        return "uniqueItems-changed", bool(new) and not old
    if keyword == "additionalProperties":
        return "additionalProperties-changed", old is not False and new is False
    if keyword == "x-kubernetes-validations":
        added = any(r not in _rules(old) for r in _rules(new))
        if added:
            return "validation-rules-changed", True
        removed = any(r not in _rules(new) for r in _rules(old))
        return ("validation-rules-changed" if removed else "validation-messages-changed"), False
    if keyword in ("x-kubernetes-preserve-unknown-fields", "x-kubernetes-int-or-string"):
        return f"{keyword}-changed", bool(old) and not new
    if keyword == "x-kubernetes-embedded-resource":
        # Added: apiVersion and kind become required. Removed: apiVersion, kind and metadata
        # are no longer kept without being declared, and are dropped.
        return f"{keyword}-changed", True
    if keyword == "x-kubernetes-list-type":
        return f"{keyword}-changed", new in ("set", "map")
    if keyword == "x-kubernetes-list-map-keys":
        return f"{keyword}-changed", new is not None
    if keyword in LOGICAL:
        return f"{keyword}-changed", new is not None
    return f"{keyword}-changed", False


def _number(value: Any, default: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return default
    return float(value)


# --------------------------------------------------------------------------------------------
