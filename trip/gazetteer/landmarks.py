"""Curated landmarks from ``data/landmarks.csv``: sites trips and news name that a
list of towns lacks (cosmodromes, factories, border stations, campuses, palaces).

File format (UTF-8 CSV with a header)::

    id,name,kind,lat,lon,country,aliases,source

``aliases`` is a ``|``-separated list of other names (any script); ``source`` says
where the coordinates and names were checked. Rows are validated: a bad row raises
:class:`~trip.errors.GazetteerError` naming the row and column.
"""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path
from typing import Iterator

from ..errors import GazetteerError
from .records import Match, PlaceRecord

__all__ = ["LANDMARKS_CSV", "landmark_records", "landmarks_digest", "COLUMNS", "KIND_IMPORTANCE"]

LANDMARKS_CSV = Path(__file__).resolve().parents[2] / "data" / "landmarks.csv"
COLUMNS = ("id", "name", "kind", "lat", "lon", "country", "aliases", "source")

#: A landmark ranks like a town of 10**importance people: famous sites above villages
#: (a head of state's residence, like the White House, as a busy airport).
KIND_IMPORTANCE = {
    "spaceport": 5.5, "airport": 5.0, "residence": 5.0, "palace": 4.8, "university": 4.8,
    "factory": 4.8,
    "naval base": 4.6, "border crossing": 4.5, "railway station": 4.5, "port": 4.5,
    "area": 6.0, "lake": 5.5, "river": 5.5,
}


def landmarks_digest(path: Path = LANDMARKS_CSV) -> str:
    """SHA-256 of the file, part of the index key so an edit triggers a rebuild."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "missing"


def landmark_records(path: Path = LANDMARKS_CSV) -> Iterator[PlaceRecord]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise GazetteerError(f"cannot read the landmarks file {path}: {err}") from err
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
    if missing:
        raise GazetteerError(f"{path.name}: missing column(s) {', '.join(missing)}")
    seen: set[str] = set()
    for row_no, row in enumerate(reader, start=1):
        def bad(column: str, problem: str) -> GazetteerError:
            return GazetteerError(
                f'{path.name}, row {row_no}, column "{column}": {row.get(column)!r} {problem}')

        ident = (row["id"] or "").strip()
        if not ident or ident in seen:
            raise bad("id", "is empty or repeated")
        seen.add(ident)
        name = (row["name"] or "").strip()
        if not name:
            raise bad("name", "is empty")
        try:
            lat, lon = float(row["lat"]), float(row["lon"])
        except (TypeError, ValueError):
            raise bad("lat", "is not a number (lat and lon in decimal degrees)") from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise bad("lat", "is out of range")
        kind = (row["kind"] or "").strip().lower()
        if not kind:
            raise bad("kind", "is empty")
        if not (row["source"] or "").strip():
            raise bad("source", "is empty (every landmark says where it was checked)")
        record = PlaceRecord(
            ref=f"landmark:{ident}", name=name, lat=lat, lon=lon,
            country=(row["country"] or "").strip().upper(), kind=kind, source="landmarks",
            importance=KIND_IMPORTANCE.get(kind, 4.5),
        )
        record.add(name, Match.NAME)
        for alias in (row["aliases"] or "").split("|"):
            record.add(alias.strip(), Match.ALT)
        yield record
