"""Small helpers the loader's generated code shares: optional types, and when to generate.

Each generated fast path (structuring a profile in one pass, its walk, the receipt's
canonical arrays) first runs the general code for a few documents of a class, so that a
single ``threshold evaluate`` never pays for generating and compiling it
(:class:`Warmup`); each reads a field's ``T | None`` as ``T`` (:func:`optional_inner`,
:func:`without_none`).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Hashable
from typing import Any

__all__ = ["GENERATE_AFTER", "Warmup", "generate_from_first_use", "is_union",
           "optional_inner", "without_none"]

#: Uses of a class by the general code before its generated function takes over.
GENERATE_AFTER = 32


class Warmup:
    """Counts each key's uses: :meth:`due` once a key has been used ``after`` times.

    ``first_use``: :meth:`due` from a key's first use once
    :func:`generate_from_first_use` was called (the profile's structuring function)."""

    #: Set by :func:`generate_from_first_use`.
    from_first_use = False

    def __init__(self, first_use: bool = False) -> None:
        self._seen: dict[Hashable, int] = {}
        self._first_use = first_use

    def due(self, key: Hashable, after: int = GENERATE_AFTER) -> bool:
        """False (and one more use counted) for the first ``after`` uses of ``key``."""
        if self._first_use and Warmup.from_first_use:
            return True
        seen = self._seen.get(key, 0)
        if seen < after:
            self._seen[key] = seen + 1
            return False
        return True


def generate_from_first_use(on: bool = True) -> None:
    """Structure profiles with the generated function (:mod:`._fast`) from the first
    document of a class, instead of after :data:`GENERATE_AFTER` documents.

    For the ``threshold`` command with its cache of generated code in place: the function's
    compiled code then comes from the cache, and building it (hooks looked up only when a
    value needs one) costs less than the converter's own generated functions, which one
    valid profile then never needs. A document the function refuses still goes the long
    way, so every message is the detailed converter's."""
    Warmup.from_first_use = on


def is_union(tp: Any) -> bool:
    """True for ``X | Y`` and ``typing.Union[X, Y]``."""
    return typing.get_origin(tp) in (typing.Union, types.UnionType)


def optional_inner(tp: Any) -> Any:
    """``X`` for ``X | None``; None for any other type, another union included."""
    if is_union(tp):
        args = typing.get_args(tp)
        if len(args) == 2 and type(None) in args:
            return args[0] if args[1] is type(None) else args[1]
    return None


def without_none(tp: Any) -> Any:
    """A union's first member that is not None (``X`` for ``X | None``); ``tp`` itself
    when it is no union."""
    if is_union(tp):
        return next(a for a in typing.get_args(tp) if a is not type(None))
    return tp
