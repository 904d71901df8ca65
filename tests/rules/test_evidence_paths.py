"""The evidence of every built-in rule is keyed by profile paths.

The trace's ``read`` list of a pack is the union of its rules' evidence keys, and
docs/hooks.md promises "a mapping of path to JSON values". Keys that were not paths
showed in the trace as fields read from the profile: ``max_age_months`` (freshness),
``age_months`` (VAL-003), ``max_training_flops``, ``ai_end_uses`` and
``listed_owners_pct`` (the INV rules, without their section), ``coverage_pct`` and
``source`` (CHIP-006) and a safety suite's name (ETH-001, ETH-002). Checked over every
example company, the sample profiles and 60 synthetic ones, the decidable sample with
each check dated after the evaluation date included.
"""

from __future__ import annotations

import re
import typing
from datetime import timedelta
from typing import Any

import attrs
from helpers import EXAMPLES
from test_after_evaluation import AT, BASE, CHECK_DATES, dated

from threshold_core import Engine
from threshold_core.load import load_profile, profile_from_data
from threshold_core.model import CompanyProfile, EventKind
from threshold_core.portfolio import synthetic_portfolio
from threshold_core.testing import RICH_PROFILE


def _table(tp: Any) -> type | None:
    """The attrs class a field holds (through ``X | None`` and ``tuple[X, ...]``)."""
    if attrs.has(tp):
        return typing.cast(type, tp)
    for arg in typing.get_args(tp):
        if (found := _table(arg)) is not None:
            return found
    return None


def is_path(key: str) -> bool:
    cls: type | None = CompanyProfile
    for part in key.split("."):
        if cls is None:  # inside a mapping (extensions, a dict field): any key
            return True
        name = re.sub(r"(\[\d*\])+$", "", part)
        hints = typing.get_type_hints(cls)
        if name not in hints:
            return False
        cls = _table(hints[name])
    return True


def test_is_path_knows_a_path():
    assert is_path("registry_checks.CAC_GENAI_FILING.checked_on")
    assert is_path("evaluations.safety[0]") and is_path("compute.accelerators")
    assert not is_path("max_age_months") and not is_path("XSTest")
    assert not is_path("investment_screening.coverage_pct")


def test_every_evidence_key_of_every_built_in_rule_is_a_profile_path():
    engine = Engine()
    profiles = [load_profile(p) for p in sorted((EXAMPLES / "companies").glob("*.toml"))]
    profiles += [profile_from_data(d) for d in (RICH_PROFILE, BASE)]
    profiles += [profile_from_data(d, d["id"]) for d in synthetic_portfolio(60, seed=7)]
    profiles += [profile_from_data(dated(BASE, where, key, AT + timedelta(days=1)))
                 for where, key in CHECK_DATES]
    bad: dict[tuple[str, str], int] = {}
    for profile in profiles:
        for event in engine.evaluate(profile).trace:
            if event.kind is not EventKind.RULE_PACK:
                continue
            assert all(is_path(k) for k in event.read), event.read
            for outcome in event.rules:
                for key in outcome.evidence:
                    if not is_path(key):
                        bad[(outcome.rule, key)] = bad.get((outcome.rule, key), 0) + 1
    assert not bad, bad
