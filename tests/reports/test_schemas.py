"""The shipped JSON Schemas accept what the product reads and writes, and reject the rest.

Validated with ``jsonschema`` (a test dependency): a schema that drifted from
the loaders or the JSON writer fails here.
"""

from __future__ import annotations

import json
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from helpers import EXAMPLES

from threshold_core import Engine, decision_to_dict
from threshold_core.engine import declared_settings_types
from threshold_core.reports import schema

COMPANIES = sorted((EXAMPLES / "companies").glob("*.toml"))


def _jsonable(value: Any) -> Any:
    """A TOML document as JSON would carry it (dates as ISO strings)."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def _validator(name: str, **kw: Any) -> jsonschema.Draft202012Validator:
    doc = schema(name, **kw)
    jsonschema.Draft202012Validator.check_schema(doc)
    return jsonschema.Draft202012Validator(doc, format_checker=jsonschema.FormatChecker())


@pytest.mark.parametrize("path", COMPANIES, ids=lambda p: p.stem)
def test_every_example_profile_matches_the_profile_schema(path: Path) -> None:
    data = _jsonable(tomllib.loads(path.read_text(encoding="utf-8")))
    errors = sorted(e.message for e in _validator("profile").iter_errors(data))
    assert errors == []


def test_the_profile_schema_rejects_what_the_loader_rejects() -> None:
    validator = _validator("profile")
    assert not validator.is_valid({"id": "x"})  # name missing
    assert not validator.is_valid({"id": "x", "name": "X", "colour": "red"})  # unknown key
    assert not validator.is_valid(
        {"id": "x", "name": "X", "valuation": {"amount": "a lot", "currency": "USD",
                                               "basis": "market_cap"}})
    assert not validator.is_valid(
        {"id": "x", "name": "X", "valuation": {"amount": 1, "currency": "USD",
                                               "basis": "guess"}})


def test_every_example_decision_matches_the_decision_schema() -> None:
    engine = Engine()
    validator = _validator("decision")
    for path in COMPANIES:
        data = json.loads(json.dumps(decision_to_dict(engine.evaluate_path(path))))
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]
        assert errors == [], path.stem


def test_the_example_configuration_matches_the_config_schema() -> None:
    engine = Engine()
    types = {k: v[0] for k, v in declared_settings_types(engine.pm).items()}
    data = _jsonable(tomllib.loads((EXAMPLES / "threshold.toml").read_text(encoding="utf-8")))
    validator = _validator("config", settings_types=types)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]
    assert errors == []
    assert not validator.is_valid({"settings": {"nobody": {}}})
