"""Shared, cached access to trip's engine: the gazetteer, samples, routes, exports.

The geocoder is a process-wide read-only resource (``st.cache_resource``); pure
computations on an itinerary are cached by value (``st.cache_data``), which is
safe because an :class:`~trip.itinerary.Itinerary` is immutable.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

import streamlit as st

from trip.geocoding import GeocodeResult, Geocoder
from trip.itinerary import Itinerary

__all__ = [
    "GEOCODER_OVERRIDE",
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


def geocoder() -> Geocoder:
    """The geocoder for this session: the shared offline gazetteer."""
    override = st.session_state.get(GEOCODER_OVERRIDE)
    if override is not None:
        return override
    with st.spinner("Opening the offline gazetteer (the first start builds it; this takes up to a minute)…"):
        return _shared_geocoder()


class LazyGeocoder:
    """Stands in for :func:`geocoder` and opens it only when first used.

    Panels that are drawn on every run but geocode only on request (the articles
    panel) get this, so showing the page never waits for the gazetteer.
    """

    def __getattr__(self, name: str) -> Any:
        return getattr(geocoder(), name)


def geocode(name: str) -> GeocodeResult:
    return geocoder().geocode(name, limit=6)


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
