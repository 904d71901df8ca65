"""What is installed: plugins with their components and hooks, every rule, and every
scorer parameter and rule-pack threshold with its source."""

from __future__ import annotations

import functools
from typing import Any

from ..engine import Engine
from ..errors import PluginError
from ..kit import Basis, ParameterSource, settings_parameter_sources
from ._policysources import policy_parameter_sources


def describe_plugins(engine: Engine, *, include_builtin: bool = False) -> list[dict[str, Any]]:
    """One entry per registered plugin, sorted by name."""
    components: dict[str, list[str]] = {}
    for name, reg in engine.scorers.items():
        components.setdefault(reg.plugin, []).append(f"scorer:{name}")
    for name, reg in engine.packs.items():
        components.setdefault(reg.plugin, []).append(f"rule_pack:{name}")
    out = []
    for name, plugin in sorted(engine.pm.list_name_plugin()):
        info = engine.pm.info.get(name)
        if info is None or (info.origin == "builtin" and not include_builtin):
            continue
        hooks = sorted(h.name for h in engine.pm.get_hookcallers(plugin) or ())
        out.append(
            {
                "name": name,
                "version": info.version,
                "origin": info.origin,
                "distribution": info.distribution,
                "path": info.path,
                "components": sorted(components.get(name, [])),
                "hooks": hooks,
            }
        )
    return out


def describe_rules(engine: Engine, *, pack: str | None = None) -> list[dict[str, Any]]:
    """Every rule of every pack (or of one pack), sorted by pack then id."""
    out = []
    for pack_name, reg in sorted(engine.packs.items()):
        if pack is not None and pack_name != pack:
            continue
        for rule in sorted(reg.component.rules, key=lambda r: r.meta.id):
            m = rule.meta
            out.append(
                {
                    "id": m.id,
                    "pack": pack_name,
                    "severity": str(m.severity),
                    # Every severity it can fire at, most severe first (a conditional
                    # severity such as CHIP-001's critical / high lists both).
                    "severities": [str(s) for s in m.possible_severities],
                    "dimension": m.dimension,
                    "title": m.title,
                    "source": m.source,
                    "rationale": m.rationale,
                    "plugin": reg.plugin,
                    "disabled": m.id in engine.disabled_rules,
                }
            )
    return out


def describe_parameters(
    engine: Engine, *, scorer: str | None = None, pack: str | None = None,
) -> list[dict[str, str]]:
    """Every weight, band and parameter of every scorer, every threshold of every rule
    pack's settings, then the core's own (the line, FX table, dimension weights, policy, risk
    and explanation: :mod:`._policysources`), in force, with its source: ``primary``,
    ``secondary``, ``house policy``, ``configured`` (set in the configuration) or
    ``unsourced``.

    ``scorer`` or ``pack`` (or both) keep only that component's rows. A scorer that does
    not describe its parameters (one not built on :class:`~threshold_core.kit.MetricScorer`)
    shows one ``unsourced`` row; a pack that does not (one not built on
    :class:`~threshold_core.kit.Pack`) shows each number, date and severity of its
    settings as ``unsourced``. A pack without settings has no rows. Rows are dicts
    (:meth:`~threshold_core.kit.ParameterSource.as_dict` and ``plugin``).
    """
    out: list[dict[str, str]] = []
    every = scorer is None and pack is None
    for name, reg in sorted(engine.scorers.items()):
        if not (every or name == scorer):
            continue
        describe = getattr(reg.component, "parameter_sources", None)
        settings = engine.settings.get(name)
        rows: list[ParameterSource] = []
        if callable(describe) and settings is not None:
            rows = _described(reg.plugin, f"scorer {name!r}", describe, settings)
        if not rows:
            rows = [ParameterSource(name, "*", "-", Basis.UNSOURCED,
                                    "the scorer does not describe its parameters")]
        out += [{**r.as_dict(), "plugin": reg.plugin} for r in rows]
    for name, preg in sorted(engine.packs.items()):
        if not (every or name == pack):
            continue
        settings = engine.settings.get(name)
        if settings is None:
            continue
        describe = getattr(preg.component, "parameter_sources", None)
        if not callable(describe):
            describe = functools.partial(settings_parameter_sources, name, ())
        rows = _described(preg.plugin, f"rule pack {name!r}", describe, settings)
        out += [{**r.as_dict(), "plugin": preg.plugin} for r in rows]
    if every:
        out += [{**r.as_dict(), "plugin": "core"}
                for r in policy_parameter_sources(engine.config)]
    return out


def _described(plugin: str, what: str, describe: Any, settings: Any) -> list[ParameterSource]:
    """A plugin's ``parameter_sources(settings)``, checked.

    :raises PluginError: it raised, or returned anything but ParameterSource rows (exit 3,
        naming the plugin and the component).
    """
    try:
        rows = list(describe(settings))
    except Exception as exc:
        text = " ".join(str(exc).split())
        raise PluginError(plugin, f"{what}: its parameter sources failed: "
                          f"{type(exc).__name__}: {text}") from None
    wrong = [r for r in rows if not isinstance(r, ParameterSource)]
    if wrong:
        raise PluginError(plugin, f"{what}: its parameter sources are not ParameterSource "
                          f"rows: {wrong[0]!r:.80}")
    return rows
