"""crdoc benchmark: whole-process time and peak memory against a YAML-parsing floor.

Run it with the interpreter of the venv crdoc is installed in::

    python bench/run.py [--quick] [--corpus PATH] [--out bench/RESULTS.md] [--budget SECONDS]

Inputs are the entries of the shared corpus and two scaled inputs generated into a temporary
folder (deleted afterwards) from the corpus's plain CRD documents, copied under renamed groups.
Every measurement is a whole process (interpreter start-up included): the floor is a process
that only reads the input's CRD files and parses them with libyaml; crdoc runs as
``python -m crdoc``. Floor and crdoc runs alternate, so noise on this shared machine hits both,
and every result is a ratio to the floor of the same input in the same run. Standard library
and PyYAML only.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import platform
import pstats
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
MB = 1_000_000

#: A CustomResourceDefinition document (also an item of a ``kind: List``).
CRD_KIND = re.compile(r"^\s*kind:\s*[\"']?CustomResourceDefinition[\"']?\s*$", re.MULTILINE)
#: A document marker at the start of a line (as crdoc cuts streams).
DOC_MARKER = re.compile(r"^(?:---|\.\.\.)(?=[ \t\r\n]|$)", re.MULTILINE)
ARCHIVE_SUFFIXES = (".tgz", ".tar.gz")
YAML_SUFFIXES = (".yaml", ".yml", ".json")
#: How many CRDs each generated file holds, in turn ("one CRD per file or a few per file").
FILE_SIZES = (1, 1, 3, 1, 2)
PLACEHOLDER = "\x00"  # never in YAML text: marks where a copy's group prefix goes
#: A second floor run per repetition (bracketing the crdoc runs) when the floor is this quick.
BRACKET_FLOOR_BELOW_S = 10.0

# The floor: read the input's CRD files (archive members in memory) and parse each with
# libyaml's safe loader, keeping nothing. A whole-line template action (`{{- if … }}`, as
# around cloudnative-pg's CRDs) is blanked first, or that file would not parse at all.
FLOOR_SCRIPT = r"""
import io, json, re, sys, tarfile
import yaml

yaml.add_constructor(
    "tag:yaml.org,2002:value", lambda loader, node: loader.construct_scalar(node),
    Loader=yaml.CSafeLoader,
)
ACTION_LINE = re.compile(r"^[ \t]*\{\{.*\}\}[ \t]*$", re.MULTILINE)

def parse(data):
    text = data.decode("utf-8-sig")
    if "{{" in text:
        text = ACTION_LINE.sub("", text)
    for _ in yaml.load_all(text, Loader=yaml.CSafeLoader):
        pass

def member(archive, chain):
    data = archive.extractfile(chain[0]).read()
    if len(chain) == 1:
        return data
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as inner:
        return member(inner, chain[1:])

with open(sys.argv[1], encoding="utf-8") as handle:
    spec = json.load(handle)
for item in spec:
    if "file" in item:
        with open(item["file"], "rb") as handle:
            parse(handle.read())
    else:
        with tarfile.open(item["archive"], mode="r:*") as archive:
            for chain in item["members"]:
                parse(member(archive, chain))
"""

# Every measured process is started by this small launcher, itself started before the
# benchmark holds any data: on Linux a child's ru_maxrss includes the memory of the process it
# was forked from, so children forked from the (large) benchmark process would all report at
# least its size. The launcher reads one JSON request per line, runs it, waits with wait4
# (ru_maxrss and CPU time of the child and the descendants it reaped) and, while it runs,
# samples the proportional set size (PSS) summed over the child's process tree whenever it has
# descendants (crdoc reads big inputs in a process pool: ru_maxrss is the largest single
# process, not their sum).
LAUNCHER_SCRIPT = r"""
import json, os, subprocess, sys, threading, time

def tree(root):
    parents = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat", "rb") as handle:
                    stat = handle.read()
            except OSError:
                continue
            parents.setdefault(int(stat.rsplit(b")", 1)[1].split()[1]), []).append(int(name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(parents.get(pid, ()))
    return found

def pss_kb(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0

def sample(pid, stop, peak):
    while not stop.wait(0.1):
        try:
            pids = tree(pid)
        except OSError:
            continue
        if len(pids) > 1:
            peak[0] = max(peak[0], sum(pss_kb(p) for p in pids))

for line in sys.stdin:
    req = json.loads(line)
    out = open(req["stdout"] or os.devnull, "wb")
    err = open(req["stderr"], "wb")
    stop, peak = threading.Event(), [0]
    start = time.perf_counter()
    proc = subprocess.Popen(req["argv"], stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                            cwd=req["cwd"])
    sampler = threading.Thread(target=sample, args=(proc.pid, stop, peak), daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    stop.set()
    sampler.join()
    out.close()
    err.close()
    print(json.dumps({"wall": wall, "rss_kb": usage.ru_maxrss, "tree_kb": peak[0],
                      "cpu": usage.ru_utime + usage.ru_stime, "rc": proc.returncode}),
          flush=True)
"""

# cProfile of `crdoc inspect`. crdoc reads big inputs in forked worker processes
# (crdoc.load.loader._read_one), which a profile of the main process does not see: the worker-side
# function is wrapped so that each worker profiles its own calls into PREFIX.worker<pid>; the
# main process goes to PREFIX.main. Where crdoc has no such function, only the main process is
# profiled (and the report says so).
PROFILE_SCRIPT = r"""
import cProfile, os, sys
prefix = sys.argv[1]
main_pid = os.getpid()
main_profile = cProfile.Profile()
import crdoc.load.loader as loader
original = getattr(loader, "_read_one", None)
if original is not None:
    workers = {}
    def _read_one(*args, **kwargs):
        if os.getpid() == main_pid:
            return original(*args, **kwargs)
        profile = workers.get(os.getpid())
        if profile is None:
            main_profile.disable()  # the copy a forked worker inherits
            profile = workers[os.getpid()] = cProfile.Profile()
        profile.enable()
        try:
            return original(*args, **kwargs)
        finally:
            profile.disable()
            profile.dump_stats(f"{prefix}.worker{os.getpid()}")
    _read_one.__module__, _read_one.__qualname__ = original.__module__, original.__qualname__
    loader._read_one = _read_one
    print("workers profiled", file=sys.stderr)
from crdoc.cli import cli
main_profile.enable()
try:
    cli.main(args=sys.argv[2:], prog_name="crdoc", standalone_mode=False)
finally:
    main_profile.disable()
    main_profile.dump_stats(prefix + ".main")
"""


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# Measuring


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


# --------------------------------------------------------------------------------------------
# Inputs


@dataclass
class Input:
    name: str
    path: Path
    """What crdoc is given."""
    kind: str
    """``corpus`` or ``scaled``."""
    crd_files: list[dict]
    """The floor's spec: ``{"file": path}`` or ``{"archive": path, "members": [[name, …]]}``."""
    yaml_bytes: int
    crds: int
    files: int
    full_build: bool

    @property
    def yaml_mb(self) -> float:
        return self.yaml_bytes / MB


def is_crd_text(text: str) -> bool:
    return "CustomResourceDefinition" in text and CRD_KIND.search(text) is not None


def archive_members(
    archive: tarfile.TarFile, prefix: list[str]
) -> Iterator[tuple[list[str], bytes]]:
    """Every regular file of an archive, nested archives opened in memory: (name chain, bytes)."""
    for info in archive.getmembers():
        if not info.isfile():
            continue
        handle = archive.extractfile(info)
        if handle is None:
            continue
        data = handle.read()
        chain = [*prefix, info.name]
        if info.name.endswith(ARCHIVE_SUFFIXES):
            try:
                with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as inner:
                    yield from archive_members(inner, chain)
            except tarfile.TarError:
                continue
        else:
            yield chain, data


def entry_files(path: Path) -> Iterator[tuple[str, bytes, dict]]:
    """(label, bytes, floor spec item) of every file of a corpus entry, archives unpacked."""
    archives = [path] if path.is_file() else []
    if path.is_dir():
        for file in sorted(p for p in path.rglob("*") if p.is_file()):
            if file.name.endswith(ARCHIVE_SUFFIXES):
                archives.append(file)
            else:
                yield str(file), file.read_bytes(), {"file": str(file)}
    for archive_path in archives:
        with tarfile.open(archive_path, mode="r:*") as archive:
            for chain, data in archive_members(archive, []):
                label = f"{archive_path}!{'!'.join(chain)}"
                yield label, data, {"archive": str(archive_path), "chain": chain}


def crd_files_of(path: Path) -> tuple[list[dict], int, int, list[tuple[str, str]]]:
    """An entry's floor spec, CRD YAML bytes, CRD count and (label, text) CRD files."""
    spec: list[dict] = []
    archives: dict[str, list[list[str]]] = {}
    total = count = 0
    texts: list[tuple[str, str]] = []
    for label, data, item in entry_files(path):
        if not label.endswith(YAML_SUFFIXES):
            continue
        text = data.decode("utf-8-sig", errors="replace")
        if not is_crd_text(text):
            continue
        total += len(data)
        count += len(CRD_KIND.findall(text))
        texts.append((label, text))
        if "file" in item:
            spec.append(item)
        else:
            archives.setdefault(item["archive"], []).append(item["chain"])
    spec.extend({"archive": name, "members": chains} for name, chains in archives.items())
    return spec, total, count, texts


def corpus_inputs(corpus: Path) -> list[Input]:
    inputs = []
    for path in sorted(corpus.iterdir()):
        if not (path.is_dir() or path.name.endswith(ARCHIVE_SUFFIXES)):
            continue
        spec, total, count, texts = crd_files_of(path)
        if not count:
            log(f"corpus entry {path.name}: no CRD files, left out")
            continue
        inputs.append(Input(path.name, path, "corpus", spec, total, count, len(texts), True))
    return inputs


def _mapping_get(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return value_node
    return None


def _replace_on_line(lines: list[str], line: int, key: str, old: str, new: str) -> bool:
    pattern = re.compile(rf"^(\s*{key}:\s*[\"']?){re.escape(old)}([\"']?\s*(?:#.*)?)$")
    replaced, n = pattern.subn(lambda m: m.group(1) + new + m.group(2), lines[line])
    if n != 1:
        return False
    lines[line] = replaced
    return True


def make_template(chunk: str) -> str | None:
    """A CRD document whose ``metadata.name`` and ``spec.group`` take a group prefix where
    PLACEHOLDER stands. The two lines are found through libyaml's node tree (compose only), so
    no ``group:`` or ``name:`` inside a schema is touched; the rest of the text is verbatim."""
    node = yaml.compose(chunk, Loader=yaml.CSafeLoader)
    spec = _mapping_get(node, "spec")
    name_node = _mapping_get(_mapping_get(node, "metadata"), "name")
    group_node = _mapping_get(spec, "group")
    plural_node = _mapping_get(_mapping_get(spec, "names"), "plural")
    if not all(isinstance(n, yaml.ScalarNode) for n in (name_node, group_node, plural_node)):
        return None
    group, plural = group_node.value, plural_node.value
    if name_node.value != f"{plural}.{group}":
        return None
    lines = chunk.split("\n")
    new_name = f"{plural}.{PLACEHOLDER}{group}"
    if not (
        _replace_on_line(lines, name_node.start_mark.line, "name", name_node.value, new_name)
        and _replace_on_line(lines, group_node.start_mark.line, "group", group, PLACEHOLDER + group)
    ):
        return None
    return "\n".join(lines).strip("\n") + "\n"


def scaled_templates(corpus_items: list[Input]) -> list[str]:
    """The corpus's plain (untemplated) CRD documents, in a fixed order."""
    templates = []
    for item in corpus_items:
        for label, text in crd_files_of(item.path)[3]:
            if "{{" in text:
                continue  # Go-templated (cloudnative-pg): not plain YAML
            for chunk in _documents(text):
                if is_crd_text(chunk):
                    template = make_template(chunk)
                    if template is None:
                        log(f"  left out a CRD document of {label}: name/group lines not found")
                    else:
                        templates.append(template)
    return templates


def _documents(text: str) -> Iterator[str]:
    start = 0
    for match in DOC_MARKER.finditer(text):
        yield text[start : match.start()]
        start = match.end()
    yield text[start:]


def generate_scaled(root: Path, count: int, templates: list[str], *, pattern: int) -> Input:
    """A chart whose ``crds/`` holds ``count`` CRDs: copy ``k`` is template
    ``(k mod pattern) mod len(templates)`` under group ``gKKKK.<group>``, so an input of
    ``n × pattern`` CRDs holds the ``pattern``-CRD input's content ``n`` times."""
    folder = root / f"scaled-{count}"
    crds = folder / "crds"
    crds.mkdir(parents=True)
    (folder / "Chart.yaml").write_text(
        f"apiVersion: v2\nname: scaled-{count}\nversion: 0.1.0\n"
        f"description: {count} corpus CRDs under renamed groups (crdoc benchmark)\n",
        encoding="utf-8",
    )
    spec: list[dict] = []
    total = k = index = 0
    while k < count:
        docs = []
        for _ in range(min(FILE_SIZES[index % len(FILE_SIZES)], count - k)):
            template = templates[(k % pattern) % len(templates)]
            docs.append(template.replace(PLACEHOLDER, f"g{k:04d}."))
            k += 1
        data = ("---\n" + "---\n".join(docs)).encode("utf-8")
        file = crds / f"crds-{index:05d}.yaml"
        file.write_bytes(data)
        spec.append({"file": str(file)})
        total += len(data)
        index += 1
    return Input(f"{count:,} CRDs (scaled)", folder, "scaled", spec, total, count, index, False)


# --------------------------------------------------------------------------------------------
# Running


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


# --------------------------------------------------------------------------------------------
# Profile


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


# --------------------------------------------------------------------------------------------
# Peer: mkdocs-crd-viewer


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


# --------------------------------------------------------------------------------------------
# Report


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
    if small is not None and big is not None:
        ratios = growth_ratios(small, big)
        for command in ("inspect", "markdown", "docs-only"):
            r = ratios.get(command)
            status = "—" if r is None else ("met" if abs(r - 1) <= 0.2 else "not met")
            lines.append(
                f"| per-CRD time of `{command}` constant within 20% "
                f"({small.input.crds:,} → {big.input.crds:,}) | "
                f"ratio {'—' if r is None else f'{r:.2f}'} | {status} |"
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
            "profiled its own calls (`crdoc.load.loader._read_one`) and the main process the rest; "
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


# --------------------------------------------------------------------------------------------
# Main


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
            item.full_build = count == sizes[0]
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
