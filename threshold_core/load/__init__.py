"""Everything read from outside: the one cattrs converter, configuration files,
company profiles and saved decisions (layer 3).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._config import (
    build_config,
    config_problems,
    currency_code,
    find_config,
    load_config,
    resolve_config,
)
from ._converter import (
    StructureProblems,
    converter,
    structure,
)
from ._ids import (
    CompanyIds,
    refuse_repeated_ids,
)
from ._jsonio import (
    decision_data,
    decision_json,
    decision_line,
    decision_line_utf8,
    decision_to_dict,
    decisions_json,
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
from ._readable import (
    Unreadable,
    unreadable_fields,
    unreadable_message,
)
from ._reading import (
    MAX_DIGITS,
    SAVE_AS_UTF8,
    decode,
    lone_surrogate,
    not_utf8,
    parse_json,
    parse_toml,
    read_bytes,
    read_json,
    read_text,
    read_toml,
)
from ._recipes import (
    keep_source,
    kept_source,
    recorded_recipes,
    use_recipes,
)
from ._scalars import DATE_RANGE
from ._types import (
    Warmup,
    generate_from_first_use,
    without_none,
)

if TYPE_CHECKING:  # imported when first asked for (see __getattr__ below)
    from ._native import profile_from_line

__all__ = [
    "DATE_RANGE",
    "MAX_DIGITS",
    "NO_EXTENSIONS",
    "PROFILE_SUFFIXES",
    "SAVE_AS_UTF8",
    "CompanyIds",
    "ExtensionTypes",
    "StructureProblems",
    "Unreadable",
    "Warmup",
    "build_config",
    "config_problems",
    "converter",
    "currency_code",
    "decision_data",
    "decision_json",
    "decision_line",
    "decision_line_utf8",
    "decision_to_dict",
    "decisions_json",
    "decode",
    "dumps",
    "expand_paths",
    "find_config",
    "generate_from_first_use",
    "is_decision_data",
    "keep_source",
    "kept_source",
    "load_config",
    "load_decisions",
    "load_profile",
    "lone_surrogate",
    "not_utf8",
    "parse_json",
    "parse_toml",
    "profile_from_data",
    "profile_from_line",
    "profile_sha256",
    "read_bytes",
    "read_json",
    "read_text",
    "read_toml",
    "recorded_recipes",
    "refuse_repeated_ids",
    "resolve_config",
    "strip_timings",
    "structure",
    "threshold_load_profile",
    "unreadable_fields",
    "unreadable_message",
    "use_recipes",
    "without_none",
]


def __getattr__(name: str) -> object:
    # Imported when first asked for: only ``threshold batch`` reads JSON lines natively,
    # and ``threshold evaluate``'s start-up has no time to spare (issue 20, goal 4).
    if name == "profile_from_line":
        from ._native import profile_from_line

        globals()[name] = profile_from_line
        return profile_from_line
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
