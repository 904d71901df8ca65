"""A check dated after the evaluation date is no evidence at it.

A screening or a valuation dated after the evaluation date (the profile's ``as_of``)
used to be taken as fresh: ``checked_on = 2062-06-01`` (a mistyped year) cleared
the Entity List screening, made the CAC registries evidence and kept every
freshness rule quiet for ever, and a valuation from next year passed the gate. Now
every rule that relies on a check treats a later date as no check
(``not_evaluated`` naming the path), the gate does not test a later valuation, and
the freshness rules fire on the date. Post-dating a check is never better than
dating it on the evaluation date (a hypothesis property over the sample profile).
"""

from __future__ import annotations

import copy
import json
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from threshold_core import Engine, build_config
from threshold_core.load import profile_from_data
from threshold_core.testing import RICH_PROFILE

AT = date(2026, 6, 30)
LATER = (AT + timedelta(days=1), date(2062, 6, 1))

SERVICES = [{"name": "Chat", "kind": "generative", "public_prc": True}]
SCREENING = {"covered_foreign_person": True, "ns_cmic_listed": False,
             "section_1260h_listed": False, "sdn_listed": False, "listed_owners_pct": 0.0,
             "max_training_flops": 1e20}

# rule, the profile data with its check dated ``day``, the path named
CASES = [
    ("CHIP-001", lambda day: {"export_controls": {"entity_list": False, "affiliates_listed": [],
                                                  "checked_on": day}},
     "export_controls.checked_on"),
    ("FIL-001", lambda day: {
        "services": SERVICES,
        "filings": [{"regime": "CAC_GENAI_FILING", "service": "Chat", "filing_number": "B-1",
                     "status": "active"}],
        "registry_checks": {"CAC_GENAI_FILING": {"checked_on": day}}},
     "registry_checks.CAC_GENAI_FILING.checked_on"),
    ("INV-003", lambda day: {"investment_screening": {**SCREENING, "checked_on": day}},
     "investment_screening.checked_on"),
    ("INV-005", lambda day: {"investment_screening": {**SCREENING, "checked_on": day}},
     "investment_screening.checked_on"),
]


@pytest.mark.parametrize(("rule", "build", "path"), CASES, ids=[c[0] for c in CASES])
def test_a_check_after_the_evaluation_date_is_no_check(check, rule, build, path):
    assert check(rule, build(AT)).status == "passed"
    for day in LATER:
        outcome = check(rule, build(day))
        assert outcome.status == "not_evaluated", outcome.message
        assert outcome.missing == (path,)
        assert "the evaluation date" in outcome.message


def test_a_reported_listing_still_fires_whatever_its_check_date(check):
    data = {"export_controls": {"entity_list": True, "checked_on": LATER[1],
                                "relies_on_new_us_items": False}}
    assert check("CHIP-001", data).status == "fired"


def test_the_gate_does_not_test_a_valuation_after_the_evaluation_date(evaluate):
    def run(day: date) -> Any:
        return evaluate({"valuation": {"amount": 9e9, "currency": "CNY", "basis": "market_cap",
                                       "as_of": day, "source": "HKEX exchange close"}})

    assert run(AT).gate.passed is True
    decision = run(LATER[1])
    assert decision.gate.passed is None and str(decision.verdict) == "insufficient_data"
    assert f"dated {LATER[1]}, after the evaluation date {AT}" in decision.gate.reason
    assert {f.rule: f.message for f in decision.findings}["VAL-003"].startswith(
        f"valuation of {LATER[1]} is after the evaluation date {AT}")


def test_require_date_false_lets_the_gate_test_it(make_engine, evaluate):
    engine = make_engine("[gate]\nrequire_date = false\n")
    decision = evaluate({"valuation": {"amount": 9e9, "currency": "CNY", "basis": "market_cap",
                                       "as_of": LATER[0], "source": "HKEX exchange close"}}, engine)
    assert decision.gate.passed is True


# -- the kind: post-dating a check never helps ----------------------------------------------

RANK = {"qualified": 3, "watch": 2, "not_qualified": 1}
#: Every date of RICH_PROFILE that says when a section was checked or true.
CHECK_DATES = [("export_controls", "checked_on"), ("investment_screening", "checked_on"),
               *((f"registry_checks.{r}", "checked_on") for r in RICH_PROFILE["registry_checks"])]
LOOSE = [{"name": "Q", "min_score": 30, "verdict": "qualified"},
         {"name": "W", "min_score": 15, "verdict": "watch"},
         {"name": "NQ", "min_score": 0, "verdict": "not_qualified"}]


@pytest.fixture(scope="module")
def loose_engine() -> Engine:
    return Engine(build_config({"plugins": {"autoload": False},
                                "policy": {"grades": LOOSE, "max_illustrative_share": 1.0}}))


def dated(doc: dict[str, Any], where: str, key: str, day: date) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    table = doc
    for part in where.split("."):
        table = table[part]
    table[key] = day
    return doc


def ranked(engine: Engine, doc: dict[str, Any]) -> tuple[int, float]:
    decision = engine.evaluate(profile_from_data(doc))
    return RANK.get(str(decision.verdict), 0), decision.score or 0.0


def _decidable() -> dict[str, Any]:
    """The sample without its vetoing gaps, so that a verdict has room to move."""
    doc = copy.deepcopy(RICH_PROFILE)
    doc["filings"].append({"regime": "CAC_GENAI_FILING", "service": "RichAPI",
                           "filing_number": "Beijing-RichAPI-1"})
    for suite in doc["evaluations"]["safety"]:
        suite.update(n_benign=250, n_unsafe=200)
    doc["sector_approvals"][0]["instrument"] = "Class III registration"
    return doc


BASE = _decidable()


@settings(max_examples=30, deadline=None)
@given(which=st.sampled_from(CHECK_DATES), before=st.integers(0, 2_000),
       days=st.integers(1, 20_000))
def test_post_dating_a_check_never_helps(loose_engine, which, before, days):
    """However old the true check (a stale investment screening is not relied on), dating
    it after the evaluation date instead never gives a better verdict or score."""
    where, key = which
    honest = ranked(loose_engine, dated(BASE, where, key, AT - timedelta(days=before)))
    later = ranked(loose_engine, dated(BASE, where, key, AT + timedelta(days=days)))
    assert later[0] <= honest[0]
    if later[0] == honest[0]:
        assert later[1] <= honest[1]


# -- through the CLI -------------------------------------------------------------------------

PROFILE = """\
id = "later-co"
name = "Later Co"
as_of = 2026-06-30

[valuation]
amount = 9.0e9
currency = "CNY"
basis = "market_cap"
as_of = 2026-06-01
source = "HKEX exchange close"

[export_controls]
entity_list = false
affiliates_listed = []
checked_on = 2062-06-01

[registry_checks.CAC_GENAI_FILING]
checked_on = 2062-06-01
"""


def test_a_mistyped_year_shows_in_threshold_evaluate(run_cli_process, tmp_path):
    (tmp_path / "later.toml").write_text(PROFILE, encoding="utf-8")
    result = run_cli_process("evaluate", "later.toml", "--format", "json")
    assert result.returncode == 0, result.stderr
    decision = json.loads(result.stdout)
    outcomes = {o["rule"]: o for e in decision["trace"] for o in e["rules"]}
    assert outcomes["CHIP-001"]["status"] == "not_evaluated"
    for rule, path in (("FRS-005", "export_controls.checked_on"),
                       ("FRS-006", "registry_checks.CAC_GENAI_FILING.checked_on")):
        assert outcomes[rule]["status"] == "fired"
        assert f"{path} 2062-06-01 is after the evaluation date 2026-06-30" in \
            outcomes[rule]["message"]


@pytest.mark.parametrize("setting", [
    "[settings.freshness]\nexport_controls = 9223372036854775807",  # the largest whole number
    "[settings.valuation]\nmax_age_months = 10000000000000",
    "[settings.filings]\nenforcement_lookback_months = 100000",
    "[settings.filings]\npi_audit_interval_months = 100000",
    "[settings.institutional_backing]\noverhang_window_months = 1e300",
])
def test_a_threshold_longer_than_the_calendar_is_not_a_plugin_failure(run_cli, tmp_path,
                                                                       setting):
    """Exit 3 (a rule raised OverflowError) before month arithmetic saturated."""
    (tmp_path / "co.json").write_text(json.dumps(RICH_PROFILE, default=str), encoding="utf-8")
    (tmp_path / "threshold.toml").write_text(setting + "\n", encoding="utf-8")
    result = run_cli("evaluate", "co.json", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert all(e["status"] == "ok" for e in json.loads(result.stdout)["trace"]
               if e["kind"] != "scorer" or e["status"] != "skipped")


def test_a_threshold_beyond_64_bits_is_refused_where_it_loads(run_cli, tmp_path):
    (tmp_path / "co.json").write_text(json.dumps(RICH_PROFILE, default=str), encoding="utf-8")
    (tmp_path / "threshold.toml").write_text(
        "[settings.freshness]\nexport_controls = 1000000000000000000000000\n", encoding="utf-8")
    result = run_cli("evaluate", "co.json")
    assert result.returncode == 2
    assert "threshold.toml: $.settings.freshness.export_controls: expected a whole number " \
        "from -9,223,372,036,854,775,808 to 9,223,372,036,854,775,807 (64 bits), got " \
        "1000000000000000000000000" in result.stderr


def test_the_assumed_finding_says_why_the_rule_was_not_evaluated(evaluate):
    """Counted at its most severe, the finding gives the rule's reason ("... is after the
    evaluation date"), not "missing export_controls.checked_on", which is there."""
    decision = evaluate({"export_controls": {"entity_list": False, "affiliates_listed": [],
                                             "checked_on": LATER[1]}})
    finding = {f.rule: f for f in decision.findings}["CHIP-001"]
    assert finding.message.startswith(
        f"not evaluated (export_controls.checked_on {LATER[1]} is after the evaluation date")
    assert finding.message.endswith("counted at its most severe, critical, until researched")
