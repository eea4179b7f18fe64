"""Helm emulation: what Helm would do to a chart, as far as its CRDs depend on it.

- :mod:`~crdoc.loading.helm.templating` turns Go-templated YAML into plain YAML, line for line;
- :mod:`~crdoc.loading.helm.gotemplate` parses Go templates (:mod:`~crdoc.loading.helm.records`
  is the base of their nodes);
- :mod:`~crdoc.loading.helm.context` holds what templates work on (``.Values``, ``.Chart``,
  ``.Files``, ``.Capabilities``, the third value ``UNKNOWN``) and Go's rules for truth and
  printing; :mod:`~crdoc.loading.helm.evaluator` runs templates over it, calling the Sprig and
  Helm functions of :mod:`~crdoc.loading.helm.functions`;
- :mod:`~crdoc.loading.helm.guards` finds the conditions around each CRD and chooses between
  two definitions of one;
- :mod:`~crdoc.loading.helm.values` builds chart values as Helm does (``-f``, ``--set``);
- :mod:`~crdoc.loading.helm.semver` reads version constraints as Helm does,
  :mod:`~crdoc.loading.helm.globs` matches ``.Files.Glob`` and ``.helmignore`` patterns, and
  :mod:`~crdoc.loading.helm.helmignore` reads ``.helmignore`` files;
- :mod:`~crdoc.loading.helm.dependencies` fetches subcharts a chart declares but does not vendor.

Nothing here reads a source: :mod:`crdoc.loading.sources` and :mod:`crdoc.loading.helmview`
use it.
"""
