"""Explaining a decision: replay, distance to the line, margins, robustness, the
attributed diff and verification. Needs a Decision, never a renderer (layer 6).
"""

from __future__ import annotations

from ._diff import (
    LISTED,
    Evaluation,
    PortfolioDiff,
    diff_decisions,
    diff_many,
    diff_to_dict,
)
from ._margin import (
    assessment_from_decision,
    explain,
    explain_all,
    what_if,
    with_explanation,
)
from ._verify import (
    NOT_COMPARED,
    verify_decision,
)

__all__ = [
    "LISTED",
    "NOT_COMPARED",
    "Evaluation",
    "PortfolioDiff",
    "assessment_from_decision",
    "diff_decisions",
    "diff_many",
    "diff_to_dict",
    "explain",
    "explain_all",
    "verify_decision",
    "what_if",
    "with_explanation",
]
