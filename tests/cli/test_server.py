"""``threshold server``: commands handed to a long-lived server give exactly what they give
on their own (stdout, stderr, exit code, files), and are not handed over whenever the
server could differ from a fresh process.

Every test starts its own server in a temporary ``THRESHOLD_SERVER_DIR`` and stops it when
it ends (and kills it, should stopping fail), so no server outlives the suite.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from helpers import EXAMPLES, jsonl_portfolio, untimed

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the server needs SO_PEERCRED")

ZHIPU = EXAMPLES / "companies" / "zhipu.toml"
MINIMAX = EXAMPLES / "companies" / "minimax.toml"


class Server:
    """A server of the installed ``threshold`` in a folder of its own, and its commands."""

    def __init__(self, exe: str, folder: Path, cwd: Path) -> None:
        self.exe = exe
        self.cwd = cwd
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("THRESHOLD_DISABLE_PLUGIN_AUTOLOAD", "THRESHOLD_NO_SERVER")}
        self.env.update(NO_COLOR="1", THRESHOLD_SERVER_DIR=str(folder))

    def run(self, *args: str, served: bool = True, env: dict[str, str] | None = None,
            input: bytes | None = None, cwd: Path | None = None,
            ) -> subprocess.CompletedProcess[bytes]:
        """Run ``threshold ARGS``: through the server (``served``) or on its own."""
        full = {**self.env, **(env or {})}
        if not served:
            full["THRESHOLD_NO_SERVER"] = "1"
        return subprocess.run([self.exe, *args], cwd=cwd or self.cwd, env=full, input=input,
                              capture_output=True, timeout=120)

    def status(self) -> dict[str, object]:
        result = self.run("server", "status", "--format", "json", served=False)
        assert result.returncode == 0, result.stderr
        found: dict[str, object] = json.loads(result.stdout)
        return found

    def served(self) -> int:
        return int(self.status().get("served", -1))  # type: ignore[call-overload]


@pytest.fixture
def server(threshold_exe: str, tmp_path: Path) -> Iterator[Server]:
    # A short folder: a socket's path is at most 107 bytes.
    folder = Path(tempfile.mkdtemp(prefix="tsrv", dir="/tmp"))
    running = Server(threshold_exe, folder, tmp_path)
    started = running.run("server", "start", served=False,
                          env={"THRESHOLD_SERVER_IDLE_SECONDS": "600"})
    assert started.returncode == 0, started.stderr
    assert started.stdout.startswith(b"server started: pid ")
    pid = int(running.status()["pid"])  # type: ignore[call-overload]
    try:
        yield running
    finally:
        running.run("server", "stop", served=False)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        shutil.rmtree(folder, ignore_errors=True)


def _same(server: Server, *args: str, mask: Callable[[bytes], bytes] = lambda b: b,
          **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    """The command through the server and on its own: the same bytes and exit code; the
    server's count of commands served rises by one."""
    before = server.served()
    handed = server.run(*args, **kwargs)  # type: ignore[arg-type]
    assert server.served() == before + 1, "the command was not handed over"
    alone = server.run(*args, served=False, **kwargs)  # type: ignore[arg-type]
    assert handed.returncode == alone.returncode, (handed.stderr, alone.stderr)
    assert mask(handed.stdout) == mask(alone.stdout)
    assert mask(handed.stderr) == mask(alone.stderr)
    return handed


def _batch_summary(data: bytes) -> bytes:
    return re.sub(rb"in [0-9.]+s \([0-9,.]+/s\)", b"in -s (-/s)", untimed(data))


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_evaluate_is_the_same_through_the_server(server: Server, fmt: str) -> None:
    result = _same(server, "evaluate", str(ZHIPU), "--format", fmt, mask=untimed)
    assert result.returncode == 0 and b"zhipu" in result.stdout.lower()


def test_a_bad_profile_is_the_same_one_line_and_exit_2(server: Server, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(ZHIPU.read_text().replace("[valuation]", "[valuation]\nbogus = 1", 1))
    result = _same(server, "validate", str(bad))
    assert result.returncode == 2 and b"bad.toml: $.valuation" in result.stderr


@pytest.mark.parametrize("args", [("--help",), ("--version",), ("evaluate", "--help"),
                                  ("no-such-command",), ("server", "--help")])
def test_help_version_and_usage_errors_are_the_same(server: Server, args: tuple[str]) -> None:
    _same(server, *args)


def test_diff_and_verify_are_the_same(server: Server, tmp_path: Path) -> None:
    _same(server, "diff", str(ZHIPU), str(MINIMAX), "--format", "json", mask=untimed)
    saved = tmp_path / "zhipu.json"
    saved.write_bytes(server.run("evaluate", str(ZHIPU), "--format", "json").stdout)
    assert _same(server, "verify", str(saved), str(ZHIPU)).returncode == 0


def test_batch_into_a_relative_file_and_from_stdin(server: Server, tmp_path: Path) -> None:
    portfolio = jsonl_portfolio(tmp_path / "portfolio.jsonl", 5, seed=7, broken_at=2)
    outputs = []
    for served in (True, False):
        (tmp_path / "out").mkdir(exist_ok=True)
        result = server.run("batch", "portfolio.jsonl", "--output", "out/decisions.jsonl",
                            served=served)
        outputs.append((result.returncode, _batch_summary(result.stderr),
                        untimed((tmp_path / "out" / "decisions.jsonl").read_bytes())))
        shutil.rmtree(tmp_path / "out")
    assert outputs[0] == outputs[1] and outputs[0][0] == 2  # (the broken row)
    # From standard input: a link to /dev/stdin named as a JSON Lines file.
    (tmp_path / "stdin.jsonl").symlink_to("/dev/stdin")
    result = _same(server, "batch", "stdin.jsonl", input=portfolio.read_bytes(),
                   mask=_batch_summary)
    assert len(result.stdout.splitlines()) == 5 and result.returncode == 2


def test_evaluate_writes_a_file_given_relatively(server: Server, tmp_path: Path) -> None:
    written = []
    for served in (True, False):
        result = server.run("evaluate", str(ZHIPU), "--format", "json", "--output",
                            "reports/zhipu.json", served=served)
        assert result.returncode == 0, result.stderr
        written.append(untimed((tmp_path / "reports" / "zhipu.json").read_bytes()))
    assert written[0] == written[1]


def test_an_environment_variable_changes_output_as_on_its_own(server: Server) -> None:
    narrow = _same(server, "evaluate", "--help", env={"COLUMNS": "50"})
    wide = _same(server, "evaluate", "--help", env={"COLUMNS": "100"})
    assert narrow.stdout != wide.stdout


@pytest.mark.parametrize("env", [{"THRESHOLD_NO_SERVER": "1"}, {"PYTHONHASHSEED": "123"},
                                 {"THRESHOLD_CACHE_DIR": "/nonexistent/threshold-cache"},
                                 {"LC_ALL": "C.UTF-8"}])
def test_not_handed_over_when_told_or_when_start_up_would_differ(
        server: Server, env: dict[str, str]) -> None:
    before = server.served()
    result = server.run("evaluate", str(ZHIPU), env=env)
    assert result.returncode == 0, result.stderr
    assert server.served() == before
    assert server.status()["running"] is True


def test_a_changed_module_declines_and_ends_the_server(server: Server, tmp_path: Path) -> None:
    # A module of this test's own that the server imported as it started (``site`` imports
    # ``sitecustomize`` from PYTHONPATH), so that no other test's server sees it change.
    server.run("server", "stop", served=False)
    folder = tmp_path / "path"
    folder.mkdir()
    module = folder / "sitecustomize.py"
    module.write_text("")
    server.env["PYTHONPATH"] = str(folder)
    assert server.run("server", "start", served=False).returncode == 0
    assert _same(server, "evaluate", str(ZHIPU)).returncode == 0
    stat = module.stat()
    os.utime(module, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    result = server.run("evaluate", str(ZHIPU))
    assert result.returncode == 0, result.stderr
    assert server.status()["running"] is False  # (declined: it ends, serving nothing)


def _descendants(pid: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _blocked_on_stdin(server: Server, tmp_path: Path, served: bool) -> subprocess.Popen[bytes]:
    """``threshold batch`` reading a standard input that never comes, under way."""
    link = tmp_path / "stdin.jsonl"
    if not link.is_symlink():
        link.symlink_to("/dev/stdin")
    env = dict(server.env)
    if not served:
        env["THRESHOLD_NO_SERVER"] = "1"
    before = server.served()
    process = subprocess.Popen([server.exe, "batch", "stdin.jsonl"], cwd=tmp_path, env=env,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while served and server.served() == before and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(2)  # (its start-up over, reading)
    return process


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143),
                                           (signal.SIGHUP, -signal.SIGHUP)])
def test_a_signal_to_the_command_reaches_its_worker(server: Server, tmp_path: Path,
                                                    sig: signal.Signals, code: int) -> None:
    # Ctrl-C and SIGTERM stop the command as on its own (130, 143, one line); SIGHUP, which
    # it does not handle, kills it, and the command's process ends by the same signal.
    ended = []
    for served in (True, False):
        process = _blocked_on_stdin(server, tmp_path, served)
        process.send_signal(sig)
        process.wait(timeout=60)  # (its input still open: the signal, not the input's end)
        out, err = process.communicate(timeout=60)
        ended.append((process.returncode, _batch_summary(err), out))
    assert ended[0] == ended[1]
    assert ended[0][0] == code


def test_a_worker_killed_by_sigkill_kills_the_command_so(server: Server, tmp_path: Path) -> None:
    process = _blocked_on_stdin(server, tmp_path, served=True)
    pid = int(server.status()["pid"])  # type: ignore[call-overload]
    workers = [p for p in _descendants(pid) if os.getpgid(p) == p]
    assert len(workers) == 1
    os.kill(workers[0], signal.SIGKILL)
    process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL


def test_start_stop_and_status(server: Server) -> None:
    again = server.run("server", "start", served=False)
    assert again.returncode == 0 and again.stdout.startswith(b"a server runs already: pid ")
    status = server.run("server", "status", served=False)
    assert status.returncode == 0 and status.stdout.startswith(b"running: pid ")
    stopped = server.run("server", "stop", served=False)
    assert stopped.returncode == 0 and stopped.stdout.startswith(b"server stopped: pid ")
    assert server.status()["running"] is False
    none = server.run("server", "stop", served=False)
    assert (none.returncode, none.stdout) == (0, b"no server runs\n")
    assert server.run("server", "status", served=False).stdout.startswith(b"no server runs")


def _ends(server: Server, pid: int, within: float = 30) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not Path(f"/proc/{pid}").exists() or server.status()["running"] is False:
            return True
        time.sleep(0.1)
    return False


def test_the_server_ends_when_idle(server: Server) -> None:
    server.run("server", "stop", served=False)
    started = server.run("server", "start", served=False,
                         env={"THRESHOLD_SERVER_IDLE_SECONDS": "1"})
    assert started.returncode == 0, started.stderr
    pid = int(server.status()["pid"])  # type: ignore[call-overload]
    assert _ends(server, pid)
    assert not list(Path(server.env["THRESHOLD_SERVER_DIR"]).glob("*.sock"))


def test_the_server_ends_when_its_socket_is_removed(server: Server) -> None:
    pid = int(server.status()["pid"])  # type: ignore[call-overload]
    for sock in Path(server.env["THRESHOLD_SERVER_DIR"]).glob("*.sock"):
        sock.unlink()
    assert _ends(server, pid)
    result = server.run("evaluate", str(ZHIPU))
    assert result.returncode == 0, result.stderr


def test_a_stopped_server_never_hangs_a_command_nor_runs_it_twice(server: Server,
                                                                   tmp_path: Path) -> None:
    # A server that does not answer (stopped here with SIGSTOP): the command waits at most
    # ANSWER_SECONDS for it, then runs on its own; the worker the server forks once it is
    # continued is never told to go, so the command's output is written once.
    pid = int(server.status()["pid"])  # type: ignore[call-overload]
    os.kill(pid, signal.SIGSTOP)
    try:
        began = time.monotonic()
        result = server.run("evaluate", str(ZHIPU), "--format", "json", "--output", "out.json")
        waited = time.monotonic() - began
    finally:
        os.kill(pid, signal.SIGCONT)
    assert result.returncode == 0, result.stderr
    assert waited < 60
    alone = server.run("evaluate", str(ZHIPU), "--format", "json", served=False)
    assert untimed((tmp_path / "out.json").read_bytes()) == untimed(alone.stdout)
    time.sleep(1)  # the continued server forks the abandoned command's worker: it ends
    assert untimed((tmp_path / "out.json").read_bytes()) == untimed(alone.stdout)
    assert server.run("evaluate", str(ZHIPU)).returncode == 0  # and the server serves on


def test_a_quick_command_ends_as_soon_as_its_worker_does(server: Server) -> None:
    # The monitor's look at the connection never waits out its timeout: --help through the
    # server took 10 s once the worker read its word to go first.
    for _ in range(3):
        began = time.monotonic()
        assert server.run("--help").returncode == 0
        assert time.monotonic() - began < 5
