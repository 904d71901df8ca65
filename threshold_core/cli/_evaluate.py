"""``threshold evaluate`` and ``threshold validate``: decide, or only check, profiles."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from ._app import (
    CONTEXT_SETTINGS,
    ExitCode,
    Options,
    _handle,
    _style,
    end_start_up,
    engine_options,
    keeps_start_up,
)
from ._output import write_output

#: ``evaluate`` and ``validate`` structure with the loader's generated functions (from their
#: recipes) from before the engine is built: the configuration and the packs' files too
#: (read by ``benchmarks/cold_start.py --stages``, which times each installation's order).
RECIPES_BEFORE_ENGINE = True


def _generated_from_first_use() -> None:
    """Profiles structured by the loader's generated function from the first one, when
    its compiled code comes from the cache of generated code (README, Performance)."""
    from ._codecache import active, use_recipes

    cache = active()
    if cache is not None:
        from ..load import generate_from_first_use

        generate_from_first_use()
        use_recipes(cache)  # ... made from the recipes of the last command that generated it


def _skipped(path: Path, why: str) -> None:
    """Say which entry of a profile folder was not read, and why (nothing is ignored silently)."""
    click.echo(f"threshold: {path}: {why}", err=True)


_FAIL_UNDER = {"qualified": ("qualified",), "watch": ("qualified", "watch")}


def _explain_failed(decision: Any, exc: Exception) -> None:
    click.echo(f"threshold: {decision.company.id}: no explanation ({type(exc).__name__}: {exc})",
               err=True)


@click.command(context_settings=CONTEXT_SETTINGS)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@engine_options
@click.option("--format", "fmt",
              type=click.Choice(["text", "json", "markdown", "html", "sarif", "junit"]),
              default="text", show_default=True,
              help="Report format (html: one self-contained page with charts; sarif and "
              "junit: the findings, for CI).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the report to this file (atomically) instead of stdout.")
@click.option("--fail-under", type=click.Choice(["qualified", "watch"]),
              help="Exit 1 when a company's verdict is below this bar.")
@click.option("--units", type=click.Choice(["bn", "yi"]), default="bn", show_default=True,
              help="Write amounts in billions (17.93bn CNY) or in 亿, hundred million "
              "(179.25亿 CNY), in the text, Markdown and HTML reports.")
@_handle
@keeps_start_up
def evaluate(
    options: Options, paths: tuple[Path, ...], fmt: str, output: Path | None,
    fail_under: str | None, units: str,
) -> None:
    """Evaluate company profiles: files, or folders of .toml/.json profiles.

    One company prints one report (JSON: one object); several print a summary
    and every report (JSON: an array). Every report explains the decision: the
    distance to the next better verdict, the safety margin and how robust the
    verdict is to the weights and cut-offs ([explain] in the configuration).
    Invalid profiles are reported on stderr, one line per problem, and the
    others are still evaluated; so is a profile whose company id an earlier one
    has (ids compared ignoring case and width), naming both files (exit 2).
    """
    # Before the engine: the configuration and the packs' files are structured that way too.
    _generated_from_first_use()
    # It imports the model and engine. The start-up (the collector's pause) lasts
    # until the first decision: one profile's work, however many follow.
    engine = options.build_engine(start_up_ends=False)
    from ..errors import InputError, PluginError, Problem
    from ..explain import explain_all
    from ..load import (
        CompanyIds,
        decision_json,
        decision_to_dict,
        decisions_json,
        dumps,
        expand_paths,
    )
    from ..reports import ReportOptions, render_markdowns, render_texts

    shown = ReportOptions(units=units,
                          cutoffs=tuple(b.min_score for b in engine.config.policy.grades))
    decisions, errors = [], []
    files = list(expand_paths(paths, _skipped))
    if not files:
        raise InputError(str(paths[0]), [Problem("", "no .toml or .json profiles found")])
    broken: list[PluginError] = []
    ids = CompanyIds()
    for i, path in enumerate(files):
        if i == 1:
            end_start_up()
        try:
            decision = engine.evaluate_path(path)
            repeat = ids.claim(decision.company.id, str(path))
            if repeat is not None:  # the first profile with an id has it
                raise InputError(str(path), [repeat])
            decisions.append(decision)
        except InputError as exc:
            errors.append(exc)
        except PluginError as exc:  # a profile reader failed on this file
            broken.append(exc)
    if decisions:
        decisions = explain_all(decisions, engine, on_error=_explain_failed)
        if fmt == "json":
            text = (decision_json(decisions[0]) if len(decisions) == 1 and len(files) == 1
                    else decisions_json(decisions))
        elif fmt in ("sarif", "junit"):
            from ..engine import engine_version
            from ..reports import describe_rules, junit, sarif

            data = [decision_to_dict(d) for d in decisions]
            text = (dumps(sarif(data, engine_version(), describe_rules(engine)))
                    if fmt == "sarif" else junit(data))
        elif fmt == "markdown":
            text = render_markdowns(decisions, shown)
        elif fmt == "html":
            from ..reports import render_html

            text = render_html(decisions, engine.config.policy.grades, shown)
        else:
            text = render_texts(decisions, _style(), shown)
        write_output(text, output)
    code = ExitCode.OK
    if fail_under and any(str(d.verdict) not in _FAIL_UNDER[fail_under] for d in decisions):
        code = ExitCode.BELOW_BAR
    if errors:
        for invalid in errors:
            for line in invalid.lines():
                click.echo(line, err=True)
        code = ExitCode.INVALID_INPUT
    if any(str(d.verdict) == "error" for d in decisions):
        for d in decisions:
            for e in d.trace:
                if e.status == "error":
                    click.echo(f"threshold: {d.company.id}: plugin {e.plugin} ({e.component}) "
                               f"failed: {e.message}", err=True)
        code = ExitCode.PLUGIN_ERROR
    if broken:
        for failed in broken:
            for line in failed.lines():
                click.echo(line, err=True)
        code = ExitCode.PLUGIN_ERROR
    sys.exit(int(code))


@click.command(context_settings=CONTEXT_SETTINGS)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@engine_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
@_handle
@keeps_start_up
def validate(
    options: Options, paths: tuple[Path, ...], fmt: str,
) -> None:
    """Check profiles (and the configuration) without evaluating them.

    Prints every problem of every file, one line each, and exits 2 when any
    file is invalid, or has the company id of an earlier file (ids compared
    ignoring case and width).
    """
    from ..errors import InputError
    from ..load import CompanyIds, dumps, expand_paths

    _generated_from_first_use()  # (before the engine, as evaluate)
    engine = options.build_engine()
    results = []
    ids = CompanyIds()
    for path in expand_paths(paths, _skipped):
        try:
            repeat = ids.claim(engine.load_profile(path).id, str(path))
            if repeat is not None:
                raise InputError(str(path), [repeat])
            results.append({"path": str(path), "valid": True, "problems": []})
        except InputError as exc:
            results.append({"path": str(path), "valid": False,
                            "problems": [{"path": p.path, "message": p.message}
                                         for p in exc.problems]})
            for line in exc.lines():
                click.echo(line, err=True)
    if fmt == "json":
        click.echo(dumps(results), nl=False)
    else:
        for r in results:
            if r["valid"]:
                click.echo(f"{r['path']}: ok")
    sys.exit(int(ExitCode.OK if all(r["valid"] for r in results) else ExitCode.INVALID_INPUT))
