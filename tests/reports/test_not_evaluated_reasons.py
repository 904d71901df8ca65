"""The reports say why a rule was not evaluated, in the rule's words, not only the path.

"registry_checks.CAC_GENAI_FILING.checked_on" alone tells a committee nothing; the
table of rules not evaluated now carries the rule's reason ("filing status read from a
registry without a check date on or before the evaluation date is not evidence") in the
text, Markdown and HTML reports, without repeating the paths the table shows already.
"""

from __future__ import annotations

import html

import pytest

PROFILE = """\
id = "undated-co"
name = "Undated Co"
as_of = 2026-06-30

[valuation]
amount = 9.0e9
currency = "CNY"
basis = "market_cap"
as_of = 2026-06-01
source = "exchange close"

[export_controls]
entity_list = false

[customers]
ndr_pct = 110
as_of = 2062-01-01
"""

REASONS = [
    "not listed, but the screening has no date (export_controls.checked_on): not a screening",
    "customers.as_of 2062-01-01 is after the evaluation date 2026-06-30: no evidence at that "
    "date",
    "dated section without its date",
]


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_every_report_gives_the_reason_a_rule_was_not_evaluated(run_cli, tmp_path, fmt):
    (tmp_path / "undated.toml").write_text(PROFILE, encoding="utf-8")
    result = run_cli("evaluate", "undated.toml", "--format", fmt)
    assert result.returncode == 0, result.stderr
    shown = html.unescape(result.stdout) if fmt == "html" else result.stdout
    # CHIP-001's reason, FRS-001's finding (a date after the evaluation date) and FRS-005's
    # reason, which does not repeat the path the row shows already.
    for reason in REASONS:
        assert reason in shown, (fmt, reason)
    assert "dated section without its date: export_controls.checked_on" not in shown
