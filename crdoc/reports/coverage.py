"""Documentation coverage: how many fields of each CRD version have a description.

A field is *undocumented* when its description is empty or only whitespace. A documented
field is also *weak* when its description merely restates the field's name (see
:func:`is_weak`); weak fields count as documented but are listed so they can be improved.

``exclude`` takes dotted path globs with the annotations' semantics (``*`` one segment, ``**``
zero or more): ``status.**`` drops ``status`` and everything below it, ``metadata`` drops just
that field. Exclusions apply before counting. With resolved annotations, CRDs and fields whose
status is ``internal`` are left out too, and a field whose annotation gives a note or a reason
counts as documented (the rendered docs show that text).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from crdoc.keywords import STANDARD_FIELDS
from crdoc.model import Catalog, Field
from crdoc.reports.annotations import compile_pattern
from crdoc.reports.limitations import limitation_data, limitation_lines

if TYPE_CHECKING:
    from crdoc.reports.annotations import ResolvedAnnotations
    from crdoc.reports.limitations import Limitation

_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
_RESTATEMENT = re.compile(
    r"^(?:the\s+)?(?P<subject>.+?)\s+(?:is|are|specifies|defines|sets|contains)\s+"
    r"(?:the\s+|a\s+|an\s+)?(?P<object>.+?)\.?$",
    re.IGNORECASE | re.DOTALL,
)


def name_words(name: str) -> str:
    """A field name as lower-case words: ``backupLocation`` → ``backup location``,
    ``TLSConfig`` → ``tls config``."""
    return " ".join(word.lower() for word in _WORD.findall(name))


def _compact(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.lower())


def is_weak(field: Field) -> bool:
    """Whether a documented field's description only restates its name.

    The rule, on text lower-cased with everything but letters and digits dropped: the
    description is the name itself (``"Backup location."`` for ``backupLocation``), optionally
    after "the"; or it reads "<name> is/are/specifies/defines/sets/contains [the|a|an] <name>"
    (``"Name is the name."``). Map values (``*``) are never weak.
    """
    if field.name == "*" or not field.is_documented:
        return False
    return _restates(field.name, field.description)


def clear_caches() -> None:
    """Forget the descriptions judged so far (a long-lived ``mkdocs serve`` keeps no chart
    text between builds)."""
    _restates.cache_clear()


@functools.lru_cache(maxsize=1 << 14)  # names and descriptions repeat across fields and CRDs
def _restates(field_name: str, description: str) -> bool:
    name = _compact(field_name)
    if not name:
        return False
    text = " ".join(description.split())
    compact = _compact(text)
    if compact in (name, "the" + name):
        return True
    match = _RESTATEMENT.match(text)
    return bool(
        match
        and _compact(match["subject"]) == name
        and _compact(match["object"]) in (name, "the" + name)
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class CoverageRow:
    """Coverage of one version of one CRD."""

    crd: str
    """The CRD key, ``group/plural``."""
    kind: str
    version: str
    fields: int
    """Fields counted (after exclusions)."""
    documented: int
    undocumented: tuple[str, ...]
    """Paths of fields without a description, in schema order."""
    weak: tuple[str, ...]
    """Paths of documented fields whose description restates the name."""
    excluded: int = 0
    """Fields left out by ``exclude`` or an ``internal`` annotation."""
    standard: int = 0
    """Top-level ``apiVersion``, ``kind`` and ``metadata`` without a description: every
    Kubernetes object has them, and pages show Kubernetes' own words; not counted."""
    internal: bool = False
    """The CRD is annotated ``internal``: not counted in the totals, nor listed in reports."""

    @property
    def percent(self) -> float | None:
        """Documented fields in percent (``None`` for a version with no fields: 0 of 0 is no
        coverage figure at all, not 100%)."""
        return _percent(self.documented, self.fields)


@dataclass(frozen=True, slots=True, kw_only=True)
class CoverageReport:
    """Coverage of a whole catalog, one row per CRD version."""

    all_rows: tuple[CoverageRow, ...]
    """Every CRD version, internal ones included (their pages show their figure too)."""
    exclude: tuple[str, ...] = ()

    @property
    def rows(self) -> tuple[CoverageRow, ...]:
        """The CRD versions counted and reported: all but those of internal CRDs."""
        return tuple(row for row in self.all_rows if not row.internal)

    _by_version: Mapping[tuple[str, str], CoverageRow] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        index = {(row.crd, row.version): row for row in self.all_rows}
        object.__setattr__(self, "_by_version", index)  # frozen: set once, here

    def row(self, crd: str, version: str) -> CoverageRow | None:
        """The row of one CRD version (internal ones too), ``None`` if it has none."""
        return self._by_version.get((crd, version))

    @property
    def fields(self) -> int:
        """Fields counted over all rows."""
        return sum(row.fields for row in self.rows)

    @property
    def documented(self) -> int:
        """Documented fields over all rows."""
        return sum(row.documented for row in self.rows)

    @property
    def undocumented(self) -> int:
        """Undocumented fields over all rows."""
        return self.fields - self.documented

    @property
    def weak(self) -> int:
        """Weakly documented fields over all rows."""
        return sum(len(row.weak) for row in self.rows)

    @property
    def percent(self) -> float | None:
        """Documented fields in percent over all rows (``None`` when nothing is counted)."""
        return _percent(self.documented, self.fields)


def _percent(part: int, whole: int) -> float | None:
    return None if whole == 0 else 100.0 * part / whole


def percent_text(value: float | None) -> str:
    """``93.2%``, or ``n/a`` when nothing was counted."""
    return "n/a" if value is None else f"{value:.1f}%"


def coverage(
    catalog: Catalog,
    exclude: Sequence[str] = (),
    annotations: ResolvedAnnotations | None = None,
) -> CoverageReport:
    """Count documented, undocumented and weak fields per CRD version (see the module doc)."""
    tests = []
    if exclude:
        tests = [compile_pattern(pattern) for pattern in exclude]
    rows = []
    for crd in catalog.crds:
        internal = annotations is not None and annotations.is_hidden(crd, {"internal"})
        for version in crd.versions:
            counted = 0
            excluded = 0
            undocumented: list[str] = []
            weak: list[str] = []
            standard = 0
            for item in version.fields:
                if item.depth == 0 and item.name in STANDARD_FIELDS and not item.is_documented:
                    standard += 1
                    continue
                note = annotations.for_field(crd, version, item) if annotations else None
                if any(test(item.path) for test in tests) or (
                    note is not None and note.status == "internal"
                ):
                    excluded += 1
                    continue
                counted += 1
                if item.is_documented:
                    if is_weak(item):
                        weak.append(item.path)
                elif note is None or not (note.note or note.reason):
                    undocumented.append(item.path)
            rows.append(
                CoverageRow(
                    crd=crd.key,
                    kind=crd.kind,
                    version=version.name,
                    fields=counted,
                    documented=counted - len(undocumented),
                    undocumented=tuple(undocumented),
                    weak=tuple(weak),
                    excluded=excluded,
                    standard=standard,
                    internal=internal,
                )
            )
    return CoverageReport(all_rows=tuple(rows), exclude=tuple(exclude))


def fails_under(report: CoverageReport, pct: float) -> bool:
    """Whether overall coverage (after exclusions) is below ``pct`` percent (never when no
    field is counted: there is nothing left undocumented)."""
    return report.percent is not None and report.percent < pct


# --------------------------------------------------------------------------- renderers


def coverage_text(
    report: CoverageReport, limitations: Sequence[Limitation] = (), *, details: bool = False
) -> str:
    """:func:`format_text`, then the known limitations, one a line."""
    lines = "".join(f"{line}\n" for line in limitation_lines(limitations))
    return format_text(report, details=details) + lines


def coverage_json(report: CoverageReport, limitations: Sequence[Limitation] = ()) -> dict[str, Any]:
    """:func:`format_json`, with the known limitations under ``limitations``."""
    data = format_json(report)
    data["limitations"] = [limitation_data(item) for item in limitations]
    return data


def format_text(report: CoverageReport, *, details: bool = False) -> str:
    """A plain-text table, one line per CRD version and a total; with ``details``, the
    undocumented and weak paths below each line."""
    header = ("CRD", "VERSION", "DOCUMENTED", "COVERAGE", "WEAK")
    table = [
        (
            row.crd,
            row.version,
            f"{row.documented}/{row.fields}",
            percent_text(row.percent),
            str(len(row.weak)),
        )
        for row in report.rows
    ]
    total = (
        "TOTAL",
        "",
        f"{report.documented}/{report.fields}",
        percent_text(report.percent),
        str(report.weak),
    )
    widths = [max(len(line[i]) for line in (header, *table, total)) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            cell.ljust(width) for cell, width in zip(cells, widths, strict=True)
        ).rstrip()

    out = [line(header)]
    for row, cells in zip(report.rows, table, strict=True):
        out.append(line(cells))
        if details:
            out.extend(f"    undocumented: {path}" for path in row.undocumented)
            out.extend(f"    weak: {path}" for path in row.weak)
    out.append(line(total))
    if report.exclude:
        out.append("excluded: " + ", ".join(report.exclude))
    return "\n".join(out) + "\n"


def format_json(report: CoverageReport) -> dict[str, Any]:
    """The report as JSON-ready data: totals, exclusions and every row with its paths."""
    return {
        "fields": report.fields,
        "documented": report.documented,
        "undocumented": report.undocumented,
        "weak": report.weak,
        "percent": None if report.percent is None else round(report.percent, 2),
        "exclude": list(report.exclude),
        "rows": [
            {
                "crd": row.crd,
                "kind": row.kind,
                "version": row.version,
                "fields": row.fields,
                "documented": row.documented,
                "percent": None if row.percent is None else round(row.percent, 2),
                "excluded": row.excluded,
                "standard": row.standard,
                "undocumented": list(row.undocumented),
                "weak": list(row.weak),
            }
            for row in report.rows
        ],
    }


__all__ = [
    "CoverageReport",
    "CoverageRow",
    "coverage",
    "fails_under",
    "format_json",
    "coverage_json",
    "coverage_text",
    "format_text",
    "is_weak",
    "name_words",
]
