"""Where CRDs come from: chart folders and archives (nested subcharts), plain files and folders,
JSON, multi-document streams, legacy v1beta1 CRDs, schema corner cases, duplicates, URLs,
hostile archives and links, and determinism.

Fixtures live in ``tests/fixtures/sources``; archives are built at test time with ``tarfile``.
"""

from __future__ import annotations

import io
import json
import shutil
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, serving_folder

from crdoc import CrdocError, LoadOptions, load
from crdoc.cli import cli
from crdoc.loading.limits import Limits
from crdoc.publish.dump import catalog_data

SOURCES = FIXTURES / "sources"


# -- helpers ---------------------------------------------------------------------------------------


def model(source: str | Path, **options: Any) -> dict[str, Any]:
    """The JSON model of ``source``, exactly as ``crdoc inspect --format json`` writes it."""
    catalog = load(source, LoadOptions(**options))
    return json.loads(json.dumps(catalog_data(catalog), default=dict))


def summary(data: dict[str, Any]) -> dict[str, tuple[list[str], dict[str, str] | None]]:
    """``group/plural`` → (sources, chart) for every CRD of a JSON model."""
    return {f"{c['group']}/{c['plural']}": (c["sources"], c.get("chart")) for c in data["crds"]}


def assert_crds(data: dict[str, Any], expected: dict[str, Any]) -> None:
    """The model's CRDs are exactly ``expected`` (as :func:`summary` gives them), in that order."""
    assert list(summary(data).items()) == list(expected.items())


def fields(data: dict[str, Any], key: str, version: int = 0) -> list[dict[str, Any]]:
    """The JSON fields of one version of the CRD ``group/plural``."""
    (crd,) = [c for c in data["crds"] if f"{c['group']}/{c['plural']}" == key]
    return crd["versions"][version]["fields"]


def pack(folder: Path, top: str, dest: Path, extra: dict[str, bytes] | None = None) -> Path:
    """Package ``folder`` as a Helm-style archive (every member under ``top/``) at ``dest``,
    adding ``extra`` members (path below ``top/`` → content)."""
    with tarfile.open(dest, "w:gz") as archive:
        archive.add(folder, arcname=top)
        for name, content in (extra or {}).items():
            add_member(archive, f"{top}/{name}", content)
    return dest


def add_member(archive: tarfile.TarFile, name: str, content: bytes) -> None:
    """Add a regular file member named exactly ``name`` (no normalisation)."""
    info = tarfile.TarInfo(name)
    info.size = len(content)
    info.mode = 0o644
    archive.addfile(info, io.BytesIO(content))


def build_umbrella(into: Path) -> Path:
    """The umbrella fixture copied under ``into``, with ``charts/a-1.0.tgz`` added, which itself
    holds ``charts/b-1.0.tgz``: umbrella → a (archive) → b (archive), plus a folder subchart."""
    into.mkdir(parents=True, exist_ok=True)
    b = pack(SOURCES / "subchart-b", "b", into / "b-1.0.tgz")
    a = pack(
        SOURCES / "subchart-a", "a", into / "a-1.0.tgz", extra={"charts/b-1.0.tgz": b.read_bytes()}
    )
    root = into / "umbrella"
    shutil.copytree(SOURCES / "umbrella", root)
    shutil.copy(a, root / "charts" / "a-1.0.tgz")
    return root


@pytest.fixture
def umbrella(tmp_path: Path) -> Path:
    """The umbrella chart as a folder, with its nested archive subcharts."""
    return build_umbrella(tmp_path / "build")


@pytest.fixture
def umbrella_tgz(umbrella: Path, tmp_path: Path) -> Path:
    """The umbrella chart (with its nested archives) packaged as ``umbrella-2.0.0.tgz``."""
    return pack(umbrella, "umbrella", tmp_path / "umbrella-2.0.0.tgz")


def crd_yaml(group: str, plural: str, kind: str) -> str:
    """A minimal valid v1 CRD, for inputs written by a test."""
    return (
        "apiVersion: apiextensions.k8s.io/v1\n"
        "kind: CustomResourceDefinition\n"
        f"metadata:\n  name: {plural}.{group}\n"
        f"spec:\n  group: {group}\n"
        f"  names:\n    kind: {kind}\n    plural: {plural}\n"
        "  scope: Namespaced\n"
        "  versions:\n"
        "    - name: v1\n      served: true\n      storage: true\n"
    )


UMBRELLA_CHART = {
    "name": "umbrella",
    "version": "2.0.0",
    "description": "Umbrella chart; tests add charts/a-1.0.tgz (which holds charts/b-1.0.tgz).",
}
CHART_A = {"name": "a", "version": "1.0"}
CHART_B = {"name": "b", "version": "1.0", "appVersion": "9.9"}
CHART_FOLDER_SUB = {"name": "folder-sub", "version": "0.3.0"}


# -- charts ----------------------------------------------------------------------------------------


def test_chart_folder_reads_crds_and_templates() -> None:
    """A chart folder yields the CRDs of ``crds/`` and of ``templates/`` (templated), with the
    chart's metadata; values.yaml, non-CRD templates and ``_helpers.tpl`` add nothing."""
    data = model(SOURCES / "chart-basic")
    chart = {
        "name": "basic",
        "version": "0.1.0",
        "appVersion": "1.2.3",
        "description": "A chart with CRDs in crds/ and in templates/.",
    }
    assert data["chart"] == chart
    assert_crds(
        data,
        {
            "basic.example.com/gadgets": (["crds/gadgets.yaml"], chart),
            "basic.example.com/sprockets": (["templates/sprockets-crd.yaml"], chart),
        },
    )
    assert [f["path"] for f in fields(data, "basic.example.com/sprockets")] == [
        "spec",
        "spec.teeth",
    ]
    assert data["crds"][0]["scope"] == "Cluster"


def test_umbrella_folder_with_folder_and_nested_archive_subcharts(umbrella: Path) -> None:
    """An umbrella folder finds CRDs in its own ``crds/``, in a folder subchart, in an archive
    subchart and in an archive inside that archive, each labelled with its ``!`` path and
    attributed to the chart it belongs to."""
    data = model(umbrella)
    assert data["chart"] == UMBRELLA_CHART
    assert_crds(
        data,
        {
            "a.example.com/alphas": (["charts/a-1.0.tgz!a/crds/alphas.yaml"], CHART_A),
            "b.example.com/xs": (["charts/a-1.0.tgz!a/charts/b-1.0.tgz!b/crds/x.yaml"], CHART_B),
            "folder.example.com/folders": (
                ["charts/folder-sub/crds/folders.yaml"],
                CHART_FOLDER_SUB,
            ),
            "umbrella.example.com/umbrellas": (["crds/umbrellas.yaml"], UMBRELLA_CHART),
        },
    )


def test_umbrella_packaged_as_tgz(umbrella_tgz: Path) -> None:
    """The same umbrella packaged as a ``.tgz`` gives the same CRDs, labels now starting with the
    archive's top folder, and the top chart read from inside the archive."""
    data = model(umbrella_tgz)
    assert data["source"] == str(umbrella_tgz)
    assert data["chart"] == UMBRELLA_CHART
    assert_crds(
        data,
        {
            "a.example.com/alphas": (["umbrella/charts/a-1.0.tgz!a/crds/alphas.yaml"], CHART_A),
            "b.example.com/xs": (
                ["umbrella/charts/a-1.0.tgz!a/charts/b-1.0.tgz!b/crds/x.yaml"],
                CHART_B,
            ),
            "folder.example.com/folders": (
                ["umbrella/charts/folder-sub/crds/folders.yaml"],
                CHART_FOLDER_SUB,
            ),
            "umbrella.example.com/umbrellas": (["umbrella/crds/umbrellas.yaml"], UMBRELLA_CHART),
        },
    )


def test_unquoted_chart_versions_keep_their_text(tmp_path: Path) -> None:
    """``appVersion: 1.20`` unquoted is the version "1.20" (as Helm reads it), not the float 1.2;
    ``version: 0.10`` likewise."""
    chart = tmp_path / "chart"
    shutil.copytree(SOURCES / "subchart-a", chart)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: a\nversion: 0.10\nappVersion: 1.20\n")
    assert model(chart)["chart"] == {"name": "a", "version": "0.10", "appVersion": "1.20"}


def test_single_subchart_archive(tmp_path: Path) -> None:
    """A lone packaged chart (``b-1.0.tgz``) is a chart source of its own."""
    archive = pack(SOURCES / "subchart-b", "b", tmp_path / "b-1.0.tgz")
    data = model(archive)
    assert data["chart"] == CHART_B
    assert_crds(data, {"b.example.com/xs": (["b/crds/x.yaml"], CHART_B)})


# -- plain files and folders -----------------------------------------------------------------------


def test_plain_folder_of_crd_yaml() -> None:
    """A folder without Chart.yaml: every ``.yaml``/``.yml`` below it is read (sub-folders too),
    other files are ignored, and there is no chart."""
    data = model(SOURCES / "plain-folder")
    assert "chart" not in data
    assert_crds(
        data,
        {
            "plain.example.com/gizmos": (["nested/gizmos.yml"], None),
            "plain.example.com/widgets": (["widgets.yaml"], None),
        },
    )


def test_single_yaml_file() -> None:
    """A single CRD file is a source: labelled by its file name, no chart."""
    path = SOURCES / "plain-folder" / "widgets.yaml"
    data = model(path)
    assert data["source"] == str(path)
    assert "chart" not in data
    assert_crds(data, {"plain.example.com/widgets": (["widgets.yaml"], None)})
    assert fields(data, "plain.example.com/widgets") == [
        {"path": "spec", "name": "spec", "type": "object", "required": False}
    ]


def test_json_crd_file() -> None:
    """A ``.json`` CRD is read as JSON, short names and ``required`` included."""
    data = model(SOURCES / "widget.json")
    (crd,) = data["crds"]
    assert (crd["group"], crd["plural"], crd["kind"]) == (
        "json.example.com",
        "jsonwidgets",
        "JsonWidget",
    )
    assert crd["shortNames"] == ["jw"]
    assert crd["sources"] == ["widget.json"]
    assert crd["versions"][0]["fields"] == [
        {"path": "spec", "name": "spec", "type": "object", "required": False},
        {
            "path": "spec.size",
            "name": "size",
            "type": "integer",
            "description": "How big.",
            "required": True,
        },
    ]


def test_multi_document_stream_ignores_other_kinds() -> None:
    """In a stream of Deployment, ConfigMap (mentioning CRDs in its data), Service, empty
    documents and ``...`` markers, only the two CRDs are read."""
    data = model(SOURCES / "multi-doc.yaml")
    assert [(c["kind"], c["scope"], c["versions"][0]["name"]) for c in data["crds"]] == [
        ("First", "Namespaced", "v1"),
        ("Second", "Cluster", "v2"),
    ]


def test_kind_list_wrapping_crds() -> None:
    """``kind: List`` is unwrapped: its CRD items are read, other items ignored."""
    data = model(SOURCES / "list.yaml")
    assert_crds(
        data,
        {
            "list.example.com/listeds": (["list.yaml"], None),
            "list.example.com/others": (["list.yaml"], None),
        },
    )


def test_bom_and_crlf(tmp_path: Path) -> None:
    """A UTF-8 BOM and CRLF line ends are accepted; no carriage return leaks into text."""
    text = crd_yaml("crlf.example.com", "windows", "Window") + (
        "      schema:\n"
        "        openAPIV3Schema:\n"
        "          type: object\n"
        "          properties:\n"
        "            spec:\n"
        "              type: string\n"
        "              description: |\n"
        "                line one\n"
        "                line two\n"
    )
    path = tmp_path / "windows.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    data = model(path)
    assert fields(data, "crlf.example.com/windows") == [
        {
            "path": "spec",
            "name": "spec",
            "type": "string",
            "description": "line one\nline two\n",
            "required": False,
        }
    ]
    assert data["crds"][0]["kind"] == "Window"


# -- legacy v1beta1 --------------------------------------------------------------------------------


def test_v1beta1_single_version_with_top_level_validation() -> None:
    """A v1beta1 CRD with only ``spec.version`` and top-level ``validation`` gives one served,
    stored version with that schema; ``JSONPath`` columns are spelt ``jsonPath``."""
    data = model(SOURCES / "v1beta1-version.yaml")
    (crd,) = data["crds"]
    assert (crd["singular"], crd["listKind"]) == ("oldie", "OldieList")
    assert crd["versions"] == [
        {
            "name": "v1alpha1",
            "served": True,
            "storage": True,
            "deprecated": False,
            "additionalPrinterColumns": [
                {"name": "Phase", "type": "string", "jsonPath": ".status.phase"}
            ],
            "subresources": {"status": {}},
            "schema": {"type": "object", "description": "An old-style resource."},
            "fields": [
                {"path": "spec", "name": "spec", "type": "object", "required": False},
                {"path": "spec.replicas", "name": "replicas", "type": "integer", "required": False},
            ],
        }
    ]


def test_v1beta1_api_version_kept_on_model() -> None:
    """The model records the apiextensions version the manifest was written in."""
    catalog = load(SOURCES / "v1beta1-version.yaml")
    assert catalog.crds[0].api_version == "apiextensions.k8s.io/v1beta1"


def test_v1beta1_versions_share_top_level_validation() -> None:
    """A v1beta1 CRD with ``spec.versions`` and one top-level schema and printer columns gives
    every version that schema and those columns (``jsonPath``), each version's flags its own."""
    data = model(SOURCES / "v1beta1-versions.yaml")
    (crd,) = data["crds"]
    column = {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}
    expected_fields = [
        {"path": "spec", "name": "spec", "type": "object", "required": False},
        {
            "path": "spec.mode",
            "name": "mode",
            "type": "string",
            "enum": ["fast", "slow"],
            "required": False,
        },
    ]
    assert [
        (v["name"], v["served"], v["storage"], v["additionalPrinterColumns"], v["fields"])
        for v in crd["versions"]
    ] == [
        ("v1beta1", True, False, [column], expected_fields),
        ("v1", True, True, [column], expected_fields),
    ]


# -- schema corner cases ---------------------------------------------------------------------------


def test_crd_without_schema() -> None:
    """A version without any schema is documented with zero fields and no ``schema`` key."""
    data = model(SOURCES / "no-schema.yaml")
    assert data["crds"][0]["versions"] == [
        {"name": "v1", "served": True, "storage": True, "deprecated": False, "fields": []}
    ]
    catalog = load(SOURCES / "no-schema.yaml")
    assert catalog.crds[0].versions[0].schema is None


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (
            "spec.count",
            {"path": "spec.count", "name": "count", "type": "integer", "minimum": 0, "default": 0},
        ),
        (
            "spec.enabled",
            {"path": "spec.enabled", "name": "enabled", "type": "boolean", "default": False},
        ),
        ("spec.prefix", {"path": "spec.prefix", "name": "prefix", "type": "string", "default": ""}),
    ],
    ids=["minimum-0-default-0", "default-false", "default-empty-string"],
)
def test_falsy_facts_are_kept(path: str, expected: dict[str, Any]) -> None:
    """Falsy schema values (``0``, ``false``, ``""``) are facts like any other: present in JSON."""
    data = model(SOURCES / "schema-values.yaml")
    (field,) = [f for f in fields(data, "values.example.com/values") if f["path"] == path]
    assert field == {**expected, "required": False}


def test_falsy_default_on_model() -> None:
    """``Field.has_default`` tells a falsy default from none."""
    version = load(SOURCES / "schema-values.yaml").crds[0].versions[0]
    by_path = {f.path: f for f in version.fields}
    assert [(p, by_path[p].has_default, by_path[p].default) for p in sorted(by_path)] == [
        ("spec", False, None),
        ("spec.anything", False, None),
        ("spec.count", True, 0),
        ("spec.enabled", True, False),
        ("spec.labels", False, None),
        ("spec.labels.*", False, None),
        ("spec.matrix", False, None),
        ("spec.prefix", True, ""),
    ]


def test_array_of_arrays() -> None:
    """An array of arrays is one field whose nested item facts are kept, typed ``[][]integer``."""
    data = model(SOURCES / "schema-values.yaml")
    (matrix,) = [f for f in fields(data, "values.example.com/values") if f["path"] == "spec.matrix"]
    assert matrix == {
        "path": "spec.matrix",
        "name": "matrix",
        "type": "array",
        "items": {"type": "array", "items": {"type": "integer"}},
        "required": False,
    }
    version = load(SOURCES / "schema-values.yaml").crds[0].versions[0]
    (field,) = [f for f in version.fields if f.path == "spec.matrix"]
    assert (field.type_label, field.children) == ("[][]integer", ())


def test_additional_properties_true_vs_schema() -> None:
    """``additionalProperties: true`` adds no field (kept as a fact); a schema adds ``x.*``."""
    data = model(SOURCES / "schema-values.yaml")
    by_path = {f["path"]: f for f in fields(data, "values.example.com/values")}
    assert list(by_path) == [
        "spec",
        "spec.count",
        "spec.enabled",
        "spec.prefix",
        "spec.matrix",
        "spec.anything",
        "spec.labels",
        "spec.labels.*",
    ]
    assert by_path["spec.anything"] == {
        "path": "spec.anything",
        "name": "anything",
        "type": "object",
        "additionalProperties": True,
        "required": False,
    }
    assert by_path["spec.labels"] == {
        "path": "spec.labels",
        "name": "labels",
        "type": "object",
        "required": False,
    }
    assert by_path["spec.labels.*"] == {
        "path": "spec.labels.*",
        "name": "*",
        "type": "string",
        "required": False,
    }


# -- duplicates ------------------------------------------------------------------------------------


def test_same_crd_in_two_files_identical_is_listed_once() -> None:
    """The same CRD, byte for byte, in two files is one CRD with both sources, in file order."""
    data = model(SOURCES / "duplicates-same")
    assert_crds(data, {"dup.example.com/twins": (["one.yaml", "two.yaml"], None)})


def test_same_crd_in_two_files_different_is_an_error() -> None:
    """Two different CRDs with the same ``group/plural`` are an error naming both files."""
    folder = SOURCES / "duplicates-different"
    with pytest.raises(CrdocError) as caught:
        load(folder)
    assert caught.value.located() == (
        f"{folder}/two.yaml: CRD dup.example.com/twins differs from the one in {folder}/one.yaml"
    )


# -- URLs ------------------------------------------------------------------------------------------


@pytest.fixture
def www(umbrella_tgz: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A plain-HTTP server on 127.0.0.1 serving ``chart.tgz`` (the umbrella archive) and
    ``widgets.yaml``; the fixture gives its base URL, ending in ``/``. Proxies are ignored."""
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    folder = umbrella_tgz.parent / "www"
    folder.mkdir()
    shutil.copy(umbrella_tgz, folder / "chart.tgz")
    shutil.copy(SOURCES / "plain-folder" / "widgets.yaml", folder / "widgets.yaml")
    with serving_folder(folder) as url:
        yield url


@pytest.fixture
def served(www: str) -> str:
    """The URL of the served umbrella archive."""
    return www + "chart.tgz"


def test_url_with_allow_http(runner, served: str, umbrella_tgz: Path) -> None:
    """``crdoc inspect http://…/chart.tgz --allow-http --format json`` reads the archive: same
    CRDs, labels and chart as the local file, the URL as source."""
    result = runner.invoke(cli, ["inspect", served, "--allow-http", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["source"] == served
    assert data["chart"] == UMBRELLA_CHART
    local = model(umbrella_tgz)
    assert summary(data) == summary(local)
    assert data["crds"] == local["crds"]


def test_url_without_allow_http_fails(runner, served: str) -> None:
    """Without ``--allow-http`` a plain http URL is refused with one error line, exit 1."""
    result = runner.invoke(cli, ["inspect", served, "--format", "json"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: {served}: only https:// URLs are read (pass --allow-http to accept plain http)\n"
    )


def test_url_of_a_single_crd_file(www: str) -> None:
    """A URL of one CRD YAML file is read like the file, labelled by its name."""
    data = model(www + "widgets.yaml", allow_http=True)
    assert data["source"] == www + "widgets.yaml"
    assert_crds(data, {"plain.example.com/widgets": (["widgets.yaml"], None)})


def test_url_not_found_is_one_line_error(runner, www: str) -> None:
    """An HTTP error (404) is one error line naming the URL, exit 1."""
    url = www + "missing.tgz"
    result = runner.invoke(cli, ["inspect", url, "--allow-http"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"Error: {url}: cannot download: HTTP Error 404: File not found\n"


# -- hostile archives and links --------------------------------------------------------------------


@pytest.mark.parametrize(
    "member",
    ["../evil.yaml", "chart/../../evil.yaml", "/etc/evil.yaml"],
    ids=["dot-dot", "dot-dot-after-folder", "absolute"],
)
def test_archive_member_outside_the_archive_is_an_error(tmp_path: Path, member: str) -> None:
    """An archive member whose path climbs out (``..``) or is absolute is refused, by name."""
    archive = tmp_path / "evil-1.0.tgz"
    with tarfile.open(archive, "w:gz") as tar:
        add_member(tar, "chart/Chart.yaml", b"name: chart\nversion: 1.0.0\n")
        add_member(tar, member, crd_yaml("evil.example.com", "evils", "Evil").encode())
    with pytest.raises(CrdocError) as caught:
        load(archive)
    assert (
        caught.value.located() == f"{archive}: archive member {member!r} points outside the archive"
    )


def test_escaping_member_in_nested_subchart_archive(tmp_path: Path) -> None:
    """The check applies to subchart archives too; the error names the nested archive."""
    inner = tmp_path / "bad-1.0.tgz"
    with tarfile.open(inner, "w:gz") as tar:
        add_member(tar, "bad/Chart.yaml", b"name: bad\n")
        add_member(tar, "../../escape.yaml", b"kind: CustomResourceDefinition\n")
    chart = tmp_path / "chart"
    shutil.copytree(SOURCES / "subchart-a", chart)
    (chart / "charts").mkdir()
    shutil.copy(inner, chart / "charts" / "bad-1.0.tgz")
    with pytest.raises(CrdocError) as caught:
        load(chart)
    assert caught.value.located() == (
        f"{chart}/charts/bad-1.0.tgz: archive member '../../escape.yaml' points outside the archive"
    )


def helm_installs(chart: Path) -> list[str]:
    """The names of the CRDs Helm installs from a chart (``crds/`` and rendered
    templates), as the real Helm engine (``helm_python``) loads it; the test is skipped when
    that is not installed."""
    helm_python = pytest.importorskip("helm_python")
    import yaml

    loaded = helm_python.Chart.load(chart)
    texts = [crd["data"] for crd in loaded.crds]
    texts += list(loaded.render({}, name="release", namespace="default").values())
    return sorted(
        doc["metadata"]["name"]
        for text in texts
        for doc in yaml.safe_load_all(text)
        if isinstance(doc, dict) and doc.get("kind") == "CustomResourceDefinition"
    )


def crdoc_names(data: dict[str, Any]) -> list[str]:
    """The CRD names (``plural.group``) of a JSON model."""
    return sorted(f"{c['plural']}.{c['group']}" for c in data["crds"])


def linked_chart(into: Path) -> Path:
    """A repository whose chart links to CRDs outside its folder, as Calico's does
    (``templates/calico -> ../../../libcalico-go/config/crd``), plus a link to one file in
    ``templates/`` and one in ``crds/``."""
    library = into / "libcalico-go" / "config" / "crd"
    library.mkdir(parents=True)
    for plural, kind in [("bgppeers", "BGPPeer"), ("ippools", "IPPool"), ("tiers", "Tier")]:
        (library / f"crd.projectcalico.org_{plural}.yaml").write_text(
            crd_yaml("crd.projectcalico.org", plural, kind)
        )
    shared = into / "shared"
    shared.mkdir()
    (shared / "policy.yaml").write_text(crd_yaml("policy.example.com", "policies", "Policy"))
    (shared / "early.yaml").write_text(crd_yaml("early.example.com", "earlies", "Early"))
    chart = into / "charts" / "crd.projectcalico.org.v1"
    (chart / "templates").mkdir(parents=True)
    (chart / "crds").mkdir()
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: calico-crds\nversion: 1.0.0\n")
    (chart / "templates" / "calico").symlink_to(
        "../../../libcalico-go/config/crd", target_is_directory=True
    )
    (chart / "templates" / "policy.yaml").symlink_to("../../../shared/policy.yaml")
    (chart / "crds" / "early.yaml").symlink_to("../../../shared/early.yaml")
    return chart


CALICO_SOURCES = [
    "templates/calico/crd.projectcalico.org_bgppeers.yaml",
    "templates/calico/crd.projectcalico.org_ippools.yaml",
    "templates/calico/crd.projectcalico.org_tiers.yaml",
]


def test_links_to_folders_and_files_outside_the_chart_are_followed(tmp_path: Path) -> None:
    """A chart folder's links are followed as Helm's loader follows them, wherever they point:
    each file is read under the link's name; crdoc documents exactly the CRDs Helm installs."""
    chart = linked_chart(tmp_path)
    data = model(chart)
    chart_info = {"name": "calico-crds", "version": "1.0.0"}
    assert summary(data) == {
        "crd.projectcalico.org/bgppeers": ([CALICO_SOURCES[0]], chart_info),
        "crd.projectcalico.org/ippools": ([CALICO_SOURCES[1]], chart_info),
        "crd.projectcalico.org/tiers": ([CALICO_SOURCES[2]], chart_info),
        "early.example.com/earlies": (["crds/early.yaml"], chart_info),
        "policy.example.com/policies": (["templates/policy.yaml"], chart_info),
    }
    assert crdoc_names(data) == helm_installs(chart)


def test_broken_links_and_loops_are_skipped_with_a_warning(runner, tmp_path: Path) -> None:
    """A link to nothing and a link to a folder holding it (which would be walked for ever)
    are skipped, each with a warning naming it; the rest of the chart is read. Helm refuses
    such a chart outright."""
    chart = linked_chart(tmp_path)
    (chart / "templates" / "dangling.yaml").symlink_to("../missing.yaml")
    (chart / "templates" / "loop").symlink_to("..", target_is_directory=True)
    (chart / "crds" / "up").symlink_to(tmp_path, target_is_directory=True)
    result = runner.invoke(cli, ["inspect", str(chart), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert crdoc_names(json.loads(result.stdout)) == crdoc_names(
        model(linked_chart(tmp_path / "b"))
    )
    assert result.stderr == (
        f"Warning: {chart}/crds/up: link to {str(tmp_path)!r}, a folder that holds the link: "
        "not followed\n"
        f"Warning: {chart}/templates/dangling.yaml: broken link to '../missing.yaml' (No such file "
        "or directory): skipped\n"
        f"Warning: {chart}/templates/loop: link to '..', a folder that holds the link: "
        "not followed\n"
    )
    helm_python = pytest.importorskip("helm_python")
    with pytest.raises(helm_python.HelmError):
        helm_python.Chart.load(chart)


def test_helmignore_hides_linked_files_by_the_links_path(tmp_path: Path) -> None:
    """``.helmignore`` rules match a linked file or folder by where the link is, as in Helm."""
    chart = linked_chart(tmp_path)
    (chart / ".helmignore").write_text("templates/calico/*tiers.yaml\npolicy.yaml\n")
    data = model(chart)
    assert crdoc_names(data) == [
        "bgppeers.crd.projectcalico.org",
        "earlies.early.example.com",
        "ippools.crd.projectcalico.org",
    ]
    assert crdoc_names(data) == helm_installs(chart)


def test_links_multiplying_a_folder_are_bounded(tmp_path: Path) -> None:
    """Links that multiply a folder (each level linking the next twice) stop at
    ``max_archive_members`` entries reached through links, with one error line."""
    chart = tmp_path / "chart"
    shutil.copytree(SOURCES / "subchart-a", chart)
    level = tmp_path / "level0"
    level.mkdir()
    (level / "x.yaml").write_text("a: 1\n")
    for depth in range(1, 12):
        above = tmp_path / f"level{depth}"
        above.mkdir()
        (above / "one").symlink_to(level, target_is_directory=True)
        (above / "two").symlink_to(level, target_is_directory=True)
        level = above
    (chart / "files").symlink_to(level, target_is_directory=True)
    with pytest.raises(CrdocError) as caught:
        load(chart, LoadOptions(limits=Limits(max_archive_members=1000)))
    assert caught.value.located() == (
        f"{chart}: more than 1000 files and folders reached through links"
    )


def test_links_in_archives_are_not_followed(tmp_path: Path) -> None:
    """In a ``.tgz``, a link member is skipped wherever it points (Helm reads it as an empty
    file, which holds no CRD either)."""
    archive = tmp_path / "c-1.0.tgz"
    with tarfile.open(archive, "w:gz") as tar:
        add_member(tar, "c/Chart.yaml", b"name: c\nversion: 1.0\n")
        add_member(tar, "c/templates/real.yaml", crd_yaml("x.example.com", "xs", "X").encode())
        for name, target in [("templates/link.yaml", "real.yaml"), ("crds/up", "..")]:
            info = tarfile.TarInfo(f"c/{name}")
            info.type, info.linkname = tarfile.SYMTYPE, target
            tar.addfile(info)
    data = model(archive)
    assert summary(data) == {
        "x.example.com/xs": (["c/templates/real.yaml"], {"name": "c", "version": "1.0"})
    }
    assert crdoc_names(data) == helm_installs(archive)


def test_symlink_inside_the_chart_is_read(tmp_path: Path) -> None:
    """A link to a file inside the chart is kept: the same CRD, found under both names."""
    chart = tmp_path / "chart"
    shutil.copytree(SOURCES / "subchart-a", chart)
    (chart / "crds" / "zz-link.yaml").symlink_to(chart / "crds" / "alphas.yaml")
    data = model(chart)
    assert_crds(
        data, {"a.example.com/alphas": (["crds/alphas.yaml", "crds/zz-link.yaml"], CHART_A)}
    )


# -- determinism -----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_output_is_deterministic(runner, tmp_path: Path, fmt: str) -> None:
    """Two runs over the same umbrella give byte-identical output, and so do two separately
    built copies of it (file system order and archive timestamps play no part)."""
    first = build_umbrella(tmp_path / "one")
    second = build_umbrella(tmp_path / "two")
    outputs = []
    for root in (first, first, second):
        result = runner.invoke(cli, ["inspect", str(root), "--format", fmt])
        assert result.exit_code == 0, result.output
        outputs.append(result.stdout_bytes.replace(str(root).encode(), b"ROOT"))
    assert outputs[0] == outputs[1] == outputs[2]
    assert outputs[0]
