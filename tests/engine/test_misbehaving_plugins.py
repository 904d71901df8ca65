"""The misbehaving-plugin matrix: every fault, in every place a plugin runs, fails closed.

Each cell writes a real drop-in plugin file, names its folder with ``--plugins-dir``
and runs ``threshold evaluate`` in-process. A fault while the plugins load (at import,
at registration) is one line on stderr naming the plugin, exit 3; a fault while a
company is evaluated (scorer, rule, policy, observer) is an ``error`` event for that
plugin and a decision that fails closed (verdict ``error``), exit 3. A
``KeyboardInterrupt`` stops the run with exit 130, whoever raised it. Nothing exits 0,
nothing exits 4, and no traceback is printed.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import ClassVar

import pytest
from click.testing import CliRunner
from helpers import BUILTIN_DIMENSIONS, OPTIONAL_BUILTINS

from threshold_core.cli import cli

FAULTS = ("raise", "system_exit", "keyboard_interrupt", "sleep", "wrong_types", "nan", "huge")
PLACES = ("import", "registration", "scorer", "rule", "policy", "observer")

#: The statement each fault becomes; the ``return`` forms replace what the hook returns.
COMMON = {
    "raise": "raise RuntimeError('boom')",
    "system_exit": "raise SystemExit(0)",
    "keyboard_interrupt": "raise KeyboardInterrupt",
    "sleep": "time.sleep(4)",
}
SPECIFIC = {
    "import": {
        # A hook whose argument is not in the spec.
        "wrong_types": "@hookimpl\ndef threshold_load_profile(pth):\n    return None",
        "nan": "__version__ = float('nan')",
        "huge": "__version__ = '9' * 1_000_000",
    },
    "registration": {
        "wrong_types": "register(Pack(name='p2', version='1', rules=['not a rule'])); return",
        "nan": "register(Pack(name=float('nan'), version='1', rules=[])); return",
        "huge": "register(Pack(name='p' * 1_000_000, version='1', rules=[])); return",
    },
    "scorer": {
        "wrong_types": "return DimensionScore('extra', 90.0, 1.0, inputs=5)",
        "nan": "return DimensionScore('extra', math.nan, 1.0)",
        "huge": "return DimensionScore('extra', 1e308, 1.0)",
    },
    "rule": {
        "wrong_types": "return RuleOutcome(status='fired', message='x')",
        "nan": "return passed({'x': math.nan})",
        "huge": "return passed({'x': 10 ** 5000})",
    },
    "policy": {
        "wrong_types": "return {'verdict': 'qualified'}",
        "nan": "return PolicyResult(verdict=Verdict.QUALIFIED, grade='Q1', score=math.nan, "
               "dimensions=(), findings=(), determining=())",
        "huge": "return PolicyResult(verdict=Verdict.QUALIFIED, grade='Q1', score=1e308, "
                "dimensions=(), findings=(), determining=())",
    },
    "observer": {
        "wrong_types": "return 'recorded'",
        "nan": "return math.nan",
        "huge": "return [0] * 1_000_000",
    },
}

TEMPLATE = '''\
import math
import time

from threshold_core import DimensionScore, Pack, hookimpl, passed, rule
from threshold_core.model import PolicyResult, RuleOutcome, Verdict

{import_}


class Scorer:
    name = "extra_scorer"
    dimension = "extra"

    def score(self, profile, settings, context):
        {scorer}
        return DimensionScore("extra", 90.0, 1.0, inputs=("valuation",))


@rule("BAD-001", title="t", severity="high", dimension=None, rationale="t", source="t")
def check(profile, settings, context):
    {rule}
    return passed()


@hookimpl
def threshold_register_scorers(register):
    register(Scorer())


@hookimpl
def threshold_register_rule_packs(register):
    {registration}
    register(Pack(name="badpack", version="1", rules=[check]))


@hookimpl
def threshold_decide(assessment, config):
    {policy}
    return None


@hookimpl
def threshold_evaluation_finished(decision):
    {observer}
    return None
'''


def fault_code(place: str, fault: str) -> str:
    return SPECIFIC[place].get(fault) or COMMON[fault]


def write_case(tmp_path: Path, place: str, fault: str) -> Path:
    slots = {p: "pass" for p in PLACES}
    slots[place] = fault_code(place, fault)
    slots["import_"] = slots.pop("import")
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "bad.py").write_text(TEMPLATE.format(**slots), encoding="utf-8")
    dims = "\n".join(f"[dimensions.{d}]\nweight = 0\n" for d in BUILTIN_DIMENSIONS)
    (tmp_path / "threshold.toml").write_text(
        textwrap.dedent(f"""\
            plugin_dirs = ["plugins"]

            [plugins]
            autoload = false
            disable = {json.dumps(list(OPTIONAL_BUILTINS))}

            [limits]
            component_seconds = 0.5
            decision_seconds = 5

            [dimensions.extra]
            weight = 1
            """) + dims,
        encoding="utf-8",
    )
    (tmp_path / "acme.toml").write_text(
        'id = "acme"\nname = "Acme AI"\nas_of = 2026-06-30\n'
        '[valuation]\namount = 5.0e9\ncurrency = "CNY"\nbasis = "market_cap"\nas_of = 2026-06-01\n'
        'source = "company statement"\n',
        encoding="utf-8",
    )
    return tmp_path


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("fault", FAULTS)
def test_every_fault_in_every_place_fails_closed(tmp_path: Path, place: str, fault: str) -> None:
    folder = write_case(tmp_path, place, fault)
    result = CliRunner().invoke(
        cli,
        ["evaluate", str(folder / "acme.toml"), "--config", str(folder / "threshold.toml"),
         "--format", "json"],
    )
    err = result.stderr
    assert "Traceback" not in err and "internal error" not in err, err
    if fault == "keyboard_interrupt":
        assert result.exit_code == 130, (result.exit_code, err)
        assert "interrupted" in err
        assert "qualified" not in result.stdout
        return
    assert result.exit_code == 3, (result.exit_code, result.stdout, err)
    assert "'bad'" in err or "plugin bad " in err, err
    if place in ("import", "registration"):
        assert result.stdout == ""
        assert len(err.strip().splitlines()) == 1, err
        assert len(err) < 600, err
        return
    decision = json.loads(result.stdout)
    assert decision["verdict"] == "error" and decision["risk"] == "unknown"
    failed = [e for e in decision["trace"] if e["status"] == "error"]
    assert failed and all(e["plugin"] == "bad" for e in failed), failed
    assert any(f["kind"] == "error" for f in decision["determining"])


def test_the_matrix_without_a_fault_qualifies(tmp_path: Path) -> None:
    """The control cell: the same plugin, behaving, gives a clean qualified decision."""
    folder = write_case(tmp_path, "scorer", "raise")
    plugin = folder / "plugins" / "bad.py"
    plugin.write_text(plugin.read_text().replace("raise RuntimeError('boom')", "pass"))
    result = CliRunner().invoke(
        cli, ["evaluate", str(folder / "acme.toml"), "--config", str(folder / "threshold.toml"),
              "--format", "json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["verdict"] == "qualified"


def test_a_sleeping_scorer_is_stopped_by_its_budget_in_a_real_process(
    tmp_path: Path, run_cli: object
) -> None:
    import time

    folder = write_case(tmp_path, "scorer", "sleep")
    start = time.monotonic()
    proc = run_cli("evaluate", "acme.toml", "--format", "json", cwd=folder)  # type: ignore[operator]
    elapsed = time.monotonic() - start
    assert proc.returncode == 3, proc.stderr
    assert elapsed < 3.5, elapsed  # the budget (0.5 s), not the plugin's 4 s sleep
    decision = json.loads(proc.stdout)
    assert decision["verdict"] == "error"
    (event,) = [e for e in decision["trace"] if e["status"] == "error"]
    assert event["plugin"] == "bad" and "0.5 s" in event["message"]
    assert "time budget" in proc.stderr


def test_keyboard_interrupt_from_a_plugin_exits_130_in_a_real_process(
    tmp_path: Path, run_cli: object
) -> None:
    folder = write_case(tmp_path, "rule", "keyboard_interrupt")
    proc = run_cli("evaluate", "acme.toml", cwd=folder)  # type: ignore[operator]
    assert proc.returncode == 130
    assert proc.stderr.strip().splitlines() == [
        "threshold: interrupted (while plugin bad ran badpack/BAD-001)"]


def test_outside_the_main_thread_a_sleeping_component_is_abandoned_and_fails_closed() -> None:
    """Where no SIGALRM timer can be used (any thread but the main one), the evaluation
    runs in a worker thread that is abandoned when a budget runs out; the next
    evaluation gets a fresh worker and works normally."""
    import threading
    import time

    from helpers import bare_engine

    from threshold_core import DimensionScore, hookimpl, profile_from_data

    class Sleepy:
        name, dimension = "sleepy", "quality"
        naps: ClassVar[list[float]] = [2.0]

        def score(self, profile: object, settings: object, context: object) -> DimensionScore:
            if self.naps:
                time.sleep(self.naps.pop())
            return DimensionScore("quality", 90.0, 1.0)

    class Plugin:
        @hookimpl
        def threshold_register_scorers(self, register: object) -> None:
            register(Sleepy())  # type: ignore[operator]

    engine = bare_engine(("sleepy", Plugin()), limits={"component_seconds": 0.2})
    profile = profile_from_data({"id": "acme", "name": "Acme", "as_of": "2026-06-30", "valuation": {
        "amount": 5e9, "currency": "CNY", "basis": "market_cap", "as_of": "2026-06-01",
        "source": "company statement"}})
    out: list[object] = []
    thread = threading.Thread(target=lambda: out.extend(
        [engine.evaluate(profile), time.monotonic(), engine.evaluate(profile)]))
    start = time.monotonic()
    thread.start()
    thread.join(10)
    first, finished, second = out
    assert finished - start < 1.5  # the budget, not the 2 s nap
    assert first.verdict == "error"  # type: ignore[attr-defined]
    (event,) = [e for e in first.trace if e.status == "error"]  # type: ignore[attr-defined]
    assert event.plugin == "sleepy" and "0.2 s" in event.message
    assert second.verdict == "qualified"  # type: ignore[attr-defined]
