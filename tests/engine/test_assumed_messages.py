"""An assumed finding names what its own rule lacked, decision after decision.

The message of an assumed finding (a rule of severity medium or worse that could not be
evaluated) is kept per (the rule's message, what it lacked, its severity), since the same
rules lack the same fields company after company: each finding still says its own.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from threshold_core import Engine, build_config
from threshold_core.hooks import hookimpl
from threshold_core.kit import Pack, not_evaluated, rule
from threshold_core.load import profile_from_data

PROFILE = profile_from_data(
    {"id": "acme", "name": "Acme AI", "as_of": "2026-06-30",
     "valuation": {"amount": 5.0e9, "currency": "CNY", "basis": "market_cap",
                   "as_of": "2026-06-01", "source": "exchange close"}})


class _Unchecked:
    """A pack whose rules each lack what the profile says they lack (set per decision)."""

    def __init__(self) -> None:
        self.lacks: list[tuple[tuple[str, ...], str | None]] = []

    @hookimpl
    def threshold_register_rule_packs(self, register: Any) -> None:
        lacks = self.lacks

        def make(i: int, severity: str) -> Any:
            @rule(f"unchecked.{i}", title=f"rule {i}", severity=severity, dimension=None,
                  rationale="a test", source="house policy")
            def check(profile: Any, settings: Any, context: Any) -> Any:
                missing, message = lacks[i]
                return not_evaluated(*missing, message=message)
            return check

        register(Pack(name="unchecked", version="1",
                      rules=[make(0, "medium"), make(1, "high"), make(2, "medium")]))


PLUGIN = _Unchecked()
_base = Engine(build_config({}))
_base.pm.register_plugin(PLUGIN, "unchecked")
ENGINE = Engine(_base.config, _base.pm)

PATHS = st.sampled_from(["a.b", "c", "d.e", "f"])
MESSAGES = st.one_of(st.none(), st.sampled_from(["missing a.b", "dated after as_of", "x"]))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.lists(PATHS, max_size=2).map(tuple), MESSAGES),
                min_size=3, max_size=3))
def test_each_assumed_finding_names_what_its_rule_lacked(
        lacks: list[tuple[tuple[str, ...], str | None]]) -> None:
    PLUGIN.lacks[:] = lacks
    decision = ENGINE.evaluate(PROFILE)
    found = {f.rule: f for f in decision.findings if f.pack == "unchecked"}
    for i, (missing, message) in enumerate(lacks):
        severity = "high" if i == 1 else "medium"
        what = "missing " + (", ".join(missing) if missing else "its inputs")
        given_message = message or "missing " + ", ".join(missing)
        why = given_message if given_message and given_message != what else what
        f = found[f"unchecked.{i}"]
        assert f.message == (f"not evaluated ({why}): counted at its most severe, "
                             f"{severity}, until researched")
        assert f.evidence["missing"] == list(missing)
