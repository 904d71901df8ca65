"""Why a decision came out as it did: distance to qualify, margins and robustness.

Built by :mod:`threshold_core.explain` and attached to a :class:`Decision` as its
``explain`` member.
"""

from __future__ import annotations

from attrs import field, frozen

from ._outcomes import Effect, Verdict


@frozen
class Blocker:
    """Something that must be cleared before the score can improve the verdict."""

    #: ``gate``, ``veto``, ``cap``, ``floor``, ``error``, ``coverage``, ``valuation`` or
    #: ``block``.
    kind: str
    #: The rule id, dimension or component behind it.
    subject: str
    detail: str


@frozen
class MetricChange:
    """One metric moved on its own to give its dimension the points it needs."""

    metric: str
    #: ``raise`` or ``lower`` the raw figure, ``supply`` a missing one, ``change`` a
    #: categorical metric's state (``target_raw`` is the new state's figure), or ``none``.
    action: str
    #: The raw figure now (None when missing).
    raw: float | None
    #: The raw figure that gives the points, or None when not invertible or out of reach.
    target_raw: float | None
    #: The metric's points now and the points it needs.
    points: float | None
    target_points: float | None
    note: str


@frozen
class DimensionDistance:
    """The smallest rise of one dimension, the others fixed, that reaches the target verdict."""

    dimension: str
    #: Points the scorer's score must rise, once ``clear_first`` is cleared; None when out of reach.
    points: float | None
    raw_score: float | None
    target_raw_score: float | None
    #: Points the composite gains from that rise.
    composite_points: float | None
    #: Gate, vetoes and caps to clear first (global blockers plus this dimension's binding caps).
    clear_first: tuple[str, ...]
    #: True when raising this dimension alone (nothing cleared) reaches the target.
    alone: bool
    note: str
    metrics: tuple[MetricChange, ...] = ()


@frozen
class FindingLever:
    """What clearing one finding alone would do."""

    rule: str
    effect: Effect
    dimension: str | None
    #: Composite points gained (None when the composite is not computed either way).
    composite_points: float | None
    verdict_if_cleared: Verdict


@frozen
class CoverageNeed:
    """Data a dimension needs before the score can decide."""

    dimension: str
    coverage: float
    floor: float
    #: Missing metrics, largest weight first, that together reach the floor.
    supply: tuple[str, ...]
    #: The profile paths those metrics read.
    paths: tuple[str, ...]
    note: str


@frozen
class Distance:
    """The smallest change that moves a decision to the next better verdict."""

    #: The verdict aimed at (None for qualified: nothing is better).
    target: Verdict | None
    #: What "next better verdict" means for this decision, in words.
    meaning: str
    blockers: tuple[Blocker, ...] = ()
    #: Valuation missing to reach the line, in CNY (None when the gate passed or was not tested).
    gate_shortfall_cny: float | None = None
    #: The verdict and composite once every blocker is cleared (and nothing else changes).
    verdict_if_cleared: Verdict | None = None
    score_if_cleared: float | None = None
    #: The composite the target needs (the lowest cut-off giving it) and the points short.
    target_score: float | None = None
    gap: float | None = None
    dimensions: tuple[DimensionDistance, ...] = ()
    findings: tuple[FindingLever, ...] = ()
    coverage: tuple[CoverageNeed, ...] = ()


@frozen
class DimensionMargin:
    dimension: str
    #: Points the scorer's score can lose, the others fixed, keeping the verdict; None: it
    #: cannot lower the verdict on its own (even at 0).
    points: float | None
    note: str


@frozen
class Margin:
    """How far a score-decided verdict is from the next worse verdict."""

    #: The verdict below (None when no lower cut-off changes the verdict).
    worse: Verdict | None
    meaning: str
    #: The cut-off the composite must stay at or above.
    cutoff: float | None = None
    #: Composite points above that cut-off.
    points: float | None = None
    dimensions: tuple[DimensionMargin, ...] = ()


@frozen
class WeightInterval:
    """The range of one weight (the others renormalised) over which the verdict holds."""

    dimension: str
    #: The normalised weight now and its range (0-1).
    weight: float
    low: float
    high: float
    #: The same range in configured weight units, the others unchanged (None: unbounded).
    configured_low: float | None
    configured_high: float | None


@frozen
class CutoffInterval:
    """The range of one grade cut-off (the others fixed) over which the verdict holds."""

    grade: str
    min_score: float
    low: float
    high: float
    #: True when moving the cut-off past the score within its neighbours changes the verdict.
    binding: bool


@frozen
class MonteCarlo:
    """Weights drawn from Dirichlet(concentration x configured weights)."""

    draws: int
    concentration: float
    seed: int
    #: Share of draws with another verdict, and with another grade.
    flip_probability: float
    grade_change_probability: float
    #: Share of draws per verdict.
    verdicts: dict[str, float] = field(factory=dict)


@frozen
class Robustness:
    #: ``robust`` or ``fragile`` (see ``[explain]`` in the configuration).
    label: str
    reason: str
    #: Composite points to the nearest cut-off that changes the verdict (None: not score-decided).
    band_edge_distance: float | None = None
    weights: tuple[WeightInterval, ...] = ()
    cutoffs: tuple[CutoffInterval, ...] = ()
    monte_carlo: MonteCarlo | None = None


@frozen
class Explanation:
    """Distance to qualify, safety margin and robustness of one decision."""

    verdict: Verdict
    distance: Distance
    margin: Margin | None
    robustness: Robustness
    notes: tuple[str, ...] = ()
