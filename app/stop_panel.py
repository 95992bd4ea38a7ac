"""The selected stop: its match and confidence, a picker among alternatives, manual pins."""

from __future__ import annotations

import streamlit as st

from trip.errors import TripError
from trip.geo import LatLon, distance_km
from trip.geocoding import Candidate, GeocodeResult
from trip.itinerary import Place, safe_url

from . import services, state
from .guard import guarded_callback
from .map_panel import PENDING_PIN
from .markdown import escape_markdown
from .table_panel import RESULTS_KEY, is_ambiguous, match_text, place_from_candidate

__all__ = ["stop_panel", "candidate_label", "candidates_for"]


def candidate_label(c: Candidate) -> str:
    where = ", ".join(p for p in (c.admin1, c.country) if p)
    extra = f" · pop. {c.population:,}" if c.population else ""
    return f"{c.name}{' (' + where + ')' if where else ''} · {c.kind} · {c.confidence:.0%}{extra}"


def candidates_for(name: str) -> GeocodeResult | None:
    """The geocoder's answer for ``name``: the one from the last edit, else a fresh lookup.

    When the trip's context ruled every candidate out (too far for the dates), the
    name's own candidates are still offered, so the user can overrule it.
    """
    results = st.session_state.setdefault(RESULTS_KEY, {})
    result = results.get(name)
    if result is None or not result.candidates:
        try:
            alone = services.geocode(name)
        except (TripError, ImportError):
            return result
        if result is None:
            result = alone
        elif alone.candidates:
            result = GeocodeResult(result.query, result.best, alone.candidates, result.reason,
                                   result.warnings)
        results[name] = result
    return result


@guarded_callback("choosing a place")
def _pick(index: int, key: str, candidates: tuple[Candidate, ...]) -> None:
    choice = st.session_state.get(key)
    labels = [candidate_label(c) for c in candidates]
    if choice not in labels:
        return
    itinerary = state.current()
    stop = itinerary[index]
    place = place_from_candidate(stop.name, candidates[labels.index(choice)])
    state.commit(itinerary.with_stop(index, stop.replace(place=place)))


@guarded_callback("moving the stop")
def _move_to_pin(index: int, lat: float, lon: float) -> None:
    itinerary = state.current()
    stop = itinerary[index]
    place = Place(stop.name, LatLon(lat, lon), source="manual", kind=stop.place.kind)
    state.commit(itinerary.with_stop(index, stop.replace(place=place)))
    st.session_state.pop(PENDING_PIN, None)


def _cancel_pin() -> None:
    st.session_state.pop(PENDING_PIN, None)


@guarded_callback("reordering")
def _shift(index: int, to: int) -> None:
    state.commit(state.current().move(index, to))
    state.select(to)


def _current_candidate(stop, options: tuple[Candidate, ...]) -> int | None:
    """Which candidate the stop stands on now (same id, or within 2 km), if any."""
    if stop.location is None:
        return None
    for i, c in enumerate(options):
        if (c.ref and c.ref == stop.place.ref) or distance_km(c.location, stop.location) < 2.0:
            return i
    return None


def stop_panel() -> None:
    index = state.selected()
    itinerary = state.current()
    if index is None:
        st.caption("Click a stop on the map, or tick **Pick** in the table, to see its match, "
                   "choose among alternatives, or pin it on the map.")
        return
    stop = itinerary[index]
    st.markdown(f"**Stop {index + 1}: {escape_markdown(stop.name)}**")
    if stop.date_label():
        st.caption(stop.date_label())
    result = candidates_for(stop.name)
    text = match_text(stop, result)
    if stop.location is None:
        st.warning(text)
    else:
        st.write(f"Match: {text}")
        st.caption(f"{stop.location.lat:.4f}, {stop.location.lon:.4f}")

    if result is not None and result.candidates:
        options = tuple(result.candidates)
        labels = [candidate_label(c) for c in options]
        current = _current_candidate(stop, options)
        if len(options) > 1 or current is None:
            if is_ambiguous(result):
                st.warning(f"“{stop.name}” is ambiguous: pick the place you mean.")
            key = f"pick_{index}_{stop.name}"
            st.radio("Candidates", labels, index=current, key=key, on_change=_pick,
                     args=(index, key, options),
                     captions=[c.reason for c in options])

    pin = st.session_state.get(PENDING_PIN)
    if pin is not None:
        lat, lon = pin
        st.info(f"Move stop {index + 1} to the point you clicked ({lat:.4f}, {lon:.4f})? "
                "It will be marked as a manual pin.")
        left, right = st.columns(2)
        left.button("Move here", key="pin_move", on_click=_move_to_pin, args=(index, lat, lon),
                    type="primary")
        right.button("Cancel", key="pin_cancel", on_click=_cancel_pin)

    up, down = st.columns(2)
    up.button("↑ Earlier", key="stop_up", disabled=index == 0, on_click=_shift,
              args=(index, index - 1))
    down.button("↓ Later", key="stop_down", disabled=index >= len(itinerary) - 1, on_click=_shift,
                args=(index, index + 1))
    if stop.evidence:
        st.caption("Evidence: " + escape_markdown(stop.evidence))
    for source in stop.sources:
        if source.url and safe_url(source.url):
            st.markdown(f"[{_md(source.title or source.url)}]({_md_url(source.url)})")
        else:
            st.caption(escape_markdown(source.title))


def _md(text: str) -> str:
    """Text safe inside a markdown link label."""
    return "".join("\\" + c if c in "[]()*_`<>#\\" else c for c in text)


def _md_url(url: str) -> str:
    """A URL safe as a markdown link target: the characters that could end the
    target early and start new markdown (``)``, ``(``, ``<``, ``>``, ``\\``) are
    percent-encoded, which names the same resource."""
    return "".join(f"%{ord(c):02X}" if c in "()<>\\[]" else c for c in url)
