"""What the filings rules share: whom a filing covers and which records are in force.
The regime sets and the calendar are the kit's (``threshold_core.kit``), shared with the
readiness scorer."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from threshold_core.kit import IN_FORCE, contains_any, names_match, not_evaluated
from threshold_core.model import (
    CompanyProfile,
    Filing,
    Regime,
    RuleResult,
    Service,
)
from threshold_rules.filings.settings import FilingsSettings

DIMENSION = "regulatory_readiness"

def covers(filing: Filing, service: Service, settings: FilingsSettings) -> bool:
    """Whether ``filing`` names ``service`` or its model (or names no service and
    ``unattributed_filings_cover_all`` is set)."""
    if filing.service is None:
        return settings.unattributed_filings_cover_all
    return names_match(filing.service, service.name) or (
        service.model is not None and names_match(filing.service, service.model)
    )


def filings_in_force(profile: CompanyProfile, regimes: Iterable[Regime]) -> list[Filing]:
    """The filings of ``regimes`` whose status is active or changed."""
    wanted = frozenset(regimes)
    return [f for f in profile.filings or () if f.regime in wanted and f.status in IN_FORCE]


def status_unknown(profile: CompanyProfile, regimes: Iterable[Regime]) -> list[tuple[int, Filing]]:
    """The records of ``regimes`` whose ``status`` is left out, with their index: unknown,
    never presumed in force (nor out of force)."""
    wanted = frozenset(regimes)
    return [(i, f) for i, f in enumerate(profile.filings or ())
            if f.regime in wanted and f.status is None]


def unknown_cover(records: list[tuple[int, Filing]], service: Service,
                  settings: FilingsSettings) -> list[str]:
    """The ``filings[i].status`` paths of the ``records`` (:func:`status_unknown`) that would
    cover ``service`` if in force."""
    return [f"filings[{i}].status" for i, f in records if covers(f, service, settings)]


def registry_dated(profile: CompanyProfile, regime: Regime, as_of: date | None,
                   max_age_days: int | None = None) -> bool:
    """Whether ``regime``'s registry was checked at a known date (``registry_checks``) on or
    before the evaluation date ``as_of`` (a check from after it is no evidence at it) and,
    given ``max_age_days``, no more than that many days before it (an older check is not
    relied on: filings are revoked and lists republished)."""
    checks = profile.registry_checks
    day = None if checks is None else checks.checked_on(regime)
    if day is None:
        return False
    if as_of is None:
        return True
    return day <= as_of and (max_age_days is None or (as_of - day).days <= max_age_days)


def registry_path(regime: Regime) -> str:
    """The profile path of a registry's check date, as ``not_evaluated`` names it."""
    return f"registry_checks.{regime}.checked_on"


def filing_label(f: Filing) -> str:
    """How findings name a filing: its regime and number."""
    return f"{f.regime} {f.filing_number or '(no number)'}"


def in_sectors(sector: str, aliases: Iterable[str]) -> bool:
    """Whether a vertical's ``sector`` names one of ``aliases`` (substring match)."""
    return contains_any(sector, tuple(aliases))


def no_services() -> RuleResult:
    """The outcome of a rule about services when the profile lists none."""
    return not_evaluated("services", message="no services in the profile")
