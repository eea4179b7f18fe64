"""The MkDocs config option classes the plugin's rows need beyond MkDocs' own: each is given
what it checks with, so it depends on nothing of crdoc's (the options table makes them, in
:meth:`crdoc.options.Kind.config_option`, only when the plugin asks)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mkdocs.config import config_options as c
from mkdocs.config.base import BaseConfigOption, ValidationError


class UrlFolderOption(c.Type[str]):
    """A relative URL folder such as ``reference/``, normalised by ``normalise`` (``None``
    for what is not one)."""

    def __init__(self, default: str, normalise: Callable[[str], str | None]) -> None:
        super().__init__(str, default=default)
        self.normalise = normalise

    def run_validation(self, value: object) -> str:
        text = self.normalise(super().run_validation(value))
        if text is None:
            raise ValidationError(f"expected a relative folder such as 'reference/', not {value!r}")
        return text


class Checked(BaseConfigOption[Any]):
    """A value checked as ``crdoc.yaml`` checks it (limits: ``{max_file_bytes: 512M}``):
    ``check`` returns its final form or raises :class:`ValueError`, worded after ``key``."""

    def __init__(self, key: str, check: Callable[[object], Any]) -> None:
        super().__init__()
        self.key = key
        self.check = check
        self.default = None

    def run_validation(self, value: object) -> Any:
        if value is None:
            return None
        try:
            return self.check(value)
        except ValueError as exc:
            raise ValidationError(f"{self.key} {exc}") from None
