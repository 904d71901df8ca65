"""Every metric reading carries the sources of the records it read (issue 15).

A reading of registry records (filings, sector approvals) lost their sources in a merge:
the readings then graded as unsourced though each record named its source. Checked on
every example company, through every built-in scorer.
"""

from __future__ import annotations

import pytest
from helpers import EXAMPLES

from threshold_core import Engine, build_config
from threshold_core.load import load_profile

#: Readings that do not yet carry their records' sources: none (the examples' vertical
#: revenue shares name theirs: illustrative, the seed article gives no shares).
KNOWN_GAPS: set[tuple[str, str]] = set()


@pytest.mark.parametrize("path", sorted((EXAMPLES / "companies").glob("*.toml")),
                         ids=lambda p: p.stem)
def test_every_reading_has_a_source(path) -> None:
    engine = Engine(build_config({"plugins": {"autoload": False}}))
    decision = engine.evaluate(load_profile(path))
    missing = [(d.name, m.metric) for d in decision.dimensions for m in d.evidence
               if m.raw is not None and not m.sources]
    assert set(missing) <= KNOWN_GAPS, missing
    read = {(d.name, m.metric) for d in decision.dimensions for m in d.evidence
            if m.raw is not None}
    # The registry readings that had lost them carry them again.
    for metric in ("filed_models", "filed_algorithms"):
        if ("regulatory_readiness", metric) in read:
            assert ("regulatory_readiness", metric) not in missing
