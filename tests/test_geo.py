"""LatLon validation, geodesic distances, great circles and the antimeridian split."""

from __future__ import annotations

import math

import pytest

from trip.errors import ValidationError
from trip.geo import LatLon, distance_km, from_lonlat, great_circle_points, split_antimeridian, to_lonlat


@pytest.mark.parametrize(
    ("lat", "lon", "message"),
    [
        (91, 0, 'field "lat": 91 is out of range (expected -90 to 90)'),
        (0, -180.5, 'field "lon": -180.5 is out of range (expected -180 to 180)'),
        ("north", 0, 'field "lat": "north" is not a number'),
        (float("nan"), 0, 'field "lat": nan is not a finite number'),
    ],
)
def test_latlon_rejects_bad_values_and_names_them(lat, lon, message):
    with pytest.raises(ValidationError) as info:
        LatLon(lat, lon)
    assert str(info.value) == message


def test_latlon_is_lat_first_and_geojson_is_lon_first():
    p = LatLon("43.1155", 131.8855)
    assert tuple(p) == (43.1155, 131.8855)
    assert to_lonlat(p) == [131.8855, 43.1155]
    assert p.__geo_interface__ == {"type": "Point", "coordinates": [131.8855, 43.1155]}
    assert from_lonlat([131.8855, 43.1155, 12.0]) == p


@pytest.mark.parametrize(
    ("a", "b", "km", "tolerance"),
    [
        # geopy's documented example: Newport, RI to Cleveland, OH is 538.39 miles.
        (LatLon(41.49008, -71.312796), LatLon(41.499498, -81.695391), 538.390 * 1.609344, 0.01),
        # One degree of longitude on the equator of WGS84 is 111.3195 km.
        (LatLon(0, 0), LatLon(0, 1), 111.3195, 0.001),
        # Pyongyang to Vladivostok, about 695 km as the crow flies.
        (LatLon(39.0339, 125.7543), LatLon(43.1155, 131.8855), 695.0, 10.0),
        (LatLon(10, 20), LatLon(10, 20), 0.0, 1e-9),
    ],
)
def test_distance_km_matches_known_values(a, b, km, tolerance):
    assert distance_km(a, b) == pytest.approx(km, abs=tolerance)


def test_great_circle_points_include_both_ends_and_step():
    a, b = LatLon(35.5523, 139.7798), LatLon(21.3187, -157.9225)
    points = great_circle_points(a, b, step_km=200)
    assert points[0] == a and points[-1] == b
    assert 25 <= len(points) <= 40
    # Consecutive points are about step_km apart.
    gaps = [distance_km(p, q) for p, q in zip(points, points[1:])]
    assert max(gaps) < 260


def test_short_legs_are_straight():
    a, b = LatLon(43.35, 132.18), LatLon(43.39, 132.14)
    assert great_circle_points(a, b) == [a, b]


def test_split_antimeridian_cuts_a_pacific_crossing_into_two_parts():
    path = great_circle_points(LatLon(35.5523, 139.7798), LatLon(21.3187, -157.9225))
    parts = split_antimeridian(path)
    assert len(parts) == 2
    west, east = parts
    assert west[-1].lon == 180.0 and east[0].lon == -180.0
    assert west[-1].lat == pytest.approx(east[0].lat)
    for part in parts:
        assert all(abs(p.lon - q.lon) < 180 for p, q in zip(part, part[1:]))


def test_split_antimeridian_leaves_other_lines_whole():
    line = [LatLon(0, 170), LatLon(0, 175), LatLon(0, 179)]
    assert split_antimeridian(line) == [line]


def test_split_interpolates_latitude_at_the_crossing():
    parts = split_antimeridian([LatLon(10, 170), LatLon(20, -170)])
    assert parts[0][-1].lat == pytest.approx(15.0)
    assert math.isclose(parts[1][0].lon, -180.0)
