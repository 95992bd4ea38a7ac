"""Many people on one dashboard: five browser contexts at once against one ``streamlit run``.

Each context (its own cookies and storage, as a separate person would have)
opens its own trip through a share link, renames it and moves a stop, with the
steps of all five interleaved so their sessions overlap on the server. Then:

* each one sees only its own trip: its title, its stops in the map iframe, its
  share link; no other person's title or stop name appears anywhere in its page;
* each share link, opened by a *different* context, shows exactly the trip it
  was copied from (same title, same stops in the same order);
* the first contexts are checked again afterwards: later sessions changed
  nothing in them.

Bounded: five contexts, a fixed number of steps, every wait with a timeout.
"""

from __future__ import annotations

import datetime as dt
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import sync_playwright

from browser_support import block_external_requests, launch_chromium, streamlit_server, wait_for_app_idle
from browser_support import map_frame as browser_map_frame
from trip.geo import LatLon
from trip.itinerary import Itinerary, Place, Stop
from trip.share import decode_itinerary, encode_itinerary

pytestmark = pytest.mark.browser

USERS = 5
TIMEOUT_MS = 60_000


def user_trip(user: int) -> Itinerary:
    """A trip only ``user`` has: unique title and stop names, its own corner of the map."""
    base_lat, base_lon = 10.0 + user * 6, 20.0 + user * 15
    stops = tuple(
        Stop(Place(f"U{user}-stop-{letter}", LatLon(base_lat + k, base_lon + k * 1.5), source="manual"),
             date=dt.date(2024, 5, 1 + k), note=f"note of user {user}, stop {letter}")
        for k, letter in enumerate("ABC")
    )
    return Itinerary(stops, title=f"Trip of user {user}")


def token_of(page) -> str:
    values = parse_qs(urlsplit(page.url).query).get("trip", [])
    assert values, f"no share token in {page.url[:80]}"
    return values[0]


def map_frame(page):
    return browser_map_frame(page, ready=".trip-stop", timeout_ms=TIMEOUT_MS)


def wait_rendered(page) -> None:
    """The whole script has run: the trip-title box, drawn last in the sidebar, is there."""
    page.get_by_label("Trip title").wait_for(timeout=TIMEOUT_MS)
    wait_for_app_idle(page, timeout_ms=TIMEOUT_MS)


def select_stop(page, index: int) -> None:
    """Click stop ``index`` on the map until the stop panel shows it (the map iframe is
    redrawn after each edit, so a click can land on the frame being replaced)."""
    for _ in range(6):
        wait_rendered(page)
        map_frame(page).locator(".trip-stop").nth(index).dispatch_event("click")
        try:
            page.get_by_text(f"Stop {index + 1}:").first.wait_for(timeout=8_000)
            return
        except Exception:
            continue
    raise AssertionError(f"clicking stop {index + 1} on the map never selected it")


def visible_state(page) -> tuple[str, str, str]:
    """(heading, whole page text, map iframe HTML) as this person sees them now."""
    wait_rendered(page)
    heading = page.locator("h1").first.inner_text(timeout=TIMEOUT_MS)
    text = page.locator('[data-testid="stApp"]').inner_text(timeout=TIMEOUT_MS)
    return heading, text, map_frame(page).content()


def assert_sees_only(page, itinerary: Itinerary, others: list[Itinerary], who: str) -> None:
    heading, text, frame_html = visible_state(page)
    assert heading.strip() == itinerary.title, f"{who}: heading {heading!r}, expected {itinerary.title!r}"
    assert decode_itinerary(token_of(page)) == itinerary, f"{who}: the share link holds another trip"
    for stop in itinerary.stops:
        assert stop.name in frame_html, f"{who}: own stop {stop.name} missing from the map"
    for other in others:
        assert other.title not in text, f"{who} sees {other.title!r}"
        for stop in other.stops:
            assert stop.name not in text and stop.name not in frame_html, f"{who} sees {stop.name}"


def test_five_people_edit_five_trips_at_once_and_share_links_show_exactly_the_shared_trip():
    started = time.monotonic()
    trips = [user_trip(u) for u in range(USERS)]
    with sync_playwright() as playwright, streamlit_server() as url:
        browser = launch_chromium(playwright)
        try:
            contexts = []
            for _ in range(USERS):
                context = browser.new_context(viewport={"width": 1300, "height": 950})
                block_external_requests(context, allowed_origins=(url,))
                contexts.append(context)
            pages = [c.new_page() for c in contexts]

            # Everyone opens their own trip at once: navigations start before any is awaited.
            for page, trip in zip(pages, trips):
                page.goto(f"{url}/?trip={encode_itinerary(trip)}", wait_until="commit", timeout=TIMEOUT_MS)
            for page, trip in zip(pages, trips):
                page.get_by_role("heading", name=trip.title).wait_for(timeout=TIMEOUT_MS)
                wait_rendered(page)

            # Interleaved edits: each renames their trip, then each moves their stop 2 earlier.
            expected = []
            for user, page in enumerate(pages):
                box = page.get_by_label("Trip title")
                box.fill(f"Edited trip of user {user}", timeout=TIMEOUT_MS)
                box.press("Enter", timeout=TIMEOUT_MS)
            for user, page in enumerate(pages):
                page.get_by_role("heading", name=f"Edited trip of user {user}").wait_for(timeout=TIMEOUT_MS)
                select_stop(page, 1)
            for user, page in enumerate(pages):
                page.get_by_role("button", name="↑ Earlier").click(timeout=TIMEOUT_MS)
            for user, page in enumerate(pages):
                page.get_by_text("Stop 1:").first.wait_for(timeout=TIMEOUT_MS)
                trip = trips[user].move(1, 0).replace(title=f"Edited trip of user {user}")
                expected.append(trip)
            for user, page in enumerate(pages):
                others = [t for k, t in enumerate(trips) if k != user] + [
                    t for k, t in enumerate(expected) if k != user]
                assert_sees_only(page, expected[user], others, f"user {user}")

            # Share links: user k opens user (k+1)'s link in a second tab of their own context.
            links = [page.url for page in pages]
            for user, context in enumerate(contexts):
                owner = (user + 1) % USERS
                shared = context.new_page()
                shared.goto(links[owner], wait_until="domcontentloaded", timeout=TIMEOUT_MS)
                others = [t for k, t in enumerate(expected) if k != owner]
                assert_sees_only(shared, expected[owner], others, f"user {user} opening user {owner}'s link")
                shared.close()

            # Later sessions changed nothing in the first ones.
            for user in (0,):
                pages[user].reload(wait_until="domcontentloaded", timeout=TIMEOUT_MS)
                others = [t for k, t in enumerate(expected) if k != user]
                assert_sees_only(pages[user], expected[user], others, f"user {user} after reload")
        finally:
            browser.close()
    assert time.monotonic() - started < 240, "the five-user run took too long"
