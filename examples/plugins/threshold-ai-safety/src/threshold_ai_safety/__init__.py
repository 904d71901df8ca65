"""threshold-ai-safety: a fifth dimension for threshold, ``ai_safety_maturity``.

Installed, it registers through the ``threshold`` entry-point group under the
name ``ai_safety``. Its scorer is skipped until the configuration lists the
dimension::

    [dimensions.ai_safety_maturity]
    weight = 0.5

Its evidence lives in the plugin's own profile section, which the plugin declares
through ``threshold_profile_extensions``::

    [extensions.ai_safety_maturity]
    source = "..."

    [[extensions.ai_safety_maturity.evaluations]]
    suite = "XSTest"
    independent = true
    n_prompts = 450
    over_refusal_pct = 5
    unsafe_compliance_pct = 2

The metrics and their bands are documented in :mod:`threshold_ai_safety.scoring`.
"""

from __future__ import annotations

from typing import Any

from threshold_core import hookimpl

from .scoring import (
    DIMENSION,
    NAME,
    SCORER,
    AiSafetyEvidence,
    AiSafetyMaturitySettings,
    SafetyEvaluation,
    evidence_of,
)

__version__ = "0.1.0"

__all__ = [
    "DIMENSION",
    "NAME",
    "SCORER",
    "AiSafetyEvidence",
    "AiSafetyMaturitySettings",
    "SafetyEvaluation",
    "evidence_of",
    "threshold_profile_extensions",
    "threshold_register_scorers",
    "threshold_settings_types",
]


@hookimpl
def threshold_register_scorers(register: Any) -> None:
    register(SCORER)


@hookimpl
def threshold_settings_types() -> dict[str, type]:
    return {NAME: AiSafetyMaturitySettings}


@hookimpl
def threshold_profile_extensions() -> dict[str, type]:
    return {NAME: AiSafetyEvidence}
