"""Matching the names people write: "ChatGLM" filed, "Zhipu Qingyan (ChatGLM app)" served.

Profiles name the same service, model or sector in slightly different ways.
These helpers compare names with case, spaces and punctuation ignored, and
cache the normalised forms: rules call them once per rule per company.
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1024)
def normalise(text: str) -> str:
    """Lower case, letters and digits only (``"Chat GLM-4"`` -> ``"chatglm4"``)."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


@lru_cache(maxsize=1024)
def names_match(a: str, b: str) -> bool:
    """True when the normalised names are equal, or one (of 3+ characters) contains the other."""
    x, y = normalise(a), normalise(b)
    if not x or not y:
        return False
    shorter = min(x, y, key=len)
    return x == y or (len(shorter) >= 3 and (x in y or y in x))
