"""Everything read from outside: the one cattrs converter, configuration files,
company profiles and saved decisions (layer 3).
"""

from __future__ import annotations

from ._config import (
    build_config,
    find_config,
    load_config,
    read_toml,
    resolve_config,
)
from ._converter import (
    StructureProblems,
    converter,
    structure,
)
from ._jsonio import (
    decision_json,
    decision_to_dict,
    dumps,
    is_decision_data,
    load_decisions,
    strip_timings,
)
from ._profiles import (
    NO_EXTENSIONS,
    PROFILE_SUFFIXES,
    ExtensionTypes,
    expand_paths,
    load_profile,
    profile_from_data,
    profile_sha256,
    threshold_load_profile,
)

__all__ = [
    "NO_EXTENSIONS",
    "PROFILE_SUFFIXES",
    "ExtensionTypes",
    "StructureProblems",
    "build_config",
    "converter",
    "decision_json",
    "decision_to_dict",
    "dumps",
    "expand_paths",
    "find_config",
    "is_decision_data",
    "load_config",
    "load_decisions",
    "load_profile",
    "profile_from_data",
    "profile_sha256",
    "read_toml",
    "resolve_config",
    "strip_timings",
    "structure",
    "threshold_load_profile",
]
