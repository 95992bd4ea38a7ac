"""Share links: round trips, the size limit, and every kind of bad token."""

from __future__ import annotations

import base64
import datetime as dt
import json
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trip.errors import FileTooLarge, FormatError, TripError
from trip.geo import LatLon
from trip.itinerary import Itinerary, Place, Source, Stop
from trip.share import MAX_TOKEN_CHARS, decode_itinerary, encode_itinerary


def _sample() -> Itinerary:
    return Itinerary(
        title="Armoured train, September 2023",
        description="Khasan → Vladivostok",
        sources=(Source("Reuters", "https://www.reuters.com/"),),
        stops=(
            Stop(Place("Khasan", LatLon(42.43, 130.64), source="landmarks", country="RU",
                       kind="railway station", confidence=0.93, ref="landmark:khasan"),
                 date="2023-09-12", status="origin", mode="train", note="crossed the border"),
            Stop(Place("Vostochny Cosmodrome", LatLon(51.884, 128.334)), date="2023-09-13",
                 time="13:00", timezone="Asia/Yakutsk", mode="train",
                 sources=("TASS <https://tass.com/>",), evidence="He arrived at the cosmodrome."),
            Stop(Place("Vladivostok", LatLon(43.1155, 131.8855)), date="2023-09-16",
                 end_date="2023-09-17", date_precision="approximate", status="planned"),
            Stop(Place("Unresolvable <b>&amp;</b> ${x}")),
        ),
    )


def _bytes_token(payload: bytes, version: str = "1") -> str:
    return version + "." + base64.urlsafe_b64encode(payload).rstrip(b"=").decode()


def test_round_trip_keeps_every_field() -> None:
    trip = _sample()
    token = encode_itinerary(trip)
    assert token.startswith("1.")
    assert decode_itinerary(token) == trip


def test_token_is_url_safe_and_compact() -> None:
    token = encode_itinerary(_sample())
    assert all(c.isalnum() or c in "-_." for c in token)
    assert len(token) < 700, len(token)  # four stops fit easily in a link


def test_empty_itinerary_round_trips() -> None:
    assert decode_itinerary(encode_itinerary(Itinerary())) == Itinerary()


def test_too_large_says_so_and_names_the_size() -> None:
    import random

    rng = random.Random(4)
    words = ["train", "summit", "border", "airport", "factory", "fleet", "island", "visit"]
    stops = tuple(Stop(Place(f"Stop {i}"), note=" ".join(rng.choices(words, k=30)) + f" {i}")
                  for i in range(200))
    trip = Itinerary(stops=stops)
    with pytest.raises(FileTooLarge) as info:
        encode_itinerary(trip)
    message = str(info.value)
    assert "share link" in message and f"{MAX_TOKEN_CHARS:,}" in message
    assert "file" in message


@pytest.mark.parametrize(
    "token, words",
    [
        ("", "empty"),
        ("   ", "empty"),
        ("hello", "not a trip share link"),
        ("abc.def", "not a trip share link"),
        ("9.eJwrySxOBQAEVAG4", "version 9"),
        ("1.!!!!", "damaged"),
        ("1.", "damaged"),
        ("1." + "A" * 70_000, "too long"),
    ],
)
def test_garbage_tokens_give_clear_errors(token: str, words: str) -> None:
    with pytest.raises(FormatError) as info:
        decode_itinerary(token)
    assert words in str(info.value)
    assert "share link" in str(info.value)


def test_tampered_token_is_refused() -> None:
    token = encode_itinerary(_sample())
    middle = len(token) // 2
    flipped = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1:]
    with pytest.raises(FormatError):
        decode_itinerary(flipped)
    with pytest.raises(FormatError, match="cut short|damaged"):
        decode_itinerary(token[: len(token) // 2])


def test_compression_bomb_is_refused() -> None:
    bomb = zlib.compress(b"[" * (10 * 1024 * 1024), 9)
    with pytest.raises(FormatError, match="2 MB"):
        decode_itinerary(_bytes_token(bomb))


@pytest.mark.parametrize(
    "doc, words",
    [
        ([], "no list of stops"),
        ({"p": "x"}, "no list of stops"),
        ({"p": [1]}, "row 1"),
        ({"p": [{"n": ""}]}, 'row 1, column "place"'),
        ({"p": [{"n": "A"}, {"n": "B", "la": 95, "lo": 0}]}, 'row 2, column "lat"'),
        ({"p": [{"n": "A", "d": "2023-09-31"}]}, '"2023-09-31" is not a date'),
        ({"p": [{"n": "A", "m": "rocket"}]}, "is not one of"),
        ({"p": [{"n": 5}]}, "is not text"),
        ({"p": [{"n": "A", "cf": "high"}]}, "not a number"),
        ({"p": [{"n": "A", "src": "not a list"}]}, "not a list"),
        ({"p": [{"n": "A", "src": ["javascript:alert(1) <javascript:alert(1)>"]}]}, "http"),
    ],
)
def test_well_formed_but_wrong_documents_name_the_problem(doc, words: str) -> None:
    token = _bytes_token(zlib.compress(json.dumps(doc).encode()))
    with pytest.raises(FormatError) as info:
        decode_itinerary(token)
    assert words in str(info.value)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_either_decodes_or_raises_a_trip_error(token: str) -> None:
    try:
        decode_itinerary(token)
    except TripError:
        pass


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_any_compressed_bytes_raise_only_trip_errors(payload: bytes) -> None:
    for data in (payload, zlib.compress(payload)):
        try:
            decode_itinerary(_bytes_token(data))
        except TripError:
            pass


names = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=40,
).filter(lambda s: s.strip() != "" and s == s.strip())
stops = st.builds(
    Stop,
    place=st.builds(
        Place, name=names,
        location=st.one_of(st.none(), st.builds(
            LatLon, lat=st.floats(-90, 90).map(lambda v: round(v, 7)),
            lon=st.floats(-180, 180).map(lambda v: round(v, 7)))),
        confidence=st.one_of(st.none(), st.sampled_from([0.0, 0.5, 0.875, 1.0])),
    ),
    date=st.one_of(st.none(), st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1))),
    mode=st.sampled_from(["train", "car", "plane", "ship", "walk", "unknown"]),
    status=st.sampled_from(["visited", "planned", "origin"]),
    note=st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")) | st.just("\n"),
                 max_size=60),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(stops, max_size=8), names)
def test_property_round_trip(stop_list, title) -> None:
    trip = Itinerary(stops=tuple(stop_list), title=title)
    assert decode_itinerary(encode_itinerary(trip, max_chars=10**6)) == trip
