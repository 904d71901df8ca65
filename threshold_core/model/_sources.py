"""Source grades: how much a figure's provenance can be trusted.

Every figure, record and reading in a profile may name its source as free text
(``source = "HKEX prospectus, 2025-12-30"``). A source is graded by the first
grade, in the order below, one of whose patterns (case-insensitive substrings,
configurable in ``[sources.patterns]``) it contains; a reading with several
sources takes the weakest. The grades and the tier each counts in:

============== ========== ===================================================
grade          tier       default patterns (abridged)
============== ========== ===================================================
illustrative   illustrative "illustrative", "hypothetical", "made up"
cohort_proxy   proxy      "average", "proxy", "cohort", "median", "typical", ...
estimate       secondary  "estimate", "inferred", "derived", "analyst"
seed_article   secondary  "seed article", "the article"
registry       primary    "cac.gov.cn", "beian", "registry", "entity list", ...
exchange       primary    "hkex", "sse.com", "szse", "stock exchange"
filing         primary    "prospectus", "annual report", "interim report", ...
company        primary    "model card", "press release", "company", ...
press          secondary  "reuters", "bloomberg", "scmp", "caixin", "http"
research       secondary  "domain-research", "research"
unsourced      illustrative (no source, or no pattern matched)
============== ========== ===================================================

Order matters: "illustrative: the filing number is not in the sources" is
illustrative, "inferred: filed with the CAC model filing" an estimate. A
company's own statement (a model card, a results release) is the primary
source of what the company says; an unmatched or missing source counts as
illustrative, so removing a source never makes a figure count for more.

The engine reports, per dimension and overall, the *sourced coverage* (share of
metric weight with data from a primary or secondary source) beside the
coverage, and the share of the composite resting on illustrative or proxy
readings; ``policy.max_illustrative_share`` (default 0.25) above which
``qualified`` is held at ``watch``. A reading graded ``cohort_proxy`` (a
cohort average written into a company's profile) is reported and not scored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from attrs import field, frozen

from ..errors import Problem
from ._figures import (
    StrEnum,
)
from ._fold import fold


class SourceGrade(StrEnum):
    ILLUSTRATIVE = "illustrative"
    COHORT_PROXY = "cohort_proxy"
    ESTIMATE = "estimate"
    SEED_ARTICLE = "seed_article"
    REGISTRY = "registry"
    EXCHANGE = "exchange"
    FILING = "filing"
    COMPANY = "company"
    PRESS = "press"
    RESEARCH = "research"
    UNSOURCED = "unsourced"


class SourceTier(StrEnum):
    PRIMARY = "primary"
    SECONDARY = "secondary"
    ILLUSTRATIVE = "illustrative"
    PROXY = "proxy"


TIER: dict[SourceGrade, SourceTier] = {
    SourceGrade.ILLUSTRATIVE: SourceTier.ILLUSTRATIVE,
    SourceGrade.COHORT_PROXY: SourceTier.PROXY,
    SourceGrade.ESTIMATE: SourceTier.SECONDARY,
    SourceGrade.SEED_ARTICLE: SourceTier.SECONDARY,
    SourceGrade.REGISTRY: SourceTier.PRIMARY,
    SourceGrade.EXCHANGE: SourceTier.PRIMARY,
    SourceGrade.FILING: SourceTier.PRIMARY,
    SourceGrade.COMPANY: SourceTier.PRIMARY,
    SourceGrade.PRESS: SourceTier.SECONDARY,
    SourceGrade.RESEARCH: SourceTier.SECONDARY,
    SourceGrade.UNSOURCED: SourceTier.ILLUSTRATIVE,
}

#: Weakest first: a reading with several sources takes the first of these it has.
_WEAKNESS = (SourceTier.PROXY, SourceTier.ILLUSTRATIVE, SourceTier.SECONDARY,
             SourceTier.PRIMARY)


def _default_patterns() -> dict[str, tuple[str, ...]]:
    return {
        "illustrative": ("illustrative", "hypothetical", "made up", "fictional"),
        "cohort_proxy": ("average", "proxy", "cohort", "median", "peer group", "peer-group",
                         "peer mean", "group mean", "sector mean", "industry mean", "typical",
                         "sector benchmark", "industry benchmark"),
        "estimate": ("estimate", "inferred", "derived", "analyst", "[verify]"),
        "seed_article": ("seed article", "the article"),
        "registry": ("cac.gov.cn", "beian", "registry", "entity list", "federal register",
                     "nmpa", "regulator"),
        "exchange": ("hkex", "sse.com", "szse", "stock exchange", "exchange announcement"),
        "filing": ("prospectus", "annual report", "interim report", "10-k", "20-f",
                   "statutory filing"),
        "company": ("model card", "press release", "company", "vendor disclosure",
                    "official", "github.com", "huggingface.co"),
        "press": ("reuters", "bloomberg", "scmp", "caixin", "news", "reportify", "http"),
        "research": ("domain-research", "research"),
    }


@frozen
class SourcesConfig:
    """``[sources]``: how free-text sources are graded."""

    #: Patterns per grade (case-insensitive substrings); a grade given here replaces its
    #: default list. Grades are tried in the fixed order of :class:`SourceGrade`.
    patterns: dict[str, tuple[str, ...]] = field(factory=dict)

    def effective(self) -> dict[SourceGrade, tuple[str, ...]]:
        merged = {**_default_patterns(), **self.patterns}
        return {g: tuple(fold(p) for p in merged.get(str(g), ()))
                for g in SourceGrade if g is not SourceGrade.UNSOURCED}


_DEFAULT = SourcesConfig()
#: Per configuration (by identity): its patterns, and the grades of the texts seen so far
#: (a source text recurs across metrics and profiles; grading it is a pure function).
_CACHE: dict[int, tuple[SourcesConfig, dict[SourceGrade, tuple[str, ...]],
                        dict[str, SourceGrade]]] = {}
#: Most texts remembered per configuration.
_MEMO_SIZE = 4096


def _compiled(
    config: SourcesConfig | None,
) -> tuple[SourcesConfig, dict[SourceGrade, tuple[str, ...]], dict[str, SourceGrade]]:
    cfg = config or _DEFAULT
    got = _CACHE.get(id(cfg))
    if got is None or got[0] is not cfg:
        if len(_CACHE) > 64:
            _CACHE.clear()
        got = _CACHE[id(cfg)] = (cfg, cfg.effective(), {})
    return got


def _patterns(config: SourcesConfig | None) -> dict[SourceGrade, tuple[str, ...]]:
    return _compiled(config)[1]


def grade_source(text: str | None, config: SourcesConfig | None = None) -> SourceGrade:
    """The grade of one free-text source."""
    if not text:
        return SourceGrade.UNSOURCED
    _cfg, patterns, memo = _compiled(config)
    grade = memo.get(text)
    if grade is None:
        grade = _grade(text, patterns)
        if len(memo) >= _MEMO_SIZE:
            memo.clear()
        memo[text] = grade
    return grade


def _grade(text: str, patterns: dict[SourceGrade, tuple[str, ...]]) -> SourceGrade:
    low = fold(text)
    if not low:  # blank, or only invisible characters
        return SourceGrade.UNSOURCED
    for grade, pats in patterns.items():
        if any(p in low for p in pats):
            return grade
    return SourceGrade.UNSOURCED


def weakest(sources: Iterable[str | None], config: SourcesConfig | None = None) -> SourceGrade:
    """The weakest grade among ``sources`` (``unsourced`` when there are none)."""
    grades = [grade_source(s, config) for s in sources]
    if not grades:
        return SourceGrade.UNSOURCED
    if len(grades) == 1:
        return grades[0]
    for tier in _WEAKNESS:
        for g in grades:
            if TIER[g] is tier:
                return g
    return grades[0]  # pragma: no cover


#: :data:`TIER` keyed by the grades' strings (a member finds its entry too).
_TIER_OF: dict[str, SourceTier] = {g.value: t for g, t in TIER.items()}


def tier_of(grade: str | SourceGrade | None) -> SourceTier | None:
    if grade is None:
        return None
    tier = _TIER_OF.get(grade)
    return tier if tier is not None else TIER[SourceGrade(grade)]


def check_sources(cfg: SourcesConfig, root: str = "$.sources") -> list[Problem]:
    known = {str(g) for g in SourceGrade if g is not SourceGrade.UNSOURCED}
    return [
        Problem(f"{root}.patterns.{name}",
                f"not a source grade (known: {', '.join(sorted(known))})")
        for name in cfg.patterns if name not in known
    ]


_TIER_NAMES = tuple(str(t) for t in SourceTier)


def count_tiers(grades: Mapping[str, int]) -> dict[str, int]:
    """Counts per grade folded into counts per tier."""
    out = dict.fromkeys(_TIER_NAMES, 0)
    for g, n in grades.items():
        tier = _TIER_OF.get(g)
        out[str(tier if tier is not None else TIER[SourceGrade(g)])] += n
    return out
