"""Helpers shared by the test modules (import as ``from helpers import ...``)."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from threshold_core import build_config, create_plugin_manager
from threshold_core.engine import Engine
from threshold_core.manager import BUILTIN_PLUGINS, ESSENTIAL_PLUGINS

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"

#: Every built-in that can be switched off: core tests run without them.
OPTIONAL_BUILTINS = tuple(p for p in BUILTIN_PLUGINS if p not in ESSENTIAL_PLUGINS)
BUILTIN_DIMENSIONS = (
    "technical_defensibility",
    "application_stickiness",
    "regulatory_readiness",
    "institutional_backing",
)


def bare_config(**extra: Any) -> Any:
    """A configuration with no built-in scorers or packs and one dimension, ``quality``."""
    data: dict[str, Any] = {
        "plugins": {"disable": list(OPTIONAL_BUILTINS), "autoload": False},
        "dimensions": {d: {"weight": 0} for d in BUILTIN_DIMENSIONS} | {"quality": {"weight": 1}},
    }
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return build_config(data)


def bare_engine(*plugins: tuple[str, object], **extra: Any) -> Engine:
    """An engine with only the essential built-ins plus ``plugins`` (name, plugin) pairs."""
    config = bare_config(**extra)
    return Engine(config, create_plugin_manager(config, extra=plugins))


def write_distribution(
    site: Path, dist: str, version: str, module: str, source: str,
    entry_points: dict[str, str],
) -> Path:
    """Install a tiny distribution by hand: a module plus its ``.dist-info`` folder.

    ``site`` then works as a ``sys.path`` entry, exactly like site-packages.
    """
    site.mkdir(parents=True, exist_ok=True)
    (site / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    info = site / f"{dist.replace('-', '_')}-{version}.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n", encoding="utf-8"
    )
    lines = ["[threshold]", *(f"{k} = {v}" for k, v in entry_points.items())]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (info / "RECORD").write_text("", encoding="utf-8")
    return site


