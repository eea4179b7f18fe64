"""crdoc benchmark: whole-process time and peak memory against a YAML-parsing floor.

Run it with the interpreter of the venv crdoc is installed in::

    python bench/run.py [--quick] [--corpus PATH] [--out bench/RESULTS.md] [--budget SECONDS]

This module is the command line and the run loop; what is measured, and how, is described in
the docstring of the package ``bench`` (bench/__init__.py), whose modules do the work.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):
    # Run as a script, sys.path[0] is bench/ itself: import its modules as the package `bench`
    # from the repository root instead, so that none of them shadows a top-level module.
    _here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _here]
    sys.path.insert(0, str(_here.parent))

from bench.commands import COMMANDS, Bench, Result  # noqa: E402
from bench.common import BENCH, MB, log  # noqa: E402
from bench.inputs import Input, corpus_inputs, generate_scaled, scaled_templates  # noqa: E402
from bench.measure import Launcher, Series, child_env, last_line, snapshot_crdoc  # noqa: E402
from bench.peer import PEER_INPUTS, install_peer, peer_project, peer_rep  # noqa: E402
from bench.profiling import profile_command  # noqa: E402
from bench.report import Report, git_state, write_report  # noqa: E402

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="100/400 CRDs, one repetition")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="corpus folder")
    parser.add_argument("--out", type=Path, default=BENCH / "RESULTS.md", help="report file")
    parser.add_argument(
        "--budget",
        type=float,
        default=None,
        help="seconds: leave out optional runs that would exceed it (default 880; --quick: none)",
    )
    parser.add_argument("--no-peer", action="store_true", help="skip mkdocs-crd-viewer")
    parser.add_argument("--no-profile", action="store_true", help="skip the cProfile run")
    args = parser.parse_args(argv)
    budget = args.budget if args.budget is not None else (None if args.quick else 880.0)

    commit = git_state()
    with tempfile.TemporaryDirectory(prefix="crdoc-bench-") as tmp:
        work = Path(tmp)
        digest = snapshot_crdoc(work)
        env = child_env(work)
        launcher = Launcher(env)  # first, while this process is small
        try:
            where = subprocess.run(
                [sys.executable, "-c", "import crdoc.templates as t; print(t.__file__)"],
                env=env,
                cwd=work,  # as every measured run: the checkout is not on sys.path
                capture_output=True,
                text=True,
            ).stdout.strip()
            if not where.startswith(str(work)):
                raise SystemExit(f"crdoc is not imported from the snapshot but from {where!r}")
            report = run(args, budget, launcher, work)
        finally:
            launcher.close()
    end_commit = git_state()
    report.code = f"crdoc as at the start: {commit}; sources digest {digest}" + (
        ""
        if end_commit == commit
        else f" (the working tree was at {end_commit} by the end; "
        "every run used the snapshot taken at the start)"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_report(args.out, report)
    log(f"wrote {args.out} after {report.elapsed / 60:.1f} min")
    return 0


def run(args: argparse.Namespace, budget: float | None, launcher: Launcher, work: Path) -> Report:
    bench = Bench(launcher, work, budget)
    load_start = " ".join(f"{x:.2f}" for x in os.getloadavg())
    check = launcher.run([sys.executable, "-m", "crdoc", "--version"])
    if check.rc != 0:
        raise SystemExit(f"crdoc does not run with {sys.executable}: {last_line(check)}")
    sizes = (100, 400) if args.quick else (500, 2000)
    corpus_reps = 1 if args.quick else 3
    notes: list[str] = []

    corpus: list[Input] = []
    if args.corpus.is_dir():
        corpus = corpus_inputs(args.corpus)
        log(f"corpus {args.corpus}: {len(corpus)} entries")
    else:
        message = f"corpus not found at {args.corpus}: corpus and scaled inputs left out"
        log(message)
        notes.append(message)
    scaled: list[Input] = []
    if corpus:
        t0 = time.perf_counter()
        templates = scaled_templates(corpus)
        template_mb = sum(len(t.encode()) for t in templates) / MB
        for count in sizes:
            item = generate_scaled(work, count, templates, pattern=sizes[0])
            item.full_build = True  # the site's own targets are measured at every size
            scaled.append(item)
            log(f"generated {item.name}: {item.yaml_mb:.1f} MB of YAML in {item.files} files")
        notes.append(
            f"Scaled inputs from {len(templates)} plain corpus CRD documents ({template_mb:.1f} "
            "MB; cloudnative-pg's Go-templated file left out): "
            + "; ".join(f"{i.name} = {i.yaml_mb:.1f} MB in {i.files} files" for i in scaled)
            + f"; generated in {time.perf_counter() - t0:.1f} s, deleted afterwards."
        )

    def commands(item: Input, *, build: bool = True) -> tuple[str, ...]:
        return tuple(c for c in COMMANDS if c != "build" or (item.full_build and build))

    results = {
        id(item): Result(item, {n: Series() for n in ("floor", *COMMANDS)})
        for item in [*corpus, *scaled]
    }
    result_of: Callable[[Input], Result] = lambda item: results[id(item)]  # noqa: E731

    # 0. Warm-up, not recorded: fills the bytecode cache of every module the runs import.
    if corpus:
        smallest = min(corpus, key=lambda item: item.yaml_bytes)
        log(f"warm-up on {smallest.name}")
        bench.rep(Result(smallest, {n: Series() for n in ("floor", *COMMANDS)}), COMMANDS)

    # 1. One repetition of everything (corpus, then the scaled inputs).
    for item in [*corpus, *scaled]:
        log(f"{item.name}: {item.yaml_mb:.2f} MB, {item.crds} CRDs, rep 1")
        bench.rep(result_of(item), commands(item))

    # 2. The peer, once per input.
    peer = None
    python = None
    if not args.no_peer:
        sources = [(n, args.corpus / n) for n in PEER_INPUTS if (args.corpus / n).is_dir()]
        if not sources:
            peer = {"error": "none of its comparable corpus inputs is present"}
        elif bench.affordable("mkdocs-crd-viewer", 45):
            python, peer = install_peer(work)
            if python is not None:
                peer["inputs"] = []
                for name, folder in sources:
                    folder = folder / "crds" if (folder / "crds").is_dir() else folder
                    peer["inputs"].append(peer_project(work, name, folder))
                warm = peer["inputs"][0]
                peer_rep(bench, python, warm)  # warm-up: discarded
                warm["peer"].samples.clear()
                warm["crdoc"].samples.clear()
                for entry in peer["inputs"]:
                    peer_rep(bench, python, entry)
        else:
            peer = {"error": "left out for the time budget"}

    # 3. Profiles: `inspect` on the biggest input, `markdown` on the smaller one (each on a
    # smaller input when time is short).
    profiles: list[dict] = []
    plan = (("inspect", (scaled[-1], scaled[0])), ("markdown", (scaled[0],)))
    for command, items in plan if not args.no_profile and scaled else ():
        for item in items:
            estimate = 2.5 * (result_of(item).series[command].wall or 60) + 5
            if bench.affordable(f"profile of {command} on {item.name}", estimate):
                log(f"profiling crdoc {command} on {item.name}")
                profile = profile_command(bench, item, command)
                log(f"  profiled run: {profile.get('wall', 0):.1f} s {profile.get('error', '')}")
                profiles.append(profile)
                break

    # 4. More repetitions of the corpus entries (and the peer), full builds separately.
    for rep in range(1, corpus_reps):
        for item in corpus:
            result = result_of(item)
            lean = commands(item, build=False)
            if bench.affordable(f"{item.name} rep {rep + 1}", bench.rep_estimate(result, lean)):
                bench.rep(result, lean)
        for entry in (peer or {}).get("inputs", []) if python is not None else []:
            estimate = (entry["peer"].wall or 5) + (entry["crdoc"].wall or 5)
            if bench.affordable(f"peer {entry['input']} rep {rep + 1}", estimate):
                peer_rep(bench, python, entry)
    for rep in range(1, corpus_reps):
        for item in corpus:
            result = result_of(item)
            estimate = (result.series["build"].wall or 10) + 0.5
            if bench.affordable(f"{item.name} build rep {rep + 1}", estimate):
                bench.rep(result, ("build",), floors=False)

    # 5. A second repetition of the smaller scaled input, if there is time.
    if scaled and not args.quick:
        result = result_of(scaled[0])
        lean = commands(scaled[0], build=False)
        if bench.affordable(f"{scaled[0].name} rep 2", bench.rep_estimate(result, lean)):
            bench.rep(result, lean)

    ordered = [result_of(item) for item in [*corpus, *scaled]]
    for result in ordered:
        reported = result.reported_crds
        if reported is not None and reported != result.input.crds:
            notes.append(
                f"{result.input.name}: crdoc reported {reported} CRDs; the benchmark counted "
                f"{result.input.crds} CustomResourceDefinition documents."
            )
    return Report(
        quick=args.quick,
        budget=budget,
        results=ordered,
        small=result_of(scaled[0]) if scaled else None,
        big=result_of(scaled[-1]) if scaled else None,
        profiles=profiles,
        peer=peer,
        notes=notes,
        skipped=bench.skipped,
        loads=(load_start, " ".join(f"{x:.2f}" for x in os.getloadavg())),
        elapsed=bench.elapsed(),
    )


if __name__ == "__main__":
    sys.exit(main())
