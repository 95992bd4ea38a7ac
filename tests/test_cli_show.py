"""`python -m trip show` and `python -m trip map`."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest

from trip.cli import main
from trip.cli.show import geocode_missing
from trip.geo import LatLon
from trip.itinerary import Itinerary, Place, Stop

ROOT = Path(__file__).resolve().parent.parent


def test_help_lists_show_and_map():
    out = subprocess.run([sys.executable, "-m", "trip"], cwd=ROOT, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0
    assert re.search(r"^\s+show\s", out.stdout, re.M) and re.search(r"^\s+map\s", out.stdout, re.M)


def test_show_prints_stops_legs_totals(capsys):
    assert main(["show", "kim-jong-un-2023-far-east"]) == 0
    out = capsys.readouterr().out
    assert "Kim Jong Un in the Russian Far East" in out
    assert re.search(r"^3\s+2023-09-13\s+Vostochny Cosmodrome\s+51\.8844\s+128\.3339\s+train\s+visited$", out, re.M)
    # One calendar day apart, Vladivostok to Yakutsk time: 1–49 h, so 22 to 1,066 km/h.
    assert re.search(r"Khasan → Vostochny Cosmodrome\s+train\s+1,066\s+1\s+1\.0–49\s+22–1,066$", out, re.M)
    assert "Total: 7 stops, 3,171 km, 8 days (2023-09-10 to 2023-09-17)" in out


def test_show_json_has_the_documented_shape(capsys):
    assert main(["show", "tokyo-honolulu-los-angeles", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {"stops", "legs", "total_km", "days", "warnings"} <= set(doc)
    assert {"place", "lat", "lon", "date"} <= set(doc["stops"][0])
    assert doc["stops"][1]["place"] == "Honolulu (HNL)" and doc["stops"][1]["lon"] == -157.9225
    assert doc["legs"][0]["crosses_antimeridian"] is True
    assert doc["legs"][0]["distance_km"] == pytest.approx(6202, abs=10)
    assert doc["total_km"] == pytest.approx(10315, abs=20) and doc["days"] == 8
    assert doc["warnings"] == []


def test_show_reads_files_and_reports_warnings(tmp_path, capsys):
    path = tmp_path / "fast.csv"
    path.write_text("date,place,lat,lon,mode\n2023-09-16,Vladivostok,43.1155,131.8855,\n"
                    "2023-09-16,Moscow,55.7558,37.6173,car\n2023-09-17,Atlantis,,,\n", encoding="utf-8")
    assert main(["show", str(path), "--json", "--no-geocode"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert any("faster than is plausible by car" in w for w in doc["warnings"])
    assert any('stop 3 "Atlantis" has no coordinates' in w for w in doc["warnings"])
    assert doc["stops"][2]["lat"] is None


def test_map_writes_a_self_contained_page(tmp_path, capsys):
    out = tmp_path / "map.html"
    assert main(["map", "hanoi-beijing-rail", "-o", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert "TripMap.stopsLayer" in html and "<title>Hanoi to Beijing by train</title>" in html
    assert not re.search(r"<(script|link)[^>]+(src|href)=\"https?:", html)
    assert "wrote" in capsys.readouterr().err


def test_map_reports_unresolved_stops_on_stderr(tmp_path, capsys):
    path = tmp_path / "trip.json"
    path.write_text(json.dumps({"stops": [{"place": "Artyom", "lat": 43.36, "lon": 132.19},
                                          {"place": "Nowhere at all"}]}), encoding="utf-8")
    assert main(["map", str(path), "-o", str(tmp_path / "m.html"), "--no-geocode", "--tiles", "none"]) == 0
    err = capsys.readouterr().err
    assert 'warning: stop 2 "Nowhere at all" has no coordinates and is not on the map' in err
    assert "(1 of 2 stops on the map" in err


def test_map_geocodes_missing_coordinates_through_resolve_itinerary(tmp_path, capsys, monkeypatch):
    """The CLI hands the whole trip to resolve_itinerary and prints what it warns about."""
    calls = []

    def fake_resolve(itinerary, geocoder=None):
        calls.append((len(itinerary), geocoder))
        stops = tuple(s if s.location else s.replace(place=Place(s.name, LatLon(43.1155, 131.8855),
                                                                 source="fake"))
                      for s in itinerary.stops)
        return itinerary.replace(stops=stops), ['"Vladivostok" resolved to the city (fake)']

    module = types.ModuleType("trip.geocoding.resolve")
    module.resolve_itinerary = fake_resolve
    monkeypatch.setitem(sys.modules, "trip.geocoding.resolve", module)
    monkeypatch.setattr("trip.cli.show._default_geocoder", lambda: "the-offline-geocoder")
    path = tmp_path / "trip.csv"
    path.write_text("place,lat,lon\nArtyom,43.36,132.19\nVladivostok,,\n", encoding="utf-8")
    assert main(["show", str(path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert calls == [(2, "the-offline-geocoder")]
    assert doc["stops"][1]["lat"] == 43.1155 and doc["stops"][1]["place_source"] == "fake"
    assert doc["warnings"] == ['"Vladivostok" resolved to the city (fake)']


def test_fully_located_trips_are_not_geocoded():
    trip = Itinerary((Stop(Place("A", LatLon(1, 1))),))
    assert geocode_missing(trip, geocoder=object()) == (trip, [])


def test_unknown_itinerary_is_one_clear_error(capsys):
    assert main(["show", "no-such-trip"]) == 2
    err = capsys.readouterr().err
    assert err.startswith('error: field "itinerary": "no-such-trip" is neither a file nor a sample trip')
    assert "kim-jong-un-2023-far-east" in err and "Traceback" not in err


def test_bad_file_errors_name_rows(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text("place,date\nA,2023-02-30\nB,soon\n", encoding="utf-8")
    assert main(["map", str(path), "-o", str(tmp_path / "x.html")]) == 2
    err = capsys.readouterr().err
    assert 'row 2, column "date": "2023-02-30" is not a date' in err
    assert 'row 3, column "date": "soon" is not a date' in err
    assert not (tmp_path / "x.html").exists()


def test_missing_coordinates_are_filled_by_the_offline_gazetteer(offline_geocoder):
    trip = Itinerary((Stop("Khasan", date="2023-09-12"), Stop("Vostochny Cosmodrome", date="2023-09-13"),
                      Stop("Komsomolsk-on-Amur", date="2023-09-15"), Stop("Xyzzyville Qwerty")))
    resolved, warnings = geocode_missing(trip, geocoder=offline_geocoder)
    assert resolved[1].location is not None
    assert abs(resolved[1].location.lat - 51.88) < 0.5 and abs(resolved[1].location.lon - 128.33) < 0.5
    assert abs(resolved[2].location.lat - 50.55) < 0.2
    assert resolved[3].location is None and len(resolved) == 4
    assert any("Xyzzyville Qwerty" in w for w in warnings)


def test_show_prints_speed_ranges_not_a_single_average(capsys):
    assert main(["show", "kim-jong-un-2023-far-east", "--no-geocode"]) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if "Pyongyang → Khasan" in x)
    # 559 km, 10 → 12 September (Pyongyang and Vladivostok time): 23–71 h, 7.9–24 km/h.
    assert line.split()[-2:] == ["23–71", "7.9–24"]
    assert " 12 " not in line  # the old whole-day average (559 km / 48 h) is gone from the table
    same_day = next(x for x in out.splitlines() if "Artyom → Knevichi" in x)
    assert same_day.split()[-3:] == ["0–24", "≥", "0.2"]  # same date: 0 to 24 h, no upper speed bound


def test_show_json_keeps_old_leg_fields_and_adds_the_range(capsys):
    assert main(["show", "kim-jong-un-2023-far-east", "--json", "--no-geocode"]) == 0
    leg = json.loads(capsys.readouterr().out)["legs"][0]
    assert leg["days"] == 2 and leg["speed_kmh"] == pytest.approx(559 / 48, abs=0.2)
    assert (leg["min_hours"], leg["max_hours"]) == (23.0, 71.0)
    assert leg["speed_min_kmh"] == pytest.approx(559 / 71, abs=0.1)
    assert leg["speed_max_kmh"] == pytest.approx(559 / 23, abs=0.2)
    assert leg["speed_range"] == "7.9–24" and leg["plausible"] is True


def test_show_warning_names_the_lowest_speed(tmp_path, capsys):
    path = tmp_path / "fast.csv"
    path.write_text("date,place,lat,lon,mode\n2023-09-16,Vladivostok,43.1155,131.8855,\n"
                    "2023-09-16,Moscow,55.7558,37.6173,car\n", encoding="utf-8")
    assert main(["show", str(path), "--no-geocode"]) == 0
    out = capsys.readouterr().out
    assert "in at most 24.0 h needs at least 268 km/h" in out and "even at the lowest speed" in out
    assert "implausible" in out
