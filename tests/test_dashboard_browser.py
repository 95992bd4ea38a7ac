"""The dashboard end to end: ``streamlit run`` on 127.0.0.1, Debian's Chromium, no internet.

The browser may reach only the app's own origin: every other request is aborted
and recorded, so the map drawing proves that Leaflet and every script and
stylesheet come from this server. Only map tiles may be among the blocked
requests (without them the route draws on a plain background).
"""

from __future__ import annotations

import datetime as dt
import io
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image
from playwright.sync_api import Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from browser_support import (MAP_IFRAME, STOP_LATS_JS, block_external_requests, launch_chromium,
                             streamlit_server, wait_for_app_idle)
from trip.formats import read_itinerary
from trip.geo import LatLon
from trip.itinerary import Itinerary, Place, Source, Stop
from trip.samples import DEFAULT_SAMPLE, load_sample
from trip.share import decode_itinerary, encode_itinerary

TILE_HOSTS = ("tile.openstreetmap.org", "basemaps.cartocdn.com")
# JavaScript run in the page: the Leaflet map inside the (same-origin) map iframe.
_MAP = f"document.querySelector('{MAP_IFRAME}')?.contentWindow?.map"


@pytest.fixture(scope="module")
def browser_page():
    with streamlit_server() as url, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context(viewport={"width": 1400, "height": 1100}, accept_downloads=True)
        context.set_default_timeout(30_000)
        blocked = block_external_requests(context, (url,))
        page = context.new_page()
        try:
            yield url, page, blocked
        finally:
            context.close()
            browser.close()


def _stop_lats(page: Page, *, until=None, timeout_ms: int = 30_000) -> list[float]:
    """The latitudes of the stop markers on the map, once ``until(lats)`` holds."""
    check = until or (lambda lats: bool(lats))
    handle = None
    deadline_js = f"""() => {{ const f = ({STOP_LATS_JS}); const v = f(); return v && v.length ? v : null; }}"""
    page.wait_for_function(deadline_js, timeout=timeout_ms, polling=100)
    for _ in range(timeout_ms // 50):
        handle = page.evaluate(STOP_LATS_JS)
        if handle and check(handle):
            return handle
        page.wait_for_timeout(50)
    raise AssertionError(f"the map never showed the expected stops (last: {handle})")


def _selected_cell(page: Page) -> tuple[int, int]:
    cell_id = page.wait_for_function(
        "() => document.querySelector('[id^=glide-cell-][aria-selected=true]')?.id",
        polling=50).json_value()
    _, _, col, row = cell_id.split("-")
    return int(col), int(row)


def _edit_cell(page: Page, *, column: int, row: int, text: str, attempts: int = 3) -> None:
    """Type ``text`` into a cell of the stops table, as a user does, until the trip changes.

    On a loaded machine the grid's cell editor can take Enter before it has taken
    the typed text, which commits nothing; the edit is then typed again.
    """
    before = page.evaluate("() => window.location.href")
    for _ in range(attempts):
        _type_into_cell(page, column=column, row=row, text=text)
        try:
            page.wait_for_function("u => window.location.href !== u", arg=before, polling=100,
                                   timeout=10_000)
            return
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    raise AssertionError(f"typing {text!r} into row {row}, column {column} never changed the trip")


def _type_into_cell(page: Page, *, column: int, row: int, text: str) -> None:
    grid = page.locator('[data-testid="stDataFrame"]').first
    box = grid.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + 35 + 17)  # a cell of the first row
    col, current = _selected_cell(page)
    for _ in range(abs(column - col)):
        page.keyboard.press("ArrowRight" if column > col else "ArrowLeft")
    for _ in range(row - current):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.locator("#portal input, #portal textarea").first.wait_for()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)
    # Commit only once the cell editor holds the text (it renders asynchronously).
    page.wait_for_function(
        "t => { const e = document.querySelector('#portal input, #portal textarea');"
        " return e && e.value === t; }", arg=text, polling=50)
    page.wait_for_timeout(200)  # and once React has taken it: Enter commits the editor's state
    page.keyboard.press("Enter")


def _empty_map_point(page: Page) -> tuple[float, float]:
    """A point (page coordinates) where the map shows only its background: no stop, line or control."""
    box = page.locator(MAP_IFRAME).bounding_box()
    found = page.evaluate(
        """([w, h]) => {
            const doc = document.querySelector('%s').contentDocument;
            for (const fy of [0.4, 0.5, 0.3, 0.6, 0.2, 0.7]) {
                for (const fx of [0.25, 0.35, 0.15, 0.5, 0.65, 0.8]) {
                    const el = doc.elementFromPoint(w * fx, h * fy);
                    if (el && (el.id === 'map_div' || /leaflet-(tile|pane|layer)/.test(el.className || ''))
                        && !el.closest('.leaflet-marker-icon, .leaflet-control, .leaflet-popup'))
                        return [w * fx, h * fy];
                }
            }
            return null;
        }""" % MAP_IFRAME, [box["width"], box["height"]])
    assert found, "no empty spot on the map to click"
    return box["x"] + found[0], box["y"] + found[1]


def _wait_ready(page: Page) -> None:
    """The whole page is drawn (the sidebar comes last) and no script run is in progress."""
    page.locator('[data-testid="stSidebar"] input[aria-label="Trip title"]').wait_for(timeout=60_000)
    page.locator('[data-testid="stDataFrame"]').first.wait_for()
    wait_for_app_idle(page, timeout_ms=60_000)


def _download(page: Page, label: str, attempts: int = 2) -> bytes:
    """Click a download button in the sidebar and return the file it saves."""
    button = page.locator('[data-testid="stSidebar"]').get_by_role("button", name=label)
    for attempt in range(attempts):
        try:
            with page.expect_download(timeout=20_000) as info:
                button.click()
            with open(info.value.path(), "rb") as handle:
                return handle.read()
        except PlaywrightTimeout:
            if attempt == attempts - 1:
                raise
            _wait_ready(page)
    raise AssertionError("unreachable")


def _no_errors(page: Page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0
    alerts = page.locator('[data-testid="stAlert"]').all_inner_texts()
    assert not any("failed" in a or "Traceback" in a for a in alerts), alerts


def _url_trip(page: Page):
    token = parse_qs(urlsplit(page.url).query)["trip"][0]
    return decode_itinerary(token)


def test_dashboard_end_to_end_offline(browser_page) -> None:
    url, page, blocked = browser_page
    sample = load_sample(DEFAULT_SAMPLE)

    # 1. The map draws, with the route and every stop, from this server alone.
    page.goto(url)
    _wait_ready(page)
    lats = _stop_lats(page, until=lambda v: len(v) == len(sample.resolved_stops))
    assert sorted(lats) == pytest.approx(sorted(s.location.lat for s in sample.resolved_stops))
    frame = page.frame_locator(MAP_IFRAME)
    assert frame.locator("#map_div path.trip-leg").count() >= 1
    assert frame.locator("#map_div .trip-stop").count() == len(sample.resolved_stops)
    assert page.evaluate(f"() => {_MAP.replace('.map', '.L.version')}") == "1.9.4"
    others = [u for u in blocked if urlsplit(u).hostname not in TILE_HOSTS]
    assert not others, f"requests that left the app's origin: {others}"
    _no_errors(page)
    assert _url_trip(page) == sample

    # 2. Edit a stop's latitude in the table: the map moves the marker.
    last = len(sample) - 1
    _edit_cell(page, column=7, row=last, text="45.5")
    lats = _stop_lats(page, until=lambda v: any(abs(x - 45.5) < 1e-6 for x in v))
    assert len(lats) == len(sample.resolved_stops)
    _wait_ready(page)
    edited = _url_trip(page)
    assert edited[last].location.lat == pytest.approx(45.5)
    assert edited[last].place.source == "manual"
    assert edited.stops[:last] == sample.stops[:last]
    _no_errors(page)

    # 3. Reload: the edit survives, from the URL alone.
    page.reload()
    _wait_ready(page)
    lats = _stop_lats(page, until=lambda v: len(v) == len(sample.resolved_stops))
    assert any(abs(x - 45.5) < 1e-6 for x in lats)
    assert page.locator(f"#glide-cell-7-{last}").first.inner_text() in ("45.5", "45.5000")
    _no_errors(page)

    # 4. Click stop 3 on the map: it is selected (the stop panel shows it).
    frame.locator("#map_div .trip-stop").nth(2).click()
    page.get_by_text(f"Stop 3: {sample[2].name}").wait_for()
    wait_for_app_idle(page)
    _no_errors(page)

    # 5. With stop 3 selected, click the map elsewhere and confirm: a manual pin.
    frame.locator(".leaflet-popup-close-button").first.click()  # the stop's popup opened too
    x, y = _empty_map_point(page)
    page.mouse.click(x, y)
    move = page.get_by_role("button", name="Move here")
    move.wait_for()
    before = page.evaluate("() => window.location.href")
    move.click()
    page.wait_for_function("u => window.location.href !== u", arg=before, polling=100)
    _wait_ready(page)
    pinned = _url_trip(page)
    assert pinned[2].place.source == "manual" and pinned[2].location != sample[2].location
    lats = _stop_lats(page, until=lambda v: any(abs(x - pinned[2].location.lat) < 1e-4 for x in v))
    assert len(lats) == len(sample.resolved_stops)
    edited = pinned
    _no_errors(page)

    # 6. Download a GPX file: the same trip comes back when it is read.
    data = _download(page, "GPX")
    back = read_itinerary(data, name="trip.gpx")
    assert [s.name for s in back.stops] == [s.name for s in edited.stops]

    others = [u for u in blocked if urlsplit(u).hostname not in TILE_HOSTS]
    assert not others, f"requests that left the app's origin: {others}"
    assert page.locator('[data-testid="stException"]').count() == 0


# -- empty cells -----------------------------------------------------------------------

_ROW_PX = 35  # the grid's header and row height


def _column_left(page: Page, column: int) -> float:
    """The page x where grid column ``column`` starts: a binary search, clicking along the first row."""
    box = page.locator('[data-testid="stDataFrame"]').first.bounding_box()
    y = box["y"] + _ROW_PX + _ROW_PX / 2

    def column_at(x: float) -> int:
        page.keyboard.press("Escape")
        page.wait_for_function("() => !document.querySelector('[id^=glide-cell-][aria-selected=true]')",
                               polling=50, timeout=5_000)
        page.mouse.click(x, y)
        found = _selected_cell(page)[0]
        page.wait_for_timeout(350)  # the next click is not a double click (which opens the editor)
        return found

    low, high = box["x"] + 1, box["x"] + box["width"] / 2  # column_at(low) < column <= column_at(high)
    assert column_at(high) >= column, "the grid is too narrow"
    while high - low > 2:
        middle = (low + high) / 2
        if column_at(middle) >= column:
            high = middle
        else:
            low = middle
    page.keyboard.press("Escape")
    return high


def _ink(page: Page, x: float, row: int) -> int:
    """Pixels clearly darker than the background at the start of a cell (where its text goes)."""
    box = page.locator('[data-testid="stDataFrame"]').first.bounding_box()
    top = box["y"] + _ROW_PX * (row + 1) + 9
    png = page.screenshot(clip={"x": x + 2, "y": top, "width": 44, "height": _ROW_PX - 18})
    gray = Image.open(io.BytesIO(png)).convert("L")
    return sum(1 for v in gray.tobytes() if v < 200)


def _cell_drawn(page: Page, x: float, row: int, *, text: bool, timeout_ms: int = 10_000) -> bool:
    """Whether the cell at ``x`` in ``row`` comes to show text (or to be blank) once the grid redraws."""
    for _ in range(timeout_ms // 250):
        if (_ink(page, x, row) > 20) if text else (_ink(page, x, row) == 0):
            return True
        page.wait_for_timeout(250)
    return False


def _trip_changes(page: Page, action, *, attempts: int = 3) -> None:
    """Do ``action`` (an edit) until the trip in the URL changes: on a loaded machine the
    grid can drop the key press that commits an edit, which changes nothing; the
    actions used here (set a date, clear it) give the same trip when repeated."""
    before = page.evaluate("() => window.location.href")
    for attempt in range(attempts):
        action()
        try:
            page.wait_for_function("u => window.location.href !== u", arg=before, polling=100,
                                   timeout=10_000 if attempt < attempts - 1 else 20_000)
            break
        except PlaywrightTimeout:
            if attempt == attempts - 1:
                raise
            page.keyboard.press("Escape")
            _wait_ready(page)
    _wait_ready(page)


def test_undated_stops_show_empty_cells_and_take_a_date(browser_page) -> None:
    url, page, _ = browser_page
    sources = (Source("Report <draft>"), Source("A | B; C", "https://example.org/a|b"))
    trip = Itinerary((
        Stop(Place("Alpha", LatLon(43.1, 131.9), source="file"), date="2023-09-12", sources=sources),
        Stop(Place("Beta", LatLon(44.0, 132.5), source="file"), sources=sources),
        Stop("Gamma"),
    ), title="Undated")
    page.goto(f"{url}/?trip={encode_itinerary(trip)}")
    _wait_ready(page)
    date_x = _column_left(page, 3)
    page.keyboard.press("Escape")
    page.mouse.move(5, 5)
    page.wait_for_timeout(300)
    # The dated cell has text where the undated ones are blank (they used to read "None").
    assert _cell_drawn(page, date_x, 0, text=True)
    assert _cell_drawn(page, date_x, 1, text=False) and _cell_drawn(page, date_x, 2, text=False)

    # Give Beta a date in the date picker, then clear it again with Delete.
    def set_date() -> None:
        _type_into_cell_editor(page, column=3, row=1)
        page.locator("#portal input").first.fill("2023-09-20")
        page.wait_for_timeout(200)
        page.keyboard.press("Enter")

    _trip_changes(page, set_date)
    dated = _url_trip(page)
    assert dated[1].date == dt.date(2023, 9, 20) and dated[1].sources == sources
    page.mouse.move(5, 5)
    assert _cell_drawn(page, date_x, 1, text=True)

    def clear_date() -> None:
        _select_cell(page, column=3, row=1)
        page.keyboard.press("Delete")

    _trip_changes(page, clear_date)
    cleared = _url_trip(page)
    assert cleared == trip
    page.mouse.move(5, 5)
    assert _cell_drawn(page, date_x, 1, text=False)
    _no_errors(page)


def _select_cell(page: Page, *, column: int, row: int) -> None:
    """Click the first row, then move the selection with the arrow keys to (column, row)."""
    box = page.locator('[data-testid="stDataFrame"]').first.bounding_box()
    for _ in range(3):  # a click right after the grid lost the pointer may only focus it
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + _ROW_PX + _ROW_PX / 2)
        try:
            page.wait_for_function("() => !!document.querySelector('[id^=glide-cell-][aria-selected=true]')",
                                   polling=50, timeout=3_000)
            break
        except PlaywrightTimeout:
            page.wait_for_timeout(400)
    target = f"() => !!document.querySelector('#glide-cell-{column}-{row}[aria-selected=true]')"
    for attempt in range(4):
        # On a loaded machine the grid can drop a key press while it redraws: look
        # where the selection really is and move from there again.
        col, current = _selected_cell(page)
        for _ in range(abs(column - col)):
            page.keyboard.press("ArrowRight" if column > col else "ArrowLeft")
        for _ in range(abs(row - current)):
            page.keyboard.press("ArrowDown" if row > current else "ArrowUp")
        try:
            page.wait_for_function(target, polling=50, timeout=5_000 if attempt < 3 else 30_000)
            return
        except PlaywrightTimeout:
            if attempt == 3:
                raise


def _type_into_cell_editor(page: Page, *, column: int, row: int) -> None:
    _select_cell(page, column=column, row=row)
    page.keyboard.press("Enter")
    page.locator("#portal input").first.wait_for()
