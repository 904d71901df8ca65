"""A drop-in scorer with its own profile section, ``[extensions.inference_economics]``:
the fifth dimension from the plugin author's report (inference cost per million tokens
and open-source adoption)."""

from __future__ import annotations

from attrs import field, frozen

from threshold_core import Figure, Metric, MetricScorer, Reading, hookimpl
from threshold_core.kit import figure_reading, merged_bands, merged_weights

__version__ = "0.3.0"

NAME = "inference_economics"
WEIGHTS = {"cost": 1.0, "downloads": 1.0}
BANDS = {"cost": [[0.5, 100], [2.0, 60], [10.0, 0]],
         "downloads": [[0, 0], [10, 60], [100, 100]]}


@frozen
class Settings:
    """``[settings.inference_economics]``."""

    weights: dict[str, float] = field(factory=dict, converter=merged_weights(WEIGHTS))
    bands: dict[str, list[list[float]]] = field(factory=dict, converter=merged_bands(BANDS))


@frozen
class InferenceEconomics:
    """``[extensions.inference_economics]``."""

    source: str | None = None
    #: Blended list price per million tokens, USD (lower is better).
    cost_per_mtok_usd: float | None = None
    #: Downloads of the open-weight models in the last 12 months, millions.
    open_weight_downloads_m: Figure | None = None


def _section(profile):
    return profile.extensions.get(NAME)


def cost(profile, context, settings):
    ext = _section(profile)
    if ext is None:
        return None
    if ext.cost_per_mtok_usd is None:
        return None
    return Reading(ext.cost_per_mtok_usd, (f"extensions.{NAME}.cost_per_mtok_usd",), ext.source)


def downloads(profile, context, settings):
    ext = _section(profile)
    if ext is None:
        return None
    return figure_reading(ext.open_weight_downloads_m,
                          f"extensions.{NAME}.open_weight_downloads_m", ext.source)


SCORER = MetricScorer(
    name=NAME,
    dimension=NAME,
    metrics=(
        Metric("cost", cost, (f"extensions.{NAME}.cost_per_mtok_usd",)),
        Metric("downloads", downloads, (f"extensions.{NAME}.open_weight_downloads_m",)),
    ),
    directions={"cost": "lower", "downloads": "higher"},
)


@hookimpl
def threshold_register_scorers(register):
    register(SCORER)


@hookimpl
def threshold_settings_types():
    return {NAME: Settings}


@hookimpl
def threshold_profile_extensions():
    return {NAME: InferenceEconomics}
