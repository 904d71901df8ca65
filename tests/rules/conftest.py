"""Helpers for the built-in rule-pack tests.

Every test goes through the real engine: the packs are registered by the plugin
manager from ``BUILTIN_PLUGINS`` and configured from a TOML file written to a
temporary folder. The three dimensions whose scorers may not exist yet are given
weight 0, so the engine builds whatever state the scorers are in; rule outcomes
are read from the decision's trace.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from threshold_core.engine import Engine
from threshold_core.load import load_config, profile_from_data
from threshold_core.model import Decision, EventKind, RuleOutcome

#: Evaluation date of the test profiles unless a case sets its own ``as_of``.
AS_OF = date(2026, 6, 30)

BASE_CONFIG = """\
[dimensions.application_stickiness]
weight = 0
[dimensions.institutional_backing]
weight = 0
[dimensions.regulatory_readiness]
weight = 0
"""


def write_config(folder: Path, extra: str = "") -> Path:
    path = folder / "threshold.toml"
    path.write_text(BASE_CONFIG + extra, encoding="utf-8")
    return path


def outcome_of(decision: Decision, rule_id: str) -> RuleOutcome:
    """The outcome of one rule, from the decision's trace."""
    for event in decision.trace:
        if event.kind is EventKind.RULE_PACK:
            for outcome in event.rules:
                if outcome.rule == rule_id:
                    return outcome
    raise AssertionError(f"{rule_id} is not in the trace")


@pytest.fixture(scope="session")
def default_engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return Engine(load_config(write_config(tmp_path_factory.mktemp("config"))))


@pytest.fixture
def make_engine(tmp_path: Path) -> Callable[[str], Engine]:
    """Build an engine from ``threshold.toml`` = the base config + ``extra`` TOML."""

    def make(extra: str = "") -> Engine:
        return Engine(load_config(write_config(tmp_path, extra)))

    return make


@pytest.fixture
def evaluate(default_engine: Engine) -> Callable[..., Decision]:
    """Evaluate a minimal profile made of ``data`` (id, name and as_of filled in)."""

    def run(data: Mapping[str, Any], engine: Engine | None = None) -> Decision:
        doc = {"id": "test-co", "name": "Test Co", "as_of": AS_OF, **data}
        return (engine or default_engine).evaluate(profile_from_data(doc))

    return run


@pytest.fixture
def check(evaluate: Callable[..., Decision]) -> Callable[..., RuleOutcome]:
    """Evaluate ``data`` and return the outcome of ``rule_id``."""

    def run(rule_id: str, data: Mapping[str, Any], engine: Engine | None = None) -> RuleOutcome:
        return outcome_of(evaluate(data, engine), rule_id)

    return run
