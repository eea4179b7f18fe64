"""The measured inputs: corpus entries and the scaled inputs generated from their CRDs."""

from __future__ import annotations

import io
import re
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from bench.common import MB, log

#: A CustomResourceDefinition document (also an item of a ``kind: List``).
CRD_KIND = re.compile(r"^\s*kind:\s*[\"']?CustomResourceDefinition[\"']?\s*$", re.MULTILINE)
#: A document marker at the start of a line (as crdoc cuts streams).
DOC_MARKER = re.compile(r"^(?:---|\.\.\.)(?=[ \t\r\n]|$)", re.MULTILINE)
ARCHIVE_SUFFIXES = (".tgz", ".tar.gz")
YAML_SUFFIXES = (".yaml", ".yml", ".json")
#: How many CRDs each generated file holds, in turn ("one CRD per file or a few per file").
FILE_SIZES = (1, 1, 3, 1, 2)
PLACEHOLDER = "\x00"  # never in YAML text: marks where a copy's group prefix goes


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
