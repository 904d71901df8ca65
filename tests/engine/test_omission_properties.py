"""Omission never helps, as properties over generated profiles.

Two kinds of omission, each checked for any generated synthetic profile:

* **A scorer metric without data** counts at its least favourable points (its band's
  lowest) with its full weight until researched, and still lowers coverage as missing.
  Withholding the figures of any set of metrics, from the profile file or by a scorer
  plugin whose readers find nothing, never raises a dimension's score, the composite or
  the verdict; the evidence says what the metric counted at.
* **A rule that could not be evaluated** reaches the policy as an *assumed* finding that
  is never milder on its dimension than the real finding of any severity the rule can
  produce: an assumed high one caps its dimension and deducts as a medium one would.

And the explanations replay the policy's arithmetic exactly: deductions first, caps
last, whatever order the findings arrive in.
"""

from __future__ import annotations

import copy
import functools
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from threshold_core import Engine, InputError, build_config, create_plugin_manager, hookimpl
from threshold_core.engine import combine
from threshold_core.explain import Replayer, assessment_from_decision, what_if
from threshold_core.kit import MetricScorer
from threshold_core.load import decision_to_dict, profile_from_data
from threshold_core.model import (
    Assessment,
    Decision,
    Effect,
    Finding,
    PolicyResult,
    Severity,
)
from threshold_core.portfolio import synthetic_portfolio
from threshold_core.reports import waterfall_steps

ORDER = {"qualified": 3, "watch": 2, "not_qualified": 1, "insufficient_data": 0, "error": -1}
#: Looser bands than the defaults, so that synthetic profiles reach watch and qualified.
LOOSE = [{"name": "Q", "min_score": 45, "verdict": "qualified"},
         {"name": "W", "min_score": 30, "verdict": "watch"},
         {"name": "NQ", "min_score": 0, "verdict": "not_qualified"}]


def no_better(reduced: Decision | PolicyResult, full: Decision | PolicyResult) -> bool:
    """``reduced``'s verdict is no better than ``full``'s (insufficient_data is never better,
    and a graded not_qualified is never better than insufficient_data)."""
    r, f = str(reduced.verdict), str(full.verdict)
    return r not in ("qualified", "watch") or (f in ("qualified", "watch")
                                                and ORDER[r] <= ORDER[f])


@functools.cache
def engine(loose: bool) -> Engine:
    data: dict[str, Any] = {"plugins": {"autoload": False}}
    if loose:
        data["policy"] = {"grades": LOOSE}
    return Engine(build_config(data))


def profile(seed: int) -> dict[str, Any]:
    (doc,) = synthetic_portfolio(1, seed=seed)
    return doc


def decide(doc: dict[str, Any], loose: bool = False) -> Decision:
    return engine(loose).evaluate(profile_from_data(doc, doc["id"]))


def scores(decision: Decision | PolicyResult) -> dict[str, float | None]:
    return {d.name: d.score for d in decision.dimensions}


def assert_no_better(reduced: Decision, full: Decision) -> None:
    assert no_better(reduced, full), (reduced.verdict, full.verdict)
    before = scores(full)
    for name, score in scores(reduced).items():
        if score is not None and before[name] is not None:
            assert score <= before[name] + 1e-9, (name, before[name], score)
    if reduced.score is not None and full.score is not None:
        assert reduced.score <= full.score + 1e-9


# -- the case a new user found ------------------------------------------------------------


def test_withholding_two_figures_never_raises_the_verdict() -> None:
    """``synth-000310`` (seed 3 of 400): leaving out its data assets and one safety run's
    over-refusal rate lifted it from not_qualified to watch, when the missing metric
    dropped out of the weighted mean and the assumed high finding's cap bound nothing."""
    full = next(d for d in synthetic_portfolio(400, seed=3) if d["id"] == "synth-000310")
    withheld = copy.deepcopy(full)
    del withheld["technology"]["data_assets"]
    del withheld["evaluations"]["safety"][0]["over_refusal_pct"]
    a, b = decide(full), decide(withheld)
    assert str(a.verdict) == "not_qualified"
    assert ORDER[str(b.verdict)] <= ORDER[str(a.verdict)]
    assert b.score is not None and a.score is not None and b.score <= a.score
    tech = next(d for d in b.dimensions if d.name == "technical_defensibility")
    moat = next(m for m in tech.evidence if m.metric == "data_moat")
    assert moat.points is None and moat.assumed_points == 0.0
    assert moat.note == "no data: counted at 0 points until researched"


def test_the_withheld_figure_is_counted_and_said_so_on_the_command_line(
        tmp_path: Path) -> None:
    full = next(d for d in synthetic_portfolio(400, seed=3) if d["id"] == "synth-000310")
    withheld = copy.deepcopy(full)
    del withheld["technology"]["data_assets"]
    path = tmp_path / "withheld.json"
    path.write_text(json.dumps(withheld), encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "threshold_core", "evaluate", str(path),
                          "--no-plugin-autoload"], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode in (0, 1), run.stderr
    assert "no data: counted at 0 points until researched" in run.stdout
    # The robustness says what researching it could add (the most valuable first).
    assert "researching technical_defensibility.data_moat" in run.stdout
    assert "could add up to" in run.stdout


# -- a metric without data, from the profile file -----------------------------------------


def _metric_paths() -> list[str]:
    """Every profile path a built-in scorer metric reads, except a field inside the records
    of a list (an investor's ``amount``): leaving one out there is the record's own
    default, not a metric without data."""
    e = engine(False)
    paths = {p for a in e.assignments.values()
             for m in getattr(a.component, "metrics", ()) for p in m.paths}
    lists = {"investors", "verticals", "filings", "services", "sector_approvals",
             "valuation_history"}
    return sorted(p for p in paths if p != "as_of" and (
        p in lists or p.partition(".")[0] not in lists))


PATHS = _metric_paths()


def _remove(doc: dict[str, Any], path: str) -> bool:
    *parents, last = path.split(".")
    node: Any = doc
    for key in parents:
        node = node.get(key) if isinstance(node, dict) else None
    if isinstance(node, dict) and last in node:
        del node[last]
        return True
    return False


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6), removed=st.sets(st.sampled_from(PATHS), min_size=1,
                                                    max_size=4), loose=st.booleans())
def test_withholding_metric_figures_never_raises_a_score_or_the_verdict(
        seed: int, removed: set[str], loose: bool) -> None:
    full = profile(seed)
    reduced = copy.deepcopy(full)
    if not [p for p in sorted(removed) if _remove(reduced, p)]:
        return
    try:
        withheld = decide(reduced, loose)
    except InputError:
        return  # a required field (listing.status): refused, never accepted
    assert_no_better(withheld, decide(full, loose))


# -- a metric without data, whatever the reader (every kit scorer) --------------------------


def _none(*_args: Any) -> None:
    return None


class Withheld:
    """The scorer ``scorer`` (with its settings) with the readers of ``metrics`` finding
    nothing, registered as ``withheld``."""

    def __init__(self, scorer: MetricScorer, settings_: Any, metrics: frozenset[str]) -> None:
        self.name, self.dimension, self.settings = "withheld", scorer.dimension, settings_
        self.inner = attrs.evolve(scorer, metrics=tuple(
            attrs.evolve(m, reader=_none) if m.name in metrics else m
            for m in scorer.metrics))

    def score(self, profile_: Any, _settings: Any, context: Any) -> Any:
        return self.inner.score(profile_, self.settings, context)

    @hookimpl
    def threshold_register_scorers(self, register: Any) -> None:
        register(self)


@functools.cache
def withheld_engine(dimension: str, metrics: frozenset[str], loose: bool) -> Engine:
    base = engine(loose)
    inner = base.assignments[dimension].component
    assert isinstance(inner, MetricScorer)
    data: dict[str, Any] = {"plugins": {"autoload": False},
                            "dimensions": {dimension: {"scorer": "withheld"}}}
    if loose:
        data["policy"] = {"grades": LOOSE}
    config = build_config(data)
    plugin = Withheld(inner, base.settings[inner.name], metrics)
    return Engine(config, create_plugin_manager(config, extra=[("withheld", plugin)]))


def _metric_names() -> list[tuple[str, str]]:
    return sorted((d, m.name) for d, a in engine(False).assignments.items()
                  for m in getattr(a.component, "metrics", ()))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6), chosen=st.sets(st.sampled_from(_metric_names()),
                                                   min_size=1, max_size=3),
       loose=st.booleans())
def test_a_metric_whose_reader_finds_nothing_never_raises_anything(
        seed: int, chosen: set[tuple[str, str]], loose: bool) -> None:
    dimension = sorted(chosen)[0][0]
    metrics = frozenset(m for d, m in chosen if d == dimension)
    doc = profile(seed)
    full = decide(doc, loose)
    e = withheld_engine(dimension, metrics, loose)
    reduced = e.evaluate(profile_from_data(doc, doc["id"]))
    assert_no_better(reduced, full)
    (dim,) = [d for d in reduced.dimensions if d.name == dimension]
    for m in dim.evidence:
        if m.metric in metrics:
            assert m.points is None and m.assumed_points is not None
            assert f"counted at {m.assumed_points:g} points until researched" in (m.note or "")


def test_the_example_plugins_scorer_counts_a_missing_metric_at_its_lowest_points() -> None:
    pytest.importorskip("threshold_ai_safety")
    from threshold_ai_safety.scoring import SCORER, AiSafetyMaturitySettings

    from threshold_core.model import Context

    e = engine(False)
    settings_ = AiSafetyMaturitySettings()
    doc = profile(5)
    company = profile_from_data(doc, doc["id"])
    result = SCORER.score(company, settings_, Context(e.fx, company.as_of, e.config.sources))
    missing = [m for m in result.metrics if m.points is None]
    assert missing  # a synthetic profile has no [extensions.ai_safety_maturity]
    for m in missing:
        assert m.assumed_points == settings_.bands[m.metric].lowest() == 0.0
    counted = [(m.weight, m.points if m.points is not None else m.assumed_points)
               for m in result.metrics]
    assert result.score == pytest.approx(sum(w * (p or 0.0) for w, p in counted)
                                         / sum(w for w, _ in counted))
    assert result.coverage < 1.0


# -- an assumed finding is at least as bad as the real one ---------------------------------


SEVERITIES = {Severity.CRITICAL: 3, Severity.HIGH: 2, Severity.MEDIUM: 1, Severity.LOW: 0}


def _finding(rule: str, pack: str, severity: Severity, dimension: str | None,
             assumed: bool) -> Finding:
    return Finding(rule, pack, severity, Effect.REPORTED, dimension, "t", "m", "p",
                   {"assumed": True} if assumed else {})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6), loose=st.booleans(),
       assumed=st.sampled_from([Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM]),
       real=st.sampled_from([None, *SEVERITIES]), where=st.integers(0, 5),
       pack=st.sampled_from(["ethics", "filings", "other"]), at=st.integers(0, 30),
       high_cap=st.sampled_from([0.0, 30.0, 50.0, 70.0, 100.0]),
       medium=st.sampled_from([0.0, 5.0, 12.5]), per_pack=st.sampled_from([0.0, 5.0, 15.0]))
def test_an_assumed_finding_is_never_milder_than_the_real_one(
        seed: int, loose: bool, assumed: Severity, real: Severity | None, where: int,
        pack: str, at: int, high_cap: float, medium: float, per_pack: float) -> None:
    if real is not None and SEVERITIES[real] > SEVERITIES[assumed]:
        return  # a rule is assumed at its most severe: it cannot find worse
    e = engine(loose)
    config = attrs.evolve(e.config, policy=attrs.evolve(
        e.config.policy, high_cap=high_cap, medium_deduction=medium,
        medium_max_per_pack=per_pack))
    base: Assessment = assessment_from_decision(decide(profile(seed), loose))
    # One of the four dimensions, a dimension not configured, or none: a rule with no
    # dimension (or one the configuration lacks) moves no score whatever it finds.
    dimension = [*sorted(d.name for d in base.dimensions), "unconfigured", None][where]
    findings = list(base.findings)
    at = min(at, len(findings))

    def with_finding(f: Finding | None) -> PolicyResult:
        changed = findings[:at] + ([f] if f is not None else []) + findings[at:]
        assessment = attrs.evolve(base, findings=tuple(changed))
        result = combine(assessment, config)
        # The explanations' replay applies the same effects.
        assert Replayer(assessment, config).outcome() == (result.verdict, result.score)
        return result

    worst = with_finding(_finding("X-001", pack, assumed, dimension, True))
    found = with_finding(None if real is None
                         else _finding("X-001", pack, real, dimension, False))
    assert no_better(worst, found), (worst.verdict, found.verdict)
    if assumed is Severity.CRITICAL:
        # It does not veto on an assumption: the decision waits for the research; on its
        # dimension it caps and deducts, as the high or medium it might have been would.
        assert str(worst.verdict) in ("insufficient_data", "not_qualified", "error")
    a, b = scores(worst), scores(found)
    for name in a:  # its own dimension, and no other moves
        if a[name] is not None and b[name] is not None:
            assert a[name] <= b[name] + 1e-9, (name, a[name], b[name])
    if worst.score is not None and found.score is not None:
        assert worst.score <= found.score + 1e-9


def test_an_assumed_high_finding_deducts_under_the_cap() -> None:
    """The regression: a dimension at 40 with an unchecked high rule scores 35, not 40 (the
    medium finding the rule might have been deducts 5; the cap at 50 binds nothing)."""
    e = engine(False)
    base = assessment_from_decision(decide(profile(3)))
    dim = next(d for d in base.dimensions if d.result is not None)
    raised = attrs.evolve(dim, result=attrs.evolve(dim.result, score=40.0))
    assessment = attrs.evolve(
        base, dimensions=tuple(raised if d is dim else d for d in base.dimensions),
        findings=(_finding("X-001", "x", Severity.HIGH, dim.name, True),))
    result = combine(assessment, e.config)
    (got,) = [d for d in result.dimensions if d.name == dim.name]
    assert got.score == 35.0
    assert [(a.rule, str(a.effect), a.amount) for a in got.adjustments] == [
        ("X-001", "cap", 50.0), ("X-001", "deduction", -5.0)]


# -- the explanations replay the same arithmetic --------------------------------------------


def _closed_form(raw: float, adjustments: Any) -> float:
    """The policy's arithmetic on one dimension, as the explanations and reports restate it:
    every deduction first, the tightest cap last, held to 0-100."""
    deducted = raw + sum(a.amount for a in adjustments if str(a.effect) == "deduction")
    caps = [a.amount for a in adjustments if str(a.effect) == "cap"]
    return max(0.0, min(100.0, min([deducted, *caps])))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6), loose=st.booleans(), shuffle=st.randoms())
def test_the_replay_gives_the_engines_dimension_points(seed: int, loose: bool,
                                                        shuffle: Any) -> None:
    """Whatever order the findings arrive in, the replay (what_if on the rebuilt assessment,
    the incremental replayer, the reports' waterfall and the closed form
    ``min(raw + deductions, caps)``) gives each dimension exactly the engine's points."""
    e = engine(loose)
    decision = decide(profile(seed), loose)
    assessment = assessment_from_decision(decision)
    findings = list(assessment.findings)
    shuffle.shuffle(findings)
    shuffled = attrs.evolve(assessment, findings=tuple(findings))
    replayed = what_if(shuffled, e.config)
    assert str(replayed.verdict) == str(decision.verdict)
    assert replayed.score == decision.score
    assert scores(replayed) == scores(decision)
    assert Replayer(shuffled, e.config).outcome() == (decision.verdict, decision.score)
    for d in decision.dimensions:
        if d.raw_score is None or d.score is None:
            continue
        adjustments = list(d.adjustments)
        shuffle.shuffle(adjustments)
        assert _closed_form(d.raw_score, adjustments) == pytest.approx(d.score, abs=1e-9)
    # The waterfall draws no "policy" residual: its steps are the policy's own.
    steps = waterfall_steps(decision_to_dict(decision))
    assert not [s for s in steps if s.kind == "policy"]
