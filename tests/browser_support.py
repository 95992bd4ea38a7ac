"""Shared helpers for browser tests: Debian's Chromium under Playwright, and a
``streamlit run`` server on a loopback port.

Playwright cannot download browsers here, so Chromium is Debian's package at
``/usr/bin/chromium``. Every server listens on 127.0.0.1 and is stopped by the
context manager that started it.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("TRIP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
]


def launch_chromium(playwright, **kwargs):
    """Launch headless Debian Chromium with the flags this workplace needs."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, **kwargs)


def block_external_requests(context, allowed_origins: tuple[str, ...] = ()) -> list[str]:
    """Abort every request not to ``allowed_origins`` (or data:/blob:/about:).

    Returns the list that collects the blocked URLs, so a test can assert on it.
    """
    blocked: list[str] = []

    def handle(route):
        url = route.request.url
        scheme = urlsplit(url).scheme
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
        if scheme in ("data", "blob", "about") or origin in allowed_origins:
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    context.route("**/*", handle)
    return blocked


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(app: str | Path = ROOT / "streamlit_app.py", *, timeout_s: float = 60.0,
                     extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """Run ``streamlit run APP`` on a free 127.0.0.1 port; yield its base URL.

    The server is headless, sends no usage statistics, and is terminated on exit.
    """
    port = free_port()
    env = dict(os.environ, **(extra_env or {}))
    env.setdefault("TRIP_CACHE_DIR", str(ROOT / ".trip-cache"))
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(app),
        "--server.address", "127.0.0.1",
        "--server.port", str(port),
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
        "--global.developmentMode", "false",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited early:\n{proc.stdout.read() if proc.stdout else ''}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"streamlit did not answer on {url} within {timeout_s} s")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def wait_for_app_idle(page, *, timeout_ms: int = 30_000) -> None:
    """Wait until the app is connected and its script run has finished.

    Streamlit marks its root element with the connection and script-run states;
    "initial" (no run started yet) does not count as idle, so a call right after
    page load waits for the first run instead of returning before it.
    """
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            if (!app) return false;
            const connected = /connected/i.test(app.getAttribute('data-test-connection-state') || '');
            const state = app.getAttribute('data-test-script-state') || 'initial';
            return connected && !['initial', 'running', 'rerunRequested'].includes(state);
        }""",
        timeout=timeout_ms,
    )


#: The dashboard's map iframe (streamlit-folium), from the page it sits in.
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
#: JavaScript for the page: the latitudes of the numbered stop markers in the
#: dashboard's (same-origin) map iframe, or null until its Leaflet map has loaded.
STOP_LATS_JS = f"""() => {{
    const map = document.querySelector('{MAP_IFRAME}')?.contentWindow?.map;
    if (!map || !map._loaded) return null;
    const lats = [];
    map.eachLayer(l => {{
        const cls = l.options && l.options.icon && l.options.icon.options.className || "";
        if (l.getLatLng && cls.indexOf("trip-stop") >= 0) lats.push(l.getLatLng().lat);
    }});
    return lats;
}}"""


def map_frame(page, *, ready: str = ".leaflet-container", timeout_ms: int = 60_000):
    """The iframe in which streamlit-folium drew the Leaflet map, once ``ready`` shows in it."""
    check = f"() => !!(window.L && document.querySelector({ready!r}))"
    deadline = time.monotonic() + timeout_ms / 1000
    while time.monotonic() < deadline:
        for frame in page.frames:
            if frame is page.main_frame:
                continue
            try:
                if frame.evaluate(check):
                    return frame
            except Exception:  # a frame navigating or detached mid-check: look again
                pass
        page.wait_for_timeout(200)
    raise AssertionError(f"no map iframe drew a Leaflet map with {ready} within {timeout_ms} ms")
