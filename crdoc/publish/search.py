"""Search that scales: the reference's own compact index, answered inside mkdocs-material's
search box.

mkdocs-material's search builds a lunr index in the browser from every section of every page:
at a few thousand CRDs that is hundreds of MB that no browser loads. crdoc keeps material's
search for the site's other pages and, of a reference page, lets it index only a summary (its
title and the text before its first section). The reference itself goes into
``search/crdoc-index.json`` (``.js`` instead under material's offline plugin, for
``file://``): one row a page (URL, kind, group, version) and the field paths of every page as a
trie of path segments, no descriptions. A small worker (``assets/crdoc/search-worker.js``)
takes the place of material's search worker, runs material's worker inside itself for the
other pages, and answers each query with the reference's hits first — kinds, groups, field
paths (matched whole, by their last segments or by a segment's start) — each linking to the
field's anchor (crdoc.js follows it into a recovered type).

The worker speaks material's worker protocol (``SETUP``/``READY``/``QUERY``/``RESULT``),
unchanged throughout mkdocs-material 9; the browser tests drive it.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from pathlib import Path

log = logging.getLogger("mkdocs.plugins.crdoc")

#: Where the index goes in the site.
INDEX = "search/crdoc-index"


def _b36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    if number == 0:
        return "0"
    out = []
    while number:
        number, rest = divmod(number, 36)
        out.append(digits[rest])
    return "".join(reversed(out))


class CompactIndex:
    """The reference's search index: pages, and field paths as a trie of segment names.

    JSON: ``{"v": 2, "pages": [[url, kind, group, version, nodes]…], "segs": [name…],
    "np": "…", "ns": "…", "anchors": {}}``. Node ``i`` (from 1; 0 is the root) is the path
    ``path(parent) + "." + segs[seg]``; ``np``/``ns`` hold ``i - parent`` and ``seg`` of every
    node, base 36, comma-separated. A page's ``nodes`` are its fields' node ids, sorted, as
    runs: ``gap[+length]`` tokens (base 36), gaps counted from the end of the previous run.
    """

    def __init__(self) -> None:
        self.pages: list[list[str]] = []
        self.segs: dict[str, int] = {}
        self.path_nodes: dict[str, int] = {}
        self.parent: list[int] = [0]
        self.seg: list[int] = [0]

    def _node(self, path: str) -> int:
        node = self.path_nodes.get(path)
        if node is not None:
            return node
        head, dot, name = path.rpartition(".")
        parent = self._node(head) if dot and head else 0
        if not dot:
            name = path
        seg = self.segs.get(name)
        if seg is None:
            seg = self.segs[name] = len(self.segs)
        node = len(self.parent)
        self.parent.append(parent)
        self.seg.append(seg)
        self.path_nodes[path] = node
        return node

    def add_page(self, url: str, kind: str, group: str, version: str, paths: list[str]) -> None:
        """A CRD version's page and the paths of all its fields (links to ``url#path``)."""
        nodes = sorted({self._node(path) for path in paths})
        self.pages.append([url, kind, group, version, _runs(nodes)])

    def to_json(self) -> str:
        count = len(self.parent)
        data = {
            "v": 2,
            "pages": self.pages,
            "segs": list(self.segs),
            "np": ",".join(_b36(i - self.parent[i]) for i in range(1, count)),
            "ns": ",".join(_b36(self.seg[i]) for i in range(1, count)),
            "anchors": {},
        }
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def _runs(nodes: list[int]) -> str:
    out = []
    previous_end = 0
    index = 0
    while index < len(nodes):
        start = nodes[index]
        last = index
        while last + 1 < len(nodes) and nodes[last + 1] == nodes[last] + 1:
            last += 1
        end = nodes[last]
        token = _b36(start - previous_end)
        if end > start:
            token += "+" + _b36(end - start)
        out.append(token)
        previous_end = end
        index = last + 1
    return ",".join(out)


def summary(html: str) -> str:
    """What material's search indexes of a reference page: the title and the text before
    the first section (the CRD's description), not thousands of field rows; of a types page,
    each type's heading and its one line (Kubernetes kind, size, uses) too."""
    cut = html.find("<h2")
    if cut >= 0:
        return html[:cut] + "</div>"
    cut = html.find('<section class="crdoc-type">')
    if cut < 0:
        return html
    heads = "".join(f"{heading}<p>{about}</p>" for heading, about in _TYPE_HEAD.findall(html, cut))
    return html[:cut] + heads + "</div>"


_TYPE_HEAD = re.compile(
    r'<section class="crdoc-type">\s*(<h3 [^>]*>.*?</h3>)\s*'
    r'<details class="crdoc-type-about"><summary>(.*?)</summary>',
    re.S,
)


def install(site: Path, index: CompactIndex, worker: str, *, offline: bool) -> bool:
    """Write the index and put crdoc's worker in the place of material's (which it loads);
    ``False`` when material's worker is not there (another theme: nothing is changed)."""
    workers = site / "assets" / "javascripts" / "workers"
    found = sorted(workers.glob("search.*.min.js")) if workers.is_dir() else []
    if len(found) != 1:
        log.warning("crdoc: mkdocs-material's search worker not found; field paths not searchable")
        return False
    data = index.to_json()
    target = site / INDEX
    target.parent.mkdir(parents=True, exist_ok=True)
    # One copy: a script under material's offline plugin (file:// pages cannot fetch; a
    # worker loads a script from a server as well), JSON otherwise.
    if offline:
        target.with_suffix(".js").write_text("var __crdocIndex = " + data, encoding="utf-8")
    else:
        target.with_suffix(".json").write_text(data, encoding="utf-8")
    worker = worker.replace("__CRDOC_INDEX_SCRIPT__", "true" if offline else "false")
    original = found[0]
    renamed = workers / ("material-" + original.name)
    shutil.move(original, renamed)
    source_map = workers / (original.name + ".map")
    if source_map.exists():
        source_map.unlink()
    original.write_text(worker.replace("__MATERIAL_WORKER__", renamed.name), encoding="utf-8")
    return True
