"""Cut-offs and the shares compared with them, for people: the text ``{x:g}`` gives, or
more digits where that text would show a figure onto or across the cut-off it was
compared with (a domestic share of 19.9999999% is never "20%" beside a 20% bar), or a
configured cut-off as another number than itself (a bar of 74.9999999 is never "75").
Only display is rounded; the decision compares the figures themselves.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ._shown import format_significant

if TYPE_CHECKING:  # fractions loads only near a cut-off: 3 ms of a command's start-up
    from fractions import Fraction


@functools.lru_cache(maxsize=4096)
def _written(x: float) -> Fraction:
    from fractions import Fraction

    return Fraction(repr(x))


def written(x: float) -> Fraction:
    """``x`` as the decimal it is written as (its shortest repr), exactly: 0.15 is 3/20, not
    the binary float nearest it. How a figure is compared with a configured cut-off within a
    hair of it (the policy's bands and floors, a rule pack's bars). Kept per value: the same
    weights and cut-offs come back on every decision."""
    return _written(float(x))


@functools.lru_cache(maxsize=1024)
def format_cutoff(value: float) -> str:
    """A configured cut-off (a band edge, a floor, a cap, a rule's bar, a line) shown as
    itself: ``f"{value:g}"`` where that is the number written (``20``, ``0.5``, ``1e+25``),
    otherwise every significant digit it is written with (``74.9999999``, never ``75``).
    Kept per value: the same bars are shown on every decision."""
    return format_significant(value, (value,), 6)


def format_share(percent: float, cutoffs: Iterable[float] = ()) -> str:
    """A share in percent (0-100) compared with ``cutoffs`` (in percent), as
    ``f"{percent:g}"``, or with the significant digits that keep it on its own side of
    each cut-off, never equal to one it is not equal to, and off 0 and 100 unless it is
    exactly that (19.9999999 against a 20% bar is ``19.9999999``, never ``20``; 99.9999999
    of compute is never ``100``)."""
    return format_significant(percent, (*cutoffs, 100.0), 6)
