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
    # "Dili" is also an alternate name of Delhi (11 million): alone Delhi ranks
    # first, on a route through Timor the capital of Timor-Leste does.
    assert offline_geocoder.geocode("Dili").best.country == "IN"
    results = _route(offline_geocoder, ["Port Moresby", "Dili", "Singapore"])
    assert results[1].best.country == "TL"
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
