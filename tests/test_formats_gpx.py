"""GPX 1.1 export/import: valid against the GPX 1.1 schema, UTC times, safe parsing.

The schema comes from an installed package (``trailer`` ships the GPX 1.1 XSD),
never from the web and never as a committed copy.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.metadata

import pytest
import xmlschema
from hypothesis import HealthCheck, given, settings
from lxml import etree

from trip.errors import FormatError
from trip.formats import gpx
from trip.geo import LatLon
from trip.itinerary import Itinerary, Place, Source, Stop
from trip.samples import load_sample

from strategies import antimeridian_itineraries, itineraries

GPX_NS = {"g": "http://www.topografix.com/GPX/1/1", "trip": gpx.NAMESPACE}


@functools.cache
def gpx_schema() -> xmlschema.XMLSchema:
    # Located through the distribution's file list, so none of trailer's own code runs.
    path = importlib.metadata.distribution("trailer").locate_file(
        "trailer/validators/gpx_1_1/schemas/gpx_1_1.xsd")
    return xmlschema.XMLSchema(str(path))


def assert_valid(data: bytes) -> None:
    gpx_schema().validate(data.decode("utf-8"))


TRIP = Itinerary(
    stops=(
        Stop(Place("Tumangang <& station>", LatLon(42.42, 130.6), source="geonames"),
             date="2023-09-12", note="crossed the <b>bridge</b> & more", mode="train",
             sources=(Source("KCNA", "https://example.org/k?a=1&b=2"),)),
        Stop(Place("An unknown siding"), date="2023-09-12", status="planned"),
        Stop(Place("Nome", LatLon(64.5011, -165.4064), source="airports"), date="2023-09-17",
             time="10:30", timezone="America/Nome", mode="plane"),
    ),
    title="Trip <with> & markup",
    description="Line 1\nLine 2",
    sources=(Source("Reuters"),),
)


def test_sample_trip_is_valid_gpx_1_1():
    assert_valid(gpx.write(load_sample("kim-jong-un-2023-far-east")))


def test_awkward_trip_is_valid_gpx_1_1():
    assert_valid(gpx.write(TRIP))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(itinerary=itineraries())
def test_any_itinerary_is_valid_gpx_1_1(itinerary):
    assert_valid(gpx.write(itinerary))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(itinerary=antimeridian_itineraries())
def test_antimeridian_itinerary_is_valid_gpx_1_1(itinerary):
    assert_valid(gpx.write(itinerary))


def test_waypoints_have_name_description_and_utc_time_ending_in_z():
    root = etree.fromstring(gpx.write(TRIP))
    waypoints = root.findall("g:wpt", GPX_NS)
    assert len(waypoints) == 2  # the unresolved stop has no position
    first, nome = waypoints
    assert first.findtext("g:name", namespaces=GPX_NS) == "Tumangang <& station>"
    assert "crossed the <b>bridge</b> & more" in first.findtext("g:desc", namespaces=GPX_NS)
    assert first.findtext("g:time", namespaces=GPX_NS) == "2023-09-12T00:00:00Z"
    # 10:30 in Nome (AKDT, UTC-8 in September) is 18:30 UTC
    assert nome.findtext("g:time", namespaces=GPX_NS) == "2023-09-17T18:30:00Z"
    assert nome.get("lat") == "64.5011" and nome.get("lon") == "-165.4064"


def test_route_runs_through_the_located_stops():
    root = etree.fromstring(gpx.write(TRIP))
    points = root.findall("g:rte/g:rtept", GPX_NS)
    assert [p.findtext("g:name", namespaces=GPX_NS) for p in points] == ["Tumangang <& station>", "Nome"]


def test_extra_fields_live_in_our_namespace_and_unresolved_stops_in_metadata():
    root = etree.fromstring(gpx.write(TRIP))
    stop = root.find("g:wpt/g:extensions/trip:stop", GPX_NS)
    assert stop.findtext("trip:mode", namespaces=GPX_NS) == "train"
    assert stop.findtext("trip:source/trip:url", namespaces=GPX_NS) == "https://example.org/k?a=1&b=2"
    kept = root.find("g:metadata/g:extensions/trip:itinerary/trip:stop", GPX_NS)
    assert kept.findtext("trip:place", namespaces=GPX_NS) == "An unknown siding"
    assert kept.findtext("trip:index", namespaces=GPX_NS) == "1"
    assert root.find("g:metadata/g:extensions/trip:itinerary/trip:provenance/trip:content_hash",
                     GPX_NS).text.startswith("sha256:")


def test_round_trip_keeps_the_unresolved_stop_in_place():
    assert gpx.read(gpx.write(TRIP)) == TRIP


def test_stop_time_utc_handles_zones_and_missing_parts():
    assert gpx.stop_time_utc(Stop("A")) is None
    assert gpx.stop_time_utc(Stop("A", date="2024-01-01")) == dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    when = gpx.stop_time_utc(Stop("A", date="2024-01-01", time="09:00", timezone="Asia/Vladivostok"))
    assert when == dt.datetime(2023, 12, 31, 23, 0, tzinfo=dt.timezone.utc)


FOREIGN = b"""<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="some app" xmlns="http://www.topografix.com/GPX/1/1">
  <wpt lat="43.1155" lon="131.8855"><time>2023-09-16T06:30:00Z</time><name>Vladivostok</name>
    <desc>Russky Island</desc></wpt>
  <wpt lat="48.4808" lon="135.0928"><name>Khabarovsk</name></wpt>
</gpx>"""


def test_reads_gpx_from_other_tools():
    trip = gpx.read(FOREIGN)
    assert [s.name for s in trip] == ["Vladivostok", "Khabarovsk"]
    first = trip[0]
    assert first.location == LatLon(43.1155, 131.8855)
    assert first.date == dt.date(2023, 9, 16) and first.time == dt.time(6, 30)
    assert first.timezone == "UTC" and first.note == "Russky Island"
    assert trip[1].date is None


def test_reads_route_points_when_there_are_no_waypoints():
    data = b"""<gpx version="1.1" creator="x" xmlns="http://www.topografix.com/GPX/1/1"><rte>
      <rtept lat="1" lon="2"><name>A</name></rtept><rtept lat="3" lon="4"><name>B</name></rtept></rte></gpx>"""
    assert [s.name for s in gpx.read(data)] == ["A", "B"]


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE gpx [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<gpx version="1.1" creator="x" xmlns="http://www.topografix.com/GPX/1/1">
<wpt lat="1" lon="2"><name>&lol9;</name></wpt></gpx>"""


def external_entity(tmp_path) -> bytes:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    return f"""<?xml version="1.0"?>
<!DOCTYPE gpx [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>
<gpx version="1.1" creator="x" xmlns="http://www.topografix.com/GPX/1/1">
<wpt lat="1" lon="2"><name>&xxe;</name></wpt></gpx>""".encode()


def test_billion_laughs_is_refused_not_expanded():
    with pytest.raises(FormatError, match="DOCTYPE"):
        gpx.read(BILLION_LAUGHS, name="bomb.gpx")


def test_external_entity_is_refused_not_fetched(tmp_path):
    with pytest.raises(FormatError, match="DOCTYPE") as info:
        gpx.read(external_entity(tmp_path), name="xxe.gpx")
    assert "TOP-SECRET" not in str(info.value)


@pytest.mark.parametrize(("data", "expected"), [
    (b"<gpx><wpt></gpx>", "is not well-formed XML (line 1"),
    (b"not xml at all", "is not well-formed XML"),
    (b'<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><wpt lat="95" lon="2">'
     b"<name>Pole+</name></wpt></gpx>", 'waypoint 1 "Pole+", field "lat": 95.0 is out of range'),
    (b'<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><wpt lat="x" lon="2"/></gpx>',
     "is not a GPX file"),
    (b'<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1" xmlns:trip="urn:x-trip:itinerary:1">'
     b'<wpt lat="1" lon="2"><name>A</name><extensions><trip:stop><trip:index>0</trip:index>'
     b"<trip:place>A</trip:place><trip:date>2023-02-30</trip:date></trip:stop></extensions></wpt></gpx>",
     'waypoint 1 "A", field "date": "2023-02-30" is not a date (expected YYYY-MM-DD)'),
])
def test_bad_input_is_a_format_error_naming_what_and_where(data, expected):
    with pytest.raises(FormatError) as info:
        gpx.read(data, name="bad.gpx")
    assert expected in str(info.value)


def test_reads_a_latin1_encoded_file():
    data = ('<?xml version="1.0" encoding="ISO-8859-1"?>\n'
            '<gpx version="1.1" creator="x" xmlns="http://www.topografix.com/GPX/1/1">'
            '<wpt lat="47.37" lon="8.54"><name>Zürich</name></wpt></gpx>').encode("latin-1")
    assert gpx.read(data)[0].name == "Zürich"


def test_a_track_only_file_says_why_it_has_no_stops():
    data = (b'<gpx version="1.1" creator="x" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>'
            b'<trkpt lat="1" lon="2"/><trkpt lat="1.1" lon="2.1"/></trkseg></trk></gpx>')
    with pytest.raises(FormatError, match="has only tracks"):
        gpx.read(data, name="walk.gpx")


def test_an_unknown_declared_encoding_is_a_format_error():
    data = b'<?xml version="1.0" encoding="no-such-charset"?><gpx version="1.1" creator="x"/>'
    with pytest.raises(FormatError, match='cannot be decoded \\(unknown encoding: no-such-charset\\)'):
        gpx.read(data, name="odd.gpx")
