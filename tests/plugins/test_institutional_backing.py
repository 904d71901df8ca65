"""The institutional_backing scorer, through a real engine."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scorer_kit import dimension, make_profile, metric, scorer_engine

from threshold_core import CompanyProfile, Engine, InputError, Verdict

DIM = "institutional_backing"
WEIGHTS = {"runway": 35, "investor_quality": 25, "lockup_remaining": 15, "overhang": 10,
           "down_round": 10, "strategic_dependence": 10, "capital_raised": 15, "listing": 10}
TOTAL = sum(WEIGHTS.values())
#: The profiles' date (scorer_kit.AS_OF): a lock-up of n months from here has n months left.
START = "2026-06-30"
USD = 7.17  # the default FX table's CNY per USD


def investor(kind: str, amount: float | None = None, currency: str = "CNY",
             lockup: float | None = None, tier: int | None = None,
             stake: float | None = None, revenue: float | None = None) -> dict[str, Any]:
    """An investor; a ``lockup`` of n months starts on the profiles' date (n months left)."""
    data: dict[str, Any] = {"name": f"{kind} investor", "type": kind}
    if amount is not None:
        data["amount"] = {"amount": amount, "currency": currency}
    if lockup is not None:
        data["lockup_months"] = lockup
        data["investment_date"] = START
    if stake is not None:
        data["stake_pct"] = stake
    if tier is not None:
        data["tier"] = tier
    if revenue is not None:
        data["revenue_share_pct"] = revenue
    return data


def full_data() -> dict[str, Any]:
    return {
        "financials": {"currency": "CNY", "cash": 1.8e9, "monthly_net_burn": 100e6},
        "investors": [investor("state_fund", 1e9, lockup=18, stake=10),
                      investor("vc", 1e9, lockup=6, stake=5, tier=2),
                      investor("strategic", 0.5e9, lockup=0, tier=3, revenue=0)],
        "listing": {"status": "filed"},
        "valuation_history": [
            {"as_of": "2024-01-01", "amount": 10e9, "currency": "CNY",
             "basis": "last_round_post_money"},
            {"as_of": "2025-06-01", "amount": 9e9, "currency": "CNY", "basis": "estimate"},
        ],
    }


def points(engine: Engine, name: str, **data: Any) -> float | None:
    return metric(dimension(engine, make_profile(**data), DIM), name).points


@pytest.mark.parametrize(
    ("months", "expected"),
    [(0, 0), (4, 0), (5, 0), (5.5, 10), (6, 20), (9, 35), (12, 50), (18, 75), (24, 100),
     (60, 100)],
)
def test_runway_band(engine: Engine, months: float, expected: float) -> None:
    got = points(engine, "runway", financials={"currency": "CNY",
            "cash": months * 50e6, "monthly_net_burn": 50e6})
    assert got == pytest.approx(expected)


@pytest.mark.parametrize("burn", [0, -20e6])
def test_cash_generative_company_gets_the_top_of_the_band(engine: Engine, burn: float) -> None:
    runway = metric(
        dimension(engine, make_profile(financials={"currency": "CNY",
                "cash": 1e6, "monthly_net_burn": burn}), DIM),
        "runway",
    )
    assert runway.points == 100
    assert "cash-generative" in (runway.note or "")


def test_runway_needs_cash_and_burn(engine: Engine) -> None:
    assert points(engine, "runway", financials={"currency": "CNY", "cash": 1e9}) is None
    assert points(engine, "runway", financials={"currency": "CNY", "monthly_net_burn": 1e9}) is None


@pytest.mark.parametrize(
    ("investors", "expected"),
    [
        ([investor("university")], 0),
        ([investor("other")], 0),
        # Left out, a tier is the least its type has (research §6.4): a vc is a top-tier
        # fund and a strategic a hyperscaler only when its tier says so.
        ([investor("vc")], 0),
        ([investor("pe")], 0),
        ([investor("sovereign")], 60),
        ([investor("cornerstone")], 0),
        ([investor("strategic")], 0),
        ([investor("state_fund")], 100),
        ([investor("vc", tier=2)], 60),
        ([investor("strategic", tier=3)], 100),
        ([investor("vc", tier=3)], 100),  # an explicit tier above the type's wins
        ([investor("state_fund", tier=1)], 100),  # one below it counts as the type's
        ([investor("state_fund", 1e9), investor("other", 1e9)], 60),  # mean tier 2
        ([investor("state_fund", 3e9), investor("other", 1e9)], 80),  # mean tier 2.5
        ([investor("vc", 1e9, tier=2), investor("other", 1e9)], 30),  # mean tier 1.5
        ([investor("state_fund", 100e6, "USD"), investor("other", 100e6 * USD)], 60),
        # An investor without an amount could weigh any amount: the least favourable.
        ([investor("state_fund"), investor("other")], 0),  # no amounts: the lowest tier
        ([investor("state_fund", 1e9), investor("university")], 0),  # it could outweigh
        ([investor("state_fund", 1e9), investor("other", 1e9), investor("vc", tier=2)],
         60),  # above
        ([investor("other", 1e9), investor("state_fund")], 0),  # below the mean: no lift
    ],
)
def test_investor_quality_is_the_amount_weighted_mean_tier(
    engine: Engine, investors: list[Any], expected: float
) -> None:
    assert points(engine, "investor_quality", investors=investors) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("investors", "expected"),
    [
        ([investor("vc", lockup=0)], 0),
        ([investor("vc", lockup=3)], 25),
        ([investor("vc", lockup=6)], 50),
        ([investor("vc", lockup=12)], 75),
        ([investor("vc", lockup=18)], 100),
        ([investor("vc", lockup=48)], 100),
        ([investor("vc", 1e9, lockup=6), investor("vc", 3e9, lockup=18)], 87.5),  # 15 months
        # An unknown lock-up counts as none: 0 months left (mean 1.5 months).
        ([investor("vc", 1e9, lockup=6), investor("vc", 3e9)], 12.5),
    ],
)
def test_lockup_remaining_band(engine: Engine, investors: list[Any], expected: float) -> None:
    # n calendar months from the profile's date are n average months give or take two days.
    got = points(engine, "lockup_remaining", investors=investors)
    assert got == pytest.approx(expected, abs=0.6)


def test_lockup_remaining_without_lockups_is_no_data(engine: Engine) -> None:
    assert points(engine, "lockup_remaining", investors=[investor("vc", 1e9)]) is None


@pytest.mark.parametrize(
    ("amounts_bn", "expected"),
    [([0.25], 0), ([0.5], 0), ([1.0], 25), ([0.5, 0.5], 25), ([2.0], 50),
     ([math.sqrt(20)], 75), ([10.0], 100), ([15.0, 15.0], 100)],
)
def test_capital_raised_is_log_scaled(
    engine: Engine, amounts_bn: list[float], expected: float
) -> None:
    investors = [investor("vc", a * 1e9) for a in amounts_bn]
    assert points(engine, "capital_raised", investors=investors) == pytest.approx(expected)


def test_capital_raised_converts_currencies(engine: Engine) -> None:
    result = dimension(engine, make_profile(investors=[
        investor("vc", 1e9 / USD, "USD"), investor("cornerstone", 1e9 / 0.915, "HKD"),
    ]), DIM)
    assert metric(result, "capital_raised").raw == pytest.approx(2.0)
    assert metric(result, "capital_raised").points == pytest.approx(50)


def test_capital_raised_linear_when_log_scale_is_off() -> None:
    tuned = scorer_engine({DIM: {"capital_raised_log_scale": False}})
    got = points(tuned, "capital_raised", investors=[investor("vc", 1e9)])
    assert got == pytest.approx(50 / 3)


def test_capital_raised_without_amounts_is_no_data(engine: Engine) -> None:
    assert points(engine, "capital_raised", investors=[investor("vc", lockup=6)]) is None


@pytest.mark.parametrize(
    ("status", "expected"),
    [("listed", 100), ("filed", 60), ("private", 30), ("subsidiary", 60)],
)
def test_listing_points(engine: Engine, status: str, expected: float) -> None:
    assert points(engine, "listing", listing={"status": status}) == expected


def test_listing_and_tier_tables_are_settings() -> None:
    tuned = scorer_engine({DIM: {"listing_points": {"subsidiary": 80.0},
                                 "type_tiers": {"university": 2.0}}})
    assert points(tuned, "listing", listing={"status": "subsidiary"}) == 80
    assert points(tuned, "listing", listing={"status": "private"}) == 30
    assert points(tuned, "investor_quality", investors=[investor("university")]) == 60


# -- the whole dimension -------------------------------------------------------------------


def test_full_profile_score_is_the_weighted_mean(engine: Engine) -> None:
    result = dimension(engine, make_profile(**full_data()), DIM)
    # Lock-ups of 18, 6 and 0 months, weighted 2:2:1: 9.6 months left.
    expected = {"runway": 75, "investor_quality": 84, "lockup_remaining": 65, "overhang": 70,
                "down_round": 80, "strategic_dependence": 100,
                "capital_raised": 50 + 50 * math.log10(2.5 / 2) / math.log10(5), "listing": 60}
    # Lock-ups run in calendar months, counted in average months: within 0.1 point.
    assert {m.metric: m.points for m in result.evidence} == pytest.approx(expected, abs=0.1)
    assert result.coverage == 1
    assert result.score == pytest.approx(
        sum(WEIGHTS[k] * v for k, v in expected.items()) / TOTAL, abs=0.02
    )


REMOVALS = {
    "runway": lambda d: d["financials"].pop("monthly_net_burn"),
    "overhang": lambda d: d["investors"][1].pop("stake_pct"),  # the one unlocking
    "down_round": lambda d: d["valuation_history"].pop(),
    "listing": lambda d: d.pop("listing"),
    "capital_raised": lambda d: [i.pop("amount") for i in d["investors"]],
    "investor_quality": lambda d: d.pop("investors"),
}


@pytest.mark.parametrize("removed", ["runway", "overhang", "down_round", "listing"])
def test_coverage_drops_by_the_weight_of_a_missing_metric(engine: Engine, removed: str) -> None:
    data = full_data()
    REMOVALS[removed](data)
    result = dimension(engine, make_profile(**data), DIM)
    assert {m.metric for m in result.evidence if m.points is None} == {removed}
    assert result.coverage == pytest.approx(1 - WEIGHTS[removed] / TOTAL)


def test_without_investors_only_runway_listing_and_down_rounds_score(engine: Engine) -> None:
    data = full_data()
    REMOVALS["investor_quality"](data)
    result = dimension(engine, make_profile(**data), DIM)
    assert {m.metric for m in result.evidence if m.points is not None} == {
        "runway", "listing", "down_round"}
    assert result.coverage == pytest.approx(55 / TOTAL)


def test_empty_profile_has_no_score_and_no_coverage(engine: Engine) -> None:
    result = dimension(engine, CompanyProfile(id="x", name="X"), DIM)
    assert result.score is None and result.coverage == 0


def test_empty_profile_is_insufficient_data_with_the_default_config() -> None:
    decision = Engine().evaluate(CompanyProfile(id="x", name="X"))
    assert decision.verdict is Verdict.INSUFFICIENT_DATA
    (dim,) = [d for d in decision.dimensions if d.name == DIM]
    assert dim.score is None and dim.coverage == 0


# -- monotonicity ------------------------------------------------------------------------


def backing(cash: float, burn: float, tiers: list[int], amount: float, lockups: list[float],
            status: str) -> dict[str, Any]:
    """Investors of equal amounts, so moving one metric leaves the others alone."""
    return {
        "financials": {"currency": "CNY", "cash": cash, "monthly_net_burn": burn},
        # No stake in the shares: the overhang stays 0 however the lock-ups move.
        "investors": [investor("other", amount, lockup=lock, tier=tier, stake=0)
                      for tier, lock in zip(tiers, lockups, strict=True)],
        "listing": {"status": status},
    }


STATUS_ORDER = ["private", "filed", "listed"]


@settings(max_examples=80, deadline=None)
@given(
    cash=st.floats(0, 5e9), burn=st.floats(1e6, 500e6),
    tiers=st.lists(st.integers(1, 3), min_size=3, max_size=3),
    amount=st.floats(1e7, 5e9), lockups=st.lists(st.floats(0, 36), min_size=3, max_size=3),
    status=st.sampled_from(STATUS_ORDER),
    which=st.sampled_from(["runway", "investor_quality", "lockup_remaining", "capital_raised",
                           "listing"]),
    step=st.floats(0.01, 5),
)
def test_raising_a_metric_never_lowers_the_score(
    engine: Engine, cash: float, burn: float, tiers: list[int], amount: float,
    lockups: list[float], status: str, which: str, step: float,
) -> None:
    assert engine.scorers[DIM].component.directions[which] == "higher"
    args = {"cash": cash, "burn": burn, "tiers": tiers, "amount": amount, "lockups": lockups,
            "status": status}
    moved = dict(args)
    if which == "runway":
        moved["cash"] = cash * (1 + step) + 1e6
    elif which == "investor_quality":
        moved["tiers"] = [min(3, tiers[0] + 1), *tiers[1:]]
    elif which == "lockup_remaining":
        moved["lockups"] = [lockups[0] + step, *lockups[1:]]
    elif which == "capital_raised":
        moved["amount"] = amount * (1 + step)
    else:
        moved["status"] = STATUS_ORDER[min(2, STATUS_ORDER.index(status) + 1)]
    before = dimension(engine, make_profile(**backing(**args)), DIM).score
    after = dimension(engine, make_profile(**backing(**moved)), DIM).score
    assert before is not None and after is not None
    assert after >= before - 1e-9


# -- settings ----------------------------------------------------------------------------


def test_settings_in_a_config_file_change_the_score(write_config, engine_from_file) -> None:
    profile = make_profile(**full_data())
    default = dimension(engine_from_file(write_config("")), profile, DIM)
    path = write_config(
        """
        [settings.institutional_backing.bands]
        runway = [[0, 0], [18, 100]]
        capital_raised = [[1, 0], [2, 100]]

        [settings.institutional_backing.listing_points]
        filed = 90.0
        """
    )
    tuned = dimension(engine_from_file(path), profile, DIM)
    assert metric(tuned, "runway").points == 100
    assert metric(tuned, "capital_raised").points == 100
    assert metric(tuned, "listing").points == 90
    assert tuned.score is not None and default.score is not None
    assert tuned.score > default.score


@pytest.mark.parametrize(
    ("body", "path", "message"),
    [
        ("[settings.institutional_backing.weights]\nhalo = 5\n",
         "$.settings.institutional_backing", "unknown metric 'halo'"),
        ("[settings.institutional_backing.bands]\nrunway = [[12, 50], [6, 20]]\n",
         "$.settings.institutional_backing", "band 'runway'"),
        ('[settings.institutional_backing.weights]\nrunway = "35"\n',
         "$.settings.institutional_backing.weights.runway", "expected a number"),
        ("[settings.institutional_backing.type_tiers]\nangel = 1.0\n",
         "$.settings.institutional_backing", "unknown key 'angel' in type_tiers"),
        ("[settings.institutional_backing.listing_points]\nlisted = 120.0\n",
         "$.settings.institutional_backing", "listing_points.listed must be within 0-100"),
        ("[settings.institutional_backing.bands]\ncapital_raised = [[0, 0], [10, 100]]\n",
         "$.settings.institutional_backing", "anchors must be positive"),
    ],
)
def test_bad_settings_name_the_file_and_path(
    write_config, engine_from_file, body: str, path: str, message: str
) -> None:
    config = write_config(body)
    with pytest.raises(InputError) as info:
        engine_from_file(config)
    (line,) = info.value.lines()
    assert line.startswith(f"{config}: {path}")
    assert message in line


def test_a_zero_anchor_is_fine_on_a_linear_scale(write_config, engine_from_file) -> None:
    path = write_config(
        """
        [settings.institutional_backing]
        capital_raised_log_scale = false

        [settings.institutional_backing.bands]
        capital_raised = [[0, 0], [10, 100]]
        """
    )
    tuned = dimension(engine_from_file(path), make_profile(**full_data()), DIM)
    assert metric(tuned, "capital_raised").points == pytest.approx(25)
