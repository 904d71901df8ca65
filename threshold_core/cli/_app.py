"""The ``threshold`` command line: thin commands over the library API.

Data goes to stdout, diagnostics to stderr. Every problem with an input is
one line naming the file and the path inside it, never a traceback (``--debug``
shows it). Exit codes are :class:`ExitCode`.
"""

from __future__ import annotations

import enum
import gc
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from ._lazy import LazyGroup

if TYPE_CHECKING:
    from ..engine import Engine
    from ..model import EngineConfig


#: True in the ``threshold`` process itself (:func:`main` without ``argv``): the
#: process ends with the command, so start-up objects may be frozen (``gc.freeze``).
_CONSOLE = False
#: The cyclic garbage collector is paused for the start-up (see :func:`end_start_up`).
_PAUSED = False


def end_start_up() -> None:
    """Start-up is over: freeze what it built and let the collector run again.

    In the ``threshold`` process :func:`main` pauses the cyclic garbage collector:
    a start imports the model, loader, engine, plugins and their libraries,
    thousands of objects that live as long as the process, which the collector
    would otherwise walk again and again (about 10 to 20 ms of a start). The
    pause ends when the engine is built, or, for ``evaluate``, after the first
    decision (one profile's work, however many follow); a command that builds
    no engine ends it before it starts. Elsewhere (tests, embedding) nothing is
    paused.
    """
    global _PAUSED
    if _PAUSED:
        _PAUSED = False
        gc.freeze()
        gc.enable()


def keeps_start_up(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a command that ends the start-up pause itself (:func:`end_start_up`)."""
    fn._keeps_start_up = True  # type: ignore[attr-defined]
    return fn

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class ExitCode(enum.IntEnum):
    """What ``threshold`` exits with."""

    #: Every company was evaluated (and met ``--fail-under``, when given).
    OK = 0
    #: A company's verdict is below the ``--fail-under`` bar.
    BELOW_BAR = 1
    #: Usage error, an invalid profile, configuration or rule pack, or an output (a file,
    #: standard output) that cannot be written.
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
    #: Stopped by SIGTERM (``kill``, ``docker stop``): 128 + SIGTERM, cleaned up as for Ctrl-C.
    TERMINATED = 143


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

    def build_engine(self, *, start_up_ends: bool = True) -> Engine:
        """The engine these options describe; then the start-up is over
        (:func:`end_start_up`) unless ``start_up_ends`` is false."""
        engine = build_engine(self.config_path, self.no_plugin_autoload, self.disabled,
                              self.plugins_dirs, self.rules_dirs)
        if start_up_ends:
            end_start_up()
        return engine


#: Passes the run's :class:`Options` to a command as its first argument.
pass_options = click.make_pass_decorator(Options, ensure=True)


def _fail(lines: Sequence[str], code: ExitCode, *, named: bool = False) -> NoReturn:
    """Each line on stderr; one that names no file (``named``: each names its file, an
    output's line too, which has no path inside it) after ``threshold: ``."""
    for line in lines:
        click.echo(line if named or _has_location(line) else f"threshold: {line}", err=True)
    sys.exit(int(code))


def _print_traceback() -> None:
    import traceback

    traceback.print_exc()


def _has_location(line: str) -> bool:
    return ": $" in line


def _handle(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the errors users can cause into one-line messages and exit codes."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        # attrs' and cattrs' generated code from the disk cache (docs: README, Performance).
        from ._codecache import installed
        from ._process import sigterm_stops

        if not getattr(fn, "_keeps_start_up", False):
            end_start_up()
        with installed(), sigterm_stops(_CONSOLE):
            return handled(*args, **kwargs)

    def handled(*args: Any, **kwargs: Any) -> Any:
        from ..errors import (
            InputError,
            InputErrors,
            PluginError,
            PluginInterrupted,
            ThresholdError,
        )
        from ._process import StdoutError, closed_pipe, terminated

        debug = click.get_current_context().find_root().params.get("debug", False)
        try:
            return fn(*args, **kwargs)
        except (InputError, InputErrors) as exc:
            if debug:
                _print_traceback()
            _fail(exc.lines(), ExitCode.INVALID_INPUT, named=True)
        except PluginError as exc:
            if debug:
                _print_traceback()
            _fail(exc.lines(), ExitCode.PLUGIN_ERROR)
        except ThresholdError as exc:  # pragma: no cover - every subclass is handled above
            _fail(exc.lines(), ExitCode.INVALID_INPUT)
        except KeyboardInterrupt as exc:
            # Ctrl-C, SIGTERM, or a plugin that raised KeyboardInterrupt: stop, never a traceback.
            if debug:
                _print_traceback()
            if terminated():
                _fail(["terminated"], ExitCode.TERMINATED)
            why = f" ({exc})" if isinstance(exc, PluginInterrupted) else ""
            _fail([f"interrupted{why}"], ExitCode.INTERRUPTED)
        except (click.ClickException, click.exceptions.Exit, SystemExit, StdoutError):
            raise  # StdoutError: reported by main() (_process.console_streams)
        except BrokenPipeError:
            closed_pipe()
        except Exception as exc:
            if debug:
                _print_traceback()
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
    from ._codecache import cache_dir, installation

    # Problems of the file travel with it, so the engine reports them with its own at once.
    config: EngineConfig = resolve_config(config_path, collect=True)
    pm = create_plugin_manager(
        config,
        autoload=False if no_plugin_autoload else None,
        disable=disabled,
        plugin_dirs=plugins_dirs,
        rule_dirs=rule_dirs,
        defer_problems=True,
        # The entry-point scan, kept while the installed distributions are unchanged.
        entry_point_cache=(folder / f"entry-points-{installation()}.json"
                           if (folder := cache_dir()) else None),
    )
    for notice in pm.notices:
        click.echo(f"threshold: warning: {notice}", err=True)
    if any(info.origin != "builtin" for info in pm.info.values()):
        from . import _fastexit

        _fastexit.withhold()  # a plugin's open files are finalised by the usual exit
    if folder is not None:
        from ..declarative import use_check_cache

        # The profile's CEL types and the checks of the packs' expressions (saved when
        # the command ends: _codecache.installed).
        use_check_cache(folder / f"cel-checks-{installation()}.marshal")
    return Engine(config, pm)


def _use_colour() -> bool:
    return "NO_COLOR" not in os.environ and sys.stdout.isatty()


def _style() -> Callable[..., str]:
    """``click.style`` on a terminal without ``NO_COLOR``; plain text otherwise."""
    if _use_colour():
        return click.style
    return lambda text, **_: str(text)


#: Every command, by the dotted path of its click object (imported when it runs).
COMMANDS = {
    "batch": "threshold_core.cli._batch.batch",
    "config": "threshold_core.cli._config.config",
    "diff": "threshold_core.cli._explain.diff",
    "evaluate": "threshold_core.cli._evaluate.evaluate",
    "generate": "threshold_core.cli._batch.generate",
    "new": "threshold_core.cli._new.new",
    "plugins": "threshold_core.cli._catalog.plugins",
    "rules": "threshold_core.cli._catalog.rules",
    "schema": "threshold_core.cli._catalog.schema",
    "server": "threshold_core.cli._servercmd.server",
    "test": "threshold_core.cli._packtests.test_packs",
    "validate": "threshold_core.cli._evaluate.validate",
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


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point.

    As the ``threshold`` command (no ``argv``) the process ends here, so what it
    made is frozen (:func:`gc.freeze`) first: the interpreter's exit then frees
    it without the collector walking it all once more (about 30 ms of a short
    command; atexit handlers, thread joins and flushes still run), and it ends
    without taking its modules apart (``_fastexit.py``). The modules it imports
    (threshold's own and its libraries' submodules) come from the module cache
    (``_modcache.py``) and its regular expressions from their cache (``_recache.py``);
    protobuf's pure-Python messages and four standard modules its libraries import but an
    evaluation never reads run only if something uses them (``_deferred.py``).
    """
    global _CONSOLE, _PAUSED
    from . import _startup

    _CONSOLE = argv is None
    if _CONSOLE and (gc.isenabled() or _startup.PAUSED):
        gc.disable()
        _PAUSED = True
    elif _startup.PAUSED:  # paused for the command, and called as a function instead
        gc.enable()
    _startup.PAUSED = False
    try:
        if not _CONSOLE:
            cli.main(args=list(argv) if argv is not None else None, prog_name="threshold")
            return
        from . import _fastexit
        from ._codecache import cache_dir, installation
        from ._deferred import deferring
        from ._modcache import serving

        armed = _fastexit.arm()
        try:
            with serving(cache_dir(), installation()), deferring():
                from ._process import console_streams  # (served from the module cache)

                with console_streams():
                    cli.main(prog_name="threshold")
        except SystemExit as exc:
            if armed:
                _fastexit.set_status(exc.code)
            raise
    finally:
        if _startup.COMMAND:  # re's compiler as it was; the patterns it compiled kept
            from . import _recache

            _recache.finish()
        if _CONSOLE:
            gc.freeze()
            end_start_up()
