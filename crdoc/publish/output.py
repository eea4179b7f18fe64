"""Writing outputs safely: crdoc never deletes or overwrites a file it did not write.

Every folder crdoc writes holds a manifest, :data:`MARKER`, listing the files it wrote there.
An output folder is written when it is

- absent or empty: filled beside its destination, then moved into place in one rename;
- crdoc's own (every file in it is listed in its manifest): replaced whole the same way, so
  pages of CRDs gone since the last run go too;
- shared with other files, with ``clean``: the files the manifest lists (and folders left empty)
  are removed, the new ones moved in beside the others, each file atomically; a new file whose
  path another file holds is an error, and nothing is touched.

Whatever ``clean`` says, crdoc refuses before touching anything to write into a folder that is,
or contains, the source it reads, the current folder, the user's home, the filesystem root or a
version-control work tree. Outputs get the modes the user's umask gives.
"""

from __future__ import annotations

import functools
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from crdoc.errors import CrdocError

#: The manifest crdoc leaves in every folder it writes: the files it wrote there, one a line.
MARKER = ".crdoc-output"
_MARKER_HEADER = (
    "# Written by crdoc: the files it wrote in this folder, one a line (a folder of its own\n"
    "# ends in /). crdoc replaces or removes only these; it leaves every other file alone.\n"
)
#: Folders that make a folder a version-control work tree.
VCS_FOLDERS = (".git", ".hg", ".svn")
#: How many names of other files an error message lists.
_NAMES_SHOWN = 4


@functools.cache
def umask() -> int:
    """The process's umask (read once: ``os.umask`` can only be read by setting it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _set_mode(path: str | Path, *, folder: bool) -> None:
    os.chmod(path, (0o777 if folder else 0o666) & ~umask())


# -- what is in an output folder ------------------------------------------------------------------


def read_manifest(folder: Path) -> frozenset[str] | None:
    """The paths crdoc listed as its own in ``folder`` (``None``: no manifest there). Entries
    that could leave the folder are ignored: the manifest is only trusted to name paths inside."""
    try:
        text = (folder / MARKER).read_text(encoding="utf-8", errors="replace")
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise CrdocError(
            f"cannot read crdoc's manifest: {exc.strerror}", path=str(folder)
        ) from None
    if not text.startswith(_MARKER_HEADER.partition(":")[0]):
        return frozenset()  # an earlier crdoc's marker: it listed nothing
    entries = set()
    for line in text.splitlines():
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        parts = entry.rstrip("/").split("/")
        if entry.startswith("/") or any(part in ("", ".", "..") for part in parts):
            continue
        entries.add(entry)
    return frozenset(entries)


def _manifest_text(entries: Iterable[str]) -> str:
    return _MARKER_HEADER + "".join(f"{entry}\n" for entry in sorted(set(entries)))


@dataclass(frozen=True, slots=True)
class Contents:
    """What an existing output folder holds, as crdoc sees it."""

    own: frozenset[str]
    """The manifest's entries (files and folders crdoc wrote there)."""
    others: tuple[str, ...]
    """Files (and links) crdoc did not write, relative posix paths, sorted."""
    has_manifest: bool


def contents(folder: Path) -> Contents:
    """Walk ``folder`` (links are never followed) and tell crdoc's files from the others."""
    manifest = read_manifest(folder)
    own = manifest or frozenset()
    others = []
    for top, dirs, files in os.walk(folder):
        rel_top = os.path.relpath(top, folder)
        prefix = "" if rel_top == "." else Path(rel_top).as_posix() + "/"
        kept = []
        for name in sorted(dirs):
            rel = prefix + name
            if rel + "/" in own:
                continue  # a folder of crdoc's own, with its own manifest
            if os.path.islink(os.path.join(top, name)):
                others.append(rel)  # os.walk does not enter links: listed as they are
            else:
                kept.append(name)
        dirs[:] = kept
        for name in files:
            rel = prefix + name
            if rel != MARKER and rel not in own:
                others.append(rel)
    return Contents(own=own, others=tuple(sorted(others)), has_manifest=manifest is not None)


def _names(paths: Sequence[str]) -> str:
    """A few paths for a message, top-level names first (``.git/``, ``NOTES.md``)."""
    tops: list[str] = []
    for path in paths:
        head, slash, _ = path.partition("/")
        name = head + slash
        if name not in tops:
            tops.append(name)
    shown = ", ".join(tops[:_NAMES_SHOWN])
    more = len(tops) - _NAMES_SHOWN
    return shown + (f" and {more} more" if more > 0 else "")


# -- folders crdoc never writes into --------------------------------------------------------------


def _real(path: str | Path) -> Path:
    return Path(os.path.realpath(path))


def _contains(folder: Path, inner: Path) -> bool:
    return folder == inner or folder in inner.parents


def check_output_place(out: Path, sources: Iterable[str | Path] = ()) -> None:
    """Refuse an output folder that is, or contains, a source, the current folder, the home
    folder, the filesystem root, or a version-control work tree: crdoc's output needs a folder
    of its own. One error line says why, and which files were at stake."""
    real = _real(out)
    reasons: list[str] = []
    if real == Path(real.anchor):
        reasons.append("it is the filesystem root")
    home = os.path.expanduser("~")
    if home != "~" and _contains(real, _real(home)):
        reasons.append(
            "it is your home folder" if real == _real(home) else "it holds your home folder"
        )
    cwd = _real(Path.cwd())
    if _contains(real, cwd):
        reasons.append("it is the current folder" if real == cwd else "it holds the current folder")
    for source in sources:
        text = str(source)
        if "://" in text or not text:
            continue
        if _contains(real, _real(text)):
            same = real == _real(text)
            reasons.append(
                "it is the source crdoc reads" if same else f"it holds the source ({text})"
            )
    if not reasons and real.is_dir():
        work_tree = _work_tree_inside(real)
        if work_tree is not None:
            where = "it is" if work_tree == "" else f"it holds ({work_tree})"
            reasons.append(f"{where} a version-control work tree")
    if not reasons:
        return
    at_stake = ""
    if real.is_dir():
        own = read_manifest(real) or frozenset()
        names = sorted(
            name + ("/" if (real / name).is_dir() else "")
            for name in os.listdir(real)
            if name != MARKER and name not in own and name + "/" not in own
        )
        if names:
            at_stake = f"; it holds files crdoc did not write ({_names(names)})"
    raise CrdocError(
        f"refusing to write output here: {reasons[0]}{at_stake}; crdoc never deletes or "
        "overwrites a file it did not write: give -o a folder of its own (such as -o site)",
        path=str(out),
    )


def _work_tree_inside(folder: Path) -> str | None:
    """The relative path of the first work tree in ``folder`` (``""`` for ``folder`` itself),
    ``None`` when there is none. Folders crdoc listed as its own are not entered."""
    own = read_manifest(folder) or frozenset()
    for top, dirs, files in os.walk(folder):
        rel_top = Path(os.path.relpath(top, folder)).as_posix()
        prefix = "" if rel_top == "." else rel_top + "/"
        if any(name in VCS_FOLDERS for name in (*dirs, *files)):
            return prefix.rstrip("/")
        dirs[:] = sorted(d for d in dirs if prefix + d + "/" not in own)
    return None


# -- writing a folder -----------------------------------------------------------------------------


def replace_folder(
    out: Path,
    fill: Callable[[Path], None],
    *,
    clean: bool = False,
    sources: Iterable[str | Path] = (),
) -> None:
    """Fill a fresh folder with ``fill(folder)``, then put its files at ``out``: in one move when
    ``out`` is absent, empty or crdoc's own; beside other files with ``clean`` (see the module
    doc). ``sources`` are the inputs, which the output may never be or hold."""
    out = out.absolute()
    check_output_place(out, sources)
    found = _check_folder(out, clean)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        fill(staging)
        written = sorted(_files_under(staging))
        (staging / MARKER).write_text(_manifest_text(written), encoding="utf-8")
        _fix_modes(staging)
        if found is None or not found.others:
            _swap(staging, out)
        else:
            _merge(staging, out, found, written)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _check_folder(out: Path, clean: bool) -> Contents | None:
    """What ``out`` holds (``None``: nothing yet), after refusing what may not be written."""
    if not out.exists() and not out.is_symlink():
        return None
    if out.is_symlink() or not out.is_dir():
        raise CrdocError("output exists and is not a folder", path=str(out))
    found = contents(out)
    if found.others and not clean:
        legacy = found.has_manifest and not found.own
        why = (
            "it was written by an earlier crdoc that did not list its files; remove the folder "
            "and run again"
            if legacy
            else "pass --clean to write beside them (crdoc removes only the files it wrote "
            "before), or choose another folder"
        )
        raise CrdocError(
            f"output folder holds files crdoc did not write ({_names(found.others)}); {why}",
            path=str(out),
        )
    return found


def _files_under(folder: Path) -> Iterator[str]:
    for top, dirs, files in os.walk(folder):
        rel_top = os.path.relpath(top, folder)
        prefix = "" if rel_top == "." else Path(rel_top).as_posix() + "/"
        for name in files:
            if prefix or name != MARKER:
                yield prefix + name
        dirs.sort()


def _fix_modes(folder: Path) -> None:
    """Give the staged folder (made private by ``mkdtemp``) the modes of the user's umask."""
    _set_mode(folder, folder=True)


def _swap(staging: Path, out: Path) -> None:
    """Put ``staging`` at ``out`` in one rename; an old ``out`` (crdoc's own) goes after."""
    if not out.exists():
        os.rename(staging, out)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    try:
        os.rename(out, retired / "old")
        try:
            os.rename(staging, out)
        except BaseException:
            os.rename(retired / "old", out)  # the old output stays as it was
            raise
    finally:
        shutil.rmtree(retired, ignore_errors=True)


def _merge(staging: Path, out: Path, found: Contents, written: list[str]) -> None:
    """Write the staged files into ``out`` beside files crdoc did not write: refuse first if a
    new file would land on one of them, then remove crdoc's old files and move the new in."""
    others = set(found.others)
    taken = [rel for rel in written if rel in others or _blocks(out, rel, others)]
    if taken:
        raise CrdocError(
            f"output folder holds files crdoc did not write where it would write "
            f"({_names(taken)}); crdoc never overwrites them: move them or choose another folder",
            path=str(out),
        )
    new = set(written)
    for rel in sorted(found.own, reverse=True):
        if rel not in new and not rel.endswith("/"):
            _remove_own(out, rel)
    for rel in written:
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / rel, target)
    os.replace(staging / MARKER, out / MARKER)


def _blocks(out: Path, rel: str, others: set[str]) -> bool:
    """Whether a folder on the way to ``rel`` is a file crdoc did not write."""
    parts = rel.split("/")
    return any("/".join(parts[:i]) in others for i in range(1, len(parts)))


def _remove_own(out: Path, rel: str) -> None:
    """Remove one file crdoc wrote, then its folders that this leaves empty (never ``out``)."""
    target = out / rel
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        return
    if stat.S_ISDIR(info.st_mode):
        return  # a folder where crdoc wrote a file: not crdoc's to remove
    target.unlink()
    parent = target.parent
    while parent != out:
        try:
            parent.rmdir()
        except OSError:
            break  # not empty: something else lives there
        parent = parent.parent


# -- writing one file -----------------------------------------------------------------------------


def write_file(path: Path, text: str) -> None:
    """Write one file through a temporary file in the same folder and an atomic rename."""
    write_file_chunks(path, (text,))


def write_file_chunks(path: Path, chunks: Iterable[str]) -> None:
    """Like :func:`write_file`, for text that comes in pieces (never all in memory at once)."""
    path = path.absolute()
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            for chunk in chunks:
                stream.write(chunk)
        _set_mode(temporary, folder=False)  # mkstemp makes it private
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_pages(folder: Path, pages: dict[str, str]) -> None:
    """Write ``{relative path: text}`` under ``folder``."""
    for relative, text in pages.items():
        write_text(folder, relative, text)


def write_text(folder: Path, relative: str, text: str) -> None:
    """Write ``text`` (UTF-8, ``\\n`` line ends) at ``relative`` under ``folder``."""
    target = folder / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8", newline="\n")


def add_to_manifest(folder: Path, entries: Iterable[str]) -> None:
    """Record more of ``folder`` as crdoc's (a multi-version site's root: its releases)."""
    own = read_manifest(folder) or frozenset()
    write_file(folder / MARKER, _manifest_text({*own, *entries}))
