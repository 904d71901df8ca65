"""The strict scalar hooks of the converter: numbers, strings, booleans, dates and enums
are read exactly as documented (no bool as a number, no number as a string), and each
refusal says what was found (used by :mod:`._converter`).
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from typing import Any

from ..model import INT64_RANGE
from ._reading import lone_surrogate


def _show(value: Any) -> str:
    if isinstance(value, str):
        return '"' + value + '"' if len(value) <= 40 else '"' + value[:37] + '..."'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, (list, tuple)):
        return "an array"
    if value is None:
        return "nothing"
    # TOML's dates and times as TOML writes them, not as Python's repr.
    if isinstance(value, datetime):
        return "a date-time " + value.isoformat()
    if isinstance(value, date):
        return "a date " + value.isoformat()
    if isinstance(value, time):
        return "a time " + value.isoformat()
    return repr(value)


def unknown_key(key: str, names: Iterable[str]) -> str:
    """The message for ``key``, which is none of ``names``: the name it differs from only in
    case or separators (``cac_genai_filing``, ``CAC-GENAI-FILING``), else every name when
    there are few (``[registry_checks]`` has four)."""
    names = sorted(names)

    def loose(name: str) -> str:
        return name.casefold().replace("-", "_").replace(" ", "_")

    near = [n for n in names if loose(n) == loose(key)]
    if near:
        return f"unknown key (did you mean {near[0]}?)"
    if 0 < len(names) <= 6:
        return f"unknown key (known: {', '.join(names)})"
    return "unknown key"


def _structure_float(value: Any, _: type) -> float:
    if value.__class__ is float:
        if value - value == 0.0:  # finite
            return value
    elif isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"expected a number, got {_show(value)}")
    try:
        number = float(value)
    except OverflowError:  # an integer beyond the float range
        raise ValueError("expected a number within about ±1.8e308, got an integer "
                         "beyond it") from None
    if not math.isfinite(number):
        raise ValueError(f"expected a finite number, got {number!r}" + (
            " (a number beyond about ±1.8e308 reads as infinity)" if number == number else ""))
    return number


_INT_LOW, _INT_HIGH = INT64_RANGE


def _structure_int(value: Any, _: type) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected a whole number, got {_show(value)}")
    if not _INT_LOW <= value <= _INT_HIGH:
        raise ValueError(f"{INT64_WORDS}, got {_whole(value)}")
    return value


#: What a whole number must be (:data:`~threshold_core.model.INT64_RANGE`).
INT64_WORDS = ("expected a whole number from -9,223,372,036,854,775,808 to "
               "9,223,372,036,854,775,807 (64 bits)")


def _whole(value: int) -> str:
    """A whole number as written, or its size when Python would refuse to write it (more
    than 4,300 digits: ``sys.get_int_max_str_digits``)."""
    if value.bit_length() <= 14_000:  # at most about 4,215 digits
        return str(value)
    return f"a number of about {int(value.bit_length() * 0.30103):,} digits"


def _structure_str(value: Any, _: type) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {_show(value)}")
    # A lone surrogate ("\ud800" in JSON, or an undecodable byte of a CSV) cannot be
    # written to any output: reject it here, where the path is known.
    if not value.isascii() and (problem := lone_surrogate(value)) is not None:
        raise ValueError(problem)
    return value


def _structure_bool(value: Any, _: type) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected true or false, got {_show(value)}")
    return value


#: The dates a profile or a configuration may hold (house policy): from 1900-01-01 to
#: 2100-12-31. No company, filing or exchange rate this tool judges is older than 1900,
#: and a date outside is a typo (``1026`` for ``2026``). The span, 201 years, keeps every
#: difference of two dates within a CEL duration (int64 nanoseconds, about 292 years), so
#: no date the model accepts can make a declarative rule overflow.
DATE_RANGE = (date(1900, 1, 1), date(2100, 12, 31))
_EARLIEST, _LATEST = DATE_RANGE


def _out_of_range(value: date) -> ValueError:
    return ValueError(f"the date {value.isoformat()} is outside {_EARLIEST.isoformat()} to "
                      f"{_LATEST.isoformat()} (house policy: a date outside is a typo)")


def checked_date(value: str) -> date:
    """``date.fromisoformat`` within :data:`DATE_RANGE` (the loader's fast path)."""
    day = date.fromisoformat(value)
    if not _EARLIEST <= day <= _LATEST:
        raise _out_of_range(day)
    return day


def _structure_date(value: Any, _: type) -> date:
    if isinstance(value, datetime):
        raise TypeError(f"expected a date (YYYY-MM-DD), got {_show(value)}")
    day: date | None = value if isinstance(value, date) else None
    if isinstance(value, str):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            day = None
    if day is None:
        raise TypeError(f"expected a date (YYYY-MM-DD), got {_show(value)}")
    if not _EARLIEST <= day <= _LATEST:
        raise _out_of_range(day)
    return day


def _structure_enum(value: Any, cls: type[enum.Enum]) -> enum.Enum:
    member = cls._value2member_map_.get(value) if value.__class__ is str else None
    if member is not None:
        return member
    try:
        return cls(value)
    except ValueError:
        allowed = ", ".join(str(m.value) for m in cls)
        raise ValueError(f"expected one of {allowed}; got {_show(value)}") from None


def _unstructure_date(value: date) -> str:
    return value.isoformat()
