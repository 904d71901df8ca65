"""Helpers shared by the test modules (import as ``from helpers import ...``).

The reusable ones live in :mod:`threshold_core.testing`, the pytest plugin that
threshold ships for plugin authors; they are re-exported here so that the
suite keeps one import line.
"""

from __future__ import annotations

from pathlib import Path

from threshold_core.testing import (
    BUILTIN_DIMENSIONS,
    OPTIONAL_BUILTINS,
    bare_config,
    bare_engine,
    write_distribution,
)

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"

__all__ = [
    "BUILTIN_DIMENSIONS",
    "EXAMPLES",
    "OPTIONAL_BUILTINS",
    "REPO",
    "bare_config",
    "bare_engine",
    "write_distribution",
]
