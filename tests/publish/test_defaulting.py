"""``crdoc.publish.defaulting``: branches judged after defaulting, as the API server judges them.

The exported schema of each node below is checked against an emulation of the API server
(:func:`apply_defaults` then :func:`accepts`) on every object built from a few values per
property, present or absent.
"""

from __future__ import annotations

import copy
import itertools
from typing import Any

import pytest
from jsonschema import Draft7Validator

from crdoc.publish.defaulting import ABSENT, accepts, apply_defaults, defaulted_branch
from crdoc.publish.jsonschema import convert

# (id, OpenAPI node, {property: values to try (ABSENT: left out)})
NODES: list[tuple[str, dict[str, Any], dict[str, list[Any]]]] = [
    (
        "oneOf over a defaulted type",
        {
            "type": "object",
            "properties": {
                "type": {"type": "string", "default": "IPAddress"},
                "value": {"type": "string"},
            },
            "oneOf": [
                {
                    "properties": {
                        "type": {"enum": ["IPAddress"]},
                        "value": {"pattern": r"^\d+\.\d+\.\d+\.\d+$"},
                    }
                },
                {"properties": {"type": {"not": {"enum": ["IPAddress"]}}}},
            ],
        },
        {"type": [ABSENT, "IPAddress", "Hostname"], "value": [ABSENT, "10.0.0.1", "example.com"]},
    ),
    (
        "anyOf: the default needs another field",
        {
            "type": "object",
            "properties": {
                "protocol": {"type": "string", "default": "HTTPS"},
                "certificate": {"type": "string"},
            },
            "anyOf": [
                {"properties": {"protocol": {"enum": ["HTTP"]}}},
                {"required": ["certificate"]},
            ],
        },
        {"protocol": [ABSENT, "HTTP", "HTTPS"], "certificate": [ABSENT, "c"]},
    ),
    (
        "required in a branch, met by the default",
        {
            "type": "object",
            "properties": {
                "port": {"type": "integer", "default": 80},
                "socket": {"type": "string"},
            },
            "oneOf": [{"required": ["port"]}, {"required": ["socket"]}],
        },
        {"port": [ABSENT, 8080], "socket": [ABSENT, "/run/s"]},
    ),
    (
        "not, two defaults in one branch",
        {
            "type": "object",
            "properties": {
                "mode": {"type": "string", "default": "fast"},
                "level": {"type": "integer", "default": 5},
            },
            "not": {"properties": {"mode": {"enum": ["fast"]}, "level": {"maximum": 3}}},
        },
        {"mode": [ABSENT, "fast", "slow"], "level": [ABSENT, 1, 5]},
    ),
    (
        "nested branches and property counts",
        {
            "type": "object",
            "properties": {
                "a": {"type": "string", "default": "x"},
                "b": {"type": "string"},
                "c": {"type": "string"},
            },
            "allOf": [
                {"anyOf": [{"properties": {"a": {"enum": ["y"]}}}, {"required": ["b"]}]},
                {"maxProperties": 2},
            ],
        },
        {"a": [ABSENT, "x", "y"], "b": [ABSENT, "b"], "c": [ABSENT, "c"]},
    ),
    (
        "a default filled in below a defaulted object",
        {
            "type": "object",
            "properties": {
                "tls": {
                    "type": "object",
                    "default": {},
                    "properties": {"mode": {"type": "string", "default": "strict"}},
                },
                "insecure": {"type": "boolean"},
            },
            "oneOf": [
                {"properties": {"tls": {"properties": {"mode": {"enum": ["off"]}}}}},
                {"required": ["insecure"]},
            ],
        },
        {"tls": [ABSENT, {}, {"mode": "off"}, {"mode": "strict"}], "insecure": [ABSENT, True]},
    ),
    (
        "branch about a child object's default",
        {
            "type": "object",
            "properties": {
                "limits": {
                    "type": "object",
                    "properties": {"cpu": {"type": "integer", "default": 2}},
                },
            },
            "anyOf": [{"properties": {"limits": {"properties": {"cpu": {"maximum": 1}}}}}],
        },
        {"limits": [ABSENT, {}, {"cpu": 1}, {"cpu": 4}]},
    ),
]


def _objects(values: dict[str, list[Any]]) -> list[dict[str, Any]]:
    names = list(values)
    return [
        {name: value for name, value in zip(names, combo, strict=True) if value is not ABSENT}
        for combo in itertools.product(*(values[n] for n in names))
    ]


def _api_server(node: dict[str, Any], instance: dict[str, Any]) -> bool:
    return accepts(node, apply_defaults(copy.deepcopy(instance), node))


@pytest.mark.parametrize(("node", "values"), [pytest.param(n, v, id=i) for i, n, v in NODES])
def test_exported_schema_judges_as_the_api_server(
    node: dict[str, Any], values: dict[str, list[Any]]
) -> None:
    validator = Draft7Validator(convert(node, strict=False))
    verdicts = set()
    for instance in _objects(values):
        expected = _api_server(node, instance)
        assert validator.is_valid(instance) is expected, instance
        verdicts.add(expected)
    assert verdicts == {True, False}  # each node tells some objects apart


@pytest.mark.parametrize(("node", "values"), [pytest.param(n, v, id=i) for i, n, v in NODES])
def test_plain_json_schema_disagrees(node: dict[str, Any], values: dict[str, list[Any]]) -> None:
    """Each node is a case where reading the branches without the defaults goes wrong."""
    plain = Draft7Validator(node)
    assert any(plain.is_valid(i) is not _api_server(node, i) for i in _objects(values))


def test_rewrites_are_minimal() -> None:
    """A branch the default satisfies exactly as absence does is left alone; one the default
    fails needs the property; anything else gets if/then/else."""
    node = NODES[0][1]
    first, second = (defaulted_branch(b, node) for b in node["oneOf"])
    assert first == node["oneOf"][0]
    assert second == {**node["oneOf"][1], "required": ["type"]}
    node = NODES[2][1]
    assert defaulted_branch(node["oneOf"][0], node) == {
        "if": {"required": ["port"]},
        "then": {"required": ["port"]},
    }


def test_defaults_filled_in() -> None:
    node = NODES[5][1]
    assert apply_defaults({}, node) == {"tls": {"mode": "strict"}}
    assert apply_defaults({"tls": None}, node) == {"tls": {"mode": "strict"}}  # not nullable
    items = {"type": "array", "items": node}
    assert apply_defaults([{"insecure": True}], items) == [
        {"tls": {"mode": "strict"}, "insecure": True}
    ]


@pytest.mark.parametrize(
    ("schema", "value", "ok"),
    [
        ({"type": "integer"}, 1.0, True),
        ({"type": "integer"}, True, False),
        ({"type": "number", "minimum": 1, "exclusiveMinimum": True}, 1, False),
        ({"x-kubernetes-int-or-string": True}, "10%", True),
        ({"type": "string", "nullable": True}, None, True),
        ({"type": "string", "nullable": True, "enum": ["a", None]}, None, False),
        ({"type": "string", "pattern": "^(?i)ab$"}, "AB", True),
        ({"type": "array", "uniqueItems": True}, [1, 1.0], False),
        ({"enum": [1]}, True, False),
        ({"type": "object", "additionalProperties": {"type": "string"}}, {"a": 1}, False),
        ({"oneOf": [{"minimum": 1}, {"maximum": 5}]}, 3, False),
    ],
)
def test_accepts(schema: dict[str, Any], value: Any, ok: bool) -> None:
    assert accepts(schema, value) is ok
