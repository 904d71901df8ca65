"""Regulatory readiness: is the company filed, labelled and clean under China's AI rules?

A built-in scorer plugin: the checklist of research §6.3 turned into metrics.
Each check gives 0-100 *checklist points* (the raw value), which a band then
maps to the metric's points; the default bands are the identity
(``[[0, 0], [100, 100]]``), so the raw points are the score. Every weight, band
and tunable is overridable under ``[settings.regulatory_readiness]``.

===================  ======  ===============================================  ===================
metric               weight  checklist points (raw)                           source
===================  ======  ===============================================  ===================
genai_filing         30      % of public-facing PRC generative services       Interim Measures
                             covered by a ``CAC_GENAI_FILING`` in force       Art. 17; research
                             (API-based services: a                           §1.1
                             ``CAC_GENAI_REGISTRATION`` also counts)
algorithm_filing     15      % of public-opinion services (algorithm,         Algorithm
                             deep-synthesis, and generative when              provisions Art. 24;
                             ``generative_needs_algorithm_filing``) covered   Deep Synthesis
                             by a ``CAC_ALGORITHM`` or                        Art. 19; GenAI
                             ``CAC_DEEP_SYNTHESIS`` record; a change filed    Measures Art. 17
                             more than ``change_deadline_working_days``
                             late earns ``late_change_credit`` of a service
disclosure           5       % of CAC records in force shown on the product   CAC notices
                             (of those where ``displayed_on_product`` is
                             known)
labeling             10      explicit labels 50 + implicit metadata 50        Labeling Measures,
                                                                              GB 45438-2025
security_assessment  10      corpus blacklist, keyword library, refusal       TC260-003,
                             test banks: 100 / 3 each (unknown counts as      GB/T 45654-2025
                             no evidence)
sector_approvals     15      % of verticals with revenue share >=             NMPA, NHC, NFRA;
                             ``sector_revenue_threshold_pct`` covered by an   research §1.4
                             ``sector_approvals`` record of that sector in
                             force or a documented ``exemption``
enforcement          10      100; 0 with an unresolved penalty or app         CSL amendment;
                             removal in the window, else                      research §6.3
                             ``resolved_penalty_points`` with a resolved
                             one; minus ``summons_deduction`` per summons
                             or unresolved rectification (floor 0)
ethics_governance    5       committee of >= ``ethics_min_members``: 60 (a    MOST 2023 measures;
                             smaller or unsized committee: 30); expert        MIIT 2026 guideline
                             re-review: 40 when the activity is on the
                             re-review list (public-opinion service or
                             decision-support vertical) and it was done,
                             or when nothing is on the list
===================  ======  ===============================================  ===================

What counts as data ("no data" lowers coverage; it never scores zero):

* Filings are read as the ``filings`` rule pack reads them. A filing is *in
  force* when its status is ``active`` or ``changed``. It *covers* a service
  when it is of the right regime and its ``service`` names the service or the
  model the service runs (``services[].model``; case, spaces and punctuation
  ignored; either name may contain the other). A filing without ``service`` is
  a company-level record that covers every service, unless
  ``unattributed_filings_cover_all = false``.
* ``genai_filing`` and ``algorithm_filing``: with ``services`` listed, a check
  whose services need nothing (no public-facing PRC service of the kind) passes
  with 100 points. With no ``services`` listed but filings on record, a record
  of the regime in force counts as 100 (the profile does not say what it should
  cover); without one, and with neither services nor filings, there is no data.
* ``enforcement``: absent means not researched (no data); ``enforcement = []``
  is a clean record (100). The
  window is ``enforcement_window_months`` back from the evaluation date
  (``context.as_of``); without one, every action counts.
* ``disclosure``, ``labeling``, ``security_assessment``, ``ethics_governance``:
  no data when their section (or every ``displayed_on_product``) is missing.
* ``sector_approvals``: no data without ``verticals`` with a known revenue
  share; 100 when none reaches the threshold.
* Working days for the change deadline count Monday to Friday; public
  holidays are ignored.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from attrs import field, frozen
from attrs.validators import ge, le

from threshold_core import hookimpl
from threshold_core.kit import (
    Band,
    BandTable,
    Metric,
    MetricScorer,
    Reading,
    merged_bands,
    merged_weights,
    names_match,
    normalise,
)
from threshold_core.model import (
    CompanyProfile,
    Context,
    EnforcementAction,
    Filing,
    FilingStatus,
    Regime,
    Service,
    ServiceKind,
)

NAME = DIMENSION = "regulatory_readiness"

WEIGHTS: Mapping[str, float] = {
    "genai_filing": 30.0,
    "algorithm_filing": 15.0,
    "disclosure": 5.0,
    "labeling": 10.0,
    "security_assessment": 10.0,
    "sector_approvals": 15.0,
    "enforcement": 10.0,
    "ethics_governance": 5.0,
}

BANDS: Mapping[str, list[list[float]]] = {name: [[0, 0], [100, 100]] for name in WEIGHTS}

GENAI_REGIMES = frozenset({Regime.CAC_GENAI_FILING})
GENAI_API_REGIMES = frozenset({Regime.CAC_GENAI_FILING, Regime.CAC_GENAI_REGISTRATION})
ALGORITHM_REGIMES = frozenset({Regime.CAC_ALGORITHM, Regime.CAC_DEEP_SYNTHESIS})
CAC_REGIMES = GENAI_API_REGIMES | ALGORITHM_REGIMES
IN_FORCE = frozenset({FilingStatus.ACTIVE, FilingStatus.CHANGED})

#: Ethics checklist points: a sized committee, half for an unsized one, and the re-review.
COMMITTEE_POINTS = 60.0
REREVIEW_POINTS = 40.0


def _weights(given: Mapping[str, float]) -> dict[str, float]:
    """Converter of ``weights``: the given weights over :data:`WEIGHTS`."""
    return merged_weights(WEIGHTS)(given)


def _bands(given: BandTable) -> dict[str, Band]:
    """Converter of ``bands``: the given bands over :data:`BANDS`."""
    return merged_bands(BANDS)(given)


@frozen
class RegulatoryReadinessSettings:
    """``[settings.regulatory_readiness]``."""

    #: Metric weights inside the dimension (partial tables override the defaults).
    weights: dict[str, float] = field(factory=dict, converter=_weights)
    #: Bands as ``[[checklist points, points], ...]`` (partial tables override the defaults).
    bands: dict[str, list[list[float]]] = field(factory=dict, converter=_bands)
    #: A filing without ``service`` covers every service (a company-level record).
    unattributed_filings_cover_all: bool = True
    #: Generative services with public-opinion attributes also need an algorithm
    #: (deep-synthesis) filing: the "double filing" (GenAI Interim Measures Art. 17).
    generative_needs_algorithm_filing: bool = True
    #: Working days allowed between a material change and its filing (Art. 24).
    change_deadline_working_days: int = field(default=10, validator=ge(0))
    #: Share of a service's credit kept when its change was filed late (0-1).
    late_change_credit: float = field(default=0.5, validator=[ge(0.0), le(1.0)])
    #: A vertical with at least this revenue share needs a sector approval or exemption.
    sector_revenue_threshold_pct: float = field(default=10.0, validator=[ge(0.0), le(100.0)])
    #: How far back enforcement actions count, from the evaluation date.
    enforcement_window_months: int = field(default=24, validator=ge(1))
    #: Enforcement points when every penalty or app removal in the window is resolved.
    resolved_penalty_points: float = field(default=50.0, validator=[ge(0.0), le(100.0)])
    #: Enforcement points deducted per summons or unresolved rectification (research: -5 of 10).
    summons_deduction: float = field(default=50.0, validator=[ge(0.0), le(100.0)])
    #: Members an ethics committee needs for full credit.
    ethics_min_members: int = field(default=5, validator=ge(1))


DEFAULTS = RegulatoryReadinessSettings()


# -- helpers -------------------------------------------------------------------------


def _in_force(filing: Filing, regimes: Collection[Regime]) -> bool:
    return filing.regime in regimes and filing.status in IN_FORCE


def _covers(
    filing: Filing, service: Service, regimes: Collection[Regime],
    settings: RegulatoryReadinessSettings,
) -> bool:
    if not _in_force(filing, regimes):
        return False
    if filing.service is None:
        return settings.unattributed_filings_cover_all
    return names_match(filing.service, service.name) or (
        service.model is not None and names_match(filing.service, service.model)
    )


def _working_days_between(start: date, end: date) -> int:
    """Monday-to-Friday days after ``start`` up to and including ``end``."""
    days = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days += 1
    return days


def _months_before(day: date, months: int) -> date:
    total = day.year * 12 + (day.month - 1) - months
    year, month = divmod(total, 12)
    month += 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def _coverage_note(covered: float, needed: Sequence[Service], uncovered: Sequence[str]) -> str:
    note = f"{covered:g} of {len(needed)} service(s) covered"
    if uncovered:
        note += f"; not covered: {', '.join(uncovered)}"
    return note


def _unlisted_services(
    profile: CompanyProfile, regimes: Collection[Regime], path: tuple[str, ...]
) -> Reading | None:
    """No ``services`` listed: a record of the regime in force counts, else no data."""
    records = [f for f in profile.filings or () if _in_force(f, regimes)]
    if not records:
        return None
    return Reading(
        100.0, path, records[0].source,
        note=f"no services listed; {len(records)} record(s) in force counted as covering",
    )


# -- readers -------------------------------------------------------------------------

GENAI_PATHS = ("services", "filings")


def _genai_filing(
    profile: CompanyProfile, _: Context, settings: RegulatoryReadinessSettings = DEFAULTS
) -> Reading | None:
    if not profile.services:
        return _unlisted_services(profile, GENAI_API_REGIMES, GENAI_PATHS)
    needed = [s for s in profile.services if s.public_prc and s.kind is ServiceKind.GENERATIVE]
    if not needed:
        return Reading(100.0, GENAI_PATHS, note="no public-facing PRC generative service")
    if profile.filings is None:
        return None  # not researched: no data, not zero
    uncovered = [
        s.name for s in needed
        if not any(
            _covers(f, s, GENAI_API_REGIMES if s.api_based else GENAI_REGIMES, settings)
            for f in profile.filings
        )
    ]
    covered = len(needed) - len(uncovered)
    return Reading(
        100.0 * covered / len(needed), GENAI_PATHS,
        note=_coverage_note(covered, needed, uncovered),
    )


def _needs_algorithm_filing(service: Service, settings: RegulatoryReadinessSettings) -> bool:
    if not (service.public_prc and service.public_opinion):
        return False
    if service.kind is ServiceKind.GENERATIVE:
        return settings.generative_needs_algorithm_filing
    return True


def _algorithm_filing(
    profile: CompanyProfile, _: Context, settings: RegulatoryReadinessSettings = DEFAULTS
) -> Reading | None:
    if not profile.services:
        return _unlisted_services(profile, ALGORITHM_REGIMES, GENAI_PATHS)
    needed = [s for s in profile.services if _needs_algorithm_filing(s, settings)]
    if not needed:
        return Reading(
            100.0, GENAI_PATHS, note="no public-opinion service needs an algorithm filing"
        )
    if profile.filings is None:
        return None  # not researched: no data, not zero
    covered = 0.0
    uncovered: list[str] = []
    late: list[str] = []
    for service in needed:
        records = [
            f for f in profile.filings if _covers(f, service, ALGORITHM_REGIMES, settings)
        ]
        if not records:
            uncovered.append(service.name)
        elif any(_late_change(f, settings) for f in records):
            late.append(service.name)
            covered += settings.late_change_credit
        else:
            covered += 1.0
    note = _coverage_note(covered, needed, uncovered)
    if late:
        note += (
            f"; change filed more than {settings.change_deadline_working_days} working days "
            f"late: {', '.join(late)}"
        )
    return Reading(100.0 * covered / len(needed), GENAI_PATHS, note=note)


def _late_change(filing: Filing, settings: RegulatoryReadinessSettings) -> bool:
    if filing.material_change_date is None or filing.change_filed_date is None:
        return False
    gap = _working_days_between(filing.material_change_date, filing.change_filed_date)
    return gap > settings.change_deadline_working_days


def _disclosure(
    profile: CompanyProfile, _: Context, settings: RegulatoryReadinessSettings = DEFAULTS
) -> Reading | None:
    known = [
        f for f in profile.filings or ()
        if _in_force(f, CAC_REGIMES) and f.displayed_on_product is not None
    ]
    if not known:
        return None
    shown = sum(bool(f.displayed_on_product) for f in known)
    return Reading(
        100.0 * shown / len(known), ("filings.displayed_on_product",),
        note=f"{shown} of {len(known)} CAC record(s) in force displayed on the product",
    )


def _labeling(
    profile: CompanyProfile, _: Context, settings: RegulatoryReadinessSettings = DEFAULTS
) -> Reading | None:
    lab = profile.content_labeling
    if lab is None:
        return None
    value = 50.0 * lab.explicit + 50.0 * lab.implicit_metadata
    parts = [name for name, ok in (("explicit", lab.explicit), ("implicit", lab.implicit_metadata))
             if ok]
    return Reading(
        value, ("content_labeling.explicit", "content_labeling.implicit_metadata"), lab.source,
        note=f"labels: {', '.join(parts) or 'none'}",
    )


def _security_assessment(
    profile: CompanyProfile, _: Context, settings: RegulatoryReadinessSettings = DEFAULTS
) -> Reading | None:
    sa = profile.security_assessment
    if sa is None:
        return None
    items = {
        "corpus blacklist": sa.corpus_blacklist,
        "keyword library": sa.keyword_library,
        "refusal test banks": sa.refusal_test_banks,
    }
    evidenced = [k for k, v in items.items() if v]
    return Reading(
        100.0 * len(evidenced) / len(items), ("security_assessment",), sa.source,
        note=f"evidence: {', '.join(evidenced) or 'none'}",
    )


def _sector_approvals(
    profile: CompanyProfile, _: Context, settings: RegulatoryReadinessSettings = DEFAULTS
) -> Reading | None:
    known = [v for v in profile.verticals if v.revenue_share_pct is not None]
    if not known:
        return None
    paths = ("verticals", "sector_approvals")
    threshold = settings.sector_revenue_threshold_pct
    needed = [v for v in known if v.revenue_share_pct is not None
              and v.revenue_share_pct >= threshold]
    if not needed:
        return Reading(100.0, paths, note=f"no vertical reaches {threshold:g}% of revenue")
    if profile.sector_approvals is None and any(v.exemption is None for v in needed):
        return None  # approvals not researched: no data, not zero
    approved = {normalise(a.sector) for a in profile.sector_approvals or ()
                if a.status in IN_FORCE}
    uncovered = [v.sector for v in needed
                 if v.exemption is None and normalise(v.sector) not in approved]
    covered = len(needed) - len(uncovered)
    note = f"{covered} of {len(needed)} vertical(s) >= {threshold:g}% of revenue covered"
    if uncovered:
        note += f"; no approval or exemption: {', '.join(uncovered)}"
    return Reading(100.0 * covered / len(needed), paths, note=note)


def _enforcement(
    profile: CompanyProfile, context: Context,
    settings: RegulatoryReadinessSettings = DEFAULTS,
) -> Reading | None:
    paths = ("enforcement",)
    if profile.enforcement is None:
        return None
    if not profile.enforcement:
        return Reading(100.0, paths, note="no enforcement action on record")
    as_of = context.as_of
    since = _months_before(as_of, settings.enforcement_window_months) if as_of else None
    actions = [
        e for e in profile.enforcement
        if (since is None or e.action_date >= since) and (as_of is None or e.action_date <= as_of)
    ]
    severe = [e for e in actions
              if e.action in (EnforcementAction.PENALTY, EnforcementAction.APP_REMOVAL)]
    minor = [e for e in actions
             if e.action is EnforcementAction.SUMMONS
             or (e.action is EnforcementAction.RECTIFICATION and not e.resolved)]
    notes = []
    if any(not e.resolved for e in severe):
        points = 0.0
        notes.append("unresolved penalty or app removal")
    elif severe:
        points = settings.resolved_penalty_points
        notes.append(f"{len(severe)} resolved penalty or app removal")
    else:
        points = 100.0
    if minor:
        points = max(0.0, points - settings.summons_deduction * len(minor))
        notes.append(f"{len(minor)} summons or open rectification")
    window = f"in the {settings.enforcement_window_months} months to {as_of}" if as_of else "ever"
    return Reading(
        points, paths, note=f"{'; '.join(notes) or 'no action'} {window}",
    )


def _on_rereview_list(profile: CompanyProfile) -> bool:
    return any(s.public_opinion for s in profile.services) or any(
        v.decision_support for v in profile.verticals
    )


def _ethics_governance(
    profile: CompanyProfile, _: Context, settings: RegulatoryReadinessSettings = DEFAULTS
) -> Reading | None:
    eg = profile.ethics_governance
    if eg is None:
        return None
    notes = []
    points = 0.0
    if eg.committee and eg.members is not None and eg.members >= settings.ethics_min_members:
        points += COMMITTEE_POINTS
        notes.append(f"committee of {eg.members}")
    elif eg.committee:
        points += COMMITTEE_POINTS / 2
        notes.append(
            f"committee below {settings.ethics_min_members} members or of unknown size"
        )
    else:
        notes.append("no ethics committee")
    if not _on_rereview_list(profile):
        points += REREVIEW_POINTS
        notes.append("no activity on the expert re-review list")
    elif eg.expert_rereview_done:
        points += REREVIEW_POINTS
        notes.append("expert re-review done")
    else:
        notes.append("expert re-review needed, not on record")
    return Reading(
        points, ("ethics_governance", "services.public_opinion", "verticals.decision_support"),
        eg.source, note="; ".join(notes),
    )


# -- the scorer ----------------------------------------------------------------------


SCORER = MetricScorer(
    name=NAME,
    dimension=DIMENSION,
    metrics=(
        Metric("genai_filing", _genai_filing, GENAI_PATHS),
        Metric("algorithm_filing", _algorithm_filing, GENAI_PATHS),
        Metric("disclosure", _disclosure, ("filings.displayed_on_product",)),
        Metric(
            "labeling", _labeling,
            ("content_labeling.explicit", "content_labeling.implicit_metadata"),
        ),
        Metric("security_assessment", _security_assessment, ("security_assessment",)),
        Metric("sector_approvals", _sector_approvals, ("verticals", "sector_approvals")),
        Metric("enforcement", _enforcement, ("enforcement",)),
        Metric(
            "ethics_governance", _ethics_governance,
            ("ethics_governance", "services.public_opinion", "verticals.decision_support"),
        ),
    ),
    directions={m: "higher" for m in WEIGHTS},
)


@hookimpl
def threshold_register_scorers(register: Any) -> None:
    register(SCORER)


@hookimpl
def threshold_settings_types() -> dict[str, type]:
    return {NAME: RegulatoryReadinessSettings}
