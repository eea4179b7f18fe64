""".helmignore files, as Helm's ``pkg/ignore`` reads them: which chart-relative paths a chart
folder leaves out (a packaged chart already lacks them)."""

from __future__ import annotations

import posixpath
from typing import Any

from crdoc.errors import warn
from crdoc.loading.helm.globs import compile_glob


class IgnoreRule:
    """One ``.helmignore`` line, as Helm's ``pkg/ignore`` reads it."""

    __slots__ = ("pattern", "negate", "directories", "whole_path")

    def __init__(self, line: str) -> None:
        self.negate = line.startswith("!")
        line = line[1:] if self.negate else line
        self.directories = line.endswith("/")
        """Ends in ``/``: matches folders only."""
        line = line.rstrip("/")
        self.whole_path = "/" in line
        """Holds a ``/``: matched against the whole path, not the base name."""
        self.pattern = go_match(line.lstrip("/"))

    def matches(self, path: str) -> bool:
        """Whether the rule's pattern matches ``path`` (or its base name)."""
        name = path if self.whole_path else posixpath.basename(path)
        return bool(self.pattern(name))


class HelmIgnore:
    """A chart's ``.helmignore`` rules, as a test of chart-relative paths."""

    __slots__ = ("rules", "_folders", "_files")

    def __init__(self, rules: tuple[IgnoreRule, ...]) -> None:
        self.rules = rules
        """The file's rules in order, then Helm's own (``templates/.?*``)."""
        self._folders: dict[str, bool] = {}  # folder → ignored, it or one above it
        self._files: dict[str, bool] = {}  # asked again for .Files

    @classmethod
    def parse(cls, text: str, where: str) -> HelmIgnore:
        """The rules of a ``.helmignore`` file (``where``: its name in warnings), after which
        Helm always hides ``templates/.?*``."""
        rules = []
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if "**" in line:
                warn(f"{where}:{number}: '**' is not supported by Helm: rule ignored")
                continue
            rules.append(IgnoreRule(line))
        rules.append(IgnoreRule("templates/.?*"))  # Helm always hides these
        return cls(tuple(rules))

    def __call__(self, path: str) -> bool:
        """Whether ``path`` (chart-relative) is ignored, or any folder above it."""
        found = self._files.get(path)
        if found is None:
            folder, _, _ = path.rpartition("/")
            found = (bool(folder) and self._folder(folder)) or self._ignores(path, folder=False)
            self._files[path] = found
        return found

    def _folder(self, folder: str) -> bool:
        found = self._folders.get(folder)
        if found is None:
            above, _, _ = folder.rpartition("/")
            found = (bool(above) and self._folder(above)) or self._ignores(folder, folder=True)
            self._folders[folder] = found
        return found

    def _ignores(self, path: str, *, folder: bool) -> bool:
        for rule in self.rules:
            if rule.negate:
                # Helm's quirk: a negated rule ignores every path it does not match (and every
                # file, when it names folders).
                if (rule.directories and not folder) or not rule.matches(path):
                    return True
                continue
            if rule.directories and not folder:
                continue
            if rule.matches(path):
                return True
        return False


def go_match(pattern: str) -> Any:
    """Go's ``filepath.Match`` as a test of names (``*`` and ``?`` stop at ``/``; ``[^…]``
    negates a class; ``\\`` escapes); a pattern that does not compile matches nothing, as in
    Helm."""
    try:
        return compile_glob(pattern, gobwas=False)
    except ValueError:
        return lambda name: False
