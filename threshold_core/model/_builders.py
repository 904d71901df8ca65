"""Building the value objects of the hot paths without attrs' generic ``__init__``.

A frozen, slotted attrs class sets each field through ``object.__setattr__`` bound
to the new instance. The objects made for every metric and rule of every
evaluation (:class:`MetricScore`, :class:`RuleOutcome`, :class:`Finding`) are
built here by a function that sets each slot through its descriptor instead:
the same object, about 40% sooner. It applies only where attrs' ``__init__`` does
nothing else (no validator, converter, ``on_setattr`` or post-init hook, every
field positional); for any other class the class itself is returned.
The caller passes every field, in the class's order: a factory default (a fresh
``dict``) is the caller's to make. Each field is stored by a plain assignment on a twin
class (a subclass adding nothing but ``object``'s own ``__setattr__``, so the interpreter
specialises the stores), and the object then takes ``cls`` as its class: a store into a
slot, not a call of its descriptor. ``tests/model/test_builders.py`` compares the
objects with the ones attrs builds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import attrs

T = TypeVar("T")


def _plain(cls: type) -> bool:
    if not attrs.has(cls) or "__slots__" not in cls.__dict__:
        return False
    if getattr(cls, "__attrs_post_init__", None) or getattr(cls, "__attrs_pre_init__", None):
        return False
    return all(a.init and not a.kw_only and a.validator is None and a.converter is None
               and a.on_setattr in (None, attrs.setters.NO_OP)
               and a.alias == a.name for a in attrs.fields(cls))


def builds_positionally(cls: type) -> bool:
    """Whether :func:`positional_builder` builds ``cls`` by setting its slots (else it
    returns the class itself): attrs' ``__init__`` does nothing more for it."""
    return _plain(cls)


def positional_builder(cls: type[T]) -> Callable[..., T]:
    """``cls(*values)`` with every field given, positionally, in the class's order."""
    if not _plain(cls):
        return cls
    names = [a.name for a in attrs.fields(cast(Any, cls))]
    args = ", ".join(f"a{i}" for i in range(len(names)))
    twin = _twin(cls)
    if twin is not None:
        # Each field stored by a plain attribute assignment on the twin (which the
        # interpreter specialises to a store into the slot), then the object made the
        # class's own: about a third of the descriptor calls' time.
        body = "".join(f"    o.{name} = a{i}\n" for i, name in enumerate(names))
        source = f"def build({args}):\n    o = _new(_twin)\n{body}    o.__class__ = _cls\n" \
                 "    return o\n"
        namespace: dict[str, Any] = {"_new": object.__new__, "_cls": cls, "_twin": twin}
    else:
        setters = {f"_s{i}": getattr(cls, name).__set__ for i, name in enumerate(names)}
        body = "".join(f"    _s{i}(o, a{i})\n" for i in range(len(names)))
        source = f"def build({args}):\n    o = _new(_cls)\n{body}    return o\n"
        namespace = {"_new": object.__new__, "_cls": cls, **setters}
    exec(compile(source, f"<positional builder of {cls.__qualname__}>", "exec"), namespace)
    build: Callable[..., T] = namespace["build"]
    build.__doc__ = f"{cls.__qualname__}(*values), every field given (see _builders.py)"
    return build


def _twin(cls: type) -> type | None:
    """A subclass of ``cls`` with the same layout whose attributes can be assigned (the
    object's own ``__setattr__`` and ``__delattr__``, no slots of its own): an object
    made as one and given ``cls`` as its class is an object of ``cls`` like any other.
    None when Python refuses the class change (another layout)."""
    try:
        twin = type(cls.__name__, (cls,), {
            "__slots__": (), "__setattr__": object.__setattr__,
            "__delattr__": object.__delattr__, "__module__": cls.__module__,
            "__qualname__": f"{cls.__qualname__}.<being built>", "__doc__": None})
        probe: Any = object.__new__(twin)
        probe.__class__ = cls
    except TypeError:
        return None
    return twin
