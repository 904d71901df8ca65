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

**What CEL sees.** ``profile`` is the company profile, typed from the profile
model (every attrs class a message type, see :mod:`._schema`): a ``Figure`` is
its number (a double), enums are their string values, dates are timestamps
(midnight UTC), and a field the profile does not have is *absent*, so
``has(profile.compute)`` tests for it; an omitted list is absent too, never an
empty list. ``figures`` lists every figure with its provenance (``path``,
``value``, ``source``, ``note``: strings, "" when unknown; ``as_of`` when
known). ``as_of`` is the evaluation date and ``fx`` the FX table (CNY per
unit, with ``CNY = 1.0``).

**Outcomes.** true fires at the rule's severity, false passes. A condition that
reads an absent field is ``not_evaluated`` naming the absent paths; any other
evaluation error (division by zero, a double divided by zero or a quotient that
is not a finite number, overflow...) raises :class:`ConditionError`, so the rule is
an ``error`` event and the decision fails closed, as with a Python rule that
raises. A condition that yields a non-boolean is a broken rule and an ``error``
event too.

**Load-time checks.** Every problem is one line naming the file, the place in it
and the rule: TOML syntax, unknown keys, wrong types and severity words,
duplicate rule ids, expressions over the size limits (checked before CEL sees
them, :data:`MAX_EXPRESSION_CHARS`...), message formats outside the safe
subset, CEL syntax and CEL's type check against the profile's declared types
(line, column and a caret), enum values it does not know, files that are
empty or larger than :data:`MAX_PACK_BYTES`.

**Cost.** The CEL library (cel-cpp, through ``cel-expr-python``) is imported
only when a pack compiles. The profile is converted once per evaluation and
shared by every rule of a pack (a cache keyed on the profile object), and only
the paths the pack's expressions read (from CEL's checked AST) are converted.

**Modules.** :mod:`._packfile` reads and checks the file's structure,
:mod:`._cel` holds the CEL environments, the size bounds and the parsing of
CEL's errors, :mod:`._schema` declares the profile's CEL types,
:mod:`._checked` walks CEL's checked AST for the paths an expression reads,
:mod:`._fields` has the shapes of the schema's paths, :mod:`._checkcache` keeps
the types and the checks for the ``threshold`` command, :mod:`._templates`
handles messages, :mod:`._projection` converts the profile for CEL,
:mod:`._readers` reads paths of the converted profile in Python,
:mod:`._arith` makes every ``/`` a checked division, :mod:`._extnames` checks the
extension sections a pack reads, :mod:`._hints` explains CEL's compile messages, and
:mod:`._fast` and :mod:`._fastops` run an expression in Python where CEL's result is
certain without CEL, and :mod:`._pack` compiles and evaluates a pack. This package re-exports their
public names.
"""

from __future__ import annotations

from ._cel import (
    MAX_EXPRESSION_CHARS,
    MAX_NESTING,
    MAX_OPERATORS,
    cel_module,
    compile_checked,
    environments,
    running_program,
)
from ._checkcache import save as save_check_cache
from ._checkcache import use as use_check_cache
from ._checked import MAX_MACRO_NESTING, Analysis, analyze_checked
from ._extnames import check_extension_reads
from ._fast import MAX_FAST_ITEMS, AbsentKey, LeftToCel, compile_fast, plain_value
from ._fields import ROOTS, VARIABLES, Reference, Shape
from ._hints import model_field_names
from ._pack import (
    Condition,
    ConditionError,
    DeclarativePack,
    DeclarativePackPlugin,
    load_pack,
    load_pack_plugin,
)
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
from ._templates import MAX_FORMAT_WIDTH, Placeholder, parse_template, render_value

__all__ = [
    "FIGURE_FIELDS",
    "FULL",
    "MAX_EXPRESSION_CHARS",
    "MAX_FAST_ITEMS",
    "MAX_FORMAT_WIDTH",
    "MAX_MACRO_NESTING",
    "MAX_NESTING",
    "MAX_OPERATORS",
    "MAX_PACK_BYTES",
    "ROOTS",
    "VARIABLES",
    "AbsentKey",
    "Analysis",
    "Condition",
    "ConditionError",
    "DeclarativePack",
    "DeclarativePackPlugin",
    "ExpectedFinding",
    "LeftToCel",
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
    "analyze_checked",
    "cel_module",
    "check_extension_reads",
    "check_tests",
    "compile_checked",
    "compile_fast",
    "environments",
    "figures_of",
    "load_pack",
    "load_pack_plugin",
    "make_view",
    "model_field_names",
    "parse_template",
    "plain_value",
    "projection_of",
    "projector",
    "read_pack_file",
    "render_value",
    "running_program",
    "save_check_cache",
    "to_cel",
    "use_check_cache",
]
