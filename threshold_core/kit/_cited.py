"""Where a scorer's bands, weights and other parameters come from (issue 16).

Every band, weight and numeric setting of a built-in scorer names its basis:
a **primary** source (a legal instrument, a standard, a filing), a
**secondary** one (research notes, press, the seed article) or **house policy**
(our own judgement, with the reason). A :class:`~threshold_core.kit.Metric`
carries the :class:`Cited` of its band in ``source``; a
:class:`~threshold_core.kit.MetricScorer` the :class:`Cited` of its weights in
``weights_source`` and its other settings as :class:`Parameter` objects.

The decision's evidence shows each metric's ``band_source``; ``threshold rules
--parameters`` lists every parameter with its value and source. A value set in
the configuration is shown as ``configured`` (with the default's source), since
the default's citation no longer covers it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any

from attrs import field, frozen


class Basis(enum.StrEnum):
    """How well a parameter is founded, strongest first."""

    PRIMARY = "primary"
    SECONDARY = "secondary"
    HOUSE_POLICY = "house policy"
    #: Set in the configuration: the default's citation no longer covers it.
    CONFIGURED = "configured"
    #: The plugin gave no source (third-party scorers that predate sources).
    UNSOURCED = "unsourced"


@frozen
class Cited:
    """A basis and its citation (or, for house policy, its reason)."""

    basis: Basis = field(converter=Basis)
    text: str = ""

    def __str__(self) -> str:
        return f"{self.basis}: {self.text}" if self.text else str(self.basis)


def primary(text: str) -> Cited:
    """A primary source: a legal instrument, a standard, a filing, a company's own report."""
    return Cited(Basis.PRIMARY, text)


def secondary(text: str) -> Cited:
    """A secondary source: research notes, press, analysts, the seed article."""
    return Cited(Basis.SECONDARY, text)


def house_policy(reason: str = "") -> Cited:
    """Our own judgement; ``reason`` says why (an anchor, a convention)."""
    return Cited(Basis.HOUSE_POLICY, reason)


#: What an undeclared band or weight shows.
UNSOURCED = Cited(Basis.UNSOURCED, "the scorer names no source")


@frozen
class Parameter:
    """A numeric setting of a scorer other than its bands and weights, or a threshold of a
    rule pack."""

    #: The settings attribute (``self_reported_cap``); for a pack, its dotted path
    #: (``refusal_suites.XSTest.over_refusal_high_pct``).
    name: str
    source: Cited
    #: What it does, in one line.
    doc: str = ""


@frozen
class ParameterSource:
    """One row of ``threshold rules --parameters``: a parameter in force, with its source."""

    #: The scorer's name, the pack's, or the configuration section's (``kind`` says which).
    scorer: str
    #: ``weights.<metric>``, ``bands.<metric>`` or a settings attribute.
    name: str
    #: The value in force, as text (a band as ``0→0, 50→50``).
    value: str
    #: The basis of the value in force (``configured`` when the configuration changed it).
    basis: Basis
    #: The citation, or the reason for house policy.
    source: str
    doc: str = ""
    #: ``scorer``, ``rule_pack`` or ``policy`` (the core's configuration sections).
    kind: str = "scorer"
    #: The value in force as JSON data (a pack's or the core's setting; None for a
    #: scorer's rows, whose ``value`` text is the band or weight as written).
    raw: Any = None

    def as_dict(self) -> dict[str, Any]:
        """``{"kind", "scorer" | "pack" | "section", "parameter", "value", "basis",
        "source", "doc"}``: a pack's row names it under ``pack``, a configuration
        section's under ``section``."""
        owner = {"rule_pack": "pack", "policy": "section"}.get(self.kind, "scorer")
        out = {"kind": self.kind, owner: self.scorer, "parameter": self.name,
               "value": self.value, "basis": str(self.basis), "source": self.source,
               "doc": self.doc}
        if self.kind != "scorer":
            out["raw"] = self.raw
        return out


def configured(default: Cited) -> Cited:
    """The source of a value the configuration changed: the default's is kept for reference."""
    return Cited(Basis.CONFIGURED, f"set in the configuration (the default's source: {default})")


def count_bases(rows: Iterable[ParameterSource | Cited]) -> dict[str, int]:
    """How many rows rest on each basis (every basis listed, zeros included)."""
    out = {str(b): 0 for b in Basis}
    for r in rows:
        out[str(r.basis)] += 1
    return out


def cited_text(cited: Cited | None) -> str:
    return str(cited if cited is not None else UNSOURCED)
