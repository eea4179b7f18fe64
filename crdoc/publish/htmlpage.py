"""A MkDocs page whose HTML crdoc rendered itself: no Python-Markdown pass over HTML crdoc
generated (it cost ~25× the rendering on big CRD pages).

The plugin creates an :class:`HtmlPage` for each generated file in ``on_files`` (setting
``file.page``, which MkDocs' nav builder then reuses). Its body is made only when the page is
written — in ``on_page_context``, before the search plugin reads it — and dropped once the
page is written, so one page's HTML is in memory at a time. The table of contents holds the
h2/h3 sections only, whatever the number of fields.

This relies on MkDocs 1.x's ``Page`` (its constructor, ``_title_from_render``,
``present_anchor_ids``); tests build real sites with it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypedDict

from mkdocs.structure.files import File
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from crdoc.render.layout import Page as RenderedPage

#: What ``page.content`` holds until the page is written (a str: other plugins may read it).
PLACEHOLDER = "<!-- crdoc: rendered when the page is written -->"


class HtmlPage(Page):
    """A page whose body ``make()`` renders (crdoc's HTML), not Python-Markdown."""

    def __init__(
        self,
        title: str,
        file: File,
        config: Any,
        make: Callable[[], RenderedPage],
        toc: tuple[tuple[int, str, str], ...] = (),
        searched: Any = None,
    ) -> None:
        super().__init__(title, file, config)
        self._make = make
        self._toc = toc
        self.searched = searched
        """A CRD version's (kind, group, version, field paths), for crdoc's search index."""

    def read_source(self, config: Any) -> None:
        # Nothing to read; "" keeps every plugin's on_page_markdown harmless.
        self.markdown = ""
        self.meta = {}

    def render(self, config: Any, files: Any) -> None:
        self.content = PLACEHOLDER
        self.toc = get_toc(_toc_tokens(self._toc))
        self._title_from_render = self.title

    def fill(self) -> None:
        """Render the body now (the page is about to be written)."""
        rendered = self._make()
        self.content = rendered.text
        self.toc = get_toc(_toc_tokens(rendered.toc or self._toc))
        self.present_anchor_ids = _ids(rendered.text)

    def drop(self) -> None:
        """Forget the body (the page was written)."""
        self.content = PLACEHOLDER


class _TocToken(TypedDict):
    """An entry of MkDocs' table of contents, as :func:`get_toc` takes it."""

    level: int
    id: str
    name: str
    children: list[_TocToken]


def _toc_tokens(toc: tuple[tuple[int, str, str], ...]) -> list[_TocToken]:
    """MkDocs' TOC tokens from (level, id, title): h3 entries nest under the h2 before them."""
    tokens: list[_TocToken] = []
    for level, ident, name in toc:
        token: _TocToken = {"level": level, "id": ident, "name": name, "children": []}
        if level > 2 and tokens:
            tokens[-1]["children"].append(token)
        else:
            tokens.append(token)
    return tokens


def _ids(html: str) -> set[str]:
    """The ids of a page (for MkDocs' validation of links to anchors)."""
    import re

    return set(re.findall(r'\sid="([^"]+)"', html))
