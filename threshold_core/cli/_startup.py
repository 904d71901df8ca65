"""The ``threshold`` process pauses the garbage collector from its very first import.

:func:`~._app.main` pauses the cyclic collector for the command's start-up (see
:func:`~._app.end_start_up`), but the console script imports the command group, and with
it click and the standard modules it needs, before ``main`` runs: about 30 collections
walked those objects again and again, about 2 ms. When this process is the ``threshold``
command itself (the console script ``threshold``, or ``python -m threshold_core``), the
pause starts here instead; ``main`` ends it as before, and re-enables the collector at
once if it is then called as a library function (with ``argv``). Imported any other way
(a test, an application), nothing is paused.

The ``threshold`` process also serves ``re``'s compiler from its cache from here on
(:mod:`._recache`), before click and the standard modules it imports compile theirs;
``main`` ends that when the command ends; and the standard modules it imports but seldom
uses run their code on first use (:mod:`._deferred`) from here on.
"""

from __future__ import annotations

import gc
import os
import sys


def _as_the_command() -> bool:
    main = sys.modules.get("__main__")
    if getattr(main, "__name__", None) != "__main__":  # (a worker re-running the script)
        return False
    spec = getattr(main, "__spec__", None)
    if spec is not None and spec.name == "threshold_core.__main__":
        return True
    # pip's console script on POSIX: a file named exactly ``threshold`` (no extension).
    return os.path.basename(getattr(main, "__file__", None) or "") == "threshold"


#: Whether this process is the ``threshold`` command itself.
COMMAND = _as_the_command()
#: Whether the collector was paused here (``main`` takes the pause over, or ends it).
PAUSED = COMMAND and gc.isenabled()
if PAUSED:
    gc.disable()
if COMMAND:
    from . import _deferred

    _deferred.start()
    from . import _recache

    _recache.install()
