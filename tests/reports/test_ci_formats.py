"""Findings for CI: SARIF read back by sarif-tools, JUnit XML by junitparser."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import EXAMPLES
from junitparser import Error, Failure, JUnitXml, Skipped
from sarif import loader

COMPANIES = EXAMPLES / "companies"
LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}


def _decisions(run_cli) -> list[dict]:
    result = run_cli("evaluate", str(COMPANIES), "--format", "json")
    return json.loads(result.stdout)


def test_sarif_lists_every_finding_with_its_file_and_line(run_cli, tmp_path: Path) -> None:
    out = tmp_path / "findings.sarif"
    result = run_cli("evaluate", str(COMPANIES), "--format", "sarif", "--output", str(out))
    assert result.returncode == 0, result.stderr
    sarif = loader.load_sarif_file(str(out))
    assert sarif.get_distinct_tool_names() == ["threshold"]
    decisions = _decisions(run_cli)
    # An assumed finding (its rule lacked data) is an open result of level none, marked.
    expected = sorted(
        (d["source_path"], f["rule"],
         "none" if f["evidence"].get("assumed") else LEVEL[f["severity"]],
         f"{d['company']['name']}: "
         + ("assumed (not evaluated): " if f["evidence"].get("assumed") else "")
         + f"{f['message']}") for d in decisions for f in d["findings"])
    records = sarif.get_records()
    assert sorted((r["Location"], r["Code"], r["Severity"], r["Description"])
                  for r in records) == expected
    # The line is where the profile sets what the finding is about.
    zhipu = (COMPANIES / "zhipu.toml").read_text(encoding="utf-8").splitlines()
    chip001 = next(r for r in records if r["Code"] == "CHIP-001" and "zhipu" in r["Location"])
    assert zhipu[chip001["Line"] - 1].startswith("entity_list")
    data = json.loads(out.read_text(encoding="utf-8"))
    run = data["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert rules["CHIP-001"]["properties"]["severities"] == ["critical", "high"]
    assert rules["CHIP-001"]["helpUri"].startswith("https://")
    logical = {res["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
               for res in run["results"]}
    assert "zhipu:$.export_controls.entity_list" in logical


def test_junit_has_a_suite_per_company_and_a_case_per_rule(run_cli, tmp_path: Path) -> None:
    out = tmp_path / "findings.xml"
    result = run_cli("evaluate", str(COMPANIES), "--format", "junit", "--output", str(out))
    assert result.returncode == 0, result.stderr
    xml = JUnitXml.fromfile(str(out))
    decisions = {d["company"]["id"]: d for d in _decisions(run_cli)}
    suites = {s.name: s for s in xml}
    assert set(suites) == set(decisions)
    for cid, d in decisions.items():
        suite = suites[cid]
        cases = {c.name: c for c in suite if c.name != "verdict"}
        assumed = {f["rule"]: f["severity"] for f in d["findings"] if f["evidence"].get("assumed")}
        outcomes = {o["rule"]: o for e in d["trace"] for o in e.get("rules", ())}
        assert set(cases) == set(outcomes)
        for rule, case in cases.items():
            kinds = [type(r) for r in case.result]
            status = outcomes[rule]["status"]
            if status == "fired":
                assert kinds == [Failure] and case.result[0].type == outcomes[rule]["severity"]
            elif status == "not_evaluated" and rule in assumed:
                # Counted at its most severe until researched: a failure of type assumed.
                assert kinds == [Failure] and case.result[0].type == "assumed"
                assert case.result[0].message.startswith(f"assumed {assumed[rule]} ")
                assert all(m in case.result[0].message for m in outcomes[rule]["missing"])
            elif status == "not_evaluated":
                assert kinds == [Skipped]
                assert all(m in case.result[0].message for m in outcomes[rule]["missing"])
            elif status == "error":
                assert kinds == [Error]
            else:
                assert kinds == []
        verdict = next(c for c in suite if c.name == "verdict")
        assert bool(verdict.result) is (d["verdict"] != "qualified")
        # Every finding fails its case, an assumed one too: the counts agree with SARIF.
        assert suite.failures == len(d["findings"]) + (d["verdict"] != "qualified")
