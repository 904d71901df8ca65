"""Decisions as JSON: the documented shape, byte-identical for identical inputs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem
from ..model import Decision
from ._converter import StructureProblems, converter, structure
from ._reading import read_json

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
        "headroom": data.pop("headroom"),
        "scorecard_risk": data.pop("scorecard_risk"),
        "sourcing": data.pop("sourcing"),
    }
    source_path = data.pop("source_path")
    trace = data.pop("trace")
    receipt = data.pop("receipt")
    # Fields added later (``explain``: null unless computed) keep their place here.
    ordered.update(data)
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


def is_decision_data(data: Any) -> bool:
    """True for a decision object (or an array of them) as ``decision_to_dict`` writes it."""
    if isinstance(data, list):
        return bool(data) and all(is_decision_data(d) for d in data)
    return isinstance(data, dict) and "receipt" in data and "verdict" in data


def decision_from_dict(data: Any, source: str = "<decision>") -> Decision:
    """A :class:`Decision` back from its JSON; problems name the path inside it."""
    try:
        decision: Decision = structure(data, Decision)
    except StructureProblems as exc:
        raise InputError(source, list(exc.problems)) from None
    return decision


def load_decisions(path: str | Path) -> list[Decision]:
    """The decisions saved in a JSON file (one object, or an array of them)."""
    p = Path(path)
    try:
        data = read_json(p)
    except InputError as exc:
        if exc.problems[0].path != "$" or "cannot read" in exc.problems[0].message:
            raise
        raise InputError(str(p), [Problem("$", f"{exc.problems[0].message}; a decision file "
                                               "is what evaluate --format json writes")]) from None
    if not is_decision_data(data):
        raise InputError(str(p), [Problem("$", "not a decision (no verdict and receipt)")])
    if not isinstance(data, list):
        return [decision_from_dict(data, str(p))]
    out, problems = [], []
    for i, item in enumerate(data):
        try:
            out.append(decision_from_dict(item, str(p)))
        except InputError as exc:
            problems += [Problem(f"$[{i}]" + q.path[1:], q.message) for q in exc.problems]
    if problems:
        raise InputError(str(p), problems)
    return out
