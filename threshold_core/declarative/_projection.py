"""The profile as CEL sees it: conversion, projections of it, and one evaluation's view.

A pack converts only the fields its expressions read (its projection), with a
projector function generated once per pack.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from functools import cache
from typing import Any, NamedTuple

import attrs

from ..model import CompanyProfile, Context, Figure
from ._cel import cel_module
from ._fields import Chain, Reference, flat_name

# --------------------------------------------------------------------------- the profile for CEL

_UTC = UTC


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(a.name for a in attrs.fields(cls))


def to_cel(value: Any) -> Any:
    """A profile value as CEL sees it (see the module docstring)."""
    t = type(value)
    if t is str or t is float or t is int or t is bool:
        return value
    if t is Figure:
        return value.value
    if t is tuple or t is list:
        return [to_cel(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    if attrs.has(t):
        out = {}
        for name in _field_names(t):
            v = getattr(value, name)
            if v is not None:
                out[name] = to_cel(v)
        return out
    if t is date:
        return datetime(value.year, value.month, value.day, tzinfo=_UTC)
    if isinstance(value, Mapping):
        return {k: to_cel(v) for k, v in value.items() if v is not None}
    return value


#: The attributes of an entry of the ``figures`` variable.
FIGURE_FIELDS = ("path", "value", "source", "note", "as_of")


def figures_of(
    profile: CompanyProfile, fields: frozenset[str] = frozenset(FIGURE_FIELDS)
) -> list[dict[str, Any]]:
    """Every figure of the profile with its path and provenance (the ``figures`` variable).

    :param fields: the attributes to include: handing a value to CEL is the
        costly part, so a pack gets only the attributes its expressions name.
    """
    out: list[dict[str, Any]] = []
    want_as_of = "as_of" in fields

    def walk(obj: Any, prefix: str) -> None:
        for name, kind in _figure_plan(type(obj)):
            value = getattr(obj, name)
            if value is None:
                continue
            path = prefix + name
            if kind == "figure":
                entry = {"path": path, "value": value.value, "source": value.source or "",
                         "note": value.note or ""}
                if want_as_of and value.as_of is not None:
                    entry["as_of"] = to_cel(value.as_of)
                out.append({k: v for k, v in entry.items() if k in fields})
            elif kind == "node":
                walk(value, path + ".")
            else:
                for i, item in enumerate(value):
                    walk(item, f"{path}[{i}].")

    walk(profile, "")
    return out


_FIGURE_PLANS: dict[type, tuple[tuple[str, str], ...]] = {}


def _figure_plan(cls: type) -> tuple[tuple[str, str], ...]:
    """The fields of ``cls`` that are, or can hold, a :class:`Figure`: ``(name, kind)``."""
    if cls in _FIGURE_PLANS:
        return _FIGURE_PLANS[cls]
    _FIGURE_PLANS[cls] = ()  # against recursion
    plan = []
    for name, tp in typing.get_type_hints(cls).items():
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if typing.get_origin(tp) in (typing.Union, types.UnionType) and len(args) == 1:
            tp = args[0]
        if tp is Figure:
            plan.append((name, "figure"))
        elif isinstance(tp, type) and attrs.has(tp) and _figure_plan(tp):
            plan.append((name, "node"))
        elif typing.get_origin(tp) is tuple:
            item = typing.get_args(tp)[0]
            if isinstance(item, type) and attrs.has(item) and _figure_plan(item):
                plan.append((name, "nodes"))
    _FIGURE_PLANS[cls] = result = tuple(plan)
    return result


class ProfileView(NamedTuple):
    """One evaluation's profile, converted once for every rule of a pack."""

    profile: Any
    context: Context
    data: dict[str, Any]
    variables: dict[str, Any]
    #: The CEL library's context holding the converted variables.
    cel_context: Any


#: A projection: the part of the profile a pack reads. Each key maps to the
#: projection of that field (``"[]"``: of every list element), or to ``FULL``.
Projection = dict[str, Any]
FULL = True


def projection_of(references: Sequence[Reference]) -> Projection:
    """The smallest part of the profile that gives ``references`` the same values."""
    tree: Projection = {}
    for ref in references:
        node = tree
        for seg in ref.path[:-1]:
            child = node.setdefault(seg, {})
            if child is FULL:
                break
            node = child
        else:
            last = ref.path[-1]
            if ref.leaf and not ref.presence_only:  # has() needs the key, not the value
                node[last] = FULL
            else:
                node.setdefault(last, {})
    return tree


def _timestamp(value: date) -> datetime:
    return datetime(value.year, value.month, value.day, tzinfo=_UTC)


class _ProjectorSource:
    """Writes the Python source of a projector: one function per element class.

    Generated once per pack (as cattrs generates its structuring functions),
    so converting a profile is straight attribute reads, with no type tests
    and no calls per field. Names come from the attrs classes only.
    """

    def __init__(self) -> None:
        self.functions: list[str] = []
        self.count = 0

    def _var(self) -> str:
        self.count += 1
        return f"v{self.count}"

    def function(self, tp: type, tree: Projection) -> str:
        name = f"convert_{len(self.functions)}_{tp.__name__}"
        self.functions.append("")  # reserve the slot: nested functions come after
        slot = len(self.functions) - 1
        lines = [f"def {name}(value):"]
        out = self.struct(tp, tree, "value", lines, 1)
        lines.append(f"    return {out}")
        self.functions[slot] = "\n".join(lines)
        return name

    def struct(self, tp: type, tree: Projection, src: str, lines: list[str], depth: int) -> str:
        pad = "    " * depth
        out = self._var()
        lines.append(f"{pad}{out} = {{}}")
        hints = typing.get_type_hints(tp)
        for name, sub in tree.items():
            if name not in hints:
                continue
            field_var = self._var()
            lines.append(f"{pad}{field_var} = {src}.{name}")
            lines.append(f"{pad}if {field_var} is not None:")
            expr = self.value(hints[name], sub, field_var, lines, depth + 1)
            lines.append(f"{pad}    {out}[{name!r}] = {expr}")
        return out

    def value(self, tp: Any, tree: Projection | bool, src: str, lines: list[str],
              depth: int) -> str:
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        origin = typing.get_origin(tp)
        if origin in (typing.Union, types.UnionType):
            return self.value(args[0], tree, src, lines, depth) if len(args) == 1 \
                else f"to_cel({src})"
        if origin in (tuple, list):
            item_tp = args[0] if args else Any
            item_tree = tree if tree is FULL else tree.get("[]", {})  # type: ignore[union-attr]
            if isinstance(item_tp, type) and attrs.has(item_tp) and item_tp is not Figure \
                    and item_tree is not FULL:
                fn = self.function(item_tp, item_tree)  # type: ignore[arg-type]
                return f"[{fn}(x) for x in {src}]"
            item = self.value(item_tp, item_tree, "x", [], 0)
            return f"[{item} for x in {src}]" if item != "x" else f"list({src})"
        if tp is Figure or (isinstance(tp, type) and issubclass(tp, enum.Enum)):
            return f"{src}.value"
        if tp in (str, float, int, bool):
            return src
        if tp is date:
            return f"_timestamp({src})"
        if tree is not FULL and isinstance(tp, type) and attrs.has(tp):
            return self.struct(tp, tree, src, lines, depth)  # type: ignore[arg-type]
        return f"to_cel({src})"


def projector(tree: Projection | None) -> Callable[[CompanyProfile], dict[str, Any]]:
    """The converter of a whole profile for a projection (everything when None)."""
    if tree is None:
        return to_cel
    source = _ProjectorSource()
    name = source.function(CompanyProfile, tree)
    namespace: dict[str, Any] = {"to_cel": to_cel, "_timestamp": _timestamp}
    exec("\n\n".join(source.functions), namespace)  # source: attrs field names only
    return namespace[name]  # type: ignore[no-any-return]


def flattener(chains: Iterable[Chain]) -> Callable[[dict[str, Any], dict[str, Any]], None]:
    """The function that writes the flat variables of ``chains`` from the
    converted profile (see :func:`~threshold_core.declarative.fields.flatten_source`).

    ``_profile__a__b`` is the value at ``a.b``, absent when any field on the
    way is; ``_has__profile__a__b`` tells whether ``a`` has ``b``, absent when
    ``a`` is absent. An absent variable is an error in CEL, as the missing
    key was, so the flat expression has the value of the nested one. Generated
    once per pack, as straight dictionary reads sharing their common prefixes.
    """
    trie: dict[str, Any] = {}
    for chain in chains:
        node = trie
        for key in chain.path:
            node = node.setdefault(key, {})
        node.setdefault(" names", {})[flat_name(chain.path, chain.presence)] = chain.presence
    lines = ["def flatten(d, out):"]
    count = 0

    def emit(node: dict[str, Any], var: str, depth: int) -> None:
        nonlocal count
        pad = "    " * depth
        for key, child in node.items():
            if key == " names":
                continue
            count += 1
            v = f"v{count}"
            lines.append(f"{pad}{v} = {var}.get({key!r})")
            names = child.get(" names", {})
            for name, presence in names.items():
                if presence:
                    lines.append(f"{pad}out[{name!r}] = {v} is not None")
            values = [n for n, presence in names.items() if not presence]
            deeper = any(k != " names" for k in child)
            if values or deeper:
                lines.append(f"{pad}if {v} is not None:")
                lines.extend(f"{pad}    out[{n!r}] = {v}" for n in values)
                if deeper:
                    lines.append(f"{pad}    if type({v}) is dict:")
                    emit(child, v, depth + 2)

    emit(trie, "d", 1)
    lines.append("    return None")
    namespace: dict[str, Any] = {}
    exec("\n".join(lines), namespace)  # source: attrs field names only
    return namespace["flatten"]  # type: ignore[no-any-return]


def make_view(
    profile: CompanyProfile, context: Context,
    convert: Callable[[CompanyProfile], dict[str, Any]], variables: frozenset[str],
    figure_fields: frozenset[str] = frozenset(FIGURE_FIELDS),
    flatten: Callable[[dict[str, Any], dict[str, Any]], None] | None = None,
) -> ProfileView:
    """Convert the profile with ``convert`` (see :func:`projector`), and ``variables``.

    :param flatten: hands CEL flat variables (see :func:`flattener`) instead
        of ``profile``.
    """
    cel = cel_module()
    data = convert(profile)
    values: dict[str, Any] = {}
    if flatten is not None:
        flatten(data, values)
    else:
        values["profile"] = data
    if "figures" in variables:
        values["figures"] = figures_of(profile, figure_fields)
    if "as_of" in variables and context.as_of is not None:
        values["as_of"] = to_cel(context.as_of)
    if "fx" in variables:
        values["fx"] = {"CNY": 1.0, **{k: float(v) for k, v in context.fx.rates.items()}}
    return ProfileView(profile, context, data, values, cel.Context(variables=values))


