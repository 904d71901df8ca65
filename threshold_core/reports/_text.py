"""Reports people read: plain text for the terminal and Markdown for memos.

Both show the same things: the verdict line, the gate (valuation in its own
currency and in CNY, the line, the FX rate and its date), the dimensions
(weight x score = points, with the plugin behind each), findings grouped by
severity with their effect, the determining factors, the explanation when one
is attached (distance to the next better verdict, margin, robustness; see
:mod:`threshold_core.explain`), and the per-plugin trace.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..model import (
    Decision,
    DimensionDistance,
    EventStatus,
    Explanation,
    Finding,
    RuleStatus,
    Severity,
    Verdict,
)

Style = Callable[..., str]

_VERDICT_COLOUR = {
    Verdict.QUALIFIED: "green",
    Verdict.WATCH: "yellow",
    Verdict.NOT_QUALIFIED: "red",
    Verdict.INSUFFICIENT_DATA: "magenta",
    Verdict.ERROR: "red",
}


def _plain(text: str, **_: object) -> str:
    return text


def _num(value: float | None, fmt: str = ".1f") -> str:
    return "-" if value is None else format(value, fmt)


def _money(amount: float | None, currency: str | None) -> str:
    if amount is None:
        return "-"
    if abs(amount) >= 1e9:
        return f"{amount / 1e9:,.2f}bn {currency}"
    if abs(amount) >= 1e6:
        return f"{amount / 1e6:,.1f}m {currency}"
    return f"{amount:,.0f} {currency}"


def text_table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> list[str]:
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=False)]

    def fmt(cells: Sequence[str]) -> str:
        return "  ".join(
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=False))
        ).rstrip()

    return [fmt(headers), fmt(["-" * w for w in widths]), *(fmt(r) for r in rows)]


def gate_line(decision: Decision) -> str:
    g = decision.gate
    if g.valuation_amount is None:
        return f"Gate: not tested - {g.reason}"
    conv = (
        f"{_money(g.valuation_amount, g.valuation_currency)} x {g.fx_rate:g} "
        f"CNY/{g.valuation_currency}"
        f" (FX as of {g.fx_as_of}) = {_money(g.valuation_cny, 'CNY')}"
        if g.valuation_currency and g.valuation_currency.upper() != "CNY"
        else _money(g.valuation_cny, "CNY")
    )
    dated = f", {g.valuation_as_of}" if g.valuation_as_of else ""
    if g.passed is None:
        return f"Gate: {conv} ({g.basis}{dated}): not tested - {g.reason}"
    if g.haircut and g.tested_cny is not None:
        conv += f" less {g.haircut:.0%} haircut = {_money(g.tested_cny, 'CNY')}"
    sign = ">=" if g.passed else "<"
    status = "passed" if g.passed else "FAILED"
    return f"Gate: {conv} ({g.basis}{dated}) {sign} line {_money(g.line_cny, 'CNY')}: {status}"


def headroom_line(decision: Decision) -> str:
    """The cushion above the line and the risk of falling below it, in one line."""
    h = decision.headroom
    if h is None:
        return f"Risk of falling below the line: {decision.risk}"
    if h.cushion is None:
        return f"Risk of falling below the line: {decision.risk} ({h.summary})"
    return (
        f"Headroom: {h.cushion:.2f}x the line; {h.summary} "
        f"({h.model}, volatility {h.volatility:.0%} a year). "
        f"Risk of falling below the line: {decision.risk} ({'; '.join(h.reasons)})"
    )


def verdict_line(decision: Decision, style: Style = _plain) -> str:
    v = decision.verdict
    head = style(v.value.upper().replace("_", " "), fg=_VERDICT_COLOUR[v], bold=True)
    return (
        f"{decision.company.name} ({decision.company.id}): {head}  risk {decision.risk}  "
        f"grade {decision.grade or '-'}  score {_num(decision.score)}/100"
    )


def _findings_by_severity(findings: Sequence[Finding]) -> list[tuple[Severity, list[Finding]]]:
    return [(s, [f for f in findings if f.severity is s]) for s in Severity
            if any(f.severity is s for f in findings)]


def render_text(decision: Decision, style: Style = _plain) -> str:
    """The full text report for one decision."""
    out = [verdict_line(decision, style), "", gate_line(decision), headroom_line(decision), ""]
    rows = []
    for d in decision.dimensions:
        adj = ", ".join(
            f"{a.rule} "
            + ("cap " + format(a.amount, "g") if a.effect == "cap" else format(a.amount, "+g"))
            for a in d.adjustments
        )
        rows.append([
            d.name, "left out" if d.left_out else f"{d.weight * 100:.1f}%", _num(d.raw_score),
            adj or "", _num(d.score),
            _num(d.contribution, ".2f"), f"{d.coverage:.0%}", d.plugin,
        ])
    out.append(style("Dimensions", bold=True))
    out += text_table(
        ["dimension", "weight", "raw", "adjustments", "score", "points", "coverage", "plugin"],
        rows, right={1, 2, 4, 5, 6},
    )
    out.append(f"composite score: {_num(decision.score, '.2f')}  (sum of weight x score)")
    out += [f"{d.name} left out ({d.left_out}): the other weights are renormalised"
            for d in decision.dimensions if d.left_out]
    out.append("")
    out.append(style("Findings", bold=True))
    if not decision.findings:
        out.append("  none")
    for sev, group in _findings_by_severity(decision.findings):
        effect = group[0].effect if len({f.effect for f in group}) == 1 else "mixed"
        out.append(f"  {sev} ({effect})")
        for f in group:
            dim = f" -> {f.dimension}" if f.dimension else ""
            out.append(f"    {f.rule} [{f.pack}] {f.effect}{dim}: {f.message}")
    out.append("")
    out.append(style("Determining factors", bold=True))
    out += [f"  - {f.kind}: {f.detail}" for f in decision.determining] or ["  none"]
    out.append("")
    if decision.explain is not None:
        out += explain_text(decision.explain, style)
        out.append("")
    out.append(style("Trace", bold=True))
    trace_rows = []
    for e in decision.trace:
        if e.rules:
            counts = {s: sum(o.status is s for o in e.rules) for s in RuleStatus}
            what = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
            fired = [o.rule for o in e.rules if o.status is RuleStatus.FIRED]
            if fired:
                what += " (" + ", ".join(fired) + ")"
        elif e.kind == "scorer" and e.status is EventStatus.OK:
            what = (f"score {_num(e.contributed.get('score'))}, "
                    f"coverage {e.contributed.get('coverage', 0):.0%}")
        else:
            what = e.message or ", ".join(f"{k}={v}" for k, v in e.contributed.items())
        if e.status is EventStatus.ERROR:
            what = style(f"ERROR {e.message}", fg="red")
        trace_rows.append([
            e.plugin, e.version, e.component, str(e.kind), f"{e.duration_ms:.2f}",
            str(len(e.read)), what,
        ])
    out += text_table(["plugin", "version", "component", "kind", "ms", "read", "contributed"],
                  trace_rows, right={4, 5})
    not_evaluated = [
        f"{o.rule} (missing {', '.join(o.missing)})"
        for e in decision.trace for o in e.rules if o.status is RuleStatus.NOT_EVALUATED
    ]
    if not_evaluated:
        out.append("")
        out.append("Not evaluated for lack of data: " + "; ".join(not_evaluated))
    return "\n".join(out) + "\n"


def _signed(value: float | None, fmt: str = ".2f") -> str:
    return "-" if value is None else format(value, "+" + fmt)


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def _conf(value: float | None) -> str:
    return "unbounded" if value is None else format(value, ".3g")


def _reach(d: DimensionDistance) -> str:
    if d.points is None:
        return "-"
    return f"{d.raw_score:.2f} -> {d.target_raw_score:.2f}" if d.raw_score is not None else "-"


def _metric_moves(d: DimensionDistance) -> str:
    moves = [m.note for m in d.metrics if m.action != "none"]
    return "; ".join(moves) if moves else "no single metric reaches it (or none invertible)"


def explain_text(x: Explanation, style: Style = _plain) -> list[str]:
    """The explanation as report lines: distance, margin, robustness."""
    dist = x.distance
    out = [style("Distance to the next better verdict", bold=True), f"  {dist.meaning}"]
    if dist.blockers:
        out.append("  clear first:")
        out += [f"    - {b.kind} {b.subject}: {b.detail}" for b in dist.blockers]
    if dist.gate_shortfall_cny is not None:
        out.append(f"  gate shortfall: {_money(dist.gate_shortfall_cny, 'CNY')}")
    if dist.verdict_if_cleared is not None and dist.blockers:
        out.append(f"  with those cleared: {dist.verdict_if_cleared}, score "
                   f"{_num(dist.score_if_cleared, '.2f')}")
    if dist.target_score is not None:
        out.append(f"  {dist.target} needs a composite of {dist.target_score:g}: "
                   f"{_num(dist.gap, '.2f')} points short")
    if dist.dimensions:
        rows = [[d.dimension, _signed(d.points), _reach(d), _signed(d.composite_points),
                 ", ".join(d.clear_first) or "-", "yes" if d.alone else "no",
                 d.note if d.points is None else ""] for d in dist.dimensions]
        out += ["  " + line for line in text_table(
            ["dimension (others fixed)", "raise", "scorer score", "composite", "clear first",
             "alone", "note"], rows, right={1, 3})]
        for d in dist.dimensions:
            if d.points and d.metrics:
                out.append(f"  {d.dimension}, one metric at a time: {_metric_moves(d)}")
    for c in dist.coverage:
        paths = f" ({', '.join(c.paths)})" if c.paths else ""
        out.append(f"  data: {c.dimension}: {c.note}{paths}")
    if dist.findings:
        out.append("  each finding cleared alone: " + "; ".join(
            f"{f.rule} ({f.effect}) {_signed(f.composite_points)} -> {f.verdict_if_cleared}"
            for f in dist.findings))
    if x.margin is not None:
        m = x.margin
        out.append(style("Safety margin", bold=True))
        out.append(f"  {m.meaning}" + (f" (now {m.points:.2f} points above it)"
                                       if m.points is not None else ""))
        for dm in m.dimensions:
            out.append(f"  - {dm.dimension}: {dm.note}")
    r = x.robustness
    label = style(r.label.upper(), fg="yellow" if r.label == "fragile" else "green", bold=True)
    out.append(style("Robustness", bold=True) + f": {label} - {r.reason}")
    if r.weights:
        rows = [[w.dimension, _pct(w.weight), f"{_pct(w.low)} - {_pct(w.high)}",
                 f"{_conf(w.configured_low)} - {_conf(w.configured_high)}"] for w in r.weights]
        out += ["  " + line for line in text_table(
            ["weight (others renormalised)", "now", "verdict holds for", "configured"],
            rows, right={1})]
    binding = [c for c in r.cutoffs if c.binding]
    if r.cutoffs:
        out.append("  cut-offs: " + "; ".join(
            f"{c.grade} {c.min_score:g} holds for {c.low:g}-{c.high:g}"
            + (" (binding)" if c.binding else "") for c in (binding or r.cutoffs)))
    if r.monte_carlo is not None:
        mc = r.monte_carlo
        out.append(f"  Monte Carlo: {mc.draws} weight draws, Dirichlet({mc.concentration:g} x w), "
                   f"seed {mc.seed}: verdict flips {mc.flip_probability:.1%}, grade changes "
                   f"{mc.grade_change_probability:.1%}")
    out += [f"  note: {n}" for n in x.notes]
    return out


def explain_markdown(x: Explanation) -> list[str]:
    """The explanation as Markdown lines."""
    dist = x.distance
    out = ["### What it would take", "", _md_escape(dist.meaning[0].upper() + dist.meaning[1:])
           + ".", ""]
    if dist.blockers:
        out += ["**Clear first:**", ""]
        out += [f"- {b.kind} **{b.subject}**: {_md_escape(b.detail)}" for b in dist.blockers]
        out.append("")
    if dist.gate_shortfall_cny is not None:
        out += [f"Gate shortfall: {_money(dist.gate_shortfall_cny, 'CNY')}.", ""]
    if dist.target_score is not None:
        out += [f"{dist.target} needs a composite of {dist.target_score:g}: "
                f"{_num(dist.gap, '.2f')} points short"
                + (f" once cleared (then {dist.verdict_if_cleared}, "
                   f"{_num(dist.score_if_cleared, '.2f')})." if dist.blockers else "."), ""]
    if dist.dimensions:
        out += ["| Dimension (others fixed) | Raise | Scorer score | Composite | Clear first | "
                "One metric at a time |", "|---|---:|---|---:|---|---|"]
        for d in dist.dimensions:
            moves = _md_escape(_metric_moves(d)) if d.points else _md_escape(d.note)
            out.append(f"| {d.dimension} | {_signed(d.points)} | {_reach(d)} | "
                       f"{_signed(d.composite_points)} | {', '.join(d.clear_first) or '-'} | "
                       f"{moves} |")
        out.append("")
    for c in dist.coverage:
        out.append(f"- data for **{c.dimension}**: {_md_escape(c.note)}"
                   + (f" (`{'`, `'.join(c.paths)}`)" if c.paths else ""))
    if dist.coverage:
        out.append("")
    if x.margin is not None:
        m = x.margin
        out += ["### Safety margin", "", _md_escape(m.meaning[0].upper() + m.meaning[1:])
                + (f" (now {m.points:.2f} points above it)." if m.points is not None else "."),
                ""]
        out += [f"- {dm.dimension}: {dm.note}" for dm in m.dimensions]
        if m.dimensions:
            out.append("")
    r = x.robustness
    out += ["### How robust", "", f"**{r.label}**: {_md_escape(r.reason)}.", ""]
    if r.weights:
        out += ["| Weight (others renormalised) | Now | Verdict holds for | Configured |",
                "|---|---:|---|---|"]
        out += [f"| {w.dimension} | {_pct(w.weight)} | {_pct(w.low)} - {_pct(w.high)} | "
                f"{_conf(w.configured_low)} - {_conf(w.configured_high)} |" for w in r.weights]
        out.append("")
    if r.monte_carlo is not None:
        mc = r.monte_carlo
        out += [f"Monte Carlo ({mc.draws} draws, Dirichlet({mc.concentration:g} x w), seed "
                f"{mc.seed}): verdict flips in {mc.flip_probability:.1%}.", ""]
    return out


def render_summary(decisions: Sequence[Decision], style: Style = _plain) -> str:
    """One line per company."""
    explained = any(d.explain is not None for d in decisions)
    rows = [
        [d.company.id, d.company.name, str(d.verdict), str(d.risk), d.grade or "-",
         _num(d.score), str(len(d.findings))]
        + ([d.explain.robustness.label if d.explain else "-"] if explained else [])
        for d in decisions
    ]
    lines = text_table(["id", "company", "verdict", "risk", "grade", "score", "findings"]
                   + (["robustness"] if explained else []), rows, right={5, 6})
    return "\n".join(lines) + "\n"


def render_texts(decisions: Sequence[Decision], style: Style = _plain) -> str:
    if len(decisions) == 1:
        return render_text(decisions[0], style)
    parts = [style("Summary", bold=True) + "\n" + render_summary(decisions, style)]
    parts += [render_text(d, style) for d in decisions]
    return ("\n" + "=" * 72 + "\n\n").join(parts)


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|")


def render_markdown(decision: Decision) -> str:
    """A Markdown section fit to paste into an investment memo."""
    d = decision
    out = [
        f"## {d.company.name}: {str(d.verdict).replace('_', ' ')}",
        "",
        f"**Verdict** {d.verdict} | **Risk of falling below the line** {d.risk} | "
        f"**Grade** {d.grade or '-'} | **Score** {_num(d.score)}/100",
        "",
        f"{gate_line(d)}",
        "",
        _md_escape(headroom_line(d)),
        "",
        "| Dimension | Weight | Score | Points | Coverage | Plugin |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for dim in d.dimensions:
        out.append(
            f"| {dim.name} | {'left out' if dim.left_out else f'{dim.weight * 100:.1f}%'} | "
            f"{_num(dim.score)} | "
            f"{_num(dim.contribution, '.2f')} | {dim.coverage:.0%} | `{dim.plugin}` |"
        )
    out += ["", "### Findings", ""]
    if not d.findings:
        out.append("None.")
    else:
        out += ["| Severity | Rule | Pack | Effect | Message |", "|---|---|---|---|---|"]
        out += [
            f"| {f.severity} | {f.rule} | {f.pack} | {f.effect} | {_md_escape(f.message)} |"
            for f in d.findings
        ]
    out += ["", "### What decided it", ""]
    out += [f"- **{f.kind}**: {_md_escape(f.detail)}" for f in d.determining] or ["- nothing"]
    if d.explain is not None:
        out += ["", *explain_markdown(d.explain)]
        if out[-1] == "":
            out.pop()
    out += ["", "### Trace", "", "| Plugin | Component | Kind | Status | ms |",
            "|---|---|---|---|---:|"]
    out += [
        f"| `{e.plugin}` {e.version} | {e.component} | {e.kind} | {e.status} "
        f"| {e.duration_ms:.2f} |"
        for e in d.trace
    ]
    out += ["", f"<sub>Receipt: engine {d.receipt.engine_version}, input sha256 "
                f"`{d.receipt.input_sha256[:12]}`, config sha256 "
                f"`{d.receipt.config_sha256[:12]}`</sub>"]
    return "\n".join(out) + "\n"


def render_markdowns(decisions: Sequence[Decision]) -> str:
    if len(decisions) == 1:
        return render_markdown(decisions[0])
    head = [
        "# Qualification screen", "",
        "| Company | Verdict | Risk | Grade | Score |", "|---|---|---|---|---:|",
        *(f"| {d.company.name} | {d.verdict} | {d.risk} | {d.grade or '-'} | {_num(d.score)} |"
          for d in decisions),
        "",
    ]
    return "\n".join(head) + "\n" + "\n".join(render_markdown(d) for d in decisions)
