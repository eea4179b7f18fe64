"""Reports on a catalog, as data that templates and the command line present:

- :mod:`~crdoc.reports.annotations`: the maintainers' annotations file, matched to the catalog;
- :mod:`~crdoc.reports.filters`: the include/exclude choice of groups, kinds, versions, fields;
- :mod:`~crdoc.reports.coverage`: documented and undocumented fields;
- :mod:`~crdoc.reports.limitations`: what does not work, or not everywhere;
- :mod:`~crdoc.reports.diff`: what changed between two releases, breaking or not.
"""
