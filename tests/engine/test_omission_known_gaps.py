"""Omission cases a new user found that the engine does not handle yet, pinned as strict xfails.

Each says what the README's "Omission never helps" section lists as open: when one is
fixed its test passes, the strict xfail fails, and the README's list must lose the case.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from threshold_core import Engine, build_config
from threshold_core.load import profile_from_data
from threshold_core.portfolio import synthetic_portfolio

ENGINE = Engine(build_config({"plugins": {"autoload": False}}))
ORDER = {"qualified": 3, "watch": 2, "not_qualified": 1, "insufficient_data": 0, "error": -1}


def decide(doc: dict[str, Any]) -> Any:
    return ENGINE.evaluate(profile_from_data(doc, doc["id"]))


def test_a_private_companys_expected_market_value_is_not_taken_at_face_value() -> None:
    doc = {"id": "emv", "name": "EMV Co", "as_of": "2026-06-30",
           "valuation": {"amount": 4.5e9, "currency": "CNY", "basis": "expected_market_value",
                         "as_of": "2026-06-30", "source": "the company's own estimate"},
           "listing": {"status": "private", "source": "company statement"}}
    assert not decide(doc).gate.passed


def test_verified_left_out_is_not_presumed_true() -> None:
    full = next(d for d in synthetic_portfolio(400, seed=3) if d["id"] == "synth-000310")
    doc = copy.deepcopy(full)
    doc.pop("verified", None)
    rules = {o.rule: o for o in decide(doc).findings}
    assert "DIS-001" in rules


def rule_outcome(doc: dict[str, Any], rule: str) -> Any:
    (outcome,) = [o for e in decide(doc).trace for o in getattr(e, "rules", ()) if o.rule == rule]
    return outcome


def metric_raw(doc: dict[str, Any], name: str) -> float:
    (raw,) = [m.raw for d in decide(doc).dimensions for m in d.evidence if m.metric == name]
    assert raw is not None
    return float(raw)


BASE = {"id": "gap", "name": "Gap Co", "as_of": "2026-06-30", "verified": True}


@pytest.mark.xfail(strict=True, reason="open: an investor's tier left out is its type's tier, "
                   "which for a vc presumes a top-tier fund")
def test_an_investors_tier_left_out_is_not_its_types_best() -> None:
    investors = [{"name": "State", "type": "state_fund",
                  "amount": {"amount": 1e9, "currency": "CNY"}},
                 {"name": "Small VC", "type": "vc", "tier": 1,
                  "amount": {"amount": 1e9, "currency": "CNY"}}]
    full = {**BASE, "investors": investors}
    withheld = copy.deepcopy(full)
    del withheld["investors"][1]["tier"]
    assert metric_raw(withheld, "investor_quality") <= metric_raw(full, "investor_quality")


@pytest.mark.xfail(strict=True, reason="open: a filing's status left out reads as active")
def test_a_filings_status_left_out_is_not_in_force() -> None:
    full = {**BASE, "services": [{"name": "Chat", "kind": "generative"}],
            "filings": [{"regime": "CAC_GENAI_FILING", "service": "Chat",
                         "filing_number": "Beijing-Chat-20230821", "status": "cancelled"}],
            "registry_checks": {"CAC_GENAI_FILING": {"checked_on": "2026-06-20"}}}
    withheld = copy.deepcopy(full)
    del withheld["filings"][0]["status"]
    assert str(rule_outcome(full, "FIL-001").status) == "fired"
    assert str(rule_outcome(withheld, "FIL-001").status) != "passed"


@pytest.mark.xfail(strict=True, reason="open: a safety result's `independent` left out reads as "
                   "false, so a result that would veto is only high")
def test_a_safety_results_independence_left_out_is_not_presumed_false() -> None:
    run = {"suite": "TC260-bank", "unsafe_compliance_pct": 60.0, "n_prompts": 5000,
           "independent": True}
    full = {**BASE, "evaluations": {"safety": [run]}}
    withheld = copy.deepcopy(full)
    del withheld["evaluations"]["safety"][0]["independent"]
    assert str(rule_outcome(full, "ETH-002").severity) == "critical"
    assert str(rule_outcome(withheld, "ETH-002").status) == "not_evaluated"


@pytest.mark.xfail(strict=True, reason="open: the financials' currency left out reads as CNY, "
                   "above HKD in the FX table")
def test_the_financials_currency_left_out_is_not_the_favourable_one() -> None:
    fin = {"currency": "HKD", "revenue": 2e9, "rnd_expense": 1e9, "source": "filing"}
    full = {**BASE, "financials": fin}
    withheld = copy.deepcopy(full)
    del withheld["financials"]["currency"]
    assert metric_raw(withheld, "rnd_spend") <= metric_raw(full, "rnd_spend")
