"""``python -m trip extract`` end to end, with the real offline gazetteer."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from trip.cli import main
from trip.formats import load

ROOT = Path(__file__).resolve().parent.parent
KIM = ROOT / "data" / "articles" / "kim-2023.txt"
PUTIN = ROOT / "data" / "articles" / "putin-2024-asia.txt"
PUTIN_EVAL = ROOT / "tests" / "eval" / "articles" / "d09-putin-pyongyang-hanoi-2024.txt"


def run_json(capsys, *argv: str) -> dict:
    assert main(["extract", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_kim_far_east_trip(capsys) -> None:
    data = run_json(capsys, str(KIM), "--published", "2023-09-18")
    got = [(s["place"], s["date"], s["status"]) for s in data["stops"]]
    expected = [
        ("Pyongyang", "2023-09-10", "origin"),
        ("Khasan border station", "2023-09-12", "visited"),
        ("Vostochny Cosmodrome", "2023-09-13", "visited"),
        ("Komsomolsk-on-Amur", "2023-09-15", "visited"),
        ("Artëm", "2023-09-16", "visited"),
        ("Vladivostok International Airport (Knevichi)", "2023-09-16", "visited"),
        ("Vladivostok", "2023-09-16", "visited"),
        ("Russky Island", "2023-09-16", "visited"),
    ]
    for stop in expected:
        assert stop in got
    assert got.index(expected[0]) < got.index(expected[1]) < got.index(expected[3]) < got.index(expected[6])
    assert ("Pyongyang", "2023-09-19", "planned") in got
    for stop in data["stops"]:
        assert stop["lat"] is not None and stop["lon"] is not None
        assert stop["evidence"] and stop["source"] == "kim-2023.txt"
        assert 0 < stop["confidence"] <= 1
    artyom = next(s for s in data["stops"] if s["place"] == "Artëm")
    assert artyom["country"] == "RU" and "Artyom" in artyom["evidence"]
    reasons = {m["text"]: m["reason"] for m in data["mentions"]}
    assert "reaction" in reasons["Washington"] and "reaction" in reasons["Seoul"]
    assert "reference point" in reasons["Vladivostok"]
    assert "country" in reasons["Russia"]


def test_table_output_and_itinerary_file(tmp_path, capsys) -> None:
    out = tmp_path / "kim.csv"
    assert main(["extract", str(KIM), "--published", "2023-09-18", "-o", str(out)]) == 0
    captured = capsys.readouterr()
    assert "Khasan" in captured.out and "Mentioned, not stops" in captured.out
    assert "wrote" in captured.err
    itinerary = load(out)
    assert len(itinerary) >= 9
    first = itinerary.stops[0]
    assert first.place.name == "Pyongyang" and str(first.status) == "origin"
    assert "Pyongyang" in first.evidence and first.sources[0].title == "kim-2023.txt"


def test_two_articles_merge_into_one_itinerary(capsys) -> None:
    data = run_json(capsys, str(PUTIN), str(PUTIN_EVAL))
    pyongyang = [s for s in data["stops"] if s["place"] == "Pyongyang"]
    assert len(pyongyang) == 1
    assert pyongyang[0]["date"] == "2024-06-19"
    assert sorted(pyongyang[0]["source"]) == sorted([PUTIN.name, PUTIN_EVAL.name])


def test_standard_input(monkeypatch, capsys) -> None:
    text = "Scholz in Shanghai\n\nOlaf Scholz arrived in Shanghai on Monday."
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    data = run_json(capsys, "-", "--published", "2024-04-16")
    assert [(s["place"], s["date"]) for s in data["stops"]] == [("Shanghai", "2024-04-15")]


@pytest.mark.parametrize("argv, message", [
    (["missing-article.txt"], "cannot be opened"),
    (["https://example.com/news"], "works offline"),
])
def test_errors_are_one_line(argv, message, capsys) -> None:
    assert main(["extract", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_bad_publication_date(capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["extract", str(KIM), "--published", "18/09/2023"])
    assert exc.value.code == 2
    assert "expected YYYY-MM-DD" in capsys.readouterr().err
