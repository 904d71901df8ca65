"""Reports people read: plain text for the terminal and Markdown for memos.

Both show the same things: the verdict line, the gate (valuation in its own
currency and in CNY, the line, the FX rate and its date), the dimensions
(weight x score = points, with the plugin behind each), findings grouped by
severity with their effect, the determining factors, and the per-plugin trace.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .results import Decision, EventStatus, Finding, RuleStatus, Severity, Verdict

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


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> list[str]:
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, row)]

    def fmt(cells: Sequence[str]) -> str:
        return "  ".join(
            c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths))
        ).rstrip()

    return [fmt(headers), fmt(["-" * w for w in widths]), *(fmt(r) for r in rows)]


def gate_line(decision: Decision) -> str:
    g = decision.gate
    if g.valuation_amount is None:
        return f"Gate: not tested - {g.reason}"
    conv = (
        f"{_money(g.valuation_amount, g.valuation_currency)} x {g.fx_rate:g} CNY/{g.valuation_currency}"
        f" (FX as of {g.fx_as_of}) = {_money(g.valuation_cny, 'CNY')}"
        if g.valuation_currency and g.valuation_currency.upper() != "CNY"
        else _money(g.valuation_cny, "CNY")
    )
    sign = ">=" if g.passed else "<"
    status = "passed" if g.passed else "FAILED"
    return f"Gate: {conv} ({g.basis}) {sign} line {_money(g.line_cny, 'CNY')}: {status}"


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
    out = [verdict_line(decision, style), "", gate_line(decision), ""]
    rows = []
    for d in decision.dimensions:
        adj = ", ".join(
            f"{a.rule} {'cap ' + format(a.amount, 'g') if a.effect == 'cap' else format(a.amount, '+g')}"
            for a in d.adjustments
        )
        rows.append([
            d.name, f"{d.weight * 100:.1f}%", _num(d.raw_score), adj or "", _num(d.score),
            _num(d.contribution, ".2f"), f"{d.coverage:.0%}", d.plugin,
        ])
    out.append(style("Dimensions", bold=True))
    out += _table(
        ["dimension", "weight", "raw", "adjustments", "score", "points", "coverage", "plugin"],
        rows, right={1, 2, 4, 5, 6},
    )
    out.append(f"composite score: {_num(decision.score, '.2f')}  (sum of weight x score)")
    out.append("")
    out.append(style("Findings", bold=True))
    if not decision.findings:
        out.append("  none")
    for sev, group in _findings_by_severity(decision.findings):
        out.append(f"  {sev} ({group[0].effect if len({f.effect for f in group}) == 1 else 'mixed'})")
        for f in group:
            dim = f" -> {f.dimension}" if f.dimension else ""
            out.append(f"    {f.rule} [{f.pack}] {f.effect}{dim}: {f.message}")
    out.append("")
    out.append(style("Determining factors", bold=True))
    out += [f"  - {f.kind}: {f.detail}" for f in decision.determining] or ["  none"]
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
    out += _table(["plugin", "version", "component", "kind", "ms", "read", "contributed"],
                  trace_rows, right={4, 5})
    not_evaluated = [
        f"{o.rule} (missing {', '.join(o.missing)})"
        for e in decision.trace for o in e.rules if o.status is RuleStatus.NOT_EVALUATED
    ]
    if not_evaluated:
        out.append("")
        out.append("Not evaluated for lack of data: " + "; ".join(not_evaluated))
    return "\n".join(out) + "\n"


def render_summary(decisions: Sequence[Decision], style: Style = _plain) -> str:
    """One line per company."""
    rows = [
        [d.company.id, d.company.name, str(d.verdict), str(d.risk), d.grade or "-",
         _num(d.score), str(len(d.findings))]
        for d in decisions
    ]
    lines = _table(["id", "company", "verdict", "risk", "grade", "score", "findings"], rows,
                   right={5, 6})
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
        "| Dimension | Weight | Score | Points | Coverage | Plugin |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for dim in d.dimensions:
        out.append(
            f"| {dim.name} | {dim.weight * 100:.1f}% | {_num(dim.score)} | "
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
    out += ["", "### Trace", "", "| Plugin | Component | Kind | Status | ms |", "|---|---|---|---|---:|"]
    out += [
        f"| `{e.plugin}` {e.version} | {e.component} | {e.kind} | {e.status} | {e.duration_ms:.2f} |"
        for e in d.trace
    ]
    out += ["", f"<sub>Receipt: engine {d.receipt.engine_version}, input sha256 "
                f"`{d.receipt.input_sha256[:12]}`, config sha256 `{d.receipt.config_sha256[:12]}`</sub>"]
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
