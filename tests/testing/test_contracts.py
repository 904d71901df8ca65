"""Contract checks: every built-in honours them, and each check catches a broken component."""

from __future__ import annotations

import random
import tomllib
from typing import Any, ClassVar

import attrs
import pytest
from attrs import field, frozen

from threshold_core import DimensionScore, Metric, Reading, fired, not_evaluated, passed, rule
from threshold_core.kit import MetricScorer, Pack, merged_bands, merged_weights, score_metrics
from threshold_core.model import CompanyProfile
from threshold_core.testing import (
    EMPTY_PROFILE,
    RICH_PROFILE,
    ContractViolation,
    check_rule_pack,
    check_scorer,
    deep_merge,
    make_engine,
    make_profile,
    profile_variants,
    settings_round_trip,
    toml_dumps,
)

#: The built-ins only: no entry points, whatever is installed.
BUILTINS = make_engine(autoload=False)


@pytest.mark.parametrize("name", sorted(BUILTINS.scorers))
def test_every_builtin_scorer_honours_the_contract(name: str) -> None:
    check_scorer(BUILTINS.scorers[name].component, BUILTINS.settings.get(name))


@pytest.mark.parametrize("name", sorted(BUILTINS.packs))
def test_every_builtin_rule_pack_honours_the_contract(name: str) -> None:
    check_rule_pack(BUILTINS.packs[name].component, BUILTINS.settings.get(name))


def test_the_builtins_are_all_checked() -> None:
    assert len(BUILTINS.scorers) >= 4 and len(BUILTINS.packs) >= 3


# -- a scorer to break ------------------------------------------------------------------


def _ndr(profile: CompanyProfile, _: Any, settings: Any = None) -> Reading | None:
    fig = profile.customers.ndr_pct if profile.customers else None
    return Reading(fig.value, ("customers.ndr_pct",)) if fig else None


def _name_length(profile: CompanyProfile, _: Any, settings: Any = None) -> Reading | None:
    return Reading(float(len(profile.name)), ("name",)) if profile.customers else None


WEIGHTS = {"ndr": 1.0}
BANDS = {"ndr": [[85, 0], [140, 100]]}


@frozen
class Settings:
    weights: dict[str, float] = field(factory=dict, converter=merged_weights(WEIGHTS))
    bands: dict[str, list[list[float]]] = field(factory=dict, converter=merged_bands(BANDS))
    cap: float | None = 100.0


GOOD = MetricScorer("ndr_scorer", "stickiness", (Metric("ndr", _ndr, ("customers.ndr_pct",)),),
                    directions={"ndr": "higher"})


class Broken:
    """A scorer whose ``score`` misbehaves as told."""

    name = "broken"
    dimension = "stickiness"
    directions: ClassVar[dict[str, str]] = {}

    def __init__(self, how: str) -> None:
        self.how = how

    def score(self, profile: CompanyProfile, settings: Any, context: Any) -> Any:
        result = GOOD.score(profile, Settings(), context)
        if self.how == "random":
            return DimensionScore("stickiness", random.uniform(0, 100), 1.0)
        if self.how == "out_of_range" and result.score is not None:
            return DimensionScore("stickiness", result.score + 100.0, result.coverage)
        if self.how == "scores_nothing":
            return DimensionScore("stickiness", 50.0, 0.5)
        if self.how == "crashes_without_data" and profile.customers is None:
            raise KeyError("customers")
        if self.how == "wrong_type":
            return {"score": 50}
        return result


def violations(exc: pytest.ExceptionInfo[ContractViolation]) -> str:
    return "\n".join(exc.value.violations)


def test_a_good_scorer_passes() -> None:
    check_scorer(GOOD, Settings())


@pytest.mark.parametrize(("how", "expected"), [
    ("random", "deterministic: two calls on the empty profile returned different results"),
    ("out_of_range", "in range: returned score "),
    ("scores_nothing", "no data, no score: on the empty profile it returned score 50.0"),
    ("crashes_without_data", "no crash: raised KeyError: 'customers' on the empty profile"),
    ("wrong_type", "in range: returned dict, not DimensionScore"),
])
def test_each_scorer_check_catches_its_breakage(how: str, expected: str) -> None:
    with pytest.raises(ContractViolation) as exc:
        check_scorer(Broken(how))
    assert expected in violations(exc)
    assert str(exc.value).startswith("scorer 'broken' breaks ")


class PresentOnly:
    """A hand-written scorer that averages the metrics that had data: withholding the weak
    one (gross margin) raises its score."""

    name = "present_only"
    dimension = "stickiness"
    directions: ClassVar[dict[str, str]] = {}

    def score(self, profile: CompanyProfile, settings: Any, context: Any) -> Any:
        points = []
        if profile.customers is not None and profile.customers.ndr_pct is not None:
            points.append(min(100.0, max(0.0, profile.customers.ndr_pct.value - 40.0)))
        fin = profile.financials
        if fin is not None and fin.gross_margin_pct is not None:
            points.append(max(0.0, fin.gross_margin_pct.value))
        if not points:
            return DimensionScore("stickiness", None, 0.0)
        return DimensionScore("stickiness", sum(points) / len(points), len(points) / 2,
                              ("customers.ndr_pct", "financials.gross_margin_pct"))


def test_a_scorer_that_averages_only_the_data_present_is_caught() -> None:
    """Omission never helps: leaving out a weak figure must not raise the score."""
    from threshold_core.load import profile_from_data

    weak_margin = profile_from_data({
        "id": "w", "name": "W", "as_of": "2026-06-30",
        "customers": {"ndr_pct": 130.0, "source": "filing"},
        "financials": {"currency": "CNY", "gross_margin_pct": 10.0, "source": "filing"}}, "w")
    with pytest.raises(ContractViolation) as exc:
        check_scorer(PresentOnly(), profiles=[weak_margin])
    found = violations(exc)
    assert "omission never helps: leaving out financials.gross_margin_pct raised the score" \
        in found
    assert "count a metric without data at its least favourable points" in found


def test_a_score_raised_by_a_hair_is_shown_apart_from_where_it_was() -> None:
    """The two scores a violation names are never shown equal ("90 -> 90"): each with the
    digits that keep it apart from the other."""
    from threshold_core.load import profile_from_data

    near_90 = profile_from_data({
        "id": "w", "name": "W", "as_of": "2026-06-30",
        "customers": {"ndr_pct": 130.0, "source": "filing"},
        "financials": {"currency": "CNY", "gross_margin_pct": 89.99999, "source": "filing"}},
        "w")
    class OnlyThisOne(PresentOnly):
        """Scores only the profile given (the sample profiles get no score)."""

        def score(self, profile: CompanyProfile, settings: Any, context: Any) -> Any:
            if profile.id != "w":
                return DimensionScore("stickiness", None, 0.0)
            return super().score(profile, settings, context)

    with pytest.raises(ContractViolation) as exc:
        check_scorer(OnlyThisOne(), profiles=[near_90])
    assert ("leaving out financials.gross_margin_pct raised the score 89.99999 -> 90 ("
            in violations(exc))


def test_a_scorer_that_moves_the_wrong_way_is_caught_by_probing() -> None:
    # The band rises with NDR, but the scorer declares that less NDR is better. No
    # settings are passed, so only the probes (not the band check) can notice.
    class Backwards:
        name, dimension = "backwards", "stickiness"
        directions: ClassVar[dict[str, str]] = {"ndr": "lower"}
        metrics = GOOD.metrics

        def score(self, profile: CompanyProfile, settings: Any, context: Any) -> DimensionScore:
            return score_metrics("stickiness", GOOD.metrics, profile, context,
                                 weights=Settings().weights, bands=Settings().bands)

    with pytest.raises(ContractViolation) as exc:
        check_scorer(Backwards())
    (line,) = exc.value.violations
    assert line.startswith("monotone: 'ndr' declares 'lower' is better, but its raw value going")
    assert "customers.ndr_pct = " in line  # names the change that showed it


def test_a_band_against_the_declared_direction_is_caught() -> None:
    falling = MetricScorer("ndr_scorer", "stickiness", GOOD.metrics, directions={"ndr": "lower"})
    with pytest.raises(ContractViolation) as exc:
        check_scorer(falling, Settings())
    assert "monotone: the default band of 'ndr' ([0.0, 100.0]) is not falling" in violations(exc)


@frozen
class NameSettings:
    weights: dict[str, float] = field(factory=dict,
                                      converter=merged_weights({"name_length": 1.0}))
    bands: dict[str, list[list[float]]] = field(
        factory=dict, converter=merged_bands({"name_length": [[0, 0], [40, 100]]}))


NAMES = MetricScorer("names", "stickiness", (Metric("name_length", _name_length, ("name",)),),
                     directions={"name_length": "higher"})


def test_a_metric_no_variation_can_move_asks_for_a_probe() -> None:
    # Strings are never perturbed, so nothing moves the length of the name...
    with pytest.raises(ContractViolation) as exc:
        check_scorer(NAMES, NameSettings())
    assert exc.value.violations == (
        "monotone: no variation of the sample profiles moved the raw value of 'name_length' "
        "alone; declare a probe for it in `probes`",
    )

    # ...until the scorer declares a probe that does.
    class Probed:
        name, dimension = "names", "stickiness"
        directions: ClassVar[dict[str, str]] = {"name_length": "higher"}
        probes: ClassVar[dict[str, Any]] = {
            "name_length": lambda p: [attrs.evolve(p, name=p.name + " Group")]}

        def score(self, profile: CompanyProfile, settings: Any, context: Any) -> DimensionScore:
            return NAMES.score(profile, settings, context)

    check_scorer(Probed(), NameSettings())


def test_settings_that_do_not_survive_toml_are_caught() -> None:
    with pytest.raises(ContractViolation) as exc:
        check_scorer(GOOD, Settings(cap=None))  # TOML has no null: the default comes back
    assert "settings change through TOML: field(s) cap differ" in violations(exc)


def test_every_violation_is_listed_at_once() -> None:
    class Everything(Broken):
        name = ""
        directions: ClassVar[dict[str, str]] = {"ndr": "sideways"}

    with pytest.raises(ContractViolation) as exc:
        check_scorer(Everything("random"), Settings(cap=None))
    text = violations(exc)
    for expected in ("metadata: a scorer needs a non-empty name", "deterministic:",
                     "directions['ndr'] is 'sideways'", "settings change through TOML"):
        assert expected in text


# -- a rule pack to break ---------------------------------------------------------------


def _rule(rid: str = "TST-001", **meta: Any) -> Any:
    details = {"title": "Has customers", "severity": "medium", "dimension": "stickiness",
               "rationale": "a test", "source": "tests", **meta}

    def check(profile: CompanyProfile, settings: Any, context: Any) -> Any:
        if profile.customers is None:
            return not_evaluated("customers")
        return passed() if profile.customers.ndr_pct else fired("no NDR")

    return rule(rid, **details)(check)


def _pack(*rules: Any) -> Pack:
    return Pack(name="tst", version="1.0", rules=rules)


def test_a_good_rule_pack_passes() -> None:
    check_rule_pack(_pack(_rule(), _rule("TST-002")))


def test_incomplete_rule_metadata_is_caught() -> None:
    pack = _pack(_rule("tst-1"), _rule("TST-002", title=""), _rule("TST-002"),
                 _rule("TST-003", dimension="", source=" "),
                 _rule("TST-004", dimension=None))  # None: affects no dimension, which is fine
    with pytest.raises(ContractViolation) as exc:
        check_rule_pack(pack)
    assert exc.value.violations == (
        "metadata: rule 'tst-1': id must match ^[A-Z]+-\\d{3}$",
        "metadata: rule 'TST-002': title must be a non-empty string",
        "metadata: rule 'TST-002': id used twice (rules #1 and #2)",
        "metadata: rule 'TST-003': dimension must be a non-empty string",
        "metadata: rule 'TST-003': source must be a non-empty string",
    )


def _misbehaving(how: str) -> Any:
    @rule("TST-009", title="Misbehaves", severity="medium", dimension="stickiness",
          rationale="a test", source="tests")
    def check(profile: CompanyProfile, settings: Any, context: Any) -> Any:
        if how == "crash":
            return profile.customers.ndr_pct  # AttributeError on the empty profile
        if how == "too_severe":
            return fired("worse than declared", severity="critical")
        if how == "silent_gap":
            return not_evaluated()
        if how == "random":
            return fired("coin") if random.random() < 0.5 else passed()
        return "fired"

    return check


@pytest.mark.parametrize(("how", "expected"), [
    ("crash", "no crash: rule 'TST-009' raised AttributeError"),
    ("too_severe", "valid outcome: rule 'TST-009' fired at critical, above its declared "
                   "severity medium"),
    ("silent_gap", "valid outcome: rule 'TST-009' returned not_evaluated without naming"),
    ("random", "rule 'TST-009'"),
    ("wrong_type", "valid outcome: rule 'TST-009' returned str, not RuleOutcome"),
])
def test_each_rule_pack_check_catches_its_breakage(how: str, expected: str) -> None:
    random.seed(7)
    with pytest.raises(ContractViolation) as exc:
        check_rule_pack(_pack(_rule(), _misbehaving(how)))
    assert expected in violations(exc)
    assert str(exc.value).startswith("rule pack 'tst' breaks ")


def test_a_pack_needs_a_name_a_version_and_rules() -> None:
    with pytest.raises(ContractViolation) as exc:
        check_rule_pack(Pack(name="", version="", rules=()))
    assert len(exc.value.violations) == 3


def test_pack_settings_must_survive_toml() -> None:
    with pytest.raises(ContractViolation) as exc:
        check_rule_pack(_pack(_rule()), Settings(cap=None))
    assert "settings change through TOML" in violations(exc)


# -- the building blocks ----------------------------------------------------------------


def test_settings_round_trip_writes_a_settings_section() -> None:
    text, back = settings_round_trip(Settings(bands={"ndr": [[80, 0], [150, 100]]}), "ndr_scorer")
    assert text.startswith("[settings.ndr_scorer]\ncap = 100.0\n")
    assert "ndr = [[80.0, 0.0], [150.0, 100.0]]" in text
    assert back == Settings(bands={"ndr": [[80, 0], [150, 100]]})


def test_toml_writer_output_reads_back() -> None:
    import datetime as dt

    data = {"a": 1, "b": 2.5, "c": 'say "hi"\n', "d": [1, 2], "e": {"f": True, "g": {"h": []}},
            "i": [{"j": 1}], "k k": dt.date(2026, 6, 30), "none": None}
    expected = {k: v for k, v in data.items() if k != "none"}
    assert tomllib.loads(toml_dumps(data)) == expected


def test_profile_variants_change_one_thing_and_stay_valid() -> None:
    rich = make_profile(RICH_PROFILE)
    variants = dict(profile_variants(rich, ["customers.ndr_pct", "investors.lockup_months"]))
    assert ".customers.ndr_pct = 123.2" in variants
    assert variants[".customers.ndr_pct = 123.2"].customers.ndr_pct.value == pytest.approx(123.2)
    assert ".investors[1].lockup_months = 13.2" in variants
    assert all(v != rich for v in variants.values())
    shares = dict(profile_variants(rich, ["financials.overseas_revenue_pct"]))
    assert all(0 <= p.financials.overseas_revenue_pct.value <= 100 for p in shares.values())


def test_deep_merge_merges_tables_and_replaces_the_rest() -> None:
    base = {"a": {"b": 1, "c": 2}, "d": [1], "e": 1}
    assert deep_merge(base, {"a": {"c": 3}, "d": [2], "e": None}) == {"a": {"b": 1, "c": 3},
                                                                      "d": [2]}
    assert EMPTY_PROFILE == {"id": "empty", "name": "Empty profile"}



def _name_words(profile: CompanyProfile, _: Any, settings: Any = None) -> Reading | None:
    """A raw value no generic perturbation moves (names are strings, never varied)."""
    if profile.valuation is None:  # counted only for companies with a valuation
        return None
    return Reading(float(len(profile.name.split())), ("name",))


NAME_BANDS = {"words": [[1, 0], [5, 100]]}


@frozen
class WordSettings:
    weights: dict[str, float] = field(factory=dict, converter=merged_weights({"words": 1.0}))
    bands: dict[str, list[list[float]]] = field(factory=dict,
                                                converter=merged_bands(NAME_BANDS))


def test_a_metric_scorer_takes_probes_when_perturbing_cannot_move_a_metric() -> None:
    """The plugin author's report: the contract asked for ``probes`` a MetricScorer could
    not take. It takes them now (and rarely needs them: every path a metric reads is
    perturbed, plugins' extension sections included)."""
    metrics = (Metric("words", _name_words, ("name",)),)
    plain = MetricScorer("words", "naming", metrics, directions={"words": "higher"})
    with pytest.raises(ContractViolation) as err:
        check_scorer(plain, WordSettings())
    assert "declare a probe for it in `probes`" in violations(err)

    def longer_names(profile: CompanyProfile) -> list[CompanyProfile]:
        return [attrs.evolve(profile, name=profile.name + " Holdings Group")]

    probed = MetricScorer("words", "naming", metrics, directions={"words": "higher"},
                          probes={"words": longer_names})
    check_scorer(probed, WordSettings())
