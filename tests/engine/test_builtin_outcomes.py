"""The built-in rule packs and scorers keep the contract that the engine stops re-checking.

The engine skips the deep check of an outcome's evidence (every value plain JSON,
finite, bounded) for the packs of built-in plugins, whose evidence is built from
validated profile values. This is what holds that: the full boundary check
(``check_outcome``) over every outcome of every built-in rule, on every example company
and on synthetic profiles of two seeds. Every other pack keeps the full check
(``test_misbehaving_plugins.py`` has a registered pack return NaN evidence).
"""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from helpers import EXAMPLES

from threshold_core import Engine, build_config
from threshold_core.engine import check_outcome, check_score
from threshold_core.hooks import hookimpl
from threshold_core.kit import Pack, passed, rule
from threshold_core.load import profile_from_data
from threshold_core.model import Context, EventKind, RuleStatus
from threshold_core.portfolio import synthetic_portfolio

ENGINE = Engine(build_config({}))


def _profiles() -> list[Any]:
    examples = [ENGINE.load_profile(p) for p in sorted((EXAMPLES / "companies").glob("*.toml"))]
    synthetic = [profile_from_data(d) for seed in (3, 42) for d in synthetic_portfolio(150, seed)]
    return [*examples, *synthetic]


def test_every_builtin_score_passes_the_full_boundary_check() -> None:
    """The built-in scorers' metrics are not checked per evaluation (``ScorerPlan.trusted``):
    every score they give here passes the check a plugin's score gets, on the objects."""
    trusted = [plan for plan in ENGINE.scorer_plan if plan.trusted]
    assert len(trusted) == 4
    checked = 0
    for profile in _profiles():
        ctx = Context(fx=ENGINE.fx, as_of=profile.as_of or ENGINE.fx.as_of,
                      sources=ENGINE.config.sources)
        for plan in trusted:
            value = plan.scorer.score(profile, ENGINE.settings.get(plan.name), ctx)
            assert check_score(value, plan.dimension) is None, (profile.id, plan.name)
            as_objects = attrs.evolve(value, metrics=tuple(value.metrics))
            assert check_score(as_objects, plan.dimension) is None, (profile.id, plan.name)
            checked += len(value.metrics)
    assert checked > 9_000


def test_every_builtin_outcome_passes_the_full_boundary_check() -> None:
    trusted = [plan for plan in ENGINE.pack_plan if plan.trusted]
    # Every built-in pack, the declarative one included.
    assert {plan.name for plan in trusted} >= {
        "chip_supply", "disclosure", "ethics", "filings", "investment_restrictions", "valuation"}
    statuses: set[RuleStatus] = set()
    checked = 0
    for profile in _profiles():
        ctx = Context(fx=ENGINE.fx, as_of=profile.as_of or ENGINE.fx.as_of,
                      sources=ENGINE.config.sources)
        for plan in trusted:
            settings = ENGINE.settings.get(plan.name)
            for rid, _meta, check, declared in plan.rules:
                outcome = check(profile, settings, ctx)
                if outcome.__class__ is dict:  # passed, on the kit's fast path
                    outcome = passed(outcome)
                problem = check_outcome(outcome, declared)
                assert problem is None, (profile.id, rid, problem)
                statuses.add(outcome.status)
                checked += 1
    assert checked > 10_000
    assert statuses == {RuleStatus.FIRED, RuleStatus.PASSED, RuleStatus.NOT_EVALUATED}


class _Loose:
    """A plugin (registered by code, not built in) whose rule returns evidence that is
    not JSON: its pack is not trusted, so the decision fails closed."""

    def __init__(self, fast: bool = False) -> None:
        self.fast = fast

    @hookimpl
    def threshold_register_rule_packs(self, register: Any) -> None:
        fast = self.fast

        @rule("loose.set", title="evidence holds a set", severity="low", dimension=None,
              rationale="a test", source="house policy")
        def check(profile: Any, settings: Any, context: Any) -> Any:
            evidence = {"seen": {"a", "b"}}
            return evidence if fast else passed(evidence)

        register(Pack(name="loose", version="1", rules=[check]))


@pytest.mark.parametrize("fast", [False, True], ids=["passed", "evidence alone"])
def test_a_pack_not_built_in_keeps_the_full_check(fast: bool) -> None:
    engine = Engine(build_config({}))
    engine.pm.register_plugin(_Loose(fast), "loose")
    engine = Engine(engine.config, engine.pm)
    assert not next(p for p in engine.pack_plan if p.name == "loose").trusted
    decision = engine.evaluate(ENGINE.load_profile(EXAMPLES / "companies" / "zhipu.toml"))
    event = next(e for e in decision.trace
                 if e.kind is EventKind.RULE_PACK and e.component == "loose")
    assert event.status == "error"
    assert "not a JSON value" in (event.message or "")
    assert str(decision.verdict) == "error"
