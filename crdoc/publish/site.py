"""The MkDocs site of a reference (``crdoc build``), with mkdocs-material: crdoc's own
configuration, or the user's ``mkdocs.yml`` with the reference added under "Reference"; or just
the pages and a ``nav.yml`` (``--docs-only``).

Either way the pages reach MkDocs through crdoc's MkDocs plugin (:mod:`crdoc.publish.plugin`),
which ``crdoc build`` adds to the configuration itself: the command line and the plugin make
the same site. What both need is worked out here: the pages to make (:func:`site_plan`: CRD
versions and types as HTML crdoc renders itself, the index, limitations and changes as
Markdown), the navigation, the Markdown extensions and the assets.
"""

from __future__ import annotations

import copy
import html
import logging
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import yaml

from crdoc.errors import CrdocError
from crdoc.pipeline import Reference
from crdoc.publish.markdown import stream_pages
from crdoc.publish.output import replace_folder, write_pages
from crdoc.publish.releases import add_release
from crdoc.render.environment import RenderOptions, default_templates
from crdoc.render.layout import Layout, Page
from crdoc.render.pages import Renderer

#: Where the reference goes inside a user's own MkDocs site.
REFERENCE_DIR = "reference"

#: crdoc's stylesheet and script, shipped in templates/assets/crdoc/, put in every site.
ASSETS = ("assets/crdoc/crdoc.css", "assets/crdoc/crdoc.js")


@dataclass(frozen=True, slots=True)
class PlannedPage:
    """A page of the site, made when it is asked for."""

    path: str
    title: str
    html: bool
    """Rendered by crdoc as HTML (a CRD version, a types page), not Markdown."""
    make: Callable[[], Page]
    searched: tuple[str, str, str, tuple[str, ...]] | None = None
    """A CRD version's (kind, group, version, field paths), for the search index."""


def site_plan(
    reference: Reference, previous: Reference | None = None, *, directory_urls: bool = False
) -> tuple[Layout, list[PlannedPage]]:
    """The layout of the reference's site and its pages, in nav order; nothing is rendered
    yet. ``previous`` adds the "Changes since" page; ``directory_urls`` is MkDocs'
    ``use_directory_urls`` (how crdoc's HTML links between pages)."""
    from crdoc.render.crdpages import CrdPages

    options = RenderOptions(flavour="mkdocs", templates=reference.settings.templates)
    renderer = Renderer(options)
    layout = Layout.of(reference, changes=previous is not None)
    site = CrdPages(reference, layout, options, directory_urls=directory_urls)
    plan = [
        PlannedPage(
            layout.index, reference.title, False, partial(renderer.index_page, reference, layout)
        )
    ]
    # Big references: the index and the nav lead to a page per API group, the Markdown
    # output's own (``group.md.jinja``).
    for group, path in layout.group_pages.items():
        make = partial(renderer.group_page, reference, layout, group)
        plan.append(PlannedPage(path, group, False, make))
    for ref in layout.refs:
        title = f"{ref.crd.kind} {ref.version.name}"
        paths = tuple(item.path for item in ref.version.fields)
        searched = (ref.crd.kind, ref.crd.group, ref.version.name, paths)
        plan.append(PlannedPage(ref.path, title, True, partial(site.crd_page, ref), searched))
    for group, path in layout.types_pages.items():
        plan.append(
            PlannedPage(path, f"{group} types", True, partial(site.types_page, group, path))
        )
    if layout.limitations:
        make = partial(renderer.limitations_page, reference, layout)
        plan.append(PlannedPage(layout.limitations, "Known limitations", False, make))
    if previous is not None and layout.changes:
        title = changes_title(previous)

        def changes() -> Page:
            from crdoc.reports.diff import diff_catalogs

            diff = diff_catalogs(previous.catalog, reference.catalog)
            return Page(
                layout.changes or "",
                title,
                renderer.changes(diff, title, page_path=layout.changes or ""),
            )

        plan.append(PlannedPage(layout.changes, title, False, changes))
    return layout, plan


def changes_title(previous: Reference) -> str:
    """The title of the "Changes since" page: the earlier release's chart version."""
    chart = previous.catalog.chart
    label = chart.version if chart and chart.version else None
    return f"Changes since {label}" if label else "Changes since the previous release"


#: The most entries a level of the navigation holds; longer ones are split into ranges
#: ("Alertmanager – PodMonitor"), so with mkdocs-material's navigation.prune every page's nav
#: stays about the same size whatever the number of CRDs.
NAV_FANOUT = 40


def navigation(
    reference: Reference, layout: Layout, prefix: str = "", titles: dict[str, str] | None = None
) -> list[Any]:
    """The MkDocs nav of the reference: the index, then each API group (its page on big
    references, its kinds → versions, its types page), CRDs marked ``internal`` in a section
    of their own, the known limitations and the changes (``titles``: page path → title, for
    pages whose title is only known then). No level holds more than :data:`NAV_FANOUT`
    entries."""
    public: list[tuple[str, Any]] = []
    internal: list[tuple[str, Any]] = []
    for group, crds in reference.catalog.groups.items():
        shown, hidden = [], []
        for crd in crds:
            refs = layout.refs_of[crd.key]
            # MkDocs themes print nav titles as HTML: chart text is escaped first.
            versions = [{html.escape(ref.version.name): prefix + ref.path} for ref in refs]
            entry = (html.escape(crd.kind), prefix + refs[0].path if len(refs) == 1 else versions)
            (hidden if crd.key in reference.internal else shown).append(entry)
        head = [prefix + layout.group_pages[group]] if group in layout.group_pages else []
        tail = (
            [{"Types": prefix + layout.types_pages[group]}] if group in layout.types_pages else []
        )
        if shown:
            public.append((html.escape(group), [*head, *_bounded(shown), *tail]))
            head = tail = []
        if hidden:
            internal.append((html.escape(group), [*head, *_bounded(hidden), *tail]))
    nav: list[Any] = [{"Overview": prefix + layout.index}, *_groups(public)]
    if internal:
        nav.append({"Internal": _groups(internal)})
    if layout.limitations:
        nav.append({"Known limitations": prefix + layout.limitations})
    if layout.changes:
        title = (titles or {}).get(layout.changes, "Changes")
        nav.append({html.escape(title): prefix + layout.changes})
    return nav


def _bounded(entries: list[tuple[str, Any]], fanout: int = NAV_FANOUT) -> list[Any]:
    """``entries`` (title, nav value) as at most ``fanout`` items: range sections ("A – F"),
    nested as deep as needed."""
    if len(entries) <= fanout:
        return [{title: value} for title, value in entries]
    size = max(fanout, -(-len(entries) // fanout))
    parts = [entries[i : i + size] for i in range(0, len(entries), size)]
    return [{f"{part[0][0]} – {part[-1][0]}": _bounded(part, fanout)} for part in parts]


def _groups(groups: list[tuple[str, Any]], fanout: int = NAV_FANOUT) -> list[Any]:
    """API groups as nav sections: by domain first (``ec2.aws.example.io`` under
    ``aws.example.io``) when there are too many for one level, then in ranges."""
    if len(groups) <= fanout:
        return [{group: value} for group, value in groups]
    by_domain: dict[str, list[tuple[str, Any]]] = {}
    for group, value in groups:
        head, dot, rest = group.partition(".")
        by_domain.setdefault(rest if dot and "." in rest else group, []).append((group, value))
    if 1 < len(by_domain) <= fanout:
        return [
            {domain: _bounded(items, fanout)} if len(items) > 1 else {items[0][0]: items[0][1]}
            for domain, items in by_domain.items()
        ]
    return _bounded(groups, fanout)


def missing_extensions(present: Iterable[str]) -> list[Any]:
    """The Markdown extensions crdoc's pages need that a configuration (extension names
    ``present``) lacks, with crdoc's settings for them (fresh copies: MkDocs consumes them)."""
    names = set(present)
    return [copy.deepcopy(e) for e in MARKDOWN_EXTENSIONS if extension_name(e) not in names]


def extension_name(entry: Any) -> str:
    """The name of a ``markdown_extensions`` entry (a name, or a one-key mapping)."""
    return next(iter(entry)) if isinstance(entry, dict) else str(entry)


def asset_text(name: str) -> str:
    """One of crdoc's shipped site assets (:data:`ASSETS`, the iframe-worker shim)."""
    shipped = {SHIM_URL: "assets/iframe-worker/shim.js"}
    return (default_templates() / shipped.get(name, name)).read_text(encoding="utf-8")


def default_config(title: str, site_url: str | None, *, versioned: bool = False) -> dict[str, Any]:
    """crdoc's own MkDocs configuration: material, offline, search, dark/light, code copy."""
    # MkDocs themes print site_name as HTML; the title may come from the chart's name.
    config: dict[str, Any] = {"site_name": html.escape(title)}
    if site_url:
        config["site_url"] = site_url
    config.update(
        {
            "use_directory_urls": False,
            "theme": {
                "name": "material",
                "font": False,  # no web fonts: the site works offline
                "features": [
                    "navigation.top",
                    "navigation.indexes",
                    "navigation.prune",
                    "search.highlight",
                    "search.suggest",
                    "content.code.copy",
                    "toc.follow",
                ],
                "palette": [
                    {
                        "media": "(prefers-color-scheme: light)",
                        "scheme": "default",
                        "toggle": {"icon": "material/weather-night", "name": "Switch to dark mode"},
                    },
                    {
                        "media": "(prefers-color-scheme: dark)",
                        "scheme": "slate",
                        "toggle": {
                            "icon": "material/weather-sunny",
                            "name": "Switch to light mode",
                        },
                    },
                ],
            },
            "plugins": ["search", "offline"],
            "markdown_extensions": copy.deepcopy(MARKDOWN_EXTENSIONS),
            "extra": {"polyfills": [SHIM_URL]}
            | ({"version": {"provider": "mike"}} if versioned else {}),
        }
    )
    return config


#: mkdocs-material's offline plugin loads this shim from unpkg.com unless a polyfill named like
#: it is configured: crdoc ships a copy (templates/assets/iframe-worker) inside the site.
SHIM_URL = "assets/crdoc/iframe-worker-shim.js"

#: What crdoc's pages need from Python-Markdown (a user's config gets the ones it lacks).
MARKDOWN_EXTENSIONS: list[Any] = [
    "tables",
    "attr_list",
    "md_in_html",
    "admonition",
    "pymdownx.details",
    "pymdownx.superfences",
    {"pymdownx.highlight": {"anchor_linenums": False}},
    {"toc": {"permalink": True, "toc_depth": 2}},
]


def build_site(
    reference: Reference,
    out: Path,
    *,
    previous: Reference | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> int:
    """Build the reference's site into ``out`` (or, with the settings' ``docs_only``, just
    the pages, their assets and ``nav.yml``), as :mod:`crdoc.publish.output` allows; with
    ``release``, into a multi-version site. Returns the number of reference pages."""
    settings = reference.settings
    release = settings.release
    if settings.versioned and release is None:
        chart = reference.catalog.chart
        if chart is None or not chart.version:
            raise CrdocError("--versioned needs a chart with a version; use --release")
        release = chart.version
    sources: list[str | Path] = [reference.source, *([previous.source] if previous else [])]
    if settings.config_file is not None:
        sources.append(settings.config_file)
    written: list[str] = []

    if settings.docs_only:

        def fill_docs(folder: Path) -> None:
            written.extend(write_docs(reference, folder, previous))

        replace_folder(out, fill_docs, clean=settings.clean, sources=sources)
        return len(written)

    def fill_site(folder: Path) -> None:
        written.extend(
            _run_mkdocs(
                reference, previous, folder, versioned=release is not None, progress=progress
            )
        )

    if release is None:
        replace_folder(out, fill_site, clean=settings.clean, sources=sources)
    else:
        add_release(out, release, fill_site, clean=settings.clean, sources=sources)
    return len(written)


def write_docs(reference: Reference, folder: Path, previous: Reference | None = None) -> list[str]:
    """The pages as files for an existing MkDocs site (``--docs-only``): Markdown pages as
    they are, HTML pages as Markdown files holding the HTML (MkDocs passes it through), the
    assets, and a ``nav.yml``. Returns the pages' paths."""
    layout, plan = site_plan(reference, previous, directory_urls=True)
    pages = stream_pages(folder, (planned.make() for planned in plan))
    titles = {page.path: page.title for page in pages}
    write_pages(folder, {name: asset_text(name) for name in ASSETS})
    nav = navigation(reference, layout, titles=titles)
    text = yaml.safe_dump(nav, sort_keys=False, allow_unicode=True)
    (folder / "nav.yml").write_text(text, encoding="utf-8")
    return [planned.path for planned in plan]


def _run_mkdocs(
    reference: Reference,
    previous: Reference | None,
    site: Path,
    *,
    versioned: bool,
    progress: Callable[[str, int, int], None] | None = None,
) -> list[str]:
    """Build the site into ``site`` with MkDocs, crdoc's plugin added to the configuration
    (crdoc's own, or the user's ``--config``); the reference pages' paths."""
    from mkdocs import config as mkdocs_config
    from mkdocs.commands import build as mkdocs_build
    from mkdocs.exceptions import MkDocsException

    from crdoc.publish.plugin import CrdocPlugin

    settings = reference.settings
    overrides: dict[str, Any] = {"site_dir": str(site)}
    with tempfile.TemporaryDirectory(prefix="crdoc-mkdocs-") as work:
        if settings.config_file is None:
            project = Path(work)
            (project / "docs").mkdir()
            config_file = project / "mkdocs.yml"
            config = default_config(reference.title, settings.site_url, versioned=versioned)
            config_file.write_text(
                yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8"
            )
            prefix = ""
        else:
            config_file = settings.config_file.absolute()
            if settings.site_url:
                overrides["site_url"] = settings.site_url
            prefix = REFERENCE_DIR + "/"
        plugin = CrdocPlugin.for_reference(reference, previous, path=prefix, progress=progress)
        # Builds are reproducible: MkDocs dates the sitemap from SOURCE_DATE_EPOCH when set.
        previous_epoch = os.environ.setdefault("SOURCE_DATE_EPOCH", "0")
        mkdocs_logger = logging.getLogger("mkdocs")
        previous_level = mkdocs_logger.level
        mkdocs_logger.setLevel(logging.WARNING)
        try:
            config = mkdocs_config.load_config(config_file=str(config_file), **overrides)
            if settings.config_file is not None and versioned:
                config.extra["version"] = {"provider": "mike"}
            config.plugins["crdoc"] = plugin
            config.plugins.on_startup(command="build", dirty=False)
            try:
                mkdocs_build.build(config)
            finally:
                config.plugins.on_shutdown()
        except MkDocsException as exc:
            if plugin.error is not None:  # crdoc's own, with its file and line
                raise plugin.error from None
            raise CrdocError(f"MkDocs failed: {exc}", path=str(config_file)) from None
        except SystemExit as exc:  # MkDocs aborts a strict build this way
            raise CrdocError(f"MkDocs aborted the build ({exc})", path=str(config_file)) from None
        finally:
            mkdocs_logger.setLevel(previous_level)
            if previous_epoch == "0" and os.environ.get("SOURCE_DATE_EPOCH") == "0":
                del os.environ["SOURCE_DATE_EPOCH"]
    return plugin.page_paths
