"""The walk after structuring a profile: documented ranges, currency codes, and the
``source``/``as_of`` a bare figure inherits from its section.

Each class's fields worth visiting (a figure, a ranged number, a currency code, a
nested object or an array of them) are worked out once. The first profiles of a
process are walked by reading that plan; from the 33rd on, by a function generated
for each class (like the structure functions cattrs generates: about 20 us faster per
profile, about 5 ms to compile, which a single ``threshold evaluate`` never pays). A
generated walk writes a problem's path only when there is a problem.

The objects it walks were built a moment ago by structuring the document, for this
profile alone, so a figure's inherited ``source``/``as_of`` and a currency's
upper-case code are set on them in place rather than by copying every object on
the way down (about a quarter of a profile's structuring time). A field whose
default is a shared object (an attrs instance as a class-level default, which a
plugin's extension class may declare) is copied before it is changed.
"""

from __future__ import annotations

import copy
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from ..errors import Problem
from ..model import INT64_RANGE, Figure, format_cutoff, format_significant, range_of
from . import _types
from ._config import currency_code
from ._types import Warmup, without_none

Range = tuple[float | None, float | None]
_PLANS: dict[type, tuple[tuple[str, str, Range | None], ...]] = {}
_WALKS: dict[type, Any] = {}

# The generated code sets a figure's provenance by name: a new field of Figure
# must be considered here.
if tuple(a.name for a in attrs.fields(Figure)) != ("value", "source", "as_of", "note"):
    raise RuntimeError("Figure's fields changed: update threshold_core.load._finish")


def _plan(cls: type) -> tuple[tuple[str, str, Range | None], ...]:
    """The fields of ``cls`` worth visiting after structuring: ``(name, kind, range)``.

    ``kind`` is ``figure``, ``number``, ``currency``, ``node`` (an attrs
    object) or ``nodes`` (a tuple of them); ``range`` is the documented range
    the model declares (:data:`threshold_core.model.RANGE`). Plain scalars
    that need no check are left out, so the walk touches only what can
    hold a figure, a ranged number or a currency code.
    """
    if cls in _PLANS:
        return _PLANS[cls]
    # The fields' types resolved (typing.get_type_hints) once per class and kept on the
    # fields by attrs, which cattrs has already done for the classes it structured.
    plan: list[tuple[str, str, Range | None]] = []
    for a in attrs.fields(attrs.resolve_types(cls)):
        tp = without_none(a.type)
        bounds = range_of(a)
        if tp is Figure:
            plan.append((a.name, "figure", bounds))
        elif bounds is not None:
            plan.append((a.name, "number", bounds))
        elif a.name == "currency":
            plan.append((a.name, "currency", None))
        elif isinstance(tp, type) and attrs.has(tp):
            plan.append((a.name, "node", None))
        elif typing.get_origin(tp) is tuple:
            item = typing.get_args(tp)[0]
            if isinstance(item, type) and attrs.has(item):
                plan.append((a.name, "nodes", None))
    _PLANS[cls] = result = tuple(plan)
    return result


def out_of(bounds: Range, number: float) -> str | None:
    """What is wrong with ``number`` for its documented range, or None."""
    low, high = bounds
    if (low is None or number >= low) and (high is None or number <= high):
        return None
    # The number as given, never shown onto the bound it is outside (100.0000001 is not
    # "got 100" beside "at most 100"); the bounds as written.
    got = (str(number) if number.__class__ is int  # a whole number as written (64 bits)
           else format_significant(number, tuple(b for b in bounds if b is not None), 6))
    if high is None:
        return f"must not be negative, got {got}" if low == 0 else (
            f"must be at least {format_cutoff(low)}, got {got}")
    if low is None:
        return f"must be at most {format_cutoff(high)}, got {got}"
    what = "a share must be" if (low, high) == (0.0, 100.0) else "must be"
    return f"{what} within {format_cutoff(low)}-{format_cutoff(high)}, got {got}"


#: Profiles walked by reading the plan before the generated walks take over.
GENERATE_AFTER = _types.GENERATE_AFTER
_USES = Warmup()


def finish(obj: Any, path: str, source: Any, as_of: Any, problems: list[Problem]) -> Any:
    """Check documented ranges and currency codes of a freshly structured object, and give
    its bare figures the ``source``/``as_of`` of their section, in one walk; returns it."""
    if not _USES.due(None, GENERATE_AFTER):
        _interpret(obj, path, source, as_of, problems)
    else:
        (_WALKS.get(obj.__class__) or _walk_of(obj.__class__))(obj, path, source, as_of,
                                                               problems)
    return obj


_Entry = tuple[str, str, "Range | None", Any]
_READS: dict[type, tuple[bool, bool, tuple[_Entry, ...]]] = {}


def _reads(cls: type) -> tuple[bool, bool, tuple[_Entry, ...]]:
    """Whether ``cls`` has a ``source`` and an ``as_of``, and its plan with shared defaults."""
    found = _READS.get(cls)
    if found is None:
        fields = {a.name: a for a in attrs.fields(cls)}
        found = _READS[cls] = (
            "source" in fields or hasattr(cls, "source"),
            "as_of" in fields or hasattr(cls, "as_of"),
            tuple((name, kind, bounds, _shared_default(fields[name]))
                  for name, kind, bounds in _plan(cls)))
    return found


def _interpret(obj: Any, path: str, source: Any, as_of: Any, problems: list[Problem]) -> None:
    """The walk, reading the plan (what the generated walks do, without compiling them)."""
    has_source, has_as_of, entries = _READS.get(obj.__class__) or _reads(obj.__class__)
    if has_source:
        source = getattr(obj, "source", None) or source
    if has_as_of:
        as_of = getattr(obj, "as_of", None) or as_of
    for name, kind, bounds, shared in entries:
        v = getattr(obj, name)
        if shared is not None and v is shared and kind in ("figure", "node", "nodes"):
            v = copy.deepcopy(v)
            object.__setattr__(obj, name, v)
        if v is None:
            continue
        if kind == "figure" or kind == "number":
            number = v.value if kind == "figure" else v
            if bounds is not None and (msg := out_of(bounds, number)) is not None:
                problems.append(Problem(f"{path}.{name}", msg))
            if kind == "figure":
                if v.source is None and source:
                    object.__setattr__(v, "source", source)
                if v.as_of is None and as_of:
                    object.__setattr__(v, "as_of", as_of)
        elif kind == "currency":
            code = currency_code(v)
            if len(code) != 3 or not (code.isascii() and code.isalpha()):
                problems.append(
                    Problem(f"{path}.{name}", f'expected an ISO 4217 code, got "{v}"'))
            elif code != v:
                object.__setattr__(obj, name, code)
        elif kind == "node":
            _interpret(v, f"{path}.{name}", source, as_of, problems)
        else:
            for k, item in enumerate(v):
                _interpret(item, f"{path}.{name}[{k}]", source, as_of, problems)


#: Checks of one value each beside the ranges (``(class, field) -> (is wrong, message)``),
#: which :func:`unstructured_problems` runs on a document that did not structure.
ValueChecks = Mapping[tuple[type, str], tuple[Callable[[Any], bool], str]]


def unstructured_problems(cls: type, data: Any, path: str, found: Sequence[Problem],
                          checks: ValueChecks | None = None) -> list[Problem]:
    """The problems :func:`finish` would find in ``data``, a document of ``cls`` that did not
    structure, at the paths other than those of ``found`` (structuring's own problems).

    A structuring problem stops the walk that checks documented ranges and currency codes,
    which needs the structured object; without this, a negative count beside a misspelt
    number would be reported only once the number is fixed. The same checks run here on
    the raw document, for every number and currency code that has the right type (a value
    of the wrong type is structuring's problem, never reported twice), and so do
    ``checks``, the profile's checks of one value each (a valuation amount of 0):
    ``[Problem]``, in the document's order.
    """
    taken = {q.path for q in found}
    out: list[Problem] = []
    _unstructured(cls, data, path, out, checks or {})
    return [q for q in out if q.path not in taken]


def _unstructured(cls: type, data: Any, path: str, out: list[Problem],
                  checks: ValueChecks) -> None:
    if not isinstance(data, Mapping):
        return
    types = {a.name: without_none(a.type) for a in attrs.fields(attrs.resolve_types(cls))}
    plan = {name: (kind, bounds) for name, kind, bounds in _plan(cls)}
    for name, v in data.items():
        if v is None or name not in types:
            continue
        at = f"{path}.{name}"
        check = checks.get((cls, name))
        if check is not None and check[0](v):
            out.append(Problem(at, check[1]))
        kind, bounds = plan.get(name, ("", None))
        if kind in ("figure", "number"):
            number = v.get("value") if kind == "figure" and isinstance(v, Mapping) else v
            if bounds is None or number.__class__ not in (int, float):
                continue  # not a number: structuring's problem
            if number.__class__ is int and types[name] is not int:
                try:  # a number field given a whole number reads it as a float
                    number = float(number)
                except OverflowError:  # beyond the float range: structuring's problem
                    continue
            elif number.__class__ is int and not INT64_RANGE[0] <= number <= INT64_RANGE[1]:
                continue  # beyond 64 bits: structuring's problem
            if (msg := out_of(bounds, number)) is not None:
                out.append(Problem(at, msg))
        elif kind == "currency":
            if isinstance(v, str):
                code = currency_code(v)
                if len(code) != 3 or not (code.isascii() and code.isalpha()):
                    out.append(Problem(at, f'expected an ISO 4217 code, got "{v}"'))
        elif kind == "node":
            _unstructured(types[name], v, at, out, checks)
        elif kind == "nodes" and isinstance(v, (list, tuple)):
            item = typing.get_args(types[name])[0]
            for k, entry in enumerate(v):
                _unstructured(item, entry, f"{at}[{k}]", out, checks)


def _shared_default(a: attrs.Attribute) -> Any:  # type: ignore[type-arg]
    """The object every instance shares as ``a``'s default, or None."""
    default = a.default
    if default is attrs.NOTHING or default is None or isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        return None
    if isinstance(default, tuple) and not default:
        return None
    return default


def _walk_of(cls: type) -> Any:
    """The generated walk of ``cls`` (see the module docstring)."""
    names = {a.name: a for a in attrs.fields(cls)}
    ns: dict[str, Any] = {"out_of": out_of, "Problem": Problem, "set": object.__setattr__,
                          "code_of": currency_code, "walks": _WALKS, "walk_of": _walk_of,
                          "deepcopy": copy.deepcopy}
    body = []
    for key in ("source", "as_of"):
        if key in names:
            body.append(f"{key} = obj.{key} or {key}")
        elif hasattr(cls, key):
            body.append(f"{key} = getattr(obj, {key!r}, None) or {key}")
    for i, (name, kind, bounds) in enumerate(_plan(cls)):
        body.append(f"v = obj.{name}")
        shared = _shared_default(names[name])
        if shared is not None and kind in ("figure", "node", "nodes"):
            ns[f"shared{i}"] = shared
            body.append(f"if v is shared{i}:")
            body.append(f"    v = deepcopy(v); set(obj, {name!r}, v)")
        body.append("if v is not None:")
        if kind in ("figure", "number"):
            number = "v.value" if kind == "figure" else "v"
            if bounds is not None:
                ns[f"bounds{i}"] = bounds
                low, high = bounds
                test = " and ".join([*([f"n >= {low!r}"] if low is not None else []),
                                     *([f"n <= {high!r}"] if high is not None else [])])
                body.append(f"    n = {number}")
                body.append(f"    if not ({test}):")
                body.append(f"        problems.append(Problem(path + {'.' + name!r}, "
                            f"out_of(bounds{i}, n)))")
            if kind == "figure":
                body.append("    if v.source is None and source:")
                body.append("        set(v, 'source', source)")
                body.append("    if v.as_of is None and as_of:")
                body.append("        set(v, 'as_of', as_of)")
        elif kind == "currency":
            body.append("    code = code_of(v)")
            body.append("    if len(code) != 3 or not (code.isascii() and code.isalpha()):")
            body.append(f"        problems.append(Problem(path + {'.' + name!r}, "
                        "f'expected an ISO 4217 code, got \"{v}\"'))")
            body.append("    elif code != v:")
            body.append(f"        set(obj, {name!r}, code)")
        elif kind == "node":
            body.append("    (walks.get(v.__class__) or walk_of(v.__class__))"
                        f"(v, path + {'.' + name!r}, source, as_of, problems)")
        else:
            body.append("    for k, item in enumerate(v):")
            body.append("        (walks.get(item.__class__) or walk_of(item.__class__))"
                        f"(item, f'{{path}}.{name}[{{k}}]', source, as_of, problems)")
    lines = ["def walk(obj, path, source, as_of, problems):",
             *(f"    {line}" for line in body or ["pass"])]
    exec(compile("\n".join(lines), f"<threshold finish {cls.__qualname__}>", "exec"), ns)
    _WALKS[cls] = walk = ns["walk"]
    return walk
