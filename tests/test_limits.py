"""MAX_STOPS: every way into a trip refuses more stops than one trip may hold.

Files of every readable format, share links, article drafts, the CLI and the
dashboard's upload. Files are refused before any stop is built: the counting is
checked by making Stop construction fail loudly while a too-large file is read.
"""

from __future__ import annotations

import json

import pytest

import trip.formats as formats
from test_app import _app, _messages, _no_traceback, _trip, _url_trip
from trip.cli import main
from trip.errors import FileTooLarge, TooManyStops
from trip.extract.pipeline import DraftStop, Extraction
from trip.formats import MAX_STOPS, READABLE, count_stops, read_itinerary, write_itinerary
from trip.geo import LatLon
from trip.itinerary import Itinerary, Place, Stop
from trip.share import decode_itinerary, encode_itinerary


def _point(i: int) -> tuple[float, float]:
    return (40 + (i * 0.37) % 20, -10 + (i * 0.53) % 50)


def many_stops(fmt: str, stops: int) -> bytes:
    """A terse file of ``stops`` located stops in ``fmt`` (as another tool would write it)."""
    points = [_point(i) for i in range(stops)]
    if fmt == "csv":
        return ("place,lat,lon\n" + "".join(f"s{i},{la:.3f},{lo:.3f}\n" for i, (la, lo) in enumerate(points))).encode()
    if fmt == "json":
        return json.dumps({"stops": [{"place": f"s{i}", "lat": la, "lon": lo}
                                     for i, (la, lo) in enumerate(points)]}).encode()
    if fmt == "geojson":
        return json.dumps({"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lo, la]},
             "properties": {"place": f"s{i}"}} for i, (la, lo) in enumerate(points)]}).encode()
    if fmt == "gpx":
        return ('<gpx xmlns="http://www.topografix.com/GPX/1/1" version="1.1" creator="t">' + "".join(
            f'<wpt lat="{la:.3f}" lon="{lo:.3f}"><name>s{i}</name></wpt>'
            for i, (la, lo) in enumerate(points)) + "</gpx>").encode()
    assert fmt == "kml"
    return ('<kml xmlns="http://www.opengis.net/kml/2.2"><Document>' + "".join(
        f"<Placemark><name>s{i}</name><Point><coordinates>{lo:.3f},{la:.3f}</coordinates></Point></Placemark>"
        for i, (la, lo) in enumerate(points)) + "</Document></kml>").encode()


@pytest.fixture
def no_stops_built(monkeypatch):
    """Fail the test if any Stop is built (the limit must be checked before)."""
    def refuse(*args, **kwargs):
        raise AssertionError("a Stop was built before the stop count was checked")

    monkeypatch.setattr(Stop, "__init__", refuse)


# -- files -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", READABLE)
def test_a_file_over_the_limit_is_refused_before_any_stop_is_built(fmt, no_stops_built):
    data = many_stops(fmt, MAX_STOPS + 1)
    with pytest.raises(TooManyStops) as caught:
        read_itinerary(data, name=f"huge.{fmt}")
    message = str(caught.value)
    assert f'"huge.{fmt}"' in message
    assert f"{MAX_STOPS + 1:,} stops" in message and f"at most {MAX_STOPS:,}" in message
    assert "split the trip" in message
    assert caught.value.count == MAX_STOPS + 1 and caught.value.limit == MAX_STOPS
    assert isinstance(caught.value, FileTooLarge)  # callers catching the size error still catch it


@pytest.mark.parametrize("fmt", READABLE)
def test_a_file_at_the_limit_is_read(fmt, monkeypatch):
    monkeypatch.setattr(formats, "MAX_STOPS", 300)  # the same code path, at a size a test can afford
    assert len(read_itinerary(many_stops(fmt, 300), format=fmt)) == 300
    with pytest.raises(TooManyStops, match="301 stops"):
        read_itinerary(many_stops(fmt, 301), format=fmt)


def _trip_file(fmt: str, stops: int) -> bytes:
    """Our own export: legs as lines (GeoJSON, KML), every fifth stop without coordinates
    (GPX keeps those in its metadata, KML as a placemark without geometry)."""
    return write_itinerary(Itinerary(tuple(
        Stop(Place(f"s{i}", None if i % 5 == 0 else LatLon(*_point(i))), note="a\nb") for i in range(stops)
    )), fmt)


@pytest.mark.parametrize("fmt", READABLE)
def test_trip_files_count_their_stops_exactly_not_their_legs(fmt, monkeypatch):
    monkeypatch.setattr(formats, "MAX_STOPS", 40)
    data = _trip_file(fmt, 40)
    assert count_stops(data, fmt) == 40  # the raw bound is over 40, so the count is exact
    assert len(read_itinerary(data, format=fmt)) == 40
    with pytest.raises(TooManyStops, match="has 41 stops"):
        read_itinerary(_trip_file(fmt, 41), format=fmt)


def test_csv_blank_rows_comments_and_quoted_newlines_are_not_stops(monkeypatch):
    monkeypatch.setattr(formats, "MAX_STOPS", 3)
    data = ('# title: t\n\nplace,note\n"a","line one\nline two\nline three"\n,\n\n'
            'b,x\nc,"1\n2\n3\n4"\n').encode()
    assert count_stops(data, "csv") == 3
    assert [s.name for s in read_itinerary(data, format="csv").stops] == ["a", "b", "c"]


def test_utf16_xml_that_the_counter_cannot_see_is_still_refused(monkeypatch):
    """The byte-level count misses UTF-16 tags; the check after reading catches it."""
    monkeypatch.setattr(formats, "MAX_STOPS", 5)
    text = many_stops("gpx", 6).decode().replace("<gpx ", '<?xml version="1.0" encoding="UTF-16"?>\n<gpx ', 1)
    with pytest.raises(TooManyStops, match="6 stops"):
        read_itinerary(text.encode("utf-16"), format="gpx", name="wide.gpx")


# -- share links and article drafts ------------------------------------------------------


def test_a_share_link_over_the_limit_is_refused_before_any_stop_is_built(no_stops_built):
    import base64
    import zlib

    doc = {"p": [{"n": f"s{i}"} for i in range(MAX_STOPS + 1)]}
    packed = base64.urlsafe_b64encode(zlib.compress(json.dumps(doc).encode(), 9)).rstrip(b"=").decode()
    with pytest.raises(TooManyStops, match=r'share link.*20,001 stops.*split the trip'):
        decode_itinerary("1." + packed)


def test_a_share_link_at_the_limit_opens(monkeypatch):
    import trip.share

    monkeypatch.setattr(formats, "MAX_STOPS", 3)
    trip_ = Itinerary(tuple(Stop(Place(f"s{i}")) for i in range(3)))
    assert decode_itinerary(encode_itinerary(trip_)) == trip_
    assert trip.share.check_stop_count is formats.check_stop_count  # one limit, not a copy


def test_an_article_draft_over_the_limit_is_refused(monkeypatch):
    monkeypatch.setattr(formats, "MAX_STOPS", 2)
    drafts = tuple(DraftStop(place=Place(f"s{i}", LatLon(*_point(i))), date=None, end_date=None,
                             date_precision="day", status="visited", confidence=0.9, evidence=(),
                             sources=()) for i in range(3))
    with pytest.raises(TooManyStops, match=r'"articles": has 3 stops'):
        Extraction(stops=drafts).itinerary()
    assert len(Extraction(stops=drafts[:2]).itinerary()) == 2


# -- the CLI and the dashboard ---------------------------------------------------------------


@pytest.mark.parametrize("command", [["show"], ["map", "-o", "-"], ["export", "--to", "json", "-o", "-"]])
def test_the_cli_exits_2_with_the_message(command, tmp_path, capsys):
    path = tmp_path / "huge.csv"
    path.write_bytes(many_stops("csv", MAX_STOPS + 1))
    assert main([*command, str(path), "--no-geocode"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("error: ") and "huge.csv" in err and "20,001 stops" in err and "split the trip" in err
    assert "Traceback" not in err


def test_the_dashboard_shows_the_message_and_keeps_the_trip():
    at = _app()
    before = _trip(at)
    at.file_uploader(key="upload_0").set_value(("huge.csv", many_stops("csv", MAX_STOPS + 1), "text/csv")).run()
    _no_traceback(at)
    assert _trip(at) == before
    assert _url_trip(at) == before
    errors = _messages(at)
    assert any("huge.csv" in e and f"{MAX_STOPS + 1:,} stops" in e and f"at most {MAX_STOPS:,}" in e
               and "split the trip" in e for e in errors), errors
