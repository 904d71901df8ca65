"""Where every band, weight and scorer parameter comes from (issue 16): in the decision's
evidence (JSON and text), in ``threshold rules --parameters``, and counted in the README."""

from __future__ import annotations

import json
import re
from pathlib import Path

from helpers import EXAMPLES, REPO

from threshold_core import Engine, build_config
from threshold_core.reports import describe_parameters

ZHIPU = EXAMPLES / "companies" / "zhipu.toml"
BUILTIN_SCORERS = ("application_stickiness", "institutional_backing", "regulatory_readiness",
                   "technical_defensibility")
BASES = ("primary", "secondary", "house policy", "configured", "unsourced")


def _evidence(decision: dict) -> dict[str, dict]:
    return {f"{d['name']}.{m['metric']}": m for d in decision["dimensions"]
            for m in d["evidence"]}


def test_every_metric_reading_in_the_json_names_its_band_source(run_cli) -> None:
    result = run_cli("evaluate", str(ZHIPU), "--format", "json", "--no-plugin-autoload")
    assert result.returncode == 0, result.stderr
    evidence = _evidence(json.loads(result.stdout))
    assert evidence, "no metric readings"
    for key, m in evidence.items():
        assert m["band_source"].split(":")[0] in BASES, key
    assert evidence["technical_defensibility.rnd_spend"]["band_source"] == (
        "house policy: 50 points per tenfold R&D spend")
    assert evidence["technical_defensibility.data_moat"]["band_source"].startswith(
        "secondary: domain-research §6.1")
    # The scorer's trace event carries them too.
    (event,) = [e for e in json.loads(result.stdout)["trace"]
                if e["component"] == "technical_defensibility"]
    assert event["contributed"]["band_sources"]["rnd_spend"] == (
        "house policy: 50 points per tenfold R&D spend")
    # A metric without data still says where its band would come from.
    assert evidence["technical_defensibility.reproduced_benchmarks"]["points"] is None
    assert evidence["technical_defensibility.reproduced_benchmarks"]["band_source"]


def test_the_text_report_shows_the_band_source_of_each_reading(run_cli) -> None:
    result = run_cli("evaluate", str(ZHIPU), "--no-plugin-autoload")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()

    def block(metric: str) -> str:
        at = next(i for i, line in enumerate(lines)
                  if re.match(rf"technical_defensibility\s+{metric}\s", line))
        return "\n".join(lines[at:at + 3])

    assert "; band: house policy: 50 points per tenfold R&D spend" in block("rnd_spend")
    assert "band: secondary: domain-research §6.1" in block("data_moat")
    # A metric without data is not a reading: no band is shown for it.
    assert "band:" not in block("reproduced_benchmarks")


def test_a_band_set_in_the_configuration_is_shown_as_configured(
    run_cli, tmp_path: Path
) -> None:
    config = tmp_path / "threshold.toml"
    config.write_text("[settings.technical_defensibility.bands]\n"
                      "capability_rank = [[0, 0], [50, 100]]\n", encoding="utf-8")
    result = run_cli("evaluate", str(ZHIPU), "--format", "json", "--config", str(config),
                     "--no-plugin-autoload")
    assert result.returncode == 0, result.stderr
    cap = _evidence(json.loads(result.stdout))["technical_defensibility.capability_rank"]
    assert cap["band_source"].startswith("configured: set in the configuration")
    assert "secondary: domain-research §6.1" in cap["band_source"]
    listing = json.loads(run_cli("rules", "--parameters", "--scorer", "technical_defensibility",
                                 "--format", "json", "--config", str(config),
                                 "--no-plugin-autoload").stdout)
    rows = {r["parameter"]: r for r in listing}
    assert rows["bands.capability_rank"]["basis"] == "configured"
    assert rows["bands.capability_rank"]["value"] == "0→0, 50→100"
    assert rows["bands.data_moat"]["basis"] == "secondary"


def test_rules_parameters_lists_every_scorer_parameter_with_its_source(run_cli) -> None:
    result = run_cli("rules", "--parameters", "--format", "json", "--no-plugin-autoload")
    assert result.returncode == 0, result.stderr
    listing = json.loads(result.stdout)
    scorers = [r for r in listing if r["kind"] == "scorer"]
    assert {r["scorer"] for r in scorers} == set(BUILTIN_SCORERS)
    td = {r["parameter"]: r for r in scorers if r["scorer"] == "technical_defensibility"}
    assert td["open_weights_bonus"]["value"] == "0"
    assert td["open_weights_bonus"]["basis"] == "house policy"
    assert td["reproduction_tolerance_pts"]["basis"] == "secondary"
    assert td["bands.rnd_spend"]["value"] == "0.1→0, 1→50, 10→100 on log10"
    assert {"weights.claim_evidence", "bands.claim_evidence", "self_reported_cap"} <= set(td)
    text = run_cli("rules", "--parameters", "--no-plugin-autoload")
    assert text.returncode == 0
    assert re.search(r"technical_defensibility\s+bands\.rnd_spend\s+"
                     r"0\.1→0, 1→50, 10→100 on log10\s+house policy", text.stdout)
    assert re.search(rf"\n{len(listing)} parameters: ", text.stdout)


def test_rules_parameters_with_an_unknown_scorer_is_a_usage_error(run_cli) -> None:
    result = run_cli("rules", "--parameters", "--scorer", "hype", "--no-plugin-autoload")
    assert result.returncode == 2
    assert "no scorer 'hype'" in result.stderr


def test_rules_parameters_in_the_installed_script(run_cli_process) -> None:
    result = run_cli_process("rules", "--parameters", "--scorer", "technical_defensibility",
                             "--format", "json")
    assert result.returncode == 0, result.stderr
    assert {r["scorer"] for r in json.loads(result.stdout)} == {"technical_defensibility"}


def _counts() -> dict[str, int]:
    engine = Engine(build_config({"plugins": {"autoload": False}}))
    out = dict.fromkeys(BASES, 0)
    for r in describe_parameters(engine):
        if r["kind"] == "scorer":
            out[r["basis"]] += 1
    return out


def test_the_readme_counts_of_parameter_sources_are_computed() -> None:
    """README "Where every band comes from" states the counts; they cannot drift."""
    counts = _counts()
    total = sum(counts.values())
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    expected = (f"Of the built-in scorers' {total} parameters (weights, bands and other "
                f"settings), {counts['primary']} cite a primary source, "
                f"{counts['secondary']} a secondary source and {counts['house policy']} are "
                "house policy.")
    assert expected in " ".join(readme.split()), expected


def test_every_built_in_parameter_names_its_basis() -> None:
    engine = Engine(build_config({"plugins": {"autoload": False}}))
    unsourced = [f"{r.get('scorer') or r['pack']}.{r['parameter']}"
                 for r in describe_parameters(engine)
                 if r["basis"] not in ("primary", "secondary", "house policy") or not r["source"]]
    assert unsourced == []
