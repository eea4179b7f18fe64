"""Writing outputs atomically: a folder is filled beside its destination and moved into place,
so a failure leaves nothing half-written, and a folder crdoc did not write is never wiped
without ``clean``."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from crdoc.errors import CrdocError

#: A file crdoc leaves in every folder it writes, so it knows the folder is its own to replace.
MARKER = ".crdoc-output"


def replace_folder(out: Path, fill: Callable[[Path], None], *, clean: bool = False) -> None:
    """Fill a fresh folder with ``fill(folder)``, then put it at ``out`` in one move."""
    out = out.absolute()
    if out.exists():
        if not out.is_dir():
            raise CrdocError("output exists and is not a folder", path=str(out))
        if not clean and any(out.iterdir()) and not (out / MARKER).exists():
            raise CrdocError(
                "output folder holds files crdoc did not write; pass --clean to replace it",
                path=str(out),
            )
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        fill(staging)
        (staging / MARKER).write_text("Written by crdoc; replaced whole on each run.\n")
        if out.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.rename(out, retired / "old")
            os.rename(staging, out)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.rename(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def write_file(path: Path, text: str) -> None:
    """Write one file through a temporary file in the same folder and an atomic rename."""
    path = path.absolute()
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_file_chunks(path: Path, chunks: Iterable[str]) -> None:
    """Like :func:`write_file`, for text that comes in pieces (never all in memory at once)."""
    path = path.absolute()
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            for chunk in chunks:
                stream.write(chunk)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_pages(folder: Path, pages: dict[str, str]) -> None:
    """Write ``{relative path: text}`` under ``folder``."""
    for relative, text in pages.items():
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="\n")
