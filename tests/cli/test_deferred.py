"""protobuf's pure-Python message implementation, run only when used (README, "Performance";
``cli/_deferred.py``): the ``threshold`` command never runs it with the upb implementation,
decides as before, and the module is whole the moment anything reads it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from helpers import EXAMPLES, without_timings

ZHIPU = str(EXAMPLES / "companies" / "zhipu.toml")
MODULE = "google.protobuf.internal.python_message"

#: Run as the ``threshold`` command (a script of that name, as the console script is),
#: reporting before the exit what became of protobuf's pure-Python messages.
PROBE = r'''
import atexit, json, sys
BEFORE = set(sys.modules)  # (an editable install's finder imports some at start-up)
def report():
    from google.protobuf.internal import api_implementation
    module = sys.modules.get("google.protobuf.internal.python_message")
    sys.stderr.write("PROBE" + json.dumps({
        "implementation": api_implementation.Type(),
        "class": type(module).__name__ if module is not None else None,
        "text_format": "google.protobuf.text_format" in sys.modules,
        "standard": {name: type(sys.modules[name]).__name__
                     for name in ("tokenize", "token", "ipaddress", "copy")
                     if name not in BEFORE}}) + "\n")
atexit.register(report)
sys.argv[1:] = ["evaluate", "--format", "json", sys.argv[1]]
from threshold_core.cli import main
main()
'''


def _run(tmp_path: Path, script: str, *args: str) -> subprocess.CompletedProcess[str]:
    import os

    path = tmp_path / "threshold"
    path.write_text(script, encoding="utf-8")
    env = {**os.environ, "THRESHOLD_CACHE_DIR": str(tmp_path / "cache"), "NO_COLOR": "1"}
    result = subprocess.run([sys.executable, str(path), *args], capture_output=True,
                            text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    return result


def test_the_command_never_runs_it_and_decides_as_before(tmp_path: Path) -> None:
    ran = _run(tmp_path, PROBE, ZHIPU)
    (line,) = [x for x in ran.stderr.splitlines() if x.startswith("PROBE")]
    report = json.loads(line[5:])
    # The standard modules the command's libraries import and an evaluation never reads.
    assert set(report.pop("standard").values()) == {"_Deferred"}
    if report["implementation"] == "upb":
        assert report == {"implementation": "upb", "class": "_Deferred", "text_format": False}
    library = subprocess.run(  # called as a function: everything imported as always
        [sys.executable, "-c",
         "import sys; from threshold_core.cli import main\n"
         "try:\n    main(['evaluate', '--format', 'json', sys.argv[1]])\n"
         "finally:\n"
         f"    print(type(sys.modules[{MODULE!r}]).__name__, file=sys.stderr)", ZHIPU],
        capture_output=True, text=True, timeout=120)
    assert library.returncode == 0, library.stderr
    assert library.stderr.strip().splitlines()[-1] == "module"
    assert without_timings(json.loads(ran.stdout)) == \
        without_timings(json.loads(library.stdout))


#: protobuf imported while deferring; then its pure-Python messages read.
FIRST_USE = r'''
import sys, types
from datetime import datetime, timezone
from threshold_core.cli._deferred import deferring
with deferring():
    from google.protobuf import descriptor_pool, struct_pb2, timestamp_pb2
from google.protobuf.internal import api_implementation
module = sys.modules["google.protobuf.internal.python_message"]
if api_implementation.Type() == "upb":
    assert type(module).__name__ == "_Deferred", type(module)
    assert "google.protobuf.text_format" not in sys.modules
    assert module.__file__.endswith("python_message.py") and module.__spec__.loader
stamp = timestamp_pb2.Timestamp()
stamp.FromDatetime(datetime(2026, 1, 2, tzinfo=timezone.utc))
assert str(stamp).strip() == "seconds: 1767312000"  # (upb prints it through text_format)
helper = module._AttachFieldHelpers  # a read: the code runs, in the same module
assert type(module) is types.ModuleType and callable(helper)
assert sys.modules["google.protobuf.internal.python_message"] is module
assert module.__loader__ is module.__spec__.loader
assert "google.protobuf.text_format" in sys.modules
print("ok")
'''


#: The standard modules deferred from the command's first import, then used.
STANDARD_FIRST_USE = r'''
import sys, types
BEFORE = set(sys.modules)  # (an editable install's finder imports some at start-up)
sys.argv[0] = "threshold"
import threshold_core.cli._startup  # as the console script imports it first
import threshold_core.cli._app  # ... then the command group (click, inspect, tokenize)
from threshold_core.cli._deferred import ALWAYS, deferring
with deferring():
    import copy, ipaddress, tokenize
    import linecache
for name in {"tokenize", "token", "ipaddress", "copy"} - BEFORE:
    assert type(sys.modules[name]).__name__ == "_Deferred", name
assert copy.deepcopy({"a": [1, 2]}) == {"a": [1, 2]}  # a read: the code runs, in place
assert type(copy) is types.ModuleType and sys.modules["copy"] is copy
assert str(ipaddress.ip_address("::1")) == "::1"
lines = linecache.getlines(linecache.__file__)  # reads the file through tokenize.open
assert lines and type(sys.modules["tokenize"]) is types.ModuleType
assert type(sys.modules["token"]) is types.ModuleType  # (tokenize imports names from it)
assert sorted(ALWAYS) == ["copy", "ipaddress", "token", "tokenize"]
import inspect
assert inspect.getsource(copy.deepcopy).startswith("def deepcopy(")  # tokenize, by inspect
print("ok")
'''


def test_standard_modules_are_whole_at_their_first_use(tmp_path: Path) -> None:
    path = tmp_path / "threshold"
    path.write_text(STANDARD_FIRST_USE, encoding="utf-8")
    ran = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                         timeout=120)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "ok"


def test_the_module_is_whole_at_its_first_use(tmp_path: Path) -> None:
    ran = subprocess.run([sys.executable, "-c", FIRST_USE], capture_output=True, text=True,
                         timeout=120)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "ok"
