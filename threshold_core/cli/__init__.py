"""The ``threshold`` command line (layer 9: nothing imports it).

Thin commands over the library API; :data:`COMMANDS` lists them by dotted path
and the group imports each only when it runs. Exit codes are :class:`ExitCode`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import _startup  # noqa: F401  (the threshold process: the collector paused at once)
from ._app import COMMANDS, ExitCode, Options, cli, main

if TYPE_CHECKING:
    from ._codecache import CodeCache, cache_dir, installation, installed
    from ._new import plugin_names, render_plugin, scaffold_plugin
    from ._recache import RegexCache

#: Names loaded on first use (PEP 562), so a command imports neither the
#: scaffolding nor the generated-code cache until it needs them.
_LAZY = {"plugin_names": "_new", "render_plugin": "_new", "scaffold_plugin": "_new",
         "CodeCache": "_codecache", "cache_dir": "_codecache", "installation": "_codecache",
         "installed": "_codecache", "RegexCache": "_recache"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "COMMANDS", "CodeCache", "ExitCode", "Options", "RegexCache", "cache_dir", "cli",
    "installation",
    "installed", "main",
    "plugin_names", "render_plugin", "scaffold_plugin",
]
