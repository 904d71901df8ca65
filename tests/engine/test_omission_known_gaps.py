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


@pytest.mark.xfail(strict=True, reason="open: an expected market value is accepted without a "
                   "listing application on record")
def test_a_private_companys_expected_market_value_is_not_taken_at_face_value() -> None:
    doc = {"id": "emv", "name": "EMV Co", "as_of": "2026-06-30",
           "valuation": {"amount": 4.5e9, "currency": "CNY", "basis": "expected_market_value",
                         "as_of": "2026-06-30", "source": "the company's own estimate"},
           "listing": {"status": "private", "source": "company statement"}}
    assert not decide(doc).gate.passed


@pytest.mark.xfail(strict=True, reason="open: `verified` left out reads as true")
def test_verified_left_out_is_not_presumed_true() -> None:
    full = next(d for d in synthetic_portfolio(400, seed=3) if d["id"] == "synth-000310")
    doc = copy.deepcopy(full)
    doc.pop("verified", None)
    rules = {o.rule: o for o in decide(doc).findings}
    assert "DIS-001" in rules
