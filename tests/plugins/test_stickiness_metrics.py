"""Issue 16: the stickiness metrics the seed article would recognise.

Churn, customer count, revenue per customer normalised by segment, vertical
concentration (HHI) and the Rule of 40 on operating cash flow, each through a
real engine, with its boundaries on each side, no data when the data is
missing, and path-named errors (exit 2) for bad values in real TOML files.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scorer_kit import assert_bad_value, dimension, make_profile, metric

from threshold_core import Engine

DIM = "application_stickiness"
USD = 7.17  # the default FX table's CNY per USD


def points(engine: Engine, name: str, **data: Any) -> float | None:
    return metric(dimension(engine, make_profile(**data), DIM), name).points


def raw(engine: Engine, name: str, **data: Any) -> float | None:
    return metric(dimension(engine, make_profile(**data), DIM), name).raw


# -- churn and customer count ------------------------------------------------------------


@pytest.mark.parametrize(
    ("churn", "expected"),
    [(0, 100), (5, 100), (5.5, 97), (7.5, 85), (10, 70), (15, 50), (20, 30), (27.5, 15),
     (35, 0), (60, 0)],
)
def test_logo_churn_band_lower_is_better(engine: Engine, churn: float, expected: float) -> None:
    assert points(engine, "logo_churn", customers={"logo_churn_pct": churn}) == (
        pytest.approx(expected))


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, 0), (5, 0), (10, 0), (100 / math.sqrt(10), 25), (100, 50), (100 * math.sqrt(10), 75),
     (1000, 100), (20000, 100)],
)
def test_enterprise_customers_on_log10(engine: Engine, count: float, expected: float) -> None:
    got = points(engine, "enterprise_customers", customers={"enterprise_customers": count})
    assert got == pytest.approx(expected)


def test_churn_and_count_without_data_are_no_data(engine: Engine) -> None:
    result = dimension(engine, make_profile(customers={"ndr_pct": 110}), DIM)
    for name in ("logo_churn", "enterprise_customers", "revenue_per_customer"):
        assert metric(result, name).points is None
        assert metric(result, name).note == "no data: counted at 0 points until researched"
        assert metric(result, name).assumed_points == 0


# -- revenue per customer ------------------------------------------------------------------


def segments(revenue: float, *rows: tuple[str, float, float], currency: str = "CNY",
             ) -> dict[str, Any]:
    """A profile with ``revenue`` and ``(segment, share %, customers)`` rows."""
    return {
        "financials": {"currency": currency, "revenue": revenue},
        "customers": {"segments": [
            {"segment": s, "revenue_share_pct": share, "customers": n} for s, share, n in rows]},
    }


@pytest.mark.parametrize(
    ("per_customer", "expected"),
    [(50e3, 0), (100e3, 0), (1e6 / math.sqrt(10), 25), (1e6, 50), (1e6 * math.sqrt(10), 75),
     (10e6, 100), (50e6, 100)],
)
def test_enterprise_revenue_per_customer_band(
    engine: Engine, per_customer: float, expected: float
) -> None:
    data = segments(100e6, ("enterprise", 100, 100e6 / per_customer))
    assert points(engine, "revenue_per_customer", **data) == pytest.approx(expected)


def test_each_segment_is_measured_against_its_own_reference(engine: Engine) -> None:
    """CNY 1m an enterprise, CNY 10,000 a developer, CNY 300 a consumer: all 1x, 50 points."""
    for row in (("enterprise", 100, 100), ("developer", 100, 10_000), ("consumer", 100, 333_333.3)):
        data = segments(100e6, row)
        assert points(engine, "revenue_per_customer", **data) == pytest.approx(50, abs=1e-3)


def test_segments_are_averaged_on_log10_by_revenue_share(engine: Engine) -> None:
    # Enterprise at 10x (75% of revenue), consumers at 0.1x (25%): log mean 0.5 -> 10**0.5 x.
    data = segments(100e6, ("enterprise", 75, 7.5), ("consumer", 25, 25e6 / 30))
    result = metric(dimension(engine, make_profile(**data), DIM), "revenue_per_customer")
    assert result.raw == pytest.approx(10 ** 0.5)
    assert result.points == pytest.approx(75)
    assert "enterprise CNY 10,000,000 (10x)" in (result.note or "")


def test_revenue_is_converted_to_cny(engine: Engine) -> None:
    data = segments(100e6 / USD, ("enterprise", 100, 100), currency="USD")
    assert raw(engine, "revenue_per_customer", **data) == pytest.approx(1.0)


def test_a_segment_without_customers_is_left_out_and_said(engine: Engine) -> None:
    data = segments(100e6, ("enterprise", 50, 50), ("consumer", 50, 0))
    result = metric(dimension(engine, make_profile(**data), DIM), "revenue_per_customer")
    assert result.points == pytest.approx(50)
    assert "left out (no customers): consumer" in (result.note or "")


@pytest.mark.parametrize(
    "data",
    [
        {"customers": {"segments": [
            {"segment": "enterprise", "revenue_share_pct": 100, "customers": 10}]}},
        {"financials": {"currency": "CNY",
                "revenue": 100e6}, "customers": {"enterprise_customers": 100}},
        segments(100e6, ("consumer", 100, 0)),
    ],
    ids=["no revenue", "no segments", "no customers in any segment"],
)
def test_revenue_per_customer_without_its_data_is_no_data(
    engine: Engine, data: dict[str, Any]
) -> None:
    assert points(engine, "revenue_per_customer", **data) is None


# -- vertical concentration -----------------------------------------------------------------


def verticals(*shares: float | None) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    for i, share in enumerate(shares):
        row: dict[str, Any] = {"sector": f"v{i}"}
        if share is not None:
            row["revenue_share_pct"] = share
        rows.append(row)
    return {"verticals": rows}


@pytest.mark.parametrize(
    ("shares", "hhi", "expected"),
    [
        ((100,), 1.0, 0),
        ((71, 29), 0.5882, 100 - 50 - 50 * (0.5882 - 0.5) / 0.5),  # the MiniMax split
        ((50, 50), 0.5, 50),
        ((40, 30, 30), 0.34, 50 + 50 * 0.16 / 0.3),
        ((25, 25, 25, 25), 0.25, 100 - 50 * 0.05 / 0.3),
        ((20, 20, 20, 20, 20), 0.2, 100),
        ((10,) * 10, 0.1, 100),
        ((30, 30), 0.5, 50),  # shares are taken over the shares listed
    ],
)
def test_vertical_concentration_is_the_hhi_of_revenue_shares(
    engine: Engine, shares: tuple[float, ...], hhi: float, expected: float
) -> None:
    result = metric(dimension(engine, make_profile(**verticals(*shares)), DIM),
                    "vertical_concentration")
    assert result.raw == pytest.approx(hhi, abs=1e-4)
    assert result.points == pytest.approx(expected, abs=1e-3)


@pytest.mark.parametrize("shares", [(), (60, None), (0, 0)],
                         ids=["none", "a share unknown", "zeros"])
def test_vertical_concentration_without_every_share_is_no_data(
    engine: Engine, shares: tuple[float | None, ...]
) -> None:
    assert points(engine, "vertical_concentration", **verticals(*shares)) is None


@settings(max_examples=40, deadline=None)
@given(
    shares=st.lists(st.floats(0.5, 100), min_size=1, max_size=8),
    moved=st.floats(0.01, 1.0),
)
def test_hhi_is_within_0_and_1_and_rises_with_concentration(
    engine: Engine, shares: list[float], moved: float
) -> None:
    """Moving revenue from the smallest vertical to the largest never lowers the HHI."""
    scale = 100 / sum(shares)
    shares = [min(100.0, s * scale) for s in shares]
    before = metric(dimension(engine, make_profile(**verticals(*shares)), DIM),
                    "vertical_concentration")
    assert before.raw is not None and 1 / len(shares) - 1e-9 <= before.raw <= 1 + 1e-9
    if len(shares) < 2:
        return
    low, high = shares.index(min(shares)), shares.index(max(shares))
    if low == high:
        return
    step = shares[low] * moved
    after_shares = list(shares)
    after_shares[low] -= step
    after_shares[high] = min(100.0, after_shares[high] + step)
    after = metric(dimension(engine, make_profile(**verticals(*after_shares)), DIM),
                   "vertical_concentration")
    assert after.raw is not None and after.raw >= before.raw - 1e-12
    assert after.points is not None and before.points is not None
    assert after.points <= before.points + 1e-9


# -- the Rule of 40 on operating cash flow --------------------------------------------------


def rule40(revenue: float, ocf: float, growth: float = 50.0,
           currency: str = "CNY") -> dict[str, Any]:
    return {"financials": {"currency": currency, "revenue": revenue, "operating_cash_flow": ocf,
                           "revenue_growth_pct": growth}}


def test_rule_of_40_reads_operating_cash_flow_over_revenue(engine: Engine) -> None:
    result = metric(dimension(engine, make_profile(**rule40(200e6, -20e6)), DIM), "rule_of_40")
    assert result.raw == pytest.approx(40)  # 50% growth - 10% operating cash flow margin
    assert result.points == pytest.approx(60)
    assert "operating cash flow margin -10%" in (result.note or "")
    assert "financials.operating_cash_flow" in result.inputs


def test_net_loss_as_free_cash_flow_is_not_read(engine: Engine) -> None:
    data = {"financials": {"currency": "CNY",
            "revenue": 200e6, "revenue_growth_pct": 50, "fcf_margin_pct": -948}}
    assert points(engine, "rule_of_40", **data) is None


@pytest.mark.parametrize(
    ("revenue_usd", "scored"),
    [(9.9e6, False), (9.999e6, False), (10e6, True), (10.1e6, True), (500e6, True)],
)
def test_rule_of_40_is_no_data_below_usd_10m_of_revenue(
    engine: Engine, revenue_usd: float, scored: bool
) -> None:
    for currency, revenue in (("USD", revenue_usd), ("CNY", revenue_usd * USD)):
        got = points(engine, "rule_of_40", **rule40(revenue, 0.0, currency=currency))
        assert (got is not None) is scored, (currency, revenue)


def test_the_revenue_floor_is_a_setting(write_config, engine_from_file) -> None:
    tuned = engine_from_file(write_config(
        "[settings.application_stickiness]\nrule_of_40_min_revenue_usd = 0.0\n"))
    assert points(tuned, "rule_of_40", **rule40(1e6, 0.0, currency="USD")) == pytest.approx(75)


# -- real files through the CLI -------------------------------------------------------------

PROFILE = """\
id = "sticky"
name = "Sticky AI"
as_of = 2026-06-30

[financials]
currency = "CNY"
source = "illustrative"
revenue = 500e6
revenue_growth_pct = 60
operating_cash_flow = -50e6

[customers]
source = "illustrative"
logo_churn_pct = 8
enterprise_customers = 400

[[customers.segments]]
segment = "enterprise"
revenue_share_pct = 80
customers = 400

[[customers.segments]]
segment = "developer"
revenue_share_pct = 20
customers = 20000

[[verticals]]
sector = "finance"
revenue_share_pct = 60
source = "illustrative"

[[verticals]]
sector = "manufacturing"
revenue_share_pct = 40
source = "illustrative"
"""


def evidence(out: str) -> dict[str, Any]:
    decision = json.loads(out)
    (dim,) = [d for d in decision["dimensions"] if d["name"] == DIM]
    return {m["metric"]: m for m in dim["evidence"]}


def test_a_profile_file_scores_every_new_metric(run_cli, tmp_path: Path) -> None:
    path = tmp_path / "sticky.toml"
    path.write_text(PROFILE, encoding="utf-8")
    result = run_cli("evaluate", str(path), "--format", "json")
    assert result.returncode == 0, result.stderr
    got = evidence(result.stdout)
    assert got["logo_churn"]["points"] == pytest.approx(82)
    assert got["enterprise_customers"]["points"] == pytest.approx(
        50 + 50 * math.log10(4))
    # enterprise CNY 1m (1x), developer CNY 5,000 (0.5x): 10 ** (0.2 * log10 0.5) x.
    assert got["revenue_per_customer"]["raw"] == pytest.approx(0.5 ** 0.2)
    assert got["vertical_concentration"]["raw"] == pytest.approx(0.52)
    assert got["rule_of_40"]["raw"] == pytest.approx(50)
    assert "house policy" in got["vertical_concentration"]["band_source"]


@pytest.mark.parametrize(
    ("old", "new", "path", "message"),
    [
        ("logo_churn_pct = 8", "logo_churn_pct = 108", "$.customers.logo_churn_pct",
         "108"),
        ("revenue_share_pct = 80", "revenue_share_pct = 180",
         "$.customers.segments[0].revenue_share_pct", "180"),
        ("revenue_share_pct = 80\ncustomers = 400", "revenue_share_pct = 80\ncustomers = -4",
         "$.customers.segments[0].customers", "-4"),
        ('segment = "developer"', 'segment = "enterprise"', "$.customers.segments[1].segment",
         "given twice"),
        ('segment = "developer"', 'segment = "retail"', "$.customers.segments[1].segment",
         "retail"),
        ("revenue_share_pct = 20\n", "revenue_share_pct = 30\n", "$.customers.segments",
         "more than 100%"),
        ("operating_cash_flow = -50e6", 'operating_cash_flow = "a lot"',
         "$.financials.operating_cash_flow", "a lot"),
    ],
)
def test_bad_values_name_the_file_and_path_and_exit_2(
    run_cli, tmp_path: Path, old: str, new: str, path: str, message: str
) -> None:
    assert old in PROFILE
    assert_bad_value(run_cli, tmp_path, PROFILE.replace(old, new, 1), path, message)
