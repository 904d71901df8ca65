"""``threshold diff`` and ``threshold verify``: what changed, and can it be reproduced."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from ._app import (
    CONTEXT_SETTINGS,
    ExitCode,
    Options,
    _handle,
    build_engine,
    engine_options,
    keeps_start_up,
)
from ._output import write_output


def plugin_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The plugin-loading options of ``engine_options``, without ``--config`` (``diff`` has
    one per side)."""
    for decorator in reversed([
        click.option("--no-plugin-autoload", is_flag=True,
                     help="Do not load plugins installed through entry points "
                     "(same as THRESHOLD_DISABLE_PLUGIN_AUTOLOAD=1)."),
        click.option("--disable-plugin", "disabled", multiple=True, metavar="NAME",
                     help="Do not load the plugin NAME (repeatable)."),
        click.option("--plugins-dir", "plugins_dirs", multiple=True,
                     type=click.Path(file_okay=False, path_type=Path),
                     help="Load every .py file in this folder as a plugin (repeatable)."),
        click.option("--rules-dir", "rules_dirs", multiple=True,
                     type=click.Path(file_okay=False, path_type=Path),
                     help="Load every .toml declarative rule pack and .py plugin in this "
                     "folder (repeatable)."),
    ]):
        fn = decorator(fn)
    return fn


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None


class _Sides:
    """Builds (and caches) one engine per configuration."""

    def __init__(self, no_plugin_autoload: bool, disabled: Sequence[str],
                 plugins_dirs: Sequence[Path], rules_dirs: Sequence[Path]) -> None:
        self.options = (no_plugin_autoload, tuple(disabled), tuple(plugins_dirs),
                        tuple(rules_dirs))
        self.engines: dict[Path | None, Any] = {}

    def engine(self, config_path: Path | None) -> Any:
        if config_path not in self.engines:
            self.engines[config_path] = build_engine(config_path, *self.options)
        return self.engines[config_path]

    def evaluations(self, path: Path, config_path: Path | None) -> list[Any]:
        from ..errors import InputError, Problem
        from ..explain import Evaluation
        from ..load import (
            CompanyIds,
            converter,
            expand_paths,
            is_decision_data,
            load_decisions,
        )

        ids = CompanyIds()  # companies are paired by id: one id, one company, on each side
        if path.is_file() and path.suffix.lower() == ".json" and is_decision_data(
            _read_json(path)
        ):
            saved = load_decisions(path)
            for i, d in enumerate(saved):
                repeat = ids.claim(d.company.id, f"$[{i}]")
                if repeat is not None:
                    raise InputError(str(path), [Problem(f"$[{i}].company.id", repeat.message)])
            return [Evaluation(d, f"{path} (saved decision)" if len(saved) == 1
                               else f"{path} [{d.company.id}] (saved decision)")
                    for d in saved]
        engine = self.engine(config_path)
        where = engine.config.path or "the default configuration"
        files = list(expand_paths([path]))
        if not files:
            raise InputError(str(path), [Problem("", "no .toml or .json profiles found")])
        out = []
        for f in files:
            profile = engine.load_profile(f)
            repeat = ids.claim(profile.id, str(f))
            if repeat is not None:
                raise InputError(str(f), [repeat])
            decision = engine.evaluate(profile, source_path=str(f))
            out.append(Evaluation(decision, f"{f} with {where}", engine.config,
                                  converter().unstructure(profile)))
        return out


@click.command(context_settings=CONTEXT_SETTINGS)
@click.argument("a", type=click.Path(exists=True, path_type=Path))
@click.argument("b", required=False, type=click.Path(exists=True, path_type=Path))
@click.option("--config-a", type=click.Path(dir_okay=False, path_type=Path),
              help="Configuration for evaluating A (default: the one found from the working "
              "folder, else the defaults).")
@click.option("--config-b", type=click.Path(dir_okay=False, path_type=Path),
              help="Configuration for evaluating B (default: as for A).")
@plugin_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the diff to this file (atomically) instead of stdout.")
@click.option("--fail-on-flip", is_flag=True,
              help="Exit 1 when any company's verdict differs between A and B.")
@_handle
def diff(
    a: Path, b: Path | None, config_a: Path | None, config_b: Path | None,
    no_plugin_autoload: bool, disabled: tuple[str, ...], plugins_dirs: tuple[Path, ...],
    rules_dirs: tuple[Path, ...], fmt: str, output: Path | None, fail_on_flip: bool,
) -> None:
    """Compare two evaluations and attribute every change to its cause.

    A and B are each a profile, a folder of profiles, or a saved decision JSON
    file (from evaluate --format json); B defaults to A, to compare two
    configurations of the same profiles. Companies are paired by id. Each
    change of verdict, grade and score is attributed to the dimensions
    (weight effect vs score effect, split exactly at the midpoint), the
    findings that appeared or cleared, the gate, the settings, the profile and
    the plugin versions recorded in the receipts. Two companies with one id on
    a side (ids compared ignoring case and width) are refused, naming both
    (exit 2).
    """
    from ..explain import diff_many, diff_to_dict
    from ..load import dumps
    from ..reports import render_diff_text

    sides = _Sides(no_plugin_autoload, disabled, plugins_dirs, rules_dirs)
    result = diff_many(sides.evaluations(a, config_a), sides.evaluations(b or a, config_b))
    cutoffs = sorted({b.min_score for e in sides.engines.values()
                      for b in e.config.policy.grades})
    text = dumps(diff_to_dict(result)) if fmt == "json" else render_diff_text(result, cutoffs)
    write_output(text, output)
    sys.exit(int(ExitCode.BELOW_BAR if fail_on_flip and result.flipped else ExitCode.OK))


@click.command(context_settings=CONTEXT_SETTINGS)
@click.argument("decision_file", metavar="DECISION", type=click.Path(exists=True, dir_okay=False,
                                                                     path_type=Path))
@click.argument("profile", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@engine_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
@_handle
@keeps_start_up
def verify(
    options: Options, decision_file: Path, profile: Path, fmt: str,
) -> None:
    """Replay a saved decision and check that it is reproduced.

    Re-evaluates PROFILE and compares the result with the DECISION file (one
    decision, as evaluate --format json writes it) field by field, except
    timings and the profile's path. When it differs, the receipt says why:
    input_sha256 (the profile changed), config_sha256 (the configuration
    changed), the engine version or a plugin's version. Exit 0 when
    reproduced, 1 when not.
    """
    from ..errors import InputError, Problem
    from ..explain import verify_decision
    from ..load import dumps, load_decisions

    saved = load_decisions(decision_file)
    if len(saved) != 1:
        raise InputError(str(decision_file), [Problem(
            "$", f"holds {len(saved)} decisions; verify takes a file with one")])
    engine = options.build_engine()
    report = verify_decision(saved[0], engine, profile)
    if fmt == "json":
        click.echo(dumps(report), nl=False)
    else:
        rec, now = report["recorded"], report["now"]
        if report["reproduced"]:
            click.echo(f"reproduced: {report['company']} {rec['verdict']} grade "
                       f"{rec['grade'] or '-'} score {rec['score']} (input_sha256 "
                       f"{rec['input_sha256'][:12]}, config_sha256 {rec['config_sha256'][:12]}, "
                       f"{len(rec['plugins'])} plugin versions match)")
        else:
            click.echo(f"NOT reproduced: {report['company']}")
            click.echo(f"  recorded: {rec['verdict']} grade {rec['grade'] or '-'} score "
                       f"{rec['score']}")
            click.echo(f"  now:      {now['verdict']} grade {now['grade'] or '-'} score "
                       f"{now['score']}")
            for c in report["causes"]:
                click.echo(f"  cause: {c['subject']}: {c['detail']}")
            diffs = report["differences"]
            click.echo(f"  {len(diffs)} field(s) differ" + (":" if diffs else ""))
            for d in diffs[:15]:
                click.echo(f"    {d['path']}: {_short(d['recorded'])} -> {_short(d['now'])}")
            if len(diffs) > 15:
                click.echo(f"    ... and {len(diffs) - 15} more (--format json lists all)")
    sys.exit(int(ExitCode.OK if report["reproduced"] else ExitCode.BELOW_BAR))


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."
