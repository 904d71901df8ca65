"""Fields of the trace recorded compactly and built when first read (issue 20).

The engine records what most rules of an evaluation did (passed, with their evidence)
in compact columns instead of one :class:`~threshold_core.model.RuleOutcome` each,
and hands the slot of a field a :class:`Deferred` standing for its value. The first
read of the field (attribute access, equality, ``repr``, pickling, cattrs, the JSON
writer, the reports, explain: they all read attributes) builds the value, stores it
in the slot and returns it; every later read returns that same object. What a caller
sees is what an eager engine would have recorded: the same classes, values and
equality. Nothing is dropped: the columns hold everything the objects hold.

:func:`deferred_fields` installs this on a frozen, slotted attrs class: each named
field's slot descriptor is wrapped by one that builds a :class:`Deferred` on read.
Setting the field (attrs' ``__init__``, :func:`positional_builder`, unpickling) goes
to the slot as before.
"""

from __future__ import annotations

from typing import Any


class Deferred:
    """A field's value, recorded compactly; :meth:`build` makes the value itself."""

    __slots__ = ()

    def build(self) -> Any:  # pragma: no cover - every subclass has its own
        raise NotImplementedError


class _DeferredSlot:
    """A slot's descriptor that builds a :class:`Deferred` value when the slot is read."""

    __slots__ = ("name", "slot", "slot_set")

    def __init__(self, slot: Any, name: str) -> None:
        self.slot = slot
        #: The slot's own setter: what :func:`positional_builder` sets the field with.
        self.slot_set = slot.__set__
        self.name = name

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        value = self.slot.__get__(obj, owner)
        if isinstance(value, Deferred):
            value = value.build()
            self.slot_set(obj, value)
        return value

    def __set__(self, obj: Any, value: Any) -> None:
        self.slot_set(obj, value)

    def __delete__(self, obj: Any) -> None:
        self.slot.__delete__(obj)


def deferred_fields(cls: type, *names: str) -> None:
    """Let the named fields of the slotted attrs class ``cls`` hold a :class:`Deferred`."""
    for name in names:
        slot = cls.__dict__[name]
        if isinstance(slot, _DeferredSlot):
            continue
        setattr(cls, name, _DeferredSlot(slot, name))


def recorded(obj: Any, name: str) -> Any:
    """What ``obj``'s field ``name`` holds, a :class:`Deferred` left unbuilt."""
    desc = type(obj).__dict__.get(name)
    if isinstance(desc, _DeferredSlot):
        return desc.slot.__get__(obj, type(obj))
    return getattr(obj, name)


def slot_setter(cls: type, name: str) -> Any:
    """The setter of ``cls``'s slot ``name`` (the slot's own, under a deferred field)."""
    desc = cls.__dict__.get(name)
    if isinstance(desc, _DeferredSlot):
        return desc.slot_set
    return getattr(cls, name).__set__
