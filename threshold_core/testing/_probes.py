"""Running a scorer under its contract: each call checked, and the monotonicity probes.

:class:`_ScorerCheck` scores profiles for :func:`~threshold_core.testing.check_scorer`,
recording a crash or an out-of-range result as a violation, and probes the
directions the scorer declares.

Monotonicity probes
-------------------

A scorer declares ``directions``: metric name -> ``"higher"`` (more of the raw
figure is better) or ``"lower"``. The check needs no further declaration: for
each metric it takes the profile paths the metric reads (``Metric.paths`` of a
:class:`~threshold_core.kit.MetricScorer`, plus the ``inputs`` of the
metric's :class:`~threshold_core.model.MetricScore`), perturbs one value under
those paths at a time (numbers and figures up and down, booleans flipped, enums
cycled, dates moved, list items dropped or repeated), keeps the variations that
still validate as profiles, and scores them. Whenever the metric's reported
``raw`` value moved and no other metric changed, the dimension score must move
the declared way or stay put. Because the raw value is *observed*, a metric
computed from several inputs (a ratio, a count) needs no mapping from input
to raw. A metric that no variation could move is reported as unprobed; a
scorer whose raw values hide behind inputs the generic perturbations cannot
reach declares ``probes``: metric name -> ``callable(profile) -> iterable of
profiles`` that move it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from ..model import CompanyProfile, DimensionScore, format_significant
from ._samples import CONTEXT
from ._variations import profile_variants

_EPS = 1e-9


def _score(scorer: Any, profile: CompanyProfile, settings: Any) -> tuple[Any, str | None]:
    try:
        return scorer.score(profile, settings, CONTEXT), None
    except Exception as exc:
        return None, f"raised {type(exc).__name__}: {exc}"


def _result_problem(value: Any, dimension: str) -> str | None:
    if not isinstance(value, DimensionScore):
        return f"returned {type(value).__name__}, not DimensionScore"
    if value.dimension != dimension:
        return f"returned dimension {value.dimension!r}, not its own {dimension!r}"
    s = value.score
    if s is not None and (isinstance(s, bool) or not isinstance(s, (int, float))
                          or not math.isfinite(s) or not 0.0 <= s <= 100.0):
        return f"returned score {s!r}, outside 0-100"
    c = value.coverage
    if isinstance(c, bool) or not isinstance(c, (int, float)) or not 0.0 <= c <= 1.0:
        return f"returned coverage {c!r}, outside 0-1"
    return None


def _metric_paths(scorer: Any) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for metric in getattr(scorer, "metrics", ()) or ():
        name = getattr(metric, "name", None)
        if isinstance(name, str):
            out.setdefault(name, []).extend(getattr(metric, "paths", ()) or ())
    return out


def _metric_map(result: DimensionScore) -> dict[str, Any]:
    return {m.metric: m for m in result.metrics}


def _band_violations(scorer: Any, settings: Any, directions: Mapping[str, str]) -> list[str]:
    bands = getattr(settings, "bands", None)
    if not isinstance(bands, Mapping):
        return []
    out = []
    for metric, direction in sorted(directions.items()):
        band = bands.get(metric)
        points = getattr(band, "points", None)
        if not points:
            continue
        ys = [y for _, y in points]
        rising = all(b >= a for a, b in itertools.pairwise(ys))
        falling = all(b <= a for a, b in itertools.pairwise(ys))
        if (direction == "higher" and not rising) or (direction == "lower" and not falling):
            out.append(f"monotone: the default band of {metric!r} ({ys}) is not "
                       f"{'rising' if direction == 'higher' else 'falling'}, but "
                       f"directions says {direction!r} is better")
    return out


class _ScorerCheck:
    """One run of the scorer contract: collects violations and probed metrics."""

    def __init__(self, scorer: Any, settings: Any) -> None:
        self.scorer = scorer
        self.settings = settings
        self.dimension = str(getattr(scorer, "dimension", ""))
        #: First message of each kind of violation, and how many more of that kind.
        self._found: dict[str, list[Any]] = {}

    def fail(self, message: str, kind: str | None = None) -> None:
        """Record a violation; repeats of one ``kind`` are counted, not listed."""
        entry = self._found.setdefault(kind or message, [message, 0])
        if entry[0] != message:
            entry[1] += 1

    @property
    def violations(self) -> list[str]:
        return [msg + (f" (and {more} more like it)" if more else "")
                for msg, more in self._found.values()]

    def score(self, label: str, profile: CompanyProfile) -> DimensionScore | None:
        value, error = _score(self.scorer, profile, self.settings)
        if error is not None:
            self.fail(f"no crash: {error} on {label}", f"crash:{error.split(':')[0]}")
            return None
        problem = _result_problem(value, self.dimension)
        if problem is not None:
            self.fail(f"in range: {problem} on {label}", f"range:{problem.split(' ')[1]}")
            return None
        assert isinstance(value, DimensionScore)
        return value

    def monotone(self, profiles: Sequence[tuple[str, CompanyProfile]],
                 directions: Mapping[str, str]) -> None:
        declared = _metric_paths(self.scorer)
        probes: Mapping[str, Callable[[CompanyProfile], Iterable[CompanyProfile]]] = (
            getattr(self.scorer, "probes", None) or {}
        )
        probed: set[str] = set()
        broken: set[str] = set()
        reported: set[str] = set()
        for label, profile in profiles:
            base = self.score(label, profile)
            if base is None:
                continue
            base_metrics = _metric_map(base)
            reported.update(base_metrics)
            for metric, direction in sorted(directions.items()):
                if metric in broken or direction not in ("higher", "lower"):
                    continue
                paths = [*declared.get(metric, ())]
                if metric in base_metrics:
                    paths.extend(base_metrics[metric].inputs)
                variants: list[tuple[str, CompanyProfile]] = list(
                    profile_variants(profile, paths)) if paths else []
                if metric in probes:
                    variants.extend((f"probe {i}", p) for i, p in
                                    enumerate(probes[metric](profile)))
                for desc, variant in variants:
                    verdict = self._compare(base, variant, f"{label} with {desc}", metric,
                                            direction)
                    if verdict is None:
                        continue
                    probed.add(metric)
                    if verdict:
                        self.fail(verdict)
                        broken.add(metric)
                        break
        for metric, direction in sorted(directions.items()):
            if direction not in ("higher", "lower"):
                self.fail(f"monotone: directions[{metric!r}] is {direction!r}; "
                          "use 'higher' or 'lower'")
            elif metric not in reported:
                self.fail(f"monotone: directions names {metric!r}, but no score lists a "
                          "metric of that name")
            elif metric not in probed:
                self.fail(f"monotone: no variation of the sample profiles moved the raw "
                          f"value of {metric!r} alone; declare a probe for it in `probes`")

    def _compare(self, base: DimensionScore, profile: CompanyProfile, label: str,
                 metric: str, direction: str) -> str | None:
        """None: not informative; "": consistent; otherwise the violation."""
        result = self.score(label, profile)
        if result is None or base.score is None or result.score is None:
            return None
        before, after = _metric_map(base), _metric_map(result)
        old, new = before.get(metric), after.get(metric)
        if old is None or new is None or old.raw is None or new.raw is None:
            return None
        if abs(new.raw - old.raw) <= _EPS:
            return None
        others_b = {k: (m.raw, m.points) for k, m in before.items() if k != metric}
        others_a = {k: (m.raw, m.points) for k, m in after.items() if k != metric}
        if others_b != others_a:
            return None
        # The score must not move against the raw value (higher) or with it (lower).
        better = (new.raw > old.raw) == (direction == "higher")
        moved = result.score - base.score
        if (better and moved < -1e-6) or (not better and moved > 1e-6):
            # each pair kept apart (never "65 -> 65" for a move of a hair)
            return (f"monotone: {metric!r} declares {direction!r} is better, but its raw value "
                    f"going {format_significant(old.raw, (new.raw,), 6)} -> "
                    f"{format_significant(new.raw, (old.raw,), 6)} moved the score "
                    f"{format_significant(base.score, (result.score,), 6)} -> "
                    f"{format_significant(result.score, (base.score,), 6)} ({label})")
        return ""
