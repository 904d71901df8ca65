"""The ``investment_restrictions`` pack: each rule fires, passes just across its threshold,
and is ``not_evaluated`` when the company was not screened (or the screening is stale)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from threshold_rules.investment_restrictions import PACK

CHECKED = "2026-06-20"  # ten days before the test profiles' as_of (2026-06-30)


def screened(**answers: object) -> dict:
    return {"investment_screening": {"checked_on": CHECKED, "source": "test screening",
                                     "covered_foreign_person": True, "ai_end_uses": [],
                                     **answers}}


def test_an_unknown_biological_flag_leaves_compute_between_the_bars_not_evaluated(
    check,
) -> None:
    """Left out, ``biological_sequence_data`` is unknown, never presumed false: 1e25 FLOP
    passes the general bar but not the biological one, so INV-001 is not evaluated."""
    outcome = check("INV-001", screened(max_training_flops=1e25))
    assert outcome.status == "not_evaluated"
    assert outcome.missing == ("investment_screening.biological_sequence_data",)
    assert check("INV-001", screened(max_training_flops=1e23)).status == "passed"


def listed(attr: str, value: bool) -> dict:
    return screened(**{attr: value})


def owned(pct: float, on: str = "2026-11-10") -> dict:
    """Owned ``pct``% by listed parties, screened and evaluated on ``on``."""
    return {"as_of": on, "investment_screening": {"checked_on": on, "listed_owners_pct": pct}}


# rule id, profile that fires, severity, near miss (passes), screened without the answer,
# the missing path
CASES = [
    ("INV-001", screened(max_training_flops=1.01e25), "critical",
     screened(max_training_flops=1e25, biological_sequence_data=False), screened(),
     "investment_screening.max_training_flops"),
    ("INV-002", screened(max_training_flops=1.01e23), "medium",
     screened(max_training_flops=1e23), screened(), "investment_screening.max_training_flops"),
    ("INV-003", listed("ns_cmic_listed", True), "critical", listed("ns_cmic_listed", False),
     screened(), "investment_screening.ns_cmic_listed"),
    ("INV-004", listed("section_1260h_listed", True), "high",
     listed("section_1260h_listed", False), screened(),
     "investment_screening.section_1260h_listed"),
    ("INV-005", listed("sdn_listed", True), "critical", listed("sdn_listed", False),
     screened(), "investment_screening.sdn_listed"),
    ("INV-006", owned(50.0), "high", owned(49.9), screened(),
     "investment_screening.listed_owners_pct"),
]
IDS = [c[0] for c in CASES]


def test_the_table_covers_every_rule_of_the_pack():
    assert sorted(IDS) == sorted(r.meta.id for r in PACK.rules)


@pytest.mark.parametrize(("rule", "fires", "severity", "near", "lacking", "path"), CASES, ids=IDS)
def test_fires(check, rule, fires, severity, near, lacking, path):
    outcome = check(rule, fires)
    assert (outcome.status, outcome.severity) == ("fired", severity), outcome.message
    assert outcome.evidence["investment_screening.checked_on"]


@pytest.mark.parametrize(("rule", "fires", "severity", "near", "lacking", "path"), CASES, ids=IDS)
def test_near_miss_passes(check, rule, fires, severity, near, lacking, path):
    outcome = check(rule, near)
    assert outcome.status == "passed", outcome.message


@pytest.mark.parametrize(("rule", "fires", "severity", "near", "lacking", "path"), CASES, ids=IDS)
def test_unscreened_is_not_evaluated(check, rule, fires, severity, near, lacking, path):
    outcome = check(rule, {})
    assert (outcome.status, outcome.missing) == ("not_evaluated", ("investment_screening",))
    assert "not screened" in outcome.message


@pytest.mark.parametrize(("rule", "fires", "severity", "near", "lacking", "path"), CASES, ids=IDS)
def test_an_unanswered_list_is_not_evaluated(check, rule, fires, severity, near, lacking, path):
    outcome = check(rule, lacking)
    assert (outcome.status, outcome.missing) == ("not_evaluated", (path,))


@pytest.mark.parametrize("rule", IDS)
def test_a_stale_screening_is_not_relied_on(check, rule):
    data = {"investment_screening": {"checked_on": "2026-03-31", "sdn_listed": True,
                                     "covered_foreign_person": True}}
    outcome = check(rule, data)  # 91 days before 2026-06-30
    assert (outcome.status, outcome.missing) == ("not_evaluated",
                                                 ("investment_screening.checked_on",))
    data["investment_screening"]["checked_on"] = "2026-04-01"  # 90 days: still relied on
    assert check(rule, data).missing != ("investment_screening.checked_on",)


@pytest.mark.parametrize(
    ("answers", "rule", "status", "severity"),
    [
        # Mainly biological sequence data: prohibited above 1e24.
        ({"max_training_flops": 1.01e24, "biological_sequence_data": True}, "INV-001",
         "fired", "critical"),
        ({"max_training_flops": 1e24, "biological_sequence_data": True}, "INV-001",
         "passed", None),
        # End uses decide whatever the compute.
        ({"ai_end_uses": ["Mass surveillance"]}, "INV-001", "fired", "critical"),
        ({"ai_end_uses": ["penetration testing"], "max_training_flops": 1e20}, "INV-002",
         "fired", "medium"),
        # Not a covered foreign person: the outbound rule does not apply.
        ({"covered_foreign_person": False, "max_training_flops": 1e26}, "INV-001",
         "passed", None),
        ({"covered_foreign_person": None, "max_training_flops": 1e26}, "INV-001",
         "not_evaluated", None),
    ],
)
def test_outbound_rule_categories(check, answers, rule, status, severity):
    outcome = check(rule, screened(**answers))
    assert (outcome.status, outcome.severity) == (status, severity), outcome.message


@pytest.mark.parametrize(
    ("as_of", "status", "severity"),
    [
        ("2025-09-28", "passed", None),    # before the affiliates rule
        ("2025-09-29", "fired", "high"),
        ("2025-11-10", "fired", "low"),    # suspended ...
        ("2026-11-09", "fired", "low"),    # ... to this day inclusive
        ("2026-11-10", "fired", "high"),
    ],
)
def test_affiliates_rule_effective_dates_and_suspension(check, as_of, status, severity):
    outcome = check("INV-006", owned(60.0, as_of))
    assert (outcome.status, outcome.severity) == (status, severity), outcome.message


def test_outbound_rule_does_not_apply_before_its_effective_date(check):
    data = {**screened(max_training_flops=1e26), "as_of": "2025-01-01"}
    data["investment_screening"]["checked_on"] = "2025-01-01"
    assert check("INV-001", data).status == "passed"


def test_sdn_listing_vetoes_through_institutional_backing(evaluate):
    decision = evaluate(listed("sdn_listed", True))
    finding = next(f for f in decision.findings if f.rule == "INV-005")
    assert (finding.pack, finding.effect, finding.dimension) == (
        "investment_restrictions", "veto", "institutional_backing")
    assert decision.verdict == "not_qualified"


def test_threshold_rules_lists_the_pack_with_sources():
    result = subprocess.run(
        [sys.executable, "-m", "threshold_core", "rules", "--pack", "investment_restrictions",
         "--format", "json"],
        capture_output=True, text=True, check=True,
    )
    assert "31 CFR 850.224" in result.stdout
    assert "INV-006" in result.stdout
