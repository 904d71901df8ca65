"""The honest pipeline (issue 20, goal 3): what a user would write instead of ``threshold batch``.

Goal 3 asks ``threshold batch --explain`` for 2,000 companies/s per core, an absolute rate,
which depends on the machine as much as on threshold. This script gives that rate a
baseline: the same portfolio through plain Python, one company at a time, as a user would
write it without threshold:

1. read a line of the JSONL portfolio and parse it (orjson, the fastest parser threshold
   already installs; the standard ``json`` module is slower);
2. decide it with :func:`honest_rules.evaluate`: the 4 dimension scores, all 64 rule checks
   of the built-in packs, the gate and the default policy, checked equal to the engine's
   decisions by ``benchmarks/engine_throughput.py`` (the verdicts are compared again with
   ``threshold batch``'s output by ``benchmarks/batch_scaling.py``);
3. write a JSONL line of the company's id, the verdict, the composite and the fired rules.

It explains nothing and writes no trace, no evidence, no receipt: it is a lower bound of
what any per-company Python pipeline costs, not an equal of ``threshold batch --explain``.
If it is slower than 2,000 companies/s on a machine, no pipeline that runs the same checks
in Python one company at a time can meet goal 3 there.

Run: python benchmarks/honest_batch.py PORTFOLIO.jsonl OUTPUT.jsonl
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

import honest_rules  # type: ignore[import-not-found, unused-ignore]
import orjson


def run(source: Path, output: Path) -> int:
    """Decide every line of ``source`` into ``output``; the number of lines written."""
    with source.open("rb") as fh, output.open("wb") as out:
        return pipeline(fh, out)


def pipeline(lines: Iterable[bytes], out: BinaryIO) -> int:
    """Parse, decide and write each JSONL line of ``lines`` (UTF-8 bytes) to ``out``;
    the number of lines written."""
    evaluate = honest_rules.evaluate
    loads, dumps = orjson.loads, orjson.dumps
    n = 0
    for line in lines:
        if not line.strip():
            continue
        doc = loads(line)
        verdict, composite, fired = evaluate(doc)
        out.write(dumps({"id": doc.get("id"), "verdict": verdict, "score": composite,
                         "fired": fired}) + b"\n")
        n += 1
    return n


def main() -> None:
    if len(sys.argv) != 3:
        raise SystemExit("usage: python benchmarks/honest_batch.py PORTFOLIO.jsonl OUTPUT.jsonl")
    run(Path(sys.argv[1]), Path(sys.argv[2]))


if __name__ == "__main__":
    main()
