"""A score is shown on the side of a cut-off it was compared on, in every format.

The policy grades the unrounded composite; a report that rounds 64.99996 to "65.0"
next to grade B would contradict it. Every format prints scores through one
formatter that adds digits where plain rounding would cross a whole number.
"""

from __future__ import annotations

import re

import attrs
import pytest
from helpers import EXAMPLES
from hypothesis import given
from hypothesis import strategies as st

from threshold_core import Engine, load_profile
from threshold_core.model import format_score
from threshold_core.reports import render_html, render_markdowns, render_texts

RENDERERS = {
    "text": lambda ds: render_texts(ds),
    "markdown": lambda ds: render_markdowns(ds),
    "html": lambda ds: render_html(ds),
}


@pytest.fixture(scope="module")
def just_below() -> object:
    decision = Engine().evaluate(load_profile(EXAMPLES / "companies" / "zhipu.toml"))
    return attrs.evolve(decision, score=64.99996)


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
def test_a_score_just_below_a_cut_off_is_never_shown_as_the_cut_off(fmt: str, just_below) -> None:
    one = RENDERERS[fmt]([just_below])
    several = RENDERERS[fmt]([just_below, just_below])
    for page in (one, several):
        assert "64.99996" in page
        assert not re.search(r"\b65\.0\b", page), fmt


@given(st.floats(min_value=0, max_value=100, allow_nan=False))
def test_a_shown_score_keeps_the_side_of_every_whole_number(value: float) -> None:
    shown = float(format_score(value))
    for edge in range(101):  # on its side, and never onto one it is not equal to
        assert (shown >= edge) == (value >= edge) and (shown == edge) == (value == edge)


@given(st.floats(min_value=0, max_value=100, allow_nan=False),
       st.floats(min_value=0, max_value=100, allow_nan=False))
def test_a_shown_score_is_never_onto_a_configured_cut_off(value: float, cutoff: float) -> None:
    """A score 0.04 above a band edge is not "65.0" (reads as the edge itself), nor 0.04 "0.0"."""
    shown = float(format_score(value, (cutoff,)))
    assert (shown > cutoff) == (value > cutoff) and (shown < cutoff) == (value < cutoff)
    assert (shown == 0) == (value == 0)


def test_a_score_a_hair_above_an_edge_shows_the_hair() -> None:
    assert format_score(65.04, (65.0,)) == "65.04" and format_score(0.04) == "0.04"
    assert format_score(65.0, (65.0,)) == "65.0" and format_score(72.31) == "72.3"
