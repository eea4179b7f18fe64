"""What Helm would see of a source's charts, for the two things crdoc evaluates: the
conditions that choose between two definitions of one CRD, and the chart files templates
print with ``.Files``.

:class:`HelmView` holds, per chart found (a *scope*: its index in
:attr:`crdoc.loading.sources.Source.charts`): its values (its ``values.yaml`` under its parent's
block and ``global``, under the user's ``-f``/``--set``), what ``.Chart``, ``.Files`` and
``.Capabilities`` are, whether it is enabled (a subchart's ``condition``/``tags``), and the
named templates of the whole source. Everything is worked out when first asked: a chart
whose templates need no evaluation costs nothing.

:func:`pulled_files` walks the templates that use ``.Files`` (every branch) and lists the
chart files they print where YAML documents start, each with the conditions around it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any

from crdoc.errors import CrdocError, warn
from crdoc.loading import DEFAULT_KUBE_VERSION
from crdoc.loading.helm.context import (
    DEFAULT_API_VERSIONS,
    UNKNOWN,
    ChartContext,
    ChartFiles,
    Definition,
    Rendered,
    printed_text,
    truth,
)
from crdoc.loading.helm.evaluator import Evaluator
from crdoc.loading.helm.gotemplate import Action, Block, TemplateSyntaxError, definitions, parse
from crdoc.loading.helm.guards import Condition, Guard, Static, TemplateGuards
from crdoc.loading.helm.values import (
    coalesce,
    lookup_path,
    merge_maps,
    read_values_text,
    subchart_values,
)
from crdoc.loading.limits import Limits
from crdoc.loading.sources import ChartSeen, Source, SourceFile
from crdoc.loading.yamlio import CRD_MARKER, decode

_DEFINES = re.compile(rb"\{\{-?\s*(?:define|block)\s+\"((?:[^\"\\]|\\.)*)\"")


class HelmView:
    """The charts of one source as their templates see them (see the module docstring)."""

    def __init__(
        self,
        opened: Source,
        *,
        user: Mapping[str, Any] | None = None,
        kube_version: str = DEFAULT_KUBE_VERSION,
        api_versions: Iterable[str] = (),
        limits: Limits = Limits(),
    ) -> None:
        self.opened = opened
        self.user = dict(user or {})
        self.kube_version = kube_version
        self.api_versions = DEFAULT_API_VERSIONS | frozenset(api_versions)
        self.limits = limits
        self._values: dict[int | None, Any] = {}
        self._defaults: dict[int, Any] = {}
        self._files: dict[int, ChartFiles] = {}
        self._definitions: dict[str, Definition] | None = None
        self._conditions: dict[tuple[Any, ...], bool | None] = {}

    def with_values(self, extra: Mapping[str, Any]) -> HelmView:
        """The same charts with more user values on top (trying a ``--set``)."""
        user = merge_maps(dict(self.user), extra)
        view = HelmView(
            self.opened,
            user=user,
            kube_version=self.kube_version,
            api_versions=self.api_versions,
            limits=self.limits,
        )
        view._defaults = self._defaults
        view._files = self._files
        view._definitions = self._definitions
        return view

    # -- values

    def defaults(self, scope: int) -> Any:
        """A chart's own ``values.yaml`` (UNKNOWN when it cannot be read, with a warning)."""
        if scope not in self._defaults:
            chart = self.opened.charts[scope]
            rel = chart.values_file
            found: Any = {}
            if rel is not None:
                where = chart.tree.where(rel)
                try:
                    found = read_values_text(
                        decode(chart.tree.read(rel, spend=False), where), where, self.limits
                    )
                except CrdocError as error:
                    warn(f"{error.located()}: its values are unknown to crdoc's conditions")
                    found = UNKNOWN
            self._defaults[scope] = found
        return self._defaults[scope]

    def values(self, scope: int | None) -> Any:
        """A chart's values as its templates see them (``.Values``)."""
        if scope not in self._values:
            try:
                self._values[scope] = self._coalesced(scope)
            except RecursionError:  # values nested past Python's stack: unknown
                self._values[scope] = UNKNOWN
        return self._values[scope]

    def _coalesced(self, scope: int | None) -> Any:
        if scope is None:
            # A template outside any chart: only what the user gives.
            return dict(self.user)
        chart = self.opened.charts[scope]
        defaults = self.defaults(scope)
        if defaults is UNKNOWN:
            return UNKNOWN
        if chart.parent is None:
            return coalesce(self.user, defaults)
        parent = self.values(chart.parent)
        return UNKNOWN if parent is UNKNOWN else subchart_values(parent, chart.key, defaults)

    def set_prefix(self, scope: int | None) -> str:
        """The ``--set`` path of a chart's values from the top chart (``sub.`` for ``sub``)."""
        keys = []
        while scope is not None:
            chart = self.opened.charts[scope]
            if chart.parent is None:
                break
            keys.append(chart.key)
            scope = chart.parent
        return "".join(f"{key}." for key in reversed(keys))

    def enabled(self, scope: int | None) -> bool | None:
        """Whether Helm renders a chart: a subchart's ``tags`` and ``condition`` (the first
        of its paths that is a boolean in its parent's values), its parent's too."""
        if scope is None:
            return True
        chart = self.opened.charts[scope]
        if chart.parent is None:
            return True
        above = self.enabled(chart.parent)
        if above is False:
            return False
        state: bool | None = True
        declared = chart.declared
        parent_values = self.values(chart.parent)
        if declared is not None and (declared.tags or declared.condition):
            if parent_values is UNKNOWN:
                return None
            if declared.tags:
                tags = self.values(self._top(scope)).get("tags")
                tags = tags if isinstance(tags, Mapping) else {}
                wanted = [tags.get(tag) for tag in declared.tags]
                if True in wanted:
                    state = True
                elif False in wanted:
                    state = False
            for path in (declared.condition or "").split(","):
                found, value = lookup_path(parent_values, path.strip()) if path.strip() else (0, 0)
                if found and isinstance(value, bool):
                    state = value
                    break
        if state is False:
            return False
        return None if above is None else state

    def _top(self, scope: int) -> int:
        while self.opened.charts[scope].parent is not None:
            scope = self.opened.charts[scope].parent  # type: ignore[assignment]
        return scope

    # -- templates

    def chart_files(self, scope: int) -> ChartFiles:
        """What ``.Files`` holds for a chart's templates."""
        if scope not in self._files:
            chart = self.opened.charts[scope]
            tree, root = chart.tree, chart.root
            self._files[scope] = ChartFiles(
                chart.files_seen(),
                read=lambda name: tree.read(root + name, spend=False),
                where=lambda name: tree.where(root + name),
                label=lambda name: tree.label(root + name),
            )
        return self._files[scope]

    def definitions(self) -> Mapping[str, Definition]:
        """Every named template of the source (``define``, ``block``), the first of a name."""
        if self._definitions is None:
            found: dict[str, Definition] = {}
            for chart in self.opened.charts:
                for rel in chart.templates:
                    try:
                        data = chart.tree.read(rel, spend=False)
                    except CrdocError:
                        continue
                    if not _DEFINES.search(data):
                        continue
                    where = chart.tree.where(rel)
                    text = data.decode("utf-8-sig", errors="replace")
                    try:
                        nodes = parse(text)
                    except TemplateSyntaxError:
                        continue
                    for name, node in definitions(nodes).items():
                        found.setdefault(name, Definition(node, text, where))
            self._definitions = found
        return self._definitions

    def context(self, scope: int | None, template: str = "") -> ChartContext:
        """What a chart's templates see (``scope`` None: a template outside any chart)."""
        if scope is None:
            return ChartContext(
                values=self.values(None),
                chart={},
                files=None,
                kube_version=self.kube_version,
                api_versions=self.api_versions,
                definitions=self.definitions,
            )
        chart = self.opened.charts[scope]
        return ChartContext(
            values=lambda: self.values(scope),
            chart=_chart_object(chart),
            files=self.chart_files(scope) if chart.tree is not None else None,
            kube_version=self.kube_version,
            api_versions=self.api_versions,
            definitions=self.definitions,
            template_name=template,
        )

    def evaluate(self, scope: int | None) -> Callable[[Condition], bool | None]:
        """The truth of a condition's expression in a chart's templates (``None``: unknown)."""

        def value(condition: Condition) -> bool | None:
            key = (scope, condition.expression, condition.dot, condition.variables)
            if key not in self._conditions:
                self._conditions[key] = self._evaluate(scope, condition)
            return self._conditions[key]

        return value

    def _evaluate(self, scope: int | None, condition: Condition) -> bool | None:
        evaluator = Evaluator(self.context(scope))
        variables: dict[str, Any] = {"$": evaluator.root}
        for name, text in condition.variables:
            variables[name] = UNKNOWN if text is None else evaluator.evaluate(text, None, variables)
        dot: Any = evaluator.root
        for text in condition.dot or ():
            dot = evaluator.evaluate(text, dot, variables)
            if dot is UNKNOWN:
                return None
        return truth(evaluator.evaluate(condition.expression, dot, variables))

    def printer(self, scope: int | None) -> Callable[[str], dict[int, str]]:
        """For a template whose CRD schema holds an action's output: what Helm prints for each
        action crdoc can evaluate — outside ``with``, ``range`` and definitions, setting no
        variable, trimming no white space — when that is one line of text (offset → text)."""

        def printed(text: str) -> dict[int, str]:
            try:
                nodes = parse(text)
            except TemplateSyntaxError:
                return {}
            evaluator = Evaluator(self.context(scope))
            variables = {"$": evaluator.root}
            found: dict[int, str] = {}
            pending = list(nodes)
            while pending:
                node = pending.pop()
                if isinstance(node, Block) and node.keyword == "if":
                    pending.extend(child for branch in node.branches for child in branch.body)
                if not isinstance(node, Action) or node.pipe.variables:
                    continue
                action = text[node.start : node.end]
                if action.startswith("{{-") or action.endswith("-}}"):
                    continue
                value = evaluator.run_bounded(node.pipe, None, variables)
                value = None if isinstance(value, Rendered) else printed_text(value)
                if isinstance(value, str) and "\n" not in value and "{{" not in value:
                    found[node.start] = value
            return found

        return printed

    def branch_chooser(self, scope: int | None) -> Callable[[TemplateGuards], dict[int, int]]:
        """For a template that parses only with one branch of each ``if``: the branch Helm
        takes in each block, or the first where crdoc cannot tell (a block whose conditions are
        all false keeps its first branch too: a condition never drops a definition)."""
        evaluate = self.evaluate(scope)

        def choose(guards: TemplateGuards) -> dict[int, int]:
            chosen = {}
            for offset, branches in guards.choices:
                pick = 0
                for index, condition in enumerate(branches):
                    if condition is None:  # else
                        pick = index
                        break
                    value = evaluate(condition)
                    if value is None:
                        break
                    if value:
                        pick = index
                        break
                chosen[offset] = pick
            return chosen

        return choose


def _chart_object(chart: ChartSeen) -> dict[str, Any]:
    """``.Chart``: the ``Chart.yaml`` fields with Go's capitalised names."""
    manifest = chart.manifest if isinstance(chart.manifest, Mapping) else {}
    found = {}
    for key, value in manifest.items():
        name = str(key)
        name = "APIVersion" if name == "apiVersion" else name[:1].upper() + name[1:]
        found[name] = value
    found.setdefault("Name", chart.info.name)
    return found


# -- chart files pulled in by templates -----------------------------------------------------------


def pulled_files(
    opened: Source, view: HelmView, users: frozenset[str]
) -> tuple[list[list[SourceFile]], list[tuple[Any, str]]]:
    """For each file of the source, the chart files its template prints as YAML documents
    (read as CRD sources after it); and the chart files templates print only as data
    (``AsConfig``, ``b64enc``…), with where (see :func:`embedded_crds`). ``users`` are the
    templates using ``.Files`` (:func:`crdoc.loading.sources.files_users`)."""
    pulled: list[list[SourceFile]] = [[] for _ in opened.files]
    hints: list[tuple[Any, str]] = []
    helpers = _file_helpers(opened, users)
    names = frozenset(name[1:-1].decode("utf-8", "replace") for name in helpers)
    plain: dict[int, set[str]] = {}  # crds/ files already read, per chart
    for file in opened.files:
        if not file.templated and file.scope is not None:
            plain.setdefault(file.scope, set()).add(file.label)
    for index, file in enumerate(opened.files):
        if not file.templated or file.scope is None or file.pulled_by is not None:
            continue
        if opened.charts[file.scope].tree is None:
            continue
        if file.where not in users and not helpers:
            continue
        data = file.read()
        if file.where not in users and not any(h in data for h in helpers):
            continue
        found, data_hints = _walk(file, data, opened, view, plain.get(file.scope, set()), names)
        pulled[index] = found
        hints.extend(data_hints)
    return pulled, hints


def _file_helpers(opened: Source, users: frozenset[str]) -> list[bytes]:
    """``"name"`` of each named template defined in a helper file that uses ``.Files``: a
    template calling one of them may print chart files too."""
    names: list[bytes] = []
    for chart in opened.charts:
        for rel in chart.templates:
            if chart.tree.where(rel) not in users:
                continue
            if not rel.rpartition("/")[2].startswith("_") and not rel.endswith(".tpl"):
                continue
            try:
                data = chart.tree.read(rel, spend=False)
            except CrdocError:
                continue
            names.extend(b'"' + name + b'"' for name in _DEFINES.findall(data))
    return names


def _walk(
    file: SourceFile,
    data: bytes,
    opened: Source,
    view: HelmView,
    plain: set[str],
    helpers: frozenset[str],
) -> tuple[list[SourceFile], list[tuple[Any, str]]]:
    text = decode(data, file.where)
    try:
        nodes = parse(text)
    except TemplateSyntaxError:
        return [], []
    assert file.scope is not None
    chart = opened.charts[file.scope]
    evaluator = Evaluator(view.context(file.scope, template=file.label))
    evaluator.file_helpers = helpers
    emissions = evaluator.walk(nodes, text, file.where, Static())
    files = view.chart_files(file.scope)
    grouped: dict[tuple[str, bool, bool], list[Guard]] = {}
    first_line: dict[tuple[str, bool, bool], int] = {}
    hints = []
    for emission in emissions:
        for source in emission.sources:
            if not emission.documents:
                # Whether it holds CRDs is asked only if the source turns out to have none.
                hints.append((source, f"{emission.where}:{emission.line}"))
                continue
            key = (source.name, source.tpl, source.root_context)
            if not source.tpl and files.label(source.name) in plain:
                continue  # crds/ is read anyway, and always installed
            grouped.setdefault(key, [])
            if emission.guard not in grouped[key]:
                grouped[key].append(emission.guard)
            first_line.setdefault(key, emission.line)
    found = []
    for (name, tpl, root_context), guards in grouped.items():
        rel = chart.root + name
        where = chart.tree.where(rel)
        pulled = SourceFile(
            label=chart.tree.label(rel),
            where=where,
            templated=tpl,
            chart=chart.info,
            data=chart.tree.read(rel, spend=False) if file.path is None else None,
            path=chart.tree.root / rel if file.path is not None else None,
            max_bytes=file.max_bytes,
            scope=file.scope,
            guards=tuple(guards),
            root_context=root_context,
            pulled_by=f"{file.where}:{first_line[(name, tpl, root_context)]}",
        )
        if pulled.path is not None:
            chart.tree.budget.spend(pulled.size, where)
        found.append(pulled)
    return found, hints


def embedded_crds(embedded: list[tuple[Any, str]]) -> list[tuple[str, str]]:
    """Of the chart files printed as data, those holding CRDs (crdoc does not document them:
    Helm installs them as strings), with where they are printed."""
    found = []
    for source, where in embedded:
        try:
            if CRD_MARKER in source.text():
                found.append((source.files.label(source.name), where))
        except CrdocError:
            continue
    return found


def with_pulled(opened: Source, pulled: list[list[SourceFile]]) -> Source:
    """The source with pulled-in files listed right after the template that pulls them."""
    if not any(pulled):
        return opened
    files: list[SourceFile] = []
    for file, extra in zip(opened.files, pulled, strict=True):
        files.append(file)
        files.extend(extra)
    return replace(opened, files=tuple(files))
