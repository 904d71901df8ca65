"""The extension sections a pack reads, checked against those the plugins declare.

A rule that reads ``profile.extensions.<name>`` for a section no installed plugin declares
could never see data: ``has()`` is false on every profile and the rule passes silently (a
misspelt ``ai_safty_maturity``). When profiles may only carry declared sections (the
default, ``[extensions] undeclared = "error"``), such a read is an error of the pack,
naming the file and the rule, when the engine is built (``evaluate``, ``validate
--rules-dir``...). With ``undeclared = "keep"`` any section may be there, and none is
refused.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from ..errors import InputError, Problem


def extension_reads(rules: Iterable[tuple[int, str, Iterable[tuple[str, ...]]]]
                    ) -> dict[str, tuple[int, str]]:
    """Section name -> ``(rule index, rule id)`` of the first rule that reads it, from
    each rule's paths read (``("extensions", name, ...)``)."""
    out: dict[str, tuple[int, str]] = {}
    for index, rule_id, paths in rules:
        for path in paths:
            if len(path) >= 2 and path[0] == "extensions":
                out.setdefault(path[1], (index, rule_id))
    return out


def check_extension_reads(pack: Any, declared: Collection[str]) -> None:
    """Check the sections a compiled pack reads (its ``extensions_read``) against those
    ``declared``.

    :raises InputError: (exit code 2) naming the pack's file and each rule that reads an
        undeclared section.
    """
    problems = []
    for name, (index, rule_id) in pack.extensions_read.items():
        if name in declared:
            continue
        import difflib  # (only for a pack that reads an undeclared section)

        close = difflib.get_close_matches(name, sorted(declared), n=1)
        hint = (f"did you mean {close[0]!r}?" if close else
                "declared: " + (", ".join(sorted(declared)) or "none"))
        problems.append(Problem(
            f"$.rules[{index}]",
            f"rule {rule_id}: reads profile.extensions.{name}, a section no installed "
            f"plugin declares ({hint})"))
    if problems:
        raise InputError(str(pack.path), problems)
