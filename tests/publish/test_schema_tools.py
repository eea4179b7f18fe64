"""crdoc's JSON Schemas judged by the tools people run: check-jsonschema (the validator
pre-commit users run) on real upstream examples and on crdoc's own example manifests,
kubeconform's schema lookup, and yaml-language-server's modeline."""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import subprocess
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml
from check_jsonschema.cli.main_command import main as check_jsonschema_main
from click.testing import CliRunner
from conftest import EXAMPLE_CHART, FIXTURES, ROOT, corpus_entry, examples_entry

from crdoc import load
from crdoc.model import Catalog
from crdoc.pipeline import Reference
from crdoc.publish import jsonschema
from crdoc.publish.jsonschema import write_schemas
from crdoc.render.present import example_manifest

#: The guide page whose kubeconform command and modeline these tests run.
SCHEMAS_PAGE = ROOT / "docs" / "schemas.md"
DEFAULTED = FIXTURES / "schemas" / "defaulted-branches"

# --------------------------------------------------------------------------------------------
# The tools


def check_jsonschema(schema: Path, documents: Sequence[Path]) -> dict[Path, list[str]]:
    """Each document's errors as check-jsonschema reports them: its own command line with its
    defaults (format checks on, ECMA-262 regular expressions through ``regress``), run in this
    process."""
    result = CliRunner().invoke(
        check_jsonschema_main,
        ["--output-format", "json", "--schemafile", str(schema), *map(str, documents)],
    )
    report = json.loads(result.stdout)
    assert report.get("parse_errors", []) == [], report["parse_errors"]
    errors: dict[Path, list[str]] = {document: [] for document in documents}
    for error in report["errors"]:
        errors[Path(error["filename"])].append(f"{error['path']}: {error['message']}")
    assert (result.exit_code == 0) is (not any(errors.values())), result.stdout
    return errors


def kubeconform_path(template: str, api_version: str, kind: str) -> str:
    """The path kubeconform makes of a ``-schema-location`` template for a resource (its
    ``schemaPath`` in pkg/registry/registry.go): ``ResourceKind`` is the kind in lower case,
    ``ResourceAPIVersion`` what follows the last ``/`` of the apiVersion, ``Group`` what precedes
    the first (the whole apiVersion for the core group). No kubeconform binary comes from a
    registry this project reaches (PyPI, npm, Debian), so the rule is emulated."""
    parts = api_version.split("/")
    prefix = parts[0].split(".")[0].lower()
    values = {
        "ResourceKind": kind.lower(),
        "ResourceAPIVersion": parts[-1],
        "Group": parts[0],
        "NormalizedKubernetesVersion": "master",
        "StrictSuffix": "",
        "KindSuffix": "-" + prefix + ("-" + parts[1].lower() if len(parts) > 1 else ""),
    }

    def fill(match: re.Match[str]) -> str:
        return values[match.group(1)]

    return re.sub(r"\{\{-?\s*\.(\w+)\s*-?\}\}", fill, template)


def guide_schema_location() -> str:
    """The crdoc ``-schema-location`` template of docs/schemas.md's kubeconform command, relative to
    the schema folder."""
    locations = re.findall(r"-schema-location '([^']+)'", SCHEMAS_PAGE.read_text())
    (template,) = [t for t in locations if "{{" in t]
    assert template.startswith("schemas/"), template
    return template.removeprefix("schemas/")


def documents(path: Path, out: Path, root: Path) -> Iterator[tuple[str, Path, dict[str, Any]]]:
    """Each YAML document of ``path`` in a file of its own under ``out`` (check-jsonschema reads
    one document per file), as written: ``(label, file, data)``, the label ``path#n``."""
    text = path.read_text()
    start = 0
    number = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.DocumentStartEvent):
            start = event.start_mark.index
        elif isinstance(event, yaml.DocumentEndEvent):
            number += 1
            source = text[start : event.end_mark.index]
            data = yaml.safe_load(source)
            if not isinstance(data, dict):
                continue
            label = f"{path.relative_to(root).as_posix()}#{number}"
            file = out / (label.replace("/", "__").replace("#", "--") + ".yaml")
            file.write_text(source)
            yield label, file, data


def written_schemas(catalog: Catalog, out: Path) -> Path:
    """``crdoc schema``'s output for ``catalog``, in ``out``."""
    write_schemas(Reference.of(catalog), out)
    return out


def judge(
    docs: Sequence[tuple[str, Path, dict[str, Any]]], locations: Sequence[Path]
) -> tuple[dict[str, list[str]], list[str]]:
    """check-jsonschema's verdict on each document, its schema found as kubeconform finds it
    (docs/schemas.md's template, each location in turn): ``({label: errors}, labels without a
    schema)``."""
    template = guide_schema_location()
    by_schema: dict[Path, list[tuple[str, Path]]] = defaultdict(list)
    unknown = []
    for label, file, data in docs:
        for location in locations:
            schema = location / kubeconform_path(template, data["apiVersion"], data["kind"])
            if schema.is_file():
                by_schema[schema].append((label, file))
                break
        else:
            unknown.append(label)
    verdicts = {}
    for schema, group in sorted(by_schema.items()):
        errors = check_jsonschema(schema, [file for _, file in group])
        verdicts.update({label: errors[file] for label, file in group})
    return verdicts, unknown


# --------------------------------------------------------------------------------------------
# kubeconform's lookup


def test_kubeconform_path_rule() -> None:
    template = "{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json"
    assert kubeconform_path(template, "kafka.strimzi.io/v1", "KafkaNodePool") == (
        "kafka.strimzi.io/kafkanodepool_v1.json"
    )
    assert kubeconform_path(template, "v1", "ConfigMap") == "v1/configmap_v1.json"
    default = "{{ .ResourceKind }}{{ .KindSuffix }}.json"
    assert kubeconform_path(default, "apps/v1", "Deployment") == "deployment-apps-v1.json"


def test_layout_is_what_kubeconform_looks_up(tmp_path: Path, corpus_name: str) -> None:
    """For every CRD version, docs/schemas.md's ``-schema-location`` template (and the flat
    openapi2jsonschema one, where crdoc writes it) names a schema crdoc wrote, for that
    apiVersion and kind."""
    catalog = load(corpus_entry(corpus_name))
    out = written_schemas(catalog, tmp_path / "schemas")
    template = guide_schema_location()
    kinds_in_groups: dict[str, set[str]] = defaultdict(set)
    for crd in catalog.crds:
        kinds_in_groups[crd.kind.lower()].add(crd.group)
    for crd in catalog.crds:
        for version in crd.versions:
            api_version = f"{crd.group}/{version.name}"
            schema = json.loads(
                (out / kubeconform_path(template, api_version, crd.kind)).read_text()
            )
            assert schema["properties"]["kind"]["const"] == crd.kind
            assert schema["properties"]["apiVersion"]["const"] == api_version
            flat = out / kubeconform_path(
                "{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json", api_version, crd.kind
            )
            assert flat.is_file() is (len(kinds_in_groups[crd.kind.lower()]) == 1)


# --------------------------------------------------------------------------------------------
# check-jsonschema on real examples

#: What check-jsonschema says of the Strimzi examples the KafkaConnect v1 CRD refuses: the two
#: metrics examples leave out groupId and the three storage topics, all required in v1.
CONNECT_WITHOUT_GROUP = [
    "$.spec: 'groupId' is a required property",
    "$.spec: 'configStorageTopic' is a required property",
    "$.spec: 'statusStorageTopic' is a required property",
    "$.spec: 'offsetStorageTopic' is a required property",
]
STRIMZI_REFUSED = {
    "metrics/kafka-connect-metrics.yaml#1": CONNECT_WITHOUT_GROUP,
    "metrics/strimzi-metrics-reporter/kafka-connect-metrics.yaml#1": CONNECT_WITHOUT_GROUP,
}
#: Documents of the Strimzi examples checked, by API group (the corpus has the CRDs of both).
STRIMZI_CHECKED = {"kafka.strimzi.io": 95, "monitoring.coreos.com": 16}
#: Documents of custom resources whose CRDs the corpus does not have (the Access Operator's).
STRIMZI_UNCHECKED = {"access.strimzi.io": 2}


def test_strimzi_examples(tmp_path: Path) -> None:
    """Every Strimzi example the corpus's CRDs accept passes check-jsonschema; the two the
    KafkaConnect v1 CRD refuses fail, for exactly the missing required fields."""
    examples = examples_entry("strimzi")
    strimzi = written_schemas(load(corpus_entry("strimzi-kafka-operator")), tmp_path / "strimzi")
    prometheus = written_schemas(
        load(corpus_entry("kube-prometheus-stack.tgz")), tmp_path / "prometheus"
    )
    (tmp_path / "docs").mkdir()
    docs = [
        doc
        for path in sorted(examples.rglob("*.yaml"))
        for doc in documents(path, tmp_path / "docs", examples)
        if "apiVersion" in doc[2] and "kind" in doc[2]
    ]
    verdicts, unknown = judge(docs, [strimzi, prometheus])
    refused = {label: sorted(errors) for label, errors in verdicts.items() if errors}
    assert refused == {label: sorted(errors) for label, errors in STRIMZI_REFUSED.items()}
    group_of = {label: data["apiVersion"].rpartition("/")[0] for label, _, data in docs}
    checked: dict[str, int] = defaultdict(int)
    for label in verdicts:
        checked[group_of[label]] += 1
    assert dict(checked) == STRIMZI_CHECKED
    custom: dict[str, int] = defaultdict(int)
    for label in unknown:
        group = group_of[label]
        if "." in group and not group.endswith(".k8s.io"):  # not Kubernetes' own kinds
            custom[group] += 1
    assert dict(custom) == STRIMZI_UNCHECKED


def _check_examples(catalog: Catalog, tmp_path: Path) -> None:
    out = written_schemas(catalog, tmp_path / "schemas")
    (tmp_path / "docs").mkdir()
    paths = []
    for crd in catalog.crds:
        for version in crd.versions:
            path = tmp_path / "docs" / f"{crd.group}_{crd.plural}_{version.name}.yaml"
            path.write_text(example_manifest(crd, version))
            paths.append(path)
    docs = [doc for path in paths for doc in documents(path, tmp_path / "docs", tmp_path)]
    verdicts, unknown = judge(docs, [out])
    assert unknown == []
    assert {label: errors for label, errors in verdicts.items() if errors} == {}
    assert len(verdicts) == sum(len(crd.versions) for crd in catalog.crds)


def test_generated_examples_pass(tmp_path: Path, corpus_name: str) -> None:
    """crdoc's own example manifest of every corpus CRD version passes check-jsonschema."""
    _check_examples(load(corpus_entry(corpus_name)), tmp_path)


def test_generated_examples_of_example_chart(tmp_path: Path) -> None:
    _check_examples(load(EXAMPLE_CHART), tmp_path)


# --------------------------------------------------------------------------------------------
# Defaults before validation


def _defaulted_verdicts(tmp_path: Path) -> dict[str, list[str]]:
    out = written_schemas(load(DEFAULTED / "crds.yaml"), tmp_path / "schemas")
    (tmp_path / "docs").mkdir()
    docs = [
        doc
        for name in ("accepted.yaml", "rejected.yaml")
        for doc in documents(DEFAULTED / name, tmp_path / "docs", DEFAULTED)
    ]
    verdicts, unknown = judge(docs, [out])
    assert unknown == []
    return verdicts


def test_branches_see_defaults(tmp_path: Path) -> None:
    """The API server defaults before it validates: a branch testing a defaulted property sees
    the default. check-jsonschema agrees with it on every document of the fixture."""
    verdicts = _defaulted_verdicts(tmp_path)
    assert {label: bool(errors) for label, errors in verdicts.items()} == {
        "accepted.yaml#1": False,
        "accepted.yaml#2": False,
        "accepted.yaml#3": False,
        "accepted.yaml#4": False,
        "rejected.yaml#1": True,
        "rejected.yaml#2": True,
    }


def test_plain_json_schema_would_disagree(tmp_path: Path, monkeypatch) -> None:
    """Without the rewrite, plain JSON Schema refuses a manifest the cluster accepts (both
    ``oneOf`` branches hold for an address without ``type``) and accepts one it refuses."""
    monkeypatch.setattr(jsonschema, "defaulted_branch", lambda branch, node: branch)
    verdicts = _defaulted_verdicts(tmp_path)
    assert any("is valid under each of" in e for e in verdicts["accepted.yaml#1"])
    assert verdicts["rejected.yaml#2"] == []


# --------------------------------------------------------------------------------------------
# yaml-language-server

MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$", re.MULTILINE)


def _guide_modeline() -> str:
    """The schema path of docs/schemas.md's modeline for crdoc's schemas."""
    (path,) = [p for p in MODELINE.findall(SCHEMAS_PAGE.read_text()) if p.endswith("_v1.json")]
    return path


def test_guide_modeline_form() -> None:
    """The modeline is yaml-language-server's form, on a manifest's first line, and names a
    path in crdoc's layout, relative to the manifest."""
    path = _guide_modeline()
    assert re.fullmatch(r"(\.\./)*schemas/[a-z0-9.-]+/[a-z0-9]+_v[0-9a-z]+\.json", path), path
    text = SCHEMAS_PAGE.read_text()
    block = text[text.index(f"$schema={path}") - 200 :]
    assert "```yaml\n# yaml-language-server: $schema=" + path in block


def _language_server() -> list[str]:
    """The yaml-language-server command (``CRDOC_YAML_LANGUAGE_SERVER``, or on ``PATH``); the
    test is skipped where it or node is absent: an optional check, never a CI dependency."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    server = os.environ.get("CRDOC_YAML_LANGUAGE_SERVER") or shutil.which("yaml-language-server")
    if not server:
        pytest.skip("yaml-language-server is not installed (npm install yaml-language-server)")
    return [server, "--stdio"]


def language_server_diagnostics(
    documents: dict[Path, str], timeout: float = 60
) -> dict[Path, list[str]]:
    """The diagnostics yaml-language-server publishes for each document, over LSP on stdio."""
    settings = {
        "validate": True,
        "hover": False,
        "completion": False,
        "format": {"enable": False},
        "schemaStore": {"enable": False},
    }
    process = subprocess.Popen(
        _language_server(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert process.stdin is not None and process.stdout is not None
    pending = b""
    deadline = time.monotonic() + timeout

    def send(message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        process.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))  # type: ignore[union-attr]
        process.stdin.flush()  # type: ignore[union-attr]

    def receive() -> dict[str, Any]:
        nonlocal pending
        while True:
            head, found, rest = pending.partition(b"\r\n\r\n")
            if found:
                length = int(re.search(rb"Content-Length: *(\d+)", head, re.I).group(1))  # type: ignore[union-attr]
                if len(rest) >= length:
                    pending = rest[length:]
                    return json.loads(rest[:length])
            ready, _, _ = select.select([process.stdout], [], [], deadline - time.monotonic())
            if not ready:
                raise TimeoutError("yaml-language-server sent no diagnostics in time")
            chunk = os.read(process.stdout.fileno(), 65536)  # type: ignore[union-attr]
            if not chunk:
                raise EOFError("yaml-language-server stopped")
            pending += chunk

    found: dict[Path, list[str]] = {}
    try:
        send(
            {
                "id": 1,
                "method": "initialize",
                "params": {
                    "processId": None,
                    "rootUri": None,
                    "capabilities": {"workspace": {"configuration": True}},
                },
            }
        )
        while receive().get("id") != 1:
            pass
        send({"method": "initialized", "params": {}})
        send(
            {
                "method": "workspace/didChangeConfiguration",
                "params": {"settings": {"yaml": settings}},
            }
        )
        for path, text in documents.items():
            document = {"uri": path.as_uri(), "languageId": "yaml", "version": 1, "text": text}
            send({"method": "textDocument/didOpen", "params": {"textDocument": document}})
        while len(found) < len(documents):
            message = receive()
            if message.get("method") == "workspace/configuration":
                items = message["params"]["items"]
                send({"id": message["id"], "result": [settings for _ in items]})
            elif "id" in message and "method" in message:
                send({"id": message["id"], "result": None})
            elif message.get("method") == "textDocument/publishDiagnostics":
                path = Path(message["params"]["uri"].removeprefix("file://"))
                found[path] = [d["message"] for d in message["params"]["diagnostics"]]
    finally:
        process.kill()
        process.wait()
    return found


def test_yaml_language_server_modeline(tmp_path: Path) -> None:
    """yaml-language-server, given docs/schemas.md's modeline, finds no fault in crdoc's example
    manifests and in the manifests the cluster accepts, and reports a misspelt field."""
    _language_server()
    catalog = load(DEFAULTED / "crds.yaml")
    written_schemas(catalog, tmp_path / "schemas")
    (crd,) = catalog.crds
    modeline = "# yaml-language-server: $schema=" + _guide_modeline()
    relative = kubeconform_path(guide_schema_location(), f"{crd.group}/v1", crd.kind)
    modeline = modeline.replace(_guide_modeline().split("schemas/", 1)[1], relative)
    manifests = tmp_path / "manifests"
    manifests.mkdir()
    texts = {
        manifests / "example.yaml": example_manifest(crd, crd.versions[0]),
        manifests / "misspelt.yaml": example_manifest(crd, crd.versions[0]) + "specc: {}\n",
    }
    for name in ("accepted", "rejected"):
        cases = (DEFAULTED / f"{name}.yaml").read_text().split("\n---\n")
        for number, document in enumerate(cases, start=1):
            texts[manifests / f"{name}-{number}.yaml"] = document
    found = language_server_diagnostics({p: f"{modeline}\n{t}" for p, t in texts.items()})
    assert found.pop(manifests / "misspelt.yaml") == ["Property specc is not allowed."]
    faulted = {path.name for path, messages in found.items() if messages}
    assert faulted == {"rejected-1.yaml", "rejected-2.yaml"}, found
