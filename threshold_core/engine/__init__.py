"""The engine: the plugin manager, component registry, the evaluation and the
default decision policy plugin (layer 5).
"""

from __future__ import annotations

from ._boundary import (
    check_outcome,
    check_score,
)
from ._engine import (
    Engine,
)
from ._epcache import fingerprint as installed_fingerprint
from ._exact import (
    composite_score,
    counted_points,
    exact_coverage,
    exactly_zero,
    final_exactly,
    held_final,
    on_exact_side,
)
from ._plugins import (
    BUILTIN_PLUGINS,
    ESSENTIAL_PLUGINS,
    ThresholdPluginManager,
    create_plugin_manager,
    engine_version,
)
from ._policy import (
    ADJUSTING_EFFECTS,
    combine,
)
from ._registry import (
    declared_extension_types,
    declared_settings_types,
    extension_types,
)
from ._sourcing import (
    adjustments_of,
    dimension_sourcing,
    exact_share,
    held_share,
    overall_sourcing,
)
from ._thirdparty import (
    ENTRYPOINT_GROUP,
    autoload_enabled,
    load_module_file,
)

__all__ = [
    "ADJUSTING_EFFECTS",
    "BUILTIN_PLUGINS",
    "ENTRYPOINT_GROUP",
    "ESSENTIAL_PLUGINS",
    "Engine",
    "ThresholdPluginManager",
    "adjustments_of",
    "autoload_enabled",
    "check_outcome",
    "check_score",
    "combine",
    "composite_score",
    "counted_points",
    "create_plugin_manager",
    "declared_extension_types",
    "declared_settings_types",
    "dimension_sourcing",
    "engine_version",
    "exact_coverage",
    "exact_share",
    "exactly_zero",
    "extension_types",
    "final_exactly",
    "held_final",
    "held_share",
    "installed_fingerprint",
    "load_module_file",
    "on_exact_side",
    "overall_sourcing",
]
