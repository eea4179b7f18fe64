"""Real Helm as a test oracle (issue 21): every CRD Helm installs, crdoc documents the same.

Helm v4's own engine (``helm-python-sdk``, no ``helm`` binary) renders each chart of the
corpus and of ``tests/fixtures/helm`` with the values a case names — the chart's defaults, the
values a fixture declares (its README), each ``--set`` crdoc suggests when it cannot tell
which definition Helm installs. The CRDs Helm installs are those of ``crds/`` (the chart's and
every enabled subchart's) and every ``kind: CustomResourceDefinition`` document the templates
render. For each, crdoc must hold the CRD (group/plural), every version, and every field, with
the same facts: this module walks Helm's ``openAPIV3Schema`` itself (``properties`` → a named
segment, array ``items`` transparent, an ``additionalProperties`` schema → ``*``) rather than
asking crdoc's walker.

crdoc documents every CRD a chart *can* install, in one go; Helm renders one choice. So the
assertion is Helm ⊆ crdoc for CRDs, and equal facts for each CRD Helm installs: where a chart
defines a CRD twice, crdoc must have chosen the definition Helm renders with those values.
"""

from __future__ import annotations

import copy
import itertools
import json
import random
import re
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, ROOT, corpus_entry

from crdoc import CrdocError, LoadOptions, load
from crdoc.loading import DEFAULT_KUBE_VERSION
from crdoc.loading.helm.context import DEFAULT_API_VERSIONS
from crdoc.loading.helm.values import read_values_text
from crdoc.model import Crd, Field

helm = pytest.importorskip("helm_python")
from helm_python import _native  # noqa: E402  (only once the package is known to be here)

HELM_FIXTURES = FIXTURES / "helm"

#: ``helm template``'s release: crdoc gives templates the same ``.Release``.
RELEASE = {"name": "release-name", "namespace": "default"}

#: The schema keywords that make fields (``required`` marks them) rather than facts: every
#: other keyword of a node — type, description, enum, default, format, every validation — is
#: compared, on each field and on an array's items.
WALKED = frozenset({"properties", "items", "additionalProperties", "required"})


# -- the cases ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One chart rendered with one set of values, by Helm and by crdoc alike."""

    id: str
    chart: str
    """``corpus/<name>``, ``fixtures/<name>`` (under ``tests/fixtures/helm``) or ``repo/<path>``."""
    values: tuple[str, ...] = ()
    """``-f`` files, relative to the chart."""
    set: tuple[str, ...] = ()
    set_string: tuple[str, ...] = ()
    kube_version: str = DEFAULT_KUBE_VERSION
    api_versions: tuple[str, ...] = ()
    assemble: bool = False
    """Not a chart to Helm (no ``Chart.yaml``): Helm reads a copy given one."""
    choices: tuple[str, ...] = ()
    """The ``--set`` crdoc suggests, where it cannot tell which definition Helm installs."""
    expected: tuple[str, ...] = ()
    """The differences by design (see :data:`BY_DESIGN`), exactly."""

    def path(self) -> Path:
        where, name = self.chart.split("/", 1)
        if where == "corpus":
            return corpus_entry(name)
        return ROOT / name if where == "repo" else HELM_FIXTURES / name

    def options(self) -> LoadOptions:
        return LoadOptions(
            allow_empty=True,
            values=tuple(self.path() / v for v in self.values),
            set=self.set,
            set_string=self.set_string,
            kube_version=self.kube_version,
            api_versions=self.api_versions,
        )

    def choosing(self, assignment: str) -> Case:
        """The same case with one more ``--set``."""
        return replace(self, id=f"{self.id}+{assignment}", set=(*self.set, assignment), choices=())


NOZZLES = "fixture.example.com/nozzles v1 "

#: The differences between Helm and crdoc that are crdoc's design, each with its reason.
BY_DESIGN = {
    # docs/helm.md, "Inside one definition": every branch is kept (the chart can install what
    # it guards); the branch Helm takes is chosen only when keeping all does not parse.
    "branch kept": "field Helm does not install",
    # docs/helm.md, "Inside one definition": a value printed into a schema inside ``with`` or
    # ``range`` (or unknown to crdoc) is shown as the word TEMPLATED.
    "printed value": "TEMPLATED",
}

#: oracle-chart's nozzles as crdoc shows them whatever the values: ``mode`` (under ``if
#: .Values.strict``) and ``extra`` (under ``with .Values.extra``) kept; what ``with`` prints not
#: evaluated (its dot is not the chart's).
MODE_KEPT = NOZZLES + "mode: field Helm does not install"
EXTRA_KEPT = NOZZLES + "extra: field Helm does not install"
EXTRA_PRINTED = NOZZLES + 'extra: crdoc {"description": "TEMPLATED"}, Helm {"description": "hello"}'

#: kube-prometheus-stack vendors only its ``crds`` subchart: Helm cannot render it (a template
#: reads the node exporter's values) until the other subcharts are turned off.
NOT_VENDORED = (
    "nodeExporter.enabled=false",
    "kubeStateMetrics.enabled=false",
    "grafana.enabled=false",
    "windowsMonitoring.enabled=false",
)

# gateway-api-standard is plain YAML, no chart: Helm cannot load it.
CORPUS_CASES = [
    Case("cloudnative-pg", "corpus/cloudnative-pg"),
    Case("cloudnative-pg-v0.24.0", "corpus/cloudnative-pg-v0.24.0"),
    Case("kube-prometheus-stack", "corpus/kube-prometheus-stack.tgz", set=NOT_VENDORED),
    Case("prometheus-operator-legacy", "corpus/prometheus-operator-legacy"),
    Case("strimzi-kafka-operator", "corpus/strimzi-kafka-operator"),
    Case("traefik", "corpus/traefik"),
]

#: Each fixture with the chart's values and the values its README declares.
FIXTURE_CASES = [
    Case("files-get", "fixtures/files-get-chart"),
    Case("files-split", "fixtures/files-split-chart"),
    Case("files-glob", "fixtures/files-glob-chart"),
    Case(
        "files-tpl",
        "fixtures/files-tpl-chart",
        expected=("fixture.example.com/bolts v1 pitch: field Helm does not install",),
    ),
    Case("files-tpl-metric", "fixtures/files-tpl-chart", set=("metric=true",)),
    Case("helper-files", "fixtures/helper-files-chart"),
    Case("asconfig", "fixtures/asconfig-chart"),
    Case("asconfig-only", "fixtures/asconfig-only-chart"),
    Case("conditions", "fixtures/conditions-chart"),
    Case(
        "conditions-flipped",
        "fixtures/conditions-chart",
        values=("values-flip.yaml",),
        kube_version="1.20.0",
        api_versions=("monitoring.coreos.com/v1",),
    ),
    Case("channels", "fixtures/channels-chart"),
    Case("channels-standard", "fixtures/channels-chart", set=("crds.gates.channel=standard",)),
    Case(
        "channels-select",
        "fixtures/channels-select-chart",
        choices=("gatesExperimental=true", "gatesStandard=true"),
    ),
    Case("kube-version", "fixtures/kube-version-chart"),
    Case("kube-version-1.15", "fixtures/kube-version-chart", kube_version="1.15.3"),
    Case("guards", "fixtures/guards-chart"),
    # sockets.yaml reads .Values.sockets.enabled, a field of nil: Helm fails on the chart's own
    # values (crdoc keeps the CRD, as a condition never hides one defined once).
    Case(
        "subchart-values", "fixtures/subchart-values-chart", set=("toolbox.sockets.enabled=true",)
    ),
    Case(
        "subchart-values-flipped",
        "fixtures/subchart-values-chart",
        set=(
            "toolbox.sockets.enabled=true",
            "toolbox.channel=experimental",
            "global.levelsChannel=standard",
        ),
    ),
    Case(
        "subchart-values-choice",
        "fixtures/subchart-values-chart",
        set=("toolbox.sockets.enabled=true", "toolbox.channel=other"),
        choices=("toolbox.channel=experimental", "toolbox.channel=standard"),
    ),
    # pots in two subcharts, both turned off: Helm installs neither, crdoc cannot tell.
    Case(
        "subcharts-off",
        "fixtures/oracle-subcharts-chart",
        choices=("pans.enabled=true", "woks.enabled=true"),
    ),
    # no-chart/values-only includes a named template it does not define (Helm cannot render
    # it); no-chart/loose is loose files, no chart at all.
    Case("no-chart-unassembled", "fixtures/no-chart/unassembled", assemble=True),
    # Subcharts declared, not vendored: Helm renders the chart without them, and so does crdoc.
    Case("deps", "fixtures/deps/app-chart"),
    # if/else on a field's type: crdoc takes Helm's branch (keeping both does not parse);
    # values printed into the schema: what Helm prints (Go's %v: 1e+06 for a YAML 1000000).
    Case("oracle", "fixtures/oracle-chart", expected=(MODE_KEPT, EXTRA_KEPT)),
    Case(
        "oracle-string",
        "fixtures/oracle-chart",
        set=("sizeType=string",),
        expected=(MODE_KEPT, EXTRA_KEPT),
    ),
    Case("oracle-strict", "fixtures/oracle-chart", set=("strict=true",), expected=(EXTRA_KEPT,)),
    Case(
        "oracle-numbers",
        "fixtures/oracle-chart",
        values=("values-numbers.yaml",),
        expected=(MODE_KEPT, EXTRA_KEPT),
    ),
    Case(
        "oracle-extra",
        "fixtures/oracle-chart",
        set=("extra=hello",),
        expected=(EXTRA_PRINTED, MODE_KEPT),
    ),
]

#: Other charts of the repository, with their own values.
REPO_CASES = [
    Case("sources/chart-basic", "repo/tests/fixtures/sources/chart-basic"),
    Case("sources/subchart-a", "repo/tests/fixtures/sources/subchart-a"),
    Case("sources/subchart-b", "repo/tests/fixtures/sources/subchart-b"),
    Case("sources/umbrella", "repo/tests/fixtures/sources/umbrella"),
    Case("templating/alt-documents", "repo/tests/fixtures/templating/alt-documents-chart"),
    Case("examples/alloydbomni-operator", "repo/examples/alloydbomni-operator"),
]


# -- what Helm installs ---------------------------------------------------------------------------


def merge(into: dict[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """Helm's merging of user values: maps key by key, anything else replaced."""
    for key, value in values.items():
        if isinstance(value, Mapping) and isinstance(into.get(key), dict):
            merge(into[key], value)
        else:
            into[key] = copy.deepcopy(value)
    return into


def helm_values(case: Case) -> dict[str, Any]:
    """The user values Helm is given: ``-f`` files in order, ``--set``, ``--set-string``.

    The library takes values as JSON, where every number is a float: a ``--set`` number would
    reach templates as one (``helm template`` keeps it an integer, and prints ``1000000`` where
    a float prints ``1e+06``), so no case sets one."""
    values: dict[str, Any] = {}
    for name in case.values:
        merge(values, helm.values_from_yaml((case.path() / name).read_text(encoding="utf-8")))
    for assignment in case.set:
        parsed = helm.parse_set_string(assignment)
        assert not _numbers(parsed), f"--set {assignment}: a number Helm would get as a float"
        merge(values, parsed)
    for assignment in case.set_string:
        merge(values, helm.parse_set_string_values(assignment))
    return values


def _numbers(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_numbers(item) for item in value.values())
    if isinstance(value, list):
        return any(_numbers(item) for item in value)
    return isinstance(value, int | float) and not isinstance(value, bool)


def helm_render(chart: Any, values: dict[str, Any], case: Case) -> dict[str, str]:
    """``helm template``: the wrapper's ``Chart.render`` takes no Kubernetes version, but the
    library's render options do (``kube_version``, ``api_versions``, checked strictly)."""
    options = {**RELEASE, "kube_version": case.kube_version}
    if case.api_versions:
        options["api_versions"] = list(case.api_versions)
    rendered = _native.call_string(
        "helm_render", chart._raw(), json.dumps(values), json.dumps(options)
    )
    return json.loads(rendered)


def enabled_subcharts(chart: Any, values: dict[str, Any]) -> set[str]:
    """The names of the (top-level) subcharts Helm renders: ``tags`` then ``condition``, the
    first condition path that holds a boolean deciding (Helm's ProcessDependencyEnabled)."""
    merged = chart.merge_values(values)
    enabled = set()
    for dependency in chart.metadata.get("dependencies") or ():
        on = True
        tags = [merged.get("tags", {}).get(tag) for tag in dependency.get("tags") or ()]
        if True in tags:
            on = True
        elif False in tags:
            on = False
        for path in (dependency.get("condition") or "").split(","):
            node: Any = merged
            for part in path.strip().split("."):
                node = node.get(part) if isinstance(node, dict) else None
            if isinstance(node, bool):
                on = node
                break
        if on:
            enabled.add(dependency["name"])
    return enabled


#: Where Helm splits a rendered file into manifests (releaseutil.SplitManifests).
_MANIFEST_SEPARATOR = re.compile(r"(?:^|\s*\n)---\s*")


def documents(text: str) -> Iterator[dict[str, Any]]:
    """The CRDs in a file as Kubernetes reads them: Helm's own YAML-to-JSON (go-yaml, YAML
    1.1 as Go has it: ``y`` is true, ``1e3`` a number, ``1:30`` a string)."""
    for manifest in _MANIFEST_SEPARATOR.split(text):
        if "CustomResourceDefinition" not in manifest:
            continue
        document = helm.values_from_yaml(manifest)
        if document.get("kind") == "CustomResourceDefinition":
            yield document


def helm_install(case: Case, tmp_path: Path) -> dict[str, list[dict[str, Any]]]:
    """``group/plural`` → the CRD documents Helm installs for a case (one, unless a chart
    renders a CRD twice)."""
    source = case.path()
    if case.assemble:
        source = tmp_path / source.name
        shutil.copytree(case.path(), source)
        (source / "Chart.yaml").write_text(
            f"apiVersion: v2\nname: {source.name}\nversion: 0.0.0\n", encoding="utf-8"
        )
    with helm.Chart.load(str(source)) as chart:
        values = helm_values(case)
        subcharts = enabled_subcharts(chart, values)
        texts = []
        for crd_file in chart.crds:
            # "top/crds/x.yaml" or "top/charts/<subchart>/crds/x.yaml"
            parts = crd_file["filename"].split("/")
            if len(parts) > 3 and parts[1] == "charts" and parts[2] not in subcharts:
                continue
            texts.append(crd_file["data"])
        rendered = helm_render(chart, values, case)
    texts += [text for name, text in sorted(rendered.items()) if not name.endswith("NOTES.txt")]
    installed: dict[str, list[dict[str, Any]]] = {}
    for text in texts:
        for document in documents(text):
            key = f"{document['spec']['group']}/{document['spec']['names']['plural']}"
            same = installed.setdefault(key, [])
            # Labels and annotations are not documented: the same spec is the same CRD.
            if all(other["spec"] != document["spec"] for other in same):
                same.append(document)
    return installed


# -- Helm's documents as fields -------------------------------------------------------------------


def helm_versions(document: dict[str, Any]) -> dict[str, dict[str, Any] | None]:
    """Version name → its ``openAPIV3Schema`` (``apiextensions.k8s.io/v1beta1`` too: one
    ``spec.version``, a schema shared under ``spec.validation``)."""
    spec = document["spec"]
    shared = (spec.get("validation") or {}).get("openAPIV3Schema")
    versions = spec.get("versions") or [{"name": spec["version"]}]
    return {v["name"]: ((v.get("schema") or {}).get("openAPIV3Schema") or shared) for v in versions}


def schema_fields(root: Mapping[str, Any] | None) -> dict[str, tuple[bool, dict[str, Any]]]:
    """Path → (required, facts) of every field below a schema's root."""
    found: dict[str, tuple[bool, dict[str, Any]]] = {}

    def walk(node: Mapping[str, Any], prefix: str) -> None:
        while True:
            required = node.get("required") or []
            for name, child in (node.get("properties") or {}).items():
                name = _json_name(name)
                path = f"{prefix}.{name}" if prefix else name
                found[path] = (name in required, _keyword_facts(child))
                walk(child, path)
            extra = node.get("additionalProperties")
            if isinstance(extra, Mapping) and extra:
                path = f"{prefix}.*" if prefix else "*"
                found[path] = (False, _keyword_facts(extra))
                walk(extra, path)
            items = node.get("items")
            if not isinstance(items, Mapping):
                return
            node = items  # array items: transparent

    if root:
        walk(root, "")
    return found


def _json_name(name: Any) -> str:
    """A property name as Kubernetes reads it (YAML to JSON): ``on:`` is ``"true"``."""
    if isinstance(name, bool):
        return "true" if name else "false"
    return "null" if name is None else str(name)


def _keyword_facts(node: Mapping[str, Any]) -> dict[str, Any]:
    """A node's keywords but those the walk descends through (an array's items' own under
    ``items``): Kubernetes keeps them all, so crdoc must."""
    facts = {key: value for key, value in node.items() if key not in WALKED}
    items = node.get("items")
    if isinstance(items, Mapping):
        facts["items"] = _keyword_facts(items)
    elif items is not None:
        facts["items"] = items
    extra = node.get("additionalProperties")
    if extra is not None and not (isinstance(extra, Mapping) and extra):
        facts["additionalProperties"] = extra  # true, false or {}: no field of its own
    return facts


def crdoc_fields(fields: tuple[Field, ...]) -> dict[str, tuple[bool, dict[str, Any]]]:
    """The same, from crdoc's field tree."""
    found: dict[str, tuple[bool, dict[str, Any]]] = {}

    def walk(items: tuple[Field, ...]) -> None:
        for item in items:
            found[item.path] = (item.required, _keyword_facts(item.facts))
            walk(item.children)

    walk(fields)
    return found


def typed(value: Any) -> str:
    """A value as JSON has it (Kubernetes stores CRDs as JSON): ``1`` and ``1.0`` are one
    number, ``true`` is not ``1``, ``"1"`` is not ``1``; key order does not count."""
    return json.dumps(_json_number(value), sort_keys=True, default=repr)


def _json_number(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _json_number(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_number(item) for item in value]
    return value


def differences(document: dict[str, Any], crd: Crd | None) -> list[str]:
    """How crdoc's CRD differs from the one Helm installs (empty when it holds it all)."""
    spec = document["spec"]
    key = f"{spec['group']}/{spec['names']['plural']}"
    if crd is None:
        return [f"{key}: not documented"]
    problems = []
    for name, expected in (("kind", spec["names"]["kind"]), ("scope", spec.get("scope"))):
        if getattr(crd, name) != expected:
            problems.append(f"{key}: {name} {getattr(crd, name)!r}, Helm {expected!r}")
    documented = {version.name: version for version in crd.versions}
    for name, schema in helm_versions(document).items():
        version = documented.get(name)
        if version is None:
            problems.append(f"{key} {name}: version not documented")
            continue
        helm_fields, ours = schema_fields(schema), crdoc_fields(version.fields)
        for path, expected in helm_fields.items():  # in Helm's order, then crdoc's
            if path not in ours:
                problems.append(f"{key} {name} {path}: field not documented")
            elif typed(ours[path]) != typed(expected):
                shown = f"crdoc {_show(ours[path])}, Helm {_show(expected)}"
                problems.append(f"{key} {name} {path}: {shown}")
        for path in ours:
            if path not in helm_fields:
                problems.append(f"{key} {name} {path}: field Helm does not install")
    return problems


def _show(field: tuple[bool, dict[str, Any]]) -> str:
    required, facts = field
    return typed(facts) + (" (required)" if required else "")


def field_count(document: dict[str, Any]) -> int:
    return sum(len(schema_fields(schema)) for schema in helm_versions(document).values())


# -- the oracle -----------------------------------------------------------------------------------

#: A ``--set`` crdoc suggests in its "cannot tell which one Helm installs" error.
_SUGGESTED = re.compile(r"--set (\S+?)(?= or |$)")


def check(case: Case, tmp_path: Path) -> dict[str, int]:
    """Helm ⊆ crdoc for one case, but the differences it expects by design; returns what was
    compared (the CRDs Helm installs, those crdoc documents, the fields of Helm's)."""
    installed = helm_install(case, tmp_path)
    catalog = load(case.path(), case.options())
    problems = []
    for key, definitions in installed.items():
        if len(definitions) > 1:
            problems.append(f"{key}: Helm renders {len(definitions)} different definitions")
        problems += differences(definitions[0], catalog.find(key))
    assert problems == list(case.expected)
    return {
        "helm": len(installed),
        "crdoc": len(catalog.crds),
        "fields": sum(field_count(d[0]) for d in installed.values()),
    }


def check_with_choices(case: Case, tmp_path: Path) -> None:
    """:func:`check`, or — where crdoc cannot tell which definition Helm installs — Helm
    renders none of them either, and each ``--set`` crdoc suggests makes Helm install the
    definition crdoc then documents."""
    try:
        check(case, tmp_path)
    except CrdocError as error:
        reason = str(error.reason)
        if "cannot tell which one Helm installs" not in reason:
            raise
        key = reason.split()[1]
        choices = tuple(_SUGGESTED.findall(reason.rpartition("; choose with ")[2]))
    else:
        assert not case.choices, "crdoc chose where a choice was expected"
        return
    assert choices == case.choices
    assert key not in helm_install(case, tmp_path), "Helm chose where crdoc could not"
    for assignment in choices:
        chosen = case.choosing(assignment)
        assert key in helm_install(chosen, tmp_path), f"--set {assignment} installs no {key}"
        check(chosen, tmp_path)


@pytest.mark.parametrize("case", CORPUS_CASES, ids=lambda c: c.id)
def test_corpus_chart_holds_what_helm_installs(case: Case, tmp_path: Path) -> None:
    check_with_choices(case, tmp_path)


@pytest.mark.parametrize("case", FIXTURE_CASES + REPO_CASES, ids=lambda c: c.id)
def test_fixture_chart_holds_what_helm_installs(case: Case, tmp_path: Path) -> None:
    check_with_choices(case, tmp_path)


FILES = Case("oracle-files", "fixtures/oracle-files-chart")


def test_files_helm_never_installs_are_not_documented(tmp_path: Path) -> None:
    """Helm installs ``crds/`` files by their extension (``.yaml``, ``.yml``, ``.json``, in
    folders too) and every rendered template but partials (``_*``) and ``NOTES.txt``."""
    installed = {key.split("/")[1] for key in helm_install(FILES, tmp_path)}
    assert installed == {"funnels", "ladles", "whisks"}
    documented = {crd.plural for crd in load(FILES.path(), FILES.options()).crds}
    assert not documented & {"sieves", "graters", "tongs"}


def test_every_template_helm_renders_is_read(tmp_path: Path) -> None:
    """``templates/whisks.txt`` is rendered and installed whatever its extension."""
    check(FILES, tmp_path)


def test_expected_differences_are_by_design() -> None:
    """Every difference a case expects is one of the kinds :data:`BY_DESIGN` explains."""
    for case in FIXTURE_CASES + REPO_CASES:
        for difference in case.expected:
            assert any(mark in difference for mark in BY_DESIGN.values()), difference


def test_the_comparison_finds_a_missing_field_and_a_changed_fact() -> None:
    """The oracle can fail: a field crdoc lacks, a fact that differs, a version and a CRD it
    does not document are each reported; ``true`` and ``"1"`` are not the number ``1`` (which
    JSON writes ``1`` or ``1.0`` alike)."""
    case = Case("channels", "fixtures/channels-chart")
    (document,) = helm_install(case, Path("/nonexistent"))["fixture.example.com/gates"]
    crd = load(case.path(), case.options()).find("fixture.example.com/gates")
    assert differences(document, crd) == []

    mutated = copy.deepcopy(document)
    schema = mutated["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    schema["properties"]["colour"] = {"type": "string"}
    schema["properties"]["width"]["minimum"] = 1
    assert differences(mutated, crd) == [
        'fixture.example.com/gates v1 width: crdoc {"type": "integer"}, Helm {"minimum": 1, '
        '"type": "integer"}',
        "fixture.example.com/gates v1 colour: field not documented",
    ]
    mutated["spec"]["versions"].append({"name": "v2"})
    assert "fixture.example.com/gates v2: version not documented" in differences(mutated, crd)
    assert differences(mutated, None) == ["fixture.example.com/gates: not documented"]
    assert typed(1) == typed(1.0) and len({typed(1), typed(True), typed("1")}) == 3


def test_capabilities_are_helms(tmp_path: Path) -> None:
    """``.Capabilities`` without a cluster, as crdoc gives it to templates: the API versions
    are those of a Helm built with Kubernetes 1.34's client libraries (crdoc's default
    ``--kube-version`` too). A newer Helm knows other alpha and beta versions only (4.2.3:
    Kubernetes 1.36's); every stable version is the same, and neither knows kinds."""
    chart = tmp_path / "capabilities"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: capabilities\nversion: 0.1.0\n")
    (chart / "templates" / "list.yaml").write_text(
        "{{ range .Capabilities.APIVersions }}{{ . }}\n{{ end }}{{ .Capabilities.APIVersions.Has"
        ' "apps/v1/Deployment" }}\n'
    )
    with helm.Chart.load(str(chart)) as loaded:
        (text,) = helm_render(loaded, {}, Case("capabilities", "")).values()
    *listed, kinds = text.split()
    helms = set(listed)
    assert kinds == "false"
    assert "apiextensions.k8s.io/v1beta1" in helms and "apps/v1" in helms
    differ = helms ^ DEFAULT_API_VERSIONS
    assert all(re.search(r"/v\d+(alpha|beta)\d+$", version) for version in differ), differ


#: Plain scalars PyYAML (YAML 1.1) and go-yaml read differently; crdoc reads them as Helm
#: reads values and Kubernetes a CRD (go-yaml), and the others as both do.
GO_YAML = ("y", "N", "0o17", "0X1F", "08", "1e3", "1.5e3", "+.5", "1:30", ".5_5", "1e999")
BOTH = ("yes", "off", "true", "0x1F", "017", "1_000", "1.0e+3", ".5", "2001-12-14", "=", "0x_")


@pytest.mark.parametrize("scalar", GO_YAML + BOTH)
def test_scalars_read_as_helm_and_kubernetes_read_them(scalar: str) -> None:
    """A plain scalar in values.yaml or in a CRD, as a value and as a key."""
    text = f"v: {scalar}\nk: {{{scalar}: x}}\n"
    assert typed(read_values_text(text, "values.yaml")) == typed(helm.values_from_yaml(text))


def test_generated_scalars_read_as_helm_reads_them() -> None:
    """Every plain scalar of up to three characters (and random longer ones) of digits, signs,
    dots, underscores, colons and the letters of booleans, exponents and base prefixes."""
    alphabet = "0123456789+-._:eExXoObBnNyYfFtT"
    words = {"".join(chars) for n in (1, 2, 3) for chars in itertools.product(alphabet, repeat=n)}
    pieces = ["0", "1", "9", "_", ":", ".", "-", "+", "e", "E", "x", "b", "o", "5", "59", "60"]
    pieces += ["inf", "Inf", "nan", "0x", "0o", "0b", "1e3", "999999999999999999999"]
    rng = random.Random(21)
    words |= {"".join(rng.choices(pieces, k=rng.randint(1, 6))) for _ in range(20_000)}
    # Not plain scalars in a block mapping (indicators), and what JSON cannot hold (Helm fails).
    words = {
        w
        for w in words
        if not (w[0] in "-:" and len(w) == 1)
        and not w.endswith(":")
        and w.lower().lstrip("+-") not in (".inf", ".nan")
    }
    listed = sorted(words)
    assert len(listed) > 40_000
    text = "".join(f"k{n}: {word}\n" for n, word in enumerate(listed))
    ours, helms = read_values_text(text, "values.yaml"), helm.values_from_yaml(text)
    different = [w for n, w in enumerate(listed) if typed(ours[f"k{n}"]) != typed(helms[f"k{n}"])]
    assert different == []
