"""The hook contract (layer 2): what a threshold plugin may implement.

:mod:`threshold_core.hooks.spec` holds every hook specification, typed with
the values of :mod:`threshold_core.model`; :data:`hookimpl` marks an
implementation. ``hookimpl`` is re-exported by :mod:`threshold_core`.
"""

from __future__ import annotations

import pluggy

from . import spec
from .spec import PROJECT

#: Decorate a function or method as an implementation of a ``threshold_*`` hook.
hookimpl = pluggy.HookimplMarker(PROJECT)

__all__ = ["PROJECT", "hookimpl", "spec"]
