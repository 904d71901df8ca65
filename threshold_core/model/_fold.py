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
    """NFKC, case-folded, spaces collapsed and trimmed.

    Full-width ``NVIDIA``, ``" Nvidia "`` and ``"NVIDIA"`` all fold to ``"nvidia"``.
    (NFKC again after case folding, as Unicode's compatibility caseless match does.)
    """
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return " ".join(folded.split())
