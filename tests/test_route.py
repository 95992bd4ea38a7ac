"""Legs, distances, days, speeds, plausibility warnings, totals and geometry."""

from __future__ import annotations

import pytest

from trip.geo import LatLon
from trip.itinerary import Itinerary, Mode, Place, Stop
from trip.route import MAX_SPEED_KMH, build_route
from trip.samples import load_sample


def at(name: str, lat: float, lon: float, **kw) -> Stop:
    return Stop(Place(name, LatLon(lat, lon)), **kw)


def test_kim_sample_legs_and_totals():
    route = build_route(load_sample("kim-jong-un-2023-far-east"))
    assert route.stops == 7 and route.resolved_stops == 7
    assert len(route.legs) == 6
    khasan_to_vostochny = route.legs[1]
    assert (khasan_to_vostochny.start, khasan_to_vostochny.end) == (1, 2)
    assert khasan_to_vostochny.mode is Mode.TRAIN
    assert khasan_to_vostochny.distance_km == pytest.approx(1066, abs=5)
    assert khasan_to_vostochny.days == 1
    assert khasan_to_vostochny.speed_kmh == pytest.approx(1066 / 24, rel=0.01)
    assert route.total_km == pytest.approx(3171, abs=10)
    assert route.days == 8  # 10 to 17 September, both days counted
    assert route.warnings == ()


def test_impossible_leg_is_flagged_with_the_numbers():
    trip = Itinerary((at("Vladivostok", 43.1155, 131.8855, date="2023-09-16"),
                      at("Moscow", 55.7558, 37.6173, date="2023-09-16", mode="car")))
    route = build_route(trip)
    assert not route.legs[0].plausible
    (warning,) = route.warnings
    assert warning.kind == "too_fast" and warning.leg == 0 and warning.stop == 1
    assert "by car" in warning.message and "at most 130 km/h" in warning.message
    assert "6,4" in warning.message  # the ~6,400 km distance is shown


def test_the_same_leg_by_plane_is_plausible():
    trip = Itinerary((at("Vladivostok", 43.1155, 131.8855, date="2023-09-16"),
                      at("Moscow", 55.7558, 37.6173, date="2023-09-16", mode="plane")))
    assert build_route(trip).warnings == ()


def test_times_and_zones_give_exact_hours():
    trip = load_sample("tokyo-honolulu-los-angeles")
    leg = build_route(trip).legs[0]
    # 21:50 in Tokyo to 09:40 the same date in Honolulu is 6 h 50 min.
    assert leg.days == 0
    assert leg.speed_kmh == pytest.approx(leg.distance_km / (6 + 50 / 60), rel=1e-6)
    assert leg.crosses_antimeridian and len(leg.parts) == 2


def test_dates_going_backwards_are_flagged():
    trip = Itinerary((at("A", 0, 0, date="2023-09-16"), at("B", 0, 1, date="2023-09-10")))
    (warning,) = build_route(trip).warnings
    assert warning.kind == "backwards" and "check the dates or the order" in warning.message


def test_month_precision_is_never_called_too_fast():
    trip = Itinerary((at("A", 0, 0, date="2023-09-01", date_precision="month"),
                      at("B", 0, 90, date="2023-09-01", date_precision="month", mode="walk")))
    assert build_route(trip).warnings == ()


def test_unresolved_stops_are_skipped_and_reported():
    trip = Itinerary((at("A", 0, 0), Stop("Somewhere"), at("B", 0, 1)))
    route = build_route(trip)
    assert [(leg.start, leg.end) for leg in route.legs] == [(0, 2)]
    (warning,) = route.warnings
    assert warning.kind == "unresolved" and warning.stop == 1 and '"Somewhere"' in warning.message


def test_geo_interface_is_a_feature_collection_in_lon_lat():
    route = build_route(load_sample("tokyo-honolulu-los-angeles"))
    gi = route.__geo_interface__
    assert gi["type"] == "FeatureCollection" and len(gi["features"]) == 2
    first = gi["features"][0]
    assert first["geometry"]["type"] == "MultiLineString"
    assert first["geometry"]["coordinates"][0][0] == [139.7798, 35.5523]
    assert first["properties"]["mode"] == "plane"
    assert gi["features"][1]["geometry"]["type"] == "LineString"


def test_every_mode_has_a_speed_limit():
    assert set(MAX_SPEED_KMH) == set(Mode)


def test_geometry_can_be_skipped():
    route = build_route(load_sample("hanoi-beijing-rail"), geometry=False)
    assert all(leg.parts == () for leg in route.legs)
    assert route.total_km > 2000
