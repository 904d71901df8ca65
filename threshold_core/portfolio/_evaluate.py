"""Evaluating one record: parse, validate, evaluate, serialise (runs in workers).

Everything here is a pure function of the record, the configuration and the
plugin set, so a record gives the same line in any process or on any machine.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Mapping
from typing import Any

from attrs import frozen

from ..errors import InputError, Problem
from ..load import Warmup, decision_line_utf8, profile_from_line
from ..model import CompanyProfile, EngineConfig, format_against, is_assumed
from ._records import Record, csv_row_to_document, parse_json_line

#: CSV output columns, in order (dimension scores follow, one column each).
CSV_COLUMNS = ("id", "name", "verdict", "risk", "grade", "score", "gate_passed",
               "valuation_cny", "findings", "determining")
#: With ``--explain``, after the dimension columns: the explanation's summary (the full
#: explanation is JSONL's ``explain``). The next better verdict, the composite points
#: short of it once the blockers are cleared, the blockers (``kind:subject``), the margin
#: to the next worse verdict in composite points, and the robustness label.
EXPLAIN_COLUMNS = ("next_verdict", "gap", "blockers", "margin", "robustness")


@frozen
class Outcome:
    """What evaluating one record gave (sent back from workers)."""

    row: int
    label: str
    company_id: str | None = None
    #: The output line(s), already serialised (UTF-8).
    line: bytes | None = None
    verdict: str | None = None
    findings: tuple[str, ...] = ()
    #: Error lines (``label: $.path: message``).
    errors: tuple[str, ...] = ()
    plugin_error: bool = False
    #: Lines for stderr about a decision written all the same (one not explained).
    notices: tuple[str, ...] = ()
    #: Where the record's id stands (:meth:`Record.place`), for a repeated id's line.
    place: str = ""



#: JSON lines a process reads the usual way before it makes the native decoder (msgspec
#: imported, its structs and functions built: about 15 ms, 10 with the command's code
#: cache), about where the 40-60 us it saves a line have paid for it: a short batch never
#: pays for it, a long one hardly notices the lines it waited.
NATIVE_AFTER = 200
_LINES = Warmup()

_ENGINE: Any = None
_FORMAT = "jsonl"
_EXPLAIN = False
#: What this process's engine was built from (the objects themselves), and by which process.
_BUILT_FROM: tuple[Any, ...] = ()


def init_worker(config: EngineConfig, options: dict[str, Any], fmt: str,
                explain: bool = False) -> None:
    """Build this process's engine (plugins loaded afresh)."""
    global _ENGINE, _FORMAT, _EXPLAIN, _BUILT_FROM
    from ..engine import Engine, create_plugin_manager

    _ENGINE = Engine(config, create_plugin_manager(config, **options))
    _FORMAT = fmt
    _EXPLAIN = explain
    _BUILT_FROM = (config, options, os.getpid())


def init_forked_worker(config: EngineConfig, options: dict[str, Any], fmt: str,
                       explain: bool = False) -> None:
    """A worker process's :func:`init_worker`: a worker forked from the process that
    built its engine for these very objects keeps the copy it inherited (the same
    plugins, loaded once), instead of loading them again."""
    global _FORMAT, _EXPLAIN
    if (_ENGINE is not None and len(_BUILT_FROM) == 3
            and _BUILT_FROM[0] is config and _BUILT_FROM[1] is options
            and _BUILT_FROM[2] != os.getpid()):
        _FORMAT, _EXPLAIN = fmt, explain
        return
    init_worker(config, options, fmt, explain)


def current_engine() -> Any:
    """The engine :func:`init_worker` built in this process."""
    return _ENGINE


def evaluate_record(record: Record) -> Outcome:
    """Evaluate one record with the engine :func:`init_worker` built in this process."""
    return evaluate_with(_ENGINE, _FORMAT, record, _EXPLAIN)


def evaluate_with(engine: Any, fmt: str, record: Record, explain: bool = False) -> Outcome:
    """Evaluate one record with ``engine``, writing its line in format ``fmt`` (with the
    decision's explanation when ``explain``)."""
    problems: list[Problem] = [] if record.problem is None else [record.problem]
    document: Mapping[str, Any] | None = None
    profile = None
    if problems:
        pass
    elif record.text is not None:
        profile = native_profile(record.text)
        if profile is None:
            document, problems = parse_json_line(record.text, record.label)
    elif record.cells is not None:
        document, problems = csv_row_to_document(record.cells,
                                                 engine.extension_types.types)
        if problems:  # what the other cells hold wrong too, so that none is hidden
            problems = _beside_cells(engine, record, document, problems)
    if problems:  # an invalid record claims its id all the same, when it has one
        return Outcome(record.row, record.label, company_id=_given_id(document),
                       errors=record.problem_lines(problems), place=record.place())
    try:
        if record.path is not None:
            profile = engine.load_profile(record.path)
        elif profile is not None:
            engine.check_profile(profile, record.label)
        else:
            profile = engine.profile_from_data(document, record.label)
        decision = engine.evaluate(profile, source_path=record.path)
    except InputError as exc:
        if record.cells is not None:
            exc = InputError(exc.source, _in_row_order(record, exc.problems))
        lines = record.problem_lines(exc.problems) if record.sheet else tuple(exc.lines())
        given = profile.id if profile is not None else _given_id(document)
        return Outcome(record.row, record.label, company_id=given, errors=lines,
                       place=record.place())
    notices: tuple[str, ...] = ()
    if explain:
        decision, notices = explained(decision, engine)
    line = format_decision(decision, fmt, explain, engine.config.policy)
    return Outcome(
        record.row, record.label, company_id=decision.company.id, line=line,
        verdict=str(decision.verdict), findings=tuple(f.rule for f in decision.findings),
        plugin_error=str(decision.verdict) == "error", notices=notices, place=record.place(),
    )


def _beside_cells(engine: Any, record: Record, document: Mapping[str, Any],
                  problems: list[Problem]) -> list[Problem]:
    """A row's cells that did not convert (``problems``) and every problem of the profile the
    other cells make, in the row's column order (:func:`_in_row_order`): a cell left out
    for its problem is neither missing nor a reason for a check of its table or the whole
    profile, so a problem at its path, under it or above it is left to the fix."""
    try:
        engine.profile_from_data(document, record.label)
    except InputError as exc:
        cells = [q.path for q in problems]
        problems = [*problems, *(q for q in exc.problems if q.path != "$" and not any(
            _related(q.path, c) for c in cells))]
    return _in_row_order(record, problems)


def _related(path: str, other: str) -> bool:
    """Whether one of two paths is the other or inside it."""
    return path == other or path.startswith((other + ".", other + "[")) \
        or other.startswith((path + ".", path + "["))


def _in_row_order(record: Record, problems: Iterable[Problem]) -> list[Problem]:
    """A CSV or xlsx row's problems in the order of its columns (a stable sort): a problem
    at a column's path, inside it (an item of a JSON cell) or above it (a figure's
    ``value`` column) with that column; one no column names (a required key missing)
    after its table's columns, or last."""
    columns = ["$." + c.strip() for c in record.cells or () if c is not None]

    def place(q: Problem) -> tuple[int, int]:
        for i, c in enumerate(columns):
            if _related(q.path, c):
                return i, 0
        table = q.path[:max(q.path.rfind("."), q.path.rfind("["))]
        near = [i for i, c in enumerate(columns) if c.startswith((table + ".", table + "["))]
        return (max(near), 1) if near else (len(columns), 0)

    return sorted(problems, key=place)


def _given_id(document: Mapping[str, Any] | None) -> str | None:
    """The ``id`` an invalid profile document gives (a string), if any."""
    given = None if document is None else document.get("id")
    return given if isinstance(given, str) else None


def native_profile(text: str) -> CompanyProfile | None:
    """The profile of a JSON line decoded natively (:func:`~threshold_core.load.
    profile_from_line`), or None: the line is parsed and structured the usual way (the
    first lines of a process, and any line the native decoder leaves to it)."""
    return profile_from_line(text) if _LINES.due("line", NATIVE_AFTER) else None


def explained(decision: Any, engine: Any) -> tuple[Any, tuple[str, ...]]:
    """The decision with its explanation, as ``threshold evaluate`` gives it; one that
    cannot be explained is kept without, and the line saying why is returned."""
    from ..explain import explain, with_explanation

    try:
        return with_explanation(decision, explain(decision, engine, made_here=True)), ()
    except Exception as exc:
        return decision, (f"threshold: {decision.company.id}: no explanation "
                          f"({type(exc).__name__}: {exc})",)


def format_decision(decision: Any, fmt: str, explain: bool = False,
                    policy: Any = None) -> bytes:
    """The decision's output line in format ``fmt``, UTF-8 (a CSV row carries the
    explanation's summary columns when ``explain``). With the ``policy`` the scores were
    decided under, a score is shown with the digits that keep it on its side of the grade
    cut-offs (the composite) or of its dimension's floor."""
    if fmt == "jsonl":
        return decision_line_utf8(decision)
    cuts = () if policy is None else tuple(b.min_score for b in policy.grades)

    def floor(name: str) -> tuple[float, ...]:
        return () if policy is None else (policy.floor_for(name),)

    row = [
        decision.company.id, decision.company.name, str(decision.verdict), str(decision.risk),
        decision.grade or "",
        "" if decision.score is None else format_against(decision.score, cuts, 4, False),
        str(decision.gate.passed).lower(),
        "" if decision.gate.valuation_cny is None else _cny(decision.gate),
        # an assumed finding (its rule lacked data) is marked: RULE:severity:assumed
        ";".join(f"{f.rule}:{f.severity}:assumed" if is_assumed(f) else f"{f.rule}:{f.severity}"
                 for f in decision.findings),
        ";".join(str(f.kind) for f in decision.determining),
        # a left-out optional dimension does not count: its partial score is not a column
        *("" if d.score is None or d.left_out
          else format_against(d.score, floor(d.name), 4, False) for d in decision.dimensions),
    ]
    if explain:
        row += _explain_cells(decision.explain)
    return csv_line(row).encode("utf-8")


def _cny(gate: Any) -> str:
    """The valuation in whole CNY, or with the decimals that keep it off 0 and, when the
    gate compared it (no haircut), off the line and on its side: never "4000000000" for a
    failed gate, nor "0" for 1e-300."""
    if gate.haircut or gate.passed is None:
        return format_against(gate.valuation_cny, (), 0, grouping=False)
    return format_against(gate.valuation_cny, (gate.line_cny,), 0, grouping=False)


def _explain_cells(x: Any) -> list[str]:
    """The :data:`EXPLAIN_COLUMNS` of an explanation (empty cells without one)."""
    if x is None:
        return [""] * len(EXPLAIN_COLUMNS)
    d, m = x.distance, x.margin
    return [
        "" if d.target is None else str(d.target),
        "" if d.gap is None else f"{d.gap:.4f}",
        ";".join(f"{b.kind}:{b.subject}" for b in d.blockers),
        "" if m is None or m.points is None else f"{m.points:.4f}",
        x.robustness.label,
    ]


def csv_line(cells: Iterable[str]) -> str:
    import io

    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(list(cells))
    return buf.getvalue()
