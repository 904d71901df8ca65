"""``threshold server start | stop | status``: the long-lived process commands are handed to."""

from __future__ import annotations

import contextlib
import json
import marshal
import os
import socket
import sys
import time
from collections.abc import Iterator
from typing import Any

import click

from ._app import CONTEXT_SETTINGS, ExitCode, _fail
from ._client import MAX_PATH, installation, private, server_dir, socket_path


def _log_path() -> str:
    from ._codecache import cache_dir

    folder = cache_dir()
    return os.path.join(str(folder) if folder else server_dir(),
                        f"server-{installation()}.log")


def _since(seconds: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(seconds))


#: Seconds without a command before the server ends (house policy).
_IDLE_SECONDS = 1800.0


@contextlib.contextmanager
def _connection(path: str) -> Iterator[socket.socket]:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.settimeout(10)
        sock.connect(path)
        yield sock
    finally:
        sock.close()


def ask(kind: bytes) -> dict[str, Any] | None:
    """The running server's status (``b"?"``), or stop it (``b"Q"``); None when none answers."""
    path = socket_path()
    if not private(os.path.dirname(path)):
        return None
    try:
        with _connection(path) as sock:
            sock.sendall(kind)
            reply = b""
            while chunk := sock.recv(65536):
                reply += chunk
    except (OSError, ValueError):
        return None
    if kind == b"Q":
        return {"stopped": reply == b"K"}
    try:
        found = marshal.loads(reply)
    except (ValueError, EOFError, TypeError):
        return None
    return found if isinstance(found, dict) else None


def supported() -> str | None:
    """Why this system cannot run a server (None: it can)."""
    if os.name != "posix" or not all(hasattr(socket, n) for n in ("AF_UNIX", "SO_PEERCRED")):
        return "the server needs Unix sockets with SO_PEERCRED (Linux)"
    if len(os.fsencode(socket_path())) > MAX_PATH:
        return f"the socket path {socket_path()} is longer than {MAX_PATH} bytes"
    return None


def launch(log_path: str) -> int:
    """Start the server in the background; its pid once it answers. :raises OSError: the
    folder cannot be made private; :raises RuntimeError: the server did not start."""
    import subprocess

    folder = server_dir()
    os.makedirs(folder, mode=0o700, exist_ok=True)
    if not private(folder):
        st = os.lstat(folder)
        if st.st_uid != os.getuid() or not os.path.isdir(folder) or os.path.islink(folder):
            raise OSError(f"{folder} is not a private folder of this user")
        os.chmod(folder, 0o700)
    idle = os.environ.get("THRESHOLD_SERVER_IDLE_SECONDS", "").strip() or str(_IDLE_SECONDS)
    float(idle)  # (a bad value: ValueError, before anything starts)
    code = (f"import sys; sys.path[:] = {sys.path!r}; "
            "from threshold_core.cli._server import run; "
            f"run({socket_path()!r}, {float(idle)!r})")
    os.makedirs(os.path.dirname(log_path), exist_ok=True)
    with open(log_path, "ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-c", code], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=out, cwd="/", start_new_session=True, close_fds=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = ask(b"?")
        if found is not None and found.get("pid") == process.pid:
            return process.pid
        if process.poll() is not None:
            break
        time.sleep(0.02)
    with contextlib.suppress(OSError):
        process.kill()
    raise RuntimeError(f"the server did not start (see {log_path})")


@click.group(context_settings=CONTEXT_SETTINGS)
def server() -> None:
    """A background server that makes every command start fast (POSIX with Unix sockets).

    It imports the command, the engine, the built-in plugins and the CEL library once;
    each `threshold` command then hands its work to it and runs in a fresh fork of it,
    with the same output and exit code as on its own. A command runs on its own when no
    server runs, when THRESHOLD_NO_SERVER=1, and whenever anything the server imported
    could differ from a fresh start (a module or an installed distribution changed: the
    server then ends; PYTHON*, LANG, LC_* or another variable read at start-up differs).
    The server ends after 30 minutes without a command (THRESHOLD_SERVER_IDLE_SECONDS),
    or when its socket is removed. Its socket is in THRESHOLD_SERVER_DIR, else
    $XDG_RUNTIME_DIR/threshold, else /tmp/threshold-UID; its log is in the cache folder.
    """


@server.command()
def start() -> None:
    """Start this installation's server in the background (exit 0 if one runs already)."""
    found = ask(b"?")
    if found is not None:
        click.echo(f"a server runs already: pid {found['pid']}, since "
                   f"{_since(found['since'])} (socket {found['socket']})")
        return
    why = supported()
    if why is not None:
        _fail([f"cannot start the server: {why}"], ExitCode.INVALID_INPUT)
    log = _log_path()
    try:
        pid = launch(log)
    except (OSError, RuntimeError, ValueError) as exc:
        if isinstance(exc, ValueError):
            exc = ValueError("THRESHOLD_SERVER_IDLE_SECONDS is not a number of seconds")
        _fail([f"cannot start the server: {exc}"], ExitCode.INVALID_INPUT)
    click.echo(f"server started: pid {pid} (socket {socket_path()}, log {log})")


@server.command()
def stop() -> None:
    """Stop this installation's server (exit 0 if none runs)."""
    found = ask(b"?")
    if found is None or ask(b"Q") is None:
        click.echo("no server runs")
        return
    click.echo(f"server stopped: pid {found['pid']}, {found['served']} commands served")


@server.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def status(fmt: str) -> None:
    """Whether this installation's server runs: its pid, since when, commands served."""
    found = ask(b"?")
    if fmt == "json":
        shown = {"running": found is not None, "socket": socket_path(), **(found or {})}
        if found is not None:
            shown["since"] = _since(found["since"])
        click.echo(json.dumps(shown, indent=2, sort_keys=True))
    elif found is None:
        click.echo(f"no server runs (socket {socket_path()})")
    else:
        click.echo(f"running: pid {found['pid']}, since {_since(found['since'])}, "
                   f"{found['served']} commands served, {found['declined']} declined "
                   f"(socket {found['socket']})")
