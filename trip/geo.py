"""Coordinates, distances and great-circle lines: pure functions, no I/O.

The domain keeps one coordinate order, (lat, lon), as geopy and folium do.
GeoJSON's [lon, lat] exists only in :func:`to_lonlat` and :func:`from_lonlat`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Sequence

from geopy.distance import geodesic

from .errors import ValidationError

__all__ = [
    "LatLon",
    "distance_km",
    "great_circle_points",
    "split_antimeridian",
    "to_lonlat",
    "from_lonlat",
    "COORD_DECIMALS",
]

#: 7 decimals is about 1 cm: more is noise, and RFC 7946 advises against it.
COORD_DECIMALS = 7


def _check_coord(value: object, name: str, bound: float) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValidationError("is not a number", field=name, value=value) from None
    if not math.isfinite(number):
        raise ValidationError("is not a finite number", field=name, value=value)
    if not -bound <= number <= bound:
        raise ValidationError(
            f"is out of range (expected -{bound:g} to {bound:g})", field=name, value=value
        )
    return number


@dataclass(frozen=True, slots=True)
class LatLon:
    """A point on the WGS84 ellipsoid, latitude first, in degrees."""

    lat: float
    lon: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "lat", _check_coord(self.lat, "lat", 90))
        object.__setattr__(self, "lon", _check_coord(self.lon, "lon", 180))

    def __iter__(self):
        yield self.lat
        yield self.lon

    @property
    def __geo_interface__(self) -> dict:
        return {"type": "Point", "coordinates": to_lonlat(self)}


def to_lonlat(point: LatLon) -> list[float]:
    """The GeoJSON position of ``point``: [lon, lat], rounded to 7 decimals."""
    return [round(point.lon, COORD_DECIMALS), round(point.lat, COORD_DECIMALS)]


def from_lonlat(position: Sequence[float]) -> LatLon:
    """A :class:`LatLon` from a GeoJSON position [lon, lat(, alt)]."""
    if len(position) < 2:
        raise ValidationError("is not a [lon, lat] position", field="coordinates", value=position)
    return LatLon(position[1], position[0])


def distance_km(a: LatLon, b: LatLon) -> float:
    """Geodesic (WGS84) distance between two points, in kilometres."""
    return geodesic((a.lat, a.lon), (b.lat, b.lon)).km


def _to_vector(p: LatLon) -> tuple[float, float, float]:
    lat, lon = math.radians(p.lat), math.radians(p.lon)
    return (math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat))


def great_circle_points(a: LatLon, b: LatLon, *, step_km: float = 100.0, max_points: int = 256) -> list[LatLon]:
    """Points along the great circle from ``a`` to ``b`` (both ends included).

    Longitudes stay in [-180, 180]; use :func:`split_antimeridian` before drawing.
    Short legs return just the two ends.
    """
    va, vb = _to_vector(a), _to_vector(b)
    dot = max(-1.0, min(1.0, va[0] * vb[0] + va[1] * vb[1] + va[2] * vb[2]))
    omega = math.acos(dot)
    length_km = omega * 6371.0088
    n = min(max_points, max(1, int(length_km // step_km)))
    if n <= 1 or omega < 1e-9 or math.isclose(omega, math.pi):
        return [a, b]
    sin_omega = math.sin(omega)
    points = [a]
    for i in range(1, n):
        t = i / n
        k1 = math.sin((1 - t) * omega) / sin_omega
        k2 = math.sin(t * omega) / sin_omega
        x, y, z = (k1 * p + k2 * q for p, q in zip(va, vb))
        lat = math.degrees(math.atan2(z, math.hypot(x, y)))
        lon = math.degrees(math.atan2(y, x))
        points.append(LatLon(lat, lon))
    points.append(b)
    return points


def split_antimeridian(points: Iterable[LatLon]) -> list[list[LatLon]]:
    """Split a line where it crosses the 180th meridian.

    Each crossing ends one part at ±180 and starts the next at ∓180, with the
    latitude interpolated, so no segment is drawn the long way round the world.
    """
    parts: list[list[LatLon]] = [[]]
    previous: LatLon | None = None
    for point in points:
        if previous is not None and abs(point.lon - previous.lon) > 180:
            edge = 180.0 if previous.lon > 0 else -180.0
            lon_prev = previous.lon
            lon_next = point.lon + (360.0 if edge > 0 else -360.0)
            span = lon_next - lon_prev
            t = (edge - lon_prev) / span if span else 0.5
            lat = previous.lat + t * (point.lat - previous.lat)
            parts[-1].append(LatLon(lat, edge))
            parts.append([LatLon(lat, -edge)])
        parts[-1].append(point)
        previous = point
    return [part for part in parts if part]
