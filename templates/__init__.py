"""crdoc's default Jinja2 templates (data only; shipped in the wheel as ``crdoc.templates``)."""
