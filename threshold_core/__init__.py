"""threshold: decide whether an AI model company crosses the 4 billion yuan line."""

from __future__ import annotations

from .markers import hookimpl

__all__ = ["hookimpl"]
