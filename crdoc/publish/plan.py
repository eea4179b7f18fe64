"""What a reference's MkDocs site is made of, for the command line (:mod:`crdoc.publish.site`)
and the MkDocs plugin (:mod:`crdoc.publish.plugin`) alike: the pages to make
(:func:`site_plan`: CRD versions and types as HTML crdoc renders itself, the index, limitations
and changes as Markdown), the navigation, the Markdown extensions and the assets.
"""

from __future__ import annotations

import copy
import html
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from crdoc.pipeline import Reference
from crdoc.render.crdpages import CrdPages
from crdoc.render.environment import RenderOptions, default_templates
from crdoc.render.layout import Layout, Page
from crdoc.render.pages import Renderer
from crdoc.reports.diff import diff_catalogs

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
        shown: list[tuple[str, Any]] = []
        hidden: list[tuple[str, Any]] = []
        for crd in crds:
            refs = layout.refs_of[crd.key]
            # MkDocs themes print nav titles as HTML: chart text is escaped first.
            versions = [{html.escape(ref.version.name): prefix + ref.path} for ref in refs]
            entry = (html.escape(crd.kind), prefix + refs[0].path if len(refs) == 1 else versions)
            (hidden if crd.key in reference.internal else shown).append(entry)
        head: list[Any] = (
            [prefix + layout.group_pages[group]] if group in layout.group_pages else []
        )
        tail: list[Any] = (
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
