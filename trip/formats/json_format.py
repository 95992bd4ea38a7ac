"""Itineraries as JSON: the same fields as the CSV, with full fidelity.

The document is one object::

    {"format": "trip-itinerary", "version": 1,
     "title": "...", "description": "...", "sources": [{"title": "...", "url": "https://..."}],
     "stops": [{"place": "Artyom", "lat": 43.35, "lon": 132.19, "date": "2023-09-16",
                "end_date": null, "time": null, "timezone": "", "date_precision": "day",
                "status": "visited", "mode": "train", "note": "...", "sources": [...],
                "evidence": "", "country": "RU", "kind": "city", "place_source": "file",
                "confidence": null, "ref": ""}]}

Only ``stops[].place`` is required. A stop's ``sources`` may also be given as
strings (``"Title <https://…>"``) or as one ``source`` string in the CSV's
`` | `` form. Errors name the stop (counting from 1) and the field, e.g.
``stop 3, field "date": "Sept 31" is not a date (expected YYYY-MM-DD)``, and
every bad stop is reported at once.

:func:`stop_to_dict` and :func:`itinerary_to_dict` are the JSON shapes other
parts of trip reuse (``python -m trip show --json``).
"""

from __future__ import annotations

import json
from typing import Any

from ..errors import FormatError, RowErrors, ValidationError
from ..itinerary import Itinerary, Source, Stop
from .csv_format import ALL_COLUMNS, _Row, _stop_from_row, parse_sources
from .fields import stop_to_record

__all__ = ["NAME", "EXTENSIONS", "MEDIA_TYPE", "FORMAT_ID", "VERSION", "read", "write",
           "stop_to_dict", "source_to_dict", "itinerary_to_dict", "itinerary_from_dict"]

NAME = "json"
EXTENSIONS = (".json",)
MEDIA_TYPE = "application/json"
FORMAT_ID = "trip-itinerary"
VERSION = 1


def source_to_dict(source: Source) -> dict[str, str]:
    return {"title": source.title, "url": source.url}


def stop_to_dict(stop: Stop) -> dict[str, Any]:
    """One stop as a flat JSON object (the CSV's columns, with typed values: exact
    coordinates, ``null`` for an absent date or time)."""
    return stop_to_record(stop, decimals=None, missing=None)


def itinerary_to_dict(itinerary: Itinerary) -> dict[str, Any]:
    return {
        "format": FORMAT_ID,
        "version": VERSION,
        "title": itinerary.title,
        "description": itinerary.description,
        "sources": [source_to_dict(s) for s in itinerary.sources],
        "stops": [stop_to_dict(s) for s in itinerary.stops],
    }


def _source_list(value: Any, field: str) -> tuple[Source, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        return parse_sources(value, field=field)
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        raise ValidationError("is not a list of sources", field=field, value=value)
    out = []
    for item in value:
        if isinstance(item, str):
            out.extend(parse_sources(item, field=field))
        elif isinstance(item, dict):
            out.append(Source(title=item.get("title") or "", url=item.get("url") or ""))
        else:
            raise ValidationError("is not a source (expected {\"title\", \"url\"})", field=field, value=item)
    return tuple(out)


def _cell(value: Any) -> str:
    """A JSON value as the CSV reader's cell text (so both formats share one validator)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        raise ValidationError("is not a number or text", value=value)
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return value
    raise ValidationError("is not a number or text", value=value)


def _at_stop(err: ValidationError) -> FormatError:
    """``stop 3, field "date": …``: JSON has stops and fields, not rows and columns."""
    where = [f"stop {err.row}"] if err.row is not None else []
    if err.field:
        where.append(f'field "{err.field}"')
    body = str(err).split(": ", 1)[1] if ": " in str(err) and (err.row or err.field) else str(err)
    placed = FormatError(", ".join(where) + ": " + body if where else body)
    placed.row, placed.field, placed.value, placed.problem = err.row, err.field, err.value, err.problem
    return placed


def itinerary_from_dict(doc: Any, *, name: str = "") -> Itinerary:
    """Build an itinerary from the parsed JSON document, reporting every bad stop."""
    if isinstance(doc, list):  # a bare list of stops is accepted too
        doc = {"stops": doc}
    if not isinstance(doc, dict):
        raise FormatError("is not a JSON object with a \"stops\" list", field="file",
                          value=name or "upload")
    stops_in = doc.get("stops", [])
    if not isinstance(stops_in, list):
        raise FormatError("is not a list", field="stops", value=stops_in)
    stops: list[Stop] = []
    errors: list[ValidationError] = []
    for number, item in enumerate(stops_in, start=1):
        if not isinstance(item, dict):
            errors.append(FormatError("is not an object", field="stops", row=number, value=item))
            continue
        cells: dict[str, str] = {}
        row = _Row(cells, number)
        for key, value in item.items():
            if key == "sources" or key not in ALL_COLUMNS:
                continue
            try:
                cells[key] = _cell(value)
            except ValidationError as err:
                row.fail(err.problem, key, value)
        sources: tuple[Source, ...] = ()
        try:
            sources = _source_list(item.get("sources"), "sources") + _source_list(item.get("source"), "source")
        except ValidationError as err:
            row.fail(err.problem, err.field or "sources", err.value)
        cells.pop("source", None)
        stop = _stop_from_row(row)
        if stop is None:
            errors.extend(row.errors)
        else:
            stops.append(stop.replace(sources=sources) if sources else stop)
    if errors:
        placed = [_at_stop(e) for e in errors]
        raise placed[0] if len(placed) == 1 else RowErrors(placed, name=name)
    try:
        return Itinerary(tuple(stops), title=doc.get("title") or "",
                         description=doc.get("description") or "",
                         sources=_source_list(doc.get("sources"), "sources"))
    except ValidationError as err:
        raise FormatError(err.problem, field=err.field, value=err.value,
                          show_value=err.value is not None) from None


def read(data: bytes, *, name: str = "") -> Itinerary:
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as err:
        raise FormatError(f"is not UTF-8 text (bad byte at offset {err.start})", field="file",
                          value=name or "upload") from None
    except json.JSONDecodeError as err:
        raise FormatError(f"is not valid JSON ({err.msg} at line {err.lineno}, column {err.colno})",
                          field="file", value=name or "upload") from None
    return itinerary_from_dict(doc, name=name)


def write(itinerary: Itinerary) -> bytes:
    return (json.dumps(itinerary_to_dict(itinerary), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
