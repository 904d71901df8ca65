"""Weighted metrics: the toolkit scorers share (bands: :mod:`._band`).

A scorer lists its :class:`Metric` objects; :func:`score_metrics` reads each
one from the profile, turns it into points, and computes the weighted score
plus the *coverage*: the share of metric weight that had data. Omission never
helps: a metric without data (missing, or only a cohort proxy) counts in the score
at its least favourable points (its band's lowest, :meth:`Band.lowest`) with its
full weight until researched, and lowers the coverage as missing.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from attrs import field, frozen

from ..model import (
    TIER,
    Context,
    DimensionScore,
    MetricScore,
    SourceTier,
    format_cutoff,
    positional_builder,
    weakest,
)
from ._band import Band, renamed_metric_check
from ._cited import UNSOURCED, Cited, Parameter, ParameterSource, configured
from ._packsources import default_settings as _default_settings
from ._reading import Reader, Reading


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
    #: For an ``adjust`` that can give fewer points than the band's lowest (a cap below
    #: it): ``(settings) -> the fewest points the metric can give``. A metric without
    #: data counts at the lower of this and its band's lowest; None: the band's lowest.
    least: Callable[[Any], float] | None = field(default=None, repr=False)


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

    ``score`` is the weighted mean of every metric's points, a metric without data
    (missing, or only a cohort proxy) counted at its least favourable points (its
    band's lowest, or ``Metric.least`` when lower: ``MetricScore.assumed_points``) with
    its full weight, so withholding a figure never raises the score; ``coverage`` is
    the share of weight carried by the metrics that had data. With no data at all the
    score is None and the coverage 0. Each metric's evidence names the source of its
    band: ``band_sources[name]``, else the metric's own ``source``.
    """
    plan = plan_metrics(metrics, weights=weights, bands=bands, band_sources=band_sources)
    return run_plan(dimension, plan, profile, context, settings)


class _Step(NamedTuple):
    """One metric as :func:`run_plan` scores it: what depends only on the configuration."""

    name: str
    weight: float
    #: The band as a function (:meth:`Band.as_function`).
    band: Callable[[float], float]
    #: ``band <anchors>``: the note of a banded reading.
    band_note: str
    band_source: str
    paths: tuple[str, ...]
    reader: Reader
    adjust: Callable[[float, Reading, Any, Any], tuple[float, str | None]] | None
    #: The band's lowest points (:meth:`Band.lowest`), and ``Metric.least``.
    lowest: float
    least: Callable[[Any], float] | None


class MetricPlan(NamedTuple):
    """A dimension's metrics with their weights, bands and band sources resolved once."""

    steps: tuple[_Step, ...]
    #: The sum of the metric weights.
    total: float
    #: Every metric's paths, in order, each once (the score's ``inputs``).
    inputs: tuple[str, ...]


def plan_metrics(
    metrics: Sequence[Metric], *, weights: Mapping[str, float], bands: Mapping[str, Band],
    band_sources: Mapping[str, Cited] | None = None,
) -> MetricPlan:
    """What :func:`score_metrics` works out from the configuration alone, once."""
    steps = []
    inputs: list[str] = []
    for metric in metrics:
        band = bands[metric.name]
        cited = (band_sources or {}).get(metric.name, metric.source)
        steps.append(_Step(metric.name, weights[metric.name], band.as_function(),
                           f"band {band.describe()}",
                           str(cited if cited is not None else UNSOURCED), metric.paths,
                           metric.reader, metric.adjust, band.lowest(), metric.least))
        inputs.extend(p for p in metric.paths if p not in inputs)
    return MetricPlan(tuple(steps), sum(weights[m.name] for m in metrics), tuple(inputs))


#: Per sources configuration (by identity): a reading's sources -> its distinct sources,
#: the weakest grade's name and whether that grade is a cohort proxy. The key is the
#: reading's ``source`` when it read no other record, else ``(source, sources)``.
#: Grading is a pure function of the texts and the configuration.
_GRADED: dict[int, tuple[Any, dict[Any, tuple[tuple[str, ...], str, bool]]]] = {}
_GRADED_SIZE = 4096


def _grades_memo(config: Any) -> dict[Any, tuple[tuple[str, ...], str, bool]]:
    got = _GRADED.get(id(config))
    if got is None or got[0] is not config:
        if len(_GRADED) > 64:
            _GRADED.clear()
        got = _GRADED[id(config)] = (config, {})
    memo = got[1]
    if len(memo) >= _GRADED_SIZE:
        memo.clear()
    return memo


def _graded(source: str | None, others: tuple[str | None, ...],
            config: Any) -> tuple[tuple[str, ...], str, bool]:
    sources = tuple(dict.fromkeys(
        x for x in (source, *others) if x is not None and x.strip()))
    # One unsourced record among several makes the reading unsourced too.
    unsourced = not sources or any(x is None or not x.strip() for x in others)
    grade = weakest((*sources, *((None,) if unsourced else ())), config)
    return sources, str(grade), TIER[grade] is SourceTier.PROXY


#: ``MetricScore(*every field)`` and ``DimensionScore(*every field)``, without attrs'
#: generic ``__init__`` (one per metric, one per scorer).
_metric_score = positional_builder(MetricScore)
_dimension_score = positional_builder(DimensionScore)
#: ``Reading(*every field)``: what an adjustment is handed when the reader gave a tuple.
_reading = positional_builder(Reading)
#: A Reading's fields in order, as :func:`reading` gives them.
_reading_fields = operator.attrgetter("value", "inputs", "source", "note", "state", "states",
                                      "sources")


def _counted_at(lowest: float, least: Callable[[Any], float] | None, settings: Any,
                proxy: bool) -> tuple[float, str]:
    """The points a metric without data (or a cohort proxy) counts at, ``lowest`` or
    ``least(settings)`` when lower, held to 0-100, and its note (kept per float points)."""
    points = lowest if least is None else min(lowest, least(settings))
    floor = min(100.0, max(0.0, points))
    note = _NOTES.get((proxy, floor)) if floor.__class__ is float else None
    if note is None:
        note = (f"cohort proxy: reported, not scored; counted at {format_cutoff(floor)} points "
                "until researched" if proxy else f"no data: counted at {format_cutoff(floor)} "
                "points until researched")
        if floor.__class__ is float:
            _NOTES[(proxy, floor)] = note
    return floor, note


_NOTES: dict[tuple[bool, float], str] = {}  # held floats: never -0.0 or NaN


def run_plan(dimension: str, plan: MetricPlan, profile: Any, context: Context,
             settings: Any = None) -> DimensionScore:
    """:func:`score_metrics` on a plan made by :func:`plan_metrics`."""
    got_weight = 0.0
    assumed_weight = 0.0
    weighted = 0.0
    results: list[MetricScore] = []
    append = results.append
    isfinite = math.isfinite
    sources_config = context.sources
    graded = _grades_memo(sources_config)
    for (name, weight, band, band_note, band_source, paths, reader, adjust, lowest,
         least) in plan.steps:
        got = reader(profile, context, settings)
        if got is not None:
            # A Reading, or the same fields as a tuple (:func:`reading`).
            value, inputs, source, read_note, state, states, others = (
                got if got.__class__ is tuple else _reading_fields(got))
        if got is None or not isfinite(value):
            # Omission never helps: counted at its least favourable points until researched.
            floor, note = _counted_at(lowest, least, settings, False)
            append(_metric_score(name, weight, None, None, paths, None, note, None, {}, (),
                                 None, band_source, floor))
            if weight > 0:
                assumed_weight += weight
                weighted += weight * floor
            continue
        key = (source, others) if others else source
        hit = graded.get(key)
        if hit is None:
            hit = graded[key] = _graded(source, others, sources_config)
        sources, grade, proxy = hit
        if proxy:
            # A cohort average is not company data: reported, and counted like a metric
            # without data (at its least favourable points until researched).
            floor, note = _counted_at(lowest, least, settings, True)
            append(_metric_score(name, weight, value, None, inputs, source, note, None, {},
                                 sources, grade, band_source, floor))
            if weight > 0:
                assumed_weight += weight
                weighted += weight * floor
            continue
        points = band(value)
        note = band_note
        if adjust is not None:
            # An adjustment is handed a Reading.
            handed = got if isinstance(got, Reading) else _reading(
                value, inputs, source, read_note, state, {} if states is None else states,
                others)
            points, extra = adjust(points, handed, profile, settings)
            if extra:
                note = f"{note}; {extra}"
        if read_note:
            note = f"{read_note}; {note}"
        # min(100.0, max(0.0, points)) without the calls (NaN becomes 0.0 as there)
        points = points if points > 0.0 else 0.0
        if not points < 100.0:
            points = 100.0
        append(_metric_score(name, weight, value, points, inputs, source, note,
                             state, dict(states) if states else {}, sources, grade,
                             band_source, None))
        if weight > 0:
            got_weight += weight
            weighted += weight * points
    total = plan.total
    coverage = got_weight / total if total > 0 else 0.0
    # Over every metric with weight: the ones without data at their assumed points.
    score = weighted / (got_weight + assumed_weight) if got_weight > 0 else None
    # Unrounded: the policy compares coverage with its floor and the score with the
    # cut-offs; only reports round.
    return _dimension_score(dimension, score, coverage, plan.inputs, tuple(results), ())


def merged_weights(
    defaults: Mapping[str, float], *, renamed: Mapping[str, str] | None = None,
) -> Callable[[Mapping[str, float]], dict[str, float]]:
    """An attrs converter: the defaults overlaid with the given weights.

    Lets a settings section override one weight without restating the others;
    an unknown metric name or a negative weight is an error, and a metric named in
    ``renamed`` (old name -> what replaced it) an error naming its replacement.
    """

    def convert(given: Mapping[str, float]) -> dict[str, float]:
        renamed_metric_check(renamed or {}, given, "weights")
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


def _metric_tuple(metrics: Iterable[Metric]) -> tuple[Metric, ...]:
    return tuple(metrics)


def _parameter_tuple(parameters: Iterable[Parameter]) -> tuple[Parameter, ...]:
    return tuple(parameters)


@frozen
class MetricScorer:
    """A scorer made of weighted :class:`Metric` objects.

    Its settings object must have ``weights`` (metric -> weight) and ``bands``
    (metric -> :class:`Band`) attributes, as made by :func:`merged_weights` and
    :func:`merged_bands`. What follows from them (each metric's weight, band and band
    source) is worked out once per settings object: settings are values, so give the
    scorer a new settings object (``attrs.evolve``) rather than changing a mapping of
    one in place.
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
        # The plan depends only on the scorer and its settings: worked out once per
        # settings object (and its weights and bands mappings, by identity).
        got = _PLANS.get((id(self), id(settings)))
        if got is None or got[0] is not self or got[1] is not settings \
                or got[3] is not settings.weights or got[4] is not settings.bands:
            got = _remember_plan(self, settings)
        return run_plan(self.dimension, got[2], profile, context, settings)

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
            rows.append(ParameterSource(self.name, f"weights.{m.name}", format_cutoff(w),
                                        cited.basis, cited.text, f"weight of {m.name}"))
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


#: Per (scorer, settings), by identity (both kept, so their ids are not reused): the plan,
#: and the weights and bands mappings it was made from.
_PLANS: dict[tuple[int, int], tuple[MetricScorer, Any, MetricPlan, Any, Any]] = {}


def _remember_plan(scorer: MetricScorer, settings: Any
                   ) -> tuple[MetricScorer, Any, MetricPlan, Any, Any]:
    if len(_PLANS) > 256:
        _PLANS.clear()
    plan = plan_metrics(scorer.metrics, weights=settings.weights, bands=settings.bands,
                        band_sources=scorer.band_sources(settings))
    got = _PLANS[(id(scorer), id(settings))] = (scorer, settings, plan, settings.weights,
                                                 settings.bands)
    return got


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return format_cutoff(value)  # a setting as configured, exactly
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {_show(v)}" for k, v in value.items())
    return str(value)

