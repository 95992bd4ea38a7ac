"""``python -m trip export``: every format, default names, stdout, geocoding, clear errors."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from trip.cli import main
from trip.formats import load, read_itinerary, write_itinerary
from trip.samples import load_sample

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = "kim-jong-un-2023-far-east"


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("fmt", ["geojson", "gpx", "kml", "csv", "json"])
def test_data_formats_round_trip_through_the_cli(fmt, in_tmp, capsys):
    out = in_tmp / f"trip.{fmt}"
    assert main(["export", SAMPLE, "--to", fmt, "-o", str(out)]) == 0
    assert f"wrote {out} ({fmt}," in capsys.readouterr().out
    assert load(out) == load_sample(SAMPLE)


def test_html_is_the_default_and_named_after_the_input(in_tmp, capsys):
    source = in_tmp / "my trip.csv"
    source.write_bytes(write_itinerary(load_sample(SAMPLE), "csv"))
    assert main(["export", str(source)]) == 0
    page = (in_tmp / "my trip.html").read_bytes()
    assert page.startswith(b"<!DOCTYPE html>") and b"trip:content-hash" in page
    # a second run does not silently overwrite the default-named file
    assert main(["export", str(source)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["export", str(source), "--force"]) == 0


def test_format_follows_the_output_extension(in_tmp):
    assert main(["export", SAMPLE, "-o", "out.geo.json"]) == 0
    assert json.loads((in_tmp / "out.geo.json").read_text())["type"] == "FeatureCollection"
    assert main(["export", SAMPLE, "-o", "out.kml"]) == 0
    assert (in_tmp / "out.kml").read_bytes().startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<kml')


def test_dash_writes_to_stdout(in_tmp, capsysbinary):
    assert main(["export", SAMPLE, "--to", "gpx", "-o", "-"]) == 0
    data = capsysbinary.readouterr().out
    assert read_itinerary(data, format="gpx") == load_sample(SAMPLE)


def test_json_summary(in_tmp, capsys):
    assert main(["export", SAMPLE, "--to", "kml", "-o", "a.kml", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["format"] == "kml" and summary["stops"] == len(load_sample(SAMPLE))
    assert summary["bytes"] == (in_tmp / "a.kml").stat().st_size
    assert summary["unresolved"] == 0


def test_missing_coordinates_are_geocoded_offline(in_tmp, capsys):
    (in_tmp / "t.csv").write_text("place,date\nVladivostok,2023-09-16\nKhabarovsk,2023-09-17\n")
    assert main(["export", "t.csv", "--to", "geojson", "-o", "t.geojson"]) == 0
    trip = load(in_tmp / "t.geojson")
    assert all(stop.location is not None for stop in trip)
    assert round(trip[0].location.lat) == 43 and trip[0].place.source


def test_no_geocode_keeps_stops_unresolved_and_says_so(in_tmp, capsys):
    (in_tmp / "t.csv").write_text("place,date\nVladivostok,2023-09-16\nKhabarovsk,2023-09-17\n")
    assert main(["export", "t.csv", "--no-geocode", "-o", "t.html"]) == 0
    captured = capsys.readouterr()
    assert "2 stop(s) without coordinates are not on the map" in captured.err
    assert main(["export", "t.csv", "--no-geocode", "--to", "gpx", "-o", "t.gpx"]) == 0
    back = load(in_tmp / "t.gpx")
    assert [s.name for s in back] == ["Vladivostok", "Khabarovsk"] and not back.resolved_stops


@pytest.mark.parametrize(("argv", "message"), [
    (["export", "no-such-file.csv"], 'field "itinerary": "no-such-file.csv" is neither a file nor a sample'),
    (["export", SAMPLE, "-o", "x.docx"], 'field "output": "x.docx" has an extension no export format uses'),
    (["export", SAMPLE, "-o", "missing-dir/x.html"], "is in a folder that does not exist"),
    (["export", SAMPLE, "--to", "png", "--width", "5", "-o", "x.png"], "is out of range (expected 100 to 8000"),
])
def test_errors_are_one_line_with_status_2(argv, message, in_tmp, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert err.count("\n") == 1


def test_refuses_to_overwrite_its_input(in_tmp, capsys):
    (in_tmp / "t.csv").write_text("place,lat,lon\nA,1,2\n")
    assert main(["export", "t.csv", "--to", "csv", "-o", "t.csv"]) == 2
    assert "is the input file" in capsys.readouterr().err
    assert (in_tmp / "t.csv").read_text() == "place,lat,lon\nA,1,2\n"


def test_bad_input_file_reports_the_row(in_tmp, capsys):
    (in_tmp / "t.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [10, 100]},
         "properties": {"place": "Far"}}]}))
    assert main(["export", "t.geojson"]) == 2
    assert 'feature 1, field "lat": 100 is out of range' in capsys.readouterr().err


@pytest.mark.browser
def test_png_export_through_the_module_entry_point(in_tmp):
    result = subprocess.run(
        [sys.executable, "-m", "trip", "export", SAMPLE, "--to", "png", "--width", "400",
         "--height", "300", "-o", "map.png"],
        cwd=in_tmp, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr
    assert (in_tmp / "map.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert "wrote map.png (png," in result.stdout


def test_readme_examples_run(in_tmp):
    """Every ``python -m trip export`` line in docs/readme/exports.md works as written."""
    doc = (ROOT / "docs" / "readme" / "exports.md").read_text(encoding="utf-8")
    lines = [line.split("#", 1)[0].strip() for line in doc.splitlines()
             if line.startswith("python -m trip export ") and "[" not in line]
    assert len(lines) >= 4
    (in_tmp / "my-trip.csv").write_bytes(write_itinerary(load_sample("hanoi-beijing-rail"), "csv"))
    for line in lines:
        argv = shlex.split(line)[3:]
        assert main(argv) == 0, line
        out = argv[argv.index("-o") + 1]
        assert (in_tmp / out).stat().st_size > 0, line
