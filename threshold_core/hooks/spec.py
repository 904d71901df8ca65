"""The plugin contract: every hook a threshold plugin may implement.

Implement hooks with :data:`threshold_core.hookimpl`. Hooks register named
components and observe evaluations; the engine then calls components as plain
methods, so results never depend on plugin registration order.

Every hook is documented in ``docs/hooks.md``; a test fails when this module and
that page disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from ..model import Assessment, Decision, EngineConfig, PolicyResult, RulePack, Scorer

PROJECT = "threshold"

_spec = pluggy.HookspecMarker(PROJECT)


@_spec
def threshold_register_scorers(register: Callable[[Scorer], None]) -> None:
    """Register dimension scorers.

    Called once when the engine is built. Call ``register(scorer)`` once per
    scorer; ``scorer.name`` must be unique across all plugins (a duplicate is an
    error naming both plugins) and ``scorer.dimension`` names the dimension it
    scores.

    :param register: callable taking one :class:`~threshold_core.model.Scorer`.
    :return: nothing.

    .. versionadded:: 0.1
    """


@_spec
def threshold_register_rule_packs(register: Callable[[RulePack], None]) -> None:
    """Register compliance rule packs.

    Called once when the engine is built. Call ``register(pack)`` once per
    pack; pack names and rule ids must be unique across all plugins.

    :param register: callable taking one :class:`~threshold_core.model.RulePack`.
    :return: nothing.

    .. versionadded:: 0.1
    """


@_spec
def threshold_settings_types() -> Mapping[str, type[Any]]:
    """Declare settings classes, keyed by the name of a ``[settings.<name>]`` section.

    Called once when the engine is built. Each section of the configuration is
    structured into its class (an attrs class whose fields all have defaults)
    with the strict converter; a missing section gives the class's defaults,
    and a section no plugin declares is an error. A component receives the
    settings declared under its own name.

    :return: a mapping of section name to settings class.

    .. versionadded:: 0.1
    """
    raise NotImplementedError


@_spec
def threshold_profile_extensions() -> Mapping[str, type[Any]]:
    """Declare profile extension classes, keyed by the name of an ``[extensions.<name>]`` section.

    Called once when the engine is built. A profile may carry one
    ``[extensions.<name>]`` table per declared section: the plugin's own
    figures, which the core profile has no field for. Each table is structured
    into its attrs class with the strict converter, problems reported with
    their path (``$.extensions.<name>.<key>``); bare figures inherit the
    section's ``source`` and ``as_of``; the validated section is part of the
    profile's hash in the receipt, of ``threshold diff``, of the profile JSON
    Schema and of what declarative packs read (``profile.extensions.<name>``).
    A component reads it as ``profile.extensions.get("<name>")``: an instance
    of the class, or None when the profile has no such section. A section no
    installed plugin declares is an error (see ``[extensions] undeclared``).

    :return: a mapping of section name to attrs class.

    .. versionadded:: 0.2
    """
    raise NotImplementedError


@_spec(firstresult=True)
def threshold_load_profile(path: Path) -> Mapping[str, Any] | None:
    """Read a profile file in a format the core does not know.

    First result wins; the core's own reader (``.toml`` and ``.json``) runs
    last. Return the raw document (a mapping), which the core then validates
    like any other profile, or None to pass.

    :param path: the file to read.
    :return: the raw profile document, or None.

    .. versionadded:: 0.1
    """
    raise NotImplementedError


@_spec(firstresult=True)
def threshold_decide(assessment: Assessment, config: EngineConfig) -> PolicyResult | None:
    """Combine the gate, the dimension scores and the findings into a verdict.

    First result wins; the core's default policy is registered ``trylast``, so
    a firm's own policy replaces it by returning a result, defers to it by
    returning None, or adjusts its result as a ``wrapper=True`` implementation.
    A decision with a component error fails closed whatever this returns.

    :param assessment: the gate result, every dimension score and every rule outcome.
    :param config: the engine configuration (``config.policy``, ``config.settings``).
    :return: a :class:`~threshold_core.model.PolicyResult`, or None.

    .. versionadded:: 0.1
    """
    raise NotImplementedError


@_spec
def threshold_evaluation_finished(decision: Decision, config: EngineConfig) -> None:
    """Observe a finished decision: audit sinks, reporters, metrics.

    Called after every evaluation, with the decision and its trace. Return
    None (a returned value is an error). An exception here fails the decision
    closed: the verdict becomes ``error`` and the trace names the observing
    plugin, so an audit sink that could not record a decision never goes
    unnoticed. Wrappers (``wrapper=True``) run around all the observers.

    :param decision: the decision just made.
    :param config: the engine configuration.
    :return: nothing.

    .. versionadded:: 0.1
    """
