"""The story player (trip-map.js) in headless Chromium with every network request
blocked: stepping flies to each stop and its leg, opens its popup and fades the legs
still to come; the arrow keys step too; play runs to the last stop and stops;
reduced motion jumps instead of flying; stops with no coordinates are counted in
the readout; a still picture has no player.
"""

from __future__ import annotations

import time

import pytest

from trip.formats import html as html_format
from trip.geo import LatLon
from trip.itinerary import Itinerary, Place, Stop
from trip.samples import load_sample

from browser_support import block_external_requests

pytestmark = pytest.mark.browser

SAMPLE = "kim-jong-un-2023-far-east"

# The map, the stops' true points, and what the player and map show now.
STATE_JS = r"""() => {
  let map = null;
  for (const key of Object.keys(window)) {
    if (key.startsWith('map_') && window[key] instanceof L.Map) map = window[key];
  }
  const stops = {};
  map.eachLayer(layer => {
    if (layer.feature && layer.getLatLng) {
      const at = layer.getLatLng();
      stops[layer.feature.properties.n] = [at.lat, at.lng];
    }
  });
  const c = map.getCenter(), b = map.getBounds();
  const title = document.querySelector('.leaflet-popup .trip-popup-title');
  const legs = [...document.querySelectorAll('path.trip-leg')];
  return {
    readout: document.querySelector('.trip-story-text').textContent,
    note: document.querySelector('.trip-story-note').textContent,
    play: document.querySelector('.trip-story-play').textContent,
    popup: title ? title.textContent : null,
    centre: [c.lat, c.lng], zoom: map.getZoom(),
    bounds: [[b.getSouth(), b.getWest()], [b.getNorth(), b.getEast()]],
    stops, moves: window.__moves || 0,
    travelled: legs.filter(p => p.classList.contains('trip-leg-travelled')).length,
    faded: legs.filter(p => p.classList.contains('trip-leg-faded')).length,
    legs: legs.length,
  };
}"""

# Counts finished moves, so a test can wait for a flight to land.
COUNT_MOVES_JS = r"""() => {
  for (const key of Object.keys(window)) {
    if (key.startsWith('map_') && window[key] instanceof L.Map) {
      window.__moves = 0;
      window[key].on('moveend', () => { window.__moves += 1; });
    }
  }
}"""


def _open(browser, tmp_path, page_html: str, *, reduced_motion: str = "no-preference"):
    path = tmp_path / "map.html"
    path.write_text(page_html, encoding="utf-8")
    context = browser.new_context(viewport={"width": 1000, "height": 700}, reduced_motion=reduced_motion)
    blocked = block_external_requests(context, allowed_origins=("file://",))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.goto(path.as_uri(), wait_until="load", timeout=30_000)
    page.wait_for_function("() => window.L && document.querySelector('.leaflet-overlay-pane path')",
                           timeout=30_000)
    # The page's first fitBounds may still be zooming; steps start from the settled view.
    page.wait_for_function(
        "() => Object.keys(window).some(k => k.startsWith('map_') && window[k] instanceof L.Map"
        " && !window[k]._animatingZoom)", timeout=10_000)
    page.evaluate(COUNT_MOVES_JS)
    return context, page, blocked, errors


def _sample_page(interval_ms: int | None = None) -> str:
    page = html_format.render_html(load_sample(SAMPLE), tiles=None)
    if interval_ms is not None:
        # The player's interval travels in the map's data; a test need not wait 2.5 s a stop.
        assert page.count('"interval":2500') == 1
        page = page.replace('"interval":2500', f'"interval":{interval_ms}')
    return page


def _distance(a, b) -> float:
    """Degrees apart on the screen's plate carrée: enough to say "closer"."""
    return ((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5


def _toward(old, new, target) -> bool:
    """The centre moved from ``old`` to ``new`` in the direction of ``target``."""
    moved = (new[0] - old[0], new[1] - old[1])
    wanted = (target[0] - old[0], target[1] - old[1])
    return moved[0] * wanted[0] + moved[1] * wanted[1] > 0


def _inside(bounds, point) -> bool:
    (s, w), (n, e) = bounds
    return s <= point[0] <= n and w <= point[1] <= e


def _step(page, selector_or_key: str, *, key: bool = False) -> dict:
    """Press a player button (or a key) and wait for the map to land; the new state."""
    before = page.evaluate(STATE_JS)["moves"]
    if key:
        page.keyboard.press(selector_or_key)
    else:
        page.click(selector_or_key)
    page.wait_for_function(f"() => (window.__moves || 0) > {before}", timeout=10_000)
    page.wait_for_timeout(100)  # the layout's zoomend work
    return page.evaluate(STATE_JS)


def _rects_overlap(a, b) -> bool:
    return a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"] \
        and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"]


def test_player_is_real_buttons_in_the_bottom_centre_clear_of_legend_and_footer(browser, tmp_path):
    context, page, blocked, errors = _open(browser, tmp_path, _sample_page())
    try:
        buttons = page.locator(".trip-story button")
        labels = [buttons.nth(i).get_attribute("aria-label") for i in range(buttons.count())]
        assert labels == ["Previous stop", "Play the trip stop by stop", "Next stop", "Show the whole trip"]
        assert page.evaluate(STATE_JS)["readout"] == "Whole trip · 7 stops"
        assert page.locator(".trip-story-prev").is_disabled()
        player = page.locator(".trip-story").bounding_box()
        for other in (".trip-legend", ".trip-minimap", f"#{html_format.FOOTER_ID}", ".trip-title"):
            assert not _rects_overlap(player, page.locator(other).bounding_box()), other
        centre = player["x"] + player["width"] / 2
        assert abs(centre - 500) < 2  # the viewport is 1000 px wide
        assert errors == [] and blocked == []
    finally:
        context.close()


def test_on_a_narrow_map_the_player_stands_above_legend_and_minimap(browser, tmp_path):
    path = tmp_path / "map.html"
    path.write_text(_sample_page(), encoding="utf-8")
    context = browser.new_context(viewport={"width": 560, "height": 520})
    block_external_requests(context, allowed_origins=("file://",))
    page = context.new_page()
    try:
        page.goto(path.as_uri(), wait_until="load", timeout=30_000)
        page.wait_for_function("() => document.querySelector('.trip-minimap.leaflet-container')",
                               timeout=10_000)
        page.wait_for_timeout(200)
        player = page.locator(".trip-story").bounding_box()
        for other in (".trip-legend", ".trip-minimap", f"#{html_format.FOOTER_ID}"):
            assert not _rects_overlap(player, page.locator(other).bounding_box()), other
        text = page.locator(".trip-story-text")
        assert text.evaluate("node => node.scrollWidth <= node.clientWidth")  # not cut off
    finally:
        context.close()


def test_next_and_previous_fly_to_each_stop_open_its_popup_and_fade_later_legs(browser, tmp_path):
    trip = load_sample(SAMPLE)
    context, page, blocked, errors = _open(browser, tmp_path, _sample_page())
    try:
        state = page.evaluate(STATE_JS)
        stops = state["stops"]
        n = len(trip.stops)
        for k in range(1, n + 1):
            old_centre = state["centre"]
            state = _step(page, ".trip-story-next")
            stop = trip.stops[k - 1]
            assert state["readout"] == f"Stop {k} of {n} · {stop.date_label()} · {stop.name}"
            assert state["popup"] == f"{k}. {stop.name}"
            here = stops[str(k)]
            assert _inside(state["bounds"], here)
            if k > 1:
                assert _inside(state["bounds"], stops[str(k - 1)])  # the leg just travelled
            # Stops 5-7 lie within a few kilometres; elsewhere the centre must move toward
            # the stop (not onto it: the view leaves room for the popup above the stop).
            if _distance(old_centre, here) > 0.5:
                assert _toward(old_centre, state["centre"], here)
            assert state["travelled"] >= k - 1 and state["faded"] >= n - k
            assert state["travelled"] + state["faded"] == state["legs"]
        assert page.locator(".trip-story-next").is_disabled()

        state = _step(page, ".trip-story-prev")
        assert state["readout"].startswith(f"Stop {n - 1} of {n} · ")
        assert state["popup"] == f"{n - 1}. {trip.stops[n - 2].name}"
        for _ in range(n - 3):
            state = _step(page, ".trip-story-prev")
        assert state["readout"].startswith(f"Stop 2 of {n} · ")
        far = state["centre"]
        state = _step(page, ".trip-story-prev")
        assert state["popup"] == f"1. {trip.stops[0].name}"
        assert _toward(far, state["centre"], stops["1"])

        whole = _step(page, ".trip-story-whole")
        assert whole["readout"] == f"Whole trip · {n} stops"
        assert whole["popup"] is None
        assert whole["travelled"] == whole["faded"] == 0
        assert all(_inside(whole["bounds"], at) for at in stops.values())
        assert errors == [] and blocked == []
    finally:
        context.close()


def test_arrow_keys_step_when_the_map_has_focus(browser, tmp_path):
    trip = load_sample(SAMPLE)
    context, page, blocked, errors = _open(browser, tmp_path, _sample_page())
    try:
        page.focus(".leaflet-container")
        state = _step(page, "ArrowRight", key=True)
        assert state["readout"].startswith("Stop 1 of 7 · ") and state["popup"] == f"1. {trip.stops[0].name}"
        state = _step(page, "ArrowRight", key=True)
        assert state["readout"].startswith("Stop 2 of 7 · ")
        state = _step(page, "ArrowLeft", key=True)
        assert state["readout"].startswith("Stop 1 of 7 · ") and state["popup"] == f"1. {trip.stops[0].name}"
        # Up and down still pan the map; the player does not move.
        before = page.evaluate(STATE_JS)
        page.focus(".leaflet-container")
        page.keyboard.press("ArrowDown")
        page.wait_for_timeout(400)
        after = page.evaluate(STATE_JS)
        assert after["readout"] == before["readout"] and after["centre"][0] < before["centre"][0]
        assert errors == []
    finally:
        context.close()


def test_play_runs_to_the_last_stop_and_stops(browser, tmp_path):
    context, page, blocked, errors = _open(browser, tmp_path, _sample_page(interval_ms=400))
    try:
        started = time.monotonic()
        page.click(".trip-story-play")
        assert page.evaluate(STATE_JS)["play"] == "Pause"
        page.wait_for_function(
            "() => document.querySelector('.trip-story-text').textContent.startsWith('Stop 7 of 7')",
            timeout=15_000)
        page.wait_for_function("() => document.querySelector('.trip-story-play').textContent === 'Play'",
                               timeout=5_000)
        assert time.monotonic() - started >= 6 * 0.4  # one interval per step, none skipped
        page.wait_for_timeout(1000)
        state = page.evaluate(STATE_JS)
        assert state["readout"].startswith("Stop 7 of 7") and state["play"] == "Play"
        assert state["popup"].startswith("7. ")
        assert errors == [] and blocked == []
    finally:
        context.close()


def test_play_waits_about_two_and_a_half_seconds_a_stop_and_pauses(browser, tmp_path):
    context, page, blocked, errors = _open(browser, tmp_path, _sample_page())
    try:
        page.click(".trip-story-play")
        assert page.evaluate(STATE_JS)["readout"].startswith("Stop 1 of 7")
        page.wait_for_timeout(1800)
        assert page.evaluate(STATE_JS)["readout"].startswith("Stop 1 of 7")
        page.wait_for_function(
            "() => document.querySelector('.trip-story-text').textContent.startsWith('Stop 2 of 7')",
            timeout=2_500)
        page.click(".trip-story-play")  # pause
        page.wait_for_timeout(3000)
        state = page.evaluate(STATE_JS)
        assert state["readout"].startswith("Stop 2 of 7") and state["play"] == "Play"
        assert errors == []
    finally:
        context.close()


# Click "next" and read the map in the same task: a flight has not moved it yet, a jump has.
CLICK_AND_READ_JS = r"""() => {
  let map = null;
  for (const key of Object.keys(window)) {
    if (key.startsWith('map_') && window[key] instanceof L.Map) map = window[key];
  }
  const zoom = map.getZoom();
  document.querySelector('.trip-story-next').click();
  const title = document.querySelector('.leaflet-popup .trip-popup-title');
  return { before: zoom, after: map.getZoom(), popup: title ? title.textContent : null };
}"""


@pytest.mark.parametrize("motion, jumps", [("reduce", True), ("no-preference", False)])
def test_reduced_motion_jumps_instead_of_flying(browser, tmp_path, motion, jumps):
    context, page, blocked, errors = _open(browser, tmp_path, _sample_page(), reduced_motion=motion)
    try:
        result = page.evaluate(CLICK_AND_READ_JS)
        assert (result["after"] != result["before"]) is jumps
        assert result["popup"] == "1. Pyongyang"
        if not jumps:
            page.wait_for_function("() => window.__moves > 0", timeout=10_000)
            assert page.evaluate(STATE_JS)["zoom"] != result["before"]
        assert errors == []
    finally:
        context.close()


def test_stops_without_coordinates_are_skipped_but_counted(browser, tmp_path):
    trip = Itinerary(
        stops=(
            Stop(Place('<img src=x onerror=alert(1)>"Anadyr"', LatLon(64.7337, 177.5089)), date="2024-07-01"),
            Stop(Place("Nome", LatLon(64.5011, -165.4064)), date="2024-07-02", mode="plane"),
            Stop(Place("<b>Nowhere</b> known"), date="2024-07-03"),
            Stop(Place("Fairbanks", LatLon(64.8378, -147.7164)), date="2024-07-05", mode="car"),
            Stop(Place("Also nowhere"), date="2024-07-06"),
        ),
        title="across the date line",
    )
    context, page, blocked, errors = _open(browser, tmp_path, html_format.render_html(trip, tiles=None))
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        state = page.evaluate(STATE_JS)
        assert state["readout"] == "Whole trip · 5 stops" and state["note"] == "2 with no location"
        state = _step(page, ".trip-story-next")
        assert state["readout"] == 'Stop 1 of 5 · 2024-07-01 · <img src=x onerror=alert(1)>"Anadyr"'
        assert state["note"] == ""
        _step(page, ".trip-story-next")
        state = _step(page, ".trip-story-next")
        assert state["readout"] == "Stop 4 of 5 · 2024-07-05 · Fairbanks"
        assert state["note"] == "Skipped stops 3, 5 of 5 — no location"
        assert page.locator(".trip-story-next").is_disabled()
        state = _step(page, ".trip-story-prev")
        assert state["readout"].startswith("Stop 2 of 5") and state["note"] == ""
        assert page.locator(".trip-story img, .trip-story b").count() == 0
        assert dialogs == [] and errors == []
    finally:
        context.close()


def test_a_still_picture_page_has_no_player(browser, tmp_path):
    still = html_format.render_html(load_sample(SAMPLE), tiles=None, still=True)
    context, page, blocked, errors = _open(browser, tmp_path, still)
    try:
        assert page.locator(".trip-marker, .trip-stop").count() > 0
        assert page.locator(".trip-story").count() == 0
        assert errors == []
    finally:
        context.close()
