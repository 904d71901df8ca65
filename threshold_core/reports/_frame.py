"""Decisions as a tidy pandas DataFrame, for notebooks.

``pandas`` is an optional extra (``pip install 'threshold[pandas]'``); it is
imported only when :func:`decisions_frame` is called.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ._figures import severity_counts

#: The leading columns, in order; then ``score_<dimension>`` per dimension (sorted) and
#: ``findings_<severity>`` per severity, critical first (the findings rules fired), then
#: ``assumed_<severity>`` for the severities an assumed finding can have (rules that
#: lacked data, counted at their most severe until researched).
COLUMNS = ("id", "name", "verdict", "risk", "grade", "score", "gate_passed", "valuation_cny",
           "robustness", "config_source", "source_path")
#: The severities an assumed finding can have (a rule of severity medium or worse).
ASSUMABLE = ("critical", "high", "medium")


def _data(decision: Any) -> Mapping[str, Any]:
    if isinstance(decision, Mapping):
        return decision
    from ..load import decision_to_dict

    return decision_to_dict(decision)


def decision_row(decision: Any) -> dict[str, Any]:
    """One company's row: verdict, risk, score, per-dimension scores and finding counts."""
    d = _data(decision)
    explain = d.get("explain") or {}
    row: dict[str, Any] = {
        "id": d["company"]["id"],
        "name": d["company"]["name"],
        "verdict": str(d["verdict"]),
        "risk": str(d["risk"]),
        "grade": d.get("grade"),
        "score": d.get("score"),
        "gate_passed": d["gate"].get("passed"),
        "valuation_cny": d["gate"].get("valuation_cny"),
        "robustness": (explain.get("robustness") or {}).get("label"),
        "config_source": d["receipt"].get("config_source"),
        "source_path": d.get("source_path"),
    }
    for dim in sorted(d["dimensions"], key=lambda x: x["name"]):
        # a left-out optional dimension does not count: its partial score is not a column
        row[f"score_{dim['name']}"] = None if dim.get("left_out") else dim.get("score")
    for severity, count in severity_counts(d).items():
        row[f"findings_{severity}"] = count
    for severity, count in severity_counts(d, assumed=True).items():
        if severity in ASSUMABLE:
            row[f"assumed_{severity}"] = count
    return row


def decisions_frame(decisions: Iterable[Any]) -> Any:
    """A tidy :class:`pandas.DataFrame`, one row per company (its id as the index).

    Accepts :class:`~threshold_core.Decision` objects or their JSON
    (``decision_to_dict``, or a decision file read back). Columns: ``id``,
    ``name``, ``verdict``, ``risk``, ``grade``, ``score``, ``gate_passed``,
    ``valuation_cny``, ``robustness``, ``config_source``, ``source_path``, then
    ``score_<dimension>`` for each dimension, ``findings_<severity>`` for
    each severity (the findings rules fired) and ``assumed_<severity>`` for
    critical, high and medium (rules that lacked data, counted at their most
    severe until researched: an assumed finding is not in ``findings_``). A
    dimension one company lacks is missing (NaN) in its row.

    :raises ImportError: pandas is not installed (``pip install 'threshold[pandas]'``).
    :raises InputError: two decisions are of one company id (compared ignoring case and
        width), naming both (their ``source_path``, else ``decisions[i]``).
    """
    try:
        import pandas as pd
    except ImportError as exc:  # pragma: no cover - exercised without the extra only
        raise ImportError("decisions_frame needs pandas: pip install 'threshold[pandas]'") \
            from exc
    rows = [decision_row(d) for d in decisions]
    from ..load import refuse_repeated_ids

    refuse_repeated_ids((r["id"], r["source_path"] or f"decisions[{i}]")
                        for i, r in enumerate(rows))
    dims = sorted({k for r in rows for k in r if k.startswith("score_")})
    sevs = [k for k in (rows[0] if rows else {}) if k.startswith(("findings_", "assumed_"))]
    columns = [*COLUMNS, *dims, *sevs]
    frame = pd.DataFrame(rows, columns=columns)
    for col in ("verdict", "risk"):
        frame[col] = frame[col].astype("category")
    return frame
