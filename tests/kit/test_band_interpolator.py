"""A scorer's plan interpolates a band with the anchors unpacked once: the same points."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from threshold_core.kit import Band

XS = st.lists(st.floats(min_value=0.001, max_value=1e12, allow_nan=False), min_size=2,
              max_size=6, unique=True).map(sorted)


@settings(max_examples=200, deadline=None)
@given(xs=XS, ys=st.lists(st.floats(min_value=0, max_value=100), min_size=6, max_size=6),
       log=st.booleans(),
       x=st.one_of(st.floats(min_value=-1e13, max_value=1e13, allow_nan=False),
                   st.sampled_from([0.0, 0.001, 1e12])))
def test_the_interpolator_gives_exactly_the_bands_points(
    xs: list[float], ys: list[float], log: bool, x: float,
) -> None:
    band = Band(list(zip(xs, ys, strict=False)), log=log)
    assert band.as_function()(x) == band(x)
    for anchor in xs:  # at every anchor too
        assert band.as_function()(anchor) == band(anchor)


def test_a_band_subclass_is_called_as_it_is() -> None:
    class Stepped(Band):
        def __call__(self, x: float) -> float:
            return 100.0 if x > 0 else 0.0

    band = Stepped([(0, 0), (1, 100)])
    assert band.as_function() is band
