"""``threshold batch`` decodes JSON lines natively once it has read 200 the usual way:
every line still gives what the usual way gives (the decision, byte for byte but the
timings, or each problem with its row and path, and the exit status)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from helpers import untimed

from threshold_core import Engine
from threshold_core.errors import InputError
from threshold_core.load import decision_line, parse_json
from threshold_core.portfolio import synthetic_portfolio

GOOD = list(synthetic_portfolio(230, seed=29))


def variants() -> list[str]:
    """Faulty and odd lines, each from a good document."""
    def line(d: Any) -> str:
        return json.dumps(d, ensure_ascii=False, separators=(",", ":"))

    docs = [copy.deepcopy(d) for d in GOOD[210:]]
    out = []
    for i, change in enumerate([
        lambda d: d["financials"].update(revenue={"value": 5e8, "note": "audited"}),
        lambda d: d["financials"].update(currency="usd", revenue=5),
        lambda d: d.update(name='智谱 "q" \u2028'),
        lambda d: d["financials"].update(revenue="5e8"),
        lambda d: d["financials"].update(overseas_revenue_pct=100.5),
        lambda d: d["financials"].update(currency="US"),
        lambda d: d.update(as_of="2026-13-01"),
        lambda d: d.update(as_of="20260630"),
        lambda d: d["valuation"].update(basis="guess"),
        lambda d: d.update(id="  "),
        lambda d: d.update(unknown=1),
        lambda d: d.update(extensions={"nobody": {"x": 1}}),
        lambda d: d.pop("name"),
        lambda d: d.update(services=[5]),
    ]):
        doc = docs[i % len(docs)]
        doc["id"] += f"-variant-{i}"  # each line a company of its own (ids are unique)
        change(doc)
        out.append(line(doc))

    def text(n: int) -> str:
        return line({**docs[-1], "id": f"{docs[-1]['id']}-text-{n}"})

    out += [text(0)[:-1] + ',"id":"twice"}', text(1).replace('"name":"', '"name":"\\ud800', 1),
            text(2).replace('"name":"', '"name":"\\u0022', 1), text(3)[:-1] + ',"x":NaN}',
            text(4)[:-1] + ',"big":12345678901234567890123}', "[1]", text(5)[:40]]
    return out


def test_lines_after_the_first_ones_give_what_the_usual_way_gives(
    run_cli_process: Any, tmp_path: Path,
) -> None:
    lines = [json.dumps(d, ensure_ascii=False) for d in GOOD[:210]] + variants()
    lines += [json.dumps(d) for d in GOOD[210:]]
    source = tmp_path / "p.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    engine = Engine()
    written, problems = [], []
    for row, text in enumerate(lines, 1):
        try:
            doc = parse_json(text + "\n", f"{source}:{row}")  # as the batch reads it
            if not isinstance(doc, dict):
                problems.append(f"{source}:{row}: $: expected a JSON object")
                continue
            decision = engine.evaluate(engine.profile_from_data(doc, f"{source}:{row}"))
            written.append(decision_line(decision))
        except InputError as exc:
            problems += exc.lines()
    assert len(problems) > 15 and len(written) > 230
    out = tmp_path / "out.jsonl"
    result = run_cli_process("batch", str(source), "--output", str(out))
    assert result.returncode == 2, result.stderr
    assert untimed(out.read_bytes()) == untimed("".join(written).encode())
    reported = [x for x in result.stderr.splitlines() if x.startswith(f"{source}:")]
    assert reported == problems
