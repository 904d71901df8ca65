"""CAC registry rules: generative-AI and algorithm filings in force (FIL-001, FIL-002),
material-change deadlines (FIL-003), display and number format (FIL-004), and the
quality of reported filing data (FIL-008)."""

from __future__ import annotations

import re
from typing import Any

from threshold_core.kit import (
    ALGORITHM_REGIMES,
    CAC_REGIMES,
    IN_FORCE,
    CalendarRangeError,
    fired,
    fold,
    kind_of,
    not_evaluated,
    rule,
    working_days_after,
)
from threshold_core.model import (
    CompanyProfile,
    Context,
    Regime,
    RuleResult,
    ServiceKind,
    Severity,
)
from threshold_rules.filings.common import (
    DIMENSION,
    covers,
    filing_label,
    filings_in_force,
    no_services,
    registry_dated,
    registry_path,
    status_unknown,
    unknown_cover,
)
from threshold_rules.filings.settings import FilingsSettings


def _undated(regimes: set[Regime]) -> RuleResult:
    """A registry read without a check date (or checked after the evaluation date, or more
    than ``registry_max_age_days`` before it) is not evidence: ``not_evaluated`` naming it."""
    paths = [registry_path(r) for r in sorted(regimes)]
    return not_evaluated(*paths, message="not evidence without a registry check dated "
                         "within registry_max_age_days before the evaluation date: "
                         + ", ".join(paths))


@rule(
    "FIL-001",
    title="Generative-AI service without a CAC filing or registration",
    severity=Severity.CRITICAL,
    dimension=DIMENSION,
    rationale="Public-facing generative-AI services in the PRC need a CAC filing (own or "
    "fine-tuned models) or a local registration (apps calling a filed model through an API) "
    "before launch.",
    source="Interim Measures for the Management of Generative AI Services (2023) Art. 17; "
    "https://www.saidot.ai/policies/interim-measures-for-the-management-of-generative-ai-systems"
    " ; http://en.people.cn/n3/2025/0409/c90000-20299439.html ; the 180-day age of a "
    "registry check relied on: house policy",
)
def genai_filing(
    profile: CompanyProfile, settings: FilingsSettings, context: Context
) -> RuleResult:
    if not profile.services:
        return no_services()
    if profile.filings is None and any(
        s.public_prc and kind_of(s) is ServiceKind.GENERATIVE for s in profile.services
    ):
        return not_evaluated("filings")
    filing, registration = Regime.CAC_GENAI_FILING, Regime.CAC_GENAI_REGISTRATION
    age = settings.registry_max_age_days
    dated = {r: registry_dated(profile, r, context.as_of, age) for r in (filing, registration)}
    filed = filings_in_force(profile, [filing]) if dated[filing] else []
    registered = filings_in_force(profile, [registration]) if dated[registration] else []
    # A kind left out is read as generative, the stricter value (every other is outside).
    scope = [s for s in profile.services if s.public_prc and kind_of(s) is ServiceKind.GENERATIVE]
    uncovered, undated, statuses = [], set(), []
    for s in scope:
        ok = any(covers(f, s, settings) for f in filed)
        if not ok and s.api_based:
            ok = any(covers(f, s, settings) for f in registered)
        if ok:
            continue
        read = (filing, registration) if s.api_based else (filing,)
        missing = [r for r in read if not dated[r]]
        # A record without a status that would cover it: in force or not is unknown.
        maybe = unknown_cover(status_unknown(profile, [r for r in read if dated[r]]), s, settings)
        if missing:
            undated.update(missing)
        elif maybe:
            statuses += maybe
        else:
            uncovered.append(s)
    evidence = {
        "services": [s.name for s in scope],
        "filings": [filing_label(f) for f in (*filed, *registered)],
    }
    if undated and not uncovered:
        return _undated(undated)
    if statuses and not uncovered:
        return not_evaluated(*dict.fromkeys(statuses), message="a record that would cover a "
                             "service gives no status: in force or not is unknown")
    if uncovered:
        parts = [
            s.name + (" (API-based: needs a filing or a registration)" if s.api_based else "")
            for s in uncovered
        ]
        return fired(
            "public PRC generative service(s) without a CAC generative-AI filing in force: "
            + "; ".join(parts),
            evidence={**evidence, "services": [s.name for s in uncovered]},
        )
    return evidence


#: The services FIL-002 reads, without and with generative ones; its registries in order.
_ALGORITHM_KINDS = frozenset({ServiceKind.ALGORITHM_RECOMMENDATION, ServiceKind.DEEP_SYNTHESIS})
_WITH_GENERATIVE = _ALGORITHM_KINDS | {ServiceKind.GENERATIVE}
_ALGORITHM_ORDER = tuple(sorted(ALGORITHM_REGIMES))


@rule(
    "FIL-002",
    title="Public-opinion algorithm or deep-synthesis service without an algorithm filing",
    severity=Severity.CRITICAL,
    dimension=DIMENSION,
    rationale="Algorithm-recommendation and deep-synthesis services with public-opinion "
    "attributes must file in the CAC algorithm registry within 10 working days of launch; "
    "generative services with such attributes need it too (Art. 17). Fines RMB 10k-100k and "
    "app removal.",
    source="Algorithm Recommendation Provisions (2022) Art. 24; Deep Synthesis Provisions (CAC "
    "Order No. 12) Art. 19; GenAI Interim Measures Art. 17; "
    "http://www.olppe.com/guoji/20220228/2832874.html ; "
    "https://policywindow.org/wiki/china-deep-synthesis-provisions/print ; the 180-day age "
    "of a registry check relied on: house policy",
)
def algorithm_filing(
    profile: CompanyProfile, settings: FilingsSettings, context: Context
) -> RuleResult:
    if not profile.services:
        return no_services()
    kinds = _WITH_GENERATIVE if settings.generative_needs_algorithm_filing else _ALGORITHM_KINDS
    # A service whose public_opinion is left out may have those attributes, and one whose
    # kind is left out may be an algorithm or deep-synthesis service: unknown.
    scope = [s for s in profile.services if s.public_prc and s.public_opinion is not False
             and (s.kind is None or s.kind in kinds)]
    if scope and profile.filings is None:
        return not_evaluated("filings")
    age = settings.registry_max_age_days
    dated = [r for r in _ALGORITHM_ORDER if registry_dated(profile, r, context.as_of, age)]
    filed = filings_in_force(profile, dated)
    uncovered = [s for s in scope if not any(covers(f, s, settings) for f in filed)]
    evidence = {"services": [s.name for s in scope], "filings": [filing_label(f) for f in filed]}
    if uncovered and len(dated) < len(ALGORITHM_REGIMES):
        return _undated(set(ALGORITHM_REGIMES) - set(dated))
    unsure = status_unknown(profile, dated)
    certain, paths = [], []
    for i, s in enumerate(profile.services):
        if not any(s is u for u in uncovered):
            continue
        maybe = unknown_cover(unsure, s, settings)
        if s.kind is None and ServiceKind.GENERATIVE not in kinds:
            maybe.append(f"services[{i}].kind")
        if s.public_opinion and not maybe:
            certain.append(s)
        else:
            paths += maybe + ([f"services[{i}].public_opinion"] if s.public_opinion is None
                              else [])
    if certain:
        return fired(
            "public-opinion service(s) without an algorithm or deep-synthesis filing in force: "
            + ", ".join(f"{s.name} ({s.kind or ServiceKind.GENERATIVE})" for s in certain),
            evidence={**evidence, "services": [s.name for s in certain]},
        )
    if uncovered:
        return not_evaluated(*dict.fromkeys(paths),
                             message="a service without an algorithm or deep-synthesis filing "
                             "in force may need one: " + ", ".join(dict.fromkeys(paths))
                             + " left out")
    return evidence


@rule(
    "FIL-003",
    title="Material change filed late",
    severity=Severity.HIGH,
    dimension=DIMENSION,
    rationale="A material change to a filed service must be filed within 10 working days. "
    "Working days follow the State Council's holiday schedule (holidays off, make-up weekend "
    "days worked); a date beyond the schedule on record is not evaluated.",
    source="Algorithm Recommendation Provisions (2022) Art. 24; "
    "https://www.dataguidance.com/news/china-cac-announces-launch-internet-information ; "
    "holiday schedule: State Council General Office notices, via chinese-calendar",
)
def change_deadline(
    profile: CompanyProfile, settings: FilingsSettings, context: Context
) -> RuleResult:
    if profile.filings is None:
        return not_evaluated("filings")
    if not profile.filings:
        return {"filings": "none on record"}
    limit = settings.change_deadline_working_days
    late: list[str] = []
    missing: list[str] = []
    beyond: list[tuple[str, str]] = []
    checked = 0
    for i, f in enumerate(profile.filings):
        if f.material_change_date is None or f.regime not in CAC_REGIMES:
            continue
        end = f.change_filed_date
        if end is None:
            if context.as_of is None:
                missing.append(f"filings[{i}].change_filed_date")
                continue
            end = context.as_of
        try:
            days = working_days_after(f.material_change_date, end)
        except CalendarRangeError as exc:
            beyond.append((f"filings[{i}]", str(exc)))
            continue
        checked += 1
        if days > limit:
            how = (
                f"filed {days} working days after"
                if f.change_filed_date is not None
                else f"still unfiled {days} working days after"
            )
            late.append(f"{filing_label(f)}: change {how} {f.material_change_date.isoformat()}")
    if late:
        return fired(
            f"material change(s) not filed within {limit} working days: " + "; ".join(late),
            evidence={"filings": late},
        )
    if missing or beyond:
        return not_evaluated(
            *missing, *(path for path, _ in beyond),
            message="; ".join([*(f"missing {m}" for m in missing),
                               *(f"{path}: {why}" for path, why in beyond)]),
        )
    return {"filings": f"{checked} material change(s) filed in time"}


@rule(
    "FIL-004",
    title="Filing number not displayed, or not in the registry's format",
    severity=Severity.MEDIUM,
    severities=(Severity.MEDIUM, Severity.LOW),
    dimension=DIMENSION,
    rationale="Services must display the model name with its filing or online registration "
    "number; a number outside the observed grammar suggests a transcription error or an "
    "unverifiable claim (soft check, low).",
    source="CAC filing notices; https://csdn.cc/technology/2684192.html ; "
    "http://en.people.cn/n3/2025/0409/c90000-20299439.html ; number grammar: research §1.3",
)
def filing_display(
    profile: CompanyProfile, settings: FilingsSettings, context: Context
) -> RuleResult:
    if profile.filings is None:
        return not_evaluated("filings")
    if not profile.filings:
        return {"filings": "none on record"}
    patterns = {
        Regime.CAC_ALGORITHM: settings.algorithm_number_pattern,
        Regime.CAC_DEEP_SYNTHESIS: settings.algorithm_number_pattern,
        Regime.CAC_GENAI_FILING: settings.genai_number_pattern,
    }
    hidden: list[str] = []
    malformed: list[str] = []
    missing: list[str] = []
    statuses: list[str] = []  # records left without a status that would fire: unknown
    unsure_hidden = False
    for i, f in enumerate(profile.filings):
        # A record left without its status may be in force: read as one, never skipped.
        if f.regime not in CAC_REGIMES or (f.status is not None and f.status not in IN_FORCE):
            continue
        found_hidden, found_malformed = hidden, malformed
        if f.status is None:
            found_hidden, found_malformed = [], []
        if f.displayed_on_product is None:
            missing.append(f"filings[{i}].displayed_on_product")
        elif not f.displayed_on_product:
            found_hidden.append(filing_label(f))
        pattern = patterns.get(f.regime)
        if pattern is not None:  # registrations: no published number grammar to check
            if f.filing_number is None:
                missing.append(f"filings[{i}].filing_number")
            elif not re.fullmatch(pattern, f.filing_number.strip()):
                found_malformed.append(f"{f.regime} {f.filing_number!r}")
        if f.status is None and (found_hidden or found_malformed):
            statuses.append(f"filings[{i}].status")
            unsure_hidden = unsure_hidden or bool(found_hidden)
    if hidden or (malformed and not unsure_hidden):
        parts = []
        if hidden:
            parts.append("not displayed on the product: " + ", ".join(hidden))
        if malformed:
            parts.append("number outside the registry format: " + ", ".join(malformed))
        return fired(
            "; ".join(parts),
            severity=Severity.MEDIUM if hidden else Severity.LOW,
            evidence={"filings": hidden + malformed},
        )
    if missing or statuses:
        return not_evaluated(*missing, *statuses)
    return {"filings": "numbers well-formed and displayed"}



def _is_miit(authority: str | None) -> bool:
    return authority is not None and fold(authority).startswith("miit")


@rule(
    "FIL-008",
    title="Data quality: filings attributed to MIIT or approvals given as a count",
    severity=Severity.INFO,
    dimension=DIMENSION,
    rationale="The CAC (not MIIT) runs the algorithm, deep-synthesis and generative-AI "
    "registries; sector permissions come from sector regulators as separate records, never as "
    "a count or a summary such as 'full compliance'.",
    source="research §0 and §1.2; "
    "https://www.dataguidance.com/news/china-cac-announces-launch-internet-information ; "
    "https://www.pacificbridgemedical.com/news-brief/china-finalized-classification-guidelines-"
    "for-ai-medical-devices/",
)
def data_quality(
    profile: CompanyProfile, settings: FilingsSettings, context: Context
) -> RuleResult:
    claims = profile.reported_claims
    if profile.filings is None and claims is None:
        return not_evaluated("filings", "reported_claims")
    notes: list[str] = []
    evidence: dict[str, Any] = {}
    for i, f in enumerate(profile.filings or ()):
        if f.regime in CAC_REGIMES and _is_miit(f.authority):
            notes.append(
                f"{filing_label(f)} is attributed to {f.authority}; CAC runs that registry"
            )
            evidence[f"filings[{i}].authority"] = f.authority
    if claims is not None:
        if _is_miit(claims.filing_authority):
            notes.append(
                f"the source attributes filings to {claims.filing_authority}; CAC runs the "
                "filing registries (MIIT issues ICP licences)"
            )
            evidence["reported_claims.filing_authority"] = claims.filing_authority
        if claims.verticals_approved is not None:
            active = sorted({a.sector for a in profile.sector_approvals or ()
                             if a.status in IN_FORCE})
            notes.append(
                f'"{claims.verticals_approved} verticals approved" is a count no registry '
                f"records; {len(active)} sourced sector approval(s) in force"
                + (f" ({', '.join(active)})" if active else "")
            )
            evidence["reported_claims.verticals_approved"] = claims.verticals_approved
            evidence["sector_approvals"] = active
        if claims.compliance_status is not None:
            notes.append(
                f'compliance status "{claims.compliance_status}" is a summary, not a registry '
                "record"
            )
            evidence["reported_claims.compliance_status"] = claims.compliance_status
    if notes:
        return fired("; ".join(notes), evidence=evidence)
    return {"filings": [filing_label(f) for f in profile.filings or ()]}
