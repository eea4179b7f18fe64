"""The documented object tree: chart → CRD → version → field, frozen, ordered, read by renderers.

Schema facts (``description``, ``enum``, ``minimum``, ``x-kubernetes-validations`` …) are kept
on each field exactly as the schema spells them, in schema order, so no keyword is ever lost;
properties below give the ones renderers ask for by name. Facts are the loaded JSON-like data
in plain dicts (cheap to build, and to pickle between the processes that read a big chart) and
must be treated as read-only: equal facts are one object shared by every field that has them
(see :class:`crdoc.loading.schema.Sharing`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

#: Statuses a maintainer may give a CRD, version or field in an annotations file.
STATUSES = ("non-functional", "cloud-only", "deprecated", "experimental", "internal")


_EMPTY: Mapping[str, Any] = MappingProxyType({})
_QUANTITY_PATTERN = re.compile(r"^\^\(\\\+\|-\)\?\(\(\[0-9\]\+")


@dataclass(frozen=True, slots=True, kw_only=True)
class Field:
    """One schema node below a version's root, reached through ``properties``,
    ``additionalProperties`` (name ``*``) and, transparently, array ``items``."""

    path: str
    """Dotted path from the resource root: ``spec.primarySpec.resources.cpu``."""
    name: str
    """The last segment of the path (``*`` for a map's values)."""
    depth: int
    """0 for a top-level field such as ``spec``."""
    required: bool
    """Listed in the enclosing object's ``required``."""
    facts: Mapping[str, Any] = field(default_factory=dict)
    """The node's schema keywords but the structural ones; an array's item facts under ``items``."""
    children: tuple[Field, ...] = ()
    """Fields one level down, in schema order."""

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled by value, twice as fast as the generic frozen-dataclass state (worker
        # processes send every field of a big chart back).
        return new_field, (
            self.path,
            self.name,
            self.depth,
            self.required,
            self.facts,
            self.children,
        )

    @property
    def type(self) -> str | None:
        """The raw OpenAPI ``type``, if the schema gives one."""
        return self.facts.get("type")

    @property
    def description(self) -> str:
        """The schema's description, ``""`` when there is none."""
        value = self.facts.get("description")
        return value if isinstance(value, str) else ""

    @property
    def is_documented(self) -> bool:
        """Whether the field has a description with any text in it."""
        return bool(self.description.strip())

    @property
    def has_default(self) -> bool:
        """Whether a default is given (it may be ``0``, ``false`` or ``""``)."""
        return "default" in self.facts

    @property
    def default(self) -> Any:
        """The default value (``None`` when absent: ask :attr:`has_default`)."""
        return self.facts.get("default")

    @property
    def enum(self) -> tuple[Any, ...]:
        """Allowed values, or an empty tuple; for an array, its items' allowed values."""
        values = self.facts.get("enum")
        if values is None:
            values = self.items.get("enum")
        return tuple(values) if isinstance(values, list) else ()

    @property
    def items(self) -> Mapping[str, Any]:
        """Facts of an array's item schema (empty for non-arrays)."""
        value = self.facts.get("items")
        return value if isinstance(value, Mapping) else _EMPTY

    @property
    def validations(self) -> tuple[Mapping[str, Any], ...]:
        """CEL rules (``x-kubernetes-validations``) of the field and of its array items."""
        rules: list[Mapping[str, Any]] = []
        for source in (self.facts, self.items):
            value = source.get("x-kubernetes-validations")
            if isinstance(value, list):
                rules.extend(rule for rule in value if isinstance(rule, Mapping))
        return tuple(rules)

    @property
    def parent_path(self) -> str | None:
        """Path of the enclosing field, ``None`` at the top level."""
        head, dot, _ = self.path.rpartition(".")
        return head if dot else None

    @property
    def anchor(self) -> str:
        """A stable HTML id for the field, the same in every build and every version."""
        return anchor_for(self.path)

    @property
    def is_free_form(self) -> bool:
        """Accepted but not checked: unknown fields preserved and no properties declared."""
        return bool(self.facts.get("x-kubernetes-preserve-unknown-fields")) and not self.children

    @property
    def type_label(self) -> str:
        """The field's type in Kubernetes terms: ``[]object``, ``map[string]string``,
        ``int-or-string``, ``Quantity``, ``string (date-time)``."""
        return _type_label(self.facts, self.children)


_new = object.__new__
_set = object.__setattr__


def new_field(
    path: str,
    name: str,
    depth: int,
    required: bool,
    facts: Mapping[str, Any],
    children: tuple[Field, ...],
) -> Field:
    """``Field(path=…, …)`` without keyword handling: for the schema walker and unpickling,
    which build millions."""
    item = _new(Field)
    _set(item, "path", path)
    _set(item, "name", name)
    _set(item, "depth", depth)
    _set(item, "required", required)
    _set(item, "facts", facts)
    _set(item, "children", children)
    return item


def object_node(item: Field) -> Field | None:
    """The field standing for the object ``item`` holds: ``item`` itself (``object`` or
    ``[]object``), the ``*`` child of a ``map[string]object``, or ``None`` (a scalar, a
    free-form object)."""
    if not item.children:
        return None
    if all(child.name == "*" for child in item.children):
        return object_node(item.children[0])
    return item


def anchor_for(path: str) -> str:
    """An id for a field path: the path itself, characters outside ``[A-Za-z0-9._-]`` encoded."""
    if _SAFE_ANCHOR.fullmatch(path):  # nearly every path: nothing to encode
        return path
    return "".join(c if c.isascii() and (c.isalnum() or c in "._-") else _escape(c) for c in path)


_SAFE_ANCHOR = re.compile(r"[A-Za-z0-9._-]*")


def _escape(char: str) -> str:
    # "~" and the UTF-8 bytes in hex: self-delimiting, so two paths never share an anchor.
    return "~" + char.encode().hex()


def _type_label(facts: Mapping[str, Any], children: tuple[Field, ...]) -> str:
    if facts.get("x-kubernetes-int-or-string"):
        pattern = facts.get("pattern")
        if isinstance(pattern, str) and _QUANTITY_PATTERN.match(pattern):
            return "Quantity"
        return "int-or-string"
    kind = facts.get("type")
    if kind == "array":
        items = facts.get("items")
        if isinstance(items, Mapping):
            return "[]" + _type_label(items, children)
        return "[]" + ("object" if children else "any")
    if kind == "object" or (kind is None and children):
        values = [child for child in children if child.name == "*"]
        if values and len(values) == len(children):
            return "map[string]" + values[0].type_label
        if facts.get("x-kubernetes-embedded-resource"):
            return "object (embedded resource)"
        return "object"
    if kind is None:
        return "any"
    fmt = facts.get("format")
    return f"{kind} ({fmt})" if isinstance(fmt, str) and fmt else str(kind)


@dataclass(frozen=True, slots=True, kw_only=True)
class Version:
    """One entry of a CRD's ``spec.versions`` (or its single legacy ``spec.version``)."""

    name: str
    served: bool
    storage: bool
    deprecated: bool = False
    deprecation_warning: str | None = None
    printer_columns: tuple[Mapping[str, Any], ...] = ()
    """``additionalPrinterColumns``, legacy ``JSONPath`` spelt ``jsonPath``."""
    subresources: Mapping[str, Any] | None = None
    selectable_fields: tuple[Mapping[str, Any], ...] = ()
    schema: Mapping[str, Any] | None = None
    """Facts of the ``openAPIV3Schema`` root (``None``: the version has no schema)."""
    fields: tuple[Field, ...] = ()
    """Every field, depth-first in schema order, parents before children."""

    @property
    def roots(self) -> tuple[Field, ...]:
        """The top-level fields (``apiVersion``, ``kind``, ``metadata``, ``spec``, ``status`` …)."""
        return tuple(f for f in self.fields if f.depth == 0)

    @property
    def description(self) -> str:
        """The root schema's description, ``""`` when there is none."""
        value = (self.schema or _EMPTY).get("description")
        return value if isinstance(value, str) else ""

    @property
    def undocumented_fields(self) -> tuple[Field, ...]:
        """Fields without a description."""
        return tuple(f for f in self.fields if not f.is_documented)


@dataclass(frozen=True, slots=True, kw_only=True)
class ChartInfo:
    """The Helm chart a CRD came from (from its ``Chart.yaml``)."""

    name: str
    version: str | None = None
    app_version: str | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Crd:
    """One CustomResourceDefinition, keyed by ``group/plural``."""

    group: str
    plural: str
    kind: str
    singular: str | None = None
    list_kind: str | None = None
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    scope: str = "Namespaced"
    api_version: str = "apiextensions.k8s.io/v1"
    """The apiextensions version the CRD manifest was written in."""
    sources: tuple[str, ...] = ()
    """Where it was found, relative to the source; ``!`` separates an archive from its member."""
    chart: ChartInfo | None = None
    versions: tuple[Version, ...] = ()

    @property
    def key(self) -> str:
        """``group/plural``: unique within a catalog (kinds repeat across groups)."""
        return f"{self.group}/{self.plural}"

    @property
    def name(self) -> str:
        """The CRD's Kubernetes object name, ``plural.group``."""
        return f"{self.plural}.{self.group}"

    @property
    def storage_version(self) -> Version | None:
        """The version stored in etcd (the first one if none says so)."""
        for version in self.versions:
            if version.storage:
                return version
        return self.versions[0] if self.versions else None

    @property
    def description(self) -> str:
        """The description of the storage version's root schema, ``""`` when there is none."""
        version = self.storage_version
        return version.description if version else ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Catalog:
    """Every CRD found in one source, sorted by group then plural."""

    source: str
    """The source as given (path or URL)."""
    chart: ChartInfo | None = None
    """The top-level chart, when the source is a chart."""
    crds: tuple[Crd, ...] = ()
    warnings: tuple[str, ...] = field(default=(), compare=False)
    """Problems skipped with ``skip_invalid``, as ``path:line: message``."""

    @property
    def groups(self) -> Mapping[str, tuple[Crd, ...]]:
        """CRDs by API group, groups in sorted order."""
        grouped: dict[str, list[Crd]] = {}
        for crd in self.crds:
            grouped.setdefault(crd.group, []).append(crd)
        return {group: tuple(crds) for group, crds in grouped.items()}

    def find(self, key: str) -> Crd | None:
        """The CRD with key ``group/plural``, if any."""
        return next((crd for crd in self.crds if crd.key == key), None)


def openapi_schema(version: Version) -> dict[str, Any]:
    """A version's OpenAPI v3 schema as the CRD gave it, rebuilt from its field tree (the
    JSON Schemas and the example search start from it)."""
    return _node(dict(version.schema or {}), version.roots)


def _node(facts: Mapping[str, Any], children: tuple[Field, ...]) -> dict[str, Any]:
    """One schema node from its facts and the fields below it (seen through array items, as
    :mod:`crdoc.loading.schema` walks them)."""
    node = {k: v for k, v in facts.items() if k != "items"}
    items = facts.get("items")
    if isinstance(items, Mapping):
        # The children belong to the innermost item schema.
        node["items"] = _node(items, children)
        return node
    if items is not None:
        node["items"] = items
    properties = {c.name: _node(c.facts, c.children) for c in children if c.name != "*"}
    if properties:
        node["properties"] = properties
        required = [c.name for c in children if c.required and c.name != "*"]
        if required:
            node["required"] = required
    for child in children:
        if child.name == "*":
            node["additionalProperties"] = _node(child.facts, child.children)
    return node
