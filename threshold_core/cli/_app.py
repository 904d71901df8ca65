"""The ``threshold`` command line: thin commands over the library API.

Data goes to stdout, diagnostics to stderr. Every problem with an input is
one line naming the file and the path inside it, never a traceback (``--debug``
shows it). Exit codes are :class:`ExitCode`.
"""

from __future__ import annotations

import enum
import os
import sys
import tempfile
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from ._lazy import LazyGroup

if TYPE_CHECKING:
    from ..engine import Engine
    from ..model import EngineConfig

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class ExitCode(enum.IntEnum):
    """What ``threshold`` exits with."""

    #: Every company was evaluated (and met ``--fail-under``, when given).
    OK = 0
    #: A company's verdict is below the ``--fail-under`` bar.
    BELOW_BAR = 1
    #: Usage error, or an invalid profile, configuration or rule pack.
    INVALID_INPUT = 2
    #: A plugin failed to load or to run (the decision failed closed).
    PLUGIN_ERROR = 3
    #: A bug in threshold itself; please report it with the ``--debug`` output.
    INTERNAL_ERROR = 4
    #: Interrupted: Ctrl-C, or a plugin raised KeyboardInterrupt (128 + SIGINT, as shells do).
    INTERRUPTED = 130
    #: The reader of the output went away (``threshold ... | head``): 128 + SIGPIPE, the
    #: status of a command killed by a closed pipe, as other command-line tools end.
    CLOSED_PIPE = 141


def closed_pipe() -> NoReturn:
    """End quietly because stdout's reader is gone (no message: nobody is reading)."""
    # Point stdout at /dev/null so that the interpreter's last flush cannot fail again.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout without a descriptor (a test runner)
        pass
    sys.exit(int(ExitCode.CLOSED_PIPE))


class Options:
    """What the group and the engine options (:func:`engine_options`) were given.

    One object per run, handed to commands by :data:`pass_options`; commands
    build their engine with :meth:`build_engine`.
    """

    def __init__(self, debug: bool = False) -> None:
        self.debug = debug
        self.config_path: Path | None = None
        self.no_plugin_autoload = False
        self.disabled: tuple[str, ...] = ()
        self.plugins_dirs: tuple[Path, ...] = ()
        self.rules_dirs: tuple[Path, ...] = ()

    def build_engine(self) -> Engine:
        """The engine these options describe."""
        return build_engine(self.config_path, self.no_plugin_autoload, self.disabled,
                            self.plugins_dirs, self.rules_dirs)


#: Passes the run's :class:`Options` to a command as its first argument.
pass_options = click.make_pass_decorator(Options, ensure=True)


def _fail(lines: Sequence[str], code: ExitCode) -> NoReturn:
    for line in lines:
        click.echo(f"threshold: {line}" if not _has_location(line) else line, err=True)
    sys.exit(int(code))


def _has_location(line: str) -> bool:
    return ": $" in line


def _handle(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the errors users can cause into one-line messages and exit codes."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from ..errors import (
            InputError,
            InputErrors,
            PluginError,
            PluginInterrupted,
            ThresholdError,
        )

        debug = click.get_current_context().find_root().params.get("debug", False)
        try:
            return fn(*args, **kwargs)
        except (InputError, InputErrors) as exc:
            if debug:
                traceback.print_exc()
            _fail(exc.lines(), ExitCode.INVALID_INPUT)
        except PluginError as exc:
            if debug:
                traceback.print_exc()
            _fail(exc.lines(), ExitCode.PLUGIN_ERROR)
        except ThresholdError as exc:  # pragma: no cover - every subclass is handled above
            _fail(exc.lines(), ExitCode.INVALID_INPUT)
        except KeyboardInterrupt as exc:
            # Ctrl-C, or a plugin that raised KeyboardInterrupt: stop, never a traceback.
            if debug:
                traceback.print_exc()
            why = f" ({exc})" if isinstance(exc, PluginInterrupted) else ""
            _fail([f"interrupted{why}"], ExitCode.INTERRUPTED)
        except (click.ClickException, click.exceptions.Exit, SystemExit):
            raise
        except BrokenPipeError:
            closed_pipe()
        except Exception as exc:
            if debug:
                traceback.print_exc()
            _fail(
                [f"internal error: {type(exc).__name__}: {exc} "
                 "(run with --debug for the traceback)"],
                ExitCode.INTERNAL_ERROR,
            )

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


def _store(attr: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    """A callback that records an engine option on the run's :class:`Options`."""

    def callback(ctx: click.Context, _: click.Parameter, value: Any) -> Any:
        setattr(ctx.ensure_object(Options), attr, tuple(value) if isinstance(value, tuple)
                else value)
        return value

    return callback


def engine_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``--config``, ``--no-plugin-autoload``, ``--disable-plugin``, ``--plugins-dir``,
    ``--rules-dir``: recorded on :class:`Options`, which the command receives first."""
    for decorator in reversed(
        [
            click.option(
                "--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
                expose_value=False, callback=_store("config_path"),
                help="Configuration file (default: threshold.toml or [tool.threshold] in "
                "pyproject.toml, searched from the working folder upward).",
            ),
            click.option(
                "--no-plugin-autoload", is_flag=True,
                expose_value=False, callback=_store("no_plugin_autoload"),
                help="Do not load plugins installed through entry points "
                "(same as THRESHOLD_DISABLE_PLUGIN_AUTOLOAD=1).",
            ),
            click.option(
                "--disable-plugin", "disabled", multiple=True, metavar="NAME",
                expose_value=False, callback=_store("disabled"),
                help="Do not load the plugin NAME (repeatable).",
            ),
            click.option(
                "--plugins-dir", "plugins_dirs", multiple=True,
                type=click.Path(file_okay=False, path_type=Path),
                expose_value=False, callback=_store("plugins_dirs"),
                help="Load every .py file in this folder as a plugin (repeatable).",
            ),
            click.option(
                "--rules-dir", "rules_dirs", multiple=True,
                type=click.Path(file_okay=False, path_type=Path),
                expose_value=False, callback=_store("rules_dirs"),
                help="Load every .toml declarative rule pack and .py plugin in this folder "
                "(repeatable).",
            ),
        ]
    ):
        fn = decorator(fn)
    return pass_options(fn)


def build_engine(
    config_path: Path | None, no_plugin_autoload: bool, disabled: Sequence[str],
    plugins_dirs: Sequence[Path], rule_dirs: Sequence[Path] = (),
) -> Engine:
    """The engine a command runs."""
    from ..engine import Engine, create_plugin_manager
    from ..load import resolve_config

    # Problems of the file travel with it, so the engine reports them with its own at once.
    config: EngineConfig = resolve_config(config_path, collect=True)
    pm = create_plugin_manager(
        config,
        autoload=False if no_plugin_autoload else None,
        disable=disabled,
        plugin_dirs=plugins_dirs,
        rule_dirs=rule_dirs,
        defer_problems=True,
    )
    for notice in pm.notices:
        click.echo(f"threshold: warning: {notice}", err=True)
    return Engine(config, pm)


def _use_colour() -> bool:
    return "NO_COLOR" not in os.environ and sys.stdout.isatty()


def _style() -> Callable[..., str]:
    """``click.style`` on a terminal without ``NO_COLOR``; plain text otherwise."""
    if _use_colour():
        return click.style
    return lambda text, **_: str(text)


def write_output(text: str, output: Path | None) -> None:
    """Print, or write the file atomically (temporary file, then rename)."""
    if output is None:
        click.echo(text, nl=False, color=_use_colour())
        return
    from ..errors import cannot_write

    try:
        folder = output.resolve().parent
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", dir=folder)
    except OSError as exc:
        raise cannot_write(output, exc) from None
    try:
        # mkstemp makes the file private (0600); the output is an ordinary file: the
        # permissions a new file gets under the umask, as for a shell redirection.
        os.chmod(tmp, 0o666 & ~_umask())
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(click.unstyle(text))
        os.replace(tmp, output)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise cannot_write(output, exc) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


#: Every command, by the dotted path of its click object (imported when it runs).
COMMANDS = {
    "batch": "threshold_core.cli._batch.batch",
    "config": "threshold_core.cli._config.config",
    "diff": "threshold_core.cli._explain.diff",
    "evaluate": "threshold_core.cli._app.evaluate",
    "generate": "threshold_core.cli._batch.generate",
    "new": "threshold_core.cli._new.new",
    "plugins": "threshold_core.cli._app.plugins",
    "rules": "threshold_core.cli._app.rules",
    "schema": "threshold_core.cli._app.schema",
    "test": "threshold_core.cli._packtests.test_packs",
    "validate": "threshold_core.cli._app.validate",
    "verify": "threshold_core.cli._explain.verify",
}


@click.group(cls=LazyGroup, lazy_subcommands=COMMANDS, context_settings=CONTEXT_SETTINGS)
# package_name: the version is read from the metadata only when --version is given.
@click.version_option(None, "--version", package_name="threshold", prog_name="threshold")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Decide whether an AI model company crosses the 4 billion yuan line, and show why.

    Evaluate company profiles (TOML or JSON) with the built-in dimension
    scorers and compliance rule packs plus any installed plugins.
    """
    ctx.obj = Options(debug=debug)


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
    others are still evaluated.
    """
    from ..errors import InputError, PluginError, Problem
    from ..explain import explain_all
    from ..load import decision_json, decision_to_dict, decisions_json, dumps, expand_paths
    from ..reports import ReportOptions, render_markdowns, render_texts

    shown = ReportOptions(units=units)
    engine = options.build_engine()
    decisions, errors = [], []
    files = list(expand_paths(paths, _skipped))
    if not files:
        raise InputError(str(paths[0]), [Problem("$", "no .toml or .json profiles found")])
    broken: list[PluginError] = []
    for path in files:
        try:
            decisions.append(engine.evaluate_path(path))
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
def validate(
    options: Options, paths: tuple[Path, ...], fmt: str,
) -> None:
    """Check profiles (and the configuration) without evaluating them.

    Prints every problem of every file, one line each, and exits 2 when any
    file is invalid.
    """
    from ..errors import InputError
    from ..load import dumps, expand_paths

    engine = options.build_engine()
    results = []
    for path in expand_paths(paths, _skipped):
        try:
            engine.load_profile(path)
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


@click.command(context_settings=CONTEXT_SETTINGS)
@click.option("--all", "include_builtin", is_flag=True, help="Include the built-in plugins.")
@engine_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
@_handle
def plugins(
    options: Options, include_builtin: bool, fmt: str,
) -> None:
    """List the plugins loaded: name, version, origin, components and hooks."""
    from ..load import dumps
    from ..reports import describe_plugins

    engine = options.build_engine()
    listing = describe_plugins(engine, include_builtin=include_builtin)
    if fmt == "json":
        click.echo(dumps(listing), nl=False)
        return
    if not listing:
        click.echo("No third-party plugins loaded (use --all to include the built-ins).")
    for p in listing:
        where = p["distribution"] or p["path"] or ""
        click.echo(f"{p['name']} {p['version']} [{p['origin']}] {where}".rstrip())
        if p["path"] and p["origin"] == "drop_in":
            click.echo(f"  file: {p['path']}")
        click.echo(f"  components: {', '.join(p['components']) or '-'}")
        click.echo(f"  hooks: {', '.join(p['hooks'])}")


@click.command(context_settings=CONTEXT_SETTINGS)
@click.option("--pack", help="Only the rules of this pack.")
@click.option("--parameters", "show_parameters", is_flag=True,
              help="List the scorers' weights, bands and parameters with their sources "
                   "instead of the rules.")
@click.option("--scorer", help="With --parameters: only this scorer's.")
@engine_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
@_handle
def rules(
    options: Options, pack: str | None, show_parameters: bool, scorer: str | None, fmt: str,
) -> None:
    """List every compliance rule: id, pack, severity, dimension, title, source.

    A rule whose severity depends on the profile shows every severity it can
    fire at, most severe first (``critical / high``).

    With --parameters, list every scorer's weights, bands and other numeric
    settings in force instead: value, basis (primary, secondary, house policy;
    configured when the configuration changed it) and source, then the count
    per basis.
    """
    from ..load import dumps
    from ..reports import describe_rules, text_table

    engine = options.build_engine()
    if show_parameters or scorer is not None:
        _parameters(engine, scorer, fmt)
        return
    _known(pack, engine.packs, "rule pack", "--pack")
    listing = describe_rules(engine, pack=pack)
    if fmt == "json":
        click.echo(dumps(listing), nl=False)
        return
    rows = [[r["id"], r["pack"],
             " / ".join(r["severities"]) + (" (disabled)" if r["disabled"] else ""),
             r["dimension"] or "-", r["title"], r["source"]] for r in listing]
    click.echo("\n".join(text_table(["id", "pack", "severity", "dimension", "title", "source"],
                                rows, right=set())))


def _known(name: str | None, known: Any, what: str, hint: str) -> None:
    """A usage error (exit 2) when ``name`` is given and not among ``known``."""
    if name is not None and name not in known:
        raise click.BadParameter(f"no {what} {name!r} (known: {', '.join(sorted(known))})",
                                 param_hint=hint)


def _parameters(engine: Any, scorer: str | None, fmt: str) -> None:
    from ..load import dumps
    from ..reports import describe_parameters, text_table

    _known(scorer, engine.scorers, "scorer", "--scorer")
    listing = describe_parameters(engine, scorer=scorer)
    if fmt == "json":
        click.echo(dumps(listing), nl=False)
        return
    rows = [[r["scorer"], r["parameter"], r["value"], r["basis"], r["source"] or "-"]
            for r in listing]
    click.echo("\n".join(text_table(["scorer", "parameter", "value", "basis", "source"],
                                    rows, right=set())))
    counts: dict[str, int] = {}
    for r in listing:
        counts[r["basis"]] = counts.get(r["basis"], 0) + 1
    click.echo(f"\n{len(listing)} parameters: "
               + ", ".join(f"{n} {b}" for b, n in sorted(counts.items())))


@click.command(context_settings=CONTEXT_SETTINGS)
@click.argument("name", type=click.Choice(["decision", "profile", "config"]))
@engine_options
@_handle
def schema(options: Options, name: str) -> None:
    """Print the JSON Schema of a decision, a profile or the configuration.

    The configuration schema includes the settings sections of the plugins
    loaded; the profile schema, the [extensions.<name>] section each plugin
    loaded declares.
    """
    from ..load import dumps
    from ..reports import schema as make_schema

    types: dict[str, type] = {}
    extensions: dict[str, type] = {}
    declared_by: dict[str, str] = {}
    if name == "config":
        from ..engine import declared_settings_types

        engine = options.build_engine()
        types = {k: v[0] for k, v in declared_settings_types(engine.pm).items()}
    elif name == "profile":
        engine = options.build_engine()
        extensions = dict(engine.extension_types.types)
        declared_by = dict(engine.extension_types.plugins)
    click.echo(dumps(make_schema(name, types, extensions, declared_by)), nl=False)


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point."""
    cli.main(args=list(argv) if argv is not None else None, prog_name="threshold")
