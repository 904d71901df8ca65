"""What scorer and rule-pack authors use: rules and their outcomes, metric scoring
bands, name matching, and the validators of settings classes (``percent``,
``non_negative``, ``valid_regex``, ``lowered``, ``uppered``) (layer 2).
"""

from __future__ import annotations

from ._renamed import replaced_by
from ._rules import (
    Pack,
    fired,
    not_evaluated,
    passed,
    rule,
)
from ._scoring import (
    Band,
    BandTable,
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
from ._validators import lowered, non_negative, percent, uppered, valid_regex

__all__ = [
    "Band",
    "BandTable",
    "Metric",
    "MetricScorer",
    "Pack",
    "Reading",
    "figure_reading",
    "fired",
    "lowered",
    "merged_bands",
    "merged_weights",
    "names_match",
    "non_negative",
    "normalise",
    "not_evaluated",
    "passed",
    "percent",
    "replaced_by",
    "rule",
    "score_metrics",
    "uppered",
    "valid_regex",
]
