"""Shapes of the profile schema's field paths (for the walk of :mod:`._checked`),
and the references an expression makes to them."""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Mapping
from datetime import date, datetime
from functools import cache
from typing import Any, NamedTuple

import attrs

from ..model import CompanyProfile, Figure

#: The variables a condition or message placeholder may read.
VARIABLES = ("profile", "figures", "as_of", "fx")

# --------------------------------------------------------------------------- profile shapes


class Shape(NamedTuple):
    """What a CEL expression finds at a profile path, for load-time checks."""

    #: struct, list, map, number, string, bool, timestamp or any.
    kind: str
    #: For messages: ``Compute``, ``Figure``, ``ValuationBasis``.
    name: str = ""
    cls: type | None = None
    table: Mapping[str, Shape] | None = None
    item: Shape | None = None
    #: Allowed values of an enum.
    values: tuple[str, ...] = ()

    def fields(self) -> Mapping[str, Shape]:
        if self.cls is not None:
            return _struct_fields(self.cls)
        return self.table or {}


ANY = Shape("any")
NUMBER = Shape("number")
STRING = Shape("string")
BOOL = Shape("bool")
TIMESTAMP = Shape("timestamp")

FIGURE_ENTRY = Shape(
    "struct", "figure entry",
    table={"path": STRING, "value": NUMBER, "source": STRING, "note": STRING,
           "as_of": TIMESTAMP},
)

ROOTS: Mapping[str, Shape] = {
    "profile": Shape("struct", "CompanyProfile", cls=CompanyProfile),
    "figures": Shape("list", "figures", item=FIGURE_ENTRY),
    "as_of": TIMESTAMP,
    "fx": Shape("map", "fx", item=NUMBER),
}


def _shape_of(tp: Any) -> Shape:
    origin = typing.get_origin(tp)
    args = [a for a in typing.get_args(tp) if a is not type(None)]
    if origin in (typing.Union, types.UnionType):
        return _shape_of(args[0]) if len(args) == 1 else ANY
    if origin in (tuple, list):
        return Shape("list", item=_shape_of(args[0]) if args else ANY)
    if origin in (dict, Mapping):
        return Shape("map", item=_shape_of(args[1]) if len(args) == 2 else ANY)
    if tp is Figure:
        return Shape("number", "Figure")
    if isinstance(tp, type):
        if issubclass(tp, enum.Enum):
            return Shape("string", tp.__name__, values=tuple(str(m.value) for m in tp))
        if attrs.has(tp):
            return Shape("struct", tp.__name__, cls=tp)
        if tp is bool:
            return BOOL
        if tp in (int, float):
            return NUMBER
        if tp is str:
            return STRING
        if tp in (date, datetime):
            return TIMESTAMP
    return ANY


def _unwrap(tp: Any) -> Any:
    """``X`` for ``X | None``; anything else as it is."""
    args = [a for a in typing.get_args(tp) if a is not type(None)]
    if typing.get_origin(tp) in (typing.Union, types.UnionType) and len(args) == 1:
        return args[0]
    return tp


@cache
def hints(cls: type) -> Mapping[str, Any]:
    """The resolved types of an attrs class's fields. ``attrs.resolve_types`` keeps
    them on the class, so the profile loader (cattrs) and every module here share
    one resolution per class (each costs about a millisecond)."""
    attrs.resolve_types(cls)
    return {a.name: a.type for a in attrs.fields(cls)}


@cache
def _struct_fields(cls: type) -> Mapping[str, Shape]:
    hints_ = hints(cls)
    return {a.name: _shape_of(hints_[a.name]) for a in attrs.fields(cls)}


# --------------------------------------------------------------------------- paths

Path_ = tuple[str, ...]


class Reference(NamedTuple):
    """A profile path an expression reads (``[]`` stands for every list element)."""

    path: Path_
    #: Read only inside ``has()``: its absence is the point, not missing data.
    presence_only: bool = False
    #: The value itself is used (compared, rendered...); False when the path
    #: only leads somewhere (a list a macro iterates, a list indexed).
    leaf: bool = True


def _label(path: Path_) -> str:
    return ".".join(path).replace(".[]", "[]") or "profile"


def _field_shape(shape: Shape, name: str) -> Shape:
    """The shape of field ``name`` of a value of ``shape`` (ANY when unknown)."""
    if shape.kind == "map":
        return shape.item or ANY
    if shape.kind == "struct":
        return shape.fields().get(name, ANY)
    return ANY


# --------------------------------------------------------------------------- ints


def may_hold_int(cls: type, tree: Mapping[str, Any] | None) -> bool:
    """Whether the part ``tree`` of a ``cls`` value (a pack's projection, None or ``True``
    for all of it, see ``_projection.projection_of``) can hold an int: the views
    ``_fast.has_wide_int`` must look through. Mappings and types other than the model's
    plain ones count as able to."""
    names = hints(cls)
    for name in names if not isinstance(tree, Mapping) else tree:
        if name not in names:
            return True
        sub = tree.get(name) if isinstance(tree, Mapping) else None
        if _type_may_hold_int(_unwrap(names[name]), sub):
            return True
    return False


def _type_may_hold_int(tp: Any, sub: Any) -> bool:
    if tp is int:
        return True
    if tp in (float, str, bool, date, datetime, Figure) or (
            isinstance(tp, type) and issubclass(tp, enum.Enum)):
        return False
    if isinstance(tp, type) and attrs.has(tp):
        return may_hold_int(tp, sub if isinstance(sub, Mapping) else None)
    if typing.get_origin(tp) in (tuple, list):
        item = _unwrap(typing.get_args(tp)[0])
        inner = sub.get("[]") if isinstance(sub, Mapping) else None
        return _type_may_hold_int(item, inner)
    return True  # a mapping, a union, anything else: it may
