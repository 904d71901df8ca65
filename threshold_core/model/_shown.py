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
            and digits.__class__ is int and _plain_floats(cutoffs)):
        return _percent_kept(fraction, cutoffs, digits)
    return _percent(fraction, cutoffs, digits)


def _plain_floats(values: Iterable[Any]) -> bool:
    """Whether every value is a plain float (a loop: a generator in ``all`` is a function
    made per call, and this runs for every figure shown)."""
    for e in values:  # noqa: SIM110
        if e.__class__ is not float:
            return False
    return True


def _finite_floats(values: Iterable[Any]) -> bool:
    """Whether every value is a plain finite float (a loop, as :func:`_plain_floats`)."""
    for e in values:  # noqa: SIM110
        if e.__class__ is not float or not math.isfinite(e):
            return False
    return True


@functools.lru_cache(maxsize=1024)
def _percent_kept(fraction: float, cutoffs: tuple[float, ...], digits: int) -> str:
    return _percent(fraction, cutoffs, digits)


def _percent(fraction: float, cutoffs: Iterable[float], digits: int) -> str:
    """:func:`format_percent`, worked out: the text of :func:`_percent_exact`, decided in
    floats wherever float error cannot change a comparison, else exactly."""
    edges = tuple(cutoffs)
    if (fraction.__class__ is not float or digits.__class__ is not int
            or not 0 <= digits < 15 or not math.isfinite(fraction * 100)
            or not _finite_floats(edges)):
        return _percent_exact(fraction, edges, digits)  # its text or its error
    t = fraction * 100
    if not fraction:
        return f"{t:.{digits}f}%"  # 0% (or -0%) is exactly the figure: no edge between
    edges = (*edges, 0.0, 1.0)
    for d in range(digits, 15):
        text = f"{t:.{d}f}"
        s = float(text)
        for c in edges:
            # The figure against the edge: both are floats, and each decimal written for
            # a float rounds back to it, so the floats' order is the decimals' order.
            if (fraction > c) - (fraction < c) != _percent_side(text, s, c):
                break
        else:
            return f"{text}%"
    return f"{t!r}%"


def _percent_side(text: str, s: float, c: float) -> int:
    """The sign of ``text`` (a percentage, ``s`` its float) less ``c`` (a fraction) as the
    decimal it is written as: in floats where the gap is far above their error (about
    1e-16 relative), else exactly."""
    if c == 0.0:
        return (s > 0.0) - (s < 0.0)  # a text of at most 14 decimals is 0 only as 0.0
    if c == 1.0:
        # 100 and the nearest other text (1e-14 away) are more than half a float apart
        return (s > 100.0) - (s < 100.0)
    c100 = c * 100
    gap = s - c100
    if 1e-290 < abs(c) < 1e290 and abs(gap) > 1e-12 * abs(c100):
        return (gap > 0.0) - (gap < 0.0)
    shown, edge = Decimal(text), Decimal(repr(c)).scaleb(2, _EXACT)
    return (shown > edge) - (shown < edge)


def _percent_exact(fraction: float, cutoffs: Iterable[float], digits: int) -> str:
    """:func:`format_percent` in rational arithmetic: the reference :func:`_percent` is
    held to."""
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
    cuts = tuple(cutoffs)
    if (value.__class__ is float and value and scale.__class__ is float
            and digits.__class__ is int and grouping.__class__ is bool
            and _plain_floats(cuts)):
        # A pure function of plain floats (a line is shown on every decision): kept per
        # value. Never 0.0 (-0.0 is an equal key with another text) nor True for 1.0.
        return _against_kept(value, cuts, digits, grouping, scale)
    return _against(value, cuts, digits, grouping, scale)


def _against(value: float, cuts: tuple[Any, ...], digits: int, grouping: bool,
             scale: float) -> str:
    """:func:`format_against` of a finite figure, worked out: in integers for a figure and
    cut-offs written without an exponent over a power of ten (:func:`_against_fixed`),
    else in decimal arithmetic."""
    k = _TENS.get(scale) if scale.__class__ is float else None
    if (k is not None and value.__class__ is float and value and digits.__class__ is int
            and 0 <= digits < 40):
        fixed = _fixed(value)
        if fixed is not None and fixed[1] + k < 40:
            edges = _fixed_edges(cuts)
            if edges is not None:
                return _against_fixed(fixed, k, edges, digits, grouping)
    return _against_exact(value, cuts, digits, grouping, scale)


_against_kept = functools.lru_cache(maxsize=1024)(_against)


def _against_exact(value: float, cutoffs: Iterable[float], digits: int, grouping: bool,
                   scale: float) -> str:
    """:func:`format_against` in decimal arithmetic: the reference
    :func:`_against_fixed` is held to."""
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


def _fixed(x: float) -> tuple[int, int] | None:
    """The decimal ``x`` is written as (its shortest repr), as ``(m, p)``: ``m / 10**p``;
    None when it is written with an exponent (``1e-05``, ``1e+16``) or is not finite."""
    if -_WHOLE < x < _WHOLE and x.is_integer():
        return int(x), 0  # written as the integer it is (most amounts)
    r = repr(x)
    if "e" in r or "n" in r:
        return None
    whole, _, decimals = r.partition(".")
    return int(whole + decimals), len(decimals)


#: The scales that are powers of ten (``1e9`` writes billions): ``scale -> k``, 10**k.
_TENS = {10.0**k: k for k in range(23)}
#: ``10**i`` for the exponents :func:`_against_fixed` uses (below 40 + 40).
_POW10 = tuple(10**i for i in range(80))
#: :func:`_fixed` of each finite cut-off per tuple of cut-offs (None: one is not a float
#: or is written with an exponent); the same lines come back on every decision.
_EDGES: dict[tuple[Any, ...], tuple[tuple[int, int], ...] | None] = {}


def _fixed_edges(cuts: tuple[Any, ...]) -> tuple[tuple[int, int], ...] | None:
    got = _EDGES.get(cuts, False)
    if got is not False:
        return got  # type: ignore[return-value]
    edges: list[tuple[int, int]] = []
    kept: tuple[tuple[int, int], ...] | None = None
    for e in cuts:
        if e.__class__ is not float:
            break  # an int, a bool or a Decimal: worked out by the decimal path
        if math.isfinite(e):  # as the decimal path: a line at infinity is no line
            f = _fixed(e)
            if f is None:
                break
            edges.append(f)
    else:
        kept = tuple(edges)
    if all(e.__class__ is float for e in cuts):  # never True for 1.0 (equal keys)
        if len(_EDGES) >= 1024:
            _EDGES.clear()
        _EDGES[cuts] = kept
    return kept


def _against_fixed(fixed: tuple[int, int], k: int, edges: tuple[tuple[int, int], ...],
                   digits: int, comma: bool) -> str:
    """:func:`format_against` of a non-zero figure ``m / 10**p`` over ``10**k`` against
    ``edges`` (each ``m / 10**p``, in the figure's units), in integers: the text of
    :func:`_against_exact` (half-up rounding of the figure as written)."""
    m, p = fixed
    places = p + k  # the figure is m / 10**places
    common = p  # compared in units of 10**-common (of the figure's units)
    for _, q in edges:
        if q > common:
            common = q
    tens = _POW10
    up = tens[common - p]
    figure = m * up
    lines = [(0, (m > 0) - (m < 0))]  # each line and the figure's side of it
    for e, q in edges:
        line = e * tens[common - q]
        lines.append((line, (figure > line) - (figure < line)))
    size = -m if m < 0 else m
    d = digits
    while d < places:
        cut = tens[places - d]
        n = (size + cut // 2) // cut  # half up: away from zero
        shown = (n if m > 0 else -n) * cut * up
        for line, side in lines:
            if (shown > line) - (shown < line) != side:
                break
        else:
            break
        d += 1
    else:
        n = size * tens[d - places]  # shown exactly: on its side of every line
    whole, part = divmod(n, tens[d])
    text = f"{whole:,}" if comma and whole >= 1000 else str(whole)
    if m < 0:
        text = "-" + text
    return f"{text}.{str(part).zfill(d)}" if d else text


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


#: Relative distance beyond which two floats' decimals (the shortest repr, or a text that
#: rounds to the float) are ordered as the floats are: far more than their half-ulps.
_CLEAR = 1e-12


def _clear_of(value: float, shown: float, cutoffs: Iterable[float]) -> bool:
    """Whether ``value`` and the float of its text ``shown`` are both clearly on the same side
    of every finite cut-off and of 0 (so :func:`_same_sides` of their exact decimals holds)."""
    for e in (*cutoffs, 0.0):
        if e - e != 0.0:  # not finite: not an edge
            continue
        scale = abs(e)
        for x in (value, shown):
            if abs(x) > scale:
                scale = abs(x)
        tol = _CLEAR * scale
        below = value < e - tol
        if not (below or value > e + tol):
            return False
        if below != (shown < e - tol) or (not below and not shown > e + tol):
            return False
    return True


def format_significant(value: float, cutoffs: Iterable[float] = (), digits: int = 3) -> str:
    """``value`` with ``digits`` significant digits (``f"{value:.3g}"``), or more where fewer
    would show it onto or across a cut-off it is not equal to, or at 0 when it is not 0
    (the rule of :func:`format_against`): a training run of 1.0004e25 FLOP over a 1e25
    bar is ``1.0004e+25``, never ``1e+25``; a multiple of 0.9996 of a reference is never
    ``1``. A cut-off shown as itself, ``format_significant(x, (x,))``, is shown exactly."""
    if not math.isfinite(value):
        return repr(value)
    text = f"{value:.{digits}g}"
    if _clear_of(value, float(text), cutoffs):
        return text  # what the exact comparisons below would give, without Decimal
    exact = Decimal(repr(value))
    edges = [Decimal(repr(e)) for e in cutoffs if math.isfinite(e)]
    edges.append(_ZERO)
    for s in range(digits, 18):
        text = f"{value:.{s}g}"
        shown = Decimal(text)
        if _same_sides(shown, exact, edges):
            return text
    return repr(value)
