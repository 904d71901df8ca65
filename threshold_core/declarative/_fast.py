"""Conditions and placeholders run in Python, where CEL's result is certain without CEL.

A declarative rule's expression is type-checked and compiled by CEL (:mod:`._cel`). Each
evaluation through the CEL library converts the profile into CEL values and back, which
costs more than most conditions do (``profile.valuation.basis in ['estimate', ...]``).
So the checked expression CEL itself produced is also turned into a Python function here,
for a small subset of CEL whose meaning is plain (the specification's semantics,
https://github.com/google/cel-spec/blob/master/doc/langdef.md):

* literals (null, bool, int, double, string), lists of them, the variables, macro
  variables, field selection and ``has()`` on maps;
* ``!``, ``&&`` and ``||`` (commutative over errors, as CEL's), ``? :``, ``==`` and ``!=``
  and the orderings of two values of one kind (bool, int, double, string, timestamp),
  ``in`` a list, ``+`` ``-`` ``*`` of doubles, of ints within int64 and ``+`` of strings
  and lists, ``/`` of doubles (the checked division of :mod:`._arith`), ``size()``,
  ``addMonths()``, and the comprehensions the macros expand to (``exists``, ``all``,
  ``exists_one``, ``filter``, ``map``).

Anything else, at compile time, leaves the expression to CEL; at run time, any value of
another kind, mixed kinds, an error other than a key a map lacks, or two errors meeting
raise :class:`LeftToCel` and CEL evaluates that expression on that profile (so every error
message is CEL's own). A key a map lacks is CEL's ``NOT_FOUND`` error (:class:`AbsentKey`),
absorbed by ``&&`` and ``||`` as CEL absorbs it. ``tests/declarative`` and
``benchmarks/cel_differential.py`` compare the two on generated conditions.
"""

from __future__ import annotations

import struct
from typing import Any

from ._checked import _CALL, _COMPREHENSION, _CONST, _IDENT, _LIST, _SELECT, _STRUCT, _one, _text
from ._checked import _decode as _message
from ._fastops import (
    INT64,
    MAX_FAST_ITEMS,
    SCALARS,
    STRICT,
    AbsentKey,
    LeftToCel,
    Node,
    as_value,
    collect,
    conditional,
    equal_constant,
    error_of,
    first_error,
    has_wide_int,
    logic,
    not_strictly_false,
    plain_value,
    quantifier,
)

__all__ = ["MAX_FAST_ITEMS", "AbsentKey", "LeftToCel", "Node", "compile_fast", "has_wide_int",
           "plain_value"]

#: cel-cpp's iteration budget: one evaluation's macros may run 9,999 steps in all.
_BUDGET = 10_000


class _Unsupported(Exception):
    """Outside the subset at compile time."""


def compile_fast(checked: bytes) -> Node | None:
    """The Python function of a checked expression (``Expression.serialize()``), or None
    when it uses anything outside the subset."""
    wrapper = _message(checked)
    expr = _message(_one(wrapper, 2, b"")) if 2 in wrapper and 1 in wrapper else wrapper
    state = _State()
    try:
        node = _expr(_message(_one(expr, 4, b"")), state)
    except (_Unsupported, ValueError, IndexError, KeyError, UnicodeDecodeError, struct.error):
        return None
    if state.macros * MAX_FAST_ITEMS >= _BUDGET:
        return None  # CEL's budget could run out where these loops would not
    return node


class _State:
    """What compiling one expression has met: its macros, and how deep it is in one's body."""

    def __init__(self) -> None:
        self.macros = 0
        self.depth = 0


# --------------------------------------------------------------------------- the tree


def _expr(e: dict[int, list[Any]], st: _State) -> Node:
    if _CONST in e:
        return _constant(_message(_one(e, _CONST)))
    if _IDENT in e:
        return _ident(_text(_message(_one(e, _IDENT)), 1))
    if _SELECT in e:
        s = _message(_one(e, _SELECT))
        fused = _path(e)
        if fused is not None:
            return fused
        return _select(_expr(_message(_one(s, 1, b"")), st), _text(s, 2), bool(_one(s, 3, 0)))
    if _CALL in e:
        return _call(_message(_one(e, _CALL)), st)
    if _LIST in e:
        lst = _message(_one(e, _LIST))
        if 2 in lst:  # optional elements
            raise _Unsupported
        return _list([_expr(_message(x), st) for x in lst.get(1, [])])
    if _COMPREHENSION in e:
        return _comprehension(_message(_one(e, _COMPREHENSION)), st)
    if _STRUCT in e:
        raise _Unsupported
    raise _Unsupported


def _constant(c: dict[int, list[Any]]) -> Node:
    if 1 in c:  # null_value
        value: Any = None
    elif 2 in c:
        value = bool(_one(c, 2))
    elif 3 in c:  # int64, two's complement on the wire
        n = _one(c, 3)
        value = n - 2**64 if n >= INT64 else n
    elif 5 in c:
        value = struct.unpack("<d", bytes(_one(c, 5)))[0]
    elif 6 in c:
        value = bytes(_one(c, 6)).decode("utf-8")
    else:  # uint64, bytes, durations, timestamps
        raise _Unsupported
    return lambda env: value


def _ident(name: str) -> Node:
    def ident(env: dict[str, Any]) -> Any:
        try:
            return env[name]
        except KeyError:
            raise LeftToCel from None  # an undeclared variable: CEL's error
    return ident


def _select(operand: Node, field: str, test_only: bool) -> Node:
    def select(env: dict[str, Any]) -> Any:
        m = operand(env)
        if m.__class__ is not dict:
            if m.__class__ is AbsentKey:
                return m
            raise LeftToCel
        if test_only:
            return field in m
        value = m.get(field, _ABSENT)
        if value is _ABSENT:
            return AbsentKey(field)
        return as_value(value)
    return select


_ABSENT = object()


def _path(e: dict[int, list[Any]]) -> Node | None:
    """A chain of field selections from a variable (``profile.valuation.basis``, or
    ``has()`` of its last field) as one function: what :func:`_select` gives, step by step."""
    fields: list[str] = []
    test_only = False
    while _SELECT in e:
        s = _message(_one(e, _SELECT))
        if _one(s, 3, 0):
            if fields:
                return None  # has() inside a chain
            test_only = True
        fields.append(_text(s, 2))
        e = _message(_one(s, 1, b""))
    if _IDENT not in e:
        return None
    root = _text(_message(_one(e, _IDENT)), 1)
    fields.reverse()
    last = fields.pop()
    steps = tuple(fields)

    def path(env: dict[str, Any]) -> Any:
        try:
            m = env[root]
        except KeyError:
            raise LeftToCel from None
        for f in steps:
            if m.__class__ is not dict:
                raise LeftToCel  # a AbsentKey is never a variable's value
            m = m.get(f, _ABSENT)
            if m is _ABSENT:
                return AbsentKey(f)
        if m.__class__ is not dict:
            raise LeftToCel
        if test_only:
            return last in m
        value = m.get(last, _ABSENT)
        if value.__class__ in SCALARS:
            return value
        if value is _ABSENT:
            return AbsentKey(last)
        return as_value(value)
    return path


def _list(items: list[Node]) -> Node:
    def make(env: dict[str, Any]) -> Any:
        values = [item(env) for item in items]
        error = first_error(*values)
        return values if error is None else error
    return make


def _call(c: dict[int, list[Any]], st: _State) -> Node:
    name = _text(c, 2)
    args = [_expr(_message(a), st) for a in c.get(3, [])]
    if 1 in c:  # a receiver call: x.size()
        args.insert(0, _expr(_message(_one(c, 1)), st))
    if name == "_&&_" and len(args) == 2:
        return logic(args[0], args[1], False)
    if name == "_||_" and len(args) == 2:
        return logic(args[0], args[1], True)
    if name == "_?_:_" and len(args) == 3:
        return conditional(*args)
    if name == "@not_strictly_false" and len(args) == 1:
        only = args[0]
        return lambda env: not_strictly_false(only(env))
    fn = STRICT.get(name)
    if fn is None or len(args) != fn.__code__.co_argcount:
        raise _Unsupported
    if len(args) == 1:
        a0 = args[0]

        def unary(env: dict[str, Any]) -> Any:
            a = a0(env)
            return a if a.__class__ is AbsentKey else fn(a)
        return unary
    if len(args) == 2:
        x, y = args
        raw = [_message(a) for a in c.get(3, [])]
        if 1 not in c and _CONST in raw[1]:  # a literal on the right: read once
            k = y({})
            if name in ("_==_", "_!=_") and k.__class__ in SCALARS:
                return equal_constant(x, k, name == "_==_")

            def with_constant(env: dict[str, Any]) -> Any:
                a = x(env)
                return a if a.__class__ is AbsentKey else fn(a, k)
            return with_constant

        def binary(env: dict[str, Any]) -> Any:
            a, b = x(env), y(env)
            error = error_of(a, b)
            return fn(a, b) if error is None else error
        return binary
    raise _Unsupported





def _comprehension(c: dict[int, list[Any]], st: _State) -> Node:
    if 8 in c or st.depth:  # two iteration variables; a macro in a macro's body
        raise _Unsupported
    st.macros += 1
    var, accu = _text(c, 1), _text(c, 3)
    iter_range = _expr(_message(_one(c, 2, b"")), st)
    init = _expr(_message(_one(c, 4, b"")), st)
    st.depth += 1
    macro = _macro(c, var, accu, iter_range, st)
    if macro is not None:
        st.depth -= 1
        return macro
    condition = _expr(_message(_one(c, 5, b"")), st)
    step = _expr(_message(_one(c, 6, b"")), st)
    result = _expr(_message(_one(c, 7, b"")), st)
    st.depth -= 1

    def comprehension(env: dict[str, Any]) -> Any:
        items = iter_range(env)
        if items.__class__ is AbsentKey:
            return items
        if items.__class__ is not list or len(items) > MAX_FAST_ITEMS:
            raise LeftToCel  # maps (keys), anything else, and CEL's iteration budget
        inner = dict(env)
        inner[accu] = init(env)
        for item in items:
            go = condition(inner)
            if go is False:
                break
            if go is not True:
                raise LeftToCel
            inner[var] = as_value(item)
            inner[accu] = step(inner)
        return result(inner)
    return comprehension



# --------------------------------------------------------------------------- the macros


def _is_ident(e: dict[int, list[Any]], name: str) -> bool:
    return _IDENT in e and _text(_message(_one(e, _IDENT)), 1) == name


def _call_of(e: dict[int, list[Any]], name: str, n: int) -> list[dict[int, list[Any]]] | None:
    """The arguments of a global call of ``name`` with ``n`` of them, else None."""
    if _CALL not in e:
        return None
    c = _message(_one(e, _CALL))
    args = [_message(a) for a in c.get(3, [])]
    return args if 1 not in c and _text(c, 2) == name and len(args) == n else None


def _bool_constant(e: dict[int, list[Any]]) -> bool | None:
    if _CONST not in e:
        return None
    c = _message(_one(e, _CONST))
    return bool(_one(c, 2)) if 2 in c and len(c) == 1 else None


def _one_item(e: dict[int, list[Any]]) -> dict[int, list[Any]] | None:
    """The element of a one-element list literal, else None."""
    if _LIST not in e:
        return None
    lst = _message(_one(e, _LIST))
    items = lst.get(1, [])
    return _message(items[0]) if len(items) == 1 and 2 not in lst else None


def _macro(c: dict[int, list[Any]], var: str, accu: str, items: Node,
           st: _State) -> Node | None:
    """The comprehension of ``exists``, ``all``, ``filter`` or two-argument ``map`` as one
    loop with CEL's meaning (each step as the expanded comprehension would take it), or
    None for any other comprehension."""
    init = _message(_one(c, 4, b""))
    cond = _message(_one(c, 5, b""))
    step = _message(_one(c, 6, b""))
    if not _is_ident(_message(_one(c, 7, b"")), accu):
        return None
    start = _bool_constant(init)
    if start is not None:  # exists: false, !accu, accu || p; all: true, accu, accu && p
        inner = _call_of(cond, "@not_strictly_false", 1)
        guard = inner and (_call_of(inner[0], "!_", 1) if start is False else [inner[0]])
        joined = _call_of(step, "_||_" if start is False else "_&&_", 2)
        if not guard or not _is_ident(guard[0], accu) or not joined \
                or not _is_ident(joined[0], accu):
            return None
        return quantifier(items, var, _expr(joined[1], st), decides=start is False)
    if _LIST not in init or _message(_one(init, _LIST)).get(1) or _bool_constant(cond) is not True:
        return None
    choice = _call_of(step, "_?_:_", 3)
    if choice is not None:  # filter: p ? accu + [x] : accu
        plus = _call_of(choice[1], "_+_", 2)
        kept = _one_item(plus[1]) if plus else None
        if plus is None or kept is None or not _is_ident(plus[0], accu) \
                or not _is_ident(kept, var) or not _is_ident(choice[2], accu):
            return None
        return collect(items, var, _expr(choice[0], st), filtering=True)
    plus = _call_of(step, "_+_", 2)  # map: accu + [t]
    made = _one_item(plus[1]) if plus else None
    if plus is None or made is None or not _is_ident(plus[0], accu):
        return None
    return collect(items, var, _expr(made, st), filtering=False)

