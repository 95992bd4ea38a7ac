"""trip.extract with a small fake gazetteer: stops versus mentions, dates, merging, output."""

from __future__ import annotations

import datetime as dt

import pytest

from trip.extract import Extractor, article_from_text, merge_extractions
from trip.geo import LatLon
from trip.geocoding import Candidate
from trip.itinerary import DatePrecision, Itinerary, Source, Status


def cand(name: str, lat: float, lon: float, country: str, kind: str = "city", pop: int = 500_000,
         conf: float = 0.9) -> Candidate:
    return Candidate(name, LatLon(lat, lon), country, kind, "fake", conf, "fake entry", pop, "",
                     f"fake:{name.lower().replace(' ', '-')}:{country}")


class FakeIndex:
    """Exact-name lookups over a handful of places, like the real gazetteer's ``lookup``."""

    def __init__(self) -> None:
        world = [
            cand("Lisbon", 38.72, -9.14, "PT"), cand("Porto", 41.15, -8.61, "PT"),
            cand("Madrid", 40.42, -3.70, "ES"), cand("Paris", 48.86, 2.35, "FR"),
            cand("Moscow", 55.76, 37.62, "RU"), cand("Washington", 38.90, -77.04, "US"),
            cand("Hanoi", 21.03, 105.85, "VN"), cand("Haiphong", 20.86, 106.68, "VN"),
            cand("Chicago", 41.88, -87.63, "US"), cand("Riga", 56.95, 24.11, "LV"),
            cand("Portugal", 39.5, -8.0, "PT", kind="country", pop=10_000_000),
            cand("France", 46.6, 2.2, "FR", kind="country", pop=67_000_000),
            cand("Kim", 22.7, 88.4, "IN", pop=18_000),
        ]
        self.places: dict[str, list[Candidate]] = {}
        for c in world:
            self.places.setdefault(c.name.lower(), []).append(c)
        # two Springfields: the fake ranks the Massachusetts one first
        self.places["springfield"] = [cand("Springfield", 42.10, -72.59, "US", pop=155_000),
                                      cand("Springfield", 39.80, -89.65, "US", pop=114_000, conf=0.4)]
        self.calls = 0

    def lookup(self, name: str) -> list[Candidate]:
        self.calls += 1
        return list(self.places.get(name.lower(), []))


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor(FakeIndex(), today=dt.date(2026, 1, 1))


PUB = dt.date(2024, 3, 6)  # a Wednesday


def run(extractor: Extractor, text: str, published: dt.date | None = PUB, source: str = "a.txt"):
    return extractor.extract(article_from_text(text, source=source), published=published)


def stops(result) -> list[tuple[str, str | None, str]]:
    return [(s.place.name, s.date.isoformat() if s.date else None, s.status) for s in result.stops]


def reasons(result) -> dict[str, str]:
    return {m.text: m.reason for m in result.mentions}


def test_stop_with_reactions_and_metonymy(extractor: Extractor) -> None:
    r = run(extractor, "Macron in Lisbon\n\nPresident Emmanuel Macron arrived in Lisbon on Monday. "
                       "Officials in Madrid welcomed the visit, and Moscow said it changed nothing.")
    assert stops(r) == [("Lisbon", "2024-03-04", "visited")]
    why = reasons(r)
    assert "reaction" in why["Madrid"]
    assert "reaction" in why["Moscow"] or "metonymy" in why["Moscow"]
    assert r.travellers == ("Emmanuel Macron",)


@pytest.mark.parametrize("sentence, place, word", [
    ("His train crossed into Portugal on Monday.", "Portugal", "country"),
    ("Moscow's state media called the trip a provocation.", "Moscow", "metonymy"),
    ("The plane, lent by Paris, landed on Monday.", "Paris", "metonymy"),
    ("He met Joe Biden, who had flown in from Washington on Sunday.", "Washington", "someone else"),
    ("A storm hit Haiphong on Monday.", "Haiphong", "no sign"),
    ("He stayed at a lodge about 40 km north of Porto on Monday.", "Porto", "reference point"),
])
def test_places_that_are_not_stops(extractor: Extractor, sentence: str, place: str, word: str) -> None:
    r = run(extractor, f"Travels\n\nPresident Jan Novak toured the region. {sentence}")
    assert place not in [s.place.name for s in r.stops]
    assert word in reasons(r)[place]


def test_a_person_named_like_a_town_is_not_a_stop(extractor: Extractor) -> None:
    r = run(extractor, "Kim Jong Un arrived in Hanoi on Tuesday. Kim later visited Haiphong.")
    assert [name for name, *_ in stops(r)] == ["Hanoi", "Haiphong"]
    assert "Kim" not in reasons(r)


def test_distance_phrase_picks_the_right_namesake(extractor: Extractor) -> None:
    r = run(extractor, "Lincoln tour\n\nSenator Ann Moore stopped in Springfield on Monday, "
                       "about 300 kilometres south-west of Chicago.")
    (stop,) = r.stops
    assert stop.place.location.lon == pytest.approx(-89.65)
    assert "reference point" in reasons(r)["Chicago"]


def test_status_from_tense_and_verbs(extractor: Extractor) -> None:
    r = run(extractor, "Tour\n\nMinister Eva Lind left Paris on Monday and arrived in Lisbon the next "
                       "day. She will travel to Porto on Friday.")
    assert stops(r) == [("Paris", "2024-03-04", "origin"), ("Lisbon", "2024-03-05", "visited"),
                        ("Porto", "2024-03-08", "planned")]


@pytest.mark.parametrize("phrase, expected", [
    ("on Saturday", "2024-03-02"),          # past tense: the Saturday before
    ("last Thursday evening", "2024-02-29"),
    ("yesterday", "2024-03-05"),
    ("today", "2024-03-06"),
    ("on March 1", "2024-03-01"),
    ("on 28 February", "2024-02-28"),
])
def test_dates_resolve_against_publication(extractor: Extractor, phrase: str, expected: str) -> None:
    r = run(extractor, f"Trip\n\nMinister Eva Lind arrived in Riga {phrase}.")
    assert stops(r) == [("Riga", expected, "visited")]
    assert r.stops[0].date_precision == "day"


def test_future_weekday_is_the_next_one(extractor: Extractor) -> None:
    r = run(extractor, "Trip\n\nMinister Eva Lind will fly to Riga on Saturday, and tomorrow she is "
                       "expected in Madrid.")
    assert stops(r) == [("Madrid", "2024-03-07", "planned"), ("Riga", "2024-03-09", "planned")]


def test_publication_date_from_weekday_and_date(extractor: Extractor) -> None:
    r = run(extractor, "Wednesday, September 13\n\nMinister Eva Lind arrived in Riga on Tuesday.",
            published=None)
    assert r.published == dt.date(2023, 9, 13)
    assert stops(r) == [("Riga", "2023-09-12", "visited")]


def test_without_a_publication_date_relative_dates_stay_empty(extractor: Extractor) -> None:
    r = run(extractor, "Minister Eva Lind arrived in Riga on Tuesday.", published=None)
    assert stops(r) == [("Riga", None, "visited")]
    assert any("no publication date" in w for w in r.warnings)


def test_dateline_is_a_weak_stop(extractor: Extractor) -> None:
    r = run(extractor, "Talks end\n\nLISBON, Portugal — Minister Eva Lind ended two days of talks "
                       "on Wednesday.")
    (stop,) = r.stops
    assert stop.place.name == "Lisbon" and stop.cue == "dateline" and stop.confidence < 0.6


def test_several_articles_merge_into_one_stop_per_place_and_day(extractor: Extractor) -> None:
    a = run(extractor, "Minister Eva Lind arrived in Riga on Monday.", source="a.txt")
    b = run(extractor, "Eva Lind landed in Riga on Monday and then flew to Lisbon on Tuesday.",
            source="https://news.example/b")
    merged = merge_extractions([a, b])
    assert stops(merged) == [("Riga", "2024-03-04", "visited"), ("Lisbon", "2024-03-05", "visited")]
    riga = merged.stops[0]
    assert riga.sources == ("a.txt", "https://news.example/b")
    assert len(riga.evidence) == 2
    itinerary = merged.itinerary()
    assert isinstance(itinerary, Itinerary)
    stop = itinerary.stops[0]
    assert stop.sources == (Source(title="a.txt"), Source(url="https://news.example/b"))
    assert "arrived in Riga on Monday" in stop.evidence
    assert stop.status is Status.VISITED and stop.date_precision is DatePrecision.DAY
    assert 0 < stop.place.confidence <= 1 and stop.place.location is not None


def test_same_place_on_another_day_is_another_stop(extractor: Extractor) -> None:
    r = run(extractor, "Trip\n\nMinister Eva Lind arrived in Lisbon on Friday, March 1. She went "
                       "to Madrid on Saturday and returned to Lisbon on Monday, March 4.")
    assert stops(r) == [("Lisbon", "2024-03-01", "visited"), ("Madrid", "2024-03-02", "visited"),
                        ("Lisbon", "2024-03-04", "visited")]


def test_json_shape(extractor: Extractor) -> None:
    r = run(extractor, "Minister Eva Lind arrived in Riga on Monday. France said nothing.")
    data = r.to_json()
    assert set(data) >= {"stops", "mentions"}
    stop = data["stops"][0]
    assert set(stop) >= {"place", "lat", "lon", "date", "date_precision", "status", "confidence",
                         "evidence", "source"}
    assert stop["date"] == "2024-03-04" and stop["source"] == "a.txt"
    assert data["mentions"][0]["place"] == "France" and data["mentions"][0]["reason"]


def test_html_menus_and_scripts_are_not_read(extractor: Extractor) -> None:
    html = ("<html><head><title>Lind in Riga</title><script>var x='Moscow';</script></head><body>"
            "<nav><a href='/paris'>Paris</a></nav><article><p>Minister Eva Lind arrived in Riga "
            "on Monday.</p></article><footer>Madrid office</footer></body></html>")
    r = extractor.extract(article_from_text(html, source="page.html"), published=PUB)
    assert stops(r) == [("Riga", "2024-03-04", "visited")]
    assert not {"Paris", "Moscow", "Madrid"} & set(reasons(r))


def test_lookups_are_cached(extractor: Extractor) -> None:
    index: FakeIndex = extractor.spotter.index  # type: ignore[assignment]
    run(extractor, "Minister Eva Lind arrived in Riga on Monday.")
    before = index.calls
    run(extractor, "Minister Eva Lind arrived in Riga on Monday.")
    assert index.calls == before


# -- robustness ----------------------------------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_WORDS = st.sampled_from([
    "Lisbon", "Riga", "Kim", "Springfield", "Portugal", "on", "Monday", "the", "next", "day", "arrived",
    "in", "at", "from", "to", "will", "fly", "said", "officials", "about", "40", "km", "north", "of",
    "President", "Eva", "Lind", ",", ".", "'s", "—", "\n\n", "Sept.", "13", "2024", "May", "who",
    "and", "then", "HANOI", "(", ")", "“", "”", "é", "Münster", "tomorrow", "last", "Friday",
])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.lists(_WORDS, max_size=60), junk=st.text(max_size=40))
def test_any_text_gives_an_extraction_never_a_crash(extractor: Extractor, words: list[str], junk: str
                                                     ) -> None:
    text = " ".join(words) + junk
    for published in (PUB, None):
        r = extractor.extract(article_from_text(text, source="fuzz"), published=published)
        itinerary = r.itinerary()
        assert len(itinerary) == len(r.stops)
        for stop in r.stops:
            assert stop.evidence and all(e in text.replace("\n\n", " ") or e for e in stop.evidence)
            assert stop.status in ("visited", "planned", "origin")


def test_undated_plans_come_after_dated_stops(extractor: Extractor) -> None:
    r = run(extractor, "Trip\n\nMinister Eva Lind will go on to Porto later. She arrived in Riga on "
                       "Monday and in Madrid on Tuesday.")
    assert stops(r) == [("Riga", "2024-03-04", "visited"), ("Madrid", "2024-03-05", "visited"),
                        ("Porto", None, "planned")]


def test_another_leader_elsewhere_in_a_headline_is_not_a_stop(extractor: Extractor) -> None:
    r = run(extractor, "Lind visits Riga as Kim Jong Un meets leaders in Hanoi\n\nMinister Eva Lind "
                       "arrived in Riga on Monday and then drove to the border town of Haiphong on Tuesday.")
    assert stops(r) == [("Riga", "2024-03-04", "visited"), ("Haiphong", "2024-03-05", "visited")]
    assert "Hanoi" in reasons(r)


def test_where_clause_names_who_was_there(extractor: Extractor) -> None:
    r = run(extractor, "Trip\n\nThe delegation's jet stopped at Porto on Monday, where Eva Lind met "
                       "the mayor. Storms had closed the airport in Madrid, where fans waited.")
    assert [name for name, *_ in stops(r)] == ["Porto"]


def test_a_stay_over_several_days_is_one_stop(extractor: Extractor) -> None:
    r = run(extractor, "Trip\n\nMinister Eva Lind arrived in Riga on Monday after a stop in Lisbon "
                       "the same day. On Tuesday she met the president in Riga.")
    riga = next(s for s in r.stops if s.place.name == "Riga")
    assert (riga.date, riga.end_date) == (dt.date(2024, 3, 4), dt.date(2024, 3, 5))
    assert len(riga.evidence) == 2


def test_very_long_text_is_cut_with_a_warning(extractor: Extractor) -> None:
    from trip.extract.pipeline import MAX_TEXT_CHARS

    paragraph = "Minister Eva Lind arrived in Riga on Monday. " * 20
    text = "\n\n".join([paragraph] * (MAX_TEXT_CHARS // len(paragraph) + 5))
    r = run(extractor, text)
    assert stops(r) == [("Riga", "2024-03-04", "visited")]
    assert any("only the first" in w for w in r.warnings)


def test_a_given_date_that_contradicts_the_article_is_used_with_a_warning(extractor: Extractor) -> None:
    r = run(extractor, "Title\n\nRIGA, March 1, 2024 — Minister Eva Lind arrived in Riga on Monday.")
    assert stops(r)[0][1] == "2024-03-04"
    assert any("dated 2024-03-01" in w for w in r.warnings)


@pytest.mark.parametrize("sentence, place", [
    ("A visit to Porto has been cancelled because of storms.", "Porto"),
    ("Instead of flying home to Madrid, she went on to Riga on Monday.", "Madrid"),
    ("She did not visit Porto.", "Porto"),
])
def test_called_off_visits_are_not_stops(extractor: Extractor, sentence: str, place: str) -> None:
    r = run(extractor, f"Trip\n\nMinister Eva Lind toured the region. {sentence}")
    assert place not in [s.place.name for s in r.stops]
    assert "called off" in reasons(r)[place]


def test_names_with_particles_and_teams_named_after_cities(extractor: Extractor) -> None:
    r = run(extractor, "Trip\n\nMinister Eva Lind arrived in Riga on Monday with Ursula von der Leyen. "
                       "Von der Leyen flew back to Madrid that evening. Inter Lisbon's players flew to "
                       "Porto. The minister flies home to Lisbon on Friday.")
    assert stops(r) == [("Riga", "2024-03-04", "visited"), ("Lisbon", "2024-03-08", "planned")]
    assert "someone else" in reasons(r)["Madrid"]


@pytest.mark.parametrize("sentence, place, word", [
    ("A missile hit a hospital in Haiphong on Monday.", "Haiphong", "event"),
    ("After an explosion at a hospital in Porto, the talks stopped.", "Porto", "event"),
    ("She had planned to go on to Porto.", "Porto", "called off"),
    ("A replacement aircraft took off from Madrid, but it was diverted to Porto.", "Porto", "someone else"),
])
def test_more_places_that_are_not_stops(extractor: Extractor, sentence: str, place: str, word: str) -> None:
    r = run(extractor, f"Travels\n\nSwedish Foreign Minister Eva Lind toured the region. {sentence}")
    assert r.travellers == ("Eva Lind",)
    assert place not in [s.place.name for s in r.stops]
    assert word in reasons(r)[place]


def test_joining_an_event_is_a_stop_and_a_state_after_a_town_is_not(extractor: Extractor) -> None:
    index: FakeIndex = extractor.spotter.index  # type: ignore[assignment]
    index.places.setdefault("virginia", [cand("Virginia", 37.5, -78.8, "US", kind="region", pop=8_600_000)])
    r = run(extractor, "Trip\n\nMinister Eva Lind joined a climate strike in Lisbon on Monday. Her boat "
                       "left Springfield, Virginia, on Tuesday.")
    assert [name for name, *_ in stops(r)] == ["Lisbon", "Springfield"]
    assert "Virginia" in reasons(r)


def test_weekday_ranges_other_trips_and_stays(extractor: Extractor) -> None:
    r = run(extractor, "Trip\n\nMinister Eva Lind spent Monday and Tuesday in Riga, weeks after she met "
                       "Kim Jong Un in Hanoi last year. She took a train from Riga to Lisbon on Wednesday.")
    assert stops(r) == [("Riga", "2024-03-04", "visited"), ("Lisbon", "2024-03-06", "visited")]
    assert r.stops[0].end_date == dt.date(2024, 3, 6)  # the stay in Riga ends with the train
    assert "another time" in reasons(r)["Hanoi"]


def test_a_band_can_be_the_traveller(extractor: Extractor) -> None:
    r = run(extractor, "Tour diary\n\nThe Ramblers landed in Lisbon on Monday. The band then drove to "
                       "Porto, where they played on Tuesday.")
    assert r.travellers == ("Ramblers",)
    assert stops(r) == [("Lisbon", "2024-03-04", "visited"), ("Porto", "2024-03-05", "visited")]


def test_a_chronicle_with_a_ship_and_old_dates(extractor: Extractor) -> None:
    r = run(extractor, "Voyage\n\nHMS Endeavour sailed from Lisbon on August 26, 1768, with the botanist "
                       "Joseph Banks on board. The ship reached Riga, on the island of Haiphong, on "
                       "November 13. It anchored at Porto in January 1769 and in March reached Madrid.",
            published=None)
    assert stops(r) == [("Lisbon", "1768-08-26", "origin"), ("Riga", "1768-11-13", "visited"),
                        ("Porto", "1769-01-01", "visited"), ("Madrid", "1769-03-01", "visited")]
    assert "says where Riga is" in reasons(r)["Haiphong"]
    assert r.travellers == ("Joseph Banks",)


# -- places named by a description, the origin, plans called off ---------------------------


@pytest.mark.parametrize("phrase, place", [
    ("the Portuguese capital", "Lisbon"),
    ("the Latvian capital", "Riga"),
    ("the capital of Portugal", "Lisbon"),
    ("Portugal's capital", "Lisbon"),
])
def test_a_capital_named_by_a_description_is_that_capital(extractor: Extractor, phrase: str, place: str
                                                           ) -> None:
    r = run(extractor, f"Trip\n\nMinister Eva Lind landed in {phrase} on Monday.")
    assert stops(r) == [(place, "2024-03-04", "visited")]
    assert r.stops[0].text == phrase  # as written; the place is the gazetteer's
    assert "Portugal" not in [m.text for m in r.mentions]  # the country inside the phrase is no mention


def test_a_capital_in_a_reaction_is_still_a_mention(extractor: Extractor) -> None:
    r = run(extractor, "Trip\n\nMinister Eva Lind arrived in Porto on Monday. Officials in the Latvian "
                       "capital said they were pleased.")
    assert stops(r) == [("Porto", "2024-03-04", "visited")]
    assert "reaction" in reasons(r)["the Latvian capital"]


def test_the_city_refers_back_only_to_one_town(extractor: Extractor) -> None:
    r = run(extractor, "Trip\n\nMinister Eva Lind left Lisbon on Sunday. Porto hosted the summit. "
                       "She arrived in the port city on Monday.")
    assert stops(r) == [("Lisbon", "2024-03-03", "origin"), ("Porto", "2024-03-04", "visited")]
    two = run(extractor, "Trip\n\nMinister Eva Lind left Lisbon on Sunday. Porto and Madrid signed a pact. "
                         "She arrived in the city on Monday.")
    assert [s[0] for s in stops(two)] == ["Lisbon"]
    assert "Porto or Madrid" in reasons(two)["the city"]
    none = run(extractor, "Trip\n\nMinister Eva Lind left Lisbon on Sunday. It rained. "
                          "She arrived in the city on Monday.")
    assert [s[0] for s in stops(none)] == ["Lisbon"]
    assert "no place named" in reasons(none)["the city"]


def test_only_the_first_stop_is_the_origin(extractor: Extractor) -> None:
    # "left Riga … for home" opens the article but is the last leg's start, not the trip's
    r = run(extractor, "Trip\n\nMinister Eva Lind left Riga on Tuesday for home. She had set off from "
                       "Lisbon on Sunday and landed in Riga on Monday.")
    assert stops(r) == [("Lisbon", "2024-03-03", "origin"), ("Riga", "2024-03-04", "visited")]
    assert r.stops[1].end_date == dt.date(2024, 3, 5)  # one stay, told from its end


@pytest.mark.parametrize("text", [
    "She was expected to visit Porto on Friday, but the stop was dropped.",
    "She had also been entered in a race in Porto, but that plan was cancelled last week.",
    "She is due in Porto on Friday. Her aides said on Monday that the visit had been called off.",
    "She had been expected to fly on to Porto and then to Madrid, but the ministry called off both stops.",
])
def test_plans_called_off_later_are_mentions(extractor: Extractor, text: str) -> None:
    r = run(extractor, f"Trip\n\nMinister Eva Lind arrived in Riga on Monday. {text}")
    assert stops(r) == [("Riga", "2024-03-04", "visited")]
    assert reasons(r)["Porto"].startswith("cancelled")


def test_a_cancellation_of_another_plan_leaves_the_visit(extractor: Extractor) -> None:
    r = run(extractor, "Trip\n\nMinister Eva Lind was expected to visit Riga on Monday and did, but a "
                       "planned stop in Porto was dropped.")
    assert [s[0] for s in stops(r)] == ["Riga"]
    assert reasons(r)["Porto"].startswith("cancelled")


def test_the_nationality_table_covers_sixty_countries_with_capitals() -> None:
    from trip.extract.demonyms import NATIONALITY_ADJECTIVES, country_of_adjective
    from trip.extract.phrases import capital_names

    assert len(NATIONALITY_ADJECTIVES) >= 60
    capitals = capital_names()
    for iso, adjectives in NATIONALITY_ADJECTIVES.items():
        assert iso in capitals, iso  # every country of the table has a capital in the gazetteer's table
        for adjective in adjectives:
            assert country_of_adjective(adjective) == iso
    assert country_of_adjective("north  korean") == "KP"
    assert country_of_adjective("Martian") is None
