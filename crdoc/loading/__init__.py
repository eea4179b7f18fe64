"""Loading: from a source (chart folder, ``.tgz``, CRD file or folder, URL) to a
:class:`~crdoc.model.Catalog`.

- :mod:`~crdoc.loading.limits` bounds what is read from a hostile source;
- :mod:`~crdoc.loading.sources` finds the files of a chart, its subcharts and archives;
- :mod:`~crdoc.loading.helm.templating` turns Go-templated YAML into plain YAML, line for line;
- :mod:`~crdoc.loading.helm.gotemplate` parses Go templates, :mod:`~crdoc.loading.helm.evaluator` evaluates
  their expressions in three values, :mod:`~crdoc.loading.helm.values` builds chart values as Helm does
  (``-f``, ``--set``), :mod:`~crdoc.loading.helm.semver` reads version constraints as Helm does;
- :mod:`~crdoc.loading.helm.guards` finds the conditions around each CRD and chooses between two
  definitions of one; :mod:`~crdoc.loading.helmview` is Helm's view of a source's charts (values,
  ``.Files``, the chart files templates pull in); :mod:`~crdoc.loading.helm.dependencies` fetches
  subcharts a chart declares but does not vendor;
- :mod:`~crdoc.loading.yamlio` parses YAML and JSON safely, with line numbers;
- :mod:`~crdoc.loading.crds` reads CustomResourceDefinitions, and :mod:`~crdoc.loading.schema`
  walks their OpenAPI schemas into fields;
- :mod:`~crdoc.loading.loader` chains them: :func:`~crdoc.loading.loader.load`.
"""

#: The Kubernetes version templates see (``.Capabilities.KubeVersion``) unless ``--kube-version``
#: says otherwise: the newest crdoc knows, as ``helm template`` defaults to the newest its
#: Kubernetes client library knows.
DEFAULT_KUBE_VERSION = "v1.34.0"
