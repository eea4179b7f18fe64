"""crdoc: reference documentation for the Kubernetes CustomResourceDefinitions in Helm charts.

The pipeline, one package a stage (the public API is what this module exports)::

    from crdoc import Settings, load_reference
    from crdoc.publish.site import build_site

    reference = load_reference("charts/my-operator", Settings(hide=("internal",)))
    build_site(reference, Path("site"))

- :mod:`crdoc.loading` reads a source (chart folder, ``.tgz``, CRD files, URL) into a
  :class:`Catalog`, the frozen model of :mod:`crdoc.model` that every later stage only reads;
- :mod:`crdoc.reports` matches the maintainers' annotations, filters, and reports coverage,
  known limitations and the differences between releases;
- :mod:`crdoc.pipeline` chains them: :func:`load_reference` gives a :class:`Reference`;
- :mod:`crdoc.render` turns a reference into Markdown pages through Jinja2 templates;
- :mod:`crdoc.publish` writes them: Markdown, a MkDocs site, the MkDocs plugin, README
  injection, JSON Schemas, the model as JSON;
- :mod:`crdoc.options` declares every option once; :mod:`crdoc.settings` reads ``crdoc.yaml``;
  :mod:`crdoc.cli` is the command line.
"""

from __future__ import annotations

import gc

# Importing builds tens of thousands of objects (click, PyYAML, these modules) and no garbage:
# collecting meanwhile only rescans them (~7% of a small chart's whole `crdoc inspect`).
_collecting = gc.isenabled()
gc.disable()
try:
    from crdoc.errors import CrdocError
    from crdoc.loading.limits import Limits
    from crdoc.loading.loader import LoadOptions, load
    from crdoc.model import Catalog, ChartInfo, Crd, Field, Version
finally:
    if _collecting:
        gc.enable()


def __getattr__(name: str) -> object:
    # The pipeline's names are imported when first asked for: the command line needs them
    # only once it runs a command (start-up time counts in CI).
    if name in ("Reference", "load_reference"):
        from crdoc import pipeline

        return getattr(pipeline, name)
    if name == "Settings":
        from crdoc.options import Settings

        return Settings
    raise AttributeError(f"module 'crdoc' has no attribute {name!r}")


__all__ = [
    "Catalog",
    "ChartInfo",
    "Crd",
    "CrdocError",
    "Field",
    "Limits",
    "LoadOptions",
    "Reference",
    "Settings",
    "Version",
    "load",
    "load_reference",
]
