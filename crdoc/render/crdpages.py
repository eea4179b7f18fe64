"""The pages made of field rows: a CRD version's page and an API group's types page, for the
site (HTML, ``crd.html.jinja``, ``types.html.jinja``) and for GitHub (Markdown,
``crd.md.jinja``, ``types.md.jinja``). Their parts — ``outline``, ``type_section``,
``field_row``, ``chips`` and ``callout`` — are templates of their own users may override by
name; rows are written by the Python fast path of :mod:`crdoc.render.rows` unless
``field_row``, ``chips`` or ``callout`` is overridden."""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from crdoc.render import present, rows
from crdoc.render.environment import (
    RenderOptions,
    make_environment,
    make_html_environment,
    render_template,
    user_overrides,
)
from crdoc.render.examples import example_for
from crdoc.render.layout import Layout, Page, PageRef, single_file_id, type_anchor
from crdoc.reports.types import RecoveredType

if TYPE_CHECKING:
    from crdoc.pipeline import Reference

#: The part templates the Python fast path of rows stands in for, per flavour's suffix.
ROW_PARTS = ("field_row", "chips", "callout")


@dataclass(slots=True)
class TypeSection:
    """A type as its section shows it."""

    type: RecoveredType
    rows: list[rows.Row]
    uses: list[tuple[str, str]]
    """(label, href) of every use."""
    rendered: Markup | None
    """Its rows, finished (``None``: to render from :attr:`rows`)."""


class CrdPages:
    """Renders the row-based pages of one reference (one :class:`Layout`): HTML for the site
    (flavour ``mkdocs``) or GitHub Markdown (flavour ``github``)."""

    def __init__(
        self,
        reference: Reference,
        layout: Layout,
        options: RenderOptions,
        *,
        directory_urls: bool = False,
    ) -> None:
        self.reference = reference
        self.layout = layout
        self.options = options
        self.directory_urls = directory_urls
        self.html = options.flavour != "github"
        self.suffix = ".html.jinja" if self.html else ".md.jinja"
        self.env = make_html_environment(options) if self.html else make_environment(options)
        self.fast = not user_overrides(options, *(name + self.suffix for name in ROW_PARTS))
        self._kinds = {crd.key: crd.kind for crd in reference.catalog.crds}
        crds = {crd.key: crd for crd in reference.catalog.crds}

        @functools.cache
        def notes(crd: str, version: str) -> Any:
            found = crds[crd]
            chosen = next(v for v in found.versions if v.name == version)
            return reference.annotations.page_annotations(found, chosen)

        self._notes = notes

    # -- pages ------------------------------------------------------------------------------

    def crd_page(self, ref: PageRef) -> Page:
        """The page of one CRD version (its first part, when the layout splits it)."""
        return self.crd_parts(ref)[0]

    def crd_parts(self, ref: PageRef) -> list[Page]:
        """The files of one CRD version's page: one, or its parts when the layout splits it."""
        split = self.layout.parts.get(ref.path)
        if not split:
            return [self._crd_file(ref, ref.path)]
        return [self._crd_file(ref, part.path, part, split) for part in split]

    def _crd_file(
        self, ref: PageRef, path: str, part: Any = None, split: Sequence[Any] = ()
    ) -> Page:
        crd, version = ref.crd, ref.version
        annotations = self.reference.annotations
        builder = self._builder(path)
        version_rows = builder.version_rows(crd.key, version.name, version.roots)
        types_here = self.layout.types_on.get(ref.path, ())
        sections = [self._section(t, path, builder, whole=part is None) for t in types_here]
        if part is not None:
            version_rows = _units_rows(version_rows, part.units, None)
            sections = _units_sections(sections, part.units)
        example = example_for(crd, version)
        text = self._render(
            "crd",
            path,
            part=part,
            parts=[(p.number, self.href(path, p.path)) for p in split],
            catalog=self.reference.catalog,
            crd=crd,
            version=version,
            title=f"{crd.kind} {version.name}",
            siblings=self.layout.refs_of[crd.key],
            index=self.layout.index,
            coverage=self.reference.coverage.row(crd.key, version.name),
            example=example.text,
            example_note=example.note,
            example_html=Markup(_highlight(example.text)) if self.html else "",
            crd_annotation=annotations.for_crd(crd),
            version_annotation=annotations.for_version(crd, version),
            rows=version_rows,
            types=sections,
            targets=self._targets(ref.path, version_rows, sections),
        )
        toc = [(2, "example", "Example")]
        if version.printer_columns:
            toc.append((2, "printer-columns", "Printer columns"))
        if version.fields:
            toc.append((2, "fields", "Fields"))
        if sections:
            toc.append((2, "types", "Types"))
            toc.extend((3, type_anchor(s.type.slug), s.type.name) for s in sections)
        return Page(path, f"{crd.kind} {version.name}", text, html=self.html, toc=tuple(toc))

    def types_page(self, group: str, path: str) -> Page:
        """The page of the types the CRDs of ``group`` share (its first part, when split)."""
        return self.types_parts(group, path)[0]

    def types_parts(self, group: str, path: str) -> list[Page]:
        """The files of a group's types page: one, or its parts when the layout splits it."""
        split = self.layout.parts.get(path)
        if not split:
            return [self._types_file(group, path, path)]
        return [self._types_file(group, path, part.path, part, split) for part in split]

    def _types_file(
        self, group: str, page: str, path: str, part: Any = None, split: Sequence[Any] = ()
    ) -> Page:
        builder = self._builder(path)
        whole = part is None
        sections = [
            self._section(t, path, builder, whole=whole) for t in self.layout.types_on.get(page, ())
        ]
        if part is not None:
            sections = _units_sections(sections, part.units)
        title = f"{group} types"
        if part is not None and part.number > 1:
            title += f" (part {part.number} of {len(split)})"
        text = self._render(
            "types",
            path,
            part=part,
            parts=[(p.number, self.href(path, p.path)) for p in split],
            group=group,
            title=title,
            types=sections,
            targets=self._targets(path, [], sections),
            index=self.layout.index,
        )
        toc = tuple((2, type_anchor(s.type.slug), s.type.name) for s in sections)
        return Page(path, title, text, html=self.html, toc=toc)

    # -- links ------------------------------------------------------------------------------

    def href(self, page: str, target: str, anchor: str | None = None) -> str:
        """A relative link from ``page`` to ``target``: for the site as MkDocs serves pages
        (``.html``, or folders with ``use_directory_urls``); on GitHub to the ``.md`` file (in
        a single file, to the prefixed id)."""
        if not self.html and self.options.single_file:
            return "#" + single_file_id(target, anchor or "")
        if target == page:
            return "#" + anchor if anchor else "#"
        if self.html:
            url = site_url_between(page, target, self.directory_urls)
        else:
            url = posixpath.relpath(target, posixpath.dirname(page) or ".")
        return url + (f"#{anchor}" if anchor else "")

    def element_id(self, page: str) -> Callable[[str], str]:
        """How an anchor becomes an element id on ``page`` (single files prefix the page)."""
        if not self.html and self.options.single_file:
            return lambda anchor: single_file_id(page, anchor)
        return lambda anchor: anchor

    # -- pieces -----------------------------------------------------------------------------

    def _render(self, kind: str, page: str, **context: Any) -> str:
        return render_template(self.env, kind + self.suffix, **self._helpers(page), **context)

    def _builder(self, page: str) -> rows.RowBuilder:
        types = self.layout.types
        return rows.RowBuilder(
            notes=self._notes,
            type_of=types.at,
            known_of=lambda crd, version, path: types.known.get((crd, version, path)),
            type_href=lambda used: self.href(
                page, self.layout.type_home[used.slug], type_anchor(used.slug)
            ),
        )

    def _section(
        self, recovered: RecoveredType, page: str, builder: rows.RowBuilder, *, whole: bool
    ) -> TypeSection:
        """A type's section; its rows rendered now when the page shows it ``whole`` (a part of
        a split page holds only some rows, rendered when the part is)."""
        type_rows = builder.type_rows(recovered)
        uses = []
        for use in recovered.uses:
            target, anchor = self.layout.locate(use.crd, use.version, use.path)
            label = use.path
            if target != page:
                label = f"{self._kinds[use.crd]} {use.version} {use.path}"
            uses.append((label, self.href(page, target, anchor)))
        rendered = self._rows(type_rows, page) if whole else None
        return TypeSection(recovered, type_rows, uses, rendered)

    def _rows(self, found: Sequence[rows.Row], page: str) -> Markup:
        id_of = self.element_id(page)
        if self.fast:
            if self.html:
                return Markup(rows.rows_html(found))
            return Markup(rows.rows_markdown(found, id_of=id_of))
        helpers = self._parts()
        macro = self._macro("field_row")
        if self.html:
            rendered = (macro(row, helpers["chips"], helpers["callout"]) for row in found)
        else:
            rendered = (macro(row, 0, id_of, helpers["chips"], helpers["callout"]) for row in found)
        return Markup("".join(str(text) for text in rendered))

    def _macro(self, name: str, template: str | None = None) -> Callable[..., Any]:
        """The macro ``name`` of the template of the same name (``template``, if given)."""
        macro: Callable[..., Any] = getattr(
            self.env.get_template(template or name + self.suffix).module, name
        )
        return macro

    def _parts(self) -> dict[str, Any]:
        """``chips`` and ``callout``: the fast path's, or the templates'."""
        if self.fast:
            if self.html:
                return {
                    "chips": lambda keys: Markup(rows.chips_html(keys)),
                    "callout": lambda note: Markup(rows.callout_html(note)),
                }
            return {
                "chips": lambda keys: Markup(rows.chips_markdown(keys)),
                "callout": lambda note: Markup(rows.callout_markdown(note)),
            }
        chips = self._macro("chips")
        callout = self._macro("callout")
        labels: Any = (
            {key: label for key, (label, _) in rows.CHIPS.items()} if self.html else rows.CHIPS
        )
        return {
            "chips": lambda keys: Markup(chips(keys, labels)),
            "callout": lambda note: Markup(callout(note, present.status_style(note.status))),
        }

    def _helpers(self, page: str) -> dict[str, Any]:
        parts = self._parts()
        section = self._macro("type_section")
        element_id = self.element_id(page)
        helpers: dict[str, Any] = {
            "link": lambda target, anchor=None: self.href(page, target, anchor),
            "page_path": page,
            "chips": parts["chips"],
            "callout": parts["callout"],
            "flavour": self.options.flavour,
            "single_file": self.options.single_file,
            "element_id": lambda anchor, target=None: self.element_id(target or page)(anchor),
        }
        if self.html:
            outline = self._macro("outline", "outline.html.jinja")

            def outline_of(found: Sequence[rows.Row], rendered: Any = None) -> Any:
                return outline(found, rendered if rendered is not None else self._rows(found, page))

            helpers["outline"] = outline_of
            helpers["type_section"] = lambda s: section(s, outline_of)
        else:
            helpers["field_rows"] = lambda found: self._rows(found, page)

            def section_of(found: TypeSection) -> Markup:
                if found.rendered is None:
                    found = replace(found, rendered=self._rows(found.rows, page))
                return Markup(section(found, element_id))

            helpers["type_section"] = section_of
        return helpers

    def _targets(
        self, page: str, version_rows: Sequence[rows.Row], sections: Sequence[TypeSection]
    ) -> dict[str, str]:
        """Deep links into types: the anchor of each use on this page → the href of the type's
        section (crdoc.js follows a link to ``#spec.a.b`` into ``#type-T.b``)."""
        targets = {}
        for row in rows.iter_rows([*version_rows, *(r for s in sections for r in s.rows)]):
            if row.uses is not None:
                home = self.layout.type_home[row.uses.slug]
                targets[row.id] = self.href(page, home, type_anchor(row.uses.slug))
        return dict(sorted(targets.items()))


def site_url(path: str, directory_urls: bool) -> str:
    """The URL (relative to the site) MkDocs gives the page at ``path`` (``g/p-v1.md``):
    ``g/p-v1.html``, or ``g/p-v1/`` with ``use_directory_urls`` (``index.md`` → ``""``)."""
    stem = path.removesuffix(".md")
    if not directory_urls:
        return stem + ".html"
    if stem == "index" or stem.endswith("/index"):
        return stem.removesuffix("index")
    return stem + "/"


def site_url_between(page: str, target: str, directory_urls: bool) -> str:
    """The relative URL from the page at ``page`` to the page at ``target``."""
    here, there = site_url(page, directory_urls), site_url(target, directory_urls)
    base = here[: here.rfind("/") + 1]  # the folder a relative link resolves from
    relative = posixpath.relpath(there or ".", base.rstrip("/") or ".")
    if there.endswith("/") or not there:
        relative = "./" if relative == "." else relative + "/"
    return relative


@functools.lru_cache(maxsize=1)
def _formatter() -> Any:
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(cssclass="highlight language-yaml", wrapcode=True)


def _highlight(text: str) -> str:
    """YAML as highlighted HTML (Pygments, the classes mkdocs-material styles)."""
    from pygments import highlight
    from pygments.lexers import YamlLexer

    # Whitespace needs no span of its own (a third of the markup of a YAML example).
    return _WHITESPACE_SPAN.sub(r"\1", highlight(text, YamlLexer(), _formatter()))


_WHITESPACE_SPAN = re.compile(r'<span class="w">(\s*)</span>')


def crd_pages(
    reference: Reference,
    layout: Layout,
    options: RenderOptions,
    *,
    directory_urls: bool = False,
) -> Iterator[Page]:
    """The row pages of ``layout``: one per CRD version, then each group's types page."""
    pages = CrdPages(reference, layout, options, directory_urls=directory_urls)
    for ref in layout.refs:
        yield from pages.crd_parts(ref)
    for group, path in layout.types_pages.items():
        yield from pages.types_parts(group, path)


def _units_rows(found: list[rows.Row], units: Sequence[Any], within: str | None) -> list[rows.Row]:
    """The rows of a part: for each of its units (of the version, or of type ``within``), the
    field's row with all its children or a range of them; a nested field's row shows its path."""
    index = {}
    for row in rows.iter_rows(found):
        index[row.path] = row
    chosen = []
    for unit in units:
        if unit.type is not None or unit.within != within or unit.path not in index:
            continue
        row = index[unit.path]
        changes: dict[str, Any] = {}
        if unit.children is not None:
            start, end = unit.children
            changes["children"] = row.children[start:end]
        if "." in unit.path:
            changes["heading"] = unit.path
        chosen.append(replace(row, **changes) if changes else row)
    return chosen


def _units_sections(sections: list[TypeSection], units: Sequence[Any]) -> list[TypeSection]:
    """The type sections of a part: each type whose heading or rows it holds, with those rows
    (a section that goes on from an earlier part says so)."""
    chosen = []
    for section in sections:
        slug = section.type.slug
        heading = any(unit.type == slug for unit in units)
        held = [unit for unit in units if unit.within == slug]
        if not heading and not held:
            continue
        if not heading:
            section = replace(
                section, type=replace(section.type, name=f"{section.type.name} (continued)")
            )
        part_rows = _units_rows(section.rows, held, slug)
        chosen.append(replace(section, rows=part_rows))
    return chosen
