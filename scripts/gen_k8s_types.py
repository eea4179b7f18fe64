#!/usr/bin/env python3
"""Generate ``k8s_types.json``: property signatures of well-known Kubernetes types.

The table lets crdoc recognise a CRD schema subtree that is an embedded Kubernetes object
(``Container``, ``PodSpec``, ``Toleration`` …) and link it to the Kubernetes API reference.
Nothing in it is typed by hand: every type, property and property type comes from the
Kubernetes OpenAPI definitions of several Kubernetes releases.

Source
------
The PyPI package ``kubernetes-validate`` bundles, for each Kubernetes minor release it
supports, the OpenAPI definitions of that release converted to JSON Schema
(``kubernetes_validate/kubernetes-json-schema/v1.NN.0-local/_definitions.json``; each
definition keeps its OpenAPI name, e.g. ``io.k8s.api.core.v1.Container``, its properties and
its ``$ref`` links). kubernetes-validate 1.37.0 carries Kubernetes 1.25 … 1.37.

Run
---
    python3 -m venv .venv && .venv/bin/pip install kubernetes-validate==1.37.0
    .venv/bin/python scripts/gen_k8s_types.py          # writes crdoc/reports/k8s_types.json
    .venv/bin/python scripts/gen_k8s_types.py --schemas DIR   # folders of v1.NN.0-local/
    .venv/bin/pip install kubernetes==37.0.2 && .venv/bin/python scripts/gen_k8s_types.py \
        --verify-client
        # also compares the newest release with the kubernetes client's models (attribute_map)

Only the generator needs the package; the table it writes is plain JSON that crdoc reads with
the standard library. The output is deterministic (same input, same bytes).

Which types are kept (see ``select_types``)
--------------------------------------------
- definitions of Kubernetes API groups (``io.k8s.api.*``) and of ``meta/v1``
  (``io.k8s.apimachinery.pkg.apis.meta.v1.*``); not the apiextensions, aggregator and
  apimachinery "scalar" definitions (``Quantity``, ``IntOrString``, ``Time``, ``RawExtension``
  …), which become property types instead;
- GA versions only (``v1``, ``v2`` …): alpha/beta types duplicate GA ones or vanish;
- object types with properties that a *resource* (a top-level kind whose ``metadata`` is
  ``ObjectMeta``: Pod, Deployment, Service …) embeds, directly or through other embedded
  types, as a property, array item or map value, in at least one release: this keeps
  ``PodSpec``, ``PodStatus``, ``PersistentVolumeClaim`` (a ``StatefulSetSpec`` item) and
  drops what nothing embeds: the top-level kinds themselves, ``*List`` wrappers and the API
  machinery that only requests and responses use (``Status``, ``APIResource``, ``ListMeta``
  …; ``DeleteOptions`` stays because the ``Eviction`` resource embeds it);
- groups in ``EMBEDDED_GROUPS`` (the workload, networking, policy, RBAC, storage,
  scheduling, admission and metadata groups) plus anything those types reference.
  Leaving out e.g. the DRA group ``resource.k8s.io`` keeps the table small; pass
  ``--all-groups`` to keep every GA group.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from crdoc.reports.k8s import doc_hash  # noqa: E402  (the matcher hashes the same way)

#: Where the generated reference page lives; ``{minor}`` is e.g. ``1.37``, ``{anchor}`` the
#: definition's id on that page (``container-v1-core``), as kubernetes-sigs/reference-docs
#: (gen-apidocs, ``Definition.LinkID``) builds it: lower-case kind, version, full group with
#: dots as dashes (``core`` and ``meta`` for the two legacy groups).
DOC_URL = "https://kubernetes.io/docs/reference/generated/kubernetes-api/v{minor}/#{anchor}"

#: API groups whose GA types are kept (full group names; ``core`` and ``meta`` as the
#: reference docs spell them). Types of other groups are kept only when one of these embeds
#: them.
EMBEDDED_GROUPS = frozenset(
    {
        "core",
        "meta",
        "apps",
        "batch",
        "autoscaling",
        "policy",
        "networking.k8s.io",
        "rbac.authorization.k8s.io",
        "storage.k8s.io",
        "scheduling.k8s.io",
        "admissionregistration.k8s.io",
        "discovery.k8s.io",
        "node.k8s.io",
    }
)

#: Definitions that are property *types*, not objects: name → type expression.
SCALARS: Mapping[str, str] = {
    "io.k8s.apimachinery.pkg.api.resource.Quantity": "quantity",
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": "int-or-string",
    "io.k8s.apimachinery.pkg.apis.meta.v1.Time": "time",
    "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime": "time",
    "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1": "object",
    "io.k8s.apimachinery.pkg.runtime.RawExtension": "object",
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON": "object",
}

#: Types with at most this many properties (all releases) carry description hashes: only
#: small types need them, to tell look-alikes apart (``SecretKeySelector`` and
#: ``ConfigMapKeySelector`` are both ``{key, name, optional}``).
DOCS_MAX_PROPS = 6

_GA_VERSION = re.compile(r"v\d+")
_RELEASE_DIR = re.compile(r"v1\.(\d+)\.0-local")
_OWN_PATH = Path(__file__).resolve().parents[1] / "crdoc" / "reports"


@dataclass(frozen=True, slots=True)
class TypeName:
    """Where a definition lives: ``core``/``v1``/``Container``."""

    group: str
    version: str
    kind: str

    @property
    def key(self) -> str:
        """The table key: ``core/v1.Container``, ``networking.k8s.io/v1.IngressTLS``."""
        return f"{self.group}/{self.version}.{self.kind}"

    @property
    def anchor(self) -> str:
        """The id of the definition on the generated reference page."""
        return f"{self.kind}-{self.version}-{self.group.replace('.', '-')}".lower()


@dataclass(slots=True)
class TypeRecord:
    """One type over all releases: property name → type expression, and where each held."""

    name: TypeName
    releases: list[int] = field(default_factory=list)
    props: dict[str, dict[int, str]] = field(default_factory=dict)
    required: dict[int, frozenset[str]] = field(default_factory=dict)
    docs: set[str] = field(default_factory=set)
    """Hashes of the type's own description, its properties' descriptions and the
    descriptions of properties (of any type) that hold it, over all releases."""
    resource: bool = False
    """A top-level kind with ``metadata: ObjectMeta`` (Pod, Deployment …) in some release."""


def find_schema_dir(explicit: Path | None) -> Path:
    """The folder holding ``v1.NN.0-local/_definitions.json`` folders."""
    if explicit is not None:
        return explicit
    spec = importlib.util.find_spec("kubernetes_validate")
    if spec is None or spec.origin is None:
        sys.exit(
            "kubernetes-validate is not installed. Run:\n"
            "  python3 -m venv .venv && .venv/bin/pip install kubernetes-validate==1.37.0\n"
            f"  .venv/bin/python {Path(__file__).name}\n"
            "or pass --schemas DIR (a folder of v1.NN.0-local/_definitions.json)."
        )
    return Path(spec.origin).parent / "kubernetes-json-schema"


def source_version() -> str | None:
    """The installed kubernetes-validate version, if any."""
    try:
        from importlib.metadata import version

        return version("kubernetes-validate")
    except Exception:  # noqa: BLE001 - only informative
        return None


def load_releases(schema_dir: Path, minimum: int) -> dict[int, Mapping[str, Any]]:
    """Minor release → definitions, for every ``v1.NN.0-local`` folder with NN ≥ minimum."""
    releases: dict[int, Mapping[str, Any]] = {}
    for folder in sorted(schema_dir.iterdir()):
        match = _RELEASE_DIR.fullmatch(folder.name)
        if not match or int(match[1]) < minimum:
            continue
        document = json.loads((folder / "_definitions.json").read_text())
        releases[int(match[1])] = document.get("$defs") or document["definitions"]
    if not releases:
        sys.exit(f"no v1.NN.0-local/_definitions.json under {schema_dir}")
    return dict(sorted(releases.items()))


def group_names(definitions: Iterable[Mapping[str, Mapping[str, Any]]]) -> dict[str, str]:
    """Short group (``networking``, from the definition name) → full group
    (``networking.k8s.io``, from ``x-kubernetes-group-version-kind``), as gen-apidocs maps them."""
    mapping = {"core": "core", "meta": "meta"}
    for defs in definitions:
        for name, schema in defs.items():
            parsed = _short_name(name)
            if parsed is None or parsed[0] in mapping:
                continue
            for gvk in schema.get("x-kubernetes-group-version-kind") or ():
                mapping[parsed[0]] = gvk["group"] or "core"
                break
    return mapping


def _short_name(name: str) -> tuple[str, str, str] | None:
    # io.k8s.api.core.v1.Pod, io.k8s.apimachinery.pkg.apis.meta.v1.Status,
    # io.k8s.api.networking.v1.Ingress; None for the apimachinery scalars.
    parts = name.split(".")
    if len(parts) >= 4 and parts[-4] in ("api", "apis"):
        return parts[-3], parts[-2], parts[-1]
    return None


def type_name(name: str, groups: Mapping[str, str]) -> TypeName | None:
    """The group/version/kind of a definition name, ``None`` outside the kept namespaces."""
    if not (
        name.startswith("io.k8s.api.") or name.startswith("io.k8s.apimachinery.pkg.apis.meta.")
    ):
        return None
    parsed = _short_name(name)
    if parsed is None:
        return None
    short, version, kind = parsed
    return TypeName(groups.get(short, short), version, kind)


def _types(schema: Mapping[str, Any]) -> list[str]:
    value = schema.get("type")
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [t for t in value if t != "null"]
    return []


def expression(schema: Mapping[str, Any], names: Mapping[str, TypeName]) -> str:
    """A property's type as a short expression: ``string``, ``[]core/v1.EnvVar``,
    ``map[string]quantity``, ``core/v1.Probe``, ``object`` (free-form)."""
    ref = schema.get("$ref")
    if isinstance(ref, str):
        target = ref.rsplit("/", 1)[-1]
        if target in SCALARS:
            return SCALARS[target]
        name = names.get(target)
        return name.key if name else "object"
    if "oneOf" in schema or "anyOf" in schema:
        return "int-or-string"
    kinds = _types(schema)
    kind = kinds[0] if kinds else "object"
    if kind == "array":
        items = schema.get("items")
        return "[]" + (expression(items, names) if isinstance(items, Mapping) else "object")
    if kind == "object":
        values = schema.get("additionalProperties")
        if isinstance(values, Mapping) and values:
            return "map[string]" + expression(values, names)
        return "object"
    return kind  # string, integer, number, boolean


def refs_of(expr: str) -> str | None:
    """The type key an expression points to (through ``[]`` and ``map[string]``), if any."""
    while True:
        if expr.startswith("[]"):
            expr = expr[2:]
        elif expr.startswith("map[string]"):
            expr = expr[len("map[string]") :]
        else:
            return expr if "/" in expr else None


def collect(releases: Mapping[int, Mapping[str, Any]]) -> dict[str, TypeRecord]:
    """Every object definition with properties, over all releases."""
    groups = group_names(releases.values())
    records: dict[str, TypeRecord] = {}
    used_as: dict[str, set[str]] = {}
    for release, defs in releases.items():
        names = {n: t for n in defs if (t := type_name(n, groups)) is not None}
        for def_name, schema in defs.items():
            name = names.get(def_name)
            properties = schema.get("properties")
            if name is None or def_name in SCALARS or not isinstance(properties, Mapping):
                continue
            record = records.setdefault(name.key, TypeRecord(name))
            record.releases.append(release)
            _add_doc(record.docs, schema)
            for prop, prop_schema in properties.items():
                expr = expression(prop_schema, names)
                record.props.setdefault(prop, {})[release] = expr
                _add_doc(record.docs, prop_schema)
                target = refs_of(expr)
                if target is not None:
                    _add_doc(used_as.setdefault(target, set()), prop_schema)
            record.required[release] = frozenset(schema.get("required") or ())
            if (
                schema.get("x-kubernetes-group-version-kind")
                and record.props.get("metadata", {}).get(release) == "meta/v1.ObjectMeta"
            ):
                record.resource = True
    for key, docs in used_as.items():
        if key in records:
            records[key].docs |= docs
    return records


def _add_doc(docs: set[str], schema: Mapping[str, Any]) -> None:
    text = schema.get("description")
    if isinstance(text, str) and text.strip():
        docs.add(doc_hash(text))


def select_types(records: Mapping[str, TypeRecord], all_groups: bool) -> set[str]:
    """The kept keys: GA types of the kept groups that a resource embeds (directly or
    through other embedded types), closed under references."""
    embedded: set[str] = set()
    todo = [key for key, record in records.items() if record.resource]
    seen: set[str] = set()
    while todo:  # every type reachable from a resource kind through properties
        key = todo.pop()
        if key in seen or key not in records:
            continue
        seen.add(key)
        for target in _references(records[key]):
            embedded.add(target)
            todo.append(target)
    kept: set[str] = set()
    todo = [
        key
        for key in embedded
        if key in records
        and _GA_VERSION.fullmatch(records[key].name.version)
        and (all_groups or records[key].name.group in EMBEDDED_GROUPS)
    ]
    while todo:  # close under references so that every ref in the table resolves
        key = todo.pop()
        if key in kept or key not in records:
            continue
        kept.add(key)
        todo.extend(_references(records[key]))
    return kept


def _references(record: TypeRecord) -> set[str]:
    found: set[str] = set()
    for by_release in record.props.values():
        for expr in by_release.values():
            target = refs_of(expr)
            if target is not None and target != record.name.key:
                found.add(target)
    return found


def table(records: Mapping[str, TypeRecord], kept: set[str], releases: list[int]) -> dict[str, Any]:
    """The JSON document."""
    first, last = releases[0], releases[-1]
    types: dict[str, Any] = {}
    changed: list[str] = []
    for key in sorted(kept):
        record = records[key]
        entry: dict[str, Any] = {"kind": record.name.kind, "gv": _gv(record.name)}
        props: dict[str, str] = {}
        since: dict[str, int] = {}
        until: dict[str, int] = {}
        was: dict[str, list[tuple[int, str]]] = {}
        for prop in sorted(record.props):
            by_release = record.props[prop]
            newest = by_release[max(by_release)]
            older = {
                e: max(r for r, x in by_release.items() if x == e) for e in by_release.values()
            }
            del older[newest]
            if older:
                changed.append(f"{key}.{prop}: {sorted(set(by_release.values()))}")
                was[prop] = sorted((r, e) for e, r in older.items())
            props[prop] = newest
            if min(by_release) > min(record.releases):
                since[prop] = min(by_release)
            if max(by_release) < max(record.releases):
                until[prop] = max(by_release)
        entry["props"] = props
        if since:
            entry["since"] = since
        if until:
            entry["until"] = until
        if was:
            entry["was"] = was
        required = record.required[max(record.releases)]
        if required:
            entry["required"] = sorted(required)
        if len(record.props) <= DOCS_MAX_PROPS and record.docs:
            entry["docs"] = sorted(record.docs)
        if min(record.releases) > first or max(record.releases) < last:
            entry["releases"] = [min(record.releases), max(record.releases)]
        entry["anchor"] = record.name.anchor
        types[key] = entry
    for line in changed:
        print(
            f"note: property type changed across releases (kept in 'was'): {line}", file=sys.stderr
        )
    return {
        "about": (
            "Generated by gen_k8s_types.py from the Kubernetes OpenAPI definitions; do not edit. "
            "props: JSON property -> type (string, integer, number, boolean, int-or-string, "
            "quantity, time, object = free-form, a type key, []T, map[string]T), union over "
            "the releases; since/until: first/last release (minor of 1.x) that has the property, "
            "when not every release of the type does; was: older types of a property, as "
            "[last release with it, type]; docs (small types only): hashes of the "
            "type's, its properties' and its holders' descriptions (see "
            "crdoc.reports.k8s.doc_hash); "
            "releases: the type's own first/last release when narrower than the table's; "
            "doc_url: fill {anchor} with the type's anchor and {minor} with doc_release, or with "
            "the type's last release when it is older (its anchor is on that release's page)."
        ),
        "source": {
            "package": "kubernetes-validate",
            "package_version": source_version(),
            "files": "kubernetes_validate/kubernetes-json-schema/v1.NN.0-local/_definitions.json",
            "kubernetes": [f"1.{r}" for r in releases],
        },
        "doc_url": DOC_URL,
        "doc_release": f"1.{last}",
        "types": types,
    }


def _gv(name: TypeName) -> str:
    return f"{name.group}/{name.version}"


def verify_with_client(document: Mapping[str, Any]) -> int:
    """Compare the newest release's property sets with the ``kubernetes`` Python client's
    models (``V1Container.attribute_map`` …), when that package is installed; the number of
    types that disagree (0 when the client is absent or agrees)."""
    try:
        from kubernetes import __version__ as client_version
        from kubernetes.client import models
    except ImportError:
        print("kubernetes client not installed: skipped the cross-check", file=sys.stderr)
        return 0
    last = int(document["doc_release"].split(".")[1])
    checked = disagree = 0
    for key, entry in document["types"].items():
        if entry.get("releases", [0, last])[1] < last:
            continue  # gone before the newest release
        group, version = entry["gv"].split("/")
        prefix = version.capitalize()
        names = [prefix + entry["kind"]]
        # the client prefixes the group when two groups share a kind (CoreV1EventSeries)
        short = group.split(".")[0].capitalize()
        names.append(("Rbac" if short == "Rbac" else short) + prefix + entry["kind"])
        model = next((getattr(models, n) for n in names if hasattr(models, n)), None)
        if model is None:
            print(f"client has no model for {key}", file=sys.stderr)
            disagree += 1
            continue
        newest = {p for p in entry["props"] if p not in entry.get("until", {})}
        checked += 1
        if set(model.attribute_map.values()) != newest:
            disagree += 1
            print(f"client disagrees on {key}", file=sys.stderr)
    print(
        f"cross-check with kubernetes client {client_version}: {checked} types, {disagree} disagree"
    )
    return disagree


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schemas", type=Path, help="folder of v1.NN.0-local/_definitions.json")
    parser.add_argument("--out", type=Path, default=_OWN_PATH / "k8s_types.json")
    parser.add_argument("--min-release", type=int, default=25, help="oldest minor release (1.NN)")
    parser.add_argument("--all-groups", action="store_true", help="keep every GA API group")
    parser.add_argument(
        "--verify-client",
        action="store_true",
        help="cross-check the newest release with the kubernetes Python client's models",
    )
    args = parser.parse_args(argv)

    releases = load_releases(find_schema_dir(args.schemas), args.min_release)
    records = collect(releases)
    kept = select_types(records, args.all_groups)
    document = table(records, kept, list(releases))
    text = json.dumps(document, separators=(",", ":"), sort_keys=False) + "\n"
    args.out.write_text(text)
    print(
        f"wrote {args.out}: {len(kept)} types from Kubernetes "
        f"1.{min(releases)}-1.{max(releases)} (kubernetes-validate {source_version()}), "
        f"{len(text.encode())} bytes"
    )
    if args.verify_client and verify_with_client(document):
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
