"""What the engine decides: the decision, its trace and its receipt.

:func:`threshold_core.load.decision_to_dict` turns a :class:`Decision` into the
documented JSON. The types it is made of are in ``_outcomes`` (scores, findings,
verdicts) and ``_explanation`` (distance, margin, robustness).
"""

from __future__ import annotations

from typing import Any

from attrs import field, frozen

from ._assessment import is_assumed
from ._explanation import Explanation
from ._figures import StrEnum
from ._outcomes import (
    DimensionResult,
    Factor,
    Finding,
    GateResult,
    Headroom,
    Risk,
    RuleOutcome,
    Sourcing,
    Verdict,
)
from ._shown import format_score

SCHEMA_VERSION = "1.0"


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
        """Short: ``<Decision zhipu: watch, risk low, grade Q3, score 67.54, 9 findings>``;
        assumed findings (rules that lacked data, counted at their most severe until
        researched) are counted apart: ``..., 10 findings, 19 assumed>``."""
        score = format_score(self.score, (), 2)  # never rounded onto a whole-number cut-off
        assumed = sum(1 for f in self.findings if is_assumed(f))
        return (f"<Decision {self.company.id}: {self.verdict}, risk {self.risk}, grade "
                f"{self.grade or '-'}, score {score}, {len(self.findings) - assumed} findings"
                + (f", {assumed} assumed>" if assumed else ">"))

    def _repr_html_(self) -> str:
        """A compact card for Jupyter: verdict, risk, score, dimensions, findings, reasons."""
        from html import escape

        colour = {"qualified": "#1a7f37", "watch": "#b7791f", "not_qualified": "#c0392b",
                  "insufficient_data": "#7b4fa0", "error": "#8b0000"}.get(str(self.verdict),
                                                                           "#555")
        # shown with the digits that keep each figure on its side of a whole-number cut-off
        # (the default grade bands, floors and coverage floors): only display is rounded
        score = format_score(self.score, (), 1)
        dims = "".join(
            f"<tr><td>{escape(d.name.replace('_', ' '))}</td><td style='text-align:right'>"
            f"{format_score(d.score, (), 1)}</td>"
            f"<td style='text-align:right'>{format_score(d.coverage * 100, (), 0)}%</td></tr>"
            for d in self.dimensions if d.weight > 0)
        counts: dict[str, int] = {}
        for f in self.findings:
            key = f"{f.severity} assumed" if is_assumed(f) else str(f.severity)
            counts[key] = counts.get(key, 0) + 1
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
