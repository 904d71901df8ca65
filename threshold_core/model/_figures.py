"""A profile's building blocks: figures with provenance, money, ranges.

A :class:`Figure` is a number with optional provenance. In a profile file it
is written either as a bare number (``ndr_pct = 120``) or as a table
(``ndr_pct = { value = 120, source = "article", as_of = 2026-06-01 }``). A
section's ``source`` and ``as_of`` apply to the bare figures inside it.
Money is an amount plus an ISO 4217 currency; the engine converts to CNY with
the FX table of the configuration (which carries its own date). Percentages are
floats from 0 to 100.
"""

from __future__ import annotations

import enum
from datetime import date
from typing import Any

from attrs import field, frozen

#: String enums whose ``str()`` is their value (kept importable from here).
StrEnum = enum.StrEnum


#: Field metadata key of a number's documented range: ``(lowest, highest)``, inclusive,
#: None for no bound. A ``*_pct`` field without it is a share (0-100); plugins' profile
#: extension classes may declare it too. Profiles are checked against it when they load,
#: and the JSON Schema states it (``minimum``, ``maximum``).
RANGE = "threshold.range"


def range_of(attribute: Any) -> tuple[float | None, float | None] | None:
    """The documented range of an attrs field, or None when it has none."""
    bounds = attribute.metadata.get(RANGE, (0.0, 100.0) if attribute.name.endswith("_pct")
                                    else None)
    return None if bounds == (None, None) else bounds


#: The whole numbers a profile or a configuration may hold, ``(lowest, highest)``: 64-bit
#: signed integers, CEL's ``int`` (the CEL language definition, "Values": int is a 64-bit
#: signed integer). A count beyond it is a typo, and no declarative rule could read it
#: (cel-cpp refuses the whole profile's conversion), so the loader refuses it by path.
INT64_RANGE = (-(2**63), 2**63 - 1)


#: A percentage of a whole: 0-100.
SHARE = {RANGE: (0.0, 100.0)}


#: An amount, a count or a duration: not negative.
AMOUNT = {RANGE: (0.0, None)}


@frozen
class Figure:
    """A number with its provenance."""

    #: The number itself.
    value: float
    #: Where it comes from: a citation, a URL, or ``"illustrative"``.
    source: str | None = None
    #: The date the figure describes.
    as_of: date | None = None
    #: Free-text caveat (a definition, a period).
    note: str | None = None


@frozen
class Money:
    """An amount of money in a named currency."""

    #: The amount, in units of ``currency`` (not negative).
    amount: float = field(metadata=AMOUNT)
    #: ISO 4217 code, for example ``"CNY"``, ``"USD"``, ``"HKD"``. Required: a default would
    #: be a guess, and a better one for some readers (an HKD amount read as CNY is 9% larger).
    currency: str
