"""Declarative rule packs: a TOML file of rules whose conditions are CEL.

A compliance analyst writes a rule as data: metadata, a ``when`` condition in
CEL (the Common Expression Language: sandboxed, side-effect free and not
Turing-complete, so a pack cannot do anything but compute a boolean) and a
message template. ``docs/rulepacks.md`` is the reference for the file format;
in short::

    [pack]
    name = "acme_credit"
    version = "1.0.0"

    [[rules]]
    id = "ACME-002"
    title = "On-premise project revenue above the house limit"
    severity = "medium"
    dimension = "application_stickiness"
    when = "profile.financials.revenue_mix.project_on_prem_pct > 70.0"
    message = "{profile.name}: {profile.financials.revenue_mix.project_on_prem_pct}% on-premise"
    rationale = "..."
    source = "..."

**What CEL sees.** ``profile`` is the company profile as a map: attrs objects
become maps, lists stay lists, enums are their string values, a ``Figure`` is
its number (a double), dates are timestamps (midnight UTC), and a field the
profile does not have (None) is *absent*, so ``has(profile.compute)`` tests
for it. ``figures`` lists every figure with its provenance (``path``,
``value``, ``source``, ``note``: strings, "" when unknown; ``as_of`` when
known). ``as_of`` is the evaluation date and ``fx`` the FX table (CNY per
unit, with ``CNY = 1.0``).

**Outcomes.** true fires at the rule's severity, false passes. A condition that
reads an absent field is ``not_evaluated`` naming the missing paths, and one
that fails on types (a string compared with a number) is ``not_evaluated`` with
the error: never a silent pass. A condition that yields a non-boolean is a
broken rule and becomes an ``error`` event.

**Load-time checks.** Every problem is one line naming the file, the place in it
and the rule: TOML syntax, unknown keys, wrong types and severity words,
duplicate rule ids, CEL syntax (line, column and a caret), profile fields the
schema does not have, enum values it does not know, files that are empty or
larger than :data:`MAX_PACK_BYTES`.

**Cost.** The CEL library is imported only when a pack compiles, and without
its command-line tool (see :func:`cel_module`). The profile is converted once
per evaluation and shared by every rule of a pack (a cache keyed on the profile
object), and only the fields the pack's rules read are converted.

**Modules.** :mod:`._packfile` reads and checks the file's structure,
:mod:`._fields` checks the field paths expressions read, :mod:`._cel` loads the
CEL library and parses its errors, :mod:`._templates` handles messages,
:mod:`._projection` converts the profile for CEL, :mod:`._readers` reads paths of
the converted profile in Python, and :mod:`._pack` compiles and evaluates a pack.
This package re-exports their public names.
"""

from __future__ import annotations

from ._cel import cel_module
from ._fields import ROOTS, VARIABLES, Analysis, Reference, Shape, analyze
from ._pack import Condition, DeclarativePack, DeclarativePackPlugin, load_pack, load_pack_plugin
from ._packfile import (
    MAX_PACK_BYTES,
    ExpectedFinding,
    PackFile,
    PackInfo,
    PackTest,
    PackTests,
    RuleSpec,
    check_tests,
    read_pack_file,
)
from ._projection import (
    FIGURE_FIELDS,
    FULL,
    ProfileView,
    Projection,
    figures_of,
    make_view,
    projection_of,
    projector,
    to_cel,
)
from ._templates import Placeholder, parse_template, render_value

__all__ = [
    "FIGURE_FIELDS",
    "FULL",
    "MAX_PACK_BYTES",
    "ROOTS",
    "VARIABLES",
    "Analysis",
    "Condition",
    "DeclarativePack",
    "DeclarativePackPlugin",
    "ExpectedFinding",
    "PackFile",
    "PackInfo",
    "PackTest",
    "PackTests",
    "Placeholder",
    "ProfileView",
    "Projection",
    "Reference",
    "RuleSpec",
    "Shape",
    "analyze",
    "cel_module",
    "check_tests",
    "figures_of",
    "load_pack",
    "load_pack_plugin",
    "make_view",
    "parse_template",
    "projection_of",
    "projector",
    "read_pack_file",
    "render_value",
    "to_cel",
]
