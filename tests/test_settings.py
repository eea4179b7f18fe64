"""crdoc.yaml / [tool.crdoc]: loading, checking, defaults per command, catalog filters."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import EXAMPLE_CHART

from crdoc.errors import CrdocError
from crdoc.loading.loader import load
from crdoc.options import COMMANDS
from crdoc.reports.filters import Filters, filter_catalog
from crdoc.settings import init_config_text, load_config

YAML_CONFIG = """\
source: chart
title: My API
hide: [internal]
annotations: notes.yaml
limits: {max_file_bytes: 512M}
include:
  groups: ["*.dbadmin.goog"]
exclude:
  fields: ["status.**"]
build:
  output: out/site
  site-url: https://docs.example.com/
  config: mkdocs.yml
markdown:
  single_file: true
  output: API.md
coverage:
  fail_under: 90
  exclude: ["metadata.**"]
  format: json
inspect:
  fmt: json
"""


def test_yaml_config_and_defaults(tmp_path: Path) -> None:
    (tmp_path / "crdoc.yaml").write_text(YAML_CONFIG, encoding="utf-8")
    config = load_config(tmp_path)
    assert config is not None and config.path == tmp_path / "crdoc.yaml"
    build = config.defaults_for("build")
    assert build == {
        "source": str(tmp_path / "chart"),
        "title": "My API",
        "hide": ["internal"],
        "annotations_file": tmp_path / "notes.yaml",
        "limits": ["max_file_bytes=512M"],
        "output": tmp_path / "out" / "site",
        "site_url": "https://docs.example.com/",
        "config_file": tmp_path / "mkdocs.yml",
    }
    markdown = config.defaults_for("markdown")
    assert markdown["output"] == tmp_path / "API.md" and markdown["single_file"] is True
    assert "site_url" not in markdown and "config_file" not in markdown
    coverage = config.defaults_for("coverage")
    assert coverage["fail_under"] == 90.0 and coverage["exclude_paths"] == ["metadata.**"]
    assert coverage["fmt"] == "json" and "title" not in coverage
    inspect = config.defaults_for("inspect")
    assert inspect == {
        "source": str(tmp_path / "chart"),
        "annotations_file": tmp_path / "notes.yaml",
        "limits": ["max_file_bytes=512M"],
        "fmt": "json",
    }
    assert config.include == Filters(groups=("*.dbadmin.goog",))
    assert config.exclude == Filters(fields=("status.**",))
    with pytest.raises(ValueError):
        config.defaults_for("deploy")


def test_section_overrides_top_level_and_urls_stay(tmp_path: Path) -> None:
    path = tmp_path / "custom.yaml"
    path.write_text(
        "source: https://example.com/chart.tgz\ntitle: A\nbuild: {title: B}\n", encoding="utf-8"
    )
    config = load_config(path)  # an explicit file
    assert config is not None
    assert config.defaults_for("build") == {"source": "https://example.com/chart.tgz", "title": "B"}
    assert config.defaults_for("markdown")["title"] == "A"


def test_pyproject_config(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.crdoc]\nsource = "chart"\nhide = ["internal"]\n\n'
        '[tool.crdoc.build]\noutput = "site"\n\n[tool.crdoc.exclude]\nversions = ["v1alpha1"]\n',
        encoding="utf-8",
    )
    config = load_config(tmp_path)
    assert config is not None and config.path == tmp_path / "pyproject.toml"
    assert config.defaults_for("build") == {
        "source": str(tmp_path / "chart"),
        "hide": ["internal"],
        "output": tmp_path / "site",
    }
    assert config.exclude.versions == ("v1alpha1",)
    # crdoc.yaml wins over pyproject.toml.
    (tmp_path / "crdoc.yaml").write_text("source: other\n", encoding="utf-8")
    config = load_config(tmp_path)
    assert config is not None and config.defaults_for("inspect") == {
        "source": str(tmp_path / "other")
    }


def test_no_config(tmp_path: Path) -> None:
    assert load_config(tmp_path) is None
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    assert load_config(tmp_path) is None
    with pytest.raises(CrdocError, match="no \\[tool.crdoc\\] table"):
        load_config(tmp_path / "pyproject.toml")
    with pytest.raises(CrdocError, match="configuration file not found"):
        load_config(tmp_path / "missing.yaml")
    (tmp_path / "crdoc.yaml").write_text("", encoding="utf-8")
    config = load_config(tmp_path)
    assert config is not None and config.defaults_for("build") == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "sorce: chart\n",
            "crdoc.yaml:1: unknown key 'sorce' at the top level; did you mean 'source'?",
        ),
        (
            "source: chart\nbuild:\n  output: site\n  site-urll: x\n",
            "crdoc.yaml:4: unknown key 'site-urll' in build; did you mean 'site_url'?",
        ),
        (
            "build:\n  fail_under: 3\n",
            "crdoc.yaml:2: unknown key 'fail_under' in build (an option of coverage)",
        ),
        (
            "exclude:\n  field: [a]\n",
            "crdoc.yaml:2: unknown key 'field' in exclude; did you mean 'fields'?",
        ),
        (
            "bulid: {}\n",
            "crdoc.yaml:1: unknown key 'bulid' at the top level; did you mean 'build'?",
        ),
        ("skip_invalid: yes please\n", "crdoc.yaml:1: skip_invalid must be true or false"),
        (
            "coverage:\n  fail-under: 300\n",
            "crdoc.yaml:2: coverage.fail-under must be a number from 0 to 100",
        ),
        (
            "hide: [secret]\n",
            "crdoc.yaml:1: hide has unknown status 'secret'; expected some of "
            "non-functional, cloud-only, deprecated, experimental, internal",
        ),
        ("exclude: {fields: ['status..x']}\n", "crdoc.yaml:1: exclude.fields empty path segment"),
        ("limits: {max_files: 3}\n", "crdoc.yaml:1: limits has unknown limit 'max_files'"),
        ("build: [site]\n", "crdoc.yaml:1: build must be a mapping of build's options"),
        ("- source\n", "crdoc.yaml:1: the file must be a mapping of settings"),
        ("source: [\n", "crdoc.yaml:2: invalid YAML"),
    ],
)
def test_mistakes_name_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "crdoc.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(CrdocError) as info:
        load_config(tmp_path)
    assert info.value.format_message().startswith(f"{tmp_path}/{message}")


def test_every_mistake_is_reported_at_once(tmp_path: Path) -> None:
    (tmp_path / "crdoc.yaml").write_text("sorce: a\ncoverage: {summry: true}\n", encoding="utf-8")
    with pytest.raises(CrdocError) as info:
        load_config(tmp_path)
    lines = info.value.format_message().splitlines()
    assert [line.split(": ", 1)[0] for line in lines] == [
        f"{tmp_path}/crdoc.yaml:1",
        f"{tmp_path}/crdoc.yaml:2",
    ]
    assert lines[1].endswith("unknown key 'summry' in coverage; did you mean 'summary'?")


def test_pyproject_mistakes_name_the_table(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[tool.crdoc.coverage]\nfail_under = "high"\n', encoding="utf-8")
    with pytest.raises(CrdocError) as info:
        load_config(tmp_path)
    assert info.value.format_message() == (
        f"{path}: tool.crdoc.coverage.fail_under must be a number from 0 to 100"
    )
    path.write_text("[tool.crdoc\n", encoding="utf-8")
    with pytest.raises(CrdocError, match="invalid TOML"):
        load_config(tmp_path)


def test_init_config_text_round_trips(tmp_path: Path) -> None:
    text = init_config_text("charts/my operator")
    assert text.count("\n#") > 5  # commented
    (tmp_path / "crdoc.yaml").write_text(text, encoding="utf-8")
    config = load_config(tmp_path)
    assert config is not None
    assert config.defaults_for("build")["source"] == str(tmp_path / "charts" / "my operator")
    assert config.defaults_for("build")["output"] == tmp_path / "site"
    for command in COMMANDS:
        config.defaults_for(command)
    # Every commented-out setting is valid too, once uncommented.
    setting = re.compile(r"^# (\s*[a-z_]+:.*)$")
    uncommented = "\n".join(setting.sub(r"\1", line) for line in text.splitlines())
    uncommented = re.sub(r"\n  # ([a-z_]+:)", r"\n  \1", uncommented)
    assert uncommented.count("\n#") < text.count("\n#") - 5
    (tmp_path / "crdoc.yaml").write_text(uncommented, encoding="utf-8")
    assert load_config(tmp_path) is not None


# --------------------------------------------------------------------------- filters


def _walk(fields):  # the depth-first order Version.fields keeps
    for item in fields:
        yield item
        yield from _walk(item.children)


def test_filter_catalog_on_the_example_chart() -> None:
    catalog = load(EXAMPLE_CHART)
    result = filter_catalog(
        catalog,
        include=Filters(groups=("alloydbomni.dbadmin.goog",)),
        exclude=Filters(fields=("status.**",), versions=("v1alpha1",)),
    )
    summary = {crd.key: [(v.name, len(v.fields)) for v in crd.versions] for crd in result.crds}
    expected = {}
    for crd in catalog.crds:
        if crd.group != "alloydbomni.dbadmin.goog":
            continue
        expected[crd.key] = [
            (
                v.name,
                sum(1 for f in v.fields if f.path != "status" and not f.path.startswith("status.")),
            )
            for v in crd.versions
            if v.name != "v1alpha1"
        ]
    assert summary == expected
    assert summary == {
        "alloydbomni.dbadmin.goog/backupplans": [("v1", 24)],
        "alloydbomni.dbadmin.goog/backups": [("v1", 9)],
        "alloydbomni.dbadmin.goog/controlplaneagentsversions": [("v1", 8)],
        "alloydbomni.dbadmin.goog/databaseversions": [("v1", 15)],
        "alloydbomni.dbadmin.goog/dbclusters": [("v1", 95)],
        "alloydbomni.dbadmin.goog/failovers": [("v1", 6)],
        "alloydbomni.dbadmin.goog/restores": [("v1", 9)],
        "alloydbomni.dbadmin.goog/softwarelibraries": [("v1", 11)],
    }
    for crd in result.crds:
        for version in crd.versions:
            # The model stays whole: fields are exactly the tree under the roots.
            assert tuple(_walk(version.roots)) == version.fields
            assert all(f.path.split(".")[0] != "status" for f in version.fields)
    assert result.source == catalog.source and result.chart == catalog.chart
    assert filter_catalog(catalog) == catalog


def test_filter_includes_fields_with_their_parents_and_children() -> None:
    catalog = load(EXAMPLE_CHART)
    result = filter_catalog(
        catalog,
        include=Filters(kinds=("DBCluster",), fields=("spec.primarySpec.resources",)),
        exclude=Filters(groups=("*.internal.*",), fields=("**.memory",)),
    )
    (crd,) = result.crds
    (version,) = crd.versions
    paths = [f.path for f in version.fields]
    assert paths[:3] == ["spec", "spec.primarySpec", "spec.primarySpec.resources"]
    assert all(p.startswith("spec.primarySpec.resources") for p in paths[2:])
    assert len(paths) > 3 and not any(p.endswith(".memory") for p in paths)
    (spec,) = version.roots
    assert [c.name for c in spec.children] == ["primarySpec"]
    assert tuple(_walk(version.roots)) == version.fields
    # Field filters never remove CRDs or versions, only their fields.
    bare = filter_catalog(catalog, include=Filters(fields=("no.such.field",)))
    assert [c.key for c in bare.crds] == [c.key for c in catalog.crds]
    assert all(not v.fields for c in bare.crds for v in c.versions)


def test_cli_looks_for_the_files_the_reader_reads() -> None:
    """The command line skips importing the settings reader unless one of these exists."""
    from crdoc import cli
    from crdoc import settings as config

    assert config.SETTINGS_FILES == cli.SETTINGS_FILES
