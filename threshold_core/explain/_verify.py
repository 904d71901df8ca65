"""Replaying a saved decision: is it reproduced, and if not, why (``threshold verify``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..load import decision_to_dict
from ..model import Decision
from ._causes import _receipt_causes, flatten
from ._margin import explain, with_explanation

if TYPE_CHECKING:
    from ..engine import Engine

#: Fields left out when a decision is compared with its replay: wall times, and where the
#: profile and the configuration were read from (the same file may be named by another
#: path; their content is compared through the receipt's hashes).
NOT_COMPARED = ("duration_ms", "source_path", "config_source")


def _comparable(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _comparable(v) for k, v in data.items() if k not in NOT_COMPARED}
    if isinstance(data, list):
        return [_comparable(v) for v in data]
    return data


def verify_decision(saved: Decision, engine: Engine, profile_path: Path) -> dict[str, Any]:
    """Re-evaluate ``profile_path`` and compare with ``saved``: the verify report as data."""
    profile = engine.load_profile(profile_path)
    now = engine.evaluate(profile, source_path=str(profile_path))
    if saved.explain is not None:
        now = with_explanation(now, explain(now, engine))
    recorded_data = _comparable(decision_to_dict(saved))
    now_data = _comparable(decision_to_dict(now))
    reproduced = recorded_data == now_data
    fr, fn = flatten(recorded_data), flatten(now_data)
    differences = [{"path": k, "recorded": fr.get(k), "now": fn.get(k)}
                   for k in sorted(set(fr) | set(fn)) if fr.get(k) != fn.get(k)]
    causes = [{"kind": c.kind, "subject": c.subject, "detail": c.detail}
              for c in _receipt_causes(saved, now)]
    if saved.company.id != now.company.id:
        causes.insert(0, {"kind": "company", "subject": "company.id",
                          "detail": f"another company: {saved.company.id} -> {now.company.id}"})
    if not reproduced and not causes:
        causes.append({"kind": "unexplained", "subject": "receipt",
                       "detail": "the receipt matches but the result differs: a plugin changed "
                       "without a new version, or is not deterministic"})

    def brief(d: Any) -> dict[str, Any]:
        return {"verdict": str(d.verdict), "grade": d.grade, "score": d.score,
                "input_sha256": d.receipt.input_sha256,
                "config_sha256": d.receipt.config_sha256,
                "engine_version": d.receipt.engine_version,
                "plugins": {p.name: p.version for p in d.receipt.plugins}}

    return {"reproduced": reproduced, "company": saved.company.id,
            "recorded": brief(saved), "now": brief(now), "causes": causes,
            "differences": differences}
