"""Measured processes and their samples: the launcher, Sample, Series and the child environment."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import MB, REPO
from bench.scripts import LAUNCHER_SCRIPT


@dataclass
class Sample:
    wall: float
    rss_kb: int
    """ru_maxrss: the largest single process (the child or a descendant it reaped)."""
    tree_kb: int
    """Largest sampled PSS sum over the child's process tree (0: it never had descendants)."""
    cpu: float
    rc: int
    stderr: str = ""

    @property
    def peak_kb(self) -> int:
        return max(self.rss_kb, self.tree_kb)


def child_env(work: Path) -> dict[str, str]:
    """The environment of every measured process: crdoc imported from the snapshot taken at
    start (others may edit the working tree during a run), and bytecode cached in the temporary
    folder (PYTHONDONTWRITEBYTECODE or a read-only checkout would otherwise make every run
    compile crdoc afresh, which an installed crdoc never does; warm-up runs fill the cache)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    env["CRDOC_CACHE_DIR"] = str(work / "template-cache")  # compiled Jinja templates, likewise
    env["PYTHONPATH"] = os.pathsep.join(
        [str(work / "snapshot"), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    return env


def snapshot_crdoc(work: Path) -> str:
    """Copy crdoc's package and templates (the ``crdoc.templates`` package) into the temporary
    folder; returns a short digest of what was copied."""
    target = work / "snapshot" / "crdoc"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO / "crdoc", target, ignore=ignore)
    if (REPO / "templates").is_dir() and not (target / "templates").exists():
        shutil.copytree(REPO / "templates", target / "templates", ignore=ignore)
    digest = hashlib.sha256()
    for file in sorted(p for p in target.rglob("*") if p.is_file()):
        digest.update(str(file.relative_to(target)).encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()[:12]


class Launcher:
    def __init__(self, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", LAUNCHER_SCRIPT],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )

    def run(
        self, argv: list[str], *, stdout: Path | None = None, cwd: Path | None = None
    ) -> Sample:
        with tempfile.NamedTemporaryFile(prefix="crdoc-bench-err-", delete=False) as err:
            err_path = err.name
        try:
            request = {
                "argv": [str(a) for a in argv],
                "stdout": str(stdout) if stdout else None,
                "stderr": err_path,
                "cwd": str(cwd) if cwd else None,
            }
            assert self.proc.stdin is not None and self.proc.stdout is not None
            self.proc.stdin.write(json.dumps(request) + "\n")
            self.proc.stdin.flush()
            reply = self.proc.stdout.readline()
            if not reply:
                raise RuntimeError("the launcher process died")
            data = json.loads(reply)
            text = Path(err_path).read_bytes()[-8000:].decode("utf-8", errors="replace")
        finally:
            os.unlink(err_path)
        return Sample(data["wall"], data["rss_kb"], data["tree_kb"], data["cpu"], data["rc"], text)

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=60)


@dataclass
class Series:
    samples: list[Sample] = field(default_factory=list)

    @property
    def ok(self) -> list[Sample]:
        return [s for s in self.samples if s.rc == 0]

    @property
    def failed(self) -> Sample | None:
        return next((s for s in self.samples if s.rc != 0), None)

    @property
    def wall(self) -> float | None:
        ok = self.ok
        return statistics.median(s.wall for s in ok) if ok else None

    @property
    def cpu(self) -> float | None:
        ok = self.ok
        return statistics.median(s.cpu for s in ok) if ok else None

    @property
    def rss_mb(self) -> float | None:
        """ru_maxrss (largest single process), the largest over the runs."""
        ok = self.ok
        return max(s.rss_kb for s in ok) * 1024 / MB if ok else None

    @property
    def peak_mb(self) -> float | None:
        """The larger of ru_maxrss and the sampled process-tree PSS sum."""
        ok = self.ok
        return max(s.peak_kb for s in ok) * 1024 / MB if ok else None


def last_line(sample: Sample) -> str:
    lines = [line for line in sample.stderr.strip().splitlines() if line.strip()]
    return lines[-1][:200] if lines else "(no message)"
