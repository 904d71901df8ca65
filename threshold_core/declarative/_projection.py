"""The profile as CEL sees it: conversion, projections of it, and one evaluation's view.

The conversion follows the types :mod:`._schema` declares: a figure is its
number as a double, a ``float`` field is always a double (never an int), enums
are their string values, dates are ``google.protobuf.Timestamp`` values
(midnight UTC), and a field the profile does not have is *absent* (no key).
A list the model cannot tell omitted from empty (its default is ``()``, like
``services`` or ``investors``) is absent when empty, as the Python packs read
it ("missing services"); a list whose ``[]`` means "researched, none on record"
(``filings``, ``sector_approvals``, ``enforcement``, ``litigation``) is ``[]``
when given empty and absent when omitted.

A pack converts only the top-level fields its expressions read (its
projection, from the checked AST: every read of the profile starts with
``profile.<field>``), each whole, with converter functions generated once per
class from the attrs fields.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from functools import cache, lru_cache
from typing import Any, NamedTuple

import attrs

from ..load import keep_source, kept_source
from ..model import CompanyProfile, Context, Figure, SourcesConfig, grade_source
from ._fields import Reference, _unwrap, hints

# --------------------------------------------------------------------------- the profile for CEL

_UTC = UTC


def to_cel(value: Any) -> Any:
    """A profile value as CEL sees it (see the module docstring)."""
    t = type(value)
    if t is str or t is float or t is int or t is bool:
        return value
    if t is Figure:
        return value.value
    if t is tuple or t is list:
        return [to_cel(v) for v in value]
    if isinstance(value, datetime):
        return _timestamp(value)
    if isinstance(value, enum.Enum):
        return value.value
    if attrs.has(t):
        return _converter(t)(value)
    if t is date:
        return _timestamp(value)
    if isinstance(value, Mapping):
        return {k: to_cel(v) for k, v in value.items() if v is not None}
    return value


#: The attributes of an entry of the ``figures`` variable. ``grade`` is the grade of its
#: source as the sourcing figures and the gate grade it (README "Source grades":
#: ``illustrative``, ``cohort_proxy``, ``estimate``, ... ``unsourced``).
FIGURE_FIELDS = ("path", "value", "source", "note", "as_of", "grade")


def figures_of(
    profile: CompanyProfile, fields: frozenset[str] = frozenset(FIGURE_FIELDS),
    sources: SourcesConfig | None = None,
) -> list[dict[str, Any]]:
    """Every figure of the profile with its path and provenance (the ``figures`` variable).

    :param fields: the attributes to include: handing a value to CEL is the
        costly part, so a pack gets only the attributes its expressions name.
    :param sources: how sources are graded (``[sources]``); None: the default patterns.
    """
    out: list[dict[str, Any]] = []
    cls: Any = type(profile)
    graded = "grade" in fields
    read = (fields | {"source"}) - {"grade"} if graded else fields
    _figure_walker(cls, frozenset(read))(profile, "", out)
    if graded:
        keep = "source" in fields
        names = _grade_names(sources)
        for e in out:
            text = e["source"]
            name = names.get(text)
            if name is None:
                if len(names) >= _GRADE_NAMES_SIZE:
                    names.clear()
                name = names[text] = str(grade_source(text, sources))
            e["grade"] = name
            if not keep:
                del e["source"]
    return out


#: Per sources configuration (by identity, kept): each source text's grade's name.
_GRADE_NAMES: dict[int, tuple[SourcesConfig | None, dict[str, str]]] = {}
_GRADE_NAMES_SIZE = 4096


def _grade_names(sources: SourcesConfig | None) -> dict[str, str]:
    got = _GRADE_NAMES.get(id(sources))
    if got is None or got[0] is not sources:
        if len(_GRADE_NAMES) > 64:
            _GRADE_NAMES.clear()
        got = _GRADE_NAMES[id(sources)] = (sources, {})
    return got[1]


_FIGURE_PLANS: dict[type, tuple[tuple[str, str], ...]] = {}


def _figure_plan(cls: type) -> tuple[tuple[str, str], ...]:
    """The fields of ``cls`` that are, or can hold, a :class:`Figure`: ``(name, kind)``."""
    if cls in _FIGURE_PLANS:
        return _FIGURE_PLANS[cls]
    _FIGURE_PLANS[cls] = ()  # against recursion
    plan = []
    for name, tp in hints(cls).items():
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


@cache
def _figure_walker(cls: Any, fields: frozenset[str]) -> Callable[[Any, str, list[Any]], None]:
    """The function that appends the figures of a ``cls`` value to a list, generated once
    from :func:`_figure_plan` (straight attribute reads, as the converters are): every
    figure as ``{path, value, source, note, as_of}``, keeping only ``fields``, in that order."""
    namespace: dict[str, Any] = {"_timestamp": _timestamp}
    text: list[str] = []
    names: dict[type, str] = {}

    def entry(v: str, path: str) -> list[str]:
        parts = {"path": path, "value": f"float({v}.value)", "source": f"{v}.source or ''",
                 "note": f"{v}.note or ''"}
        body = ", ".join(f"{k!r}: {src}" for k, src in parts.items() if k in fields)
        lines = [f"        e = {{{body}}}"]
        if "as_of" in fields:
            lines += [f"        if {v}.as_of is not None:",
                      f"            e['as_of'] = _timestamp({v}.as_of)"]
        return [*lines, "        out.append(e)"]

    def function(c: type) -> str:
        if c in names:
            return names[c]
        names[c] = fn = f"walk_{len(names)}_{c.__name__}"
        lines = [f"def {fn}(o, prefix, out):"]
        for name, kind in _figure_plan(c):
            lines += [f"    v = o.{name}", "    if v is not None:"]
            if kind == "figure":
                lines += entry("v", f"prefix + {name!r}")
            elif kind == "node":
                inner = function(_unwrap(hints(c)[name]))
                lines.append(f"        {inner}(v, prefix + {name + '.'!r}, out)")
            else:
                inner = function(typing.get_args(_unwrap(hints(c)[name]))[0])
                lines += ["        for i, x in enumerate(v):",
                          f"            {inner}(x, f'{{prefix}}{name}[{{i}}].', out)"]
        if len(lines) == 1:
            lines.append("    return")
        text.append("\n".join(lines))
        return fn

    # The threshold command keeps the source (the plan resolves about 40 classes' annotations).
    key = f"figures:{cls.__module__}:{cls.__qualname__}:{','.join(sorted(fields))}"
    kept = kept_source(key)
    if isinstance(kept, tuple) and len(kept) == 2 and all(type(k) is str for k in kept):
        top, source = kept
    else:
        top = function(cls)
        source = "\n\n".join(text)
        keep_source(key, (top, source), [cls, *_FIGURE_PLANS], _GENERATORS)
    # source: attrs field names only (the threshold command serves its code from its cache)
    exec(compile(source, f"<figures of {cls.__qualname__}>", "exec"), namespace)
    return namespace[top]  # type: ignore[no-any-return]


#: The modules whose code decides what the figure walker is.
_GENERATORS = ("threshold_core.declarative._projection", "threshold_core.declarative._fields")


class ProfileView(NamedTuple):
    """One evaluation's profile, converted once for every rule of a pack."""

    profile: Any
    context: Context
    data: dict[str, Any]
    variables: dict[str, Any]
    #: The CEL activation of ``variables`` (each converted when first read); None until a
    #: rule needs CEL, when the view was made without it.
    cel_context: Any
    cel_only: bool = False  #: every expression on it is CEL's (see ``_fast.has_wide_int``)


@lru_cache(maxsize=4096)
def _timestamp(value: date) -> Any:
    """A date (midnight UTC) or datetime as CEL's timestamp: a protobuf Timestamp,
    the only form CEL accepts inside a map or list."""
    from google.protobuf import timestamp_pb2  # type: ignore[import-untyped]

    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, tzinfo=_UTC)
    elif value.tzinfo is None:
        value = value.replace(tzinfo=_UTC)
    ts = timestamp_pb2.Timestamp()
    ts.FromDatetime(value)
    return ts


@lru_cache(maxsize=4096)
def _datetime(value: date) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=_UTC)
    return datetime(value.year, value.month, value.day, tzinfo=_UTC)


def _empty_is_absent(cls: type, name: str) -> bool:
    """A list field whose model default is empty: empty means not given. (The
    ``extensions`` table is always there, empty or not: a plugin's section that a
    profile lacks is named as missing under it.)"""
    default = attrs.fields_dict(cls)[name].default
    factory = getattr(default, "factory", None)  # attrs.Factory(dict)
    if factory is not None:
        default = factory()
    return default in ((), {})


class _Source:
    """Writes the Python source of a converter: straight attribute reads, no type
    tests (as cattrs generates its structuring functions). Names come from the
    attrs classes only."""

    def __init__(self) -> None:
        self.namespace: dict[str, Any] = {"to_cel": to_cel, "_timestamp": _timestamp}
        self.count = 0

    def function(self, cls: type, tree: Mapping[str, Any] | None = None,
                 name: str = "convert") -> str:
        """The source of the converter of ``cls`` (of the fields of ``tree`` only,
        when given: see :data:`Projection`)."""
        types_ = hints(cls)
        wanted = [a.name for a in attrs.fields(cls) if tree is None or a.name in tree]
        lines = [f"def {name}(o):", "    out = {}"]
        nested = []
        for field in wanted:
            tp = _unwrap(types_[field])
            sub = None if tree is None else tree[field]
            lines.append(f"    v = o.{field}")
            empty_absent = typing.get_origin(tp) in (tuple, list) and \
                _empty_is_absent(cls, field)
            lines.append("    if v:" if empty_absent else "    if v is not None:")
            item = _unwrap(typing.get_args(tp)[0]) if typing.get_origin(tp) in (
                tuple, list) else None
            if isinstance(sub, Mapping) and isinstance(tp, type) and attrs.has(tp):
                self.count += 1
                inner = f"part_{self.count}_{tp.__name__}"
                nested.append(self.function(tp, sub, inner))
                lines.append(f"        out[{field!r}] = {inner}(v)")
            elif (isinstance(sub, Mapping) and isinstance(sub.get("[]"), Mapping)
                  and isinstance(item, type) and attrs.has(item) and item is not Figure):
                self.count += 1
                inner = f"part_{self.count}_{item.__name__}"
                nested.append(self.function(item, sub["[]"], inner))
                lines.append(f"        out[{field!r}] = [{inner}(x) for x in v]")
            else:
                lines.append(f"        out[{field!r}] = {self.value(tp, 'v')}")
        lines.append("    return out")
        return "\n\n".join([*nested, "\n".join(lines)])

    def value(self, tp: Any, src: str) -> str:
        origin = typing.get_origin(tp)
        if origin in (tuple, list):
            item = self.value(_unwrap(typing.get_args(tp)[0]), "x")
            return f"[{item} for x in {src}]" if item != "x" else f"list({src})"
        if origin is dict:
            item = self.value(_unwrap(typing.get_args(tp)[1]), "x")
            return f"{{k: {item} for k, x in {src}.items() if x is not None}}"
        if tp is Figure:
            return f"float({src}.value)"
        if tp is float:
            return f"float({src})"
        if tp in (str, int, bool):
            return src
        if isinstance(tp, type) and issubclass(tp, enum.Enum):
            return f"{src}.value"
        if tp in (date, datetime):
            return f"_timestamp({src})"
        if isinstance(tp, type) and attrs.has(tp):
            name = f"convert_{tp.__name__}"
            self.namespace[name] = _converter(tp)
            return f"{name}({src})"
        return f"to_cel({src})"


def _build(cls: type, tree: Mapping[str, Any] | None) -> Callable[[Any], dict[str, Any]]:
    source = _Source()
    text = source.function(cls, tree)
    # source: attrs field names only (the threshold command serves its code from its cache)
    exec(compile(text, f"<CEL view of {cls.__qualname__}>", "exec"), source.namespace)
    return source.namespace["convert"]  # type: ignore[no-any-return]


@cache
def _converter(cls: type) -> Callable[[Any], dict[str, Any]]:
    """The converter of a whole value of the attrs class ``cls``."""
    return _build(cls, None)


#: A projection: the part of the profile a pack reads, as a tree of field names
#: whose leaves are ``FULL`` (that value converted whole); None: everything.
Projection = dict[str, Any] | None
FULL = True


def projection_of(references: Sequence[Reference]) -> dict[str, Any]:
    """The part of the profile that gives ``references`` the values they have on the
    whole profile.

    The references come from CEL's checked AST (:mod:`._checked`): a struct the
    projection keeps only some fields of (a section, or the elements of a list,
    ``[]``) is reached by field selections and ``has()`` of those fields only,
    since any other use of it (compared, put in a list, passed to a function,
    collected by ``filter``) is a reference to it, which keeps it whole. A list
    keeps every element (macros, ``size()`` and indexes see them all), and is
    whole when used other than by a macro or an index.
    """
    tree: dict[str, Any] = {}
    for ref in references:
        path = ref.path
        if not ref.leaf:  # a list a macro iterates or an index reads: its elements
            path = (*path, "[]")
        node: Any = tree
        for seg in path[:-1]:
            child = node.setdefault(seg, {})
            if child is FULL:
                break
            node = child
        else:
            if not path:
                continue
            if ref.leaf:
                node[path[-1]] = FULL
            else:
                node.setdefault(path[-1], {})
    return tree


def projector(tree: Projection) -> Callable[[CompanyProfile], dict[str, Any]]:
    """The converter of a profile's projection ``tree`` (everything when None)."""
    if tree is None:
        return _converter(CompanyProfile)
    return _build(CompanyProfile, tree)


def make_view(
    profile: CompanyProfile, context: Context,
    convert: Callable[[CompanyProfile], dict[str, Any]], variables: frozenset[str],
    figure_fields: frozenset[str] = frozenset(FIGURE_FIELDS), *, activation: bool = True,
) -> ProfileView:
    """Convert the profile with ``convert`` (see :func:`projector`), and ``variables``;
    without ``activation``, the view's ``cel_context`` is None (made when needed with
    :func:`activation_of`)."""
    data = convert(profile)
    values: dict[str, Any] = {"profile": data}
    if "figures" in variables:
        values["figures"] = figures_of(profile, figure_fields, context.sources)
    if "as_of" in variables and context.as_of is not None:
        values["as_of"] = _datetime(context.as_of)
    if "fx" in variables:
        values["fx"] = {"CNY": 1.0, **{k: float(v) for k, v in context.fx.rates.items()}}
    return ProfileView(profile, context, data, values,
                       activation_of(values) if activation else None)


def activation_of(variables: dict[str, Any]) -> Any:
    """The CEL activation of a view's variables (CEL converts each the first time an
    expression reads it)."""
    global _ACTIVATION
    if _ACTIVATION is None:
        from ._cel import environments

        _ACTIVATION = environments().run.Activation
    return _ACTIVATION(variables)


_ACTIVATION: Callable[[dict[str, Any]], Any] | None = None  # the running env's type
