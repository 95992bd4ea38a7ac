"""Airports from ``airportsdata`` (MIT; about 28,000 airports with ICAO codes).

Keys: the airport's name, its IATA and ICAO codes, and "<city> airport" (so
"Vladivostok airport" finds VVO while plain "Vladivostok" stays the city).
Airports with an IATA code (scheduled traffic) rank well above airstrips.
"""

from __future__ import annotations

from typing import Iterator

import airportsdata

from .records import Match, PlaceRecord

__all__ = ["airport_records"]


def airport_records() -> Iterator[PlaceRecord]:
    for icao, row in airportsdata.load("ICAO").items():
        iata = row.get("iata") or ""
        name = row.get("name") or icao
        importance = 2.5
        if iata:
            importance = 4.6 if "international" in name.lower() else 4.2
        record = PlaceRecord(
            ref=f"iata:{iata}" if iata else f"icao:{icao}", name=name,
            lat=float(row["lat"]), lon=float(row["lon"]), country=row.get("country") or "",
            kind="airport", source="airports", importance=importance,
            admin1=row.get("subd") or "",
        )
        record.add(name, Match.NAME)
        record.add(icao, Match.CODE)
        record.add(iata, Match.CODE)
        city = row.get("city") or ""
        if city and iata:
            record.add(f"{city} airport", Match.QUALIFIED)
            record.add(f"{city} international airport", Match.QUALIFIED)
        yield record
