"""Geocoding: turn place names into ranked, explained candidates.

One small interface, :class:`Geocoder`, with two kinds of backend:

* the offline gazetteer geocoder (:mod:`trip.geocoding.offline`), the default,
  which never touches the network;
* opt-in online services through geopy (:mod:`trip.geocoding.online`), rate
  limited, cached on disk, and falling back to the offline answer on failure.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol, Sequence, runtime_checkable

from ..geo import LatLon

__all__ = ["Candidate", "GeocodeResult", "Geocoder", "default_geocoder"]


@dataclass(frozen=True, slots=True)
class Candidate:
    """One place a query may mean, with how much we believe it and why."""

    name: str
    location: LatLon
    country: str  # ISO 3166-1 alpha-2, "" when not applicable
    kind: str  # "city", "country", "region", "airport", "spaceport", …
    source: str  # "geonames", "airports", "landmarks", "nominatim", …
    confidence: float  # 0..1
    reason: str  # human-readable: why this candidate ranks where it does
    population: int = 0
    admin1: str = ""  # first-level region name, when known
    ref: str = ""  # stable id, e.g. "geonames:2027456", "iata:VVO", "landmark:vostochny"


@dataclass(frozen=True, slots=True)
class GeocodeResult:
    """The answer for one query: the best candidate (or None, with a reason) and the rest."""

    query: str
    best: Candidate | None
    candidates: tuple[Candidate, ...] = ()
    reason: str = ""  # why it is unresolved, or a note on the choice
    warnings: tuple[str, ...] = ()  # e.g. "online geocoder failed; offline answer used"

    @property
    def resolved(self) -> bool:
        return self.best is not None


@runtime_checkable
class Geocoder(Protocol):
    """What every geocoding backend offers."""

    def geocode(self, query: str, *, limit: int = 5) -> GeocodeResult:
        """Ranked candidates for one name."""
        ...

    def geocode_route(
        self,
        queries: Sequence[str],
        *,
        dates: Sequence[dt.date | None] | None = None,
        modes: Sequence[str | None] | None = None,
        limit: int = 5,
        fixed: Sequence[LatLon | None] | None = None,
    ) -> list[GeocodeResult]:
        """Resolve consecutive stops of one trip jointly (plausible distances/speeds).

        ``fixed[i]``, when given, pins stop ``i`` to known coordinates: it is not
        looked up, but it steers the choice for its neighbours.
        """
        ...


def default_geocoder() -> Geocoder:
    """The process-wide offline geocoder over the prebuilt gazetteer index."""
    from .offline import default_offline_geocoder

    return default_offline_geocoder()
