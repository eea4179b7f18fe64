"""Rendering: the model into Markdown pages through Jinja2 templates users may override.

- :mod:`~crdoc.render.environment`: the Jinja environment of a run, and the cache of compiled
  templates kept between runs;
- :mod:`~crdoc.render.markup`: escaping chart text as Markdown, and the template filters;
- :mod:`~crdoc.render.present`: facts in readable form (constraints, example manifests);
- :mod:`~crdoc.render.fields`: the per-field Markdown a page needs thousands of;
- :mod:`~crdoc.render.pages`: the pages of a reference, and where each lives.
"""
