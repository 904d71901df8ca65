"""The kinds of a configuration's values when it was built in Python, not read from a file.

A file's values are structured by the converter, which refuses a string where a number
belongs, ``nan``, ``inf`` and ``true`` for a number; an :class:`~threshold_core.EngineConfig`
built by hand (``FxConfig(rates={"USD": float("nan")})``) skips that step. Before the value
checks run on it, each field's value is checked against its annotated kind here, so a
configuration given in Python is refused exactly where a file would be, naming the path.
"""

from __future__ import annotations

import enum
import functools
import math
import types
import typing
from datetime import date, datetime
from typing import Any

import attrs

from ..errors import Problem
from ..model import EngineConfig

#: The sections of a configuration whose values decide (plugins, paths and settings are
#: checked when the engine is built, by their own readers).
SECTIONS = ("gate", "fx", "dimensions", "policy", "explain", "risk", "limits", "sources")


def kind_problems(config: EngineConfig) -> list[Problem]:
    """Every value of :data:`SECTIONS` that is not of its field's kind, with its path."""
    problems: list[Problem] = []
    hints = _hints(EngineConfig)
    for name in SECTIONS:
        _check(getattr(config, name), hints[name], f"$.{name}", problems)
    return problems


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _check(value: Any, kind: Any, path: str, out: list[Problem]) -> None:
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return
        kinds = [a for a in args if a is not type(None)]
        for k in kinds:
            trial: list[Problem] = []
            _check(value, k, path, trial)
            if not trial:
                return
        _check(value, kinds[0], path, out)
    elif kind is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            out.append(Problem(path, f"expected a number, got {value!r}"))
        elif not math.isfinite(value):
            out.append(Problem(path, f"expected a finite number, got {value!r}"))
    elif kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            out.append(Problem(path, f"expected a whole number, got {value!r}"))
    elif kind is bool or kind is str:
        if not isinstance(value, kind):
            out.append(Problem(path, f"expected a {kind.__name__}, got {value!r}"))
    elif kind is date:
        if not isinstance(value, date) or isinstance(value, datetime):
            out.append(Problem(path, f"expected a date, got {value!r}"))
    elif isinstance(kind, type) and issubclass(kind, enum.Enum):
        if not isinstance(value, kind):
            out.append(Problem(path, f"expected one of {', '.join(str(m.value) for m in kind)}, "
                                     f"got {value!r}"))
    elif origin is dict:
        if not isinstance(value, dict):
            out.append(Problem(path, f"expected a table, got {type(value).__name__}"))
            return
        for key, item in value.items():
            _check(key, args[0], f"{path}.{key}", out)
            _check(item, args[1], f"{path}.{key}", out)
    elif origin in (tuple, list):
        if not isinstance(value, (tuple, list)):
            out.append(Problem(path, f"expected a list, got {type(value).__name__}"))
            return
        item_kind = args[0] if args else Any
        for i, item in enumerate(value):
            _check(item, item_kind, f"{path}[{i}]", out)
    elif isinstance(kind, type) and attrs.has(kind):
        if not isinstance(value, kind):
            out.append(Problem(path, f"expected a {kind.__name__}, got {type(value).__name__}"))
            return
        hints = _hints(kind)
        for f in attrs.fields(kind):
            _check(getattr(value, f.name), hints[f.name], f"{path}.{f.name}", out)
