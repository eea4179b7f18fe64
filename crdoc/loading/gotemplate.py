"""Go templates as Helm charts write them, parsed into a tree crdoc can walk and evaluate.

:mod:`crdoc.loading.templating` turns a template into plain YAML without understanding it; this
module understands it: text, actions (``{{ .Values.x | default 1 }}``, ``{{ $v := … }}``) and
the blocks around them (``if``/``else if``/``else``, ``with``, ``range``, ``define``,
``template``/``block``), each with its line. Actions are found with the same expression as
:func:`~crdoc.loading.templating.neutralise` uses, so both see the same actions at the same offsets.

The grammar is Go's ``text/template``: a pipeline is commands separated by ``|``, optionally
declaring (``$x :=``) or assigning (``$x =``) variables; a command is operands; an operand is a
literal, a field chain from the dot (``.Values.a.b``), from a variable (``$.Values``,
``$x.y``) or from a parenthesised pipeline (``(.Values.a).b``), or a function name.
"""

from __future__ import annotations

import re
from typing import Any

from crdoc.loading.records import Record
from crdoc.loading.templating import ACTION


class TemplateSyntaxError(ValueError):
    """A template crdoc cannot parse (Helm would refuse it too, or it uses syntax crdoc does
    not know); ``line`` is 1-based."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


# -- expressions ----------------------------------------------------------------------------------


class Literal(Record):
    """A string, number, boolean or ``nil``."""

    __slots__ = ("value",)
    value: Any

    def __init__(self, value: Any) -> None:
        self.value = value


class FieldChain(Record):
    """Fields read in turn from a base: the dot (``base`` None), a variable (``"$"``,
    ``"$x"``) or a parenthesised pipeline. ``.`` alone is the dot with no fields."""

    __slots__ = ("base", "names")
    base: str | Pipeline | None
    names: tuple[str, ...]

    def __init__(self, base: str | Pipeline | None, names: tuple[str, ...] = ()) -> None:
        self.base = base
        self.names = names


class Function(Record):
    """A function name (``eq``, ``include``, ``default`` …)."""

    __slots__ = ("name",)
    name: str

    def __init__(self, name: str) -> None:
        self.name = name


Operand = Literal | FieldChain | Function


class Pipeline(Record):
    """Commands joined by ``|``; each command's result is the last argument of the next."""

    __slots__ = ("commands", "variables", "assigns", "text")
    _compared = ("commands", "variables", "assigns")
    commands: tuple[tuple[Operand, ...], ...]
    variables: tuple[str, ...]
    """Variables declared (``$x :=``) or assigned (``$x =``) by the pipeline."""
    assigns: bool
    """``=`` (assignment to existing variables) rather than ``:=``."""
    text: str
    """The pipeline as written, spaces collapsed (for messages)."""

    def __init__(
        self,
        commands: tuple[tuple[Operand, ...], ...],
        variables: tuple[str, ...] = (),
        assigns: bool = False,
        text: str = "",
    ) -> None:
        self.commands = commands
        self.variables = variables
        self.assigns = assigns
        self.text = text


# -- the tree -------------------------------------------------------------------------------------


class Text(Record):
    __slots__ = ("text", "line")
    text: str
    line: int

    def __init__(self, text: str, line: int) -> None:
        self.text = text
        self.line = line


class Action(Record):
    """An action that prints its pipeline's value, or only sets variables."""

    __slots__ = ("pipe", "line", "end_line", "start", "end")
    pipe: Pipeline
    line: int
    end_line: int
    start: int
    """Offset of ``{{`` in the template text."""
    end: int
    """Offset just after ``}}``."""

    def __init__(self, pipe: Pipeline, line: int, end_line: int, start: int, end: int) -> None:
        self.pipe = pipe
        self.line = line
        self.end_line = end_line
        self.start = start
        self.end = end


class Branch(Record):
    """One branch of a block: its pipeline (``None`` for a plain ``else``) and body."""

    __slots__ = ("pipe", "line", "body", "keyword")
    pipe: Pipeline | None
    line: int
    body: list[Node]
    keyword: str
    """``if``, ``with`` or ``range`` (an ``else if`` branch of a ``with`` block is an ``if``)."""

    def __init__(
        self,
        pipe: Pipeline | None,
        line: int,
        body: list[Node] | None = None,
        keyword: str = "",
    ) -> None:
        self.pipe = pipe
        self.line = line
        self.body = list() if body is None else body
        self.keyword = keyword


class Block(Record):
    """``if``, ``with`` or ``range``, with its ``else``/``else if``/``else with`` branches."""

    __slots__ = ("keyword", "branches", "line", "start", "end_line")
    keyword: str
    branches: list[Branch]
    line: int
    start: int
    """Offset of the opening action, as :data:`~crdoc.loading.templating.ACTION` finds it."""
    end_line: int

    def __init__(
        self,
        keyword: str,
        branches: list[Branch],
        line: int,
        start: int,
        end_line: int = 0,
    ) -> None:
        self.keyword = keyword
        self.branches = branches
        self.line = line
        self.start = start
        self.end_line = end_line


class Define(Record):
    """``define NAME`` (or the definition half of ``block``): a named template."""

    __slots__ = ("name", "body", "line")
    name: str
    body: list[Node]
    line: int

    def __init__(self, name: str, body: list[Node], line: int) -> None:
        self.name = name
        self.body = body
        self.line = line


class Call(Record):
    """``template NAME PIPELINE`` (and the call half of ``block``)."""

    __slots__ = ("name", "pipe", "line")
    name: str
    pipe: Pipeline | None
    line: int

    def __init__(self, name: str, pipe: Pipeline | None, line: int) -> None:
        self.name = name
        self.pipe = pipe
        self.line = line


class Control(Record):
    """``break`` or ``continue`` inside a ``range``."""

    __slots__ = ("word", "line")
    word: str
    line: int

    def __init__(self, word: str, line: int) -> None:
        self.word = word
        self.line = line


Node = Text | Action | Block | Define | Call | Control


# -- lexing ---------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""(?P<space>\s+)
    |(?P<string>"(?:\\.|[^"\\])*")
    |(?P<raw>`[^`]*`)
    |(?P<char>'(?:\\.|[^'\\])+')
    |(?P<declare>:=)
    |(?P<assign>=)
    |(?P<pipe>\|)
    |(?P<open>\()
    |(?P<close>\))
    |(?P<comma>,)
    |(?P<variable>\$\w*)
    |(?P<field>(?:\.[^\W\d]\w*)+)
    |(?P<number>[+-]?(?:0[xX][0-9a-fA-F_]+|(?:\d[\d_]*)?\.?\d[\d_]*(?:[eE][+-]?\d+)?))
    |(?P<dot>\.)
    |(?P<word>[^\W\d]\w*)
    """,
    re.VERBOSE,
)
_KEYWORDS = frozenset(
    {"if", "else", "end", "range", "with", "define", "template", "block", "break", "continue"}
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "0": "\0"}


class _Token(Record):
    __slots__ = ("kind", "text", "start", "end")
    kind: str
    text: str
    start: int
    end: int

    def __init__(self, kind: str, text: str, start: int, end: int) -> None:
        self.kind = kind
        self.text = text
        self.start = start
        self.end = end


def _tokens(body: str, line: int) -> list[_Token]:
    tokens = []
    pos = 0
    while pos < len(body):
        match = _TOKEN.match(body, pos)
        if match is None:
            raise TemplateSyntaxError(f"unexpected {body[pos]!r} in action", line)
        kind = match.lastgroup or ""
        if kind != "space":
            tokens.append(_Token(kind, match.group(), match.start(), match.end()))
        pos = match.end()
    return tokens


def _unquote(text: str, line: int) -> str:
    """A Go interpreted string literal's value."""
    out = []
    i = 1
    while i < len(text) - 1:
        char = text[i]
        if char != "\\":
            out.append(char)
            i += 1
            continue
        nxt = text[i + 1]
        if nxt in _ESCAPES:
            out.append(_ESCAPES[nxt])
            i += 2
        elif nxt == "x":
            out.append(chr(int(text[i + 2 : i + 4], 16)))
            i += 4
        elif nxt in "uU":
            width = 4 if nxt == "u" else 8
            out.append(chr(int(text[i + 2 : i + 2 + width], 16)))
            i += 2 + width
        else:
            raise TemplateSyntaxError(f"unknown escape \\{nxt} in string", line)
    return "".join(out)


def _number(text: str, line: int) -> int | float:
    clean = text.replace("_", "")
    try:
        if re.fullmatch(r"[+-]?0[xX][0-9a-fA-F]+", clean):
            return int(clean, 16)
        if re.fullmatch(r"[+-]?\d+", clean):
            return int(clean)
        return float(clean)
    except ValueError:
        raise TemplateSyntaxError(f"bad number {text!r}", line) from None


class _Parser:
    """Pipelines from the tokens of one action."""

    def __init__(self, tokens: list[_Token], body: str, line: int) -> None:
        self.tokens = tokens
        self.body = body
        self.line = line
        self.pos = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def next(self) -> _Token:
        token = self.peek()
        if token is None:
            raise TemplateSyntaxError("unexpected end of action", self.line)
        self.pos += 1
        return token

    def pipeline(self, *, closing: str | None = None, declarations: bool = True) -> Pipeline:
        start = self.peek().start if self.peek() else len(self.body)
        variables: list[str] = []
        assigns = False
        if declarations:
            variables, assigns = self._declarations()
        commands: list[tuple[Operand, ...]] = []
        while True:
            commands.append(self.command(closing))
            token = self.peek()
            if token is None or token.kind == closing:
                break
            if token.kind != "pipe":
                raise TemplateSyntaxError(f"unexpected {token.text!r} in pipeline", self.line)
            self.next()
        end = self.peek().start if self.peek() else len(self.body)
        text = " ".join(self.body[start:end].split())
        return Pipeline(tuple(commands), tuple(variables), assigns, text)

    def _declarations(self) -> tuple[list[str], bool]:
        """``$x :=``, ``$k, $v :=`` or ``$x =`` at the start of a pipeline, if there."""
        saved = self.pos
        names = []
        while True:
            token = self.peek()
            if token is None or token.kind != "variable":
                break
            names.append(token.text)
            self.pos += 1
            after = self.peek()
            if after is not None and after.kind == "comma" and len(names) == 1:
                self.pos += 1
                continue
            if after is not None and after.kind in ("declare", "assign"):
                self.pos += 1
                return names, after.kind == "assign"
            break
        self.pos = saved
        return [], False

    def command(self, closing: str | None) -> tuple[Operand, ...]:
        operands: list[Operand] = []
        while True:
            token = self.peek()
            if token is None or token.kind in ("pipe", closing):
                break
            operands.append(self.operand())
        if not operands:
            raise TemplateSyntaxError("empty command in pipeline", self.line)
        return tuple(operands)

    def operand(self) -> Operand:
        token = self.next()
        kind = token.kind
        if kind == "string":
            base: Operand = Literal(_unquote(token.text, self.line))
        elif kind == "raw":
            base = Literal(token.text[1:-1])
        elif kind == "char":
            base = Literal(ord(_unquote('"' + token.text[1:-1] + '"', self.line)[:1] or "\0"))
        elif kind == "number":
            base = Literal(_number(token.text, self.line))
        elif kind == "field":
            return FieldChain(None, tuple(token.text[1:].split(".")))
        elif kind == "dot":
            base = FieldChain(None)
        elif kind == "variable":
            base = FieldChain(token.text)
        elif kind == "word":
            if token.text in ("true", "false"):
                base = Literal(token.text == "true")
            elif token.text == "nil":
                base = Literal(None)
            else:
                base = Function(token.text)
        elif kind == "open":
            inner = self.pipeline(closing="close", declarations=False)
            close = self.next()
            if close.kind != "close":
                raise TemplateSyntaxError("unclosed '('", self.line)
            base = FieldChain(inner)
            token = close
        else:
            raise TemplateSyntaxError(f"unexpected {token.text!r} in pipeline", self.line)
        # Fields glued to an operand read from it: `$.Values`, `$x.y`, `(…).y`.
        after = self.peek()
        if after is not None and after.kind == "field" and after.start == token.end:
            self.next()
            names = tuple(after.text[1:].split("."))
            if isinstance(base, FieldChain):
                return FieldChain(base.base, base.names + names)
            return FieldChain(Pipeline(((base,),), text=token.text), names)
        return base


def parse_pipeline(text: str, line: int = 1) -> Pipeline:
    """One pipeline (the inside of an action, or a condition as crdoc stores it)."""
    parser = _Parser(_tokens(text, line), text, line)
    try:
        pipe = parser.pipeline()
    except RecursionError:
        raise TemplateSyntaxError("parentheses nested too deeply", line) from None
    if parser.peek() is not None:
        raise TemplateSyntaxError(f"unexpected {parser.peek().text!r}", line)  # type: ignore[union-attr]
    return pipe


# -- the tree -------------------------------------------------------------------------------------


class _Lines:
    """1-based line numbers of offsets in a text, asked for in increasing order (counting
    only the text between one offset and the next)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.offset = 0
        self.line = 1

    def __call__(self, offset: int) -> int:
        if offset < self.offset:
            self.offset, self.line = 0, 1
        self.line += self.text.count("\n", self.offset, offset)
        self.offset = offset
        return self.line


def _inside(action: str) -> tuple[str, bool]:
    """An action's text without delimiters and trim markers, and whether it is a comment."""
    body = action[2:-2]
    if body.startswith("-") and body[1:2].isspace():
        body = body[1:]
    if body.endswith("-") and body[-2:-1].isspace():
        body = body[:-1]
    body = body.strip()
    return body, body.startswith("/*")


def parse(text: str) -> list[Node]:
    """The tree of a template. :class:`TemplateSyntaxError` for an unbalanced block or an action
    crdoc cannot read."""
    try:
        return _parse(text)
    except RecursionError:  # parentheses nested past Python's stack, in a hostile chart
        raise TemplateSyntaxError("parentheses nested too deeply", 1) from None


def _parse(text: str) -> list[Node]:
    lines = _Lines(text)
    root: list[Node] = []
    # Open blocks: (node, body list being filled).
    stack: list[tuple[Block | Define, list[Node]]] = []
    body = root
    pos = 0
    trim_next = False  # the previous action ended with " -}}"
    for match in ACTION.finditer(text):
        action = match.group()
        # "{{- " and " -}}" remove the white space before and after the action.
        start, end = pos, match.start()
        if trim_next:
            while start < end and text[start].isspace():
                start += 1
        if action.startswith("{{-") and action[3:4].isspace():
            while end > start and text[end - 1].isspace():
                end -= 1
        if end > start:
            body.append(Text(text[start:end], lines(start)))
        trim_next = action.endswith("-}}") and action[-4:-3].isspace()
        pos = match.end()
        line = lines(match.start())
        inside, comment = _inside(action)
        if comment:
            continue
        tokens = _tokens(inside, line)
        if not tokens:
            raise TemplateSyntaxError("empty action", line)
        word = tokens[0].text if tokens[0].kind == "word" else ""
        parser = _Parser(tokens, inside, line)
        if word in _KEYWORDS:
            parser.next()
        if word in ("if", "with", "range"):
            branch = Branch(parser.pipeline(), line, keyword=word)
            block = Block(word, [branch], line, match.start())
            body.append(block)
            stack.append((block, body))
            body = branch.body
        elif word == "else":
            if not stack or not isinstance(stack[-1][0], Block):
                raise TemplateSyntaxError("'else' outside a block", line)
            block = stack[-1][0]
            if block.branches[-1].pipe is None and block.branches[-1].keyword == "else":
                raise TemplateSyntaxError("a second 'else' in one block", line)
            nxt = parser.peek()
            if nxt is not None and nxt.kind == "word" and nxt.text in ("if", "with"):
                parser.next()
                branch = Branch(parser.pipeline(), line, keyword=nxt.text)
            else:
                branch = Branch(None, line, keyword="else")
            block.branches.append(branch)
            body = branch.body
        elif word == "end":
            if not stack:
                raise TemplateSyntaxError("'end' without a block", line)
            node, body = stack.pop()
            if isinstance(node, Block):
                node.end_line = line
        elif word in ("define", "block"):
            name = parser.next()
            if name.kind not in ("string", "raw"):
                raise TemplateSyntaxError(f"'{word}' needs a quoted name", line)
            title = _unquote(name.text, line) if name.kind == "string" else name.text[1:-1]
            definition = Define(title, [], line)
            if word == "block":
                pipe = parser.pipeline() if parser.peek() is not None else None
                body.append(Call(title, pipe, line))
            body.append(definition)
            stack.append((definition, body))
            body = definition.body
        elif word == "template":
            name = parser.next()
            if name.kind not in ("string", "raw"):
                raise TemplateSyntaxError("'template' needs a quoted name", line)
            title = _unquote(name.text, line) if name.kind == "string" else name.text[1:-1]
            pipe = parser.pipeline() if parser.peek() is not None else None
            body.append(Call(title, pipe, line))
        elif word in ("break", "continue"):
            body.append(Control(word, line))
        else:
            pipe = parser.pipeline()
            if parser.peek() is not None:
                raise TemplateSyntaxError(f"unexpected {parser.peek().text!r}", line)  # type: ignore[union-attr]
            body.append(Action(pipe, line, lines(match.end() - 1), match.start(), match.end()))
    start = pos
    if trim_next:
        while start < len(text) and text[start].isspace():
            start += 1
    if start < len(text):
        body.append(Text(text[start:], lines(start)))
    if stack:
        node = stack[-1][0]
        kind = node.keyword if isinstance(node, Block) else "define"
        raise TemplateSyntaxError(f"'{kind}' without 'end'", node.line)
    return root


def definitions(nodes: list[Node]) -> dict[str, Define]:
    """The named templates (``define``, ``block``) anywhere in a tree, first one of a name
    kept."""
    found: dict[str, Define] = {}
    stack = list(nodes)
    while stack:
        node = stack.pop(0)
        if isinstance(node, Define):
            found.setdefault(node.name, node)
            stack.extend(node.body)
        elif isinstance(node, Block):
            for branch in node.branches:
                stack.extend(branch.body)
    return found


def operand_text(operand: Operand) -> str:
    """An operand written back as template text (``.Values.a``, ``(eq .x "y")``, ``"s"``)."""
    if isinstance(operand, Literal):
        value = operand.value
        if value is None:
            return "nil"
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str):
            import json

            return json.dumps(value, ensure_ascii=False)
        return repr(value)
    if isinstance(operand, Function):
        return operand.name
    names = "".join(f".{name}" for name in operand.names)
    if operand.base is None:
        return names or "."
    if isinstance(operand.base, str):
        return operand.base + names
    return f"({operand.base.text}){names}"
