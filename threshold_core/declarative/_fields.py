"""Field paths of the profile schema, and the analysis of expressions that read them.

:func:`analyze` walks a compiled CEL expression's tokens and checks every
profile path it reads against the attrs classes of :class:`CompanyProfile`:
unknown fields, fields read on a list or a figure, enum values it does not know.
"""

from __future__ import annotations

import enum
import re
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


@cache
def _struct_fields(cls: type) -> Mapping[str, Shape]:
    hints = typing.get_type_hints(cls)
    return {a.name: _shape_of(hints[a.name]) for a in attrs.fields(cls)}


# --------------------------------------------------------------------------- static analysis

_TOKEN = re.compile(
    r"""
    (?P<skip>\s+|//[^\n]*)
    |(?P<str>[rRbB]{0,2}(?:\"\"\"[\s\S]*?\"\"\"|'''[\s\S]*?'''|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'))
    |(?P<num>0[xX][0-9a-fA-F]+[uU]?|(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?[uU]?)
    |(?P<ident>[_a-zA-Z][_a-zA-Z0-9]*)
    |(?P<op>==|!=|<=|>=|&&|\|\||.)
    """,
    re.X,
)

#: Bare words that are not variables.
_WORDS = frozenset({
    "true", "false", "null", "in", "int", "uint", "double", "bool", "string", "bytes",
    "list", "map", "null_type", "type", "dyn", "timestamp", "duration",
})
#: Macros that bind a variable over a list's elements (or a map's keys).
_MACROS = {"exists": BOOL, "all": BOOL, "exists_one": BOOL, "filter": None, "map": ANY}

Path_ = tuple[str, ...]


class Token(NamedTuple):
    kind: str
    text: str
    offset: int


def _tokens(source: str) -> list[Token]:
    out = []
    for m in _TOKEN.finditer(source):
        kind = m.lastgroup or "op"
        if kind != "skip":
            out.append(Token(kind, m.group(), m.start()))
    return out


class Reference(NamedTuple):
    """A profile path an expression reads (``[]`` stands for every list element)."""

    path: Path_
    #: Read only inside ``has()``: its absence is the point, not missing data.
    presence_only: bool = False
    #: The value itself is used (compared, rendered...); False when the path
    #: only leads somewhere (a list a macro iterates, a list indexed).
    leaf: bool = True


class Chain(NamedTuple):
    """A run of field selections from ``profile`` in the source: ``profile.a.b``.

    ``source[start:end]`` is the chain, or with ``presence`` the whole
    ``has(profile.a.b)`` around it. It ends before a method call (``.size()``),
    an index (``[0]``) or anything else that is not ``.field``.
    """

    start: int
    end: int
    path: Path_
    presence: bool


class Analysis(NamedTuple):
    """What an expression reads, and what is wrong with it."""

    #: ``(offset in the expression, message)``.
    problems: tuple[tuple[int, str], ...]
    references: tuple[Reference, ...]
    #: The profile is used as a whole (``profile`` on its own, ``profile[key]``).
    whole: bool
    variables: frozenset[str]
    #: Every ``profile.a.b`` in the source, in order (see :func:`flatten_source`).
    chains: tuple[Chain, ...] = ()


def _label(path: Path_) -> str:
    return ".".join(path).replace(".[]", "[]") or "profile"


class _Analyzer:
    """Walks the tokens of a compiled expression and checks every field path.

    Knows the macros that bind a variable (``list.exists(x, ...)``) and
    continues a path through ``[index]`` and ``.filter(...)``, so nested
    paths are checked against the element classes too.
    """

    def __init__(self, source: str) -> None:
        self.toks = _tokens(source)
        self.problems: list[tuple[int, str]] = []
        self.refs: list[Reference] = []
        self.whole = False
        self.variables: set[str] = set()
        #: (name, shape, path, first token index, last token index)
        self.bindings: list[tuple[str, Shape, Path_ | None, int, int]] = []
        #: token index of a closing bracket -> (shape, path) the chain continues with.
        self.after: dict[int, tuple[Shape, Path_ | None]] = {}
        self.binders: set[int] = set()
        self.chains: list[Chain] = []

    def _text(self, i: int) -> str:
        return self.toks[i].text if 0 <= i < len(self.toks) else ""

    def _match(self, i: int) -> int:
        opening = self._text(i)
        closing = {"(": ")", "[": "]", "{": "}"}[opening]
        depth = 0
        for j in range(i, len(self.toks)):
            t = self._text(j)
            if t == opening:
                depth += 1
            elif t == closing:
                depth -= 1
                if depth == 0:
                    return j
        return len(self.toks) - 1

    def run(self) -> Analysis:
        i = 0
        while i < len(self.toks):
            tok = self.toks[i]
            if i in self.after:
                shape, path = self.after[i]
                i = self._chain(i + 1, shape, path, i)
                continue
            if tok.kind == "ident" and self._text(i - 1) != "." and i not in self.binders:
                if self._text(i + 1) == "(" or tok.text in _WORDS:
                    i += 1
                    continue
                i = self._root(i)
                continue
            i += 1
        return Analysis(
            problems=tuple(self.problems), references=tuple(dict.fromkeys(self.refs)),
            whole=self.whole, variables=frozenset(self.variables), chains=tuple(self.chains),
        )

    def _root(self, i: int) -> int:
        name = self.toks[i].text
        for var, shape, path, first, last in reversed(self.bindings):
            if var == name and first < i <= last:
                return self._chain(i + 1, shape, path, i)
        if name not in ROOTS:
            known = ", ".join(VARIABLES)
            self.problems.append(
                (self.toks[i].offset, f"unknown variable {name!r} (known: {known})")
            )
            return i + 1
        self.variables.add(name)
        if name == "profile":
            self._profile_chain(i)
        return self._chain(i + 1, ROOTS[name], () if name == "profile" else None, i)

    def _profile_chain(self, i: int) -> None:
        """Record the chain of plain field selections starting at ``profile`` (token i)."""
        toks, path, j = self.toks, [], i + 1
        while (self._text(j) == "." and j + 1 < len(toks) and toks[j + 1].kind == "ident"
               and self._text(j + 2) != "("):
            path.append(toks[j + 1].text)
            j += 2
        if not path:
            return
        start, end = toks[i].offset, toks[j - 1].offset + len(toks[j - 1].text)
        presence = (self._text(i - 1) == "(" and self._text(i - 2) == "has"
                    and self._text(i - 3) != "." and self._text(j) == ")")
        if presence:
            start, end = toks[i - 2].offset, toks[j].offset + 1
        self.chains.append(Chain(start, end, tuple(path), presence))

    def _record(self, path: Path_ | None, start: int, *, leaf: bool = True) -> None:
        if path is None:
            return
        if not path:
            self.whole = True
            return
        presence = self._text(start - 1) == "(" and self._text(start - 2) == "has"
        self.refs.append(Reference(path, presence, leaf))

    def _chain(self, j: int, shape: Shape, path: Path_ | None, start: int) -> int:
        while j < len(self.toks):
            t = self._text(j)
            if t == "." and self.toks[j + 1 : j + 2] and self.toks[j + 1].kind == "ident":
                name = self.toks[j + 1].text
                if self._text(j + 2) == "(":
                    return self._method(j + 1, name, shape, path, start)
                shape = self._field(shape, name, path, self.toks[j + 1].offset)
                path = None if path is None else (*path, name)
                j += 2
                continue
            if t == "[":
                close = self._match(j)
                item = shape.item if shape.kind in ("list", "map") and shape.item else ANY
                if path is not None and shape.kind == "list":
                    self.after[close] = (item, (*path, "[]"))
                else:
                    self.after[close] = (item, None)
                # A list index reads one element's fields (recorded after the
                # bracket); any other index may read anything under the path.
                self._record(path, start, leaf=shape.kind != "list")
                return j + 1
            break
        self._record(path, start)
        self._check_literals(shape, path, start, j)
        return j

    def _method(self, k: int, name: str, shape: Shape, path: Path_ | None, start: int) -> int:
        close = self._match(k + 1)
        binder = k + 2
        is_macro = name in _MACROS and self._text(binder + 1) == ","
        # A macro reads the fields its variable reads (recorded as the variable
        # is used); any other method (size(), startsWith()...) reads the value.
        self._record(path, start, leaf=not is_macro)
        if is_macro:
            item = shape.item if shape.kind == "list" and shape.item else ANY
            if shape.kind == "map":
                item = STRING
            elem_path = (*path, "[]") if path is not None and shape.kind == "list" else None
            self.binders.add(binder)
            self.bindings.append((self._text(binder), item, elem_path, binder, close))
            result = _MACROS[name]
            if result is None:  # filter keeps the list
                self.after[close] = (shape, path)
            else:
                self.after[close] = (result, None)
        else:
            self.after[close] = (ANY, None)
        return k + 2

    def _field(self, shape: Shape, name: str, path: Path_ | None, offset: int) -> Shape:
        where = _label(path) if path is not None else shape.name or shape.kind
        if shape.kind == "any":
            return ANY
        if shape.kind == "map":
            return shape.item or ANY
        if shape.kind == "struct":
            fields = shape.fields()
            if name in fields:
                return fields[name]
            import difflib  # only on this error path

            close = difflib.get_close_matches(name, list(fields), n=1)
            hint = (f"did you mean {close[0]!r}?" if close
                    else f"{shape.name} has " + ", ".join(sorted(fields)))
            full = f"{_label(path)}.{name}" if path else name
            self.problems.append((offset, f"the profile has no field {full!r} ({hint})"))
            return ANY
        if shape.name == "Figure":
            msg = (f"{where} is a figure, which CEL sees as its number: it has no field "
                   f"{name!r} (provenance is in `figures`)")
        elif shape.kind == "list":
            msg = (f"{where} is a list: use {where}.exists(x, x.{name} ...) or an index, "
                   f"not .{name}")
        else:
            msg = f"{where} is a {shape.kind}: it has no field {name!r}"
        self.problems.append((offset, msg))
        return ANY

    def _check_literals(self, shape: Shape, path: Path_ | None, start: int, end: int) -> None:
        """A string literal compared with an enum field must be one of its values."""
        if not shape.values:
            return
        literals: list[Token] = []
        if self._text(end) in ("==", "!=") and self.toks[end + 1 : end + 2]:
            literals.append(self.toks[end + 1])
        if self._text(start - 1) in ("==", "!=") and start >= 2:
            literals.append(self.toks[start - 2])
        if self._text(end) == "in" and self._text(end + 1) == "[":
            literals.extend(self.toks[end + 2 : self._match(end + 1)])
        for lit in literals:
            if lit.kind != "str":
                continue
            value = lit.text.lstrip("rR")[1:-1]
            if value not in shape.values:
                allowed = ", ".join(shape.values)
                where = _label(path) if path is not None else shape.name
                self.problems.append(
                    (lit.offset, f"{value!r} is not a value of {where} (one of: {allowed})")
                )


def analyze(source: str) -> Analysis:
    """Check the field paths of a (syntactically valid) CEL expression."""
    return _Analyzer(source).run()


# --------------------------------------------------------------------------- flat variables


def flat_name(path: Path_, presence: bool = False) -> str:
    """The CEL variable that holds ``profile.<path>`` (or, with ``presence``,
    ``has(profile.<path>)``) once the expression is flattened."""
    return ("_has__profile__" if presence else "_profile__") + "__".join(path)


def flatten_source(source: str, chains: tuple[Chain, ...]) -> str:
    """``source`` with every ``profile.a.b`` read from a variable of its own.

    ``profile.financials.cash`` becomes ``_profile__financials__cash`` and
    ``has(profile.valuation.source)`` becomes ``_has__profile__valuation__source``.
    Handing CEL a few leaf values costs far less than handing it the nested
    maps that lead to them (the library converts every key and map on the
    way), and the value of the expression is the same: a variable that is
    absent is an error exactly where the missing key was (see
    :func:`threshold_core.declarative.projection.flattener`).
    """
    out, last = [], len(source)
    for chain in sorted(chains, key=lambda c: c.start, reverse=True):
        out.append(source[chain.end:last])
        out.append(flat_name(chain.path, chain.presence))
        last = chain.start
    out.append(source[:last])
    return "".join(reversed(out))

