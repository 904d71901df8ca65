"""Profile extensions: a plugin's own ``[extensions.<name>]`` section of the profile.

A drop-in scorer (``tests/data/extension_plugins/inference_economics.py``) declares
``[extensions.inference_economics]`` through ``threshold_profile_extensions``; every
test runs the installed ``threshold`` script or the public API, with real TOML files.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from attrs import frozen
from helpers import REPO

from threshold_core import Engine, InputError, load_config
from threshold_core.cli import ExitCode
from threshold_core.load import ExtensionTypes, profile_from_data
from threshold_core.model import Figure

PLUGIN = REPO / "tests" / "data" / "extension_plugins" / "inference_economics.py"
NAME = "inference_economics"

PROFILE = """\
id = "acme"
name = "Acme AI"
as_of = 2026-06-30

[valuation]
amount = 6.0e9
currency = "CNY"
basis = "market_cap"
source = "illustrative"

[extensions.inference_economics]
source = "vendor price list, June 2026"
cost_per_mtok_usd = {cost}
open_weight_downloads_m = {downloads}
"""

CONFIG = """\
plugin_dirs = ["plugins"]

[dimensions.inference_economics]
weight = 1
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A folder with the drop-in plugin, a configuration turning its dimension on and a
    profile carrying its section."""
    (tmp_path / "plugins").mkdir()
    shutil.copy(PLUGIN, tmp_path / "plugins" / PLUGIN.name)
    (tmp_path / "threshold.toml").write_text(CONFIG, encoding="utf-8")
    write(tmp_path / "acme.toml", cost=1.25, downloads=40)
    return tmp_path


def write(path: Path, **values: Any) -> Path:
    path.write_text(PROFILE.format(**values), encoding="utf-8")
    return path


def evaluate_json(run_cli, *args: str, cwd: Path) -> dict[str, Any]:
    result = run_cli("evaluate", *args, "--format", "json", cwd=cwd)
    assert result.returncode == ExitCode.OK, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_the_issue_example_is_one_line_naming_file_and_path(run_cli, project: Path) -> None:
    write(project / "acme.toml", cost='"cheap"', downloads=40)
    result = run_cli("evaluate", "acme.toml", cwd=project)
    assert result.returncode == ExitCode.INVALID_INPUT
    assert result.stderr == (
        'acme.toml: $.extensions.inference_economics.cost_per_mtok_usd: '
        'expected a number, got "cheap"\n')


def test_every_problem_at_once_core_and_extension_in_file_order(run_cli, project: Path) -> None:
    text = PROFILE.format(cost='"cheap"', downloads='"many"').replace(
        "amount = 6.0e9", 'amount = "a lot"') + "colour = 3\n"
    (project / "acme.toml").write_text(text, encoding="utf-8")
    result = run_cli("validate", "acme.toml", cwd=project)
    assert result.returncode == ExitCode.INVALID_INPUT
    lines = result.stderr.splitlines()
    assert lines[0] == 'acme.toml: $.valuation.amount: expected a number, got "a lot"'
    assert lines[1:3] == [
        'acme.toml: $.extensions.inference_economics.cost_per_mtok_usd: '
        'expected a number, got "cheap"',
        'acme.toml: $.extensions.inference_economics.open_weight_downloads_m: '
        'expected a number or a { value = ... } table, got "many"',
    ]
    assert any("$.extensions.inference_economics.colour: unknown key" in ln for ln in lines)


def test_scored_with_provenance_from_its_section(run_cli, project: Path) -> None:
    decision = evaluate_json(run_cli, "acme.toml", cwd=project)
    (dim,) = [d for d in decision["dimensions"] if d["name"] == NAME]
    evidence = {m["metric"]: m for m in dim["evidence"]}
    # 1.25 USD per million tokens: between 0.5 -> 100 and 2.0 -> 60.
    assert evidence["cost"]["points"] == pytest.approx(80.0)
    assert evidence["downloads"]["source"] == "vendor price list, June 2026"
    (event,) = [e for e in decision["trace"] if e["component"] == NAME]
    assert event["read"] == [f"extensions.{NAME}.cost_per_mtok_usd",
                             f"extensions.{NAME}.open_weight_downloads_m"]


def test_bare_figures_inherit_the_section_source_in_the_api(project: Path) -> None:
    engine = Engine(load_config(project / "threshold.toml"))
    profile = engine.load_profile(project / "acme.toml")
    section = profile.extensions[NAME]
    assert type(section).__name__ == "InferenceEconomics"
    assert section.open_weight_downloads_m.value == 40.0
    assert section.open_weight_downloads_m.source == "vendor price list, June 2026"
    assert section.open_weight_downloads_m.as_of is None  # the profile's date is not a section's


def test_a_section_nobody_declares_lists_the_sections_plugins_declare(
    run_cli, project: Path,
) -> None:
    text = PROFILE.format(cost=1, downloads=2).replace(
        "[extensions.inference_economics]", "[extensions.inference_economy]")
    (project / "acme.toml").write_text(text, encoding="utf-8")
    result = run_cli("validate", "acme.toml", cwd=project)
    assert result.returncode == ExitCode.INVALID_INPUT
    (line,) = result.stderr.splitlines()
    assert line.startswith("acme.toml: $.extensions.inference_economy: no installed plugin "
                           "declares extension 'inference_economy' (sections declared: ")
    assert "inference_economics by plugin inference_economics" in line
    assert "ai_safety_maturity by plugin ai_safety" in line  # the installed example plugin


def test_a_removed_plugin_leaves_old_profiles_readable_when_asked(
    run_cli, project: Path,
) -> None:
    shutil.rmtree(project / "plugins")
    (project / "threshold.toml").write_text("", encoding="utf-8")
    refused = run_cli("evaluate", "acme.toml", cwd=project)
    assert refused.returncode == ExitCode.INVALID_INPUT
    assert ('if the plugin that declared it was removed, set [extensions] undeclared = "keep"'
            in refused.stderr)

    (project / "threshold.toml").write_text('[extensions]\nundeclared = "keep"\n',
                                            encoding="utf-8")
    decision = evaluate_json(run_cli, "acme.toml", cwd=project)
    (event,) = [e for e in decision["trace"] if e["component"] == f"extensions.{NAME}"]
    assert (event["kind"], event["status"]) == ("loader", "skipped")
    assert "declared by no installed plugin" in event["message"]
    text = run_cli("evaluate", "acme.toml", cwd=project).stdout
    assert f"[extensions.{NAME}] is declared by no installed plugin" in text


def test_extension_data_is_in_the_receipt_hash_and_in_diff(run_cli, project: Path) -> None:
    write(project / "later.toml", cost=1.25, downloads=90)
    a = evaluate_json(run_cli, "acme.toml", cwd=project)
    b = evaluate_json(run_cli, "later.toml", cwd=project)
    assert a["receipt"]["input_sha256"] != b["receipt"]["input_sha256"]

    result = run_cli("diff", "acme.toml", "later.toml", "--format", "json", cwd=project)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    text = json.dumps(report)
    assert f"extensions.{NAME}.open_weight_downloads_m" in text
    shown = run_cli("diff", "acme.toml", "later.toml", cwd=project).stdout
    assert f"extensions.{NAME}.open_weight_downloads_m" in shown


def test_schema_profile_shows_each_installed_plugins_section(run_cli, project: Path) -> None:
    result = run_cli("schema", "profile", cwd=project)
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)
    sections = schema["properties"]["extensions"]
    assert sections["additionalProperties"] is False
    assert set(sections["properties"]) >= {NAME, "ai_safety_maturity"}
    ref = sections["properties"][NAME]["$ref"].split("/")[-1]
    fields = schema["$defs"][ref]["properties"]
    assert "cost_per_mtok_usd" in fields and "open_weight_downloads_m" in fields

    import jsonschema

    document = {"id": "acme", "name": "Acme AI",
                "extensions": {NAME: {"cost_per_mtok_usd": 1.0}}}
    jsonschema.validate(document, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**document, "extensions": {"nobody": {}}}, schema)


def test_csv_batch_columns_address_extension_fields(run_cli, project: Path) -> None:
    rows = ("id,name,valuation.amount,valuation.currency,valuation.basis,"
            f"extensions.{NAME}.cost_per_mtok_usd,extensions.{NAME}.open_weight_downloads_m\n"
            "a,A,6e9,CNY,market_cap,1.25,40\n"
            "b,B,6e9,CNY,market_cap,cheap,40\n")
    (project / "portfolio.csv").write_text(rows, encoding="utf-8")
    result = run_cli("batch", "portfolio.csv", "--output", "out.jsonl", cwd=project)
    assert result.returncode == ExitCode.INVALID_INPUT
    assert (f'portfolio.csv:3: $.extensions.{NAME}.cost_per_mtok_usd: expected a number, '
            'got "cheap"') in result.stderr
    (line,) = (project / "out.jsonl").read_text(encoding="utf-8").splitlines()
    decision = json.loads(line)
    (dim,) = [d for d in decision["dimensions"] if d["name"] == NAME]
    assert {m["metric"]: m["raw"] for m in dim["evidence"]} == {"cost": 1.25, "downloads": 40.0}

    (project / "bad.csv").write_text(f"id,name,extensions.{NAME}.colour\nc,C,red\n",
                                     encoding="utf-8")
    bad = run_cli("batch", "bad.csv", "--output", "bad.jsonl", cwd=project)
    assert f"bad.csv:2: $.extensions.{NAME}.colour: unknown column" in bad.stderr


def test_profiles_without_an_engine_reject_extensions(project: Path) -> None:
    from threshold_core import profile_from_data

    with pytest.raises(InputError) as err:
        profile_from_data({"id": "a", "name": "A", "extensions": {NAME: {}}}, "a.toml")
    assert "(sections declared: none)" in str(err.value)


SAFETY_PACK = """\
[pack]
name = "lp_safety"
version = "1.0.0"

[[rules]]
id = "LPS-001"
title = "No independent safety evaluation"
severity = "medium"
dimension = "regulatory_readiness"
when = "!profile.extensions.ai_safety_maturity.evaluations.exists(e, e.independent)"
message = '''None of {profile.name}'s \
{size(profile.extensions.ai_safety_maturity.evaluations)} safety evaluations was run \
independently'''
rationale = "Third-party evidence of model safety before a commitment."
source = "house policy (illustrative)"

[[tests]]
name = "vendor-run evaluations only"
expect = [{ rule = "LPS-001", severity = "medium" }]

[tests.profile]
id = "small"
name = "Small Model Co"

[[tests.profile.extensions.ai_safety_maturity.evaluations]]
suite = "XSTest"
independent = false

[[tests]]
name = "an independent evaluation"
expect = []

[tests.profile]
id = "small"
name = "Small Model Co"

[[tests.profile.extensions.ai_safety_maturity.evaluations]]
suite = "XSTest"
independent = true
"""

SAFETY_PROFILE = """\
id = "small"
name = "Small Model Co"

[valuation]
amount = 6.0e9
currency = "CNY"
basis = "market_cap"
source = "illustrative"

[[extensions.ai_safety_maturity.evaluations]]
suite = "XSTest"
independent = false
n_prompts = 450
"""


def test_a_declarative_condition_reads_an_extension(run_cli, tmp_path: Path) -> None:
    """Through the installed example plugin, which declares ``ai_safety_maturity``."""
    (tmp_path / "packs").mkdir()
    (tmp_path / "packs" / "lp_safety.toml").write_text(SAFETY_PACK, encoding="utf-8")
    (tmp_path / "small.toml").write_text(SAFETY_PROFILE, encoding="utf-8")
    decision = evaluate_json(run_cli, "small.toml", "--rules-dir", "packs", cwd=tmp_path)
    (finding,) = [f for f in decision["findings"] if f["rule"] == "LPS-001"]
    assert finding["message"] == (
        "None of Small Model Co's 1 safety evaluations was run independently")

    # Without the section the rule lacks data: not_evaluated, never a silent pass.
    bare = SAFETY_PROFILE.split("[[extensions")[0]
    (tmp_path / "bare.toml").write_text(bare, encoding="utf-8")
    decision = evaluate_json(run_cli, "bare.toml", "--rules-dir", "packs", cwd=tmp_path)
    (pack,) = [e for e in decision["trace"] if e["component"] == "lp_safety"]
    (outcome,) = pack["rules"]
    assert outcome["status"] == "not_evaluated"
    assert outcome["missing"] == ["extensions.ai_safety_maturity"]


def test_pack_tests_may_carry_extension_sections(run_cli, tmp_path: Path) -> None:
    (tmp_path / "lp_safety.toml").write_text(SAFETY_PACK, encoding="utf-8")
    result = run_cli("test", "lp_safety.toml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PASS: 2/2" in result.stdout

    broken = SAFETY_PACK.replace("independent = true", 'independent = "yes"')
    (tmp_path / "lp_safety.toml").write_text(broken, encoding="utf-8")
    result = run_cli("test", "lp_safety.toml", cwd=tmp_path)
    assert result.returncode == 2
    assert ("$.extensions.ai_safety_maturity.evaluations[0].independent: expected true or "
            "false") in result.stderr


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_NOT_A_NUMBER = st.one_of(
    st.text(max_size=20), st.booleans(), st.lists(st.integers(), max_size=3),
    st.dictionaries(st.sampled_from(["colour", "amount"]), st.integers(), min_size=1,
                    max_size=2),
)


@settings(max_examples=80, deadline=None)
@given(value=_NOT_A_NUMBER)
def test_any_wrong_value_in_a_section_is_one_line_with_its_path(value: Any) -> None:
    """The kind of fault: whatever a person writes where a plugin's section wants a number,
    the profile is refused with exactly one problem at that field's path."""
    from threshold_core.engine import load_module_file
    from threshold_core.testing import make_profile

    module = load_module_file(PLUGIN)

    with pytest.raises(InputError) as err:
        make_profile(extensions={NAME: {"cost_per_mtok_usd": value}}, declared_by=module)
    (problem,) = err.value.problems
    assert problem.path == f"$.extensions.{NAME}.cost_per_mtok_usd"
    assert problem.message.startswith("expected a number, got ")



@frozen
class Prices:
    per_mtok_usd: Figure | None = None


SHARED = Prices(per_mtok_usd=Figure(2.0))


@frozen
class Economics:
    source: str | None = None
    prices: Prices = SHARED


def test_a_section_default_shared_by_every_profile_takes_each_profile_s_source() -> None:
    # A bare figure takes its section's source; when it sits in an object the extension
    # class shares as a default, each profile gets its own copy and the default is kept.
    kinds = ExtensionTypes({"economics": Economics})
    base = {"id": "a", "name": "A", "as_of": "2026-06-30"}
    first, second = (
        profile_from_data({**base, "extensions": {"economics": {"source": s}}}, s, kinds)
        for s in ("list A", "list B"))
    assert first.extensions["economics"].prices.per_mtok_usd.source == "list A"
    assert second.extensions["economics"].prices.per_mtok_usd.source == "list B"
    assert SHARED.per_mtok_usd.source is None and Economics().prices is SHARED
