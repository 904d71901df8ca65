"""Where a rule pack's thresholds come from: ``threshold rules --parameters`` for packs.

A pack lists its numeric, date, flag and enumerated settings with their basis as
:class:`~threshold_core.kit.Parameter` objects (``Pack(parameters=...)``), the same way a
:class:`~threshold_core.kit.MetricScorer` lists its own. Every such value of the settings in
force is listed: a declared one with its source (``configured`` when the configuration
changed it), an undeclared one as ``unsourced``, and one the configuration added (a safety
suite of its own, say) as ``configured``. So a number without a source is never silently
left out of the listing, and a source declared for a setting that does not exist is an
error (:class:`SourcesError`), not silently kept.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, time, timedelta
from typing import Any

import attrs

from ._cited import Basis, Cited, Parameter, ParameterSource, configured

#: What an undeclared setting of a pack shows.
UNSOURCED_SETTING = Cited(Basis.UNSOURCED, "the pack names no source")
_ABSENT = object()
#: A single value that is a setting (a threshold, a date, a switch, a choice).
_SCALARS = (int, float, date, time, timedelta, enum.Enum)


class SourcesError(ValueError):
    """A pack's declared sources do not fit its settings (a path it does not have, an entry
    that is not a :class:`Parameter` with a :class:`Cited` source)."""


def settings_parameter_sources(
    component: str, parameters: Sequence[Parameter], settings: Any, *, kind: str = "rule_pack",
    default: Any = None,
) -> list[ParameterSource]:
    """Every number, date, duration, flag and enumerated choice of ``settings`` (an attrs
    instance), alone or in a list, with its source: one :class:`ParameterSource` per value,
    by its dotted path (``refusal_suites.XSTest.over_refusal_high_pct``), in field order.

    ``parameters`` name the sources by path; a path not among them is ``unsourced``.
    A value that differs from its default is ``configured`` (the default's source kept for
    reference); one with no default (a required field, a table the configuration added) is
    ``configured`` with no default source. ``default`` is what ``settings`` is compared
    with (by default each field's own default). Strings and lists of names are matching
    vocabulary, not thresholds, and are not listed.

    :raises SourcesError: an entry of ``parameters`` is not a :class:`Parameter` with a
        :class:`Cited` source, or names a path the settings (in force or by default) do
        not have.
    """
    for p in parameters:
        if not isinstance(p, Parameter) or not isinstance(p.source, Cited):
            raise SourcesError(f"{component}: a declared source is not a Parameter(path, "
                               f"primary(...) | secondary(...) | house_policy(...)): {p!r:.80}")
    found = dict(_leaves(settings, ""))
    owners = dict(_owners(settings, ""))
    base = default if default is not None else _field_defaults(settings)
    defaults = dict(_leaves(base, ""))
    default_owners = dict(_owners(base, ""))
    unknown = [p.name for p in parameters if p.name not in found and p.name not in defaults]
    if unknown:
        raise SourcesError(f"{component}: declares a source for {', '.join(unknown)}, which "
                           "its settings do not have")
    declared = {p.name: p for p in parameters}
    rows = []
    for path, value in found.items():
        source = declared.get(path)
        was = defaults.get(path, _ABSENT)
        cited = source.source if source is not None else UNSOURCED_SETTING
        # A table of the configuration's own (a safety suite, an FX table) may say where its
        # values come from: its ``source``, when it is not the default table's.
        own = getattr(owners.get(path), "source", None)
        if not isinstance(own, str) or not own or own == getattr(
                default_owners.get(path), "source", None):
            own = None
        if was is _ABSENT:
            cited = (configured(cited) if source is not None
                     else Cited(Basis.CONFIGURED, "set in the configuration (no default)"))
        elif not _same(was, value):
            cited = configured(cited)
        if cited.basis is Basis.CONFIGURED and own:
            cited = Cited(Basis.CONFIGURED, f"{cited.text}; its source: {own}")
        rows.append(ParameterSource(component, path, show_setting(value), cited.basis,
                                    cited.text, source.doc if source is not None else "",
                                    kind=kind, raw=json_setting(value)))
    return rows


def show_setting(value: Any) -> str:
    """A setting as text, exactly: dates ISO 8601, whole numbers with thousands separators
    below 1e15 (``10,000,000``), other numbers as Python writes them (``1e+25``, ``0.95``,
    ``49.99999``), flags ``true``/``false``, a list's items joined by ``, ``."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, float) and math.isfinite(value) and value.is_integer() \
            and abs(value) < 1e15 and math.copysign(1.0, value) > 0:
        return f"{int(value):,}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, (tuple, list)):
        return ", ".join(f"({show_setting(v)})" if isinstance(v, (tuple, list))
                         else show_setting(v) for v in value)
    return repr(value) if isinstance(value, float) else str(value)


def json_setting(value: Any) -> Any:
    """A setting as JSON data, exact: numbers as numbers (NaN and infinities as None, which
    JSON cannot hold), dates and times ISO 8601, durations in seconds, choices by value,
    lists as lists."""
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, (tuple, list)):
        return [json_setting(v) for v in value]
    return str(value)


def _leaves(obj: Any, prefix: str) -> Iterator[tuple[str, Any]]:
    if attrs.has(type(obj)):
        for a in attrs.fields(type(obj)):
            if a.name.startswith("_") or "replaced_by" in a.metadata:
                continue
            yield from _leaves(getattr(obj, a.name), f"{prefix}{a.name}.")
    elif isinstance(obj, Mapping):
        for key, value in obj.items():
            yield from _leaves(value, f"{prefix}{key}.")
    elif isinstance(obj, (tuple, list)) and obj and all(attrs.has(type(i)) for i in obj):
        # Records: named ones (grade bands) by name, ``grades.Q1.min_score``; others by
        # position, ``history.0.rate``.
        for i, item in enumerate(obj):
            name = getattr(item, "name", None)
            yield from _leaves(item, f"{prefix}{name if isinstance(name, str) else i}.")
    elif isinstance(obj, (bool, *_SCALARS)) or _is_setting_list(obj):
        yield prefix[:-1], obj


def _owners(obj: Any, prefix: str, holder: Any = None) -> Iterator[tuple[str, Any]]:
    """Each path and the attrs object that holds it (the nearest one, through tables)."""
    if attrs.has(type(obj)):
        for a in attrs.fields(type(obj)):
            yield f"{prefix}{a.name}", obj
            yield from _owners(getattr(obj, a.name), f"{prefix}{a.name}.", obj)
    elif isinstance(obj, Mapping):
        for key, value in obj.items():
            yield f"{prefix}{key}", holder
            yield from _owners(value, f"{prefix}{key}.", holder)
    elif isinstance(obj, (tuple, list)) and obj and all(attrs.has(type(i)) for i in obj):
        for i, item in enumerate(obj):
            name = getattr(item, "name", None)
            yield from _owners(item, f"{prefix}{name if isinstance(name, str) else i}.", holder)


def _is_setting_list(value: Any) -> bool:
    """A list of settings (numbers, dates, choices, or lists of them), not of names."""
    if not isinstance(value, (tuple, list)) or not value:
        return False
    return all((isinstance(v, _SCALARS) and not isinstance(v, bool)) or _is_setting_list(v)
               for v in value)


def _same(a: Any, b: Any) -> bool:
    """Equal, NaN equal to NaN (a NaN default is not 'changed')."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return bool(a == b)


def _field_defaults(settings: Any) -> Any:
    """The settings class with every default, or, when a field has none, a mapping of the
    fields that have one to their defaults."""
    kind = type(settings)
    made = default_settings(kind)
    if made is not None or not attrs.has(kind):
        return made
    out: dict[str, Any] = {}
    for a in attrs.fields(kind):
        if a.default is attrs.NOTHING:
            continue
        if isinstance(a.default, attrs.Factory):  # type: ignore[arg-type]
            if a.default.takes_self:
                continue
            out[a.name] = a.default.factory()
        else:
            out[a.name] = a.default
    return out


_DEFAULTS: dict[type, Any] = {}


def default_settings(kind: type) -> Any:
    """The settings class with every default (None when it has a required field)."""
    if kind not in _DEFAULTS:
        try:
            _DEFAULTS[kind] = kind()
        except (TypeError, ValueError):
            _DEFAULTS[kind] = None
    return _DEFAULTS[kind]
