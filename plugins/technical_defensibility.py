"""Technical defensibility: can the company prove, not promise, its technical edge?

A built-in scorer plugin. Each metric maps a raw figure to 0-100 points through
a fixed piecewise-linear band (interpolated between anchors, clamped outside).
Every weight and band is overridable under ``[settings.technical_defensibility]``.

=====================  ======  =============================================  ====================
metric                 weight  band (raw -> points)                           source of the band
=====================  ======  =============================================  ====================
reproduced_benchmarks  30      % of headline claims independently             research §6.1;
                               reproduced: 0->0, 50->50, 80->100              OpenCompass practice
capability_rank        25      percentile among Chinese model vendors on a    research §6.1
                               named leaderboard: 0->0, 100->100              (SuperCLUE, C-Eval,
                                                                              LMArena)
data_moat              20      exclusivity-weighted data assets (exclusive    research §6.1
                               1, licensed 0.5, public 0): 0->0, 1->50,
                               3->100; at most 60 when every asset is
                               self-reported
cadence                10      major releases in the trailing 12 months:      research §6.1
                               0->0, 1->50, 3->100; +10 with open weights
rnd_intensity          15      R&D expense / revenue, %: 10->0, 30->100       research §6.1
                               (capped: loss-making labs run 300%+)           (benefit capped at
                                                                              100 points)
=====================  ======  =============================================  ====================
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
    Reading,
    merged_bands,
    merged_weights,
)
from threshold_core.model import CompanyProfile, Context, Exclusivity

NAME = DIMENSION = "technical_defensibility"

WEIGHTS: Mapping[str, float] = {
    "reproduced_benchmarks": 30.0,
    "capability_rank": 25.0,
    "data_moat": 20.0,
    "cadence": 10.0,
    "rnd_intensity": 15.0,
}

BANDS: Mapping[str, list[list[float]]] = {
    "reproduced_benchmarks": [[0, 0], [50, 50], [80, 100]],
    "capability_rank": [[0, 0], [100, 100]],
    "data_moat": [[0, 0], [1, 50], [3, 100]],
    "cadence": [[0, 0], [1, 50], [3, 100]],
    "rnd_intensity": [[10, 0], [30, 100]],
}

EXCLUSIVITY_WEIGHT = {
    Exclusivity.EXCLUSIVE: 1.0, Exclusivity.LICENSED: 0.5, Exclusivity.PUBLIC: 0.0,
}


def _weights(given: Mapping[str, float]) -> dict[str, float]:
    """Converter of ``weights``: the given weights over :data:`WEIGHTS`."""
    return merged_weights(WEIGHTS)(given)


def _bands(given: BandTable) -> dict[str, Band]:
    """Converter of ``bands``: the given bands over :data:`BANDS`."""
    return merged_bands(BANDS)(given)


@frozen
class TechnicalDefensibilitySettings:
    """``[settings.technical_defensibility]``."""

    #: Metric weights inside the dimension (partial tables override the defaults).
    weights: dict[str, float] = field(factory=dict, converter=_weights)
    #: Bands as ``[[raw, points], ...]`` (partial tables override the defaults).
    bands: dict[str, list[list[float]]] = field(factory=dict, converter=_bands)
    #: Points ceiling of ``data_moat`` when every asset is self-reported.
    self_reported_cap: float = 60.0
    #: Points added to ``cadence`` when a model has open weights.
    open_weights_bonus: float = 10.0


def _reproduced(profile: CompanyProfile, _: Context, _settings: Any = None) -> Reading | None:
    tech = profile.technology
    if tech is None:
        return None
    known = [c for c in tech.benchmark_claims if c.independently_reproduced is not None]
    if not known:
        return None
    share = 100.0 * sum(bool(c.independently_reproduced) for c in known) / len(known)
    return Reading(
        share, ("technology.benchmark_claims",), tech.source,
        note=f"{sum(bool(c.independently_reproduced) for c in known)} of {len(known)} claims "
        "independently reproduced",
    )


def _capability(profile: CompanyProfile, _: Context, _settings: Any = None) -> Reading | None:
    tech = profile.technology
    if tech is None or tech.capability_percentile is None:
        return None
    fig = tech.capability_percentile
    note = f"leaderboard: {tech.capability_leaderboard}" if tech.capability_leaderboard else None
    return Reading(fig.value, ("technology.capability_percentile",), fig.source, note)


def _data_moat(profile: CompanyProfile, _: Context, _settings: Any = None) -> Reading | None:
    tech = profile.technology
    if tech is None or not tech.data_assets:
        return None
    value = sum(EXCLUSIVITY_WEIGHT[a.exclusivity] for a in tech.data_assets)
    all_self = all(a.self_reported for a in tech.data_assets)
    return Reading(
        value, ("technology.data_assets",), tech.source,
        note="self-reported only" if all_self else None,
    )


def _cadence(profile: CompanyProfile, _: Context, _settings: Any = None) -> Reading | None:
    tech = profile.technology
    if tech is None or tech.releases_12m is None:
        return None
    return Reading(tech.releases_12m.value, ("technology.releases_12m",), tech.releases_12m.source)


def _rnd_intensity(profile: CompanyProfile, _: Context, _settings: Any = None) -> Reading | None:
    fin = profile.financials
    if fin is None or fin.rnd_expense is None or fin.revenue is None or fin.revenue.value <= 0:
        return None
    pct = 100.0 * fin.rnd_expense.value / fin.revenue.value
    return Reading(
        pct, ("financials.rnd_expense", "financials.revenue"),
        fin.rnd_expense.source or fin.source,
    )


def _cap_self_reported(
    points: float, reading: Reading, profile: CompanyProfile, settings: Any
) -> tuple[float, str | None]:
    assets = profile.technology.data_assets if profile.technology else ()
    if assets and all(a.self_reported for a in assets) and points > settings.self_reported_cap:
        cap = settings.self_reported_cap
        return cap, f"capped at {cap:g} (self-reported)"
    return points, None


def _open_weights_bonus(
    points: float, reading: Reading, profile: CompanyProfile, settings: Any
) -> tuple[float, str | None]:
    models = profile.technology.models if profile.technology else ()
    if any(m.open_weights for m in models):
        return min(100.0, points + settings.open_weights_bonus), (
            f"+{settings.open_weights_bonus:g} for open weights"
        )
    return points, None


SCORER = MetricScorer(
    name=NAME,
    dimension=DIMENSION,
    metrics=(
        Metric("reproduced_benchmarks", _reproduced, ("technology.benchmark_claims",)),
        Metric("capability_rank", _capability, ("technology.capability_percentile",)),
        Metric("data_moat", _data_moat, ("technology.data_assets",), _cap_self_reported),
        Metric(
            "cadence", _cadence, ("technology.releases_12m", "technology.models"),
            _open_weights_bonus,
        ),
        Metric("rnd_intensity", _rnd_intensity, ("financials.rnd_expense", "financials.revenue")),
    ),
    directions={m: "higher" for m in WEIGHTS},
)


@hookimpl
def threshold_register_scorers(register: Any) -> None:
    register(SCORER)


@hookimpl
def threshold_settings_types() -> dict[str, type]:
    return {NAME: TechnicalDefensibilitySettings}
