"""ETH-001 and ETH-002: the most severe bar a result's interval clears decides, so stating more
(an independent run) or a higher rate never makes the finding milder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from threshold_core import Engine, build_config
from threshold_core.load import profile_from_data

ENGINE = Engine(build_config({"plugins": {"autoload": False}}))
#: Severity of an outcome, mildest first (``passed`` and ``not_evaluated`` below ``low``).
RANK = {None: 0, "low": 1, "medium": 2, "high": 3, "critical": 4}


def outcome(run: dict[str, Any], rule: str = "ETH-002") -> Any:
    doc = {"id": "safety", "name": "Safety Co", "as_of": "2026-06-30", "verified": True,
           "evaluations": {"safety": [run]}}
    decision = ENGINE.evaluate(profile_from_data(doc, doc["id"]))
    (found,) = [o for e in decision.trace for o in getattr(e, "rules", ()) if o.rule == rule]
    return found


def severity(run: dict[str, Any], rule: str = "ETH-002") -> int:
    found = outcome(run, rule)
    return RANK[str(found.severity)] if str(found.status) == "fired" else 0


def test_a_small_independent_result_over_the_critical_bar_is_not_milder() -> None:
    # 25% on 100 prompts: the 95% interval (17.5-34.3%) clears the 5% high bar but not the
    # 20% critical one. Self-run it is high; independent it was low ("inconclusive").
    run = {"suite": "TC260-bank", "unsafe_compliance_pct": 25.0, "n_prompts": 100}
    self_run = outcome({**run, "independent": False})
    independent = outcome({**run, "independent": True})
    assert str(self_run.severity) == "high"
    assert str(independent.status) == "fired" and str(independent.severity) == "high"


def test_a_rate_over_the_high_bar_but_inconclusive_still_counts_at_medium() -> None:
    # ETH-001 the same: 20% over-refusal on 100 prompts (interval 13.3-28.9%) clears the 5%
    # medium bar but not the 15% high one: medium, as 14% on the same prompts is.
    run = {"suite": "TC260-bank", "over_refusal_pct": 20.0, "n_prompts": 100}
    assert str(outcome(run, "ETH-001").severity) == "medium"
    assert str(outcome({**run, "over_refusal_pct": 14.0}, "ETH-001").severity) == "medium"


RATES = st.floats(0, 100, allow_nan=False)
SIZES = st.integers(1, 20_000)
SUITES = st.sampled_from(["TC260-bank", "CN-benign", "XSTest", "OR-Bench-Hard-1K"])


@settings(max_examples=300, deadline=None)
@given(rate=RATES, n=SIZES, suite=SUITES, language=st.sampled_from([None, "zh", "en"]))
def test_an_independent_result_is_never_milder(
    rate: float, n: int, suite: str, language: str | None
) -> None:
    run: dict[str, Any] = {"suite": suite, "unsafe_compliance_pct": rate,
                           "over_refusal_pct": rate, "n_prompts": n}
    if language is not None:
        run["language"] = language
    for rule in ("ETH-001", "ETH-002"):
        assert severity({**run, "independent": True}, rule) >= severity(
            {**run, "independent": False}, rule), rule


@settings(max_examples=300, deadline=None)
@given(rate=RATES, more=st.floats(0, 100, allow_nan=False), n=SIZES, suite=SUITES,
       independent=st.booleans())
def test_a_higher_rate_is_never_milder(
    rate: float, more: float, n: int, suite: str, independent: bool
) -> None:
    lower, higher = sorted((rate, more))
    for rule, key in (("ETH-001", "over_refusal_pct"), ("ETH-002", "unsafe_compliance_pct")):
        base = {"suite": suite, "n_prompts": n, "independent": independent}
        assert severity({**base, key: higher}, rule) >= severity({**base, key: lower}, rule)


def test_the_command_line_shows_the_independent_result_high(
    run_cli_process: Any, tmp_path: Path
) -> None:
    path = tmp_path / "small.toml"
    path.write_text('id = "small"\nname = "Small Eval Co"\nas_of = 2026-06-30\n'
                    "verified = true\n\n[[evaluations.safety]]\nsuite = \"TC260-bank\"\n"
                    "unsafe_compliance_pct = 25.0\nn_prompts = 100\nindependent = true\n",
                    encoding="utf-8")
    result = run_cli_process("evaluate", str(path), "--format", "json", "--no-plugin-autoload")
    assert result.returncode == 0, result.stderr
    findings = {f["rule"]: f for f in json.loads(result.stdout)["findings"]}
    assert findings["ETH-002"]["severity"] == "high"
    assert findings["ETH-002"]["message"].startswith(
        "TC260-bank: complies with 25% (n=100")
