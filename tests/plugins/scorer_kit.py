"""Helpers for the built-in scorer tests: real engines, profiles from plain data.

Scorers are reached the way a user reaches them: an :class:`Engine` built from a
configuration (the built-ins registered from the core's tuple), evaluating a
profile validated by :func:`profile_from_data`. The rule packs are switched off
here so that a scorer's dimension score is exactly what the scorer returned.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from threshold_core import Engine, build_config, profile_from_data
from threshold_core.engine import BUILTIN_PLUGINS
from threshold_core.model import CompanyProfile, DimensionResult, MetricScore

AS_OF = date(2026, 6, 30)

#: The built-in rule packs, disabled so the dimension score is the scorer's own.
RULE_PACKS = [p for p in BUILTIN_PLUGINS if p.startswith("threshold_rules.")]


def make_profile(**sections: Any) -> CompanyProfile:
    """A validated profile with the given top-level sections (as plain data)."""
    return profile_from_data({"id": "t", "name": "T", "as_of": AS_OF, **sections})


def scorer_engine(settings: Mapping[str, Any] | None = None) -> Engine:
    """An engine with the default configuration (rule packs off) plus ``settings``."""
    data: dict[str, Any] = {"plugins": {"disable": RULE_PACKS, "autoload": False}}
    if settings:
        data["settings"] = dict(settings)
    return Engine(build_config(data))


def dimension(engine: Engine, profile: CompanyProfile, name: str) -> DimensionResult:
    """The named dimension of the decision the engine reaches on ``profile``."""
    decision = engine.evaluate(profile)
    (found,) = [d for d in decision.dimensions if d.name == name]
    return found


def metric(result: DimensionResult, name: str) -> MetricScore:
    (found,) = [m for m in result.evidence if m.metric == name]
    return found


def assert_bad_value(run_cli: Callable[..., Any], folder: Path, text: str, path: str,
                     message: str) -> None:
    """``threshold evaluate`` on ``text`` exits 2 naming the file, ``path`` and ``message``."""
    bad = folder / "bad.toml"
    bad.write_text(text, encoding="utf-8")
    result = run_cli("evaluate", str(bad))
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if path in line]
    assert lines, result.stderr
    assert lines[0].startswith(f"{bad}: {path}") and message in lines[0]
    assert "Traceback" not in result.stderr
