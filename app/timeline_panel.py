"""The trip on a date axis (Altair): stops by date, distance per leg, and a day slider."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from trip.itinerary import Itinerary

from . import services

__all__ = ["UPTO_KEY", "trip_until", "shown_itinerary", "timeline_panel", "stops_by_date",
           "leg_distances"]

#: Session key of the "show the trip up to" slider.
UPTO_KEY = "upto"


def trip_until(itinerary: Itinerary, day: dt.date | None) -> Itinerary:
    """The trip as it stood on ``day``: stops in order until the first one dated later.

    Undated stops between dated ones stay; the rest of the trip is cut off.
    """
    if day is None:
        return itinerary
    kept = []
    for stop in itinerary.stops:
        if stop.date is not None and stop.date > day:
            break
        kept.append(stop)
    return itinerary.replace(stops=tuple(kept))


def shown_itinerary(itinerary: Itinerary) -> Itinerary:
    """The part of the trip the map shows, per the slider (read before it is drawn)."""
    day = st.session_state.get(UPTO_KEY)
    if not isinstance(day, dt.date) or itinerary.end_date is None or day >= itinerary.end_date:
        return itinerary
    return trip_until(itinerary, day)


@st.cache_data(max_entries=64, show_spinner=False)
def stops_by_date(itinerary: Itinerary) -> pd.DataFrame:
    rows = []
    for number, stop in enumerate(itinerary.stops, start=1):
        if stop.date is None:
            continue
        rows.append({
            "stop": f"{number}. {stop.name}",
            "order": number,
            "start": pd.Timestamp(stop.date),
            "end": pd.Timestamp((stop.end_date or stop.date) + dt.timedelta(days=1)),
            "status": stop.status.value,
            "mode": stop.mode.value,
            "when": stop.date_label(),
        })
    return pd.DataFrame(rows, columns=["stop", "order", "start", "end", "status", "mode", "when"])


@st.cache_data(max_entries=64, show_spinner=False)
def leg_distances(itinerary: Itinerary) -> pd.DataFrame:
    route = services.route(itinerary)
    rows = []
    for leg in route.legs:
        rows.append({
            "leg": f"{leg.start + 1}→{leg.end + 1}",
            "order": leg.start,
            "km": round(leg.distance_km, 1),
            "mode": leg.mode.value,
            "plausible": "plausible" if leg.plausible else "too fast",
            "to": itinerary[leg.end].name,
        })
    return pd.DataFrame(rows, columns=["leg", "order", "km", "mode", "plausible", "to"])


def timeline_panel(itinerary: Itinerary) -> None:
    import altair as alt  # here, not at the top: the map must not wait for Altair

    start, end = itinerary.start_date, itinerary.end_date
    stops = stops_by_date(itinerary)
    if start is None or end is None or stops.empty:
        st.info("No stop has a date yet: add dates in the table to see the timeline.")
    else:
        if start < end:
            day = st.session_state.get(UPTO_KEY)
            if not isinstance(day, dt.date) or not start <= day <= end:
                st.session_state[UPTO_KEY] = end
            st.slider("Show the trip up to", min_value=start, max_value=end, key=UPTO_KEY,
                      format="YYYY-MM-DD", help="The map shows the stops reached by this day")
        chart = (
            alt.Chart(stops)
            .mark_bar(height=14, cornerRadius=3)
            .encode(
                x=alt.X("start:T", title="Date"),
                x2="end:T",
                y=alt.Y("stop:N", sort=alt.SortField("order"), title=None),
                color=alt.Color("status:N", scale=alt.Scale(
                    domain=["origin", "visited", "planned"], range=["#555", "#c0392b", "#e8a39b"])),
                tooltip=["stop", "when", "status", "mode"],
            )
            .properties(height=max(120, 26 * len(stops)))
        )
        st.altair_chart(chart, width="stretch")
    legs = leg_distances(itinerary)
    if not legs.empty:
        bars = (
            alt.Chart(legs)
            .mark_bar()
            .encode(
                x=alt.X("leg:N", sort=alt.SortField("order"), title="Leg"),
                y=alt.Y("km:Q", title="Distance (km)"),
                color=alt.Color("plausible:N", scale=alt.Scale(
                    domain=["plausible", "too fast"], range=["#2c7fb8", "#d7301f"])),
                tooltip=["leg", "to", "km", "mode", "plausible"],
            )
            .properties(height=220)
        )
        st.altair_chart(bars, width="stretch")
