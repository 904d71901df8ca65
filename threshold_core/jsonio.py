"""Decisions as JSON: the documented shape, byte-identical for identical inputs."""

from __future__ import annotations

import json
from typing import Any

from .converter import converter
from .results import Decision

#: Trace fields that vary from run to run; everything else is deterministic.
TIMING_FIELDS = ("duration_ms",)


def decision_to_dict(decision: Decision) -> dict[str, Any]:
    """The decision as plain data, keys in the documented order."""
    data = converter().unstructure(decision)
    ordered = {
        "schema_version": data.pop("schema_version"),
        "company": data.pop("company"),
        "verdict": data.pop("verdict"),
        "risk": data.pop("risk"),
        "grade": data.pop("grade"),
        "score": data.pop("score"),
        "gate": data.pop("gate"),
        "dimensions": data.pop("dimensions"),
        "findings": data.pop("findings"),
        "determining": data.pop("determining"),
    }
    source_path = data.pop("source_path")
    trace = data.pop("trace")
    receipt = data.pop("receipt")
    ordered.update(data)  # fields added later by other modules keep their place here
    ordered["trace"] = trace
    ordered["receipt"] = receipt
    if source_path is not None:
        ordered["source_path"] = source_path
    return ordered


def dumps(data: Any, *, indent: int | None = 2) -> str:
    """Serialise with a fixed layout (no NaN: it is never valid JSON)."""
    return json.dumps(data, indent=indent, ensure_ascii=False, allow_nan=False) + "\n"


def decision_json(decision: Decision, *, indent: int | None = 2) -> str:
    return dumps(decision_to_dict(decision), indent=indent)


def strip_timings(data: Any) -> Any:
    """A copy of decision data without the fields that vary between runs."""
    if isinstance(data, dict):
        return {k: strip_timings(v) for k, v in data.items() if k not in TIMING_FIELDS}
    if isinstance(data, list):
        return [strip_timings(v) for v in data]
    return data
