"""Finding the files that may hold CRDs in a source: a chart folder or ``.tgz`` (with nested
subcharts, folders or archives, to any depth), plain YAML/JSON files and folders, or a URL.

Archives are read in memory, never unpacked to disk; member paths that climb out (``..``,
absolute), links and special files are refused. Every file is labelled with its path relative
to the source, ``!`` separating an archive from a path inside it.
"""

from __future__ import annotations

import io
import os
import posixpath
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from crdoc.errors import CrdocError
from crdoc.load.limits import Limits
from crdoc.load.yamlio import decode
from crdoc.model import ChartInfo

#: The annotations file crdoc looks for beside a chart.
DEFAULT_ANNOTATIONS = "crdoc-annotations.yaml"

_MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
_BaseLoader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)  # libyaml's, when present
_TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".tpl")
_ARCHIVE_SUFFIXES = (".tgz", ".tar.gz")
_GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A file that may hold CRDs, read on demand."""

    label: str
    """Its path relative to the source (``charts/sub-1.0.tgz!sub/crds/x.yaml``)."""
    where: str
    """Its path as messages name it: the label with the source in front."""
    templated: bool
    """Under a chart's ``templates/``: Go-templated YAML."""
    chart: ChartInfo | None
    """The chart it belongs to."""
    path: Path | None = None
    """Where to read it from, for a file on disk."""
    data: bytes | None = None
    """Its content, for a file read from an archive or a download."""
    max_bytes: int = Limits().max_file_bytes

    def read(self) -> bytes:
        """The file's bytes (a file on disk is read now, bounded by ``max_bytes``)."""
        if self.data is not None:
            return self.data
        assert self.path is not None
        return _read_file(self.path, self.where, self.max_bytes)

    @property
    def size(self) -> int:
        """Its size in bytes (0 when it cannot be known without reading)."""
        if self.data is not None:
            return len(self.data)
        try:
            return self.path.stat().st_size if self.path else 0
        except OSError:
            return 0


@dataclass(frozen=True, slots=True)
class Dependency:
    """A subchart a ``Chart.yaml`` declares under ``dependencies``."""

    name: str
    version: str | None = None
    repository: str | None = None
    alias: str | None = None


@dataclass(frozen=True, slots=True)
class ChartSeen:
    """A chart found in a source, with what it declares and what it vendors."""

    where: str
    """Its folder as messages name it."""
    info: ChartInfo
    dependencies: tuple[Dependency, ...] = ()
    subcharts: tuple[str, ...] = ()
    """Names of the charts found in its ``charts/`` (folders and archives)."""

    @property
    def missing(self) -> tuple[Dependency, ...]:
        """Declared dependencies with no chart of that name in ``charts/``."""
        return tuple(d for d in self.dependencies if d.name not in self.subcharts)


@dataclass(frozen=True, slots=True)
class Source:
    """What a source holds: its top-level chart (if it is one) and its candidate files."""

    label: str
    chart: ChartInfo | None
    files: tuple[SourceFile, ...]
    charts: tuple[ChartSeen, ...] = ()
    """Every chart and subchart found, top first."""


def open_source(
    source: str | Path, *, limits: Limits = Limits(), allow_http: bool = False
) -> Source:
    """List the files of ``source`` (a path or an ``https://`` URL) that may hold CRDs."""
    text = str(source)
    if "://" in text:
        data = download(text, limits=limits, allow_http=allow_http)
        name = posixpath.basename(urllib.parse.urlsplit(text).path) or "download"
        return _from_bytes(data, name, text, limits)
    path = Path(source)
    if not path.exists():
        raise CrdocError("no such file or folder", path=text)
    if path.is_dir():
        tree = _DirTree(path, limits, where_prefix=text.rstrip("/") + "/")
        charts = _chart_roots(tree)
        top = _read_chart(tree, "") if "" in charts else None
        seen: list[ChartSeen] = []
        files = tuple(_scan(tree, limits, 0, seen))
        for file in files:  # files on disk are read later (maybe in workers): count them now
            if file.path is not None:
                tree.budget.spend(file.size, file.where)
        return Source(text, top, files, tuple(seen))
    data = _read_file(path, text, limits.max_file_bytes)
    return _from_bytes(data, path.name, text, limits)


def _from_bytes(data: bytes, name: str, label: str, limits: Limits) -> Source:
    if data.startswith(_GZIP_MAGIC):
        tree = _ArchiveTree(
            data,
            label=label,
            prefix="",
            where_prefix=label + "!",
            limits=limits,
            depth=1,
            budget=_Budget(limits),
        )
        roots = _top_chart_roots(_chart_roots(tree))
        top = _read_chart(tree, roots[0]) if len(roots) == 1 else None
        seen: list[ChartSeen] = []
        files = tuple(_scan(tree, limits, 1, seen))
        return Source(label, top, files, tuple(seen))
    if name.endswith(_ARCHIVE_SUFFIXES):
        raise CrdocError("not a readable .tgz archive: not gzip-compressed", path=label)
    if not name.endswith(_MANIFEST_SUFFIXES) and "://" not in label:
        raise CrdocError("not a chart, .tgz archive, or YAML/JSON file", path=label)
    file = SourceFile(label=name, where=label, templated=False, chart=None, data=data)
    return Source(label, None, (file,))


def looked_at(opened: Source) -> str:
    """What crdoc read in a source, and hints where a CRD may hide, for "no CRD found"."""
    if not opened.files:
        read = "found no YAML, JSON or template file"
    else:
        kinds = {"crds/": 0, "templates/": 0, "other": 0}
        for file in opened.files:
            inner = file.label.rpartition("!")[2]
            kind = next((k for k in ("crds/", "templates/") if f"{k}" in f"/{inner}"), "other")
            kinds[kind] += 1
        parts = [f"{n} in {k}" if k != "other" else f"{n} other" for k, n in kinds.items() if n]
        plural = "s" if len(opened.files) != 1 else ""
        read = f"read {len(opened.files)} file{plural} ({', '.join(parts)})"
    if opened.charts:
        names = [chart.info.name for chart in opened.charts]
        read += f" of chart {names[0]}"
        if len(names) > 1:
            read += f" and subcharts {', '.join(names[1:])}"
    hints = []
    missing = [d.name for chart in opened.charts for d in chart.missing]
    if missing:
        hints.append(
            f"subcharts declared in Chart.yaml but not in charts/: {', '.join(missing)} "
            "('helm dependency build' vendors them)"
        )
    if not opened.charts and any(_templated(file) for file in opened.files[:200]):
        hints.append(
            "these files are Helm templates but no Chart.yaml was found: give the chart folder"
        )
    return "; ".join([read, *hints])


def _templated(file: SourceFile) -> bool:
    try:
        return b"{{" in file.read()
    except CrdocError:
        return False


def download(url: str, *, limits: Limits, allow_http: bool = False) -> bytes:
    """Fetch a chart over HTTPS (HTTP only when allowed), bounded in time and size."""
    import urllib.request  # here: only URL sources need it

    allowed = ("https", "http") if allow_http else ("https",)
    scheme = urllib.parse.urlsplit(url).scheme
    if scheme not in allowed:
        hint = " (pass --allow-http to accept plain http)" if scheme == "http" else ""
        raise CrdocError(f"only https:// URLs are read{hint}", path=url)

    class _Redirects(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[override]
            if urllib.parse.urlsplit(newurl).scheme not in allowed:
                raise CrdocError(f"refused redirect to {newurl}", path=url)
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    opener = urllib.request.build_opener(_Redirects)
    try:
        # The timeout bounds the whole download, not each read: a server that drips one byte
        # at a time must not hold crdoc for ever.
        deadline = time.monotonic() + limits.download_timeout
        chunks: list[bytes] = []
        received = 0
        with opener.open(url, timeout=limits.download_timeout) as response:
            while received <= limits.max_download_bytes:
                if time.monotonic() > deadline:
                    raise CrdocError("cannot download: timed out", path=url)
                chunk = response.read1(65536)
                if not chunk:
                    break
                chunks.append(chunk)
                received += len(chunk)
        data = b"".join(chunks)
    except CrdocError:
        raise
    except (OSError, ValueError) as exc:
        raise CrdocError(f"cannot download: {exc}", path=url) from None
    if len(data) > limits.max_download_bytes:
        raise CrdocError(f"download larger than {limits.max_download_bytes} bytes", path=url)
    return data


class _Budget:
    """Bytes read from one source so far, against ``max_total_bytes``: shared by the source's
    folder and every archive in it, however deeply nested."""

    def __init__(self, limits: Limits) -> None:
        self.limit = limits.max_total_bytes
        self.spent = 0

    def spend(self, size: int, label: str) -> None:
        self.spent += size
        if self.spent > self.limit:
            raise CrdocError(f"source unpacks to more than {self.limit} bytes", path=label)


# -- trees: a folder or an archive, seen as sorted relative posix paths ---------------------------


class _DirTree:
    def __init__(self, root: Path, limits: Limits, *, where_prefix: str) -> None:
        self.budget = _Budget(limits)
        self.root = root
        self.label_prefix = ""
        self.where_prefix = where_prefix
        self.limits = limits
        real_root = os.path.realpath(root)
        paths = []
        for folder, dirs, names in os.walk(root):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in names:
                full = os.path.join(folder, name)
                # A link may point anywhere on the machine: keep it only inside the source.
                if os.path.islink(full):
                    target = os.path.realpath(full)
                    if os.path.commonpath([real_root, target]) != real_root or not os.path.isfile(
                        target
                    ):
                        continue
                paths.append(Path(os.path.relpath(full, root)).as_posix())
        self.paths = sorted(paths)

    def read(self, rel: str) -> bytes:
        data = _read_file(self.root / rel, self.where(rel), self.limits.max_file_bytes)
        self.budget.spend(len(data), self.where(rel))  # an archive in the folder
        return data

    def label(self, rel: str) -> str:
        return rel

    def where(self, rel: str) -> str:
        return self.where_prefix + rel


class _ArchiveTree:
    def __init__(
        self,
        data: bytes,
        *,
        label: str,
        prefix: str,
        where_prefix: str,
        limits: Limits,
        depth: int,
        budget: _Budget,
    ) -> None:
        if depth > limits.max_archive_depth:
            raise CrdocError(f"archives nested deeper than {limits.max_archive_depth}", path=label)
        self.label_prefix = prefix
        self.where_prefix = where_prefix
        self.members: dict[str, bytes] = {}
        self.budget = budget
        import tarfile  # here: most sources hold no archive, and it is slow to import

        try:
            with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as archive:
                for count, member in enumerate(archive, start=1):
                    if count > limits.max_archive_members:
                        raise CrdocError(
                            f"archive has more than {limits.max_archive_members} entries",
                            path=label,
                        )
                    name = _safe_member_name(member.name, label)
                    if not member.isfile() or name is None:
                        continue  # links, devices and folders hold no CRDs of their own
                    if member.size > limits.max_file_bytes:
                        raise CrdocError(
                            f"archive member {name} is larger than {limits.max_file_bytes} bytes",
                            path=label,
                        )
                    budget.spend(member.size, label)
                    if name.endswith(_MANIFEST_SUFFIXES + _ARCHIVE_SUFFIXES + (".tpl",)):
                        extracted = archive.extractfile(member)
                        self.members[name] = extracted.read() if extracted else b""
        except CrdocError:
            raise
        except (tarfile.TarError, OSError, EOFError, ValueError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise CrdocError(f"not a readable .tgz archive: {reason}", path=label) from None
        self.paths = sorted(self.members)

    def read(self, rel: str) -> bytes:
        return self.members[rel]

    def label(self, rel: str) -> str:
        return self.label_prefix + rel

    def where(self, rel: str) -> str:
        return self.where_prefix + rel


def _safe_member_name(name: str, label: str) -> str | None:
    """The member's normalised path; a path that leaves the archive is an error."""
    normal = posixpath.normpath(name.replace("\\", "/"))
    if (
        name.startswith(("/", "\\"))
        or normal == ".."
        or normal.startswith("../")
        or ":" in normal.split("/")[0]
    ):
        raise CrdocError(f"archive member {name!r} points outside the archive", path=label)
    return None if normal in (".", "") else normal


def _read_file(path: Path, label: str, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise CrdocError(f"file larger than {max_bytes} bytes", path=label)
        return path.read_bytes()
    except OSError as exc:
        raise CrdocError(f"cannot read: {exc.strerror}", path=label) from None


# -- charts ---------------------------------------------------------------------------------------


def _chart_roots(tree: Any) -> list[str]:
    """Folders holding a Chart.yaml, as prefixes ('' for the top, else ending in '/')."""
    return [p[: -len("Chart.yaml")] for p in tree.paths if posixpath.basename(p) == "Chart.yaml"]


def _top_chart_roots(roots: list[str]) -> list[str]:
    return [r for r in roots if not any(r != o and r.startswith(o) for o in roots)]


def _read_chart(tree: Any, root: str) -> ChartInfo:
    return _chart_yaml(tree, root)[0]


def _chart_yaml(tree: Any, root: str) -> tuple[ChartInfo, tuple[Dependency, ...]]:
    """A chart's ``Chart.yaml``: what the model keeps, and the dependencies it declares."""
    label = tree.where(root + "Chart.yaml")
    try:
        # BaseLoader keeps every scalar as written: version 0.10 stays "0.10", as Helm reads it.
        data = yaml.load(decode(tree.read(root + "Chart.yaml"), label), Loader=_BaseLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise CrdocError(
            "invalid Chart.yaml", path=label, line=mark.line + 1 if mark else None
        ) from None
    if not isinstance(data, dict) or not data.get("name"):
        raise CrdocError("Chart.yaml has no 'name'", path=label)

    def text(key: str) -> str | None:
        value = data.get(key)
        return None if value is None else str(value)

    info = ChartInfo(
        name=str(data["name"]),
        version=text("version"),
        app_version=text("appVersion"),
        description=text("description"),
    )
    declared = data.get("dependencies")
    dependencies = tuple(
        Dependency(
            name=str(item["name"]),
            version=_text_or_none(item.get("version")),
            repository=_text_or_none(item.get("repository")),
            alias=_text_or_none(item.get("alias")),
        )
        for item in (declared if isinstance(declared, list) else [])
        if isinstance(item, dict) and isinstance(item.get("name"), str) and item["name"]
    )
    return info, dependencies


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _scan(tree: Any, limits: Limits, depth: int, seen: list[ChartSeen]) -> Iterator[SourceFile]:
    """Every candidate file of a tree: loose YAML/JSON outside charts, then each chart."""
    roots = _top_chart_roots(_chart_roots(tree))
    for rel in tree.paths:
        if any(rel.startswith(root) for root in roots):
            continue
        if rel.endswith(_MANIFEST_SUFFIXES):
            yield _file(tree, rel, templated=False, chart=None)
        elif rel.endswith(_ARCHIVE_SUFFIXES):
            yield from _scan_archive(tree, rel, limits, depth, seen)
    for root in roots:
        yield from _scan_chart(tree, root, limits, depth, seen)


def _scan_chart(
    tree: Any, root: str, limits: Limits, depth: int, seen: list[ChartSeen]
) -> Iterator[SourceFile]:
    """A chart's ``crds/`` (plain YAML), ``templates/`` (templated) and ``charts/`` subcharts."""
    chart, dependencies = _chart_yaml(tree, root)
    position = len(seen)
    seen.append(ChartSeen(tree.where(root).rstrip("/!") or tree.where(""), chart, dependencies))
    crds, templates, charts = root + "crds/", root + "templates/", root + "charts/"
    subchart_roots = _top_chart_roots(
        [
            r
            for r in _chart_roots(tree)
            if r.startswith(charts) and r.count("/") == charts.count("/") + 1
        ]
    )
    for rel in tree.paths:
        if rel.startswith(crds) and rel.endswith(_MANIFEST_SUFFIXES):
            yield _file(tree, rel, templated=False, chart=chart)
        elif rel.startswith(templates) and rel.endswith(_TEMPLATE_SUFFIXES):
            if not posixpath.basename(rel).startswith("_"):  # _helpers.tpl: definitions only
                yield _file(tree, rel, templated=True, chart=chart)
        elif (
            rel.startswith(charts)
            and "/" not in rel[len(charts) :]
            and rel.endswith(_ARCHIVE_SUFFIXES)
        ):
            yield from _scan_archive(tree, rel, limits, depth, seen)
    for sub in subchart_roots:
        yield from _scan_chart(tree, sub, limits, depth, seen)
    # The charts read since this one whose folder is this chart's charts/: its subcharts.
    inside = tree.where(charts)
    names = tuple(c.info.name for c in seen[position + 1 :] if c.where.startswith(inside))
    seen[position] = replace(seen[position], subcharts=names)


def _scan_archive(
    tree: Any, rel: str, limits: Limits, depth: int, seen: list[ChartSeen]
) -> Iterator[SourceFile]:
    label, where = tree.label(rel), tree.where(rel)
    inner = _ArchiveTree(
        tree.read(rel),
        label=where,
        prefix=label + "!",
        where_prefix=where + "!",
        limits=limits,
        depth=depth + 1,
        budget=tree.budget,
    )
    yield from _scan(inner, limits, depth + 1, seen)


def _file(tree: Any, rel: str, *, templated: bool, chart: ChartInfo | None) -> SourceFile:
    common = {"label": tree.label(rel), "where": tree.where(rel), "templated": templated}
    if isinstance(tree, _DirTree):
        return SourceFile(
            **common, chart=chart, path=tree.root / rel, max_bytes=tree.limits.max_file_bytes
        )
    return SourceFile(**common, chart=chart, data=tree.read(rel))


def find_default_annotations(source: str) -> Path | None:
    """``crdoc-annotations.yaml`` beside the chart: inside a folder source, next to a file or
    ``.tgz`` source; ``None`` for URLs and when there is none."""
    if "://" in source:
        return None
    path = Path(source)
    folder = path if path.is_dir() else path.parent
    candidate = folder / DEFAULT_ANNOTATIONS
    return candidate if candidate.is_file() else None
