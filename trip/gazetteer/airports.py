"""Airports from ``airportsdata`` (MIT; about 28,000 airports with ICAO codes).

Keys: the airport's name, its IATA and ICAO codes, "<city> airport" (so
"Vladivostok airport" finds VVO while plain "Vladivostok" stays the city), and the
name without "International Airport" when that is not the city's name ("Noi Bai",
"Sheremetyevo").
Airports with an IATA code (scheduled traffic) rank well above airstrips.
"""

from __future__ import annotations

import re
from typing import Iterator

import airportsdata

from .normalize import normalize_name
from .records import Match, PlaceRecord

_CORE = re.compile(r"\s*\b(international\s+)?(airport|airfield|air\s*base|airbase|aerodrome)\b.*$",
                   re.IGNORECASE)

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
        core = _CORE.sub("", name).strip(" -,")
        if iata and core and core != name and normalize_name(core) != normalize_name(city):
            record.add(core, Match.ALT)  # "Noi Bai" for Noi Bai International Airport
        if city and iata:
            record.add(f"{city} airport", Match.QUALIFIED)
            record.add(f"{city} international airport", Match.QUALIFIED)
        yield record
