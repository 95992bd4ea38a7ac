"""Legs between consecutive stops: distance, days, implied speed, plausibility, totals.

A :class:`Route` is derived from an :class:`~trip.itinerary.Itinerary` by
:func:`build_route`; it never changes the itinerary. Stops without coordinates
are skipped (the leg joins the stops on either side) and reported as warnings,
so nothing is dropped silently.

Speeds come from dates, which are usually whole days, so a leg's travel time
is only known within a window: :attr:`Leg.min_hours` to :attr:`Leg.max_hours`.
Each end of a leg is an interval of possible moments (see :func:`travel_window`):
a day-precision date is that whole day, so a gap of *n* days allows between
*n − 1* and *n + 1* days of travel (0 to 1 day on the same date); a time with a
time zone at both ends makes it exact; approximate dates widen each end by
:data:`APPROXIMATE_DAYS` days either side and month-precision dates by the whole
month. The window gives a speed range (:attr:`Leg.speed_min_kmh` to
:attr:`Leg.speed_max_kmh`, open-ended when the shortest time can be zero), and
a leg is flagged only when even the lowest speed in it exceeds the mode's
:data:`MAX_SPEED_KMH`. :attr:`Leg.speed_kmh` (distance over the calendar days, or
the exact hours) is kept for compatibility; it is one reading, not a fact.

>>> from trip.itinerary import Itinerary, Stop, Place
>>> from trip.geo import LatLon
>>> trip = Itinerary((Stop(Place("Tumangang", LatLon(42.42, 130.60)), date="2023-09-12"),
...                   Stop(Place("Vostochny", LatLon(51.88, 128.33)), date="2023-09-13", mode="train")))
>>> route = build_route(trip)
>>> round(route.total_km), route.days, route.legs[0].days
(1066, 2, 1)
>>> leg = route.legs[0]
>>> leg.min_hours, leg.max_hours, leg.speed_label()
(0.0, 48.0, '≥ 22')
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from .geo import LatLon, distance_km, great_circle_points, split_antimeridian, to_lonlat
from .itinerary import DatePrecision, Itinerary, Mode, Status, Stop

__all__ = [
    "APPROXIMATE_DAYS",
    "MAX_SPEED_KMH",
    "Leg",
    "Route",
    "RouteWarning",
    "build_route",
    "leg_path",
    "leg_range_fields",
    "speed_range_label",
    "travel_window",
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

#: How many days either side of an ``approximate`` date the true day may lie.
APPROXIMATE_DAYS = 2


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
    #: one reading of the speed (exact hours from times, else days × 24); None if unknown.
    #: Kept for compatibility: the honest figure is the range speed_min_kmh–speed_max_kmh.
    speed_kmh: float | None
    #: the great-circle line, split at the antimeridian: one part, or two when it crosses
    parts: tuple[tuple[LatLon, ...], ...] = field(repr=False, default=())
    plausible: bool = True
    #: the shortest and longest travel time (hours) the dates and times allow; None if undated
    min_hours: float | None = None
    max_hours: float | None = None

    @property
    def crosses_antimeridian(self) -> bool:
        return len(self.parts) > 1

    @property
    def exact(self) -> bool:
        """True when times and zones pin the travel time down (min_hours == max_hours)."""
        return self.min_hours is not None and self.min_hours == self.max_hours

    @property
    def speed_min_kmh(self) -> float | None:
        """The lowest speed the window allows (distance over the longest time); None if unknown.

        ``inf`` when even the longest time is zero but the stops are apart.
        """
        if self.max_hours is None or self.max_hours < 0:
            return None
        if self.max_hours == 0:
            return float("inf") if self.distance_km > 0 else 0.0
        return self.distance_km / self.max_hours

    @property
    def speed_max_kmh(self) -> float | None:
        """The highest speed the window allows; None if unknown *or* open-ended (shortest time 0)."""
        if self.min_hours is None or self.min_hours <= 0 or self.max_hours is None or self.max_hours < 0:
            return None
        return self.distance_km / self.min_hours

    def speed_label(self) -> str:
        """The speed range as a reader should see it: ``8–24``, ``≥ 22``, ``45`` (exact) or ``""``."""
        return speed_range_label(self.speed_min_kmh, self.speed_max_kmh)

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
                **leg_range_fields(self),
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


def _number(value: float) -> str:
    return f"{value:,.1f}" if value < 10 else f"{value:,.0f}"


def speed_range_label(low: float | None, high: float | None) -> str:
    """``8–24`` (km/h), ``≥ 22`` when open-ended, one number when both ends agree, ``""`` if unknown.

    >>> speed_range_label(7.87, 24.3), speed_range_label(22.2, None), speed_range_label(900, 900.4)
    ('7.9–24', '≥ 22', '900')
    """
    if low is None:
        return ""
    if low == float("inf"):
        return "∞"
    if high is None:
        return f"≥ {_number(low)}"
    a, b = _number(low), _number(high)
    return a if a == b else f"{a}–{b}"


def leg_range_fields(leg: Leg) -> dict[str, Any]:
    """The window and speed range as JSON-ready fields (shared by GeoJSON and ``show --json``)."""

    def r(value: float | None) -> float | None:
        return None if value is None or value == float("inf") else round(value, 1)

    return {"min_hours": r(leg.min_hours), "max_hours": r(leg.max_hours),
            "speed_min_kmh": r(leg.speed_min_kmh), "speed_max_kmh": r(leg.speed_max_kmh),
            "speed_range": leg.speed_label()}


_DAY = dt.timedelta(days=1)


def _moments(stop: Stop, *, leaving: bool, departs_at_time: bool) -> tuple[dt.datetime, dt.datetime] | None:
    """The earliest and latest wall-clock moment of arriving at (or leaving) ``stop``.

    A stop's time is when the traveller was there: the departure for the first
    stop, else the arrival, so leaving a stop that has a time (and no stay) can
    happen any time from then to midnight.
    """
    day = stop.last_date if leaving else stop.date
    if day is None:
        return None
    midnight = dt.datetime.combine(day, dt.time())
    if stop.date_precision is DatePrecision.MONTH:
        first = midnight.replace(day=1)
        return first, (first + dt.timedelta(days=32)).replace(day=1)
    if stop.date_precision is DatePrecision.APPROXIMATE:
        return midnight - APPROXIMATE_DAYS * _DAY, midnight + (APPROXIMATE_DAYS + 1) * _DAY
    if stop.time is None or (leaving and stop.end_date not in (None, stop.date)):
        return midnight, midnight + _DAY  # a stay's time is its arrival, not the day it ends
    at = dt.datetime.combine(day, stop.time)
    if leaving and not departs_at_time:
        return at, midnight + _DAY
    return at, at


def _to_utc(moment: dt.datetime, timezone: str) -> dt.datetime:
    from zoneinfo import ZoneInfo

    return moment.replace(tzinfo=ZoneInfo(timezone)).astimezone(dt.timezone.utc).replace(tzinfo=None)


def travel_window(a: Stop, b: Stop, *, a_is_first: bool = False) -> tuple[float, float] | None:
    """(shortest, longest) hours between leaving ``a`` and arriving at ``b``; None if either is undated.

    Times are compared in UTC when both stops have a time zone, else on one
    wall clock (the same assumption plain dates make). The shortest time is
    never below zero; the longest is negative when ``b`` is certainly dated
    before ``a``. ``a_is_first`` reads ``a``'s time as a departure.

    >>> from trip.itinerary import Stop
    >>> travel_window(Stop("A", date="2023-09-10"), Stop("B", date="2023-09-12"))
    (24.0, 72.0)
    >>> travel_window(Stop("A", date="2023-09-10", date_precision="month"), Stop("B", date="2023-09-12"))
    (0.0, 288.0)
    """
    window = _raw_window(a, b, a_is_first=a_is_first)
    return None if window is None else (max(window[0], 0.0), window[1])


def _raw_window(a: Stop, b: Stop, *, a_is_first: bool) -> tuple[float, float] | None:
    """Like :func:`travel_window` but the shortest time may be negative (overlapping ends)."""
    leave = _moments(a, leaving=True, departs_at_time=a_is_first)
    arrive = _moments(b, leaving=False, departs_at_time=False)
    if leave is None or arrive is None:
        return None
    if a.timezone and b.timezone:
        leave = (_to_utc(leave[0], a.timezone), _to_utc(leave[1], a.timezone))
        arrive = (_to_utc(arrive[0], b.timezone), _to_utc(arrive[1], b.timezone))
    return ((arrive[0] - leave[1]).total_seconds() / 3600,
            (arrive[1] - leave[0]).total_seconds() / 3600)


def _nominal_hours(a: Stop, b: Stop) -> float | None:
    """The one-number reading ``speed_kmh`` has always used: exact hours, else days × 24."""
    leave, arrive = a.last_date, b.date
    if leave is None or arrive is None or DatePrecision.MONTH in (a.date_precision, b.date_precision):
        return None
    if (a.time is not None and b.time is not None and bool(a.timezone) == bool(b.timezone)
            and (a.end_date is None or a.end_date == a.date)):
        start, finish = dt.datetime.combine(leave, a.time), dt.datetime.combine(arrive, b.time)
        if a.timezone:
            start, finish = _to_utc(start, a.timezone), _to_utc(finish, b.timezone)
        return (finish - start).total_seconds() / 3600
    return (arrive - leave).days * 24.0


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
        nominal_h = _nominal_hours(a, b)
        window = _raw_window(a, b, a_is_first=previous == 0)
        days = None if a.last_date is None or b.date is None else (b.date - a.last_date).days
        speed = km / nominal_h if nominal_h and nominal_h > 0 else None
        min_h = max_h = None
        if window is not None:
            min_h, max_h = max(window[0], 0.0), window[1]
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
        # Backwards: no reading of the dates puts the arrival after the departure
        # (an arrival window ending exactly where the departure window starts counts).
        if window is not None and (window[1] < 0 or (window[1] == 0 and window[0] < 0)):
            plausible = False
            warnings.append(RouteWarning(
                "backwards",
                f"{_label(i, b)} is dated before {_label(previous, a)} "
                f"({b.date_label()} after {a.date_label()}); check the dates or the order",
                stop=i, leg=leg_index))
        elif max_h is not None and km > 1.0:
            limit = MAX_SPEED_KMH[b.mode]
            low = km / max_h if max_h > 0 else float("inf")
            if low > limit:
                plausible = False
                how = "by " + b.mode.value if b.mode is not Mode.UNKNOWN else "by any means"
                label = speed_range_label(low, km / min_h if min_h else None)
                warnings.append(RouteWarning(
                    "too_fast",
                    f"leg {leg_index + 1} from {_label(previous, a)} to {_label(i, b)}: "
                    f"{km:,.0f} km in at most {max_h:,.1f} h needs at least {_number(low)} km/h "
                    f"(the dates allow {label} km/h), faster than is plausible {how} "
                    f"(at most {limit:,.0f} km/h) even at the lowest speed",
                    stop=i, leg=leg_index))
        parts = leg_path(a.location, b.location, step_km=step_km) if geometry else ()  # type: ignore[arg-type]
        legs.append(Leg(
            start=previous, end=i, origin=a.location, destination=b.location,  # type: ignore[arg-type]
            distance_km=km, mode=b.mode, status=b.status, days=days, speed_kmh=speed,
            parts=parts, plausible=plausible, min_hours=min_h, max_hours=max_h,
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
