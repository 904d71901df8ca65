"""Omission cases a new user found, each now a regression: leaving the field out never helps.

The README's "Omission never helps" section listed them as open gaps; a new one found is
pinned here as a strict xfail (its test passes once fixed, the strict xfail fails, and the
README's list must lose the case).
"""

from __future__ import annotations

import copy
import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
import pytest

from threshold_core import Engine, InputError, build_config
from threshold_core.load import profile_from_data
from threshold_core.model import Figure, Financials
from threshold_core.portfolio import synthetic_portfolio

ENGINE = Engine(build_config({"plugins": {"autoload": False}}))
ORDER = {"qualified": 3, "watch": 2, "not_qualified": 1, "insufficient_data": 0, "error": -1}


def decide(doc: dict[str, Any]) -> Any:
    return ENGINE.evaluate(profile_from_data(doc, doc["id"]))


def test_a_private_companys_expected_market_value_is_not_taken_at_face_value() -> None:
    doc = {"id": "emv", "name": "EMV Co", "as_of": "2026-06-30",
           "valuation": {"amount": 4.5e9, "currency": "CNY", "basis": "expected_market_value",
                         "as_of": "2026-06-30", "source": "the company's own estimate"},
           "listing": {"status": "private", "source": "company statement"}}
    assert not decide(doc).gate.passed


def test_verified_left_out_is_not_presumed_true() -> None:
    full = next(d for d in synthetic_portfolio(400, seed=3) if d["id"] == "synth-000310")
    doc = copy.deepcopy(full)
    doc.pop("verified", None)
    rules = {o.rule: o for o in decide(doc).findings}
    assert "DIS-001" in rules


def rule_outcome(doc: dict[str, Any], rule: str) -> Any:
    (outcome,) = [o for e in decide(doc).trace for o in getattr(e, "rules", ()) if o.rule == rule]
    return outcome


def metric_raw(doc: dict[str, Any], name: str) -> float:
    (raw,) = [m.raw for d in decide(doc).dimensions for m in d.evidence if m.metric == name]
    assert raw is not None
    return float(raw)


BASE = {"id": "gap", "name": "Gap Co", "as_of": "2026-06-30", "verified": True}


def test_an_investors_tier_left_out_is_not_its_types_best() -> None:
    investors = [{"name": "State", "type": "state_fund",
                  "amount": {"amount": 1e9, "currency": "CNY"}},
                 {"name": "Small VC", "type": "vc", "tier": 1,
                  "amount": {"amount": 1e9, "currency": "CNY"}}]
    full = {**BASE, "investors": investors}
    withheld = copy.deepcopy(full)
    del withheld["investors"][1]["tier"]
    assert metric_raw(withheld, "investor_quality") <= metric_raw(full, "investor_quality")


def test_a_filings_status_left_out_is_not_in_force() -> None:
    full = {**BASE, "services": [{"name": "Chat", "kind": "generative"}],
            "filings": [{"regime": "CAC_GENAI_FILING", "service": "Chat",
                         "filing_number": "Beijing-Chat-20230821", "status": "cancelled"}],
            "registry_checks": {"CAC_GENAI_FILING": {"checked_on": "2026-06-20"}}}
    withheld = copy.deepcopy(full)
    del withheld["filings"][0]["status"]
    assert str(rule_outcome(full, "FIL-001").status) == "fired"
    assert str(rule_outcome(withheld, "FIL-001").status) != "passed"


def test_a_safety_results_independence_left_out_is_not_presumed_false() -> None:
    run = {"suite": "TC260-bank", "unsafe_compliance_pct": 60.0, "n_prompts": 5000,
           "independent": True}
    full = {**BASE, "evaluations": {"safety": [run]}}
    withheld = copy.deepcopy(full)
    del withheld["evaluations"]["safety"][0]["independent"]
    assert str(rule_outcome(full, "ETH-002").severity) == "critical"
    assert str(rule_outcome(withheld, "ETH-002").status) == "not_evaluated"


def test_the_financials_currency_left_out_is_refused_not_read_as_cny() -> None:
    fin = {"currency": "HKD", "revenue": 2e9, "rnd_expense": 1e9, "source": "filing"}
    full = {**BASE, "financials": fin}
    withheld = copy.deepcopy(full)
    del withheld["financials"]["currency"]
    assert metric_raw(full, "rnd_spend") < 1.0  # 1e9 HKD is under 1bn CNY
    with pytest.raises(InputError) as caught:
        profile_from_data(withheld, "gap.toml")
    (problem,) = caught.value.problems
    assert problem.path == "$.financials.currency"
    assert "revenue, rnd_expense" in problem.message and "never CNY" in problem.message


def test_the_financials_currency_is_not_needed_for_percentages_alone() -> None:
    doc = {**BASE, "financials": {"gross_margin_pct": 40.0, "revenue_growth_pct": 30.0}}
    assert decide(doc).verdict is not None


def test_a_profile_built_in_python_without_the_financials_currency_is_refused() -> None:
    profile = attrs.evolve(profile_from_data({**BASE, "financials": {"gross_margin_pct": 40.0}},
                                             "gap"),
                           financials=Financials(revenue=Figure(2e9)))
    with pytest.raises(InputError) as caught:
        ENGINE.evaluate(profile)
    assert [p.path for p in caught.value.problems] == ["$.financials.currency"]


def test_a_stated_tier_below_its_types_counts_as_the_types() -> None:
    # A state fund is tier 3 (research §6.4) whatever it states, so leaving its tier out
    # never gives more than stating one.
    investors = [{"name": "City fund", "type": "state_fund", "tier": 1,
                  "amount": {"amount": 1e9, "currency": "CNY"}}]
    stated = {**BASE, "investors": investors}
    withheld = copy.deepcopy(stated)
    del withheld["investors"][0]["tier"]
    assert metric_raw(stated, "investor_quality") == metric_raw(withheld, "investor_quality") == 3


def test_a_strategic_is_a_hyperscaler_only_when_its_tier_says_so() -> None:
    backer = {"name": "Platform", "type": "strategic", "amount": {"amount": 1e9, "currency": "CNY"}}
    assert metric_raw({**BASE, "investors": [backer]}, "investor_quality") == 1
    assert metric_raw({**BASE, "investors": [{**backer, "tier": 3}]}, "investor_quality") == 3


CHECKED = {r: {"checked_on": "2026-06-20"} for r in
           ("CAC_GENAI_FILING", "CAC_ALGORITHM", "CAC_DEEP_SYNTHESIS")}


def test_a_filings_status_left_out_is_not_a_display_outside_force() -> None:
    # FIL-004 reads the records in force: one left without its status may be one.
    record = {"regime": "CAC_GENAI_FILING", "service": "Chat", "status": "active",
              "filing_number": "Beijing-Chat-20230821", "displayed_on_product": False}
    full = {**BASE, "services": [{"name": "Chat", "kind": "generative"}],
            "filings": [record], "registry_checks": CHECKED}
    withheld = copy.deepcopy(full)
    del withheld["filings"][0]["status"]
    assert str(rule_outcome(full, "FIL-004").status) == "fired"
    outcome = rule_outcome(withheld, "FIL-004")
    assert str(outcome.status) == "not_evaluated" and "filings[0].status" in outcome.missing


def test_a_sector_approvals_status_left_out_is_not_in_force() -> None:
    approval = {"sector": "healthcare", "regulator": "NMPA", "status": "cancelled",
                "instrument": "Class III medical device registration"}
    full = {**BASE, "verticals": [{"sector": "healthcare", "revenue_share_pct": 60.0,
                                   "decision_support": True}],
            "sector_approvals": [approval]}
    withheld = copy.deepcopy(full)
    del withheld["sector_approvals"][0]["status"]
    assert str(rule_outcome(full, "FIL-009").status) == "fired"
    outcome = rule_outcome(withheld, "FIL-009")
    assert str(outcome.status) == "not_evaluated"
    assert "sector_approvals[0].status" in outcome.missing


def test_a_services_kind_left_out_may_be_an_algorithm_service() -> None:
    # With generative services outside FIL-002, a kind left out read as generative escaped it.
    engine = Engine(build_config({"plugins": {"autoload": False}, "settings": {
        "filings": {"generative_needs_algorithm_filing": False}}}))
    full = {**BASE, "services": [{"name": "Feed", "kind": "algorithm_recommendation",
                                  "public_opinion": True}],
            "filings": [{"regime": "CAC_GENAI_FILING", "service": "Feed", "status": "active",
                         "filing_number": "Beijing-Feed-20230821"}],
            "registry_checks": CHECKED}
    withheld = copy.deepcopy(full)
    del withheld["services"][0]["kind"]

    def fil_002(doc: dict[str, Any]) -> Any:
        decision = engine.evaluate(profile_from_data(doc, doc["id"]))
        (outcome,) = [o for e in decision.trace for o in getattr(e, "rules", ())
                      if o.rule == "FIL-002"]
        return outcome

    assert str(fil_002(full).status) == "fired"
    outcome = fil_002(withheld)
    assert str(outcome.status) == "not_evaluated" and "services[0].kind" in outcome.missing
    # Under the default every kind is in scope: a kind left out is read as generative.
    assert str(rule_outcome(withheld, "FIL-002").status) == "fired"


def test_the_command_line_refuses_amounts_without_a_currency(tmp_path: Path) -> None:
    path = tmp_path / "nocurrency.toml"
    path.write_text('id = "nocurrency"\nname = "No Currency Co"\n\n[financials]\n'
                    'revenue = 2e9\nrnd_expense = 1e9\n', encoding="utf-8")
    for command in ("evaluate", "validate"):
        run = subprocess.run([sys.executable, "-m", "threshold_core", command, str(path),
                              "--no-plugin-autoload"], capture_output=True, text=True,
                             timeout=120)
        assert run.returncode == 2, (command, run.stderr)
        (line,) = run.stderr.strip().splitlines()
        assert line.startswith(f"{path}: $.financials.currency: must name the currency of "
                               "revenue, rnd_expense"), line
        assert "Traceback" not in run.stderr


# -- a list of names inside a section left out is unknown, never "none" ----------------------

SCREENED = {"checked_on": "2026-06-20", "covered_foreign_person": True,
            "max_training_flops": 1e23, "biological_sequence_data": False,
            "ns_cmic_listed": False, "section_1260h_listed": False, "sdn_listed": False,
            "listed_owners_pct": 0}

LISTS = [
    ("investment_screening", {**SCREENED, "ai_end_uses": ["military"]}, "ai_end_uses",
     "INV-001"),
    ("eu_exposure", {"serves_eu_users": True, "gpai_provider": False,
                     "prohibited_uses": ["social scoring"]}, "prohibited_uses", "ETH-010"),
    ("export_controls", {"entity_list": False, "affiliates_listed": ["Sub Ltd"],
                         "relies_on_new_us_items": False, "checked_on": "2026-06-20"},
     "affiliates_listed", "CHIP-001"),
]


@pytest.mark.parametrize(("section", "content", "key", "rule"), LISTS)
def test_a_list_of_names_left_out_is_not_none(
    section: str, content: dict[str, Any], key: str, rule: str
) -> None:
    full = {**BASE, section: content}
    withheld = copy.deepcopy(full)
    del withheld[section][key]
    assert str(rule_outcome(full, rule).status) == "fired"
    outcome = rule_outcome(withheld, rule)
    assert str(outcome.status) == "not_evaluated"
    assert f"{section}.{key}" in outcome.missing


@pytest.mark.parametrize(("section", "content", "key", "rule"), LISTS)
def test_a_list_of_names_given_empty_says_none(
    section: str, content: dict[str, Any], key: str, rule: str
) -> None:
    # ``[]`` is a statement ("checked, none"): the rule is evaluated and passes.
    stated = {**BASE, section: {**content, key: []}}
    assert str(rule_outcome(stated, rule).status) == "passed"


def test_end_uses_left_out_leave_inv_002_unknown_but_not_a_compute_finding() -> None:
    screening = {**SCREENED, "max_training_flops": 1e22}
    outcome = rule_outcome({**BASE, "investment_screening": screening}, "INV-002")
    assert str(outcome.status) == "not_evaluated"
    assert list(outcome.missing) == ["investment_screening.ai_end_uses"]
    # Compute over the notifiable bar decides it whatever the end uses.
    over = rule_outcome({**BASE, "investment_screening": {**SCREENED, "max_training_flops":
                                                           1e24}}, "INV-002")
    assert str(over.status) == "fired"


def test_affiliates_left_out_do_not_matter_once_the_company_is_listed() -> None:
    controls = {"entity_list": True, "relies_on_new_us_items": True,
                "checked_on": "2026-06-20"}
    outcome = rule_outcome({**BASE, "export_controls": controls}, "CHIP-001")
    assert str(outcome.status) == "fired" and str(outcome.severity) == "critical"


def test_prohibited_uses_left_out_do_not_matter_without_eu_users() -> None:
    exposure = {"serves_eu_users": False, "gpai_provider": False}
    outcome = rule_outcome({**BASE, "eu_exposure": exposure}, "ETH-010")
    assert str(outcome.status) == "passed"


def test_the_command_line_names_a_list_left_out(tmp_path: Path) -> None:
    path = tmp_path / "noenduses.toml"
    path.write_text('id = "noenduses"\nname = "No End Uses Co"\nverified = true\n'
                    'as_of = 2026-06-30\n\n'
                    "[investment_screening]\nchecked_on = 2026-06-20\n"
                    "covered_foreign_person = true\nmax_training_flops = 1e23\n"
                    "biological_sequence_data = false\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "threshold_core", "evaluate", str(path),
                          "--format", "json", "--no-plugin-autoload"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    findings = {f["rule"]: f for f in json.loads(run.stdout)["findings"]}
    assert findings["INV-001"]["severity"] == "critical"
    assert findings["INV-001"]["evidence"] == {
        "assumed": True, "missing": ["investment_screening.ai_end_uses"]}
    # Stated as none, it is a statement: INV-001 is evaluated and passes.
    path.write_text(path.read_text(encoding="utf-8") + "ai_end_uses = []\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "threshold_core", "evaluate", str(path),
                          "--format", "json", "--no-plugin-autoload"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "INV-001" not in {f["rule"] for f in json.loads(run.stdout)["findings"]}


LIST_PACK = """\
[pack]
name = "house"
version = "1.0.0"
[[rules]]
id = "HOUSE-001"
title = "An EU-facing prohibited use"
severity = "critical"
when = "size(profile.eu_exposure.prohibited_uses) > 0"
message = "prohibited uses: {profile.eu_exposure.prohibited_uses}"
rationale = "r"
source = "house policy"
"""


def test_a_declarative_rule_reads_a_list_left_out_as_absent(run_cli: Any, tmp_path: Path) -> None:
    (tmp_path / "packs").mkdir()
    (tmp_path / "packs" / "house.toml").write_text(LIST_PACK, encoding="utf-8")
    profile = ('id = "eu"\nname = "EU Co"\nas_of = 2026-06-30\n\n[eu_exposure]\n'
               "serves_eu_users = true\n")
    found = {}
    for name, extra in (("left_out", ""), ("none", "prohibited_uses = []\n")):
        (tmp_path / f"{name}.toml").write_text(profile + extra, encoding="utf-8")
        result = run_cli("evaluate", f"{name}.toml", "--rules-dir", "packs", "--format", "json",
                         "--no-plugin-autoload")
        assert result.returncode == 0, result.stderr
        found[name] = {f["rule"]: f for f in json.loads(result.stdout)["findings"]}
    assert found["left_out"]["HOUSE-001"]["evidence"] == {
        "assumed": True, "missing": ["eu_exposure.prohibited_uses"]}
    assert "HOUSE-001" not in found["none"]


def test_an_assumed_veto_is_never_milder_on_the_composite_than_a_real_high_finding() -> None:
    # A listed affiliate makes CHIP-001 high (the company itself not listed): it caps
    # technical_defensibility. Left out, CHIP-001 is an assumed critical finding (a veto): the
    # verdict is undecided (insufficient_data, worse), and the dimension is capped and
    # deducted as the high or medium finding the rule might have made would (the composite
    # rose 38.55 -> 39.34 when an assumed veto left its dimension alone; now 38.09).
    from test_omission import decidable

    doc = decidable(next(iter(synthetic_portfolio(1, seed=10))), random.Random(10))
    doc["export_controls"]["affiliates_listed"] = ["Sub Ltd"]
    withheld = copy.deepcopy(doc)
    del withheld["export_controls"]["affiliates_listed"]
    engine = Engine(build_config({"plugins": {"autoload": False},
                                  "policy": {"missing_compliance_data": "lower_confidence"}}))
    full = engine.evaluate(profile_from_data(doc, doc["id"]))
    reduced = engine.evaluate(profile_from_data(withheld, doc["id"]))
    assert ORDER[str(reduced.verdict)] <= ORDER[str(full.verdict)]
    assert full.score is not None and reduced.score is not None
    assert reduced.score <= full.score + 1e-9
