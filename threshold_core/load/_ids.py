"""Company ids are unique in every run: the first profile with an id has it.

A company id is the key of everything after a decision: ``batch --resume`` skips the ids
already written, ``diff`` pairs two sides by id, a portfolio's summary counts companies by
id. Two profiles with one id would be evaluated and written twice and then seen once, so
every command that reads several profiles refuses the second, naming both places.

Ids are compared in the one folded form free text is matched in
(:func:`threshold_core.model.fold`: NFKC, case-folded, spaces collapsed): ``Zhipu``, ``zhipu``
and a full-width ``zhipu`` (typed with a Chinese input method) are one company typed
twice, not two companies.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..errors import InputError, Problem
from ..model import fold

__all__ = ["CompanyIds", "refuse_repeated_ids"]


class CompanyIds:
    """The company ids a run has met so far, each with the place it was first met.

    >>> ids = CompanyIds()
    >>> ids.claim("zhipu", "a.toml") is None
    True
    >>> ids.claim("Zhipu", "b.toml").message.split(" (")[0]
    "company id 'Zhipu' is already the id of a.toml"
    """

    __slots__ = ("_first",)

    def __init__(self) -> None:
        self._first: dict[str, tuple[str, str]] = {}

    def claim(self, company_id: Any, place: str) -> Problem | None:
        """Record that the profile at ``place`` (a file, ``file:line``, a workbook cell)
        has ``company_id``; the problem at ``$.id`` when another place had it first.

        Anything but a non-empty string is no id (it is the profile's own error) and
        claims nothing. The same place claiming again is a repeat too (a file given
        twice, or inside a folder given as well, would be evaluated twice).
        """
        if not isinstance(company_id, str):
            return None
        # fold() of printable ASCII text is its lower case with spaces collapsed (NFKC
        # changes no such character); a portfolio's ids are mostly that and seen once
        # each, so they skip fold()'s cache. Invisible characters fold away (01ai\u200b is
        # 01ai).
        key = (" ".join(company_id.lower().split())
               if company_id.isascii() and company_id.isprintable() else fold(company_id))
        if not key:  # blank: the profile's own error
            return None
        first = self._first.get(key)
        if first is None:
            self._first[key] = (company_id, place)
            return None
        first_id, first_place = first
        if first_place == place:
            return Problem("$.id", f"company id {company_id!r}: {place} is given twice")
        return Problem("$.id", repeated(company_id, first_id, _short(first_place, place)))


def repeated(company_id: str, first_id: str, first_place: str) -> str:
    """The message for a profile whose id ``first_place`` had first (as ``first_id``)."""
    spelt = ("" if first_id == company_id else
             f" (as {first_id!r}; ids are compared ignoring case and width)")
    return f"company id {company_id!r} is already the id of {first_place}{spelt}"


def _short(first: str, place: str) -> str:
    """``first`` without the file both places name (``book.xlsx: Sheet!A3`` -> ``Sheet!A3``
    when ``place`` is in ``book.xlsx`` too)."""
    head, sep, rest = first.partition(": ")
    return rest if sep and place.startswith(head + sep) else first


def refuse_repeated_ids(profiles: Iterable[tuple[Any, str]]) -> None:
    """Raise :class:`InputError` for the first ``(company id, place)`` whose id an earlier
    one had (one line naming both places and the id).

    :raises InputError: source ``place`` of the repeat, problem at ``$.id``.
    """
    ids = CompanyIds()
    for company_id, place in profiles:
        problem = ids.claim(company_id, place)
        if problem is not None:
            raise InputError(place, [problem])
