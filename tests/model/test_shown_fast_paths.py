"""Percentages and amounts against cut-offs are decided in floats or integers where their
error cannot change a comparison: the text is always the one exact arithmetic gives (the
rational and decimal definitions are restated here as the reference), at every cut-off,
a few floats either side of it, at 0 and -0, and for tiny, huge and negative figures."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Context, Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from threshold_core.model import bn_against, format_against, format_percent

CUTS = [0.0, 0.05, 0.1, 0.2, 0.25, 0.3, 0.5, 0.6, 0.605, 0.75, 0.999, 1.0, 1 / 3, 1e-9]
LINES = [4e9, 557880055.7880056, 0.0, 1.0, 2.0, 0.5, 123.456, -3.25, 1e15, 1.5e-3, 1e16]


def _sides(shown: object, exact: object, edges: list) -> bool:
    return all((shown > e) == (exact > e) and (shown < e) == (exact < e)  # type: ignore[operator]
               for e in edges)


def percent_reference(fraction: float, cutoffs: tuple[float, ...], digits: int) -> str:
    """The rule of ``format_percent`` in rational arithmetic (its error, if any)."""
    try:
        value = Fraction(repr(fraction))
        edges = [Fraction(repr(e)) for e in (*cutoffs, 0.0, 1.0)]
        for d in range(digits, 15):
            text = f"{fraction * 100:.{d}f}"
            if _sides(Fraction(text) / 100, value, edges):
                return f"{text}%"
        return f"{fraction * 100!r}%"
    except (ValueError, OverflowError) as exc:
        return type(exc).__name__


_EXACT = Context(prec=1000)


def against_reference(value: float, cutoffs: tuple[float, ...], digits: int, grouping: bool,
                      scale: float) -> str:
    """The rule of ``format_against`` in decimal arithmetic."""
    if not math.isfinite(value):
        return repr(value)

    def dec(x: float) -> Decimal:
        return _EXACT.divide(Decimal(repr(x)), Decimal(repr(scale)))

    exact = dec(value)
    edges = [dec(e) for e in cutoffs if math.isfinite(e)] + [Decimal(0)]
    for d in range(digits, 40):
        shown = exact.quantize(Decimal(1).scaleb(-d), ROUND_HALF_UP, _EXACT)
        if _sides(shown, exact, edges):
            return f"{shown:{',' if grouping else ''}.{d}f}"
    return f"{exact.normalize(_EXACT):e}"


def near(edges: list[float]) -> st.SearchStrategy[float]:
    """A cut-off, or a float a few steps from it, or one a rounding step (0.5 at some
    decimal) away from it."""
    def walk(args: tuple[float, int, int]) -> float:
        x, steps, way = args
        for _ in range(steps):
            x = math.nextafter(x, math.inf if way else -math.inf)
        return x

    def halfway(args: tuple[float, int, int, int]) -> float:
        x, place, k, sign = args
        return x + (1 if sign else -1) * k * 0.5 * 10.0 ** -place

    return st.one_of(
        st.tuples(st.sampled_from(edges), st.integers(0, 6), st.booleans()).map(walk),
        st.tuples(st.sampled_from(edges), st.integers(0, 16), st.integers(0, 3),
                  st.booleans()).map(halfway))


FIGURES = st.one_of(st.floats(allow_nan=False), st.floats(-2.0, 2.0), near(CUTS),
                    st.sampled_from([0.0, -0.0, 5e-324, -5e-324, 1e-300, 1.7e308, 1e306]))


@settings(max_examples=3000)
@given(FIGURES, st.lists(st.one_of(st.sampled_from(CUTS), st.floats(allow_nan=False)),
                         max_size=3), st.integers(0, 3))
def test_a_percentage_is_the_text_rational_arithmetic_gives(
        fraction: float, cutoffs: list[float], digits: int) -> None:
    cuts = tuple(cutoffs)
    try:
        got = format_percent(fraction, cuts, digits)
    except (ValueError, OverflowError) as exc:
        got = type(exc).__name__
    assert got == percent_reference(fraction, cuts, digits)


def test_percentages_at_and_beside_their_cut_offs() -> None:
    for c in CUTS:
        x = c
        for _ in range(4):
            for f in (x, -x):
                for digits in (0, 1, 2):
                    assert format_percent(f, (c,), digits) == percent_reference(f, (c,), digits)
            x = math.nextafter(x, math.inf)
    assert format_percent(0.0, (0.2, 0.5)) == "0%" and format_percent(-0.0, (0.5,)) == "-0%"


AMOUNTS = st.one_of(st.floats(allow_nan=False), near(LINES),
                    st.integers(-(10**12), 10**12).map(float),
                    st.tuples(st.floats(-1e10, 1e10), st.integers(0, 8)).map(
                        lambda a: round(a[0], a[1])),
                    st.sampled_from([0.0, -0.0, 5e-324, 1e-300, 1.7e308, 4e9, 3999999999.99]))


@settings(max_examples=3000)
@given(AMOUNTS, st.lists(st.one_of(st.sampled_from(LINES), st.floats(allow_nan=False)),
                         max_size=3),
       st.integers(0, 6), st.booleans(), st.sampled_from([1.0, 1e3, 1e9, 1e22, 3.0, 0.1]))
def test_an_amount_is_the_text_decimal_arithmetic_gives(
        value: float, cutoffs: list[float], digits: int, grouping: bool, scale: float) -> None:
    cuts = tuple(cutoffs)
    assert format_against(value, cuts, digits, grouping, scale) == against_reference(
        value, cuts, digits, grouping, scale)
    # kept per value: the second time is the same text
    assert format_against(value, cuts, digits, grouping, scale) == against_reference(
        value, cuts, digits, grouping, scale)


def test_amounts_at_and_beside_the_line() -> None:
    for line in (4e9, 557880055.7880056, 1.0):
        x = line
        for _ in range(4):
            for v in (x, -x, x + 0.005, x - 0.005, x * 1.0000001):
                assert bn_against(v, line) == against_reference(v, (line,), 2, True, 1e9)
                assert format_against(v, (line,), 0) == against_reference(v, (line,), 0, True,
                                                                           1.0)
            x = math.nextafter(x, -math.inf)
    assert bn_against(3999999999.99, 4e9) == "3.99999999999"
    assert format_against(0.0049, (0.0,), 2) == "0.005"


def significant_reference(value: float, cutoffs: tuple[float, ...], digits: int) -> str:
    """The rule of ``format_significant`` in decimal arithmetic, restated."""
    if not math.isfinite(value):
        return repr(value)
    exact = Decimal(repr(value))
    edges = [Decimal(repr(e)) for e in cutoffs if math.isfinite(e)] + [Decimal(0)]
    for s in range(digits, 18):
        text = f"{value:.{s}g}"
        if _sides(Decimal(text), exact, edges):
            return text
    return repr(value)


SIGNIFICANT_CUTS = [20.0, 0.25, 1.0, 100.0, 1e25, 74.9999999, 0.1, 65.0, -3.25, 0.0, math.inf]


@st.composite
def _near_a_cutoff(draw: st.DrawFn) -> tuple[float, tuple[float, ...]]:
    cut = draw(st.sampled_from(SIGNIFICANT_CUTS[:-1]) | st.floats(-1e6, 1e6))
    how = draw(st.integers(0, 4))
    if how == 0:
        value = cut
        for _ in range(draw(st.integers(-4, 4))):
            value = math.nextafter(value, math.inf)
    elif how == 1:
        value = cut + draw(st.sampled_from([-1, 1])) * draw(
            st.sampled_from([1e-15, 1e-12, 1e-9, 1e-7, 1e-4, 0.01])) * max(1.0, abs(cut))
    elif how == 2:
        value = draw(st.sampled_from([0.0, -0.0, 5e-324, -5e-324, 1e-300, 1e300, math.nan]))
    else:
        value = draw(st.floats(allow_nan=False, allow_infinity=True))
    cuts = (cut,) if draw(st.booleans()) else (cut, 100.0, math.inf)
    return value, cuts


@settings(max_examples=2000)
@given(_near_a_cutoff(), st.sampled_from([1, 3, 6]))
def test_significant_digits_are_the_decimal_rules_text(case: tuple, digits: int) -> None:
    from threshold_core.model import format_significant

    value, cuts = case
    assert format_significant(value, cuts, digits) == significant_reference(value, cuts, digits)


@st.composite
def _beside_a_half_step(draw: st.DrawFn) -> tuple[float, int, float]:
    """An amount at, or a hair either side of, a half step of its last decimal once scaled
    (``4.125bn`` shown with 2 decimals): where float rounding and the rule's half-up
    rounding of the exact decimal could part."""
    digits = draw(st.integers(0, 6))
    scale = draw(st.sampled_from([1.0, 1e3, 1e9, 0.1, 3.0]))
    whole = draw(st.integers(-(10**11), 10**11))
    offset = draw(st.sampled_from([0.0, 1e-15, -1e-15, 1e-12, -1e-12, 1e-10, -1e-9, 2e-9,
                                   1e-7, -1e-6]))
    value = (whole + 0.5 + offset) / 10.0**digits * scale
    for _ in range(draw(st.integers(-3, 3))):
        value = math.nextafter(value, math.inf)
    return value, digits, scale


@settings(max_examples=4000)
@given(_beside_a_half_step(), st.lists(st.sampled_from(LINES), max_size=2), st.booleans())
def test_an_amount_beside_a_half_step_is_the_text_decimal_arithmetic_gives(
        case: tuple[float, int, float], cutoffs: list[float], grouping: bool) -> None:
    value, digits, scale = case
    cuts = tuple(cutoffs)
    assert format_against(value, cuts, digits, grouping, scale) == against_reference(
        value, cuts, digits, grouping, scale)
