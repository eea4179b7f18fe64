"""The ``crdoc`` command line: each command parses its options (made from
:data:`crdoc.options.OPTIONS`), makes one library call and reports."""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from click.core import ParameterSource

from crdoc.options import (
    COMMANDS,
    FILE,
    SOURCE_PARAM,
    Option,
    Settings,
    options_of,
    settings_for,
)

if TYPE_CHECKING:
    from crdoc.loading.sources import SourceFile
    from crdoc.pipeline import Reference
    from crdoc.settings import SettingsFile


#: The files a settings file may be, in the current folder (crdoc.settings reads them).
SETTINGS_FILES = ("crdoc.yaml", "crdoc.yml", "pyproject.toml")


# -- options from the table -----------------------------------------------------------------------


def table_parameter(option: Option) -> click.Parameter:
    """The click option (or argument) of one row of the table: its kind gives the type."""
    if option.argument:
        return click.Argument([option.name], type=SOURCE_PARAM, required=False, metavar="SOURCE")
    arguments = option.kind.click_arguments(option)
    if option.metavar:
        arguments["metavar"] = option.metavar
    return click.Option([*option.flags, option.name], help=option.help, **arguments)


def table_options(command: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Give a command every option ``command`` takes in the table, after its own parameters
    (made by :class:`TableCommand` when first asked for)."""

    def mark(function: Callable[..., Any]) -> Callable[..., Any]:
        function.__crdoc_table__ = command  # type: ignore[attr-defined]
        return function

    return mark


class TableCommand(click.Command):
    """A command whose table options are made when click first asks for its parameters: a
    run makes only its own command's (a hundred click options cost start-up time)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._table: str | None = getattr(kwargs.get("callback"), "__crdoc_table__", None)
        self._made: list[click.Parameter] | None = None
        super().__init__(*args, **kwargs)

    @property
    def params(self) -> list[click.Parameter]:
        if self._made is None:
            table = [table_parameter(o) for o in options_of(self._table)] if self._table else []
            self._made = [*self._own, *table]
        return self._made

    @params.setter
    def params(self, value: list[click.Parameter]) -> None:
        self._own, self._made = list(value), None


class _Group(click.Group):
    command_class = TableCommand


# -- the pipeline, as the command line runs it ----------------------------------------------------


def command_settings(command: str, params: dict[str, Any], **changes: Any) -> Settings:
    """The settings of this run: the command's parameters (the settings file already gave
    their defaults), and the settings file's include/exclude."""
    context = click.get_current_context()
    file = context.find_object(_SettingsHolder)
    found = file.settings if file is not None else None
    values = {**params, **changes}
    return settings_for(
        command,
        values,
        include=found.include if found else None,
        exclude=found.exclude if found else None,
    )


def load(settings: Settings, source: str | None = None) -> Reference:
    """The reference of ``source`` (default: the settings'), with a progress bar on a
    terminal and warnings (skipped problems, subcharts not vendored) as ``Warning:`` lines
    (none with ``--quiet``)."""
    from crdoc import errors
    from crdoc.pipeline import load_reference

    def print_warning(message: str) -> None:
        if not settings.quiet:
            click.echo(f"Warning: {message}", err=True)

    errors.warning_printer.append(print_warning)
    try:
        return load_reference(source, settings, progress=None if settings.quiet else _progress)
    finally:
        errors.warning_printer.remove(print_warning)


def _progress(files: Iterable[SourceFile]) -> Iterable[SourceFile]:
    files = list(files)
    if not sys.stderr.isatty() or len(files) < 2:
        yield from files
        return
    with click.progressbar(
        files, label="Reading", file=sys.stderr, item_show_func=lambda f: f.label if f else ""
    ) as bar:
        yield from bar


class _Bars:
    """Progress bars on the terminal (standard error), one per step of long work; nothing
    when standard error is not a terminal."""

    def __init__(self) -> None:
        self._bar: Any = None
        self._label = ""
        self._done = 0

    def __call__(self, label: str, done: int, total: int) -> None:
        if label != self._label:
            self.close()
            self._label = label
            self._bar = click.progressbar(length=max(total, done, 1), label=label, file=sys.stderr)
            self._bar.__enter__()
            self._done = 0
        self._bar.update(done - self._done)
        self._done = done

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


def output_of(settings: Settings) -> Path:
    """Where a command writes: the table's default, or ``-o`` (which ``markdown`` requires
    without ``--inject``)."""
    if settings.output is None:
        raise click.UsageError("give -o/--output")
    return settings.output


def progress_bars(settings: Settings) -> _Bars | None:
    """Bars for long work, when standard error is a terminal and ``--quiet`` is not given."""
    return None if settings.quiet or not sys.stderr.isatty() else _Bars()


def _say(settings: Settings, message: str) -> None:
    if not settings.quiet:
        click.echo(message, err=True)


class _SettingsHolder:
    """The settings file found for this run, kept on the click context."""

    def __init__(self, settings: SettingsFile | None) -> None:
        self.settings = settings


# -- commands -------------------------------------------------------------------------------------


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="crdoc")
@click.option(
    "--config-file",
    type=FILE.click_type(),
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
    from crdoc.settings import load_config

    found = load_config(config_file or Path.cwd())
    ctx.obj = _SettingsHolder(found)
    if found is not None:
        ctx.default_map = {name: found.defaults_for(name) for name in COMMANDS}


@cli.command()
@table_options("inspect")
def inspect(**params: Any) -> None:
    """Print every CRD, version and field found in SOURCE.

    SOURCE is a chart folder, a packaged chart (.tgz), a CRD YAML/JSON file, a folder of
    them, or an https:// URL of one.

    \b
    Examples:
      crdoc inspect examples/alloydbomni-operator
      crdoc inspect chart.tgz --format json > model.json
    """
    from crdoc.publish.dump import write_json, write_text

    settings = command_settings("inspect", params)
    reference = load(settings)
    if settings.fmt == "json":
        write_json(reference.catalog, sys.stdout, reference.matched_annotations)
    else:
        write_text(reference.catalog, sys.stdout)


@cli.command()
@table_options("build")
def build(**params: Any) -> None:
    """Build the reference site of SOURCE with MkDocs and mkdocs-material.

    \b
    Examples:
      crdoc build examples/alloydbomni-operator -o site/
      crdoc build chart.tgz -o site/ --title "My operator API" --site-url https://docs.example.com/api/
      crdoc build chart/ --config mkdocs.yml -o site/
      crdoc build chart/ --docs-only -o docs/reference/ --hide internal
      crdoc build chart-1.5.0.tgz -o site/ --versioned --previous chart-1.4.0.tgz
    """
    from crdoc.publish.site import build_site

    settings = command_settings("build", params)
    reference = load(settings)
    previous = None
    if settings.previous is not None:
        from crdoc.pipeline import previous_settings

        previous = load(previous_settings(settings), settings.previous)
    output = output_of(settings)
    bars = progress_bars(settings)
    try:
        count = build_site(reference, output, previous=previous, progress=bars)
    finally:
        if bars is not None:
            bars.close()
    what = "pages" if settings.docs_only else "site"
    _say(
        settings,
        f"Wrote {what} of {len(reference.catalog.crds)} CRDs ({count} pages) to {output}",
    )


@cli.command()
@table_options("markdown")
def markdown(**params: Any) -> None:
    """Write GitHub-flavoured Markdown of SOURCE: README.md plus one file per CRD version.

    \b
    Examples:
      crdoc markdown examples/alloydbomni-operator -o api/
      crdoc markdown chart.tgz --single-file -o API.md
      crdoc markdown charts/my-operator --inject README.md
      crdoc markdown charts/my-operator --inject README.md --check
    """
    context = click.get_current_context()
    if (
        params["inject"] is not None
        and context.get_parameter_source("output") is not ParameterSource.COMMANDLINE
    ):
        params["output"] = None  # a settings file's markdown.output does not fight --inject
    if (params["output"] is None) == (params["inject"] is None):
        raise click.UsageError("give either -o/--output or --inject")
    settings = command_settings("markdown", params)
    reference = load(settings)
    if settings.inject is not None:
        from crdoc.publish.inject import inject_reference

        changed, difference = inject_reference(
            reference,
            settings.inject,
            shift_headings=settings.shift_headings,
            check_only=settings.check,
        )
        if settings.check:
            if changed:
                click.echo(difference, nl=False)
                raise click.ClickException(
                    f"{settings.inject} is out of date: run crdoc markdown --inject"
                )
        else:
            verb = "Updated" if changed else "Already up to date:"
            _say(settings, f"{verb} {settings.inject}")
        return
    from crdoc.publish.markdown import check_markdown, write_markdown

    output = output_of(settings)
    if settings.check:
        found = check_markdown(reference, output)
        click.echo(found.diff, nl=False)
        if found.stale:
            raise click.ClickException(f"{len(found.stale)} files out of date: run crdoc markdown")
        return
    bars = progress_bars(settings)
    try:
        count = write_markdown(reference, output, progress=bars)
    finally:
        if bars is not None:
            bars.close()
    _say(settings, f"Wrote {count} pages to {output}")


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


@cli.command()
@table_options("coverage")
def coverage(**params: Any) -> None:
    """Report how many fields of SOURCE have a description, and the known limitations.

    \b
    Examples:
      crdoc coverage examples/alloydbomni-operator
      crdoc coverage chart/ --exclude 'status.**' --fail-under 90
      crdoc coverage chart/ --format markdown >> "$GITHUB_STEP_SUMMARY"
    """
    from crdoc.reports import coverage as reports

    settings = command_settings("coverage", params)
    reference = load(settings)
    report = reference.coverage_excluding(settings.exclude_paths)
    if settings.fmt == "json":
        data = reports.coverage_json(report, reference.limitations)
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    elif settings.fmt == "markdown":
        from crdoc.render.environment import RenderOptions
        from crdoc.render.pages import Renderer

        options = RenderOptions(flavour="github", templates=settings.templates)
        click.echo(Renderer(options).coverage(report), nl=False)
    else:
        click.echo(
            reports.coverage_text(report, reference.limitations, details=not settings.summary),
            nl=False,
        )
    if settings.fail_under is not None and reports.fails_under(report, settings.fail_under):
        raise click.ClickException(
            f"documentation coverage {report.percent:.1f}% is below --fail-under "
            f"{settings.fail_under:g}%"
        )


@cli.command()
@click.argument("old", type=SOURCE_PARAM)
@click.argument("new", type=SOURCE_PARAM)
@table_options("diff")
def diff(old: str, new: str, **params: Any) -> None:
    """Compare the CRDs of two releases: added, removed and changed CRDs, versions and fields,
    each marked breaking or not (by the Kubernetes API conventions: docs/diff.md lists
    the rules; in text, "!" marks a breaking change).

    \b
    Examples:
      crdoc diff charts/my-operator-1.4.0.tgz charts/my-operator-1.5.0.tgz
      crdoc diff old/ new/ --format markdown >> RELEASE_NOTES.md
      crdoc diff old.tgz new.tgz --fail-on-breaking
    """
    from crdoc.render.changes import format_json, format_text
    from crdoc.reports.diff import diff_catalogs, has_breaking

    settings = command_settings("diff", params)
    changes = diff_catalogs(load(settings, old).catalog, load(settings, new).catalog)
    if settings.fmt == "json":
        click.echo(json.dumps(format_json(changes), ensure_ascii=False, indent=2))
    elif settings.fmt == "markdown":
        from crdoc.render.environment import RenderOptions
        from crdoc.render.pages import Renderer

        click.echo(Renderer(RenderOptions(flavour="github")).changes(changes), nl=False)
    else:
        click.echo(format_text(changes), nl=False)
    if settings.fail_on_breaking and has_breaking(changes):
        raise click.ClickException(f"{len(changes.breaking)} breaking changes")


@cli.command()
@table_options("schema")
def schema(**params: Any) -> None:
    """Write one JSON Schema per CRD version, for editors (yaml-language-server) and
    validators (kubeconform -schema-location).

    \b
    Examples:
      crdoc schema examples/alloydbomni-operator -o schemas/
      kubeconform -schema-location \\
        'schemas/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json' x.yaml
    """
    from crdoc.publish.jsonschema import write_schemas

    settings = command_settings("schema", params)
    output = output_of(settings)
    count = write_schemas(load(settings), output)
    _say(settings, f"Wrote {count} JSON Schemas to {output}")


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
