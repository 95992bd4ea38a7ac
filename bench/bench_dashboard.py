"""Dashboard timings in a real browser: cold start to map, and table edit to updated map.

    python bench/bench_dashboard.py [--runs 3] [--edits 5]

* **cold start**: from launching ``streamlit run streamlit_app.py`` (a new
  process each run) to the route map drawn in Debian's Chromium (every stop
  marker on the Leaflet map). The browser is already open, as a user's is.
  Side by side: a one-line Streamlit app, to show what Streamlit alone costs.
* **edit**: from pressing Enter on a table cell (a stop's latitude) to that
  marker standing at the new place on the map. Side by side: the same app with
  Leaflet sent inside every map as ``data:`` URLs (``TRIP_MAP_ASSETS=inline``),
  instead of served once by this server and cached.

Targets (issue 4): cold start ≤ 8 s on 2 cores, edit ≤ 1 s. The browser can
reach only the app's own address, as in the tests. Prints figures and ratios.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from browser_support import STOP_LATS_JS, block_external_requests, launch_chromium, streamlit_server  # noqa: E402
from trip.samples import DEFAULT_SAMPLE, load_sample  # noqa: E402

COLD_TARGET_S = 8.0
EDIT_TARGET_S = 1.0


def _cold_start(browser, app: Path, ready_js: str, env: dict | None = None) -> float:
    context = browser.new_context(viewport={"width": 1400, "height": 1100})
    try:
        start = time.perf_counter()
        with streamlit_server(app, extra_env=env) as url:
            block_external_requests(context, (url,))
            page = context.new_page()
            page.goto(url)
            page.wait_for_function(ready_js, timeout=120_000, polling="raf")
            return time.perf_counter() - start
    finally:
        context.close()


def _type_lat(page, row: int, value: str) -> float | None:
    """Type a latitude into ``row``; seconds from Enter to the marker on the map, or None."""
    grid = page.locator('[data-testid="stDataFrame"]').first
    box = grid.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + 35 + 17)
    cell = page.wait_for_function(
        "() => document.querySelector('[id^=glide-cell-][aria-selected=true]')?.id",
        polling=50).json_value()
    _, _, col, current = cell.split("-")
    for _ in range(abs(7 - int(col))):
        page.keyboard.press("ArrowRight" if int(col) < 7 else "ArrowLeft")
    for _ in range(row - int(current)):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.locator("#portal input").first.wait_for()
    page.keyboard.press("Control+A")
    page.keyboard.type(value)
    page.wait_for_function("t => document.querySelector('#portal input')?.value === t", arg=value,
                           polling=50)
    page.wait_for_timeout(150)  # let the cell editor take the text (see the browser test)
    target = float(value)
    start = time.perf_counter()
    page.keyboard.press("Enter")
    try:
        page.wait_for_function(
            f"t => {{ const v = ({STOP_LATS_JS})(); return v && v.some(x => Math.abs(x - t) < 1e-6); }}",
            arg=target, timeout=15_000, polling="raf")
    except Exception:  # noqa: BLE001 - the grid dropped the keystroke; not a timing
        page.keyboard.press("Escape")
        return None
    return time.perf_counter() - start


def _edits(browser, app: Path, edits: int, env: dict | None = None) -> list[float]:
    sample = load_sample(DEFAULT_SAMPLE)
    row = len(sample) - 1
    context = browser.new_context(viewport={"width": 1400, "height": 1100})
    try:
        with streamlit_server(app, extra_env=env) as url:
            block_external_requests(context, (url,))
            page = context.new_page()
            page.goto(url)
            page.locator('[data-testid="stSidebar"] input[aria-label="Trip title"]').wait_for(
                timeout=120_000)
            page.wait_for_function(f"() => ({STOP_LATS_JS})()?.length === {len(sample.resolved_stops)}",
                                   timeout=60_000, polling=100)
            times = []
            for i in range(edits * 2):
                if len(times) == edits:
                    break
                took = _type_lat(page, row, f"{44 + (i + 1) * 0.25:.2f}")
                if took is not None:
                    times.append(took)
                page.locator('[data-testid="stSidebar"] input[aria-label="Trip title"]').wait_for()
                page.wait_for_timeout(300)
            return times
    finally:
        context.close()


def _summary(label: str, times: list[float], target: float | None = None) -> float:
    median = statistics.median(times)
    verdict = ""
    if target is not None:
        verdict = (f"  target ≤ {target:g} s: median {'met' if median <= target else 'NOT met'}, "
                   f"max {'met' if max(times) <= target else 'NOT met'}")
    print(f"{label:<46} median {median:6.2f} s  min {min(times):6.2f}  max {max(times):6.2f}"
          f"  (n={len(times)}){verdict}")
    return median


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="cold starts per app")
    parser.add_argument("--edits", type=int, default=5, help="timed table edits per variant")
    args = parser.parse_args()
    app = ROOT / "streamlit_app.py"
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        hello = Path(tmp) / "hello_app.py"
        hello.write_text('import streamlit as st\nst.write("hello from streamlit")\n', encoding="utf-8")
        browser = launch_chromium(playwright)
        try:
            n = len(load_sample(DEFAULT_SAMPLE).resolved_stops)
            map_ready = f"() => ({STOP_LATS_JS})()?.length === {n}"
            hello_ready = "() => document.body.innerText.includes('hello from streamlit')"
            print(f"Dashboard benchmark: sample trip {DEFAULT_SAMPLE!r} ({n} stops), Chromium, "
                  "app origin only\n")
            cold = [_cold_start(browser, app, map_ready) for _ in range(args.runs)]
            bare = [_cold_start(browser, hello, hello_ready) for _ in range(args.runs)]
            cold_m = _summary("cold `streamlit run` → map drawn", cold, COLD_TARGET_S)
            bare_m = _summary("  side by side: one-line app → text shown", bare)
            print(f"{'':<46} ratio dashboard / bare Streamlit: {cold_m / bare_m:.2f}×\n")
            served = _edits(browser, app, args.edits)
            inline = _edits(browser, app, args.edits, env={"TRIP_MAP_ASSETS": "inline"})
            served_m = _summary("table edit → updated map (Leaflet served)", served, EDIT_TARGET_S)
            inline_m = _summary("  side by side: Leaflet inline as data: URLs", inline)
            print(f"{'':<46} ratio inline / served: {inline_m / served_m:.2f}×")
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
