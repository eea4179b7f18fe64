"""Fetching subcharts a chart declares but does not vendor in ``charts/`` (``--dependencies``),
as ``helm dependency build`` would: from the ``https://`` repository each one names (its
``index.yaml``, the highest version satisfying the constraint by Masterminds' rules, relative
chart URLs resolved against the repository), or from a ``file://`` folder next to the chart.

Downloads go through :func:`crdoc.loading.downloads.download` (``https`` only unless
``--allow-http``, bounded in time and size); archives are read in memory like any other.
``oci://`` registries and repositories named from the user's Helm configuration (``@name``,
``alias:name``) are not read: the error says so, and that ``helm dependency build`` vendors
them.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from crdoc.errors import CrdocError
from crdoc.loading.downloads import download
from crdoc.loading.helm.semver import highest_matching
from crdoc.loading.limits import Limits

_BaseLoader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)

#: Most subcharts fetched for one source (each may declare more).
MAX_FETCHED = 100


@dataclass(frozen=True, slots=True)
class Fetched:
    """A subchart found for a declared dependency: a downloaded archive or a local folder."""

    label: str
    """How its files are labelled (the archive's URL, or the folder relative to the source)."""
    data: bytes | None = None
    folder: Path | None = None


class Repositories:
    """Repository indexes read once per load."""

    def __init__(self, limits: Limits, allow_http: bool) -> None:
        self.limits = limits
        self.allow_http = allow_http
        self._indexes: dict[str, dict[str, Any]] = {}

    def index(self, repository: str) -> dict[str, Any]:
        """A repository's ``entries`` (one URL with or without a final ``/`` is one
        repository, as Helm compares them)."""
        key = repository.rstrip("/")
        if key not in self._indexes:
            url = resolve_url(repository, "index.yaml")
            data = download(url, limits=self.limits, allow_http=self.allow_http)
            self._indexes[key] = _read_index(data, url)
        return self._indexes[key]


def resolve_url(repository: str, reference: str) -> str:
    """A chart or index URL as Helm's ``ResolveReferenceURL`` makes it: relative to the
    repository URL (taken as a folder), the repository's query string kept."""
    base = urllib.parse.urlsplit(repository)
    folder = base._replace(path=base.path.rstrip("/") + "/", query="", fragment="")
    resolved = urllib.parse.urljoin(urllib.parse.urlunsplit(folder), reference)
    if base.query:
        parts = urllib.parse.urlsplit(resolved)
        resolved = urllib.parse.urlunsplit(parts._replace(query=base.query))
    return resolved


def _read_index(data: bytes, url: str) -> dict[str, Any]:
    try:
        # Every scalar as written: version 1.10 must stay "1.10".
        index = yaml.load(data.decode("utf-8-sig", errors="replace"), Loader=_BaseLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise CrdocError(
            "invalid repository index", path=url, line=mark.line + 1 if mark else None
        ) from None
    if not isinstance(index, dict) or not isinstance(index.get("entries"), dict):
        raise CrdocError("repository index has no 'entries'", path=url)
    entries: dict[str, Any] = index["entries"]
    return entries


def fetch(
    dependency: Any,
    *,
    chart_where: str,
    chart_folder: Path | None,
    source_folder: Path | None,
    repositories: Repositories,
) -> Fetched:
    """The subchart ``dependency`` (a :class:`crdoc.loading.sources.Dependency`) names.
    ``chart_folder`` is the declaring chart's folder on disk (``None`` inside an archive)."""
    where = chart_where.rstrip("/") + "/Chart.yaml"
    line = dependency.line
    repository = (dependency.repository or "").strip()
    name = dependency.name
    constraint = dependency.version or "*"
    if not repository:
        raise CrdocError(
            f"subchart {name} names no repository and is not in charts/: vendor it there "
            "('helm dependency build')",
            path=where,
            line=line,
        )
    if repository.startswith("oci://"):
        raise CrdocError(
            f"subchart {name}: OCI registries ({repository}) are not supported by "
            "--dependencies; run 'helm dependency build' to vendor it into charts/",
            path=where,
            line=line,
        )
    if repository.startswith(("@", "alias:")):
        raise CrdocError(
            f"subchart {name}: repository {repository} is a name from your Helm configuration, "
            "which --dependencies does not read; run 'helm dependency build' to vendor it "
            "into charts/",
            path=where,
            line=line,
        )
    if repository.startswith("file://"):
        return _local(dependency, repository, constraint, where, chart_folder, source_folder)
    scheme = urllib.parse.urlsplit(repository).scheme
    if scheme not in ("https", "http"):
        raise CrdocError(
            f"subchart {name}: repository {repository!r} is not an https:// URL",
            path=where,
            line=line,
        )
    entries = repositories.index(repository)
    versions = [v for v in entries.get(name) or [] if isinstance(v, dict)]
    by_version = {str(v.get("version")): v for v in versions if v.get("version") and v.get("urls")}
    try:
        chosen = highest_matching(constraint, list(by_version))
    except ValueError as exc:
        raise CrdocError(f"subchart {name}: {exc}", path=where, line=line) from None
    if chosen is None:
        raise CrdocError(
            f"subchart {name}: no version in {repository} satisfies {constraint!r}",
            path=where,
            line=line,
        )
    urls = by_version[chosen]["urls"]
    first = urls[0] if isinstance(urls, list) and urls else urls
    url = resolve_url(repository, str(first))
    data = download(url, limits=repositories.limits, allow_http=repositories.allow_http)
    return Fetched(label=url, data=data)


def _local(
    dependency: Any,
    repository: str,
    constraint: str,
    where: str,
    chart_folder: Path | None,
    source_folder: Path | None,
) -> Fetched:
    name = dependency.name
    target = repository[len("file://") :]
    if chart_folder is None:
        raise CrdocError(
            f"subchart {name}: {repository} is relative to a chart folder, and this chart is "
            "in an archive; vendor it into charts/",
            path=where,
            line=dependency.line,
        )
    folder = Path(target) if Path(target).is_absolute() else chart_folder / target
    if not (folder / "Chart.yaml").is_file():
        raise CrdocError(
            f"subchart {name}: no chart at {repository} ({folder})",
            path=where,
            line=dependency.line,
        )
    try:
        manifest = yaml.load((folder / "Chart.yaml").read_text(encoding="utf-8-sig"), _BaseLoader)
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        manifest = None
    version = str(manifest.get("version")) if isinstance(manifest, dict) else ""
    try:
        matching = highest_matching(constraint, [version]) if version else None
    except ValueError as exc:
        raise CrdocError(f"subchart {name}: {exc}", path=where, line=dependency.line) from None
    if matching is None:
        raise CrdocError(
            f"subchart {name}: {repository} holds version {version or '(none)'}, which does not "
            f"satisfy {constraint!r}",
            path=where,
            line=dependency.line,
        )
    label = str(folder)
    if source_folder is not None:
        import os

        label = Path(os.path.relpath(folder, source_folder)).as_posix()
    return Fetched(label=label, folder=folder)
