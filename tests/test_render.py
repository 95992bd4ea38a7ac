"""The Folium map: markers, route coordinates, styles, escaping, and no CDN anywhere."""

from __future__ import annotations

import json
import re

import pytest

from trip.assets import asset_links
from trip.errors import ValidationError
from trip.geo import LatLon
from trip.itinerary import Itinerary, Place, Source, Stop
from trip.render import MODE_STYLES, TripMap, map_data, map_html, render_map, to_js_json
from trip.route import build_route
from trip.samples import load_sample

EVIL_NAME = "<img src=x onerror=alert(1)>"
EVIL_TEMPLATE = "${alert(1)}"
EVIL_SCRIPT = "</script><script>alert(2)</script>"


def evil_trip() -> Itinerary:
    return Itinerary(
        (
            Stop(Place(EVIL_NAME, LatLon(43.1155, 131.8855)), date="2023-09-16", mode="train",
                 note=EVIL_SCRIPT + " <!-- " + "\u2028",
                 sources=(Source("<b>bold</b> & co", "https://example.org/?a=1&b=<2>"),)),
            Stop(Place(EVIL_TEMPLATE, LatLon(43.3583, 132.1872)), date="2023-09-17", mode="car",
                 status="planned", note="`backtick` {{ jinja }} {% raw %}"),
        ),
        title="</title><script>alert(3)</script>",
    )


def external_urls(html: str) -> list[str]:
    tags = re.findall(r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*[\"']?([^\"' >]+)", html, re.I)
    return [u for u in tags if not u.startswith("data:")]


@pytest.fixture(scope="module")
def kim_html() -> str:
    trip = load_sample("kim-jong-un-2023-far-east")
    return map_html(trip, route=build_route(trip))


def test_no_script_or_stylesheet_comes_from_the_network(kim_html):
    assert external_urls(kim_html) == []
    for cdn in ("cdn.jsdelivr", "cdnjs", "code.jquery", "bootstrapcdn", "unpkg", "fontawesome"):
        assert cdn not in kim_html
    # Tiles are the only online part; asked for none, the page names no host at all.
    offline = map_html(load_sample("kim-jong-un-2023-far-east"), tiles=None)
    assert not re.search(r"https?://(?!example)", offline.split("TripMap.prepare")[0])


def test_map_uses_local_assets_for_streamlit_folium_too():
    m = render_map(load_sample("hanoi-beijing-rail"))
    assert isinstance(m, TripMap)
    assert [name for name, _ in m.default_js] == ["leaflet", "trip_map"]
    assert all(url.startswith("data:") for _, url in m.default_js + m.default_css)
    served = render_map(load_sample("hanoi-beijing-rail"), asset_links=asset_links(base_url="/assets"))
    html = served.get_root().render()
    assert '<script src="/assets/leaflet.js"></script>' in html


def test_the_map_has_every_promised_part(kim_html):
    for piece in ("TripMap.stopsLayer", "TripMap.routeLayer", "TripMap.controls", "L.control.layers",
                  "L.control.scale", ".fitBounds(", '"legend":true', '"fullscreen":true', '"minimap":{'):
        assert piece in kim_html, piece
    assert "<title>Kim Jong Un in the Russian Far East, September 2023</title>" in kim_html


def test_stops_are_numbered_with_dates_and_coordinates():
    trip = load_sample("kim-jong-un-2023-far-east")
    data = map_data(trip)
    rows = data["stops"]
    assert [r[0] for r in rows] == list(range(1, 8))
    khasan = rows[1]
    assert khasan[1:5] == [130.6436, 42.4283, "Khasan", "2023-09-12"]  # number, lon, lat, place, date
    vladivostok = rows[-1]
    assert vladivostok[4] == "2023-09-16 to 2023-09-17" and vladivostok[5] == "2023-09-16–17"
    assert data["numbered"] and data["dateLabels"]


def test_leg_polylines_start_and_end_at_their_stops_and_curve_between():
    trip = load_sample("kim-jong-un-2023-far-east")
    data = map_data(trip, route=build_route(trip))
    legs = data["legs"]
    assert [leg[:2] for leg in legs] == [[1, 2], [2, 3], [3, 4], [4, 5], [5, 6], [6, 7]]
    khasan_vostochny = legs[1]
    assert khasan_vostochny[2] == pytest.approx(1066, abs=5)  # geodesic km from the route
    inner = khasan_vostochny[3]
    assert len(inner) >= 5  # a great circle, not a straight segment
    lats = [p[0] for p in inner]
    assert lats == sorted(lats) and 42.43 < lats[0] and lats[-1] < 51.89
    assert data["modes"] == ["train", "car"]
    assert data["approxKm"] is False


def test_pacific_crossing_is_drawn_continuously_by_default():
    data = map_data(load_sample("tokyo-honolulu-los-angeles"))
    lons = [row[1] for row in data["stops"]]
    assert lons == [pytest.approx(139.7798 - 360), -157.9225, -118.4085]
    inner = data["legs"][0][3]
    path = [lons[0]] + [p[1] for p in inner] + [lons[1]]
    assert all(abs(b - a) < 5 for a, b in zip(path, path[1:]))
    (south_west, north_east) = data["bounds"]
    assert north_east[1] - south_west[1] < 110  # the Pacific, not the whole world


def test_split_mode_cuts_the_crossing_at_180():
    data = map_data(load_sample("tokyo-honolulu-los-angeles"), antimeridian="split")
    parts = data["legs"][0][4]
    assert len(parts) == 2
    assert parts[0][-1][1] == 180.0 and parts[1][0][1] == -180.0
    assert parts[0][0] == [35.5523, 139.7798]
    with pytest.raises(ValidationError, match="antimeridian"):
        map_data(load_sample("tokyo-honolulu-los-angeles"), antimeridian="sideways")  # type: ignore[arg-type]


def test_modes_and_statuses_have_styles():
    data = map_data(load_sample("hanoi-beijing-rail"))
    assert set(data["styles"]) == {m.value for m in MODE_STYLES}
    assert data["plannedDash"] and len({s.color for s in MODE_STYLES.values()}) == len(MODE_STYLES)
    assert data["statuses"][data["stops"][-1][6]] == "planned"


def test_implausible_legs_carry_their_warning():
    trip = Itinerary((Stop(Place("A", LatLon(0, 0)), date="2023-01-01"),
                      Stop(Place("B", LatLon(0, 60)), date="2023-01-01", mode="walk")))
    data = map_data(trip, route=build_route(trip))
    assert "faster than is plausible by walk" in data["legs"][0][5]
    assert data["hasWarnings"]


def test_user_text_is_escaped_for_html_and_javascript():
    html = map_html(evil_trip(), tiles=None)
    assert EVIL_NAME not in html
    assert EVIL_SCRIPT not in html and "alert(2)</script>" not in html
    assert "<!-- " not in html.split("TripMap.prepare")[1]
    assert "\u2028" not in html
    assert "<title>&lt;/title&gt;&lt;script&gt;alert(3)&lt;/script&gt;</title>" in html
    assert "<script>alert(3)" not in html
    # The text is still there, as JSON string content for textContent.
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in html
    assert json.dumps(EVIL_TEMPLATE) in html
    # Jinja syntax in a note is data, not template code: its "{" is escaped as
    # \u007b so no later template pass can evaluate it, and JSON reads it back as typed.
    assert "\\u007b{ jinja }}" in html and "\\u007b% raw %}" in html
    assert "{{ jinja }}" not in html and "{% raw %}" not in html


def test_to_js_json_escapes_everything_that_could_end_a_script():
    text = to_js_json({"a": "</script><!--&\u2028\u2029"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"a": "</script><!--&\u2028\u2029"}


def test_unresolved_stops_are_counted_not_drawn():
    trip = Itinerary((Stop(Place("A", LatLon(1, 1))), Stop("Nowhere"), Stop(Place("B", LatLon(2, 2)))))
    data = map_data(trip)
    assert [r[0] for r in data["stops"]] == [1, 3]
    assert [leg[:2] for leg in data["legs"]] == [[1, 3]]
    assert "1 not on the map (no coordinates)" in map_html(trip, tiles=None)


def test_empty_and_single_stop_trips_render():
    assert "TripMap.prepare" in map_html(Itinerary(), tiles=None)
    assert ".fitBounds(" in map_html(Itinerary((Stop(Place("A", LatLon(1, 1))),)), tiles=None)


def test_big_trips_switch_to_dots():
    stops = tuple(Stop(Place(f"S{i}", LatLon(i % 80, i % 170))) for i in range(30))
    assert map_data(Itinerary(stops), numbered_limit=10)["numbered"] is False


def test_tiles_are_validated():
    with pytest.raises(ValidationError, match="is not a tile set"):
        render_map(Itinerary(), tiles="Stamen Moon")
    assert "tile.openstreetmap.org" in map_html(Itinerary(), tiles="OpenStreetMap")
    html = map_html(Itinerary(), tiles="https://tiles.example/{z}/{x}/{y}.png")
    assert "tiles.example" in html


@pytest.mark.browser
def test_map_draws_offline_and_shows_hostile_text_as_text():
    """In Chromium with every network request blocked: markers, arrows, text, no script runs."""
    from playwright.sync_api import sync_playwright

    from browser_support import block_external_requests, launch_chromium

    html = map_html(evil_trip(), tiles=None)
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            context = browser.new_context(viewport={"width": 900, "height": 600})
            blocked = block_external_requests(context)
            page = context.new_page()
            dialogs, errors = [], []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.set_content(html, wait_until="load", timeout=20_000)
            page.wait_for_selector(".trip-stop", timeout=10_000)
            assert page.locator(".trip-stop").count() == 2
            assert page.locator(".leaflet-interactive.trip-leg").count() == 1
            assert page.locator(".trip-legend").count() == 1
            assert page.locator(".trip-minimap").count() == 1
            assert page.locator(".trip-title-main").inner_text() == "</title><script>alert(3)</script>"
            page.locator(".trip-stop").first.click()
            popup = page.locator(".trip-popup")
            popup.wait_for(timeout=5_000)
            assert popup.locator(".trip-popup-title").inner_text() == "1. " + EVIL_NAME
            assert EVIL_SCRIPT in popup.locator(".trip-popup-note").inner_text()
            link = popup.locator("a")
            assert link.get_attribute("href") == "https://example.org/?a=1&b=%3C2%3E"
            assert link.inner_text() == "<b>bold</b> & co"
            page.keyboard.press("Escape")
            page.locator(".trip-stop").nth(1).dispatch_event("mouseover")
            assert EVIL_TEMPLATE in page.locator(".leaflet-tooltip").last.inner_text()
            assert page.locator("img[src=x]").count() == 0
            assert dialogs == [] and errors == []
            assert blocked == []
            # With the default tiles, the tiles are the only thing asked of the network,
            # and the map draws without them.
            page.set_content(map_html(load_sample("kim-jong-un-2023-far-east")), wait_until="load")
            page.wait_for_selector(".trip-stop", timeout=10_000)
            assert page.locator(".trip-stop").count() == 7
            assert page.locator(".leaflet-interactive.trip-leg").count() == 6
            for _ in range(50):  # tile requests are intercepted asynchronously
                if blocked:
                    break
                page.wait_for_timeout(100)
            assert blocked and all(url.startswith("https://tile.openstreetmap.org/") for url in blocked)
            assert errors == []
        finally:
            browser.close()


def test_streamlit_folium_gets_the_same_script_and_local_assets():
    """streamlit-folium rebuilds the page from each element's script macro and default_js."""
    from streamlit_folium import generate_leaflet_string

    m = render_map(load_sample("kim-jong-un-2023-far-east"))
    m.get_root().render()
    script = generate_leaflet_string(m)
    assert "TripMap.prepare(map_div, {" in script
    assert script.count("TripMap.stopsLayer(") == 1 and script.count("TripMap.routeLayer(") == 2
    assert '"Vostochny Cosmodrome"' in script


from hypothesis import HealthCheck, given, settings  # noqa: E402

from strategies import antimeridian_itineraries, itineraries  # noqa: E402

FEW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FEW
@given(itinerary=itineraries(max_stops=5))
def test_any_trip_travels_as_inert_json(itinerary):
    html = map_html(itinerary, tiles=None, minimap=False)
    start = html.index("TripMap.prepare(")
    blob = html[html.index(", ", start) + 2: html.index(");\n", start)]
    assert not set(blob) & set("<>&'\u2028\u2029")
    data = json.loads(blob)
    assert data["stops"] == json.loads(to_js_json(map_data(itinerary)["stops"]))
    assert [row[3] for row in data["stops"]] == [s.name for s in itinerary if s.location is not None]


@FEW
@given(itinerary=antimeridian_itineraries())
def test_routes_near_the_antimeridian_never_jump(itinerary):
    data = map_data(itinerary)
    stops = {row[0]: (row[2], row[1]) for row in data["stops"]}
    for leg in data["legs"]:
        path = [stops[leg[0]], *[tuple(p) for p in leg[3]], stops[leg[1]]]
        assert all(abs(b[1] - a[1]) < 180 for a, b in zip(path, path[1:]))


def test_leg_rows_carry_the_speed_range_for_the_tooltip():
    trip = load_sample("kim-jong-un-2023-far-east")
    route = build_route(trip)
    data = map_data(trip, route=route)
    assert data["legColumns"][6] == "speed"
    first = data["legs"][0]
    assert first[6] == "7.9–24 km/h" and first[5] == ""  # no warning, but the speed keeps its column
    assert [leg[6] for leg in data["legs"]] == [leg.speed_label() + " km/h" for leg in route.legs]
    assert not data["hasWarnings"]
    # Without a route there are no dates behind the distances: no speed, rows as short as before.
    assert all(len(leg) <= 5 for leg in map_data(trip)["legs"])
