"""The conditions around each CRD a chart defines, and choosing between two definitions of one
CRD as Helm would.

crdoc documents every CRD a chart can install: a condition never drops a CRD defined once
(``crds.enabled: false`` around it or not). Conditions only choose when one CRD is defined
twice or more with different content — a "standard" and an "experimental" channel, a ``v1``
and a ``v1beta1`` copy for old clusters. Each definition carries its :data:`Guard`: the
conditions of the branches around it (``if``, ``else if``, ``else``, ``with``), found in the
template without values (:func:`template_guards`, in the process that reads the file) and
evaluated later against the chart's values (:func:`choose`), true, false or unknown.

:func:`choose` takes the one definition whose guard holds. When none holds because of a
condition every definition shares (``crds.enabled: false`` around both channels), it decides
with the shared conditions taken as true. When it still cannot decide, the error names each
definition, its conditions, and the ``--set`` that would choose it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, NamedTuple

from crdoc.loading.helm.gotemplate import (
    Action,
    Block,
    Define,
    FieldChain,
    Function,
    Literal,
    Node,
    Pipeline,
    TemplateSyntaxError,
    Text,
    operand_text,
    parse,
    parse_pipeline,
)
from crdoc.loading.helm.records import Record


class Condition(Record):
    """One condition a branch needs: ``expression`` true (``holds``) or false."""

    __slots__ = ("expression", "holds", "where", "line", "dot", "variables", "value")
    expression: str
    """The pipeline as written in the template (spaces collapsed)."""
    holds: bool
    where: str
    """The template, as messages name it."""
    line: int
    dot: tuple[str, ...] | None
    """The ``with`` pipelines the dot is the value of, outermost first (``()``: the chart's
    top-level context). ``None``: the condition depends on more than the chart's values (a
    ``range`` item, a named template's argument); ``value`` then holds what it was."""
    variables: tuple[tuple[str, str | None], ...]
    """The template variables in scope, in order, with the pipeline that set them (``None``:
    set in a branch, so unknown)."""
    value: bool | None
    """For a condition that cannot be evaluated again: its truth where it was found."""

    def __init__(
        self,
        expression: str,
        holds: bool,
        where: str,
        line: int,
        dot: tuple[str, ...] | None = (),
        variables: tuple[tuple[str, str | None], ...] = (),
        value: bool | None = None,
    ) -> None:
        self.expression = expression
        self.holds = holds
        self.where = where
        self.line = line
        self.dot = dot
        self.variables = variables
        self.value = value

    def opaque(self) -> Condition:
        """The same condition read in a context other than the chart's (a file ``tpl``
        renders with another dot): it cannot be evaluated against the chart's values."""
        return Condition(self.expression, self.holds, self.where, self.line, None, (), None)

    def describe(self) -> str:
        """The condition as a reader would write it."""
        return self.expression if self.holds else f"not ({self.expression})"

    @property
    def identity(self) -> tuple[Any, ...]:
        """What makes two conditions the same condition (in two files, say)."""
        return (self.expression, self.holds, self.dot, self.variables)


#: The conditions around one definition, all needed (an empty guard always holds).
Guard = tuple[Condition, ...]

_VARIABLE = re.compile(r"\$\w+")


# -- conditions from a template -------------------------------------------------------------------


def _as_pipeline(operand: Any) -> Pipeline:
    if isinstance(operand, FieldChain) and isinstance(operand.base, Pipeline) and not operand.names:
        return operand.base
    return Pipeline(((operand,),), text=operand_text(operand))


def _parts(pipe: Pipeline, holds: bool) -> Iterator[tuple[Pipeline, bool]]:
    """A condition as simpler ones: ``and A B`` needed true is ``A`` and ``B``; ``or A B``
    needed false is neither; ``not A`` is ``A`` the other way round."""
    if len(pipe.commands) == 1 and not pipe.variables:
        head, *operands = pipe.commands[0]
        if isinstance(head, Function) and operands:
            if head.name == "not" and len(operands) == 1:
                yield from _parts(_as_pipeline(operands[0]), not holds)
                return
            if (head.name == "and" and holds) or (head.name == "or" and not holds):
                for operand in operands:
                    yield from _parts(_as_pipeline(operand), holds)
                return
    yield pipe, holds


class Static(Record):
    """Where a condition stands in its template, as far as evaluating it again needs: the
    ``with`` pipelines around it and the variables in scope."""

    __slots__ = ("dot", "variables")
    dot: tuple[str, ...]
    variables: tuple[tuple[str, str | None], ...]

    def __init__(
        self,
        dot: tuple[str, ...] = (),
        variables: tuple[tuple[str, str | None], ...] = (),
    ) -> None:
        self.dot = dot
        self.variables = variables


def branch_conditions(
    block: Block,
    index: int,
    where: str,
    value_of: Callable[[Pipeline], bool | None] | None,
    static: Static | None,
) -> list[Condition]:
    """The conditions under which branch ``index`` of an ``if``/``with`` block runs: every
    earlier branch's pipeline false, its own true. With ``static`` they can be evaluated again
    (with other values); without it they keep their value here (``value_of``)."""
    conditions = []
    for position, branch in enumerate(block.branches[: index + 1]):
        if branch.pipe is None:
            continue
        for pipe, holds in _parts(branch.pipe, position == index):
            conditions.append(_condition(pipe, holds, where, branch.line, value_of, static))
    return conditions


def _condition(
    pipe: Pipeline,
    holds: bool,
    where: str,
    line: int,
    value_of: Callable[[Pipeline], bool | None] | None,
    static: Static | None,
) -> Condition:
    text = pipe.text or " ".join(operand_text(op) for op in pipe.commands[0])
    uses = {name for name in _VARIABLE.findall(text)}
    known = {name for name, _ in static.variables} if static is not None else set()
    if static is not None and uses <= known:
        variables = tuple((name, value) for name, value in static.variables if name in uses)
        return Condition(text, holds, where, line, static.dot, variables)
    value = value_of(pipe) if value_of is not None else None
    return Condition(text, holds, where, line, None, (), value)


class TemplateGuards:
    """The conditions around every line of one template, found without evaluating anything."""

    def __init__(self, lines: list[tuple[Any, ...]], choices: list[tuple[int, list[Any]]]) -> None:
        self._lines = lines
        self.choices = choices
        """Each ``if``/``with`` block with an ``else``: the offset of its opening action and,
        per branch, a :class:`Condition` on its pipeline (``None`` for ``else``)."""

    def around(self, first: int, last: int) -> Guard:
        """The conditions of the branches that hold every line from ``first`` to ``last``
        (1-based)."""
        if not self._lines:
            return ()
        top = len(self._lines) - 1
        start = self._lines[min(max(first, 0), top)]
        end = self._lines[min(max(last, 0), top)]
        conditions: list[Condition] = []
        for frame_a, frame_b in zip(start, end, strict=False):
            if frame_a is not frame_b:
                break
            conditions.extend(frame_a[1])
        return tuple(conditions)


_NO_GUARDS = TemplateGuards([], [])


def template_guards(text: str, where: str) -> TemplateGuards:
    """The conditions around each line of ``text`` (none where it does not parse as a Go
    template: every CRD in it is then kept, as before evaluation existed)."""
    try:
        nodes = parse(text)
    except TemplateSyntaxError:
        return _NO_GUARDS
    lines: list[tuple[Any, ...]] = [()] * (text.count("\n") + 2)
    choices: list[tuple[int, list[Any]]] = []
    try:
        _visit(nodes, (), Static(), lines, choices, where)
    except RecursionError:  # blocks nested past Python's stack, in a hostile chart
        return _NO_GUARDS
    return TemplateGuards(lines, choices)


def _visit(
    nodes: list[Node],
    frames: tuple[Any, ...],
    static: Static | None,
    lines: list[tuple[Any, ...]],
    choices: list[tuple[int, list[Any]]],
    where: str,
) -> set[str]:
    """Mark each line with the frames (branches) around it; returns the names of variables of
    outer scopes assigned here (unknown after the block)."""
    assigned: set[str] = set()
    own: set[str] = set()  # declared in this scope
    for node in nodes:
        if isinstance(node, Text):
            end = node.line + node.text.count("\n")
            for line in range(node.line, min(end, len(lines) - 1) + 1):
                lines[line] = frames
        elif isinstance(node, Action):
            for line in range(node.line, min(node.end_line, len(lines) - 1) + 1):
                lines[line] = frames
            if node.pipe.variables and static is not None:
                static = _declare(static, node.pipe, own, assigned)
        elif isinstance(node, Block):
            static = _visit_block(node, frames, static, lines, choices, where, assigned)
        elif isinstance(node, Define):
            continue  # a definition prints nothing where it stands
    return assigned


def _declare(static: Static, pipe: Pipeline, own: set[str], assigned: set[str]) -> Static:
    """The scope after an action that sets variables."""
    text = pipe.text.split(":=", 1)[-1] if not pipe.assigns else pipe.text.split("=", 1)[-1]
    variables = dict(static.variables)
    for name in pipe.variables:
        # A variable set while the dot is not the chart's context cannot be evaluated again.
        value = text.strip() if not static.dot and len(pipe.variables) == 1 else None
        if pipe.assigns and name not in own:
            assigned.add(name)
        if not pipe.assigns:
            own.add(name)
        variables[name] = value
    return Static(static.dot, tuple(variables.items()))


def _visit_block(
    node: Block,
    frames: tuple[Any, ...],
    static: Static | None,
    lines: list[tuple[Any, ...]],
    choices: list[tuple[int, list[Any]]],
    where: str,
    assigned: set[str],
) -> Static | None:
    if node.keyword == "range":
        # The body runs once per item: what it tests depends on the item.
        for branch in node.branches:
            _visit(branch.body, frames, None, lines, choices, where)
        return static
    if len(node.branches) > 1:
        choices.append(
            (
                node.start,
                [
                    _condition(b.pipe, True, where, b.line, None, static)
                    if b.pipe is not None
                    else None
                    for b in node.branches
                ],
            )
        )
    changed: set[str] = set()
    for index, branch in enumerate(node.branches):
        conditions = tuple(branch_conditions(node, index, where, None, static))
        inner = static
        if static is not None and branch.keyword == "with" and branch.pipe is not None:
            inner = Static((*static.dot, branch.pipe.text), static.variables)
        frame = (object(), conditions)
        changed |= _visit(branch.body, (*frames, frame), inner, lines, choices, where)
    if changed and static is not None:
        variables = dict(static.variables)
        for name in changed:
            if name in variables:
                variables[name] = None
            else:
                assigned.add(name)
        static = Static(static.dot, tuple(variables.items()))
    return static


# -- evaluating conditions ------------------------------------------------------------------------


def satisfied(condition: Condition, evaluate: Callable[[Condition], bool | None]) -> bool | None:
    """Whether a condition is met: its expression's truth (``evaluate``) is what it needs."""
    value = condition.value if condition.dot is None else evaluate(condition)
    return None if value is None else value is condition.holds


def guard_value(
    guard: Guard,
    evaluate: Callable[[Condition], bool | None],
    assumed: frozenset[tuple[Any, ...]] = frozenset(),
) -> bool | None:
    """A guard's truth: false if a condition is false, true if all are true, else unknown.
    Conditions in ``assumed`` (by identity) count as true."""
    result: bool | None = True
    for condition in guard:
        if condition.identity in assumed:
            continue
        value = satisfied(condition, evaluate)
        if value is False:
            return False
        if value is None:
            result = None
    return result


class Place(NamedTuple):
    """Where a CRD is defined, and when Helm installs it from there."""

    where: str
    line: int
    guards: tuple[Guard, ...]
    """Any of them holding installs it."""
    scope: Any
    """Its chart (whose values the guards read)."""
    via: str | None = None
    """For a chart file a template pulls in: that template, ``path:line``."""


class Alternative(Record):
    """One content of a CRD defined more than once, and every place that defines it so."""

    __slots__ = ("crd", "places")
    crd: Any
    places: list[Place]

    def __init__(self, crd: Any, places: list[Place] | None = None) -> None:
        self.crd = crd
        self.places = list() if places is None else places

    def value(
        self,
        evaluate: Callable[[Any], Callable[[Condition], bool | None]],
        assumed: frozenset[tuple[Any, ...]] = frozenset(),
    ) -> bool | None:
        """Whether Helm would install this content: true if some place's guard holds."""
        result: bool | None = False
        for place in self.places:
            for guard in place.guards:
                value = guard_value(guard, evaluate(place.scope), assumed)
                if value:
                    return True
                if value is None:
                    result = None
        return result

    def conditional(self) -> bool:
        """Whether any place of it has conditions."""
        return any(guard for place in self.places for guard in place.guards)


def choose(
    alternatives: Sequence[Alternative],
    evaluate: Callable[[Any], Callable[[Condition], bool | None]],
) -> Alternative | None:
    """The alternative Helm would install, or ``None`` when crdoc cannot tell.

    Exactly one true is taken. When none is true, conditions shared by every definition (the
    same expression, needed the same way) are taken as true and the question asked again: a
    ``crds.enabled: false`` around both channels does not hide which channel is chosen."""
    values = [alternative.value(evaluate) for alternative in alternatives]
    if values.count(True) == 1:
        return alternatives[values.index(True)]
    if True in values:
        return None
    shared = _shared_conditions(alternatives)
    if shared:
        values = [alternative.value(evaluate, shared) for alternative in alternatives]
        if values.count(True) == 1:
            return alternatives[values.index(True)]
    return None


def _shared_conditions(alternatives: Sequence[Alternative]) -> frozenset[tuple[Any, ...]]:
    found: set[tuple[Any, ...]] | None = None
    for alternative in alternatives:
        for place in alternative.places:
            for guard in place.guards:
                identities = {(place.scope, *c.identity) for c in guard}
                found = identities if found is None else found & identities
    return frozenset(identity[1:] for identity in found or ())


def describe_guards(guards: tuple[Guard, ...]) -> str:
    """Conditions as a reader would write them (``always`` for none)."""
    texts = [" and ".join(c.describe() for c in guard) or "always" for guard in guards]
    if "always" in texts:
        return "always"
    return texts[0] if len(texts) == 1 else " or ".join(f"({text})" for text in texts)


# -- suggesting --set -----------------------------------------------------------------------------


def set_candidates(alternatives: Iterable[Alternative]) -> list[tuple[Any, str, str]]:
    """``(scope, values path, value)`` settings the alternatives' conditions test, to try as
    ``--set`` (``crds.channel=standard`` for ``eq .Values.crds.channel "standard"``)."""
    found: dict[tuple[Any, str, str], None] = {}
    for alternative in alternatives:
        for place in alternative.places:
            for guard in place.guards:
                for condition in guard:
                    if condition.dot != ():
                        continue
                    for path, value in _settings_tested(condition.expression):
                        found[(place.scope, path, value)] = None
    return list(found)


def _settings_tested(expression: str) -> Iterator[tuple[str, str]]:
    try:
        pipe = parse_pipeline(expression)
    except TemplateSyntaxError:
        return
    yield from _tested(pipe)


def _tested(pipe: Pipeline) -> Iterator[tuple[str, str]]:
    if len(pipe.commands) == 2 and pipe.commands[1] == (Function("toString"),):
        path = _values_path(pipe.commands[0])
        if path:
            yield path, "true"
            yield path, "false"
        return
    if len(pipe.commands) != 1:
        return
    command = pipe.commands[0]
    path = _values_path(command)
    if path:
        yield path, "true"
        yield path, "false"
        return
    head, *operands = command
    if not isinstance(head, Function):
        return
    if head.name in ("eq", "ne") and len(operands) == 2:
        for one, other in (operands, operands[::-1]):
            path = _values_path((one,)) or _values_path(_as_pipeline(one).commands[0])
            if not path and isinstance(one, FieldChain) and isinstance(one.base, Pipeline):
                inner = one.base
                if len(inner.commands) == 2 and inner.commands[1] == (Function("toString"),):
                    path = _values_path(inner.commands[0])
            if path and isinstance(other, Literal) and other.value is not None:
                yield path, _set_text(other.value)
    elif head.name in ("and", "or", "not"):
        for operand in operands:
            yield from _tested(_as_pipeline(operand))


def _values_path(command: tuple[Any, ...]) -> str | None:
    if len(command) != 1:
        return None
    chain = command[0]
    if (
        isinstance(chain, FieldChain)
        and chain.base in (None, "$")
        and len(chain.names) > 1
        and chain.names[0] == "Values"
    ):
        return ".".join(chain.names[1:])
    return None


def _set_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    # --set reads "," as the next item and "\\" as an escape.
    return re.sub(r"([\\,])", r"\\\1", str(value))
