"""The differential test of declarative packs, bigger than the suite's.

Run it from the repository root::

    python benchmarks/cel_differential.py [--seed N] [--count N]

Generates ``--count`` conditions over the real profile paths (see
``tests/differential.py``) and evaluates each through threshold and through CEL
directly on the whole nested profile, over every example company and every
variant with a field or table removed (the suite's test uses a fixed seed, fewer
variants). Prints the counts and every mismatch; exits 1 on any mismatch.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

import differential  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--count", type=int, default=20000)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    conditions = differential.generate(args.seed, args.count)
    result = differential.compare(conditions)
    elapsed = time.perf_counter() - start
    print(f"seed {args.seed}: {result.conditions} conditions, {result.compared} compared, "
          f"{result.rejected} refused by CEL's checker, {result.enum_rejected} by the enum "
          f"check; {result.comparisons} comparisons {dict(sorted(result.outcomes.items()))} "
          f"in {elapsed:.0f} s")
    print(f"mismatches: {len(result.mismatches)}")
    for line in result.mismatches:
        print("  " + line)
    return 1 if result.mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
