"""Itineraries as GPX 1.1 (written and read with gpxpy): for GPS devices and hiking apps.

Writing
    * ``<metadata>``: the itinerary's title (``name``), description (``desc``), the
      export time (``time``), and in ``<extensions>`` the itinerary's sources, the
      provenance and every stop that has no coordinates yet (a waypoint needs a
      position, but a round trip must keep those stops);
    * one ``<wpt>`` per located stop: ``name`` (the place), ``desc`` (date, mode and
      note for people), ``time`` (the stop's date and time converted to UTC, ending
      in ``Z``; midnight in the stop's time zone, or UTC, when no time is known) and,
      in ``<extensions>``, a ``<trip:stop>`` element holding every stop field;
    * one ``<rte>`` through the located stops in trip order.

    Our elements live in the namespace :data:`NAMESPACE`, which the GPX 1.1
    schema allows inside ``<extensions>`` (``##other``, lax), so the file stays
    schema-valid.

Reading
    Untrusted XML is screened by :mod:`trip.formats.xml_safety` first. Waypoints
    with a ``<trip:stop>`` extension give back every field; waypoints from other
    tools give their name, description (as the note) and UTC date. A file with no
    waypoints is read from its first route's points.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterable
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

import gpxpy
import gpxpy.gpx
from lxml import etree

from ..errors import FormatError, ValidationError
from ..geo import COORD_DECIMALS, LatLon
from ..itinerary import Itinerary, Source, Stop
from ..provenance import build_provenance
from .fields import (
    STOP_FIELDS,
    format_error,
    located,
    stop_from_record,
    stop_to_record,
)
from .xml_safety import check_xml_text, parse_xml

__all__ = ["NAME", "EXTENSIONS", "MEDIA_TYPE", "NAMESPACE", "read", "write", "stop_time_utc"]

NAME = "gpx"
EXTENSIONS = (".gpx",)
MEDIA_TYPE = "application/gpx+xml"

#: Namespace of trip's own elements inside GPX ``<extensions>``.
NAMESPACE = "urn:x-trip:itinerary:1"
PREFIX = "trip"
_NS = "{" + NAMESPACE + "}"


def stop_time_utc(stop: Stop) -> dt.datetime | None:
    """The instant a stop starts, in UTC: its date and time in its time zone.

    Without a time the day starts at midnight; without a time zone the clock is
    taken as UTC. Undated stops have no instant, nor do the first and last days
    of the calendar when the zone would push them out of it.
    """
    if stop.date is None:
        return None
    clock = stop.time or dt.time(0, 0)
    zone = ZoneInfo(stop.timezone) if stop.timezone else dt.timezone.utc
    local = dt.datetime.combine(stop.date, clock.replace(tzinfo=None)).replace(tzinfo=zone)
    try:
        return local.astimezone(dt.timezone.utc)
    except OverflowError:  # 0001-01-01 east of UTC, 9999-12-31 west of it: no instant
        return None


# gpxpy 1.6 writes extension text and attributes verbatim (no escaping), so we
# escape the text ourselves and use no attributes; reading unescapes as usual.
def _element(tag: str, text: str | None = None) -> Any:
    node = etree.Element(_NS + tag)
    if text:
        node.text = escape(text)
    return node


def _sources_elements(parent: Any, sources: Iterable[dict[str, str]]) -> None:
    for source in sources:
        node = _element("source")
        if source["title"]:
            node.append(_element("title", source["title"]))
        if source["url"]:
            node.append(_element("url", source["url"]))
        parent.append(node)


def _stop_element(index: int, stop: Stop) -> Any:
    node = _element("stop")
    node.append(_element("index", str(index)))
    record = stop_to_record(stop)
    for key in STOP_FIELDS:
        value = record[key]
        if key == "sources":
            _sources_elements(node, value)
        elif value is not None and value != "":
            node.append(_element(key, repr(value) if isinstance(value, float) else str(value)))
    return node


def _summary(stop: Stop) -> str:
    parts = [stop.date_label()] if hasattr(stop, "date_label") else []
    if stop.mode.value != "unknown":
        parts.append("by " + stop.mode.value)
    if stop.note:
        parts.append(stop.note)
    return " · ".join(p for p in parts if p)


def write(itinerary: Itinerary) -> bytes:
    check_xml_text(itinerary)
    provenance = build_provenance(itinerary)
    gpx = gpxpy.gpx.GPX()
    gpx.creator = provenance.generator
    gpx.nsmap[PREFIX] = NAMESPACE
    gpx.name = itinerary.title or None
    gpx.description = itinerary.description or None
    gpx.time = dt.datetime.strptime(provenance.exported_at, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=dt.timezone.utc)

    meta = _element("itinerary")
    _sources_elements(meta, ({"title": s.title, "url": s.url} for s in itinerary.sources))
    prov = _element("provenance")
    for key, value in provenance.as_dict().items():
        if isinstance(value, str):
            prov.append(_element(key, value))
    meta.append(prov)
    route = gpxpy.gpx.GPXRoute(name=itinerary.title or None)
    for index, stop in enumerate(itinerary.stops):
        if stop.location is None:
            meta.append(_stop_element(index, stop))
            continue
        lat = round(stop.location.lat, COORD_DECIMALS)
        lon = round(stop.location.lon, COORD_DECIMALS)
        if lon == 180.0:
            lon = -180.0  # GPX's longitude range is [-180, 180); the extension keeps +180
        when = stop_time_utc(stop)
        point = gpxpy.gpx.GPXWaypoint(latitude=lat, longitude=lon, time=when,
                                      name=stop.name, description=_summary(stop) or None)
        point.extensions.append(_stop_element(index, stop))
        gpx.waypoints.append(point)
        route.points.append(gpxpy.gpx.GPXRoutePoint(latitude=lat, longitude=lon, time=when,
                                                    name=stop.name))
    gpx.metadata_extensions.append(meta)
    if route.points:
        gpx.routes.append(route)
    return gpx.to_xml(version="1.1").encode("utf-8")


# -- reading -----------------------------------------------------------------


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _ours(node: Any, name: str) -> bool:
    return isinstance(node.tag, str) and node.tag == _NS + name


def _sources_from(node: Any, where: str) -> list[dict[str, str]]:
    out = []
    for child in node:
        if _ours(child, "source"):
            item = {"title": "", "url": ""}
            for part in child:
                if _ours(part, "title") or _ours(part, "url"):
                    item[_local(part.tag)] = part.text or ""
            out.append(item)
    return out


def _record_from(node: Any) -> tuple[int | None, dict[str, Any]]:
    record: dict[str, Any] = {}
    index: int | None = None
    for child in node:
        key = _local(child.tag)
        if not isinstance(child.tag, str) or not child.tag.startswith(_NS):
            continue
        if key == "index":
            try:
                index = int((child.text or "").strip())
            except ValueError:
                index = None
        elif key == "source":
            continue
        elif key in STOP_FIELDS:
            record[key] = child.text or ""
    record["sources"] = _sources_from(node, "")
    return index, record


def _foreign_record(point: Any) -> dict[str, Any]:
    record: dict[str, Any] = {"place": point.name or ""}
    if point.description:
        record["note"] = point.description
    if point.time is not None:
        when = point.time
        if when.tzinfo is not None:
            when = when.astimezone(dt.timezone.utc)
        record["date"] = when.date().isoformat()
        if (when.hour, when.minute, when.second) != (0, 0, 0):
            record["time"] = when.time().replace(tzinfo=None, microsecond=0).isoformat()
            record["timezone"] = "UTC" if point.time.tzinfo is not None else ""
    return record


def read(data: bytes, *, name: str = "") -> Itinerary:
    label = name or "GPX"
    # Parsed safely first; gpxpy then gets the tree re-serialised as text, which
    # also handles files declared in encodings other than UTF-8.
    text = etree.tostring(parse_xml(data, label=label), encoding="unicode")
    try:
        gpx = gpxpy.parse(text)
    except gpxpy.gpx.GPXException as err:
        raise format_error(label, None, None, f"is not a GPX file ({err})") from None
    except ValueError as err:  # gpxpy raises plain ValueError for some bad numbers
        raise format_error(label, None, None, f"is not a GPX file ({err})") from None

    entries: list[tuple[int, int | None, Stop]] = []
    itinerary_sources: list[dict[str, str]] = []
    order = 0
    for ext in gpx.metadata_extensions:
        if not _ours(ext, "itinerary"):
            continue
        itinerary_sources.extend(_sources_from(ext, "metadata"))
        for child in ext:
            if _ours(child, "stop"):
                order += 1
                index, record = _record_from(child)
                where = f"metadata stop {order}"
                if record.get("place"):
                    where += f' "{record["place"]}"'
                if "lat" in record or "lon" in record:
                    raise format_error(where, "lat", record.get("lat"),
                                       "is set on a stop kept in metadata (located stops are waypoints)")
                entries.append((order, index, stop_from_record(record, where=where)))

    points = list(gpx.waypoints)
    what = "waypoint"
    if not points and gpx.routes:
        points, what = list(gpx.routes[0].points), "route point"
    if not points and not entries and gpx.tracks:
        raise format_error(label, None, None,
                           "has only tracks; trip reads stops from waypoints or a route "
                           "(mark the stops as waypoints in your GPS tool)")
    for n, point in enumerate(points, start=1):
        ours = next((e for e in point.extensions if _ours(e, "stop")), None)
        where = f"{what} {n}" + (f' "{point.name}"' if point.name else "")
        try:
            location = LatLon(point.latitude, point.longitude)
        except ValidationError as err:
            raise located(err, where) from None
        if ours is not None:
            index, record = _record_from(ours)
            if location.lon == -180.0 and record.get("lon") in ("180.0", "180"):
                location = LatLon(location.lat, 180.0)
        else:
            index, record = None, _foreign_record(point)
        record.pop("lat", None)
        record.pop("lon", None)
        entries.append((len(entries) + 1, index, stop_from_record(record, where=where, location=location)))

    if entries and all(index is not None for _, index, _ in entries):
        entries.sort(key=lambda e: (e[1], e[0]))
    try:
        sources = tuple(Source(title=s["title"], url=s["url"]) for s in itinerary_sources)
        return Itinerary(
            stops=tuple(stop for _, _, stop in entries),
            title=gpx.name or "",
            description=gpx.description or "",
            sources=sources,
        )
    except FormatError:
        raise
    except ValidationError as err:
        raise located(err, "metadata") from None
