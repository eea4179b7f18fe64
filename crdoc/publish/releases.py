"""Multi-version sites: each release's site in ``OUTPUT/<release>/``, ``versions.json``, a
``latest`` copy and a root page redirecting to it, the layout ``mike`` writes, so
mkdocs-material's version selector works. Older releases are left as they are."""

from __future__ import annotations

import html
import json
import re
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

from crdoc.errors import CrdocError
from crdoc.publish.output import (
    add_to_manifest,
    check_output_place,
    contents,
    replace_folder,
    write_file,
)

#: mike's list of a multi-version site's releases, read by mkdocs-material's version selector.
VERSIONS_FILE = "versions.json"
LATEST = "latest"


def add_release(
    out: Path,
    release: str,
    fill: Callable[[Path], None],
    *,
    clean: bool = False,
    sources: Iterable[str | Path] = (),
) -> None:
    """Put one release's site at ``out/<release>/`` of a multi-version site, leaving the other
    releases as they are, then update ``versions.json``, the ``latest`` copy and the root page
    that redirects to it (the layout `mike` writes, so mkdocs-material's selector works)."""
    if not release or release in (".", "..", LATEST) or "/" in release or "\\" in release:
        raise CrdocError(f"not a usable release name: {release!r}", path=str(out))
    out = out.absolute()
    check_output_place(out, sources)
    if out.exists():
        if not out.is_dir() or out.is_symlink():
            raise CrdocError("output exists and is not a folder", path=str(out))
        others = contents(out).others
        taken = [name for name in others if name in (VERSIONS_FILE, "index.html")]
        if taken or (others and not clean):
            hint = "; pass --clean to write beside them, or choose another folder"
            raise CrdocError(
                f"output folder holds files crdoc did not write ({', '.join(taken or others[:4])})"
                + ("; crdoc never overwrites them" if taken else hint),
                path=str(out),
            )
    out.mkdir(parents=True, exist_ok=True)
    replace_folder(out / release, fill, clean=clean, sources=sources)
    add_to_manifest(out, [f"{release}/"])

    index = out / VERSIONS_FILE
    entries = json.loads(index.read_text(encoding="utf-8")) if index.exists() else []
    entries = [e for e in entries if e.get("version") != release]
    entries.append({"version": release, "title": release, "aliases": []})
    entries.sort(key=lambda e: _release_key(e["version"]), reverse=True)
    for entry in entries:
        entry["aliases"] = [LATEST] if entry is entries[0] else []
    newest = entries[0]["version"]
    write_file(index, json.dumps(entries, indent=2) + "\n")
    replace_folder(
        out / LATEST, lambda folder: _copy_into(out / newest, folder), clean=clean, sources=sources
    )
    target = html.escape(f"{LATEST}/", quote=True)
    write_file(
        out / "index.html",
        '<!doctype html>\n<meta charset="utf-8">\n<title>Redirecting</title>\n'
        f'<meta http-equiv="refresh" content="0; url={target}">\n'
        f'<a href="{target}">Latest release</a>\n',
    )
    add_to_manifest(out, [VERSIONS_FILE, "index.html", f"{LATEST}/"])


def _copy_into(source: Path, folder: Path) -> None:
    shutil.copytree(source, folder, dirs_exist_ok=True)


def _release_key(version: str) -> tuple[tuple[int, ...], bool, str]:
    """Order releases as people do: 1.10.0 after 1.9.0; pre-releases (1.0.0-rc1) before 1.0.0."""
    main, _, pre = version.lstrip("v").partition("-")
    numbers = tuple(int(p) if p.isdigit() else 0 for p in re.split(r"[.+]", main))
    return (numbers, pre == "", pre)
