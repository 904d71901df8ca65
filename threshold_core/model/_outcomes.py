"""What components return and what the policy makes of it.

These frozen value objects are the vocabulary shared by scorers, rule packs,
the decision policy and the reporters: severities, verdicts and risk, metric and
dimension scores, rule outcomes and findings, the gate, headroom, sourcing and
the determining factors.
"""

from __future__ import annotations

from typing import Any

from attrs import field, frozen

from ._figures import StrEnum


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """0 for critical, 4 for info: lower is more severe."""
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {s: i for i, s in enumerate(Severity)}


class Effect(StrEnum):
    """What the policy did with a finding."""

    VETO = "veto"
    CAP = "cap"
    DEDUCTION = "deduction"
    REPORTED = "reported"
    BLOCK = "block"


class Verdict(StrEnum):
    QUALIFIED = "qualified"
    WATCH = "watch"
    NOT_QUALIFIED = "not_qualified"
    INSUFFICIENT_DATA = "insufficient_data"
    ERROR = "error"


#: The verdicts a grade may map to, best first.
GRADED_VERDICTS = (Verdict.QUALIFIED, Verdict.WATCH, Verdict.NOT_QUALIFIED)


class Risk(StrEnum):
    """The article's "risk of falling below the line"."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    UNKNOWN = "unknown"


#: The risk label the grade band implies (``scorecard_risk`` in a decision). It is not the
#: risk of falling below the line, which :mod:`threshold_core.model._headroom` computes.
RISK_OF_VERDICT = {
    Verdict.QUALIFIED: Risk.LOW,
    Verdict.WATCH: Risk.MEDIUM,
    Verdict.NOT_QUALIFIED: Risk.HIGH,
    Verdict.INSUFFICIENT_DATA: Risk.UNKNOWN,
    Verdict.ERROR: Risk.UNKNOWN,
}


@frozen
class MetricScore:
    """How one raw figure became points inside a dimension."""

    #: The metric's name, for example ``ndr``.
    metric: str
    #: Its weight inside the dimension, before renormalisation.
    weight: float
    #: The raw figure, or None when the profile lacked it.
    raw: float | None
    #: The 0-100 sub-score, or None when the metric had no data.
    points: float | None
    #: Profile paths the metric read.
    inputs: tuple[str, ...] = ()
    #: The source of the raw figure, as the profile gives it.
    source: str | None = None
    #: How the points were reached (band, cap, formula).
    note: str | None = None
    #: For a categorical metric (a listing status, say): the state the profile is in, and
    #: the raw figure each state gives. A change is then phrased as a state to reach.
    state: str | None = None
    states: dict[str, float] = field(factory=dict)
    #: The sources of every record the reading read (``source`` included).
    sources: tuple[str, ...] = ()
    #: The weakest grade among ``sources`` (:mod:`threshold_core.model`); None: no data.
    grade: str | None = None
    #: Where the metric's band comes from: ``primary: ...``, ``secondary: ...``,
    #: ``house policy: ...``, ``configured: ...`` (changed in the configuration) or
    #: ``unsourced`` (:mod:`threshold_core.kit`, ``Metric.source``).
    band_source: str | None = None
    #: For a metric without company data (``points`` None: missing, or a cohort proxy):
    #: the points it counts at in the dimension's score until researched, its least
    #: favourable (its band's lowest), with its full weight. Omission never helps: the
    #: score with a figure withheld is never above the score with it. None when the
    #: metric had data (or the scorer does not count missing metrics: its score is then
    #: the mean over the metrics that had data). Coverage still counts it as missing.
    assumed_points: float | None = None


@frozen
class DimensionScore:
    """What a scorer returns."""

    #: The dimension scored.
    dimension: str
    #: 0-100, or None when no metric had data. A metric without data counts at its
    #: ``assumed_points`` (least favourable) where the scorer gives them.
    score: float | None
    #: Share (0-1) of the scorer's metric weight that had data.
    coverage: float
    #: Profile paths read, in the order read.
    inputs: tuple[str, ...] = ()
    #: One entry per metric.
    metrics: tuple[MetricScore, ...] = ()
    #: Anything else worth showing.
    notes: tuple[str, ...] = ()


class RuleStatus(StrEnum):
    FIRED = "fired"
    PASSED = "passed"
    NOT_EVALUATED = "not_evaluated"
    DISABLED = "disabled"
    ERROR = "error"


@frozen
class RuleOutcome:
    """What one rule did in one evaluation."""

    status: RuleStatus
    #: Severity when fired (rules may fire at a lower tier than their maximum).
    severity: Severity | None = None
    message: str | None = None
    #: Profile paths that were needed but missing (``not_evaluated``).
    missing: tuple[str, ...] = ()
    #: Values the rule looked at.
    evidence: dict[str, Any] = field(factory=dict)
    #: The rule's id (the engine sets it).
    rule: str = ""


@frozen
class Finding:
    """A fired rule, as the decision reports it."""

    rule: str
    pack: str
    severity: Severity
    #: What the policy did with it.
    effect: Effect
    #: The dimension it affects.
    dimension: str | None
    title: str
    message: str
    plugin: str
    evidence: dict[str, Any] = field(factory=dict)
    source: str | None = None


@frozen
class GateResult:
    passed: bool | None
    #: The line, in CNY.
    line_cny: float
    valuation_amount: float | None = None
    valuation_currency: str | None = None
    valuation_cny: float | None = None
    #: The basis tested: the valuation's, except that an ``expected_market_value`` without a
    #: listing application on record is tested as an ``estimate``
    #: (:func:`~threshold_core.model.tested_basis`).
    basis: str | None = None
    fx_rate: float | None = None
    fx_as_of: str | None = None
    reason: str = ""
    #: The date the valuation describes.
    valuation_as_of: str | None = None
    #: Share taken off the stated valuation for its basis (``[risk.haircut]``).
    haircut: float = 0.0
    #: The valuation the gate compared with the line: ``valuation_cny * (1 - haircut)``.
    tested_cny: float | None = None


#: How the breach probability is computed, as the decision reports it.
MODEL = "driftless lognormal, first passage"


@frozen
class Headroom:
    """How far the valuation sits above the line, and the chance of falling below it."""

    #: The line, in CNY.
    line_cny: float
    #: The stated valuation in CNY, before the haircut (None: no valuation).
    valuation_cny: float | None = None
    basis: str | None = None
    #: Share taken off the stated valuation for its basis.
    haircut: float = 0.0
    #: The valuation the gate tests: ``valuation_cny * (1 - haircut)``.
    tested_cny: float | None = None
    #: ``tested_cny / line_cny``.
    cushion: float | None = None
    #: Fall in value, percent, that takes the tested valuation to the line (negative: below;
    #: None when the rise to the line is too large to be a number, for a valuation of 5e-324).
    breach_fall_pct: float | None = None
    horizon_months: int = 12
    #: Annual volatility used.
    volatility: float | None = None
    #: Probability (0-1) of touching the line within the horizon.
    breach_probability: float | None = None
    #: The risk from the probability alone.
    market_risk: Risk = Risk.UNKNOWN
    #: The risk of falling below the line: market risk combined with the verdict.
    risk: Risk = Risk.UNKNOWN
    model: str = MODEL
    #: The headline, for example "a 42% fall in value would breach the line; 7% chance ...".
    summary: str = ""
    #: How the risk was reached, in order.
    reasons: tuple[str, ...] = ()


@frozen
class Sourcing:
    """How much of the decision rests on sourced figures (:mod:`threshold_core.model`)."""

    #: Weighted mean of the dimensions' sourced coverage (None: no scorer reports metrics).
    sourced_coverage: float | None = None
    #: Share (0-1) of the composite resting on illustrative or unsourced readings.
    illustrative_share: float | None = None
    #: ``policy.max_illustrative_share``: above it, qualified is held at watch.
    limit: float = 0.25
    #: Metric readings with data per source grade; cohort proxies are reported, not scored.
    grades: dict[str, int] = field(factory=dict)
    #: The same per tier: primary, secondary, illustrative, proxy.
    tiers: dict[str, int] = field(factory=dict)


@frozen
class Adjustment:
    """A change the policy made to a dimension score because of a finding."""

    rule: str
    effect: Effect
    #: Points (negative) or cap value.
    amount: float


@frozen
class DimensionResult:
    name: str
    #: The final score after caps and deductions, or None.
    score: float | None
    #: The scorer's own score before the policy's adjustments.
    raw_score: float | None
    #: Normalised weight (the weights sum to 1).
    weight: float
    #: The weight as configured, before normalisation.
    configured_weight: float
    #: ``weight * score``: the points this dimension gives the composite.
    contribution: float | None
    coverage: float
    plugin: str
    component: str
    adjustments: tuple[Adjustment, ...] = ()
    evidence: tuple[MetricScore, ...] = ()
    inputs: tuple[str, ...] = ()
    #: False for an optional dimension (``[dimensions.<name>] required = false``).
    required: bool = True
    #: Why an optional dimension does not count (weight 0, the others renormalised):
    #: ``optional; no data`` or ``optional; coverage 25% is below its floor 60%``.
    left_out: str | None = None
    #: Share (0-1) of the metric weight with data from a primary or secondary source;
    #: None when the scorer reports no metrics.
    sourced_coverage: float | None = None
    #: Share (0-1) of the dimension's score resting on illustrative or unsourced readings.
    illustrative_share: float | None = None


class FactorKind(StrEnum):
    GATE = "gate"
    ERROR = "error"
    VETO = "veto"
    INSUFFICIENT_DATA = "insufficient_data"
    CAP = "cap"
    #: Too much of the composite rests on illustrative or proxy figures.
    SOURCES = "sources"
    #: A dimension below its non-compensatory floor held the verdict at watch.
    FLOOR = "floor"
    BLOCK = "block"
    BAND = "band"
    #: An optional dimension without enough data: the others were renormalised.
    LEFT_OUT = "left_out"


@frozen
class Factor:
    """One reason the decision is what it is (Cedar's "determining policies")."""

    kind: FactorKind
    detail: str
    #: The rule id, dimension or component behind it.
    subject: str | None = None
