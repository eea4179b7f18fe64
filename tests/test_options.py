"""One table of options (crdoc.options.OPTIONS) makes the command line, crdoc.yaml and the
MkDocs plugin: each row is checked on all three, and the pipeline they share documents the same
CRDs whichever front end runs it."""

from __future__ import annotations

import dataclasses
import json
import shutil
import types
import typing
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from click.testing import CliRunner
from conftest import EXAMPLE_CHART
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config as mkdocs_config
from mkdocs.config.defaults import MkDocsConfig

from crdoc import Limits, LoadOptions
from crdoc.cli import cli
from crdoc.options import (
    COMMANDS,
    NAMES,
    OPTIONS,
    PLUGIN,
    Option,
    Settings,
    option_named,
    options_of,
    settings_for,
)
from crdoc.settings import load_config

ROWS = [(command, option) for command in COMMANDS for option in options_of(command)]


def row_id(row: tuple[str, Option]) -> str:
    return f"{row[0]}-{row[1].name}"


def materialise(option: Option, folder: Path) -> None:
    """Make the files and folders an example names exist (click checks they do)."""
    if option.kind.name == "file":
        (folder / option.example).write_text("{}\n")
    elif option.kind.name == "files":
        for name in option.example:
            (folder / name).write_text("{}\n")
    elif option.kind.name in ("folder", "source"):
        (folder / option.example).mkdir(exist_ok=True)


def command_line(option: Option) -> list[str]:
    """The example on the command line."""
    example = option.example
    if option.argument:
        return [str(example)]
    flag = option.flags[-1]
    if option.kind.name == "flag":
        return [flag]
    if option.kind.name == "limits":
        return [a for name, value in example.items() for a in (flag, f"{name}={value}")]
    if option.kind.many:
        return [a for value in example for a in (flag, str(value))]
    return [flag, str(example)]


def expected(option: Option, folder: Path) -> Any:
    """What the setting holds for the example, paths read from ``folder``."""
    return option.kind.final(option.kind.check(option.example, folder))


def same(option: Option, value: Any, want: Any) -> bool:
    """Whether a setting is the expected one (paths compared as absolute paths: the command
    line keeps them relative to the current folder, a settings file to its own)."""
    if option.kind.name in ("path", "file", "folder", "source") and value is not None:
        return Path(value).absolute() == Path(want).absolute()
    if option.kind.name == "files":
        return [Path(v).absolute() for v in value] == [Path(w).absolute() for w in want]
    return value == want


def test_every_option_has_an_example_and_help() -> None:
    for option in OPTIONS:
        assert option.example is not None, option.name
        assert option.help.strip(), option.name
        assert option.commands, option.name
        assert option.argument or option.flags or option.commands == {PLUGIN}, option.name


@pytest.mark.parametrize("row", ROWS, ids=row_id)
def test_option_on_the_command_line(
    row: tuple[str, Option], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    command, option = row
    monkeypatch.chdir(tmp_path)
    materialise(option, tmp_path)
    extra = ["old", "new"] if command == "diff" else []
    for name in extra:
        (tmp_path / name).mkdir()
    group = click.Context(cli)
    ctx = cli.commands[command].make_context(command, [*extra, *command_line(option)], parent=group)
    params = {k: v for k, v in ctx.params.items() if k not in ("old", "new")}
    settings = settings_for(command, params)
    assert same(option, getattr(settings, option.name), expected(option, tmp_path))


@pytest.mark.parametrize("row", ROWS, ids=row_id)
def test_option_in_crdoc_yaml(
    row: tuple[str, Option], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In the command's section (and at the top level, where the option is shared), the
    example gives the command the same setting as on the command line."""
    command, option = row
    monkeypatch.chdir(tmp_path)
    materialise(option, tmp_path)
    places = [{command: {option.key: option.example}}]
    if option.shared:
        places.append({option.key: option.example})
    for data in places:
        (tmp_path / "crdoc.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
        found = load_config(tmp_path)
        assert found is not None
        defaults = found.defaults_for(command)
        group = click.Context(cli, default_map={command: defaults})
        extra = ["old", "new"] if command == "diff" else []
        for name in extra:
            (tmp_path / name).mkdir(exist_ok=True)
        ctx = cli.commands[command].make_context(command, extra, parent=group)
        params = {k: v for k, v in ctx.params.items() if k not in ("old", "new")}
        value = getattr(settings_for(command, params), option.name)
        assert same(option, value, expected(option, tmp_path))


@pytest.fixture
def registered(monkeypatch: pytest.MonkeyPatch) -> None:
    option = dict(MkDocsConfig._schema)["plugins"]
    entry = EntryPoint(name="crdoc", value="crdoc.publish.plugin:CrdocPlugin", group="x")
    monkeypatch.setitem(option.installed_plugins, "crdoc", entry)


@pytest.mark.parametrize("option", options_of(PLUGIN), ids=lambda o: o.name)
def test_option_in_the_plugin(option: Option, tmp_path: Path, registered: None) -> None:
    """Each plugin option from the table, given in mkdocs.yml, reaches the settings."""
    materialise(option, tmp_path)
    (tmp_path / "docs").mkdir()
    options = {"source": str(EXAMPLE_CHART), option.key: option.example}
    config = {"site_name": "x", "plugins": [{"crdoc": options}]}
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    loaded = mkdocs_config(str(tmp_path / "mkdocs.yml"))
    plugin = loaded.plugins["crdoc"]
    settings = plugin.settings(loaded)
    want = expected(option, tmp_path)
    if option.name == "source":
        want = str(tmp_path / option.example)
    if option.name == "path":
        want = "api/"
    assert same(option, getattr(settings, option.name), want)


def test_unknown_plugin_option_names_the_nearest(tmp_path: Path, registered: None) -> None:
    (tmp_path / "docs").mkdir()
    config = {"site_name": "x", "plugins": [{"crdoc": {"source": "x", "nav_titel": "A"}}]}
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    with pytest.raises(Exception):  # noqa: B017 - MkDocs aborts; the log says why
        mkdocs_config(str(tmp_path / "mkdocs.yml"))


# -- one pipeline for every front end ---------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project with the example chart and a crdoc.yaml that names it and leaves Failover out."""
    shutil.copytree(EXAMPLE_CHART, tmp_path / "chart")
    (tmp_path / "crdoc.yaml").write_text(
        "source: chart\nexclude:\n  kinds: [Failover]\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_every_command_reads_the_settings_file(project: Path, registered: None) -> None:
    """inspect, coverage, schema, markdown and build run without SOURCE and leave Failover out;
    a MkDocs site using the plugin on the same chart has exactly the CLI's CRD pages."""
    model = json.loads(run("inspect", "--format", "json"))
    kinds = {crd["kind"] for crd in model["crds"]}
    assert "Failover" not in kinds and "DBCluster" in kinds and len(model["crds"]) == 12
    assert "failovers" not in run("coverage")
    run("schema", "-o", "schemas", "-q")
    assert not list((project / "schemas").rglob("*ailover*"))
    assert (project / "schemas" / "alloydbomni.dbadmin.goog" / "dbcluster_v1.json").is_file()
    run("markdown", "-o", "api", "-q")
    cli_pages = {
        p.relative_to(project / "api").with_suffix("").as_posix()
        for p in (project / "api").rglob("*.md")
        if p.parent != project / "api"
    }
    assert not [p for p in cli_pages if "failover" in p]
    assert "alloydbomni.dbadmin.goog/dbclusters-v1" in cli_pages
    run("build", "-o", "site", "-q")
    site_pages = {
        p.relative_to(project / "site").with_suffix("").as_posix()
        for p in (project / "site").rglob("*.html")
        if p.parent != project / "site"
    } - {"assets", "search"}
    assert {p for p in site_pages if "/" in p and not p.startswith(("assets", "_"))} == cli_pages
    # The plugin, with no source of its own: the settings file gives it.
    (project / "docs").mkdir()
    (project / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
    config = {"site_name": "x", "use_directory_urls": False, "plugins": [{"crdoc": {}}]}
    (project / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    mkdocs_build(mkdocs_config(str(project / "mkdocs.yml"), site_dir=str(project / "plugin-site")))
    reference = project / "plugin-site" / "reference"
    plugin_pages = {
        p.relative_to(reference).with_suffix("").as_posix()
        for p in reference.rglob("*.html")
        if p.parent != reference
    }
    assert plugin_pages == cli_pages


# -- typed settings ---------------------------------------------------------------------------


def test_settings_have_one_typed_field_per_option() -> None:
    """Settings are declared beside the table, typed: one field per option name, in table
    order, defaulting to the first row's default in final form; then the file's filters."""
    fields = dataclasses.fields(Settings)
    assert [f.name for f in fields] == [*NAMES, "include", "exclude"]
    for field in fields[: len(NAMES)]:
        option = option_named(field.name)
        assert field.default == option.kind.final(option.default), field.name
    hints = typing.get_type_hints(Settings)
    for command, option in [*ROWS, *((PLUGIN, o) for o in options_of(PLUGIN))]:
        value = option.kind.final(option.kind.check(option.example, Path.cwd()))
        assert _conforms(value, hints[option.name]), (command, option.name, value)


def _conforms(value: Any, hint: Any) -> bool:
    """Whether ``value`` has the type ``hint`` (unions, tuple[X, ...] and plain classes)."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_conforms(value, arg) for arg in typing.get_args(hint))
    if origin is tuple:
        (item, _) = typing.get_args(hint)
        return isinstance(value, tuple) and all(_conforms(v, item) for v in value)
    return isinstance(value, hint)


def test_settings_are_frozen_and_show_what_differs() -> None:
    settings = Settings(hide=("internal",))
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.hide = ()  # type: ignore[misc]
    assert repr(settings) == "Settings(hide=('internal',))"
    assert settings.replace(hide=()) == Settings()
    with pytest.raises(TypeError):
        Settings(no_such_option=1)  # type: ignore[call-arg]


def test_load_options_are_the_settings_of_their_names() -> None:
    """LoadOptions.from_settings reads each field from the setting of its name."""
    settings = settings_for(
        "build",
        {
            "skip_invalid": True,
            "values": ["a.yaml"],
            "set": ["x=1"],
            "set_string": ["y=2"],
            "kube_version": "1.29.0",
            "api_versions": ["v1/x"],
            "limits": ["max_file_bytes=1M"],
            "dependencies": True,
            "allow_http": True,
            "allow_empty": True,
        },
    )
    options = LoadOptions.from_settings(settings)
    assert options == LoadOptions(
        skip_invalid=True,
        allow_http=True,
        allow_empty=True,
        limits=Limits(max_file_bytes=1024**2),
        values=(Path("a.yaml"),),
        set=("x=1",),
        set_string=("y=2",),
        kube_version="1.29.0",
        api_versions=("v1/x",),
        dependencies=True,
    )
