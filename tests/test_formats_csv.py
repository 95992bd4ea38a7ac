"""The CSV itinerary: header, metadata comments, every bad row reported, full round trip."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hst

from trip.errors import FormatError, RowErrors, ValidationError
from trip.formats import csv_format, load, read_itinerary
from trip.geo import LatLon
from trip.itinerary import DatePrecision, Itinerary, Mode, Place, Source, Status, Stop
from trip.samples import list_samples, sample_path

from strategies import sources


def read(text: str) -> Itinerary:
    return csv_format.read(text.encode("utf-8"), name="trip.csv")


def test_only_place_is_required():
    trip = read("place\nKhasan\nVostochny Cosmodrome\n")
    assert [s.name for s in trip] == ["Khasan", "Vostochny Cosmodrome"]
    assert all(s.location is None and s.date is None for s in trip)


def test_documented_header_is_parsed_into_typed_stops():
    trip = read(
        "date,end_date,place,lat,lon,mode,status,note,source\n"
        '2023-09-16,2023-09-17,Vladivostok,43.1155,131.8855,car,visited,"Frigate, then university",'
        "TASS <https://tass.com/world/1675133> | https://example.org/x\n"
    )
    (s,) = trip.stops
    assert s.date == dt.date(2023, 9, 16) and s.end_date == dt.date(2023, 9, 17)
    assert s.location == LatLon(43.1155, 131.8855) and s.place.source == "file"
    assert (s.mode, s.status) == (Mode.CAR, Status.VISITED)
    assert s.note == "Frigate, then university"
    assert s.sources == (Source("TASS", "https://tass.com/world/1675133"), Source(url="https://example.org/x"))


def test_bom_comments_and_any_column_order():
    data = "\ufeff# title: Far East\n# description: line one\n# description: line two\n" \
           "# source: KCNA Watch <https://kcnawatch.org/>\nplace,date\nArtyom,2023-09-16\n"
    trip = csv_format.read(data.encode("utf-8"))
    assert trip.title == "Far East"
    assert trip.description == "line one\nline two"
    assert trip.sources == (Source("KCNA Watch", "https://kcnawatch.org/"),)
    assert trip[0].date == dt.date(2023, 9, 16)


def test_semicolon_separated_files_from_spreadsheets_are_read():
    trip = read("place;lat;lon\nArtyom;43.3583;132.1872\n")
    assert trip[0].location == LatLon(43.3583, 132.1872)


def test_every_bad_row_is_reported_with_file_row_and_column():
    text = (
        "# title: errors\n"                                # row 1
        "date,place,lat,lon,mode\n"                        # row 2: header
        "2023-09-12,Khasan,42.43,130.64,train\n"           # row 3: fine
        "Sept 31,Vostochny,51.88,128.33,train\n"           # row 4: bad date
        "2023-09-15,,50.55,137.01,rocket\n"                # row 5: no place, bad mode
        "2023-09-16,Artyom,95,132.19,train\n"              # row 6: lat out of range
    )
    with pytest.raises(RowErrors) as info:
        read(text)
    messages = [str(e) for e in info.value.errors]
    assert messages == [
        'row 4, column "date": "Sept 31" is not a date (expected YYYY-MM-DD)',
        'row 5, column "place": is required (every stop needs a place name)',
        'row 5, column "mode": "rocket" is not one of: unknown, train, car, plane, ship, walk',
        'row 6, column "lat": 95.0 is out of range (expected -90 to 90)',
    ]
    assert str(info.value).startswith("trip.csv has 4 errors:\n")
    assert isinstance(info.value, FormatError) and isinstance(info.value, ValueError)


def test_a_single_bad_row_raises_its_own_error():
    with pytest.raises(ValidationError) as info:
        read("place,date,end_date\nArtyom,2023-09-17,2023-09-16\n")
    assert str(info.value) == 'row 2, column "end_date": "2023-09-16" is before the date 2023-09-17'


def test_row_numbers_follow_multiline_cells():
    text = 'place,note,date\nA,"two\nlines",2023-01-01\nB,,not a date\n'
    with pytest.raises(ValidationError) as info:
        read(text)
    assert str(info.value).startswith('row 4, column "date"')


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("date,lat\n2023-01-01,1\n", 'row 1, column "place": is missing from the header'),
        ("place,lattitude\nA,1\n", 'row 1, column "lattitude": "lattitude" is not a column (expected some of: '),
        ("place,place\nA,B\n", 'row 1, column "place": "place" appears twice in the header'),
        ("place\nA,extra\n", "row 2: has 2 cells but the header has 1 columns"),
        ("place,lat,lon\nA,43.1,\n", 'row 2, column "lon": is empty but lat is set (give both or neither)'),
        ("place,source\nA,Bad <javascript:alert(1)>\n",
         'row 2, column "source": "javascript:alert(1)" is not an http or https URL'),
        ("# only a comment\n", 'field "file": "trip.csv" has no header row'),
    ],
)
def test_header_and_cell_problems_are_explained(text, message):
    with pytest.raises(ValidationError) as info:
        read(text)
    assert str(info.value).startswith(message)


def test_non_utf8_bytes_are_refused_clearly():
    with pytest.raises(FormatError, match="is not UTF-8 text"):
        csv_format.read("place\nKöln\n".encode("latin-1"), name="old.csv")


def test_round_trip_keeps_every_field():
    full = Stop(
        Place("Komsomolsk-on-Amur", LatLon(50.5503, 137.0099), source="geonames", country="RU",
              kind="city", confidence=0.93, ref="geonames:2021851"),
        date="2023-09-15", end_date="2023-09-16", time="09:30", timezone="Asia/Vladivostok",
        date_precision="approximate", status="visited", mode="train",
        note='Aircraft plant: "Su-57", SJ-100\nsecond line, with commas',
        sources=("TASS | World <https://tass.com/world/1675133>", "https://example.org/b"),
        evidence="visited the Yuri Gagarin plant on Friday",
    )
    bare = Stop("Somewhere unresolved", mode="walk", status="planned")
    trip = Itinerary((full, bare), title="Round trip", description="Two lines\nof description",
                     sources=("Reuters <https://www.reuters.com/>",))
    data = csv_format.write(trip)
    header = data.decode().splitlines()[4]  # after title, two description lines, source
    assert header.startswith("date,end_date,place,lat,lon,mode,status,note,source,")
    assert csv_format.read(data) == trip


@pytest.mark.parametrize("name", list_samples())
def test_samples_load_and_round_trip(name):
    trip = load(sample_path(name))
    assert len(trip) >= 3 and trip.title
    assert all(s.location is not None for s in trip)
    assert read_itinerary(csv_format.write(trip), format="csv") == trip


def test_kim_sample_cites_a_source_for_every_stop():
    trip = load(sample_path("kim-jong-un-2023-far-east"))
    names = [s.name for s in trip]
    for expected in ("Khasan", "Vostochny Cosmodrome", "Komsomolsk-on-Amur", "Artyom", "Vladivostok"):
        assert expected in names
    for s in trip:
        assert s.sources and all(src.url.startswith("https://") for src in s.sources), s.name
        assert s.note and s.date
    assert trip[names.index("Vladivostok")].end_date == dt.date(2023, 9, 17)
    assert trip[names.index("Komsomolsk-on-Amur")].date_precision is DatePrecision.DAY


@pytest.mark.parametrize("note", ["=HYPERLINK(\"https://evil.example\",\"x\")", "+1+1", "-5 °C at night",
                                  "@SUM(A1)", "'=already quoted", "''+two", "plain"])
def test_formula_like_text_is_defused_and_round_trips(note):
    trip = Itinerary((Stop(Place("=cmd|' /C calc'!A0"), note=note),))
    data = csv_format.write(trip).decode()
    row = data.splitlines()[1]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row.split(","))
    assert csv_format.read(data.encode()) == trip


def test_hard_source_titles_are_written_as_json_and_read_back():
    sources = (Source("<b>bold</b> | pipes", "https://example.org/a|b"), Source("Title >"), Source("[x]"))
    trip = Itinerary((Stop("A", sources=sources),), sources=(Source("a <b>"),))
    data = csv_format.write(trip)
    assert b'[{""title"": ""' in data  # the stop's cell, CSV-quoted
    assert b'# source: "a <b>"\n' in data  # one title alone: Source's quoted text form is enough
    assert csv_format.read(data) == trip


def test_titles_and_descriptions_keep_their_lines_and_spaces():
    trip = Itinerary((Stop("A"),), title="Two\nlines  here", description="a  \n\n  b\u2028c")
    assert csv_format.read(csv_format.write(trip)) == trip


# -- the source cell: every part is read by Source.parse ---------------------------------


def _quoted(source: Source) -> str:
    """A source in Source's quoted text form, whatever its title holds."""
    title = json.dumps(source.title, ensure_ascii=False)
    return title + (f" <{source.url}>" if source.url else "") if source.title else source.url


@pytest.mark.parametrize(("cell", "expected"), [
    ('"Report" <https://example.org/r> | https://example.org/b',
     (Source("Report", "https://example.org/r"), Source(url="https://example.org/b"))),
    ('"Report <draft>" <https://example.org/r> | "a | b" | Plain',
     (Source("Report <draft>", "https://example.org/r"), Source("a | b"), Source("Plain"))),
    ('"https://example.org/not-a-link" | <https://example.org/x>',
     (Source("https://example.org/not-a-link"), Source(url="https://example.org/x"))),
    # the forms read before: a headline with "|" and its URL, no space before "<", a bare URL
    ("TASS | World <https://tass.com/1> | Title<https://example.org/t>|https://example.org/b",
     (Source("TASS | World", "https://tass.com/1"), Source("Title", "https://example.org/t"),
      Source(url="https://example.org/b"))),
    # a URL before "|", or a quoted title after it, is a source of its own, not part of a headline
    ('https://example.org/a | "Q" | B <https://example.org/b>',
     (Source(url="https://example.org/a"), Source("Q"), Source("B", "https://example.org/b"))),
    ('[{"title": "x <y>", "url": ""}, "https://example.org/j"]',
     (Source("x <y>"), Source(url="https://example.org/j"))),
])
def test_a_source_cell_reads_every_single_source_form(cell, expected):
    assert csv_format.parse_sources(cell) == expected
    trip = read('place,source\nA,"' + cell.replace('"', '""') + '"\n')
    assert trip[0].sources == expected


def test_a_title_in_angle_brackets_says_how_to_quote_it():
    with pytest.raises(ValidationError) as info:
        csv_format.parse_sources("Report <draft>")
    message = str(info.value)
    assert '"draft" is not an http or https URL' in message
    assert 'double quotes: "Report <draft>"' in message
    assert csv_format.parse_sources('"Report <draft>"') == (Source("Report <draft>"),)


@settings(max_examples=150, deadline=None)
@given(hst.lists(sources(), min_size=1, max_size=4))
def test_source_cells_round_trip(listed):
    expected = tuple(listed)
    # the cell the writers make, plain or JSON, always reads back
    assert csv_format.parse_sources(csv_format.sources_cell(expected)) == expected
    # every source in its quoted form, several to a cell: titles keep their | < > and quotes
    assert csv_format.parse_sources(" | ".join(_quoted(s) for s in expected)) == expected
    # each source's own text form, joined by hand, reads back when no part holds the separator
    # (a plain title without a URL is left out: "A | B <url>" is one headline with its link)
    parts = [str(s) for s in expected]
    joined = " | ".join(parts)
    if all("|" not in p and (s.url or p != s.title) for s, p in zip(expected, parts)):
        assert csv_format.parse_sources(joined) == expected
