"""Declarative rule packs: a TOML file of rules whose conditions are CEL.

A compliance analyst writes a rule as data: metadata, a ``when`` condition in
CEL (the Common Expression Language: sandboxed, side-effect free and not
Turing-complete, so a pack cannot do anything but compute a boolean) and a
message template. ``docs/rulepacks.md`` is the reference for the file format;
in short::

    [pack]
    name = "acme_credit"
    version = "1.0.0"

    [[rules]]
    id = "ACME-002"
    title = "On-premise project revenue above the house limit"
    severity = "medium"
    dimension = "application_stickiness"
    when = "profile.financials.revenue_mix.project_on_prem_pct > 70.0"
    message = "{profile.name}: {profile.financials.revenue_mix.project_on_prem_pct}% on-premise"
    rationale = "..."
    source = "..."

**What CEL sees.** ``profile`` is the company profile as a map: attrs objects
become maps, lists stay lists, enums are their string values, a ``Figure`` is
its number (a double), dates are timestamps (midnight UTC), and a field the
profile does not have (None) is *absent*, so ``has(profile.compute)`` tests
for it. ``figures`` lists every figure with its provenance (``path``,
``value``, ``source``, ``note``: strings, "" when unknown; ``as_of`` when
known). ``as_of`` is the evaluation date and ``fx`` the FX table (CNY per
unit, with ``CNY = 1.0``).

**Outcomes.** true fires at the rule's severity, false passes. A condition that
reads an absent field is ``not_evaluated`` naming the missing paths, and one
that fails on types (a string compared with a number) is ``not_evaluated`` with
the error: never a silent pass. A condition that yields a non-boolean is a
broken rule and becomes an ``error`` event.

**Load-time checks.** Every problem is one line naming the file, the place in it
and the rule: TOML syntax, unknown keys, wrong types and severity words,
duplicate rule ids, CEL syntax (line, column and a caret), profile fields the
schema does not have, enum values it does not know, files that are empty or
larger than :data:`MAX_PACK_BYTES`.

**Cost.** The CEL library is imported only when a pack compiles, and without
its command-line tool (see :func:`cel_module`). The profile is converted once
per evaluation and shared by every rule of a pack (a cache keyed on the profile
object), and only the fields the pack's rules read are converted.
"""

from __future__ import annotations

import enum
import importlib.machinery
import importlib.util
import re
import sys
import tomllib
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any, NamedTuple

import attrs
from attrs import field, frozen

from .components import Context, Rule, RuleMeta
from .converter import StructureProblems, structure
from .errors import InputError, PluginError, Problem
from .markers import hookimpl
from .models import CompanyProfile, Figure
from .results import RuleOutcome, RuleStatus, Severity

#: The largest pack file accepted (1 MiB): packs are hand-written text, and a
#: bigger file is far more likely a mistake (or an attack) than a rule set.
MAX_PACK_BYTES = 1024 * 1024

#: The variables a condition or message placeholder may read.
VARIABLES = ("profile", "figures", "as_of", "fx")

# --------------------------------------------------------------------------- file format


@frozen
class PackInfo:
    """``[pack]``: what the pack is and who maintains it."""

    name: str
    version: str
    owner: str | None = None
    description: str = ""


@frozen
class RuleSpec:
    """One ``[[rules]]`` entry."""

    id: str
    title: str
    severity: Severity
    #: A CEL expression that yields true when the rule fires.
    when: str
    #: The finding's message; ``{expr}`` placeholders are CEL (``{expr:,.1f}`` formats).
    message: str
    rationale: str
    source: str
    #: The dimension its findings affect (none: reported, or caps nothing).
    dimension: str | None = None


@frozen
class ExpectedFinding:
    """One ``expect`` entry of a test: a rule that must fire (at this severity)."""

    rule: str
    severity: Severity | None = None


@frozen
class PackTest:
    """One ``[[tests]]`` entry (or one item of a Python pack's ``TESTS``)."""

    name: str | None = None
    #: A whole profile, inline.
    profile: dict[str, Any] | None = None
    #: Or an example profile, relative to the pack file...
    base: str | None = None
    #: ...with dotted paths removed (``"compute.runway_months"``)...
    remove: tuple[str, ...] = ()
    #: ...and tables deep-merged over it (arrays and values replace).
    patch: dict[str, Any] = field(factory=dict)
    #: Exactly the rules that must fire; anything else firing fails the test.
    expect: tuple[ExpectedFinding, ...] = ()
    #: When given, exactly the rules that must come out ``not_evaluated``.
    not_evaluated: tuple[str, ...] | None = None


@frozen
class PackTests:
    """A Python drop-in's module-level ``TESTS``: the same entries as ``[[tests]]``."""

    tests: tuple[PackTest, ...] = ()


@frozen
class PackFile:
    """The whole file."""

    pack: PackInfo
    rules: tuple[RuleSpec, ...]
    tests: tuple[PackTest, ...] = ()


# --------------------------------------------------------------------------- the CEL library


def cel_module() -> ModuleType:
    """The compiled CEL extension (``cel.cel``), imported without the package's CLI.

    ``import cel`` runs ``cel/__init__.py``, which imports ``cel.cli`` (typer,
    rich, prompt_toolkit: over 100 ms) before the extension. The extension
    itself needs none of it, so it is loaded straight from its file under its
    own name. A later ``import cel`` elsewhere still works (it finds
    ``cel.cel`` in ``sys.modules``).
    """
    loaded = sys.modules.get("cel.cel")
    if loaded is not None:
        return loaded
    spec = importlib.util.find_spec("cel")  # finds the package without importing it
    for folder in (spec.submodule_search_locations or ()) if spec else ():
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            candidate = Path(folder) / f"cel{suffix}"
            if not candidate.is_file():
                continue
            loader = importlib.machinery.ExtensionFileLoader("cel.cel", str(candidate))
            ext = importlib.util.spec_from_file_location("cel.cel", candidate, loader=loader)
            if ext is None:  # pragma: no cover - defensive
                break
            module = importlib.util.module_from_spec(ext)
            loader.exec_module(module)
            sys.modules["cel.cel"] = module
            return module
    try:  # an unusual layout: fall back to the package as published
        return importlib.import_module("cel.cel")
    except ImportError:
        raise PluginError(
            "threshold_core.declarative",
            "declarative rule packs need the package common-expression-language",
        ) from None


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


class Analysis(NamedTuple):
    """What an expression reads, and what is wrong with it."""

    #: ``(offset in the expression, message)``.
    problems: tuple[tuple[int, str], ...]
    references: tuple[Reference, ...]
    #: The profile is used as a whole (``profile`` on its own, ``profile[key]``).
    whole: bool
    variables: frozenset[str]


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
            whole=self.whole, variables=frozenset(self.variables),
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
        return self._chain(i + 1, ROOTS[name], () if name == "profile" else None, i)

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


def make_view(
    profile: CompanyProfile, context: Context,
    convert: Callable[[CompanyProfile], dict[str, Any]], variables: frozenset[str],
    python_only: frozenset[str] = frozenset(),
    figure_fields: frozenset[str] = frozenset(FIGURE_FIELDS),
) -> ProfileView:
    """Convert the profile with ``convert`` (see :func:`projector`), and ``variables``.

    :param python_only: top-level fields that go in ``data`` but not to CEL.
    """
    cel = cel_module()
    data = convert(profile)
    shown = {k: v for k, v in data.items() if k not in python_only} if python_only else data
    values: dict[str, Any] = {"profile": shown}
    if "figures" in variables:
        values["figures"] = figures_of(profile, figure_fields)
    if "as_of" in variables and context.as_of is not None:
        values["as_of"] = to_cel(context.as_of)
    if "fx" in variables:
        values["fx"] = {"CNY": 1.0, **{k: float(v) for k, v in context.fx.rates.items()}}
    return ProfileView(profile, context, data, values, cel.Context(variables=values))


# --------------------------------------------------------------------------- messages

_SPEC = re.compile(r"[<>=^]?[+-]?#?0?\d*[,_]?(?:\.\d+)?[eEfFgGn%dsx]?")


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
    """A CEL value in a message: numbers without noise, dates as dates."""
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
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, datetime):
        return value.date().isoformat() if not (value.hour or value.minute) else value.isoformat()
    if isinstance(value, list):
        return ", ".join(render_value(v) for v in value)
    if value is None:
        return "null"
    return str(value)


# --------------------------------------------------------------------------- compiled rules


def _short(exc: BaseException) -> str:
    text = str(exc).strip().strip("'\"") or type(exc).__name__
    first = text.split(". ", 1)[0].rstrip(".")
    return first if len(first) <= 160 else first[:157] + "..."


def _missing_finder(path: Path_) -> Callable[[Any], list[tuple[str, str]]]:
    """A function giving ``(path, key)`` for every place ``path`` is absent in the
    converted profile (through ``[]``, in every element)."""
    if "[]" not in path:
        labels = [_label(path[: i + 1]) for i in range(len(path))]

        def find(data: Any) -> list[tuple[str, str]]:
            for i, key in enumerate(path):
                if type(data) is not dict:
                    return []
                if key not in data:
                    return [(labels[i], key)]
                data = data[key]
            return []

        return find
    i = path.index("[]")
    head = _missing_finder(path[:i])
    get_list = _raw_getter(path[:i])
    inner = _missing_finder(path[i + 1 :])
    prefix = _label(path[:i])

    def find_each(data: Any) -> list[tuple[str, str]]:
        found = head(data)
        items = get_list(data)
        if found or type(items) is not list:
            return found
        return [(f"{prefix}[{k}].{label}", key)
                for k, item in enumerate(items) for label, key in inner(item)]

    return find_each


_SCALARS = frozenset({str, int, float, bool})
#: A placeholder that is a plain field path: read in Python, no CEL call.
_PLAIN_PATH = re.compile(r"\s*profile\.([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\s*")


def _evidence_getter(path: Path_) -> Callable[[Any], Any]:
    """A function giving the evidence value at ``path`` of the converted profile.

    A scalar (dates as ISO strings), or through ``[]`` the list of every
    element's scalar; None when absent or not a scalar (a table is not evidence).
    """
    if "[]" not in path:

        def get(data: Any) -> Any:
            for key in path:
                if type(data) is not dict:
                    return None
                data = data.get(key)
            return data if type(data) in _SCALARS else _scalar(data)

        return get
    i = path.index("[]")
    head = _raw_getter(path[:i])
    inner = _evidence_getter(path[i + 1 :])

    def get_each(data: Any) -> Any:
        items = head(data)
        if type(items) is not list:
            return None
        out = []
        for item in items:
            v = inner(item)
            if v is not None and type(v) is not list:
                out.append(v)
        return out

    return get_each


def _raw_getter(path: Path_) -> Callable[[Any], Any]:
    def get(data: Any) -> Any:
        try:
            for key in path:
                data = data[key]
        except (KeyError, TypeError, IndexError):
            return None
        return data

    return get


def _scalar(value: Any) -> Any:
    t = type(value)
    if t in _SCALARS:
        return value
    if t is datetime:
        return value.date().isoformat()
    if t is list:
        out = [_scalar(v) for v in value]
        return out if all(v is not None and type(v) is not list for v in out) else None
    return None


class Condition:
    """The check function of one declarative rule: CEL in, a RuleOutcome out."""

    def __init__(self, pack: DeclarativePack, spec: RuleSpec, index: int) -> None:
        self.pack = pack
        self.spec = spec
        self.index = index
        self.program: Any = None
        self.analysis: Analysis | None = None
        #: Text, or ``(placeholder, program, getter)``: a plain field path is read
        #: with ``getter`` from the converted profile, anything else runs ``program``.
        self.message: list[str | tuple[Placeholder, Any, Callable[[Any], Any] | None]] = []
        #: Finders of the absent paths the condition reads (see _not_evaluated).
        self.missing: tuple[Callable[[Any], list[tuple[str, str]]], ...] = ()
        #: ``(label, getter)`` of every value the condition reads, for the evidence.
        self.evidence: tuple[tuple[str, Callable[[Any], Any]], ...] = ()

    def evaluate(self, profile: Any, settings: Any, context: Context) -> RuleOutcome:
        """The rule's check: evaluate the condition on ``profile``."""
        if self.program is None:
            self.pack.compile()
        view = self.pack._last  # the pack's cache, inlined: this runs for every rule
        if view is None or view.profile is not profile or view.context is not context:
            view = self.pack.view(profile, context)
        data = view.data
        evidence = {}
        for label, get in self.evidence:
            value = get(data)
            if value is not None:
                evidence[label] = value
        try:
            result = self.program.execute(view.cel_context)
        except Exception as exc:  # CEL reports missing keys and type errors as exceptions
            return self._not_evaluated(view, exc, evidence)
        if result is True:
            return RuleOutcome(RuleStatus.FIRED, message=self.render(view), evidence=evidence)
        if result is False:
            return RuleOutcome(RuleStatus.PASSED, evidence=evidence)
        raise TypeError(
            f"condition of {self.spec.id} yielded {type(result).__name__} "
            f"{result!r}, not true or false"
        )

    def _not_evaluated(
        self, view: ProfileView, exc: Exception, evidence: dict[str, Any]
    ) -> RuleOutcome:
        assert self.analysis is not None
        found: list[tuple[str, str]] = []
        for find in self.missing:
            found.extend(find(view.data))
        if isinstance(exc, KeyError) and exc.args:  # CEL names the key it missed
            named = [f for f in found if f[1] == str(exc.args[0])]
            found = named or found
        missing = list(dict.fromkeys(label for label, _ in found))
        if missing:
            return RuleOutcome(RuleStatus.NOT_EVALUATED, missing=tuple(missing),
                               message="missing " + ", ".join(missing), evidence=evidence)
        return RuleOutcome(RuleStatus.NOT_EVALUATED, evidence=evidence,
                           message=f"condition could not be evaluated: {_short(exc)}")

    def render(self, view: ProfileView) -> str:
        out = []
        for part in self.message:
            if isinstance(part, str):
                out.append(part)
                continue
            placeholder, program, getter = part
            try:
                value = getter(view.data) if getter else program.execute(view.cel_context)
            except Exception:  # a value the profile lacks: say so in place
                value = None
            out.append("n/a" if value is None else render_value(value, placeholder.spec))
        return "".join(out)


# --------------------------------------------------------------------------- packs

_CEL_ERROR = re.compile(r"<input>:(\d+):(\d+): (?:Syntax error: )?(.*)")


def _cel_problem(exc: Exception) -> tuple[int, int, str]:
    """(line, column, message) from the CEL library's parse error."""
    text = str(exc)
    m = _CEL_ERROR.search(text)
    if not m:
        return 1, 1, _short(exc)
    message = m.group(3).strip()
    if " expecting {" in message and len(message) > 80:
        message = message.split(" expecting {", 1)[0] + " (expecting an expression or operator)"
    return int(m.group(1)), int(m.group(2)), message


def _offset(source: str, line: int, col: int) -> int:
    starts = [0] + [i + 1 for i, c in enumerate(source) if c == "\n"]
    return min(starts[min(line, len(starts)) - 1] + col - 1, len(source))


def _position(source: str, offset: int) -> tuple[int, int]:
    line = source.count("\n", 0, offset) + 1
    col = offset - (source.rfind("\n", 0, offset) + 1) + 1
    return line, col


class DeclarativePack:
    """A rule pack read from a TOML file (a :class:`~threshold_core.components.RulePack`)."""

    def __init__(self, spec: PackFile, path: Path, text: str) -> None:
        self.spec = spec
        self.path = path
        self.text = text
        self.name = spec.pack.name
        self.version = spec.pack.version
        self.owner = spec.pack.owner
        self.description = spec.pack.description
        self.tests = spec.tests
        self.conditions = tuple(Condition(self, r, i) for i, r in enumerate(spec.rules))
        self.rules: tuple[Rule, ...] = tuple(
            Rule(
                meta=RuleMeta(id=c.spec.id, title=c.spec.title, severity=c.spec.severity,
                              dimension=c.spec.dimension, rationale=c.spec.rationale,
                              source=c.spec.source),
                check=c.evaluate,
            )
            for c in self.conditions
        )
        self.compiled = False
        self._projection: Projection | None = {}
        self._convert: Callable[[CompanyProfile], dict[str, Any]] = to_cel  # set by compile()
        self._variables: frozenset[str] = frozenset()
        self._python_only: frozenset[str] = frozenset()
        self._last: ProfileView | None = None
        self._figure_fields: frozenset[str] = frozenset(FIGURE_FIELDS)

    def __repr__(self) -> str:
        return f"<DeclarativePack {self.name} {self.version} from {self.path}>"

    def compile(self) -> None:
        """Compile every condition and placeholder and check every field path.

        :raises InputError: listing every problem of every rule.
        """
        if self.compiled:
            return
        cel = cel_module()
        problems: list[Problem] = []
        analyses: list[Analysis] = []
        plain_refs: list[Reference] = []  # read by plain placeholders, in Python only
        for cond in self.conditions:
            spec, where = cond.spec, f"$.rules[{cond.index}]"
            found = self._compile_expression(cel, spec.when, f"{where}.when", spec.id, problems)
            if found is not None:
                cond.program, cond.analysis = found
            uses = [a for a in [cond.analysis] if a is not None]
            try:
                parts = parse_template(spec.message)
            except ValueError as exc:
                problems.append(Problem(f"{where}.message", f"rule {spec.id}: {exc}"))
                parts = []
            message: list[str | tuple[Placeholder, Any, Callable[[Any], Any] | None]] = []
            for part in parts:
                if isinstance(part, str):
                    message.append(part)
                    continue
                got = self._compile_expression(cel, part.expression, f"{where}.message",
                                               spec.id, problems, spec.message, part.offset)
                if got is not None:
                    plain = _PLAIN_PATH.fullmatch(part.expression)
                    getter = _raw_getter(tuple(plain.group(1).split("."))) if plain else None
                    message.append((part, got[0], getter))
                    if plain:
                        plain_refs.extend(got[1].references)
                    else:
                        uses.append(got[1])
            cond.message = message
            analyses.extend(uses)
            if cond.analysis is not None:
                paths = [r.path for r in cond.analysis.references if r.leaf]
                cond.evidence = tuple((_label(p), _evidence_getter(p))
                                      for p in dict.fromkeys(paths))
                # has(a.b) needs a to be there, not b
                needed = [r.path[:-1] if r.presence_only else r.path
                          for r in cond.analysis.references]
                cond.missing = tuple(_missing_finder(p) for p in dict.fromkeys(needed) if p)
        if problems:
            for cond in self.conditions:
                cond.program = None
            raise InputError(str(self.path), problems)
        refs = [r for a in analyses for r in a.references]
        whole = any(a.whole for a in analyses)
        self._projection = None if whole else projection_of(refs + plain_refs)
        self._convert = projector(self._projection)
        self._variables = frozenset(v for a in analyses for v in a.variables) | {"profile"}
        # Attributes of ``figures`` entries any expression may read (a safe over-estimate:
        # any member access with one of their names, in a rule that uses ``figures``).
        sources = " ".join(
            f"{c.spec.when} {c.spec.message}" for c in self.conditions
            if "figures" in c.spec.when or "figures" in c.spec.message
        )
        self._figure_fields = frozenset(
            re.findall(r"\.\s*(" + "|".join(FIGURE_FIELDS) + r")\b", sources)
        )
        # Top-level fields only messages read stay out of CEL: converting a
        # value for CEL costs more than reading it in Python.
        cel_top = {r.path[0] for r in refs}
        self._python_only = frozenset(
            () if whole else {r.path[0] for r in plain_refs} - cel_top)
        self.compiled = True

    def _compile_expression(
        self, cel: ModuleType, source: str, where: str, rule_id: str, problems: list[Problem],
        template: str | None = None, base: int = 0,
    ) -> tuple[Any, Analysis] | None:
        """Compile and check one expression: the condition, or a placeholder at ``base``
        inside the message ``template``."""
        what = "placeholder" if template is not None else "condition"
        shown = template if template is not None else source
        try:
            program = cel.compile(source)
        except Exception as exc:
            line, col, message = _cel_problem(exc)
            offset = _offset(source, line, col)
            problems.append(self._problem(where, f"rule {rule_id}: invalid CEL in the {what}",
                                          shown, base + offset, message))
            return None
        analysis = analyze(source)
        for offset, message in analysis.problems:
            problems.append(self._problem(where, f"rule {rule_id}: in the {what}", shown,
                                          base + offset, message))
        return (program, analysis) if not analysis.problems else None

    def _problem(self, where: str, what: str, shown: str, offset: int, message: str) -> Problem:
        """One problem: the first line says it all; the next two show the place with a caret."""
        line, col = _position(shown, offset)
        file_line = self._file_line(shown, line)
        at = f"line {line}, column {col}"
        if file_line:
            at += f" (line {file_line} of the file)"
        lines = shown.splitlines() or [""]
        text_line = lines[min(line, len(lines)) - 1]
        caret = " " * (col - 1) + "^"
        return Problem(where, f"{what} at {at}: {message}\n    {text_line}\n    {caret}")

    def _file_line(self, shown: str, line: int) -> int | None:
        """Best effort: the line of the file that holds ``line`` of an expression."""
        lines = shown.splitlines()
        if not lines or not lines[0].strip() or self.text.count(lines[0]) != 1:
            return None
        return self.text.count("\n", 0, self.text.index(lines[0])) + line

    def view(self, profile: Any, context: Context) -> ProfileView:
        """The profile as CEL sees it, converted once per evaluation (per profile and context)."""
        last = self._last
        if last is not None and last.profile is profile and last.context is context:
            return last
        view = make_view(profile, context, self._convert, self._variables, self._python_only,
                         self._figure_fields)
        self._last = view
        return view


def read_pack_file(path: Path) -> tuple[PackFile, str]:
    """Read, parse and structurally check a pack file.

    :raises InputError: every problem, one per line, naming the rule where it can.
    """
    source = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(source, [Problem("$", f"cannot read file: {exc.strerror}")]) from None
    if size > MAX_PACK_BYTES:
        raise InputError(source, [Problem(
            "$", f"file is {size / 1e6:.1f} MB; a rule pack may be at most "
            f"{MAX_PACK_BYTES // 1024} KiB (MAX_PACK_BYTES)")])
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(source, [Problem("$", "not UTF-8 text")]) from None
    if not text.strip():
        raise InputError(source, [Problem(
            "$", "empty file: a rule pack needs a [pack] table and at least one [[rules]] entry")])
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(source, [Problem("$", _toml_message(exc, text))]) from None
    if not data:
        raise InputError(source, [Problem(
            "$", "empty pack: a rule pack needs a [pack] table and at least one [[rules]] entry")])
    try:
        spec: PackFile = structure(data, PackFile)
    except StructureProblems as exc:
        raise InputError(source, [_name_rule(p, data) for p in exc.problems]) from None
    problems = _check_pack(spec)
    if problems:
        raise InputError(source, problems)
    return spec, text


def _toml_message(exc: tomllib.TOMLDecodeError, text: str) -> str:
    """The parser's message, naming the rule whose block holds the broken line."""
    message = f"invalid TOML: {exc}"
    m = re.search(r"line (\d+)", str(exc))
    if not m:
        return message
    lines = text.splitlines()
    err = min(int(m.group(1)), len(lines)) - 1
    headers = [i for i, ln in enumerate(lines) if ln.lstrip().startswith("[")]
    start = max((i for i in headers if i <= err), default=None)
    if start is None or lines[start].strip() != "[[rules]]":
        return message
    end = min((i for i in headers if i > start), default=len(lines))
    for ln in lines[start:end]:
        found = re.match(r"\s*id\s*=\s*[\"']([^\"']+)[\"']", ln)
        if found:
            return f"rule {found.group(1)}: {message}"
    return message


def _name_rule(problem: Problem, data: Mapping[str, Any]) -> Problem:
    m = re.match(r"\$\.rules\[(\d+)\]", problem.path)
    rules = data.get("rules")
    if m and isinstance(rules, list) and int(m.group(1)) < len(rules):
        entry = rules[int(m.group(1))]
        if isinstance(entry, Mapping) and isinstance(entry.get("id"), str):
            return Problem(problem.path, f"rule {entry['id']}: {problem.message}")
    return problem


def _check_pack(spec: PackFile) -> list[Problem]:
    problems: list[Problem] = []
    if not spec.pack.name.strip() or any(c.isspace() for c in spec.pack.name):
        problems.append(Problem("$.pack.name", "must be a non-empty name without spaces"))
    if not spec.rules:
        problems.append(Problem("$.rules", "a pack needs at least one [[rules]] entry"))
    seen: dict[str, int] = {}
    for i, r in enumerate(spec.rules):
        if not r.id.strip() or any(c.isspace() for c in r.id):
            problems.append(Problem(f"$.rules[{i}].id", "must be a non-empty id without spaces"))
        if r.id in seen:
            problems.append(Problem(
                f"$.rules[{i}].id", f"rule {r.id}: duplicate rule id (also $.rules[{seen[r.id]}])"))
        seen.setdefault(r.id, i)
        if not r.when.strip():
            problems.append(Problem(f"$.rules[{i}].when", f"rule {r.id}: empty condition"))
    problems.extend(check_tests(spec.tests, seen))
    return problems


def check_tests(tests: Sequence[PackTest], rule_ids: Mapping[str, Any]) -> list[Problem]:
    """Problems with test entries that need no profile to find."""
    problems = []
    for i, t in enumerate(tests):
        where = f"$.tests[{i}]"
        if (t.profile is None) == (t.base is None):
            problems.append(Problem(where, "a test needs either profile = {...} or base = \"...\""))
        if t.profile is not None and (t.patch or t.remove):
            problems.append(Problem(where, "patch and remove apply to a base profile only"))
        for j, e in enumerate(t.expect):
            if e.rule not in rule_ids:
                problems.append(Problem(f"{where}.expect[{j}].rule",
                                        f"no rule {e.rule!r} in this pack"))
        for j, rid in enumerate(t.not_evaluated or ()):
            if rid not in rule_ids:
                problems.append(Problem(f"{where}.not_evaluated[{j}]",
                                        f"no rule {rid!r} in this pack"))
    return problems


def load_pack(path: str | Path, *, compile: bool = True) -> DeclarativePack:
    """Read a declarative pack; with ``compile`` (drop-ins), compile and check its CEL now.

    Built-in packs pass ``compile=False``: their CEL compiles on first
    evaluation, so commands that never evaluate do not import the CEL library.

    :raises InputError: the file is invalid (exit code 2).
    """
    p = Path(path)
    spec, text = read_pack_file(p)
    pack = DeclarativePack(spec, p, text)
    if compile:
        pack.compile()
    return pack


class DeclarativePackPlugin:
    """The pluggy plugin a pack file is registered as (named after the file's stem)."""

    def __init__(self, pack: DeclarativePack) -> None:
        self.pack = pack
        self.__version__ = pack.version
        self.__file__ = str(pack.path)

    def __repr__(self) -> str:
        return f"<DeclarativePackPlugin {self.pack.name} from {self.pack.path}>"

    @hookimpl
    def threshold_register_rule_packs(self, register: Callable[[Any], None]) -> None:
        register(self.pack)


def load_pack_plugin(path: str | Path, *, compile: bool = True) -> DeclarativePackPlugin:
    """:func:`load_pack`, wrapped as a plugin."""
    return DeclarativePackPlugin(load_pack(path, compile=compile))
