"""Technical defensibility: can the company prove, not promise, its technical edge?

A built-in scorer plugin. Each metric maps a raw figure to 0-100 points through
a fixed piecewise-linear band (interpolated between anchors, clamped outside).
Every weight, band and parameter is overridable under
``[settings.technical_defensibility]``; ``threshold rules --parameters`` lists
them with their sources, and each metric's evidence names its band's source.

=====================  ======  =============================================  ====================
metric                 weight  band (raw -> points)                           source of the band
=====================  ======  =============================================  ====================
reproduced_benchmarks  20      % of benchmark claims a third party            research §6.1, §4.5
                               reproduced (within ``reproduction_tolerance_
                               pts``): 0->0, 50->50, 80->100
claim_evidence         10      mean grade of who stands behind each claim:    house policy
                               press 1, self 2, independent 3:
                               1->20, 2->50, 3->100
capability_rank        25      percentile among Chinese model vendors on a    research §6.1
                               named leaderboard: 0->0, 100->100
data_moat              20      exclusivity-weighted data assets (exclusive    research §6.1
                               1, licensed 0.5, public 0): 0->0, 1->50,
                               3->100; at most 60 when every asset is
                               self-reported
cadence                10      major releases in the trailing 12 months:      research §6.1
                               0->0, 1->50, 3->100 (no open-weights bonus
                               by default)
rnd_spend              15      R&D expense, CNY bn, on a log10 scale:         house policy
                               0.1->0, 1->50, 10->100
=====================  ======  =============================================  ====================

Weights: research §6.1 gives 30 / 25 / 20 / 10 / 15; its 30 for reproducible
benchmarks is split here into 20 for reproduction and 10 for who made the claim
(house policy).

- **reproduced_benchmarks** reads the claims whose reproduction is known: a
  ``reproduction`` record (an independent party's own run; reproduced when its
  score is within ``reproduction_tolerance_pts`` of the claim, research §6.1:
  ±2 points) or, without one, the ``independently_reproduced`` flag. With no
  claim checked it has no data (never a better score); once one is, a claim
  nobody is said to have checked counts as not reproduced (the least
  favourable: leaving a failed reproduction out never raises the share).
- **claim_evidence** grades who stands behind each claim: a press report
  (``claimed_by = "press"``) counts less than the company's own model card or
  report (``"self"``), which counts less than an independent evaluation
  (``"third_party"``); a claim whose ``claimed_by`` is left out counts as a
  press report (unknown, never the company's own). No claims: no data.
- **rnd_spend** replaces R&D intensity (R&D / revenue), which rewarded a small
  revenue without bound (705% scored 100): absolute spend, converted to CNY with
  the FX table, interpolated on log10 of the amount, so each tenfold step in
  spend is worth 50 points.
- **cadence** gives no open-weights bonus by default: the seed article calls
  open weights commoditising ("The Open-Source Paradox"). ``open_weights_bonus``
  re-enables one (points added when any model has open weights, capped at 100).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attrs import field, frozen

from threshold_core import hookimpl
from threshold_core.kit import (
    Band,
    BandTable,
    Metric,
    MetricScorer,
    Parameter,
    Reading,
    ReadingRow,
    house_policy,
    merged_bands,
    merged_weights,
    non_negative,
    reading,
    secondary,
)
from threshold_core.model import (
    BenchmarkClaim,
    ClaimedBy,
    CompanyProfile,
    Context,
    Exclusivity,
    financials_currency,
    format_against,
    format_cutoff,
)

NAME = DIMENSION = "technical_defensibility"

WEIGHTS: Mapping[str, float] = {
    "reproduced_benchmarks": 20.0,
    "claim_evidence": 10.0,
    "capability_rank": 25.0,
    "data_moat": 20.0,
    "cadence": 10.0,
    "rnd_spend": 15.0,
}

BANDS: Mapping[str, list[list[float]]] = {
    "reproduced_benchmarks": [[0, 0], [50, 50], [80, 100]],
    "claim_evidence": [[1, 20], [2, 50], [3, 100]],
    "capability_rank": [[0, 0], [100, 100]],
    "data_moat": [[0, 0], [1, 50], [3, 100]],
    "cadence": [[0, 0], [1, 50], [3, 100]],
    "rnd_spend": [[0.1, 0], [1, 50], [10, 100]],
}

#: The raw grade of each kind of claimant: a press report, the company, an independent party.
CLAIM_GRADE: Mapping[ClaimedBy, float] = {
    ClaimedBy.PRESS: 1.0, ClaimedBy.SELF: 2.0, ClaimedBy.THIRD_PARTY: 3.0,
}

EXCLUSIVITY_WEIGHT = {
    Exclusivity.EXCLUSIVE: 1.0, Exclusivity.LICENSED: 0.5, Exclusivity.PUBLIC: 0.0,
}

#: Metrics renamed by issue 16: a configuration naming the old one gets an error naming the new.
RENAMED = {"rnd_intensity": "rnd_spend (R&D expense in CNY bn on a log10 scale)"}



def _weights(given: Mapping[str, float]) -> dict[str, float]:
    """Converter of ``weights``: the given weights over :data:`WEIGHTS`."""
    return merged_weights(WEIGHTS, renamed=RENAMED)(given)


def _bands(given: BandTable) -> dict[str, Band]:
    """Converter of ``bands``: the given bands over :data:`BANDS` (``rnd_spend`` on log10)."""
    return merged_bands(BANDS, log=("rnd_spend",), renamed=RENAMED)(given)


@frozen
class TechnicalDefensibilitySettings:
    """``[settings.technical_defensibility]``."""

    #: Metric weights inside the dimension (partial tables override the defaults).
    weights: dict[str, float] = field(factory=dict, converter=_weights)
    #: Bands as ``[[raw, points], ...]`` (partial tables override the defaults). The
    #: ``rnd_spend`` anchors are in CNY bn and interpolated on log10, so they must be above 0.
    bands: dict[str, list[list[float]]] = field(factory=dict, converter=_bands)
    #: Points ceiling of ``data_moat`` when every asset is self-reported.
    self_reported_cap: float = field(default=60.0, validator=non_negative)
    #: Points added to ``cadence`` when a model has open weights (0: no bonus).
    open_weights_bonus: float = field(default=0.0, validator=non_negative)
    #: A reproduction within this many points of the claimed score reproduces it.
    reproduction_tolerance_pts: float = field(default=2.0, validator=non_negative)


def _reproduced_flag(claim: BenchmarkClaim, tolerance: float) -> bool | None:
    """Whether a third party reproduced the claim; None when nobody checked."""
    rep = claim.reproduction
    if rep is not None:
        return abs(rep.score - claim.score) <= tolerance
    return claim.independently_reproduced


def _reproduced(profile: CompanyProfile, _: Context, settings: Any) -> ReadingRow | None:
    tech = profile.technology
    if tech is None:
        return None
    tol = settings.reproduction_tolerance_pts
    known = [(c, f) for c in tech.benchmark_claims
             if (f := _reproduced_flag(c, tol)) is not None]
    if not known:
        return None
    # A claim nobody is said to have checked counts as not reproduced (the least favourable),
    # so leaving a failed reproduction out never raises the share.
    hits = sum(f for _, f in known)
    unchecked = len(tech.benchmark_claims) - len(known)
    runs = [c.reproduction for c, _ in known if c.reproduction is not None]
    by = sorted({r.by for r in runs})
    note = f"{hits} of {len(tech.benchmark_claims)} claims reproduced by a third party"
    if unchecked:
        note += f" ({unchecked} unchecked, counted as not reproduced)"
    if runs:
        note += f" (runs by {', '.join(by)}; within {format_cutoff(tol)} points)"
    return reading(
        100.0 * hits / len(tech.benchmark_claims), ("technology.benchmark_claims",),
        tech.source, note=note,
        sources=tuple(r.source for r in runs),
    )


def _claim_evidence(profile: CompanyProfile, _: Context, _settings: Any) -> ReadingRow | None:
    tech = profile.technology
    if tech is None or not tech.benchmark_claims:
        return None
    claims = tech.benchmark_claims
    # A claimant left out is unknown: counted as the least credible (a press report).
    grade = sum(CLAIM_GRADE[c.claimed_by or ClaimedBy.PRESS] for c in claims) / len(claims)
    counts = {k: sum(c.claimed_by is k for c in claims) for k in CLAIM_GRADE}
    said = ", ".join(f"{n} {k}" for k, n in counts.items() if n)
    if unsaid := sum(c.claimed_by is None for c in claims):
        said += f"{', ' if said else ''}{unsaid} unknown (counted as press)"
    return reading(
        grade, ("technology.benchmark_claims",), tech.source,
        note=f"claims: {said} (press 1, self 2, third_party 3)",
        sources=tuple(c.source for c in claims),
    )


def _capability(profile: CompanyProfile, _: Context, _settings: Any = None) -> ReadingRow | None:
    tech = profile.technology
    if tech is None or tech.capability_percentile is None:
        return None
    fig = tech.capability_percentile
    note = f"leaderboard: {tech.capability_leaderboard}" if tech.capability_leaderboard else None
    return reading(fig.value, ("technology.capability_percentile",), fig.source, note)


def _data_moat(profile: CompanyProfile, _: Context, _settings: Any = None) -> ReadingRow | None:
    tech = profile.technology
    if tech is None or not tech.data_assets:
        return None
    value = sum(EXCLUSIVITY_WEIGHT[a.exclusivity] for a in tech.data_assets)
    all_self = all(a.self_reported for a in tech.data_assets)
    return reading(
        value, ("technology.data_assets",), tech.source,
        note="self-reported only" if all_self else None,
    )


def _cadence(profile: CompanyProfile, _: Context, _settings: Any = None) -> ReadingRow | None:
    tech = profile.technology
    if tech is None or tech.releases_12m is None:
        return None
    return reading(tech.releases_12m.value, ("technology.releases_12m",), tech.releases_12m.source)


def _rnd_spend(profile: CompanyProfile, context: Context, _settings: Any) -> ReadingRow | None:
    fin = profile.financials
    if fin is None or fin.rnd_expense is None:
        return None
    currency = financials_currency(fin)
    cny = context.fx.to_cny(fin.rnd_expense.value, currency)
    own = ("" if currency.upper() == "CNY"
           else f" ({format_against(fin.rnd_expense.value, (), 0)} {currency})")
    return reading(
        cny / 1e9, ("financials.rnd_expense", "financials.currency"),
        fin.rnd_expense.source or fin.source,
        note=f"R&D expense, CNY bn{own}",
    )


def _cap_self_reported(
    points: float, reading: Reading, profile: CompanyProfile, settings: Any
) -> tuple[float, str | None]:
    assets = profile.technology.data_assets if profile.technology else ()
    if assets and all(a.self_reported for a in assets) and points > settings.self_reported_cap:
        cap = settings.self_reported_cap
        return cap, f"capped at {format_cutoff(cap)} (self-reported)"
    return points, None


def _self_reported_least(settings: Any) -> float:
    """The fewest points ``data_moat`` can give: its cap may sit below its band's lowest."""
    return float(settings.self_reported_cap)


def _open_weights_bonus(
    points: float, reading: Reading, profile: CompanyProfile, settings: Any
) -> tuple[float, str | None]:
    models = profile.technology.models if profile.technology else ()
    bonus = settings.open_weights_bonus
    if bonus > 0 and any(m.open_weights for m in models):
        return min(100.0, points + bonus), f"+{bonus:g} for open weights"
    return points, None


RESEARCH = "domain-research §6.1"

#: Research §6.1 weighs reproducible benchmarks 30; the split is ours.
BENCHMARK_SPLIT = house_policy("research §6.1's 30 for benchmarks, split 20 + 10")

SCORER = MetricScorer(
    name=NAME,
    dimension=DIMENSION,
    metrics=(
        Metric("reproduced_benchmarks", _reproduced, ("technology.benchmark_claims",),
               source=secondary(f"{RESEARCH}, §4.5"), weight_source=BENCHMARK_SPLIT),
        Metric("claim_evidence", _claim_evidence, ("technology.benchmark_claims",),
               source=house_policy("press < self < independent"),
               weight_source=BENCHMARK_SPLIT),
        Metric("capability_rank", _capability, ("technology.capability_percentile",),
               source=secondary(RESEARCH)),
        Metric("data_moat", _data_moat, ("technology.data_assets",), _cap_self_reported,
               source=secondary(RESEARCH), least=_self_reported_least),
        Metric("cadence", _cadence, ("technology.releases_12m", "technology.models"),
               _open_weights_bonus, source=secondary(RESEARCH)),
        Metric("rnd_spend", _rnd_spend, ("financials.rnd_expense",),
               source=house_policy("50 points per tenfold R&D spend")),
    ),
    directions={m: "higher" for m in WEIGHTS},
    weights_source=secondary(RESEARCH),
    parameters=(
        Parameter("self_reported_cap", secondary(f"{RESEARCH}: self-reported data capped at 60"),
                  "points ceiling of data_moat when every data asset is self-reported"),
        Parameter("open_weights_bonus",
                  house_policy("no bonus by default: the seed article ('The Open-Source "
                               "Paradox') calls open weights commoditising; research "
                               "§6.1 proposed +10"),
                  "points added to cadence when a model has open weights"),
        Parameter("reproduction_tolerance_pts",
                  secondary(f"{RESEARCH}: reproduced 'within ±2 pts'"),
                  "a third party's score within this many points reproduces a claim"),
    ),
)


@hookimpl
def threshold_register_scorers(register: Any) -> None:
    register(SCORER)


@hookimpl
def threshold_settings_types() -> dict[str, type]:
    return {NAME: TechnicalDefensibilitySettings}
