"""A self-contained HTML report: one file, inline CSS and SVG, no scripts, no network.

Per company: the verdict, a waterfall of how every scorer and every finding
moved the composite (each dimension's weight x scorer score as a rising step,
each cap or deduction as a falling one, then the composite against the grade
cut-offs), a radar of the dimension scores, a distance-to-qualify chart (each
dimension's scorer score and the rise it needs, from the attached
explanation), the findings, the determining factors, the robustness and the
receipt. Several companies get one page with a summary table first.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from html import escape

from ..engine import engine_version
from ..load import decision_to_dict
from ..model import Decision, DimensionResult, Effect, GradeBand, Verdict
from ._document import DEFAULT, Options, blocks, score_text, to_html
from ._figures import coverage_rows, cutoffs, total, waterfall_steps

_VERDICT_CLASS = {
    Verdict.QUALIFIED: "qualified",
    Verdict.WATCH: "watch",
    Verdict.NOT_QUALIFIED: "not-qualified",
    Verdict.INSUFFICIENT_DATA: "insufficient",
    Verdict.ERROR: "error",
}

#: Dimension colours, in order (colour-blind-safe palette).
_PALETTE = ("#0072b2", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#d55e00", "#999933",
            "#882255")

CSS = """
:root { --fg: #1d2433; --muted: #5b6475; --line: #d8dde6; --bg: #ffffff; --panel: #f6f8fb;
  --q: #1a7f37; --w: #b7791f; --n: #c0392b; --i: #7b4fa0; --e: #8b0000; }
* { box-sizing: border-box; }
body { font: 14px/1.45 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  "Noto Sans CJK SC", sans-serif; color: var(--fg); background: var(--bg); margin: 0; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 0 0 6px; display: flex; align-items: center; gap: 12px;
  flex-wrap: wrap; }
h3 { font-size: 15px; margin: 22px 0 8px; border-bottom: 1px solid var(--line);
  padding-bottom: 4px; }
.sub { color: var(--muted); margin: 0 0 18px; }
section.company { border-top: 3px solid var(--line); padding-top: 20px; margin-top: 28px; }
.badge { display: inline-block; border-radius: 4px; padding: 1px 8px; font-size: 12px;
  font-weight: 700; letter-spacing: .03em; text-transform: uppercase; color: #fff; }
.badge.qualified { background: var(--q); } .badge.watch { background: var(--w); }
.badge.not-qualified { background: var(--n); } .badge.insufficient { background: var(--i); }
.badge.error { background: var(--e); }
.badge.robust { background: #4a5568; } .badge.fragile { background: #dd6b20; }
.sev { font-weight: 700; text-transform: uppercase; font-size: 11px; }
.sev.critical { color: var(--e); } .sev.high { color: var(--n); } .sev.medium { color: var(--w); }
.sev.low, .sev.info { color: var(--muted); }
.kpis { display: flex; gap: 18px; flex-wrap: wrap; margin: 6px 0 4px; }
.kpi { background: var(--panel); border-radius: 6px; padding: 6px 12px; min-width: 90px; }
.kpi b { display: block; font-size: 18px; }
.kpi span { color: var(--muted); font-size: 12px; }
.gate { margin: 8px 0 0; color: var(--muted); }
.charts { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 16px;
  margin-top: 14px; align-items: start; }
.charts .wide { grid-column: 1 / -1; }
figure { margin: 0; background: var(--panel); border-radius: 8px; padding: 10px 12px; }
figcaption { font-weight: 600; margin-bottom: 4px; }
figcaption small { font-weight: 400; color: var(--muted); }
svg { display: block; width: 100%; height: auto; }
svg text { font-family: inherit; fill: var(--fg); }
table { border-collapse: collapse; width: 100%; margin: 4px 0 8px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line);
  vertical-align: top; }
th { font-size: 12px; color: var(--muted); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
ul.plain { margin: 4px 0; padding-left: 18px; }
.muted { color: var(--muted); }
.receipt { font-size: 12px; color: var(--muted); margin-top: 18px; word-break: break-all; }
a { color: #0b5cad; }
@media (max-width: 820px) { .charts { grid-template-columns: 1fr; } }
td { overflow-wrap: break-word; }
td a { word-break: break-all; }
h4 { font-size: 13px; margin: 14px 0 6px; }
p.verdict { font-weight: 600; }
p.note { color: var(--muted); margin-top: 0; }
.print-head { display: none; }
/* A committee's page: A4, each company from the top of a page under a header with the
   company, the evaluation date and the verdict; no chart split from its caption, no
   heading left at the foot of a page, no table row split. */
@page { size: A4; margin: 10mm 9mm 11mm; }
@media print {
  body { font-size: 7pt; line-height: 1.25; }
  main { max-width: none; padding: 0; }
  h1 { font-size: 14pt; }
  .sub { margin: 0 0 6px; }
  h2 { font-size: 12pt; margin-bottom: 2px; }
  h3 { font-size: 9pt; margin: 7px 0 3px; padding-bottom: 1px; }
  h4 { font-size: 8pt; margin: 5px 0 2px; }
  h2, h3, h4, figcaption { break-after: avoid; page-break-after: avoid; }
  p { margin: 2px 0; }
  section.company { break-before: page; page-break-before: always; border-top: 0;
    margin: 0; padding: 0; }
  .print-head { display: flex; justify-content: space-between; font-size: 7pt;
    color: #333; border-bottom: 1px solid #999; padding-bottom: 2px; margin-bottom: 4px; }
  .kpis { gap: 6px; margin: 2px 0; }
  .kpi { padding: 1px 6px; min-width: 0; }
  .kpi b { font-size: 10pt; display: inline; margin-right: 4px; }
  .charts { grid-template-columns: minmax(0, 4fr) minmax(0, 3fr); gap: 6px; margin-top: 4px; }
  figure { break-inside: avoid; page-break-inside: avoid; padding: 2px 4px;
    background: none; border: 1px solid var(--line); }
  figure svg { max-height: 50mm; }
  figure.wide svg { max-height: 30mm; }
  table { margin: 2px 0 4px; font-size: 6.8pt; }
  th, td { padding: 1px 3px; }
  th { font-size: 6.5pt; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  table.evidence td:nth-child(n+6) { font-size: 6pt; line-height: 1.1; }
  table.evidence td { padding-top: 0; padding-bottom: 0; }
  ul.plain { margin: 2px 0; }
  a { color: inherit; text-decoration: none; }
  .badge, .sev, .kpi, svg { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def _id(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "-", text)


def _label(name: str) -> str:
    return name.replace("_", " ")


def _colours(decision: Decision) -> dict[str, str]:
    return {d.name: _PALETTE[i % len(_PALETTE)] for i, d in enumerate(decision.dimensions)}


# -- charts -------------------------------------------------------------------------------


def waterfall_svg(decision: Decision, grades: Sequence[GradeBand] = ()) -> str:
    """Each dimension's contribution rising, each finding's adjustment falling, the composite.

    The steps come from :func:`threshold_core.reports._figures.waterfall_steps` on the decision's
    JSON and add up to the composite; without a composite the chart shows each
    dimension's coverage against the floor instead (no score is drawn).
    """
    data = decision_to_dict(decision)
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
    for name, min_score in bands:
        if min_score <= 0:
            continue
        yy = y(min_score)
        out.append(f'<line class="cutoff" x1="{left}" x2="{left + plot_w}" y1="{yy:.1f}" '
                   f'y2="{yy:.1f}" stroke="#5b6475" stroke-dasharray="5 4" stroke-width="1"/>')
        out.append(f'<text class="cutoff-label" x="{left + plot_w + 4}" y="{yy + 4:.1f}" '
                   f'font-size="11">{escape(name)} {min_score:g}</text>')
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
               f'fill="#1d2433"><title>composite {score:.2f}</title></rect>')
    out.append(f'<text x="{x + bar / 2:.1f}" y="{y(score) - 4:.1f}" font-size="12" '
               f'font-weight="700" text-anchor="middle">{score_text(score)}</text>')
    out.append(_axis_label(x + bar / 2, top + plot_h + 12, "composite"))
    out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y(0):.1f}" y2="{y(0):.1f}" '
               f'stroke="#1d2433" stroke-width="1"/>')
    out.append("</svg>")
    return "\n".join(out)


def coverage_svg(decision: Decision) -> str:
    """Without a composite: each dimension's coverage (share of its metric weight with data)."""
    rows = coverage_rows(decision_to_dict(decision))
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
                   f'fill="{fill}"><title>{escape(r.dimension)}: {r.coverage:.0%} covered'
                   + (f"; missing {escape(', '.join(r.missing))}" if r.missing else "")
                   + "</title></rect>")
        out.append(f'<text x="{px(r.coverage) + 6:.1f}" y="{yy + 17}" font-size="11">'
                   f"{r.coverage:.0%}" + (" below the floor" if r.decisive else "") + "</text>")
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
            w = 3 * (d.score or 0.0)
            out.append(f'<text x="20" y="{yy - 6}" font-size="12">{escape(_label(d.name))}</text>')
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
                   + f'<tspan x="{lx:.1f}" dy="14" font-weight="700">{score_text(d.score)}</tspan>'
                   + "</text>")
    raw = [d.raw_score if d.raw_score is not None else 0.0 for d in dims]
    final = [d.score if d.score is not None else 0.0 for d in dims]
    if raw != final:
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, v) for i, v in enumerate(raw)))
        out.append(f'<polygon class="radar-raw" points="{pts}" fill="none" stroke="#c0392b" '
                   'stroke-dasharray="5 4" stroke-width="1.5"><title>scorer scores before '
                   "caps and deductions</title></polygon>")
    pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, v) for i, v in enumerate(final)))
    out.append(f'<polygon class="radar-score" points="{pts}" fill="#0072b2" fill-opacity="0.25" '
               'stroke="#0072b2" stroke-width="2"><title>dimension scores</title></polygon>')
    for i, v in enumerate(final):
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
        out.append(f'<rect class="current" x="{left}" y="{y + 4}" width="{px(raw) - left:.1f}" '
                   f'height="16" fill="#9aa3b2"><title>scorer score {raw:.1f}</title></rect>')
        if d is not None:
            for adj in d.adjustments:
                if adj.effect is Effect.CAP:
                    out.append(f'<line class="cap" x1="{px(adj.amount):.1f}" '
                               f'x2="{px(adj.amount):.1f}" y1="{y}" y2="{y + 24}" '
                               f'stroke="#c0392b" stroke-width="2"><title>{escape(adj.rule)} '
                               f"caps at {adj.amount:g}</title></line>")
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


# -- page ----------------------------------------------------------------------------------


def _badge(text: str, cls: str) -> str:
    return f'<span class="badge {cls}">{escape(text.replace("_", " "))}</span>'


def _verdict_badge(v: Verdict) -> str:
    return _badge(str(v), _VERDICT_CLASS[v])


def _distance_summary(decision: Decision) -> str:
    x = decision.explain
    if x is None:
        return ""
    dist = x.distance
    if dist.target is None:
        if decision.verdict is Verdict.QUALIFIED and x.margin and x.margin.points is not None:
            return f"margin {x.margin.points:.1f} pts above {x.margin.cutoff:g}"
        if dist.coverage:
            return "needs data: " + ", ".join(c.dimension for c in dist.coverage)
        return ", ".join(b.subject for b in dist.blockers)
    blockers = [b.subject for b in dist.blockers]
    gap = f"{dist.gap:.1f} pts to {dist.target}" if dist.gap is not None else str(dist.target)
    return gap + (f" after clearing {', '.join(blockers)}" if blockers else "")


def _section(decision: Decision, grades: Sequence[GradeBand], options: Options) -> str:
    d = decision
    data = decision_to_dict(d)
    cid = _id(d.company.id)
    x = d.explain
    as_of = d.receipt.as_of or "-"
    parts = [f'<section class="company" id="company-{cid}">',
             # Repeated at the top of every printed page of this company (see @media print).
             f'<div class="print-head"><span>{escape(d.company.name)}</span>'
             f"<span>as of {escape(as_of)}</span>"
             f"<span>{escape(str(d.verdict).replace('_', ' '))}</span></div>",
             f"<h2>{escape(d.company.name)} {_verdict_badge(d.verdict)}"
             + (_badge(x.robustness.label, x.robustness.label) if x else "") + "</h2>",
             '<div class="kpis">',
             f'<div class="kpi"><b>{score_text(d.score)}</b><span>score / 100</span></div>',
             f'<div class="kpi"><b>{escape(d.grade or "-")}</b><span>grade</span></div>',
             f'<div class="kpi"><b>{escape(str(d.risk))}</b><span>risk of falling below the '
             "line</span></div>",
             "</div>",
             '<div class="charts">']
    if d.score is not None:
        parts.append('<figure><figcaption>How each plugin moved the score <small>(weight x '
                     "scorer score per dimension; findings as falling steps, deductions before "
                     "caps; dashed: grade cut-offs)</small></figcaption>"
                     f"{waterfall_svg(d, grades)}</figure>")
    else:
        parts.append("<figure><figcaption>No composite score <small>(the share of each "
                     "dimension's metric weight that had data; purple: below the coverage "
                     f"floor)</small></figcaption>{waterfall_svg(d, grades)}</figure>")
    parts.append("<figure><figcaption>Dimensions <small>(filled: final scores; dashed: before "
                 f"caps and deductions)</small></figcaption>{radar_svg(d)}</figure>")
    dist_chart = distance_svg(d)
    if dist_chart is not None and x is not None:
        parts.append('<figure class="wide"><figcaption>Distance to '
                     f"{escape(str(x.distance.target))} <small>(grey: scorer score now; green: "
                     "the rise needed, others fixed; red lines: caps)</small></figcaption>"
                     f"{dist_chart}</figure>")
    parts.append("</div>")
    parts.append(to_html(blocks(data, options)))
    parts.append("</section>")
    return "\n".join(parts)


def render_html(decisions: Sequence[Decision], grades: Sequence[GradeBand] = (),
                options: Options = DEFAULT) -> str:
    """One self-contained page: a summary table (several companies) and a section each.

    Printed (or saved as PDF), each company starts a page with a header naming the
    company, the evaluation date and the verdict; no chart is split from its caption.
    """
    title = (f"{decisions[0].company.name}: {decisions[0].verdict}" if len(decisions) == 1
             else f"Qualification screen: {len(decisions)} companies")
    sources = sorted({d.receipt.config_source for d in decisions})
    shas = sorted({d.receipt.config_sha256 for d in decisions})
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{escape(title)}</title><style>{CSS}</style></head><body><main>",
             "<h1>Qualification report</h1>",
             f'<p class="sub">The 4 billion yuan line, decided by threshold {engine_version()} '
             f"with the configuration {escape(', '.join(sources))} (sha256 "
             f"{escape(', '.join(s[:12] for s in shas))}). Every figure below comes from the "
             "decision JSON; nothing is loaded from the network.</p>"]
    if len(decisions) > 1:
        parts.append('<table id="summary" class="summary"><tr><th>company</th><th>verdict</th>'
                     "<th>risk</th><th>grade</th><th class=num>score</th><th>robustness</th>"
                     "<th>what it would take</th></tr>")
        for d in decisions:
            label = d.explain.robustness.label if d.explain else "-"
            parts.append(f'<tr><td><a href="#company-{_id(d.company.id)}">'
                         f"{escape(d.company.name)}</a></td><td>{_verdict_badge(d.verdict)}</td>"
                         f"<td>{d.risk}</td><td>{escape(d.grade or '-')}</td>"
                         f"<td class=num>{score_text(d.score)}</td><td>{label}</td>"
                         f"<td>{escape(_distance_summary(d))}</td></tr>")
        parts.append("</table>")
    parts += [_section(d, grades, options) for d in decisions]
    parts.append("</main></body></html>")
    return "\n".join(parts) + "\n"
