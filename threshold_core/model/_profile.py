"""The company profile: what the engine evaluates.

Every class here and in the section modules (``_figures``, ``_market``,
``_technology``, ``_regulatory``) is a frozen attrs value object. Profiles are
read from TOML or JSON through :func:`threshold_core.load.load_profile`, which
validates every field strictly and reports every problem with its path.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from attrs import field, frozen

from ._figures import AMOUNT, Money
from ._market import (
    Customers,
    Financials,
    Investor,
    Listing,
    Valuation,
    ValuationMark,
    Vertical,
)
from ._regulatory import (
    Compliance,
    ContentLabeling,
    Enforcement,
    EthicsGovernance,
    EuExposure,
    Filing,
    InvestmentScreening,
    Litigation,
    PersonalInformation,
    Regime,
    RegistryChecks,
    SectorApproval,
    SecurityAssessment,
    Service,
    StarMarket,
)
from ._technology import Compute, Evaluations, ExportControls, Technology


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
    #: True when a public source confirms the company exists as described, False when none
    #: does. Left out it is unknown, never presumed true: DIS-001 is not evaluated and
    #: counts at its severity (an assumed high finding: at most ``watch``).
    verified: bool | None = None
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
    #: When each CAC registry was checked (``[registry_checks.CAC_GENAI_FILING]``): a
    #: status read from a registry without a check date, or checked after the evaluation
    #: date, is not evidence.
    registry_checks: RegistryChecks | None = None
    #: Sector-regulator approvals; ``[]`` means "researched, none", absent means unknown.
    sector_approvals: tuple[SectorApproval, ...] | None = None
    verticals: tuple[Vertical, ...] = ()
    content_labeling: ContentLabeling | None = None
    security_assessment: SecurityAssessment | None = None
    evaluations: Evaluations | None = None
    compute: Compute | None = None
    export_controls: ExportControls | None = None
    investors: tuple[Investor, ...] = ()
    #: Valuations over time (rounds, listing, estimates), for down rounds; any order.
    valuation_history: tuple[ValuationMark, ...] = ()
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
