"""Governance record: recent enforcement (FIL-012), ethics review of activities on the
expert re-review list (FIL-013) and EU GPAI documentation (FIL-015)."""

from __future__ import annotations

from typing import Any

from threshold_core.kit import fired, months_before, not_evaluated, rule
from threshold_core.model import (
    CompanyProfile,
    Context,
    EnforcementAction,
    RuleResult,
    Severity,
)
from threshold_rules.filings.common import DIMENSION
from threshold_rules.filings.settings import FilingsSettings

_SEVERE_ACTIONS = frozenset({EnforcementAction.PENALTY, EnforcementAction.APP_REMOVAL})


@rule(
    "FIL-012",
    title="Regulatory enforcement in the last 24 months",
    severity=Severity.HIGH,
    severities=(Severity.HIGH, Severity.MEDIUM, Severity.LOW),
    dimension=DIMENSION,
    rationale="Penalties and app removals signal compliance gaps, and the 2026 Cybersecurity "
    "Law amendment raises fines to RMB 10m. Unresolved penalty or removal: high; resolved: "
    "medium; summons or rectification order only: low.",
    source="Cybersecurity Law amendment (effective 1 Jan 2026); "
    "https://www.hunton.com/privacy-and-information-security-law/cac-issues-amendment-to-the-"
    "cybersecurity-law-of-china",
)
def enforcement_history(
    profile: CompanyProfile, settings: FilingsSettings, context: Context
) -> RuleResult:
    if profile.enforcement is None:
        return not_evaluated("enforcement")
    if context.as_of is None:
        return not_evaluated("as_of", message="no evaluation date")
    since = months_before(context.as_of, settings.enforcement_lookback_months)
    recent = [e for e in profile.enforcement if since <= e.action_date <= context.as_of]
    if not recent:
        return {"enforcement": f"no action since {since.isoformat()}"}
    severe = [e for e in recent if e.action in _SEVERE_ACTIONS]
    if any(not e.resolved for e in severe):
        severity = Severity.HIGH
    elif severe:
        severity = Severity.MEDIUM
    else:
        severity = Severity.LOW
    listed = [
        f"{e.authority} {e.action} {e.action_date.isoformat()}"
        + ("" if e.resolved else " (unresolved)")
        for e in recent
    ]
    return fired(
        f"enforcement since {since.isoformat()}: " + "; ".join(listed),
        severity=severity,
        evidence={"enforcement": listed},
    )


@rule(
    "FIL-013",
    title="On the expert re-review list without an ethics committee",
    severity=Severity.MEDIUM,
    severities=(Severity.MEDIUM, Severity.LOW),
    dimension=DIMENSION,
    rationale="Algorithms with public-opinion or social-mobilisation capability and autonomous "
    "decision systems are on the expert re-review list, which requires an ethics committee "
    "(reported minimum 5 members) and expert re-review.",
    source="Measures for S&T Ethics Review (Trial), 2023; MIIT-led AI S&T ethics guideline "
    "(2026); https://en.zhonglun.com/research/articles/52484.html ; "
    "https://bricscompetition.org/news/china-issues-guideline-for-ai-ethics-governance",
)
def ethics_committee(
    profile: CompanyProfile, settings: FilingsSettings, context: Context
) -> RuleResult:
    if not profile.services and not profile.verticals:
        return not_evaluated("services", "verticals")
    listed = [f"{s.name} (public-opinion service)" for s in profile.services if s.public_opinion]
    listed += [
        f"{v.sector} (decision support without human oversight)"
        for v in profile.verticals
        if v.decision_support and v.human_oversight is False
    ]
    # A service whose public_opinion is left out may be on the list: unknown, never false.
    maybe = [f"services[{i}].public_opinion" for i, s in enumerate(profile.services)
             if s.public_opinion is None]
    maybe += [f"verticals[{i}].{flag}" for i, v in enumerate(profile.verticals)
              if v.decision_support is not False and v.human_oversight is not True
              for flag in ("decision_support", "human_oversight") if getattr(v, flag) is None]
    if not listed and not maybe:
        return {"services": "no activity on the expert re-review list"}
    eg = profile.ethics_governance
    if eg is None:
        return not_evaluated("ethics_governance")
    if not listed:
        gap = not eg.committee or eg.expert_rereview_done is False or (
            eg.members is not None and eg.members < settings.committee_min_members)
        return not_evaluated(*maybe, message="a service or vertical may be on the expert "
                             "re-review list (public-opinion attributes, or decision support "
                             "without human oversight)") if gap else {
            "ethics_governance.committee": True}
    if not eg.committee:
        return fired(
            "no ethics committee although on the expert re-review list: " + ", ".join(listed),
            evidence={"ethics_governance.committee": False, "services": listed},
        )
    gaps = []
    if eg.members is not None and eg.members < settings.committee_min_members:
        gaps.append(f"committee has {eg.members} members (< {settings.committee_min_members})")
    if eg.expert_rereview_done is False:
        gaps.append("expert re-review not done")
    if gaps:
        return fired(
            "; ".join(gaps) + " for " + ", ".join(listed),
            severity=Severity.LOW,
            evidence={"ethics_governance.members": eg.members,
                      "ethics_governance.expert_rereview_done": eg.expert_rereview_done},
        )
    return {"ethics_governance.committee": True}


@rule(
    "FIL-015",
    title="EU GPAI provider without the GPAI documentation",
    severity=Severity.HIGH,
    severities=(Severity.HIGH, Severity.MEDIUM),
    dimension=DIMENSION,
    rationale="GPAI providers on the EU market must keep technical documentation (Art. 53(1)(a)-"
    "(b)) for models placed on the market from 2 Aug 2025; models already on the market then "
    "have until 2 Aug 2027 (Art. 111(3)). Models released under a free and open-source licence "
    "with public weights are exempt from that documentation unless they carry systemic risk "
    "(Art. 53(2)); from 1e25 FLOP of training systemic risk is presumed (Art. 51(2)): high, "
    "else medium. Each model in technology.models is judged by its release date.",
    source="EU AI Act (Reg. 2024/1689) Arts. 51(2), 53(1)-(2), 111(3), 113; "
    "https://eur-lex.europa.eu/eli/reg/2024/1689/oj ; "
    "https://aiactstack.com/curriculum/risk-and-gpai",
)
def gpai_documentation(
    profile: CompanyProfile, settings: FilingsSettings, context: Context
) -> RuleResult:
    eu = profile.eu_exposure
    if eu is None:
        return not_evaluated("eu_exposure")
    if eu.gpai_provider is None:  # left out: unknown, never presumed false
        return not_evaluated("eu_exposure.gpai_provider")
    if not eu.gpai_provider:
        return {"eu_exposure.gpai_provider": False}
    if context.as_of is None:
        return not_evaluated("as_of", message="no evaluation date")
    if context.as_of < settings.gpai_obligations_from:
        return {"as_of": f"{context.as_of} is before {settings.gpai_obligations_from}"}
    models = profile.technology.models if profile.technology is not None else ()
    if not models:
        return not_evaluated("technology.models",
                             message="no models listed: release dates decide the transition")
    due: list[tuple[str, bool]] = []
    notes: dict[str, str] = {}
    missing: list[str] = []
    for i, m in enumerate(models):
        flops = m.training_flops if m.training_flops is not None else eu.training_flops
        systemic = flops is not None and flops >= settings.gpai_systemic_flops
        if m.release_date is None:
            missing.append(f"technology.models[{i}].release_date")
            continue
        if (m.release_date < settings.gpai_obligations_from
                and context.as_of < settings.gpai_transition_until):
            notes[m.name] = (f"released {m.release_date}: transition until "
                             f"{settings.gpai_transition_until}")
        elif m.open_weights and not systemic:
            notes[m.name] = "open weights, no systemic risk: documentation exempt (Art. 53(2))"
        else:
            due.append((m.name, systemic))
    evidence: dict[str, Any] = {"technology.models": notes,
                                "eu_exposure.gpai_documentation": eu.gpai_documentation,
                                "eu_exposure.training_flops": eu.training_flops}
    if due and eu.gpai_documentation is None:
        return not_evaluated("eu_exposure.gpai_documentation", *missing)
    if due and not eu.gpai_documentation:
        systemic = any(sys for _, sys in due)
        listed = ", ".join(f"{name}{' (systemic risk)' if sys else ''}" for name, sys in due)
        return fired(
            f"EU GPAI provider without GPAI documentation for {listed}",
            severity=Severity.HIGH if systemic else Severity.MEDIUM,
            evidence={**evidence, "due": [name for name, _ in due]},
        )
    if missing:
        return not_evaluated(*missing)
    return evidence
