"""The README and docs/ name modules that exist (issue 19 moved every module once).

A path such as ``threshold_core/model/_sources.py`` must be a file of the repository, and
a dotted name such as ``threshold_core.reports.blocks`` must import (a module, then its
attributes), unless it is a built-in plugin's name (``threshold_core.policy``), which
configurations and traces use and which is not a module.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from threshold_core.engine import BUILTIN_PLUGINS

ROOT = Path(__file__).resolve().parent.parent
DOCS = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")])

_PATH = re.compile(r"threshold_core/[\w/]+\.py")
_DOTTED = re.compile(r"(?<![\w/.])threshold_core(?:\.[A-Za-z_]\w*)+")


def _resolves(name: str) -> bool:
    """``name`` is a module, or a module followed by attributes."""
    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        try:
            for attr in parts[i:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return False
        return True
    return False


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_module_a_document_names_exists(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    missing = sorted({m.group(0) for m in _PATH.finditer(text)
                      if not (ROOT / m.group(0)).is_file()})
    unresolved = sorted({m.group(0) for m in _DOTTED.finditer(text)
                         if m.group(0) not in BUILTIN_PLUGINS and not _resolves(m.group(0))})
    assert (missing, unresolved) == ([], [])
