"""Governance record: recent enforcement (FIL-012), ethics review of activities on the
expert re-review list (FIL-013) and EU GPAI documentation (FIL-015)."""

from __future__ import annotations

from threshold_core.kit import fired, not_evaluated, passed, rule
from threshold_core.model import CompanyProfile, Context, EnforcementAction, RuleOutcome, Severity
from threshold_rules.filings.common import DIMENSION, months_before
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
) -> RuleOutcome:
    if profile.enforcement is None:
        return not_evaluated("enforcement")
    if context.as_of is None:
        return not_evaluated("as_of", message="no evaluation date")
    since = months_before(context.as_of, settings.enforcement_lookback_months)
    recent = [e for e in profile.enforcement if since <= e.action_date <= context.as_of]
    if not recent:
        return passed({"enforcement": f"no action since {since.isoformat()}"})
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
) -> RuleOutcome:
    if not profile.services and not profile.verticals:
        return not_evaluated("services", "verticals")
    listed = [f"{s.name} (public-opinion service)" for s in profile.services if s.public_opinion]
    listed += [
        f"{v.sector} (decision support without human oversight)"
        for v in profile.verticals
        if v.decision_support and v.human_oversight is False
    ]
    if not listed:
        return passed({"services": "no activity on the expert re-review list"})
    eg = profile.ethics_governance
    if eg is None:
        return not_evaluated("ethics_governance")
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
    return passed({"ethics_governance.committee": True})


@rule(
    "FIL-015",
    title="EU GPAI provider without the GPAI documentation",
    severity=Severity.HIGH,
    severities=(Severity.HIGH, Severity.MEDIUM),
    dimension=DIMENSION,
    rationale="Since 2 Aug 2025 GPAI providers on the EU market must keep technical "
    "documentation and a training-content summary; above 1e25 FLOP the systemic-risk duties "
    "apply too (high).",
    source="EU AI Act (Reg. 2024/1689) Arts. 51-55; https://aiactstack.com/curriculum/risk-and-"
    "gpai ; https://trusq.io/updates/ai-act-application-2-august-2026/",
)
def gpai_documentation(
    profile: CompanyProfile, settings: FilingsSettings, context: Context
) -> RuleOutcome:
    eu = profile.eu_exposure
    if eu is None:
        return not_evaluated("eu_exposure")
    if not eu.gpai_provider:
        return passed({"eu_exposure.gpai_provider": False})
    if context.as_of is not None and context.as_of < settings.gpai_obligations_from:
        return passed({"as_of": f"{context.as_of} is before {settings.gpai_obligations_from}"})
    if eu.gpai_documentation is None:
        return not_evaluated("eu_exposure.gpai_documentation")
    evidence = {"eu_exposure.gpai_documentation": eu.gpai_documentation,
                "eu_exposure.training_flops": eu.training_flops}
    if eu.gpai_documentation:
        return passed(evidence)
    systemic = eu.training_flops is not None and eu.training_flops >= settings.gpai_systemic_flops
    note = (
        f"; training compute {eu.training_flops:.2g} FLOP presumes systemic risk"
        if systemic
        else "; training compute unknown, systemic tier not assessed"
        if eu.training_flops is None
        else ""
    )
    return fired(
        "EU GPAI provider without GPAI documentation" + note,
        severity=Severity.HIGH if systemic else Severity.MEDIUM,
        evidence=evidence,
    )
