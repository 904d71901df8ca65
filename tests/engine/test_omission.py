"""Omission never helps: withholding a section or a list never gives a better verdict.

Order of verdicts: qualified > watch > not_qualified; insufficient_data (and error)
is never better than anything. The guarantee is the configuration's
``policy.missing_compliance_data = "block"``: a rule that could not be evaluated for
lack of data blocks qualification, so a company cannot escape a finding by not
disclosing what the rule reads. Checked on every example company (every removal) and
on at least 500 seeded synthetic profiles (hypothesis draws the profile and the
removal).
"""

from __future__ import annotations

import tomllib
from typing import Any

import pytest
from helpers import graded_examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from threshold_core import Engine, build_config
from threshold_core.load import profile_from_data
from threshold_core.portfolio import synthetic_portfolio

RANK = {"qualified": 3, "watch": 2, "not_qualified": 1}


def better(reduced: str, full: str) -> bool:
    """True when ``reduced`` is a better verdict than ``full``."""
    if reduced not in RANK:  # insufficient_data and error are never better
        return False
    if full not in RANK:  # a graded verdict where full disclosure gave none
        return True
    return RANK[reduced] > RANK[full]


def removals(doc: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every profile with one section, one list, or one list or table inside a section left out."""
    out = []
    for key, value in doc.items():
        if key in ("id", "name"):
            continue
        out.append((key, {k: v for k, v in doc.items() if k != key}))
        if isinstance(value, dict):
            for inner, v in value.items():
                if isinstance(v, (list, dict)):
                    section = {k: x for k, x in value.items() if k != inner}
                    out.append((f"{key}.{inner}", {**doc, key: section}))
    return out


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(build_config({"plugins": {"autoload": False},
                                "policy": {"missing_compliance_data": "block"}}))


def verdict(engine: Engine, doc: dict[str, Any]) -> str:
    return str(engine.evaluate(profile_from_data(doc, doc["id"])).verdict)


@pytest.mark.parametrize("path", sorted(graded_examples().glob("*.toml")),
                         ids=lambda p: p.stem)
def test_no_removal_improves_an_example(engine: Engine, path: Any) -> None:
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    full = verdict(engine, doc)
    for name, reduced in removals(doc):
        got = verdict(engine, reduced)
        assert not better(got, full), f"{path.stem} without {name}: {full} -> {got}"


@settings(max_examples=600, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), pick=st.integers(0, 10_000))
def test_no_removal_improves_a_synthetic_profile(engine: Engine, seed: int, pick: int) -> None:
    doc = next(iter(synthetic_portfolio(1, seed=seed)))
    options = removals(doc)
    name, reduced = options[pick % len(options)]
    full, got = verdict(engine, doc), verdict(engine, reduced)
    assert not better(got, full), f"seed {seed} without {name}: {full} -> {got}"
