"""A plugin set's fingerprint: what a decision depends on beyond its configuration.

Each plugin's name, version, origin, distribution and the sha256 of its file (its module,
drop-in file or declarative pack; with the path for drop-ins), and threshold's own version.
A Dask worker's set is compared with the client's (``_dask``), and a resumed batch's with
the set the partial output was written with (``_resume``): a drop-in pack edited without a
new version is another plugin set.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from attrs import frozen

__all__ = ["Fingerprint", "plugin_set_fingerprint"]


@frozen
class Fingerprint:
    """A plugin set: one entry per plugin, ``(name, version, origin, distribution, file)``.

    ``file`` is the sha256 of the plugin's file (its module, drop-in file or pack),
    with the path for drop-ins, which must be at the same path on every machine.
    """

    entries: tuple[tuple[str, ...], ...]

    def digest(self) -> str:
        return hashlib.sha256(repr(self.entries).encode()).hexdigest()

    def difference(self, other: Fingerprint) -> str:
        """The first way ``other`` (a worker's) differs from this (the client's)."""
        mine = {e[0]: e for e in self.entries}
        theirs = {e[0]: e for e in other.entries}
        for name in sorted(mine.keys() | theirs.keys()):
            a, b = mine.get(name), theirs.get(name)
            if a == b:
                continue
            if b is None:
                return f"plugin {name!r} is missing there"
            if a is None:
                return f"plugin {name!r} is there but not here"
            for field, x, y in zip(("name", "version", "origin", "distribution", "file"), a, b,
                                   strict=True):
                if x != y:
                    return f"plugin {name!r} has {field} {y!r} there, {x!r} here"
        return "the plugin sets differ"  # pragma: no cover - equal entries, equal digests


def _file_sha(path: str | None) -> str:
    if not path:
        return ""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError as exc:
        return f"unreadable: {exc.strerror or type(exc).__name__}"


def plugin_set_fingerprint(pm: Any) -> Fingerprint:
    """The fingerprint of a plugin manager's plugins (and of threshold's own version)."""
    from ..engine import engine_version

    entries = [("threshold", engine_version(), "engine", "threshold", "")]
    for name, info in sorted(pm.info.items()):
        file = _file_sha(info.path)
        if info.origin == "drop_in" and info.path:
            file = f"{Path(info.path).resolve()} {file}"
        entries.append((name, info.version, info.origin, info.distribution or "", file))
    return Fingerprint(tuple(entries))
