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
        "pyproject.toml", "src/threshold_global_reach/__init__.py", "threshold.toml",
        "acme.toml", "tests/test_threshold_global_reach.py"]
    assert ("text", None) in kinds and sum(k == "sh" for k, _ in kinds) == 3


def test_following_the_guide_end_to_end(tmp_path: Path) -> None:
    project = tmp_path / "threshold-global-reach"
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
    assert "global_reach 0.1.0 [entry_point] threshold-global-reach" in install
    assert "global_reach" in evaluate
    assert re.search(r"\b3 passed\b", pytest_run), pytest_run

    decision = json.loads((project / "decision.json").read_text(encoding="utf-8"))
    dims = {d["name"]: d for d in decision["dimensions"]}
    reach = dims["global_reach"]
    assert (reach["plugin"], reach["configured_weight"], reach["weight"]) == (
        "global_reach", 1.0, 0.2)
    # The band override in threshold.toml puts 30% overseas revenue at 85 points, and
    # 400 enterprise customers give 50 + 50 * 300 / 900 points: weighted 2:1.
    points = {m["metric"]: m["points"] for m in reach["evidence"]}
    assert points["overseas_revenue"] == 85.0
    assert reach["raw_score"] == round((2 * 85 + points["enterprise_customers"]) / 3, 4)
    assert decision["verdict"] == "insufficient_data"  # as the guide says
