"""Field rows: what one field shows on a page, worked out once (:class:`Row`), and the fast
path that writes rows as HTML (the site) or Markdown (GitHub) in Python.

A row is one compact line — name, type, "required", default, allowed values, bounds, status
chips — with the description and the other facts beneath, and its children nested inside
(collapsible on the site). A field that uses a recovered type (:mod:`crdoc.reports.types`)
shows the type's name, linked to the type's section, instead of its children.

The shipped templates ``field_row``, ``chips`` and ``callout`` (``.html.jinja`` and
``.md.jinja``) write exactly what :func:`rows_html` and :func:`rows_markdown` write; the
renderer calls these only when none of those templates is overridden (a page may hold
thousands of rows: one template call per row costs ~20× more), and a test checks that both
give the same bytes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from markupsafe import escape as _escape

from crdoc.keywords import STANDARD_FIELDS
from crdoc.model import Field, anchor_for
from crdoc.render import html as h
from crdoc.render import markup, present
from crdoc.reports.types import KnownRef, RecoveredType

if TYPE_CHECKING:  # only annotated: pages without annotations never import their module
    from crdoc.reports.annotations import Annotation

#: Status chips: key → (label, emoji for GitHub, where HTML colours come from the key).
CHIPS = {
    "non-functional": ("does not work", "⛔"),
    "cloud-only": ("cloud-only", "☁️"),
    "deprecated": ("deprecated", "⚠️"),
    "experimental": ("experimental", "🧪"),
    "internal": ("internal", "🔒"),
    "unchecked": ("unchecked", "❔"),
    "undocumented": ("undocumented", "∅"),
    "standard": ("Kubernetes standard", "☸️"),
}

#: Allowed values shown on the row itself up to this many (and this much text).
_ENUM_ON_ROW = 6
_ENUM_ON_ROW_CHARS = 80


@dataclass(slots=True)
class Row:
    """One field as its row shows it."""

    field: Field
    id: str
    """The row's element id (the field's anchor)."""
    path: str
    """The field's path as readers know it (relative to the type, in a type's section)."""
    type_label: str
    """``[]Container`` for a use of a type, else the field's own (``map[string]string`` …)."""
    type_href: str | None = None
    """Where the type name links: the type's section, or the Kubernetes API reference."""
    known: KnownRef | None = None
    """The Kubernetes type the field is, when it fits one."""
    uses: RecoveredType | None = None
    """The recovered type the field uses (its children are in the type's section)."""
    note: Annotation | None = None
    """The maintainers' annotation, or a status the schema implies."""
    description: str = ""
    standard: bool = False
    """The description is Kubernetes' standard wording (the CRD gives none)."""
    chips: list[str] = dataclasses.field(default_factory=list)
    """Status chip keys (:data:`CHIPS`), in order."""
    children: list[Row] = dataclasses.field(default_factory=list)
    heading: str | None = None
    """What the row shows instead of the field's name: its whole path, when a page split in
    parts shows a nested field without its parents."""

    @property
    def name(self) -> str:
        """What the row's line starts with: the field's name (or :attr:`heading`)."""
        return self.heading or self.field.name

    @property
    def required(self) -> bool:
        """Whether the enclosing object requires the field."""
        return self.field.required

    @property
    def default(self) -> str | None:
        """The default as JSON text (``None``: no default; ``0``/``false``/``""`` are ones)."""
        return markup.json_value(self.field.default) if self.field.has_default else None

    @property
    def enum(self) -> tuple[str, ...]:
        """Allowed values as JSON text."""
        return tuple(markup.json_value(value) for value in self.field.enum)

    @property
    def enum_on_row(self) -> bool:
        """Whether the allowed values are few and short enough for the row itself."""
        values = self.enum
        return 0 < len(values) <= _ENUM_ON_ROW and sum(map(len, values)) <= _ENUM_ON_ROW_CHARS

    @property
    def bounds(self) -> list[str]:
        """Ranges of value, length, items and properties, in words (``0 ≤ value ≤ 10``)."""
        return [
            text
            for label, text in present.constraints(self.field.facts)
            if label in ("Range", "Length", "Items", "Properties", "Multiple of")
        ]

    @property
    def facts(self) -> list[tuple[str, str, Any]]:
        """What else the schema says, as ``(label, kind, value)``: kind ``code`` (a value to
        show as code), ``codes`` (a tuple of values, each as code), ``text`` (prose) or
        ``rule`` (a CEL rule and its message, as code)."""
        return list(_facts(self))


#: What Kubernetes writes for every int-or-string (and Quantity) field: said by its type.
_INT_OR_STRING = [{"type": "integer"}, {"type": "string"}]


def _facts(row: Row) -> Iterable[tuple[str, str, Any]]:
    field = row.field
    facts, items = field.facts, field.items
    if row.enum and not row.enum_on_row:
        yield ("Allowed values", "codes", row.enum)
    said_by_type = set()
    if facts.get("x-kubernetes-int-or-string"):
        if facts.get("anyOf") == _INT_OR_STRING:
            said_by_type.add("anyOf")
        if field.type_label == "Quantity":
            said_by_type.add("Pattern")  # Kubernetes' own quantity syntax
    for label, text in present.constraints(facts):
        if label not in ("Range", "Length", "Items", "Properties", "Multiple of", *said_by_type):
            yield (label, "code", text)
    for label, text in present.constraints(items):
        yield (f"Each item, {label.lower()}", "code", text)
    if items.get("description") and not row.uses:
        yield ("Each item", "text", str(items["description"]))
    if facts.get("nullable"):
        yield ("Nullable", "text", "null is accepted")
    semantics = present.list_semantics(facts)
    if semantics:
        yield ("List semantics", "text", semantics)
    for rule in field.validations:
        yield ("Rule", "rule", _rule_text(rule))
    if "example" in facts:
        yield ("Example", "code", markup.json_value(facts["example"]))
    for label, text in present.other_facts(facts):
        yield (label, "code", text)


def _rule_text(rule: Mapping[str, Any]) -> str:
    parts = [str(rule.get("rule", ""))]
    for key, lead in (
        ("message", " — "),
        ("messageExpression", " — message expression: "),
        ("reason", " — reason: "),
        ("fieldPath", " — on "),
    ):
        if rule.get(key):
            parts.append(f"{lead}{rule[key]}")
    return "".join(parts)


# -- building rows --------------------------------------------------------------------------------


class RowBuilder:
    """Builds the rows of one page: a version's fields, and the sections of types."""

    def __init__(
        self,
        *,
        notes: Callable[[str, str], Mapping[str, Annotation]],
        type_of: Callable[[str, str, str], RecoveredType | None],
        known_of: Callable[[str, str, str], KnownRef | None],
        type_href: Callable[[RecoveredType], str],
    ) -> None:
        self._notes = notes
        self._type_of = type_of
        self._known_of = known_of
        self._type_href = type_href

    def version_rows(self, crd: str, version: str, roots: Sequence[Field]) -> list[Row]:
        """The rows of a version's fields, top-level fields first, children nested."""
        notes = self._notes(crd, version)
        return [self._row(crd, version, root, notes, "", root.path) for root in roots]

    def type_rows(self, recovered: RecoveredType) -> list[Row]:
        """The rows of a type's fields (ids and paths relative to the type)."""
        use = recovered.first
        notes = self._notes(use.crd, use.version)
        prefix = recovered.node.path + "."
        anchor = f"type-{recovered.slug}."
        return [
            self._row(use.crd, use.version, child, notes, anchor, child.path.removeprefix(prefix))
            for child in recovered.node.children
        ]

    def _row(
        self,
        crd: str,
        version: str,
        item: Field,
        notes: Mapping[str, Annotation],
        anchor_prefix: str,
        path: str,
    ) -> Row:
        note = notes.get(item.path)
        used = self._type_of(crd, version, item.path) if item.children else None
        known = used.known if used else None
        if used is None and item.children:
            known = self._known_of(crd, version, _node_path(item))
        label = item.type_label
        href = None
        if used is not None:
            label = _with_name(label, used.name)
            href = self._type_href(used)
        elif known is not None:
            label = _with_name(label, known.kind)
            href = known.url
        row = Row(
            field=item,
            id=anchor_for(anchor_prefix + path),
            path=path,
            type_label=label,
            type_href=href,
            known=known,
            uses=used,
            note=note,
            description=item.description if item.is_documented else "",
        )
        if not row.description and item.depth == 0 and item.name in STANDARD_FIELDS:
            row.description, row.standard = STANDARD_FIELDS[item.name], True
        row.chips = _chips(row)
        if used is None:
            row.children = [
                self._row(crd, version, child, notes, anchor_prefix, f"{path}.{child.name}")
                for child in item.children
            ]
        return row


def _node_path(item: Field) -> str:
    """The path the Kubernetes types are keyed by: a map's ``*`` field for ``map[string]T``."""
    if item.children and all(child.name == "*" for child in item.children):
        return item.children[0].path
    return item.path


def _with_name(label: str, name: str) -> str:
    """``[]object`` → ``[]Container``; ``map[string]object`` → ``map[string]Container``."""
    for generic in ("object (embedded resource)", "object"):
        if label.endswith(generic):
            return label[: -len(generic)] + name
    return name


def _chips(row: Row) -> list[str]:
    chips = []
    status = row.note.status if row.note else None
    if status in CHIPS:
        chips.append(status)
    if row.standard:
        chips.append("standard")
    elif not row.description and not (row.note and (row.note.note or row.note.reason)):
        chips.append("undocumented")
    return chips


def iter_rows(rows: Iterable[Row]) -> Iterable[Row]:
    """Every row, depth-first."""
    for row in rows:
        yield row
        yield from iter_rows(row.children)


# -- HTML -----------------------------------------------------------------------------------------


def rows_html(rows: Iterable[Row]) -> str:
    """Rows as the site's HTML (what ``field_row.html.jinja`` writes)."""
    return "".join(row_html(row) for row in rows)


def row_html(row: Row) -> str:
    """One row and everything nested in it."""
    ident = _escape(row.id)
    summary = summary_html(row)
    body = body_html(row)
    if row.children:
        kids = "".join(row_html(child) for child in row.children)
        return (
            f'<details class="cf" id="{ident}" open><summary>{summary}</summary>{body}'
            f'<div class="ck">{kids}</div></details>\n'
        )
    return f'<div class="cf" id="{ident}">{summary}{body}</div>\n'


def summary_html(row: Row) -> str:
    """The row's line: name, type, required, default, allowed values, bounds, chips."""
    label = _escape(row.type_label)
    kind = f"<code>{label}</code>"
    if row.type_href:
        outside = ' rel="nofollow noopener"' if row.uses is None else ""
        kind = f'<a class="cl" href="{_escape(row.type_href)}"{outside}>{kind}</a>'
    parts = [f'<b class="cn">{_escape(row.name)}</b>', kind]
    if row.required:
        parts.append('<span class="cq">required</span>')
    if row.default is not None:
        parts.append(f'<span class="cv">= <code>{_escape(row.default)}</code></span>')
    if row.enum_on_row:
        values = " | ".join(f"<code>{_escape(value)}</code>" for value in row.enum)
        parts.append(f'<span class="ce">{values}</span>')
    for text in row.bounds:
        parts.append(f'<span class="cb">{_escape(text)}</span>')
    parts.append(chips_html(row.chips))
    return " ".join(part for part in parts if part)


def chips_html(chips: Sequence[str]) -> str:
    """Status chips as coloured labels (what ``chips.html.jinja`` writes)."""
    return " ".join(f'<span class="chip chip-{key}">{CHIPS[key][0]}</span>' for key in chips)


def body_html(row: Row) -> str:
    """What is under the row's line: description, the annotation, the other facts."""
    parts = []
    if row.description:
        parts.append(_paragraph(h.description(row.description)))
    if row.note is not None and (row.note.reason or row.note.note or row.note.see):
        parts.append(callout_html(row.note))
    facts = row.facts
    if facts:
        items = "".join(
            f"<li>{_fact_html(label, kind, value)}</li>" for label, kind, value in facts
        )
        parts.append(f'<ul class="cx">{items}</ul>')
    return f'<div class="cd">{"".join(parts)}</div>' if parts else ""


def _paragraph(html: str) -> str:
    """A description of one paragraph without its ``<p>`` (the row's body is its block)."""
    return h._bare(html)


def _fact_html(label: str, kind: str, value: Any) -> str:
    if kind == "codes":
        shown = ", ".join(f"<code>{_escape(v)}</code>" for v in value)
    elif kind in ("code", "rule"):
        shown = f"<code>{_escape(value)}</code>"
    else:
        shown = h.inline(value)
    return f"{_escape(label)}: {shown}"


def callout_html(note: Annotation) -> str:
    """An annotation as a coloured box (what ``callout.html.jinja`` writes)."""
    style = present.status_style(note.status)
    title = _escape(style[2]) if note.status else "Maintainers' note"
    parts = [f'<p class="admonition-title">{title}</p>']
    if note.reason:
        parts.append(h.description(note.reason))
    if note.note:
        lead = "<strong>Maintainers' note:</strong> " if note.status else ""
        parts.append(f"<p>{lead}{h.inline(note.note)}</p>")
    if note.since or note.until:
        when = []
        if note.since:
            when.append(f"Since <code>{_escape(note.since)}</code>")
        if note.until:
            when.append(f"until <code>{_escape(note.until)}</code>")
        parts.append(f"<p>{', '.join(when)}.</p>")
    if note.see:
        parts.append(f"<p>See {h.link(note.see)}.</p>")
    return f'<div class="admonition {style[0]}">{"".join(parts)}</div>'


# -- GitHub Markdown ------------------------------------------------------------------------------


def rows_markdown(rows: Iterable[Row], *, id_of: Callable[[str], str] = lambda a: a) -> str:
    """Rows as GitHub Markdown, nested lists (what ``field_row.md.jinja`` writes); ``id_of``
    makes an anchor an element id (single-file output prefixes the page's name)."""
    return "".join(row_markdown(row, 0, id_of) for row in rows)


def row_markdown(row: Row, depth: int, id_of: Callable[[str], str]) -> str:
    """One row and everything nested in it, as a list item indented ``depth`` levels: its
    line, the description under it, the annotation, then a paragraph of facts, one a line."""
    indent = "  " * depth
    inner = indent + "  "
    text = f"{indent}- {summary_markdown(row, id_of)}"
    if row.description:
        text += "<br>\n" + indented(str(markup.description(row.description)), inner)
    text += "\n"
    if row.note is not None and (row.note.reason or row.note.note or row.note.see):
        text += "\n" + indented(callout_markdown(row.note), inner) + "\n\n"
    facts = row.facts
    if facts:
        text += "\n" + "<br>\n".join(inner + _fact_markdown(*fact) for fact in facts) + "\n\n"
    return text + "".join(row_markdown(child, depth + 1, id_of) for child in row.children)


def summary_markdown(row: Row, id_of: Callable[[str], str]) -> str:
    """The row's line in Markdown (a hard line break after it when a description follows)."""
    kind: str = markup.code(row.type_label)
    if row.type_href:
        kind = f"[{kind}]({row.type_href})"
    parts = [f'<a id="{_escape(id_of(row.id))}"></a>**{markup.code(row.name)}**', kind]
    if row.required:
        parts.append("**required**")
    if row.default is not None:
        parts.append(f"default {markup.code(row.default)}")
    if row.enum_on_row:
        parts.append(" \\| ".join(str(markup.code(value)) for value in row.enum))
    for text in row.bounds:
        parts.append(str(markup.escape(text)))
    chips = chips_markdown(row.chips)
    if chips:
        parts.append(chips)
    return " · ".join(parts)


def chips_markdown(chips: Sequence[str]) -> str:
    """Status chips as emoji and words (what ``chips.md.jinja`` writes)."""
    return " ".join(f"{CHIPS[key][1]} *{CHIPS[key][0]}*" for key in chips)


def _fact_markdown(label: str, kind: str, value: Any) -> str:
    if kind == "codes":
        shown = ", ".join(str(markup.code(v)) for v in value)
    elif kind in ("code", "rule"):
        shown = str(markup.code(value))
    else:
        shown = str(markup.inline(value))
    return f"{markup.escape(label)}: {shown}"


def callout_markdown(note: Annotation) -> str:
    """An annotation as a GitHub alert (what ``callout.md.jinja`` writes)."""
    style = present.status_style(note.status)
    body = []
    if note.reason:
        body.append(str(markup.description(note.reason)))
    if note.note:
        lead = "**Maintainers' note:** " if note.status else ""
        body.append(f"{lead}{markup.description(note.note)}")
    if note.since or note.until:
        when = []
        if note.since:
            when.append(f"Since {markup.code(note.since)}")
        if note.until:
            when.append(f"until {markup.code(note.until)}")
        body.append(", ".join(when) + ".")
    if note.see:
        body.append(f"See {markup.link(note.see)}.")
    label = f"**{style[2]}.** " if note.status else ""
    quoted = markup.quote(label + "\n\n".join(body))
    return f"> [!{style[1]}]\n{quoted}"


def indented(text: str, prefix: str) -> str:
    """Every non-blank line of ``text`` after ``prefix`` (as Jinja's ``indent`` filter)."""
    return "\n".join(prefix + line if line else line for line in text.split("\n"))
