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

from collections.abc import Sequence
from html import escape

from ..engine import engine_version
from ..load import decision_data
from ..model import Decision, GradeBand, Verdict, format_cutoff, format_score
from ._charts import _id, distance_svg, radar_svg, waterfall_svg
from ._document import DEFAULT, Options, blocks, score_text
from ._render import to_html

_VERDICT_CLASS = {
    Verdict.QUALIFIED: "qualified",
    Verdict.WATCH: "watch",
    Verdict.NOT_QUALIFIED: "not-qualified",
    Verdict.INSUFFICIENT_DATA: "insufficient",
    Verdict.ERROR: "error",
}


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
  table { margin: 2px 0 4px; font-size: 6.6pt; }
  th, td { padding: 1px 3px; }
  th { font-size: 6.5pt; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  table.evidence td:nth-child(n+6) { font-size: 6pt; line-height: 1.1; }
  table.evidence td { padding-top: 0; padding-bottom: 0; }
  table.not-evaluated td { padding-top: 0; padding-bottom: 0; line-height: 1.1; }
  table.not-evaluated td:nth-child(4) { font-size: 6pt; }
  ul.plain { margin: 2px 0; }
  a { color: inherit; text-decoration: none; }
  .badge, .sev, .kpi, svg { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


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
            # above the cut-off, never shown at it (0.04 points is "0.04", not "0.0")
            return (f"margin {format_score(x.margin.points, (), 1)} pts above "
                    f"{format_cutoff(x.margin.cutoff)}")
        if dist.coverage:
            return "needs data: " + ", ".join(c.dimension for c in dist.coverage)
        return ", ".join(b.subject for b in dist.blockers)
    blockers = [b.subject for b in dist.blockers]
    gap = (f"{format_score(dist.gap, (), 1)} pts to {dist.target}" if dist.gap is not None
           else str(dist.target))
    return gap + (f" after clearing {', '.join(blockers)}" if blockers else "")


def _section(decision: Decision, grades: Sequence[GradeBand], options: Options) -> str:
    d = decision
    data = decision_data(d)
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
             f'<div class="kpi"><b>{score_text(d.score, 1, options.cutoffs)}</b>'
             '<span>score / 100</span></div>',
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
    if grades and not options.cutoffs:  # the score beside each cut-off it is drawn against
        options = Options(units=options.units, cutoffs=tuple(b.min_score for b in grades))
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
                         f"<td class=num>{score_text(d.score, 1, options.cutoffs)}</td>"
                         f"<td>{label}</td>"
                         f"<td>{escape(_distance_summary(d))}</td></tr>")
        parts.append("</table>")
    parts += [_section(d, grades, options) for d in decisions]
    parts.append("</main></body></html>")
    return "\n".join(parts) + "\n"
