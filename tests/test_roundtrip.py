"""Export then import gives back the same itinerary, for every readable format.

Property-based (hypothesis) over itineraries with non-ASCII names, notes full of
markup characters, date ranges, month-precision dates, local times, stops
without coordinates and trips across the antimeridian. Example counts are
modest so the suite stays fast on two cores.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trip.errors import ValidationError
from trip.formats import READABLE, format_module, read_itinerary, write_itinerary
from trip.geo import LatLon
from trip.itinerary import Itinerary, Place, Source, Stop

from strategies import antimeridian_itineraries, itineraries

ROUND_TRIP = settings(max_examples=40, deadline=None,
                      suppress_health_check=[HealthCheck.too_slow])


def _diff(a: Itinerary, b: Itinerary) -> str:
    """A readable first difference, for assertion messages."""
    for key in ("title", "description", "sources"):
        if getattr(a, key) != getattr(b, key):
            return f"{key}: {getattr(a, key)!r} != {getattr(b, key)!r}"
    if len(a.stops) != len(b.stops):
        return f"{len(a.stops)} stops != {len(b.stops)} stops"
    for i, (x, y) in enumerate(zip(a.stops, b.stops)):
        if x != y:
            for field in x.__slots__:
                if getattr(x, field) != getattr(y, field):
                    return f"stop {i + 1} {field}: {getattr(x, field)!r} != {getattr(y, field)!r}"
    return ""


def _round_trip(fmt: str, itinerary: Itinerary) -> Itinerary:
    data = write_itinerary(itinerary, fmt)
    assert isinstance(data, bytes)
    return read_itinerary(data, format=fmt, name=f"trip.{fmt}")


@pytest.mark.parametrize("fmt", READABLE)
def test_every_readable_format_is_registered(fmt):
    module = format_module(fmt)
    assert module.NAME == fmt
    assert callable(module.read) and callable(module.write)


@pytest.mark.parametrize("fmt", READABLE)
@ROUND_TRIP
@given(itinerary=itineraries())
def test_round_trip_keeps_every_field(fmt, itinerary):
    back = _round_trip(fmt, itinerary)
    assert back == itinerary, _diff(itinerary, back)


@pytest.mark.parametrize("fmt", READABLE)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(itinerary=antimeridian_itineraries())
def test_round_trip_across_the_antimeridian(fmt, itinerary):
    back = _round_trip(fmt, itinerary)
    assert back == itinerary, _diff(itinerary, back)


# A fixed example that always runs, so a regression shows even if hypothesis's
# database has moved on: every awkward value at once.
AWKWARD = Itinerary(
    stops=(
        Stop(Place("Хасан & <Tumen River>", LatLon(42.4319, 130.6434), source="geonames",
                   country="RU", kind="station", confidence=0.875, ref="geonames:2022083"),
             date="2023-09-12", time="23:15:30", timezone="Asia/Vladivostok", mode="train",
             note='crossed at "night" <b>bold?</b> & then\n\tslept', status="visited",
             sources=(Source("TASS <wire>", "https://example.org/a?x=1&y=2"),
                      Source(url="https://example.org/b#c"))),
        Stop(Place("평양 (unresolved)"), date="2023-09-01", end_date="2023-09-30",
             date_precision="month", status="planned", evidence="]]> --> <!-- &amp;"),
        Stop(Place("Anadyr", LatLon(64.7337, 177.5089), source="airports"), date="2023-09-13",
             end_date="2023-09-15", mode="plane", date_precision="approximate"),
        Stop(Place("Nome", LatLon(64.5011, -165.4064), source="manual"), date="2023-09-16", mode="plane",
             status="origin"),
    ),
    title="Kim's train trip <2023> & more",
    description="Line one\nLine two with 'quotes' & <tags>",
    sources=(Source("Reuters"), Source("Yonhap", "https://example.com/news?id=1&lang=en")),
)


@pytest.mark.parametrize("fmt", READABLE)
def test_awkward_fixed_example_round_trips(fmt):
    back = _round_trip(fmt, AWKWARD)
    assert back == AWKWARD, _diff(AWKWARD, back)


@pytest.mark.parametrize("fmt", READABLE)
def test_empty_itinerary_round_trips(fmt):
    empty = Itinerary()
    assert _round_trip(fmt, empty) == empty


@pytest.mark.parametrize("fmt", ("geojson", "gpx", "kml"))
def test_export_is_deterministic_with_source_date_epoch(fmt, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(dt.datetime(2024, 1, 2, tzinfo=dt.timezone.utc).timestamp())))
    first = write_itinerary(AWKWARD, fmt)
    assert first == write_itinerary(AWKWARD, fmt)
    assert b"2024-01-02T00:00:00Z" in first


@st.composite
def damaged(draw, fmt: str) -> bytes:
    """A valid export of ``fmt`` with a slice cut out, bytes flipped, or text spliced in."""
    data = bytearray(write_itinerary(draw(itineraries(max_stops=3)), fmt))
    for _ in range(draw(st.integers(1, 3))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        how = draw(st.sampled_from(("cut", "flip", "splice")))
        if how == "cut":
            del data[at:at + draw(st.integers(1, 40))]
        elif how == "flip":
            data[at] = draw(st.integers(0, 255))
        else:
            data[at:at] = draw(st.sampled_from(
                (b"<", b"&", b'"', b"\x00", b"]]>", b"<!DOCTYPE x>", b"&lol;", b"\xff\xfe", b"999",
                 b"-", b"null", b"{", b",", b"\n", b"NaN", b"1e999")))
    return bytes(data)


@pytest.mark.parametrize("fmt", READABLE)
def test_damaged_files_give_an_itinerary_or_a_format_error(fmt):
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow],
              database=None)
    @given(data=damaged(fmt))
    def check(data):
        try:
            result = read_itinerary(data, format=fmt, name=f"damaged.{fmt}")
        except ValidationError:
            return  # FormatError and its kin: a clear message, not a traceback
        assert isinstance(result, Itinerary)

    check()
