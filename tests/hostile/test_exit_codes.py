"""Which exceptions reach which exit code: exit 4 is for bugs in threshold only.

Ordinary life (bad input, a failing plugin, a closed pipe) has its own code and
one line on stderr; every other exception escaping a command is a bug in
threshold and exits 4 with one line saying so (the traceback with --debug).
Readers turn what files can hold (bad encodings, deep nesting, long numbers,
unwritable outputs) into :class:`InputError` where they read, so the types
below reach exit 4 only through a bug.
"""

from __future__ import annotations

from pathlib import Path

import corpus
import pytest
from click.testing import CliRunner

from threshold_core import Engine, InputError, PluginError, Problem

ORDINARY = {
    "input error": (lambda: InputError("p.json", [Problem("$.id", "bad")]), 2),
    "plugin error": (lambda: PluginError("acme", "failed to import"), 3),
    "closed pipe": (lambda: BrokenPipeError(32, "Broken pipe"), 141),
}

#: Every other exception escaping a command is a bug: exit 4, one line.
BUGS = (AssertionError, AttributeError, KeyError, IndexError, TypeError, ValueError,
        ZeroDivisionError, RecursionError, RuntimeError, NotImplementedError, LookupError,
        UnicodeError, OSError, MemoryError, OverflowError)


def _run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exc: BaseException) -> tuple[int, str]:
    (tmp_path / "p.json").write_text(corpus.js(corpus.base()), encoding="utf-8")

    def fail(*_: object, **__: object) -> None:
        raise exc

    monkeypatch.setattr(Engine, "evaluate_path", fail)
    monkeypatch.chdir(tmp_path)
    cli = corpus._cli()
    result = CliRunner().invoke(cli, ["evaluate", "p.json"], catch_exceptions=False)
    return result.exit_code, result.stderr


@pytest.mark.parametrize("name", sorted(ORDINARY))
def test_ordinary_life_has_its_own_exit_code(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make, code = ORDINARY[name]
    exit_code, stderr = _run(tmp_path, monkeypatch, make())
    assert exit_code == code
    assert "internal error" not in stderr and stderr.count("\n") <= 1


@pytest.mark.parametrize("kind", BUGS, ids=[k.__name__ for k in BUGS])
def test_anything_else_is_a_bug_exit_4_in_one_line(
    kind: type[BaseException], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    exit_code, stderr = _run(tmp_path, monkeypatch, kind("boom"))
    assert exit_code == 4
    assert stderr.startswith(f"threshold: internal error: {kind.__name__}") and \
        stderr.count("\n") == 1
