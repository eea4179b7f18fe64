"""The peer tool compared with crdoc: mkdocs-crd-viewer, installed into its own venv."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

from bench.commands import Bench, crdoc_argv
from bench.common import log
from bench.inputs import CRD_KIND, YAML_SUFFIXES
from bench.measure import Series

PEER_PACKAGE = "mkdocs-crd-viewer"
PEER_INPUTS = ("gateway-api-standard", "traefik")


def install_peer(work: Path) -> tuple[Path | None, dict]:
    venv = work / "peer-venv"
    info: dict = {}
    log(f"peer: creating a venv and installing {PEER_PACKAGE} and mkdocs-material")
    created = subprocess.run(
        [sys.executable, "-m", "venv", str(venv)], capture_output=True, text=True, timeout=300
    )
    if created.returncode != 0:
        info["error"] = f"`python -m venv` failed: {created.stderr.strip()[-300:]}"
        return None, info
    python = venv / "bin" / "python"
    pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    started = time.monotonic()
    try:
        done = subprocess.run(
            [*pip, PEER_PACKAGE, "mkdocs-material"], capture_output=True, text=True, timeout=600
        )
    except subprocess.TimeoutExpired:
        info["error"] = "`pip install` timed out after 600 s"
        return None, info
    if done.returncode != 0:
        errors = [line for line in done.stderr.splitlines() if "ERROR" in line]
        info["error"] = "`pip install` failed: " + (" / ".join(errors) or done.stderr[-300:])
        return None, info
    info["install_s"] = time.monotonic() - started
    names = ("mkdocs-crd-viewer", "mkdocs", "mkdocs-macros-plugin", "mkdocs-material")
    code = f"import importlib.metadata as m; print(*(m.version(p) for p in {names!r}))"
    versions = subprocess.run([str(python), "-c", code], capture_output=True, text=True)
    info["versions"] = dict(zip(names, versions.stdout.split(), strict=False))
    return python, info


def peer_project(work: Path, name: str, folder: Path) -> dict:
    """A MkDocs project with one page per one-CRD file of ``folder`` (the macro takes exactly
    one CRD per file); the files are copied into its ``crds/``, which crdoc is also given."""
    project = work / f"peer-{name}"
    crds, docs = project / "crds", project / "docs"
    crds.mkdir(parents=True)
    docs.mkdir()
    pages, skipped, total = [], [], 0
    for file in sorted(folder.iterdir()):
        if not file.is_file() or not file.name.endswith(YAML_SUFFIXES):
            continue
        text = file.read_text(encoding="utf-8")
        count = len(CRD_KIND.findall(text)) if "CustomResourceDefinition" in text else 0
        if count != 1:
            if count:
                skipped.append(file.name)
            continue
        shutil.copyfile(file, crds / file.name)
        total += len(text.encode("utf-8"))
        page = f"{file.stem}.md"
        macro = f'{{{{ crd_viewer("crds/{file.name}") }}}}'
        (docs / page).write_text(f"# {file.stem}\n\n{macro}\n", encoding="utf-8")
        pages.append(page)
    (docs / "index.md").write_text(f"# {name}\n\n{len(pages)} CRDs.\n", encoding="utf-8")
    config = {
        "site_name": f"{name} (mkdocs-crd-viewer)",
        "theme": {"name": "material"},
        "nav": ["index.md", *pages],
        "plugins": ["search", "crd-viewer", {"macros": {"modules": ["mkdocs_crd_viewer.macros"]}}],
    }
    (project / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return {
        "input": name,
        "project": project,
        "crds": len(pages),
        "yaml_bytes": total,
        "skipped": skipped,
        "peer": Series(),
        "crdoc": Series(),
    }


def peer_rep(bench: Bench, python: Path, entry: dict) -> None:
    project: Path = entry["project"]
    site = project / "site"
    shutil.rmtree(site, ignore_errors=True)
    config = str(project / "mkdocs.yml")
    argv = [str(python), "-m", "mkdocs", "build", "-q", "-f", config, "-d", str(site)]
    peer = bench.launcher.run(argv, cwd=project)
    if peer.rc == 0 and len(list(site.glob("*/index.html"))) < entry["crds"]:
        entry["note"] = "mkdocs exited 0 but wrote fewer CRD pages than expected"
    shutil.rmtree(site, ignore_errors=True)
    out = bench.work / "out-peer-crdoc"
    shutil.rmtree(out, ignore_errors=True)
    ours = bench.launcher.run(crdoc_argv("build", project / "crds", out), cwd=bench.work)
    shutil.rmtree(out, ignore_errors=True)
    entry["peer"].samples.append(peer)
    entry["crdoc"].samples.append(ours)
    log(
        f"  peer {entry['input']}: mkdocs-crd-viewer {peer.wall:.2f} s "
        f"{peer.rss_kb / 1024:.0f} MiB (rc {peer.rc}); crdoc build {ours.wall:.2f} s "
        f"{ours.rss_kb / 1024:.0f} MiB (rc {ours.rc})"
    )
