"""The text rendering of an attributed decision diff (``threshold diff``)."""

from __future__ import annotations

from collections.abc import Sequence

from ..explain import LISTED, PortfolioDiff
from ..model import format_percent, format_score
from ._render import (
    text_table,
)


def _num(value: float | None, fmt: str = ".2f") -> str:
    return "-" if value is None else format(value, fmt)


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
            rows = [[c.name, f"{c.weight_a:.1%} -> {c.weight_b:.1%}",
                     f"{_num(c.score_a)} -> {_num(c.score_b)}", f"{c.contribution_delta:+.2f}",
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
