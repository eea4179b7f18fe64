"""crdoc benchmark: whole-process time and peak memory against a YAML-parsing floor.

Run it with the interpreter of the venv crdoc is installed in::

    python bench/run.py [--quick] [--corpus PATH] [--out bench/RESULTS.md] [--budget SECONDS]

Inputs are the entries of the shared corpus and two scaled inputs generated into a temporary
folder (deleted afterwards) from the corpus's plain CRD documents, copied under renamed groups.
Every measurement is a whole process (interpreter start-up included): the floor is a process
that only reads the input's CRD files and parses them with libyaml; crdoc runs as
``python -m crdoc``. Floor and crdoc runs alternate, so noise on this shared machine hits both,
and every result is a ratio to the floor of the same input in the same run. Standard library
and PyYAML only.

Modules:

- ``run`` — the command line: options, ``main()`` and the run loop (the order of the phases);
- ``common`` — the repository's paths, the megabyte and the progress log;
- ``scripts`` — the child scripts run with ``python -c``: floor, launcher and profile;
- ``measure`` — measured processes: the launcher, ``Sample``, ``Series``, the child
  environment and the snapshot of crdoc's sources;
- ``inputs`` — the inputs: corpus entries and the scaled inputs generated from their CRDs;
- ``commands`` — the crdoc commands measured and one repetition on an input (``Bench``,
  ``Result``);
- ``profiling`` — the cProfile run of a crdoc command and its summary;
- ``peer`` — the comparison with mkdocs-crd-viewer;
- ``report`` — the tables and sections, and writing RESULTS.md.
"""
