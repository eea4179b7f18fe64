"""The loader: reading in worker processes gives exactly what reading in one process gives."""

from __future__ import annotations

import concurrent.futures
import io
from pathlib import Path

import pytest
from conftest import corpus_entry

from crdoc import loader
from crdoc.dump import write_json
from crdoc.errors import CrdocError
from crdoc.loader import LoadOptions, load


def _json(catalog) -> str:
    out = io.StringIO()
    write_json(catalog, out)
    return out.getvalue()


@pytest.mark.parametrize("name", ["kube-prometheus-stack.tgz", "traefik", "cloudnative-pg"])
def test_parallel_read_is_identical(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two worker processes (forced on a small input) give byte-identical JSON to one process,
    for a packaged chart, a crds/ chart and a templated chart."""
    source = corpus_entry(name)
    sequential = _json(load(source, LoadOptions(workers=1)))
    monkeypatch.setattr(loader, "PARALLEL_THRESHOLD", 0)
    calls = []
    real = concurrent.futures.ProcessPoolExecutor

    def counting(*args, **kwargs):
        calls.append(kwargs.get("max_workers"))
        return real(*args, **kwargs)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", counting)
    parallel = _json(load(source, LoadOptions(workers=2)))
    assert calls == [2]  # the pool really ran
    assert parallel == sequential


def test_parallel_read_reports_errors_with_their_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Problems found in a worker come back with file and line; with skip_invalid they are
    warnings and the valid CRDs are kept."""
    good = (
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
        "spec:\n  group: example.com\n  names: {kind: Good, plural: goods}\n"
        "  scope: Namespaced\n  versions: [{name: v1, served: true, storage: true}]\n"
    )
    (tmp_path / "a.yaml").write_text(good)
    (tmp_path / "b.yaml").write_text(
        "apiVersion: apiextensions.k8s.io/v1\n"
        "kind: CustomResourceDefinition\nspec:\n  group: x.com\n"
    )
    monkeypatch.setattr(loader, "PARALLEL_THRESHOLD", 0)
    with pytest.raises(CrdocError) as caught:
        load(tmp_path, LoadOptions(workers=2))
    assert caught.value.located() == (
        f"{tmp_path}/b.yaml:3: CustomResourceDefinition has no 'spec.names' mapping"
    )
    catalog = load(tmp_path, LoadOptions(workers=2, skip_invalid=True))
    assert [crd.kind for crd in catalog.crds] == ["Good"]
    assert catalog.warnings == (
        f"{tmp_path}/b.yaml:3: CustomResourceDefinition has no 'spec.names' mapping",
    )
