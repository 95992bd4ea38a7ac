"""Score the extractor against the hand-labelled articles in this folder.

Run ``python tests/eval/evaluate.py [--split dev|heldout|heldout2|heldout3|heldout4|all] [-v]`` to print the figures
and every miss; ``tests/test_extract_eval.py`` asserts the thresholds.

Matching: an extracted stop matches a labelled one when the name as written, the
gazetteer's name or one of the label's aliases agree (case and accents ignored).
Each label is matched at most once, preferring the extracted stop with the same date.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from trip.extract import Extractor, read_article  # noqa: E402
from trip.geo import LatLon, distance_km  # noqa: E402


def norm(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join("".join(c if c.isalnum() else " " for c in text).split())


@dataclass
class Score:
    expected: int = 0
    found: int = 0
    matched: int = 0
    false_positives: int = 0
    dates_right: int = 0
    status_right: int = 0
    geocoded_right: int = 0
    geocoded_checked: int = 0
    problems: list[str] = field(default_factory=list)
    articles: int = 0
    distractors: int = 0  # labelled non-stops (reactions, metonymy, countries, …) checked
    distractors_as_stops: int = 0

    @property
    def recall(self) -> float:
        return self.matched / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        return self.matched / (self.matched + self.false_positives) if self.matched + self.false_positives else 1.0

    @property
    def date_accuracy(self) -> float:
        return self.dates_right / self.matched if self.matched else 1.0

    @property
    def status_accuracy(self) -> float:
        return self.status_right / self.matched if self.matched else 1.0

    @property
    def geocoding_accuracy(self) -> float:
        return self.geocoded_right / self.geocoded_checked if self.geocoded_checked else 1.0

    def line(self, label: str) -> str:
        return (f"{label}: {self.articles} articles, {self.expected} labelled stops — recall {self.recall:.1%}, "
                f"precision {self.precision:.1%}, dates right {self.date_accuracy:.1%}, "
                f"status right {self.status_accuracy:.1%}, placed within 50 km {self.geocoding_accuracy:.1%}, "
                f"distractors kept out {1 - self.distractors_as_stops / max(1, self.distractors):.1%} "
                f"of {self.distractors}")


def _names(stop) -> set[str]:
    return {norm(stop.text), norm(stop.place.name)}


def _label_names(label: dict) -> set[str]:
    return {norm(label["place"])} | {norm(a) for a in label.get("aliases", [])}


def _dates(label: dict) -> list[str | None]:
    value = label.get("date")
    return value if isinstance(value, list) else [value]


def _matches(stop, label: dict) -> bool:
    names, wanted = _names(stop), _label_names(label)
    if names & wanted:
        return True
    # "Vladivostok International Airport (Knevichi)" for the label "Knevichi"
    return any(w and w in n.split(" ") or (len(w.split()) > 1 and w in n) for w in wanted for n in names)


#: The day the set was labelled: "Wednesday, September 13" means the most recent such year
#: *as of then* (2023); a later run must not read it as 2028.
LABELLED_ON = dt.date(2026, 11, 21)


def make_extractor() -> Extractor:
    return Extractor(today=LABELLED_ON)


def score(split: str = "all", extractor: Extractor | None = None) -> Score:
    labels = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
    extractor = extractor or make_extractor()
    total = Score()
    for art in labels["articles"]:
        if split != "all" and art["split"] != split:
            continue
        total.articles += 1
        published = dt.date.fromisoformat(art["published"]) if art.get("published") else None
        result = extractor.extract(read_article(HERE / art["file"]), published=published)
        stops = list(result.stops)
        used: set[int] = set()
        for label in art["stops"]:
            options = [i for i, s in enumerate(stops) if i not in used and _matches(s, label)]
            if not options:
                if not label.get("optional"):
                    total.expected += 1
                    total.problems.append(f"{art['file']}: MISSED {label['place']} {label.get('date')}")
                continue
            dates = _dates(label)
            options.sort(key=lambda i: (str(stops[i].date) if stops[i].date else None) not in dates)
            i = options[0]
            used.add(i)
            if label.get("optional"):
                continue
            total.expected += 1
            total.matched += 1
            stop = stops[i]
            got = stop.date.isoformat() if stop.date else None
            if got in dates:
                total.dates_right += 1
            else:
                total.problems.append(f"{art['file']}: DATE {label['place']}: got {got}, want {label.get('date')}"
                                      f" (from “{stop.date_text}”)")
            if stop.status == label.get("status", "visited"):
                total.status_right += 1
            else:
                total.problems.append(f"{art['file']}: STATUS {label['place']}: got {stop.status}, "
                                      f"want {label.get('status')}")
            if "lat" in label and stop.place.location is not None:
                total.geocoded_checked += 1
                d = distance_km(stop.place.location, LatLon(label["lat"], label["lon"]))
                if d <= 50:
                    total.geocoded_right += 1
                else:
                    total.problems.append(f"{art['file']}: PLACED {label['place']} {d:.0f} km away "
                                          f"({stop.place.name}, {stop.place.country})")
            elif "lat" in label:
                total.geocoded_checked += 1
                total.problems.append(f"{art['file']}: UNRESOLVED {label['place']}")
        total.found += len(stops)
        stop_names = {norm(n) for lab in art["stops"] for n in [lab["place"], *lab.get("aliases", [])]}
        for name in art.get("mentions", []):
            if norm(name) in stop_names:
                continue  # the same name is also a stop of this trip (Berlin visited, "Berlin said")
            total.distractors += 1
            if any(norm(name) in _names(s) for s in stops):
                total.distractors_as_stops += 1
                total.problems.append(f"{art['file']}: DISTRACTOR {name} became a stop")
        for i, s in enumerate(stops):
            if i not in used:
                total.false_positives += 1
                total.problems.append(f"{art['file']}: EXTRA {s.text} ({s.place.name}) {s.date} {s.status}"
                                      f" — {s.evidence[0][:100]}")
    return total


def main(argv: list[str]) -> int:
    split = "dev"
    if "--split" in argv:
        split = argv[argv.index("--split") + 1]
    extractor = make_extractor()
    labels = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
    splits = list(dict.fromkeys(a["split"] for a in labels["articles"]))
    for name in ([split] if split != "all" else [*splits, "all"]):
        result = score(name, extractor)
        print(result.line(name))
        if "-v" in argv and name != "all":
            for p in result.problems:
                print("   ", p)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
