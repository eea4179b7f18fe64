"""Turning Helm's Go-templated YAML into plain YAML without Helm, keeping every line where it was.

crdoc does not evaluate templates: it keeps every CRD whatever conditions wrap it. Control
actions (``if``/``with``/``range``/``else``/``end``), ``include``/``toYaml`` lines and comments
become blank lines; an action inside a line (``name: {{ .Release.Name }}-x``) becomes the word
``TEMPLATED``, except one that emits a YAML block at the end of a line (``labels: {{- toYaml
.Values.labels | nindent 4 }}``), which leaves the key empty. Line numbers therefore stay
those of the original file. Where a CRD's schema would hold ``TEMPLATED``, the reader gives
the value Helm prints instead, when it knows it (``printed``).

Branches of an ``if … else … end`` are alternatives: keeping both can give a mapping the same
key twice (``apiVersion`` for two Kubernetes versions). :func:`neutralise` keeps all branches by
default; ``first_branch=True`` keeps only the first, and ``keep`` names the branch to keep of
each block (the one Helm would take, when the reader can tell): the reader retries a file that
way when keeping all of them does not parse.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

PLACEHOLDER = "TEMPLATED"

ACTION = re.compile(
    r"""\{\{-?\s*/\*.*?\*/\s*-?\}\}"""  # {{/* comment */}}, which may hold "}}"
    r"""|\{\{(?:[^"`}]|"(?:\\.|[^"\\\n])*"|`[^`]*`|\}(?!\}))*\}\}""",  # strings may hold "}}"
    re.DOTALL,
)
_KEYWORD = re.compile(r"\{\{-?\s*(/\*|[a-z]+)")
_OPENS = frozenset({"if", "with", "range", "define", "block"})
_SENTINEL = "\x00"
# An action that emits a YAML block (`toYaml … | nindent 4`) after `key:` leaves the key empty,
# so that indented lines after it still parse as its mapping.
_BLOCK_SENTINEL = "\x01"
_EMITS_BLOCK = re.compile(r"(?<![.$\w])(?:nindent|indent|toYaml|toJson|toPrettyJson)\b")
# Actions that print nothing: comments and control keywords.
_SILENT_SENTINEL = "\x02"
_SILENT = frozenset(
    {"/*", "if", "else", "end", "with", "range", "define", "block", "break", "continue"}
)


def is_templated(text: str) -> bool:
    """Whether ``text`` holds any template action at all."""
    return "{{" in text


def neutralise(
    text: str,
    *,
    first_branch: bool = False,
    keep: Mapping[int, int] | None = None,
    printed: Mapping[int, str] | None = None,
) -> str:
    """Plain YAML from templated YAML, line for line (see the module docstring).

    ``first_branch`` keeps only the first branch of every ``if`` and ``with``; ``keep`` maps
    the offset of a block's opening action to the index of the one branch to keep (0 for the
    first, 1 for the first ``else``…), other blocks keeping all of theirs. ``printed`` maps the
    offset of an action to the text Helm prints for it (one line), put in its place."""
    if "{{" not in text:
        return text
    out: list[str] = []
    # One frame per open block: [keyword, branch index, branch kept (None: all)]. Text is
    # dropped while inside a `define` (a definition, not output) or a branch not kept.
    frames: list[list[object]] = []
    dropping = False
    # The line breaks inside an action spanning lines are put back after the rest of the line
    # it ends on, so that text right after it (`}}-x`) stays beside its key.
    pending = 0
    pos = 0
    for match in ACTION.finditer(text):
        between, pending = _after_pending(text[pos : match.start()], pending, dropping)
        out.append(between)
        action = match.group()
        keyword = _KEYWORD.match(action)
        word = keyword.group(1) if keyword else ""
        if printed is not None and match.start() in printed:
            sentinel = printed[match.start()]
        elif word in _SILENT:
            # Prints nothing; a line left blank by it is emptied like any action-only line.
            sentinel = _SILENT_SENTINEL
        elif _EMITS_BLOCK.search(action):
            sentinel = _BLOCK_SENTINEL
        else:
            sentinel = _SENTINEL
        out.append("" if dropping else sentinel)
        pending += action.count("\n")
        pos = match.end()

        if word in _OPENS:
            kept = keep.get(match.start()) if keep is not None else None
            if kept is None and first_branch and word in ("if", "with"):
                kept = 0
            frames.append([word, 0, kept])
        elif word == "else" and frames:
            frames[-1][1] += 1  # type: ignore[operator]
        elif word == "end" and frames:
            frames.pop()
        else:
            continue
        dropping = any(
            kind == "define" or (kept is not None and branch != kept)
            for kind, branch, kept in frames
        )
    rest, pending = _after_pending(text[pos:], pending, dropping)
    out.append(rest + "\n" * pending)
    return "\n".join(_settle(line) for line in "".join(out).split("\n"))


def _after_pending(between: str, pending: int, dropping: bool) -> tuple[str, int]:
    """The text between two actions (all but its line breaks when dropping), with ``pending``
    line breaks put in at its first one; and the line breaks still pending after it."""
    if dropping:
        return "\n" * (between.count("\n") + pending), 0
    if not pending:
        return between, 0
    cut = between.find("\n")
    if cut < 0:
        return between, pending
    return between[:cut] + "\n" * pending + between[cut:], 0


def _settle(line: str) -> str:
    """A line of only actions and blanks becomes empty; inline actions become PLACEHOLDER,
    silent ones (comments, control keywords) nothing."""
    if _SENTINEL not in line and _BLOCK_SENTINEL not in line and _SILENT_SENTINEL not in line:
        return line
    bare = line.replace(_SENTINEL, "").replace(_BLOCK_SENTINEL, "").replace(_SILENT_SENTINEL, "")
    if not bare.strip():
        return ""
    line = line.replace(_SILENT_SENTINEL, "")
    if line.rstrip().endswith(_BLOCK_SENTINEL):
        line = line.rstrip().rstrip(_BLOCK_SENTINEL)
    return line.replace(_BLOCK_SENTINEL, PLACEHOLDER).replace(_SENTINEL, PLACEHOLDER)
