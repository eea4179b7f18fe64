"""Links, ids and callouts for one page's templates (the field rows themselves are written by
:mod:`crdoc.render.rows`), and the rendering caches' reset."""

from __future__ import annotations

import posixpath
from typing import Any

from jinja2.filters import do_indent
from markupsafe import Markup

from crdoc.render import html, markup, present
from crdoc.render.layout import single_file_id
from crdoc.render.rows import callout_markdown
from crdoc.reports import coverage


class PageHelpers:
    """Links, ids and callouts for one page; templates get the bound methods by name."""

    __slots__ = (
        "_github",
        "_hrefs",
        "_path",
        "_single_file",
    )

    def __init__(
        self,
        path: str,
        *,
        flavour: str,
        single_file: bool,
    ) -> None:
        self._path = path
        self._github = flavour == "github"
        self._single_file = single_file
        self._hrefs: dict[str, str] = {}

    def element_id(self, anchor: str, page: str | None = None) -> str:
        """The id of an anchor on a page (in a single file, prefixed by the page's name)."""
        if not self._single_file:
            return anchor
        return single_file_id(self._path if page is None else page, anchor)

    def link(self, target: str, anchor: str | None = None) -> str:
        """A relative link from this page to ``target`` (a page path), with an anchor."""
        if self._single_file:
            return "#" + self.element_id(anchor or "", target)
        href = self._hrefs.get(target)
        if href is None:
            base = posixpath.dirname(self._path)
            href = posixpath.relpath(target, base or ".") if target != self._path else ""
            self._hrefs[target] = href
        return href + (f"#{anchor}" if anchor else "") or "#"

    def callout(self, annotation: Any) -> Markup:
        """An annotation as an admonition (MkDocs) or an alert (GitHub, as the field rows write
        it): status, reason, maintainers' note, since/until and a "see" link."""
        if self._github:
            return Markup(callout_markdown(annotation) + "\n")
        style = present.status_style(annotation.status)
        body = ""
        if annotation.reason:
            body += f"{markup.description(annotation.reason)}\n\n"
        if annotation.note:
            lead = "**Maintainers' note:** " if annotation.status else ""
            body += f"{lead}{markup.description(annotation.note)}\n\n"
        since, until = annotation.since, annotation.until
        if since or until:
            if since:
                body += f"Since {markup.code(since)}"
            if since and until:
                body += ", "
            if until:
                body += f"until {markup.code(until)}"
            body += ".\n\n"
        if annotation.see:
            body += f"See {markup.link(annotation.see)}.\n"
        title = style[2] if annotation.status else "Maintainers' note"
        indented = do_indent(Markup(body.strip()), 4, first=True)
        return Markup(f'!!! {markup.escape(style[0])} "{markup.escape(title)}"\n\n{indented}\n')


def clear_caches() -> None:
    """Forget the chart text kept by rendering's caches (they are bounded, but may hold
    rendered descriptions of a big chart)."""
    markup.clear_caches()
    html.clear_caches()
    coverage.clear_caches()
