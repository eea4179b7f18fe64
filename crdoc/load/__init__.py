"""Loading: from a source (chart folder, ``.tgz``, CRD file or folder, URL) to a
:class:`~crdoc.model.Catalog`.

- :mod:`~crdoc.load.limits` bounds what is read from a hostile source;
- :mod:`~crdoc.load.sources` finds the files of a chart, its subcharts and archives;
- :mod:`~crdoc.load.templating` turns Go-templated YAML into plain YAML, line for line;
- :mod:`~crdoc.load.gotemplate` parses Go templates, :mod:`~crdoc.load.evaluation` evaluates
  their expressions in three values, :mod:`~crdoc.load.values` builds chart values as Helm does
  (``-f``, ``--set``), :mod:`~crdoc.load.semver` reads version constraints as Helm does;
- :mod:`~crdoc.load.guards` finds the conditions around each CRD and chooses between two
  definitions of one; :mod:`~crdoc.load.helm` is Helm's view of a source's charts (values,
  ``.Files``, the chart files templates pull in); :mod:`~crdoc.load.dependencies` fetches
  subcharts a chart declares but does not vendor;
- :mod:`~crdoc.load.yamlio` parses YAML and JSON safely, with line numbers;
- :mod:`~crdoc.load.crds` reads CustomResourceDefinitions, and :mod:`~crdoc.load.schema`
  walks their OpenAPI schemas into fields;
- :mod:`~crdoc.load.loader` chains them: :func:`~crdoc.load.loader.load`.
"""

#: The Kubernetes version templates see (``.Capabilities.KubeVersion``) unless ``--kube-version``
#: says otherwise: the newest crdoc knows, as ``helm template`` defaults to the newest its
#: Kubernetes client library knows.
DEFAULT_KUBE_VERSION = "v1.34.0"
