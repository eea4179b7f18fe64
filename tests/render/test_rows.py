"""Field rows are written in Python for speed (:mod:`crdoc.render.rows`, the fast path) unless
a user overrides one of the part templates they stand in for (``field_row``, ``chips``,
``callout``): the shipped part templates, copied as a user's own, give the same bytes, so
users may copy them to change one piece."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import EXAMPLE_CHART, FIXTURES

from crdoc import load
from crdoc.pipeline import Reference
from crdoc.render.crdpages import ROW_PARTS
from crdoc.render.environment import RenderOptions, default_templates
from crdoc.render.pages import Renderer
from crdoc.reports.annotations import annotations_for


def _pages(source: Path, options: RenderOptions) -> dict[str, str]:
    catalog = load(source)
    annotations = annotations_for(str(source), None, catalog)
    return {
        page.path: page.text for page in Renderer(options).pages(Reference.of(catalog, annotations))
    }


@pytest.mark.parametrize(
    ("source", "flavour", "single_file"),
    [
        (EXAMPLE_CHART, "github", True),
        (FIXTURES / "render" / "hostile.yaml", "github", False),
        (FIXTURES / "render" / "hostile.yaml", "mkdocs", False),
        (FIXTURES / "render" / "facts.yaml", "github", False),
        (FIXTURES / "render" / "facts.yaml", "mkdocs", False),
    ],
    ids=["example-single-file", "hostile-github", "hostile-mkdocs", "facts-github", "facts-mkdocs"],
)
def test_copied_row_templates_change_nothing(
    tmp_path: Path, source: Path, flavour: str, single_file: bool
) -> None:
    """The shipped row, chips and callout templates of the flavour, copied into a
    ``--templates`` folder (so every row goes through them, not the fast path), change no byte
    of any page: a single file's page-prefixed ids, hostile text and every kind of fact
    included. (tests/render/test_real_chart_pages.py checks the same on real charts, one page per
    file.)"""
    suffix = ".html.jinja" if flavour == "mkdocs" else ".md.jinja"
    for part in ROW_PARTS:
        shipped = (default_templates() / (part + suffix)).read_text(encoding="utf-8")
        (tmp_path / (part + suffix)).write_text(shipped, encoding="utf-8")
    default = _pages(source, RenderOptions(flavour=flavour, single_file=single_file))
    copied = _pages(
        source, RenderOptions(flavour=flavour, single_file=single_file, templates=tmp_path)
    )
    assert copied == default
    if source == EXAMPLE_CHART:  # the maintainers' annotations: callouts and status chips
        assert any("> [!" in text for text in default.values())
        assert any("☁️ *cloud-only*" in text for text in default.values())
