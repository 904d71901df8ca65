"""threshold: decide whether an AI model company crosses the 4 billion yuan line.

The public API::

    from threshold_core import Engine, load_config, decision_to_dict

    engine = Engine(load_config("examples/threshold.toml"))
    decision = engine.evaluate(engine.load_profile("examples/companies/zhipu.toml"))
    decision.verdict, decision.score, decision.determining, decision.trace

Plugins implement hooks with :data:`hookimpl` (see ``docs/hooks.md``).
"""

from __future__ import annotations

from .components import Context, FxTable, Pack, Rule, RuleMeta, fired, not_evaluated, passed, rule
from .config import EngineConfig, build_config, find_config, load_config, resolve_config
from .engine import Engine
from .errors import InputError, PluginError, Problem, ThresholdError
from .jsonio import decision_json, decision_to_dict
from .manager import ThresholdPluginManager, create_plugin_manager
from .markers import hookimpl
from .models import CompanyProfile, Figure
from .profiles import load_profile, profile_from_data
from .results import Decision, DimensionScore, Finding, MetricScore, Severity, Verdict
from .scoring import Band, Metric, MetricScorer, Reading

__version__: str


def __getattr__(name: str) -> str:
    if name == "__version__":
        from .manager import engine_version

        return engine_version()
    raise AttributeError(name)


__all__ = [
    "Band",
    "CompanyProfile",
    "Context",
    "Decision",
    "DimensionScore",
    "Engine",
    "EngineConfig",
    "Figure",
    "Finding",
    "FxTable",
    "InputError",
    "Metric",
    "MetricScore",
    "MetricScorer",
    "Pack",
    "PluginError",
    "Problem",
    "Reading",
    "Rule",
    "RuleMeta",
    "Severity",
    "ThresholdError",
    "ThresholdPluginManager",
    "Verdict",
    "build_config",
    "create_plugin_manager",
    "decision_json",
    "decision_to_dict",
    "find_config",
    "fired",
    "hookimpl",
    "load_config",
    "load_profile",
    "not_evaluated",
    "passed",
    "profile_from_data",
    "resolve_config",
    "rule",
]
