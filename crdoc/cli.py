"""The ``crdoc`` command line: a thin layer that parses options, calls the library, reports."""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import click

from crdoc.dump import write_json, write_text
from crdoc.loader import LoadOptions, load
from crdoc.model import Catalog
from crdoc.sources import SourceFile


class SourceParam(click.ParamType):
    """A chart or CRD source: an existing path, or an ``https://`` URL."""

    name = "source"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value)
        if "://" in text or Path(text).exists():
            return text
        self.fail(f"{text!r}: no such file or folder (nor a URL)", param, ctx)


class _EchoHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"{record.levelname.capitalize()}: {record.getMessage()}", err=True)


def _setup_logging(quiet: bool) -> None:
    logger = logging.getLogger("crdoc")
    logger.handlers[:] = [_EchoHandler()]
    logger.setLevel(logging.ERROR if quiet else logging.INFO)
    logger.propagate = False


def source_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options every command that reads a source takes."""

    @click.argument("source", type=SourceParam())
    @click.option(
        "--skip-invalid",
        is_flag=True,
        help="Warn about malformed files and CRDs and document the rest, instead of failing.",
    )
    @click.option("--allow-http", is_flag=True, help="Also read plain http:// URLs.")
    @click.option("-q", "--quiet", is_flag=True, help="No progress bar, no warnings.")
    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return command(*args, **kwargs)

    return wrapper


def load_catalog(source: str, *, skip_invalid: bool, allow_http: bool, quiet: bool) -> Catalog:
    """Load a source for a command, with a progress bar on an interactive terminal."""
    _setup_logging(quiet)
    options = LoadOptions(skip_invalid=skip_invalid, allow_http=allow_http)
    return load(source, options, progress=None if quiet else _progress)


def _progress(files: Iterable[SourceFile]) -> Iterable[SourceFile]:
    files = list(files)
    if not sys.stderr.isatty() or len(files) < 2:
        yield from files
        return
    with click.progressbar(
        files, label="Reading", file=sys.stderr, item_show_func=lambda f: f.label if f else ""
    ) as bar:
        yield from bar


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="crdoc")
def cli() -> None:
    """Reference documentation for the CustomResourceDefinitions in Helm charts.

    \b
    Example:
      crdoc inspect examples/alloydbomni-operator
    """


@cli.command()
@source_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="A readable tree, or the full model as JSON.",
)
def inspect(source: str, fmt: str, skip_invalid: bool, allow_http: bool, quiet: bool) -> None:
    """Print every CRD, version and field found in SOURCE.

    SOURCE is a chart folder, a packaged chart (.tgz), a CRD YAML/JSON file, a folder of
    them, or an https:// URL of one.

    \b
    Examples:
      crdoc inspect examples/alloydbomni-operator
      crdoc inspect chart.tgz --format json > model.json
    """
    catalog = load_catalog(source, skip_invalid=skip_invalid, allow_http=allow_http, quiet=quiet)
    out = sys.stdout
    if fmt == "json":
        write_json(catalog, out)
    else:
        write_text(catalog, out)


def render_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Options of the commands that render pages."""

    @click.option(
        "--templates",
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        help="A folder of Jinja2 templates that replace the shipped ones by name.",
    )
    @click.option("--title", help="Title of the reference (default: the chart's name).")
    @click.option("--clean", is_flag=True, help="Replace an output folder crdoc did not write.")
    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return command(*args, **kwargs)

    return wrapper


@cli.command()
@source_options
@render_options
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=Path("site"),
    show_default=True,
    help="Folder to write the site (or, with --docs-only, the pages) into.",
)
@click.option("--site-url", help="The URL the site will be served from.")
@click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Your own mkdocs.yml: its theme, pages and nav, with the reference added.",
)
@click.option("--docs-only", is_flag=True, help="Write only the Markdown pages and nav.yml.")
def build(
    source: str,
    output: Path,
    templates: Path | None,
    title: str | None,
    clean: bool,
    site_url: str | None,
    config_file: Path | None,
    docs_only: bool,
    skip_invalid: bool,
    allow_http: bool,
    quiet: bool,
) -> None:
    """Build the reference site of SOURCE with MkDocs and mkdocs-material.

    \b
    Examples:
      crdoc build examples/alloydbomni-operator -o site/
      crdoc build chart.tgz -o site/ --title "My operator API" --site-url https://docs.example.com/api/
      crdoc build chart/ --config mkdocs.yml -o site/
      crdoc build chart/ --docs-only -o docs/reference/
    """
    from crdoc.render import RenderOptions
    from crdoc.site import SiteOptions, build_site

    catalog = load_catalog(source, skip_invalid=skip_invalid, allow_http=allow_http, quiet=quiet)
    options = SiteOptions(
        render=RenderOptions(templates=templates, title=title),
        title=title,
        site_url=site_url,
        config=config_file,
        docs_only=docs_only,
        clean=clean,
    )
    count = build_site(catalog, output, options)
    if not quiet:
        what = "pages" if docs_only else "site"
        click.echo(
            f"Wrote {what} of {len(catalog.crds)} CRDs ({count} pages) to {output}", err=True
        )


@cli.command()
@source_options
@render_options
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    help="Folder to write into (a file with --single-file).",
)
@click.option("--single-file", is_flag=True, help="Everything in one Markdown file.")
def markdown(
    source: str,
    output: Path,
    templates: Path | None,
    title: str | None,
    clean: bool,
    single_file: bool,
    skip_invalid: bool,
    allow_http: bool,
    quiet: bool,
) -> None:
    """Write GitHub-flavoured Markdown of SOURCE: README.md plus one file per CRD version.

    \b
    Examples:
      crdoc markdown examples/alloydbomni-operator -o api/
      crdoc markdown chart.tgz --single-file -o API.md
    """
    from crdoc.render import RenderOptions
    from crdoc.site import write_markdown

    catalog = load_catalog(source, skip_invalid=skip_invalid, allow_http=allow_http, quiet=quiet)
    options = RenderOptions(templates=templates, title=title)
    count = write_markdown(catalog, output, options=options, single_file=single_file, clean=clean)
    if not quiet:
        click.echo(f"Wrote {count} pages to {output}", err=True)


def main() -> None:
    """The console script."""
    cli(prog_name="crdoc")


if __name__ == "__main__":  # pragma: no cover
    main()
