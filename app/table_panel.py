"""The itinerary table: ``st.data_editor`` to add, delete, reorder and edit stops.

The editor is fed a frame built from the working itinerary and never its own
output: its ``on_change`` callback reads the edit state (edited, added and
deleted rows) from ``st.session_state[key]``, applies it to the itinerary as one
new :class:`~trip.itinerary.Itinerary`, and the editor gets a fresh key. Edits
are all-or-nothing: a bad value leaves the trip unchanged and says which row
and column was wrong.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import pandas as pd
import streamlit as st

from trip.errors import TripError, ValidationError
from trip.formats.csv_format import parse_sources, sources_cell
from trip.geo import LatLon
from trip.geocoding import Candidate, GeocodeResult
from trip.itinerary import Itinerary, Mode, Place, Source, Status, Stop

from . import services, state
from .guard import flash, guarded_callback

__all__ = [
    "COLUMNS",
    "RESULTS_KEY",
    "EditOutcome",
    "apply_edits",
    "stops_frame",
    "match_text",
    "is_ambiguous",
    "place_from_candidate",
    "table_panel",
]

#: Columns of the table, in order. "match" is computed and read-only.
COLUMNS = ["pick", "order", "date", "end_date", "place", "match", "lat", "lon", "mode",
           "status", "note", "source"]
#: Session key: the latest geocoding answer per place name typed in this session.
RESULTS_KEY = "geocode_results"
#: A new row added without a place name gets this one, flagged unresolved, never dropped.
NEW_STOP_NAME = "New stop"

GeocodeAt = Callable[[Itinerary, int, str], GeocodeResult]


# -- what the table shows -------------------------------------------------------


def is_ambiguous(result: GeocodeResult | None) -> bool:
    """Several candidates and no clear winner: the user should pick."""
    if result is None or result.best is None or len(result.candidates) < 2:
        return False
    ranked = sorted((c.confidence for c in result.candidates), reverse=True)
    return ranked[0] < 0.75 or ranked[1] >= ranked[0] - 0.1


def match_text(stop: Stop, result: GeocodeResult | None = None) -> str:
    """How the stop's place was matched: source, kind, country, confidence, or why not."""
    place = stop.place
    if place.location is None:
        reason = (result.reason if result is not None and result.reason else "no coordinates")
        return f"⚠ unresolved: {reason}"
    if place.source == "manual":
        return "📍 manual pin"
    parts = [p for p in (place.kind, place.country, place.source or "file") if p]
    if place.confidence is not None:
        parts.append(f"{place.confidence:.0%}")
    text = " · ".join(parts)
    if is_ambiguous(result) and result is not None:
        text = f"⚠ ambiguous ({len(result.candidates)} candidates): {text}"
    return text


def stops_frame(itinerary: Itinerary, selected: int | None,
                results: Mapping[str, GeocodeResult] | None = None) -> pd.DataFrame:
    """The table's input: one row per stop, in trip order."""
    results = results or {}
    rows = []
    for index, stop in enumerate(itinerary.stops):
        loc = stop.location
        rows.append({
            "pick": index == selected,
            "order": index + 1,
            "date": stop.date,
            "end_date": stop.end_date,
            "place": stop.name,
            "match": match_text(stop, results.get(stop.name)),
            "lat": round(loc.lat, 5) if loc else None,
            "lon": round(loc.lon, 5) if loc else None,
            "mode": stop.mode.value,
            "status": stop.status.value,
            "note": stop.note,
            "source": sources_cell(stop.sources),
        })
    frame = pd.DataFrame(rows, columns=COLUMNS)
    for column in ("date", "end_date"):
        frame[column] = pd.Series([r[column] for r in rows], dtype="object")
    for column in ("lat", "lon"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    frame["order"] = frame["order"].astype("int64")
    frame["pick"] = frame["pick"].astype("bool")
    return frame


# -- applying the editor's changes ------------------------------------------------


@dataclass
class EditOutcome:
    """The result of applying one round of table edits."""

    itinerary: Itinerary
    selected: int | None
    results: dict[str, GeocodeResult] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    geocoded: list[int] = field(default_factory=list)  # 0-based indexes, after the edit


def place_from_candidate(name: str, candidate: Candidate) -> Place:
    """The stop's place as the user named it, at the candidate's coordinates."""
    return Place(name=name, location=candidate.location, source=candidate.source,
                 country=candidate.country, kind=candidate.kind,
                 confidence=candidate.confidence, ref=candidate.ref)


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str) and not value.strip():
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


#: What a missing value may read as once it has been through text ("None", "NaT", …).
_MISSING_WORDS = frozenset({"none", "nat", "nan", "null"})


def _missing(value: Any) -> bool:
    """Blank, or a date/number cell holding the text of a missing value."""
    return _blank(value) or (isinstance(value, str) and value.strip().lower() in _MISSING_WORDS)


def _date(value: Any, field_name: str) -> dt.date | None:
    if _missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)):  # the editor may send epoch milliseconds
        return dt.datetime.fromtimestamp(value / 1000, dt.timezone.utc).date()
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text[:10] if len(text) > 10 and text[10] in "T " else text)
    except ValueError:
        raise ValidationError("is not a date (expected YYYY-MM-DD)", field=field_name,
                              value=value) from None


def _number(value: Any, field_name: str) -> float | None:
    if _missing(value):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValidationError("is not a number", field=field_name, value=value) from None


def _text(value: Any) -> str:
    return "" if _blank(value) else str(value)


def _sources(value: Any, before: tuple[Source, ...]) -> tuple[Source, ...]:
    """The sources typed in the cell; the stop's own when the cell still shows them."""
    text = _text(value).strip()
    if text == sources_cell(before):
        return before
    return parse_sources(text) if text else ()


def _geocoded_place(name: str, context: Itinerary, index: int,
                    geocode_at: GeocodeAt) -> tuple[Place, GeocodeResult]:
    result = geocode_at(context, index, name)
    if result.best is None:
        return Place(name), result
    return place_from_candidate(name, result.best), result


def _edited_stop(stop: Stop, cells: Mapping[str, Any], *, context: Itinerary, index: int,
                 geocode_at: GeocodeAt, results: dict[str, GeocodeResult]) -> Stop:
    changes: dict[str, Any] = {}
    place = stop.place
    if "place" in cells:
        name = _text(cells["place"]).strip()
        if not name:
            raise ValidationError("is required (delete the row to remove the stop)",
                                  field="place", show_value=False)
        if name != stop.name:
            place, result = _geocoded_place(name, context, index, geocode_at)
            results[name] = result
    if "lat" in cells or "lon" in cells:
        old = stop.location
        lat = _number(cells["lat"], "lat") if "lat" in cells else (old.lat if old else None)
        lon = _number(cells["lon"], "lon") if "lon" in cells else (old.lon if old else None)
        if lat is None and lon is None:
            place = Place(place.name)
        elif lat is None or lon is None:
            missing = "lat" if lat is None else "lon"
            raise ValidationError("is empty; give both lat and lon, or neither", field=missing,
                                  show_value=False)
        else:
            place = Place(place.name, LatLon(lat, lon), source="manual", kind=place.kind)
    if place is not stop.place:
        changes["place"] = place
    for name in ("date", "end_date"):
        if name in cells:
            changes[name] = _date(cells[name], name)
    for name in ("mode", "status", "note"):
        if name in cells:
            changes[name] = _text(cells[name])
    if "source" in cells:
        changes["sources"] = _sources(cells["source"], stop.sources)
    return stop.replace(**changes) if changes else stop


def _new_stop(cells: Mapping[str, Any], *, context: Itinerary, index: int,
              geocode_at: GeocodeAt, results: dict[str, GeocodeResult]) -> tuple[Stop, bool]:
    name = _text(cells.get("place")).strip()
    blank = Stop(Place(name or NEW_STOP_NAME))
    # A new stop is an edit of a blank stop: the same rules and messages apply.
    cells = {k: v for k, v in cells.items() if k not in ("place", "pick", "order", "match")}
    stop = _edited_stop(blank, cells, context=context, index=index, geocode_at=geocode_at,
                        results=results)
    geocoded = False
    if name and stop.location is None:
        probe = context.append(stop)
        place, result = _geocoded_place(name, probe, len(probe) - 1, geocode_at)
        results[name] = result
        stop = stop.replace(place=place)
        geocoded = True
    return stop, geocoded


def apply_edits(itinerary: Itinerary, changes: Mapping[str, Any], selected: int | None, *,
                geocode_at: GeocodeAt) -> EditOutcome:
    """Apply the editor's edit state to ``itinerary``; all or nothing.

    ``changes`` is what ``st.data_editor`` keeps under its key: ``edited_rows``
    (row position → {column: new value}), ``added_rows`` (list of {column: value})
    and ``deleted_rows`` (row positions). Rows in messages count from 1.
    """
    edited = {int(k): v for k, v in (changes.get("edited_rows") or {}).items()}
    added = list(changes.get("added_rows") or [])
    deleted = {int(i) for i in (changes.get("deleted_rows") or [])}
    n = len(itinerary)
    results: dict[str, GeocodeResult] = {}
    errors: list[str] = []
    geocoded_ids: set[int] = set()
    # Counted before any row is read or geocoded: a paste of thousands of rows is
    # refused at once, not after a lookup for each.
    count = sum(1 for i in range(n + len(added)) if i not in deleted)
    if count > n:
        try:
            services.check_stop_limit(count)
        except TripError as err:
            return EditOutcome(itinerary, selected, results, [str(err)])

    # Each row keeps an identity (its original position; new rows count on from n)
    # so the selection and the geocoded rows can be found again after reordering.
    rows: dict[int, Stop] = dict(enumerate(itinerary.stops))
    sort_key: dict[int, float] = {i: float(i + 1) for i in range(n)}
    new_selected = selected
    for row, cells in sorted(edited.items()):
        if not 0 <= row < n or not isinstance(cells, Mapping):
            continue
        try:
            stop = _edited_stop(rows[row], cells, context=itinerary, index=row,
                                geocode_at=geocode_at, results=results)
        except ValidationError as err:
            errors.append(str(err.at_row(row + 1)))
            continue
        if stop.place is not rows[row].place and "place" in cells and stop.name != rows[row].name:
            geocoded_ids.add(row)
        rows[row] = stop
        if "pick" in cells:
            if bool(cells["pick"]):
                new_selected = row
            elif new_selected == row:
                new_selected = None
        if "order" in cells and not _blank(cells["order"]):
            try:
                target = float(cells["order"])
            except (TypeError, ValueError):
                errors.append(str(ValidationError("is not a number", field="order", row=row + 1,
                                                  value=cells["order"])))
                continue
            sort_key[row] = target + 0.5 if target > row + 1 else target - 0.5
    for offset, cells in enumerate(added):
        identity = n + offset
        try:
            stop, geocoded = _new_stop(cells or {}, context=itinerary, index=identity,
                                       geocode_at=geocode_at, results=results)
        except ValidationError as err:
            errors.append(str(err.at_row(identity + 1)))
            continue
        rows[identity] = stop
        sort_key[identity] = float(identity + 1)
        if geocoded:
            geocoded_ids.add(identity)
    if errors:
        return EditOutcome(itinerary, selected, results, errors)
    keep = [i for i in rows if i not in deleted]
    keep.sort(key=lambda i: (sort_key[i], i))
    position = {identity: pos for pos, identity in enumerate(keep)}
    if new_selected is not None:
        new_selected = position.get(new_selected)
    if geocoded_ids and len(geocoded_ids) == 1:
        # The stop just named is the one to look at: its match and alternatives.
        new_selected = position.get(next(iter(geocoded_ids)), new_selected)
    new = itinerary.replace(stops=tuple(rows[i] for i in keep))
    return EditOutcome(new, new_selected, results, [],
                       sorted(position[i] for i in geocoded_ids if i in position))


# -- the panel -------------------------------------------------------------------


def _safe_geocode_at(context: Itinerary, index: int, name: str) -> GeocodeResult:
    try:
        if index < len(context):
            return services.geocode_in_route(context, index, name)
        return services.geocoder().geocode(name, limit=6)
    except (TripError, ImportError) as err:
        return GeocodeResult(query=name, best=None, reason=f"geocoding failed: {err}")


@guarded_callback("applying your table edit")
def _on_table_change(key: str) -> None:
    changes = st.session_state.get(key) or {}
    before = state.current()
    outcome = apply_edits(before, changes, state.selected(), geocode_at=_safe_geocode_at)
    st.session_state.setdefault(RESULTS_KEY, {}).update(outcome.results)
    if outcome.errors:
        for message in outcome.errors:
            flash("error", f"Edit not applied: {message}. The trip is unchanged.")
        state.commit(before)  # a fresh editor shows the trip as it still is
        return
    state.commit(outcome.itinerary)
    state.select(outcome.selected)
    for index in outcome.geocoded:
        stop = outcome.itinerary[index]
        result = outcome.results.get(stop.name)
        for note in (result.warnings if result is not None else ()):
            flash("warning", f"Row {index + 1}: “{stop.name}”: {note}.")
        if stop.location is None:
            flash("warning", f"Row {index + 1}: “{stop.name}” was not found"
                  + (f" ({result.reason})" if result and result.reason else "")
                  + ". It stays in the trip, flagged unresolved: pick a place on the map or fix the name.")
        elif is_ambiguous(result):
            flash("warning", f"Row {index + 1}: “{stop.name}” is ambiguous; "
                  "pick the right place in the stop panel.")


def _column_config() -> dict[str, Any]:
    cc = st.column_config
    return {
        "pick": cc.CheckboxColumn("Pick", help="Select this stop (it is also selected by clicking it on the map)",
                                  width="small"),
        "order": cc.NumberColumn("#", help="Position in the trip; type a new number to move the stop",
                                 min_value=1, step=1, format="%d", width="small"),
        "date": cc.DateColumn("Date", format="YYYY-MM-DD"),
        "end_date": cc.DateColumn("Until", format="YYYY-MM-DD"),
        "place": cc.TextColumn("Place", help="Type a name: it is looked up in the offline gazetteer "
                                             "(or the online service turned on in the sidebar)",
                               max_chars=300),
        "match": cc.TextColumn("Match", help="How the place was found, and how sure", disabled=True),
        "lat": cc.NumberColumn("Lat", min_value=-90.0, max_value=90.0, format="%.4f"),
        "lon": cc.NumberColumn("Lon", min_value=-180.0, max_value=180.0, format="%.4f"),
        "mode": cc.SelectboxColumn("Mode", options=[m.value for m in Mode], required=True),
        "status": cc.SelectboxColumn("Status", options=[s.value for s in Status], required=True),
        "note": cc.TextColumn("Note"),
        "source": cc.TextColumn(
            "Source", help='Title <https://…>, a URL or a title; several separated by " | ". '
                           'A title with < or > goes in "double quotes".'),
    }


def table_panel() -> None:
    itinerary = state.current()
    frame = stops_frame(itinerary, state.selected(), st.session_state.get(RESULTS_KEY))
    key = state.editor_key()
    st.data_editor(
        frame, key=key, on_change=_on_table_change, args=(key,), num_rows="dynamic",
        hide_index=True, width="stretch", column_config=_column_config(),
        column_order=COLUMNS,
        placeholder="",  # a stop without a date (or coordinates) shows an empty cell, not "None"
    )
    unresolved = len(itinerary.unresolved_stops)
    if unresolved:
        st.caption(f"⚠ {unresolved} stop(s) unresolved: they stay in the trip and in every export, "
                   "but are not on the map until they have coordinates.")
