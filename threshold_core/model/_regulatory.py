"""A profile's regulatory sections: services, CAC filings, sector approvals, enforcement,
ethics governance, personal information, certifications, investment screening, STAR Market.

Filings follow the real regime: the Cyberspace Administration of China (CAC)
runs the algorithm, deep-synthesis and generative-AI registries; sector
regulators (NMPA, NHC, NFRA, ...) grant sector approvals.
"""

from __future__ import annotations

from datetime import date

from attrs import field, frozen

from ._figures import AMOUNT, Figure, Money, StrEnum


class ServiceKind(StrEnum):
    GENERATIVE = "generative"
    ALGORITHM_RECOMMENDATION = "algorithm_recommendation"
    DEEP_SYNTHESIS = "deep_synthesis"


@frozen
class Service:
    """A product or API the company runs."""

    name: str
    #: Left out: unknown. Every rule and scorer reads it as the stricter value: as
    #: ``generative`` (in scope of every filing and labelling rule), and, where generative
    #: services are outside a rule's scope (FIL-002 with ``generative_needs_algorithm_filing
    #: = false``), as possibly an algorithm or deep-synthesis service (not evaluated where
    #: that would decide).
    kind: ServiceKind | None = None
    #: The model the service runs; a filing for that model covers the service.
    model: str | None = None
    #: Offered to the public in mainland China. True when left out: the stricter value (a
    #: public service is in the scope of every filing rule), so omission never helps.
    public_prc: bool = True
    #: Public-opinion attributes or social-mobilisation capability. Left out: unknown, never
    #: presumed false (FIL-002, FIL-013, FIL-018 are not evaluated for it when it lacks what
    #: the attribute would need).
    public_opinion: bool | None = None
    #: Calls an already-filed model through an API (registration, not filing). False when left
    #: out: the stricter value (a filing is needed; with True a registration also does).
    api_based: bool = False
    #: The foundation model it is built on, when not the company's own.
    foundation_model: str | None = None
    foundation_model_filed: bool | None = None
    #: Who makes the foundation model and under which jurisdiction (ISO 3166 code), as a
    #: source confirms them; a foreign jurisdiction confirms a foreign model (FIL-005).
    foundation_model_provider: str | None = None
    foundation_model_jurisdiction: str | None = None
    #: Companion or role-play consumer product. Left out: unknown (ETH-008, FIL-021).
    companion: bool | None = None
    minor_mode: bool | None = None
    #: Served to users in the EU. Left out: unknown (ETH-006's EU duties, ETH-010).
    eu_users: bool | None = None
    #: Auto-generates prescriptions or stands in for a physician. Left out: unknown (FIL-010).
    auto_prescription: bool | None = None
    #: Huawei Ascend accelerators serve this product outside the PRC. Left out: unknown
    #: (CHIP-008).
    ascend_outside_prc: bool | None = None
    #: Offered to individual consumers (an app or site anyone can use), not only to businesses.
    #: Left out: unknown (FIL-021).
    consumer: bool | None = None
    #: Lets users edit faces, voices or other biometric features of a person (deep synthesis).
    #: Left out: unknown (FIL-020).
    face_voice_editing: bool | None = None
    #: The edited person's separate consent is obtained (Deep Synthesis Provisions Art. 14).
    separate_consent: bool | None = None
    source: str | None = None


class Regime(StrEnum):
    CAC_ALGORITHM = "CAC_ALGORITHM"
    CAC_DEEP_SYNTHESIS = "CAC_DEEP_SYNTHESIS"
    CAC_GENAI_FILING = "CAC_GENAI_FILING"
    CAC_GENAI_REGISTRATION = "CAC_GENAI_REGISTRATION"
    SEC_ASSESSMENT_2018 = "SEC_ASSESSMENT_2018"
    MIIT_ICP = "MIIT_ICP"
    EU_GPAI = "EU_GPAI"


class FilingStatus(StrEnum):
    ACTIVE = "active"
    CHANGED = "changed"
    CANCELLED = "cancelled"
    PENDING = "pending"


@frozen
class Filing:
    """One record in a filing registry."""

    regime: Regime
    #: The registry's authority as the source states it (``CAC``, ``CAC_PROVINCIAL``, ``MIIT``...).
    #: ``CAC`` when left out: only FIL-008 (info, which changes no decision) reads it.
    authority: str = "CAC"
    filing_number: str | None = None
    #: The service or model the record covers.
    service: str | None = None
    #: The record's status in the registry. Left out: unknown, never presumed in force (a
    #: record without it covers nothing certain: FIL-001, FIL-002, FIL-011, FIL-017 are not
    #: evaluated where it alone would cover a service, FIL-004 where it alone would fire;
    #: the readiness scorer does not count it).
    status: FilingStatus | None = None
    filing_date: date | None = None
    #: Date of a material change to the filed service, and when the change was filed.
    material_change_date: date | None = None
    change_filed_date: date | None = None
    displayed_on_product: bool | None = None
    source: str | None = None


@frozen
class RegistryCheck:
    """One CAC registry searched for the company's records, and when.

    The statuses of that registry's records in ``filings`` (and the absence of a record)
    are as of ``checked_on``. Without it (or with one after the evaluation date) a status
    read from the registry is not evidence: the rules that read the registry return
    ``not_evaluated`` naming ``registry_checks.<REGIME>.checked_on``. Optional so that old
    profiles load.
    """

    checked_on: date | None = None
    #: The list or page searched (``beian.cac.gov.cn``, a provincial CAC announcement).
    source: str | None = None


@frozen
class RegistryChecks:
    """``[registry_checks.<REGIME>]``: when each CAC filing registry was checked.

    A registry not listed here was not checked at a known date.
    """

    CAC_ALGORITHM: RegistryCheck | None = None
    CAC_DEEP_SYNTHESIS: RegistryCheck | None = None
    CAC_GENAI_FILING: RegistryCheck | None = None
    CAC_GENAI_REGISTRATION: RegistryCheck | None = None

    def checked_on(self, regime: Regime) -> date | None:
        """When ``regime``'s registry was checked; None when unknown or not a CAC registry."""
        check = getattr(self, str(regime), None)
        return check.checked_on if isinstance(check, RegistryCheck) else None


@frozen
class SectorApproval:
    sector: str
    regulator: str
    instrument: str | None = None
    #: Left out: unknown, never presumed in force (FIL-009 is not evaluated where it alone
    #: would hold the approval a vertical needs; the readiness scorer does not count it).
    status: FilingStatus | None = None
    approval_date: date | None = None
    source: str | None = None


@frozen
class ContentLabeling:
    explicit: bool
    implicit_metadata: bool
    #: Shown, not read by any rule: its default changes no decision.
    standard: str | None = "GB 45438-2025"
    checked_on: date | None = None
    source: str | None = None


@frozen
class SecurityAssessment:
    """Evidence of the TC260 / GB/T 45654 security self-assessment."""

    corpus_blacklist: bool | None = None
    keyword_library: bool | None = None
    refusal_test_banks: bool | None = None
    source: str | None = None


class EnforcementAction(StrEnum):
    SUMMONS = "summons"
    PENALTY = "penalty"
    APP_REMOVAL = "app_removal"
    RECTIFICATION = "rectification"


@frozen
class Enforcement:
    authority: str
    action: EnforcementAction
    action_date: date
    #: False when left out, the stricter value (an unresolved penalty is high, FIL-012).
    resolved: bool = False
    amount: Money | None = None
    source: str | None = None


@frozen
class EthicsGovernance:
    committee: bool
    members: int | None = field(default=None, metadata=AMOUNT)
    expert_rereview_done: bool | None = None
    published_principles: bool | None = None
    source: str | None = None


@frozen
class Litigation:
    counterparty: str
    subject: str
    claim: Money | None = None
    #: ``open`` when left out, the stricter value (only an open claim is material, ETH-009).
    status: str = "open"
    source: str | None = None


@frozen
class EuExposure:
    serves_eu_users: bool
    #: Provides a general-purpose AI model on the EU market. Left out: unknown, never presumed
    #: false (FIL-015 is not evaluated).
    gpai_provider: bool | None = None
    gpai_documentation: bool | None = None
    training_flops: float | None = field(default=None, metadata=AMOUNT)
    #: Uses in an EU AI Act Art. 5 prohibited category (social scoring, emotion recognition
    #: at work or school...); ``[]`` means "researched, none", absent means unknown (ETH-010
    #: is not evaluated where the answer could decide it).
    prohibited_uses: tuple[str, ...] | None = None
    source: str | None = None


class TransferMechanism(StrEnum):
    """How personal information leaves the PRC (CAC Order No. 16, 2024)."""

    SECURITY_ASSESSMENT = "security_assessment"
    STANDARD_CONTRACT = "standard_contract"
    CERTIFICATION = "certification"
    NONE = "none"


@frozen
class PersonalInformation:
    """Personal information the company handles, at the scales the PRC instruments test."""

    source: str | None = None
    as_of: date | None = None
    #: Individuals whose personal information the company processes.
    individuals: Figure | None = None
    #: Dates of personal-information protection compliance audits; ``[]`` means none on
    #: record, absent means not researched.
    compliance_audits: tuple[date, ...] | None = None
    #: Individuals whose (non-sensitive) personal information went abroad since 1 January.
    cross_border_individuals: Figure | None = None
    #: Individuals whose sensitive personal information went abroad since 1 January.
    cross_border_sensitive_individuals: Figure | None = None
    #: The legal mechanism the transfers rely on.
    cross_border_mechanism: TransferMechanism | None = None


@frozen
class Certification:
    """A management-system certification held (ISO/IEC 27001, 27701, 42001, ...)."""

    standard: str
    certifier: str | None = None
    valid_until: date | None = None
    source: str | None = None


@frozen
class Compliance:
    """Breadth of compliance beyond the filings: security protection and certifications."""

    source: str | None = None
    as_of: date | None = None
    #: Systems filed at MLPS level 3 or above (Cybersecurity Law Art. 21; GB/T 22239-2019).
    mlps_level3_systems: int | None = field(default=None, metadata=AMOUNT)
    #: Management-system certifications; ``[]`` means none, absent means not researched.
    certifications: tuple[Certification, ...] | None = None


@frozen
class InvestmentScreening:
    """An investor's screening of the company against US investment restrictions.

    Every list answer is as of ``checked_on``; None means that list was not checked.
    """

    #: The date the lists were checked (required: a screening without a date proves nothing).
    checked_on: date
    source: str | None = None
    #: The company is a covered foreign person under 31 CFR 850 (PRC, Hong Kong or Macau nexus).
    covered_foreign_person: bool | None = None
    #: Largest training compute of any AI system the company develops, FLOP (31 CFR 850).
    max_training_flops: Figure | None = None
    #: Trained primarily on biological sequence data (31 CFR 850.224's 1e24 threshold). Left
    #: out: unknown, never presumed false (INV-001 is not evaluated for training compute
    #: between the two bars).
    biological_sequence_data: bool | None = None
    #: End uses its AI systems are designed or intended for (military, government
    #: intelligence, mass surveillance, cybersecurity, digital forensics, penetration testing,
    #: robotic control). ``[]`` means "screened, none", absent means unknown (INV-001 and
    #: INV-002 are not evaluated where an end use could decide them).
    ai_end_uses: tuple[str, ...] | None = None
    #: On Treasury's Non-SDN Chinese Military-Industrial Complex Companies List.
    ns_cmic_listed: bool | None = None
    #: On the DoD list of Chinese military companies (NDAA FY2021 Section 1260H).
    section_1260h_listed: bool | None = None
    #: On OFAC's Specially Designated Nationals list.
    sdn_listed: bool | None = None
    #: Share owned, directly or indirectly, by Entity List or MEU parties, percent.
    listed_owners_pct: float | None = None


@frozen
class StarMarket:
    """What a STAR Market fifth-standard filing under SSE Guidance No. 10 must show."""

    source: str | None = None
    as_of: date | None = None
    #: Expected market value at listing, in ``currency``.
    expected_market_value: Money | None = None
    #: At least one large-model product launched and in large-scale use at filing.
    product_at_scale: bool | None = None
    #: Approval or endorsement by relevant national bodies (for example the CAC model filing).
    national_approval_evidence: tuple[str, ...] | None = None
    #: Evidence of a distinct technological edge (patents, independent benchmarks, awards).
    technology_edge_evidence: tuple[str, ...] | None = None
    #: Evidence of a large market (market-size studies, contracts).
    market_space_evidence: tuple[str, ...] | None = None
    #: Data-security and IP compliance opinions or audits on record.
    data_ip_compliance: bool | None = None
