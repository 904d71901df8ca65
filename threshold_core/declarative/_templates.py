"""Message templates: ``{expr}`` placeholders, and CEL values rendered in a message."""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Any, NamedTuple

from ..model import format_against, format_percent, format_significant

# --------------------------------------------------------------------------- messages

#: What looks like a format spec after the last colon of a placeholder.
_SPEC = re.compile(r"[<>=^]?[+-]?#?0?\d*[,_]?(?:\.\d+)?[eEfFgGn%dsx]?")
#: The safe subset a message may use: an alignment, a sign, ``0``, a width of at
#: most 2 digits, a thousands separator, a precision of at most 2 digits and one of
#: the types ``e f g d % s`` (a width or precision in the billions would ask for
#: gigabytes of memory).
_SAFE_SPEC = re.compile(r"[<>^]?[+-]?0?(?:[1-9]\d?)?[,_]?(?:\.\d{1,2})?[efgd%s]?")
#: A fixed-point or percent format a float is shown through the figure formatters with.
_FIGURE_SPEC = re.compile(r"(,?)\.(\d{1,2})([f%])")
#: A significant-digits spec a figure is kept off whole numbers under: ``g``, ``.4g``.
_SIGNIFICANT_SPEC = re.compile(r"(?:\.(\d{1,2}))?g")
#: The limits of :data:`_SAFE_SPEC`, for the documentation and messages.
MAX_FORMAT_WIDTH = 99


class Placeholder(NamedTuple):
    expression: str
    spec: str
    #: Offset of the expression inside the template.
    offset: int


def parse_template(text: str) -> list[str | Placeholder]:
    """Split a message into text and ``{expr}`` / ``{expr:spec}`` placeholders.

    ``{{`` and ``}}`` are literal braces. A format spec follows the last
    colon when it looks like one (``,.1f``, ``.0%``), so a CEL ternary with
    spaces (``a ? b : c``) is not mistaken for one.
    """
    parts: list[str | Placeholder] = []
    buf: list[str] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c in "{}" and text[i : i + 2] in ("{{", "}}"):
            buf.append(c)
            i += 2
            continue
        if c == "}":
            raise ValueError(f"unmatched '}}' at column {i + 1}")
        if c != "{":
            buf.append(c)
            i += 1
            continue
        end = text.find("}", i)
        if end < 0:
            raise ValueError(f"unclosed '{{' at column {i + 1}")
        inner = text[i + 1 : end]
        expr, spec = inner, ""
        head, sep, tail = inner.rpartition(":")
        if sep and tail and _SPEC.fullmatch(tail):
            if not _SAFE_SPEC.fullmatch(tail):
                raise ValueError(
                    f"format {tail!r} at column {i + 2 + len(head)} is outside the safe "
                    "subset (alignment, sign, 0, width and precision of at most "
                    f"{MAX_FORMAT_WIDTH}, a separator, and one of e f g d % s)")
            expr, spec = head, tail
        if not expr.strip():
            raise ValueError(f"empty placeholder at column {i + 1}")
        if buf:
            parts.append("".join(buf))
            buf = []
        parts.append(Placeholder(expr, spec, i + 1))
        i = end + 1
    if buf:
        parts.append("".join(buf))
    return parts


def render_value(value: Any, spec: str = "") -> str:
    """A CEL value in a message: numbers without noise, dates as dates.

    A float under a fixed-point spec (``{x / 1e9:,.2f}``) gets more digits where those
    would show it at 0 when it is not 0, or onto or across a whole number it is not equal
    to (the lines messages name are whole numbers in the units shown: RMB 4bn, so
    3,999,999,999.99 is "3.99999999999bn", never "4.00bn"); under a percent spec
    (``{x:.0%}``), where they would show it at 0% or 100% when it is neither; under a
    significant-digits spec (``{x:g}``, ``{x:.4g}``) and with no spec (two decimals at
    most), where they would show it at 0 or onto or across a whole number (69.999 is
    never "70" beside a house limit of 70)
    (:func:`~threshold_core.model.format_against`, :func:`~threshold_core.model.format_percent`,
    :func:`~threshold_core.model.format_significant`).
    """
    if spec and value.__class__ is float and math.isfinite(value):
        figure = _FIGURE_SPEC.fullmatch(spec)
        if figure is not None and figure[3] == "f":
            whole = float(math.floor(value))
            return format_against(value, (whole, whole + 1.0), int(figure[2]),
                                  grouping=bool(figure[1]))
        if figure is not None and not figure[1]:
            return format_percent(value, (), int(figure[2]))
        significant = _SIGNIFICANT_SPEC.fullmatch(spec)
        if significant is not None:
            whole = float(math.floor(value))
            return format_significant(value, (whole, whole + 1.0), int(significant[1] or 6))
    if spec:
        try:
            return format(value, spec)
        except (TypeError, ValueError):
            pass
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return f"{int(value):,}"
        # never 0.00 for a figure that is not 0, nor a whole number it is not (69.999 is
        # not "70" beside a line of 70)
        whole = float(math.floor(value)) if math.isfinite(value) else 0.0
        shown = format_against(value, (whole, whole + 1.0))
        return shown.rstrip("0").rstrip(".") if "." in shown and "e" not in shown else shown
    if isinstance(value, int):
        return f"{value:,}"
    if type(value).__name__ == "Timestamp" and hasattr(value, "ToDatetime"):  # protobuf
        value = value.ToDatetime()
    if isinstance(value, datetime):
        return value.date().isoformat() if not (value.hour or value.minute) else value.isoformat()
    if isinstance(value, list):
        return ", ".join(render_value(v) for v in value)
    if value is None:
        return "null"
    if isinstance(value, dict):
        # Keys in order: cel-cpp hands a map back in an order that differs between
        # processes, and a message is part of the decision a receipt replays.
        return str(_in_order(value))
    return str(value)


def _in_order(value: Any) -> Any:
    """``value`` with every map's keys sorted (by kind, then text), lists kept in order."""
    if isinstance(value, dict):
        return {k: _in_order(value[k])
                for k in sorted(value, key=lambda k: (type(k).__name__, str(k)))}
    if isinstance(value, list):
        return [_in_order(v) for v in value]
    return value


