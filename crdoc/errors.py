"""Errors crdoc reports to its users: one type that carries the file and line it is about."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import click


class CrdocError(click.ClickException):
    """A problem with crdoc's input or options, reported as ``path:line: message``.

    It is a :class:`click.ClickException`, so the command line prints one ``Error:`` line and
    exits 1 without a traceback (click keeps exit code 2 for usage errors).
    """

    exit_code = 1

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.reason = message
        super().__init__(self.located())

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt with its location when it crosses from a worker process.
        return (_rebuild, (type(self), self.reason, self.path, self.line))

    def located(self) -> str:
        """The message prefixed with ``path:line:`` where those are known (``line`` is 1-based)."""
        if self.path is None:
            return self.reason
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.reason}"


def _rebuild(kind: type[CrdocError], reason: str, path: str | None, line: int | None) -> CrdocError:
    return kind(reason, path=path, line=line)


class CrdocErrors(CrdocError):
    """Several problems found in one pass, reported together, one per line."""

    def __init__(self, errors: Sequence[CrdocError]) -> None:
        self.errors = tuple(errors)
        first = self.errors[0]
        super().__init__(first.reason, path=first.path, line=first.line)
        # click declares message Final; the report is every error, not the first one.
        self.message = "\n".join(error.located() for error in self.errors)  # type: ignore[misc]


def raise_collected(errors: Sequence[CrdocError]) -> None:
    """Raise the collected errors, if any: the single one as it is, several as one report."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise CrdocErrors(errors)


def did_you_mean(
    word: str,
    candidates: Iterable[str],
    *,
    quote: bool = False,
    always: bool = False,
    normalise: Callable[[str], str] | None = None,
) -> str:
    """``"; did you mean X?"`` for the candidate nearest ``word`` (``'X'`` with ``quote``), or
    ``""``. With ``always``, the whole list when none is near (short closed lists such as
    statuses). ``normalise`` compares other spellings alike (``site-url`` and ``site_url``)."""
    import difflib  # here: only a mistake needs it

    options = list(candidates)
    norm = normalise or (lambda text: text)
    keyed = {norm(option): option for option in reversed(options)}
    close = difflib.get_close_matches(norm(str(word)), list(keyed), n=1, cutoff=0.6)
    if close:
        found = keyed[close[0]]
        return f"; did you mean {found!r}?" if quote else f"; did you mean {found}?"
    if always and options:
        return "; expected one of " + ", ".join(options)
    return ""


#: Where warnings go instead of the ``crdoc`` logger: the command line prints them itself
#: (importing logging costs start-up time that a run printing one line does not need).
warning_printer: list[Callable[[str], None]] = []


def warn(message: str) -> None:
    """Report something the user should know that does not stop crdoc (a subchart not
    vendored, a problem ``--skip-invalid`` skipped): to the latest :data:`warning_printer`
    (the command line prints ``Warning: …``, the MkDocs plugin logs it through MkDocs), else
    through the ``crdoc`` logger."""
    if warning_printer:
        warning_printer[-1](message)
        return
    import logging  # here: most runs warn about nothing

    logging.getLogger("crdoc").warning("%s", message)
