"""Legs between consecutive stops: distance, days, implied speed, plausibility, totals.

A :class:`Route` is derived from an :class:`~trip.itinerary.Itinerary` by
:func:`build_route`; it never changes the itinerary. Stops without coordinates
are skipped (the leg joins the stops on either side) and reported as warnings,
so nothing is dropped silently.

Speeds come from dates, which are usually whole days, so a leg's *elapsed time*
is only known within a range. :attr:`Leg.speed_kmh` is the plain average
(distance over the calendar days between the stops); the plausibility check uses
the most generous reading (the longest time the dates allow) so it warns only
when even that is faster than the mode can go.

>>> from trip.itinerary import Itinerary, Stop, Place
>>> from trip.geo import LatLon
>>> trip = Itinerary((Stop(Place("Tumangang", LatLon(42.42, 130.60)), date="2023-09-12"),
...                   Stop(Place("Vostochny", LatLon(51.88, 128.33)), date="2023-09-13", mode="train")))
>>> route = build_route(trip)
>>> round(route.total_km), route.days, route.legs[0].days
(1066, 2, 1)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from .geo import LatLon, distance_km, great_circle_points, split_antimeridian, to_lonlat
from .itinerary import DatePrecision, Itinerary, Mode, Status, Stop

__all__ = [
    "MAX_SPEED_KMH",
    "Leg",
    "Route",
    "RouteWarning",
    "build_route",
    "leg_path",
]

#: The fastest average speed (km/h, door to door) a mode can plausibly sustain.
#: Generous on purpose: a warning must mean "impossible", not "unusual".
MAX_SPEED_KMH: dict[Mode, float] = {
    Mode.WALK: 8.0,
    Mode.CAR: 130.0,
    Mode.TRAIN: 350.0,
    Mode.SHIP: 70.0,
    Mode.PLANE: 1000.0,
    Mode.UNKNOWN: 1200.0,
}


@dataclass(frozen=True, slots=True)
class RouteWarning:
    """Something about the route a reader should check; ``str()`` is the message.

    ``kind`` is one of ``"unresolved"``, ``"too_fast"``, ``"backwards"``, ``"duplicate"``;
    ``stop`` is the 0-based index of the stop concerned and ``leg`` the 0-based
    index of the leg, when there is one.
    """

    kind: str
    message: str
    stop: int | None = None
    leg: int | None = None

    def __str__(self) -> str:
        return self.message

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "message": self.message, "stop": self.stop, "leg": self.leg}


def leg_path(start: LatLon, end: LatLon, *, step_km: float = 100.0) -> tuple[tuple[LatLon, ...], ...]:
    """The great circle from ``start`` to ``end``, split where it crosses ±180° longitude."""
    return tuple(tuple(part) for part in split_antimeridian(great_circle_points(start, end, step_km=step_km)))


@dataclass(frozen=True, slots=True)
class Leg:
    """The journey from one stop to the next resolved stop.

    ``start`` and ``end`` index the itinerary's stops (0-based); ``mode`` and
    ``status`` are those of the arriving stop, which is how a CSV row describes
    the leg that reached it.
    """

    start: int
    end: int
    origin: LatLon
    destination: LatLon
    distance_km: float
    mode: Mode
    status: Status
    #: calendar days from the last day at the start stop to the arrival date; None if undated
    days: int | None
    #: average speed over the elapsed time (hours from times, else days × 24); None if unknown
    speed_kmh: float | None
    #: the great-circle line, split at the antimeridian: one part, or two when it crosses
    parts: tuple[tuple[LatLon, ...], ...] = field(repr=False, default=())
    plausible: bool = True

    @property
    def crosses_antimeridian(self) -> bool:
        return len(self.parts) > 1

    @property
    def __geo_interface__(self) -> dict[str, Any]:
        coords = [[to_lonlat(p) for p in part] for part in self.parts]
        geometry = ({"type": "LineString", "coordinates": coords[0]} if len(coords) == 1
                    else {"type": "MultiLineString", "coordinates": coords})
        return {
            "type": "Feature",
            "geometry": geometry,
            "properties": {
                "start": self.start, "end": self.end, "mode": self.mode.value,
                "status": self.status.value, "distance_km": round(self.distance_km, 3),
                "days": self.days,
                "speed_kmh": None if self.speed_kmh is None else round(self.speed_kmh, 1),
                "plausible": self.plausible,
            },
        }


@dataclass(frozen=True, slots=True)
class Route:
    """All legs of an itinerary, with totals and warnings."""

    legs: tuple[Leg, ...]
    warnings: tuple[RouteWarning, ...]
    #: number of stops in the itinerary (resolved or not)
    stops: int
    #: stops with coordinates (the ones on the map)
    resolved_stops: int
    start_date: dt.date | None
    end_date: dt.date | None

    @property
    def total_km(self) -> float:
        return sum(leg.distance_km for leg in self.legs)

    @property
    def days(self) -> int | None:
        """Calendar days the trip spans, first and last day included (12–17 Sep is 6)."""
        if self.start_date is None or self.end_date is None:
            return None
        return (self.end_date - self.start_date).days + 1

    @property
    def __geo_interface__(self) -> dict[str, Any]:
        return {"type": "FeatureCollection", "features": [leg.__geo_interface__ for leg in self.legs]}


def _elapsed_hours(a: Stop, b: Stop) -> tuple[float | None, float | None]:
    """(typical, longest possible) hours between leaving ``a`` and arriving at ``b``."""
    leave, arrive = a.last_date, b.date
    if leave is None or arrive is None:
        return None, None
    if DatePrecision.MONTH in (a.date_precision, b.date_precision):
        return None, None
    if (a.time is not None and b.time is not None and bool(a.timezone) == bool(b.timezone)
            and (a.end_date is None or a.end_date == a.date)):
        start = _aware(leave, a.time, a.timezone)
        finish = _aware(arrive, b.time, b.timezone)
        if start is not None and finish is not None:
            hours = (finish - start).total_seconds() / 3600
            return hours, hours
    days = (arrive - leave).days
    slack = 24.0 + 48.0 * sum(s.date_precision is DatePrecision.APPROXIMATE for s in (a, b))
    return days * 24.0, days * 24.0 + slack


def _aware(day: dt.date, time: dt.time, timezone: str) -> dt.datetime | None:
    """A comparable datetime; both ends need a zone, or both none (same local clock)."""
    moment = dt.datetime.combine(day, time)
    if timezone:
        from zoneinfo import ZoneInfo

        return moment.replace(tzinfo=ZoneInfo(timezone)).astimezone(dt.timezone.utc).replace(tzinfo=None)
    return moment


def _label(index: int, stop: Stop) -> str:
    return f'stop {index + 1} "{stop.name}"'


def build_route(itinerary: Itinerary, *, step_km: float = 100.0, geometry: bool = True) -> Route:
    """Legs, totals and warnings for ``itinerary``.

    ``geometry=False`` skips the great-circle lines (``Leg.parts`` is then empty),
    for callers that only need numbers.
    """
    stops = itinerary.stops
    legs: list[Leg] = []
    warnings: list[RouteWarning] = []
    previous: int | None = None
    for i, stop in enumerate(stops):
        if stop.location is None:
            warnings.append(RouteWarning(
                "unresolved", f"{_label(i, stop)} has no coordinates, so the route skips it", stop=i))
            continue
        if previous is None:
            previous = i
            continue
        a, b = stops[previous], stop
        km = distance_km(a.location, b.location)  # type: ignore[arg-type]
        typical_h, longest_h = _elapsed_hours(a, b)
        days = None if a.last_date is None or b.date is None else (b.date - a.last_date).days
        speed = km / typical_h if typical_h and typical_h > 0 else None
        plausible = True
        leg_index = len(legs)
        if (a.place.name.casefold() == b.place.name.casefold() and a.location == b.location
                and a.date == b.date and a.end_date == b.end_date):
            # Kept (it is the user's data), but a stop entered twice is worth a look.
            warnings.append(RouteWarning(
                "duplicate",
                f"{_label(i, b)} repeats {_label(previous, a)} (same place and date); "
                "remove one if it was entered twice",
                stop=i, leg=leg_index))
        if typical_h is not None and typical_h < 0:
            plausible = False
            warnings.append(RouteWarning(
                "backwards",
                f"{_label(i, b)} is dated before {_label(previous, a)} "
                f"({b.date} after {a.last_date}); check the dates or the order",
                stop=i, leg=leg_index))
        elif longest_h is not None and km > 1.0:
            limit = MAX_SPEED_KMH[b.mode]
            needed = km / longest_h if longest_h > 0 else float("inf")
            if needed > limit:
                plausible = False
                how = "by " + b.mode.value if b.mode is not Mode.UNKNOWN else "by any means"
                warnings.append(RouteWarning(
                    "too_fast",
                    f"leg {leg_index + 1} from {_label(previous, a)} to {_label(i, b)}: "
                    f"{km:,.0f} km in at most {longest_h:,.0f} h needs {needed:,.0f} km/h, "
                    f"faster than is plausible {how} (at most {limit:,.0f} km/h)",
                    stop=i, leg=leg_index))
        parts = leg_path(a.location, b.location, step_km=step_km) if geometry else ()  # type: ignore[arg-type]
        legs.append(Leg(
            start=previous, end=i, origin=a.location, destination=b.location,  # type: ignore[arg-type]
            distance_km=km, mode=b.mode, status=b.status, days=days, speed_kmh=speed,
            parts=parts, plausible=plausible,
        ))
        previous = i
    return Route(
        legs=tuple(legs),
        warnings=tuple(warnings),
        stops=len(stops),
        resolved_stops=sum(1 for s in stops if s.location is not None),
        start_date=itinerary.start_date,
        end_date=itinerary.end_date,
    )
