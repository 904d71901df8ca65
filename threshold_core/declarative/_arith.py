"""Checked division: CEL's ``/`` for the rules of a pack, failing closed.

CEL divides doubles as IEEE 754 does (the conformance suite's ``fp_math``): ``x / 0.0``
is an infinity and ``0.0 / 0.0`` a NaN, and every comparison with a NaN is false, so a
rule such as ``cash / monthly_net_burn < 12.0`` would pass silently on a zero burn.
threshold's rules fail closed instead (docs/rulepacks.md): every ``/`` of a pack's
condition or message runs as the function ``div`` of the running environment, which is
CEL's own division except that a double divided by zero, or a quotient that is not a
finite number, is an error (the rule's ``error`` event). Integer and unsigned division
are CEL's exactly (truncated towards zero; ``divide by zero``, ``integer overflow``).

The rename is made on the checked expression CEL itself produced (a call's function name
``_/_`` becomes ``div``, three bytes for three, so nothing else in the encoding moves);
the checking environment never declares ``div``, so a pack cannot call it by name.
"""

from __future__ import annotations

from typing import Any

from ..model import INT64_RANGE
from ._checked import wire_fields

#: The running environment's name for a checked division (as long as CEL's ``_/_``).
DIVIDE = "div"
_INT64_MIN = INT64_RANGE[0]


def _divide_int(a: int, b: int) -> int:
    if b == 0:
        raise TypeError("divide by zero")  # INVALID_ARGUMENT, as CEL's own
    if a == _INT64_MIN and b == -1:
        raise OverflowError("integer overflow")  # OUT_OF_RANGE, as CEL's own
    q = abs(a) // abs(b)
    return -q if (a < 0) != (b < 0) else q


def _divide_uint(a: int, b: int) -> int:
    if b == 0:
        raise TypeError("divide by zero")
    return a // b


def _divide_double(a: float, b: float) -> float:
    if b == 0.0:
        raise TypeError("divide by zero")
    q = a / b
    if q - q != 0.0:  # inf or NaN (a NaN operand, or an overflow)
        raise OverflowError("the quotient is not a finite number")
    return q


def division_declaration(cel: Any) -> Any:
    """The ``div`` function of the running environment."""
    T = cel.Type
    return cel.FunctionDecl(DIVIDE, [
        cel.Overload("threshold_divide_int64", T.INT, [T.INT, T.INT], impl=_divide_int),
        cel.Overload("threshold_divide_uint64", T.UINT, [T.UINT, T.UINT], impl=_divide_uint),
        cel.Overload("threshold_divide_double", T.DOUBLE, [T.DOUBLE, T.DOUBLE],
                     impl=_divide_double),
    ])


# --------------------------------------------------------------------------- the rename

# Field numbers (CEL's syntax.proto, checked.proto and google.protobuf.Any).
_ANY_VALUE, _CHECKED_EXPR, _PARSED_EXPR = 2, 4, 2
_SELECT, _CALL, _LIST, _STRUCT, _COMPREHENSION = 5, 6, 7, 8, 9
#: Which fields of which message hold an Expr (or a message holding one).
_EXPR_FIELDS: dict[str, dict[int, str]] = {
    "expr": {_SELECT: "select", _CALL: "call", _LIST: "list", _STRUCT: "struct",
             _COMPREHENSION: "comprehension"},
    "select": {1: "expr"},
    "call": {1: "expr", 3: "expr"},
    "list": {1: "expr"},
    "struct": {2: "entry"},
    "entry": {3: "expr", 4: "expr"},
    "comprehension": {2: "expr", 4: "expr", 5: "expr", 6: "expr", 7: "expr"},
}
_OPERATOR = b"_/_"


def _fields(buf: bytes, start: int, end: int) -> list[tuple[int, int, int, int]]:
    """``(field, wire type, start, end)`` of each length-delimited field in ``buf[start:end]``."""
    return [(f, w, s, e) for f, w, _, s, e in wire_fields(buf, start, end) if w == 2]


def _operators(buf: bytes, start: int, end: int, kind: str, found: list[int]) -> None:
    for field, _, s, e in _fields(buf, start, end):
        if kind == "call" and field == 2:
            if buf[s:e] == _OPERATOR:
                found.append(s)
            continue
        inner = _EXPR_FIELDS[kind].get(field)
        if inner is not None:
            _operators(buf, s, e, inner, found)


def checked_division(serialized: bytes) -> bytes:
    """``serialized`` (CEL's checked or parsed expression, in a ``google.protobuf.Any``)
    with every call of ``_/_`` renamed :data:`DIVIDE`; the same bytes when it has none."""
    found: list[int] = []
    parts = {field: (s, e) for field, _, s, e in _fields(serialized, 0, len(serialized))}
    if 1 in parts and _ANY_VALUE in parts:
        s, e = parts[1]
        wanted = _CHECKED_EXPR if serialized[s:e].endswith(b".CheckedExpr") else _PARSED_EXPR
        s, e = parts[_ANY_VALUE]
        for field, _, s2, e2 in _fields(serialized, s, e):
            if field == wanted:
                _operators(serialized, s2, e2, "expr", found)
    if not found:
        return serialized
    out = bytearray(serialized)
    name = DIVIDE.encode()
    for at in found:
        out[at:at + 3] = name
    return bytes(out)
