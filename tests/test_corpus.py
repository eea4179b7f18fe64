"""crdoc against the real charts of ``../shared/corpus`` (third-party data, read in place).

Three kinds of evidence, each independent of crdoc's own reading code:

- the counts and CRD/version names the corpus ``MANIFEST.md`` gives (hard-coded below);
- a small reader written here from the raw YAML (``RawCrd``), with its own schema walker
  following the MANIFEST conventions, against which every field of crdoc's JSON is compared;
- exact values looked up by hand in the raw files (spot checks).

Everything goes through the real command line (``crdoc inspect … --format json``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tarfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from conftest import CORPUS_COUNTS, corpus_entry

from crdoc.cli import cli

# -- what MANIFEST.md says ------------------------------------------------------------------------

#: entry → {``group/plural``: (kind, version names)}, copied from ../shared/corpus/MANIFEST.md.
MANIFEST_CRDS: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = {
    "cloudnative-pg": {
        "postgresql.cnpg.io/backups": ("Backup", ("v1",)),
        "postgresql.cnpg.io/clusterimagecatalogs": ("ClusterImageCatalog", ("v1",)),
        "postgresql.cnpg.io/clusters": ("Cluster", ("v1",)),
        "postgresql.cnpg.io/databaseroles": ("DatabaseRole", ("v1",)),
        "postgresql.cnpg.io/databases": ("Database", ("v1",)),
        "postgresql.cnpg.io/failoverquorums": ("FailoverQuorum", ("v1",)),
        "postgresql.cnpg.io/imagecatalogs": ("ImageCatalog", ("v1",)),
        "postgresql.cnpg.io/poolers": ("Pooler", ("v1",)),
        "postgresql.cnpg.io/publications": ("Publication", ("v1",)),
        "postgresql.cnpg.io/scheduledbackups": ("ScheduledBackup", ("v1",)),
        "postgresql.cnpg.io/subscriptions": ("Subscription", ("v1",)),
    },
    "cloudnative-pg-v0.24.0": {
        "postgresql.cnpg.io/backups": ("Backup", ("v1",)),
        "postgresql.cnpg.io/clusterimagecatalogs": ("ClusterImageCatalog", ("v1",)),
        "postgresql.cnpg.io/clusters": ("Cluster", ("v1",)),
        "postgresql.cnpg.io/databases": ("Database", ("v1",)),
        "postgresql.cnpg.io/imagecatalogs": ("ImageCatalog", ("v1",)),
        "postgresql.cnpg.io/poolers": ("Pooler", ("v1",)),
        "postgresql.cnpg.io/publications": ("Publication", ("v1",)),
        "postgresql.cnpg.io/scheduledbackups": ("ScheduledBackup", ("v1",)),
        "postgresql.cnpg.io/subscriptions": ("Subscription", ("v1",)),
    },
    "gateway-api-standard": {
        "gateway.networking.k8s.io/backendtlspolicies": ("BackendTLSPolicy", ("v1", "v1alpha3")),
        "gateway.networking.k8s.io/gatewayclasses": ("GatewayClass", ("v1", "v1beta1")),
        "gateway.networking.k8s.io/gateways": ("Gateway", ("v1", "v1beta1")),
        "gateway.networking.k8s.io/grpcroutes": ("GRPCRoute", ("v1",)),
        "gateway.networking.k8s.io/httproutes": ("HTTPRoute", ("v1", "v1beta1")),
        "gateway.networking.k8s.io/listenersets": ("ListenerSet", ("v1",)),
        "gateway.networking.k8s.io/referencegrants": ("ReferenceGrant", ("v1", "v1beta1")),
        "gateway.networking.k8s.io/tcproutes": ("TCPRoute", ("v1", "v1alpha2")),
        "gateway.networking.k8s.io/tlsroutes": ("TLSRoute", ("v1", "v1alpha2", "v1alpha3")),
        "gateway.networking.k8s.io/udproutes": ("UDPRoute", ("v1", "v1alpha2")),
    },
    "kube-prometheus-stack.tgz": {
        "monitoring.coreos.com/alertmanagerconfigs": ("AlertmanagerConfig", ("v1alpha1",)),
        "monitoring.coreos.com/alertmanagers": ("Alertmanager", ("v1",)),
        "monitoring.coreos.com/podmonitors": ("PodMonitor", ("v1",)),
        "monitoring.coreos.com/probes": ("Probe", ("v1",)),
        "monitoring.coreos.com/prometheusagents": ("PrometheusAgent", ("v1alpha1",)),
        "monitoring.coreos.com/prometheuses": ("Prometheus", ("v1",)),
        "monitoring.coreos.com/prometheusrules": ("PrometheusRule", ("v1",)),
        "monitoring.coreos.com/scrapeconfigs": ("ScrapeConfig", ("v1alpha1",)),
        "monitoring.coreos.com/servicemonitors": ("ServiceMonitor", ("v1",)),
        "monitoring.coreos.com/thanosrulers": ("ThanosRuler", ("v1",)),
    },
    "prometheus-operator-legacy": {
        "monitoring.coreos.com/alertmanagers": ("Alertmanager", ("v1",)),
        "monitoring.coreos.com/podmonitors": ("PodMonitor", ("v1",)),
        "monitoring.coreos.com/prometheuses": ("Prometheus", ("v1",)),
        "monitoring.coreos.com/prometheusrules": ("PrometheusRule", ("v1",)),
        "monitoring.coreos.com/servicemonitors": ("ServiceMonitor", ("v1",)),
        "monitoring.coreos.com/thanosrulers": ("ThanosRuler", ("v1",)),
    },
    "strimzi-kafka-operator": {
        "core.strimzi.io/strimzipodsets": ("StrimziPodSet", ("v1",)),
        "kafka.strimzi.io/kafkabridges": ("KafkaBridge", ("v1",)),
        "kafka.strimzi.io/kafkaconnectors": ("KafkaConnector", ("v1",)),
        "kafka.strimzi.io/kafkaconnects": ("KafkaConnect", ("v1",)),
        "kafka.strimzi.io/kafkamirrormaker2s": ("KafkaMirrorMaker2", ("v1",)),
        "kafka.strimzi.io/kafkanodepools": ("KafkaNodePool", ("v1",)),
        "kafka.strimzi.io/kafkarebalances": ("KafkaRebalance", ("v1",)),
        "kafka.strimzi.io/kafkas": ("Kafka", ("v1",)),
        "kafka.strimzi.io/kafkatopics": ("KafkaTopic", ("v1",)),
        "kafka.strimzi.io/kafkausers": ("KafkaUser", ("v1",)),
    },
    "traefik": {
        "hub.traefik.io/accesscontrolpolicies": ("AccessControlPolicy", ("v1alpha1",)),
        "hub.traefik.io/aiservices": ("AIService", ("v1alpha1",)),
        "hub.traefik.io/apiauths": ("APIAuth", ("v1alpha1",)),
        "hub.traefik.io/apibundles": ("APIBundle", ("v1alpha1",)),
        "hub.traefik.io/apicatalogitems": ("APICatalogItem", ("v1alpha1",)),
        "hub.traefik.io/apiplans": ("APIPlan", ("v1alpha1",)),
        "hub.traefik.io/apiportalauths": ("APIPortalAuth", ("v1alpha1",)),
        "hub.traefik.io/apiportals": ("APIPortal", ("v1alpha1",)),
        "hub.traefik.io/apiratelimits": ("APIRateLimit", ("v1alpha1",)),
        "hub.traefik.io/apis": ("API", ("v1alpha1",)),
        "hub.traefik.io/apiversions": ("APIVersion", ("v1alpha1",)),
        "hub.traefik.io/contentitems": ("ContentItem", ("v1alpha1",)),
        "hub.traefik.io/managedapplications": ("ManagedApplication", ("v1alpha1",)),
        "hub.traefik.io/managedsubscriptions": ("ManagedSubscription", ("v1alpha1",)),
        "hub.traefik.io/uplinks": ("Uplink", ("v1alpha1",)),
        "traefik.io/ingressroutes": ("IngressRoute", ("v1alpha1",)),
        "traefik.io/ingressroutetcps": ("IngressRouteTCP", ("v1alpha1",)),
        "traefik.io/ingressrouteudps": ("IngressRouteUDP", ("v1alpha1",)),
        "traefik.io/middlewares": ("Middleware", ("v1alpha1",)),
        "traefik.io/middlewaretcps": ("MiddlewareTCP", ("v1alpha1",)),
        "traefik.io/serverstransports": ("ServersTransport", ("v1alpha1",)),
        "traefik.io/serverstransporttcps": ("ServersTransportTCP", ("v1alpha1",)),
        "traefik.io/tlsoptions": ("TLSOption", ("v1alpha1",)),
        "traefik.io/tlsstores": ("TLSStore", ("v1alpha1",)),
        "traefik.io/traefikservices": ("TraefikService", ("v1alpha1",)),
    },
}

#: entry → the name of the (sub)chart its CRDs come from (``None``: not a chart).
CHART_OF_CRDS: dict[str, str | None] = {
    "cloudnative-pg": "cloudnative-pg",
    "cloudnative-pg-v0.24.0": "cloudnative-pg",
    "gateway-api-standard": None,
    "kube-prometheus-stack.tgz": "crds",
    "prometheus-operator-legacy": "prometheus-operator",
    "strimzi-kafka-operator": "strimzi-kafka-operator",
    "traefik": "traefik",
}

# -- an independent reader of the raw YAML --------------------------------------------------------

#: Schema keywords that build the field tree; never facts of a field.
STRUCTURAL = ("properties", "items", "additionalProperties", "required")


class _RawLoader(yaml.CSafeLoader):
    """The safe loader, with a bare ``=`` and timestamps read as the text written."""


def _text_of(loader: yaml.CSafeLoader, node: yaml.Node) -> str:
    return loader.construct_scalar(node)  # type: ignore[arg-type]


_RawLoader.add_constructor("tag:yaml.org,2002:value", _text_of)
_RawLoader.add_constructor("tag:yaml.org,2002:timestamp", _text_of)


@dataclass
class RawField:
    path: str
    name: str
    node: Mapping[str, Any]
    """The field's schema node, as loaded."""
    required: bool


@dataclass
class RawCrd:
    key: str
    kind: str
    files: list[str] = field(default_factory=list)
    versions: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    """version name → its openAPIV3Schema (legacy: the shared ``spec.validation`` one)."""
    spec: Mapping[str, Any] = field(default_factory=dict)


def _raw_yaml_files(path: Path) -> Iterator[tuple[str, str]]:
    """``(path relative to the entry, text)`` of every ``.yaml`` file; a ``.tgz`` read in memory."""
    if path.is_file():
        with tarfile.open(path, mode="r:gz") as archive:
            for member in archive.getmembers():
                if member.isfile() and member.name.endswith(".yaml"):
                    data = archive.extractfile(member)
                    assert data is not None
                    yield member.name, data.read().decode("utf-8")
        return
    for file in sorted(path.glob("**/*.yaml")):
        yield file.relative_to(path).as_posix(), file.read_text(encoding="utf-8")


def _strip_template_lines(text: str) -> str:
    """Drop lines that are only a template action (``{{- if … }}``, ``{{- end }}``)."""
    return "\n".join(line for line in text.split("\n") if not line.strip().startswith("{{"))


@cache
def raw_crds(name: str) -> dict[str, RawCrd]:
    """Every CRD of a corpus entry, read straight from its YAML, by ``group/plural``."""
    found: dict[str, RawCrd] = {}
    for label, text in _raw_yaml_files(corpus_entry(name)):
        if "CustomResourceDefinition" not in text:  # nothing else can hold one
            continue
        if "templates" in PurePosixPath(label).parts:
            text = _strip_template_lines(text)
        for doc in yaml.load_all(text, Loader=_RawLoader):
            if not isinstance(doc, dict) or doc.get("kind") != "CustomResourceDefinition":
                continue
            spec = doc["spec"]
            key = f"{spec['group']}/{spec['names']['plural']}"
            crd = found.setdefault(key, RawCrd(key=key, kind=spec["names"]["kind"], spec=spec))
            crd.files.append(label)
            shared = (spec.get("validation") or {}).get("openAPIV3Schema")
            entries = spec.get("versions") or [{"name": spec["version"]}]
            for entry in entries:
                schema = (entry.get("schema") or {}).get("openAPIV3Schema", shared)
                crd.versions[entry["name"]] = schema
    return found


def raw_fields(schema: Mapping[str, Any] | None) -> list[RawField]:
    """The fields below a schema root, depth-first in schema order (MANIFEST conventions)."""
    out: list[RawField] = []

    def visit(node: Mapping[str, Any], prefix: str) -> None:
        required = node.get("required") or []
        for name, child in (node.get("properties") or {}).items():
            assert isinstance(name, str), f"non-string property name {name!r} under {prefix!r}"
            path = f"{prefix}.{name}" if prefix else name
            out.append(RawField(path, name, child, name in required))
            visit(child, path)
        extra = node.get("additionalProperties")
        if isinstance(extra, dict) and extra:
            path = f"{prefix}.*" if prefix else "*"
            out.append(RawField(path, "*", extra, False))
            visit(extra, path)
        items = node.get("items")
        if isinstance(items, dict):  # transparent, also for arrays of arrays
            visit(items, prefix)

    if schema is not None:
        visit(schema, "")
    return out


def raw_counts(name: str) -> tuple[int, int, int, int]:
    """(CRDs, versions, fields, fields without a description) as the raw reader finds them."""
    crds = raw_crds(name)
    fields = [f for crd in crds.values() for s in crd.versions.values() for f in raw_fields(s)]
    undocumented = sum(1 for f in fields if "description" not in f.node)
    return len(crds), sum(len(c.versions) for c in crds.values()), len(fields), undocumented


# -- crdoc, through its command line --------------------------------------------------------------


def inspect(runner: CliRunner, name: str, fmt: str = "json") -> str:
    """``crdoc inspect <entry> --format <fmt>``'s standard output; it must succeed."""
    result = runner.invoke(cli, ["inspect", str(corpus_entry(name)), "--format", fmt])
    assert result.exit_code == 0, f"exit {result.exit_code}: {result.output}\n{result.exception}"
    return result.stdout


@cache
def inspected(name: str) -> dict[str, Any]:
    """The JSON model of a corpus entry (read once per test session)."""
    return json.loads(inspect(CliRunner(), name))


def crds_by_key(data: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {f"{crd['group']}/{crd['plural']}": crd for crd in data["crds"]}


def same(got: Any, raw: Any) -> bool:
    """Equal, and of the same JSON type all the way down (``False`` is not ``0``)."""
    if isinstance(raw, dict):
        return (
            isinstance(got, dict)
            and got.keys() == raw.keys()
            and all(same(got[k], raw[k]) for k in raw)
        )
    if isinstance(raw, list):
        return isinstance(got, list) and len(got) == len(raw) and all(map(same, got, raw))
    return type(got) is type(raw) and got == raw


def fact_problems(
    where: str, got: Mapping[str, Any], raw: Mapping[str, Any], own_keys: frozenset[str]
) -> list[str]:
    """How crdoc's facts ``got`` differ from the raw schema node ``raw``.

    Every non-structural raw keyword must be there with the same value, in schema order; nothing
    else may be, but ``own_keys`` (crdoc's own: ``path``, ``name``, ``required``), ``items``
    (the item schema's facts, checked the same way, recursively) and a non-schema
    ``additionalProperties`` (``true``/``false``/``{}``) given as written.
    """
    problems = []
    expected = [key for key in raw if key not in STRUCTURAL]
    for key in expected:
        if key not in got:
            problems.append(f"{where}: {key!r} missing (raw: {raw[key]!r:.80})")
        elif not same(got[key], raw[key]):
            problems.append(f"{where}: {key!r} is {got[key]!r:.80}, raw {raw[key]!r:.80}")
    if [key for key in got if key in expected] != [key for key in expected if key in got]:
        problems.append(f"{where}: facts not in schema order: {list(got)}")
    for key in got:
        if key in expected or key in own_keys or key == "items":
            continue
        raw_extra = raw.get("additionalProperties", "absent")
        if key == "additionalProperties" and (isinstance(raw_extra, bool) or raw_extra == {}):
            if not same(got[key], raw_extra):
                problems.append(f"{where}: additionalProperties {got[key]!r}, raw {raw_extra!r}")
            continue
        problems.append(f"{where}: {key!r} is not in the raw schema node")
    if "items" in raw:
        if "items" not in got:
            problems.append(f"{where}: the array's 'items' facts are missing")
        elif isinstance(raw["items"], dict):
            if isinstance(got["items"], dict):
                problems += fact_problems(
                    f"{where}[items]", got["items"], raw["items"], frozenset()
                )
            else:
                problems.append(f"{where}: 'items' is {got['items']!r:.80}, not the item facts")
        elif not same(got["items"], raw["items"]):
            problems.append(f"{where}: 'items' is {got['items']!r:.80}, raw {raw['items']!r:.80}")
    elif "items" in got:
        problems.append(f"{where}: 'items' given, but the raw node has none")
    return problems


def show(problems: list[str], limit: int = 25) -> str:
    more = f"\n… and {len(problems) - limit} more" if len(problems) > limit else ""
    return f"{len(problems)} problem(s):\n" + "\n".join(problems[:limit]) + more


# -- 1. counts and names, as MANIFEST.md gives them -----------------------------------------------


def test_manifest_tables_cover_the_corpus() -> None:
    """The hard-coded tables here name the same entries as conftest's CORPUS_COUNTS."""
    assert set(MANIFEST_CRDS) == set(CORPUS_COUNTS) == set(CHART_OF_CRDS)
    for name, crds in MANIFEST_CRDS.items():
        assert len(crds) == CORPUS_COUNTS[name][0], name
        assert sum(len(versions) for _, versions in crds.values()) == CORPUS_COUNTS[name][1], name


def test_inspect_counts_match_manifest(corpus_name: str) -> None:
    """``crdoc inspect --format json`` finds exactly the MANIFEST's CRDs, versions, fields and
    undocumented fields (no description)."""
    data = inspected(corpus_name)
    versions = [version for crd in data["crds"] for version in crd["versions"]]
    fields = [f for version in versions for f in version["fields"]]
    undocumented = [f for f in fields if not str(f.get("description", "")).strip()]
    counts = (len(data["crds"]), len(versions), len(fields), len(undocumented))
    assert counts == CORPUS_COUNTS[corpus_name]


def test_inspect_keys_kinds_and_versions_match_manifest(corpus_name: str) -> None:
    """The exact ``group/plural`` keys, with each CRD's kind and version names (in order)."""
    data = inspected(corpus_name)
    got = {
        key: (crd["kind"], tuple(v["name"] for v in crd["versions"]))
        for key, crd in crds_by_key(data).items()
    }
    assert got == MANIFEST_CRDS[corpus_name]
    order = [(crd["group"], crd["plural"]) for crd in data["crds"]]
    assert order == sorted(order), "CRDs are not sorted by group, then plural"


def test_raw_reader_agrees_with_manifest(corpus_name: str) -> None:
    """The independent reader of this file is no straw man: on its own it finds the MANIFEST's
    (non-zero) counts, keys, kinds and versions, so comparing crdoc with it means something."""
    counts = raw_counts(corpus_name)
    assert all(counts), counts
    assert counts == CORPUS_COUNTS[corpus_name]
    got = {key: (crd.kind, tuple(crd.versions)) for key, crd in raw_crds(corpus_name).items()}
    assert got == MANIFEST_CRDS[corpus_name]


#: Keywords the field-by-field comparison below really meets somewhere in the corpus.
EXERCISED_KEYWORDS = {
    "description", "type", "enum", "default", "format", "pattern", "minimum", "maximum",
    "minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties",
    "anyOf", "oneOf", "example", "x-kubernetes-validations", "x-kubernetes-int-or-string",
    "x-kubernetes-list-type", "x-kubernetes-list-map-keys", "x-kubernetes-map-type",
    "x-kubernetes-preserve-unknown-fields",
}  # fmt: skip


def test_raw_reader_meets_the_keywords_it_compares() -> None:
    """The comparison is not vacuous: the raw fields of the corpus use each keyword above,
    on fields and on array item schemas alike."""
    on_fields: set[str] = set()
    on_items: set[str] = set()
    for name in sorted(CORPUS_COUNTS):
        for crd in raw_crds(name).values():
            for schema in crd.versions.values():
                for raw_field in raw_fields(schema):
                    on_fields.update(raw_field.node)
                    if isinstance(raw_field.node.get("items"), dict):
                        on_items.update(raw_field.node["items"])
    assert on_fields >= EXERCISED_KEYWORDS, EXERCISED_KEYWORDS - on_fields
    assert {"enum", "pattern", "x-kubernetes-validations"} <= on_items


# -- 2. every field against the raw YAML ----------------------------------------------------------


def test_fields_match_raw_yaml(corpus_name: str) -> None:
    """For every CRD and version: the same field paths in the same order as the raw schema walk
    (depth-first, schema order, parents first); each field's name and ``required`` (membership in
    the enclosing ``required`` list); every non-structural keyword of the raw node (description,
    type, enum, default, format, pattern, every bound, nullable, ``x-kubernetes-*``, allOf/anyOf/
    oneOf/not, example …) present with the same value and JSON type, absent ones absent, nothing
    else but path/name/required/items; an array's ``items`` holds its item schema's facts.
    The version's ``schema`` holds the root node's facts the same way."""
    raw = raw_crds(corpus_name)
    got = crds_by_key(inspected(corpus_name))
    assert got.keys() == raw.keys()
    problems: list[str] = []
    checked = 0
    for key, raw_crd in raw.items():
        versions = {v["name"]: v for v in got[key]["versions"]}
        assert versions.keys() == raw_crd.versions.keys(), key
        for version_name, schema in raw_crd.versions.items():
            version = versions[version_name]
            where = f"{key} {version_name}"
            expected = raw_fields(schema)
            paths = [f["path"] for f in version["fields"]]
            assert paths == [f.path for f in expected], f"{where}: field paths or order differ"
            problems += fact_problems(
                f"{where} (root)", version.get("schema", {}), schema, frozenset()
            )
            for field_data, raw_field in zip(version["fields"], expected, strict=True):
                at = f"{where} {raw_field.path}"
                if field_data["name"] != raw_field.name:
                    problems.append(f"{at}: name {field_data['name']!r}")
                if field_data["required"] is not raw_field.required:
                    problems.append(f"{at}: required is {field_data['required']!r}")
                problems += fact_problems(
                    at, field_data, raw_field.node, frozenset({"path", "name", "required"})
                )
                checked += 1
    assert checked == CORPUS_COUNTS[corpus_name][2]
    assert not problems, show(problems)


def test_crd_and_version_metadata_match_raw_yaml(corpus_name: str) -> None:
    """Names, scope and, per version, served/storage/deprecated, printer columns (legacy
    ``JSONPath`` spelt ``jsonPath``; v1beta1 ones shared from ``spec``), subresources and
    selectable fields are the raw manifest's. Empty lists and mappings may be left out."""
    got = crds_by_key(inspected(corpus_name))
    for key, raw_crd in raw_crds(corpus_name).items():
        spec, names, crd = raw_crd.spec, raw_crd.spec["names"], got[key]
        assert crd["kind"] == names["kind"], key
        assert crd.get("singular") == names.get("singular"), key
        assert crd.get("listKind") == names.get("listKind"), key
        assert crd.get("shortNames", []) == names.get("shortNames", []), key
        assert crd.get("categories", []) == names.get("categories", []), key
        assert crd["scope"] == spec["scope"], key
        entries = spec.get("versions") or [
            {"name": spec["version"], "served": True, "storage": True}
        ]
        for entry, version in zip(entries, crd["versions"], strict=True):
            where = f"{key} {entry['name']}"
            assert version["name"] == entry["name"], where
            assert version["served"] is entry["served"], where
            assert version["storage"] is entry["storage"], where
            assert version["deprecated"] is entry.get("deprecated", False), where
            assert version.get("deprecationWarning") == entry.get("deprecationWarning"), where
            columns = entry.get("additionalPrinterColumns", spec.get("additionalPrinterColumns"))
            renamed = [
                {("jsonPath" if k == "JSONPath" else k): v for k, v in column.items()}
                for column in columns or []
            ]
            assert version.get("additionalPrinterColumns", []) == renamed, where
            subresources = entry.get("subresources", spec.get("subresources"))
            assert version.get("subresources", {}) == (subresources or {}), where
            assert version.get("selectableFields", []) == entry.get("selectableFields", []), where


# -- 3. where each CRD came from ------------------------------------------------------------------


def test_sources_and_chart_of_each_crd(corpus_name: str) -> None:
    """Each CRD's ``sources`` are exactly the files (relative to the entry, archive members by
    their path inside it) the raw reader found it in; its ``chart`` is the (sub)chart holding it."""
    data = inspected(corpus_name)
    raw = raw_crds(corpus_name)
    assert data["source"] == str(corpus_entry(corpus_name))
    for key, crd in crds_by_key(data).items():
        assert sorted(crd["sources"]) == sorted(raw[key].files), key
        assert crd.get("chart", {}).get("name") == CHART_OF_CRDS[corpus_name], key


@pytest.mark.parametrize(
    ("name", "pattern", "top_chart"),
    [
        pytest.param(
            "kube-prometheus-stack.tgz",
            r"kube-prometheus-stack/charts/crds/crds/crd-[a-z0-9]+\.yaml",
            "kube-prometheus-stack",
            id="archive-subchart",
        ),
        pytest.param(
            "cloudnative-pg", r"templates/crds/crds\.yaml", "cloudnative-pg", id="templated"
        ),
        pytest.param(
            "gateway-api-standard",
            r"gateway\.networking\.k8s\.io_[a-z]+\.yaml",
            None,
            id="plain-folder",
        ),
    ],
)
def test_source_labels(name: str, pattern: str, top_chart: str | None) -> None:
    """Source labels as documented: an archive's CRDs are named by their member path (subchart
    ``charts/crds/crds/``), a templated chart's by ``templates/…``; the catalog's own chart is
    the top-level one (none for a plain folder)."""
    data = inspected(name)
    sources = [source for crd in data["crds"] for source in crd["sources"]]
    assert sources
    for source in sources:
        assert re.fullmatch(pattern, source), source
    assert data.get("chart", {}).get("name") == top_chart


# -- 4. spot checks: values looked up by hand in the raw files ------------------------------------


def field_of(name: str, key: str, version: str, path: str) -> dict[str, Any]:
    crd = crds_by_key(inspected(name))[key]
    fields = next(v["fields"] for v in crd["versions"] if v["name"] == version)
    return next(f for f in fields if f["path"] == path)


def test_bare_equals_in_enum_is_the_string() -> None:
    """kube-prometheus-stack ``crd-alertmanagerconfigs.yaml`` lists ``- =`` (YAML's "value" tag)
    among the match types: it must come out as the string ``"="``."""
    matcher = field_of(
        "kube-prometheus-stack.tgz",
        "monitoring.coreos.com/alertmanagerconfigs",
        "v1alpha1",
        "spec.route.matchers.matchType",
    )
    assert matcher["enum"] == ["!=", "=", "=~", "!~"]
    assert matcher["type"] == "string"


def test_cel_rule_on_array_items_is_under_items() -> None:
    """gateway-api HTTPRoute v1 ``spec.rules[].backendRefs`` puts its CEL rule on the item schema:
    it appears under the array field's ``items``, not as a rule of the array itself."""
    refs = field_of(
        "gateway-api-standard",
        "gateway.networking.k8s.io/httproutes",
        "v1",
        "spec.rules.backendRefs",
    )
    assert refs["type"] == "array"
    assert "x-kubernetes-validations" not in refs
    assert refs["items"]["x-kubernetes-validations"] == [
        {
            "message": "Must have port for Service reference",
            "rule": "(size(self.group) == 0 && self.kind == 'Service') ? has(self.port) : true",
        }
    ]
    assert refs["items"]["type"] == "object"


def test_legacy_printer_columns_are_spelt_jsonPath() -> None:
    """prometheus-operator-legacy (v1beta1) gives printer columns once, under ``spec``, with the
    key ``JSONPath``: the version carries them, spelt ``jsonPath`` as in v1."""
    crd = crds_by_key(inspected("prometheus-operator-legacy"))[
        "monitoring.coreos.com/alertmanagers"
    ]
    (version,) = crd["versions"]
    assert version["additionalPrinterColumns"] == [
        {
            "jsonPath": ".spec.version",
            "description": "The version of Alertmanager",
            "name": "Version",
            "type": "string",
        },
        {
            "jsonPath": ".spec.replicas",
            "description": "The desired replicas number of Alertmanagers",
            "name": "Replicas",
            "type": "integer",
        },
        {"jsonPath": ".metadata.creationTimestamp", "name": "Age", "type": "date"},
    ]


def test_zero_minimum_and_falsy_defaults_are_kept() -> None:
    """cloudnative-pg Cluster: ``maxSyncReplicas`` has ``default: 0`` and ``minimum: 0``, and
    ``enableSuperuserAccess`` has ``default: false``; all kept, with their JSON types."""
    key = "postgresql.cnpg.io/clusters"
    sync = field_of("cloudnative-pg", key, "v1", "spec.maxSyncReplicas")
    assert same(sync["default"], 0) and same(sync["minimum"], 0)
    assert sync["type"] == "integer"
    superuser = field_of("cloudnative-pg", key, "v1", "spec.enableSuperuserAccess")
    assert same(superuser["default"], False)
    assert superuser["type"] == "boolean"


# -- 5. determinism and the text view -------------------------------------------------------------


def test_json_output_is_deterministic(corpus_name: str, runner: CliRunner) -> None:
    """Inspecting the same entry twice gives byte-identical JSON."""
    first = inspect(runner, corpus_name)
    assert first
    assert inspect(runner, corpus_name) == first


def test_json_output_is_the_same_across_processes() -> None:
    """Two separate ``python -m crdoc`` processes with different hash seeds (set and dict
    orders that could leak into the output) write byte-identical JSON for the biggest entry,
    and the same as the in-process command line."""
    path = corpus_entry("kube-prometheus-stack.tgz")
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        command = [sys.executable, "-m", "crdoc", "inspect", str(path), "--format", "json", "-q"]
        done = subprocess.run(command, capture_output=True, env=env, check=True, timeout=120)
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    assert json.loads(outputs[0]) == inspected("kube-prometheus-stack.tgz")


def test_text_output_lists_every_field_in_order(runner: CliRunner) -> None:
    """``--format text`` names every CRD and, version by version, every field path of traefik in
    the JSON's order (each field line starts with its path)."""
    text = inspect(runner, "traefik", fmt="text")
    data = inspected("traefik")
    for crd in data["crds"]:
        assert f"{crd['group']}/{crd['plural']}  {crd['kind']}" in text
    field_lines = [line.split()[0] for line in text.splitlines() if line.startswith("    ")]
    expected = [f["path"] for crd in data["crds"] for v in crd["versions"] for f in v["fields"]]
    assert len(expected) == CORPUS_COUNTS["traefik"][2]
    assert field_lines == expected
