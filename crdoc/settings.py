"""Project settings: defaults for every command in ``crdoc.yaml`` (or ``[tool.crdoc]`` in
``pyproject.toml``), so a repository runs ``crdoc build`` with no arguments, and the MkDocs
plugin documents the same CRDs as the command line.

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

Top-level keys apply to every command that has the option; a command's own section overrides
them, with the command's option names (``--site-url`` is ``site_url`` or ``site-url``;
``--format`` may also be ``fmt``). Which keys exist, and what values they take, is
:data:`crdoc.options.OPTIONS`. ``include``/``exclude`` choose the API groups, kinds, versions and
fields documented (:func:`crdoc.reports.filters.filter_catalog`). Options given on the command
line win over the file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode

from crdoc.errors import CrdocError, did_you_mean, raise_collected
from crdoc.loading.yamlio import compose_file, decode
from crdoc.options import (
    COMMANDS,
    GLOBS,
    OPTIONS,
    PLUGIN,
    TEXTS,
    Kind,
    Option,
    options_of,
)
from crdoc.reports.filters import FILTER_KEYS, Filters

#: The files :func:`load_config` looks for in a folder, first found wins.
CONFIG_FILENAMES = ("crdoc.yaml", "crdoc.yml")
PYPROJECT = "pyproject.toml"
#: Every file that may hold settings in a folder.
SETTINGS_FILES = (*CONFIG_FILENAMES, PYPROJECT)


@dataclass(frozen=True, slots=True, kw_only=True)
class SettingsFile:
    """A checked settings file; paths in it are resolved against its folder."""

    path: Path
    """The file it was read from."""
    shared: Mapping[str, Any] = field(default_factory=dict)
    """Top-level defaults, by option name."""
    commands: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Each command's own section, by option name."""
    include: Filters = Filters()
    exclude: Filters = Filters()

    def defaults_for(self, command: str) -> dict[str, Any]:
        """Defaults for ``command``'s options as the command line would parse them (a click
        ``default_map``): top-level values for the options it has, overridden by its section."""
        if command not in (*COMMANDS, PLUGIN):
            raise ValueError(f"unknown command {command!r}")
        names = {option.name for option in options_of(command)}
        values = {name: value for name, value in self.shared.items() if name in names}
        values.update(self.commands.get(command, {}))
        return values


def load_config(start: Path) -> SettingsFile | None:
    """The settings in folder ``start`` (``crdoc.yaml``, ``crdoc.yml``, else a
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


def _load_yaml(path: Path) -> SettingsFile:
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


def _load_toml(path: Path, *, required: bool) -> SettingsFile | None:
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


def _norm(key: Any) -> str:
    return str(key).replace("-", "_")


def _by_key(options: Iterable[Option]) -> dict[str, Option]:
    """Options by every key that spells them (normalised), first row of a name first."""
    found: dict[str, Option] = {}
    for option in options:
        for key in option.keys:
            found.setdefault(_norm(key), option)
    return found


class _Reader:
    """Checks the settings read from one file against :data:`OPTIONS`, collecting every
    problem."""

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

    def read(self, data: dict[str, Any]) -> SettingsFile:
        shared: dict[str, Any] = {}
        commands: dict[str, dict[str, Any]] = {}
        filters = {"include": Filters(), "exclude": Filters()}
        shared_options = [option for option in OPTIONS if option.shared]
        shared_keys = _by_key(shared_options)
        known = [*(o.key for o in shared_options), "include", "exclude", *COMMANDS]
        for key, value in data.items():
            name = _norm(key)
            if name in COMMANDS:
                commands[name] = self.section(name, key, value)
            elif name in filters:
                filters[name] = self.filters(key, value)
            elif name in shared_keys:
                option = shared_keys[name]
                converted = self.convert(option.kind, value, (key,))
                if converted is not None:
                    shared[option.name] = converted
            else:
                self.unknown(key, dict.fromkeys(known), (key,), "at the top level")
        raise_collected(self.errors)
        return SettingsFile(
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
        options = _by_key(options_of(command))
        found: dict[str, Any] = {}
        for name, item in value.items():
            option = options.get(_norm(name))
            if option is None:
                others = [
                    other
                    for other in COMMANDS
                    if other != command and _norm(name) in _by_key(options_of(other))
                ]
                where = f"in {self.prefix}{key}"
                if others:
                    where += f" (an option of {' and '.join(others)})"
                self.unknown(name, sorted({o.key for o in options.values()}), (key, name), where)
                continue
            converted = self.convert(option.kind, item, (key, name))
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
            kind = GLOBS if name == "fields" else TEXTS
            converted = self.convert(kind, item, (key, name))
            if converted is not None:
                found[name] = tuple(converted)
        return Filters(**found)

    def convert(self, kind: Kind, value: Any, keys: tuple[str, ...]) -> Any:
        """The checked value, or ``None`` after reporting why it is wrong."""
        try:
            return kind.check(value, self.folder)
        except ValueError as exc:
            self.fail(f"{self.prefix}{'.'.join(map(str, keys))} {exc}", keys)
            return None

    def unknown(self, key: Any, known: Iterable[str], keys: tuple[str, ...], where: str) -> None:
        hint = did_you_mean(str(key), known, quote=True, normalise=_norm)
        self.fail(f"unknown key {key!r} {where}{hint}", keys)


# --------------------------------------------------------------------------- a starter file


def init_config_text(source: str = "charts/my-operator") -> str:
    """A commented starter ``crdoc.yaml`` for ``source`` (accepted by :func:`load_config`)."""
    from crdoc.loading import DEFAULT_KUBE_VERSION

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
# allow_empty: false                # true: a source without CRDs is not an error
# limits: {{max_file_bytes: 512M}}

# How Helm would render the chart: these choose where it defines one CRD twice.
# values: [values-prod.yaml]        # Helm's -f, in order
# set: {{crds.channel: standard}}     # Helm's --set (or a list of KEY=VALUE)
# kube_version: {DEFAULT_KUBE_VERSION}            # .Capabilities.KubeVersion
# dependencies: true                # fetch subcharts declared but not in charts/

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
