"""The engine through the public API: isolation, fail-closed, determinism, contracts."""

from __future__ import annotations

import json
import math
from datetime import date
from typing import Any

import attrs
import pytest
from helpers import bare_config, bare_engine

from threshold_core import (
    Decision,
    DimensionScore,
    Engine,
    InputError,
    Pack,
    PluginError,
    build_config,
    create_plugin_manager,
    decision_to_dict,
    fired,
    hookimpl,
    passed,
    profile_from_data,
    rule,
)
from threshold_core.load import dumps, strip_timings
from threshold_core.model import PolicyResult, Verdict

PROFILE = profile_from_data(
    {
        "id": "acme",
        "name": "Acme AI",
        "as_of": "2026-06-30",
        "valuation": {"amount": 1.0e9, "currency": "USD", "basis": "last_round_post_money",
                      "as_of": "2026-06-01", "source": "company statement"},
    }
)


class FixedScorer:
    def __init__(self, name: str, dimension: str, value: Any, coverage: float = 1.0) -> None:
        self.name, self.dimension, self.value, self.coverage = name, dimension, value, coverage

    def score(self, profile: Any, settings: Any, context: Any) -> Any:
        if isinstance(self.value, Exception):
            raise self.value
        if isinstance(self.value, (int, float)):
            return DimensionScore(self.dimension, float(self.value), self.coverage,
                                  inputs=("valuation",))
        return self.value


class ScorerPlugin:
    """A plugin registering the scorers it is given."""

    def __init__(self, *scorers: Any) -> None:
        self.scorers = scorers

    @hookimpl
    def threshold_register_scorers(self, register: Any) -> None:
        for s in self.scorers:
            register(s)


@rule("T-001", title="Always fires", severity="high", dimension="quality",
      rationale="test", source="test")
def _always(profile: Any, settings: Any, context: Any) -> Any:
    return fired("it fired", evidence={"id": profile.id})


@rule("T-002", title="Never fires", severity="low", dimension="quality",
      rationale="test", source="test")
def _never(profile: Any, settings: Any, context: Any) -> Any:
    return passed()


class PackPlugin:
    @hookimpl
    def threshold_register_rule_packs(self, register: Any) -> None:
        register(Pack(name="testpack", version="1.0", rules=(_always, _never)))


def test_scorer_contributes_to_decision_and_trace() -> None:
    engine = bare_engine(("good", ScorerPlugin(FixedScorer("quality_scorer", "quality", 80))))
    d = engine.evaluate(PROFILE)
    assert d.verdict is Verdict.QUALIFIED
    assert d.score == 80
    (dim,) = d.dimensions
    assert (dim.name, dim.plugin, dim.component, dim.weight) == (
        "quality", "good", "quality_scorer", 1.0)
    event = next(e for e in d.trace if e.component == "quality_scorer")
    assert event.plugin == "good" and event.status == "ok" and event.read == ("valuation",)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (RuntimeError("boom"), "raised RuntimeError: boom"),
        ("eighty", "returned str, not DimensionScore"),
        (math.nan, "non-finite score"),
        (101.0, "outside 0-100"),
        (100.0000001, "outside 0-100 (100.0000001)"),  # never "(100)"
        (-1.0, "outside 0-100"),
        (DimensionScore("quality", 50.0, 1.5), "coverage outside 0-1"),
        (DimensionScore("other", 50.0, 1.0), "dimension 'other'"),
    ],
)
def test_misbehaving_scorer_fails_closed(value: Any, problem: str) -> None:
    engine = bare_engine(
        ("bad", ScorerPlugin(FixedScorer("quality_scorer", "quality", value))),
        ("good", ScorerPlugin(FixedScorer("speed_scorer", "speed", 90))),
        dimensions={"speed": {"weight": 1}},
    )
    d = engine.evaluate(PROFILE)
    assert d.verdict is Verdict.ERROR
    assert d.risk == "unknown"
    bad = next(e for e in d.trace if e.component == "quality_scorer")
    assert bad.status == "error" and bad.plugin == "bad" and problem in (bad.message or "")
    assert any(f.kind == "error" and "quality_scorer" in f.detail for f in d.determining)
    # The healthy plugin's result is still there.
    speed = next(x for x in d.dimensions if x.name == "speed")
    assert speed.score == 90 and speed.plugin == "good"


def test_failing_rule_fails_closed_and_other_rules_still_run() -> None:
    @rule("T-009", title="Crashes", severity="medium", dimension=None, rationale="t", source="t")
    def crash(profile: Any, settings: Any, context: Any) -> Any:
        raise ValueError("bad data")

    class Crashing:
        @hookimpl
        def threshold_register_rule_packs(self, register: Any) -> None:
            register(Pack(name="crashing", version="0.1", rules=(crash, _never)))

    engine = bare_engine(
        ("scorer", ScorerPlugin(FixedScorer("q", "quality", 80))), ("crashy", Crashing())
    )
    d = engine.evaluate(PROFILE)
    assert d.verdict is Verdict.ERROR
    event = next(e for e in d.trace if e.component == "crashing")
    statuses = {o.rule: o.status for o in event.rules}
    assert statuses == {"T-009": "error", "T-002": "passed"}
    assert "T-009: raised ValueError: bad data" in (event.message or "")


def test_rule_firing_above_its_declared_severity_is_an_error() -> None:
    @rule("T-010", title="Lies", severity="low", dimension=None, rationale="t", source="t")
    def liar(profile: Any, settings: Any, context: Any) -> Any:
        return fired("oops", severity="critical")

    class Liar:
        @hookimpl
        def threshold_register_rule_packs(self, register: Any) -> None:
            register(Pack(name="liar", version="0.1", rules=(liar,)))

    engine = bare_engine(("s", ScorerPlugin(FixedScorer("q", "quality", 80))), ("liar", Liar()))
    d = engine.evaluate(PROFILE)
    assert d.verdict is Verdict.ERROR
    assert d.findings == ()


def test_high_finding_caps_dimension_and_forces_watch() -> None:
    engine = bare_engine(("s", ScorerPlugin(FixedScorer("q", "quality", 90))), ("p", PackPlugin()))
    d = engine.evaluate(PROFILE)
    (dim,) = d.dimensions
    assert dim.raw_score == 90 and dim.score == 50
    assert d.verdict is Verdict.NOT_QUALIFIED  # 50 falls in the NQ band
    (finding,) = d.findings
    assert (finding.rule, finding.pack, finding.effect, finding.plugin) == (
        "T-001", "testpack", "cap", "p")
    assert finding.evidence == {"id": "acme"}


def _decision_json(order: list[tuple[str, object]]) -> str:
    config = bare_config(dimensions={"speed": {"weight": 2}})
    engine = Engine(config, create_plugin_manager(config, extra=order))
    return dumps(strip_timings(decision_to_dict(engine.evaluate(PROFILE))))


def test_registration_order_does_not_change_the_json() -> None:
    a = ("alpha", ScorerPlugin(FixedScorer("q", "quality", 70)))
    b = ("beta", ScorerPlugin(FixedScorer("s", "speed", 95)))
    c = ("gamma", PackPlugin())
    first = _decision_json([a, b, c])
    assert first == _decision_json([c, b, a]) == _decision_json([b, c, a])
    data = json.loads(first)
    assert [d["name"] for d in data["dimensions"]] == ["quality", "speed"]
    # T-001 (high) caps quality at 50: (50 x 1 + 95 x 2) / 3
    assert data["score"] == pytest.approx(80.0)


def test_duplicate_component_names_name_both_plugins() -> None:
    with pytest.raises(PluginError) as err:
        bare_engine(
            ("one", ScorerPlugin(FixedScorer("q", "quality", 1))),
            ("two", ScorerPlugin(FixedScorer("q", "quality", 2))),
        )
    assert "'two'" in str(err.value) and "'one'" in str(err.value)


def test_two_scorers_for_one_dimension_need_a_choice() -> None:
    plugins = (
        ("one", ScorerPlugin(FixedScorer("q1", "quality", 10))),
        ("two", ScorerPlugin(FixedScorer("q2", "quality", 90))),
    )
    with pytest.raises(InputError) as err:
        bare_engine(*plugins)
    assert "'q1' (one) and 'q2' (two)" in str(err.value)
    d = bare_engine(*plugins, dimensions={"quality": {"weight": 1, "scorer": "q2"}}).evaluate(
        PROFILE)
    assert d.score == 90
    skipped = next(e for e in d.trace if e.component == "q1")
    assert skipped.status == "skipped"


def test_misspelled_hook_fails_at_start() -> None:
    class Typo:
        @hookimpl
        def threshold_register_scorer(self, register: Any) -> None: ...

    with pytest.raises(PluginError) as err:
        bare_engine(("typo", Typo()))
    assert "typo" in str(err.value) and "threshold_register_scorer" in str(err.value)


def test_decide_hook_replaces_the_default_policy() -> None:
    class Strict:
        @hookimpl
        def threshold_decide(self, assessment: Any, config: Any) -> PolicyResult:
            return PolicyResult(verdict=Verdict.NOT_QUALIFIED, grade="X", score=0.0,
                                dimensions=(), findings=(), determining=())

    d = bare_engine(("s", ScorerPlugin(FixedScorer("q", "quality", 99))), ("strict", Strict())
                    ).evaluate(PROFILE)
    assert (d.verdict, d.grade) == (Verdict.NOT_QUALIFIED, "X")
    assert next(e for e in d.trace if e.kind == "policy").plugin == "strict"


def test_a_policy_that_defers_leaves_the_decision_to_the_core() -> None:
    class Deferring:
        @hookimpl
        def threshold_decide(self, assessment: Any) -> None:
            return None

    d = bare_engine(("s", ScorerPlugin(FixedScorer("q", "quality", 99))), ("lazy", Deferring())
                    ).evaluate(PROFILE)
    assert d.verdict is Verdict.QUALIFIED
    assert next(e for e in d.trace if e.kind == "policy").plugin == "threshold_core.policy"


def test_observer_may_take_only_the_arguments_it_needs() -> None:
    seen: list[str] = []

    class Minimal:
        @hookimpl
        def threshold_evaluation_finished(self, decision: Decision) -> None:
            seen.append(decision.company.id)

    d = bare_engine(("s", ScorerPlugin(FixedScorer("q", "quality", 99))), ("min", Minimal())
                    ).evaluate(PROFILE)
    assert seen == ["acme"] and d.verdict is Verdict.QUALIFIED


def test_observer_sees_every_decision_and_a_failing_one_fails_closed() -> None:
    seen: list[Decision] = []

    class Audit:
        @hookimpl
        def threshold_evaluation_finished(self, decision: Decision, config: Any) -> None:
            seen.append(decision)

    class Broken:
        @hookimpl
        def threshold_evaluation_finished(self, decision: Decision, config: Any) -> None:
            raise OSError("disk full")

    scorer = ("s", ScorerPlugin(FixedScorer("q", "quality", 99)))
    d = bare_engine(scorer, ("audit", Audit())).evaluate(PROFILE)
    assert d.verdict is Verdict.QUALIFIED and len(seen) == 1
    d = bare_engine(scorer, ("broken", Broken())).evaluate(PROFILE)
    assert d.verdict is Verdict.ERROR
    assert "disk full" in d.determining[0].detail


def test_settings_are_validated_per_plugin() -> None:
    import attrs

    @attrs.frozen
    class QualitySettings:
        floor: float = 10.0

    class WithSettings(ScorerPlugin):
        @hookimpl
        def threshold_settings_types(self) -> dict[str, type]:
            return {"q": QualitySettings}

    plugin = ("ws", WithSettings(FixedScorer("q", "quality", 50)))
    engine = bare_engine(plugin, settings={"q": {"floor": 20}})
    assert engine.settings["q"] == QualitySettings(floor=20.0)
    with pytest.raises(InputError) as err:
        bare_engine(plugin, settings={"q": {"floor": "high", "flor": 1}, "nobody": {}})
    lines = err.value.lines()
    assert ("(configuration given in Python): $.settings.q.floor: expected a number, "
            'got "high"') in lines
    assert "(configuration given in Python): $.settings.q.flor: unknown key (known: floor)" in lines
    assert any("$.settings.nobody: no plugin declares settings 'nobody'" in x for x in lines)


def test_unknown_rule_id_in_disable_names_the_key() -> None:
    with pytest.raises(InputError) as err:
        bare_engine(("p", PackPlugin()), ("s", ScorerPlugin(FixedScorer("q", "quality", 1))),
                    rules={"disable": ["T-001", "NOPE-1"]})
    assert err.value.lines() == [
        "(configuration given in Python): $.rules.disable[1]: no rule with id 'NOPE-1'"]


def test_disabled_rule_does_not_run_and_shows_in_trace() -> None:
    d = bare_engine(("p", PackPlugin()), ("s", ScorerPlugin(FixedScorer("q", "quality", 90))),
                    rules={"disable": ["T-001"]}).evaluate(PROFILE)
    assert d.findings == () and d.verdict is Verdict.QUALIFIED
    event = next(e for e in d.trace if e.component == "testpack")
    assert {o.rule: str(o.status) for o in event.rules} == {"T-001": "disabled", "T-002": "passed"}


def test_gate_uses_fx_table_and_reports_it() -> None:
    engine = bare_engine(("s", ScorerPlugin(FixedScorer("q", "quality", 90))),
                         fx={"rates": {"USD": 3.0}, "as_of": "2026-01-02", "source": "test"})
    # Evaluated at the profile's date (without it, at the FX table's, before the valuation's).
    d = engine.evaluate(attrs.evolve(PROFILE, as_of=date(2026, 6, 30)))
    # 3.0bn CNY less the 32% last-round haircut is tested against the line.
    assert d.gate.passed is False and d.gate.valuation_cny == 3.0e9
    assert d.gate.tested_cny == pytest.approx(3.0e9 * (1 - 0.32))
    assert d.gate.fx_rate == 3.0 and d.gate.fx_as_of == "2026-01-02"
    assert d.verdict is Verdict.NOT_QUALIFIED
    assert d.determining[0].kind == "gate"


def test_unknown_currency_is_an_input_error() -> None:
    profile = profile_from_data({"id": "x", "name": "X", "valuation": {
        "amount": 5, "currency": "XAU", "basis": "estimate"}})
    with pytest.raises(InputError) as err:
        bare_engine(("s", ScorerPlugin(FixedScorer("q", "quality", 90)))).evaluate(profile)
    assert "$.valuation.currency: no FX rate for \"XAU\"" in str(err.value)


def test_receipt_hashes_input_and_config_and_lists_plugins() -> None:
    d = bare_engine(("s", ScorerPlugin(FixedScorer("q", "quality", 90)))).evaluate(PROFILE)
    r = d.receipt
    assert len(r.input_sha256) == 64 and len(r.config_sha256) == 64
    assert [p.name for p in r.plugins] == sorted(p.name for p in r.plugins)
    assert "s" in [p.name for p in r.plugins]
    other = profile_from_data({"id": "acme", "name": "Acme AI!", "valuation": {
        "amount": 1.0e9, "currency": "USD", "basis": "last_round_post_money"}})
    d2 = bare_engine(("s", ScorerPlugin(FixedScorer("q", "quality", 90)))).evaluate(other)
    assert d2.receipt.input_sha256 != r.input_sha256
    assert d2.receipt.config_sha256 == r.config_sha256


def test_decision_json_has_the_documented_keys() -> None:
    d = bare_engine(("s", ScorerPlugin(FixedScorer("q", "quality", 90))), ("p", PackPlugin())
                    ).evaluate(PROFILE)
    data = decision_to_dict(d)
    assert list(data)[:10] == ["schema_version", "company", "verdict", "risk", "grade", "score",
                               "gate", "dimensions", "findings", "determining"]
    assert {"trace", "receipt"} <= set(data)
    assert set(data["dimensions"][0]) >= {"name", "score", "weight", "contribution", "coverage",
                                          "plugin", "evidence"}
    assert set(data["findings"][0]) >= {"rule", "pack", "severity", "effect", "message", "plugin"}
    assert set(data["trace"][0]) >= {"plugin", "version", "component", "kind"}
    assert set(data["receipt"]) == {"engine_version", "input_sha256", "config_sha256", "plugins",
                                    "config_source", "as_of", "packs"}


def test_essential_plugins_cannot_be_disabled() -> None:
    with pytest.raises(InputError) as err:
        create_plugin_manager(build_config({"plugins": {"disable": ["threshold_core.policy"]}}))
    assert "$.plugins.disable[0]" in str(err.value) and "essential" in str(err.value)


def test_disabling_an_unknown_plugin_names_the_key() -> None:
    with pytest.raises(InputError) as err:
        create_plugin_manager(build_config({"plugins": {"disable": ["no-such-plugin"]}}))
    assert "$.plugins.disable[0]: plugin 'no-such-plugin' matches no plugin" in str(err.value)


def test_a_valuation_dated_after_the_evaluation_date_is_not_tested() -> None:
    """A valuation dated after the profile's ``as_of`` is no market value at it, and the gate
    says so; a profile without ``as_of`` is not tested at all (its evidence cannot be aged:
    evaluating it at another date would let a removed ``as_of`` make stale evidence fresh)."""
    engine = bare_engine(("s", ScorerPlugin(FixedScorer("q", "quality", 90))),
                         fx={"rates": {"USD": 3.0}, "as_of": "2026-01-02", "source": "test"})
    d = engine.evaluate(attrs.evolve(PROFILE, as_of=date(2026, 1, 2)))
    assert d.gate.passed is None and d.verdict is Verdict.INSUFFICIENT_DATA
    assert "dated 2026-06-01, after the evaluation date 2026-01-02" in d.gate.reason
    undated = engine.evaluate(attrs.evolve(PROFILE, as_of=None))
    assert undated.gate.passed is None and undated.verdict is Verdict.INSUFFICIENT_DATA
    assert "an undated profile cannot pass the gate" in undated.gate.reason
