"""profile_from_data structures and finishes a profile in one generated pass once a process
has read a few (bare figures get their section's source and as_of, currency codes are
upper-cased, documented ranges hold): whatever a document holds, the profile built or the
problems reported (paths, messages, order) are those of structuring and then walking it.
"""

from __future__ import annotations

import copy
import importlib
from pathlib import Path
from typing import Any

import pytest
from helpers import deep, with_faults
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from threshold_core.errors import InputError
from threshold_core.load import profile_from_data, read_toml
from threshold_core.model import CompanyProfile
from threshold_core.portfolio import synthetic_portfolio

_profiles = importlib.import_module("threshold_core.load._profiles")
_fast = importlib.import_module("threshold_core.load._fast")
_converter = importlib.import_module("threshold_core.load._converter")

EXAMPLES = sorted((Path(__file__).parents[2] / "examples" / "companies").glob("*.toml"))
DOCS = [{k: v for k, v in d.items() if k != "extensions"} for d in synthetic_portfolio(5, seed=3)]

#: Values put anywhere: out of range, not a code, figure tables with and without their
#: own provenance, wrong types.
FAULTS = (-1, -0.5, 150.0, 1e300, 0, "usd", "\uff35\uff33\uff24", " eur ", "dollars", "", "text",
          {"value": 5.0}, {"value": 250.0, "source": "own"}, {"value": 1.0, "as_of": "2025-01-01"},
          True, None, [], {}, "2026-02-30", "2026-01-15")




def outcome(doc: Any, at_once: bool) -> Any:
    with pytest.MonkeyPatch.context() as mp:
        if at_once:
            mp.setattr(_fast, "GENERATE_AFTER", 0)
        else:
            mp.setattr(_profiles, "_at_once", lambda data: None)
        try:
            return deep(profile_from_data(copy.deepcopy(doc), "p.json"))
        except InputError as exc:
            return [(p.path, p.message) for p in exc.problems]




def test_valid_profiles_are_the_same_objects_either_way() -> None:
    docs = [*({k: v for k, v in read_toml(p).items() if k != "extensions"} for p in EXAMPLES),
            *({k: v for k, v in d.items() if k != "extensions"}
              for d in synthetic_portfolio(150, seed=21))]
    for doc in docs:
        assert outcome(doc, True) == outcome(doc, False)


def test_the_generated_pass_itself_builds_them() -> None:
    """Not the long way after a failed attempt: the one generated function builds each
    valid profile (the examples and 50 synthetic ones)."""
    function = _fast._generate(CompanyProfile, _converter.first_attempt(), True)
    assert function is not None
    docs = [*({k: v for k, v in read_toml(p).items() if k != "extensions"} for p in EXAMPLES),
            *({k: v for k, v in d.items() if k != "extensions"}
              for d in synthetic_portfolio(50, seed=22))]
    for doc in docs:
        assert deep(function(doc, None, None)) == outcome(doc, False)


def test_bare_figures_take_their_sections_provenance_in_one_pass() -> None:
    doc = copy.deepcopy(DOCS[0])
    doc["financials"] = {**doc["financials"], "source": "annual report",
                         "as_of": "2025-12-31", "revenue": 5e8,
                         "cash": {"value": 1e8, "source": "bank"}}
    doc["valuation"] = {**doc["valuation"], "currency": "\uff55\uff53\uff44"}
    profile = profile_from_data(doc)
    assert outcome(doc, True) == outcome(doc, False) == deep(profile)
    fin = profile.financials
    assert fin is not None and fin.revenue is not None and fin.cash is not None
    assert (fin.revenue.source, str(fin.revenue.as_of)) == ("annual report", "2025-12-31")
    assert (fin.cash.source, str(fin.cash.as_of)) == ("bank", "2025-12-31")
    assert profile.valuation is not None and profile.valuation.currency == "USD"


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_fault_anywhere_gives_the_same_profile_or_problems(data: st.DataObject) -> None:
    doc = with_faults(data, DOCS, FAULTS)
    assert outcome(doc, True) == outcome(doc, False)
