"""How the ``threshold`` process meets its surroundings: standard streams and signals.

- **A reader gone** (``threshold ... | head``): :func:`closed_pipe` ends quietly, 141.
- **Standard output that cannot be written** (a full disk, ``>/dev/full``, a closed
  descriptor ``>&-``): one line, ``threshold: cannot write to standard output: No space
  left on device``, and exit 2, as for an ``--output`` file that cannot be written; never
  a traceback or exit 4. A command that writes nothing there (``--output FILE``) is not
  affected.
- **Standard error that cannot be written** (``2>/dev/full``): what could not be shown is
  lost, and the exit code is the one the command would give anyway.
- **SIGTERM** (``kill``, ``docker stop``, systemd) stops a command as Ctrl-C does: the
  command's clean-up runs (``threshold batch`` stops its worker processes and keeps
  ``OUTPUT.partial`` for ``--resume``), one line ``threshold: terminated``, exit 143.
  A worker process it forked ends within a second of the command's end, however the
  command ended (SIGKILL, SIGHUP to it alone, out of memory).

Only the ``threshold`` process itself (:func:`~._app.main` without ``argv``) does this:
:func:`console_streams` puts its standard streams behind these rules for the whole run,
and :func:`sigterm_stops` holds the SIGTERM handler while a command runs. Called as a
library function (tests, embedding), nothing of the process is changed.
"""

from __future__ import annotations

import _signal  # type: ignore[import-not-found]  # signal's functions, without its enums
import errno
import io
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING, Any, NoReturn

from ._app import ExitCode

if TYPE_CHECKING:
    import socket

# ``signal`` itself costs about 0.5 ms of every command to build its enums (as _budget.py).
signal = _signal


def closed_pipe() -> NoReturn:
    """End quietly because stdout's reader is gone (no message: nobody is reading)."""
    # Point stdout at /dev/null so that the interpreter's last flush cannot fail again.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout without a descriptor (a test runner)
        pass
    sys.exit(int(ExitCode.CLOSED_PIPE))


class StdoutError(OSError):
    """Standard output cannot be written (anything but a closed pipe, which stays a
    :class:`BrokenPipeError`)."""


class _Stdout(io.FileIO):
    """Descriptor 1: a failed write raises :class:`StdoutError`; once reported, what is
    left is dropped (so that no later flush fails again)."""

    dropping = False

    def write(self, data: object) -> int:
        if self.dropping:
            return len(memoryview(data))  # type: ignore[arg-type]
        try:
            return super().write(data)  # type: ignore[arg-type]
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise StdoutError(exc.errno, exc.strerror) from None


class _ClosedStdout(io.RawIOBase):
    """Standard output when descriptor 1 was closed: every write fails (EBADF)."""

    dropping = False

    def writable(self) -> bool:
        return True

    def write(self, data: object) -> int:
        if self.dropping:
            return len(memoryview(data))  # type: ignore[arg-type]
        raise StdoutError(errno.EBADF, os.strerror(errno.EBADF))


class _Stderr(io.FileIO):
    """Descriptor 2: a diagnostic that cannot be written is lost, never an error."""

    def write(self, data: object) -> int:
        try:
            return super().write(data)  # type: ignore[arg-type]
        except OSError:
            return len(memoryview(data))  # type: ignore[arg-type]


class _Discard(io.RawIOBase):
    """Standard error when descriptor 2 was closed."""

    def writable(self) -> bool:
        return True

    def write(self, data: object) -> int:
        return len(memoryview(data))  # type: ignore[arg-type]


_RAW: list[_Stdout | _ClosedStdout] = []


def _wrap(old: io.TextIOBase | None, fd: int, raw_type: type[io.FileIO],
          closed_type: type[io.RawIOBase], name: str) -> io.TextIOWrapper | None:
    """A text stream like ``old`` (the interpreter's own) over a raw layer of ours."""
    if old is None:
        raw: io.RawIOBase = closed_type()
        encoding, errors, line, through, buffered = "utf-8", "strict", False, False, True
    else:
        buffer = getattr(old, "buffer", None)
        if type(getattr(buffer, "raw", buffer)) is not io.FileIO or old.fileno() != fd:
            return None  # not a plain descriptor (a Windows console, a replaced stream)
        old.flush()
        raw = raw_type(fd, "w", closefd=False)
        raw.name = name
        encoding, errors = old.encoding, old.errors or "strict"
        line, through = old.line_buffering, old.write_through  # type: ignore[attr-defined]
        buffered = isinstance(buffer, io.BufferedWriter)
    layer = io.BufferedWriter(raw) if buffered else raw
    return io.TextIOWrapper(layer, encoding=encoding, errors=errors,  # type: ignore[arg-type]
                            newline=None if os.name == "nt" else "\n",
                            line_buffering=line, write_through=through)


def _cannot_write(exc: OSError) -> NoReturn:
    for raw in _RAW:
        raw.dropping = True
    why = exc.strerror or type(exc).__name__
    sys.stderr.write(f"threshold: cannot write to standard output: {why}\n")
    sys.stderr.flush()
    raise SystemExit(int(ExitCode.INVALID_INPUT))


@contextmanager
def console_streams() -> Iterator[None]:
    """The ``threshold`` process's standard streams for the run (see the module
    docstring); standard output is flushed at the end, so that its last bytes fail here
    if they fail, not in the interpreter's exit."""
    out = _wrap(sys.stdout, 1, _Stdout, _ClosedStdout, "<stdout>")  # type: ignore[arg-type]
    err = _wrap(sys.stderr, 2, _Stderr, _Discard, "<stderr>")  # type: ignore[arg-type]
    if out is not None:
        _RAW.append(out.buffer.raw if isinstance(out.buffer, io.BufferedWriter)
                    else out.buffer)  # type: ignore[arg-type]
        sys.stdout = out
    if err is not None:
        sys.stderr = err
    try:
        try:
            yield
        finally:
            if sys.stdout is out:
                out.flush()
    except StdoutError as exc:
        _cannot_write(exc)


#: SIGTERM was received while a command ran (the command is winding down).
_TERMINATED: list[bool] = []


class Terminated(KeyboardInterrupt):
    """Raised by SIGTERM: a KeyboardInterrupt, so that everything that cleans up after
    Ctrl-C cleans up after it too."""


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    if _TERMINATED:
        return  # winding down already
    _TERMINATED.append(True)
    raise Terminated("terminated")


def terminated() -> bool:
    """Whether the command was stopped by SIGTERM."""
    return bool(_TERMINATED)


def _swallowed(unraisable: Any) -> None:
    """``sys.unraisablehook`` while a command runs: a SIGTERM that landed in a finalizer
    (a ``__del__``, a weakref callback: Python ignores what they raise) is made pending
    again, so the command still stops; anything else goes to the hook as before."""
    if unraisable.exc_type is Terminated:
        import threading

        _TERMINATED.clear()
        # Sent again a moment later from another thread: sent (or made pending) from here it
        # would be handled in this hook, and ignored too; landing in a finalizer again, it
        # comes back here.
        threading.Thread(target=_terminate_soon, daemon=True, name="threshold-sigterm").start()
        return
    _HOOK[-1](unraisable)


def _terminate_soon() -> None:
    import time

    time.sleep(0.05)
    os.kill(os.getpid(), signal.SIGTERM)


#: The ``sys.unraisablehook`` a command's :func:`_swallowed` stands in front of.
_HOOK: list[Any] = [sys.__unraisablehook__]


def _child_after_fork() -> None:
    # A worker process forked while a command runs ends on SIGTERM as any process does,
    # and with the command: if the threshold process ends without stopping it (SIGKILL,
    # SIGHUP to it alone, out of memory), the worker ends within a second instead of
    # waiting for work for ever.
    if signal.getsignal(signal.SIGTERM) is _on_sigterm:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        import threading

        threading.Thread(target=_end_with, args=(os.getppid(),), daemon=True,
                         name="threshold-parent-watch").start()


def _end_with(parent: int) -> None:
    import time

    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(int(ExitCode.TERMINATED))


_FORK_HOOKED: list[bool] = []


@contextmanager
def sigterm_stops(console: bool) -> Iterator[None]:
    """While a command of the ``threshold`` process runs (``console``), SIGTERM raises
    :class:`Terminated` in it; nothing is changed for a library call."""
    if not console or not hasattr(signal, "SIGTERM"):
        yield
        return
    try:
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    except ValueError:  # not the main thread
        yield
        return
    if not _FORK_HOOKED and hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_child_after_fork)
        _FORK_HOOKED.append(True)
    _HOOK.append(sys.unraisablehook)
    sys.unraisablehook = _swallowed
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
        sys.unraisablehook = _HOOK.pop()


def receive_fds(conn: socket.socket, size: int) -> tuple[bytes, list[int]]:
    """Up to ``size`` bytes from a Unix socket and the descriptors sent with them
    (``SCM_RIGHTS``): how the server receives a command's standard descriptors."""
    import socket  # (the server's: a command's own start-up never imports it)

    data, ancillary, _, _ = conn.recvmsg(size, socket.CMSG_SPACE(3 * 4))
    fds = [int.from_bytes(payload[i:i + 4], sys.byteorder)
           for level, kind, payload in ancillary
           if (level, kind) == (socket.SOL_SOCKET, socket.SCM_RIGHTS)
           for i in range(0, len(payload) - len(payload) % 4, 4)]
    return data, fds


def stream_over(fd: int, shape: tuple[str, str, bool, bool] | None) -> io.TextIOWrapper | None:
    """A standard stream over ``fd`` as Python's start-up made the client's (``create_stdio``)."""
    if shape is None:
        return None
    encoding, errors, line_buffering, write_through = shape
    mode = "r" if fd == 0 else "w"
    buffering = -1 if mode == "r" or not write_through else 0
    buffer = open(fd, f"{mode}b", buffering, closefd=False)  # noqa: SIM115  (it is sys's)
    raw: Any = getattr(buffer, "raw", buffer)
    raw.name = ("<stdin>", "<stdout>", "<stderr>")[fd]
    stream = io.TextIOWrapper(buffer, encoding, errors, "\n", line_buffering, write_through)
    stream.mode = mode  # type: ignore[misc]
    return stream
