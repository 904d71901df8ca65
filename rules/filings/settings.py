"""``[settings.filings]``: the thresholds of the filings pack and their validators."""

from __future__ import annotations

from datetime import date

from attrs import field, frozen

from threshold_core.kit import (
    Parameter,
    house_policy,
    lowered,
    non_negative,
    percent,
    primary,
    secondary,
    uppered,
    valid_regex,
)


@frozen
class ForeignModel:
    """A closed foreign model family that cannot be CAC-filed (FIL-005)."""

    #: The name as people write it (``GPT-4o``); matched as a whole word, case ignored.
    name: str
    #: Its maker (``OpenAI``); the maker's name in ``foundation_model`` matches too.
    provider: str
    #: The maker's jurisdiction, ISO 3166 alpha-2.
    jurisdiction: str


#: Closed models offered only from abroad and not filed with the CAC (research §1.1:
#: services built on them fail filing). Public product names; makers' home jurisdictions.
FOREIGN_MODELS = (
    ForeignModel("ChatGPT", "OpenAI", "US"),
    ForeignModel("GPT-3.5", "OpenAI", "US"),
    ForeignModel("GPT-4", "OpenAI", "US"),
    ForeignModel("GPT-4o", "OpenAI", "US"),
    ForeignModel("GPT-4.1", "OpenAI", "US"),
    ForeignModel("GPT-5", "OpenAI", "US"),
    ForeignModel("Claude", "Anthropic", "US"),
    ForeignModel("Gemini", "Google", "US"),
    ForeignModel("Grok", "xAI", "US"),
)


@frozen
class FilingsSettings:
    """``[settings.filings]``: every threshold of the filings pack."""

    #: Working days allowed to file a material change (Algorithm Provisions Art. 24).
    change_deadline_working_days: int = field(default=10, validator=non_negative)
    #: Algorithm and deep-synthesis filing numbers (research §1.3; a soft check).
    algorithm_number_pattern: str = field(default=r"^网信算备\d{21}号$", validator=valid_regex)
    #: Generative-AI filing numbers, ``<Province>-<Model>-<YYYYMMDD>[NNNN]`` (research §1.3).
    genai_number_pattern: str = field(
        default=r"^[A-Za-z]+-[A-Za-z0-9]+-\d{8}(\d{4})?$", validator=valid_regex
    )
    #: A registry check (``registry_checks.<REGIME>.checked_on``) older than this many days
    #: before the evaluation date is not relied on (FIL-001, FIL-002, FIL-011; house policy:
    #: about the six months after which the freshness pack reports it, FRS-006; filings are
    #: revoked and the CAC republishes its lists in batches).
    registry_max_age_days: int = field(default=180, validator=non_negative)
    #: A filing that names no service covers every service of the company.
    unattributed_filings_cover_all: bool = True
    #: Generative services with public-opinion attributes also need an algorithm
    #: filing (GenAI Interim Measures Art. 17), checked by FIL-002.
    generative_needs_algorithm_filing: bool = True
    #: Closed foreign models and their makers (FIL-005), matched as whole words.
    foreign_models: tuple[ForeignModel, ...] = FOREIGN_MODELS
    #: ``foundation_model_jurisdiction`` values that are domestic (mainland PRC).
    domestic_jurisdictions: tuple[str, ...] = field(
        default=("CN", "CHN", "PRC", "CHINA"), converter=uppered
    )
    #: The Labeling Measures and GB 45438-2025 apply from this date (FIL-007).
    labeling_effective: date = date(2025, 9, 1)
    #: Vertical names that count as healthcare (substrings, case-insensitive).
    healthcare_sectors: tuple[str, ...] = field(
        default=("health", "medical", "medicine", "hospital", "clinical"), converter=lowered
    )
    #: Revenue share from which a healthcare decision-support vertical needs NMPA Class III.
    sector_revenue_floor_pct: float = field(default=10.0, validator=percent)
    #: Revenue share from which that missing approval vetoes the company (FIL-009).
    nmpa_critical_revenue_pct: float = field(default=50.0, validator=percent)
    #: Regulator code of medical-device registrations.
    medical_device_regulator: str = "NMPA"
    #: How an NMPA ``instrument`` names Class III.
    class_iii_pattern: str = field(
        default=r"class\s*(iii|3)\b|第?三类|iii\s*类|Ⅲ", validator=valid_regex
    )
    #: Enforcement actions this many months before the evaluation date count (FIL-012).
    enforcement_lookback_months: int = field(default=24, validator=non_negative)
    #: Smallest ethics committee (MIIT AI ethics guideline, reported; FIL-013).
    committee_min_members: int = field(default=5, validator=non_negative)
    #: EU GPAI obligations apply from this date (FIL-015; AI Act Art. 113(b)).
    gpai_obligations_from: date = date(2025, 8, 2)
    #: GPAI models placed on the market before ``gpai_obligations_from`` comply by this
    #: date (AI Act Art. 111(3)).
    gpai_transition_until: date = date(2027, 8, 2)
    #: Training compute from which a GPAI model is presumed to pose systemic risk.
    gpai_systemic_flops: float = field(default=1e25, validator=non_negative)
    #: People whose personal information, once exceeded, requires compliance audits
    #: (FIL-019; CAC Order No. 18 Art. 3).
    pi_audit_individuals: float = field(default=10_000_000, validator=non_negative)
    #: The compliance-audit measures apply from this date (FIL-019).
    pi_audit_effective: date = date(2025, 5, 1)
    #: At most this many calendar months between compliance audits (FIL-019).
    pi_audit_interval_months: int = field(default=24, validator=non_negative)
    #: People sent abroad since 1 January above which a CAC security assessment is needed
    #: (FIL-014; CAC Order No. 16).
    transfer_assessment_individuals: float = field(default=1_000_000, validator=non_negative)
    #: People whose sensitive information, sent abroad, needs a security assessment (FIL-014).
    transfer_assessment_sensitive: float = field(default=10_000, validator=non_negative)
    #: People sent abroad from which a standard contract or certification is needed (FIL-014).
    transfer_contract_individuals: float = field(default=100_000, validator=non_negative)

    def __attrs_post_init__(self) -> None:
        if self.nmpa_critical_revenue_pct < self.sector_revenue_floor_pct:
            raise ValueError(
                "nmpa_critical_revenue_pct must not be below sector_revenue_floor_pct"
            )


#: The source of every threshold above (``threshold rules --parameters --pack filings``).
PARAMETERS = (
    Parameter("change_deadline_working_days", primary(
        "Algorithm Recommendation Provisions (2022) Art. 24"),
        "FIL-003: working days to file a material change"),
    Parameter("registry_max_age_days", house_policy(
        "about the six months after which FRS-006 reports a registry check; filings are "
        "revoked and the CAC republishes its lists in batches"),
        "FIL-001, FIL-002, FIL-011: age of a registry check relied on"),
    Parameter("unattributed_filings_cover_all", house_policy(
        "the profile gives no other attribution: a filing naming no service is read as the "
        "company's"), "FIL-001, FIL-002: a filing naming no service covers every service"),
    Parameter("generative_needs_algorithm_filing", primary(
        "Interim Measures for the Management of Generative AI Services (2023) Art. 17"),
        "FIL-002: public-opinion generative services also need an algorithm filing"),
    Parameter("labeling_effective", primary(
        "Measures for Labeling AI-Generated Synthetic Content (2025) and GB 45438-2025: "
        "in force 1 Sep 2025"), "FIL-007 applies from"),
    Parameter("sector_revenue_floor_pct", secondary(
        "domain-research §7.1, FIL-009: healthcare revenue >= 10%"),
        "FIL-009: healthcare revenue share from which NMPA Class III is needed, percent"),
    Parameter("nmpa_critical_revenue_pct", house_policy(
        "critical when the vertical carries the company: half its revenue"),
        "FIL-009 critical from, percent"),
    Parameter("enforcement_lookback_months", secondary(
        "domain-research §7.1, FIL-012: a penalty or app removal in 24 months"),
        "FIL-012: months of enforcement history that count"),
    Parameter("committee_min_members", secondary(
        "MIIT-led AI S&T ethics guideline (2026): at least 5 members as reported "
        "(domain-research §1.1)"), "FIL-013: smallest ethics committee"),
    Parameter("gpai_obligations_from", primary(
        "EU AI Act (Reg. 2024/1689) Art. 113(b)"), "FIL-015 applies from"),
    Parameter("gpai_transition_until", primary(
        "EU AI Act (Reg. 2024/1689) Art. 111(3)"),
        "FIL-015: models placed on the market earlier comply by"),
    Parameter("gpai_systemic_flops", primary(
        "EU AI Act (Reg. 2024/1689) Art. 51(2)"),
        "FIL-015: training compute presumed systemic, FLOP"),
    Parameter("pi_audit_individuals", primary(
        "Measures for Personal Information Protection Compliance Audits (CAC Order No. 18) "
        "Art. 3"), "FIL-019: people whose personal information requires audits"),
    Parameter("pi_audit_effective", primary(
        "CAC Order No. 18, effective 1 May 2025"), "FIL-019 applies from"),
    Parameter("pi_audit_interval_months", primary(
        "CAC Order No. 18 Art. 3: at least once every two years"),
        "FIL-019: months between audits"),
    Parameter("transfer_assessment_individuals", secondary(
        "CAC Order No. 16 (2024), the threshold as Xinhua reported it (22 Mar 2024)"),
        "FIL-014: people sent abroad needing a security assessment"),
    Parameter("transfer_assessment_sensitive", secondary(
        "CAC Order No. 16 (2024), the threshold as Xinhua reported it (22 Mar 2024)"),
        "FIL-014: people whose sensitive information needs a security assessment"),
    Parameter("transfer_contract_individuals", secondary(
        "CAC Order No. 16 (2024), the exemption as domain-research §1.4 summarises it"),
        "FIL-014: people sent abroad needing a standard contract or certification"),
)
