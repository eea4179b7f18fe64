"""crdoc benchmark: whole-process time and peak memory against a YAML-parsing floor.

Run with the interpreter of the venv crdoc is installed in::

    python bench/run.py [--quick] [--corpus PATH] [--out bench/RESULTS.md]

Inputs are the entries of the shared corpus and two scaled inputs generated into a temporary
folder (deleted afterwards) from the corpus's plain CRD documents, copied under renamed groups.
Every measurement is a whole process (interpreter start-up included): the floor is a process
that only reads the input's CRD files and parses them with libyaml; crdoc runs as
``python -m crdoc``. Floor and crdoc runs alternate, so noise on this shared machine hits both,
and every result is a ratio to the floor of the same input in the same run.

Standard library and PyYAML only.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
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
from collections.abc import Iterator
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

# The floor: read the input's CRD files (archive members in memory) and parse each with
# libyaml's safe loader, nothing else. A whole-line template action (`{{- if … }}`, as around
# cloudnative-pg's CRDs) is blanked first, or the file would not parse at all.
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


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


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
    reps: int
    full_build: bool
    notes: list[str] = field(default_factory=list)

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


def entry_files(path: Path) -> Iterator[tuple[str, bytes, dict | None]]:
    """(label, bytes, floor spec item or None for archive members) of every file of an entry."""
    if path.is_dir():
        for file in sorted(p for p in path.rglob("*") if p.is_file()):
            if file.name.endswith(ARCHIVE_SUFFIXES):
                with tarfile.open(file, mode="r:*") as archive:
                    for chain, data in archive_members(archive, []):
                        yield f"{file}!{'!'.join(chain)}", data, {"archive": str(file), "chain": chain}
            else:
                yield str(file), file.read_bytes(), {"file": str(file)}
    else:
        with tarfile.open(path, mode="r:*") as archive:
            for chain, data in archive_members(archive, []):
                yield f"{path}!{'!'.join(chain)}", data, {"archive": str(path), "chain": chain}


def crd_files_of(path: Path) -> tuple[list[dict], int, int, list[tuple[str, str]]]:
    """The floor spec of an entry, its CRD YAML bytes and CRD count, and its (label, text) CRD
    files."""
    spec: list[dict] = []
    archives: dict[str, list[list[str]]] = {}
    total = 0
    count = 0
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
        if item is not None and "file" in item:
            spec.append(item)
        elif item is not None:
            archives.setdefault(item["archive"], []).append(item["chain"])
    spec.extend({"archive": name, "members": chains} for name, chains in archives.items())
    return spec, total, count, texts


def corpus_entries(corpus: Path) -> list[Path]:
    entries = []
    for path in sorted(corpus.iterdir()):
        if path.is_dir() or path.name.endswith(ARCHIVE_SUFFIXES):
            entries.append(path)
    return entries


@dataclass
class Template:
    source: str
    text: str
    """The document with PLACEHOLDER where a copy's group prefix goes."""


def _replace_on_line(lines: list[str], line: int, key: str, old: str, new: str) -> bool:
    pattern = re.compile(rf"^(\s*{key}:\s*[\"']?){re.escape(old)}([\"']?\s*(?:#.*)?)$")
    replaced, n = pattern.subn(lambda m: m.group(1) + new + m.group(2), lines[line])
    if n != 1:
        return False
    lines[line] = replaced
    return True


def _mapping_get(node: yaml.Node, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return value_node
    return None


def make_template(source: str, chunk: str) -> Template | None:
    """A CRD document whose ``metadata.name`` and ``spec.group`` lines take a group prefix.
    The lines are found through libyaml's node tree (one compose, no construction), so no
    ``group:``/``name:`` inside a schema is touched."""
    node = yaml.compose(chunk, Loader=yaml.CSafeLoader)
    metadata = _mapping_get(node, "metadata")
    spec = _mapping_get(node, "spec")
    name_node = _mapping_get(metadata, "name") if metadata is not None else None
    group_node = _mapping_get(spec, "group") if spec is not None else None
    names = _mapping_get(spec, "names") if spec is not None else None
    plural_node = _mapping_get(names, "plural") if names is not None else None
    if not all(isinstance(n, yaml.ScalarNode) for n in (name_node, group_node, plural_node)):
        return None
    group, plural = group_node.value, plural_node.value
    if name_node.value != f"{plural}.{group}":
        return None
    lines = chunk.split("\n")
    ok = _replace_on_line(
        lines, name_node.start_mark.line, "name", name_node.value, f"{plural}.{PLACEHOLDER}{group}"
    ) and _replace_on_line(lines, group_node.start_mark.line, "group", group, PLACEHOLDER + group)
    if not ok:
        return None
    return Template(source=source, text="\n".join(lines).strip("\n") + "\n")


def scaled_templates(corpus: Path, entries: list[Path]) -> list[Template]:
    """The corpus's plain (untemplated) CRD documents, in a fixed order."""
    templates = []
    for entry in entries:
        _, _, _, texts = crd_files_of(entry)
        for label, text in texts:
            if "{{" in text:
                continue  # Go-templated (cloudnative-pg): not plain YAML
            for chunk in _documents(text):
                if not is_crd_text(chunk):
                    continue
                template = make_template(label, chunk)
                if template is None:
                    log(f"  skipped a CRD document of {label}: name/group lines not found")
                else:
                    templates.append(template)
    return templates


def _documents(text: str) -> Iterator[str]:
    start = 0
    for match in DOC_MARKER.finditer(text):
        yield text[start : match.start()]
        start = match.end()
    yield text[start:]


def generate_scaled(
    root: Path, count: int, templates: list[Template], reps: int, *, pattern: int
) -> Input:
    """A chart of ``count`` CRDs: copy ``k`` is template ``(k mod pattern) mod len(templates)``
    under group ``gKKKK.<group>`` (so the 4× input holds the 1× input's content four times)."""
    folder = root / f"scaled-{count}"
    crds = folder / "crds"
    crds.mkdir(parents=True)
    (folder / "Chart.yaml").write_text(
        f"apiVersion: v2\nname: scaled-{count}\nversion: 0.1.0\n"
        f"description: {count} corpus CRDs under renamed groups (crdoc benchmark)\n",
        encoding="utf-8",
    )
    spec: list[dict] = []
    total = 0
    k = 0
    index = 0
    while k < count:
        size = min(FILE_SIZES[index % len(FILE_SIZES)], count - k)
        docs = []
        for _ in range(size):
            template = templates[(k % pattern) % len(templates)]
            docs.append(template.text.replace(PLACEHOLDER, f"g{k:04d}."))
            k += 1
        data = ("---\n" + "---\n".join(docs)).encode("utf-8")
        file = crds / f"crds-{index:05d}.yaml"
        file.write_bytes(data)
        spec.append({"file": str(file)})
        total += len(data)
        index += 1
    return Input(
        name=f"{count:,} CRDs (scaled)",
        path=folder,
        kind="scaled",
        crd_files=spec,
        yaml_bytes=total,
        crds=count,
        reps=reps,
        full_build=False,
        notes=[f"{index} files"],
    )


# --------------------------------------------------------------------------------------------
# Measuring


@dataclass
class Sample:
    wall: float
    rss_kb: int
    rc: int
    stderr: str = ""


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
    def rss_mb(self) -> float | None:
        ok = self.ok
        return max(s.rss_kb for s in ok) * 1024 / MB if ok else None


def measure(argv: list[str], *, stdout: Path | None = None, cwd: Path | None = None) -> Sample:
    """Run one process; its wall time and peak RSS (``ru_maxrss`` of that child, via wait4)."""
    with contextlib.ExitStack() as stack:
        out = stack.enter_context(open(stdout or os.devnull, "wb"))
        err = stack.enter_context(tempfile.TemporaryFile())
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        err.seek(0)
        text = err.read().decode("utf-8", errors="replace")
    return Sample(wall=wall, rss_kb=usage.ru_maxrss, rc=proc.returncode, stderr=text[-4000:])


COMMANDS = ("inspect", "markdown", "docs-only", "build")
COMMAND_TITLES = {
    "floor": "floor (libyaml parse only)",
    "inspect": "crdoc inspect --format json > /dev/null",
    "markdown": "crdoc markdown -o DIR",
    "docs-only": "crdoc build --docs-only -o DIR",
    "build": "crdoc build -o DIR (full MkDocs site)",
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


def run_input(item: Input, work: Path, spec_file: Path) -> Result:
    result = Result(item, {name: Series() for name in ("floor", *COMMANDS)})
    spec_file.write_text(json.dumps(item.crd_files), encoding="utf-8")
    floor_argv = [sys.executable, "-c", FLOOR_SCRIPT, str(spec_file)]
    commands = [c for c in COMMANDS if c != "build" or item.full_build]
    for rep in range(item.reps):
        # Floor, two crdoc commands, floor again, the rest: the floor brackets the crdoc runs.
        order = ["floor", *commands[:2], "floor", *commands[2:]]
        for name in order:
            out = work / f"out-{name}"
            shutil.rmtree(out, ignore_errors=True)
            if name == "floor":
                sample = measure(floor_argv)
            else:
                sample = measure(crdoc_argv(name, item.path, out), cwd=work)
            result.series[name].samples.append(sample)
            match = re.search(r"Wrote pages of (\d+) CRDs", sample.stderr)
            if match:
                result.reported_crds = int(match.group(1))
            status = "" if sample.rc == 0 else f"  FAILED rc={sample.rc}: {last_line(sample)}"
            log(
                f"  {item.name} [{rep + 1}/{item.reps}] {name:9s} {sample.wall:8.2f} s "
                f"{sample.rss_kb / 1024:8.0f} MiB{status}"
            )
            shutil.rmtree(out, ignore_errors=True)
    return result


def last_line(sample: Sample) -> str:
    lines = [line for line in sample.stderr.strip().splitlines() if line.strip()]
    return lines[-1][:200] if lines else "(no message)"


# --------------------------------------------------------------------------------------------
# Profile


def profile_inspect(item: Input, work: Path, top: int = 15) -> dict:
    prof = work / "inspect.prof"
    argv = [sys.executable, "-m", "cProfile", "-o", str(prof), "-m", "crdoc", "inspect"]
    sample = measure([*argv, str(item.path), "--format", "json"], cwd=work)
    if sample.rc != 0 or not prof.exists():
        return {"input": item.name, "error": last_line(sample)}
    stats = pstats.Stats(str(prof))
    rows = []
    by_area: dict[str, float] = {}
    for (filename, line, func), (cc, nc, tt, ct, _) in stats.stats.items():  # type: ignore[attr-defined]
        where = short_location(filename, line, func)
        by_area[area_of(filename, func)] = by_area.get(area_of(filename, func), 0.0) + tt
        rows.append((tt, ct, nc, cc, where))
    rows.sort(reverse=True)
    total = stats.total_tt  # type: ignore[attr-defined]
    return {
        "input": item.name,
        "wall": sample.wall,
        "total": total,
        "rows": rows[:top],
        "areas": sorted(by_area.items(), key=lambda kv: -kv[1]),
    }


def short_location(filename: str, line: int, func: str) -> str:
    if filename == "~":
        return func
    path = filename
    for marker in ("/site-packages/", str(REPO) + "/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    else:
        path = Path(path).name if "/lib/python" in path else path
    return f"{path}:{line}({func})"


def area_of(filename: str, func: str) -> str:
    if filename == "~":
        if "_yaml." in func:
            return "libyaml (C parser/composer)"
        return "builtins (" + _builtin_kind(func) + ")"
    if str(REPO) in filename:
        return "crdoc/" + Path(filename).name
    if "/site-packages/yaml/" in filename:
        return "PyYAML (Python constructor)"
    if "/site-packages/" in filename:
        return filename.split("/site-packages/", 1)[1].split("/", 1)[0]
    return "stdlib/" + Path(filename).name


def _builtin_kind(func: str) -> str:
    match = re.search(r"of '([\w.]+)' objects", func)
    if match:
        return match.group(1)
    match = re.search(r"built-in method ([\w.]+)", func)
    return match.group(1) if match else func


# --------------------------------------------------------------------------------------------
# Peer: mkdocs-crd-viewer


PEER_PACKAGE = "mkdocs-crd-viewer"


def peer_benchmark(work: Path, sources: list[tuple[str, Path]], reps: int) -> dict:
    """Install mkdocs-crd-viewer in its own venv; build a MkDocs site with one page per CRD
    file (its ``crd_viewer`` macro) and time it against ``crdoc build`` on the same files."""
    venv = work / "peer-venv"
    report: dict = {"package": PEER_PACKAGE, "inputs": []}
    log(f"peer: creating a venv and installing {PEER_PACKAGE} (+ mkdocs-material)")
    created = subprocess.run(
        [sys.executable, "-m", "venv", str(venv)], capture_output=True, text=True, timeout=300
    )
    if created.returncode != 0:
        report["error"] = f"python -m venv failed: {created.stderr.strip()[-300:]}"
        return report
    python = venv / "bin" / "python"
    try:
        installed = subprocess.run(
            [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
            + [PEER_PACKAGE, "mkdocs-material"],
            capture_output=True,
            text=True,
            timeout=600,
        )
    except subprocess.TimeoutExpired:
        report["error"] = "pip install timed out after 600 s"
        return report
    if installed.returncode != 0:
        errors = [line for line in installed.stderr.splitlines() if "ERROR" in line]
        report["error"] = "pip install failed: " + (" / ".join(errors) or installed.stderr[-300:])
        return report
    versions = subprocess.run(
        [str(python), "-c", "import importlib.metadata as m; print(*(m.version(p) for p in "
         "('mkdocs-crd-viewer', 'mkdocs', 'mkdocs-macros-plugin', 'mkdocs-material')))"],
        capture_output=True,
        text=True,
    ).stdout.split()
    report["versions"] = dict(
        zip(["mkdocs-crd-viewer", "mkdocs", "mkdocs-macros-plugin", "mkdocs-material"], versions)
    )
    for name, folder in sources:
        report["inputs"].append(_peer_input(work, python, name, folder, reps))
    return report


def _peer_input(work: Path, python: Path, name: str, folder: Path, reps: int) -> dict:
    project = work / f"peer-{re.sub(r'[^a-z0-9]+', '-', name.lower())}"
    crds = project / "crds"
    docs = project / "docs"
    crds.mkdir(parents=True)
    docs.mkdir()
    pages = []
    total = 0
    skipped = []
    for file in sorted(folder.iterdir()):
        if not file.is_file() or not file.name.endswith(YAML_SUFFIXES):
            continue
        text = file.read_text(encoding="utf-8")
        count = len(CRD_KIND.findall(text)) if "CustomResourceDefinition" in text else 0
        if count != 1:  # the macro takes exactly one CRD per file
            if count:
                skipped.append(file.name)
            continue
        shutil.copyfile(file, crds / file.name)
        total += len(text.encode("utf-8"))
        page = f"{file.stem}.md"
        (docs / page).write_text(
            f'# {file.stem}\n\n{{{{ crd_viewer("crds/{file.name}") }}}}\n', encoding="utf-8"
        )
        pages.append(page)
    (docs / "index.md").write_text(f"# {name}\n\n{len(pages)} CRDs.\n", encoding="utf-8")
    config = {
        "site_name": f"{name} (mkdocs-crd-viewer)",
        "theme": {"name": "material"},
        "nav": ["index.md", *pages],
        "plugins": ["search", "crd-viewer", {"macros": {"modules": ["mkdocs_crd_viewer.macros"]}}],
    }
    (project / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    entry: dict = {"input": name, "crds": len(pages), "yaml_bytes": total, "skipped": skipped}
    peer, ours = Series(), Series()
    env_note = None
    for rep in range(reps):
        site = project / "site"
        shutil.rmtree(site, ignore_errors=True)
        peer_argv = [str(python), "-m", "mkdocs", "build", "-q", "-f", str(project / "mkdocs.yml")]
        sample = measure([*peer_argv, "-d", str(site)], cwd=project)
        peer.samples.append(sample)
        if sample.rc == 0 and not any(site.glob("*/index.html")):
            env_note = "mkdocs exited 0 but wrote no CRD pages"
        shutil.rmtree(site, ignore_errors=True)
        out = work / "out-peer-crdoc"
        shutil.rmtree(out, ignore_errors=True)
        mine = measure(crdoc_argv("build", crds, out), cwd=work)
        ours.samples.append(mine)
        shutil.rmtree(out, ignore_errors=True)
        log(
            f"  peer {name} [{rep + 1}/{reps}]: mkdocs-crd-viewer {sample.wall:.2f} s "
            f"{sample.rss_kb / 1024:.0f} MiB (rc {sample.rc}); crdoc build {mine.wall:.2f} s "
            f"{mine.rss_kb / 1024:.0f} MiB (rc {mine.rc})"
        )
    entry["peer"], entry["crdoc"] = peer, ours
    if env_note:
        entry["note"] = env_note
    return entry


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
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        affinity = os.cpu_count()
    mem = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB RAM"
    libyaml = "no"
    if getattr(yaml, "__with_libyaml__", False):
        try:
            from yaml import _yaml  # type: ignore[attr-defined]

            libyaml = f"yes (libyaml {_yaml.get_version_string()})"
        except ImportError:
            libyaml = "yes"
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    commit = _git("rev-parse", "--short", "HEAD")
    dirty = _git("status", "--porcelain", "--", "crdoc", "templates")
    return [
        f"- nproc: {affinity}; {mem}; CPU: {cpu or platform.processor() or 'unknown'}",
        f"- OS: {platform.platform()}",
        f"- Python: {platform.python_version()} ({sys.executable})",
        f"- PyYAML: {yaml.__version__}, with libyaml: {libyaml}",
        f"- crdoc: commit {commit or 'unknown'}"
        + (" with uncommitted changes in crdoc/ or templates/" if dirty else ""),
    ]


def _git(*args: str) -> str:
    try:
        done = subprocess.run(
            ["git", "-C", str(REPO), *args], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def command_table(results: list[Result], command: str) -> list[str]:
    lines = [
        "| input | YAML MB | CRDs | floor s | crdoc s | ratio | peak RSS MB | RSS/YAML |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        series = result.series[command]
        if not series.samples:
            continue
        item = result.input
        floor = result.series["floor"].wall
        wall = series.wall
        failed = series.failed
        crdoc_cell = fmt_s(wall)
        if failed is not None:
            crdoc_cell += f" (failed {len(series.samples) - len(series.ok)}×: rc {failed.rc})"
        rss = series.rss_mb
        lines.append(
            f"| {item.name} | {item.yaml_mb:.2f} | {item.crds} | {fmt_s(floor)} | {crdoc_cell} | "
            f"{fmt_ratio(ratio(wall, floor))} | {fmt_s(rss)} | "
            f"{fmt_ratio(ratio(rss, item.yaml_mb))} |"
        )
    return lines


def floor_table(results: list[Result]) -> list[str]:
    lines = [
        "| input | YAML MB | CRD files | CRDs | runs | floor s (median) | floor min–max s | "
        "floor peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        item = result.input
        series = result.series["floor"]
        walls = [s.wall for s in series.ok]
        files = sum(len(i.get("members", [])) or 1 for i in item.crd_files)
        spread = f"{min(walls):.3g}–{max(walls):.3g}" if walls else "—"
        lines.append(
            f"| {item.name} | {item.yaml_mb:.2f} | {files} | {item.crds} | {len(series.samples)} | "
            f"{fmt_s(series.wall)} | {spread} | {fmt_s(series.rss_mb)} |"
        )
    return lines


def growth(small: Result, big: Result) -> tuple[list[str], dict[str, float]]:
    lines = [
        f"| command | s/CRD at {small.input.crds:,} | s/CRD at {big.input.crds:,} | "
        "per-CRD ratio (big/small) | linear within 20%? | peak RSS MB small → big | "
        "RSS ratio (×CRDs " + f"{big.input.crds / small.input.crds:g}) |",
        "|---|---:|---:|---:|---|---:|---:|",
    ]
    ratios: dict[str, float] = {}
    for command in ("floor", *COMMANDS):
        a, b = small.series[command], big.series[command]
        if a.wall is None or b.wall is None:
            continue
        per_a, per_b = a.wall / small.input.crds, b.wall / big.input.crds
        r = per_b / per_a
        ratios[command] = r
        within = "yes" if abs(r - 1) <= 0.2 else "no"
        lines.append(
            f"| {command} | {per_a * 1000:.2f} ms | {per_b * 1000:.2f} ms | {r:.2f} | {within} | "
            f"{fmt_s(a.rss_mb)} → {fmt_s(b.rss_mb)} | {fmt_ratio(ratio(b.rss_mb, a.rss_mb))} |"
        )
    return lines, ratios


def targets(results: list[Result], small: Result | None, big: Result | None) -> list[str]:
    lines = ["| target | measured | met? |", "|---|---|---|"]

    def ratio_target(command: str, limit: float) -> None:
        rows = []
        for result in results:
            r = ratio(result.series[command].wall, result.series["floor"].wall)
            if r is not None:
                rows.append((r, result.input.name))
        if not rows:
            lines.append(f"| `{command}` ≤ {limit:g}× floor | not measured | — |")
            return
        worst = max(rows)
        good = sum(1 for r, _ in rows if r <= limit)
        big_part = ""
        if big is not None:
            rb = ratio(big.series[command].wall, big.series["floor"].wall)
            big_part = f"; {big.input.name}: {fmt_ratio(rb)}"
        met = "met" if good == len(rows) else f"not met ({good} of {len(rows)} inputs within)"
        lines.append(
            f"| `{command}` ≤ {limit:g}× floor (every input) | worst {fmt_ratio(worst[0])} "
            f"({worst[1]}){big_part} | {met} |"
        )

    ratio_target("inspect", 1.3)
    ratio_target("markdown", 3.0)
    if big is not None:
        for command in ("inspect", "markdown"):
            rss = big.series[command].rss_mb
            r = ratio(rss, big.input.yaml_mb)
            met = "—" if r is None else ("met" if r <= 2 else "not met")
            lines.append(
                f"| peak RSS of `{command}` ≤ 2× YAML size ({big.input.name}, "
                f"{big.input.yaml_mb:.0f} MB) | {fmt_s(rss)} MB = {fmt_ratio(r)} | {met} |"
            )
    if small is not None and big is not None:
        _, ratios = growth(small, big)
        for command in ("inspect", "markdown", "docs-only"):
            r = ratios.get(command)
            met = "—" if r is None else ("met" if abs(r - 1) <= 0.2 else "not met")
            lines.append(
                f"| per-CRD time of `{command}` constant within 20% "
                f"({small.input.crds:,} → {big.input.crds:,} CRDs) | "
                f"ratio {'—' if r is None else f'{r:.2f}'} | {met} |"
            )
    return lines


def profile_section(profile: dict | None) -> list[str]:
    if profile is None:
        return ["Not run."]
    if "error" in profile:
        return [f"The profiled run failed: {profile['error']}"]
    total = profile["total"]
    lines = [
        f"`python -m cProfile -m crdoc inspect <{profile['input']}> --format json > /dev/null`: "
        f"{profile['wall']:.1f} s under the profiler, {total:.1f} s of profiled time "
        "(cProfile slows pure-Python code more than C code, so Python shares are overstated).",
        "",
        "By area (sum of tottime):",
        "",
        "| area | tottime s | share |",
        "|---|---:|---:|",
    ]
    for area, tt in profile["areas"][:10]:
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
        where = where.replace("|", "\\|")
        lines.append(f"| {tt:.2f} | {tt / total:.0%} | {ct:.2f} | {calls} | `{where}` |")
    return lines


def peer_section(peer: dict | None) -> list[str]:
    if peer is None:
        return ["Not run (--no-peer)."]
    if "error" in peer:
        return [f"mkdocs-crd-viewer could not be benchmarked: {peer['error']}"]
    versions = ", ".join(f"{k} {v}" for k, v in peer.get("versions", {}).items())
    lines = [
        f"Installed in a separate venv: {versions}. It is a MkDocs plugin plus a "
        "mkdocs-macros macro, `crd_viewer(path)`, that renders one CRD file (exactly one CRD "
        "per file; the storage version only) as an HTML tree, parsing with PyYAML's pure-Python "
        "`SafeLoader`. It has no CLI: the benchmark writes a MkDocs project with one page per "
        "CRD file (`{{ crd_viewer(\"crds/FILE\") }}`), theme material and the search plugin, "
        "and times `mkdocs build`; crdoc's comparable command is `crdoc build CRDS -o DIR` "
        "(full site, every version) on the same files. Whole processes, alternated.",
        "",
        "| input | CRD files | YAML MB | mkdocs-crd-viewer s | crdoc build s | "
        "peer/crdoc | peer RSS MB | crdoc RSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for entry in peer["inputs"]:
        peer_s, ours = entry["peer"], entry["crdoc"]
        peer_cell = fmt_s(peer_s.wall)
        if peer_s.failed is not None:
            peer_cell += f" (failed: {last_line(peer_s.failed)[:120]})"
        lines.append(
            f"| {entry['input']} | {entry['crds']} | {entry['yaml_bytes'] / MB:.2f} | "
            f"{peer_cell} | {fmt_s(ours.wall)} | {fmt_ratio(ratio(peer_s.wall, ours.wall))} | "
            f"{fmt_s(peer_s.rss_mb)} | {fmt_s(ours.rss_mb)} |"
        )
        if entry.get("skipped"):
            lines.append(f"| ↳ left out (several CRDs per file) | {', '.join(entry['skipped'])} |")
        if entry.get("note"):
            lines.append(f"| ↳ note | {entry['note']} |")
    return lines


def write_report(
    out: Path,
    *,
    args: argparse.Namespace,
    results: list[Result],
    small: Result | None,
    big: Result | None,
    profile: dict | None,
    peer: dict | None,
    started: float,
    notes: list[str],
    loads: tuple[str, str],
) -> None:
    lines = [
        "# crdoc benchmark results",
        "",
        f"Generated by `bench/run.py{' --quick' if args.quick else ''}` on "
        f"{dt.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')} in "
        f"{(time.monotonic() - started) / 60:.1f} min.",
        "",
        "## Machine",
        "",
        *machine_info(),
        f"- load average at start / end: {loads[0]} / {loads[1]} (a shared machine: compare "
        "ratios, not seconds)",
        "",
        "## Method",
        "",
        "Every number is a whole process (interpreter start-up and imports included), run from "
        f"`{sys.executable}`; time is wall-clock, the median of the runs; peak RSS is the "
        "child's `ru_maxrss` (from `wait4`), the largest over its runs. The **floor** of an "
        "input is a process that reads that input's CRD YAML files (archive members in memory) "
        "and parses each with `yaml.load_all(text, Loader=yaml.CSafeLoader)` (plus a "
        "constructor for `tag:yaml.org,2002:value`), keeping nothing; whole-line template "
        "actions (`{{- if … }}`) are blanked first. Floor runs bracket the crdoc runs of the "
        "same repetition; a ratio is crdoc's median over the floor's median from this run. "
        "\"YAML MB\" is the size of the CRD files (10⁶ bytes, archives unpacked); RSS/YAML is "
        "peak RSS over that size. The scaled inputs are charts whose `crds/` hold corpus CRD "
        "documents copied under renamed groups (`gKKKK.<group>`, `metadata.name` to match), "
        f"{'/'.join(map(str, FILE_SIZES))} CRDs per file in turn; the larger one holds the "
        "smaller one's content several times over, so per-CRD time should stay constant.",
        "",
    ]
    lines += [f"- {note}" for note in notes]
    if notes:
        lines.append("")
    lines += ["## Floor", "", *floor_table(results), ""]
    for command in COMMANDS:
        lines += [f"## `{COMMAND_TITLES[command]}`", "", *command_table(results, command), ""]
    lines += ["## Growth", ""]
    if small is not None and big is not None:
        lines += [*growth(small, big)[0], ""]
    else:
        lines += ["Scaled inputs not measured.", ""]
    lines += ["## Targets", "", *targets(results, small, big), ""]
    lines += ["## Where the time goes", "", *profile_section(profile), ""]
    lines += ["## Peer: mkdocs-crd-viewer", "", *peer_section(peer), ""]
    lines += ["## Raw samples", "", "<details><summary>every run (s, MB)</summary>", ""]
    for result in results:
        for name, series in result.series.items():
            if series.samples:
                runs = ", ".join(
                    f"{s.wall:.2f} s/{s.rss_kb * 1024 / MB:.0f}"
                    + ("" if s.rc == 0 else f" rc={s.rc}")
                    for s in series.samples
                )
                lines.append(f"- {result.input.name} {name}: {runs}")
    lines += ["", "</details>", ""]
    failures = [
        f"- {result.input.name} {name}: {last_line(series.failed)}"
        for result in results
        for name, series in result.series.items()
        if series.failed is not None
    ]
    if failures:
        lines += ["## Failures", "", *failures, ""]
    out.write_text("\n".join(lines), encoding="utf-8")


# --------------------------------------------------------------------------------------------
# Main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="100/400 CRDs, one repetition")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="corpus folder")
    parser.add_argument("--out", type=Path, default=BENCH / "RESULTS.md", help="report file")
    parser.add_argument("--no-peer", action="store_true", help="skip mkdocs-crd-viewer")
    parser.add_argument("--no-profile", action="store_true", help="skip the cProfile run")
    args = parser.parse_args(argv)

    started = time.monotonic()
    load_start = " ".join(f"{x:.2f}" for x in os.getloadavg())
    check = subprocess.run([sys.executable, "-m", "crdoc", "--version"], capture_output=True)
    if check.returncode != 0:
        log(f"crdoc is not importable by {sys.executable}: run this with crdoc's venv python")
        return 2
    sizes = (100, 400) if args.quick else (500, 2000)
    small_reps, big_reps, corpus_reps = (1, 1, 1) if args.quick else (2, 1, 3)
    notes: list[str] = []

    with tempfile.TemporaryDirectory(prefix="crdoc-bench-") as tmp:
        work = Path(tmp)
        inputs: list[Input] = []
        entries: list[Path] = []
        if args.corpus.is_dir():
            entries = corpus_entries(args.corpus)
            for entry in entries:
                spec, total, count, _ = crd_files_of(entry)
                if not count:
                    log(f"corpus entry {entry.name}: no CRD files, skipped")
                    continue
                inputs.append(
                    Input(entry.name, entry, "corpus", spec, total, count, corpus_reps, True)
                )
            log(f"corpus {args.corpus}: {len(inputs)} entries")
        else:
            message = f"corpus not found at {args.corpus}: corpus entries and scaled inputs skipped"
            log(message)
            notes.append(message)

        scaled: list[Input] = []
        if entries:
            t0 = time.perf_counter()
            templates = scaled_templates(args.corpus, entries)
            template_bytes = sum(len(t.text.encode()) for t in templates)
            log(
                f"scaled inputs from {len(templates)} corpus CRD documents "
                f"({template_bytes / MB:.1f} MB)"
            )
            for count, reps in zip(sizes, (small_reps, big_reps), strict=True):
                item = generate_scaled(work, count, templates, reps, pattern=sizes[0])
                item.full_build = count == sizes[0]
                scaled.append(item)
                log(f"  generated {item.name}: {item.yaml_mb:.1f} MB in {item.notes[0]}")
            notes.append(
                f"Scaled inputs: {len(templates)} plain corpus CRD documents "
                f"({template_bytes / MB:.1f} MB; cloudnative-pg's templated file left out) "
                "copied round-robin; "
                + "; ".join(f"{i.name}: {i.yaml_mb:.1f} MB in {i.notes[0]}" for i in scaled)
                + f" (generated in {time.perf_counter() - t0:.1f} s)."
            )
            inputs += scaled

        results: list[Result] = []
        for number, item in enumerate(inputs, 1):
            log(f"[{number}/{len(inputs)}] {item.name}: {item.yaml_mb:.2f} MB, {item.crds} CRDs")
            results.append(run_input(item, work, work / "floor-spec.json"))
            if item.kind == "scaled" and results[-1].reported_crds not in (None, item.crds):
                notes.append(
                    f"{item.name}: crdoc reported {results[-1].reported_crds} CRDs, "
                    f"expected {item.crds}."
                )
        for result in results:
            reported = result.reported_crds
            if reported is not None and reported != result.input.crds:
                message = (
                    f"{result.input.name}: crdoc reported {reported} CRDs; the text count of "
                    f"CustomResourceDefinition documents is {result.input.crds}"
                )
                if message not in notes:
                    notes.append(message)

        small_result = next((r for r in results if r.input is scaled[0]), None) if scaled else None
        big_result = next((r for r in results if r.input is scaled[-1]), None) if scaled else None

        profile = None
        if not args.no_profile and big_result is not None:
            log(f"profiling crdoc inspect on {big_result.input.name}")
            profile = profile_inspect(big_result.input, work)
            if "error" not in profile:
                log(f"  profiled run: {profile['wall']:.1f} s")

        peer = None
        if not args.no_peer:
            sources = []
            if args.corpus.is_dir():
                for name in ("gateway-api-standard", "traefik"):
                    if (args.corpus / name).is_dir():
                        folder = args.corpus / name
                        if (folder / "crds").is_dir():
                            folder = folder / "crds"
                        sources.append((name, folder))
            if sources:
                peer = peer_benchmark(work, sources, 1 if args.quick else 3)
            else:
                peer = {"error": "no corpus input to run it on"}

        loads = (load_start, " ".join(f"{x:.2f}" for x in os.getloadavg()))
        args.out.parent.mkdir(parents=True, exist_ok=True)
        write_report(
            args.out,
            args=args,
            results=results,
            small=small_result,
            big=big_result,
            profile=profile,
            peer=peer,
            started=started,
            notes=notes,
            loads=loads,
        )
    log(f"wrote {args.out} after {(time.monotonic() - started) / 60:.1f} min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
