"""Reading and writing itineraries: one module per format, each with ``read`` and ``write``.

A format module exposes ``NAME``, ``EXTENSIONS``, ``MEDIA_TYPE``,
``read(data: bytes, *, name: str = "") -> Itinerary`` and
``write(itinerary: Itinerary) -> bytes``. This package dispatches, and enforces
the limits every format shares (:data:`MAX_FILE_BYTES`, :data:`MAX_STOPS`): a file
over them is refused before any stop is built.
"""

from __future__ import annotations

import csv
import importlib
import io
import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

from lxml import etree

from ..errors import FileTooLarge, FormatError, TooManyStops
from ..itinerary import Itinerary

__all__ = ["FORMATS", "MAX_FILE_BYTES", "MAX_STOPS", "check_stop_count", "count_stops",
           "format_module", "guess_format", "read_itinerary", "write_itinerary", "load", "save"]

#: Every format name, mapped to the module that implements it.
FORMATS: dict[str, str] = {
    "csv": "csv_format",
    "json": "json_format",
    "geojson": "geojson",
    "gpx": "gpx",
    "kml": "kml",
    "html": "html",
    "png": "png",
}
READABLE = ("csv", "json", "geojson", "gpx", "kml")

#: Uploads and files larger than this are refused before parsing.
MAX_FILE_BYTES = 20 * 1024 * 1024

#: Most stops one trip may hold. A 20 MB CSV can list ~650,000 stops; 100,000 already
#: tie a worker up for 13-95 s. At 20,000, reading, routing and drawing take 2.3 s CPU
#: (stops tens of km apart) to 6.7 s (every leg a long great circle), measured by
#: bench/bench_limits.py; that is a stop a day for 55 years.
MAX_STOPS = 20_000


def check_stop_count(count: int, *, name: str | None, field: str = "file") -> None:
    """Raise :class:`~trip.errors.TooManyStops` if ``count`` stops exceed :data:`MAX_STOPS`.

    Every path that builds an itinerary from outside data (files, share links,
    articles) calls this, so one limit holds everywhere.
    """
    if count <= MAX_STOPS:
        return
    raise TooManyStops(
        f"has {count:,} stops; one trip holds at most {MAX_STOPS:,}: "
        f"split the trip into parts of up to {MAX_STOPS:,} stops and open them one at a time",
        field=field, value=name, show_value=name is not None, count=count, limit=MAX_STOPS,
    )


# -- counting stops before parsing ---------------------------------------------------
# Each counter first takes a cheap upper bound from the raw bytes; only when that
# bound is over the limit does it count exactly (still without building a Stop).
# Counters never raise on a malformed file: they return None and the reader
# reports the problem in its own words.

def _count_csv(data: bytes) -> int | None:
    upper = data.count(b"\n") + 1
    if upper <= MAX_STOPS:
        return upper
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    lines = text.split("\n")
    start = 0
    while start < len(lines) and (lines[start].lstrip().startswith("#") or not lines[start].strip()):
        start += 1
    if start >= len(lines):
        return None
    from .csv_format import _dialect  # the reader's own rule for the separator

    reader = csv.reader(io.StringIO("\n".join(lines[start + 1:]), newline=""),
                        delimiter=_dialect(lines[start]))
    try:  # a record whose cells are all blank is skipped by the reader, so not counted
        return sum(map(bool, map(str.strip, map("".join, reader))))
    except csv.Error:
        return None


def _count_json_stops(doc: Any) -> int | None:
    if isinstance(doc, list):
        return len(doc)
    stops = doc.get("stops") if isinstance(doc, dict) else None
    return len(stops) if isinstance(stops, list) else None


def _count_geojson_stops(doc: Any) -> int | None:
    if not isinstance(doc, dict):
        return None
    if doc.get("type") == "Feature":
        return 1
    features = doc.get("features")
    if not isinstance(features, list):
        return None
    lines = ("LineString", "MultiLineString")
    return sum(1 for f in features
               if not (isinstance(f, dict) and isinstance(f.get("geometry"), dict)
                       and f["geometry"].get("type") in lines))


def _json_counter(count_doc: Callable[[Any], int | None]) -> Callable[[bytes], int | None]:
    def count(data: bytes) -> int | None:
        upper = data.count(b"{")  # every stop is an object
        if upper <= MAX_STOPS:
            return upper
        try:
            return count_doc(json.loads(data.decode("utf-8-sig")))
        except (UnicodeDecodeError, ValueError, RecursionError):
            return None
    return count


def _xml_elements(data: bytes, tags: tuple[str, ...]) -> Any:
    """(local name, element) at the end of each element named in ``tags``; no DTD, no entities."""
    # lxml filters the tags in C: five times faster than looking at every element here
    context = etree.iterparse(io.BytesIO(data), events=("end",), tag=[f"{{*}}{t}" for t in tags],
                              resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False,
                              remove_comments=True, remove_pis=True)
    for _, element in context:
        yield element.tag.rsplit("}", 1)[-1], element


def _count_gpx(data: bytes) -> int | None:
    # Located stops are waypoints (or, without any, the first route's points);
    # unlocated ones are <trip:stop> elements in the metadata.
    opened = re.findall(rb"<(?:[\w.-]+:)?(?:wpt|rtept|stop)[\s/>]", data)
    if len(opened) <= MAX_STOPS:
        return len(opened)
    waypoints = route_points = metadata_stops = 0
    first_route_done = False
    try:
        for local, element in _xml_elements(data, ("wpt", "rtept", "rte", "metadata")):
            if local == "wpt":
                waypoints += 1
                element.clear()
            elif local == "rtept" and not first_route_done:
                route_points += 1
            elif local == "rte":
                first_route_done = True
                element.clear()
            elif local == "metadata":
                metadata_stops += sum(1 for e in element.iter("{*}stop"))
    except etree.XMLSyntaxError:
        return None
    return (waypoints or route_points) + metadata_stops


def _count_kml(data: bytes) -> int | None:
    opened = re.findall(rb"<(?:[\w.-]+:)?Placemark[\s/>]", data)
    if len(opened) <= MAX_STOPS:
        return len(opened)
    stops = 0
    try:
        for _, element in _xml_elements(data, ("Placemark",)):
            if next(element.iter("{*}LineString"), None) is None:
                stops += 1  # a line placemark is a leg or a track, not a stop
            element.clear()
    except etree.XMLSyntaxError:
        return None
    return stops


_COUNTERS: dict[str, Callable[[bytes], int | None]] = {
    "csv": _count_csv,
    "json": _json_counter(_count_json_stops),
    "geojson": _json_counter(_count_geojson_stops),
    "gpx": _count_gpx,
    "kml": _count_kml,
}


def count_stops(data: bytes, format: str) -> int | None:
    """How many stops ``data`` holds at most, counted without building them (None: unreadable).

    Below :data:`MAX_STOPS` the figure may be a generous upper bound (newlines,
    open tags); above it, it is exact.
    """
    counter = _COUNTERS.get(format)
    return counter(data) if counter else None


def format_module(name: str) -> ModuleType:
    """The module for format ``name``; an unknown name lists the valid ones."""
    key = name.lower().lstrip(".")
    if key not in FORMATS:
        raise FormatError(f"is not a format (expected one of: {', '.join(FORMATS)})",
                          field="format", value=name)
    return importlib.import_module(f".{FORMATS[key]}", __name__)


def guess_format(filename: str) -> str:
    """The format implied by a file name's extension."""
    suffix = Path(filename).suffix.lower().lstrip(".")
    aliases = {"geo.json": "geojson", "txt": "csv"}
    if filename.lower().endswith(".geo.json"):
        return "geojson"
    if suffix in FORMATS:
        return suffix
    if suffix in aliases:
        return aliases[suffix]
    raise FormatError(f"has an unknown extension (expected one of: {', '.join('.' + f for f in READABLE)})",
                      field="file", value=filename)


def read_itinerary(data: bytes, *, format: str | None = None, name: str = "") -> Itinerary:
    """Parse ``data`` as ``format`` (or the format ``name``'s extension implies)."""
    if len(data) > MAX_FILE_BYTES:
        raise FileTooLarge(f"is {len(data):,} bytes; the limit is {MAX_FILE_BYTES:,}",
                           field="file", value=name or "upload")
    fmt = format or guess_format(name)
    if fmt not in READABLE:
        raise FormatError(f"cannot be read (readable formats: {', '.join(READABLE)})",
                          field="format", value=fmt)
    label = name or "upload"
    count = count_stops(data, fmt)
    if count is not None:
        check_stop_count(count, name=label)
    itinerary = format_module(fmt).read(data, name=name)
    check_stop_count(len(itinerary), name=label)  # in case a counter undercounted (e.g. UTF-16 XML)
    return itinerary


def write_itinerary(itinerary: Itinerary, format: str) -> bytes:
    """Serialise ``itinerary`` as ``format``."""
    return format_module(format).write(itinerary)


def load(path: str | Path, *, format: str | None = None) -> Itinerary:
    """Read an itinerary file from disk."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as err:
        raise FormatError(f"cannot be opened ({err.strerror})", field="file", value=str(path)) from err
    if size > MAX_FILE_BYTES:
        raise FileTooLarge(f"is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}",
                           field="file", value=str(path))
    return read_itinerary(path.read_bytes(), format=format, name=path.name)


def save(itinerary: Itinerary, path: str | Path, *, format: str | None = None) -> Path:
    """Write an itinerary file to disk, in the format its extension implies."""
    path = Path(path)
    fmt = format or guess_format(path.name)
    path.write_bytes(write_itinerary(itinerary, fmt))
    return path
