"""The ``threshold`` command hands its work to the installation's server, when one answers.

The console script's target is :func:`main`. Before click, attrs or anything else of
threshold is imported, it looks for a server of this installation (``threshold server
start``, :mod:`._server`): a Unix socket named after the installation in a private folder
(``$THRESHOLD_SERVER_DIR``, else ``$XDG_RUNTIME_DIR/threshold``, else
``/tmp/threshold-UID``; mode 0700, owned by the user). When one answers, the command
sends it its arguments, working folder, whole environment, umask, the signals it ignores,
how Python made its standard streams and the descriptors 0, 1 and 2 themselves
(``SCM_RIGHTS``); the server runs the command in a fresh fork of itself, on those
descriptors, and this process waits, passes SIGINT, SIGTERM and SIGHUP on to it, and ends
as it ended: its exit status, or killed by the same signal.

No server, a socket that does not answer, a folder or a server that is not this user's,
a server that declines (anything it imported could differ from a fresh process:
:mod:`._server`), ``THRESHOLD_NO_SERVER`` set to anything but ``0`` or nothing, or a
system without Unix sockets and ``SO_PEERCRED``: the command runs in this process, as it
always did, silently. The look-up costs one ``lstat`` when no server runs.

This module imports only ``os`` and ``sys`` (loaded by every Python) at its top, and
``_socket``, ``_signal`` and ``marshal`` (C modules, without ``socket``'s and ``signal``'s
enums) when a socket is there.
"""

from __future__ import annotations

import os
import sys

#: The version of the exchange between :func:`hand_over` and the server.
PROTOCOL = 2
#: Seconds the command waits for the server to take it (its worker's pid) before running
#: in this process instead (house policy: a stopped or hung server never hangs a command).
#: The worker starts the command only once told to go, after that answer, so a command
#: is never run twice.
ANSWER_SECONDS = 5.0
#: A socket's path is at most this many bytes (``sun_path``: 108 on Linux, with its NUL).
MAX_PATH = 107
#: The signals passed on to the worker: SIGHUP, SIGINT, SIGTERM. SIGINT and SIGHUP go to
#: its process group (as a terminal sends them to the foreground group), SIGTERM to it alone.
FORWARDED = (1, 2, 15)
_GROUP = (1, 2)


def installation() -> str:
    """A short digest naming this installation: the interpreter's environment
    (``sys.prefix``) and the folder threshold is imported from.

    The start-up caches carry it in their names, so virtual environments and checkouts
    sharing one cache folder each keep their own files; the server's socket is named
    after it, so a command reaches only its own installation's server.
    """
    try:  # (hashlib's blake2b is this one; importing hashlib would load OpenSSL)
        from _blake2 import blake2b
    except ImportError:  # pragma: no cover - a Python built without it
        from hashlib import blake2b
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return blake2b(f"{sys.prefix}\0{here}".encode(), digest_size=4).hexdigest()


def server_dir() -> str:
    """The folder of the servers' sockets (see the module docstring)."""
    given = os.environ.get("THRESHOLD_SERVER_DIR")
    if given:
        return os.path.abspath(given)
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and os.path.isabs(runtime):
        return os.path.join(runtime, "threshold")
    return f"/tmp/threshold-{os.getuid()}"


def socket_path() -> str:
    """This installation's server socket."""
    return os.path.join(server_dir(), f"{installation()}.sock")


def private(folder: str) -> bool:
    """Whether ``folder`` is a folder (not a link) of this user that no one else may enter."""
    try:
        st = os.lstat(folder)
    except (OSError, ValueError):
        return False
    return (st.st_mode & 0o170000 == 0o040000 and st.st_uid == os.getuid()
            and not st.st_mode & 0o077)


def wanted() -> bool:
    """Whether this command may be handed over at all."""
    return (os.name == "posix"
            and os.environ.get("THRESHOLD_NO_SERVER", "").strip() in ("", "0"))


def main() -> None:
    """The ``threshold`` console script: the command through the server when one answers
    (this process then ends as the command's worker ended), else in this process."""
    ended = hand_over() if wanted() else None
    if ended is None:
        # Before click is imported: the collector paused, re's compiler served from its
        # cache, seldom-used standard modules deferred (:mod:`._startup`).
        from . import _startup  # noqa: F401
        from ._app import main as run_here

        run_here()
        return
    kind, value = ended
    if kind == "signal":
        import _signal  # type: ignore[import-not-found]

        try:  # noqa: SIM105  (contextlib is not imported here)
            _signal.signal(value, _signal.SIG_DFL)
        except (OSError, ValueError):  # (SIGKILL, SIGSTOP: no handler to undo)
            pass
        os.kill(os.getpid(), value)
        value = 128 + value  # (a signal whose default is not to end: as shells report it)
    os._exit(value)


def _stream_shape(stream: object) -> tuple[str, str, bool, bool] | None:
    """How Python's start-up made a standard stream (None: its descriptor was closed)."""
    if stream is None:
        return None
    return (stream.encoding, stream.errors,  # type: ignore[attr-defined]
            stream.line_buffering, stream.write_through)  # type: ignore[attr-defined]


def _open_fds() -> list[int]:
    found = []
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            continue
        found.append(fd)
    return found


def hand_over() -> tuple[str, int] | None:
    """Run the command through the server: ``("status", N)`` or ``("signal", N)`` as its
    worker ended; None when no server took it (the command runs here)."""
    path = socket_path()
    if len(os.fsencode(path)) > MAX_PATH:
        return None
    try:
        if os.lstat(path).st_mode & 0o170000 != 0o140000 or not private(os.path.dirname(path)):
            return None
        cwd = os.getcwd()
        import _signal
        import _socket
        import marshal

        sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    except (OSError, ValueError, ImportError):
        return None
    try:
        sock.connect(path)
        peer = sock.getsockopt(_socket.SOL_SOCKET, _socket.SO_PEERCRED, 12)
        if int.from_bytes(peer[4:8], sys.byteorder) != os.getuid():
            return None
        fds = _open_fds()
        umask = os.umask(0o022)
        os.umask(umask)
        previous = {sig: _signal.getsignal(sig) for sig in FORWARDED}
        ignored = [sig for sig, handler in previous.items() if handler == _signal.SIG_IGN]
        body = marshal.dumps((
            PROTOCOL, sys.argv, cwd, dict(os.environb), sys.path, tuple(sys.flags),
            sys._xoptions, sys.warnoptions, umask, ignored, fds,
            [_stream_shape(s) for s in (sys.stdin, sys.stdout, sys.stderr)]))
        message = b"R" + len(body).to_bytes(4, "big") + body
        rights = [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS,
                   b"".join(fd.to_bytes(4, sys.byteorder) for fd in fds))] if fds else []
    except (OSError, ValueError, AttributeError, TypeError):
        sock.close()
        return None
    worker = Worker(sock, _signal)
    for sig in FORWARDED:
        if sig not in ignored:
            _signal.signal(sig, worker.forward)
    try:
        sock.settimeout(ANSWER_SECONDS)
        sock.sendall(message)
        reply = _read(sock, 5)
        sock.settimeout(None)
        if reply[:1] == b"S":  # go, with the descriptors: the command is the worker's now
            sock.sendmsg([b"G"], rights)
        worker.started(reply)
    except (OSError, ValueError):  # (a timeout too: the worker, never told to go, ends)
        worker.pid = 0
    if not worker.pid:  # declined: the command runs here, with the signals it was sent
        sock.close()
        for sig, handler in previous.items():
            _signal.signal(sig, handler)
        for sig in worker.pending:
            os.kill(os.getpid(), sig)
        return None
    return worker.wait()


class Worker:
    """The server's worker running this command, as the client sees it."""

    def __init__(self, sock: object, signal: object) -> None:
        self.sock = sock
        self.signal = signal
        self.pid = 0
        #: Signals received before the worker was known.
        self.pending: list[int] = []

    def started(self, reply: bytes) -> None:
        if reply[:1] == b"S":
            self.pid = int.from_bytes(reply[1:5], "big")
            for sig in self.pending:
                self.forward(sig, None)

    def forward(self, signum: int, frame: object) -> None:
        if not self.pid:
            self.pending.append(signum)
            return
        try:
            if signum in _GROUP:
                os.killpg(self.pid, signum)
            else:
                os.kill(self.pid, signum)
        except OSError:  # it has just ended
            pass

    def wait(self) -> tuple[str, int]:
        """How the worker ended; a connection lost first is exit 4, in one line."""
        try:
            reply = _read(self.sock, 6)
        except (OSError, ValueError):
            reply = b""
        if reply[:1] == b"X":
            value = int.from_bytes(reply[2:6], "big")
            return ("signal", value) if reply[1:2] == b"s" else ("status", value)
        os.write(2, b"threshold: internal error: the server's worker was lost "
                    b"(run with THRESHOLD_NO_SERVER=1)\n")
        return ("status", 4)


def _read(sock: object, size: int) -> bytes:
    """Exactly ``size`` bytes, or fewer when the server closed the connection."""
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))  # type: ignore[attr-defined]
        if not chunk:
            break
        data += chunk
    return data
