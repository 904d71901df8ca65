"""Sector regulators: NMPA Class III registration of healthcare decision support
(FIL-009), the ban on AI prescriptions (FIL-010) and NFRA's safeguards for banking and
insurance clients (FIL-011)."""

from __future__ import annotations

import re

from threshold_core.kit import (
    GENAI_FILING_OR_REGISTRATION,
    IN_FORCE,
    fired,
    fold,
    not_evaluated,
    rule,
)
from threshold_core.model import CompanyProfile, Context, RuleResult, Severity, format_share
from threshold_rules.filings.common import (
    DIMENSION,
    filings_in_force,
    in_sectors,
    no_services,
    registry_dated,
    registry_path,
    status_unknown,
)
from threshold_rules.filings.settings import FilingsSettings


@rule(
    "FIL-009",
    title="Healthcare decision support without NMPA Class III registration",
    severity=Severity.CRITICAL,
    severities=(Severity.CRITICAL, Severity.HIGH),
    dimension=DIMENSION,
    rationale="AI software supporting diagnosis or treatment decisions is a Class III medical "
    "device; selling it unregistered is barred. Critical when that vertical carries the "
    "company (>= 50% of revenue by default), high otherwise.",
    source="NMPA Announcement No. 47 (2021); Guideline for AI Medical Device Registration "
    "(2022); https://www.pacificbridgemedical.com/news-brief/china-finalized-classification-"
    "guidelines-for-ai-medical-devices/ ; https://chinameddevice.com/digital-health-nmpa-ai/ ; "
    "critical from 50% of revenue: house policy",
)
def nmpa_class_iii(
    profile: CompanyProfile, settings: FilingsSettings, context: Context
) -> RuleResult:
    if not profile.verticals:
        return not_evaluated("verticals")
    targets = []
    missing: list[str] = []
    for i, v in enumerate(profile.verticals):
        if not (v.decision_support is not False
                and in_sectors(v.sector, settings.healthcare_sectors)):
            continue
        if v.exemption:
            continue
        if v.decision_support is None:  # left out: unknown, never presumed false
            if v.revenue_share_pct is None or (
                    v.revenue_share_pct >= settings.sector_revenue_floor_pct):
                missing.append(f"verticals[{i}].decision_support")
            continue
        if v.revenue_share_pct is None:
            missing.append(f"verticals[{i}].revenue_share_pct")
        elif v.revenue_share_pct >= settings.sector_revenue_floor_pct:
            targets.append(v)
    regulator = fold(settings.medical_device_regulator)
    if targets and profile.sector_approvals is None:
        return not_evaluated("sector_approvals", *missing)
    nmpa = [(j, a) for j, a in enumerate(profile.sector_approvals or ())
            if fold(a.regulator) == regulator and a.status in IN_FORCE]
    class_iii = [a for _, a in nmpa
                 if a.instrument and re.search(settings.class_iii_pattern, a.instrument, re.I)]
    if targets and not class_iii:
        unknown = [f"sector_approvals[{j}].instrument" for j, a in nmpa if a.instrument is None]
        # An NMPA approval left without its status may be the Class III one in force.
        unknown += [f"sector_approvals[{j}].status"
                    for j, a in enumerate(profile.sector_approvals or ())
                    if fold(a.regulator) == regulator and a.status is None and (
                        a.instrument is None
                        or re.search(settings.class_iii_pattern, a.instrument, re.I))]
        if unknown:
            return not_evaluated(*unknown, *missing)
        share = max(v.revenue_share_pct or 0.0 for v in targets)
        bars = (settings.sector_revenue_floor_pct, settings.nmpa_critical_revenue_pct)
        severity = (
            Severity.CRITICAL if share >= settings.nmpa_critical_revenue_pct else Severity.HIGH
        )
        return fired(
            "healthcare decision-support vertical(s) "
            + ", ".join(f"{v.sector} ({format_share(v.revenue_share_pct or 0.0, bars)}% of "
                        "revenue)" for v in targets)
            + " without an NMPA Class III registration in force",
            severity=severity,
            evidence={"verticals": [v.sector for v in targets],
                      "sector_approvals": [a.instrument for _, a in nmpa]},
        )
    if missing and not class_iii:
        return not_evaluated(*missing)
    return {"verticals": [v.sector for v in targets],
            "sector_approvals": [a.instrument for a in class_iii]}


@rule(
    "FIL-010",
    title="AI auto-generates prescriptions or stands in for a physician",
    severity=Severity.CRITICAL,
    dimension=DIMENSION,
    rationale="Prescriptions must be issued by the treating physician; using AI to "
    "auto-generate them, or letting AI impersonate or replace doctors, is prohibited.",
    source="NHC/NATCM Internet Diagnosis and Treatment Supervision Rules (Trial), 2022; "
    "https://www.cqn.com.cn/zhixiao/content/2022-06/13/content_8830999.htm",
)
def auto_prescription(
    profile: CompanyProfile, settings: FilingsSettings, context: Context
) -> RuleResult:
    if not profile.services:
        return no_services()
    bad = [s.name for s in profile.services if s.auto_prescription]
    if bad:
        return fired(
            "service(s) auto-generate prescriptions or stand in for physicians: " + ", ".join(bad),
            evidence={"services": bad},
        )
    unknown = [f"services[{i}].auto_prescription" for i, s in enumerate(profile.services)
               if s.auto_prescription is None]
    if unknown:  # left out: unknown, never presumed false
        return not_evaluated(*unknown)
    return {"services": [s.name for s in profile.services]}


@rule(
    "FIL-011",
    title="Serves NFRA-regulated institutions without the NFRA AI safeguards",
    severity=Severity.HIGH,
    dimension=DIMENSION,
    rationale="NFRA requires externally sourced generative models to be CAC-filed, human "
    "oversight at key points of high-risk uses (credit, underwriting, claims), and bars "
    "personal data from training or tuning generative AI.",
    source="NFRA guiding opinion on safe AI development and application in banking and "
    "insurance (2026); https://www.edgen.tech/news/post/china-nfra-mandates-ai-guardrails-for-"
    "banking-insurance-sectors ; https://aspirehk.ltd/zh-hans/real-time-quotes-and-news/1178823"
    " ; the 180-day age of a registry check relied on: house policy",
)
def nfra_safeguards(
    profile: CompanyProfile, settings: FilingsSettings, context: Context
) -> RuleResult:
    if not profile.verticals:
        return not_evaluated("verticals")
    # A vertical whose nfra_regulated_clients is left out may serve them: unknown, never
    # presumed false. What it alone would fire is not evaluated, naming the flag.
    scope = [(i, v) for i, v in enumerate(profile.verticals)
             if v.nfra_regulated_clients is not False]
    if not scope:
        return {"verticals": "no NFRA-regulated clients"}
    certain = any(v.nfra_regulated_clients for _, v in scope)
    problems: list[str] = []
    maybe: list[str] = []
    missing: list[str] = []
    if profile.filings is None:
        missing.append("filings")
    else:
        # Only registries checked at a known date are evidence (registry_checks).
        regimes = sorted(GENAI_FILING_OR_REGISTRATION)
        age = settings.registry_max_age_days
        dated = [r for r in regimes if registry_dated(profile, r, context.as_of, age)]
        undated = [registry_path(r) for r in regimes if r not in dated]
        if not filings_in_force(profile, dated):
            unsure = [f"filings[{i}].status" for i, _ in status_unknown(profile, dated)]
            if undated or unsure:  # a record left without its status may be in force
                missing.extend(undated + unsure)
            else:
                problems.append("no generative-AI filing or registration in force")
    unfiled = [s.name for s in profile.services if s.foundation_model_filed is False]
    if unfiled:
        problems.append("built on an unfiled foundation model: " + ", ".join(unfiled))
    if not certain:
        maybe, problems = problems, []
    for i, v in scope:
        found = problems if v.nfra_regulated_clients else maybe
        if v.decision_support:
            if v.human_oversight is False:
                found.append(f"{v.sector}: decision support without human oversight")
            elif v.human_oversight is None:
                missing.append(f"verticals[{i}].human_oversight")
        elif v.decision_support is None and v.human_oversight is not True:
            missing.append(f"verticals[{i}].decision_support")
        if v.personal_data_in_training:
            found.append(f"{v.sector}: personal data used to train generative AI")
        elif v.personal_data_in_training is None:
            missing.append(f"verticals[{i}].personal_data_in_training")
    if maybe and not problems:
        missing[:0] = [f"verticals[{i}].nfra_regulated_clients" for i, v in scope
                       if v.nfra_regulated_clients is None]
    if problems:
        return fired("NFRA-regulated clients, but " + "; ".join(problems),
                     evidence={"verticals": [v.sector for _, v in scope]})
    if missing:
        registries = [m for m in missing if m.startswith("registry_checks.")]
        why = ("; not evidence without a registry check dated within registry_max_age_days "
               "before the evaluation date") if registries else ""
        return not_evaluated(*missing, message="missing " + ", ".join(missing) + why)
    return {"verticals": [v.sector for _, v in scope]}
