"""Investment restrictions: what an investor's own compliance must clear before it invests.

A built-in rule pack (``investment_restrictions``) for the investor side of the
4bn line: US outbound-investment rules and the US lists that bar or burden an
investment in a Chinese AI company. Every rule reads the profile's
``[investment_screening]`` section, whose ``checked_on`` date says when the lists
were checked. A profile that was not screened, or whose screening is older than
``screening_max_age_days`` before the evaluation date or dated after it, is
``not_evaluated``: a missing screening is never a pass. Findings affect ``institutional_backing``.
Every threshold and date is a field of :class:`InvestmentRestrictionsSettings`,
overridable under ``[settings.investment_restrictions]``.

Rules (id, severity: fires when; source):

INV-001  critical: 31 CFR 850 prohibited AI transaction: a covered foreign person
         developing an AI system trained with more than 1e25 FLOP (1e24 on mainly
         biological sequence data), or intended for military, government-
         intelligence or mass-surveillance end uses. 31 CFR 850.224; effective
         2 Jan 2025.
INV-002  medium: 31 CFR 850 notifiable AI transaction: more than 1e23 FLOP, or
         intended for cybersecurity, digital forensics, penetration testing or
         robotic control (notice to Treasury within 30 days). 31 CFR 850.217.
INV-003  critical: on the Non-SDN Chinese Military-Industrial Complex Companies
         (NS-CMIC) list: US persons may not buy its publicly traded securities.
         EO 13959 as amended by EO 14032 (from 2 Aug 2021).
INV-004  high: on the DoD Section 1260H list of Chinese military companies.
         NDAA FY2021 Sec. 1260H; DoD contracting bar from 30 Jun 2026 (NDAA
         FY2024 Sec. 805).
INV-005  critical: on OFAC's SDN list (blocked: no dealings by US persons).
         31 CFR 501; OFAC SDN list.
INV-006  high / low: owned 50% or more by Entity List or MEU parties (the BIS
         affiliates rule, effective 29 Sep 2025); low while the rule is suspended
         (10 Nov 2025 to 9 Nov 2026). BIS IFR of 29 Sep 2025 (Federal Register
         document 2025-19001); the suspension is a BIS final rule (90 FR No. 216,
         Nov 2025) as law-firm reports give it (secondary).

The severities of INV-002 and INV-004 and the screening age are house policy.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from attrs import field, frozen

from threshold_core import hookimpl
from threshold_core.kit import (
    Pack,
    Parameter,
    fired,
    house_policy,
    non_negative,
    normalise,
    not_evaluated,
    primary,
    rule,
    secondary,
    unreliable_check,
)
from threshold_core.model import (
    CompanyProfile,
    Context,
    InvestmentScreening,
    RuleOutcome,
    RuleResult,
    Severity,
    format_cutoff,
    format_significant,
)

NAME = "investment_restrictions"
VERSION = "1.2.0"
DIMENSION = "institutional_backing"

SCREENING = "investment_screening"
#: What every rule of the pack adds to its source: the age limit of the screening it reads.
_AGE = "the 90-day age of a screening relied on: house policy"


def _lowered(values: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    return tuple(normalise(v) for v in values)


@frozen
class InvestmentRestrictionsSettings:
    """``[settings.investment_restrictions]``: every threshold and date of the pack."""

    #: A screening older than this many days before the evaluation date is not relied on
    #: (house policy).
    screening_max_age_days: int = field(default=90, validator=non_negative)
    #: 31 CFR 850 applies to transactions from this date.
    outbound_rule_effective: date = date(2025, 1, 2)
    #: Training compute above which an AI transaction is prohibited, FLOP (850.224(l)).
    prohibited_training_flops: float = field(default=1e25, validator=non_negative)
    #: ... when trained mainly on biological sequence data, FLOP (850.224(m)).
    prohibited_bio_training_flops: float = field(default=1e24, validator=non_negative)
    #: Training compute above which an AI transaction is notifiable, FLOP (850.217).
    notifiable_training_flops: float = field(default=1e23, validator=non_negative)
    #: End uses that make an AI transaction prohibited (850.224(j)-(k)).
    prohibited_end_uses: tuple[str, ...] = field(
        default=("military", "government intelligence", "mass surveillance"), converter=_lowered)
    #: End uses that make an AI transaction notifiable (850.217).
    notifiable_end_uses: tuple[str, ...] = field(
        default=("cybersecurity", "digital forensics", "penetration testing",
                 "robotic control"), converter=_lowered)
    #: The NS-CMIC purchase ban applies from this date (EO 14032).
    ns_cmic_effective: date = date(2021, 8, 2)
    #: The BIS affiliates rule applies from this date ...
    affiliates_rule_effective: date = date(2025, 9, 29)
    #: ... and is suspended from this date ...
    affiliates_suspended_from: date = date(2025, 11, 10)
    #: ... to this one, inclusive.
    affiliates_suspended_until: date = date(2026, 11, 9)
    #: Ownership by listed parties from which the affiliates rule applies, percent.
    affiliates_ownership_pct: float = field(default=50.0, validator=non_negative)


# -- helpers ------------------------------------------------------------------------


def _screening(
    profile: CompanyProfile, settings: InvestmentRestrictionsSettings, context: Context
) -> InvestmentScreening | RuleOutcome:
    """The screening to rely on, or the ``not_evaluated`` outcome saying why there is none."""
    screening = profile.investment_screening
    if screening is None:
        return not_evaluated(SCREENING, message="not screened against US investment "
                             "restrictions (no [investment_screening])")
    unreliable = unreliable_check(f"{SCREENING}.checked_on", screening.checked_on,
                                  context.as_of, settings.screening_max_age_days)
    return screening if unreliable is None else unreliable


def _evidence(screening: InvestmentScreening, **extra: Any) -> dict[str, Any]:
    """The screening's date, source and ``extra`` fields, each keyed by its profile path."""
    return {f"{SCREENING}.checked_on": screening.checked_on.isoformat(),
            f"{SCREENING}.source": screening.source,
            **{f"{SCREENING}.{key}": value for key, value in extra.items()}}


def _uses(screening: InvestmentScreening, wanted: tuple[str, ...]) -> list[str] | None:
    uses = screening.ai_end_uses  # left out: None, unknown
    return None if uses is None else [u for u in uses if any(w in normalise(u) for w in wanted)]


def _list_rule(
    profile: CompanyProfile, settings: InvestmentRestrictionsSettings, context: Context,
    attr: str, what: str) -> RuleResult:
    screening = _screening(profile, settings, context)
    if not isinstance(screening, InvestmentScreening):
        return screening
    listed = getattr(screening, attr)
    if listed is None:
        return not_evaluated(f"{SCREENING}.{attr}")
    evidence = _evidence(screening, **{attr: listed})
    if listed:
        return fired(f"on {what} (checked {screening.checked_on})", evidence=evidence)
    return evidence


# -- rules --------------------------------------------------------------------------


def _outbound(
    profile: CompanyProfile, settings: InvestmentRestrictionsSettings, context: Context,
) -> tuple[InvestmentScreening | None, RuleResult | None]:
    screening = _screening(profile, settings, context)
    if not isinstance(screening, InvestmentScreening):
        return None, screening
    if context.as_of is not None and context.as_of < settings.outbound_rule_effective:
        return None, {"as_of": context.as_of.isoformat()}  # before the rule
    if screening.covered_foreign_person is None:
        return None, not_evaluated(f"{SCREENING}.covered_foreign_person")
    if not screening.covered_foreign_person:
        return None, _evidence(screening, covered_foreign_person=False)
    return screening, None


@rule(
    "INV-001",
    title="US outbound investment: prohibited AI transaction",
    severity=Severity.CRITICAL,
    dimension=DIMENSION,
    rationale="US persons may not invest in a covered foreign person that develops an AI "
    "system trained with more than 1e25 FLOP (1e24 FLOP on mainly biological sequence data) or "
    "designed or intended for military, government-intelligence or mass-surveillance end uses.",
    source="31 CFR 850.224 (Treasury final rule, 89 FR 90398, 15 Nov 2024; effective "
    "2 Jan 2025); https://www.ecfr.gov/current/title-31/subtitle-B/chapter-VIII/part-850 ; "
    + _AGE,
)
def outbound_prohibited(
    profile: CompanyProfile, settings: InvestmentRestrictionsSettings, context: Context
) -> RuleResult:
    screening, outcome = _outbound(profile, settings, context)
    if screening is None:
        assert outcome is not None
        return outcome
    reasons = []
    flops = screening.max_training_flops.value if screening.max_training_flops else None
    bio = screening.biological_sequence_data  # left out: unknown, the lower bar may apply
    bar = settings.prohibited_bio_training_flops if bio else settings.prohibited_training_flops
    if flops is not None and flops > bar:
        reasons.append(f"trained with {format_significant(flops, (bar,))} FLOP "
                       f"(> {format_significant(bar, (bar,), 1)})")
    uses = _uses(screening, settings.prohibited_end_uses)
    if uses:
        reasons.append("end uses: " + ", ".join(uses))
    evidence = _evidence(screening, max_training_flops=flops, ai_end_uses=uses)
    if reasons:
        return fired("prohibited AI transaction under 31 CFR 850: " + "; ".join(reasons),
                     evidence=evidence)
    lacking = [name for name, unknown in (
        ("max_training_flops", flops is None), ("biological_sequence_data", flops is not None
         and bio is None and flops > settings.prohibited_bio_training_flops),
        ("ai_end_uses", uses is None)) if unknown]  # left out: unknown, never "none"
    return not_evaluated(*(f"{SCREENING}.{n}" for n in lacking)) if lacking else evidence


@rule(
    "INV-002",
    title="US outbound investment: notifiable AI transaction",
    severity=Severity.MEDIUM,
    dimension=DIMENSION,
    rationale="An investment by a US person in a covered foreign person developing an AI "
    "system trained with more than 1e23 FLOP, or intended for cybersecurity, digital "
    "forensics, penetration testing or robotic control, must be notified to Treasury within "
    "30 days. Permitted, so medium (house policy).",
    source="31 CFR 850.217 (effective 2 Jan 2025); "
    "https://www.ecfr.gov/current/title-31/subtitle-B/chapter-VIII/part-850 ; "
    "severity and " + _AGE,
)
def outbound_notifiable(
    profile: CompanyProfile, settings: InvestmentRestrictionsSettings, context: Context
) -> RuleResult:
    screening, outcome = _outbound(profile, settings, context)
    if screening is None:
        assert outcome is not None
        return outcome
    flops = screening.max_training_flops.value if screening.max_training_flops else None
    reasons = []
    if flops is not None and flops > settings.notifiable_training_flops:
        bar = settings.notifiable_training_flops
        reasons.append(f"trained with {format_significant(flops, (bar,))} FLOP "
                       f"(> {format_significant(bar, (bar,), 1)})")
    uses = _uses(screening, settings.notifiable_end_uses)
    if uses:
        reasons.append("end uses: " + ", ".join(uses))
    evidence = _evidence(screening, max_training_flops=flops, ai_end_uses=uses)
    if reasons:
        return fired("notifiable AI transaction under 31 CFR 850 (notice within 30 days): "
                     + "; ".join(reasons), evidence=evidence)
    lacking = [n for n, v in (("max_training_flops", flops), ("ai_end_uses", uses)) if v is None]
    return not_evaluated(*(f"{SCREENING}.{n}" for n in lacking)) if lacking else evidence


@rule(
    "INV-003",
    title="On the NS-CMIC list",
    severity=Severity.CRITICAL,
    dimension=DIMENSION,
    rationale="US persons may not purchase publicly traded securities of companies on "
    "Treasury's Non-SDN Chinese Military-Industrial Complex Companies List.",
    source="Executive Order 13959 as amended by EO 14032 (3 Jun 2021, effective 2 Aug 2021); "
    "https://ofac.treasury.gov/consolidated-sanctions-list-non-sdn-lists/"
    "ns-cmic-list ; " + _AGE,
)
def ns_cmic(
    profile: CompanyProfile, settings: InvestmentRestrictionsSettings, context: Context
) -> RuleResult:
    if context.as_of is not None and context.as_of < settings.ns_cmic_effective:
        return {"as_of": f"{context.as_of} is before {settings.ns_cmic_effective}"}
    return _list_rule(profile, settings, context, "ns_cmic_listed", "the NS-CMIC list")


@rule(
    "INV-004",
    title="On the Section 1260H list",
    severity=Severity.HIGH,
    dimension=DIMENSION,
    rationale="The DoD lists Chinese military companies operating in the US under Section "
    "1260H; from 30 Jun 2026 DoD may not contract with them, and many investors bar them by "
    "policy. Not an investment ban by itself, so high (house policy).",
    source="NDAA FY2021 Sec. 1260H; NDAA FY2024 Sec. 805; "
    "https://www.defense.gov/News/Releases/ ; severity and " + _AGE,
)
def section_1260h(
    profile: CompanyProfile, settings: InvestmentRestrictionsSettings, context: Context
) -> RuleResult:
    return _list_rule(profile, settings, context, "section_1260h_listed",
                      "the Section 1260H list of Chinese military companies")


@rule(
    "INV-005",
    title="On the SDN list",
    severity=Severity.CRITICAL,
    dimension=DIMENSION,
    rationale="Property of Specially Designated Nationals is blocked: US persons may not deal "
    "with them, investments included.",
    source="OFAC Specially Designated Nationals and Blocked Persons List; 31 CFR 501; "
    "https://ofac.treasury.gov/specially-designated-nationals-and-blocked-persons-list-sdn-"
    "human-readable-lists ; " + _AGE,
)
def sdn(
    profile: CompanyProfile, settings: InvestmentRestrictionsSettings, context: Context
) -> RuleResult:
    return _list_rule(profile, settings, context, "sdn_listed", "OFAC's SDN list")


@rule(
    "INV-006",
    title="Owned 50% or more by listed parties (BIS affiliates rule)",
    severity=Severity.HIGH,
    severities=(Severity.HIGH, Severity.LOW),
    dimension=DIMENSION,
    rationale="Entities owned 50% or more by Entity List or MEU parties take on their "
    "licence requirements (from 29 Sep 2025). While the rule is suspended (10 Nov 2025 to "
    "9 Nov 2026) the finding is low: it applies again when the suspension ends.",
    source="BIS interim final rule 'Expansion of End-User Controls to Cover Affiliates of "
    "Certain Listed Entities' (effective 29 Sep 2025; Federal Register document 2025-19001); "
    "its suspension from 10 Nov 2025 to 9 Nov 2026 by a BIS final rule (90 FR No. 216) as "
    "reported by Fenwick (https://whatstrending.fenwick.com/post/bis-suspends-affiliates-rule-"
    "lifting-restrictions-restricted-party-affiliates) and Faegre Drinker "
    "(https://www.internationaltradeinsights.com/2025/11/bis-suspends-affiliates-rule-for-one-"
    "year-following-u-s-agreement-with-china): secondary; https://www.bis.gov/ ; " + _AGE,
)
def affiliates_rule(
    profile: CompanyProfile, settings: InvestmentRestrictionsSettings, context: Context
) -> RuleResult:
    screening = _screening(profile, settings, context)
    if not isinstance(screening, InvestmentScreening):
        return screening
    share = screening.listed_owners_pct
    if share is None:
        return not_evaluated(f"{SCREENING}.listed_owners_pct")
    evidence = _evidence(screening, listed_owners_pct=share)
    if share < settings.affiliates_ownership_pct:
        return evidence
    if context.as_of is None:
        return not_evaluated("as_of", message="no evaluation date")
    if context.as_of < settings.affiliates_rule_effective:
        return {**evidence, "as_of": context.as_of.isoformat()}  # before the rule
    bar = settings.affiliates_ownership_pct
    message = (f"{format_significant(share, (bar, 100.0), 6)}% owned by Entity List or MEU "
               f"parties (>= {format_cutoff(bar)}%)")
    if settings.affiliates_suspended_from <= context.as_of <= settings.affiliates_suspended_until:
        return fired(f"{message}; the affiliates rule is suspended until "
                     f"{settings.affiliates_suspended_until}, then applies",
                     severity=Severity.LOW, evidence=evidence)
    return fired(message, evidence=evidence)


_AFFILIATES = ("BIS interim final rule 'Expansion of End-User Controls to Cover Affiliates of "
               "Certain Listed Entities' (Federal Register document 2025-19001)")
_SUSPENSION = secondary("the BIS final rule suspending the affiliates rule (90 FR No. 216) as "
                        "reported by Fenwick and Faegre Drinker (see INV-006)")
#: The source of every threshold and date above (``threshold rules --parameters --pack
#: investment_restrictions``).
PARAMETERS = tuple(Parameter(*row) for row in (
    ("screening_max_age_days", house_policy("a quarter, as the export-control screening "
     "(FRS-005): the lists grow by additions through the year"),
     "age of a screening relied on, days"),
    ("outbound_rule_effective", primary("31 CFR 850 (Treasury final rule, 89 FR 90398): "
     "effective 2 Jan 2025"), "INV-001, INV-002 apply from"),
    ("prohibited_training_flops", primary("31 CFR 850.224(l)"),
     "INV-001: training compute above which prohibited, FLOP"),
    ("prohibited_bio_training_flops", primary("31 CFR 850.224(m)"),
     "INV-001: the same on mainly biological sequence data, FLOP"),
    ("notifiable_training_flops", primary("31 CFR 850.217"),
     "INV-002: training compute above which notifiable, FLOP"),
    ("ns_cmic_effective", primary("Executive Order 13959 as amended by EO 14032: effective "
     "2 Aug 2021"), "INV-003 applies from"),
    ("affiliates_rule_effective", primary(_AFFILIATES + ": effective 29 Sep 2025"),
     "INV-006 applies from"),
    ("affiliates_suspended_from", _SUSPENSION, "INV-006 suspended from"),
    ("affiliates_suspended_until", _SUSPENSION, "INV-006 suspended until"),
    ("affiliates_ownership_pct", primary(_AFFILIATES + ": owned 50% or more"),
     "INV-006: ownership by listed parties from which it applies, percent"),
))

PACK = Pack(
    name=NAME,
    version=VERSION,
    rules=(outbound_prohibited, outbound_notifiable, ns_cmic, section_1260h, sdn,
           affiliates_rule),
    description="US investment restrictions an investor must clear: 31 CFR 850 outbound "
    "rules, NS-CMIC, Section 1260H, SDN and the BIS affiliates rule.",
    parameters=PARAMETERS,
)


@hookimpl
def threshold_register_rule_packs(register: Any) -> None:
    register(PACK)


@hookimpl
def threshold_settings_types() -> dict[str, type]:
    return {NAME: InvestmentRestrictionsSettings}
