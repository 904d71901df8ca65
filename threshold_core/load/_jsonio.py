"""Decisions as JSON: the documented shape, byte-identical for identical inputs."""

from __future__ import annotations

import json
from functools import cache
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
    return _in_documented_order(converter().unstructure(decision))


def decision_data(decision: Decision) -> dict[str, Any]:
    """The decision's JSON document as plain data: what reading :func:`decision_json`'s
    text back gives (dicts in the documented key order, lists, strings, numbers,
    booleans, None), the shape the reports are written from.

    The fast writer's compact bytes read back by orjson (the first call generates the
    writer's functions for the decision's classes, cheaper than the converter's
    unstructure functions); when the writer falls back (see below),
    :func:`decision_to_dict`, whose values read the same (its enums are strings).
    """
    import orjson

    data = _fast_bytes(decision, 0)
    if data is None:
        return decision_to_dict(decision)
    out: dict[str, Any] = orjson.loads(data)
    return out


def _in_documented_order(data: dict[str, Any]) -> dict[str, Any]:
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


# -- the fast writer -----------------------------------------------------------------------
#
# orjson writes a decision about 6x (compact) to 18x (indented) faster than the json
# module, and byte for byte the same for every string, integer of 64 bits, and float
# whose shortest repr has no exponent (0 and 1e-4 <= |x| < 1e16): Python's repr writes
# 1e-05 where orjson writes 0.00001. orjson writes the decision straight from its
# objects (:mod:`._writer`: a function generated per class gives the converter's
# shapes) and every float it passes is checked: a finite float out of that range is
# handed to orjson as its repr, already written (an ``orjson.Fragment``: the json
# module writes a float as its repr). Anything else (NaN or infinity, a larger
# integer, a key that is not a string, a lone surrogate) falls back to the json
# module, so the bytes (and the errors) are always those of :func:`dumps`.
# tests/load/test_json_writer.py compares both writers over the examples and a
# synthetic corpus.


@cache
def _writer_converter() -> Any:
    """The converter for what the fast writer meets outside the model's classes."""
    from ._converter import make_converter
    from ._writer import plain_float

    return make_converter(float_hook=plain_float)


def _fast_bytes(decisions: Decision | list[Decision], option: int) -> bytes | None:
    """One decision (an object) or a list of them (an array) as UTF-8, or None to fall back."""
    import orjson

    from ._writer import NotPlain, compact_default, default

    try:
        # dates and dataclasses orjson would write itself, but the converter shapes them
        return orjson.dumps(decisions, default=default if option & orjson.OPT_INDENT_2
                            else compact_default, option=option
                            | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS)
    except (NotPlain, orjson.JSONEncodeError):
        return None


def _fast(decisions: Decision | list[Decision], option: int) -> str | None:
    """:func:`_fast_bytes` as text."""
    data = _fast_bytes(decisions, option)
    return None if data is None else data.decode()


def decision_json(decision: Decision, *, indent: int | None = 2) -> str:
    """The decision as ``dumps(decision_to_dict(decision), indent=indent)`` writes it."""
    if indent == 2:
        import orjson

        text = _fast(decision, orjson.OPT_INDENT_2)
        if text is not None:
            return text + "\n"
    return dumps(decision_to_dict(decision), indent=indent)


def decisions_json(decisions: list[Decision]) -> str:
    """A JSON array of decisions, indented: ``dumps([decision_to_dict(d), ...])``."""
    import orjson

    text = _fast(list(decisions), orjson.OPT_INDENT_2)
    if text is not None:
        return text + "\n"
    return dumps([decision_to_dict(d) for d in decisions])


def decision_line(decision: Decision) -> str:
    """One line of JSONL: the decision compact (``,`` and ``:`` separators), then a newline."""

    text = _fast(decision, 0)
    if text is None:
        text = json.dumps(decision_to_dict(decision), ensure_ascii=False, allow_nan=False,
                          separators=(",", ":"))
    return text + "\n"


def decision_line_utf8(decision: Decision) -> bytes:
    """:func:`decision_line` encoded as UTF-8 (what a batch writes: orjson's own bytes,
    never decoded and encoded again)."""
    import orjson

    data = _fast_bytes(decision, orjson.OPT_APPEND_NEWLINE)
    if data is None:
        return decision_line(decision).encode("utf-8")
    return data


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
