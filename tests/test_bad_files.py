"""Broken, hostile and strange files: a clear trip error naming row and field, never a traceback.

Every readable format (CSV, JSON, GeoJSON, GPX, KML) is fed

* hypothesis-generated garbage: random bytes, random JSON documents, random CSV
  tables, random XML trees, and valid files with bytes flipped, cut or inserted;
* the classic cases by hand: wrong encodings, over-size files, missing columns,
  impossible dates, latitude/longitude out of range, NaN and infinite, duplicate
  stops, empty and one-stop trips;
* XML attacks: entity bombs ("billion laughs", quadratic blow-up) and external
  entities (a local file, a URL, a parameter entity).

The rule checked everywhere: :func:`trip.formats.read_itinerary` returns an
:class:`~trip.itinerary.Itinerary` or raises a :class:`~trip.errors.TripError`
whose message is one a person can act on; no other exception type escapes.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from strategies import itineraries
from trip.errors import FileTooLarge, FormatError, TripError, ValidationError
from trip.formats import MAX_FILE_BYTES, READABLE, load, read_itinerary, write_itinerary
from trip.geo import LatLon
from trip.itinerary import Itinerary, Place, Stop
from trip.route import build_route

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
EXT = {"csv": "csv", "json": "json", "geojson": "geojson", "gpx": "gpx", "kml": "kml"}


def read(data: bytes, fmt: str) -> Itinerary | TripError:
    """Read ``data``; return the itinerary or the TripError. Anything else fails the test."""
    started = time.monotonic()
    try:
        result: Itinerary | TripError = read_itinerary(data, format=fmt, name=f"upload.{EXT[fmt]}")
    except TripError as err:
        message = str(err)
        assert message.strip(), "a TripError with no message"
        assert "Traceback" not in message
        result = err
    assert time.monotonic() - started < 20, f"reading {len(data)} bytes of {fmt} took too long"
    return result


def error_of(data: bytes, fmt: str) -> TripError:
    result = read(data, fmt)
    assert isinstance(result, TripError), f"{fmt}: expected an error, got an itinerary of {len(result)} stops"
    return result


def sample() -> Itinerary:
    return Itinerary((
        Stop(Place("Pyongyang", LatLon(39.0392, 125.7625), source="geonames"), date="2023-09-10", status="origin"),
        Stop(Place("Khasan", LatLon(42.4308, 130.6434), source="landmarks"), date="2023-09-12", mode="train"),
        Stop(Place("Vladivostok", LatLon(43.1155, 131.8855), source="geonames"), date="2023-09-16", mode="car",
             note="Russky Island, FEFU campus", sources=("Report <https://example.org/a>",)),
    ), title="Far East test trip")


# -- generated garbage ------------------------------------------------------------------


@pytest.mark.parametrize("fmt", READABLE)
@FUZZ
@given(data=st.binary(max_size=2000))
@example(data=b"")
@example(data=b"\x00" * 64)
@example(data=b"\xff\xfe\x00\x00")
@example(data=b"\xef\xbb\xbf")
def test_random_bytes_are_a_trip_error_or_a_trip(fmt, data):
    read(data, fmt)


@pytest.mark.parametrize("fmt", READABLE)
@FUZZ
@given(data=st.data())
def test_valid_files_with_damage_are_a_trip_error_or_a_trip(fmt, data):
    original = write_itinerary(sample(), fmt)
    damaged = bytearray(original)
    for _ in range(data.draw(st.integers(1, 6), label="damages")):
        how = data.draw(st.sampled_from(["flip", "cut", "insert", "delete", "swap"]), label="how")
        at = data.draw(st.integers(0, max(0, len(damaged) - 1)), label="at")
        if how == "flip" and damaged:
            damaged[at] ^= 1 << data.draw(st.integers(0, 7))
        elif how == "cut":
            del damaged[at:]
        elif how == "insert":
            damaged[at:at] = data.draw(st.sampled_from(
                [b"\x00", b"\xff", b"<", b"&", b'"', b",", b"\n", b"]]>", b"NaN", b"-1e999", b"<!--", b"\r"]))
        elif how == "delete":
            del damaged[at:at + data.draw(st.integers(1, 40))]
        elif how == "swap" and len(damaged) > 2:
            other = data.draw(st.integers(0, len(damaged) - 1))
            damaged[at], damaged[other] = damaged[other], damaged[at]
    read(bytes(damaged), fmt)


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["type", "features", "geometry", "coordinates", "properties", "stops", "place",
                         "name", "lat", "lon", "date", "title", "sources", "url", "version", "format",
                         "trip", "location", "mode", "status", "x"]), inner, max_size=5),
    max_leaves=25,
)


@pytest.mark.parametrize("fmt", ["json", "geojson"])
@FUZZ
@given(doc=_json_values)
def test_random_json_documents_are_a_trip_error_or_a_trip(fmt, doc):
    read(json.dumps(doc).encode(), fmt)


@st.composite
def _geojson_features(draw):
    coord = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-1000, 1000),
                      st.text(max_size=4), st.none())
    coordinates = draw(st.one_of(st.lists(coord, max_size=4), coord, st.lists(st.lists(coord, max_size=3), max_size=3)))
    geometry = draw(st.one_of(st.none(), st.fixed_dictionaries({
        "type": st.sampled_from(["Point", "LineString", "Polygon", "MultiPoint", "Nope", ""]),
        "coordinates": st.just(coordinates)})))
    properties = draw(st.one_of(st.none(), st.dictionaries(
        st.sampled_from(["name", "place", "date", "end_date", "mode", "status", "note", "sources", "number"]),
        st.one_of(st.text(max_size=12), st.integers(), st.none(), st.lists(st.text(max_size=5), max_size=2)),
        max_size=5)))
    return {"type": "Feature", "geometry": geometry, "properties": properties}


@FUZZ
@given(features=st.lists(_geojson_features(), max_size=5))
def test_random_geojson_features_are_a_trip_error_or_a_trip(features):
    read(json.dumps({"type": "FeatureCollection", "features": features}).encode(), "geojson")


_cells = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "NaN", "nan", "inf", "-inf", "Infinity", "1e999", "91", "-181", "0x10", "43,1",
                     "2023-02-30", "2023-13-01", "Sept 31", "31/09/2023", "0000-00-00", "9999-99-99",
                     "train", "teleport", "visited", "maybe", "=HYPERLINK(\"x\")", "'", '"', "\x00"]),
)


@FUZZ
@given(header=st.lists(st.sampled_from(["date", "end_date", "place", "lat", "lon", "mode", "status", "note",
                                         "source", "time", "timezone", "confidence", "extra", ""]),
                       min_size=1, max_size=8),
       rows=st.lists(st.lists(_cells, max_size=9), max_size=5))
def test_random_csv_tables_are_a_trip_error_or_a_trip(header, rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    result = read(out.getvalue().encode("utf-8", "surrogatepass"), "csv")
    if isinstance(result, ValidationError) and result.row is not None:
        assert f"row {result.row}" in str(result)


_xml_names = st.sampled_from(["gpx", "kml", "Document", "Placemark", "wpt", "rte", "rtept", "name", "desc",
                              "time", "Point", "coordinates", "extensions", "trk", "trkseg", "trkpt", "x"])


@st.composite
def _xml_trees(draw, depth=0):
    tag = draw(_xml_names)
    attrs = draw(st.dictionaries(st.sampled_from(["lat", "lon", "id", "version"]),
                                 st.one_of(st.text(alphabet="0123456789.-eNaIf", max_size=8), st.just("")),
                                 max_size=2))
    text = draw(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12))
    children = draw(st.lists(_xml_trees(depth + 1), max_size=3)) if depth < 3 else []
    attr_text = "".join(f' {k}="{v}"' for k, v in attrs.items())
    body = text.replace("&", "&amp;").replace("<", "&lt;") + "".join(children)
    return f"<{tag}{attr_text}>{body}</{tag}>"


@pytest.mark.parametrize("fmt", ["gpx", "kml"])
@FUZZ
@given(tree=_xml_trees())
def test_random_xml_trees_are_a_trip_error_or_a_trip(fmt, tree):
    namespace = {"gpx": 'xmlns="http://www.topografix.com/GPX/1/1"',
                 "kml": 'xmlns="http://www.opengis.net/kml/2.2"'}[fmt]
    tree = tree.replace(">", f" {namespace}>", 1) if not tree.startswith("<x ") else tree
    read(('<?xml version="1.0" encoding="UTF-8"?>\n' + tree).encode(), fmt)


@pytest.mark.parametrize("fmt", READABLE)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(itinerary=itineraries(max_stops=4))
def test_generated_trips_written_then_read_never_raise_anything_else(fmt, itinerary):
    data = write_itinerary(itinerary, fmt)
    read(data, fmt)


# -- encodings, sizes, columns ----------------------------------------------------------------


CSV_TEXT = "place,lat,lon,date\nArtyom,43.36,132.19,2023-09-16\nUssuriysk,43.80,131.95,2023-09-17\n"
CSV_CYRILLIC = "place,lat,lon,date\nАртём,43.36,132.19,2023-09-16\nУссурийск,43.80,131.95,2023-09-17\n"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_unicode_encodings_with_a_bom_or_recognisable_are_read_or_refused_clearly(encoding):
    data = CSV_CYRILLIC.encode(encoding)
    if encoding == "utf-16-le":
        data = codecs.BOM_UTF16_LE + data
    elif encoding == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data
    result = read(data, "csv")
    if isinstance(result, Itinerary):
        assert [s.name for s in result] == ["Артём", "Уссурийск"]
    else:
        assert "encod" in str(result).lower() or "utf" in str(result).lower(), str(result)


@pytest.mark.parametrize("encoding", ["latin-1", "cp1251", "koi8-r", "shift_jis"])
def test_legacy_encodings_are_a_clear_error_or_read_faithfully(encoding):
    text = {"latin-1": CSV_TEXT.replace("Artyom", "Zürich"), "shift_jis": CSV_TEXT.replace("Artyom", "東京")}.get(
        encoding, CSV_CYRILLIC)
    result = read(text.encode(encoding), "csv")
    if isinstance(result, Itinerary):
        first = text.splitlines()[1].split(",")[0]
        assert result[0].name == first, f"{encoding} was read but mangled: {result[0].name!r}"
    else:
        assert "utf-8" in str(result).lower() or "encod" in str(result).lower(), str(result)


@pytest.mark.parametrize("fmt", ["gpx", "kml"])
def test_xml_declaring_the_wrong_encoding_is_handled(fmt):
    data = write_itinerary(sample(), fmt).decode("utf-8").replace("Far East", "Дальний Восток")
    lying = data.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"', 1).encode("utf-8")
    unknown = data.replace('encoding="UTF-8"', 'encoding="x-no-such-charset"', 1).encode("utf-8")
    read(lying, fmt)
    read(unknown, fmt)


@pytest.mark.parametrize("fmt", READABLE)
def test_over_size_files_are_refused_before_parsing(fmt, tmp_path):
    data = b" " * (MAX_FILE_BYTES + 1)
    started = time.monotonic()
    with pytest.raises(FileTooLarge, match="limit"):
        read_itinerary(data, format=fmt, name=f"big.{EXT[fmt]}")
    path = tmp_path / f"big.{EXT[fmt]}"
    with open(path, "wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: no 20 MB written
    with pytest.raises(FileTooLarge, match="limit"):
        load(path)
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("fmt", READABLE)
def test_too_many_stops_is_a_file_too_large_error_from_load_too(fmt, tmp_path):
    """The stop limit (tests/test_limits.py has the rest) also guards files opened from disk."""
    from test_limits import many_stops
    from trip.formats import MAX_STOPS

    path = tmp_path / f"many.{EXT[fmt]}"
    path.write_bytes(many_stops(fmt, MAX_STOPS + 1))
    with pytest.raises(FileTooLarge, match=rf'"many\.{EXT[fmt]}" has 20,001 stops.*split the trip'):
        load(path)


@pytest.mark.parametrize("header, missing", [
    ("lat,lon,date\n43.1,131.9,2023-09-16\n", "place"),
    ("town_x,where\nVladivostok,43.1\n", "place"),
    ("\n\n", "place"),
])
def test_missing_columns_are_named(header, missing):
    err = error_of(header.encode(), "csv")
    assert missing in str(err)


@pytest.mark.parametrize("bad_date", ["2023-02-30", "2023-13-01", "Sept 31", "31/09/2023", "0000-01-01",
                                      "2023-09-16T25:00", "yesterday", "2023-9-1x"])
def test_impossible_dates_name_row_and_column(bad_date):
    data = f"place,lat,lon,date\nKhasan,42.43,130.64,2023-09-12\nArtyom,43.36,132.19,{bad_date}\n".encode()
    err = error_of(data, "csv")
    assert "row 3" in str(err) and '"date"' in str(err) and bad_date in str(err), str(err)


def test_end_before_start_is_named():
    data = b"place,date,end_date\nArtyom,2023-09-16,2023-09-10\n"
    err = error_of(data, "csv")
    assert "row 2" in str(err) and "end_date" in str(err)


@pytest.mark.parametrize("column, value", [
    ("lat", "91"), ("lat", "-90.0001"), ("lon", "180.5"), ("lon", "-999"), ("lat", "NaN"), ("lon", "nan"),
    ("lat", "inf"), ("lon", "-Infinity"), ("lat", "1e999"), ("lon", "forty"), ("lat", "43,1"),
])
def test_coordinates_out_of_range_or_not_finite_name_row_and_column(column, value):
    row = {"place": "Vladivostok", "lat": "43.1", "lon": "131.9"}
    row[column] = value
    data = ("place,lat,lon\nUssuriysk,43.8,131.9\n" + f'{row["place"]},"{row["lat"]}","{row["lon"]}"\n').encode()
    err = error_of(data, "csv")
    assert "row 3" in str(err) and f'"{column}"' in str(err), str(err)


@pytest.mark.parametrize("lat, lon", [(91, 0), (0, 181), (-91, 0), (0, -181)])
@pytest.mark.parametrize("fmt", ["geojson", "gpx", "kml"])
def test_out_of_range_coordinates_in_geographic_formats_are_errors(fmt, lat, lon):
    text = write_itinerary(sample(), fmt).decode("utf-8")
    if fmt == "geojson":
        doc = json.loads(text)
        point = next(f for f in doc["features"] if f["geometry"] and f["geometry"]["type"] == "Point")
        point["geometry"]["coordinates"] = [lon, lat]
        data = json.dumps(doc).encode()
    elif fmt == "gpx":
        data = text.replace('lat="39.0392"', f'lat="{lat}"', 1).replace('lon="125.7625"', f'lon="{lon}"', 1).encode()
    else:
        data = text.replace("125.7625,39.0392", f"{lon},{lat}", 1).encode()
    assert data != text.encode(), "the test did not change the file"
    err = error_of(data, fmt)
    assert "range" in str(err) or "lat" in str(err) or "lon" in str(err), str(err)


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_non_finite_numbers_in_json_are_errors(value):
    doc = json.loads(write_itinerary(sample(), "json"))
    text = json.dumps(doc)
    target = "39.0392"
    assert target in text
    err = error_of(text.replace(target, value, 1).encode(), "json")
    assert "finite" in str(err) or "number" in str(err) or "range" in str(err), str(err)


@pytest.mark.parametrize("fmt", READABLE)
def test_duplicate_stops_are_kept_and_flagged(fmt):
    trip = sample()
    doubled = trip.replace(stops=trip.stops[:2] + (trip.stops[1],) + trip.stops[2:])
    back = read(write_itinerary(doubled, fmt), fmt)
    assert isinstance(back, Itinerary) and len(back) == 4, "a repeated stop is the user's data: keep it"
    warnings = [str(w) for w in build_route(back).warnings]
    assert any("3" in w and ("repeat" in w or "duplicate" in w or "same" in w) for w in warnings), warnings


@pytest.mark.parametrize("fmt", READABLE)
@pytest.mark.parametrize("size", [0, 1])
def test_empty_and_one_stop_trips_go_through_every_format_and_the_map(fmt, size):
    from trip.formats import html as html_format
    from trip.render import map_html

    trip = sample().replace(stops=sample().stops[:size])
    back = read(write_itinerary(trip, fmt), fmt)
    if isinstance(back, TripError):
        assert size == 0 and ("no stop" in str(back) or "empty" in str(back)), str(back)
        return
    assert len(back) == size
    route = build_route(back)
    assert route.total_km == 0 and not route.legs
    assert "leaflet" in map_html(back, tiles=None).lower()
    assert html_format.write(back).startswith(b"<!DOCTYPE html>")


# -- XML attacks ------------------------------------------------------------------------------


def _bomb(root: str) -> bytes:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    return (f'<?xml version="1.0"?>\n<!DOCTYPE {root} [{entities}]>\n'
            f"<{root}><name>&lol9;</name></{root}>").encode()


def _quadratic(root: str) -> bytes:
    big = "A" * 50_000
    return (f'<?xml version="1.0"?>\n<!DOCTYPE {root} [<!ENTITY a "{big}">]>\n'
            f"<{root}><name>{'&a;' * 400}</name></{root}>").encode()


def _external(root: str, target: str) -> bytes:
    return (f'<?xml version="1.0"?>\n<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "{target}">]>\n'
            f"<{root}><name>&xxe;</name></{root}>").encode()


def _parameter_entity(root: str, target: str) -> bytes:
    return (f'<?xml version="1.0"?>\n<!DOCTYPE {root} [<!ENTITY % remote SYSTEM "{target}"> %remote;]>\n'
            f"<{root}><name>x</name></{root}>").encode()


@pytest.mark.parametrize("fmt", ["gpx", "kml"])
@pytest.mark.parametrize("attack", ["billion-laughs", "quadratic", "xxe-file", "xxe-url", "xxe-parameter",
                                    "xinclude"])
def test_xml_attacks_are_refused(fmt, attack, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    root = fmt
    data = {
        "billion-laughs": lambda: _bomb(root),
        "quadratic": lambda: _quadratic(root),
        "xxe-file": lambda: _external(root, secret.as_uri()),
        "xxe-url": lambda: _external(root, "http://127.0.0.1:9/steal"),
        "xxe-parameter": lambda: _parameter_entity(root, secret.as_uri()),
        "xinclude": lambda: (f'<?xml version="1.0"?>\n<{root} xmlns:xi="http://www.w3.org/2001/XInclude">'
                             f'<name><xi:include href="{secret.as_uri()}" parse="text"/></name></{root}>').encode(),
    }[attack]()
    started = time.monotonic()
    result = read(data, fmt)
    assert time.monotonic() - started < 5, "an entity bomb was expanded"
    if attack != "xinclude":
        assert isinstance(result, FormatError), result
        assert "DTD" in str(result) or "entit" in str(result).lower() or "DOCTYPE" in str(result), str(result)
    text = str(result) if isinstance(result, TripError) else repr(result)
    assert "TOP-SECRET-CONTENT" not in text


# -- the dashboard: a bad upload leaves the current trip as it was ----------------------------


def test_bad_uploads_in_the_dashboard_leave_the_current_trip_unchanged(tmp_path):
    from playwright.sync_api import sync_playwright

    from browser_support import block_external_requests, launch_chromium, streamlit_server, wait_for_app_idle

    files = {
        "no-place-column.csv": b"lat,lon\n43.1,131.9\n",
        "bad-date.csv": b"place,date\nArtyom,2023-02-30\n",
        "random.json": bytes(range(256)) * 4,
        "bomb.gpx": _bomb("gpx"),
        "xxe.kml": _external("kml", (tmp_path / "nothing.txt").as_uri()),
        "nan.geojson": b'{"type":"FeatureCollection","features":[{"type":"Feature","geometry":'
                       b'{"type":"Point","coordinates":[NaN,Infinity]},"properties":{"name":"x"}}]}',
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    with sync_playwright() as playwright, streamlit_server() as url:
        browser = launch_chromium(playwright)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        block_external_requests(context, allowed_origins=(url,))
        page = context.new_page()
        try:
            page.goto(url, timeout=60_000)
            wait_for_app_idle(page, timeout_ms=60_000)
            title = page.locator("h1").first.inner_text(timeout=30_000)
            address = page.url
            for name in files:
                page.wait_for_timeout(500)
                wait_for_app_idle(page, timeout_ms=60_000)
                page.locator('[data-testid="stSidebar"] [data-testid="stFileUploaderDropzoneInput"]').first \
                    .set_input_files(str(tmp_path / name))
                alert = page.locator('[data-testid="stAlert"]', has_text=name).filter(
                    has_text="The current trip is unchanged")
                alert.first.wait_for(timeout=30_000)
                wait_for_app_idle(page, timeout_ms=60_000)
                assert page.locator("h1").first.inner_text() == title, name
                assert page.url == address, f"{name} changed the share link"
                body = page.locator('[data-testid="stApp"]').inner_text()
                assert "Traceback" not in body and "Error:" not in body.replace("FormatError", ""), name
            # Empty and one-stop trips, opened from share links: every panel draws without error.
            from trip.share import encode_itinerary

            for size in (0, 1):
                trip = sample().replace(stops=sample().stops[:size], title=f"Trip with {size} stops")
                page.goto(f"{url}/?trip={encode_itinerary(trip)}", timeout=60_000)
                page.get_by_role("heading", name=trip.title).wait_for(timeout=60_000)
                page.get_by_label("Trip title").wait_for(timeout=60_000)
                wait_for_app_idle(page, timeout_ms=60_000)
                alerts = page.locator('[data-testid="stAlert"]').all_inner_texts()
                assert not [a for a in alerts if "failed" in a], alerts
        finally:
            browser.close()
