"""threshold-ai-safety: a fifth dimension for threshold, ``ai_safety_maturity``.

Installed, it registers through the ``threshold`` entry-point group under the
name ``ai_safety``. Its scorer is skipped until the configuration lists the
dimension::

    [dimensions.ai_safety_maturity]
    weight = 0.5

The metrics and their bands are documented in :mod:`threshold_ai_safety.scoring`.
"""

from __future__ import annotations

from typing import Any

from threshold_core import hookimpl

from .scoring import DIMENSION, NAME, SCORER, AiSafetyMaturitySettings

__version__ = "0.1.0"

__all__ = [
    "DIMENSION",
    "NAME",
    "SCORER",
    "AiSafetyMaturitySettings",
    "threshold_register_scorers",
    "threshold_settings_types",
]


@hookimpl
def threshold_register_scorers(register: Any) -> None:
    register(SCORER)


@hookimpl
def threshold_settings_types() -> dict[str, type]:
    return {NAME: AiSafetyMaturitySettings}
