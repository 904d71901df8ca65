"""The HTML report: self-contained, and rendered by a real browser (headless Chromium)."""

from __future__ import annotations

import os
import re
import struct
import subprocess
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers import EXAMPLES, graded_examples

CHROMIUM = "/usr/bin/chromium"
#: The flags matter on a closed network: no first-run, sync, component or background fetches.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync")

# Outside CI a missing browser skips these two tests with the reason; in CI
# (CI=true, where .ci/run installs it) a missing browser is a failure.
needs_chromium = pytest.mark.skipif(
    not os.access(CHROMIUM, os.X_OK) and not os.environ.get("CI"),
    reason="headless Chromium is not installed (apt-get install chromium; .ci/run does it)",
)


class Elements(HTMLParser):
    """Counts ``tag``, ``tag#id`` and ``tag.class`` for every element of a document."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: Counter[str] = Counter()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen[tag] += 1
        for name, value in attrs:
            if name == "id" and value:
                self.seen[f"{tag}#{value}"] += 1
            if name == "class" and value:
                for cls in value.split():
                    self.seen[f"{tag}.{cls}"] += 1


def elements(html: str) -> Counter[str]:
    parser = Elements()
    parser.feed(html)
    return parser.seen


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "chromium-profile"
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def report(run_cli, tmp_path: Path) -> Path:
    out = tmp_path / "report.html"
    # Graded examples (fixture NDRs), so that the distance charts have a target to draw.
    result = run_cli("evaluate", str(graded_examples()), "--format", "html", "-o", str(out))
    assert result.returncode == 0, result.stderr
    return out


def test_the_page_is_self_contained(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "<script" not in html and "<link" not in html and "src=" not in html
    assert "@import" not in html and "url(" not in html
    # The only URLs are the SVG namespace, which is a name, not a fetch, and the sources of
    # findings and figures, as links a reader may follow (never loaded by the page).
    links = set(re.findall(r'<a href="([^"#][^"]*)"', html))
    assert links and all(u.startswith(("https://", "http://")) for u in links)
    text = re.sub(r'<a href="[^"]+"[^>]*>[^<]*</a>', "", html)
    assert set(re.findall(r"https?://[^\s\"'<>)]+", text)) == {"http://www.w3.org/2000/svg"}


def test_the_page_has_a_summary_and_every_chart(run_cli, tmp_path: Path) -> None:
    # A watch band from 45: the graded examples' figures without data count at their lowest
    # points, so only a lower cut-off is within one dimension's reach for a distance bar.
    config = tmp_path / "near.toml"
    config.write_text("".join(
        f'[[policy.grades]]\nname = "{n}"\nmin_score = {m}\nverdict = "{v}"\n'
        for n, m, v in (("Q1", 85, "qualified"), ("Q2", 75, "qualified"), ("Q3", 45, "watch"),
                        ("B", 40, "not_qualified"), ("NQ", 0, "not_qualified"))),
        encoding="utf-8")
    out = tmp_path / "near.html"
    result = run_cli("evaluate", str(graded_examples()), "--format", "html", "-o", str(out),
                     "--config", str(config))
    assert result.returncode == 0, result.stderr
    seen = elements(out.read_text(encoding="utf-8"))
    companies = sorted((EXAMPLES / "companies").glob("*.toml"))
    assert seen["table#summary"] == 1
    assert seen["section.company"] == len(companies)
    assert seen["svg.waterfall"] == seen["svg.radar"] == len(companies)
    assert seen["rect.total"] >= 1 and seen["rect.dimension"] >= 4
    assert seen["polygon.radar-score"] >= 1
    assert seen["svg.distance"] >= 1 and seen["rect.needed"] >= 1


def test_one_company_gets_one_section(run_cli, tmp_path: Path) -> None:
    result = run_cli("evaluate", str(EXAMPLES / "companies" / "zhipu.toml"), "--format", "html")
    assert result.returncode == 0, result.stderr
    seen = elements(result.stdout)
    assert seen["table#summary"] == 0 and seen["section#company-zhipu"] == 1
    assert seen["svg#waterfall-zhipu"] == seen["svg#radar-zhipu"] == 1
    # Findings fall: every cap or deduction that moved the score is a falling step.
    assert seen["rect.finding"] >= 1


@needs_chromium
def test_chromium_renders_the_charts(report: Path, tmp_path: Path) -> None:
    result = chromium(tmp_path, "--dump-dom", report.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    dom = elements(result.stdout)
    for key in ("table#summary", "svg#waterfall-zhipu", "svg#radar-zhipu", "svg#distance-zhipu",
                "section#company-zhipu"):
        assert dom[key] == 1, key
    companies = len(list((EXAMPLES / "companies").glob("*.toml")))
    assert dom["svg.waterfall"] == dom["svg.radar"] == companies
    assert dom["rect.step"] >= 4 * companies - 4  # a company without data may lack steps
    assert dom["polygon.radar-score"] >= companies - 1
    assert dom["circle.radar-point"] >= 3
    assert dom["line.cutoff"] >= 3


@needs_chromium
def test_chromium_screenshot(report: Path, tmp_path: Path) -> None:
    png = tmp_path / "report.png"
    result = chromium(tmp_path, f"--screenshot={png}", "--window-size=1280,2000",
                      report.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1280, 2000)
    assert len(data) > 50_000, "a blank page compresses to a few kilobytes"
