"""Metric inversion: the raw figure a metric would need for its dimension to gain the points
the distance asks for, where the scorer's band can be inverted (used by :mod:`._distance`).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from ..engine import counted_points
from ..kit import Band
from ..model import (
    DimensionResult,
    MetricChange,
    MetricScore,
    format_against,
    format_cutoff,
    format_score,
)
from ._replay import _EPS, _r, _shape

if TYPE_CHECKING:
    from ..engine import Engine


def _band_of(engine: Engine, scorer: str, metric: str) -> Band | None:
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
                return band.between(x0, x1, (min(target, y1) - y0) / (y1 - y0))
        return None
    if direction == "lower":
        if pts[-1][1] >= target - _EPS:
            return math.inf
        for (x0, y0), (x1, y1) in reversed(list(itertools.pairwise(pts))):
            if y1 < target <= y0 + _EPS:
                return band.between(x0, x1, (min(target, y0) - y0) / (y1 - y0))
        return None
    return None


def _fmt(x: float, cutoffs: Sequence[float] = ()) -> str:
    """A raw figure with four decimals, without trailing zeros: a target as stored (already
    rounded to the safe side), a current figure with the digits that keep it off the
    target it is compared with and off 0 (:func:`format_against`)."""
    shown = format_against(x, cutoffs, 4)
    return shown.rstrip("0").rstrip(".") if "." in shown else shown


def _pts(points: float, *others: float) -> str:
    """Points (one decimal) needed or held, never shown onto or across 100, a whole
    number, or the other figure they are shown beside (:func:`format_score`)."""
    return format_score(points, (100.0, *others))


def _counted(dim: DimensionResult) -> list[tuple[MetricScore, float]]:
    """The metrics the dimension's scorer score averages, with the points each counts at
    (a metric without data at its ``assumed_points``, where the scorer gives them)."""
    return [(m, p) for m in dim.evidence
            if m.weight > 0 and (p := counted_points(m)) is not None]


def research_gains(dim: DimensionResult) -> tuple[tuple[str, float], ...]:
    """``(metric, points)`` per metric counted at its least favourable points for lack of
    data: the most researching it alone could add to the dimension's scorer score (its
    figure at 100 points instead), largest first. Empty when the evidence does not add up
    to the scorer's score."""
    counted = _counted(dim)
    total = sum(m.weight for m, _ in counted)
    if dim.raw_score is None or not total > 0 or abs(
            sum(m.weight * p for m, p in counted) / total - dim.raw_score) > 1e-3:
        return ()
    gains = [(m.metric, (100.0 - p) * m.weight / total) for m, p in counted
             if m.points is None and p < 100.0]
    return tuple(sorted(gains, key=lambda g: (-g[1], g[0])))


def _metric_changes(
    dim: DimensionResult, needed: float, engine: Engine
) -> tuple[MetricChange, ...]:
    """Per metric, moved alone: the raw figure giving the dimension ``needed`` more points."""
    if needed <= 0 or dim.raw_score is None:
        return ()
    counted = _counted(dim)
    if not any(m.points is not None for m, _ in counted):
        return ()
    total = sum(m.weight for m, _ in counted)
    recomputed = sum(m.weight * p for m, p in counted) / total
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
        if m.points is None and m.assumed_points is not None:
            # Counted at its least favourable points: supplying it replaces them.
            out.append(_change(m, m.assumed_points + needed * total / m.weight, engine,
                               dim.component, supply=True))
        elif m.points is None:
            # Supplying the metric adds its weight to the mean (and to the coverage).
            target = dim.raw_score + needed
            need = (target * (total + m.weight) - dim.raw_score * total) / m.weight
            out.append(_change(m, need, engine, dim.component, supply=True))
        else:
            out.append(_change(m, m.points + needed * total / m.weight, engine, dim.component))
    return tuple(out)


def _change(
    m: MetricScore, target_points: float, engine: Engine, scorer: str, *, supply: bool = False
) -> MetricChange:
    current = m.points
    action = "supply" if supply else "raise"
    if target_points > 100.0 + _EPS:
        what = "even 100 points on it" + (" (supplied)" if supply else "")
        return MetricChange(m.metric, "none", m.raw, None, current, _r(target_points),
                            f"{m.metric}: {what} is not enough (needs {_pts(target_points)})")
    target_points = max(0.0, target_points)
    band = _band_of(engine, scorer, m.metric)
    if m.states and band is not None and not supply:
        return _change_state(m, target_points, band)
    if band is None:
        return MetricChange(m.metric, action, m.raw, None, current, _r(target_points),
                            f"{m.metric}: needs {_pts(target_points)} points; not invertible "
                            "(the scorer exposes no band for it)")
    if not supply and (m.raw is None or abs(band(m.raw) - (current or 0.0)) > 1e-3):
        return MetricChange(m.metric, action, m.raw, None, current, _r(target_points),
                            f"{m.metric}: needs {_pts(target_points)} points; not invertible "
                            "(the scorer adjusts its points beyond the band)")
    raw = _invert(band, target_points)
    if raw is None or band.direction == "mixed":
        return MetricChange(m.metric, action, m.raw, None, current, _r(target_points),
                            f"{m.metric}: needs {_pts(target_points)} points; not invertible "
                            "(the band is not monotone)")
    lower = band.direction == "lower"
    if math.isinf(raw):  # every figure gives the points (only when supplying)
        raw = band.points[-1][0] if lower else band.points[0][0]
    # Round towards the safe side so the figure shown always gives the points.
    raw = math.floor(raw * 1e4) / 1e4 if lower else math.ceil(raw * 1e4) / 1e4
    if supply:
        rel = "<=" if lower else ">="
        missing = ("missing" if m.assumed_points is None
                   else f"missing: counted at {format_cutoff(m.assumed_points)} points until "
                   "researched")
        note = (f"supply {m.metric} ({missing}) at {rel} {_fmt(raw)} "
                f"({_pts(target_points)} points)")
    else:
        action = "lower" if lower else "raise"
        note = (f"{action} {m.metric} from {_fmt(m.raw or 0.0, (raw,))} to {_fmt(raw)} "
                f"(points {_pts(current or 0.0, target_points)} -> "
                f"{_pts(target_points, current or 0.0)})")
    return MetricChange(m.metric, action, m.raw, raw, current, _r(target_points), note)


def _change_state(m: MetricScore, target_points: float, band: Band) -> MetricChange:
    """A categorical metric: the states whose figure gives the points, never a number."""
    reach = sorted((raw, state) for state, raw in m.states.items()
                   if band(raw) >= target_points - _EPS and state != m.state)
    if not reach:
        return MetricChange(m.metric, "none", m.raw, None, m.points, _r(target_points),
                            f"{m.metric}: no state gives {_pts(target_points)} points "
                            f"(now {m.state})")
    raw, state = reach[0]
    others = [s for _, s in reach[1:]]
    note = (f"change {m.metric} from {m.state} to {state}"
            + (f" (or {', '.join(others)})" if others else "")
            + f" (points {_pts(m.points or 0.0, band(raw))} -> "
              f"{_pts(band(raw), m.points or 0.0)})")
    return MetricChange(m.metric, "change", m.raw, raw, m.points, _r(target_points), note)


def research_note(dims: Sequence[DimensionResult]) -> str | None:
    """What researching the figures counted at their least favourable points could add
    to the composite at most (each at 100 points, through the dimension's caps and
    deductions), naming them, the most valuable first; None when no counted dimension has
    such a figure."""
    named: list[tuple[float, str]] = []
    gained = 0.0
    for d in dims:
        if d.weight <= 0 or d.score is None or d.raw_score is None:
            continue
        gains = research_gains(d)
        if not gains:
            continue
        total, cap = _shape(d.adjustments)
        best = max(0.0, min(100.0, d.raw_score + sum(g for _, g in gains) + total, cap))
        named.extend((-d.weight * g, f"{d.name}.{metric}") for metric, g in gains)
        gained += d.weight * max(0.0, best - d.score)
    if not named:
        return None
    names = [name for _, name in sorted(named)]
    shown = ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")
    return (f"researching {shown} (counted at their lowest points until researched) could "
            f"add up to {gained:.2f} points to the composite")
