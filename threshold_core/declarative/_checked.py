"""What a condition reads, from the checked AST CEL itself produced.

CEL's compiler hands back its checked expression (``cel.expr.CheckedExpr``,
protobuf wire format); this module decodes the few messages of the AST it needs
(``Expr``, ``Constant``, ``Comprehension``, ``SourceInfo``: field numbers from
the CEL specification's ``syntax.proto``) and walks it with the scoping CEL
applies: a macro's variable shadows any name inside the macro, so a variable
called ``profile`` inside ``list.exists(profile, ...)`` is never the profile.

Nothing is parsed here: the tree, string literals, comments and macro
expansion are CEL's. The walk gives every profile path the expression reads
(for the evidence, the fields a pack converts and the names of absent paths),
and checks string literals compared with an enum field against its values.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from ._fields import ANY, ROOTS, STRING, Path_, Reference, Shape, _field_shape, _label

# --------------------------------------------------------------------------- wire format

Message = dict[int, list[Any]]


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    """The varint at ``buf[i]`` and the index after it."""
    result = shift = 0
    while True:
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return result, i


def wire_fields(buf: bytes, start: int, end: int) -> Iterator[tuple[int, int, int, int, int]]:
    """``(field, wire type, varint value, start, end)`` of each field in ``buf[start:end]``:
    a varint field's value (its span empty), any other field's span (its value 0)."""
    i = start
    while i < end:
        key, i = _varint(buf, i)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(buf, i)
            yield field, wire, value, i, i
            continue
        if wire == 1:
            size = 8
        elif wire == 2:
            size, i = _varint(buf, i)
        elif wire == 5:
            size = 4
        else:  # pragma: no cover - groups are not used by CEL's protos
            raise ValueError(f"unsupported wire type {wire}")
        yield field, wire, 0, i, i + size
        i += size


def _decode(buf: bytes) -> Message:
    """One protobuf message: field number -> its values (ints or bytes)."""
    out: Message = {}
    for field, wire, value, s, e in wire_fields(buf, 0, len(buf)):
        out.setdefault(field, []).append(value if wire == 0 else buf[s:e])
    return out


def _one(msg: Message, field: int, default: Any = None) -> Any:
    values = msg.get(field)
    return values[-1] if values else default


def _text(msg: Message, field: int) -> str:
    return bytes(_one(msg, field, b"")).decode("utf-8")


# Field numbers of cel.expr (syntax.proto / checked.proto).
_CHECKED_EXPR, _CHECKED_SOURCE_INFO = 4, 5
_ID, _CONST, _IDENT, _SELECT, _CALL, _LIST, _STRUCT, _COMPREHENSION = 2, 3, 4, 5, 6, 7, 8, 9


class Analysis(NamedTuple):
    """What an expression reads, and what is wrong with it."""

    #: ``(offset in the expression, message)``.
    problems: tuple[tuple[int, str], ...]
    references: tuple[Reference, ...]
    #: The profile is used as a whole (``profile`` on its own).
    whole: bool
    variables: frozenset[str]
    #: The top-level profile fields the expression reads.
    fields: frozenset[str] = frozenset()
    #: The attributes of ``figures`` entries it reads; None: entries used whole.
    figure_fields: frozenset[str] | None = frozenset()


class _Value(NamedTuple):
    """What an expression denotes: a profile path (or None) and its shape."""

    path: Path_ | None
    shape: Shape
    #: A string literal's value (for enum checks).
    literal: str | None = None
    expr_id: int = 0


_NOTHING = _Value(None, ANY)

#: The root of paths into the ``figures`` variable (never a profile field name).
_FIGURES = "\0figures"

#: Most macros (comprehensions) nested in one another's bodies: the iterations
#: multiply, so three literal lists of a thousand elements nested would ask CEL for
#: a billion steps (and as many list elements for ``map``). Chained macros
#: (``l.filter(...).map(...)``) run one after the other and do not count.
MAX_MACRO_NESTING = 2


class _Walker:
    def __init__(self, positions: dict[int, int]) -> None:
        self.positions = positions
        self.refs: list[Reference] = []
        self.problems: list[tuple[int, str]] = []
        self.whole = False
        self.variables: set[str] = set()
        self.depth = 0

    # a value is used (compared, passed to a function...): record its path
    def use(self, v: _Value, *, leaf: bool = True) -> None:
        if v.path is None:
            return
        if not v.path:
            self.whole = True
            return
        self.refs.append(Reference(v.path, False, leaf))

    def value(self, expr: Message, scope: dict[str, _Value]) -> _Value:
        v = self.expr(expr, scope)
        self.use(v)
        return v

    def expr(self, expr: Message, scope: dict[str, _Value]) -> _Value:
        expr_id = _one(expr, _ID, 0)
        if _CONST in expr:
            const = _decode(_one(expr, _CONST))
            if 6 in const:  # string_value
                return _Value(None, ANY, _text(const, 6), expr_id)
            return _NOTHING
        if _IDENT in expr:
            name = _text(_decode(_one(expr, _IDENT)), 1)
            if name in scope:
                return scope[name]._replace(expr_id=expr_id)
            if name in ROOTS:
                self.variables.add(name)
                root = () if name == "profile" else (_FIGURES,) if name == "figures" else None
                return _Value(root, ROOTS[name], None, expr_id)
            return _NOTHING
        if _SELECT in expr:
            select = _decode(_one(expr, _SELECT))
            operand = self.expr(_decode(_one(select, 1, b"")), scope)
            field = _text(select, 2)
            test_only = bool(_one(select, 3, 0))
            path = None if operand.path is None else (*operand.path, field)
            if test_only:
                if path is not None:
                    self.refs.append(Reference(path, True, True))
                return _NOTHING
            return _Value(path, _field_shape(operand.shape, field), None, expr_id)
        if _CALL in expr:
            return self.call(_decode(_one(expr, _CALL)), scope, expr_id)
        if _LIST in expr:
            for element in _decode(_one(expr, _LIST)).get(1, []):
                self.value(_decode(element), scope)
            return _NOTHING
        if _STRUCT in expr:
            for entry in _decode(_one(expr, _STRUCT)).get(2, []):
                e = _decode(entry)
                if 3 in e:
                    self.value(_decode(_one(e, 3)), scope)
                if 4 in e:
                    self.value(_decode(_one(e, 4)), scope)
            return _NOTHING
        if _COMPREHENSION in expr:
            return self.comprehension(_decode(_one(expr, _COMPREHENSION)), scope, expr_id)
        return _NOTHING

    def call(self, call: Message, scope: dict[str, _Value], expr_id: int) -> _Value:
        function = _text(call, 2)
        args = [_decode(a) for a in call.get(3, [])]
        if function == "size" and len(args) + (1 in call) == 1:
            # the size of the figures list reads no attribute of its entries
            target = self.expr(_decode(_one(call, 1)) if 1 in call else args[0], scope)
            figures = target.path is not None and target.path[:1] == (_FIGURES,)
            self.use(target, leaf=not (figures and target.shape.kind == "list"))
            return _NOTHING
        if 1 in call:  # a receiver-style call: size(), startsWith()...
            self.value(_decode(_one(call, 1)), scope)
        if function == "_[_]" and len(args) == 2:
            target = self.expr(args[0], scope)
            self.value(args[1], scope)
            if target.path is not None and target.shape.kind == "list":
                self.use(target, leaf=False)
                item = target.shape.item or ANY
                return _Value((*target.path, "[]"), item, None, expr_id)
            self.use(target)
            return _NOTHING
        values = [self.value(a, scope) for a in args]
        if function in ("_==_", "_!=_") and len(values) == 2:
            for a, b in (values, values[::-1]):
                self.check_literal(a, b)
        elif function == "@in" and len(values) == 2 and _LIST in args[1]:
            for element in _decode(_one(args[1], _LIST)).get(1, []):
                e = _decode(element)
                if _CONST in e:
                    self.check_literal(values[0], self.expr(e, scope))
        return _NOTHING

    def comprehension(self, comp: Message, scope: dict[str, _Value], expr_id: int) -> _Value:
        iter_range = self.expr(_decode(_one(comp, 2, b"")), scope)
        inner = dict(scope)
        if iter_range.path is not None and iter_range.shape.kind == "list":
            self.use(iter_range, leaf=False)
            element = _Value((*iter_range.path, "[]"), iter_range.shape.item or ANY)
        else:
            self.use(iter_range)
            element = _Value(None, STRING if iter_range.shape.kind == "map" else ANY)
        inner[_text(comp, 1)] = element
        if 8 in comp:  # a second iteration variable (two-variable macros)
            inner[_text(comp, 8)] = _NOTHING
        inner[_text(comp, 3)] = _NOTHING
        self.depth += 1
        if self.depth == MAX_MACRO_NESTING + 1:
            self.problems.append((
                self.positions.get(expr_id, 0),
                f"macros nested more than {MAX_MACRO_NESTING} deep (each multiplies the "
                "steps of the one around it)"))
        kept = None
        if iter_range.path is not None and iter_range.path[:1] == (_FIGURES,):
            kept = _filter_condition(comp)
        if kept is not None:  # figures.filter(f, cond): some of the same entries
            for part in (_decode(_one(comp, 4, b"")), _decode(_one(comp, 5, b"")), kept):
                self.value(part, inner)
            self.depth -= 1
            return iter_range._replace(expr_id=expr_id)
        for field in (4, 5, 6, 7):
            if field in comp:
                self.value(_decode(_one(comp, field)), inner)
        self.depth -= 1
        return _NOTHING

    def check_literal(self, field: _Value, literal: _Value) -> None:
        if not field.shape.values or literal.literal is None:
            return
        if literal.literal not in field.shape.values:
            where = _label(field.path) if field.path is not None else field.shape.name
            allowed = ", ".join(field.shape.values)
            self.problems.append((self.positions.get(literal.expr_id, 0),
                                  f"{literal.literal!r} is not a value of {where} "
                                  f"(one of: {allowed})"))


def _ident(expr: Message) -> str | None:
    return _text(_decode(_one(expr, _IDENT)), 1) if _IDENT in expr else None


def _filter_condition(comp: Message) -> Message | None:
    """The condition of a ``filter`` macro's comprehension (its step is ``cond ? accu +
    [x] : accu`` and its result ``accu``), or None for any other comprehension."""
    x, accu = _text(comp, 1), _text(comp, 3)
    step = _decode(_one(comp, 6, b""))
    if 8 in comp or _ident(_decode(_one(comp, 7, b""))) != accu or _CALL not in step:
        return None
    call = _decode(_one(step, _CALL))
    args = [_decode(a) for a in call.get(3, [])]
    if _text(call, 2) != "_?_:_" or len(args) != 3 or _ident(args[2]) != accu \
            or _CALL not in args[1]:
        return None
    plus = _decode(_one(args[1], _CALL))
    operands = [_decode(a) for a in plus.get(3, [])]
    if _text(plus, 2) != "_+_" or len(operands) != 2 or _ident(operands[0]) != accu \
            or _LIST not in operands[1]:
        return None
    items = [_decode(e) for e in _decode(_one(operands[1], _LIST)).get(1, [])]
    return args[0] if len(items) == 1 and _ident(items[0]) == x else None


def _positions(source_info: Message) -> dict[int, int]:
    out: dict[int, int] = {}
    for entry in source_info.get(4, []):
        e = _decode(entry)
        value = _one(e, 2, 0)
        out[_one(e, 1, 0)] = value - (1 << 32) if value >= 1 << 31 else value
    return out


def analyze_checked(serialized: bytes) -> Analysis:
    """Analyse the checked expression CEL serialised (``Expression.serialize()``)."""
    wrapper = _decode(serialized)
    checked = _decode(_one(wrapper, 2, b"")) if 2 in wrapper and 1 in wrapper else wrapper
    positions = _positions(_decode(_one(checked, _CHECKED_SOURCE_INFO, b"")))
    walker = _Walker(positions)
    walker.value(_decode(_one(checked, _CHECKED_EXPR, b"")), {})
    found = tuple(dict.fromkeys(walker.refs))
    refs = tuple(r for r in found if r.path[:1] != (_FIGURES,))
    fields = frozenset(r.path[0] for r in refs if r.path)
    # figures: (root,) or (root, "[]") used as a value means whole entries
    on_figures = [r for r in found if r.path[:1] == (_FIGURES,)]
    figure_fields = None if any(r.leaf and len(r.path) < 3 for r in on_figures) else \
        frozenset(r.path[2] for r in on_figures if len(r.path) > 2)
    return Analysis(problems=tuple(walker.problems), references=refs, whole=walker.whole,
                    variables=frozenset(walker.variables), fields=fields,
                    figure_fields=figure_fields)

