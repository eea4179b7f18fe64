"""The library's entry point, which every front end calls (the command line, the MkDocs plugin,
your own code)::

    from crdoc import Settings, load_reference
    from crdoc.publish.site import build_site

    reference = load_reference("charts/my-operator", Settings(hide=("internal",)))
    build_site(reference, Path("site"))

:func:`load_reference` chains the stages: load the source (:mod:`crdoc.loading`), match the
maintainers' annotations, leave out what ``--hide`` and the settings' ``include``/``exclude``
leave out (:mod:`crdoc.reports`). The :class:`Reference` it returns carries what every output
shows alike: the documented catalog, its annotations, its title, its coverage and its known
limitations, each worked out once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from crdoc.errors import CrdocError
from crdoc.loading.loader import LoadOptions, load
from crdoc.loading.sources import find_default_annotations
from crdoc.model import Catalog
from crdoc.options import Settings

if TYPE_CHECKING:
    from crdoc.loading.sources import SourceFile
    from crdoc.reports.annotations import ResolvedAnnotations
    from crdoc.reports.coverage import CoverageReport
    from crdoc.reports.limitations import Limitation
    from crdoc.reports.types import Types

Progress = Callable[[Iterable["SourceFile"]], Iterable["SourceFile"]]


@dataclass(frozen=True, kw_only=True)
class Reference:
    """What a reference documents, and the facts every output of it shows alike."""

    catalog: Catalog
    """The documented CRDs: the source's, less what ``hide`` and ``include``/``exclude`` leave
    out."""
    matched_annotations: ResolvedAnnotations | None = None
    """The maintainers' annotations, matched against every CRD of the source; ``None`` when
    there is no annotations file (see :attr:`annotations`)."""
    settings: Settings = Settings()
    """The settings it was loaded with (outputs read theirs there)."""

    @classmethod
    def of(
        cls,
        catalog: Catalog,
        annotations: ResolvedAnnotations | None = None,
        settings: Settings | None = None,
    ) -> Reference:
        """The reference of a catalog loaded already (no annotations: none)."""
        return cls(
            catalog=catalog,
            matched_annotations=annotations,
            settings=Settings() if settings is None else settings,
        )

    @cached_property
    def annotations(self) -> ResolvedAnnotations:
        """The maintainers' annotations (none without a file: a reference without one never
        imports their module, which ``crdoc inspect`` would pay for in start-up time)."""
        if self.matched_annotations is not None:
            return self.matched_annotations
        from crdoc.reports.annotations import empty_annotations

        return empty_annotations()

    @property
    def source(self) -> str:
        """The source as given (path or URL)."""
        return self.catalog.source

    @property
    def title(self) -> str:
        """The reference's title: ``title`` from the settings, else the chart's name."""
        if self.settings.title:
            return self.settings.title
        chart = self.catalog.chart
        return f"{chart.name} API reference" if chart else "CRD reference"

    @cached_property
    def internal(self) -> frozenset[str]:
        """Keys of the CRDs annotated ``internal`` (listed apart from the users' API)."""
        return frozenset(
            crd.key for crd in self.catalog.crds if self.annotations.is_hidden(crd, {"internal"})
        )

    @cached_property
    def coverage(self) -> CoverageReport:
        """Documented fields per CRD version: the one figure every output shows."""
        from crdoc.reports.coverage import coverage

        return coverage(self.catalog, annotations=self.annotations)

    def coverage_excluding(self, paths: Sequence[str]) -> CoverageReport:
        """:attr:`coverage` (the figure the pages show) with the field paths ``paths`` names
        left out, as ``crdoc coverage --exclude`` reports it."""
        if not paths:
            return self.coverage
        from crdoc.reports.coverage import coverage

        return coverage(self.catalog, paths, self.annotations)

    @cached_property
    def types(self) -> Types:
        """The types recovered from the documented CRDs (:mod:`crdoc.reports.types`)."""
        from crdoc.reports.types import recover_types

        return recover_types(self.catalog)

    @cached_property
    def limitations(self) -> tuple[Limitation, ...]:
        """What does not work, or not everywhere, and what the schemas leave unchecked."""
        from crdoc.reports.limitations import known_limitations

        return tuple(known_limitations(self.catalog, self.annotations))


def load_reference(
    source: str | Path | None = None,
    settings: Settings | None = None,
    *,
    progress: Progress | None = None,
) -> Reference:
    """Read ``source`` (default: ``settings.source``) and everything documenting it.

    Problems in the source are raised once, as :class:`~crdoc.errors.CrdocError` (or logged,
    with ``skip_invalid``); a source without CRDs, or one whose every CRD is left out, is an
    error unless ``allow_empty``. ``progress`` may wrap the list of files read."""
    settings = Settings() if settings is None else settings
    source = source if source is not None else settings.source
    if not source:
        raise CrdocError("no source: give SOURCE, or 'source:' in crdoc.yaml")
    found = load(source, LoadOptions.from_settings(settings), progress=progress)
    annotations = None
    documented = found
    path = settings.annotations_file or find_default_annotations(str(source))
    if path is not None:
        from crdoc.reports.annotations import annotations_for

        annotations = annotations_for(str(source), path, found, use_default=False)
        documented = annotations.visible(found, settings.hide)
    if settings.include or settings.exclude:
        from crdoc.reports.filters import filter_catalog

        documented = filter_catalog(documented, settings.include, settings.exclude)
    if found.crds and not documented.crds and not settings.allow_empty:
        raise CrdocError(
            f"every CRD found in {source} is left out by --hide or the settings' include/exclude"
            " (--allow-empty accepts an empty reference)"
        )
    return Reference(catalog=documented, matched_annotations=annotations, settings=settings)


def previous_settings(settings: Settings) -> Settings:
    """The settings an earlier release is read with (``build --previous``): the same filters
    and limits, its own annotations file (beside it), nothing hidden, so the "Changes since"
    page compares like with like."""
    return settings.replace(annotations_file=None, hide=(), previous=None)
