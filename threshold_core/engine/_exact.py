"""Comparisons with a configured cut-off, decided exactly.

Every ratio the policy compares with a configured cut-off (a grade band's
``min_score``, a coverage floor, a dimension floor, the illustrative share's limit)
is a weighted mean of numbers the configuration or a scorer wrote. Float arithmetic
decides it away from the cut-off; within a hair of one (:data:`NEAR`, relative), the
mean is recomputed with exact rational arithmetic, each configured number taken as
the decimal it is written as (``0.15`` is 3/20, not the binary float nearest it), so
scaling relative weights never changes a verdict: covered weight 3.0 of 5.0 is 60%,
never 59.999999999999986%. The float returned lies on the same side of every
cut-off as the exact value, so comparing it with ``<`` or ``>=`` gives the exact
answer and displaying it shows what was compared.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from ..model import written

if TYPE_CHECKING:  # fractions loads only near a cut-off: 3 ms of a command's start-up
    from fractions import Fraction

#: Within this relative distance of a cut-off, a ratio is recomputed exactly.
NEAR = 1e-9


def near(value: float, cutoffs: Iterable[float]) -> list[float]:
    """The cut-offs within :data:`NEAR` (relative) of ``value``."""
    # A loop, not a comprehension (its own frame): this runs for every comparison.
    # abs() and max() written out as comparisons (the same results, NaN and infinities
    # included, without the calls).
    hits = []
    for c in cutoffs:
        tol = NEAR * (c if c > 1.0 else -c if c < -1.0 else 1.0)  # NEAR * max(1.0, |c|)
        if -tol <= value - c <= tol:  # |value - c| <= tol
            hits.append(c)
    return hits


def on_exact_side(value: float, exact: Callable[[], Fraction],
                  cutoffs: Iterable[float]) -> float:
    """``value``, or near a cut-off the float nearest ``exact()`` held on the side of every
    cut-off the exact value is on (``exact`` is only called near one)."""
    hits = near(value, cutoffs)
    if not hits:
        return value
    x = exact()
    shown = float(x)
    for c in hits:
        if (shown >= c) != (x >= written(c)):
            # Exactly below c, though it rounds to c (correct rounding never lifts a value
            # at or above c below it, so only this side needs holding).
            shown = math.nextafter(c, -math.inf)
    return shown


def weighted_mean(pairs: Sequence[tuple[float, Fraction]]) -> Fraction:
    """``Σ w·s / Σ w`` of configured weights (as written) and exact values. With every
    weight positive and every value the same, that value (no rational arithmetic)."""
    from fractions import Fraction

    if pairs and all(w > 0 for w, _ in pairs):
        first = pairs[0][1]
        if all(s == first for _, s in pairs):
            return Fraction(first)

    total = sum((written(w) for w, _ in pairs), Fraction(0))
    return sum((written(w) * s for w, s in pairs), Fraction(0)) / total


def counted_points(m: Any) -> float | None:
    """The points a metric counts at in its dimension's score: its own, else (no data)
    the ``assumed_points`` its scorer counted it at, else None (left out of the mean)."""
    return m.points if m.points is not None else getattr(m, "assumed_points", None)


def _consistent(metrics: Sequence[Any], coverage: float, score: float | None) -> bool:
    """Whether the metric evidence reproduces the scorer's coverage and score (a scorer
    of our kit); a scorer that computes them otherwise keeps its own floats."""
    total = sum(m.weight for m in metrics)
    got = sum(m.weight for m in metrics if m.points is not None and m.weight > 0)
    if not total > 0 or abs(got / total - coverage) > 1e-12:
        return False
    if score is None or not got > 0:
        return score is None
    counted = [(m.weight, p) for m in metrics
               if m.weight > 0 and (p := counted_points(m)) is not None]
    mean = sum(w * p for w, p in counted) / sum(w for w, _ in counted)
    return bool(abs(mean - score) <= 1e-9 * max(1.0, abs(score)))


def exact_coverage(coverage: float, metrics: Sequence[Any], floor: float,
                   score: float | None = None) -> float:
    """A scorer's coverage held on the exact side of ``floor``: the share of its metric
    weight (as written) that had data."""
    if not near(coverage, (floor,)) or not metrics or not _consistent(metrics, coverage,
                                                                          score):
        return coverage

    def exact() -> Fraction:
        return _covered_share(tuple((m.weight, m.points is not None and m.weight > 0)
                                    for m in metrics))

    return on_exact_side(coverage, exact, (floor,))


#: The exact covered share per ``((weight, had data), ...)``: the same configured weights
#: with the same metrics missing come back decision after decision.
_COVERED: dict[tuple[tuple[float, bool], ...], Fraction] = {}


def _covered_share(pattern: tuple[tuple[float, bool], ...]) -> Fraction:
    """The share of the weights (as written) of the metrics that had data, exactly."""
    got = _COVERED.get(pattern)
    if got is None:
        from fractions import Fraction

        got = weighted_mean([(w, Fraction(int(has))) for w, has in pattern])
        if len(_COVERED) >= 4096:
            _COVERED.clear()
        _COVERED[pattern] = got
    return got


def exact_raw(raw: float, metrics: Sequence[Any], coverage: float) -> Fraction:
    """A dimension's scorer score exactly: the weighted mean of its metrics' points (a
    metric without data at its ``assumed_points``) with the weights as written (the
    float's own value for a scorer that is not our kit's)."""
    from fractions import Fraction

    if metrics and _consistent(metrics, coverage, raw):
        return weighted_mean([(m.weight, Fraction(p)) for m in metrics
                              if m.weight > 0 and (p := counted_points(m)) is not None])
    return Fraction(raw)


def exact_final(raw: Callable[[], Fraction], deductions: Sequence[float],
                caps: Sequence[float]) -> Fraction:
    """The final score exactly as the policy forms it: deductions first, caps as a
    ceiling, held to 0-100."""
    from fractions import Fraction

    score = raw() + sum((written(d) for d in deductions), Fraction(0))
    for cap in caps:
        score = min(score, written(cap))
    return max(Fraction(0), min(Fraction(100), score))


def final_exactly(raw: float, result: Any, deductions: Sequence[float],
                  caps: Sequence[float]) -> Callable[[], Fraction]:
    """A dimension's final score exactly (``result`` its scorer's result, ``raw`` the score
    used, which a what-if may have replaced), to work out only near a cut-off."""
    # A partial, not a closure: made for every dimension of every decision, called only
    # near a cut-off.
    return partial(_final_exactly, raw, result, deductions, caps)


def _final_exactly(raw: float, result: Any, deductions: Sequence[float],
                   caps: Sequence[float]) -> Fraction:
    """:func:`final_exactly`'s value, worked out."""
    if exactly_zero(raw, result, deductions, caps):
        from fractions import Fraction

        return Fraction(0)
    return exact_final(lambda: exact_raw(raw, result.metrics, result.coverage),
                       deductions, caps)


def held_final(score: float, raw: float, result: Any, deductions: Sequence[float],
               caps: Sequence[float], floor: float) -> tuple[float, Callable[[], Fraction]]:
    """A dimension's final ``score`` (its float, held to 0-100) held as the policy holds it,
    and its exact value (:func:`final_exactly`, worked out only near a cut-off): on the
    exact side of the dimension's ``floor``, and, off 0 and 100, on the exact side of 0 and
    of 100 (float noise of an exact 0 is shown as 0, of an exact 100 as 100: weights of 0.1
    and 0.2 on two metrics at 100 points give 99.99999999999999). A score of 0.0 known to
    be exactly 0 (:func:`exactly_zero`) is on the exact side of every cut-off as it is; 100.0
    is not held by 100 itself (an exact value a hair below 100 shows as 100.0, as it rounds;
    a floor at 100 still holds it)."""
    exact = final_exactly(raw, result, deductions, caps)
    if score != 0.0:
        return on_exact_side(score, exact, (floor, 0.0) if score == 100.0
                             else (floor, 0.0, 100.0)), exact
    if not exactly_zero(raw, result, deductions, caps):
        return on_exact_side(score, exact, (floor,)), exact
    return score, exact


def exactly_zero(raw: float, result: Any, deductions: Sequence[float],
                 caps: Sequence[float]) -> bool:
    """Whether the final score :func:`final_exactly` works out is exactly 0, known without
    rational arithmetic (its float, held to 0-100, is then 0.0 too, so no cut-off can have
    the two on different sides)."""
    # Deducted or capped clearly below 0, the score is held at exactly 0: the exact raw
    # score is within 1e-9 (relative) of ``raw`` (``_consistent``; points are 0-100),
    # each deduction and cap within 1e-16 of its float, far inside this margin.
    low = raw + sum(deductions)
    for cap in caps:
        low = min(low, cap)
    # Or a raw score of exactly 0 (every point counted 0, which is then the exact mean, or
    # the float's own value), nothing added: held at exactly 0 too.
    return bool(low < -1e-6 * (1.0 + abs(raw) + sum(map(abs, deductions))) or (
        raw == 0.0 and _no_points(result.metrics) and _none_added(deductions)))


def _none_added(deductions: Sequence[float]) -> bool:
    """Whether no deduction adds to the score (a loop: a generator is a function a call)."""
    for d in deductions:  # noqa: SIM110
        if not d <= 0.0:
            return False
    return True


def _no_points(metrics: Sequence[Any]) -> bool:
    """Whether some metric counts in the score and every one that does counts 0 points."""
    counted = False
    for m in metrics:
        if m.weight > 0 and (p := counted_points(m)) is not None:
            if p != 0.0:
                return False
            counted = True
    return counted


def composite_score(pairs: Sequence[tuple[float, float]], cutoffs: Sequence[float],
                    exact_scores: Callable[[], Sequence[Fraction]] | None = None) -> float:
    """The weighted mean of ``(configured weight, score)`` pairs, exact where it decides.

    Weights are never rounded before use (a third stays a third, not 0.333333).
    Away from every cut-off the float result is far closer than any band edge;
    within a hair of one, the mean is recomputed with exact rational arithmetic
    (:func:`~threshold_core.engine._exact.on_exact_side`: weights as written, the
    scores exactly as ``exact_scores`` gives them, else the floats' own values),
    and the float returned lies on the same side of every cut-off as the exact
    value, so comparing it with ``>=`` gives the exact verdict and displaying it
    shows what was compared.
    """
    # Loops, not generator expressions (each a function made per call: this runs in every
    # decision); fsum gives the same sum of the same terms.
    weights: list[float] = []
    scores: list[float] = []
    products: list[float] = []
    for w, s in pairs:
        weights.append(w)
        scores.append(s)
        products.append(w * s)
    total = math.fsum(weights)
    # A weighted mean lies between the smallest and the largest score; the float
    # division can overshoot by an ulp (100.00000000000001), so it is held there.
    value = min(max(math.fsum(products) / total, min(scores)), max(scores))
    return on_exact_side(value, partial(_composite_exactly, pairs, exact_scores), cutoffs)


def _composite_exactly(pairs: Sequence[tuple[float, float]],
                       exact_scores: Callable[[], Sequence[Fraction]] | None) -> Fraction:
    """:func:`composite_score`'s mean exactly: the weights as written, the scores as
    ``exact_scores`` gives them, else the floats' own values."""
    from fractions import Fraction

    got = exact_scores() if exact_scores is not None else [Fraction(s) for _, s in pairs]
    return weighted_mean([(w, x) for (w, _), x in zip(pairs, got, strict=True)])
