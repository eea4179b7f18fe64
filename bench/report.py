"""The report: machine and code state, the tables and sections, and writing RESULTS.md."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import platform
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from bench.commands import BRACKET_FLOOR_BELOW_S, COMMAND_TITLES, COMMANDS, Result
from bench.common import MB, REPO
from bench.inputs import FILE_SIZES
from bench.measure import Series, last_line


def fmt_s(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.3g}" if value < 100 else f"{value:.0f}"


def fmt_ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}×"


def ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b == 0 else a / b


def machine_info() -> list[str]:
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 0
    mem = cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB RAM"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    libyaml = "no"
    if getattr(yaml, "__with_libyaml__", False):
        try:
            from yaml import _yaml  # type: ignore[attr-defined]

            libyaml = f"yes (libyaml {_yaml.get_version_string()})"
        except ImportError:
            libyaml = "yes"
    return [
        f"- nproc: {cores}; {mem}; CPU: {cpu or platform.processor() or 'unknown'}",
        f"- OS: {platform.platform()}",
        f"- Python: {platform.python_version()} (`{sys.executable}`)",
        f"- PyYAML: {yaml.__version__}, with libyaml: {libyaml}",
    ]


def git_state() -> str:
    """The commit of the checkout, and whether crdoc's sources differ from it."""
    commit = _git("rev-parse", "--short", "HEAD") or "unknown commit"
    dirty = _git("status", "--porcelain", "--", "crdoc", "templates")
    return commit + (" plus uncommitted changes in crdoc/ or templates/" if dirty else "")


def _git(*args: str) -> str:
    try:
        done = subprocess.run(
            ["git", "-C", str(REPO), *args], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def peak_cell(series: Series) -> str:
    rss, peak = series.rss_mb, series.peak_mb
    if rss is None or peak is None:
        return "—"
    return fmt_s(rss) if peak <= rss else f"{fmt_s(rss)} (tree {fmt_s(peak)})"


def command_table(results: list[Result], command: str) -> list[str]:
    lines = [
        "| input | YAML MB | CRDs | floor s | crdoc s | ratio | runs | crdoc CPU s | "
        "peak RSS MB | RSS/YAML |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        series = result.series[command]
        if not series.samples:
            continue
        item = result.input
        floor, wall = result.series["floor"].wall, series.wall
        cell = fmt_s(wall)
        if series.failed is not None:
            cell += f" (failed {len(series.samples) - len(series.ok)}×, rc {series.failed.rc})"
        lines.append(
            f"| {item.name} | {item.yaml_mb:.2f} | {item.crds} | {fmt_s(floor)} | {cell} | "
            f"{fmt_ratio(ratio(wall, floor))} | {len(series.samples)} | {fmt_s(series.cpu)} | "
            f"{peak_cell(series)} | "
            f"{fmt_ratio(ratio(series.peak_mb, item.yaml_mb))} |"
        )
    return lines


def floor_table(results: list[Result]) -> list[str]:
    lines = [
        "| input | YAML MB | CRD files | CRDs | reps | floor runs | floor s (median) | "
        "min–max s | floor peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        item, series = result.input, result.series["floor"]
        walls = [s.wall for s in series.ok]
        spread = f"{min(walls):.3g}–{max(walls):.3g}" if walls else "—"
        lines.append(
            f"| {item.name} | {item.yaml_mb:.2f} | {item.files} | {item.crds} | {result.reps} | "
            f"{len(series.samples)} | {fmt_s(series.wall)} | {spread} | {fmt_s(series.rss_mb)} |"
        )
    return lines


def growth_ratios(small: Result, big: Result) -> dict[str, float]:
    ratios = {}
    for command in ("floor", *COMMANDS):
        a, b = small.series[command].wall, big.series[command].wall
        if a is not None and b is not None:
            ratios[command] = (b / big.input.crds) / (a / small.input.crds)
    return ratios


def growth_table(small: Result, big: Result) -> list[str]:
    scale = big.input.crds / small.input.crds
    lines = [
        f"| command | s/CRD at {small.input.crds:,} | s/CRD at {big.input.crds:,} | "
        f"per-CRD ratio | within 20%? | peak MB at {small.input.crds:,} → {big.input.crds:,} | "
        f"peak ratio (CRDs ×{scale:g}) |",
        "|---|---:|---:|---:|---|---:|---:|",
    ]
    for command, r in growth_ratios(small, big).items():
        a, b = small.series[command], big.series[command]
        per_a, per_b = a.wall / small.input.crds, b.wall / big.input.crds  # type: ignore[operator]
        lines.append(
            f"| {command} | {per_a * 1000:.1f} ms | {per_b * 1000:.1f} ms | {r:.2f} | "
            f"{'yes' if abs(r - 1) <= 0.2 else 'no'} | {fmt_s(a.peak_mb)} → {fmt_s(b.peak_mb)} | "
            f"{fmt_ratio(ratio(b.peak_mb, a.peak_mb))} |"
        )
    return lines


def target_table(results: list[Result], small: Result | None, big: Result | None) -> list[str]:
    lines = ["| target | measured | status |", "|---|---|---|"]
    for command, limit in (("inspect", 1.3), ("markdown", 3.0)):
        rows = [
            (r, result.input.name)
            for result in results
            if (r := ratio(result.series[command].wall, result.series["floor"].wall)) is not None
        ]
        if not rows:
            lines.append(f"| `{command}` ≤ {limit:g}× floor | not measured | — |")
            continue
        worst, within = max(rows), sum(1 for r, _ in rows if r <= limit)
        status = "met" if within == len(rows) else f"not met ({within} of {len(rows)} inputs)"
        extra = ""
        if big is not None:
            rb = ratio(big.series[command].wall, big.series["floor"].wall)
            extra = f"; {big.input.name}: {fmt_ratio(rb)}"
        lines.append(
            f"| `{command}` ≤ {limit:g}× floor, every input | worst {fmt_ratio(worst[0])} "
            f"({worst[1]}){extra} | {status} |"
        )
    if big is not None:
        for command in ("inspect", "markdown"):
            peak = big.series[command].peak_mb
            r = ratio(peak, big.input.yaml_mb)
            status = "—" if r is None else ("met" if r <= 2 else "not met")
            lines.append(
                f"| peak RSS of `{command}` ≤ 2× YAML size on {big.input.name} "
                f"({big.input.yaml_mb:.0f} MB) | {fmt_s(peak)} MB = {fmt_ratio(r)} | {status} |"
            )
    lines.extend(site_targets(results, big))
    if small is not None and big is not None:
        ratios = growth_ratios(small, big)
        for command in ("inspect", "markdown", "docs-only", "build"):
            r = ratios.get(command)
            status = "—" if r is None else ("met" if abs(r - 1) <= 0.2 else "not met")
            lines.append(
                f"| per-CRD time of `{command}` constant within 20% "
                f"({small.input.crds:,} → {big.input.crds:,}) | "
                f"ratio {'—' if r is None else f'{r:.2f}'} | {status} |"
            )
    return lines


#: Inputs the site targets are held against (issue 16): the biggest scaled input and this one.
SITE_TARGET_INPUTS = ("kube-prometheus-stack.tgz",)


def site_targets(results: list[Result], big: Result | None) -> list[str]:
    """The site's targets: build ≤ 3× markdown, peak RSS ≤ 1 GB on the biggest input, largest
    page ≤ 1 MB, median page ≤ 300 KB, site ≤ 5× YAML, search files ≤ 0.1× YAML."""
    chosen = [r for r in results if r.input.name in SITE_TARGET_INPUTS]
    if big is not None:
        chosen.append(big)
    lines = []
    for result in chosen:
        name, site, yaml_bytes = result.input.name, result.site, result.input.yaml_mb * MB
        r = ratio(result.series["build"].wall, result.series["markdown"].wall)
        status = "—" if r is None else ("met" if r <= 3 else "not met")
        lines.append(f"| `build` ≤ 3× `markdown` on {name} | {fmt_ratio(r)} | {status} |")
        if not site:
            lines.append(f"| site sizes on {name} | not measured | — |")
            continue
        for label, value, limit in (
            ("largest HTML page ≤ 1 MB", site["largest"], 1_000_000),
            ("median page ≤ 300 KB", site["median"], 300_000),
            ("whole site ≤ 5× YAML", site["total"], 5 * yaml_bytes),
            ("search index (all files) ≤ 0.1× YAML", site["search"], 0.1 * yaml_bytes),
        ):
            status = "met" if value <= limit else "not met"
            shown = f"{value / 1000:,.0f} KB" if value < 10 * MB else f"{value / MB:,.1f} MB"
            if "YAML" in label:
                shown += f" = {value / yaml_bytes:.3f}×"
            lines.append(f"| {label} on {name} | {shown} | {status} |")
    if big is not None:
        peak = big.series["build"].peak_mb
        status = "—" if peak is None else ("met" if peak <= 1000 else "not met")
        lines.append(
            f"| peak RSS of `build` ≤ 1 GB on {big.input.name} | {fmt_s(peak)} MB | {status} |"
        )
    return lines


def site_table(results: list[Result]) -> list[str]:
    """What each full build wrote."""
    lines = [
        "| input | YAML MB | pages | largest page KB | median page KB | site MB | search KB "
        "| build ÷ markdown |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        site = result.site
        if not site:
            continue
        r = ratio(result.series["build"].wall, result.series["markdown"].wall)
        lines.append(
            f"| {result.input.name} | {result.input.yaml_mb:.2f} | {site['pages']:,.0f} "
            f"| {site['largest'] / 1000:,.0f} | {site['median'] / 1000:,.0f} "
            f"| {site['total'] / MB:,.1f} | {site['search'] / 1000:,.0f} | {fmt_ratio(r)} |"
        )
    return lines


def profile_section(profiles: list[dict]) -> list[str]:
    if not profiles:
        return ["Not run."]
    lines = [
        "cProfile slows pure-Python code far more than C code (libyaml, the JSON encoder), so "
        "Python shares are overstated; compare with the timings above. PyYAML's libyaml "
        "binding (`_yaml.CParser`, Cython) is invisible to cProfile: the libyaml parse and "
        "compose time is the self time of its Python caller (crdoc's `yamlio` document "
        'reader). "PyYAML (Python side)" is the tag resolver libyaml calls for every node '
        "(and the constructor, for the rare documents crdoc's own builder leaves to it).",
        "",
    ]
    for profile in profiles:
        lines += _one_profile(profile) + [""]
    return lines


def _one_profile(profile: dict) -> list[str]:
    title = f"### `{profile['command']}` on {profile['input']}"
    if "error" in profile:
        return [title, "", f"The profiled run failed: {profile['error']}"]
    total = profile["total"]
    if profile["workers"]:
        how = (
            f"crdoc read the files in {profile['workers']} worker processes; each worker "
            "profiled its own calls (`crdoc.loading.loader._read_one`) and the main process "
            "the rest; "
            f"the stats are merged, less {profile['waiting']:.1f} s the main process spent "
            "waiting for the workers (pickling results back is in threads cProfile does not see)"
        )
    else:
        how = "one process (crdoc did not use worker processes, or they could not be profiled)"
    lines = [
        title,
        "",
        f"`{profile['argv']}` under cProfile: {profile['wall']:.1f} s wall, "
        f"{profile['cpu']:.1f} s CPU; {how}. {total:.1f} s of profiled time.",
        "",
        "By file or area (sum of tottime):",
        "",
        "| area | tottime s | share |",
        "|---|---:|---:|",
    ]
    for area, tt in profile["areas"][:12]:
        lines.append(f"| {area} | {tt:.2f} | {tt / total:.0%} |")
    lines += [
        "",
        "Top 15 functions by tottime:",
        "",
        "| tottime s | share | cumtime s | calls | function |",
        "|---:|---:|---:|---:|---|",
    ]
    for tt, ct, nc, cc, where in profile["rows"]:
        calls = f"{nc}" if nc == cc else f"{nc}/{cc}"
        lines.append(
            f"| {tt:.2f} | {tt / total:.0%} | {ct:.2f} | {calls} | `{where.replace('|', '¦')}` |"
        )
    return lines


def peer_section(peer: dict | None) -> list[str]:
    if peer is None:
        return ["Not run."]
    if "error" in peer:
        return [f"mkdocs-crd-viewer could not be benchmarked: {peer['error']}"]
    versions = ", ".join(f"{k} {v}" for k, v in peer.get("versions", {}).items())
    lines = [
        f"Installed from PyPI into a separate venv in {peer.get('install_s', 0):.0f} s "
        f"({versions}). It is a MkDocs plugin (assets) plus a mkdocs-macros macro, "
        "`crd_viewer(path)`, that renders one CRD file (exactly one CRD per file, the storage "
        "version only, as a collapsible HTML tree), parsing with PyYAML's pure-Python "
        "`SafeLoader`; it has no CLI. The benchmark writes a MkDocs project with one page per "
        'CRD file (`{{ crd_viewer("crds/FILE") }}`, theme material, search plugin) and times '
        "`mkdocs build`; crdoc's comparable command is `crdoc build crds/ -o DIR` (full "
        "mkdocs-material site with every version, index and limitations pages) on the same "
        "files. Whole processes, alternated.",
        "",
        "| input | CRD files | YAML MB | runs | mkdocs-crd-viewer s | crdoc build s | "
        "peer/crdoc | peer RSS MB | crdoc RSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for entry in peer.get("inputs", []):
        theirs, ours = entry["peer"], entry["crdoc"]
        cell = fmt_s(theirs.wall)
        if theirs.failed is not None:
            cell += f" (failed: {last_line(theirs.failed)[:120]})"
        lines.append(
            f"| {entry['input']} | {entry['crds']} | {entry['yaml_bytes'] / MB:.2f} | "
            f"{len(theirs.samples)} | {cell} | {fmt_s(ours.wall)} | "
            f"{fmt_ratio(ratio(theirs.wall, ours.wall))} | {fmt_s(theirs.rss_mb)} | "
            f"{fmt_s(ours.rss_mb)} |"
        )
    for entry in peer.get("inputs", []):
        if entry.get("skipped"):
            lines.append(f"\n{entry['input']}: left out (not one CRD per file): {entry['skipped']}")
        if entry.get("note"):
            lines.append(f"\n{entry['input']}: {entry['note']}")
    return lines


@dataclass
class Report:
    quick: bool
    budget: float | None
    results: list[Result]
    small: Result | None
    big: Result | None
    profiles: list[dict]
    peer: dict | None
    notes: list[str]
    skipped: list[str]
    loads: tuple[str, str]
    elapsed: float
    code: str = ""


def write_report(out: Path, report: Report) -> None:
    budget = f"; time budget {report.budget:.0f} s" if report.budget else ""
    lines = [
        "# crdoc benchmark results",
        "",
        f"Generated by `python bench/run.py{' --quick' if report.quick else ''}` on "
        f"{dt.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}, in "
        f"{report.elapsed / 60:.1f} min{budget}.",
        "",
        "## Machine",
        "",
        *machine_info(),
        f"- {report.code}",
        f"- load average at start / end: {report.loads[0]} / {report.loads[1]} (a shared, "
        "noisy machine: compare ratios, not seconds)",
        "",
        "## Method",
        "",
        "- Every number is a whole process, interpreter start-up and imports included, started "
        "by a small launcher process with the benchmark's interpreter (Python bytecode and "
        "crdoc's compiled templates, `CRDOC_CACHE_DIR`, cached in the benchmark's temporary "
        "folder and warmed up by unrecorded runs first, as for an installed crdoc); crdoc is "
        "imported from a copy of `crdoc/` and `templates/` taken "
        "at the start, so edits to the checkout during a run do not mix versions. Time is "
        "wall-clock, the "
        "median over the runs; CPU is user+system of the process and the workers it reaped. "
        "Peak RSS is `ru_maxrss` from `wait4` (the largest single process), the largest over "
        "the runs; while a process has children (crdoc reads inputs ≥ 16 MiB in a process "
        "pool) the PSS summed over its process tree is sampled every 0.1 s, shown as "
        '"tree" when larger. RSS/YAML uses the larger of the two.',
        "- The **floor** of an input is a process that reads its CRD YAML files (archive "
        "members in memory) and parses each with `yaml.load_all(text, Loader=yaml.CSafeLoader)` "
        "(plus a constructor for `tag:yaml.org,2002:value`), keeping nothing; whole-line "
        "template actions (`{{- if … }}`) are blanked first. It runs once before the crdoc "
        f"commands of each repetition and once more among them when it takes < "
        f"{BRACKET_FLOOR_BELOW_S:g} s. A ratio is crdoc's median over the floor's median from "
        "this run. The floor uses one core; crdoc may use both for big inputs (see CPU s).",
        "- Order: one repetition of every input (floor and crdoc commands alternating), the "
        "peer, the profile, then further repetitions of the corpus entries (full builds last) "
        'and of the smaller scaled input while the time budget allows; "runs" counts them.',
        '- "YAML MB" is the size of the input\'s CRD files (10⁶ bytes, archives unpacked). '
        "The scaled inputs are charts whose `crds/` hold the corpus's plain CRD documents "
        "copied round-robin under renamed groups (`gKKKK.<group>`, `metadata.name` to match), "
        f"{'/'.join(map(str, FILE_SIZES))} CRDs per file in turn; the larger one holds the "
        "smaller one's content several times over, so per-CRD time should stay constant.",
        *[f"- {note}" for note in report.notes],
    ]
    if report.skipped:
        lines += [
            "- Left out to stay within the time budget (`--budget`): "
            + "; ".join(report.skipped)
            + "."
        ]
    lines += ["", "## Floor", "", *floor_table(report.results), ""]
    for command in COMMANDS:
        lines += [f"## `{COMMAND_TITLES[command]}`", "", *command_table(report.results, command)]
        lines.append("")
    lines += ["## The built sites", "", *site_table(report.results), ""]
    lines += ["## Growth", ""]
    if report.small is not None and report.big is not None:
        lines += growth_table(report.small, report.big)
    else:
        lines.append("Scaled inputs not measured.")
    lines += ["", "## Targets", "", *target_table(report.results, report.small, report.big), ""]
    lines += ["## Where the time goes", "", *profile_section(report.profiles), ""]
    lines += ["## Peer: mkdocs-crd-viewer", "", *peer_section(report.peer), ""]
    failures = [
        f"- {result.input.name} {name}: {last_line(series.failed)}"
        for result in report.results
        for name, series in result.series.items()
        if series.failed is not None
    ]
    if failures:
        lines += ["## Failures", "", *failures, ""]
    lines += ["## Raw samples", "", "<details><summary>every run: wall s / CPU s / MB</summary>"]
    lines.append("")
    for result in report.results:
        for name, series in result.series.items():
            if series.samples:
                runs = ", ".join(
                    f"{s.wall:.2f}/{s.cpu:.2f}/{s.rss_kb * 1024 / MB:.0f}"
                    + (f" (tree {s.tree_kb * 1024 / MB:.0f})" if s.tree_kb else "")
                    + ("" if s.rc == 0 else f" rc={s.rc}")
                    for s in series.samples
                )
                lines.append(f"- {result.input.name} `{name}`: {runs}")
    lines += ["", "</details>", ""]
    out.write_text("\n".join(lines), encoding="utf-8")
