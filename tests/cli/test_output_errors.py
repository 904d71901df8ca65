"""An output that cannot be written is one line naming the file, the step that failed and
the system's reason, never a path inside a document (``$``), and exit 2, for every command
that writes a file: ``/proc/version: cannot write: creating a temporary file in /proc: No
such file or directory`` (the file exists; the temporary file beside it cannot be made).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers import EXAMPLES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ZHIPU = EXAMPLES / "companies" / "zhipu.toml"
MINIMAX = EXAMPLES / "companies" / "minimax.toml"
LINUX = pytest.mark.skipif(not sys.platform.startswith("linux"),
                           reason="/proc and /dev/full are Linux's")

#: Every writer, as its arguments before ``--output``.
WRITERS = {
    **{f"evaluate-{fmt}": ("evaluate", str(ZHIPU), "--format", fmt, "--no-plugin-autoload")
       for fmt in ("text", "json", "markdown", "html", "sarif", "junit")},
    "diff": ("diff", str(ZHIPU), str(MINIMAX), "--no-plugin-autoload"),
    "batch": ("batch", str(EXAMPLES / "companies"), "--no-plugin-autoload"),
    "batch-csv": ("batch", str(EXAMPLES / "companies"), "--format", "csv",
                  "--no-plugin-autoload"),
    "batch-resume": ("batch", str(EXAMPLES / "companies"), "--resume", "--no-plugin-autoload"),
    "batch-xlsx": ("batch", str(EXAMPLES / "companies"), "--format", "xlsx",
                   "--no-plugin-autoload"),
    "generate-jsonl": ("generate", "3"),
}


def _one_line(result: Any, target: Path | str) -> str:
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"{target}: cannot write: "), lines[0]
    assert ": $" not in lines[0] and "internal error" not in lines[0], lines[0]
    return lines[0]


@LINUX
@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_a_file_that_exists_but_cannot_be_replaced(run_cli: Any, writer: str) -> None:
    args = WRITERS[writer]
    if writer == "batch-xlsx":
        pytest.importorskip("openpyxl")
    result = run_cli(*args, "--output", "/proc/version")
    line = _one_line(result, "/proc/version")
    if writer.startswith(("evaluate", "diff")):
        assert line == ("/proc/version: cannot write: creating a temporary file in /proc: No "
                        "such file or directory")
    elif writer.startswith("batch"):
        assert line == ("/proc/version: cannot write: writing its run record "
                        "/proc/version.partial.run: No such file or directory")
    else:  # not named *.jsonl: a folder of .json files was asked for
        assert line == ("/proc/version: cannot write: it is a file, and an --output not "
                        "named *.jsonl is a folder for one .json file per company")


@LINUX
@pytest.mark.parametrize("writer", ["evaluate-json", "diff", "batch", "batch-csv",
                                    "generate-jsonl"])
def test_a_full_disk(run_cli: Any, writer: str) -> None:
    result = run_cli(*WRITERS[writer], "--output", "/dev/full")
    assert _one_line(result, "/dev/full") == (
        "/dev/full: cannot write: writing to it: No space left on device")


@LINUX
def test_the_installed_command(run_cli_process: Any) -> None:
    result = run_cli_process("evaluate", str(ZHIPU), "--no-plugin-autoload", "--output",
                             "/proc/version")
    assert (result.returncode, result.stderr) == (2, (
        "/proc/version: cannot write: creating a temporary file in /proc: No such file or "
        "directory\n"))
    result = run_cli_process("batch", str(EXAMPLES / "companies"), "--no-plugin-autoload",
                             "--output", "/dev/full")
    assert (result.returncode, result.stderr) == (2, (
        "/dev/full: cannot write: writing to it: No space left on device\n"))


@LINUX
def test_a_folder_that_cannot_be_made(run_cli: Any) -> None:
    result = run_cli("evaluate", str(ZHIPU), "--no-plugin-autoload", "--output",
                     "/proc/threshold-missing/out.json")
    assert _one_line(result, "/proc/threshold-missing/out.json") == (
        "/proc/threshold-missing/out.json: cannot write: creating its folder "
        "/proc/threshold-missing: No such file or directory")
    result = run_cli("generate", "3", "--output", "/proc/threshold-missing")
    assert _one_line(result, "/proc/threshold-missing") == (
        "/proc/threshold-missing: cannot write: creating the folder: No such file or "
        "directory")


@LINUX
def test_the_plugin_template(run_cli: Any) -> None:
    result = run_cli("new", "plugin", "acme", "--directory", "/proc")
    assert _one_line(result, "/proc/threshold-acme") == (
        "/proc/threshold-acme: cannot write: creating the folder: No such file or directory")


def test_a_folder_path_through_a_file(run_cli: Any, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    target = tmp_path / "file" / "out.json"
    for args in (WRITERS["evaluate-json"], WRITERS["batch"], WRITERS["generate-jsonl"]):
        result = run_cli(*args, "--output", str(target))
        assert _one_line(result, target) == (
            f"{target}: cannot write: a part of its folder path is a file, not a folder")


def test_generate_into_a_file_not_named_jsonl(run_cli: Any, tmp_path: Path) -> None:
    target = tmp_path / "profiles"
    target.write_text("x", encoding="utf-8")
    result = run_cli("generate", "3", "--output", str(target))
    assert _one_line(result, target) == (
        f"{target}: cannot write: it is a file, and an --output not named *.jsonl is a "
        "folder for one .json file per company")
    assert target.read_text(encoding="utf-8") == "x"


def test_a_partial_output_that_is_a_folder(run_cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    (tmp_path / "out.jsonl.partial").mkdir()
    result = run_cli(*WRITERS["batch"], "--output", str(out))
    assert (result.returncode, result.stderr) == (2, (
        f"{out}.partial: is a folder, not a partial output file: move it away\n"))


#: What a path component can be.
PARTS = st.lists(st.sampled_from(["file", "folder", "new"]), min_size=1, max_size=3)


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=PARTS)
def test_any_output_path_is_written_or_named_in_one_line(
    run_cli: Any, tmp_path_factory: Any, parts: list[str],
) -> None:
    """Whatever the path's parts are (files, folders, names that do not exist), the
    decision is written, or one line names the path, without a ``$``: never a traceback,
    never exit 4."""
    root = tmp_path_factory.mktemp("out")
    path = root
    for i, kind in enumerate(parts):
        inside = path.is_dir()  # nothing can be made below a file or a missing folder
        path = path / f"{kind}{i}"
        if kind == "file" and inside:
            path.write_text("old", encoding="utf-8")
        elif kind == "folder" and inside:
            path.mkdir()
    result = run_cli("evaluate", str(ZHIPU), "--no-plugin-autoload", "--format", "json",
                     "--output", str(path))
    if result.returncode == 0:
        assert json.loads(path.read_text(encoding="utf-8"))["company"]["id"] == "zhipu"
        return
    if result.returncode == 2 and result.stderr.startswith("Usage:"):
        assert path.is_dir()  # click refuses a folder as --output
        return
    _one_line(result, path)


def test_an_option_or_a_folder_is_named_without_a_path_inside(
    run_cli: Any, tmp_path: Path,
) -> None:
    """An option and a folder are no documents either: no ``$`` after them."""
    result = run_cli("evaluate", str(ZHIPU), "--no-plugin-autoload", "--disable-plugin", "nope")
    assert (result.returncode, result.stderr) == (
        2, "--disable-plugin: plugin 'nope' matches no plugin\n")
    result = run_cli("evaluate", str(tmp_path), "--no-plugin-autoload")
    assert (result.returncode, result.stderr) == (
        2, f"{tmp_path}: no .toml or .json profiles found\n")
    result = run_cli("diff", str(tmp_path), "--no-plugin-autoload")
    assert (result.returncode, result.stderr) == (
        2, f"{tmp_path}: no .toml or .json profiles found\n")
