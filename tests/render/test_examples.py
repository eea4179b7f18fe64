"""Every example manifest crdoc shows passes its own CRD's validation, or its page says so.

The oracle is independent of crdoc's reading and converting code: the schema is the CRD's
``openAPIV3Schema`` read straight from the YAML (``test_corpus.raw_crds`` for the corpus), made
a JSON Schema here by :func:`json_schema` (a minimal conversion, not
``crdoc.publish.jsonschema``) and checked with check-jsonschema's validator (Python regexes,
defaults filled in first, as the API server defaults before it validates); every CEL rule of
every node the manifest reaches is found here (:func:`rule_sites`) and evaluated with the CEL
engine. The upstream example manifests in ``../shared/examples`` go through the same oracle:
they pass, which shows the oracle does not refuse real, valid manifests.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from check_jsonschema.formats import FormatOptions
from check_jsonschema.regex_variants import RegexImplementation, RegexVariantName
from check_jsonschema.schema_loader import SchemaLoader
from click.testing import CliRunner
from conftest import CORPUS, CORPUS_COUNTS, CORPUS_SKIP, EXAMPLES, EXAMPLES_SKIP, FIXTURES
from test_corpus import raw_crds

from crdoc.cli import cli
from crdoc.loading.loader import load
from crdoc.render import cel
from crdoc.render.examples import example_for, example_value, pattern_strings

EXAMPLE_FIXTURES = FIXTURES / "examples"

#: Formats JSON Schema and the API server (kube-openapi) read alike; others (``duration`` is
#: ISO 8601 in one, Go's ``30s`` in the other; ``int32`` …) are left to the API server.
_SHARED_FORMATS = ("date-time", "date", "email", "ipv4", "ipv6", "uuid")

# -- the oracle -----------------------------------------------------------------------------------

#: Patterns the oracle leaves out, Python's re refusing them (crdoc checks them, translated).
UNCHECKED_PATTERNS: set[str] = set()


def _python_compiles(pattern: str) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            re.compile(pattern)
        except re.error:
            return False
    return True


def json_schema(node: Any, *, strict: bool = True, resource: bool = False) -> Any:
    """A Kubernetes structural schema node as JSON Schema draft-07 (minimal, written here)."""
    if not isinstance(node, Mapping):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "properties":
            out[key] = {
                name: json_schema(child, strict=strict and not (resource and name == "metadata"))
                for name, child in value.items()
            }
        elif key in ("items", "additionalProperties") and isinstance(value, Mapping):
            out[key] = json_schema(value, strict=strict)
        elif key in ("allOf", "anyOf", "oneOf"):
            out[key] = [json_schema(branch, strict=False) for branch in value]
        elif key == "not":
            out[key] = json_schema(value, strict=False)
        elif key in ("exclusiveMinimum", "exclusiveMaximum"):
            bound = "minimum" if key == "exclusiveMinimum" else "maximum"
            if value is True:
                out[key] = node[bound]
        elif key in ("minimum", "maximum"):
            if node.get(f"exclusive{key.title()}") is not True:
                out[key] = value
        elif key == "format":
            if value in _SHARED_FORMATS:
                out[key] = value
        elif key == "pattern" and not _python_compiles(value):
            UNCHECKED_PATTERNS.add(value)  # Go syntax Python lacks (a mid-pattern ``(?i)``)
        elif key in ("nullable", "type", "example") or key.startswith("x-kubernetes-"):
            continue
        else:
            out[key] = value
    if node.get("x-kubernetes-int-or-string"):
        types = ["integer", "string"]
    elif isinstance(node.get("type"), str):
        types = [node["type"]]
    else:
        types = []
    if types and node.get("nullable") is True:
        types.append("null")
    if types:
        out["type"] = types
    if node.get("x-kubernetes-embedded-resource"):
        out.setdefault("properties", {}).update(
            {n: out["properties"].get(n, {}) for n in ("apiVersion", "kind", "metadata")}
        )
        out["required"] = sorted({"apiVersion", "kind", *out.get("required", ())})
    # The API server refuses (strict field validation) a property the schema does not name.
    open_ended = node.get("x-kubernetes-preserve-unknown-fields") or "additionalProperties" in node
    if strict and not open_ended and (node.get("type") == "object" or "properties" in node):
        out["additionalProperties"] = False
    return out


def with_defaults(value: Any, node: Mapping[str, Any]) -> Any:
    """``value`` after the API server's defaulting (every object present gets the defaults of
    its missing properties)."""
    if isinstance(value, dict):
        properties = node.get("properties") or {}
        extra = node.get("additionalProperties")
        out = {}
        for key, item in value.items():
            child = properties.get(key, extra if isinstance(extra, Mapping) else {})
            out[key] = with_defaults(item, child)
        for key, child in properties.items():
            if key not in out and "default" in child:
                out[key] = with_defaults(copy.deepcopy(child["default"]), child)
        return out
    if isinstance(value, list) and isinstance(node.get("items"), Mapping):
        return [with_defaults(item, node["items"]) for item in value]
    return value


def rule_sites(value: Any, node: Mapping[str, Any], path: str = "") -> Iterator[tuple]:
    """``(path, value, node, rule)`` of every CEL rule applying to ``value``: the rules of each
    node the value reaches, on that node's value (array items one by one, map values too)."""
    for rule in node.get("x-kubernetes-validations") or ():
        yield path or "<root>", value, node, rule
    if isinstance(value, dict):
        properties = node.get("properties") or {}
        extra = node.get("additionalProperties")
        for key, item in value.items():
            child = properties.get(key, extra if isinstance(extra, Mapping) else None)
            if isinstance(child, Mapping):
                yield from rule_sites(item, child, f"{path}.{key}" if path else key)
    elif isinstance(value, list) and isinstance(node.get("items"), Mapping):
        for index, item in enumerate(value):
            yield from rule_sites(item, node["items"], f"{path}[{index}]")


@dataclass
class Verdict:
    """What the oracle says of one manifest."""

    schema_errors: list[str] = field(default_factory=list)
    rule_failures: list[str] = field(default_factory=list)
    rule_unknown: list[str] = field(default_factory=list)
    rules: int = 0
    second_opinions: int = 0
    """Rules cel-python (a second engine, pure Python) judged too, agreeing."""
    disagreements: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not (self.schema_errors or self.rule_failures or self.rule_unknown)


_REGEX = RegexImplementation(RegexVariantName.python)


def second_opinion(rule: str, value: Any, node: Mapping[str, Any]) -> bool | None:
    """The rule judged by cel-python (``celpy``) with the same Kubernetes functions, or
    ``None`` where it cannot judge it: not installed, or an evaluation error, which cel-python
    raises even where CEL absorbs it (``error || true``)."""
    try:
        import celpy
        import celpy.celtypes as types
    except ImportError:
        return None

    def to_cel(item: Any) -> Any:
        if isinstance(item, timedelta):
            return types.DurationType(item)
        if isinstance(item, datetime):
            return types.TimestampType(item)
        if isinstance(item, bytes):
            return types.BytesType(item)
        if isinstance(item, dict):
            return types.MapType({types.StringType(k): to_cel(v) for k, v in item.items()})
        if isinstance(item, list):
            return types.ListType([to_cel(v) for v in item])
        return celpy.json_to_cel(item)

    def plain(item: Any) -> Any:
        if isinstance(item, types.BoolType):
            return bool(item)
        if isinstance(item, types.IntType | types.UintType):
            return int(item)
        if isinstance(item, types.DoubleType):
            return float(item)
        if isinstance(item, types.StringType):
            return str(item)
        if isinstance(item, types.ListType):
            return [plain(v) for v in item]
        if isinstance(item, types.MapType):
            return {plain(k): plain(v) for k, v in item.items()}
        return item

    def wrapped(function: Any) -> Any:
        return lambda *args: to_cel(function(*(plain(a) for a in args)))

    limit = sys.getrecursionlimit()
    environment = celpy.Environment()
    sys.setrecursionlimit(limit)  # celpy raises the process's limit to 2500: keep it as it was
    functions = {name: wrapped(f) for name, f in cel.KUBERNETES_FUNCTIONS.items()}
    try:
        program = environment.program(environment.compile(rule), functions=functions)
        result = program.evaluate({"self": to_cel(cel.typed(value, node))})
    except Exception:  # noqa: BLE001 - any error: no opinion
        return None
    return bool(result) if isinstance(result, types.BoolType) else None


def judge(manifest: Mapping[str, Any], openapi: Mapping[str, Any], tmp: Path) -> Verdict:
    """The oracle: ``manifest`` against check-jsonschema with :func:`json_schema` of the raw
    ``openapi`` schema, and against every CEL rule it reaches."""
    schema = {"$schema": "http://json-schema.org/draft-07/schema#"}
    schema.update(json_schema(openapi, resource=True))
    schema.setdefault("properties", {})["metadata"] = {"type": "object"}
    schema["properties"].setdefault("apiVersion", {"type": "string"})
    schema["properties"].setdefault("kind", {"type": "string"})
    path = tmp / f"schema-{abs(hash(json.dumps(schema, sort_keys=True, default=str)))}.json"
    path.write_text(json.dumps(schema, default=str))
    validator = SchemaLoader(str(path)).get_validator(
        path, {}, FormatOptions(regex_impl=_REGEX), _REGEX, fill_defaults=True
    )
    document = with_defaults(copy.deepcopy(dict(manifest)), openapi)
    verdict = Verdict()
    verdict.schema_errors = [
        f"{'.'.join(map(str, e.absolute_path)) or '<root>'}: {e.message[:160]}"
        for e in validator.iter_errors(copy.deepcopy(document))
    ]
    for where, value, node, rule in rule_sites(document, openapi):
        if "oldSelf" in rule["rule"]:
            continue  # a transition rule: not checked on create
        verdict.rules += 1
        result = cel.evaluate(rule["rule"], value, node)
        second = second_opinion(rule["rule"], value, node)
        if second is not None and result.holds is not None:
            if second == result.holds:
                verdict.second_opinions += 1
            else:
                verdict.disagreements.append(f"{where}: {rule['rule']!r}: cel-python: {second}")
        if result.holds is None:
            verdict.rule_unknown.append(f"{where}: {rule['rule']!r}: {result.reason}")
        elif not result.holds:
            verdict.rule_failures.append(f"{where}: {rule['rule']!r}")
    return verdict


# -- the corpus -----------------------------------------------------------------------------------


@dataclass
class Tally:
    examples: int = 0
    schema_valid: int = 0
    cel_valid: int = 0
    rules: int = 0
    second_opinions: int = 0
    noted: int = 0
    wrong: list[str] = field(default_factory=list)
    disagreements: list[str] = field(default_factory=list)


def _tally_corpus(tmp: Path) -> Tally:
    tally = Tally()
    for name in sorted(CORPUS_COUNTS):
        raw = raw_crds(name)
        for crd in load(CORPUS / name).crds:
            for version in crd.versions:
                openapi = raw[crd.key].versions[version.name]
                example = example_for(crd, version)
                verdict = judge(yaml.safe_load(example.text), openapi, tmp)
                tally.examples += 1
                tally.schema_valid += not verdict.schema_errors
                tally.cel_valid += not (verdict.rule_failures or verdict.rule_unknown)
                tally.rules += verdict.rules
                tally.second_opinions += verdict.second_opinions
                tally.disagreements += verdict.disagreements
                tally.noted += bool(example.note)
                # An example is either valid, or its page says it could not be shown valid.
                if not verdict.valid and not example.note:
                    problems = verdict.schema_errors + verdict.rule_failures + verdict.rule_unknown
                    tally.wrong.append(f"{name} {crd.kind} {version.name}: {problems[:3]}")
    return tally


def test_every_corpus_example_passes_its_schema_and_rules(tmp_path: Path) -> None:
    """Each example of each corpus CRD version passes the oracle, or carries the note."""
    if not CORPUS.exists():
        pytest.skip(f"corpus {CORPUS} is not here ({CORPUS_SKIP})")
    tally = _tally_corpus(tmp_path)
    print(  # shown with -s: the figures the report quotes
        f"corpus examples: {tally.examples}, schema-valid: {tally.schema_valid}, CEL-valid: "
        f"{tally.cel_valid}, rules evaluated: {tally.rules} (cel-python agreeing on "
        f"{tally.second_opinions}), with a note: {tally.noted}; "
        f"patterns the oracle cannot compile: {len(UNCHECKED_PATTERNS)}"
    )
    assert tally.wrong == []
    assert tally.disagreements == []
    assert tally.examples == 90
    assert tally.schema_valid == tally.examples
    assert tally.rules > 100  # the rules are reached, not skipped


def _upstream_manifests() -> Iterator[tuple[str, dict[str, Any]]]:
    for path in sorted(EXAMPLES.glob("**/*.yaml")):
        for index, doc in enumerate(yaml.safe_load_all(path.read_text(encoding="utf-8"))):
            if isinstance(doc, dict) and "apiVersion" in doc:
                yield f"{path.relative_to(EXAMPLES)}#{index}", doc


#: Upstream manifests the oracle refuses, and why: checked by hand against the raw CRD. Strimzi's
#: KafkaConnect v1 (041-Crd-kafkaconnect.yaml, same revision) requires ``groupId`` and the three
#: storage topics in spec; its two metrics examples were not updated and lack them. The API
#: server would refuse them too: the manifests are wrong, not the oracle.
KNOWN_INVALID_UPSTREAM = {
    label: [
        f"spec: '{name}' is a required property"
        for name in ("groupId", "configStorageTopic", "statusStorageTopic", "offsetStorageTopic")
    ]
    for label in (
        "strimzi/metrics/kafka-connect-metrics.yaml#0",
        "strimzi/metrics/strimzi-metrics-reporter/kafka-connect-metrics.yaml#0",
    )
}


def test_upstream_examples_pass_the_oracle(tmp_path: Path) -> None:
    """The oracle's own check: real manifests from the project behind a corpus chart (Strimzi's
    examples) pass it, for every one whose CRD the corpus holds, but the two known to be wrong,
    refused for exactly their known faults."""
    if not EXAMPLES.exists() or not CORPUS.exists():
        pytest.skip(f"examples or corpus not here: {EXAMPLES_SKIP}; {CORPUS_SKIP}")
    by_kind: dict[tuple[str, str], Mapping[str, Any]] = {}
    for crd in raw_crds("strimzi-kafka-operator").values():
        group = crd.key.partition("/")[0]
        for version, schema in crd.versions.items():
            by_kind[(f"{group}/{version}", crd.kind)] = schema
    judged, rules, refused = 0, 0, {}
    for label, manifest in _upstream_manifests():
        schema = by_kind.get((manifest["apiVersion"], manifest.get("kind")))
        if schema is None:
            continue  # a ConfigMap, a Secret …: not a corpus CRD
        judged += 1
        verdict = judge(manifest, schema, tmp_path)
        rules += verdict.rules
        if not verdict.valid:
            refused[label] = verdict.schema_errors + verdict.rule_failures + verdict.rule_unknown
    print(f"upstream examples judged: {judged}, rules evaluated: {rules}, refused: {len(refused)}")
    assert judged > 30
    assert rules > 0
    assert refused == KNOWN_INVALID_UPSTREAM


# -- one small fixture per defect -----------------------------------------------------------------


def _raw_versions(name: str) -> dict[str, Mapping[str, Any]]:
    doc = yaml.safe_load((EXAMPLE_FIXTURES / name).read_text(encoding="utf-8"))
    return {v["name"]: v["schema"]["openAPIV3Schema"] for v in doc["spec"]["versions"]}


def _examples(name: str) -> dict[str, Any]:
    (crd,) = load(EXAMPLE_FIXTURES / name).crds
    return {version.name: example_for(crd, version) for version in crd.versions}


@pytest.mark.parametrize(
    ("name", "version"),
    [
        ("branches.yaml", "v1"),
        ("patterns.yaml", "v1"),
        ("patterns.yaml", "v2"),
        ("rules.yaml", "v1"),
    ],
    ids=lambda x: str(x).removesuffix(".yaml"),
)
def test_fixture_example_passes_the_oracle(name: str, version: str, tmp_path: Path) -> None:
    example = _examples(name)[version]
    verdict = judge(yaml.safe_load(example.text), _raw_versions(name)[version], tmp_path)
    assert verdict.valid, verdict
    assert example.note == ""


def test_oneof_and_anyof_choose_a_branch() -> None:
    """``oneOf: [{required: [git]}, {required: [oci]}]`` gets exactly one of them; ``anyOf``
    one at least, with the branch's own required members filled in."""
    spec = yaml.safe_load(_examples("branches.yaml")["v1"].text)["spec"]
    assert spec == {
        "source": {"git": "https://example.com"},
        "target": {"bucket": {"endpoint": "https://example.com"}},
    }


def test_patterns_lengths_and_bounds_are_met() -> None:
    """``^(http|https|ssh)://.*$`` and ``^https://`` get URLs (not ``''`` nor ``x``), a length
    and a pattern together, ``multipleOf`` within bounds, an exclusive minimum,
    ``minProperties: 1`` on spec and on a free-form object."""
    assert yaml.safe_load(_examples("patterns.yaml")["v1"].text)["spec"] == {
        "url": "https://example.com"
    }
    spec = yaml.safe_load(_examples("patterns.yaml")["v2"].text)["spec"]
    assert spec == {
        "url": "https://example.com",
        "mirror": "https://example.com",
        "branch": "example",
        "tag": "v0.0.0",
        "replicas": 4,
        "ratio": 1,
        "size": "1Gi",
        "extra": {"example": "example"},
    }


def test_cel_exactly_one_of_and_conditional_requirement() -> None:
    """``[has(self.s3), has(self.gcs)].exists_one(x, x)`` adds one of the two; the first enum
    member (``Snapshot``) would need ``volumeClass``, so the search takes ``Dump``; the
    transition rule (``oldSelf``) is not evaluated."""
    example = _examples("rules.yaml")["v1"]
    assert yaml.safe_load(example.text)["spec"] == {"method": "Dump", "s3": {"bucket": "example"}}
    assert example.rules_checked == 2


def test_unsatisfiable_and_unknown_rules_get_the_note() -> None:
    """A rule no value meets: the example is the fallback, and the note says what it breaks; a
    rule the engine cannot judge: the note says which and why."""
    examples = _examples("rules.yaml")
    assert examples["v2"].failures == ("spec.size: rule 'self > 10 && self < 5' fails",)
    assert "spec.size: rule 'self > 10 && self < 5' fails" in examples["v2"].note
    assert examples["v3"].failures == ()
    assert examples["v3"].unchecked == (
        "spec.name: rule 'self.frobnicate()': CEL cannot evaluate the rule: "
        "Undefined variable or function: 'frobnicate'",
    )
    assert "Undefined variable or function: 'frobnicate'" in examples["v3"].note


def test_the_note_is_above_the_example_on_the_page(tmp_path: Path) -> None:
    """Markdown and site pages say plainly when an example is not shown valid; valid ones
    carry no note."""
    source = str(EXAMPLE_FIXTURES / "rules.yaml")
    result = CliRunner().invoke(cli, ["markdown", source, "-o", str(tmp_path / "md"), "-q"])
    assert result.exit_code == 0, result.output
    pages = {p.name: p.read_text() for p in (tmp_path / "md").rglob("backups-*.md")}
    note = "> **Note:** crdoc found no example that passes every validation of this version"
    assert note in pages["backups-v2.md"]
    _, _, tail = pages["backups-v2.md"].partition("## Example\n")
    assert tail.index(note) < tail.index("```yaml")
    assert "> **Note:** crdoc could not check this example against every" in pages["backups-v3.md"]
    assert "Note:" not in pages["backups-v1.md"].partition("## Example\n")[2].split("```")[0]
    result = CliRunner().invoke(cli, ["build", source, "-o", str(tmp_path / "site"), "-q"])
    assert result.exit_code == 0, result.output
    html = next((tmp_path / "site").rglob("backups-v2.html")).read_text()
    assert (
        '<div class="admonition warning crdoc-example-note"><p class="admonition-title">Note</p>'
        "<p>crdoc found no example that passes every validation of this version" in html
    )
    assert html.index("crdoc-example-note") < html.index('class="highlight language-yaml"')


_OBJECT = {"type": "object"}
_STRING = {"type": "string"}
_REF = {"group": {**_STRING, "maxLength": 253}, "kind": {**_STRING, "pattern": "^[A-Z][a-z]+$"}}

#: Schema nodes whose valid value needs a search, and the value expected.
SEARCHES = {
    "oneOf discriminated by an enum": (
        {
            **_OBJECT,
            "properties": {"kind": _STRING, "a": _STRING, "b": {"type": "integer"}},
            "oneOf": [
                {"properties": {"kind": {"enum": ["A"]}}, "required": ["kind", "a"]},
                {"properties": {"kind": {"enum": ["B"]}}, "required": ["kind", "b"]},
            ],
        },
        {"kind": "A", "a": "example"},
    ),
    "allOf adds required": (
        {
            **_OBJECT,
            "properties": {"a": _STRING, "b": {**_STRING, "pattern": "^x+$"}},
            "allOf": [{"required": ["a"]}, {"required": ["b"]}],
        },
        {"a": "example", "b": "x"},
    ),
    "string oneOf patterns": (
        {**_STRING, "oneOf": [{"pattern": "^s3://"}, {"pattern": "^gs://"}]},
        "s3://example",
    ),
    "string anyOf formats": (
        {**_STRING, "anyOf": [{"format": "ipv4"}, {"format": "ipv6"}]},
        "192.0.2.10",
    ),
    "rule reaching a nested field": (
        {
            **_OBJECT,
            "properties": {"tls": {**_OBJECT, "properties": {"secret": _STRING}}},
            "x-kubernetes-validations": [{"rule": "has(self.tls) && has(self.tls.secret)"}],
        },
        {"tls": {"secret": "example"}},
    ),
    "rule on a list's size": (
        {
            **_OBJECT,
            "properties": {"hosts": {"type": "array", "items": _STRING}},
            "x-kubernetes-validations": [{"rule": "size(self.hosts) >= 2"}],
        },
        {"hosts": ["example", "example"]},
    ),
    "list-map items with distinct keys": (
        {
            "type": "array",
            "minItems": 2,
            "x-kubernetes-list-type": "map",
            "x-kubernetes-list-map-keys": ["name"],
            "items": {**_OBJECT, "required": ["name"], "properties": {"name": _STRING}},
        },
        [{"name": "example"}, {"name": "example2"}],
    ),
    "rule choosing an enum member and a number": (
        {
            **_OBJECT,
            "required": ["mode", "replicas"],
            "properties": {
                "mode": {**_STRING, "enum": ["single", "ha"]},
                "replicas": {"type": "integer", "minimum": 1},
            },
            "x-kubernetes-validations": [
                {"rule": "self.mode == 'ha' ? self.replicas >= 3 : self.replicas == 1"},
                {"rule": "self.mode == 'ha'"},
            ],
        },
        {"mode": "ha", "replicas": 3},
    ),
    "either of two refs, their members compared with literals": (
        {
            **_OBJECT,
            "properties": {
                "targetRef": {**_OBJECT, "required": ["group", "kind"], "properties": _REF},
                "targetRefs": {"type": "array", "items": {**_OBJECT, "properties": _REF}},
            },
            "x-kubernetes-validations": [
                {"rule": "has(self.targetRef) != has(self.targetRefs)"},
                {"rule": "has(self.targetRef) ? self.targetRef.group == 'x.io' : true"},
                {"rule": "has(self.targetRef) ? self.targetRef.kind in ['Gateway'] : true"},
                {"rule": "!has(self.targetRefs) || self.targetRefs.all(r, r.group == 'x.io')"},
            ],
        },
        {"targetRef": {"group": "x.io", "kind": "Gateway"}},
    ),
    "embedded resource": (
        {
            **_OBJECT,
            "required": ["template"],
            "properties": {
                "template": {
                    **_OBJECT,
                    "x-kubernetes-embedded-resource": True,
                    "x-kubernetes-preserve-unknown-fields": True,
                }
            },
        },
        {"template": {"apiVersion": "example.com/v1", "kind": "Example"}},
    ),
    "duration format and rule": (
        {
            **_STRING,
            "format": "duration",
            "x-kubernetes-validations": [{"rule": "self >= duration('1m')"}],
        },
        None,  # any value the oracle accepts
    ),
}


@pytest.mark.parametrize("case", sorted(SEARCHES))
def test_searched_value_passes_the_oracle(case: str, tmp_path: Path) -> None:
    """Each node gets the value expected, and the oracle accepts it (wrapped as a manifest's
    spec, so the same JSON Schema and rule walk judge it)."""
    schema, expected = SEARCHES[case]
    value = example_value(schema)
    if expected is not None:
        assert value == expected
    openapi = {**_OBJECT, "properties": {"spec": schema}, "required": ["spec"]}
    manifest = {"apiVersion": "x/v1", "kind": "X", "metadata": {"name": "x"}, "spec": value}
    verdict = judge(manifest, openapi, tmp_path)
    assert verdict.valid, verdict


@pytest.mark.parametrize(
    "pattern",
    [
        r"^(http|https|ssh)://.*$",
        r"^https://",
        r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$",
        r"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$",
        r"^[^/]+/[^/]+$",
        r"^sha256:[0-9a-f]{64}$",
        r"^\d{2,4}[.-]x{3}$",
    ],
)
def test_pattern_strings_match_their_pattern(pattern: str) -> None:
    """Strings made from a Go pattern match it (checked with Python's re on the raw pattern,
    where it compiles) and respect the length bounds asked for."""
    made = list(pattern_strings(pattern, 3, 80))
    assert made
    compiled = re.compile(pattern)
    assert all(compiled.search(s) and 3 <= len(s) <= 80 for s in made), made


def test_cel_kubernetes_library() -> None:
    """The Kubernetes CEL functions the corpus rules use, over the engine."""
    cases = {
        "isURL(self) && url(self).getHost() == 'example.com'": "https://example.com/x",
        "self.split('/').size() == 2 && self.substring(0, 3) == 'abc'": "abc/def",
        "isIP(self) && ip(self).family() == 4": "192.0.2.1",
        "quantity(self).isGreaterThan(quantity('500Mi'))": "1Gi",
        "self.lowerAscii().indexOf('b') == 1": "ABC",
        "!isURL(self)": "not a url",
        "!format.dns1123Label().validate(self).hasValue()": "my-name",
        "format.dns1123Label().validate(self).hasValue()": "My_Name",
        "!format.named('qualifiedName').value().validate(self).hasValue()": "example.com/x",
        "!format.named('nope').hasValue()": "x",
    }
    for rule, value in cases.items():
        assert cel.evaluate(rule, value).holds is True, rule
    assert cel.evaluate("self >= duration('1h')", "90m", {"type": "string", "format": "duration"})
    assert cel.evaluate("self.x == 1", {}).holds is False  # no such key: the rule fails
    assert cel.evaluate("self.nope()", "x").holds is None


@pytest.mark.parametrize(
    ("before", "after"),
    [("", ""), ("import cel", ""), ("", "import cel")],
    ids=["alone", "cel-imported-first", "cel-imported-after"],
)
def test_engine_loads_once_whoever_imports_it_first(before: str, after: str) -> None:
    """crdoc loads the engine's extension without its package's command line, and shares it
    with anyone importing ``cel`` before or after (loading it twice would crash)."""
    code = "\n".join(
        [
            "import sys",
            before,
            "from crdoc.render import cel",
            "assert cel.evaluate('self > 1', 2).holds is True",
            after,
            "import cel as package" if after else "",
            "assert package.evaluate('1 + 1') == 2" if after else "",
            f"assert ('prompt_toolkit' in sys.modules) == {bool(before or after)}",
        ]
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]


def test_a_schema_nested_as_deep_as_allowed_gets_its_example(tmp_path: Path) -> None:
    """190 levels of required objects (the loader allows 200): below SEARCH_DEPTH values are
    not searched for, so Python's recursion limit is never reached, and the example is whole."""
    node: dict[str, Any] = {"type": "string"}
    for _ in range(190):
        node = {"type": "object", "required": ["c"], "properties": {"c": node}}
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "deeps.x.io"},
        "spec": {
            "group": "x.io",
            "names": {"kind": "Deep", "plural": "deeps"},
            "scope": "Cluster",
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {"openAPIV3Schema": {**_OBJECT, "properties": {"spec": node}}},
                }
            ],
        },
    }
    (tmp_path / "deep.json").write_text(json.dumps(crd))
    (loaded,) = load(tmp_path / "deep.json").crds
    example = example_for(loaded, loaded.versions[0])
    assert example.problems == ()
    assert example.text.count(" c:") == 190
