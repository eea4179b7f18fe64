"""The Markdown of fields, built in Python: a CRD page may hold thousands of them, so the
default ``field`` block is one call of :meth:`PageHelpers.field_block` rather than dozens of
template operations; its pieces are helpers of their own for templates that change part of it."""

from __future__ import annotations

import functools
import posixpath
from collections.abc import Sequence
from typing import Any

from jinja2.filters import do_indent
from markupsafe import Markup

from crdoc.keywords import SUMMARISED
from crdoc.model import Field, Version, anchor_for
from crdoc.render import markup, present
from crdoc.render.layout import PageRef, page_id


class PageHelpers:
    """Links, ids and finished Markdown for one page. A CRD page may hold thousands of fields:
    the default ``field`` block is one call of :meth:`field_block` rather than dozens of
    template operations, and its pieces are helpers of their own for templates that change
    part of it (see ``_base/crd.md.jinja``). Templates get the bound methods by name."""

    __slots__ = (
        "_github",
        "_hrefs",
        "_path",
        "_prefix",
        "_siblings",
        "_single_file",
        "_version",
    )

    def __init__(
        self,
        path: str,
        *,
        flavour: str,
        single_file: bool,
        version: Version | None = None,
        siblings: Sequence[PageRef] = (),
    ) -> None:
        self._path = path
        self._github = flavour == "github"
        self._single_file = single_file
        self._prefix = page_id(path)
        self._version = version
        self._siblings = siblings
        self._hrefs: dict[str, str] = {}

    def element_id(self, anchor: str, page: str | None = None) -> str:
        """The id of an anchor on a page (in a single file, prefixed by the page's name)."""
        if not self._single_file:
            return anchor
        name = self._prefix if page is None or page == self._path else page_id(page)
        return f"{name}--{anchor}" if anchor else name

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

    def _here(self, anchor: str) -> str:
        """``link(page_path, anchor)``: a link to an anchor on this page."""
        if self._single_file:
            return f"#{self._prefix}--{anchor}" if anchor else "#" + self._prefix
        return "#" + anchor if anchor else "#"

    def callout(self, annotation: Any) -> Markup:
        """An annotation as an admonition (MkDocs) or an alert (GitHub): status, reason,
        maintainers' note, since/until and a "see" link."""
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
        if self._github:
            label = f"**{style[2]}.** " if annotation.status else ""
            quoted = markup.quote(Markup(label + body.strip()))
            return Markup(f"> [!{markup.escape(style[1])}]\n{quoted}\n")
        title = style[2] if annotation.status else "Maintainers' note"
        indented = do_indent(Markup(body.strip()), 4, first=True)
        return Markup(f'!!! {markup.escape(style[0])} "{markup.escape(title)}"\n\n{indented}\n')

    def field_block(self, field: Field, note: Any = None) -> Markup:
        """A field's whole block but the blank line after it: :meth:`field_heading`,
        :meth:`field_summary`, the description, the annotation's :meth:`callout`,
        :func:`field_facts` and :meth:`field_links` (spelt out in ``_base/crd.md.jinja``)."""
        documented = field.is_documented
        parts = [self._heading(field), "\n\n", self._summary(field, note, documented), "\n\n"]
        if documented:
            parts += (markup.description(field.description), "\n\n")
        if note:
            parts += (self.callout(note), "\n")
        parts += (_facts(field), self._links(field))
        return Markup("".join(parts))

    def field_heading(self, field: Field) -> Markup:
        """A field's heading line, ``### `path` ``, with the field's anchor (an ``<a id>``
        line before it on GitHub, an attribute list after it for MkDocs)."""
        return Markup(self._heading(field))

    def field_summary(self, field: Field, note: Any = None) -> Markup:
        """The line under a field's heading: its type, then "required", the default, the
        annotation's status and "undocumented" when they apply."""
        return Markup(self._summary(field, note, field.is_documented))

    def field_links(self, field: Field) -> Markup:
        """List items linking a field to its parent, its children and the same field in the
        CRD's other versions, one a line, each line ending with a newline (empty when there
        are none)."""
        return Markup(self._links(field))

    # The pieces as plain strings (a Markup object costs more to make than most pieces).

    def _heading(self, field: Field) -> str:
        ident = self.element_id(_anchor(field.path))
        if self._github:
            return f'<a id="{ident}"></a>\n\n### {markup.code(field.path)}'
        return f"### {markup.code(field.path)} {{ #{ident} }}"

    def _summary(self, field: Field, note: Any, documented: bool) -> str:
        text = markup.code(field.type_label)
        if field.required:
            text += " · **required**"
        if field.has_default:
            text += " · default " + markup.code(markup.json_value(field.default))
        if note and note.status:
            text += f" · **{markup.escape(present.status_style(note.status)[2].lower())}**"
        if not documented:
            text += " · *undocumented*"
        return text

    def _links(self, field: Field) -> str:
        code = markup.code
        here = self._here
        lines = []
        parent = field.parent_path
        if parent:
            lines.append(f"- Parent: [{code(parent)}]({here(_anchor(parent))})\n")
        if field.children:
            children = ", ".join(
                f"[{code(child.name)}]({here(_anchor(child.path))})" for child in field.children
            )
            lines.append(f"- Children: {children}\n")
        path = field.path
        others = [
            f"[{markup.escape(ref.version.name)}]({self.link(ref.path, _anchor(path))})"
            for ref in self._siblings
            if ref.version is not self._version and path in ref.field_paths
        ]
        if others:
            lines.append(f"- Other versions: {', '.join(others)}\n")
        return "".join(lines)

    def field_tree(self, root: Field) -> Markup:
        """The outline of a top-level field and of every field below it, one list item a
        line (nested by depth, no newline after the last), each linking to the field's
        block."""
        if self._version is None:
            return Markup("")
        prefix = root.path + "."
        here = self._here
        code = markup.code
        lines = [
            f"{'    ' * field.depth}- [{code(field.name)}]({here(_anchor(field.path))}) "
            f"{_escape_label(field.type_label)}{', required' if field.required else ''}"
            for field in self._version.fields
            if field.path == root.path or field.path.startswith(prefix)
        ]
        return Markup("\n".join(lines))


# Anchors and escaped type labels repeat across a page's outline, blocks and links.
_anchor = functools.lru_cache(maxsize=1 << 16)(anchor_for)
_escape_label = functools.lru_cache(maxsize=1024)(markup.escape)


def clear_caches() -> None:
    """Forget the chart text kept by rendering's caches (they are bounded, but may hold
    rendered descriptions of a big chart)."""
    _anchor.cache_clear()
    _escape_label.cache_clear()
    markup.clear_caches()


def field_facts(field: Field) -> Markup:
    """List items of what a field's schema says (allowed values, constraints, item facts,
    nullability, list semantics, CEL rules, example, other keywords), one a line, each line
    ending with a newline (empty when there is nothing to say)."""
    return Markup(_facts(field))


def _facts(field: Field) -> str:
    facts = field.facts
    if SUMMARISED.issuperset(facts):  # most fields: a type and a description
        return ""
    code = markup.code
    escape = markup.escape
    items = field.items
    lines = []
    enum = field.enum
    if enum:
        lines.append(f"- Allowed values: {', '.join(code(value) for value in enum)}\n")
    for label, text in present.constraints(facts):
        lines.append(f"- {escape(label)}: {code(text)}\n")
    for label, text in present.constraints(items):
        lines.append(f"- Each item, {escape(label.lower())}: {code(text)}\n")
    if items.get("description"):
        lines.append(f"- Each item: {markup.inline(items['description'])}\n")
    if facts.get("nullable"):
        lines.append("- Nullable: `null` is accepted\n")
    semantics = present.list_semantics(facts)
    if semantics:
        lines.append(f"- List semantics: {escape(semantics)}\n")
    for rule in field.validations:
        line = f"- Rule: {code(rule.get('rule', ''))}"
        if rule.get("message"):
            line += f" — {escape(rule['message'])}"
        if rule.get("messageExpression"):
            line += f" — message expression {code(rule['messageExpression'])}"
        if rule.get("reason"):
            line += f" ({escape(rule['reason'])})"
        if rule.get("fieldPath"):
            line += f" on {code(rule['fieldPath'])}"
        lines.append(line + "\n")
    if "example" in facts:
        lines.append(f"- Example: {code(facts['example'])}\n")
    for label, text in present.other_facts(facts):
        lines.append(f"- {code(label)}: {code(text)}\n")
    return "".join(lines)
