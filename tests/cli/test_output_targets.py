"""``--output`` never replaces what is not a regular file: a symbolic link's target is
written and the link kept, a named pipe (or a device such as ``/dev/null``) is written in
place, and a regular file is replaced atomically, for every command that writes one."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path
from typing import Any

import pytest
from helpers import EXAMPLES

ZHIPU = EXAMPLES / "companies" / "zhipu.toml"
MINIMAX = EXAMPLES / "companies" / "minimax.toml"

#: Every command with ``--output``, as its arguments before ``--output``.
COMMANDS = {
    "evaluate": ("evaluate", str(ZHIPU), "--no-plugin-autoload"),
    "diff": ("diff", str(ZHIPU), str(MINIMAX), "--no-plugin-autoload"),
    "batch": ("batch", str(EXAMPLES / "companies"), "--no-plugin-autoload"),
}


def _read_fifo(fifo: Path, got: list[bytes]) -> threading.Thread:
    def read() -> None:
        with fifo.open("rb") as fh:
            got.append(fh.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    return reader


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_symbolic_link_is_followed_and_kept(run_cli_process: Any, tmp_path: Path,
                                              command: str) -> None:
    target = tmp_path / "real" / "out.txt"
    target.parent.mkdir()
    target.write_text("old", encoding="utf-8")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    result = run_cli_process(*COMMANDS[command], "--output", str(link))
    assert result.returncode in (0, 1), result.stderr
    assert link.is_symlink() and link.resolve() == target
    assert target.read_text(encoding="utf-8") not in ("", "old")
    # Nothing is left beside the link or the target (no temporary or partial file).
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.txt", "real"]
    assert [p.name for p in target.parent.iterdir()] == ["out.txt"]


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_named_pipe_is_written_in_place(run_cli_process: Any, tmp_path: Path,
                                          command: str) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = _read_fifo(fifo, got)
    result = run_cli_process(*COMMANDS[command], "--output", str(fifo))
    reader.join(timeout=60)
    assert result.returncode in (0, 1), result.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode), "the pipe was replaced by a file"
    assert got and got[0], "the reader got nothing"
    plain = run_cli_process(*COMMANDS[command])
    if command != "batch":  # (a batch to stdout prints the same decisions; timings differ)
        assert got[0].decode() == plain.stdout


def test_resume_or_a_workbook_into_a_pipe_is_refused(run_cli_process: Any,
                                                     tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    result = run_cli_process(*COMMANDS["batch"], "--output", str(fifo), "--resume")
    assert result.returncode == 2
    assert result.stderr.strip().endswith(
        "pipe: is not a regular file: --resume and --format xlsx need one")
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_a_regular_file_is_still_replaced_atomically(run_cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "decision.json"
    out.write_text("old", encoding="utf-8")
    result = run_cli(*COMMANDS["evaluate"], "--format", "json", "--output", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8").startswith("{")
    assert [p.name for p in tmp_path.iterdir()] == ["decision.json"]


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_loop_of_links_is_exit_2_and_left_alone(run_cli_process: Any, tmp_path: Path,
                                                  command: str) -> None:
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    result = run_cli_process(*COMMANDS[command], "--output", str(tmp_path / "a"))
    assert result.returncode == 2, result.stderr
    assert result.stderr == (f"{tmp_path / 'a'}: cannot write: following its symbolic links: "
                             "Too many levels of symbolic links\n")
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert (tmp_path / "a").is_symlink() and (tmp_path / "b").is_symlink()


def test_generate_follows_links_and_writes_into_a_pipe(run_cli_process: Any,
                                                       tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"  # no .jsonl suffix: a pipe is still written as JSONL
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = _read_fifo(fifo, got)
    result = run_cli_process("generate", "5", "--output", str(fifo))
    reader.join(timeout=60)
    assert result.returncode == 0, result.stderr
    assert got and len(got[0].splitlines()) == 5 and stat.S_ISFIFO(fifo.lstat().st_mode)
    target = tmp_path / "real.jsonl"
    (tmp_path / "link.jsonl").symlink_to(target)
    result = run_cli_process("generate", "3", "--output", str(tmp_path / "link.jsonl"))
    assert result.returncode == 0 and (tmp_path / "link.jsonl").is_symlink()
    assert len(target.read_text(encoding="utf-8").splitlines()) == 3


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_replaced_file_keeps_its_permissions(run_cli_process: Any, tmp_path: Path,
                                               command: str) -> None:
    out = tmp_path / "locked.txt"
    out.write_text("old", encoding="utf-8")
    out.chmod(0o600)
    result = run_cli_process(*COMMANDS[command], "--output", str(out))
    assert result.returncode in (0, 1), result.stderr
    assert out.read_text(encoding="utf-8") != "old"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


@pytest.mark.parametrize("name", ["portfolio.jsonl", "folder"])
def test_generate_killed_midway_leaves_no_partial_file(threshold_exe: str, tmp_path: Path,
                                                       name: str) -> None:
    """``generate --output`` writes each file whole: a run killed while writing leaves the
    earlier file as it was (a .jsonl) and no file under a final name half written."""
    import json
    import signal
    import subprocess
    import time

    out = tmp_path / name
    if name.endswith(".jsonl"):
        out.write_text("old\n", encoding="utf-8")
    proc = subprocess.Popen([threshold_exe, "generate", "1000000", "--output", str(out)],
                            cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        # until it is writing: a temporary file beside the output (or inside the folder)
        while time.monotonic() < deadline and not any(
                p.name.startswith(".") for p in (out if out.is_dir() else tmp_path).iterdir()):
            time.sleep(0.05)
        time.sleep(0.5)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
    if name.endswith(".jsonl"):
        assert out.read_text(encoding="utf-8") == "old\n"
    else:
        files = [p for p in out.iterdir() if not p.name.startswith(".")]
        assert files, "the run wrote no profile before it was killed"
        for p in files:  # every profile under its final name is whole
            assert json.loads(p.read_text(encoding="utf-8"))["id"] == p.stem


def test_generate_refuses_a_count_above_its_limit(run_cli_process: Any) -> None:
    run = run_cli_process("generate", "1000001")
    assert run.returncode == 2 and "is not in the range 0<=x<=1000000" in run.stderr
    assert "Traceback" not in run.stderr
