"""What a metric's reader returns: a :class:`Reading`, or the same as a plain tuple.

A reader (``Metric.reader``) reads one raw figure from a profile. :func:`reading` gives
the fields of a :class:`Reading` as a plain tuple, in order: the faster return, since
a scorer reads the fields and never needs the object (:func:`~threshold_core.kit.
score_metrics` takes either).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from attrs import field, frozen

from ..model import Context


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


#: :func:`reading`'s plain tuple: a :class:`Reading`'s fields in order (``states`` may be
#: None: no states).
ReadingRow = tuple[float, tuple[str, ...], "str | None", "str | None", "str | None",
                   "Mapping[str, float] | None", tuple["str | None", ...]]


def reading(value: float, inputs: tuple[str, ...], source: str | None = None,
            note: str | None = None, state: str | None = None,
            states: Mapping[str, float] | None = None,
            sources: tuple[str | None, ...] = ()) -> ReadingRow:
    """What ``Reading(...)`` says with the same arguments, as a plain tuple: the faster
    return for a reader (a scorer reads its fields alike and never builds the object)."""
    return (value, inputs, source, note, state, states, sources)


#: Reads one metric's raw value: ``(profile, context, settings) -> Reading | None``
#: (None when the data is missing), or the same as :func:`reading`'s tuple.
Reader = Callable[[Any, Context, Any], "Reading | ReadingRow | None"]


def figure_reading(fig: Any, path: str, section_source: str | None = None) -> Reading | None:
    """A :class:`Reading` from an optional :class:`~threshold_core.model.Figure`."""
    if fig is None:
        return None
    return Reading(value=fig.value, inputs=(path,), source=fig.source or section_source)
