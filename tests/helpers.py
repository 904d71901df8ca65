"""Helpers shared by the test modules (import as ``from helpers import ...``).

The reusable ones live in :mod:`threshold_core.testing`, the pytest plugin that
threshold ships for plugin authors; they are re-exported here so that the
suite keeps one import line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from threshold_core.testing import (
    BUILTIN_DIMENSIONS,
    OPTIONAL_BUILTINS,
    bare_config,
    bare_engine,
    write_distribution,
)

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"

#: A small profile valued above the line from a recognised source, with one MLPS level-3
#: system: the tests of how a dimension's score is held start from it.
VALUED_PROFILE = """\
id = "n"
name = "N Co"
as_of = 2026-06-30
[valuation]
amount = 5.0e9
currency = "CNY"
basis = "market_cap"
as_of = 2026-06-30
source = "HKEX exchange announcement"
[compliance]
mlps_level3_systems = 1
"""

#: A configuration head where regulatory readiness alone counts (the other built-in
#: dimensions weigh 0).
ONLY_REGULATORY_READINESS = """\
[dimensions.technical_defensibility]
weight = 0.0
[dimensions.application_stickiness]
weight = 0.0
[dimensions.institutional_backing]
weight = 0.0
[dimensions.regulatory_readiness]
weight = 1.0
"""

__all__ = [
    "BUILTIN_DIMENSIONS",
    "EXAMPLES",
    "ONLY_REGULATORY_READINESS",
    "OPTIONAL_BUILTINS",
    "REPO",
    "VALUED_PROFILE",
    "bare_config",
    "bare_engine",
    "explained_corpus",
    "graded_examples",
    "jsonl_portfolio",
    "untimed",
    "write_distribution",
]


#: Retention figures the example companies do not disclose, supplied so that tests of
#: graded verdicts (margins, intervals, caps) have graded examples to replay. They are
#: test fixtures, not data: the shipped examples carry no retention figures.
#: Sections the example companies leave unresearched whose rules could veto (a sanctions
#: screening, a safety evaluation, EU exposure): unchecked, they leave every example
#: undecided (omission never helps). Supplied, clean, so that graded tests have graded
#: examples, with no litigation or enforcement on record; test fixtures, not data.
FIXTURE_SECTIONS = {
    "investment_screening": (
        '\n[investment_screening]\nchecked_on = 2026-06-20\nsource = "test fixture"\n'
        "covered_foreign_person = true\nns_cmic_listed = false\nsection_1260h_listed = false\n"
        "sdn_listed = false\nlisted_owners_pct = 0\nai_end_uses = []\n"
        "max_training_flops = { value = 1e22, source = \"test fixture\" }\n"),
    "evaluations": (
        '\n[[evaluations.safety]]\nsuite = "XSTest"\nover_refusal_pct = 8\n'
        'unsafe_compliance_pct = 2\nn_benign = 250\nn_unsafe = 200\nsource = "test fixture"\n'),
    "eu_exposure": ('\n[eu_exposure]\nserves_eu_users = false\ngpai_provider = false\n'
                    'prohibited_uses = []\nsource = "test fixture"\n'),
    # Each CAC registry searched at a date, so the filing statuses are evidence.
    "registry_checks": "".join(
        f'\n[registry_checks.{regime}]\nchecked_on = 2026-06-20\nsource = "test fixture"\n'
        for regime in ("CAC_ALGORITHM", "CAC_DEEP_SYNTHESIS", "CAC_GENAI_FILING",
                       "CAC_GENAI_REGISTRATION")),
}
#: The flags each service and each vertical of the examples leaves out, stated false (left
#: out, each is unknown and its rule counts at its severity; the sources do not say); a test
#: fixture, not data.
FIXTURE_FLAGS = {
    "services": ("public_opinion", "companion", "consumer", "eu_users", "face_voice_editing",
                 "auto_prescription", "ascend_outside_prc"),
    "verticals": ("decision_support", "nfra_regulated_clients"),
}


def _stated_flags(text: str) -> str:
    """``text`` with every ``[[services]]`` and ``[[verticals]]`` table given the
    :data:`FIXTURE_FLAGS` it leaves out, as false."""
    for table, flags in FIXTURE_FLAGS.items():
        header = f"[[{table}]]\n"
        head, *blocks = text.split(header)
        out = [head]
        for block in blocks:
            body = re.split(r"\n(?=\[)", block, maxsplit=1)[0]
            given = set(re.findall(r"^(\w+) =", body, re.M))
            out.append("".join(f"{flag} = false\n" for flag in flags if flag not in given)
                       + block)
        text = header.join(out)
    return _stated_investor_terms(_stated_statuses(text))


def _stated_statuses(text: str) -> str:
    """``text`` with every ``[[filings]]`` and ``[[sector_approvals]]`` table that leaves its
    status out stated ``active`` (left out, a record is not known to be in force; the
    sources do not say); a test fixture, not data."""
    for table in ("filings", "sector_approvals"):
        header = f"[[{table}]]\n"
        head, *blocks = text.split(header)
        out = [head]
        for block in blocks:
            body = re.split(r"\n(?=\[)", block, maxsplit=1)[0]
            out.append(("" if re.search(r"^status =", body, re.M) else 'status = "active"\n')
                       + block)
        text = header.join(out)
    return text


def _stated_investor_terms(text: str) -> str:
    """``text`` with every ``[[investors]]`` table given the terms the examples leave out
    (left out, each counts at its least favourable): a small amount, no lock-up (or the
    undated one's start, long past), a strategic backer's revenue share of 0, and a vc's,
    pe's or cornerstone's tier as a top-tier fund (2)."""
    header = "[[investors]]\n"
    head, *blocks = text.split(header)
    out = [head]
    for block in blocks:
        body = re.split(r"\n(?=\[)", block, maxsplit=1)[0]
        given = set(re.findall(r"^(\w+) =", body, re.M))
        add = []
        if "amount" not in given:
            add.append('amount = { amount = 1e8, currency = "CNY" }')
        if not {"lockup_months", "lockup_expiry"} & given:
            add.append("lockup_months = 0")
        elif "lockup_months" in given and not {"investment_date", "lockup_expiry"} & given:
            add.append("investment_date = 2020-01-01")
        if 'type = "strategic"' in body and "revenue_share_pct" not in given:
            add.append("revenue_share_pct = 0")
        if re.search(r'^type = "(vc|pe|cornerstone)"', body, re.M) and "tier" not in given:
            add.append("tier = 2")
        out.append("".join(f"{line}\n" for line in add) + block)
    return header.join(out)


#: The export-control screenings of the examples, dated (undated, a clear one is not a
#: screening); a test fixture, not data.
FIXTURE_EXPORT_CHECK = "[export_controls]\nchecked_on = 2026-06-20\n"
#: The lists of names a section of the examples leaves out, stated empty ("checked, none";
#: left out, each is unknown and its rule counts at its severity); a test fixture, not data.
FIXTURE_NAMES = {"export_controls": "affiliates_listed", "eu_exposure": "prohibited_uses"}

FIXTURE_NDR = {"zhipu": 120, "4paradigm": 120, "baidu-ernie": 120, "minimax": 85, "01ai": 85}
#: Logo churn to go with them (the article's "high churn" below the line), for the same reason:
#: with NDR alone, stickiness coverage stays under the floor since issue 16's metrics.
FIXTURE_CHURN = {"zhipu": 8, "4paradigm": 8, "baidu-ernie": 8, "minimax": 25, "01ai": 25}


def graded_examples() -> Path:
    """A folder with the example companies plus a fixture NDR each (see :data:`FIXTURE_NDR`)."""
    import tempfile

    global _GRADED
    if _GRADED is None or not _GRADED.is_dir():
        folder = Path(tempfile.mkdtemp(prefix="threshold-graded-"))
        for path in sorted((EXAMPLES / "companies").glob("*.toml")):
            text = path.read_text(encoding="utf-8")
            ndr = FIXTURE_NDR.get(path.stem)
            if ndr is not None:
                text += (f'\n[customers]\nsource = "test fixture"\nas_of = 2026-06-01\n'
                         f"ndr_pct = {ndr}\nlogo_churn_pct = {FIXTURE_CHURN[path.stem]}\n")
            # Researched, none on record (top-level keys go before the first table).
            text = "".join(f"{key} = []\n" for key in ("litigation", "enforcement")
                           if f"\n{key} =" not in text and f"[[{key}]]" not in text) + text
            for section, fixture in FIXTURE_SECTIONS.items():
                if not any(f"\n{opening}{section}{closing}" in text
                           for opening, closing in (("[", "]"), ("[[", "."), ("[", "."))):
                    text += fixture
            text = text.replace("[export_controls]\n", FIXTURE_EXPORT_CHECK, 1)
            for section, key in FIXTURE_NAMES.items():
                body = text.split(f"[{section}]\n", 1)[1:]
                if body and f"\n{key} =" not in "\n" + re.split(r"\n(?=\[)", body[0])[0]:
                    text = text.replace(f"[{section}]\n", f"[{section}]\n{key} = []\n", 1)
            text = _stated_flags(text)
            (folder / path.name).write_text(text, encoding="utf-8")
        _GRADED = folder
    return _GRADED


_GRADED: Path | None = None


def explained_corpus(engine: object, count: int, seed: int) -> list[object]:
    """The example companies and ``count`` synthetic profiles (``seed``), decided by
    ``engine`` and explained (a profile that cannot be explained stays unexplained)."""
    from threshold_core.explain import explain_all
    from threshold_core.portfolio import synthetic_portfolio

    made = [engine.evaluate_path(p)  # type: ignore[attr-defined]
            for p in sorted((EXAMPLES / "companies").glob("*.toml"))]
    made += [engine.evaluate(engine.profile_from_data(doc, doc["id"]))  # type: ignore[attr-defined]
             for doc in synthetic_portfolio(count, seed=seed)]
    return explain_all(made, engine, on_error=lambda d, e: None)  # type: ignore[arg-type]


def deep(value: object) -> object:
    """An object's fields all the way down, with their types (1 is not 1.0 here): what
    two ways of building a profile are compared by."""
    import attrs

    if attrs.has(type(value)):
        return (type(value), tuple(deep(getattr(value, a.name))
                                   for a in attrs.fields(type(value))))
    if isinstance(value, (tuple, list)):
        return (type(value), tuple(deep(v) for v in value))
    if isinstance(value, dict):
        return (type(value), tuple((k, deep(v)) for k, v in value.items()))
    return (type(value), value)


def document_paths(value: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Every path (keys and indices) inside a parsed document, to put a fault at."""
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for k, v in value.items():
            out += document_paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += document_paths(v, (*prefix, i))
    return out


def with_faults(data: object, docs: list[object], faults: tuple[object, ...]) -> object:
    """A copy of one of ``docs`` (drawn by hypothesis' ``data``) with 1 to 3 of its keys
    removed or their values replaced by one of ``faults``, anywhere inside it."""
    import copy

    from hypothesis import strategies as st

    draw = data.draw  # type: ignore[attr-defined]
    doc = copy.deepcopy(draw(st.sampled_from(docs)))
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from(document_paths(doc)))
        target = doc
        for key in where[:-1]:
            target = target[key]
        if draw(st.booleans()) and isinstance(target, dict):
            del target[where[-1]]  # a missing key
        else:
            # a copy: a fault that is an array or a table must not be shared (or mutated)
            target[where[-1]] = copy.deepcopy(draw(st.sampled_from(faults)))
    return doc


_TIMINGS = re.compile(rb'"duration_ms":\s*[0-9.eE+-]+')


def without_timings(data: object) -> object:
    """Parsed decision JSON without its trace timings (every ``..._ms`` key)."""
    if isinstance(data, dict):
        return {k: without_timings(v) for k, v in data.items() if not k.endswith("_ms")}
    if isinstance(data, list):
        return [without_timings(v) for v in data]
    return data


def untimed(data: bytes) -> bytes:
    """Decision JSON or JSONL with every trace timing (``duration_ms``) blanked."""
    return _TIMINGS.sub(b'"duration_ms":-', data)


def jsonl_portfolio(path: Path, n: int, seed: int, broken_at: int | None = None) -> Path:
    """``n`` synthetic profiles as JSONL at ``path``, with an invalid row at ``broken_at``."""
    from threshold_core.portfolio import synthetic_portfolio

    lines = [json.dumps(d, ensure_ascii=False) for d in synthetic_portfolio(n, seed)]
    if broken_at is not None:
        lines.insert(broken_at, '{"id": "broken", "name": "Broken", "valuation": "lots"}')
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


#: The start of a sealed start-up cache file (cli/_codecache.py ``write_sealed``): this tag,
#: the CRC-32 of the rest (4 bytes, big-endian), then the ``marshal`` data.
SEAL = b"threshold-sealed-1"


def read_sealed(path: Path) -> object:
    """The data of a sealed cache file (its CRC-32 checked)."""
    import marshal
    import zlib

    raw = path.read_bytes()
    assert raw.startswith(SEAL), path
    head = len(SEAL) + 4
    assert zlib.crc32(raw[head:]) == int.from_bytes(raw[len(SEAL):head], "big"), path
    return marshal.loads(raw[head:])


def write_sealed(path: Path, data: object) -> None:
    """Write ``data`` as a sealed cache file, as the command does."""
    import marshal
    import zlib

    body = marshal.dumps(data)
    path.write_bytes(SEAL + zlib.crc32(body).to_bytes(4, "big") + body)


def read_crc_marshal(path: Path) -> object:
    """The data of the CEL check cache (its CRC-32 first, then the ``marshal`` data)."""
    import marshal
    import zlib

    raw = path.read_bytes()
    assert zlib.crc32(raw[4:]) == int.from_bytes(raw[:4], "big"), path
    return marshal.loads(raw[4:])


def cold_warm_and_off(run: Callable[..., Any], cache: Path, cache_file: Callable[[Path], Path],
                      env: dict[str, str] | None = None) -> None:
    """``threshold evaluate`` of the example folder as JSON with the command's caches in
    ``cache`` cold, warm and off (``run``: the ``run_cli_process`` fixture): the same output
    and messages, and the file ``cache_file(cache)`` names not written again when warm."""
    env = {"THRESHOLD_CACHE_DIR": str(cache), **(env or {})}
    args = ("evaluate", str(EXAMPLES / "companies"), "--format", "json")
    cold = run(*args, env=env)
    assert cold.returncode == 0, cold.stderr
    written = cache_file(cache).stat().st_mtime_ns
    warm = run(*args, env=env)
    off = run(*args, env={**env, "THRESHOLD_NO_CACHE": "1"})
    assert cache_file(cache).stat().st_mtime_ns == written  # nothing new to keep when warm
    assert cold.stderr == warm.stderr == off.stderr
    decided = [without_timings(json.loads(r.stdout)) for r in (cold, warm, off)]
    assert decided[0] == decided[1] == decided[2]
