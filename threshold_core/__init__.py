"""threshold: decide whether an AI model company crosses the 4 billion yuan line.

The public API::

    from threshold_core import Engine, load_config, decision_to_dict

    engine = Engine(load_config("examples/threshold.toml"))
    decision = engine.evaluate(engine.load_profile("examples/companies/zhipu.toml"))
    decision.verdict, decision.score, decision.determining, decision.trace
    explain(decision, engine)               # distance, margin, robustness
    decisions_frame([decision])             # a pandas DataFrame (threshold[pandas])

Plugins implement hooks with :data:`hookimpl` (see ``docs/hooks.md``).

Names load on first use (PEP 562): ``import threshold_core`` costs next to
nothing, so ``threshold --help`` and plugins that import one name stay fast.
"""

from __future__ import annotations

import sys

# ``typing``, ``types`` and ``importlib`` are not imported: the console script's client
# (``cli/_client.py``) runs under this package before anything else is imported.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import ModuleType
    from typing import Any

    from .declarative import (
        load_pack,
    )
    from .engine import (
        Engine,
        ThresholdPluginManager,
        create_plugin_manager,
    )
    from .errors import (
        InputError,
        PluginError,
        Problem,
        ThresholdError,
    )
    from .explain import explain, explain_all, with_explanation
    from .hooks import (
        hookimpl,
    )
    from .kit import (
        Band,
        Metric,
        MetricScorer,
        Pack,
        Reading,
        fired,
        not_evaluated,
        passed,
        rule,
    )
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
else:
    ModuleType = type(sys)

#: Every public name, and the package (under threshold_core) it comes from.
_EXPORTS: dict[str, str] = {
    "decisions_frame": "reports",
    "with_explanation": "explain",
    "explain_all": "explain",
    "explain": "explain",
    "Band": "kit",
    "CompanyProfile": "model",
    "Context": "model",
    "Decision": "model",
    "DimensionScore": "model",
    "Engine": "engine",
    "EngineConfig": "model",
    "Figure": "model",
    "Finding": "model",
    "FxTable": "model",
    "InputError": "errors",
    "Metric": "kit",
    "MetricScore": "model",
    "MetricScorer": "kit",
    "Pack": "kit",
    "PluginError": "errors",
    "Problem": "errors",
    "Reading": "kit",
    "Rule": "model",
    "RuleMeta": "model",
    "Severity": "model",
    "ThresholdError": "errors",
    "ThresholdPluginManager": "engine",
    "Verdict": "model",
    "build_config": "load",
    "create_plugin_manager": "engine",
    "decision_json": "load",
    "decision_to_dict": "load",
    "find_config": "load",
    "fired": "kit",
    "hookimpl": "hooks",
    "load_config": "load",
    "load_pack": "declarative",
    "load_profile": "load",
    "not_evaluated": "kit",
    "passed": "kit",
    "profile_from_data": "load",
    "resolve_config": "load",
    "rule": "kit",
}

__version__: str


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from .engine import engine_version

        return engine_version()
    package = _EXPORTS.get(name)
    if package is None:
        raise AttributeError(f"module 'threshold_core' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{package}"), name)
    globals()[name] = value  # later look-ups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])


class _Facade(ModuleType):
    """The package module, where a public name beats a subpackage of the same name.

    Importing ``threshold_core.explain`` (the package) binds it on this module;
    ``threshold_core.explain`` stays the function :func:`~threshold_core.explain.explain`,
    as it is with the names imported eagerly.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _EXPORTS and isinstance(value, ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Facade


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
