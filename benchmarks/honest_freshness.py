"""The honest baseline's freshness checks (FRS-001 to FRS-010) over the parsed document
(``benchmarks/honest_rules.py``): each dated section against its default age in calendar
months (the same day that many months later, clamped to the month's end)."""

from __future__ import annotations

from datetime import date
from typing import Any

from honest_common import LOW, MED, NE, PASS, day, months_before

#: rule id, section, date key, months, severity when stale
SECTIONS = (
    ("FRS-001", "customers", "as_of", 12, LOW),
    ("FRS-002", "technology", "as_of", 6, LOW),
    ("FRS-004", "compute", "as_of", 6, LOW),
    ("FRS-005", "export_controls", "checked_on", 3, MED),
    ("FRS-007", "content_labeling", "checked_on", 12, LOW),
    ("FRS-008", "personal_information", "as_of", 12, LOW),
    ("FRS-009", "compliance", "as_of", 12, LOW),
    ("FRS-010", "star_market", "as_of", 6, LOW),
)


def _age(dates: list[Any], months: int, severity: str, as_of: date | None) -> str:
    if not dates:
        return PASS
    known = [day(d) for d in dates if d is not None]
    if known and as_of is None:
        return NE
    if any(as_of is not None and (as_of > months_before(d, -months) or d > as_of)
           for d in known):  # stale, or after the evaluation date
        return severity
    return NE if len(known) < len(dates) else PASS


def freshness_rules(p: dict[str, Any], as_of: date | None, out: dict[str, str]) -> None:
    for rid, section, key, months, severity in SECTIONS:
        body = p.get(section)
        out[rid] = _age([] if body is None else [body.get(key)], months, severity, as_of)
    ev = p.get("evaluations") or {}
    runs = [r.get("as_of") for kind in ("safety", "hallucination", "bias")
            for r in ev.get(kind) or ()]
    out["FRS-003"] = _age(runs, 12, LOW, as_of)
    checks = p.get("registry_checks") or {}
    out["FRS-006"] = _age([c.get("checked_on") for c in checks.values() if c is not None],
                          6, MED, as_of)
