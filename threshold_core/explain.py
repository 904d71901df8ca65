"""Explanations no peer engine gives: distance to qualify, safety margin, robustness.

:func:`explain` reads a finished :class:`~threshold_core.results.Decision` and the
:class:`~threshold_core.engine.Engine` that made it (for the policy numbers and
the scorers' bands) and answers three questions:

* **Distance to qualify.** The smallest change that moves the decision to the
  next better verdict (``not_qualified`` -> ``watch`` -> ``qualified``; from
  ``insufficient_data`` or ``error``, to any graded verdict). First the
  blockers the score cannot overcome: a failed gate (with the shortfall in
  CNY), critical findings (vetoes) and, on the way to ``qualified``, high
  findings (each forces at most ``watch``). Then, per dimension with the others
  fixed and the blockers cleared, the points its scorer's score must rise and
  the caps on it that must be cleared first, and per metric the raw figure
  that would give those points, where the scorer's band can be inverted.
  The default policy is monotone in every dimension score, so this is closed
  form, not a search; every figure is checked by re-running the policy.
* **Safety margin.** For a score-decided verdict, the composite points above
  the cut-off below it and how many points each dimension can lose.
* **Robustness.** For each weight (the others renormalised) and each grade
  cut-off, the interval over which the verdict holds; optionally a seeded Monte
  Carlo over weights drawn from Dirichlet(concentration x weights). A label,
  ``robust`` or ``fragile``, by the rule in ``[explain]``.

The engine is not involved: :func:`with_explanation` attaches the result to a
decision with ``attrs.evolve``, and the reporters show it when present.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs

from .config import EngineConfig, GradeBand, MissingCompliance
from .policy import Assessment, ComponentError, PackOutcomes, ScoredDimension, combine
from .results import (
    Adjustment,
    Blocker,
    CoverageNeed,
    CutoffInterval,
    Decision,
    DimensionDistance,
    DimensionMargin,
    DimensionResult,
    DimensionScore,
    Distance,
    Effect,
    EventKind,
    EventStatus,
    Explanation,
    FactorKind,
    FindingLever,
    Margin,
    MetricChange,
    MetricScore,
    MonteCarlo,
    PolicyResult,
    Robustness,
    Verdict,
    WeightInterval,
)
from .scoring import Band

__all__ = [
    "assessment_from_decision",
    "explain",
    "explain_all",
    "scorer_scores",
    "what_if",
    "with_explanation",
]

#: Verdicts the score can decide, best first, and their rank (lower is better).
_RANK = {Verdict.QUALIFIED: 0, Verdict.WATCH: 1, Verdict.NOT_QUALIFIED: 2}
#: The policy plugin whose semantics the closed forms below follow.
DEFAULT_POLICY = "threshold_core.policy"
#: Reported points are rounded up to this step, so applying them always reaches the target.
STEP = 0.01
_EPS = 1e-9


# -- replaying the policy -----------------------------------------------------------------


def scorer_scores(decision: Decision) -> dict[str, float]:
    """Each dimension's scorer score exactly as the policy saw it (from the trace).

    ``DimensionResult.raw_score`` is rounded to 4 decimals; the trace keeps the
    scorer's own figure.
    """
    out = {}
    for e in decision.trace:
        if e.kind is EventKind.SCORER and e.status is EventStatus.OK:
            dim, score = e.contributed.get("dimension"), e.contributed.get("score")
            if isinstance(dim, str) and isinstance(score, (int, float)):
                out[dim] = float(score)
    return out


def _precise(decision: Decision) -> Decision:
    """The decision with every ``raw_score`` replaced by the scorer's exact score."""
    exact = scorer_scores(decision)
    return attrs.evolve(decision, dimensions=tuple(
        attrs.evolve(d, raw_score=exact[d.name])
        if d.raw_score is not None and d.name in exact
        and abs(exact[d.name] - d.raw_score) < 1e-3 else d
        for d in decision.dimensions
    ))


def assessment_from_decision(decision: Decision) -> Assessment:
    """Rebuild what the policy saw from a decision (scores, findings, outcomes, errors).

    Findings are put back in the engine's order (pack, then rule id), so the
    policy applies caps and deductions in the same sequence; scorer scores come
    from the trace, unrounded.
    """
    decision = _precise(decision)
    dims = tuple(
        ScoredDimension(
            name=d.name,
            weight=d.configured_weight,
            component=d.component,
            plugin=d.plugin,
            result=None
            if d.raw_score is None and d.coverage == 0 and not d.evidence
            else DimensionScore(
                dimension=d.name, score=d.raw_score, coverage=d.coverage, inputs=d.inputs,
                metrics=d.evidence,
            ),
        )
        for d in decision.dimensions
    )
    findings = tuple(
        attrs.evolve(f, effect=Effect.REPORTED)
        for f in sorted(decision.findings, key=lambda f: (f.pack, f.rule))
    )
    packs = tuple(
        PackOutcomes(e.component, e.plugin, e.rules)
        for e in decision.trace if e.kind is EventKind.RULE_PACK
    )
    errors = tuple(
        ComponentError(e.plugin, e.component, e.message or "failed")
        for e in decision.trace
        if e.status is EventStatus.ERROR and e.kind in (EventKind.SCORER, EventKind.RULE_PACK)
    )
    return Assessment(profile=None, gate=decision.gate, dimensions=dims, findings=findings,
                      packs=packs, errors=errors)


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
    floor = config.policy.coverage_floor
    dims = []
    for d in assessment.dimensions:
        result = d.result
        if result is not None:
            if raw_scores and d.name in raw_scores:
                result = attrs.evolve(result, score=raw_scores[d.name])
            if full_coverage and result.score is not None:
                result = attrs.evolve(result, coverage=max(result.coverage, floor))
        dims.append(attrs.evolve(d, result=result))
    if full_coverage and gate.passed is None:
        gate = attrs.evolve(gate, passed=True)
    if full_coverage and config.policy.missing_compliance_data is MissingCompliance.BLOCK:
        config = attrs.evolve(
            config, policy=attrs.evolve(config.policy,
                                        missing_compliance_data=MissingCompliance.LOWER_CONFIDENCE)
        )
    changed = attrs.evolve(
        assessment, gate=gate, dimensions=tuple(dims),
        findings=tuple(f for f in assessment.findings if f.rule not in cleared),
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

    Folding the policy's caps (``min``) and deductions (``+``) in order gives
    ``min(raw + A, C)``: A is the sum of the deductions, C the tightest cap
    plus the deductions applied after it.
    """
    total = 0.0
    cap = math.inf
    for adj in adjustments:
        if adj.effect is Effect.CAP:
            cap = min(cap, adj.amount)
        else:
            total += adj.amount
            cap += adj.amount
    return total, cap


def _binding_caps(adjustments: Sequence[Adjustment], needed: float) -> tuple[str, ...]:
    """The caps that keep the dimension's score below ``needed`` whatever its raw score."""
    out = []
    for i, adj in enumerate(adjustments):
        if adj.effect is not Effect.CAP:
            continue
        after = sum(a.amount for a in adjustments[i + 1:] if a.effect is not Effect.CAP)
        if adj.amount + after < needed - _EPS:
            out.append(adj.rule)
    return tuple(dict.fromkeys(out))


def _ceil_step(value: float) -> float:
    return math.ceil(round(value / STEP, 6)) * STEP


def _floor_step(value: float) -> float:
    return math.floor(round(value / STEP, 6)) * STEP


def _r(value: float) -> float:
    return round(value, 4)


# -- metric inversion --------------------------------------------------------------------


def _band_of(engine: Any, scorer: str, metric: str) -> Band | None:
    settings = getattr(engine, "settings", {}).get(scorer)
    bands = getattr(settings, "bands", None)
    if isinstance(bands, Mapping):
        band = bands.get(metric)
        if isinstance(band, Band):
            return band
    return None


def _invert(band: Band, target: float) -> float | None:
    """The raw figure nearest the better end that still gives ``target`` points:
    the smallest for a rising band, the largest for a falling one. None when no
    figure reaches it; +-inf when every figure does."""
    pts = band.points
    direction = band.direction
    if direction == "higher":
        if pts[0][1] >= target - _EPS:
            return -math.inf
        for (x0, y0), (x1, y1) in itertools.pairwise(pts):
            if y0 < target <= y1 + _EPS:
                return x0 + (min(target, y1) - y0) * (x1 - x0) / (y1 - y0)
        return None
    if direction == "lower":
        if pts[-1][1] >= target - _EPS:
            return math.inf
        for (x0, y0), (x1, y1) in reversed(list(itertools.pairwise(pts))):
            if y1 < target <= y0 + _EPS:
                return x0 + (min(target, y0) - y0) * (x1 - x0) / (y1 - y0)
        return None
    return None


def _fmt(x: float) -> str:
    """A raw figure as stored (already rounded to the safe side), without trailing zeros."""
    return f"{x:,.4f}".rstrip("0").rstrip(".")


def _metric_changes(
    dim: DimensionResult, needed: float, engine: Any
) -> tuple[MetricChange, ...]:
    """Per metric, moved alone: the raw figure giving the dimension ``needed`` more points."""
    if needed <= 0 or dim.raw_score is None:
        return ()
    scored = [m for m in dim.evidence if m.points is not None and m.weight > 0]
    if not scored:
        return ()
    total = sum(m.weight for m in scored)
    recomputed = sum(m.weight * (m.points or 0.0) for m in scored) / total
    if abs(recomputed - dim.raw_score) > 1e-3:
        return (MetricChange(
            metric="*", action="none", raw=None, target_raw=None, points=None,
            target_points=None,
            note="not invertible: the scorer's evidence does not add up to its score",
        ),)
    out = []
    for m in dim.evidence:
        if m.weight <= 0:
            continue
        if m.points is None:
            # Supplying the metric adds its weight to the mean (and to the coverage).
            target = dim.raw_score + needed
            need = (target * (total + m.weight) - dim.raw_score * total) / m.weight
            out.append(_change(m, need, engine, dim.component, supply=True))
        else:
            out.append(_change(m, m.points + needed * total / m.weight, engine, dim.component))
    return tuple(out)


def _change(
    m: MetricScore, target_points: float, engine: Any, scorer: str, *, supply: bool = False
) -> MetricChange:
    current = m.points
    action = "supply" if supply else "raise"
    if target_points > 100.0 + _EPS:
        what = "even 100 points on it" + (" (supplied)" if supply else "")
        return MetricChange(m.metric, "none", m.raw, None, current, _r(target_points),
                            f"{m.metric}: {what} is not enough (needs {target_points:.1f})")
    target_points = max(0.0, target_points)
    band = _band_of(engine, scorer, m.metric)
    if band is None:
        return MetricChange(m.metric, action, m.raw, None, current, _r(target_points),
                            f"{m.metric}: needs {target_points:.1f} points; not invertible "
                            "(the scorer exposes no band for it)")
    if not supply and (m.raw is None or abs(band(m.raw) - (current or 0.0)) > 1e-3):
        return MetricChange(m.metric, action, m.raw, None, current, _r(target_points),
                            f"{m.metric}: needs {target_points:.1f} points; not invertible "
                            "(the scorer adjusts its points beyond the band)")
    raw = _invert(band, target_points)
    if raw is None or band.direction == "mixed":
        return MetricChange(m.metric, action, m.raw, None, current, _r(target_points),
                            f"{m.metric}: needs {target_points:.1f} points; not invertible "
                            "(the band is not monotone)")
    lower = band.direction == "lower"
    if math.isinf(raw):  # every figure gives the points (only when supplying)
        raw = band.points[-1][0] if lower else band.points[0][0]
    # Round towards the safe side so the figure shown always gives the points.
    raw = math.floor(raw * 1e4) / 1e4 if lower else math.ceil(raw * 1e4) / 1e4
    if supply:
        rel = "<=" if lower else ">="
        note = f"supply {m.metric} (missing) at {rel} {_fmt(raw)} ({target_points:.1f} points)"
    else:
        action = "lower" if lower else "raise"
        note = (f"{action} {m.metric} from {_fmt(m.raw or 0.0)} to {_fmt(raw)} "
                f"(points {current:.1f} -> {target_points:.1f})")
    return MetricChange(m.metric, action, m.raw, raw, current, _r(target_points), note)


# -- distance to the next better verdict --------------------------------------------------


def _blocking_factors(decision: Decision) -> tuple[list[Blocker], set[str]]:
    blockers: list[Blocker] = []
    clear: set[str] = set()
    if decision.gate.passed is False:
        g = decision.gate
        short = g.line_cny - (g.valuation_cny or 0.0)
        own = ""
        if g.fx_rate and g.valuation_currency and g.valuation_currency.upper() != "CNY":
            own = f" ({short / g.fx_rate / 1e9:,.2f}bn {g.valuation_currency})"
        blockers.append(Blocker("gate", "gate", f"valuation is {short / 1e9:,.2f}bn CNY{own} "
                                f"short of the line of {g.line_cny / 1e9:,.2f}bn CNY"))
        clear.add("gate")
    for f in decision.findings:
        if f.effect is Effect.VETO:
            blockers.append(Blocker("veto", f.rule, f"{f.rule} ({f.severity}) vetoes: {f.message}"))
            clear.add(f.rule)
    return blockers, clear


def _meaning(decision: Decision, config: EngineConfig, target: Verdict | None) -> str:
    floor = config.policy.coverage_floor
    v = decision.verdict
    if v is Verdict.ERROR:
        return ("the next better verdict is any verdict other than error: every scorer, rule "
                "and the policy must run without failing")
    if v is Verdict.INSUFFICIENT_DATA:
        return ("the next better verdict is a graded one (qualified, watch or not_qualified): "
                f"the score decides only once every dimension reaches the coverage floor of "
                f"{floor:.0%}, the valuation is known and no rule that blocks lacks data")
    if target is None:
        return ("qualified is the best verdict: nothing better to reach; the margin says how "
                "far it is from the next worse verdict")
    if target is Verdict.QUALIFIED:
        return ("the next better verdict is qualified: a composite at or above the lowest "
                "qualified cut-off and no high finding (each one forces at most watch)")
    return ("the next better verdict is watch (or better): the gate passed, no critical "
            "finding, and a composite at or above the lowest cut-off that is not "
            "not_qualified")


def _coverage_needs(decision: Decision, config: EngineConfig) -> tuple[CoverageNeed, ...]:
    floor = config.policy.coverage_floor
    out = []
    for d in decision.dimensions:
        if d.weight <= 0 or (d.coverage >= floor and d.score is not None):
            continue
        total = sum(m.weight for m in d.evidence)
        missing = sorted((m for m in d.evidence if m.points is None and m.weight > 0),
                         key=lambda m: (-m.weight, m.metric))
        chosen: list[MetricScore] = []
        got = d.coverage * total
        for m in missing:
            if total and got / total >= floor - _EPS:
                break
            chosen.append(m)
            got += m.weight
        reached = bool(total) and got / total >= floor - _EPS
        paths = tuple(dict.fromkeys(p for m in chosen for p in m.inputs))
        if not d.evidence:
            note = (f"coverage {d.coverage:.0%} < floor {floor:.0%}; the scorer reports no "
                    "per-metric evidence, so which data it needs is its own")
        elif reached:
            note = (f"coverage {d.coverage:.0%} < floor {floor:.0%}: supply "
                    f"{', '.join(m.metric for m in chosen)} to reach {got / total:.0%}")
        else:
            note = (f"coverage {d.coverage:.0%} < floor {floor:.0%}: even every missing metric "
                    f"only reaches {got / total:.0%}" if total else "no metric weight")
        out.append(CoverageNeed(d.name, d.coverage, floor, tuple(m.metric for m in chosen),
                                paths, note))
    return tuple(out)


def _levers(assessment: Assessment, decision: Decision, config: EngineConfig
            ) -> tuple[FindingLever, ...]:
    out = []
    for f in decision.findings:
        if f.effect not in (Effect.VETO, Effect.CAP, Effect.DEDUCTION):
            continue
        res = what_if(assessment, config, clear={f.rule})
        gain = (None if res.score is None or decision.score is None
                else _r(res.score - decision.score))
        out.append(FindingLever(f.rule, f.effect, f.dimension, gain, res.verdict))
    return tuple(out)


def _distance(
    decision: Decision, engine: Any, config: EngineConfig, assessment: Assessment
) -> Distance:
    v = decision.verdict
    grades = config.policy.grades
    if v is Verdict.QUALIFIED:
        return Distance(target=None, meaning=_meaning(decision, config, None),
                        findings=_levers(assessment, decision, config))
    if v is Verdict.ERROR:
        failed = [e for e in decision.trace if e.status is EventStatus.ERROR]
        errors = tuple(Blocker("error", e.component, f"{e.component} ({e.plugin}): {e.message}")
                       for e in failed)
        return Distance(target=None, meaning=_meaning(decision, config, None), blockers=errors)

    blockers, clear = _blocking_factors(decision)
    shortfall = None
    if decision.gate.passed is False:
        shortfall = round(decision.gate.line_cny - (decision.gate.valuation_cny or 0.0), 2)

    if v is Verdict.INSUFFICIENT_DATA:
        more = [
            Blocker(
                "valuation" if f.subject == "gate" else
                ("block" if f.kind is FactorKind.BLOCK else "coverage"),
                f.subject or "", f.detail)
            for f in decision.determining
            if f.kind in (FactorKind.INSUFFICIENT_DATA, FactorKind.BLOCK)
        ]
        res = what_if(assessment, config, full_coverage=True)
        graded = res.verdict in _RANK
        return Distance(
            target=None, meaning=_meaning(decision, config, None), blockers=tuple(more),
            verdict_if_cleared=res.verdict if graded else None,
            score_if_cleared=res.score if graded else None,
            coverage=_coverage_needs(decision, config),
        )

    target = Verdict.QUALIFIED if v is Verdict.WATCH else Verdict.WATCH
    target_rank = _RANK[target]
    caps = [f for f in decision.findings if f.effect is Effect.CAP]
    if target is Verdict.QUALIFIED:
        for f in caps:
            blockers.append(Blocker("cap", f.rule, f"{f.rule} ({f.severity}) allows at most "
                                    f"watch: {f.message}"))
            clear.add(f.rule)
    cleared = what_if(assessment, config, clear=clear)
    capped_after = any(f.effect is Effect.CAP for f in cleared.findings)
    cuts = [b.min_score for b in grades if _RANK.get(_effective(b, capped_after), 9) <= target_rank]
    base = Distance(
        target=target, meaning=_meaning(decision, config, target), blockers=tuple(blockers),
        gate_shortfall_cny=shortfall, verdict_if_cleared=cleared.verdict,
        score_if_cleared=cleared.score, findings=_levers(assessment, decision, config),
    )
    if cleared.verdict is Verdict.INSUFFICIENT_DATA:
        return attrs.evolve(base, coverage=_coverage_needs(decision, config))
    if not cuts or cleared.score is None:
        return base
    cut = min(cuts)
    gap = max(0.0, cut - cleared.score)
    # The policy's results round raw_score; the distances start from the exact scores.
    exact = {d.name: d.result.score for d in assessment.dimensions
             if d.result is not None and d.result.score is not None}
    dims = tuple(
        _dimension_distance(attrs.evolve(d, raw_score=exact.get(d.name, d.raw_score)), cleared,
                            cut, target_rank, tuple(sorted(clear)), engine, assessment, config,
                            clear)
        for d in cleared.dimensions
    )
    return attrs.evolve(base, target_score=cut, gap=_r(gap), dimensions=dims)


def _dimension_distance(
    d: DimensionResult, cleared: PolicyResult, cut: float, target_rank: int,
    global_clear: tuple[str, ...], engine: Any, assessment: Assessment, config: EngineConfig,
    clear: set[str],
) -> DimensionDistance:
    def out(points: float | None, target_raw: float | None, caps: tuple[str, ...], note: str,
            metrics: tuple[MetricChange, ...] = (), gained: float | None = None,
            ) -> DimensionDistance:
        first = (*global_clear, *caps)
        return DimensionDistance(
            dimension=d.name, points=None if points is None else round(points, 2),
            raw_score=d.raw_score, target_raw_score=target_raw,
            composite_points=gained, clear_first=first,
            alone=points is not None and not first, note=note, metrics=metrics,
        )

    if d.score is None or d.raw_score is None:
        return out(None, None, (), "no score")
    if cleared.score is not None and cleared.score >= cut - _EPS:
        return out(0.0, d.raw_score, (), "clearing the blockers alone reaches the target", (),
                   0.0)
    if d.weight <= 0:
        return out(None, None, (), "weight 0: it does not count")
    others = sum(o.weight * (o.score or 0.0) for o in cleared.dimensions if o.name != d.name)
    needed_score = (cut - others) / d.weight
    if needed_score > 100.0 + _EPS:
        return out(None, None, (), f"needs a score of {needed_score:.1f}, above 100")
    adjustments = d.adjustments
    caps = _binding_caps(adjustments, needed_score)
    if caps:
        adjustments = tuple(a for a in adjustments if a.rule not in caps)
    total, _cap = _shape(adjustments)
    target_raw = max(d.raw_score, needed_score - total)
    if target_raw > 100.0 + _EPS:
        return out(None, None, caps, f"needs a scorer score of {target_raw:.1f} "
                   f"(after {-total:g} points of deductions), above 100")
    rise = target_raw - d.raw_score
    points = 0.0 if rise <= _EPS else _ceil_step(rise)
    # Check against the policy itself; rounding in the composite may need one more step.
    for _ in range(5):
        raised = min(100.0, d.raw_score + points)
        res = what_if(assessment, config, raw_scores={d.name: raised}, clear=clear | set(caps))
        if _RANK.get(res.verdict, 9) <= target_rank:
            break
        points = round(points + STEP, 10)
    else:  # pragma: no cover - the closed form is exact up to rounding
        return out(None, None, caps, "not reached when replayed through the policy")
    gained = None if res.score is None or cleared.score is None else _r(res.score - cleared.score)
    raised = round(min(100.0, d.raw_score + points), 4)
    if caps and points <= 0:
        where = f"clearing {', '.join(caps)} (a cap on {d.name}) is enough"
    else:
        where = f"raise {d.name} from {d.raw_score:.2f} to {raised:.2f} (+{points:.2f} points)"
        if caps:
            they = "it caps" if len(caps) == 1 else "they cap"
            verb = "is" if len(caps) == 1 else "are"
            where += (f" once {', '.join(caps)} {verb} cleared ({they} {d.name} below "
                      "the need)")
    return out(points, raised, caps, where, _metric_changes(d, points, engine), gained)


# -- margin to the next worse verdict -----------------------------------------------------


def _score_decided(decision: Decision) -> bool:
    if decision.verdict not in _RANK or decision.score is None:
        return False
    return not any(f.kind in (FactorKind.GATE, FactorKind.VETO, FactorKind.ERROR)
                   for f in decision.determining)


def _capped(decision: Decision) -> bool:
    return any(f.effect is Effect.CAP for f in decision.findings)


def _margin(decision: Decision, config: EngineConfig) -> Margin | None:
    if not _score_decided(decision):
        return None
    assert decision.score is not None
    low, _high, worse, _better = _holding_interval(decision.score, config.policy.grades,
                                                   _capped(decision))
    if worse is None:
        return Margin(worse=None, meaning=f"{decision.verdict} is the worst verdict a score "
                      "gives: nothing worse to fall to")
    points = decision.score - low
    dims = []
    for d in decision.dimensions:
        if d.weight <= 0 or d.score is None or d.raw_score is None:
            continue
        loss = points / d.weight  # of the dimension's final score
        if loss > d.score + _EPS:
            dims.append(DimensionMargin(d.name, None, "even a scorer score of 0 keeps "
                                        f"{decision.verdict}"))
            continue
        # A capped dimension's scorer score can first fall to the cap for free.
        total, cap = _shape(d.adjustments)
        slack = max(0.0, d.raw_score + total - cap)
        safe = max(0.0, _floor_step(loss + slack))
        extra = f" ({slack:.2f} of it above the cap)" if slack > 0 else ""
        dims.append(DimensionMargin(
            d.name, round(safe, 2),
            f"its scorer score can lose {safe:.2f} of {d.raw_score:.2f}{extra} and stay "
            f"{decision.verdict}"))
    return Margin(
        worse=worse,
        meaning=f"the next worse verdict is {worse}: the composite falling below {low:g}",
        cutoff=low, points=_r(points), dimensions=tuple(dims),
    )


# -- robustness ---------------------------------------------------------------------------


def _weight_intervals(decision: Decision, config: EngineConfig) -> tuple[WeightInterval, ...]:
    assert decision.score is not None
    capped = _capped(decision)
    low, high, _w, _b = _holding_interval(decision.score, config.policy.grades, capped)
    dims = [d for d in decision.dimensions if d.score is not None]
    total_conf = sum(d.configured_weight for d in dims)
    out = []
    for d in dims:
        w = d.configured_weight / total_conf if total_conf else 0.0
        if w >= 1.0 - _EPS:
            continue  # the only dimension: nothing to renormalise against
        others = sum(o.configured_weight / total_conf * (o.score or 0.0)
                     for o in dims if o.name != d.name)
        mean_others = others / (1.0 - w)
        slope = (d.score or 0.0) - mean_others  # C(t) = mean_others + t * slope
        t_lo, t_hi = 0.0, 1.0
        if abs(slope) > _EPS:
            a = (low - mean_others) / slope
            b = (high - mean_others) / slope if math.isfinite(high) else math.copysign(
                math.inf, slope)
            lo_t, hi_t = (a, b) if slope > 0 else (b, a)
            t_lo, t_hi = max(0.0, lo_t), min(1.0, hi_t)
        conf_others = total_conf - d.configured_weight

        def conf(t: float, _o: float = conf_others) -> float | None:
            return None if t >= 1.0 - _EPS else round(t * _o / (1.0 - t), 4)

        out.append(WeightInterval(d.name, round(w, 6), round(t_lo, 4), round(t_hi, 4),
                                  conf(t_lo), conf(t_hi)))
    return tuple(out)


def _cutoff_intervals(decision: Decision, config: EngineConfig) -> tuple[CutoffInterval, ...]:
    assert decision.score is not None
    grades = list(config.policy.grades)
    capped = _capped(decision)
    score = decision.score
    current = _verdict_at(score, grades, capped)
    out = []
    for k, band in enumerate(grades[:-1]):
        lo_b = grades[k + 1].min_score
        hi_b = grades[k - 1].min_score if k > 0 else 100.0
        binding = False
        low, high = lo_b, hi_b
        if lo_b < score < hi_b:
            at = [*grades[:k], attrs.evolve(band, min_score=score), *grades[k + 1:]]
            above = [*grades[:k], attrs.evolve(band, min_score=min(hi_b, score + 1e-6)),
                     *grades[k + 1:]]
            v_in, v_out = _verdict_at(score, at, capped), _verdict_at(score, above, capped)
            if v_in != v_out:
                binding = True
                low, high = (lo_b, score) if v_in == current else (score, hi_b)
        out.append(CutoffInterval(band.name, band.min_score, round(low, 4), round(high, 4),
                                  binding))
    return tuple(out)


def _monte_carlo(decision: Decision, config: EngineConfig) -> MonteCarlo | None:
    ec = config.explain
    if ec.monte_carlo_draws <= 0:
        return None
    dims = [d for d in decision.dimensions if d.score is not None and d.configured_weight > 0]
    total = sum(d.configured_weight for d in dims)
    if not dims or total <= 0 or decision.score is None:
        return None
    rng = random.Random(ec.seed)
    grades = config.policy.grades
    capped = _capped(decision)
    counts: dict[str, int] = {}
    flips = grade_changes = 0
    for _ in range(ec.monte_carlo_draws):
        gammas = [rng.gammavariate(ec.dirichlet_concentration * d.configured_weight / total, 1.0)
                  for d in dims]
        norm = sum(gammas) or 1.0
        score = sum(g / norm * (d.score or 0.0) for g, d in zip(gammas, dims, strict=True))
        verdict = _verdict_at(score, grades, capped)
        grade = next((b.name for b in grades if score >= b.min_score), grades[-1].name)
        counts[str(verdict)] = counts.get(str(verdict), 0) + 1
        flips += verdict is not decision.verdict
        grade_changes += grade != decision.grade
    n = ec.monte_carlo_draws
    return MonteCarlo(
        draws=n, concentration=ec.dirichlet_concentration, seed=ec.seed,
        flip_probability=round(flips / n, 4), grade_change_probability=round(grade_changes / n, 4),
        verdicts={k: round(v / n, 4) for k, v in sorted(counts.items())},
    )


def _robustness(decision: Decision, config: EngineConfig) -> Robustness:
    ec = config.explain
    if not _score_decided(decision):
        decided = {
            Verdict.ERROR: "a component failed",
            Verdict.INSUFFICIENT_DATA: "missing data",
        }.get(decision.verdict)
        if decided is None:
            kinds = [str(f.kind) for f in decision.determining
                     if f.kind in (FactorKind.GATE, FactorKind.VETO)]
            decided = " and ".join(dict.fromkeys(kinds)) or "the policy"
        return Robustness(
            label="robust",
            reason=f"decided by {decided}: no weight or grade cut-off moves it",
        )
    assert decision.score is not None
    low, high, _w, _b = _holding_interval(decision.score, config.policy.grades, _capped(decision))
    edge = min(decision.score - low if low > 0 else math.inf, high - decision.score)
    edge_value = None if math.isinf(edge) else _r(edge)
    mc = _monte_carlo(decision, config)
    reasons = []
    if edge_value is not None and edge_value < ec.fragile_margin_points:
        reasons.append(f"{edge_value:.2f} points from a cut-off that changes the verdict "
                       f"(< {ec.fragile_margin_points:g})")
    if mc is not None and mc.flip_probability > ec.fragile_flip_probability:
        reasons.append(f"the verdict flips in {mc.flip_probability:.0%} of weight draws "
                       f"(> {ec.fragile_flip_probability:.0%})")
    if reasons:
        label, reason = "fragile", "; ".join(reasons)
    else:
        where = ("no cut-off changes it" if edge_value is None
                 else f"{edge_value:.2f} points from the nearest cut-off that changes it")
        label = "robust"
        reason = where + (f"; flips in {mc.flip_probability:.0%} of weight draws"
                          if mc is not None else "")
    return Robustness(
        label=label, reason=reason, band_edge_distance=edge_value,
        weights=_weight_intervals(decision, config),
        cutoffs=_cutoff_intervals(decision, config), monte_carlo=mc,
    )


# -- public API ---------------------------------------------------------------------------


def explain(decision: Decision, engine: Any) -> Explanation:
    """Distance to the next better verdict, margin to the next worse one, and robustness.

    ``engine`` supplies the configuration (policy numbers, ``[explain]``) and the
    scorers' settings (bands, for turning points back into raw figures).
    """
    config: EngineConfig = engine.config
    assessment = assessment_from_decision(decision)
    notes = []
    policy_plugin = next((e.plugin for e in decision.trace if e.kind is EventKind.POLICY), None)
    if policy_plugin not in (None, DEFAULT_POLICY):
        notes.append(f"the decision was made by the policy of {policy_plugin}; the distances "
                     "follow the default policy")
    if decision.verdict is not Verdict.ERROR:
        replay = combine(assessment, config)
        if replay.verdict is not decision.verdict or (
            replay.score is not None and decision.score is not None
            and abs(replay.score - decision.score) > 1e-3
        ):
            notes.append(f"replaying the default policy gives {replay.verdict} "
                         f"({replay.score}), not {decision.verdict}: figures are approximate")
    precise = _precise(decision)
    return Explanation(
        verdict=decision.verdict,
        distance=_distance(precise, engine, config, assessment),
        margin=_margin(precise, config),
        robustness=_robustness(decision, config),
        notes=tuple(notes),
    )


def with_explanation(decision: Decision, explanation: Explanation | None) -> Decision:
    """The decision with ``explain`` set (nothing else changes)."""
    return attrs.evolve(decision, explain=explanation)


def explain_all(
    decisions: Iterable[Decision], engine: Any,
    on_error: Callable[[Decision, Exception], None] | None = None,
) -> list[Decision]:
    """Every decision with its explanation attached.

    With ``on_error``, a decision that cannot be explained (a policy plugin's
    decision the default policy cannot follow) is passed to it and kept
    without an explanation; without it, the exception propagates.
    """
    out = []
    for d in decisions:
        try:
            out.append(with_explanation(d, explain(d, engine)))
        except Exception as exc:
            if on_error is None:
                raise
            on_error(d, exc)
            out.append(d)
    return out

