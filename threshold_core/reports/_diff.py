"""The text rendering of an attributed decision diff (``threshold diff``)."""

from __future__ import annotations

from collections.abc import Sequence

from ..explain import LISTED, PortfolioDiff
from ..model import format_percent, format_score
from ._render import (
    text_table,
)


def _num(value: float | None, other: float | None) -> str:
    """A dimension's score in one run beside the other run's: two decimals, or the digits
    that keep it off that score and off every whole number (its floors) it is not equal to."""
    return "-" if value is None else format_score(value, () if other is None else (other,), 2)


def _weight(value: float, other: float) -> str:
    """A normalised weight beside the other run's, one decimal, never shown equal to it."""
    return format_percent(value, (other,), 1)


def render_diff_text(result: PortfolioDiff, cutoffs: Sequence[float] = ()) -> str:
    """The diff as text; a composite score is shown with the digits that keep it on its side
    of the grade cut-offs of either configuration (``cutoffs``) and of whole numbers."""
    out = []

    def score(value: float | None) -> str:
        return "-" if value is None else format_score(value, cutoffs, 2)

    if len(result.diffs) != 1 or result.only_a or result.only_b:
        n = len(result.diffs)
        out.append(f"{len(result.flipped)} of {n} companies changed verdict "
                   f"({format_percent(len(result.flipped) / n) if n else '-'}); "
                   f"{sum(d.changed for d in result.diffs)} "
                   "changed at all" if n else "no company on both sides")
        if result.only_a:
            out.append(f"only in A: {', '.join(result.only_a)}")
        if result.only_b:
            out.append(f"only in B: {', '.join(result.only_b)}")
        out.append("")
    def arrow(x: str, y: str) -> str:
        return f"{x} -> {y}" if x != y else f"{x} (same)"

    for d in result.diffs:
        delta = f" ({d.score_delta:+.2f})" if d.score_delta is not None else ""
        out.append(f"{d.name} ({d.company}): verdict {arrow(d.verdict_a, d.verdict_b)}, grade "
                   f"{arrow(d.grade_a or '-', d.grade_b or '-')}, score "
                   f"{score(d.score_a)} -> {score(d.score_b)}{delta}")
        out.append(f"  A: {d.a}")
        out.append(f"  B: {d.b}")
        if not d.changed:
            out.append("  no difference")
            out.append("")
            continue
        for reason in d.verdict_reasons:
            out.append(f"  verdict: {reason}")
        if d.dimensions:
            rows = [[c.name, f"{_weight(c.weight_a, c.weight_b)} -> "
                     f"{_weight(c.weight_b, c.weight_a)}",
                     f"{_num(c.score_a, c.score_b)} -> {_num(c.score_b, c.score_a)}",
                     f"{c.contribution_delta:+.2f}",
                     f"{c.weight_effect:+.2f}", f"{c.scorer_effect:+.2f}",
                     f"{c.adjustment_effect:+.2f}"] for c in d.dimensions]
            out.append("  score change by dimension (midpoint split: "
                       "dw x mean score + mean weight x ds):")
            out += ["    " + line for line in text_table(
                ["dimension", "weight", "score", "contribution", "weight effect",
                 "scorer effect", "findings effect"], rows, right={3, 4, 5, 6})]
            if d.residual:
                out.append(f"    rounding in the composite: {d.residual:+.4f}")
        out.append("  causes:")
        shown: dict[str, int] = {}
        for c in d.causes:
            shown[c.kind] = shown.get(c.kind, 0) + 1
            if c.kind in ("profile", "setting") and shown[c.kind] > LISTED:
                continue
            pts = f"{c.points:+8.2f}  " if c.points is not None else " " * 10
            out.append(f"    {pts}{c.kind:<9} {c.subject}: {c.detail}")
        for kind in ("profile", "setting"):
            if shown.get(kind, 0) > LISTED:
                out.append(f"{'':14}... and {shown[kind] - LISTED} more {kind} keys "
                           "(--format json lists all)")
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"
