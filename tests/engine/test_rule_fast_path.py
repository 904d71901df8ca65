"""A rule that passes may hand back its evidence alone; what every reader sees is the same.

The kit's fast path (docs/hooks.md): a rule's check returns the evidence ``dict`` for
``passed(evidence)``. The engine builds the outcome itself, in one step; the trace event,
the policy's pack outcomes, pickling and the JSON are what ``passed(evidence)`` gives. A
built-in scorer's metrics are checked by a test instead of per evaluation; a plugin's
kit scorer still gets the full check at the boundary.
"""

from __future__ import annotations

import json
import pickle
from typing import Any, ClassVar

from helpers import EXAMPLES, bare_engine

from threshold_core import Engine, build_config
from threshold_core.hooks import hookimpl
from threshold_core.kit import Pack, passed, rule
from threshold_core.load import decision_json, profile_from_data, strip_timings
from threshold_core.model import EventKind, MetricScore, RuleOutcome, RuleStatus

ZHIPU = EXAMPLES / "companies" / "zhipu.toml"
UNSOURCED = "unsourced: the scorer names no source"
PROFILE = profile_from_data(
    {"id": "acme", "name": "Acme AI", "as_of": "2026-06-30",
     "valuation": {"amount": 5.0e9, "currency": "CNY", "basis": "market_cap",
                   "as_of": "2026-06-01"}})


def _data(decision: Any) -> Any:
    return strip_timings(json.loads(decision_json(decision)))


class _Fast:
    """A third-party pack: one rule on the fast path, one returning ``passed``, one whose
    returned dict it changes after returning it."""

    def __init__(self) -> None:
        self.kept: dict[str, Any] = {}

    @hookimpl
    def threshold_register_rule_packs(self, register: Any) -> None:
        kept = self.kept

        def meta(rid: str) -> Any:
            return rule(rid, title=rid, severity="medium", dimension=None,
                        rationale="a test", source="house policy")

        @meta("fast.a")
        def fast(profile: Any, settings: Any, context: Any) -> Any:
            return {"name": profile.name, "checked": True}

        @meta("fast.b")
        def slow(profile: Any, settings: Any, context: Any) -> Any:
            return passed({"name": profile.name, "checked": True})

        @meta("fast.c")
        def shared(profile: Any, settings: Any, context: Any) -> Any:
            kept.clear()
            kept["id"] = profile.id
            return kept

        register(Pack(name="fast", version="1", rules=[fast, slow, shared]))


def _engine(*plugins: tuple[Any, str]) -> Engine:
    engine = Engine(build_config({}))
    for plugin, name in plugins:
        engine.pm.register_plugin(plugin, name)
    return Engine(engine.config, engine.pm)


def test_a_third_party_rule_may_return_its_evidence_alone() -> None:
    plugin = _Fast()
    engine = _engine((plugin, "fast"))
    decision = engine.evaluate(engine.load_profile(ZHIPU))
    plugin.kept["id"] = "changed afterwards"
    event = next(e for e in decision.trace if e.component == "fast")
    assert event.status == "ok"
    a, b, c = event.rules
    assert a == RuleOutcome(status=RuleStatus.PASSED, rule="fast.a",
                            evidence={"name": "Zhipu AI", "checked": True})
    assert b == attrs_with_rule(a, "fast.b")
    # The engine copied a plugin's dict: changing it afterwards changes nothing recorded.
    assert c.evidence == {"id": "zhipu"}
    assert event.read == ("checked", "id", "name")
    assert event.contributed["counts"]["passed"] == 3
    # Called on its own, a rule on the fast path still gives a RuleOutcome.
    rules = {r.meta.id: r for r in engine.packs["fast"].component.rules}
    out = rules["fast.a"].evaluate(engine.load_profile(ZHIPU), None, None)
    assert out == RuleOutcome(status=RuleStatus.PASSED,
                              evidence={"name": "Zhipu AI", "checked": True})


def attrs_with_rule(outcome: RuleOutcome, rid: str) -> RuleOutcome:
    return RuleOutcome(status=outcome.status, severity=outcome.severity,
                       message=outcome.message, missing=outcome.missing,
                       evidence=dict(outcome.evidence), rule=rid)


class _Watcher:
    """A policy plugin that only looks: what the policy is handed (returns no result)."""

    def __init__(self) -> None:
        self.packs: Any = None

    @hookimpl(tryfirst=True)
    def threshold_decide(self, assessment: Any, config: Any) -> None:
        self.packs = assessment.packs


def test_the_policy_and_the_trace_read_the_same_outcomes() -> None:
    watcher = _Watcher()
    engine = _engine((watcher, "watcher"))
    decision = engine.evaluate(engine.load_profile(ZHIPU))
    events = {e.component: e for e in decision.trace if e.kind is EventKind.RULE_PACK}
    for pack in watcher.packs:
        outcomes = pack.outcomes
        assert outcomes.__class__ is tuple
        assert all(o.__class__ is RuleOutcome for o in outcomes)
        # The same objects wherever they are read.
        assert outcomes is events[pack.pack].rules
        assert outcomes is pack.outcomes


def test_a_decision_reads_the_same_however_its_trace_is_first_read() -> None:
    engine = Engine(build_config({}))
    profile = engine.load_profile(ZHIPU)
    written = _data(engine.evaluate(profile))
    copied = pickle.loads(pickle.dumps(engine.evaluate(profile)))
    read = engine.evaluate(profile)
    assert all(isinstance(o, RuleOutcome) for e in read.trace for o in e.rules)
    assert _data(copied) == written
    assert _data(read) == written
    passed_ids = [o.rule for e in read.trace for o in e.rules if o.status is RuleStatus.PASSED]
    assert len(passed_ids) > 20


# -- a plugin's kit scorer keeps the full check --------------------------------------------


def _kit_scorer(raw: float, source: Any = "annual report 2025") -> Any:
    """A MetricScorer with one metric reading ``raw`` (its settings given by a wrapper)."""
    from threshold_core.kit import Band, Metric, MetricScorer, Reading

    scorer = MetricScorer(
        name="rows", dimension="quality",
        metrics=(Metric("m", lambda p, c, s: Reading(raw, ("valuation",), source),
                        ("valuation",)),
                 Metric("none", lambda p, c, s: None, ("revenue",))))

    class Settings:
        weights: ClassVar[dict[str, float]] = {"m": 1.0, "none": 1.0}
        bands: ClassVar[dict[str, Band]] = {"m": Band([[0, 0], [100, 100]]),
                                            "none": Band([[0, 0], [100, 100]])}

    settings = Settings()

    class Wrapped:
        name, dimension = "rows", "quality"

        def score(self, profile: Any, _settings: Any, context: Any) -> Any:
            return scorer.score(profile, settings, context)

    class Registering:
        @hookimpl
        def threshold_register_scorers(self, register: Any) -> None:
            register(Wrapped())

    return Registering()


def test_a_kit_scorers_metrics_read_as_metric_scores() -> None:
    engine = bare_engine(("rows", _kit_scorer(42.0)))
    decision = engine.evaluate(PROFILE)
    (dim,) = decision.dimensions
    assert dim.evidence.__class__ is tuple
    m, none = dim.evidence
    assert m == MetricScore(metric="m", weight=1.0, raw=42.0, points=42.0,
                            inputs=("valuation",), source="annual report 2025",
                            note="band 0\u21920, 100\u2192100",
                            sources=("annual report 2025",), grade=m.grade,
                            band_source=UNSOURCED)
    assert none == MetricScore(metric="none", weight=1.0, raw=None, points=None,
                               inputs=("revenue",),
                               note="no data: counted at 0 points until researched",
                               band_source=UNSOURCED, assumed_points=0.0)
    # Omission never helps: the metric without data counts at its band's lowest points.
    assert dim.raw_score == 21.0
    event = next(e for e in decision.trace if e.component == "rows")
    assert event.contributed["band_sources"] == {"m": UNSOURCED, "none": UNSOURCED}
    assert dim.sourced_coverage is not None


def test_a_kit_scorers_figure_out_of_range_is_named_at_the_boundary() -> None:
    """Not a built-in scorer: a raw figure beyond 1e300 is the scorer's error."""
    engine = bare_engine(("rows", _kit_scorer(1e301)))
    decision = engine.evaluate(PROFILE)
    assert str(decision.verdict) == "error"
    event = next(e for e in decision.trace if e.component == "rows")
    assert event.status == "error"
    assert "raw value 1e+301 out of range" in (event.message or "")
