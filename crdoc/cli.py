"""The ``crdoc`` command line: a thin layer that parses options, calls the library, reports."""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Callable, Iterable
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from click.core import ParameterSource

from crdoc.errors import CrdocError
from crdoc.load.limits import Limits
from crdoc.load.loader import LoadOptions, load
from crdoc.load.sources import SourceFile, find_default_annotations
from crdoc.model import STATUSES, Catalog

if TYPE_CHECKING:
    # Imported where used: a command imports only what it needs (start-up time counts in CI).
    from crdoc.reports.annotations import ResolvedAnnotations


class SourceParam(click.ParamType):
    """A chart or CRD source: an existing path, or an ``https://`` URL."""

    name = "source"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value)
        if "://" in text or Path(text).exists():
            return text
        self.fail(f"{text!r}: no such file or folder (nor a URL)", param, ctx)


#: The files a settings file may be, in the current folder (crdoc.settings reads them).
SETTINGS_FILES = ("crdoc.yaml", "crdoc.yml", "pyproject.toml")


def _setup_logging(quiet: bool) -> None:
    """Print what crdoc logs (the problems ``--skip-invalid`` skips) as ``Warning: …`` lines."""
    import logging  # here: only runs that skip problems log anything

    class EchoHandler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            click.echo(f"{record.levelname.capitalize()}: {record.getMessage()}", err=True)

    logger = logging.getLogger("crdoc")
    logger.handlers[:] = [EchoHandler()]
    logger.setLevel(logging.ERROR if quiet else logging.INFO)
    logger.propagate = False


def _options(*decorators: Callable[..., Any]) -> Callable[..., Any]:
    """Several click decorators applied as one (shared option groups)."""

    def apply(command: Callable[..., Any]) -> Callable[..., Any]:
        for decorator in reversed(decorators):
            command = decorator(command)
        return command

    return apply


source_options = _options(
    click.argument("source", type=SourceParam()),
    click.option(
        "--annotations",
        "annotations_file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Maintainers' annotations file (default: crdoc-annotations.yaml beside the chart).",
    ),
    click.option(
        "--skip-invalid",
        is_flag=True,
        help="Warn about malformed files and CRDs and document the rest, instead of failing.",
    ),
    click.option("--allow-http", is_flag=True, help="Also read plain http:// URLs."),
    click.option(
        "--allow-empty",
        is_flag=True,
        help="Accept a source without CRDs (or with all of them left out) instead of failing.",
    ),
    click.option(
        "--limit",
        "limits",
        multiple=True,
        metavar="NAME=VALUE",
        callback=lambda ctx, param, value: parse_limits(value),
        help="Raise or lower one of crdoc's bounds on hostile input, e.g. "
        "--limit max_file_bytes=512M (names: " + ", ".join(f.name for f in fields(Limits)) + ").",
    ),
    click.option("-q", "--quiet", is_flag=True, help="No progress bar, no warnings."),
)


_SIZE_SUFFIXES = {"K": 1024, "M": 1024**2, "G": 1024**3}


def parse_limits(values: Iterable[str]) -> Limits:
    """``NAME=VALUE`` pairs as :class:`Limits`; sizes may end in K, M or G."""
    known = {f.name: f for f in fields(Limits)}
    chosen: dict[str, Any] = {}
    for item in values:
        name, _, raw = item.partition("=")
        if name not in known:
            import difflib

            hint = difflib.get_close_matches(name, known, n=1)
            suggestion = f"; did you mean {hint[0]}?" if hint else ""
            raise click.BadParameter(f"unknown limit {name!r}{suggestion}", param_hint="--limit")
        try:
            if name == "download_timeout":
                value: Any = float(raw)
            else:
                scale = _SIZE_SUFFIXES.get(raw[-1:].upper(), 1)
                value = int(float(raw[:-1] if scale != 1 else raw) * scale)
        except ValueError:
            raise click.BadParameter(f"{item!r}: not a number", param_hint="--limit") from None
        if value <= 0:
            raise click.BadParameter(f"{item!r}: must be positive", param_hint="--limit")
        chosen[name] = value
    return Limits(**chosen)


hide_option = click.option(
    "--hide",
    type=click.Choice(STATUSES),
    multiple=True,
    help="Leave out CRDs annotated with this status (e.g. --hide internal). Repeatable.",
)

render_options = _options(
    click.option(
        "--templates",
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        help="A folder of Jinja2 templates that replace the shipped ones by name.",
    ),
    click.option("--title", help="Title of the reference (default: the chart's name)."),
    click.option("--clean", is_flag=True, help="Replace an output folder crdoc did not write."),
    hide_option,
)


def load_source(
    source: str,
    *,
    annotations_file: Path | None,
    skip_invalid: bool,
    allow_http: bool,
    quiet: bool,
    allow_empty: bool = False,
    limits: Limits | None = None,
    hide: Iterable[str] = (),
) -> tuple[Catalog, ResolvedAnnotations | None]:
    """Load a source and its annotations for a command (progress bar on a terminal)."""
    if skip_invalid:
        _setup_logging(quiet)
    options = LoadOptions(
        skip_invalid=skip_invalid,
        allow_http=allow_http,
        limits=limits or Limits(),
        allow_empty=allow_empty,
    )
    catalog = load(source, options, progress=None if quiet else _progress)
    annotations = None  # no file: nothing annotated, so nothing hidden either
    path = annotations_file or find_default_annotations(source)
    if path is not None:
        from crdoc.reports.annotations import annotations_for

        annotations = annotations_for(source, path, catalog)
        catalog = annotations.visible(catalog, hide)
    context = click.get_current_context(silent=True)
    if context is not None and context.obj is not None:
        from crdoc.settings import CrdocConfig

        settings = context.find_object(CrdocConfig)
        if settings is not None:  # the settings file's include/exclude, after annotations matched
            catalog = settings.filter(catalog)
    if not catalog.crds and not allow_empty:
        raise CrdocError(
            f"every CRD found in {source} is left out by --hide or the settings' include/exclude"
            " (--allow-empty accepts an empty reference)"
        )
    return catalog, annotations


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
@click.option(
    "--config-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    envvar="CRDOC_CONFIG",
    help="Settings file (default: crdoc.yaml, or [tool.crdoc] in pyproject.toml, in this folder).",
)
@click.pass_context
def cli(ctx: click.Context, config_file: Path | None) -> None:
    """Reference documentation for the CustomResourceDefinitions in Helm charts.

    Every command takes its defaults from crdoc.yaml (or [tool.crdoc] in pyproject.toml) in
    the current folder; options on the command line win. `crdoc init` writes a starter file.

    \b
    Example:
      crdoc build examples/alloydbomni-operator -o site/
    """
    if config_file is None and not any(Path(name).is_file() for name in SETTINGS_FILES):
        return  # no settings here: skip importing their reader
    from crdoc.settings import COMMAND_OPTIONS, load_config

    settings = load_config(config_file or Path.cwd())
    ctx.obj = settings
    if settings is not None:
        ctx.default_map = {name: settings.defaults_for(name) for name in COMMAND_OPTIONS}


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
def inspect(source: str, fmt: str, annotations_file: Path | None, **load_flags: Any) -> None:
    """Print every CRD, version and field found in SOURCE.

    SOURCE is a chart folder, a packaged chart (.tgz), a CRD YAML/JSON file, a folder of
    them, or an https:// URL of one.

    \b
    Examples:
      crdoc inspect examples/alloydbomni-operator
      crdoc inspect chart.tgz --format json > model.json
    """
    from crdoc.publish.dump import write_json, write_text

    catalog, annotations = load_source(source, annotations_file=annotations_file, **load_flags)
    if fmt == "json":
        write_json(catalog, sys.stdout, annotations)
    else:
        write_text(catalog, sys.stdout)


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
@click.option(
    "--previous",
    type=SourceParam(),
    help="An earlier release of the chart: adds a 'Changes since' page.",
)
@click.option(
    "--release",
    help="Add the site to a multi-version site at OUTPUT/RELEASE (versions.json, 'latest').",
)
@click.option(
    "--versioned", is_flag=True, help="Like --release, with the chart's version as the release."
)
def build(
    source: str,
    output: Path,
    templates: Path | None,
    title: str | None,
    clean: bool,
    hide: tuple[str, ...],
    site_url: str | None,
    config_file: Path | None,
    docs_only: bool,
    previous: str | None,
    release: str | None,
    versioned: bool,
    annotations_file: Path | None,
    quiet: bool,
    **load_flags: Any,
) -> None:
    """Build the reference site of SOURCE with MkDocs and mkdocs-material.

    \b
    Examples:
      crdoc build examples/alloydbomni-operator -o site/
      crdoc build chart.tgz -o site/ --title "My operator API" --site-url https://docs.example.com/api/
      crdoc build chart/ --config mkdocs.yml -o site/
      crdoc build chart/ --docs-only -o docs/reference/ --hide internal
      crdoc build chart-1.5.0.tgz -o site/ --versioned --previous chart-1.4.0.tgz
    """
    from crdoc.publish.site import SiteOptions, build_site
    from crdoc.render.environment import RenderOptions

    catalog, annotations = load_source(
        source, annotations_file=annotations_file, quiet=quiet, hide=hide, **load_flags
    )
    if versioned and release is None:
        if catalog.chart is None or not catalog.chart.version:
            raise click.UsageError("--versioned needs a chart with a version; use --release")
        release = catalog.chart.version
    before = None
    if previous is not None:
        before, _ = load_source(previous, annotations_file=None, quiet=quiet, **load_flags)
    options = SiteOptions(
        render=RenderOptions(templates=templates, title=title),
        previous=before,
        release=release,
        annotations=annotations,
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
    help="Folder to write into (a file with --single-file).",
)
@click.option("--single-file", is_flag=True, help="Everything in one Markdown file.")
@click.option(
    "--inject",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Replace what stands between <!-- BEGIN CRDOC --> and <!-- END CRDOC --> in FILE.",
)
@click.option(
    "--shift-headings",
    type=click.IntRange(0, 5),
    default=1,
    show_default=True,
    help="With --inject: push headings this many levels down.",
)
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; print a diff and exit 1 when the output is out of date (CI, pre-commit).",
)
def markdown(
    source: str,
    output: Path | None,
    templates: Path | None,
    title: str | None,
    clean: bool,
    hide: tuple[str, ...],
    single_file: bool,
    inject: Path | None,
    shift_headings: int,
    check: bool,
    annotations_file: Path | None,
    quiet: bool,
    **load_flags: Any,
) -> None:
    """Write GitHub-flavoured Markdown of SOURCE: README.md plus one file per CRD version.

    \b
    Examples:
      crdoc markdown examples/alloydbomni-operator -o api/
      crdoc markdown chart.tgz --single-file -o API.md
      crdoc markdown charts/my-operator --inject README.md
      crdoc markdown charts/my-operator --inject README.md --check
    """
    from crdoc.publish.site import write_markdown
    from crdoc.render.environment import RenderOptions

    context = click.get_current_context()
    if (
        inject is not None
        and context.get_parameter_source("output") is not ParameterSource.COMMANDLINE
    ):
        output = None  # a settings file's markdown.output does not fight --inject
    if (output is None) == (inject is None):
        raise click.UsageError("give either -o/--output or --inject")
    catalog, annotations = load_source(
        source, annotations_file=annotations_file, quiet=quiet, hide=hide, **load_flags
    )
    options = RenderOptions(templates=templates, title=title)
    if inject is not None:
        _inject(catalog, annotations, options, inject, shift_headings, check, quiet)
        return
    assert output is not None
    if check:
        _check_output(catalog, annotations, options, output, single_file)
        return
    count = write_markdown(
        catalog,
        output,
        options=options,
        single_file=single_file,
        clean=clean,
        annotations=annotations,
    )
    if not quiet:
        click.echo(f"Wrote {count} pages to {output}", err=True)


def _inject(
    catalog: Catalog,
    annotations: ResolvedAnnotations | None,
    options: Any,
    readme: Path,
    shift_headings: int,
    check: bool,
    quiet: bool,
) -> None:
    from crdoc.publish import inject

    text = inject.injected_markdown(catalog, options, annotations, shift_headings=shift_headings)
    if check:
        difference = inject.check(readme, text)
        if difference:
            click.echo(difference, nl=False)
            raise click.ClickException(f"{readme} is out of date: run crdoc markdown --inject")
        return
    changed = inject.write_injected(readme, text)
    if not quiet:
        click.echo(f"{'Updated' if changed else 'Already up to date:'} {readme}", err=True)


def _check_output(
    catalog: Catalog,
    annotations: ResolvedAnnotations | None,
    options: Any,
    output: Path,
    single_file: bool,
) -> None:
    """--check for -o: render into a temporary place and compare with what is there."""
    import difflib
    import tempfile

    from crdoc.publish.output import MARKER
    from crdoc.publish.site import write_markdown

    with tempfile.TemporaryDirectory(prefix="crdoc-check-") as work:
        fresh = Path(work) / "out"
        write_markdown(
            catalog, fresh, options=options, single_file=single_file, annotations=annotations
        )
        pairs = (
            [(fresh, output)]
            if single_file
            else [
                (fresh / rel, output / rel)
                for rel in sorted(
                    {p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file()}
                    | {p.relative_to(output) for p in output.rglob("*") if p.is_file()}
                    if output.is_dir()
                    else {p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file()}
                )
                if rel.name != MARKER
            ]
        )
        stale = []
        for new, old in pairs:
            wanted = new.read_text(encoding="utf-8").splitlines(True) if new.exists() else []
            current = old.read_text(encoding="utf-8").splitlines(True) if old.exists() else []
            if wanted != current:
                stale.append(str(old))
                label = str(old)
                click.echo("".join(difflib.unified_diff(current, wanted, label, label)), nl=False)
    if stale:
        raise click.ClickException(f"{len(stale)} files out of date: run crdoc markdown")


@cli.command()
@click.option("--source", default="charts/my-operator", show_default=True, help="The chart.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("crdoc.yaml"),
    show_default=True,
    help="Where to write the settings.",
)
def init(source: str, output: Path) -> None:
    """Write a commented starter crdoc.yaml (the defaults of every command).

    \b
    Example:
      crdoc init --source charts/my-operator
    """
    from crdoc.publish.output import write_file
    from crdoc.settings import init_config_text

    if output.exists():
        raise click.ClickException(f"{output} exists; remove it first or pick another -o")
    write_file(output, init_config_text(source))
    click.echo(f"Wrote {output}", err=True)


def _percentage(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    if value is not None and not 0 <= value <= 100:
        raise click.BadParameter("a percentage from 0 to 100")
    return value


@cli.command()
@source_options
@hide_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="A table with the undocumented paths, JSON, or a Markdown table.",
)
@click.option(
    "--fail-under",
    type=float,
    callback=_percentage,
    metavar="PCT",
    help="Exit 1 when overall coverage (after exclusions) is below PCT percent.",
)
@click.option(
    "--exclude",
    multiple=True,
    metavar="GLOB",
    help="Leave out field paths matching GLOB (* one segment, ** any): e.g. 'status.**'.",
)
@click.option("--summary", is_flag=True, help="Text format: no list of undocumented paths.")
def coverage(
    source: str,
    hide: tuple[str, ...],
    fmt: str,
    fail_under: float | None,
    exclude: tuple[str, ...],
    summary: bool,
    annotations_file: Path | None,
    **load_flags: Any,
) -> None:
    """Report how many fields of SOURCE have a description, and the known limitations.

    \b
    Examples:
      crdoc coverage examples/alloydbomni-operator
      crdoc coverage chart/ --exclude 'status.**' --fail-under 90
      crdoc coverage chart/ --format markdown >> "$GITHUB_STEP_SUMMARY"
    """
    from crdoc.reports import coverage as report_module

    catalog, annotations = load_source(
        source, annotations_file=annotations_file, hide=hide, **load_flags
    )
    from crdoc.reports.annotations import empty_annotations

    report = report_module.coverage(catalog, exclude)
    limitations = (annotations or empty_annotations()).known_limitations(catalog)
    if fmt == "json":
        data = report_module.format_json(report)
        data["limitations"] = [
            {
                "crd": item.crd.key,
                "version": item.version.name if item.version else None,
                "field": item.field.path if item.field else None,
                "status": item.annotation.status,
                "reason": item.annotation.reason,
                "origin": item.origin,
            }
            for item in limitations
        ]
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    elif fmt == "markdown":
        click.echo(report_module.format_markdown(report), nl=False)
    else:
        click.echo(report_module.format_text(report, details=not summary), nl=False)
        if limitations:
            click.echo(f"known limitations: {len(limitations)}")
            for item in limitations:
                where = item.field.path if item.field else "(whole CRD or version)"
                version = item.version.name if item.version else "*"
                status = item.annotation.status
                click.echo(f"    {status}: {item.crd.key} {version} {where}")
    if fail_under is not None and report_module.fails_under(report, fail_under):
        raise click.ClickException(
            f"documentation coverage {report.percent:.1f}% is below --fail-under {fail_under:g}%"
        )


@cli.command()
@click.argument("old", type=SourceParam())
@click.argument("new", type=SourceParam())
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="A readable list, Markdown for release notes, or JSON.",
)
@click.option("--fail-on-breaking", is_flag=True, help="Exit 1 when any change is breaking.")
@click.option("--skip-invalid", is_flag=True, help="Warn about malformed CRDs instead of failing.")
@click.option("--allow-http", is_flag=True, help="Also read plain http:// URLs.")
@click.option("--allow-empty", is_flag=True, help="Accept a release without CRDs.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar, no warnings.")
def diff(
    old: str,
    new: str,
    fmt: str,
    fail_on_breaking: bool,
    skip_invalid: bool,
    allow_http: bool,
    allow_empty: bool,
    quiet: bool,
) -> None:
    """Compare the CRDs of two releases: added, removed and changed CRDs, versions and fields,
    each marked breaking or not.

    \b
    Examples:
      crdoc diff charts/my-operator-1.4.0.tgz charts/my-operator-1.5.0.tgz
      crdoc diff old/ new/ --format markdown >> RELEASE_NOTES.md
      crdoc diff old.tgz new.tgz --fail-on-breaking
    """
    from crdoc.reports import diff as api_diff

    flags = {
        "skip_invalid": skip_invalid,
        "allow_http": allow_http,
        "allow_empty": allow_empty,
        "quiet": quiet,
    }
    before, _ = load_source(old, annotations_file=None, **flags)
    after, _ = load_source(new, annotations_file=None, **flags)
    changes = api_diff.diff_catalogs(before, after)
    if fmt == "json":
        click.echo(json.dumps(api_diff.format_json(changes), ensure_ascii=False, indent=2))
    elif fmt == "markdown":
        click.echo(api_diff.format_markdown(changes), nl=False)
    else:
        click.echo(api_diff.format_text(changes), nl=False)
    if fail_on_breaking and api_diff.has_breaking(changes):
        raise click.ClickException(f"{len(changes.breaking)} breaking changes")


@cli.command()
@source_options
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=Path("schemas"),
    show_default=True,
    help="Folder to write the JSON Schemas into.",
)
@click.option("--clean", is_flag=True, help="Replace an output folder crdoc did not write.")
def schema(
    source: str, output: Path, clean: bool, annotations_file: Path | None, **load_flags: Any
) -> None:
    """Write one JSON Schema per CRD version, for editors (yaml-language-server) and
    validators (kubeconform -schema-location).

    \b
    Examples:
      crdoc schema examples/alloydbomni-operator -o schemas/
      kubeconform -schema-location \\
        'schemas/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json' x.yaml
    """
    from crdoc.publish.jsonschema import json_schemas, write_schemas

    catalog, _ = load_source(source, annotations_file=annotations_file, **load_flags)
    write_schemas(catalog, output, clean=clean)
    if not load_flags.get("quiet"):
        count = len(json_schemas(catalog))
        click.echo(f"Wrote {count} JSON Schemas to {output}", err=True)


def main() -> None:
    """The console script."""
    try:
        cli(prog_name="crdoc")
    finally:
        # The process ends here: its objects need no cycle collection, yet the interpreter
        # would scan all of them (modules, the model) again and again while shutting down
        # (~10% of a small chart's `inspect`). Frozen, they are left to the operating system.
        gc.freeze()


if __name__ == "__main__":  # pragma: no cover
    main()
