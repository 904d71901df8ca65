"""Fixed piecewise-linear bands: raw figure -> 0-100 points.

A :class:`Band` maps a raw figure to 0-100 points by linear interpolation
between fixed anchor points, clamped at both ends; with ``log = True`` it
interpolates on log10 of the figure (each tenfold step alike: an amount of
money), so its anchors must be above 0. Bands are absolute (not peer-relative
min-max), so adding a company to a portfolio never changes another company's
score.
"""

from __future__ import annotations

import itertools
import math
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from attrs import field, frozen

from ..model import format_cutoff


def _points(value: Iterable[Iterable[float]]) -> tuple[tuple[float, float], ...]:
    pts = tuple((float(x), float(y)) for x, y in value)
    if len(pts) < 2:
        raise ValueError("a band needs at least two [x, points] pairs")
    for (x0, _), (x1, _) in itertools.pairwise(pts):
        if not x1 > x0:
            raise ValueError(f"band x values must increase strictly, got {x0} then {x1}")
    for _, y in pts:
        if not 0.0 <= y <= 100.0:
            raise ValueError(f"band points must be within 0-100, got {y}")
    return pts


@lru_cache(maxsize=1024)
def _describe(points: tuple[tuple[float, float], ...]) -> str:
    # the anchors as configured, exactly (an edge of 74.9999999 is never "75")
    return ", ".join(f"{format_cutoff(x)}\u2192{format_cutoff(y)}" for x, y in points)


def _positive_when_log(instance: Band, attribute: Any, value: bool) -> None:
    if value and instance.points[0][0] <= 0:
        raise ValueError("anchors must be above 0 (the band is interpolated on log10)")


@frozen
class Band:
    """Anchor points ``(raw, points)``; interpolated between, clamped outside."""

    #: Anchors sorted by raw value.
    points: tuple[tuple[float, float], ...] = field(converter=_points)
    #: Interpolate on log10 of the raw figure (anchors above 0; a figure at or below 0
    #: takes the first anchor's points).
    log: bool = field(default=False, validator=_positive_when_log)

    def __call__(self, x: float) -> float:
        pts = self.points
        if x <= pts[0][0]:
            return pts[0][1]
        if x >= pts[-1][0]:
            return pts[-1][1]
        for (x0, y0), (x1, y1) in itertools.pairwise(pts):
            if x <= x1:
                if self.log:
                    return y0 + (y1 - y0) * math.log10(x / x0) / math.log10(x1 / x0)
                return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
        raise AssertionError("unreachable")  # pragma: no cover

    def lowest(self) -> float:
        """The fewest points the band gives any raw figure: its lowest anchor's points
        (interpolation and clamping never go below them). A metric without data counts at
        these until researched (:func:`~threshold_core.kit.score_metrics`); a subclass that
        changes ``__call__`` so that it can give fewer overrides this too."""
        return min(y for _, y in self.points)

    @property
    def direction(self) -> str:
        """``"higher"`` when more raw is better, ``"lower"`` when less is, else ``"mixed"``."""
        ys = [y for _, y in self.points]
        if all(b >= a for a, b in itertools.pairwise(ys)):
            return "higher"
        if all(b <= a for a, b in itertools.pairwise(ys)):
            return "lower"
        return "mixed"

    def invert(self, target: float) -> float | None:
        """The smallest raw value (for a rising band) that yields ``target`` points.

        None when no raw value reaches the target.
        """
        pts = self.points
        for (x0, y0), (x1, y1) in itertools.pairwise(pts):
            lo, hi = min(y0, y1), max(y0, y1)
            if lo <= target <= hi:
                if y1 == y0:
                    return x0
                return self.between(x0, x1, (target - y0) / (y1 - y0))
        return None

    def between(self, x0: float, x1: float, share: float) -> float:
        """The raw figure ``share`` of the way from ``x0`` to ``x1`` (on log10 when ``log``)."""
        if self.log:
            return float(x0 * (x1 / x0) ** share)
        return x0 + share * (x1 - x0)

    def describe(self) -> str:
        """``"0→0, 50→50, 80→100"`` (cached: every scored metric prints it), then
        ``" on log10"`` for a log band."""
        return _describe(self.points) + (" on log10" if self.log else "")

    def as_function(self) -> Callable[[float], float]:
        """``self(x)`` as a function with the anchors unpacked once (a scorer's plan keeps
        one per metric): the same arithmetic, the segment found by bisection. A subclass of
        :class:`Band` is called as it is."""
        if type(self) is not Band:
            return self
        pts = self.points
        xs = [x for x, _ in pts]
        (x_first, y_first), (x_last, y_last) = pts[0], pts[-1]
        log10, on_log = math.log10, self.log

        def points(x: float) -> float:
            if x <= x_first:
                return y_first
            if x >= x_last:
                return y_last
            # The first anchor at or above x (x is above the first anchor: index 1 or more).
            i = bisect_left(xs, x)
            x0, y0 = pts[i - 1]
            x1, y1 = pts[i]
            if on_log:
                return y0 + (y1 - y0) * log10(x / x0) / log10(x1 / x0)
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0)

        return points


BandTable = Mapping[str, Sequence[Sequence[float]]]


def renamed_metric_check(renamed: Mapping[str, str], given: Mapping[str, Any],
                         table: str) -> None:
    """Raise ``ValueError`` naming the replacement when ``given`` uses a renamed metric
    (``renamed``: old name -> what replaced it)."""
    for old, new in renamed.items():
        if old in given:
            raise ValueError(f"{table}: metric {old!r} was replaced by {new}")


def merged_bands(
    defaults: BandTable, *, log: Iterable[str] = (), renamed: Mapping[str, str] | None = None,
) -> Callable[[BandTable], dict[str, Band]]:
    """An attrs converter: the default bands overlaid with the given ones, as :class:`Band`
    (interpolated on log10 for the metrics named in ``log``); a metric named in ``renamed``
    (old name -> what replaced it) is an error naming its replacement."""
    on_log = frozenset(log)

    def convert(given: BandTable) -> dict[str, Band]:
        renamed_metric_check(renamed or {}, given, "bands")
        unknown = sorted(set(given) - set(defaults))
        if unknown:
            raise ValueError(
                f"unknown metric {', '.join(map(repr, unknown))} in bands "
                f"(known: {', '.join(sorted(defaults))})"
            )
        out: dict[str, Band] = {}
        for name, pts in {**defaults, **given}.items():
            if isinstance(pts, Band):
                out[name] = pts
                continue
            try:
                out[name] = Band(pts, log=name in on_log)
            except (ValueError, TypeError) as exc:
                raise ValueError(f"band {name!r}: {exc}") from None
        return out

    return convert
