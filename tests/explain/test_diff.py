"""``threshold diff``: every change of verdict, grade and score attributed to its cause."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from helpers import EXAMPLES, REPO, graded_examples

from threshold_core import Engine, build_config
from threshold_core.explain import Evaluation, diff_decisions, diff_many

ZHIPU = EXAMPLES / "companies" / "zhipu.toml"
WEIGHT = "regulatory_readiness"


@pytest.fixture
def heavier(tmp_path: Path) -> Path:
    path = tmp_path / "heavier.toml"
    path.write_text(f"[dimensions.{WEIGHT}]\nweight = 2\n", encoding="utf-8")
    return path


def test_a_changed_weight_is_named_as_the_cause(run_cli, heavier: Path) -> None:
    result = run_cli("diff", str(ZHIPU), "--config-b", str(heavier), "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    (d,) = data["diffs"]
    assert data["summary"]["compared"] == 1
    score_causes = [c for c in d["causes"] if c["points"] is not None]
    assert score_causes[0]["kind"] == "weight" and score_causes[0]["subject"] == WEIGHT
    assert "configured weight 1 -> 2" in score_causes[0]["detail"]
    assert score_causes[0]["points"] == pytest.approx(d["score_delta"], abs=1e-3)
    assert {"kind": "setting", "subject": f"dimensions.{WEIGHT}.weight", "detail": "1 -> 2",
            "points": None} in d["causes"]
    assert any(c["kind"] == "config" and "configuration changed" in c["detail"]
               for c in d["causes"])
    assert not any(c["kind"] in ("input", "plugin") for c in d["causes"])
    text = run_cli("diff", str(ZHIPU), "--config-b", str(heavier))
    assert f"weight    {WEIGHT}: configured weight 1 -> 2" in text.stdout


def test_the_midpoint_split_is_exact(heavier: Path) -> None:
    a = Engine(build_config({"plugins": {"autoload": False}}))
    b = Engine(build_config({"plugins": {"autoload": False},
                             "dimensions": {WEIGHT: {"weight": 3}, "institutional_backing":
                                            {"weight": 0.5}},
                             "policy": {"high_cap": 40.0}}))
    for path in sorted((EXAMPLES / "companies").glob("*.toml")):
        da, db = a.evaluate_path(path), b.evaluate_path(path)
        d = diff_decisions(Evaluation(da, "a", a.config), Evaluation(db, "b", b.config))
        for c in d.dimensions:
            # Each effect is reported to 6 decimals: their sum may differ by two roundings.
            assert c.weight_effect + c.score_effect == pytest.approx(c.contribution_delta,
                                                                     abs=2e-6)
            assert c.scorer_effect + c.adjustment_effect == pytest.approx(c.score_effect,
                                                                          abs=1e-6)
        if d.score_delta is not None:
            total = sum(c.contribution_delta for c in d.dimensions)
            assert total + (d.residual or 0) == pytest.approx(d.score_delta, abs=1e-4)
            assert abs(d.residual or 0) < 1e-3  # only the composite's rounding
            attributed = sum(c.points or 0 for c in d.causes)
            assert attributed == pytest.approx(d.score_delta, abs=2e-3)
        keys = {c.subject for c in d.causes if c.kind == "setting"}
        assert keys == {f"dimensions.{WEIGHT}.weight", "dimensions.institutional_backing.weight",
                        "policy.high_cap"}


def test_profile_snapshots_attribute_to_the_scorer_and_the_input(run_cli,
                                                                 tmp_path: Path) -> None:
    # The shipped example discloses no NDR; the graded copy has a fixture one to move.
    text = (graded_examples() / "zhipu.toml").read_text(encoding="utf-8")
    match = re.search(r"(?m)^ndr_pct = (\{ ?value = )?([0-9.]+)", text)
    assert match, "zhipu.toml states ndr_pct"
    before, after = tmp_path / "before.toml", tmp_path / "after.toml"
    before.write_text(text, encoding="utf-8")
    lower = float(match.group(2)) - 15
    after.write_text(text[:match.start(2)] + f"{lower:g}" + text[match.end(2):], encoding="utf-8")
    result = run_cli("diff", str(before), str(after), "--format", "json")
    assert result.returncode == 0, result.stderr
    (d,) = json.loads(result.stdout)["diffs"]
    assert d["score_delta"] < 0
    top = next(c for c in d["causes"] if c["points"] is not None)
    assert (top["kind"], top["subject"]) == ("scorer", "application_stickiness")
    assert "ndr: raw" in top["detail"]
    assert any(c["kind"] == "profile" and "customers.ndr_pct" in c["subject"] for c in d["causes"])
    assert any(c["kind"] == "input" and "profile changed" in c["detail"] for c in d["causes"])
    assert not any(c["kind"] == "config" for c in d["causes"])


def test_saved_decisions_findings_and_plugin_versions(run_cli, tmp_path: Path) -> None:
    saved = tmp_path / "zhipu.json"
    assert run_cli("evaluate", str(ZHIPU), "--format", "json", "-o", str(saved)).returncode == 0
    data = json.loads(saved.read_text(encoding="utf-8"))
    fired = next(f for f in data["findings"] if f["effect"] in ("cap", "deduction"))
    cfg = tmp_path / "quiet.toml"
    cfg.write_text(f'[rules]\ndisable = ["{fired["rule"]}"]\n', encoding="utf-8")
    # A saved decision against a fresh evaluation with the rule switched off.
    result = run_cli("diff", str(saved), str(ZHIPU), "--config-b", str(cfg), "--format", "json")
    assert result.returncode == 0, result.stderr
    (d,) = json.loads(result.stdout)["diffs"]
    assert d["a"].endswith("(saved decision)")
    cleared = [c for c in d["causes"] if c["kind"] == "finding"]
    assert cleared and cleared[0]["subject"] == fired["rule"]
    assert cleared[0]["detail"].startswith("cleared")
    # Two saved decisions whose receipts name another plugin version.
    other = tmp_path / "other.json"
    plugin = data["receipt"]["plugins"][0]
    plugin["version"] = "9.9.9"
    other.write_text(json.dumps(data), encoding="utf-8")
    result = run_cli("diff", str(saved), str(other))
    assert result.returncode == 0, result.stderr
    assert f"plugin    {plugin['name']}: plugin " in result.stdout
    assert "-> 9.9.9" in result.stdout


def test_a_portfolio_diff_pairs_companies_and_counts_flips(run_cli, tmp_path: Path) -> None:
    strict = tmp_path / "strict.toml"
    strict.write_text("[gate]\nline_cny = 1e13\n", encoding="utf-8")
    folder = EXAMPLES / "companies"
    result = run_cli("diff", str(folder), "--config-b", str(strict), "--format", "json",
                     "--fail-on-flip")
    data = json.loads(result.stdout)
    n = len(list(folder.glob("*.toml")))
    assert data["summary"]["compared"] == n
    flipped = [d for d in data["diffs"] if d["verdict_a"] != d["verdict_b"]]
    assert flipped and data["summary"]["verdict_changed"] == len(flipped)
    assert result.returncode == 1  # --fail-on-flip
    for d in flipped:
        assert d["verdict_b"] == "not_qualified"
        assert "decided by" in d["verdict_reasons"][0] and "-> gate" in d["verdict_reasons"][0]
    text = run_cli("diff", str(folder), "--config-b", str(strict))
    assert text.returncode == 0
    assert text.stdout.startswith(f"{len(flipped)} of {n} companies changed verdict")


def test_identical_evaluations_have_no_difference(run_cli) -> None:
    result = run_cli("diff", str(ZHIPU))
    assert result.returncode == 0 and "no difference" in result.stdout
    engine = Engine()
    d = engine.evaluate_path(ZHIPU)
    same = diff_many([Evaluation(d, "a")], [Evaluation(d, "b")])
    assert not same.diffs[0].changed and not same.flipped


def test_diff_and_verify_are_documented() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for row in ("| `threshold diff A [B]", "| `threshold verify DECISION PROFILE",
                "text\\|json\\|markdown\\|html"):
        assert row in readme


def test_a_score_a_hair_below_a_cut_off_is_not_shown_on_it_in_the_reasons() -> None:
    """"the score moved 74.996 -> 75.004, from grade Q3 to Q2" never reads "75.00 -> 75.00"
    (nor 75.004 as "75.00", onto the cut-off): the reasons show each score on its side of
    every grade cut-off and off it."""
    from attrs import evolve

    engine = Engine()
    base = engine.evaluate_path(graded_examples() / "minimax.toml")
    assert base.score is not None
    a = evolve(base, score=74.996, grade="Q3", verdict="watch", determining=())
    b = evolve(base, score=75.004, grade="Q2", verdict="qualified", determining=())
    d = diff_decisions(Evaluation(a, "a", engine.config), Evaluation(b, "b", engine.config))
    moved = [r for r in d.verdict_reasons if r.startswith("the score moved")]
    assert moved and moved[0].startswith("the score moved 74.996 -> 75.004, from grade Q3 to Q2")
