"""Fixed piecewise-linear bands and weighted metrics: the toolkit scorers share.

A :class:`Band` maps a raw figure to 0-100 points by linear interpolation
between fixed anchor points, clamped at both ends. Bands are absolute (not
peer-relative min-max), so adding a company to a portfolio never changes
another company's score.

A scorer lists its :class:`Metric` objects; :func:`score_metrics` reads each
one from the profile, turns it into points, and computes the weighted score
over the metrics that had data plus the *coverage*: the share of metric weight
that had data. Missing data lowers coverage; it never counts as zero.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from attrs import field, frozen

from ..model import TIER, Context, DimensionScore, MetricScore, SourceTier, weakest
from ._cited import UNSOURCED, Cited, Parameter, ParameterSource, configured


def _points(value: Iterable[Iterable[float]]) -> tuple[tuple[float, float], ...]:
    pts = tuple((float(x), float(y)) for x, y in value)
    if len(pts) < 2:
        raise ValueError("a band needs at least two [x, points] pairs")
    for (x0, _), (x1, _) in itertools.pairwise(pts):
        if not x1 > x0:
            raise ValueError(f"band x values must increase strictly, got {x0} then {x1}")
    for _, y in pts:
        if not 0.0 <= y <= 100.0:
            raise ValueError(f"band points must be within 0-100, got {y}")
    return pts


@lru_cache(maxsize=1024)
def _describe(points: tuple[tuple[float, float], ...]) -> str:
    return ", ".join(f"{x:g}\u2192{y:g}" for x, y in points)


@frozen
class Band:
    """Anchor points ``(raw, points)``; interpolated between, clamped outside."""

    #: Anchors sorted by raw value.
    points: tuple[tuple[float, float], ...] = field(converter=_points)

    def __call__(self, x: float) -> float:
        pts = self.points
        if x <= pts[0][0]:
            return pts[0][1]
        if x >= pts[-1][0]:
            return pts[-1][1]
        for (x0, y0), (x1, y1) in itertools.pairwise(pts):
            if x <= x1:
                return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
        raise AssertionError("unreachable")  # pragma: no cover

    @property
    def direction(self) -> str:
        """``"higher"`` when more raw is better, ``"lower"`` when less is, else ``"mixed"``."""
        ys = [y for _, y in self.points]
        if all(b >= a for a, b in itertools.pairwise(ys)):
            return "higher"
        if all(b <= a for a, b in itertools.pairwise(ys)):
            return "lower"
        return "mixed"

    def invert(self, target: float) -> float | None:
        """The smallest raw value (for a rising band) that yields ``target`` points.

        None when no raw value reaches the target.
        """
        pts = self.points
        for (x0, y0), (x1, y1) in itertools.pairwise(pts):
            lo, hi = min(y0, y1), max(y0, y1)
            if lo <= target <= hi:
                if y1 == y0:
                    return x0
                return x0 + (target - y0) * (x1 - x0) / (y1 - y0)
        return None

    def describe(self) -> str:
        """``"0→0, 50→50, 80→100"`` (cached: every scored metric prints it)."""
        return _describe(self.points)


@frozen
class Reading:
    """A raw figure read from a profile."""

    value: float
    #: Profile paths it came from.
    inputs: tuple[str, ...]
    source: str | None = None
    note: str | None = None
    #: For a categorical metric: the state read (``value`` is its raw figure) and the raw
    #: figure of every state, so that explanations name a state to reach, not a number.
    state: str | None = None
    states: Mapping[str, float] = field(factory=dict)
    #: The sources of every other record the reading read (filings, services, investors...).
    sources: tuple[str | None, ...] = ()


#: Reads one metric's raw value: ``(profile, context, settings) -> Reading | None``
#: (None when the data is missing).
Reader = Callable[[Any, Context, Any], "Reading | None"]


@frozen
class Metric:
    """One sub-metric of a dimension."""

    name: str
    reader: Reader = field(repr=False)
    #: The profile paths the reader looks at (listed even when missing).
    paths: tuple[str, ...] = ()
    #: A bonus or cap applied after the band:
    #: ``(points, reading, profile, settings) -> (points, note or None)``.
    adjust: Callable[[float, Reading, Any, Any], tuple[float, str | None]] | None = field(
        default=None, repr=False
    )
    #: Where the metric's default band comes from (:func:`~threshold_core.kit.primary`,
    #: :func:`~threshold_core.kit.secondary` or :func:`~threshold_core.kit.house_policy`);
    #: None shows as ``unsourced``.
    source: Cited | None = None
    #: Where its default weight comes from, when not from the scorer's ``weights_source``.
    weight_source: Cited | None = None


def score_metrics(
    dimension: str,
    metrics: Sequence[Metric],
    profile: Any,
    context: Context,
    *,
    weights: Mapping[str, float],
    bands: Mapping[str, Band],
    settings: Any = None,
    band_sources: Mapping[str, Cited] | None = None,
) -> DimensionScore:
    """Score a dimension from its metrics.

    ``score`` is the weighted mean of the points of the metrics that had data,
    ``coverage`` the share of weight those metrics carry. With no data at all
    the score is None and the coverage 0. Each metric's evidence names the source
    of its band: ``band_sources[name]``, else the metric's own ``source``.
    """
    total = sum(weights[m.name] for m in metrics)
    got_weight = 0.0
    weighted = 0.0
    results: list[MetricScore] = []
    inputs: list[str] = []
    for metric in metrics:
        weight = weights[metric.name]
        band = bands[metric.name]
        cited = (band_sources or {}).get(metric.name, metric.source)
        band_source = str(cited if cited is not None else UNSOURCED)
        inputs.extend(p for p in metric.paths if p not in inputs)
        reading = metric.reader(profile, context, settings)
        if reading is None or not math.isfinite(reading.value):
            results.append(
                MetricScore(
                    metric=metric.name,
                    weight=weight,
                    raw=None,
                    points=None,
                    inputs=metric.paths,
                    note="no data",
                    band_source=band_source,
                )
            )
            continue
        sources = tuple(dict.fromkeys(
            x for x in (reading.source, *reading.sources) if x is not None and x.strip()))
        # One unsourced record among several makes the reading unsourced too.
        unsourced = not sources or any(x is None or not x.strip() for x in reading.sources)
        grade = weakest((*sources, *((None,) if unsourced else ())), context.sources)
        if TIER[grade] is SourceTier.PROXY:
            # A cohort average is not company data: reported, not scored.
            results.append(
                MetricScore(
                    metric=metric.name, weight=weight, raw=reading.value, points=None,
                    inputs=reading.inputs, source=reading.source,
                    note="cohort proxy: reported, not scored", sources=sources,
                    grade=str(grade), band_source=band_source,
                )
            )
            continue
        points = band(reading.value)
        note = f"band {band.describe()}"
        if metric.adjust is not None:
            points, extra = metric.adjust(points, reading, profile, settings)
            if extra:
                note = f"{note}; {extra}"
        if reading.note:
            note = f"{reading.note}; {note}"
        points = min(100.0, max(0.0, points))
        results.append(
            MetricScore(
                metric=metric.name,
                weight=weight,
                raw=reading.value,
                points=points,
                inputs=reading.inputs,
                source=reading.source,
                note=note,
                state=reading.state,
                states=dict(reading.states),
                sources=sources,
                grade=str(grade),
                band_source=band_source,
            )
        )
        if weight > 0:
            got_weight += weight
            weighted += weight * points
    coverage = got_weight / total if total > 0 else 0.0
    score = weighted / got_weight if got_weight > 0 else None
    return DimensionScore(
        dimension=dimension,
        # Unrounded: the policy compares coverage with its floor and the score with
        # the cut-offs; only reports round.
        score=score,
        coverage=coverage,
        inputs=tuple(inputs),
        metrics=tuple(results),
    )


def figure_reading(fig: Any, path: str, section_source: str | None = None) -> Reading | None:
    """A :class:`Reading` from an optional :class:`~threshold_core.model.Figure`."""
    if fig is None:
        return None
    return Reading(value=fig.value, inputs=(path,), source=fig.source or section_source)


BandTable = Mapping[str, Sequence[Sequence[float]]]


def merged_weights(
    defaults: Mapping[str, float],
) -> Callable[[Mapping[str, float]], dict[str, float]]:
    """An attrs converter: the defaults overlaid with the given weights.

    Lets a settings section override one weight without restating the others;
    an unknown metric name or a negative weight is an error.
    """

    def convert(given: Mapping[str, float]) -> dict[str, float]:
        unknown = sorted(set(given) - set(defaults))
        if unknown:
            raise ValueError(
                f"unknown metric {', '.join(map(repr, unknown))} in weights "
                f"(known: {', '.join(sorted(defaults))})"
            )
        merged = {**defaults, **given}
        negative = sorted(k for k, v in merged.items() if v < 0)
        if negative:
            raise ValueError(f"weights must not be negative: {', '.join(negative)}")
        if not any(v > 0 for v in merged.values()):
            raise ValueError("at least one weight must be positive")
        return merged

    return convert


def merged_bands(defaults: BandTable) -> Callable[[BandTable], dict[str, Band]]:
    """An attrs converter: the default bands overlaid with the given ones, as :class:`Band`."""

    def convert(given: BandTable) -> dict[str, Band]:
        unknown = sorted(set(given) - set(defaults))
        if unknown:
            raise ValueError(
                f"unknown metric {', '.join(map(repr, unknown))} in bands "
                f"(known: {', '.join(sorted(defaults))})"
            )
        out: dict[str, Band] = {}
        for name, pts in {**defaults, **given}.items():
            if isinstance(pts, Band):
                out[name] = pts
                continue
            try:
                out[name] = Band(pts)
            except (ValueError, TypeError) as exc:
                raise ValueError(f"band {name!r}: {exc}") from None
        return out

    return convert


def _metric_tuple(metrics: Iterable[Metric]) -> tuple[Metric, ...]:
    return tuple(metrics)


def _parameter_tuple(parameters: Iterable[Parameter]) -> tuple[Parameter, ...]:
    return tuple(parameters)


@frozen
class MetricScorer:
    """A scorer made of weighted :class:`Metric` objects.

    Its settings object must have ``weights`` (metric -> weight) and ``bands``
    (metric -> :class:`Band`) attributes, as made by :func:`merged_weights` and
    :func:`merged_bands`.
    """

    name: str
    dimension: str
    metrics: tuple[Metric, ...] = field(converter=_metric_tuple)
    #: Which way each metric should move the score: ``higher`` or ``lower`` is better.
    directions: Mapping[str, str] = field(factory=dict)
    #: For the contract checks, rarely needed: metric -> ``callable(profile) -> iterable of
    #: profiles`` that move its raw value, when perturbing the paths the metric reads
    #: (``Metric.paths``, extension sections included) cannot.
    probes: Mapping[str, Callable[[Any], Iterable[Any]]] = field(factory=dict)
    #: Where the default weights come from; None shows as ``unsourced``.
    weights_source: Cited | None = None
    #: The scorer's other numeric settings (caps, bonuses, floors) with their sources.
    parameters: tuple[Parameter, ...] = field(default=(), converter=_parameter_tuple)

    def band_sources(self, settings: Any) -> dict[str, Cited]:
        """Each metric's band source, ``configured`` where the settings changed the band."""
        default = _default_settings(type(settings))
        out: dict[str, Cited] = {}
        for m in self.metrics:
            cited = m.source if m.source is not None else UNSOURCED
            base = getattr(default, "bands", None)
            if isinstance(base, Mapping) and base.get(m.name) != settings.bands.get(m.name):
                cited = configured(cited)
            out[m.name] = cited
        return out

    def score(self, profile: Any, settings: Any, context: Context) -> DimensionScore:
        return score_metrics(
            self.dimension, self.metrics, profile, context,
            weights=settings.weights, bands=settings.bands, settings=settings,
            band_sources=self.band_sources(settings),
        )

    def parameter_sources(self, settings: Any) -> list[ParameterSource]:
        """Every weight, band and declared parameter in force, with its source."""
        default = _default_settings(type(settings))
        rows: list[ParameterSource] = []
        wsrc = self.weights_source if self.weights_source is not None else UNSOURCED
        dweights = getattr(default, "weights", None)
        for m in self.metrics:
            w = settings.weights[m.name]
            cited = m.weight_source if m.weight_source is not None else wsrc
            if isinstance(dweights, Mapping) and dweights.get(m.name) != w:
                cited = configured(cited)
            rows.append(ParameterSource(self.name, f"weights.{m.name}", f"{w:g}", cited.basis,
                                        cited.text, f"weight of {m.name}"))
        for name, cited in self.band_sources(settings).items():
            rows.append(ParameterSource(self.name, f"bands.{name}",
                                        settings.bands[name].describe(), cited.basis,
                                        cited.text, f"band of {name} (raw -> points)"))
        for p in self.parameters:
            value = getattr(settings, p.name)
            cited = p.source
            if default is not None and getattr(default, p.name, value) != value:
                cited = configured(cited)
            rows.append(ParameterSource(self.name, p.name, _show(value), cited.basis,
                                        cited.text, p.doc))
        return rows


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {_show(v)}" for k, v in value.items())
    return str(value)


_DEFAULTS: dict[type, Any] = {}


def _default_settings(kind: type) -> Any:
    """The settings class with every default (None when it has a required field)."""
    if kind not in _DEFAULTS:
        try:
            _DEFAULTS[kind] = kind()
        except (TypeError, ValueError):
            _DEFAULTS[kind] = None
    return _DEFAULTS[kind]
