"""The MkDocs site of a reference (``crdoc build``), with mkdocs-material: crdoc's own
configuration, or the user's ``mkdocs.yml`` with the reference added under "Reference"; or just
the pages and a ``nav.yml`` (``--docs-only``).

Either way the pages reach MkDocs through crdoc's MkDocs plugin (:mod:`crdoc.publish.plugin`),
which ``crdoc build`` adds to the configuration itself: the command line and the plugin make
the same site. What both need (the pages, the navigation, the Markdown extensions and the
assets) is worked out in :mod:`crdoc.publish.plan`.
"""

from __future__ import annotations

import copy
import html
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from crdoc.errors import CrdocError
from crdoc.pipeline import Reference
from crdoc.publish.markdown import stream_pages
from crdoc.publish.output import replace_folder, write_pages
from crdoc.publish.plan import (
    ASSETS,
    MARKDOWN_EXTENSIONS,
    SHIM_URL,
    asset_text,
    navigation,
    site_plan,
)
from crdoc.publish.releases import add_release

#: Where the reference goes inside a user's own MkDocs site.
REFERENCE_DIR = "reference"


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
    # Here, not at the top: MkDocs (and the plugin made with it) costs start-up time that
    # ``--docs-only`` never needs.
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
            written = default_config(reference.title, settings.site_url, versioned=versioned)
            config_file.write_text(
                yaml.safe_dump(written, sort_keys=False, allow_unicode=True), encoding="utf-8"
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
