"""What the engine hands a decision policy (the ``threshold_decide`` hook).

These are the hook's argument types, so a firm's own policy plugin imports
them from :mod:`threshold_core.model`, never from the default policy it replaces.
"""

from __future__ import annotations

from typing import Any

from attrs import frozen

from ._outcomes import (
    DimensionScore,
    Finding,
    GateResult,
    RuleOutcome,
)

#: Evidence key marking an *assumed* finding: a rule of severity medium or worse that
#: could not be evaluated for lack of data, counted at its most severe until researched
#: (omission never helps; ``policy.missing_compliance_data``).
ASSUMED = "assumed"


def is_assumed(finding: Finding) -> bool:
    """True for a finding the engine assumed (see :data:`ASSUMED`), not one a rule fired."""
    return finding.evidence.get(ASSUMED) is True


@frozen
class ScoredDimension:
    """A configured dimension with the scorer result behind it."""

    name: str
    #: The configured (not yet normalised) weight.
    weight: float
    component: str
    plugin: str
    #: None when the scorer failed (see ``Assessment.errors``).
    result: DimensionScore | None


@frozen
class PackOutcomes:
    pack: str
    plugin: str
    outcomes: tuple[RuleOutcome, ...]


@frozen
class ComponentError:
    plugin: str
    component: str
    message: str


@frozen
class Assessment:
    """Everything a policy needs, gathered by the engine."""

    profile: Any
    gate: GateResult
    dimensions: tuple[ScoredDimension, ...]
    #: Fired rules, with ``effect`` still ``reported``; the policy assigns effects.
    findings: tuple[Finding, ...]
    packs: tuple[PackOutcomes, ...]
    errors: tuple[ComponentError, ...]
