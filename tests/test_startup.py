"""Start-up: what ``import crdoc.cli`` loads, module by module, in a fresh interpreter.

Every command pays for the modules the command line imports before it parses its arguments, so
``crdoc --help`` and ``crdoc inspect`` stay quick only while the heavy ones (Jinja, MkDocs,
Pygments, the CEL engine, ``urllib.request``) are imported where they are used. The test lists
modules rather than timing the import: a module that joins the start-up shows up by name, on
any machine, and the list is read in the diff when it changes on purpose.
"""

from __future__ import annotations

import json
import subprocess
import sys

#: The crdoc modules ``import crdoc.cli`` loads: the command line, its option table, and what
#: ``crdoc/__init__.py`` exposes (the loader and the model).
STARTUP_MODULES = {
    "crdoc",
    "crdoc.cli",
    "crdoc.errors",
    "crdoc.keywords",
    "crdoc.loading",
    "crdoc.loading.crds",
    "crdoc.loading.downloads",
    "crdoc.loading.helm",
    "crdoc.loading.helm.templating",
    "crdoc.loading.limits",
    "crdoc.loading.loader",
    "crdoc.loading.schema",
    "crdoc.loading.sources",
    "crdoc.loading.yamlio",
    "crdoc.model",
    "crdoc.options",
    "crdoc.reports",
    "crdoc.reports.filters",
}

#: Imported only by the commands, or the parts of them, that need them.
HEAVY = (
    "jinja2",
    "markupsafe",
    "mkdocs",
    "material",
    "pygments",
    "markdown",
    "cel",
    "urllib.request",
    "http.client",
    "tarfile",
)


def imported_by(statement: str) -> set[str]:
    """The modules a fresh interpreter has loaded after running ``statement``."""
    script = f"import json, sys; {statement}; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    return set(json.loads(done.stdout))


def test_import_crdoc_cli_loads_only_the_startup_modules() -> None:
    loaded = imported_by("import crdoc.cli")
    assert {name for name in loaded if name.split(".")[0] == "crdoc"} == STARTUP_MODULES
    heavy = sorted(
        name for name in loaded if any(name == h or name.startswith(h + ".") for h in HEAVY)
    )
    assert heavy == []
