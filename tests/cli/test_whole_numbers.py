"""Counts on the command line are whole numbers in digits: Python's ``int`` reads ``1_0``,
`` 7 `` and Arabic-Indic digits too, which a user did not mean as a number."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from threshold_core.cli import cli


@pytest.mark.parametrize("args", [["generate", "1_0"], ["generate", " 2"],
                                  ["generate", "\u0661\u0660"], ["generate", "1", "--seed", "1_0"],
                                  ["generate", "1", "--seed", "+3"],
                                  ["batch", ".", "--jobs", "0_2"],
                                  ["batch", ".", "--jobs", "\uff12"]])
def test_a_count_not_in_digits_is_refused(run_cli_process, args: list[str]) -> None:
    run = run_cli_process(*args)
    assert run.returncode == 2
    assert "is not a whole number in digits 0-9" in run.stderr
    assert "Traceback" not in run.stderr and run.stdout == ""


@given(st.text(max_size=6))
def test_generate_reads_a_count_only_as_written(text: str) -> None:
    """Whatever is typed, the count is either refused (exit 2) or the number its ASCII
    digits say: never a number read another way."""
    result = CliRunner().invoke(cli, ["generate", "--", text] if text.startswith("-")
                                else ["generate", text])
    if text.isascii() and text.isdigit() and int(text) <= 3:
        assert result.exit_code == 0
        assert result.output.count("\n") == int(text)
    elif not (text.isascii() and text.isdigit()):
        assert result.exit_code == 2


def test_more_workers_than_anyone_has_is_a_usage_error(run_cli_process) -> None:
    """An absurd --jobs is refused as out of range (exit 2), never a C integer overflow."""
    run = run_cli_process("batch", ".", "--jobs", "99999999999")
    assert run.returncode == 2 and "is not in the range 1<=x<=1024" in run.stderr
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr
