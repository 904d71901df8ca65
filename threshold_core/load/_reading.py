"""Reading what people give us: bytes to text, text to JSON and TOML.

Every file threshold reads goes through here, so that the same rules hold
everywhere:

- a UTF-8 byte-order mark (Excel's "CSV UTF-8", Notepad) is accepted and dropped;
- text in another encoding (GBK from Chinese Windows, UTF-16) is an error that
  names the encoding problem and where it is, never an internal error;
- a document nested too deeply, a number with thousands of digits, a
  duplicate JSON key or a lone surrogate (``"\\ud800"``) is an error naming the
  file and the place.
"""

from __future__ import annotations

import codecs
import json
import re
import sys
import tomllib
from pathlib import Path
from typing import Any

import orjson

from ..errors import InputError, Problem

#: Byte-order marks of encodings threshold does not read (UTF-32 first: its LE mark
#: starts with UTF-16's).
_FOREIGN_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)

#: What a message about a non-UTF-8 file suggests.
SAVE_AS_UTF8 = "save it as UTF-8"

#: The longest integer Python converts from text (``sys.get_int_max_str_digits``).
MAX_DIGITS = sys.get_int_max_str_digits() or 4300


def not_utf8(data: bytes, pos: int) -> str:
    """``not UTF-8 text (byte 0xd6 at line 2, column 9)`` for the byte at ``pos``."""
    line = data.count(b"\n", 0, pos) + 1
    column = pos - (data.rfind(b"\n", 0, pos) + 1) + 1
    return f"not UTF-8 text (byte 0x{data[pos]:02x} at line {line}, column {column})"


def decode(data: bytes, source: str, encoding: str | None = None, hint: str = SAVE_AS_UTF8) -> str:
    """The text of a file's bytes: UTF-8 (a byte-order mark is dropped) or ``encoding``."""
    if encoding is not None:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise InputError(
                source,
                [
                    Problem(
                        "$",
                        f"not {encoding} text (byte 0x{data[exc.start]:02x} at offset {exc.start})",
                    )
                ],
            ) from None
        return text[1:] if text.startswith("\ufeff") else text
    for bom, name in _FOREIGN_BOMS:
        if data.startswith(bom):
            raise InputError(source, [Problem("$", f"{name} text, not UTF-8; {hint}")])
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(source, [Problem("$", f"{not_utf8(data, exc.start)}; {hint}")]) from None


def read_bytes(path: Path) -> bytes:
    """A file's bytes; an unreadable file (missing, a folder, no permission) is an InputError."""
    try:
        return path.read_bytes()
    except IsADirectoryError:
        raise InputError(str(path), [Problem("$", "is a folder, not a file")]) from None
    except OSError as exc:
        raise InputError(str(path), [Problem("$", f"cannot read file: {exc.strerror}")]) from None


def read_text(path: Path, encoding: str | None = None) -> str:
    """A text file's content (see :func:`decode`)."""
    return decode(read_bytes(path), str(path), encoding)


# -- JSON -------------------------------------------------------------------------------------

_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class _Duplicates(dict[str, Any]):
    """A JSON object that had repeated keys (the last value kept, as json does)."""

    repeated: tuple[str, ...] = ()


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    d = dict(pairs)
    if len(d) == len(pairs):
        return d
    out = _Duplicates(d)
    seen: set[str] = set()
    out.repeated = tuple(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
    return out


def show_key(key: str) -> str:
    """A key as it can be printed (lone surrogates escaped)."""
    return key.encode("utf-8", "backslashreplace").decode("utf-8")


def _walk(data: Any) -> Any:
    """Every (path, value) in a parsed document, without recursion (documents may be deep)."""
    stack: list[tuple[str, Any]] = [("$", data)]
    while stack:
        path, value = stack.pop()
        yield path, value
        if isinstance(value, dict):
            stack.extend((f"{path}.{show_key(k)}", v) for k, v in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]", v) for i, v in reversed(list(enumerate(value))))


def lone_surrogate(text: str) -> str | None:
    """What is wrong with a string holding a lone surrogate, or None when it is text."""
    if text.isascii():
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        ch = ord(text[exc.start])
        if 0xDC80 <= ch <= 0xDCFF:  # an undecodable byte kept by "surrogateescape"
            return f"not UTF-8 text (byte 0x{ch - 0xDC00:02x}); {SAVE_AS_UTF8}"
        return f"a lone surrogate (\\u{ch:04x}) is not text"
    return None


#: ``bytes.translate`` table: each digit to ``0``, anything else to a space.
_DIGITS_ONLY = bytes(48 if 48 <= i <= 57 else 32 for i in range(256))
#: 19 digits in a row: possibly an integer beyond 64 bits, which orjson reads as a float.
_LONG_RUN = b"0" * 19
#: What may stand just before a number's digits in JSON (a number follows ``:``, ``,`` or
#: ``[``, maybe whitespace, maybe a minus).
_BEFORE_NUMBER = frozenset(b":,[- \t\n\r")


def _long_integer_possible(raw: bytes) -> bool:
    """Whether a number in the JSON text ``raw`` may have 19 digits or more: some run of 19
    digits stands where a number can start (a run inside a string, such as a filing
    number after its Chinese prefix, does not count)."""
    runs = raw.translate(_DIGITS_ONLY)
    i = runs.find(_LONG_RUN)
    while i >= 0:
        if i == 0 or raw[i - 1] in _BEFORE_NUMBER:
            return True
        end = runs.find(b" ", i)
        if end < 0:
            return False
        i = runs.find(_LONG_RUN, end)
    return False


def _read_fast(text: str) -> Any:
    """The json module's reading of ``text`` made cheaply when it certainly has no repeated
    key, else ``_SLOW``.

    Counting repeated keys as :func:`parse_json` does costs a call per object. Instead the
    text is read without that hook (by orjson, about 4x faster, unless a number in the text
    may have 19 digits: orjson reads an integer beyond 64 bits as a float; otherwise both read
    every text alike, and what orjson refuses goes to :func:`parse_json`'s reading with its
    messages), and the result is written back by orjson: when that holds as many quote
    characters as the text, every string of the text is in the result (a repeated key
    drops at least its own two quotes, and a quote inside a string is written ``\\"`` in
    both unless the text spells it ``\\u0022``, which goes the long way), so no key was
    repeated. orjson refuses to write a lone surrogate or an integer beyond 64 bits, so
    such a document goes the long way too.
    """
    raw = text.encode("utf-8", "surrogatepass")
    if b"\\u0022" in raw:
        return _SLOW
    try:
        data = json.loads(text) if _long_integer_possible(raw) else orjson.loads(raw)
        written = orjson.dumps(data)
    except (ValueError, TypeError, RecursionError):  # refused, or not written back: the long way
        return _SLOW
    return data if written.count(b'"') == raw.count(b'"') else _SLOW


_SLOW = object()


def parse_json(text: str, source: str) -> Any:
    """Parse JSON text; every problem is an :class:`InputError` naming ``source`` and the place.

    Duplicate keys are errors (JSON parsers disagree on which one wins), as are
    lone surrogates, documents nested too deeply and integers too long to read.
    What orjson reads exactly as the json module does is read by orjson
    (:func:`_read_fast`); anything else by the json module.
    """
    data = _read_fast(text)
    if data is not _SLOW:
        return data
    duplicates = False

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal duplicates
        d = _pairs(items)
        duplicates = duplicates or isinstance(d, _Duplicates)
        return d

    try:
        data = json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        msg = f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        raise InputError(source, [Problem("$", msg)]) from None
    except RecursionError:
        raise InputError(source, [Problem("$", "invalid JSON: nested too deeply")]) from None
    except ValueError as exc:  # the integer-length limit
        raise InputError(source, [Problem("$", _too_long(exc))]) from None
    if duplicates or _SURROGATE_ESCAPE.search(text):
        problems = []
        for path, value in _walk(data):
            if isinstance(value, _Duplicates):
                problems += [
                    Problem(f"{path}.{show_key(k)}", "duplicate key") for k in value.repeated
                ]
            if isinstance(value, dict):
                problems += [
                    Problem(f"{path}.{show_key(k)}", f"key: {wrong}")
                    for k in value
                    if (wrong := lone_surrogate(k))
                ]
            elif isinstance(value, str) and (wrong := lone_surrogate(value)):
                problems.append(Problem(path, wrong))
        if problems:
            raise InputError(source, problems)
    return data


def _too_long(exc: ValueError) -> str:
    if "digits" in str(exc):
        return f"a number with more than {MAX_DIGITS} digits"
    return f"invalid: {exc}"


def read_json(path: Path) -> Any:
    return parse_json(read_text(path), str(path))


# -- TOML -------------------------------------------------------------------------------------


def parse_toml(text: str, source: str) -> dict[str, Any]:
    """Parse TOML text; syntax errors (with line and column), documents nested too deeply
    and integers too long to read are :class:`InputError`."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(source, [Problem("$", f"invalid TOML: {exc}")]) from None
    except RecursionError:
        raise InputError(source, [Problem("$", "invalid TOML: nested too deeply")]) from None
    except ValueError as exc:
        raise InputError(source, [Problem("$", _too_long(exc))]) from None


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file (see :func:`parse_toml`)."""
    return parse_toml(read_text(path), str(path))
