"""Evaluating records on a Dask cluster (``threshold batch --executor dask``).

Evaluation is a pure function of (record, configuration, plugin set), so a
record gives the same line on any machine that has the same plugin set. The
client reads the portfolio lazily, sends it to the cluster in partitions of
:data:`PARTITION` records with a bounded number of partitions in flight, and
yields the outcomes in input order: the writing, the resume journal and the
exit codes are those of a local run (``_batch``).

What travels, and what must already be there:

- the configuration travels: the client resolves it and every task carries it,
  so workers need no configuration file;
- JSONL, CSV and workbook rows travel (the row's text or cells);
- plugins do not travel: each worker builds its engine from what is installed
  there and from the drop-in folders (``--plugins-dir``, ``--rules-dir``,
  ``plugin_dirs``, ``rule_dirs``) at the same absolute paths as on the client,
  and so do the files of a folder portfolio (a shared file system).

Before any record is sent, each worker builds its engine and compares its
plugin set's fingerprint (:func:`plugin_set_fingerprint`) with the client's; a
worker whose set differs (a plugin missing or of another version, a drop-in
file with other contents) stops the run with one line naming the worker and
the first difference (exit code 3). A worker that joins later is checked by its
first partition the same way.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import CancelledError
from itertools import islice
from pathlib import Path
from typing import Any

from attrs import frozen

from ..errors import InputError, PluginError, Problem
from ..model import EngineConfig
from ._evaluate import Outcome, evaluate_with
from ._executor import WorkerDied
from ._fingerprint import Fingerprint, plugin_set_fingerprint
from ._records import Record

#: Records per task sent to the cluster (by default).
PARTITION = 128
#: Partitions in flight per worker thread (the rest of the portfolio is not read yet).
IN_FLIGHT_PER_THREAD = 3
#: What to run to get the extra.
INSTALL_HINT = "pip install 'threshold[dask]'"


@frozen
class Setup:
    """What every task carries: the run's configuration and what the client loaded."""

    #: Names the run, so that a worker builds its engine once per run (per thread).
    token: str
    config: EngineConfig
    #: ``create_plugin_manager`` keywords, resolved on the client (autoload included).
    options: dict[str, Any]
    fmt: str
    fingerprint: Fingerprint
    #: Each decision carries its explanation (``--explain``).
    explain: bool = False


class WorkerRefused(Exception):
    """A worker could not build the client's plugin set (sent back to the client)."""


_LOCAL = threading.local()


def _worker_address() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):  # pragma: no cover - always in a worker
        return "?"


def _engine_for(setup: Setup) -> Any:
    """This thread's engine for the run, built and checked on first use."""
    engines: dict[str, Any] = getattr(_LOCAL, "engines", {})
    _LOCAL.engines = engines
    if setup.token in engines:
        return engines[setup.token]
    from ..engine import Engine, create_plugin_manager
    from ..errors import ThresholdError

    where = f"the Dask worker {_worker_address()}"
    try:
        engine = Engine(setup.config, create_plugin_manager(setup.config, **setup.options))
    except ThresholdError as exc:
        # Only a plain message crosses back: the error classes' pickling needs their fields.
        raise WorkerRefused(f"{where} cannot load the plugin set: {exc.lines()[0]}") from None
    theirs = plugin_set_fingerprint(engine.pm)
    if theirs != setup.fingerprint:
        raise WorkerRefused(
            f"{where} has a different plugin set: {setup.fingerprint.difference(theirs)}")
    engines.clear()  # one run at a time per thread: drop engines of earlier runs
    engines[setup.token] = engine
    return engine


def check_worker(setup: Setup) -> str:
    """Build (and keep) this worker's engine for the run; its address when it matches."""
    _engine_for(setup)
    return _worker_address()


def run_partition(setup: Setup, records: Sequence[Record]) -> list[Outcome]:
    """Evaluate one partition on a worker, in order."""
    engine = _engine_for(setup)
    return [evaluate_with(engine, setup.fmt, r, setup.explain) for r in records]


def make_setup(config: EngineConfig, options: dict[str, Any], fmt: str, pm: Any,
               explain: bool = False) -> Setup:
    """The run's setup from the client's configuration and plugin manager (drop-in
    folders as absolute paths, entry-point autoload as decided here)."""
    from ..engine import autoload_enabled

    resolved = dict(options)
    resolved["autoload"] = autoload_enabled(options.get("autoload"), config)
    resolved["plugin_dirs"] = tuple(Path(p).resolve() for p in options.get("plugin_dirs") or ())
    resolved["rule_dirs"] = tuple(Path(p).resolve() for p in options.get("rule_dirs") or ())
    resolved["disable"] = tuple(options.get("disable") or ())
    return Setup(uuid.uuid4().hex, config, resolved, fmt, plugin_set_fingerprint(pm), explain)


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise InputError("--executor dask", [Problem(
            "", f"needs Dask's distributed, which is not installed: {INSTALL_HINT}")]) from None
    return distributed


def _unreachable(scheduler: str, why: str) -> InputError:
    return InputError("--scheduler", [Problem(
        "", f"cannot reach the Dask scheduler at {scheduler}: {why}")])


def _connect(distributed: Any, scheduler: str | None, jobs: int) -> tuple[Any, Any]:
    """A client of ``scheduler``, or of a new local cluster of ``jobs`` worker processes."""
    if scheduler is None:
        # Its own logs (a worker restarted, a task given up) would be lines on stderr
        # beside threshold's one-line messages: a dying worker is reported as under --jobs.
        # dashboard_address=None does not turn the dashboard off (dask/distributed#8136): it
        # takes port 8787, and a second run (or anything else there) printed "Port 8787 is
        # already in use" on the user's stderr. A free port on this machine only, as
        # distributed's own tests do.
        cluster = distributed.LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                                           dashboard_address="127.0.0.1:0",
                                           silence_logs=logging.CRITICAL)
        return distributed.Client(cluster, set_as_default=False), cluster
    try:
        client = distributed.Client(scheduler, set_as_default=False)
    except (OSError, ValueError, TypeError) as exc:  # TimeoutError is an OSError
        why = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise _unreachable(scheduler, why) from None
    return client, None


class ClusterFailed(PluginError):
    """A worker refused the run or could not run it (exit code 3), as one line."""

    def __init__(self, message: str) -> None:
        super().__init__("batch", message)

    def lines(self) -> list[str]:
        return [self.message]


def _refused(exc: BaseException) -> ClusterFailed:
    text = str(exc.args[0]) if exc.args else str(exc)
    return ClusterFailed(f"{text}; every worker needs the client's plugins, and its drop-in "
                         "folders at the same paths (README, Portfolios)")


def _check_workers(client: Any, setup: Setup, scheduler: str | None) -> int:
    """Check every worker's plugin set; how many threads the cluster runs tasks on."""
    import dask

    wait = dask.utils.parse_timedelta(dask.config.get("distributed.comm.timeouts.connect"))
    try:
        client.wait_for_workers(1, timeout=wait)
    except (OSError, TimeoutError):
        raise _unreachable(scheduler or "the local cluster",
                           f"no worker joined within {wait:g} s") from None
    threads = client.nthreads()
    futures = {addr: client.submit(check_worker, setup, workers=[addr], pure=False,
                                   allow_other_workers=False) for addr in threads}
    for addr, future in futures.items():
        try:
            future.result()
        except WorkerRefused as exc:
            raise _refused(exc) from None
        except Exception as exc:  # threshold missing there, a pickling error...
            raise ClusterFailed(f"the Dask worker {addr} cannot run threshold's tasks: "
                                f"{type(exc).__name__}: {exc}") from None
    return max(1, int(sum(threads.values())))


class DaskRun:
    """A connected cluster whose workers hold the run's plugin set (:func:`open_cluster`)."""

    def __init__(self, distributed: Any, client: Any, cluster: Any, setup: Setup) -> None:
        self.distributed = distributed
        self.client = client
        self.cluster = cluster
        self.setup = setup
        self.threads = 1

    def map(self, records: Iterable[Record], label: Callable[[Record], str],
            partial: str | None, partition: int = PARTITION) -> Iterator[Outcome]:
        """The outcomes of ``records`` evaluated on the cluster, in input order.

        At most ``threads * IN_FLIGHT_PER_THREAD`` partitions are in flight; the rest
        of the portfolio is not read yet.

        :raises PluginError: a worker's plugin set differs, a worker died, or the
            cluster was lost (exit 3; the decisions before are kept for ``--resume``).
        """
        client, setup = self.client, self.setup
        window: deque[tuple[list[Record], Any]] = deque()
        source = iter(records)

        def submit() -> None:
            chunk = list(islice(source, partition))
            if chunk:
                window.append((chunk, client.submit(run_partition, setup, chunk, pure=False)))

        try:
            for _ in range(self.threads * IN_FLIGHT_PER_THREAD):
                submit()
            while window:
                chunk, future = window.popleft()
                try:
                    outcomes = future.result()
                except WorkerRefused as exc:
                    raise _refused(exc) from None
                except self.distributed.KilledWorker:
                    raise WorkerDied(label(chunk[0]), label(chunk[-1]), partial) from None
                except (OSError, self.distributed.comm.CommClosedError, CancelledError) as exc:
                    where = f"{label(chunk[0])} to {label(chunk[-1])}"
                    kept = ("" if partial is None else f"; the decisions before are kept in "
                            f"{partial}: run again with --resume")
                    raise ClusterFailed(f"lost the Dask cluster ({type(exc).__name__}) while "
                                        f"evaluating {where}{kept}") from None
                submit()
                yield from outcomes
        finally:
            for _, future in window:
                future.cancel()

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def open_cluster(setup: Setup, scheduler: str | None, jobs: int) -> DaskRun:
    """Connect to ``scheduler`` (or start a local cluster of ``jobs`` worker processes)
    and check every worker's plugin set, before anything is read or written.

    :raises InputError: the extra is missing, or the scheduler cannot be reached (exit 2).
    :raises PluginError: a worker's plugin set differs from the client's (exit 3).
    """
    distributed = _distributed()
    client, cluster = _connect(distributed, scheduler, jobs)
    run = DaskRun(distributed, client, cluster, setup)
    try:
        run.threads = _check_workers(client, setup, scheduler)
    except BaseException:
        run.close()
        raise
    return run
