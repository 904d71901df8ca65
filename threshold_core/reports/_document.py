"""One report, three formats: the blocks of a decision's report, built from its JSON.

:func:`blocks` turns the documented decision data (``decision_data``, or a
decision file read back) into a list of plain blocks (headings, paragraphs,
tables, lists); :func:`to_text`, :func:`to_markdown` and :func:`to_html`
write the same blocks in each format. What one format shows the others show,
by construction; the HTML page adds its charts (:func:`threshold_core.reports.render_html`) above
the same blocks.

The blocks, in order: the verdict line (verdict, risk, grade, score and the
headroom when the decision carries one), the run (evaluation date, the
configuration file or "defaults" with its sha256, engine and plugin versions,
the profile's sha256), the gate, the dimensions (weight x score = points,
adjustments, coverage, plugin) with each metric's evidence and the source of
each figure, the findings (severity, rule, title, effect, message, source),
the rules not evaluated for lack of data with the fields they lacked, what
decided it, the explanation (distance, margin, robustness) and a trace
summary.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from attrs import field, frozen

from ..model import ASSUMED, bn_against, format_against, format_cutoff, format_score
from ._figures import (
    below_floor,
    beside,
    exactly,
    metric_how,
    metric_points,
    not_evaluated,
    pct,
    sourcing_line,
    trace_summary,
)
from ._render import Block, Heading, Items, Para, Style, Table

#: How amounts are written: ``bn`` (billions, the default) or ``yi`` (亿, hundred million).
UNITS = ("bn", "yi")


@frozen
class Options:
    """How figures are written."""

    #: ``bn``: 17.93bn CNY; ``yi``: 179.3亿 CNY (hundred million, as Chinese readers expect).
    units: str = field(default="bn")
    #: The grade bands' cut-offs (``[[policy.grades]] min_score``): a score is shown with
    #: the digits that keep it on its side of each (58.39999 is not "58.4" below 58.4).
    cutoffs: tuple[float, ...] = ()


#: Figures in billions.
DEFAULT = Options()


def num(value: Any, fmt: str = ".1f") -> str:
    return "-" if value is None else format(float(value), fmt)


def score_text(value: Any, digits: int = 1, cutoffs: Sequence[float] = ()) -> str:
    """A score as compared, rounded for display only: more digits where plain rounding
    would show it on the other side of a cut-off (the configured grade cut-offs given,
    and every whole number: ``64.99996`` is never shown as ``65.0``)."""
    return format_score(None if value is None else float(value), cutoffs, digits)


def signed(value: Any, fmt: str = ".2f") -> str:
    return "-" if value is None else format(float(value), "+" + fmt)


def money(amount: Any, currency: str | None, options: Options = DEFAULT,
          against: float | None = None) -> str:
    """An amount for people, never rounded to 0 when it is not 0; one compared with
    ``against`` (the line, in the amount's currency) keeps the digits that show it off
    the line and on its side (rounding is for display only; the line itself, given as
    ``against``, is shown exactly)."""
    if amount is None:
        return "-"
    amount = float(amount)
    cur = f" {currency}" if currency else ""
    edge = None if against is None else float(against)
    if options.units == "yi" and abs(amount) >= 1e8:
        return f"{bn_against(amount, edge, 1e8)}亿{cur}"
    if abs(amount) >= 1e9:
        return f"{bn_against(amount, edge)}bn{cur}"
    cuts = () if edge is None else (edge,)
    if abs(amount) >= 1e6:
        return f"{format_against(amount, cuts, 1, scale=1e6)}m{cur}"
    return f"{format_against(amount, cuts, 0)}{cur}"


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def label(verdict: str) -> str:
    return str(verdict).replace("_", " ")


def headroom_lines(data: Mapping[str, Any]) -> list[str]:
    """The cushion above the line and the risk of falling below it."""
    h = data.get("headroom")
    risk = data["risk"]
    if h is None:
        return [f"Risk of falling below the line: {risk}"]
    if h.get("cushion") is None:
        return [f"Risk of falling below the line: {risk} ({h.get('summary', '')})"]
    return [
        f"Headroom: {format_against(float(h['cushion']), (1.0,))}x the line; "
        f"{h.get('summary', '')} "
        f"({h.get('model')}, volatility {exactly(float(h.get('volatility') or 0))} a year)",
        f"Risk of falling below the line: {risk} ({'; '.join(h.get('reasons', ()))}); "
        f"market risk {h.get('market_risk')}; scorecard risk "
        f"{data.get('scorecard_risk') or '-'}",
    ]


def gate_line(data: Mapping[str, Any], options: Options = DEFAULT) -> str:
    g = data["gate"]
    if g.get("valuation_amount") is None:
        return f"Gate: not tested - {g.get('reason', '')}"
    cur = g.get("valuation_currency")
    # The figure compared with the line (after any haircut) is shown on its side of it.
    line = None if g.get("haircut") and g.get("tested_cny") is not None else g["line_cny"]
    rate = float(g.get("fx_rate") or 0)
    own = None if line is None or rate <= 0 else float(line) / rate
    conv = (
        f"{money(g['valuation_amount'], cur, options, own)} x "
        f"{format_against(rate, (rate,), 0)} CNY/{cur}"
        f" (FX as of {g.get('fx_as_of')}) = {money(g['valuation_cny'], 'CNY', options, line)}"
        if cur and cur.upper() != "CNY"
        else money(g.get("valuation_cny"), "CNY", options, line)
    )
    dated = f", {g['valuation_as_of']}" if g.get("valuation_as_of") else ""
    if g.get("passed") is None:
        return f"Gate: {conv} ({g.get('basis')}{dated}): not tested - {g.get('reason', '')}"
    if g.get("haircut") and g.get("tested_cny") is not None:
        conv += (f" less {exactly(float(g['haircut']))} haircut = "
                 f"{money(g['tested_cny'], 'CNY', options, g['line_cny'])}")
    sign, status = (">=", "passed") if g.get("passed") else ("<", "FAILED")
    return (f"Gate: {conv} ({g.get('basis')}{dated}) {sign} line "
            f"{money(g['line_cny'], 'CNY', options, g['line_cny'])}: {status}")


def verdict_line(data: Mapping[str, Any], style: Style | None = None,
                 cutoffs: Sequence[float] = ()) -> str:
    """``Zhipu AI (zhipu): WATCH  risk medium  grade Q3  score 67.5/100``."""
    head = label(data["verdict"]).upper()
    if style is not None:
        head = style(head, fg=_COLOUR.get(str(data["verdict"]), "red"), bold=True)
    return (f"{data['company']['name']} ({data['company']['id']}): {head}  "
            f"risk {data['risk']}  grade {data.get('grade') or '-'}  "
            f"score {score_text(data.get('score'), 1, cutoffs)}/100")


_COLOUR = {"qualified": "green", "watch": "yellow", "not_qualified": "red",
           "insufficient_data": "magenta", "error": "red"}


def adjustments(dim: Mapping[str, Any]) -> str:
    """``ETH-009 -5`` for one; rules with the same adjustment share it (``cap 50: A, B``),
    counted past three (``-5 x4``: the findings and the rules not evaluated name them); a
    deduction the pack's maximum left at 0 is ``0 (pack maximum)``."""
    groups: dict[str, list[str]] = {}
    for a in dim.get("adjustments", ()):
        what = (f"cap {format_cutoff(float(a['amount']))}" if a["effect"] == "cap" else
                format(float(a["amount"]), "+g") if a["amount"] else "0 (pack maximum)")
        groups.setdefault(what, []).append(str(a["rule"]))
    return "; ".join(f"{rules[0]} {what}" if len(rules) == 1 else
                     f"{what}: {', '.join(rules)}" if len(rules) <= 3 else
                     f"{what} x{len(rules)}" for what, rules in groups.items())


def config_source(data: Mapping[str, Any]) -> str:
    return str(data["receipt"].get("config_source") or "defaults")


def blocks(data: Mapping[str, Any], options: Options = DEFAULT) -> list[Block]:
    """Every block of one decision's report, in order (the verdict line comes first)."""
    out: list[Block] = [Para(verdict_line(data, None, options.cutoffs), "verdict")]
    out += [Para(gate_line(data, options)), Para(str(data["gate"].get("reason", "")), "note")]
    out += [Para(line) for line in headroom_lines(data)]
    out += run_blocks(data)
    out += dimension_blocks(data, options.cutoffs)
    out += finding_blocks(data)
    out += unevaluated_blocks(data)
    out.append(Heading("Determining factors"))
    out.append(Items(tuple(f"{f['kind']}: {f['detail']}" for f in data["determining"])
                     or ("none",)))
    if data.get("explain"):
        out += explain_blocks(data["explain"], options)
    out += trace_blocks(data)
    return out


def run_blocks(data: Mapping[str, Any]) -> list[Block]:
    r = data["receipt"]
    as_of = r.get("as_of")
    plugins = ", ".join(f"{p['name']} {p['version']}" for p in r.get("plugins", ()))
    return [Heading("Run"), Items((
        f"evaluated as of {as_of or '-'} by threshold {r['engine_version']}",
        f"configuration: {config_source(data)} (sha256 {r['config_sha256']})",
        f"profile sha256 {r['input_sha256']}"
        + (f" ({data['source_path']})" if data.get("source_path") else ""),
        f"plugins: {plugins}",
    ), "run")]


def dimension_blocks(data: Mapping[str, Any], cutoffs: Sequence[float] = ()) -> list[Block]:
    under = below_floor(data)
    rows = tuple(
        (d["name"], "left out" if d.get("left_out") else pct(d["weight"], ".1%"),
         num(d.get("raw_score")), adjustments(d) if d.get("score") is not None else "",
         score_text(d.get("score")), num(d.get("contribution"), ".2f"),
         pct(d.get("coverage"), below=d["name"] in under),
         pct(d.get("sourced_coverage")), d.get("plugin", ""))
        for d in data["dimensions"])
    out: list[Block] = [
        Heading("Dimensions"),
        Table(("dimension", "weight", "raw", "adjustments", "score", "points", "coverage",
               "sourced", "plugin"), rows, frozenset({1, 2, 4, 5, 6, 7}), "dimensions"),
        Para(f"composite score: {score_text(data.get('score'), 2, cutoffs)} "
             "(sum of weight x score)"),
        Para(sourcing_line(data)),
        *(Para(f"{d['name']} left out ({d['left_out']}): the other weights are renormalised")
          for d in data["dimensions"] if d.get("left_out")),
        Heading("Evidence", 4),
    ]
    ev = []
    for d in data["dimensions"]:
        for m in d.get("evidence", ()):
            raw = "-" if m.get("raw") is None else f"{float(m['raw']):g}"
            if m.get("state"):
                raw = f"{m['state']} ({raw})"
            ev.append((d["name"], m["metric"], f"{float(m['weight']):g}", raw,
                       metric_points(m), m.get("grade") or "-", m.get("source") or "-",
                       metric_how(m)))
    out.append(Table(("dimension", "metric", "weight", "figure", "points", "grade", "source",
                      "how"), tuple(ev), frozenset({2, 4}), "evidence", stack=6))
    return out


def finding_blocks(data: Mapping[str, Any]) -> list[Block]:
    out: list[Block] = [Heading("Findings")]
    # Assumed findings (rules that lacked data) are shown with the rules not evaluated.
    fired = [f for f in data["findings"] if not _assumed(f)]
    if not fired:
        return [*out, Para("none")]
    rows = tuple(
        (f["severity"], f["rule"], f["title"], f["effect"] + (f" -> {f['dimension']}"
                                                            if f.get("dimension") else ""),
         f["message"], f.get("source") or "-", f"{f['pack']} ({f['plugin']})")
        for f in fired)
    out.append(Table(("severity", "rule", "title", "effect", "message", "source", "pack"),
                     rows, name="findings", stack=4))
    return out


def unevaluated_blocks(data: Mapping[str, Any]) -> list[Block]:
    # Rules of one pack that lack the same fields share a row (an unscreened company has
    # every investment_restrictions rule missing [investment_screening]).
    grouped: dict[tuple[str, str, str], list[str]] = {}
    for u in not_evaluated(data):
        grouped.setdefault((u.component, ", ".join(u.missing), u.why), []).append(u.rule)
    counted = {f["rule"]: str(f["effect"]) for f in data["findings"] if _assumed(f)}
    rows = tuple((", ".join(rules), component, missing, why or "-", _counted(rules, counted))
                 for (component, missing, why), rules in grouped.items())
    out: list[Block] = [Heading("Not evaluated for lack of data")]
    if not rows:
        return [*out, Para("none: every rule had the data it needs")]
    # Omission never helps: a rule of severity medium or worse that lacks its data counts
    # at its most severe until researched (a critical one: insufficient_data, and a cap and
    # a deduction on its dimension, shown in the dimensions table).
    return [*out, Table(("rule", "pack", "missing", "why", "counted as"), rows,
                        name="not-evaluated")]


def _counted(rules: Sequence[str], counted: Mapping[str, str]) -> str:
    """What a row of rules not evaluated counted as: one effect, or each rule's in order."""
    effects = [counted.get(r, "reported") for r in rules]
    if len(set(effects)) == 1:
        return effects[0]
    return " / ".join(effects)  # in the order of the rules


def _assumed(f: Mapping[str, Any]) -> bool:
    return bool((f.get("evidence") or {}).get(ASSUMED))


def trace_blocks(data: Mapping[str, Any]) -> list[Block]:
    rows = tuple((t.plugin, t.version, t.component, t.kind, t.status, str(t.read), t.what)
                 for t in trace_summary(data))
    return [Heading("Trace"), Table(("plugin", "version", "component", "kind", "status",
                                     "read", "contributed"), rows, frozenset({5}), "trace")]


def _reach(d: Mapping[str, Any]) -> str:
    if d.get("points") is None or d.get("raw_score") is None:
        return "-"
    raw, target = float(d["raw_score"]), float(d["target_raw_score"])
    return f"{format_score(raw, (target,), 2)} -> {format_score(target, (raw,), 2)}"


def _conf(value: Any) -> str:
    return "unbounded" if value is None else format(float(value), ".3g")


def explain_blocks(x: Mapping[str, Any], options: Options = DEFAULT) -> list[Block]:
    dist = x["distance"]
    out: list[Block] = [Heading("Distance to the next better verdict"),
                        Para(cap(dist["meaning"]) + ".")]
    if dist.get("blockers"):
        out.append(Para("Clear first:"))
        out.append(Items(tuple(f"{b['kind']} {b['subject']}: {b['detail']}"
                               for b in dist["blockers"])))
    if dist.get("gate_shortfall_cny") is not None:
        out.append(Para(f"Gate shortfall: {money(dist['gate_shortfall_cny'], 'CNY', options)}."))
    if dist.get("verdict_if_cleared") is not None and dist.get("blockers"):
        out.append(Para(f"With those cleared: {dist['verdict_if_cleared']}, score "
                        f"{score_text(dist.get('score_if_cleared'), 2, options.cutoffs)}."))
    if dist.get("target_score") is not None:
        gap = dist.get("gap")
        out.append(Para(f"{dist['target']} needs a composite of "
                        f"{format_cutoff(float(dist['target_score']))}: "
                        f"{'-' if gap is None else format_score(float(gap), (), 2)} "
                        "points short."))
    if dist.get("dimensions"):
        rows = []
        for d in dist["dimensions"]:
            moves = [m["note"] for m in d.get("metrics", ()) if m["action"] != "none"]
            how = ("; ".join(moves) or "no single metric reaches it") if d.get("points") \
                else d.get("note", "")
            rows.append((d["dimension"], signed(d.get("points")), _reach(d),
                         signed(d.get("composite_points")), ", ".join(d["clear_first"]) or "-",
                         "yes" if d["alone"] else "no", how))
        out.append(Table(("dimension (others fixed)", "raise", "scorer score", "composite",
                          "clear first", "alone", "how"), tuple(rows), frozenset({1, 3}),
                         "distance", stack=6))
        notes = [f"{m['metric']}: {m['note']}" if not m["note"].startswith(m["metric"])
                 else m["note"]
                 for d in dist["dimensions"] if d.get("points")
                 for m in d.get("metrics", ()) if m["action"] == "none"]
        if notes:
            out.append(Para("Metrics that cannot reach it alone: " + "; ".join(notes), "note"))
    for c in dist.get("coverage", ()):
        paths = f" ({', '.join(c['paths'])})" if c.get("paths") else ""
        supply = f"; supply {', '.join(c['supply'])}" if c.get("supply") else ""
        out.append(Para(f"Data for {c['dimension']}: {c['note']}{supply}{paths}"))
    if dist.get("findings"):
        # Findings whose clearing alone moves nothing are named once, together.
        moving = [f for f in dist["findings"] if f.get("composite_points")]
        still = [f["rule"] for f in dist["findings"] if not f.get("composite_points")]
        out.append(Para("Each finding cleared alone: " + "; ".join(
            [f"{f['rule']} ({f['effect']}"
             + (f" on {f['dimension']}" if f.get("dimension") else "")
             + f") {signed(f.get('composite_points'))} -> {f['verdict_if_cleared']}"
             for f in moving]
            + ([f"{', '.join(still)}: no change to the composite"] if still else []))))
    m = x.get("margin")
    if m is not None:
        out.append(Heading("Safety margin"))
        out.append(Para(m["meaning"]
                        + (f" (now {format_score(float(m['points']), (), 2)} points above it)"
                           if m.get("points") is not None else "") + "."
                        + (f" The verdict below: {m['worse']}." if m.get("worse") else "")))
        if m.get("dimensions"):
            out.append(Items(tuple(f"{d['dimension']}: {d['note']}" for d in m["dimensions"])))
    r = x["robustness"]
    out.append(Heading("Robustness"))
    out.append(Para(f"{r['label'].upper()}: {r['reason']}."))
    if r.get("weights"):
        out.append(Table(
            ("weight (others renormalised)", "now", "verdict holds for", "configured"),
            tuple((w["dimension"], pct(w["weight"], ".1%"),
                   f"{pct(w['low'], '.1%')} - {pct(w['high'], '.1%')}",
                   f"{_conf(w.get('configured_low'))} - {_conf(w.get('configured_high'))}")
                  for w in r["weights"]), frozenset({1}), "robustness"))
    if r.get("cutoffs"):
        binding = [c for c in r["cutoffs"] if c["binding"]]
        out.append(Para("Cut-offs: " + "; ".join(
            f"{c['grade']} {format_cutoff(float(c['min_score']))} holds for "
            f"{beside(c['low'], c['min_score'])}-{beside(c['high'], c['min_score'])}"
            + (" (binding)" if c["binding"] else "")
            for c in (binding or r["cutoffs"]))))
    mc = r.get("monte_carlo")
    if mc is not None:
        shares = ", ".join(f"{k} {pct(v, '.1%')}" for k, v in mc.get("verdicts", {}).items())
        out.append(Para(f"Monte Carlo: {mc['draws']} weight draws, Dirichlet("
                        f"{float(mc['concentration']):g} x w), seed {mc['seed']}: verdict flips "
                        f"{pct(mc['flip_probability'], '.1%')}, grade changes "
                        f"{pct(mc['grade_change_probability'], '.1%')}"
                        + (f" ({shares})" if shares else "") + "."))
    if x.get("notes"):
        out.append(Items(tuple(f"note: {n}" for n in x["notes"])))
    return out
