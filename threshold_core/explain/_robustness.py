"""Robustness of a verdict: how far weights and grade cut-offs can move before it changes.

For each weight (the others renormalised) and each grade cut-off, the interval
over which the verdict holds; optionally a seeded Monte Carlo over weights
drawn from Dirichlet(concentration x weights); and a label, ``robust`` or
``fragile``, by the rule in ``[explain]``.
"""

from __future__ import annotations

import math

import attrs

from ..model import (
    CutoffInterval,
    Decision,
    EngineConfig,
    FactorKind,
    MonteCarlo,
    Robustness,
    Verdict,
    WeightInterval,
    format_against,
    format_cutoff,
    format_percent,
)
from ._inversion import research_note
from ._replay import _EPS, _capped, _holding_interval, _r, _score_decided, _verdict_at

#: The least positive float: a distance above 0 is never shown as 0.00.
_LEAST = 5e-324


def _weight_intervals(decision: Decision, config: EngineConfig) -> tuple[WeightInterval, ...]:
    assert decision.score is not None
    capped = _capped(decision)
    low, high, _w, _b = _holding_interval(decision.score, config.policy.grades, capped)
    dims = [d for d in decision.dimensions if d.score is not None and d.left_out is None]
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
    dims = [d for d in decision.dimensions
            if d.score is not None and d.configured_weight > 0 and d.left_out is None]
    total = sum(d.configured_weight for d in dims)
    if not dims or total <= 0 or decision.score is None:
        return None
    import random  # only for the draws (about 0.8 ms of a start that makes none)

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
    found = _robustness_of_counted(decision, config)
    left_out = [f"{d.name} left out ({d.left_out})" for d in decision.dimensions if d.left_out]
    if not left_out:
        return found
    return attrs.evolve(found, reason=f"{found.reason}; {', '.join(left_out)}: weights "
                        "and draws cover the other dimensions, renormalised")


def _robustness_of_counted(decision: Decision, config: EngineConfig) -> Robustness:
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
    fragile, flips = ec.fragile_margin_points, ec.fragile_flip_probability
    # the unrounded distance is compared (0.99996 points is within a 1-point margin) and
    # shown on its side of the margin and off 0 (never "0.00 points from a cut-off")
    near = None if math.isinf(edge) else format_against(edge, (fragile, _LEAST), 2, False)
    flipped = None if mc is None else format_percent(mc.flip_probability, (flips,))
    if near is not None and edge < fragile:
        reasons.append(f"{near} points from a cut-off that changes the verdict "
                       f"(< {format_cutoff(fragile)})")
    if mc is not None and mc.flip_probability > flips:
        reasons.append(f"the verdict flips in {flipped} of weight draws "
                       f"(> {format_percent(flips, (flips,))})")
    if reasons:
        label, reason = "fragile", "; ".join(reasons)
    else:
        where = ("no cut-off changes it" if near is None
                 else f"{near} points from the nearest cut-off that changes it")
        label = "robust"
        reason = where + (f"; flips in {flipped} of weight draws" if mc is not None else "")
    # Omission never helps: a withheld figure counts at its lowest points, so research
    # can only raise the score; say how far.
    research = research_note(decision.dimensions)
    if research is not None:
        reason = f"{reason}; {research}"
    return Robustness(
        label=label, reason=reason, band_edge_distance=edge_value,
        weights=_weight_intervals(decision, config),
        cutoffs=_cutoff_intervals(decision, config), monte_carlo=mc,
    )
