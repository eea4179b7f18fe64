"""Where each page of a reference lives, worked out once (:class:`Layout`) for the renderer,
the site's navigation and every link between pages; and what a rendered page is."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from crdoc.model import Crd, Version, anchor_for
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
    field_paths: frozenset[str] = field(default=frozenset())


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


#: The page of an API group listing the types its CRDs share.
TYPES_PAGE = "types.md"


def types_page_path(group: str) -> str:
    """``{group}/types.md``: where the types several CRDs of a group share are documented."""
    return f"{_segment(group)}/{TYPES_PAGE}"


def type_anchor(slug: str, path: str = "") -> str:
    """The id of a type's section (``type-Container``), or of a field in it
    (``type-Container.securityContext.runAsUser``, ``path`` relative to the type)."""
    return anchor_for(f"type-{slug}.{path}" if path else f"type-{slug}")


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

    @classmethod
    def of(
        cls,
        reference: Reference,
        *,
        index: str = "index.md",
        changes: bool = False,
        types: bool = True,
    ) -> Layout:
        """The layout of ``reference``'s pages (with its recovered types, unless ``types`` is
        false)."""
        refs = tuple(
            PageRef(
                crd,
                version,
                version_page_path(crd, version),
                frozenset(f.path for f in version.fields),
            )
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
        return cls(
            index=index,
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
            *(ref.path for ref in self.refs),
            *self.types_pages.values(),
            *extra,
        )

    def page_of(self, crd: Crd, version: Version | None = None) -> str:
        """The page of a CRD version (of its first version without one)."""
        refs = self.refs_of[crd.key]
        if version is None:
            return refs[0].path
        return next(ref.path for ref in refs if ref.version.name == version.name)

    def locate(self, crd: str, version: str, path: str) -> tuple[str, str]:
        """(page, anchor) where the field at ``path`` of a CRD version is documented: its own
        row, or its row in the section of the type it lies in."""
        page = next(ref.path for ref in self.refs_of[crd] if ref.version.name == version)
        uses = self.types.uses
        if not uses:
            return page, anchor_for(path)
        parts = path.split(".")
        for cut in range(1, len(parts)):
            used = uses.get((crd, version, ".".join(parts[:cut])))
            if used is not None:
                return self._inside(used, parts[cut:])
        return page, anchor_for(path)

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
                return self.type_home[used.slug], type_anchor(used.slug, ".".join(parts))
