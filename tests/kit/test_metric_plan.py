"""A MetricScorer works out its plan once per settings object: new settings, new plan."""

from __future__ import annotations

from typing import Any

import attrs

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
