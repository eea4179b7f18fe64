"""The API server's defaulting, worked into a schema when it is written.

The API server applies a CRD's ``default`` values before it validates (apiextensions-apiserver's
structural defaulting), so a ``oneOf``/``anyOf``/``allOf``/``not`` branch that tests a defaulted
property sees the default. Plain JSON Schema sees the property missing: a branch ``{properties:
{type: {not: {enum: [IPAddress]}}}}`` beside ``type: {default: IPAddress}`` holds for an object
without ``type`` in JSON Schema, and fails in the cluster.

:func:`defaulted_branch` rewrites a branch so that judging an object *without* the defaults
gives what the original branch gives on the object *with* them. Everything needed is known when
the schema is written: for a defaulted property ``P`` the branch is worked out twice, once for
``P`` absent (what a validator sees) and once for ``P`` holding its default (what the API server
sees). Where the two differ the branch becomes ``{if: {required: [P]}, then: <branch>, else:
<branch with the default>}``, or just gains ``required: [P]`` when the default fails it.

:func:`accepts` judges a value (a default) against an OpenAPI v3 schema as kube-openapi's
validator does; :func:`apply_defaults` fills in nested defaults as the API server does.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Mapping
from functools import cache
from typing import Any, Final

from crdoc.goregex import UnportablePattern, translate
from crdoc.keywords import COMBINATORS, CONDITIONAL


class _Absent:
    """The property is not in the object (and no default fills it in)."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Final = _Absent()


def defaulted_branch(branch: Any, node: Mapping[str, Any]) -> Any:
    """``branch`` (a ``allOf``/``anyOf``/``oneOf`` member or the ``not`` of ``node``) rewritten
    so that a validator judging an object without its defaults agrees with the API server,
    which judges it with them. ``node`` is the structural schema the branch sits on."""
    if not isinstance(branch, Mapping):
        return branch
    branch = _deeper(branch, node)
    properties = node.get("properties")
    if not isinstance(properties, Mapping):
        return branch
    for name, schema in properties.items():
        if isinstance(schema, Mapping) and "default" in schema:
            default = apply_defaults(copy.deepcopy(schema["default"]), schema)
            branch = _rewrite(branch, name, default)
    return branch


def _deeper(branch: Mapping[str, Any], node: Mapping[str, Any]) -> dict[str, Any]:
    """The branch with its parts about child nodes (properties, items, map values) rewritten
    against the matching child of ``node``."""
    out = dict(branch)
    properties, main = out.get("properties"), node.get("properties")
    if isinstance(properties, Mapping) and isinstance(main, Mapping):
        out["properties"] = {
            name: defaulted_branch(sub, main[name]) if isinstance(main.get(name), Mapping) else sub
            for name, sub in properties.items()
        }
    for key in ("items", "additionalProperties"):
        if isinstance(out.get(key), Mapping) and isinstance(node.get(key), Mapping):
            out[key] = defaulted_branch(out[key], node[key])
    # Branches of the branch judge the same object: only their own child parts go deeper here;
    # _assume works them out for this node's defaults.
    for key in COMBINATORS:
        if isinstance(out.get(key), list):
            out[key] = [_deeper(b, node) if isinstance(b, Mapping) else b for b in out[key]]
    for key in ("not", *CONDITIONAL):
        if isinstance(out.get(key), Mapping):
            out[key] = _deeper(out[key], node)
    return out


def _rewrite(branch: dict[str, Any], name: str, default: Any) -> dict[str, Any]:
    """``branch`` made to judge a missing ``name`` as if it held ``default``."""
    defaulted = _assume(branch, name, default)
    if defaulted == _assume(branch, name, ABSENT):
        return branch  # the default changes nothing this branch says
    if defaulted is False:
        required = list(branch.get("required") or ())
        return {**branch, "required": [*required, name]}
    rewritten: dict[str, Any] = {"if": {"required": [name]}, "then": branch}
    if defaulted is not True:
        rewritten["else"] = defaulted
    return rewritten


def _assume(schema: Any, name: str, value: Any) -> Any:
    """``schema`` evaluated as far as it speaks of property ``name``, which holds ``value`` (or
    is :data:`ABSENT`): a schema about the other properties, or ``True``/``False``."""
    if not isinstance(schema, Mapping):
        return schema
    out = dict(schema)
    properties = out.get("properties")
    named = isinstance(properties, Mapping) and name in properties
    if named and isinstance(properties, Mapping):  # (named says so: mypy needs the check)
        if value is not ABSENT and not accepts(properties[name], value):
            return False
        rest = {k: v for k, v in properties.items() if k != name}
        if rest:
            out["properties"] = rest
        else:
            del out["properties"]
    required = out.get("required")
    if isinstance(required, list) and name in required:
        if value is ABSENT:
            return False
        rest_required = [r for r in required if r != name]
        if rest_required:
            out["required"] = rest_required
        else:
            del out["required"]
    if value is not ABSENT:
        # The default adds one property to the object's count.
        if isinstance(out.get("minProperties"), int):
            out["minProperties"] -= 1
            if out["minProperties"] <= 0:
                del out["minProperties"]
        if isinstance(out.get("maxProperties"), int):
            out["maxProperties"] -= 1
            if out["maxProperties"] < 0:
                return False
        extra = out.get("additionalProperties")
        if not named and (
            extra is False or (isinstance(extra, Mapping) and not accepts(extra, value))
        ):
            return False
    return _simplify_junctors(out, name, value)


def _simplify_junctors(out: dict[str, Any], name: str, value: Any) -> Any:
    """Work ``name`` = ``value`` into the node's own ``allOf``/``anyOf``/``oneOf``/``not`` and
    ``if``/``then``/``else``, folding branches that became ``True``/``False``."""
    merged: list[Any] = []
    if isinstance(out.get("allOf"), list):
        branches = [_assume(b, name, value) for b in out.pop("allOf")]
        if any(b is False for b in branches):
            return False
        merged.extend(b for b in branches if b is not True)
    if isinstance(out.get("anyOf"), list):
        branches = [_assume(b, name, value) for b in out.pop("anyOf")]
        if not any(b is True for b in branches):
            rest = [b for b in branches if b is not False]
            if not rest:
                return False
            out["anyOf"] = rest
    if isinstance(out.get("oneOf"), list):
        branches = [_assume(b, name, value) for b in out.pop("oneOf")]
        holding = sum(1 for b in branches if b is True)
        rest = [b for b in branches if not isinstance(b, bool)]
        if holding > 1:
            return False
        if holding == 1:
            if rest:
                merged.append({"not": {"anyOf": rest}})
        elif not rest:
            return False
        else:
            out["oneOf"] = rest
    if "not" in out:
        negated = _assume(out["not"], name, value)
        if negated is True:
            return False
        if negated is False:
            del out["not"]
        else:
            out["not"] = negated
    if "if" in out:
        condition = _assume(out.pop("if"), name, value)
        then = _assume(out.pop("then", True), name, value)
        otherwise = _assume(out.pop("else", True), name, value)
        if condition is True or condition is False:
            chosen = then if condition else otherwise
            if chosen is False:
                return False
            if chosen is not True:
                merged.append(chosen)
        else:
            out["if"] = condition
            if then is not True:
                out["then"] = then
            if otherwise is not True:
                out["else"] = otherwise
    if merged:
        out["allOf"] = merged
    return out or True  # nothing left to check


# --------------------------------------------------------------------------------------------
# Defaults and validation as the API server does them


def apply_defaults(value: Any, schema: Any) -> Any:
    """``value`` with the defaults of ``schema``'s properties, items and map values filled in,
    depth first (apiextensions-apiserver's structural ``Default``); changes ``value``."""
    if not isinstance(schema, Mapping):
        return value
    if isinstance(value, dict):
        properties = schema.get("properties")
        if isinstance(properties, Mapping):
            for name, sub in properties.items():
                if isinstance(sub, Mapping) and "default" in sub:
                    missing = name not in value
                    if missing or (value[name] is None and not sub.get("nullable")):
                        value[name] = copy.deepcopy(sub["default"])
            for name, sub in properties.items():
                if name in value:
                    apply_defaults(value[name], sub)
        extra = schema.get("additionalProperties")
        if isinstance(extra, Mapping):
            known = properties if isinstance(properties, Mapping) else {}
            for name, item in value.items():
                if name not in known:
                    apply_defaults(item, extra)
    elif isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        for item in value:
            apply_defaults(item, schema["items"])
    return value


def accepts(schema: Any, value: Any) -> bool:
    """Whether kube-openapi's validator accepts ``value`` under the OpenAPI v3 ``schema``
    (formats and CEL rules aside: neither decides a branch)."""
    if schema is True or not isinstance(schema, Mapping):
        return schema is not False
    if value is None:
        # kube-openapi checks only the type and enum of a null: never the rest. A null is never
        # in an enum (its check skips null members).
        types = _types(schema)
        if types and "null" not in types and not schema.get("nullable"):
            return False
        return not schema.get("enum")
    types = _types(schema)
    if types and not any(_is_type(value, t) for t in types):
        return False
    if isinstance(schema.get("enum"), list) and not any(_equal(value, e) for e in schema["enum"]):
        return False
    if not all(check(schema, value) for check in _CHECKS):
        return False
    if not all(accepts(b, value) for b in schema.get("allOf") or ()):
        return False
    if isinstance(schema.get("anyOf"), list) and not any(
        accepts(b, value) for b in schema["anyOf"]
    ):
        return False
    one_of = schema.get("oneOf")
    if isinstance(one_of, list) and sum(1 for b in one_of if accepts(b, value)) != 1:
        return False
    return not ("not" in schema and accepts(schema["not"], value))


def _types(schema: Mapping[str, Any]) -> list[str]:
    if schema.get("x-kubernetes-int-or-string"):
        return ["integer", "string"]
    kind = schema.get("type")
    if isinstance(kind, str):
        return [kind]
    return [k for k in kind if isinstance(k, str)] if isinstance(kind, list) else []


def _is_type(value: Any, kind: str) -> bool:
    if kind == "object":
        return isinstance(value, dict)
    if kind == "array":
        return isinstance(value, list)
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if kind == "integer":
        return isinstance(value, int) or (math.isfinite(value) and value == int(value))
    return kind == "number"


def _equal(left: Any, right: Any) -> bool:
    """JSON equality: ``1`` and ``1.0`` are equal, ``1`` and ``true`` are not."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if isinstance(left, dict) and isinstance(right, Mapping):
        return left.keys() == right.keys() and all(_equal(left[k], right[k]) for k in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(
            _equal(a, b) for a, b in zip(left, right, strict=True)
        )
    numbers = isinstance(left, int | float) and isinstance(right, int | float)
    return (numbers or type(left) is type(right)) and left == right


def _strings(schema: Mapping[str, Any], value: Any) -> bool:
    if not isinstance(value, str):
        return True
    low, high = schema.get("minLength"), schema.get("maxLength")
    if isinstance(low, int) and len(value) < low:
        return False
    if isinstance(high, int) and len(value) > high:
        return False
    pattern = schema.get("pattern")
    return not isinstance(pattern, str) or _matches(pattern, value)


@cache
def _compiled(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(translate(pattern))
    except (UnportablePattern, re.error):
        return None


def _matches(pattern: str, value: str) -> bool:
    compiled = _compiled(pattern)
    # A pattern only Go reads is not checked by the exported schema either.
    return compiled is None or compiled.search(value) is not None


def _numbers(schema: Mapping[str, Any], value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return True
    low, high = _number(schema.get("minimum")), _number(schema.get("maximum"))
    if low is not None and (
        value < low or (schema.get("exclusiveMinimum") is True and value == low)
    ):
        return False
    if high is not None and (
        value > high or (schema.get("exclusiveMaximum") is True and value == high)
    ):
        return False
    step = schema.get("multipleOf")
    if isinstance(step, int | float) and not isinstance(step, bool) and step > 0:
        quotient = value / step
        if not math.isclose(quotient, round(quotient), rel_tol=0, abs_tol=1e-9):
            return False
    return True


def _number(value: Any) -> float | None:
    return None if isinstance(value, bool) or not isinstance(value, int | float) else value


def _arrays(schema: Mapping[str, Any], value: Any) -> bool:
    if not isinstance(value, list):
        return True
    low, high = schema.get("minItems"), schema.get("maxItems")
    if isinstance(low, int) and len(value) < low:
        return False
    if isinstance(high, int) and len(value) > high:
        return False
    if schema.get("uniqueItems") is True:
        for index, item in enumerate(value):
            if any(_equal(item, other) for other in value[:index]):
                return False
    items = schema.get("items")
    return not isinstance(items, Mapping) or all(accepts(items, item) for item in value)


def _objects(schema: Mapping[str, Any], value: Any) -> bool:
    if not isinstance(value, dict):
        return True
    low, high = schema.get("minProperties"), schema.get("maxProperties")
    if isinstance(low, int) and len(value) < low:
        return False
    if isinstance(high, int) and len(value) > high:
        return False
    if any(name not in value for name in schema.get("required") or ()):
        return False
    properties = schema.get("properties")
    known = properties if isinstance(properties, Mapping) else {}
    extra = schema.get("additionalProperties")
    for name, item in value.items():
        if name in known:
            if not accepts(known[name], item):
                return False
        elif extra is False or (isinstance(extra, Mapping) and not accepts(extra, item)):
            return False
    return True


_CHECKS = (_strings, _numbers, _arrays, _objects)
