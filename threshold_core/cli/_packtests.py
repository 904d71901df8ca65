"""``threshold test``: run the tests rule packs carry, like ``opa test``.

Exit codes: 0 every test passed; 1 a test failed, or no test was found (a
folder of folders is searched recursively; ``--allow-empty`` accepts none); 2 a
pack or a test is invalid; 3 a Python pack failed to import.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ._app import CONTEXT_SETTINGS, ExitCode, _handle

if TYPE_CHECKING:
    from ..testing import CaseResult, Suite

# --------------------------------------------------------------------------- the command


@click.command("test", context_settings=CONTEXT_SETTINGS)
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Take the FX table from this configuration (default: the built-in one, "
              "so results do not depend on the working folder).")
@click.option("--run", "pattern", metavar="REGEX", help="Only the tests whose name matches.")
@click.option("--allow-empty", is_flag=True,
              help="Exit 0 when no test was found (by default that is exit code 1).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
@_handle
def test_packs(
    paths: tuple[Path, ...], config_path: Path | None, pattern: str | None,
    allow_empty: bool, fmt: str,
) -> None:
    """Run the tests of rule packs: .toml packs and Python drop-ins (files or folders,
    searched recursively).

    Prints PASS or FAIL for every test, with the difference on failure, and
    exits 1 when a test fails or no test was found (unless --allow-empty), and
    2 when a pack or a test is invalid.
    """
    from ..load import dumps, load_config
    from ..model import EngineConfig, FxTable
    from ..testing import run_tests

    config = load_config(config_path) if config_path else EngineConfig()
    fx = FxTable(rates=dict(config.fx.rates), as_of=config.fx.as_of, source=config.fx.source)
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise click.BadParameter(f"invalid regular expression: {exc}",
                                     param_hint="--run") from None

    # Test profiles may carry the sections installed plugins declare ([extensions.<name>]).
    from ..engine import create_plugin_manager, extension_types

    extensions = extension_types(create_plugin_manager(config))
    grouped = run_tests(paths, fx, pattern=pattern, extensions=extensions)
    results = [r for _, rs in grouped for r in rs]
    if fmt == "json":
        click.echo(dumps([r.to_dict() for r in results]), nl=False)
    else:
        for suite, suite_results in grouped:
            _print_suite(suite, suite_results)
        _print_summary(results)
    if not results and not allow_empty:
        where = ", ".join(str(p) for p in paths)
        what = f" matching --run {pattern!r}" if pattern is not None else ""
        click.echo(f"threshold test: no tests{what} found in {where} ([[tests]] in .toml "
                   "packs, TESTS in .py files; folders are searched recursively)", err=True)
        sys.exit(int(ExitCode.BELOW_BAR))
    if any(not r.passed for r in results):
        sys.exit(int(ExitCode.BELOW_BAR))


def _print_suite(suite: Suite, results: list[CaseResult]) -> None:
    names = ", ".join(f"{p.name} {p.version}" for p, _ in suite.packs) or "no rule pack"
    click.echo(f"{suite.file} ({names})")
    if not results:
        click.echo("  no tests")
    for r in results:
        click.echo(f"  {'PASS' if r.passed else 'FAIL'}  {r.name}")
        if not r.passed:
            click.echo(f"        expected: {', '.join(r.expected) or 'nothing fires'}")
            click.echo(f"        fired:    {', '.join(r.fired) or 'nothing'}")
            for line in r.diff:
                click.echo(f"        {line}")


def _print_summary(results: list[CaseResult]) -> None:
    click.echo("-" * 72)
    passed = sum(r.passed for r in results)
    click.echo(f"PASS: {passed}/{len(results)}")
    if passed != len(results):
        click.echo(f"FAIL: {len(results) - passed}/{len(results)}")
