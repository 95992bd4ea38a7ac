"""GeoJSON export/import: RFC 7946 rules, every field kept, clear errors for bad input."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings

from trip.errors import FormatError
from trip.formats import geojson, read_itinerary
from trip.geo import LatLon
from trip.itinerary import Itinerary, Place, Source, Stop
from trip.samples import load_sample

from strategies import antimeridian_itineraries, itineraries

STOP_KEYS = {"feature", "index", "place", "lat", "lon", "date", "end_date", "time", "timezone",
             "date_precision", "status", "mode", "note", "sources", "evidence", "country", "kind",
             "place_source", "confidence", "ref"}

CHUKOTKA_ALASKA = Itinerary(
    stops=(
        Stop(Place("Anadyr", LatLon(64.7337, 177.5089), source="airports"), date="2024-07-01"),
        Stop(Place("Nome", LatLon(64.5011, -165.4064), source="airports"), date="2024-07-02", mode="plane"),
        Stop(Place("Somewhere unknown"), date="2024-07-03"),
    ),
    title="Across the date line",
    description="Two hops & one <unknown> stop",
    sources=(Source("Flight log", "https://example.org/log?id=1&x=2"),),
)


def _positions(geometry):
    """Every [lon, lat] position in a geometry."""
    kind, coords = geometry["type"], geometry["coordinates"]
    if kind == "Point":
        return [coords]
    if kind == "LineString":
        return coords
    if kind == "MultiLineString":
        return [p for line in coords for p in line]
    raise AssertionError(f"unexpected geometry {kind}")


def _decimals(x: float) -> int:
    exponent = Decimal(repr(x)).as_tuple().exponent
    return max(0, -exponent)


def check_rfc7946(doc: dict) -> None:
    """The RFC 7946 rules trip promises, asserted on a parsed document."""
    assert doc["type"] == "FeatureCollection"
    assert "crs" not in doc  # removed in RFC 7946 (§4): WGS84 lon/lat only
    assert isinstance(doc["features"], list)
    for feature in doc["features"]:
        assert feature["type"] == "Feature"
        assert "properties" in feature and "geometry" in feature
        geometry = feature["geometry"]
        if geometry is None:
            continue
        for lon, lat in _positions(geometry):
            assert -180 <= lon <= 180 and -90 <= lat <= 90, (lon, lat)
            assert _decimals(lon) <= 7 and _decimals(lat) <= 7, (lon, lat)
        if geometry["type"] == "LineString":
            lines = [geometry["coordinates"]]
        elif geometry["type"] == "MultiLineString":
            lines = geometry["coordinates"]
        else:
            lines = []
        for line in lines:
            assert len(line) >= 2  # §3.1.4
            for (lon1, _), (lon2, _) in zip(line, line[1:]):
                # §3.1.9: no segment may run the long way round across the antimeridian
                assert abs(lon2 - lon1) <= 180, (lon1, lon2)


def test_sample_trip_follows_rfc7946():
    doc = json.loads(geojson.write(load_sample("kim-jong-un-2023-far-east")))
    check_rfc7946(doc)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(itinerary=itineraries())
def test_any_itinerary_follows_rfc7946(itinerary):
    check_rfc7946(json.loads(geojson.write(itinerary)))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(itinerary=antimeridian_itineraries())
def test_antimeridian_trips_follow_rfc7946(itinerary):
    check_rfc7946(json.loads(geojson.write(itinerary)))


def test_point_per_stop_and_line_per_leg_in_lon_lat_order():
    doc = json.loads(geojson.write(CHUKOTKA_ALASKA))
    stops = [f for f in doc["features"] if f["properties"]["feature"] == "stop"]
    legs = [f for f in doc["features"] if f["properties"]["feature"] == "leg"]
    assert len(stops) == 3 and len(legs) == 1
    assert stops[0]["geometry"] == {"type": "Point", "coordinates": [177.5089, 64.7337]}
    assert stops[2]["geometry"] is None  # unresolved: kept, with null geometry (§3.2)
    assert [f["properties"]["index"] for f in stops] == [0, 1, 2]


def test_leg_across_the_antimeridian_is_a_multilinestring_split_at_180():
    doc = json.loads(geojson.write(CHUKOTKA_ALASKA))
    leg = next(f for f in doc["features"] if f["properties"]["feature"] == "leg")
    assert leg["geometry"]["type"] == "MultiLineString"
    west, east = leg["geometry"]["coordinates"]
    assert west[0] == [177.5089, 64.7337] and west[-1][0] == 180.0
    assert east[0][0] == -180.0 and east[-1] == [-165.4064, 64.5011]
    assert west[-1][1] == pytest.approx(east[0][1])  # the same crossing latitude
    assert leg["properties"]["from"] == "Anadyr" and leg["properties"]["to"] == "Nome"
    assert leg["properties"]["distance_km"] == pytest.approx(815, abs=10)


def test_every_stop_field_is_in_properties():
    doc = json.loads(geojson.write(CHUKOTKA_ALASKA))
    for feature in doc["features"]:
        if feature["properties"]["feature"] == "stop":
            assert set(feature["properties"]) == STOP_KEYS


def test_itinerary_fields_and_provenance_sit_in_the_trip_member():
    doc = json.loads(geojson.write(CHUKOTKA_ALASKA))
    member = doc["trip"]
    assert member["title"] == "Across the date line"
    assert member["description"] == "Two hops & one <unknown> stop"
    assert member["sources"] == [{"title": "Flight log", "url": "https://example.org/log?id=1&x=2"}]
    provenance = member["provenance"]
    assert provenance["content_hash"].startswith("sha256:") and len(provenance["content_hash"]) == 71
    assert provenance["exported_at"].endswith("Z")
    assert provenance["gazetteer_version"]


def test_output_is_utf8_without_ascii_escapes():
    trip = Itinerary((Stop(Place("Владивосток", LatLon(43.1155, 131.8855), source="geonames")),))
    data = geojson.write(trip)
    assert "Владивосток".encode("utf-8") in data


def test_reads_foreign_geojson_by_name_property():
    foreign = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [131.8855, 43.1155, 12.0]},
             "properties": {"name": "Vladivostok", "date": "2023-09-16", "description": "port"}},
            {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]},
             "properties": {"name": "a track"}},
        ],
    }
    trip = geojson.read(json.dumps(foreign).encode())
    assert len(trip) == 1
    stop = trip[0]
    assert stop.name == "Vladivostok" and stop.location == LatLon(43.1155, 131.8855)
    assert stop.date.isoformat() == "2023-09-16" and stop.note == "port"


def test_reads_a_single_feature_and_a_bom():
    feature = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [1.5, 2.5]},
               "properties": {"place": "X"}}
    trip = geojson.read(b"\xef\xbb\xbf" + json.dumps(feature).encode())
    assert trip[0].location == LatLon(2.5, 1.5)


def test_stops_come_back_in_index_order():
    doc = json.loads(geojson.write(CHUKOTKA_ALASKA))
    doc["features"].reverse()
    back = geojson.read(json.dumps(doc).encode())
    assert [s.name for s in back] == ["Anadyr", "Nome", "Somewhere unknown"]


def _doc(properties=None, geometry=None):
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"place": "Ok"},
         "geometry": {"type": "Point", "coordinates": [0, 0]}},
        {"type": "Feature", "properties": properties if properties is not None else {"place": "B"},
         "geometry": geometry if geometry is not None else {"type": "Point", "coordinates": [10, 20]}},
    ]}).encode()


@pytest.mark.parametrize(("data", "expected"), [
    (b"{not json", "is not valid JSON (line 1, column 2"),
    (b"\xff\xfe{}", "is not UTF-8 text"),
    (b'{"type": "Topology"}', '"Topology" is not a FeatureCollection or Feature'),
    (_doc(geometry={"type": "Point", "coordinates": [200, 10]}),
     'feature 2, field "lon": 200 is out of range (expected -180 to 180)'),
    (_doc(geometry={"type": "Point", "coordinates": ["x", 10]}),
     'feature 2, field "coordinates": [\'x\', 10] is not a [lon, lat] position'),
    (_doc(geometry={"type": "Polygon", "coordinates": []}),
     'feature 2, field "geometry": "Polygon" is not a Point'),
    (_doc(properties={"place": "B", "date": "2023-13-01"}),
     'feature 2, field "date": "2023-13-01" is not a date (expected YYYY-MM-DD)'),
    (_doc(properties={"place": "B", "mode": "rocket"}),
     'feature 2, field "mode": "rocket" is not one of: unknown, train, car, plane, ship, walk'),
    (_doc(properties={"place": ""}), 'feature 2, field "place": is required'),
    (_doc(properties={"place": "B", "sources": [{"url": "javascript:alert(1)"}]}),
     'feature 2, field "source": "javascript:alert(1)" is not an http or https URL'),
])
def test_bad_input_names_the_feature_field_and_value(data, expected):
    with pytest.raises(FormatError) as info:
        geojson.read(data, name="trip.geojson")
    assert expected in str(info.value)


def test_registry_reads_geojson_by_extension():
    data = geojson.write(CHUKOTKA_ALASKA)
    assert read_itinerary(data, name="x.geo.json") == CHUKOTKA_ALASKA
    assert read_itinerary(data, name="x.geojson") == CHUKOTKA_ALASKA


@pytest.mark.parametrize(("properties", "date", "time", "zone"), [
    ({"name": "A", "time": "2023-09-16T06:30:00Z"}, "2023-09-16", "06:30:00", "UTC"),
    ({"name": "A", "date": "2023-09-16T23:30:00-02:00"}, "2023-09-17", "01:30:00", "UTC"),
    ({"name": "A", "timestamp": "2023-09-16T00:00:00"}, "2023-09-16", None, ""),
])
def test_foreign_timestamps_become_utc_date_and_time(properties, date, time, zone):
    doc = {"type": "Feature", "geometry": None, "properties": properties}
    stop = geojson.read(json.dumps(doc).encode())[0]
    assert stop.date.isoformat() == date
    assert (stop.time.isoformat() if stop.time else None) == time
    assert stop.timezone == zone
