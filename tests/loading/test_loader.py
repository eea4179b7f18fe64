"""The loader: reading in worker processes gives exactly what reading in one process gives."""

from __future__ import annotations

import concurrent.futures
import io
from pathlib import Path

import pytest
from conftest import corpus_entry

from crdoc.errors import CrdocError
from crdoc.loading import loader
from crdoc.loading.loader import LoadOptions, load
from crdoc.pipeline import Reference
from crdoc.publish.dump import write_json


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


def _facts_and_texts(catalog):
    fields = [item for crd in catalog.crds for v in crd.versions for item in v.fields]
    descriptions = [item.facts["description"] for item in fields if "description" in item.facts]
    return fields, descriptions


@pytest.mark.parametrize("workers", [1, 2])
def test_equal_facts_are_stored_once(workers: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """kube-prometheus-stack repeats its pod-template descriptions across CRDs: each distinct
    text (and each distinct facts mapping) is one object, whether read here or in workers;
    and the model is the same as one built without sharing."""
    source = corpus_entry("kube-prometheus-stack.tgz")
    monkeypatch.setattr(loader, "PARALLEL_THRESHOLD", 0)
    catalog = load(source, LoadOptions(workers=workers))
    fields, descriptions = _facts_and_texts(catalog)
    assert len(fields) == 10590
    distinct_texts = len(set(descriptions))
    assert distinct_texts == len({id(text) for text in descriptions}) < len(descriptions) / 4
    distinct = {id(item.facts) for item in fields}
    assert len(distinct) < len(fields) / 3
    assert len({id(item.path) for item in fields}) == len({item.path for item in fields})

    with monkeypatch.context() as patched:
        patched.setattr(loader, "sharing", _no_sharing)
        unshared = load(source, LoadOptions(workers=1))
    assert len({id(item.facts) for item in _facts_and_texts(unshared)[0]}) == len(fields)
    assert unshared == catalog
    assert _json(unshared) == _json(catalog)


def _no_sharing():
    import contextlib

    from crdoc.loading.schema import Sharing

    return contextlib.nullcontext(Sharing())


def test_sharing_never_merges_equal_values_of_other_types(tmp_path: Path) -> None:
    """1, 1.0 and true are equal in Python but not in a schema: each field keeps its own."""
    values = ["1", "1.0", "true", "'1'", "[1]", "[true]", "{a: 1}", "{a: true}", "{a: 1.0}"]
    properties = "".join(
        f"                f{i}:\n                  type: integer\n                  default: {v}\n"
        f"                g{i}:\n                  type: integer\n                  default: {v}\n"
        for i, v in enumerate(values)
    )
    (tmp_path / "crd.yaml").write_text(
        _crd_with("            spec:\n              type: object\n              properties:\n")
        + properties
    )
    (version,) = load(tmp_path).crds[0].versions
    defaults = {item.name: item.facts["default"] for item in version.fields if item.depth == 1}
    expected = [1, 1.0, True, "1", [1], [True], {"a": 1}, {"a": True}, {"a": 1.0}]
    for i, value in enumerate(expected):
        for name in (f"f{i}", f"g{i}"):
            assert defaults[name] == value
            assert type(defaults[name]) is type(value)
            if isinstance(value, list | dict):
                inner = value[0] if isinstance(value, list) else value["a"]
                got = defaults[name][0] if isinstance(value, list) else defaults[name]["a"]
                assert type(got) is type(inner)
    facts = {item.name: item.facts for item in version.fields if item.depth == 1}
    assert facts["f0"] is facts["g0"]  # equal and same types: shared
    assert facts["f0"] is not facts["f1"] and facts["f0"] is not facts["f2"]


def test_fields_pickle_by_value() -> None:
    """What a worker sends back is the field itself, every attribute in its place."""
    import pickle

    from crdoc.model import Field

    leaf = Field(path="spec.a.b", name="b", depth=2, required=False, facts={"type": "integer"})
    parent = Field(
        path="spec.a", name="a", depth=1, required=True, facts={"x": [1]}, children=(leaf,)
    )
    copy = pickle.loads(pickle.dumps(parent))
    assert copy == parent and copy.children[0] == leaf
    assert (copy.path, copy.name, copy.depth, copy.required) == ("spec.a", "a", 1, True)
    assert copy.children[0].facts == {"type": "integer"} and copy.facts == {"x": [1]}


def test_loads_in_threads_keep_their_own_sharing() -> None:
    """The plugin (mkdocs serve) or a library may load in several threads at once: each load
    shares within itself, gives the model a lone load gives, and leaves nothing behind."""
    from concurrent.futures import ThreadPoolExecutor

    from crdoc.loading import schema

    sources = [corpus_entry(name) for name in ("traefik", "gateway-api-standard")] * 2
    alone = {str(source): _json(load(source)) for source in sources}
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(lambda source: _json(load(source)), sources))
    assert together == [alone[str(source)] for source in sources]
    assert schema._sharing.get() is None
    with schema.sharing() as share:
        assert schema._sharing.get() is share
    assert schema._sharing.get() is None


def _crd_with(properties: str) -> str:
    return (
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
        "metadata: {name: things.example.com}\n"
        "spec:\n  group: example.com\n  scope: Namespaced\n"
        "  names: {kind: Thing, plural: things}\n"
        "  versions:\n    - name: v1\n      served: true\n      storage: true\n"
        "      schema:\n        openAPIV3Schema:\n          type: object\n          properties:\n"
        + properties
    )


def test_sharing_keeps_signed_zeros_and_key_types_apart(tmp_path: Path) -> None:
    """-0.0 equals 0.0 and a key 1 equals true in Python; in a schema they differ, and one
    field's spelling must never show on another's (whichever was read first)."""
    fields = {
        "a": "{minimum: 0.0}",
        "b": "{minimum: -0.0}",
        "c": "{x-k: [0.0]}",
        "d": "{x-k: [-0.0]}",
        "e": "{type: string, 1: x}",
        "f": "{type: string, true: x}",
        "g": "{type: string, 1.0: x}",
    }
    properties = "".join(f"            {name}: {facts}\n" for name, facts in fields.items())
    (tmp_path / "crd.yaml").write_text(_crd_with(properties), encoding="utf-8")
    (version,) = load(tmp_path).crds[0].versions
    facts = {item.name: item.facts for item in version.fields}
    assert str(facts["a"]["minimum"]) == "0.0" and str(facts["b"]["minimum"]) == "-0.0"
    assert str(facts["c"]["x-k"][0]) == "0.0" and str(facts["d"]["x-k"][0]) == "-0.0"
    keys = {name: [k for k in facts[name] if k != "type"][0] for name in "efg"}
    assert [type(key) for key in keys.values()] == [int, bool, float]
    assert '"minimum": -0.0' in _json(load(tmp_path))


def test_sharing_survives_values_nested_deeper_than_python_recurses(tmp_path: Path) -> None:
    """A vendor keyword nested 700 deep (below the nesting limit, past what a recursive key
    could take) loads as before (it is left unshared), with no traceback."""
    deep = "[" * 700 + "1" + "]" * 700
    (tmp_path / "crd.yaml").write_text(
        _crd_with(f"            a:\n              x-deep: {deep}\n"), encoding="utf-8"
    )
    (version,) = load(tmp_path).crds[0].versions
    value = version.fields[0].facts["x-deep"]
    for _ in range(700):
        value = value[0]
    assert value == 1
    assert '"x-deep": [[[' in _json(load(tmp_path))  # and it is written out, as JSON
    from crdoc.render.environment import RenderOptions
    from crdoc.render.pages import Renderer

    pages = list(Renderer(RenderOptions()).pages(Reference.of(load(tmp_path))))
    assert any("x-deep" in page.text for page in pages)  # and as Markdown
