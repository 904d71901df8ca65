"""What the filings rules share: the regimes, when a filing is in force and whom it
covers, and the date arithmetic of deadlines and look-back windows."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, timedelta

from threshold_core.kit import names_match, normalise, not_evaluated
from threshold_core.model import (
    CompanyProfile,
    Filing,
    FilingStatus,
    Regime,
    RuleOutcome,
    Service,
    ServiceKind,
)
from threshold_rules.filings.settings import FilingsSettings

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


def filing_label(f: Filing) -> str:
    """How findings name a filing: its regime and number."""
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


def no_services() -> RuleOutcome:
    """The outcome of a rule about services when the profile lists none."""
    return not_evaluated("services", message="no services in the profile")
