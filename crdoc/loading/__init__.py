"""Loading: from a source (chart folder, ``.tgz``, CRD file or folder, URL) to a
:class:`~crdoc.model.Catalog`.

- :mod:`~crdoc.loading.limits` bounds what is read from a hostile source;
- :mod:`~crdoc.loading.sources` finds the files of a chart, its subcharts and archives, and
  :mod:`~crdoc.loading.downloads` fetches those given by URL;
- :mod:`~crdoc.loading.helm` emulates what Helm does to a chart that matters to its CRDs:
  Go-templated YAML read line for line, template conditions evaluated in three values, values
  built as Helm builds them, declared subcharts fetched;
  :mod:`~crdoc.loading.helmview` is Helm's view of a source's charts (values, ``.Files``, the
  chart files templates pull in);
- :mod:`~crdoc.loading.yamlio` parses YAML and JSON safely, with line numbers;
- :mod:`~crdoc.loading.crds` reads CustomResourceDefinitions, and :mod:`~crdoc.loading.schema`
  walks their OpenAPI schemas into fields;
- :mod:`~crdoc.loading.loader` chains them: :func:`~crdoc.loading.loader.load`.
"""

#: The Kubernetes version templates see (``.Capabilities.KubeVersion``) unless ``--kube-version``
#: says otherwise: the newest crdoc knows, as ``helm template`` defaults to the newest its
#: Kubernetes client library knows.
DEFAULT_KUBE_VERSION = "v1.34.0"
