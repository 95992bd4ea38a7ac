"""Take docs/screenshot.png: the dashboard on the sample trip, in headless Chromium.

    python docs/make_screenshot.py

Runs ``streamlit run streamlit_app.py`` on a loopback port, opens it in Debian's
Chromium with every request outside the app blocked (so, as on an air-gapped
machine, the map draws on its plain background without tiles), selects stop 3
on the map and saves the page.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from playwright.sync_api import sync_playwright  # noqa: E402

from browser_support import block_external_requests, launch_chromium, streamlit_server  # noqa: E402

OUT = ROOT / "docs" / "screenshot.png"


def main() -> int:
    with streamlit_server() as url, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context(viewport={"width": 1440, "height": 1180}, device_scale_factor=1)
        block_external_requests(context, (url,))
        page = context.new_page()
        page.goto(url)
        page.locator('[data-testid="stSidebar"] input[aria-label="Trip title"]').wait_for(timeout=120_000)
        frame = page.frame_locator('iframe[title="streamlit_folium.st_folium"]')
        frame.locator("#map_div .trip-stop").nth(2).wait_for(timeout=60_000)
        frame.locator("#map_div .trip-stop").nth(2).click()
        page.get_by_text("Stop 3:").first.wait_for(timeout=60_000)
        page.locator('[data-testid="stSidebar"] input[aria-label="Trip title"]').wait_for()
        page.wait_for_timeout(1500)  # let the popup and charts settle
        page.screenshot(path=str(OUT))
        browser.close()
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
