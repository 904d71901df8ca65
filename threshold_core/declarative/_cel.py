"""The CEL library, loaded without its CLI, and the messages of its parse errors."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

from ..errors import PluginError

# --------------------------------------------------------------------------- the CEL library


def cel_module() -> ModuleType:
    """The compiled CEL extension (``cel.cel``), imported without the package's CLI.

    ``import cel`` runs ``cel/__init__.py``, which imports ``cel.cli`` (typer,
    rich, prompt_toolkit: over 100 ms) before the extension. The extension
    itself needs none of it, so it is loaded straight from its file under its
    own name. A later ``import cel`` elsewhere still works (it finds
    ``cel.cel`` in ``sys.modules``).
    """
    loaded = sys.modules.get("cel.cel")
    if loaded is not None:
        return loaded
    spec = importlib.util.find_spec("cel")  # finds the package without importing it
    for folder in (spec.submodule_search_locations or ()) if spec else ():
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            candidate = Path(folder) / f"cel{suffix}"
            if not candidate.is_file():
                continue
            loader = importlib.machinery.ExtensionFileLoader("cel.cel", str(candidate))
            ext = importlib.util.spec_from_file_location("cel.cel", candidate, loader=loader)
            if ext is None:  # pragma: no cover - defensive
                break
            module = importlib.util.module_from_spec(ext)
            loader.exec_module(module)
            sys.modules["cel.cel"] = module
            return module
    try:  # an unusual layout: fall back to the package as published
        return importlib.import_module("cel.cel")
    except ImportError:
        raise PluginError(
            "threshold_core.declarative",
            "declarative rule packs need the package common-expression-language",
        ) from None


# --------------------------------------------------------------------------- its errors


def _short(exc: BaseException) -> str:
    text = str(exc).strip().strip("'\"") or type(exc).__name__
    first = text.split(". ", 1)[0].rstrip(".")
    return first if len(first) <= 160 else first[:157] + "..."


_CEL_ERROR = re.compile(r"<input>:(\d+):(\d+): (?:Syntax error: )?(.*)")


def _cel_problem(exc: Exception) -> tuple[int, int, str]:
    """(line, column, message) from the CEL library's parse error."""
    text = str(exc)
    m = _CEL_ERROR.search(text)
    if not m:
        return 1, 1, _short(exc)
    message = m.group(3).strip()
    if " expecting {" in message and len(message) > 80:
        message = message.split(" expecting {", 1)[0] + " (expecting an expression or operator)"
    return int(m.group(1)), int(m.group(2)), message


def _offset(source: str, line: int, col: int) -> int:
    starts = [0] + [i + 1 for i, c in enumerate(source) if c == "\n"]
    return min(starts[min(line, len(starts)) - 1] + col - 1, len(source))


def _position(source: str, offset: int) -> tuple[int, int]:
    line = source.count("\n", 0, offset) + 1
    col = offset - (source.rfind("\n", 0, offset) + 1) + 1
    return line, col

