"""Go templates as Helm charts write them, parsed into a tree crdoc can walk and evaluate.

:mod:`crdoc.loading.helm.templating` turns a template into plain YAML without understanding it; this
module understands it: text, actions (``{{ .Values.x | default 1 }}``, ``{{ $v := … }}``) and
the blocks around them (``if``/``else if``/``else``, ``with``, ``range``, ``define``,
``template``/``block``), each with its line. Actions are found with the same expression as
:func:`~crdoc.loading.helm.templating.neutralise` uses, so both see the same actions at the same
offsets.

The grammar is Go's ``text/template``: a pipeline is commands separated by ``|``, optionally
declaring (``$x :=``) or assigning (``$x =``) variables; a command is operands; an operand is a
literal, a field chain from the dot (``.Values.a.b``), from a variable (``$.Values``,
``$x.y``) or from a parenthesised pipeline (``(.Values.a).b``), or a function name.

:func:`parse` refuses what Go's parser refuses, so what Helm refuses before it renders anything
(checked against Helm on the corpus, the test fixtures and some 180 public charts): an action or
comment never closed, blocks that do not balance, a function Helm does not define
(:data:`HELM_FUNCTIONS`), a variable used where it is not declared.
"""

from __future__ import annotations

import contextlib
import functools
import re
from typing import Any

from crdoc.loading.helm.records import Record
from crdoc.loading.helm.templating import ACTION


class TemplateSyntaxError(ValueError):
    """A template crdoc cannot parse (Helm would refuse it too, or it uses syntax crdoc does
    not know); ``line`` is 1-based."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


class TemplateTooDeep(TemplateSyntaxError):
    """A template nested deeper than crdoc can read (Python's stack): Go may well parse it, so
    it is no syntax error of the chart."""


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
    """``if``, ``with`` or ``range`` for the opening branch and ``else if``/``else with`` ones,
    ``else`` for a plain ``else``."""

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
    """Offset of the opening action, as :data:`~crdoc.loading.helm.templating.ACTION` finds it."""
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


# -- the functions Helm knows --------------------------------------------------------------------

_GO_BUILTINS = """
    and call eq ge gt html index js le len lt ne not or print printf println slice
    urlquery
"""
_SPRIG = """
    abbrev abbrevboth add add1 add1f addf adler32sum ago all any append atoi b32dec b32enc
    b64dec b64enc base bcrypt biggest buildCustomCert camelcase cat ceil chunk clean
    coalesce compact concat contains date date_in_zone date_modify dateInZone dateModify
    decryptAES deepCopy deepEqual default derivePassword dict dig dir div divf duration
    durationRound empty encryptAES ext fail first float64 floor fromJson genCA
    genCAWithKey genPrivateKey genSelfSignedCert genSelfSignedCertWithKey genSignedCert
    genSignedCertWithKey get getHostByName has hasKey hasPrefix hasSuffix hello htmlDate
    htmlDateInZone htpasswd indent initial initials int int64 isAbs join kebabcase keys
    kindIs kindOf last list lower max maxf merge mergeOverwrite min minf mod mul mulf
    must_date_modify mustAppend mustChunk mustCompact mustDateModify mustDeepCopy
    mustFirst mustFromJson mustHas mustInitial mustLast mustMerge mustMergeOverwrite
    mustPrepend mustPush mustRegexFind mustRegexFindAll mustRegexMatch mustRegexReplaceAll
    mustRegexReplaceAllLiteral mustRegexSplit mustRest mustReverse mustSlice mustToDate
    mustToJson mustToPrettyJson mustToRawJson mustUniq mustWithout nindent nospace now
    omit osBase osClean osDir osExt osIsAbs pick pluck plural prepend push quote randAlpha
    randAlphaNum randAscii randBytes randInt randNumeric randSeededNumeric regexFind
    regexFindAll regexMatch regexQuoteMeta regexReplaceAll regexReplaceAllLiteral
    regexSplit repeat replace rest reverse round semver semverCompare seq set sha1sum
    sha256sum sha512sum shuffle snakecase sortAlpha split splitList splitn squote sub subf
    substr swapcase ternary title toDate toDecimal toJson toPrettyJson toRawJson toString
    toStrings trim trimAll trimall trimPrefix trimSuffix trunc tuple typeIs typeIsLike
    typeOf uniq unixEpoch unset until untilStep untitle upper urlJoin urlParse uuidv4
    values without wrap wrapWith
"""
_HELM_OWN = """
    fromJsonArray fromToml fromYaml fromYamlArray include lookup mustToYaml required
    toToml toYaml toYamlPretty tpl
"""
#: Every function a Helm template may call: Go's ``text/template`` builtins, Sprig's (but
#: ``env`` and ``expandenv``, which Helm takes out) and Helm's own, the union over Helm 3 and 4
#: (crdoc must not refuse a chart some Helm renders). Go refuses any other name when it parses
#: a template.
HELM_FUNCTIONS = frozenset((_GO_BUILTINS + _SPRIG + _HELM_OWN).split())


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
    |(?P<number>(?=[+-]?\.?\d)[+-]?(?:
        0[xX][\da-fA-F_]*(?:\.[\da-fA-F_]*)?(?:[pP][+-]?[\d_]*)?
        |0[oO][0-7_]*|0[bB][01_]*
        |[\d_]*(?:\.[\d_]*)?(?:[eE][+-]?[\d_]*)?
    )i?)
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


def _tokens(body: str, line: int) -> tuple[_Token, ...]:
    """The tokens of an action's inside; :class:`TemplateSyntaxError` for text that starts
    none."""
    tokens = _lex(body)
    if isinstance(tokens, str):
        raise TemplateSyntaxError(tokens, line)
    return tokens


@functools.lru_cache(maxsize=8192)
def _lex(body: str) -> tuple[_Token, ...] | str:
    """:func:`_tokens`, or what is wrong. Kept for the run: charts repeat the same actions
    (``{{- end }}``, ``{{ include "x.labels" . }}``) and tokens are never changed."""
    tokens = []
    pos = 0
    while pos < len(body):
        match = _TOKEN.match(body, pos)
        if match is None:
            return f"unexpected {body[pos]!r} in action"
        kind = match.lastgroup or ""
        if kind == "number" and re.match(r"\w", body[match.end() : match.end() + 1]):
            # Go's lexer: a number runs into a letter or digit ("1x")
            return f"bad number syntax: {body[match.start() : match.end() + 1]!r}"
        if kind != "space":
            tokens.append(_Token(kind, match.group(), match.start(), match.end()))
        pos = match.end()
    return tuple(tokens)


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


def _number(text: str, line: int) -> int | float | complex:
    """A Go number literal's value: decimal, hexadecimal (with a ``p`` exponent too), octal or
    binary, ``_`` between digits, ``i`` for an imaginary number."""
    clean = text.replace("_", "")
    try:
        if clean.endswith("i"):
            return complex(0, _number(clean[:-1], line))
        sign, digits = (clean[0], clean[1:]) if clean[0] in "+-" else ("", clean)
        prefix = digits[:2].lower()
        if prefix == "0x":
            if "." in digits or "p" in digits.lower():
                return float.fromhex(sign + digits)
            return int(sign + digits, 16)
        if prefix in ("0o", "0b"):
            return int(sign + digits, 8 if prefix == "0o" else 2)
        if re.fullmatch(r"0[0-7]+", digits):
            return int(sign + digits, 8)  # Go reads a leading 0 as octal
        if re.fullmatch(r"0|[1-9][\d]*", digits):
            return int(sign + digits)
        return float(clean)
    except ValueError:
        raise TemplateSyntaxError(f"bad number syntax: {text!r}", line) from None


class _Parser:
    """Pipelines from the tokens of one action."""

    def __init__(self, tokens: tuple[_Token, ...], body: str, line: int) -> None:
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
        first = self.peek()
        start = first.start if first is not None else len(self.body)
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
        last = self.peek()
        end = last.start if last is not None else len(self.body)
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
            inner = self.pipeline(closing="close")  # Go lets "($x := …)" declare
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
        raise TemplateTooDeep("parentheses nested too deeply", line) from None
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
    """The tree of a template. :class:`TemplateSyntaxError` for what Go's parser refuses, so
    Helm too (an unclosed action or comment, a block without its ``end``, an ``end`` or
    ``else`` outside a block, a function Helm does not define, an undefined variable,
    ``break`` outside ``range``), or an action crdoc cannot read."""
    try:
        nodes = _parse(text)
    except RecursionError:  # parentheses nested past Python's stack, in a hostile chart
        raise TemplateTooDeep("parentheses nested too deeply", 1) from None
    # Blocks nested past Python's stack: their names go unchecked, the tree is still read.
    with contextlib.suppress(RecursionError):
        _check_names(nodes, ["$"], in_range=False)
    return nodes


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
            body.append(_text(text[start:end], lines(start)))
        trim_next = action.endswith("-}}") and action[-4:-3].isspace()
        pos = match.end()
        line = lines(match.start())
        inside, word, tokens = _read_action(action)
        if isinstance(tokens, str):
            raise TemplateSyntaxError(tokens, line)
        if word == "/*":
            continue
        if word in _KEYWORDS:  # what follows a keyword is read token by token below
            parser = _Parser(tokens, inside, line)
            parser.next()
        if word in ("if", "with", "range"):
            branch = Branch(_pipeline(inside, 1, line), line, keyword=word)
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
                if nxt.text != block.keyword:  # Go chains "else if" in an if, "else with" in a with
                    raise TemplateSyntaxError(
                        f"'else {nxt.text}' in a '{block.keyword}' block", line
                    )
                branch = Branch(_pipeline(inside, 2, line), line, keyword=nxt.text)
            else:
                _nothing_more(parser, "else")
                branch = Branch(None, line, keyword="else")
            block.branches.append(branch)
            body = branch.body
        elif word == "end":
            _nothing_more(parser, "end")
            if not stack:
                raise TemplateSyntaxError("'end' without a block", line)
            node, body = stack.pop()
            if isinstance(node, Block):
                node.end_line = line
        elif word in ("define", "block"):
            if word == "define" and stack:
                raise TemplateSyntaxError("'define' inside a block or definition", line)
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
            _nothing_more(parser, word)
            body.append(Control(word, line))
        else:
            pipe = _pipeline(inside, 0, line)
            body.append(Action(pipe, line, lines(match.end() - 1), match.start(), match.end()))
    start = pos
    if trim_next:
        while start < len(text) and text[start].isspace():
            start += 1
    if start < len(text):
        body.append(_text(text[start:], lines(start)))
    if stack:
        node = stack[-1][0]
        kind = node.keyword if isinstance(node, Block) else "define"
        raise TemplateSyntaxError(f"'{kind}' without 'end'", node.line)
    return root


@functools.lru_cache(maxsize=8192)
def _read_action(action: str) -> tuple[str, str, tuple[_Token, ...] | str]:
    """An action's inside, its first word (``/*`` for a comment, ``""`` when it starts with no
    word) and its tokens, or what is wrong with it. Kept for the run, as :func:`_lex` is."""
    inside, comment = _inside(action)
    if comment:
        return inside, "/*", () if inside.endswith("*/") else "unclosed comment"
    tokens = _lex(inside)
    if not tokens:
        return inside, "", "empty action"
    if isinstance(tokens, str):
        return inside, "", tokens
    return inside, tokens[0].text if tokens[0].kind == "word" else "", tokens


def _pipeline(inside: str, skip: int, line: int) -> Pipeline:
    """The pipeline of an action's inside after its first ``skip`` tokens (keywords)."""
    try:
        return _parsed_pipeline(inside, skip)
    except TemplateSyntaxError as error:
        raise TemplateSyntaxError(str(error), line) from None


@functools.lru_cache(maxsize=8192)
def _parsed_pipeline(inside: str, skip: int) -> Pipeline:
    """:func:`_pipeline`, kept for the run as :func:`_lex` is (pipelines are never changed, and
    compared by value)."""
    parser = _Parser(_tokens(inside, 0), inside, 0)
    parser.pos = skip
    pipe = parser.pipeline()
    if parser.peek() is not None:
        raise TemplateSyntaxError(f"unexpected {parser.peek().text!r}", 0)  # type: ignore[union-attr]
    return pipe


def _nothing_more(parser: _Parser, word: str) -> None:
    """A keyword that takes nothing after it (``end``, ``else``, ``break``, ``continue``)."""
    extra = parser.peek()
    if extra is not None:
        raise TemplateSyntaxError(f"unexpected {extra.text!r} in '{word}'", parser.line)


def _text(chunk: str, line: int) -> Text:
    """Text between actions; ``{{`` in it opens an action that never closes (in Go every
    ``{{`` opens one)."""
    opening = chunk.find("{{")
    if opening >= 0:
        raise TemplateSyntaxError("unclosed action", line + chunk.count("\n", 0, opening))
    return Text(chunk, line)


def _check_names(nodes: list[Node], variables: list[str], *, in_range: bool) -> None:
    """What Go's parser checks of names: every function is one Helm defines, every variable
    is declared before it is used (in the block it is used in or one around it; a
    ``define`` starts with ``$`` alone), ``break`` and ``continue`` are inside a ``range``."""
    for node in nodes:
        if isinstance(node, Action):
            _check_pipeline(node.pipe, variables, node.line)
        elif isinstance(node, Call):
            if node.pipe is not None:
                _check_pipeline(node.pipe, variables, node.line)
        elif isinstance(node, Control):
            if not in_range:
                raise TemplateSyntaxError(f"{{{{{node.word}}}}} outside {{{{range}}}}", node.line)
        elif isinstance(node, Define):
            _check_names(node.body, ["$"], in_range=False)
        elif isinstance(node, Block):
            # Variables declared in a block's pipelines and branches end with the block (Go
            # keeps them through its else branches).
            outer = len(variables)
            for branch in node.branches:
                if branch.pipe is not None:
                    _check_pipeline(branch.pipe, variables, branch.line)
                _check_names(branch.body, variables, in_range=in_range or node.keyword == "range")
            del variables[outer:]


def _check_pipeline(pipe: Pipeline, variables: list[str], line: int) -> None:
    """A pipeline's functions and variables (see :func:`_check_names`); the variables it
    declares are known from then on."""
    if not pipe.assigns:
        variables.extend(pipe.variables)
    for command in pipe.commands:
        for operand in command:
            if isinstance(operand, Function):
                if operand.name not in HELM_FUNCTIONS:
                    raise TemplateSyntaxError(f"function {operand.name!r} not defined", line)
            elif isinstance(operand, FieldChain):
                if isinstance(operand.base, Pipeline):
                    _check_pipeline(operand.base, variables, line)
                elif isinstance(operand.base, str) and operand.base not in variables:
                    raise TemplateSyntaxError(f"undefined variable {operand.base!r}", line)


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
