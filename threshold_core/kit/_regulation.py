"""The PRC filing regimes as sets: one definition for every scorer and rule pack.

The Cyberspace Administration of China (CAC) runs the algorithm, deep-synthesis
and generative-AI registries (not MIIT, which issues ICP licences and filings).
A generative service on the company's own or fine-tuned model needs a
generative-AI *filing* (大模型备案); an app that calls an already-filed model
through an API needs a local *registration* (登记) instead. Both are "generative
records"; only the filing covers an own model. Keeping both meanings named apart
is the point of this module: ``GENAI_REGIMES`` once meant the filing alone in the
readiness scorer and the filing or the registration in the filings pack.
"""

from __future__ import annotations

from threshold_core.model import Filing, FilingStatus, Regime, Service, ServiceKind

#: Every registry the CAC runs.
CAC_REGIMES = frozenset(
    {
        Regime.CAC_ALGORITHM,
        Regime.CAC_DEEP_SYNTHESIS,
        Regime.CAC_GENAI_FILING,
        Regime.CAC_GENAI_REGISTRATION,
    }
)
#: Algorithm-recommendation and deep-synthesis filings (Algorithm Provisions Art. 24;
#: Deep Synthesis Provisions Art. 19).
ALGORITHM_REGIMES = frozenset({Regime.CAC_ALGORITHM, Regime.CAC_DEEP_SYNTHESIS})
#: What an own or fine-tuned model needs: the generative-AI filing (GenAI Measures Art. 17).
GENAI_MODEL_FILING = frozenset({Regime.CAC_GENAI_FILING})
#: Any generative record: a filing, or the registration of an app on a filed model.
GENAI_FILING_OR_REGISTRATION = frozenset(
    {Regime.CAC_GENAI_FILING, Regime.CAC_GENAI_REGISTRATION}
)
#: A record is in force while active, and still after a change was filed.
IN_FORCE = frozenset({FilingStatus.ACTIVE, FilingStatus.CHANGED})
#: Services that generate or synthesise content (labeling, disclosure).
CONTENT_KINDS = frozenset({ServiceKind.GENERATIVE, ServiceKind.DEEP_SYNTHESIS})


def in_force(filing: Filing, regimes: frozenset[Regime] = CAC_REGIMES) -> bool:
    """Whether ``filing`` is of one of ``regimes`` and in force (a status left out is
    unknown: not in force)."""
    return filing.regime in regimes and filing.status in IN_FORCE


def kind_of(service: Service) -> ServiceKind:
    """The kind a rule reads for ``service``: a kind left out as ``generative``, the stricter
    value wherever generative services are in a rule's scope (every filing, labelling and
    content rule). A rule that leaves generative services out of its scope reads
    ``service.kind`` itself: left out, the service may be of any kind."""
    return service.kind or ServiceKind.GENERATIVE
