"""Headroom above the line and the risk of falling below it, as a user sees them."""

from __future__ import annotations

import json
import math
import random
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from threshold_core.cli import cli
from threshold_core.engine import BUILTIN_PLUGINS
from threshold_core.model import (
    Effect,
    Finding,
    Risk,
    RiskConfig,
    Severity,
    Verdict,
    assess,
    breach_probability,
)

HIGH_SCORES = """
[customers]
ndr_pct = 140
gdr_pct = 98
logo_churn_pct = 2
enterprise_customers = 500
"""


def profile(tmp_path: Path, name: str, amount: float, *, basis: str = "market_cap",
            listing: str = "listed", source: str = "HKEX closing price",
            as_of: str | None = "2026-06-30", currency: str = "CNY", extra: str = "",
            profile_as_of: str = "2026-06-30") -> Path:
    # The profile's own date (the evaluation date); an undated valuation gets neither.
    top = f"as_of = {profile_as_of}\n" if as_of else ""
    dated = f"as_of = {as_of}\n" if as_of else ""
    text = (
        f'id = "{name}"\nname = "{name.title()}"\n{top}\n'
        f'[valuation]\namount = {amount!r}\ncurrency = "{currency}"\nbasis = "{basis}"\n'
        f'source = "{source}"\n{dated}\n[listing]\nstatus = "{listing}"\n{extra}'
    )
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def evaluate(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(cli, ["evaluate", "--no-plugin-autoload", *args])
    return res.exit_code, res.stdout, res.stderr


def decision(path: Path, *extra: str) -> dict:
    code, out, err = evaluate(str(path), "--format", "json", *extra)
    assert code == 0, err
    return json.loads(out)


# -- the model ---------------------------------------------------------------------------


def test_breach_probability_matches_a_simulated_driftless_lognormal() -> None:
    # 4000 seeded daily paths; daily monitoring misses a few touches, so the closed form
    # (continuous monitoring) is an upper bound within a couple of points.
    rng = random.Random(7)
    sigma, value, line, steps = 0.75, 8.0, 4.0, 365
    dt = 1.0 / steps
    drift, scale = -0.5 * sigma * sigma * dt, sigma * math.sqrt(dt)
    barrier = math.log(line / value)
    hits = 0
    for _ in range(4000):
        x = 0.0
        for _ in range(steps):
            x += drift + scale * rng.gauss(0.0, 1.0)
            if x <= barrier:
                hits += 1
                break
    simulated = hits / 4000
    exact = breach_probability(value, line, sigma, 1.0)
    assert 0.0 <= exact - simulated < 0.04, (exact, simulated)


@given(st.floats(1.0, 1e4), st.floats(0.01, 3.0), st.floats(0.01, 5.0))
def test_breach_probability_is_a_probability_falling_with_headroom(
    ratio: float, sigma: float, years: float
) -> None:
    p = breach_probability(4e9 * ratio, 4e9, sigma, years)
    assert 0.0 <= p <= 1.0
    assert breach_probability(4e9 * ratio * 1.5, 4e9, sigma, years) <= p + 1e-12
    assert breach_probability(4e9 * ratio, 4e9, sigma * 1.5, years) >= p - 1e-12


@settings(max_examples=300)
@given(st.floats(1.0, 1e4), st.floats(0.001, 3.0), st.floats(0.01, 10.0))
def test_breach_probability_is_bit_for_bit_the_formula_with_statistics_normaldist(
    ratio: float, sigma: float, years: float
) -> None:
    """The closed form's N is the standard normal of the standard library, to the last bit
    (threshold computes it without importing statistics, for the command's start-up)."""
    from statistics import NormalDist

    value, line = 4e9 * ratio, 4e9
    n = NormalDist().cdf
    if value > line:
        b, nu, st_ = math.log(line / value), -0.5 * sigma * sigma, sigma * math.sqrt(years)
        p = n((b - nu * years) / st_) + (value / line) * n((b + nu * years) / st_)
        assert breach_probability(value, line, sigma, years) == min(1.0, max(0.0, p))


@settings(max_examples=200)
@given(st.floats(4.0e9, 1e13), st.sampled_from(list(Verdict)),
       st.sampled_from(["market_cap", "estimate", "last_round_post_money"]),
       st.sampled_from(["listed", "private", None]))
def test_a_critical_finding_is_never_low_risk_however_rich(
    value: float, verdict: Verdict, basis: str, listing: str | None
) -> None:
    critical = Finding(rule="X-1", pack="p", severity=Severity.CRITICAL, effect=Effect.VETO,
                       dimension=None, title="t", message="m", plugin="p")
    h = assess(line_cny=4e9, valuation_cny=value, basis=basis, listing=listing,
               gate_testable=True, verdict=verdict, findings=[critical], config=RiskConfig())
    assert h.risk is (Risk.UNKNOWN if verdict is Verdict.ERROR else Risk.HIGH)


# -- the two companies -------------------------------------------------------------


def test_a_company_just_above_the_line_is_high_risk_whatever_its_score(tmp_path: Path) -> None:
    d = decision(profile(tmp_path, "thin", 4.01e9, extra=HIGH_SCORES))
    h = d["headroom"]
    assert d["gate"]["passed"] is True and h["cushion"] == pytest.approx(4.01 / 4.0, abs=1e-4)
    assert h["breach_fall_pct"] == pytest.approx(100 * (1 - 4.0 / 4.01), abs=0.01)
    assert h["breach_probability"] > 0.9 and d["risk"] == "high"
    # The grade-derived label keeps its own, clearly different, name.
    assert d["scorecard_risk"] in {"low", "medium", "high", "unknown"}


def test_a_very_rich_company_with_a_low_score_is_not_high_risk(tmp_path: Path) -> None:
    # The rule packs off: no critical rule lacks data, so the market risk and the verdict's
    # floor decide.
    packs = [f"--disable-plugin={p}" for p in BUILTIN_PLUGINS if p.startswith("threshold_rules.")]
    d = decision(profile(tmp_path, "rich", 100e9), *packs)
    assert d["headroom"]["breach_probability"] < 0.001
    assert d["headroom"]["market_risk"] == "low"
    # not_qualified by score (or short of data) allows no less than medium.
    assert d["verdict"] in {"not_qualified", "insufficient_data"}
    assert d["risk"] == "medium"


def test_a_critical_rule_that_lacked_data_sets_the_critical_floor(tmp_path: Path) -> None:
    # Omission never lowers the risk: a critical rule that could not be checked could have
    # found a critical finding (high however rich), so the risk is high until researched.
    d = decision(profile(tmp_path, "rich", 100e9))
    assumed = [f["rule"] for f in d["findings"]
               if f["severity"] == "critical" and f["evidence"].get("assumed")]
    assert assumed and d["headroom"]["market_risk"] == "low"
    assert d["risk"] == "high"
    assert any(r.startswith("critical rules ") and assumed[0] in r and r.endswith(
        "lacked data: high until researched") for r in d["headroom"]["reasons"])


def test_text_and_markdown_reports_explain_the_risk(tmp_path: Path) -> None:
    path = profile(tmp_path, "mid", 6.9e9, listing="private", basis="estimate",
                   source="press estimate")
    code, out, _ = evaluate(str(path))
    assert code == 0
    # 6.9bn less the 25% estimate haircut = 5.175bn (rounded as the decimal it is, a half
    # rounded up): a 23% fall takes it to 4.0bn.
    assert "less 25% haircut = 5.18bn CNY" in out
    assert "a 23% fall in value would breach the line;" in out
    assert "chance within 12 months" in out
    code, md, _ = evaluate(str(path), "--format", "markdown")
    assert "a 23% fall in value would breach the line" in md
    code, html, _ = evaluate(str(path), "--format", "html")
    assert "a 23% fall in value would breach the line" in html


def test_the_horizon_and_bands_come_from_the_configuration(tmp_path: Path) -> None:
    path = profile(tmp_path, "mid", 12e9)
    config = tmp_path / "threshold.toml"
    config.write_text("[risk]\nhorizon_months = 36\nlow_below = 0.01\nhigh_from = 0.02\n",
                      encoding="utf-8")
    one_year = decision(path)["headroom"]
    three = decision(path, "--config", str(config))["headroom"]
    assert three["horizon_months"] == 36
    assert three["breach_probability"] > one_year["breach_probability"]
    assert three["market_risk"] == "high"


# -- the gate's basis policy ---------------------------------------------------------------


def test_a_parent_groups_market_cap_cannot_pass_the_gate(tmp_path: Path) -> None:
    d = decision(profile(tmp_path, "unit", 250e9, basis="parent_market_cap",
                         listing="subsidiary"))
    assert d["gate"]["passed"] is None and d["verdict"] == "insufficient_data"
    assert "parent group's market capitalisation cannot pass the gate" in d["gate"]["reason"]
    assert d["risk"] == "unknown"
    assert any("parent group" in f["detail"] for f in d["determining"])


def test_an_illustrative_or_undated_valuation_cannot_pass_the_gate(tmp_path: Path) -> None:
    made_up = decision(profile(tmp_path, "fake", 9e9, source="illustrative"))
    assert made_up["verdict"] == "insufficient_data"
    assert "illustrative valuation cannot pass" in made_up["gate"]["reason"]
    undated = decision(profile(tmp_path, "undated", 9e9, as_of=None))
    assert undated["verdict"] == "insufficient_data"
    assert "undated valuation" in undated["gate"]["reason"]


def test_a_last_round_valuation_is_tested_after_its_haircut(tmp_path: Path) -> None:
    # 5.5bn post-money less 32% = 3.74bn: below the line although the headline is above.
    d = decision(profile(tmp_path, "round", 5.5e9, basis="last_round_post_money",
                         listing="private", source="company press release"))
    assert d["gate"]["passed"] is False and d["gate"]["haircut"] == 0.32
    assert d["gate"]["tested_cny"] == pytest.approx(5.5e9 * 0.68)
    assert d["verdict"] == "not_qualified" and d["risk"] == "high"


def test_fx_converts_at_the_valuations_date_from_a_dated_table(tmp_path: Path) -> None:
    config = tmp_path / "threshold.toml"
    config.write_text(
        '[fx]\nrates = { USD = 7.0 }\nas_of = 2026-06-30\nsource = "PBOC"\n'
        'history = [{ as_of = 2025-06-30, rates = { USD = 7.2 }, source = "PBOC" },'
        ' { as_of = 2024-06-28, rates = { USD = 7.1 } }]\n', encoding="utf-8")
    old = decision(profile(tmp_path, "old", 1e9, currency="USD", as_of="2025-12-31"),
                   "--config", str(config))
    assert old["gate"]["fx_rate"] == 7.2 and old["gate"]["fx_as_of"] == "2025-06-30"
    new = decision(profile(tmp_path, "new", 1e9, currency="USD", as_of="2026-07-01"),
                   "--config", str(config))
    assert new["gate"]["fx_rate"] == 7.0 and new["gate"]["fx_as_of"] == "2026-06-30"


# -- configuration errors ------------------------------------------------------------------


@pytest.mark.parametrize("body, message", [
    ("[risk]\nhorizon_months = 0\n", "$.risk.horizon_months: must be a positive number"),
    ("[risk]\nlow_below = 1.5\n", "$.risk.low_below: must be a probability"),
    ("[risk.haircut]\nestimate = 1.0\n", "$.risk.haircut.estimate: must be at least 0"),
    ("[risk.haircut]\nguess = 0.1\n", "$.risk.haircut.guess: unknown key"),
    ("[risk.volatility]\nlisting = { listd = 0.5 }\n", "$.risk.volatility.listing.listd"),
    ("[risk]\nverdict_floor = { qualified = \"unknown\" }\n",
     "$.risk.verdict_floor.qualified: must be low, medium or high"),
    ("[gate]\naccepted_bases = [\"guess\"]\n", "$.gate.accepted_bases[0]"),
    ("[fx]\nhistory = [{ as_of = 2025-01-01, rates = { USD = -1 } }]\n",
     "$.fx.history[0].rates.USD: must be positive"),
])
def test_bad_risk_configuration_is_a_path_named_error(tmp_path: Path, body: str,
                                                      message: str) -> None:
    config = tmp_path / "threshold.toml"
    config.write_text(body, encoding="utf-8")
    code, _, err = evaluate(str(profile(tmp_path, "x", 9e9)), "--config", str(config))
    assert code == 2
    assert f"{config}: {message}" in err and "Traceback" not in err


def test_the_decision_schema_carries_the_headroom() -> None:
    res = CliRunner().invoke(cli, ["schema", "decision"])
    schema = json.loads(res.stdout)
    assert "headroom" in schema["properties"] and "scorecard_risk" in schema["properties"]
    props = schema["$defs"]["Headroom"]["properties"]
    assert {"cushion", "breach_fall_pct", "breach_probability", "horizon_months",
            "volatility", "haircut", "market_risk", "risk", "summary"} <= set(props)


def test_the_installed_script_reports_the_headroom(tmp_path: Path) -> None:
    path = profile(tmp_path, "script", 20e9)
    run = subprocess.run(
        [str(Path(sys.executable).parent / "threshold"), "evaluate", str(path),
         "--no-plugin-autoload"], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert "Headroom: 5.00x the line; a 80% fall in value would breach the line;" in run.stdout


# -- non-compensatory floors and the valuation pack ------------------------------------------


def _fixed_engine_args(tmp_path: Path, scores: dict[str, float], floors: str = "") -> list[str]:
    plugin_dir = tmp_path / "plugins"
    plugin_dir.mkdir(exist_ok=True)
    body = ["from threshold_core import hookimpl, DimensionScore", "",
            "class S:", "    def __init__(self, d, v):", "        self.name, self.dimension, "
            "self.v = 'fixed_' + d, d, v",
            "    def score(self, profile, settings, context):",
            "        return DimensionScore(self.dimension, self.v, 1.0)", "",
            "@hookimpl", "def threshold_register_scorers(register):"]
    body += [f"    register(S({d!r}, {v!r}))" for d, v in scores.items()]
    (plugin_dir / "fixed.py").write_text("\n".join(body) + "\n", encoding="utf-8")
    dims = "".join(f'[dimensions.{d}]\nscorer = "fixed_{d}"\n' for d in scores)
    config = tmp_path / "threshold.toml"
    config.write_text(f'plugin_dirs = ["plugins"]\n[plugins]\ndisable = ["threshold_rules.'
                      'filings", "threshold_rules.chip_supply", "threshold_rules.ethics", '
                      '"threshold_rules.declarative_builtin", '
                      f'"threshold_rules.investment_restrictions"]\n{floors}\n{dims}',
                      encoding="utf-8")
    return ["--config", str(config)]


def test_a_dimension_below_its_floor_holds_a_qualified_score_at_watch(tmp_path: Path) -> None:
    scores = {"technical_defensibility": 100.0, "application_stickiness": 35.0,
              "regulatory_readiness": 100.0, "institutional_backing": 100.0}
    path = profile(tmp_path, "lopsided", 40e9)
    d = decision(path, *_fixed_engine_args(tmp_path, scores))
    assert d["grade"] == "Q2" and d["verdict"] == "watch"  # 83.75: a qualified band
    floors = [f for f in d["determining"] if f["kind"] == "floor"]
    assert [f["subject"] for f in floors] == ["application_stickiness"]
    assert "below its floor 40" in floors[0]["detail"]
    # Lowered per dimension, the floor no longer binds.
    d = decision(path, *_fixed_engine_args(
        tmp_path, scores, "[policy]\ndimension_floors = { application_stickiness = 30 }\n"))
    assert d["verdict"] == "qualified"
    assert not any(f["kind"] == "floor" for f in d["determining"])


def test_an_unknown_floor_dimension_is_a_path_named_error(tmp_path: Path) -> None:
    config = tmp_path / "threshold.toml"
    config.write_text("[policy]\ndimension_floors = { stickiness = 30 }\n", encoding="utf-8")
    code, _, err = evaluate(str(profile(tmp_path, "x", 9e9)), "--config", str(config))
    assert code == 2 and f"{config}: $.policy.dimension_floors.stickiness: no dimension" in err


def test_a_listed_company_valued_on_an_estimate_gets_a_finding(tmp_path: Path) -> None:
    d = decision(profile(tmp_path, "est", 20e9, basis="estimate", source="press estimate",
                         extra='exchange = "HKEX"\n'))
    rules = {f["rule"]: f for f in d["findings"]}
    assert {"VAL-001", "VAL-002"} <= set(rules)
    assert "listed on HKEX but valued on estimate" in rules["VAL-002"]["message"]
    old = decision(profile(tmp_path, "old", 20e9, as_of="2025-01-31"))
    assert "VAL-003" in {f["rule"] for f in old["findings"]}


# -- receipts that say which law -------------------------------------------------------------


def test_receipts_and_trace_carry_each_packs_version_and_law_date(tmp_path: Path) -> None:
    d = decision(profile(tmp_path, "law", 9e9))
    packs = {p["name"]: p for p in d["receipt"]["packs"]}
    assert packs["filings"]["law_as_of"] == "2026-06-17"
    assert packs["valuation"]["version"] == "1.1.0"  # an EMV without an application
    event = next(e for e in d["trace"] if e["component"] == "chip_supply")
    assert event["contributed"]["law_as_of"] == "2026-06-17"
    assert event["contributed"]["pack_version"] == "1.3.0"  # chip_supply: unrounded shares


def test_diff_attributes_a_verdict_change_to_the_law_it_rests_on(tmp_path: Path) -> None:
    path = profile(tmp_path, "law", 20e9, basis="estimate", source="press estimate",
                   extra='exchange = "HKEX"\n')
    a = decision(path)
    b = json.loads(json.dumps(a))
    # The same company under a newer valuation pack that no longer reports VAL-002,
    # with another verdict.
    b["verdict"] = "watch" if a["verdict"] != "watch" else "not_qualified"
    b["findings"] = [f for f in b["findings"] if f["rule"] != "VAL-002"]
    for p in b["receipt"]["packs"]:
        if p["name"] == "valuation":
            p["version"], p["law_as_of"] = "1.2.0", "2026-12-31"
    fa, fb = tmp_path / "a.json", tmp_path / "b.json"
    fa.write_text(json.dumps(a), encoding="utf-8")
    fb.write_text(json.dumps(b), encoding="utf-8")
    res = CliRunner().invoke(cli, ["diff", str(fa), str(fb), "--format", "json"])
    assert res.exit_code == 0, res.stderr
    data = json.loads(res.stdout)
    company = data["diffs"][0]
    text = json.dumps(company)
    assert ("rule pack valuation 1.1.0 (law as of 2026-06-17) -> 1.2.0 "
            "(law as of 2026-12-31)") in text
    assert any("law as of 2026-12-31" in r for r in company["verdict_reasons"])


def _headline(valuation_cny: float) -> str:
    from threshold_core.model import RiskConfig, Verdict, assess

    return assess(line_cny=4e9, valuation_cny=valuation_cny, basis="market_cap",
                  listing="listed", gate_testable=True, verdict=Verdict.WATCH, findings=(),
                  config=RiskConfig()).summary


def test_the_headline_never_rounds_a_margin_to_nothing() -> None:
    """A valuation a hair above the line is not "a 0% fall" from it, one at the line is
    said to be at it, and the share below the line is of the line (1bn is 75% below 4bn)."""
    assert _headline(4.008e9).startswith("a 0.2% fall in value would breach the line;")
    assert _headline(4e9).startswith("at the line: any fall in value would breach it;")
    assert _headline(3.992e9) == "the tested valuation is 0.2% below the line"
    assert _headline(1e9) == "the tested valuation is 75% below the line"
    assert _headline(1.0).startswith("the tested valuation is 99.9999999")  # not "100%"


@given(st.floats(min_value=1.0, max_value=1e13, allow_nan=False))
def test_the_headline_agrees_with_the_comparison(valuation_cny: float) -> None:
    """Whatever the valuation, the percentage shown is never 0 or 100 unless exactly so,
    and the headline says above or below as the comparison with the line did."""
    import re

    text = _headline(valuation_cny)
    shown = float(re.search(r"([0-9.]+)%", text).group(1))  # type: ignore[union-attr]
    if valuation_cny < 4e9:
        assert "below the line" in text and 0 < shown < 100
    elif valuation_cny > 4e9:
        assert "fall in value would breach" in text and 0 < shown < 100
