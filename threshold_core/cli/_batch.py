"""``threshold batch`` and ``threshold generate``: portfolios at speed."""

from __future__ import annotations

import codecs
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ._app import CONTEXT_SETTINGS, ExitCode, Options, _handle, engine_options


def _check_encoding(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return codecs.lookup(value).name
    except LookupError:
        raise click.BadParameter(f"unknown encoding {value!r}") from None


def _digits(value: object) -> bool:
    """Whether ``value`` (a string from the command line) is a whole number written in
    ASCII digits with an optional leading ``-``. Python's ``int`` also reads ``1_0`` as
    10, `` 7 `` as 7 and Arabic-Indic digits as numbers: a count of workers or
    profiles written so is a typing slip, refused (exit 2), not read as a number the
    user did not write."""
    if not isinstance(value, str):
        return True  # a default, already a number
    body = value[1:] if value[:1] == "-" else value
    return body.isascii() and body.isdigit()


#: The most worker processes ``batch --jobs`` starts (house policy: far above any machine's
#: cores, below what an operating system lets one process start).
MAX_JOBS = 1024


class Whole(click.IntRange):
    """A whole number in a range, in ASCII digits (see :func:`_digits`)."""

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> int:
        if not _digits(value):
            self.fail(f"{value!r} is not a whole number in digits 0-9", param, ctx)
        result: int = super().convert(value, param, ctx)
        return result


if TYPE_CHECKING:
    _IntType = click.ParamType[int]  # generic from click 8.2; the project allows 8.1
else:
    _IntType = click.ParamType


class Integer(_IntType):
    """A whole number, in ASCII digits (see :func:`_digits`)."""

    name = "integer"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> int:
        if not _digits(value):
            self.fail(f"{value!r} is not a whole number in digits 0-9", param, ctx)
        return int(value)


@click.command(context_settings=CONTEXT_SETTINGS)
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@engine_options
@click.option("--jobs", "-j", type=Whole(1, MAX_JOBS), default=1, show_default=True,
              help="Worker processes (with --executor dask and no --scheduler: the local "
              f"cluster's workers), at most {MAX_JOBS}.")
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local",
              show_default=True, help="local: this machine (--jobs processes); dask: a Dask "
              "cluster (the dask extra), the same output byte for byte apart from timings.")
@click.option("--scheduler", metavar="ADDRESS",
              help="With --executor dask: the scheduler, for example tcp://10.0.0.5:8786 "
              "(default: a local cluster of --jobs worker processes). Workers need the same "
              "plugins, and drop-in folders at the same paths.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write decisions here (via OUTPUT.partial, renamed at the end); "
              "default stdout.")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "xlsx"]), default="jsonl",
              show_default=True, help="jsonl: one full decision per line; csv: one summary row "
              "per company; xlsx: the csv rows as an Excel workbook (needs --output and the "
              "xlsx extra).")
@click.option("--bom", is_flag=True,
              help="Start CSV output with a UTF-8 byte-order mark, so that Excel reads Chinese "
              "names.")
@click.option("--resume", is_flag=True,
              help="Keep the decisions already in OUTPUT.partial and skip their company "
              "ids (a repeated id is still refused); refused (exit 2) when they were made "
              "with another format, configuration, plugin set or --explain, or hold a "
              "company twice.")
@click.option("--explain", is_flag=True,
              help="Explain each decision as threshold evaluate does (distance to the next "
              "better verdict, margin, robustness): jsonl lines carry it in \"explain\"; csv "
              "and xlsx rows end with next_verdict, gap, blockers, margin and robustness.")
@click.option("--encoding", callback=_check_encoding, metavar="NAME",
              help="Encoding of a .jsonl or .csv SOURCE (default UTF-8, with or without a "
              "byte-order mark), for example gbk.")
@_handle
def batch(
    options: Options, source: Path, jobs: int, executor: str, scheduler: str | None,
    output: Path | None, fmt: str, bom: bool, resume: bool, explain: bool,
    encoding: str | None,
) -> None:
    """Evaluate a portfolio: a folder of profiles, a .jsonl, a .csv or an .xlsx file.

    Invalid rows are reported on stderr (row, path inside it, message) and
    skipped; every valid company is written exactly once. A row with the
    company id of an earlier row (ids compared ignoring case and width) is
    such a row, naming both. A summary goes to
    stderr at the end. Exit 2 when some rows were invalid, 3 when a plugin
    failed on some company. Ctrl-C or SIGTERM stops the run (exit 130, 143):
    the workers are stopped and OUTPUT.partial is kept for --resume.

    --executor dask runs the companies on a Dask cluster (pip install
    'threshold[dask]'): exit 2 when the scheduler cannot be reached, 3 when a
    worker's plugin set differs from this machine's or a worker dies.
    """
    from ..load import resolve_config
    from ..portfolio import run_batch

    if resume and output is None:
        raise click.UsageError("--resume needs --output")
    if scheduler is not None and executor != "dask":
        raise click.UsageError("--scheduler needs --executor dask")
    if scheduler is not None and jobs > 1:
        raise click.UsageError("--jobs sets the workers of a local cluster; with --scheduler "
                               "the cluster's own workers run the batch")
    config = resolve_config(options.config_path)
    plugin_options = {
        "autoload": False if options.no_plugin_autoload else None,
        "disable": options.disabled,
        "plugin_dirs": options.plugins_dirs,
        "rule_dirs": options.rules_dirs,
    }
    if fmt == "xlsx" and output is None:
        raise click.UsageError("--format xlsx needs --output FILE")
    summary = run_batch(source, config, plugin_options=plugin_options, output=output, fmt=fmt,
                        jobs=jobs, resume=resume, bom=bom, encoding=encoding,
                        executor=executor, scheduler=scheduler, explain=explain,
                        on_notice=lambda line: click.echo(line, err=True))
    rate = summary.written / summary.seconds if summary.seconds else 0.0
    lines = [
        f"threshold batch: {summary.written} written"
        + (f", {summary.skipped_resumed} kept from the earlier run" if resume else "")
        + f", {summary.invalid} invalid, {summary.plugin_errors} plugin errors"
        f" in {summary.seconds:.1f}s ({rate:,.0f}/s)",
        "  verdicts: " + (", ".join(f"{k} {v}" for k, v in summary.verdicts.items()) or "none"),
        "  most frequent findings: "
        + (", ".join(f"{k} {v}" for k, v in summary.top_findings) or "none"),
    ]
    for line in lines:
        click.echo(line, err=True)
    code = ExitCode.OK
    if summary.invalid:
        code = ExitCode.INVALID_INPUT
    if summary.plugin_errors:
        code = ExitCode.PLUGIN_ERROR
    sys.exit(int(code))


#: The most profiles ``generate`` writes in one run (house policy: a million profiles are
#: about 4 GB of JSON Lines, ten times the largest benchmark's; a larger count is a typo).
MAX_GENERATE = 1_000_000


@click.command(context_settings=CONTEXT_SETTINGS)
@click.argument("count", type=Whole(0, MAX_GENERATE))
@click.option("--seed", type=Integer(), default=0, show_default=True, help="Random seed.")
@click.option("--output", "-o", type=click.Path(path_type=Path),
              help="A .jsonl file, or a folder to fill with one .json file per company; "
              "default stdout (JSONL). Each file is written whole (a temporary file in the "
              "same folder, then renamed): an interrupted run leaves no partial file.")
@_handle
def generate(count: int, seed: int, output: Path | None) -> None:
    """Generate COUNT seeded synthetic profiles (for tests and benchmarks); COUNT is at
    most 1,000,000 (house policy)."""
    from ..errors import cannot_write, not_written, output_target
    from ..portfolio import synthetic_portfolio
    from ._output import atomic_text

    docs = synthetic_portfolio(count, seed)
    if output is None:
        for doc in docs:
            click.echo(json.dumps(doc, ensure_ascii=False, separators=(",", ":")))
        return
    named = output
    output, atomic = output_target(output)  # a link's target; a FIFO or device in place
    if not atomic:  # a FIFO or a device is written in place, as it streams
        try:
            with output.open("w", encoding="utf-8") as fh:
                for doc in docs:
                    fh.write(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n")
        except OSError as exc:
            raise cannot_write(named, exc, "writing to it") from None
        return
    if output.suffix.lower() == ".jsonl" or named.suffix.lower() == ".jsonl":
        with atomic_text(output, named) as fh:
            for doc in docs:
                fh.write(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n")
        return
    if output.exists() and not output.is_dir():
        raise not_written(named, "cannot write: it is a file, and an --output not named "
                                 "*.jsonl is a folder for one .json file per company")
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise cannot_write(named, exc, "creating the folder") from None
    for doc in docs:
        target = output / f"{doc['id']}.json"
        with atomic_text(target) as fh:
            fh.write(json.dumps(doc, ensure_ascii=False, indent=1))
