"""The route map: trip's folium map in ``st_folium``, with clicks that select and move stops.

Only clicks come back to Python (``returned_objects``), so panning and zooming
never rerun the app. A click on a stop selects it; with a stop selected, a
click elsewhere proposes a manual pin that the stop panel asks to confirm.
"""

from __future__ import annotations

import os
from typing import Any

import folium
import streamlit as st
from streamlit_folium import st_folium

from trip.geo import LatLon, distance_km
from trip.itinerary import Itinerary

from trip.render import render_map

from . import services, state
from .local_assets import localise, served_links

__all__ = ["build_map", "map_panel", "nearest_stop", "RETURNED_OBJECTS", "PENDING_PIN"]

#: What the map reports back; anything else (pan, zoom, bounds) stays in the browser.
RETURNED_OBJECTS = ["last_object_clicked", "last_clicked"]
PENDING_PIN = "pending_pin"
_SEEN = "map_clicks_seen"
#: A click further than this from every stop is not a click on a stop.
_STOP_CLICK_KM = 60.0


def build_map(itinerary: Itinerary) -> folium.Map:
    """trip's route map for ``itinerary`` (the map ``trip map`` draws), with served assets.

    ``TRIP_MAP_ASSETS=inline`` sends Leaflet inside every map as ``data:`` URLs
    instead (what the self-contained export does); the benchmark compares the two.
    """
    inline = os.environ.get("TRIP_MAP_ASSETS", "").lower() == "inline"
    return render_map(itinerary, route=services.route(itinerary),
                      asset_links=None if inline else served_links(), story=False)  # the timeline does that job here


def nearest_stop(itinerary: Itinerary, lat: float, lon: float, *,
                 within_km: float = _STOP_CLICK_KM) -> int | None:
    """Index of the resolved stop nearest to a click, if one is within ``within_km``."""
    try:
        click = LatLon(lat, ((lon + 180.0) % 360.0) - 180.0)
    except Exception:
        return None
    best: tuple[float, int] | None = None
    for index, stop in enumerate(itinerary.stops):
        if stop.location is None:
            continue
        d = distance_km(click, stop.location)
        if best is None or d < best[0]:
            best = (d, index)
    return best[1] if best and best[0] <= within_km else None


def _click_key(value: Any) -> tuple[float, float] | None:
    if not isinstance(value, dict) or "lat" not in value or "lng" not in value:
        return None
    return (round(float(value["lat"]), 7), round(float(value["lng"]), 7))


def handle_clicks(returned: dict | None, itinerary: Itinerary) -> None:
    """Turn a new click into a selection, or into a proposed pin for the selected stop."""
    ss = st.session_state
    returned = returned or {}
    now = (_click_key(returned.get("last_object_clicked")), _click_key(returned.get("last_clicked")))
    seen = ss.get(_SEEN, (None, None))
    if now == seen:
        return
    ss[_SEEN] = now
    if now[0] is not None and now[0] != seen[0]:
        index = nearest_stop(itinerary, *now[0])
        if index is not None:
            state.select(index)
            return
    if now[1] is not None and now[1] != seen[1] and state.selected() is not None:
        lat, lon = now[1]
        ss[PENDING_PIN] = (lat, ((lon + 180.0) % 360.0) - 180.0)


def map_panel(shown: Itinerary, *, height: int = 520) -> None:
    """Draw ``shown`` (the trip, or its part up to the timeline's day) and handle clicks."""
    m = build_map(shown)
    missing = localise(m)
    if missing:
        st.caption("Some map decorations are not available offline: " + ", ".join(sorted(set(missing))))
    returned = st_folium(
        m, key="route_map", height=height, use_container_width=True,
        returned_objects=RETURNED_OBJECTS,
    )
    handle_clicks(returned, shown)
