"""Pruning the start-up caches of installations that are gone.

Each installation (a virtual environment, a checkout) keeps its own start-up cache files
in the cache folder, named with its digest (``generated-code-<python>-<digest>.marshal``,
``classes-...``, ``modules-...``, ``regex-...``, ``entry-points-<digest>.json``,
``cel-checks-<digest>.marshal``): about 3 MB each. Environments come and go (a CI job's, an
upgrade's), and their files would stay for ever. At most once a day (a ``last-pruned``
marker's modification time), a command removes the files of every other installation whose
newest file is more than :data:`MAX_AGE_DAYS` old, and of all but the :data:`KEEP` most
recently written ones (house policy: an installation used again rebuilds its files once,
in the time of one start-up without them). Only files named as threshold names them are
touched; its own installation's never. Nothing here can fail a command.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from pathlib import Path

#: Files of an installation not written for this many days are removed (house policy).
MAX_AGE_DAYS = 30
#: Installations kept however recent the others are (house policy).
KEEP = 12
#: Once a day at most.
_EVERY_SECONDS = 86_400
#: threshold's cache files: ``kind[-python]-digest.ext``; ``digest`` names the installation.
#: Names without a digest were written by earlier versions: each is its own group. (Compiled,
#: by ``re``'s own cache, only on the day's one pruning, not at every start.)
_NAME = (
    r"^(?:generated-code|classes|regex|modules(?:-opt\d)?|first-attempt|entry-points|cel-checks"
    r"|cel-types-and-checks)"
    r"(?:-[a-z]+-\d+-[0-9a-f]{8})?(?:-(?P<digest>[0-9a-f]{8}))?\.(?:marshal|json)$")


def prune(folder: Path, mine: str, now: float | None = None) -> list[str]:
    """Remove other installations' stale cache files from ``folder``; the names removed.

    ``mine`` is this installation's digest (:func:`._codecache.installation`). Runs only
    when the folder's ``last-pruned`` marker is a day old or missing, and never raises.
    """
    now = time.time() if now is None else now
    marker = folder / "last-pruned"
    removed: list[str] = []
    with contextlib.suppress(OSError):
        if now - marker.stat().st_mtime < _EVERY_SECONDS:
            return removed
    with contextlib.suppress(OSError):
        groups: dict[str, list[tuple[float, Path]]] = {}
        with os.scandir(folder) as entries:
            for entry in entries:
                found = re.match(_NAME, entry.name)
                if found is None or not entry.is_file(follow_symlinks=False):
                    continue
                group = found.group("digest") or entry.name
                if group == mine:
                    continue
                groups.setdefault(group, []).append((entry.stat().st_mtime, Path(entry.path)))
        newest = sorted(groups, key=lambda g: max(t for t, _ in groups[g]), reverse=True)
        for rank, group in enumerate(newest):
            age_days = (now - max(t for t, _ in groups[group])) / 86_400
            if rank < KEEP and age_days <= MAX_AGE_DAYS:
                continue
            for _, path in groups[group]:
                with contextlib.suppress(OSError):
                    path.unlink()
                    removed.append(path.name)
        marker.touch()
        os.utime(marker, (now, now))
    return removed
