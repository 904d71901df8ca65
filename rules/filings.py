"""Filings: CAC filings and registrations, labeling, sector approvals, enforcement.

A built-in rule pack (``filings``). Every threshold is a field of
:class:`FilingsSettings`, overridable under ``[settings.filings]``. Findings
affect ``regulatory_readiness``. A rule without the data it needs returns
``not_evaluated`` naming the missing profile paths; a rule whose trigger does
not apply (no healthcare vertical, no material change) passes.

A filing is *in force* when its status is ``active`` or ``changed``. A filing
*covers* a service when its ``service`` names the service or the model the
service runs (``services[].model``; case, spaces and punctuation ignored; either
name may contain the other); a filing without a ``service``
covers every service unless ``unattributed_filings_cover_all = false``.

Rules (id, severity: fires when; source):

FIL-001  critical: a public PRC generative service has no generative-AI filing in
         force (an API-based one: neither a filing nor a registration).
         GenAI Interim Measures Art. 17.
FIL-002  critical: a public PRC algorithm-recommendation or deep-synthesis service
         (or a generative one, Art. 17) with public-opinion attributes has no
         algorithm / deep-synthesis filing in force.
         Algorithm Provisions Art. 24; Deep Synthesis Provisions Art. 19.
FIL-003  high: a material change was filed more than 10 working days after it
         happened, or is unfiled and already overdue. Algorithm Provisions Art. 24.
FIL-004  medium: a CAC filing in force is not displayed on the product;
         low: a filing number does not match the observed grammar (soft check).
         CAC display practice; research §1.3.
FIL-005  critical: a public PRC service builds on a foundation model that is not
         CAC-filed, or on a foreign closed model. TC260-003 / GB/T 45654-2025.
FIL-006  high: a public PRC generative service lacks an artefact of the security
         self-assessment (corpus blacklist, keyword library, refusal test banks).
         TC260-003 / GB/T 45654-2025.
FIL-007  high: from 2025-09-01, a PRC content-generating service lacks explicit
         labels or implicit metadata. Labeling Measures; GB 45438-2025.
FIL-008  info (data quality): a CAC filing attributed to MIIT, "verticals approved"
         given as a count, or a summary compliance status. Research §0, §1.2.
FIL-009  critical / high: a healthcare decision-support vertical with >= 10% of
         revenue has no NMPA Class III registration in force (critical when the
         vertical has >= 50% of revenue). NMPA Announcement No. 47 (2021).
FIL-010  critical: a service auto-generates prescriptions or stands in for a
         physician. NHC/NATCM Internet Diagnosis Supervision Rules (2022).
FIL-011  high: NFRA-regulated clients and no generative-AI filing, an unfiled
         foundation model, decision support without human oversight, or personal
         data in generative-AI training. NFRA AI guidance (2026).
FIL-012  high / medium / low: enforcement in the last 24 months: an unresolved
         penalty or app removal (high), a resolved one (medium), a summons or
         rectification order only (low). Cybersecurity Law amendment (2026).
FIL-013  medium / low: activity on the expert re-review list (public-opinion
         service, decision support without human oversight) and no ethics
         committee (medium), or a committee under 5 members or no expert
         re-review (low). S&T Ethics Review Measures (2023); MIIT guideline (2026).
FIL-015  high / medium: from 2025-08-02, an EU GPAI provider without GPAI
         documentation (high at >= 1e25 FLOP of training: systemic risk).
         EU AI Act Arts. 51-55.

Not implemented: FIL-014 (cross-border personal information; the profile has no
such fields) and FIL-016 (STAR "national approval" proxy; it would restate
FIL-001 and the gate belongs to the core policy). FIL-003's cancellation
deadline needs a service termination date, which the profile does not carry.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from attrs import Attribute, field, frozen

from threshold_core import hookimpl
from threshold_core.components import Context, Pack, fired, not_evaluated, passed, rule
from threshold_core.matching import names_match, normalise
from threshold_core.models import (
    CompanyProfile,
    EnforcementAction,
    Filing,
    FilingStatus,
    Regime,
    Service,
    ServiceKind,
)
from threshold_core.results import RuleOutcome, Severity

NAME = "filings"
VERSION = "1.0.0"
DIMENSION = "regulatory_readiness"

CAC_REGIMES = frozenset(
    {
        Regime.CAC_ALGORITHM,
        Regime.CAC_DEEP_SYNTHESIS,
        Regime.CAC_GENAI_FILING,
        Regime.CAC_GENAI_REGISTRATION,
    }
)
ALGORITHM_REGIMES = frozenset({Regime.CAC_ALGORITHM, Regime.CAC_DEEP_SYNTHESIS})
GENAI_REGIMES = frozenset({Regime.CAC_GENAI_FILING, Regime.CAC_GENAI_REGISTRATION})
IN_FORCE = frozenset({FilingStatus.ACTIVE, FilingStatus.CHANGED})
CONTENT_KINDS = frozenset({ServiceKind.GENERATIVE, ServiceKind.DEEP_SYNTHESIS})


def _valid_regex(_: Any, attribute: Attribute[str], value: str) -> None:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"{attribute.name}: invalid regular expression: {exc}") from None


def _non_negative(_: Any, attribute: Attribute[Any], value: float) -> None:
    if value < 0:
        raise ValueError(f"{attribute.name}: must not be negative, got {value:g}")


def _percent(_: Any, attribute: Attribute[float], value: float) -> None:
    if not 0.0 <= value <= 100.0:
        raise ValueError(f"{attribute.name}: must be within 0-100, got {value:g}")


def _lowered(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(v.casefold() for v in values)


@frozen
class FilingsSettings:
    """``[settings.filings]``: every threshold of the filings pack."""

    #: Working days allowed to file a material change (Algorithm Provisions Art. 24).
    change_deadline_working_days: int = field(default=10, validator=_non_negative)
    #: Algorithm and deep-synthesis filing numbers (research §1.3; a soft check).
    algorithm_number_pattern: str = field(default=r"^网信算备\d{21}号$", validator=_valid_regex)
    #: Generative-AI filing numbers, ``<Province>-<Model>-<YYYYMMDD>[NNNN]`` (research §1.3).
    genai_number_pattern: str = field(
        default=r"^[A-Za-z]+-[A-Za-z0-9]+-\d{8}(\d{4})?$", validator=_valid_regex
    )
    #: A filing that names no service covers every service of the company.
    unattributed_filings_cover_all: bool = True
    #: Generative services with public-opinion attributes also need an algorithm
    #: filing (GenAI Interim Measures Art. 17), checked by FIL-002.
    generative_needs_algorithm_filing: bool = True
    #: Closed foreign models that cannot be CAC-filed (FIL-005), matched as substrings.
    foreign_models: tuple[str, ...] = field(
        default=("openai", "gpt", "claude", "anthropic", "gemini"), converter=_lowered
    )
    #: The Labeling Measures and GB 45438-2025 apply from this date (FIL-007).
    labeling_effective: date = date(2025, 9, 1)
    #: Vertical names that count as healthcare (substrings, case-insensitive).
    healthcare_sectors: tuple[str, ...] = field(
        default=("health", "medical", "medicine", "hospital", "clinical"), converter=_lowered
    )
    #: Revenue share from which a healthcare decision-support vertical needs NMPA Class III.
    sector_revenue_floor_pct: float = field(default=10.0, validator=_percent)
    #: Revenue share from which that missing approval vetoes the company (FIL-009).
    nmpa_critical_revenue_pct: float = field(default=50.0, validator=_percent)
    #: Regulator code of medical-device registrations.
    medical_device_regulator: str = "NMPA"
    #: How an NMPA ``instrument`` names Class III.
    class_iii_pattern: str = field(
        default=r"class\s*(iii|3)\b|第?三类|iii\s*类|Ⅲ", validator=_valid_regex
    )
    #: Enforcement actions this many months before the evaluation date count (FIL-012).
    enforcement_lookback_months: int = field(default=24, validator=_non_negative)
    #: Smallest ethics committee (MIIT AI ethics guideline, reported; FIL-013).
    committee_min_members: int = field(default=5, validator=_non_negative)
    #: EU GPAI obligations apply from this date (FIL-015).
    gpai_obligations_from: date = date(2025, 8, 2)
    #: Training compute from which a GPAI model is presumed to pose systemic risk.
    gpai_systemic_flops: float = field(default=1e25, validator=_non_negative)

    def __attrs_post_init__(self) -> None:
        if self.nmpa_critical_revenue_pct < self.sector_revenue_floor_pct:
            raise ValueError(
                "nmpa_critical_revenue_pct must not be below sector_revenue_floor_pct"
            )


# -- helpers ------------------------------------------------------------------------


def _covers(filing: Filing, service: Service, settings: FilingsSettings) -> bool:
    if filing.service is None:
        return settings.unattributed_filings_cover_all
    return names_match(filing.service, service.name) or (
        service.model is not None and names_match(filing.service, service.model)
    )


def _in_force(profile: CompanyProfile, regimes: Iterable[Regime]) -> list[Filing]:
    wanted = frozenset(regimes)
    return [f for f in profile.filings if f.regime in wanted and f.status in IN_FORCE]


def _label(f: Filing) -> str:
    return f"{f.regime} {f.filing_number or '(no number)'}"


def in_sectors(sector: str, aliases: Iterable[str]) -> bool:
    """Whether a vertical's ``sector`` names one of ``aliases`` (substring match)."""
    s = normalise(sector)
    return any(normalise(a) and normalise(a) in s for a in aliases)


def working_days_after(start: date, end: date) -> int:
    """Monday-to-Friday days in ``(start, end]``.

    PRC public holidays and make-up working days are not modelled, so the count
    can be a day or two high around holidays: the check errs towards strict.
    """
    if end <= start:
        return 0
    full_weeks, rest = divmod((end - start).days, 7)
    count = full_weeks * 5
    base = start + timedelta(days=full_weeks * 7)
    count += sum((base + timedelta(days=k)).weekday() < 5 for k in range(1, rest + 1))
    return count


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (clamped to the month's end)."""
    year, month0 = divmod(day.year * 12 + day.month - 1 - months, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))


def _no_services() -> RuleOutcome:
    return not_evaluated("services", message="no services in the profile")


# -- rules --------------------------------------------------------------------------


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
    " ; http://en.people.cn/n3/2025/0409/c90000-20299439.html",
)
def genai_filing(
    profile: CompanyProfile, settings: FilingsSettings, context: Context
) -> RuleOutcome:
    if not profile.services:
        return _no_services()
    filed = _in_force(profile, [Regime.CAC_GENAI_FILING])
    registered = _in_force(profile, [Regime.CAC_GENAI_REGISTRATION])
    scope = [s for s in profile.services if s.public_prc and s.kind is ServiceKind.GENERATIVE]
    uncovered = []
    for s in scope:
        ok = any(_covers(f, s, settings) for f in filed)
        if not ok and s.api_based:
            ok = any(_covers(f, s, settings) for f in registered)
        if not ok:
            uncovered.append(s)
    evidence = {
        "services": [s.name for s in scope],
        "filings": [_label(f) for f in (*filed, *registered)],
    }
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
    return passed(evidence)


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
    "https://policywindow.org/wiki/china-deep-synthesis-provisions/print",
)
def algorithm_filing(
    profile: CompanyProfile, settings: FilingsSettings, context: Context
) -> RuleOutcome:
    if not profile.services:
        return _no_services()
    kinds = {ServiceKind.ALGORITHM_RECOMMENDATION, ServiceKind.DEEP_SYNTHESIS}
    if settings.generative_needs_algorithm_filing:
        kinds.add(ServiceKind.GENERATIVE)
    scope = [s for s in profile.services if s.public_prc and s.public_opinion and s.kind in kinds]
    filed = _in_force(profile, ALGORITHM_REGIMES)
    uncovered = [s for s in scope if not any(_covers(f, s, settings) for f in filed)]
    evidence = {"services": [s.name for s in scope], "filings": [_label(f) for f in filed]}
    if uncovered:
        return fired(
            "public-opinion service(s) without an algorithm or deep-synthesis filing in force: "
            + ", ".join(f"{s.name} ({s.kind})" for s in uncovered),
            evidence={**evidence, "services": [s.name for s in uncovered]},
        )
    return passed(evidence)


@rule(
    "FIL-003",
    title="Material change filed late",
    severity=Severity.HIGH,
    dimension=DIMENSION,
    rationale="A material change to a filed service must be filed within 10 working days.",
    source="Algorithm Recommendation Provisions (2022) Art. 24; "
    "https://www.dataguidance.com/news/china-cac-announces-launch-internet-information",
)
def change_deadline(
    profile: CompanyProfile, settings: FilingsSettings, context: Context
) -> RuleOutcome:
    if not profile.filings:
        return not_evaluated("filings", message="no filings in the profile")
    limit = settings.change_deadline_working_days
    late: list[str] = []
    missing: list[str] = []
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
        checked += 1
        days = working_days_after(f.material_change_date, end)
        if days > limit:
            how = (
                f"filed {days} working days after"
                if f.change_filed_date is not None
                else f"still unfiled {days} working days after"
            )
            late.append(f"{_label(f)}: change {how} {f.material_change_date.isoformat()}")
    if late:
        return fired(
            f"material change(s) not filed within {limit} working days: " + "; ".join(late),
            evidence={"filings": late},
        )
    if missing:
        return not_evaluated(*missing)
    return passed({"filings": f"{checked} material change(s) filed in time"})


@rule(
    "FIL-004",
    title="Filing number not displayed, or not in the registry's format",
    severity=Severity.MEDIUM,
    dimension=DIMENSION,
    rationale="Services must display the model name with its filing or online registration "
    "number; a number outside the observed grammar suggests a transcription error or an "
    "unverifiable claim (soft check, low).",
    source="CAC filing notices; https://csdn.cc/technology/2684192.html ; "
    "http://en.people.cn/n3/2025/0409/c90000-20299439.html ; number grammar: research §1.3",
)
def filing_display(
    profile: CompanyProfile, settings: FilingsSettings, context: Context
) -> RuleOutcome:
    if not profile.filings:
        return not_evaluated("filings", message="no filings in the profile")
    patterns = {
        Regime.CAC_ALGORITHM: settings.algorithm_number_pattern,
        Regime.CAC_DEEP_SYNTHESIS: settings.algorithm_number_pattern,
        Regime.CAC_GENAI_FILING: settings.genai_number_pattern,
    }
    hidden: list[str] = []
    malformed: list[str] = []
    missing: list[str] = []
    for i, f in enumerate(profile.filings):
        if f.regime not in CAC_REGIMES or f.status not in IN_FORCE:
            continue
        if f.displayed_on_product is None:
            missing.append(f"filings[{i}].displayed_on_product")
        elif not f.displayed_on_product:
            hidden.append(_label(f))
        pattern = patterns.get(f.regime)
        if pattern is None:
            continue  # registrations: no published number grammar to check against
        if f.filing_number is None:
            missing.append(f"filings[{i}].filing_number")
        elif not re.fullmatch(pattern, f.filing_number.strip()):
            malformed.append(f"{f.regime} {f.filing_number!r}")
    if hidden or malformed:
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
    if missing:
        return not_evaluated(*missing)
    return passed({"filings": "numbers well-formed and displayed"})


@rule(
    "FIL-005",
    title="Service built on an unfiled or foreign foundation model",
    severity=Severity.CRITICAL,
    dimension=DIMENSION,
    rationale="Generative services may not be built on a foundation model that is not filed "
    "with the CAC; filings for services on foreign closed models fail.",
    source="TC260-003 / GB/T 45654-2025 (foundation-model requirement); "
    "https://cset.georgetown.edu/publication/china-gen-ai-safety-standard-final/ ; "
    "http://shuanjiao.com/show-801.html",
)
def foundation_model(
    profile: CompanyProfile, settings: FilingsSettings, context: Context
) -> RuleOutcome:
    if not profile.services:
        return _no_services()
    bad: list[str] = []
    missing: list[str] = []
    scope = [(i, s) for i, s in enumerate(profile.services) if s.public_prc and s.foundation_model]
    for i, s in scope:
        base = s.foundation_model or ""
        foreign = [m for m in settings.foreign_models if m in base.casefold()]
        if foreign:
            bad.append(f"{s.name} on {base} (foreign closed model)")
        elif s.foundation_model_filed is False:
            bad.append(f"{s.name} on {base} (not CAC-filed)")
        elif s.foundation_model_filed is None:
            missing.append(f"services[{i}].foundation_model_filed")
    if bad:
        return fired(
            "public PRC service(s) built on a foundation model that cannot pass filing: "
            + "; ".join(bad),
            evidence={"services": bad},
        )
    if missing:
        return not_evaluated(*missing)
    return passed({"services": [f"{s.name} on {s.foundation_model}" for _, s in scope]})


def _genai_scope(profile: CompanyProfile) -> list[Service]:
    return [s for s in profile.services if s.public_prc and s.kind is ServiceKind.GENERATIVE]


@rule(
    "FIL-006",
    title="No evidence of the TC260 security self-assessment",
    severity=Severity.HIGH,
    dimension=DIMENSION,
    rationale="The security self-assessment (corpus blacklist at the 5% rule, keyword library, "
    "should-refuse and non-refusal test banks) is filed with the generative-AI filing.",
    source="TC260-003 / GB/T 45654-2025; "
    "https://cset.georgetown.edu/publication/china-gen-ai-safety-standard-final/ ; "
    "https://itinai.com/china-has-a-new-plan-for-judging-the-safety-of-generative-ai-and-its-"
    "packed-with-details",
)
def security_assessment(
    profile: CompanyProfile, settings: FilingsSettings, context: Context
) -> RuleOutcome:
    if not profile.services:
        return _no_services()
    if not _genai_scope(profile):
        return passed({"services": "no public PRC generative service"})
    sa = profile.security_assessment
    if sa is None:
        return not_evaluated("security_assessment")
    artefacts = {
        "corpus_blacklist": sa.corpus_blacklist,
        "keyword_library": sa.keyword_library,
        "refusal_test_banks": sa.refusal_test_banks,
    }
    absent = [k for k, v in artefacts.items() if v is False]
    if absent:
        return fired(
            "security self-assessment lacks: " + ", ".join(absent),
            evidence={f"security_assessment.{k}": v for k, v in artefacts.items()},
        )
    unknown = [f"security_assessment.{k}" for k, v in artefacts.items() if v is None]
    if unknown:
        return not_evaluated(*unknown)
    return passed({f"security_assessment.{k}": v for k, v in artefacts.items()})


@rule(
    "FIL-007",
    title="AI-generated content not labeled for PRC users",
    severity=Severity.HIGH,
    dimension=DIMENSION,
    rationale="From 1 Sep 2025 generated content needs explicit labels and implicit metadata "
    "(GB 45438-2025); app stores check labeling at listing.",
    source="Measures for Labeling AI-Generated Synthetic Content (2025) + GB 45438-2025; "
    "https://en.we-ipr.com/IPNews/453 ; "
    "http://www.cycran.cn/news/zonghe/xinxi/1756636858479824.html",
)
def content_labeling(
    profile: CompanyProfile, settings: FilingsSettings, context: Context
) -> RuleOutcome:
    if not profile.services:
        return _no_services()
    if context.as_of is None:
        return not_evaluated("as_of", message="no evaluation date")
    if context.as_of < settings.labeling_effective:
        return passed({"as_of": f"{context.as_of} is before {settings.labeling_effective}"})
    scope = [s for s in profile.services if s.public_prc and s.kind in CONTENT_KINDS]
    if not scope:
        return passed({"services": "no content-generating PRC service"})
    cl = profile.content_labeling
    if cl is None:
        return not_evaluated("content_labeling")
    lacking = [n for n, ok in (("explicit labels", cl.explicit),
                               ("implicit metadata", cl.implicit_metadata)) if not ok]
    evidence = {
        "content_labeling.explicit": cl.explicit,
        "content_labeling.implicit_metadata": cl.implicit_metadata,
    }
    if lacking:
        return fired(
            "content-generating PRC service(s) "
            + ", ".join(s.name for s in scope)
            + " lack " + " and ".join(lacking) + f" (required since {settings.labeling_effective})",
            evidence=evidence,
        )
    return passed(evidence)


def _is_miit(authority: str | None) -> bool:
    return authority is not None and authority.strip().upper().startswith("MIIT")


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
) -> RuleOutcome:
    claims = profile.reported_claims
    if not profile.filings and claims is None:
        return not_evaluated("filings", "reported_claims")
    notes: list[str] = []
    evidence: dict[str, Any] = {}
    for i, f in enumerate(profile.filings):
        if f.regime in CAC_REGIMES and _is_miit(f.authority):
            notes.append(f"{_label(f)} is attributed to {f.authority}; CAC runs that registry")
            evidence[f"filings[{i}].authority"] = f.authority
    if claims is not None:
        if _is_miit(claims.filing_authority):
            notes.append(
                f"the source attributes filings to {claims.filing_authority}; CAC runs the "
                "filing registries (MIIT issues ICP licences)"
            )
            evidence["reported_claims.filing_authority"] = claims.filing_authority
        if claims.verticals_approved is not None:
            active = sorted({a.sector for a in profile.sector_approvals
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
    return passed({"filings": [_label(f) for f in profile.filings]})


@rule(
    "FIL-009",
    title="Healthcare decision support without NMPA Class III registration",
    severity=Severity.CRITICAL,
    dimension=DIMENSION,
    rationale="AI software supporting diagnosis or treatment decisions is a Class III medical "
    "device; selling it unregistered is barred. Critical when that vertical carries the "
    "company (>= 50% of revenue by default), high otherwise.",
    source="NMPA Announcement No. 47 (2021); Guideline for AI Medical Device Registration "
    "(2022); https://www.pacificbridgemedical.com/news-brief/china-finalized-classification-"
    "guidelines-for-ai-medical-devices/ ; https://chinameddevice.com/digital-health-nmpa-ai/",
)
def nmpa_class_iii(
    profile: CompanyProfile, settings: FilingsSettings, context: Context
) -> RuleOutcome:
    if not profile.verticals:
        return not_evaluated("verticals")
    targets = []
    missing: list[str] = []
    for i, v in enumerate(profile.verticals):
        if not (v.decision_support and in_sectors(v.sector, settings.healthcare_sectors)):
            continue
        if v.exemption:
            continue
        if v.revenue_share_pct is None:
            missing.append(f"verticals[{i}].revenue_share_pct")
        elif v.revenue_share_pct >= settings.sector_revenue_floor_pct:
            targets.append(v)
    regulator = settings.medical_device_regulator.casefold()
    nmpa = [(j, a) for j, a in enumerate(profile.sector_approvals)
            if a.regulator.strip().casefold() == regulator and a.status in IN_FORCE]
    class_iii = [a for _, a in nmpa
                 if a.instrument and re.search(settings.class_iii_pattern, a.instrument, re.I)]
    if targets and not class_iii:
        unknown = [f"sector_approvals[{j}].instrument" for j, a in nmpa if a.instrument is None]
        if unknown:
            return not_evaluated(*unknown, *missing)
        share = max(v.revenue_share_pct or 0.0 for v in targets)
        severity = (
            Severity.CRITICAL if share >= settings.nmpa_critical_revenue_pct else Severity.HIGH
        )
        return fired(
            "healthcare decision-support vertical(s) "
            + ", ".join(f"{v.sector} ({v.revenue_share_pct:g}% of revenue)" for v in targets)
            + " without an NMPA Class III registration in force",
            severity=severity,
            evidence={"verticals": [v.sector for v in targets],
                      "sector_approvals": [a.instrument for _, a in nmpa]},
        )
    if missing and not class_iii:
        return not_evaluated(*missing)
    return passed({"verticals": [v.sector for v in targets],
                   "sector_approvals": [a.instrument for a in class_iii]})


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
) -> RuleOutcome:
    if not profile.services:
        return _no_services()
    bad = [s.name for s in profile.services if s.auto_prescription]
    if bad:
        return fired(
            "service(s) auto-generate prescriptions or stand in for physicians: " + ", ".join(bad),
            evidence={"services": bad},
        )
    return passed({"services": [s.name for s in profile.services]})


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
    "banking-insurance-sectors ; https://aspirehk.ltd/zh-hans/real-time-quotes-and-news/1178823",
)
def nfra_safeguards(
    profile: CompanyProfile, settings: FilingsSettings, context: Context
) -> RuleOutcome:
    if not profile.verticals:
        return not_evaluated("verticals")
    scope = [(i, v) for i, v in enumerate(profile.verticals) if v.nfra_regulated_clients]
    if not scope:
        return passed({"verticals": "no NFRA-regulated clients"})
    problems: list[str] = []
    missing: list[str] = []
    if not _in_force(profile, GENAI_REGIMES):
        problems.append("no generative-AI filing or registration in force")
    unfiled = [s.name for s in profile.services if s.foundation_model_filed is False]
    if unfiled:
        problems.append("built on an unfiled foundation model: " + ", ".join(unfiled))
    for i, v in scope:
        if v.decision_support:
            if v.human_oversight is False:
                problems.append(f"{v.sector}: decision support without human oversight")
            elif v.human_oversight is None:
                missing.append(f"verticals[{i}].human_oversight")
        if v.personal_data_in_training:
            problems.append(f"{v.sector}: personal data used to train generative AI")
        elif v.personal_data_in_training is None:
            missing.append(f"verticals[{i}].personal_data_in_training")
    if problems:
        return fired("NFRA-regulated clients, but " + "; ".join(problems),
                     evidence={"verticals": [v.sector for _, v in scope]})
    if missing:
        return not_evaluated(*missing)
    return passed({"verticals": [v.sector for _, v in scope]})


_SEVERE_ACTIONS = frozenset({EnforcementAction.PENALTY, EnforcementAction.APP_REMOVAL})


@rule(
    "FIL-012",
    title="Regulatory enforcement in the last 24 months",
    severity=Severity.HIGH,
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


PACK = Pack(
    name=NAME,
    version=VERSION,
    rules=(
        genai_filing,
        algorithm_filing,
        change_deadline,
        filing_display,
        foundation_model,
        security_assessment,
        content_labeling,
        data_quality,
        nmpa_class_iii,
        auto_prescription,
        nfra_safeguards,
        enforcement_history,
        ethics_committee,
        gpai_documentation,
    ),
    description="CAC filings and registrations, content labeling, sector approvals "
    "(NMPA, NHC, NFRA), enforcement history, ethics review and EU GPAI duties.",
)


@hookimpl
def threshold_register_rule_packs(register: Any) -> None:
    register(PACK)


@hookimpl
def threshold_settings_types() -> dict[str, type]:
    return {NAME: FilingsSettings}
