"""Reading CustomResourceDefinition manifests (``apiextensions.k8s.io/v1`` and legacy ``v1beta1``)
into the model, one normalised shape for both."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from crdoc.errors import CrdocError
from crdoc.loading.helm.templating import PLACEHOLDER
from crdoc.loading.schema import KeyPath, LineFinder, SchemaError, walk_schema
from crdoc.model import ChartInfo, Crd, Version

API_GROUP = "apiextensions.k8s.io"

# The names the Kubernetes API server accepts in a CRD (apiextensions validation): a group is a
# DNS subdomain; kind and listKind are DNS-1035 labels once lower-cased; plural, singular, short
# names, categories and version names are DNS-1035 labels. Checking them here means no chart
# text outside descriptions and values ever reaches page names, titles or navigation.
_DNS_LABEL = re.compile(r"[a-z]([-a-z0-9]{0,61}[a-z0-9])?")
_DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_SCOPES = ("Namespaced", "Cluster")


def crd_manifests(data: Any) -> Iterator[tuple[Mapping[str, Any], KeyPath]]:
    """The CRD manifests in one parsed document, unwrapping ``kind: List``; others are ignored."""
    if not isinstance(data, Mapping):
        return
    if data.get("kind") == "List" and isinstance(data.get("items"), list):
        for index, item in enumerate(data["items"]):
            if _is_crd(item):
                yield item, ("items", index)
    elif _is_crd(data):
        yield data, ()


def _is_crd(data: Any) -> bool:
    return (
        isinstance(data, Mapping)
        and data.get("kind") == "CustomResourceDefinition"
        and str(data.get("apiVersion", "")).startswith(API_GROUP + "/")
    )


def read_crd(
    manifest: Mapping[str, Any],
    *,
    source: str,
    where: str,
    chart: ChartInfo | None,
    line_of: LineFinder,
    max_depth: int = 200,
) -> Crd:
    """One CRD manifest as a :class:`Crd`; a malformed one raises :class:`CrdocError`
    naming its line."""

    def fail(message: str, keys: KeyPath) -> CrdocError:
        return CrdocError(message, path=where, line=line_of(keys))

    spec = manifest.get("spec")
    if not isinstance(spec, Mapping):
        raise fail("CustomResourceDefinition has no 'spec' mapping", ())
    group = spec.get("group")
    if not isinstance(group, str) or not group:
        raise fail("CustomResourceDefinition has no 'spec.group'", ("spec",))
    names = spec.get("names")
    if not isinstance(names, Mapping):
        raise fail("CustomResourceDefinition has no 'spec.names' mapping", ("spec",))
    for required in ("kind", "plural"):
        if not isinstance(names.get(required), str) or not names.get(required):
            raise fail(
                f"CustomResourceDefinition has no 'spec.names.{required}'", ("spec", "names")
            )
    _check_names(spec, names, fail)

    try:
        versions = tuple(_versions(spec, max_depth))
    except SchemaError as exc:
        raise fail(str(exc), ("spec", *exc.keys)) from None
    if not versions:
        raise fail("CustomResourceDefinition has no versions", ("spec",))
    return Crd(
        group=group,
        plural=names["plural"],
        kind=names["kind"],
        singular=_text(names.get("singular")),
        list_kind=_text(names.get("listKind")),
        short_names=_strings(names.get("shortNames")),
        categories=_strings(names.get("categories")),
        scope=_text(spec.get("scope")) or "Namespaced",
        api_version=str(manifest.get("apiVersion")),
        sources=(source,),
        chart=chart,
        versions=versions,
    )


def _versions(spec: Mapping[str, Any], max_depth: int) -> Iterator[Version]:
    # Legacy v1beta1 puts schema, subresources and printer columns at the top of spec, for
    # every version that does not give its own; v1 has them per version only.
    shared_schema = _get(spec, "validation", "openAPIV3Schema")
    shared_schema_keys: KeyPath = ("validation", "openAPIV3Schema")
    shared_columns = spec.get("additionalPrinterColumns")
    shared_subresources = spec.get("subresources")

    entries = spec.get("versions")
    if entries is None and spec.get("version") is not None:
        entries = [{"name": spec["version"], "served": True, "storage": True}]
    if entries is None:
        return
    if not isinstance(entries, list):
        raise SchemaError("'versions' must be a list", ("versions",))
    for index, entry in enumerate(entries):
        keys: KeyPath = ("versions", index)
        if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str):
            raise SchemaError("each version must be a mapping with a 'name'", keys)
        schema = _get(entry, "schema", "openAPIV3Schema")
        schema_keys: KeyPath = (*keys, "schema", "openAPIV3Schema")
        if schema is None:
            schema, schema_keys = shared_schema, shared_schema_keys
        root, fields = (
            (None, ())
            if schema is None
            else walk_schema(schema, max_depth=max_depth, keys=schema_keys)
        )
        columns = entry.get("additionalPrinterColumns", shared_columns)
        subresources = entry.get("subresources", shared_subresources)
        yield Version(
            name=entry["name"],
            served=bool(entry.get("served", True)),
            storage=bool(entry.get("storage", len(entries) == 1)),
            deprecated=bool(entry.get("deprecated", False)),
            deprecation_warning=_text(entry.get("deprecationWarning")),
            printer_columns=tuple(
                _printer_column(c) for c in columns or () if isinstance(c, Mapping)
            ),
            subresources=subresources if isinstance(subresources, Mapping) else None,
            selectable_fields=tuple(
                f for f in entry.get("selectableFields") or () if isinstance(f, Mapping)
            ),
            schema=root,
            fields=fields,
        )


def _check_names(spec: Mapping[str, Any], names: Mapping[str, Any], fail: Any) -> None:
    """Refuse names the API server would refuse (see _DNS_LABEL), naming the offending key."""
    group = spec["group"]
    if len(group) > 253 or not _DNS_SUBDOMAIN.fullmatch(_untemplated(group)):
        raise fail(f"spec.group {group!r} is not a DNS subdomain", ("spec", "group"))
    checks: list[tuple[str, Any, bool]] = [
        ("kind", names.get("kind"), True),
        ("listKind", names.get("listKind"), True),
        ("plural", names.get("plural"), False),
        ("singular", names.get("singular"), False),
    ]
    checks += [("shortNames", n, False) for n in names.get("shortNames") or ()]
    checks += [("categories", n, False) for n in names.get("categories") or ()]
    for key, value, any_case in checks:
        if value is None:
            continue
        text = _untemplated(value.lower() if any_case and isinstance(value, str) else value)
        if not isinstance(text, str) or not _DNS_LABEL.fullmatch(text):
            raise fail(
                f"spec.names.{key} {value!r} is not a valid Kubernetes name", ("spec", "names", key)
            )
    scope = spec.get("scope")
    if scope is not None and scope not in _SCOPES:
        raise fail(f"spec.scope {scope!r} is not Namespaced or Cluster", ("spec", "scope"))
    for index, entry in enumerate(spec.get("versions") or ()):
        name = entry.get("name") if isinstance(entry, Mapping) else None
        if isinstance(name, str) and not _DNS_LABEL.fullmatch(name):
            raise fail(
                f"version name {name!r} is not a valid Kubernetes name",
                ("spec", "versions", index, "name"),
            )
    version = spec.get("version")
    if isinstance(version, str) and not _DNS_LABEL.fullmatch(version):
        raise fail(f"version name {version!r} is not a valid Kubernetes name", ("spec", "version"))


def _untemplated(value: Any) -> Any:
    """A name with templated parts (PLACEHOLDER, plain letters) checked as if they were names."""
    return value.replace(PLACEHOLDER, "t") if isinstance(value, str) else value


def _printer_column(column: Mapping[str, Any]) -> Mapping[str, Any]:
    """A printer column with the legacy ``JSONPath`` key spelt as v1 does, ``jsonPath``."""
    return {("jsonPath" if key == "JSONPath" else key): value for key, value in column.items()}


def _get(mapping: Mapping[str, Any], *keys: str) -> Any:
    found: Any = mapping
    for key in keys:
        if not isinstance(found, Mapping):
            return None
        found = found.get(key)
    return found


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list) else ()
