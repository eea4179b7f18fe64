"""Maintainers' annotations: facts about an API that its CRD schemas cannot say.

An annotations file (``crdoc-annotations.yaml`` beside the chart) maps CRD keys to entries::

    alloydbomni.internal.dbadmin.goog/*:        # every CRD of a group
      status: internal
      reason: Used by the operator itself; not for users.
    alloydbomni.dbadmin.goog/BackupPlan:        # one CRD, by group/Kind or group/plural
      status: experimental                      # optional: the whole CRD
      fields:                                   # in every version
        spec.backupLocation.gcsOptions: {status: cloud-only, reason: "..."}
      versions:
        v1:
          status: deprecated                    # optional: the whole version
          fields:                               # in this version only
            spec.paused: {note: "..."}

An annotation has a ``status`` (one of :data:`STATUSES`; optional when a ``note`` is given), a
``reason``, a ``note`` (any language), ``see`` (an http(s) URL), and ``since``/``until``
(operator releases, kept as written). Field keys are dotted paths as in the model; ``*`` matches
exactly one segment and ``**`` any number of segments, none included. An annotation applies only
to the fields it matches, never to their children.

:func:`load_annotations` checks the file's shape; :meth:`AnnotationSet.resolve` checks its keys
against a catalog. Both collect every problem and raise them together as ``file:line: message``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from yaml.nodes import MappingNode, Node, ScalarNode

from crdoc.errors import CrdocError, did_you_mean, raise_collected
from crdoc.loading.sources import DEFAULT_ANNOTATIONS as DEFAULT_FILENAME
from crdoc.loading.sources import find_default_annotations
from crdoc.loading.yamlio import compose_file, decode
from crdoc.model import STATUSES, Catalog, Crd, Field, Version

#: The status of a free-form field (:func:`derived_annotation`): derived from the schema, never
#: written in an annotations file.
UNCHECKED = "unchecked"

_ANNOTATION_KEYS = ("status", "reason", "note", "see", "since", "until")
_ENTRY_KEYS = (*_ANNOTATION_KEYS, "fields", "versions")
_VERSION_KEYS = (*_ANNOTATION_KEYS, "fields")
# With a status, these come from the same annotation as the status (see Annotation.over).
_STATUS_FACTS = ("status", "reason", "see", "since", "until")
_URL = re.compile(r"^https?://[^\s/]+\S*$")


@dataclass(frozen=True, slots=True, kw_only=True)
class Annotation:
    """What a maintainer says about a CRD, a version or a field."""

    status: str | None = None
    """One of :data:`STATUSES` (or :data:`UNCHECKED` when derived), ``None`` for a note only."""
    reason: str | None = None
    note: str | None = None
    see: str | None = None
    """An http(s) URL."""
    since: str | None = None
    until: str | None = None
    source_line: int | None = None
    """The 1-based line in the annotations file (``None`` when derived from the schema)."""

    def over(self, general: Annotation | None) -> Annotation:
        """This (more specific) annotation completed by a more general one.

        When this one gives a status, its status, reason, see, since and until are kept
        together (a general reason never explains a specific status); otherwise they come from
        ``general``. ``note`` is this one's, or else the general one's.
        """
        if general is None:
            return self
        if self.status is not None:
            return self if self.note is not None else replace(self, note=general.note)
        values = {name: getattr(general, name) for name in _STATUS_FACTS}
        values["note"] = self.note if self.note is not None else general.note
        return Annotation(**values, source_line=self.source_line)


@dataclass(frozen=True, slots=True)
class _FieldEntry:
    pattern: str
    annotation: Annotation
    line: int


@dataclass(frozen=True, slots=True)
class _VersionEntry:
    name: str
    annotation: Annotation | None
    fields: tuple[_FieldEntry, ...]
    line: int


@dataclass(frozen=True, slots=True)
class _Entry:
    key: str
    annotation: Annotation | None
    fields: tuple[_FieldEntry, ...]
    versions: tuple[_VersionEntry, ...]
    line: int


# --------------------------------------------------------------------------- path patterns


def split_pattern(pattern: str) -> tuple[str, ...]:
    """The segments of a dotted path pattern (``ValueError`` for an empty segment)."""
    parts = tuple(pattern.split("."))
    if not pattern or any(not part for part in parts):
        raise ValueError(f"empty path segment in {pattern!r}")
    return parts


@lru_cache(maxsize=4096)
def compile_pattern(pattern: str) -> Callable[[str], bool]:
    """A test of field paths against ``pattern``: ``*`` is one segment, ``**`` zero or more."""
    parts = split_pattern(pattern)
    if "*" not in pattern:
        return lambda path: path == pattern

    def matches(path: str) -> bool:
        return _match(parts, tuple(path.split(".")))

    return matches


def path_matches(pattern: str, path: str) -> bool:
    """Whether the field ``path`` matches the dotted glob ``pattern``."""
    return compile_pattern(pattern)(path)


def _match(parts: tuple[str, ...], segments: tuple[str, ...]) -> bool:
    # Positions in `segments` reachable after each pattern part (a set: linear per part).
    reachable = {0}
    for part in parts:
        following: set[int] = set()
        for position in reachable:
            if part == "**":
                following.update(range(position, len(segments) + 1))
            elif position < len(segments) and part in ("*", segments[position]):
                following.add(position + 1)
        if not following:
            return False
        reachable = following
    return len(segments) in reachable


# --------------------------------------------------------------------------- loading


@dataclass(frozen=True, slots=True)
class AnnotationSet:
    """An annotations file, checked for shape but not yet matched against a catalog."""

    path: str
    """The file, as messages name it."""
    entries: tuple[_Entry, ...] = ()

    def resolve(self, catalog: Catalog) -> ResolvedAnnotations:
        """Match every key against ``catalog``. A CRD key, version or field pattern that
        matches nothing is an error naming the line and the nearest existing names."""
        errors: list[CrdocError] = []
        crd_level: dict[str, list[tuple[bool, Annotation]]] = {}
        version_level: dict[tuple[str, str], list[Annotation]] = {}
        all_versions: dict[tuple[str, str], list[tuple[bool, Annotation]]] = {}
        one_version: dict[tuple[str, str, str], list[tuple[bool, Annotation]]] = {}

        for entry in self.entries:
            targets = self._targets(entry, catalog, errors)
            if not targets:
                continue
            if entry.annotation is not None:
                # A CRD's own entry is more specific than its group's.
                specific = not entry.key.endswith("/*")
                for crd in targets:
                    crd_level.setdefault(crd.key, []).append((specific, entry.annotation))
            label = targets[0].key if len(targets) == 1 else entry.key
            pairs = [(crd, version) for crd in targets for version in crd.versions]
            for item in entry.fields:
                matched = self._match_fields(item, pairs, label, errors)
                for crd, _version, path in matched:
                    all_versions.setdefault((crd.key, path), []).append(
                        ("*" not in item.pattern, item.annotation)
                    )
            for version_entry in entry.versions:
                chosen = [(c, v) for c, v in pairs if v.name == version_entry.name]
                if not chosen:
                    names = sorted({v.name for _, v in pairs})
                    errors.append(
                        self._error(
                            f"no version {version_entry.name!r} in {label}"
                            + did_you_mean(version_entry.name, names, always=True),
                            version_entry.line,
                        )
                    )
                    continue
                if version_entry.annotation is not None:
                    for crd, version in chosen:
                        version_level.setdefault((crd.key, version.name), []).append(
                            version_entry.annotation
                        )
                for item in version_entry.fields:
                    where = f"{label} {version_entry.name}"
                    for crd, version, path in self._match_fields(item, chosen, where, errors):
                        one_version.setdefault((crd.key, version.name, path), []).append(
                            ("*" not in item.pattern, item.annotation)
                        )
        raise_collected(errors)
        return ResolvedAnnotations(
            crds=_freeze_ranked(crd_level),
            versions=_freeze(version_level),
            fields_all=_freeze_ranked(all_versions),
            fields_one=_freeze_ranked(one_version),
        )

    def _targets(self, entry: _Entry, catalog: Catalog, errors: list[CrdocError]) -> list[Crd]:
        group, _, name = entry.key.partition("/")
        if name == "*":
            found = [crd for crd in catalog.crds if crd.group == group]
        else:
            found = [
                crd for crd in catalog.crds if crd.group == group and name in (crd.kind, crd.plural)
            ]
        if not found:
            candidates = sorted(
                {f"{crd.group}/{n}" for crd in catalog.crds for n in (crd.kind, crd.plural, "*")}
            )
            errors.append(
                self._error(
                    f"no CRD matches {entry.key!r}" + did_you_mean(entry.key, candidates),
                    entry.line,
                )
            )
        return found

    def _match_fields(
        self,
        item: _FieldEntry,
        pairs: list[tuple[Crd, Version]],
        label: str,
        errors: list[CrdocError],
    ) -> list[tuple[Crd, Version, str]]:
        test = compile_pattern(item.pattern)
        matched = [(crd, v, f.path) for crd, v in pairs for f in v.fields if test(f.path)]
        if not matched:
            paths = list(dict.fromkeys(f.path for _, v in pairs for f in v.fields))
            errors.append(
                self._error(
                    f"no field matches {item.pattern!r} in {label}"
                    + did_you_mean(item.pattern, paths),
                    item.line,
                )
            )
        return matched

    def _error(self, message: str, line: int | None) -> CrdocError:
        return CrdocError(message, path=self.path, line=line)


def load_annotations(path: Path) -> AnnotationSet:
    """Read and check an annotations file. Every problem (YAML syntax, wrong shapes, unknown
    keys or statuses, a ``see`` that is not an http(s) URL …) is collected and raised once as
    :class:`CrdocError` naming the file and line."""
    where = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise CrdocError(f"cannot read annotations: {exc.strerror}", path=where) from None
    return parse_annotations(decode(data, where), where)


def parse_annotations(text: str, where: str) -> AnnotationSet:
    """Check annotations given as text; ``where`` names them in messages."""
    root, _ = compose_file(text, where)
    if root is None:
        return AnnotationSet(where)
    parser = _Parser(where)
    entries = tuple(parser.entries(root))
    raise_collected(parser.errors)
    return AnnotationSet(where, entries)


class _Parser:
    """Walks the composed node tree, keeping line numbers and collecting problems."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.errors: list[CrdocError] = []

    def fail(self, message: str, node: Node) -> None:
        self.errors.append(CrdocError(message, path=self.where, line=node.start_mark.line + 1))

    def mapping(self, node: Node, what: str) -> Iterator[tuple[str, Node, Node]]:
        """The (key, key node, value node) pairs of a mapping; other shapes are reported."""
        if not isinstance(node, MappingNode):
            self.fail(f"{what} must be a mapping, not {_shape(node)}", node)
            return
        seen: set[str] = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or not key_node.value:
                self.fail(f"keys of {what} must be non-empty strings", key_node)
                continue
            if key_node.value in seen:
                self.fail(f"duplicate key {key_node.value!r}", key_node)
                continue
            seen.add(key_node.value)
            yield key_node.value, key_node, value_node

    def entries(self, root: Node) -> Iterator[_Entry]:
        for key, key_node, value in self.mapping(root, "the annotations file"):
            group, slash, name = key.partition("/")
            if not slash or not group or not name or "/" in name:
                self.fail(
                    f"{key!r} is not a CRD key: use group/Kind, group/plural or group/*", key_node
                )
                continue
            line = key_node.start_mark.line + 1
            parts = self.parts(value, f"entry {key!r}", _ENTRY_KEYS)
            annotation = self.annotation(parts, value, entry=True)
            fields_ = self.fields(parts["fields"]) if "fields" in parts else ()
            versions = self.versions(parts["versions"]) if "versions" in parts else ()
            yield _Entry(key, annotation, fields_, versions, line)

    def parts(self, node: Node, what: str, allowed: tuple[str, ...]) -> dict[str, Node]:
        found: dict[str, Node] = {}
        for key, key_node, value in self.mapping(node, what):
            if key in allowed:
                found[key] = value
            else:
                self.fail(
                    f"unknown key {key!r} in {what}" + did_you_mean(key, allowed, always=True),
                    key_node,
                )
        return found

    def annotation(self, parts: dict[str, Node], node: Node, *, entry: bool) -> Annotation | None:
        values: dict[str, str] = {}
        for name in _ANNOTATION_KEYS:
            if name in parts:
                text = self.text(parts[name], name)
                if text is not None:
                    values[name] = text
        status = values.get("status")
        if status is not None and status not in STATUSES:
            self.fail(
                f"unknown status {status!r}" + did_you_mean(status, STATUSES, always=True),
                parts["status"],
            )
        see = values.get("see")
        if see is not None and not _URL.match(see):
            self.fail(f"'see' must be an http(s) URL, not {see!r}", parts["see"])
        given = [name for name in _ANNOTATION_KEYS if name in parts]
        if not given:
            if not entry:
                self.fail("an annotation needs a status or a note", node)
            return None
        if "status" not in parts and "note" not in parts:
            self.fail(f"{given[0]!r} without a status or a note", parts[given[0]])
        return Annotation(**values, source_line=node.start_mark.line + 1)

    def text(self, node: Node, name: str) -> str | None:
        # Scalars are kept as written: `since: 1.10` stays "1.10", never the float 1.1.
        if not isinstance(node, ScalarNode) or node.tag == "tag:yaml.org,2002:null":
            self.fail(f"{name!r} must be a string, not {_shape(node)}", node)
            return None
        if not node.value.strip():
            self.fail(f"{name!r} is empty", node)
            return None
        text: str = node.value
        return text

    def fields(self, node: Node) -> tuple[_FieldEntry, ...]:
        found = []
        for pattern, key_node, value in self.mapping(node, "'fields'"):
            try:
                split_pattern(pattern)
            except ValueError as exc:
                self.fail(str(exc), key_node)
                continue
            parts = self.parts(value, f"field {pattern!r}", _ANNOTATION_KEYS)
            annotation = self.annotation(parts, value, entry=False)
            if annotation is not None:
                line = key_node.start_mark.line + 1
                found.append(_FieldEntry(pattern, replace(annotation, source_line=line), line))
        return tuple(found)

    def versions(self, node: Node) -> tuple[_VersionEntry, ...]:
        found = []
        for name, key_node, value in self.mapping(node, "'versions'"):
            parts = self.parts(value, f"version {name!r}", _VERSION_KEYS)
            annotation = self.annotation(parts, value, entry=True)
            fields_ = self.fields(parts["fields"]) if "fields" in parts else ()
            found.append(_VersionEntry(name, annotation, fields_, key_node.start_mark.line + 1))
        return tuple(found)


def _shape(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, ScalarNode):
        return "nothing" if node.tag == "tag:yaml.org,2002:null" else f"{node.value!r}"
    return "a list"


# --------------------------------------------------------------------------- resolved


_Key = TypeVar("_Key", bound=Hashable)


def _freeze(table: dict[_Key, list[Annotation]]) -> Mapping[_Key, Annotation]:
    return {key: _combine(values) for key, values in table.items()}


def _freeze_ranked(
    table: dict[_Key, list[tuple[bool, Annotation]]],
) -> Mapping[_Key, Annotation]:
    # Exact paths before globs; file order within each (sort is stable).
    return {
        key: _combine([a for _, a in sorted(values, key=lambda pair: not pair[0])])
        for key, values in table.items()
    }


def _combine(annotations: list[Annotation]) -> Annotation:
    """The first (most specific) annotation completed by the others, in order."""
    result = annotations[0]
    for general in annotations[1:]:
        result = result.over(general)
    return result


@dataclass(frozen=True, slots=True, kw_only=True)
class ResolvedAnnotations:
    """Annotations matched against one catalog: ask per CRD, version or field.

    Where several entries match one thing, a CRD's own entry beats its group's, a
    version-specific field entry beats an all-versions one, an exact path beats a glob, and an
    earlier entry beats a later one; the others complete it as :meth:`Annotation.over` says.
    """

    crds: Mapping[str, Annotation] = field(default_factory=dict)
    """CRD key → group- or CRD-level annotation."""
    versions: Mapping[tuple[str, str], Annotation] = field(default_factory=dict)
    """(CRD key, version) → version-level annotation."""
    fields_all: Mapping[tuple[str, str], Annotation] = field(default_factory=dict)
    """(CRD key, path) → annotation for every version."""
    fields_one: Mapping[tuple[str, str, str], Annotation] = field(default_factory=dict)
    """(CRD key, version, path) → annotation for one version."""

    def for_crd(self, crd: Crd) -> Annotation | None:
        """The annotation of the whole CRD (its own entry, or its group's)."""
        return self.crds.get(crd.key)

    def for_version(self, crd: Crd, version: Version) -> Annotation | None:
        """The annotation of one version as a whole."""
        return self.versions.get((crd.key, version.name))

    def for_field(self, crd: Crd, version: Version, field: Field) -> Annotation | None:
        """The field's annotation: the version-specific entry completed by the all-versions one."""
        specific = self.fields_one.get((crd.key, version.name, field.path))
        general = self.fields_all.get((crd.key, field.path))
        if specific is None:
            return general
        return specific.over(general)

    def is_hidden(self, crd: Crd, hide: set[str] | frozenset[str]) -> bool:
        """Whether the CRD's status is one of ``hide`` (e.g. ``{"internal"}``)."""
        annotation = self.for_crd(crd)
        return annotation is not None and annotation.status in hide

    def visible(self, catalog: Catalog, hide: Iterable[str]) -> Catalog:
        """The catalog without the CRDs whose status is one of ``hide`` (``--hide internal``)."""
        hidden = frozenset(hide)
        if not hidden:
            return catalog
        return replace(
            catalog, crds=tuple(c for c in catalog.crds if not self.is_hidden(c, hidden))
        )

    def page_annotations(self, crd: Crd, version: Version) -> dict[str, Annotation]:
        """Field path → what a page shows beside the field: the maintainers' annotation, or
        a status the schema implies ("Deprecated …" descriptions, free-form fields)."""
        found = {}
        for item in version.fields:
            annotation = self.for_field(crd, version, item)
            if annotation is None or annotation.status is None:
                derived = derived_annotation(item)
                if derived is not None:
                    annotation = derived if annotation is None else annotation.over(derived)
            if annotation is not None:
                found[item.path] = annotation
        return found


def derived_annotation(item: Field) -> Annotation | None:
    """What the schema says of a field itself: deprecated ("Deprecated …" descriptions), or
    unchecked (free-form: any content kept, nothing checked)."""
    if item.description.lstrip().lower().startswith("deprecated"):
        first = item.description.strip().splitlines()[0].strip()
        return Annotation(status="deprecated", reason=f"The schema says: {first}")
    if item.is_free_form:
        return Annotation(
            status=UNCHECKED,
            reason="Free-form: any content is accepted and kept, but the schema checks none of it.",
        )
    return None


def empty_annotations() -> ResolvedAnnotations:
    """Resolved annotations with no entries (known limitations then come from the schema)."""
    return ResolvedAnnotations()


# --------------------------------------------------------------------------- finding the file


def annotations_for(
    source: str, path: Path | None, catalog: Catalog, *, use_default: bool = True
) -> ResolvedAnnotations:
    """The annotations of a source: ``path`` if given, else ``crdoc-annotations.yaml`` beside
    the chart (with ``use_default``), matched against ``catalog``; none when there is no file."""
    if path is None and use_default:
        path = find_default_annotations(source)
    if path is None:
        return empty_annotations()
    return load_annotations(path).resolve(catalog)


__all__ = [
    "DEFAULT_FILENAME",
    "STATUSES",
    "UNCHECKED",
    "Annotation",
    "annotations_for",
    "AnnotationSet",
    "derived_annotation",
    "ResolvedAnnotations",
    "compile_pattern",
    "empty_annotations",
    "find_default_annotations",
    "load_annotations",
    "parse_annotations",
    "path_matches",
]
