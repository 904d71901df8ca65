"""A medium finding's deduction that its pack's maximum leaves at nothing is 0, never -0:
the JSON says ``"amount":0.0``, the text ``0 (pack maximum)`` and the waterfall "0 points
(its pack's maximum deduction reached)". Before, 22 assumed findings past their pack's
15 points showed as ``-0 x22`` and ``"amount":-0.0``."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from helpers import VALUED_PROFILE
from hypothesis import given
from hypothesis import strategies as st

from threshold_core.engine import adjustments_of
from threshold_core.model import Effect, PolicyConfig

PROFILE = VALUED_PROFILE


def test_a_deduction_past_the_packs_maximum_is_0_in_every_output(
        run_cli_process: Any, tmp_path: Path) -> None:
    (tmp_path / "n.toml").write_text(PROFILE, encoding="utf-8")
    out = run_cli_process("evaluate", "n.toml", "--format", "json")
    assert out.returncode in (0, 1), out.stderr
    assert '"amount":-0.0' not in out.stdout.replace(" ", "")
    decision = json.loads(out.stdout)
    zeros = [a for d in decision["dimensions"] for a in d["adjustments"]
             if a["effect"] == "deduction" and a["amount"] == 0]
    assert zeros, "the profile should reach a pack's maximum"
    assert all(math.copysign(1.0, a["amount"]) > 0 for a in zeros)
    text = run_cli_process("evaluate", "n.toml")
    assert "0 (pack maximum)" in text.stdout
    assert "-0 " not in text.stdout and "-0;" not in text.stdout


FINDINGS = st.lists(st.tuples(st.sampled_from(["R1", "R2", "R3"]),
                              st.sampled_from(["p", "q"]),
                              st.sampled_from([Effect.CAP, Effect.DEDUCTION, Effect.BLOCK]),
                              st.booleans()), max_size=12)


@given(FINDINGS, st.sampled_from([0.0, 2.5, 5.0]), st.sampled_from([0.0, 5.0, 15.0, 12.5]))
def test_no_adjustment_is_negative_zero(findings: list[Any], medium: float,
                                        per_pack: float) -> None:
    policy = PolicyConfig(medium_deduction=medium, medium_max_per_pack=per_pack)
    for adj in adjustments_of(findings, policy):
        assert math.copysign(1.0, adj.amount) > 0 or adj.amount < 0, adj
        if adj.effect is Effect.DEDUCTION:
            assert -medium <= adj.amount <= 0
