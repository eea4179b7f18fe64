"""Publishing: Markdown for other repos (``crdoc markdown``) and a MkDocs site with
mkdocs-material (``crdoc build``), both written atomically."""

from __future__ import annotations

import copy
import html
import logging
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from crdoc.annotations import ResolvedAnnotations
from crdoc.errors import CrdocError
from crdoc.model import Catalog
from crdoc.output import replace_folder, write_file, write_pages
from crdoc.render import (
    LIMITATIONS_PAGE,
    Page,
    Renderer,
    RenderOptions,
    default_templates,
    version_page_path,
)

#: Where the reference goes inside a user's own MkDocs site.
REFERENCE_DIR = "reference"


@dataclass(frozen=True, slots=True, kw_only=True)
class SiteOptions:
    """How ``crdoc build`` makes a site."""

    render: RenderOptions = RenderOptions()
    annotations: ResolvedAnnotations | None = None
    """The maintainers' annotations (badges, notes, the known-limitations page)."""
    title: str | None = None
    site_url: str | None = None
    config: Path | None = None
    """The user's own mkdocs.yml: their theme, pages and nav, with the reference added."""
    docs_only: bool = False
    """Write only the Markdown pages and a ``nav.yml``, for an existing MkDocs site."""
    clean: bool = False


def markdown_pages(
    catalog: Catalog, options: RenderOptions, annotations: ResolvedAnnotations | None = None
) -> list[Page]:
    """Every page of the reference, rendered."""
    return list(Renderer(options).pages(catalog, annotations))


def write_markdown(
    catalog: Catalog,
    out: Path,
    *,
    options: RenderOptions,
    single_file: bool = False,
    clean: bool = False,
    annotations: ResolvedAnnotations | None = None,
) -> int:
    """GitHub-flavoured Markdown: a folder (``README.md`` index + a file per CRD version), or
    one file. Returns the number of pages."""
    if single_file:
        pages = markdown_pages(
            catalog, replace(options, flavour="github", single_file=True), annotations
        )
        write_file(out, "\n\n".join(page.text.strip("\n") for page in pages) + "\n")
        return len(pages)
    pages = markdown_pages(
        catalog, replace(options, flavour="github", index_name="README.md"), annotations
    )
    replace_folder(
        out, lambda folder: write_pages(folder, {p.path: p.text for p in pages}), clean=clean
    )
    return len(pages)


def navigation(
    catalog: Catalog,
    pages: Iterable[Page],
    prefix: str = "",
    annotations: ResolvedAnnotations | None = None,
) -> list[Any]:
    """The MkDocs nav of the reference: the index, group → kind → versions, CRDs marked
    ``internal`` in a section of their own, and the known limitations."""
    paths = {page.path for page in pages}
    internal: list[Any] = []
    nav: list[Any] = [{"Overview": prefix + "index.md"}]
    for group, crds in catalog.groups.items():
        public, hidden = [], []
        for crd in crds:
            versions = [
                {html.escape(v.name): prefix + version_page_path(crd, v)}
                for v in crd.versions
                if version_page_path(crd, v) in paths
            ]
            # MkDocs themes print nav titles as HTML: chart text is escaped first.
            only = next(iter(versions[0].values())) if len(versions) == 1 else None
            entry = {html.escape(crd.kind): only or versions}
            is_internal = annotations is not None and annotations.is_hidden(crd, {"internal"})
            (hidden if is_internal else public).append(entry)
        if public:
            nav.append({html.escape(group): public})
        if hidden:
            internal.append({html.escape(group): hidden})
    if internal:
        nav.append({"Internal": internal})
    if LIMITATIONS_PAGE in paths:
        nav.append({"Known limitations": prefix + LIMITATIONS_PAGE})
    return nav


def default_config(title: str, site_url: str | None, nav: list[Any]) -> dict[str, Any]:
    """crdoc's own MkDocs configuration: material, offline, search, dark/light, code copy."""
    config: dict[str, Any] = {"site_name": title}
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
            "extra": {"polyfills": [SHIM_URL]},
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


def build_site(catalog: Catalog, out: Path, options: SiteOptions) -> int:
    """Render the reference and build the HTML site into ``out`` (or, with ``docs_only``, just
    the pages and ``nav.yml``). Returns the number of reference pages."""
    render_options = replace(options.render, flavour="mkdocs", index_name="index.md")
    pages = markdown_pages(catalog, render_options, options.annotations)
    title = (
        options.title
        or render_options.title
        or (f"{catalog.chart.name} API reference" if catalog.chart else "CRD reference")
    )
    project_pages = {page.path: page.text for page in pages}

    if options.docs_only:
        nav_text = yaml.safe_dump(
            navigation(catalog, pages, annotations=options.annotations),
            sort_keys=False,
            allow_unicode=True,
        )

        def fill_docs(folder: Path) -> None:
            write_pages(folder, project_pages)
            (folder / "nav.yml").write_text(nav_text, encoding="utf-8")

        replace_folder(out, fill_docs, clean=options.clean)
        return len(pages)

    def fill_site(folder: Path) -> None:
        with tempfile.TemporaryDirectory(prefix="crdoc-mkdocs-") as work:
            project = Path(work)
            _run_mkdocs(catalog, pages, project, folder, title, options)
            shutil.copytree(project / "docs", folder / "_mkdocs" / "docs")
            if (project / "mkdocs.yml").exists():
                shutil.copy2(project / "mkdocs.yml", folder / "_mkdocs" / "mkdocs.yml")

    replace_folder(out, fill_site, clean=options.clean)
    return len(pages)


def _run_mkdocs(
    catalog: Catalog, pages: list[Page], project: Path, site: Path, title: str, options: SiteOptions
) -> None:
    from mkdocs import config as mkdocs_config
    from mkdocs.commands import build as mkdocs_build
    from mkdocs.exceptions import MkDocsException

    docs = project / "docs"
    overrides: dict[str, Any] = {"site_dir": str(site)}
    if options.config is None:
        write_pages(docs, {page.path: page.text for page in pages})
        _add_shim(docs)
        config_file = project / "mkdocs.yml"
        config_file.write_text(
            yaml.safe_dump(
                default_config(
                    title,
                    options.site_url,
                    navigation(catalog, pages, annotations=options.annotations),
                ),
                sort_keys=False,
                allow_unicode=True,
            ),
            encoding="utf-8",
        )
    else:
        config_file = options.config.absolute()
        user = mkdocs_config.load_config(config_file=str(config_file))
        shutil.copytree(user.docs_dir, docs)
        write_pages(docs / REFERENCE_DIR, {page.path: page.text for page in pages})
        overrides["docs_dir"] = str(docs)
        if options.site_url:
            overrides["site_url"] = options.site_url
        nav = user.nav
        if nav is not None:
            overrides["nav"] = [
                *nav,
                {"Reference": navigation(catalog, pages, REFERENCE_DIR + "/", options.annotations)},
            ]
        names = {_extension_name(e) for e in user.markdown_extensions}
        # Deep copies: MkDocs consumes the dicts it validates.
        missing = [copy.deepcopy(e) for e in MARKDOWN_EXTENSIONS if _extension_name(e) not in names]
        overrides["markdown_extensions"] = [*_raw_extensions(user), *missing]
        if "material/offline" in user.plugins or "offline" in user.plugins:
            polyfills = list(user.extra.get("polyfills") or [])
            if not any("iframe-worker" in str(url) for url in polyfills):
                _add_shim(docs)
                overrides["extra"] = {**user.extra, "polyfills": [*polyfills, SHIM_URL]}

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


def _extension_name(entry: Any) -> str:
    return next(iter(entry)) if isinstance(entry, dict) else str(entry)


def _raw_extensions(user: Any) -> list[Any]:
    """The user's markdown_extensions with their configs, as MkDocs accepts them again."""
    configs = user.mdx_configs
    return [{name: configs[name]} if name in configs else name for name in user.markdown_extensions]
