"""Errors users see: each names the file and the path inside it.

The CLI prints one line per :class:`Problem` (``file: $.path: message``) and
maps :class:`InputError` to exit code 2 and :class:`PluginError` to exit code 3.
"""

from __future__ import annotations

from collections.abc import Iterable

from attrs import frozen


@frozen
class Problem:
    """One thing wrong with one place in a file."""

    #: JSONPath-like location, ``$`` for the whole document.
    path: str
    message: str


class ThresholdError(Exception):
    """Base class of the errors this package raises on purpose."""

    def lines(self) -> list[str]:
        """The error as one line per problem, ready for stderr."""
        return [str(self)]


class InputError(ThresholdError):
    """A profile, configuration or rule pack is invalid (exit code 2)."""

    def __init__(self, source: str, problems: Iterable[Problem]) -> None:
        self.source = source
        self.problems = tuple(problems)
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        return [f"{self.source}: {p.path}: {p.message}" for p in self.problems]


class InputErrors(ThresholdError):
    """Several invalid files at once."""

    def __init__(self, errors: Iterable[InputError]) -> None:
        self.errors = tuple(errors)
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        return [line for e in self.errors for line in e.lines()]


class PluginError(ThresholdError):
    """A plugin failed to load or is invalid (exit code 3)."""

    def __init__(self, plugin: str, message: str, distribution: str | None = None) -> None:
        self.plugin = plugin
        self.distribution = distribution
        self.message = message
        where = f"plugin {plugin!r}" + (f" (distribution {distribution})" if distribution else "")
        super().__init__(f"{where}: {message}")
