"""A left-out optional dimension's partial score is in no score column.

The regression: with ``[dimensions.ai_safety_maturity] required = false`` and the
company's coverage below the floor, the dimension was left out of the composite, yet
the batch CSV (and the notebook frame) showed its partial score as if it counted.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from helpers import EXAMPLES

from threshold_core import Engine, load_config
from threshold_core.reports import decisions_frame

DIM = "ai_safety_maturity"
CONFIG = f"[dimensions.{DIM}]\nweight = 1\nrequired = false\ncoverage_floor = 0.99\n"


def _setup(tmp_path: Path) -> Path:
    (tmp_path / "threshold.toml").write_text(CONFIG, encoding="utf-8")
    return tmp_path / "threshold.toml"


def test_the_batch_csv_leaves_the_column_empty(run_cli, tmp_path: Path) -> None:
    config = _setup(tmp_path)
    zhipu = str(EXAMPLES / "companies" / "zhipu.toml")
    decision = json.loads(run_cli("evaluate", zhipu, "--config", str(config),
                                  "--format", "json").stdout)
    (dim,) = [d for d in decision["dimensions"] if d["name"] == DIM]
    assert dim["left_out"] and dim["score"] is not None  # the JSON keeps the partial score
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "zhipu.toml").write_text(Path(zhipu).read_text(encoding="utf-8"),
                                       encoding="utf-8")
    result = run_cli("batch", str(folder), "--config", str(config), "--format", "csv")
    assert result.returncode == 0, result.stderr
    (row,) = list(csv.DictReader(io.StringIO(result.stdout)))
    assert row[DIM] == ""
    assert row["technical_defensibility"] != ""


def test_the_notebook_frame_leaves_it_empty(tmp_path: Path) -> None:
    engine = Engine(load_config(_setup(tmp_path)))
    decision = engine.evaluate_path(EXAMPLES / "companies" / "zhipu.toml")
    frame = decisions_frame([decision])
    assert frame.loc[0, f"score_{DIM}"] is None or frame[f"score_{DIM}"].isna().all()
    # 43.3: its metric without data counts at 0 points (48.3, under CHIP-001's cap of 50),
    # and CHIP-008, assumed high (its services leave ascend_outside_prc out), deducts 5
    assert frame.loc[0, "score_technical_defensibility"] == pytest.approx(43.3182, abs=1e-4)
