"""Omission never helps, inside records: a field left out never counts as its most favourable value.

``test_omission`` removes sections and lists; here one field inside a record is removed (a
key of a section, of a table inside it, or of one item of a list: an investor's
``lockup_months``, a service's ``public_opinion``, the profile's ``verified``). A field left out
is unknown: a rule that reads it is not evaluated (an *assumed* finding at its most severe),
and a scorer counts it at its least favourable. So the verdict never improves and the
composite never rises: on every example (shipped and graded) for every such removal, and on
seeded synthetic profiles drawn by hypothesis.

A metric that loses all its data counts at its band's lowest points, and an assumed ``high``
finding caps and also deducts, so a removal that empties a metric or turns a real finding
into an assumed one is checked here like any other.
"""

from __future__ import annotations

import copy
import json
import random
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import EXAMPLES, graded_examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_omission import LOOSE, better, decidable, engine_for

from threshold_core import Decision, Engine, InputError, build_config
from threshold_core.load import profile_from_data
from threshold_core.model import FilingStatus, ServiceKind
from threshold_core.portfolio import synthetic_portfolio

#: Fields whose absence is a documented default that is the least favourable value already
#: or that no reader can turn into a better outcome; removing them is checked like any other.
#: Fields still open (left out, they count as a favourable value) would be listed here and
#: pinned in ``test_omission_known_gaps``: none is.
OPEN: tuple[str, ...] = ()


def field_removals(doc: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every profile with one field inside a record left out: a top-level scalar, a key of a
    section or of a table inside it, or a key of one item of a list of tables."""

    def walk(node: Any, path: str, rebuild: Any) -> Iterator[tuple[str, dict[str, Any]]]:
        if isinstance(node, dict):
            for key, value in node.items():
                here = f"{path}.{key}" if path else key
                if not path and key in ("id", "name"):
                    continue
                if isinstance(value, (dict, list)) and value and (
                        isinstance(value, dict) or isinstance(value[0], dict)):
                    yield from walk(value, here, lambda v, k=key, n=node, r=rebuild:
                                    r({**n, k: v}))
                elif path or not isinstance(value, (list, dict)):
                    if key in OPEN:
                        continue
                    yield here, rebuild({k: v for k, v in node.items() if k != key})
        elif isinstance(node, list):
            for i, item in enumerate(node):
                yield from walk(item, f"{path}[{i}]", lambda v, i=i, n=node, r=rebuild:
                                r([*n[:i], v, *n[i + 1:]]))

    yield from walk(doc, "", lambda d: d)


def decide(engine: Engine, doc: dict[str, Any]) -> Decision | None:
    try:
        return engine.evaluate(profile_from_data(doc, doc["id"]))
    except InputError:
        return None  # a required field: leaving it out is an input error, not an omission


def check(engine: Engine, doc: dict[str, Any], name: str, reduced_doc: dict[str, Any],
          full: Decision) -> bool:
    """Assert the removal does not help; False when it was not checked here."""
    reduced = decide(engine, reduced_doc)
    if reduced is None:
        return False
    where = f"{doc['id']} without {name}"
    assert not better(str(reduced.verdict), str(full.verdict)), (
        f"{where}: {full.verdict} -> {reduced.verdict}")
    if full.score is not None and reduced.score is not None:
        assert reduced.score <= full.score + 1e-9, f"{where}: {full.score} -> {reduced.score}"
    return True


def example_docs() -> list[dict[str, Any]]:
    return [tomllib.loads(p.read_text(encoding="utf-8"))
            for folder in (graded_examples(), EXAMPLES / "companies")
            for p in sorted(folder.glob("*.toml"))]


@pytest.mark.parametrize("loose", [False, True], ids=["default-bands", "loose-bands"])
def test_no_field_removal_improves_an_example(loose: bool) -> None:
    engine = engine_for("lower_confidence", loose=loose)
    checked = 0
    for doc in example_docs():
        full = decide(engine, doc)
        assert full is not None
        for name, reduced in field_removals(doc):
            checked += check(engine, doc, name, reduced, full)
    assert checked > 1000, checked  # not vacuous


SYNTHETIC = [decidable(next(iter(synthetic_portfolio(1, seed=seed))), random.Random(seed))
             for seed in range(60)]
ENGINES = {loose: engine_for("lower_confidence", loose=loose) for loose in (False, True)}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), which=st.integers(0, len(SYNTHETIC) - 1), loose=st.booleans())
def test_no_field_removal_improves_a_synthetic_profile(
    data: st.DataObject, which: int, loose: bool
) -> None:
    doc = SYNTHETIC[which]
    engine = ENGINES[loose]
    full = decide(engine, doc)
    assert full is not None
    name, reduced = data.draw(st.sampled_from(list(field_removals(doc))), label="removed")
    check(engine, doc, name, reduced, full)


#: Engines that read a service's kind differently: by default every kind is in FIL-002's
#: scope; without ``generative_needs_algorithm_filing`` a generative service is not.
KIND_ENGINES = {
    **{(loose, True): engine for loose, engine in ENGINES.items()},
    **{(loose, False): Engine(build_config({"plugins": {"autoload": False}, "policy": {
        "missing_compliance_data": "lower_confidence",
        **({"grades": LOOSE, "max_illustrative_share": 1.0} if loose else {})},
        "settings": {"filings": {"generative_needs_algorithm_filing": False}}}))
       for loose in (False, True)},
}


#: Lists of names inside a section, by key: the section holding them, and values they can
#: hold (end uses the screening's rules read as prohibited, notifiable or neither).
NAMES = {"ai_end_uses": "investment_screening", "prohibited_uses": "eu_exposure",
         "affiliates_listed": "export_controls"}
NAME_VALUES = {
    "ai_end_uses": ["military", "mass surveillance", "penetration testing", "robotic control",
                    "customer service"],
    "prohibited_uses": ["social scoring", "emotion recognition at work"],
    "affiliates_listed": ["Sub Ltd", "Cloud Arm Co"],
}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), which=st.integers(0, len(SYNTHETIC) - 1), loose=st.booleans(),
       algorithm_filing=st.booleans())
def test_a_stated_value_never_does_worse_than_leaving_it_out(
    data: st.DataObject, which: int, loose: bool, algorithm_filing: bool
) -> None:
    """Each field once read as a favourable value when left out (an investor's ``tier``, a
    filing's or approval's ``status``, a service's ``kind``, a safety result's
    ``independent``, the financials' ``currency``, a list of names inside a section: the
    screening's ``ai_end_uses``, the EU exposure's ``prohibited_uses``, the export
    screening's ``affiliates_listed``), given any value it can take, then left out: the
    verdict never improves and the composite never rises (or it is refused)."""
    doc = copy.deepcopy(SYNTHETIC[which])
    engine = KIND_ENGINES[loose, algorithm_filing]
    lists = {"tier": "investors", "status": "filings", "approval": "sector_approvals",
             "kind": "services"}
    kinds = [k for k in lists if doc.get(lists[k])]
    safety = (doc.get("evaluations") or {}).get("safety") or []
    names = [key for key, section in NAMES.items() if doc.get(section)]
    choices = kinds + (["independent"] if safety else []) + (
        ["currency"] if doc.get("financials") else []) + names
    field = data.draw(st.sampled_from(choices), label="field")
    if field in NAMES:
        section = NAMES[field]
        doc[section][field] = data.draw(st.lists(st.sampled_from(NAME_VALUES[field]),
                                                 unique=True, max_size=3), label=field)
        if section == "eu_exposure":  # a use prohibited in the EU counts where EU users are
            doc[section]["serves_eu_users"] = data.draw(st.booleans(), label="EU users")
        reduced = copy.deepcopy(doc)
        del reduced[section][field]
    elif field == "independent":
        record = data.draw(st.sampled_from(safety), label="result")
        record["independent"] = data.draw(st.booleans(), label="independent")
        record["unsafe_compliance_pct"] = data.draw(st.floats(0, 60), label="unsafe %")
        reduced = copy.deepcopy(doc)
        (index,) = [i for i, r in enumerate(safety) if r is record]
        del reduced["evaluations"]["safety"][index]["independent"]
    elif field == "currency":
        doc["financials"]["currency"] = data.draw(st.sampled_from(["CNY", "USD", "HKD"]))
        reduced = copy.deepcopy(doc)
        del reduced["financials"]["currency"]
    else:
        items = doc[lists[field]]
        index = data.draw(st.integers(0, len(items) - 1), label="index")
        key = "status" if field == "approval" else field
        values: list[Any] = {"tier": [1, 2, 3], "kind": [k.value for k in ServiceKind],
                             "status": [s.value for s in FilingStatus],
                             "approval": [s.value for s in FilingStatus]}[field]
        items[index][key] = data.draw(st.sampled_from(values), label=key)
        reduced = copy.deepcopy(doc)
        del reduced[lists[field]][index][key]
    full = decide(engine, doc)
    assert full is not None
    if field == "currency":  # left out beside an amount: refused, naming it
        with pytest.raises(InputError, match=r"\$\.financials\.currency"):
            profile_from_data(reduced, doc["id"])
        return
    assert check(engine, doc, field, reduced, full)


# -- the given cases, through the public API and the CLI ----------------------------------

LOCKED = {
    "id": "locked", "name": "Locked AI", "as_of": "2026-06-30", "verified": True,
    "investors": [
        {"name": "Fund A", "type": "vc", "amount": {"amount": 1e9, "currency": "CNY"},
         "investment_date": "2026-06-01", "lockup_months": 18, "stake_pct": 5},
        {"name": "Fund B", "type": "vc", "amount": {"amount": 1e9, "currency": "CNY"},
         "investment_date": "2026-06-01", "lockup_months": 1, "stake_pct": 5},
    ],
}


def backing(doc: dict[str, Any]) -> Any:
    engine = engine_for("lower_confidence")
    decision = engine.evaluate(profile_from_data(doc, doc["id"]))
    (dim,) = [d for d in decision.dimensions if d.name == "institutional_backing"]
    return dim


def test_a_left_out_lockup_counts_as_none() -> None:
    """Fund B's one-month lock-up pulls the mean down; left out, it counts 0 months left
    (not "no lock-up, left out of the mean") and the dimension does not rise."""
    reduced = json.loads(json.dumps(LOCKED))
    del reduced["investors"][1]["lockup_months"]
    full, without = backing(LOCKED), backing(reduced)
    got = {m.metric: m for m in without.evidence}
    assert got["lockup_remaining"].raw < {m.metric: m for m in full.evidence}[
        "lockup_remaining"].raw
    assert "1 without a known end counted as 0 months left" in (got["lockup_remaining"].note
                                                                 or "")
    assert without.score is not None and full.score is not None
    assert without.score <= full.score


def test_left_out_service_flags_are_unknown() -> None:
    """A service's public_opinion left out: FIL-018 is not evaluated (an assumed high finding),
    where before it read as false and the rule passed."""
    doc = decidable(next(iter(synthetic_portfolio(1, seed=7))), random.Random(7))
    doc["filings"], doc["filings_researched"] = [], ["SEC_ASSESSMENT_2018"]
    doc["services"][0]["public_opinion"] = False
    engine = engine_for("lower_confidence")
    stated = {f.rule for f in engine.evaluate(profile_from_data(doc, doc["id"])).findings}
    del doc["services"][0]["public_opinion"]
    left_out = {f.rule: f for f in engine.evaluate(profile_from_data(doc, doc["id"])).findings}
    assert "FIL-018" not in stated
    assert left_out["FIL-018"].evidence["assumed"] is True
    assert left_out["FIL-018"].evidence["missing"] == ["services[0].public_opinion"]


PROFILE = """\
id = "private-emv"
name = "Private EMV AI"
as_of = 2026-06-30

[valuation]
amount = 4.5e9
currency = "CNY"
basis = "expected_market_value"
as_of = 2026-06-30
source = "the company's own estimate"

[listing]
status = "private"
source = "company statement"

[[investors]]
name = "Fund A"
type = "vc"
amount = { amount = 1.0e9, currency = "CNY" }
investment_date = 2026-06-01
lockup_months = 18
source = "illustrative"

[[investors]]
name = "Fund B"
type = "vc"
amount = { amount = 1.0e9, currency = "CNY" }
investment_date = 2026-06-01
source = "illustrative"
"""


def test_the_cli_shows_what_left_out_fields_count_as(run_cli, tmp_path: Path) -> None:
    """A real TOML profile through ``threshold evaluate``: ``verified`` left out is DIS-001
    assumed, a private company's expected market value is tested as an estimate (the gate
    says so in one line), and a lock-up left out counts 0 months left."""
    path = tmp_path / "private-emv.toml"
    path.write_text(PROFILE, encoding="utf-8")
    result = run_cli("evaluate", str(path), "--format", "json", "--no-plugin-autoload")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["gate"]["passed"] is False
    assert out["gate"]["basis"] == "estimate"
    assert out["gate"]["reason"].startswith(
        "an expected market value without a listing application on record")
    assert "\n" not in out["gate"]["reason"]
    findings = {f["rule"]: f for f in out["findings"]}
    assert findings["DIS-001"]["evidence"] == {"assumed": True, "missing": ["verified"]}
    assert "VAL-001" in findings
    (dim,) = [d for d in out["dimensions"] if d["name"] == "institutional_backing"]
    lockup = {m["metric"]: m for m in dim["evidence"]}["lockup_remaining"]
    assert "1 without a known end counted as 0 months left" in lockup["note"]
    # Filed, the same value is the application's and is tested as stated.
    filed = PROFILE.replace('status = "private"', 'status = "filed"')
    path.write_text(filed.replace('name = "Private EMV AI"', 'name = "Filed EMV AI"\n'
                                  "verified = true"), encoding="utf-8")
    result = run_cli("evaluate", str(path), "--format", "json", "--no-plugin-autoload")
    out = json.loads(result.stdout)
    assert out["gate"]["passed"] is True and out["gate"]["basis"] == "expected_market_value"
    assert "DIS-001" not in {f["rule"] for f in out["findings"]}
