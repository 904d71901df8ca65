"""A MetricScorer works out its plan once per settings object: new settings, new plan."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs
from hypothesis import given
from hypothesis import strategies as st

from threshold_core.kit import Band, Metric, MetricScorer, Reading, house_policy
from threshold_core.model import Context, FxTable


def _reader(profile: Any, context: Context, settings: Any) -> Reading:
    return Reading(value=50.0, inputs=("x",), source="annual report")


SCORER = MetricScorer(
    name="plan_test", dimension="d",
    metrics=(Metric("a", _reader, ("x",), source=house_policy("a")),
             Metric("b", _reader, ("x",), source=house_policy("b"))),
)


@attrs.define
class Settings:
    weights: dict[str, float]
    bands: dict[str, Band]


CONTEXT = Context(fx=FxTable(rates={"USD": 7.0}))


def test_new_settings_and_replaced_mappings_are_planned_afresh() -> None:
    half = Band([(0, 0), (100, 100)])
    full = Band([(0, 100), (100, 100)])
    settings = Settings(weights={"a": 1.0, "b": 1.0}, bands={"a": half, "b": half})
    assert SCORER.score(None, settings, CONTEXT).score == 50.0
    evolved = attrs.evolve(settings, bands={"a": full, "b": full})
    assert SCORER.score(None, evolved, CONTEXT).score == 100.0
    settings.weights = {"a": 0.0, "b": 1.0}  # a mutable settings class: a new mapping
    settings.bands = {"a": half, "b": full}
    score = SCORER.score(None, settings, CONTEXT)
    assert score.score == 100.0
    assert [m.weight for m in score.metrics] == [0.0, 1.0]
    assert score.metrics[1].note == "band 0→100, 100→100"


def _nothing(profile: Any, context: Context, settings: Any) -> None:
    return None


def _proxy(profile: Any, context: Context, settings: Any) -> Reading:
    return Reading(value=50.0, inputs=("x",), source="peer-group median")


@given(st.lists(st.floats(0.0, 100.0), min_size=1, max_size=6))
def test_a_metric_counted_at_its_lowest_is_noted_with_its_own_points(
        lowests: list[float]) -> None:
    """The notes of metrics without data and of cohort proxies are kept per points: each
    names the points it was counted at, whatever bands were scored before: as configured,
    exactly (a band's lowest of 10.96875 points is never "10.9688")."""
    for lowest in lowests:
        exact = Decimal(f"{lowest:g}") == Decimal(repr(lowest))  # 5e-324 is not 4.94066e-324
        shown = f"{lowest:g}" if exact else repr(lowest)
        band = Band([(0, lowest), (100, 100)])
        settings = Settings(weights={"a": 1.0, "b": 1.0}, bands={"a": band, "b": band})
        scorer = MetricScorer(name="notes", dimension="d",
                              metrics=(Metric("a", _nothing, ("x",)),
                                       Metric("b", _proxy, ("x",))))
        a, b = scorer.score(None, settings, CONTEXT).metrics
        assert a.assumed_points == b.assumed_points == lowest
        assert a.note == f"no data: counted at {shown} points until researched"
        assert b.note == (f"cohort proxy: reported, not scored; counted at {shown} points "
                          "until researched")


def test_a_band_is_described_with_its_anchors_as_configured() -> None:
    """A band's anchors are cut-offs: shown as written (an edge at 74.9999999 points or
    at 1e-05 is never "75" or "0"), and as ``{x:g}`` shows them where that is exact."""
    assert Band([(0, 74.9999999), (1e-05, 80), (123456789, 100)]).describe() == (
        "0\u219274.9999999, 1e-05\u219280, 123456789\u2192100")
