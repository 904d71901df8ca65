"""The default policy's helpers: a dimension's sourcing, the overall sourcing, a finding's
effect and a dimension's adjustments.

Kept apart from :mod:`._policy` (issue 19: no module over 400 lines); pure functions.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import attrs

from ..model import (
    Adjustment,
    DimensionResult,
    Effect,
    Finding,
    MetricScore,
    PolicyConfig,
    SourceGrade,
    SourceTier,
    Sourcing,
    count_tiers,
    positional_builder,
    tier_of,
    written,
)
from ._exact import near, weighted_mean

if TYPE_CHECKING:
    from fractions import Fraction

_SOURCED = (SourceTier.PRIMARY, SourceTier.SECONDARY)


#: A grade's tier counted as sourced (True) or weak (False), by the grade's string; a
#: cohort proxy is neither (absent). Other strings go through ``tier_of``.
_SOURCED_BY_GRADE: dict[str | None, bool] = {None: False}
for _grade in SourceGrade:
    _tier = tier_of(_grade)
    if _tier in _SOURCED:
        _SOURCED_BY_GRADE[str(_grade)] = True
    elif _tier is SourceTier.ILLUSTRATIVE:
        _SOURCED_BY_GRADE[str(_grade)] = False


def dimension_sourcing(
    metrics: Sequence[MetricScore], grades: dict[str, int] | None = None,
    pure: dict[str, float | None] | None = None, name: str = "",
) -> tuple[float | None, float | None]:
    """A dimension's sourced coverage and the share of its score on illustrative readings;
    with ``grades``, the readings with data counted per grade into it, in the same pass;
    with ``pure``, ``pure[name]`` set to the share when it is exactly 0 or 1 (no scored
    reading weak, or every one; none a cohort proxy), else None."""
    # One pass; each sum adds the same weights in the same order as summing them apart.
    total: float = 0
    sourced: float = 0
    weak: float = 0
    got: float = 0
    proxies = False
    known = _SOURCED_BY_GRADE
    for m in metrics:
        if grades is not None and m.raw is not None:
            key = m.grade or "unsourced"
            grades[key] = grades.get(key, 0) + 1
        w = m.weight
        if not w > 0:
            continue
        total += w
        if m.points is None:
            continue
        got += w
        grade = m.grade
        is_sourced = known.get(grade)
        if is_sourced is None:
            tier = tier_of(grade)
            if tier is SourceTier.PROXY:
                proxies = True
                continue
            is_sourced = tier in _SOURCED
        if is_sourced:
            sourced += w
        # A reading without a grade comes from a scorer that does not grade: unsourced.
        else:
            weak += w
    if pure is not None:
        # weak == got: the same weights added in the same order, so the share is 1 exactly.
        pure[name] = (None if proxies or not got > 0 else 0.0 if weak == 0
                      else 1.0 if weak == got else None)
    if not metrics or total <= 0:
        return None, None
    return _round6(sourced / total), (_round6(weak / got) if got > 0 else None)


def _round6(share: float) -> float:
    """``round(share, 6)``; a share of exactly 0 or 1 (the common ones) as it is."""
    return share if share == 0.0 or share == 1.0 else round(share, 6)


#: Finding's fields in ``__init__`` order, to copy one with another effect.
_FINDING_FIELDS = tuple(a.name for a in attrs.fields(Finding))
_FINDING_VALUES = operator.attrgetter(*_FINDING_FIELDS)
_EFFECT_AT = _FINDING_FIELDS.index("effect")
_POSITIONAL = all(a.init and not a.kw_only for a in attrs.fields(Finding))
_finding = positional_builder(Finding)
#: ``Adjustment(*every field)``, one per cap or deduction.
_adjustment = positional_builder(Adjustment)
_CAP, _DEDUCTION, _BLOCK = Effect.CAP, Effect.DEDUCTION, Effect.BLOCK
#: ``Sourcing(*every field)`` (sourced coverage, illustrative share, limit, grades, tiers).
_sourcing = positional_builder(Sourcing)


def with_effect(f: Finding, effect: Effect) -> Finding:
    """``attrs.evolve(f, effect=effect)``, without its generic work (once per finding)."""
    if f.effect is effect:
        return f  # frozen: the same finding
    if f.__class__ is not Finding or not _POSITIONAL:
        return attrs.evolve(f, effect=effect)
    values = list(_FINDING_VALUES(f))
    values[_EFFECT_AT] = effect
    return _finding(*values)


def adjustments_of(findings: Iterable[tuple[str, str, Effect, bool]],
                   policy: PolicyConfig) -> tuple[Adjustment, ...]:
    """One dimension's caps and deductions: ``findings`` are its ``(rule, pack, effect,
    assumed)`` whose effect is in :data:`ADJUSTING_EFFECTS` (a high finding's cap, a medium one's
    deduction, an assumed critical one's block), in the order the policy applies them.

    A high finding caps the dimension at ``high_cap``; a medium one deducts
    ``medium_deduction`` points, at most ``medium_max_per_pack`` per pack (here: per
    pack and dimension). An *assumed* high or critical one (its rule lacked data) caps
    and also deducts as a medium one would, within the same allowance: it is at least as
    bad as anything the rule could have found (a real critical one vetoes and adjusts
    nothing, a high one caps, a medium one deducts), a cap that binds nothing on a score
    already below it included. The score is then
    ``clamp(min(raw + Σ deductions, min caps), 0, 100)``.
    """
    high_cap, medium, per_pack = (policy.high_cap, policy.medium_deduction,
                                  policy.medium_max_per_pack)
    out: list[Adjustment] = []
    deducted: dict[str, float] = {}
    for rule, pack, effect, assumed in findings:
        if effect is _CAP or effect is _BLOCK:  # a block: an assumed critical finding
            out.append(_adjustment(rule, _CAP, high_cap))
            if effect is _CAP and not assumed:
                continue
        done = deducted.get(pack, 0.0)
        amount = min(medium, max(0.0, per_pack - done))
        deducted[pack] = done + amount
        out.append(_adjustment(rule, _DEDUCTION, 0.0 - amount))  # 0.0, never -0.0
    return tuple(out)


def overall_sourcing(counted: Sequence[DimensionResult], limit: float,
                     grades_of: Mapping[str, Mapping[str, int]] | None = None,
                     pure: Mapping[str, float | None] | None = None) -> Sourcing:
    """The decision's sourcing over the dimensions that count; ``grades_of`` (dimension ->
    its readings per grade, from :func:`dimension_sourcing`) saves counting them again, and
    ``pure`` (its exact 0 or 1 shares) working out a share every dimension has exactly."""
    # One loop, not comprehensions (each a function made per call: this runs in every
    # decision); each sum adds the same terms in the same order.
    graded = []
    weights = []  # of the graded dimensions
    sourced_parts = []
    with_share = []
    share_weights = []
    share_parts = []
    grades: dict[str, int] = {}
    for r in counted:
        if r.sourced_coverage is None:
            continue
        graded.append(r)
        w = r.weight
        weights.append(w)
        sourced_parts.append(w * (r.sourced_coverage or 0.0))
        if r.illustrative_share is not None:
            with_share.append(r)
            share_weights.append(w)
            share_parts.append(w * (r.illustrative_share or 0.0))
        if grades_of is not None:
            for key, n in grades_of[r.name].items():
                grades[key] = grades.get(key, 0) + n
            continue
        for m in r.evidence:
            if m.raw is not None:
                key = m.grade or "unsourced"
                grades[key] = grades.get(key, 0) + 1
    weight = sum(weights)
    if not graded or weight <= 0:
        return _sourcing(None, None, limit, dict(sorted(grades.items())), count_tiers(grades))
    sourced = sum(sourced_parts) / weight
    share_weight = sum(share_weights)
    share = sum(share_parts) / share_weight if share_weight > 0 else None
    if share is not None and pure is not None and _same_pure_share(with_share, pure, share):
        # Every dimension's share is exactly this 0 or 1, so their mean is too (the float
        # sums the same terms as the weights): :func:`held_share` would return it as is.
        held: float | None = share
    else:
        held = None if share is None else held_share(
            share, lambda: exact_share([(r.configured_weight, r.evidence)
                                        for r in with_share]), limit)
    return _sourcing(_round6(sourced), held, limit, *_grades_and_tiers(grades))


#: The sorted grades and their tiers per pattern of counts (a configuration's scorers give
#: the same few patterns decision after decision); each decision gets its own dicts.
_GRADE_PATTERNS: dict[tuple[tuple[str, int], ...], tuple[dict[str, int], dict[str, int]]] = {}


def _grades_and_tiers(grades: dict[str, int]) -> tuple[dict[str, int], dict[str, int]]:
    """``dict(sorted(grades.items()))`` and ``count_tiers(grades)``, new dicts each time."""
    key = tuple(grades.items())
    got = _GRADE_PATTERNS.get(key)
    if got is None:
        got = (dict(sorted(key)), count_tiers(grades))
        if len(_GRADE_PATTERNS) >= 1024:
            _GRADE_PATTERNS.clear()
        _GRADE_PATTERNS[key] = got
    return got[0].copy(), got[1].copy()


def _same_pure_share(dims: Sequence[DimensionResult], pure: Mapping[str, float | None],
                     share: float) -> bool:
    """Whether every dimension's share is exactly ``share``, 0 or 1 (see ``pure`` of
    :func:`dimension_sourcing`)."""
    if share != 0.0 and share != 1.0:
        return False
    for r in dims:  # noqa: SIM110 (a loop: this runs in every decision)
        if pure.get(r.name) != share:
            return False
    return True


def _is_weak(m: MetricScore) -> bool | None:
    """Whether a scored reading rests on illustrative or unsourced figures (None: a cohort
    proxy, or no data, which the share leaves out), as :func:`dimension_sourcing` counts."""
    if not m.weight > 0 or m.points is None:
        return None
    is_sourced = _SOURCED_BY_GRADE.get(m.grade)
    if is_sourced is None:
        tier = tier_of(m.grade)
        if tier is SourceTier.PROXY:
            return None
        is_sourced = tier in _SOURCED
    return not is_sourced


def exact_share(parts: Sequence[tuple[float, Sequence[MetricScore]]]) -> Fraction:
    """The share of the composite on illustrative readings exactly: each dimension's weak
    weight over its scored weight (metric weights as written), weighted by the dimensions'
    configured weights (kept per pattern of weights and weak readings: the same
    configuration with the same kinds of sources comes back decision after decision)."""
    known = _SOURCED_BY_GRADE
    dims = []
    for weight, metrics in parts:
        flags: list[tuple[float, bool]] = []
        for m in metrics:  # as :func:`_is_weak`, inline (this runs near the limit)
            w = m.weight
            if not w > 0 or m.points is None:
                continue
            is_sourced = known.get(m.grade)
            if is_sourced is not None:
                flags.append((w, not is_sourced))
            elif (weak := _is_weak(m)) is not None:
                flags.append((w, weak))
        dims.append((weight, tuple(flags)))
    pattern = tuple(dims)
    got = _SHARES.get(pattern)
    if got is None:
        got = _share_exactly(pattern)
        if len(_SHARES) >= 4096:
            _SHARES.clear()
        _SHARES[pattern] = got
    return got


#: :func:`_share_exactly` per pattern ``((dimension weight, ((metric weight, weak), ...)),
#: ...)``.
_SHARES: dict[tuple[tuple[float, tuple[tuple[float, bool], ...]], ...], Fraction] = {}


def _share_exactly(pattern: Sequence[tuple[float, Sequence[tuple[float, bool]]]]) -> Fraction:
    """:func:`exact_share` worked out, from its pattern."""
    from fractions import Fraction

    pairs = []
    for weight, got in pattern:
        if got:
            pairs.append((weight, weighted_mean([(w, Fraction(int(weak))) for w, weak in got])))
    return weighted_mean(pairs) if pairs else Fraction(0)


#: How far the composite's illustrative share may be from its exact value: it is a mean of
#: the dimensions' shares, each rounded to 6 places (:func:`dimension_sourcing`), so up to
#: 5e-7 off; within this of the limit the exact share decides.
_ROUNDED_INPUTS = 1e-6


def held_share(share: float, exact: Callable[[], Fraction], limit: float) -> float:
    """The share rounded to 6 places for the JSON, on the exact side of ``limit``: the
    policy holds ``qualified`` at ``watch`` above it (more digits where 6 would cross).
    ``share`` is the mean of the dimensions' rounded shares; within
    :data:`_ROUNDED_INPUTS` of the limit, ``exact()`` (worked out from the metrics) decides
    the side, so the rounding never moves a decision across the limit."""
    shown = _round6(share)
    if abs(share - limit) > _ROUNDED_INPUTS and (shown > limit) == (share > limit):
        return shown
    x = exact()
    if not near(share, (limit,)):
        # Beyond float noise of the limit but within the inputs' rounding: the figure as
        # before when it is on the exact side (and equal only when exactly equal).
        at, above = x == written(limit), x > written(limit)
        if (shown == limit) == at and (shown > limit) == above:
            return shown
    # A pure function of the share, the limit and the exact share: kept per value.
    key = (share, limit, *x.as_integer_ratio())
    held = _HELD.get(key)
    if held is None:
        held = _held_exactly(share, x, limit)
        if len(_HELD) >= 4096:
            _HELD.clear()
        _HELD[key] = held
    return held


#: :func:`_held_exactly` per ``(share, limit, exact numerator, exact denominator)``.
_HELD: dict[tuple[float, ...], float] = {}


def _held_exactly(share: float, x: Fraction, limit: float) -> float:
    """:func:`held_share` near ``limit``, with ``x`` the exact share: the float nearest it,
    held below the limit where it is exactly below but rounds onto it."""
    held = float(x)
    if (held >= limit) != (x >= written(limit)):
        held = math.nextafter(limit, -math.inf)
    above = held > limit or (held == limit and x > written(limit))
    at = x == written(limit)
    for digits in range(7, 18):
        shown = round(held, digits)
        if (shown > limit) == above and (shown == limit) == at:  # never onto it either
            return shown
    return math.nextafter(limit, math.inf) if above else held
