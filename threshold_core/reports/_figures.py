"""What the reports draw and list, computed from the decision JSON alone.

Every function here takes the documented decision data (``decision_to_dict``,
or a decision file read back) and nothing else: no engine, no configuration,
no profile. The text, Markdown and HTML reports all draw on these, so what one
format shows the others show too, and what they show is what the engine
decided.

The waterfall follows the default policy's order (``threshold_core.policy``):
per dimension, deductions first, then caps as a ceiling, then the clamp to
0-100. A deduction that a cap then absorbs is drawn as the fall it was before
the cap, and the cap takes only what is left, so no fall is drawn twice. Any
difference between the steps replayed from the adjustments and the points the
decision reports (a firm's own policy may adjust differently) is drawn as a
``policy`` step, so the steps always add up to the composite the decision
reports, by construction. Without a composite (``insufficient_data``,
``error``, a failed gate with no score) there is no waterfall: the coverage of
each dimension is shown instead.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from attrs import frozen

from ..model import format_cutoff, format_percent, format_score, format_significant

#: Steps smaller than this (composite points) are not drawn.
_VISIBLE = 0.005


@frozen
class Step:
    """One bar of the waterfall."""

    #: ``dimension`` (a scorer's weighted score, rising), ``deduction``, ``cap``, ``clamp``
    #: or ``policy`` (falling, or a residual either way).
    kind: str
    #: The dimension, or the rule id behind a finding's step.
    label: str
    #: Composite points, signed.
    delta: float
    #: The dimension the step belongs to.
    dimension: str
    title: str


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


def waterfall_steps(data: Mapping[str, Any]) -> list[Step]:
    """The steps from 0 to the composite, or ``[]`` when the decision has no composite."""
    score = _num(data.get("score"))
    if score is None:
        return []
    dims = [d for d in data.get("dimensions", ()) if float(d.get("weight") or 0) > 0
            and d.get("raw_score") is not None and d.get("score") is not None]
    steps: list[Step] = []
    for d in dims:
        w, raw = float(d["weight"]), float(d["raw_score"])
        steps.append(Step("dimension", d["name"], w * raw, d["name"],
                          f"{d['name']}: {w:.1%} x {format_score(raw)} ({d.get('plugin', '')})"))
    for d in dims:
        w, raw, name = float(d["weight"]), float(d["raw_score"]), d["name"]
        adjustments = d.get("adjustments") or ()
        current = raw
        falls: list[Step] = []
        for adj in adjustments:
            if adj["effect"] != "deduction":
                continue
            new = current + float(adj["amount"])
            amount = float(adj["amount"])
            falls.append(Step("deduction", adj["rule"], w * (new - current), name,
                              f"{adj['rule']} on {name}: " + (
                                  f"{amount:+g} points" if amount else
                                  "0 points (its pack's maximum deduction reached)")))
            current = new
        for adj in adjustments:
            if adj["effect"] != "cap":
                continue
            new = min(current, float(adj["amount"]))
            falls.append(Step("cap", adj["rule"], w * (new - current), name,
                              f"{adj['rule']} caps {name} at "
                              f"{format_cutoff(float(adj['amount']))}"))
            current = new
        clamped = max(0.0, min(100.0, current))
        if clamped != current:
            falls.append(Step("clamp", f"{name} 0-100", w * (clamped - current), name,
                              f"{name} clamped to 0-100"))
        contribution = _num(d.get("contribution"))
        drawn = w * raw + sum(s.delta for s in falls)
        if contribution is not None and abs(contribution - drawn) >= _VISIBLE:
            falls.append(Step("policy", f"{name} policy", contribution - drawn, name,
                              f"the policy's other adjustments to {name}"))
        steps += [s for s in falls if abs(s.delta) >= _VISIBLE]
    # What remains between the drawn steps and the reported composite (rounding, or a
    # policy that does not add up its dimensions) closes the chart exactly.
    rest = score - sum(s.delta for s in steps)
    # With no step to absorb it, even an invisible remainder is a step of its own.
    if abs(rest) >= _VISIBLE or (rest and not steps):
        steps.append(Step("policy", "policy", rest, "",
                          "the policy's composite differs from the sum of its dimensions"))
    elif steps and rest:
        last = steps[-1]
        steps[-1] = Step(last.kind, last.label, last.delta + rest, last.dimension, last.title)
    return steps


@frozen
class CoverageRow:
    dimension: str
    coverage: float
    #: The metrics the dimension's scorer had no figure for.
    missing: tuple[str, ...]
    #: True when the decision names this dimension's coverage as what decided it.
    decisive: bool


def pct(value: Any, fmt: str = ".0%", cutoffs: Sequence[float] = (),
        below: bool = False) -> str:
    """A fraction as a percentage (``fmt``'s decimals), never shown at 0% or 100% unless
    exactly so, nor on or across one of ``cutoffs``; with ``below`` (a coverage under its
    floor, which the decision's JSON does not carry), never rounded up onto the next
    whole percent (0.596 is ``59.6%``, not ``60%`` beside a 60% floor)."""
    if value is None:
        return "-"
    v = float(value)
    digits = int(fmt[1:-1] or 0) if fmt.startswith(".") and fmt.endswith("%") else 0
    scale = 10 ** (digits + 2)
    return format_percent(v, (*cutoffs, *((math.ceil(v * scale) / scale,) if below else ())),
                          digits)


def limit_edge(limit: Any) -> tuple[float, ...]:
    return () if limit is None else (float(limit),)


def beside(value: Any, cutoff: Any) -> str:
    """A figure shown beside a cut-off (an end of the interval a grade cut-off may move
    in), never at it unless it is that: six significant digits, or more."""
    return format_significant(float(value), (float(cutoff),), 6)


def exactly(limit: Any) -> str:
    """A configured figure (a limit, a haircut) shown exactly: 0.255 is 25.5%, not 26%."""
    return "-" if limit is None else format_percent(float(limit), (float(limit),))


def below_floor(data: Mapping[str, Any]) -> set[str]:
    """The dimensions whose coverage the decision names as under its floor (what made it
    insufficient_data, or left an optional dimension out)."""
    return ({f.get("subject") for f in data.get("determining", ())
             if f.get("kind") == "insufficient_data"}
            | {d["name"] for d in data.get("dimensions", ())
               if "below its floor" in str(d.get("left_out") or "")})


def coverage_rows(data: Mapping[str, Any]) -> list[CoverageRow]:
    """Each weighted dimension's coverage, with its missing metrics."""
    decisive = below_floor(data)
    return [
        CoverageRow(d["name"], float(d.get("coverage") or 0.0),
                    tuple(m["metric"] for m in d.get("evidence", ()) if m.get("raw") is None),
                    d["name"] in decisive)
        for d in data.get("dimensions", ()) if float(d.get("weight") or 0) > 0
    ]


@frozen
class Unevaluated:
    rule: str
    component: str
    plugin: str
    missing: tuple[str, ...]
    #: The rule's own reason, when it says more than "missing <paths>" ("not listed, but the
    #: screening has no date ...: not a screening"); "" otherwise.
    why: str = ""


def not_evaluated(data: Mapping[str, Any]) -> list[Unevaluated]:
    """Rules that could not be evaluated for lack of data, with the fields they needed and
    the rule's reason when it gives one."""
    return [
        Unevaluated(o.get("rule", ""), e.get("component", ""), e.get("plugin", ""),
                    missing, _why(o.get("message") or "", missing))
        for e in data.get("trace", ()) for o in e.get("rules", ())
        if o.get("status") == "not_evaluated"
        for missing in (tuple(o.get("missing") or ()),)
    ]


def _why(message: str, missing: tuple[str, ...]) -> str:
    """The reason, without the paths the missing column shows already."""
    paths = ", ".join(missing)
    if message in ("", "missing " + paths):
        return ""
    return message.removesuffix(": " + paths)


@frozen
class TraceLine:
    plugin: str
    version: str
    component: str
    kind: str
    status: str
    read: int
    what: str


def trace_summary(data: Mapping[str, Any]) -> list[TraceLine]:
    """One line per trace event: who ran, what it read, what it contributed."""
    out = []
    for e in data.get("trace", ()):
        rules = e.get("rules") or ()
        contributed = e.get("contributed") or {}
        if rules:
            counts: dict[str, int] = {}
            for o in rules:
                counts[o["status"]] = counts.get(o["status"], 0) + 1
            what = ", ".join(f"{n} {s}" for s, n in counts.items())
            fired = [o["rule"] for o in rules if o["status"] == "fired"]
            if fired:
                what += " (" + ", ".join(fired) + ")"
        elif e.get("kind") == "scorer" and e.get("status") == "ok" and "score" in contributed:
            score = contributed.get("score")
            what = (f"score {format_score(None if score is None else float(score))}, "
                    f"coverage {format_percent(float(contributed.get('coverage') or 0))}")
        else:
            what = e.get("message") or ", ".join(f"{k}={v}" for k, v in contributed.items())
        if e.get("status") == "error":
            what = f"ERROR {e.get('message') or ''}".strip()
        out.append(TraceLine(e.get("plugin", ""), e.get("version", ""), e.get("component", ""),
                             str(e.get("kind", "")), str(e.get("status", "")),
                             len(e.get("read") or ()), what))
    return out


def severity_counts(data: Mapping[str, Any], assumed: bool = False) -> dict[str, int]:
    """Findings per severity, every severity present (0 when none): the findings rules
    fired, or with ``assumed`` the assumed ones (rules that lacked data, counted at their
    most severe until researched: ``evidence.assumed``), never the two added together."""
    counts = dict.fromkeys(("critical", "high", "medium", "low", "info"), 0)
    for f in data.get("findings", ()):
        if bool((f.get("evidence") or {}).get("assumed")) is assumed:
            counts[str(f["severity"])] = counts.get(str(f["severity"]), 0) + 1
    return counts


def cutoffs(data: Mapping[str, Any]) -> list[tuple[str, float]]:
    """The grade cut-offs (name, minimum score) the explanation reports, highest first."""
    x = data.get("explain") or {}
    rows = (x.get("robustness") or {}).get("cutoffs") or ()
    return sorted(((c["grade"], float(c["min_score"])) for c in rows), key=lambda c: -c[1])


def total(steps: Sequence[Step]) -> float:
    return sum(s.delta for s in steps)


def sourcing_line(data: Mapping[str, Any]) -> str:
    """Sourced coverage and the share of the composite on illustrative figures."""
    s = data.get("sourcing")
    if not s or s.get("sourced_coverage") is None:
        return "Sources: not graded (no scorer reports metric readings)"
    tiers = ", ".join(f"{n} {t}" for t, n in (s.get("tiers") or {}).items())
    return (f"Sources: sourced coverage {pct(s['sourced_coverage'])}; "
            f"{pct(s.get('illustrative_share'), cutoffs=limit_edge(s.get('limit')))} of the "
            "composite rests on illustrative or "
            f"unsourced figures (limit {exactly(s.get('limit'))}); readings: {tiers}")


def metric_points(m: Mapping[str, Any]) -> str:
    """A metric's points (one decimal); for one without data, the points its dimension's
    score counted it at (``assumed_points``, its band's lowest) marked ``(assumed)``, as
    its "how" line says: ``0.0 (assumed)``, never ``-`` beside a score that counted it."""
    if m.get("points") is None and m.get("assumed_points") is not None:
        return f"{float(m['assumed_points']):.1f} (assumed)"
    return "-" if m.get("points") is None else f"{float(m['points']):.1f}"


def metric_how(m: Mapping[str, Any]) -> str:
    """How the points were reached, then where the band comes from (for a reading: a
    metric without data shows no band)."""
    band = m.get("band_source") if m.get("raw") is not None else None
    return "; ".join(x for x in (m.get("note"), f"band: {band}" if band else None) if x)
