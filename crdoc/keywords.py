"""The OpenAPI v3 and Kubernetes schema keywords crdoc treats by name, in one place: what shapes
the field tree, what constrains a value, what only informs, and what the outputs show where;
and the fields every Kubernetes object has."""

from __future__ import annotations

#: Keywords that shape the field tree rather than describe one field.
STRUCTURAL = frozenset({"properties", "items", "additionalProperties", "required"})

#: Combinations of subschemas (kept as facts of their field, never fields of their own).
COMBINATORS = ("allOf", "anyOf", "oneOf")

#: The logical keywords: combinations and negation of subschemas, which only narrow their node.
LOGICAL = (*COMBINATORS, "not")

#: JSON Schema's conditionals: never in a CRD; crdoc's JSON Schema export writes them
#: (crdoc.publish.defaulting, crdoc.publish.jsonschema).
CONDITIONAL = ("if", "then", "else")

#: Lower and upper bounds, in pairs (``minimum`` goes with ``maximum``).
LOWER_BOUNDS = ("minimum", "minLength", "minItems", "minProperties")
UPPER_BOUNDS = ("maximum", "maxLength", "maxItems", "maxProperties")

#: Every keyword that constrains a value (its readable form: crdoc.render.present.constraints).
CONSTRAINTS = frozenset(
    {*LOWER_BOUNDS, *UPPER_BOUNDS, "multipleOf", "pattern", "uniqueItems", *LOGICAL}
)

#: Keywords that describe and never validate: a change to one breaks no client. (``default``
#: validates nothing either, but changes what a stored object means: crdoc.reports.diff.)
INFORMATIONAL = frozenset({"description", "title", "example", "externalDocs"})

#: Keywords a field's heading and summary line show (type, format, default …), so its list of
#: facts says nothing of them.
SUMMARISED = frozenset(
    {
        "description",
        "type",
        "format",
        "default",
        "title",
        "x-kubernetes-int-or-string",
        "x-kubernetes-preserve-unknown-fields",
        "x-kubernetes-embedded-resource",
        "additionalProperties",
        "exclusiveMinimum",
        "exclusiveMaximum",
    }
)

#: Keywords a field's block shows under a heading of their own (or not at all); any other
#: keyword is listed as it is, under "other facts".
SHOWN_BY_NAME = (
    CONSTRAINTS
    | SUMMARISED
    | {
        "enum",
        "x-kubernetes-validations",
        "x-kubernetes-list-type",
        "x-kubernetes-list-map-keys",
        "x-kubernetes-map-type",
        "items",
        "nullable",
        "example",
    }
)


#: Kubernetes' own words for the fields every object has (``kubectl explain`` shows them), for
#: CRDs that leave them undescribed; such fields are marked "standard" and not counted as
#: undocumented.
STANDARD_FIELDS = {
    "apiVersion": "APIVersion defines the versioned schema of this representation of an "
    "object. Servers should convert recognized schemas to the latest internal value, and may "
    "reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/"
    "sig-architecture/api-conventions.md#resources",
    "kind": "Kind is a string value representing the REST resource this object represents. "
    "Servers may infer this from the endpoint the client submits requests to. Cannot be "
    "updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/"
    "sig-architecture/api-conventions.md#types-kinds",
    "metadata": "Standard object's metadata. More info: https://git.k8s.io/community/"
    "contributors/devel/sig-architecture/api-conventions.md#metadata",
}
