"""Whole numbers beyond 64 bits, and negative counts, are refused where they load, naming the
file and the path (exit 2), in every whole-number field of a profile, in TOML and JSON, one
profile or a batch line; and every whole number the model accepts reaches a declarative rule
as the number it is (CEL's int is 64 bits: before, ``compliance.mlps_level3_systems =
2**64`` loaded, and every declarative rule reading that part of the profile then failed).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from threshold_core import Context, Engine, InputError
from threshold_core.declarative import load_pack
from threshold_core.load import profile_from_data
from threshold_core.model import INT64_RANGE, CompanyProfile, range_of
from threshold_core.reports import schema

LOW, HIGH = INT64_RANGE
TOO_BIG = 2**64
BASE: dict[str, Any] = {"id": "n", "name": "N Co", "as_of": "2026-06-30"}
WORDS = ("expected a whole number from -9,223,372,036,854,775,808 to "
         "9,223,372,036,854,775,807 (64 bits)")

#: Every whole-number field of a profile: (its path, the document that holds a value there).
FIELDS = {
    "compliance.mlps_level3_systems": lambda v: {"compliance": {"mlps_level3_systems": v}},
    "evaluations.safety[0].n_prompts": lambda v: {"evaluations": {"safety": [
        {"suite": "xstest", "over_refusal_pct": 3.0, "n_prompts": v}]}},
    "evaluations.safety[0].n_benign": lambda v: {"evaluations": {"safety": [
        {"suite": "xstest", "over_refusal_pct": 3.0, "n_benign": v}]}},
    "evaluations.safety[0].n_unsafe": lambda v: {"evaluations": {"safety": [
        {"suite": "xstest", "unsafe_compliance_pct": 3.0, "n_unsafe": v}]}},
    "ethics_governance.members": lambda v: {"ethics_governance": {"committee": True,
                                                                  "members": v}},
    "investors[0].tier": lambda v: {"investors": [{"name": "A", "type": "vc", "tier": v}]},
    "reported_claims.verticals_approved": lambda v: {"reported_claims": {
        "verticals_approved": v}},
}


def test_the_range_is_cels_int() -> None:
    assert INT64_RANGE == (-9223372036854775808, 9223372036854775807)


def test_every_whole_number_field_of_a_profile_is_listed_here() -> None:
    found: set[str] = set()

    def walk(cls: type, seen: set[type]) -> None:
        if cls in seen:
            return
        seen.add(cls)
        for a in attrs.fields(attrs.resolve_types(cls)):
            text = str(a.type)
            if a.type is int or text in ("int | None", "typing.Optional[int]"):
                found.add(a.name)
            for inner in getattr(a.type, "__args__", ()) or (a.type,):
                for t in getattr(inner, "__args__", ()) or (inner,):
                    if isinstance(t, type) and attrs.has(t):
                        walk(t, seen)

    walk(CompanyProfile, set())
    assert found == {path.rsplit(".", 1)[-1] for path in FIELDS}


def test_a_count_has_a_documented_lower_bound() -> None:
    # A count read by a rule or a scorer is never negative (tier is 1-3).
    from threshold_core.model import Compliance, EthicsGovernance, SafetyEval

    for cls, name in ((Compliance, "mlps_level3_systems"), (SafetyEval, "n_prompts"),
                      (EthicsGovernance, "members"),
                      (SafetyEval, "n_benign"), (SafetyEval, "n_unsafe")):
        assert range_of(attrs.fields_dict(cls)[name]) == (0.0, None)


@pytest.mark.parametrize("path", sorted(FIELDS))
@pytest.mark.parametrize("value", [TOO_BIG, HIGH + 1, LOW - 1, -(2**70)])
def test_a_whole_number_beyond_64_bits_is_refused_by_path(path: str, value: int) -> None:
    with pytest.raises(InputError) as err:
        profile_from_data({**BASE, **FIELDS[path](value)})
    assert f"$.{path}: expected a whole number from -9,223,372,036,854,775,808 to " \
           f"9,223,372,036,854,775,807 (64 bits), got {value}" in str(err.value)


@pytest.mark.parametrize("path", ["compliance.mlps_level3_systems",
                                  "evaluations.safety[0].n_prompts",
                                  "evaluations.safety[0].n_benign",
                                  "evaluations.safety[0].n_unsafe"])
def test_a_negative_count_is_refused_by_path(path: str) -> None:
    with pytest.raises(InputError) as err:
        profile_from_data({**BASE, **FIELDS[path](-3)})
    assert f"$.{path}: must not be negative, got -3" in str(err.value)


@pytest.mark.parametrize("command", ["validate", "evaluate"])
def test_the_reported_input_is_exit_2_naming_the_file_and_path(
        run_cli_process: Any, tmp_path: Path, command: str) -> None:
    data = {**BASE, **FIELDS["compliance.mlps_level3_systems"](TOO_BIG)}
    (tmp_path / "big.json").write_text(json.dumps(data), encoding="utf-8")
    result = run_cli_process(command, "big.json")
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.strip() == (
        f"big.json: $.compliance.mlps_level3_systems: {WORDS}, got 18446744073709551616")
    assert "Traceback" not in result.stderr


def test_the_same_in_toml(run_cli: Any, tmp_path: Path) -> None:
    (tmp_path / "big.toml").write_text(
        'id = "n"\nname = "N Co"\nas_of = 2026-06-30\n[compliance]\n'
        "mlps_level3_systems = 9223372036854775807\n", encoding="utf-8")
    assert run_cli("validate", "big.toml").returncode == 0  # the largest accepted
    (tmp_path / "big.toml").write_text(
        'id = "n"\nname = "N Co"\nas_of = 2026-06-30\n[evaluations]\n[[evaluations.safety]]\n'
        'suite = "xstest"\nover_refusal_pct = 3.0\nn_benign = -250\n', encoding="utf-8")
    result = run_cli("validate", "big.toml")
    assert result.returncode == 2
    assert result.stderr.strip() == ("big.toml: $.evaluations.safety[0].n_benign: must not be "
                                     "negative, got -250")


def test_a_configuration_s_whole_number_beyond_64_bits(run_cli: Any, tmp_path: Path) -> None:
    (tmp_path / "ok.json").write_text(json.dumps(BASE), encoding="utf-8")
    (tmp_path / "seed.toml").write_text("[explain]\nseed = 18446744073709551616\n",
                                        encoding="utf-8")
    result = run_cli("validate", "ok.json", "--config", "seed.toml")
    assert result.returncode == 2
    assert result.stderr.strip() == f"seed.toml: $.explain.seed: {WORDS}, got {TOO_BIG}"


def test_a_batch_line_beyond_64_bits_is_that_line_s_error(
        run_cli_process: Any, tmp_path: Path) -> None:
    good = {**BASE, "id": "good"}
    bad = {**BASE, "id": "bad", **FIELDS["compliance.mlps_level3_systems"](TOO_BIG)}
    small = {**BASE, "id": "small", **FIELDS["compliance.mlps_level3_systems"](HIGH)}
    (tmp_path / "in.jsonl").write_text(
        "\n".join(json.dumps(d) for d in (good, bad, small)) + "\n", encoding="utf-8")
    result = run_cli_process("batch", "in.jsonl", "--output", "out.jsonl")
    assert result.returncode == 2, result.stderr
    ids = [json.loads(x)["company"]["id"]
           for x in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert sorted(ids) == ["good", "small"]
    assert (f"in.jsonl:2: $.compliance.mlps_level3_systems: {WORDS}, got {TOO_BIG}"
            in result.stderr)
    assert "Traceback" not in result.stderr


def test_the_schema_states_the_bound() -> None:
    compliance = schema("profile")["$defs"]["Compliance"]["properties"]["mlps_level3_systems"]
    assert {"type": "integer", "minimum": 0, "maximum": HIGH} in compliance["anyOf"]


PACK = """\
[pack]
name = "counts"
version = "1.0.0"
[[rules]]
id = "C-1"
title = "t"
severity = "high"
when = "profile.compliance.mlps_level3_systems - 1 >= 3"
message = "{profile.compliance.mlps_level3_systems} systems"
rationale = "r"
source = "s"
"""


@settings(max_examples=80, deadline=None)
@given(st.integers(min_value=0, max_value=HIGH) | st.integers(min_value=HIGH - 5,
                                                                max_value=HIGH))
@example(HIGH)
@example(0)
def test_every_accepted_count_reaches_a_declarative_rule_as_itself(value: int) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "counts.toml"
        path.write_text(PACK, encoding="utf-8")
        pack = load_pack(path)
    prof = profile_from_data({**BASE, **FIELDS["compliance.mlps_level3_systems"](value)})
    outcome = pack.rules[0].evaluate(prof, None, Context(fx=Engine().fx, as_of=prof.as_of))
    assert outcome.status == ("fired" if value > 3 else "passed")
    if value > 3:
        assert outcome.message == f"{value:,} systems"  # messages group thousands


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(FIELDS)),
       st.integers(min_value=HIGH + 1) | st.integers(max_value=LOW - 1))
def test_no_whole_number_beyond_64_bits_loads(path: str, value: int) -> None:
    with pytest.raises(InputError, match="from -9,223,372,036,854,775,808 to "):
        profile_from_data({**BASE, **FIELDS[path](value)})


def test_a_number_too_long_to_write_is_named_by_its_size() -> None:
    # Python refuses to write an int of more than 4,300 digits: the message gives its size.
    with pytest.raises(InputError) as err:
        profile_from_data({**BASE, **FIELDS["compliance.mlps_level3_systems"](10**5000)})
    assert f"$.compliance.mlps_level3_systems: {WORDS}, got a number of about 5,000 digits" \
        in str(err.value)


@pytest.mark.parametrize("path, value, message", [
    ("evaluations.safety[0].n_prompts", -1234567, "must not be negative, got -1234567"),
    ("investors[0].tier", HIGH, f"must be within 1-3, got {HIGH}"),
    ("investors[0].tier", LOW, f"must be within 1-3, got {LOW}"),
])
def test_a_whole_number_out_of_its_range_is_shown_as_written(path: str, value: int,
                                                             message: str) -> None:
    with pytest.raises(InputError) as err:
        profile_from_data({**BASE, **FIELDS[path](value)})
    assert f"$.{path}: {message}" in str(err.value)
