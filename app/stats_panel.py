"""Totals and warnings: distance, days, stops, the longest leg; what looks wrong."""

from __future__ import annotations

import streamlit as st

from trip.itinerary import Itinerary

from . import services
from .markdown import escape_markdown

__all__ = ["stats_panel", "trip_warnings"]


def trip_warnings(itinerary: Itinerary) -> list[str]:
    """Everything a reader should check: implausible legs, unresolved and undated stops."""
    route = services.route(itinerary)
    messages = [str(w) for w in route.warnings]
    undated = [f"{i}. {s.name}" for i, s in enumerate(itinerary.stops, start=1) if s.date is None]
    if undated:
        messages.append(f"{len(undated)} stop(s) have no date: " + ", ".join(undated))
    if not any(w.kind == "unresolved" for w in route.warnings):
        unresolved = [f"{i}. {s.name}" for i, s in enumerate(itinerary.stops, start=1)
                      if s.location is None]
        if unresolved:
            messages.append(f"{len(unresolved)} stop(s) are unresolved: " + ", ".join(unresolved))
    return messages


def stats_panel(itinerary: Itinerary) -> None:
    route = services.route(itinerary)
    longest = max(route.legs, key=lambda leg: leg.distance_km, default=None)
    a, b, c, d = st.columns(4)
    a.metric("Distance", f"{route.total_km:,.0f} km")
    b.metric("Days", "—" if route.days is None else f"{route.days}")
    c.metric("Stops", f"{len(itinerary)}",
             help=f"{len(itinerary.resolved_stops)} on the map, "
                  f"{len(itinerary.unresolved_stops)} unresolved")
    if longest is not None:
        speed = longest.speed_label()
        # A range, never one average: whole-day dates only bound the travel time.
        speed_note = f"; {speed} km/h is what its dates and times allow" if speed else ""
        d.metric("Longest leg", f"{longest.distance_km:,.0f} km",
                 help=escape_markdown(f"{itinerary[longest.start].name} → {itinerary[longest.end].name}"
                                      + speed_note))
        d.caption(escape_markdown(f"{itinerary[longest.start].name} → {itinerary[longest.end].name}"))
    else:
        d.metric("Longest leg", "—")
    warnings = trip_warnings(itinerary)
    if warnings:
        for message in warnings:
            st.warning(escape_markdown(message), icon="⚠️")
    else:
        st.success("No warnings: every stop is placed and dated, and every leg is plausible.")
