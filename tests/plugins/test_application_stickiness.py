"""The application_stickiness scorer, through a real engine."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scorer_kit import dimension, make_profile, metric

from threshold_core import CompanyProfile, Engine, InputError, Verdict
from threshold_plugins.application_stickiness import BANDS

DIM = "application_stickiness"
WEIGHTS = {
    "ndr": 30, "gdr": 15, "logo_churn": 15, "enterprise_customers": 5,
    "revenue_per_customer": 15, "recurring_revenue_share": 15, "customer_concentration": 10,
    "vertical_concentration": 15, "gross_margin": 15, "rule_of_40": 15,
}
TOTAL = sum(WEIGHTS.values())


def full_data(
    ndr: float = 120, gdr: float = 95, subscription: float = 40, usage: float = 20,
    on_prem: float = 40, top5: float = 30, margin: float = 60, growth: float = 30,
    ocf: float = 10, churn: float = 10, customers: float = 100, per_customer: float = 1e6,
    top_vertical: float = 50,
) -> dict[str, Any]:
    """Revenue CNY 100m, all of it enterprise; ``ocf`` is the operating cash flow margin %."""
    return {
        "customers": {
            "ndr_pct": ndr, "gdr_pct": gdr, "logo_churn_pct": churn,
            "enterprise_customers": customers,
            "segments": [{"segment": "enterprise", "revenue_share_pct": 100,
                          "customers": 100e6 / per_customer}],
        },
        "verticals": [{"sector": "finance", "revenue_share_pct": top_vertical},
                      {"sector": "enterprise", "revenue_share_pct": 100 - top_vertical}],
        "financials": {"currency": "CNY",
            "revenue": 100e6,
            "top5_customer_share_pct": top5,
            "gross_margin_pct": margin,
            "revenue_growth_pct": growth,
            "operating_cash_flow": ocf * 1e6,
            "revenue_mix": {
                "subscription_pct": subscription, "usage_api_pct": usage,
                "project_on_prem_pct": on_prem,
            },
        },
    }


def points(engine: Engine, name: str, **data: Any) -> float | None:
    return metric(dimension(engine, make_profile(**data), DIM), name).points


@pytest.mark.parametrize(
    ("ndr", "expected"),
    [(60, 0), (85, 0), (92.5, 20), (100, 40), (105, 50), (110, 60), (115, 70), (120, 80),
     (130, 90), (140, 100), (170, 100)],
)
def test_ndr_band(engine: Engine, ndr: float, expected: float) -> None:
    assert points(engine, "ndr", customers={"ndr_pct": ndr}) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("gdr", "expected"),
    [(30, 0), (50, 0), (65, 15), (80, 30), (85, 50), (90, 70), (95, 85), (100, 100)],
)
def test_gdr_band(engine: Engine, gdr: float, expected: float) -> None:
    assert points(engine, "gdr", customers={"gdr_pct": gdr}) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("mix", "expected"),
    [
        ({"project_on_prem_pct": 100}, 0),
        ({"subscription_pct": 10, "usage_api_pct": 15, "consumer_app_pct": 75}, 25),
        ({"subscription_pct": 50, "other_pct": 50}, 50),
        ({"usage_api_pct": 65}, 75),
        ({"subscription_pct": 50, "usage_api_pct": 30}, 100),
        ({"subscription_pct": 95, "usage_api_pct": 5}, 100),
    ],
)
def test_recurring_share_band(engine: Engine, mix: dict[str, float], expected: float) -> None:
    got = points(engine, "recurring_revenue_share", financials={"revenue_mix": mix})
    assert got == pytest.approx(expected)


def test_consumer_app_revenue_is_not_recurring(engine: Engine) -> None:
    result = dimension(
        engine, make_profile(financials={"revenue_mix": {"consumer_app_pct": 100}}), DIM
    )
    share = metric(result, "recurring_revenue_share")
    assert share.raw == 0 and share.points == 0


def test_empty_revenue_mix_is_no_data(engine: Engine) -> None:
    result = dimension(engine, make_profile(financials={"revenue_mix": {}}), DIM)
    assert metric(result, "recurring_revenue_share").points is None
    assert result.coverage == 0


@pytest.mark.parametrize(
    ("top5", "expected"),
    [(5, 100), (20, 100), (30, 75), (40, 50), (50, 25), (60, 0), (90, 0)],
)
def test_customer_concentration_band_lower_is_better(
    engine: Engine, top5: float, expected: float
) -> None:
    got = points(engine, "customer_concentration", financials={"top5_customer_share_pct": top5})
    assert got == pytest.approx(expected)


@pytest.mark.parametrize(
    ("margin", "expected"),
    [(-20, 0), (0, 0), (15, 20), (30, 40), (40, 55), (50, 70), (60, 85), (70, 100), (95, 100)],
)
def test_gross_margin_band(engine: Engine, margin: float, expected: float) -> None:
    assert points(engine, "gross_margin", financials={"gross_margin_pct": margin}) == (
        pytest.approx(expected)
    )


@pytest.mark.parametrize(
    ("growth", "ocf", "expected"),
    [(10, -60, 0), (0, 0, 0), (30, -10, 30), (40, 0, 60), (60, -10, 75), (50, 10, 90),
     (80, -10, 95), (100, -20, 100), (800, -100, 100)],
)
def test_rule_of_40_band(engine: Engine, growth: float, ocf: float, expected: float) -> None:
    got = points(
        engine, "rule_of_40",
        financials={"currency": "CNY", "revenue": 100e6, "revenue_growth_pct": growth,
                    "operating_cash_flow": ocf * 1e6},
    )
    assert got == pytest.approx(expected)


def test_rule_of_40_needs_growth_operating_cash_flow_and_revenue(engine: Engine) -> None:
    assert points(engine, "rule_of_40", financials={"revenue_growth_pct": 80}) is None
    assert points(engine, "rule_of_40", financials={"currency": "CNY",
        "revenue": 100e6, "operating_cash_flow": 30e6}) is None
    assert points(engine, "rule_of_40", financials={"currency": "CNY",
        "revenue_growth_pct": 80, "operating_cash_flow": 30e6}) is None


def test_full_profile_score_is_the_weighted_mean(engine: Engine) -> None:
    result = dimension(engine, make_profile(**full_data()), DIM)
    expected = {
        "ndr": 80, "gdr": 85, "logo_churn": 70, "enterprise_customers": 50,
        "revenue_per_customer": 50, "recurring_revenue_share": 200 / 3,
        "customer_concentration": 75, "vertical_concentration": 50, "gross_margin": 85,
        "rule_of_40": 60,
    }
    assert {m.metric: m.points for m in result.evidence} == pytest.approx(expected)
    mean = sum(WEIGHTS[k] * v for k, v in expected.items()) / TOTAL
    assert result.coverage == 1.0
    assert result.score == pytest.approx(mean, abs=1e-4)
    assert set(result.inputs) >= {"customers.ndr_pct", "financials.gross_margin_pct"}


REMOVALS = {
    "ndr": ("customers", "ndr_pct"),
    "gdr": ("customers", "gdr_pct"),
    "logo_churn": ("customers", "logo_churn_pct"),
    "enterprise_customers": ("customers", "enterprise_customers"),
    "revenue_per_customer": ("customers", "segments"),
    "vertical_concentration": (None, "verticals"),
    "recurring_revenue_share": ("financials", "revenue_mix"),
    "customer_concentration": ("financials", "top5_customer_share_pct"),
    "gross_margin": ("financials", "gross_margin_pct"),
    "rule_of_40": ("financials", "operating_cash_flow"),
}


@pytest.mark.parametrize("removed", sorted(REMOVALS))
def test_coverage_drops_by_the_weight_of_a_missing_metric(engine: Engine, removed: str) -> None:
    data = full_data()
    section, key = REMOVALS[removed]
    del (data[section] if section else data)[key]
    result = dimension(engine, make_profile(**data), DIM)
    assert result.coverage == pytest.approx(1 - WEIGHTS[removed] / TOTAL)
    gone = metric(result, removed)
    assert gone.points is None
    # Omission never helps: it counts at its lowest band's points, with its full weight.
    lowest = min(points for _raw, points in BANDS[removed])
    assert gone.assumed_points == lowest
    assert gone.note == f"no data: counted at {lowest:g} points until researched"
    mean = sum(m.weight * (m.points if m.points is not None else lowest)
               for m in result.evidence) / sum(m.weight for m in result.evidence)
    assert result.score == pytest.approx(mean, abs=1e-4)
    full = dimension(engine, make_profile(**full_data()), DIM)
    assert result.score <= full.score


def test_metrics_removed_one_by_one_lower_coverage_to_zero(engine: Engine) -> None:
    data = full_data()
    coverage = [dimension(engine, make_profile(**data), DIM).coverage]
    left = TOTAL
    expected = [1.0]
    for name in WEIGHTS:
        section, key = REMOVALS[name]
        del (data[section] if section else data)[key]
        coverage.append(dimension(engine, make_profile(**data), DIM).coverage)
        left -= WEIGHTS[name]
        expected.append(left / TOTAL)
    assert coverage == pytest.approx(expected)


def test_empty_profile_has_no_score_and_no_coverage(engine: Engine) -> None:
    result = dimension(engine, CompanyProfile(id="x", name="X"), DIM)
    assert result.score is None and result.coverage == 0
    assert all(m.points is None for m in result.evidence)


def test_empty_profile_is_insufficient_data_with_the_default_config() -> None:
    decision = Engine().evaluate(CompanyProfile(id="x", name="X"))
    assert decision.verdict is Verdict.INSUFFICIENT_DATA
    (dim,) = [d for d in decision.dimensions if d.name == DIM]
    assert dim.score is None and dim.coverage == 0


# -- monotonicity ------------------------------------------------------------------------

VALUES = {
    "ndr": st.floats(50, 180), "gdr": st.floats(30, 100), "subscription": st.floats(0, 50),
    "usage": st.floats(0, 50), "on_prem": st.floats(0, 100), "top5": st.floats(0, 100),
    "margin": st.floats(-50, 95), "growth": st.floats(-50, 300), "ocf": st.floats(-300, 50),
    "churn": st.floats(0, 50), "customers": st.floats(1, 5000),
    "per_customer": st.floats(1e4, 1e8), "top_vertical": st.floats(50, 100),
}
#: Which input drives which metric.
INPUT_OF = {
    "ndr": "ndr", "gdr": "gdr", "recurring_revenue_share": "subscription",
    "customer_concentration": "top5", "gross_margin": "margin", "rule_of_40": "growth",
    "logo_churn": "churn", "enterprise_customers": "customers",
    "revenue_per_customer": "per_customer", "vertical_concentration": "top_vertical",
}


@settings(max_examples=60, deadline=None)
@given(
    values=st.fixed_dictionaries(VALUES),
    name=st.sampled_from(sorted(INPUT_OF)),
    step=st.floats(0.01, 60),
)
def test_moving_a_metric_the_good_way_never_lowers_the_score(
    engine: Engine, values: dict[str, float], name: str, step: float
) -> None:
    direction = engine.scorers[DIM].component.directions[name]
    key = INPUT_OF[name]
    moved = dict(values)
    moved[key] = values[key] + (step if direction == "higher" else -step)
    if key in ("top5", "subscription", "gdr", "churn"):  # shares stay within 0-100
        moved[key] = min(100.0, max(0.0, moved[key]))
    elif key == "top_vertical":  # the larger of two verticals: 50-100
        moved[key] = min(100.0, max(50.0, moved[key]))
    elif key in ("customers", "per_customer"):  # counts and amounts stay positive
        moved[key] = max(1.0, moved[key])
    elif key == "margin":  # a gross margin is at most 100
        moved[key] = min(100.0, moved[key])
    before = dimension(engine, make_profile(**full_data(**values)), DIM).score
    after = dimension(engine, make_profile(**full_data(**moved)), DIM).score
    assert before is not None and after is not None
    assert after >= before - 1e-9


def test_directions_name_every_metric(engine: Engine) -> None:
    directions = engine.scorers[DIM].component.directions
    assert directions == {**{m: "higher" for m in WEIGHTS}, "customer_concentration": "lower",
                          "logo_churn": "lower", "vertical_concentration": "lower"}


# -- settings ----------------------------------------------------------------------------


def test_settings_in_a_config_file_change_the_score(write_config, engine_from_file) -> None:
    profile = make_profile(**full_data())
    default = dimension(engine_from_file(write_config("")), profile, DIM)
    path = write_config(
        """
        [settings.application_stickiness.weights]
        ndr = 100

        [settings.application_stickiness.bands]
        ndr = [[100, 0], [150, 100]]
        """
    )
    tuned = dimension(engine_from_file(path), profile, DIM)
    assert metric(tuned, "ndr").points == pytest.approx(40)
    assert metric(tuned, "ndr").weight == 100
    assert metric(tuned, "gdr").weight == 15  # a partial table keeps the other defaults
    assert tuned.score != default.score
    others = (15 * 85 + 15 * 70 + 5 * 50 + 15 * 50 + 15 * 200 / 3 + 10 * 75 + 15 * 50
              + 15 * 85 + 15 * 60)
    assert tuned.score == pytest.approx((100 * 40 + others) / (TOTAL - 30 + 100), abs=1e-4)


@pytest.mark.parametrize(
    ("body", "path", "message"),
    [
        ("[settings.application_stickiness.weights]\nchurn = 10\n",
         "$.settings.application_stickiness", "unknown metric 'churn'"),
        ("[settings.application_stickiness.bands]\nrevenue_per_customer = [[0, 0], [1, 100]]\n",
         "$.settings.application_stickiness", "anchors must be above 0"),
        ("[settings.application_stickiness.segment_reference_cny]\nretail = 5.0\n",
         "$.settings.application_stickiness", "unknown segment 'retail'"),
        ("[settings.application_stickiness.segment_reference_cny]\nconsumer = 0.0\n",
         "$.settings.application_stickiness", "must be above 0"),
        ("[settings.application_stickiness]\nrule_of_40_min_revenue_usd = -1.0\n",
         "$.settings.application_stickiness", "rule_of_40_min_revenue_usd"),
        ("[settings.application_stickiness.bands]\nndr = [[100, 0], [90, 100]]\n",
         "$.settings.application_stickiness", "band 'ndr'"),
        ('[settings.application_stickiness.weights]\nndr = "high"\n',
         "$.settings.application_stickiness.weights.ndr", "expected a number"),
        ("[settings.application_stickiness.bands]\ngdr = [[0, 0], [100, 120]]\n",
         "$.settings.application_stickiness", "within 0-100"),
        ("[settings.application_stickiness]\nndr_floor = 85\n",
         "$.settings.application_stickiness.ndr_floor", "unknown key"),
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
