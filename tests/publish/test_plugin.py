"""The MkDocs plugin, through real ``mkdocs build`` runs on small sites in tmp_path.

Until ``crdoc`` is registered as a ``mkdocs.plugins`` entry point by the installed package, the
tests register it themselves (in-process: in the option MkDocs resolves plugin names with; in a
subprocess: with a stub distribution on PYTHONPATH). Both also work once it is registered.
"""

from __future__ import annotations

import os
import subprocess
import sys
import typing
from importlib.metadata import EntryPoint
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from conftest import EXAMPLE_CHART, FIXTURES, ROOT
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort

ENTRY_POINT = "crdoc.publish.plugin:CrdocPlugin"
DBCLUSTER = "reference/alloydbomni.dbadmin.goog/dbclusters-v1"


@pytest.fixture(autouse=True)
def registered(monkeypatch: pytest.MonkeyPatch) -> None:
    """MkDocs resolves plugin names in a table read once at import: add crdoc to it."""
    option = dict(MkDocsConfig._schema)["plugins"]
    entry = EntryPoint(name="crdoc", value=ENTRY_POINT, group="mkdocs.plugins")
    monkeypatch.setitem(option.installed_plugins, "crdoc", entry)


def make_site(root: Path, crdoc: dict[str, Any] | None = None, **extra: Any) -> Path:
    """A one-page MkDocs project using the plugin; returns its mkdocs.yml."""
    docs = root / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    (docs / "index.md").write_text("# Home\n\nWelcome.\n", encoding="utf-8")
    (docs / "guide.md").write_text("# Guide\n\nHow to.\n", encoding="utf-8")
    options = {"source": str(EXAMPLE_CHART), "path": "reference/"} if crdoc is None else crdoc
    config = {"site_name": "Test site", "plugins": ["search", {"crdoc": options}], **extra}
    path = root / "mkdocs.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def run_build(config_file: Path, **overrides: Any) -> MkDocsConfig:
    """``mkdocs build --strict`` in-process; returns the config the build used."""
    config = load_config(str(config_file), strict=True, **overrides)
    build(config)
    return config


def docs_listing(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in (root / "docs").rglob("*"))


def nav_paths(nav: Any) -> list[str]:
    """Every page path in a nav structure."""
    if isinstance(nav, str):
        return [nav]
    if isinstance(nav, list):
        return [p for item in nav for p in nav_paths(item)]
    if isinstance(nav, dict):
        return [p for value in nav.values() for p in nav_paths(value)]
    return []


def test_build_adds_reference_pages_without_touching_docs(tmp_path: Path) -> None:
    config_file = make_site(tmp_path)
    before = docs_listing(tmp_path)
    config = run_build(config_file)
    site = tmp_path / "site"
    assert (site / "reference" / "index.html").is_file()
    page = (site / DBCLUSTER / "index.html").read_text(encoding="utf-8")
    assert 'id="spec.primarySpec"' in page  # a field anchor
    assert (site / "index.html").is_file() and (site / "guide" / "index.html").is_file()
    assert docs_listing(tmp_path) == before
    # Automatic nav: the site's own pages, then the reference section.
    assert config.nav[0] == "index.md" and config.nav[1] == "guide.md"
    section = config.nav[-1]
    assert list(section) == ["Reference"]
    paths = nav_paths(section)
    assert paths[0] == "reference/index.md"
    assert DBCLUSTER + ".md" in paths
    assert "reference/limitations.md" in paths
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "reference/alloydbomni.dbadmin.goog/dbclusters-v1/" in home  # listed in the nav
    # Search indexes the generated pages.
    index = (site / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "dbclusters-v1" in index


def test_explicit_nav_gets_the_section_appended(tmp_path: Path) -> None:
    config_file = make_site(
        tmp_path,
        {"source": str(EXAMPLE_CHART), "path": "api/", "nav_title": "API", "hide": ["internal"]},
        nav=[{"Home": "index.md"}, {"Guide": "guide.md"}],
    )
    config = run_build(config_file)
    assert config.nav[:2] == [{"Home": "index.md"}, {"Guide": "guide.md"}]
    assert list(config.nav[2]) == ["API"]
    paths = nav_paths(config.nav[2])
    assert "api/alloydbomni.dbadmin.goog/dbclusters-v1.md" in paths
    assert not any("internal" in path for path in paths)  # hidden
    assert (tmp_path / "site" / "api" / "alloydbomni.dbadmin.goog" / "dbclusters-v1").is_dir()
    assert not (tmp_path / "site" / "api" / "alloydbomni.internal.dbadmin.goog").exists()


def test_relative_source_and_options(tmp_path: Path) -> None:
    templates = tmp_path / "tpl"
    templates.mkdir()
    (templates / "index.md.jinja").write_text("# {{ title }}\n\nCustom index.\n", encoding="utf-8")
    rel = os.path.relpath(EXAMPLE_CHART, tmp_path)
    config_file = make_site(
        tmp_path, {"source": rel, "templates": "tpl", "title": "My API", "path": "/x/y"}
    )
    cwd = Path.cwd()
    os.chdir(tmp_path.parent)  # relative paths are read from mkdocs.yml's folder, not the cwd
    try:
        run_build(config_file)
    finally:
        os.chdir(cwd)
    index = (tmp_path / "site" / "x" / "y" / "index.html").read_text(encoding="utf-8")
    assert "Custom index." in index and "My API" in index


def test_missing_extensions_are_added_and_user_settings_kept(tmp_path: Path) -> None:
    config_file = make_site(
        tmp_path, markdown_extensions=[{"toc": {"permalink": "#"}}, "admonition"]
    )
    config = run_build(config_file)
    for name in ("attr_list", "md_in_html", "tables", "admonition", "pymdownx.details"):
        assert name in config.markdown_extensions
    assert config.markdown_extensions.count("admonition") == 1
    assert config.mdx_configs["toc"] == {"permalink": "#"}  # the user's, not crdoc's
    assert config.mdx_configs["pymdownx.highlight"] == {"anchor_linenums": False}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"source": str(EXAMPLE_CHART), "paths": "reference/"},
            "option 'paths': unknown option 'paths'; did you mean 'path'?",
        ),
        ({"path": "reference/"}, "option 'source': Required configuration not provided."),
        ({"source": str(EXAMPLE_CHART), "hide": ["secret"]}, "option 'hide': "),
        ({"source": str(EXAMPLE_CHART), "skip_invalid": "yes"}, "option 'skip_invalid': "),
        (
            {"source": str(EXAMPLE_CHART), "path": "../up"},
            "option 'path': expected a relative folder such as 'reference/', not '../up'",
        ),
        ({"source": str(EXAMPLE_CHART), "templates": "nowhere"}, "option 'templates': "),
    ],
)
def test_wrong_options_are_mkdocs_config_errors(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, options: dict[str, Any], message: str
) -> None:
    config_file = make_site(tmp_path, options)
    with pytest.raises(Abort, match="Aborted with a configuration error!"):
        load_config(str(config_file))  # not strict: errors, not warnings
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert any(
        m.startswith("Config value 'plugins': Plugin 'crdoc' ") and message in m for m in errors
    ), errors


def test_crdoc_errors_are_plugin_errors_with_one_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    bad = tmp_path / "crds"
    bad.mkdir()
    (bad / "crd.yaml").write_text(
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec: [\n",
        encoding="utf-8",
    )
    config_file = make_site(tmp_path / "site-src", {"source": str(bad)})
    with pytest.raises(Abort, match="Aborted with a BuildError!"):
        run_build(config_file)
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert errors == [
        f"crdoc: {bad / 'crd.yaml'}:4: invalid YAML: did not find expected node content"
    ]


def test_generated_page_never_replaces_a_docs_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config_file = make_site(tmp_path)
    (tmp_path / "docs" / "reference").mkdir()
    (tmp_path / "docs" / "reference" / "index.md").write_text("# Mine\n", encoding="utf-8")
    with pytest.raises(Abort, match="Aborted with a BuildError!"):
        run_build(config_file)
    assert "reference/index.md exists and crdoc generates a page there" in caplog.text


def test_serve_watches_the_source(tmp_path: Path) -> None:
    config_file = make_site(tmp_path)
    config = load_config(str(config_file))
    watched: list[str] = []
    server = SimpleNamespace(watch=watched.append)
    config.plugins.on_serve(server, config=config, builder=lambda: None)
    assert str(EXAMPLE_CHART) in watched


def test_rebuilding_the_same_config_does_not_repeat_the_section(tmp_path: Path) -> None:
    config_file = make_site(tmp_path, nav=["index.md"])
    config = load_config(str(config_file))
    build(config)
    build(config)
    assert [next(iter(item)) for item in config.nav if isinstance(item, dict)] == ["Reference"]


def test_mkdocs_command_line(tmp_path: Path) -> None:
    """The real ``mkdocs build`` and its config error, with crdoc found as an entry point."""
    stub = tmp_path / "stub"
    info = stub / "crdoc_plugin_stub-0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: crdoc-plugin-stub\nVersion: 0\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        f"[mkdocs.plugins]\ncrdoc = {ENTRY_POINT}\n", encoding="utf-8"
    )
    root = ROOT
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            [str(stub), str(root), *filter(None, [os.environ.get("PYTHONPATH")])]
        ),
    }
    project = tmp_path / "project"
    config_file = make_site(project)
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config_file)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (project / "site" / DBCLUSTER / "index.html").is_file()

    config_file = make_site(project, {"source": str(EXAMPLE_CHART), "paths": "reference/"})
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-f", str(config_file)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 1
    assert (
        "Config value 'plugins': Plugin 'crdoc' option 'paths': unknown option 'paths'; "
        "did you mean 'path'?" in done.stderr
    )
    assert "Traceback" not in done.stderr


def test_values_options_choose_the_variant(tmp_path: Path) -> None:
    """``set:`` and ``values:`` in the plugin's options choose between two definitions of a
    CRD, as on the command line."""
    channels = FIXTURES / "helm" / "channels-chart"
    (tmp_path / "standard.yaml").write_text("crds: {gates: {channel: standard}}\n")
    for options in ({"set": ["crds.gates.channel=standard"]}, {"values": ["standard.yaml"]}):
        config_file = make_site(tmp_path, {"source": str(channels), **options})
        run_build(config_file)
        page = tmp_path / "site" / "reference" / "fixture.example.com" / "gates-v1" / "index.html"
        text = page.read_text(encoding="utf-8")
        assert 'id="spec.width"' not in text and 'id="width"' in text, options
        assert 'id="hinge"' not in text, options


def test_crdoc_warnings_go_through_mkdocs(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A subchart declared but not vendored is a MkDocs warning (so --strict stops)."""
    chart = tmp_path / "chart"
    (chart / "crds").mkdir(parents=True)
    (chart / "Chart.yaml").write_text(
        "apiVersion: v2\nname: c\nversion: 1.0.0\ndependencies:\n"
        "  - name: extra\n    version: 1.x\n    repository: https://charts.example.com\n"
    )
    channels = FIXTURES / "helm" / "channels-chart"
    crd = (channels / "templates" / "standard.yaml").read_text().splitlines()[1:-1]
    (chart / "crds" / "gates.yaml").write_text("\n".join(crd) + "\n")
    config_file = make_site(tmp_path, {"source": str(chart)})
    with pytest.raises(Abort):
        run_build(config_file)
    caplog.clear()
    build(load_config(str(config_file)))
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any("subcharts declared but not in charts/" in w and "extra" in w for w in warnings)


def test_the_config_class_has_the_tables_plugin_options() -> None:
    """CrdocPluginConfig declares each plugin row of the table, in order, as its kind makes it,
    with the type it is annotated with."""
    from crdoc.options import PLUGIN, options_of
    from crdoc.publish import pluginconfig
    from crdoc.publish.pluginconfig import CrdocPluginConfig

    schema = dict(CrdocPluginConfig._schema)
    rows = options_of(PLUGIN)
    assert list(schema) == [option.key for option in rows]
    namespace = vars(pluginconfig)
    hints = {k: eval(v, namespace) for k, v in CrdocPluginConfig.__annotations__.items()}
    for option in rows:
        made = option.kind.config_option(option)
        declared = schema[option.key]
        assert type(declared) is type(made), option.key
        assert declared.default == made.default, option.key
        hint = hints.get(option.key) or hints[option.key + "_"]  # values_: see the class
        annotation = typing.get_origin(hint) or hint
        assert isinstance(declared, annotation), option.key
