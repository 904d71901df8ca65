"""What scorer and rule-pack authors use: rules and their outcomes, metric scoring
bands and the sources of their parameters (``primary``, ``secondary``,
``house_policy``), name matching, and the validators of settings classes
(``percent``, ``non_negative``, ``valid_regex``, ``lowered``, ``uppered``) (layer 2).
"""

from __future__ import annotations

from ._band import Band, BandTable, merged_bands
from ._cited import (
    Basis,
    Cited,
    Parameter,
    ParameterSource,
    count_bases,
    house_policy,
    primary,
    secondary,
)
from ._dates import (
    CalendarRangeError,
    add_months,
    is_working_day,
    months_before,
    months_elapsed,
    older_than_months,
    schedule_years,
    working_days_after,
)
from ._packsources import settings_parameter_sources
from ._reading import Reading, ReadingRow, figure_reading, reading
from ._regulation import (
    ALGORITHM_REGIMES,
    CAC_REGIMES,
    CONTENT_KINDS,
    GENAI_FILING_OR_REGISTRATION,
    GENAI_MODEL_FILING,
    IN_FORCE,
    in_force,
    kind_of,
)
from ._renamed import replaced_by
from ._rules import (
    Pack,
    after_evaluation,
    fired,
    not_evaluated,
    passed,
    rule,
    unreliable_check,
)
from ._scoring import (
    Metric,
    MetricScorer,
    merged_weights,
    score_metrics,
)
from ._text import (
    contains_any,
    fold,
    names_match,
    normalise,
)
from ._validators import lowered, non_negative, percent, uppered, valid_regex

__all__ = [
    "ALGORITHM_REGIMES",
    "CAC_REGIMES",
    "CONTENT_KINDS",
    "GENAI_FILING_OR_REGISTRATION",
    "GENAI_MODEL_FILING",
    "IN_FORCE",
    "Band",
    "BandTable",
    "Basis",
    "CalendarRangeError",
    "Cited",
    "Metric",
    "MetricScorer",
    "Pack",
    "Parameter",
    "ParameterSource",
    "Reading",
    "ReadingRow",
    "add_months",
    "after_evaluation",
    "contains_any",
    "count_bases",
    "figure_reading",
    "fired",
    "fold",
    "house_policy",
    "in_force",
    "is_working_day",
    "kind_of",
    "lowered",
    "merged_bands",
    "merged_weights",
    "months_before",
    "months_elapsed",
    "names_match",
    "non_negative",
    "normalise",
    "not_evaluated",
    "older_than_months",
    "passed",
    "percent",
    "primary",
    "reading",
    "replaced_by",
    "rule",
    "schedule_years",
    "score_metrics",
    "secondary",
    "settings_parameter_sources",
    "unreliable_check",
    "uppered",
    "valid_regex",
    "working_days_after",
]
