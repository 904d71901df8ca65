"""Filings: CAC filings and registrations, labeling, sector approvals, enforcement.

A built-in rule pack (``filings``). Every threshold is a field of
:class:`FilingsSettings`, overridable under ``[settings.filings]``. Findings
affect ``regulatory_readiness``. A rule without the data it needs returns
``not_evaluated`` naming the missing profile paths; a rule whose trigger does
not apply (no healthcare vertical, no material change) passes.

A filing is *in force* when its status is ``active`` or ``changed``. A filing
*covers* a service when its ``service`` names the service or the model the
service runs (``services[].model``; case, spaces and punctuation ignored; either
name may contain the other); a filing without a ``service``
covers every service unless ``unattributed_filings_cover_all = false``.

Rules (id, severity: fires when; source):

FIL-001  critical: a public PRC generative service has no generative-AI filing in
         force (an API-based one: neither a filing nor a registration).
         GenAI Interim Measures Art. 17.
FIL-002  critical: a public PRC algorithm-recommendation or deep-synthesis service
         (or a generative one, Art. 17) with public-opinion attributes has no
         algorithm / deep-synthesis filing in force.
         Algorithm Provisions Art. 24; Deep Synthesis Provisions Art. 19.
FIL-003  high: a material change was filed more than 10 working days after it
         happened, or is unfiled and already overdue. Working days follow the
         official PRC schedule (holidays off, make-up days worked); a date beyond
         the schedule on record is not_evaluated, naming it. Algorithm Provisions
         Art. 24.
FIL-004  medium: a CAC filing in force is not displayed on the product;
         low: a filing number does not match the observed grammar (soft check).
         CAC display practice; research §1.3.
FIL-005  critical / high: a public PRC service builds on a foundation model that is
         not CAC-filed or whose maker is confirmed foreign (critical), or whose
         name matches a listed foreign closed model as a whole word, unconfirmed
         (high; "SageGPT" is not "GPT"). TC260-003 / GB/T 45654-2025.
FIL-006  high: a public PRC generative service lacks an artefact of the security
         self-assessment (corpus blacklist, keyword library, refusal test banks).
         TC260-003 / GB/T 45654-2025.
FIL-007  high: from 2025-09-01, a PRC content-generating service lacks explicit
         labels or implicit metadata. Labeling Measures; GB 45438-2025.
FIL-008  info (data quality): a CAC filing attributed to MIIT, "verticals approved"
         given as a count, or a summary compliance status. Research §0, §1.2.
FIL-009  critical / high: a healthcare decision-support vertical with >= 10% of
         revenue has no NMPA Class III registration in force (critical when the
         vertical has >= 50% of revenue). NMPA Announcement No. 47 (2021).
FIL-010  critical: a service auto-generates prescriptions or stands in for a
         physician. NHC/NATCM Internet Diagnosis Supervision Rules (2022).
FIL-011  high: NFRA-regulated clients and no generative-AI filing, an unfiled
         foundation model, decision support without human oversight, or personal
         data in generative-AI training. NFRA AI guidance (2026).
FIL-012  high / medium / low: enforcement in the last 24 months: an unresolved
         penalty or app removal (high), a resolved one (medium), a summons or
         rectification order only (low). Cybersecurity Law amendment (2026).
FIL-013  medium / low: activity on the expert re-review list (public-opinion
         service, decision support without human oversight) and no ethics
         committee (medium), or a committee under 5 members or no expert
         re-review (low). S&T Ethics Review Measures (2023); MIIT guideline (2026).
FIL-015  high / medium: an EU GPAI provider without GPAI documentation for a model
         that owes it: released from 2025-08-02, or earlier once the transition ends
         on 2027-08-02 (Art. 111(3)); open-weights models without systemic risk are
         exempt (Art. 53(2)); high at >= 1e25 FLOP of training (systemic risk).
         EU AI Act Arts. 51-55, 111.

FIL-014  high / medium: personal information sent abroad without the mechanism its
         volume needs (> 1m people or > 10k sensitive: CAC security assessment,
         high; 100k-1m: standard contract or certification, medium).
         CAC Order No. 16 (2024).
FIL-017  high: a public PRC service without an MIIT ICP or app filing in force.
         Internet Information Services Measures Art. 4; MIIT app filing (2023).
FIL-018  high: a public-opinion service without the 2018 security assessment on
         record. CAC + MPS Provisions (2018); GenAI Measures Art. 17.
FIL-019  medium: personal information of > 10m people and no compliance audit
         in 24 calendar months (from the first cycle's end, 2027-05-01).
         CAC Order No. 18 (2025) Art. 3.
FIL-020  high: face or voice editing without the edited person's separate
         consent. Deep Synthesis Provisions Art. 14.
FIL-021  medium: a public PRC consumer service (not a companion: ETH-008) without
         a minors' mode. Minors Online Protection Regulations (2024).

Not implemented: FIL-016 (STAR "national approval" proxy; it would restate
FIL-001 and the gate belongs to the core policy). FIL-003's cancellation
deadline needs a service termination date, which the profile does not carry.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from threshold_core import hookimpl
from threshold_core.kit import Pack
from threshold_rules.filings.common import DIMENSION, in_sectors
from threshold_rules.filings.generative import (
    content_labeling,
    foundation_model,
    security_assessment,
)
from threshold_rules.filings.governance import (
    enforcement_history,
    ethics_committee,
    gpai_documentation,
)
from threshold_rules.filings.prc import (
    cross_border,
    deep_synthesis_consent,
    icp_filing,
    minors_mode,
    pi_compliance_audit,
    public_opinion_assessment,
)
from threshold_rules.filings.registry import (
    algorithm_filing,
    change_deadline,
    data_quality,
    filing_display,
    genai_filing,
)
from threshold_rules.filings.sectors import auto_prescription, nfra_safeguards, nmpa_class_iii
from threshold_rules.filings.settings import PARAMETERS, FilingsSettings

# The pack was one module; its public names stay importable from the package.
__all__ = [
    "DIMENSION",
    "NAME",
    "PACK",
    "VERSION",
    "FilingsSettings",
    "algorithm_filing",
    "auto_prescription",
    "change_deadline",
    "content_labeling",
    "cross_border",
    "data_quality",
    "deep_synthesis_consent",
    "enforcement_history",
    "ethics_committee",
    "filing_display",
    "foundation_model",
    "genai_filing",
    "gpai_documentation",
    "icp_filing",
    "in_sectors",
    "minors_mode",
    "nfra_safeguards",
    "nmpa_class_iii",
    "pi_compliance_audit",
    "public_opinion_assessment",
    "security_assessment",
    "threshold_register_rule_packs",
    "threshold_settings_types",
]

NAME = "filings"
VERSION = "1.2.0"
#: The date of the law and practice these rules encode: CAC filing regimes, CSL amendment (1 Jan
#: 2026), NFRA guidance and SSE Guidance No. 10 (17 Jun 2026), as in domain-research §1 and §7.1.
LAW_AS_OF = date(2026, 6, 17)

PACK = Pack(
    name=NAME,
    version=VERSION,
    law_as_of=LAW_AS_OF,
    parameters=PARAMETERS,
    rules=(
        genai_filing,
        algorithm_filing,
        change_deadline,
        filing_display,
        foundation_model,
        security_assessment,
        content_labeling,
        data_quality,
        nmpa_class_iii,
        auto_prescription,
        nfra_safeguards,
        enforcement_history,
        ethics_committee,
        gpai_documentation,
        cross_border,
        icp_filing,
        public_opinion_assessment,
        pi_compliance_audit,
        deep_synthesis_consent,
        minors_mode,
    ),
    description="CAC filings and registrations, content labeling, sector approvals "
    "(NMPA, NHC, NFRA), enforcement history, ethics review and EU GPAI duties.",
)


@hookimpl
def threshold_register_rule_packs(register: Any) -> None:
    register(PACK)


@hookimpl
def threshold_settings_types() -> dict[str, type]:
    return {NAME: FilingsSettings}
