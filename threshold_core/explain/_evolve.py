"""``attrs.evolve`` for the explanation's hot path: one generated function per class and
set of fields changed.

``attrs.evolve(obj, raw_score=x)`` looks up the class's fields, reads each into a
keyword dict and calls the class with it: about 6 us for a decision or a dimension
result, and an explanation makes about ten such copies. ``replacer(cls, "raw_score")``
returns ``replace(obj, x)``, which passes every field positionally to
:func:`~threshold_core.model.positional_builder` (the class itself where attrs'
``__init__`` does more than set the fields): the same object, at a fifth of the cost.
A class whose fields cannot all be passed positionally gets ``attrs.evolve`` itself.
The explanation tests (``tests/explain/``) compare the explanations made with it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import attrs

from ..model import positional_builder

__all__ = ["builder", "replacer"]

T = TypeVar("T")
_BUILDERS: dict[type, Callable[..., Any]] = {}


def builder(cls: type[T]) -> Callable[..., T]:
    """``builder(cls)(*values)`` is ``cls(*values)``, every field given in the class's
    order (:func:`~threshold_core.model.positional_builder`, made once per class)."""
    made = _BUILDERS.get(cls)
    if made is None:
        made = _BUILDERS[cls] = positional_builder(cls)
    return made


_MADE: dict[tuple[type, tuple[str, ...]], Callable[..., Any]] = {}


def replacer(cls: type[T], *names: str) -> Callable[..., T]:
    """``replace(obj, *values)``: ``attrs.evolve(obj, **dict(zip(names, values)))`` (an
    ``obj`` of a subclass of ``cls`` is handed to ``attrs.evolve``)."""
    key = (cls, names)
    made = _MADE.get(key)
    if made is None:
        made = _MADE[key] = _make(cls, names)
    return made


def _make(cls: type, names: tuple[str, ...]) -> Callable[..., Any]:
    fields = attrs.fields(cls)
    known = {a.name for a in fields}
    values = ", ".join(f"v{i}" for i in range(len(names)))
    if (any(not a.init or a.kw_only or a.alias != a.name for a in fields)
            or not known.issuperset(names) or len(set(names)) != len(names)):
        return _evolve(names)
    args = ", ".join(f"v{names.index(a.name)}" if a.name in names else f"o.{a.name}"
                     for a in fields)
    source = (f"def replace(o, {values}):\n"
              "    if o.__class__ is not cls:\n"
              f"        return evolve(o, {values})\n"
              f"    return build({args})\n")
    namespace: dict[str, Any] = {"build": builder(cls), "cls": cls,
                                 "evolve": _evolve(names)}
    exec(compile(source, f"<replacer of {cls.__qualname__} {', '.join(names)}>", "exec"),
         namespace)
    replace: Callable[..., Any] = namespace["replace"]
    return replace


def _evolve(names: tuple[str, ...]) -> Callable[..., Any]:
    def evolve(obj: Any, *changed: Any) -> Any:
        return attrs.evolve(obj, **dict(zip(names, changed, strict=True)))

    return evolve
