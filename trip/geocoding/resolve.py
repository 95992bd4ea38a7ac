"""Fill in the coordinates of an itinerary's stops, resolving the whole trip jointly.

Readers stay pure (a CSV row without coordinates becomes an unresolved
:class:`~trip.itinerary.Place`); the CLI and the dashboard call
:func:`resolve_itinerary` after reading.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

from ..errors import QueryError
from ..itinerary import Itinerary, Place, Stop
from . import Candidate, GeocodeResult, Geocoder, default_geocoder
from .offline import check_query

__all__ = ["resolve_itinerary", "LOW_CONFIDENCE"]

#: Below this confidence a resolved stop gets a "check this" warning.
LOW_CONFIDENCE = 0.35


def _place_from(place: Place, cand: Candidate) -> Place:
    return replace(place, location=cand.location, source=cand.source, country=cand.country,
                   kind=cand.kind, confidence=max(0.0, min(1.0, cand.confidence)), ref=cand.ref)


def resolve_itinerary(itinerary: Itinerary, geocoder: Geocoder | None = None
                      ) -> tuple[Itinerary, list[str]]:
    """Geocode the stops that have no coordinates; return the new itinerary and warnings.

    Stops given with coordinates stay exactly as they are and steer their
    neighbours (with a geocoder that accepts ``fixed=``, as the offline one does).
    A stop that cannot be resolved stays in the itinerary, unresolved, and a warning
    names its row and place; nothing is dropped. Rows count from 1.

    >>> trip = Itinerary((Stop(Place("Nanning")), Stop(Place("Pingxiang")),
    ...                   Stop(Place("Dong Dang"))))
    >>> resolved, warnings = resolve_itinerary(trip)
    >>> resolved[1].place.country, round(resolved[1].location.lat)
    ('CN', 22)
    """
    geo = geocoder if geocoder is not None else default_geocoder()
    stops = list(itinerary.stops)
    warnings: list[str] = []
    if not any(s.location is None for s in stops):
        return itinerary, warnings

    # Stops whose name cannot be a query (e.g. overlong) are reported and left out.
    usable: list[int] = []
    for i, stop in enumerate(stops):
        if stop.location is not None:
            usable.append(i)
            continue
        try:
            check_query(stop.place.name)
        except QueryError as err:
            warnings.append(f'stop {i + 1}, place "{_short(stop.place.name)}": not resolved: '
                            f"{err.problem}")
            continue
        usable.append(i)

    sub = [stops[i] for i in usable]
    results = _geocode(geo, sub)
    for i, stop, result in zip(usable, sub, results):
        if stop.location is not None:
            continue
        where = f'stop {i + 1}, place "{_short(stop.place.name)}"'
        if result.best is None:
            warnings.append(f"{where}: not resolved: {result.reason or 'no candidate'}")
            continue
        stops[i] = stop.replace(place=_place_from(stop.place, result.best))
        for note in result.warnings:
            warnings.append(f"{where}: {note}")
        if result.best.confidence < LOW_CONFIDENCE:
            warnings.append(f"{where}: resolved to {result.best.name} ({result.best.country}) "
                            f"with low confidence {result.best.confidence:.2f}; check it")
    return itinerary.replace(stops=tuple(stops)), warnings


def _geocode(geo: Geocoder, stops: Sequence[Stop]) -> list[GeocodeResult]:
    names = [s.place.name for s in stops]
    dates = [s.date for s in stops]
    modes = [s.mode.value for s in stops]
    return list(geo.geocode_route(names, dates=dates, modes=modes, fixed=[s.location for s in stops]))


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
