"""A dimension's metric scores recorded as rows, built when first read (issue 20).

:func:`~threshold_core.kit.score_metrics` (every :class:`~threshold_core.kit.MetricScorer`)
records each metric as a tuple of the :class:`~threshold_core.model.MetricScore` fields,
in their order, instead of building the object; the score's ``metrics`` (a deferred
field, :mod:`threshold_core.model._deferred`) holds a :class:`MetricRows`, which builds
the tuple of MetricScore, once, when it is read. The engine checks the rows at its
boundary, writes the scorer's trace event and works out the policy's sourcing from
them without building the objects; anyone reading ``metrics`` gets the objects.
"""

from __future__ import annotations

import operator
from collections.abc import Iterator, Mapping
from typing import Any

from ..model import Deferred, MetricScore, positional_builder

#: ``MetricScore(*every field)``, without attrs' generic ``__init__``.
_metric_score = positional_builder(MetricScore)

#: Where each MetricScore field sits in a row.
(METRIC, WEIGHT, RAW, POINTS, INPUTS, SOURCE, NOTE, STATE, STATES, SOURCES, GRADE,
 BAND_SOURCE) = range(12)


class MetricRows(Deferred):
    """A dimension's metrics as rows (MetricScore's fields in order; ``states`` the
    reading's mapping, copied when built)."""

    __slots__ = ("band_sources", "built", "rows")

    def __init__(self, rows: list[tuple[Any, ...]], band_sources: Mapping[str, str]) -> None:
        self.rows = rows
        #: ``{metric: band_source}`` of every row with a band source (the plan's).
        self.band_sources = band_sources
        self.built: tuple[MetricScore, ...] | None = None

    def build(self) -> tuple[MetricScore, ...]:
        if self.built is None:
            self.built = tuple(
                _metric_score(name, weight, raw, points, inputs, source, note, state,
                              dict(states), sources, grade, band_source)
                for (name, weight, raw, points, inputs, source, note, state, states, sources,
                     grade, band_source) in self.rows)
        return self.built

    def figures(self) -> Iterator[tuple[Any, Any, Any, Any]]:
        """Each row's weight, raw figure, points and grade (what the policy's sourcing reads)."""
        return map(_FIGURES, self.rows)


_FIGURES = operator.itemgetter(WEIGHT, RAW, POINTS, GRADE)
