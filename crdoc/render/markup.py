"""Turning untrusted chart text into Markdown that renders the same on GitHub, MkDocs
(Python-Markdown) and MDX: the filters templates use, registered in :func:`filters`.

Every value a template prints passes through :func:`escape` unless a filter here marked it
as finished Markdown (:class:`markupsafe.Markup`): chart text is escaped by default.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from markupsafe import Markup

# Characters with a meaning in some Markdown dialect. `<`, `>`, `&`, `|` and `~` become
# character references (Python-Markdown has no backslash escape for them; a `|` must not
# split a GFM table cell; MDX reads `<` as JSX); the rest take a backslash, which every
# dialect honours.
_REFERENCES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "|": "&#124;", "~": "&#126;"}
_BACKSLASHED = set("\\`*_{}[]()#!")
# A line start that would open a list, a rule or a setext heading (`---`, `- x`, `1.`, `===`).
_LINE_START = re.compile(r"^(\s*)(?:([-+=])|(\d+)([.)]))")
#: A bare http(s) URL in chart text, and a line that starts a list item (the site's HTML
#: reads chart text by the same rules: :mod:`crdoc.render.html`).
URL = re.compile(r"https?://[^\s<>\"'`|\[\]{}]+[^\s<>\"'`|\[\]{}.,;:!?)]")
LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
#: A code span in chart text: a run of backticks, text, and a run of the same length
#: (CommonMark's rule).
CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")


# One table for str.translate: escaping runs at C speed (it is called for every printed value).
_ESCAPES = str.maketrans(
    {**_REFERENCES, **{c: "\\" + c for c in _BACKSLASHED}, "\n": " ", "\r": " "}
)


def escape(value: Any) -> Markup:
    """Any value as inline Markdown text: nothing in it can open markup or HTML."""
    if isinstance(value, Markup):
        return value
    text = (value if isinstance(value, str) else str(value)).translate(_ESCAPES)
    return Markup(_LINE_START.sub(_escape_line_start, text) if text[:1] in _STARTERS else text)


# First characters after which _LINE_START may apply (after optional blanks).
_STARTERS = frozenset("-+=0123456789 \t")


def _escape_line_start(match: re.Match[str]) -> str:
    indent, mark, number, dot = match.groups()
    return f"{indent}\\{mark}" if mark else f"{indent}{number}\\{dot}"


def link(url: str, text: str | None = None) -> Markup:
    """A link to an http(s) URL (its text escaped); any other scheme stays plain text."""
    label = escape(url if text is None else text)
    if not linkable(url):
        return label
    href = url.replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")
    return Markup(f"[{label}]({href})")


def linkable(url: str) -> bool:
    """Whether chart text names a URL crdoc links to: http(s), without blanks."""
    return re.match(r"https?://", url, re.I) is not None and not any(c.isspace() for c in url)


def quote(text: str) -> Markup:
    """Markdown as a block quote (each line prefixed by ``> ``), for GitHub alerts."""
    return Markup("\n".join("> " + line if line else ">" for line in str(text).split("\n")))


def inline(text: str) -> Markup:
    """Inline text with bare http(s) URLs turned into links (never other schemes) and
    backquoted spans kept as code, as the site's HTML shows them; everything else escaped."""
    pieces = []
    position = 0
    for match in URL.finditer(text):
        pieces.append(_spans(text[position : match.start()]))
        pieces.append(link(match.group()))
        position = match.end()
    pieces.append(_spans(text[position:]))
    return Markup("".join(pieces))


def _spans(text: str) -> str:
    """Escaped text whose code spans stay code. A span holding ``|`` stays text: GFM reads
    ``\\|`` as a pipe inside a table's code and as a backslash outside one."""
    pieces = []
    position = 0
    for match in CODE_SPAN.finditer(text):
        content = match.group(2)
        if "|" in content:
            continue
        pieces.append(escape(text[position : match.start()]))
        pieces.append(code(content.strip() or content))
        position = match.end()
    pieces.append(escape(text[position:]))
    return "".join(pieces)


def description(text: str) -> Markup:
    """A Kubernetes description (plain text) as Markdown blocks: paragraphs and lists kept,
    wrapped lines joined, URLs linked, everything else escaped."""
    if type(text) is str:  # versions and CRDs repeat descriptions: convert each text once
        return _description_cached(text)
    return _description(text)


def _description(text: str) -> Markup:
    blocks: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        lines = [line.rstrip() for line in paragraph.split("\n") if line.strip()]
        if not lines:
            continue
        out: list[str] = []
        current: list[str] = []
        in_list = False
        for line in lines:
            item = LIST_ITEM.match(line)
            if item:
                if current:
                    out.append(_join(current, in_list))
                current, in_list = [line[item.end() :]], True
            else:
                if current and in_list and not line.startswith((" ", "\t")):
                    out.append(_join(current, True))
                    current, in_list = [], False
                current.append(line.strip())
        if current:
            out.append(_join(current, in_list))
        # A list needs a blank line before it in Python-Markdown.
        block = ""
        for part in out:
            if block:
                block += (
                    "\n\n"
                    if part.startswith("- ") != block.split("\n")[-1].startswith("- ")
                    else "\n"
                )
            block += part
        blocks.append(block)
    return Markup("\n\n".join(blocks))


# Bounded: a big catalog's descriptions would otherwise all stay in memory.
_description_cached = functools.lru_cache(maxsize=8192)(_description)


def _join(lines: list[str], is_item: bool) -> str:
    text = inline(" ".join(line.strip() for line in lines))
    return f"- {text}" if is_item else str(text)


def sentence(text: str, limit: int = 160) -> str:
    """The first sentence of a description as plain text, shortened to ``limit``."""
    line = text.replace("\r", "\n").strip().split("\n\n", 1)[0].replace("\n", " ")
    match = re.match(r"(.+?[.!?])(\s|$)", line)
    if match:
        line = match.group(1)
    if len(line) > limit:
        line = line[: limit - 1].rstrip() + "…"
    return line


def first_sentence(text: str, limit: int = 160) -> Markup:
    """The first sentence of a description, shortened, for tables and summaries."""
    return inline(sentence(text, limit))


def code(value: Any) -> Markup:
    """Inline code, fenced with enough backticks (``<``, ``{`` are literal in code)."""
    if type(value) is str:  # names, paths and types repeat on every page: fence each once
        return _code_cached(value)
    return _code(value)


def _code(value: Any) -> Markup:
    text = value if isinstance(value, str) else json_value(value)
    if "\r" in text or "\n" in text:
        text = text.replace("\r", " ").replace("\n", " ")
    if "`" not in text:  # the common case: one backtick, no padding unless blank
        return Markup(f"`{text}`" if text.strip() else f"` {text} `")
    longest = max(len(run) for run in _BACKTICKS.findall(text))
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return Markup(f"{fence}{pad}{text}{pad}{fence}")


_BACKTICKS = re.compile(r"`+")
_code_cached = functools.lru_cache(maxsize=16384)(_code)


def clear_caches() -> None:
    """Empty the caches of :func:`description` and :func:`code`."""
    _description_cached.cache_clear()
    _code_cached.cache_clear()


def code_cell(value: Any, flavour: str = "github") -> Markup:
    """Inline code inside a table cell. GFM splits cells at every unescaped ``|``, code or not,
    and reads ``\\|`` as a pipe; Python-Markdown never splits inside a code span and would show
    the backslash."""
    cell = code(value)
    return cell if flavour == "mkdocs" else Markup(cell.replace("|", "\\|"))


def path_cell(value: Any, flavour: str = "github") -> Markup:
    """A dotted field path as inline code in a table cell. On a MkDocs site it may wrap after
    each dot, never inside a name (``<wbr>``; the text escaped as any Markdown text, so
    Python-Markdown prints it as written); GitHub strips ``<wbr>``, so there it is
    :func:`code_cell`."""
    if flavour != "mkdocs":
        return code_cell(value, flavour)
    text = str(escape(value if isinstance(value, str) else json_value(value)))
    return Markup("<code>" + text.replace(".", ".<wbr>") + "</code>")


def code_block(text: str, language: str = "") -> Markup:
    """A fenced code block whose fence no line of ``text`` can close."""
    longest = max((len(run) for run in re.findall(r"^\s*(`{3,}|~{3,})", text, re.M)), default=2)
    fence = "`" * max(3, longest + 1)
    return Markup(f"{fence}{language}\n{text.rstrip()}\n{fence}")


def json_value(value: Any) -> str:
    """A schema value (default, enum member, example) as compact JSON."""
    return json.dumps(value, ensure_ascii=False, sort_keys=False, default=_plain)


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return dict(value)
    return str(value)


def filters() -> dict[str, Callable[..., Any]]:
    """Every filter the templates may use, by name."""
    return {
        "escape_md": escape,
        "inline": inline,
        "description": description,
        "first_sentence": first_sentence,
        "code": code,
        "code_cell": code_cell,
        "path_cell": path_cell,
        "link": link,
        "quote": quote,
        "code_block": code_block,
        "json": json_value,
    }
