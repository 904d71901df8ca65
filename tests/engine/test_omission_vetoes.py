"""An assumed veto is at least as bad as anything its rule could have found.

A critical rule that could not be evaluated (what it reads left out) is an *assumed*
critical finding: the decision is ``insufficient_data`` (it does not veto on an
assumption), and on the rule's dimension it caps at ``policy.high_cap`` and deducts
``policy.medium_deduction`` (within the pack's allowance), as an assumed high one does:
the rule might have found a high (a cap) or a medium (a deduction) instead, and a real
critical finding vetoes without touching the dimension. So leaving the data out never
gives a better verdict, a higher score on the rule's dimension, or a higher composite,
whatever the rule would have found: a built-in rule, a plugin's Python rule, a
declarative rule, under either ``missing_compliance_data`` setting. A rule with no
dimension moves no score whatever it finds, so its assumed finding moves none either.
"""

from __future__ import annotations

import copy
import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_omission import decidable

from threshold_core import Engine, InputError, build_config, create_plugin_manager
from threshold_core.load import profile_from_data
from threshold_core.model import Decision
from threshold_core.portfolio import synthetic_portfolio
from threshold_core.testing import toml_dumps

ORDER = {"qualified": 3, "watch": 2, "not_qualified": 1, "insufficient_data": 0, "error": -1}
#: Risk from least to most: withholding data never lowers it.
RISK = {"unknown": -1, "low": 0, "medium": 1, "high": 2}
POLICIES = ("lower_confidence", "block")
LOOSE = [{"name": "Q", "min_score": 45, "verdict": "qualified"},
         {"name": "W", "min_score": 30, "verdict": "watch"},
         {"name": "NQ", "min_score": 0, "verdict": "not_qualified"}]


def config_of(policy: str, loose: bool) -> Any:
    settings_: dict[str, Any] = {"missing_compliance_data": policy}
    if loose:
        settings_.update(grades=LOOSE, max_illustrative_share=1.0)
    return build_config({"plugins": {"autoload": False}, "policy": settings_})


ENGINES = {(policy, loose): Engine(config_of(policy, loose))
           for policy in POLICIES for loose in (False, True)}
#: Every built-in rule that can veto, and the dimension it affects.
CRITICAL = {rid: meta.dimension for plan in ENGINES["lower_confidence", False].pack_plan
            for rid, meta, _check, declared in plan.rules if str(declared) == "critical"}


def dims(decision: Decision) -> dict[str, float | None]:
    return {d.name: d.score for d in decision.dimensions}


def assert_never_better(reduced: Decision, full: Decision, what: str,
                        dimensions: tuple[str, ...]) -> None:
    """The verdict no better (insufficient_data below every graded verdict), the risk of
    falling below the line no lower (an unknown risk is the least informative), the
    composite and each named dimension's score no higher."""
    assert ORDER[str(reduced.verdict)] <= ORDER[str(full.verdict)], (
        what, full.verdict, reduced.verdict)
    if str(reduced.risk) != "unknown":
        assert RISK[str(reduced.risk)] >= RISK[str(full.risk)], (what, full.risk, reduced.risk)
    if full.score is not None and reduced.score is not None:
        assert reduced.score <= full.score + 1e-9, (what, full.score, reduced.score)
    before, after = dims(full), dims(reduced)
    for name in dimensions:
        if before.get(name) is not None and after.get(name) is not None:
            assert after[name] <= before[name] + 1e-9, (what, name, before[name], after[name])


# -- the regression: CHIP-001 for a listed affiliate ----------------------------------------


def affiliate_listed() -> dict[str, Any]:
    doc = decidable(next(iter(synthetic_portfolio(1, seed=10))), random.Random(10))
    doc["export_controls"]["affiliates_listed"] = ["Sub Ltd"]
    return doc


@pytest.mark.parametrize("policy", POLICIES)
def test_a_listed_affiliate_left_out_caps_and_deducts_technical_defensibility(
        policy: str) -> None:
    engine = ENGINES[policy, False]
    doc = affiliate_listed()
    withheld = copy.deepcopy(doc)
    del withheld["export_controls"]["affiliates_listed"]
    full = engine.evaluate(profile_from_data(doc, doc["id"]))
    reduced = engine.evaluate(profile_from_data(withheld, doc["id"]))
    (real,) = [f for f in full.findings if f.rule == "CHIP-001"]
    (assumed,) = [f for f in reduced.findings if f.rule == "CHIP-001"]
    assert (str(real.severity), str(real.effect)) == ("high", "cap")
    assert (str(assumed.severity), str(assumed.effect)) == ("critical", "block")
    assert str(reduced.verdict) == "insufficient_data"
    (td,) = [d for d in reduced.dimensions if d.name == "technical_defensibility"]
    assert [(str(a.effect), a.amount) for a in td.adjustments if a.rule == "CHIP-001"] == [
        ("cap", 50.0), ("deduction", -5.0)]
    assert_never_better(reduced, full, "affiliates_listed", ("technical_defensibility",))
    assert reduced.score is not None and full.score is not None
    assert reduced.score < full.score  # the deduction under the cap: 38.55 -> 37.30


# -- the kind: every field a critical rule reads, withheld -----------------------------------

#: What the generated profiles' screenings say, so that the critical rules' real outcomes
#: span passed, medium, high and critical.
SCENARIOS: dict[str, dict[str, dict[str, Any]]] = {
    "nothing found": {},
    "an affiliate listed": {"export_controls": {"affiliates_listed": ["Sub Ltd"]}},
    "the company listed": {"export_controls": {"entity_list": True,
                                               "relies_on_new_us_items": False}},
    "listed, relying on US items": {"export_controls": {"entity_list": True,
                                                        "relies_on_new_us_items": True}},
    "a prohibited end use": {"investment_screening": {"ai_end_uses": ["military"]}},
    "a notifiable end use": {"investment_screening": {"ai_end_uses": ["cybersecurity"],
                                                      "max_training_flops": 1e22}},
    "an EU prohibited use": {"eu_exposure": {"serves_eu_users": True,
                                             "prohibited_uses": ["social scoring"]}},
    "EU users, nothing prohibited": {"eu_exposure": {"serves_eu_users": True}},
}


def _steps(path: str) -> list[str | int]:
    """``evaluations.safety[0].independent`` -> ``["evaluations", "safety", 0, "independent"]``."""
    out: list[str | int] = []
    for part in path.split("."):
        name, *indices = re.split(r"\[(\d+)\]", part)
        if name:
            out.append(name)
        out.extend(int(i) for i in indices if i)
    return out


def withheld(doc: dict[str, Any], path: str) -> dict[str, Any] | None:
    """The profile with ``path`` left out (None when it is not there)."""
    out = copy.deepcopy(doc)
    *head, last = _steps(path)
    node: Any = out
    for step in head:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            return None
    if not isinstance(node, dict) or not isinstance(last, str) or last not in node:
        return None
    del node[last]
    return out


def read_paths(decision: Decision, doc: dict[str, Any]) -> list[str]:
    """Every path a critical rule read (its evidence): a section's field, a whole list
    (``services``), and for a record (``evaluations.safety[0]``) each of its fields (one
    record of a list left out is a known gap: nothing can tell it was there)."""
    paths: set[str] = set()
    for event in decision.trace:
        for outcome in event.rules:
            if outcome.rule not in CRITICAL:
                continue
            for path in outcome.evidence:
                node: Any = doc
                for step in _steps(path):
                    try:
                        node = node[step]
                    except (KeyError, IndexError, TypeError):
                        node = None
                        break
                if path.endswith("]") and isinstance(node, dict):
                    paths.update(f"{path}.{key}" for key in node)
                else:
                    paths.add(path)
    return sorted(paths)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6), scenario=st.sampled_from(sorted(SCENARIOS)),
       policy=st.sampled_from(POLICIES), loose=st.booleans())
def test_withholding_what_a_critical_rule_reads_never_helps(
        seed: int, scenario: str, policy: str, loose: bool) -> None:
    """For generated decidable profiles and each field a critical rule reads (its evidence),
    the profile with the field left out is never better than the full one: on the verdict
    order, the composite, and the score of every dimension."""
    engine = ENGINES[policy, loose]
    doc = decidable(next(iter(synthetic_portfolio(1, seed=seed))), random.Random(seed))
    for section, values in SCENARIOS[scenario].items():
        doc[section] = {**doc.get(section, {}), **values}
    full = engine.evaluate(profile_from_data(doc, doc["id"]))
    every = tuple(dims(full))
    for path in read_paths(full, doc):
        reduced_doc = withheld(doc, path)
        if reduced_doc is None:
            continue
        try:
            reduced = engine.evaluate(profile_from_data(reduced_doc, doc["id"]))
        except InputError:
            continue  # a required field: refused, never better
        assert_never_better(reduced, full, f"{scenario}, seed {seed}, without {path}", every)


# -- a plugin's rule, a declarative rule, a rule with no dimension ---------------------------

PLUGIN = '''\
"""A firm's drop-in pack: one critical rule on a dimension, one on none."""

from threshold_core import Pack, Severity, fired, hookimpl, not_evaluated, rule

__version__ = "1.0.0"


def _graded(profile):
    fin = profile.financials
    if fin is None or fin.top5_customer_share_pct is None:
        return None, not_evaluated("financials.top5_customer_share_pct")
    share = fin.top5_customer_share_pct.value
    evidence = {"financials.top5_customer_share_pct": share}
    for bar, severity in ((90.0, Severity.CRITICAL), (70.0, Severity.HIGH),
                          (50.0, Severity.MEDIUM)):
        if share > bar:
            return share, fired(f"top five customers {share:g}%", severity=severity,
                                evidence=evidence)
    return share, evidence


@rule("HOUSE-101", title="Customer concentration", severity="critical",
      severities=("critical", "high", "medium"), dimension="application_stickiness",
      rationale="r", source="house policy")
def concentration(profile, settings, context):
    return _graded(profile)[1]


@rule("HOUSE-102", title="Customer concentration, no dimension", severity="critical",
      severities=("critical", "high", "medium"), dimension=None, rationale="r",
      source="house policy")
def concentration_anywhere(profile, settings, context):
    return _graded(profile)[1]


@hookimpl
def threshold_register_rule_packs(register):
    register(Pack("house_python", __version__, [concentration, concentration_anywhere]))
'''

DECLARATIVE = """\
[pack]
name = "house_toml"
version = "1.0.0"

[[rules]]
id = "HOUSE-001"
title = "Customer concentration above the house limit"
severity = "critical"
dimension = "application_stickiness"
when = "profile.financials.top5_customer_share_pct > 90.0"
message = "top five customers {profile.financials.top5_customer_share_pct}%"
rationale = "r"
source = "house policy"
"""

HOUSE_RULES = ("HOUSE-001", "HOUSE-101", "HOUSE-102")


@pytest.fixture(scope="module")
def house_engines(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, bool], Engine]:
    folder = tmp_path_factory.mktemp("packs")
    (folder / "house_python.py").write_text(PLUGIN, encoding="utf-8")
    (folder / "house_toml.toml").write_text(DECLARATIVE, encoding="utf-8")
    out = {}
    for policy in POLICIES:
        for loose in (False, True):
            config = config_of(policy, loose)
            out[policy, loose] = Engine(config, create_plugin_manager(config,
                                                                       rule_dirs=[folder]))
    return out


@pytest.mark.parametrize("share", [30.0, 60.0, 80.0, 95.0])
@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("loose", [False, True])
def test_a_plugins_and_a_declarative_critical_rule_left_unchecked_never_help(
        house_engines: dict[tuple[str, bool], Engine], share: float, policy: str,
        loose: bool) -> None:
    """Each real outcome (passed, medium, high, critical) against the same rules with the
    field left out: never better on the verdict, application_stickiness or the composite."""
    engine = house_engines[policy, loose]
    for seed in range(6):
        doc = decidable(next(iter(synthetic_portfolio(1, seed=seed))), random.Random(seed))
        doc.setdefault("financials", {"currency": "CNY"})["top5_customer_share_pct"] = share
        reduced_doc = copy.deepcopy(doc)
        del reduced_doc["financials"]["top5_customer_share_pct"]
        full = engine.evaluate(profile_from_data(doc, doc["id"]))
        reduced = engine.evaluate(profile_from_data(reduced_doc, doc["id"]))
        assumed = {f.rule: f for f in reduced.findings if f.rule in HOUSE_RULES}
        assert sorted(assumed) == list(HOUSE_RULES)
        assert {str(f.effect) for f in assumed.values()} == {"block"}
        assert_never_better(reduced, full, f"seed {seed}, share {share}",
                            ("application_stickiness",))
        (sticky,) = [d for d in reduced.dimensions if d.name == "application_stickiness"]
        capped = {a.rule for a in sticky.adjustments if str(a.effect) == "cap"}
        # Both rules on the dimension cap it; the rule with no dimension adjusts nothing.
        assert capped >= {"HOUSE-001", "HOUSE-101"} and "HOUSE-102" not in capped


# -- what the user sees: the command line ----------------------------------------------------


def test_the_command_line_shows_the_assumed_veto_capping_its_dimension(tmp_path: Path) -> None:
    doc = affiliate_listed()
    shown = {}
    for name, content in (("full", doc), ("withheld", withheld(doc,
                                                               "export_controls.affiliates_listed"))):
        assert content is not None
        path = tmp_path / f"{name}.toml"
        path.write_text(toml_dumps(content), encoding="utf-8")
        command = [sys.executable, "-m", "threshold_core", "evaluate", str(path),
                   "--no-plugin-autoload"]
        env = {**os.environ, "NO_COLOR": "1"}
        run = subprocess.run([*command, "--format", "json"], capture_output=True, text=True,
                             timeout=120, env=env)
        assert run.returncode == 0, run.stderr
        text = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
        assert text.returncode == 0, text.stderr
        shown[name] = (json.loads(run.stdout), text.stdout)
    (full, full_text), (reduced, reduced_text) = shown["full"], shown["withheld"]
    assert (full["verdict"], reduced["verdict"]) == ("not_qualified", "insufficient_data")
    td = {name: next(d for d in data["dimensions"] if d["name"] == "technical_defensibility")
          for name, data in (("full", full), ("withheld", reduced))}
    assert [(a["rule"], a["effect"], a["amount"]) for a in td["withheld"]["adjustments"]
            if a["rule"] == "CHIP-001"] == [("CHIP-001", "cap", 50.0),
                                           ("CHIP-001", "deduction", -5.0)]
    assert td["withheld"]["score"] <= td["full"]["score"]
    assert reduced["score"] <= full["score"]
    # The text report shows the same figures.
    assert f"composite score: {full['score']:.2f}" in full_text
    assert f"composite score: {reduced['score']:.2f}" in reduced_text
    (row,) = [line for line in reduced_text.splitlines()
              if re.match(r"technical_defensibility +25\.0% ", line)]  # the dimensions table
    assert "CHIP-001 cap 50; -5: CHIP-001, CHIP-007" in row, row
    assert f" {td['withheld']['score']:.1f} " in row, row
