"""Every case of the hostile-input corpus (``corpus.py``) gives what a user must see.

Most cases run in this process through click's test runner; the ones about
process life (closed pipes, killed workers) run the installed script.
"""

from __future__ import annotations

from pathlib import Path

import corpus
import pytest

CASES = corpus.all_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input(case: corpus.Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    own = case.own_process or case.shell is not None
    monkeypatch.setattr(corpus, "IN_PROCESS", not own)
    result, fails = corpus.run_case(case, tmp_path)
    assert not fails, corpus.describe(case, result, fails)


def test_the_corpus_covers_every_kind() -> None:
    kinds = {c.kind for c in CASES}
    assert kinds == {"13.3", "13.4", "13.6", "13.also", "21.2", "21.3", "21.6"}
    assert len({c.id for c in CASES}) == len(CASES)
