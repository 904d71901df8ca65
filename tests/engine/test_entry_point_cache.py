"""The entry-point scan kept between processes (``create_plugin_manager(entry_point_cache=)``,
what the ``threshold`` command passes): the same plugins as a scan, and a distribution
installed, changed or removed is seen at once."""

from __future__ import annotations

import json
import os
import sys
from importlib.machinery import PathFinder
from pathlib import Path

import pytest
from helpers import bare_config, write_distribution

from threshold_core import create_plugin_manager

PLUGIN = """
from threshold_core import hookimpl

__version__ = "{version}"

@hookimpl
def threshold_register_scorers(register):
    pass
"""


@pytest.fixture
def standard_finders(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache works beside the standard finder only: importing the importlib_metadata
    backport (dask does, in the Dask tests) adds another for the rest of the process, so
    the test runs with the finders a threshold process starts with."""
    if not hasattr(PathFinder, "find_distributions"):
        # The backport also deletes the standard finder's method; put back what it was.
        from importlib.metadata import MetadataPathFinder

        monkeypatch.setattr(PathFinder, "find_distributions", classmethod(
            lambda cls, *args, **kwargs: MetadataPathFinder.find_distributions(
                *args, **kwargs)), raising=False)
    monkeypatch.setattr(sys, "meta_path", [
        f for f in sys.meta_path
        if f is PathFinder or not hasattr(f, "find_distributions")])


def _install(site: Path, name: str, version: str = "1.0") -> Path:
    module = f"threshold_{name}"
    return write_distribution(site, f"threshold-{name}", version, module,
                              PLUGIN.format(version=version), {name: module})


def _plugins(cache: Path) -> dict[str, tuple[str, str | None, str | None]]:
    pm = create_plugin_manager(bare_config(), autoload=True, entry_point_cache=cache)
    return {name: (i.origin, i.distribution, i.version) for name, i in pm.info.items()
            if i.origin == "entry_point"}


@pytest.mark.usefixtures("standard_finders")
def test_the_cache_finds_what_a_scan_finds(site_dir: Path, tmp_path: Path) -> None:
    _install(site_dir, "alpha")
    cache = tmp_path / "entry-points.json"
    scanned = _plugins(cache)
    assert scanned["alpha"] == ("entry_point", "threshold-alpha", "1.0")
    saved = json.loads(cache.read_text(encoding="utf-8"))
    assert ["alpha", "threshold_alpha", "threshold", "threshold-alpha", "1.0"] in saved[
        "entry_points"]
    assert _plugins(cache) == scanned  # from the file
    uncached = create_plugin_manager(bare_config(), autoload=True)
    assert {n for n, i in uncached.info.items() if i.origin == "entry_point"} == set(scanned)


@pytest.mark.usefixtures("standard_finders")
def test_an_installed_or_removed_distribution_is_seen(site_dir: Path, tmp_path: Path) -> None:
    cache = tmp_path / "entry-points.json"
    before = _plugins(cache)
    assert "beta" not in before
    _install(site_dir, "beta")
    assert "beta" in _plugins(cache)
    for dist in site_dir.glob("threshold_beta*.dist-info"):
        for file in dist.iterdir():
            file.unlink()
        dist.rmdir()
    assert "beta" not in _plugins(cache)


@pytest.mark.usefixtures("standard_finders")
def test_an_edited_entry_points_file_is_seen(site_dir: Path, tmp_path: Path) -> None:
    """A hand edit that keeps the folder's time still changes the file's size and time."""
    _install(site_dir, "gamma")
    cache = tmp_path / "entry-points.json"
    assert "gamma" in _plugins(cache)
    (txt,) = site_dir.glob("threshold_gamma*.dist-info/entry_points.txt")
    folder_time = os.stat(site_dir).st_mtime_ns
    txt.write_text("[threshold]\ngamma2 = threshold_gamma\n", encoding="utf-8")
    os.utime(site_dir, ns=(folder_time, folder_time))
    found = _plugins(cache)
    assert "gamma2" in found and "gamma" not in found


@pytest.mark.usefixtures("standard_finders")
def test_a_damaged_cache_is_scanned_again(site_dir: Path, tmp_path: Path) -> None:
    _install(site_dir, "delta")
    cache = tmp_path / "entry-points.json"
    cache.write_text("{not json", encoding="utf-8")
    assert "delta" in _plugins(cache)
    assert json.loads(cache.read_text(encoding="utf-8"))["entry_points"]


class _OtherFinder:
    """A finder that can list distributions the fingerprint cannot see."""

    @staticmethod
    def find_spec(*_: object) -> None:
        return None

    @staticmethod
    def find_distributions(*_: object) -> list[object]:
        return []


def test_no_cache_beside_another_distribution_finder(
    site_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _install(site_dir, "epsilon")
    monkeypatch.setattr(sys, "meta_path", [*sys.meta_path, _OtherFinder()])
    cache = tmp_path / "entry-points.json"
    assert "epsilon" in _plugins(cache)
    assert not cache.exists()
