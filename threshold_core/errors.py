"""Errors users see: each names the file and the path inside it.

The CLI prints one line per :class:`Problem` (``file: $.path: message``; an output file,
which is no document, without a path: ``out.json: cannot write: ...``) and maps
:class:`InputError` to exit code 2 and :class:`PluginError` to exit code 3.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from attrs import frozen


@frozen
class Problem:
    """One thing wrong with one place in a file."""

    #: JSONPath-like location, ``$`` for the whole document; ``""`` for a file that is not
    #: read as a document (an output that cannot be written): the line then has no path.
    path: str
    message: str


class ThresholdError(Exception):
    """Base class of the errors this package raises on purpose."""

    def lines(self) -> list[str]:
        """The error as one line per problem, ready for stderr."""
        return [str(self)]


class InputError(ThresholdError):
    """A profile, configuration or rule pack is invalid (exit code 2)."""

    def __init__(self, source: str, problems: Iterable[Problem]) -> None:
        self.source = source
        self.problems = tuple(problems)
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        # Escaped so that a lone surrogate quoted from the input can always be printed.
        return [(f"{self.source}: {p.path}: {p.message}" if p.path else
                 f"{self.source}: {p.message}").encode("utf-8", "backslashreplace")
                .decode("utf-8") for p in self.problems]


class InputErrors(ThresholdError):
    """Several invalid files at once."""

    def __init__(self, errors: Iterable[InputError]) -> None:
        self.errors = tuple(errors)
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        return [line for e in self.errors for line in e.lines()]


class PluginError(ThresholdError):
    """A plugin failed to load, is invalid, or failed outside a decision (exit code 3).

    The message is always one line (pluggy's multi-line messages are joined with
    ``; ``) and bounded in length, whatever the plugin put in its exception.
    """

    def __init__(
        self, plugin: str, message: str, distribution: str | None = None, *,
        source: str | None = None,
    ) -> None:
        self.plugin = plugin
        self.distribution = distribution
        self.message = _one_line(message)
        #: The file being read when the plugin failed (a profile reader), if any.
        self.source = source
        where = f"plugin {plugin!r}" + (f" (distribution {distribution})" if distribution else "")
        prefix = f"{source}: " if source else ""
        super().__init__(f"{prefix}{where}: {self.message}")


class PluginInterrupted(KeyboardInterrupt):
    """A plugin raised KeyboardInterrupt: the run stops (exit code 130), naming the plugin.

    A subclass of KeyboardInterrupt so that code catching Ctrl-C still stops.
    """

    def __init__(self, plugin: str | None, component: str) -> None:
        self.plugin = plugin
        self.component = component
        super().__init__(f"while plugin {plugin} ran {component}" if plugin else
                         f"while {component} ran")


#: The longest plugin error message shown (a plugin's exception text can be anything).
MAX_MESSAGE = 500


def _one_line(message: str) -> str:
    text = "; ".join(line.strip() for line in message.splitlines() if line.strip())
    if len(text) > MAX_MESSAGE:
        text = text[: MAX_MESSAGE - 3] + "..."
    return text


def output_target(path: Path) -> tuple[Path, bool]:
    """Where an ``--output`` goes, and whether it is written atomically.

    A symbolic link is followed: its target is written and the link kept (a dangling
    link: the path it names). An existing device, FIFO or socket (``/dev/null``, a named
    pipe) is written in place, never replaced by a file (``False``). Anything else, a
    regular file or a new path, is written to a temporary file beside it and renamed over
    it (``True``).

    :raises InputError: the path cannot be resolved (a loop of symbolic links), naming it.
    """
    import errno
    import os
    import stat

    target = path
    try:
        if path.is_symlink():
            try:
                target = Path(os.path.realpath(path, strict=True))
            except FileNotFoundError:  # a dangling link: the path it names
                target = Path(os.path.realpath(path))
        target.parent.resolve()
        mode = target.stat().st_mode
    except FileNotFoundError:
        return target, True
    except RuntimeError:  # pathlib's own word for a loop
        raise cannot_write(path, OSError(errno.ELOOP, os.strerror(errno.ELOOP)),
                           "following its symbolic links") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise cannot_write(path, exc, "following its symbolic links") from None
        return target, True
    return target, stat.S_ISREG(mode) or stat.S_ISDIR(mode)


def kept_mode(path: Path, new: int) -> int:
    """The permission bits an output written over ``path`` gets: those of ``path`` if it
    is an existing regular file (a file locked down to 0600 stays so), else ``new``."""
    import stat

    try:
        st = path.stat()
    except OSError:
        return new
    return stat.S_IMODE(st.st_mode) if stat.S_ISREG(st.st_mode) else new


def cannot_write(path: str | Path, exc: OSError, doing: str | None = None) -> InputError:
    """An output file that cannot be written, as an :class:`InputError` naming it and why
    (exit 2), in one line without a path inside it: ``out.json: cannot write: creating a
    temporary file in /proc: No such file or directory``.

    ``doing`` is the step that failed (``creating its folder /a/b``, ``renaming a temporary
    file over it``): the system's reason alone can mislead (writing over ``/proc/version``,
    which exists, fails with "No such file or directory" from the temporary file beside it).
    """
    if isinstance(exc, (FileExistsError, NotADirectoryError)):
        why = "a part of its folder path is a file, not a folder"
    elif isinstance(exc, IsADirectoryError):
        why = "it is a folder"
    else:
        why = exc.strerror or type(exc).__name__
        if doing:
            why = f"{doing}: {why}"
    return InputError(str(path), [Problem("", f"cannot write: {why}")])


def not_written(path: str | Path, message: str) -> InputError:
    """An output refused before anything is written (``pipe: is not a regular file: ...``),
    as an :class:`InputError` naming it without a path inside it (exit 2)."""
    return InputError(str(path), [Problem("", message)])
