"""A PNG snapshot of the map, for articles: the self-contained HTML page, screenshotted
by headless Chromium through Playwright.

Offline by default: the page is drawn on its plain background with every network
request blocked, so a snapshot never depends on (or leaks to) a tile server.
``tiles=`` opts into one tile set; then only that host is let through.

Chromium is looked for in ``$TRIP_CHROMIUM``, then ``chromium``,
``chromium-browser``, ``google-chrome`` on the PATH, then Playwright's own
download; when none is there, or Playwright is not installed, the export fails
with an :class:`~trip.errors.ExportError` saying what to install.

Chromium is started once per process (in a thread of its own) and kept warm for later snapshots (the
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
import queue
import struct
import threading
import zlib
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..errors import ExportError
from ..itinerary import Itinerary
from ..provenance import Provenance, build_provenance
from .html import render_html

__all__ = ["NAME", "EXTENSIONS", "MEDIA_TYPE", "write", "render_png", "snapshot", "warm_up",
           "find_chromium", "CHROMIUM_ARGS", "add_text_chunks"]

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


class _ChromiumWorker:
    """One headless Chromium for the whole process, owned by one daemon thread.

    Starting Chromium costs about a second; a dashboard offering PNG downloads,
    or a script exporting many trips, pays it once. Playwright's sync API runs an
    event loop in the thread that starts it and its objects belong to that
    thread, so the browser lives in a thread of its own: callers in any thread
    (including ones that use Playwright themselves, like the test suite) hand it
    jobs through a queue. The browser is closed at exit.
    """

    _lock = threading.Lock()
    _jobs: "queue.Queue[Any]" = queue.Queue()
    _thread: threading.Thread | None = None

    @classmethod
    def submit(cls, job: Any, *args: Any) -> Future:
        """Queue ``job(state, *args)`` for the browser thread; its future, not yet done."""
        with cls._lock:
            if cls._thread is None or not cls._thread.is_alive():
                cls._thread = threading.Thread(target=cls._loop, name="trip-chromium", daemon=True)
                cls._thread.start()
                atexit.register(cls.stop)
        future: Future = Future()
        cls._jobs.put((job, args, future))
        return future

    @staticmethod
    def result(future: Future, *, timeout_s: float) -> Any:
        try:
            return future.result(timeout=timeout_s)
        except FutureTimeout:
            raise ExportError(f"Chromium did not finish the snapshot within {timeout_s:.0f} s") from None

    @classmethod
    def run(cls, job: Any, *args: Any, timeout_s: float) -> Any:
        return cls.result(cls.submit(job, *args), timeout_s=timeout_s)

    @classmethod
    def stop(cls) -> None:
        thread = cls._thread
        if thread is not None and thread.is_alive():
            cls._jobs.put(None)
            thread.join(timeout=10)

    @staticmethod
    def _loop() -> None:
        state: dict[str, Any] = {}
        while True:
            item = _ChromiumWorker._jobs.get()
            if item is None:
                break
            job, args, future = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(job(state, *args))
            except BaseException as err:  # noqa: BLE001 - handed to the caller
                future.set_exception(err)
        _close(state)


def _close(state: dict[str, Any]) -> None:
    _drop_page(state)
    for key, method in (("browser", "close"), ("driver", "stop")):
        thing = state.pop(key, None)
        if thing is not None:
            try:
                getattr(thing, method)()
            except Exception:  # noqa: BLE001 - it may already be gone
                pass


def _drop_page(state: dict[str, Any]) -> None:
    """Forget the warm page (after a failure, so the next snapshot starts clean)."""
    page = state.pop("page", None)
    if page is not None:
        try:
            page.context.close()
        except Exception:  # noqa: BLE001 - the browser may be gone with it
            pass


def _browser(state: dict[str, Any], executable: str, timeout_ms: float) -> Any:
    """The warm browser, (re)started when missing, crashed, or the executable changed."""
    browser = state.get("browser")
    if browser is not None and browser.is_connected() and state.get("executable") == executable:
        return browser
    from playwright.sync_api import sync_playwright

    _drop_page(state)
    if browser is not None:
        try:
            browser.close()
        except Exception:  # noqa: BLE001 - it may already be gone
            pass
    if "driver" not in state:
        state["driver"] = sync_playwright().start()
    state["browser"] = state["driver"].chromium.launch(
        executable_path=executable, args=CHROMIUM_ARGS, timeout=timeout_ms)
    state["executable"] = executable
    return state["browser"]


def _page(state: dict[str, Any], executable: str, timeout_ms: float) -> Any:
    """The warm page: one context whose every request goes through :func:`_route`.

    Snapshots navigate this page to :data:`SNAPSHOT_URL`, which the route answers
    with the page of the moment. A real navigation lets Chromium parse the page as
    it streams in, which is about twice as fast as ``set_content`` (a
    ``document.write`` of the whole page), and keeping the page saves a new
    context and renderer per snapshot.
    """
    browser = _browser(state, executable, timeout_ms)
    page = state.get("page")
    if page is not None and not page.is_closed():
        return page
    context = browser.new_context(viewport={"width": 1200, "height": 800}, device_scale_factor=1,
                                  java_script_enabled=True, service_workers="block")
    context.route("**/*", lambda request_route: _route(state, request_route))
    state["page"] = page = context.new_page()
    page.set_default_timeout(timeout_ms)
    return page


def _route(state: dict[str, Any], request_route: Any) -> None:
    """Answer the snapshot URL with the current page; let through only inline data and
    the chosen tile hosts; abort everything else."""
    url = request_route.request.url
    if url == SNAPSHOT_URL and "html" in state:
        request_route.fulfill(status=200, body=state["html"], content_type="text/html; charset=utf-8")
        return
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about") or (
            parts.scheme == "https" and _host_allowed(parts.hostname or "", state.get("allowed", ()))):
        request_route.continue_()
    else:
        request_route.abort()


#: Where the warm page is sent for each snapshot (``.invalid`` never resolves: the
#: route answers it before any lookup, and nothing else under it is served).
SNAPSHOT_URL = "http://trip-snapshot.invalid/"

# Runs after the page's load event: the map must exist, then two animation frames
# let Leaflet lay out the markers and lines before the screenshot.
_READY_JS = """() => {
  if (!(window.L && document.querySelector('.leaflet-pane'))) return false;
  return new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))));
}"""


def _shoot(state: dict[str, Any], executable: str, page_html: bytes, width: int, height: int,
           timeout_ms: float, allowed_hosts: tuple[str, ...]) -> bytes:
    from playwright.sync_api import Error as PlaywrightError

    page = _page(state, executable, timeout_ms)
    state["html"], state["allowed"] = page_html, allowed_hosts
    try:
        if page.viewport_size != {"width": width, "height": height}:
            page.set_viewport_size({"width": width, "height": height})
        page.goto(SNAPSHOT_URL, wait_until="load", timeout=timeout_ms)
        if not page.evaluate(_READY_JS):
            raise ExportError("the map page did not draw (Leaflet did not start)")
        if allowed_hosts:
            try:
                page.wait_for_load_state("networkidle", timeout=min(timeout_ms, 10_000))
            except PlaywrightError:
                pass  # a slow tile server leaves grey squares, not a failed export
        return page.screenshot(type="png", full_page=False, timeout=timeout_ms)
    except BaseException:
        _drop_page(state)  # whatever went wrong stays with that page
        raise
    finally:
        state.pop("html", None)
        state["allowed"] = ()


def _prepare(state: dict[str, Any], executable: str, timeout_ms: float) -> None:
    _page(state, executable, timeout_ms)


def warm_up(*, timeout_s: float = 30.0, wait: bool = True) -> None:
    """Start the shared Chromium and its page now, so the first snapshot does not pay
    for the launch (a dashboard can call this with ``wait=False`` at start-up)."""
    executable = find_chromium()
    job = _ChromiumWorker.submit(_prepare, executable, timeout_s * 1000)
    if wait:
        _ChromiumWorker.result(job, timeout_s=timeout_s * 2 + 10)


def snapshot(page_html: str, *, width: int = 1200, height: int = 800, timeout_s: float = 30.0,
             allowed_hosts: tuple[str, ...] = ()) -> bytes:
    """Screenshot ``page_html`` in headless Chromium with every other request blocked."""
    try:
        from playwright.sync_api import Error as PlaywrightError
    except ImportError:
        raise ExportError("PNG export needs Playwright: pip install playwright") from None
    # Looked up on every call, so a changed $TRIP_CHROMIUM or an uninstalled
    # browser is reported rather than hidden by the warm one.
    executable = find_chromium()
    try:
        return _ChromiumWorker.run(_shoot, executable, page_html.encode("utf-8"), width, height,
                                   timeout_s * 1000, allowed_hosts, timeout_s=timeout_s * 3 + 30)
    except PlaywrightError as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ExportError(f"Chromium could not take the snapshot: {first}") from err


def render_png(itinerary: Itinerary, *, width: int = 1200, height: int = 800,
               tiles: str | None = None, timeout_s: float = 30.0) -> bytes:
    """The PNG snapshot of ``itinerary``'s map (plain background unless ``tiles`` is given)."""
    try:
        executable = find_chromium()
    except ExportError:
        executable = ""  # snapshot() reports it, after the same lookup
    if executable:
        # Chromium starts (or its warm page is checked) while the page is built here.
        _ChromiumWorker.submit(_prepare, executable, timeout_s * 1000)
    provenance = build_provenance(itinerary)
    # A still image needs no buttons, popups or tooltips: only what shows is sent
    # to the browser. Past a few hundred stops numbered icons are unreadable
    # anyway, and canvas dots draw much faster.
    page = render_html(_visible_only(itinerary), tiles=tiles, provenance=provenance, still=True,
                       numbered_limit=NUMBERED_LIMIT)
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


def _visible_only(itinerary: Itinerary) -> Itinerary:
    """``itinerary`` without what only a popup would show (notes, sources, evidence)."""
    return itinerary.replace(stops=tuple(
        stop.replace(note="", sources=(), evidence="") for stop in itinerary.stops))


def write(itinerary: Itinerary) -> bytes:
    """The registry entry point: an offline snapshot, 1200×800."""
    return render_png(itinerary)
