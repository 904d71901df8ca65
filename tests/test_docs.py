"""Meta-tests: the hook reference matches the hook contract exactly."""

from __future__ import annotations

import inspect
import re

from helpers import REPO

from threshold_core.hooks import spec as hookspecs

HOOKS_DOC = (REPO / "docs" / "hooks.md").read_text(encoding="utf-8")


def _specs() -> dict[str, object]:
    return {
        name: fn
        for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
        if name.startswith("threshold_")
    }


def signature_line(name: str, fn: object) -> str:
    sig = inspect.signature(fn)  # type: ignore[arg-type]
    params = ", ".join(f"{p.name}: {p.annotation}" for p in sig.parameters.values())
    return f"def {name}({params}) -> {sig.return_annotation}"


def test_every_hook_is_documented_with_its_exact_signature() -> None:
    for name, fn in _specs().items():
        assert f"### {name}\n" in HOOKS_DOC, f"{name} has no section in docs/hooks.md"
        assert signature_line(name, fn) in HOOKS_DOC, f"the documented signature of {name} drifted"


def test_no_documented_hook_is_missing_from_the_contract() -> None:
    documented = set(re.findall(r"^### (threshold_\w+)$", HOOKS_DOC, flags=re.M))
    assert documented == set(_specs())


def test_every_hook_has_a_docstring_and_first_result_is_said() -> None:
    for name, fn in _specs().items():
        doc = inspect.getdoc(fn) or ""
        assert doc, name
        opts = fn.threshold_spec
        if opts["firstresult"]:
            assert "First result wins" in doc, name
            section = HOOKS_DOC.split(f"### {name}\n", 1)[1].split("\n### ", 1)[0]
            assert "First result wins" in section, name
