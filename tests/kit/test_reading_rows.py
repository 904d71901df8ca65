"""A reader may return ``reading(...)``, a plain tuple: the same metric scores as a Reading."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from threshold_core.kit import Band, Metric, MetricScorer, Reading, reading
from threshold_core.model import Context, FxTable

CONTEXT = Context(fx=FxTable(rates={"USD": 7.0}))
STATES = {"private": 40.0, "listed": 100.0}


class Settings:
    weights = {"m": 1.0}  # noqa: RUF012 - a plain settings object
    bands = {"m": Band([(0, 0), (100, 100)])}  # noqa: RUF012


def _scorer(make: Any, adjust: Any = None, **fields: Any) -> MetricScorer:
    def read(profile: Any, context: Context, _settings: Any) -> Any:
        return make(**fields)

    return MetricScorer(name="rows", dimension="d",
                        metrics=(Metric("m", read, ("x",), adjust=adjust),))


def _bonus(points: float, got: Reading, profile: Any, settings: Any) -> tuple[float, str]:
    assert isinstance(got, Reading)  # an adjustment is always handed a Reading
    return points + 5.0, f"bonus for {got.state or got.source}"


@settings(max_examples=40, deadline=None)
@given(value=st.one_of(st.floats(-1e6, 1e6), st.just(float("nan"))),
       source=st.one_of(st.none(), st.sampled_from(["annual report", "illustrative", " "])),
       note=st.one_of(st.none(), st.just("read from the filing")),
       state=st.sampled_from([None, "private"]),
       sources=st.lists(st.one_of(st.none(), st.just("registry")), max_size=2).map(tuple))
@pytest.mark.parametrize("adjust", [None, _bonus])
def test_a_reading_tuple_scores_as_the_reading(adjust: Any, value: float, source: Any,
                                               note: Any, state: Any, sources: Any) -> None:
    fields = {"value": value, "inputs": ("x",), "source": source, "note": note,
              "state": state, "sources": sources}
    if state is not None:
        fields["states"] = STATES
    as_object = _scorer(Reading, adjust, **fields).score(None, Settings(), CONTEXT)
    as_tuple = _scorer(reading, adjust, **fields).score(None, Settings(), CONTEXT)
    assert as_tuple == as_object
