"""Valuation: how much the valuation the gate tests can be trusted.

A built-in rule pack (``valuation``). The gate itself (``[gate]`` in the
configuration) refuses a parent group's market capitalisation, an illustrative
valuation and an undated one, and tests estimates and last-round post-money
valuations (and an expected market value without a listing application on
record, which is an estimate) after the haircut of ``[risk.haircut]``; these rules report what the
committee should know about the basis. None of them affects a dimension: they
are reported, and the haircut already acts on the gate and the risk.

Rules (id, severity: fires when; source):

VAL-001  low: the valuation is an estimate or a last-round post-money
         valuation (tested after a haircut), or an expected market value without
         a listing application on record (``listing.status`` ``filed`` or
         ``listed``; a left-out ``listing`` is none), which is the company's own
         estimate and tested as one. Gornall and Strebulaev, "Squaring
         Venture Capital Valuations with Reality", JFE 135(1), 2020; SSE STAR
         Market Listing Rules 2.1.2(5) (the expected market value a listing
         application states).
VAL-002  medium: a listed company is valued on something other than its market
         capitalisation (its market price exists and should be used).
         STAR Market fifth listing standard: market value at a date
         (domain-research §0).
VAL-003  medium: the valuation is older than ``max_age_months`` (6) calendar
         months at the evaluation date (exactly 6 months is not older; 31 Dec is
         6 months old on 30 Jun) (house policy: the line is a market test
         and markets for AI-model companies moved by half within months in 2026),
         or dated after the evaluation date (no market value at it; the gate does
         not test it).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from attrs import frozen

from threshold_core import hookimpl
from threshold_core.kit import (
    Pack,
    Parameter,
    add_months,
    fired,
    house_policy,
    months_elapsed,
    not_evaluated,
    older_than_months,
    rule,
)
from threshold_core.model import (
    CompanyProfile,
    Context,
    ListingStatus,
    ValuationBasis,
    tested_basis,
)

NAME = "valuation"
VERSION = "1.1.0"
#: The date of the law and practice these rules encode.
LAW_AS_OF = date(2026, 6, 17)

_HAIRCUT_BASES = (ValuationBasis.ESTIMATE, ValuationBasis.LAST_ROUND_POST_MONEY)


@frozen
class ValuationSettings:
    """``[settings.valuation]``."""

    #: A valuation older than this many calendar months is stale (VAL-003; house policy).
    max_age_months: int = 6

    def __attrs_post_init__(self) -> None:
        if self.max_age_months <= 0:
            raise ValueError("max_age_months: must be a positive number of months")


@rule(
    "VAL-001",
    title="Valuation is an estimate or a last-round post-money",
    severity="low",
    dimension=None,
    rationale="Post-money valuations overstate the fair value of a company's shares (48% on "
    "average for US unicorns); press and analyst estimates usually restate a last round. The "
    "gate tests them after the haircut of [risk.haircut]. An expected market value is the one "
    "a listing application states; without an application on record it is the company's own "
    "estimate.",
    source="Gornall & Strebulaev, Journal of Financial Economics 135(1), 2020; SSE STAR "
    "Market Listing Rules 2.1.2(5) (expected market value at listing)",
)
def haircut_basis(profile: CompanyProfile, settings: Any, context: Context) -> Any:
    v = profile.valuation
    if v is None:
        return not_evaluated("valuation")
    evidence: dict[str, str | None] = {"valuation.basis": str(v.basis)}
    basis = tested_basis(v, profile.listing)
    if basis not in _HAIRCUT_BASES:
        return evidence
    if basis is not v.basis:
        evidence["listing.status"] = None if profile.listing is None else str(
            profile.listing.status)
        return fired(
            "valuation basis expected_market_value without a listing application on record "
            "(listing.status filed or listed): the company's own estimate, tested as an "
            "estimate after a haircut", evidence=evidence,
        )
    return fired(
        f"valuation basis {v.basis}: tested after a haircut, reported as a secondary figure",
        evidence=evidence,
    )


@rule(
    "VAL-002",
    title="Listed company valued on an estimate, not its market capitalisation",
    severity="medium",
    dimension=None,
    rationale="A listed company has a market price; an estimate or a last round in its place "
    "hides the test the line is modelled on.",
    source="STAR Market fifth listing standard (expected market value at a date); "
    "domain-research §0",
)
def listed_on_estimate(profile: CompanyProfile, settings: Any, context: Context) -> Any:
    v, listing = profile.valuation, profile.listing
    missing = [p for p, x in (("valuation", v), ("listing", listing)) if x is None]
    if missing or v is None or listing is None:
        return not_evaluated(*missing)
    evidence = {"valuation.basis": str(v.basis), "listing.status": str(listing.status)}
    if listing.status is not ListingStatus.LISTED or v.basis is ValuationBasis.MARKET_CAP:
        return evidence
    where = f" on {listing.exchange}" if listing.exchange else ""
    return fired(
        f"listed{where} but valued on {v.basis}: use the market capitalisation at a date",
        evidence=evidence,
    )


@rule(
    "VAL-003",
    title="Valuation is stale",
    severity="medium",
    dimension=None,
    rationale="The line is a market test at a date; an old valuation says little about today.",
    source="house policy",
)
def stale(profile: CompanyProfile, settings: ValuationSettings, context: Context) -> Any:
    v = profile.valuation
    if v is None or v.as_of is None or context.as_of is None:
        return not_evaluated(*(["valuation.as_of"] if v is None or v.as_of is None else []),
                             *(["as_of"] if context.as_of is None else []))
    age = months_elapsed(v.as_of, context.as_of)
    evidence = {"valuation.as_of": v.as_of.isoformat()}
    if v.as_of > context.as_of:
        # Not fresh: a valuation from after the evaluation date is no market value at it.
        return fired(f"valuation of {v.as_of} is after the evaluation date {context.as_of} "
                     "(the gate does not test it)", evidence=evidence)
    if not older_than_months(v.as_of, context.as_of, settings.max_age_months):
        return evidence
    return fired(
        f"valuation of {v.as_of} is {age} months old at {context.as_of} "
        f"(more than {settings.max_age_months}: fresh until "
        f"{add_months(v.as_of, settings.max_age_months)})",
        evidence=evidence,
    )


PACK = Pack(
    name=NAME,
    version=VERSION,
    law_as_of=LAW_AS_OF,
    rules=(haircut_basis, listed_on_estimate, stale),
    parameters=(Parameter("max_age_months", house_policy(
        "the line is a market test at a date; six months, as a prospectus's financial "
        "statements"), "VAL-003: months after which a valuation is stale"),),
    description="How far the valuation the gate tests can be trusted: basis, listing, age.",
)


@hookimpl
def threshold_register_rule_packs(register: Any) -> None:
    register(PACK)


@hookimpl
def threshold_settings_types() -> dict[str, type]:
    return {NAME: ValuationSettings}
