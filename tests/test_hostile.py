"""Hostile input, each case generated here with small limits passed through ``LoadOptions``:
crdoc's own limits must trigger (one ``path: message`` line, never a traceback), nothing is
written outside the output folder, nothing from the input becomes markup.

Already covered elsewhere, not repeated here: ``..`` and absolute archive members
(test_sources.test_archive_member_outside_the_archive_is_an_error, also nested), links in chart
folders (test_sources.test_broken_links_and_loops_are_skipped_with_a_warning,
test_links_multiplying_a_folder_are_bounded), the default
alias budget and fixture recursive alias (test_errors.test_alias_bomb, test_broken_file),
default schema depth and 1000-level YAML/JSON (test_errors.test_schema_*), invalid UTF-8 in a
plain file (test_errors.test_invalid_utf8), BOM and CRLF in YAML
(test_sources.test_bom_and_crlf), plain http without --allow-http
(test_sources.test_url_without_allow_http_fails), the hostile render fixture's site
(test_site.test_hostile_*) and a foreign folder under ``crdoc build``
(test_site.test_foreign_folder_is_refused_then_shared_with_clean; every refused place in
test_output).
"""

from __future__ import annotations

import io
import json
import re
import socket
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from conftest import markdown_pages, ragged_tables, serving
from markdown_it import MarkdownIt

from crdoc import CrdocError, Limits, LoadOptions, load
from crdoc.cli import cli
from crdoc.publish.output import MARKER
from crdoc.render.environment import RenderOptions

KIB = 1024
MIB = 1024 * KIB


# -- helpers -------------------------------------------------------------------------------------


def crd(
    group: str = "ok.example.com", plural: str = "oks", kind: str = "Ok", **version: Any
) -> dict:
    """A minimal valid v1 CRD; ``version`` entries replace or add keys of its one version."""
    entry: dict[str, Any] = {
        "name": "v1",
        "served": True,
        "storage": True,
        "schema": {
            "openAPIV3Schema": {
                "type": "object",
                "properties": {"spec": {"type": "object", "description": "The spec."}},
            }
        },
    }
    entry.update(version)
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.{group}"},
        "spec": {
            "group": group,
            "scope": "Namespaced",
            "names": {"kind": kind, "plural": plural, "singular": plural[:-1]},
            "versions": [entry],
        },
    }


def crd_text(**kwargs: Any) -> bytes:
    return yaml.safe_dump(crd(**kwargs), sort_keys=False).encode()


def tar_info(name: str, size: int = 0, kind: bytes = tarfile.REGTYPE, link: str = "") -> Any:
    info = tarfile.TarInfo(name)
    info.size, info.type, info.linkname, info.mtime = size, kind, link, 0
    return info


def tgz(members: list[tuple[str, bytes]], links: list[tuple[str, bytes, str]] = ()) -> bytes:
    """A gzip'd tar in memory: regular ``(name, data)`` members, then ``(name, type, target)``
    link members, every name taken as given."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in members:
            archive.addfile(tar_info(name, len(data)), io.BytesIO(data))
        for name, kind, target in links:
            archive.addfile(tar_info(name, kind=kind, link=target))
    return buffer.getvalue()


def chart_tgz(name: str, files: dict[str, bytes]) -> bytes:
    """A packaged chart ``name`` (everything under ``name/``) with a Chart.yaml and ``files``."""
    members = [(f"{name}/Chart.yaml", f"name: {name}\nversion: 1.0.0\n".encode())]
    return tgz(members + [(f"{name}/{path}", data) for path, data in files.items()])


class _Zeros(io.RawIOBase):
    """``size`` zero bytes, streamed (a bomb is built without holding it in memory)."""

    def __init__(self, size: int) -> None:
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = min(len(buffer), self.left)
        buffer[:count] = bytes(count)
        self.left -= count
        return count


def bomb_tgz(path: Path, sizes: dict[str, int]) -> Path:
    """A chart archive whose members are runs of zero bytes (~1000:1 compression)."""
    with tarfile.open(path, mode="w:gz") as archive:
        data = b"name: bomb\n"
        archive.addfile(tar_info("bomb/Chart.yaml", len(data)), io.BytesIO(data))
        for name, size in sizes.items():
            archive.addfile(tar_info(f"bomb/{name}", size), io.BufferedReader(_Zeros(size)))
    return path


def load_error(source: str | Path, **limits: Any) -> CrdocError:
    """The error loading ``source`` with ``limits`` raises (the test fails if none)."""
    with pytest.raises(CrdocError) as caught:
        load(source, LoadOptions(limits=Limits(**limits)))
    return caught.value


def inspect(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, ["inspect", *map(str, args)], prog_name="crdoc")


def assert_one_error(result: Result, expected: str) -> None:
    """Exit 1, nothing on stdout, exactly ``Error: <expected>`` on stderr, no traceback."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.stdout == ""
    assert result.stderr == f"Error: {expected}\n"


def files_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


# -- archives ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "member",
    ["..\\evil.yaml", "chart\\..\\..\\evil.yaml", "\\evil.yaml", "C:/evil.yaml", "c:evil.yaml"],
    ids=["backslash-dot-dot", "backslash-after-folder", "backslash-absolute", "drive", "drive-rel"],
)
def test_windows_style_member_outside_the_archive(tmp_path: Path, member: str) -> None:
    """Windows spellings of a member that climbs out (backslashes, drive letters) are refused
    like ``../`` (the POSIX spellings are in test_sources)."""
    archive = tmp_path / "evil.tgz"
    archive.write_bytes(tgz([("chart/Chart.yaml", b"name: chart\n"), (member, crd_text())]))
    error = load_error(archive)
    assert error.located() == f"{archive}: archive member {member!r} points outside the archive"


LINKS = [
    ("symlink-absolute", tarfile.SYMTYPE, "{outside}"),
    ("symlink-dot-dot", tarfile.SYMTYPE, "../../../../../../{outside}"),
    ("hardlink-absolute", tarfile.LNKTYPE, "{outside}"),
    ("hardlink-dot-dot", tarfile.LNKTYPE, "../../../../../../{outside}"),
    ("hardlink-inside", tarfile.LNKTYPE, "chart/crds/ok.yaml"),
]


@pytest.mark.parametrize(("kind", "target"), [c[1:] for c in LINKS], ids=[c[0] for c in LINKS])
def test_link_members_are_never_followed(tmp_path: Path, kind: bytes, target: str) -> None:
    """A symlink or hardlink member named like a CRD file is skipped, wherever it points: the CRD
    in the file it names outside the archive is never read, only the archive's own CRD is."""
    outside = tmp_path / "outside.yaml"
    outside.write_bytes(crd_text(group="outside.example.com", plural="secrets", kind="Secret"))
    archive = tmp_path / "links.tgz"
    archive.write_bytes(
        tgz(
            [("chart/Chart.yaml", b"name: chart\n"), ("chart/crds/ok.yaml", crd_text())],
            [("chart/crds/link.yaml", kind, target.format(outside=str(outside).lstrip("/")))],
        )
    )
    catalog = load(archive)
    assert [(c.key, c.sources) for c in catalog.crds] == [
        ("ok.example.com/oks", ("chart/crds/ok.yaml",))
    ]


_WRITES: list[tuple[str, tuple[Any, ...]]] = []
_WATCHING: list[bool] = []
_WRITE_EVENTS = {"os.mkdir", "os.rename", "os.symlink", "os.link", "os.chmod", "shutil.copyfile"}


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if not _WATCHING:
        return
    if (
        event in _WRITE_EVENTS
        or event == "open"
        and len(args) > 1
        and isinstance(args[1], str)
        and set(args[1]) & set("wax+")
    ):
        _WRITES.append((event, args))


def test_archive_is_read_without_writing_anything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inspecting a chart archive with nested subcharts, links and an escaping-looking link
    writes nothing: no file is opened for writing, no folder made (audit hook), the temp folder
    crdoc would use (``tempfile.gettempdir()``, made private here) stays empty, and the files
    beside the archive are unchanged."""
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private_tmp))
    sub = chart_tgz("sub", {"crds/sub.yaml": crd_text(group="sub.example.com", plural="subs")})
    archive = tmp_path / "chart.tgz"
    archive.write_bytes(
        tgz(
            [
                ("chart/Chart.yaml", b"name: chart\n"),
                ("chart/crds/ok.yaml", crd_text()),
                ("chart/charts/sub-1.0.0.tgz", sub),
            ],
            [
                ("chart/crds/evil.yaml", tarfile.SYMTYPE, "../../../../tmp/evil.yaml"),
                ("chart/templates/x.yaml", tarfile.LNKTYPE, "../../x.yaml"),
            ],
        )
    )
    before = files_under(tmp_path)
    if not _WATCHING and _audit not in getattr(sys, "_crdoc_hooks", ()):
        sys.addaudithook(_audit)
        sys._crdoc_hooks = (*getattr(sys, "_crdoc_hooks", ()), _audit)  # type: ignore[attr-defined]
    _WRITES.clear()
    _WATCHING.append(True)
    try:
        result = inspect(archive, "--format", "json", "-q")
    finally:
        _WATCHING.clear()
    assert result.exit_code == 0, result.output
    assert [c["group"] for c in json.loads(result.stdout)["crds"]] == [
        "ok.example.com",
        "sub.example.com",
    ]
    assert _WRITES == []
    assert files_under(tmp_path) == before
    assert list(private_tmp.iterdir()) == []


def test_decompression_bomb_member_over_max_file_bytes(tmp_path: Path) -> None:
    """A member that unpacks to 8 MiB of zeros (an archive of a few KiB) is refused by
    ``max_file_bytes`` (1 MiB) before it is unpacked, naming the member."""
    archive = bomb_tgz(tmp_path / "bomb.tgz", {"crds/big.yaml": 8 * MIB})
    assert archive.stat().st_size < 64 * KIB
    error = load_error(archive, max_file_bytes=MIB)
    assert (
        error.located()
        == f"{archive}: archive member bomb/crds/big.yaml is larger than {MIB} bytes"
    )
    assert "\n" not in str(error.format_message())


def test_decompression_bomb_over_max_total_bytes(tmp_path: Path) -> None:
    """Members each under ``max_file_bytes`` but 5 MiB together are refused by
    ``max_total_bytes`` (4 MiB) — non-CRD files (``values.yaml``, a binary) count too."""
    sizes = {"values.yaml": 2 * MIB, "files/blob.bin": 2 * MIB, "crds/a.yaml": MIB}
    archive = bomb_tgz(tmp_path / "bomb.tgz", sizes)
    error = load_error(archive, max_file_bytes=2 * MIB, max_total_bytes=4 * MIB)
    assert error.located() == f"{archive}: source unpacks to more than {4 * MIB} bytes"


def test_max_total_bytes_counts_nested_archives(tmp_path: Path) -> None:
    """``max_total_bytes`` is "most bytes read from one source in all, archives unpacked":
    two subchart archives of 600 KiB each are 1.2 MiB in all, over a 1 MiB limit."""
    big = b"#" * (600 * KIB)
    archive = tmp_path / "top.tgz"
    archive.write_bytes(
        tgz(
            [
                ("top/Chart.yaml", b"name: top\n"),
                ("top/charts/a.tgz", chart_tgz("a", {"crds/a.yaml": big})),
                ("top/charts/b.tgz", chart_tgz("b", {"crds/b.yaml": big})),
            ]
        )
    )
    error = load_error(archive, max_total_bytes=MIB)
    assert "more than 1048576 bytes" in error.reason


def test_max_total_bytes_counts_files_of_a_folder(tmp_path: Path) -> None:
    """Three 400 KiB YAML files in a folder are 1.2 MiB read from one source, over 1 MiB."""
    for index in range(3):
        (tmp_path / f"f{index}.yaml").write_bytes(b"#" * (400 * KIB))
    error = load_error(tmp_path, max_total_bytes=MIB)
    assert "more than 1048576 bytes" in error.reason


def test_too_many_archive_members(tmp_path: Path) -> None:
    """An archive of 30 entries (folders count) is refused by ``max_archive_members`` (20) —
    crdoc stops at the 21st, it does not list them all first."""
    archive = tmp_path / "many.tgz"
    members = [("chart/Chart.yaml", b"name: chart\n")]
    members += [(f"chart/files/f{n}.txt", b"x") for n in range(29)]
    archive.write_bytes(tgz(members))
    error = load_error(archive, max_archive_members=20)
    assert error.located() == f"{archive}: archive has more than 20 entries"


def nested_archive(levels: int) -> bytes:
    """``c1.tgz`` holding ``c1/charts/c2.tgz`` … down to ``c{levels}``, whose crds/ has a CRD."""
    data = chart_tgz(f"c{levels}", {"crds/deep.yaml": crd_text(group="deep.example.com")})
    for level in range(levels - 1, 0, -1):
        data = chart_tgz(f"c{level}", {f"charts/c{level + 1}.tgz": data})
    return data


def test_archives_at_max_archive_depth_are_read(tmp_path: Path) -> None:
    """Four archives nested (the source archive is depth 1) are read with a limit of 4."""
    archive = tmp_path / "c1.tgz"
    archive.write_bytes(nested_archive(4))
    catalog = load(archive, LoadOptions(limits=Limits(max_archive_depth=4)))
    assert [c.sources for c in catalog.crds] == [
        ("c1/charts/c2.tgz!c2/charts/c3.tgz!c3/charts/c4.tgz!c4/crds/deep.yaml",)
    ]


def test_archives_nested_deeper_than_max_archive_depth(tmp_path: Path) -> None:
    """Five archives nested with a limit of 4: one error naming the limit and the archive that
    crosses it (its full ``!`` path)."""
    archive = tmp_path / "c1.tgz"
    archive.write_bytes(nested_archive(5))
    error = load_error(archive, max_archive_depth=4)
    assert error.located() == (
        f"{archive}!c1/charts/c2.tgz!c2/charts/c3.tgz!c3/charts/c4.tgz!c4/charts/c5.tgz: "
        "archives nested deeper than 4"
    )


def test_deep_nesting_under_a_folder_chart(tmp_path: Path) -> None:
    """Under a chart folder the first archive is depth 1: three nested archives below
    ``charts/`` pass a limit of 3, four do not."""
    chart = tmp_path / "chart"
    (chart / "charts").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("name: chart\n")
    (chart / "charts" / "c1.tgz").write_bytes(nested_archive(3))
    assert len(load(chart, LoadOptions(limits=Limits(max_archive_depth=3))).crds) == 1
    (chart / "charts" / "c1.tgz").write_bytes(nested_archive(4))
    error = load_error(chart, max_archive_depth=3)
    assert error.reason == "archives nested deeper than 3"
    assert error.path.endswith("!c3/charts/c4.tgz")


def test_invalid_utf8_in_an_archive_member(tmp_path: Path) -> None:
    """A member that is not UTF-8 is named by its ``archive!member`` path, line and byte."""
    archive = tmp_path / "chart.tgz"
    bad = b"kind: CustomResourceDefinition\n# caf\xe9\n"
    archive.write_bytes(tgz([("chart/Chart.yaml", b"name: chart\n"), ("chart/crds/x.yaml", bad)]))
    error = load_error(archive)
    assert error.located() == f"{archive}!chart/crds/x.yaml:2: not valid UTF-8 (byte 36)"


# -- YAML ----------------------------------------------------------------------------------------


def laughs(levels: int) -> str:
    """A CRD-looking document whose aliases expand to 10**levels nodes."""
    lines = ["apiVersion: apiextensions.k8s.io/v1", "kind: CustomResourceDefinition"]
    lines.append("l0: &l0 [x, x, x, x, x, x, x, x, x, x]")
    for n in range(1, levels):
        lines.append(f"l{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_over_a_small_max_alias_nodes(tmp_path: Path) -> None:
    """A 10**4-node "billion laughs" (harmless under the default budget) is refused by a
    ``max_alias_nodes`` of 1000, on the line whose node crosses it (line 5, ``l2``)."""
    path = tmp_path / "laughs.yaml"
    path.write_text(laughs(4))
    # Within the default budget it is expanded, then found to be no valid CRD.
    assert load_error(path).reason == "CustomResourceDefinition has no 'spec' mapping"
    error = load_error(path, max_alias_nodes=1000)
    assert error.located() == (
        f"{path}:5: YAML aliases expand this document past 1000 nodes (alias bomb?)"
    )


@pytest.mark.parametrize(
    "text",
    ["a: &a [1, *a]\n", "a: &a {b: *a}\n", "a: &a\n  b:\n    c: [*a]\n", "a: &a {<<: *a}\n"],
    ids=["sequence", "mapping", "block-deep", "merge-key"],
)
def test_recursive_alias(tmp_path: Path, text: str) -> None:
    """A node that contains an alias to itself (any shape, merge key included) is one error
    line, no RecursionError (the fixture case is in test_errors)."""
    path = tmp_path / "loop.yaml"
    path.write_text("apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n" + text)
    error = load_error(path)
    assert error.path == str(path) and error.line is not None
    assert "recursive" in error.reason or "alias" in error.reason, error.reason


def deep_schema(levels: int) -> dict:
    node: dict[str, Any] = {"type": "string"}
    for _ in range(levels):
        node = {"type": "object", "properties": {"a": node}}
    return node


def test_schema_deeper_than_a_small_max_schema_depth(tmp_path: Path) -> None:
    """``max_schema_depth`` 10: a schema of 10 levels (10 fields) is read, 11 is refused (JSON
    source: no line is known, the file is named); no RecursionError."""
    path = tmp_path / "deep.json"
    path.write_text(json.dumps(crd(schema={"openAPIV3Schema": deep_schema(10)})))
    catalog = load(path, LoadOptions(limits=Limits(max_schema_depth=10)))
    assert len(catalog.crds[0].versions[0].fields) == 10
    path.write_text(json.dumps(crd(schema={"openAPIV3Schema": deep_schema(11)})))
    error = load_error(path, max_schema_depth=10)
    assert error.path == str(path)
    assert error.reason == "schema nested deeper than 10 levels"


def test_json_nested_100000_levels(tmp_path: Path) -> None:
    """100,000 nested JSON arrays is one "nested too deeply" error, not a RecursionError."""
    path = tmp_path / "deep.json"
    path.write_text(
        '{"kind": "CustomResourceDefinition", "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    )
    assert load_error(path).located() == f"{path}: JSON nested too deeply"


def test_yaml_nested_100000_levels(tmp_path: Path) -> None:
    """100,000 nested YAML flow sequences is one error line naming the file, no traceback."""
    path = tmp_path / "deep.yaml"
    path.write_text("kind: CustomResourceDefinition\nx: " + "[" * 100_000 + "]" * 100_000 + "\n")
    result = inspect(path)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith(f"Error: {path}:") and result.stderr.count("\n") == 1


def test_duplicate_key_deep_in_a_schema(tmp_path: Path) -> None:
    """A duplicate property deep inside a schema is reported at the repeated key's line."""
    lines = crd_text().decode().splitlines()
    at = next(n for n, line in enumerate(lines) if line.endswith("description: The spec."))
    lines.insert(at + 1, lines[at].replace("The spec.", "Again."))
    path = tmp_path / "dup.yaml"
    path.write_text("\n".join(lines) + "\n")
    line = at + 2
    assert load_error(path).located() == f"{path}:{line}: invalid YAML: duplicate key 'description'"


def test_bom_and_crlf_in_json(tmp_path: Path) -> None:
    """A JSON CRD with a UTF-8 BOM and CRLF line ends is read (YAML is in test_sources)."""
    path = tmp_path / "crd.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(crd(), indent=2).replace("\n", "\r\n").encode())
    assert [c.key for c in load(path).crds] == ["ok.example.com/oks"]


# -- malformed CRDs ------------------------------------------------------------------------------


def _set(path: tuple[str | int, ...], value: Any) -> dict:
    data = crd()
    node: Any = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return data


SCHEMA = ("spec", "versions", 0, "schema", "openAPIV3Schema")
MALFORMED = [
    (
        "properties-string",
        (*SCHEMA, "properties"),
        "spec",
        "'properties' must be a mapping, not a string",
    ),
    (
        "items-string",
        (*SCHEMA, "properties", "spec", "items"),
        "x",
        "'items' must be a schema, not a string",
    ),
    ("required-string", (*SCHEMA, "required"), "spec", "'required' must be a list, not a string"),
    ("spec-list", ("spec",), ["x"], "CustomResourceDefinition has no 'spec' mapping"),
    (
        "names-string",
        ("spec", "names"),
        "oks",
        "CustomResourceDefinition has no 'spec.names' mapping",
    ),
    ("versions-mapping", ("spec", "versions"), {"name": "v1"}, "'versions' must be a list"),
]
TYPE_LIST = pytest.param(
    "type-list",
    (*SCHEMA, "properties", "spec", "type"),
    ["object", "null"],
    "'type' must be a string, not a list",
    id="type-list",
)


def _malformed_file(tmp_path: Path, path: tuple[str | int, ...], value: Any) -> Path:
    file = tmp_path / "bad.yaml"
    file.write_text(yaml.safe_dump(_set(path, value), sort_keys=False))
    return file


def _line_of_key(file: Path, key: str | int) -> int:
    """The 1-based line where the last key of the path is written (block style, unique)."""
    lines = file.read_text().splitlines()
    if key == "openAPIV3Schema" or isinstance(key, int):
        raise AssertionError("unsupported")
    candidates = [n for n, line in enumerate(lines, 1) if line.strip().startswith(f"{key}:")]
    return candidates[-1] if key != "spec" else candidates[0]


@pytest.mark.parametrize(
    ("name", "path", "value", "message"),
    [pytest.param(*case, id=case[0]) for case in MALFORMED] + [TYPE_LIST],
)
def test_malformed_crd_is_one_line_error(
    tmp_path: Path, name: str, path: tuple, value: Any, message: str
) -> None:
    """Each malformed shape is exactly one ``Error: file:line: message`` line, exit 1."""
    file = _malformed_file(tmp_path, path, value)
    error = load_error(file)
    assert error.reason == message
    assert error.path == str(file) and error.line is not None
    if name in ("properties-string", "required-string", "versions-mapping"):
        assert error.line == _line_of_key(file, path[-1])
    assert_one_error(inspect(file), error.located())


@pytest.mark.parametrize(
    ("name", "path", "value", "message"),
    [pytest.param(*case, id=case[0]) for case in MALFORMED] + [TYPE_LIST],
)
def test_malformed_crd_skipped_rest_of_chart_documented(
    tmp_path: Path, name: str, path: tuple, value: Any, message: str
) -> None:
    """With ``--skip-invalid`` the malformed CRD is one warning line and another CRD file of the
    same chart is still documented; exit 0."""
    chart = tmp_path / "chart"
    (chart / "crds").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("name: chart\n")
    (chart / "crds" / "a-bad.yaml").write_text(yaml.safe_dump(_set(path, value), sort_keys=False))
    (chart / "crds" / "b-good.yaml").write_bytes(crd_text(group="good.example.com", plural="goods"))
    result = inspect(chart, "--skip-invalid", "--format", "json")
    assert result.exit_code == 0, result.output
    assert [c["group"] for c in json.loads(result.stdout)["crds"]] == ["good.example.com"]
    warnings = result.stderr.splitlines()
    assert len(warnings) == 1, result.stderr
    assert warnings[0].startswith(f"Warning: skipped: {chart}/crds/a-bad.yaml:")
    assert warnings[0].endswith(message)


# -- output --------------------------------------------------------------------------------------

XSS = [
    "<script>alert('x1')</script>",
    "<img src=x onerror=alert('x2')>",
    "<a href=\"javascript:alert('x3')\">x3</a>",
    "<svg onload=alert('x4')>",
    "[x5](javascript:alert('x5'))",
    "<iframe src=javascript:alert('x6')></iframe>",
]
HOSTILE = " ".join(XSS) + " J1 {{ 7*7 }} J2 {% if true %}J3{% endif %} a|b"


def hostile_crd() -> dict:
    """A valid CRD whose every free-text spot carries HOSTILE (names are validated by crdoc)."""
    spec_field = {
        "type": "object",
        "description": HOSTILE,
        "properties": {
            "<img src=x onerror=alert('x7')>": {"type": "string", "description": HOSTILE},
            "{{ 7*7 }}": {"type": "string", "description": HOSTILE},
            "mode": {
                "type": "string",
                "description": HOSTILE,
                "enum": XSS + ["{{ 7*7 }}"],
                "default": HOSTILE,
                "pattern": HOSTILE,
                "format": HOSTILE,
                "example": HOSTILE,
            },
        },
        "x-kubernetes-validations": [
            {"rule": HOSTILE, "message": HOSTILE, "messageExpression": HOSTILE, "reason": "x"}
        ],
    }
    return crd(
        group="xss.example.com",
        plural="gadgets",
        kind="Gadget",
        additionalPrinterColumns=[
            {"name": HOSTILE, "type": "string", "jsonPath": HOSTILE, "description": HOSTILE}
        ],
        schema={
            "openAPIV3Schema": {
                "type": "object",
                "description": HOSTILE,
                "properties": {"spec": spec_field},
            }
        },
    )


class _Tags(HTMLParser):
    """Every start tag with its attributes, and the text inside <script> elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.script_text: list[str] = []
        self.text: list[str] = []
        self._script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        self._script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = False

    def handle_data(self, data: str) -> None:
        (self.script_text if self._script else self.text).append(data)


def hostile_markup(html: str) -> list[str]:
    """What in ``html`` is markup made from HOSTILE: a tag carrying one of its ``x1``…``x7``
    payloads, an ``on*=`` handler calling alert, a ``javascript:`` URL, a script's text."""
    parser = _Tags()
    parser.feed(html)
    found = []
    for tag, attrs in parser.tags:
        for name, value in attrs:
            value = (value or "").lower()
            if name.startswith("on") and "alert" in value:
                found.append(f"<{tag} {name}={value}>")
            if "javascript:" in value and name in ("href", "src", "action", "formaction", "data"):
                found.append(f"<{tag} {name}={value}>")
        if tag in ("svg", "iframe", "img") and any("alert" in (v or "") for _, v in attrs):
            found.append(f"<{tag}>")
    found += [s for s in parser.script_text if "alert(" in s]
    return found


def build_hostile_site(root: Path, chart_name: str) -> Path:
    """``crdoc build`` of a chart named ``chart_name`` (its version and description hostile)
    holding hostile_crd(); the site folder."""
    chart = root / "chart"
    (chart / "crds").mkdir(parents=True)
    (chart / "Chart.yaml").write_text(
        yaml.safe_dump({"name": chart_name, "version": XSS[1], "description": HOSTILE})
    )
    (chart / "crds" / "gadget.yaml").write_text(yaml.safe_dump(hostile_crd()))
    site = root / "site"
    result = CliRunner().invoke(cli, ["build", str(chart), "-o", str(site), "-q"])
    assert result.exit_code == 0, result.output
    return site


def markup_in_site(site: Path) -> dict[str, list[str]]:
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 2
    found = {str(p.relative_to(site)): hostile_markup(p.read_text(encoding="utf-8")) for p in pages}
    return {k: v for k, v in found.items() if v}


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile site, its chart plainly named ``gadgets``."""
    return build_hostile_site(tmp_path_factory.mktemp("hostile"), "gadgets")


def test_built_site_has_no_markup_from_input(hostile_site: Path) -> None:
    """No HTML page of the site has a tag, event handler, ``javascript:`` URL or script text
    made from chart text: descriptions, property names, enums, defaults, patterns, formats,
    examples, printer columns, CEL rules/messages, the chart's version and description."""
    assert markup_in_site(hostile_site) == {}


def test_built_site_chart_name_is_not_markup(tmp_path: Path) -> None:
    """A Chart.yaml ``name`` of ``<script>alert('x1')</script>`` (Helm does not check it) is
    shown as text in the site title, header and nav, never run as a script."""
    assert markup_in_site(build_hostile_site(tmp_path, XSS[0])) == {}


def test_built_site_shows_jinja_syntax_literally(hostile_site: Path) -> None:
    """``{{ 7*7 }}`` and ``{% if %}`` from chart text are shown as written, never evaluated:
    the page text has ``J1 {{ 7*7 }} J2 {% if true %}J3{% endif %}`` and never ``J1 49 J2``."""
    page = hostile_site / "xss.example.com" / "gadgets-v1.html"
    parser = _Tags()
    parser.feed(page.read_text(encoding="utf-8"))
    text = "".join(parser.text)
    assert "J1 {{ 7*7 }} J2 {% if true %}J3{% endif %}" in text
    assert "J1 49 J2" not in text and "J1 J2" not in text
    assert "<script>alert('x1')</script>" in text  # shown as text


def test_markdown_escapes_table_pipes_and_html() -> None:
    """GitHub Markdown of the hostile CRD: every table row has its header's cell count (the
    printer-column table has ``|`` in every cell's input), and markdown-it finds no HTML but
    crdoc's own: row anchors and the line break after a row's line."""
    from crdoc.model import Catalog  # noqa: PLC0415 - only this test builds a catalog by hand

    path = Path(tempfile.mkdtemp()) / "g.yaml"
    try:
        path.write_text(yaml.safe_dump(hostile_crd()))
        catalog = load(path)
    finally:
        path.unlink()
        path.parent.rmdir()
    assert isinstance(catalog, Catalog)
    md = MarkdownIt("commonmark").enable("table")
    for page in markdown_pages(catalog, RenderOptions(flavour="github")):
        tokens = md.parse(page.text)
        assert ragged_tables(tokens) == [], page.path
        if page.path.endswith("gadgets-v1.md"):
            assert "| Name | Type | JSON path | Description |" in page.text
        html = [
            t.content if t.type == "html_block" else t.content
            for t in tokens
            if t.type == "html_block"
        ] + [c.content for t in tokens if t.children for c in t.children if c.type == "html_inline"]
        for chunk in html:
            for line in chunk.strip().splitlines():
                assert re.fullmatch(r'<a id="[^"<>]*">|</a>|<br>', line), line


def test_markdown_refuses_foreign_folder_and_keeps_it(tmp_path: Path) -> None:
    """``crdoc markdown -o DIR`` into a folder with a file crdoc did not write is refused (one
    error line naming it and the file) and the folder is left byte for byte."""
    source = tmp_path / "crd.yaml"
    source.write_bytes(crd_text())
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("mine")
    result = CliRunner().invoke(cli, ["markdown", str(source), "-o", str(out), "-q"])
    assert_one_error(
        result,
        f"{out}: output folder holds files crdoc did not write (mine.txt); pass --clean to "
        "write beside them (crdoc removes only the files it wrote before), or choose another "
        "folder",
    )
    assert files_under(out) == {"mine.txt"} and (out / "mine.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["crd.yaml", "out"]


def test_failed_render_leaves_previous_output_untouched(tmp_path: Path) -> None:
    """A render that fails (a user template naming an undefined variable) after crdoc wrote
    the folder once leaves that output byte for byte, and no staging folder behind."""
    source = tmp_path / "crd.yaml"
    source.write_bytes(crd_text())
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["markdown", str(source), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    before = {p: (out / p).read_bytes() for p in files_under(out) if (out / p).is_file()}
    assert MARKER in before
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "crd.md.jinja").write_text("# {{ no_such_variable }}\n")
    result = CliRunner().invoke(
        cli, ["markdown", str(source), "-o", str(out), "--templates", str(templates), "-q"]
    )
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert {p: (out / p).read_bytes() for p in files_under(out) if (out / p).is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["crd.yaml", "out", "templates"]


def test_single_file_onto_a_folder_is_one_line_error(tmp_path: Path) -> None:
    """``--single-file -o DIR`` where DIR is an existing folder is one error line; the folder and
    its files are kept."""
    source = tmp_path / "crd.yaml"
    source.write_bytes(crd_text())
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("mine")
    result = CliRunner().invoke(
        cli, ["markdown", str(source), "--single-file", "-o", str(out), "-q"]
    )
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert files_under(out) == {"mine.txt"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["crd.yaml", "out"]


# -- URLs ----------------------------------------------------------------------------------------


@pytest.fixture
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "http_proxy",
        "HTTP_PROXY",
        "https_proxy",
        "HTTPS_PROXY",
        "all_proxy",
        "ALL_PROXY",
    ):
        monkeypatch.delenv(name, raising=False)


class _Handler(BaseHTTPRequestHandler):
    """``/big`` 64 KiB of YAML comments; ``/to-file``, ``/to-ftp`` redirects; ``/drip`` a CRD
    sent one byte every 0.1 s (each wait under the timeout, the whole far over it)."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - the http.server spelling
        if self.path == "/big.yaml":
            body = b"#" * (64 * KIB)
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path.startswith("/to-"):
            target = {
                "/to-file": "file:///etc/passwd",
                "/to-ftp": "ftp://127.0.0.1/x.yaml",
                "/to-data": "data:text/plain,kind",
            }[self.path]
            self.send_response(302)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/drip.yaml":
            body = crd_text()[:30]
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            for byte in body:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.1)
        else:
            self.send_error(404)


@pytest.fixture
def server(no_proxy: None) -> Iterator[str]:
    """A plain-HTTP server on 127.0.0.1 (a thread, stopped at the end); its base URL."""
    with serving(_Handler) as url:
        yield url.rstrip("/")


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ftp://127.0.0.1/x.tgz", "gopher://127.0.0.1/x"],
    ids=["file", "ftp", "gopher"],
)
def test_non_https_url_schemes_are_refused(url: str) -> None:
    """Only https (and http when allowed) is read: other schemes are refused before any I/O,
    even with allow_http."""
    with pytest.raises(CrdocError) as caught:
        load(url, LoadOptions(allow_http=True))
    assert caught.value.located() == f"{url}: only https:// URLs are read"


@pytest.mark.parametrize("target", ["file", "ftp", "data"])
def test_redirect_to_another_scheme_is_refused(server: str, target: str) -> None:
    """An http URL (allowed) that redirects to ``file://``, ``ftp://`` or ``data:`` is refused
    with one error line naming the URL; nothing is read from the target."""
    url = f"{server}/to-{target}"
    with pytest.raises(CrdocError) as caught:
        load(url, LoadOptions(allow_http=True))
    assert caught.value.path == url
    # crdoc's own check (ftp) or urllib's (file, data) refuses it; either way one line.
    assert caught.value.reason.startswith(
        ("refused redirect to ", "cannot download: HTTP Error 302")
    )
    assert "\n" not in caught.value.reason
    if target != "ftp":
        assert caught.value.reason.endswith("is not allowed")


def test_download_over_max_download_bytes(server: str) -> None:
    """A 64 KiB download with ``max_download_bytes`` 1 KiB is refused by that limit."""
    url = f"{server}/big.yaml"
    with pytest.raises(CrdocError) as caught:
        load(url, LoadOptions(allow_http=True, limits=Limits(max_download_bytes=KIB)))
    assert caught.value.located() == f"{url}: download larger than {KIB} bytes"


@pytest.fixture
def silent(no_proxy: None) -> Iterator[str]:
    """A listening socket on 127.0.0.1 that never accepts nor answers; its http URL."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/chart.tgz"
    finally:
        listener.close()


def test_download_timeout_on_a_silent_server(silent: str) -> None:
    """A server that never answers is given up on after ``download_timeout`` (0.5 s): one
    ``cannot download: timed out`` error."""
    with pytest.raises(CrdocError) as caught:
        load(silent, LoadOptions(allow_http=True, limits=Limits(download_timeout=0.5)))
    assert caught.value.located() == f"{silent}: cannot download: timed out"


def test_download_timeout_bounds_a_dripping_server(server: str) -> None:
    """``download_timeout`` is "seconds to wait on a URL before giving up": a server dripping a
    30-byte body one byte per 0.1 s (3 s in all) is given up on with a 0.5 s timeout."""
    url = f"{server}/drip.yaml"
    with pytest.raises(CrdocError) as caught:
        load(url, LoadOptions(allow_http=True, limits=Limits(download_timeout=0.5)))
    assert "timed out" in caught.value.reason


def test_gzip_header_without_tar_over_a_url(server: str) -> None:
    """Sanity of the server helper: a 404 is one ``cannot download`` error naming the URL."""
    url = f"{server}/missing.tgz"
    with pytest.raises(CrdocError) as caught:
        load(url, LoadOptions(allow_http=True))
    assert caught.value.reason.startswith("cannot download: HTTP Error 404")


# -- hostile templates: evaluating a stranger's chart must stay bounded --------------------------

_GATES = """apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gates.hostile.example.com}
spec:
  group: hostile.example.com
  names: {kind: Gate, plural: gates}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema: {openAPIV3Schema: {type: object, properties: {PROPERTY: {type: string}}}}
"""


def _chart(root: Path, files: dict[str, str]) -> Path:
    for name, text in {"Chart.yaml": "apiVersion: v2\nname: h\nversion: 1.0.0\n", **files}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_backtracking_glob_patterns_are_linear(tmp_path: Path) -> None:
    """``*a*a*…b`` against a long name would backtrack for ever in a regular expression; in
    ``.Files.Glob`` and in ``.helmignore`` it is matched in linear time."""
    stars = "*a" * 30 + "*b"
    chart = _chart(
        tmp_path,
        {
            ".helmignore": stars + "\n",
            "files/" + "a" * 200 + ".yaml": _GATES.replace("PROPERTY", "width"),
            "templates/crds.yaml": f'{{{{ range $p, $_ := .Files.Glob "files/{stars}" }}}}'
            "{{ $.Files.Get $p }}{{ end }}\n"
            '{{ range $p, $_ := .Files.Glob "files/*.yaml" }}{{ $.Files.Get $p }}{{ end }}\n',
        },
    )
    started = time.monotonic()
    assert [c.plural for c in load(chart).crds] == ["gates"]
    assert time.monotonic() - started < 10


def test_nesting_past_pythons_stack_is_not_a_traceback(tmp_path: Path) -> None:
    """Parentheses and blocks nested thousands deep, and values nested hundreds deep: the
    templates' conditions are not read (the CRD, defined twice, is then the error of two
    definitions nothing chooses between), never a RecursionError."""
    deep = "(" * 3000 + ".Values.a" + ")" * 3000
    blocks = "{{ if .Values.a }}" * 3000 + "\n" + "{{ end }}" * 3000 + "\n"
    values = "a:\n" + "".join("  " * i + f"  k{i}:\n" for i in range(300)) + "  " * 300 + "  v: 1\n"
    chart = _chart(
        tmp_path,
        {
            "values.yaml": values,
            "templates/a.yaml": f"{{{{- if {deep} }}}}\n"
            + _GATES.replace("PROPERTY", "width")
            + "{{- end }}\n",
            "templates/b.yaml": blocks + _GATES.replace("PROPERTY", "depth"),
        },
    )
    with pytest.raises(CrdocError) as caught:
        load(chart)
    assert caught.value.reason.startswith("CRD hostile.example.com/gates differs from the one")


def test_recursive_named_templates_and_huge_indents_end(tmp_path: Path) -> None:
    """A named template that includes itself, and ``indent`` asked for a billion spaces, end
    as unknown: both definitions stay, and the error says so."""
    chart = _chart(
        tmp_path,
        {
            "templates/_helpers.tpl": '{{- define "loop" }}{{ include "loop" . }}{{- end }}\n',
            "templates/a.yaml": '{{- if eq (include "loop" .) "x" }}\n'
            + _GATES.replace("PROPERTY", "width")
            + "{{- end }}\n",
            "templates/b.yaml": '{{- if eq (indent 1000000000 "x") "x" }}\n'
            + _GATES.replace("PROPERTY", "depth")
            + "{{- end }}\n",
        },
    )
    started = time.monotonic()
    with pytest.raises(CrdocError, match="cannot tell which one Helm installs"):
        load(chart)
    assert time.monotonic() - started < 10
