"""Rendering the model into Markdown pages through Jinja2 templates (users may override any).

The environment is built per run from :class:`RenderOptions`; the user's template folder comes
first on the search path. Undefined names fail loudly, and every printed value is escaped as
Markdown unless a filter returned finished Markdown (see :mod:`crdoc.markup`).
"""

from __future__ import annotations

import functools
import hashlib
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from crdoc import markup, present
from crdoc.annotations import ResolvedAnnotations, empty_annotations
from crdoc.errors import CrdocError
from crdoc.model import Catalog, Crd, Version, anchor_for

#: The page listing non-functional, cloud-only, deprecated and unchecked CRDs and fields.
LIMITATIONS_PAGE = "limitations.md"

DEFAULT_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def default_templates() -> Path:
    """The shipped templates: ``crdoc.templates`` when installed, the repo's folder otherwise."""
    try:
        import crdoc.templates as shipped  # installed wheel: templates/ is this package

        return Path(shipped.__file__).resolve().parent
    except ImportError:  # pragma: no cover - running from a source tree without install
        return DEFAULT_TEMPLATES


@dataclass(frozen=True, slots=True, kw_only=True)
class RenderOptions:
    """How pages are rendered."""

    flavour: str = "mkdocs"
    """``mkdocs`` (Python-Markdown with attr_list, md_in_html) or ``github`` (GFM)."""
    templates: Path | None = None
    """A folder of templates that replace the shipped ones by name."""
    title: str | None = None
    """Title of the index page (default: the chart's name)."""
    index_name: str = "index.md"
    single_file: bool = False
    """All pages go into one file: ids carry their page's name, links stay in the file."""


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


def make_environment(options: RenderOptions) -> jinja2.Environment:
    """A Jinja environment for one run: user templates first, strict, Markdown-escaping."""
    search_path = [str(default_templates())]
    if options.templates is not None:
        if not options.templates.is_dir():
            raise CrdocError("template folder not found", path=str(options.templates))
        search_path.insert(0, str(options.templates))
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(search_path),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        finalize=markup.escape,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(markup.filters())
    env.globals.update(
        constraints=present.constraints,
        list_semantics=present.list_semantics,
        other_facts=present.other_facts,
        status_style=present.status_style,
        percent=present.percent,
        raw=Markup,
    )
    env.filters["anchor_id"] = anchor_for
    env.filters["code_cell"] = functools.partial(markup.code_cell, flavour=options.flavour)
    return env


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
        :mod:`crdoc.annotations`); schema-derived statuses are shown without them too."""
        annotations = annotations or empty_annotations()
        refs = self.page_refs(catalog)
        limitations = annotations.known_limitations(catalog)
        title = self.options.title or (catalog.chart.name if catalog.chart else "CRD reference")
        internal = {crd.key for crd in catalog.crds if annotations.is_hidden(crd, {"internal"})}
        yield Page(
            self.options.index_name,
            title,
            self._render(
                "index.md.jinja",
                self.options.index_name,
                catalog=catalog,
                refs=refs,
                title=title,
                internal=internal,
                annotations=annotations,
                limitations_page=LIMITATIONS_PAGE if limitations else None,
            ),
        )
        by_crd: dict[str, list[PageRef]] = {}
        for ref in refs:
            by_crd.setdefault(ref.crd.key, []).append(ref)
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
        def element_id(anchor: str, page: str = page_path) -> str:
            """The id of an anchor on a page (in a single file, prefixed by the page's name)."""
            if not self.options.single_file:
                return anchor
            name = page_id(page)
            return f"{name}--{anchor}" if anchor else name

        def link(target: str, anchor: str | None = None) -> str:
            """A relative link from this page to ``target`` (a page path), with an anchor."""
            if self.options.single_file:
                return "#" + element_id(anchor or "", target)
            base = posixpath.dirname(page_path)
            href = posixpath.relpath(target, base or ".") if target != page_path else ""
            return href + (f"#{anchor}" if anchor else "") or "#"

        try:
            template = self.env.get_template(name)
            return template.render(
                flavour=self.options.flavour,
                link=link,
                element_id=element_id,
                single_file=self.options.single_file,
                page_path=page_path,
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
