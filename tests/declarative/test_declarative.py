"""Declarative (TOML + CEL) rule packs: loading, checking, evaluating, start-up cost."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from helpers import EXAMPLES, REPO, graded_examples

from threshold_core import Context, Engine, InputError
from threshold_core import declarative as decl
from threshold_core.declarative import (
    MAX_PACK_BYTES,
    load_pack,
    parse_template,
    projection_of,
    projector,
    to_cel,
)
from threshold_core.load import profile_from_data

DATA = REPO / "tests" / "data"
BROKEN = DATA / "broken_packs"
ZHIPU = EXAMPLES / "companies" / "zhipu.toml"

PACK_HEAD = """\
[pack]
name = "t"
version = "1.0.0"
"""


def rule_toml(id: str, when: str, message: str = "fired", severity: str = "medium") -> str:
    return textwrap.dedent(f"""
        [[rules]]
        id = "{id}"
        title = "A test rule"
        severity = "{severity}"
        when = '''{when}'''
        message = '''{message}'''
        rationale = "r"
        source = "s"
        """)


def write_pack(folder: Path, *rules: str, name: str = "t") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.toml"
    path.write_text(PACK_HEAD.replace('"t"', f'"{name}"') + "".join(rules), encoding="utf-8")
    return path


def profile(**data: Any) -> Any:
    return profile_from_data({"id": "x", "name": "X Co", **data})


def evaluate(pack: Any, prof: Any) -> dict[str, Any]:
    context = Context(fx=Engine().fx, as_of=prof.as_of)
    return {r.id: r.evaluate(prof, None, context) for r in pack.rules}


# --------------------------------------------------------------------------- the broken corpus

#: file -> what its one error line must say (besides the file name).
CORPUS = {
    "toml_syntax.toml": ["$: rule BRK-002: invalid TOML", "line 18, column 12"],
    "unknown_key.toml": ["$.rules[0].weight: rule BRK-001: unknown key"],
    "bad_cel.toml": ["$.rules[1].when: rule BRK-002: invalid CEL in the condition at line 1, "
                     "column 28 (line 19 of the file)"],
    "unknown_field.toml": ["$.rules[0].when: rule BRK-001:", "line 1, column 16",
                           "the profile has no field 'restricted_share' in Compute"],
    "duplicate_id.toml": ["$.rules[1].id: rule BRK-001: duplicate rule id (also $.rules[0])"],
    "wrong_severity.toml": ["$.rules[0].severity: rule BRK-001: expected one of critical, high, "
                            'medium, low, info; got "severe"'],
    "unknown_enum.toml": ["$.rules[0].when: rule BRK-001:",
                          "'private_mark' is not a value of valuation.basis"],
    "bad_placeholder.toml": ["$.rules[0].message: rule BRK-001: in the placeholder",
                             "no field 'nmae'", "did you mean 'name'?"],
    "empty.toml": ["$: empty file"],
}


def test_the_corpus_is_complete() -> None:
    assert sorted(p.name for p in BROKEN.glob("*.toml")) == sorted(CORPUS)


def _one_pack_dir(tmp_path: Path, source: Path) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir()
    shutil.copy(source, folder / source.name)
    return folder


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_broken_pack_is_one_line_naming_file_and_rule_exit_2(
    run_cli: Any, tmp_path: Path, name: str
) -> None:
    folder = _one_pack_dir(tmp_path, BROKEN / name)
    result = run_cli("validate", str(ZHIPU), "--rules-dir", str(folder))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    # One problem line; CEL errors add the expression and a caret, indented.
    problems = [ln for ln in result.stderr.splitlines() if not ln.startswith(" ")]
    assert len(problems) == 1, result.stderr
    line = problems[0]
    assert line.startswith(str(folder / name) + ": "), line
    for expected in CORPUS[name]:
        assert expected in line, (expected, line)


def test_bad_cel_shows_the_expression_and_a_caret(run_cli: Any, tmp_path: Path) -> None:
    folder = _one_pack_dir(tmp_path, BROKEN / "bad_cel.toml")
    result = run_cli("evaluate", str(ZHIPU), "--rules-dir", str(folder))
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines[1].strip() == "profile.valuation.amount >"
    assert lines[2].index("^") - lines[1].index("p") == 27  # column 28, 1-based
    assert result.stdout == ""  # reported before anything is evaluated


def test_a_ten_megabyte_pack_is_refused(run_cli: Any, tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    path = write_pack(folder, rule_toml("BIG-001", "profile.verified"), name="big")
    with path.open("a", encoding="utf-8") as fh:
        fh.write(("# " + "x" * 1022 + "\n") * (10 * 1024))
    assert path.stat().st_size > 10 * 1024 * 1024
    result = run_cli("validate", str(ZHIPU), "--rules-dir", str(folder))
    assert result.returncode == 2
    assert f"{path}: $: file is 10.5 MB; a rule pack may be at most 1024 KiB" in result.stderr
    assert MAX_PACK_BYTES == 1024 * 1024


def test_a_pack_of_comments_only_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("# nothing here\n", encoding="utf-8")
    with pytest.raises(InputError, match="empty pack"):
        load_pack(path)


def test_every_problem_of_a_file_is_reported_at_once(tmp_path: Path) -> None:
    path = write_pack(
        tmp_path,
        rule_toml("A-001", "profile.nope > 1.0"),
        rule_toml("A-002", "profile.valuation.amount >"),
        rule_toml("A-003", "ok", message="{profile.nmae}"),
    )
    with pytest.raises(InputError) as info:
        load_pack(path)
    paths = [p.path for p in info.value.problems]
    assert paths == ["$.rules[0].when", "$.rules[1].when", "$.rules[2].when",
                     "$.rules[2].message"]
    assert "unknown variable 'ok'" in info.value.problems[2].message


def test_test_entries_are_checked_at_load(tmp_path: Path) -> None:
    path = write_pack(tmp_path, rule_toml("A-001", "profile.verified"))
    with path.open("a", encoding="utf-8") as fh:
        fh.write('\n[[tests]]\nname = "n"\nbase = "x.toml"\nexpect = [{ rule = "A-009" }]\n'
                 '[[tests]]\nname = "neither"\n')
    with pytest.raises(InputError) as info:
        load_pack(path)
    lines = info.value.lines()
    assert any("$.tests[0].expect[0].rule: no rule 'A-009' in this pack" in ln for ln in lines)
    assert any("$.tests[1]: a test needs either profile" in ln for ln in lines)


# --------------------------------------------------------------------------- static checks


@pytest.mark.parametrize(("when", "message"), [
    ("profile.services.exists(s, s.publc_prc)",
     "no field 'publc_prc' in Service (did you mean 'public_prc'?)"),
    ("profile.customers.ndr_pct.value > 1.0", "a figure is its number in CEL"),
    ("profile.services.name == 'x'", "a list; use .exists(x, x.field ...) or an index"),
    ("profile.filings.exists(f, f.regime == 'MIIT_FILING')", "'MIIT_FILING' is not a value"),
    ("'estimat' == profile.valuation.basis", "'estimat' is not a value of valuation.basis"),
    ("profile.valuation.basis in ['estimate', 'guess']", "'guess' is not a value"),
    ("profile.technology.benchmark_claims.filter(c, c.scor > 1.0).size() > 0",
     "no field 'scor' in BenchmarkClaim (did you mean 'score'?)"),
    ("profile.services[0].nme == 'x'", "no field 'nme' in Service"),
    # type errors: CEL's checker, with the profile's declared types
    ("profile.financials.cash / 12 < 1.0e9",
     "found no matching overload for '_/_' applied to '(double, int)'"),
    ("true ? profile.financials.cash + 1 > 0.0 : profile.compute.runway_months > 1.0",
     "found no matching overload for '_+_' applied to '(double, int)'"),
    ("profile.name > 5", "no matching overload for '_>_' applied to '(string, int)'"),
    # a section is a message, not a map: its keys are not a list to iterate
    ("profile.financials.exists(k, k == 'currency')",
     "expression of type 'Financials' cannot be the range of a comprehension"),
    ("figures.exists(f, f.sourc == 'x')", "no field 'sourc'"),
    ("somebody.verified", "unknown variable 'somebody'"),
])
def test_field_paths_are_checked_against_the_profile_schema(
    tmp_path: Path, when: str, message: str
) -> None:
    path = write_pack(tmp_path, rule_toml("A-001", when))
    with pytest.raises(InputError) as info:
        load_pack(path)
    assert message in info.value.problems[0].message


@pytest.mark.parametrize("when", [
    "profile.services.exists(s, s.public_prc && s.kind == 'generative')",
    "profile.investors.all(i, has(i.tier) && i.tier >= 2)",
    "size(profile.filings.filter(f, f.status == 'active')) > 0",
    "profile.compute.accelerators.map(a, a.h100_equiv).exists(x, x > 100.0)",
    "has(profile.valuation.source) && profile.valuation.source.startsWith('HKEX')",
    "as_of - profile.financials.as_of > duration('8760h')",
    "profile.valuation.amount * fx[profile.valuation.currency] > 4.0e9",
    "figures.exists(f, f.source == 'illustrative' && f.path.startsWith('financials'))",
    "type(profile.name) == string // a comment",
    "profile.services[0].name == 'ChatGLM'",
])
def test_valid_conditions_compile(tmp_path: Path, when: str) -> None:
    load_pack(write_pack(tmp_path, rule_toml("A-001", when)))


# --------------------------------------------------------------------------- evaluation


def test_missing_data_is_not_evaluated_naming_the_paths(tmp_path: Path) -> None:
    pack = load_pack(write_pack(
        tmp_path,
        rule_toml("M-001", "profile.compute.runway_months < 6.0"),
        rule_toml("M-002", "profile.services.exists(s, s.minor_mode)"),
        rule_toml("M-003", "!has(profile.valuation.source)"),
    ))
    out = evaluate(pack, profile(services=[{"name": "A"}, {"name": "B", "minor_mode": False}],
                                 compute={"runway_months": 12}))
    assert (out["M-001"].status, out["M-001"].evidence) == (
        "passed", {"compute.runway_months": 12.0})
    assert out["M-002"].status == "not_evaluated"
    assert out["M-002"].missing == ("services[0].minor_mode",)
    assert out["M-003"].missing == ("valuation",)  # has() needs the table, not the field
    bare = evaluate(pack, profile())
    assert bare["M-001"].missing == ("compute",)
    assert bare["M-001"].message == "missing compute"
    # an omitted list is absent, as in the Python packs: never an empty list
    assert (bare["M-002"].status, bare["M-002"].missing) == ("not_evaluated", ("services",))


@pytest.mark.parametrize("command", ["validate", "evaluate"])
def test_a_type_error_is_an_input_error_at_load(
    run_cli: Any, tmp_path: Path, command: str
) -> None:
    folder = _one_pack_dir(tmp_path, DATA / "packs" / "type_error.toml")
    result = run_cli(command, str(ZHIPU), "--rules-dir", str(folder))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    first = result.stderr.splitlines()[0]
    assert first.startswith(str(folder / "type_error.toml") + ": $.rules[0].when: rule TYP-001")
    assert "line 1, column 14" in first and "'_>_' applied to '(string, int)'" in first
    assert result.stderr.splitlines()[2] == " " * 17 + "^"


@pytest.mark.parametrize(("pack", "raised"), [
    ("not_boolean", "TypeError: condition of NBO-001 yielded string 'Zhipu AI'"),
    ("runtime_error", "ConditionError: condition of RUN-001 failed: "
                      "INVALID_ARGUMENT: divide by zero"),
])
def test_a_condition_that_fails_at_run_time_is_an_error_event(
    run_cli: Any, tmp_path: Path, pack: str, raised: str
) -> None:
    folder = _one_pack_dir(tmp_path, DATA / "packs" / f"{pack}.toml")
    result = run_cli("evaluate", str(ZHIPU), "--rules-dir", str(folder), "--format", "json")
    assert result.returncode == 3, result.stderr
    decision = json.loads(result.stdout)
    assert decision["verdict"] == "error"
    assert raised in result.stderr


def test_fired_messages_quote_profile_values(tmp_path: Path) -> None:
    pack = load_pack(write_pack(tmp_path, rule_toml(
        "F-001", "profile.valuation.amount > 1.0",
        message="{profile.name} is valued at {profile.valuation.amount / 1e9:.2f}bn "
                "{profile.valuation.currency} ({profile.valuation.basis}, as of "
                "{profile.valuation.as_of}); {profile.listing.ticker}; {{literal}}",
    )))
    prof = profile(valuation={"amount": 2.5e9, "currency": "USD", "basis": "estimate",
                              "as_of": "2026-06-01"})
    out = evaluate(pack, prof)["F-001"]
    assert out.status == "fired"
    assert out.message == ("X Co is valued at 2.50bn USD (estimate, as of 2026-06-01); n/a; "
                           "{literal}")


@pytest.mark.parametrize(("spec", "value", "shown"), [
    ("", 70.0000001, "70.0000001"),      # no spec: never "70" beside a house limit of 70
    ("", 69.999, "69.999"),
    ("", 84.8, "84.8"),                  # away from a whole number: as before
    ("", 12.3456, "12.35"),
    (":g", 19.9999999, "19.9999999"),    # never "20"
    (":g", 12.5, "12.5"),
    (":.3g", 49.96, "49.96"),            # never "50.0"
    (":.3g", 0.000123456, "0.000123"),
])
def test_a_message_figure_is_never_shown_onto_a_whole_number(
        tmp_path: Path, spec: str, value: float, shown: str) -> None:
    """A double in a message, with no spec or a significant-digits one, keeps the digits
    that show it off 0 and off every whole number it is not equal to (the limits messages
    name are whole numbers), as a fixed-point spec does."""
    pack = load_pack(write_pack(tmp_path, rule_toml(
        "F-002", "profile.financials.revenue_mix.project_on_prem_pct > 0.0",
        message=f"{{profile.financials.revenue_mix.project_on_prem_pct{spec}}}% on-premise",
    )))
    prof = profile(financials={"currency": "CNY",
                               "revenue_mix": {"project_on_prem_pct": value}})
    assert evaluate(pack, prof)["F-002"].message == f"{shown}% on-premise"


def test_template_parsing() -> None:
    parts = parse_template("a {x:,.1f} b {c ? 1 : 2} {{}}")
    assert [p if isinstance(p, str) else (p.expression, p.spec) for p in parts] == [
        "a ", ("x", ",.1f"), " b ", ("c ? 1 : 2", ""), " {}"]
    with pytest.raises(ValueError, match="unclosed"):
        parse_template("a {x")


def test_how_cel_sees_the_profile() -> None:
    prof = profile_from_data({
        "id": "x", "name": "X", "as_of": "2026-06-30",
        "valuation": {"amount": 1e9, "currency": "CNY", "basis": "market_cap"},
        "customers": {"ndr_pct": {"value": 120, "source": "illustrative"}},
        "services": [{"name": "S"}],
    })
    data = to_cel(prof)
    assert data["valuation"] == {"amount": 1e9, "currency": "CNY", "basis": "market_cap"}
    assert data["customers"]["ndr_pct"] == 120.0  # a figure is its number
    assert data["valuation"]["basis"] == "market_cap"  # enums are their values
    assert "kind" not in data["services"][0]  # left out: absent, never "generative"
    # dates are timestamps (protobuf's, the form CEL takes inside a map)
    assert data["as_of"].ToJsonString() == "2026-06-30T00:00:00Z"
    assert "financials" not in data  # None is absent: has() tests it
    figs = decl.figures_of(prof)
    assert figs == [{"path": "customers.ndr_pct", "value": 120.0, "source": "illustrative",
                     "note": "", "as_of": data["as_of"],  # inherited from the profile
                     "grade": "illustrative"}]  # graded as the sourcing figures grade it


def test_the_projection_converts_only_what_rules_read() -> None:
    prof = profile_from_data({
        "id": "x", "name": "X",
        "financials": {"currency": "CNY", "revenue": 1.0, "cash": 2.0},
        "services": [{"name": "S", "companion": True}],
    })
    from threshold_core.declarative import compile_checked

    _, checked, _ = compile_checked(
        "profile.financials.cash > 1.0 && profile.services.exists(s, s.companion)")
    refs = decl.analyze_checked(checked).references
    tree = projection_of(refs)
    assert tree == {"financials": {"cash": True}, "services": {"[]": {"companion": True}}}
    assert projector(tree)(prof) == {"financials": {"cash": 2.0},
                                     "services": [{"companion": True}]}
    assert projector(None)(prof) == to_cel(prof)
    # any other use of a section or an element keeps it whole
    _, checked, _ = compile_checked(
        "profile.services.filter(s, s.companion).exists(t, t.name == 'S')"
        " && [profile.financials][0].cash > 1.0")
    tree = projection_of(decl.analyze_checked(checked).references)
    assert tree == {"financials": True, "services": {"[]": True}}


#: Conditions in every shape a path can take: plain, in has(), behind && / || / ?:
#: guards, into macros, indexed, rendered in messages.
EQUIVALENT = [
    "profile.financials.cash / profile.financials.monthly_net_burn < 12.0",
    "has(profile.financials.cash) && profile.financials.cash > 1.0e9",
    "!has(profile.valuation.source) || profile.valuation.source.startsWith('illustrative')",
    "has(profile.compute) ? profile.compute.accelerators.exists(a, "
    "has(a.licensed) && a.licensed) : false",
    "profile.verified && profile.valuation.basis in ['estimate', 'last_round_post_money']",
    "size(profile.services) > 0 && profile.services[0].public_prc",
    "profile.financials.revenue_mix.project_on_prem_pct > 70.0 || profile.verified",
    "profile.financials.revenue_mix.project_on_prem_pct > 70.0 && !profile.verified",
    "has(profile.listing) && has(profile.listing.ticker)",
    "profile.customers.ndr_pct < 100.0 || has(profile.customers.gdr_pct)",
    "as_of - profile.financials.as_of > duration('6570h')",
    "profile.valuation.amount * fx[profile.valuation.currency] > 4.0e9",
    "profile.investors.exists(i, i.type == 'state_fund') && profile.name != ''",
    "[profile].exists(p, has(p.financials) && p.financials.cash > 1.0e9)",
]


def _stripped(data: dict[str, Any], drop: str) -> dict[str, Any]:
    out = json.loads(json.dumps(data, default=str))
    *head, last = drop.split(".")
    node = out
    for key in head:
        node = node.get(key) or {}
    node.pop(last, None)
    return out


def test_a_pack_gives_what_cel_gives_on_the_whole_profile(tmp_path: Path) -> None:
    """The pack converts only the fields it reads; every condition must still have
    the value CEL gives on the whole nested profile (an error where a key is
    missing, short-circuits and has() alike). The seeded differential test in
    test_cel_differential.py does the same for thousands of generated conditions."""
    from threshold_core.declarative import environments

    run = environments().run
    pack = load_pack(write_pack(tmp_path, *(
        rule_toml(f"E-{i:03}", when) for i, when in enumerate(EQUIVALENT))))
    engine = Engine()
    import tomllib

    raw = [tomllib.loads(p.read_text(encoding="utf-8"))
           for p in sorted(graded_examples().glob("*.toml"))]  # with an NDR to compare
    variants = [r for data in raw for r in (data, *(
        _stripped(data, drop) for drop in (
            "financials", "financials.cash", "financials.revenue_mix", "valuation.source",
            "compute", "listing", "customers.ndr_pct", "services", "verified", "valuation")))]
    seen = set()
    for data in variants:
        prof = profile_from_data(data)
        context = Context(fx=engine.fx, as_of=prof.as_of)
        whole = {"profile": to_cel(prof), "as_of": prof.as_of,
                 "fx": {"CNY": 1.0, **{k: float(v) for k, v in engine.fx.rates.items()}}}
        if prof.as_of is not None:
            from datetime import UTC, datetime

            whole["as_of"] = datetime(prof.as_of.year, prof.as_of.month, prof.as_of.day,
                                      tzinfo=UTC)
        else:
            del whole["as_of"]
        for cond, rule in zip(pack.conditions, pack.rules, strict=True):
            result = run.compile(cond.spec.when).eval(data=whole)
            value = result.value()
            expected = {True: "fired", False: "passed"}.get(value, "not_evaluated")
            try:
                got = rule.evaluate(prof, None, context).status
            except decl.ConditionError:
                got = "error"
            if got == "error":  # only an error that is not an absent field
                assert "Key not found" not in str(value)
                expected = "error"
            assert got == expected, (prof.id, cond.spec.id, cond.spec.when, value)
            seen.add((cond.spec.id, got))
    # every condition was seen both ways at least, so the comparison bites
    for i in range(len(EQUIVALENT)):
        assert len({s for r, s in seen if r == f"E-{i:03}"}) >= 2, (EQUIVALENT[i], seen)


def test_cel_gets_only_the_fields_rules_read(tmp_path: Path) -> None:
    pack = load_pack(write_pack(tmp_path, rule_toml(
        "V-001", "has(profile.valuation.source) && profile.financials.cash > 1.0",
        message="{profile.name}: {profile.financials.cash / 1e9:.1f}bn")))
    prof = profile(verified=True, financials={"currency": "CNY", "cash": 2.0e9, "revenue": 1.0},
                   valuation={"amount": 1.0e9, "currency": "CNY", "basis": "market_cap"})
    view = pack.view(prof, Context(fx=Engine().fx, as_of=prof.as_of))
    assert set(view.variables) == {"profile"}
    assert view.variables["profile"] == {"financials": {"cash": 2.0e9},
                                         "valuation": {}, "name": "X Co"}
    out = evaluate(pack, profile(financials={"currency": "CNY", "cash": 2.0e9}))["V-001"]
    assert (out.status, out.missing) == ("not_evaluated", ("valuation",))
    out = evaluate(pack, profile(valuation={"amount": 1.0e9, "currency": "CNY",
                                            "basis": "market_cap", "source": "x"}))["V-001"]
    assert (out.status, out.missing) == ("not_evaluated", ("financials",))
    out = evaluate(pack, profile(financials={"currency": "CNY", "cash": 2.0e9}, valuation={
        "amount": 1.0e9, "currency": "CNY", "basis": "market_cap", "source": "x"}))["V-001"]
    assert (out.status, out.message) == ("fired", "X Co: 2.0bn")


def test_a_pack_that_reads_the_profile_whole_gets_it_whole(tmp_path: Path) -> None:
    pack = load_pack(write_pack(
        tmp_path,
        rule_toml("W-001", "[profile].exists(p, has(p.valuation) && p.valuation.amount > 1.0e9)",
                  message="{profile.valuation.amount / 1e9:.1f}bn"),
        rule_toml("W-002", "has(profile.financials.cash)"),
    ))
    prof = profile(valuation={"amount": 2.0e9, "currency": "CNY", "basis": "market_cap"})
    view = pack.view(prof, Context(fx=Engine().fx, as_of=prof.as_of))
    assert view.variables["profile"] == to_cel(prof)
    out = evaluate(pack, prof)
    assert (out["W-001"].status, out["W-001"].message) == ("fired", "2.0bn")
    assert (out["W-002"].status, out["W-002"].missing) == ("not_evaluated", ("financials",))
    assert evaluate(pack, profile())["W-001"].status == "passed"


def test_messages_read_figures(tmp_path: Path) -> None:
    pack = load_pack(write_pack(tmp_path, rule_toml(
        "G-001", "figures.exists(f, f.source == 'illustrative')",
        message="{figures.filter(f, f.source == 'illustrative').map(f, f.path)} "
                "of {profile.name}")))
    prof = profile(customers={"ndr_pct": {"value": 120, "source": "illustrative"},
                              "gdr_pct": {"value": 90, "source": "annual report"}})
    out = evaluate(pack, prof)["G-001"]
    assert (out.status, out.message) == ("fired", "customers.ndr_pct of X Co")


def test_the_profile_is_converted_once_per_evaluation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pack = load_pack(write_pack(
        tmp_path, *(rule_toml(f"C-00{i}", f"profile.verified && {i} > 0") for i in range(1, 6))
    ))
    calls = []
    real = decl.make_view
    # The pack module's own reference is the one its packs call.
    monkeypatch.setattr(decl._pack, "make_view", lambda *a, **k: calls.append(1) or real(*a, **k))
    engine = Engine()
    prof = engine.load_profile(ZHIPU)
    for n in (1, 2):  # every evaluation converts once, for all five rules
        context = Context(fx=engine.fx, as_of=prof.as_of)
        assert all(r.evaluate(prof, None, context).status == "fired" for r in pack.rules)
        assert len(calls) == n


def test_the_built_in_pack_compiles_lazily() -> None:
    pack = load_pack(REPO / "rules" / "disclosure.toml", compile=False)
    assert not pack.compiled
    prof = profile(verified=False)
    context = Context(fx=Engine().fx, as_of=None)
    outcome = next(r for r in pack.rules if r.id == "DIS-001").evaluate(prof, None, context)
    assert pack.compiled and outcome.status == "fired"


def test_built_in_disclosure_findings_in_an_evaluation() -> None:
    engine = Engine()
    decision = engine.evaluate_path(EXAMPLES / "companies" / "lingxi.toml")
    found = {f.rule: f for f in decision.findings if f.pack == "disclosure"}
    assert found["DIS-001"].severity == "high"
    assert found["DIS-001"].plugin == "threshold_rules.declarative_builtin"


# --------------------------------------------------------------------------- start-up cost

PROBE = """\
import json, sys
from threshold_core.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
cel = sorted(m for m in sys.modules if m.split(".")[0] in ("cel", "cel_expr_python"))
ui = sorted(m for m in ("typer", "rich", "prompt_toolkit") if m in sys.modules)
print("MODULES " + json.dumps([cel, ui]), file=sys.stderr)
"""


def _modules(tmp_path: Path, *args: str) -> tuple[list[str], list[str]]:
    """The CEL modules and CLI libraries loaded by ``threshold ARGS`` in a fresh process."""
    result = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    line = next(ln for ln in result.stderr.splitlines() if ln.startswith("MODULES "))
    cel, ui = json.loads(line.removeprefix("MODULES "))
    return cel, ui


def test_no_declarative_pack_no_cel(tmp_path: Path) -> None:
    cel, _ = _modules(tmp_path, "evaluate", str(ZHIPU),
                      "--disable-plugin", "threshold_rules.declarative_builtin")
    assert cel == []


def test_the_built_in_pack_loads_no_cel_until_it_evaluates(tmp_path: Path) -> None:
    cel, _ = _modules(tmp_path, "rules")
    assert cel == []


@pytest.mark.parametrize("extra", [(), ("--rules-dir", str(EXAMPLES / "rulepacks"))])
def test_evaluating_a_declarative_pack_loads_the_cel_library_alone(
    tmp_path: Path, extra: tuple[str, ...]
) -> None:
    cel, ui = _modules(tmp_path, "evaluate", str(ZHIPU), *extra)
    assert cel == ["cel_expr_python", "cel_expr_python.cel"]
    assert ui == []
