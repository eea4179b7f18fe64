"""Finding the files that may hold CRDs in a source: a chart folder or ``.tgz`` (with nested
subcharts, folders or archives, to any depth), plain YAML/JSON files and folders, or a URL.

A chart is a folder with a ``Chart.yaml``, a ``Chart.template.yaml`` (charts whose
``Chart.yaml`` a release tool writes), or both a ``templates/`` folder and a ``values.yaml``.
In a chart folder, ``.helmignore`` hides files as it does from Helm. Each chart found is a
:class:`ChartSeen`, with what the rest of loading needs of it: its values, its templates and
the files its templates can read through ``.Files``.

Archives are read in memory, never unpacked to disk; member paths that climb out (``..``,
absolute), links and special files are refused. In a folder, links are followed as Helm
follows them (loops and broken links skipped with a warning). Every file is labelled with its
path relative to the source, ``!`` separating an archive from a path inside it.
"""

from __future__ import annotations

import io
import os
import posixpath
import re
import stat
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from crdoc.errors import CrdocError, warn
from crdoc.loading.downloads import download
from crdoc.loading.helm.templating import neutralise
from crdoc.loading.limits import Limits
from crdoc.loading.yamlio import decode
from crdoc.model import ChartInfo

if TYPE_CHECKING:
    from crdoc.loading.helm.guards import Guard

#: The annotations file crdoc looks for beside a chart.
DEFAULT_ANNOTATIONS = "crdoc-annotations.yaml"

_MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
_BaseLoader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)  # libyaml's, when present
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
    """Under a chart's ``templates/`` (or pulled in with ``tpl``): Go-templated YAML."""
    chart: ChartInfo | None
    """The chart it belongs to."""
    path: Path | None = None
    """Where to read it from, for a file on disk."""
    data: bytes | None = None
    """Its content, for a file read from an archive or a download."""
    max_bytes: int = Limits().max_file_bytes
    loose: bool = False
    """Outside any chart: read as a template only when it does not parse as plain YAML (a CRD
    description may hold ``{{ }}`` that is no template)."""
    scope: int | None = None
    """The index of its chart in :attr:`Source.charts` (whose values its conditions read)."""
    guards: tuple[Guard, ...] = ((),)
    """For a file a template pulls in (``.Files.Get``): the conditions under which it does,
    any of them (an empty guard: always)."""
    root_context: bool = True
    """For a file pulled in with ``tpl``: rendered with the chart's top-level context."""
    pulled_by: str | None = None
    """For a file pulled in: the template that does it, ``path:line``."""

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
    """A subchart a ``Chart.yaml`` (or an old chart's ``requirements.yaml``) declares under
    ``dependencies``."""

    name: str
    version: str | None = None
    repository: str | None = None
    alias: str | None = None
    condition: str | None = None
    """Comma-separated values paths: the first that is a boolean enables the subchart."""
    tags: tuple[str, ...] = ()
    line: int | None = None
    """Its line in the file that declares it."""

    @property
    def key(self) -> str:
        """The name its values and templates go by: the alias, else the name."""
        return self.alias or self.name


@dataclass(frozen=True, slots=True)
class ChartSeen:
    """A chart found in a source, with what it declares and what it vendors."""

    where: str
    """Its folder as messages name it."""
    info: ChartInfo
    dependencies: tuple[Dependency, ...] = ()
    subcharts: tuple[str, ...] = ()
    """Names of the charts found in its ``charts/`` (folders and archives)."""
    parent: int | None = None
    """The index of the chart whose ``charts/`` holds it (``None`` for a top-level chart)."""
    declared: Dependency | None = None
    """The parent's ``dependencies`` entry for it (its alias, condition and tags)."""
    manifest: Any = field(default=None, compare=False, repr=False)
    """Its ``Chart.yaml`` as read (``.Chart`` in templates)."""
    tree: Any = field(default=None, compare=False, repr=False)
    """The folder or archive it is in, and its prefix there (``root``)."""
    root: str = ""
    templates: tuple[str, ...] = ()
    """Every file under its ``templates/`` (helpers included), as paths of ``tree``."""
    ignored: Any = field(default=None, compare=False, repr=False)
    """Its ``.helmignore`` rules (a folder's chart), applied to chart-relative paths."""

    @property
    def missing(self) -> tuple[Dependency, ...]:
        """Declared dependencies with no chart of that name in ``charts/``."""
        return tuple(d for d in self.dependencies if d.name not in self.subcharts)

    @property
    def key(self) -> str:
        """The name its values go by in its parent's (its alias, else its name)."""
        return self.declared.key if self.declared is not None else self.info.name

    def files_seen(self) -> list[str]:
        """What ``.Files`` holds for its templates: every file of the chart (chart-relative)
        but ``Chart.yaml``, ``values.yaml`` and the like, ``templates/``, ``charts/`` and what
        ``.helmignore`` hides."""
        names = []
        for rel in self.tree.paths if self.tree is not None else ():
            if not rel.startswith(self.root):
                continue
            name = rel[len(self.root) :]
            if name in _NOT_IN_FILES or name.startswith(("templates/", "charts/")):
                continue
            if self.ignored is not None and self.ignored(name):
                continue
            names.append(name)
        return names

    @property
    def values_file(self) -> str | None:
        """Its ``values.yaml`` as a path of ``tree``, if it has one."""
        rel = self.root + "values.yaml"
        return rel if self.tree is not None and rel in self.tree.known else None


_NOT_IN_FILES = frozenset(
    {
        "Chart.yaml",
        "Chart.lock",
        "values.yaml",
        "values.schema.json",
        "requirements.yaml",
        "requirements.lock",
    }
)


@dataclass(frozen=True, slots=True)
class Source:
    """What a source holds: its top-level chart (if it is one) and its candidate files."""

    label: str
    chart: ChartInfo | None
    files: tuple[SourceFile, ...]
    charts: tuple[ChartSeen, ...] = ()
    """Every chart and subchart found, top first."""


def open_source(
    source: str | Path,
    *,
    limits: Limits = Limits(),
    allow_http: bool = False,
    dependencies: bool = False,
) -> Source:
    """List the files of ``source`` (a path or an ``https://`` URL) that may hold CRDs; with
    ``dependencies``, fetch the subcharts its charts declare but do not vendor."""
    text = str(source)
    if "://" in text:
        data = download(text, limits=limits, allow_http=allow_http)
        name = posixpath.basename(urllib.parse.urlsplit(text).path) or "download"
        opened = _from_bytes(data, name, text, limits)
    else:
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
            opened = Source(text, top, files, tuple(seen))
        else:
            data = _read_file(path, text, limits.max_file_bytes)
            opened = _from_bytes(data, path.name, text, limits)
    if dependencies and any(chart.missing for chart in opened.charts):
        opened = _with_dependencies(opened, limits, allow_http)
    return opened


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
    file = SourceFile(label=name, where=label, templated=False, chart=None, data=data, loose=True)
    return Source(label, None, (file,))


def _with_dependencies(opened: Source, limits: Limits, allow_http: bool) -> Source:
    """The source with the subcharts its charts declare but do not vendor, fetched."""
    from crdoc.loading.helm.dependencies import MAX_FETCHED, Repositories, fetch

    repositories = Repositories(limits, allow_http)
    seen = list(opened.charts)
    files = list(opened.files)
    source_folder = Path(opened.label) if "://" not in opened.label else None
    budget = next((c.tree.budget for c in seen if c.tree is not None), _Budget(limits))
    fetched = 0
    index = 0
    while index < len(seen):  # fetched charts may declare more
        chart = seen[index]
        for dependency in chart.missing:
            fetched += 1
            if fetched > MAX_FETCHED:
                raise CrdocError(f"more than {MAX_FETCHED} subcharts to fetch", path=chart.where)
            folder = None
            if isinstance(chart.tree, _DirTree):
                folder = chart.tree.root / chart.root if chart.root else chart.tree.root
            found = fetch(
                dependency,
                chart_where=chart.where,
                chart_folder=folder,
                source_folder=source_folder,
                repositories=repositories,
            )
            files.extend(_scan_fetched(found, dependency, index, seen, limits, budget))
        if chart.missing:
            declared = tuple(d.name for d in chart.dependencies)
            seen[index] = replace(chart, subcharts=chart.subcharts + declared)
        index += 1
    return Source(opened.label, opened.chart, tuple(files), tuple(seen))


def _scan_fetched(
    found: Any,
    dependency: Dependency,
    parent: int,
    seen: list[ChartSeen],
    limits: Limits,
    budget: _Budget,
) -> list[SourceFile]:
    """The files of a fetched subchart, read as a subchart of ``parent``."""
    if found.folder is not None:
        tree: Any = _DirTree(
            found.folder,
            limits,
            where_prefix=str(found.folder).rstrip("/") + "/",
            label_prefix=found.label.rstrip("/") + "/",
        )
        tree.budget = budget
        roots = [""]
    else:
        tree = _ArchiveTree(
            found.data,
            label=found.label,
            prefix=found.label + "!",
            where_prefix=found.label + "!",
            limits=limits,
            depth=2,
            budget=budget,
        )
        roots = _top_chart_roots(_chart_roots(tree))
        if len(roots) != 1:
            raise CrdocError("not a packaged chart (no single Chart.yaml)", path=found.label)
    files = list(_scan_chart(tree, roots[0], limits, 2, seen, parent, dependency))
    for file in files:
        if file.path is not None:
            budget.spend(file.size, file.where)
    return files


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


_USES_FILES = re.compile(rb"\.Files\b")


def files_users(opened: Source) -> frozenset[str]:
    """The templates (helpers too, as ``where``) that use ``.Files``: only those, and
    templates calling their named templates, are evaluated to find the chart files they
    print."""
    found = set()
    for chart in opened.charts:
        if chart.tree is None:
            continue
        for rel in chart.templates:
            try:
                if _USES_FILES.search(chart.tree.read(rel, spend=False)):
                    found.add(chart.tree.where(rel))
            except CrdocError:
                continue
    return frozenset(found)


def _templated(file: SourceFile) -> bool:
    try:
        return b"{{" in file.read()
    except CrdocError:
        return False


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


def _helm_installs(rel: str) -> bool:
    """Whether Helm installs what a ``templates/`` file renders: every file, whatever its
    extension, but partials (``_helpers.tpl``: definitions only) and ``NOTES.txt``."""
    return not posixpath.basename(rel).startswith("_") and not rel.endswith("NOTES.txt")


# -- trees: a folder or an archive, seen as sorted relative posix paths ---------------------------


class _DirTree:
    def __init__(
        self, root: Path, limits: Limits, *, where_prefix: str, label_prefix: str = ""
    ) -> None:
        self.budget = _Budget(limits)
        self.root = root
        self.label_prefix = label_prefix
        self.where_prefix = where_prefix
        self.limits = limits
        self.paths = sorted(_walk_folder(root, limits, where_prefix))
        self.known = frozenset(self.paths)

    def read(self, rel: str, *, spend: bool = True) -> bytes:
        """A file's bytes; counted against the source's budget unless ``spend`` is false (a
        file looked at again)."""
        data = _read_file(self.root / rel, self.where(rel), self.limits.max_file_bytes)
        if spend:
            self.budget.spend(len(data), self.where(rel))  # an archive in the folder
        return data

    def label(self, rel: str) -> str:
        return self.label_prefix + rel

    def where(self, rel: str) -> str:
        return self.where_prefix + rel


def _walk_folder(root: Path, limits: Limits, where_prefix: str) -> Iterator[str]:
    """Every regular file under ``root``, as a relative posix path, links followed as Helm's
    ``loader.LoadDir`` follows them: a link to a file or a folder is read under the link's own
    name, wherever it points (the user's folder is trusted to point where they put it).

    Folders whose name starts with ``.`` are not entered. Two links Helm would fail on are
    skipped with a warning naming them: a link to nothing, and a link to a folder that holds
    it (Helm walks round it until the system refuses the path). Entries reached through links
    count against ``max_archive_members``: links to links can multiply a small folder many
    times over.
    """
    # Folders still to read: its path, its relative prefix, the real paths of it and of the
    # folders above it, and whether it was reached through a link.
    # (folder, its relative path, the real paths of it and the folders above, reached by a link)
    pending: list[tuple[str, str, tuple[str, ...], bool]] = [
        (str(root), "", (os.path.realpath(root),), False)
    ]
    through_links = 0
    while pending:
        folder, prefix, above, linked = pending.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError:
            continue  # unreadable: nothing from it, as from os.walk
        folders: list[tuple[str, str, tuple[str, ...], bool]] = []
        for entry in entries:
            rel = prefix + entry.name
            is_link = entry.is_symlink()
            kind = _link_kind(entry, where_prefix + rel) if is_link else _entry_kind(entry)
            if kind is None:
                continue
            if linked or is_link:
                through_links += 1
                if through_links > limits.max_archive_members:
                    raise CrdocError(
                        f"more than {limits.max_archive_members} files and folders reached "
                        "through links",
                        path=where_prefix.rstrip("/"),
                    )
            if kind == "file":
                yield rel
                continue
            if entry.name.startswith("."):
                continue
            real = os.path.realpath(entry.path) if is_link else os.path.join(above[-1], entry.name)
            if is_link and _holds_any(real, above):
                warn(
                    f"{where_prefix}{rel}: link to {os.readlink(entry.path)!r}, a folder that "
                    "holds the link: not followed"
                )
                continue
            folders.append((entry.path, rel + "/", (*above, real), linked or is_link))
        pending.extend(reversed(folders))  # read in name order


def _entry_kind(entry: os.DirEntry[str]) -> str | None:
    """``"file"`` for a regular file, ``"folder"``, else ``None`` (devices, pipes, sockets)."""
    if entry.is_dir(follow_symlinks=False):
        return "folder"
    return "file" if entry.is_file(follow_symlinks=False) else None


def _link_kind(entry: os.DirEntry[str], where: str) -> str | None:
    """What a link points to, as :func:`_entry_kind` says it; a warning for a broken link."""
    try:
        mode = os.stat(entry.path).st_mode
    except OSError as exc:
        warn(f"{where}: broken link to {os.readlink(entry.path)!r} ({exc.strerror}): skipped")
        return None
    if stat.S_ISDIR(mode):
        return "folder"
    return "file" if stat.S_ISREG(mode) else None


def _holds_any(folder: str, paths: tuple[str, ...]) -> bool:
    """Whether real path ``folder`` is one of ``paths`` or a folder above one of them."""
    inside = folder.rstrip(os.sep) + os.sep
    return any(path == folder or path.startswith(inside) for path in paths)


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
                    # Every file: templates may read any of them through .Files.
                    extracted = archive.extractfile(member)
                    self.members[name] = extracted.read() if extracted else b""
        except CrdocError:
            raise
        except (tarfile.TarError, OSError, EOFError, ValueError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise CrdocError(f"not a readable .tgz archive: {reason}", path=label) from None
        self.paths = sorted(self.members)
        self.known = frozenset(self.paths)

    def read(self, rel: str, *, spend: bool = True) -> bytes:
        return self.members[rel]  # counted when the archive was read

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

#: The files that make a folder a chart (a release tool writes Chart.yaml from the second).
_CHART_FILES = ("Chart.yaml", "Chart.template.yaml")


def _chart_roots(tree: Any) -> list[str]:
    """Folders that are charts, as prefixes ('' for the top, else ending in '/'): a
    ``Chart.yaml`` or ``Chart.template.yaml`` in them, or ``templates/`` beside a
    ``values.yaml``."""
    roots: set[str] = set()
    with_templates: set[str] = set()
    for rel in tree.paths:
        base = posixpath.basename(rel)
        folder = rel[: len(rel) - len(base)]
        if base in _CHART_FILES:
            roots.add(folder)
        parts = rel.split("/")
        for index, part in enumerate(parts[:-1]):
            if part == "templates":
                with_templates.add("".join(f"{p}/" for p in parts[:index]))
    for rel in tree.paths:
        if posixpath.basename(rel) == "values.yaml":
            folder = rel[: -len("values.yaml")]
            if folder in with_templates:
                roots.add(folder)
    return sorted(roots)


def _top_chart_roots(roots: list[str]) -> list[str]:
    return [r for r in roots if not any(r != o and r.startswith(o) for o in roots)]


def _read_chart(tree: Any, root: str) -> ChartInfo:
    return _chart_yaml(tree, root)[0]


def _chart_yaml(tree: Any, root: str) -> tuple[ChartInfo, tuple[Dependency, ...], dict[str, Any]]:
    """A chart's ``Chart.yaml`` (or ``Chart.template.yaml``): what the model keeps, the
    dependencies it declares (or its ``requirements.yaml``), and the whole file."""
    chosen = next((root + name for name in _CHART_FILES if root + name in tree.known), None)
    folder_name = posixpath.basename(tree.where(root).rstrip("/!")) or "chart"
    if chosen is None:  # templates/ and values.yaml only
        return ChartInfo(name=folder_name), (), {"name": folder_name}
    label = tree.where(chosen)
    template = chosen.endswith("Chart.template.yaml")
    node, data = _yaml_with_lines(decode(tree.read(chosen), label), label, templated=template)
    if not isinstance(data, dict):
        data = {}
    name = data.get("name")
    if not isinstance(name, str) or not name or "{{" in name or "TEMPLATED" in name:
        if not template:
            raise CrdocError("Chart.yaml has no 'name'", path=label)
        data["name"] = name = folder_name

    def text(key: str) -> str | None:
        value = data.get(key)
        if value is None or isinstance(value, dict | list):
            return None
        # A Chart.template.yaml's "{{ .Version }}" is for its release tool to fill in.
        return None if template and "{{" in str(value) else str(value)

    info = ChartInfo(
        name=str(name),
        version=text("version"),
        app_version=text("appVersion"),
        description=text("description"),
    )
    declared = data.get("dependencies")
    lines = _item_lines(node, "dependencies")
    if declared is None and root + "requirements.yaml" in tree.known:
        # Charts of apiVersion v1 declare their subcharts in requirements.yaml.
        requirements = tree.where(root + "requirements.yaml")
        source = decode(tree.read(root + "requirements.yaml"), requirements)
        node, extra = _yaml_with_lines(source, requirements)
        declared = extra.get("dependencies") if isinstance(extra, dict) else None
        lines = _item_lines(node, "dependencies")
    items = declared if isinstance(declared, list) else []
    dependencies = tuple(
        _dependency(item, lines[index] if index < len(lines) else None)
        for index, item in enumerate(items)
        if isinstance(item, dict) and isinstance(item.get("name"), str) and item["name"]
    )
    return info, dependencies, data


def _yaml_with_lines(text: str, label: str, *, templated: bool = False) -> tuple[Any, Any]:
    """A chart file's node (for lines) and data, every scalar kept as written (version 0.10
    stays "0.10", as Helm reads it). A templated file that does not parse is neutralised."""
    try:
        loader = _BaseLoader(text)
        try:
            node = loader.get_single_node()
            return node, loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        if templated and "{{" in text:
            return _yaml_with_lines(neutralise(text), label)
        mark = getattr(exc, "problem_mark", None)
        name = posixpath.basename(label.rpartition("!")[2]) or label
        raise CrdocError(
            f"invalid {name}", path=label, line=mark.line + 1 if mark else None
        ) from None


def _item_lines(node: Any, key: str) -> list[int]:
    """The 1-based lines of the items of a top-level list."""
    if not isinstance(node, yaml.MappingNode):
        return []
    for key_node, value in node.value:
        if getattr(key_node, "value", None) == key and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def _dependency(item: dict[str, Any], line: int | None) -> Dependency:
    tags = item.get("tags")
    return Dependency(
        name=str(item["name"]),
        version=_text_or_none(item.get("version")),
        repository=_text_or_none(item.get("repository")),
        alias=_text_or_none(item.get("alias")),
        condition=_text_or_none(item.get("condition")),
        tags=tuple(t for t in tags if isinstance(t, str)) if isinstance(tags, list) else (),
        line=line,
    )


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _scan(
    tree: Any, limits: Limits, depth: int, seen: list[ChartSeen], parent: int | None = None
) -> Iterator[SourceFile]:
    """Every candidate file of a tree: loose YAML/JSON outside charts, then each chart."""
    roots = _top_chart_roots(_chart_roots(tree))
    for rel in tree.paths:
        if any(rel.startswith(root) for root in roots):
            continue
        if rel.endswith(_MANIFEST_SUFFIXES):
            yield _file(tree, rel, templated=False, chart=None, loose=True)
        elif rel.endswith(_ARCHIVE_SUFFIXES):
            yield from _scan_archive(tree, rel, limits, depth, seen, parent)
    for root in roots:
        yield from _scan_chart(tree, root, limits, depth, seen, parent)


def _scan_chart(
    tree: Any,
    root: str,
    limits: Limits,
    depth: int,
    seen: list[ChartSeen],
    parent: int | None = None,
    declared: Dependency | None = None,
) -> Iterator[SourceFile]:
    """A chart's ``crds/`` (plain YAML), ``templates/`` (templated) and ``charts/`` subcharts."""
    chart, dependencies, manifest = _chart_yaml(tree, root)
    if declared is None and parent is not None:
        declared = next((d for d in seen[parent].dependencies if d.name == chart.name), None)
    ignored = _helmignore(tree, root)
    position = len(seen)
    seen.append(
        ChartSeen(
            tree.where(root).rstrip("/!") or tree.where(""),
            chart,
            dependencies,
            parent=parent,
            declared=declared,
            manifest=manifest,
            tree=tree,
            root=root,
            ignored=ignored,
        )
    )
    crds, templates, charts = root + "crds/", root + "templates/", root + "charts/"
    subchart_roots = _top_chart_roots(
        [
            r
            for r in _chart_roots(tree)
            if r.startswith(charts) and r.count("/") == charts.count("/") + 1
        ]
    )
    template_files = []
    for rel in tree.paths:
        if not rel.startswith(root) or (ignored is not None and ignored(rel[len(root) :])):
            continue
        if rel.startswith(crds) and rel.endswith(_MANIFEST_SUFFIXES):
            yield _file(tree, rel, templated=False, chart=chart, scope=position)
        elif rel.startswith(templates):
            template_files.append(rel)
            if _helm_installs(rel):
                yield _file(tree, rel, templated=True, chart=chart, scope=position)
        elif (
            rel.startswith(charts)
            and "/" not in rel[len(charts) :]
            and rel.endswith(_ARCHIVE_SUFFIXES)
        ):
            yield from _scan_archive(tree, rel, limits, depth, seen, position)
    for sub in subchart_roots:
        if ignored is None or not ignored(sub[len(root) :].rstrip("/")):
            yield from _scan_chart(tree, sub, limits, depth, seen, position)
    # The charts read since this one whose folder is this chart's charts/: its subcharts.
    inside = tree.where(charts)
    names = tuple(c.info.name for c in seen[position + 1 :] if c.where.startswith(inside))
    names += tuple(c.info.name for c in seen[position + 1 :] if c.parent == position)
    seen[position] = replace(
        seen[position], subcharts=tuple(dict.fromkeys(names)), templates=tuple(template_files)
    )


def _scan_archive(
    tree: Any,
    rel: str,
    limits: Limits,
    depth: int,
    seen: list[ChartSeen],
    parent: int | None = None,
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
    yield from _scan(inner, limits, depth + 1, seen, parent)


def _file(
    tree: Any,
    rel: str,
    *,
    templated: bool,
    chart: ChartInfo | None,
    loose: bool = False,
    scope: int | None = None,
) -> SourceFile:
    common = {
        "label": tree.label(rel),
        "where": tree.where(rel),
        "templated": templated,
        "loose": loose,
        "scope": scope,
    }
    if isinstance(tree, _DirTree):
        return SourceFile(
            **common, chart=chart, path=tree.root / rel, max_bytes=tree.limits.max_file_bytes
        )
    return SourceFile(**common, chart=chart, data=tree.read(rel))


# -- .helmignore ----------------------------------------------------------------------------------


def _helmignore(tree: Any, root: str) -> Any:
    """The ``.helmignore`` rules of a chart folder, as a test of chart-relative paths (Helm
    applies them when it loads a folder; a packaged chart already lacks what they hide)."""
    if not isinstance(tree, _DirTree):
        return None
    from crdoc.loading.helm.helmignore import HelmIgnore  # here: folder sources only

    rel = root + ".helmignore"
    if rel not in tree.known:
        return HelmIgnore.parse("", rel)
    where = tree.where(rel)
    return HelmIgnore.parse(decode(tree.read(rel), where), where)


def find_default_annotations(source: str) -> Path | None:
    """``crdoc-annotations.yaml`` beside the chart: inside a folder source, next to a file or
    ``.tgz`` source; ``None`` for URLs and when there is none."""
    if "://" in source:
        return None
    path = Path(source)
    folder = path if path.is_dir() else path.parent
    candidate = folder / DEFAULT_ANNOTATIONS
    return candidate if candidate.is_file() else None
