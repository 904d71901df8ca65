"""Matching the names people write: "ChatGLM" filed, "Zhipu Qingyan (ChatGLM app)" served.

Profiles name the same service, model, vendor or sector in slightly different
ways, and in different widths: a Chinese input method types full-width
letters (U+FF2E U+FF36 ...) where an English keyboard types ``NVIDIA``.
Every name that is matched goes through :func:`fold` (Unicode NFKC, then case
folding; the model's, which grades sources and reads the gate's words too): no rule
compares raw names. :func:`normalise` also drops spaces and punctuation for fuzzy
matching. Both cache their results: rules call them once per rule per company.
"""

from __future__ import annotations

from functools import lru_cache

from ..model import fold as fold  # kit.fold: the one fold, re-exported


@lru_cache(maxsize=1024)
def normalise(text: str) -> str:
    """Folded, letters and digits only (``"Chat GLM-4"`` -> ``"chatglm4"``)."""
    return "".join(ch for ch in fold(text) if ch.isalnum())


@lru_cache(maxsize=256)
def _normalised_aliases(aliases: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(n for a in aliases if (n := normalise(a)))


def contains_any(name: str, aliases: tuple[str, ...]) -> bool:
    """True when the normalised ``name`` contains one of the normalised ``aliases`` (aliases
    that normalise to nothing never match). The aliases are normalised once per tuple."""
    n = normalise(name)
    return any(a in n for a in _normalised_aliases(aliases))


@lru_cache(maxsize=1024)
def names_match(a: str, b: str) -> bool:
    """True when the normalised names are equal, or one (of 3+ characters) contains the other."""
    x, y = normalise(a), normalise(b)
    if not x or not y:
        return False
    shorter = min(x, y, key=len)
    return x == y or (len(shorter) >= 3 and (x in y or y in x))
