"""Every option of crdoc, declared once: the command line, ``crdoc.yaml`` (and ``[tool.crdoc]``)
and the MkDocs plugin are all made from :data:`OPTIONS`.

An :class:`Option` names its value, its command-line flags, its :class:`Kind` (how a value is
checked and converted), its default, its help and the commands that take it; ``plugin`` makes
it an option of the MkDocs plugin too. The same name may have several rows when commands give
it different meanings (``output`` is a site folder for ``build``, a schema folder for
``schema``). :class:`Settings` holds one value per option name: what the library's pipeline
(:mod:`crdoc.pipeline`) reads, whichever front end filled it in.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from crdoc.loading import DEFAULT_KUBE_VERSION
from crdoc.model import STATUSES
from crdoc.reports.filters import Filters

#: The commands of the command line that take options from the table, in help order.
COMMANDS = ("inspect", "build", "markdown", "coverage", "diff", "schema")
#: The MkDocs plugin, as the table names it among the commands.
PLUGIN = "plugin"

# -- kinds of values ------------------------------------------------------------------------------


class Kind(NamedTuple):
    """A kind of value: how ``crdoc.yaml`` spells it (:meth:`check`, which returns what the
    command line would have parsed) and what a setting finally holds (:meth:`final`)."""

    name: str
    """``flag``, ``text``, ``path``, ``file``, ``folder``, ``source``, ``choice``, ``statuses``,
    ``percent``, ``count``, ``globs``, ``limits``, ``files``, ``assignments``, ``texts``: front
    ends pick their own types by it."""
    choices: tuple[str, ...] = ()
    """Allowed values (``choice``, ``statuses``)."""
    bounds: tuple[int, int] = (0, 0)
    """Smallest and largest value (``count``)."""

    @property
    def many(self) -> bool:
        """Whether the option takes several values (repeated on the command line)."""
        return self.name in ("statuses", "globs", "limits", "files", "assignments", "texts")

    def check(self, value: Any, folder: Path) -> Any:
        """A value read from a settings file in ``folder``, as the command line would give it
        (paths resolved against ``folder``); ``ValueError`` says what was expected."""
        return _CHECKS[self.name](self, value, folder)

    def final(self, value: Any) -> Any:
        """What a setting holds for a parsed value (a tuple for many values, :class:`Limits`
        for limits, a :class:`Path` for paths)."""
        if value is None and not self.many:
            return None
        if self.name == "limits":
            from crdoc.loading.limits import Limits, parse_limits

            return value if isinstance(value, Limits) else parse_limits(value or ())
        if self.name == "files":
            return tuple(item if isinstance(item, Path) else Path(item) for item in value or ())
        if self.many:
            return tuple(value or ())
        if self.name in ("path", "file", "folder") and not isinstance(value, Path):
            return Path(value)
        return value


def _flag(kind: Kind, value: Any, folder: Path) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def _text(kind: Kind, value: Any, folder: Path) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a non-empty string")
    return value


def _path(kind: Kind, value: Any, folder: Path) -> Path:
    path = Path(_text(kind, value, folder)).expanduser()
    return path if path.is_absolute() else folder / path


def _source(kind: Kind, value: Any, folder: Path) -> str:
    text = _text(kind, value, folder)
    return text if "://" in text else str(_path(kind, text, folder))


def _choice(kind: Kind, value: Any, folder: Path) -> str:
    if value not in kind.choices:
        raise ValueError(f"must be one of {', '.join(kind.choices)}")
    return value


def _strings(kind: Kind, value: Any, folder: Path) -> list[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) and i for i in items):
        raise ValueError("must be a list of strings")
    return list(items)


def _statuses(kind: Kind, value: Any, folder: Path) -> list[str]:
    items = _strings(kind, value, folder)
    for item in items:
        if item not in kind.choices:
            raise ValueError(f"has unknown status {item!r}; expected some of {', '.join(STATUSES)}")
    return items


def _globs(kind: Kind, value: Any, folder: Path) -> list[str]:
    from crdoc.reports.annotations import split_pattern

    items = _strings(kind, value, folder)
    for item in items:
        split_pattern(item)  # ValueError for an empty segment
    return items


def _percent(kind: Kind, value: Any, folder: Path) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
        raise ValueError("must be a number from 0 to 100")
    return float(value)


def _count(kind: Kind, value: Any, folder: Path) -> int:
    low, high = kind.bounds
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"must be a whole number from {low} to {high}")
    return value


def _limits(kind: Kind, value: Any, folder: Path) -> list[str]:
    """``{max_file_bytes: 512M}`` as the ``NAME=VALUE`` strings ``--limit`` takes."""
    from crdoc.loading.limits import limit_value

    if not isinstance(value, dict):
        raise ValueError("must be a mapping of limit names to values")
    for name, item in value.items():
        try:
            limit_value(str(name), item)
        except ValueError as exc:
            raise ValueError(f"has {exc}") from None
    return [f"{name}={item}" for name, item in value.items()]


def _files(kind: Kind, value: Any, folder: Path) -> list[Path]:
    """Files, paths read from the settings file's folder (read when used: a missing one is
    an error naming it then, as for ``annotations``)."""
    return [_path(kind, item, folder) for item in _strings(kind, value, folder)]


def _assignments(kind: Kind, value: Any, folder: Path) -> list[str]:
    """``KEY=VALUE`` strings as ``--set`` takes them; a mapping ``{crds.channel: standard}``
    is spelled that way too."""
    from crdoc.loading.helm.values import SetSyntaxError, check_set

    if isinstance(value, dict):
        items = [f"{key}={_set_value(item)}" for key, item in value.items()]
    else:
        items = _strings(kind, value, folder)
    for item in items:
        try:
            check_set(item)
        except SetSyntaxError as exc:
            raise ValueError(f"has {item!r}: {exc}") from None
    return items


def _set_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, list):
        return "{" + ",".join(_set_value(item) for item in value) + "}"
    return str(value)


_CHECKS = {
    "flag": _flag,
    "text": _text,
    "path": _path,
    "file": _path,
    "folder": _path,
    "source": _source,
    "choice": _choice,
    "statuses": _statuses,
    "percent": _percent,
    "count": _count,
    "globs": _globs,
    "limits": _limits,
    "files": _files,
    "assignments": _assignments,
    "texts": _strings,
}

FLAG = Kind("flag")
TEXT = Kind("text")
PATH = Kind("path")
"""A path that need not exist yet (an output)."""
FILE = Kind("file")
"""An existing file."""
FOLDER = Kind("folder")
"""An existing folder."""
SOURCE = Kind("source")
"""A chart folder, ``.tgz``, CRD file or folder, or an ``https://`` URL."""
HIDE = Kind("statuses", choices=STATUSES)
PERCENT = Kind("percent")
GLOBS = Kind("globs")
LIMITS = Kind("limits")
FILES = Kind("files")
"""Existing files, repeatable."""
ASSIGNMENTS = Kind("assignments")
"""``KEY=VALUE`` values as Helm's ``--set`` takes them, repeatable."""
TEXTS = Kind("texts")
"""Strings, repeatable."""


def choice(*choices: str) -> Kind:
    """One of ``choices``."""
    return Kind("choice", choices=choices)


def count(low: int, high: int) -> Kind:
    """A whole number from ``low`` to ``high``."""
    return Kind("count", bounds=(low, high))


# -- the table ------------------------------------------------------------------------------------


class Option(NamedTuple):
    """One option: its name, how it is given, and where."""

    name: str
    """The setting's name (and the command line's parameter name)."""
    kind: Kind
    help: str
    commands: frozenset[str]
    """The commands that take it (:data:`PLUGIN` for the MkDocs plugin)."""
    flags: tuple[str, ...] = ()
    """Command-line spellings (``("-o", "--output")``); none for the ``SOURCE`` argument."""
    default: Any = None
    spellings: tuple[str, ...] = ()
    """Other keys ``crdoc.yaml`` and the plugin accept; the first is the preferred key."""
    shared: bool = False
    """May be given at the top level of ``crdoc.yaml``, for every command that takes it."""
    argument: bool = False
    """A positional argument on the command line (``SOURCE``)."""
    metavar: str | None = None
    example: Any = None
    """A value for tests and the starter file (the settings-file spelling)."""

    @property
    def key(self) -> str:
        """The preferred key in ``crdoc.yaml`` and the plugin (``annotations``, ``format``)."""
        return self.spellings[0] if self.spellings else self.name

    @property
    def keys(self) -> tuple[str, ...]:
        """Every key ``crdoc.yaml`` accepts for it."""
        return (self.name, *self.spellings)


def _rows(*commands: str) -> frozenset[str]:
    return frozenset(commands)


_READERS = _rows("inspect", "build", "markdown", "coverage", "schema", PLUGIN)
_WRITERS = _rows("build", "markdown", "schema")

OPTIONS: tuple[Option, ...] = (
    # -- reading a source
    Option(
        name="source",
        kind=SOURCE,
        argument=True,
        help="The chart: a folder, a packaged chart (.tgz), a CRD file or folder, or a URL.",
        commands=_READERS,
        shared=True,
        example="chart",
    ),
    Option(
        name="annotations_file",
        flags=("--annotations",),
        spellings=("annotations",),
        kind=FILE,
        help="Maintainers' annotations file (default: crdoc-annotations.yaml beside the chart).",
        commands=_READERS,
        shared=True,
        example="notes.yaml",
    ),
    Option(
        name="skip_invalid",
        flags=("--skip-invalid",),
        kind=FLAG,
        default=False,
        help="Warn about malformed files and CRDs and document the rest, instead of failing.",
        commands=_READERS | {"diff"},
        shared=True,
        example=True,
    ),
    Option(
        name="allow_http",
        flags=("--allow-http",),
        kind=FLAG,
        default=False,
        help="Also read plain http:// URLs.",
        commands=_READERS | {"diff"},
        shared=True,
        example=True,
    ),
    Option(
        name="allow_empty",
        flags=("--allow-empty",),
        kind=FLAG,
        default=False,
        help="Accept a source without CRDs (or with all of them left out) instead of failing.",
        commands=_READERS | {"diff"},
        shared=True,
        example=True,
    ),
    Option(
        name="limits",
        flags=("--limit",),
        spellings=("limit",),
        kind=LIMITS,
        default=(),
        metavar="NAME=VALUE",
        help="Raise or lower one of crdoc's bounds on hostile input, e.g. "
        "--limit max_file_bytes=512M.",
        commands=_READERS | {"diff"},
        shared=True,
        example={"max_file_bytes": "512M"},
    ),
    # -- how Helm would render the chart (conditions that choose between definitions)
    Option(
        name="values",
        flags=("-f", "--values"),
        kind=FILES,
        default=(),
        metavar="FILE",
        help="Values file, as Helm's -f: templates' conditions read it (repeatable; later files "
        "win).",
        commands=_READERS | {"diff"},
        shared=True,
        example=["values-prod.yaml"],
    ),
    Option(
        name="set",
        flags=("--set",),
        kind=ASSIGNMENTS,
        default=(),
        metavar="KEY=VALUE",
        help="Set a value, as Helm's --set (a.b=c, list[0]=x, several with commas; repeatable; "
        "wins over -f).",
        commands=_READERS | {"diff"},
        shared=True,
        example=["crds.channel=standard"],
    ),
    Option(
        name="set_string",
        flags=("--set-string",),
        kind=ASSIGNMENTS,
        default=(),
        metavar="KEY=VALUE",
        help="Like --set, every value a string (repeatable; wins over --set).",
        commands=_READERS | {"diff"},
        shared=True,
        example=["image.tag=1.10"],
    ),
    Option(
        name="kube_version",
        flags=("--kube-version",),
        kind=TEXT,
        default=DEFAULT_KUBE_VERSION,
        help="Kubernetes version templates see in .Capabilities.KubeVersion.",
        commands=_READERS | {"diff"},
        shared=True,
        example="1.29.3",
    ),
    Option(
        name="api_versions",
        flags=("--api-versions",),
        kind=TEXTS,
        default=(),
        metavar="GROUP/VERSION",
        help="Add an API version to .Capabilities.APIVersions, as Helm's --api-versions "
        "(repeatable).",
        commands=_READERS | {"diff"},
        shared=True,
        example=["monitoring.coreos.com/v1"],
    ),
    Option(
        name="dependencies",
        flags=("--dependencies",),
        kind=FLAG,
        default=False,
        help="Fetch subcharts declared in Chart.yaml but not in charts/ from their repositories "
        "(https index.yaml, or file:// folders), as 'helm dependency build' does.",
        commands=_READERS | {"diff"},
        shared=True,
        example=True,
    ),
    Option(
        name="quiet",
        flags=("-q", "--quiet"),
        kind=FLAG,
        default=False,
        help="No progress bar, no warnings.",
        commands=_READERS - {PLUGIN} | {"diff"},
        shared=True,
        example=True,
    ),
    Option(
        name="hide",
        flags=("--hide",),
        kind=HIDE,
        default=(),
        help="Leave out CRDs annotated with this status (e.g. --hide internal). Repeatable.",
        commands=_rows("build", "markdown", "coverage", PLUGIN),
        shared=True,
        example=["internal"],
    ),
    # -- rendering
    Option(
        name="templates",
        flags=("--templates",),
        kind=FOLDER,
        help="A folder of Jinja2 templates that replace the shipped ones by name.",
        commands=_rows("build", "markdown", PLUGIN),
        shared=True,
        example="my-templates",
    ),
    Option(
        name="title",
        flags=("--title",),
        kind=TEXT,
        help="Title of the reference (default: the chart's name).",
        commands=_rows("build", "markdown", PLUGIN),
        shared=True,
        example="My operator API",
    ),
    Option(
        name="clean",
        flags=("--clean",),
        kind=FLAG,
        default=False,
        help="Write beside files crdoc did not write in the output folder (it removes only the "
        "files it wrote there before).",
        commands=_WRITERS,
        shared=True,
        example=True,
    ),
    # -- outputs
    Option(
        name="output",
        flags=("-o", "--output"),
        kind=PATH,
        default=Path("site"),
        help="Folder to write the site (or, with --docs-only, the pages) into.",
        commands=_rows("build"),
        shared=True,
        example="public",
    ),
    Option(
        name="output",
        flags=("-o", "--output"),
        kind=PATH,
        help="Folder to write into (a file with --single-file).",
        commands=_rows("markdown"),
        shared=True,
        example="api",
    ),
    Option(
        name="output",
        flags=("-o", "--output"),
        kind=PATH,
        default=Path("schemas"),
        help="Folder to write the JSON Schemas into.",
        commands=_rows("schema"),
        shared=True,
        example="json-schemas",
    ),
    Option(
        name="fmt",
        flags=("--format",),
        spellings=("format",),
        kind=choice("text", "json"),
        default="text",
        help="A readable tree, or the full model as JSON.",
        commands=_rows("inspect"),
        example="json",
    ),
    # -- build
    Option(
        name="site_url",
        flags=("--site-url",),
        kind=TEXT,
        help="The URL the site will be served from.",
        commands=_rows("build"),
        shared=True,
        example="https://docs.example.com/api/",
    ),
    Option(
        name="config_file",
        flags=("--config",),
        spellings=("config",),
        kind=FILE,
        help="Your own mkdocs.yml: its theme, pages and nav, with the reference added.",
        commands=_rows("build"),
        shared=True,
        example="mkdocs.yml",
    ),
    Option(
        name="docs_only",
        flags=("--docs-only",),
        kind=FLAG,
        default=False,
        help="Write only the Markdown pages and nav.yml.",
        commands=_rows("build"),
        example=True,
    ),
    Option(
        name="previous",
        flags=("--previous",),
        kind=SOURCE,
        help="An earlier release of the chart: adds a 'Changes since' page.",
        commands=_rows("build"),
        example="chart-1.4.0.tgz",
    ),
    Option(
        name="release",
        flags=("--release",),
        kind=TEXT,
        help="Add the site to a multi-version site at OUTPUT/RELEASE (versions.json, 'latest').",
        commands=_rows("build"),
        example="1.5.0",
    ),
    Option(
        name="versioned",
        flags=("--versioned",),
        kind=FLAG,
        default=False,
        help="Like --release, with the chart's version as the release.",
        commands=_rows("build"),
        example=True,
    ),
    # -- markdown
    Option(
        name="single_file",
        flags=("--single-file",),
        kind=FLAG,
        default=False,
        help="Everything in one Markdown file.",
        commands=_rows("markdown"),
        example=True,
    ),
    Option(
        name="inject",
        flags=("--inject",),
        kind=FILE,
        help="Replace what stands between <!-- BEGIN CRDOC --> and <!-- END CRDOC --> in FILE.",
        commands=_rows("markdown"),
        example="README.md",
    ),
    Option(
        name="shift_headings",
        flags=("--shift-headings",),
        kind=count(0, 5),
        default=1,
        help="With --inject: push headings this many levels down.",
        commands=_rows("markdown"),
        example=2,
    ),
    Option(
        name="check",
        flags=("--check",),
        kind=FLAG,
        default=False,
        help="Write nothing; print a diff and exit 1 when the output is out of date (CI, "
        "pre-commit).",
        commands=_rows("markdown"),
        example=True,
    ),
    # -- coverage
    Option(
        name="fmt",
        flags=("--format",),
        spellings=("format",),
        kind=choice("text", "json", "markdown"),
        default="text",
        help="A table with the undocumented paths, JSON, or a Markdown table.",
        commands=_rows("coverage"),
        example="markdown",
    ),
    Option(
        name="fail_under",
        flags=("--fail-under",),
        kind=PERCENT,
        metavar="PCT",
        help="Exit 1 when overall coverage (after exclusions) is below PCT percent.",
        commands=_rows("coverage"),
        example=90,
    ),
    Option(
        name="exclude_paths",
        flags=("--exclude",),
        spellings=("exclude",),
        kind=GLOBS,
        metavar="GLOB",
        default=(),
        help="Leave out field paths matching GLOB (* one segment, ** any): e.g. 'status.**'.",
        commands=_rows("coverage"),
        example=["status.**"],
    ),
    Option(
        name="summary",
        flags=("--summary",),
        kind=FLAG,
        default=False,
        help="Text format: no list of undocumented paths.",
        commands=_rows("coverage"),
        example=True,
    ),
    # -- diff
    Option(
        name="fmt",
        flags=("--format",),
        spellings=("format",),
        kind=choice("text", "markdown", "json"),
        default="text",
        help="A readable list, Markdown for release notes, or JSON.",
        commands=_rows("diff"),
        example="json",
    ),
    Option(
        name="fail_on_breaking",
        flags=("--fail-on-breaking",),
        kind=FLAG,
        default=False,
        help="Exit 1 when any change is breaking.",
        commands=_rows("diff"),
        example=True,
    ),
    # -- the MkDocs plugin
    Option(
        name="path",
        kind=TEXT,
        default="reference/",
        help="URL folder of the reference pages inside the site.",
        commands=_rows(PLUGIN),
        example="api/",
    ),
    Option(
        name="nav_title",
        kind=TEXT,
        default="Reference",
        help="Title of the nav section listing the reference.",
        commands=_rows(PLUGIN),
        example="API reference",
    ),
)


def options_of(command: str) -> tuple[Option, ...]:
    """The options ``command`` takes, in table order (one row per name)."""
    return tuple(option for option in OPTIONS if command in option.commands)


def option_named(name: str, command: str | None = None) -> Option:
    """The row of ``name`` (for ``command``, where rows differ by command)."""
    for option in OPTIONS:
        if option.name == name and (command is None or command in option.commands):
            return option
    raise KeyError(name)


#: Every option name, in table order.
NAMES = tuple(dict.fromkeys(option.name for option in OPTIONS))


# -- settings -------------------------------------------------------------------------------------


class Settings:
    """Every option's value for one run, by name (the names of :data:`OPTIONS`), and the
    ``include``/``exclude`` filters of a settings file; the table's default for any value not
    given. Frozen: :meth:`replace` makes a changed copy. :func:`settings_for` makes the
    settings of one command from parsed values."""

    __slots__ = ("_values",)

    def __init__(self, **values: Any) -> None:
        unknown = set(values) - _DEFAULTS.keys()
        if unknown:
            raise TypeError(f"not options: {', '.join(sorted(unknown))}")
        object.__setattr__(self, "_values", {**_DEFAULTS, **values})

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Settings are frozen: use replace()")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Settings) and self._values == other._values

    def __hash__(self) -> int:
        return hash(tuple(sorted((k, repr(v)) for k, v in self._values.items())))

    def __repr__(self) -> str:
        given = {k: v for k, v in self._values.items() if v != _DEFAULTS[k]}
        return f"Settings({', '.join(f'{k}={v!r}' for k, v in given.items())})"

    def __reduce__(self) -> tuple[Any, ...]:
        return _settings, (self._values,)

    def replace(self, **changes: Any) -> Settings:
        """A copy with some values changed."""
        return Settings(**{**self._values, **changes})


def _settings(values: dict[str, Any]) -> Settings:
    return Settings(**values)


#: Each setting's value when none is given: its first row's default, in final form.
_DEFAULTS: dict[str, Any] = {
    name: option_named(name).kind.final(option_named(name).default) for name in NAMES
}
_DEFAULTS.update(include=Filters(), exclude=Filters())


def settings_for(
    command: str,
    values: Mapping[str, Any],
    *,
    include: Filters | None = None,
    exclude: Filters | None = None,
) -> Any:
    """:class:`Settings` for ``command`` from parsed values by option name (the command line's
    parameters, or the plugin's options): the table's defaults for that command where a value
    is missing, every value in its final form (:meth:`Kind.final`)."""
    chosen: dict[str, Any] = {}
    for option in options_of(command):
        value = values.get(option.name, option.default)
        chosen[option.name] = option.kind.final(value)
    unknown = set(values) - set(NAMES)
    if unknown:
        raise TypeError(f"not options: {', '.join(sorted(unknown))}")
    return Settings(**chosen, include=include or Filters(), exclude=exclude or Filters())
