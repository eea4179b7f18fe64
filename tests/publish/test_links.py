"""Every link resolves: each site and Markdown output the tests build is walked by the link
checker (tests/linkcheck.py, which reads ids back as a browser or GitHub would), and every
relative link must lead to a file that exists and an id on it.

Outputs are built once per module and shared: every corpus entry (site, Markdown, single
file; cloudnative-pg with ``--previous``), the example chart in every form (two releases,
``--config``, ``--docs-only``), a fleet of 120 CRDs generated from the example chart's CRDs and
annotations (so the fleet-sized layout, with a page per API group, is checked without the
corpus; every form, the plugin and ``--previous`` too), and a 100-CRD fleet of corpus CRDs.
Fleet builds must also print and log no warning, and strict MkDocs builds must pass.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from conftest import CORPUS, CORPUS_COUNTS, CORPUS_SKIP, EXAMPLE_CHART, ROOT, corpus_entry
from linkcheck import LinkChecker, Report, check_markdown, check_site, github_slug

from crdoc.cli import cli
from crdoc.render.layout import GROUP_PAGES_FROM

#: A MkDocs configuration that turns every link and nav check into a warning, and aborts the
#: build on any warning: what a careful user of ``--config`` or of the plugin runs.
STRICT = {
    "strict": True,
    "validation": {
        "omitted_files": "warn",
        "absolute_links": "warn",
        "unrecognized_links": "warn",
        "anchors": "warn",
        "not_found": "warn",
    },
}

#: CRDs in the fleet made from the example chart's: past ``GROUP_PAGES_FROM``, so each API
#: group (``gNNNN.<group>``, one a CRD) gets a page.
FLEET_SIZE = 120


@dataclass(frozen=True)
class Output:
    """A built output and what building it printed or logged as a warning."""

    path: Path
    warnings: tuple[str, ...]


@contextmanager
def logged_warnings() -> Iterator[list[str]]:
    """Every log record at WARNING or above while the block runs (MkDocs' included)."""
    records: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(f"{record.name}: {record.getMessage()}")

    handler = Collect(logging.WARNING)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield records
    finally:
        root.removeHandler(handler)


def _warning_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if "warning" in line.lower()]


class Outputs:
    """Builds each (source, form) once, on first use, in a folder of the module's."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.built: dict[tuple[str, str], Output] = {}

    def source(self, name: str) -> Path:
        if name == "example":
            return EXAMPLE_CHART
        if name == "fleet":
            return self.fleet(FLEET_SIZE, "own")
        if name == "fleet-previous":
            return self.fleet(FLEET_SIZE - 20, "own")
        if name == "corpus-fleet":
            return self.fleet(100, "corpus")
        return corpus_entry(name)

    def fleet(self, count: int, kind: str) -> Path:
        """A chart of ``count`` CRDs under renamed groups (``gNNNN.<group>``): copies of the
        example chart's CRDs (``own``) or of the corpus's (``corpus``), as the benchmark's
        scaled inputs are made."""
        folder = self.root / f"{kind}-{count}"
        if not folder.exists():
            sys.path.insert(0, str(ROOT))
            from bench.inputs import (
                corpus_inputs,
                crd_files_of,
                generate_scaled,
                make_template,
                scaled_templates,
            )

            if kind == "corpus":
                if not CORPUS.exists():
                    pytest.skip(f"corpus {CORPUS} is not here ({CORPUS_SKIP})")
                templates = scaled_templates(corpus_inputs(CORPUS))
            else:
                texts = [text for _, text in crd_files_of(EXAMPLE_CHART)[3] if "{{" not in text]
                templates = [
                    found
                    for text in texts
                    for chunk in text.split("\n---\n")
                    if "CustomResourceDefinition" in chunk
                    and (found := make_template(chunk)) is not None
                ]
                assert len(templates) > 5, templates
            chart = generate_scaled(folder, count, templates, pattern=100).path
            if kind == "own":
                notes = _fleet_annotations(templates, count)
                (chart / "crdoc-annotations.yaml").write_text(yaml.safe_dump(notes))
        return folder / f"scaled-{count}"

    def get(self, name: str, form: str) -> Output:
        key = (name, form)
        if key not in self.built:
            self.built[key] = self._build(name, form)
        return self.built[key]

    def _build(self, name: str, form: str) -> Output:
        source = self.source(name)
        out = self.root / "out" / f"{name}-{form}"
        if form == "docs-only":
            return self._docs_only(source, out)
        if form == "plugin":
            return self._plugin(source, out)
        args: list[Any] = {
            "site": ["build", "-q"],
            "loud": ["build"],  # without -q
            "markdown": ["markdown", "-q"],
            "single-file": ["markdown", "--single-file", "-q"],
            "versioned": ["build", "--release", "1.0.0"],
            "config": ["build", "-q", "--config", self._strict_project(out.parent / "project")],
        }.get(form, [])
        if form == "single-file":
            out = out.with_suffix(".md")
        if form == "previous":
            old = {"fleet": "fleet-previous", "cloudnative-pg": "cloudnative-pg-v0.24.0"}[name]
            args = ["build", "-q", "--previous", self.source(old)]
        with logged_warnings() as records:
            result = CliRunner().invoke(cli, [*map(str, args), str(source), "-o", str(out)])
            if form == "versioned" and name == "example":  # a second release beside the first
                again = ["build", "--release", "1.1.0", str(source), "-o", str(out)]
                second = CliRunner().invoke(cli, again)
                assert second.exit_code == 0, second.output
                records += _warning_lines(second.output)
        assert result.exit_code == 0, result.output
        return Output(out, (*records, *_warning_lines(result.output)))

    def _strict_project(self, project: Path, **config: Any) -> Path:
        """A MkDocs project with a home page linking to the reference, in strict mode."""
        docs = project / "docs"
        docs.mkdir(parents=True, exist_ok=True)
        (docs / "index.md").write_text("# Home\n\nSee the [reference](reference/index.md).\n")
        settings = {
            "site_name": "Strict",
            "nav": [{"Home": "index.md"}],
            "theme": {"name": "material", "features": ["navigation.prune"]},
            **STRICT,
            **config,
        }
        path = project / "mkdocs.yml"
        path.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
        return path

    def _docs_only(self, source: Path, out: Path) -> Output:
        """``--docs-only`` pages in a MkDocs project of their own, as its README says to use
        them (nav.yml as the nav, crdoc's assets, the Markdown extensions), built strictly."""
        from mkdocs.commands.build import build
        from mkdocs.config import load_config

        from crdoc.publish.plan import ASSETS, MARKDOWN_EXTENSIONS

        project = out.parent / f"{out.name}-project"
        docs = project / "docs"
        result = CliRunner().invoke(cli, ["build", "--docs-only", "-q", str(source), "-o", docs])
        assert result.exit_code == 0, result.output
        config = {
            "site_name": "Docs only",
            "theme": {"name": "material", "features": ["navigation.prune"]},
            "nav": yaml.safe_load((docs / "nav.yml").read_text(encoding="utf-8")),
            "markdown_extensions": MARKDOWN_EXTENSIONS,
            "extra_css": [name for name in ASSETS if name.endswith(".css")],
            "extra_javascript": [name for name in ASSETS if name.endswith(".js")],
            **STRICT,
        }
        (project / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
        with logged_warnings() as records:
            build(load_config(str(project / "mkdocs.yml"), site_dir=str(out)))
        return Output(out, tuple(records))

    def _plugin(self, source: Path, out: Path) -> Output:
        """A MkDocs site using the crdoc plugin (``mkdocs build --strict`` in-process)."""
        from mkdocs.commands.build import build
        from mkdocs.config import load_config
        from mkdocs.config.defaults import MkDocsConfig

        plugins = ["search", {"crdoc": {"source": str(source), "path": "reference/"}}]
        config_file = self._strict_project(out.parent / f"{out.name}-project", plugins=plugins)
        option = dict(MkDocsConfig._schema)["plugins"]
        entry = EntryPoint(
            name="crdoc", value="crdoc.publish.plugin:CrdocPlugin", group="mkdocs.plugins"
        )
        with pytest.MonkeyPatch.context() as patch, logged_warnings() as records:
            patch.setitem(option.installed_plugins, "crdoc", entry)
            build(load_config(str(config_file), site_dir=str(out)))
        return Output(out, tuple(records))


def _fleet_annotations(templates: list[str], count: int) -> dict[str, Any]:
    """The example chart's annotations for each copy of its CRDs in a fleet (internal groups,
    statuses of fields: the fleet gets an "Internal" section and known limitations)."""
    from bench.inputs import PLACEHOLDER

    notes = yaml.safe_load((EXAMPLE_CHART / "crdoc-annotations.yaml").read_text())
    found: dict[str, Any] = {}
    for k in range(count):
        template = templates[(k % 100) % len(templates)]  # as generate_scaled copies them
        crd = yaml.safe_load(template.replace(PLACEHOLDER, ""))
        group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
        for key, value in notes.items():
            if key in (f"{group}/*", f"{group}/{kind}"):
                found[f"g{k:04d}.{key}"] = value
    assert found
    return found


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Outputs:
    return Outputs(tmp_path_factory.mktemp("links"))


def assert_links_resolve(report: Report) -> None:
    assert report.pages and report.links, report.summary()
    assert report.broken == [], report.summary()


def test_readme_and_guide_links_resolve() -> None:
    """The README's links into docs/ and the guide pages' links to each other lead to a page
    and an anchor on it, as GitHub reads them (the built site is checked by MkDocs' validation,
    set in mkdocs.yml); the guide never links to the README, which is not in the site."""
    for path in (ROOT / "README.md", ROOT / "docs"):
        report = check_markdown(path)
        assert report.broken == [], report.summary()
    for page in sorted((ROOT / "docs").glob("*.md")):
        assert "README.md#" not in page.read_text(encoding="utf-8"), page.name


def test_project_site_builds_without_warnings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's first command (from the repository root) builds this project's guide and
    the example chart's reference without a warning: with mkdocs.yml's validation, every page
    of docs/ is in the nav and every link between pages finds its page and anchor."""
    monkeypatch.chdir(ROOT)
    args = ["build", "examples/alloydbomni-operator", "--config", "mkdocs.yml"]
    with logged_warnings() as records:
        result = CliRunner().invoke(cli, [*args, "-o", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    assert [*records, *_warning_lines(result.output)] == []
    assert check_site(tmp_path / "site").broken == []


# -- the checker itself ---------------------------------------------------------------------------


def test_checker_finds_a_broken_link_and_a_broken_anchor(tmp_path: Path) -> None:
    """A site and a Markdown folder with one good link, one link to a missing file and one to
    a missing anchor each: the checker reports exactly the two broken ones."""
    site = tmp_path / "site"
    (site / "g").mkdir(parents=True)
    (site / "index.html").write_text(
        '<a href="g/page.html#spec.x">ok</a> <a href="g/gone.html">file</a>'
        ' <a href="g/page.html#nowhere">anchor</a> <a href="https://example.com/x#y">out</a>'
        ' <a href="#top">top</a><h1 id="top">T</h1>'
    )
    (site / "g" / "page.html").write_text(
        '<details id="spec.x"></details><a name="legacy"></a><a href="../index.html">up</a>'
        '<a href="#legacy">legacy</a><a href="../">folder</a>'
    )
    report = check_site(site)
    assert report.pages == 2 and report.links == 7
    assert [str(item) for item in report.broken] == [
        "index.html: g/gone.html (no file)",
        "index.html: g/page.html#nowhere (no anchor)",
    ]

    docs = tmp_path / "docs"
    (docs / "g").mkdir(parents=True)
    (docs / "README.md").write_text(
        "# API groups\n\n[ok](g/page.md#printer-columns) [file](g/gone.md) "
        "[anchor](g/page.md#spec.y) [field](g/page.md#spec.x) [self](#api-groups)\n"
    )
    (docs / "g" / "page.md").write_text(
        '# Page\n\n## Printer columns\n\n- <a id="spec.x"></a>**`x`**\n\n[up](../README.md)\n'
    )
    report = check_markdown(docs)
    assert [str(item) for item in report.broken] == [
        "README.md: g/gone.md (no file)",
        "README.md: g/page.md#spec.y (no anchor)",
    ]
    single = docs / "README.md"
    assert [str(item) for item in check_markdown(single).broken] == [
        "README.md: g/gone.md (no file)",
        "README.md: g/page.md#spec.y (no anchor)",
    ]


def test_checker_refuses_links_out_of_the_output_and_from_the_server_root(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "other.html").write_text("<p id='x'></p>")
    (tmp_path / "site" / "index.html").write_text(
        '<a href="../other.html#x">out</a><link href="/assets/x.css"><script src="app.js"></script>'
        '<meta http-equiv="refresh" content="0; url=latest/">'
    )
    reasons = [item.reason for item in check_site(tmp_path / "site").broken]
    assert reasons == ["outside", "absolute", "no file", "no file"]


@pytest.mark.parametrize(
    ("heading", "slug"),
    [
        ("Printer columns", "printer-columns"),
        ("API groups", "api-groups"),
        ("Changes since 1.4.0", "changes-since-140"),
        ("`spec.tls` (v1)", "spectls-v1"),
        ("Hello, World!", "hello-world"),
        ("snake_case & kebab-case", "snake_case--kebab-case"),
        ("Überprüfung", "überprüfung"),
        ("  Spaced  out ", "--spaced--out-"),
        ("a/b.example.com", "abexamplecom"),
    ],
    ids=str,
)
def test_github_slugs(heading: str, slug: str) -> None:
    """Heading ids as GitHub makes them (its slugger keeps letters, marks, numbers, ``_``,
    ``-`` and spaces, lower case, spaces as ``-``)."""
    assert github_slug(heading) == slug


def test_markdown_anchors_are_the_ones_github_keeps(tmp_path: Path) -> None:
    """A repeated heading's slug is numbered; ``<a id>`` and ``<a name>`` are anchors, a
    ``<span id>`` is not (GitHub's sanitizer drops it); a heading's HTML is not in its slug."""
    page = tmp_path / "README.md"
    page.write_text(
        "# Fields\n\n## Fields\n\n## Fields-1\n\n## `x` <a id='x'></a>\n\n"
        '<a name="old"></a> <span id="s"></span>\n\n'
        "[a](#fields) [b](#fields-1) [c](#fields-1-1) [d](#fields-2) [e](#x) [f](#x-1) "
        "[g](#x-) [h](#old) [i](#s)\n"
    )
    broken = [item.link for item in check_markdown(page).broken]
    assert broken == ["#fields-2", "#x-1", "#s"]


# -- every output crdoc writes ------------------------------------------------------------------

CORPUS_NAMES = sorted(CORPUS_COUNTS)
#: (source, form) of every output checked: forms are how it is built (see Outputs._build).
CHECKED = [
    *((name, form) for name in CORPUS_NAMES for form in ("site", "markdown", "single-file")),
    ("cloudnative-pg", "previous"),
    *(
        ("example", form)
        for form in (
            "site",
            "markdown",
            "single-file",
            "versioned",
            "config",
            "docs-only",
        )
    ),
    *(
        ("fleet", form)
        for form in (
            "site",
            "markdown",
            "single-file",
            "versioned",
            "config",
            "docs-only",
            "plugin",
            "previous",
        )
    ),
    *(("corpus-fleet", form) for form in ("site", "markdown")),
]


@pytest.mark.parametrize(("name", "form"), CHECKED, ids=[f"{n}-{f}" for n, f in CHECKED])
def test_every_link_resolves(outputs: Outputs, name: str, form: str) -> None:
    """Every relative link of the output leads to a file, and every anchor to an id on it."""
    path = outputs.get(name, form).path
    markdown = form in ("markdown", "single-file")
    assert_links_resolve(check_markdown(path) if markdown else check_site(path))


@pytest.mark.parametrize("form", ["site", "loud", "versioned", "config", "docs-only", "plugin"])
def test_fleet_builds_without_warnings(outputs: Outputs, form: str) -> None:
    """Building a fleet (a page per API group) prints and logs no warning, with ``-q`` or
    without; strict MkDocs builds (``--config``, ``--docs-only``, the plugin) pass."""
    assert outputs.get("fleet", form).warnings == ()


def test_fleet_site_has_a_page_per_api_group(outputs: Outputs) -> None:
    """A fleet's index and nav lead to a page per API group: the site has it, titled by the
    group and linking to each CRD version's page of the group, as the Markdown output's page
    does; ``--docs-only`` writes it and lists it in nav.yml."""
    site = outputs.get("fleet", "site").path
    markdown = outputs.get("fleet", "markdown").path
    docs = outputs.get("fleet", "docs-only").path.parent / "fleet-docs-only-project" / "docs"
    nav = (docs / "nav.yml").read_text(encoding="utf-8")
    checker = LinkChecker(site, ".html")
    groups = sorted(p.parent.name for p in markdown.glob("*/index.md"))
    assert len(groups) == FLEET_SIZE >= GROUP_PAGES_FROM
    assert (site / "limitations.html").is_file()  # the fleet has the example's annotations
    for group in groups:
        page = site / group / "index.html"
        assert f"<title>{group} - " in page.read_text(encoding="utf-8")
        versions = {p.name for p in site.glob(f"{group}/*-v*.html")}
        assert versions and versions <= set(checker.scanned(page.as_posix()).links), group
        assert (docs / group / "index.md").read_text(encoding="utf-8").startswith(f"# {group}\n")
        assert f"- {group}/index.md\n" in nav


@pytest.mark.parametrize("name", ["example", "fleet"])
def test_indexes_link_to_pages_and_ids_that_exist(outputs: Outputs, name: str) -> None:
    """What the site's indexes point at exists: every object of ``objects.inv`` (each kind
    and field) a page and an id on it, every entry of mkdocs-material's search index a page
    and section, every page of crdoc's search index a page."""
    import sphobjinv

    site = outputs.get(name, "site").path
    checker = LinkChecker(site, ".html")
    inventory = sphobjinv.Inventory(fname_zlib=str(site / "objects.inv"))
    links = [
        item.uri[:-1] + item.name if item.uri.endswith("$") else item.uri
        for item in inventory.objects
    ]
    script = (site / "search" / "search_index.js").read_text(encoding="utf-8")
    material = json.loads(script[script.index("{") : script.rindex("}") + 1])
    links += [doc["location"] or "./" for doc in material["docs"]]
    script = (site / "search" / "crdoc-index.js").read_text(encoding="utf-8")
    crdoc_index = json.loads(script.removeprefix("var __crdocIndex = "))
    links += [page[0] for page in crdoc_index["pages"]]
    assert inventory.objects and material["docs"] and crdoc_index["pages"]
    broken = [
        f"{link} ({reason})"
        for link in links
        if (reason := checker.check_link(site / "index.html", link)) is not None
    ]
    assert broken == [], broken[:20]
