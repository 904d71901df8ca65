"""The optional star_market pack: off by default, on in the documented configuration."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LISTING_CONFIG = REPO / "examples" / "listing" / "threshold.toml"
PACK_DIR = REPO / "rules" / "listing"


def write_profile(tmp_path: Path, star: str | None) -> Path:
    text = 'id = "issuer"\nname = "Issuer"\nas_of = 2026-06-30\n'
    if star is not None:
        text += "[star_market]\n" + star
    path = tmp_path / "issuer.toml"
    path.write_text(text, encoding="utf-8")
    return path


def evaluate(profile: Path, *args: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "threshold_core", "evaluate", str(profile), "--format", "json",
         "--no-plugin-autoload", *args],
        capture_output=True, text=True, cwd=profile.parent,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def star_outcomes(decision: dict) -> dict[str, str]:
    return {r["rule"]: r["status"] for e in decision["trace"] if e.get("kind") == "rule_pack"
            for r in e.get("rules", []) if r["rule"].startswith("STAR-")}


SHORT = ('expected_market_value = { amount = 3.99e9, currency = "CNY" }\n'
         "product_at_scale = true\n"
         'national_approval_evidence = ["CAC filing"]\n'
         'technology_edge_evidence = ["benchmark"]\nmarket_space_evidence = ["study"]\n'
         "data_ip_compliance = true\n")


def test_off_by_default(tmp_path: Path) -> None:
    decision = evaluate(write_profile(tmp_path, SHORT))
    assert star_outcomes(decision) == {}


def test_on_in_the_documented_configuration(tmp_path: Path) -> None:
    decision = evaluate(write_profile(tmp_path, SHORT), "--config", str(LISTING_CONFIG))
    outcomes = star_outcomes(decision)
    assert outcomes["STAR-001"] == "fired"
    assert {k: v for k, v in outcomes.items() if k != "STAR-001"} == {
        f"STAR-00{i}": "passed" for i in range(2, 7)}
    finding = next(f for f in decision["findings"] if f["rule"] == "STAR-001")
    assert finding["severity"] == "critical"


@pytest.mark.parametrize(("amount", "status"), [("4.0e9", "passed"), ("3.99e9", "fired")])
def test_the_line_is_rmb_4bn(tmp_path: Path, amount: str, status: str) -> None:
    star = SHORT.replace("3.99e9", amount)
    decision = evaluate(write_profile(tmp_path, star), "--rules-dir", str(PACK_DIR))
    assert star_outcomes(decision)["STAR-001"] == status


def test_without_the_section_every_rule_is_not_evaluated(tmp_path: Path) -> None:
    decision = evaluate(write_profile(tmp_path, None), "--config", str(LISTING_CONFIG))
    assert set(star_outcomes(decision).values()) == {"not_evaluated"}


def test_the_pack_passes_its_own_tests() -> None:
    result = subprocess.run([sys.executable, "-m", "threshold_core", "test", str(PACK_DIR)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
