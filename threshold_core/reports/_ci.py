"""Findings for CI: SARIF 2.1.0 (code scanning) and JUnit XML (test reports).

A firm can gate a pull request that changes a profile or a rule pack: every
finding becomes a SARIF result (rule id, level from its severity, message, the
profile file and the path inside it, with the line where the TOML or JSON
file has it) or a failed JUnit test case; rules not evaluated for lack of data
are skipped test cases naming the missing fields. Both are written from the
decision JSON, like every other report.

An *assumed* finding (a rule of severity medium or worse that could not be evaluated,
counted at its most severe until researched: ``evidence.assumed``) is marked assumed
in every format, and counted once as a finding in each: a SARIF result of kind
``open`` (the tool could not tell whether it is a problem) with level ``none`` and
``properties.assumed = true``, its message starting "assumed (not evaluated)"; a
failed JUnit test case of type ``assumed`` naming the severity it counts at and the
missing fields; ``RULE:severity:assumed`` in the batch CSV. So a rule's SARIF
results, its JUnit failures and the CSV's findings are the same findings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"

#: SARIF levels of the severities: what blocks is an error, what deducts a warning.
LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note",
         "info": "note"}

_URL = re.compile(r"https?://[^\s;,)]+")


def _assumed(finding: Mapping[str, Any]) -> bool:
    """Whether a finding (as JSON) is assumed: its rule lacked data (see the module)."""
    return (finding.get("evidence") or {}).get("assumed") is True


def _path_of(finding: Mapping[str, Any]) -> str | None:
    """The profile path a finding is about: the first evidence key that names one."""
    for key in (finding.get("evidence") or {}):
        if re.fullmatch(r"[a-z_][a-z0-9_]*(\[\d+\])?(\.[a-z_][a-z0-9_]*(\[\d+\])?)*", key):
            return str(key)
    return None


def _line_of(text: str | None, path: str | None) -> int | None:
    """The 1-based line where a TOML or JSON profile sets ``path`` (best effort)."""
    if not text or not path:
        return None
    parts = [re.sub(r"\[\d+\]$", "", p) for p in path.split(".")]
    lines = text.splitlines()
    # TOML: the deepest table header on the path, then the key below it.
    for depth in range(len(parts), 0, -1):
        header = re.compile(r"^\s*\[\[?\s*" + re.escape(".".join(parts[:depth])) + r"\s*\]\]?")
        for i, line in enumerate(lines):
            if header.match(line):
                key = parts[depth] if depth < len(parts) else None
                if key is not None:
                    for j in range(i + 1, len(lines)):
                        if lines[j].lstrip().startswith("["):
                            break
                        if re.match(r"^\s*" + re.escape(key) + r"\s*=", lines[j]):
                            return j + 1
                return i + 1
    # Top-level TOML key, or a JSON key anywhere.
    for i, line in enumerate(lines):
        if re.match(r"^\s*" + re.escape(parts[0]) + r"\s*=", line) or \
                f'"{parts[-1]}"' in line:
            return i + 1
    return None


def _read(path: str | None) -> str | None:
    if not path:
        return None
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def sarif(decisions: Sequence[Mapping[str, Any]], version: str,
          catalogue: Sequence[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """One SARIF log with one run: every finding of every decision as a result."""
    known = {r["id"]: r for r in catalogue}
    rules: dict[str, dict[str, Any]] = {}
    results = []
    for d in decisions:
        text = _read(d.get("source_path"))
        for f in d["findings"]:
            meta = known.get(f["rule"], {})
            if f["rule"] not in rules:
                source = f.get("source") or meta.get("source") or ""
                url = _URL.search(source)
                rule: dict[str, Any] = {
                    "id": f["rule"],
                    "name": re.sub(r"\W+", "", f["title"].title()) or f["rule"],
                    "shortDescription": {"text": f["title"]},
                    "fullDescription": {"text": meta.get("rationale") or f["title"]},
                    "defaultConfiguration": {"level": LEVEL[meta.get("severity",
                                                                      f["severity"])]},
                    "properties": {"pack": f["pack"], "plugin": f["plugin"],
                                   "severities": meta.get("severities", [f["severity"]]),
                                   "source": source},
                }
                if url:
                    rule["helpUri"] = url.group(0)
                rules[f["rule"]] = rule
            path = _path_of(f)
            location: dict[str, Any] = {}
            if d.get("source_path"):
                physical: dict[str, Any] = {"artifactLocation": {
                    "uri": Path(d["source_path"]).as_posix()}}
                line = _line_of(text, path)
                if line is not None:
                    physical["region"] = {"startLine": line}
                location["physicalLocation"] = physical
            location["logicalLocations"] = [{
                "fullyQualifiedName": f"{d['company']['id']}:$" + (f".{path}" if path else ""),
                "kind": "member"}]
            assumed = _assumed(f)
            result: dict[str, Any] = {
                "ruleId": f["rule"],
                "ruleIndex": list(rules).index(f["rule"]),
                "level": "none" if assumed else LEVEL[f["severity"]],
                "message": {"text": f"{d['company']['name']}: "
                                    + ("assumed (not evaluated): " if assumed else "")
                                    + f["message"]},
                "locations": [location],
                "properties": {"severity": f["severity"], "effect": f["effect"],
                               "company": d["company"]["id"], "verdict": d["verdict"],
                               "dimension": f.get("dimension"), "pack": f["pack"]},
            }
            if assumed:
                result["kind"] = "open"
                result["properties"]["assumed"] = True
            results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "threshold", "version": version,
                                "rules": list(rules.values())}},
            "results": results,
            "invocations": [{"executionSuccessful": all(d["verdict"] != "error"
                                                        for d in decisions)}],
        }],
    }


def junit(decisions: Sequence[Mapping[str, Any]]) -> str:
    """JUnit XML: a test suite per company, a test case per rule evaluated.

    A fired rule is a failure (its type the severity), a rule not evaluated for lack
    of data or disabled is skipped (naming the missing fields), a rule that raised is
    an error; the verdict is a test case of its own, failed unless qualified.
    """
    suites = ET.Element("testsuites", name="threshold")
    for d in decisions:
        cid = d["company"]["id"]
        suite = ET.SubElement(suites, "testsuite", name=cid)
        if d.get("source_path"):
            suite.set("file", d["source_path"])
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        findings = {f["rule"]: f for f in d["findings"]}
        case = ET.SubElement(suite, "testcase", classname=f"{cid}.decision", name="verdict")
        counts["tests"] += 1
        if d["verdict"] != "qualified":
            failure = ET.SubElement(case, "failure", type=str(d["verdict"]),
                                    message=f"{d['company']['name']}: {d['verdict']}, risk "
                                            f"{d['risk']}, score {d.get('score')}")
            failure.text = "\n".join(f"{f['kind']}: {f['detail']}" for f in d["determining"])
            counts["failures"] += 1
        for event in d["trace"]:
            for o in event.get("rules", ()):
                case = ET.SubElement(suite, "testcase", classname=f"{cid}.{event['component']}",
                                     name=o["rule"])
                if d.get("source_path"):
                    case.set("file", d["source_path"])
                counts["tests"] += 1
                status = o["status"]
                if status == "fired":
                    f = findings.get(o["rule"], {})
                    failure = ET.SubElement(case, "failure", type=str(o.get("severity")),
                                            message=o.get("message") or "")
                    failure.text = (f"{f.get('title', '')}\nseverity {o.get('severity')}, "
                                    f"effect {f.get('effect')}\nsource: {f.get('source')}")
                    counts["failures"] += 1
                elif status == "not_evaluated" and _assumed(findings.get(o["rule"], {})):
                    f = findings[o["rule"]]
                    missing = ", ".join(o.get("missing") or ())
                    failure = ET.SubElement(
                        case, "failure", type="assumed",
                        message=f"assumed {f['severity']} (not evaluated: missing {missing})")
                    failure.text = (f"{f.get('title', '')}\nseverity {f['severity']} (assumed), "
                                    f"effect {f.get('effect')}\nsource: {f.get('source')}")
                    counts["failures"] += 1
                elif status in ("not_evaluated", "disabled"):
                    msg = ("not evaluated: missing " + ", ".join(o.get("missing") or ())
                           if status == "not_evaluated" else "disabled in the configuration")
                    ET.SubElement(case, "skipped", message=msg)
                    counts["skipped"] += 1
                elif status == "error":
                    ET.SubElement(case, "error", message=o.get("message") or "error")
                    counts["errors"] += 1
        for key, value in counts.items():
            suite.set(key, str(value))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suites, encoding="unicode") \
        + "\n"
