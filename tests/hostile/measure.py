"""Run the hostile-input corpus and count its failures per kind.

    python tests/hostile/measure.py [-v] [--in-process] [KIND...]

Columns: cases; ``hang`` (no end within the corpus's timeout); ``traceback`` (a
traceback or exit 4); ``wrong_exit``;
``unnamed`` (the error does not name the file and the place); ``silent`` (exit
0 and nothing said where an error or notice was due); ``wrong_output``.
"""

from __future__ import annotations

import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import corpus
from corpus import all_cases, describe, run_case

COLUMNS = ("hang", "traceback", "wrong_exit", "unnamed", "silent", "wrong_output")


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    # --in-process: click's test runner, as the test suite runs most cases (faster).
    in_process = "--in-process" in argv
    kinds = [a for a in argv if not a.startswith("-")]
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for case in all_cases():
        if kinds and case.kind not in kinds:
            continue
        corpus.IN_PROCESS = in_process and not (case.own_process or case.shell)
        with tempfile.TemporaryDirectory() as tmp:
            result, fails = run_case(case, Path(tmp))
        counts[case.kind]["cases"] += 1
        for f in fails:
            counts[case.kind][f] += 1
        if fails and verbose:
            print(describe(case, result, fails), flush=True)
    print(f"{'kind':8} {'cases':>5} " + " ".join(f"{c:>12}" for c in COLUMNS))
    total: Counter[str] = Counter()
    for kind in sorted(counts):
        total.update(counts[kind])
        print(
            f"{kind:8} {counts[kind]['cases']:5d} "
            + " ".join(f"{counts[kind][c]:12d}" for c in COLUMNS)
        )
    print(f"{'total':8} {total['cases']:5d} " + " ".join(f"{total[c]:12d}" for c in COLUMNS))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
