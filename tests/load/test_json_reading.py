"""JSON profiles and portfolio lines are read by orjson when it reads them exactly as the
json module does, and by the json module otherwise: whichever reads a text, the document
(values and their types, key order) and every problem (a repeated key, a lone surrogate,
an integer beyond 64 bits, NaN) are the json module's.
"""

from __future__ import annotations

import importlib
import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from threshold_core.errors import InputError
from threshold_core.load import parse_json

_reading = importlib.import_module("threshold_core.load._reading")


def read(text: str, fast: bool) -> Any:
    """What parse_json makes of ``text`` (the document, or its problems), with or without
    orjson's reading."""
    saved = _reading._read_fast
    if not fast:
        _reading._read_fast = lambda _text: _reading._SLOW
    try:
        return ("ok", parse_json(text, "in.json"))
    except InputError as exc:
        return ("error", [(p.path, p.message) for p in exc.problems])
    finally:
        _reading._read_fast = saved


def same(a: Any, b: Any) -> bool:
    """Equal, with the same types and key order (and the same sign of zero)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a)
                                                     == math.copysign(1, b))
    return bool(a == b)


keys = st.text(st.characters(codec="utf-8"), max_size=4) | st.sampled_from(['"', "\\", "a"])
scalars = (st.none() | st.booleans() | st.floats(allow_nan=False, allow_infinity=False)
           | st.integers(min_value=-(2**70), max_value=2**70)
           | st.text(st.characters(codec="utf-8"), max_size=6)
           | st.sampled_from(['"', '\\"', "\\", "\u2028", "\U0001f600",
                             "网信算备374068124158683449786号", "x 12345678901234567890"]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(keys, inner, max_size=4), max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(value=values, ascii_only=st.booleans(), indent=st.sampled_from([None, 2]),
       repeat=st.booleans())
def test_any_json_text_reads_as_the_json_module_reads_it(value: Any, ascii_only: bool,
                                                         indent: int | None,
                                                         repeat: bool) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only, indent=indent)
    if repeat and text.startswith("{") and len(text) > 2:
        # the first key again, with another value: a repeated key
        first = text[1:].lstrip().split(":", 1)[0]
        if first.startswith('"'):
            text = text[:-1].rstrip() + f', {first}: "again"}}'
    fast, slow = read(text, True), read(text, False)
    assert fast[0] == slow[0]
    assert same(fast[1], slow[1]) if fast[0] == "ok" else fast[1] == slow[1]


@pytest.mark.parametrize("text", [
    '{"a": 1, "a": 2}',
    '{"a": "\\"", "a": "x"}',
    '{"a": "\\u0022\\u0022", "a": "x"}',  # quotes written as escapes cannot hide a repeat
    '{"n": 12345678901234567890123}',
    '{"n": -9223372036854775809}',
    '{"n": 18446744073709551616}',
    '{"n": [1, 12345678901234567890]}',
    '{"n":\t-12345678901234567890}',
    '12345678901234567890',
    r'{"f": "\u7f51\u4fe1\u7b97\u5907374068124158683449786\u53f7", "n": 1}',
    '{"f": "网信算备374068124158683449786号", "n": 12345678901234567890}',
    '{"x": NaN}',
    '{"x": 1e400}',
    '{"s": "\\ud800"}',
    '{"s": "\\ud83d\\ude00"}',
    "\ufeff{}",
    "[" * 300 + "]" * 300,
    "[" * 3000 + "]" * 3000,
    '{"a": 1,}',
    '{"a": "\x01"}',
])
def test_what_orjson_reads_otherwise_is_the_json_modules_reading(text: str) -> None:
    fast, slow = read(text, True), read(text, False)
    assert fast[0] == slow[0]
    assert same(fast[1], slow[1]) if fast[0] == "ok" else fast[1] == slow[1]


@pytest.mark.parametrize("ascii_only", [True, False])
def test_portfolio_lines_are_read_the_short_way_and_alike(ascii_only: bool) -> None:
    from threshold_core.portfolio import synthetic_portfolio

    for doc in synthetic_portfolio(20, seed=5):
        text = json.dumps(doc, ensure_ascii=ascii_only, separators=(",", ":"))
        assert _reading._read_fast(text) is not _reading._SLOW
        fast, slow = read(text, True), read(text, False)
        assert fast[0] == slow[0] == "ok"
        assert same(fast[1], slow[1])


def test_a_repeated_key_in_a_portfolio_line_is_still_its_error(tmp_path: Any) -> None:
    from click.testing import CliRunner

    from threshold_core.cli import cli

    source = tmp_path / "p.jsonl"
    source.write_text('{"id": "a", "name": "A", "id": "b"}\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["batch", str(source), "--no-plugin-autoload"])
    assert result.exit_code == 2
    assert f"{source}:1: $.id: duplicate key" in result.stderr
