"""threshold: decide whether an AI model company crosses the 4 billion yuan line.

The public API::

    from threshold_core import Engine, load_config, decision_to_dict

    engine = Engine(load_config("examples/threshold.toml"))
    decision = engine.evaluate(engine.load_profile("examples/companies/zhipu.toml"))
    decision.verdict, decision.score, decision.determining, decision.trace
    explain(decision, engine)               # distance, margin, robustness
    decisions_frame([decision])             # a pandas DataFrame (threshold[pandas])

Plugins implement hooks with :data:`hookimpl` (see ``docs/hooks.md``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .engine import Engine, ThresholdPluginManager, create_plugin_manager
from .errors import InputError, PluginError, Problem, ThresholdError
from .explain import explain, explain_all, with_explanation
from .hooks import hookimpl
from .kit import Band, Metric, MetricScorer, Pack, Reading, fired, not_evaluated, passed, rule
from .load import (
    build_config,
    decision_json,
    decision_to_dict,
    find_config,
    load_config,
    load_profile,
    profile_from_data,
    resolve_config,
)
from .model import (
    CompanyProfile,
    Context,
    Decision,
    DimensionScore,
    EngineConfig,
    Figure,
    Finding,
    FxTable,
    MetricScore,
    Rule,
    RuleMeta,
    Severity,
    Verdict,
)
from .reports import decisions_frame

__version__: str

if TYPE_CHECKING:
    from .declarative import load_pack


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from .engine import engine_version

        return engine_version()
    if name == "load_pack":
        # Declarative (TOML + CEL) packs load on demand: ``import threshold_core`` stays light.
        from .declarative import load_pack

        return load_pack
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
    "decisions_frame",
    "explain",
    "explain_all",
    "find_config",
    "fired",
    "hookimpl",
    "load_config",
    "load_pack",
    "load_profile",
    "not_evaluated",
    "passed",
    "profile_from_data",
    "resolve_config",
    "rule",
    "with_explanation",
]
