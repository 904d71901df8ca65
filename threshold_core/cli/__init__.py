"""The ``threshold`` command line (layer 9: nothing imports it).

Thin commands over the library API; :data:`COMMANDS` lists them by dotted path
and the group imports each only when it runs. Exit codes are :class:`ExitCode`.
"""

from __future__ import annotations

from ._app import COMMANDS, ExitCode, Options, cli, main
from ._new import plugin_names, render_plugin, scaffold_plugin

__all__ = [
    "COMMANDS", "ExitCode", "Options", "cli", "main", "plugin_names", "render_plugin",
    "scaffold_plugin",
]
