"""Shared fixtures: isolated engines, test distributions, the installed CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest


@pytest.fixture
def threshold_exe() -> str:
    """The installed console script (next to this interpreter)."""
    exe = Path(sys.executable).with_name("threshold")
    found = str(exe) if exe.exists() else shutil.which("threshold")
    assert found, "the threshold console script is not installed"
    return found


@pytest.fixture
def run_cli(threshold_exe: str, tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run ``threshold ARGS`` as a subprocess; returns the completed process."""

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
