"""The marker plugins use to implement hooks."""

from __future__ import annotations

import pluggy

from .hookspecs import PROJECT

#: Decorate a function or method as an implementation of a ``threshold_*`` hook.
hookimpl = pluggy.HookimplMarker(PROJECT)
