"""SHA-256 and BLAKE2b for threshold's own digests, without loading OpenSSL for a short
command.

``import hashlib`` loads OpenSSL's ``_hashlib`` (about 2.3 ms of CPU and 5-6 ms of wall
time on a one-profile ``threshold evaluate``, more than the command's two SHA-256 digests
of a few kilobytes cost with the standard library's built-in implementation). The digests
are the same whichever implementation makes them: SHA-256 is SHA-256, and hashlib's
``blake2b`` is the built-in one always. So a process makes its first
:data:`BUILTIN_FIRST` SHA-256 digests with the built-in module (``_sha256``; ``_sha2`` from
Python 3.12), unless ``hashlib`` is loaded already, then imports hashlib and uses its
(OpenSSL's: four to six times faster per byte, which a portfolio of thousands of profiles
wants). A Python without the built-in modules uses hashlib throughout.
"""

from __future__ import annotations

import contextlib
import sys
from importlib import import_module
from typing import Any

try:
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python built without it
    from hashlib import blake2b



def _builtin() -> Any:
    """The built-in module's ``sha256`` (``_sha256`` until Python 3.11, ``_sha2`` from 3.12)."""
    for name in ("_sha256", "_sha2"):
        with contextlib.suppress(ImportError, AttributeError):
            return import_module(name).sha256
    return None  # pragma: no cover - a Python built without them


_builtin_sha256 = _builtin()

#: SHA-256 digests a process makes with the built-in module before it imports hashlib.
BUILTIN_FIRST = 8
_made = [0]

__all__ = ["BUILTIN_FIRST", "blake2b", "sha256_hexdigest"]


def sha256_hexdigest(data: bytes) -> str:
    """The SHA-256 of ``data`` in hexadecimal (see the module docstring for which
    implementation makes it)."""
    if _made[0] < BUILTIN_FIRST and _builtin_sha256 is not None and "hashlib" not in sys.modules:
        _made[0] += 1
        return str(_builtin_sha256(data).hexdigest())
    import hashlib

    return hashlib.sha256(data).hexdigest()
