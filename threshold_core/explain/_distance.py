"""Distance to the next better verdict: the blockers to clear and the points to gain.

From ``not_qualified`` to ``watch``, from ``watch`` to ``qualified``, and from
``insufficient_data`` or ``error`` to any graded verdict: first the blockers the
score cannot overcome (a failed gate, vetoes, on the way to ``qualified`` the
caps of high findings), then per dimension the points its scorer's score must
rise, and per metric the raw figure that would give them, where the scorer's
band can be inverted. Every figure is checked against the policy: its verdict and
composite under the change, worked out incrementally by :class:`._incremental.Replayer`
(the same answer as re-running it with :func:`~threshold_core.explain.what_if`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..model import (
    Assessment,
    Blocker,
    CoverageNeed,
    Decision,
    DimensionDistance,
    DimensionResult,
    Distance,
    Effect,
    EngineConfig,
    EventStatus,
    FactorKind,
    FindingLever,
    MetricChange,
    MetricScore,
    PolicyResult,
    Verdict,
    bn_against,
    format_against,
    format_cutoff,
    format_percent,
    format_score,
)
from ._evolve import builder, replacer
from ._incremental import Replayer
from ._inversion import _metric_changes, research_gains
from ._replay import _EPS, _RANK, STEP, _binding_caps, _ceil_step, _effective, _r, _shape, what_if

if TYPE_CHECKING:
    from ..engine import Engine


def _blocking_factors(decision: Decision) -> tuple[list[Blocker], set[str]]:
    blockers: list[Blocker] = []
    clear: set[str] = set()
    if decision.gate.passed is False:
        g = decision.gate
        tested = g.tested_cny if g.tested_cny is not None else g.valuation_cny
        short = g.line_cny - (tested or 0.0)
        own = ""
        if g.fx_rate and g.valuation_currency and g.valuation_currency.upper() != "CNY":
            own = f" ({bn_against(short / g.fx_rate)}bn {g.valuation_currency})"
        # Short by more than nothing, however little (never "0.00bn short").
        shown = f"{bn_against(short)}bn" if short >= 5e6 else format_against(short)
        blockers.append(Blocker("gate", "gate", f"valuation is {shown} CNY{own} "
                                f"short of the line of {bn_against(g.line_cny, g.line_cny)}bn CNY"))
        clear.add("gate")
    for f in decision.findings:
        if f.effect is Effect.VETO:
            blockers.append(Blocker("veto", f.rule, f"{f.rule} ({f.severity}) vetoes: {f.message}"))
            clear.add(f.rule)
    return blockers, clear


def _meaning(decision: Decision, config: EngineConfig, target: Verdict | None) -> str:
    v = decision.verdict
    if v is Verdict.ERROR:
        return ("the next better verdict is any verdict other than error: every scorer, rule "
                "and the policy must run without failing")
    if v is Verdict.INSUFFICIENT_DATA:
        return ("the next better verdict is a graded one (qualified, watch or not_qualified): "
                f"the score decides only once every dimension reaches {_floors(config)}, "
                "the gate can test the valuation (known, dated, of an accepted "
                "basis, sourced and not illustrative) and no rule that blocks lacks data")
    if target is None:
        return ("qualified is the best verdict: nothing better to reach; the margin says how "
                "far it is from the next worse verdict")
    if target is Verdict.QUALIFIED:
        return ("the next better verdict is qualified: a composite at or above the lowest "
                "qualified cut-off and no high finding (each one forces at most watch)")
    return ("the next better verdict is watch (or better): the gate passed, no critical "
            "finding, and a composite at or above the lowest cut-off that is not "
            "not_qualified")


def _below_floor(score: float, floor: float) -> str:
    """A score below its floor, to six significant digits, or more where those would
    show it at the floor."""
    shown = f"{score:g}"
    return shown if float(shown) < floor else format_score(score, [floor], 6)


def _pct_below(coverage: float, floor: float) -> str:
    """A coverage below its floor as a whole percentage, or with the digits that show it
    below (never ``coverage 60% < floor 60%``) and off 0% unless it is 0
    (:func:`format_percent`)."""
    return format_percent(coverage, (floor,))


def _exact(fraction: float) -> str:
    """A configured floor shown exactly (0.605 is 60.5%, not 61%)."""
    return format_percent(fraction, (fraction,))


def _floors(config: EngineConfig) -> str:
    """The coverage floors: the policy's, and each dimension's own where it has one."""
    own = [f"{name} {_exact(dc.coverage_floor)}" for name, dc in sorted(config.dimensions.items())
           if dc.coverage_floor is not None and dc.weight > 0]
    shown = f"the coverage floor of {_exact(config.policy.coverage_floor)}"
    return f"{shown} ({'; '.join(own)}: their own)" if own else shown


def _coverage_needs(decision: Decision, config: EngineConfig) -> tuple[CoverageNeed, ...]:
    out = []
    for d in decision.dimensions:
        floor = config.coverage_floor_for(d.name)
        if d.weight <= 0 or (d.coverage >= floor and d.score is not None):
            continue
        total = sum(m.weight for m in d.evidence)
        missing = sorted((m for m in d.evidence if m.points is None and m.weight > 0),
                         key=lambda m: (-m.weight, m.metric))
        chosen: list[MetricScore] = []
        got = d.coverage * total
        for m in missing:
            if chosen and got / total >= floor - _EPS:
                break  # at least one metric: the coverage as it is is below the floor
            chosen.append(m)
            got += m.weight
        reached = bool(chosen) and got / total >= floor - _EPS
        shown = f"coverage {_pct_below(d.coverage, floor)} < floor {_exact(floor)}"
        paths = tuple(dict.fromkeys(p for m in chosen for p in m.inputs))
        if not d.evidence:
            note = (f"{shown}; the scorer reports no "
                    "per-metric evidence, so which data it needs is its own")
        elif reached:
            note = (f"{shown}: supply "
                    f"{', '.join(m.metric for m in chosen)} to reach "
                    f"{format_percent(got / total, (floor,))}")
        else:
            note = (f"{shown}: even every missing metric only reaches "
                    f"{format_percent(got / total, (floor,))}"
                    if total else "no metric weight")
        out.append(CoverageNeed(d.name, d.coverage, floor, tuple(m.metric for m in chosen),
                                paths, note))
    return tuple(out)


_LEVERS = (Effect.VETO, Effect.CAP, Effect.DEDUCTION)


def _levers(replayer: Replayer, decision: Decision) -> tuple[FindingLever, ...]:
    out = []
    lever = builder(FindingLever)
    base = decision.score
    for f in decision.findings:
        if f.effect not in _LEVERS:
            continue
        verdict, score = replayer.lever(f.rule)
        out.append(lever(f.rule, f.effect, f.dimension,
                         None if score is None or base is None else _r(score - base), verdict))
    return tuple(out)


def _distance(
    decision: Decision, engine: Engine, config: EngineConfig,
    assessment: Callable[[], Assessment], replay: PolicyResult | None,
    replayer: Replayer | None,
) -> Distance:
    """``replay`` is the default policy on the assessment ``assessment()`` gives (the
    decision's, rebuilt only when a question needs the policy's full result) and
    ``replayer`` its :class:`Replayer` (both None only for an ``error`` verdict, which
    replays nothing)."""
    v = decision.verdict
    grades = config.policy.grades
    if v is Verdict.ERROR:
        failed = [e for e in decision.trace if e.status is EventStatus.ERROR]
        errors = tuple(Blocker("error", e.component, f"{e.component} ({e.plugin}): {e.message}")
                       for e in failed)
        return Distance(target=None, meaning=_meaning(decision, config, None), blockers=errors)
    assert replay is not None and replayer is not None
    if v is Verdict.QUALIFIED:
        return Distance(target=None, meaning=_meaning(decision, config, None),
                        findings=_levers(replayer, decision))

    blockers, clear = _blocking_factors(decision)
    shortfall = None
    if decision.gate.passed is False:
        g = decision.gate
        tested = g.tested_cny if g.tested_cny is not None else g.valuation_cny
        # Unrounded: a failed gate is short by more than nothing (3.7e-05 CNY, not 0.0).
        shortfall = g.line_cny - (tested or 0.0)

    if v is Verdict.INSUFFICIENT_DATA:
        more = [
            Blocker(
                "valuation" if f.subject == "gate" else
                ("block" if f.kind is FactorKind.BLOCK else "coverage"),
                f.subject or "", f.detail)
            for f in decision.determining
            if f.kind in (FactorKind.INSUFFICIENT_DATA, FactorKind.BLOCK)
        ]
        verdict, score = replayer.outcome(full_coverage=True)
        graded = verdict in _RANK
        return Distance(
            target=None, meaning=_meaning(decision, config, None), blockers=tuple(more),
            verdict_if_cleared=verdict if graded else None,
            score_if_cleared=score if graded else None,
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
        for dim in decision.dimensions:
            floor = config.policy.floor_for(dim.name)
            if dim.weight > 0 and dim.score is not None and dim.score < floor:
                blockers.append(Blocker("floor", dim.name, f"{dim.name} scores "
                                        f"{_below_floor(dim.score, floor)}, "
                                        f"below its floor {format_cutoff(floor)}: raise it to "
                                        f"{format_cutoff(floor)}"))
    if not clear:  # the policy on the assessment as it is, already replayed
        cleared = replay
    elif replayer.keeps_dimensions(clear):
        # Clearing the gate or vetoes moves no dimension score and no cap: the replay's
        # dimensions, with the verdict and composite the policy gives without them.
        verdict, score = replayer.outcome(clear=clear)
        cleared = replacer(PolicyResult, "verdict", "score")(replay, verdict, score)
    else:
        cleared = what_if(assessment(), config, clear=clear)
    capped_after = any(f.effect is Effect.CAP for f in cleared.findings)
    cuts = [b.min_score for b in grades if _RANK.get(_effective(b, capped_after), 9) <= target_rank]
    base = Distance(
        target=target, meaning=_meaning(decision, config, target), blockers=tuple(blockers),
        gate_shortfall_cny=shortfall, verdict_if_cleared=cleared.verdict,
        score_if_cleared=cleared.score, findings=_levers(replayer, decision),
    )
    if cleared.verdict is Verdict.INSUFFICIENT_DATA:
        return replacer(Distance, "coverage")(base, _coverage_needs(decision, config))
    if not cuts or cleared.score is None:
        return base
    cut = min(cuts)
    gap = max(0.0, cut - cleared.score)
    # The policy's results round raw_score; the distances start from the exact scores
    # (the decision's own, already exact: a dimension with a score has a scorer result).
    exact = {d.name: d.raw_score for d in decision.dimensions if d.raw_score is not None}
    raw_score = replacer(DimensionResult, "raw_score")
    dims = []
    for d in cleared.dimensions:
        score = exact.get(d.name, d.raw_score)
        dims.append(_dimension_distance(d if score is d.raw_score else raw_score(d, score),
                                        cleared, cut, target_rank, tuple(sorted(clear)),
                                        engine, replayer, clear))
    return replacer(Distance, "target_score", "gap", "dimensions")(base, cut, _r(gap),
                                                                  tuple(dims))


def _dimension_distance(
    d: DimensionResult, cleared: PolicyResult, cut: float, target_rank: int,
    global_clear: tuple[str, ...], engine: Engine, replayer: Replayer, clear: set[str],
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

    if d.left_out is not None:
        return out(None, None, (), f"left out ({d.left_out}): it does not count; data up to "
                   "its coverage floor would bring it in, the other weights renormalised")
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
        return out(None, None, (), f"needs a score of {format_score(needed_score, (100.0,))}, "
                   "above 100")
    adjustments = d.adjustments
    caps = _binding_caps(adjustments, needed_score)
    if caps:
        adjustments = tuple(a for a in adjustments if a.rule not in caps)
    total, _cap = _shape(adjustments)
    target_raw = max(d.raw_score, needed_score - total)
    if target_raw > 100.0 + _EPS:
        return out(None, None, caps, "needs a scorer score of "
                   f"{format_score(target_raw, (100.0,))} "
                   f"(after {-total:g} points of deductions), above 100")
    rise = target_raw - d.raw_score
    points = 0.0 if rise <= _EPS else _ceil_step(rise)
    # Check against the policy itself; rounding in the composite may need one more step.
    for _ in range(5):
        raised = min(100.0, d.raw_score + points)
        verdict, score = replayer.outcome(raw_scores={d.name: raised}, clear=clear | set(caps))
        if _RANK.get(verdict, 9) <= target_rank:
            break
        points = round(points + STEP, 10)
    else:  # pragma: no cover - the closed form is exact up to rounding
        return out(None, None, caps, "not reached when replayed through the policy")
    gained = None if score is None or cleared.score is None else _r(score - cleared.score)
    raised = round(min(100.0, d.raw_score + points), 4)
    if caps and points <= 0:
        where = f"clearing {', '.join(caps)} (a cap on {d.name}) is enough"
    else:
        where = (f"raise {d.name} from {format_score(d.raw_score, (target_raw,), 2)} to "
                 f"{format_score(raised, (target_raw,), 2)} (+{points:.2f} points)")
        if caps:
            they = "it caps" if len(caps) == 1 else "they cap"
            verb = "is" if len(caps) == 1 else "are"
            where += (f" once {', '.join(caps)} {verb} cleared ({they} {d.name} below "
                      "the need)")
    gains = research_gains(d)
    if gains:
        # Omission never helps: each withheld figure counts at its lowest points.
        shown = ", ".join(f"{metric} (up to {g:.2f})" for metric, g in gains[:3])
        where += (f"; researching {shown} could add up to {sum(g for _, g in gains):.2f} "
                  f"points to {d.name} (counted at their lowest points until researched)")
    return out(points, raised, caps, where, _metric_changes(d, points, engine), gained)
