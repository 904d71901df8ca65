"""Time budgets: no plugin can hang an evaluation.

A plugin runs in-process, and Python cannot stop a thread from outside. Two
ways of enforcing a budget, chosen per call by :class:`Watchdog.run`:

**In the main thread** (the command line, each ``batch`` worker process): the
work runs inline and a periodic ``SIGALRM`` timer (``setitimer``, armed once
per job, a tick every eighth of the component budget) looks at the
activity the engine keeps up to date (which
plugin runs which component, since when). When the running component is past
its budget, or the job past its own, the signal handler raises
:class:`BudgetExceeded` inside the plugin's code: a ``time.sleep`` is cut
short, a Python loop stops at its next bytecode. The engine records it as that
component's ``error`` event and carries on with the other components, so the
decision fails closed with a full trace. Cost: two system calls per job.

**In any other thread** (or where ``SIGALRM`` is taken or missing): the work
runs in one long-lived worker thread and the calling thread waits for it,
checking the same activity every tick. Past a budget, the caller gives up: it
marks the work cancelled, leaves the thread behind (a daemon thread, so it never
keeps the process alive) and starts a new worker for the next job; the
abandoned thread stops at its next step
(``Abandoned``), so nothing it does after the
timeout reaches a decision or an observer. Cost: one hand-over between two
threads per job.

The limits of both are in ``docs/limits.md``: a plugin blocked in C code that
never returns to Python cannot be interrupted (in the main thread the run then
waits for it; in a worker the thread is abandoned), a plugin that catches
BaseException and carries on is interrupted again every tick, and memory or
shared state a plugin changes is not restored.
"""

from __future__ import annotations

import _signal  # type: ignore[import-not-found]  # signal's functions without its enum conversions
import _thread
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from ._hookcalls import Abandoned, Activity, watched

if TYPE_CHECKING:
    import queue

# The ``signal`` and ``queue`` modules are not imported: ``_signal`` is what ``signal`` wraps
# (its wrappers turn numbers into enum members, built when it is imported), and a worker
# thread's queue is made only when one is needed (about 1.5 ms of every command's start).
signal = _signal

__all__ = ["BudgetExceeded", "Watchdog"]

T = TypeVar("T")

#: How often, as a share of the component budget, the activity is looked at.
_POLLS_PER_BUDGET = 8


class BudgetExceeded(BaseException):
    """A component (or the whole job) ran out of time.

    A BaseException, like KeyboardInterrupt, so that a plugin's ``except
    Exception`` does not swallow it when it is raised inside the plugin.
    """

    def __init__(self, activity: Activity, seconds: float, scope: str) -> None:
        self.activity = activity
        self.plugin = activity.plugin
        self.component = activity.component
        self.rule = activity.rule
        self.seconds = seconds
        #: ``component`` or ``decision``.
        self.scope = scope
        what = activity.component or "the evaluation"
        if activity.rule:
            what = f"{what} (rule {activity.rule})"
        limit = "component" if scope == "component" else "per-decision"
        super().__init__(
            f"did not finish {what} within the {limit} time budget of {seconds:g} s "
            f"([limits] {scope}_seconds)"
        )


class _Clock:
    """The job the SIGALRM handler watches (main thread only)."""

    activity: Activity | None = None
    component_seconds = 0.0
    job_seconds = 0.0
    deadline = 0.0


def _overdue(act: Activity, budget: float, total: float, deadline: float) -> BudgetExceeded | None:
    started = act.started
    if started is None:
        return None
    now = time.monotonic()
    if now - started >= budget:
        return BudgetExceeded(act, budget, "component")
    if now >= deadline:
        return BudgetExceeded(act, total, "decision")
    return None


def _on_alarm(signum: int, frame: Any) -> None:
    act = _Clock.activity
    if act is None:
        return
    exc = _overdue(act, _Clock.component_seconds, _Clock.job_seconds, _Clock.deadline)
    if exc is not None:
        act.started = None  # raised once per component; the next one starts afresh
        raise exc


def _signal_mode() -> bool:
    """Whether this call can use the SIGALRM timer (main thread, SIGALRM free or ours)."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not \
            threading.main_thread():
        return False
    # The raw handler (signal.getsignal converts an int to its enum member every call).
    current = _signal.getsignal(signal.SIGALRM)
    if current is _on_alarm:
        return True
    if current is None or current == signal.SIG_DFL:
        signal.signal(signal.SIGALRM, _on_alarm)
        return True
    return False  # someone else's alarm (pytest-timeout, an embedding program)


class _Job:
    __slots__ = ("activity", "args", "done", "error", "fn", "result")

    def __init__(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        self.fn = fn
        self.args = args
        self.activity = Activity()
        self.result: Any = None
        self.error: BaseException | None = None
        self.done = _thread.allocate_lock()
        self.done.acquire()


def _serve(jobs: queue.SimpleQueue[_Job | None]) -> None:
    while True:
        job = jobs.get()
        if job is None:
            return
        try:
            with watched(job.activity):
                job.result = job.fn(job.activity, *job.args)
        except Abandoned:
            return
        except BaseException as exc:  # handed to the waiting thread, which re-raises it
            job.error = exc
        finally:
            job.done.release()
        if job.activity.cancelled:
            return


class Watchdog:
    """Runs jobs in a worker thread under a per-component and a per-job time budget."""

    def __init__(self, component_seconds: float, job_seconds: float) -> None:
        self.component_seconds = component_seconds
        self.job_seconds = job_seconds
        self._jobs: queue.SimpleQueue[_Job | None] | None = None
        self._lock = threading.Lock()

    def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(activity, *args)`` under the budgets; its result, or its exception.

        :raises BudgetExceeded: in a worker thread, when a component or the whole job
            ran out of time (the work was abandoned). In the main thread the exception
            is raised inside the component instead, where the caller records it.
        """
        if _Clock.activity is not None and threading.current_thread() is \
                threading.main_thread():
            # Nested in a job already timed (a plugin evaluating): the outer timer covers it.
            return fn(_Clock.activity, *args)
        if _signal_mode():
            return self._run_inline(fn, args)
        job = _Job(fn, args)
        with self._lock:  # one job at a time per watchdog (engines are shared by threads)
            jobs = self._jobs
            if jobs is None:
                jobs = self._jobs = self._start()
            jobs.put(job)
            try:
                self._wait(job)
            except BaseException:
                job.activity.cancelled = True
                self._jobs = None  # the next job gets a fresh worker
                jobs.put(None)  # lets the thread exit if it ever gets back to the queue
                raise
        if job.error is not None:
            raise job.error
        return job.result  # type: ignore[no-any-return]

    def _run_inline(self, fn: Callable[..., T], args: tuple[Any, ...]) -> T:
        act = Activity()
        tick = self.component_seconds / _POLLS_PER_BUDGET
        _Clock.component_seconds, _Clock.job_seconds = self.component_seconds, self.job_seconds
        _Clock.deadline = time.monotonic() + self.job_seconds
        _Clock.activity = act
        signal.setitimer(signal.ITIMER_REAL, tick, tick)
        try:
            with watched(act):
                return fn(act, *args)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            _Clock.activity = None

    def _wait(self, job: _Job) -> None:
        act = job.activity
        budget, total = self.component_seconds, self.job_seconds
        poll = budget / _POLLS_PER_BUDGET
        deadline = time.monotonic() + total
        while not job.done.acquire(timeout=max(min(poll, deadline - time.monotonic()), 0.001)):
            exc = _overdue(act, budget, total, deadline)
            if exc is None and time.monotonic() >= deadline:
                exc = BudgetExceeded(act, total, "decision")
            if exc is not None:
                raise exc

    def _start(self) -> queue.SimpleQueue[_Job | None]:
        import queue

        jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        thread = threading.Thread(target=_serve, args=(jobs,), name="threshold-worker",
                                  daemon=True)
        thread.start()
        return jobs

    def close(self) -> None:
        """Let the worker thread exit (a new one starts if the watchdog is used again)."""
        with self._lock:
            if self._jobs is not None:
                self._jobs.put(None)
                self._jobs = None
