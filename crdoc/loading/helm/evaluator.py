"""Evaluating Helm template expressions without Helm, in three values: true, false, unknown.

crdoc evaluates templates for two purposes only: to decide which of two definitions of one CRD
Helm would install (the conditions around them: ``.Values`` paths, ``eq``, ``and``,
``semverCompare`` on ``.Capabilities.KubeVersion`` …), and to find the chart files templates
pull in with ``.Files.Get``/``.Files.Glob``. Everything not understood — an unknown function,
``lookup``, a Helm error such as a nil pointer, a comparison of a float with an int — is
:data:`~crdoc.loading.helm.context.UNKNOWN`, and crdoc then falls back to keeping what it cannot
decide about.

Values follow Go's and Sprig's rules as Helm runs them: numbers from YAML values are floats,
``--set`` numbers ints; ``missingkey=zero`` (a missing key is ``nil``); a chain of fields through
``nil`` is an error; printing ``nil`` prints nothing; truth is Go's (``0``, ``""``, empty lists
and maps, ``nil`` and ``false`` are false; the string ``"false"`` is true).

A file read through ``.Files`` is not its text but a
:class:`~crdoc.loading.helm.context.FileText` that remembers where it came from, through
``tpl``, ``splitList``, ``fromYaml`` and ``toYaml``: printed where a document may start, it is a
chart file Helm emits as documents; passed through ``b64enc``, ``quote``, ``toJson`` or
``AsConfig`` it is :class:`~crdoc.loading.helm.context.FileData`, embedded as a string.

This module runs templates (:class:`Evaluator`); what they work on is in
:mod:`~crdoc.loading.helm.context`, the functions they call in
:mod:`~crdoc.loading.helm.functions`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from crdoc.loading.helm.context import (
    MAX_INCLUDE_DEPTH,
    MAX_OUTPUT,
    MAX_RANGE,
    MAX_STEPS,
    UNKNOWN,
    ChartContext,
    Failed,
    FileData,
    FileObject,
    FilePart,
    FileParts,
    FilesObject,
    FileText,
    GoObject,
    Method,
    Rendered,
    joined,
    printed_text,
    truth,
)
from crdoc.loading.helm.functions import FUNCTIONS
from crdoc.loading.helm.gotemplate import (
    Action,
    Block,
    Call,
    Control,
    FieldChain,
    Function,
    Literal,
    Node,
    Pipeline,
    TemplateSyntaxError,
    Text,
    parse_pipeline,
)
from crdoc.loading.helm.guards import Static, branch_conditions
from crdoc.loading.helm.records import Record
from crdoc.loading.helm.templating import neutralise


class _Exhausted(Exception):
    """An evaluation went past its bounds: its result is unknown."""


# -- the evaluator --------------------------------------------------------------------------------


class Emission(Record):
    """Chart files a template prints: as documents (where a YAML document can start), or
    embedded as data."""

    __slots__ = ("sources", "documents", "where", "line", "guard")
    sources: tuple[FileText, ...]
    documents: bool
    where: str
    line: int
    guard: tuple[Any, ...]
    """The conditions around it (:class:`crdoc.loading.helm.guards.Condition`)."""

    def __init__(
        self,
        sources: tuple[FileText, ...],
        documents: bool,
        where: str,
        line: int,
        guard: tuple[Any, ...],
    ) -> None:
        self.sources = sources
        self.documents = documents
        self.where = where
        self.line = line
        self.guard = guard


class _Source(Record):
    """The file whose nodes are being run: its text (for where an action stands) and name."""

    __slots__ = ("text", "where", "_neutral")
    text: str
    where: str
    _neutral: list[str] | None

    def __init__(self, text: str, where: str, _neutral: list[str] | None = None) -> None:
        self.text = text
        self.where = where
        self._neutral = _neutral

    def neutral_lines(self) -> list[str]:
        if self._neutral is None:
            self._neutral = neutralise(self.text).split("\n")
        return self._neutral


_BLOCK_HEADER = re.compile(r"(?:^|[:\-]\s*)[|>][-+0-9]*\s*(?:#.*)?$")


def _document_position(source: _Source, action: Action) -> bool:
    """Whether an action stands where Helm's output can start YAML documents: nothing but
    blanks (or other actions) before it on its line, and not under a key or block scalar
    header (``data:``, ``key: |``) that would make what it prints a value."""
    text = source.text
    line_start = text.rfind("\n", 0, action.start) + 1
    before = re.sub(r"\{\{.*?\}\}", "", text[line_start : action.start])
    if before.strip():
        return False
    lines = source.neutral_lines()
    for index in range(action.line - 2, -1, -1):
        line = lines[index] if index < len(lines) else ""
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped in ("---", "..."):
            return True
        # A block scalar header, or a key whose value is still to come: what the action prints
        # is that value.
        return not (_BLOCK_HEADER.search(stripped) or stripped.endswith(":"))
    return True


class Evaluator:
    """Runs pipelines and templates of one chart (:class:`ChartContext`), bounded in steps,
    include depth and output size."""

    def __init__(self, context: ChartContext) -> None:
        self.context = context
        self.root = context.root()
        self.steps = 0
        self.depth = 0
        self.output = 0
        # Walking (all branches, to find the chart files printed): the conditions around the
        # node being walked, and where the findings go.
        self.walking = False
        self.guard: list[Any] = []
        self.emissions: list[Emission] = []
        self._documents_ok = True
        self._sources: list[_Source] = []
        self._guard_maker: Any = None
        self.file_helpers: frozenset[str] | None = None
        """When walking, the named templates that may print chart files (None: any)."""
        self._file_variables: set[str] = set()
        """When walking, the variables that hold chart files (or ``.Files``)."""

    # -- pipelines

    def evaluate(self, text: str, dot: Any = None, variables: dict[str, Any] | None = None) -> Any:
        """The value of a pipeline written as text (UNKNOWN if it does not parse)."""
        try:
            pipe = parse_pipeline(text)
        except TemplateSyntaxError:
            return UNKNOWN
        return self.run_bounded(pipe, dot, variables)

    def run_bounded(self, pipe: Pipeline, dot: Any = None, variables: Any = None) -> Any:
        """A pipeline's value; UNKNOWN past the evaluation's bounds."""
        try:
            return self.pipeline(pipe, self.root if dot is None else dot, dict(variables or {}))
        except (_Exhausted, RecursionError, Failed, _Break, _Continue):
            return UNKNOWN

    def tick(self) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise _Exhausted

    def pipeline(self, pipe: Pipeline, dot: Any, variables: dict[str, Any]) -> Any:
        variables.setdefault("$", self.root)
        value: Any = _NOTHING
        for command in pipe.commands:
            value = self.command(command, dot, variables, value)
        if pipe.variables:
            if pipe.assigns:
                for name in pipe.variables:
                    if name in variables:
                        variables[name] = value
            else:
                variables[pipe.variables[-1]] = value
            if self.walking and _holds_files(value):
                self._file_variables.update(pipe.variables)
        return value

    def command(
        self, operands: tuple[Any, ...], dot: Any, variables: dict[str, Any], piped: Any
    ) -> Any:
        self.tick()
        first = operands[0]
        if isinstance(first, Function):
            if first.name in ("and", "or"):
                return self._logic(first.name, operands[1:], dot, variables, piped)
            args = [self.argument(op, dot, variables) for op in operands[1:]]
            if piped is not _NOTHING:
                args.append(piped)
            return self.call(first.name, args, dot)
        if isinstance(first, FieldChain):
            value = self.chain(first, dot, variables)
            args = [self.argument(op, dot, variables) for op in operands[1:]]
            if piped is not _NOTHING:
                args.append(piped)
            if isinstance(value, Method):
                return value(*args)
            return UNKNOWN if args else value
        if len(operands) > 1 or piped is not _NOTHING:
            return UNKNOWN  # a literal given arguments: a Helm error
        return first.value

    def argument(self, operand: Any, dot: Any, variables: dict[str, Any]) -> Any:
        if isinstance(operand, Literal):
            return operand.value
        if isinstance(operand, Function):
            if operand.name in ("and", "or"):
                return UNKNOWN
            return self.call(operand.name, [], dot)
        value = self.chain(operand, dot, variables)
        return value() if isinstance(value, Method) else value

    def chain(self, chain: FieldChain, dot: Any, variables: dict[str, Any]) -> Any:
        base = chain.base
        lenient = False
        if base is None:
            value = dot
        elif isinstance(base, str):
            value = variables.get(base, UNKNOWN)
        else:
            value = self.pipeline(base, dot, dict(variables))
            lenient = True  # Helm: a field of a parenthesised nil is nil, not an error
        last = len(chain.names) - 1
        for index, name in enumerate(chain.names):
            if value is UNKNOWN:
                return UNKNOWN
            if isinstance(value, Method):
                value = value()
            if value is None:
                return None if lenient and index == 0 else UNKNOWN
            if isinstance(value, dict):
                value = value.get(name)
            elif isinstance(value, GoObject):
                value = value.field(name)
                if isinstance(value, Method) and index < last:
                    value = value()
            else:
                return UNKNOWN  # a field of a string or number: a Helm error
        return value

    def _logic(
        self, name: str, operands: tuple[Any, ...], dot: Any, variables: dict[str, Any], piped: Any
    ) -> Any:
        """``and``/``or``: evaluated left to right, stopping at the deciding argument (whose
        value they return), as Go does since 1.18."""
        values: list[Callable[[], Any]] = [
            functools.partial(self.argument, op, dot, variables) for op in operands
        ]
        if piped is not _NOTHING:
            values.append(lambda: piped)
        if not values:
            return UNKNOWN
        deciding = name == "or"  # the truth that decides: true for or, false for and
        unknown = False
        value: Any = None
        for get in values:
            value = get()
            known = truth(value)
            if known is None:
                unknown = True
            elif known is deciding:
                # After an unknown argument the result's truth is known, not its value.
                return value if not unknown else deciding
        return UNKNOWN if unknown else value

    def call(self, name: str, args: list[Any], dot: Any) -> Any:
        function = FUNCTIONS.get(name)
        if function is None:
            return UNKNOWN
        raw, implementation = function
        if not raw and any(arg is UNKNOWN for arg in args):
            return UNKNOWN
        try:
            return implementation(self, *args)
        except (TypeError, ValueError, KeyError, IndexError, OverflowError, AttributeError):
            return UNKNOWN  # a wrong argument: a Helm error

    # -- templates

    def include(self, name: Any, context: Any) -> Any:
        """``include``: a named template's output (a string, or :class:`Rendered`)."""
        if not isinstance(name, str):
            return UNKNOWN
        definition = self.context.definitions().get(name)
        if definition is None:
            return UNKNOWN  # Helm: no template of that name
        pieces = self.render(definition.node.body, context, definition.text, definition.where)
        return joined(pieces)

    def render(self, nodes: list[Node], dot: Any, text: str = "", where: str = "") -> list[Any]:
        """The output of some nodes as Helm would print it (pieces: text, files, UNKNOWN)."""
        if self.depth >= MAX_INCLUDE_DEPTH:
            return [UNKNOWN]
        self.depth += 1
        self._sources.append(_Source(text, where))
        walking, self.walking = self.walking, False
        out: list[Any] = []
        try:
            self.run(nodes, dot, {"$": self.root}, out)
        except (_Break, _Continue):
            pass
        except Failed:
            out = [UNKNOWN]
        finally:
            self.depth -= 1
            self._sources.pop()
            self.walking = walking
        return out

    def run(self, nodes: list[Node], dot: Any, variables: dict[str, Any], out: list[Any]) -> None:
        for node in nodes:
            self.tick()
            if isinstance(node, Text):
                self.output += len(node.text)
                if self.output > MAX_OUTPUT:
                    raise _Exhausted
                out.append(node.text)
            elif isinstance(node, Action):
                self._action(node, dot, variables, out)
            elif isinstance(node, Block):
                self._block(node, dot, variables, out)
            elif isinstance(node, Call):
                context = dot if node.pipe is None else self.pipeline(node.pipe, dot, variables)
                self._call_template(node, context, out)
            elif isinstance(node, Control) and not self.walking:
                raise _Break if node.word == "break" else _Continue

    def _action(self, node: Action, dot: Any, variables: dict[str, Any], out: list[Any]) -> None:
        if self.walking and not node.pipe.variables and not self._may_print_files(node.pipe):
            return  # walking only looks for chart files printed (variables may be used later)
        first = node.pipe.commands[0][0] if len(node.pipe.commands) == 1 else None
        includes = (
            self.walking
            and isinstance(first, Function)
            and first.name in ("include", "template")
            and not node.pipe.variables
        )
        if includes:
            # Walked, not rendered: files printed in any branch of the named template count.
            operands = node.pipe.commands[0][1:]
            args = [self.argument(op, dot, variables) for op in operands]
            if len(args) == 2 and isinstance(args[0], str):
                self._walk_definition(args[0], args[1], self._here_documents(node))
                return
        try:
            value = self.pipeline(node.pipe, dot, variables)
        except Failed:
            if not self.walking:
                raise
            return  # a branch Helm refuses to render prints nothing
        if node.pipe.variables:
            return
        printed = value.pieces if isinstance(value, Rendered) else [printed_text(value)]
        out.extend(printed)
        if self.walking:
            self._note(printed, node)

    def _may_print_files(self, pipe: Pipeline) -> bool:
        """Whether an action may print (or keep in a variable) a chart file: it reads
        ``.Files`` or a variable, or calls a named template that may."""
        text = pipe.text
        if "Files" in text or any(name in text for name in self._file_variables):
            return True
        if "include" not in text and "template" not in text:
            return False
        helpers = self.file_helpers
        return helpers is None or any(f'"{name}"' in text for name in helpers)

    def _here_documents(self, node: Action) -> bool:
        return self._documents_ok and _document_position(self._sources[-1], node)

    def _note(self, printed: list[Any], node: Action) -> None:
        """Record the chart files an action prints, with the conditions around it."""
        documents: list[FileText] = []
        data: list[FileText] = []
        here = None
        for piece in printed:
            if isinstance(piece, FileText | FilePart | FileObject):
                source = piece if isinstance(piece, FileText) else piece.source
                if here is None:
                    here = self._here_documents(node)
                (documents if here else data).append(source)
            elif isinstance(piece, FileData):
                data.extend(piece.sources)
        where = self._sources[-1].where
        guard = tuple(self.guard)
        if documents:
            self.emissions.append(Emission(tuple(documents), True, where, node.line, guard))
        if data:
            self.emissions.append(Emission(tuple(data), False, where, node.line, guard))

    def _walk_definition(self, name: str, context: Any, documents: bool) -> None:
        if self.file_helpers is not None and name not in self.file_helpers:
            return
        definition = self.context.definitions().get(name)
        if definition is None or self.depth >= MAX_INCLUDE_DEPTH:
            return
        saved = self._documents_ok, self._guard_maker
        self._documents_ok = documents
        # Conditions inside a named template depend on its context: kept with the value they
        # have here, not evaluated again.
        self._guard_maker = None
        self.depth += 1
        self._sources.append(_Source(definition.text, definition.where))
        try:
            self.run(definition.node.body, context, {"$": self.root}, [])
        finally:
            self.depth -= 1
            self._sources.pop()
            self._documents_ok, self._guard_maker = saved

    def _call_template(self, node: Call, context: Any, out: list[Any]) -> None:
        if self.walking:
            self._walk_definition(node.name, context, self._documents_ok)
            return
        definition = self.context.definitions().get(node.name)
        if definition is None:
            out.append(UNKNOWN)
            return
        out.extend(self.render(definition.node.body, context, definition.text, definition.where))

    def _block(self, node: Block, dot: Any, variables: dict[str, Any], out: list[Any]) -> None:
        if node.keyword == "range":
            self._range(node, dot, variables, out)
            return
        if self.walking:
            self._walk_branches(node, dot, variables, out)
            return
        for branch in node.branches:
            if branch.pipe is None:
                self.run(branch.body, dot, dict(variables), out)
                return
            scope = dict(variables)
            value = self.pipeline(branch.pipe, dot, scope)
            known = truth(value)
            if known is None:
                out.append(UNKNOWN)
                return
            if known:
                inner = value if branch.keyword == "with" else dot
                self.run(branch.body, inner, scope, out)
                return

    def _walk_branches(
        self, node: Block, dot: Any, variables: dict[str, Any], out: list[Any]
    ) -> None:
        """Every branch of an ``if``/``with``, each under its conditions."""
        before = len(self.guard)
        static = self._guard_maker
        for index, branch in enumerate(node.branches):
            scope = dict(variables)
            value: Any = UNKNOWN
            if branch.pipe is not None and (branch.keyword == "with" or branch.pipe.variables):
                try:
                    value = self.pipeline(branch.pipe, dot, scope)
                except Failed:
                    value = UNKNOWN
            self.guard.extend(self._conditions(node, index, dot, variables))
            inner = dot
            if branch.keyword == "with" and branch.pipe is not None:
                inner = value
                self._guard_maker = (
                    Static((*static.dot, branch.pipe.text), static.variables)
                    if static is not None
                    else None
                )
            try:
                self.run(branch.body, inner, scope, out)
            finally:
                self._guard_maker = static
                del self.guard[before:]

    def _conditions(
        self, node: Block, index: int, dot: Any, variables: dict[str, Any]
    ) -> list[Any]:
        """The conditions under which a branch runs: to evaluate again where they stand at the
        top of a template, with their value here where they depend on more (a named
        template's argument, a ``range`` item)."""
        source = self._sources[-1]

        def value_of(pipe: Pipeline) -> bool | None:
            return truth(self.run_bounded(pipe, dot, variables))

        return branch_conditions(node, index, source.where, value_of, self._guard_maker)

    def _range(self, node: Block, dot: Any, variables: dict[str, Any], out: list[Any]) -> None:
        branch = node.branches[0]
        pipe = branch.pipe
        assert pipe is not None
        scope = dict(variables)
        bare = Pipeline(pipe.commands, text=pipe.text)
        value = self.pipeline(bare, dot, scope)
        items = _range_items(value)
        names = pipe.variables
        maker = self._guard_maker
        self._guard_maker = None  # conditions inside depend on each item
        try:
            if items is None:
                if not self.walking:
                    out.append(UNKNOWN)
                    return
                items = [(UNKNOWN, UNKNOWN)]
            for count, (key, item) in enumerate(items):
                if count >= MAX_RANGE:
                    raise _Exhausted
                inner = dict(scope)
                if len(names) == 2:
                    inner[names[0]], inner[names[1]] = key, item
                elif names:
                    inner[names[0]] = item
                if self.walking and names and _holds_files(item):
                    self._file_variables.add(names[-1])
                try:
                    self.run(branch.body, item, inner, out)
                except _Continue:
                    continue
                except _Break:
                    break
            if len(node.branches) > 1 and (self.walking or not items):
                self.run(node.branches[1].body, dot, dict(scope), out)
        finally:
            self._guard_maker = maker

    # -- walking a template for the chart files it prints

    def walk(self, nodes: list[Node], text: str, where: str, guard_maker: Any) -> list[Emission]:
        """Every chart file the nodes print, in every branch, with the conditions around it.
        ``guard_maker`` makes the conditions of top-level blocks (evaluated again when
        choosing between alternatives); conditions deeper inside are kept with their value."""
        self.walking = True
        self.emissions = []
        self._guard_maker = guard_maker
        self._sources.append(_Source(text, where))
        try:
            self.run(nodes, self.root, {"$": self.root}, [])
        except (_Exhausted, RecursionError, _Break, _Continue, Failed):
            pass
        finally:
            self._sources.pop()
            self.walking = False
        return self.emissions


def _holds_files(value: Any) -> bool:
    """Whether a value is (or holds) chart files: a variable set to it must be followed."""
    if isinstance(value, FileText | FilePart | FileParts | FileObject | FileData | FilesObject):
        return True
    if isinstance(value, Rendered):
        return bool(value.files)
    if isinstance(value, dict):
        return any(_holds_files(item) for item in value.values())
    return value is UNKNOWN


def _range_items(value: Any) -> list[tuple[Any, Any]] | None:
    """What ``range`` visits: (key, item) pairs; ``None`` when unknown."""
    if value is None:
        return []
    if isinstance(value, FilesObject):
        return list(value.items())
    if isinstance(value, FileParts):
        return [(0, FilePart(value.source))]
    if isinstance(value, list | tuple):
        return list(enumerate(value))
    if isinstance(value, dict):
        return [(key, value[key]) for key in sorted(value, key=str)]
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_RANGE:
        return [(i, i) for i in range(value)]
    return None


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


_NOTHING: Any = object()
