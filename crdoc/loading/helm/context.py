"""The values Helm templates work on, as crdoc evaluates them: :data:`UNKNOWN` (the third
truth value), the chart a template belongs to (:class:`ChartContext`: ``.Values``, ``.Chart``,
``.Files``, ``.Capabilities``), the chart files read through ``.Files`` (:class:`FileText`,
:class:`FileData` …), and Go's rules for truth, kinds and printing.

:mod:`crdoc.loading.helm.evaluator` runs templates over them; :mod:`crdoc.loading.helm.functions`
holds the Sprig and Helm functions templates call.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from crdoc.loading import DEFAULT_KUBE_VERSION
from crdoc.loading.helm.globs import compile_glob
from crdoc.loading.helm.gotemplate import (
    Define,
)
from crdoc.loading.helm.records import Record
from crdoc.loading.helm.semver import SemVer


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


# -- values that are not plain data ---------------------------------------------------------------


class GoObject:
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


class FileObject(GoObject):
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


class FilesObject(GoObject):
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


class KubeVersion(GoObject):
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


class ApiVersions(GoObject):
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


def go_kind(value: Any) -> str | None:
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


def text_of(value: Any) -> Any:
    """A string argument's text (a chart file's content for a :class:`FileText`)."""
    if isinstance(value, FileText):
        return value.text()
    if isinstance(value, str):
        return value
    return UNKNOWN


def strval(value: Any) -> str:
    """Sprig's ``toString``."""
    if isinstance(value, str):
        return value
    if isinstance(value, FileText):
        return value.text()
    return go_format(value)


def deep_equal(a: Any, b: Any) -> bool:
    """Go's ``reflect.DeepEqual`` on template data: types must match (``1`` is not ``1.0``)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(deep_equal(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(deep_equal(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


# -- globs, as .Files.Glob matches --------------------------------------------------------------


def glob_matcher(pattern: str) -> Callable[[str], bool]:
    """``.Files.Glob``'s matching (``github.com/gobwas/glob`` with ``/`` as separator): ``*``
    any run of characters but ``/``, ``**`` any run, ``?`` one character but ``/``, ``[…]``
    (``[!…]`` negated) a character class, ``{a,b}`` alternatives, ``\\`` an escape; the whole
    name must match. A pattern that does not compile matches every file, as in Helm."""
    try:
        return compile_glob(pattern, gobwas=True)
    except ValueError:
        return lambda name: True


# -- failures and joined output ------------------------------------------------------------------


class Failed(Exception):
    """``fail`` ran: Helm stops rendering."""


def joined(pieces: list[Any]) -> Any:
    """Printed pieces as one value: a string when all are text; with an unknown piece, the
    chart files printed and :data:`UNKNOWN` as :class:`Rendered` (just :data:`UNKNOWN` without
    files); else :class:`Rendered` of them all."""
    if all(isinstance(piece, str) for piece in pieces):
        return "".join(pieces)
    if any(piece is UNKNOWN for piece in pieces):
        files = [p for p in pieces if isinstance(p, FileText | FileData | FilePart | FileObject)]
        return Rendered([*files, UNKNOWN]) if files else UNKNOWN
    return Rendered(pieces)
