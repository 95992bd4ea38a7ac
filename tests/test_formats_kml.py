"""KML 2.2 export/import: valid against the OGC KML 2.2 schema, times for Google Earth's
slider, every field in ExtendedData, safe parsing.

The OGC schema (with its atom and xAL imports) is the copy fastkml installs in
``fastkml/schema``: loaded from the installed package, never from the web.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import fastkml
import pytest
import xmlschema
from hypothesis import HealthCheck, given, settings
from lxml import etree

from trip.errors import ExportError, FormatError
from trip.formats import gpx, kml
from trip.geo import LatLon
from trip.itinerary import Itinerary, Place, Source, Stop
from trip.samples import load_sample

from strategies import antimeridian_itineraries, itineraries
from test_formats_gpx import BILLION_LAUGHS, external_entity

NS = {"k": "http://www.opengis.net/kml/2.2"}


@functools.cache
def kml_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(Path(fastkml.__file__).parent / "schema" / "ogckml22.xsd"))


def assert_valid(data: bytes) -> None:
    kml_schema().validate(data.decode("utf-8"))


TRIP = Itinerary(
    stops=(
        Stop(Place("Anadyr <Ugolny>", LatLon(64.7337, 177.5089), source="airports"),
             date="2024-07-01", end_date="2024-07-03", note="a <i>long</i> stay & more",
             sources=(Source("Log", "https://example.org/?a=1&b=2"),)),
        Stop(Place("Nome", LatLon(64.5011, -165.4064), source="airports"), date="2024-07-04",
             time="10:30", timezone="America/Nome", mode="plane"),
        Stop(Place("Somewhere in Alaska"), date="2024-07-01", date_precision="month"),
        Stop(Place("Fairbanks", LatLon(64.8378, -147.7164), source="geonames"), date="2024-07-09",
             mode="car"),
    ),
    title="Date line & <tags>",
    description="Two lines\nof description",
    sources=(Source("Travel diary"),),
)


def _placemarks(root, folder):
    return root.findall(f"k:Document/k:Folder[k:name='{folder}']/k:Placemark", NS)


def test_sample_trip_is_valid_kml_2_2():
    assert_valid(kml.write(load_sample("kim-jong-un-2023-far-east")))


def test_awkward_trip_is_valid_kml_2_2():
    assert_valid(kml.write(TRIP))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(itinerary=itineraries())
def test_any_itinerary_is_valid_kml_2_2(itinerary):
    assert_valid(kml.write(itinerary))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(itinerary=antimeridian_itineraries())
def test_antimeridian_itinerary_is_valid_kml_2_2(itinerary):
    assert_valid(kml.write(itinerary))


def test_a_placemark_per_stop_with_timestamp_or_timespan():
    root = etree.fromstring(kml.write(TRIP))
    stops = _placemarks(root, "Stops")
    assert [p.findtext("k:name", namespaces=NS) for p in stops] == [
        "Anadyr <Ugolny>", "Nome", "Somewhere in Alaska", "Fairbanks"]
    anadyr, nome, somewhere, fairbanks = stops
    assert anadyr.findtext("k:TimeSpan/k:begin", namespaces=NS) == "2024-07-01"
    assert anadyr.findtext("k:TimeSpan/k:end", namespaces=NS) == "2024-07-03"
    # a known local time becomes the UTC instant (10:30 AKDT = 18:30 UTC)
    assert nome.findtext("k:TimeStamp/k:when", namespaces=NS) == "2024-07-04T18:30:00+00:00"
    # month precision is a gYearMonth
    assert somewhere.findtext("k:TimeStamp/k:when", namespaces=NS) == "2024-07"
    assert fairbanks.findtext("k:TimeStamp/k:when", namespaces=NS) == "2024-07-09"
    assert anadyr.findtext("k:Point/k:coordinates", namespaces=NS).strip() == "177.5089,64.7337"
    assert somewhere.find("k:Point", NS) is None  # no coordinates: a Placemark without geometry


def test_every_other_stop_field_is_in_extended_data():
    root = etree.fromstring(kml.write(TRIP))
    anadyr = _placemarks(root, "Stops")[0]
    data = {d.get("name"): d.findtext("k:value", namespaces=NS)
            for d in anadyr.findall("k:ExtendedData/k:Data", NS)}
    assert anadyr.findtext("k:name", namespaces=NS) == "Anadyr <Ugolny>"
    assert data["index"] == "0" and data["note"] == "a <i>long</i> stay & more"
    assert "place" not in data and "lat" not in data  # in <name> and <Point>
    assert "status" not in data  # "visited", the default, is left out
    assert data["end_date"] == "2024-07-03" and data["place_source"] == "airports"
    assert json.loads(data["sources"]) == [{"title": "Log", "url": "https://example.org/?a=1&b=2"}]


def test_description_balloon_shows_markup_as_text():
    root = etree.fromstring(kml.write(TRIP))
    balloon = _placemarks(root, "Stops")[0].findtext("k:description", namespaces=NS)
    # Google Earth renders descriptions as HTML: user text must arrive escaped
    assert "&lt;i&gt;long&lt;/i&gt;" in balloon and "<i>" not in balloon


def test_route_legs_are_linestrings_split_at_the_antimeridian():
    root = etree.fromstring(kml.write(TRIP))
    legs = _placemarks(root, "Route")
    assert len(legs) == 2  # Anadyr → Nome → Fairbanks (the unresolved stop is skipped)
    crossing, inland = legs
    lines = crossing.findall("k:MultiGeometry/k:LineString", NS)
    assert len(lines) == 2
    west = lines[0].findtext("k:coordinates", namespaces=NS).split()
    east = lines[1].findtext("k:coordinates", namespaces=NS).split()
    assert west[-1].startswith("180.0,") and east[0].startswith("-180.0,")
    assert inland.find("k:LineString", NS) is not None
    assert crossing.findtext("k:TimeSpan/k:begin", namespaces=NS) == "2024-07-03"
    assert crossing.findtext("k:TimeSpan/k:end", namespaces=NS) == "2024-07-04"


def test_round_trip_is_exact():
    assert kml.read(kml.write(TRIP)) == TRIP


def test_provenance_is_in_the_document_extended_data():
    root = etree.fromstring(kml.write(TRIP))
    data = {d.get("name"): d.findtext("k:value", namespaces=NS)
            for d in root.findall("k:Document/k:ExtendedData/k:Data", NS)}
    assert data["content_hash"].startswith("sha256:")
    assert data["exported_at"].endswith("Z")
    assert data["generator"].startswith("trip ")


FOREIGN = b"""<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>My places</name>
  <Folder><Placemark><name>Vladivostok</name><description>port city</description>
    <TimeStamp><when>2023-09-16T06:30:00Z</when></TimeStamp>
    <Point><coordinates>131.8855,43.1155,0</coordinates></Point></Placemark>
  <Placemark><name>Stay</name><TimeSpan><begin>2023-09-17</begin><end>2023-09-19</end></TimeSpan>
    <Point><coordinates>135.0928,48.4808</coordinates></Point></Placemark>
  <Placemark><name>A track</name><LineString><coordinates>0,0 1,1</coordinates></LineString></Placemark>
  </Folder></Document></kml>"""


def test_reads_kml_from_other_tools():
    trip = kml.read(FOREIGN)
    assert trip.title == "My places"
    assert [s.name for s in trip] == ["Vladivostok", "Stay"]
    first, stay = trip
    assert first.location == LatLon(43.1155, 131.8855) and first.note == "port city"
    assert first.date.isoformat() == "2023-09-16" and first.time.isoformat() == "06:30:00"
    assert stay.date.isoformat() == "2023-09-17" and stay.end_date.isoformat() == "2023-09-19"


def test_billion_laughs_is_refused_not_expanded():
    bomb = BILLION_LAUGHS.replace(b"<!DOCTYPE gpx", b"<!DOCTYPE kml")
    with pytest.raises(FormatError, match="DOCTYPE"):
        kml.read(bomb, name="bomb.kml")


def test_external_entity_is_refused_not_fetched(tmp_path):
    with pytest.raises(FormatError, match="DOCTYPE") as info:
        kml.read(external_entity(tmp_path), name="xxe.kml")
    assert "TOP-SECRET" not in str(info.value)


@pytest.mark.parametrize(("data", "expected"), [
    (b"<kml><Document></kml>", "is not well-formed XML"),
    (b'<gpx version="1.1"/>', '"gpx" is the root element; a KML file starts with <kml>'),
    (b'<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><name>Far</name>'
     b"<Point><coordinates>10,95</coordinates></Point></Placemark></kml>",
     'placemark 1 "Far", field "lat": 95.0 is out of range'),
    (b'<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><name>A</name><ExtendedData>'
     b'<Data name="index"><value>0</value></Data>'
     b'<Data name="status"><value>gone</value></Data></ExtendedData></Placemark></kml>',
     'placemark 1 "A", field "status": "gone" is not one of: visited, planned, origin'),
])
def test_bad_input_is_a_format_error_naming_what_and_where(data, expected):
    with pytest.raises(FormatError) as info:
        kml.read(data, name="bad.kml")
    assert expected in str(info.value)


@pytest.mark.parametrize("fmt", [kml, gpx])
def test_text_xml_cannot_hold_is_an_export_error_naming_the_stop(fmt):
    trip = Itinerary((Stop(Place("Fine", LatLon(1.0, 2.0), source="manual")),
                      Stop(Place("Bad", LatLon(1.0, 2.0), source="manual"), note="a\ufffeb")))
    with pytest.raises(ExportError, match='stop 2 "Bad", field "note": contains U\\+FFFE'):
        fmt.write(trip)


def test_a_polygon_placemark_is_named_not_dropped():
    data = (b'<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>Area</name>'
            b"<Polygon><outerBoundaryIs><LinearRing><coordinates>0,0 1,0 1,1 0,0</coordinates>"
            b"</LinearRing></outerBoundaryIs></Polygon></Placemark></Document></kml>")
    with pytest.raises(FormatError, match='placemark 1 "Area", field "geometry": "Polygon" is not a Point'):
        kml.read(data)
