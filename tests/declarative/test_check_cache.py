"""The ``threshold`` command's cache of the profile's CEL types and of CEL's check of each
expression (README, "Performance"): the same decisions cold, warm and off; a damaged or
foreign file is ignored and replaced; a refused expression is refused every time."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from datetime import UTC
from pathlib import Path

import pytest
from helpers import EXAMPLES, read_crc_marshal, without_timings
from hypothesis import given, settings
from hypothesis import strategies as st

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
    use_check_cache(None)  # the profile's types built first (kept by whichever file is in
    compile_checked("true")  # use then), whichever tests this process ran before
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


#: In a fresh process: the running programs of the given conditions kept by one load.
KEPT_PROGRAMS = r'''
import sys
from pathlib import Path
from threshold_core.declarative import compile_checked, save_check_cache, use_check_cache
path, sources = Path(sys.argv[1]), sys.argv[2:]
use_check_cache(path)
for source in sources:
    compile_checked(source)
save_check_cache()
'''

SOURCES = (
    "as_of > addMonths(profile.financials.as_of, 9)",
    "as_of",
    "profile.financials.revenue_mix.project_on_prem_pct / 2.0 > fx['USD']",
    "size(figures) == 0 || figures[0].value > 1.0",
)

#: In another fresh process: the programs from the file alone ("kept": nothing compiled
#: before) or compiled ("compiled"), evaluated with a dated ``as_of``.
EVALUATE = r'''
import json, sys
from datetime import datetime, timezone
from pathlib import Path
from google.protobuf import timestamp_pb2
from threshold_core.declarative import compile_checked, use_check_cache
path, mode, sources = Path(sys.argv[1]), sys.argv[2], sys.argv[3:]
use_check_cache(path if mode == "kept" else None)
programs = [compile_checked(s)[0] for s in sources]
stamp = timestamp_pb2.Timestamp()
stamp.FromDatetime(datetime(2025, 3, 31, tzinfo=timezone.utc))
values = {"as_of": datetime(2026, 1, 1, tzinfo=timezone.utc), "fx": {"USD": 7.17},
          "figures": [], "profile": {"financials": {
              "as_of": stamp, "revenue_mix": {"project_on_prem_pct": 30.0}}}}
print(json.dumps([str(p.eval(data=values).value()) for p in programs]))
'''


def test_kept_running_programs_decide_as_compiled_ones(tmp_path: Path) -> None:
    """A running program made from the cache (``Env.deserialize`` of the library's own
    serialisation) in a process that has compiled nothing gives the compiled program's
    result, a ``datetime`` variable included (the library readies its conversion of dates
    only in ``compile``)."""
    import sys

    path = tmp_path / "checks.marshal"
    script = tmp_path / "keep.py"
    script.write_text(KEPT_PROGRAMS, encoding="utf-8")
    kept = subprocess.run([sys.executable, str(script), str(path), *SOURCES],
                          capture_output=True, text=True, timeout=120)
    assert kept.returncode == 0, kept.stderr
    running = read_crc_marshal(path)[5]  # type: ignore[index]
    assert set(running) == set(SOURCES)
    evaluate = tmp_path / "evaluate.py"
    evaluate.write_text(EVALUATE, encoding="utf-8")
    results = []
    for mode in ("kept", "compiled"):
        ran = subprocess.run([sys.executable, str(evaluate), str(path), mode, *SOURCES],
                             capture_output=True, text=True, timeout=120)
        assert ran.returncode == 0, ran.stderr
        results.append(json.loads(ran.stdout))
    assert results[0] == results[1]
    assert results[0][0] == "True" and results[0][1].startswith("2026-01-01")


_ATOMS = st.sampled_from([
    "as_of", "addMonths(as_of, -3)", "addMonths(profile.financials.as_of, 9)",
    "timestamp('2025-06-30T00:00:00Z')"])
_NUMBERS = st.sampled_from([
    "fx['USD']", "profile.financials.revenue_mix.project_on_prem_pct", "2.5",
    "double(size(figures))",
    "(fx['USD'] / 0.0)", "(profile.financials.revenue_mix.project_on_prem_pct / 4.0)"])


@st.composite
def _expressions(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["dates", "numbers", "both", "value"]))
    dates = f"{draw(_ATOMS)} {draw(st.sampled_from(['<', '<=', '>', '==']))} {draw(_ATOMS)}"
    numbers = f"{draw(_NUMBERS)} {draw(st.sampled_from(['<', '>=', '!=']))} {draw(_NUMBERS)}"
    if kind == "dates":
        return dates
    if kind == "numbers":
        return numbers
    if kind == "both":
        return f"{dates} {draw(st.sampled_from(['&&', '||']))} {numbers}"
    return draw(st.one_of(_ATOMS, _NUMBERS))


@settings(max_examples=60, deadline=None)
@given(source=_expressions())
def test_a_kept_running_program_gives_what_the_compiled_one_gives(source: str) -> None:
    """The kind of fault: a running program made from the cache that evaluates otherwise
    than the one compiled. Generated conditions over dates, ``addMonths``, the FX map, the
    profile and checked divisions: the same value or the same error, either way."""
    from datetime import datetime

    from google.protobuf import timestamp_pb2

    use_check_cache(Path("unused-never-saved.marshal"))  # (never saved: nothing written)
    try:
        compiled, _, _ = compile_checked(source)  # compiled; its check and program kept
        kept, _, _ = compile_checked(source)  # the program made from what was kept
    finally:
        use_check_cache(None)
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(datetime(2025, 3, 31, tzinfo=UTC))

    def value(program: object) -> str:
        values = {"as_of": datetime(2026, 1, 1, tzinfo=UTC), "fx": {"USD": 7.17},
                  "figures": [], "profile": {"financials": {
                      "as_of": stamp, "revenue_mix": {"project_on_prem_pct": 30.0}}}}
        return str(program.eval(data=values).value())  # type: ignore[attr-defined]

    assert value(kept) == value(compiled)
