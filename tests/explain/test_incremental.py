"""The explanation's incremental policy arithmetic gives what re-running the policy gives.

``explain`` answers its what-if questions (each finding cleared, each dimension raised
step by step, the gate passed, every dimension at its coverage floor) with
:class:`~threshold_core.explain.Replayer` instead of re-running the default policy on
a rebuilt assessment. Here both answer the same questions, on generated profiles,
under three configurations, and must agree exactly: the verdict and the unrounded
composite.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from threshold_core import Engine, build_config, create_plugin_manager
from threshold_core.explain import Replayer, assessment_from_decision, explain, what_if
from threshold_core.load import resolve_config
from threshold_core.model import Decision, EngineConfig
from threshold_core.portfolio import synthetic_portfolio

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

#: A third configuration: rules lacking data block, tighter per-pack deductions, a
#: dimension floor of its own, and a low limit on illustrative figures.
THIRD: dict[str, Any] = {
    "plugins": {"autoload": False},
    "policy": {
        "missing_compliance_data": "block", "medium_deduction": 6.0,
        "medium_max_per_pack": 8.0, "high_cap": 55.0, "dimension_floors":
        {"regulatory_readiness": 50.0}, "max_illustrative_share": 0.1,
    },
}


@functools.cache
def engine(which: str) -> Engine:
    config = (build_config(THIRD) if which == "third"
              else resolve_config(EXAMPLES / f"{which}.toml"))
    return Engine(config, create_plugin_manager(config))


@functools.cache
def policy_config(which: str) -> EngineConfig:
    """The configuration the policy is asked under; the third's also makes a dimension
    optional with a coverage floor of its own (a plugin's dimension may be; the policy's
    arithmetic for it is the same whichever dimension it is)."""
    if which == "open":  # no hold on illustrative figures: qualified is reached
        config = engine("threshold").config
        return attrs.evolve(config, policy=attrs.evolve(config.policy,
                                                        max_illustrative_share=1.0))
    config = engine(which).config
    if which != "third":
        return config
    dims = dict(config.dimensions)
    dims["application_stickiness"] = attrs.evolve(dims["application_stickiness"],
                                                  required=False, coverage_floor=0.8)
    return attrs.evolve(config, dimensions=dims)


@functools.cache
def decision(which: str, seed: int) -> Decision:
    e = engine("threshold" if which == "open" else which)
    (doc,) = synthetic_portfolio(1, seed=seed)
    return e.evaluate(e.profile_from_data(doc, f"seed {seed}"))


scores = st.one_of(st.floats(0.0, 100.0), st.floats(60.0, 100.0), st.sampled_from(
    [0.0, 40.0, 50.0, 55.0, 65.0, 75.0, 85.0, 100.0]))
questions = st.fixed_dictionaries({
    "clear": st.lists(st.integers(0, 40), max_size=4),
    # Toward a graded verdict (most synthetic companies fail the gate or lack data):
    # every critical finding cleared, the gate passed, every dimension at its floor.
    "clear_critical": st.booleans(),
    "gate": st.booleans(),
    "raise_all": st.one_of(st.none(), scores),
    "raise": st.lists(st.tuples(st.integers(0, 3), scores), max_size=4),
    "gate_passes": st.booleans(),
    "full_coverage": st.booleans(),
})


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(which=st.sampled_from(["threshold", "strict", "third", "open"]), seed=st.integers(0, 400),
       asked=st.lists(questions, min_size=1, max_size=6))
def test_the_incremental_answer_is_the_policy_s(which: str, seed: int,
                                                 asked: list[dict[str, Any]]) -> None:
    config = policy_config(which)
    d = decision(which, seed)
    assessment = assessment_from_decision(d)
    replayer = Replayer(assessment, config)
    rules = [f.rule for f in d.findings]
    names = [x.name for x in d.dimensions]
    for q in asked:
        clear = {rules[i % len(rules)] for i in q["clear"]} if rules else set()
        if q["gate"]:
            clear.add("gate")
        if q["clear_critical"]:
            clear |= {f.rule for f in d.findings if f.severity == "critical"}
        raw = {} if q["raise_all"] is None else dict.fromkeys(names, q["raise_all"])
        raw.update((names[i % len(names)], x) for i, x in q["raise"])
        kwargs: dict[str, Any] = {"clear": clear, "raw_scores": raw or None,
                                  "gate_passes": q["gate_passes"],
                                  "full_coverage": q["full_coverage"]}
        full = what_if(assessment, config, **kwargs)
        assert replayer.outcome(**kwargs) == (full.verdict, full.score), kwargs


def test_each_finding_cleared_alone_on_every_example() -> None:
    """Every lever an explanation lists, on the examples under both example configurations."""
    for which in ("threshold", "strict", "third"):
        e = engine(which)
        for path in sorted((EXAMPLES / "companies").glob("*.toml")):
            d = e.evaluate_path(path)
            assessment = assessment_from_decision(d)
            config = policy_config(which)
            replayer = Replayer(assessment, config)
            for f in d.findings:
                full = what_if(assessment, config, clear={f.rule})
                assert replayer.outcome(clear={f.rule}) == (full.verdict, full.score)
            assert explain(d, e).verdict is d.verdict


def test_graded_verdicts_with_caps_floors_and_sources() -> None:
    """The questions that reach a graded verdict, asked on purpose: the gate passed and
    every critical finding cleared at full coverage, every dimension raised high, with and
    without the caps, and with one dimension left below its floor."""
    verdicts: set[str] = set()
    for which in ("threshold", "strict", "third", "open"):
        config = policy_config(which)
        for seed in range(0, 120, 3):
            d = decision(which, seed)
            assessment = assessment_from_decision(d)
            replayer = Replayer(assessment, config)
            names = [x.name for x in d.dimensions]
            critical = {f.rule for f in d.findings if f.severity == "critical"}
            caps = {f.rule for f in d.findings if f.severity == "high"}
            for clear in (critical, critical | caps):
                for high in (100.0, 92.0, 86.0, 78.0):
                    for low in (None, 30.0):
                        raw = dict.fromkeys(names, high)
                        if low is not None:
                            raw[names[seed % len(names)]] = low
                        kwargs: dict[str, Any] = {"clear": clear, "raw_scores": raw,
                                                  "gate_passes": True, "full_coverage": True}
                        full = what_if(assessment, config, **kwargs)
                        assert replayer.outcome(**kwargs) == (full.verdict, full.score)
                        verdicts.add(str(full.verdict))
    assert {"qualified", "watch", "not_qualified"} <= verdicts
