"""threshold-ai-safety's own tests, written with the fixtures threshold installs for pytest."""

from __future__ import annotations

from typing import Any

import pytest
import threshold_ai_safety
from threshold_ai_safety import NAME, SCORER, AiSafetyMaturitySettings

from threshold_core import InputError
from threshold_core.testing import check_scorer, describe_plugins

#: The dimension is skipped unless the configuration lists it.
ENABLED = {"dimensions": {NAME: {"weight": 1}}}

SAFETY_EVIDENCE: dict[str, Any] = {
    "evaluations": {"benign_canned_refusal_pct": 10},
    "ethics_governance": {"committee": True, "published_principles": True},
    "security_assessment": {"refusal_test_banks": True},
    "extensions": {NAME: {
        "source": "illustrative",
        "evaluations": [
            {"suite": "XSTest", "independent": True, "n_prompts": 450,
             "over_refusal_pct": 5, "unsafe_compliance_pct": 5},
            {"suite": "CHiSafetyBench", "independent": True, "n_prompts": 1000,
             "over_refusal_pct": 2, "unsafe_compliance_pct": 1},
        ],
    }},
}


@pytest.mark.threshold(autoload=True)
def test_plugin_is_discovered(threshold_engine) -> None:
    listing = {p["name"]: p for p in describe_plugins(threshold_engine)}
    assert "ai_safety" in listing, "threshold-ai-safety is not installed (pip install -e .)"
    entry = listing["ai_safety"]
    assert entry["origin"] == "entry_point"
    assert entry["distribution"] == "threshold-ai-safety"
    assert entry["components"] == [f"scorer:{NAME}"]
    assert entry["hooks"] == ["threshold_profile_extensions", "threshold_register_scorers",
                              "threshold_settings_types"]


@pytest.mark.threshold(autoload=True)
def test_skipped_until_the_configuration_lists_the_dimension(threshold_engine, make_profile):
    decision = threshold_engine.evaluate(make_profile(**SAFETY_EVIDENCE))
    assert NAME not in [d.name for d in decision.dimensions]
    (event,) = [e for e in decision.trace if e.component == NAME]
    assert event.status == "skipped"
    assert "not configured in [dimensions]" in (event.message or "")


@pytest.mark.threshold(config=ENABLED)
def test_scores_the_safety_evidence(register_plugin, make_profile) -> None:
    engine = register_plugin(threshold_ai_safety, "ai_safety").engine
    decision = engine.evaluate(make_profile(**SAFETY_EVIDENCE))
    (dim,) = [d for d in decision.dimensions if d.name == NAME]
    points = {m.metric: m.points for m in dim.evidence}
    # 2 independent evaluations -> 85; worst unsafe compliance 5% -> 60; worst over-refusal
    # 5% -> 80; 10% canned refusals -> 50; principles and refusal banks -> 100.
    assert points == {"independent_evaluation": 85.0, "unsafe_compliance": 60.0,
                      "over_refusal": 80.0, "benign_refusal": 50.0, "safety_practice": 100.0}
    assert dim.raw_score == pytest.approx((25 * 85 + 30 * 60 + 20 * 80 + 10 * 50 + 15 * 100) / 100)
    assert dim.coverage == 1.0 and dim.plugin == "ai_safety"


@pytest.mark.threshold(config=ENABLED)
def test_no_safety_data_lowers_coverage_and_never_scores_zero(register_plugin, make_profile):
    engine = register_plugin(threshold_ai_safety, "ai_safety").engine
    decision = engine.evaluate(make_profile())
    (event,) = [e for e in decision.trace if e.component == NAME]
    assert event.contributed["score"] is None and event.contributed["coverage"] == 0.0
    assert decision.verdict == "insufficient_data"


@pytest.mark.threshold(config={**ENABLED, "settings": {NAME: {"min_prompts": 500}}})
def test_small_evaluations_are_set_aside_by_configuration(register_plugin, make_profile):
    engine = register_plugin(threshold_ai_safety, "ai_safety").engine
    assert engine.settings[NAME].min_prompts == 500
    decision = engine.evaluate(make_profile(**SAFETY_EVIDENCE))
    (dim,) = [d for d in decision.dimensions if d.name == NAME]
    raw = {m.metric: m.raw for m in dim.evidence}
    assert raw["independent_evaluation"] == 1.0  # XSTest (450 prompts) no longer counts
    assert raw["unsafe_compliance"] == 1.0


def test_settings_are_validated(make_threshold_engine) -> None:
    with pytest.raises(InputError) as err:
        make_threshold_engine(
            {**ENABLED, "settings": {NAME: {"min_prompts": -1, "weights": {"speed": 1}}}},
            plugins=[("ai_safety", threshold_ai_safety)],
        )
    text = str(err.value)
    assert f"$.settings.{NAME}" in text and "speed" in text


def test_its_section_is_validated_with_paths(register_plugin, make_profile) -> None:
    register_plugin(threshold_ai_safety, "ai_safety")
    bad = {NAME: {"evaluations": [{"suite": "XSTest", "n_prompts": "many"},
                                  {"independent": True}]}}
    with pytest.raises(InputError) as err:
        make_profile(extensions=bad)
    assert err.value.lines() == [
        f'make_profile(): $.extensions.{NAME}.evaluations[0].n_prompts: '
        'expected a whole number, got "many"',
        f"make_profile(): $.extensions.{NAME}.evaluations[1].suite: required key missing",
    ]


def test_honours_the_scorer_contract(register_plugin, make_profile, example_profiles) -> None:
    register_plugin(threshold_ai_safety, "ai_safety")
    profiles = [make_profile(**SAFETY_EVIDENCE), *example_profiles.values()]
    check_scorer(SCORER, AiSafetyMaturitySettings(), profiles=profiles)


@pytest.mark.threshold(config=ENABLED)
def test_an_evaluation_without_its_size_never_counts_as_more_independent(
        register_plugin, make_profile) -> None:
    # An evaluation could be under min_prompts when n_prompts is left out: its independence
    # is not counted (its rates are: the worst counts), so leaving the size out never helps.
    engine = register_plugin(threshold_ai_safety, "ai_safety").engine

    def scored(size: dict[str, int]) -> tuple[float | None, dict[str, float | None]]:
        run = {"suite": "CHiSafetyBench", "independent": True, "unsafe_compliance_pct": 1,
               "over_refusal_pct": 2, **size}
        decision = engine.evaluate(make_profile(extensions={NAME: {"evaluations": [run]}}))
        (dim,) = [d for d in decision.dimensions if d.name == NAME]
        return dim.score, {m.metric: m.points for m in dim.evidence}

    (stated, points), (left_out, unsized) = scored({"n_prompts": 1000}), scored({})
    assert points["independent_evaluation"] == 60.0
    assert unsized["independent_evaluation"] == 0.0
    assert stated is not None and left_out is not None and left_out < stated
