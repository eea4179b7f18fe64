"""The ``crdoc`` MkDocs plugin: the reference of a chart inside an existing MkDocs site.

In ``mkdocs.yml``::

    plugins:
      - search
      - crdoc:
          source: charts/my-operator      # chart folder, .tgz, CRD file or folder, or URL
          path: reference/                # URL path of the pages
          nav_title: API reference        # the nav section that lists them
          hide: [internal]

Its options are made from :data:`crdoc.options.OPTIONS` (the rows for ``plugin``:
:class:`~crdoc.publish.pluginconfig.CrdocPluginConfig`), and a
``crdoc.yaml`` (or ``[tool.crdoc]``) beside ``mkdocs.yml`` gives their defaults and its
``include``/``exclude``, as it does for the command line: the plugin documents exactly the
CRDs ``crdoc build`` does. The pages are rendered in memory on every build
(``File.generated``): nothing is written into ``docs_dir``. The nav section is added whether
the site's nav is explicit or automatic, the Markdown extensions the pages need are added when
the site lacks them, and ``mkdocs serve`` rebuilds when the chart, its annotations or the
templates change.
"""

from __future__ import annotations

import copy
import posixpath
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs.config.base import ValidationError
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.utils import nest_paths

from crdoc.errors import CrdocError, did_you_mean, warning_printer
from crdoc.options import PLUGIN, Settings, options_of, settings_for
from crdoc.pipeline import Reference, load_reference
from crdoc.publish.htmlpage import HtmlPage
from crdoc.publish.inventory import INVENTORY, inventory
from crdoc.publish.plan import (
    ASSETS,
    SHIM_URL,
    asset_text,
    extension_name,
    missing_extensions,
    navigation,
    site_plan,
)
from crdoc.publish.pluginconfig import CrdocPluginConfig
from crdoc.publish.search import CompactIndex, install, summary
from crdoc.render.fields import clear_caches
from crdoc.reports.annotations import find_default_annotations
from crdoc.settings import SETTINGS_FILES, load_config

if TYPE_CHECKING:
    from crdoc.settings import SettingsFile

log = get_plugin_logger(__name__)


class CrdocPlugin(BasePlugin[CrdocPluginConfig]):
    """Adds the reference of a chart's CRDs to a MkDocs site."""

    def __init__(self) -> None:
        self._user_nav: list[Any] | None = None
        self._nav_set: list[Any] | None = None
        self._given: set[str] = set()
        self._settings_file: SettingsFile | None = None
        self._reference: Reference | None = None
        self._previous: Reference | None = None
        self._prefix: str | None = None
        self._layout: Any = None
        self._used: Reference | None = None
        self._bodies: dict[int, str | None] = {}
        self._own: set[str] = set()
        self._progress: Callable[[str, int, int], None] | None = None
        self._written = 0
        self._material_search = False
        self.error: CrdocError | None = None
        """The crdoc error that stopped the last build, if one did."""
        self._search = CompactIndex()
        self.page_paths: list[str] = []
        """The reference pages the last build added (relative to the plugin's path)."""

    @classmethod
    def for_reference(
        cls,
        reference: Reference,
        previous: Reference | None = None,
        *,
        path: str = "reference/",
        nav_title: str = "Reference",
        progress: Callable[[str, int, int], None] | None = None,
    ) -> CrdocPlugin:
        """The plugin for a reference loaded already (``crdoc build`` adds it to the site's
        configuration itself): its pages at ``path`` (``""``: the site's root, the reference
        being the whole site)."""
        plugin = cls()
        errors, _ = plugin.load_config({"source": reference.source, "nav_title": nav_title})
        assert not errors, errors
        plugin._reference, plugin._previous, plugin._prefix = reference, previous, path
        plugin._progress = progress
        return plugin

    @property
    def prefix(self) -> str:
        """The URL folder of the reference pages (``""`` at the site's root)."""
        return self.config.path if self._prefix is None else self._prefix

    # ------------------------------------------------------------------ options

    def load_config(
        self, options: dict[str, Any], config_file_path: str | None = None
    ) -> tuple[list[tuple[str, Exception]], list[tuple[str, str]]]:
        """MkDocs' validation, with an unknown option an error (MkDocs only warns: a typo such
        as ``paths:`` would otherwise silently build the reference with the defaults), and the
        settings file beside ``mkdocs.yml`` read for defaults."""
        self._given = set(options)
        errors, warnings = super().load_config(options, config_file_path)
        known = [name for name, _ in self.config_class._schema]
        kept = []
        for warning in warnings:
            key = warning[0] if isinstance(warning, tuple) else None
            if key is not None and key not in known:
                hint = did_you_mean(key, known, quote=True)
                errors.append((key, ValidationError(f"unknown option '{key}'{hint}")))
            else:
                kept.append(warning)
        if self._reference is not None:
            return errors, kept
        try:
            self._settings_file = _settings_file(config_file_path)
        except CrdocError as error:
            errors.append(("crdoc.yaml", ValidationError(error.format_message())))
            return errors, kept
        has_source = "source" in options or (
            self._settings_file is not None and "source" in self._settings_file.defaults_for(PLUGIN)
        )
        if not has_source:
            errors.append(("source", ValidationError("Required configuration not provided.")))
        return errors, kept

    def settings(self, config: MkDocsConfig) -> Settings:
        """This build's settings: the options given in ``mkdocs.yml``, then the settings
        file's, then the table's defaults."""
        found = self._settings_file
        values = dict(found.defaults_for(PLUGIN)) if found is not None else {}
        for option in options_of(PLUGIN):
            if option.key in self._given or option.name not in values:
                values[option.name] = self.config[option.key]
        values["source"] = self.source(config, values.get("source"))
        return settings_for(
            PLUGIN,
            values,
            include=found.include if found else None,
            exclude=found.exclude if found else None,
        )

    def source(self, config: MkDocsConfig, source: str | None = None) -> str:
        """The source, a relative path resolved against the folder of mkdocs.yml."""
        source = source or self.config.source
        assert source is not None, "load_config reports a missing source"
        if "://" in source:
            return source
        path = Path(source).expanduser()
        if not path.is_absolute() and config.config_file_path:
            path = Path(config.config_file_path).parent / path
        return str(path)

    # ------------------------------------------------------------------ events

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        """Add the Markdown extensions the pages need that the site does not load yet."""
        for entry in missing_extensions(config.markdown_extensions):
            name = extension_name(entry)
            config.markdown_extensions.append(name)
            if isinstance(entry, dict) and entry[name]:
                config.mdx_configs[name] = entry[name]
        for name in ASSETS:
            target = config.extra_javascript if name.endswith(".js") else config.extra_css
            if name not in target:
                target.append(name)
        if "material/offline" in config.plugins or "offline" in config.plugins:
            polyfills = list(config.extra.get("polyfills") or [])
            if not any("iframe-worker" in str(url) for url in polyfills):
                config.extra["polyfills"] = [*polyfills, SHIM_URL]
        # Kept as the user wrote it: every build starts from it (the nav is set in on_files;
        # a config built again, as tests and some tools do, still holds the nav set last time).
        if config.nav is not self._nav_set or self._nav_set is None:
            self._user_nav = copy.deepcopy(config.nav)
        return config

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        """Plan the reference's pages and add them to the site, in memory: Markdown pages
        rendered now, HTML pages (:class:`HtmlPage`) when they are written."""
        self._search = CompactIndex()
        self.error = None
        # crdoc's search index is answered in mkdocs-material's search box: with another
        # theme, or without material's search, the site's own search indexes every page whole.
        self._material_search = config.theme.name == "material" and (
            "material/search" in config.plugins or "search" in config.plugins
        )
        prefix = self.prefix
        with _errors_as_plugin_errors():
            reference = self._reference or self._load(self.settings(config))
            layout, plan = site_plan(
                reference, self._previous, directory_urls=config.use_directory_urls
            )
        for planned in plan:
            uri = prefix + planned.path
            if files.get_file_from_path(uri) is not None:
                raise PluginError(
                    f"crdoc: {posixpath.join(config.docs_dir, uri)} exists and crdoc generates a "
                    "page there; move it or set the crdoc plugin's 'path' option"
                )
        own: list[File] = []
        titles: dict[str, str] = {}
        for planned in plan:
            if planned.html:
                file = File.generated(config, prefix + planned.path, content="")
                HtmlPage(
                    planned.title,
                    file,
                    config,
                    _guarded(planned.make, self),
                    searched=planned.searched,
                )
            else:
                page = _guarded(planned.make, self)()
                file = File.generated(config, prefix + planned.path, content=page.text)
            titles[planned.path] = planned.title
            files.append(file)
            own.append(file)
        for name in (*ASSETS, SHIM_URL):
            if files.get_file_from_path(name) is None:
                files.append(File.generated(config, name, content=asset_text(name)))
        self.page_paths = [planned.path for planned in plan]
        self._own = {file.src_uri for file in own}
        self._written = 0
        reference_nav = navigation(reference, layout, prefix, titles)
        if not prefix and self._user_nav is None:
            config.nav = reference_nav  # the reference is the whole site
        elif self._user_nav is not None:
            config.nav = [*copy.deepcopy(self._user_nav), {self.config.nav_title: reference_nav}]
        else:
            # MkDocs' automatic nav of the site's own pages, then the reference section.
            ours = {file.src_uri for file in own}
            theirs = sorted(
                (f for f in files.documentation_pages() if f.src_uri not in ours),
                key=_file_sort_key(),
            )
            config.nav = [
                *nest_paths(f.src_uri for f in theirs if f.inclusion.is_in_nav()),
                {self.config.nav_title: reference_nav},
            ]
        self._nav_set = config.nav
        self._layout, self._used = layout, reference
        log.info("added %d reference pages under %s", len(plan), prefix or "/")
        return files

    @event_priority(-200)  # after material's search and offline plugins wrote theirs
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Write the reference's ``objects.inv`` (Sphinx inventory: every kind and field) and
        its search index, with the worker that answers from it."""
        if self._layout is None or self._used is None:
            return
        if self._search.pages and self._material_search:
            offline = "material/offline" in config.plugins or "offline" in config.plugins
            worker = asset_text("assets/crdoc/search-worker.js")
            install(Path(config.site_dir), self._search, worker, offline=offline)
        target = Path(config.site_dir) / self.prefix / INVENTORY
        target.parent.mkdir(parents=True, exist_ok=True)
        data = inventory(self._used, self._layout, directory_urls=config.use_directory_urls)
        target.write_bytes(data)
        clear_caches()

    def on_page_content(
        self, html: str, /, *, page: Any, config: MkDocsConfig, files: Files
    ) -> str:
        """Fit the tables of crdoc's Markdown pages (index, groups, limitations, changes) to
        the page's width: ``crdoc-wide`` (crdoc.css) lays them out at 100% with their cells
        wrapping, where mkdocs-material would scroll them sideways."""
        if page.file.src_uri in self._own and not isinstance(page, HtmlPage):
            return f'<div class="crdoc-wide">\n{html}\n</div>'
        return html

    @event_priority(100)  # first: the body exists before anyone reads page.content
    def _fill(self, context: Any, /, *, page: Any, config: MkDocsConfig, nav: Any) -> Any:
        """Render an HTML page's body just before it is written."""
        if isinstance(page, HtmlPage):
            page.fill()
        return context

    @event_priority(50)  # after the body is made, before the search plugin (priority 0)
    def _index(self, context: Any, /, *, page: Any, config: MkDocsConfig, nav: Any) -> Any:
        """Index a CRD version's field paths in crdoc's search index, and let material's
        search see only the page's summary."""
        if isinstance(page, HtmlPage) and self._material_search:
            if page.searched is not None:
                kind, group, version, paths = page.searched
                self._search.add_page(page.url, kind, group, version, list(paths))
            self._bodies[id(page)] = page.content
            page.content = summary(page.content or "")
        return context

    @event_priority(-50)  # after the search plugin: the page gets its body back
    def _restore(self, context: Any, /, *, page: Any, config: MkDocsConfig, nav: Any) -> Any:
        body = self._bodies.pop(id(page), None)
        if body is not None:
            page.content = body
        return context

    on_page_context = CombinedEvent(_fill, _index, _restore)

    @event_priority(-100)  # after every other plugin saw the page
    def on_post_page(self, output: str, /, *, page: Any, config: MkDocsConfig) -> str:
        """Forget an HTML page's body once written (one page's HTML in memory at a time), and
        drop the indentation of the theme's chrome around a reference page."""
        if isinstance(page, HtmlPage):
            page.drop()
        if page.file.src_uri in self._own:
            output = collapse_chrome(output)
            self._written += 1
            if self._progress is not None:
                self._progress("Writing the site", self._written, len(self._own))
        return output

    def on_serve(self, server: Any, /, *, config: MkDocsConfig, builder: Callable[..., Any]) -> Any:
        """Rebuild on ``mkdocs serve`` when the source, annotations or templates change."""
        for path in self.watched_paths(config):
            server.watch(path)
        return server

    def watched_paths(self, config: MkDocsConfig) -> list[str]:
        """The local files and folders the reference is made from."""
        if self._reference is not None:
            return []
        settings = self.settings(config)
        source = settings.source
        assert source is not None, "the plugin's settings always name the source"
        paths = []
        if "://" not in source and Path(source).exists():
            paths.append(source)
        for option in (settings.annotations_file, settings.templates):
            if option:
                paths.append(str(option))
        if self._settings_file is not None:
            paths.append(str(self._settings_file.path))
        if not settings.annotations_file and "://" not in source:
            found = find_default_annotations(source)
            # Inside a folder source it is watched with the folder already.
            if found is not None and not Path(source).is_dir():
                paths.append(str(found))
        return paths

    # ------------------------------------------------------------------ loading

    def _load(self, settings: Settings) -> Reference:
        with _crdoc_warnings_to_mkdocs():
            return load_reference(None, settings)


_INDENTATION = re.compile(r"\n\s+")


def collapse_chrome(output: str) -> str:
    """A page with the indentation of the theme's chrome (header, nav, table of contents,
    footer) dropped — about two thirds of mkdocs-material's nav markup is indentation, which
    HTML collapses anyway; the article, which may hold ``<pre>``, is left as it is."""
    start = output.find('<article class="md-content__inner')
    end = output.rfind("</article>")
    if start < 0 or end < start:
        return output
    head, article, tail = output[:start], output[start:end], output[end:]
    return _INDENTATION.sub("\n", head) + article + _INDENTATION.sub("\n", tail)


def _guarded(make: Callable[[], Any], plugin: CrdocPlugin) -> Callable[[], Any]:
    """``make`` with crdoc's errors as MkDocs PluginErrors (the error kept on the plugin, so
    ``crdoc build`` reports it as it is, with its file and line)."""

    def run() -> Any:
        try:
            return make()
        except CrdocError as error:
            plugin.error = error
            raise PluginError(f"crdoc: {error.format_message()}") from None

    return run


def _settings_file(config_file_path: str | None) -> SettingsFile | None:
    """The settings file beside ``mkdocs.yml``, if there is one."""
    if not config_file_path:
        return None
    folder = Path(config_file_path).parent
    if not any((folder / name).is_file() for name in SETTINGS_FILES):
        return None
    return load_config(folder)


def _file_sort_key() -> Callable[[File], Any]:
    # MkDocs' own ordering of the automatic nav (index first, then by name).
    from mkdocs.structure.files import file_sort_key

    return file_sort_key


@contextmanager
def _errors_as_plugin_errors() -> Iterator[None]:
    """crdoc's one-line ``path:line: message`` as a MkDocs PluginError (no traceback)."""
    try:
        yield
    except CrdocError as error:
        raise PluginError(f"crdoc: {error.format_message()}") from None


@contextmanager
def _crdoc_warnings_to_mkdocs() -> Iterator[None]:
    """crdoc's warnings (skipped problems, subcharts not vendored) go through MkDocs' logger,
    once (``--strict`` counts them)."""

    def forward(message: str) -> None:
        log.warning("%s", message)

    warning_printer.append(forward)
    try:
        yield
    finally:
        warning_printer.remove(forward)
