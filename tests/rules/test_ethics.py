"""The ``ethics`` pack: each rule fires, misses just across its threshold, and
reports the profile paths it lacks."""

from __future__ import annotations

import pytest

from threshold_rules.ethics import PACK

CHAT = {"name": "Chat", "kind": "generative"}


#: A sample so large that the 95% interval is a hair's breadth around the rate.
BIG = 10_000_000


def safety(over: float | None = None, unsafe: float | None = None, suite: str = "XSTest",
           n: int | None = BIG, **extra: object) -> dict:
    run = {"suite": suite, "over_refusal_pct": over, "unsafe_compliance_pct": unsafe,
           "n_prompts": n, **extra}
    return {"evaluations": {"safety": [{k: v for k, v in run.items() if v is not None}]}}


def canned(pct: float, overseas: float | None) -> dict:
    data: dict = {"evaluations": {"benign_canned_refusal_pct": pct}}
    if overseas is not None:
        data["financials"] = {"overseas_revenue_pct": overseas}
    return data


def finance(confabulation: float | None) -> dict:
    data: dict = {"verticals": [{"sector": "finance"}]}
    if confabulation is not None:
        data["evaluations"] = {"hallucination": [{"domain": "finance",
                                                  "confabulation_pct": confabulation}]}
    return data


def labeled(as_of: str, explicit: bool = False, implicit: bool = True, **service: object) -> dict:
    return {"as_of": as_of, "services": [{**CHAT, **service}],
            "content_labeling": {"explicit": explicit, "implicit_metadata": implicit}}


def companion(minor_mode: bool | None) -> dict:
    svc = {"name": "Talkie", "companion": True}
    if minor_mode is not None:
        svc["minor_mode"] = minor_mode
    return {"services": [svc]}


def ip_case(claim: float, currency: str = "CNY", revenue: float | None = 100.0,
            revenue_currency: str = "CNY") -> dict:
    data: dict = {"litigation": [{"counterparty": "iQIYI", "subject": "copyright",
                                  "claim": {"amount": claim, "currency": currency}}]}
    if revenue is not None:
        data["financials"] = {"currency": revenue_currency, "revenue": revenue}
    return data


def prohibited(as_of: str) -> dict:
    return {"as_of": as_of, "eu_exposure": {"serves_eu_users": True,
                                            "prohibited_uses": ["emotion recognition at work"]}}


# rule id, profile that fires, severity, near miss (passes), profile lacking data, missing paths
CASES = [
    ("ETH-001", safety(over=10.1), "medium", safety(over=10.0), safety(over=10.1, n=None),
     ("evaluations.safety[0].n_benign",)),
    ("ETH-002", safety(unsafe=10.1), "high", safety(unsafe=10.0), safety(unsafe=10.1, n=None),
     ("evaluations.safety[0].n_unsafe",)),
    ("ETH-004", canned(10.1, 30.0), "medium", canned(10.1, 29.9), canned(10.1, None),
     ("financials.overseas_revenue_pct",)),
    ("ETH-005", finance(5.1), "high", finance(5.0), finance(None),
     ("evaluations.hallucination",)),
    ("ETH-006", labeled("2025-09-01"), "high", labeled("2025-08-31"),
     {"services": [CHAT]}, ("content_labeling",)),
    ("ETH-007", {"evaluations": {"bias": []}}, "medium",
     {"evaluations": {"bias": [{"suite": "CBBQ"}]}}, {}, ("evaluations.bias",)),
    ("ETH-008", companion(False), "high", companion(True), companion(None),
     ("services[0].minor_mode",)),
    ("ETH-009", ip_case(5.0), "medium", ip_case(4.99), ip_case(5.0, revenue=None),
     ("financials.revenue",)),
    ("ETH-010", prohibited("2025-02-02"), "critical", prohibited("2025-02-01"), {},
     ("eu_exposure",)),
    ("ETH-011", {"ethics_governance": {"committee": False, "published_principles": False}},
     "low", {"ethics_governance": {"committee": False, "published_principles": True}},
     {"ethics_governance": {"committee": False}},
     ("ethics_governance.published_principles",)),
]
IDS = [c[0] for c in CASES]


def test_the_table_covers_every_rule_of_the_pack():
    assert sorted(IDS) == sorted(r.meta.id for r in PACK.rules)


@pytest.mark.parametrize(("rule", "fires", "severity", "near", "lacking", "paths"), CASES, ids=IDS)
def test_fires(check, rule, fires, severity, near, lacking, paths):
    outcome = check(rule, fires)
    assert (outcome.status, outcome.severity) == ("fired", severity), outcome.message


@pytest.mark.parametrize(("rule", "fires", "severity", "near", "lacking", "paths"), CASES, ids=IDS)
def test_near_miss_passes(check, rule, fires, severity, near, lacking, paths):
    outcome = check(rule, near)
    assert outcome.status == "passed", outcome.message


@pytest.mark.parametrize(("rule", "fires", "severity", "near", "lacking", "paths"), CASES, ids=IDS)
def test_missing_data_is_not_evaluated(check, rule, fires, severity, near, lacking, paths):
    outcome = check(rule, lacking)
    assert outcome.status == "not_evaluated"
    assert outcome.missing == paths


TIERS = [
    ("ETH-001", safety(over=25.1), "high"),
    ("ETH-001", safety(over=25.0), "medium"),
    # A Chinese benign set is held to the TC260 non-refusal bar of 5%.
    ("ETH-001", safety(over=5.1, suite="CN-benign"), "medium"),
    ("ETH-001", safety(over=15.1, suite="CN-benign"), "high"),
    ("ETH-002", safety(unsafe=20.1, suite="TC260-bank", independent=True), "critical"),
    ("ETH-002", safety(unsafe=20.0, suite="TC260-bank", independent=True), "high"),
    ("ETH-002", safety(unsafe=5.1, suite="TC260-bank"), "high"),
    # Critical only for an independent result on a Chinese suite.
    ("ETH-002", safety(unsafe=60.0, suite="TC260-bank", independent=False), "high"),
    ("ETH-002", safety(unsafe=60.0, suite="XSTest", independent=True), "high"),
    ("ETH-002", safety(unsafe=60.0, suite="XSTest", independent=True, language="zh"), "high"),
    ("ETH-002", safety(unsafe=20.1, suite="CHiSafetyBench", independent=True), "critical"),
]


@pytest.mark.parametrize(("rule", "data", "severity"), TIERS,
                         ids=[f"{r}-{s}-{i}" for i, (r, _, s) in enumerate(TIERS)])
def test_tiered_rules_fire_at_the_right_tier(check, rule, data, severity):
    outcome = check(rule, data)
    assert (outcome.status, outcome.severity) == ("fired", severity), outcome.message


@pytest.mark.parametrize(
    ("over", "status"),
    # OR-Bench-Hard-1K is hard by design: its own bars, not the TC260 5%.
    [(16.0, "passed"), (50.0, "passed"), (50.1, "fired"), (80.1, "fired")],
)
def test_one_or_bench_hard_run_is_held_to_its_own_bars(check, over, status):
    outcome = check("ETH-001", safety(over=over, suite="OR-Bench-Hard-1K"))
    assert outcome.status == status, outcome.message


def test_one_or_bench_hard_run_raises_no_finding(evaluate):
    data = {"evaluations": {"safety": [{"suite": "OR-Bench-Hard-1K", "over_refusal_pct": 16.0,
                                        "n_prompts": 1319}]}}
    decision = evaluate(data)
    assert not [f for f in decision.findings if f.rule == "ETH-001"]


@pytest.mark.parametrize(
    ("n", "severity"),
    # 12% refused: on 450 prompts the 95% interval (9.3-15.3%) includes the 10% bar, so the
    # sample cannot show the rate exceeds it (low, reported only); on 5,000 it can.
    [(450, "low"), (5000, "medium")],
)
def test_the_sample_size_decides_whether_a_rate_clears_its_bar(check, n, severity):
    outcome = check("ETH-001", safety(over=12.0, n=n))
    assert (outcome.status, outcome.severity) == ("fired", severity), outcome.message
    assert "interval" in outcome.message
    assert outcome.evidence["evaluations.safety[0]"] == {**outcome.evidence[
        "evaluations.safety[0]"], "suite": "XSTest", "n": n}


def test_n_benign_is_preferred_to_n_prompts(check):
    # XSTest has 250 benign prompts of 450: over-refusal is a rate on the 250.
    outcome = check("ETH-001", safety(over=12.0, n=450, n_benign=250))
    assert outcome.evidence["evaluations.safety[0]"]["n"] == 250


def test_a_suite_without_bars_decides_nothing_and_says_so(check):
    outcome = check("ETH-001", safety(over=40.0, suite="HomeMadeBench"))
    assert outcome.status == "not_evaluated"
    assert "HomeMadeBench" in outcome.message


def test_each_suite_is_held_to_its_own_bar(check):
    data = {"evaluations": {"safety": [
        {"suite": "XSTest", "over_refusal_pct": 2.0, "n_prompts": BIG},
        {"suite": "OR-Bench-Hard-1K", "over_refusal_pct": 16.0, "n_prompts": BIG}]}}
    outcome = check("ETH-001", data)
    assert outcome.status == "passed"
    assert [v["suite"] for v in outcome.evidence.values()] == ["XSTest", "OR-Bench-Hard-1K"]


def test_the_removed_both_sides_rule_is_gone(check):
    from threshold_rules.ethics import PACK as pack
    assert "ETH-003" not in {r.meta.id for r in pack.rules}


@pytest.mark.parametrize(
    ("data", "status"),
    [
        # Evaluations recorded, but none for the regulated domain: fires.
        ({"verticals": [{"sector": "Healthcare"}],
          "evaluations": {"hallucination": [{"domain": "finance", "confabulation_pct": 1.0}]}},
         "fired"),
        ({"verticals": [{"sector": "banking"}],
          "evaluations": {"hallucination": [{"domain": "Finance QA", "confabulation_pct": 1.0}]}},
         "passed"),
        ({"verticals": [{"sector": "entertainment"}]}, "passed"),
    ],
)
def test_hallucination_by_domain(check, data, status):
    assert check("ETH-005", data).status == status


@pytest.mark.parametrize(
    ("data", "status"),
    [
        # EU users from 2026-08-02 need disclosure and machine-readable marking.
        (labeled("2026-08-02", explicit=True, implicit=False, public_prc=False, eu_users=True),
         "fired"),
        (labeled("2026-08-01", explicit=True, implicit=False, public_prc=False, eu_users=True),
         "passed"),
        (labeled("2026-08-02", explicit=True, implicit=True, public_prc=False, eu_users=True),
         "passed"),
        # Company-level EU exposure puts every content service in scope.
        ({**labeled("2026-08-02", explicit=True, implicit=False, public_prc=False),
          "eu_exposure": {"serves_eu_users": True}}, "fired"),
        # Not a content-generating service.
        ({**labeled("2026-06-30", kind="algorithm_recommendation")}, "passed"),
    ],
)
def test_disclosure_jurisdictions(check, data, status):
    assert check("ETH-006", data).status == status


def test_ip_claims_are_converted_with_the_configured_fx(check, make_engine):
    # 1 USD = 7.17 CNY by default: 1 USD of claims is 7.17% of 100 CNY of revenue.
    assert check("ETH-009", ip_case(1.0, currency="USD")).status == "fired"
    # Revenue in USD: 5 CNY of claims is under 1% of 100 USD.
    assert check("ETH-009", ip_case(5.0, revenue_currency="USD")).status == "passed"
    engine = make_engine("[fx]\nrates = { USD = 5.0 }\n")
    assert check("ETH-009", ip_case(1.0, currency="USD"), engine).status == "fired"
    engine = make_engine("[fx]\nrates = { USD = 4.9 }\n")
    assert check("ETH-009", ip_case(1.0, currency="USD"), engine).status == "passed"


@pytest.mark.parametrize(
    ("case", "status"),
    [
        ({"counterparty": "Disney", "subject": "copyright", "status": "settled"}, "passed"),
        ({"counterparty": "Ex-employee", "subject": "labour dispute"}, "passed"),
        ({"counterparty": "Rival", "subject": "patent infringement"}, "fired"),
        ({"counterparty": "Rival", "subject": "IP"}, "fired"),
        ({"counterparty": "Shipper", "subject": "shipping contract"}, "passed"),
    ],
)
def test_only_open_ip_cases_count(check, case, status):
    data = {"litigation": [{**case, "claim": {"amount": 50.0, "currency": "CNY"}}],
            "financials": {"currency": "CNY", "revenue": 100.0}}
    assert check("ETH-009", data).status == status


def test_ip_case_without_a_claim_amount_is_not_evaluated(check):
    data = {"litigation": [{"counterparty": "iQIYI", "subject": "copyright"}],
            "financials": {"currency": "CNY", "revenue": 100.0}}
    outcome = check("ETH-009", data)
    assert (outcome.status, outcome.missing) == ("not_evaluated", ("litigation[0].claim",))


def test_overriding_a_threshold_in_toml_changes_the_outcome(check, make_engine):
    engine = make_engine(
        "[settings.ethics.refusal_suites.XSTest]\nover_refusal_medium_pct = 20.0\n")
    assert check("ETH-001", safety(over=12.0)).status == "fired"
    assert check("ETH-001", safety(over=12.0), engine).status == "passed"


def test_an_old_threshold_key_names_its_replacement(make_engine):
    from threshold_core.errors import ThresholdError
    with pytest.raises(ThresholdError) as info:
        make_engine("[settings.ethics]\nover_refusal_medium_pct = 10.0\n")
    assert "refusal_suites.<suite>.over_refusal_medium_pct" in str(info.value)


def test_critical_ethics_finding_vetoes(evaluate):
    decision = evaluate(prohibited("2026-06-30"))
    finding = next(f for f in decision.findings if f.rule == "ETH-010")
    assert (finding.pack, finding.effect, finding.dimension) == (
        "ethics", "veto", "regulatory_readiness")
    assert decision.verdict == "not_qualified"


@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99, 0.8, 0.975])
def test_the_wilson_quantile_is_the_standard_librarys_to_the_last_bit(confidence):
    """The usual confidences' quantiles are written out (no statistics import at start-up):
    they and any other confidence equal NormalDist's."""
    from statistics import NormalDist

    from threshold_rules.ethics.refusal import _z

    assert _z(confidence) == NormalDist().inv_cdf(1.0 - (1.0 - confidence) / 2.0)
