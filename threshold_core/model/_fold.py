"""The one form free text is matched in (names, sources, the gate's words).

Profiles are typed with Chinese and English input methods alike: a Chinese input
method types full-width letters (U+FF49 U+FF4C ... for ``illustrative``) where an
English keyboard types ASCII. Every free-text match (source grades, the gate's
``illustrative``, the names rules compare: :func:`threshold_core.kit.fold`) goes
through :func:`fold`, so a width or a case never decides.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """NFKC, case-folded, invisible characters dropped, spaces collapsed and trimmed.

    Full-width ``NVIDIA``, ``" Nvidia "`` and ``"NVIDIA"`` all fold to ``"nvidia"``.
    (NFKC again after case folding, as Unicode's compatibility caseless match does.)
    Format characters (category Cf: a zero-width space or joiner, a soft hyphen, a
    byte-order mark, a right-to-left override) are dropped, as Unicode's NFKC_Casefold
    drops default-ignorable code points, so ``illus\u00adtrative`` is ``illustrative`` and
    ``01ai\u200b`` is ``01ai``; control characters (Cc) count as spaces.
    """
    if not text.isprintable():  # only then: a Cf or Cc character may be in it
        # before normalising, so that what the hidden character split composes
        text = "".join(" " if unicodedata.category(c) == "Cc" else c for c in text
                       if unicodedata.category(c) != "Cf")
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return " ".join(folded.split())
