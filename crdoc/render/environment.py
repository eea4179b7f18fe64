"""The Jinja environment of one run: the user's template folder first on the search path,
undefined names an error, every printed value escaped as Markdown unless a filter returned
finished Markdown (see :mod:`crdoc.render.markup`)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from crdoc.errors import CrdocError
from crdoc.model import anchor_for
from crdoc.render import html, markup, present
from crdoc.render.cache import template_cache
from crdoc.render.rows import indented
from crdoc.reports.coverage import percent_text

DEFAULT_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


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
    index_name: str = "index.md"
    single_file: bool = False
    """All pages go into one file: ids carry their page's name, links stay in the file."""


def _search_path(options: RenderOptions) -> list[str]:
    search_path = [str(default_templates())]
    if options.templates is not None:
        if not options.templates.is_dir():
            raise CrdocError("template folder not found", path=str(options.templates))
        search_path.insert(0, str(options.templates))
    return search_path


def make_html_environment(options: RenderOptions) -> jinja2.Environment:
    """A Jinja environment for the site's HTML pages: user templates first, strict, every
    printed value escaped as HTML unless a filter returned finished HTML."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(_search_path(options)),
        bytecode_cache=template_cache("html"),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(html.filters())
    env.globals.update(
        status_style=present.status_style,
        percent=present.percent,
        percent_text=percent_text,
        raw=Markup,
    )
    return env


def user_overrides(options: RenderOptions, *names: str) -> bool:
    """Whether the user's template folder holds any of ``names``."""
    return options.templates is not None and any(
        (options.templates / name).is_file() for name in names
    )


def _indented(text: str, prefix: str) -> Markup:
    return Markup(indented(str(text), prefix))


def make_environment(options: RenderOptions) -> jinja2.Environment:
    """A Jinja environment for one run: user templates first, strict, Markdown-escaping."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(_search_path(options)),
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
        percent_text=percent_text,
        raw=Markup,
    )
    env.globals["indented"] = _indented
    env.filters["anchor_id"] = anchor_for
    env.filters["code_cell"] = functools.partial(markup.code_cell, flavour=options.flavour)
    env.filters["path_cell"] = functools.partial(markup.path_cell, flavour=options.flavour)
    return env


def render_template(env: jinja2.Environment, name: str, **context: Any) -> str:
    """Render template ``name``; a template mistake is a CrdocError naming its file and line."""
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise CrdocError(
            f"template error: {exc.message}", path=exc.filename or exc.name, line=exc.lineno
        ) from None
    except jinja2.TemplateNotFound as exc:
        raise CrdocError(f"template {exc.name} not found") from None
    except jinja2.UndefinedError as exc:
        where = _template_frame(exc)
        raise CrdocError(f"template error: {exc.message}", path=where[0], line=where[1]) from None


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
