"""``python -m crdoc``: the command line."""

from crdoc.cli import main

main()
