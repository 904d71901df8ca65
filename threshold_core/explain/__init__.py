"""Explaining a decision: replay, distance to the line, margins, robustness, the
attributed diff and verification. Needs a Decision, never a renderer (layer 6).

Names load on first use (PEP 562): explaining a decision does not import the diff.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._diff import (
        LISTED,
        Evaluation,
        PortfolioDiff,
        diff_decisions,
        diff_many,
        diff_to_dict,
    )
    from ._incremental import Replayer
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

#: Public name -> (module, name in it).
_EXPORTS: dict[str, tuple[str, str]] = {
    "LISTED": ("._diff", "LISTED"),
    "Evaluation": ("._diff", "Evaluation"),
    "PortfolioDiff": ("._diff", "PortfolioDiff"),
    "Replayer": ("._incremental", "Replayer"),
    "diff_decisions": ("._diff", "diff_decisions"),
    "diff_many": ("._diff", "diff_many"),
    "diff_to_dict": ("._diff", "diff_to_dict"),
    "assessment_from_decision": ("._margin", "assessment_from_decision"),
    "explain": ("._margin", "explain"),
    "explain_all": ("._margin", "explain_all"),
    "what_if": ("._margin", "what_if"),
    "with_explanation": ("._margin", "with_explanation"),
    "NOT_COMPARED": ("._verify", "NOT_COMPARED"),
    "verify_decision": ("._verify", "verify_decision"),
}


def __getattr__(name: str) -> Any:
    where = _EXPORTS.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(where[0], __name__), where[1])
    globals()[name] = value  # later look-ups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])


__all__ = [
    "LISTED",
    "NOT_COMPARED",
    "Evaluation",
    "PortfolioDiff",
    "Replayer",
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
