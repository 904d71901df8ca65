"""The policy's hot path written as loops (no comprehension, generator or closure made per
decision) gives what the written-out formulas give: the test of a value near a cut-off
(comparisons instead of ``abs``/``max``), the composite (lists summed by ``fsum`` instead
of generators), and each dimension's exact final score (a ``partial`` instead of a
closure), each held to its reference restated here."""

from __future__ import annotations

import contextlib
import math
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from threshold_core.engine import composite_score, final_exactly, on_exact_side
from threshold_core.model import DimensionScore, MetricScore

NEAR = 1e-9

ANY_FLOAT = st.floats(allow_nan=True, allow_infinity=True)
CUTOFF = st.one_of(ANY_FLOAT, st.integers(-200, 200), st.sampled_from(
    [0.0, -0.0, 1.0, -1.0, 0.6, 65.0, 75.0, 100.0, 1e-9, -1e-9]))


def near_reference(value: float, cutoffs: list[float]) -> list[float]:
    return [c for c in cutoffs if abs(value - c) <= NEAR * max(1.0, abs(c))]


@settings(max_examples=400, deadline=None)
@given(st.one_of(ANY_FLOAT, st.sampled_from([0.0, 65.0, 65.0 + 1e-8, 75.0 - 5e-8, 1.0])),
       st.lists(CUTOFF, max_size=4))
def test_near_a_cutoff_as_abs_and_max(value: float, cutoffs: list[float]) -> None:
    """The exact value is asked for exactly when the written-out test finds a cut-off near."""
    asked: list[bool] = []

    def exact() -> Fraction:
        asked.append(True)
        return Fraction(0)

    # a hit whose arithmetic fails was asked all the same
    with contextlib.suppress(OverflowError, ValueError, ZeroDivisionError):
        on_exact_side(value, exact, cutoffs)
    assert bool(asked) == bool(near_reference(value, cutoffs))


WEIGHT = st.sampled_from([0.1, 0.15, 0.25, 0.35, 1 / 3, 1.0, 2.0, 0.0])
SCORE = st.one_of(st.floats(0, 100), st.sampled_from([0.0, 65.0, 75.0, 100.0, 50.0]))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(WEIGHT, SCORE), min_size=1, max_size=6)
       .filter(lambda ps: math.fsum(w for w, _ in ps) > 0),
       st.lists(st.sampled_from([0.0, 55.0, 65.0, 75.0, 85.0]), max_size=5))
def test_composite_as_its_formula(pairs: list[tuple[float, float]],
                                  cutoffs: list[float]) -> None:
    """Away from every cut-off the composite is the formula's float; near one, on the side
    the exact mean is on."""
    total = math.fsum(w for w, _ in pairs)
    scores = [s for _, s in pairs]
    value = min(max(math.fsum(w * s for w, s in pairs) / total, min(scores)), max(scores))
    got = composite_score(pairs, cutoffs)
    if not near_reference(value, cutoffs):
        assert got == value
    else:
        exact = (sum((Fraction(repr(w)) * Fraction(s) for w, s in pairs), Fraction(0))
                 / sum((Fraction(repr(w)) for w, _ in pairs), Fraction(0)))
        for c in cutoffs:
            assert (got >= c) == (exact >= Fraction(repr(c)))


@settings(max_examples=200, deadline=None)
@given(st.floats(0, 100), st.lists(st.sampled_from([-5.0, -10.0, -2.5]), max_size=3),
       st.lists(st.sampled_from([50.0, 40.0]), max_size=2))
def test_final_exactly_is_the_exact_final_score(points: float, deductions: list[float],
                                                caps: list[float]) -> None:
    """A dimension's exact final score: its metric's points, less the deductions as written,
    under the caps, held to 0-100 (or exactly 0 where known without the arithmetic)."""
    m = MetricScore(metric="m", weight=1.0, raw=1.0, points=points, grade=None)
    result = DimensionScore(dimension="d", score=points, coverage=1.0, metrics=(m,))
    want = Fraction(points) + sum((Fraction(repr(d)) for d in deductions), Fraction(0))
    for cap in caps:
        want = min(want, Fraction(repr(cap)))
    want = max(Fraction(0), min(Fraction(100), want))
    exact = final_exactly(points, result, deductions, caps)
    assert exact() == want
