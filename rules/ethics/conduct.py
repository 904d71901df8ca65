"""Conduct and governance (ETH-005 to ETH-011): hallucination in regulated verticals, AI-content
disclosure, bias, minors, IP litigation, EU prohibitions and ethics governance."""

from __future__ import annotations

import re
from functools import lru_cache

from threshold_core.kit import (
    CONTENT_KINDS,
    contains_any,
    fired,
    fold,
    kind_of,
    not_evaluated,
    rule,
)
from threshold_core.model import (
    CompanyProfile,
    Context,
    RuleResult,
    Service,
    Severity,
    financials_currency,
    format_against,
    format_cutoff,
    format_share,
)
from threshold_rules.ethics.settings import DIMENSION, EthicsSettings

# -- helpers ------------------------------------------------------------------------


def _sector_group(name: str, settings: EthicsSettings) -> str | None:
    """``"finance"``, ``"healthcare"`` or None for a vertical or eval domain name."""
    for group, aliases in (("finance", settings.finance_sectors),
                           ("healthcare", settings.healthcare_sectors)):
        if contains_any(name, aliases):
            return group
    return None


def _content_services(profile: CompanyProfile) -> list[Service]:
    return [s for s in profile.services if kind_of(s) in CONTENT_KINDS]


@rule(
    "ETH-005",
    title="Regulated vertical without a passing hallucination evaluation",
    severity=Severity.HIGH,
    dimension=DIMENSION,
    rationale="Confabulation in finance or healthcare harms customers directly (NIST AI 600-1); "
    "NFRA requires human oversight of high-risk uses. No domain evaluation, or confabulation "
    "above 5%, fires.",
    source="NIST AI 600-1 (confabulation); NFRA AI guidance (2026); "
    "https://docs.modulos.ai/frameworks/nist-ai-rmf/generative-ai-profile ; "
    "https://www.edgen.tech/news/post/china-nfra-mandates-ai-guardrails-for-banking-insurance-"
    "sectors",
)
def hallucination(
    profile: CompanyProfile, settings: EthicsSettings, context: Context
) -> RuleResult:
    if not profile.verticals:
        return not_evaluated("verticals")
    regulated = sorted({g for v in profile.verticals
                        if (g := _sector_group(v.sector, settings)) is not None})
    if not regulated:
        return {"verticals": [v.sector for v in profile.verticals]}
    if profile.evaluations is None:
        return not_evaluated("evaluations.hallucination")
    rates: dict[str, list[float]] = {}
    for e in profile.evaluations.hallucination:
        group = _sector_group(e.domain, settings)
        if group is not None:
            rates.setdefault(group, []).append(e.confabulation_pct)
    problems = []
    for group in regulated:
        if group not in rates:
            problems.append(f"{group}: no domain hallucination evaluation")
        elif max(rates[group]) > (bar := settings.confabulation_max_pct):
            problems.append(
                f"{group}: confabulation {format_share(max(rates[group]), (bar,))}% "
                f"(> {format_cutoff(bar)}%)"
            )
    evidence = {"verticals": regulated, "evaluations.hallucination": rates}
    if problems:
        return fired("regulated vertical(s): " + "; ".join(problems), evidence=evidence)
    return evidence


@rule(
    "ETH-006",
    title="No AI-content disclosure",
    severity=Severity.HIGH,
    dimension=DIMENSION,
    rationale="PRC users must see explicit AI-content labels from 1 Sep 2025; EU users must be "
    "told, and outputs marked machine-readably, from 2 Aug 2026.",
    source="PRC Measures for Labeling AI-Generated Synthetic Content; EU AI Act Art. 50; "
    "https://en.we-ipr.com/IPNews/453 ; https://www.airiskaware.com/eu-ai-act-timeline",
)
def disclosure(
    profile: CompanyProfile, settings: EthicsSettings, context: Context
) -> RuleResult:
    if not profile.services:
        return not_evaluated("services")
    if context.as_of is None:
        return not_evaluated("as_of", message="no evaluation date")
    content = _content_services(profile)
    eu_wide = profile.eu_exposure is not None and profile.eu_exposure.serves_eu_users
    prc = context.as_of >= settings.prc_labeling_from and any(s.public_prc for s in content)
    eu_from = context.as_of >= settings.eu_transparency_from
    eu = eu_from and any(s.eu_users or eu_wide for s in content)
    # EU users left out (a service's eu_users, or the eu_exposure section) are unknown,
    # never presumed absent: the EU duty is not evaluated while it would be unmet.
    maybe_eu = [] if not eu_from or eu else [
        f"services[{i}].eu_users" for i, s in enumerate(profile.services)
        if s.eu_users is None and any(s is c for c in content)]
    if maybe_eu and profile.eu_exposure is None:
        maybe_eu.append("eu_exposure")
    if not (prc or eu or maybe_eu):
        return {"services": "no content-generating service in a disclosure regime yet"}
    cl = profile.content_labeling
    if cl is None:
        return not_evaluated("content_labeling")
    evidence = {"content_labeling.explicit": cl.explicit,
                "content_labeling.implicit_metadata": cl.implicit_metadata}
    problems = []
    if prc and not cl.explicit:
        problems.append(
            f"PRC users: no explicit AI-content label (since {settings.prc_labeling_from})"
        )
    if eu and not (cl.explicit and cl.implicit_metadata):
        problems.append(
            "EU users: no disclosure and machine-readable marking "
            f"(since {settings.eu_transparency_from})"
        )
    if problems:
        return fired("; ".join(problems), evidence=evidence)
    if maybe_eu and not (cl.explicit and cl.implicit_metadata):
        return not_evaluated(*maybe_eu, message="EU users would need disclosure and "
                             "machine-readable marking")
    return evidence


@rule(
    "ETH-007",
    title="No bias evaluation on record",
    severity=Severity.MEDIUM,
    dimension=DIMENSION,
    rationale="The PRC Ethical Norms require avoiding bias and discrimination; NIST AI 600-1 "
    "lists harmful bias and homogenisation.",
    source="Ethical Norms for New Generation AI (MOST, 2021); NIST AI 600-1; "
    "https://linking-ai-principles.org/term/513",
)
def bias_evaluation(
    profile: CompanyProfile, settings: EthicsSettings, context: Context
) -> RuleResult:
    if profile.evaluations is None:
        return not_evaluated("evaluations.bias")
    suites = [b.suite for b in profile.evaluations.bias]
    if not suites:
        return fired("evaluations on record, but none for bias or discrimination",
                     evidence={"evaluations.bias": []})
    return {"evaluations.bias": suites}


@rule(
    "ETH-008",
    title="Companion product without a minor mode",
    severity=Severity.HIGH,
    dimension=DIMENSION,
    rationale="Companion and role-play products reach vulnerable users; the Algorithm "
    "Provisions bar inducing addiction and require protections for minors.",
    source="Algorithm Recommendation Provisions (2022) Arts. 8, 18; NIST AI 600-1 (human-AI "
    "configuration); https://b2b.china9.net/sell/show.php?itemid=799780",
)
def minor_mode(
    profile: CompanyProfile, settings: EthicsSettings, context: Context
) -> RuleResult:
    if not profile.services:
        return not_evaluated("services")
    # A service whose companion is left out may be one: unknown, never presumed false.
    companions = [(i, s) for i, s in enumerate(profile.services) if s.companion is not False]
    if not companions:
        return {"services": "no companion product"}
    lacking = [s.name for _, s in companions if s.companion and s.minor_mode is False]
    if lacking:
        return fired("companion product(s) without a minor mode: " + ", ".join(lacking),
                     evidence={"services": lacking})
    unknown = [f"services[{i}].companion" for i, s in companions
               if s.companion is None and s.minor_mode is not True]
    unknown += [f"services[{i}].minor_mode" for i, s in companions if s.minor_mode is None]
    if unknown:
        return not_evaluated(*unknown)
    return {"services": [s.name for _, s in companions]}


@lru_cache(maxsize=64)
def _word_patterns(words: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(rf"\b{re.escape(word)}\b") for word in words)


def _is_ip(subject: str, settings: EthicsSettings) -> bool:
    text = fold(subject)
    return any(p.search(text) for p in _word_patterns(settings.ip_subjects))


@rule(
    "ETH-009",
    title="Large open IP litigation",
    severity=Severity.MEDIUM,
    dimension=DIMENSION,
    rationale="Open copyright and IP claims of 5% of revenue or more are material (MiniMax "
    "faces suits by iQIYI and Disney, about US$75m reported).",
    source="MiniMax prospectus coverage; https://reportify.ai/news/1206614978883358720",
)
def ip_litigation(
    profile: CompanyProfile, settings: EthicsSettings, context: Context
) -> RuleResult:
    if profile.litigation is None:
        return not_evaluated("litigation")
    cases = [
        (i, lit) for i, lit in enumerate(profile.litigation)
        if _is_ip(lit.subject, settings)
        and fold(lit.status) not in settings.closed_litigation_statuses
    ]
    if not cases:
        return {"litigation": f"{len(profile.litigation)} case(s), none open on IP"}
    missing = [f"litigation[{i}].claim" for i, lit in cases if lit.claim is None]
    claims_cny = sum(
        context.fx.to_cny(lit.claim.amount, lit.claim.currency)
        for _, lit in cases if lit.claim is not None
    )
    fin = profile.financials
    if fin is None or fin.revenue is None:
        return not_evaluated("financials.revenue", *missing)
    revenue_cny = context.fx.to_cny(fin.revenue.value, financials_currency(fin))
    evidence = {"litigation": [lit.counterparty for _, lit in cases],
                "financials.revenue": revenue_cny}
    share = 100.0 * claims_cny / revenue_cny if revenue_cny > 0 else float("inf")
    if claims_cny > 0 and share >= settings.ip_claims_revenue_pct:
        return fired(
            f"open IP claims of {format_against(claims_cny, (), 1, scale=1e6)}m CNY are "
            f"{format_against(share, (settings.ip_claims_revenue_pct,), 1)}% of revenue "
            f"(>= {format_cutoff(settings.ip_claims_revenue_pct)}%)",
            evidence=evidence,
        )
    if missing:
        return not_evaluated(*missing)
    return evidence


@rule(
    "ETH-010",
    title="EU-facing use in a prohibited category",
    severity=Severity.CRITICAL,
    dimension=DIMENSION,
    rationale="Art. 5 prohibits practices such as social scoring and emotion recognition at "
    "work or school from 2 Feb 2025; fines reach EUR 35m or 7% of turnover.",
    source="EU AI Act (Reg. 2024/1689) Art. 5; https://aiactstack.com/curriculum/risk-and-gpai",
)
def eu_prohibited(
    profile: CompanyProfile, settings: EthicsSettings, context: Context
) -> RuleResult:
    eu = profile.eu_exposure
    if eu is None:
        return not_evaluated("eu_exposure")
    serves = eu.serves_eu_users or any(s.eu_users for s in profile.services)
    uses = eu.prohibited_uses
    evidence = {"eu_exposure.serves_eu_users": serves,
                "eu_exposure.prohibited_uses": None if uses is None else list(uses)}
    if uses is not None and not uses:
        return evidence
    if context.as_of is not None and context.as_of < settings.eu_prohibitions_from:
        return evidence
    # A service's eu_users left out is unknown, never presumed false; so are the prohibited
    # uses left out, never "none".
    unknown = [] if serves else [f"services[{i}].eu_users"
                                 for i, s in enumerate(profile.services) if s.eu_users is None]
    if not serves and not unknown:
        return evidence
    if uses is None:
        return not_evaluated("eu_exposure.prohibited_uses", *unknown)
    if unknown:
        return not_evaluated(*unknown)
    return fired("EU-facing prohibited use(s): " + ", ".join(uses),
                 evidence=evidence)


@rule(
    "ETH-011",
    title="No published AI principles and no ethics committee",
    severity=Severity.LOW,
    dimension=DIMENSION,
    rationale="The 2026 AI ethics guideline expects AI developers to run ethics committees; "
    "published principles are the minimum sign of governance.",
    source="MIIT-led AI S&T Ethics Management guideline (trial, 2026); "
    "https://bricscompetition.org/news/china-issues-guideline-for-ai-ethics-governance",
)
def governance(
    profile: CompanyProfile, settings: EthicsSettings, context: Context
) -> RuleResult:
    eg = profile.ethics_governance
    if eg is None:
        return not_evaluated("ethics_governance")
    evidence = {"ethics_governance.committee": eg.committee,
                "ethics_governance.published_principles": eg.published_principles}
    if eg.committee or eg.published_principles:
        return evidence
    if eg.published_principles is None:
        return not_evaluated("ethics_governance.published_principles")
    return fired("no ethics committee and no published AI principles", evidence=evidence)
