"""The pages of a reference: an index, one page per CRD version, the known limitations,
rendered through the templates of a run's :mod:`environment <crdoc.render.environment>`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jinja2

from crdoc.errors import CrdocError
from crdoc.model import Catalog
from crdoc.render import present
from crdoc.render.environment import RenderOptions, make_environment
from crdoc.render.fields import PageHelpers, clear_caches, field_facts
from crdoc.render.layout import LIMITATIONS_PAGE, Page, PageRef, version_page_path
from crdoc.reports.annotations import ResolvedAnnotations, empty_annotations


class Renderer:
    """Renders a catalog's pages: an index and one page per CRD version."""

    def __init__(self, options: RenderOptions = RenderOptions()) -> None:
        self.options = options
        self.env = make_environment(options)

    def pages(
        self, catalog: Catalog, annotations: ResolvedAnnotations | None = None
    ) -> Iterator[Page]:
        """Every page: the index, one page per CRD version in catalog order, and the known
        limitations (when there are any). ``annotations`` are the maintainers' (see
        :mod:`crdoc.reports.annotations`); schema-derived statuses are shown without them too."""
        try:
            yield from self._pages(catalog, annotations)
        finally:  # a long-lived process (mkdocs serve) keeps no chart text between builds
            clear_caches()

    def _pages(self, catalog: Catalog, annotations: ResolvedAnnotations | None) -> Iterator[Page]:
        annotations = annotations or empty_annotations()
        refs = self.page_refs(catalog)
        limitations = annotations.known_limitations(catalog)
        title = self.options.title or (catalog.chart.name if catalog.chart else "CRD reference")
        internal = {crd.key for crd in catalog.crds if annotations.is_hidden(crd, {"internal"})}
        by_crd: dict[str, list[PageRef]] = {crd.key: [] for crd in catalog.crds}
        for ref in refs:
            by_crd[ref.crd.key].append(ref)
        yield Page(
            self.options.index_name,
            title,
            self._render(
                "index.md.jinja",
                self.options.index_name,
                catalog=catalog,
                refs=refs,
                refs_of=by_crd,
                title=title,
                internal=internal,
                annotations=annotations,
                limitations_page=LIMITATIONS_PAGE if limitations else None,
            ),
        )
        pages_of = {(ref.crd.key, ref.version.name): ref.path for ref in refs}
        for ref in refs:
            yield Page(
                ref.path,
                f"{ref.crd.kind} {ref.version.name}",
                self._render(
                    "crd.md.jinja",
                    ref.path,
                    catalog=catalog,
                    crd=ref.crd,
                    version=ref.version,
                    siblings=by_crd[ref.crd.key],
                    index=self.options.index_name,
                    example=present.example_manifest(ref.crd, ref.version),
                    crd_annotation=annotations.for_crd(ref.crd),
                    version_annotation=annotations.for_version(ref.crd, ref.version),
                    field_annotations=annotations.page_annotations(ref.crd, ref.version),
                ),
            )
        if limitations:
            yield Page(
                LIMITATIONS_PAGE,
                "Known limitations",
                self._render(
                    "limitations.md.jinja",
                    LIMITATIONS_PAGE,
                    catalog=catalog,
                    limitations=limitations,
                    pages_of=pages_of,
                    index=self.options.index_name,
                ),
            )

    @staticmethod
    def page_refs(catalog: Catalog) -> list[PageRef]:
        return [
            PageRef(
                crd,
                version,
                version_page_path(crd, version),
                frozenset(f.path for f in version.fields),
            )
            for crd in catalog.crds
            for version in crd.versions
        ]

    def _render(self, name: str, page_path: str, **context: Any) -> str:
        page = PageHelpers(
            page_path,
            flavour=self.options.flavour,
            single_file=self.options.single_file,
            version=context.get("version"),
            siblings=context.get("siblings", ()),
        )
        try:
            template = self.env.get_template(name)
            return template.render(
                flavour=self.options.flavour,
                link=page.link,
                element_id=page.element_id,
                single_file=self.options.single_file,
                page_path=page_path,
                field_heading=page.field_heading,
                field_summary=page.field_summary,
                field_facts=field_facts,
                field_links=page.field_links,
                field_block=page.field_block,
                callout=page.callout,
                field_tree=page.field_tree,
                **context,
            )
        except jinja2.TemplateSyntaxError as exc:
            raise CrdocError(
                f"template error: {exc.message}", path=exc.filename or exc.name, line=exc.lineno
            ) from None
        except jinja2.TemplateNotFound as exc:
            raise CrdocError(f"template {exc.name} not found") from None
        except jinja2.UndefinedError as exc:
            where = _template_frame(exc)
            raise CrdocError(
                f"template error: {exc.message}", path=where[0], line=where[1]
            ) from None


def _template_frame(exc: BaseException) -> tuple[str | None, int | None]:
    """The template file and line a rendering error came from (kept in Jinja's traceback)."""
    tb = exc.__traceback__
    found: tuple[str | None, int | None] = (None, None)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".jinja"):
            template = tb.tb_frame.f_globals.get("__jinja_template__")
            line = template.get_corresponding_lineno(tb.tb_lineno) if template else tb.tb_lineno
            found = (filename, line)
        tb = tb.tb_next
    return found
