"""The entry-point scan and threshold's own version, cached for the command's start-up.

Finding the plugins installed under the ``threshold`` entry-point group means
importing :mod:`importlib.metadata` (about 11 ms: it loads the email package) and
reading every installed distribution's ``entry_points.txt`` (3 to 9 ms with a
hundred distributions); threshold's own version is one more metadata parse. The
``threshold`` command (not the library: :func:`create_plugin_manager` only with
``entry_point_cache``) keeps what that scan found in a small JSON file in its
cache folder, valid for one *fingerprint* of everything the scan reads: each
entry of ``sys.path`` in order, the names of the distributions' metadata
folders in it as ``importlib.metadata`` finds them (``*.dist-info``,
``*.egg-info``, an egg's ``EGG-INFO``), and the modification time and size of
each one's ``entry_points.txt``, ``METADATA`` and ``PKG-INFO`` (a zip file on
the path: its own time and size). Installing, upgrading, reinstalling or
removing a distribution changes it; other files written into a folder on the
path do not. A different
fingerprint, an unreadable file, or a finder on ``sys.meta_path`` other than the
standard path finder that can report distributions: the scan runs as before and
the file is rewritten (atomically). Computing the fingerprint costs about 1 ms.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
from functools import reduce
from importlib import import_module
from pathlib import Path
from typing import Any, NamedTuple

from ..model import blake2b

#: ``importlib.metadata.EntryPoint.pattern`` (Python 3.11 to 3.13); compiled (by ``re``'s
#: own cache) only when a plugin's entry point is loaded, not at every start.
_PATTERN = r"(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+)\s*)?((?P<extras>\[.*\])\s*)?$"
_FORMAT = "threshold-entry-points-1"
_META = ("entry_points.txt", "METADATA", "PKG-INFO")


class Found(NamedTuple):
    """One entry point of the group, with its distribution's name and version."""

    name: str
    value: str
    group: str
    distribution: str | None
    version: str | None

    def load(self) -> Any:
        """What ``importlib.metadata.EntryPoint.load`` returns for it."""
        match = re.match(_PATTERN, self.value)
        if match is None or "importlib.metadata" in sys.modules:
            import importlib.metadata  # loaded already, or its own error for a bad value

            return importlib.metadata.EntryPoint(self.name, self.value, self.group).load()
        module = import_module(match.group("module"))
        attrs = filter(None, (match.group("attr") or "").split("."))
        return reduce(getattr, attrs, module)


class Scan(NamedTuple):
    """threshold's version and the group's entry points sorted by name."""

    version: str
    entry_points: tuple[Found, ...]


def installed_version() -> str:
    """threshold's version as installed (its distribution's metadata)."""
    import importlib.metadata

    try:
        return importlib.metadata.version("threshold")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - source tree
        return "0+unknown"


def entry_points(group: str) -> tuple[Found, ...]:
    """The group's entry points through ``importlib.metadata``, sorted by name."""
    import importlib.metadata

    found = []
    for ep in sorted(importlib.metadata.entry_points(group=group), key=lambda ep: ep.name):
        dist = getattr(ep, "dist", None)
        found.append(Found(ep.name, ep.value, group,
                           dist.metadata["Name"] if dist is not None else None,
                           dist.version if dist is not None else None))
    return tuple(found)


def scan(group: str) -> Scan:
    """Both, uncached."""
    return Scan(installed_version(), entry_points(group))


def fingerprint(group: str, *, any_finder: bool = False) -> str | None:
    """A digest of what the scan reads; None when it cannot be told from files (a finder
    on ``sys.meta_path`` that reports distributions, unless ``any_finder``: then the
    files' part of it, which the command's server compares, ``cli/_server.py``)."""
    from importlib.machinery import PathFinder

    if not any_finder and any(hasattr(f, "find_distributions") and f is not PathFinder
                              for f in sys.meta_path):
        return None
    parts: list[object] = [_FORMAT, group, sys.version]
    for entry in sys.path:
        root = os.path.abspath(entry or ".")
        parts.append(root)
        try:
            st = os.stat(root)
        except (OSError, ValueError):
            parts.append(None)
            continue
        if not os.path.isdir(root):  # a zip file: its time and size
            parts.append((st.st_mtime_ns, st.st_size))
            continue
        try:
            children = sorted(os.listdir(root))
        except OSError:
            parts.append("unlisted")
            continue
        for child in children:
            low = child.lower()
            if not (low.endswith((".dist-info", ".egg-info")) or low == "egg-info"):
                continue
            parts.append(child)
            for name in _META:
                try:
                    meta = os.stat(os.path.join(root, child, name))
                    parts.append((name, meta.st_mtime_ns, meta.st_size))
                except (OSError, ValueError):
                    pass
    return blake2b(repr(parts).encode(), digest_size=20).hexdigest()


def cached_scan(path: Path, group: str) -> Scan:
    """:func:`scan`'s result from ``path`` when the fingerprint matches; else scan and save."""
    key = fingerprint(group)
    if key is not None:
        with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
            data = json.loads(path.read_text(encoding="utf-8"))
            if data["format"] == _FORMAT and data["fingerprint"] == key:
                return Scan(str(data["version"]), tuple(
                    Found(str(name), str(value), str(grp), _text(dist), _text(version))
                    for name, value, grp, dist, version in data["entry_points"]))
    result = scan(group)
    if key is not None:
        _save(path, {"format": _FORMAT, "fingerprint": key, "version": result.version,
                     "entry_points": [list(ep) for ep in result.entry_points]})
    return result


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _save(path: Path, data: dict[str, Any]) -> None:
    """Write ``path`` atomically; a cache that cannot be written is left alone."""
    import tempfile

    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh)
            os.replace(tmp, path)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
