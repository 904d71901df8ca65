"""docs/first-plugin.md works exactly as written.

Every code block with a ``title="PATH"`` is written to a fresh project folder;
every ``sh`` block is then run there line by line, in order, and a ``text``
block right after an ``sh`` block is output that must appear. The one line we
change is ``pip install -e``: the plugin is installed for real, but into a
folder of its own (``pip install --no-deps --target``) put on ``PYTHONPATH``,
so the test never touches the environment it runs in.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO

GUIDE = (REPO / "docs" / "first-plugin.md").read_text(encoding="utf-8")
BLOCK = re.compile(r'^```(\w+)(?: title="([^"]+)")?\n(.*?)^```$', flags=re.S | re.M)


def blocks() -> list[tuple[str, str | None, str]]:
    return [(m.group(1), m.group(2), m.group(3)) for m in BLOCK.finditer(GUIDE)]


def _env(site: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("THRESHOLD_DISABLE_PLUGIN_AUTOLOAD", "PYTEST_DISABLE_PLUGIN_AUTOLOAD",
                        "PYTEST_ADDOPTS")}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["PYTHONPATH"] = str(site)
    env["NO_COLOR"] = "1"
    return env


def test_the_guide_has_files_commands_and_expected_output() -> None:
    kinds = [(kind, title) for kind, title, _ in blocks()]
    assert [t for _, t in kinds if t] == [
        "pyproject.toml", "src/threshold_inference_economics/__init__.py", "threshold.toml",
        "acme.toml", "tests/test_threshold_inference_economics.py"]
    assert ("text", None) in kinds and sum(k == "sh" for k, _ in kinds) == 3
    assert ("console", None) in kinds


def test_following_the_guide_end_to_end(tmp_path: Path) -> None:
    project = tmp_path / "threshold-inference-economics"
    site = tmp_path / "site"
    found = blocks()
    for _, title, body in found:
        if title:
            path = project / title
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(body, encoding="utf-8")

    outputs: list[str] = []
    for i, (kind, _, body) in enumerate(found):
        if kind != "sh":
            continue
        out = ""
        for line in filter(None, (raw.strip() for raw in body.splitlines())):
            if line.startswith("python -m pip install -e"):
                cmd = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                       "--target", str(site), str(project)]
                result = subprocess.run(cmd, capture_output=True, text=True, timeout=300,
                                        env=_env(site))
            else:
                result = subprocess.run(line, shell=True, cwd=project, capture_output=True,
                                        text=True, timeout=300, env=_env(site))
            assert result.returncode == 0, f"{line!r}:\n{result.stdout}\n{result.stderr}"
            out += result.stdout
        outputs.append(out)
        after = found[i + 1] if i + 1 < len(found) else None
        if after is not None and after[0] == "text":
            for expected in filter(None, after[2].splitlines()):
                assert expected in out.splitlines(), f"{expected!r} not in:\n{out}"

    install, evaluate, pytest_run = outputs
    assert ("inference_economics 0.1.0 [entry_point] threshold-inference-economics"
            in install)
    assert "inference_economics" in evaluate
    assert re.search(r"\b4 passed\b", pytest_run), pytest_run

    decision = json.loads((project / "decision.json").read_text(encoding="utf-8"))
    dims = {d["name"]: d for d in decision["dimensions"]}
    own = dims["inference_economics"]
    assert (own["plugin"], own["configured_weight"], own["weight"], own["required"]) == (
        "inference_economics", 1.0, 0.2, False)
    # The band override in threshold.toml puts 1.25 USD at 100 - 0.75 * 30 = 77.5 points;
    # 40 million downloads give 60 + 40 * 30 / 90 points; weighted 2:1.
    evidence = {m["metric"]: m for m in own["evidence"]}
    assert evidence["price"]["points"] == 77.5
    assert evidence["adoption"]["source"] == "vendor price list, June 2026"
    assert own["raw_score"] == pytest.approx((2 * 77.5 + evidence["adoption"]["points"]) / 3)
    assert decision["verdict"] == "insufficient_data"  # as the guide says
    (event,) = [e for e in decision["trace"] if e["component"] == "inference_economics"]
    assert "extensions.inference_economics.cost_per_mtok_usd" in event["read"]

    # The typing slip the guide shows gives exactly the line it shows.
    (shown,) = [body for kind, _, body in found if kind == "console"]
    acme = (project / "acme.toml").read_text(encoding="utf-8")
    (project / "acme.toml").write_text(acme.replace("= 1.25", '= "cheap"'), encoding="utf-8")
    result = subprocess.run("threshold validate acme.toml", shell=True, cwd=project,
                            capture_output=True, text=True, timeout=300, env=_env(site))
    assert result.returncode == 2
    assert result.stderr == shown
