"""Property tests, one per kind of hostile input (the corpus holds the named cases)."""

from __future__ import annotations

import functools
import json
import math
import os
from pathlib import Path
from typing import Any

import corpus
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from threshold_core import (
    Engine,
    InputError,
    build_config,
    decision_to_dict,
    load_profile,
    profile_from_data,
)

PROPERTY = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SLOW = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

ENGINE = Engine()


# -- 13.3: one name normaliser for every matched name ------------------------------------------


_VARIANTS = {
    "upper": str.upper,
    "lower": str.lower,
    "fullwidth": corpus.fullwidth,
    "fullwidth-lower": lambda t: corpus.fullwidth(t.lower()),
    "padded": lambda t: f"  {t}\t",
}


@PROPERTY
@given(
    vendor=st.text(st.characters(min_codepoint=0x41, max_codepoint=0x5A), min_size=2, max_size=12),
    variant=st.sampled_from(sorted(_VARIANTS)),
    share=st.integers(1, 99),
)
@example(vendor="NVIDIA", variant="fullwidth", share=45)
def test_vendor_names_that_differ_only_in_width_or_case_are_one_vendor(
    vendor: str, variant: str, share: int
) -> None:
    """However the second spelling is written, 90% from one vendor fires CHIP-007."""
    accels = [
        (vendor, share * 0.9, "X1"),
        (_VARIANTS[variant](vendor), (100 - share) * 0.9, "X2"),
        ("Other", 10.0, "X3"),
    ]
    doc = corpus.base(compute=corpus._accels(*accels))
    decision = ENGINE.evaluate(profile_from_data(doc))
    assert "CHIP-007" in [f.rule for f in decision.findings]


# -- 13.4: every derived amount finite; no NaN or Infinity in any output -----------------------

_amounts = st.one_of(
    st.floats(min_value=1e-3, max_value=1.7e308),
    st.integers(1, 10**30),
    st.sampled_from([1e308, 1.7976931348623157e308, 1e15, 1e16, 4e9]),
)
_rates = st.one_of(st.floats(min_value=1e-6, max_value=1e12), st.sampled_from([7.17, 1e10]))


@PROPERTY
@given(amount=_amounts, rate=_rates, where=st.sampled_from(["valuation", "investor", "revenue"]))
def test_an_amount_either_is_an_error_naming_its_path_or_gives_finite_json(
    amount: float, rate: float, where: str
) -> None:
    doc = corpus.base()
    if where == "valuation":
        doc["valuation"]["amount"], doc["valuation"]["currency"] = amount, "XTS"
        path = "$.valuation.amount"
    elif where == "investor":
        doc["investors"][1]["amount"] = {"amount": amount, "currency": "XTS"}
        path = "$.investors[1].amount"
    else:
        doc["financials"] = {"currency": "XTS", "revenue": amount}
        path = "$.financials.revenue"
    # XTS, the ISO code "for testing": only the amount under test is in it.
    rates = {"USD": 7.17, "HKD": 0.915, "XTS": rate}
    engine = Engine(build_config({"fx": {"rates": rates}}))
    try:
        decision = engine.evaluate(profile_from_data(doc, "p.json"), source_path="p.json")
    except InputError as exc:
        assert any(line.startswith(f"p.json: {path}") for line in exc.lines()), exc.lines()
        return
    json.dumps(decision_to_dict(decision), allow_nan=False)
    assert decision.gate.valuation_cny is None or math.isfinite(decision.gate.valuation_cny)


def _numeric_leaves(doc: Any, path: str = "$") -> list[str]:
    """The JSON path of every number in ``doc`` (``$.compute.accelerators[0].h100_equiv``)."""
    if isinstance(doc, dict):
        return [p for k, v in doc.items() for p in _numeric_leaves(v, f"{path}.{k}")]
    if isinstance(doc, list):
        return [p for i, v in enumerate(doc) for p in _numeric_leaves(v, f"{path}[{i}]")]
    return [path] if isinstance(doc, int | float) and not isinstance(doc, bool) else []


_LEAVES = _numeric_leaves(corpus.base())


def _set(doc: Any, path: str, value: float, every: bool) -> None:
    """Set the number at ``path``; with ``every``, the same field in every item of its list."""
    parts = path[2:].replace("[", ".[").split(".")
    target = doc
    for part in parts[:-1]:
        target = target[int(part[1:-1])] if part.startswith("[") else target[part]
    key = parts[-1]
    if every and key[0] != "[" and parts[-2].startswith("["):
        holder: Any = doc
        for part in parts[:-2]:
            holder = holder[int(part[1:-1])] if part.startswith("[") else holder[part]
        for item in holder:
            if isinstance(item, dict) and key in item:
                item[key] = value
    else:
        target[int(key[1:-1]) if key.startswith("[") else key] = value


@PROPERTY
@given(path=st.sampled_from(_LEAVES), every=st.booleans(),
       value=st.sampled_from([1.7e308, -1.7e308, 1e200, 9.3e18, 5e-324, -0.0]) | st.floats(
           allow_nan=False, allow_infinity=False))
@example(path="$.compute.accelerators[0].h100_equiv", every=False, value=1.7e308)
@example(path="$.compute.accelerators[0].h100_equiv", every=True, value=1.7e308)
@example(path="$.valuation.amount", every=False, value=5e-324)  # the rise to the line overflowed
def test_any_number_of_a_profile_is_an_error_naming_its_path_or_gives_finite_json(
    path: str, every: bool, value: float
) -> None:
    """A number the model accepts never overflows what is computed from it: the decision
    is finite JSON (no inf or nan reaching a report), else the load names the path."""
    doc = corpus.base()
    _set(doc, path, value, every)
    try:
        decision = ENGINE.evaluate(profile_from_data(doc, "p.json"), source_path="p.json")
    except InputError as exc:
        assert all(line.startswith("p.json: $") for line in exc.lines()), exc.lines()
        return
    json.dumps(decision_to_dict(decision), allow_nan=False)


# -- 21.2: whatever the bytes of a profile, an InputError or a profile -------------------------

_VALID_JSON = json.dumps(corpus.base()).encode()
_VALID_TOML = corpus.ZHIPU.read_bytes()


def _mutate(data: bytes, at: int, junk: bytes, cut: bool) -> bytes:
    at %= len(data) + 1
    return data[:at] + junk + (b"" if cut else data[at:])


@PROPERTY
@given(
    suffix=st.sampled_from([".json", ".toml"]),
    at=st.integers(0, 10**6),
    junk=st.one_of(
        st.binary(max_size=8),
        st.sampled_from(
            [
                b"\xff",
                b"\xd6\xc7",
                b"\\ud800",
                b"[" * 3000,
                b"9" * 5000,
                b"\x00",
                b"\xef\xbb\xbf",
                b'"id": "x", ',
                b"NaN",
                b"1e999",
            ]
        ),
    ),
    cut=st.booleans(),
)
@example(suffix=".json", at=10**6, junk=b"[" * 3000, cut=True)
@example(suffix=".toml", at=0, junk=b"a = " + b"[" * 3000 + b"\n", cut=False)
@example(suffix=".json", at=30, junk=b"\\ud800", cut=False)
def test_a_damaged_profile_is_an_input_error_or_a_profile(
    tmp_path: Path, suffix: str, at: int, junk: bytes, cut: bool
) -> None:
    data = _mutate(_VALID_JSON if suffix == ".json" else _VALID_TOML, at, junk, cut)
    p = tmp_path / f"p{suffix}"
    p.write_bytes(data)
    try:
        profile = load_profile(p)
    except InputError as exc:
        for line in exc.lines():
            assert line.startswith(f"{p}: $"), line
            line.encode("utf-8")  # printable: no lone surrogate reaches stderr
        return
    ENGINE.evaluate(profile)


# -- 13.also: every configuration problem at once --------------------------------------------

_CONFIG_PROBLEMS = {
    "$.gate.line_cny": ("gate", "line_cny", -1),
    "$.policy.coverage_floor": ("policy", "coverage_floor", 2),
    "$.policy.bogus": ("policy", "bogus", 1),
    "$.policy.high_cap": ("policy", "high_cap", "high"),
    "$.fx.rates.USD": ("fx", "rates", {"USD": 0}),
    "$.explain.monte_carlo_draws": ("explain", "monte_carlo_draws", -5),
    "$.explain.seed": ("explain", "seed", 1.5),
    "$.rules.disable": ("rules", "disable", "CHIP-004"),
    "$.plugins.autoload": ("plugins", "autoload", "yes"),
    "$.unknown_section": ("unknown_section", None, 1),
}


@PROPERTY
@given(chosen=st.sets(st.sampled_from(sorted(_CONFIG_PROBLEMS)), min_size=1))
def test_a_configuration_reports_every_problem_at_once(chosen: set[str]) -> None:
    data: dict[str, Any] = {}
    for path in chosen:
        section, key, value = _CONFIG_PROBLEMS[path]
        if key is None:
            data[section] = value
        else:
            data.setdefault(section, {})[key] = value
    with pytest.raises(InputError) as info:
        build_config(data, source="threshold.toml")
    reported = {p.path for p in info.value.problems}
    assert reported == chosen


# -- 21.6: a run killed anywhere and resumed writes a well-formed file, each company once ------

_PORTFOLIO = [
    corpus.company(i, name=n)
    for i, n in enumerate(["A\u2028B", 'Q "quoted", comma', "line\nbreak", "C\u0085D", "plain"])
]
_IDS = [d["id"] for d in _PORTFOLIO]


@pytest.fixture(scope="module")
def full_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("full")
    (folder / "in.jsonl").write_text(corpus.jsonl(*_PORTFOLIO), encoding="utf-8")
    out = {}
    for fmt in ("jsonl", "csv"):
        r = corpus.run_threshold(
            folder, ["batch", "in.jsonl", "--format", fmt, "--output", f"out.{fmt}"]
        )
        assert r.exit == 0, r.stderr
        out[fmt] = (folder / f"out.{fmt}").read_bytes()
    return out


@SLOW
@given(fmt=st.sampled_from(["jsonl", "csv"]), cut=st.floats(0, 1))
def test_a_run_killed_at_any_byte_resumes_to_a_well_formed_file(
    full_runs: dict[str, bytes], tmp_path_factory: pytest.TempPathFactory, fmt: str, cut: float
) -> None:
    folder = tmp_path_factory.mktemp("resume")
    (folder / "in.jsonl").write_text(corpus.jsonl(*_PORTFOLIO), encoding="utf-8")
    data = full_runs[fmt]
    (folder / f"out.{fmt}.partial").write_bytes(data[: int(cut * len(data))])
    r = corpus.run_threshold(
        folder, ["batch", "in.jsonl", "--format", fmt, "--output", f"out.{fmt}", "--resume"]
    )
    assert r.exit == 0, r.stderr
    check = corpus.csv_output if fmt == "csv" else corpus.jsonl_output
    assert check(f"out.{fmt}", _IDS)(folder, r) is None
    if fmt == "csv":  # JSONL decisions carry timings; CSV rows are the same bytes
        assert (folder / f"out.{fmt}").read_bytes() == data


@pytest.fixture(autouse=True)
def _in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(corpus, "IN_PROCESS", True)
    monkeypatch.delenv("THRESHOLD_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    os.environ.setdefault("NO_COLOR", "1")


# -- 21.3: every documented range enforced by the model and stated by the JSON Schema ---------


def _ranged_fields() -> list[tuple[str, float | None, float | None]]:
    """(dotted path, low, high) of every ranged field whose table the base profile holds."""
    import types
    import typing

    import attrs

    from threshold_core.model import range_of

    out = []

    def walk(cls: type, doc: Any, path: str) -> None:
        hints = typing.get_type_hints(cls)
        for a in attrs.fields(cls):
            if (bounds := range_of(a)) is not None:
                out.append((f"{path}{a.name}", *bounds))
            value = doc.get(a.name)
            tp = hints[a.name]
            if typing.get_origin(tp) in (typing.Union, types.UnionType):
                tp = next(t for t in typing.get_args(tp) if t is not type(None))
            if typing.get_origin(tp) is tuple:
                item = typing.get_args(tp)[0]
                if isinstance(value, list) and value and attrs.has(item):
                    walk(item, value[0], f"{path}{a.name}.0.")
            elif isinstance(value, dict) and isinstance(tp, type) and attrs.has(tp):
                walk(tp, value, f"{path}{a.name}.")

    walk(CompanyProfile, corpus.base(), "")
    return out


from threshold_core import CompanyProfile  # noqa: E402

RANGED = _ranged_fields()


@functools.cache
def _profile_schema() -> Any:
    import jsonschema

    from threshold_core.reports import schema

    return jsonschema.Draft202012Validator(schema("profile"))


def _schema_accepts(doc: Any) -> bool:
    return bool(_profile_schema().is_valid(doc))


@PROPERTY
@given(field=st.sampled_from(RANGED), outside=st.booleans(), offset=st.floats(0.001, 1e6),
       as_figure=st.booleans())
def test_every_documented_range_is_enforced_and_in_the_schema(
    field: tuple[str, float | None, float | None], outside: bool, offset: float, as_figure: bool
) -> None:
    path, low, high = field
    if outside:
        value = low - offset if low is not None and (high is None or offset % 2 < 1) else (
            high + offset if high is not None else low - offset)
    else:
        value = low if low is not None else high
        if path == "valuation.amount":
            value = 1.0  # the gate needs a positive valuation
    if path.endswith(("tier", "n_prompts", "n_benign", "n_unsafe", "members",
                      "verticals_approved", "mlps_level3_systems")):  # whole numbers
        value = int(value) if not outside else int(value) + (1 if value > (high or 0) else -1)
    doc = corpus.edit(path, {"value": value} if as_figure and path.split(".")[-1] in _FIGURES
                      else value)
    where = "$." + ".".join(f"[{p}]" if p.isdigit() else p for p in path.split(".")).replace(
        ".[", "[")
    try:
        profile_from_data(doc, "p.json")
        errors: list[str] = []
    except InputError as exc:
        errors = [line for line in exc.lines() if line.startswith(f"p.json: {where}:")]
    assert bool(errors) == outside, (where, value, errors)
    assert _schema_accepts(doc) == (not outside), (where, value)


_FIGURES = {"revenue", "cash", "rnd_expense", "ndr_pct", "gdr_pct", "capability_percentile",
            "releases_12m", "runway_months", "gross_margin_pct", "revenue_growth_pct",
            "overseas_revenue_pct", "top5_customer_share_pct", "enterprise_customers",
            "logo_churn_pct", "subscription_pct", "usage_api_pct", "project_on_prem_pct",
            "consumer_app_pct", "other_pct"}
