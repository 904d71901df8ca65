"""The technical_defensibility scorer, through a real engine."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scorer_kit import dimension, make_profile, metric

from threshold_core import CompanyProfile, Engine, InputError, Verdict

DIM = "technical_defensibility"
WEIGHTS = {
    "reproduced_benchmarks": 20, "claim_evidence": 10, "capability_rank": 25, "data_moat": 20,
    "cadence": 10, "rnd_spend": 15,
}


def claims(reproduced: int, total: int) -> list[dict[str, Any]]:
    return [
        {"benchmark": f"b{i}", "score": 80.0, "independently_reproduced": i < reproduced,
         "claimed_by": "self"}
        for i in range(total)
    ]


def assets(exclusive: int = 0, licensed: int = 0, public: int = 0,
           self_reported: bool = False) -> list[dict[str, Any]]:
    kinds = ["exclusive"] * exclusive + ["licensed"] * licensed + ["public"] * public
    return [
        {"description": f"asset {i}", "exclusivity": k, "self_reported": self_reported}
        for i, k in enumerate(kinds)
    ]


def full_data(
    reproduced: int = 3, total: int = 4, percentile: float = 70, exclusive: int = 1,
    licensed: int = 2, releases: float = 2, open_weights: bool = False,
    rnd: float = 1e9, revenue: float = 200e6,
) -> dict[str, Any]:
    return {
        "technology": {
            "benchmark_claims": claims(reproduced, total),
            "capability_percentile": percentile,
            "capability_leaderboard": "SuperCLUE",
            # One public asset keeps data_moat present (at 0 points) when the others are 0.
            "data_assets": assets(exclusive, licensed, public=1),
            "releases_12m": releases,
            "models": [{"name": "m", "open_weights": open_weights}],
        },
        "financials": {"currency": "CNY", "rnd_expense": rnd, "revenue": revenue},
    }


def points(engine: Engine, name: str, **data: Any) -> float | None:
    return metric(dimension(engine, make_profile(**data), DIM), name).points


@pytest.mark.parametrize(
    ("reproduced", "total", "expected"),
    [(0, 3, 0), (1, 4, 25), (1, 2, 50), (13, 20, 75), (4, 5, 100), (5, 5, 100)],
)
def test_reproduced_benchmarks_band(
    engine: Engine, reproduced: int, total: int, expected: float
) -> None:
    got = points(engine, "reproduced_benchmarks",
                 technology={"benchmark_claims": claims(reproduced, total)})
    assert got == pytest.approx(expected)


def test_left_out_checks_and_claimants_count_at_their_least_favourable(engine: Engine) -> None:
    """Once a claim is checked, one nobody checked counts as not reproduced; a claimant left
    out counts as a press report: leaving either out never raises the dimension."""
    known = claims(1, 2)
    unchecked = [*known, {"benchmark": "b2", "score": 80.0, "claimed_by": "self"}]
    got = metric(dimension(engine, make_profile(technology={"benchmark_claims": unchecked}),
                           DIM), "reproduced_benchmarks")
    assert got.raw == pytest.approx(100 / 3)
    assert "1 unchecked, counted as not reproduced" in (got.note or "")
    press = [{**c, "claimed_by": "press"} for c in known]
    unsaid = [{k: v for k, v in c.items() if k != "claimed_by"} for c in known]
    assert points(engine, "claim_evidence", technology={"benchmark_claims": unsaid}) == (
        points(engine, "claim_evidence", technology={"benchmark_claims": press}))


def test_claims_never_checked_are_no_data(engine: Engine) -> None:
    unchecked = [{"benchmark": "MMLU-Pro", "score": 84.1}]
    assert points(engine, "reproduced_benchmarks",
                  technology={"benchmark_claims": unchecked}) is None


@pytest.mark.parametrize(("percentile", "expected"), [(0, 0), (37.5, 37.5), (100, 100)])
def test_capability_rank_band(engine: Engine, percentile: float, expected: float) -> None:
    got = points(engine, "capability_rank", technology={"capability_percentile": percentile})
    assert got == pytest.approx(expected)


@pytest.mark.parametrize(
    ("kinds", "expected"),
    [
        ({"public": 2}, 0),
        ({"licensed": 1}, 25),
        ({"exclusive": 1}, 50),
        ({"exclusive": 1, "licensed": 2}, 75),
        ({"exclusive": 3}, 100),
        ({"exclusive": 6}, 100),
    ],
)
def test_data_moat_band(engine: Engine, kinds: dict[str, int], expected: float) -> None:
    got = points(engine, "data_moat", technology={"data_assets": assets(**kinds)})
    assert got == pytest.approx(expected)


def test_data_moat_is_capped_when_every_asset_is_self_reported(engine: Engine) -> None:
    data = {"technology": {"data_assets": assets(exclusive=3, self_reported=True)}}
    moat = metric(dimension(engine, make_profile(**data), DIM), "data_moat")
    assert moat.points == 60
    assert "capped at 60" in (moat.note or "")
    mixed = assets(exclusive=2, self_reported=True) + assets(exclusive=1)
    assert points(engine, "data_moat", technology={"data_assets": mixed}) == 100


@pytest.mark.parametrize(
    ("releases", "open_weights", "expected"),
    [(0, False, 0), (0.5, False, 25), (1, False, 50), (2, False, 75), (3, False, 100),
     (6, False, 100), (1, True, 50), (0, True, 0), (3, True, 100)],
)
def test_cadence_band_gives_open_weights_no_bonus_by_default(
    engine: Engine, releases: float, open_weights: bool, expected: float
) -> None:
    got = points(
        engine, "cadence",
        technology={"releases_12m": releases,
                    "models": [{"name": "m", "open_weights": open_weights}]},
    )
    assert got == pytest.approx(expected)


# -- R&D on an absolute log scale ---------------------------------------------------------


@pytest.mark.parametrize(
    ("rnd", "expected"),
    [(0, 0), (50e6, 0), (0.1e9, 0), (0.1e9 * 1.0001, 50 * math.log10(1.0001)),
     (math.sqrt(10) * 0.1e9, 25), (1e9, 50), (2.2e9, 50 + 50 * math.log10(2.2)),
     (10e9 * 0.9999, 100 + 50 * math.log10(0.9999)), (10e9, 100), (100e9, 100)],
)
def test_rnd_spend_is_interpolated_on_log10_of_cny(
    engine: Engine, rnd: float, expected: float
) -> None:
    got = points(engine, "rnd_spend", financials={"currency": "CNY", "rnd_expense": rnd})
    assert got == pytest.approx(expected, abs=1e-9)


def test_rnd_spend_ignores_revenue(engine: Engine) -> None:
    """The regression of issue 16: 705% of a small revenue no longer scores 100."""
    zhipu_like = points(engine, "rnd_spend", financials={"currency": "CNY",
            "rnd_expense": 2.2e9, "revenue": 312e6})
    tiny_revenue = points(engine, "rnd_spend", financials={"currency": "CNY",
            "rnd_expense": 2.2e9, "revenue": 1e6})
    assert zhipu_like == tiny_revenue == pytest.approx(50 + 50 * math.log10(2.2))
    assert zhipu_like < 100


def test_rnd_spend_converts_other_currencies_with_the_fx_table(engine: Engine) -> None:
    rate = engine.config.fx.rates["USD"]
    usd = metric(dimension(engine, make_profile(
        financials={"currency": "USD", "rnd_expense": 1e9 / rate}), DIM), "rnd_spend")
    assert usd.raw == pytest.approx(1.0)
    assert usd.points == pytest.approx(50)
    assert "USD" in (usd.note or "")


def test_rnd_spend_missing_is_no_data(engine: Engine) -> None:
    assert points(engine, "rnd_spend", financials={"currency": "CNY", "revenue": 100e6}) is None
    assert points(engine, "rnd_spend", financials={"currency": "CNY"}) is None


def test_rnd_intensity_in_a_config_names_its_successor(write_config, engine_from_file) -> None:
    config = write_config("[settings.technical_defensibility.bands]\n"
                          "rnd_intensity = [[10, 0], [30, 100]]\n")
    with pytest.raises(InputError) as info:
        engine_from_file(config)
    (line,) = info.value.lines()
    assert line.startswith(f"{config}: $.settings.technical_defensibility")
    assert "'rnd_intensity' was replaced by rnd_spend" in line


def test_rnd_spend_band_on_log10_needs_positive_anchors(write_config, engine_from_file) -> None:
    config = write_config("[settings.technical_defensibility.bands]\n"
                          "rnd_spend = [[0, 0], [10, 100]]\n")
    with pytest.raises(InputError) as info:
        engine_from_file(config)
    assert "anchors must be above 0" in info.value.lines()[0]


REMOVALS = {
    "reproduced_benchmarks": ("technology", "benchmark_claims"),
    "capability_rank": ("technology", "capability_percentile"),
    "data_moat": ("technology", "data_assets"),
    "cadence": ("technology", "releases_12m"),
    "rnd_spend": ("financials", "rnd_expense"),
}


@pytest.mark.parametrize("removed", sorted(REMOVALS))
def test_coverage_drops_by_the_weight_of_a_missing_metric(engine: Engine, removed: str) -> None:
    data = full_data()
    section, key = REMOVALS[removed]
    del data[section][key]
    result = dimension(engine, make_profile(**data), DIM)
    # The claims feed two metrics: removing them takes both.
    lost = WEIGHTS[removed] + (WEIGHTS["claim_evidence"] if key == "benchmark_claims" else 0)
    assert result.coverage == pytest.approx(1 - lost / 100)
    assert metric(result, removed).points is None


def test_metrics_removed_one_by_one_lower_coverage_to_zero(engine: Engine) -> None:
    data = full_data()
    coverage = [dimension(engine, make_profile(**data), DIM).coverage]
    for name in REMOVALS:
        section, key = REMOVALS[name]
        del data[section][key]
        coverage.append(dimension(engine, make_profile(**data), DIM).coverage)
    assert coverage == pytest.approx([1.0, 0.7, 0.45, 0.25, 0.15, 0.0])


def test_full_profile_score_is_the_weighted_mean(engine: Engine) -> None:
    result = dimension(engine, make_profile(**full_data()), DIM)
    expected = {
        "reproduced_benchmarks": 50 + 50 * (75 - 50) / (80 - 50), "claim_evidence": 50,
        "capability_rank": 70, "data_moat": 75, "cadence": 75, "rnd_spend": 50,
    }
    assert {m.metric: m.points for m in result.evidence} == pytest.approx(expected)
    assert result.coverage == 1
    assert result.score == pytest.approx(
        sum(WEIGHTS[k] * v for k, v in expected.items()) / 100, abs=1e-4
    )


def test_empty_profile_has_no_score_and_no_coverage(engine: Engine) -> None:
    result = dimension(engine, CompanyProfile(id="x", name="X"), DIM)
    assert result.score is None and result.coverage == 0


def test_empty_profile_is_insufficient_data_with_the_default_config() -> None:
    decision = Engine().evaluate(CompanyProfile(id="x", name="X"))
    assert decision.verdict is Verdict.INSUFFICIENT_DATA
    (dim,) = [d for d in decision.dimensions if d.name == DIM]
    assert dim.score is None and dim.coverage == 0


# -- monotonicity ------------------------------------------------------------------------

VALUES = {
    "reproduced": st.integers(0, 5), "percentile": st.floats(0, 100),
    "exclusive": st.integers(0, 4), "licensed": st.integers(0, 4),
    "releases": st.floats(0, 5), "open_weights": st.booleans(),
    "rnd": st.floats(1e6, 50e9),
}
#: How to move each metric up by ``step`` (every metric is higher-is-better).
RAISE = {
    "reproduced_benchmarks": lambda v, s: {**v, "reproduced": min(5, v["reproduced"] + 1)},
    "capability_rank": lambda v, s: {**v, "percentile": min(100.0, v["percentile"] + s)},
    "data_moat": lambda v, s: {**v, "exclusive": v["exclusive"] + 1},
    "cadence": lambda v, s: {**v, "releases": v["releases"] + s},
    "rnd_spend": lambda v, s: {**v, "rnd": v["rnd"] * (1 + s)},
}


@settings(max_examples=60, deadline=None)
@given(
    values=st.fixed_dictionaries(VALUES),
    name=st.sampled_from(sorted(RAISE)),
    step=st.floats(0.01, 50),
)
def test_raising_a_metric_never_lowers_the_score(
    engine: Engine, values: dict[str, Any], name: str, step: float
) -> None:
    assert engine.scorers[DIM].component.directions[name] == "higher"
    before = dimension(engine, make_profile(**full_data(total=5, **values)), DIM).score
    moved = RAISE[name](values, step)
    after = dimension(engine, make_profile(**full_data(total=5, **moved)), DIM).score
    assert before is not None and after is not None
    assert after >= before - 1e-9


# -- settings ----------------------------------------------------------------------------


def test_settings_in_a_config_file_change_the_score(write_config, engine_from_file) -> None:
    profile = make_profile(**full_data(exclusive=3, licensed=0))
    default = dimension(engine_from_file(write_config("")), profile, DIM)
    path = write_config(
        """
        [settings.technical_defensibility.bands]
        capability_rank = [[0, 0], [50, 100]]
        """
    )
    tuned = dimension(engine_from_file(path), profile, DIM)
    assert metric(tuned, "capability_rank").points == 100
    assert tuned.score is not None and default.score is not None
    assert tuned.score > default.score


def test_open_weights_bonus_setting_re_enables_the_bonus(write_config, engine_from_file) -> None:
    profile = make_profile(**full_data(releases=1, open_weights=True))
    path = write_config("[settings.technical_defensibility]\nopen_weights_bonus = 25.0\n")
    cadence = metric(dimension(engine_from_file(path), profile, DIM), "cadence")
    assert cadence.points == 75
    assert "+25 for open weights" in (cadence.note or "")
    assert (cadence.band_source or "").startswith("secondary: ")  # the band itself is unchanged
    closed = make_profile(**full_data(releases=1, open_weights=False))
    assert metric(dimension(engine_from_file(path), closed, DIM), "cadence").points == 50


@pytest.mark.parametrize(
    ("body", "path", "message"),
    [
        ("[settings.technical_defensibility.weights]\nhype = 10\n",
         "$.settings.technical_defensibility", "unknown metric 'hype'"),
        ("[settings.technical_defensibility.bands]\ncadence = [[0, 0], [0, 100]]\n",
         "$.settings.technical_defensibility", "band 'cadence'"),
        ('[settings.technical_defensibility.weights]\ncadence = "10"\n',
         "$.settings.technical_defensibility.weights.cadence", "expected a number"),
        ("[settings.technical_defensibility.weights]\ncadence = -1\n",
         "$.settings.technical_defensibility", "must not be negative"),
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


# -- the log band, inverted by the distance to the next verdict ---------------------------


@settings(max_examples=50, deadline=None)
@given(target=st.floats(0.0, 100.0))
def test_a_log_band_inverts_to_the_figure_that_gives_the_points(target: float) -> None:
    from threshold_core.kit import Band

    band = Band([(0.1, 0), (1, 50), (10, 100)], log=True)
    raw = band.invert(target)
    assert raw is not None and 0.1 <= raw <= 10
    assert band(raw) == pytest.approx(target, abs=1e-9)


def test_the_distance_names_the_rnd_spend_to_reach(run_cli, tmp_path) -> None:
    """R&D spend is a log band, not a cap on top of one: the distance to watch inverts it."""
    import json

    folder = tmp_path / "synthetic"
    assert run_cli("generate", "300", "--seed", "1", "--output", str(folder)).returncode == 0
    path = folder / "synth-000254.json"
    profile = json.loads(path.read_text(encoding="utf-8"))
    profile["financials"]["rnd_expense"] = 1e9
    profile["technology"]["capability_percentile"] = 80
    # The cash burn its generated FCF margin describes, as operating cash flow (the Rule of
    # 40 reads it since issue 16), and RMB 1bn of R&D (2bn reached watch once issue 16's
    # stickiness metrics scored its verticals).
    fin = profile["financials"]
    fin["operating_cash_flow"] = fin["fcf_margin_pct"] * fin["revenue"] / 100
    for c in profile["technology"]["benchmark_claims"]:
        c["claimed_by"] = "third_party"
    # Its safety evaluation, which ETH-002 reads (unchecked, it leaves the verdict undecided).
    profile["evaluations"] = {"safety": [
        {"suite": "XSTest", "over_refusal_pct": 5, "unsafe_compliance_pct": 2,
         "n_benign": 250, "n_unsafe": 200, "independent": True}],
        "hallucination": [{"domain": v["sector"], "confabulation_pct": 2}
                          for v in profile["verticals"]]}
    for vertical in profile["verticals"]:  # FIL-011 reads it
        vertical["personal_data_in_training"] = False
    # The figures a generated profile leaves out, which would count at their lowest points
    # (omission never helps) and leave watch out of R&D spend's reach; its investors' lock-ups
    # dated and its strategic backer's revenue share given, which left out count at their
    # least favourable.
    profile["customers"].update(logo_churn_pct=5, enterprise_customers=1000)
    profile["technology"]["data_assets"] = [
        {"description": "licensed corpora", "exclusivity": "exclusive", "self_reported": False}]
    profile["compliance"] = {"mlps_level3_systems": 3,
                             "certifications": [{"standard": "ISO/IEC 27001"}]}
    profile["valuation_history"] = [{"as_of": "2025-06-30", "amount": 1e9, "currency": "CNY",
                                     "basis": "last_round_post_money", "source": "synthetic"}]
    for investor in profile["investors"]:
        investor.update(lockup_expiry="2028-06-30", stake_pct=1.0,
                        investment_date="2026-06-01", revenue_share_pct=0)
    path.write_text(json.dumps(profile), encoding="utf-8")
    result = run_cli("evaluate", str(path), "--format", "json", "--no-plugin-autoload")
    assert result.returncode == 0, result.stderr
    moves = [m for d in json.loads(result.stdout)["explain"]["distance"]["dimensions"]
             for m in d["metrics"] if m["metric"] == "rnd_spend"]
    assert [m["action"] for m in moves] == ["raise"]
    (move,) = moves
    assert move["note"].startswith("raise rnd_spend from 1 to ")
    # The figure shown gives the points the note promises (50 + 50 log10 of CNY bn).
    assert 50 + 50 * math.log10(move["target_raw"]) >= move["target_points"] - 0.05
