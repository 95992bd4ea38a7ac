"""``python -m trip geocode``: the JSON contract, the table, the errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from trip.cli import main

KEYS = ["query", "name", "lat", "lon", "country", "kind", "source", "confidence", "candidates"]


def _json(capsys, argv):
    code = main(argv)
    out = capsys.readouterr().out
    return code, json.loads(out)


def test_json_shape_one_object_per_name_in_order(capsys):
    code, data = _json(capsys, ["geocode", "--json", "Vladivostok", "Артём", "Qqxxzzv"])
    assert code == 1  # one name unresolved
    assert [d["query"] for d in data] == ["Vladivostok", "Артём", "Qqxxzzv"]
    vlad, artyom, unknown = data
    assert list(vlad) == KEYS
    assert vlad["name"] == "Vladivostok" and vlad["country"] == "RU" and vlad["kind"] == "city"
    assert isinstance(vlad["lat"], float) and isinstance(vlad["lon"], float)
    assert vlad["source"] == "geonames" and 0 < vlad["confidence"] <= 1
    cand = vlad["candidates"][0]
    assert {"name", "lat", "lon", "country", "kind", "source", "confidence", "reason"} <= set(cand)
    assert artyom["name"] == "Artëm"
    assert list(unknown) == KEYS + ["reason"]
    assert unknown["lat"] is None and unknown["lon"] is None and unknown["reason"]


def test_route_json(capsys):
    code, data = _json(capsys, ["geocode", "--route", "--json", "Nanning", "Pingxiang",
                                "Dong Dang"])
    assert code == 0
    assert data[1]["name"] == "Pingxiang" and 22 < data[1]["lat"] < 22.3
    assert data[2]["country"] == "VN"


def test_route_unresolved_has_reason(capsys, monkeypatch):
    code, data = _json(capsys, ["geocode", "--route", "--json", "Vladivostok", "Khasan"])
    assert code == 0 and data[1]["country"] == "RU"


def test_table_output(capsys):
    assert main(["geocode", "--route", "Nanning", "Pingxiang"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:3] == ["QUERY", "PLACE", "LAT"]
    assert "Pingxiang" in out and "fits the route" in out


@pytest.mark.parametrize("argv, message", [
    (["geocode", ""], "is empty"),
    (["geocode", "x" * 300], "too long"),
])
def test_bad_queries_exit_2_with_one_line(capsys, argv, message):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_module_entry_point_runs():
    proc = subprocess.run([sys.executable, "-m", "trip", "geocode", "--json", "Baikonur"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)[0]["country"] == "KZ"
