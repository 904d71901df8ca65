"""orjson writing a decision straight from its objects, byte for byte as the json module
writes :func:`threshold_core.load.decision_to_dict` (used by :mod:`._jsonio`).

orjson writes dicts, lists, tuples, strings, integers, booleans, None and enums itself
and calls :func:`_default` for everything else. For an attrs object that is a function
generated once per class, which returns its fields in a dict as the converter would
unstructure them, without copying what orjson can write as it is: a table of ``Any``
(a rule's evidence) is handed over as it is unless a value in it needs changing. A
:class:`~threshold_core.model.Figure` and a :class:`~threshold_core.kit.Band` take the
converter's special shapes, the decision its documented key order, a date its ISO form.

Floats: orjson writes a float as Python's repr does when it has no exponent (0, and
1e-4 <= |x| < 1e16); every float the writer passes is checked (typed fields in the
generated code, tables by :func:`_clean`) and any other finite float is handed to
orjson as its repr, already written (``orjson.Fragment``). NaN and infinity raise
:class:`NotPlain` (the caller falls back to the json module, which refuses them).
"""

from __future__ import annotations

import types
import typing
from datetime import date
from typing import Any

import attrs
import orjson

from ._recipes import keep_source, kept_source

__all__ = ["NotPlain", "compact_default", "default", "plain_float"]


class NotPlain(Exception):
    """A value the fast writer would not write as the json module does."""


def plain_float(x: float) -> Any:
    """``x`` as orjson should be handed it: itself, or its repr already written."""
    if x == 0.0 or 1e-4 <= abs(x) < 1e16:  # False for NaN; infinity is >= 1e16
        return x
    if x - x == 0.0:  # finite (x - x is NaN for NaN and infinity)
        return orjson.Fragment(repr(x))
    raise NotPlain


def _clean(v: Any) -> Any:
    """A value of a table or an array of ``Any``: itself when orjson writes it as the json
    module does (attrs objects inside go to :func:`default`), else a copy that does.

    A table or array inside is looked through in the same loop (evidence often holds
    a list of names or a small table), without a call per value."""
    cls = v.__class__
    if cls is dict:
        values = v.values()
    elif cls is list or cls is tuple:
        values = v
    elif cls is float:
        return v if (v == 0.0 or 1e-4 <= abs(v) < 1e16) else plain_float(v)
    else:
        return v
    for x in values:
        c = x.__class__
        if c in _PLAIN:
            continue
        if c is float:
            if x == 0.0 or 1e-4 <= abs(x) < 1e16:
                continue
        elif c is dict or c is list or c is tuple:
            for y in (x.values() if c is dict else x):
                d = y.__class__
                if d in _PLAIN or (d is float and (y == 0.0 or 1e-4 <= abs(y) < 1e16)):
                    continue
                if _clean(y) is not y:
                    break
            else:
                continue
        elif _clean(x) is x:
            continue
        # something in it changes: copy it (rare)
        if cls is dict:
            return {k: _clean(y) for k, y in v.items()}
        return [_clean(y) for y in v]
    return v


#: What orjson writes as the json module does, whatever the value.
_PLAIN = frozenset({str, int, bool, type(None)})
_FUNCTIONS: dict[type, Any] = {}
_PASS_THROUGH = (str, int, bool)


def default(obj: Any) -> Any:
    """orjson's ``default``: what to write for an object it does not write itself."""
    fn = _FUNCTIONS.get(obj.__class__) or _function_of(obj.__class__)
    return fn(obj)


def compact_default(obj: Any) -> Any:
    """:func:`default` for compact output (a JSONL line): the same, except that the lists
    an engine shares between all its decisions are written once (:func:`_shared`)."""
    fn = _COMPACT.get(obj.__class__) or _compact_function_of(obj.__class__)
    return fn(obj)


#: Compact output's functions: :data:`_FUNCTIONS`' but for the classes below.
_COMPACT: dict[type, Any] = {}
#: Per class, the fields holding what one engine shares between all its decisions: a
#: receipt's plugins and packs (one tuple of frozen objects per engine).
_SHARED_FIELDS = {"Receipt": ("plugins", "packs")}
#: Written shared values: ``id(value) -> (value, its compact JSON)``; the value is held,
#: so its id is not reused while it is here.
_WRITTEN: dict[int, tuple[Any, Any]] = {}


def _compact_function_of(cls: type) -> Any:
    fn = _FUNCTIONS.get(cls) or _function_of(cls)
    fields = _SHARED_FIELDS.get(cls.__name__) if cls.__module__.startswith(
        "threshold_core.model") else None
    if fields:
        def shared(obj: Any) -> Any:
            out = fn(obj)
            for name in fields:
                out[name] = _shared(out[name])
            return out

        _COMPACT[cls] = shared
        return shared
    _COMPACT[cls] = fn
    return fn


def _shared(value: Any) -> Any:
    """``value`` as orjson writes it compact, written once per value (a tuple of frozen
    objects, which never changes) and handed back as that text (``orjson.Fragment``)."""
    if not value:
        return value
    hit = _WRITTEN.get(id(value))
    if hit is not None and hit[0] is value:
        return hit[1]
    text = orjson.Fragment(orjson.dumps(value, default=default, option=_PASSTHROUGH))
    if len(_WRITTEN) >= 16:  # one or two engines per process: never more than a few
        _WRITTEN.clear()
    _WRITTEN[id(value)] = (value, text)
    return text


_PASSTHROUGH = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def _kind(tp: Any) -> str:
    """How a field of type ``tp`` is handed to orjson: ``as_is``, ``float`` or ``clean``."""
    args = typing.get_args(tp)
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        kinds = {_kind(a) for a in args if a is not type(None)}
        return kinds.pop() if len(kinds) == 1 else "clean"
    if tp is float:
        return "float"
    if isinstance(tp, type) and (issubclass(tp, _PASS_THROUGH) or attrs.has(tp)):
        return "as_is"  # an enum too (orjson writes its value); an attrs object: default()
    if typing.get_origin(tp) is tuple and len(args) == 2 and args[1] is Ellipsis:
        item = args[0]
        if isinstance(item, type) and (issubclass(item, _PASS_THROUGH) or attrs.has(item)):
            return "as_is"
    return "clean"


def _function_of(cls: type) -> Any:
    from ..kit import Band
    from ..model import Decision, Figure

    fn: Any
    if cls is Figure:
        fn = _figure
    elif cls is Band:
        fn = _band
    elif cls is date:
        fn = date.isoformat
    elif attrs.has(cls):
        fn = _generate(cls, ordered=cls is Decision)
    else:
        fn = _other
    _FUNCTIONS[cls] = fn
    return fn


def _figure(fig: Any) -> Any:
    value = fig.value
    if value.__class__ is float:
        value = plain_float(value)
    if fig.source is None and fig.as_of is None and fig.note is None:
        return value
    out: dict[str, Any] = {"value": value}
    if fig.source is not None:
        out["source"] = fig.source
    if fig.as_of is not None:
        out["as_of"] = fig.as_of.isoformat()
    if fig.note is not None:
        out["note"] = fig.note
    return out


def _band(band: Any) -> Any:
    return [[plain_float(x) if x.__class__ is float else x for x in p] for p in band.points]


def _other(obj: Any) -> Any:
    """Anything else: what the writer's converter makes of it (or orjson refuses it)."""
    from ._jsonio import _writer_converter

    out = _writer_converter().unstructure(obj)
    if out is obj:
        raise TypeError(f"not JSON: {type(obj).__name__}")
    return out


#: The decision's keys in the documented order (the other fields follow, then these).
_DECISION_FIRST = ("schema_version", "company", "verdict", "risk", "grade", "score", "gate",
                   "dimensions", "findings", "determining", "headroom", "scorecard_risk",
                   "sourcing")
_DECISION_LAST = ("trace", "receipt")


def _generate(cls: type, ordered: bool) -> Any:
    # The threshold command keeps the source (resolving the annotations is the costly part).
    key = f"writer:{cls.__module__}:{cls.__qualname__}:{int(ordered)}"
    source = kept_source(key)
    if not isinstance(source, str):
        hints = typing.get_type_hints(cls)
        source = _source(cls, ordered, hints)
        keep_source(key, source, [cls, *_types_in(hints.values())], _GENERATORS)
    ns: dict[str, Any] = {"plain_float": plain_float, "clean": _clean}
    exec(compile(source, f"<threshold writer {cls.__qualname__}>", "exec"), ns)
    return ns["unstructure"]


_GENERATORS = ("threshold_core.load._writer",)


def _types_in(tps: Any) -> list[type]:
    """The classes the types ``tps`` name (their arguments' too)."""
    out: list[type] = []
    for tp in tps:
        if isinstance(tp, type) and typing.get_origin(tp) is None:
            out.append(tp)
        out += _types_in(typing.get_args(tp))
    return out


def _source(cls: type, ordered: bool, hints: dict[str, Any]) -> str:
    names = [a.name for a in attrs.fields(cls)]
    if ordered:
        rest = [n for n in names if n not in (*_DECISION_FIRST, *_DECISION_LAST, "source_path")]
        names = [*_DECISION_FIRST, *rest, *_DECISION_LAST]
    body, items = [], []
    for i, name in enumerate(names):
        kind = _kind(hints[name])
        if kind == "as_is":
            items.append(f"{name!r}: o.{name}")
            continue
        body.append(f"v{i} = o.{name}")
        if kind == "float":
            body.append(f"if v{i}.__class__ is float and not "
                        f"(v{i} == 0.0 or 1e-4 <= abs(v{i}) < 1e16):")
            body.append(f"    v{i} = plain_float(v{i})")
        else:  # an empty table, array or string, None, 0 or 0.0 is written as it is
            body.append(f"if v{i}:")
            body.append(f"    v{i} = clean(v{i})")
        items.append(f"{name!r}: v{i}")
    body.append("out = {" + ", ".join(items) + "}")
    if ordered:
        body.append("if o.source_path is not None:")
        body.append("    out['source_path'] = o.source_path")
    body.append("return out")
    return "def unstructure(o):\n" + "".join(f"    {line}\n" for line in body)
