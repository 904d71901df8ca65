"""Shared fixtures: isolated engines, test distributions, the installed CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests assert behaviour, not speed: on a shared or loaded machine a single
# example may take longer than hypothesis's default 200 ms deadline without anything
# being wrong (speed is measured by benchmarks/, not by tests).
settings.register_profile("threshold", deadline=None)
settings.load_profile("threshold")


@pytest.fixture(scope="session", autouse=True)
def _generated_code_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Commands cache attrs' and cattrs' generated code in a folder of the test run's own.

    The user's cache folder is never touched; subprocesses inherit the variable.
    """
    before = os.environ.get("THRESHOLD_CACHE_DIR")
    os.environ["THRESHOLD_CACHE_DIR"] = str(tmp_path_factory.mktemp("threshold-cache"))
    yield
    if before is None:
        os.environ.pop("THRESHOLD_CACHE_DIR", None)
    else:
        os.environ["THRESHOLD_CACHE_DIR"] = before


@pytest.fixture(scope="session", autouse=True)
def _no_user_server() -> Iterator[None]:
    """The console script never hands a test's command to a server the user runs: the
    test run's server folder is its own and empty (``tests/cli/test_server.py`` starts
    its servers in folders of their own)."""
    import tempfile

    before = os.environ.get("THRESHOLD_SERVER_DIR")
    with tempfile.TemporaryDirectory(prefix="tsrv", dir="/tmp") as folder:
        os.environ["THRESHOLD_SERVER_DIR"] = folder
        yield
    if before is None:
        os.environ.pop("THRESHOLD_SERVER_DIR", None)
    else:
        os.environ["THRESHOLD_SERVER_DIR"] = before


@pytest.fixture
def threshold_exe() -> str:
    """The installed console script (next to this interpreter)."""
    exe = Path(sys.executable).with_name("threshold")
    found = str(exe) if exe.exists() else shutil.which("threshold")
    assert found, "the threshold console script is not installed"
    return found


#: Commands that need a process of their own: worker processes, signals, a terminal.
NEEDS_A_PROCESS = frozenset({"batch"})


@pytest.fixture
def run_cli_process(
    threshold_exe: str, tmp_path: Path
) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run ``threshold ARGS`` as the installed console script, in a subprocess."""

    def run(
        *args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
        input: str | None = None,
    ) -> subprocess.CompletedProcess[str]:
        full_env = {k: v for k, v in os.environ.items() if k != "THRESHOLD_DISABLE_PLUGIN_AUTOLOAD"}
        full_env.update({"NO_COLOR": "1", **(env or {})})
        return subprocess.run(
            [threshold_exe, *args], cwd=cwd or tmp_path, env=full_env, input=input,
            capture_output=True, text=True, timeout=120,
        )

    return run


@pytest.fixture
def run_cli(
    run_cli_process: Callable[..., subprocess.CompletedProcess[str]], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run ``threshold ARGS`` in this process with click's ``CliRunner``.

    The same command group, working folder, environment, stdin, stdout, stderr
    and exit code as the console script, without a Python start-up per run.
    A run that needs a process of its own (``batch``, or a ``PYTHONPATH`` of
    test distributions) goes to :func:`run_cli_process`; every command also has
    a subprocess test in ``tests/cli/test_installed_script.py``.
    """
    from click.testing import CliRunner

    from threshold_core.cli import cli

    def run(
        *args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
        input: str | None = None,
    ) -> subprocess.CompletedProcess[str]:
        if (args and args[0] in NEEDS_A_PROCESS) or "PYTHONPATH" in (env or {}):
            return run_cli_process(*args, cwd=cwd, env=env, input=input)
        full_env: dict[str, str | None] = {
            "THRESHOLD_DISABLE_PLUGIN_AUTOLOAD": None, "NO_COLOR": "1", **(env or {})
        }
        with monkeypatch.context() as m:
            m.chdir(cwd or tmp_path)
            result = CliRunner().invoke(cli, list(args), input=input, env=full_env,
                                        prog_name="threshold")
        stderr = result.stderr
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            # What the console script would print for an exception nothing handled.
            import traceback

            stderr += "".join(traceback.format_exception(result.exception))
        return subprocess.CompletedProcess(
            ["threshold", *args], result.exit_code, result.stdout, stderr
        )

    return run


@pytest.fixture
def site_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh site folder on ``sys.path`` for hand-installed test distributions."""
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    import importlib

    importlib.invalidate_caches()
    yield site
    for name in list(sys.modules):
        mod = sys.modules[name]
        if getattr(mod, "__file__", None) and str(site) in str(mod.__file__):
            del sys.modules[name]
