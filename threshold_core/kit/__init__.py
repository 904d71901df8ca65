"""What scorer and rule-pack authors use: rules and their outcomes, metric scoring
bands, name matching (layer 2).
"""

from __future__ import annotations

from ._rules import (
    Pack,
    fired,
    not_evaluated,
    passed,
    rule,
)
from ._scoring import (
    Band,
    Metric,
    MetricScorer,
    Reading,
    figure_reading,
    merged_bands,
    merged_weights,
    score_metrics,
)
from ._text import (
    names_match,
    normalise,
)

__all__ = [
    "Band",
    "Metric",
    "MetricScorer",
    "Pack",
    "Reading",
    "figure_reading",
    "fired",
    "merged_bands",
    "merged_weights",
    "names_match",
    "normalise",
    "not_evaluated",
    "passed",
    "rule",
    "score_metrics",
]
