"""The crdoc commands measured and one repetition of them on an input (Bench, Result)."""

from __future__ import annotations

import json
import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import log
from bench.inputs import Input
from bench.measure import Launcher, Series, last_line
from bench.scripts import FLOOR_SCRIPT

#: A second floor run per repetition (bracketing the crdoc runs) when the floor is this quick.
BRACKET_FLOOR_BELOW_S = 10.0


COMMANDS = ("inspect", "markdown", "docs-only", "build")
COMMAND_TITLES = {
    "inspect": "crdoc inspect SRC --format json > /dev/null",
    "markdown": "crdoc markdown SRC -o DIR",
    "docs-only": "crdoc build SRC --docs-only -o DIR",
    "build": "crdoc build SRC -o DIR (full MkDocs site)",
}


def crdoc_argv(command: str, source: Path, out: Path) -> list[str]:
    base = [sys.executable, "-m", "crdoc"]
    if command == "inspect":
        return [*base, "inspect", str(source), "--format", "json"]
    if command == "markdown":
        return [*base, "markdown", str(source), "-o", str(out)]
    if command == "docs-only":
        return [*base, "build", str(source), "--docs-only", "-o", str(out)]
    return [*base, "build", str(source), "-o", str(out)]


@dataclass
class Result:
    input: Input
    series: dict[str, Series] = field(default_factory=dict)
    reported_crds: int | None = None
    reps: int = 0
    site: dict[str, float] = field(default_factory=dict)
    """What the last full build wrote: pages, largest and median page, site, search index."""


def site_metrics(site: Path) -> dict[str, float]:
    """Sizes of a built site: its HTML pages (crdoc's and the theme's, not the theme's
    assets), the whole folder, and every search file."""
    pages = sorted(
        p.stat().st_size
        for p in site.rglob("*.html")
        if p.is_file() and "assets" not in p.relative_to(site).parts
    )
    total = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    search = site / "search"
    search_bytes = sum(p.stat().st_size for p in search.rglob("*") if p.is_file())
    # crdoc's search worker stands in for mkdocs-material's: both are search files too.
    workers = site / "assets" / "javascripts" / "workers"
    if workers.is_dir():
        search_bytes += sum(p.stat().st_size for p in workers.glob("*search*.js"))
    return {
        "pages": len(pages),
        "largest": pages[-1] if pages else 0,
        "median": pages[len(pages) // 2] if pages else 0,
        "total": total,
        "search": search_bytes,
    }


class Bench:
    def __init__(self, launcher: Launcher, work: Path, budget: float | None) -> None:
        self.launcher = launcher
        self.work = work
        self.budget = budget
        self.started = time.monotonic()
        self.skipped: list[str] = []

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def affordable(self, what: str, estimate: float) -> bool:
        """Whether ``what`` (about ``estimate`` seconds) still fits in the budget."""
        if self.budget is None or self.elapsed() + estimate <= self.budget:
            return True
        self.skipped.append(f"{what} (≈{estimate:.0f} s; {self.elapsed():.0f} s already spent)")
        log(f"skipped for the time budget: {what}")
        return False

    def rep(self, result: Result, commands: tuple[str, ...], *, floors: bool = True) -> None:
        """One repetition: floor, crdoc commands, with a second floor run in the middle when
        the floor is quick."""
        item = result.input
        spec_file = self.work / "floor-spec.json"
        spec_file.write_text(json.dumps(item.crd_files), encoding="utf-8")
        floor_argv = [sys.executable, "-c", FLOOR_SCRIPT, str(spec_file)]
        order = list(commands)
        if floors:
            floor = result.series["floor"].wall
            order.insert(0, "floor")
            if item.yaml_mb < 100 if floor is None else floor < BRACKET_FLOOR_BELOW_S:
                order.insert(min(3, len(order)), "floor")
            result.reps += 1
        for name in order:
            out = self.work / f"out-{name}"
            shutil.rmtree(out, ignore_errors=True)
            argv = floor_argv if name == "floor" else crdoc_argv(name, item.path, out)
            sample = self.launcher.run(argv, cwd=self.work)
            result.series[name].samples.append(sample)
            match = re.search(r"Wrote pages of (\d+) CRDs", sample.stderr)
            if match:
                result.reported_crds = int(match.group(1))
            if name == "build" and sample.rc == 0 and out.is_dir():
                result.site = site_metrics(out)
            failed = "" if sample.rc == 0 else f"  FAILED rc={sample.rc}: {last_line(sample)}"
            tree = f" (tree {sample.tree_kb / 1024:.0f})" if sample.tree_kb else ""
            log(
                f"  {item.name} {name:9s} {sample.wall:7.2f} s "
                f"cpu {sample.cpu:7.2f} s  {sample.rss_kb / 1024:6.0f} MiB{tree}{failed}"
            )
            shutil.rmtree(out, ignore_errors=True)

    def rep_estimate(self, result: Result, commands: tuple[str, ...]) -> float:
        total = 0.0
        for name in ("floor", *commands):
            wall = result.series[name].wall
            twice = name == "floor" and (wall or 0.0) < BRACKET_FLOOR_BELOW_S
            total += (wall or 0.0) * (2 if twice else 1) + 0.2
        return total
