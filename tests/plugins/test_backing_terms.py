"""Issue 16: institutional backing reads remaining lock-ups, overhang, down rounds and ties.

Each metric through a real engine, its boundaries on each side, no data when the
data is missing, a hypothesis property (remaining lock-up never rises as the
profile's date moves on), and path-named errors (exit 2) for bad values in real
TOML files.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scorer_kit import AS_OF, assert_bad_value, dimension, make_profile, metric

from threshold_core import Engine, InputError, profile_from_data

DIM = "institutional_backing"
USD = 7.17  # the default FX table's CNY per USD


def result_of(engine: Engine, name: str, **data: Any) -> Any:
    return metric(dimension(engine, make_profile(**data), DIM), name)


def locked(name: str, end: date | None = None, amount: float | None = None,
           stake: float | None = None, kind: str = "cornerstone", **more: Any) -> dict[str, Any]:
    inv: dict[str, Any] = {"name": name, "type": kind, **more}
    if end is not None:
        inv["lockup_expiry"] = end
    if amount is not None:
        inv["amount"] = {"amount": amount, "currency": "CNY"}
    if stake is not None:
        inv["stake_pct"] = stake
    return inv


# -- remaining lock-up ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "expected"),
    [(-400, 0), (-1, 0), (0, 0), (8, 8 / 30.4375 * 50 / 6), (365.25 / 2, 50),
     (365.25, 75), (365.25 * 1.5, 100), (2000, 100)],
)
def test_lockup_remaining_counts_from_the_profiles_date(
    engine: Engine, days: float, expected: float
) -> None:
    end = AS_OF + timedelta(days=round(days))
    got = result_of(engine, "lockup_remaining", investors=[locked("c", end)])
    assert got.points == pytest.approx(expected, abs=0.1)  # whole days


def test_the_original_length_is_not_what_binds(engine: Engine) -> None:
    """A six-month HKEX cornerstone lock-up from 8 Jan 2026: eight days left at 30 June."""
    inv = locked("Cornerstones", lockup_months=6, investment_date="2026-01-08")
    got = result_of(engine, "lockup_remaining", investors=[inv])
    assert got.raw == pytest.approx(8 / 30.4375)
    assert "soonest end 2026-07-08" in (got.note or "")
    assert got.points is not None and got.points < 3


def test_a_lockup_without_a_date_counts_no_months_left(engine: Engine) -> None:
    """Its end is unknown: it could have ended already, so it counts 0 months left, and
    leaving ``investment_date`` out never lengthens the lock-ups."""
    investors = [locked("dated", AS_OF + timedelta(days=365), amount=1e9),
                 locked("undated", lockup_months=24, amount=1e9)]
    got = result_of(engine, "lockup_remaining", investors=investors)
    assert got.raw == pytest.approx(365 / 30.4375 / 2)
    assert "1 without a known end counted as 0 months left" in (got.note or "")
    alone = result_of(engine, "lockup_remaining", investors=[locked("undated", lockup_months=24)])
    assert alone.raw == 0 and alone.points == 0


def test_an_investor_without_lockup_terms_counts_no_months_left(engine: Engine) -> None:
    """Once any investor gives lock-up terms, one that gives none counts as having none
    (``lockup_months = 0`` says so): leaving ``lockup_months`` out never helps."""
    terms = locked("a", AS_OF + timedelta(days=365), amount=1e9)
    for other in ({"lockup_months": 0}, {}):
        got = result_of(engine, "lockup_remaining",
                        investors=[terms, locked("b", amount=1e9, **other)])
        assert got.raw == pytest.approx(365 / 30.4375 / 2)
    full = result_of(engine, "lockup_remaining",
                     investors=[terms, locked("b", AS_OF + timedelta(days=30), amount=1e9)])
    assert full.raw > 365 / 30.4375 / 2


def test_lockup_remaining_needs_the_profiles_date(engine: Engine) -> None:
    profile = profile_from_data({"id": "t", "name": "T", "investors": [
        locked("c", AS_OF + timedelta(days=100))]})
    assert metric(dimension(engine, profile, DIM), "lockup_remaining").points is None


@settings(max_examples=40, deadline=None)
@given(
    ends=st.lists(st.integers(-500, 1500), min_size=1, max_size=4),
    earlier=st.integers(0, 800),
    later=st.integers(0, 800),
)
def test_remaining_lockup_never_rises_as_the_date_moves_on(
    engine: Engine, ends: list[int], earlier: int, later: int
) -> None:
    first, second = sorted((earlier, later))
    investors = [locked(f"i{k}", AS_OF + timedelta(days=d), amount=1e8 * (k + 1))
                 for k, d in enumerate(ends)]
    values = []
    for shift in (first, second):
        profile = profile_from_data({"id": "t", "name": "T",
                                     "as_of": AS_OF + timedelta(days=shift),
                                     "investors": investors})
        got = metric(dimension(engine, profile, DIM), "lockup_remaining")
        assert got.raw is not None and got.raw >= 0
        values.append(got.raw)
    assert values[1] <= values[0] + 1e-12


# -- overhang ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("end", "counted"),
    [(AS_OF - timedelta(days=1), False), (AS_OF, False), (AS_OF + timedelta(days=1), True),
     (date(2026, 12, 30), True), (date(2026, 12, 31), False)],
)
def test_overhang_counts_unlocks_within_six_months(
    engine: Engine, end: date, counted: bool
) -> None:
    got = result_of(engine, "overhang", investors=[locked("c", end, stake=5)])
    assert got.raw == (5 if counted else 0)
    assert got.points == pytest.approx(70 if counted else 100)


@pytest.mark.parametrize(("stake", "expected"), [(0, 100), (5, 70), (10, 45), (15, 20),
                                                  (20, 10), (25, 0), (40, 0)])
def test_overhang_band(engine: Engine, stake: float, expected: float) -> None:
    got = result_of(engine, "overhang", investors=[
        locked("c", AS_OF + timedelta(days=10), stake=stake)])
    assert got.points == pytest.approx(expected)


@pytest.mark.parametrize(
    "investors",
    [[], [locked("c", AS_OF + timedelta(days=10))],
     [locked("c", AS_OF + timedelta(days=10), stake=5), locked("d", lockup_months=6)],
     [locked("c", AS_OF + timedelta(days=10), stake=5), locked("e")],
     [locked("vc", kind="vc", stake=9)]],
    ids=["no investors", "a stake unknown", "an end date and stake unknown",
         "no terms and no stake", "no lock-up at all"],
)
def test_overhang_without_every_stake_and_date_is_no_data(
    engine: Engine, investors: list[Any]
) -> None:
    assert result_of(engine, "overhang", investors=investors).points is None


@pytest.mark.parametrize("other", [{"lockup_months": 6}, {}], ids=["no date", "no terms"])
def test_an_unknown_lockup_end_counts_as_unlocking(engine: Engine, other: Any) -> None:
    """It could end within the window: its stake counts, so leaving an end out never helps;
    ``lockup_months = 0`` says there is no lock-up, and the stake does not count."""
    first = locked("c", AS_OF + timedelta(days=10), stake=5)
    got = result_of(engine, "overhang", investors=[first, locked("d", stake=9, **other)])
    assert got.raw == 14
    assert "d 9% (end unknown)" in (got.note or "")
    none = result_of(engine, "overhang", investors=[first, locked("d", stake=9, lockup_months=0)])
    assert none.raw == 5


def test_the_overhang_window_is_a_setting(write_config, engine_from_file) -> None:
    tuned = engine_from_file(write_config(
        "[settings.institutional_backing]\noverhang_window_months = 12.0\n"))
    got = result_of(tuned, "overhang", investors=[locked("c", date(2027, 3, 1), stake=15)])
    assert got.raw == 15


# -- down rounds ---------------------------------------------------------------------------


def marks(*rows: tuple[str, float, str]) -> dict[str, Any]:
    return {"valuation_history": [
        {"as_of": d, "amount": a, "currency": c, "basis": "last_round_post_money"}
        for d, a, c in rows]}


@pytest.mark.parametrize(
    ("rows", "fall", "expected"),
    [
        ([("2023-12-01", 2e9, "USD"), ("2025-06-30", 1.2e9, "USD")], 40, 20),  # MiniMax
        ([("2025-06-30", 1.2e9, "USD"), ("2023-12-01", 2e9, "USD")], 40, 20),  # any order
        ([("2023-01-01", 1e9, "USD"), ("2024-01-01", 2e9, "USD")], 0, 100),
        ([("2023-01-01", 1e9, "USD"), ("2024-01-01", 0.9e9, "USD"),
          ("2025-01-01", 3e9, "USD")], 10, 80),  # recovered, but the fall happened
        ([("2023-01-01", 1e9, "USD"), ("2024-01-01", 1e9 * USD, "CNY")], 0, 100),
        ([("2023-01-01", 1e9, "CNY"), ("2024-01-01", 0.8e9, "CNY"),
          ("2025-01-01", 0.5e9, "CNY")], 50, 10),  # the fall from the peak, not the last step
        ([("2023-01-01", 1e9, "CNY"), ("2024-01-01", 0.4e9, "CNY")], 60, 0),
    ],
)
def test_down_round_is_the_largest_fall_from_a_peak(
    engine: Engine, rows: list[tuple[str, float, str]], fall: float, expected: float
) -> None:
    got = result_of(engine, "down_round", **marks(*rows))
    assert got.raw == pytest.approx(fall)
    assert got.points == pytest.approx(expected)


def test_one_mark_is_no_data(engine: Engine) -> None:
    assert result_of(engine, "down_round", **marks(("2024-01-01", 1e9, "CNY"))).points is None
    assert result_of(engine, "down_round").points is None


# -- strategic dependence ------------------------------------------------------------------


def backer(kind: str, amount: float | None = None, revenue: float | None = None,
           ) -> dict[str, Any]:
    inv: dict[str, Any] = {"name": f"{kind} backer", "type": kind}
    if amount is not None:
        inv["amount"] = {"amount": amount, "currency": "CNY"}
    if revenue is not None:
        inv["revenue_share_pct"] = revenue
    return inv


@pytest.mark.parametrize(
    ("investors", "share", "expected"),
    [
        ([backer("strategic", 1e9, revenue=0), backer("vc", 4e9)], 20, 100),
        ([backer("strategic", 3e9, revenue=0), backer("vc", 7e9)], 30, 80),
        ([backer("strategic", 1e9, revenue=0), backer("vc", 1e9)], 50, 40),
        ([backer("strategic", 7e9, revenue=0), backer("vc", 3e9)], 70, 0),
        ([backer("strategic", 1e9, revenue=55), backer("vc", 9e9)], 55, 30),  # revenue counts
        ([backer("strategic", 0.5e9, revenue=10), backer("vc", 9.5e9)], 10, 100),
        # Left out, an amount or a revenue share counts as 100%: the least favourable.
        ([backer("strategic", 1e9), backer("vc", 4e9)], 100, 0),
        ([backer("strategic", revenue=10), backer("vc", 9e9)], 100, 0),
        ([backer("vc", 1e9), backer("state_fund", 9e9)], 0, 100),  # no strategic backer
    ],
)
def test_strategic_dependence(
    engine: Engine, investors: list[Any], share: float, expected: float
) -> None:
    got = result_of(engine, "strategic_dependence", investors=investors)
    assert got.raw == pytest.approx(share)
    assert got.points == pytest.approx(expected)


def test_a_strategic_backer_of_unknown_size_counts_as_all_of_it(engine: Engine) -> None:
    investors = [backer("strategic"), backer("vc", 1e9)]
    got = result_of(engine, "strategic_dependence", investors=investors)
    assert got.raw == 100 and got.points == 0
    assert "amount and revenue share not given: counted as 100%" in (got.note or "")
    assert result_of(engine, "strategic_dependence").points is None


def test_the_old_commitment_metric_is_an_error_naming_its_successor(
    write_config, engine_from_file
) -> None:
    config = write_config("[settings.institutional_backing.weights]\ncommitment = 15\n")
    with pytest.raises(InputError) as info:
        engine_from_file(config)
    assert "replaced by lockup_remaining" in str(info.value)


# -- real files through the CLI ------------------------------------------------------------

PROFILE = """\
id = "backed"
name = "Backed AI"
as_of = 2026-06-30

[[investors]]
name = "Cornerstones"
type = "cornerstone"
investment_date = 2026-01-08
lockup_months = 6
stake_pct = 4.5
source = "illustrative"

[[investors]]
name = "Cloud partner"
type = "strategic"
amount = { amount = 1.0e9, currency = "CNY" }
revenue_share_pct = 35
lockup_months = 0  # none
source = "illustrative"

[[valuation_history]]
as_of = 2023-12-01
amount = 2.0e9
currency = "USD"
basis = "last_round_post_money"
round = "Series B"
source = "illustrative"

[[valuation_history]]
as_of = 2025-06-30
amount = 1.2e9
currency = "USD"
basis = "estimate"
source = "illustrative"
"""


def test_a_profile_file_scores_every_new_metric(run_cli, tmp_path: Path) -> None:
    path = tmp_path / "backed.toml"
    path.write_text(PROFILE, encoding="utf-8")
    result = run_cli("evaluate", str(path), "--format", "json")
    assert result.returncode == 0, result.stderr
    (dim,) = [d for d in json.loads(result.stdout)["dimensions"] if d["name"] == DIM]
    got = {m["metric"]: m for m in dim["evidence"]}
    # The cloud partner has no lock-up and the only amount: 0 months left.
    assert got["lockup_remaining"]["raw"] == pytest.approx(0)
    assert got["overhang"]["raw"] == pytest.approx(4.5)
    assert got["down_round"]["raw"] == pytest.approx(40)
    assert got["strategic_dependence"]["raw"] == pytest.approx(100)  # the only amount
    assert "house policy" in got["overhang"]["band_source"]


@pytest.mark.parametrize(
    ("old", "new", "path", "message"),
    [
        ("stake_pct = 4.5", "stake_pct = 104.5", "$.investors[0].stake_pct", "104.5"),
        ("lockup_months = 6\n", "lockup_months = 6\nlockup_expiry = 2025-12-31\n",
         "$.investors[0].lockup_expiry", "before investment_date"),
        ("revenue_share_pct = 35", "revenue_share_pct = -35",
         "$.investors[1].revenue_share_pct", "-35"),
        ("amount = 1.2e9", "amount = 0", "$.valuation_history[1].amount", "positive"),
        ('currency = "USD"\nbasis = "estimate"', 'currency = "dollars"\nbasis = "estimate"',
         "$.valuation_history[1].currency", "dollars"),
        ('basis = "estimate"', 'basis = "rumour"', "$.valuation_history[1].basis", "rumour"),
        ("as_of = 2025-06-30", 'as_of = "mid-2025"', "$.valuation_history[1].as_of",
         "mid-2025"),
    ],
)
def test_bad_values_name_the_file_and_path_and_exit_2(
    run_cli, tmp_path: Path, old: str, new: str, path: str, message: str
) -> None:
    assert old in PROFILE
    assert_bad_value(run_cli, tmp_path, PROFILE.replace(old, new, 1), path, message)
