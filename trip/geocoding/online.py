"""Opt-in online geocoders: any geopy service by name, made polite and dependable.

trip works offline. A user who wants a second opinion from Nominatim, Photon,
Pelias or any other service geopy knows can opt in (``TRIP_GEOCODER=nominatim``
or :func:`online_geocoder`), and gets a :class:`~trip.geocoding.Geocoder` that

* identifies itself with a configured user agent;
* waits its turn at ONE process-wide rate limiter per service endpoint (at least
  1 s between calls to the public Nominatim, as its usage policy asks), shared by
  every thread and every geocoder object talking to that endpoint;
* never holds a request past its timeout: the default HTTP adapter enforces a
  hard deadline on the whole exchange, not just on each socket read;
* retries service errors (429 honouring Retry-After, 5xx, timeouts) with
  exponential backoff, within the rate limit and an overall time budget;
* keeps every answer in a persistent on-disk cache keyed on the normalised query
  (:mod:`trip.geocoding.cache`);
* falls back to the offline gazetteer's answer when the service fails, and says
  so in :attr:`GeocodeResult.warnings <trip.geocoding.GeocodeResult.warnings>`.

I/O is injected: pass ``domain``/``scheme`` (or ``base_url``) to point a service
at a server of your own, and ``adapter_factory`` to swap geopy's HTTP adapter.
Nothing here runs unless asked: :func:`configured_geocoder` with no settings is
the offline geocoder and opens no socket.
"""

from __future__ import annotations

import dataclasses
import difflib
import contextlib
import datetime as dt
import email.utils
import http.client
import inspect
import json
import logging
import math
import os
import socket
import ssl
import threading
import time
from typing import Any, Callable, Iterator, Mapping, Sequence
from urllib.parse import urlsplit

from geopy import exc as geopy_exc
from geopy.adapters import AdapterHTTPError, BaseSyncAdapter
from geopy.geocoders import SERVICE_TO_GEOCODER

from ..errors import GeocoderServiceError, QueryError, ValidationError
from ..geo import LatLon, distance_km
from . import Candidate, GeocodeResult, Geocoder
from .cache import GeocodeCache, normalise_query

__all__ = [
    "OnlineGeocoder",
    "RetryPolicy",
    "RateLimiter",
    "DeadlineAdapter",
    "online_geocoder",
    "configured_geocoder",
    "service_names",
    "check_service_name",
    "shared_rate_limiter",
    "DEFAULT_USER_AGENT",
    "NOMINATIM_PUBLIC_DOMAIN",
    "NOMINATIM_MIN_INTERVAL_S",
]

log = logging.getLogger(__name__)

DEFAULT_USER_AGENT = "trip/0.1.0 (offline-first trip mapper; set TRIP_GEOCODER_USER_AGENT)"
NOMINATIM_PUBLIC_DOMAIN = "nominatim.openstreetmap.org"
#: Nominatim's usage policy: an absolute maximum of one request per second.
NOMINATIM_MIN_INTERVAL_S = 1.0
#: Services without a published policy still get a pause between calls.
DEFAULT_MIN_INTERVAL_S = 1.0
#: Longest query sent to a service; longer text is no place name.
MAX_QUERY = 300
#: Largest answer read from a service; a bigger one is refused, not buffered.
MAX_RESPONSE_BYTES = 4 * 1024 * 1024

#: Environment variables read by :func:`configured_geocoder`.
ENV_SERVICE = "TRIP_GEOCODER"
ENV_USER_AGENT = "TRIP_GEOCODER_USER_AGENT"
ENV_URL = "TRIP_GEOCODER_URL"
ENV_TIMEOUT = "TRIP_GEOCODER_TIMEOUT"
ENV_API_KEY = "TRIP_GEOCODER_API_KEY"


def service_names() -> list[str]:
    """Every service name geopy knows, sorted."""
    return sorted(SERVICE_TO_GEOCODER)


def check_service_name(name: str) -> str:
    """``name`` as geopy knows it (trimmed, lower case); an unknown name lists the valid ones."""
    _service_class(name)
    return name.strip().lower()


def _service_class(name: str) -> type:
    key = (name or "").strip().lower() if isinstance(name, str) else ""
    if key not in SERVICE_TO_GEOCODER:
        near = difflib.get_close_matches(key, service_names(), n=1)
        hint = f'did you mean "{near[0]}"? ' if near else ""
        raise ValidationError(
            f"is not a geocoding service ({hint}valid: offline, " + ", ".join(service_names()) + ")",
            field="service", value=name,
        )
    return SERVICE_TO_GEOCODER[key]


# -- rate limiting -----------------------------------------------------------------


class RateLimiter:
    """At least ``min_interval_s`` between consecutive calls, across threads.

    A caller is let through only when the clock has passed the previous
    caller's actual start plus the interval (checked under a lock), so a
    thread that oversleeps can never squeeze the next call closer than the
    interval. A caller that reports :meth:`done` also pushes the next start to
    one interval after its request *finished*: the gap the service sees between
    two arrivals is then at least the interval, however late the first one
    arrived (a service's usage policy counts arrivals, not our send times).
    Geocoders go through :meth:`slot`, which also keeps one request in flight at a
    time. Waiting threads sleep, never spin. A service that asks for a
    pause (HTTP 429 with Retry-After) pushes every later call back with
    :meth:`hold_off`. ``clock`` and ``sleep`` are injectable for tests.
    """

    def __init__(
        self,
        min_interval_s: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not (min_interval_s >= 0 and math.isfinite(min_interval_s)):
            raise ValidationError("must be a finite number ≥ 0", field="min_interval_s", value=min_interval_s)
        self.min_interval_s = float(min_interval_s)
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next = -math.inf
        self._free = threading.Condition()
        self._busy = False

    def wait(self) -> float:
        """Block until this caller may start; return the seconds waited."""
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                delay = self._next - now
                if delay <= 0:
                    self._next = now + self.min_interval_s
                    return waited
            self._sleep(delay)
            waited += delay

    @contextlib.contextmanager
    def slot(self) -> Iterator[None]:
        """One request at a time (Nominatim's policy asks for a single thread): wait
        until no other request is in flight and the interval has passed, and on exit
        space the next one from the end of this one. Threads waiting for the slot
        block on a condition, so a slow request can never be overtaken and arrive
        next to the one after it."""
        with self._free:
            while self._busy:
                self._free.wait()
            self._busy = True
        try:
            self.wait()
            yield
        finally:
            self.done()
            with self._free:
                self._busy = False
                self._free.notify()

    def done(self) -> None:
        """The request let through last has finished: space the next one from now."""
        with self._lock:
            self._next = max(self._next, self._clock() + self.min_interval_s)

    def hold_off(self, seconds: float) -> None:
        """No call starts within ``seconds`` from now (a service asked for a pause)."""
        with self._lock:
            self._next = max(self._next, self._clock() + max(0.0, seconds))

    def raise_interval(self, min_interval_s: float) -> None:
        with self._lock:
            self.min_interval_s = max(self.min_interval_s, float(min_interval_s))


_LIMITERS: dict[str, RateLimiter] = {}
_LIMITERS_LOCK = threading.Lock()


def shared_rate_limiter(endpoint: str, min_interval_s: float) -> RateLimiter:
    """The one process-wide limiter for ``endpoint`` (a service name and host).

    Every geocoder object for the same endpoint gets the same limiter; asking
    for a longer interval than it has lengthens it, a shorter one never shortens it.
    """
    with _LIMITERS_LOCK:
        limiter = _LIMITERS.get(endpoint)
        if limiter is None:
            limiter = _LIMITERS[endpoint] = RateLimiter(min_interval_s)
        else:
            limiter.raise_interval(min_interval_s)
        return limiter


# -- HTTP with a hard deadline -------------------------------------------------------


class DeadlineAdapter(BaseSyncAdapter):
    """geopy adapter over :mod:`http.client` whose ``timeout`` bounds the whole exchange.

    urllib's timeout applies to each socket operation, so a server that drips a
    byte every second holds a request forever. Here a watchdog shuts the socket
    down when the deadline passes, whatever the request is doing. Proxies are
    not supported (pass geopy's own ``URLLibAdapter`` as ``adapter_factory`` if
    you need one); responses over ``MAX_RESPONSE_BYTES`` are refused.
    """

    def __init__(self, *, proxies: Any = None, ssl_context: Any = None) -> None:
        super().__init__(proxies=proxies, ssl_context=ssl_context)
        self.ssl_context = ssl_context if isinstance(ssl_context, ssl.SSLContext) else None

    def get_json(self, url: str, *, timeout: float, headers: Mapping[str, str]) -> Any:
        text = self.get_text(url, timeout=timeout, headers=headers)
        try:
            return json.loads(text)
        except ValueError:
            raise geopy_exc.GeocoderParseError(f"answer is not JSON: {text[:80]!r}") from None

    def get_text(self, url: str, *, timeout: float, headers: Mapping[str, str]) -> str:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise geopy_exc.GeocoderServiceError(f"unsupported URL {url!r}")
        timeout = float(timeout) if timeout else 10.0
        deadline = time.monotonic() + timeout
        if parts.scheme == "https":
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                parts.hostname, parts.port, timeout=timeout,
                context=self.ssl_context or ssl.create_default_context(),
            )
        else:
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
        expired = threading.Event()

        def cut() -> None:
            expired.set()
            sock = conn.sock
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

        watchdog = threading.Timer(timeout, cut)
        watchdog.daemon = True
        watchdog.start()
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            conn.request("GET", path, headers=dict(headers))
            resp = conn.getresponse()
            body = resp.read(MAX_RESPONSE_BYTES + 1)
            if expired.is_set() or time.monotonic() > deadline:
                raise geopy_exc.GeocoderTimedOut(f"no complete answer within {timeout:g} s")
        except (TimeoutError, socket.timeout):
            raise geopy_exc.GeocoderTimedOut(f"no answer within {timeout:g} s") from None
        except (http.client.HTTPException, OSError) as err:
            if expired.is_set():
                raise geopy_exc.GeocoderTimedOut(f"no complete answer within {timeout:g} s") from None
            if isinstance(err, (ConnectionRefusedError, socket.gaierror)):
                raise geopy_exc.GeocoderUnavailable(f"service unreachable: {err}") from None
            raise geopy_exc.GeocoderServiceError(f"connection failed: {err}") from None
        finally:
            watchdog.cancel()
            conn.close()
        if len(body) > MAX_RESPONSE_BYTES:
            raise geopy_exc.GeocoderServiceError(f"answer larger than {MAX_RESPONSE_BYTES} bytes")
        charset = resp.headers.get_content_charset() or "utf-8"
        try:
            text = body.decode(charset)
        except (LookupError, UnicodeDecodeError):
            raise geopy_exc.GeocoderParseError("answer is not valid text") from None
        if resp.status >= 400:
            raise AdapterHTTPError(
                f"HTTP {resp.status} {resp.reason}",
                status_code=resp.status, headers=resp.headers, text=text[:2000],
            )
        return text


# -- the geocoder ------------------------------------------------------------------


def _retry_after_s(headers: Any) -> float | None:
    """Seconds a Retry-After header asks for (delay-seconds, fractional tolerated, or HTTP-date)."""
    if headers is None:
        return None
    try:
        value = headers.get("Retry-After") or headers.get("retry-after")
    except AttributeError:
        return None
    if not value:
        return None
    value = str(value).strip()
    try:
        seconds = float(value)
    except ValueError:
        parsed = email.utils.parsedate_tz(value)
        if parsed is None:
            return None
        seconds = email.utils.mktime_tz(parsed) - time.time()
    return max(0.0, seconds) if math.isfinite(seconds) else None


@dataclasses.dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard one lookup tries before falling back: shared by every way of building a geocoder.

    ``attempts`` requests at most, the n-th retry pausing ``backoff_s × 2ⁿ⁻¹``
    (longer if the service asks with Retry-After, but a request to wait more
    than ``max_retry_after_s`` falls back at once), all within ``budget_s``.
    ``sleep`` and ``clock`` are injectable for tests.
    """

    attempts: int = 3
    backoff_s: float = 1.0
    max_retry_after_s: float = 30.0
    budget_s: float = 60.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic

    def __post_init__(self) -> None:
        if not isinstance(self.attempts, int) or self.attempts < 1:
            raise ValidationError("must be at least 1", field="attempts", value=self.attempts)
        for name in ("backoff_s", "max_retry_after_s", "budget_s"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and value >= 0 and math.isfinite(value)):
                raise ValidationError("must be a finite number of seconds ≥ 0", field=name, value=value)


@dataclasses.dataclass(frozen=True, slots=True)
class _Failure:
    """Why one attempt failed, and whether another attempt may help."""

    message: str
    retryable: bool
    retry_after_s: float | None = None


def _classify(err: Exception) -> _Failure:
    cause = err.__cause__
    status = cause.status_code if isinstance(cause, AdapterHTTPError) else None
    headers = cause.headers if isinstance(cause, AdapterHTTPError) else None
    if isinstance(err, geopy_exc.GeocoderRateLimited):
        retry_after = _retry_after_s(headers)
        if retry_after is None and err.retry_after is not None:
            retry_after = float(err.retry_after)
        return _Failure(f"HTTP 429 rate limited{_after(retry_after)}", True, retry_after)
    if status is not None:
        text = f"HTTP {status}"
        if status >= 500 or status == 408:
            return _Failure(text, True, _retry_after_s(headers) if status == 503 else None)
        return _Failure(f"{text}: {type(err).__name__}", False)
    if isinstance(err, geopy_exc.GeocoderParseError):
        return _Failure("malformed answer (not the JSON the service speaks)", False)
    if isinstance(err, (geopy_exc.GeocoderTimedOut, geopy_exc.GeocoderUnavailable)):
        return _Failure(str(err) or type(err).__name__, True)
    if isinstance(err, (geopy_exc.GeocoderAuthenticationFailure, geopy_exc.GeocoderInsufficientPrivileges,
                        geopy_exc.GeocoderQuotaExceeded, geopy_exc.GeocoderQueryError,
                        geopy_exc.ConfigurationError)):
        return _Failure(f"{type(err).__name__}: {err}", False)
    if isinstance(err, geopy_exc.GeocoderServiceError):
        return _Failure(str(err) or type(err).__name__, True)
    return _Failure(f"unexpected answer ({type(err).__name__}: {err})", False)


def _after(seconds: float | None) -> str:
    return f" (Retry-After {seconds:g} s)" if seconds is not None else ""


def _first(raw: Mapping[str, Any], *paths: str) -> Any:
    """The first non-empty value among dotted ``paths`` of a service's raw answer."""
    for path in paths:
        value: Any = raw
        for part in path.split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
        if value not in (None, ""):
            return value
    return None


def _location_to_dict(service: str, rank: int, location: Any) -> dict[str, Any] | None:
    """One geopy Location as the plain data the cache keeps (None if unusable)."""
    raw = location.raw if isinstance(getattr(location, "raw", None), Mapping) else {}
    try:
        point = LatLon(location.latitude, location.longitude)
    except Exception:  # a service answered an impossible coordinate: skip that result
        return None
    country = _first(raw, "address.country_code", "properties.countrycode", "properties.country_code",
                     "country_code", "countryCode", "properties.country_a")
    country = str(country).upper() if country else ""
    if len(country) != 2:
        country = ""
    kind = _first(raw, "addresstype", "properties.osm_value", "properties.type", "properties.layer")
    if not kind:
        kind = raw.get("type") if raw.get("type") not in (None, "", "Feature") else raw.get("class")
    kind = kind or "place"
    name = _first(raw, "name", "properties.name", "properties.label") or str(location.address or "")
    importance = _first(raw, "importance", "properties.confidence", "confidence")
    try:
        score = float(importance) if importance is not None else None
    except (TypeError, ValueError):
        score = None
    if score is None or not math.isfinite(score):
        score = 0.6
    score = max(0.05, min(1.0, score)) * (0.9 ** rank)
    osm = _first(raw, "osm_type", "properties.osm_type")
    ident = _first(raw, "osm_id", "properties.osm_id", "place_id", "properties.id", "id")
    ref = f"{service}:{osm or ''}{ident}" if ident is not None else ""
    admin1 = _first(raw, "address.state", "properties.state", "properties.region") or ""
    population = _first(raw, "extratags.population")
    try:
        population = int(population) if population is not None else 0
    except (TypeError, ValueError):
        population = 0
    return {
        "name": str(name)[:MAX_QUERY],
        "address": str(location.address or "")[:1000],
        "lat": point.lat,
        "lon": point.lon,
        "country": country,
        "kind": str(kind)[:60],
        "confidence": round(score, 4),
        "admin1": str(admin1)[:200],
        "population": population,
        "ref": str(ref)[:200],
    }


def _candidate(service: str, data: Mapping[str, Any], rank: int) -> Candidate:
    address = data.get("address") or data["name"]
    return Candidate(
        name=data["name"],
        location=LatLon(data["lat"], data["lon"]),
        country=data.get("country", ""),
        kind=data.get("kind", "place"),
        source=service,
        confidence=float(data.get("confidence", 0.5)),
        reason=f"{service} result #{rank + 1}: {address}",
        population=int(data.get("population", 0)),
        admin1=data.get("admin1", ""),
        ref=data.get("ref", ""),
    )


class OnlineGeocoder:
    """One geopy service behind trip's :class:`~trip.geocoding.Geocoder` protocol.

    Build it with :func:`online_geocoder`, which fills in the shared rate
    limiter, the cache and the offline fallback. Tests inject ``rate_limiter``
    and a :class:`RetryPolicy` with short pauses or a fake clock.
    """

    def __init__(
        self,
        service: str,
        geopy_geocoder: Any,
        *,
        endpoint: str,
        rate_limiter: RateLimiter,
        cache: GeocodeCache | None,
        fallback: Geocoder | Callable[[], Geocoder] | None,
        retry: RetryPolicy = RetryPolicy(),
    ) -> None:
        self.service = service
        self.endpoint = endpoint
        self.geopy = geopy_geocoder
        self.rate_limiter = rate_limiter
        self.cache = cache
        self._fallback = fallback
        self.retry = retry
        params = inspect.signature(geopy_geocoder.geocode).parameters
        self._supports_limit = "limit" in params
        self._supports_details = "addressdetails" in params
        #: Requests actually sent (for tests and the fault report).
        self.requests_sent = 0

    def __repr__(self) -> str:
        return f"OnlineGeocoder({self.service!r}, endpoint={self.endpoint!r})"

    # -- Geocoder protocol ----------------------------------------------------------

    def geocode(self, query: str, *, limit: int = 5) -> GeocodeResult:
        """Ranked candidates for one name: cache, else the service, else the offline answer."""
        query = self._check_query(query)
        limit = max(1, int(limit))
        cache_key = self.endpoint
        if self.cache is not None:
            hit = self.cache.get(cache_key, query, limit=limit)
            if hit is not None and hit.results:
                return self._result(query, hit.results, limit, note=f"{self.service} (cached)")
            if hit is not None:
                return self._fall_back(query, limit, f"online geocoder {self.service} found no match (cached)")
        try:
            results = self._ask(query, limit)
        except GeocoderServiceError as err:
            return self._fall_back(query, limit, f"online geocoder {self.service} failed ({err})")
        if self.cache is not None:
            self.cache.put(cache_key, query, results, limit=limit)
        if not results:
            return self._fall_back(query, limit, f"online geocoder {self.service} found no match")
        return self._result(query, results, limit, note=self.service)

    def geocode_route(
        self,
        queries: Sequence[str],
        *,
        dates: Sequence[dt.date | None] | None = None,
        modes: Sequence[str | None] | None = None,
        limit: int = 5,
        fixed: Sequence[LatLon | None] | None = None,
    ) -> list[GeocodeResult]:
        """Each stop online, then the plausible combination: the shortest trip among likely candidates.

        Online services know nothing of the neighbouring stops, so each query is
        asked alone and the choice among each one's candidates is made jointly
        (a Viterbi pass trading confidence against leg length). A stop pinned by
        ``fixed`` is not sent to the service; its coordinates steer its neighbours.
        """
        pins = list(fixed) if fixed is not None else [None] * len(queries)
        if len(pins) != len(queries):
            raise QueryError("must have one entry per stop", field="fixed", value=len(pins))
        results = [
            _pinned_result(q, pin) if pin is not None else self.geocode(q, limit=limit)
            for q, pin in zip(queries, pins)
        ]
        return _choose_jointly(results)

    # -- internals ------------------------------------------------------------------

    @staticmethod
    def _check_query(query: Any) -> str:
        if not isinstance(query, str):
            raise QueryError("is not text", field="query", value=query)
        text = " ".join(query.split())
        if not normalise_query(text):
            raise QueryError("is empty", field="query", value=query)
        if len(text) > MAX_QUERY:
            raise QueryError(f"is too long ({len(text)} characters, at most {MAX_QUERY})",
                             field="query", value=text[:40] + "…")
        return text

    def _call(self, query: str, limit: int) -> Any:
        kwargs: dict[str, Any] = {"exactly_one": False}
        if self._supports_limit:
            kwargs["limit"] = limit
        if self._supports_details:
            kwargs["addressdetails"] = True
        return self.geopy.geocode(query, **kwargs)

    def _ask(self, query: str, limit: int) -> list[dict[str, Any]]:
        """The service's answer, retried within the rate limit and the time budget."""
        retry = self.retry
        started = retry.clock()
        failure: _Failure | None = None
        sent = 0
        for attempt in range(retry.attempts):
            if attempt:
                pause = retry.backoff_s * (2 ** (attempt - 1))
                if failure is not None and failure.retry_after_s is not None:
                    if failure.retry_after_s > retry.max_retry_after_s:
                        break  # asked to wait longer than we hold a lookup: fall back now
                    pause = max(pause, failure.retry_after_s)
                if retry.clock() - started + pause > retry.budget_s:
                    break
                retry.sleep(pause)
            try:
                with self.rate_limiter.slot():
                    self.requests_sent += 1
                    sent += 1
                    locations = self._call(query, limit)
            except Exception as err:  # geopy and adapter errors are classified, nothing escapes raw
                failure = _classify(err)
                log.info("%s attempt %d for %r failed: %s", self.service, attempt + 1, query, failure.message)
                if failure.retry_after_s:
                    self.rate_limiter.hold_off(min(failure.retry_after_s, retry.max_retry_after_s))
                if not failure.retryable:
                    break
                continue
            rows = []
            for rank, location in enumerate(locations or ()):
                data = _location_to_dict(self.service, rank, location)
                if data is not None:
                    rows.append(data)
            return rows[:limit]
        assert failure is not None
        raise GeocoderServiceError(f"{failure.message} after {sent} attempt{'s' if sent != 1 else ''}")

    def _result(self, query: str, rows: list[dict[str, Any]], limit: int, *, note: str) -> GeocodeResult:
        candidates = tuple(_candidate(self.service, row, rank) for rank, row in enumerate(rows[:limit]))
        return GeocodeResult(query=query, best=candidates[0] if candidates else None,
                             candidates=candidates, reason=f"answered by {note}")

    def fallback(self) -> Geocoder | None:
        if callable(self._fallback) and not isinstance(self._fallback, Geocoder):
            self._fallback = self._fallback()
        return self._fallback  # type: ignore[return-value]

    def _fall_back(self, query: str, limit: int, warning: str) -> GeocodeResult:
        offline = self.fallback()
        if offline is None:
            if "found no match" in warning:
                return GeocodeResult(query=query, best=None, reason=warning)
            raise GeocoderServiceError(warning)
        answer = offline.geocode(query, limit=limit)
        return dataclasses.replace(
            answer,
            warnings=tuple(answer.warnings) + (f"{warning}; offline answer used",),
        )


def _pinned_result(query: str, location: LatLon) -> GeocodeResult:
    """The answer for a stop whose coordinates the caller already knows."""
    given = Candidate(name=query, location=location, country="", kind="", source="given",
                      confidence=1.0, reason="coordinates given by the caller")
    return GeocodeResult(query=query, best=given, candidates=(given,))


def _choose_jointly(results: list[GeocodeResult]) -> list[GeocodeResult]:
    """Pick, for each stop, the candidate that makes the whole route most plausible."""
    options = [list(r.candidates) or ([r.best] if r.best else []) for r in results]
    if sum(1 for o in options if o) < 2:
        return results

    def cost(c: Candidate) -> float:
        return -math.log(max(c.confidence, 1e-3))

    # Viterbi over stops that have candidates; a stop without any is skipped over.
    # A leg of 2000 km costs as much as a candidate e times less likely.
    steps = [(i, o) for i, o in enumerate(options) if o]
    best: list[tuple[float, list[int]]] = [(cost(c), [k]) for k, c in enumerate(steps[0][1])]
    previous = steps[0][1]
    for _, here in steps[1:]:
        best = [
            min(
                (score + cost(cand) + distance_km(previous[path[-1]].location, cand.location) / 2000.0,
                 path + [k])
                for score, path in best
            )
            for k, cand in enumerate(here)
        ]
        previous = here
    _, choice = min(best)
    chosen = list(results)
    for (index, cands), k in zip(steps, choice):
        if k != 0:
            pick = cands[k]
            ordered = (pick,) + tuple(c for c in cands if c is not pick)
            chosen[index] = dataclasses.replace(
                results[index], best=pick, candidates=ordered,
                reason=f"{results[index].reason}; #{k + 1} chosen as the plausible stop on this route",
            )
    return chosen


# -- construction ------------------------------------------------------------------


def online_geocoder(
    service: str,
    *,
    user_agent: str | None = None,
    base_url: str | None = None,
    domain: str | None = None,
    scheme: str | None = None,
    api_key: str | None = None,
    timeout_s: float = 10.0,
    adapter_factory: Callable[..., Any] | None = None,
    min_interval_s: float | None = None,
    rate_limiter: RateLimiter | None = None,
    cache: GeocodeCache | None | bool = True,
    fallback: Geocoder | Callable[[], Geocoder] | None | bool = True,
    retry: RetryPolicy = RetryPolicy(),
    **service_options: Any,
) -> OnlineGeocoder:
    """An online geocoder for geopy service ``service`` ("nominatim", "photon", "pelias", …).

    ``base_url`` ("http://127.0.0.1:8080") or ``domain`` + ``scheme`` point it at
    a server of your own. ``cache=True`` is the shared on-disk cache (False: none);
    ``fallback=True`` is :func:`trip.geocoding.default_geocoder` (None/False: raise
    :class:`~trip.errors.GeocoderServiceError` instead); ``retry`` says how hard
    each lookup tries. The public Nominatim always gets at least 1 s between
    calls, whatever ``min_interval_s`` says.
    """
    cls = _service_class(service)
    key = service.strip().lower()
    if base_url:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValidationError("is not an http(s) base URL", field="base_url", value=base_url)
        scheme = parts.scheme
        domain = parts.netloc + parts.path.rstrip("/")
    if not (timeout_s > 0 and math.isfinite(timeout_s)):
        raise ValidationError("must be a positive number of seconds", field="timeout_s", value=timeout_s)
    options: dict[str, Any] = dict(service_options)
    params = inspect.signature(cls.__init__).parameters
    if "user_agent" in params:
        options["user_agent"] = user_agent or DEFAULT_USER_AGENT
    if "timeout" in params:
        options["timeout"] = timeout_s
    if "adapter_factory" in params:
        options["adapter_factory"] = adapter_factory or DeadlineAdapter
    if scheme and "scheme" in params:
        options["scheme"] = scheme
    if domain and "domain" in params:
        options["domain"] = domain
    if api_key:
        for name in ("api_key", "apikey", "key", "username"):
            if name in params:
                options[name] = api_key
                break
    try:
        geopy_geocoder = cls(**options)
    except TypeError as err:
        raise ValidationError(f"cannot be configured this way: {err}", field="service", value=service) from err
    except geopy_exc.ConfigurationError as err:
        raise ValidationError(f"is misconfigured: {err}", field="service", value=service) from err

    host = domain or getattr(geopy_geocoder, "domain", "") or ""
    if not host:
        api = getattr(geopy_geocoder, "api", "") or ""
        host = urlsplit(api).netloc
    endpoint = f"{key}@{host}" if host else key
    interval = DEFAULT_MIN_INTERVAL_S if min_interval_s is None else float(min_interval_s)
    if key in ("nominatim", "openmapquest") and host in ("", NOMINATIM_PUBLIC_DOMAIN):
        interval = max(interval, NOMINATIM_MIN_INTERVAL_S)
    if rate_limiter is None:
        rate_limiter = shared_rate_limiter(endpoint, interval)
    if cache is True:
        cache = GeocodeCache()
    elif cache is False:
        cache = None
    if fallback is True:
        from . import default_geocoder

        fallback = default_geocoder
    elif fallback is False:
        fallback = None
    return OnlineGeocoder(key, geopy_geocoder, endpoint=endpoint, rate_limiter=rate_limiter,
                          cache=cache, fallback=fallback, retry=retry)


def configured_geocoder(env: Mapping[str, str] | None = None) -> Geocoder:
    """The geocoder the user asked for; the offline one unless ``TRIP_GEOCODER`` names a service.

    ``TRIP_GEOCODER`` (service name or "offline"), ``TRIP_GEOCODER_USER_AGENT``,
    ``TRIP_GEOCODER_URL`` (base URL of your own server), ``TRIP_GEOCODER_TIMEOUT``
    (seconds) and ``TRIP_GEOCODER_API_KEY``.
    """
    env = os.environ if env is None else env
    service = (env.get(ENV_SERVICE) or "offline").strip().lower()
    if service in ("", "offline", "none", "off"):
        from . import default_geocoder

        return default_geocoder()
    timeout_text = env.get(ENV_TIMEOUT) or "10"
    try:
        timeout_s = float(timeout_text)
    except ValueError:
        raise ValidationError("is not a number of seconds", field=ENV_TIMEOUT, value=timeout_text) from None
    return online_geocoder(
        service,
        user_agent=env.get(ENV_USER_AGENT) or None,
        base_url=env.get(ENV_URL) or None,
        api_key=env.get(ENV_API_KEY) or None,
        timeout_s=timeout_s,
    )
