"""Itineraries as GeoJSON (RFC 7946): a FeatureCollection GIS tools and web maps open.

Writing
    * one ``Point`` Feature per stop, in trip order, with every stop field in
      ``properties`` (the CSV column names: ``place``, ``date``, ``end_date``,
      ``mode``, …, ``sources`` as a list of ``{"title", "url"}``) plus
      ``"feature": "stop"`` and its 0-based ``index``. A stop without coordinates
      is kept as a Feature whose ``geometry`` is ``null`` (RFC 7946 §3.2);
    * then one Feature per leg (``"feature": "leg"``), drawn along the great
      circle. A leg that crosses the antimeridian is a ``MultiLineString`` of
      its two halves, split at ±180° (RFC 7946 §3.1.9), so no line runs the long
      way round the world; every other leg is a ``LineString``;
    * positions are ``[lon, lat]`` with at most 7 decimals (``trip.geo.to_lonlat``);
    * the itinerary's title, description and sources, and the export's
      provenance, sit in the foreign member ``"trip"`` of the collection.

Reading
    Stop features come back in ``index`` order (document order when a file has
    no indices); leg features and other lines are skipped, since legs are derived
    from the stops. Files from other tools work too: a Point's ``name`` or
    ``title`` property is taken as the place name, ``description`` as the note,
    and an ISO timestamp (``date``, ``time`` or ``timestamp``) as the UTC date
    and time.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Mapping

from ..errors import FormatError, ValidationError
from ..geo import LatLon, to_lonlat
from ..itinerary import Itinerary, Stop
from ..provenance import build_provenance
from ..route import build_route
from .fields import format_error, located, sources_from_value, stop_from_record, stop_to_record

__all__ = ["NAME", "EXTENSIONS", "MEDIA_TYPE", "read", "write", "to_geojson", "from_geojson"]

NAME = "geojson"
EXTENSIONS = (".geojson", ".geo.json")
MEDIA_TYPE = "application/geo+json"

#: The foreign member holding the itinerary's own fields and the provenance.
TRIP_MEMBER = "trip"
_LINE_TYPES = ("LineString", "MultiLineString")


def _stop_feature(index: int, stop: Stop) -> dict[str, Any]:
    properties = {"feature": "stop", "index": index, **stop_to_record(stop)}
    geometry = None if stop.location is None else {
        "type": "Point", "coordinates": to_lonlat(stop.location)}
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def to_geojson(itinerary: Itinerary, *, provenance: bool = True) -> dict[str, Any]:
    """The itinerary as a GeoJSON FeatureCollection (a dict ready for ``json.dumps``)."""
    features = [_stop_feature(i, stop) for i, stop in enumerate(itinerary.stops)]
    for n, leg in enumerate(build_route(itinerary).legs):
        feature = leg.__geo_interface__
        feature["properties"] = {
            "feature": "leg", "leg": n,
            "from": itinerary.stops[leg.start].name, "to": itinerary.stops[leg.end].name,
            **feature["properties"],
        }
        features.append(feature)
    member: dict[str, Any] = {
        "title": itinerary.title,
        "description": itinerary.description,
        "sources": [{"title": s.title, "url": s.url} for s in itinerary.sources],
    }
    if provenance:
        member["provenance"] = build_provenance(itinerary).as_dict()
    return {"type": "FeatureCollection", TRIP_MEMBER: member, "features": features}


def write(itinerary: Itinerary) -> bytes:
    """UTF-8 GeoJSON text (non-ASCII kept as is, one feature per line for diffs)."""
    doc = to_geojson(itinerary)
    features = doc.pop("features")
    head = json.dumps(doc, ensure_ascii=False)[:-1]
    body = ",\n".join(json.dumps(f, ensure_ascii=False) for f in features)
    return (head + ', "features": [\n' + body + "\n]}\n").encode("utf-8")


def _position(coords: Any, where: str) -> LatLon:
    if (not isinstance(coords, list) or len(coords) not in (2, 3)
            or not all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in coords)):
        raise format_error(where, "coordinates", coords, "is not a [lon, lat] position")
    try:
        return LatLon(coords[1], coords[0])
    except ValidationError as err:
        raise located(err, where) from None


def _stop_from_feature(feature: Any, where: str) -> Stop | None:
    """The stop a feature describes, or None for a line (legs are recomputed)."""
    if not isinstance(feature, Mapping) or feature.get("type") != "Feature":
        raise format_error(where, "type", feature.get("type") if isinstance(feature, Mapping) else feature,
                           'is not a GeoJSON Feature (expected "type": "Feature")')
    properties = feature.get("properties") or {}
    if not isinstance(properties, Mapping):
        raise format_error(where, "properties", properties, "is not an object")
    geometry = feature.get("geometry")
    kind = properties.get("feature")
    if kind == "leg":
        return None
    location = None
    if geometry is not None:
        if not isinstance(geometry, Mapping):
            raise format_error(where, "geometry", geometry, "is not a GeoJSON geometry")
        gtype = geometry.get("type")
        if gtype in _LINE_TYPES and kind != "stop":
            return None
        if gtype != "Point":
            raise format_error(where, "geometry", gtype,
                               "is not a Point (trip reads each stop from a Point feature)")
        location = _position(geometry.get("coordinates"), where)
    record = dict(properties)
    if not record.get("place"):
        record["place"] = properties.get("name") or properties.get("title") or ""
    if "note" not in record and isinstance(properties.get("description"), str):
        record["note"] = properties["description"]
    record.pop("lat", None)
    record.pop("lon", None)
    if kind != "stop":
        # Foreign files: keep only the keys trip knows; a timestamp is split into
        # the UTC date and time.
        record = {k: v for k, v in record.items() if k in _FOREIGN_KEYS}
        stamp = record.get("date") or properties.get("time") or properties.get("timestamp")
        if isinstance(stamp, str) and "T" in stamp.strip()[10:11]:
            record.update(_split_timestamp(stamp.strip(), where))
    return stop_from_record(record, where=where, location=location)


def _split_timestamp(stamp: str, where: str) -> dict[str, str]:
    try:
        moment = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        raise format_error(where, "date", stamp, "is not a date or an ISO 8601 time") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.timezone.utc)
    clock = moment.time().replace(microsecond=0)
    out = {"date": moment.date().isoformat()}
    if clock != dt.time(0):
        out["time"] = clock.isoformat()
        out["timezone"] = "UTC" if moment.tzinfo is not None else ""
    return out


_FOREIGN_KEYS = frozenset({"place", "date", "end_date", "time", "timezone", "date_precision",
                           "status", "mode", "note", "sources", "evidence", "country", "kind",
                           "place_source", "confidence", "ref"})


def from_geojson(doc: Any, *, name: str = "") -> Itinerary:
    """An :class:`Itinerary` from a parsed GeoJSON object (FeatureCollection or Feature)."""
    if not isinstance(doc, Mapping):
        raise format_error(name or "GeoJSON", None, None, "is not a GeoJSON object")
    if doc.get("type") == "Feature":
        doc = {"type": "FeatureCollection", "features": [doc]}
    if doc.get("type") != "FeatureCollection":
        raise format_error(name or "GeoJSON", "type", doc.get("type"),
                           'is not a FeatureCollection or Feature')
    features = doc.get("features")
    if not isinstance(features, list):
        raise format_error(name or "GeoJSON", "features", features, "is not a list")
    stops: list[tuple[int, int | None, Stop]] = []
    for n, feature in enumerate(features, start=1):
        where = f"feature {n}"
        stop = _stop_from_feature(feature, where)
        if stop is None:
            continue
        index = feature.get("properties", {}).get("index") if isinstance(feature, Mapping) else None
        stops.append((n, index if isinstance(index, int) and not isinstance(index, bool) else None, stop))
    if stops and all(i is not None for _, i, _ in stops):
        stops.sort(key=lambda t: (t[1], t[0]))
    member = doc.get(TRIP_MEMBER) or {}
    if not isinstance(member, Mapping):
        raise format_error(name or "GeoJSON", TRIP_MEMBER, member, "is not an object")
    title = member.get("title", doc.get("name", doc.get("title", ""))) or ""
    description = member.get("description", doc.get("description", "")) or ""
    where = f'"{TRIP_MEMBER}" member'
    for key, value in (("title", title), ("description", description)):
        if not isinstance(value, str):
            raise format_error(where, key, value, "is not text")
    try:
        return Itinerary(
            stops=tuple(s for _, _, s in stops),
            title=title,
            description=description,
            sources=sources_from_value(member.get("sources"), where=where),
        )
    except FormatError:
        raise
    except ValidationError as err:
        raise located(err, where) from None


def read(data: bytes, *, name: str = "") -> Itinerary:
    """Parse GeoJSON bytes (UTF-8, a BOM is allowed)."""
    label = name or "GeoJSON"
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise format_error(label, None, None,
                           f"is not UTF-8 text (bad byte at offset {err.start})") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise format_error(label, None, None,
                           f"is not valid JSON (line {err.lineno}, column {err.colno}: {err.msg})") from None
    except RecursionError:
        raise format_error(label, None, None, "is nested too deeply to be GeoJSON") from None
    return from_geojson(doc, name=label)
