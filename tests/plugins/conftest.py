"""Fixtures for the built-in scorer tests (helpers live in ``scorer_kit``)."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from scorer_kit import RULE_PACKS, scorer_engine

from threshold_core import Engine, load_config


@pytest.fixture(scope="session")
def engine() -> Engine:
    """The default-configuration engine (rule packs off), shared across tests."""
    return scorer_engine()


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[[str], Path]:
    """Write a ``threshold.toml`` with the given body; returns its path."""

    def write(body: str) -> Path:
        path = tmp_path / "threshold.toml"
        rules = ", ".join(f'"{p}"' for p in RULE_PACKS)
        path.write_text(
            f"[plugins]\ndisable = [{rules}]\nautoload = false\n\n" + textwrap.dedent(body),
            encoding="utf-8",
        )
        return path

    return write


@pytest.fixture
def engine_from_file() -> Callable[[Path], Engine]:
    def build(path: Path) -> Engine:
        return Engine(load_config(path))

    return build
