"""Publishing a reference: files on disk and other tools' formats.

- :mod:`~crdoc.publish.output`: writing folders and files safely (never a file crdoc did not
  write);
- :mod:`~crdoc.publish.markdown`: GitHub-flavoured Markdown, a folder or a single file;
- :mod:`~crdoc.publish.site`: the MkDocs (mkdocs-material) site, and its navigation;
- :mod:`~crdoc.publish.releases`: multi-version sites (mike's layout);
- :mod:`~crdoc.publish.plugin`: the MkDocs plugin;
- :mod:`~crdoc.publish.inject`: the reference between markers in a README;
- :mod:`~crdoc.publish.jsonschema`: JSON Schemas for editors and validators, with
  :mod:`~crdoc.publish.defaulting` (branches judged after defaulting, as the API server does)
  and :mod:`~crdoc.goregex` (Go patterns in the dialect every validator reads);
- :mod:`~crdoc.publish.dump`: the model as JSON or text (``crdoc inspect``).
"""
