"""Where each page of a reference lives, worked out once (:class:`Layout`) for the renderer,
the site's navigation and every link between pages; and what a rendered page is."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from crdoc.model import Crd, Version

if TYPE_CHECKING:
    from crdoc.pipeline import Reference

#: The page listing non-functional, cloud-only, deprecated and unchecked CRDs and fields.
LIMITATIONS_PAGE = "limitations.md"
#: The page listing what changed since an earlier release (``build --previous``).
CHANGES_PAGE = "changes.md"


@dataclass(frozen=True, slots=True)
class Page:
    """One rendered Markdown page."""

    path: str
    """Relative posix path of the page in the output."""
    title: str
    text: str


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


@dataclass(frozen=True, slots=True, kw_only=True)
class Layout:
    """The pages of one reference and where they live."""

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

    @classmethod
    def of(cls, reference: Reference, *, index: str = "index.md", changes: bool = False) -> Layout:
        """The layout of ``reference``'s pages."""
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
        return cls(
            index=index,
            refs=refs,
            refs_of={key: tuple(pages) for key, pages in refs_of.items()},
            limitations=LIMITATIONS_PAGE if reference.limitations else None,
            changes=CHANGES_PAGE if changes else None,
        )

    @property
    def paths(self) -> tuple[str, ...]:
        """Every page's path, in the order pages are rendered."""
        extra = tuple(path for path in (self.limitations, self.changes) if path)
        return (self.index, *(ref.path for ref in self.refs), *extra)

    def page_of(self, crd: Crd, version: Version | None = None) -> str:
        """The page of a CRD version (of its first version without one)."""
        refs = self.refs_of[crd.key]
        if version is None:
            return refs[0].path
        return next(ref.path for ref in refs if ref.version.name == version.name)
