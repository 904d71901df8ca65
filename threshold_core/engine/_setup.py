"""Setting an engine up: what the plugins registered, checked against the configuration.

Run once when an :class:`~threshold_core.engine.Engine` is built: the
registration hooks are called, every component is checked before it is used,
the plugins' settings are structured from ``[settings.<name>]``, each configured
dimension gets its one scorer and every rule id is indexed. Problems of the
configuration are collected (all of them, each with its path) for the engine to
raise at once; a plugin that registered something invalid is a
:class:`~threshold_core.errors.PluginError`.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from typing import Any

import attrs

from ..errors import PluginError, Problem
from ..load import StructureProblems, structure
from ..model import EngineConfig
from ._boundary import check_pack, check_scorer
from ._hookcalls import Activity
from ._plugins import ThresholdPluginManager
from ._registry import Registered, collect_components, declared_settings_types


def _key(config: EngineConfig, *parts: str) -> str:
    return ".".join((config.root, *parts))


def collect(
    activity: Activity, pm: ThresholdPluginManager
) -> tuple[dict[str, Registered], dict[str, Registered], dict[str, tuple[type[Any], str]]]:
    """Call the registration hooks (in the watchdog's worker, under the time budget)."""
    scorers = collect_components(pm, "threshold_register_scorers", "scorer")
    packs = collect_components(pm, "threshold_register_rule_packs", "rule pack")
    return scorers, packs, declared_settings_types(pm)


def check_components(scorers: dict[str, Registered], packs: dict[str, Registered]) -> None:
    """Validate what plugins registered, before any of it is used."""
    for name, reg in scorers.items():
        problem = check_scorer(reg.component, name)
        if problem:
            raise PluginError(reg.plugin, problem)
    for name, reg in packs.items():
        problem = check_pack(reg.component, name)
        if problem:
            raise PluginError(reg.plugin, problem)


def structure_settings(
    config: EngineConfig, types: dict[str, tuple[type[Any], str]], problems: list[Problem]
) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    for name in sorted(config.settings):
        if name not in types:
            known = ", ".join(sorted(types)) or "none"
            problems.append(
                Problem(
                    _key(config, "settings", name),
                    f"no plugin declares settings {name!r} (known: {known})",
                )
            )
    for name, (cls, _plugin) in sorted(types.items()):
        raw = config.settings.get(name)
        if raw is None and attrs.has(cls):
            # No [settings.<name>] table: the class's defaults, which is what structuring
            # {} builds, without generating its structure function first (the built-ins'
            # settings classes cost about 6 ms of a start that way).
            try:
                settings[name] = cls()
                continue
            except Exception:  # a required field or a failing validator: named below
                pass
        if raw is None:
            raw = {}
        try:
            settings[name] = structure(raw, cls)
        except StructureProblems as exc:
            key = _key(config, "settings", name)
            refused = [p.message for p in exc.problems if p.path == "$"]
            problems.extend(Problem(key + p.path[1:], p.message)
                            for p in exc.problems if p.path != "$")
            # The keys the class's validators refuse, each (with an unknown key or a wrong
            # type beside them too: all at once).
            problems.extend(validator_problems(
                key, cls, raw, ValueError(refused[0]) if refused else None))
        except Exception as exc:  # a settings class whose own validator raised
            problems.extend(validator_problems(_key(config, "settings", name), cls, raw, exc))
    return settings


def validator_problems(path: str, cls: type[Any], raw: Mapping[str, Any],
                       exc: Exception | None) -> list[Problem]:
    """Every field of ``raw`` whose validator refuses it, each at its own path
    (``$.settings.freshness.customers``), rather than the first one raised at the table's;
    ``exc`` at the table's path when no single field explains it (a check across fields)."""
    found: list[Problem] = []
    hints = typing.get_type_hints(cls) if attrs.has(cls) else {}
    for a in attrs.fields(cls) if attrs.has(cls) else ():
        if a.validator is None or a.name not in raw:
            continue
        try:
            a.validator(None, a, structure(raw[a.name], hints[a.name]))
        except ValueError as refused:
            found.append(Problem(f"{path}.{a.name}", _without_name(a.name, str(refused))))
        except Exception:  # a validator that needs the instance: left to ``exc``
            continue
    if exc is None:
        return found
    message = str(exc)
    for a in attrs.fields(cls) if attrs.has(cls) else ():
        if message.startswith(a.name + ": "):
            own = Problem(f"{path}.{a.name}", _without_name(a.name, message))
            return found if own in found else [own, *found]
    if any(p.message == message for p in found):
        return found
    return [Problem(path, message), *found]  # a check of the whole table, and the keys


def _without_name(name: str, message: str) -> str:
    return message[len(name) + 2:] if message.startswith(name + ": ") else message


def assign_scorers(
    config: EngineConfig, scorers: dict[str, Registered], problems: list[Problem]
) -> dict[str, Registered]:
    by_dimension: dict[str, list[str]] = {}
    for name, reg in sorted(scorers.items()):
        by_dimension.setdefault(reg.component.dimension, []).append(name)
    out: dict[str, Registered] = {}
    for dim, dc in sorted(config.dimensions.items()):
        if dc.scorer is not None:
            chosen = scorers.get(dc.scorer)
            if chosen is None:
                known = ", ".join(sorted(scorers)) or "none"
                problems.append(
                    Problem(_key(config, "dimensions", dim, "scorer"),
                            f"no scorer named {dc.scorer!r} (known: {known})")
                )
                continue
            out[dim] = chosen
            continue
        if dc.weight == 0:
            continue  # left out: not scored, and its scorer shows as skipped
        candidates = by_dimension.get(dim, [])
        if not candidates:
            problems.append(
                Problem(_key(config, "dimensions", dim), f"no plugin scores dimension {dim!r}")
            )
        elif len(candidates) > 1:
            who = " and ".join(f"{c!r} ({scorers[c].plugin})" for c in candidates)
            problems.append(
                Problem(_key(config, "dimensions", dim),
                        f"scored by {who}: choose one with scorer = \"...\"")
            )
        else:
            out[dim] = scorers[candidates[0]]
    return out


def index_rules(packs: dict[str, Registered]) -> dict[str, tuple[str, Any]]:
    index: dict[str, tuple[str, Any]] = {}
    for pack_name, reg in sorted(packs.items()):
        for rule in reg.component.rules:
            rid = rule.meta.id
            if (not isinstance(rid, str) or not rid.strip()
                    or any(c.isspace() or c in ";:" for c in rid)):
                raise PluginError(
                    reg.plugin,
                    f"rule {rid!r} of pack {pack_name!r}: a rule id is non-empty, without "
                    "spaces, ';' or ':' (they separate ids in CSV cells)",
                )
            if rid in index:
                other = index[rid][0]
                raise PluginError(
                    reg.plugin,
                    f"rule {rid!r} of pack {pack_name!r} is already defined by pack {other!r}",
                )
            index[rid] = (pack_name, rule)
    return index


def check_disabled_rules(
    config: EngineConfig, rule_index: Mapping[str, Any], problems: list[Problem]
) -> frozenset[str]:
    problems.extend(
        Problem(_key(config, "rules", f"disable[{i}]"), f"no rule with id {rid!r}")
        for i, rid in enumerate(config.rules.disable)
        if rid not in rule_index
    )
    return frozenset(config.rules.disable)
