"""PNG snapshots: a real image from headless Chromium, provenance in text chunks, and a
clear ExportError when no Chromium can be found."""

from __future__ import annotations

import json
import struct
import zlib

import pytest

from trip.errors import ExportError
from trip.formats import png
from trip.samples import load_sample


def chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """Every (type, body) chunk of a PNG, checking each CRC on the way."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    out, pos = [], 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF, kind
        out.append((kind, body))
        pos += 12 + length
    return out


def itxt(data: bytes) -> dict[str, str]:
    texts = {}
    for kind, body in chunks(data):
        if kind == b"iTXt":
            key, rest = body.split(b"\x00", 1)
            # compression flag, method, empty language tag and translated keyword
            assert rest[:4] == b"\x00\x00\x00\x00"
            texts[key.decode("latin-1")] = rest[4:].decode("utf-8")
    return texts


@pytest.mark.browser
def test_snapshot_is_a_png_of_the_requested_size_with_provenance():
    trip = load_sample("kim-jong-un-2023-far-east")
    data = png.render_png(trip, width=640, height=400)
    parsed = chunks(data)
    assert parsed[0][0] == b"IHDR"
    width, height = struct.unpack(">II", parsed[0][1][:8])
    assert (width, height) == (640, 400)
    assert parsed[-1][0] == b"IEND"
    texts = itxt(data)
    assert texts["Title"] == trip.title
    record = json.loads(texts["trip:provenance"])
    assert record["content_hash"].startswith("sha256:")
    assert texts["Creation Time"] == record["exported_at"]
    # a map, not a blank page: the image carries real variety (route, markers, controls)
    assert len(data) > 10_000


def test_missing_chromium_is_a_clear_export_error(monkeypatch, tmp_path):
    monkeypatch.setenv("TRIP_CHROMIUM", str(tmp_path / "no-such-browser"))
    with pytest.raises(ExportError, match="TRIP_CHROMIUM .* is not an executable file"):
        png.write(load_sample("hanoi-beijing-rail"))


def test_no_browser_anywhere_says_what_to_install(monkeypatch):
    monkeypatch.delenv("TRIP_CHROMIUM", raising=False)
    monkeypatch.setattr(png.shutil, "which", lambda name: None)
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", "/nonexistent-playwright-browsers")
    with pytest.raises(ExportError) as info:
        png.find_chromium()
    message = str(info.value)
    assert "needs Chromium" in message and "apt-get install chromium" in message
    assert "--to html" in message


def test_text_chunks_go_after_the_header():
    header = b"\x89PNG\r\n\x1a\n" + png._chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    image = header + png._chunk(b"IDAT", zlib.compress(b"\x00\x00")) + png._chunk(b"IEND", b"")
    out = png.add_text_chunks(image, {"Title": "Владивосток <&>"})
    kinds = [kind for kind, _ in chunks(out)]
    assert kinds == [b"IHDR", b"iTXt", b"IDAT", b"IEND"]
    assert itxt(out) == {"Title": "Владивосток <&>"}


def test_not_a_png_is_refused():
    with pytest.raises(ExportError, match="did not return a PNG"):
        png.add_text_chunks(b"<html>", {})


@pytest.mark.parametrize(("host", "allowed"), [
    ("tile.openstreetmap.org", True),
    ("a.basemaps.cartocdn.com", True),
    ("evil.example", False),
    ("x.y.basemaps.cartocdn.com", False),
    ("basemaps.cartocdn.com.evil.example", False),
])
def test_only_the_chosen_tile_hosts_are_let_through(host, allowed):
    patterns = ("tile.openstreetmap.org", "*.basemaps.cartocdn.com")
    assert png._host_allowed(host, patterns) is allowed


@pytest.mark.browser
def test_warm_browser_serves_snapshots_from_any_thread():
    import threading

    png.warm_up()
    results: list[bytes] = []
    threads = [threading.Thread(target=lambda: results.append(
        png.render_png(load_sample("hanoi-beijing-rail"), width=300, height=200))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(results) == 2 and all(r.startswith(b"\x89PNG") for r in results)
    assert png._ChromiumWorker._thread is not None and png._ChromiumWorker._thread.is_alive()


# -- what the picture shows, and the warm page between snapshots ----------------

def colour_count(data: bytes, hex_colour: str, *, tolerance: int = 40) -> int:
    """Pixels within ``tolerance`` (per channel) of ``hex_colour``."""
    import io

    from PIL import Image

    target = tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    raw = Image.open(io.BytesIO(data)).convert("RGB").tobytes()
    return sum(1 for i in range(0, len(raw), 3)
               if all(abs(raw[i + k] - target[k]) <= tolerance for k in range(3)))


@pytest.mark.browser
def test_the_picture_shows_the_route_in_its_mode_colour():
    from trip.itinerary import Mode
    from trip.render import MODE_STYLES

    train = MODE_STYLES[Mode.TRAIN].color
    plane = MODE_STYLES[Mode.PLANE].color
    rail = png.render_png(load_sample("hanoi-beijing-rail"), width=800, height=600)
    # the (dashed) train legs are drawn: the legend swatch alone is about a hundred pixels
    assert colour_count(rail, train) > 300
    # the next snapshot reuses the warm page: nothing of the rail trip is left in it
    flight = png.render_png(load_sample("tokyo-honolulu-los-angeles"), width=800, height=600)
    assert colour_count(flight, plane) > 300
    assert colour_count(flight, train, tolerance=25) < 50


@pytest.mark.browser
def test_a_page_that_does_not_draw_fails_clearly_and_the_next_snapshot_works():
    with pytest.raises(ExportError, match="did not draw"):
        png.snapshot("<!doctype html><title>no map</title><p>nothing here</p>", width=300, height=200)
    data = png.render_png(load_sample("hanoi-beijing-rail"), width=320, height=240)
    assert struct.unpack(">II", chunks(data)[0][1][:8]) == (320, 240)


@pytest.mark.browser
def test_snapshot_pages_reach_no_server(tmp_path):
    """Anything the page asks for (images, scripts, fetches) is aborted in the browser:
    a loopback server that would log each request sees none."""
    import http.server
    import threading

    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            seen.append(self.path)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        page = (f'<!doctype html><img src="{base}/img.png"><script src="{base}/x.js"></script>'
                f'<link rel="stylesheet" href="{base}/s.css"><script>fetch("{base}/fetch")</script>')
        with pytest.raises(ExportError):  # no map on it, but every request was tried
            png.snapshot(page, width=200, height=100, timeout_s=10)
    finally:
        server.shutdown()
        server.server_close()
    assert seen == []
