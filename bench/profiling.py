"""The cProfile run of a crdoc command, its stats summarised by function and by area."""

from __future__ import annotations

import pstats
import re
import shutil
import sys
from pathlib import Path

from bench.commands import Bench, crdoc_argv
from bench.common import REPO
from bench.inputs import Input
from bench.measure import last_line
from bench.scripts import PROFILE_SCRIPT

LOCK_WAIT = "<method 'acquire' of '_thread.lock' objects>"


def profile_command(bench: Bench, item: Input, command: str, top: int = 15) -> dict:
    """cProfile of one crdoc command (``inspect`` or ``markdown``) on ``item``, worker
    processes that read files included."""
    prefix = bench.work / f"{command}.prof"
    out = bench.work / f"profile-{command}-out"
    shutil.rmtree(out, ignore_errors=True)
    args = crdoc_argv(command, item.path, out)[3:]  # less `python -m crdoc`
    argv = [sys.executable, "-c", PROFILE_SCRIPT, str(prefix), *args]
    sample = bench.launcher.run(argv, cwd=bench.work)
    shutil.rmtree(out, ignore_errors=True)
    main_file = Path(f"{prefix}.main")
    if sample.rc != 0 or not main_file.exists():
        return {"input": item.name, "command": command, "error": last_line(sample)}
    worker_files = sorted(bench.work.glob(f"{command}.prof.worker*"))
    stats = pstats.Stats(str(main_file))
    for file in worker_files:
        stats.add(str(file))
    rows = []
    by_area: dict[str, float] = {}
    waiting = 0.0
    for (filename, line, func), (cc, nc, tt, ct, _) in stats.stats.items():  # type: ignore[attr-defined]
        if worker_files and filename == "~" and func == LOCK_WAIT:
            waiting += tt  # the main process waiting for its workers: not work
            continue
        area = area_of(filename, func)
        by_area[area] = by_area.get(area, 0.0) + tt
        rows.append((tt, ct, nc, cc, short_location(filename, line, func)))
    rows.sort(reverse=True)
    return {
        "input": item.name,
        "command": command,
        "argv": " ".join(["crdoc", args[0], f"<{item.name}>", *args[2:]]).replace(str(out), "DIR"),
        "wall": sample.wall,
        "cpu": sample.cpu,
        "total": sum(by_area.values()),
        "waiting": waiting,
        "workers": len(worker_files),
        "rows": rows[:top],
        "areas": sorted(by_area.items(), key=lambda kv: -kv[1]),
    }


def short_location(filename: str, line: int, func: str) -> str:
    if filename == "~":
        return func
    path = filename
    for marker in ("/site-packages/", "/snapshot/", str(REPO) + "/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    else:
        if "/lib/python" in path:
            path = Path(path).parent.name + "/" + Path(path).name
    return f"{path}:{line}({func})"


def area_of(filename: str, func: str) -> str:
    if filename == "~":
        match = re.search(r"of '([\w.]+)' objects", func) or re.search(r"method ([\w.]+)", func)
        return "builtins: " + (match.group(1) if match else func)
    if "/snapshot/crdoc/" in filename:  # crdoc's copy in the temporary folder
        return "crdoc/" + filename.split("/snapshot/crdoc/", 1)[1]
    if filename.startswith(str(REPO) + "/"):
        return filename[len(str(REPO)) + 1 :]
    if "/site-packages/" in filename:
        package = filename.split("/site-packages/", 1)[1].split("/", 1)[0]
        return "PyYAML (Python side)" if package == "yaml" else package
    return "stdlib: " + Path(filename).parent.name + "/" + Path(filename).name
