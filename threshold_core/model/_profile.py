"""The company profile: what the engine evaluates.

Every class here is a frozen attrs value object. Profiles are read from TOML or
JSON through :func:`threshold_core.load.load_profile`, which validates every
field strictly and reports every problem with its path.

Conventions:

* Money is an amount plus an ISO 4217 currency; the engine converts to CNY with
  the FX table of the configuration (which carries its own date).
* Percentages are floats from 0 to 100.
* A :class:`Figure` is a number with optional provenance. In a profile file it
  is written either as a bare number (``ndr_pct = 120``) or as a table
  (``ndr_pct = { value = 120, source = "article", as_of = 2026-06-01 }``). A
  section's ``source`` and ``as_of`` apply to the bare figures inside it.
* Filings follow the real regime: the Cyberspace Administration of China (CAC)
  runs the algorithm, deep-synthesis and generative-AI registries; sector
  regulators (NMPA, NHC, NFRA, ...) grant sector approvals.
"""

from __future__ import annotations

import enum
from datetime import date
from typing import Any

from attrs import field, frozen

#: String enums whose ``str()`` is their value (kept importable from here).
StrEnum = enum.StrEnum

#: Field metadata key of a number's documented range: ``(lowest, highest)``, inclusive,
#: None for no bound. A ``*_pct`` field without it is a share (0-100); plugins' profile
#: extension classes may declare it too. Profiles are checked against it when they load,
#: and the JSON Schema states it (``minimum``, ``maximum``).
RANGE = "threshold.range"


def range_of(attribute: Any) -> tuple[float | None, float | None] | None:
    """The documented range of an attrs field, or None when it has none."""
    bounds = attribute.metadata.get(RANGE, (0.0, 100.0) if attribute.name.endswith("_pct")
                                    else None)
    return None if bounds == (None, None) else bounds


#: A percentage of a whole: 0-100.
SHARE = {RANGE: (0.0, 100.0)}
#: An amount, a count or a duration: not negative.
AMOUNT = {RANGE: (0.0, None)}


@frozen
class Figure:
    """A number with its provenance."""

    #: The number itself.
    value: float
    #: Where it comes from: a citation, a URL, or ``"illustrative"``.
    source: str | None = None
    #: The date the figure describes.
    as_of: date | None = None
    #: Free-text caveat (a definition, a period).
    note: str | None = None


@frozen
class Money:
    """An amount of money in a named currency."""

    #: The amount, in units of ``currency`` (not negative).
    amount: float = field(metadata=AMOUNT)
    #: ISO 4217 code, for example ``"CNY"``, ``"USD"``, ``"HKD"``.
    currency: str = "CNY"


class ValuationBasis(StrEnum):
    MARKET_CAP = "market_cap"
    LAST_ROUND_POST_MONEY = "last_round_post_money"
    EXPECTED_MARKET_VALUE = "expected_market_value"
    PARENT_MARKET_CAP = "parent_market_cap"
    ESTIMATE = "estimate"


@frozen
class Valuation:
    """The valuation the gate tests against the line."""

    #: Positive.
    amount: float = field(metadata=AMOUNT)
    currency: str
    basis: ValuationBasis
    as_of: date | None = None
    source: str | None = None


class ListingStatus(StrEnum):
    LISTED = "listed"
    FILED = "filed"
    PRIVATE = "private"
    SUBSIDIARY = "subsidiary"


@frozen
class Listing:
    status: ListingStatus
    exchange: str | None = None
    ticker: str | None = None
    listing_date: date | None = None
    source: str | None = None


@frozen
class RevenueMix:
    """Shares of revenue by model, in percent."""

    subscription_pct: Figure | None = field(default=None, metadata=SHARE)
    usage_api_pct: Figure | None = field(default=None, metadata=SHARE)
    project_on_prem_pct: Figure | None = field(default=None, metadata=SHARE)
    consumer_app_pct: Figure | None = field(default=None, metadata=SHARE)
    other_pct: Figure | None = field(default=None, metadata=SHARE)


@frozen
class Financials:
    """One reporting period. Amounts are in ``currency``."""

    currency: str = "CNY"
    period: str | None = None
    source: str | None = None
    as_of: date | None = None
    revenue: Figure | None = field(default=None, metadata=AMOUNT)
    #: Growth over the prior period, percent: at least -100.
    revenue_growth_pct: Figure | None = field(default=None, metadata={RANGE: (-100.0, None)})
    #: At most 100 (negative for a loss on each sale).
    gross_margin_pct: Figure | None = field(default=None, metadata={RANGE: (None, 100.0)})
    #: Free cash flow over revenue, percent: unbounded (a cash-burning lab is far below -100).
    fcf_margin_pct: Figure | None = field(default=None, metadata={RANGE: (None, None)})
    rnd_expense: Figure | None = field(default=None, metadata=AMOUNT)
    cash: Figure | None = field(default=None, metadata=AMOUNT)
    #: Negative for a cash-generative company.
    monthly_net_burn: Figure | None = None
    overseas_revenue_pct: Figure | None = field(default=None, metadata=SHARE)
    top5_customer_share_pct: Figure | None = field(default=None, metadata=SHARE)
    revenue_mix: RevenueMix | None = None


@frozen
class Customers:
    source: str | None = None
    as_of: date | None = None
    #: Net dollar retention, percent (above 100 with expansion).
    ndr_pct: Figure | None = field(default=None, metadata=AMOUNT)
    #: Gross dollar retention, percent (0-100: expansion is not counted).
    gdr_pct: Figure | None = field(default=None, metadata=SHARE)
    enterprise_customers: Figure | None = field(default=None, metadata=AMOUNT)
    logo_churn_pct: Figure | None = field(default=None, metadata=SHARE)


class ClaimedBy(StrEnum):
    """Who stands behind a benchmark claim, weakest first."""

    #: Only a press report (an article's table): not the company's own statement.
    PRESS = "press"
    #: The company itself: its model card, technical report or results release.
    SELF = "self"
    #: An independent evaluator (a public leaderboard, an evaluation lab).
    THIRD_PARTY = "third_party"


@frozen
class Reproduction:
    """An independent party's own run of a claimed benchmark."""

    #: Who ran it (OpenCompass, a public leaderboard, an evaluation lab).
    by: str
    #: The score that run obtained, on the claim's scale.
    score: float
    harness: str | None = None
    source: str | None = None
    as_of: date | None = None


@frozen
class BenchmarkClaim:
    benchmark: str
    score: float
    claimed_by: ClaimedBy = ClaimedBy.SELF
    #: Whether an independent harness reproduced it within tolerance (when no
    #: ``reproduction`` record says so).
    independently_reproduced: bool | None = None
    #: A third party's run of the same benchmark; decides ``independently_reproduced``.
    reproduction: Reproduction | None = None
    harness: str | None = None
    source: str | None = None
    as_of: date | None = None


class Exclusivity(StrEnum):
    EXCLUSIVE = "exclusive"
    LICENSED = "licensed"
    PUBLIC = "public"


@frozen
class DataAsset:
    description: str
    exclusivity: Exclusivity
    #: True when the only evidence is the company's own statement.
    self_reported: bool = True
    source: str | None = None


@frozen
class Model:
    name: str
    release_date: date | None = None
    open_weights: bool = False
    params_b: float | None = field(default=None, metadata=AMOUNT)
    #: Training compute of this model, FLOP (EU AI Act systemic-risk presumption at 1e25).
    training_flops: float | None = field(default=None, metadata=AMOUNT)
    source: str | None = None


@frozen
class Technology:
    source: str | None = None
    as_of: date | None = None
    benchmark_claims: tuple[BenchmarkClaim, ...] = ()
    #: Percentile among Chinese model vendors on a named leaderboard (0-100).
    capability_percentile: Figure | None = field(default=None, metadata=SHARE)
    capability_leaderboard: str | None = None
    data_assets: tuple[DataAsset, ...] = ()
    models: tuple[Model, ...] = ()
    #: Major model releases in the trailing twelve months.
    releases_12m: Figure | None = field(default=None, metadata=AMOUNT)


class ServiceKind(StrEnum):
    GENERATIVE = "generative"
    ALGORITHM_RECOMMENDATION = "algorithm_recommendation"
    DEEP_SYNTHESIS = "deep_synthesis"


@frozen
class Service:
    """A product or API the company runs."""

    name: str
    kind: ServiceKind = ServiceKind.GENERATIVE
    #: The model the service runs; a filing for that model covers the service.
    model: str | None = None
    #: Offered to the public in mainland China.
    public_prc: bool = True
    #: Public-opinion attributes or social-mobilisation capability.
    public_opinion: bool = False
    #: Calls an already-filed model through an API (registration, not filing).
    api_based: bool = False
    #: The foundation model it is built on, when not the company's own.
    foundation_model: str | None = None
    foundation_model_filed: bool | None = None
    #: Who makes the foundation model and under which jurisdiction (ISO 3166 code), as a
    #: source confirms them; a foreign jurisdiction confirms a foreign model (FIL-005).
    foundation_model_provider: str | None = None
    foundation_model_jurisdiction: str | None = None
    #: Companion or role-play consumer product.
    companion: bool = False
    minor_mode: bool | None = None
    #: Served to users in the EU.
    eu_users: bool = False
    #: Auto-generates prescriptions or stands in for a physician.
    auto_prescription: bool = False
    #: Huawei Ascend accelerators serve this product outside the PRC.
    ascend_outside_prc: bool = False
    #: Offered to individual consumers (an app or site anyone can use), not only to businesses.
    consumer: bool = False
    #: Lets users edit faces, voices or other biometric features of a person (deep synthesis).
    face_voice_editing: bool = False
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
    authority: str = "CAC"
    filing_number: str | None = None
    #: The service or model the record covers.
    service: str | None = None
    status: FilingStatus = FilingStatus.ACTIVE
    filing_date: date | None = None
    #: Date of a material change to the filed service, and when the change was filed.
    material_change_date: date | None = None
    change_filed_date: date | None = None
    displayed_on_product: bool | None = None
    source: str | None = None


@frozen
class SectorApproval:
    sector: str
    regulator: str
    instrument: str | None = None
    status: FilingStatus = FilingStatus.ACTIVE
    approval_date: date | None = None
    source: str | None = None


@frozen
class Vertical:
    """A sector the company sells into."""

    sector: str
    revenue_share_pct: float | None = field(default=None, metadata=SHARE)
    #: The product makes or supports decisions (diagnosis, credit, claims...).
    decision_support: bool = False
    #: Serves institutions regulated by NFRA (banks, insurers).
    nfra_regulated_clients: bool = False
    human_oversight: bool | None = None
    #: Personal data is used to train or tune generative models.
    personal_data_in_training: bool | None = None
    #: Exempt from sector approval, with the reason.
    exemption: str | None = None
    source: str | None = None


@frozen
class ContentLabeling:
    explicit: bool
    implicit_metadata: bool
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


@frozen
class SafetyEval:
    suite: str
    over_refusal_pct: float | None = field(default=None, metadata=SHARE)
    unsafe_compliance_pct: float | None = field(default=None, metadata=SHARE)
    language: str | None = None
    #: Prompts behind the rates, when one count serves both.
    n_prompts: int | None = None
    #: Benign prompts behind ``over_refusal_pct`` (XSTest: 250 of its 450).
    n_benign: int | None = None
    #: Unsafe prompts behind ``unsafe_compliance_pct`` (XSTest: 200 of its 450).
    n_unsafe: int | None = None
    #: Run by a party independent of the company (not self-run, not press).
    independent: bool = False
    as_of: date | None = None
    source: str | None = None


@frozen
class DomainEval:
    """Hallucination (confabulation) evaluation on a domain QA set."""

    domain: str
    confabulation_pct: float = field(metadata=SHARE)
    source: str | None = None


@frozen
class BiasEval:
    suite: str
    source: str | None = None


@frozen
class Evaluations:
    safety: tuple[SafetyEval, ...] = ()
    hallucination: tuple[DomainEval, ...] = ()
    bias: tuple[BiasEval, ...] = ()
    #: Canned refusals on benign history, geography and medical prompts, percent.
    benign_canned_refusal_pct: float | None = field(default=None, metadata=SHARE)


class Tenure(StrEnum):
    OWNED = "owned"
    LEASED_DOMESTIC = "leased_domestic"
    LEASED_OFFSHORE = "leased_offshore"


class ChipClass(StrEnum):
    #: US-origin, controlled under ECCN 3A090.a (H100, H800, A100...).
    US_3A090A = "us_3a090a"
    #: US-origin, needs a licence to resupply (H20, H200 under the 2025-26 regime).
    US_LICENSED = "us_licensed"
    #: US-origin, below the control thresholds.
    US_BELOW = "us_below"
    DOMESTIC = "domestic"
    UNKNOWN = "unknown"


@frozen
class Accelerator:
    vendor: str
    model: str
    #: Compute in H100-equivalents.
    h100_equiv: float = field(metadata=AMOUNT)
    chip_class: ChipClass = field()
    tenure: Tenure = Tenure.OWNED
    location_country: str | None = None
    #: Acquired with a licence where one was needed; None when unknown.
    licensed: bool | None = None
    source: str | None = None


@frozen
class CapacityPlan:
    """Compute the roadmap needs against what is secured for the same period (CHIP-006).

    Secured capacity counts owned accelerators and leased or cloud capacity under a
    signed contract alike, so a cloud renter is judged on its contracts, not its
    hardware.
    """

    #: Compute the plan needs at its peak, H100-equivalents.
    planned_h100_equiv: Figure
    #: Owned plus contracted (leased, reserved cloud) capacity for the plan, H100-equivalents.
    contracted_h100_equiv: Figure
    #: The plan's horizon, months.
    horizon_months: float | None = None
    source: str | None = None
    as_of: date | None = None


@frozen
class Compute:
    source: str | None = None
    as_of: date | None = None
    accelerators: tuple[Accelerator, ...] = ()
    #: Months of planned demand covered by owned or contracted capacity (descriptive;
    #: CHIP-006 reads ``capacity_plan``).
    runway_months: Figure | None = field(default=None, metadata=AMOUNT)
    #: Planned against contracted capacity (CHIP-006).
    capacity_plan: CapacityPlan | None = None
    #: The model stack is validated on a non-CUDA stack (CANN/MindSpore...).
    non_cuda_stack_validated: bool | None = None


@frozen
class ExportControls:
    entity_list: bool
    listed_date: date | None = None
    affiliates_listed: tuple[str, ...] = ()
    #: The roadmap relies on new US-origin items.
    relies_on_new_us_items: bool = False
    source: str | None = None


class InvestorType(StrEnum):
    STATE_FUND = "state_fund"
    STRATEGIC = "strategic"
    VC = "vc"
    PE = "pe"
    SOVEREIGN = "sovereign"
    CORNERSTONE = "cornerstone"
    UNIVERSITY = "university"
    OTHER = "other"


@frozen
class Investor:
    name: str
    type: InvestorType
    #: 3 = state fund or strategic hyperscaler, 2 = top-tier VC or sovereign, 1 = other.
    tier: int | None = field(default=None, metadata={RANGE: (1, 3)})
    amount: Money | None = None
    lockup_months: float | None = field(default=None, metadata=AMOUNT)
    round: str | None = None
    investment_date: date | None = None
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
    status: str = "open"
    source: str | None = None


@frozen
class EuExposure:
    serves_eu_users: bool
    gpai_provider: bool = False
    gpai_documentation: bool | None = None
    training_flops: float | None = field(default=None, metadata=AMOUNT)
    prohibited_uses: tuple[str, ...] = ()
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
    mlps_level3_systems: int | None = field(default=None)
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
    #: Trained primarily on biological sequence data (31 CFR 850.224's 1e24 threshold).
    biological_sequence_data: bool = False
    #: End uses its AI systems are designed or intended for (military, government
    #: intelligence, mass surveillance, cybersecurity, digital forensics, penetration testing,
    #: robotic control).
    ai_end_uses: tuple[str, ...] = ()
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


@frozen
class ReportedClaims:
    """Claims a secondary source makes that do not map onto a real registry.

    Kept so that nothing the source said is lost, and so that the filings pack
    can flag them as data-quality notes (CAC runs the filing registries, not
    MIIT; sector approvals come from sector regulators, not a count).
    """

    source: str | None = None
    filing_authority: str | None = None
    verticals_approved: int | None = field(default=None, metadata=AMOUNT)
    compliance_status: str | None = None
    arr: Money | None = None
    note: str | None = None


@frozen
class CompanyProfile:
    """Everything the engine knows about one company."""

    #: A stable identifier (file-name-like slug).
    id: str
    #: Display name.
    name: str
    legal_name: str | None = None
    parent: str | None = None
    #: False when no public source confirms the company exists as described.
    verified: bool = True
    description: str | None = None
    #: Date the profile describes.
    as_of: date | None = None
    hq_province: str | None = None
    valuation: Valuation | None = None
    listing: Listing | None = None
    financials: Financials | None = None
    customers: Customers | None = None
    technology: Technology | None = None
    services: tuple[Service, ...] = ()
    #: Registry records; ``[]`` means "researched, none on record", absent means unknown.
    filings: tuple[Filing, ...] | None = None
    #: Registries searched beyond the CAC's (``MIIT_ICP``, ``SEC_ASSESSMENT_2018``): one listed
    #: here without a record means none on record; one neither listed nor recorded is unknown.
    filings_researched: tuple[Regime, ...] = ()
    #: Sector-regulator approvals; ``[]`` means "researched, none", absent means unknown.
    sector_approvals: tuple[SectorApproval, ...] | None = None
    verticals: tuple[Vertical, ...] = ()
    content_labeling: ContentLabeling | None = None
    security_assessment: SecurityAssessment | None = None
    evaluations: Evaluations | None = None
    compute: Compute | None = None
    export_controls: ExportControls | None = None
    investors: tuple[Investor, ...] = ()
    #: Regulatory actions on record; ``[]`` means "researched, none", absent means unknown.
    enforcement: tuple[Enforcement, ...] | None = None
    ethics_governance: EthicsGovernance | None = None
    #: Lawsuits; ``[]`` means "researched, none", absent means unknown.
    litigation: tuple[Litigation, ...] | None = None
    eu_exposure: EuExposure | None = None
    personal_information: PersonalInformation | None = None
    compliance: Compliance | None = None
    investment_screening: InvestmentScreening | None = None
    star_market: StarMarket | None = None
    reported_claims: ReportedClaims | None = None
    #: Free-form notes about the profile itself.
    notes: tuple[str, ...] = field(default=())
    #: Plugins' own sections, ``[extensions.<name>]``: name -> an instance of the attrs
    #: class the plugin declares (``threshold_profile_extensions``), sorted by name. A
    #: section kept without a declaring plugin (``[extensions] undeclared = "keep"``) is
    #: an :class:`UndeclaredExtension`. Left out of ``hash()`` (a dict); equality compares it.
    extensions: dict[str, Any] = field(factory=dict, hash=False)


@frozen
class UndeclaredExtension:
    """An ``[extensions.<name>]`` section no installed plugin declares, kept as written.

    Only with ``[extensions] undeclared = "keep"`` in the configuration (the default is
    an error): old profiles stay readable after the plugin that declared a section is
    removed. Nothing scores it; the decision's trace says so.
    """

    #: The section's table, as written.
    data: dict[str, Any] = field(factory=dict)

