"""The ``crdoc`` MkDocs plugin: the reference of a chart inside an existing MkDocs site.

In ``mkdocs.yml``::

    plugins:
      - search
      - crdoc:
          source: charts/my-operator      # chart folder, .tgz, CRD file or folder, or URL
          path: reference/                # URL path of the pages
          nav_title: API reference        # the nav section that lists them
          hide: [internal]

The pages are rendered in memory on every build (``File.generated``): nothing is written into
``docs_dir``. The nav section is added whether the site's nav is explicit or automatic, the
Markdown extensions the pages need are added when the site lacks them, and ``mkdocs serve``
rebuilds when the chart, its annotations or the templates change.
"""

from __future__ import annotations

import copy
import difflib
import logging
import posixpath
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import nest_paths

from crdoc.errors import CrdocError
from crdoc.load.loader import LoadOptions, load
from crdoc.model import Catalog
from crdoc.publish.site import MARKDOWN_EXTENSIONS, markdown_pages, navigation
from crdoc.render.environment import RenderOptions
from crdoc.render.layout import Page
from crdoc.reports.annotations import STATUSES, ResolvedAnnotations, annotations_for

log = get_plugin_logger(__name__)


class _UrlPath(c.Type[str]):
    """A relative URL folder such as ``reference/``: normalised to end in ``/``."""

    def __init__(self, default: str) -> None:
        super().__init__(str, default=default)

    def run_validation(self, value: object) -> str:
        text = super().run_validation(value).strip().strip("/")
        parts = text.split("/")
        if not text or any(part in ("", ".", "..") for part in parts) or "\\" in text:
            raise c.ValidationError(
                f"expected a relative folder such as 'reference/', not {value!r}"
            )
        return text + "/"


class CrdocPluginConfig(base.Config):
    """The plugin's options (MkDocs checks them and reports mistakes as config errors)."""

    source = c.Type(str)
    """Chart folder, packaged chart (.tgz), CRD file or folder, or URL; a relative path is
    read from the folder of mkdocs.yml."""
    path = _UrlPath(default="reference/")
    """URL folder of the reference pages."""
    annotations = c.Optional(c.File(exists=True))
    """The maintainers' annotations (default: crdoc-annotations.yaml beside the chart)."""
    templates = c.Optional(c.Dir(exists=True))
    """A folder of Jinja2 templates that replace the shipped ones by name."""
    title = c.Optional(c.Type(str))
    """Title of the reference's index page (default: the chart's name)."""
    hide = c.ListOfItems(c.Choice(STATUSES), default=[])
    """Leave out CRDs annotated with these statuses (e.g. ``[internal]``)."""
    nav_title = c.Type(str, default="Reference")
    """Title of the nav section listing the reference."""
    skip_invalid = c.Type(bool, default=False)
    """Warn about malformed files and CRDs and document the rest, instead of failing."""
    allow_http = c.Type(bool, default=False)
    """Also read plain ``http://`` URLs."""
    allow_empty = c.Type(bool, default=False)
    """Accept a source without CRDs instead of failing the build."""


class CrdocPlugin(BasePlugin[CrdocPluginConfig]):
    """Adds the reference of a chart's CRDs to a MkDocs site."""

    def __init__(self) -> None:
        self._user_nav: list[Any] | None = None
        self._nav_set: list[Any] | None = None
        self._pages: list[Page] = []
        self._catalog: Catalog | None = None
        self._annotations: ResolvedAnnotations | None = None

    # ------------------------------------------------------------------ options

    def load_config(
        self, options: dict[str, Any], config_file_path: str | None = None
    ) -> tuple[list[tuple[str, Exception]], list[tuple[str, str]]]:
        """MkDocs' validation, with an unknown option an error (MkDocs only warns): a typo such
        as ``paths:`` would otherwise silently build the reference with the defaults."""
        errors, warnings = super().load_config(options, config_file_path)
        known = [name for name, _ in self.config_class._schema]
        kept = []
        for warning in warnings:
            key = warning[0] if isinstance(warning, tuple) else None
            if key is not None and key not in known:
                close = difflib.get_close_matches(key, known, n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                errors.append((key, c.ValidationError(f"unknown option '{key}'{hint}")))
            else:
                kept.append(warning)
        return errors, kept

    def source(self, config: MkDocsConfig) -> str:
        """The source option, a relative path resolved against the folder of mkdocs.yml."""
        source = self.config.source
        if "://" in source:
            return source
        path = Path(source).expanduser()
        if not path.is_absolute() and config.config_file_path:
            path = Path(config.config_file_path).parent / path
        return str(path)

    # ------------------------------------------------------------------ events

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        """Add the Markdown extensions the pages need that the site does not load yet."""
        present = set(config.markdown_extensions)
        for entry in MARKDOWN_EXTENSIONS:
            name, options = _extension(entry)
            if name in present:
                continue
            config.markdown_extensions.append(name)
            if options:
                config.mdx_configs[name] = copy.deepcopy(options)
            present.add(name)
        # Kept as the user wrote it: every build starts from it (the nav is set in on_files;
        # a config built again, as tests and some tools do, still holds the nav set last time).
        if config.nav is not self._nav_set or self._nav_set is None:
            self._user_nav = copy.deepcopy(config.nav)
        return config

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        """Render the reference and add its pages to the site, in memory."""
        prefix = self.config.path
        source = self.source(config)
        with _errors_as_plugin_errors():
            catalog, annotations = self._load(source)
            options = RenderOptions(
                flavour="mkdocs",
                templates=Path(self.config.templates) if self.config.templates else None,
                title=self.config.title,
            )
            pages = markdown_pages(catalog, options, annotations)
        for page in pages:
            uri = prefix + page.path
            if files.get_file_from_path(uri) is not None:
                raise PluginError(
                    f"crdoc: {posixpath.join(config.docs_dir, uri)} exists and crdoc generates a "
                    "page there; move it or set the crdoc plugin's 'path' option"
                )
        own: list[File] = []
        for page in pages:
            file = File.generated(config, prefix + page.path, content=page.text)
            files.append(file)
            own.append(file)
        self._catalog, self._annotations, self._pages = catalog, annotations, pages
        section = {self.config.nav_title: navigation(catalog, pages, prefix, annotations)}
        if self._user_nav is not None:
            config.nav = [*copy.deepcopy(self._user_nav), section]
        else:
            # MkDocs' automatic nav of the site's own pages, then the reference section.
            ours = {file.src_uri for file in own}
            theirs = sorted(
                (f for f in files.documentation_pages() if f.src_uri not in ours),
                key=_file_sort_key(),
            )
            config.nav = [
                *nest_paths(f.src_uri for f in theirs if f.inclusion.is_in_nav()),
                section,
            ]
        self._nav_set = config.nav
        log.info("added %d reference pages under %s", len(pages), prefix)
        return files

    def on_serve(self, server: Any, /, *, config: MkDocsConfig, builder: Callable) -> Any:
        """Rebuild on ``mkdocs serve`` when the source, annotations or templates change."""
        for path in self.watched_paths(config):
            server.watch(path)
        return server

    def watched_paths(self, config: MkDocsConfig) -> list[str]:
        """The local files and folders the reference is made from."""
        paths = []
        source = self.source(config)
        if "://" not in source and Path(source).exists():
            paths.append(source)
        for option in (self.config.annotations, self.config.templates):
            if option:
                paths.append(str(option))
        if not self.config.annotations and "://" not in source:
            from crdoc.reports.annotations import find_default_annotations

            found = find_default_annotations(source)
            # Inside a folder source it is watched with the folder already.
            if found is not None and not Path(source).is_dir():
                paths.append(str(found))
        return paths

    # ------------------------------------------------------------------ loading

    def _load(self, source: str) -> tuple[Catalog, ResolvedAnnotations]:
        options = LoadOptions(
            skip_invalid=self.config.skip_invalid,
            allow_http=self.config.allow_http,
            allow_empty=self.config.allow_empty,
        )
        with _quiet_crdoc_logger():
            catalog = load(source, options)
        for warning in catalog.warnings:
            log.warning("skipped: %s", warning)
        annotations_file = Path(self.config.annotations) if self.config.annotations else None
        annotations = annotations_for(source, annotations_file, catalog)
        return annotations.visible(catalog, self.config.hide), annotations


def _extension(entry: Any) -> tuple[str, dict[str, Any]]:
    if isinstance(entry, dict):
        name, options = next(iter(entry.items()))
        return name, dict(options or {})
    return str(entry), {}


def _file_sort_key() -> Callable[[File], Any]:
    # MkDocs' own ordering of the automatic nav (index first, then by name).
    from mkdocs.structure.nav import file_sort_key

    return file_sort_key


@contextmanager
def _errors_as_plugin_errors() -> Iterator[None]:
    """crdoc's one-line ``path:line: message`` as a MkDocs PluginError (no traceback)."""
    try:
        yield
    except CrdocError as error:
        raise PluginError(f"crdoc: {error.format_message()}") from None


@contextmanager
def _quiet_crdoc_logger() -> Iterator[None]:
    """Skipped problems are reported once, through MkDocs' logger (counted by ``--strict``)."""
    logger = logging.getLogger("crdoc")
    previous = logger.disabled
    logger.disabled = True
    try:
        yield
    finally:
        logger.disabled = previous
