"""A decision the engine has just made is explained from the policy's own figures (each
finding's effect, each dimension's weight, coverage, adjustments and sourcing, as the
decision carries them: ``explain(..., made_here=True)``, what ``threshold batch
--explain`` asks) instead of a rebuilt assessment: the explanation must be the one the
full replay gives, on generated profiles (sections missing) under generated
configurations (weights, optional dimensions, coverage floors, grade bands and cut-offs,
caps and deductions written in TOML), with a rule-pack plugin whose findings cap, deduct,
veto, lack data or fail. And the replayer built from the decision answers every what-if
as re-running the policy does.
"""

from __future__ import annotations

import functools
import zlib
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from threshold_core import (
    DimensionScore,
    Engine,
    InputError,
    Pack,
    create_plugin_manager,
    fired,
    hookimpl,
    not_evaluated,
    passed,
    rule,
)
from threshold_core.explain import Replayer, assessment_from_decision, explain, what_if
from threshold_core.load import resolve_config
from threshold_core.model import Decision, Verdict
from threshold_core.portfolio import synthetic_portfolio

DIMENSIONS = ("technical_defensibility", "application_stickiness", "regulatory_readiness",
              "institutional_backing")


def _roll(profile: Any, salt: str) -> int:
    """A number 0-99 fixed by the company and the rule: the same decision every run."""
    return zlib.crc32(f"{profile.id}/{salt}".encode()) % 100


def _check(rid: str, severity: str, dimension: str | None) -> Any:
    @rule(rid, title=f"generated {severity}", severity=severity, dimension=dimension,
          rationale="test", source="test")
    def check(profile: Any, settings: Any, context: Any) -> Any:
        roll = _roll(profile, rid)
        if roll < 35:
            return fired(f"{rid} fired", evidence={"roll": roll})
        if roll < 50:
            return not_evaluated("customers.ndr_pct")
        if roll == 99:
            raise RuntimeError(f"{rid} is down")
        return passed()

    return check


class ExtraScorer:
    """A plugin's dimension, optional when the configuration says so: no data, too
    little, a score, or a failure, by company."""

    name, dimension = "extra_scorer", "extra_dim"

    def score(self, profile: Any, settings: Any, context: Any) -> Any:
        roll = _roll(profile, "extra")
        if roll == 98:
            raise RuntimeError("extra_scorer is down")
        if roll < 15:
            return DimensionScore("extra_dim", None, 0.0)
        return DimensionScore("extra_dim", roll * 1.01 % 100, 0.4 if roll < 30 else 0.9,
                              inputs=("valuation",))


class GeneratedPack:
    """Rules of every severity on every dimension (and none), firing, lacking data or
    failing by company."""

    @hookimpl
    def threshold_register_scorers(self, register: Any) -> None:
        register(ExtraScorer())

    @hookimpl
    def threshold_register_rule_packs(self, register: Any) -> None:
        rules = [_check(f"GEN-{i:03d}", severity, dimension)
                 for i, (severity, dimension) in enumerate(
                     (sev, dim) for sev in ("critical", "high", "medium", "low")
                     for dim in (*DIMENSIONS, "extra_dim", None))]
        register(Pack(name="generated", version="1.0", rules=tuple(rules)))
        register(Pack(name="generated_too", version="1.0", rules=(
            _check("GEN2-001", "medium", "regulatory_readiness"),
            _check("GEN2-002", "medium", "regulatory_readiness"),
            _check("GEN2-003", "high", "technical_defensibility"))))


grades = st.lists(st.floats(1.0, 99.0, allow_nan=False).map(lambda x: round(x, 2)),
                  min_size=1, max_size=4, unique=True).map(lambda xs: sorted(xs, reverse=True))
configurations = st.fixed_dictionaries({
    "weights": st.lists(st.sampled_from([0.5, 1.0, 1.0, 1.5, 2.0, 1 / 3]),
                        min_size=5, max_size=5),
    "required": st.booleans(),  # the plugin's dimension (a built-in one is always required)
    "floors": st.lists(st.one_of(st.none(), st.sampled_from([0.2, 0.5, 0.8])),
                       min_size=5, max_size=5),
    "coverage_floor": st.sampled_from([0.3, 0.5, 0.6, 0.75]),
    "high_cap": st.sampled_from([30.0, 50.0, 55.5, 70.0]),
    "medium_deduction": st.sampled_from([0.0, 2.5, 5.0, 6.0, 0.1]),
    "medium_max_per_pack": st.sampled_from([0.0, 8.0, 15.0, 0.3]),
    "missing": st.sampled_from(["lower_confidence", "block"]),
    "dimension_floor": st.sampled_from([0.0, 40.0, 55.0]),
    "illustrative": st.sampled_from([0.1, 0.25, 1.0]),
    "cutoffs": grades,
    "verdicts": st.lists(st.sampled_from(["qualified", "watch", "not_qualified"]),
                         min_size=5, max_size=5),
    "plugin": st.booleans(),
})


def _toml(c: dict[str, Any]) -> str:
    lines = ["[policy]", f"coverage_floor = {c['coverage_floor']}",
             f"high_cap = {c['high_cap']}", f"medium_deduction = {c['medium_deduction']}",
             f"medium_max_per_pack = {c['medium_max_per_pack']}",
             f'missing_compliance_data = "{c["missing"]}"',
             f"dimension_floor = {c['dimension_floor']}",
             f"max_illustrative_share = {c['illustrative']}", ""]
    for i, cut in enumerate([*c["cutoffs"], 0.0]):
        lines += ["[[policy.grades]]", f'name = "G{i}"', f"min_score = {cut!r}",
                  f'verdict = "{c["verdicts"][i]}"', ""]
    for i, name in enumerate(DIMENSIONS if not c["plugin"] else (*DIMENSIONS, "extra_dim")):
        lines += [f"[dimensions.{name}]", f"weight = {c['weights'][i]!r}",
                  f'scorer = "{name if i < 4 else "extra_scorer"}"']
        if i == 4:
            lines.append(f"required = {str(c['required']).lower()}")
        if c["floors"][i] is not None:
            lines.append(f"coverage_floor = {c['floors'][i]}")
        lines.append("")
    return "\n".join(lines)


@functools.cache
def _engine(text: str, plugin: bool, folder: Path) -> Engine | None:
    path = folder / f"config-{zlib.crc32(text.encode()):08x}-{plugin}.toml"
    path.write_text(text, encoding="utf-8")
    try:
        config = resolve_config(path)
        extra = (("generated", GeneratedPack()),) if plugin else ()
        return Engine(config, create_plugin_manager(config, autoload=False, extra=extra))
    except InputError:
        return None  # weights that sum to 0, a required dimension weighted 0...


def _profile(seed: int, drop: list[int]) -> dict[str, Any]:
    (doc,) = synthetic_portfolio(1, seed=seed)
    keys = sorted(k for k in doc if k not in ("id", "name", "as_of"))
    for i in drop:  # sections missing: rules lack data, coverage falls, the gate cannot test
        doc.pop(keys[i % len(keys)], None)
    return doc


def _decision(engine: Engine, seed: int, drop: list[int]) -> Decision | None:
    try:
        return engine.evaluate(engine.profile_from_data(_profile(seed, drop), f"seed {seed}"))
    except InputError:
        return None


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(c=configurations, seeds=st.lists(st.integers(0, 5000), min_size=1, max_size=3),
       drop=st.lists(st.integers(0, 40), max_size=3))
def test_made_here_is_the_full_replay_under_generated_configurations(
        tmp_path_factory: Any, c: dict[str, Any], seeds: list[int], drop: list[int]) -> None:
    engine = _engine(_toml(c), c["plugin"], tmp_path_factory.getbasetemp())
    assume(engine is not None)
    assert engine is not None
    for seed in seeds:
        d = _decision(engine, seed, drop)
        if d is None:
            continue
        assert explain(d, engine, made_here=True) == explain(d, engine), (seed, c)


questions = st.fixed_dictionaries({
    "clear": st.lists(st.integers(0, 60), max_size=3),
    "gate": st.booleans(),
    "raise": st.lists(st.tuples(st.integers(0, 4), st.floats(0.0, 100.0)), max_size=3),
    "full_coverage": st.booleans(),
})


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(c=configurations, seed=st.integers(0, 5000), drop=st.lists(st.integers(0, 40),
                                                                   max_size=2),
       asked=st.lists(questions, min_size=1, max_size=5))
def test_the_replayer_of_a_decision_answers_as_the_policy(
        tmp_path_factory: Any, c: dict[str, Any], seed: int, drop: list[int],
        asked: list[dict[str, Any]]) -> None:
    engine = _engine(_toml(c), c["plugin"], tmp_path_factory.getbasetemp())
    assume(engine is not None)
    assert engine is not None
    d = _decision(engine, seed, drop)
    assume(d is not None and d.verdict is not Verdict.ERROR)
    assert d is not None
    config = engine.config
    assessment = assessment_from_decision(d)
    replayer = Replayer.of_decision(d, config)
    rules = [f.rule for f in d.findings]
    names = [x.name for x in d.dimensions]
    for f in d.findings:  # each lever
        full = what_if(assessment, config, clear={f.rule})
        assert replayer.lever(f.rule) == (full.verdict, full.score), f.rule
    for q in asked:
        clear = {rules[i % len(rules)] for i in q["clear"]} if rules else set()
        if q["gate"]:
            clear.add("gate")
        raw = {names[i % len(names)]: x for i, x in q["raise"]} if names else {}
        kwargs: dict[str, Any] = {"clear": clear, "raw_scores": raw or None,
                                  "full_coverage": q["full_coverage"]}
        full = what_if(assessment, config, **kwargs)
        assert replayer.outcome(**kwargs) == (full.verdict, full.score), kwargs
