"""The values and functions of :mod:`._fast`: CEL's meaning for the subset it runs.

Each function takes evaluated arguments (never an error: the caller returns the one error
among them first) and raises :class:`LeftToCel` for anything outside the subset.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from ..model import INT64_RANGE

INT64 = -INT64_RANGE[0]  # 2**63: CEL's int is within [-INT64, INT64)
#: A compiled expression: the variables (and macro variables) in, a value or AbsentKey out.
Node = Callable[[dict[str, Any]], Any]

#: Longest list a comprehension runs over here; longer ones are CEL's (its iteration
#: budget decides when one is too long).
MAX_FAST_ITEMS = 1000


class LeftToCel(Exception):
    """The expression met something outside the subset: CEL evaluates it instead."""


class AbsentKey:
    """CEL's error for a field a map lacks (``has()`` false), as CEL words it."""

    __slots__ = ("key",)

    def __init__(self, key: str) -> None:
        self.key = key

    @property
    def message(self) -> str:
        return f'NOT_FOUND: Key not found in map : "{self.key}"'


def plain_value(value: Any) -> Any:
    """A value as the CEL library's ``plain_value()`` gives it (a timestamp as an aware
    datetime); :class:`LeftToCel` for anything else."""
    cls = value.__class__
    if cls in _PLAIN:
        return value
    if cls is list:
        return [plain_value(v) for v in value]
    if cls is dict:
        return {k: plain_value(v) for k, v in value.items()}
    if is_timestamp(value):
        return as_time(value)
    raise LeftToCel


_PLAIN = frozenset({bool, int, float, str, datetime, type(None)})


def is_timestamp(value: Any) -> bool:
    return type(value).__name__ == "Timestamp" and hasattr(value, "ToDatetime")


#: The classes a converted profile's scalars have (the rest: lists, maps, timestamps).
SCALARS = frozenset({str, float, int, bool})


def as_value(value: Any) -> Any:
    """A converted profile's value as the functions here take it (a timestamp as an aware
    datetime)."""
    if value.__class__ in _AS_IS:
        return value
    return as_time(value) if is_timestamp(value) else value


_AS_IS = SCALARS | {dict, list, type(None)}


#: A profile date (a protobuf Timestamp in the converted profile) as an aware datetime,
#: per (seconds, nanos): the same dates come back.
_TIMES: dict[tuple[int, int], datetime] = {}


def as_time(ts: Any) -> datetime:
    key = (ts.seconds, ts.nanos)
    got = _TIMES.get(key)
    if got is None:
        if ts.nanos % 1000:
            raise LeftToCel  # finer than a datetime holds
        try:
            got = ts.ToDatetime(tzinfo=UTC)
        except (ValueError, OverflowError):
            raise LeftToCel from None  # beyond the calendar: CEL's error
        if len(_TIMES) >= 4096:
            _TIMES.clear()
        _TIMES[key] = got
    return got


def _kind(value: Any) -> type:
    """The kind two values must share to be ordered here."""
    cls: type = value.__class__
    if cls in _ORDERED:
        return cls
    raise LeftToCel


_ORDERED = frozenset({bool, int, float, str, datetime})


def first_error(*values: Any) -> Any:
    """The one error among the arguments of a strict function (None when there is none);
    two errors: :class:`LeftToCel` (CEL decides which it reports)."""
    found = None
    for v in values:
        if v.__class__ is AbsentKey:
            if found is not None:
                raise LeftToCel
            found = v
    return found


def error_of(a: Any, b: Any) -> Any:
    """:func:`first_error` of two arguments."""
    if a.__class__ is AbsentKey:
        if b.__class__ is AbsentKey:
            raise LeftToCel
        return a
    return b if b.__class__ is AbsentKey else None


def _int64(n: int) -> int:
    if not -INT64 <= n < INT64:
        raise LeftToCel  # CEL's integer overflow error
    return n


# --------------------------------------------------------------------------- functions


def _eq(a: Any, b: Any) -> bool:
    if a.__class__ is not b.__class__ or a.__class__ not in _ORDERED:
        if a is None and b is None:
            return True
        raise LeftToCel  # mixed kinds, lists, maps: CEL's heterogeneous equality
    return bool(a == b)


def _compare(op: Callable[[Any, Any], bool]) -> Callable[[Any, Any], Any]:
    def compare(a: Any, b: Any) -> Any:
        if _kind(a) is not _kind(b):
            raise LeftToCel
        return op(a, b)
    return compare


def _add(a: Any, b: Any) -> Any:
    cls = a.__class__
    if cls is not b.__class__:
        raise LeftToCel
    if cls is float or cls is str or cls is list:
        return a + b
    if cls is int:
        return _int64(a + b)
    raise LeftToCel


def _arith(op: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def arith(a: Any, b: Any) -> Any:
        cls = a.__class__
        if cls is not b.__class__:
            raise LeftToCel
        if cls is float:
            return op(a, b)
        if cls is int:
            return _int64(op(a, b))
        raise LeftToCel
    return arith


def _divide(a: Any, b: Any) -> Any:
    if a.__class__ is not float or b.__class__ is not float or b == 0.0:
        raise LeftToCel  # ints, and division by zero: the checked division's own error
    q = a / b
    if not math.isfinite(q):
        raise LeftToCel
    return q


def _size(a: Any) -> Any:
    if a.__class__ in (str, list, dict):
        return len(a)
    raise LeftToCel


def _in(a: Any, b: Any) -> Any:
    if b.__class__ is not list:
        raise LeftToCel
    return any(_eq(a, x) for x in b)


def _add_months(when: Any, months: Any) -> Any:
    if when.__class__ is not datetime or months.__class__ is not int:
        raise LeftToCel
    from ._cel import _add_months as add

    try:
        got = add(when, months)
    except Exception:  # whatever it is, CEL reports it
        raise LeftToCel from None
    if got.year <= 1 or got.year >= 9999:
        raise LeftToCel  # clamped to the calendar's end: CEL's timestamp limits decide
    return got


def _not(a: Any) -> Any:
    if a.__class__ is not bool:
        raise LeftToCel
    return not a


def _negate(a: Any) -> Any:
    if a.__class__ is float:
        return -a
    if a.__class__ is int:
        return _int64(-a)
    raise LeftToCel


def not_strictly_false(a: Any) -> Any:
    return a is not False  # true, or an error


STRICT: dict[str, Callable[..., Any]] = {
    "_==_": lambda a, b: _eq(a, b),
    "_!=_": lambda a, b: not _eq(a, b),
    "_<_": _compare(lambda a, b: a < b),
    "_<=_": _compare(lambda a, b: a <= b),
    "_>_": _compare(lambda a, b: a > b),
    "_>=_": _compare(lambda a, b: a >= b),
    "_+_": _add,
    "_-_": _arith(lambda a, b: a - b),
    "_*_": _arith(lambda a, b: a * b),
    "_/_": _divide,
    "@in": _in,
    "size": _size,
    "addMonths": _add_months,
    "!_": _not,
    "-_": _negate,
}


# ---------------------------------------------------------------- combinators and macro loops


def equal_constant(x: Node, k: Any, equal: bool) -> Node:
    """``x == k`` (or ``!=``) with ``k`` a literal scalar: ``_eq`` of :mod:`._fastops`."""
    kind = k.__class__

    def equal_constant(env: dict[str, Any]) -> Any:
        a = x(env)
        if a.__class__ is kind:
            return (a == k) is equal
        if a.__class__ is AbsentKey:
            return a
        raise LeftToCel  # another kind: CEL's heterogeneous equality
    return equal_constant

def logic(left: Node, right: Node, is_or: bool) -> Node:
    """``&&`` / ``||``: either side deciding it decides it, whatever the other is (an
    error included), as CEL's commutative logic."""
    decides = is_or  # true decides ||, false decides &&

    def logic(env: dict[str, Any]) -> Any:
        a = left(env)
        if a is decides:
            return a
        b = right(env)
        if b is decides:
            return b
        for v in (a, b):
            if v.__class__ is not bool and v.__class__ is not AbsentKey:
                raise LeftToCel  # not a bool: CEL's no-such-overload
        error = first_error(a, b)
        return error if error is not None else (not decides)
    return logic

def conditional(cond: Node, yes: Node, no: Node) -> Node:
    def conditional(env: dict[str, Any]) -> Any:
        c = cond(env)
        if c is True:
            return yes(env)
        if c is False:
            return no(env)
        if c.__class__ is AbsentKey:
            return c
        raise LeftToCel
    return conditional

def _loop(items: Node, env: dict[str, Any]) -> Any:
    """The list a macro runs over, or the error it is; :class:`LeftToCel` for a map (its
    keys), anything else, and a list past :data:`MAX_FAST_ITEMS`."""
    got = items(env)
    if got.__class__ is AbsentKey:
        return got
    if got.__class__ is not list or len(got) > MAX_FAST_ITEMS:
        raise LeftToCel
    return got


def quantifier(items: Node, var: str, pred: Node, decides: bool) -> Node:
    """``exists`` (``decides`` true: the first true predicate decides) or ``all`` (false)."""
    def quantifier(env: dict[str, Any]) -> Any:
        got = _loop(items, env)
        if got.__class__ is AbsentKey:
            return got
        inner = dict(env)
        error = None
        for item in got:
            inner[var] = as_value(item)
            v = pred(inner)
            if v is decides:
                return v
            if v.__class__ is AbsentKey:
                if error is not None:
                    raise LeftToCel  # two errors: CEL decides which it keeps
                error = v
            elif v.__class__ is not bool:
                raise LeftToCel
        return error if error is not None else (not decides)
    return quantifier


def collect(items: Node, var: str, node: Node, filtering: bool) -> Node:
    """``filter`` (``filtering``: the elements ``node`` is true of) or two-argument ``map``
    (what ``node`` gives for each element), with their expansions' errors: a filter's
    condition that is an error becomes the result (the ternary's error is its condition's),
    a map's value that is an error too, and a second one is CEL's to choose."""
    def collect_(env: dict[str, Any]) -> Any:
        got = _loop(items, env)
        if got.__class__ is AbsentKey:
            return got
        inner = dict(env)
        out: Any = []  # a list of this call's own
        for item in got:
            x = inner[var] = as_value(item)
            v = node(inner)
            if v.__class__ is AbsentKey:
                if not filtering and out.__class__ is AbsentKey:
                    raise LeftToCel
                out = v
            elif filtering and v is not True:
                if v is not False:
                    raise LeftToCel
            elif out.__class__ is list:
                out.append(x if filtering else v)
        return out
    return collect_


def has_wide_int(value: Any) -> bool:
    """Whether ``value`` (a view's variables) holds an int outside int64 anywhere: CEL
    converts one to a uint64 or refuses it, so every expression on that view is CEL's."""
    cls = value.__class__
    if cls is int:
        return not -INT64 <= value < INT64
    if cls is dict:
        return any(has_wide_int(v) for v in value.values())
    if cls is list:
        return any(has_wide_int(v) for v in value)
    return False
