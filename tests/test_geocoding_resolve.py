"""resolve_itinerary: fill missing coordinates jointly, keep given ones, drop nothing."""

from __future__ import annotations

import datetime as dt

from trip.geo import LatLon, distance_km
from trip.geocoding import GeocodeResult
from trip.geocoding.resolve import resolve_itinerary
from trip.itinerary import Itinerary, Place, Stop


def _trip(*stops: Stop) -> Itinerary:
    return Itinerary(stops, title="test")


def test_fills_places_from_the_gazetteer(offline_geocoder):
    trip = _trip(Stop(Place("Nanning")), Stop(Place("Pingxiang"), mode="train"),
                 Stop(Place("Dong Dang"), mode="train"))
    resolved, warnings = resolve_itinerary(trip, offline_geocoder)
    assert warnings == []
    pingxiang = resolved[1].place
    assert pingxiang.name == "Pingxiang"  # the user's text is kept
    assert pingxiang.source == "geonames" and pingxiang.country == "CN"
    assert pingxiang.kind == "city" and pingxiang.ref.startswith("geonames:")
    assert 0 < pingxiang.confidence <= 1
    assert distance_km(pingxiang.location, LatLon(22.1, 106.76)) < 20
    assert resolved.title == "test"


def test_given_coordinates_stay_and_act_as_context(offline_geocoder):
    given = Place("Start", location=LatLon(22.82, 108.32), source="file")
    trip = _trip(Stop(given), Stop(Place("Pingxiang")))
    resolved, _ = resolve_itinerary(trip, offline_geocoder)
    assert resolved[0].place == given
    assert resolved[1].place.country == "CN"
    assert distance_km(resolved[1].location, LatLon(22.1, 106.76)) < 20


def test_dates_and_modes_come_from_the_stops(geocoder_without_landmarks):
    day = dt.date(2023, 9, 12)
    trip = _trip(Stop(Place("Vladivostok"), date=day), Stop(Place("Khasan"), date=day, mode="train"))
    resolved, warnings = resolve_itinerary(trip, geocoder_without_landmarks)
    assert resolved[1].location is None
    assert len(warnings) == 1 and warnings[0].startswith('stop 2, place "Khasan": not resolved')
    assert "train" in warnings[0]


def test_unresolved_stops_stay_with_a_warning(offline_geocoder):
    trip = _trip(Stop(Place("Vladivostok")), Stop(Place("Qqxxzzv Nowhere"), note="keep me"),
                 Stop(Place("Artyom")), Stop(Place("x" * 250)))
    resolved, warnings = resolve_itinerary(trip, offline_geocoder)
    assert len(resolved) == 4
    assert resolved[1].location is None and resolved[1].note == "keep me"
    assert resolved[3].location is None
    assert resolved[2].place.country == "RU"
    assert any(w.startswith('stop 2, place "Qqxxzzv Nowhere": not resolved') for w in warnings)
    assert any(w.startswith("stop 4, place") and "too long" in w for w in warnings)


def test_fully_located_trip_is_returned_unchanged(offline_geocoder):
    trip = _trip(Stop(Place("A", location=LatLon(1, 2))), Stop(Place("B", location=LatLon(3, 4))))
    resolved, warnings = resolve_itinerary(trip, offline_geocoder)
    assert resolved is trip and warnings == []


class _ProtocolOnly:
    """A geocoder with only the protocol's methods, recording what it was asked."""

    def __init__(self):
        self.calls = []

    def geocode(self, query, *, limit=5):
        raise AssertionError("route resolution must be joint")

    def geocode_route(self, queries, *, dates=None, modes=None, limit=5, fixed=None):
        self.calls.append((list(queries), list(dates), list(modes), list(fixed)))
        return [GeocodeResult(query=q, best=None, reason="fake") for q in queries]


def test_works_with_any_protocol_geocoder():
    fake = _ProtocolOnly()
    trip = _trip(Stop(Place("A", location=LatLon(1, 2))),
                 Stop(Place("B"), date="2024-01-02", mode="plane"))
    resolved, warnings = resolve_itinerary(trip, fake)
    assert fake.calls == [(["A", "B"], [None, dt.date(2024, 1, 2)], ["unknown", "plane"],
                           [LatLon(1, 2), None])]
    assert resolved[0].location == LatLon(1, 2) and resolved[1].location is None
    assert warnings == ['stop 2, place "B": not resolved: fake']


def test_default_geocoder_is_used_when_none_given():
    trip = _trip(Stop(Place("Vladivostok")), Stop(Place("Artyom")))
    resolved, _ = resolve_itinerary(trip)
    assert resolved[1].place.country == "RU"
