"""Keeping a reference inside a hand-written file (a README) between two marker lines::

    <!-- BEGIN CRDOC -->
    (crdoc replaces everything here)
    <!-- END CRDOC -->

Markers are whole lines (surrounding blanks allowed); markers inside fenced code blocks are
text, not markers, so a README may show them in an example. Everything outside the markers is
kept byte for byte.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from crdoc.errors import CrdocError
from crdoc.pipeline import Reference
from crdoc.publish.markdown import single_file_pages
from crdoc.publish.output import write_file

BEGIN_MARKER = "<!-- BEGIN CRDOC -->"
END_MARKER = "<!-- END CRDOC -->"

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^( {0,3})(#{1,6})(?=[ \t]|$)")


def _lines_outside_fences(lines: list[str]) -> list[tuple[int, str]]:
    """(index, line) of every line not inside a fenced code block (fences themselves excluded)."""
    found = []
    fence: str | None = None
    for index, line in enumerate(lines):
        opening = _FENCE.match(line)
        if fence is not None:
            run = opening.group(1) if opening is not None else ""
            if run[:1] == fence[0] and len(run) >= len(fence) and not line.strip().strip(fence[0]):
                fence = None
            continue
        if opening:
            fence = opening.group(1)
            continue
        found.append((index, line))
    return found


def _find_markers(lines: list[str], where: str) -> tuple[int, int]:
    """The indexes of the begin and end marker lines, checked."""
    begins: list[int] = []
    ends: list[int] = []
    for index, line in _lines_outside_fences(lines):
        text = line.strip()
        if text == BEGIN_MARKER:
            begins.append(index)
        elif text == END_MARKER:
            ends.append(index)
    if len(begins) > 1:
        raise CrdocError(
            f"second {BEGIN_MARKER} marker (the first is on line {begins[0] + 1}); "
            "keep one pair of markers",
            path=where,
            line=begins[1] + 1,
        )
    if len(ends) > 1:
        raise CrdocError(
            f"second {END_MARKER} marker (the first is on line {ends[0] + 1}); "
            "keep one pair of markers",
            path=where,
            line=ends[1] + 1,
        )
    if not begins and not ends:
        raise CrdocError(
            f"no {BEGIN_MARKER} and {END_MARKER} marker lines: add them where the reference goes",
            path=where,
        )
    if not ends:
        raise CrdocError(
            f"{BEGIN_MARKER} has no {END_MARKER} after it", path=where, line=begins[0] + 1
        )
    if not begins:
        raise CrdocError(
            f"{END_MARKER} has no {BEGIN_MARKER} before it", path=where, line=ends[0] + 1
        )
    if ends[0] < begins[0]:
        raise CrdocError(
            f"{END_MARKER} comes before {BEGIN_MARKER} (line {begins[0] + 1})",
            path=where,
            line=ends[0] + 1,
        )
    return begins[0], ends[0]


def inject(readme_text: str, generated: str, *, where: str) -> str:
    """``readme_text`` with the content between the markers replaced by ``generated``, a blank
    line on both sides; the markers and everything around them are kept. ``where`` names the
    file in errors (missing, repeated or misordered markers). The file's line ending (``\\n``
    or ``\\r\\n``) is used for the inserted lines."""
    lines = _split(readme_text)
    begin, end = _find_markers(lines, where)
    newline = "\r\n" if lines[begin].endswith("\r\n") else "\n"
    body = generated.strip("\n").replace("\r\n", "\n")
    inserted = [newline] + [line + newline for line in body.split("\n")] + [newline]
    if not body:
        inserted = [newline]
    head = lines[: begin + 1]
    if not head[-1].endswith(("\n", "\r")):
        head[-1] += newline
    return "".join([*head, *inserted, *lines[end:]])


def _split(text: str) -> list[str]:
    """Lines with their ``\n`` (only ``\n`` ends a line, unlike ``str.splitlines``)."""
    lines = text.split("\n")
    result = [line + "\n" for line in lines[:-1]]
    if lines[-1]:
        result.append(lines[-1])
    return result


def _read(readme_path: Path) -> str:
    # Bytes, not text mode: a CRLF file stays CRLF, and a BOM is kept as it was.
    try:
        data = Path(readme_path).read_bytes()
    except OSError as exc:
        raise CrdocError(f"cannot read: {exc.strerror}", path=str(readme_path)) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise CrdocError(
            f"not valid UTF-8 (byte {exc.start})", path=str(readme_path), line=line
        ) from None


def check(readme_path: Path, generated: str) -> str | None:
    """A unified diff from the file to what :func:`write_injected` would write, or ``None`` when
    the file is up to date."""
    current = _read(readme_path)
    wanted = inject(current, generated, where=str(readme_path))
    if wanted == current:
        return None
    diff = difflib.unified_diff(
        current.splitlines(keepends=True),
        wanted.splitlines(keepends=True),
        fromfile=str(readme_path),
        tofile=f"{readme_path} (regenerated)",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in diff)


def write_injected(readme_path: Path, generated: str) -> bool:
    """Put ``generated`` between the file's markers, atomically; ``False`` when it already was
    (the file is then not rewritten). On any error the file is left as it was."""
    current = _read(readme_path)
    wanted = inject(current, generated, where=str(readme_path))
    if wanted == current:
        return False
    write_file(Path(readme_path), wanted)
    return True


def shift_heading_levels(text: str, levels: int = 1) -> str:
    """ATX headings (``#`` … ``######``) moved ``levels`` down, at most to level 6; lines in
    fenced code blocks are left alone."""
    if levels <= 0:
        return text
    lines = text.split("\n")
    for index, line in _lines_outside_fences(lines):
        match = _HEADING.match(line)
        if match:
            hashes = "#" * min(6, len(match.group(2)) + levels)
            lines[index] = match.group(1) + hashes + line[match.end() :]
    return "\n".join(lines)


def injected_markdown(reference: Reference, *, shift_headings: int = 1) -> str:
    """The reference as one GitHub-flavoured Markdown text for a README: what
    ``crdoc markdown --single-file`` writes, without its first-line marker, headings moved down
    ``shift_headings`` levels (0: as rendered) so the reference nests under the README's title."""
    body = "\n\n".join(single_file_pages(reference))
    return shift_heading_levels(body, shift_headings) + "\n"


def inject_reference(
    reference: Reference, readme: Path, *, shift_headings: int = 1, check_only: bool = False
) -> tuple[bool, str | None]:
    """Put the reference between the markers of ``readme`` (``--inject``), or with
    ``check_only`` only compare: ``(changed, diff)``, where ``changed`` says whether the file
    was (or, checking, would be) rewritten and ``diff`` is the unified diff when checking."""
    text = injected_markdown(reference, shift_headings=shift_headings)
    if check_only:
        difference = check(readme, text)
        return difference is not None, difference
    return write_injected(readme, text), None
