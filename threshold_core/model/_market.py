"""A profile's market sections: valuation, listing, financials, customers, investors."""

from __future__ import annotations

from datetime import date

from attrs import field, frozen

from ._figures import AMOUNT, RANGE, SHARE, Figure, Money, StrEnum


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


#: Listing statuses under which an expected market value is on record: a listing application
#: has been filed (the value it states) or the company is listed.
APPLICATION_ON_RECORD = (ListingStatus.FILED, ListingStatus.LISTED)


def tested_basis(valuation: Valuation, listing: Listing | None) -> ValuationBasis:
    """The basis the gate tests ``valuation`` on.

    An ``expected_market_value`` is the value a listing application states: under the STAR
    Market fifth listing standard (SSE STAR Market Listing Rules 2.1.2(5); domain-research
    §0 item 1 and §8) it is the issuer's expected market value at listing, assessed with
    the application. Without one on record (``listing.status`` ``filed`` or ``listed``; a
    left-out ``listing`` is no record) it is the company's own estimate and is tested as
    an ``estimate``. Every other basis is tested as stated.
    """
    if (valuation.basis is _EXPECTED_MARKET_VALUE
            and (listing is None or listing.status not in APPLICATION_ON_RECORD)):
        return ValuationBasis.ESTIMATE
    return valuation.basis


#: As a module name (on Python 3.11 ``Enum.MEMBER`` is a lookup through the enum class's
#: ``__getattr__`` hook; this is compared in every decision).
_EXPECTED_MARKET_VALUE = ValuationBasis.EXPECTED_MARKET_VALUE


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

    #: ISO 4217 code of the section's amounts (``revenue``, ``operating_cash_flow``,
    #: ``rnd_expense``, ``cash``, ``monthly_net_burn``). Required once the section gives one
    #: (an input error naming ``financials.currency`` otherwise, as for every money amount:
    #: a default would be a guess, and a better one for some readers, an HKD amount read as
    #: CNY 9% larger); a section of percentages alone needs none.
    currency: str | None = None
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
    #: Net cash from operating activities in the period (negative when operations consume
    #: cash); the Rule of 40 reads it over ``revenue``.
    operating_cash_flow: Figure | None = field(default=None, metadata={RANGE: (None, None)})
    rnd_expense: Figure | None = field(default=None, metadata=AMOUNT)
    cash: Figure | None = field(default=None, metadata=AMOUNT)
    #: Negative for a cash-generative company.
    monthly_net_burn: Figure | None = None
    overseas_revenue_pct: Figure | None = field(default=None, metadata=SHARE)
    top5_customer_share_pct: Figure | None = field(default=None, metadata=SHARE)
    revenue_mix: RevenueMix | None = None


#: The fields of :class:`Financials` that are amounts of money in its ``currency``.
FINANCIALS_AMOUNTS = ("revenue", "operating_cash_flow", "rnd_expense", "cash",
                      "monthly_net_burn")


def missing_currency(fin: Financials | None) -> str | None:
    """What is wrong with ``fin`` when it gives amounts (:data:`FINANCIALS_AMOUNTS`) but
    leaves its ``currency`` out, else None: a profile with it is refused, naming
    ``financials.currency``."""
    if fin is None or fin.currency is not None:
        return None
    given = [n for n in FINANCIALS_AMOUNTS if getattr(fin, n) is not None]
    if not given:
        return None
    return (f"must name the currency of {', '.join(given)}: an ISO 4217 code such as "
            '"CNY" (left out, it is no currency, never CNY)')


def financials_currency(fin: Financials) -> str:
    """The currency of ``fin``'s amounts, for a reader of one of them.

    The loader and the engine refuse an amount without a currency
    (:func:`missing_currency`), so a reader never sees one.

    :raises ValueError: ``fin`` gives no currency.
    """
    if fin.currency is None:
        raise ValueError("financials.currency is left out: its amounts have no currency")
    return fin.currency


@frozen
class Customers:
    source: str | None = None
    as_of: date | None = None
    #: Net dollar retention, percent (above 100 with expansion).
    ndr_pct: Figure | None = field(default=None, metadata=AMOUNT)
    #: Gross dollar retention, percent (0-100: expansion is not counted).
    gdr_pct: Figure | None = field(default=None, metadata=SHARE)
    #: Paying enterprise customers at period end.
    enterprise_customers: Figure | None = field(default=None, metadata=AMOUNT)
    #: Customers lost over the trailing twelve months, percent of those at its start.
    logo_churn_pct: Figure | None = field(default=None, metadata=SHARE)
    #: Revenue and paying customers by segment, for revenue per customer.
    segments: tuple[CustomerSegment, ...] = ()


class Segment(StrEnum):
    """Who pays: contract values are comparable within a segment, not across."""

    ENTERPRISE = "enterprise"
    DEVELOPER = "developer"
    CONSUMER = "consumer"


@frozen
class CustomerSegment:
    """One segment's share of ``financials.revenue`` and its paying customers."""

    segment: Segment
    #: Share of ``financials.revenue`` from this segment, percent.
    revenue_share_pct: float = field(metadata=SHARE)
    #: Paying customers (enterprises, developer accounts, subscribers) in the period.
    customers: float = field(metadata=AMOUNT)
    source: str | None = None
    as_of: date | None = None


@frozen
class Vertical:
    """A sector the company sells into."""

    sector: str
    revenue_share_pct: float | None = field(default=None, metadata=SHARE)
    #: The product makes or supports decisions (diagnosis, credit, claims...). Left out:
    #: unknown, never presumed false (FIL-009, FIL-011, FIL-013).
    decision_support: bool | None = None
    #: Serves institutions regulated by NFRA (banks, insurers). Left out: unknown (FIL-011).
    nfra_regulated_clients: bool | None = None
    human_oversight: bool | None = None
    #: Personal data is used to train or tune generative models.
    personal_data_in_training: bool | None = None
    #: Exempt from sector approval, with the reason.
    exemption: str | None = None
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
    #: 3 = state fund or strategic hyperscaler, 2 = top-tier VC or sovereign, 1 = other
    #: (research §6.4). Left out: the tier every investor of its type has at least
    #: (``type_tiers``: a state fund 3, a sovereign 2, a strategic or a vc 1), never a
    #: hyperscaler or a top-tier fund it does not say it is.
    tier: int | None = field(default=None, metadata={RANGE: (1, 3)})
    #: Left out: it could be any amount, so the amount-weighted means count it at their
    #: least favourable (a strategic backer's share of the capital raised: 100%).
    amount: Money | None = None
    #: Length of the lock-up from ``investment_date``, calendar months; 0 for none. Left out
    #: (and no ``lockup_expiry``), or without ``investment_date``, the end is unknown: 0
    #: months left, and it could unlock within the overhang window.
    lockup_months: float | None = field(default=None, metadata=AMOUNT)
    #: The day the lock-up ends, when known (else ``investment_date`` + ``lockup_months``).
    lockup_expiry: date | None = None
    round: str | None = None
    investment_date: date | None = None
    #: Share of the company's shares the investor holds, percent.
    stake_pct: float | None = field(default=None, metadata=SHARE)
    #: Share of the company's revenue that comes from this investor (cloud, distribution
    #: or customer deals), percent. Left out for a ``strategic`` investor: counted as 100%.
    revenue_share_pct: float | None = field(default=None, metadata=SHARE)
    source: str | None = None


@frozen
class ValuationMark:
    """A dated valuation: a priced round, a listing, or an estimate, for down rounds."""

    as_of: date
    #: Positive.
    amount: float = field(metadata={RANGE: (0.0, None)})
    currency: str
    basis: ValuationBasis
    #: The round's name (``Series B``, ``IPO``), when it was one.
    round: str | None = None
    source: str | None = None
