"""What a public PRC generative service is built on and must carry: a filed, non-foreign
foundation model (FIL-005), the TC260 security self-assessment (FIL-006) and content
labels (FIL-007)."""

from __future__ import annotations

import re
from functools import lru_cache

from threshold_core.kit import CONTENT_KINDS, fired, fold, kind_of, not_evaluated, rule
from threshold_core.model import (
    CompanyProfile,
    Context,
    RuleResult,
    Service,
    ServiceKind,
    Severity,
)
from threshold_rules.filings.common import DIMENSION, no_services
from threshold_rules.filings.settings import FilingsSettings, ForeignModel


@lru_cache(maxsize=256)
def _word_pattern(name: str) -> re.Pattern[str]:
    # Letters or digits on either side make it another word: "SageGPT" is not "GPT".
    return re.compile(rf"(?<![0-9a-z]){re.escape(fold(name))}(?![0-9a-z])")


def foreign_match(model: str, settings: FilingsSettings) -> ForeignModel | None:
    """The listed foreign model that ``model`` names as a whole word, if any."""
    text = fold(model)
    for entry in settings.foreign_models:
        if _word_pattern(entry.name).search(text):
            return entry
    return None


@rule(
    "FIL-005",
    title="Service built on an unfiled or foreign foundation model",
    severity=Severity.CRITICAL,
    severities=(Severity.CRITICAL, Severity.HIGH),
    dimension=DIMENSION,
    rationale="Generative services may not be built on a foundation model that is not filed "
    "with the CAC; filings for services on foreign closed models fail. Critical when the "
    "profile confirms it (the model is recorded as not filed, or its maker's jurisdiction is "
    "foreign); high when only the name matches a listed foreign model (provider and "
    "jurisdiction in [settings.filings].foreign_models), matched as a whole word.",
    source="TC260-003 / GB/T 45654-2025 (foundation-model requirement); "
    "https://cset.georgetown.edu/publication/china-gen-ai-safety-standard-final/ ; "
    "http://shuanjiao.com/show-801.html ; list of foreign models: house policy",
)
def foundation_model(
    profile: CompanyProfile, settings: FilingsSettings, context: Context
) -> RuleResult:
    if not profile.services:
        return no_services()
    confirmed: list[str] = []
    named: list[str] = []
    missing: list[str] = []
    scope = [(i, s) for i, s in enumerate(profile.services) if s.public_prc and s.foundation_model]
    for i, s in scope:
        base = s.foundation_model or ""
        where = s.foundation_model_jurisdiction
        match = foreign_match(base, settings)
        if where is not None and where.strip().upper() not in settings.domestic_jurisdictions:
            maker = f" by {s.foundation_model_provider}" if s.foundation_model_provider else ""
            confirmed.append(f"{s.name} on {base}{maker} ({where.strip().upper()}: foreign)")
        elif s.foundation_model_filed is False:
            confirmed.append(f"{s.name} on {base} (not CAC-filed)")
        elif match is not None and where is None:
            named.append(
                f"{s.name} on {base} (the name matches {match.name} by {match.provider}, "
                f"{match.jurisdiction}: foreign; unconfirmed, set "
                f"services[{i}].foundation_model_jurisdiction)"
            )
        elif s.foundation_model_filed is None and where is None:
            missing.append(f"services[{i}].foundation_model_filed")
    if confirmed or named:
        return fired(
            "public PRC service(s) built on a foundation model that cannot pass filing: "
            + "; ".join(confirmed + named),
            severity=Severity.CRITICAL if confirmed else Severity.HIGH,
            evidence={"services": confirmed + named},
        )
    if missing:
        return not_evaluated(*missing)
    return {"services": [f"{s.name} on {s.foundation_model}" for _, s in scope]}


def _genai_scope(profile: CompanyProfile) -> list[Service]:
    return [s for s in profile.services if s.public_prc and kind_of(s) is ServiceKind.GENERATIVE]


@rule(
    "FIL-006",
    title="No evidence of the TC260 security self-assessment",
    severity=Severity.HIGH,
    dimension=DIMENSION,
    rationale="The security self-assessment (corpus blacklist at the 5% rule, keyword library, "
    "should-refuse and non-refusal test banks) is filed with the generative-AI filing.",
    source="TC260-003 / GB/T 45654-2025; "
    "https://cset.georgetown.edu/publication/china-gen-ai-safety-standard-final/ ; "
    "https://itinai.com/china-has-a-new-plan-for-judging-the-safety-of-generative-ai-and-its-"
    "packed-with-details",
)
def security_assessment(
    profile: CompanyProfile, settings: FilingsSettings, context: Context
) -> RuleResult:
    if not profile.services:
        return no_services()
    if not _genai_scope(profile):
        return {"services": "no public PRC generative service"}
    sa = profile.security_assessment
    if sa is None:
        return not_evaluated("security_assessment")
    artefacts = {
        "corpus_blacklist": sa.corpus_blacklist,
        "keyword_library": sa.keyword_library,
        "refusal_test_banks": sa.refusal_test_banks,
    }
    absent = [k for k, v in artefacts.items() if v is False]
    if absent:
        return fired(
            "security self-assessment lacks: " + ", ".join(absent),
            evidence={f"security_assessment.{k}": v for k, v in artefacts.items()},
        )
    unknown = [f"security_assessment.{k}" for k, v in artefacts.items() if v is None]
    if unknown:
        return not_evaluated(*unknown)
    return {f"security_assessment.{k}": v for k, v in artefacts.items()}


@rule(
    "FIL-007",
    title="AI-generated content not labeled for PRC users",
    severity=Severity.HIGH,
    dimension=DIMENSION,
    rationale="From 1 Sep 2025 generated content needs explicit labels and implicit metadata "
    "(GB 45438-2025); app stores check labeling at listing.",
    source="Measures for Labeling AI-Generated Synthetic Content (2025) + GB 45438-2025; "
    "https://en.we-ipr.com/IPNews/453 ; "
    "http://www.cycran.cn/news/zonghe/xinxi/1756636858479824.html",
)
def content_labeling(
    profile: CompanyProfile, settings: FilingsSettings, context: Context
) -> RuleResult:
    if not profile.services:
        return no_services()
    if context.as_of is None:
        return not_evaluated("as_of", message="no evaluation date")
    if context.as_of < settings.labeling_effective:
        return {"as_of": f"{context.as_of} is before {settings.labeling_effective}"}
    scope = [s for s in profile.services if s.public_prc and kind_of(s) in CONTENT_KINDS]
    if not scope:
        return {"services": "no content-generating PRC service"}
    cl = profile.content_labeling
    if cl is None:
        return not_evaluated("content_labeling")
    lacking = [n for n, ok in (("explicit labels", cl.explicit),
                               ("implicit metadata", cl.implicit_metadata)) if not ok]
    evidence = {
        "content_labeling.explicit": cl.explicit,
        "content_labeling.implicit_metadata": cl.implicit_metadata,
    }
    if lacking:
        return fired(
            "content-generating PRC service(s) "
            + ", ".join(s.name for s in scope)
            + " lack " + " and ".join(lacking) + f" (required since {settings.labeling_effective})",
            evidence=evidence,
        )
    return evidence
