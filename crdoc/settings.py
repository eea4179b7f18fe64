"""Project settings: defaults for every command in ``crdoc.yaml`` (or ``[tool.crdoc]`` in
``pyproject.toml``), so a repository runs ``crdoc build`` with no arguments.

::

    source: charts/my-operator          # paths are read from this file's folder
    hide: [internal]
    exclude:
      fields: ["status.**"]             # * one segment, ** any number
      versions: ["*alpha*"]
    build:
      output: site
      site_url: https://docs.example.com/api/
    coverage:
      fail_under: 90

Top-level keys apply to every command that has the option; a command's own section
(``build``, ``markdown``, ``coverage``, ``inspect``) overrides them, with the command's option
names (``--site-url`` is ``site_url`` or ``site-url``; ``--format`` may also be ``fmt``).
``include``/``exclude`` choose the API groups, kinds, versions and fields documented (see
:func:`filter_catalog`). Options given on the command line win over the file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode

from crdoc.errors import CrdocError, raise_collected
from crdoc.load.limits import Limits
from crdoc.load.yamlio import compose_file, decode
from crdoc.model import STATUSES, Catalog, Field, Version

#: The files :func:`load_config` looks for in a folder, first found wins.
CONFIG_FILENAMES = ("crdoc.yaml", "crdoc.yml")
PYPROJECT = "pyproject.toml"

#: Keys of an ``include``/``exclude`` mapping.
FILTER_KEYS = ("groups", "kinds", "versions", "fields")


# --------------------------------------------------------------------------- the options

Check = Callable[[Any, Path], Any]
"""Converts a value read from the file (or raises ``ValueError`` saying what was expected)."""


def _bool(value: Any, folder: Path) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def _text(value: Any, folder: Path) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a non-empty string")
    return value


def _path(value: Any, folder: Path) -> Path:
    path = Path(_text(value, folder)).expanduser()
    return path if path.is_absolute() else folder / path


def _source(value: Any, folder: Path) -> str:
    text = _text(value, folder)
    return text if "://" in text else str(_path(text, folder))


def _strings(value: Any, folder: Path) -> list[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) and i for i in items):
        raise ValueError("must be a list of strings")
    return list(items)


def _statuses(value: Any, folder: Path) -> list[str]:
    items = _strings(value, folder)
    for item in items:
        if item not in STATUSES:
            raise ValueError(f"has unknown status {item!r}; expected some of {', '.join(STATUSES)}")
    return items


def _field_globs(value: Any, folder: Path) -> list[str]:
    items = _strings(value, folder)
    for item in items:
        from crdoc.reports.annotations import split_pattern

        split_pattern(item)  # ValueError for an empty segment
    return items


def _percentage(value: Any, folder: Path) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
        raise ValueError("must be a number from 0 to 100")
    return float(value)


def _non_negative(value: Any, folder: Path) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError("must be a whole number, 0 or more")
    return value


def _choice(*choices: str) -> Check:
    def check(value: Any, folder: Path) -> str:
        if value not in choices:
            raise ValueError(f"must be one of {', '.join(choices)}")
        return value

    return check


def _limits(value: Any, folder: Path) -> list[str]:
    """``{max_file_bytes: 512M}`` as the ``NAME=VALUE`` strings ``--limit`` takes."""
    if not isinstance(value, dict):
        raise ValueError("must be a mapping of limit names to values")
    known = [f.name for f in fields(Limits)]
    result = []
    for name, item in value.items():
        if name not in known:
            import difflib

            close = difflib.get_close_matches(str(name), known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; known: {', '.join(known)}"
            raise ValueError(f"has unknown limit {name!r}{hint}")
        if isinstance(item, bool) or not isinstance(item, int | float | str):
            raise ValueError(f"limit {name!r} must be a number or a size such as 512M")
        result.append(f"{name}={item}")
    return result


@dataclass(frozen=True, slots=True)
class _Option:
    """One command option as the file spells it: its click parameter name, other accepted
    spellings, and how its value is checked."""

    name: str
    check: Check
    aliases: tuple[str, ...] = ()


_SOURCE_OPTIONS = (
    _Option("source", _source),
    _Option("annotations_file", _path, ("annotations",)),
    _Option("skip_invalid", _bool),
    _Option("allow_http", _bool),
    _Option("allow_empty", _bool),
    _Option("limits", _limits, ("limit",)),
    _Option("quiet", _bool),
)
_RENDER_OPTIONS = (
    _Option("output", _path),
    _Option("templates", _path),
    _Option("title", _text),
    _Option("clean", _bool),
    _Option("hide", _statuses),
)

#: Every command's options, by click parameter name.
COMMAND_OPTIONS: dict[str, tuple[_Option, ...]] = {
    "inspect": (*_SOURCE_OPTIONS, _Option("fmt", _choice("text", "json"), ("format",))),
    "build": (
        *_SOURCE_OPTIONS,
        *_RENDER_OPTIONS,
        _Option("site_url", _text),
        _Option("config_file", _path, ("config",)),
        _Option("docs_only", _bool),
    ),
    "markdown": (
        *_SOURCE_OPTIONS,
        *_RENDER_OPTIONS,
        _Option("single_file", _bool),
        _Option("inject", _path),
        _Option("check", _bool),
        _Option("shift_headings", _non_negative),
    ),
    "coverage": (
        *_SOURCE_OPTIONS,
        _Option("hide", _statuses),
        _Option("fmt", _choice("text", "json", "markdown"), ("format",)),
        _Option("fail_under", _percentage),
        _Option("exclude", _field_globs),
        _Option("summary", _bool),
    ),
}

#: Top-level keys that give a default to every command with that option (file key → option).
SHARED_OPTIONS: dict[str, _Option] = {
    "source": _Option("source", _source),
    "title": _Option("title", _text),
    "output": _Option("output", _path),
    "templates": _Option("templates", _path),
    "annotations": _Option("annotations_file", _path, ("annotations_file",)),
    "hide": _Option("hide", _statuses),
    "skip_invalid": _Option("skip_invalid", _bool),
    "allow_http": _Option("allow_http", _bool),
    "allow_empty": _Option("allow_empty", _bool),
    "site_url": _Option("site_url", _text),
    "config": _Option("config_file", _path, ("config_file",)),
    "limits": _Option("limits", _limits, ("limit",)),
    "quiet": _Option("quiet", _bool),
}


# --------------------------------------------------------------------------- filters


@dataclass(frozen=True, slots=True)
class Filters:
    """Globs choosing parts of a catalog: API groups, kinds and version names
    (:func:`fnmatch.fnmatchcase`), and field paths (``*`` one segment, ``**`` any number)."""

    groups: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    versions: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.groups or self.kinds or self.versions or self.fields)


def filter_catalog(
    catalog: Catalog, include: Filters | None = None, exclude: Filters | None = None
) -> Catalog:
    """The catalog with only what ``include`` names (an empty list names everything) and
    without what ``exclude`` names.

    A CRD goes when its group or kind is left out, or all its versions are (field filters never
    remove a CRD or version, only fields). A field is kept when
    it or one of its ancestors matches an include pattern, or it is the ancestor of a kept
    field, and neither it nor any ancestor matches an exclude pattern: a dropped field's
    children go with it, and every kept field keeps its parent. ``Version.fields`` and the
    parents' ``children`` are rebuilt to match. Filter after :func:`~crdoc.reports.annotations.
    annotations_for` (annotations name fields of the whole catalog)."""
    include = include or Filters()
    exclude = exclude or Filters()
    crds = []
    for crd in catalog.crds:
        if not _chosen(crd.group, include.groups, exclude.groups):
            continue
        if not _chosen(crd.kind, include.kinds, exclude.kinds):
            continue
        versions = tuple(
            _filter_fields(version, include.fields, exclude.fields)
            for version in crd.versions
            if _chosen(version.name, include.versions, exclude.versions)
        )
        if versions:
            crds.append(crd if versions == crd.versions else replace(crd, versions=versions))
    return replace(catalog, crds=tuple(crds))


def _chosen(name: str, include: tuple[str, ...], exclude: tuple[str, ...]) -> bool:
    if include and not any(fnmatchcase(name, glob) for glob in include):
        return False
    return not any(fnmatchcase(name, glob) for glob in exclude)


def _filter_fields(version: Version, include: tuple[str, ...], exclude: tuple[str, ...]) -> Version:
    if not include and not exclude:
        return version
    from crdoc.reports.annotations import compile_pattern

    included = [compile_pattern(p) for p in include]
    excluded = [compile_pattern(p) for p in exclude]

    def rebuild(item: Field, inside_included: bool) -> Field | None:
        if any(test(item.path) for test in excluded):
            return None
        chosen = inside_included or any(test(item.path) for test in included)
        children = tuple(
            child for child in (rebuild(c, chosen) for c in item.children) if child is not None
        )
        if not chosen and not children:
            return None
        return item if children == item.children else replace(item, children=children)

    roots = [root for root in (rebuild(r, not include) for r in version.roots) if root]
    kept = tuple(_depth_first(roots))
    return version if kept == version.fields else replace(version, fields=kept)


def _depth_first(items: Iterable[Field]) -> Iterator[Field]:
    for item in items:
        yield item
        yield from _depth_first(item.children)


# --------------------------------------------------------------------------- the file


@dataclass(frozen=True, slots=True, kw_only=True)
class CrdocConfig:
    """A checked configuration file; paths in it are resolved against its folder."""

    path: Path
    """The file it was read from."""
    shared: Mapping[str, Any] = field(default_factory=dict)
    """Top-level defaults, by click parameter name."""
    commands: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Each command's own section, by click parameter name."""
    include: Filters = Filters()
    exclude: Filters = Filters()

    def defaults_for(self, command: str) -> dict[str, Any]:
        """Defaults for ``command``'s options, ready as a click ``default_map``: top-level
        values for the options it has, overridden by its own section."""
        if command not in COMMAND_OPTIONS:
            raise ValueError(f"unknown command {command!r}")
        names = {option.name for option in COMMAND_OPTIONS[command]}
        values = {name: value for name, value in self.shared.items() if name in names}
        values.update(self.commands.get(command, {}))
        return values

    def filter(self, catalog: Catalog) -> Catalog:
        """The catalog as this file's ``include``/``exclude`` choose (:func:`filter_catalog`)."""
        if not self.include and not self.exclude:
            return catalog
        return filter_catalog(catalog, self.include, self.exclude)


def load_config(start: Path) -> CrdocConfig | None:
    """The configuration in folder ``start`` (``crdoc.yaml``, ``crdoc.yml``, else a
    ``pyproject.toml`` with a ``[tool.crdoc]`` table), ``None`` when there is none; or the file
    ``start`` itself (YAML, or TOML when it ends in ``.toml``). Folders above are not searched.
    Every problem is raised as :class:`CrdocError` naming the file (and line, for YAML)."""
    start = Path(start)
    if start.is_dir():
        for name in CONFIG_FILENAMES:
            if (start / name).is_file():
                return _load_yaml(start / name)
        pyproject = start / PYPROJECT
        if pyproject.is_file():
            return _load_toml(pyproject, required=False)
        return None
    if not start.exists():
        raise CrdocError("configuration file not found", path=str(start))
    if start.suffix == ".toml":
        return _load_toml(start, required=True)
    return _load_yaml(start)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CrdocError(f"cannot read: {exc.strerror}", path=str(path)) from None


def _load_yaml(path: Path) -> CrdocConfig:
    where = str(path)
    text = decode(_read(path), where)
    root, data = compose_file(text, where)
    lines: dict[tuple[str, ...], int] = {}
    if root is not None:
        _key_lines(root, (), lines)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise CrdocError("the file must be a mapping of settings", path=where, line=1)
    return _Reader(path, lambda keys: lines.get(keys)).read(data)


def _key_lines(node: Node, prefix: tuple[str, ...], lines: dict[tuple[str, ...], int]) -> None:
    if not isinstance(node, MappingNode):
        return
    for key_node, value_node in node.value:
        if isinstance(key_node, ScalarNode):
            keys = (*prefix, key_node.value)
            lines[keys] = key_node.start_mark.line + 1
            _key_lines(value_node, keys, lines)


def _load_toml(path: Path, *, required: bool) -> CrdocConfig | None:
    import tomllib

    where = str(path)
    try:
        document = tomllib.loads(decode(_read(path), where))
    except tomllib.TOMLDecodeError as exc:
        raise CrdocError(f"invalid TOML: {exc}", path=where) from None
    tool = document.get("tool")
    data = tool.get("crdoc") if isinstance(tool, dict) else None
    if data is None:
        if required:
            raise CrdocError("no [tool.crdoc] table", path=where)
        return None
    if not isinstance(data, dict):
        raise CrdocError("tool.crdoc must be a table", path=where)
    return _Reader(path, lambda keys: None, prefix="tool.crdoc.").read(data)


class _Reader:
    """Checks the settings read from one file, collecting every problem."""

    def __init__(
        self, path: Path, line_of: Callable[[tuple[str, ...]], int | None], prefix: str = ""
    ) -> None:
        self.path = path
        self.folder = path.absolute().parent
        self.line_of = line_of
        self.prefix = prefix
        self.errors: list[CrdocError] = []

    def fail(self, message: str, keys: tuple[str, ...]) -> None:
        self.errors.append(CrdocError(message, path=str(self.path), line=self.line_of(keys)))

    def read(self, data: dict[str, Any]) -> CrdocConfig:
        shared: dict[str, Any] = {}
        commands: dict[str, dict[str, Any]] = {}
        filters = {"include": Filters(), "exclude": Filters()}
        shared_keys: dict[str, _Option] = {}
        for spelling, option in SHARED_OPTIONS.items():
            shared_keys.update({_norm(s): option for s in (spelling, *option.aliases)})
        known = [*SHARED_OPTIONS, "include", "exclude", *COMMAND_OPTIONS]
        for key, value in data.items():
            name = _norm(key)
            if name in COMMAND_OPTIONS:
                commands[name] = self.section(name, key, value)
            elif name in filters:
                filters[name] = self.filters(key, value)
            elif name in shared_keys:
                option = shared_keys[name]
                converted = self.convert(option, value, (key,))
                if converted is not None:
                    shared[option.name] = converted
            else:
                self.unknown(key, known, (key,), "at the top level")
        raise_collected(self.errors)
        return CrdocConfig(
            path=self.path,
            shared=shared,
            commands=commands,
            include=filters["include"],
            exclude=filters["exclude"],
        )

    def section(self, command: str, key: str, value: Any) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.fail(f"{self.prefix}{key} must be a mapping of {command}'s options", (key,))
            return {}
        options = {}
        for option in COMMAND_OPTIONS[command]:
            options[_norm(option.name)] = option
            options.update({_norm(alias): option for alias in option.aliases})
        found: dict[str, Any] = {}
        for name, item in value.items():
            option = options.get(_norm(name))
            if option is None:
                spellings = sorted({_spelling(o) for o in COMMAND_OPTIONS[command]})
                others = [
                    other
                    for other, opts in COMMAND_OPTIONS.items()
                    if any(_norm(name) in (o.name, *o.aliases) for o in opts)
                ]
                where = f"in {self.prefix}{key}"
                if others:
                    where += f" (an option of {' and '.join(others)})"
                self.unknown(name, spellings, (key, name), where)
                continue
            converted = self.convert(option, item, (key, name))
            if converted is not None:
                found[option.name] = converted
        return found

    def filters(self, key: str, value: Any) -> Filters:
        if not isinstance(value, dict):
            self.fail(f"{self.prefix}{key} must be a mapping of {', '.join(FILTER_KEYS)}", (key,))
            return Filters()
        found: dict[str, tuple[str, ...]] = {}
        for name, item in value.items():
            if name not in FILTER_KEYS:
                self.unknown(name, FILTER_KEYS, (key, name), f"in {self.prefix}{key}")
                continue
            check = _field_globs if name == "fields" else _strings
            option = _Option(name, check)
            converted = self.convert(option, item, (key, name))
            if converted is not None:
                found[name] = tuple(converted)
        return Filters(**found)

    def convert(self, option: _Option, value: Any, keys: tuple[str, ...]) -> Any:
        """The checked value, or ``None`` after reporting why it is wrong."""
        try:
            return option.check(value, self.folder)
        except ValueError as exc:
            self.fail(f"{self.prefix}{'.'.join(map(str, keys))} {exc}", keys)
            return None

    def unknown(self, key: Any, known: Iterable[str], keys: tuple[str, ...], where: str) -> None:
        import difflib

        close = difflib.get_close_matches(_norm(str(key)), [_norm(k) for k in known], n=1)
        hint = f"; did you mean {_undo(close[0], known)!r}?" if close else ""
        self.fail(f"unknown key {key!r} {where}{hint}", keys)


def _norm(key: Any) -> str:
    return str(key).replace("-", "_")


def _undo(normalised: str, known: Iterable[str]) -> str:
    return next((k for k in known if _norm(k) == normalised), normalised)


def _spelling(option: _Option) -> str:
    """The spelling suggested for an option: its long option name where that differs from the
    parameter name (``format`` for ``fmt``, ``annotations`` for ``annotations_file``)."""
    return option.aliases[0] if option.aliases else option.name


# --------------------------------------------------------------------------- a starter file


def init_config_text(source: str = "charts/my-operator") -> str:
    """A commented starter ``crdoc.yaml`` for ``source`` (accepted by :func:`load_config`)."""
    return f"""\
# crdoc settings: the defaults of every crdoc command run in this folder.
# Options given on the command line win. Paths are read from this file's folder.

# The chart: a folder, a packaged chart (.tgz), a CRD file or folder, or an https:// URL.
source: {yaml.safe_dump(source, default_style=None).splitlines()[0]}

# title: My operator API            # default: the chart's name
# annotations: crdoc-annotations.yaml   # default: crdoc-annotations.yaml beside the chart
# templates: crdoc-templates/       # Jinja2 templates replacing the shipped ones by name
hide: []                            # statuses to leave out, e.g. [internal]
skip_invalid: false                 # true: warn about malformed CRDs and document the rest
# allow_http: false
# limits: {{max_file_bytes: 512M}}

# What to document (globs; fields: * one segment, ** any number).
# include:
#   groups: ["*.example.com"]
# exclude:
#   versions: ["*alpha*"]
#   fields: ["status.**"]

build:
  output: site
  # site_url: https://docs.example.com/api/
  # config: mkdocs.yml              # your own MkDocs site, with the reference added

markdown:
  output: docs/api
  # single_file: true               # with output: API.md

coverage:
  # fail_under: 90
  exclude: []                       # field paths left out of the count, e.g. ["status.**"]
"""
