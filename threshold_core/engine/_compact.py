"""What components did, recorded compactly, built when the trace is read (issue 20).

Most rules of an evaluation pass. A built-in rule that passes hands back its evidence
alone (a ``dict``: the kit's fast path, ``docs/hooks.md``), and the pack loop records
that dict where the outcome would be, instead of building, checking and recording a
:class:`~threshold_core.model.RuleOutcome`. The pack's trace event and its
:class:`~threshold_core.model.PackOutcomes` hold an :class:`Outcomes` (their ``rules``
and ``outcomes``) and a :class:`Read` (the event's ``read``): deferred fields
(:mod:`threshold_core.model._deferred`), built into what the engine recorded before,
the same objects and values, on their first read.
"""

from __future__ import annotations

from typing import Any

from ..kit import MetricRows
from ..model import (
    Deferred,
    DimensionScore,
    RuleOutcome,
    RuleStatus,
    positional_builder,
    recorded,
)

_PASSED = RuleStatus.PASSED
#: ``RuleOutcome(*every field)``.
_outcome = positional_builder(RuleOutcome)


class Outcomes(Deferred):
    """A pack's outcomes as recorded: a RuleOutcome, or the evidence of a rule that passed
    through the kit's fast path; built into the tuple of RuleOutcome once, when read."""

    __slots__ = ("built", "ids", "recorded")

    def __init__(self, recorded: list[Any], ids: tuple[str, ...]) -> None:
        self.recorded = recorded
        self.ids = ids
        self.built: tuple[RuleOutcome, ...] | None = None

    def build(self) -> tuple[RuleOutcome, ...]:
        # The same tuple for the trace event and the policy's PackOutcomes.
        if self.built is None:
            self.built = tuple(
                _outcome(_PASSED, None, None, (), o, rid) if o.__class__ is dict else o
                for o, rid in zip(self.recorded, self.ids, strict=True))
        return self.built


class Read(Deferred):
    """A pack event's ``read``: every path its outcomes' evidence names, sorted."""

    __slots__ = ("outcomes", "read")

    def __init__(self, outcomes: Outcomes, read: set[str]) -> None:
        self.outcomes = outcomes
        self.read = read

    def build(self) -> tuple[str, ...]:
        read = self.read
        for o in self.outcomes.recorded:
            if o.__class__ is dict and o:
                read.update(o)
        return tuple(sorted(read))


def band_sources(value: DimensionScore) -> dict[str, str | None]:
    """The scorer event's ``band_sources``: each metric's band source, where it has one."""
    metrics = recorded(value, "metrics")
    if metrics.__class__ is MetricRows:  # a kit scorer's: its plan's, one per metric
        return dict(metrics.band_sources)
    return {m.metric: m.band_source for m in value.metrics if m.band_source}


_NUMBER = (float, int)


def plain_rows(rows: list[tuple[Any, ...]], max_text: int) -> bool:
    """Whether every row of a kit scorer's :class:`MetricRows` is the usual case that
    ``check_score`` passes in one test: finite figures in range, plain short strings."""
    for (name, weight, raw, points, inputs, source, note, _state, _states, _sources,
         _grade, _band) in rows:
        if not (weight.__class__ in _NUMBER and -1e300 < weight < 1e300
                and (raw is None or (raw.__class__ in _NUMBER and -1e300 <= raw <= 1e300))
                and (points is None
                     or (points.__class__ in _NUMBER and 0.0 <= points <= 100.0))
                and name.__class__ is str and inputs.__class__ is tuple
                and (note is None or (note.__class__ is str and len(note) <= max_text))
                and (source is None or source.__class__ is str)):
            return False
    return True
