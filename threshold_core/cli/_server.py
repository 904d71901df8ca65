"""A long-lived process that has imported the command once and runs each command in a fork.

``threshold server start`` (:mod:`._servercmd`) launches it detached, in a session of its
own, standard input and output ``/dev/null``, its messages in a log beside the caches. It
imports what a command needs (every command, the engine, loader, declarative packs, the
CEL library, explanations, reports, the built-in plugins; no third-party plugin),
evaluates one synthetic profile (:func:`warm_up`), freezes what that made (``gc.freeze``),
listens on its installation's socket (:mod:`._client`); per command it forks a
*monitor*, which forks the *worker*: the worker takes the client's working
folder, environment (``time.tzset``), umask, ignored signals, arguments and descriptors
0, 1 and 2, makes ``sys.stdin``, ``sys.stdout`` and ``sys.stderr`` over them as the
client's Python made its own, becomes a process group and runs :func:`~._app.main` as the
console script does, ending as an interpreter ends; the monitor tells the client its exit
status or the signal that killed it, and kills it if the client goes away. A fresh fork
each time: nothing a command or plugin does reaches the next.

Never stale, never different: the server declines a command (the client runs it itself)
when anything it imported could differ from a fresh process: a module's file (time, size),
the folders on ``sys.path`` and the distributions' metadata (a plugin installed or removed),
``sys.path``, the interpreter's flags, ``-X`` and ``-W`` options, or a variable read at
start-up (``PYTHON*``, ``LANG``, ``LANGUAGE``, ``LC_*``, :data:`WATCHED`, every one read
while it imported); another user or group is refused. The server ends on a changed file,
30 idle minutes (house policy; ``THRESHOLD_SERVER_IDLE_SECONDS``), its socket file
removed or replaced, ``server stop`` and SIGTERM.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import marshal
import os
import select
import signal
import socket
import sys
import time
from typing import Any, ClassVar, NoReturn

from ._client import PROTOCOL, installation
from ._process import receive_fds, stream_over

#: Environment variables a fresh process reads at start-up, by name or prefix.
WATCHED = ("LANG", "LANGUAGE", "TMPDIR", "TEMP", "TMP", "THRESHOLD_CACHE_DIR", "THRESHOLD_NO_CACHE")
WATCHED_PREFIXES = ("PYTHON", "LC_")
#: What the server imports: every module of these packages, and these modules.
PACKAGES = ("threshold_core.cli", "threshold_core.engine", "threshold_core.load",
            "threshold_core.declarative", "threshold_core.explain", "threshold_core.reports",
            "threshold_core.model", "threshold_core.kit", "threshold_core.hooks",
            "threshold_plugins", "threshold_rules")
MODULES = ("cel_expr_python.cel", "google.protobuf.struct_pb2", "google.protobuf.timestamp_pb2",
           "importlib.metadata", "csv", "textwrap")


def log(line: str) -> None:
    """One line in the server's log (its standard error), unbuffered."""
    with contextlib.suppress(OSError):
        os.write(2, f"{time.strftime('%Y-%m-%d %H:%M:%S')} {line}\n".encode(errors="replace"))


class _Recording(type(os.environ)):  # type: ignore[misc]
    """``os.environ`` while the server imports: the names read are recorded."""

    read: ClassVar[set[str]] = set()

    def __getitem__(self, key: Any) -> Any:
        _Recording.read.add(key)
        return super().__getitem__(key)


def warm_up() -> None:
    """Import what a command needs (recording the environment variables read meanwhile),
    then evaluate a synthetic profile once with the built-ins alone, so that what a process
    makes on its first evaluation (the loader's functions, attrs' and cattrs' code, the CEL
    library's types) is made here, once. A warning printed meanwhile, or an exit handler
    registered, is a reason not to serve: a fresh process would print it, or have it."""
    import importlib
    import pkgutil
    import shutil
    import tempfile
    import warnings

    from ._app import main

    environ_class = type(os.environ)
    with warnings.catch_warnings(record=True) as caught:
        os.environ.__class__ = _Recording
        try:
            for package in PACKAGES:
                module = importlib.import_module(package)
                for info in pkgutil.walk_packages(module.__path__, f"{package}."):
                    importlib.import_module(info.name)
            for name in MODULES:
                importlib.import_module(name)
        finally:
            os.environ.__class__ = environ_class
        folder = tempfile.mkdtemp(prefix="threshold-server-")
        try:
            config = os.path.join(folder, "threshold.toml")
            open(config, "wb").close()
            profiles = os.path.join(folder, "profiles")
            generator = os.fork()  # (the portfolio's modules, multiprocessing's among them,
            if generator == 0:     # register exit handlers: never imported here)
                with contextlib.suppress(BaseException):
                    main(["generate", "1", "--output", profiles])
                os._exit(0)
            os.waitpid(generator, 0)
            with contextlib.suppress(SystemExit):
                main(["evaluate", "--no-plugin-autoload", "--config", config, profiles])
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    if caught:
        raise RuntimeError(f"warned: {caught[0].message}")
    if atexit._ncallbacks() != 0:
        raise RuntimeError("a module registered an exit handler as it was imported")


def _stamp(path: str) -> tuple[int, int] | None:
    """A file's modification time (ns) and size (None: it cannot be read)."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st.st_mtime_ns, st.st_size


class Snapshot:
    """What a fresh process would find, as the server found it when it started."""

    def __init__(self) -> None:
        self.files = self._files()
        self.tree = self._tree()
        self.names = {n for n in _Recording.read if isinstance(n, str)} | set(WATCHED)
        self.env = self._env(os.environ)
        self.shape = (sys.path, tuple(sys.flags), sys._xoptions, sys.warnoptions)

    @staticmethod
    def _files() -> dict[str, tuple[int, int] | None]:
        return {path: _stamp(path) for module in list(sys.modules.values())
                if isinstance(path := getattr(module, "__file__", None), str)}

    @staticmethod
    def _tree() -> str | None:
        from ..engine import ENTRYPOINT_GROUP, installed_fingerprint

        folders = [_stamp(entry or ".") for entry in sys.path]
        return f"{folders} {installed_fingerprint(ENTRYPOINT_GROUP, any_finder=True)}"

    def _env(self, env: Any) -> dict[str, str]:
        return {k: v for k, v in env.items()
                if k in self.names or k.startswith(WATCHED_PREFIXES)}

    def stale(self) -> str | None:
        """What changed on disk since the server started (None: nothing)."""
        changed = next((path for path, was in self.files.items() if _stamp(path) != was), None)
        if changed is not None:
            return f"{changed} changed"
        if self._tree() != self.tree:
            return "the installed distributions changed"
        return None

    def differs(self, request: Request) -> str | None:
        """How the client's process differs from a fresh start of this server (None: not)."""
        env = self._env({os.fsdecode(k): os.fsdecode(v) for k, v in request.environ.items()})
        if env != self.env:
            names = sorted(k for k in env.keys() | self.env.keys() if env.get(k) != self.env.get(k))
            return f"the environment differs ({', '.join(names)})"
        if request.shape != self.shape:
            return "the interpreter's path, flags or options differ"
        return None


class Request:
    """A command handed over: what :func:`._client.hand_over` sent."""

    def __init__(self, body: bytes, fds: list[int]) -> None:
        (version, self.argv, self.cwd, self.environ, path, flags, xoptions, warnoptions,
         self.umask, self.ignored, self.present, self.streams) = marshal.loads(body)
        if version != PROTOCOL or fds:  # (the descriptors come once a worker answers)
            raise ValueError("not this protocol")
        self.shape = (path, tuple(flags), xoptions, warnoptions)
        self.fds: dict[int, int] = {}


class Server:
    """The listening socket and the server's state."""

    def __init__(self, path: str, idle: float) -> None:
        self.path = path
        self.idle = idle
        self.started = time.time()
        self.served = self.declined = 0
        self.last = time.monotonic()
        self.snapshot = Snapshot()
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        temporary = f"{path}.{os.getpid()}"
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        self.listener.bind(temporary)
        os.chmod(temporary, 0o600)
        self.listener.listen(64)
        os.replace(temporary, path)
        self.inode = os.stat(path).st_ino

    def owns_socket(self) -> bool:
        with contextlib.suppress(OSError):
            return os.stat(self.path).st_ino == self.inode
        return False

    def close(self) -> None:
        self.listener.close()
        if self.owns_socket():
            with contextlib.suppress(OSError):
                os.unlink(self.path)

    def serve(self) -> tuple[Request, socket.socket]:
        """Answer requests until the server ends; in a worker, return its command."""
        while True:
            with contextlib.suppress(ChildProcessError):
                while os.waitpid(-1, os.WNOHANG)[0]:
                    pass
            if not self.owns_socket():
                self.end("its socket file was removed or replaced")
            if time.monotonic() - self.last > self.idle:
                self.end(f"idle for {self.idle:g} s")
            with contextlib.suppress(BlockingIOError, InterruptedError):
                if select.select([self.listener], [], [], 1.0)[0]:
                    handed = self.answer(self.listener.accept()[0])
                    if handed is not None:
                        return handed

    def end(self, why: str) -> None:
        log(f"ending: {why}")
        self.close()
        raise SystemExit(0)

    def answer(self, conn: socket.socket) -> tuple[Request, socket.socket] | None:
        """One connection: a status, a stop, or a command (forked: returns in the worker)."""
        fds: list[int] = []
        handed = None
        try:
            conn.settimeout(10)
            cred = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12)
            uid, gid = (int.from_bytes(cred[i:i + 4], sys.byteorder) for i in (4, 8))
            if (uid, gid) != (os.getuid(), os.getgid()):
                log(f"refused a connection of uid {uid}, gid {gid}")
                return None
            data, fds = receive_fds(conn, 65536)
            if data[:1] == b"?":
                conn.sendall(marshal.dumps(self.status()))
            elif data[:1] == b"Q":
                conn.sendall(b"K")
                self.end("stopped")
            elif data[:1] == b"R":
                while len(data) < 5 + int.from_bytes(data[1:5], "big"):
                    more = conn.recv(65536)
                    if not more:
                        raise ValueError("a request cut short")
                    data += more
                handed = self.run(Request(data[5:], fds), conn)
        except (OSError, ValueError, TypeError, EOFError) as exc:
            log(f"a connection failed: {type(exc).__name__}: {exc}")
        finally:
            if handed is None:  # (the worker keeps both)
                for fd in fds:
                    with contextlib.suppress(OSError):
                        os.close(fd)
                conn.close()
        return handed

    def status(self) -> dict[str, Any]:
        return {"pid": os.getpid(), "since": self.started, "served": self.served,
                "declined": self.declined, "socket": self.path, "installation": installation()}

    def run(self, request: Request, conn: socket.socket) -> tuple[Request, socket.socket] | None:
        self.last = time.monotonic()
        stale = self.snapshot.stale()
        why = stale or self.snapshot.differs(request)
        if why is not None:
            self.declined += 1
            log(f"declined {request.argv[1:]}: {why}")
            conn.sendall(b"N")
            if stale:
                self.end(stale)
            return None
        self.served += 1
        if os.fork() != 0:
            return None  # the server: the monitor has the connection and the descriptors
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        self.listener.close()
        worker = os.fork()
        if worker == 0:
            os.setpgid(0, 0)
            return request, conn
        for fd in request.fds.values():
            os.close(fd)
        _monitor(worker, conn)


def _monitor(worker: int, conn: socket.socket) -> NoReturn:
    """Wait for the worker, kill it if the client goes away, tell the client how it ended."""
    try:
        with contextlib.suppress(OSError):
            os.setpgid(worker, worker)  # (before the client can signal its group)
        watch = select.poll()
        pidfd = os.pidfd_open(worker) if hasattr(os, "pidfd_open") else None
        if pidfd is not None:
            watch.register(pidfd, select.POLLIN)
        watch.register(conn.fileno(), select.POLLIN)
        conn.setblocking(False)  # (a peek never waits out the connection's timeout)
        while True:
            done, status = os.waitpid(worker, os.WNOHANG)
            if done:
                break
            events = watch.poll(None if pidfd is not None else 200)
            if any(fd == conn.fileno() for fd, _ in events):
                with contextlib.suppress(OSError):
                    if not conn.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT):
                        os.kill(worker, signal.SIGKILL)  # the client was killed
        if os.WIFSIGNALED(status):
            reply = b"Xs" + os.WTERMSIG(status).to_bytes(4, "big")
        else:
            reply = b"Xc" + os.waitstatus_to_exitcode(status).to_bytes(4, "big")
        conn.setblocking(True)
        conn.sendall(reply)
    finally:
        os._exit(0)


def become(request: Request, conn: socket.socket) -> None:
    """The worker takes the client's process state over (see the module docstring)."""
    for sig in (signal.SIGHUP, signal.SIGINT, signal.SIGTERM):
        default = signal.default_int_handler if sig == signal.SIGINT else signal.SIG_DFL
        signal.signal(sig, signal.SIG_IGN if int(sig) in request.ignored else default)
    os.umask(request.umask)
    os.chdir(request.cwd)
    os.environ.clear()
    for key, value in request.environ.items():
        os.environb[key] = value
    time.tzset()
    sys.argv = list(request.argv)
    # Taken: the client sends its descriptors with "go" (a server that never answers never
    # holds them), or gives up waiting (ANSWER_SECONDS) and runs the command itself.
    conn.sendall(b"S" + os.getpid().to_bytes(4, "big"))
    go, fds = receive_fds(conn, 1)
    if go != b"G" or len(fds) != len(request.present):
        os._exit(0)
    request.fds = dict(zip(request.present, fds, strict=True))
    for fd in (0, 1, 2):
        if fd in request.fds:
            os.dup2(request.fds[fd], fd)
            os.close(request.fds[fd])
        else:
            with contextlib.suppress(OSError):
                os.close(fd)
    streams = [stream_over(fd, shape) for fd, shape in enumerate(request.streams)]
    sys.stdin, sys.stdout, sys.stderr = streams
    sys.__stdin__, sys.__stdout__, sys.__stderr__ = streams  # type: ignore[misc]
    conn.close()


def run(path: str, idle: float) -> None:
    """The server process (``python -c``, from :func:`launch`): serve until it ends; in a
    worker, run the command as the console script does."""
    try:
        warm_up()
        gc.collect()
        gc.freeze()
        server = Server(path, idle)
    except Exception as exc:
        log(f"cannot serve: {type(exc).__name__}: {exc}")
        raise SystemExit(1) from None
    log(f"serving {path} (pid {os.getpid()})")
    signal.signal(signal.SIGTERM, lambda *_: server.end("SIGTERM"))
    request, conn = server.serve()
    try:
        become(request, conn)
    except Exception as exc:  # (a folder gone meanwhile...): declined, before any output
        log(f"declined {request.argv[1:]}: {type(exc).__name__}: {exc}")
        with contextlib.suppress(OSError):
            conn.sendall(b"N")
        os._exit(0)
    from ._app import main

    main()
