"""Parity across formats: text, Markdown and HTML show the same fields of a decision.

Every string in the decision JSON (names, verdicts, messages, rule titles and
sources, missing fields, determining factors, the explanation, the trace's
plugins and components, the configuration used) is either shown by all three
formats or by none. A field that one format shows and another leaves out fails
the test, naming the field and the formats.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from helpers import EXAMPLES

COMPANIES = EXAMPLES / "companies"
FORMATS = ("text", "markdown", "html")

#: Keys whose values are plumbing, not report content: paths a component read, the raw
#: values a rule looked at, scorer contributions repeated elsewhere, machine-only fields.
SKIP = {"read", "inputs", "contributed", "evidence_values", "schema_version", "plugin_dirs",
        "duration_ms"}


def normalise(text: str, fmt: str) -> str:
    if fmt == "html":
        text = re.sub(r"<style>.*?</style>", " ", text, flags=re.S)
        text = re.sub(r"<title>.*?</title>", " ", text, flags=re.S)  # tooltips do not count
        text = re.sub(r"</?(a|b|small|span)\b[^>]*>", "", text)  # inline: no word break
        text = unescape(re.sub(r"<[^>]+>", " ", text))
    if fmt == "markdown":
        text = text.replace("\\|", "|").replace("**", "").replace("`", "")
    return " ".join(text.replace("_", " ").split()).casefold()


def strings(data: Any, path: str = "$") -> Iterator[tuple[str, str]]:
    """``(json path, value)`` for every string leaf worth showing."""
    if isinstance(data, dict):
        for k, v in data.items():
            if k in SKIP or (k == "evidence" and isinstance(v, dict)):
                continue
            yield from strings(v, f"{path}.{k}")
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from strings(v, f"{path}[{i}]")
    elif isinstance(data, str) and data.strip():
        yield path, data


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from click.testing import CliRunner

    from threshold_core.cli import cli

    runner = CliRunner()
    out: dict[str, Any] = {}
    for fmt in (*FORMATS, "json"):
        result = runner.invoke(cli, ["evaluate", str(COMPANIES), "--format", fmt])
        assert result.exit_code == 0, result.output
        out[fmt] = result.stdout
    out["json"] = json.loads(out["json"])
    return out


def test_every_field_is_shown_by_every_format_or_by_none(reports: dict[str, Any]) -> None:
    shown = {fmt: normalise(reports[fmt], fmt) for fmt in FORMATS}
    disagree = []
    for path, value in strings(reports["json"]):
        needle = normalise(value, "text")
        where = [fmt for fmt in FORMATS if needle in shown[fmt]]
        if where and len(where) != len(FORMATS):
            disagree.append(f"{path} = {value[:60]!r}: only in {', '.join(where)}")
    assert not disagree, f"{len(disagree)} fields differ:\n" + "\n".join(disagree[:40])


def test_what_every_report_must_show(reports: dict[str, Any]) -> None:
    """The committee's list: verdict, risk, evidence with sources, findings with title and
    source, rules not evaluated with the fields they lacked, what decided it, distance,
    robustness, the trace, and the configuration used."""
    shown = {fmt: normalise(reports[fmt], fmt) for fmt in FORMATS}
    for d in reports["json"]:
        must = [d["company"]["name"], f"risk {d['risk']}", d["verdict"]]
        for dim in d["dimensions"]:
            must.append(dim["name"])
            for m in dim["evidence"]:
                must += [m["metric"]] + ([m["source"]] if m.get("source") else [])
        for f in d["findings"]:
            # An assumed finding (the rule lacked data) is listed by id with the rules not
            # evaluated, with what it was counted as.
            must += ([f["rule"]] if f["evidence"].get("assumed")
                     else [f["rule"], f["title"], f["source"] or ""])
        for e in d["trace"]:
            must += [e["plugin"], e["component"]]
            for o in e.get("rules", ()):
                if o["status"] == "not_evaluated":
                    must += [o["rule"], *o["missing"]]
        must += [f["detail"] for f in d["determining"]]
        must += [d["explain"]["distance"]["meaning"], d["explain"]["robustness"]["label"]]
        must += [d["receipt"]["config_sha256"][:12], d["receipt"].get("config_source", "")]
        if "headroom" in d:
            must.append("headroom")
        for fmt in FORMATS:
            missing = [m for m in must if m and normalise(m, "text") not in shown[fmt]]
            assert not missing, f"{fmt} report of {d['company']['id']} lacks {missing[:10]}"


def test_markdown_escapes_pipes_in_names(tmp_path: Path, run_cli) -> None:
    profile = tmp_path / "pipe.toml"
    text = (COMPANIES / "zhipu.toml").read_text(encoding="utf-8")
    profile.write_text(text.replace('name = "Zhipu AI"', 'name = "Zhipu | AI"', 1),
                       encoding="utf-8")
    result = run_cli("evaluate", str(profile), str(COMPANIES / "minimax.toml"),
                     "--format", "markdown")
    assert result.returncode == 0, result.stderr
    assert "Zhipu | AI" not in result.stdout
    assert result.stdout.count("Zhipu \\| AI") >= 3  # summary row, heading, verdict line
    # Every row of a table has as many cells as its header.
    width = None
    for line in result.stdout.splitlines():
        if not line.startswith("|"):
            width = None
            continue
        cells = len(re.split(r"(?<!\\)\|", line))
        width = width or cells
        assert cells == width, line
