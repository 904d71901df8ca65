"""A ``sys.meta_path`` entry for the length of a block, shared by the command's start-up
caches (the imported modules' code, :mod:`._modcache`; the code generators' ``compile``,
:mod:`._codecache`)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Any, TypeVar

T = TypeVar("T")


@contextlib.contextmanager
def on_meta_path(finder: Any, stack: list[T], cache: T) -> Iterator[T]:
    """Put ``finder`` first on ``sys.meta_path`` and ``cache`` on top of ``stack`` (what the
    cache's ``active()`` reads) while the block runs; take both off after it, however it
    ends (a finder something else already removed is no error)."""
    sys.meta_path.insert(0, finder)
    stack.append(cache)
    try:
        yield cache
    finally:
        stack.remove(cache)
        with contextlib.suppress(ValueError):
            sys.meta_path.remove(finder)
