"""The offline geocoder: one name, whole routes, unresolved answers, errors."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trip.errors import PlaceNotFound, QueryError, TripError
from trip.geo import LatLon, distance_km
from trip.geocoding import GeocodeResult, Geocoder, default_geocoder
from trip.geocoding.offline import OfflineGeocoder, default_offline_geocoder

VLADIVOSTOK = LatLon(43.1056, 131.8735)


def test_implements_the_protocol(offline_geocoder):
    assert isinstance(offline_geocoder, Geocoder)


def test_default_geocoder_is_shared_and_offline():
    assert default_offline_geocoder() is default_offline_geocoder()
    assert isinstance(default_geocoder(), OfflineGeocoder)


def test_geocode_one_name(offline_geocoder):
    result = offline_geocoder.geocode("Vladivostok")
    assert isinstance(result, GeocodeResult) and result.resolved
    assert result.best.country == "RU" and result.best.kind == "city"
    assert distance_km(result.best.location, VLADIVOSTOK) < 5
    assert result.best.ref.startswith("geonames:")
    assert result.candidates[0] == result.best


def test_geocode_limit(offline_geocoder):
    assert len(offline_geocoder.geocode("Paris", limit=3).candidates) == 3
    assert len(offline_geocoder.geocode("Paris", limit=1).candidates) == 1


def test_misspelling_resolves_with_lower_confidence(offline_geocoder):
    result = offline_geocoder.geocode("Vladivostock")
    assert result.best.name == "Vladivostok"
    assert result.best.confidence < offline_geocoder.geocode("Vladivostok").best.confidence
    assert "spelling" in result.reason


def test_unknown_name_is_unresolved_with_suggestions(offline_geocoder):
    result = offline_geocoder.geocode("Qqxxzzv")
    assert not result.resolved and "no place" in result.reason
    result = offline_geocoder.geocode("Vladivostok-Qqxz Zzq")
    assert not result.resolved


def test_locate_raises_place_not_found_with_suggestions(offline_geocoder):
    with pytest.raises(PlaceNotFound) as info:
        offline_geocoder.locate("Vldvstk")
    assert isinstance(info.value, TripError) and isinstance(info.value, LookupError)
    assert info.value.query == "Vldvstk"
    assert "Vladivostok (RU)" in info.value.suggestions
    assert "did you mean" in str(info.value)
    assert offline_geocoder.locate("Artyom").country == "RU"


@pytest.mark.parametrize("query, problem", [("", "empty"), ("   ", "empty"),
                                            ("x" * 201, "too long"), (None, "not text"),
                                            (42, "not text")])
def test_bad_queries_are_rejected_clearly(offline_geocoder, query, problem):
    with pytest.raises(QueryError, match=problem):
        offline_geocoder.geocode(query)
    with pytest.raises(QueryError):
        offline_geocoder.geocode_route(["Vladivostok", query])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(min_size=1, max_size=60))
def test_arbitrary_unicode_never_crashes(offline_geocoder, text):
    try:
        result = offline_geocoder.geocode(text)
    except QueryError:
        assert not text.strip() or len(text.strip()) > 200
        return
    assert isinstance(result, GeocodeResult)
    assert result.best is None or 0 <= result.best.confidence <= 1


# -- routes: the cases the issue names ---------------------------------------------

def _route(geo, names, **kw):
    return geo.geocode_route(names, **kw)


def test_nanning_pingxiang_dong_dang_picks_guangxi(offline_geocoder):
    nanning, pingxiang, dong_dang = _route(offline_geocoder, ["Nanning", "Pingxiang", "Dong Dang"])
    assert pingxiang.best.admin1 == "Guangxi"
    assert distance_km(pingxiang.best.location, LatLon(22.1, 106.76)) < 20
    assert "fits the route" in pingxiang.reason
    assert dong_dang.best.country == "VN"
    assert "km from Nanning" in pingxiang.best.reason
    # Alone, the larger Pingxiang in Jiangxi ranks first.
    assert offline_geocoder.geocode("Pingxiang").best.admin1 == "Jiangxi"


@pytest.mark.parametrize("names", [
    ["Vladivostok", "Artyom"], ["Artyom", "Vladivostok"], ["Ussuriysk", "Artyom", "Vladivostok"],
    ["Komsomolsk-on-Amur", "Artyom"],
])
def test_artyom_near_vladivostok_is_primorye(offline_geocoder, names):
    result = _route(offline_geocoder, names)[names.index("Artyom")]
    assert result.best.country == "RU" and result.best.admin1 == "Primorye"


def test_khasan_next_to_vladivostok_is_never_hassan_india(offline_geocoder):
    for names in (["Vladivostok", "Khasan"], ["Khasan", "Vladivostok"],
                  ["Vladivostok", "Khasan", "Tumangang"], ["Pyongyang", "Tumangang", "Khasan"]):
        result = _route(offline_geocoder, names)[names.index("Khasan")]
        assert result.best is not None and result.best.country == "RU", names
        assert distance_km(result.best.location, LatLon(42.43, 130.64)) < 10


def test_implausible_only_candidate_is_unresolved_not_guessed(geocoder_without_landmarks):
    # Without the landmark, "Khasan" is only an alternate name of Hassan in India.
    geo = geocoder_without_landmarks
    for names in (["Vladivostok", "Khasan"], ["Vladivostok", "Khasan", "Ussuriysk"],
                  ["Khasan", "Vladivostok"]):
        results = _route(geo, names)
        khasan = results[names.index("Khasan")]
        assert khasan.best is None, names
        assert "no plausible place" in khasan.reason and "km" in khasan.reason
        assert khasan.candidates and khasan.candidates[0].country == "IN"
        assert all(r.resolved for r in results if r.query != "Khasan")


def test_dates_make_impossible_speeds_implausible(geocoder_without_landmarks):
    geo = geocoder_without_landmarks
    day = dt.date(2023, 9, 12)
    results = _route(geo, ["Vladivostok", "Khasan"], dates=[day, day], modes=[None, "train"])
    assert results[1].best is None and "too far to travel by train" in results[1].reason
    # The same trip with an exact name is kept, with a warning to check it.
    results = _route(geo, ["Vladivostok", "Hassan"], dates=[day, day], modes=[None, "car"])
    assert results[1].best.country == "IN"
    assert "too far to travel by car" in results[1].warnings[0]
    results = _route(geo, ["Vladivostok", "Artyom"], dates=[day, day + dt.timedelta(1)],
                     modes=[None, "train"])
    assert results[1].best.admin1 == "Primorye" and not results[1].warnings


def test_far_exact_name_is_kept_with_a_warning_and_does_not_spoil_neighbours(offline_geocoder):
    vlad, hassan, tumangang = _route(offline_geocoder, ["Vladivostok", "Hassan", "Tumangang"])
    assert hassan.best.country == "IN"
    assert hassan.warnings and "far off the route" in hassan.warnings[0]
    assert tumangang.best is not None and tumangang.best.country == "KP"


def test_vostochny_in_the_far_east_is_the_cosmodrome(offline_geocoder):
    result = _route(offline_geocoder, ["Blagoveshchensk", "Vostochny", "Khabarovsk"])[1]
    assert result.best.kind == "spaceport"
    result = _route(offline_geocoder, ["Stavropol", "Vostochny"])[1]
    assert result.best.kind == "city" and result.best.admin1.startswith("Stavropol")


def test_plane_legs_allow_long_distances(geocoder_without_landmarks):
    results = _route(geocoder_without_landmarks, ["Vladivostok", "Khasan"], modes=[None, "plane"])
    assert results[1].best is not None and results[1].best.country == "IN"


def test_fixed_stops_steer_their_neighbours(offline_geocoder):
    results = _route(offline_geocoder, ["Somewhere", "Pingxiang"],
                     fixed=[LatLon(22.82, 108.32), None])
    assert results[0].best is None and "coordinates given" in results[0].reason
    assert results[1].best.admin1 == "Guangxi"


def test_route_confidences_and_candidates(offline_geocoder):
    results = _route(offline_geocoder, ["Nanning", "Pingxiang", "Dong Dang"], limit=3)
    for r in results:
        assert 0 < r.best.confidence <= 1
        assert len(r.candidates) <= 3 and r.candidates[0] == r.best
        confs = [c.confidence for c in r.candidates]
        assert confs == sorted(confs, reverse=True)


def test_route_with_unknown_stop_keeps_order_and_others(offline_geocoder):
    results = _route(offline_geocoder, ["Vladivostok", "Qqxxzzv", "Artyom"])
    assert [r.query for r in results] == ["Vladivostok", "Qqxxzzv", "Artyom"]
    assert results[1].best is None and results[2].best.admin1 == "Primorye"


def test_route_argument_lengths_must_match(offline_geocoder):
    with pytest.raises(QueryError, match="one entry per stop"):
        offline_geocoder.geocode_route(["A", "B"], dates=[None])


def test_areas_in_a_route(offline_geocoder):
    results = _route(offline_geocoder, ["Russia", "Vladivostok", "Primorsky Krai"])
    assert results[0].best.kind == "country" and results[2].best.kind == "region"
    stav = _route(offline_geocoder, ["Stavropol", "Vostochny"])[0]
    assert stav.best.kind == "city"  # a stop is a place before it is an area


def test_names_from_the_sample_trips_and_articles(offline_geocoder):
    names = ["Pyongyang", "Khasan", "Vostochny Cosmodrome", "Komsomolsk-on-Amur", "Artyom",
             "Knevichi airfield (Vladivostok airport)", "Vladivostok", "Russky Island"]
    results = _route(offline_geocoder, names)
    assert all(r.resolved for r in results), [r.query for r in results if not r.resolved]
    assert results[5].best.kind == "airport"
    for names in (["Hanoi", "Dong Dang", "Pingxiang", "Nanning", "Beijing"],
                  ["Yakutsk", "Pyongyang", "Hanoi"], ["Jeddah", "Hiroshima", "Kyiv"],
                  ["Tokyo Haneda Airport (HND)", "Honolulu (HNL)", "Los Angeles (LAX)"]):
        results = _route(offline_geocoder, names, modes=["plane"] * len(names))
        assert all(r.resolved for r in results), [r.query for r in results if not r.resolved]


def test_implausible_alias_gives_way_to_a_plausible_name(offline_geocoder,
                                                        geocoder_without_landmarks):
    # "Dili" is also an alternate name of Delhi (11 million): alone the capital of
    # Timor-Leste, which is called so, ranks first; on a route through India, Delhi.
    alone = offline_geocoder.geocode("Dili")
    assert alone.best.country == "TL" and alone.candidates[1].country == "IN"
    results = _route(offline_geocoder, ["Port Moresby", "Dili", "Singapore"])
    assert results[1].best.country == "TL"
    results = _route(offline_geocoder, ["Agra", "Dili", "Jaipur"])
    assert results[1].best.country == "IN" and "fits the route" in results[1].reason
    # Where the route's favourite is an alias the route cannot reach, the next
    # candidate it can reach is taken and the alias is marked implausible.
    results = _route(offline_geocoder, ["Stavropol", "Vostochny"])
    assert results[1].best.kind == "city" and results[1].best.admin1.startswith("Stavropol")
    rejected = [c for c in results[1].candidates if c.kind == "spaceport"]
    assert rejected and rejected[0].confidence == 0 and "implausible" in rejected[0].reason


def test_places_a_few_km_apart_are_not_ambiguous(offline_geocoder):
    # "New Delhi" matches New Delhi by name and Delhi by alias: one place, not doubt.
    results = _route(offline_geocoder, ["New Delhi", "Moscow", "Vienna"])
    assert results[0].best is not None and results[0].best.country == "IN"


def test_misspelling_far_from_the_route_is_not_used(offline_geocoder):
    results = _route(offline_geocoder, ["Vladivostok", "Artyomm", "Ussuriysk"])
    assert results[1].best is not None and results[1].best.admin1 == "Primorye"


def test_airport_names_without_the_generic_words(gazetteer):
    best = gazetteer.lookup("Noi Bai")[0]
    assert best.kind == "airport" and best.country == "VN"
    assert gazetteer.lookup("Sheremetyevo")[0].kind == "airport"
    assert gazetteer.lookup("Vladivostok")[0].kind == "city"


@pytest.mark.parametrize("query, kind, country", [
    ("Honolulu (HNL)", "airport", "US"),
    ("Knevichi airfield (Vladivostok airport)", "airport", "RU"),
    ("Beijing (Peking)", "city", "CN"),
    ("the Amur region", "region", "RU"),
])
def test_parenthetical_and_article_variants(offline_geocoder, query, kind, country):
    best = offline_geocoder.geocode(query).best
    assert best.kind == kind and best.country == country


_NAMES = ["Vladivostok", "Artyom", "Khasan", "Pingxiang", "Paris", "Qqxxzzv", "Russia",
          "Vostochny", "Dili", "Washington", "Komsomolsk na Amure", "Tumangang", "Vldvstk",
          "Ho Chi Minh City", "Primorye", "VVO", "Honolulu (HNL)"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(st.sampled_from(_NAMES), min_size=1, max_size=8),
       modes=st.lists(st.sampled_from([None, "train", "car", "plane", "walk", "ship"]),
                      min_size=8, max_size=8),
       days=st.lists(st.one_of(st.none(), st.integers(0, 30)), min_size=8, max_size=8))
def test_any_route_gives_one_sound_answer_per_stop(offline_geocoder, names, modes, days):
    dates = [None if d is None else dt.date(2024, 1, 1) + dt.timedelta(days=d)
             for d in days[: len(names)]]
    results = offline_geocoder.geocode_route(names, dates=dates, modes=modes[: len(names)])
    assert [r.query for r in results] == names
    for r in results:
        assert r.best is not None or r.reason
        assert all(0 <= c.confidence <= 1 for c in r.candidates)
        if r.best is not None:
            assert r.candidates[0] == r.best


def test_modes_and_dates_in_other_forms(offline_geocoder):
    from trip.itinerary import Mode

    results = offline_geocoder.geocode_route(
        ["Nanning", "Pingxiang", "Dong Dang"], dates=["2025-04-03", dt.datetime(2025, 4, 4), None],
        modes=[None, Mode.TRAIN, "ferry"])
    assert results[1].best.admin1 == "Guangxi"
    results = offline_geocoder.geocode_route(["Vladivostok", "Khasan"],
                                             dates=["not a date", "2023-09-12"], modes=["?", "bus"])
    assert results[1].best.country == "RU"


@pytest.mark.parametrize("names, index, country", [
    (["Rome", "Lagos", "Rome"], 0, "IT"),  # "Rome" is also an alternate name of Lomé
    (["Rome", "Kinshasa", "Rome"], 2, "IT"),
    (["Washington", "Kyiv"], 0, "US"),
    (["Nanning", "Pingxiang"], 1, "CN"),
])
def test_exact_names_of_cities_beat_far_aliases_on_long_trips(offline_geocoder, names, index,
                                                              country):
    best = _route(offline_geocoder, names)[index].best
    assert best.country == country
    if names[1] == "Pingxiang":
        assert best.admin1 == "Guangxi"


def test_long_flights_with_unknown_mode_raise_no_alarm(offline_geocoder):
    results = _route(offline_geocoder, ["Jeddah", "Hiroshima", "Kyiv"])
    assert [r.best.country for r in results] == ["SA", "JP", "UA"]
    assert not any(r.warnings for r in results)


# -- one name alone, as a journalist types it in the dashboard or the CLI ---------------
# (query, country, lat, lon): the place meant, within 50 km. Labelled by hand; the
# coordinates are the town centre, the site, or our landmark's pin.
SINGLE_NAMES = [
    # An exact name beats another place's alternate name (transliteration, translation).
    ("Khasan", "RU", 42.43, 130.64),          # not Hassan, Karnataka
    ("Dili", "TL", -8.56, 125.57),            # not Delhi
    ("Rome", "IT", 41.89, 12.51),             # not Lomé
    ("Kim", "IN", 21.40, 72.93),              # the town called Kim, not Kimberley
    ("Sal", "CV", 16.73, -22.94),             # the Cape Verde island, not San Salvador
    ("White House", "US", 38.90, -77.04),     # not Casablanca ("white house" translated)
    ("Angara", "RU", 56.15, 101.63),          # the Siberian river, not Ankara
    ("Bar", "ME", 42.09, 19.10),              # not Qionghai
    ("Abadan", "IR", 30.34, 48.30),           # not Ibadan
    ("Parma", "IT", 44.80, 10.33),            # not Perm
    ("Zaragoza", "ES", 41.65, -0.88),         # not Tijuana
    ("Alessandria", "IT", 44.91, 8.61),       # not Alexandria, Egypt
    ("Petropolis", "BR", -22.50, -43.18),     # not Saint Petersburg
    ("Olbia", "IT", 40.92, 9.50),             # not Antalya
    ("Pueblo", "US", 38.25, -104.61),         # not Puebla
    ("Thai Nguyen", "VN", 21.59, 105.85),     # not Taiyuan
    ("Tay Ninh", "VN", 11.31, 106.10),        # not Xining
    # A town's common English name still wins over a namesake elsewhere.
    ("Peking", "CN", 39.91, 116.40),
    ("Bombay", "IN", 19.07, 72.88),
    ("Canton", "CN", 23.12, 113.25),          # not Canton, Ohio
    ("Calcutta", "IN", 22.57, 88.36),
    ("Madras", "IN", 13.09, 80.28),
    ("Saigon", "VN", 10.82, 106.63),
    ("Rangoon", "MM", 16.81, 96.16),
    ("Moscow", "RU", 55.75, 37.62),
    ("Kiev", "UA", 50.45, 30.52),
    ("Kyiv", "UA", 50.45, 30.52),
    ("Cologne", "DE", 50.93, 6.95),           # not Cologne, Lombardy
    ("Munich", "DE", 48.14, 11.58),
    ("Florence", "IT", 43.77, 11.25),
    ("Beijing", "CN", 39.91, 116.40),
    ("St Petersburg", "RU", 59.94, 30.31),    # not St. Petersburg, Florida
    ("Seville", "ES", 37.38, -5.97),
    ("Leghorn", "IT", 43.54, 10.32),
    ("Mecca", "SA", 21.43, 39.83),
    ("Baroda", "IN", 22.30, 73.20),
    ("Sana", "YE", 15.35, 44.21),             # not Saña, Peru
    # Airports by IATA code.
    ("JFK", "US", 40.64, -73.78),
    ("LHR", "GB", 51.47, -0.45),
    ("VVO", "RU", 43.40, 132.15),
    ("CDG", "FR", 49.01, 2.55),
    ("SVO", "RU", 55.97, 37.41),
    ("DXB", "AE", 25.25, 55.36),
    ("HND", "JP", 35.55, 139.78),
    # Landmarks from data/landmarks.csv.
    ("Vostochny Cosmodrome", "RU", 51.88, 128.33),
    ("Baikonur", "KZ", 45.96, 63.31),
    ("Kremlin", "RU", 55.75, 37.62),
    ("Winter Palace", "RU", 59.94, 30.31),
    ("Lake Baikal", "RU", 53.50, 108.00),
    ("Tumangang", "KP", 42.41, 130.62),
    ("Russky Bridge", "RU", 43.07, 131.91),
    ("Ho Chi Minh Mausoleum", "VN", 21.04, 105.83),
]

# Names many places bear: the big or famous one first, the others offered.
AMBIGUOUS_NAMES = [
    ("Springfield", "US", 37.21, -93.29),     # Missouri, the most populous
    ("Paris", "FR", 48.85, 2.35),
    ("Portland", "US", 45.52, -122.68),       # Oregon
    ("Georgia", "GE", 42.27, 42.80),          # the country (pin: mean of its towns)
    ("Victoria", "HK", 22.28, 114.15),        # the most populous; Canada's and Australia's offered
    ("Alexandria", "EG", 31.20, 29.92),
    ("Cambridge", "GB", 52.20, 0.12),
    ("Tripoli", "LY", 32.89, 13.19),
    ("Santiago", "CL", -33.46, -70.65),
]
#: Of those, the ones where no place clearly dominates: the answer must say so.
TRULY_AMBIGUOUS = {"Springfield", "Victoria", "Cambridge"}


def _is(cand, country: str, lat: float, lon: float) -> bool:
    return cand is not None and cand.country == country and \
        distance_km(cand.location, LatLon(lat, lon)) <= 50


@pytest.mark.parametrize("query, country, lat, lon", SINGLE_NAMES)
def test_one_name_alone_is_the_place_meant(offline_geocoder, query, country, lat, lon):
    best = offline_geocoder.geocode(query).best
    assert _is(best, country, lat, lon), best


@pytest.mark.parametrize("query, country, lat, lon", AMBIGUOUS_NAMES)
def test_ambiguous_name_alone_is_the_famous_one_with_others_offered(
        offline_geocoder, query, country, lat, lon):
    result = offline_geocoder.geocode(query, limit=5)
    assert _is(result.best, country, lat, lon), result.best
    others = [c for c in result.candidates[1:]
              if distance_km(c.location, result.best.location) > 500]
    assert others, result.candidates
    if query in TRULY_AMBIGUOUS:
        assert result.best.confidence < 0.6
        assert "ambiguous" in result.reason and "ambiguous" in result.best.reason
        assert others[0].name in result.reason


def test_borrowed_name_is_offered_second_with_honest_confidence(offline_geocoder):
    # Delhi lists "Dili" among its alternate names: it stays on offer, and neither
    # answer claims certainty.
    result = offline_geocoder.geocode("Dili")
    assert [c.country for c in result.candidates[:2]] == ["TL", "IN"]
    assert 0.5 < result.best.confidence < 0.9
    assert "alternate name" in result.candidates[1].reason
    # A town's English name is its common name, not a borrowed one.
    canton = offline_geocoder.geocode("Canton").best
    assert canton.confidence > 0.8 and "common name" in canton.reason


def test_single_name_table_is_big_enough():
    assert len(SINGLE_NAMES) + len(AMBIGUOUS_NAMES) >= 40
