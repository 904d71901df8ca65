"""Percentages for people never cross a cut-off, sit on one they are not equal to, or
round a non-zero figure to 0% (or a figure short of all to 100%)."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from threshold_core import Engine, build_config
from threshold_core.model import format_percent, format_significant

CUTOFFS = [0.0, 0.05, 0.1, 0.2, 0.25, 0.5, 0.6, 0.605, 0.75, 0.999, 1.0]


def test_examples() -> None:
    assert format_percent(0.596, (0.6,)) == "59.6%"  # a coverage below a 60% floor
    assert format_percent(0.6, (0.6,)) == "60%"
    assert format_percent(0.253, (0.25,)) == "25.3%"  # a share over a 25% limit
    assert format_percent(0.004) == "0.4%" and format_percent(0.9996) == "99.96%"
    assert format_percent(0.605, (0.605,)) == "60.5%"  # a configured floor, exactly
    assert format_percent(0.61, (0.6,)) == "61%"


@given(st.floats(min_value=0.0, max_value=1.0), st.sampled_from(CUTOFFS))
def test_shown_on_the_side_it_is(fraction: float, cutoff: float) -> None:
    shown = Fraction(format_percent(fraction, (cutoff,))[:-1]) / 100
    value, edge = Fraction(repr(fraction)), Fraction(repr(cutoff))
    assert (shown < edge) == (value < edge) and (shown > edge) == (value > edge)
    assert (shown == 0) == (fraction == 0) and (shown == 1) == (fraction == 1)


def test_a_floor_written_with_a_decimal_is_shown_as_written(tmp_path) -> None:
    """The determining factor names the configured floor as written: 60.5%, not 61%."""
    engine = Engine(build_config({"policy": {"coverage_floor": 0.605}}))
    decision = engine.evaluate_path("examples/companies/zhipu.toml")
    details = [f.detail for f in decision.determining if f.kind == "insufficient_data"]
    assert details and all(d.endswith("is below the floor 60.5%") for d in details)


@given(st.text(max_size=12), st.integers(0, 12),
       st.sampled_from(["\u200b", "\u200c", "\u200d", "\u00ad", "\ufeff", "\u202e", "\u2060"]))
def test_an_invisible_character_never_changes_what_text_folds_to(
        text: str, at: int, hidden: str) -> None:
    """Sources, names and company ids are matched folded: a character that shows nothing
    (Unicode format characters, Cf) never makes two texts differ, or a blank one not blank."""
    from threshold_core.model import fold

    assert fold(text[:at] + hidden + text[at:]) == fold(text)


def test_a_hidden_character_between_a_letter_and_its_accent_folds_away() -> None:
    from threshold_core.model import fold

    assert fold("cafe\u200d\u0301") == fold("caf\u00e9") == "caf\u00e9"


def test_a_half_percent_is_not_printed_as_nothing() -> None:
    """0.005 prints as "0%" with no decimals (the half rounds to even): one more digit."""
    assert format_percent(0.005, (0.0,)) == "0.5%"


@given(st.floats(allow_nan=False), st.lists(st.floats(allow_nan=False, allow_infinity=False),
                                            max_size=3), st.integers(0, 3))
def test_the_text_kept_per_value_is_the_text_worked_out(
        fraction: float, cutoffs: list[float], digits: int) -> None:
    """Kept per value (a tuple of cut-offs) or worked out each time (any other iterable):
    the same text, or the same error, for every figure, twice over."""
    def shown(given: object) -> str:
        try:
            return format_percent(fraction, given, digits)  # type: ignore[arg-type]
        except (ValueError, OverflowError) as exc:
            return type(exc).__name__

    kept = shown(tuple(cutoffs))
    assert kept == shown(tuple(cutoffs)) == shown(list(cutoffs)) == shown(iter(cutoffs))


def test_zero_and_minus_zero_and_true_are_never_confused() -> None:
    """Equal as keys, different as figures: each shown as itself, whichever came first."""
    assert format_percent(-0.0, (0.5,)) == "-0%" and format_percent(0.0, (0.5,)) == "0%"
    assert format_percent(0.5, (1.0,)) == format_percent(0.5, [1.0]) == "50%"
    try:
        format_percent(0.5, (True,))  # type: ignore[arg-type]
    except ValueError:
        pass  # as before: a bool is not a figure ("True" is no decimal)
    else:
        raise AssertionError("a bool cut-off was taken for 1.0")


@given(st.floats(allow_nan=False, allow_infinity=False),
       st.floats(allow_nan=False, allow_infinity=False), st.integers(1, 6))
def test_significant_digits_never_show_a_figure_onto_across_a_cut_off_or_at_0(
        value: float, cutoff: float, digits: int) -> None:
    """Multiples, shares and FLOP counts in notes and findings (``.3g``) follow the rule of
    percentages: on their side of the cut-off they were compared with, off it and off 0."""
    shown = Fraction(format_significant(value, (cutoff,), digits))
    exact, edge = Fraction(repr(value)), Fraction(repr(cutoff))
    assert (shown < edge) == (exact < edge) and (shown > edge) == (exact > edge)
    assert (shown == 0) == (value == 0)


def test_significant_digits_examples() -> None:
    assert format_significant(1.0004e25, (1e25,)) == "1.0004e+25"
    assert format_significant(1e25, (1e25,), 1) == "1e+25"
    assert format_significant(0.9996, (1.0,)) == "0.9996" and format_significant(2.5) == "2.5"
    assert format_significant(99.97, (100.0,)) == "99.97"

