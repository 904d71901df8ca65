"""What the engine works out once, when it is built: the order it runs the components in.

Each assigned scorer and each rule pack as a plan (``ScorerPlan``, ``PackPlan``): names,
versions, weights, rules by id, what is disabled and whether the component is a
built-in one (whose results are held to the contract by tests over every built-in
result instead of per evaluation: ``tests/engine/test_builtin_outcomes.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple

from ..model import (
    EventKind,
    EventStatus,
    Rule,
    RuleMeta,
    RuleOutcome,
    RuleStatus,
    Scorer,
    Severity,
)
from ._plugins import BUILTIN_PLUGINS

if TYPE_CHECKING:
    from ._engine import Engine

_DISABLED = RuleStatus.DISABLED


class ScorerPlan(NamedTuple):
    """One assigned scorer as the engine runs it, worked out once when the engine is built."""

    dimension: str
    name: str
    plugin: str
    #: The plugin's version (the trace event's ``version``).
    version: str
    #: The dimension's configured weight.
    weight: float
    scorer: Scorer
    #: A scorer of a built-in plugin: its metrics' figures are checked by a test over
    #: every built-in score (tests/engine/test_builtin_outcomes.py) instead of per
    #: evaluation, as a trusted pack's evidence is. Every other scorer gets the full check.
    trusted: bool = False


def plan_scorers(engine: Engine) -> tuple[tuple[ScorerPlan, ...], tuple[dict[str, Any], ...]]:
    """The assigned scorers by dimension, and the trace events of the others (skipped)."""
    plans = tuple(
        ScorerPlan(dim, reg.component.name, reg.plugin, engine.pm.version_of(reg.plugin),
                   engine.config.dimensions[dim].weight, reg.component, builtin(engine, reg))
        for dim, reg in sorted(engine.assignments.items()))
    assigned = {p.name for p in plans}
    skipped = tuple(
        {"plugin": reg.plugin, "version": engine.pm.version_of(reg.plugin), "component": name,
         "kind": EventKind.SCORER, "status": EventStatus.SKIPPED,
         "message": skip_reason(engine, reg.component.dimension)}
        for name, reg in sorted(engine.scorers.items()) if name not in assigned)
    return plans, skipped


def skip_reason(engine: Engine, dimension: str) -> str:
    configured = engine.config.dimensions.get(dimension)
    if configured is None:
        return f"dimension {dimension!r} is not configured in [dimensions]"
    if configured.weight == 0:
        return f"dimension {dimension!r} has weight 0"
    return f"[dimensions.{dimension}] uses another scorer"


class PackPlan(NamedTuple):
    """One rule pack as the engine runs it, worked out once when the engine is built."""

    name: str
    plugin: str
    #: The plugin's version (the trace event's ``version``).
    version: str
    pack_version: str
    law_as_of: str | None
    #: ``(id, meta, check, declared severity)`` by rule id; ``check`` is None for a
    #: rule disabled in ``[rules] disable``.
    rules: tuple[tuple[str, RuleMeta, Any, Severity], ...]
    #: A pack of a built-in plugin, whose outcomes' evidence is plain JSON by construction
    #: (tests/engine/test_builtin_outcomes.py runs the full boundary check over every one
    #: of its outcomes on the examples and synthetic profiles): the evidence's deep check
    #: is skipped. Every other pack's outcomes get the full check.
    trusted: bool = False
    #: The recorded outcome of each disabled rule (the same object every evaluation).
    disabled: Mapping[str, RuleOutcome] = {}


def plan_packs(engine: Engine) -> tuple[PackPlan, ...]:
    """The fixed evaluation order: packs by name, rules by id."""
    out = []
    for name, reg in sorted(engine.packs.items()):
        rules = []
        disabled = {}
        for rule in sorted(reg.component.rules, key=lambda r: r.meta.id):
            meta = rule.meta
            # A plain Rule's check is called directly (Rule.evaluate only forwards to it).
            check = rule.check if type(rule) is Rule else rule.evaluate
            if meta.id in engine.disabled_rules:
                check = None
                disabled[meta.id] = RuleOutcome(status=_DISABLED, rule=meta.id,
                                                message="disabled in [rules] disable")
            rules.append((meta.id, meta, check, meta.severity))
        trusted = builtin(engine, reg)
        out.append(PackPlan(name, reg.plugin, engine.pm.version_of(reg.plugin),
                            str(reg.component.version), law_as_of(reg.component), tuple(rules),
                            trusted, disabled))
    return tuple(out)


def builtin(engine: Engine, reg: Any) -> bool:
    """Whether the component's plugin is one of the built-ins, loaded as such."""
    info = engine.pm.info.get(reg.plugin)
    return reg.plugin in BUILTIN_PLUGINS and info is not None and info.origin == "builtin"


def law_as_of(pack: Any) -> str | None:
    value = getattr(pack, "law_as_of", None)
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)
