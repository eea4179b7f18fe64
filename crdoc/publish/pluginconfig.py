"""The MkDocs plugin's options, typed: :class:`CrdocPluginConfig` has one per row of
:data:`crdoc.options.OPTIONS` for the plugin, each made by its row's kind
(:meth:`crdoc.options.Kind.config_option`), with the type MkDocs gives its value."""

from __future__ import annotations

from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c

from crdoc.configoptions import Checked, UrlFolderOption
from crdoc.options import PLUGIN, options_of


def _option(key: str) -> Any:
    """The config option of the plugin's row with ``key`` (typed where it is assigned)."""
    (option,) = (option for option in options_of(PLUGIN) if option.key == key)
    return option.kind.config_option(option)


class CrdocPluginConfig(base.Config):
    """The plugin's options (MkDocs checks them and reports mistakes as config errors), in
    the table's order; ``tests/publish/test_plugin.py`` checks they are the table's."""

    source: c.Optional[str] = _option("source")
    annotations: c.Optional[str] = _option("annotations")
    skip_invalid: c.Type[bool] = _option("skip_invalid")
    allow_http: c.Type[bool] = _option("allow_http")
    allow_empty: c.Type[bool] = _option("allow_empty")
    limit: Checked = _option("limit")
    # "values_" is "values" in mkdocs.yml: the name would hide the mapping's values().
    values_: c.ListOfItems[str] = _option("values")
    set: Checked = _option("set")
    set_string: Checked = _option("set_string")
    kube_version: c.Type[str] = _option("kube_version")
    api_versions: c.ListOfItems[str] = _option("api_versions")
    dependencies: c.Type[bool] = _option("dependencies")
    hide: c.ListOfItems[str] = _option("hide")
    templates: c.Optional[str] = _option("templates")
    title: c.Optional[str] = _option("title")
    path: UrlFolderOption = _option("path")
    nav_title: c.Type[str] = _option("nav_title")
