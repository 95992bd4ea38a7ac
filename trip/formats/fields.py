"""Stop and itinerary fields as plain records, shared by the GeoJSON, GPX and KML formats.

The field names are the CSV format's column names (``place``, ``date``,
``end_date``, ``lat``, ``lon``, ``mode``, …), so a column means the same thing in
every file trip writes. A record holds JSON-ready values: strings, numbers,
``None`` and, for ``sources``, a list of ``{"title": …, "url": …}`` objects.

Readers call :func:`stop_from_record` with a *where* label ("feature 3",
"waypoint 2 \"Artyom\"") so that a bad value is reported as, e.g.,
``feature 3, field "date": "2023-13-01" is not a date (expected YYYY-MM-DD)``.
"""

from __future__ import annotations

import json
import math
from typing import Any, Iterable, Mapping

from ..errors import FormatError, ValidationError
from ..geo import COORD_DECIMALS, LatLon
from ..itinerary import Itinerary, Place, Source, Stop

__all__ = [
    "STOP_FIELDS",
    "TEXT_FIELDS",
    "stop_to_record",
    "stop_from_record",
    "sources_to_list",
    "sources_from_value",
    "located",
    "format_error",
    "itinerary_header",
]

#: Every field of a stop, in the order files list them.
STOP_FIELDS = (
    "place", "lat", "lon", "date", "end_date", "time", "timezone", "date_precision",
    "status", "mode", "note", "sources", "evidence",
    "country", "kind", "place_source", "confidence", "ref",
)
#: Fields whose value is plain text (everything but coordinates, confidence and sources).
TEXT_FIELDS = tuple(f for f in STOP_FIELDS if f not in ("lat", "lon", "confidence", "sources"))


def _short(value: Any, limit: int = 80) -> str:
    text = '"' + value + '"' if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def format_error(where: str, field: str | None, value: Any, problem: str, *,
                 show_value: bool = True) -> FormatError:
    """A :class:`FormatError` whose message starts with ``where`` and the field."""
    prefix = where + (f', field "{field}"' if field else "")
    body = f"{_short(value)} {problem}" if show_value and value is not None else problem
    err = FormatError(f"{prefix}: {body}" if prefix else body)
    err.field, err.value, err.problem = field, value, problem
    return err


def located(err: ValidationError, where: str) -> FormatError:
    """Re-issue a model :class:`ValidationError` as a FormatError placed at ``where``."""
    if isinstance(err, FormatError) and str(err).startswith(where):
        return err
    return format_error(where, err.field, err.value, err.problem,
                        show_value=err.value is not None)


def sources_to_list(sources: Iterable[Source]) -> list[dict[str, str]]:
    return [{"title": s.title, "url": s.url} for s in sources]


def sources_from_value(value: Any, *, where: str, field: str = "sources") -> tuple[Source, ...]:
    """Sources from a list of objects/strings, a JSON text of one, or ``Title <url>`` text."""
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except ValueError:
                raise format_error(where, field, value, "is not a JSON list of sources") from None
        else:
            try:
                return (Source.parse(text),)
            except ValidationError as err:
                raise located(err, where) from None
    if not isinstance(value, list):
        raise format_error(where, field, value, "is not a list of sources")
    out = []
    for item in value:
        try:
            if isinstance(item, str):
                out.append(Source.parse(item))
            elif isinstance(item, Mapping):
                out.append(Source(title=item.get("title") or "", url=item.get("url") or ""))
            else:
                raise format_error(where, field, item, "is not a source (expected {title, url})")
        except FormatError:
            raise
        except ValidationError as err:
            raise located(err, where) from None
    return tuple(out)


def _number(value: Any, *, where: str, field: str) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise format_error(where, field, value, "is not a number")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise format_error(where, field, value, "is not a number") from None
    if not math.isfinite(number):
        raise format_error(where, field, value, "is not a finite number")
    return number


def stop_to_record(stop: Stop, *, decimals: int | None = COORD_DECIMALS,
                   missing: str | None = "") -> dict[str, Any]:
    """Every field of ``stop`` as a JSON-ready dict keyed by :data:`STOP_FIELDS`.

    The exchange formats (GeoJSON, GPX and KML extensions) round coordinates to
    ``decimals`` and write an absent date or time as ``missing`` (""); the JSON
    itinerary keeps coordinates as they are and writes ``null`` (``decimals=None,
    missing=None``).
    """
    place = stop.place
    loc = place.location

    def coord(value: float) -> float:
        return value if decimals is None else round(value, decimals)

    return {
        "place": place.name,
        "lat": None if loc is None else coord(loc.lat),
        "lon": None if loc is None else coord(loc.lon),
        "date": stop.date.isoformat() if stop.date else missing,
        "end_date": stop.end_date.isoformat() if stop.end_date else missing,
        "time": stop.time.isoformat() if stop.time else missing,
        "timezone": stop.timezone,
        "date_precision": stop.date_precision.value,
        "status": stop.status.value,
        "mode": stop.mode.value,
        "note": stop.note,
        "sources": sources_to_list(stop.sources),
        "evidence": stop.evidence,
        "country": place.country,
        "kind": place.kind,
        "place_source": place.source,
        "confidence": place.confidence,
        "ref": place.ref,
    }


def _text(record: Mapping[str, Any], key: str, *, where: str) -> str:
    value = record.get(key)
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and key in ("country", "ref"):
        return str(value)
    if not isinstance(value, str):
        raise format_error(where, key, value, "is not text")
    return value


def stop_from_record(record: Mapping[str, Any], *, where: str,
                     location: LatLon | None = None) -> Stop:
    """Build a :class:`Stop` from a record (missing keys take the model's defaults).

    ``location``, when given, wins over the record's ``lat``/``lon`` (a file's
    geometry is the authority on where a stop is).
    """
    if location is None:
        lat = _number(record.get("lat"), where=where, field="lat")
        lon = _number(record.get("lon"), where=where, field="lon")
        if (lat is None) != (lon is None):
            missing = "lon" if lon is None else "lat"
            raise format_error(where, missing, None, "is empty but its partner is set",
                               show_value=False)
        if lat is not None and lon is not None:
            try:
                location = LatLon(lat, lon)
            except ValidationError as err:
                raise located(err, where) from None
    try:
        place = Place(
            name=_text(record, "place", where=where),
            location=location,
            source=_text(record, "place_source", where=where),
            country=_text(record, "country", where=where),
            kind=_text(record, "kind", where=where),
            confidence=_number(record.get("confidence"), where=where, field="confidence"),
            ref=_text(record, "ref", where=where),
        )
        return Stop(
            place=place,
            date=_text(record, "date", where=where) or None,
            end_date=_text(record, "end_date", where=where) or None,
            time=_text(record, "time", where=where) or None,
            timezone=_text(record, "timezone", where=where),
            date_precision=_text(record, "date_precision", where=where),
            status=_text(record, "status", where=where),
            mode=_text(record, "mode", where=where),
            note=_text(record, "note", where=where),
            sources=sources_from_value(record.get("sources"), where=where),
            evidence=_text(record, "evidence", where=where),
        )
    except FormatError:
        raise
    except ValidationError as err:
        raise located(err, where) from None


def itinerary_header(itinerary: Itinerary) -> dict[str, Any]:
    """The itinerary's own fields (everything but its stops)."""
    return {
        "title": itinerary.title,
        "description": itinerary.description,
        "sources": sources_to_list(itinerary.sources),
    }
