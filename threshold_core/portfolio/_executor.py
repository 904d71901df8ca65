"""Evaluating records in worker processes, in input order, with a bounded window.

:func:`ordered_chunks` hands records to ``jobs`` processes in chunks and yields
each chunk's result in input order. At most ``jobs * 4`` chunks are in flight, so a
portfolio of any size is never all read ahead. It uses
:class:`concurrent.futures.ProcessPoolExecutor` rather than
``multiprocessing.Pool`` because the executor notices a worker that died
(killed by a signal, out of memory, a plugin's native code crashing): the pool
would wait for its lost result forever, and print a traceback when it left.
"""

from __future__ import annotations

import multiprocessing
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from typing import Any, TypeVar

from ..errors import PluginError

T = TypeVar("T")
R = TypeVar("R")

#: Records per task sent to a worker.
CHUNK = 32


class WorkerDied(PluginError):
    """A worker process ended without returning its results (exit code 3)."""

    def __init__(self, first: str, last: str, partial: str | None) -> None:
        where = first if first == last else f"{first} to {last}"
        message = (
            f"a worker process stopped abruptly (killed, out of memory, or crashed by "
            f"a plugin) while evaluating {where}"
        )
        if partial is not None:
            message += f"; the decisions before are kept in {partial}: run again with --resume"
        super().__init__("batch", message)
        self.message = message

    def lines(self) -> list[str]:
        return [self.message]  # the CLI starts it with "threshold: "


def ordered_chunks(
    fn: Callable[[int, list[T]], R],
    items: Iterable[T],
    *,
    jobs: int,
    initializer: Callable[..., None],
    initargs: tuple[Any, ...],
    label: Callable[[T], str] = str,
    partial: str | None = None,
) -> Iterator[R]:
    """``fn(n, chunk)`` for the ``n``-th chunk of ``items`` (:data:`CHUNK` items each) in
    ``jobs`` worker processes, the results in input order.

    :raises WorkerDied: when a worker process ends while evaluating (naming the
        records it was given, by ``label``).
    """
    ctx = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
    executor = ProcessPoolExecutor(jobs, mp_context=ctx, initializer=initializer, initargs=initargs)
    source = iter(items)
    window: deque[tuple[list[T], Future[R]]] = deque()
    count = 0

    def submit() -> None:
        nonlocal count
        chunk = list(islice(source, CHUNK))
        if chunk:
            window.append((chunk, executor.submit(fn, count, chunk)))
            count += 1

    try:
        for _ in range(jobs * 4):
            submit()
        while window:
            chunk, future = window.popleft()
            try:
                result = future.result()
            except BrokenProcessPool:
                raise WorkerDied(label(chunk[0]), label(chunk[-1]), partial) from None
            submit()
            yield result
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
