"""The MkDocs site of a reference (``crdoc build``), with mkdocs-material: crdoc's own
configuration, or the user's ``mkdocs.yml`` with the reference added under "Reference"; or just
the pages and a ``nav.yml`` (``--docs-only``). The navigation and the Markdown extensions the
pages need are worked out here for the command line and the MkDocs plugin alike."""

from __future__ import annotations

import copy
import html
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml

from crdoc.errors import CrdocError
from crdoc.pipeline import Reference
from crdoc.publish.markdown import stream_pages
from crdoc.publish.output import replace_folder
from crdoc.publish.releases import add_release
from crdoc.render.environment import RenderOptions, default_templates
from crdoc.render.layout import Layout, Page
from crdoc.render.pages import Renderer

#: Where the reference goes inside a user's own MkDocs site.
REFERENCE_DIR = "reference"


def reference_pages(
    reference: Reference, previous: Reference | None = None
) -> tuple[Layout, Iterator[Page]]:
    """The layout of the reference's MkDocs pages, and the pages, rendered one by one as they
    are asked for (with ``previous``, the "Changes since" page last)."""
    renderer = Renderer(RenderOptions(flavour="mkdocs", templates=reference.settings.templates))
    layout = Layout.of(reference, changes=previous is not None)
    if previous is None:
        return layout, renderer.pages(reference, layout)
    from crdoc.reports.diff import diff_catalogs

    chart = previous.catalog.chart
    label = chart.version if chart and chart.version else None
    title = f"Changes since {label}" if label else "Changes since the previous release"
    changes = diff_catalogs(previous.catalog, reference.catalog)
    return layout, renderer.pages(reference, layout, changes=changes, changes_title=title)


def navigation(reference: Reference, layout: Layout, prefix: str = "") -> list[Any]:
    """The MkDocs nav of the reference: the index, group → kind → versions, CRDs marked
    ``internal`` in a section of their own, the known limitations and the changes."""
    internal: list[Any] = []
    nav: list[Any] = [{"Overview": prefix + layout.index}]
    for group, crds in reference.catalog.groups.items():
        public, hidden = [], []
        for crd in crds:
            refs = layout.refs_of[crd.key]
            # MkDocs themes print nav titles as HTML: chart text is escaped first.
            versions = [{html.escape(ref.version.name): prefix + ref.path} for ref in refs]
            entry = {html.escape(crd.kind): prefix + refs[0].path if len(refs) == 1 else versions}
            (hidden if crd.key in reference.internal else public).append(entry)
        if public:
            nav.append({html.escape(group): public})
        if hidden:
            internal.append({html.escape(group): hidden})
    if internal:
        nav.append({"Internal": internal})
    if layout.limitations:
        nav.append({"Known limitations": prefix + layout.limitations})
    return nav


def changes_nav(title: str, layout: Layout, prefix: str = "") -> list[Any]:
    """The nav entry of the "Changes since" page, when there is one."""
    return [{html.escape(title): prefix + layout.changes}] if layout.changes else []


def missing_extensions(present: Iterable[str]) -> list[Any]:
    """The Markdown extensions crdoc's pages need that a configuration (extension names
    ``present``) lacks, with crdoc's settings for them (fresh copies: MkDocs consumes them)."""
    names = set(present)
    return [copy.deepcopy(e) for e in MARKDOWN_EXTENSIONS if extension_name(e) not in names]


def extension_name(entry: Any) -> str:
    """The name of a ``markdown_extensions`` entry (a name, or a one-key mapping)."""
    return next(iter(entry)) if isinstance(entry, dict) else str(entry)


def default_config(
    title: str, site_url: str | None, nav: list[Any], *, versioned: bool = False
) -> dict[str, Any]:
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
            "nav": nav,
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


def build_site(reference: Reference, out: Path, *, previous: Reference | None = None) -> int:
    """Render the reference and build the HTML site into ``out`` (or, with the settings'
    ``docs_only``, just the pages and ``nav.yml``), as :mod:`crdoc.publish.output` allows; with
    ``release``, into a multi-version site. Returns the number of reference pages. Pages are
    written to disk as they are rendered, so a big chart's reference never sits in memory."""
    settings = reference.settings
    release = settings.release
    if settings.versioned and release is None:
        chart = reference.catalog.chart
        if chart is None or not chart.version:
            raise CrdocError("--versioned needs a chart with a version; use --release")
        release = chart.version
    sources = [reference.source, *([previous.source] if previous else [])]
    if settings.config_file is not None:
        sources.append(settings.config_file)
    written: list[Page] = []

    def render_into(folder: Path, prefix: str = "") -> list[Any]:
        """Write the pages into ``folder``; their nav, paths starting with ``prefix``."""
        layout, pages = reference_pages(reference, previous)
        written[:] = stream_pages(folder, pages)
        titles = {page.path: page.title for page in written}
        changes = titles.get(layout.changes or "", "")
        return navigation(reference, layout, prefix) + changes_nav(changes, layout, prefix)

    if settings.docs_only:

        def fill_docs(folder: Path) -> None:
            nav = render_into(folder)
            text = yaml.safe_dump(nav, sort_keys=False, allow_unicode=True)
            (folder / "nav.yml").write_text(text, encoding="utf-8")

        replace_folder(out, fill_docs, clean=settings.clean, sources=sources)
        return len(written)

    def fill_site(folder: Path) -> None:
        with tempfile.TemporaryDirectory(prefix="crdoc-mkdocs-") as work:
            project = Path(work)
            _run_mkdocs(reference, render_into, project, folder)
            shutil.copytree(project / "docs", folder / "_mkdocs" / "docs")
            if (project / "mkdocs.yml").exists():
                shutil.copy2(project / "mkdocs.yml", folder / "_mkdocs" / "mkdocs.yml")

    if release is None:
        replace_folder(out, fill_site, clean=settings.clean, sources=sources)
    else:
        add_release(out, release, fill_site, clean=settings.clean, sources=sources)
    return len(written)


def _run_mkdocs(
    reference: Reference,
    render_into: Callable[..., list[Any]],
    project: Path,
    site: Path,
) -> None:
    from mkdocs import config as mkdocs_config
    from mkdocs.commands import build as mkdocs_build
    from mkdocs.exceptions import MkDocsException

    settings = reference.settings
    versioned = settings.release is not None or settings.versioned
    docs = project / "docs"
    overrides: dict[str, Any] = {"site_dir": str(site)}
    if settings.config_file is None:
        nav = render_into(docs)
        _add_shim(docs)
        config_file = project / "mkdocs.yml"
        config = default_config(reference.title, settings.site_url, nav, versioned=versioned)
        config_file.write_text(
            yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8"
        )
    else:
        config_file = settings.config_file.absolute()
        user = mkdocs_config.load_config(config_file=str(config_file))
        shutil.copytree(user.docs_dir, docs)
        nav = render_into(docs / REFERENCE_DIR, REFERENCE_DIR + "/")
        overrides["docs_dir"] = str(docs)
        if settings.site_url:
            overrides["site_url"] = settings.site_url
        if user.nav is not None:
            overrides["nav"] = [*user.nav, {"Reference": nav}]
        missing = missing_extensions(user.markdown_extensions)
        overrides["markdown_extensions"] = [*_raw_extensions(user), *missing]
        if "material/offline" in user.plugins or "offline" in user.plugins:
            polyfills = list(user.extra.get("polyfills") or [])
            if not any("iframe-worker" in str(url) for url in polyfills):
                _add_shim(docs)
                overrides["extra"] = {**user.extra, "polyfills": [*polyfills, SHIM_URL]}

    if settings.config_file is not None and versioned:
        extra = dict(overrides.get("extra") or user.extra)
        overrides["extra"] = {**extra, "version": {"provider": "mike"}}

    # Builds are reproducible: MkDocs dates the sitemap from SOURCE_DATE_EPOCH when it is set.
    previous_epoch = os.environ.setdefault("SOURCE_DATE_EPOCH", "0")
    mkdocs_logger = logging.getLogger("mkdocs")
    previous_level = mkdocs_logger.level
    mkdocs_logger.setLevel(logging.WARNING)
    try:
        config = mkdocs_config.load_config(config_file=str(config_file), **overrides)
        config.plugins.on_startup(command="build", dirty=False)
        try:
            mkdocs_build.build(config)
        finally:
            config.plugins.on_shutdown()
    except MkDocsException as exc:
        raise CrdocError(f"MkDocs failed: {exc}", path=str(config_file)) from None
    except SystemExit as exc:  # MkDocs aborts a strict build this way
        raise CrdocError(f"MkDocs aborted the build ({exc})", path=str(config_file)) from None
    finally:
        mkdocs_logger.setLevel(previous_level)
        if previous_epoch == "0" and os.environ.get("SOURCE_DATE_EPOCH") == "0":
            del os.environ["SOURCE_DATE_EPOCH"]


def _add_shim(docs: Path) -> None:
    target = docs / SHIM_URL
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(default_templates() / "assets" / "iframe-worker" / "shim.js", target)


def _raw_extensions(user: Any) -> list[Any]:
    """The user's markdown_extensions with their configs, as MkDocs accepts them again."""
    configs = user.mdx_configs
    return [{name: configs[name]} if name in configs else name for name in user.markdown_extensions]
