"""Shared fixtures and the CI rule that no test may be skipped."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
TEST_DATA = Path(__file__).resolve().parent / "data"

# One gazetteer index for the whole run (and across runs), inside the checkout and
# git-ignored, so tests never write to the user's cache directory.
os.environ.setdefault("TRIP_CACHE_DIR", str(ROOT / ".trip-cache"))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI a skipped test is a failure: every promise must be checked there."""
    if not os.environ.get("CI"):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    skipped = reporter.stats.get("skipped", [])
    if skipped and session.exitstatus == 0:
        reporter.write_line(f"CI: {len(skipped)} test(s) skipped; skips are not allowed in CI", red=True)
        session.exitstatus = 1


@pytest.fixture(scope="session")
def gazetteer():
    """The shared offline gazetteer (built once into TRIP_CACHE_DIR, then reused)."""
    from trip.gazetteer import open_gazetteer

    return open_gazetteer()


@pytest.fixture(scope="session")
def offline_geocoder(gazetteer):
    """An offline geocoder over the shared gazetteer."""
    from trip.geocoding.offline import OfflineGeocoder

    return OfflineGeocoder(gazetteer)


@pytest.fixture(scope="session")
def geocoder_without_landmarks(gazetteer):
    """The offline geocoder as it would be without data/landmarks.csv.

    Lets tests show what happens to a name (e.g. "Khasan") whose only candidates
    lie across the world once our curated site is out of the picture.
    """
    from trip.geocoding.offline import OfflineGeocoder

    class WithoutLandmarks(OfflineGeocoder):
        def _ranked(self, text, pool):
            ranked, fuzzy = super()._ranked(text, pool)
            return [r for r in ranked if r[0].source != "landmarks"], fuzzy

    return WithoutLandmarks(gazetteer)


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium under Playwright, one per test module (flags in browser_support)."""
    from playwright.sync_api import sync_playwright

    from browser_support import launch_chromium

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()
