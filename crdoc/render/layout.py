"""Where each page of a reference lives, worked out once (:class:`Layout`) for the renderer,
the site's navigation and every link between pages; and what a rendered page is."""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from crdoc.model import Crd, Field, Version, anchor_for
from crdoc.reports.types import RecoveredType, Types

if TYPE_CHECKING:
    from crdoc.pipeline import Reference

#: The page listing non-functional, cloud-only, deprecated and unchecked CRDs and fields.
LIMITATIONS_PAGE = "limitations.md"
#: The page listing what changed since an earlier release (``build --previous``).
CHANGES_PAGE = "changes.md"


@dataclass(frozen=True, slots=True)
class Page:
    """One rendered page: Markdown, or (``html``) the HTML of a site page's article."""

    path: str
    """Relative posix path of the page in the output (``.md``, whatever it holds)."""
    title: str
    text: str
    html: bool = False
    toc: tuple[tuple[int, str, str], ...] = ()
    """An HTML page's sections: (level, id, title), h2 and h3 only."""


@dataclass(frozen=True, slots=True)
class PageRef:
    """Where a CRD version's page lives, for links and navigation."""

    crd: Crd
    version: Version
    path: str


def version_page_path(crd: Crd, version: Version) -> str:
    """``{group}/{plural}-{version}.md``: kinds repeat across groups, plurals do not within one.
    Names come from the chart: anything but ``[A-Za-z0-9._-]`` (a ``/``, a leading dot) is
    replaced and the name's hash appended, so a page can never land outside the output folder
    nor on another CRD's page."""
    return f"{_segment(crd.group)}/{_segment(crd.plural)}-{_segment(version.name)}.md"


def _segment(name: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", name)
    if safe.startswith(".") or not safe:
        safe = "_" + safe[1:]
    if safe == name:
        return name
    # A changed name carries a hash of the original, so two names never share a page.
    return f"{safe}-{hashlib.sha256(name.encode()).hexdigest()[:8]}"


def page_id(path: str) -> str:
    """A page's name as an id: ``group/plural-v1.md`` → ``group-plural-v1``."""
    return path.removesuffix(".md").replace("/", "-")


def single_file_id(page: str, anchor: str) -> str:
    """The id of an anchor of ``page`` once every page is in one file: the page's name, then
    ``--`` and the anchor (the page's name alone for its top)."""
    name = page_id(page)
    return f"{name}--{anchor}" if anchor else name


#: The page of an API group listing the types its CRDs share.
TYPES_PAGE = "types.md"
#: From this many CRDs on, each API group gets a page listing its CRDs, and the index lists
#: the groups instead of every CRD (a fleet-sized index would be one enormous table).
GROUP_PAGES_FROM = 100


def group_page_path(group: str) -> str:
    """``{group}/index.md``: the page of an API group on a big reference."""
    return f"{_segment(group)}/index.md"


def types_page_path(group: str) -> str:
    """``{group}/types.md``: where the types several CRDs of a group share are documented."""
    return f"{_segment(group)}/{TYPES_PAGE}"


def type_anchor(slug: str, path: str = "") -> str:
    """The id of a type's section (``type-Container``), or of a field in it
    (``type-Container.securityContext.runAsUser``, ``path`` relative to the type)."""
    return anchor_for(f"type-{slug}.{path}" if path else f"type-{slug}")


@dataclass(frozen=True, slots=True)
class Unit:
    """What one part of a split page holds: a field and everything below it, or (for a field
    too big for one part) its line and a range of its children; or a type's section."""

    path: str | None = None
    """A field's path (relative to its type, in a type's section)."""
    children: tuple[int, int] | None = None
    """The range of the field's children in this part (``None``: all of them)."""
    type: str | None = None
    """A type's slug."""
    within: str | None = None
    """For a field of a type: the type's slug."""


@dataclass(frozen=True, slots=True)
class Part:
    """One file of a page split because it would be too big (GitHub renders up to ~400 KB)."""

    path: str
    units: tuple[Unit, ...]
    number: int
    """1 for the page's own file, which also holds its header."""


#: Estimated Markdown bytes a row costs besides its description and path (its line, anchor,
#: indentation): a page's size is estimated before rendering, so that every link can name the
#: part its target lands in.
_ROW_COST = 110
#: Parts are packed to this many estimated bytes (the limit is 400 KB; estimates are rough).
SPLIT_BYTES = 250_000


@dataclass(frozen=True, slots=True, kw_only=True)
class Layout:
    """The pages of one reference, where they live, and where each field is documented."""

    index: str
    """The index page (``index.md``, ``README.md`` on GitHub)."""
    refs: tuple[PageRef, ...]
    """One page per CRD version, in catalog order."""
    refs_of: Mapping[str, tuple[PageRef, ...]]
    """CRD key → the pages of its versions."""
    limitations: str | None = None
    """The known-limitations page, when there are any."""
    changes: str | None = None
    """The "Changes since" page, with an earlier release to compare with."""
    types: Types = field(default_factory=Types)
    """The recovered types (empty when the reference is rendered without them)."""
    type_home: Mapping[str, str] = field(default_factory=dict)
    """Type slug → the page its section is on."""
    types_pages: Mapping[str, str] = field(default_factory=dict)
    """API group → its types page (only groups with types several CRDs share)."""
    types_on: Mapping[str, tuple[RecoveredType, ...]] = field(default_factory=dict)
    """Page → the types documented on it, in the order of their first use."""
    group_pages: Mapping[str, str] = field(default_factory=dict)
    """API group → its page (big references only: see :data:`GROUP_PAGES_FROM`)."""
    parts: Mapping[str, tuple[Part, ...]] = field(default_factory=dict)
    """Page → its parts, for pages split in several files (GitHub Markdown only)."""
    part_of: Mapping[tuple[str, str, int], str] = field(default_factory=dict)
    """(page, field path, child index; -1 for the field's own line) → the file holding it."""

    @classmethod
    def of(
        cls,
        reference: Reference,
        *,
        index: str = "index.md",
        changes: bool = False,
        types: bool = True,
        split_bytes: int | None = None,
    ) -> Layout:
        """The layout of ``reference``'s pages (with its recovered types, unless ``types`` is
        false); with ``split_bytes``, pages estimated bigger are split in parts."""
        refs = tuple(
            PageRef(crd, version, version_page_path(crd, version))
            for crd in reference.catalog.crds
            for version in crd.versions
        )
        refs_of: dict[str, list[PageRef]] = {crd.key: [] for crd in reference.catalog.crds}
        for ref in refs:
            refs_of[ref.crd.key].append(ref)
        recovered = reference.types if types else Types()
        page_of = {(ref.crd.key, ref.version.name): ref.path for ref in refs}
        groups = {crd.key: crd.group for crd in reference.catalog.crds}
        type_home: dict[str, str] = {}
        types_pages: dict[str, str] = {}
        types_on: dict[str, list[RecoveredType]] = {}
        for recovered_type in recovered.types:
            first = recovered_type.first
            if len(recovered_type.crds) > 1:  # shared by CRDs: the group's types page
                home = types_pages.setdefault(groups[first.crd], types_page_path(groups[first.crd]))
            else:
                home = page_of[(first.crd, first.version)]
            type_home[recovered_type.slug] = home
            types_on.setdefault(home, []).append(recovered_type)
        group_pages = {}
        if len(reference.catalog.crds) >= GROUP_PAGES_FROM:
            group_pages = {group: group_page_path(group) for group in reference.catalog.groups}
        parts: dict[str, tuple[Part, ...]] = {}
        part_of: dict[tuple[str, str, int], str] = {}
        if split_bytes:
            for ref in refs:
                here = types_on.get(ref.path, [])
                found = _split(ref.path, ref.version.roots, here, recovered, split_bytes, ref)
                if found:
                    parts[ref.path] = found
            for path in types_pages.values():
                found = _split(path, (), types_on.get(path, []), recovered, split_bytes, None)
                if found:
                    parts[path] = found
            for page, page_parts in parts.items():
                for part in page_parts:
                    for unit in part.units:
                        if unit.type is not None:
                            type_home[unit.type] = part.path
                            continue
                        key = f"type-{unit.within}.{unit.path}" if unit.within else unit.path
                        part_of.setdefault((page, key or "", -1), part.path)
                        if unit.children is not None:
                            for child in range(*unit.children):
                                part_of[(page, key or "", child)] = part.path
        return cls(
            parts=parts,
            part_of=part_of,
            index=index,
            group_pages=group_pages,
            refs=refs,
            refs_of={key: tuple(pages) for key, pages in refs_of.items()},
            limitations=LIMITATIONS_PAGE if reference.limitations else None,
            changes=CHANGES_PAGE if changes else None,
            types=recovered,
            type_home=type_home,
            types_pages=dict(sorted(types_pages.items())),
            types_on={page: tuple(found) for page, found in types_on.items()},
        )

    @property
    def paths(self) -> tuple[str, ...]:
        """Every page's path, in the order pages are rendered."""
        extra = tuple(path for path in (self.limitations, self.changes) if path)
        return (
            self.index,
            *self.group_pages.values(),
            *(ref.path for ref in self.refs),
            *self.types_pages.values(),
            *extra,
        )

    def locate(self, crd: str, version: str, path: str) -> tuple[str, str]:
        """(page, anchor) where the field at ``path`` of a CRD version is documented: its own
        row, or its row in the section of the type it lies in."""
        page = next(ref.path for ref in self.refs_of[crd] if ref.version.name == version)
        uses = self.types.uses
        if not uses:
            return self.file_of(page, crd, version, path), anchor_for(path)
        parts = path.split(".")
        for cut in range(1, len(parts)):
            used = uses.get((crd, version, ".".join(parts[:cut])))
            if used is not None:
                return self._inside(used, parts[cut:])
        return self.file_of(page, crd, version, path), anchor_for(path)

    def file_of(self, page: str, crd: str, version: str, path: str) -> str:
        """The file of a split page that holds the inline field at ``path`` (the page itself
        when it is not split)."""
        if page not in self.parts:
            return page
        return self._file(page, path, lambda p: self._children_of(crd, version, p))

    def _file(self, page: str, path: str, children: Callable[[str], list[str]]) -> str:
        """The part holding the row at ``path``: the nearest split ancestor's part for the
        child on the way (or the part of the field's own line)."""
        segments = path.split(".")
        for cut in range(len(segments), 0, -1):
            prefix = ".".join(segments[:cut])
            if cut == len(segments):  # the field's own line
                found = self.part_of.get((page, prefix, -1))
                if found is not None:
                    return found
                continue
            names = children(prefix)
            child = segments[cut]
            index = names.index(child) if child in names else -2
            found = self.part_of.get((page, prefix, index))
            if found is not None:
                return found
            found = self.part_of.get((page, prefix, -1))
            if found is not None and (page, prefix, 0) not in self.part_of:
                return found  # a whole field, children and all, in one part
        return self.parts[page][0].path

    def _children_of(self, crd: str, version: str, path: str) -> list[str]:
        ref = next(r for r in self.refs_of[crd] if r.version.name == version)
        item = next((f for f in ref.version.fields if f.path == path), None)
        return [child.name for child in item.children] if item else []

    def _inside(self, used: RecoveredType, parts: list[str]) -> tuple[str, str]:
        """(page, anchor) of ``parts`` (a path relative to ``used``), through types in it."""
        inside = self.types.inside
        while True:
            for cut in range(1, len(parts)):
                inner = inside.get((used.slug, ".".join(parts[:cut])))
                if inner is not None:
                    used, parts = inner, parts[cut:]
                    break
            else:
                home = self.type_home[used.slug]
                page = next(
                    (p for p, split in self.parts.items() if any(x.path == home for x in split)),
                    home,
                )
                if page in self.parts:
                    rel = ".".join(parts)
                    home = self._file(
                        page,
                        f"type-{used.slug}.{rel}",
                        functools.partial(_type_children, used),
                    )
                return home, type_anchor(used.slug, ".".join(parts))


def _cost(item: Field, stops: Callable[[Field], bool]) -> int:
    """Estimated Markdown bytes of a row and the rows nested in it (not into a type it uses)."""
    total = _ROW_COST + 2 * len(item.path) + 2 * item.depth + len(item.description)
    if not stops(item):
        total += sum(_cost(child, stops) for child in item.children)
    return total


def _type_children(used: RecoveredType, path: str) -> list[str]:
    """The names of the children of ``type-{slug}.{rel}`` in a type's section."""
    rel = path.removeprefix(f"type-{used.slug}").lstrip(".")
    node = used.node
    for name in rel.split(".") if rel else ():
        node = next((c for c in node.children if c.name == name), None)  # type: ignore[assignment]
        if node is None:
            return []
    return [child.name for child in node.children]


def _split(
    page: str,
    roots: Sequence[Field],
    page_types: Sequence[RecoveredType],
    recovered: Types,
    budget: int,
    ref: PageRef | None,
) -> tuple[Part, ...]:
    """The parts of a page whose estimated size passes ``budget`` (none when it fits): its
    top-level fields and types packed in order; a field too big for one part is split into its
    line with a range of its children, recursively."""

    def use_stops(crd: str, version: str) -> Callable[[Field], bool]:
        return lambda item: recovered.uses.get((crd, version, item.path)) is not None

    units: list[tuple[Unit, int]] = []

    def add(item: Field, stops: Callable[[Field], bool], rel: str, within: str | None) -> None:
        cost = _cost(item, stops)
        if cost <= budget or not item.children or stops(item):
            units.append((Unit(path=rel, within=within), cost))
            return
        start, size = 0, _ROW_COST + len(item.description)
        for index, child in enumerate(item.children):
            child_cost = _cost(child, stops)
            if child_cost > budget:
                units.append((Unit(path=rel, children=(start, index), within=within), size))
                add(child, stops, f"{rel}.{child.name}", within)
                start, size = index + 1, _ROW_COST
                continue
            if size + child_cost > budget and index > start:
                units.append((Unit(path=rel, children=(start, index), within=within), size))
                start, size = index, _ROW_COST
            size += child_cost
        if start < len(item.children) or not units:
            units.append(
                (Unit(path=rel, children=(start, len(item.children)), within=within), size)
            )

    if ref is not None:
        stops = use_stops(ref.crd.key, ref.version.name)
        for root in roots:
            add(root, stops, root.name, None)
    for recovered_type in page_types:
        first = recovered_type.first
        stops = use_stops(first.crd, first.version)
        node = recovered_type.node
        node_stops = lambda item, s=stops, n=node: item is not n and s(item)  # noqa: E731
        units.append((Unit(type=recovered_type.slug), _ROW_COST))
        prefix = recovered_type.node.path + "."
        for child in recovered_type.node.children:
            add(child, node_stops, child.path.removeprefix(prefix), recovered_type.slug)
    if sum(cost for _, cost in units) + 5000 <= budget:
        return ()
    packed: list[list[Unit]] = [[]]
    size = 5000  # the page's header
    for unit, cost in units:
        if packed[-1] and size + cost > budget and unit.type is None:
            packed.append([])
            size = 0
        packed[-1].append(unit)
        size += cost
    stem = page.removesuffix(".md")
    return tuple(
        Part(page if number == 1 else f"{stem}-{number}.md", tuple(found), number)
        for number, found in enumerate(packed, start=1)
    )
