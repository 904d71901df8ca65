"""Replaying the default policy on a finished decision, and the shape of its verdicts.

The explanations (:mod:`threshold_core.explain`) work from a
:class:`~threshold_core.model.Decision` alone: :func:`assessment_from_decision`
rebuilds what the policy saw, :func:`what_if` re-runs the default policy with
scores replaced or findings cleared, and the helpers below give, in closed
form, the verdict a composite score gets, the score range over which it holds,
and how a dimension's caps and deductions bound its score.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import attrs

from ..engine import combine
from ..model import (
    Adjustment,
    Assessment,
    ComponentError,
    Decision,
    DimensionResult,
    DimensionScore,
    Effect,
    EngineConfig,
    EventKind,
    EventStatus,
    FactorKind,
    GradeBand,
    MissingCompliance,
    PackOutcomes,
    PolicyResult,
    ScoredDimension,
    TraceEvent,
    Verdict,
    is_assumed,
)
from ._evolve import builder, replacer

__all__ = ["assessment_from_decision", "scorer_scores", "trace_facts", "what_if"]

#: Verdicts the score can decide, best first, and their rank (lower is better).
_RANK = {Verdict.QUALIFIED: 0, Verdict.WATCH: 1, Verdict.NOT_QUALIFIED: 2}
#: Reported points are rounded up to this step, so applying them always reaches the target.
STEP = 0.01
_EPS = 1e-9


# -- replaying the policy -----------------------------------------------------------------


def scorer_scores(decision: Decision) -> dict[str, float]:
    """Each dimension's scorer score exactly as the policy saw it (from the trace).

    ``DimensionResult.raw_score`` is rounded to 4 decimals; the trace keeps the
    scorer's own figure.
    """
    return trace_facts(decision)[0]


def trace_facts(decision: Decision) -> tuple[dict[str, float], list[TraceEvent], bool]:
    """What an explanation reads off the trace, in one pass: each dimension's scorer score
    (:func:`scorer_scores`), the policy's events, and whether a scorer or a rule pack
    failed (the assessment's errors)."""
    out = {}
    policy = []
    failed = False
    scorer, pack, ok, error = (EventKind.SCORER, EventKind.RULE_PACK, EventStatus.OK,
                               EventStatus.ERROR)
    for e in decision.trace:
        kind = e.kind
        if kind is scorer and e.status is ok:
            dim, score = e.contributed.get("dimension"), e.contributed.get("score")
            if isinstance(dim, str) and isinstance(score, (int, float)):
                out[dim] = float(score)
        elif kind is EventKind.POLICY:
            policy.append(e)
        if e.status is error and (kind is scorer or kind is pack):
            failed = True
    return out, policy, failed


def _precise(decision: Decision, exact: Mapping[str, float] | None = None) -> Decision:
    """The decision with every ``raw_score`` replaced by the scorer's exact score
    (``exact``: :func:`scorer_scores` of it, when already read)."""
    if exact is None:
        exact = scorer_scores(decision)
    if all(d.raw_score is None or d.name not in exact or _same(exact[d.name], d.raw_score)
           for d in decision.dimensions):
        return decision  # a decision just made: its raw scores are the scorers' own
    raw_score = replacer(DimensionResult, "raw_score")
    return replacer(Decision, "dimensions")(decision, tuple(
        raw_score(d, exact[d.name])
        if d.raw_score is not None and d.name in exact
        and abs(exact[d.name] - d.raw_score) < 1e-3 else d
        for d in decision.dimensions
    ))


def _same(exact: float, shown: float) -> bool:
    """The same float, written the same (not 50 for 50.0, nor 0.0 for -0.0)."""
    return (type(shown) is float and exact == shown
            and math.copysign(1.0, exact) == math.copysign(1.0, shown))


def assessment_from_decision(decision: Decision) -> Assessment:
    """Rebuild what the policy saw from a decision (scores, findings, outcomes, errors).

    Findings are put back in the engine's order (pack, then rule id), so the
    policy applies caps and deductions in the same sequence; scorer scores come
    from the trace, unrounded.
    """
    return _assessment_of_precise(_precise(decision))


def _assessment_of_precise(decision: Decision, *, reported: bool = True) -> Assessment:
    """:func:`assessment_from_decision` of a decision :func:`_precise` already gave.

    ``reported=False`` keeps each finding's effect as decided instead of resetting it to
    ``reported``: the default policy assigns every finding's effect itself, so it gives
    the same result, without copying each finding twice (here and in the policy).
    """
    # Built field by field in each class's order (_evolve.builder): the same objects as
    # ScoredDimension(name=..., ...) and the others, at half the cost.
    scored, score = builder(ScoredDimension), builder(DimensionScore)
    dims = tuple(
        scored(
            d.name, d.configured_weight, d.component, d.plugin,
            None if d.raw_score is None and d.coverage == 0 and not d.evidence
            else score(d.name, d.raw_score, d.coverage, d.inputs, d.evidence, ()),
        )
        for d in decision.dimensions
    )
    ordered = sorted(decision.findings, key=lambda f: (f.pack, f.rule))
    findings = tuple(attrs.evolve(f, effect=Effect.REPORTED) for f in ordered) if reported \
        else tuple(ordered)
    outcomes = builder(PackOutcomes)
    packs = tuple(
        outcomes(e.component, e.plugin, e.rules)
        for e in decision.trace if e.kind is EventKind.RULE_PACK
    )
    errors = tuple(
        ComponentError(e.plugin, e.component, e.message or "failed")
        for e in decision.trace
        if e.status is EventStatus.ERROR and e.kind in (EventKind.SCORER, EventKind.RULE_PACK)
    )
    return builder(Assessment)(None, decision.gate, dims, findings, packs, errors)


def what_if(
    assessment: Assessment,
    config: EngineConfig,
    *,
    raw_scores: Mapping[str, float] | None = None,
    clear: Iterable[str] = (),
    gate_passes: bool = False,
    full_coverage: bool = False,
) -> PolicyResult:
    """Re-run the default policy with some dimension scores replaced and findings cleared.

    ``clear`` holds rule ids; ``"gate"`` in it (or ``gate_passes``) makes the gate pass.
    ``full_coverage`` lifts every dimension to the coverage floor and stops rules
    that lacked data from blocking: "the verdict on the data present".
    """
    cleared = set(clear)
    gate = assessment.gate
    if (gate_passes or "gate" in cleared) and gate.passed is False:
        gate = attrs.evolve(gate, passed=True)
    dims = []
    for d in assessment.dimensions:
        result = d.result
        if result is not None:
            if raw_scores and d.name in raw_scores:
                result = attrs.evolve(result, score=raw_scores[d.name])
            if full_coverage and result.score is not None:
                result = attrs.evolve(result, coverage=max(result.coverage,
                                                           config.coverage_floor_for(d.name)))
        dims.append(d if result is d.result else attrs.evolve(d, result=result))
    if full_coverage and gate.passed is None:
        gate = attrs.evolve(gate, passed=True)
    if full_coverage and config.policy.missing_compliance_data is MissingCompliance.BLOCK:
        config = attrs.evolve(
            config, policy=attrs.evolve(config.policy,
                                        missing_compliance_data=MissingCompliance.LOWER_CONFIDENCE)
        )
    changed = attrs.evolve(
        assessment, gate=gate, dimensions=tuple(dims),
        # "The verdict on the data present" counts no rule that lacked data.
        findings=tuple(f for f in assessment.findings if f.rule not in cleared
                       and not (full_coverage and is_assumed(f))),
    )
    return combine(changed, config)


# -- bands, caps and the shape of a dimension score ----------------------------------------


def _effective(band: GradeBand, capped: bool) -> Verdict:
    """The verdict a band gives; a high finding lowers ``qualified`` to ``watch``."""
    if capped and band.verdict is Verdict.QUALIFIED:
        return Verdict.WATCH
    return band.verdict


def _verdict_at(score: float, grades: Sequence[GradeBand], capped: bool) -> Verdict:
    for band in grades:
        if score >= band.min_score:
            return _effective(band, capped)
    return _effective(grades[-1], capped)


def _holding_interval(
    score: float, grades: Sequence[GradeBand], capped: bool
) -> tuple[float, float, Verdict | None, Verdict | None]:
    """``(low, high, worse, better)``: the score range keeping the verdict, and the verdicts
    just outside it (None when no cut-off there changes it)."""
    verdict = _verdict_at(score, grades, capped)
    low, high = 0.0, math.inf
    worse = better = None
    cuts = [b.min_score for b in grades]
    # Bands best first: walk the cut-offs and find the nearest that change the verdict.
    for i, band in enumerate(grades):
        below = grades[i + 1] if i + 1 < len(grades) else None
        if below is None:
            continue
        v_at, v_below = _effective(band, capped), _effective(below, capped)
        if v_at == v_below:
            continue
        cut = cuts[i]
        if cut <= score and cut > low and v_at == verdict:
            low, worse = cut, v_below
        if cut > score and cut < high and v_below == verdict:
            high, better = cut, v_at
    return low, high, worse, better


def _shape(adjustments: Sequence[Adjustment]) -> tuple[float, float]:
    """``(A, C)`` with ``policy score = clamp(min(raw + A, C), 0, 100)``.

    The policy applies every deduction first and the caps last, as a ceiling, whatever
    order the findings arrive in: A is the sum of the deductions (an assumed high
    finding's included), C the tightest cap.
    """
    total = 0.0
    cap = math.inf
    for adj in adjustments:
        if adj.effect is Effect.CAP:
            cap = min(cap, adj.amount)
        else:
            total += adj.amount
    return total, cap


def _binding_caps(adjustments: Sequence[Adjustment], needed: float) -> tuple[str, ...]:
    """The caps that keep the dimension's score below ``needed`` whatever its raw score
    (a cap is the last thing applied, so one binds when it lies below ``needed``)."""
    return tuple(dict.fromkeys(adj.rule for adj in adjustments
                               if adj.effect is Effect.CAP and adj.amount < needed - _EPS))


def _ceil_step(value: float) -> float:
    return math.ceil(round(value / STEP, 6)) * STEP


def _floor_step(value: float) -> float:
    return math.floor(round(value / STEP, 6)) * STEP


def _r(value: float) -> float:
    return round(value, 4)


# -- what decided the verdict -------------------------------------------------------------


def _score_decided(decision: Decision) -> bool:
    if decision.verdict not in _RANK or decision.score is None:
        return False
    return not any(f.kind in (FactorKind.GATE, FactorKind.VETO, FactorKind.ERROR)
                   for f in decision.determining)


def _capped(decision: Decision) -> bool:
    return any(f.effect is Effect.CAP for f in decision.findings)
