"""The regulatory_readiness scorer (a checklist turned into metrics), through a real engine."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scorer_kit import dimension, make_profile, metric, scorer_engine

from threshold_core import CompanyProfile, Engine, InputError, Verdict

DIM = "regulatory_readiness"
WEIGHTS = {
    "genai_filing": 30, "algorithm_filing": 15, "disclosure": 5, "labeling": 10,
    "security_assessment": 10, "sector_approvals": 15, "enforcement": 10,
    "ethics_governance": 5,
}

CHAT = {"name": "Chat", "kind": "generative", "public_prc": True, "public_opinion": True}
VIDEO = {"name": "Video", "kind": "generative", "public_prc": True}
FEED = {"name": "Feed", "kind": "algorithm_recommendation", "public_prc": True,
        "public_opinion": True}


def filing(regime: str, service: str | None = None, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"regime": regime, **extra}
    if service is not None:
        data["service"] = service
    return data


def points(engine: Engine, name: str, **data: Any) -> float | None:
    return metric(dimension(engine, make_profile(**data), DIM), name).points


def full_data() -> dict[str, Any]:
    return {
        "services": [CHAT, FEED],
        "filings": [
            filing("CAC_GENAI_FILING", "Chat", displayed_on_product=True),
            filing("CAC_DEEP_SYNTHESIS", "Chat", displayed_on_product=False),
            filing("CAC_ALGORITHM", "Feed"),
        ],
        "content_labeling": {"explicit": True, "implicit_metadata": False},
        "security_assessment": {"corpus_blacklist": True, "keyword_library": True,
                                "refusal_test_banks": False},
        "verticals": [{"sector": "healthcare", "revenue_share_pct": 40},
                      {"sector": "finance", "revenue_share_pct": 60, "exemption": "no regime"}],
        "sector_approvals": [{"sector": "healthcare", "regulator": "NMPA"}],
        "enforcement": [{"authority": "CAC", "action": "summons", "action_date": "2026-01-05"}],
        "ethics_governance": {"committee": True, "members": 3},
    }


# -- genai_filing ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("services", "filings", "expected"),
    [
        ([CHAT, VIDEO], [], 0),
        ([CHAT, VIDEO], [filing("CAC_GENAI_FILING", "Chat")], 50),
        ([CHAT, VIDEO], [filing("CAC_GENAI_FILING", "chat"), filing("CAC_GENAI_FILING", "Video")],
         100),
        ([CHAT, VIDEO], [filing("CAC_GENAI_FILING")], 100),  # company-level record
        ([CHAT], [filing("CAC_GENAI_FILING", "Chat", status="cancelled")], 0),
        ([CHAT], [filing("CAC_GENAI_FILING", "Chat", status="pending")], 0),
        ([CHAT], [filing("CAC_GENAI_FILING", "Chat", status="changed")], 100),  # still in force
        ([{**CHAT, "name": "Chat app (iOS)"}], [filing("CAC_GENAI_FILING", "chat-app")], 100),
        ([{**CHAT, "name": "Qingyan", "model": "GLM-4"}], [filing("CAC_GENAI_FILING", "GLM 4")],
         100),
        ([{**CHAT, "name": "Qingyan", "model": "GLM-4"}], [filing("CAC_GENAI_FILING", "Yi")], 0),
        # An own model needs a filing: a registration is not enough.
        ([CHAT], [filing("CAC_GENAI_REGISTRATION", "Chat")], 0),
        ([{**CHAT, "api_based": True}], [filing("CAC_GENAI_REGISTRATION", "Chat")], 100),
        # Another company's filing for the foundation model does not cover the service.
        ([{**CHAT, "foundation_model": "BaseLM", "foundation_model_filed": True}],
         [filing("CAC_GENAI_FILING", "BaseLM")], 0),
        ([CHAT], [filing("CAC_ALGORITHM", "Chat")], 0),
    ],
)
def test_genai_filing_share_of_services_covered(
    engine: Engine, services: list[Any], filings: list[Any], expected: float
) -> None:
    got = points(engine, "genai_filing", services=services, filings=filings)
    assert got == pytest.approx(expected)


def test_genai_filing_names_the_services_not_covered(engine: Engine) -> None:
    result = dimension(engine, make_profile(services=[CHAT, VIDEO],
                                            filings=[filing("CAC_GENAI_FILING", "Chat")]), DIM)
    assert "not covered: Video" in (metric(result, "genai_filing").note or "")


def test_unattributed_filings_can_be_made_to_cover_nothing() -> None:
    strict = scorer_engine({DIM: {"unattributed_filings_cover_all": False}})
    assert points(strict, "genai_filing", services=[CHAT],
                  filings=[filing("CAC_GENAI_FILING")]) == 0


def test_services_that_need_no_filing_pass(engine: Engine) -> None:
    offshore = {**CHAT, "public_prc": False}
    result = dimension(engine, make_profile(services=[offshore]), DIM)
    assert metric(result, "genai_filing").points == 100
    assert metric(result, "algorithm_filing").points == 100


def test_filings_without_services_count_when_the_regime_is_on_file(engine: Engine) -> None:
    result = dimension(engine, make_profile(filings=[filing("CAC_GENAI_FILING")]), DIM)
    assert metric(result, "genai_filing").points == 100
    assert metric(result, "algorithm_filing").points is None
    assert "no services listed" in (metric(result, "genai_filing").note or "")


def test_no_services_and_no_filings_is_no_data(engine: Engine) -> None:
    result = dimension(engine, make_profile(content_labeling={"explicit": True,
                                                             "implicit_metadata": True}), DIM)
    for name in ("genai_filing", "algorithm_filing", "disclosure", "enforcement"):
        assert metric(result, name).points is None, name


# -- algorithm_filing --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("services", "filings", "expected"),
    [
        ([CHAT, FEED], [], 0),
        ([CHAT, FEED], [filing("CAC_ALGORITHM", "Feed")], 50),
        ([CHAT, FEED], [filing("CAC_ALGORITHM", "Feed"), filing("CAC_DEEP_SYNTHESIS", "Chat")],
         100),
        ([FEED, {**FEED, "name": "Offshore", "public_prc": False}],
         [filing("CAC_ALGORITHM", "Feed")], 100),
        ([FEED, {**FEED, "name": "Ranking", "public_opinion": False}],
         [filing("CAC_ALGORITHM", "Feed")], 100),
        ([CHAT], [filing("CAC_GENAI_FILING", "Chat")], 0),  # the double filing
        ([VIDEO], [], 100),  # no public-opinion attributes: no algorithm filing needed
    ],
)
def test_algorithm_filing_share_of_services_covered(
    engine: Engine, services: list[Any], filings: list[Any], expected: float
) -> None:
    got = points(engine, "algorithm_filing", services=services, filings=filings)
    assert got == pytest.approx(expected)


@pytest.mark.parametrize(
    ("filed", "expected"),
    [("2026-03-02", 100), ("2026-03-16", 100), ("2026-03-17", 50), ("2026-06-01", 50)],
)
def test_a_change_filed_after_ten_working_days_earns_half(
    engine: Engine, filed: str, expected: float
) -> None:
    # 2026-03-02 is a Monday; ten working days later is Monday 2026-03-16.
    record = filing("CAC_ALGORITHM", "Feed", material_change_date="2026-03-02",
                    change_filed_date=filed)
    got = points(engine, "algorithm_filing", services=[FEED], filings=[record])
    assert got == pytest.approx(expected)


def test_algorithm_filing_settings() -> None:
    tuned = scorer_engine({DIM: {"generative_needs_algorithm_filing": False,
                                 "late_change_credit": 0.0,
                                 "change_deadline_working_days": 5}})
    assert points(tuned, "algorithm_filing", services=[CHAT]) == 100
    assert points(tuned, "algorithm_filing", services=[CHAT, FEED], filings=[]) == 0
    record = filing("CAC_ALGORITHM", "Feed", material_change_date="2026-03-02",
                    change_filed_date="2026-03-10")
    assert points(tuned, "algorithm_filing", services=[FEED], filings=[record]) == 0


# -- disclosure, labeling, security assessment ---------------------------------------------


@pytest.mark.parametrize(
    ("shown", "expected"),
    [([True, True], 100), ([True, False], 50), ([False], 0), ([True, None], 100),
     ([None], None)],
)
def test_disclosure_share_of_known_records_displayed(
    engine: Engine, shown: list[bool | None], expected: float | None
) -> None:
    records = []
    for flag in shown:
        record = filing("CAC_GENAI_FILING")
        if flag is not None:
            record["displayed_on_product"] = flag
        records.append(record)
    assert points(engine, "disclosure", filings=records) == expected


@pytest.mark.parametrize(
    ("explicit", "implicit", "expected"),
    [(True, True, 100), (True, False, 50), (False, True, 50), (False, False, 0)],
)
def test_labeling_points(engine: Engine, explicit: bool, implicit: bool, expected: float) -> None:
    got = points(engine, "labeling",
                 content_labeling={"explicit": explicit, "implicit_metadata": implicit})
    assert got == expected


@pytest.mark.parametrize(
    ("flags", "expected"),
    [({}, 0), ({"corpus_blacklist": True}, 100 / 3),
     ({"corpus_blacklist": True, "keyword_library": True, "refusal_test_banks": False}, 200 / 3),
     ({"corpus_blacklist": True, "keyword_library": True, "refusal_test_banks": True}, 100)],
)
def test_security_assessment_points(
    engine: Engine, flags: dict[str, bool], expected: float
) -> None:
    assert points(engine, "security_assessment", security_assessment=flags) == (
        pytest.approx(expected)
    )


# -- sector approvals --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("vertical", "approvals", "expected"),
    [
        ({"sector": "healthcare", "revenue_share_pct": 15}, [], 0),
        ({"sector": "healthcare", "revenue_share_pct": 10}, [], 0),
        ({"sector": "healthcare", "revenue_share_pct": 9.9}, [], 100),
        ({"sector": "Healthcare", "revenue_share_pct": 15},
         [{"sector": "healthcare", "regulator": "NMPA", "instrument": "Class III"}], 100),
        ({"sector": "healthcare", "revenue_share_pct": 15},
         [{"sector": "healthcare", "regulator": "NMPA", "status": "cancelled"}], 0),
        ({"sector": "healthcare", "revenue_share_pct": 15},
         [{"sector": "finance", "regulator": "NFRA"}], 0),
        ({"sector": "healthcare", "revenue_share_pct": 15, "exemption": "Class I only"}, [], 100),
    ],
)
def test_sector_approvals_cover_verticals_above_the_threshold(
    engine: Engine, vertical: dict[str, Any], approvals: list[Any], expected: float
) -> None:
    got = points(engine, "sector_approvals", verticals=[vertical], sector_approvals=approvals)
    assert got == expected


def test_sector_approvals_share_and_threshold_setting(engine: Engine) -> None:
    verticals = [{"sector": "healthcare", "revenue_share_pct": 15},
                 {"sector": "finance", "revenue_share_pct": 25},
                 {"sector": "retail", "revenue_share_pct": 60, "exemption": "none needed"}]
    approvals = [{"sector": "finance", "regulator": "NFRA"}]
    data = {"verticals": verticals, "sector_approvals": approvals}
    assert points(engine, "sector_approvals", **data) == pytest.approx(200 / 3)
    tuned = scorer_engine({DIM: {"sector_revenue_threshold_pct": 20.0}})
    assert points(tuned, "sector_approvals", **data) == 100


def test_verticals_without_shares_are_no_data(engine: Engine) -> None:
    assert points(engine, "sector_approvals", verticals=[{"sector": "finance"}]) is None


# -- enforcement -------------------------------------------------------------------------


def action(kind: str, day: str, resolved: bool = False) -> dict[str, Any]:
    return {"authority": "CAC", "action": kind, "action_date": day, "resolved": resolved}


@pytest.mark.parametrize(
    ("actions", "expected"),
    [
        ([], 100),
        ([action("penalty", "2025-01-10")], 0),
        ([action("app_removal", "2025-01-10")], 0),
        ([action("penalty", "2025-01-10", resolved=True)], 50),
        ([action("penalty", "2025-01-10", resolved=True), action("app_removal", "2026-02-01")], 0),
        ([action("summons", "2026-01-10")], 50),
        ([action("summons", "2026-01-10"), action("summons", "2026-02-10")], 0),
        ([action("penalty", "2025-01-10", resolved=True), action("summons", "2026-01-10")], 0),
        ([action("rectification", "2026-01-10")], 50),
        ([action("rectification", "2026-01-10", resolved=True)], 100),
        ([action("penalty", "2024-06-30")], 0),  # the window's first day counts
        ([action("penalty", "2024-06-29")], 100),  # outside the 24 months
        ([action("penalty", "2026-07-01")], 100),  # after the evaluation date
    ],
)
def test_enforcement_points_in_the_window(
    engine: Engine, actions: list[Any], expected: float
) -> None:
    got = points(engine, "enforcement", enforcement=actions, filings=[filing("CAC_ALGORITHM")])
    assert got == expected


def test_enforcement_settings() -> None:
    tuned = scorer_engine({DIM: {"enforcement_window_months": 36, "resolved_penalty_points": 80.0,
                                 "summons_deduction": 5.0}})
    old = [action("penalty", "2024-01-10", resolved=True), action("summons", "2026-01-10")]
    assert points(tuned, "enforcement", enforcement=old) == 75


def test_enforcement_window_follows_the_evaluation_date(engine: Engine) -> None:
    actions = [action("penalty", "2024-03-01")]
    assert points(engine, "enforcement", enforcement=actions) == 100
    earlier = make_profile(as_of="2025-06-30", enforcement=actions)
    assert metric(dimension(engine, earlier, DIM), "enforcement").points == 0
    undated = CompanyProfile(id="x", name="X", enforcement=earlier.enforcement)
    # Without a profile date the FX table's date (2026-06-30) is the evaluation date.
    assert metric(dimension(engine, undated, DIM), "enforcement").points == 100


def test_absent_enforcement_is_no_data_and_an_empty_list_a_clean_record(engine: Engine) -> None:
    assert points(engine, "enforcement", services=[CHAT]) is None
    assert points(engine, "enforcement", enforcement=[]) == 100


# -- ethics governance -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("governance", "extra", "expected"),
    [
        ({"committee": True, "members": 5}, {}, 100),
        ({"committee": True, "members": 4}, {}, 70),
        ({"committee": True}, {}, 70),
        ({"committee": False}, {}, 40),
        ({"committee": True, "members": 7, "expert_rereview_done": True},
         {"services": [{**CHAT, "public_opinion": True}]}, 100),
        ({"committee": True, "members": 7},
         {"services": [{**CHAT, "public_opinion": True}]}, 60),
        ({"committee": False},
         {"verticals": [{"sector": "credit", "decision_support": True}]}, 0),
    ],
)
def test_ethics_governance_points(
    engine: Engine, governance: dict[str, Any], extra: dict[str, Any], expected: float
) -> None:
    assert points(engine, "ethics_governance", ethics_governance=governance, **extra) == expected


# -- the whole checklist ------------------------------------------------------------------


def test_full_profile_score_is_the_weighted_checklist(engine: Engine) -> None:
    result = dimension(engine, make_profile(**full_data()), DIM)
    expected = {
        "genai_filing": 100, "algorithm_filing": 100, "disclosure": 50, "labeling": 50,
        "security_assessment": 200 / 3, "sector_approvals": 100, "enforcement": 50,
        "ethics_governance": 30,  # a public-opinion service needs a re-review: none on record
    }
    assert {m.metric: m.points for m in result.evidence} == pytest.approx(expected)
    assert result.coverage == 1
    assert result.score == pytest.approx(
        sum(WEIGHTS[k] * v for k, v in expected.items()) / 100, abs=1e-4
    )


def _drop_filings_and_services(data: dict[str, Any]) -> None:
    del data["filings"], data["services"], data["enforcement"]


REMOVALS = {
    # What taking one input away removes: a checklist item with data is never zero.
    "content_labeling": (lambda d: d.pop("content_labeling"), {"labeling"}),
    "security_assessment": (lambda d: d.pop("security_assessment"), {"security_assessment"}),
    "verticals": (lambda d: d.pop("verticals"), {"sector_approvals"}),
    "ethics_governance": (lambda d: d.pop("ethics_governance"), {"ethics_governance"}),
    "displayed_on_product": (
        lambda d: [f.pop("displayed_on_product", None) for f in d["filings"]], {"disclosure"}
    ),
    "filings, services, enforcement": (
        _drop_filings_and_services,
        {"genai_filing", "algorithm_filing", "disclosure", "enforcement"},
    ),
}


@pytest.mark.parametrize("removed", sorted(REMOVALS))
def test_coverage_drops_by_the_weight_of_missing_checks(engine: Engine, removed: str) -> None:
    data = full_data()
    drop, gone = REMOVALS[removed]
    drop(data)
    result = dimension(engine, make_profile(**data), DIM)
    assert {m.metric for m in result.evidence if m.points is None} == gone
    assert result.coverage == pytest.approx(1 - sum(WEIGHTS[g] for g in gone) / 100)


def test_metrics_removed_one_by_one_lower_coverage_to_zero(engine: Engine) -> None:
    data = full_data()
    coverage = []
    for name in ("displayed_on_product", "content_labeling", "security_assessment", "verticals",
                 "ethics_governance", "filings, services, enforcement"):
        REMOVALS[name][0](data)
        coverage.append(dimension(engine, make_profile(**data), DIM).coverage)
    assert coverage == pytest.approx([0.95, 0.85, 0.75, 0.6, 0.55, 0.0])


def test_empty_profile_has_no_score_and_no_coverage(engine: Engine) -> None:
    result = dimension(engine, CompanyProfile(id="x", name="X"), DIM)
    assert result.score is None and result.coverage == 0


def test_empty_profile_is_insufficient_data_with_the_default_config() -> None:
    decision = Engine().evaluate(CompanyProfile(id="x", name="X"))
    assert decision.verdict is Verdict.INSUFFICIENT_DATA
    (dim,) = [d for d in decision.dimensions if d.name == DIM]
    assert dim.score is None and dim.coverage == 0


# -- monotonicity ------------------------------------------------------------------------

FLAGS = (
    "chat_filed", "feed_filed", "chat_shown", "explicit", "implicit", "blacklist", "keywords",
    "refusals", "approved", "exempt", "penalty_resolved", "summons_resolved", "committee",
    "big_committee", "rereview",
)


def flagged(flags: dict[str, bool]) -> dict[str, Any]:
    filings = []
    if flags["chat_filed"]:
        filings += [filing("CAC_GENAI_FILING", "Chat", displayed_on_product=flags["chat_shown"]),
                    filing("CAC_DEEP_SYNTHESIS", "Chat")]
    if flags["feed_filed"]:
        filings.append(filing("CAC_ALGORITHM", "Feed", displayed_on_product=True))
    return {
        "services": [{**CHAT, "public_opinion": True}, FEED],
        "filings": filings,
        "content_labeling": {"explicit": flags["explicit"], "implicit_metadata": flags["implicit"]},
        "security_assessment": {"corpus_blacklist": flags["blacklist"],
                                "keyword_library": flags["keywords"],
                                "refusal_test_banks": flags["refusals"]},
        "verticals": [{"sector": "finance", "revenue_share_pct": 50,
                       **({"exemption": "none needed"} if flags["exempt"] else {})}],
        "sector_approvals": [{"sector": "finance", "regulator": "NFRA"}] if flags["approved"]
        else [],
        "enforcement": [
            action("penalty", "2025-05-01", resolved=flags["penalty_resolved"]),
            action("rectification", "2025-09-01", resolved=flags["summons_resolved"]),
        ],
        "ethics_governance": {"committee": flags["committee"],
                              "members": 9 if flags["big_committee"] else 2,
                              "expert_rereview_done": flags["rereview"]},
    }


@settings(max_examples=150, deadline=None)
@given(flags=st.fixed_dictionaries({f: st.booleans() for f in FLAGS}),
       improve=st.sampled_from(FLAGS))
def test_fixing_a_checklist_item_never_lowers_the_score(
    engine: Engine, flags: dict[str, bool], improve: str
) -> None:
    before = dimension(engine, make_profile(**flagged(flags)), DIM).score
    after = dimension(engine, make_profile(**flagged({**flags, improve: True})), DIM).score
    assert before is not None and after is not None
    assert after >= before - 1e-9


@pytest.mark.parametrize("others", [True, False])
@pytest.mark.parametrize("improve", FLAGS)
def test_fixing_one_item_against_fixed_baselines(
    engine: Engine, improve: str, others: bool
) -> None:
    flags = {f: others for f in FLAGS}
    before = dimension(engine, make_profile(**flagged({**flags, improve: False})), DIM).score
    after = dimension(engine, make_profile(**flagged({**flags, improve: True})), DIM).score
    assert before is not None and after is not None
    assert after >= before - 1e-9


def test_every_metric_is_higher_is_better(engine: Engine) -> None:
    assert engine.scorers[DIM].component.directions == {m: "higher" for m in WEIGHTS}


# -- settings ----------------------------------------------------------------------------


def test_settings_in_a_config_file_change_the_score(write_config, engine_from_file) -> None:
    profile = make_profile(**full_data())
    default = dimension(engine_from_file(write_config("")), profile, DIM)
    path = write_config(
        """
        [settings.regulatory_readiness]
        summons_deduction = 10.0

        [settings.regulatory_readiness.weights]
        labeling = 40

        [settings.regulatory_readiness.bands]
        security_assessment = [[0, 0], [60, 100]]
        """
    )
    tuned = dimension(engine_from_file(path), profile, DIM)
    assert metric(tuned, "enforcement").points == 90
    assert metric(tuned, "labeling").weight == 40
    assert metric(tuned, "security_assessment").points == 100
    assert tuned.score != default.score


@pytest.mark.parametrize(
    ("body", "path", "message"),
    [
        ("[settings.regulatory_readiness.weights]\nvibes = 5\n",
         "$.settings.regulatory_readiness", "unknown metric 'vibes'"),
        ("[settings.regulatory_readiness.bands]\nlabeling = [[50, 0], [20, 100]]\n",
         "$.settings.regulatory_readiness", "band 'labeling'"),
        ('[settings.regulatory_readiness.weights]\nlabeling = "ten"\n',
         "$.settings.regulatory_readiness.weights.labeling", "expected a number"),
        ("[settings.regulatory_readiness]\nlate_change_credit = 1.5\n",
         "$.settings.regulatory_readiness", "late_change_credit"),
        ('[settings.regulatory_readiness]\nenforcement_window_months = "24"\n',
         "$.settings.regulatory_readiness.enforcement_window_months", "expected a whole number"),
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


def test_filings_not_researched_are_no_data_and_none_on_record_scores_zero(engine: Engine) -> None:
    assert points(engine, "genai_filing", services=[CHAT]) is None
    assert points(engine, "genai_filing", services=[CHAT], filings=[]) == 0
    assert points(engine, "algorithm_filing", services=[FEED]) is None
    assert points(engine, "algorithm_filing", services=[FEED], filings=[]) == 0
