"""Every option of crdoc, declared once: the command line, ``crdoc.yaml`` (and ``[tool.crdoc]``)
and the MkDocs plugin are all made from :data:`OPTIONS`.

An :class:`Option` names its value, its command-line flags, its :class:`Kind`, its default, its
help and the commands that take it; ``plugin`` makes it an option of the MkDocs plugin too. The
kind knows everything about a kind of value: how ``crdoc.yaml`` spells it, what a setting holds,
and what each front end makes of it (a click option's type, a MkDocs config option), so the
front ends never ask which kind they have. The same name may have several rows when commands
give it different meanings (``output`` is a site folder for ``build``, a schema folder for
``schema``). :class:`Settings` holds one typed value per option name: what the library's
pipeline (:mod:`crdoc.pipeline`) reads, whichever front end filled it in.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple, TypedDict

import click

from crdoc.loading import DEFAULT_KUBE_VERSION
from crdoc.loading.limits import Limits
from crdoc.model import STATUSES
from crdoc.reports.filters import Filters

if TYPE_CHECKING:
    from mkdocs.config.base import BaseConfigOption

#: The commands of the command line that take options from the table, in help order.
COMMANDS = ("inspect", "build", "markdown", "coverage", "diff", "schema")
#: The MkDocs plugin, as the table names it among the commands.
PLUGIN = "plugin"

# -- kinds of values ------------------------------------------------------------------------------
#
# Each kind answers four questions: how crdoc.yaml spells a value (check: what the command line
# would have parsed, or ValueError saying what was expected), what a setting holds for it
# (final), and what the command line and the MkDocs plugin take it with (click_arguments,
# config_option). The MkDocs side imports mkdocs only when the plugin asks: the command line
# and the library never load it. Kinds are slotted dataclasses, whose methods cannot use a bare
# super() (Python 3.11): they name the class they extend, as in Kind.click_arguments(self, …).


class ClickArguments(TypedDict, total=False):
    """Keyword arguments of ``click.option`` that a kind gives (help and metavar come from the
    row)."""

    type: click.ParamType[Any] | type[float]
    default: object
    show_default: bool
    is_flag: bool
    multiple: bool
    callback: Callable[[click.Context, click.Parameter, Any], object]
    metavar: str


@dataclass(frozen=True, slots=True)
class Kind:
    """A kind of value. Each subclass checks its values; by default the command line takes
    one as click does, and the plugin checks it as ``crdoc.yaml`` does
    (:class:`~crdoc.configoptions.Checked`)."""

    name: str
    """What tests and messages call the kind (``flag``, ``text``, ``file``, ``limits``…)."""
    many: ClassVar[bool] = False
    """Whether the option takes several values (repeated on the command line)."""

    def check(self, value: object, folder: Path) -> object:
        """A value read from a settings file in ``folder``, as the command line would give it
        (paths resolved against ``folder``); ``ValueError`` says what was expected."""
        raise NotImplementedError

    def final(self, value: Any) -> Any:
        """What a setting holds for a parsed value (a tuple for many values, :class:`Limits`
        for limits, a :class:`Path` for paths)."""
        return value

    def click_arguments(self, option: Option) -> ClickArguments:
        """Keyword arguments of ``click.option`` for a row of this kind, besides its flags,
        help and metavar."""
        return {} if option.default is None else {"default": option.default}

    def config_option(self, option: Option) -> BaseConfigOption[Any]:
        """The MkDocs config option of a plugin row of this kind."""
        from crdoc.configoptions import Checked

        return Checked(option.key, lambda value: self.check(value, Path.cwd()))


class Flag(Kind):
    """True or false; a bare flag on the command line."""

    __slots__ = ()  # a dataclass by inheritance: no fields of its own

    def check(self, value: object, folder: Path) -> bool:
        if not isinstance(value, bool):
            raise ValueError("must be true or false")
        return value

    def click_arguments(self, option: Option) -> ClickArguments:
        return {"is_flag": True}

    def config_option(self, option: Option) -> BaseConfigOption[Any]:
        from mkdocs.config import config_options as c

        return c.Type(bool, default=bool(option.default))


class Text(Kind):
    """A non-empty string."""

    __slots__ = ()  # a dataclass by inheritance: no fields of its own

    def check(self, value: object, folder: Path) -> str:
        return _non_empty(value)

    def click_arguments(self, option: Option) -> ClickArguments:
        if option.default is None:
            return {}
        return {"default": option.default, "show_default": True}

    def config_option(self, option: Option) -> BaseConfigOption[Any]:
        from mkdocs.config import config_options as c

        if option.default is None:
            return c.Optional(c.Type(str))
        return c.Type(str, default=option.default)


class Source(Text):
    """A chart folder, ``.tgz``, CRD file or folder, or an ``https://`` URL."""

    __slots__ = ()  # a dataclass by inheritance: no fields of its own

    def check(self, value: object, folder: Path) -> str:
        text = _non_empty(value)
        return text if "://" in text else str(_resolve(text, folder))

    def click_arguments(self, option: Option) -> ClickArguments:
        return {"type": SOURCE_PARAM, **Kind.click_arguments(self, option)}


class UrlFolder(Text):
    """A relative URL folder such as ``reference/``, normalised to end in ``/`` (the plugin's
    ``path``)."""

    __slots__ = ()  # a dataclass by inheritance: no fields of its own

    def check(self, value: object, folder: Path) -> str:
        text = url_folder(_non_empty(value))
        if text is None:
            raise ValueError("must be a relative folder such as 'reference/'")
        return text

    def config_option(self, option: Option) -> BaseConfigOption[Any]:
        from crdoc.configoptions import UrlFolderOption

        return UrlFolderOption(default=option.default, normalise=url_folder)


def url_folder(text: str) -> str | None:
    """``text`` as a relative URL folder ending in ``/``; ``None`` when it is not one (empty,
    absolute, with ``..`` or backslashes)."""
    text = text.strip().strip("/")
    parts = text.split("/")
    if not text or any(part in ("", ".", "..") for part in parts) or "\\" in text:
        return None
    return text + "/"


class _PathKind(Kind):
    """A path; ``crdoc.yaml`` gives it relative to its own folder."""

    __slots__ = ()  # a dataclass by inheritance: no fields of its own

    def check(self, value: object, folder: Path) -> Path:
        return _resolve(_non_empty(value), folder)

    def final(self, value: Any) -> Any:
        return value if value is None or isinstance(value, Path) else Path(value)


class OutputPath(_PathKind):
    """A path that need not exist yet (an output)."""

    __slots__ = ()  # a dataclass by inheritance: no fields of its own

    def click_type(self) -> click.Path:
        """The command line's type of the path (one instance for every option)."""
        return _click_path("any")

    def click_arguments(self, option: Option) -> ClickArguments:
        return {
            "type": self.click_type(),
            "show_default": option.default is not None,
            **Kind.click_arguments(self, option),
        }


class ExistingFile(_PathKind):
    """An existing file (for ``crdoc.yaml``, checked when read: a missing one is an error
    naming it then)."""

    __slots__ = ()  # a dataclass by inheritance: no fields of its own

    def click_type(self) -> click.Path:
        """The command line's type of the path (one instance for every option)."""
        return _click_path("file")

    def click_arguments(self, option: Option) -> ClickArguments:
        return {"type": self.click_type(), **Kind.click_arguments(self, option)}

    def config_option(self, option: Option) -> BaseConfigOption[Any]:
        from mkdocs.config import config_options as c

        return c.Optional(c.File(exists=True))


class ExistingFolder(_PathKind):
    """An existing folder."""

    __slots__ = ()  # a dataclass by inheritance: no fields of its own

    def click_type(self) -> click.Path:
        """The command line's type of the path (one instance for every option)."""
        return _click_path("folder")

    def click_arguments(self, option: Option) -> ClickArguments:
        return {"type": self.click_type(), **Kind.click_arguments(self, option)}

    def config_option(self, option: Option) -> BaseConfigOption[Any]:
        from mkdocs.config import config_options as c

        return c.Optional(c.Dir(exists=True))


@dataclass(frozen=True, slots=True)
class Choice(Kind):
    """One of ``choices``."""

    choices: tuple[str, ...] = ()

    def check(self, value: object, folder: Path) -> str:
        if not isinstance(value, str) or value not in self.choices:
            raise ValueError(f"must be one of {', '.join(self.choices)}")
        return value

    def click_arguments(self, option: Option) -> ClickArguments:
        return {
            "type": click.Choice(self.choices),
            "show_default": True,
            **Kind.click_arguments(self, option),
        }


@dataclass(frozen=True, slots=True)
class Count(Kind):
    """A whole number from ``low`` to ``high``."""

    low: int = 0
    high: int = 0

    def check(self, value: object, folder: Path) -> int:
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not self.low <= value <= self.high
        ):
            raise ValueError(f"must be a whole number from {self.low} to {self.high}")
        return value

    def click_arguments(self, option: Option) -> ClickArguments:
        return {
            "type": click.IntRange(self.low, self.high),
            "show_default": True,
            **Kind.click_arguments(self, option),
        }


class Percent(Kind):
    """A number from 0 to 100."""

    __slots__ = ()  # a dataclass by inheritance: no fields of its own

    def check(self, value: object, folder: Path) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
            raise ValueError("must be a number from 0 to 100")
        return float(value)

    def click_arguments(self, option: Option) -> ClickArguments:
        return {"type": float, "callback": _check_percent, **Kind.click_arguments(self, option)}


def _check_percent(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    if value is not None and not 0 <= value <= 100:
        raise click.BadParameter("a percentage from 0 to 100")
    return value


class _Many(Kind):
    """Several values: repeated on the command line, a list in ``crdoc.yaml`` (one string is a
    list of one); a setting holds a tuple."""

    __slots__ = ()  # a dataclass by inheritance: no fields of its own

    many: ClassVar[bool] = True

    def check(self, value: object, folder: Path) -> list[Any]:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(i, str) and i for i in items):
            raise ValueError("must be a list of strings")
        return list(items)

    def final(self, value: Any) -> Any:
        return tuple(value or ())

    def click_arguments(self, option: Option) -> ClickArguments:
        return {"multiple": True}


class Texts(_Many):
    """Strings, repeatable."""

    __slots__ = ()  # a dataclass by inheritance: no fields of its own

    def config_option(self, option: Option) -> BaseConfigOption[Any]:
        from mkdocs.config import config_options as c

        return c.ListOfItems(c.Type(str), default=[])


@dataclass(frozen=True, slots=True)
class Statuses(_Many):
    """Statuses of :data:`~crdoc.model.STATUSES`, repeatable."""

    choices: tuple[str, ...] = STATUSES

    def check(self, value: object, folder: Path) -> list[Any]:
        items = _Many.check(self, value, folder)
        for item in items:
            if item not in self.choices:
                raise ValueError(
                    f"has unknown status {item!r}; expected some of {', '.join(STATUSES)}"
                )
        return items

    def click_arguments(self, option: Option) -> ClickArguments:
        return {"multiple": True, "type": click.Choice(self.choices)}

    def config_option(self, option: Option) -> BaseConfigOption[Any]:
        from mkdocs.config import config_options as c

        return c.ListOfItems(c.Choice(self.choices), default=[])


class Globs(_Many):
    """Field path globs (``*`` one segment, ``**`` any number), repeatable."""

    __slots__ = ()  # a dataclass by inheritance: no fields of its own

    def check(self, value: object, folder: Path) -> list[Any]:
        from crdoc.reports.annotations import split_pattern

        items = _Many.check(self, value, folder)
        for item in items:
            split_pattern(item)  # ValueError for an empty segment
        return items


class Files(_Many):
    """Existing files, repeatable: paths read from the settings file's folder (read when used:
    a missing one is an error naming it then, as for ``annotations``)."""

    __slots__ = ()  # a dataclass by inheritance: no fields of its own

    def check(self, value: object, folder: Path) -> list[Any]:
        return [_resolve(_non_empty(item), folder) for item in _Many.check(self, value, folder)]

    def final(self, value: Any) -> Any:
        return tuple(item if isinstance(item, Path) else Path(item) for item in value or ())

    def click_arguments(self, option: Option) -> ClickArguments:
        return {"multiple": True, "type": FILE.click_type()}

    def config_option(self, option: Option) -> BaseConfigOption[Any]:
        from mkdocs.config import config_options as c

        return c.ListOfItems(c.File(exists=True), default=[])


class LimitsKind(_Many):
    """crdoc's bounds on hostile input: ``NAME=VALUE`` on the command line, a mapping
    ``{max_file_bytes: 512M}`` in ``crdoc.yaml``; a setting holds :class:`Limits`."""

    __slots__ = ()  # a dataclass by inheritance: no fields of its own

    def check(self, value: object, folder: Path) -> list[Any]:
        from crdoc.loading.limits import limit_value

        if not isinstance(value, dict):
            raise ValueError("must be a mapping of limit names to values")
        for name, item in value.items():
            try:
                limit_value(str(name), item)
            except ValueError as exc:
                raise ValueError(f"has {exc}") from None
        return [f"{name}={item}" for name, item in value.items()]

    def final(self, value: Any) -> Any:
        from crdoc.loading.limits import parse_limits

        return value if isinstance(value, Limits) else parse_limits(value or ())

    def click_arguments(self, option: Option) -> ClickArguments:
        return {"multiple": True, "callback": self.check_command_line}

    def check_command_line(
        self, ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
    ) -> tuple[str, ...]:
        """The click callback of ``--limit``."""
        from crdoc.loading.limits import limit_value

        for item in values:
            name, _, raw = item.partition("=")
            try:
                limit_value(name, raw)
            except ValueError as exc:
                raise click.BadParameter(str(exc), param_hint="--limit") from None
        return values


class Assignments(_Many):
    """``KEY=VALUE`` values as Helm's ``--set`` takes them, repeatable; ``crdoc.yaml`` may give
    a mapping ``{crds.channel: standard}``, spelled that way too."""

    __slots__ = ()  # a dataclass by inheritance: no fields of its own

    def check(self, value: object, folder: Path) -> list[Any]:
        from crdoc.loading.helm.values import SetSyntaxError, check_set

        if isinstance(value, dict):
            items = [f"{key}={_set_value(item)}" for key, item in value.items()]
        else:
            items = _Many.check(self, value, folder)
        for item in items:
            try:
                check_set(item)
            except SetSyntaxError as exc:
                raise ValueError(f"has {item!r}: {exc}") from None
        return items

    def click_arguments(self, option: Option) -> ClickArguments:
        return {"multiple": True, "callback": self.check_command_line}

    def check_command_line(
        self, ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
    ) -> tuple[str, ...]:
        """The click callback of ``--set`` and ``--set-string``."""
        if not values:
            return values
        from crdoc.loading.helm.values import SetSyntaxError, check_set

        for item in values:
            try:
                check_set(item)
            except SetSyntaxError as exc:
                raise click.BadParameter(f"{item}: {exc}") from None
        return values


def _set_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, list):
        return "{" + ",".join(_set_value(item) for item in value) + "}"
    return str(value)


def _non_empty(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a non-empty string")
    return value


def _resolve(text: str, folder: Path) -> Path:
    path = Path(text).expanduser()
    return path if path.is_absolute() else folder / path


if TYPE_CHECKING:
    _TextParam = click.ParamType[str]
else:  # click's ParamType is generic in recent versions only
    _TextParam = click.ParamType


class SourceParam(_TextParam):
    """A chart or CRD source on the command line: an existing path, or an ``https://`` URL."""

    name = "source"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value)
        if "://" in text or Path(text).exists():
            return text
        self.fail(f"{text!r}: no such file or folder (nor a URL)", param, ctx)


SOURCE_PARAM = SourceParam()


@cache
def _click_path(what: str) -> click.Path:
    # One instance a kind, shared by every option of it: each click.Path asks gettext for its
    # name, a lookup of translation files that costs start-up time on every command.
    if what == "file":
        return click.Path(exists=True, dir_okay=False, path_type=Path)
    if what == "folder":
        return click.Path(exists=True, file_okay=False, path_type=Path)
    return click.Path(path_type=Path)


FLAG = Flag("flag")
TEXT = Text("text")
PATH = OutputPath("path")
"""A path that need not exist yet (an output)."""
FILE = ExistingFile("file")
"""An existing file."""
FOLDER = ExistingFolder("folder")
"""An existing folder."""
SOURCE = Source("source")
"""A chart folder, ``.tgz``, CRD file or folder, or an ``https://`` URL."""
URL_FOLDER = UrlFolder("url_folder")
"""A relative URL folder such as ``reference/``."""
HIDE = Statuses("statuses")
PERCENT = Percent("percent")
GLOBS = Globs("globs")
LIMITS = LimitsKind("limits")
FILES = Files("files")
"""Existing files, repeatable."""
ASSIGNMENTS = Assignments("assignments")
"""``KEY=VALUE`` values as Helm's ``--set`` takes them, repeatable."""
TEXTS = Texts("texts")
"""Strings, repeatable."""


def choice(*choices: str) -> Kind:
    """One of ``choices``."""
    return Choice("choice", choices=choices)


def count(low: int, high: int) -> Kind:
    """A whole number from ``low`` to ``high``."""
    return Count("count", low=low, high=high)


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
        kind=URL_FOLDER,
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


def _default(name: str) -> Any:
    """A setting's value when none is given: its first row's default, in final form."""
    option = option_named(name)
    return option.kind.final(option.default)


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class Settings:
    """Every option's value for one run, one field per name of :data:`OPTIONS` (its help is
    there; its default is the first row's), and the ``include``/``exclude`` filters of a
    settings file. Frozen: :meth:`replace` makes a changed copy. :func:`settings_for` makes
    the settings of one command from parsed values; ``tests/test_options.py`` checks the
    fields against the table."""

    # reading a source
    source: str | None = _default("source")
    annotations_file: Path | None = _default("annotations_file")
    skip_invalid: bool = _default("skip_invalid")
    allow_http: bool = _default("allow_http")
    allow_empty: bool = _default("allow_empty")
    limits: Limits = _default("limits")
    # how Helm would render the chart
    values: tuple[Path, ...] = _default("values")
    set: tuple[str, ...] = _default("set")
    set_string: tuple[str, ...] = _default("set_string")
    kube_version: str = _default("kube_version")
    api_versions: tuple[str, ...] = _default("api_versions")
    dependencies: bool = _default("dependencies")
    quiet: bool = _default("quiet")
    hide: tuple[str, ...] = _default("hide")
    # rendering
    templates: Path | None = _default("templates")
    title: str | None = _default("title")
    clean: bool = _default("clean")
    # outputs
    output: Path | None = _default("output")
    """``build``'s default; ``markdown`` has none (``None`` with ``--inject``)."""
    fmt: str = _default("fmt")
    # build
    site_url: str | None = _default("site_url")
    config_file: Path | None = _default("config_file")
    docs_only: bool = _default("docs_only")
    previous: str | None = _default("previous")
    release: str | None = _default("release")
    versioned: bool = _default("versioned")
    # markdown
    single_file: bool = _default("single_file")
    inject: Path | None = _default("inject")
    shift_headings: int = _default("shift_headings")
    check: bool = _default("check")
    # coverage
    fail_under: float | None = _default("fail_under")
    exclude_paths: tuple[str, ...] = _default("exclude_paths")
    summary: bool = _default("summary")
    # diff
    fail_on_breaking: bool = _default("fail_on_breaking")
    # the MkDocs plugin
    path: str = _default("path")
    nav_title: str = _default("nav_title")
    # a settings file's filters
    include: Filters = Filters()
    exclude: Filters = Filters()

    def __repr__(self) -> str:
        given = [
            f"{f.name}={getattr(self, f.name)!r}"
            for f in dataclasses.fields(self)
            if getattr(self, f.name) != f.default
        ]
        return f"Settings({', '.join(given)})"

    def replace(self, **changes: Any) -> Settings:
        """A copy with some values changed."""
        return dataclasses.replace(self, **changes)


def settings_for(
    command: str,
    values: Mapping[str, Any],
    *,
    include: Filters | None = None,
    exclude: Filters | None = None,
) -> Settings:
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
