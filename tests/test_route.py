"""Legs, distances, days, speeds, plausibility warnings, totals and geometry."""

from __future__ import annotations

import pytest

from trip.geo import LatLon
from trip.itinerary import Itinerary, Mode, Place, Stop
from trip.route import APPROXIMATE_DAYS, MAX_SPEED_KMH, build_route, speed_range_label, travel_window
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


def test_month_precision_allows_the_whole_month():
    # ~10,000 km within September: at most 30 days, so by car (≥ 14 km/h) it is fine ...
    trip = Itinerary((at("A", 0, 0, date="2023-09-01", date_precision="month"),
                      at("B", 0, 90, date="2023-09-01", date_precision="month", mode="car")))
    route = build_route(trip)
    assert route.warnings == ()
    assert (route.legs[0].min_hours, route.legs[0].max_hours) == (0.0, 30 * 24.0)
    assert route.legs[0].speed_max_kmh is None  # open-ended: both may be the same day


def test_month_precision_still_rules_out_the_impossible():
    # ... but walking it would need 14 km/h for the whole month.
    trip = Itinerary((at("A", 0, 0, date="2023-09-01", date_precision="month"),
                      at("B", 0, 90, date="2023-09-01", date_precision="month", mode="walk")))
    (warning,) = build_route(trip).warnings
    assert warning.kind == "too_fast" and "at most 720.0 h" in warning.message


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


D = "2023-09-10"


@pytest.mark.parametrize("a, b, window", [
    # day precision, no times: a gap of n days is n−1 to n+1 days
    ({"date": D}, {"date": "2023-09-12"}, (24.0, 72.0)),
    ({"date": D}, {"date": "2023-09-11"}, (0.0, 48.0)),
    ({"date": D}, {"date": D}, (0.0, 24.0)),                                 # same day
    # a stay: the leg starts on the stay's last day
    ({"date": "2023-09-01", "end_date": D}, {"date": "2023-09-12"}, (24.0, 72.0)),
    # a stay's time is its arrival, so it does not pin the departure
    ({"date": "2023-09-01", "end_date": D, "time": "08:00"}, {"date": "2023-09-12"}, (24.0, 72.0)),
    # an arrival time at the far end narrows the latest arrival
    ({"date": D}, {"date": "2023-09-12", "time": "06:00"}, (30.0, 54.0)),
    # a time at a stop on the way is its arrival; it left then or later that day ...
    ({"date": D, "time": "20:00"}, {"date": "2023-09-11"}, (0.0, 28.0)),
    # ... but the first stop's time is its departure
    ({"date": D, "time": "20:00", "first": True}, {"date": "2023-09-11"}, (4.0, 28.0)),
    # approximate dates: each end ±APPROXIMATE_DAYS days
    ({"date": D, "date_precision": "approximate"}, {"date": "2023-09-12"}, (0.0, 120.0)),
    ({"date": D, "date_precision": "approximate"},
     {"date": "2023-09-20", "date_precision": "approximate"}, (120.0, 360.0)),
    # month precision: the whole month (or months) at that end
    ({"date": "2023-09-01", "date_precision": "month"}, {"date": "2023-10-05"}, (96.0, 840.0)),
    ({"date": "2023-02-01", "date_precision": "month"},
     {"date": "2023-03-01", "date_precision": "month"}, (0.0, 59 * 24.0)),
    # time zones without times: each date is a day in its own zone
    ({"date": D, "timezone": "Asia/Pyongyang"}, {"date": "2023-09-12", "timezone": "Asia/Vladivostok"},
     (23.0, 71.0)),
    # times and zones at both ends: exact
    ({"date": D, "time": "18:00", "timezone": "Europe/Berlin", "first": True},
     {"date": "2023-09-11", "time": "07:30", "timezone": "Europe/Moscow"}, (12.5, 12.5)),
    # one end without a zone: both read on one wall clock, like plain dates
    ({"date": D, "time": "18:00", "timezone": "Europe/Berlin", "first": True},
     {"date": "2023-09-11", "time": "07:30"}, (13.5, 13.5)),
    # undated at either end: unknown
    ({}, {"date": D}, None),
    ({"date": D}, {}, None),
])
def test_travel_window_table(a, b, window):
    a = dict(a)
    first = a.pop("first", False)
    assert travel_window(Stop("A", **a), Stop("B", **b), a_is_first=first) == window


def test_speed_range_follows_the_window():
    # Pyongyang → Khasan: 559 km, 10 → 12 September in two zones. The old single
    # figure (12 km/h over exactly 48 h) is one reading; the dates allow 23–71 h.
    leg = build_route(load_sample("kim-jong-un-2023-far-east")).legs[0]
    assert leg.days == 2 and leg.distance_km == pytest.approx(559, abs=3)
    assert (leg.min_hours, leg.max_hours) == (23.0, 71.0)
    assert leg.speed_min_kmh == pytest.approx(leg.distance_km / 71)
    assert leg.speed_max_kmh == pytest.approx(leg.distance_km / 23)
    assert leg.speed_label() == "7.9–24" and not leg.exact


def test_same_day_leg_is_open_ended():
    trip = Itinerary((at("Artyom", 43.3583, 132.1872, date="2023-09-16"),
                      at("Knevichi", 43.3990, 132.1480, date="2023-09-16", mode="car")))
    leg = build_route(trip).legs[0]
    assert (leg.min_hours, leg.max_hours) == (0.0, 24.0)
    assert leg.speed_max_kmh is None and leg.speed_min_kmh == pytest.approx(leg.distance_km / 24)
    assert leg.speed_label().startswith("≥ ")


def test_dateline_sample_times_across_zones():
    first, second = build_route(load_sample("tokyo-honolulu-los-angeles")).legs
    # 21:50 JST on 1 June to 09:40 HST on 1 June: exactly 6 h 50 min.
    assert first.exact and first.min_hours == pytest.approx(6 + 50 / 60)
    assert first.speed_min_kmh == pytest.approx(first.speed_max_kmh)
    assert first.speed_label() == f"{first.distance_km / (6 + 50 / 60):,.0f}"
    # The Honolulu stay ends some time on 4 June (HST); LA is reached at 21:30 PDT
    # that day = 04:30 UTC on the 5th; the 4th in Honolulu runs 10:00–10:00 UTC.
    assert (second.min_hours, second.max_hours) == (0.0, 18.5)
    assert second.speed_max_kmh is None and second.speed_label() == f"≥ {second.distance_km / 18.5:,.0f}"


def test_the_same_dateline_flight_by_plain_dates_is_not_backwards():
    # Dated only, the flight "lands the day before": in their own zones the two
    # days overlap, so it is a possible leg, not an error in the order.
    trip = Itinerary((at("Tokyo", 35.55, 139.78, date="2025-06-02", timezone="Asia/Tokyo"),
                      at("Honolulu", 21.32, -157.92, date="2025-06-01", timezone="Pacific/Honolulu",
                         mode="plane")))
    route = build_route(trip)
    assert route.warnings == () and route.legs[0].max_hours == 19.0


def test_fast_looking_leg_is_not_flagged():
    # 1,066 km from the 12th to the 13th reads as 44 km/h over 24 h; the dates
    # allow 0–48 h, so by car it needs at least 22 km/h: possible, not flagged.
    trip = Itinerary((at("Khasan", 42.4283, 130.6436, date="2023-09-12"),
                      at("Vostochny", 51.8844, 128.3339, date="2023-09-13", mode="car")))
    route = build_route(trip)
    assert route.warnings == () and route.legs[0].plausible
    # Same-day 600 km by car: up to 24 h would need only 25 km/h; the upper end is open.
    trip = Itinerary((at("A", 0, 0, date=D), at("B", 0, 5.4, date=D, mode="car")))
    route = build_route(trip)
    assert route.warnings == () and route.legs[0].speed_max_kmh is None


def test_truly_impossible_leg_names_the_lowest_speed():
    # Exact times: 10:00 to 11:00 UTC between Paris and Moscow (2,490 km) by train.
    trip = Itinerary((at("Paris", 48.8566, 2.3522, date=D, time="12:00", timezone="Europe/Paris"),
                      at("Moscow", 55.7558, 37.6173, date=D, time="14:00", timezone="Europe/Moscow",
                         mode="train")))
    route = build_route(trip)
    (warning,) = route.warnings
    assert warning.kind == "too_fast" and not route.legs[0].plausible
    assert "in at most 1.0 h needs at least 2,4" in warning.message
    assert "at most 350 km/h" in warning.message and "even at the lowest speed" in warning.message
    # With day precision the same trip is only "fast": up to 24 h, 104 km/h, is fine by train.
    loose = Itinerary(tuple(s.replace(time=None) for s in trip.stops))
    assert build_route(loose).warnings == ()


def test_approximate_dates_widen_the_check():
    assert APPROXIMATE_DAYS == 2
    # 3,000 km walked from the 10th to the 11th: at least 63 km/h over 48 h, flagged;
    # "about the 10th" lets the departure be two days earlier: 96 h at most.
    trip = Itinerary((at("A", 0, 0, date=D), at("B", 0, 27, date="2023-09-11", mode="walk")))
    assert [w.kind for w in build_route(trip).warnings] == ["too_fast"]
    approx = Itinerary((at("A", 0, 0, date=D, date_precision="approximate"),
                        at("B", 0, 27, date="2023-09-11", mode="walk")))
    leg = build_route(approx).legs[0]
    assert leg.max_hours == 48.0 + 48.0 and leg.min_hours == 0.0


@pytest.mark.parametrize("low, high, text", [
    (7.87, 24.3, "7.9–24"), (22.2, None, "≥ 22"), (907.4, 907.6, "907–908"), (900.1, 900.4, "900"),
    (None, None, ""), (float("inf"), None, "∞"), (1234.5, 5678.9, "1,234–5,679"),
])
def test_speed_range_label(low, high, text):
    assert speed_range_label(low, high) == text


def test_geo_interface_keeps_old_fields_and_adds_the_range():
    props = build_route(load_sample("kim-jong-un-2023-far-east")).legs[0].__geo_interface__["properties"]
    assert props["days"] == 2 and props["speed_kmh"] == pytest.approx(559 / 48, abs=0.2)
    assert props["min_hours"] == 23.0 and props["max_hours"] == 71.0
    assert props["speed_range"] == "7.9–24" and props["speed_max_kmh"] == pytest.approx(559 / 23, abs=0.3)


def test_docstring_examples_run():
    import doctest

    import trip.route

    result = doctest.testmod(trip.route)
    assert result.failed == 0 and result.attempted >= 3
