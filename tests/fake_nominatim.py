"""A real HTTP server on 127.0.0.1 that speaks Nominatim's /search JSON API (and
Photon's /api) and misbehaves on demand.

Used by the online-geocoder tests instead of the internet::

    with FakeNominatim() as server:
        server.add_place("Vladivostok", 43.1155, 131.8855, country_code="ru")
        server.misbehave("503", "429")          # the next two requests fail
        geocoder = online_geocoder("nominatim", base_url=server.url, ...)

Behaviours, one per request, consumed in order: ``"500"``, ``"503"``,
``"429"`` (with ``Retry-After: <retry_after>``), ``"malformed"`` (a 200 whose
body is not JSON), ``"empty"`` (a 200 with ``[]``), ``"garbled"`` (JSON of the
wrong shape with impossible coordinates), ``"object"`` (an error object where
the result list belongs), ``"slow"`` (answers after
``slow_s``), ``"drip"`` (sends the headers, then one byte every ``drip_s``,
never finishing within any sane timeout), ``"hang"`` (accepts, reads, answers
nothing). Every request is recorded with its arrival time, path, query and
headers. Sleeping handlers wake as soon as the server stops, so a test never
waits for them.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = ["FakeNominatim", "Request"]


@dataclass
class Request:
    at: float  # time.monotonic() on arrival
    path: str
    params: dict[str, str]
    headers: dict[str, str]
    behaviour: str = "ok"


@dataclass
class _Place:
    name: str
    lat: float
    lon: float
    country_code: str
    addresstype: str
    importance: float
    state: str
    osm_id: int


@dataclass
class _Script:
    queue: list[str] = field(default_factory=list)
    always: str | None = None


class FakeNominatim:
    """Start with ``with FakeNominatim() as server:``; ``server.url`` is its base URL."""

    def __init__(self, *, retry_after: str = "0", slow_s: float = 5.0, drip_s: float = 0.05) -> None:
        self.retry_after = retry_after
        self.slow_s = slow_s
        self.drip_s = drip_s
        self.requests: list[Request] = []
        self._places: dict[str, list[_Place]] = {}
        self._script = _Script()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- set-up ------------------------------------------------------------------

    def add_place(self, name: str, lat: float, lon: float, *, country_code: str = "",
                  addresstype: str = "city", importance: float = 0.6, state: str = "",
                  query: str | None = None) -> None:
        """Answer ``query`` (default: ``name``, case-insensitive) with this place, after earlier ones."""
        key = (query or name).strip().lower()
        with self._lock:
            osm_id = 1000 + sum(len(v) for v in self._places.values())
            self._places.setdefault(key, []).append(
                _Place(name, lat, lon, country_code, addresstype, importance, state, osm_id))

    def misbehave(self, *behaviours: str) -> None:
        """The next requests behave like this, one behaviour each, then normally again."""
        with self._lock:
            self._script.queue.extend(behaviours)

    def always(self, behaviour: str | None) -> None:
        """Every request behaves like this until called again with None."""
        with self._lock:
            self._script.always = behaviour

    @property
    def url(self) -> str:
        assert self._server is not None, "server not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def search_requests(self) -> list[Request]:
        return [r for r in self.requests if r.path in ("/search", "/api", "/api/")]

    # -- lifecycle ---------------------------------------------------------------

    def __enter__(self) -> "FakeNominatim":
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def start(self) -> None:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-nominatim", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    # -- used by the handler -------------------------------------------------------

    def _next_behaviour(self) -> str:
        with self._lock:
            if self._script.queue:
                return self._script.queue.pop(0)
            return self._script.always or "ok"

    def _results(self, query: str, limit: int) -> list[_Place]:
        with self._lock:
            return list(self._places.get(" ".join(query.split()).lower(), ()))[:limit]


class _Handler(BaseHTTPRequestHandler):
    fake: FakeNominatim
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        fake = self.fake
        parts = urlsplit(self.path)
        params = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        record = Request(time.monotonic(), parts.path, params, {k.lower(): v for k, v in self.headers.items()})
        with fake._lock:
            fake.requests.append(record)
        if parts.path not in ("/search", "/api", "/api/"):
            self._send(404, b'{"error": "not found"}')
            return
        behaviour = record.behaviour = fake._next_behaviour()
        if behaviour in ("500", "503", "502", "504"):
            body = b"<html><body>Service temporarily unavailable</body></html>"
            self._send(int(behaviour), body, content_type="text/html")
        elif behaviour == "429":
            self._send(429, b"Too many requests", content_type="text/plain",
                       extra={"Retry-After": fake.retry_after})
        elif behaviour == "malformed":
            self._send(200, b'[{"place_id": 1, "lat": "43.1", "lon": ', content_type="application/json")
        elif behaviour == "empty":
            self._send(200, b"[]")
        elif behaviour == "garbled":  # valid JSON, wrong shape and impossible values
            self._send(200, b'[{"lat": "north", "lon": null, "display_name": 5}, {"lat": "95", "lon": "500"}]')
        elif behaviour == "object":  # an error object where a list belongs
            self._send(200, b'{"error": {"code": 400, "message": "Nothing to search for"}}')
        elif behaviour == "slow":
            if fake._stopping.wait(fake.slow_s):
                return
            self._answer(parts.path, params)
        elif behaviour == "hang":
            fake._stopping.wait(60)
            self.close_connection = True
        elif behaviour == "drip":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            deadline = time.monotonic() + 60
            try:
                while time.monotonic() < deadline and not fake._stopping.wait(fake.drip_s):
                    self.wfile.write(b" ")
                    self.wfile.flush()
            except OSError:
                pass
            self.close_connection = True
        else:
            self._answer(parts.path, params)

    def _answer(self, path: str, params: dict[str, str]) -> None:
        query = params.get("q", "")
        try:
            limit = int(params.get("limit", "10"))
        except ValueError:
            limit = 10
        places = self.fake._results(query, limit)
        if path.startswith("/api"):
            body = _photon(places)
        else:
            body = [_nominatim(p, with_address=params.get("addressdetails") == "1") for p in places]
        self._send(200, json.dumps(body).encode())

    def _send(self, status: int, body: bytes, *, content_type: str = "application/json",
              extra: dict[str, str] | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", f"{content_type}; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            for key, value in (extra or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass


def _nominatim(place: _Place, *, with_address: bool) -> dict[str, Any]:
    """One result the way Nominatim's format=json shapes it (coordinates as strings)."""
    item: dict[str, Any] = {
        "place_id": place.osm_id * 7,
        "licence": "Data © OpenStreetMap contributors, ODbL 1.0. http://osm.org/copyright",
        "osm_type": "node",
        "osm_id": place.osm_id,
        "lat": f"{place.lat:.7f}",
        "lon": f"{place.lon:.7f}",
        "class": "place",
        "type": place.addresstype,
        "place_rank": 16,
        "importance": place.importance,
        "addresstype": place.addresstype,
        "name": place.name,
        "display_name": ", ".join(x for x in (place.name, place.state, place.country_code.upper()) if x),
        "boundingbox": [f"{place.lat - 0.1:.7f}", f"{place.lat + 0.1:.7f}",
                        f"{place.lon - 0.1:.7f}", f"{place.lon + 0.1:.7f}"],
    }
    if with_address:
        item["address"] = {"city": place.name, "state": place.state, "country_code": place.country_code}
    return item


def _photon(places: list[_Place]) -> dict[str, Any]:
    """Photon's answer: a GeoJSON FeatureCollection ([lon, lat] order)."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
                "properties": {"osm_id": p.osm_id, "osm_type": "N", "osm_value": p.addresstype,
                               "name": p.name, "countrycode": p.country_code.upper(), "state": p.state},
            }
            for p in places
        ],
    }
