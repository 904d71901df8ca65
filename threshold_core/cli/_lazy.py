"""A click group whose commands are imported only when they run (or are listed).

Commands are named by dotted path (``"threshold_core.cli._batch.batch"``), so the
group module imports no command module: there is no import cycle, and
``threshold --version`` or completing a command name imports none of them.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

import click


class LazyGroup(click.Group):
    """A :class:`click.Group` with commands given as ``{name: "package.module.attribute"}``."""

    def __init__(self, *args: Any, lazy_subcommands: Mapping[str, str] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_subcommands = dict(lazy_subcommands or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_subcommands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_subcommands:
            return self._load(cmd_name)
        return super().get_command(ctx, cmd_name)

    def _load(self, cmd_name: str) -> click.Command:
        modname, _, attr = self.lazy_subcommands[cmd_name].rpartition(".")
        command = getattr(importlib.import_module(modname), attr)
        if not isinstance(command, click.Command):  # pragma: no cover - a wrong table entry
            raise TypeError(f"{self.lazy_subcommands[cmd_name]} is not a click command")
        return command
