"""``--geocoder`` on the CLI: queries really go to the named service (a fake one on
127.0.0.1), bad flags are one clear error, and without the flag no socket is opened."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from fake_nominatim import FakeNominatim
from test_no_network import no_network  # noqa: F401 - the fixture, used by name below
from trip.cli import main

UA = "trip-cli-tests/1.0 (loopback)"
# Far from the real Vladivostok (43.1, 131.9), so an answer from the fake cannot be the gazetteer's.
FAKE_LAT, FAKE_LON = 44.5, 133.5


@pytest.fixture
def server():
    with FakeNominatim() as fake:
        # a "town": the extractor would swap a small "city" for the gazetteer's big namesake
        fake.add_place("Vladivostok", FAKE_LAT, FAKE_LON, country_code="ru", importance=0.9,
                       addresstype="town")
        yield fake


@pytest.fixture
def unresolved_trip(tmp_path: Path) -> Path:
    path = tmp_path / "trip.csv"
    path.write_text("date,place,lat,lon\n2023-09-15,Khabarovsk,48.48,135.08\n2023-09-16,Vladivostok,,\n",
                    encoding="utf-8")
    return path


def online(server: FakeNominatim, tmp_path: Path, *extra: str) -> list[str]:
    return ["--geocoder", "nominatim", "--geocoder-url", server.url, "--user-agent", UA,
            "--online-cache", str(tmp_path / "online.sqlite"), *extra]


def asked(server: FakeNominatim) -> list[tuple[str, str]]:
    return [(r.params.get("q", ""), r.headers.get("user-agent", "")) for r in server.search_requests]


# -- the flag routes queries to the service -------------------------------------------------


def test_geocode_asks_the_named_service(server, tmp_path, capsys):
    assert main(["geocode", "Vladivostok", "--json", *online(server, tmp_path)]) == 0
    (result,) = json.loads(capsys.readouterr().out)
    assert (result["lat"], result["lon"], result["source"]) == (FAKE_LAT, FAKE_LON, "nominatim")
    assert asked(server) == [("Vladivostok", UA)]
    # the answer is kept in the cache file the flag named
    with sqlite3.connect(tmp_path / "online.sqlite") as db:
        assert db.execute("SELECT count(*) FROM entries").fetchone()[0] == 1


def test_geocode_answers_from_the_named_cache_without_asking_again(server, tmp_path, capsys):
    for _ in range(2):
        assert main(["geocode", "Vladivostok", "--json", *online(server, tmp_path)]) == 0
        assert json.loads(capsys.readouterr().out)[0]["lat"] == FAKE_LAT
    assert len(server.search_requests) == 1


@pytest.mark.parametrize("command", [["show", "--json"], ["map", "-o", "-"],
                                     ["export", "--to", "geojson", "-o", "-"]])
def test_show_map_and_export_resolve_missing_stops_online(command, server, tmp_path, unresolved_trip, capsys):
    name, *rest = command
    assert main([name, str(unresolved_trip), *rest, *online(server, tmp_path)]) == 0
    out = capsys.readouterr().out
    assert asked(server) == [("Vladivostok", UA)]  # the located stop is not sent
    if name == "show":
        stops = json.loads(out)["stops"]
        assert (stops[1]["lat"], stops[1]["lon"]) == (FAKE_LAT, FAKE_LON)
    elif name == "export":
        points = [f["geometry"]["coordinates"] for f in json.loads(out)["features"]
                  if f["properties"].get("feature") == "stop"]
        assert points[1] == [FAKE_LON, FAKE_LAT]
    else:
        assert str(FAKE_LAT) in out and str(FAKE_LON) in out


def test_extract_resolves_the_places_it_spots_online(server, tmp_path, capsys):
    article = tmp_path / "article.txt"
    article.write_text("Kim Jong Un arrived in Vladivostok on 16 September 2023, state media said.\n",
                       encoding="utf-8")
    assert main(["extract", str(article), "--json", *online(server, tmp_path)]) == 0
    stops = json.loads(capsys.readouterr().out)["stops"]
    vladivostok = next(s for s in stops if s["place"] == "Vladivostok")
    assert (vladivostok["lat"], vladivostok["lon"]) == (FAKE_LAT, FAKE_LON)
    assert ("Vladivostok", UA) in asked(server)


def test_a_failing_service_falls_back_to_the_offline_answer_with_a_warning(server, tmp_path, capsys):
    server.always("malformed")  # not retried: one request, then the gazetteer answers
    assert main(["geocode", "Vladivostok", *online(server, tmp_path)]) == 0
    table = capsys.readouterr().out
    assert "offline answer used" in table and "nominatim failed" in table
    assert "43.1" in table and str(FAKE_LAT) not in table
    assert len(server.search_requests) == 1


# -- clear errors ------------------------------------------------------------------------------


def test_an_unknown_service_lists_the_valid_ones(no_network, capsys):
    assert main(["geocode", "Vladivostok", "--geocoder", "nominatm", "--user-agent", UA]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and '"nominatm"' in err and 'did you mean "nominatim"' in err
    assert "photon" in err and "offline" in err and "Traceback" not in err
    assert no_network == []


@pytest.mark.parametrize("command", [["geocode", "Vladivostok"], ["show", "kim-2023"],
                                     ["map", "kim-2023", "-o", "-"], ["export", "kim-2023", "-o", "-"]])
def test_the_public_nominatim_needs_a_user_agent(command, no_network, capsys, monkeypatch):
    monkeypatch.delenv("TRIP_GEOCODER_USER_AGENT", raising=False)
    monkeypatch.delenv("TRIP_GEOCODER_URL", raising=False)
    assert main([*command, "--geocoder", "nominatim"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "--user-agent" in err and "usage policy" in err
    assert no_network == []


def test_the_user_agent_may_come_from_the_environment(server, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TRIP_GEOCODER_USER_AGENT", "from-env/2")
    monkeypatch.setenv("TRIP_GEOCODER_URL", server.url)
    assert main(["geocode", "Vladivostok", "--geocoder", "nominatim", "--json",
                 "--online-cache", str(tmp_path / "c.sqlite")]) == 0
    assert asked(server) == [("Vladivostok", "from-env/2")]


@pytest.mark.parametrize("flags", [["--user-agent", UA], ["--geocoder-url", "http://127.0.0.1:9"],
                                   ["--online-cache", "x.sqlite"]])
def test_online_flags_without_a_service_are_an_error(flags, no_network, capsys):
    assert main(["geocode", "Vladivostok", *flags]) == 2
    err = capsys.readouterr().err
    assert flags[0] in err and "only applies with --geocoder" in err
    assert no_network == []


def test_no_geocode_with_a_service_is_an_error(capsys):
    assert main(["show", "kim-2023", "--no-geocode", "--geocoder", "photon"]) == 2
    assert "cannot be combined with --no-geocode" in capsys.readouterr().err


def test_a_cache_in_a_missing_folder_is_an_error(server, tmp_path, capsys):
    missing = tmp_path / "nope" / "c.sqlite"
    assert main(["geocode", "Vladivostok", "--geocoder", "photon", "--geocoder-url", server.url,
                 "--online-cache", str(missing)]) == 2
    assert "folder that does not exist" in capsys.readouterr().err
    assert server.requests == []


# -- offline unless asked --------------------------------------------------------------------------


@pytest.mark.parametrize("command", [["geocode", "Vladivostok", "Artyom"], ["show", "{trip}"],
                                     ["map", "{trip}", "-o", "-"], ["export", "{trip}", "--to", "kml", "-o", "-"]])
def test_without_the_flag_no_socket_is_opened(command, unresolved_trip, no_network, capsys, monkeypatch):
    monkeypatch.setenv("TRIP_GEOCODER", "nominatim")  # the library's switch does not take the CLI online
    argv = [str(unresolved_trip) if part == "{trip}" else part for part in command]
    assert main(argv) == 0
    assert no_network == []
    assert capsys.readouterr().out


def test_extract_without_the_flag_opens_no_socket(tmp_path, no_network, capsys):
    article = tmp_path / "article.txt"
    article.write_text("Kim Jong Un arrived in Vladivostok on 16 September 2023.\n", encoding="utf-8")
    assert main(["extract", str(article), "--json"]) == 0
    stops = json.loads(capsys.readouterr().out)["stops"]
    assert any(s["place"] == "Vladivostok" and abs(s["lat"] - 43.1) < 0.3 for s in stops)
    assert no_network == []
