"""Compiled templates kept between runs, in a private folder of the user's cache."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
import stat
import sys

import jinja2

#: Where compiled templates are kept between runs; empty to keep none.
CACHE_VARIABLE = "CRDOC_CACHE_DIR"


def template_cache(flavour: str) -> jinja2.BytecodeCache | None:
    """Compiled templates kept between runs (compiling the shipped ones costs ~30 ms a run).

    In ``$CRDOC_CACHE_DIR`` (default ``$XDG_CACHE_HOME/crdoc`` or ``~/.cache/crdoc``), in a
    folder per crdoc code, Jinja, Python and flavour: Jinja checks each template's source
    itself, but folds constant filter calls into the compiled code, so a change of crdoc's
    filters (or of the flavour ``code_cell`` and ``path_cell`` are made for) must not reuse
    it. Compiled code is run, so a folder another user could write to is never used. ``None``
    (no cache) when the variable is set empty, or no safe folder can be had."""
    root = os.environ.get(CACHE_VARIABLE)
    if root == "":
        return None
    if root is None:
        home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        root = os.path.join(home, "crdoc")
    if not os.path.isabs(root):  # no home folder ("~" unexpanded): not in the working folder
        return None
    folder = os.path.join(root, f"templates-{_code_digest()}-{flavour}")
    made = False
    if not os.path.isdir(folder):
        try:
            os.makedirs(root, mode=0o700, exist_ok=True)  # private even under umask 002
            os.mkdir(folder, mode=0o700)
            made = True
        except FileExistsError:
            pass  # made by a run alongside
        except OSError:
            return None
    if not (_private(root) and _private(folder)):
        return None
    if made:
        _prune(root)
    return _TemplateCache(folder)


def _private(folder: str) -> bool:
    """Whether ``folder`` is a real folder of this user's that nobody else may write to."""
    if not hasattr(os, "getuid"):  # pragma: no cover - Windows: per-user profile folders
        return os.path.isdir(folder)
    try:
        info = os.lstat(folder)
    except OSError:
        return False
    return (
        stat.S_ISDIR(info.st_mode)
        and info.st_uid == os.getuid()
        and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    )


#: Cache folders kept (other crdoc versions or checkouts, other flavours); older ones go.
KEEP_CACHES = 8
_CACHE_NAME = re.compile(r"templates-[0-9a-f]{16}-(?:github|mkdocs|html)")


def _prune(root: str) -> None:
    """Drop all but the KEEP_CACHES most recently made template caches in ``root`` (only
    folders named as crdoc names them)."""
    import shutil

    try:
        caches = [e for e in os.scandir(root) if _CACHE_NAME.fullmatch(e.name) and e.is_dir()]
        caches.sort(key=lambda e: e.stat().st_mtime_ns, reverse=True)
    except OSError:
        return
    for entry in caches[KEEP_CACHES:]:
        shutil.rmtree(entry.path, ignore_errors=True)


@functools.cache
def _code_digest() -> str:
    """A digest of the code compiled templates depend on: crdoc's modules, Jinja's and
    MarkupSafe's (by size and modification time), and Python."""
    import markupsafe

    digest = hashlib.sha256(sys.version.encode())
    files = [os.path.join(os.path.dirname(jinja2.__file__), "compiler.py"), markupsafe.__file__]
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # crdoc/
    for folder in (package, *sorted(e.path for e in os.scandir(package) if e.is_dir())):
        files += sorted(e.path for e in os.scandir(folder) if e.name.endswith(".py"))
    for name in files:
        info = os.stat(name)
        digest.update(f"{os.path.basename(name)} {info.st_size} {info.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


class _TemplateCache(jinja2.FileSystemBytecodeCache):
    """A cache that never fails a run: a folder that cannot be written keeps nothing, and a
    damaged entry is compiled again (and then rewritten)."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # truncated or garbled: pickle and marshal raise anything
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)
