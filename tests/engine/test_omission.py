"""Omission never helps: withholding a section or a list never gives a better verdict.

Order of verdicts: qualified > watch > not_qualified. ``insufficient_data`` (and
``error``) is never better than anything, and ``not_qualified``, the worst graded
verdict, is never better either (a firm "no" instead of "undecided" rewards nobody).

The guarantee holds under every ``policy.missing_compliance_data`` setting, the
default ``lower_confidence`` included: a rule of severity medium or worse that could
not be evaluated is counted at its most severe (an *assumed* finding; a critical
one leaves the decision ``insufficient_data``), so a company cannot escape a finding
by not disclosing what the rule reads; ``block`` is stricter still. Checked on every
example company, with and without the graded test fixtures (every removal), and on
500 seeded synthetic profiles per setting (one removal each, chosen by the seed),
under the default grade bands and under looser ones that spread the verdicts.
"""

from __future__ import annotations

import collections
import copy
import random
import tomllib
from pathlib import Path
from typing import Any

import pytest
from helpers import EXAMPLES, graded_examples

from threshold_core import Engine, build_config
from threshold_core.load import profile_from_data
from threshold_core.portfolio import synthetic_portfolio

RANK = {"qualified": 3, "watch": 2, "not_qualified": 1}
POLICIES = ("lower_confidence", "block")
#: Looser bands than the defaults, so that synthetic profiles reach watch and qualified
#: and a removal has something to improve (the guarantee holds under any bands).
LOOSE = [{"name": "Q", "min_score": 45, "verdict": "qualified"},
         {"name": "W", "min_score": 30, "verdict": "watch"},
         {"name": "NQ", "min_score": 0, "verdict": "not_qualified"}]
SYNTHETIC = 500


def better(reduced: str, full: str) -> bool:
    """True when ``reduced`` is a better verdict than ``full``."""
    if reduced not in ("qualified", "watch"):  # not_qualified, insufficient_data, error
        return False
    return full not in RANK or RANK[reduced] > RANK[full]


def test_the_order_of_verdicts() -> None:
    assert better("watch", "not_qualified") and better("watch", "insufficient_data")
    assert better("qualified", "watch") and not better("watch", "watch")
    assert not better("insufficient_data", "not_qualified")
    assert not better("not_qualified", "insufficient_data")


#: The dates a section may leave out (its ``as_of``, a screening's ``checked_on``); the
#: investment screening's ``checked_on`` is required, so leaving it out is an input error.
DATES = ("as_of", "checked_on")
REQUIRED_DATES = ("investment_screening.checked_on",)


def removals(doc: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every profile with one section, one list, one list or table inside a section, or one
    optional date of a section or of a table inside it (``registry_checks.<REGIME>``) left
    out."""
    out = []
    for key, value in doc.items():
        if key in ("id", "name"):
            continue
        out.append((key, {k: v for k, v in doc.items() if k != key}))
        if isinstance(value, dict):
            for inner, v in value.items():
                path = f"{key}.{inner}"
                if isinstance(v, (list, dict)) or (inner in DATES and path not in
                                                   REQUIRED_DATES):
                    section = {k: x for k, x in value.items() if k != inner}
                    out.append((path, {**doc, key: section}))
                if isinstance(v, dict):
                    for date_key in DATES:
                        if date_key in v:
                            table = {k: x for k, x in v.items() if k != date_key}
                            out.append((f"{path}.{date_key}",
                                        {**doc, key: {**value, inner: table}}))
    return out


def engine_for(policy: str, *, loose: bool = False) -> Engine:
    settings: dict[str, Any] = {"missing_compliance_data": policy}
    if loose:
        settings.update(grades=LOOSE, max_illustrative_share=1.0)
    return Engine(build_config({"plugins": {"autoload": False}, "policy": settings}))


@pytest.fixture(scope="module", params=POLICIES)
def engine(request: pytest.FixtureRequest) -> Engine:
    return engine_for(request.param)


def verdict(engine: Engine, doc: dict[str, Any]) -> str:
    return str(engine.evaluate(profile_from_data(doc, doc["id"])).verdict)


def example_paths() -> list[Path]:
    return [*sorted(graded_examples().glob("*.toml")),
            *sorted((EXAMPLES / "companies").glob("*.toml"))]


@pytest.mark.parametrize("path", example_paths(),
                         ids=lambda p: f"{p.stem}-{'fixture' if 'graded' in str(p) else 'shipped'}")
def test_no_removal_improves_an_example(engine: Engine, path: Path) -> None:
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    full = verdict(engine, doc)
    for name, reduced in removals(doc):
        got = verdict(engine, reduced)
        assert not better(got, full), f"{path.stem} without {name}: {full} -> {got}"


def decidable(doc: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """A synthetic profile made decidable: above the line, screened, its evaluations sized.

    Most raw synthetic profiles fall below the line or leave a vetoing rule unchecked, so
    every removal would leave them where they are; these reach every verdict.
    """
    doc = copy.deepcopy(doc)
    doc["valuation"] = {**doc["valuation"], "currency": "CNY", "as_of": "2026-06-01",
                        "amount": round(10 ** rng.uniform(9.7, 11.0), -3)}
    doc["investment_screening"] = {
        "checked_on": "2026-06-20", "source": "synthetic", "covered_foreign_person": True,
        "ns_cmic_listed": False, "section_1260h_listed": False, "sdn_listed": False,
        "listed_owners_pct": 0, "max_training_flops": 1e24, "biological_sequence_data": False,
        "ai_end_uses": [],
    }
    doc["eu_exposure"] = {"serves_eu_users": False, "gpai_provider": False,
                          "prohibited_uses": [], "source": "synthetic"}
    for service in doc.get("services", []):
        service["public_opinion"] = rng.random() < 0.2
    for suite in doc.get("evaluations", {}).get("safety", []):
        suite.setdefault("n_benign", 250)
        suite.setdefault("n_unsafe", 200)
    return doc


@pytest.mark.parametrize("policy", POLICIES)
def test_no_removal_improves_a_synthetic_profile(policy: str) -> None:
    """500 seeded profiles per setting, each with one removal the seed picks."""
    engines = (engine_for(policy), engine_for(policy, loose=True))
    seen: collections.Counter[str] = collections.Counter()
    for seed in range(SYNTHETIC):
        rng = random.Random(seed)
        doc = decidable(next(iter(synthetic_portfolio(1, seed=seed))), rng)
        name, reduced = rng.choice(removals(doc))
        engine = engines[seed % 2]
        full, got = verdict(engine, doc), verdict(engine, reduced)
        seen[full] += 1
        assert not better(got, full), f"seed {seed} without {name}: {full} -> {got}"
    # Not vacuous: the full profiles reach graded verdicts a removal could have improved.
    assert seen["not_qualified"] >= 50 and seen["insufficient_data"] >= 50, seen
    if policy == "lower_confidence":
        assert seen["watch"] >= 10, seen


def test_removing_a_later_as_of_does_not_freshen_the_evidence() -> None:
    """A counterexample found by hand: a profile dated 2026-12-31 whose investment screening
    of 2026-06-01 is too old (the INV rules are not evaluated: insufficient_data) reaches
    watch if, without its as_of, it were evaluated at the FX table's 2026-06-30 instead.
    An undated profile cannot pass the gate (``[gate] require_date``), so it does not."""
    import sys

    sys.path.insert(0, str(Path(__file__).parents[1] / "rules"))
    from test_after_evaluation import BASE

    doc = copy.deepcopy(BASE)
    doc["valuation"]["as_of"] = "2026-06-01"
    doc["as_of"] = "2026-12-31"
    engine = engine_for("lower_confidence", loose=True)
    full = verdict(engine, doc)
    assert full == "insufficient_data"
    reduced = {k: v for k, v in doc.items() if k != "as_of"}
    assert not better(verdict(engine, reduced), full)


@pytest.mark.parametrize("policy", POLICIES)
def test_removing_the_profiles_as_of_never_improves_a_verdict(policy: str) -> None:
    """The profile's own date is an input like any other: 200 seeded profiles each
    evaluated with and without it."""
    engine = engine_for(policy, loose=True)
    for seed in range(200):
        doc = decidable(next(iter(synthetic_portfolio(1, seed=seed))), random.Random(seed))
        if "as_of" not in doc:
            continue
        reduced = {k: v for k, v in doc.items() if k != "as_of"}
        full, got = verdict(engine, doc), verdict(engine, reduced)
        assert not better(got, full), f"seed {seed} without as_of: {full} -> {got}"
        # Undated, it is never graded: at best insufficient_data, or a veto.
        assert got in ("insufficient_data", "not_qualified"), (seed, got)
