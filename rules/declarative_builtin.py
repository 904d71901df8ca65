"""Built-in declarative rule packs: the TOML packs that ship in this package.

Registered through the same hook a drop-in ``.toml`` pack uses. The packs are
read and structurally checked when the engine is built, but their CEL compiles
on first evaluation (``compile=False``): commands that never evaluate
(``threshold plugins``, ``rules``, ``schema``) do not import the CEL library,
and evaluation start-up stays within its budget. The test suite compiles and
runs every built-in pack's own tests (``threshold test rules/``), so a lazy
compile cannot hide a broken built-in.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from threshold_core import hookimpl

#: The built-in declarative packs, next to this module.
PACK_FILES = ("disclosure.toml",)


@hookimpl
def threshold_register_rule_packs(register: Callable[[Any], None]) -> None:
    from threshold_core import load_pack

    folder = Path(__file__).resolve().parent
    for name in PACK_FILES:
        register(load_pack(folder / name, compile=False))
