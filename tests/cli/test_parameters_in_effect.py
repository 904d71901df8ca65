"""``threshold rules --parameters`` under a configuration that turns rules or scorers off:
a threshold that cannot change any decision is still listed (a reviewer sees every one),
marked as not in effect with the reason, in text and JSON alike; the others are unchanged.
"""

from __future__ import annotations

import collections.abc
import functools
import json
import textwrap
from pathlib import Path
from typing import Any

import attrs
from helpers import EXAMPLES
from hypothesis import given, settings
from hypothesis import strategies as st

from threshold_core import Context, Engine, build_config, load_profile
from threshold_core.load import profile_from_data
from threshold_core.portfolio import synthetic_portfolio
from threshold_core.reports import describe_parameters

RULEPACKS = EXAMPLES / "rulepacks"


def _config(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "settings" / "off.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def _json(run_cli: Any, *args: str) -> list[dict[str, Any]]:
    result = run_cli("rules", "--parameters", "--format", "json", "--no-plugin-autoload", *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _key(row: dict[str, Any]) -> tuple[str, str, str]:
    return (row.get("scorer") or row.get("pack") or row["section"], row["parameter"],
            row["value"])


def test_a_pack_whose_every_rule_is_disabled(run_cli: Any, tmp_path: Path) -> None:
    config = _config(tmp_path, '[rules]\ndisable = ["VAL-001", "VAL-002", "VAL-003"]\n')
    default = _json(run_cli)
    listing = _json(run_cli, "--config", str(config))
    # Nothing left out, nothing else changed.
    assert [_key(r) for r in listing] == [_key(r) for r in default]
    off = {r["parameter"]: r["not_in_effect"] for r in listing if "not_in_effect" in r}
    assert off == {"max_age_months": "every rule of pack 'valuation' is disabled "
                                      "([rules] disable)"}
    assert all("not_in_effect" not in r for r in default)

    result = run_cli("rules", "--parameters", "--no-plugin-autoload", "--config", str(config))
    assert result.returncode == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if line.startswith("valuation "))
    assert "house policy (not in effect)" in row
    assert result.stdout.endswith(
        "1 of them not in effect under this configuration (they cannot change a decision):\n"
        "  1: every rule of pack 'valuation' is disabled ([rules] disable)\n")


def test_the_rules_a_threshold_names(run_cli: Any, tmp_path: Path) -> None:
    """A threshold whose description names its rules (``FIL-001, FIL-002, FIL-011: ...``) is
    not in effect once every one of them is disabled, and only then."""
    def off(*disabled: str) -> dict[str, str]:
        config = _config(tmp_path, f"[rules]\ndisable = {json.dumps(list(disabled))}\n")
        return {r["parameter"]: r["not_in_effect"]
                for r in _json(run_cli, "--pack", "filings", "--config", str(config))
                if "not_in_effect" in r}

    assert off("FIL-003") == {"change_deadline_working_days":
                              "rule FIL-003 of pack 'filings' is disabled ([rules] disable)"}
    assert "registry_max_age_days" not in off("FIL-001", "FIL-002")
    assert off("FIL-001", "FIL-002", "FIL-011")["registry_max_age_days"] == (
        "rules FIL-001, FIL-002 and FIL-011 of pack 'filings' are disabled ([rules] disable)")


def test_a_scorer_that_is_not_used(run_cli: Any, tmp_path: Path) -> None:
    config = _config(tmp_path, "[dimensions.technical_defensibility]\nweight = 0\n")
    listing = _json(run_cli, "--config", str(config))
    scorer = [r for r in listing if r.get("scorer") == "technical_defensibility"]
    assert len(scorer) > 10
    assert {r.get("not_in_effect") for r in scorer} == {
        "scorer 'technical_defensibility' is not used: dimension 'technical_defensibility' "
        "has weight 0"}
    assert all("not_in_effect" not in r for r in listing if r.get("scorer") not in (
        None, "technical_defensibility"))


def test_a_drop_in_packs_threshold(run_cli: Any, tmp_path: Path) -> None:
    config = _config(tmp_path, '[rules]\ndisable = ["ACME-101"]\n')
    listing = _json(run_cli, "--rules-dir", str(RULEPACKS), "--pack", "acme_exposure",
                    "--config", str(config))
    assert [(r["parameter"], r.get("not_in_effect")) for r in listing] == [
        ("max_top5_share_pct", "rule ACME-101 of pack 'acme_exposure' is disabled "
                               "([rules] disable)")]


# -- the property: whatever is disabled, a row marked not in effect is read by no rule that runs


def _wrap(value: Any, seen: set[str], path: str) -> Any:
    if attrs.has(type(value)):
        return _Reading(value, seen, path + ".")
    if isinstance(value, collections.abc.Mapping):
        return _ReadingTable(value, seen, path + ".")
    seen.add(path)
    return value


class _Reading:
    """A settings object that records the dotted path of every value a rule reads."""

    def __init__(self, obj: Any, seen: set[str], prefix: str) -> None:
        self._obj, self._seen, self._prefix = obj, seen, prefix

    def __getattr__(self, name: str) -> Any:
        return _wrap(getattr(self._obj, name), self._seen, self._prefix + name)


class _ReadingTable(collections.abc.Mapping[str, Any]):
    def __init__(self, obj: Any, seen: set[str], prefix: str) -> None:
        self._obj, self._seen, self._prefix = obj, seen, prefix

    def __getitem__(self, key: str) -> Any:
        return _wrap(self._obj[key], self._seen, self._prefix + str(key))

    def __iter__(self) -> Any:
        return iter(self._obj)

    def __len__(self) -> int:
        return len(self._obj)


@functools.cache
def _reads() -> dict[str, set[str]]:
    """``pack.parameter`` paths each built-in rule reads, over the examples and 40
    synthetic profiles."""
    engine = Engine(build_config({"plugins": {"autoload": False}}))
    profiles = [load_profile(p) for p in sorted((EXAMPLES / "companies").glob("*.toml"))]
    profiles += [profile_from_data(d, "synthetic") for d in synthetic_portfolio(40, seed=11)]
    out: dict[str, set[str]] = {}
    for name, reg in engine.packs.items():
        settings_ = engine.settings.get(name)
        for rule in reg.component.rules:
            seen: set[str] = set()
            for profile in profiles:
                context = Context(fx=engine.fx, as_of=profile.as_of or engine.fx.as_of)
                rule.evaluate(profile, _Reading(settings_, seen, "") if settings_ is not None
                              else None, context)
            out[rule.meta.id] = {f"{name}.{p}" for p in seen}
    return out


@functools.cache
def _rule_ids() -> tuple[str, ...]:
    return tuple(sorted(_reads()))


@settings(max_examples=12)
@given(st.data())
def test_a_threshold_not_in_effect_is_read_by_no_rule_that_runs(data: st.DataObject) -> None:
    disabled = data.draw(st.sets(st.sampled_from(_rule_ids())), label="disabled")
    engine = Engine(build_config({"plugins": {"autoload": False},
                                  "rules": {"disable": sorted(disabled)}}))
    rows = [r for r in describe_parameters(engine) if r["kind"] == "rule_pack"]
    read_by = {rid: paths for rid, paths in _reads().items() if rid not in disabled}
    for row in rows:
        path = f"{row['pack']}.{row['parameter']}"
        if "not_in_effect" in row:
            readers = [rid for rid, paths in read_by.items()
                       if any(p == path or p.startswith(path + ".") for p in paths)]
            assert readers == [], (path, row["not_in_effect"])
    packs = {row["pack"] for row in rows}
    for pack in packs:
        ids = {rule.meta.id for rule in engine.packs[pack].component.rules}
        if ids <= disabled:
            assert all("not_in_effect" in r for r in rows if r["pack"] == pack), pack
