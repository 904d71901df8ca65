"""Start-up cache files of installations that are gone are pruned (README, "Performance"):
at most once a day, the files of other installations not written for 30 days, and of all
but the 12 most recent, go; this installation's files and files not named as threshold
names them stay."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess

from helpers import EXAMPLES

DAY = 86_400


def _file(folder: Path, name: str, days_old: float) -> Path:
    path = folder / name
    path.write_bytes(b"x")
    stamp = time.time() - days_old * DAY
    os.utime(path, (stamp, stamp))
    return path


def test_stale_installations_are_pruned_once_a_day(
        run_cli_process: Callable[..., CompletedProcess[str]], tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    stale = [_file(cache, f"generated-code-cpython-311-a70d0d0a-{d}.marshal", 40)
             for d in ("0000000a", "0000000b")]
    stale += [_file(cache, "entry-points-0000000a.json", 45),
              _file(cache, "modules-cpython-311-a70d0d0a-0000000a.marshal", 45),
              _file(cache, "modules-opt1-cpython-311-a70d0d0a-0000000b.marshal", 45),
              _file(cache, "regex-cpython-311-a70d0d0a-0000000b.marshal", 45),
              _file(cache, "cel-checks.marshal", 60)]  # an earlier version's name
    # Fourteen recent installations: the twelve newest stay, the two oldest go.
    recent = {i: _file(cache, f"classes-cpython-311-a70d0d0a-{i:08x}.marshal", 1 + i / 10)
              for i in range(16, 30)}
    foreign = [_file(cache, "notes.txt", 90), _file(cache, "generated-code-mine.bak", 90)]
    env = {**os.environ, "THRESHOLD_CACHE_DIR": str(cache)}
    env.pop("THRESHOLD_NO_CACHE", None)
    result = run_cli_process("evaluate", str(EXAMPLES / "companies" / "zhipu.toml"), env=env)
    assert result.returncode == 0, result.stderr
    assert not any(p.exists() for p in stale)
    assert [i for i, p in recent.items() if not p.exists()] == [28, 29]
    assert all(p.exists() for p in foreign)
    # This installation's own files were written and stay, however many there are.
    own = {p.name for p in cache.iterdir()} - {p.name for p in foreign} - {
        p.name for p in recent.values()} - {"last-pruned"}
    assert own and all(n.endswith((".marshal", ".json")) for n in own)
    # Within the day, nothing is pruned again.
    late = _file(cache, "entry-points-0000000c.json", 40)
    assert run_cli_process("evaluate", str(EXAMPLES / "companies" / "zhipu.toml"),
                           env=env).returncode == 0
    assert late.exists()
