"""The self-contained HTML export in headless Chromium with every network request blocked:
Leaflet loads from the page itself, the route and every marker draw, a popup opens.
"""

from __future__ import annotations

import pytest

from trip.formats import html as html_format
from trip.geo import LatLon
from trip.itinerary import Itinerary, Place, Source, Stop
from trip.provenance import content_hash
from trip.route import build_route
from trip.samples import load_sample

from browser_support import block_external_requests

pytestmark = pytest.mark.browser

TILE_HOSTS = ("https://tile.openstreetmap.org",)

HOSTILE_ACROSS_DATE_LINE = Itinerary(
    stops=(
        Stop(Place('<img src=x onerror=alert(1)>"Anadyr"', LatLon(64.7337, 177.5089), source="manual"),
             date="2024-07-01", note="</script><script>alert(2)</script>",
             sources=(Source("<b>log</b>", "https://example.org/?a=1&b=2"),)),
        Stop(Place("Nome", LatLon(64.5011, -165.4064), source="airports"), date="2024-07-02", mode="plane"),
        Stop(Place("Nowhere known"), date="2024-07-03"),
        Stop(Place("Fairbanks", LatLon(64.8378, -147.7164), source="geonames"), date="2024-07-05", mode="car"),
    ),
    title="${alert(3)} <script>alert(4)</script>",
)


def _open(browser, tmp_path, itinerary):
    """Open the exported file from disk with all network blocked; return (page, blocked, log)."""
    path = tmp_path / "map.html"
    path.write_bytes(html_format.write(itinerary))
    context = browser.new_context(viewport={"width": 1000, "height": 700})
    blocked = block_external_requests(context, allowed_origins=("file://",))
    page = context.new_page()
    log = {"errors": [], "dialogs": []}
    page.on("pageerror", lambda err: log["errors"].append(str(err)))
    page.on("dialog", lambda dialog: (log["dialogs"].append(dialog.message), dialog.dismiss()))
    page.goto(path.as_uri(), wait_until="load", timeout=30_000)
    page.wait_for_function("() => window.L && document.querySelector('.leaflet-overlay-pane path')",
                           timeout=30_000)
    return context, page, blocked, log


def test_sample_map_draws_offline_and_a_popup_opens(browser, tmp_path):
    trip = load_sample("kim-jong-un-2023-far-east")
    context, page, blocked, log = _open(browser, tmp_path, trip)
    try:
        assert page.evaluate("() => typeof window.L") == "object"
        assert page.evaluate("() => L.version") == "1.9.4"
        markers = page.locator(".leaflet-marker-icon.trip-stop")
        assert markers.count() == len(trip.resolved_stops)
        legs = len(build_route(trip).legs)
        assert page.locator("path.trip-leg").count() >= legs > 0
        markers.first.click()
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for(state="visible", timeout=10_000)
        assert trip[0].name in popup.inner_text()
        # nothing but tiles was even attempted, and all of it was blocked
        assert all(url.startswith(TILE_HOSTS) for url in blocked), blocked
        assert log["errors"] == []
        # the provenance footer is on screen, and opens to the full record
        footer = page.locator("#trip-provenance-footer")
        assert footer.is_visible()
        footer.locator("summary").click()
        text = footer.inner_text()
        assert content_hash(trip) in text and "Gazetteer:" in text
        assert footer.locator("a[href^='https://']").count() >= 1
    finally:
        context.close()


def test_hostile_text_across_the_date_line_is_shown_not_run(browser, tmp_path):
    trip = HOSTILE_ACROSS_DATE_LINE
    context, page, blocked, log = _open(browser, tmp_path, trip)
    try:
        markers = page.locator(".leaflet-marker-icon.trip-stop")
        assert markers.count() == 3  # the stop without coordinates is not drawn
        assert page.locator("path.trip-leg").count() >= 2
        markers.first.click()
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for(state="visible", timeout=10_000)
        assert '<img src=x onerror=alert(1)>"Anadyr"' in popup.inner_text()
        page.wait_for_timeout(200)
        assert log["dialogs"] == [] and log["errors"] == []
        assert page.evaluate("() => document.querySelectorAll('img[src=\"x\"]').length") == 0
        assert all(url.startswith(TILE_HOSTS) for url in blocked), blocked
    finally:
        context.close()
