"""PRC obligations beyond the CAC registries: the MIIT ICP and app filing (FIL-017), the
2018 security assessment for public-opinion services (FIL-018), the personal-information
protection compliance audit (FIL-019), cross-border transfers of personal information
(FIL-014), separate consent for face and voice editing (FIL-020) and minors' mode
(FIL-021)."""

from __future__ import annotations

from typing import Any

from threshold_core.kit import add_months, fired, months_before, not_evaluated, rule
from threshold_core.model import (
    CompanyProfile,
    Context,
    Regime,
    RuleResult,
    Severity,
    TransferMechanism,
    format_against,
)
from threshold_rules.filings.common import (
    DIMENSION,
    covers,
    filings_in_force,
    no_services,
    status_unknown,
    unknown_cover,
)
from threshold_rules.filings.settings import FilingsSettings


def _uncovered(
    profile: CompanyProfile, settings: FilingsSettings, regime: Regime, public_opinion: bool
) -> tuple[list[str], list[str], list[str]] | None:
    """(services in scope, those without a record of ``regime`` in force, and the paths
    that leave the others unknown: ``filings[j].status`` of a record left without its
    status that would cover one, ``services[i].public_opinion`` of one only possibly in
    scope), or None
    when that registry was not researched (no filings at all, or none of ``regime`` and the
    regime not in ``filings_researched``). With ``public_opinion``, a service whose
    ``public_opinion`` is left out may be in scope: unknown, never presumed false."""
    scope = [(i, s) for i, s in enumerate(profile.services)
             if s.public_prc and (s.public_opinion is not False or not public_opinion)]
    if not scope:
        return [], [], []
    if profile.filings is None:
        return None
    if regime not in profile.filings_researched and not any(
            f.regime is regime for f in profile.filings):
        return None  # the CAC registries were searched, this one was not
    records = filings_in_force(profile, (regime,))
    unsure = status_unknown(profile, (regime,))
    bare = [(i, s) for i, s in scope if not any(covers(f, s, settings) for f in records)]
    # A record left without its status that would cover a service: in force or not unknown.
    statuses = {i: unknown_cover(unsure, s, settings) for i, s in bare}
    unknown = [p for i, _ in bare for p in statuses[i]]
    unknown += [f"services[{i}].public_opinion" for i, s in bare
                if public_opinion and s.public_opinion is None and not statuses[i]]
    return ([s.name for _, s in scope],
            [s.name for i, s in bare
             if (not public_opinion or s.public_opinion) and not statuses[i]],
            list(dict.fromkeys(unknown)))


@rule(
    "FIL-017",
    title="Public PRC service without an MIIT ICP or app filing",
    severity=Severity.HIGH,
    dimension=DIMENSION,
    rationale="A website needs an ICP filing (or a commercial ICP licence) and, since 2023, an "
    "app needs an MIIT app filing before it may be offered in mainland China; app stores and "
    "hosts take unfiled services down.",
    source="Measures for the Administration of Internet Information Services (State Council "
    "Order No. 292, 2000, rev. 2011) Art. 4; MIIT Notice on App Filing (July 2023); "
    "https://www.1ine.cn/ask/43669.html",
)
def icp_filing(
    profile: CompanyProfile, settings: FilingsSettings, context: Context
) -> RuleResult:
    if not profile.services:
        return no_services()
    found = _uncovered(profile, settings, Regime.MIIT_ICP, public_opinion=False)
    if found is None:
        return not_evaluated("filings", "filings_researched",
                             message="no MIIT_ICP record, and the registry is not in "
                             "filings_researched")
    scope, bare, unknown = found
    if not scope:
        return {"services": "no public PRC service"}
    if bare:
        return fired("public PRC service(s) without an MIIT ICP or app filing in force: "
                     + ", ".join(bare), evidence={"services": bare})
    if unknown:
        return not_evaluated(*unknown, message="a record that would cover a service gives no "
                             "status: in force or not is unknown")
    return {"services": scope}


@rule(
    "FIL-018",
    title="Public-opinion service without the 2018 security assessment",
    severity=Severity.HIGH,
    dimension=DIMENSION,
    rationale="Services with public-opinion attributes or social-mobilisation capability must "
    "carry out a security assessment when they launch such a function (and on major changes) "
    "and report it; the generative-AI measures require it of such generative services too.",
    source="Provisions on Security Assessment of Internet Information Services with Public-"
    "Opinion Attributes or Social-Mobilisation Capability (CAC + MPS, effective 30 Nov 2018); "
    "GenAI Interim Measures Art. 17; https://freewechat.com/a/MzAxNTEwMjcwMQ==/2650995557/2",
)
def public_opinion_assessment(
    profile: CompanyProfile, settings: FilingsSettings, context: Context
) -> RuleResult:
    if not profile.services:
        return no_services()
    found = _uncovered(profile, settings, Regime.SEC_ASSESSMENT_2018, public_opinion=True)
    if found is None:
        return not_evaluated("filings", "filings_researched",
                             message="no SEC_ASSESSMENT_2018 record, and the registry is not "
                             "in filings_researched")
    scope, bare, unknown = found
    if not scope:
        return {"services": "no public PRC service with public-opinion attributes"}
    if bare:
        return fired("public-opinion service(s) without a security assessment on record: "
                     + ", ".join(bare), evidence={"services": bare})
    if unknown:
        return not_evaluated(*unknown, message="a service without a security assessment on "
                             "record may have public-opinion attributes")
    return {"services": scope}


@rule(
    "FIL-019",
    title="No personal-information protection compliance audit in two years",
    severity=Severity.MEDIUM,
    dimension=DIMENSION,
    rationale="A handler of the personal information of more than 10 million people must audit "
    "its compliance at least once every two years (from 1 May 2025; the first two-year cycle "
    "ends on 1 May 2027, before which a missing audit is not yet late).",
    source="Measures for Personal Information Protection Compliance Audits (CAC Order No. 18, "
    "effective 1 May 2025) Art. 3; PIPL Art. 54; https://www.cac.gov.cn/ ; the reading of the "
    "first cycle: house policy",
)
def pi_compliance_audit(
    profile: CompanyProfile, settings: FilingsSettings, context: Context
) -> RuleResult:
    pi = profile.personal_information
    if pi is None:
        return not_evaluated("personal_information")
    if pi.individuals is None:
        return not_evaluated("personal_information.individuals")
    people = pi.individuals.value
    evidence: dict[str, Any] = {"personal_information.individuals": people}
    bar = settings.pi_audit_individuals
    if people <= bar:
        return evidence
    if context.as_of is None:
        return not_evaluated("as_of", message="no evaluation date")
    if pi.compliance_audits is None:
        return not_evaluated("personal_information.compliance_audits")
    # The first cycle ends one interval after the duty took effect (1 May 2027 by default).
    first_due = add_months(settings.pi_audit_effective, settings.pi_audit_interval_months)
    since = months_before(context.as_of, settings.pi_audit_interval_months)
    recent = [d for d in pi.compliance_audits if since <= d <= context.as_of]
    evidence["personal_information.compliance_audits"] = [
        d.isoformat() for d in pi.compliance_audits]
    if recent or context.as_of < first_due:
        return evidence
    return fired(
        f"personal information of {format_against(people, (bar,), 0)} people "
        f"(> {format_against(bar, (bar,), 0)}) "
        f"and no compliance audit since {since}",
        evidence=evidence,
    )


_ENOUGH = {
    "assessment": frozenset({TransferMechanism.SECURITY_ASSESSMENT}),
    "contract": frozenset({TransferMechanism.SECURITY_ASSESSMENT,
                           TransferMechanism.STANDARD_CONTRACT,
                           TransferMechanism.CERTIFICATION}),
}


@rule(
    "FIL-014",
    title="Personal information sent abroad without the required mechanism",
    severity=Severity.HIGH,
    severities=(Severity.HIGH, Severity.MEDIUM),
    dimension=DIMENSION,
    rationale="Since 1 January of the year: personal information of more than 1 million people, "
    "or sensitive personal information of more than 10,000, needs a CAC security assessment "
    "(high when missing); of 100,000 to 1 million people (or any sensitive information below "
    "10,000) a standard contract or certification (medium when missing); fewer than 100,000 "
    "people is exempt.",
    source="Provisions on Promoting and Regulating Cross-Border Data Flows (CAC Order No. 16, "
    "22 Mar 2024) Arts. 5, 7, 8 (bilingual text: https://www.chinalawandpractice.com/2024/03/"
    "25/provisions-for-regulating-and-promoting-the-cross-border-flow-of-data); PIPL Art. 38; "
    "the 1 million and 10,000 sensitive thresholds as Xinhua reported them (22 Mar 2024), the "
    "100,000 exemption as research §1.4 summarises it (secondary)",
)
def cross_border(
    profile: CompanyProfile, settings: FilingsSettings, context: Context
) -> RuleResult:
    pi = profile.personal_information
    if pi is None:
        return not_evaluated("personal_information")
    if pi.cross_border_individuals is None and pi.cross_border_sensitive_individuals is None:
        return not_evaluated("personal_information.cross_border_individuals")
    people = pi.cross_border_individuals.value if pi.cross_border_individuals else 0.0
    sensitive = (pi.cross_border_sensitive_individuals.value
                 if pi.cross_border_sensitive_individuals else 0.0)
    evidence = {"personal_information.cross_border_individuals": people,
                "personal_information.cross_border_sensitive_individuals": sensitive,
                "personal_information.cross_border_mechanism":
                    None if pi.cross_border_mechanism is None else str(pi.cross_border_mechanism)}
    if people > settings.transfer_assessment_individuals or (
            sensitive > settings.transfer_assessment_sensitive):
        need, severity = "assessment", Severity.HIGH
    elif people >= settings.transfer_contract_individuals or sensitive > 0:
        need, severity = "contract", Severity.MEDIUM
    else:
        return evidence
    if pi.cross_border_mechanism is None:
        return not_evaluated("personal_information.cross_border_mechanism")
    people_bars = (settings.transfer_assessment_individuals,
                   settings.transfer_contract_individuals)
    sensitive_bars = (settings.transfer_assessment_sensitive,)
    if pi.cross_border_mechanism in _ENOUGH[need]:
        return evidence
    wanted = ("a CAC security assessment" if need == "assessment"
              else "a standard contract, certification or security assessment")
    return fired(
        f"personal information of {format_against(people, people_bars, 0)} people "
        f"({format_against(sensitive, sensitive_bars, 0)} sensitive) sent "
        f"abroad under '{pi.cross_border_mechanism}'; needs {wanted}",
        severity=severity, evidence=evidence,
    )


@rule(
    "FIL-020",
    title="Face or voice editing without the edited person's separate consent",
    severity=Severity.HIGH,
    dimension=DIMENSION,
    rationale="Deep-synthesis services that edit faces, voices or other biometric information "
    "must prompt users to inform the person edited and obtain that person's separate consent.",
    source="Provisions on Deep Synthesis of Internet Information Services (CAC Order No. 12, "
    "effective 10 Jan 2023) Art. 14; https://policywindow.org/wiki/china-deep-synthesis-"
    "provisions/print",
)
def deep_synthesis_consent(
    profile: CompanyProfile, settings: FilingsSettings, context: Context
) -> RuleResult:
    if not profile.services:
        return no_services()
    # A service whose face_voice_editing is left out may edit faces: unknown, never false.
    scope = [(i, s) for i, s in enumerate(profile.services)
             if s.public_prc and s.face_voice_editing is not False]
    if not scope:
        return {"services": "no public PRC face or voice editing"}
    lacking = [s.name for _, s in scope if s.face_voice_editing and s.separate_consent is False]
    if lacking:
        return fired("face or voice editing without separate consent: " + ", ".join(lacking),
                     evidence={"services": lacking})
    unknown = [f"services[{i}].face_voice_editing" for i, s in scope
               if s.face_voice_editing is None and s.separate_consent is not True]
    unknown += [f"services[{i}].separate_consent" for i, s in scope
                if s.separate_consent is None]
    if unknown:
        return not_evaluated(*unknown)
    return {"services": [s.name for _, s in scope]}


@rule(
    "FIL-021",
    title="Consumer service without a minors' mode",
    severity=Severity.MEDIUM,
    dimension=DIMENSION,
    rationale="Online service providers must protect minors (time, content and spending "
    "limits), and the CAC's minors'-mode guidelines expect a minors' mode in consumer apps; "
    "companion products without one are ETH-008 (high).",
    source="Regulations on the Protection of Minors Online (State Council Order No. 766, "
    "effective 1 Jan 2024); CAC Guidelines for the Construction of Mobile Internet Minors' "
    "Mode (issued 15 Nov 2024; China Daily, 'Regulator issues guideline to create a safer "
    "online world for minors', 15 Nov 2024: secondary); published by the State Council and "
    "the CAC (https://www.gov.cn/ , https://www.cac.gov.cn/); severity: house policy",
)
def minors_mode(
    profile: CompanyProfile, settings: FilingsSettings, context: Context
) -> RuleResult:
    if not profile.services:
        return no_services()
    # ``consumer`` or ``companion`` left out is unknown: the service may be in scope.
    scope = [(i, s) for i, s in enumerate(profile.services)
             if s.public_prc and s.consumer is not False and s.companion is not True]
    if not scope:
        return {"services": "no public PRC consumer service (companions: ETH-008)"}
    lacking = [s.name for _, s in scope
               if s.consumer and s.companion is False and s.minor_mode is False]
    if lacking:
        return fired("consumer service(s) without a minors' mode: " + ", ".join(lacking),
                     evidence={"services": lacking})
    unknown = [f"services[{i}].{flag}" for i, s in scope if s.minor_mode is not True
               for flag in ("consumer", "companion") if getattr(s, flag) is None]
    unknown += [f"services[{i}].minor_mode" for i, s in scope if s.minor_mode is None]
    if unknown:
        return not_evaluated(*unknown)
    return {"services": [s.name for _, s in scope]}
