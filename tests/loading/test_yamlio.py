"""The fast YAML path (``crdoc.loading.yamlio``) against PyYAML's own: tag resolution and data
building.

The loader resolves tags with a first-character table instead of PyYAML's method, and builds
plain data from the composed nodes with its own builder, leaving anything unusual to PyYAML's
constructor. Both must give exactly what PyYAML's method and constructor give with the loader's
resolvers (go-yaml's rules for booleans and numbers; tests/loading/helm/test_helm_oracle.py checks
those against Helm's reader): the same tags for every scalar, and the same data (or the same
error) for every document — checked here on generated scalars and snippets and on every YAML
file of the real-chart corpus.
"""

from __future__ import annotations

import itertools
import math
import random
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import CORPUS, CORPUS_SKIP
from yaml.nodes import MappingNode, ScalarNode, SequenceNode
from yaml.resolver import BaseResolver

from crdoc.errors import CrdocError
from crdoc.loading import yamlio
from crdoc.loading.limits import Limits

YAML_SUFFIXES = (".yaml", ".yml")


def corpus_yaml() -> Iterator[tuple[str, str]]:
    """``(label, text)`` of every YAML file of the corpus, archive members unpacked in memory."""
    if not CORPUS.is_dir():
        pytest.skip(f"corpus {CORPUS} is not here ({CORPUS_SKIP})")
    for path in sorted(CORPUS.rglob("*")):
        if path.name.endswith(YAML_SUFFIXES) and path.is_file():
            yield str(path), path.read_bytes().decode("utf-8-sig", "replace")
        elif path.name.endswith(".tgz") and path.is_file():
            with tarfile.open(path) as archive:
                for member in archive.getmembers():
                    if member.isfile() and member.name.endswith(YAML_SUFFIXES):
                        data = archive.extractfile(member).read()  # type: ignore[union-attr]
                        yield f"{path}!{member.name}", data.decode("utf-8-sig", "replace")


@pytest.fixture(scope="module")
def corpus() -> list[tuple[str, str]]:
    files = list(corpus_yaml())
    assert len(files) > 100  # the corpus's charts: hundreds of files
    return files


# -- tag resolution --------------------------------------------------------------------------


class _Reference(BaseResolver):
    """PyYAML's own resolution (its method), with the loader's resolvers: PyYAML's, but
    go-yaml's rules for booleans and numbers."""

    yaml_implicit_resolvers = yamlio._Loader.yaml_implicit_resolvers


REFERENCE = _Reference()
IMPLICITS = [(True, False), (False, True), (False, False), (True, True)]


def assert_same_tags(values: list[str]) -> None:
    loader = yamlio._Loader("")
    try:
        for value in values:
            for implicit in IMPLICITS:
                got = loader.resolve(ScalarNode, value, implicit)
                assert got == REFERENCE.resolve(ScalarNode, value, implicit), (value, implicit)
        for kind in (MappingNode, SequenceNode):
            for implicit in (True, False):
                assert loader.resolve(kind, None, implicit) == REFERENCE.resolve(
                    kind, None, implicit
                )
    finally:
        loader.dispose()


#: Scalars that YAML 1.1 reads as other than strings, and near misses (split at spaces).
WORD_TEXT = """
yes no true false on off y n null ~ inf nan .inf .nan -.inf +.inf .Inf -.Inf .INF .NaN .NAN .nAn
.iNf << < = == ! & * 0 00 01 08 017 0o17 0x1F 0x 0b101 0b12 1_000 1__0 _1 1_ 1:30 1:30:59 1:60
-1:30 1e3 1.0e3 1.0e+3 1.e-3 1_0.5 .5 ._5 5. -0 +0 -0.0 1.2.3 12:30:45.5 0.1:2 2001-12-14
2001-12-14t21:59:43.10-05:00 21:59:43.10 -5 2002-1-1 +.5 -.5e+3 0x_ 0b 190:20:30 -0x1f
"""
WORDS = [
    *WORD_TEXT.split(),
    "2001-12-15T02:59:43.1Z",
    "2001-12-14 21:59:43.10 -5",
    "1 2",
    "a b",
    "",
    " ",
    "\n",
]


def variants(word: str) -> list[str]:
    """A word as written, in other cases, and with whitespace or a line break around it."""
    forms = {word, word.upper(), word.lower(), word.capitalize(), word.swapcase()}
    return [f"{pre}{form}{post}" for form in forms for pre in ("", " ") for post in ("", "\n", " ")]


def generated_scalars() -> list[str]:
    values = [form for word in WORDS for form in variants(word)]
    alphabet = "0123456789+-._:eExXoObBaAfFnNyYtT~<=!&* \n"
    for length in (1, 2, 3):
        values.extend("".join(chars) for chars in itertools.product(alphabet, repeat=length))
    rng = random.Random(20240611)
    pieces = ["0", "1", "9", "_", ":", ".", "-", "+", "e", "E", "x", "b", "o", "5", "59", "60"]
    pieces += ["inf", "nan", "T", " ", "Z", "2001-", "12", "true", "null", "\t", "yes"]
    for _ in range(30_000):
        values.append("".join(rng.choice(pieces) for _ in range(rng.randint(1, 7))))
    return values


def test_resolve_matches_pyyaml_on_generated_scalars() -> None:
    values = generated_scalars()
    assert len(values) > 80_000
    assert_same_tags(values)


def test_resolve_matches_pyyaml_on_corpus_scalars(corpus: list[tuple[str, str]]) -> None:
    """Every scalar of every corpus file's documents (up to any syntax error: templates), as
    the parser gives it: its value and whether it was plain or quoted."""
    values: set[str] = set()
    events = 0
    loader = yamlio._Loader("")
    try:
        for _label, text in corpus:
            for chunk, _offset in yamlio.split_documents(text):
                try:
                    for event in yaml.parse(chunk, Loader=yaml.CSafeLoader):
                        if isinstance(event, yaml.ScalarEvent):
                            events += 1
                            implicit = event.implicit
                            tag = loader.resolve(ScalarNode, event.value, implicit)
                            assert tag == REFERENCE.resolve(ScalarNode, event.value, implicit)
                            values.add(event.value)
                except yaml.YAMLError:
                    pass
    finally:
        loader.dispose()
    assert events > 200_000
    assert_same_tags(sorted(values))


def test_resolver_table_is_pyyaml_tables() -> None:
    """The first-character table holds the loader's resolvers, in order, and nothing else."""
    resolvers = yamlio._Loader.yaml_implicit_resolvers
    assert None not in resolvers and not yamlio._Loader.yaml_path_resolvers
    assert {key: list(value) for key, value in yamlio._FIRST_CHARACTER.items()} == resolvers
    assert yamlio._Loader.resolve is not BaseResolver.resolve


# -- data ------------------------------------------------------------------------------------


def same(a: Any, b: Any) -> bool:
    """Equal data, types and order included (``True`` is not ``1``), NaN equal to NaN; walked
    with a stack (deep data), each pair of containers once (recursive aliases)."""
    seen: set[tuple[int, int]] = set()
    stack = [(a, b)]
    while stack:
        x, y = stack.pop()
        if type(x) is not type(y):
            return False
        if isinstance(x, float):
            if not ((math.isnan(x) and math.isnan(y)) or x == y):
                return False
        elif isinstance(x, dict | list):
            if (id(x), id(y)) in seen:
                continue
            seen.add((id(x), id(y)))
            if isinstance(x, dict):
                x, y = [*itertools.chain(*x.items())], [*itertools.chain(*y.items())]
            if len(x) != len(y):
                return False
            stack.extend(zip(x, y, strict=True))
        elif x != y:
            return False
    return True


def outcome(text: str, fast: bool, limits: Limits) -> tuple[str, Any]:
    """Every document of ``text`` as (data, line), or the error it gives."""
    try:
        documents = list(yamlio._yaml_documents(text, "f.yaml", 3, limits, fast=fast))
    except CrdocError as error:
        return "error", error.located()
    except Exception as error:  # noqa: BLE001 - a crash must be the same crash
        return "crash", repr(error)
    return "ok", [(document.data, document.line) for document in documents]


@pytest.fixture
def reference(monkeypatch: pytest.MonkeyPatch):
    """The old path: PyYAML's own tag resolution and constructor for every document."""

    def old(text: str, limits: Limits) -> tuple[str, Any]:
        with monkeypatch.context() as patch:
            patch.setattr(yamlio._Loader, "resolve", BaseResolver.resolve)
            return outcome(text, False, limits)

    return old


def assert_same_outcome(text: str, reference, limits: Limits | None = None) -> tuple[str, Any]:
    limits = limits or Limits()
    expected = reference(text, limits)
    got = outcome(text, True, limits)
    assert got[0] == expected[0], (text[:200], got, expected)
    if got[0] == "ok":
        assert len(got[1]) == len(expected[1])
        for (data, line), (old_data, old_line) in zip(got[1], expected[1], strict=True):
            assert line == old_line
            assert same(data, old_data), (text[:200], data, old_data)
    else:
        assert got[1] == expected[1]
    return got


def nested(levels: int) -> str:
    return "kind: CustomResourceDefinition\nx: " + "[" * levels + "]" * levels + "\n"


def block_nested(levels: int) -> str:
    return "".join(f"{'  ' * n}k{n}:\n" for n in range(levels)) + "  " * levels + "leaf\n"


SNIPPETS = [
    # YAML 1.1 scalars, plain and quoted, as keys and values
    "".join(f"k{n}: {w}\n" for n, w in enumerate(WORDS) if w.strip() not in {"!", "&", "*"}),
    "[" + ", ".join(w for w in WORDS if w.strip() and w not in {"!", "&", "*", "<<"}) + "]\n",
    "[" + ", ".join(f"'{w}'" for w in WORDS) + "]\n",
    "[" + ", ".join(f'"{w}"' for w in WORDS) + "]\n",
    "{yes: 1, no: 2, on: 3, off: 4, ~: 5, 0x1F: 6, 1:30: 7, .inf: 8, 2001-12-14: 9}\n",
    "a: yes\nb: No\nc: ON\nd: off\ne: ~\nf: null\ng:\nh: NULL\ni: Null\n",
    "a: 0x1F\nb: 0o17\nc: 017\nd: 1_000\ne: 1:30\nf: -0b101\ng: +12\nh: 08\ni: 0\n",
    "a: .inf\nb: -.Inf\nc: .nan\nd: 1e3\ne: 1_0.5\nf: 1.0e+3\ng: -1:30.5\nh: 6.8523015e+5\n",
    "a: 2001-12-14\nb: 2001-12-14t21:59:43.10-05:00\nc: 2001-12-14 21:59:43.10 -5\n",
    "a: =\nb: '='\n=: c\nd: [=, =]\n",
    "a: !!str 12\nb: !!int '12'\nc: !!float '1'\nd: !!bool 'yes'\ne: !!null ''\nf: ! 12\n",
    "a: |\n  line one\n  line two\nb: >\n  folded\n  text\n\n  para\nc: plain\n  continued\n",
    "a: \"multi\n  line \\t escaped \\u00e9\"\nb: 'it''s\n\n  x'\n",
    "a: &x [1, 2, {b: c}]\nd: *x\ne: *x\n",
    "a: &s scalar\nb: *s\n*s : key-alias\n",
    "- &m {a: 1}\n- *m\n- [*m, *m]\n",
    "base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\n",
    "base: &b {x: 1}\nc: &c {z: 2}\nm: {<<: [*b, *c], w: 0}\n",
    "m: {<<: {x: 1}}\n",
    "m: {<<: 1}\n",
    "a: !custom x\n",
    "a: !!binary aGVsbG8=\n",
    "a: !!set {x, y}\n",
    "a: !!omap [x: 1, y: 2]\n",
    "a: !!pairs [x: 1, x: 2]\n",
    "a: !!map {x: 1}\nb: !!seq [1]\nc: !!str {x: 1}\n",
    "a: !!int abc\n",
    "a: !!bool maybe\n",
    "a: !!float x\n",
    "a: !!timestamp 2001-12-14\n",
    "a: !!map [1]\n",
    "",
    "---\n",
    "---\n...\n---\n",
    "--- ~\n--- a\n--- [1]\n",
    "# only a comment\n",
    "a: 1\na: 2\n",
    "a:\n  b: 1\n  c: 2\n  b: 3\n",
    "{1: a, '1': b}\n",
    "{1: a, 01: b}\n",
    "{yes: a, true: b}\n",
    "{null: a, ~: b}\n",
    "{.nan: a, .nan: b}\n",
    "{.nan: a, .NaN: b}\n",
    "{=: a, '=': b}\n",
    "[a, b]: c\n",
    "? {a: 1}\n: c\n",
    "&r [1, *r]\n",
    "a: &r {b: *r}\n",
    "a: &r\n  b:\n    c: [*r]\n",
    "a: &r {<<: *r}\n",
    "&k {*k: 1}\n",
    "a: &a [b, &b [c, *a]]\n",
    "a: *undefined\n",
    "a: [unclosed\n",
    "a: b: c\n",
    "\t- tab\n",
    "a: 'x' y\n",
    block_nested(150),
    nested(900),
    nested(5000),
    nested(100_000),
    "x: " + "{a: " * 800 + "1" + "}" * 800 + "\n",
]


@pytest.mark.parametrize("text", SNIPPETS, ids=range(len(SNIPPETS)))
def test_snippets_same_as_constructor(reference, text: str) -> None:
    # Nesting unbounded here: the constructor has no such bound (see test_nesting_limit).
    assert_same_outcome(text, reference, Limits(max_nesting_depth=10**9))


def test_each_word_same_as_constructor(reference) -> None:
    """Each scalar of WORDS on its own (one that fails, as ``0x_`` does, fails alone): as a
    value, in a flow list, as a key, quoted."""
    for word in sorted(set(WORDS)):
        for text in (
            f"a: {word}\nb: [{word}, x]\n{word}: key\n",
            f"a: '{word}'\n'{word}': b\n",
            f"- {word}\n",
        ):
            assert_same_outcome(text, reference)


def laughs(levels: int) -> str:
    lines = ["l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"l{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * 10) + "]" for n in range(1, levels)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    "text",
    [
        laughs(4),
        "a: &z {k: [1, 2, 3]}\nb: *z\nc: *z\n",
        "a: &z word\nb: *z\n",
        "base: &z {k0: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]}\nm: {<<: *z}\n",
        "a: [&z {k: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]}, *z]\n",
    ],
)
@pytest.mark.parametrize("budget", [5, 12, 50, 1000, 1_000_000])
def test_aliases_measured_as_by_constructor(reference, text: str, budget: int) -> None:
    """Documents with aliases are measured against the budget exactly when, and with the
    result that, the constructor path measures them."""
    assert_same_outcome(text, reference, Limits(max_alias_nodes=budget))


def test_scalar_alias_still_measures() -> None:
    """A shared scalar is an alias too: the document is measured (5 nodes here)."""
    with pytest.raises(CrdocError, match="past 4 nodes"):
        list(yamlio._yaml_documents("a: &s x\nb: *s\n", "f", 0, Limits(max_alias_nodes=4)))


def test_shared_nodes_are_one_object() -> None:
    """Like PyYAML, a node met again through an alias is the object already built."""
    (document,) = yamlio._yaml_documents("a: &x {b: [1]}\nc: *x\nd: [*x]\n", "f", 0, Limits())
    assert document.data["a"] is document.data["c"] is document.data["d"][0]


def test_errors_as_before() -> None:
    """The messages and lines of the errors the constructor gives (fast path falls back)."""

    def error(text: str) -> str:
        with pytest.raises(CrdocError) as caught:
            list(yamlio._yaml_documents(text, "f.yaml", 10, Limits()))
        return caught.value.located()

    assert error("a:\n  b: 1\n  b: 2\n") == "f.yaml:13: invalid YAML: duplicate key 'b'"
    assert error("? [a]\n: b\n") == "f.yaml:11: invalid YAML: found unhashable key"
    assert error("a: &r [1, *r]\n") == "f.yaml:11: recursive YAML alias"
    assert error("x: " + "[" * 100_000 + "]" * 100_000).startswith("f.yaml:1")


def test_fast_path_taken_for_plain_data(corpus: list[tuple[str, str]]) -> None:
    """Every CRD document of the corpus is built by the fast builder, not the constructor."""
    built = 0
    for _label, text in corpus:
        if yamlio.CRD_MARKER not in text:
            continue
        for chunk, _offset in yamlio.split_documents(text):
            if yamlio.CRD_MARKER not in chunk:
                continue
            loader = yamlio._Loader(chunk)
            try:
                while loader.check_node():
                    node = loader.get_node()
                    if node is not None:
                        assert yamlio._fast_build(node, yamlio._may_share(chunk), 800) is not None
                        built += 1
            except yaml.YAMLError:
                pass  # a templated document
            finally:
                loader.dispose()
    assert built > 50


@pytest.mark.parametrize(
    ("text", "usual"),
    [
        ("a: [1, {b: c}]\n", True),
        ("a: &x 1\nb: *x\n", True),
        ("m: {<<: {x: 1}}\n", False),
        ("a: !custom 1\n", False),
        ("a: 1\na: 2\n", False),
        ("{1: a, 01: b}\n", False),
        (nested(900), False),  # RecursionError in the builder: the constructor builds it
    ],
)
def test_fast_builder_falls_back(text: str, usual: bool) -> None:
    loader = yamlio._Loader(text)
    try:
        node = loader.get_single_node()
    finally:
        loader.dispose()
    assert (yamlio._fast_build(node, yamlio._may_share(text), 10**9) is not None) is usual


@pytest.mark.parametrize(
    ("text", "may_share"),
    [
        ("a: &x 1\nb: *x\n", True),
        ("a: &x-y_0 1\nb: [*x-y_0]\n", True),
        ("description: '**bold** &amp; more'\n", True),  # harmless: only slower
        ("rule: self.a && self.b * 2\n", False),
        ("a: '*x'\n", False),
        ("glob: '*.example.com'\n", False),
    ],
)
def test_may_share(text: str, may_share: bool) -> None:
    assert yamlio._may_share(text) is may_share


def test_corpus_same_as_constructor(corpus: list[tuple[str, str]], reference) -> None:
    """Every corpus YAML file, whole and cut at its document markers as crdoc cuts CRD files:
    the same documents, data and lines, or the same error (templates), as PyYAML's path."""
    oks = 0
    for _label, text in corpus:
        oks += assert_same_outcome(text, reference)[0] == "ok"
        if yamlio.CRD_MARKER in text:
            for chunk, _offset in yamlio.split_documents(text):
                if yamlio.CRD_MARKER in chunk:
                    oks += assert_same_outcome(chunk, reference)[0] == "ok"
    assert oks > 100


def test_compose_file_same_as_constructor(corpus: list[tuple[str, str]], tmp_path: Path) -> None:
    """``compose_file`` gives the constructor's data for single-document files and snippets."""
    texts = [text for _label, text in corpus if "\n---" not in text][:200] + SNIPPETS
    for text in texts:
        loader = yamlio._Loader(text)
        try:
            node = loader.get_single_node()
            expected: Any = ("ok", None if node is None else loader.construct_document(node))
        except yaml.YAMLError as error:
            expected = ("error", yamlio.yaml_error(error, "f").located())
        except Exception as error:  # noqa: BLE001
            expected = ("crash", repr(error))
        finally:
            loader.dispose()
        try:
            got: Any = ("ok", yamlio.compose_file(text, "f")[1])
        except CrdocError as error:
            got = ("error", error.located())
        except Exception as error:  # noqa: BLE001
            got = ("crash", repr(error))
        if got[0] == "error" and "nested deeper than 800 levels" in got[1]:
            assert max(text.count("["), text.count("{")) >= 800, text[:100]
            continue  # the constructor has no nesting bound (see test_nesting_limit)
        if expected[0] == "crash":  # a value its tag cannot read: now a clean error
            assert got[0] == "error" and "invalid YAML: " in got[1], (text[:100], got)
            continue
        assert got[0] == expected[0] and (
            same(got[1], expected[1]) if got[0] == "ok" else got[1] == expected[1]
        ), (text[:100], got, expected)


@pytest.mark.parametrize("loader", [yaml.SafeLoader, yamlio._Loader])
def test_alias_names_the_parsers_accept_are_the_ones_may_share_sees(loader) -> None:
    """The memo-free builder relies on this: an alias whose name the pattern missed would be
    expanded without limit. Every name character the parser accepts must be one the pattern
    knows; a parser that starts accepting more fails here, not in production."""
    known = set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-")
    candidates = [chr(c) for c in range(33, 127)] + ["é", "ß", "名", "\u00a0", "😀"]
    for char in candidates:
        for name in (char, f"a{char}", f"{char}a"):
            text = f"a: &{name} [1]\nb: *{name}\n"
            try:
                data = yaml.load(text, Loader=loader)
            except yaml.YAMLError:
                continue
            if data == {"a": [1], "b": [1]}:  # an alias the parser resolved
                assert set(name) <= known, name
                assert yamlio._may_share(text), name


@pytest.mark.parametrize("form", ["flow", "block", "json"])
def test_nesting_limit(tmp_path: Path, form: str) -> None:
    """Mappings and lists nested deeper than ``max_nesting_depth`` (800) are refused at the
    line of the first one too deep; 700 levels are read, and written out as JSON."""

    def document(levels: int) -> str:
        head = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
        if form == "flow":
            return head + "x: " + "[" * levels + "]" * levels + "\n"
        if form == "block":
            body = "".join(f"{'  ' * n}k{n}:\n" for n in range(levels))
            return head + body + "  " * levels + "z\n"
        return '{"kind": "CustomResourceDefinition", "x": ' + "[" * levels + "]" * levels + "}"

    suffix = ".json" if form == "json" else ".yaml"
    path = tmp_path / f"deep{suffix}"
    path.write_text(document(900), encoding="utf-8")
    with pytest.raises(CrdocError) as caught:
        list(yamlio.crd_documents(path.read_text(), str(path), Limits()))
    message = caught.value.located()
    assert "nested deeper than 800 levels" in message
    if form == "flow":
        assert message.startswith(f"{path}:3: ")
    if form == "block":
        assert message.startswith(f"{path}:803: ")  # k800, level 801 (the root is level 1)
    path.write_text(document(700), encoding="utf-8")
    (doc,) = yamlio.crd_documents(path.read_text(), str(path), Limits())
    assert doc.data["kind"] == "CustomResourceDefinition"
    deeper = Limits(max_nesting_depth=1000)
    assert len(list(yamlio.crd_documents(document(900), str(path), deeper))) == 1
