"""The explanation's copies and rebuilt objects, made by generated positional builders
instead of ``attrs.evolve`` and keyword constructors, are the same objects: a decision
with its explanation attached, and the assessment rebuilt from a decision, compared with
what ``attrs.evolve`` and the classes' own ``__init__`` give, on generated profiles under
two configurations and the examples.
"""

from __future__ import annotations

import functools
from pathlib import Path

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from threshold_core import Engine, create_plugin_manager
from threshold_core.explain import assessment_from_decision, explain, with_explanation
from threshold_core.load import resolve_config
from threshold_core.model import (
    Assessment,
    ComponentError,
    Decision,
    DimensionScore,
    Effect,
    EventKind,
    EventStatus,
    PackOutcomes,
    ScoredDimension,
)
from threshold_core.portfolio import synthetic_portfolio

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@functools.cache
def engine(which: str) -> Engine:
    config = resolve_config(EXAMPLES / f"{which}.toml")
    return Engine(config, create_plugin_manager(config))


def expected_assessment(decision: Decision) -> Assessment:
    """The assessment as ``attrs.evolve`` and keyword constructors build it."""
    exact = {e.contributed["dimension"]: float(e.contributed["score"]) for e in decision.trace
             if e.kind is EventKind.SCORER and e.status is EventStatus.OK
             and isinstance(e.contributed.get("dimension"), str)
             and isinstance(e.contributed.get("score"), (int, float))}
    precise = attrs.evolve(decision, dimensions=tuple(
        attrs.evolve(d, raw_score=exact[d.name])
        if d.raw_score is not None and d.name in exact
        and abs(exact[d.name] - d.raw_score) < 1e-3 else d for d in decision.dimensions))
    dims = tuple(
        ScoredDimension(
            name=d.name, weight=d.configured_weight, component=d.component, plugin=d.plugin,
            result=None if d.raw_score is None and d.coverage == 0 and not d.evidence
            else DimensionScore(dimension=d.name, score=d.raw_score, coverage=d.coverage,
                                inputs=d.inputs, metrics=d.evidence))
        for d in precise.dimensions)
    findings = tuple(attrs.evolve(f, effect=Effect.REPORTED)
                     for f in sorted(precise.findings, key=lambda f: (f.pack, f.rule)))
    packs = tuple(PackOutcomes(e.component, e.plugin, e.rules)
                  for e in precise.trace if e.kind is EventKind.RULE_PACK)
    errors = tuple(ComponentError(e.plugin, e.component, e.message or "failed")
                   for e in precise.trace if e.status is EventStatus.ERROR
                   and e.kind in (EventKind.SCORER, EventKind.RULE_PACK))
    return Assessment(profile=None, gate=precise.gate, dimensions=dims, findings=findings,
                      packs=packs, errors=errors)


def check(d: Decision, e: Engine) -> None:
    x = explain(d, e, made_here=True)
    attached = with_explanation(d, x)
    assert attached == attrs.evolve(d, explain=x)
    assert all(getattr(attached, a.name) is getattr(d, a.name)
               for a in attrs.fields(Decision) if a.name != "explain")
    assert attached.explain is x
    assert assessment_from_decision(d) == expected_assessment(d)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(which=st.sampled_from(["threshold", "strict"]), seed=st.integers(0, 2000))
def test_copies_are_the_objects_attrs_makes(which: str, seed: int) -> None:
    e = engine(which)
    (doc,) = synthetic_portfolio(1, seed=seed)
    check(e.evaluate(e.profile_from_data(doc, f"seed {seed}")), e)


def test_copies_of_the_examples_and_of_a_subclass() -> None:
    e = engine("threshold")
    for path in sorted((EXAMPLES / "companies").glob("*.toml")):
        check(e.evaluate_path(path), e)

    @attrs.frozen
    class Kept(Decision):
        pass

    d = e.evaluate_path(EXAMPLES / "companies" / "zhipu.toml")
    kept = Kept(**{a.name: getattr(d, a.name) for a in attrs.fields(Decision)})
    attached = with_explanation(kept, None)
    assert type(attached) is Kept and attached == kept
