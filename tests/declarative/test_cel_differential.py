"""Declarative packs give what CEL gives on the whole profile: a seeded differential test.

:mod:`differential` generates conditions over the real profile paths and
evaluates each through threshold (rules of packs loaded from TOML files) and
through CEL directly on the whole nested profile, over every example company and
variants with fields and tables removed. ``benchmarks/cel_differential.py`` runs
a bigger one.
"""

from __future__ import annotations

import differential

#: Fixed in CI: a failure names the condition and the profile, and replays.
SEED = 20260614
COUNT = 5600


def test_generated_conditions_agree_with_cel_on_the_whole_profile() -> None:
    conditions = differential.generate(SEED, COUNT)
    result = differential.compare(conditions, removals=["financials", "services"])
    assert result.mismatches == [], "\n".join(result.mismatches[:20])
    # the comparison bites: enough conditions, every outcome seen many times
    assert result.compared >= 5000, (result.compared, result.rejections[:10])
    assert all(result.outcomes.get(k, 0) > 1000
               for k in ("fired", "passed", "not_evaluated", "error")), result.outcomes


def test_the_generator_covers_every_kind() -> None:
    conditions = differential.generate(SEED, COUNT)
    text = "\n".join(conditions)
    for needle in ["r'", '"""', "'''", " in [", "size(", "has(", " ? ", " && ", " || ",
                   ".all(", ".exists(", ".exists_one(", ".filter(", ".map(",
                   "figures.", "fx.", "fx[", "[0]", "// note\n", "/ 0 ", "9223372036854775807",
                   ".all(profile, ", "_profile__financials__cash", "timestamp("]:
        assert needle in text, needle
