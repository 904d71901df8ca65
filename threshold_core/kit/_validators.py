"""Validators and converters for plugin settings classes (``[settings.<name>]``).

One set for every built-in scorer and rule pack, so a setting means the same
everywhere: a percentage is a number in 0-100, a list of names to match is
compared without case or surrounding spaces. A validator's message names the
setting; the configuration loader adds the file and the path in it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from attrs import Attribute

from ._text import fold


def percent(_: Any, attribute: Attribute[float], value: float) -> None:
    """A percentage: a number within 0-100 (NaN is refused)."""
    if not 0.0 <= value <= 100.0:
        raise ValueError(f"{attribute.name}: must be within 0-100, got {value:g}")


def non_negative(_: Any, attribute: Attribute[Any], value: float) -> None:
    """A count or an amount: 0 or more (NaN is refused)."""
    if not value >= 0:
        raise ValueError(f"{attribute.name}: must not be negative, got {value:g}")


def valid_regex(_: Any, attribute: Attribute[str], value: str) -> None:
    """A regular expression Python compiles."""
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"{attribute.name}: invalid regular expression: {exc}") from None


def lowered(values: Iterable[str]) -> tuple[str, ...]:
    """Names to match, in the one form names are compared in (:func:`fold`: NFKC, case
    folded, spaces trimmed): ``" Ascend"`` -> ``"ascend"``. Compare ``fold(value)`` to them."""
    return tuple(fold(v) for v in values)


def uppered(values: Iterable[str]) -> tuple[str, ...]:
    """Codes to match: NFKC (full-width letters), spaces stripped, upper case
    (``" usd"`` -> ``"USD"``)."""
    return tuple(unicodedata.normalize("NFKC", v).strip().upper() for v in values)
