"""The ``threshold`` process ends without taking its modules apart.

When a command has finished, the interpreter's own exit would still tear down every
module and free every object a start made, one by one: about 5 ms of ``threshold
evaluate``, for memory the operating system reclaims at once. As the last step of its
exit, after everything the interpreter runs first (non-daemon threads joined, every other
``atexit`` handler run: handlers run in the reverse order of their registration, and this
one is registered first), the ``threshold`` process flushes ``sys.stdout`` and
``sys.stderr`` and ends with the command's exit status (``os._exit``), as large Python
services end their workers.

Only the ``threshold`` command itself does this (:func:`~._app.main` without ``argv``),
and only when the status is a number (or None: 0), nothing had registered an ``atexit``
handler before it (a coverage tool, a profiler) and no plugin but threshold's own was
loaded (:func:`withhold`): anything else, or a flush that fails, and the interpreter
exits as always, with its own messages and status. Commands close
what they write (``with`` blocks); nothing of threshold waits for objects to be freed.
"""

from __future__ import annotations

import atexit
import os
import sys

#: The status the process ends with, once the command has one (:func:`set_status`).
_STATUS: list[int] = []
#: Set by :func:`withhold`: the interpreter's own exit runs.
_WITHHELD: list[bool] = []


def withhold() -> None:
    """A plugin other than threshold's own was loaded: the process exits as Python always
    does, tearing its modules down, so that whatever the plugin left open (a file written
    and never closed, an object whose finaliser writes) is flushed and finalised as the
    plugin's author expects."""
    _WITHHELD.append(True)


def arm() -> bool:
    """Register the exit (first of all ``atexit`` handlers, so it runs last); False, and
    nothing registered, when some handler was registered before it or the interpreter
    will not say."""
    count = getattr(atexit, "_ncallbacks", None)
    if count is None or count() != 0 or sys.flags.inspect:
        return False
    atexit.register(_exit)
    return True


def set_status(code: object) -> None:
    """The command ended with ``SystemExit(code)``: a number (or None) is the status the
    process exits with; anything else is left to the interpreter (it prints it, status 1)."""
    _STATUS.clear()
    if code is None:
        _STATUS.append(0)
    elif type(code) is int and 0 <= code <= 255:
        _STATUS.append(code)


def _exit() -> None:
    if not _STATUS or _WITHHELD:
        return
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except BaseException:  # the interpreter flushes again and reports it, as always
        return
    os._exit(_STATUS[0])
