"""Whole amounts (most amounts in a profile) are shown without the decimal arithmetic, and
the text is the one that arithmetic gives: the amount exactly, with the decimals asked for."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from threshold_core.model import format_against

WHOLE = st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1).filter(bool).map(float)


@given(WHOLE, st.integers(min_value=0, max_value=6), st.booleans(),
       st.lists(st.floats(allow_nan=False), max_size=3))
def test_a_whole_amount_is_shown_exactly_whatever_its_cut_offs(
        value: float, digits: int, grouping: bool, cutoffs: list[float]) -> None:
    comma = "," if grouping else ""
    expected = f"{Decimal(repr(value)):{comma}.{digits}f}"
    assert format_against(value, tuple(cutoffs), digits, grouping) == expected


def test_whole_amounts_at_the_edges_of_exact_floats() -> None:
    assert format_against(4e9, (4e9,), 0) == "4,000,000,000"
    assert format_against(-1234.0, (), 2) == "-1,234.00"
    assert format_against(9007199254740991.0, (), 0, False) == "9007199254740991"
    # beyond 2**53 a float's repr is not the integer it holds: shown as written
    big = 1.2345678901234567e25
    assert format_against(big, (), 0) == f"{Decimal(repr(big)):,.0f}" != f"{int(big):,}"
    assert format_against(0.0, (), 2) == "0.00" and format_against(-0.0, (), 0) == "-0"
