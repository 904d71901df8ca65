"""``threshold batch --jobs 2``: workers write their own lines; the output, the error lines
and their order, and ``--resume`` are those of one process."""

from __future__ import annotations

import json
import re
from pathlib import Path

from threshold_core.load import resolve_config
from threshold_core.portfolio import run_batch, synthetic_portfolio

TIMINGS = re.compile(r'"duration_ms":\s*[0-9.eE+-]+')
SUMMARY = re.compile(r" in [0-9.]+s \([0-9,]+/s\)")


def _untimed(text: str) -> str:
    return SUMMARY.sub("", TIMINGS.sub('"duration_ms":-', text))


def test_broken_rows_in_several_chunks_are_reported_in_order(run_cli, tmp_path: Path) -> None:
    lines = [json.dumps(d) for d in synthetic_portfolio(100, seed=12)]
    for at in (97, 77, 40, 33, 5):  # in the first, second, third and last chunk of 32
        lines.insert(at, json.dumps({"id": f"broken-{at}", "name": "B", "valuation": "lots"}))
    lines.insert(60, "{not json")
    source = tmp_path / "p.jsonl"
    source.write_text("".join(f"{x}\n" for x in lines), encoding="utf-8")
    one = run_cli("batch", str(source))  # a process of its own, stdout and stderr captured
    two = run_cli("batch", str(source), "--jobs", "2")
    assert one.returncode == two.returncode == 2
    assert _untimed(two.stdout) == _untimed(one.stdout)
    assert _untimed(two.stderr) == _untimed(one.stderr)
    rows = [int(m) for m in re.findall(rf"{re.escape(str(source))}:(\d+): ", two.stderr)]
    assert rows == sorted(rows) and len(rows) == 6
    assert len(two.stdout.splitlines()) == 100


def test_a_folder_resumed_under_jobs_writes_every_company_once(tmp_path: Path) -> None:
    folder = tmp_path / "profiles"
    folder.mkdir()
    for doc in synthetic_portfolio(70, seed=13):
        (folder / f"{doc['id']}.json").write_text(json.dumps(doc), encoding="utf-8")
    config = resolve_config(None)
    full, resumed = tmp_path / "full.jsonl", tmp_path / "resumed.jsonl"
    run_batch(folder, config, plugin_options={"autoload": False}, output=full,
              on_notice=lambda _: None)
    lines = full.read_text(encoding="utf-8").splitlines(keepends=True)
    # An earlier run wrote 37 decisions (a file record's id is known only once it is read,
    # so the workers evaluate these again and the writer skips them).
    Path(f"{resumed}.partial").write_text("".join(lines[:37]), encoding="utf-8")
    summary = run_batch(folder, config, plugin_options={"autoload": False}, output=resumed,
                        jobs=2, resume=True, on_notice=lambda _: None)
    assert (summary.skipped_resumed, summary.written) == (37, 33)
    assert _untimed(resumed.read_text(encoding="utf-8")) == _untimed("".join(lines))
