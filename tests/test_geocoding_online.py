"""Online geocoders against a misbehaving Nominatim on 127.0.0.1 — never the internet.

Each test runs a real HTTP server (tests/fake_nominatim.py) and a real geopy
service pointed at it, with the rate-limit interval and backoff shrunk to
milliseconds so the suite stays fast; one test shows the default interval for
the public Nominatim is at least one second.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Sequence

import pytest

from fake_nominatim import FakeNominatim
from trip.errors import GeocoderServiceError, QueryError, ValidationError
from trip.geo import LatLon
from trip.geocoding import Candidate, GeocodeResult, Geocoder
from trip.geocoding.cache import GeocodeCache, normalise_query
from trip.geocoding.online import (
    NOMINATIM_MIN_INTERVAL_S,
    DeadlineAdapter,
    OnlineGeocoder,
    RateLimiter,
    RetryPolicy,
    configured_geocoder,
    online_geocoder,
    service_names,
    shared_rate_limiter,
)

INTERVAL = 0.03  # seconds between calls in these tests (the real default is ≥ 1 s)
BACKOFF = 0.01


class StubOffline:
    """Stands in for the offline gazetteer: answers every query with one fixed place."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def geocode(self, query: str, *, limit: int = 5) -> GeocodeResult:
        self.calls.append(query)
        best = Candidate(name=query.title(), location=LatLon(43.1, 131.9), country="RU", kind="city",
                         source="geonames", confidence=0.9, reason="offline stub")
        return GeocodeResult(query=query, best=best, candidates=(best,))

    def geocode_route(self, queries: Sequence[str], *, dates=None, modes=None, limit: int = 5):
        return [self.geocode(q, limit=limit) for q in queries]


@pytest.fixture
def server():
    with FakeNominatim() as fake:
        fake.add_place("Vladivostok", 43.1155, 131.8855, country_code="ru", state="Primorsky Krai",
                       importance=0.72)
        fake.add_place("Artyom", 43.3596, 132.1889, country_code="ru", state="Primorsky Krai",
                       addresstype="town", importance=0.5)
        fake.add_place("Artyom", 40.47, 50.33, country_code="az", addresstype="village",
                       importance=0.55)
        fake.add_place("Ussuriysk", 43.8029, 131.9459, country_code="ru", state="Primorsky Krai")
        yield fake


@pytest.fixture
def cache(tmp_path: Path) -> GeocodeCache:
    return GeocodeCache(tmp_path / "online.sqlite", lock_timeout_s=0.2)


def make(server: FakeNominatim, cache: GeocodeCache | None, *, fallback=None, timeout_s: float = 1.0,
         limiter: RateLimiter | None = None, **retry) -> OnlineGeocoder:
    return online_geocoder(
        "nominatim", base_url=server.url, user_agent="trip-tests/1.0 (loopback)", cache=cache if cache is not None else False,
        fallback=fallback, timeout_s=timeout_s, rate_limiter=limiter or RecordingLimiter(INTERVAL),
        retry=RetryPolicy(**{"backoff_s": BACKOFF, **retry}),
    )


class RecordingLimiter(RateLimiter):
    """A real limiter that also records when each call was let through (client side)."""

    def __init__(self, min_interval_s: float) -> None:
        super().__init__(min_interval_s)
        self.starts: list[float] = []

    def wait(self) -> float:
        waited = super().wait()
        self.starts.append(time.monotonic())
        return waited


def gaps(times: list[float]) -> list[float]:
    return [b - a for a, b in zip(times, times[1:])]


# -- what a working service gives --------------------------------------------------------


def test_answer_becomes_ranked_candidates(server, cache):
    geocoder = make(server, cache)
    assert isinstance(geocoder, Geocoder)
    result = geocoder.geocode("Vladivostok")
    assert result.resolved and not result.warnings
    best = result.best
    assert (best.name, best.country, best.kind, best.source, best.admin1) == (
        "Vladivostok", "RU", "city", "nominatim", "Primorsky Krai")
    assert best.location.lat == pytest.approx(43.1155) and best.location.lon == pytest.approx(131.8855)
    assert best.ref == "nominatim:node1000" and 0 < best.confidence <= 1
    (request,) = server.search_requests
    assert request.params["q"] == "Vladivostok" and request.params["format"] == "json"
    assert request.headers["user-agent"] == "trip-tests/1.0 (loopback)"


def test_several_candidates_keep_the_service_order(server, cache):
    result = make(server, cache).geocode("Artyom", limit=5)
    assert [c.country for c in result.candidates] == ["RU", "AZ"]
    assert result.candidates[0].confidence > result.candidates[1].confidence * 0.5


def test_route_picks_the_plausible_candidate_among_the_service_answers(server, cache):
    geocoder = make(server, cache)
    server.add_place("Artyom", 40.47, 50.33, country_code="az", importance=0.95, query="artyom beach")
    server.add_place("Artyom", 43.3596, 132.1889, country_code="ru", importance=0.4, query="artyom beach")
    alone = geocoder.geocode("Artyom beach")
    assert alone.best.country == "AZ"
    route = geocoder.geocode_route(["Vladivostok", "Artyom beach", "Ussuriysk"])
    assert [r.best.country for r in route] == ["RU", "RU", "RU"]
    assert "plausible" in route[1].reason


def test_pinned_stops_are_not_sent_and_steer_their_neighbours(server, cache):
    geocoder = make(server, cache)
    server.add_place("Artyom", 40.47, 50.33, country_code="az", importance=0.95, query="artyom beach")
    server.add_place("Artyom", 43.3596, 132.1889, country_code="ru", importance=0.4, query="artyom beach")
    route = geocoder.geocode_route(["My hotel", "Artyom beach"],
                                   fixed=[LatLon(43.1155, 131.8855), None])
    asked = [r.params.get("q") for r in server.search_requests]
    assert asked == ["Artyom beach"]
    assert route[0].best.location == LatLon(43.1155, 131.8855) and route[0].best.source == "given"
    assert route[1].best.country == "RU"


def test_photon_is_reached_by_name_too(server, cache):
    photon = online_geocoder("photon", base_url=server.url, cache=cache, fallback=None,
                             rate_limiter=RateLimiter(INTERVAL), retry=RetryPolicy(backoff_s=BACKOFF))
    best = photon.geocode("Ussuriysk").best
    assert (best.name, best.country, best.source) == ("Ussuriysk", "RU", "photon")
    assert best.location.lat == pytest.approx(43.8029)
    assert server.search_requests[-1].path.startswith("/api")


@pytest.mark.parametrize("name", ["pelias", "Nominatim", " PHOTON "])
def test_services_are_chosen_by_name(server, name):
    geocoder = online_geocoder(name, base_url=server.url, cache=False, fallback=None,
                               rate_limiter=RateLimiter(0))
    assert geocoder.service == name.strip().lower()
    assert geocoder.endpoint.endswith(server.url.split("//")[1])


def test_unknown_service_lists_the_valid_ones():
    with pytest.raises(ValidationError) as info:
        online_geocoder("nominatm", cache=False, fallback=None)
    message = str(info.value)
    assert '"nominatm"' in message and 'did you mean "nominatim"' in message
    for name in ("nominatim", "photon", "pelias", "offline"):
        assert name in message
    assert {"nominatim", "photon", "pelias", "arcgis"} <= set(service_names())


@pytest.mark.parametrize("query", ["", "   ", "\u200b\u200b", "x" * 301])
def test_unusable_queries_are_refused_before_any_request(server, cache, query):
    with pytest.raises(QueryError):
        make(server, cache).geocode(query)
    assert server.search_requests == []


def test_default_configuration_is_offline_and_opens_no_socket(monkeypatch):
    """No TRIP_GEOCODER: the real offline geocoder answers, and not one socket is created."""
    from trip.geocoding import default_geocoder

    made: list[tuple] = []
    real_socket = socket.socket

    class Watched(real_socket):
        def __init__(self, *args, **kwargs):
            made.append(args)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(socket, "socket", Watched)
    for env in ({}, {"TRIP_GEOCODER": "offline"}, {"TRIP_GEOCODER": ""}):
        geocoder = configured_geocoder(env)
        assert geocoder is default_geocoder() and not isinstance(geocoder, OnlineGeocoder)
        result = geocoder.geocode("Vladivostok")
        assert result.best.country == "RU" and result.best.source != "nominatim" and not result.warnings
    assert made == []


def test_configured_geocoder_reads_the_environment(server, tmp_path, monkeypatch):
    monkeypatch.setenv("TRIP_CACHE_DIR", str(tmp_path))
    geocoder = configured_geocoder({
        "TRIP_GEOCODER": "nominatim", "TRIP_GEOCODER_URL": server.url,
        "TRIP_GEOCODER_USER_AGENT": "trip-env-test/2", "TRIP_GEOCODER_TIMEOUT": "0.5",
    })
    assert isinstance(geocoder, OnlineGeocoder)
    assert geocoder.cache.path == tmp_path / "geocode-online.sqlite"
    assert geocoder.geopy.timeout == 0.5
    assert geocoder.geopy.headers["User-Agent"] == "trip-env-test/2"
    with pytest.raises(ValidationError, match="TRIP_GEOCODER_TIMEOUT"):
        configured_geocoder({"TRIP_GEOCODER": "nominatim", "TRIP_GEOCODER_TIMEOUT": "soon"})


# -- rate limiting ----------------------------------------------------------------------


def test_public_nominatim_waits_at_least_one_second_by_default():
    geocoder = online_geocoder("nominatim", cache=False, fallback=None)
    assert geocoder.endpoint == "nominatim@nominatim.openstreetmap.org"
    assert geocoder.rate_limiter.min_interval_s >= 1.0 == NOMINATIM_MIN_INTERVAL_S
    # Asking for less cannot make the public service's limiter faster.
    eager = online_geocoder("nominatim", cache=False, fallback=None, min_interval_s=0.01)
    assert eager.rate_limiter is geocoder.rate_limiter
    assert eager.rate_limiter.min_interval_s >= 1.0
    assert geocoder.geopy.headers["User-Agent"].startswith("trip/")


def test_the_limiter_spaces_calls_by_its_interval_on_a_fake_clock():
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(NOMINATIM_MIN_INTERVAL_S, clock=lambda: now[0], sleep=sleep)
    starts = []
    for _ in range(4):
        limiter.wait()
        starts.append(now[0])
    assert gaps(starts) == [1.0, 1.0, 1.0]
    limiter.hold_off(5.0)  # a 429 asked for a pause
    limiter.wait()
    assert now[0] - starts[-1] == pytest.approx(5.0)


def test_one_real_second_between_two_calls_to_a_one_second_limiter(server, cache):
    limiter = RecordingLimiter(NOMINATIM_MIN_INTERVAL_S)
    geocoder = make(server, cache, limiter=limiter)
    geocoder.geocode("Vladivostok")
    geocoder.geocode("Ussuriysk")
    (first, second) = server.search_requests
    assert limiter.starts[1] - limiter.starts[0] >= 1.0
    assert second.at - first.at >= 1.0  # spaced from the first request's end, so arrivals too


def test_limiter_spaces_the_next_call_from_the_end_of_a_slow_request():
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    limiter = RateLimiter(1.0, clock=lambda: now[0], sleep=sleep)
    limiter.wait()            # request 1 starts at t=0 ...
    now[0] = 3.0              # ... and takes 3 s
    limiter.done()
    assert limiter.wait() == pytest.approx(1.0)   # request 2 waits until t=4, not t=1


def test_limiter_is_process_wide_across_threads_and_geocoder_objects(server, tmp_path):
    endpoint = f"nominatim@test-{server.url}"
    limiter = shared_rate_limiter(endpoint, 0.05)
    assert shared_rate_limiter(endpoint, 0.01) is limiter and limiter.min_interval_s == 0.05
    names = ["Vladivostok", "Ussuriysk", "Artyom", "Nakhodka", "Khasan", "Partizansk"]
    geocoders = [make(server, GeocodeCache(tmp_path / f"c{i}.sqlite"), limiter=limiter) for i in range(3)]
    threads = [threading.Thread(target=geocoders[i % 3].geocode, args=(name,)) for i, name in enumerate(names)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    times = sorted(r.at for r in server.search_requests)
    assert len(times) == len(names)
    # Six calls from three threads through one limiter, one in flight at a time: every
    # arrival at least one interval after the previous one, however the threads were scheduled.
    assert min(gaps(times)) >= 0.05 - 0.002


# -- retries, timeouts, fallback ------------------------------------------------------------


@pytest.mark.parametrize("failures", [["500"], ["503"], ["503", "500"], ["502", "504"]])
def test_server_errors_are_retried_within_the_rate_limit(server, cache, failures):
    server.misbehave(*failures)
    limiter = RecordingLimiter(INTERVAL)
    result = make(server, cache, limiter=limiter).geocode("Vladivostok")
    assert result.best.name == "Vladivostok" and not result.warnings
    requests = server.search_requests
    assert [r.behaviour for r in requests] == failures + ["ok"]
    assert len(limiter.starts) == len(requests)
    assert min(gaps(limiter.starts)) >= INTERVAL - 0.002


def test_429_retry_after_is_honoured(server, cache):
    server.retry_after = "1"
    server.misbehave("429")
    result = make(server, cache).geocode("Vladivostok")
    assert result.best.name == "Vladivostok"
    first, second = server.search_requests
    assert (first.behaviour, second.behaviour) == ("429", "ok")
    assert second.at - first.at >= 0.99


def test_429_asking_for_a_long_pause_falls_back_at_once(server, cache):
    server.retry_after = "3600"
    server.misbehave("429")
    offline = StubOffline()
    started = time.monotonic()
    result = make(server, cache, fallback=offline, max_retry_after_s=5).geocode("Vladivostok")
    assert time.monotonic() - started < 2.0  # not the 3600 s asked for
    assert len(server.search_requests) == 1
    assert result.best.source == "geonames"
    assert "429" in result.warnings[0] and "offline answer used" in result.warnings[0]


@pytest.mark.parametrize("behaviour", ["500", "503", "malformed", "garbled", "object", "slow", "drip", "hang"])
def test_a_failing_service_falls_back_to_the_offline_answer_with_a_warning(server, cache, behaviour):
    server.always(behaviour)
    offline = StubOffline()
    geocoder = make(server, cache, fallback=offline, timeout_s=0.25, attempts=2)
    started = time.monotonic()
    result = geocoder.geocode("Vladivostok")
    elapsed = time.monotonic() - started
    assert result.best is not None and result.best.source == "geonames"
    assert offline.calls == ["Vladivostok"]
    (warning,) = result.warnings
    assert warning.startswith("online geocoder nominatim failed") and "offline answer used" in warning
    # Two attempts at most, each cut at its 0.25 s timeout, plus backoff and interval.
    assert elapsed < 2 * 0.25 + BACKOFF + INTERVAL + 1.0  # slack for a busy CI machine; a held request takes 5-60 s
    assert len(server.search_requests) == (1 if behaviour in ("malformed", "garbled", "object") else 2)
    assert len(cache) == 0, "a failure is never cached"


def test_no_request_is_held_past_its_timeout(server):
    """A server that drips a byte every 50 ms would hold urllib forever; the deadline cuts it."""
    server.always("drip")
    adapter = DeadlineAdapter()
    for timeout in (0.2, 0.4):
        started = time.monotonic()
        with pytest.raises(Exception) as info:
            adapter.get_json(f"{server.url}/search?q=x&format=json", timeout=timeout, headers={})
        assert time.monotonic() - started < timeout + 0.5  # the server would drip for 60 s
        assert "within" in str(info.value)


def test_empty_answer_is_cached_and_the_offline_answer_is_used(server, cache):
    offline = StubOffline()
    geocoder = make(server, cache, fallback=offline)
    first = geocoder.geocode("Nowhere at all")
    second = geocoder.geocode("nowhere AT all")
    assert len(server.search_requests) == 1
    for result in (first, second):
        assert result.best.source == "geonames"
        assert "found no match" in result.warnings[0]


def test_without_fallback_a_failure_is_a_trip_error_naming_service_and_status(server, cache):
    server.always("503")
    with pytest.raises(GeocoderServiceError, match=r"nominatim failed \(HTTP 503 after 3 attempts\)"):
        make(server, cache).geocode("Vladivostok")
    assert len(server.search_requests) == 3


def test_unreachable_service_falls_back(cache):
    with FakeNominatim() as gone:
        url = gone.url
    offline = StubOffline()
    geocoder = online_geocoder("nominatim", base_url=url, cache=cache, fallback=offline, timeout_s=0.5,
                               rate_limiter=RateLimiter(0), retry=RetryPolicy(attempts=2, backoff_s=BACKOFF))
    result = geocoder.geocode("Vladivostok")
    assert result.best.source == "geonames" and "failed" in result.warnings[0]


def test_the_real_offline_geocoder_is_the_default_fallback(server, cache):
    server.always("500")
    geocoder = make(server, cache, fallback=True, attempts=1)
    result = geocoder.geocode("Vladivostok")
    assert "offline answer used" in result.warnings[-1]
    assert result.best is not None and result.best.source != "nominatim"
    assert result.best.location.lat == pytest.approx(43.1, abs=0.3)


# -- the cache ----------------------------------------------------------------------------


def test_answers_are_cached_on_disk_keyed_on_the_normalised_query(server, cache):
    make(server, cache).geocode("Vladivostok")
    again = make(server, GeocodeCache(cache.path)).geocode("  VLADIVOSTOK\u00a0")
    assert len(server.search_requests) == 1
    assert again.best.name == "Vladivostok" and "cached" in again.reason
    assert normalise_query(" Artëm\u200b  City ") == "artëm city"


def test_cache_serves_a_smaller_limit_but_asks_again_for_a_larger_one(server, cache):
    geocoder = make(server, cache)
    geocoder.geocode("Artyom", limit=1)
    geocoder.geocode("Artyom", limit=1)
    assert len(server.search_requests) == 1
    assert len(geocoder.geocode("Artyom", limit=5).candidates) == 2
    assert len(server.search_requests) == 2
    geocoder.geocode("Artyom", limit=3)  # two results for five asked: complete
    assert len(server.search_requests) == 2


def test_cache_entries_expire(tmp_path):
    now = [1_000_000.0]
    cache = GeocodeCache(tmp_path / "c.sqlite", max_age_s=100, empty_max_age_s=10, clock=lambda: now[0])
    cache.put("svc", "full", [{"name": "x"}], limit=1)
    cache.put("svc", "empty", [], limit=1)
    now[0] += 50
    assert cache.get("svc", "full") is not None and cache.get("svc", "empty") is None
    now[0] += 60
    assert cache.get("svc", "full") is None


def _fill(cache: GeocodeCache, n: int) -> None:
    for i in range(n):
        cache.put("nominatim", f"place {i}", [{"name": f"Place {i}", "lat": i / 10, "lon": i / 20}], limit=5)


def _record_spans(path: Path) -> dict[str, tuple[int, int]]:
    data = path.read_bytes()
    return {e.query: span for e, span in (
        (GeocodeCache.scan_bytes(data[m.start():m.end()])[0], (m.start(), m.end()))
        for m in GeocodeCache.record_matches(data))}


@pytest.mark.parametrize("fraction", [0.35, 0.6, 0.85])
def test_truncated_cache_file_keeps_every_entry_before_the_cut(tmp_path, fraction):
    path = tmp_path / "c.sqlite"
    _fill(GeocodeCache(path), 400)
    spans = _record_spans(path)
    first = min(start for start, _ in spans.values())
    last = max(end for _, end in spans.values())
    cut = int(first + (last - first) * fraction)
    with open(path, "r+b") as handle:
        handle.truncate(cut)
    survivors = {q for q, (start, end) in spans.items() if end <= cut}
    assert 0 < len(survivors) < len(spans)
    cache = GeocodeCache(path)
    assert {e.query for e in cache.entries()} >= survivors
    assert any("damaged" in note for note in cache.incidents)
    assert list(tmp_path.glob("c.sqlite.corrupt-*")), "the damaged file is kept for inspection"
    assert cache.put("nominatim", "new", [], limit=1) and cache.get("nominatim", "new") is not None


@pytest.mark.parametrize("where", ["header", "middle", "end"])
def test_garbage_in_the_cache_file_loses_only_the_entries_it_overwrote(tmp_path, where):
    path = tmp_path / "c.sqlite"
    _fill(GeocodeCache(path), 400)
    spans = _record_spans(path)
    size = path.stat().st_size
    start = {"header": 0, "middle": size // 2, "end": size - 5000}[where]
    junk = bytes((i * 97 + 13) % 256 for i in range(4000))
    with open(path, "r+b") as handle:
        handle.seek(start)
        handle.write(junk)
    hit = {q for q, (a, b) in spans.items() if a < start + len(junk) and b > start}
    cache = GeocodeCache(path)
    readable = {q for q in spans if cache.get("nominatim", q) is not None}
    assert readable == set(spans) - hit
    assert len(cache) >= len(readable)


def test_a_file_that_is_not_a_database_at_all_is_replaced(tmp_path):
    path = tmp_path / "c.sqlite"
    path.write_bytes(b"\0" * 10_000)
    cache = GeocodeCache(path)
    assert cache.get("nominatim", "anything") is None
    assert cache.put("nominatim", "anything", [{"name": "x"}], limit=1)
    assert cache.get("nominatim", "anything").results == [{"name": "x"}]


def test_a_tampered_entry_is_dropped_alone(tmp_path):
    path = tmp_path / "c.sqlite"
    cache = GeocodeCache(path)
    _fill(cache, 10)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE entries SET record = replace(record, 'A', 'B') WHERE key LIKE '%place 3'")
    assert cache.get("nominatim", "place 3") is None
    assert [cache.get("nominatim", f"place {i}") is not None for i in range(10)].count(True) == 9
    assert "integrity" in cache.incidents[-1]


def test_a_locked_cache_file_is_bypassed_and_nothing_is_lost(server, tmp_path):
    path = tmp_path / "c.sqlite"
    _fill(GeocodeCache(path), 20)
    holder = sqlite3.connect(path, isolation_level=None, timeout=0.1)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        cache = GeocodeCache(path, lock_timeout_s=0.1)
        geocoder = make(server, cache)
        started = time.monotonic()
        result = geocoder.geocode("Vladivostok")
        assert time.monotonic() - started < 3.0
        assert result.best.name == "Vladivostok" and not result.warnings
        assert any("locked" in note for note in cache.incidents)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    cache = GeocodeCache(path)
    assert len(cache) == 20 and not list(tmp_path.glob("*.corrupt-*"))
    make(server, cache).geocode("Vladivostok")
    assert len(cache) == 21


def test_a_writer_killed_mid_write_loses_no_committed_entry(tmp_path):
    """SIGKILL a process while it writes entry after entry; every entry it reported stored is there."""
    path = tmp_path / "c.sqlite"
    script = (
        "import sys\n"
        "from trip.geocoding.cache import GeocodeCache\n"
        f"cache = GeocodeCache({str(path)!r})\n"
        "for i in range(100000):\n"
        "    cache.put('nominatim', f'place {i}', [{'name': 'x' * (i % 500), 'lat': 1, 'lon': 2}], limit=5)\n"
        "    print(i, flush=True)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                            cwd=Path(__file__).resolve().parent.parent)
    stored = []
    try:
        deadline = time.monotonic() + 30
        while len(stored) < 60 and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            stored.append(int(line))
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        proc.stdout.close()
    assert len(stored) >= 60
    cache = GeocodeCache(path)
    missing = [i for i in stored if cache.get("nominatim", f"place {i}") is None]
    assert missing == []


def test_cache_is_safe_across_threads(tmp_path):
    cache = GeocodeCache(tmp_path / "c.sqlite")

    def work(offset: int) -> None:
        for i in range(25):
            cache.put("svc", f"q{offset}-{i}", [{"n": i}], limit=1)
            assert cache.get("svc", f"q{offset}-{i}") is not None

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert len(cache) == 100


@pytest.mark.parametrize("bad", [{"attempts": 0}, {"backoff_s": -1}, {"budget_s": float("nan")},
                                 {"max_retry_after_s": "soon"}])
def test_a_retry_policy_that_cannot_work_is_refused(bad):
    (field,) = bad
    with pytest.raises(ValidationError, match=f'"{field}"'):
        RetryPolicy(**bad)


def test_one_retry_policy_configures_the_geocoder(server, cache):
    policy = RetryPolicy(attempts=2, backoff_s=BACKOFF, budget_s=5.0)
    geocoder = online_geocoder("nominatim", base_url=server.url, cache=False, fallback=None,
                               rate_limiter=RateLimiter(0), retry=policy)
    assert geocoder.retry is policy
    server.always("503")
    with pytest.raises(GeocoderServiceError, match="after 2 attempts"):
        geocoder.geocode("Vladivostok")
    assert len(server.search_requests) == 2
