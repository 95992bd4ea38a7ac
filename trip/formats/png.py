"""A PNG snapshot of the map, for articles: the self-contained HTML page, screenshotted
by headless Chromium through Playwright.

Offline by default: the page is drawn on its plain background with every network
request blocked, so a snapshot never depends on (or leaks to) a tile server.
``tiles=`` opts into one tile set; then only that host is let through.

Chromium is looked for in ``$TRIP_CHROMIUM``, then ``chromium``,
``chromium-browser``, ``google-chrome`` on the PATH, then Playwright's own
download; when none is there, or Playwright is not installed, the export fails
with an :class:`~trip.errors.ExportError` saying what to install.

Chromium is started once per thread and kept warm for later snapshots (the
first snapshot pays about a second for the launch).

The PNG carries the provenance in ``iTXt`` chunks (``Title``, ``Source``,
``Creation Time``, ``Software`` and ``trip:provenance`` with the JSON record),
which image viewers and ``exiftool`` show.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import struct
import threading
import zlib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..errors import ExportError
from ..itinerary import Itinerary
from ..provenance import Provenance, build_provenance
from .html import render_html

__all__ = ["NAME", "EXTENSIONS", "MEDIA_TYPE", "write", "snapshot", "find_chromium",
           "CHROMIUM_ARGS", "add_text_chunks"]

NAME = "png"
EXTENSIONS = (".png",)
MEDIA_TYPE = "image/png"

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-quic", "--disable-sync"]
_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: Above this many stops the snapshot draws dots instead of numbered icons.
NUMBERED_LIMIT = 300


def find_chromium() -> str:
    """The path of a Chromium (or Chrome) executable, or an ExportError saying how to get one."""
    explicit = os.environ.get("TRIP_CHROMIUM", "").strip()
    if explicit:
        if Path(explicit).is_file() and os.access(explicit, os.X_OK):
            return explicit
        raise ExportError(f'TRIP_CHROMIUM is "{explicit}", which is not an executable file')
    for name in _CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            bundled = p.chromium.executable_path
        if bundled and Path(bundled).is_file():
            return bundled
    except Exception:  # noqa: BLE001 - any failure here means "not found"
        pass
    raise ExportError(
        "PNG export needs Chromium, and none was found (looked for $TRIP_CHROMIUM, "
        + ", ".join(_CANDIDATES) + "); install it, e.g. `apt-get install chromium`, "
        "or export HTML instead (--to html)")


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def add_text_chunks(png: bytes, texts: dict[str, str]) -> bytes:
    """``png`` with an ``iTXt`` (UTF-8) chunk per entry, placed right after ``IHDR``."""
    if not png.startswith(_PNG_SIGNATURE):
        raise ExportError("the browser did not return a PNG image")
    ihdr_end = len(_PNG_SIGNATURE) + 8 + struct.unpack(">I", png[8:12])[0] + 4
    extra = b"".join(
        _chunk(b"iTXt", key.encode("latin-1")[:79] + b"\x00\x00\x00\x00\x00" + value.encode("utf-8"))
        for key, value in texts.items())
    return png[:ihdr_end] + extra + png[ihdr_end:]


def _texts(itinerary: Itinerary, provenance: Provenance) -> dict[str, str]:
    texts = {
        "Title": itinerary.title or "Trip map",
        "Software": provenance.generator,
        "Creation Time": provenance.exported_at,
        "trip:provenance": json.dumps(provenance.as_dict(), ensure_ascii=False),
    }
    if provenance.sources:
        texts["Source"] = "; ".join(str(s) for s in provenance.sources)
    return texts


def _host_allowed(host: str, patterns: tuple[str, ...]) -> bool:
    """``host`` matches a pattern exactly, or as ``*.rest`` with one label for the star."""
    for pattern in patterns:
        if pattern.startswith("*."):
            label, _, rest = host.partition(".")
            if label and rest == pattern[2:]:
                return True
        elif host == pattern:
            return True
    return False


class _Chromium:
    """One headless Chromium per thread, started on first use and kept warm.

    Starting Chromium costs about a second; a dashboard that offers PNG downloads,
    or a script exporting many trips, pays it once. Playwright's sync objects
    belong to the thread that made them, hence one per thread; all are closed at
    exit.
    """

    _local = threading.local()
    _all: list[Any] = []
    _lock = threading.Lock()

    @classmethod
    def get(cls, timeout_ms: float) -> Any:
        # Looked up every time, so a changed $TRIP_CHROMIUM (or an uninstalled
        # browser) is noticed rather than hidden by the warm one.
        executable = find_chromium()
        browser = getattr(cls._local, "browser", None)
        if (browser is not None and browser.is_connected()
                and getattr(cls._local, "executable", None) == executable):
            return browser
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            raise ExportError("PNG export needs Playwright: pip install playwright") from None
        if browser is not None:
            try:
                browser.close()
            except Exception:  # noqa: BLE001 - it may already be gone
                pass
        driver = getattr(cls._local, "driver", None) or sync_playwright().start()
        cls._local.driver = driver
        browser = driver.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS,
                                         timeout=timeout_ms)
        cls._local.browser, cls._local.executable = browser, executable
        with cls._lock:
            if not cls._all:
                atexit.register(cls.close_all)
            cls._all.append((threading.get_ident(), driver, browser))
        return browser

    @classmethod
    def close_all(cls) -> None:
        """Close the browsers this thread started (at exit: the main thread's).

        Playwright's objects cannot be used from another thread; browsers of
        other threads end with their driver process when Python exits.
        """
        me = threading.get_ident()
        with cls._lock:
            mine = [e for e in cls._all if e[0] == me]
            cls._all = [e for e in cls._all if e[0] != me]
        for _, driver, browser in mine:
            try:
                browser.close()
                driver.stop()
            except Exception:  # noqa: BLE001 - best effort at exit
                pass
        cls._local.browser = cls._local.driver = None


def snapshot(page_html: str, *, width: int = 1200, height: int = 800, timeout_s: float = 30.0,
             allowed_hosts: tuple[str, ...] = ()) -> bytes:
    """Screenshot ``page_html`` in headless Chromium with every other request blocked."""
    try:
        from playwright.sync_api import Error as PlaywrightError
    except ImportError:
        raise ExportError("PNG export needs Playwright: pip install playwright") from None
    timeout_ms = timeout_s * 1000

    def route(request_route) -> None:
        url = request_route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about") or (
                parts.scheme == "https" and _host_allowed(parts.hostname or "", allowed_hosts)):
            request_route.continue_()
        else:
            request_route.abort()

    try:
        browser = _Chromium.get(timeout_ms)
        context = browser.new_context(viewport={"width": width, "height": height},
                                      device_scale_factor=1)
        try:
            context.route("**/*", route)
            page = context.new_page()
            page.set_content(page_html, wait_until="load", timeout=timeout_ms)
            page.wait_for_function("() => window.L && document.querySelector('.leaflet-pane')",
                                   timeout=timeout_ms)
            if allowed_hosts:
                try:
                    page.wait_for_load_state("networkidle", timeout=min(timeout_ms, 10_000))
                except PlaywrightError:
                    pass  # a slow tile server leaves grey squares, not a failed export
            # Two animation frames: Leaflet has laid out the markers and lines.
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
            return page.screenshot(type="png", full_page=False, timeout=timeout_ms)
        finally:
            context.close()
    except PlaywrightError as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ExportError(f"Chromium could not take the snapshot: {first}") from err


def render_png(itinerary: Itinerary, *, width: int = 1200, height: int = 800,
               tiles: str | None = None, timeout_s: float = 30.0) -> bytes:
    """The PNG snapshot of ``itinerary``'s map (plain background unless ``tiles`` is given)."""
    provenance = build_provenance(itinerary)
    # A still image needs no buttons; past a few hundred stops numbered icons are
    # unreadable anyway, and canvas dots draw much faster.
    page = render_html(itinerary, tiles=tiles, provenance=provenance,
                       fullscreen=False, layer_control=False, numbered_limit=NUMBERED_LIMIT)
    hosts: tuple[str, ...] = ()
    if tiles:
        from ..render import tile_layer  # the tile URL the map will ask for

        layer = tile_layer(tiles)
        if layer is not None:
            # "{s}" is the tile server's subdomain (a, b, c, …): allow one label there.
            host = urlsplit(layer.tiles.replace("{s}", "*")).hostname or ""
            hosts = (host,) if host else ()
    png = snapshot(page, width=width, height=height, timeout_s=timeout_s, allowed_hosts=hosts)
    return add_text_chunks(png, _texts(itinerary, provenance))


def write(itinerary: Itinerary) -> bytes:
    """The registry entry point: an offline snapshot, 1200×800."""
    return render_png(itinerary)
