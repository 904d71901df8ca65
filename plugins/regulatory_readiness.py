"""Regulatory readiness: how broad is the company's compliance footprint?

A built-in scorer plugin. The article's measure is breadth ("12 verticals
approved" against "2"): how many models and services are filed, how many sector
approvals are held and from which regulators, whether systems are protected at
MLPS level 3, whether personal information is audited, and which management
systems are certified. Hygiene (a late change, a missing label, an unresolved
penalty) is the rule packs' job, one rule per fact: the ``filings`` and
``ethics`` packs police it and their findings cap or deduct this dimension.
Every weight and band is overridable under ``[settings.regulatory_readiness]``;
every band and weight is house policy, anchored as the table says (``threshold rules
--parameters`` lists them with their reasons).

====================  ======  ==========================================  ======================
metric                weight  raw value                                   bands (house policy)
====================  ======  ==========================================  ======================
filed_models          25      CAC generative-AI filings and registrations  0→0, 1→60, 3→80,
                              in force (distinct models or services)       6→100 (one filing is
                                                                           the norm; breadth adds)
filed_algorithms      15      CAC algorithm and deep-synthesis filings     0→0, 1→60, 3→80, 6→100
                              in force
sector_approvals      25      sector-regulator approvals in force          0→0, 1→50, 4→75, 12→100
                              (distinct regulator and sector; the note     (the article's 2, 4
                              groups them by regulator)                    and 12 "verticals")
security_protection   10      systems at MLPS level 3 or above             0→0, 1→100
                              (Cybersecurity Law Art. 21; GB/T
                              22239-2019)
pi_audits             10      personal-information protection compliance  0→0, 1→100
                              audits on record (CAC Order No. 18, 2025)
certifications        15      management-system certifications in force   0→0, 1→60, 2→80, 3→100
                              (ISO/IEC 27001, 27701, 42001, ...)
====================  ======  ==========================================  ======================

No data (lower coverage, never a zero) when the section was not researched
(``filings``, ``sector_approvals``, ``compliance``, ``personal_information``
absent) and when nothing applies: no CAC record and no public PRC service of the
kind; no sector approval and every vertical exempt (or none listed). "Nothing
applies" never earns full marks: breadth is what the dimension measures.

In force means ``active`` or ``changed``: a record or approval that leaves its
``status`` out is not known to be in force and is not counted (its source is
still among the reading's). A service's ``kind`` left out is read as
``generative`` (``threshold_core.kit.kind_of``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attrs import field, frozen

from threshold_core import hookimpl
from threshold_core.kit import (
    ALGORITHM_REGIMES,
    GENAI_FILING_OR_REGISTRATION,
    IN_FORCE,
    Band,
    BandTable,
    Metric,
    MetricScorer,
    ReadingRow,
    fold,
    house_policy,
    kind_of,
    merged_bands,
    merged_weights,
    reading,
    replaced_by,
)
from threshold_core.model import CompanyProfile, Context, Regime, ServiceKind

NAME = DIMENSION = "regulatory_readiness"

WEIGHTS: Mapping[str, float] = {
    "filed_models": 25.0,
    "filed_algorithms": 15.0,
    "sector_approvals": 25.0,
    "security_protection": 10.0,
    "pi_audits": 10.0,
    "certifications": 15.0,
}

BANDS: Mapping[str, list[list[float]]] = {
    "filed_models": [[0, 0], [1, 60], [3, 80], [6, 100]],
    "filed_algorithms": [[0, 0], [1, 60], [3, 80], [6, 100]],
    "sector_approvals": [[0, 0], [1, 50], [4, 75], [12, 100]],
    "security_protection": [[0, 0], [1, 100]],
    "pi_audits": [[0, 0], [1, 100]],
    "certifications": [[0, 0], [1, 60], [2, 80], [3, 100]],
}


_FILINGS = "[settings.filings]"


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
    #: Bands as ``[[count, points], ...]`` (partial tables override the defaults).
    bands: dict[str, list[list[float]]] = field(factory=dict, converter=_bands)
    # Legal parameters live once, in the filings pack whose rules apply them.
    unattributed_filings_cover_all: Any = replaced_by(
        f"{_FILINGS}.unattributed_filings_cover_all")
    generative_needs_algorithm_filing: Any = replaced_by(
        f"{_FILINGS}.generative_needs_algorithm_filing")
    change_deadline_working_days: Any = replaced_by(
        f"{_FILINGS}.change_deadline_working_days")
    sector_revenue_threshold_pct: Any = replaced_by(f"{_FILINGS}.sector_revenue_floor_pct")
    enforcement_window_months: Any = replaced_by(f"{_FILINGS}.enforcement_lookback_months")
    ethics_min_members: Any = replaced_by(f"{_FILINGS}.committee_min_members")
    late_change_credit: Any = replaced_by(f"FIL-003 in {_FILINGS} (hygiene is the pack's)")
    resolved_penalty_points: Any = replaced_by(f"FIL-012 in {_FILINGS} (hygiene is the pack's)")
    summons_deduction: Any = replaced_by(f"FIL-012 in {_FILINGS} (hygiene is the pack's)")


DEFAULTS = RegulatoryReadinessSettings()


def _records(profile: CompanyProfile, regimes: frozenset[Regime]) -> list[str]:
    """Distinct records of ``regimes`` in force, named by number, else service, else regime."""
    seen: dict[str, None] = {}
    for f in profile.filings or ():
        if f.regime in regimes and f.status in IN_FORCE:
            seen.setdefault(f.filing_number or f.service or f"{f.regime} (company-level)")
    return list(seen)


def _record_sources(profile: CompanyProfile, regimes: frozenset[Regime]) -> tuple[str | None, ...]:
    """The source of every record of ``regimes`` read: in force, or left without its status
    (read, not counted; None for one without a source)."""
    return tuple(f.source for f in profile.filings or ()
                 if f.regime in regimes and (f.status is None or f.status in IN_FORCE))


def _filed_models(
    profile: CompanyProfile, _: Context, settings: RegulatoryReadinessSettings = DEFAULTS
) -> ReadingRow | None:
    if profile.filings is None:
        return None
    records = _records(profile, GENAI_FILING_OR_REGISTRATION)
    applies = any(s.public_prc and kind_of(s) is ServiceKind.GENERATIVE for s in profile.services)
    if not records and not applies:
        return None  # nothing applies: no data, never full marks
    return reading(float(len(records)), ("filings",),
                   sources=_record_sources(profile, GENAI_FILING_OR_REGISTRATION),
                   note=f"{len(records)} generative-AI filing(s) or registration(s) in force"
                   + (f": {', '.join(records)}" if records else ""))


def _filed_algorithms(
    profile: CompanyProfile, _: Context, settings: RegulatoryReadinessSettings = DEFAULTS
) -> ReadingRow | None:
    if profile.filings is None:
        return None
    records = _records(profile, ALGORITHM_REGIMES)
    # A service whose public_opinion is left out may need one (unknown, never false).
    applies = any(
        s.public_prc and (s.public_opinion is not False or kind_of(s) is not ServiceKind.GENERATIVE)
        for s in profile.services
    )
    if not records and not applies:
        return None
    return reading(float(len(records)), ("filings",),
                   sources=_record_sources(profile, ALGORITHM_REGIMES),
                   note=f"{len(records)} algorithm or deep-synthesis filing(s) in force")


def _sector_approvals(
    profile: CompanyProfile, _: Context, settings: RegulatoryReadinessSettings = DEFAULTS
) -> ReadingRow | None:
    if profile.sector_approvals is None:
        return None
    held = {(fold(a.regulator), fold(a.sector)): a
            for a in profile.sector_approvals if a.status in IN_FORCE}
    applies = any(v.exemption is None for v in profile.verticals)
    if not held and not applies:
        return None
    by_regulator: dict[str, list[str]] = {}
    for _key, a in sorted(held.items()):
        by_regulator.setdefault(a.regulator.strip(), []).append(a.sector)
    note = "; ".join(f"{r}: {', '.join(s)}" for r, s in by_regulator.items())
    unknown = tuple(a.source for a in profile.sector_approvals if a.status is None)
    return reading(float(len(held)), ("sector_approvals",),
                   sources=tuple(a.source for a in held.values()) + unknown,
                   note=f"{len(held)} approval(s) in force" + (f" ({note})" if note else ""))


def _security_protection(
    profile: CompanyProfile, _: Context, settings: RegulatoryReadinessSettings = DEFAULTS
) -> ReadingRow | None:
    c = profile.compliance
    if c is None or c.mlps_level3_systems is None:
        return None
    return reading(float(c.mlps_level3_systems), ("compliance.mlps_level3_systems",), c.source,
                   note=f"{c.mlps_level3_systems} system(s) at MLPS level 3 or above")


def _pi_audits(
    profile: CompanyProfile, _: Context, settings: RegulatoryReadinessSettings = DEFAULTS
) -> ReadingRow | None:
    pi = profile.personal_information
    if pi is None or pi.compliance_audits is None:
        return None
    audits = sorted(pi.compliance_audits)
    return reading(float(len(audits)), ("personal_information.compliance_audits",), pi.source,
                   note=f"{len(audits)} compliance audit(s)"
                   + (f", latest {audits[-1]}" if audits else ""))


def _certifications(
    profile: CompanyProfile, context: Context, settings: RegulatoryReadinessSettings = DEFAULTS
) -> ReadingRow | None:
    c = profile.compliance
    if c is None or c.certifications is None:
        return None
    valid = [x.standard for x in c.certifications
             if x.valid_until is None or context.as_of is None or x.valid_until >= context.as_of]
    return reading(float(len(valid)), ("compliance.certifications",), c.source,
                   note=f"{len(valid)} certification(s) in force"
                   + (f": {', '.join(valid)}" if valid else ""))


SCORER = MetricScorer(
    name=NAME,
    dimension=DIMENSION,
    metrics=(
        Metric("filed_models", _filed_models, ("filings", "services"),
               source=house_policy("one filing 60, six 100")),
        Metric("filed_algorithms", _filed_algorithms, ("filings", "services"),
               source=house_policy("one filing 60, six 100")),
        Metric("sector_approvals", _sector_approvals, ("sector_approvals", "verticals"),
               source=house_policy("the seed article's 2, 4, 12 verticals as anchors")),
        Metric("security_protection", _security_protection,
               ("compliance.mlps_level3_systems",),
               source=house_policy("one MLPS level-3 system gives 100")),
        Metric("pi_audits", _pi_audits, ("personal_information.compliance_audits",),
               source=house_policy("one audit on record gives 100")),
        Metric("certifications", _certifications, ("compliance.certifications",),
               source=house_policy("each certification adds, to 3")),
    ),
    directions={m: "higher" for m in WEIGHTS},
    weights_source=house_policy("breadth, not research §6.3's hygiene checklist"),
)


@hookimpl
def threshold_register_scorers(register: Any) -> None:
    register(SCORER)


@hookimpl
def threshold_settings_types() -> dict[str, type]:
    return {NAME: RegulatoryReadinessSettings}
