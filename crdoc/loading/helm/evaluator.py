"""Evaluating Helm template expressions without Helm, in three values: true, false, unknown.

crdoc evaluates templates for two purposes only: to decide which of two definitions of one CRD
Helm would install (the conditions around them: ``.Values`` paths, ``eq``, ``and``,
``semverCompare`` on ``.Capabilities.KubeVersion`` …), and to find the chart files templates
pull in with ``.Files.Get``/``.Files.Glob``. Everything not understood — an unknown function,
``lookup``, a Helm error such as a nil pointer, a comparison of a float with an int — is
:data:`UNKNOWN`, and crdoc then falls back to keeping what it cannot decide about.

Values follow Go's and Sprig's rules as Helm runs them: numbers from YAML values are floats,
``--set`` numbers ints; ``missingkey=zero`` (a missing key is ``nil``); a chain of fields through
``nil`` is an error; printing ``nil`` prints nothing; truth is Go's (``0``, ``""``, empty lists
and maps, ``nil`` and ``false`` are false; the string ``"false"`` is true).

A file read through ``.Files`` is not its text but a :class:`FileText` that remembers where it
came from, through ``tpl``, ``splitList``, ``fromYaml`` and ``toYaml``: printed where a document
may start, it is a chart file Helm emits as documents; passed through ``b64enc``, ``quote``,
``toJson`` or ``AsConfig`` it is :class:`FileData`, embedded as a string.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from crdoc.loading import DEFAULT_KUBE_VERSION
from crdoc.loading.helm.gotemplate import (
    Action,
    Block,
    Call,
    Control,
    Define,
    FieldChain,
    Function,
    Literal,
    Node,
    Pipeline,
    TemplateSyntaxError,
    Text,
    parse,
    parse_pipeline,
)
from crdoc.loading.helm.records import Record
from crdoc.loading.helm.semver import SemVer, semver_compare


class _Unknown:
    """What crdoc cannot know without a cluster, or without understanding the template."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        raise TypeError("UNKNOWN has no truth value: use truth()")


#: The third value.
UNKNOWN: Any = _Unknown()

#: What ``.Capabilities.APIVersions`` holds without a cluster, as in ``helm template``: the
#: API versions compiled into Kubernetes' client library, plus both apiextensions versions.
#: ``--api-versions`` adds to it.
DEFAULT_API_VERSIONS = frozenset(
    {
        "v1",
        "admissionregistration.k8s.io/v1",
        "admissionregistration.k8s.io/v1alpha1",
        "admissionregistration.k8s.io/v1beta1",
        "apiextensions.k8s.io/v1",
        "apiextensions.k8s.io/v1beta1",
        "apps/v1",
        "apps/v1beta1",
        "apps/v1beta2",
        "authentication.k8s.io/v1",
        "authentication.k8s.io/v1alpha1",
        "authentication.k8s.io/v1beta1",
        "authorization.k8s.io/v1",
        "authorization.k8s.io/v1beta1",
        "autoscaling/v1",
        "autoscaling/v2",
        "autoscaling/v2beta1",
        "autoscaling/v2beta2",
        "batch/v1",
        "batch/v1beta1",
        "certificates.k8s.io/v1",
        "certificates.k8s.io/v1alpha1",
        "certificates.k8s.io/v1beta1",
        "coordination.k8s.io/v1",
        "coordination.k8s.io/v1alpha2",
        "coordination.k8s.io/v1beta1",
        "discovery.k8s.io/v1",
        "discovery.k8s.io/v1beta1",
        "events.k8s.io/v1",
        "events.k8s.io/v1beta1",
        "extensions/v1beta1",
        "flowcontrol.apiserver.k8s.io/v1",
        "flowcontrol.apiserver.k8s.io/v1beta1",
        "flowcontrol.apiserver.k8s.io/v1beta2",
        "flowcontrol.apiserver.k8s.io/v1beta3",
        "internal.apiserver.k8s.io/v1alpha1",
        "networking.k8s.io/v1",
        "networking.k8s.io/v1alpha1",
        "networking.k8s.io/v1beta1",
        "node.k8s.io/v1",
        "node.k8s.io/v1alpha1",
        "node.k8s.io/v1beta1",
        "policy/v1",
        "policy/v1beta1",
        "rbac.authorization.k8s.io/v1",
        "rbac.authorization.k8s.io/v1alpha1",
        "rbac.authorization.k8s.io/v1beta1",
        "resource.k8s.io/v1",
        "resource.k8s.io/v1alpha3",
        "resource.k8s.io/v1beta1",
        "resource.k8s.io/v1beta2",
        "scheduling.k8s.io/v1",
        "scheduling.k8s.io/v1alpha1",
        "scheduling.k8s.io/v1beta1",
        "storage.k8s.io/v1",
        "storage.k8s.io/v1alpha1",
        "storage.k8s.io/v1beta1",
        "storagemigration.k8s.io/v1alpha1",
    }
)

#: Bounds on one evaluation (a hostile chart's helpers may recurse or loop).
MAX_STEPS = 200_000
MAX_INCLUDE_DEPTH = 64
MAX_OUTPUT = 4 * 1024 * 1024
MAX_RANGE = 10_000
MAX_INDENT = 1_000


class _Exhausted(Exception):
    """An evaluation went past its bounds: its result is unknown."""


# -- values that are not plain data ---------------------------------------------------------------


class _Object:
    """A Go struct or object with fields and methods (``.Files``, ``.Capabilities``…)."""

    def field(self, name: str) -> Any:
        return UNKNOWN


class Method(Record):
    """A method read off an object, called with the command's arguments."""

    __slots__ = ("function",)
    function: Callable[..., Any]

    def __init__(self, function: Callable[..., Any]) -> None:
        self.function = function

    def __call__(self, *args: Any) -> Any:
        return self.function(*args)


class ChartFiles:
    """The files ``.Files`` of one chart can see (names relative to the chart's folder, ``/``
    between parts), read on demand: the reader is given, so nothing outside the chart can be
    named."""

    def __init__(
        self,
        names: Sequence[str],
        read: Callable[[str], bytes],
        where: Callable[[str], str],
        label: Callable[[str], str],
    ) -> None:
        self.names = tuple(sorted(names))
        self._known = frozenset(self.names)
        self._read = read
        self.where = where
        self.label = label
        self._texts: dict[str, str] = {}

    def __contains__(self, name: object) -> bool:
        return name in self._known

    def text(self, name: str) -> str:
        """A file's text (a BOM dropped, as Helm does; bytes that are not UTF-8 replaced)."""
        if name not in self._texts:
            self._texts[name] = self._read(name).decode("utf-8-sig", errors="replace")
        return self._texts[name]


class FileText(Record):
    """A chart file's text as a template handles it: ``.Files.Get``, after ``tpl`` (the file
    is itself a template), after ``splitList``/``fromYaml``/``toYaml`` (its documents)."""

    __slots__ = ("files", "name", "tpl", "root_context")
    _compared = ("name", "tpl", "root_context")
    files: ChartFiles
    name: str
    tpl: bool
    """Rendered with ``tpl``: its own template actions are Helm's too."""
    root_context: bool
    """``tpl``'s context is the chart's top-level one (its conditions can be evaluated)."""

    def __init__(
        self,
        files: ChartFiles,
        name: str,
        tpl: bool = False,
        root_context: bool = True,
    ) -> None:
        self.files = files
        self.name = name
        self.tpl = tpl
        self.root_context = root_context

    def text(self) -> str:
        return self.files.text(self.name)


class FilePart(Record):
    """One piece of a split :class:`FileText` (one of its documents)."""

    __slots__ = ("source",)
    source: FileText

    def __init__(self, source: FileText) -> None:
        self.source = source


class FileParts(Record):
    """The pieces of a split :class:`FileText`: ranged over, one symbolic :class:`FilePart`."""

    __slots__ = ("source",)
    source: FileText

    def __init__(self, source: FileText) -> None:
        self.source = source


class FileObject(_Object):
    """A chart file's document read with ``fromYaml``: ``toYaml`` gives the file back."""

    def __init__(self, source: FileText) -> None:
        self.source = source


class FileData(Record):
    """Chart files embedded as a string (``AsConfig``, ``b64enc``, ``quote``, ``toJson``…):
    data in Helm's output, not documents."""

    __slots__ = ("sources",)
    sources: tuple[FileText, ...]

    def __init__(self, sources: tuple[FileText, ...]) -> None:
        self.sources = sources


class FilesObject(_Object):
    """``.Files`` (or a ``Glob`` of it): ``Get``, ``GetBytes``, ``Glob``, ``Lines``,
    ``AsConfig``, ``AsSecrets``."""

    def __init__(self, files: ChartFiles, names: Sequence[str] | None = None) -> None:
        self.files = files
        self.names = files.names if names is None else tuple(sorted(names))

    def field(self, name: str) -> Any:
        methods = {
            "Get": self.get,
            "GetBytes": self.get,
            "Glob": self.glob,
            "Lines": self.lines,
            "AsConfig": self.as_data,
            "AsSecrets": self.as_data,
        }
        return Method(methods[name]) if name in methods else UNKNOWN

    def get(self, name: Any = None) -> Any:
        if not isinstance(name, str):
            return UNKNOWN
        # A missing file is "" to Helm, not an error.
        return FileText(self.files, name) if name in self.names else ""

    def glob(self, pattern: Any = None) -> Any:
        if not isinstance(pattern, str):
            return UNKNOWN
        matches = glob_matcher(pattern)
        return FilesObject(self.files, [name for name in self.names if matches(name)])

    def lines(self, name: Any = None) -> Any:
        return UNKNOWN if isinstance(name, str) and name in self.names else []

    def as_data(self) -> Any:
        return FileData(tuple(FileText(self.files, name) for name in self.names))

    def items(self) -> Iterator[tuple[str, FileText]]:
        for name in self.names:
            yield name, FileText(self.files, name)


class KubeVersion(_Object):
    """``.Capabilities.KubeVersion``: ``Version``/``GitVersion`` (``v1.34.0``), ``Major``,
    ``Minor`` (strings, as Kubernetes reports them)."""

    def __init__(self, text: str) -> None:
        parsed = SemVer.parse(text)
        self.version = "v" + str(parsed) if not text.startswith("v") else text
        self.major = str(parsed.major)
        self.minor = str(parsed.minor)

    def field(self, name: str) -> Any:
        values = {
            "Version": self.version,
            "GitVersion": self.version,
            "Major": self.major,
            "Minor": self.minor,
            "String": Method(lambda: self.version),
        }
        return values.get(name, UNKNOWN)

    def __str__(self) -> str:
        return self.version


class ApiVersions(_Object):
    """``.Capabilities.APIVersions``: ``Has "group/version"`` (or ``"group/version/Kind"``)."""

    def __init__(self, versions: frozenset[str]) -> None:
        self.versions = versions

    def field(self, name: str) -> Any:
        if name == "Has":
            return Method(
                lambda wanted=None: UNKNOWN if wanted is None else wanted in self.versions
            )
        return UNKNOWN


class Rendered(Record):
    """A template's output that holds more than text: chart files, or unknown parts."""

    __slots__ = ("pieces",)
    pieces: list[Any]

    def __init__(self, pieces: list[Any]) -> None:
        self.pieces = pieces

    @property
    def files(self) -> list[FileText]:
        return [piece for piece in self.pieces if isinstance(piece, FileText)]


# -- the chart a template belongs to --------------------------------------------------------------


class Definition(Record):
    """A named template and the file it is in."""

    __slots__ = ("node", "text", "where")
    node: Define
    text: str
    where: str

    def __init__(self, node: Define, text: str, where: str) -> None:
        self.node = node
        self.text = text
        self.where = where


class ChartContext(Record):
    """What a chart's templates see: its values, ``.Chart``, ``.Files``, ``.Capabilities``,
    ``.Release``, and the named templates of the whole chart tree."""

    __slots__ = (
        "values",
        "chart",
        "files",
        "kube_version",
        "api_versions",
        "definitions",
        "template_name",
    )
    values: Any
    """Its values, coalesced (UNKNOWN when they could not be read), or a function giving
    them when first read."""
    chart: Mapping[str, Any]
    files: ChartFiles | None
    kube_version: str
    api_versions: frozenset[str]
    definitions: Callable[[], Mapping[str, Definition]]
    """The named templates, found when first needed (reading every template file)."""
    template_name: str

    def __init__(
        self,
        values: Any,
        chart: Mapping[str, Any],
        files: ChartFiles | None,
        kube_version: str = DEFAULT_KUBE_VERSION,
        api_versions: frozenset[str] = DEFAULT_API_VERSIONS,
        definitions: Callable[[], Mapping[str, Definition]] = dict,
        template_name: str = "",
    ) -> None:
        self.values = values
        self.chart = chart
        self.files = files
        self.kube_version = kube_version
        self.api_versions = api_versions
        self.definitions = definitions
        self.template_name = template_name

    def root(self) -> dict[str, Any]:
        """The top-level context, ``$``."""
        capabilities = {
            "KubeVersion": KubeVersion(self.kube_version),
            "APIVersions": ApiVersions(self.api_versions),
            "HelmVersion": {"Version": "v3.19.0"},
        }
        return _Root(
            {
                "Values": Lazy(self.values) if callable(self.values) else self.values,
                "Chart": dict(self.chart),
                "Release": {
                    "Name": "release-name",
                    "Namespace": "default",
                    "Service": "Helm",
                    "IsInstall": True,
                    "IsUpgrade": False,
                    "Revision": 1,
                },
                "Capabilities": capabilities,
                "Files": FilesObject(self.files) if self.files is not None else UNKNOWN,
                "Template": {"Name": self.template_name, "BasePath": ""},
                "Subcharts": UNKNOWN,
            }
        )


class Lazy:
    """A value worked out when a template first reads it (a chart's values: reading a big
    ``values.yaml`` costs, and most walks never look at it)."""

    __slots__ = ("make",)

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make


class _Root(dict):  # type: ignore[type-arg]
    """The top-level context, whose :class:`Lazy` entries are worked out when first read."""

    def get(self, key: Any, default: Any = None) -> Any:
        value = super().get(key, default)
        if isinstance(value, Lazy):
            value = value.make()
            self[key] = value
        return value

    def __getitem__(self, key: Any) -> Any:
        if key not in self:
            raise KeyError(key)
        return self.get(key)


# -- truth, kinds and printing --------------------------------------------------------------------


def truth(value: Any) -> bool | None:
    """Go's truth of a value; ``None`` when it is unknown."""
    if value is UNKNOWN:
        return None
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str | list | dict | tuple):
        return len(value) > 0
    if isinstance(value, FileText):
        return len(value.text()) > 0
    if isinstance(value, FilesObject):
        return bool(value.names)
    if isinstance(value, Rendered):
        return None
    return True  # structs and objects


def _kind(value: Any) -> str | None:
    """The Go kind of a basic value, ``None`` for values ``eq`` cannot compare."""
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    return None


def go_format(value: Any) -> str:
    """A value as Go's ``%v`` prints it (``nil`` as ``<nil>``)."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _go_float(value)
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple):
        return "[" + " ".join(go_format(item) for item in value) + "]"
    if isinstance(value, dict):
        inner = " ".join(f"{key}:{go_format(value[key])}" for key in sorted(value, key=str))
        return f"map[{inner}]"
    if isinstance(value, KubeVersion):
        return str(value)
    if isinstance(value, FileText):
        return value.text()
    return str(value)


def _go_float(value: float) -> str:
    """``strconv.FormatFloat(v, 'g', -1, 64)``, Go's ``%v``: the shortest digits, in exponent
    form from 1e+06 up and below 1e-04."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == 0:
        return "-0" if math.copysign(1, value) < 0 else "0"
    from decimal import Decimal  # here: printing a float is rare

    sign, digits, exponent = Decimal(repr(value)).as_tuple()
    text = "".join(map(str, digits)).rstrip("0") or "0"
    point = len(digits) + int(exponent)  # digits before the decimal point
    shown_exponent = point - 1
    prefix = "-" if sign else ""
    if shown_exponent < -4 or shown_exponent >= 6:
        mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
        return f"{prefix}{mantissa}e{'+' if shown_exponent >= 0 else '-'}{abs(shown_exponent):02d}"
    if point <= 0:
        return f"{prefix}0.{'0' * -point}{text}"
    if point >= len(text):
        return prefix + text + "0" * (point - len(text))
    return f"{prefix}{text[:point]}.{text[point:]}"


def printed_text(value: Any) -> Any:
    """What an action prints: text, or a piece that is not text (a file, or unknown)."""
    if value is None:
        return ""  # Go prints "<no value>"; Helm removes it
    if value is UNKNOWN or isinstance(value, FileText | FileData | FilePart | FileObject):
        return value
    return go_format(value)


def _text_of(value: Any) -> Any:
    """A string argument's text (a chart file's content for a :class:`FileText`)."""
    if isinstance(value, FileText):
        return value.text()
    if isinstance(value, str):
        return value
    return UNKNOWN


def _strval(value: Any) -> str:
    """Sprig's ``toString``."""
    if isinstance(value, str):
        return value
    if isinstance(value, FileText):
        return value.text()
    return go_format(value)


def _deep_equal(a: Any, b: Any) -> bool:
    """Go's ``reflect.DeepEqual`` on template data: types must match (``1`` is not ``1.0``)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_deep_equal(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_deep_equal(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


# -- globs, as .Files.Glob matches --------------------------------------------------------------


def glob_matcher(pattern: str) -> Callable[[str], bool]:
    """``.Files.Glob``'s matching (``github.com/gobwas/glob`` with ``/`` as separator): ``*``
    any run of characters but ``/``, ``**`` any run, ``?`` one character but ``/``, ``[…]``
    (``[!…]`` negated) a character class, ``{a,b}`` alternatives, ``\\`` an escape; the whole
    name must match. A pattern that does not compile matches every file, as in Helm."""
    from crdoc.loading.helm.globs import compile_glob

    try:
        return compile_glob(pattern, gobwas=True)
    except ValueError:
        return lambda name: True


# -- the evaluator --------------------------------------------------------------------------------


class Emission(Record):
    """Chart files a template prints: as documents (where a YAML document can start), or
    embedded as data."""

    __slots__ = ("sources", "documents", "where", "line", "guard")
    sources: tuple[FileText, ...]
    documents: bool
    where: str
    line: int
    guard: tuple[Any, ...]
    """The conditions around it (:class:`crdoc.loading.helm.guards.Condition`)."""

    def __init__(
        self,
        sources: tuple[FileText, ...],
        documents: bool,
        where: str,
        line: int,
        guard: tuple[Any, ...],
    ) -> None:
        self.sources = sources
        self.documents = documents
        self.where = where
        self.line = line
        self.guard = guard


class _Source(Record):
    """The file whose nodes are being run: its text (for where an action stands) and name."""

    __slots__ = ("text", "where", "_neutral")
    text: str
    where: str
    _neutral: list[str] | None

    def __init__(self, text: str, where: str, _neutral: list[str] | None = None) -> None:
        self.text = text
        self.where = where
        self._neutral = _neutral

    def neutral_lines(self) -> list[str]:
        if self._neutral is None:
            from crdoc.loading.helm.templating import neutralise

            self._neutral = neutralise(self.text).split("\n")
        return self._neutral


_BLOCK_HEADER = re.compile(r"(?:^|[:\-]\s*)[|>][-+0-9]*\s*(?:#.*)?$")


def _document_position(source: _Source, action: Action) -> bool:
    """Whether an action stands where Helm's output can start YAML documents: nothing but
    blanks (or other actions) before it on its line, and not under a key or block scalar
    header (``data:``, ``key: |``) that would make what it prints a value."""
    text = source.text
    line_start = text.rfind("\n", 0, action.start) + 1
    before = re.sub(r"\{\{.*?\}\}", "", text[line_start : action.start])
    if before.strip():
        return False
    lines = source.neutral_lines()
    for index in range(action.line - 2, -1, -1):
        line = lines[index] if index < len(lines) else ""
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped in ("---", "..."):
            return True
        # A block scalar header, or a key whose value is still to come: what the action prints
        # is that value.
        return not (_BLOCK_HEADER.search(stripped) or stripped.endswith(":"))
    return True


class Evaluator:
    """Runs pipelines and templates of one chart (:class:`ChartContext`), bounded in steps,
    include depth and output size."""

    def __init__(self, context: ChartContext) -> None:
        self.context = context
        self.root = context.root()
        self.steps = 0
        self.depth = 0
        self.output = 0
        # Walking (all branches, to find the chart files printed): the conditions around the
        # node being walked, and where the findings go.
        self.walking = False
        self.guard: list[Any] = []
        self.emissions: list[Emission] = []
        self._documents_ok = True
        self._sources: list[_Source] = []
        self._guard_maker: Any = None
        self.file_helpers: frozenset[str] | None = None
        """When walking, the named templates that may print chart files (None: any)."""
        self._file_variables: set[str] = set()
        """When walking, the variables that hold chart files (or ``.Files``)."""

    # -- pipelines

    def evaluate(self, text: str, dot: Any = None, variables: dict[str, Any] | None = None) -> Any:
        """The value of a pipeline written as text (UNKNOWN if it does not parse)."""
        try:
            pipe = parse_pipeline(text)
        except TemplateSyntaxError:
            return UNKNOWN
        return self.run_bounded(pipe, dot, variables)

    def run_bounded(self, pipe: Pipeline, dot: Any = None, variables: Any = None) -> Any:
        """A pipeline's value; UNKNOWN past the evaluation's bounds."""
        try:
            return self.pipeline(pipe, self.root if dot is None else dot, dict(variables or {}))
        except (_Exhausted, RecursionError, _Failed, _Break, _Continue):
            return UNKNOWN

    def tick(self) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise _Exhausted

    def pipeline(self, pipe: Pipeline, dot: Any, variables: dict[str, Any]) -> Any:
        variables.setdefault("$", self.root)
        value: Any = _NOTHING
        for command in pipe.commands:
            value = self.command(command, dot, variables, value)
        if pipe.variables:
            if pipe.assigns:
                for name in pipe.variables:
                    if name in variables:
                        variables[name] = value
            else:
                variables[pipe.variables[-1]] = value
            if self.walking and _holds_files(value):
                self._file_variables.update(pipe.variables)
        return value

    def command(
        self, operands: tuple[Any, ...], dot: Any, variables: dict[str, Any], piped: Any
    ) -> Any:
        self.tick()
        first = operands[0]
        if isinstance(first, Function):
            if first.name in ("and", "or"):
                return self._logic(first.name, operands[1:], dot, variables, piped)
            args = [self.argument(op, dot, variables) for op in operands[1:]]
            if piped is not _NOTHING:
                args.append(piped)
            return self.call(first.name, args, dot)
        if isinstance(first, FieldChain):
            value = self.chain(first, dot, variables)
            args = [self.argument(op, dot, variables) for op in operands[1:]]
            if piped is not _NOTHING:
                args.append(piped)
            if isinstance(value, Method):
                return value(*args)
            return UNKNOWN if args else value
        if len(operands) > 1 or piped is not _NOTHING:
            return UNKNOWN  # a literal given arguments: a Helm error
        return first.value

    def argument(self, operand: Any, dot: Any, variables: dict[str, Any]) -> Any:
        if isinstance(operand, Literal):
            return operand.value
        if isinstance(operand, Function):
            if operand.name in ("and", "or"):
                return UNKNOWN
            return self.call(operand.name, [], dot)
        value = self.chain(operand, dot, variables)
        return value() if isinstance(value, Method) else value

    def chain(self, chain: FieldChain, dot: Any, variables: dict[str, Any]) -> Any:
        base = chain.base
        lenient = False
        if base is None:
            value = dot
        elif isinstance(base, str):
            value = variables.get(base, UNKNOWN)
        else:
            value = self.pipeline(base, dot, dict(variables))
            lenient = True  # Helm: a field of a parenthesised nil is nil, not an error
        last = len(chain.names) - 1
        for index, name in enumerate(chain.names):
            if value is UNKNOWN:
                return UNKNOWN
            if isinstance(value, Method):
                value = value()
            if value is None:
                return None if lenient and index == 0 else UNKNOWN
            if isinstance(value, dict):
                value = value.get(name)
            elif isinstance(value, _Object):
                value = value.field(name)
                if isinstance(value, Method) and index < last:
                    value = value()
            else:
                return UNKNOWN  # a field of a string or number: a Helm error
        return value

    def _logic(
        self, name: str, operands: tuple[Any, ...], dot: Any, variables: dict[str, Any], piped: Any
    ) -> Any:
        """``and``/``or``: evaluated left to right, stopping at the deciding argument (whose
        value they return), as Go does since 1.18."""
        values = [lambda op=op: self.argument(op, dot, variables) for op in operands]
        if piped is not _NOTHING:
            values.append(lambda: piped)
        if not values:
            return UNKNOWN
        deciding = name == "or"  # the truth that decides: true for or, false for and
        unknown = False
        value: Any = None
        for get in values:
            value = get()
            known = truth(value)
            if known is None:
                unknown = True
            elif known is deciding:
                # After an unknown argument the result's truth is known, not its value.
                return value if not unknown else deciding
        return UNKNOWN if unknown else value

    def call(self, name: str, args: list[Any], dot: Any) -> Any:
        function = _FUNCTIONS.get(name)
        if function is None:
            return UNKNOWN
        raw, implementation = function
        if not raw and any(arg is UNKNOWN for arg in args):
            return UNKNOWN
        try:
            return implementation(self, *args)
        except (TypeError, ValueError, KeyError, IndexError, OverflowError, AttributeError):
            return UNKNOWN  # a wrong argument: a Helm error

    # -- templates

    def include(self, name: Any, context: Any) -> Any:
        """``include``: a named template's output (a string, or :class:`Rendered`)."""
        if not isinstance(name, str):
            return UNKNOWN
        definition = self.context.definitions().get(name)
        if definition is None:
            return UNKNOWN  # Helm: no template of that name
        pieces = self.render(definition.node.body, context, definition.text, definition.where)
        return _joined(pieces)

    def render(self, nodes: list[Node], dot: Any, text: str = "", where: str = "") -> list[Any]:
        """The output of some nodes as Helm would print it (pieces: text, files, UNKNOWN)."""
        if self.depth >= MAX_INCLUDE_DEPTH:
            return [UNKNOWN]
        self.depth += 1
        self._sources.append(_Source(text, where))
        walking, self.walking = self.walking, False
        out: list[Any] = []
        try:
            self.run(nodes, dot, {"$": self.root}, out)
        except (_Break, _Continue):
            pass
        except _Failed:
            out = [UNKNOWN]
        finally:
            self.depth -= 1
            self._sources.pop()
            self.walking = walking
        return out

    def run(self, nodes: list[Node], dot: Any, variables: dict[str, Any], out: list[Any]) -> None:
        for node in nodes:
            self.tick()
            if isinstance(node, Text):
                self.output += len(node.text)
                if self.output > MAX_OUTPUT:
                    raise _Exhausted
                out.append(node.text)
            elif isinstance(node, Action):
                self._action(node, dot, variables, out)
            elif isinstance(node, Block):
                self._block(node, dot, variables, out)
            elif isinstance(node, Call):
                context = dot if node.pipe is None else self.pipeline(node.pipe, dot, variables)
                self._call_template(node, context, out)
            elif isinstance(node, Control) and not self.walking:
                raise _Break if node.word == "break" else _Continue

    def _action(self, node: Action, dot: Any, variables: dict[str, Any], out: list[Any]) -> None:
        if self.walking and not node.pipe.variables and not self._may_print_files(node.pipe):
            return  # walking only looks for chart files printed (variables may be used later)
        first = node.pipe.commands[0][0] if len(node.pipe.commands) == 1 else None
        includes = (
            self.walking
            and isinstance(first, Function)
            and first.name in ("include", "template")
            and not node.pipe.variables
        )
        if includes:
            # Walked, not rendered: files printed in any branch of the named template count.
            operands = node.pipe.commands[0][1:]
            args = [self.argument(op, dot, variables) for op in operands]
            if len(args) == 2 and isinstance(args[0], str):
                self._walk_definition(args[0], args[1], self._here_documents(node))
                return
        try:
            value = self.pipeline(node.pipe, dot, variables)
        except _Failed:
            if not self.walking:
                raise
            return  # a branch Helm refuses to render prints nothing
        if node.pipe.variables:
            return
        printed = value.pieces if isinstance(value, Rendered) else [printed_text(value)]
        out.extend(printed)
        if self.walking:
            self._note(printed, node)

    def _may_print_files(self, pipe: Pipeline) -> bool:
        """Whether an action may print (or keep in a variable) a chart file: it reads
        ``.Files`` or a variable, or calls a named template that may."""
        text = pipe.text
        if "Files" in text or any(name in text for name in self._file_variables):
            return True
        if "include" not in text and "template" not in text:
            return False
        helpers = self.file_helpers
        return helpers is None or any(f'"{name}"' in text for name in helpers)

    def _here_documents(self, node: Action) -> bool:
        return self._documents_ok and _document_position(self._sources[-1], node)

    def _note(self, printed: list[Any], node: Action) -> None:
        """Record the chart files an action prints, with the conditions around it."""
        documents: list[FileText] = []
        data: list[FileText] = []
        here = None
        for piece in printed:
            if isinstance(piece, FileText | FilePart | FileObject):
                source = piece if isinstance(piece, FileText) else piece.source
                if here is None:
                    here = self._here_documents(node)
                (documents if here else data).append(source)
            elif isinstance(piece, FileData):
                data.extend(piece.sources)
        source = self._sources[-1]
        guard = tuple(self.guard)
        if documents:
            self.emissions.append(Emission(tuple(documents), True, source.where, node.line, guard))
        if data:
            self.emissions.append(Emission(tuple(data), False, source.where, node.line, guard))

    def _walk_definition(self, name: str, context: Any, documents: bool) -> None:
        if self.file_helpers is not None and name not in self.file_helpers:
            return
        definition = self.context.definitions().get(name)
        if definition is None or self.depth >= MAX_INCLUDE_DEPTH:
            return
        saved = self._documents_ok, self._guard_maker
        self._documents_ok = documents
        # Conditions inside a named template depend on its context: kept with the value they
        # have here, not evaluated again.
        self._guard_maker = None
        self.depth += 1
        self._sources.append(_Source(definition.text, definition.where))
        try:
            self.run(definition.node.body, context, {"$": self.root}, [])
        finally:
            self.depth -= 1
            self._sources.pop()
            self._documents_ok, self._guard_maker = saved

    def _call_template(self, node: Call, context: Any, out: list[Any]) -> None:
        if self.walking:
            self._walk_definition(node.name, context, self._documents_ok)
            return
        definition = self.context.definitions().get(node.name)
        if definition is None:
            out.append(UNKNOWN)
            return
        out.extend(self.render(definition.node.body, context, definition.text, definition.where))

    def _block(self, node: Block, dot: Any, variables: dict[str, Any], out: list[Any]) -> None:
        if node.keyword == "range":
            self._range(node, dot, variables, out)
            return
        if self.walking:
            self._walk_branches(node, dot, variables, out)
            return
        for branch in node.branches:
            if branch.pipe is None:
                self.run(branch.body, dot, dict(variables), out)
                return
            scope = dict(variables)
            value = self.pipeline(branch.pipe, dot, scope)
            known = truth(value)
            if known is None:
                out.append(UNKNOWN)
                return
            if known:
                inner = value if branch.keyword == "with" else dot
                self.run(branch.body, inner, scope, out)
                return

    def _walk_branches(
        self, node: Block, dot: Any, variables: dict[str, Any], out: list[Any]
    ) -> None:
        """Every branch of an ``if``/``with``, each under its conditions."""
        from crdoc.loading.helm.guards import Static

        before = len(self.guard)
        static = self._guard_maker
        for index, branch in enumerate(node.branches):
            scope = dict(variables)
            value: Any = UNKNOWN
            if branch.pipe is not None and (branch.keyword == "with" or branch.pipe.variables):
                try:
                    value = self.pipeline(branch.pipe, dot, scope)
                except _Failed:
                    value = UNKNOWN
            self.guard.extend(self._conditions(node, index, dot, variables))
            inner = dot
            if branch.keyword == "with" and branch.pipe is not None:
                inner = value
                self._guard_maker = (
                    Static((*static.dot, branch.pipe.text), static.variables)
                    if static is not None
                    else None
                )
            try:
                self.run(branch.body, inner, scope, out)
            finally:
                self._guard_maker = static
                del self.guard[before:]

    def _conditions(
        self, node: Block, index: int, dot: Any, variables: dict[str, Any]
    ) -> list[Any]:
        """The conditions under which a branch runs: to evaluate again where they stand at the
        top of a template, with their value here where they depend on more (a named
        template's argument, a ``range`` item)."""
        from crdoc.loading.helm.guards import branch_conditions

        source = self._sources[-1]

        def value_of(pipe: Pipeline) -> bool | None:
            return truth(self.run_bounded(pipe, dot, variables))

        return branch_conditions(node, index, source.where, value_of, self._guard_maker)

    def _range(self, node: Block, dot: Any, variables: dict[str, Any], out: list[Any]) -> None:
        branch = node.branches[0]
        pipe = branch.pipe
        assert pipe is not None
        scope = dict(variables)
        bare = Pipeline(pipe.commands, text=pipe.text)
        value = self.pipeline(bare, dot, scope)
        items = _range_items(value)
        names = pipe.variables
        maker = self._guard_maker
        self._guard_maker = None  # conditions inside depend on each item
        try:
            if items is None:
                if not self.walking:
                    out.append(UNKNOWN)
                    return
                items = [(UNKNOWN, UNKNOWN)]
            for count, (key, item) in enumerate(items):
                if count >= MAX_RANGE:
                    raise _Exhausted
                inner = dict(scope)
                if len(names) == 2:
                    inner[names[0]], inner[names[1]] = key, item
                elif names:
                    inner[names[0]] = item
                if self.walking and names and _holds_files(item):
                    self._file_variables.add(names[-1])
                try:
                    self.run(branch.body, item, inner, out)
                except _Continue:
                    continue
                except _Break:
                    break
            if len(node.branches) > 1 and (self.walking or not items):
                self.run(node.branches[1].body, dot, dict(scope), out)
        finally:
            self._guard_maker = maker

    # -- walking a template for the chart files it prints

    def walk(self, nodes: list[Node], text: str, where: str, guard_maker: Any) -> list[Emission]:
        """Every chart file the nodes print, in every branch, with the conditions around it.
        ``guard_maker`` makes the conditions of top-level blocks (evaluated again when
        choosing between alternatives); conditions deeper inside are kept with their value."""
        self.walking = True
        self.emissions = []
        self._guard_maker = guard_maker
        self._sources.append(_Source(text, where))
        try:
            self.run(nodes, self.root, {"$": self.root}, [])
        except (_Exhausted, RecursionError, _Break, _Continue, _Failed):
            pass
        finally:
            self._sources.pop()
            self.walking = False
        return self.emissions


def _holds_files(value: Any) -> bool:
    """Whether a value is (or holds) chart files: a variable set to it must be followed."""
    if isinstance(value, FileText | FilePart | FileParts | FileObject | FileData | FilesObject):
        return True
    if isinstance(value, Rendered):
        return bool(value.files)
    if isinstance(value, dict):
        return any(_holds_files(item) for item in value.values())
    return value is UNKNOWN


def _range_items(value: Any) -> list[tuple[Any, Any]] | None:
    """What ``range`` visits: (key, item) pairs; ``None`` when unknown."""
    if value is None:
        return []
    if isinstance(value, FilesObject):
        return list(value.items())
    if isinstance(value, FileParts):
        return [(0, FilePart(value.source))]
    if isinstance(value, list | tuple):
        return list(enumerate(value))
    if isinstance(value, dict):
        return [(key, value[key]) for key in sorted(value, key=str)]
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_RANGE:
        return [(i, i) for i in range(value)]
    return None


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class _Failed(Exception):
    """``fail`` ran: Helm stops rendering."""


_NOTHING: Any = object()


def _joined(pieces: list[Any]) -> Any:
    if all(isinstance(piece, str) for piece in pieces):
        return "".join(pieces)
    if any(piece is UNKNOWN for piece in pieces):
        files = [p for p in pieces if isinstance(p, FileText | FileData | FilePart | FileObject)]
        return Rendered([*files, UNKNOWN]) if files else UNKNOWN
    return Rendered(pieces)


# -- functions ------------------------------------------------------------------------------------


def _eq(ev: Evaluator, first: Any, *others: Any) -> Any:
    if not others:
        return UNKNOWN
    for other in others:
        a, b = first, other
        if isinstance(a, FileText):
            a = a.text()
        if isinstance(b, FileText):
            b = b.text()
        kind_a, kind_b = _kind(a), _kind(b)
        if kind_a is None or kind_b is None:
            return UNKNOWN  # not comparable: a Helm error
        if kind_a == "nil" or kind_b == "nil":
            if kind_a == kind_b:
                return True
            continue
        if kind_a != kind_b:
            return UNKNOWN  # incompatible types for comparison (1 and 1.0 too)
        if a == b:
            return True
    return False


def _ne(ev: Evaluator, a: Any, b: Any) -> Any:
    equal = _eq(ev, a, b)
    return UNKNOWN if equal is UNKNOWN else not equal


def _ordered(test: Callable[[Any, Any], bool]) -> Callable[..., Any]:
    def compare(ev: Evaluator, a: Any, b: Any) -> Any:
        kind_a, kind_b = _kind(a), _kind(b)
        if kind_a != kind_b or kind_a not in ("int", "float", "string"):
            return UNKNOWN
        return test(a, b)

    return compare


def _empty(ev: Evaluator, value: Any = None) -> Any:
    known = truth(value)
    return UNKNOWN if known is None else not known


def _default(ev: Evaluator, fallback: Any, *given: Any) -> Any:
    if not given:
        return fallback
    value = given[0]
    known = truth(value)
    if known is None:
        return UNKNOWN
    return value if known else fallback


def _has_key(ev: Evaluator, mapping: Any, key: Any) -> Any:
    if mapping is None:
        return False
    if not isinstance(mapping, dict) or not isinstance(key, str):
        return UNKNOWN
    return key in mapping


def _has(ev: Evaluator, needle: Any, haystack: Any) -> Any:
    if haystack is None:
        return False
    if not isinstance(haystack, list | tuple):
        return UNKNOWN  # Sprig panics on anything but a list
    return any(_deep_equal(needle, item) for item in haystack)


def _semver_compare(ev: Evaluator, constraint: Any, version: Any) -> Any:
    if not isinstance(constraint, str):
        return UNKNOWN
    return semver_compare(constraint, _strval(version))


def _to_int(ev: Evaluator, value: Any = None) -> Any:
    """``cast.ToInt``: a string that does not parse is 0 (``int "27+"`` is 0)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if value is None:
        return 0
    if isinstance(value, str):
        text = value.strip()
        try:
            if re.fullmatch(r"[+-]?0[xX][0-9a-fA-F]+", text):
                return int(text, 16)
            if re.fullmatch(r"[+-]?0[0-7]+", text):
                return int(text, 8)
            return int(text.removesuffix(".0") if re.fullmatch(r"[+-]?\d+\.0*", text) else text)
        except ValueError:
            return 0
    return UNKNOWN


def _to_float(ev: Evaluator, value: Any = None) -> Any:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    if value is None:
        return 0.0
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return 0.0
    return UNKNOWN


def _ternary(ev: Evaluator, if_true: Any, if_false: Any, test: Any) -> Any:
    if test is UNKNOWN:
        return UNKNOWN
    if not isinstance(test, bool):
        return UNKNOWN
    return if_true if test else if_false


def _coalesce(ev: Evaluator, *values: Any) -> Any:
    for value in values:
        known = truth(value)
        if known is None:
            return UNKNOWN
        if known:
            return value
    return None


def _dig(ev: Evaluator, *args: Any) -> Any:
    if len(args) < 3 or not isinstance(args[-1], dict):
        return UNKNOWN
    *keys, fallback, mapping = args
    value: Any = mapping
    for key in keys:
        if not isinstance(value, dict) or key not in value:
            return fallback
        value = value[key]
    return value


def _get(ev: Evaluator, mapping: Any, key: Any) -> Any:
    if not isinstance(mapping, dict):
        return UNKNOWN
    return mapping.get(key, "")


def _index(ev: Evaluator, collection: Any, *keys: Any) -> Any:
    value = collection
    for key in keys:
        if isinstance(value, dict):
            value = value.get(key)
        elif isinstance(value, list | tuple) and isinstance(key, int) and 0 <= key < len(value):
            value = value[key]
        else:
            return UNKNOWN
    return value


def _string_function(function: Callable[..., Any]) -> Callable[..., Any]:
    """A Sprig string function: its arguments are strings (chart files read as text)."""

    def call(ev: Evaluator, *args: Any) -> Any:
        texts = [_text_of(arg) if isinstance(arg, FileText) else arg for arg in args]
        if any(not isinstance(text, str) for text in texts):
            return UNKNOWN
        return function(*texts)

    return call


def _include(ev: Evaluator, name: Any, context: Any = None) -> Any:
    return ev.include(name, context)


def _tpl(ev: Evaluator, template: Any, context: Any = None) -> Any:
    if isinstance(template, FileText):
        # Rendered later, when read: its conditions can be evaluated with the chart's
        # context, not with another (which may be unknown here).
        return FileText(template.files, template.name, True, context is ev.root)
    if isinstance(template, FilePart | FileParts):
        return template
    if not isinstance(template, str) or context is UNKNOWN:
        return UNKNOWN
    try:
        nodes = parse(template)
    except TemplateSyntaxError:
        return UNKNOWN
    return _joined(ev.render(nodes, context, template, "tpl"))


def _required(ev: Evaluator, message: Any, value: Any = None) -> Any:
    if value is None or value == "":
        raise _Failed
    return value


def _fail(ev: Evaluator, *args: Any) -> Any:
    raise _Failed


def _not(ev: Evaluator, value: Any) -> Any:
    known = truth(value)
    return UNKNOWN if known is None else not known


def _list(ev: Evaluator, *items: Any) -> Any:
    return list(items)


def _dict(ev: Evaluator, *pairs: Any) -> Any:
    items = list(pairs)
    if len(items) % 2:
        items.append("")
    return {_strval(items[i]): items[i + 1] for i in range(0, len(items), 2)}


_VERB = re.compile(r"%([-+# 0]*)(\d*)(?:\.(\d+))?([a-zA-Z%])")


def _printf(ev: Evaluator, form: Any, *args: Any) -> Any:
    if not isinstance(form, str):
        return UNKNOWN
    pieces: list[Any] = []
    position = 0
    values = list(args)
    for match in _VERB.finditer(form):
        pieces.append(form[position : match.start()])
        position = match.end()
        verb = match.group(4)
        if verb == "%":
            pieces.append("%")
            continue
        if not values:
            pieces.append(f"%!{verb}(MISSING)")
            continue
        value = values.pop(0)
        if isinstance(value, FileText | FilePart | FileObject | FileData):
            pieces.append(value)
        elif verb in ("s", "v"):
            pieces.append("%!s(<nil>)" if value is None and verb == "s" else go_format(value))
        elif verb == "d" and isinstance(value, int) and not isinstance(value, bool):
            pieces.append(str(value))
        elif verb == "q" and isinstance(value, str):
            pieces.append(_go_quote(value))
        elif verb == "t" and isinstance(value, bool):
            pieces.append(go_format(value))
        else:
            return UNKNOWN
    pieces.append(form[position:])
    return _joined(pieces)


def _go_quote(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)


def _quote(ev: Evaluator, *values: Any) -> Any:
    files = [v for v in values if isinstance(v, FileText)]
    if files:
        return FileData(tuple(files))
    return " ".join(_go_quote(_strval(v)) for v in values if v is not None)


def _as_data(ev: Evaluator, *values: Any) -> Any:
    """``b64enc``, ``toJson``…: a chart file becomes data; anything else is not needed."""
    files = [v.source if isinstance(v, FilePart | FileObject) else v for v in values]
    files = [v for v in files if isinstance(v, FileText)]
    return FileData(tuple(files)) if files else UNKNOWN


def _indent(ev: Evaluator, width: Any, value: Any) -> Any:
    if isinstance(value, FileText | FilePart | FileObject | FileData | Rendered):
        return value  # where it stands says whether it is documents or data
    if not isinstance(width, int) or not isinstance(value, str) or not 0 <= width <= MAX_INDENT:
        return UNKNOWN
    pad = " " * width
    return pad + value.replace("\n", "\n" + pad)


def _nindent(ev: Evaluator, width: Any, value: Any) -> Any:
    indented = _indent(ev, width, value)
    return "\n" + indented if isinstance(indented, str) else indented


def _split(ev: Evaluator, separator: Any, text: Any, *rest: Any) -> Any:
    if isinstance(text, FileText):
        return FileParts(text)
    if not isinstance(separator, str) or not isinstance(text, str):
        return UNKNOWN
    return text.split(separator)


def _regex_split(ev: Evaluator, pattern: Any, text: Any, limit: Any = -1) -> Any:
    if isinstance(text, FileText):
        return FileParts(text)
    return UNKNOWN


def _from_yaml(ev: Evaluator, value: Any) -> Any:
    if isinstance(value, FileText):
        return FileObject(value)
    if isinstance(value, FilePart):
        return FileObject(value.source)
    return UNKNOWN


def _to_yaml(ev: Evaluator, value: Any) -> Any:
    if isinstance(value, FileObject):
        return value.source
    return UNKNOWN


def _keep_file(ev: Evaluator, target: Any, *rest: Any) -> Any:
    """``set``, ``merge``, ``mergeOverwrite``: a chart file's document stays that document
    (labels and annotations change; crdoc documents neither)."""
    if isinstance(target, FileObject):
        return target
    if isinstance(target, dict) and rest and isinstance(rest[-1], FileObject):
        return rest[-1]
    if isinstance(target, dict) and len(rest) == 2 and isinstance(rest[0], str):
        target[rest[0]] = rest[1]  # set MAP KEY VALUE
        return target
    return UNKNOWN


def _len(ev: Evaluator, value: Any) -> Any:
    if isinstance(value, str | list | dict | tuple):
        return len(value)
    return UNKNOWN


def _kind_is(ev: Evaluator, kind: Any, value: Any) -> Any:
    names = {
        "nil": "invalid",
        "bool": "bool",
        "int": "int64",
        "float": "float64",
        "string": "string",
    }
    found = _kind(value)
    if found is not None:
        actual = names[found]
    elif isinstance(value, dict):
        actual = "map"
    elif isinstance(value, list):
        actual = "slice"
    else:
        return UNKNOWN
    return kind == actual or (kind == "int" and actual == "int64")


def _print(ev: Evaluator, *values: Any) -> Any:
    # fmt.Sprint: a space between operands when neither is a string.
    out = []
    for index, value in enumerate(values):
        if index and not isinstance(value, str) and not isinstance(values[index - 1], str):
            out.append(" ")
        out.append(go_format(value))
    return "".join(out)


def _lookup(ev: Evaluator, *args: Any) -> Any:
    return UNKNOWN  # cluster state


# name → (takes UNKNOWN arguments itself, implementation)
_FUNCTIONS: dict[str, tuple[bool, Callable[..., Any]]] = {
    "eq": (False, _eq),
    "ne": (False, _ne),
    "lt": (False, _ordered(lambda a, b: a < b)),
    "le": (False, _ordered(lambda a, b: a <= b)),
    "gt": (False, _ordered(lambda a, b: a > b)),
    "ge": (False, _ordered(lambda a, b: a >= b)),
    "not": (False, _not),
    "empty": (False, _empty),
    "default": (False, _default),
    "hasKey": (False, _has_key),
    "has": (False, _has),
    "semverCompare": (False, _semver_compare),
    "toString": (False, lambda ev, value: _strval(value)),
    "int": (False, _to_int),
    "int64": (False, _to_int),
    "float64": (False, _to_float),
    "ternary": (True, _ternary),
    "coalesce": (True, _coalesce),
    "dig": (False, _dig),
    "get": (False, _get),
    "index": (False, _index),
    "lower": (False, _string_function(str.lower)),
    "upper": (False, _string_function(str.upper)),
    "trim": (False, _string_function(str.strip)),
    "trimSuffix": (False, _string_function(lambda suffix, s: s.removesuffix(suffix))),
    "trimPrefix": (False, _string_function(lambda prefix, s: s.removeprefix(prefix))),
    "contains": (False, _string_function(lambda sub, s: sub in s)),
    "hasPrefix": (False, _string_function(lambda prefix, s: s.startswith(prefix))),
    "hasSuffix": (False, _string_function(lambda suffix, s: s.endswith(suffix))),
    "replace": (False, _string_function(lambda old, new, s: s.replace(old, new))),
    "include": (False, _include),
    "tpl": (True, _tpl),
    "required": (False, _required),
    "fail": (True, _fail),
    "list": (True, _list),
    "dict": (True, _dict),
    "printf": (False, _printf),
    "print": (False, _print),
    "quote": (False, _quote),
    "squote": (False, _quote),
    "b64enc": (False, _as_data),
    "toJson": (False, _as_data),
    "toPrettyJson": (False, _as_data),
    "toRawJson": (False, _as_data),
    "indent": (False, _indent),
    "nindent": (False, _nindent),
    "splitList": (False, _split),
    "regexSplit": (False, _regex_split),
    "fromYaml": (False, _from_yaml),
    "toYaml": (False, _to_yaml),
    "set": (True, _keep_file),
    "merge": (True, _keep_file),
    "mergeOverwrite": (True, _keep_file),
    "len": (False, _len),
    "kindIs": (False, _kind_is),
    "lookup": (True, _lookup),
}
