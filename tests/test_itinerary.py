"""The itinerary model: validation messages, sources, dates and immutable edits."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from trip.errors import ValidationError
from trip.geo import LatLon
from trip.itinerary import DatePrecision, Itinerary, Mode, Place, Source, Status, Stop, safe_url


def stop(name: str, **kw) -> Stop:
    return Stop(Place(name, LatLon(43.0, 132.0)), **kw)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"date": "Sept 31"}, 'field "date": "Sept 31" is not a date (expected YYYY-MM-DD)'),
        ({"date": "2023-09-17", "end_date": "2023-09-16"},
         'field "end_date": "2023-09-16" is before the date 2023-09-17'),
        ({"end_date": "2023-09-16"}, 'field "end_date": "2023-09-16" is set but date is empty'),
        ({"mode": "rocket"}, 'field "mode": "rocket" is not one of: unknown, train, car, plane, ship, walk'),
        ({"status": "done"}, 'field "status": "done" is not one of: visited, planned, origin'),
        ({"timezone": "Mars/Olympus"},
         'field "timezone": "Mars/Olympus" is not a time zone (expected e.g. Asia/Vladivostok)'),
        ({"time": "25:00"}, 'field "time": "25:00" is not a time (expected HH:MM)'),
        ({"note": "bad\x00byte"}, 'field "note": "bad\x00byte" contains control characters'),
    ],
)
def test_stop_validation_names_field_and_value(kwargs, message):
    with pytest.raises(ValidationError) as info:
        stop("Artyom", **kwargs)
    assert str(info.value) == message


def test_place_name_is_required_and_normalised():
    with pytest.raises(ValidationError, match='field "place": is required'):
        Place("   ")
    assert Place("  Artyom \n").name == "Artyom"


def test_strings_are_parsed_into_typed_values():
    s = stop("Vladivostok", date="2023-09-16", end_date="2023-09-17", mode="CAR", status="planned",
             time="14:30", timezone="Asia/Vladivostok", date_precision="approximate")
    assert s.date == dt.date(2023, 9, 16) and s.last_date == dt.date(2023, 9, 17)
    assert (s.mode, s.status, s.date_precision) == (Mode.CAR, Status.PLANNED, DatePrecision.APPROXIMATE)
    assert s.time == dt.time(14, 30)


@pytest.mark.parametrize(
    ("text", "title", "url"),
    [
        ("TASS <https://tass.com/world/1675133>", "TASS", "https://tass.com/world/1675133"),
        ("https://example.org/a", "", "https://example.org/a"),
        ("<http://example.org/b>", "", "http://example.org/b"),
        ("Rodong Sinmun, 17 Sep", "Rodong Sinmun, 17 Sep", ""),
    ],
)
def test_source_parse_and_str_round_trip(text, title, url):
    source = Source.parse(text)
    assert (source.title, source.url) == (title, url)
    assert Source.parse(str(source)) == source


@pytest.mark.parametrize(
    ("title", "url", "text"),
    [
        ("Report <draft>", "", '"Report <draft>"'),
        ("<https://x.example>", "", '"<https://x.example>"'),
        ("https://x.example/a", "", '"https://x.example/a"'),
        ('"Quoted"', "https://x.example", '"\\"Quoted\\"" <https://x.example>'),
        ("Report <draft>", "https://x.example", "Report <draft> <https://x.example>"),
        ("A; B | C", "", "A; B | C"),
        ('"Quoted" headline', "", '"Quoted" headline'),
        ("T", "https://x.example/a>b", "T <https://x.example/a>b>"),
    ],
)
def test_source_text_is_plain_when_it_can_be_and_quoted_when_it_must(title, url, text):
    source = Source(title=title, url=url)
    assert str(source) == text
    assert Source.parse(text) == source


# Any text the model accepts as a title, and http(s) URLs with any characters a URL may hold.
_titles = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
_url_chars = st.characters(blacklist_categories=("Cc", "Cs", "Zs", "Zl", "Zp"))
_urls = st.builds(lambda scheme, host, rest: f"{scheme}://{host}{rest}",
                  st.sampled_from(("http", "https")),
                  st.text(st.characters(whitelist_categories=("Ll", "Nd")), min_size=1, max_size=12),
                  st.text(_url_chars, max_size=30).map(lambda t: "/" + t if t else ""))


def _source_or_none(title: str, url: str) -> Source | None:
    try:
        return Source(title=title, url=url)
    except ValidationError:  # control characters, an unsafe URL, nothing at all
        return None


@given(title=_titles, url=st.one_of(st.just(""), _urls))
@example(title="Report <draft>", url="")
@example(title="<https://x>", url="")
@example(title='"a" <https://x>', url="")
@example(title="x <y", url="https://h/>")
@example(title='"', url="https://h")
@example(title="a | b; c", url="https://h/|;")
def test_source_text_round_trips_for_every_title_and_url(title, url):
    source = _source_or_none(title, url)
    if source is None:
        return
    assert Source.parse(str(source)) == source


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,hi", "ftp://example.org/x",
                                 "https:///nohost", "https://exa mple.org"])
def test_only_http_and_https_links_are_safe(url):
    assert not safe_url(url)
    with pytest.raises(ValidationError, match="is not an http or https URL"):
        Source(title="x", url=url)


def test_date_label_reads_naturally():
    assert stop("A", date="2023-09-16").date_label() == "2023-09-16"
    assert stop("A", date="2023-09-16", end_date="2023-09-17").date_label() == "2023-09-16 to 2023-09-17"
    assert stop("A", date="2023-09-16", date_precision="approximate").date_label() == "about 2023-09-16"
    assert stop("A", date="2023-09-01", date_precision="month").date_label() == "2023-09"
    assert stop("A", date="2025-06-01", time="21:50", timezone="Asia/Tokyo").date_label() == \
        "2025-06-01 21:50 Asia/Tokyo"
    assert stop("A").date_label() == ""


def test_edits_return_new_itineraries_and_leave_the_old_one_alone():
    trip = Itinerary((stop("A"), stop("B"), stop("C")), title="T")
    moved = trip.move(0, 2)
    assert [s.name for s in moved] == ["B", "C", "A"]
    assert [s.name for s in trip] == ["A", "B", "C"]
    assert [s.name for s in trip.remove(1)] == ["A", "C"]
    assert [s.name for s in trip.insert(1, stop("X"))] == ["A", "X", "B", "C"]
    assert trip.with_stop(-1, stop("Z"))[2].name == "Z"
    with pytest.raises(dataclasses.FrozenInstanceError):
        trip.title = "changed"  # type: ignore[misc]
    with pytest.raises(ValidationError, match="is not a stop index"):
        trip.remove(5)


def test_resolved_and_unresolved_views_and_dates():
    trip = Itinerary((stop("A", date="2023-09-12"), Stop("Nowhere"),
                      stop("B", date="2023-09-16", end_date="2023-09-17")))
    assert [s.name for s in trip.unresolved_stops] == ["Nowhere"]
    assert len(trip.resolved_stops) == 2
    assert (trip.start_date, trip.end_date) == (dt.date(2023, 9, 12), dt.date(2023, 9, 17))
