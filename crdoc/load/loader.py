"""From a source to a :class:`~crdoc.model.Catalog`: every CRD of every file, checked and merged."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from crdoc.errors import CrdocError, raise_collected
from crdoc.load.crds import crd_manifests, read_crd
from crdoc.load.limits import Limits
from crdoc.load.schema import Sharing, sharing
from crdoc.load.sources import SourceFile, looked_at, open_source
from crdoc.load.templating import neutralise
from crdoc.load.yamlio import CRD_MARKER, Document, crd_documents, decode, line_of
from crdoc.model import Catalog, Crd


@dataclass(frozen=True, slots=True, kw_only=True)
class LoadOptions:
    """How a source is read."""

    skip_invalid: bool = False
    """Report malformed files and CRDs as warnings and document the rest."""
    allow_http: bool = False
    """Accept plain ``http://`` URLs."""
    limits: Limits = field(default_factory=Limits)
    workers: int | None = None
    """Processes reading files at once (default: one per core; used for big inputs only)."""
    allow_empty: bool = False
    """Accept a source without any CRD (otherwise an error saying what was read)."""


def load(
    source: str | Path,
    options: LoadOptions = LoadOptions(),
    *,
    progress: Callable[[Iterable[SourceFile]], Iterable[SourceFile]] | None = None,
) -> Catalog:
    """Read every CRD in ``source``. Problems are collected over all files and raised once as
    :class:`CrdocError` (or logged, with ``skip_invalid``). ``progress`` may wrap the file list."""
    # Loading builds millions of small containers and no reference cycles: the cyclic garbage
    # collector would rescan them all again and again (about 45% of the time on big inputs).
    collecting = gc.isenabled()
    gc.disable()
    try:
        with sharing() as share:
            return _load(source, options, progress, share)
    finally:
        if collecting:
            gc.enable()


def _load(
    source: str | Path,
    options: LoadOptions,
    progress: Callable[[Iterable[SourceFile]], Iterable[SourceFile]] | None,
    share: Sharing,
) -> Catalog:
    opened = open_source(source, limits=options.limits, allow_http=options.allow_http)
    files: Iterable[SourceFile] = opened.files if progress is None else progress(opened.files)
    found: dict[str, Crd] = {}
    where: dict[str, str] = {}  # CRD key → where its first copy was found, for messages
    errors: list[CrdocError] = []
    # Results come back in file order, whether read here or in worker processes, so the
    # merge below (and so the output) is the same either way.
    results = _read_all(opened.files, options, share)
    for file, (crds, file_errors) in zip(files, results, strict=True):
        errors.extend(file_errors)
        for crd in crds:
            try:
                _merge(found, crd, where.setdefault(crd.key, file.where), file.where)
            except CrdocError as error:
                errors.append(error)
    if options.skip_invalid:
        if errors:
            import logging  # here: only skipped problems are logged

            log = logging.getLogger("crdoc")
            for error in errors:
                log.warning("skipped: %s", error.located())
    else:
        raise_collected(errors)
    crds = tuple(found[key] for key in sorted(found, key=lambda k: tuple(k.split("/", 1))))
    if not crds and not options.allow_empty:
        skipped = f"; {len(errors)} problems skipped" if errors else ""
        raise CrdocError(
            f"no CustomResourceDefinition found in {source}: {looked_at(opened)}{skipped} "
            "(--allow-empty accepts a source without CRDs)"
        )
    return Catalog(
        source=str(source),
        chart=opened.chart,
        crds=crds,
        warnings=tuple(error.located() for error in errors),
    )


#: Below this many bytes of input, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 16 * 1024 * 1024

FileResult = tuple[list[Crd], list[CrdocError]]


def _read_all(
    files: tuple[SourceFile, ...], options: LoadOptions, share: Sharing
) -> Iterator[FileResult]:
    """Each file's CRDs and problems, in file order: in a process pool (one worker per core)
    for big inputs, here otherwise. Workers share equal facts within their own results only;
    what they send back is shared again here, across all of them."""
    workers = options.workers or os.cpu_count() or 1
    big = sum(file.size for file in files) >= PARALLEL_THRESHOLD
    if workers < 2 or len(files) < 2 or not big:
        yield from (_read_one(file, options) for file in files)
        return
    # Imported here: they cost start-up time that small inputs never need.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    with ProcessPoolExecutor(max_workers=min(workers, len(files)), mp_context=context) as pool:
        for crds, errors in pool.map(_read_one, files, [options] * len(files)):
            for crd in crds:
                for version in crd.versions:
                    for item in version.fields:
                        share.field(item)
            yield crds, errors


def _read_one(file: SourceFile, options: LoadOptions) -> FileResult:
    """One file's CRDs and problems (a worker's job: errors come back as data)."""
    errors: list[CrdocError] = []
    try:
        crds = read_file(file, options.limits, errors if options.skip_invalid else None)
    except CrdocError as error:
        return [], [error]
    return crds, errors


def read_file(
    file: SourceFile, limits: Limits, crd_errors: list[CrdocError] | None = None
) -> list[Crd]:
    """The CRDs in one file. A templated file is read with every ``if``/``else`` branch kept;
    when that does not parse, or gives one CRD twice with different content (whole-CRD
    alternatives), it is read again with only the first branch of each.

    With ``crd_errors``, a malformed CRD is reported there and the file's other CRDs are kept;
    without it, the first problem is raised."""
    text = decode(file.read(), file.where)
    if not file.templated or CRD_MARKER not in text:
        return _crds(text, file, limits, crd_errors)
    try:
        crds = _crds(neutralise(text), file, limits, crd_errors)
        if not _has_alternatives(crds):
            return crds
    except CrdocError as error:
        first_error = error
    else:
        first_error = None
    try:
        return _crds(neutralise(text, first_branch=True), file, limits, crd_errors)
    except CrdocError as retry_error:
        # Keeping all branches can itself cause a duplicate key; then the retry's error is the
        # real one.
        if first_error is None or "duplicate key" in first_error.reason:
            raise retry_error from None
        raise first_error from None


def _has_alternatives(crds: list[Crd]) -> bool:
    seen: dict[str, Crd] = {}
    for crd in crds:
        if crd.key in seen and seen[crd.key].versions != crd.versions:
            return True
        seen[crd.key] = crd
    return False


def _crds(
    text: str, file: SourceFile, limits: Limits, crd_errors: list[CrdocError] | None
) -> list[Crd]:
    crds = []
    for document in crd_documents(text, file.where, limits):
        for manifest, keys in crd_manifests(document.data):
            try:
                crds.append(
                    read_crd(
                        manifest,
                        source=file.label,
                        where=file.where,
                        chart=file.chart,
                        line_of=_line_finder(document, keys),
                        max_depth=limits.max_schema_depth,
                    )
                )
            except CrdocError as error:
                if crd_errors is None:
                    raise
                crd_errors.append(error)
    return crds


def _line_finder(document: Document, prefix: tuple[str | int, ...]):
    return lambda keys: line_of(document, (*prefix, *keys))


def _merge(found: dict[str, Crd], crd: Crd, first_where: str, where: str) -> None:
    """Add a CRD; the same one found again adds its source, a different one is an error."""
    existing = found.get(crd.key)
    if existing is None:
        found[crd.key] = crd
        return
    if replace(existing, sources=crd.sources, chart=crd.chart) != crd:
        raise CrdocError(f"CRD {crd.key} differs from the one in {first_where}", path=where)
    found[crd.key] = replace(existing, sources=existing.sources + crd.sources)
