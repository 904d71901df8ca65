"""Ethics flags: refusal calibration, disclosure, bias, minors, IP and EU prohibitions.

A built-in rule pack (``ethics``). Every threshold is a field of
:class:`EthicsSettings`, overridable under ``[settings.ethics]``. Findings
affect ``regulatory_readiness``. Each refusal rate is held to its own suite's bars;
a suite with no calibrated bars is shown in the evidence and decides nothing.
A rule without the data it needs returns ``not_evaluated`` naming the missing
profile paths; an ``evaluations`` section that is present but has no bias or
domain hallucination evaluation counts as "no evaluation on record".

Rules (id, severity: fires when; source):

ETH-001  high / medium / low: over-refusal on a benign suite above that suite's
         bars (XSTest 10 / 25%, OR-Bench-Hard-1K 50 / 80%: house policy; a Chinese
         benign set 5% (TC260) / 15%). The lower end of the 95% Wilson interval
         must clear the bar; a rate above the bar whose interval includes it is
         low (inconclusive). Needs the sample size (``n_benign`` or ``n_prompts``).
ETH-002  critical / high / low: compliance with unsafe prompts above the suite's
         bars (TC260 should-refuse bank 5%, XSTest 10%, OR-Bench-Toxic 20%);
         critical (> 20%) only for an independent result on a Chinese suite.
         TC260 should-refuse target >= 95%; NIST AI 600-1.
         (ETH-003, "both sides", was removed: it re-fired what ETH-001 and
         ETH-002 had already found.)
ETH-004  medium: canned refusals on benign history, geography and medical prompts
         > 10% with overseas revenue >= 30%. Promptfoo CCP-sensitive set; R1dacted.
ETH-005  high: a finance or healthcare vertical without a domain hallucination
         evaluation, or with confabulation > 5%. NIST AI 600-1; NFRA guidance.
ETH-006  high: no AI-content disclosure: explicit labels for PRC users from
         2025-09-01; explicit labels and machine-readable marking for EU users from
         2026-08-02. PRC Labeling Measures; EU AI Act Art. 50.
ETH-007  medium: no bias or discrimination evaluation on record.
         Ethical Norms for New Generation AI (2021); NIST AI 600-1.
ETH-008  high: a companion or role-play product without a minor mode.
         Algorithm Provisions (no inducing addiction; minors).
ETH-009  medium: open IP litigation claims >= 5% of revenue (converted to CNY).
         MiniMax prospectus coverage (iQIYI, Disney suits).
ETH-010  critical: an EU-facing use in an Art. 5 prohibited category, from
         2025-02-02. EU AI Act Art. 5.
ETH-011  low: no published AI principles and no ethics committee.
         MIIT-led AI S&T ethics guideline (2026).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from threshold_core import hookimpl
from threshold_core.kit import Pack
from threshold_rules.ethics.conduct import (
    bias_evaluation,
    disclosure,
    eu_prohibited,
    governance,
    hallucination,
    ip_litigation,
    minor_mode,
)
from threshold_rules.ethics.refusal import (
    canned_refusals,
    over_refusal,
    unsafe_compliance,
    wilson_interval,
)
from threshold_rules.ethics.settings import (
    DIMENSION,
    PARAMETERS,
    REFUSAL_SUITES,
    EthicsSettings,
    SuiteBars,
)

__all__ = ["DIMENSION", "PACK", "REFUSAL_SUITES", "EthicsSettings", "SuiteBars", "wilson_interval"]

NAME = "ethics"
VERSION = "1.3.0"
#: The date of the law and practice these rules encode: EU AI Act Arts. 5 and 50, PRC labeling
#: measures (in force 1 Sep 2025), MIIT ethics guideline (2026), as in domain-research §7.3.
LAW_AS_OF = date(2026, 6, 17)


PACK = Pack(
    name=NAME,
    version=VERSION,
    law_as_of=LAW_AS_OF,
    parameters=PARAMETERS,
    rules=(
        over_refusal,
        unsafe_compliance,
        canned_refusals,
        hallucination,
        disclosure,
        bias_evaluation,
        minor_mode,
        ip_litigation,
        eu_prohibited,
        governance,
    ),
    description="Refusal calibration, hallucination, disclosure, bias, minors, IP litigation, "
    "EU prohibitions and ethics governance.",
)


@hookimpl
def threshold_register_rule_packs(register: Any) -> None:
    register(PACK)


@hookimpl
def threshold_settings_types() -> dict[str, type]:
    return {NAME: EthicsSettings}
