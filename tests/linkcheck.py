"""A link checker for what the tests build: every relative link of a built site (HTML) or of a
Markdown folder or file leads to a file that exists, and its ``#anchor`` to an id on that page.

It trusts nothing crdoc says about its own anchors: ids are read back from the output as a
browser (HTML: ``id`` attributes, ``<a name>``) or GitHub (Markdown: its heading slugs, and
``<a id>``/``<a name>`` anchors) would find them. Each file is read once and its ids kept, so a
site of hundreds of thousands of links is checked in seconds.
"""

from __future__ import annotations

import os
import posixpath
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token

#: A URL with a scheme (``https:``, ``mailto:``, ``data:``): not a file of the output.
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
#: ``<meta http-equiv="refresh" content="0; url=latest/">``: a redirect is a link too.
_REFRESH_URL = re.compile(r"url\s*=\s*['\"]?([^'\"]*)", re.IGNORECASE)
#: The attributes of each element that name another file or a place on a page.
_LINK_ATTRIBUTES = {
    "a": ("href",),
    "area": ("href",),
    "link": ("href",),
    "img": ("src",),
    "script": ("src",),
    "iframe": ("src",),
    "source": ("src",),
    "audio": ("src",),
    "video": ("src",),
}


@dataclass(frozen=True, slots=True)
class Broken:
    """A link that leads nowhere."""

    page: str
    """The page holding the link, relative to the checked folder."""
    link: str
    """The link as written."""
    reason: str
    """``no file``, ``no anchor`` or ``outside``."""

    def __str__(self) -> str:
        return f"{self.page}: {self.link} ({self.reason})"


@dataclass(slots=True)
class Report:
    """What a check found."""

    pages: int = 0
    links: int = 0
    """Relative links checked (links to other sites are not counted)."""
    broken: list[Broken] = field(default_factory=list)

    def summary(self, shown: int = 20) -> str:
        """The counts by reason and page kind, and the first ``shown`` broken links."""
        reasons = Counter(item.reason for item in self.broken)
        lines = [
            f"{len(self.broken)} of {self.links} links broken in {self.pages} pages "
            + ", ".join(f"{count} {reason}" for reason, count in sorted(reasons.items()))
        ]
        lines += [f"  {item}" for item in self.broken[:shown]]
        if len(self.broken) > shown:
            lines.append(f"  … and {len(self.broken) - shown} more")
        return "\n".join(lines)


@dataclass(slots=True)
class _Scanned:
    """One page read: the ids it holds and the links it makes."""

    ids: set[str] = field(default_factory=set)
    links: list[str] = field(default_factory=list)


# -- HTML ---------------------------------------------------------------------------------------


class _HtmlScan(HTMLParser):
    """Ids and links of an HTML page or fragment (``anchors_on``: elements whose ``id``
    counts, every element when ``None``)."""

    def __init__(self, scanned: _Scanned, anchors_on: frozenset[str] | None = None) -> None:
        super().__init__(convert_charrefs=True)
        self.scanned = scanned
        self.anchors_on = anchors_on

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        found = values.get("id")
        if found is not None and (self.anchors_on is None or tag in self.anchors_on):
            self.scanned.ids.add(found)
        if tag == "a" and values.get("name") is not None:
            self.scanned.ids.add(values["name"] or "")
        for name in _LINK_ATTRIBUTES.get(tag, ()):
            value = values.get(name)
            if value is not None:
                self.scanned.links.append(value)
        if tag == "meta" and (values.get("http-equiv") or "").lower() == "refresh":
            match = _REFRESH_URL.search(values.get("content") or "")
            if match:
                self.scanned.links.append(match.group(1).strip())

    handle_startendtag = handle_starttag


def _scan_html(text: str) -> _Scanned:
    scanned = _Scanned()
    parser = _HtmlScan(scanned)
    parser.feed(text)
    parser.close()
    return scanned


# -- Markdown (GitHub) --------------------------------------------------------------------------

#: GitHub's Markdown as far as links go: CommonMark with tables and strikethrough.
_MARKDOWN = MarkdownIt("commonmark", {"maxNesting": 1000}).enable(["table", "strikethrough"])


def github_slug(text: str) -> str:
    """The id GitHub gives a heading whose text is ``text`` (before making it unique): lower
    case, everything but letters, marks, numbers, ``_``, ``-`` and spaces dropped, spaces as
    ``-`` (github-slugger; html-pipeline's ``[^\\p{Word}\\- ]``)."""
    kept = (char for char in text.lower() if char in " -" or _is_word(char))
    return "".join(kept).replace(" ", "-")


def _is_word(char: str) -> bool:
    """Ruby's and JavaScript's ``\\p{Word}``: a letter, mark, number or connector (``_``)."""
    category = unicodedata.category(char)
    return category[0] in "LMN" or category == "Pc"


class _Slugger:
    """Unique heading slugs, as github-slugger makes them: a repeat gets ``-1``, ``-2``…"""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def slug(self, text: str) -> str:
        base = slug = github_slug(text)
        number = 0
        while slug in self.seen:
            number += 1
            slug = f"{base}-{number}"
        self.seen.add(slug)
        return slug


def _inline_text(token: Token) -> str:
    """The text a heading shows (its HTML tags left out, as GitHub reads ``textContent``)."""
    parts = []
    for child in token.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


def _scan_markdown(text: str) -> _Scanned:
    scanned = _Scanned()
    # GitHub's sanitizer keeps the anchors of <a id> and <a name> (as user-content-…); a
    # <span id> or <div id> loses its id.
    html = _HtmlScan(scanned, anchors_on=frozenset({"a"}))
    slugger = _Slugger()
    tokens = _MARKDOWN.parse(text)
    for index, token in enumerate(tokens):
        if token.type == "html_block":
            html.feed(token.content)
        elif token.type == "heading_open":
            scanned.ids.add(slugger.slug(_inline_text(tokens[index + 1])))
        elif token.type == "inline":
            for child in token.children or ():
                if child.type == "link_open":
                    scanned.links.append(str(child.attrGet("href") or ""))
                elif child.type == "image":
                    scanned.links.append(str(child.attrGet("src") or ""))
                elif child.type == "html_inline":
                    html.feed(child.content)
    html.close()
    return scanned


# -- checking -----------------------------------------------------------------------------------


class LinkChecker:
    """Checks links of pages under ``root`` (``suffix``: ``.html`` or ``.md``, how pages are
    read), reading each page once and resolving each link once per folder."""

    def __init__(self, root: Path, suffix: str) -> None:
        self.root = root.resolve()
        self.suffix = suffix
        self.scan = _scan_html if suffix == ".html" else _scan_markdown
        self.report = Report()
        self._root = self.root.as_posix()
        self._index = "index.html" if suffix == ".html" else "README.md"
        self._scanned: dict[str, _Scanned] = {}
        self._resolved: dict[tuple[str, str], tuple[str | None, str, str | None]] = {}

    def scanned(self, path: str) -> _Scanned:
        """The ids and links of the page at ``path`` (absolute), read once."""
        found = self._scanned.get(path)
        if found is None:
            text = Path(path).read_text(encoding="utf-8", errors="replace")
            found = self._scanned[path] = self.scan(text)
        return found

    def check_page(self, page: Path) -> None:
        """Check every link of ``page`` (a file under the root)."""
        self.report.pages += 1
        path = page.as_posix()
        name = posixpath.relpath(path, self._root)
        for link in self.scanned(path).links:
            reason = self.check_link(page, link)
            if reason is not None:
                self.report.broken.append(Broken(name, link, reason))

    def check_link(self, page: Path, link: str) -> str | None:
        """Why ``link`` on ``page`` is broken, or ``None``; links to other sites pass."""
        link = link.strip()
        if _SCHEME.match(link) or link.startswith("//"):
            return None
        self.report.links += 1
        folder = page.parent.as_posix()
        key = (folder, link)
        found = self._resolved.get(key)
        if found is None:
            found = self._resolved[key] = self._resolve(folder, link)
        target, fragment, reason = found
        if reason is not None:
            return reason
        if not fragment:
            return None
        target = target or page.as_posix()
        if not target.endswith(self.suffix):
            return None
        ids = self.scanned(target).ids
        if fragment in ids or unquote(fragment) in ids:
            return None
        return "no anchor"

    def _resolve(self, folder: str, link: str) -> tuple[str | None, str, str | None]:
        """(target file, or ``None`` for the page itself; fragment; why it is broken)."""
        parts = urlsplit(link)
        if not parts.path:
            return None, parts.fragment, None
        if parts.path.startswith("/"):
            return None, parts.fragment, "absolute"  # depends on where the site is served
        target = posixpath.normpath(posixpath.join(folder, unquote(parts.path)))
        if target != self._root and not target.startswith(self._root + "/"):
            return None, parts.fragment, "outside"
        if os.path.isdir(target):
            target = posixpath.join(target, self._index)
        if not os.path.isfile(target):
            return None, parts.fragment, "no file"
        return target, parts.fragment, None


def _pages(root: Path, suffix: str) -> Iterator[Path]:
    return iter(sorted(root.rglob(f"*{suffix}")))


def check_site(root: Path, *, skip: Iterable[str] = ("404.html",)) -> Report:
    """Check every HTML page of a built site (``skip``: page names left out; MkDocs' 404 page
    links from the server's root, wherever the site is)."""
    checker = LinkChecker(root, ".html")
    skipped = set(skip)
    for page in _pages(checker.root, ".html"):
        if page.name not in skipped:
            checker.check_page(page)
    return checker.report


def check_markdown(path: Path) -> Report:
    """Check every Markdown file of a folder, or one Markdown file."""
    if path.is_file():
        checker = LinkChecker(path.parent, ".md")
        checker.check_page(path.resolve())
        return checker.report
    checker = LinkChecker(path, ".md")
    for page in _pages(checker.root, ".md"):
        checker.check_page(page)
    return checker.report
