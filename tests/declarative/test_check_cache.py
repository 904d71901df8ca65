"""The ``threshold`` command's cache of the profile's CEL types and of CEL's check of each
expression (README, "Performance"): the same decisions cold, warm and off; a damaged or
foreign file is ignored and replaced; a refused expression is refused every time."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import EXAMPLES, read_crc_marshal, without_timings

from threshold_core.cli import installation
from threshold_core.declarative import (
    analyze_checked,
    compile_checked,
    save_check_cache,
    use_check_cache,
)

Run = Callable[..., subprocess.CompletedProcess[str]]




def test_cold_warm_and_off_decide_the_same(run_cli_process: Run, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    args = ("evaluate", str(EXAMPLES / "companies"), "--format", "json")
    cold = run_cli_process(*args, env={"THRESHOLD_CACHE_DIR": str(cache)})
    file = cache / f"cel-checks-{installation()}.marshal"
    assert cold.returncode == 0, cold.stderr
    assert file.stat().st_size > 1_000
    written = file.stat().st_mtime_ns
    warm = run_cli_process(*args, env={"THRESHOLD_CACHE_DIR": str(cache)})
    off = run_cli_process(*args, env={"THRESHOLD_CACHE_DIR": str(cache),
                                      "THRESHOLD_NO_CACHE": "1"})
    assert warm.returncode == off.returncode == 0
    assert file.stat().st_mtime_ns == written  # everything was in it
    decided = [without_timings(json.loads(r.stdout)) for r in (cold, warm, off)]
    assert decided[0] == decided[1] == decided[2]


def test_a_damaged_file_is_ignored_and_replaced(run_cli_process: Run, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    file = cache / f"cel-checks-{installation()}.marshal"
    file.write_bytes(b"\x00not a cache")
    zhipu = str(EXAMPLES / "companies" / "zhipu.toml")
    result = run_cli_process("evaluate", zhipu, env={"THRESHOLD_CACHE_DIR": str(cache)})
    assert result.returncode == 0 and result.stderr == ""
    assert file.stat().st_size > 1_000


def test_a_kept_check_is_what_cel_returned(tmp_path: Path) -> None:
    path = tmp_path / "checks.marshal"
    source = "profile.financials.revenue_mix.project_on_prem_pct > 70.0"
    use_check_cache(path)
    try:
        _, cold, cold_type = compile_checked(source)
    finally:
        save_check_cache()
    use_check_cache(path)
    try:
        _, warm, warm_type = compile_checked(source)
    finally:
        save_check_cache()
    use_check_cache(None)
    _, fresh, fresh_type = compile_checked(source)
    assert path.exists()
    assert warm == cold and cold_type == warm_type == fresh_type == "BOOL"
    # CEL writes the checked expression's maps in no fixed order: what it says is the same
    assert analyze_checked(cold) == analyze_checked(fresh)


def test_a_refused_expression_is_checked_every_time(tmp_path: Path) -> None:
    path = tmp_path / "checks.marshal"
    for _ in range(2):
        use_check_cache(path)
        try:
            with pytest.raises(RuntimeError, match="undefined field"):
                compile_checked("profile.no_such_field > 1.0")
        finally:
            save_check_cache()
    assert not path.exists()  # nothing was kept, nothing written



def test_a_kept_analysis_is_what_the_analysis_returns(tmp_path: Path) -> None:
    """What a pack reads from each checked expression (paths, variables, fields) is kept
    beside the check: equal to a fresh analysis, and found by the next load."""

    from threshold_core.declarative import load_pack

    pack_file = Path(__file__).resolve().parents[2] / "rules" / "disclosure.toml"
    path = tmp_path / "checks.marshal"
    for _ in range(2):
        use_check_cache(path)
        try:
            load_pack(pack_file).compile()
        finally:
            save_check_cache()
        if _ == 0:
            written = path.stat().st_mtime_ns
    assert path.stat().st_mtime_ns == written  # the second load found everything
    kept = read_crc_marshal(path)[4]  # type: ignore[index]
    assert len(kept) >= 5
    for checked, plain in kept.items():
        fresh = analyze_checked(checked)
        assert plain == (fresh.problems, tuple(tuple(r) for r in fresh.references), fresh.whole,
                         fresh.variables, fresh.fields, fresh.figure_fields)
