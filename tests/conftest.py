"""Shared fixtures: the real-chart corpus (read in place, never copied) and a CLI runner."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXAMPLE_CHART = ROOT / "examples" / "alloydbomni-operator"
CORPUS = Path(os.environ.get("CRDOC_CORPUS", ROOT.parent / "shared" / "corpus"))
#: Upstream example manifests for corpus CRDs (read in place, never copied).
EXAMPLES = Path(os.environ.get("CRDOC_EXAMPLES", ROOT.parent / "shared" / "examples"))


@pytest.fixture(autouse=True, scope="session")
def _template_cache(tmp_path_factory: pytest.TempPathFactory):
    """Compiled templates go to a folder of the test run's own, never the user's cache."""
    before = os.environ.get("CRDOC_CACHE_DIR")
    os.environ["CRDOC_CACHE_DIR"] = str(tmp_path_factory.mktemp("template-cache"))
    yield
    if before is None:
        del os.environ["CRDOC_CACHE_DIR"]
    else:
        os.environ["CRDOC_CACHE_DIR"] = before


#: name → (CRDs, versions, fields, undocumented), as ../shared/corpus/MANIFEST.md gives them.
CORPUS_COUNTS = {
    "cloudnative-pg": (11, 11, 2614, 108),
    "cloudnative-pg-v0.24.0": (9, 9, 2288, 103),
    "gateway-api-standard": (10, 19, 1114, 36),
    "kube-prometheus-stack.tgz": (10, 10, 10590, 316),
    "prometheus-operator-legacy": (6, 6, 2674, 96),
    "strimzi-kafka-operator": (10, 10, 4369, 2827),
    "traefik": (25, 25, 1432, 221),
}


def corpus_entry(name: str) -> Path:
    """The path of a corpus entry; the test is skipped (loudly) where the corpus is absent."""
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"corpus entry {path} is not here (set CRDOC_CORPUS)")
    return path


def examples_entry(name: str) -> Path:
    """The path of an upstream example folder; the test is skipped (loudly) where it is absent."""
    path = EXAMPLES / name
    if not path.exists():
        pytest.skip(f"examples {path} are not here (set CRDOC_EXAMPLES)")
    return path


@pytest.fixture(params=sorted(CORPUS_COUNTS), ids=str)
def corpus_name(request: pytest.FixtureRequest) -> str:
    """Each corpus entry's name in turn."""
    corpus_entry(request.param)
    return request.param


def markdown_pages(catalog: Any, options: Any = None, annotations: Any = None) -> list[Any]:
    """Every page of a loaded catalog, rendered (``RenderOptions()`` by default)."""
    from crdoc.pipeline import Reference
    from crdoc.render.environment import RenderOptions
    from crdoc.render.pages import Renderer

    reference = Reference.of(catalog, annotations)
    return list(Renderer(options or RenderOptions()).pages(reference))


def report_renderer() -> Any:
    """The renderer ``crdoc coverage --format markdown`` and ``crdoc diff`` use."""
    from crdoc.render.environment import RenderOptions
    from crdoc.render.pages import Renderer

    return Renderer(RenderOptions(flavour="github"))


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def ragged_tables(tokens: list[Any]) -> list[list[int]]:
    """The cell counts of each table (header row first) whose rows do not all match."""
    tables: list[list[int]] = []
    for token in tokens:
        if token.type == "table_open":
            tables.append([])
        elif token.type == "tr_open":
            tables[-1].append(0)
        elif token.type in ("th_open", "td_open"):
            tables[-1][-1] += 1
    return [t for t in tables if len(set(t)) > 1]
