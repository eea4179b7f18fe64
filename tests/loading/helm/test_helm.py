"""Every CRD a chart can install, found the way Helm finds it (issue 14), on our own small
charts in ``tests/fixtures/helm`` (one per pattern and per condition form; see its README):

1. CRDs kept in another folder and printed by a template through ``.Files``;
2. one CRD defined twice under exclusive conditions, chosen as Helm would from the values
   (``values.yaml``, subcharts, ``global``, ``-f``, ``--set``) and ``--kube-version``;
3. Go-templated YAML outside a chart;
4. subcharts declared but not vendored (``--dependencies``).
"""

from __future__ import annotations

import json
import shutil
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import FIXTURES, serving_folder

from crdoc import CrdocError, LoadOptions, load
from crdoc.cli import cli
from crdoc.loading import downloads, sources
from crdoc.loading.helm import dependencies

HELM = FIXTURES / "helm"
TEMPLATING = FIXTURES / "templating"


def crds(source: Path | str, **options: Any) -> dict[str, tuple[list[str], list[str]]]:
    """``plural`` → (sources, field paths of the first version) of every CRD found."""
    catalog = load(source, LoadOptions(**options))
    return {
        crd.plural: (list(crd.sources), [f.path for f in crd.versions[0].fields])
        for crd in catalog.crds
    }


def fields_of(source: Path | str, **options: Any) -> dict[str, list[str]]:
    return {plural: paths for plural, (_, paths) in crds(source, **options).items()}


def cli_json(runner: Any, *args: str) -> dict[str, Any]:
    result = runner.invoke(cli, ["inspect", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def pack(folder: Path, top: str, dest: Path) -> Path:
    """``folder`` as a Helm-style archive (every member under ``top/``)."""
    with tarfile.open(dest, "w:gz") as archive:
        archive.add(folder, arcname=top)
    return dest


# -- 1. CRDs pulled in by templates through .Files ------------------------------------------------


def test_files_get_reads_the_file_a_template_names() -> None:
    """``{{ .Files.Get "files/all-crds.yaml" }}``: both CRDs of the file; the CRDs in
    ``examples/`` and ``ci/``, which no template names, are not installed and not read."""
    assert crds(HELM / "files-get-chart") == {
        "anvils": (["files/all-crds.yaml"], ["size"]),
        "hammers": (["files/all-crds.yaml"], ["size"]),
    }


def test_files_get_never_reads_outside_the_chart(tmp_path: Path) -> None:
    """``.Files`` holds the chart's own files only: ``../x``, absolute paths, ``values.yaml``
    and ``templates/`` are not in it, so a CRD beside the chart is never read (Helm prints
    nothing for a name ``.Files`` does not hold)."""
    chart = tmp_path / "chart"
    shutil.copytree(HELM / "files-get-chart", chart)
    outside = (HELM / "files-get-chart" / "examples" / "sample-crd.yaml").read_text()
    (tmp_path / "outside-crd.yaml").write_text(outside, encoding="utf-8")
    assert set(crds(chart)) == {"anvils", "hammers"}


def test_files_get_in_a_packaged_chart(tmp_path: Path) -> None:
    archive = pack(HELM / "files-get-chart", "files-get", tmp_path / "files-get-0.1.0.tgz")
    assert crds(archive) == {
        "anvils": (["files-get/files/all-crds.yaml"], ["size"]),
        "hammers": (["files-get/files/all-crds.yaml"], ["size"]),
    }


def test_files_split_and_round_trip_is_one_crd_each() -> None:
    """istio's shape: ``splitList "\\n---\\n"``, ``fromYaml``, labels set, ``toYaml`` — or the
    file as it is in the ``else`` branch, or each piece printed as it is (``{{ $crd }}``). All
    give the same CRDs (labels are not documented): each is listed once, from the file."""
    assert crds(HELM / "files-split-chart") == {
        "bellows": (["files/bundle.gen.yaml"], ["size"]),
        "tongs": (["files/bundle.gen.yaml"], ["size"]),
    }


def test_files_glob_range() -> None:
    """``range $path, $_ := .Files.Glob "crd-src/*.yaml"`` then ``$.Files.Get $path``: ``*``
    stops at ``/``, ``**/`` crosses it, ``.helmignore`` hides ``draft-*.yaml`` from
    ``.Files``, a ``.txt`` file is not matched."""
    assert crds(HELM / "files-glob-chart") == {
        "chisels": (["crd-src/b-chisels.yaml"], ["size"]),
        "drills": (["crd-src/nested/drills.yaml"], ["size"]),
        "rasps": (["crd-src/a-files.yaml"], ["size"]),
    }


def test_files_tpl_with_a_computed_path() -> None:
    """volcano's shape: ``tpl (.Files.Get (printf "crd/%s/vises.yaml" (include "tpl.crdDir"
    .))) .``: the helper tests ``.Capabilities.APIVersions.Has "apiextensions.k8s.io/v1"``
    (true without a cluster), so the file is ``crd/v1/vises.yaml``, itself a template. And
    ``tpl (.Files.Get "conf/crds/bolts.yaml") $ctx`` with a context of its own: the file's
    ``if`` is kept whole (its condition reads that context)."""
    catalog = load(HELM / "files-tpl-chart")
    found = {
        c.plural: (c.sources, c.api_version, [f.path for f in c.versions[0].fields])
        for c in catalog.crds
    }
    assert found == {
        "bolts": (("conf/crds/bolts.yaml",), "apiextensions.k8s.io/v1", ["thread", "pitch"]),
        "vises": (("crd/v1/vises.yaml",), "apiextensions.k8s.io/v1", ["size"]),
    }


def test_files_through_a_variable_in_a_named_template() -> None:
    """``{{- $files := .Files }}{{ $files.Get "files/clamps.yaml" }}`` in a ``define``,
    called with ``include`` under ``and``: the same CRD as ``crds/clamps.yaml``, listed once
    with both sources."""
    assert crds(HELM / "helper-files-chart") == {
        "clamps": (["crds/clamps.yaml", "files/clamps.yaml"], ["size"])
    }


def test_files_embedded_as_data_are_not_crds() -> None:
    """``(.Files.Glob "crds/*.yaml").AsConfig`` in a ConfigMap is data: the CRD is the one of
    ``crds/``, once."""
    assert crds(HELM / "asconfig-chart") == {"levels": (["crds/levels.yaml"], ["size"])}


def test_crds_only_embedded_as_data_are_named_in_the_error(runner) -> None:
    """A chart whose CRDs reach Helm's output only as strings (``AsConfig``, ``b64enc``) has
    no CRD to document; the error says where they are embedded."""
    chart = HELM / "asconfig-only-chart"
    result = runner.invoke(cli, ["inspect", str(chart)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: no CustomResourceDefinition found in {chart}: read 2 files (2 in templates/) "
        "of chart asconfig-only; files/crds/plumbs.yaml holds CRDs that templates embed only "
        f"as data ({chart}/templates/crds-configmap.yaml:7, "
        f"{chart}/templates/crds-secret.yaml:6, {chart}/templates/crds-secret.yaml:8), which "
        "Helm does not install as CRDs (--allow-empty accepts a source without CRDs)\n"
    )


def test_pulled_file_errors_name_the_file_and_line(tmp_path: Path) -> None:
    """A broken CRD in a pulled-in file is reported at its own line, in that file."""
    chart = tmp_path / "chart"
    shutil.copytree(HELM / "files-get-chart", chart)
    bundle = chart / "files" / "all-crds.yaml"
    bundle.write_text(bundle.read_text().replace("group: fixture.example.com", "group: ''", 1))
    with pytest.raises(CrdocError) as caught:
        load(chart)
    assert caught.value.located() == (
        f"{chart}/files/all-crds.yaml:6: CustomResourceDefinition has no 'spec.group'"
    )


# -- 2. one CRD, two definitions: the conditions choose -------------------------------------------

CONDITIONS = HELM / "conditions-chart"

#: plural → (property chosen with the chart's values, with values-flip.yaml, --kube-version
#: 1.20.0 and --api-versions monitoring.coreos.com/v1)
CONDITION_FORMS = {
    "values": ("chosen", "other"),  # .Values path
    "eqs": ("chosen", "other"),
    "nes": ("other", "chosen"),
    "lts": ("other", "chosen"),
    "gts": ("chosen", "chosen"),  # int 5 > 2 still
    "les": ("chosen", "chosen"),
    "ges": ("other", "chosen"),
    "ands": ("chosen", "other"),
    "ors": ("other", "chosen"),
    "nots": ("chosen", "other"),
    "emptys": ("chosen", "other"),
    "defaults": ("chosen", "other"),
    "haskeys": ("chosen", "chosen"),  # the key is there in both
    "hass": ("other", "chosen"),
    "semvers": ("chosen", "other"),  # .Capabilities.KubeVersion
    "apiversions": ("other", "chosen"),  # .Capabilities.APIVersions.Has
    "includes": ("chosen", "other"),
    "withs": ("other", "chosen"),
    "tostrings": ("chosen", "other"),
    "ternarys": ("chosen", "other"),
    "variables": ("other", "chosen"),  # $channel := .Values.channel
    "elseifs": ("standard", "experimental"),  # if / else if / else: three definitions
}


@pytest.fixture(scope="module")
def condition_results() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    flipped = fields_of(
        CONDITIONS,
        values=(CONDITIONS / "values-flip.yaml",),
        kube_version="1.20.0",
        api_versions=("monitoring.coreos.com/v1",),
    )
    return fields_of(CONDITIONS), flipped


@pytest.mark.parametrize("plural", sorted(CONDITION_FORMS))
def test_condition_form_chooses_the_definition(plural: str, condition_results: Any) -> None:
    """Each condition form, evaluated as Helm would, chooses one of two (three) definitions
    of its CRD, with the chart's values and with others."""
    default, flipped = condition_results
    assert (default[plural], flipped[plural]) == tuple([p] for p in CONDITION_FORMS[plural])


def test_every_condition_form_is_in_the_fixture(condition_results: Any) -> None:
    assert set(condition_results[0]) == set(CONDITION_FORMS)


CHANNELS = HELM / "channels-chart"


def test_channels_default_values_choose_experimental() -> None:
    """gateway-api's shape: the same CRD in two templates, ``eq .Values.crds.gates.channel
    "standard"`` and ``"experimental"``; values.yaml says experimental."""
    assert crds(CHANNELS) == {"gates": (["templates/experimental.yaml"], ["width", "hinge"])}


def test_channels_set_chooses_standard() -> None:
    assert crds(CHANNELS, set=("crds.gates.channel=standard",)) == {
        "gates": (["templates/standard.yaml"], ["width"])
    }


def test_channels_values_file_chooses_standard(tmp_path: Path) -> None:
    values = tmp_path / "mine.yaml"
    values.write_text("crds:\n  gates:\n    channel: standard\n", encoding="utf-8")
    assert fields_of(CHANNELS, values=(values,)) == {"gates": ["width"]}
    # --set wins over -f
    assert fields_of(CHANNELS, values=(values,), set=("crds.gates.channel=experimental",)) == {
        "gates": ["width", "hinge"]
    }


def test_channels_shared_false_condition_still_chooses() -> None:
    """``crds.gates.enabled: false`` around both definitions: Helm installs neither, crdoc
    documents what the chart can install — the channel still chooses, with the condition
    both share taken as true."""
    for channel, expected in (("experimental", ["width", "hinge"]), ("standard", ["width"])):
        sets = ("crds.gates.enabled=false", f"crds.gates.channel={channel}")
        assert fields_of(CHANNELS, set=sets) == {"gates": expected}
    # channel "" is experimental too (an `or` in the experimental template)
    assert fields_of(CHANNELS, set=("crds.gates.enabled=false", "crds.gates.channel=")) == {
        "gates": ["width", "hinge"]
    }


def test_channels_through_the_cli_and_crdoc_yaml(runner, tmp_path: Path, monkeypatch) -> None:
    """``--set`` and ``-f`` on the command line, and ``set:``/``values:`` in crdoc.yaml,
    choose the variant documented; the command line wins over the file."""
    monkeypatch.chdir(tmp_path)

    def properties(data: dict[str, Any]) -> list[str]:
        (crd,) = data["crds"]
        return [f["path"] for f in crd["versions"][0]["fields"]]

    assert properties(cli_json(runner, str(CHANNELS))) == ["width", "hinge"]
    assert properties(cli_json(runner, str(CHANNELS), "--set", "crds.gates.channel=standard"))
    assert properties(cli_json(runner, str(CHANNELS), "--set", "crds.gates.channel=standard")) == [
        "width"
    ]
    (tmp_path / "standard.yaml").write_text("crds: {gates: {channel: standard}}\n")
    assert properties(cli_json(runner, str(CHANNELS), "-f", "standard.yaml")) == ["width"]
    # crdoc.yaml, both spellings of set (a list of KEY=VALUE, or a mapping)
    for settings in (
        {"source": str(CHANNELS), "set": ["crds.gates.channel=standard"]},
        {"source": str(CHANNELS), "set": {"crds.gates.channel": "standard"}},
        {"source": str(CHANNELS), "values": ["standard.yaml"]},
        {"source": str(CHANNELS), "inspect": {"set": ["crds.gates.channel=standard"]}},
    ):
        (tmp_path / "crdoc.yaml").write_text(yaml.safe_dump(settings), encoding="utf-8")
        assert properties(cli_json(runner)) == ["width"], settings
        assert properties(cli_json(runner, "--set", "crds.gates.channel=experimental")) == [
            "width",
            "hinge",
        ]


def test_bad_set_in_crdoc_yaml_is_an_error_at_its_line(runner, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "crdoc.yaml").write_text("source: x\nset: ['a.']\n", encoding="utf-8")
    result = runner.invoke(cli, ["inspect"])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {tmp_path / 'crdoc.yaml'}:2: set has 'a.': key map 'a' has no value\n"
    )
    (tmp_path / "crdoc.yaml").unlink()
    result = runner.invoke(cli, ["inspect", str(CHANNELS), "--set", "a"])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: Invalid value for '--set': a: key 'a' has no value"
    )


SELECT = HELM / "channels-select-chart"


def test_undecidable_alternatives_are_one_line_error(runner) -> None:
    """Nothing chooses (both switches false): one line naming both files and lines, the
    template that pulls each in, both conditions, and the --set that chooses each."""
    result = runner.invoke(cli, ["inspect", str(SELECT)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {SELECT}/bundles/experimental.yaml:1: CRD fixture.example.com/gates has 2 "
        "definitions and crdoc cannot tell which one Helm installs: "
        f"{SELECT}/bundles/experimental.yaml:1 (pulled in by {SELECT}/templates/crds.yaml:5, "
        'when eq (.Values.gatesExperimental | toString) "true") and '
        f"{SELECT}/bundles/standard.yaml:1 (pulled in by {SELECT}/templates/crds.yaml:7, when "
        'not (eq (.Values.gatesExperimental | toString) "true") and '
        'eq (.Values.gatesStandard | toString) "true"); choose with --set '
        "gatesExperimental=true or --set gatesStandard=true\n"
    )


def test_suggested_sets_choose(runner) -> None:
    """The suggested --set (and --set-string: toString makes "true" and true equal) work."""
    assert fields_of(SELECT, set=("gatesExperimental=true",)) == {"gates": ["width", "hinge"]}
    assert fields_of(SELECT, set=("gatesStandard=true",)) == {"gates": ["width"]}
    assert fields_of(SELECT, set_string=("gatesExperimental=true",)) == {
        "gates": ["width", "hinge"]
    }


def test_undecidable_with_skip_invalid_warns_and_keeps_the_first() -> None:
    catalog = load(SELECT, LoadOptions(skip_invalid=True))
    (crd,) = catalog.crds
    assert crd.sources == ("bundles/experimental.yaml",)
    assert len(catalog.warnings) == 1 and "cannot tell which one" in catalog.warnings[0]


def test_undecidable_without_a_set_to_suggest(tmp_path: Path) -> None:
    """Conditions on the cluster (``lookup``) are unknown: no ``--set`` decides them."""
    chart = tmp_path / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 1.0.0\n")
    gates = (CHANNELS / "templates" / "standard.yaml").read_text().splitlines()[1:-1]
    for name, guard in (("a", "if lookup"), ("b", "if not (lookup")):
        close = ")" if "(" in guard else ""
        text = f'{{{{- {guard} "v1" "Namespace" "" "x"{close} }}}}\n' + "\n".join(gates)
        if name == "b":
            text = text.replace("width: {type: integer}", "depth: {type: integer}")
        (chart / "templates" / f"{name}.yaml").write_text(text + "\n{{- end }}\n")
    with pytest.raises(CrdocError) as caught:
        load(chart)
    assert caught.value.reason.endswith("; choose one with --set or --values")
    assert 'when lookup "v1" "Namespace" "" "x")' in caught.value.reason


def test_conditions_in_a_file_tpl_renders_with_another_context(tmp_path: Path) -> None:
    """A CRD defined twice, once in a file ``tpl`` renders with a context of its own (``$ctx``,
    not the chart's): the ``if`` around that definition reads ``$ctx``, so it is unknown, and
    the definition Helm installs whatever the values is the one documented (this crashed)."""
    chart = tmp_path / "chart"
    for folder in ("templates", "conf", "crds"):
        (chart / folder).mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 1.0.0\n")
    (chart / "values.yaml").write_text("experimental: false\n")
    (chart / "templates" / "crds.yaml").write_text(
        '{{- $ctx := dict "Values" .Values }}\n{{ tpl (.Files.Get "conf/crds.yaml") $ctx }}\n'
    )
    bundle = (HELM / "files-get-chart" / "files" / "all-crds.yaml").read_text()
    first = bundle.split("\n---\n")[0].strip()
    (chart / "conf" / "crds.yaml").write_text(
        "{{- if .Values.experimental }}\n"
        + first.replace("size: {type: integer}", "size: {type: string}")
        + "\n{{- end }}\n"
    )
    (chart / "crds" / "plain.yaml").write_text(first + "\n")
    documented = load(chart).crds
    assert len(documented) == 1
    assert documented[0].sources == ("crds/plain.yaml",)
    assert documented[0].versions[0].fields[0].type == "integer"


KUBE = HELM / "kube-version-chart"


@pytest.mark.parametrize(
    ("kube_version", "api_version"),
    [
        (None, "apiextensions.k8s.io/v1"),
        ("1.29.3", "apiextensions.k8s.io/v1"),
        ("v1.29.3-gke.1093000", "apiextensions.k8s.io/v1"),  # a prerelease: ">=1.16-0" still
        ("1.15.3", "apiextensions.k8s.io/v1beta1"),
        ("v1.15.12-gke.2", "apiextensions.k8s.io/v1beta1"),
    ],
)
def test_kube_version_chooses(kube_version: str | None, api_version: str) -> None:
    """cert-manager 1.0's shape: ``semverCompare ">=1.16-0"`` (and ``"<1.16-0"``) on
    ``.Capabilities.KubeVersion.GitVersion`` around a v1 and a v1beta1 copy."""
    options = {"kube_version": kube_version} if kube_version else {}
    (crd,) = load(KUBE, LoadOptions(**options)).crds
    assert crd.api_version == api_version


def test_bad_kube_version_is_an_error() -> None:
    with pytest.raises(CrdocError, match=r"--kube-version 'latest' is not a Kubernetes version"):
        load(KUBE, LoadOptions(kube_version="latest"))


def test_in_document_alternatives_follow_the_kube_version() -> None:
    """``apiVersion`` given by an ``if``/``else`` inside one document: the branch Helm takes
    (the first by default; the ``else`` for an old cluster)."""
    chart = TEMPLATING / "templated-chart"
    cogs = {c.plural: c for c in load(chart, LoadOptions(kube_version="1.15.0")).crds}["cogs"]
    assert cogs.api_version == "apiextensions.k8s.io/v1beta1"
    cogs = {c.plural: c for c in load(chart).crds}["cogs"]
    assert cogs.api_version == "apiextensions.k8s.io/v1"


ORACLE = HELM / "oracle-chart"


def test_values_printed_into_a_schema_are_what_helm_prints(tmp_path: Path) -> None:
    """``default: {{ .Values.defaultReplicas }}`` and ``{{ .Chart.AppVersion }}`` in a
    description: what Helm prints (Go's ``%v``: a YAML number is a float, 1e+06; a ``--set``
    one an integer); inside ``with`` (another dot), or for a value crdoc cannot know
    (``lookup``), the word TEMPLATED."""

    def facts(chart: Path, **options: Any) -> dict[str, dict[str, Any]]:
        (crd,) = load(chart, LoadOptions(**options)).crds
        return {f.path: dict(f.facts) for f in crd.versions[0].fields}

    found = facts(ORACLE)
    assert found["replicas"]["default"] == 3
    assert found["replicas"]["description"] == "Replicas, 3 unless set; release-name-."
    assert found["image"]["description"] == "The image tag, 2.4.1 by default."
    assert found["extra"]["description"] == "TEMPLATED"
    values = tmp_path / "big.yaml"
    values.write_text("defaultReplicas: 1000000\n", encoding="utf-8")
    assert facts(ORACLE, values=(values,))["replicas"]["description"].startswith("Replicas, 1e+06")
    found = facts(ORACLE, set=("defaultReplicas=1000000",))["replicas"]
    assert found["description"].startswith("Replicas, 1000000 unless")

    chart = tmp_path / "chart"
    shutil.copytree(ORACLE, chart)
    template = chart / "templates" / "nozzles.yaml"
    text = template.read_text(encoding="utf-8")
    template.write_text(text.replace(".Chart.AppVersion", '(lookup "v1" "Pod" "" "x")'))
    assert facts(chart)["image"]["description"] == "The image tag, TEMPLATED by default."


def test_single_definitions_are_never_dropped() -> None:
    """26 guards, true, false or Helm errors with the chart's values: each guards the only
    definition of its CRD, so every one is documented."""
    assert len(load(HELM / "guards-chart").crds) == 26


SUBCHARTS = HELM / "subchart-values-chart"


def test_subchart_values_from_parent_alias_block_and_global() -> None:
    """``tools`` (no values.yaml) reads the parent's ``toolbox:`` block (its alias);
    ``extras`` reads ``global.levelsChannel``, the parent's winning over its own. A CRD
    defined once (sockets, behind a Helm error) is kept."""
    assert fields_of(SUBCHARTS) == {
        "levels": ["experimental"],
        "sockets": ["size"],
        "wrenches": ["standard"],
    }
    flipped = fields_of(
        SUBCHARTS, set=("toolbox.channel=experimental", "global.levelsChannel=standard")
    )
    assert flipped == {"levels": ["standard"], "sockets": ["size"], "wrenches": ["experimental"]}


def test_subchart_suggestion_names_the_parents_path() -> None:
    with pytest.raises(CrdocError) as caught:
        load(SUBCHARTS, LoadOptions(set=("toolbox.channel=other",)))
    assert caught.value.reason.endswith(
        "choose with --set toolbox.channel=experimental or --set toolbox.channel=standard"
    )


def test_definitions_in_subcharts_turned_off_are_undecided() -> None:
    """A CRD whose every definition is in a subchart its ``condition`` turns off: Helm installs
    none, crdoc cannot tell which — one line naming each subchart and the path deciding it
    (``woks.enabled``, the first of ``cookware.woks,woks.enabled`` holding a boolean), and the
    ``--set`` turning each on."""
    chart = HELM / "oracle-subcharts-chart"
    with pytest.raises(CrdocError) as caught:
        load(chart)
    pans, woks = (f"{chart}/charts/{name}/crds/pots.yaml" for name in ("pans", "woks"))
    assert caught.value.located() == (
        f"{pans}:1: CRD fixture.example.com/pots has 2 definitions and crdoc cannot tell which "
        f"one Helm installs: {pans}:1 (subchart pans, off by its condition pans.enabled) and "
        f"{woks}:1 (subchart woks, off by its condition woks.enabled); choose with --set "
        "pans.enabled=true or --set woks.enabled=true"
    )
    assert fields_of(chart, set=("woks.enabled=true",)) == {"pots": ["woks"]}


def test_plain_files_that_differ_are_still_an_error() -> None:
    """Without conditions nothing chooses: the error of two plain files is unchanged."""
    folder = FIXTURES / "sources" / "duplicates-different"
    with pytest.raises(CrdocError, match="differs from the one in"):
        load(folder)


# -- 3. templates outside a chart -----------------------------------------------------------------

NO_CHART = HELM / "no-chart"


def test_templated_yaml_outside_charts() -> None:
    """A folder holding a chart with ``Chart.template.yaml``, a folder with ``templates/`` and
    ``values.yaml`` only, and loose files: templated ones read once neutralised, one with
    actions hidden in comments as it is, and a plain CRD whose description holds ``{{ }}``
    kept verbatim."""
    catalog = load(NO_CHART)
    found = {c.plural: (c.sources, c.chart.name if c.chart else None) for c in catalog.crds}
    assert found == {
        "bolts": (("loose/crd-bolts.yaml",), None),
        "cranks": (("values-only/templates/crd-cranks.yaml",), "values-only"),
        "gears": (("loose/crd-gears.yaml",), None),
        "levers": (("unassembled/templates/crd-levers.yaml",), "unassembled"),
        "pulleys": (("loose/crd-pulleys.yaml",), None),
    }
    gears = {c.plural: c for c in catalog.crds}["gears"]
    assert gears.versions[0].fields[0].description == (
        "Use {{inputs.size}} in a template; this is not Helm."
    )


def test_chart_template_yaml_gives_the_chart() -> None:
    catalog = load(NO_CHART / "unassembled")
    assert catalog.chart is not None
    assert (catalog.chart.name, catalog.chart.version) == ("unassembled", None)
    assert [c.plural for c in catalog.crds] == ["levers"]


@pytest.mark.parametrize(
    ("source", "plural"),
    [
        ("unassembled/templates", "levers"),  # a templates/ folder on its own
        ("unassembled/templates/crd-levers.yaml", "levers"),  # one templated file
        ("loose/crd-bolts.yaml", "bolts"),
    ],
)
def test_templated_files_given_directly(runner, source: str, plural: str) -> None:
    data = cli_json(runner, str(NO_CHART / source))
    assert [c["plural"] for c in data["crds"]] == [plural]


def test_broken_loose_template_error_is_at_its_line(tmp_path: Path) -> None:
    """A loose templated file that is broken once neutralised too: the error names its line
    in the original file."""
    path = tmp_path / "crd.yaml"
    text = (NO_CHART / "loose" / "crd-bolts.yaml").read_text()
    path.write_text(text.replace("type: object", "type: object: broken"), encoding="utf-8")
    with pytest.raises(CrdocError) as caught:
        load(path)
    assert caught.value.path == str(path) and caught.value.line == 18
    assert caught.value.reason.startswith("invalid YAML: mapping values are not allowed")


# -- 4. subcharts declared but not vendored -------------------------------------------------------

DEPS = HELM / "deps"


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """The fixture repository: index.yaml and the packaged toolbox-crds charts (built now)."""
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copy(DEPS / "repo" / "index.yaml", repo / "index.yaml")
    for package in sorted((DEPS / "packages").iterdir()):
        pack(package, "toolbox-crds", repo / f"{package.name}.tgz")
    return repo


@pytest.fixture
def fake_https(repository: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """``https://charts.example.test/stable/…`` served from the fixture repository; the URLs
    asked for are listed."""
    asked: list[str] = []
    real = downloads.download

    def download(url: str, **kwargs: Any) -> bytes:
        asked.append(url)
        prefix = "https://charts.example.test/stable/"
        if url.startswith(prefix):
            path = repository / url[len(prefix) :]
            if path.is_file():
                return path.read_bytes()
        return real("https://127.0.0.1:1/missing", **kwargs)

    # Both readers of URLs: a source given as one, and a chart's repositories.
    monkeypatch.setattr(sources, "download", download)
    monkeypatch.setattr(dependencies, "download", download)
    return asked


def test_missing_subcharts_are_a_warning_and_in_the_error(runner) -> None:
    chart = DEPS / "app-chart"
    result = runner.invoke(cli, ["inspect", str(chart)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Warning: {chart}/Chart.yaml: subcharts declared but not in charts/, their CRDs not "
        "documented: toolbox-crds, toolbox-crds, local-lib (--dependencies fetches them; so "
        "does 'helm dependency build')",
        f"Error: no CustomResourceDefinition found in {chart}: found no YAML, JSON or template "
        "file of chart app; subcharts declared in Chart.yaml but not in charts/: toolbox-crds, "
        "toolbox-crds, local-lib ('helm dependency build' vendors them) (--allow-empty accepts "
        "a source without CRDs)",
    ]
    quiet = runner.invoke(cli, ["inspect", str(chart), "-q", "--allow-empty"])
    assert quiet.exit_code == 0 and quiet.stderr == ""


def test_dependencies_are_fetched_and_resolved(fake_https: list[str]) -> None:
    """``^0.3`` is 0.3.0 (not the 0.3.1-rc.1 prerelease, not 0.4.0), from a relative URL;
    ``~0.2.0`` (alias oldTools) is 0.2.5 from ``./…``, and its condition is false so its
    different ratchets is not the one documented; ``file://../local-lib`` is the sibling
    folder. The index is read once."""
    found = crds(DEPS / "app-chart", dependencies=True)
    base = "https://charts.example.test/stable"
    assert found == {
        "pins": (["../local-lib/crds/pins.yaml"], ["length"]),
        "ratchets": (
            [f"{base}/toolbox-crds-0.3.0.tgz!toolbox-crds/crds/ratchets.yaml"],
            ["torque"],
        ),
    }
    assert fake_https == [
        f"{base}/index.yaml",
        f"{base}/toolbox-crds-0.3.0.tgz",
        f"{base}/toolbox-crds-0.2.5.tgz",  # "./toolbox-crds-0.2.5.tgz" in the index
    ]


def test_dependency_condition_chooses_between_aliases(fake_https: list[str]) -> None:
    """With ``oldTools.enabled=true`` both aliases install a ratchets: two different
    definitions with nothing to choose between them — Helm would conflict too."""
    with pytest.raises(CrdocError, match="ratchets differs from the one in"):
        load(DEPS / "app-chart", LoadOptions(dependencies=True, set=("oldTools.enabled=true",)))


@pytest.mark.parametrize(
    ("repository", "message"),
    [
        (
            "oci://registry.example.test/charts",
            "subchart x: OCI registries (oci://registry.example.test/charts) are not supported "
            "by --dependencies; run 'helm dependency build' to vendor it into charts/",
        ),
        (
            "@example",
            "subchart x: repository @example is a name from your Helm configuration, which "
            "--dependencies does not read; run 'helm dependency build' to vendor it into charts/",
        ),
        (
            "alias:example",
            "subchart x: repository alias:example is a name from your Helm configuration, which "
            "--dependencies does not read; run 'helm dependency build' to vendor it into charts/",
        ),
        (
            "",
            "subchart x names no repository and is not in charts/: vendor it there "
            "('helm dependency build')",
        ),
        (
            "file://../nowhere",
            "subchart x: no chart at file://../nowhere",
        ),
    ],
    ids=["oci", "named", "alias", "none", "file-missing"],
)
def test_unsupported_repositories_are_one_line_errors(
    tmp_path: Path, runner, repository: str, message: str
) -> None:
    chart = tmp_path / "chart"
    chart.mkdir()
    (chart / "Chart.yaml").write_text(
        "apiVersion: v2\nname: c\nversion: 1.0.0\ndependencies:\n"
        f"  - name: x\n    version: 1.0.0\n    repository: {json.dumps(repository)}\n"
    )
    result = runner.invoke(cli, ["inspect", str(chart), "--dependencies", "-q"])
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"Error: {chart}/Chart.yaml:5: {message}")


def test_no_version_satisfies_the_constraint(tmp_path: Path, fake_https: list[str]) -> None:
    chart = tmp_path / "chart"
    chart.mkdir()
    (chart / "Chart.yaml").write_text(
        "apiVersion: v2\nname: c\nversion: 1.0.0\ndependencies:\n"
        "  - name: toolbox-crds\n    version: '>=5'\n"
        "    repository: https://charts.example.test/stable\n"
    )
    with pytest.raises(CrdocError) as caught:
        load(chart, LoadOptions(dependencies=True))
    assert caught.value.located() == (
        f"{chart}/Chart.yaml:5: subchart toolbox-crds: no version in "
        "https://charts.example.test/stable satisfies '>=5'"
    )


@pytest.fixture
def served(repository: Path) -> Iterator[str]:
    """The fixture repository over plain HTTP on localhost."""
    with serving_folder(repository) as url:
        yield url.rstrip("/")


def test_dependencies_over_http_need_allow_http(runner, served: str, tmp_path: Path) -> None:
    """A real download, end to end through the command line: plain http is refused without
    --allow-http, and works with it."""
    chart = tmp_path / "chart"
    chart.mkdir()
    (chart / "Chart.yaml").write_text(
        "apiVersion: v2\nname: c\nversion: 1.0.0\ndependencies:\n"
        f"  - name: toolbox-crds\n    version: ~0.2.0\n    repository: {served}\n"
    )
    refused = runner.invoke(cli, ["inspect", str(chart), "--dependencies"])
    assert refused.exit_code == 1
    assert refused.stderr == (
        f"Error: {served}/index.yaml: only https:// URLs are read (pass --allow-http to accept "
        "plain http)\n"
    )
    data = cli_json(runner, str(chart), "--dependencies", "--allow-http")
    (crd,) = data["crds"]
    assert crd["sources"] == [f"{served}/toolbox-crds-0.2.5.tgz!toolbox-crds/crds/ratchets.yaml"]
    assert crd["chart"] == {"name": "toolbox-crds", "version": "0.2.5"}


def test_downloads_respect_the_limits(runner, served: str, tmp_path: Path) -> None:
    """The download bound applies to a repository's index and charts as to any URL."""
    chart = tmp_path / "chart"
    chart.mkdir()
    (chart / "Chart.yaml").write_text(
        "apiVersion: v2\nname: c\nversion: 1.0.0\ndependencies:\n"
        f"  - name: toolbox-crds\n    version: ~0.2.0\n    repository: {served}\n"
    )
    args = ["inspect", str(chart), "--dependencies", "--allow-http"]
    result = runner.invoke(cli, [*args, "--limit", "max_download_bytes=100"])
    assert result.exit_code == 1
    assert result.stderr == f"Error: {served}/index.yaml: download larger than 100 bytes\n"
