"""The reports of an API diff (:mod:`crdoc.reports.diff`), each change worded alike:
:func:`format_text` (a terminal), :func:`format_json` (plain data); the Markdown of release
notes and the site's "Changes since" page is the template ``changes.md.jinja``, which lists
:func:`shown_changes` worded by :func:`describe_markdown`. All three say what breaking means
(:data:`~crdoc.reports.diff.BREAKING_MEANS`) and classify each change alike.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple

from markupsafe import Markup

from crdoc.render.markup import code, json_value
from crdoc.reports.diff import BREAKING_MEANS, ApiDiff, Change

#: Version of the :func:`format_json` shape.
DIFF_SCHEMA_VERSION = 1

Style = Callable[[Any], str]


def _plain_code(value: Any) -> str:
    return value if isinstance(value, str) else json_value(value)


def _plain_value(value: Any) -> str:
    return json_value(value)


def _md_code(value: Any) -> str:
    return str(code(value))


def _md_value(value: Any) -> str:
    return str(code(json_value(value)))


def _describe(change: Change, as_code: Style, as_value: Style) -> str:
    """One change in words; ``as_code`` formats names and paths, ``as_value`` schema values."""
    kind = change.kind
    where = ""
    if change.path is not None:
        where = "root schema" if change.path == "" else "field " + as_code(change.path)
    elif change.version is not None and kind not in ("version-added", "version-removed"):
        where = "version " + as_code(change.version)
    simple = {
        "crd-added": "CRD added",
        "crd-removed": "CRD removed",
        "version-added": f"version {as_code(change.version)} added",
        "version-removed": f"version {as_code(change.version)} removed",
        "version-served": "now served",
        "version-unserved": "no longer served",
        "version-deprecated": "deprecated",
        "version-undeprecated": "no longer deprecated",
        "printer-columns-changed": "printer columns changed",
        "field-required": "became required",
        "field-optional": "no longer required",
    }
    if kind in simple:
        text = simple[kind]
    elif kind == "field-added":
        text = f"added ({as_code(change.new)}{', required' if change.breaking else ''})"
    elif kind == "field-removed":
        text = f"removed ({as_code(change.old)})"
    elif kind == "storage-version-changed":
        text = f"storage version changed from {as_code(change.old)} to {as_code(change.new)}"
    elif kind in ("kind-changed", "scope-changed", "deprecation-warning-changed"):
        label = kind.removesuffix("-changed").replace("-", " ")
        text = f"{label} changed from {as_value(change.old)} to {as_value(change.new)}"
    elif kind == "short-names-changed":
        text = "short names changed" + _members(change, as_value)
    elif kind.startswith("subresource-"):
        text = f"subresource {as_code(change.keyword)} {kind.removeprefix('subresource-')}"
    elif kind == "description-changed":
        label = "description" if change.keyword == "description" else as_code(change.keyword)
        text = f"{label} {_presence(change)}"
    elif kind == "validation-messages-changed":
        text = f"{as_code(change.keyword)} rule messages changed"
    elif kind.startswith("enum-") or kind.startswith("validation-"):
        base = "enum" if kind.startswith("enum-") else "x-kubernetes-validations"
        label = "enum" if base == "enum" else "validation rules"
        if change.keyword != base:
            label = f"{as_code(change.keyword)} {'values' if base == 'enum' else 'rules'}"
        verb = kind.split("-")[-1]
        text = f"{label} {verb}{_members(change, as_value)}"
    else:
        text = f"{as_code(change.keyword)} "
        if change.old is None:
            text += f"added: {as_value(change.new)}"
        elif change.new is None:
            text += f"removed (was {as_value(change.old)})"
        else:
            text += f"changed from {as_value(change.old)} to {as_value(change.new)}"
    prefix = f"{as_code(change.version)}: " if change.version and change.path is not None else ""
    return f"{prefix}{where + ' ' if where else ''}{text}"


def _presence(change: Change) -> str:
    if change.old is None:
        return "added"
    return "removed" if change.new is None else "changed"


def _members(change: Change, as_value: Style) -> str:
    parts = []
    if change.added:
        parts.append("added " + ", ".join(as_value(v) for v in change.added))
    if change.removed:
        parts.append("removed " + ", ".join(as_value(v) for v in change.removed))
    return f" ({'; '.join(parts)})" if parts else ""


class ShownChange(NamedTuple):
    """A change as reports list it."""

    change: Change
    folded: int
    """How many fields added or removed with it are counted under it instead of listed."""

    @property
    def breaking(self) -> bool:
        """Whether the change is breaking."""
        return self.change.breaking


def shown_changes(changes: Iterable[Change]) -> Iterator[ShownChange]:
    """Changes to show, with the number of fields folded under each: a field added or removed
    with its parent is counted under the parent's line instead of listed."""
    items = list(changes)
    folded: dict[int, int] = {}
    heads: dict[tuple[str | None, str], int] = {}
    for index, change in enumerate(items):
        if change.kind not in ("field-added", "field-removed") or not change.path:
            continue
        parent = change.path.rpartition(".")[0]
        head = None
        while parent:
            head = heads.get((change.version, change.kind + ":" + parent))
            if head is not None:
                break
            parent = parent.rpartition(".")[0]
        if head is not None and items[head].breaking == change.breaking:
            # Folded only under a line of the same classification: a breaking change is never
            # hidden under a line that is not.
            folded[head] = folded.get(head, 0) + 1
            folded[index] = -1
            heads[(change.version, change.kind + ":" + change.path)] = head
        else:
            heads[(change.version, change.kind + ":" + change.path)] = index
    for index, change in enumerate(items):
        count = folded.get(index, 0)
        if count >= 0:
            yield ShownChange(change, count)


def _counts(diff: ApiDiff) -> tuple[int, int]:
    breaking = sum(1 for c in diff.changes if c.breaking)
    return breaking, len(diff.changes) - breaking


def _line(change: Change, count: int, as_code: Style, as_value: Style) -> str:
    text = _describe(change, as_code, as_value)
    if count:
        text += f", with {count} field{'s' if count != 1 else ''} below it"
    return text


#: The mark of a breaking change in :func:`format_text`, and its explanation.
BREAKING_MARK = "!"
TEXT_LEGEND = f"{BREAKING_MARK} marks a breaking change: {BREAKING_MEANS}."


def format_text(diff: ApiDiff) -> str:
    """A plain-text report: a summary line, what the ``!`` marking breaking changes means, then
    each CRD's changes."""
    breaking, other = _counts(diff)
    lines = [f"{breaking} breaking, {other} non-breaking changes"]
    if not diff.is_empty:
        lines.append(TEXT_LEGEND)
    for crd in diff.crds:
        lines.append("")
        lines.append(f"{crd.key} ({crd.kind})")
        for change, count in shown_changes(crd.changes):
            mark = BREAKING_MARK if change.breaking else " "
            lines.append(f"  {mark} {_line(change, count, _plain_code, _plain_value)}")
    return "\n".join(lines) + "\n"


def describe_markdown(change: Change, folded: int = 0) -> Markup:
    """One change in words as finished Markdown (paths and values in code spans)."""
    return Markup(_line(change, folded, _md_code, _md_value))


def format_json(diff: ApiDiff) -> dict[str, Any]:
    """The diff as JSON-ready data: a summary and every change (none folded)."""
    breaking, other = _counts(diff)
    return {
        "schemaVersion": DIFF_SCHEMA_VERSION,
        "old": diff.old_source,
        "new": diff.new_source,
        "breaking": breaking,
        "nonBreaking": other,
        "breakingMeans": BREAKING_MEANS,
        "crds": [
            {
                "key": crd.key,
                "kind": crd.kind,
                "changes": [_change_data(change) for change in crd.changes],
            }
            for crd in diff.crds
        ],
    }


def _change_data(change: Change) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": change.kind, "breaking": change.breaking}
    for name in ("version", "path", "keyword"):
        value = getattr(change, name)
        if value is not None:
            data[name] = value
    if change.old is not None:
        data["old"] = _jsonable(change.old)
    if change.new is not None:
        data["new"] = _jsonable(change.new)
    if change.added:
        data["added"] = _jsonable(list(change.added))
    if change.removed:
        data["removed"] = _jsonable(list(change.removed))
    data["text"] = _describe(change, _plain_code, _plain_value)
    return data


def _jsonable(value: Any) -> Any:
    return json.loads(json_value(value))
