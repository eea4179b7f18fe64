"""crdoc: reference documentation for the Kubernetes CustomResourceDefinitions in Helm charts.

The pipeline, one module a step:

- :mod:`crdoc.load.sources` finds the files of a chart, archive, folder or URL;
- :mod:`crdoc.load.templating` turns Go-templated YAML into plain YAML, line for line;
- :mod:`crdoc.load.yamlio` parses YAML safely, with line numbers;
- :mod:`crdoc.load.crds` and :mod:`crdoc.load.schema` read CRDs and walk their schemas into
  :mod:`crdoc.model`, a frozen tree that renderers only read;
- :mod:`crdoc.load.loader` chains them: :func:`load` gives a :class:`Catalog`;
- :mod:`crdoc.publish.dump` writes the model as JSON or text (``crdoc inspect``).
"""

from __future__ import annotations

import gc

# Importing builds tens of thousands of objects (click, PyYAML, these modules) and no garbage:
# collecting meanwhile only rescans them (~7% of a small chart's whole `crdoc inspect`).
_collecting = gc.isenabled()
gc.disable()
try:
    from crdoc.errors import CrdocError
    from crdoc.load.limits import Limits
    from crdoc.load.loader import LoadOptions, load
    from crdoc.model import Catalog, ChartInfo, Crd, Field, Version
finally:
    if _collecting:
        gc.enable()

__all__ = [
    "Catalog",
    "ChartInfo",
    "Crd",
    "CrdocError",
    "Field",
    "Limits",
    "LoadOptions",
    "Version",
    "load",
]
