"""Reports people read: plain text for the terminal and Markdown for memos.

Both are written from the same blocks (:func:`threshold_core.reports.blocks`, built
from the decision JSON), and so is the body of the HTML page: the verdict
line, the gate and the headroom, the run (configuration file and sha256,
engine and plugin versions, evaluation date), the dimensions with each
metric's evidence and source, the findings with rule title and source, the
rules not evaluated for lack of data, the determining factors, the
explanation when one is attached (distance, margin, robustness) and a trace
summary.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..load import decision_data
from ..model import Decision, Explanation, is_assumed
from ._document import (
    DEFAULT,
    Options,
    blocks,
    explain_blocks,
    headroom_lines,
    score_text,
)
from ._document import (
    gate_line as _gate_line,
)
from ._document import (
    verdict_line as _verdict_line,
)
from ._render import (
    md_escape,
    text_table,
    to_markdown,
    to_text,
)

Style = Callable[..., str]

#: A plain table (kept under its old name for the commands that print tables).
_table = text_table
_md_escape = md_escape


def _plain(text: str, **_: object) -> str:
    return text


def gate_line(decision: Decision, options: Options = DEFAULT) -> str:
    return _gate_line(decision_data(decision), options)


def headroom_line(decision: Decision) -> str:
    """The cushion above the line and the risk of falling below it, in one line."""
    return ". ".join(headroom_lines(decision_data(decision)))


def verdict_line(decision: Decision, style: Style = _plain) -> str:
    return _verdict_line(decision_data(decision), style if style is not _plain else None)


def render_text(decision: Decision, style: Style = _plain, options: Options = DEFAULT) -> str:
    """The full text report for one decision."""
    data = decision_data(decision)
    text = to_text(blocks(data, options), style)
    if style is not _plain:
        plain_line = _verdict_line(data, None, options.cutoffs)
        text = text.replace(plain_line, _verdict_line(data, style, options.cutoffs), 1)
    return text


def explain_text(x: Explanation, style: Style = _plain) -> list[str]:
    """The explanation as report lines: distance, margin, robustness."""
    from ..load import converter

    return to_text(explain_blocks(converter().unstructure(x)), style).splitlines()


def render_summary(decisions: Sequence[Decision], style: Style = _plain,
                   cutoffs: Sequence[float] = ()) -> str:
    """One line per company."""
    explained = any(d.explain is not None for d in decisions)
    rows = [
        [d.company.id, d.company.name, str(d.verdict), str(d.risk), d.grade or "-",
         score_text(d.score, 1, cutoffs), *_fired_and_assumed(d)]
        + ([d.explain.robustness.label if d.explain else "-"] if explained else [])
        for d in decisions
    ]
    lines = text_table(["id", "company", "verdict", "risk", "grade", "score", "findings",
                        "assumed"] + (["robustness"] if explained else []), rows,
                       right={5, 6, 7})
    return "\n".join(lines) + "\n"


def _fired_and_assumed(d: Decision) -> list[str]:
    """The counts of findings rules fired and of assumed ones (rules that lacked data,
    counted at their most severe until researched), as two cells: never added together."""
    assumed = sum(1 for f in d.findings if is_assumed(f))
    return [str(len(d.findings) - assumed), str(assumed)]


def render_texts(decisions: Sequence[Decision], style: Style = _plain,
                 options: Options = DEFAULT) -> str:
    if len(decisions) == 1:
        return render_text(decisions[0], style, options)
    parts = [style("Summary", bold=True) + "\n"
             + render_summary(decisions, style, options.cutoffs)]
    parts += [render_text(d, style, options) for d in decisions]
    return ("\n" + "=" * 72 + "\n\n").join(parts)


def render_markdown(decision: Decision, options: Options = DEFAULT) -> str:
    """A Markdown section fit to paste into an investment memo."""
    d = decision
    title = f"{d.company.name}: {str(d.verdict).replace('_', ' ')}"
    return to_markdown(blocks(decision_data(d), options), title)


def render_markdowns(decisions: Sequence[Decision], options: Options = DEFAULT) -> str:
    if len(decisions) == 1:
        return render_markdown(decisions[0], options)
    head = [
        "# Qualification screen", "",
        "| Company | Verdict | Risk | Grade | Score |", "|---|---|---|---|---:|",
        *(f"| {md_escape(d.company.name)} | {d.verdict} | {d.risk} | {d.grade or '-'} | "
          f"{score_text(d.score, 1, options.cutoffs)} |" for d in decisions),
        "",
    ]
    return "\n".join(head) + "\n" + "\n".join(render_markdown(d, options) for d in decisions)
