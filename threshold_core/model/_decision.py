"""What components return and what the engine decides.

These frozen value objects are the vocabulary shared by scorers, rule packs,
the decision policy and the reporters. :func:`threshold_core.load.decision_to_dict`
turns a :class:`Decision` into the documented JSON.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from attrs import field, frozen

from ._profile import StrEnum

SCHEMA_VERSION = "1.0"


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


def format_score(value: float | None, cutoffs: Iterable[float] = (), digits: int = 1) -> str:
    """A score for people: ``digits`` decimals, or more where rounding would show it on
    the other side of a cut-off than the one it was compared on.

    Whole numbers always count as cut-offs (the default grade bands start at whole
    numbers), so ``64.9999`` shows as ``64.9999``, never as ``65.0``; what is
    displayed agrees with what was compared, and only display is rounded.
    """
    if value is None:
        return "-"
    edges = tuple(cutoffs)
    for d in range(digits, 13):
        shown = round(value, d)
        whole = math.floor(max(shown, value))
        if all((shown >= e) == (value >= e) for e in (whole, *edges)):
            return f"{shown:.{d}f}"
    return repr(value)


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
    #: The weakest grade among ``sources`` (:mod:`threshold_core.sources`); None: no data.
    grade: str | None = None
    #: Where the metric's band comes from: ``primary: ...``, ``secondary: ...``,
    #: ``house policy: ...``, ``configured: ...`` (changed in the configuration) or
    #: ``unsourced`` (:mod:`threshold_core.kit`, ``Metric.source``).
    band_source: str | None = None


@frozen
class DimensionScore:
    """What a scorer returns."""

    #: The dimension scored.
    dimension: str
    #: 0-100, or None when no metric had data.
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
    #: Fall in value, percent, that takes the tested valuation to the line (negative: below).
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
    """How much of the decision rests on sourced figures (:mod:`threshold_core.sources`)."""

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


class EventKind(StrEnum):
    LOADER = "loader"
    GATE = "gate"
    SCORER = "scorer"
    RULE_PACK = "rule_pack"
    POLICY = "policy"
    HOOK = "hook"


class EventStatus(StrEnum):
    OK = "ok"
    ERROR = "error"
    SKIPPED = "skipped"


@frozen
class TraceEvent:
    """One step of an evaluation, attributed to the plugin behind it."""

    plugin: str
    version: str
    component: str
    kind: EventKind
    status: EventStatus
    #: Wall time of the call, in milliseconds (the only non-deterministic field).
    duration_ms: float = 0.0
    #: Profile paths the component read.
    read: tuple[str, ...] = ()
    #: What it contributed: a score, findings, a verdict.
    contributed: dict[str, Any] = field(factory=dict)
    message: str | None = None
    #: Per-rule outcomes, for rule packs.
    rules: tuple[RuleOutcome, ...] = ()


@frozen
class PluginRef:
    name: str
    version: str


@frozen
class PackRef:
    """A rule pack as it was when it decided: which law it encodes, as of when."""

    name: str
    version: str
    #: The date of the law and practice the pack encodes (None: the pack does not say).
    law_as_of: str | None = None
    plugin: str = ""


@frozen
class Receipt:
    engine_version: str
    input_sha256: str
    config_sha256: str
    plugins: tuple[PluginRef, ...]
    #: The configuration file the engine ran with, or ``defaults`` when none was found.
    config_source: str = "defaults"
    #: The date the profile was evaluated as of (its own ``as_of``, else the FX table's).
    as_of: str | None = None
    #: Every rule pack with its version and "law as of" date.
    packs: tuple[PackRef, ...] = ()


@frozen
class CompanyRef:
    id: str
    name: str


@frozen
class PolicyResult:
    """What a decision policy returns (see ``threshold_decide``)."""

    verdict: Verdict
    grade: str | None
    score: float | None
    dimensions: tuple[DimensionResult, ...]
    findings: tuple[Finding, ...]
    determining: tuple[Factor, ...]
    risk: Risk | None = None
    sourcing: Sourcing | None = None


@frozen(repr=False)
class Decision:
    """The qualification decision for one company, with its trace.

    ``repr`` is one line; in Jupyter a decision shows as a compact card
    (``_repr_html_``). ``decision_to_dict`` gives the documented JSON.
    """

    company: CompanyRef
    verdict: Verdict
    #: The risk of falling below the line: headroom and volatility combined with the verdict
    #: (``headroom``; :mod:`threshold_core.model._headroom`).
    risk: Risk
    grade: str | None
    score: float | None
    gate: GateResult
    dimensions: tuple[DimensionResult, ...]
    findings: tuple[Finding, ...]
    determining: tuple[Factor, ...]
    trace: tuple[TraceEvent, ...]
    receipt: Receipt
    schema_version: str = SCHEMA_VERSION
    #: Cushion above the line, the fall that breaches it and its probability within the horizon.
    headroom: Headroom | None = None
    #: The label the grade band implies (qualified low, watch medium, not_qualified high);
    #: not the risk of falling below the line.
    scorecard_risk: Risk = Risk.UNKNOWN
    #: Sourced coverage and the share resting on illustrative or proxy figures.
    sourcing: Sourcing | None = None
    #: The file the profile came from, when it came from one.
    source_path: str | None = None
    #: Distance to qualify, margins and robustness (``threshold_core.explain``), when computed.
    explain: Explanation | None = None

    def __repr__(self) -> str:
        """Short: ``<Decision zhipu: watch, risk low, grade Q3, score 67.54, 9 findings>``."""
        score = "-" if self.score is None else f"{self.score:.2f}"
        return (f"<Decision {self.company.id}: {self.verdict}, risk {self.risk}, grade "
                f"{self.grade or '-'}, score {score}, {len(self.findings)} findings>")

    def _repr_html_(self) -> str:
        """A compact card for Jupyter: verdict, risk, score, dimensions, findings, reasons."""
        from html import escape

        colour = {"qualified": "#1a7f37", "watch": "#b7791f", "not_qualified": "#c0392b",
                  "insufficient_data": "#7b4fa0", "error": "#8b0000"}.get(str(self.verdict),
                                                                           "#555")
        score = "-" if self.score is None else f"{self.score:.1f}"
        dims = "".join(
            f"<tr><td>{escape(d.name.replace('_', ' '))}</td><td style='text-align:right'>"
            f"{'-' if d.score is None else format(d.score, '.1f')}</td>"
            f"<td style='text-align:right'>{d.coverage:.0%}</td></tr>"
            for d in self.dimensions if d.weight > 0)
        counts: dict[str, int] = {}
        for f in self.findings:
            counts[str(f.severity)] = counts.get(str(f.severity), 0) + 1
        found = ", ".join(f"{n} {s}" for s, n in counts.items()) or "none"
        why = "".join(f"<li>{escape(f.kind)}: {escape(f.detail)}</li>" for f in self.determining)
        return (
            "<div style='border:1px solid #d8dde6;border-radius:6px;padding:8px 12px;"
            "max-width:520px;font-family:sans-serif;font-size:13px'>"
            f"<div><b>{escape(self.company.name)}</b> <span style='color:#5b6475'>"
            f"({escape(self.company.id)})</span> <span style='background:{colour};color:#fff;"
            "border-radius:4px;padding:1px 6px;font-size:11px;text-transform:uppercase'>"
            f"{escape(str(self.verdict).replace('_', ' '))}</span></div>"
            f"<div>risk <b>{escape(str(self.risk))}</b> &middot; grade "
            f"<b>{escape(self.grade or '-')}</b> &middot; score <b>{score}</b>/100 &middot; "
            f"findings: {escape(found)}</div>"
            "<table style='border-collapse:collapse;margin:4px 0'><tr><th style='text-align:"
            "left'>dimension</th><th>score</th><th>coverage</th></tr>"
            f"{dims}</table><ul style='margin:2px 0;padding-left:18px'>{why}</ul></div>")


# -- Explanations: what it would take, and how stable the verdict is -------------------------
# Computed from a decision by :func:`threshold_core.explain.explain`, never by the engine.


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
