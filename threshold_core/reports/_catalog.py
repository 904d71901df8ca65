"""What is installed: plugins with their components and hooks, every rule, and every
scorer parameter and rule-pack threshold with its source."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
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

    A row that cannot change any decision under the configuration is kept and carries
    ``not_in_effect``, saying why: its scorer is not used (its dimension has weight 0, is
    not configured, or has another scorer), every rule of its pack is disabled, or every
    rule its description names (``"FIL-003: working days ..."``) is disabled.
    """
    out: list[dict[str, str]] = []
    every = scorer is None and pack is None
    unused = {e["component"]: e["message"] for e in engine.skipped_scorers}
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
        why = f"scorer {name!r} is not used: {unused[name]}" if name in unused else None
        out += [_row(r, reg.plugin, why) for r in rows]
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
        ids = [rule.meta.id for rule in preg.component.rules]
        out += [_row(r, preg.plugin, _pack_off(name, ids, r.doc, engine.disabled_rules))
                for r in rows]
    if every:
        out += [{**r.as_dict(), "plugin": "core"}
                for r in policy_parameter_sources(engine.config)]
    return out


def _row(row: ParameterSource, plugin: str, not_in_effect: str | None) -> dict[str, Any]:
    out = {**row.as_dict(), "plugin": plugin}
    if not_in_effect is not None:
        out["not_in_effect"] = not_in_effect
    return out


#: What disables a rule, as the rows not in effect say it.
_DISABLED = "([rules] disable)"


def _pack_off(pack: str, ids: list[str], doc: str, disabled: frozenset[str]) -> str | None:
    """Why a threshold of ``pack`` is not in effect, or None: every rule of the pack is
    disabled, or every rule the row's description begins with (``"FIL-001, FIL-002: ..."``,
    ``"FIL-007 applies from"``) is."""
    if ids and all(i in disabled for i in ids):
        return f"every rule of pack {pack!r} is disabled {_DISABLED}"
    named = rules_named(doc, ids)
    if not named or not all(i in disabled for i in named):
        return None
    if len(named) == 1:
        return f"rule {named[0]} of pack {pack!r} is disabled {_DISABLED}"
    return (f"rules {', '.join(named[:-1])} and {named[-1]} of pack {pack!r} are disabled "
            f"{_DISABLED}")


def rules_named(doc: str, ids: Iterable[str]) -> list[str]:
    """The rule ids (of ``ids``) a threshold's description begins with: ``"FIL-001, FIL-002,
    FIL-011: age of a registry check"`` names three, ``"FIL-009 critical from"`` one,
    ``"age of a screening"`` none."""
    known = set(ids)
    named: list[str] = []
    for word in re.split(r"[\s,:;]+", doc.strip()):
        if word in known:
            named.append(word)
        elif not (word == "and" and named):
            break
    return named


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
