"""Itineraries as KML 2.2 (written and read with fastkml): for Google Earth and GIS tools.

Writing (valid against the OGC KML 2.2 schema)
    ``<Document>`` named after the itinerary, its description, and in
    ``<ExtendedData>`` the itinerary's sources (JSON) and the provenance; then

    * a ``Stops`` folder with a Placemark per stop, in trip order: a ``Point``
      (no geometry for a stop without coordinates, which KML allows), a
      ``TimeStamp`` (the day, the month for month-precision dates, or the UTC
      instant when the time is known) or a ``TimeSpan`` for a stay of several
      days, so Google Earth's time slider plays the trip; the description is a
      readable summary, and ``<ExtendedData>`` holds every other stop field as
      ``<Data>`` (``sources`` as a JSON list; fields at their default value are
      left out), so the round trip is lossless;
    * a ``Route`` folder with a Placemark per leg: a great-circle ``LineString``
      (a ``MultiGeometry`` of two when the leg crosses the antimeridian), with a
      ``TimeSpan`` from departure to arrival when both are dated.

Reading
    Untrusted XML is screened by :mod:`trip.formats.xml_safety`, then the tree
    goes to fastkml. Every Placemark with a Point or no geometry is a stop;
    line Placemarks are skipped (legs are derived); any other geometry (a
    Polygon, say) is a FormatError naming the placemark, as in GeoJSON. Placemarks from other tools
    give their name, description (as the note), and TimeStamp/TimeSpan dates.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from typing import Any, Iterator

import pygeoif.geometry as geo
from fastkml import (
    KML,
    Data,
    Document,
    ExtendedData,
    Folder,
    LineString,
    LineStyle,
    MultiGeometry,
    Placemark,
    Point,
    Style,
    StyleUrl,
    TimeSpan,
    TimeStamp,
)
from fastkml.enums import DateTimeResolution
from fastkml.times import KmlDateTime

from ..errors import FormatError, ValidationError
from ..geo import LatLon
from ..itinerary import DatePrecision, Itinerary, Stop
from ..provenance import build_provenance
from ..route import build_route
from .fields import (
    STOP_FIELDS,
    format_error,
    located,
    sources_from_value,
    stop_from_record,
    stop_to_record,
)
from .gpx import stop_time_utc
from .xml_safety import check_xml_text, parse_xml

__all__ = ["NAME", "EXTENSIONS", "MEDIA_TYPE", "read", "write"]

NAME = "kml"
EXTENSIONS = (".kml",)
MEDIA_TYPE = "application/vnd.google-earth.kml+xml"

KML_NS = "{http://www.opengis.net/kml/2.2}"
ROUTE_STYLE = "route"


# -- writing -----------------------------------------------------------------


def _kml_time(day: dt.date, precision: DatePrecision) -> KmlDateTime:
    # strftime("%Y") drops leading zeros before year 1000, which gYearMonth forbids.
    if precision is DatePrecision.MONTH and day.year >= 1000:
        return KmlDateTime(day, DateTimeResolution.year_month)
    return KmlDateTime(day, DateTimeResolution.date)


def _stop_times(stop: Stop) -> TimeStamp | TimeSpan | None:
    if stop.date is None:
        return None
    if stop.end_date is not None and stop.end_date != stop.date:
        return TimeSpan(begin=_kml_time(stop.date, stop.date_precision),
                        end=_kml_time(stop.end_date, stop.date_precision))
    instant = stop_time_utc(stop) if stop.time is not None else None
    if instant is not None and stop.date_precision is not DatePrecision.MONTH:
        return TimeStamp(timestamp=KmlDateTime(instant, DateTimeResolution.datetime))
    return TimeStamp(timestamp=_kml_time(stop.date, stop.date_precision))


def _summary(stop: Stop) -> str:
    """Readable balloon text; escaped, because Google Earth renders descriptions as HTML."""
    lines = []
    label = stop.date_label() if hasattr(stop, "date_label") else (
        stop.date.isoformat() if stop.date else "")
    if label:
        lines.append(label)
    if stop.mode.value != "unknown":
        lines.append("by " + stop.mode.value)
    if stop.note:
        lines.append(stop.note)
    lines += [str(s) for s in stop.sources]
    return "<br/>".join(html.escape(line).replace("\n", "<br/>") for line in lines)


def _data(name: str, value: str) -> Data:
    return Data(name=name, value=value)


_IN_KML_ELEMENTS = frozenset({"place", "lat", "lon"})
_DEFAULTS = {"date_precision": "day", "status": "visited", "mode": "unknown"}


def _stop_placemark(index: int, stop: Stop) -> Placemark:
    record = stop_to_record(stop)
    elements = [_data("index", str(index))]
    for key in STOP_FIELDS:
        value = record[key]
        # The place and its coordinates are the Placemark's <name> and <Point>;
        # default values are left out (a reader assumes them). Fewer Data
        # elements keep a 1,000-stop export fast: fastkml serialises slowly.
        if key in _IN_KML_ELEMENTS or _DEFAULTS.get(key) == value:
            continue
        if key == "sources":
            if value:
                elements.append(_data(key, json.dumps(value, ensure_ascii=False)))
        elif value is not None and value != "":
            elements.append(_data(key, repr(value) if isinstance(value, float) else str(value)))
    geometry = None
    if stop.location is not None:
        geometry = Point(geometry=geo.Point(record["lon"], record["lat"]))
    return Placemark(
        name=stop.name,
        description=_summary(stop) or None,
        times=_stop_times(stop),
        kml_geometry=geometry,
        extended_data=ExtendedData(elements=elements),
    )


def _leg_placemarks(itinerary: Itinerary) -> Iterator[Placemark]:
    for n, leg in enumerate(build_route(itinerary).legs):
        a, b = itinerary.stops[leg.start], itinerary.stops[leg.end]
        lines = [
            LineString(tessellate=True, geometry=geo.LineString(
                [(round(p.lon, 7), round(p.lat, 7)) for p in part]))
            for part in leg.parts
        ]
        geometry = lines[0] if len(lines) == 1 else MultiGeometry(kml_geometries=lines)
        times = None
        if a.last_date and b.date and a.last_date <= b.date:
            times = TimeSpan(begin=KmlDateTime(a.last_date), end=KmlDateTime(b.date))
        yield Placemark(
            name=f"{a.name} → {b.name}",
            description=html.escape(f"{leg.distance_km:,.0f} km"
                                    + (f" by {leg.mode.value}" if leg.mode.value != "unknown" else "")),
            times=times,
            style_url=StyleUrl(url="#" + ROUTE_STYLE),
            kml_geometry=geometry,
            # Few Data elements: legs are derived (recomputed on import), and
            # fastkml's serialiser is the slow part of a large export.
            extended_data=ExtendedData(elements=[
                _data("feature", "leg"), _data("start", str(leg.start)), _data("end", str(leg.end)),
            ]),
        )


def write(itinerary: Itinerary) -> bytes:
    check_xml_text(itinerary)
    provenance = build_provenance(itinerary)
    meta = [_data("feature", "itinerary")]
    if itinerary.sources:
        meta.append(_data("sources", json.dumps(
            [{"title": s.title, "url": s.url} for s in itinerary.sources], ensure_ascii=False)))
    for key, value in provenance.as_dict().items():
        if isinstance(value, str):
            meta.append(_data(key, value))
    stops = Folder(name="Stops", features=[_stop_placemark(i, s) for i, s in enumerate(itinerary.stops)])
    route = Folder(name="Route", features=list(_leg_placemarks(itinerary)))
    document = Document(
        name=itinerary.title or None,
        description=itinerary.description or None,
        styles=[Style(id=ROUTE_STYLE, styles=[LineStyle(color="ff3c14dc", width=3)])],
        extended_data=ExtendedData(elements=meta),
        features=[stops, route],
    )
    kml = KML(ns=KML_NS, features=[document])
    text = kml.to_string(prettyprint=True)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + text).encode("utf-8")


# -- reading -----------------------------------------------------------------


def _walk(features: Any) -> Iterator[Any]:
    for feature in features or ():
        if isinstance(feature, Placemark):
            yield feature
        else:
            yield from _walk(getattr(feature, "features", None))


def _extended(feature: Any) -> dict[str, str]:
    data = getattr(feature, "extended_data", None)
    out: dict[str, str] = {}
    for element in getattr(data, "elements", None) or ():
        if isinstance(element, Data) and element.name:
            out[element.name] = element.value or ""
    return out


def _date_of(value: Any) -> tuple[str, str, str]:
    """(date, time, precision) from a KmlDateTime; time in UTC when the instant is known."""
    if not value:
        return "", "", ""
    moment = value.dt
    precision = "month" if value.resolution == DateTimeResolution.year_month else ""
    if isinstance(moment, dt.datetime):
        if moment.tzinfo is not None:
            moment = moment.astimezone(dt.timezone.utc)
        clock = moment.time().replace(tzinfo=None, microsecond=0)
        return moment.date().isoformat(), ("" if clock == dt.time(0) else clock.isoformat()), precision
    return moment.isoformat(), "", precision


def _foreign_record(placemark: Any) -> dict[str, Any]:
    record: dict[str, Any] = {"place": placemark.name or ""}
    if placemark.description:
        record["note"] = placemark.description
    times = placemark.times
    if isinstance(times, TimeStamp):
        record["date"], record["time"], record["date_precision"] = _date_of(times.timestamp)
        if record["time"]:
            record["timezone"] = "UTC"
    elif isinstance(times, TimeSpan):
        record["date"], _, record["date_precision"] = _date_of(times.begin)
        record["end_date"] = _date_of(times.end)[0]
        if record["end_date"] and not record["date"]:
            record["date"], record["end_date"] = record["end_date"], ""
    return record


def _location(placemark: Any, where: str) -> tuple[bool, LatLon | None]:
    """(is a stop, where it is) for a Placemark."""
    geometry = placemark.kml_geometry
    if geometry is None:
        return True, None
    if isinstance(geometry, LineString) or (
            isinstance(geometry, MultiGeometry)
            and all(isinstance(g, LineString) for g in geometry.kml_geometries)):
        return False, None  # a leg or a track: legs are recomputed from the stops
    if not isinstance(geometry, Point):
        raise format_error(where, "geometry", type(geometry).__name__,
                           "is not a Point (trip reads each stop from a Point placemark)")
    shape = geometry.geometry
    if shape is None:
        raise format_error(where, "coordinates", None, "is missing from the Point", show_value=False)
    try:
        return True, LatLon(shape.y, shape.x)
    except ValidationError as err:
        raise located(err, where) from None


def read(data: bytes, *, name: str = "") -> Itinerary:
    label = name or "KML"
    root = parse_xml(data, label=label)
    tag = root.tag if isinstance(root.tag, str) else ""
    if not tag.endswith("kml"):
        raise format_error(label, None, tag, "is the root element; a KML file starts with <kml>")
    ns = tag[:-3]
    try:
        doc = KML.class_from_element(ns=ns, name_spaces={"kml": ns}, element=root, strict=False)
    except (FormatError, ValidationError):
        raise
    except Exception as err:  # noqa: BLE001 - fastkml raises many kinds on bad input
        raise format_error(label, None, None, f"is not a KML file fastkml can read ({err})") from None

    container = doc.features[0] if len(doc.features) == 1 and not isinstance(
        doc.features[0], Placemark) else doc
    meta = _extended(container) if container is not doc else {}
    entries: list[tuple[int, int | None, Stop]] = []
    for n, placemark in enumerate(_walk(doc.features), start=1):
        where = f"placemark {n}" + (f' "{placemark.name}"' if placemark.name else "")
        extended = _extended(placemark)
        if extended.get("feature") == "leg":
            continue
        is_stop, location = _location(placemark, where)
        if not is_stop:
            continue
        ours = "index" in extended
        if ours:
            record: dict[str, Any] = {k: v for k, v in extended.items() if k in STOP_FIELDS}
            record.setdefault("place", placemark.name or "")
            try:
                index: int | None = int(extended["index"])
            except ValueError:
                raise format_error(where, "index", extended["index"], "is not a whole number") from None
        else:
            record, index = _foreign_record(placemark), None
        record.pop("lat", None)
        record.pop("lon", None)
        entries.append((n, index, stop_from_record(record, where=where, location=location)))
    if entries and all(index is not None for _, index, _ in entries):
        entries.sort(key=lambda e: (e[1], e[0]))
    title = getattr(container, "name", None) or ""
    description = getattr(container, "description", None) or ""
    try:
        return Itinerary(
            stops=tuple(stop for _, _, stop in entries),
            title=title if container is not doc else "",
            description=description if container is not doc else "",
            sources=sources_from_value(meta.get("sources"), where="Document"),
        )
    except FormatError:
        raise
    except ValidationError as err:
        raise located(err, "Document") from None
