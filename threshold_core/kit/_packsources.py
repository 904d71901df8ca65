"""Where a rule pack's thresholds come from: ``threshold rules --parameters`` for packs.

A pack lists its numeric, date and severity settings with their basis as
:class:`~threshold_core.kit.Parameter` objects (``Pack(parameters=...)``), the same
way a :class:`~threshold_core.kit.MetricScorer` lists its own. Every such value of the
settings in force is listed: a declared one with its source (``configured`` when the
configuration changed it), an undeclared one as ``unsourced``, and one the
configuration added (a safety suite of its own, say) as ``configured``. So a number
without a source is never silently left out of the listing.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from typing import Any

import attrs

from ._cited import Basis, Cited, Parameter, ParameterSource, configured

#: What an undeclared setting of a pack shows.
UNSOURCED_SETTING = Cited(Basis.UNSOURCED, "the pack names no source")
_ABSENT = object()


def settings_parameter_sources(
    component: str, parameters: Sequence[Parameter], settings: Any, *, kind: str = "rule_pack",
    default: Any = None,
) -> list[ParameterSource]:
    """Every number, date and enumerated choice of ``settings`` (an attrs instance), with
    its source: one :class:`ParameterSource` per value, by its dotted path
    (``refusal_suites.XSTest.over_refusal_high_pct``), in field order.

    ``parameters`` name the sources by path; a path not among them is ``unsourced``.
    A value that differs from the settings class's default is ``configured`` (the
    default's source kept for reference); one the default does not have at all is
    ``configured`` with no default source. ``default`` is what ``settings`` is compared
    with (the settings class with every default when not given). Strings, flags and lists
    of names are matching vocabulary, not thresholds, and are not listed.
    """
    declared = {p.name: p for p in parameters}
    if default is None:
        default = default_settings(type(settings))
    rows = []
    for path, value in _leaves(settings, ""):
        p = declared.get(path)
        was = _at(default, path) if default is not None else _ABSENT
        cited = p.source if p is not None else UNSOURCED_SETTING
        if was is _ABSENT and default is not None:
            cited = Cited(Basis.CONFIGURED, "set in the configuration (no default)")
        elif was is not _ABSENT and was != value:
            cited = configured(cited)
        rows.append(ParameterSource(component, path, show_setting(value), cited.basis,
                                    cited.text, p.doc if p is not None else "", kind=kind))
    return rows


def show_setting(value: Any) -> str:
    """A setting as text: dates ISO 8601, whole numbers with thousands separators below
    1e15 (``10,000,000``), other numbers as ``%g`` (``1e+25``, ``0.95``)."""
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and math.isfinite(value) and value.is_integer() \
            and abs(value) < 1e15:
        return f"{int(value):,}"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:g}"


def _leaves(obj: Any, prefix: str) -> Iterator[tuple[str, Any]]:
    if attrs.has(type(obj)):
        for a in attrs.fields(type(obj)):
            if a.name.startswith("_") or "replaced_by" in a.metadata:
                continue
            yield from _leaves(getattr(obj, a.name), f"{prefix}{a.name}.")
    elif isinstance(obj, Mapping):
        for key, value in obj.items():
            yield from _leaves(value, f"{prefix}{key}.")
    elif isinstance(obj, tuple) and obj and all(
            attrs.has(type(item)) and isinstance(getattr(item, "name", None), str)
            for item in obj):
        # Named records (grade bands): by name, ``grades.Q1.min_score``.
        for item in obj:
            yield from _leaves(item, f"{prefix}{item.name}.")
    elif _is_setting(obj):
        yield prefix[:-1], obj


def _is_setting(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, (int, float, date, enum.Enum))


def _at(obj: Any, path: str) -> Any:
    """The value at a dotted path of the leaves of ``obj`` (``_ABSENT`` if none)."""
    found = dict(_leaves(obj, ""))
    return found.get(path, _ABSENT)


_DEFAULTS: dict[type, Any] = {}


def default_settings(kind: type) -> Any:
    """The settings class with every default (None when it has a required field)."""
    if kind not in _DEFAULTS:
        try:
            _DEFAULTS[kind] = kind()
        except (TypeError, ValueError):
            _DEFAULTS[kind] = None
    return _DEFAULTS[kind]
