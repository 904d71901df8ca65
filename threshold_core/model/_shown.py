"""Figures for people: scores, percentages and amounts shown with the digits that keep
them on their own side of every cut-off they were compared with, and off 0 or 100%
unless they are exactly that. Only display is rounded; the decision compares the
figures themselves.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Context, Decimal
from fractions import Fraction
from typing import Any


def _same_sides(shown: Any, exact: Any, edges: Iterable[Any]) -> bool:
    """Whether ``shown`` is on the same side of every edge as ``exact``: above, below or on
    it (so never rounded onto an edge it is not on, nor across one)."""
    for e in edges:  # noqa: SIM110 (a loop, not all(...): this runs in every decision)
        if (shown > e) != (exact > e) or (shown < e) != (exact < e):
            return False
    return True


def format_score(value: float | None, cutoffs: Iterable[float] = (), digits: int = 1) -> str:
    """A score for people: ``digits`` decimals, or more where rounding would show it onto
    or across a cut-off it is not equal to (``64.96`` against a 65 band edge is
    ``64.96``, ``65.04`` is ``65.04``, never ``65.0``; ``0.04`` is never ``0.0``).

    Whole numbers always count as cut-offs (the default grade bands start at whole
    numbers), so ``64.9999`` shows as ``64.9999``, never as ``65.0``; what is
    displayed agrees with what was compared, and only display is rounded.
    """
    if value is None:
        return "-"
    edges = tuple(cutoffs)
    for d in range(digits, 13):
        shown = round(value, d)
        whole = math.floor(max(shown, value))
        if _same_sides(shown, value, (whole, *edges)):
            return f"{shown:.{d}f}"
    return repr(value)


def format_percent(fraction: float, cutoffs: Iterable[float] = (), digits: int = 0) -> str:
    """A fraction (0-1) as a percentage for people, ``"60%"``: ``digits`` decimals, or more
    where fewer would show it equal to a cut-off it is not equal to, on the other side of
    one, or at 0% or 100% when it is neither (a coverage of 0.596 against a 0.6 floor is
    ``59.6%``, a share of 0.253 over a 0.25 limit ``25.3%``, a chance of 0.004 ``0.4%``).
    A configured cut-off shown as itself, ``format_percent(x, (x,))``, is shown exactly
    (a floor of 0.605 is ``60.5%``, never ``61%``)."""
    # The text is a pure function of the floats: kept per value (a configured floor or
    # haircut is shown on every decision). Only plain non-zero floats in a tuple of plain
    # floats are kept, so -0.0 and 0.0 (equal keys, different texts) and values of other
    # types (True == 1.0) are never confused.
    if (fraction.__class__ is float and fraction and cutoffs.__class__ is tuple
            and digits.__class__ is int and all(e.__class__ is float for e in cutoffs)):
        return _percent_kept(fraction, cutoffs, digits)
    return _percent(fraction, cutoffs, digits)


@functools.lru_cache(maxsize=1024)
def _percent_kept(fraction: float, cutoffs: tuple[float, ...], digits: int) -> str:
    return _percent(fraction, cutoffs, digits)


def _percent(fraction: float, cutoffs: Iterable[float], digits: int) -> str:
    """:func:`format_percent`, worked out."""
    # compared as the decimals they are written as (0.6 is 60%, not 60.00000000000001%),
    # the figure as it will be printed (0.005 prints as 0%, the half rounded to even)
    value = Fraction(repr(fraction))
    edges = [Fraction(repr(e)) for e in (*cutoffs, 0.0, 1.0)]
    for d in range(digits, 15):
        text = f"{fraction * 100:.{d}f}"
        shown = Fraction(text) / 100
        if _same_sides(shown, value, edges):
            return f"{text}%"
    return f"{fraction * 100!r}%"  # a figure too small for fixed digits: 4.94e-322%


def format_against(value: float, cutoffs: Iterable[float] = (), digits: int = 2,
                   grouping: bool = True, scale: float = 1.0) -> str:
    """``value / scale`` with ``digits`` decimals, or with the digits that keep it off every
    cut-off (in ``value``'s units) it is not equal to and on its own side of each, and off
    0 unless it is 0 (the rule of :func:`format_percent`): a figure compared with a line or
    a band edge is never shown rounded onto or across it (3,999,999,999.99 CNY is not
    "4,000,000,000" below a 4,000,000,000 line), nor an amount of 1e-300 as "0.00". A
    cut-off shown as itself, ``format_against(x, (x,))``, is shown exactly. Figures are
    compared as the decimals they are written as, scaled exactly (``scale`` 1e9 writes
    billions); only display is rounded."""
    if not math.isfinite(value):
        return repr(value)
    if (value.__class__ is float and scale == 1.0 and value and -_WHOLE < value < _WHOLE
            and value.is_integer() and digits >= 0):
        # A whole amount (most amounts are) is shown exactly with ``digits`` decimals, so on
        # its side of every cut-off: the text the loop below would give, without decimals.
        whole = f"{int(value):{',' if grouping else ''}}"
        return f"{whole}.{'0' * digits}" if digits > 0 else whole
    exact = _decimal(value, scale)
    edges = [_decimal(e, scale) for e in cutoffs if math.isfinite(e)]
    edges.append(_ZERO)
    comma = "," if grouping else ""
    quantize = exact.quantize
    for d in range(digits, 40):
        shown = quantize(_QUANTA[d] if d >= 0 else Decimal(1).scaleb(-d), ROUND_HALF_UP,
                         _EXACT)
        if _same_sides(shown, exact, edges):
            return f"{shown:{comma}.{d}f}"
    return f"{exact.normalize(_EXACT):e}"  # a figure too small for fixed digits: 1e-309


#: Decimal arithmetic wide enough to scale and round any float exactly.
_EXACT = Context(prec=1000)
#: ``10**-d`` for each number of decimals ``d`` :func:`format_against` tries.
_QUANTA = tuple(Decimal(1).scaleb(-d) for d in range(40))
_ZERO = Decimal(0)
#: Whole floats below this are written (``repr``) as the integers they are.
_WHOLE = 2.0**53


def _decimal(value: float, scale: float) -> Decimal:
    if scale == 1.0:  # nothing to divide (most amounts are shown in their own units)
        return Decimal(repr(value))
    return _EXACT.divide(Decimal(repr(value)), Decimal(repr(scale)))


def bn_against(amount: float, line: float | None = None, scale: float = 1e9) -> str:
    """An amount in units of ``scale`` (billions by default) for people: two decimals, or
    more where those would show it onto or across ``line`` (the figure it was compared
    with, if any) or at 0 when it is not 0 (:func:`format_against`)."""
    return format_against(amount, () if line is None else (line,), scale=scale)


def format_significant(value: float, cutoffs: Iterable[float] = (), digits: int = 3) -> str:
    """``value`` with ``digits`` significant digits (``f"{value:.3g}"``), or more where fewer
    would show it onto or across a cut-off it is not equal to, or at 0 when it is not 0
    (the rule of :func:`format_against`): a training run of 1.0004e25 FLOP over a 1e25
    bar is ``1.0004e+25``, never ``1e+25``; a multiple of 0.9996 of a reference is never
    ``1``. A cut-off shown as itself, ``format_significant(x, (x,))``, is shown exactly."""
    if not math.isfinite(value):
        return repr(value)
    exact = Decimal(repr(value))
    edges = [Decimal(repr(e)) for e in cutoffs if math.isfinite(e)]
    edges.append(_ZERO)
    for s in range(digits, 18):
        text = f"{value:.{s}g}"
        shown = Decimal(text)
        if _same_sides(shown, exact, edges):
            return text
    return repr(value)
