"""From a source to a :class:`~crdoc.model.Catalog`: every CRD of every file, checked and merged.

Files are read (in worker processes for big inputs) into *definitions*: a CRD, where it is, and
the conditions around it (:mod:`crdoc.loading.helm.guards`). Templates that print chart files with
``.Files`` add those files first (:mod:`crdoc.loading.helmview`). Merging keeps every CRD; a CRD
defined twice with different content is resolved by evaluating the conditions of each
definition against the chart's values (:func:`crdoc.loading.helm.guards.choose`).
"""

from __future__ import annotations

import functools
import gc
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crdoc.errors import CrdocError, raise_collected, warn
from crdoc.loading import DEFAULT_KUBE_VERSION
from crdoc.loading.crds import crd_manifests, read_crd
from crdoc.loading.helm.templating import PLACEHOLDER, neutralise
from crdoc.loading.limits import Limits
from crdoc.loading.schema import Sharing, sharing
from crdoc.loading.sources import SourceFile, files_users, looked_at, open_source
from crdoc.loading.yamlio import CRD_MARKER, Document, crd_documents, decode, line_of
from crdoc.model import Catalog, Crd

if TYPE_CHECKING:
    # Conditions matter only for a CRD defined twice: imported then.
    from crdoc.loading.helm.guards import TemplateGuards


@dataclass(frozen=True, slots=True, kw_only=True)
class LoadOptions:
    """How a source is read."""

    skip_invalid: bool = False
    """Report malformed files and CRDs as warnings and document the rest."""
    allow_http: bool = False
    """Accept plain ``http://`` URLs."""
    limits: Limits = field(default_factory=Limits)
    workers: int | None = None
    """Processes reading files at once (default: one per core; used for big inputs only)."""
    allow_empty: bool = False
    """Accept a source without any CRD (otherwise an error saying what was read)."""
    values: tuple[Path, ...] = ()
    """The user's values files (``-f``), in order."""
    set: tuple[str, ...] = ()
    """The user's ``--set`` assignments, in order."""
    set_string: tuple[str, ...] = ()
    """The user's ``--set-string`` assignments, in order."""
    kube_version: str = DEFAULT_KUBE_VERSION
    """``.Capabilities.KubeVersion`` in templates."""
    api_versions: tuple[str, ...] = ()
    """API versions ``.Capabilities.APIVersions`` holds besides Kubernetes' own."""
    dependencies: bool = False
    """Fetch subcharts declared in ``Chart.yaml`` but not vendored in ``charts/``."""

    @classmethod
    def from_settings(cls, settings: object) -> LoadOptions:
        """How ``settings`` say a source is read: each field is the setting of its name
        (``workers`` excepted, which has no setting)."""
        return cls(
            **{f.name: getattr(settings, f.name) for f in fields(cls) if f.name != "workers"}
        )


@dataclass(frozen=True, slots=True)
class Definition:
    """One CRD as one file defines it. When Helm would install it from there (the conditions
    around it) is worked out only for a CRD defined twice: see :func:`_guards`."""

    crd: Crd
    where: str
    line: int
    """The line of its manifest."""
    span: tuple[int, int] = (0, 0)
    """The first and last line of the document that holds it."""


def load(
    source: str | Path,
    options: LoadOptions = LoadOptions(),
    *,
    progress: Callable[[Iterable[SourceFile]], Iterable[SourceFile]] | None = None,
) -> Catalog:
    """Read every CRD in ``source``. Problems are collected over all files and raised once as
    :class:`CrdocError` (or logged, with ``skip_invalid``). ``progress`` may wrap the file list."""
    # Loading builds millions of small containers and no reference cycles: the cyclic garbage
    # collector would rescan them all again and again (about 45% of the time on big inputs).
    collecting = gc.isenabled()
    gc.disable()
    try:
        with sharing() as share:
            return _load(source, options, progress, share)
    finally:
        if collecting:
            gc.enable()


def _load(
    source: str | Path,
    options: LoadOptions,
    progress: Callable[[Iterable[SourceFile]], Iterable[SourceFile]] | None,
    share: Sharing,
) -> Catalog:
    _check_kube_version(options.kube_version)
    user: dict[str, Any] = {}
    if options.values or options.set or options.set_string:
        from crdoc.loading.helm.values import user_values

        user = user_values(options.values, options.set, options.set_string, options.limits)
    opened = open_source(
        source,
        limits=options.limits,
        allow_http=options.allow_http,
        dependencies=options.dependencies,
    )
    for chart in opened.charts:
        if chart.missing:
            names = ", ".join(d.name for d in chart.missing)
            warn(
                f"{chart.where}/Chart.yaml: subcharts declared but not in charts/, their CRDs "
                f"not documented: {names} (--dependencies fetches them; so does 'helm "
                "dependency build')"
            )
    view = _LazyView(opened, user, options)
    embedded: list[tuple[Any, str]] = []
    users = files_users(opened)
    if users and _may_pull_crds(opened, users):
        from crdoc.loading.helmview import pulled_files, with_pulled

        pulled, embedded = pulled_files(opened, view.get(), users)
        opened = with_pulled(opened, pulled)
    # Helm parses every template before rendering any: one that does not parse fails the chart.
    errors = template_syntax_errors(opened)
    if errors:
        broken = {error.path for error in errors}
        opened = replace(opened, files=tuple(f for f in opened.files if f.where not in broken))
    files: Iterable[SourceFile] = opened.files if progress is None else progress(opened.files)
    definitions: list[tuple[SourceFile, Definition]] = []
    # Results come back in file order, whether read here or in worker processes, so the
    # merge below (and so the output) is the same either way.
    results = _read_all(opened.files, options, share)
    for file, (found, file_errors, needs_values) in zip(files, results, strict=True):
        if needs_values:
            # Parses only with one branch of each if/else, or prints values into a schema:
            # read again here, where the chart's values are, with the branch Helm takes and
            # what Helm prints (or, if that does not read, without the printed values).
            chooser = view.get().branch_chooser(file.scope)
            found, file_errors, _ = _read_one(
                file, options, chooser, view.get().printer(file.scope)
            )
            if file_errors:
                found, file_errors, _ = _read_one(file, options, chooser)
        errors.extend(file_errors)
        definitions.extend((file, definition) for definition in found)
    crds = _resolve(definitions, view, errors)
    if options.skip_invalid:
        for error in errors:
            warn(f"skipped: {error.located()}")
    else:
        raise_collected(errors)
    if not crds and not options.allow_empty:
        skipped = f"; {len(errors)} problems skipped" if errors else ""
        from crdoc.loading.helmview import embedded_crds

        hints = _data_hints(embedded_crds(embedded))
        raise CrdocError(
            f"no CustomResourceDefinition found in {source}: {looked_at(opened)}{hints}"
            f"{skipped} (--allow-empty accepts a source without CRDs)"
        )
    return Catalog(
        source=str(source),
        chart=opened.chart,
        crds=crds,
        warnings=tuple(error.located() for error in errors),
    )


def template_syntax_errors(opened: Any) -> list[CrdocError]:
    """What Go's parser refuses in the charts' templates (every file of ``templates/``, helpers
    and ``NOTES.txt`` too, and chart files rendered with ``tpl``), one error per file, naming
    its line (see :func:`crdoc.loading.helm.gotemplate.parse`)."""
    texts: dict[str, Callable[[], bytes]] = {}
    for chart in opened.charts:
        for rel in chart.templates if chart.tree is not None else ():
            texts[chart.tree.where(rel)] = functools.partial(chart.tree.read, rel, spend=False)
    for file in opened.files:
        if file.templated:
            texts.setdefault(file.where, file.read)
    errors: list[CrdocError] = []
    for where, read in texts.items():
        try:
            data = read()
            text = decode(data, where) if b"{{" in data else None
        except CrdocError:
            continue  # unreadable, or not UTF-8: reported where the file is read, if it is
        error = _syntax_error(text, where) if text is not None else None
        if error is not None:
            errors.append(error)
    return errors


def _syntax_error(text: str, where: str) -> CrdocError | None:
    """Go's parse error of a template, if any, as a :class:`CrdocError` naming file and line."""
    from crdoc.loading.helm.gotemplate import TemplateSyntaxError, TemplateTooDeep, parse

    try:
        parse(text)
    except TemplateTooDeep:
        return None  # crdoc's limit, not Go's: the file is read as before
    except TemplateSyntaxError as error:
        return CrdocError(f"template syntax error: {error}", path=where, line=error.line)
    return None


def _prints_into_schema(found: list[Definition]) -> bool:
    """Whether a fact of some field holds an action's output (PLACEHOLDER)."""

    def holds(value: Any) -> bool:
        if isinstance(value, str):
            return PLACEHOLDER in value
        if isinstance(value, Mapping):
            return any(holds(item) for item in value.values())
        if isinstance(value, list):
            return any(holds(item) for item in value)
        return False

    return any(
        holds(item.facts)
        for definition in found
        for version in definition.crd.versions
        for item in _all_fields(version.fields)
    )


def _all_fields(fields: tuple[Any, ...]) -> Iterator[Any]:
    for item in fields:
        yield item
        yield from _all_fields(item.children)


def _may_pull_crds(opened: Any, users: frozenset[str]) -> bool:
    """Whether templates using ``.Files`` may print a CRD crdoc would not read otherwise: some
    chart file outside ``crds/`` (read anyway) names the kind, or a template renders chart
    files with ``tpl``. Most charts' ``.Files`` hold dashboards and configuration: their
    templates are not evaluated at all."""
    for chart in opened.charts:
        if chart.tree is None:
            continue
        for rel in chart.templates:
            if chart.tree.where(rel) in users and _TPL.search(chart.tree.read(rel, spend=False)):
                return True
        for name in chart.files_seen():
            if name.startswith("crds/"):
                continue
            try:
                if _MARKER in chart.tree.read(chart.root + name, spend=False):
                    return True
            except CrdocError:
                return True  # unreadable here: let the evaluation say why
    return False


_TPL = re.compile(rb"\btpl\b")
_MARKER = CRD_MARKER.encode()


def _data_hints(found: list[tuple[str, str]]) -> str:
    """``; files/x.yaml holds CRDs templates embed only as data (…)`` per such file."""
    places: dict[str, list[str]] = {}
    for name, where in found:
        places.setdefault(name, [])
        if where not in places[name]:
            places[name].append(where)
    return "".join(
        f"; {name} holds CRDs that templates embed only as data ({', '.join(wheres)}), which "
        "Helm does not install as CRDs"
        for name, wheres in places.items()
    )


def _check_kube_version(text: str) -> None:
    if text == DEFAULT_KUBE_VERSION:
        return
    from crdoc.loading.helm.semver import SemVer

    try:
        SemVer.parse(text)
    except ValueError:
        raise CrdocError(
            f"--kube-version {text!r} is not a Kubernetes version (such as 1.29.3)"
        ) from None


class _LazyView:
    """The source's :class:`~crdoc.loading.helm.HelmView`, made when first needed: most charts
    need no template evaluated."""

    def __init__(self, opened: Any, user: dict[str, Any], options: LoadOptions) -> None:
        self._args = opened, user, options
        self._view: Any = None

    def get(self) -> Any:
        if self._view is None:
            from crdoc.loading.helmview import HelmView

            opened, user, options = self._args
            self._view = HelmView(
                opened,
                user=user,
                kube_version=options.kube_version,
                api_versions=options.api_versions,
                limits=options.limits,
            )
        return self._view


#: Below this many bytes of input, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 16 * 1024 * 1024

FileResult = tuple[list[Definition], list[CrdocError], bool]
"""A file's definitions, its problems, and whether it must be read again with the chart's
values."""


def _read_all(
    files: tuple[SourceFile, ...], options: LoadOptions, share: Sharing
) -> Iterator[FileResult]:
    """Each file's definitions and problems, in file order: in a process pool (one worker per
    core) for big inputs, here otherwise. Workers share equal facts within their own results
    only; what they send back is shared again here, across all of them."""
    workers = options.workers or os.cpu_count() or 1
    big = sum(file.size for file in files) >= PARALLEL_THRESHOLD
    if workers < 2 or len(files) < 2 or not big:
        yield from (_read_one(file, options) for file in files)
        return
    # Imported here: they cost start-up time that small inputs never need.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    with ProcessPoolExecutor(max_workers=min(workers, len(files)), mp_context=context) as pool:
        for definitions, errors, needs_values in pool.map(_read_one, files, [options] * len(files)):
            for definition in definitions:
                for version in definition.crd.versions:
                    for item in version.fields:
                        share.field(item)
            yield definitions, errors, needs_values


def _read_one(
    file: SourceFile,
    options: LoadOptions,
    choose: Callable[[TemplateGuards], dict[int, int]] | None = None,
    printer: Callable[[str], dict[int, str]] | None = None,
) -> FileResult:
    """One file's definitions and problems (a worker's job: errors come back as data). A
    template that parses only with one branch of some ``if`` needs ``choose`` (which branch
    Helm takes), one that prints values into a schema ``printer`` (what Helm prints): without
    them, the file is marked to be read again with them."""
    errors: list[CrdocError] = []
    try:
        found = read_definitions(
            file, options.limits, errors if options.skip_invalid else None, choose, printer
        )
    except _NeedsValues:
        return [], [], True
    except CrdocError as error:
        return [], [error], False
    return found, errors, False


class _NeedsValues(Exception):
    """A template that parses only with one branch of some ``if``, or that prints values into
    a CRD's schema: which branch, what it prints, need the chart's values, in the main
    process."""


def read_definitions(
    file: SourceFile,
    limits: Limits,
    crd_errors: list[CrdocError] | None = None,
    choose: Callable[[TemplateGuards], dict[int, int]] | None = None,
    printer: Callable[[str], dict[int, str]] | None = None,
) -> list[Definition]:
    """The CRD definitions in one file, each with its conditions. A templated file is read
    with every ``if``/``else`` branch kept; when that does not parse, it is read again with
    one branch of each block, the one ``choose`` names (without ``choose``,
    :class:`_NeedsValues` asks the caller to). With ``printer``, an action is replaced by what
    Helm prints for it where ``printer`` knows (its offset → the text). A file outside any
    chart that does not parse as plain YAML is read as a template.

    With ``crd_errors``, a malformed CRD is reported there and the file's other CRDs are kept;
    without it, the first problem is raised."""
    text = decode(file.read(), file.where)
    if CRD_MARKER not in text:
        return []
    if file.templated:
        return _read_template(text, file, limits, crd_errors, choose, printer)
    if file.loose and "{{" in text:
        # A CRD description may hold "{{ }}" that is no template: plain YAML first.
        plain: list[CrdocError] = []
        try:
            found = _definitions(text, file, limits, plain if crd_errors is not None else None)
        except CrdocError:
            error = _syntax_error(text, file.where)
            if error is not None:
                raise error from None
            return _read_template(text, file, limits, crd_errors, choose)
        if crd_errors is not None:
            crd_errors.extend(plain)
        return found
    return _definitions(text, file, limits, crd_errors)


def _read_template(
    text: str,
    file: SourceFile,
    limits: Limits,
    crd_errors: list[CrdocError] | None,
    choose: Callable[[TemplateGuards], dict[int, int]] | None,
    printer: Callable[[str], dict[int, str]] | None = None,
) -> list[Definition]:
    printed = printer(text) if printer is not None else None
    neutral = neutralise(text, printed=printed)
    first: list[CrdocError] = []
    try:
        found = _definitions(neutral, file, limits, first if crd_errors is not None else None)
    except CrdocError as error:
        from crdoc.loading.helm.guards import template_guards

        guards = template_guards(text, file.where)
        if not guards.choices:
            raise
        if choose is None:
            raise _NeedsValues from None
        first_error = error
    else:
        if (
            choose is None
            and file.root_context
            and PLACEHOLDER in neutral
            and _prints_into_schema(found)
        ):
            # An action prints into a schema (`default: {{ .Values.replicas }}`): read again
            # where the values are, with what Helm prints.
            raise _NeedsValues
        if crd_errors is not None:
            crd_errors.extend(first)
        return found
    try:
        return _definitions(
            neutralise(text, keep=choose(guards), printed=printed), file, limits, crd_errors
        )
    except CrdocError as retry_error:
        # Keeping all branches can itself cause a duplicate key; then the retry's error is the
        # real one.
        if "duplicate key" in first_error.reason:
            raise retry_error from None
        raise first_error from None


def _definitions(
    text: str, file: SourceFile, limits: Limits, crd_errors: list[CrdocError] | None
) -> list[Definition]:
    found = []
    for document in crd_documents(text, file.where, limits):
        span = (document.line, _last_line(document)) if file.templated else (0, 0)
        for manifest, keys in crd_manifests(document.data):
            try:
                crd = read_crd(
                    manifest,
                    source=file.label,
                    where=file.where,
                    chart=file.chart,
                    line_of=_line_finder(document, keys),
                    max_depth=limits.max_schema_depth,
                )
            except CrdocError as error:
                if crd_errors is None:
                    raise
                crd_errors.append(error)
                continue
            found.append(Definition(crd, file.where, line_of(document, keys), span))
    return found


def _last_line(document: Document) -> int:
    """The 1-based line of a document's last value (its end mark may lie past blank lines
    the template left, outside the branch that holds it)."""
    node: Any = document.node
    if node is None:
        return document.line
    offset: int = document.line - (node.start_mark.line + 1)
    while getattr(node, "value", None) and isinstance(node.value, list):
        last = node.value[-1]
        node = last[1] if isinstance(last, tuple) else last
    end = node.end_mark
    line: int = end.line + (1 if end.column > 0 else 0)
    return max(document.line, line + offset)


def _line_finder(
    document: Document, prefix: tuple[str | int, ...]
) -> Callable[[tuple[str | int, ...]], int]:
    return lambda keys: line_of(document, (*prefix, *keys))


# -- merging --------------------------------------------------------------------------------------


def _resolve(
    definitions: list[tuple[SourceFile, Definition]], view: Any, errors: list[CrdocError]
) -> tuple[Crd, ...]:
    """One CRD per key: the same content found again adds its source; different contents are
    alternatives, chosen between by their conditions (:func:`crdoc.loading.helm.guards.choose`)."""
    by_key: dict[str, list[list[Any]]] = {}  # key → [crd, [(file, definition)…]] per content
    for file, definition in definitions:
        alternatives = by_key.setdefault(definition.crd.key, [])
        for alternative in alternatives:
            if _same(alternative[0], definition.crd):
                alternative[1].append((file, definition))
                sources = alternative[0].sources
                if definition.crd.sources[0] not in sources:
                    alternative[0] = replace(
                        alternative[0], sources=sources + definition.crd.sources
                    )
                break
        else:
            alternatives.append([definition.crd, [(file, definition)]])
    crds = []
    texts: dict[str, Any] = {}
    for key in sorted(by_key, key=lambda k: tuple(k.split("/", 1))):
        alternatives = by_key[key]
        if len(alternatives) == 1:
            crds.append(alternatives[0][0])
            continue
        # Defined twice or more: now the conditions around each definition matter.
        from crdoc.loading.helm.guards import Alternative, Place

        candidates = [
            Alternative(
                crd,
                [
                    Place(d.where, d.line, _guards(f, d, texts), f.scope, f.pulled_by)
                    for f, d in places
                ],
            )
            for crd, places in alternatives
        ]
        try:
            crds.append(_choose(key, candidates, view.get()).crd)
        except CrdocError as error:
            errors.append(error)
            crds.append(candidates[0].crd)  # with skip_invalid: the first one found
    return tuple(crds)


def _guards(file: SourceFile, definition: Definition, texts: dict[str, Any]) -> tuple[Any, ...]:
    """When Helm installs a definition: the conditions under which its file is pulled in (for
    a chart file a template prints), with those of the branches around its document in a
    template (found by reading the template again)."""
    if not file.templated:
        return file.guards
    from crdoc.loading.helm.guards import template_guards

    if file.where not in texts:
        try:
            texts[file.where] = template_guards(decode(file.read(), file.where), file.where)
        except CrdocError:
            return file.guards
    inner = texts[file.where].around(*definition.span)
    if not file.root_context:
        # A file rendered by tpl with another context: its conditions read that one.
        inner = tuple(c.opaque() for c in inner)
    return tuple(outer + inner for outer in file.guards)


def _same(one: Crd, other: Crd) -> bool:
    return replace(one, sources=other.sources, chart=other.chart) == other


def _choose(key: str, alternatives: list[Any], view: Any) -> Any:
    """The alternative Helm installs, or the error saying why crdoc cannot tell."""
    from crdoc.loading.helm.guards import choose

    enabled = [a for a in alternatives if _enabled(a, view) is not False]
    if len(enabled) == 1:
        return enabled[0]
    candidates = enabled or alternatives
    chosen = choose(candidates, view.evaluate)
    if chosen is not None:
        return chosen
    first, second = alternatives[0].places[0], alternatives[1].places[0]
    if not enabled:
        # Every definition is in a subchart Helm does not render with these values.
        raise _switched_off(key, alternatives, view)
    if not any(alternative.conditional() for alternative in alternatives):
        # Plain files that disagree: nothing chooses between them.
        raise CrdocError(f"CRD {key} differs from the one in {first.where}", path=second.where)
    raise _undecided(key, candidates, view)


def _enabled(alternative: Any, view: Any) -> bool | None:
    """Whether some place of an alternative is in a chart Helm renders (a subchart's
    ``condition`` or ``tags`` may turn it off)."""
    values = [view.enabled(place.scope) for place in alternative.places]
    if True in values:
        return True
    return None if None in values else False


def _switched_off(key: str, alternatives: list[Any], view: Any) -> CrdocError:
    """The error for a CRD whose every definition is in a subchart turned off (its
    ``condition`` or ``tags``), with the ``--set`` turning each one on, tried for real."""
    from crdoc.loading.helm.values import parse_set

    described = []
    chosen_by: dict[int, str] = {}
    for index, alternative in enumerate(alternatives):
        place = alternative.places[0]
        chart = view.opened.charts[place.scope]
        condition = _deciding_path(chart, view)
        switch = f"condition {condition}" if condition else "tags"
        described.append(
            f"{place.where}:{place.line} (subchart {chart.info.name}, off by its {switch})"
        )
        if not condition:
            continue
        assignment = f"{view.set_prefix(chart.parent)}{condition}=true"
        trial = view.with_values(parse_set(assignment))
        on = [a for a in alternatives if _enabled(a, trial) is not False]
        if on == [alternative]:
            chosen_by[index] = assignment
    hint = " or ".join(f"--set {chosen_by[i]}" for i in sorted(chosen_by))
    first = alternatives[0].places[0]
    return CrdocError(
        f"CRD {key} has {len(alternatives)} definitions and crdoc cannot tell which one Helm "
        f"installs: {' and '.join(described)}; "
        + (f"choose with {hint}" if hint else "choose one with --set or --values"),
        path=first.where,
        line=first.line,
    )


def _deciding_path(chart: Any, view: Any) -> str:
    """The path of a subchart's ``condition`` that decides (the first holding a boolean in its
    parent's values), else its first; ``""`` without a condition."""
    from crdoc.loading.helm.values import lookup_path

    paths = [p.strip() for p in ((chart.declared and chart.declared.condition) or "").split(",")]
    paths = [path for path in paths if path]
    values = view.values(chart.parent)
    for path in paths:
        found, value = lookup_path(values, path) if isinstance(values, Mapping) else (False, None)
        if found and isinstance(value, bool):
            return path
    return paths[0] if paths else ""


def _undecided(key: str, alternatives: list[Any], view: Any) -> CrdocError:
    from crdoc.loading.helm.guards import choose, describe_guards, set_candidates
    from crdoc.loading.helm.values import parse_set

    described = []
    for alternative in alternatives:
        place = alternative.places[0]
        guards = tuple(guard for other in alternative.places for guard in other.guards)
        via = f" pulled in by {place.via}" if place.via else ""
        described.append(
            f"{place.where}:{place.line} ({via.strip()}{', ' if via else ''}when "
            f"{describe_guards(guards)})"
        )
    # The --set that makes each alternative the one chosen, tried for real.
    chosen_by: dict[int, str] = {}
    for scope, path, value in set_candidates(alternatives)[:24]:
        assignment = f"{view.set_prefix(scope)}{path}={value}"
        try:
            trial = view.with_values(parse_set(assignment))
        except ValueError:
            continue
        pick = choose(alternatives, trial.evaluate)
        if pick is not None:
            chosen_by.setdefault(alternatives.index(pick), assignment)
    if chosen_by:
        hint = " or ".join(f"--set {chosen_by[i]}" for i in sorted(chosen_by))
        advice = f"choose with {hint}"
    else:
        advice = "choose one with --set or --values"
    first = alternatives[0].places[0]
    return CrdocError(
        f"CRD {key} has {len(alternatives)} definitions and crdoc cannot tell which one Helm "
        f"installs: {' and '.join(described)}; {advice}",
        path=first.where,
        line=first.line,
    )
