"""The HTML report's charts as inline SVG: the score waterfall, coverage, the radar of dimension
scores and the distance to the next verdict. Computed from the decision alone.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from html import escape

from ..load import decision_data
from ..model import Decision, DimensionResult, Effect, GradeBand, format_cutoff, format_score
from ._document import score_text
from ._figures import coverage_rows, cutoffs, pct, total, waterfall_steps

#: Dimension colours, in order (colour-blind-safe palette).
_PALETTE = ("#0072b2", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#d55e00", "#999933",
            "#882255")


def _id(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "-", text)


def _label(name: str) -> str:
    return name.replace("_", " ")


def _colours(decision: Decision) -> dict[str, str]:
    return {d.name: _PALETTE[i % len(_PALETTE)] for i, d in enumerate(decision.dimensions)}


def waterfall_svg(decision: Decision, grades: Sequence[GradeBand] = ()) -> str:
    """Each dimension's contribution rising, each finding's adjustment falling, the composite.

    The steps come from :func:`threshold_core.reports._figures.waterfall_steps` on the decision's
    JSON and add up to the composite; without a composite the chart shows each
    dimension's coverage against the floor instead (no score is drawn).
    """
    data = decision_data(decision)
    steps = waterfall_steps(data)
    if not steps:
        return coverage_svg(decision)
    colours = _colours(decision)
    width, height = 720, 380
    left, right, top, bottom = 90, 70, 14, 110
    plot_w, plot_h = width - left - right, height - top - bottom
    n = len(steps) + 1
    slot = plot_w / max(n, 1)
    bar = min(46.0, slot * 0.7)

    def y(v: float) -> float:
        return top + plot_h * (1 - max(0.0, min(100.0, v)) / 100.0)

    cid = _id(decision.company.id)
    out = [f'<svg id="waterfall-{cid}" class="waterfall" viewBox="0 0 {width} {height}" '
           f'role="img" xmlns="http://www.w3.org/2000/svg" data-total="{total(steps)!r}">',
           f"<title>How each plugin moved the score of {escape(decision.company.name)}</title>"]
    for v in (0, 25, 50, 75, 100):
        out.append(f'<line class="grid" x1="{left}" x2="{left + plot_w}" y1="{y(v):.1f}" '
                   f'y2="{y(v):.1f}" stroke="#d8dde6" stroke-width="1"/>')
        out.append(f'<text x="{left - 6}" y="{y(v) + 4:.1f}" font-size="11" '
                   f'text-anchor="end">{v}</text>')
    bands = [(b.name, b.min_score) for b in grades] or cutoffs(data)
    cuts = [min_score for _, min_score in bands]  # the score is shown on its side of each
    for name, min_score in bands:
        if min_score <= 0:
            continue
        yy = y(min_score)
        out.append(f'<line class="cutoff" x1="{left}" x2="{left + plot_w}" y1="{yy:.1f}" '
                   f'y2="{yy:.1f}" stroke="#5b6475" stroke-dasharray="5 4" stroke-width="1"/>')
        out.append(f'<text class="cutoff-label" x="{left + plot_w + 4}" y="{yy + 4:.1f}" '
                   f'font-size="11">{escape(name)} {format_cutoff(min_score)}</text>')
    running = 0.0
    for i, step in enumerate(steps):
        kind = "dimension" if step.kind == "dimension" else "finding"
        x = left + slot * i + (slot - bar) / 2
        y0, y1 = y(running), y(running + step.delta)
        colour = colours.get(step.label, "#c0392b") if kind == "dimension" else "#c0392b"
        out.append(
            f'<rect class="step {kind} {step.kind}" data-label="{escape(step.label)}" '
            f'data-delta="{step.delta!r}" x="{x:.1f}" '
            f'y="{min(y0, y1):.1f}" width="{bar:.1f}" height="{max(abs(y1 - y0), 0.8):.1f}" '
            f'fill="{colour}"><title>{escape(step.title)}: {step.delta:+.2f}</title></rect>')
        if i + 1 < n:
            nx = left + slot * (i + 1) + (slot - bar) / 2
            out.append(f'<line x1="{x + bar:.1f}" x2="{nx:.1f}" y1="{y1:.1f}" y2="{y1:.1f}" '
                       f'stroke="#9aa3b2" stroke-width="1"/>')
        out.append(f'<text x="{x + bar / 2:.1f}" y="{min(y0, y1) - 4:.1f}" font-size="11" '
                   f'text-anchor="middle">{step.delta:+.1f}</text>')
        running += step.delta
        out.append(_axis_label(x + bar / 2, top + plot_h + 12, _label(step.label)))
    score = float(data["score"])
    x = left + slot * len(steps) + (slot - bar) / 2
    out.append(f'<rect class="step total" data-score="{score!r}" x="{x:.1f}" '
               f'y="{y(score):.1f}" width="{bar:.1f}" height="{y(0) - y(score):.1f}" '
               f'fill="#1d2433"><title>composite {score_text(score, 2, cuts)}</title></rect>')
    out.append(f'<text x="{x + bar / 2:.1f}" y="{y(score) - 4:.1f}" font-size="12" '
               f'font-weight="700" text-anchor="middle">{score_text(score, 1, cuts)}</text>')
    out.append(_axis_label(x + bar / 2, top + plot_h + 12, "composite"))
    out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y(0):.1f}" y2="{y(0):.1f}" '
               f'stroke="#1d2433" stroke-width="1"/>')
    out.append("</svg>")
    return "\n".join(out)


def coverage_svg(decision: Decision) -> str:
    """Without a composite: each dimension's coverage (share of its metric weight with data)."""
    rows = coverage_rows(decision_data(decision))
    cid = _id(decision.company.id)
    width, row_h, left, right = 720, 34, 200, 120
    height = 40 + row_h * max(len(rows), 1) + 10
    plot_w = width - left - right

    def px(v: float) -> float:
        return left + plot_w * max(0.0, min(1.0, v))

    out = [f'<svg id="waterfall-{cid}" class="waterfall coverage" viewBox="0 0 {width} '
           f'{height}" role="img" xmlns="http://www.w3.org/2000/svg">',
           f"<title>No composite for {escape(decision.company.name)} "
           f"({escape(str(decision.verdict))}): coverage per dimension</title>",
           f'<text class="no-score" x="{left}" y="16" font-size="13">No composite score '
           f"({escape(str(decision.verdict).replace('_', ' '))}): the data each dimension had"
           "</text>"]
    for v in (0, 0.5, 1.0):
        out.append(f'<line x1="{px(v):.1f}" x2="{px(v):.1f}" y1="26" y2="{height - 8}" '
                   'stroke="#d8dde6"/>')
        out.append(f'<text x="{px(v):.1f}" y="{height - 0}" font-size="10" '
                   f'text-anchor="middle" fill="#5b6475">{v:.0%}</text>')
    for i, r in enumerate(rows):
        yy = 30 + i * row_h
        fill = "#7b4fa0" if r.decisive else "#9aa3b2"
        out.append(f'<text x="{left - 8}" y="{yy + 16}" font-size="12" text-anchor="end">'
                   f"{escape(_label(r.dimension))}</text>")
        out.append(f'<rect class="coverage-bar" data-coverage="{r.coverage!r}" x="{left}" '
                   f'y="{yy + 4}" width="{px(r.coverage) - left:.1f}" height="18" '
                   f'fill="{fill}"><title>{escape(r.dimension)}: '
                   f"{pct(r.coverage, below=r.decisive)} covered"
                   + (f"; missing {escape(', '.join(r.missing))}" if r.missing else "")
                   + "</title></rect>")
        out.append(f'<text x="{px(r.coverage) + 6:.1f}" y="{yy + 17}" font-size="11">'
                   f"{pct(r.coverage, below=r.decisive)}"
                   + (" below the floor" if r.decisive else "") + "</text>")
    out.append("</svg>")
    return "\n".join(out)


def _axis_label(x: float, y: float, text: str) -> str:
    return (f'<text class="axis-label" x="{x:.1f}" y="{y:.1f}" font-size="11" '
            f'text-anchor="end" transform="rotate(-35 {x:.1f} {y:.1f})">{escape(text)}</text>')


def radar_svg(decision: Decision) -> str:
    """The dimension scores on a radar (bars when fewer than three dimensions)."""
    dims = [d for d in decision.dimensions if d.weight > 0]
    cid = _id(decision.company.id)
    size = 440
    cx, cy, radius = size / 2, size / 2, 125
    out = [f'<svg id="radar-{cid}" class="radar" viewBox="0 0 {size} {size}" role="img" '
           'xmlns="http://www.w3.org/2000/svg">',
           f"<title>Dimension scores of {escape(decision.company.name)}</title>"]
    if len(dims) < 3:
        for i, d in enumerate(dims):
            yy = 60 + i * 60
            out.append(f'<text x="20" y="{yy - 6}" font-size="12">{escape(_label(d.name))}</text>')
            if d.score is None:  # no bar: a zero-width one would read as a score of 0
                out.append(f'<text class="radar-unscored" x="20" y="{yy + 14}" font-size="12" '
                           'fill="#5b6475">no score</text>')
                continue
            w = 3 * d.score
            out.append(f'<rect class="radar-bar" x="20" y="{yy}" width="{w:.1f}" height="20" '
                       f'fill="#0072b2"><title>{score_text(d.score)}</title></rect>')
        out.append("</svg>")
        return "\n".join(out)

    def point(i: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / len(dims)
        r = radius * max(0.0, min(100.0, value)) / 100.0
        return cx + r * math.cos(angle), cy + r * math.sin(angle)

    for ring in (25, 50, 75, 100):
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, ring) for i in range(len(dims))))
        out.append(f'<polygon class="ring" points="{pts}" fill="none" stroke="#d8dde6"/>')
        x, y = point(0, ring)
        out.append(f'<text x="{x + 3:.1f}" y="{y + 11:.1f}" font-size="9" fill="#5b6475">'
                   f"{ring}</text>")
    for i, d in enumerate(dims):
        x, y = point(i, 100)
        out.append(f'<line x1="{cx}" y1="{cy}" x2="{x:.1f}" y2="{y:.1f}" stroke="#d8dde6"/>')
        lx, ly = point(i, 112)
        anchor = "middle" if abs(lx - cx) < 10 else ("start" if lx > cx else "end")
        words = _label(d.name).split(" ")
        lines = len(words) + 1
        # Keep the block of lines outside the rings: above the top, below the bottom,
        # centred on the sides.
        if abs(lx - cx) < 10:
            first = ly - (lines - 1) * 14 if ly < cy else ly + 10
        else:
            first = ly - (lines - 1) * 7 + 4
        out.append(f'<text class="radar-label" x="{lx:.1f}" y="{first:.1f}" font-size="12" '
                   f'text-anchor="{anchor}">'
                   + "".join(f'<tspan x="{lx:.1f}" dy="{0 if j == 0 else 14}">{escape(w)}</tspan>'
                             for j, w in enumerate(words))
                   + f'<tspan x="{lx:.1f}" dy="14" font-weight="700">'
                   + ("no score" if d.score is None else score_text(d.score)) + "</tspan>"
                   + "</text>")
    # A dimension without a score has no point: drawing it at the centre would show a
    # score of 0. Its axis is dashed and labelled "no score"; the polygons join the
    # dimensions that have one.
    scored = [i for i, d in enumerate(dims) if d.score is not None]
    for i in (i for i, d in enumerate(dims) if d.score is None):
        x, y = point(i, 100)
        out.append(f'<line class="radar-unscored" x1="{cx}" y1="{cy}" x2="{x:.1f}" y2="{y:.1f}" '
                   'stroke="#5b6475" stroke-dasharray="3 4"><title>'
                   f"{escape(dims[i].name)}: no score</title></line>")
    raw = {i: dims[i].raw_score if dims[i].raw_score is not None else dims[i].score
           for i in scored}
    final = {i: float(dims[i].score) for i in scored}  # type: ignore[arg-type]
    if len(scored) >= 2 and raw != final:
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, v or 0.0)
                                                       for i, v in raw.items()))
        out.append(f'<polygon class="radar-raw" points="{pts}" fill="none" stroke="#c0392b" '
                   'stroke-dasharray="5 4" stroke-width="1.5"><title>scorer scores before '
                   "caps and deductions</title></polygon>")
    if len(scored) >= 2:
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, v) for i, v in final.items()))
        out.append(f'<polygon class="radar-score" points="{pts}" fill="#0072b2" '
                   'fill-opacity="0.25" stroke="#0072b2" stroke-width="2"><title>dimension '
                   "scores</title></polygon>")
    for i, v in final.items():
        x, y = point(i, v)
        out.append(f'<circle class="radar-point" cx="{x:.1f}" cy="{y:.1f}" r="3.5" '
                   f'fill="#0072b2"><title>{escape(dims[i].name)}: {v:.1f}</title></circle>')
    out.append("</svg>")
    return "\n".join(out)


def distance_svg(decision: Decision) -> str | None:
    """Each dimension's scorer score now and the rise that reaches the next better verdict."""
    x = decision.explain
    if x is None or not x.distance.dimensions:
        return None
    rows = x.distance.dimensions
    cid = _id(decision.company.id)
    width, row_h, left, right = 1060, 30, 200, 330
    height = 30 + row_h * len(rows) + 12
    plot_w = width - left - right

    def px(v: float) -> float:
        return left + plot_w * max(0.0, min(100.0, v)) / 100.0

    dims = {d.name: d for d in decision.dimensions}
    out = [f'<svg id="distance-{cid}" class="distance" viewBox="0 0 {width} {height}" '
           'role="img" xmlns="http://www.w3.org/2000/svg">',
           f"<title>Distance to {escape(str(x.distance.target))}</title>"]
    for v in (0, 25, 50, 75, 100):
        out.append(f'<line x1="{px(v):.1f}" x2="{px(v):.1f}" y1="18" y2="{height - 10}" '
                   'stroke="#d8dde6"/>')
        out.append(f'<text x="{px(v):.1f}" y="13" font-size="10" text-anchor="middle" '
                   f'fill="#5b6475">{v}</text>')
    for i, row in enumerate(rows):
        y = 24 + i * row_h
        d: DimensionResult | None = dims.get(row.dimension)
        out.append(f'<text x="{left - 8}" y="{y + 15}" font-size="12" text-anchor="end">'
                   f"{escape(_label(row.dimension))}</text>")
        raw = row.raw_score or 0.0
        # shown off the score it needs (never "65.0" for 64.96 below a 65.0 need)
        needs = () if row.target_raw_score is None else (row.target_raw_score,)
        out.append(f'<rect class="current" x="{left}" y="{y + 4}" width="{px(raw) - left:.1f}" '
                   f'height="16" fill="#9aa3b2"><title>scorer score '
                   f"{format_score(raw, needs, 1)}</title></rect>")
        if d is not None:
            for adj in d.adjustments:
                if adj.effect is Effect.CAP:
                    out.append(f'<line class="cap" x1="{px(adj.amount):.1f}" '
                               f'x2="{px(adj.amount):.1f}" y1="{y}" y2="{y + 24}" '
                               f'stroke="#c0392b" stroke-width="2"><title>{escape(adj.rule)} '
                               f"caps at {format_cutoff(adj.amount)}</title></line>")
        if row.points is not None and row.target_raw_score is not None and row.points > 0:
            out.append(f'<rect class="needed" x="{px(raw):.1f}" y="{y + 4}" '
                       f'width="{px(row.target_raw_score) - px(raw):.1f}" height="16" '
                       'fill="#1a7f37" fill-opacity="0.35" stroke="#1a7f37" '
                       f'stroke-dasharray="3 2"><title>+{row.points:.2f} needed</title></rect>')
            note = f"+{row.points:.2f}"
        elif row.points == 0:
            note = "no rise needed"
        else:
            note = "out of reach alone"
        if row.clear_first and row.points is not None:
            note += " (clear " + ", ".join(row.clear_first) + ")"
        if len(note) > 52:
            note = note[:50] + "..."
        out.append(f'<text class="needed-label" x="{width - right + 8}" y="{y + 15}" '
                   f'font-size="11">{escape(note)}</text>')
    out.append("</svg>")
    return "\n".join(out)
