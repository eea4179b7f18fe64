"""``objects.inv``: every CRD version and field path of a reference, in Sphinx's inventory
format (version 2, what intersphinx and mkdocstrings import), so other documentation links to
any field by name.

Names follow the corpus conventions (arrays transparent, ``*`` for a map's values):

- ``{group}/{version}/{Kind}`` (role ``crd:kind``) → the CRD version's page;
- ``{group}/{version}/{Kind}.{path}`` (role ``crd:field``) → the row documenting the field,
  on its version's page or, for a field inside a recovered type, in the type's section.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

from crdoc.pipeline import Reference
from crdoc.render.crdpages import site_url
from crdoc.render.layout import Layout

#: Its file name, at the root of the reference.
INVENTORY = "objects.inv"


def inventory_lines(
    reference: Reference, layout: Layout, *, directory_urls: bool = False
) -> Iterator[str]:
    """One line per CRD version and field: ``name domain:role priority uri dispname``."""
    for ref in layout.refs:
        crd, version = ref.crd, ref.version
        name = f"{crd.group}/{version.name}/{crd.kind}"
        yield f"{name} crd:kind 1 {site_url(ref.path, directory_urls)} -"
        for field in version.fields:
            page, anchor = layout.locate(crd.key, version.name, field.path)
            yield f"{name}.{field.path} crd:field 1 {site_url(page, directory_urls)}#{anchor} -"


def inventory(reference: Reference, layout: Layout, *, directory_urls: bool = False) -> bytes:
    """The whole ``objects.inv`` (URIs relative to the folder it is written in)."""
    chart = reference.catalog.chart
    header = (
        "# Sphinx inventory version 2\n"
        f"# Project: {_clean(reference.title)}\n"
        f"# Version: {_clean(chart.version if chart and chart.version else '')}\n"
        "# The remainder of this file is compressed using zlib.\n"
    )
    body = "".join(
        f"{line}\n" for line in inventory_lines(reference, layout, directory_urls=directory_urls)
    )
    return header.encode() + zlib.compress(body.encode(), 9)


def _clean(text: str) -> str:
    return " ".join(text.split())
