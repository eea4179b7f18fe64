"""The pages of a reference: an index, one page per CRD version, the known limitations and the
changes since an earlier release, rendered through the templates of a run's
:mod:`environment <crdoc.render.environment>`; and the reports the command line prints as
Markdown (coverage, a diff), through templates too."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from crdoc.render.changes import describe_markdown, shown_changes
from crdoc.render.crdpages import crd_pages
from crdoc.render.environment import RenderOptions, make_environment, render_template
from crdoc.render.fields import PageHelpers, clear_caches
from crdoc.render.layout import SPLIT_BYTES, Layout, Page
from crdoc.reports.diff import BREAKING_MEANS

if TYPE_CHECKING:
    from crdoc.pipeline import Reference
    from crdoc.reports.coverage import CoverageReport
    from crdoc.reports.diff import ApiDiff


class Renderer:
    """Renders a reference's pages, and reports, with one run's templates."""

    def __init__(self, options: RenderOptions = RenderOptions()) -> None:
        self.options = options
        self.env = make_environment(options)

    def pages(
        self,
        reference: Reference,
        layout: Layout | None = None,
        *,
        changes: ApiDiff | None = None,
        changes_title: str = "",
        directory_urls: bool = False,
    ) -> Iterator[Page]:
        """Every page of ``layout`` (default: the reference's own): the index, one page per CRD
        version in catalog order, the types pages, the known limitations (when there are
        any) and, given ``changes``, the "Changes since" page. For the site (flavour
        ``mkdocs``) the CRD version and types pages are HTML (``Page.html``), with links as
        MkDocs serves pages (``directory_urls``: its ``use_directory_urls``)."""
        if layout is None:
            split = (
                SPLIT_BYTES
                if self.options.flavour == "github" and not self.options.single_file
                else None
            )
            layout = Layout.of(
                reference, index=self.options.index_name, changes=bool(changes), split_bytes=split
            )
        try:
            yield from self._pages(reference, layout, changes, changes_title, directory_urls)
        finally:  # a long-lived process (mkdocs serve) keeps no chart text between builds
            clear_caches()

    def _pages(
        self,
        reference: Reference,
        layout: Layout,
        changes: ApiDiff | None,
        changes_title: str,
        directory_urls: bool,
    ) -> Iterator[Page]:
        yield self.index_page(reference, layout)
        for group in layout.group_pages:
            yield self.group_page(reference, layout, group)
        yield from crd_pages(reference, layout, self.options, directory_urls=directory_urls)
        if layout.limitations:
            yield self.limitations_page(reference, layout)
        if layout.changes and changes is not None:
            yield Page(
                layout.changes,
                changes_title,
                self.changes(changes, changes_title, page_path=layout.changes),
            )

    def index_page(self, reference: Reference, layout: Layout) -> Page:
        """The index: API groups → CRDs (``index.md.jinja``)."""
        return Page(
            layout.index,
            reference.title,
            self._render(
                "index.md.jinja",
                layout.index,
                catalog=reference.catalog,
                index=layout.index,
                layout=layout,
                refs=layout.refs,
                refs_of=layout.refs_of,
                title=reference.title,
                internal=reference.internal,
                annotations=reference.annotations,
                coverage=reference.coverage,
                limitations_page=layout.limitations,
                group_pages=layout.group_pages,
            ),
        )

    def group_page(self, reference: Reference, layout: Layout, group: str) -> Page:
        """An API group's page, on big references (``group.md.jinja``)."""
        path = layout.group_pages[group]
        return Page(
            path,
            group,
            self._render(
                "group.md.jinja",
                path,
                group=group,
                crds=reference.catalog.groups[group],
                catalog=reference.catalog,
                index=layout.index,
                layout=layout,
                refs_of=layout.refs_of,
                internal=reference.internal,
                annotations=reference.annotations,
                coverage=reference.coverage,
                types_page=layout.types_pages.get(group),
            ),
        )

    def limitations_page(self, reference: Reference, layout: Layout) -> Page:
        """The known limitations (``limitations.md.jinja``)."""
        path = layout.limitations or "limitations.md"
        return Page(
            path,
            "Known limitations",
            self._render(
                "limitations.md.jinja",
                path,
                catalog=reference.catalog,
                index=layout.index,
                layout=layout,
                limitations=reference.limitations,
                pages_of={(ref.crd.key, ref.version.name): ref.path for ref in layout.refs},
            ),
        )

    def changes(self, diff: ApiDiff, title: str = "", *, page_path: str = "changes.md") -> str:
        """What changed between two releases as Markdown (``changes.md.jinja``): the "Changes
        since" page with a ``title``, release notes without."""
        breaking = len(diff.breaking)
        return self._render(
            "changes.md.jinja",
            page_path,
            diff=diff,
            title=title,
            breaking=breaking,
            non_breaking=len(diff.changes) - breaking,
            breaking_means=BREAKING_MEANS,
            shown=lambda crd: list(shown_changes(crd.changes)),
            describe=describe_markdown,
        )

    def coverage(self, report: CoverageReport) -> str:
        """The coverage report as a Markdown table (``coverage.md.jinja``)."""
        return self._render("coverage.md.jinja", "coverage.md", report=report)

    def _render(self, name: str, page_path: str, **context: Any) -> str:
        page = PageHelpers(
            page_path,
            flavour=self.options.flavour,
            single_file=self.options.single_file,
        )
        return render_template(
            self.env,
            name,
            flavour=self.options.flavour,
            link=page.link,
            element_id=page.element_id,
            single_file=self.options.single_file,
            page_path=page_path,
            callout=page.callout,
            **context,
        )
