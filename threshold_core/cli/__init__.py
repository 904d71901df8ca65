"""The ``threshold`` command line (layer 9: nothing imports it).

Thin commands over the library API; :data:`COMMANDS` lists them by dotted path
and the group imports each only when it runs. Exit codes are :class:`ExitCode`.

Every name loads on first use (PEP 562): the console script's target,
:func:`._client.main`, runs before click or anything else is imported, and hands
the command to a running server when one answers (``threshold server``).
"""

from __future__ import annotations

TYPE_CHECKING = False  # (``typing`` is not imported: the client runs before it)
if TYPE_CHECKING:
    from typing import Any

    from ._app import COMMANDS, ExitCode, Options, cli, main
    from ._codecache import CodeCache, cache_dir, installation, installed
    from ._new import plugin_names, render_plugin, scaffold_plugin
    from ._recache import RegexCache

#: The module of each name. The command group's module comes after :mod:`._startup`,
#: which pauses the collector for the ``threshold`` process before click is imported.
_LAZY = {"COMMANDS": "_app", "ExitCode": "_app", "Options": "_app", "cli": "_app",
         "main": "_app",
         "plugin_names": "_new", "render_plugin": "_new", "scaffold_plugin": "_new",
         "CodeCache": "_codecache", "cache_dir": "_codecache", "installation": "_client",
         "installed": "_codecache", "RegexCache": "_recache"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        importlib.import_module(f"{__name__}._startup")
        value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "COMMANDS", "CodeCache", "ExitCode", "Options", "RegexCache", "cache_dir", "cli",
    "installation",
    "installed", "main",
    "plugin_names", "render_plugin", "scaffold_plugin",
]
