"""A score whose exact value is 0 is shown and kept as 0, never as the float noise of the
arithmetic that reached it: a dimension's weighted mean is 10.000000000000002 in floats
(exactly 10), two medium deductions of 5 bring it to 1.7763568394002505e-15 (exactly 0).
The policy holds every dimension's score, and the composite, on the exact side of 0 as of
its floor and band edges, so the decision, its text and its JSON say 0.0. Found by a
colleague trying to break the rule that skips the rational arithmetic for a score known to
be exactly 0."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from helpers import ONLY_REGULATORY_READINESS, VALUED_PROFILE

PROFILE = VALUED_PROFILE

CONFIG = ONLY_REGULATORY_READINESS + """\
[policy]
medium_deduction = 5.0
medium_max_per_pack = 5.0
coverage_floor = 0.05
[settings.regulatory_readiness.weights]
filed_models = 0.2
filed_algorithms = 0.7
sector_approvals = 0.0
security_protection = 0.1
pi_audits = 0.0
certifications = 0.0
[rules]
disable = ["CHIP-001", "CHIP-002", "ETH-002", "ETH-010", "FIL-001", "FIL-002", "FIL-005",
           "FIL-009", "FIL-010", "INV-001", "INV-003", "INV-005"]
"""


def test_an_exact_zero_reached_through_float_noise_is_shown_as_zero(
        run_cli_process: Any, tmp_path: Path) -> None:
    (tmp_path / "n.toml").write_text(PROFILE, encoding="utf-8")
    (tmp_path / "c.toml").write_text(CONFIG, encoding="utf-8")
    text = run_cli_process("evaluate", "n.toml", "--config", "c.toml")
    assert "score 0.0/100" in text.stdout, text.stdout + text.stderr
    assert "e-15" not in text.stdout
    out = run_cli_process("evaluate", "n.toml", "--config", "c.toml", "--format", "json")
    decision = json.loads(out.stdout)
    assert decision["score"] == 0.0
    dim = {d["name"]: d for d in decision["dimensions"]}["regulatory_readiness"]
    assert dim["score"] == 0.0 and dim["raw_score"] == 10.000000000000002  # exactly 10
    assert sum(a["amount"] for a in dim["adjustments"] if a["effect"] == "deduction") == -10.0
