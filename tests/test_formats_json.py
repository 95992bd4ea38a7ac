"""The JSON itinerary: full fidelity, the same validation as CSV, every bad stop reported."""

from __future__ import annotations

import json

import pytest

from trip.errors import FormatError, RowErrors, ValidationError
from trip.formats import json_format, read_itinerary
from trip.geo import LatLon
from trip.itinerary import Itinerary, Place, Source, Stop
from trip.samples import list_samples, load_sample


def read(doc) -> Itinerary:
    return json_format.read(json.dumps(doc).encode("utf-8"), name="trip.json")


@pytest.mark.parametrize("name", list_samples())
def test_samples_round_trip_exactly(name):
    trip = load_sample(name)
    data = json_format.write(trip)
    assert json_format.read(data) == trip
    doc = json.loads(data)
    assert doc["format"] == "trip-itinerary" and doc["version"] == 1
    assert {"place", "lat", "lon", "date"} <= set(doc["stops"][0])


def test_every_field_survives():
    s = Stop(Place("Knevichi", LatLon(43.399, 132.148), source="airports", country="RU", kind="airport",
                   confidence=0.5, ref="iata:VVO"),
             date="2023-09-16", time="11:05:30", timezone="Asia/Vladivostok", date_precision="approximate",
             status="visited", mode="car", note="Tu-160\nKinzhal", evidence="at the airfield",
             sources=(Source("Guardian", "https://www.theguardian.com/"),))
    trip = Itinerary((s,), title="t", description="d", sources=(Source(url="https://example.org/"),))
    assert json_format.read(json_format.write(trip)) == trip


def test_minimal_documents_are_accepted():
    trip = read({"stops": [{"place": "Khasan"}, {"place": "Artyom", "lat": 43.36, "lon": 132.19,
                                                   "source": "A <https://a.example/> | https://b.example/"}]})
    assert trip[0].location is None
    assert trip[1].location == LatLon(43.36, 132.19)
    assert [str(x) for x in trip[1].sources] == ["A <https://a.example/>", "https://b.example/"]
    assert len(read([{"place": "Bare list"}])) == 1


def test_every_bad_stop_is_reported_by_number_and_field():
    with pytest.raises(RowErrors) as info:
        read({"stops": [{"place": "ok"}, {"place": "A", "date": "yesterday"},
                        {"place": "", "lat": "x", "lon": 1}, "not an object"]})
    messages = [str(e) for e in info.value.errors]
    assert messages[0] == 'stop 2, field "date": "yesterday" is not a date (expected YYYY-MM-DD)'
    assert 'stop 3, field "place": is required (every stop needs a place name)' in messages
    assert 'stop 3, field "lat": "x" is not a number' in messages
    assert messages[-1].startswith('stop 4, field "stops": "not an object" is not an object')
    assert info.value.errors[0].row == 2 and info.value.errors[0].field == "date"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"{not json", 'field "file": "trip.json" is not valid JSON'),
        (b"\xff\xfe", 'field "file": "trip.json" is not UTF-8 text'),
        (b'"a string"', 'field "file": "trip.json" is not a JSON object with a "stops" list'),
        (b'{"stops": [{"place": "A", "lat": true, "lon": 1}]}', 'stop 1, field "lat": True is not a number or text'),
        (b'{"stops": [{"place": "A", "sources": [{"url": "javascript:x"}]}]}',
         'stop 1, field "source": "javascript:x" is not an http or https URL'),
    ],
)
def test_broken_documents_are_explained(data, message):
    with pytest.raises(ValidationError) as info:
        json_format.read(data, name="trip.json")
    assert str(info.value).startswith(message)
    assert isinstance(info.value, FormatError)


def test_registry_reads_json_by_extension():
    trip = load_sample("hanoi-beijing-rail")
    assert read_itinerary(json_format.write(trip), name="x.json") == trip
