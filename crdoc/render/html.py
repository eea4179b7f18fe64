"""Untrusted chart text as HTML for the site's pages (the HTML counterpart of
:mod:`crdoc.render.markup`): everything escaped, paragraphs and lists kept, bare http(s) URLs
and ```code``` spans made links and code, long dotted paths breakable at their dots."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from markupsafe import Markup
from markupsafe import escape as _escape

from crdoc.render.markup import CODE_SPAN, LIST_ITEM, URL, json_value, linkable, sentence


def escape(value: Any) -> str:
    """Any value as HTML text (as Jinja's autoescape writes it)."""
    return str(_escape(value if isinstance(value, str) else str(value)))


def code(value: Any) -> str:
    """A value in a code span (non-strings as JSON)."""
    text = value if isinstance(value, str) else json_value(value)
    return f"<code>{_escape(text)}</code>"


def link(url: str, text: str | None = None) -> str:
    """A link to an http(s) URL (anything else stays text); external, never followed."""
    label = escape(url if text is None else text)
    if not linkable(url):
        return label
    return f'<a href="{escape(url)}" rel="nofollow noopener">{label}</a>'


def inline(text: str) -> str:
    """One line of chart text: escaped, URLs linked, backquoted spans as code."""
    out = []
    position = 0
    for match in URL.finditer(text):
        out.append(_spans(text[position : match.start()]))
        out.append(link(match.group()))
        position = match.end()
    out.append(_spans(text[position:]))
    return "".join(out)


def _spans(text: str) -> str:
    out = []
    position = 0
    for match in CODE_SPAN.finditer(text):
        out.append(escape(text[position : match.start()]))
        out.append(f"<code>{escape(match.group(2).strip() or match.group(2))}</code>")
        position = match.end()
    out.append(escape(text[position:]))
    return "".join(out)


def description(text: str) -> str:
    """A Kubernetes description (plain text) as HTML blocks: paragraphs (blank-line separated)
    and lists kept, wrapped lines joined."""
    return _description(text) if type(text) is str else _description(str(text))


@functools.lru_cache(maxsize=8192)  # versions and CRDs repeat descriptions
def _description(text: str) -> str:
    blocks: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        lines = [line.rstrip() for line in paragraph.split("\n") if line.strip()]
        items: list[list[str]] = []
        prose: list[str] = []
        for line in lines:
            item = LIST_ITEM.match(line)
            if item:
                if prose:
                    blocks.append(f"<p>{inline(' '.join(prose))}</p>")
                    prose = []
                items.append([line[item.end() :].strip()])
            elif items and line.startswith((" ", "\t")):
                items[-1].append(line.strip())
            else:
                if items:
                    blocks.append(_list(items))
                    items = []
                prose.append(line.strip())
        if items:
            blocks.append(_list(items))
        if prose:
            blocks.append(f"<p>{inline(' '.join(prose))}</p>")
    return "".join(blocks)


def _list(items: list[list[str]]) -> str:
    return "<ul>" + "".join(f"<li>{inline(' '.join(item))}</li>" for item in items) + "</ul>"


def first_sentence(text: str, limit: int = 160) -> str:
    """The first sentence of a description, shortened, as inline HTML."""
    return inline(sentence(text, limit))


def breakable(path: str) -> str:
    """A dotted path, escaped, that may wrap after each dot (never inside a name)."""
    return escape(path).replace(".", ".<wbr>")


def _bare(html: str) -> str:
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return html[3:-4]
    return html


def clear_caches() -> None:
    """Forget the descriptions converted so far."""
    _description.cache_clear()


def _as_markup(function: Callable[..., str]) -> Callable[..., Markup]:
    """``function``, its HTML marked safe for Jinja."""
    return lambda *args, **kwargs: Markup(function(*args, **kwargs))


def filters() -> dict[str, Any]:
    """The HTML filters templates use, by name (each returns finished HTML)."""
    return {
        name: _as_markup(function)
        for name, function in {
            "description": description,
            "inline": inline,
            "code": code,
            "link": link,
            "first_sentence": first_sentence,
            "breakable": breakable,
            "paragraph": lambda text: _bare(description(text)),
        }.items()
    }
