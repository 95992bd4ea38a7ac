"""The labelled evaluation set (tests/eval/): quality thresholds the extractor must keep.

Stop recall ≥ 95 %, precision ≥ 90 %, dates right ≥ 90 % over every labelled article,
and at least 98 % of the labelled distractors (capitals in reactions, metonymy, countries,
reference points, other people's journeys) must stay out of the stops. ``python tests/eval/evaluate.py
--split all -v`` prints the figures per split and every miss.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "eval"))

from evaluate import HERE, Score, make_extractor, score  # noqa: E402

from trip.extract import Extractor  # noqa: E402


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return make_extractor()


@pytest.fixture(scope="module")
def overall(extractor: Extractor) -> Score:
    return score("all", extractor)


def test_the_set_is_big_enough_and_varied() -> None:
    labels = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
    articles = labels["articles"]
    assert len(articles) >= 10
    assert any(a["file"].endswith(".html") for a in articles)
    assert sum(len(a["mentions"]) for a in articles) >= 50
    for art in articles:
        assert (HERE / art["file"]).is_file()


def test_thresholds(overall: Score) -> None:
    print(overall.line("all"))
    assert overall.recall >= 0.95, overall.problems
    assert overall.precision >= 0.90, overall.problems
    assert overall.date_accuracy >= 0.90, overall.problems


def test_distractors_are_not_stops(overall: Score) -> None:
    assert overall.distractors >= 50
    kept_out = 1 - overall.distractors_as_stops / overall.distractors
    assert kept_out >= 0.98, [p for p in overall.problems if "DISTRACTOR" in p]


def test_places_are_located(overall: Score) -> None:
    assert overall.geocoding_accuracy >= 0.90, [p for p in overall.problems if "PLACED" in p]
