"""What every built-in rule pack promises: registration through the engine,
complete metadata, documented rules, and documented settings."""

from __future__ import annotations

import re
from pathlib import Path

import attrs
import pytest

from threshold_core.engine import Engine
from threshold_core.load import build_config, read_toml
from threshold_core.model import Severity
from threshold_rules import chip_supply, ethics, filings, investment_restrictions

MODULES = {"filings": filings, "chip_supply": chip_supply, "ethics": ethics,
           "investment_restrictions": investment_restrictions}
DIMENSIONS = {
    "filings": "regulatory_readiness",
    "chip_supply": "technical_defensibility",
    "ethics": "regulatory_readiness",
    "investment_restrictions": "institutional_backing",
}
PREFIX = {"filings": "FIL", "chip_supply": "CHIP", "ethics": "ETH",
          "investment_restrictions": "INV"}
EXAMPLE = Path(__file__).parents[2] / "examples" / "threshold.toml"


def test_the_engine_registers_the_three_packs(default_engine):
    for name, module in MODULES.items():
        reg = default_engine.packs[name]
        assert reg.component is module.PACK
        assert reg.plugin == f"threshold_rules.{name}"
        # 1.0.1: the sources name the house-policy ages and tiers (no rule changed); 1.1.0:
        # a flag left out is unknown, never presumed false (filings, chip_supply, ethics).
        # (investment_restrictions: INV-001's biological-sequence flag.) 1.2.0: a filing's or
        # approval's status and a safety result's independence left out are unknown too, and
        # a service's kind left out may be an algorithm service (filings, ethics). A list of
        # names left out is unknown, never "none" (ethics 1.3.0: ETH-010's prohibited uses,
        # and ETH-002 never milder for an independent result; chip_supply 1.2.0: CHIP-001's
        # listed affiliates; investment_restrictions 1.2.0: INV-001 and INV-002's end uses).
        # chip_supply 1.3.0: shares compared with their bars unrounded (19.996% of compute is
        # below a 20% bar), exactly as written within a hair of one.
        assert reg.component.version == {"filings": "1.2.0", "ethics": "1.3.0",
                                         "chip_supply": "1.3.0",
                                         "investment_restrictions": "1.2.0"}[name]
        assert reg.component.description
        assert attrs.has(type(default_engine.settings[name]))


@pytest.mark.parametrize("name", MODULES)
def test_every_rule_has_complete_metadata(name):
    pack = MODULES[name].PACK
    ids = [r.meta.id for r in pack.rules]
    assert len(ids) == len(set(ids))
    for r in pack.rules:
        meta = r.meta
        assert re.fullmatch(rf"{PREFIX[name]}-\d{{3}}", meta.id)
        assert isinstance(meta.severity, Severity)
        assert meta.dimension == DIMENSIONS[name]
        assert meta.title and meta.rationale
        assert "http" in meta.source or "research" in meta.source, meta.id


@pytest.mark.parametrize("name", MODULES)
def test_the_module_docstring_lists_every_rule_with_its_maximum_severity(name):
    module = MODULES[name]
    doc = module.__doc__ or ""
    for r in module.PACK.rules:
        entry = re.search(rf"^{r.meta.id}\s+(.+?):", doc, re.M)
        assert entry, f"{r.meta.id} is not listed in the docstring of {module.__name__}"
        assert str(r.meta.severity) in entry.group(1), r.meta.id


def test_the_example_settings_file_spells_out_every_default():
    data = read_toml(EXAMPLE)
    engine = Engine(build_config(data, source=str(EXAMPLE)))
    for name in MODULES:
        settings = engine.settings[name]
        assert settings == type(settings)(), name
        documented = set(data["settings"][name])
        declared = {a.name for a in attrs.fields(type(settings))
                    if "replaced_by" not in a.metadata}
        assert documented == declared, name


def test_every_pack_setting_in_the_example_has_a_comment():
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    start = lines.index("[settings.filings]")
    table = ""
    for i, line in enumerate(lines[start:], start):
        if line.startswith("["):
            table = line
        # A suite's bars table documents itself: each carries its own ``source``.
        if re.match(r"^\w+ = ", line) and ".refusal_suites." not in table:
            assert lines[i - 1].startswith("#"), line


def test_the_readme_counts_the_rules_and_names_every_house_policy_rule():
    import subprocess
    import sys

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    listing = subprocess.run([sys.executable, "-m", "threshold_core", "rules", "--format",
                              "json"], capture_output=True, text=True, check=True)
    import json

    rules = json.loads(listing.stdout)
    assert f"Of the\n{len(rules)} built-in rules" in readme
    house = [r["id"] for r in rules if "house policy" in r["source"].casefold()]
    assert f"{len(house)} carry a part\nthat is `house policy`" in readme
    for rule_id in house:
        assert rule_id in readme.split("**Sources.**", 1)[1].split("\n\n", 1)[0], rule_id
