"""Shared, cached access to trip's engine: the gazetteer, samples, routes, exports.

The geocoder is a process-wide read-only resource (``st.cache_resource``); pure
computations on an itinerary are cached by value (``st.cache_data``), which is
safe because an :class:`~trip.itinerary.Itinerary` is immutable.

A session may opt in to an online geocoder (:class:`OnlineSettings`, kept in its
session state only, never in the share link). Renamed and new stops and uploaded
trips are then looked up online, with the offline gazetteer as fallback; the
article extractor and the stop panel's alternatives stay offline. Every session
asking the same endpoint waits at ONE process-wide rate limiter
(:func:`trip.geocoding.online.shared_rate_limiter`).
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import streamlit as st

from trip.geocoding import GeocodeResult, Geocoder
from trip.itinerary import Itinerary

__all__ = [
    "GEOCODER_OVERRIDE",
    "ONLINE_KEY",
    "OnlineSettings",
    "online_settings",
    "set_online",
    "check_online_settings",
    "offline_geocoder",
    "geocoder",
    "LazyGeocoder",
    "geocode",
    "geocode_in_route",
    "sample_names",
    "load_sample",
    "default_trip",
    "route",
    "export",
    "write_export",
    "export_formats",
    "picture_problem",
    "start_browser",
    "picture",
    "read_upload",
    "resolve",
    "check_stop_limit",
]

log = logging.getLogger("trip.dashboard")

#: Session key a test may set to a Geocoder to use instead of the gazetteer.
GEOCODER_OVERRIDE = "geocoder_override"


@st.cache_resource(show_spinner=False)
def _shared_geocoder() -> Geocoder:
    """Open (and on first use build) the offline gazetteer, once per process."""
    try:
        from trip.gazetteer import open_gazetteer
    except ImportError:
        open_gazetteer = None
    if open_gazetteer is not None:
        open_gazetteer(progress=None)
    from trip.geocoding import default_geocoder

    return default_geocoder()


def offline_geocoder() -> Geocoder:
    """The shared offline gazetteer (or a test's override), whatever the session chose."""
    override = st.session_state.get(GEOCODER_OVERRIDE)
    if override is not None:
        return override
    with st.spinner("Opening the offline gazetteer (the first start builds it; this takes up to a minute)…"):
        return _shared_geocoder()


def geocoder() -> Geocoder:
    """The geocoder for this session's own lookups: the online service it turned on, else
    the offline gazetteer."""
    settings = online_settings()
    if settings is None or st.session_state.get(GEOCODER_OVERRIDE) is not None:
        return offline_geocoder()
    return _online_geocoder(settings.service, settings.user_agent, settings.url,
                            str(ONLINE_CACHE_PATH or ""))


# -- opt-in online geocoding ---------------------------------------------------------

#: Session key holding this session's :class:`OnlineSettings` (absent: offline).
ONLINE_KEY = "online_geocoding"
#: Where the online answers are kept; None is the shared cache file in TRIP_CACHE_DIR.
ONLINE_CACHE_PATH: Path | None = None
#: How hard one dashboard lookup tries: someone is waiting for the page, so fewer and
#: shorter tries than the library's default (then the offline answer, with a warning).
ONLINE_RETRY_ATTEMPTS = 2
ONLINE_TIMEOUT_S = 8.0
ONLINE_BUDGET_S = 20.0
NOMINATIM_AGENT_EXAMPLE = "my-trips/1.0 (me@example.org)"


@dataclasses.dataclass(frozen=True, slots=True)
class OnlineSettings:
    """One session's choice of online service: geopy name, user agent, own server URL."""

    service: str
    user_agent: str = ""
    url: str = ""

    @property
    def where(self) -> str:
        """The host the place names go to, as the user should read it."""
        if self.url:
            return urlsplit(self.url).netloc or self.url
        from trip.geocoding.online import NOMINATIM_PUBLIC_DOMAIN

        return NOMINATIM_PUBLIC_DOMAIN if self.service == "nominatim" else f"{self.service}'s public servers"


#: Environment variable: the own servers (base URLs, comma-separated) this dashboard's
#: users may choose. Empty by default, so a user can only pick a service's public address:
#: a free URL field would let anyone make the server send requests wherever it can reach.
SERVER_URLS_ENV = "TRIP_DASHBOARD_GEOCODER_URLS"


def allowed_server_urls() -> tuple[str, ...]:
    """The operator's own geocoding servers users may choose (see :data:`SERVER_URLS_ENV`)."""
    raw = os.environ.get(SERVER_URLS_ENV, "")
    return tuple(dict.fromkeys(u.strip().rstrip("/") for u in raw.split(",") if u.strip()))


def check_online_settings(service: str, user_agent: str = "", url: str = "") -> OnlineSettings:
    """Validated settings, or a :class:`~trip.errors.ValidationError` naming the field.

    The same rules as the CLI's ``--geocoder``: a service geopy knows (an unknown name
    lists the valid ones), an http(s) base URL, and a user agent for the public
    Nominatim, whose usage policy asks every application to identify itself.
    """
    from trip.errors import ValidationError
    from trip.geocoding.online import NOMINATIM_PUBLIC_DOMAIN, check_service_name

    name = check_service_name(service or "")
    user_agent = " ".join((user_agent or "").split())
    url = (url or "").strip().rstrip("/")
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValidationError("is not an http(s) address (e.g. http://127.0.0.1:8080)",
                                  field="server URL", value=url)
        if url not in allowed_server_urls():
            raise ValidationError(
                f"is not a server this dashboard may use (its operator lists them in {SERVER_URLS_ENV})",
                field="server URL", value=url)
    public = not url or (urlsplit(url).hostname or "").lower() == NOMINATIM_PUBLIC_DOMAIN
    if name == "nominatim" and public and not user_agent:
        raise ValidationError(
            "needs a user agent for the public Nominatim: its usage policy asks each application "
            f'to identify itself, e.g. "{NOMINATIM_AGENT_EXAMPLE}"', field="service", value=name)
    settings = OnlineSettings(name, user_agent, url)
    _online_geocoder(settings.service, settings.user_agent, settings.url, str(ONLINE_CACHE_PATH or ""))
    return settings


@st.cache_resource(max_entries=32, show_spinner=False)
def _online_geocoder(service: str, user_agent: str, url: str, cache_path: str) -> Geocoder:
    """One online geocoder per setting, shared by every session that chose it; whatever
    the setting, each endpoint has one rate limiter for the whole process. Building it
    sends nothing."""
    from trip.geocoding.cache import GeocodeCache
    from trip.geocoding.online import RetryPolicy, online_geocoder

    return online_geocoder(
        service, user_agent=user_agent or None, base_url=url or None, timeout_s=ONLINE_TIMEOUT_S,
        cache=GeocodeCache(Path(cache_path)) if cache_path else True, fallback=_shared_geocoder,
        retry=RetryPolicy(attempts=ONLINE_RETRY_ATTEMPTS, backoff_s=1.0, max_retry_after_s=5.0,
                          budget_s=ONLINE_BUDGET_S),
    )


def online_settings() -> OnlineSettings | None:
    """This session's online service, or None when it looks places up offline."""
    settings = st.session_state.get(ONLINE_KEY)
    return settings if isinstance(settings, OnlineSettings) else None


def set_online(settings: OnlineSettings | None) -> None:
    """Turn this session's online geocoding on (validated settings) or off (None)."""
    if settings is None:
        st.session_state.pop(ONLINE_KEY, None)
    else:
        st.session_state[ONLINE_KEY] = settings


class LazyGeocoder:
    """Stands in for :func:`offline_geocoder` and opens it only when first used.

    Panels that are drawn on every run but geocode only on request (the articles
    panel) get this, so showing the page never waits for the gazetteer. It stays
    offline when the session turned online geocoding on: the articles panel
    promises that nothing leaves the machine.
    """

    def __getattr__(self, name: str) -> Any:
        return getattr(offline_geocoder(), name)


def geocode(name: str) -> GeocodeResult:
    """Candidates for ``name`` from the offline gazetteer: the stop panel's alternatives,
    looked up on every click, so never sent to an online service."""
    return offline_geocoder().geocode(name, limit=6)


def geocode_in_route(itinerary: Itinerary, index: int, name: str) -> GeocodeResult:
    """Geocode ``name`` as stop ``index`` of ``itinerary``: its neighbours are the context.

    Stops that already have coordinates are passed as fixed points, so the choice
    is steered by where the neighbours really are, not by re-reading their names.
    """
    names = [s.name for s in itinerary.stops]
    names[index] = name
    dates = [s.date for s in itinerary.stops]
    modes = [s.mode.value for s in itinerary.stops]
    fixed = [s.location for s in itinerary.stops]
    fixed[index] = None
    gc = geocoder()
    if gc is not offline_geocoder():
        # Online, only the name just typed is sent: unresolved neighbours are left out
        # (each would be another request), located ones steer the choice.
        keep = [i for i in range(len(names)) if i == index or fixed[i] is not None]
        names, dates, modes, fixed = ([seq[i] for i in keep] for seq in (names, dates, modes, fixed))
        index = keep.index(index)
    try:
        try:
            results = gc.geocode_route(names, dates=dates, modes=modes, limit=6, fixed=fixed)
        except TypeError:  # a geocoder without fixed points
            results = gc.geocode_route(names, dates=dates, modes=modes, limit=6)
        return results[index]
    except Exception:  # joint resolution is a refinement; a single lookup still answers
        log.exception("route geocoding failed; falling back to a single lookup")
        return gc.geocode(name, limit=6)


@st.cache_data(show_spinner=False)
def sample_names() -> list[str]:
    from trip.samples import list_samples

    return list_samples()


@st.cache_data(show_spinner=False)
def load_sample(name: str) -> Itinerary:
    from trip.samples import load_sample as load

    return load(name)


def default_trip() -> Itinerary:
    from trip.samples import DEFAULT_SAMPLE

    return load_sample(DEFAULT_SAMPLE)


@st.cache_data(max_entries=64, show_spinner=False)
def route(itinerary: Itinerary) -> Any:
    from trip.route import build_route

    return build_route(itinerary)


#: Export formats offered for download, in the order shown.
_DOWNLOADS = ("csv", "json", "geojson", "gpx", "kml", "html")


def export_formats() -> list[tuple[str, str, str]]:
    """(format, extension, media type) for each export format that is installed."""
    from trip.formats import format_module

    found = []
    for fmt in _DOWNLOADS:
        try:
            module = format_module(fmt)
        except ImportError:
            continue
        ext = (getattr(module, "EXTENSIONS", None) or (f".{fmt}",))[0]
        found.append((fmt, ext if ext.startswith(".") else "." + ext,
                      getattr(module, "MEDIA_TYPE", "application/octet-stream")))
    return found


@st.cache_data(max_entries=32, show_spinner=False)
def export(itinerary: Itinerary, fmt: str) -> bytes:
    """The same bytes ``python -m trip export --to FMT`` writes."""
    from trip.formats import write_itinerary

    return write_itinerary(itinerary, fmt)


def write_export(itinerary: Itinerary, fmt: str) -> bytes:
    """Uncached export, for download buttons that write the file when clicked
    (outside the script run: no Streamlit calls here)."""
    from trip.formats import write_itinerary

    return write_itinerary(itinerary, fmt)


@st.cache_data(ttl=300, show_spinner=False)
def picture_problem() -> str | None:
    """Why PNG pictures cannot be made on this server (no Playwright or no Chromium),
    or None. Checked at most every five minutes, so installing Chromium is noticed."""
    from trip.errors import ExportError

    try:
        importlib.import_module("playwright.sync_api")
        from trip.formats import png
    except ImportError:
        return "PNG pictures need Playwright on the server: pip install playwright"
    try:
        png.find_chromium()
    except ExportError as err:
        return str(err)
    return None


@st.cache_resource(show_spinner=False)
def start_browser() -> bool:
    """Start the shared headless Chromium in the background, once per server, so the
    first PNG does not wait about a second for it."""
    from trip.formats import png

    png.warm_up(wait=False)
    return True


def picture(itinerary: Itinerary, *, width: int = 1200, height: int = 800) -> bytes:
    """The PNG ``python -m trip export --to png`` writes (offline background)."""
    from trip.formats.png import render_png

    return render_png(itinerary, width=width, height=height)


def read_upload(data: bytes, name: str) -> Itinerary:
    from trip.formats import read_itinerary

    return read_itinerary(data, name=name)


def resolve(itinerary: Itinerary) -> tuple[Itinerary, list[str]]:
    """Geocode the stops that have no coordinates, jointly; unresolved ones stay, flagged."""
    if not itinerary.unresolved_stops:
        return itinerary, []
    try:
        module = importlib.import_module("trip.geocoding.resolve")
    except ImportError:
        return itinerary, ["the gazetteer is not installed; stops without coordinates stay unresolved"]
    resolved, warnings = module.resolve_itinerary(itinerary, geocoder=geocoder())
    return resolved, [str(w) for w in warnings]


def check_stop_limit(count: int) -> None:
    """Refuse an edit that would leave the trip with more than :data:`trip.formats.MAX_STOPS`
    stops (files, links and articles are held to the same limit when read)."""
    from trip import formats
    from trip.errors import TooManyStops

    if count > formats.MAX_STOPS:
        raise TooManyStops(
            f"the trip would have {count:,} stops; one trip holds at most {formats.MAX_STOPS:,} "
            "(delete stops first, or start a new trip for the rest)",
            count=count, limit=formats.MAX_STOPS)
