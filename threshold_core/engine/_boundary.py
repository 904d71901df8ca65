"""Checking what plugins hand the engine, at the boundary.

Everything a scorer, a rule, a policy or a registration hook returns is checked
here before the engine uses it: types, finiteness, ranges and sizes. A check
returns a one-line problem (``returned ...``) or None; the engine turns a
problem into that plugin's ``error`` event and fails the decision closed, so a
plugin's mistake never becomes a crash of the engine (exit 4) or a NaN in the
output.

The checks sit on the hot path (every rule outcome of every company), so the
common shapes (scalars, short lists, flat mappings) are checked without
recursion or allocation.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ..model import (
    INT64_RANGE,
    DimensionResult,
    DimensionScore,
    Factor,
    Finding,
    MetricScore,
    PolicyResult,
    Risk,
    RuleOutcome,
    RuleStatus,
    Severity,
    Verdict,
    format_significant,
)

#: A score or points outside 0-100 is shown off both ends (100.0000001, never "100").
_ENDS = (0.0, 100.0)
#: Longest component name, pack version or rule id a plugin may register.
MAX_NAME = 200
#: Longest string a plugin may hand back (messages, evidence values).
MAX_TEXT = 100_000
#: Most items in one evidence mapping, nested containers included.
MAX_ITEMS = 10_000
#: Deepest nesting of evidence containers.
MAX_DEPTH = 8
#: Largest integer magnitude in evidence (a signed 64-bit integer).
MAX_INT = INT64_RANGE[1] + 1  # 2**63

_ENGINE_STATUSES = (RuleStatus.DISABLED, RuleStatus.ERROR)


def check_name(value: Any, what: str) -> str | None:
    """A component's name: a non-empty, printable string of at most :data:`MAX_NAME`."""
    if not isinstance(value, str) or not value:
        return f"{what} must be a non-empty string, not {_show(value)}"
    if len(value) > MAX_NAME:
        return f"{what} is {len(value):,} characters long (at most {MAX_NAME})"
    if not value.isprintable():
        return f"{what} {value!r} holds control characters"
    return None


def check_scorer(component: Any, name: str) -> str | None:
    dim = getattr(component, "dimension", None)
    problem = check_name(dim, f"scorer {name!r}: dimension")
    if problem:
        return problem
    if not callable(getattr(component, "score", None)):
        return f"scorer {name!r} has no score() method"
    return None


def check_pack(component: Any, name: str) -> str | None:
    problem = check_name(getattr(component, "version", None), f"rule pack {name!r}: version")
    if problem:
        return problem
    rules = getattr(component, "rules", None)
    if rules is None or isinstance(rules, (str, bytes, Mapping)):
        return f"rule pack {name!r}: rules must be a sequence of rules, not {_show(rules)}"
    try:
        items = list(rules)
    except Exception as exc:
        return f"rule pack {name!r}: rules cannot be listed ({type(exc).__name__}: {exc})"
    for i, rule in enumerate(items):
        problem = _check_rule(rule)
        if problem:
            return f"rule pack {name!r}: rules[{i}] {problem}"
    return None


def _check_rule(rule: Any) -> str | None:
    meta = getattr(rule, "meta", None)
    if meta is None or not callable(getattr(rule, "evaluate", None)):
        return f"is not a rule (no meta and evaluate()): {_show(rule)}"
    problem = check_name(getattr(meta, "id", None), "id")
    if problem:
        return problem
    if not isinstance(getattr(meta, "severity", None), Severity):
        return f"{meta.id}: severity must be a Severity, not {_show(meta.severity)}"
    dim = getattr(meta, "dimension", None)
    if dim is not None and not isinstance(dim, str):
        return f"{meta.id}: dimension must be a string or None, not {_show(dim)}"
    if not isinstance(getattr(meta, "title", None), str):
        return f"{meta.id}: title must be a string"
    return None


_NUMBER = (float, int)
_SCALARS = frozenset({str, float, int, bool, type(None)})


#: Tuples of input paths already found to hold only short strings, by identity (each kept,
#: so its id is not reused): a scorer built on a plan returns the same tuple every time.
_CHECKED_INPUTS: dict[int, tuple[Any, ...]] = {}


def check_score(value: Any, dimension: str, trusted: bool = False) -> str | None:
    """What a scorer returned (``docs/hooks.md``); ``trusted``: see ``ScorerPlan.trusted``."""
    if value.__class__ is not DimensionScore and not isinstance(value, DimensionScore):
        return f"returned {type(value).__name__}, not DimensionScore"
    if value.dimension != dimension:
        return f"returned a score for dimension {_show(value.dimension)}, not {dimension!r}"
    score = value.score
    if score is not None:
        if score.__class__ not in _NUMBER:
            return f"returned a score of type {type(score).__name__} ({_show(score)})"
        if not 0.0 <= score <= 100.0:  # NaN fails every comparison
            if score != score or score in (math.inf, -math.inf):
                return f"returned a non-finite score ({score!r})"
            return f"returned a score outside 0-100 ({format_significant(score, _ENDS, 6)})"
    cov = value.coverage
    if cov.__class__ not in _NUMBER or not 0.0 <= cov <= 1.0:
        return f"returned a coverage outside 0-1 ({_show(cov)})"
    inputs = value.inputs
    if _CHECKED_INPUTS.get(id(inputs)) is not inputs:
        problem = _check_strings(inputs, "inputs")
        if problem:
            return problem
        if inputs.__class__ is tuple:  # immutable: checked once (a scorer's plan's inputs)
            if len(_CHECKED_INPUTS) >= 256:
                _CHECKED_INPUTS.clear()
            _CHECKED_INPUTS[id(inputs)] = inputs
    notes = value.notes
    problem = None if notes.__class__ is tuple and not notes else _check_strings(notes, "notes")
    if problem:
        return problem
    metrics = value.metrics
    if trusted and metrics.__class__ is tuple:
        return None
    if metrics.__class__ is not tuple and not isinstance(metrics, list):
        return f"returned metrics of type {type(metrics).__name__}, not a tuple"
    for m in metrics:
        if m.__class__ is not MetricScore:
            return _check_metric(m)
        weight, raw, points = m.weight, m.raw, m.points
        # The common case in one test: every figure a finite float in range.
        if (weight.__class__ in _NUMBER and -1e300 < weight < 1e300
                and (raw is None or (raw.__class__ in _NUMBER and -1e300 <= raw <= 1e300))
                and (points is None or (points.__class__ in _NUMBER and 0.0 <= points <= 100.0))
                and m.metric.__class__ is str and m.inputs.__class__ is tuple
                and (m.note is None or (m.note.__class__ is str and len(m.note) <= MAX_TEXT))
                and (m.source is None or m.source.__class__ is str)):
            continue
        problem = _check_metric(m)
        if problem:
            return problem
    return None


def _check_metric(m: Any) -> str | None:
    if not isinstance(m, MetricScore):
        return f"returned a metric of type {type(m).__name__}, not MetricScore"
    if not isinstance(m.metric, str):
        return f"returned a metric named {_show(m.metric)}"
    for field, value in (("weight", m.weight), ("raw", m.raw), ("points", m.points)):
        if value is None and field != "weight":
            continue
        if type(value) not in _NUMBER or not math.isfinite(value):  # type: ignore[arg-type]
            return f"returned metric {m.metric!r} with {field} {_show(value)}"
    if m.points is not None and not 0.0 <= m.points <= 100.0:
        return (f"returned metric {m.metric!r} with points outside 0-100 "
                f"({format_significant(m.points, _ENDS, 6)})")
    if abs(m.raw or 0.0) > 1e300:
        return (f"returned metric {m.metric!r} with raw value "
                f"{format_significant(m.raw or 0.0, (1e300, -1e300), 6)} out of range")
    return _check_strings(m.inputs, f"metric {m.metric!r} inputs") or _check_text(
        m.note, f"metric {m.metric!r} note") or _check_text(m.source, f"metric {m.metric!r} source")


_DISABLED, _ERROR = RuleStatus.DISABLED, RuleStatus.ERROR
_FIRED, _PASSED, _NOT_EVALUATED = RuleStatus.FIRED, RuleStatus.PASSED, RuleStatus.NOT_EVALUATED


def check_outcome(value: Any, declared: Severity) -> str | None:
    """What a rule returned."""
    # The usual outcome (a RuleOutcome, no severity of its own, plain short strings and
    # flat evidence) passes in one test; anything else gets the check that names the fault.
    status = value.status if value.__class__ is RuleOutcome else None
    # By identity: a plain string equal to a status is not one.
    if (status is _PASSED or status is _NOT_EVALUATED or status is _FIRED) \
            and value.severity is None:
        message, missing, evidence = value.message, value.missing, value.evidence
        if (message is None or (message.__class__ is str and len(message) <= MAX_TEXT)) \
                and missing.__class__ is tuple and evidence.__class__ is dict \
                and (not missing or short_strings(missing)) \
                and (not evidence or plain_evidence(evidence)):
            return None
    return _check_outcome(value, declared)


def short_strings(values: tuple[Any, ...]) -> bool:
    if len(values) > MAX_ITEMS:
        return False
    for v in values:  # noqa: SIM110 - a loop: all() over a generator is slower here
        if v.__class__ is not str or len(v) > MAX_TEXT:
            return False
    return True


def plain_evidence(evidence: dict[Any, Any]) -> bool:
    """The common shapes (flat scalars, short flat lists), every value valid."""
    for key, item in evidence.items():
        t = item.__class__
        if key.__class__ is str and (
            (t is str and len(item) <= MAX_TEXT)
            or (t is float and item - item == 0.0)  # finite: inf - inf and NaN are NaN
            or (t is int and -MAX_INT < item < MAX_INT)
            or t is bool or item is None
            or ((t is list or t is tuple) and len(item) <= 64 and _flat(item))
        ):
            continue
        return False
    return True


def _check_outcome(value: Any, declared: Severity) -> str | None:
    """The full check of :func:`check_outcome`: the first fault, named."""
    if value.__class__ is not RuleOutcome and not isinstance(value, RuleOutcome):
        return f"returned {type(value).__name__}, not RuleOutcome"
    status = value.status
    if status.__class__ is not RuleStatus:
        return f"returned status {_show(status)}, not a RuleStatus (use fired/passed/not_evaluated)"
    if status is _DISABLED or status is _ERROR:
        return f"returned status {status}, which only the engine may set"
    sev = value.severity
    if sev is not None:
        if sev.__class__ is not Severity:
            return f"returned severity {_show(sev)}, not a Severity"
        if sev.rank < declared.rank:
            return f"fired at {sev}, above its declared severity {declared}"
    message = value.message
    if message is not None and (message.__class__ is not str or len(message) > MAX_TEXT):
        return _check_text(message, "message")
    missing = value.missing
    if missing.__class__ is not tuple:
        return f"returned missing of type {type(missing).__name__}, not a tuple of paths"
    if missing:
        problem = _check_strings(missing, "missing")
        if problem:
            return problem
    evidence = value.evidence
    if evidence.__class__ is dict and plain_evidence(evidence):
        return None
    return check_evidence(evidence)


def _flat(items: list[Any] | tuple[Any, ...]) -> bool:
    """A short list of plain strings and finite floats (the usual evidence list)."""
    for v in items:
        t = v.__class__
        if not ((t is str and len(v) <= MAX_TEXT) or (t is float and v - v == 0.0)
                or v is None or t is bool):
            return False
    return True


def check_evidence(evidence: Any) -> str | None:
    """Evidence: a mapping of path to JSON values (finite numbers, bounded sizes)."""
    if type(evidence) is not dict and not isinstance(evidence, Mapping):
        return f"returned evidence of type {type(evidence).__name__}, not a mapping"
    budget = [MAX_ITEMS]
    for key, item in evidence.items():
        if type(key) is not str:
            return f"returned evidence with a key of type {type(key).__name__} ({_show(key)})"
        problem = _check_json(item, key, 1, budget)
        if problem:
            return problem
    return None


def _check_json(item: Any, where: str, depth: int, budget: list[int]) -> str | None:
    budget[0] -= 1
    if budget[0] < 0:
        return f"returned evidence with more than {MAX_ITEMS:,} items"
    t = type(item)
    if item is None or t is bool:
        return None
    if t is str:
        return (f"returned evidence {where!r} of {len(item):,} characters (at most {MAX_TEXT:,})"
                if len(item) > MAX_TEXT else None)
    if t is float:
        return None if math.isfinite(item) else (
            f"returned evidence {where!r} that is not a finite number ({item!r})")
    if t is int:
        return None if -MAX_INT < item < MAX_INT else (
            f"returned evidence {where!r} with an integer out of range")
    if isinstance(item, (str, int, float)):  # an enum member or other subclass: its value
        return None if not isinstance(item, float) or math.isfinite(item) else (
            f"returned evidence {where!r} that is not a finite number")
    if depth >= MAX_DEPTH:
        return f"returned evidence {where!r} nested deeper than {MAX_DEPTH}"
    if isinstance(item, (list, tuple)):
        for i, sub in enumerate(item):
            st = sub.__class__
            if (st is str and len(sub) <= MAX_TEXT) or st is bool or sub is None:
                budget[0] -= 1
                continue
            problem = _check_json(sub, f"{where}[{i}]", depth + 1, budget)
            if problem:
                return problem
        return None if budget[0] >= 0 else f"returned evidence with more than {MAX_ITEMS:,} items"
    if isinstance(item, Mapping):
        for k, sub in item.items():
            if type(k) is not str:
                return f"returned evidence {where!r} with a key of type {type(k).__name__}"
            problem = _check_json(sub, f"{where}.{k}", depth + 1, budget)
            if problem:
                return problem
        return None
    return f"returned evidence {where!r} of type {type(item).__name__}, not a JSON value"


def check_policy_result(result: Any) -> str | None:
    """What a ``threshold_decide`` implementation returned."""
    if not isinstance(result, PolicyResult):
        return f"threshold_decide returned {type(result).__name__}, not PolicyResult"
    if not isinstance(result.verdict, Verdict):
        return f"returned verdict {_show(result.verdict)}, not a Verdict"
    if result.risk is not None and not isinstance(result.risk, Risk):
        return f"returned risk {_show(result.risk)}, not a Risk"
    if result.grade is not None and not isinstance(result.grade, str):
        return f"returned grade {_show(result.grade)}, not a string"
    score = result.score
    if score is not None and (type(score) not in (float, int) or not math.isfinite(score)
                              or not 0.0 <= score <= 100.0):
        return f"returned score {_show(score)}, not a number within 0-100"
    for field, cls in (("dimensions", DimensionResult), ("findings", Finding),
                       ("determining", Factor)):
        items = getattr(result, field)
        if not isinstance(items, (tuple, list)) or not all(isinstance(i, cls) for i in items):
            return f"returned {field} that are not a sequence of {cls.__name__}"
    for d in result.dimensions:
        for field in ("score", "raw_score", "weight", "contribution", "coverage"):
            value = getattr(d, field)
            if value is not None and (type(value) not in (float, int) or not math.isfinite(value)):
                return f"returned dimension {d.name!r} with {field} {_show(value)}"
    for f in result.findings:
        problem = check_evidence(f.evidence)
        if problem:
            return f"finding {f.rule}: {problem}"
    return None


def _check_strings(values: Any, what: str) -> str | None:
    if not isinstance(values, (tuple, list)):
        return f"returned {what} of type {type(values).__name__}, not a tuple of strings"
    if len(values) > MAX_ITEMS:
        return f"returned {len(values):,} {what} (at most {MAX_ITEMS:,})"
    for v in values:
        if type(v) is not str:
            return f"returned {what} holding {_show(v)}, not a string"
        if len(v) > MAX_TEXT:
            return f"returned {what} holding a string of {len(v):,} characters"
    return None


def _check_text(value: Any, what: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        return f"returned {what} of type {type(value).__name__}, not a string"
    if len(value) > MAX_TEXT:
        return f"returned a {what} of {len(value):,} characters (at most {MAX_TEXT:,})"
    return None


def _show(value: Any) -> str:
    """A short, safe rendering of a value a plugin gave (never its full repr)."""
    try:
        text = repr(value)
    except Exception:  # a plugin object whose repr raises
        text = f"<{type(value).__name__}>"
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})" if not isinstance(value, str) else text
