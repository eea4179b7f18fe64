"""The default CRD page's per-field Markdown, built in Python for speed: the pieces the
template documents give the same bytes as the one call it makes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import EXAMPLE_CHART, FIXTURES

from crdoc import load
from crdoc.pipeline import Reference
from crdoc.render import fields as render_fields
from crdoc.render.environment import RenderOptions, default_templates
from crdoc.render.pages import Renderer
from crdoc.reports.annotations import annotations_for


def _pages(options: RenderOptions) -> dict[str, str]:
    catalog = load(EXAMPLE_CHART)
    annotations = annotations_for(str(EXAMPLE_CHART), None, catalog)
    return {
        page.path: page.text for page in Renderer(options).pages(Reference.of(catalog, annotations))
    }


def _documented_pieces() -> str:
    """The field block spelt out in pieces, from the comment in ``_base/crd.md.jinja``."""
    text = (default_templates() / "_base" / "crd.md.jinja").read_text(encoding="utf-8")
    match = re.search(
        r"\{#- field_block\(field, note\) is these pieces[^\n]*\n(.*?)-#\}", text, re.S
    )
    assert match, "the field block's pieces are no longer spelt out in the template"
    return match.group(1)


@pytest.mark.parametrize(
    "flavour,single_file", [("github", False), ("mkdocs", False), ("github", True)]
)
def test_field_block_is_its_documented_pieces(
    tmp_path: Path, flavour: str, single_file: bool
) -> None:
    """Overriding the ``field`` block with the pieces the template documents (heading,
    summary, description, callout, facts, links) changes no byte of any page: users may copy
    them to change one."""
    (tmp_path / "crd.md.jinja").write_text(
        '{% extends "_base/crd.md.jinja" %}\n{% block field scoped %}\n'
        + _documented_pieces()
        + "{% endblock %}\n",
        encoding="utf-8",
    )
    default = _pages(RenderOptions(flavour=flavour, single_file=single_file))
    pieces = _pages(RenderOptions(flavour=flavour, single_file=single_file, templates=tmp_path))
    assert any("Maintainers' note" in text or "[!" in text for text in default.values())
    assert pieces == default


@pytest.mark.parametrize("name", ["facts", "hostile", "anchors", "carriage-returns"])
def test_facts_shortcut_changes_nothing(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fields whose schema holds only keywords shown elsewhere (type, description, default …)
    skip the list of facts: the pages are the same as when every field is looked at."""
    catalog = load(FIXTURES / "render" / f"{name}.yaml")

    def pages() -> dict[str, str]:
        return {
            page.path: page.text for page in Renderer(RenderOptions()).pages(Reference.of(catalog))
        }

    shortcut = pages()
    monkeypatch.setattr(render_fields, "SUMMARISED", frozenset())
    assert pages() == shortcut
