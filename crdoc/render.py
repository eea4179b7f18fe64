"""Rendering the model into Markdown pages through Jinja2 templates (users may override any).

The environment is built per run from :class:`RenderOptions`; the user's template folder comes
first on the search path. Undefined names fail loudly, and every printed value is escaped as
Markdown unless a filter returned finished Markdown (see :mod:`crdoc.markup`).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import posixpath
import re
import stat
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from jinja2.filters import do_indent
from markupsafe import Markup

from crdoc import markup, present
from crdoc.annotations import ResolvedAnnotations, empty_annotations
from crdoc.errors import CrdocError
from crdoc.model import Catalog, Crd, Field, Version, anchor_for

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


#: Where compiled templates are kept between runs; empty to keep none.
CACHE_VARIABLE = "CRDOC_CACHE_DIR"


def template_cache(flavour: str) -> jinja2.BytecodeCache | None:
    """Compiled templates kept between runs (compiling the shipped ones costs ~30 ms a run).

    In ``$CRDOC_CACHE_DIR`` (default ``$XDG_CACHE_HOME/crdoc`` or ``~/.cache/crdoc``), in a
    folder per crdoc code, Jinja, Python and flavour: Jinja checks each template's source
    itself, but folds constant filter calls into the compiled code, so a change of crdoc's
    filters (or of the flavour ``code_cell`` is made for) must not reuse it. Compiled code is
    run, so a folder another user could write to is never used. ``None`` (no cache) when the
    variable is set empty, or no safe folder can be had."""
    root = os.environ.get(CACHE_VARIABLE)
    if root == "":
        return None
    if root is None:
        home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        root = os.path.join(home, "crdoc")
    if not os.path.isabs(root):  # no home folder ("~" unexpanded): not in the working folder
        return None
    folder = os.path.join(root, f"templates-{_code_digest()}-{flavour}")
    made = False
    if not os.path.isdir(folder):
        try:
            os.makedirs(root, mode=0o700, exist_ok=True)  # private even under umask 002
            os.mkdir(folder, mode=0o700)
            made = True
        except FileExistsError:
            pass  # made by a run alongside
        except OSError:
            return None
    if not (_private(root) and _private(folder)):
        return None
    if made:
        _prune(root)
    return _TemplateCache(folder)


def _private(folder: str) -> bool:
    """Whether ``folder`` is a real folder of this user's that nobody else may write to."""
    if not hasattr(os, "getuid"):  # pragma: no cover - Windows: per-user profile folders
        return os.path.isdir(folder)
    try:
        info = os.lstat(folder)
    except OSError:
        return False
    return (
        stat.S_ISDIR(info.st_mode)
        and info.st_uid == os.getuid()
        and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    )


#: Cache folders kept (other crdoc versions or checkouts, other flavours); older ones go.
KEEP_CACHES = 8
_CACHE_NAME = re.compile(r"templates-[0-9a-f]{16}-(?:github|mkdocs)")


def _prune(root: str) -> None:
    """Drop all but the KEEP_CACHES most recently made template caches in ``root`` (only
    folders named as crdoc names them)."""
    import shutil

    try:
        caches = [e for e in os.scandir(root) if _CACHE_NAME.fullmatch(e.name) and e.is_dir()]
        caches.sort(key=lambda e: e.stat().st_mtime_ns, reverse=True)
    except OSError:
        return
    for entry in caches[KEEP_CACHES:]:
        shutil.rmtree(entry.path, ignore_errors=True)


@functools.cache
def _code_digest() -> str:
    """A digest of the code compiled templates depend on: crdoc's modules, Jinja's and
    MarkupSafe's (by size and modification time), and Python."""
    import markupsafe

    digest = hashlib.sha256(sys.version.encode())
    files = [os.path.join(os.path.dirname(jinja2.__file__), "compiler.py"), markupsafe.__file__]
    package = os.path.dirname(os.path.abspath(__file__))
    files += sorted(e.path for e in os.scandir(package) if e.name.endswith(".py"))
    for name in files:
        info = os.stat(name)
        digest.update(f"{os.path.basename(name)} {info.st_size} {info.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


class _TemplateCache(jinja2.FileSystemBytecodeCache):
    """A cache that never fails a run: a folder that cannot be written keeps nothing, and a
    damaged entry is compiled again (and then rewritten)."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # truncated or garbled: pickle and marshal raise anything
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def make_environment(options: RenderOptions) -> jinja2.Environment:
    """A Jinja environment for one run: user templates first, strict, Markdown-escaping."""
    search_path = [str(default_templates())]
    if options.templates is not None:
        if not options.templates.is_dir():
            raise CrdocError("template folder not found", path=str(options.templates))
        search_path.insert(0, str(options.templates))
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(search_path),
        bytecode_cache=template_cache(options.flavour),
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


# Schema keywords field_facts() says nothing about (the heading and summary show them).
_SILENT_FACTS = frozenset(
    {
        "description",
        "type",
        "format",
        "default",
        "title",
        "x-kubernetes-int-or-string",
        "x-kubernetes-preserve-unknown-fields",
        "x-kubernetes-embedded-resource",
        "additionalProperties",
        "exclusiveMinimum",
        "exclusiveMaximum",
    }
)


def field_facts(field: Field) -> Markup:
    """List items of what a field's schema says (allowed values, constraints, item facts,
    nullability, list semantics, CEL rules, example, other keywords), one a line, each line
    ending with a newline (empty when there is nothing to say)."""
    return Markup(_facts(field))


def _facts(field: Field) -> str:
    facts = field.facts
    if _SILENT_FACTS.issuperset(facts):  # most fields: a type and a description
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
