"""The gazetteer: normalisation, exact/alias lookups, areas, landmarks, fuzzy fallback."""

from __future__ import annotations

import csv
import math
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trip.gazetteer import normalize_name, split_kind_hint, transliterate
from trip.gazetteer.landmarks import LANDMARKS_CSV
from trip.geo import LatLon, distance_km


@pytest.mark.parametrize("raw, key", [
    ("Artëm", "artem"),
    ("ARTEM", "artem"),
    ("  Artem  ", "artem"),
    ("Komsomol'sk-na-Amure", "komsomolsk na amure"),
    ("Komsomolsk–na–Amure", "komsomolsk na amure"),
    ("Komsomolsk   na Amure", "komsomolsk na amure"),
    ("Комсомольск-на-Амуре", "комсомольск на амуре"),
    ("Артём", "артем"),
    ("São Paulo", "sao paulo"),
    ("Łódź", "lodz"),
    ("Đồng Đăng", "dong dang"),
    ("St. Petersburg", "st petersburg"),
    ("Xi’an", "xian"),
    ("Ｔｏｋｙｏ", "tokyo"),
    ("", ""),
    ("!!!", ""),
])
def test_normalize_name(raw, key):
    assert normalize_name(raw) == key


def test_transliterate_is_ascii_fallback():
    assert transliterate(normalize_name("Владивосток")) == "vladivostok"
    assert transliterate("artem") == "artem"


@pytest.mark.parametrize("key, core, hint", [
    ("vostochny cosmodrome", "vostochny", "spaceport"),
    ("town of pingxiang", "pingxiang", "city"),
    ("vladivostok international airport", "vladivostok", "airport"),
    ("khasan border crossing", "khasan", "border crossing"),
    ("космодром восточный", "восточный", "spaceport"),
    ("vladivostok", "vladivostok", ""),
])
def test_split_kind_hint(key, core, hint):
    assert split_kind_hint(key) == (core, hint)


def _best(gazetteer, name):
    found = gazetteer.lookup(name)
    assert found, f"nothing found for {name!r}"
    return found[0]


@pytest.mark.parametrize("name", [
    "Artyom", "Artem", "Artëm", "Артём", "ARTEM",
])
def test_artyom_spellings_find_the_primorye_town(gazetteer, name):
    best = _best(gazetteer, name)
    assert (best.name, best.country, best.admin1) == ("Artëm", "RU", "Primorye")


@pytest.mark.parametrize("name", [
    "Komsomolsk-on-Amur", "Komsomolsk on Amur", "Komsomolsk-na-Amure", "Komsomolsk na Amure",
    "Komsomol'sk-na-Amure", "Комсомольск-на-Амуре", "komsomolsk-on-amur",
])
def test_komsomolsk_variants(gazetteer, name):
    best = _best(gazetteer, name)
    assert best.name == "Komsomolsk-on-Amur" and best.country == "RU"
    assert distance_km(best.location, LatLon(50.55, 137.01)) < 5


@pytest.mark.parametrize("name, country", [
    ("Russia", "RU"), ("Ukraine", "UA"), ("Japan", "JP"), ("Россия", "RU"),
    ("North Korea", "KP"), ("DPRK", "KP"), ("Vietnam", "VN"), ("Viet Nam", "VN"),
])
def test_countries_are_areas_not_villages(gazetteer, name, country):
    best = _best(gazetteer, name)
    assert best.kind == "country" and best.country == country
    assert best.confidence > 0.9


@pytest.mark.parametrize("name, region", [
    ("Primorsky Krai", "Primorye"), ("Primorye", "Primorye"), ("Приморский край", "Primorye"),
    ("Sakha Republic", "Sakha"), ("Yakutia", "Sakha"), ("Amur Oblast", "Amur Oblast"),
    ("Amur region", "Amur Oblast"), ("Guangxi", "Guangxi"), ("Khabarovsk Krai", "Khabarovsk"),
])
def test_first_level_regions(gazetteer, name, region):
    best = _best(gazetteer, name)
    assert best.kind == "region" and best.name == region


def test_big_city_beats_region_of_the_same_name(gazetteer):
    best = _best(gazetteer, "Khabarovsk")
    assert best.kind == "city"


def test_landmarks_file_has_required_sites_and_columns():
    with LANDMARKS_CSV.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) >= 40
    for row in rows:
        assert row["kind"] and row["source"] and row["aliases"], row["id"]
    ids = {r["id"] for r in rows}
    for required in ("vostochny-cosmodrome", "komsomolsk-aircraft-plant", "vladivostok-airport",
                     "fefu-russky-island", "khasan-station", "tumangang-station",
                     "baikonur-cosmodrome", "plesetsk-cosmodrome", "dong-dang-station",
                     "pingxiang-station"):
        assert required in ids


@pytest.mark.parametrize("name, ref, kind", [
    ("Vostochny Cosmodrome", "landmark:vostochny-cosmodrome", "spaceport"),
    ("Космодром Восточный", "landmark:vostochny-cosmodrome", "spaceport"),
    ("Yuri Gagarin aircraft plant", "landmark:komsomolsk-aircraft-plant", "factory"),
    ("KnAAZ", "landmark:komsomolsk-aircraft-plant", "factory"),
    ("Knevichi airport", "landmark:vladivostok-airport", "airport"),
    ("FEFU", "landmark:fefu-russky-island", "university"),
    ("ДВФУ", "landmark:fefu-russky-island", "university"),
    ("Tumangang", "landmark:tumangang-station", "border crossing"),
    ("두만강역", "landmark:tumangang-station", "border crossing"),
    ("Baikonur Cosmodrome", "landmark:baikonur-cosmodrome", "spaceport"),
    ("Plesetsk Cosmodrome", "landmark:plesetsk-cosmodrome", "spaceport"),
    ("Khasan station", "landmark:khasan-station", "border crossing"),
    ("Ga Đồng Đăng", "landmark:dong-dang-station", "railway station"),
    ("Pingxiang railway station", "landmark:pingxiang-station", "railway station"),
])
def test_landmarks_by_name_and_alias(gazetteer, name, ref, kind):
    best = _best(gazetteer, name)
    assert best.ref == ref and best.kind == kind and best.source == "landmarks"


def test_landmarks_get_their_region(gazetteer):
    assert gazetteer.get("landmark:vostochny-cosmodrome").admin1 == "Amur Oblast"
    assert gazetteer.get("landmark:khasan-station").admin1 == "Primorye"


def test_vostochny_alone_is_the_cosmodrome(gazetteer):
    best = _best(gazetteer, "Vostochny")
    assert best.kind == "spaceport"
    assert any(c.kind == "city" and c.admin1.startswith("Stavropol")
               for c in gazetteer.lookup("Vostochny"))


@pytest.mark.parametrize("code, refs", [
    ("VVO", {"landmark:vladivostok-airport", "iata:VVO"}),
    ("UHWW", {"landmark:vladivostok-airport", "iata:VVO"}),
    ("KHV", {"iata:KHV"}),
])
def test_airport_codes(gazetteer, code, refs):
    found = gazetteer.lookup(code)
    assert found[0].kind == "airport" and found[0].ref in refs
    # The curated landmark and the airport list's entry are one site: listed once.
    assert sum(c.kind == "airport" and c.ref in refs for c in found) == 1


def test_city_airport_is_the_airport_and_city_stays_the_city(gazetteer):
    assert _best(gazetteer, "Khabarovsk airport").kind == "airport"
    assert _best(gazetteer, "Vladivostok").kind == "city"


def test_candidates_are_ranked_with_confidence_and_reason(gazetteer):
    found = gazetteer.lookup("Paris", limit=5)
    assert found[0].country == "FR"
    assert [c.confidence for c in found] == sorted((c.confidence for c in found), reverse=True)
    assert all(0 <= c.confidence <= 1 and c.reason for c in found)
    assert "name" in found[0].reason and "ranked" in found[1].reason


def test_exact_name_outranks_alternate_name_of_similar_place(gazetteer):
    # Pirallahı in Azerbaijan has "Artyom" only as an alternate name and is smaller.
    found = gazetteer.lookup("Artyom")
    assert found[0].country == "RU" and found[1].country == "AZ"
    assert "alternate name" in found[1].reason


def test_is_known_name(gazetteer):
    assert gazetteer.is_known_name("vladivostok")
    assert gazetteer.is_known_name(normalize_name("Комсомольск-на-Амуре"))
    assert not gazetteer.is_known_name("zzqxv unknown")
    assert not gazetteer.is_known_name("")
    assert not gazetteer.is_known_name("x" * 1000)


def test_known_importance(gazetteer):
    assert gazetteer.known_importance("vladivostok") > 5.5
    assert gazetteer.known_importance("russia") >= 8  # the country, not the Ohio village
    assert gazetteer.known_importance("zzqxv unknown") == 0.0


def test_unknown_name_gives_nothing(gazetteer):
    assert gazetteer.lookup("Qqxxzz Nowhere") == []


@pytest.mark.parametrize("typo, expected", [
    ("Vladivostock", "Vladivostok"), ("Komsomolsk-on-Amurr", "Komsomolsk-on-Amur"),
    ("Khabarovks", "Khabarovsk"),
])
def test_fuzzy_finds_misspellings(gazetteer, typo, expected):
    found = gazetteer.fuzzy_lookup(typo)
    assert found and found[0].name == expected
    assert "spelling close to" in found[0].reason
    assert found[0].confidence < 0.9


def test_suggest_offers_close_names(gazetteer):
    assert "Vladivostok (RU)" in gazetteer.suggest("Vladivostock")
    assert gazetteer.suggest("qqqqqqqqqqqqqqqq") == []


def test_lookup_is_thread_safe(gazetteer):
    names = ["Artyom", "Vladivostok", "Paris", "Pingxiang", "Russia"] * 20
    errors: list[BaseException] = []
    results: dict[int, list[str]] = {}

    def work(n: int) -> None:
        try:
            results[n] = [gazetteer.lookup(name)[0].name for name in names]
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len({tuple(r) for r in results.values()}) == 1


@pytest.mark.parametrize("text", ["\x00", "🏔️", "\ud800", "‮", " ", "' OR 1=1 --", "%", "_",
                                  "名古屋", "Αθήνα", "تهران", "ทดสอบ"])
def test_arbitrary_text_never_crashes(gazetteer, text):
    assert isinstance(gazetteer.lookup(text), list)
    assert isinstance(gazetteer.fuzzy_lookup(text), list)
    assert isinstance(gazetteer.is_known_name(normalize_name(text)), bool)


@pytest.mark.parametrize("name, ref", [
    ("Artyom airport", "landmark:vladivostok-airport"),
    ("Ussuriysk station", "landmark:ussuriysk-station"),
    ("Khabarovsk railway station", "landmark:khabarovsk-station"),
    ("Dong Dang border crossing", "landmark:dong-dang-station"),
    ("Baikonur spaceport", "landmark:baikonur-cosmodrome"),
])
def test_generic_words_hint_the_kind_of_place(gazetteer, name, ref):
    assert gazetteer.lookup(name)[0].ref == ref


def test_generic_word_that_is_part_of_a_name_is_kept(gazetteer):
    assert _best(gazetteer, "Ho Chi Minh City").name == "Ho Chi Minh City"
    assert _best(gazetteer, "Mexico City").country == "MX"


def test_other_scripts_fall_back_to_transliteration(gazetteer):
    best = _best(gazetteer, "Донг Данг")  # no Cyrillic name for it in the sources
    assert best.country == "VN" and "transliteration" in best.reason
    assert best.confidence < 0.9
    assert _best(gazetteer, "平壤").name == "Pyongyang"
    assert _best(gazetteer, "서울").name == "Seoul"


@pytest.mark.parametrize("name, kind", [("Siberia", "area"), ("Far East", "area"),
                                        ("Lake Baikal", "lake"), ("Tumen River", "river")])
def test_wide_areas_news_names(gazetteer, name, kind):
    assert _best(gazetteer, name).kind == kind


@pytest.mark.parametrize("module", ["trip.gazetteer", "trip.gazetteer.normalize",
                                    "trip.geocoding.offline", "trip.geocoding.resolve"])
def test_docstring_examples_run(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_normalize_name_is_idempotent_and_tidy(text):
    key = normalize_name(text)
    assert normalize_name(key) == key
    assert key == key.strip() and "  " not in key
    assert key == key.casefold() or not key.isascii()


def test_public_api_is_what_all_says():
    import inspect

    import trip.gazetteer as gz
    import trip.geocoding.offline as off
    import trip.geocoding.resolve as res

    for module in (gz, off, res):
        assert all(hasattr(module, name) for name in module.__all__), module.__name__
    params = inspect.signature(gz.open_gazetteer).parameters
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params.values())
    assert {"cache_dir", "progress"} <= set(params)
    assert list(inspect.signature(gz.Gazetteer.lookup).parameters) == ["self", "name", "limit"]
    assert list(inspect.signature(res.resolve_itinerary).parameters) == ["itinerary", "geocoder"]


def test_one_place_under_two_entries_is_confident_and_shown_by_its_name(gazetteer):
    best = _best(gazetteer, "New Delhi")  # Delhi lists "New Delhi" as an alternate name
    assert best.name == "New Delhi" and best.confidence > 0.9
    dong_dang = _best(gazetteer, "Dong Dang")  # the station and the town, 1 km apart
    assert dong_dang.country == "VN" and dong_dang.confidence > 0.9
    kiev = _best(gazetteer, "Kiev")  # the city, not the oblast that shares its centre
    assert kiev.name == "Kyiv" and kiev.kind == "city"


def test_every_point_landmark_lies_near_a_town_of_its_country(gazetteer):
    # A sanity check on data/landmarks.csv: a typo in lat/lon or country would put a
    # site far from any town of its country, and it would get no region.
    rows = gazetteer._conn().execute(
        "SELECT ref, country, admin1, kind FROM places WHERE source = 'landmarks'").fetchall()
    assert len(rows) >= 40
    lost = [ref for ref, country, admin1, kind in rows
            if kind not in ("area", "lake", "river") and not (country and admin1)]
    assert lost == []


def test_usable_in_a_forked_child(gazetteer):
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():  # pragma: no cover - Windows
        assert gazetteer.lookup("Artyom")
        return
    gazetteer.lookup("Vladivostok")  # the parent has a connection open
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(1) as pool:
        names = pool.map(_first_name, ["Артём", "Pingxiang"])
    assert names == ["Artëm", "Pingxiang"]


def _first_name(query: str) -> str:
    from trip.gazetteer import open_gazetteer

    return open_gazetteer().lookup(query)[0].name


@pytest.mark.parametrize("name, country, kind", [
    ("Rome", "IT", "city"),            # not Lomé, which lists "Rome" as an alternate
    ("St Petersburg", "RU", "city"),   # the Russian city, not the Florida one or the region
    ("Saint Petersburg", "RU", "city"),
    ("Frankfurt", "DE", "city"),
    ("Georgia", "GE", "country"),
])
def test_famous_names(gazetteer, name, country, kind):
    best = _best(gazetteer, name)
    assert (best.country, best.kind) == (country, kind)


def test_most_capitals_resolve_to_their_country(gazetteer):
    # Capitals by name alone: the rest are true ambiguities (San Jose, Hamilton,
    # Kingston, Victoria, George Town, St. John's…), resolved by a route's context.
    from trip.gazetteer import geonames

    countries = geonames.load_countries()
    capitals = [(c["capital"], iso) for iso, c in countries.items() if c.get("capital")]
    right = sum(bool(found) and found[0].country == iso
                for found, iso in ((gazetteer.lookup(cap), iso) for cap, iso in capitals))
    assert right >= 0.93 * len(capitals)


# -- own names against borrowed ones ------------------------------------------------------

def test_every_english_name_finds_its_town(gazetteer):
    # The curated table in trip/gazetteer/exonyms.py must name towns the data has, and
    # each English name must then win by name alone (the canton or region of the same
    # name, which contains the town, may come first: "Lucerne", "Macao").
    from trip.gazetteer import AREA_KINDS
    from trip.gazetteer.exonyms import ENGLISH_NAMES

    wrong = []
    for (country, name), english in ENGLISH_NAMES.items():
        for alias in english:
            found = gazetteer.lookup(alias)
            town = next(c for c in found if c.kind not in AREA_KINDS)
            if (found[0].country, town.country, town.name) != (country, country, name) or \
                    "common name" not in town.reason:
                wrong.append((alias, town.name, town.country))
    assert wrong == []


def _hit(name, importance, match, lat, lon=0.0, *, kind="city", country="XX", source="geonames"):
    from trip.gazetteer.index import Hit

    return Hit(place_id=abs(hash((name, lat))) % 10**6, ref=f"test:{name}", name=name, lat=lat,
               lon=lon, country=country, admin1="", kind=kind, source=source, population=0,
               importance=importance, match=match, key="x")


def test_alias_penalty_holds_until_a_hundred_times_bigger_then_fades():
    from trip.gazetteer.index import ALIAS_PENALTY, alias_penalty
    from trip.gazetteer.records import Match

    named = _hit("Namesake", 5.0, Match.NAME, 0.0)
    for importance, expected in [(5.5, ALIAS_PENALTY), (7.0, ALIAS_PENALTY),
                                 (7.5, ALIAS_PENALTY - 0.5), (9.0, 0.0)]:
        alias = _hit("Big", importance, Match.ALT, 40.0)
        assert alias_penalty(alias, [named]) == pytest.approx(expected)
    # The same place under two entries, our own curated names, and codes written as
    # codes are not borrowed.
    assert alias_penalty(_hit("Near", 6.0, Match.ALT, 0.1), [named]) == 0.0
    assert alias_penalty(_hit("Ours", 6.0, Match.COMMON, 40.0), [named]) == 0.0
    assert alias_penalty(_hit("Site", 6.0, Match.ALT, 40.0, source="landmarks"), [named]) == 0.0
    code = _hit("Airport", 6.0, Match.CODE, 40.0)
    assert alias_penalty(code, [named], code_query=True) == 0.0
    assert alias_penalty(code, [named]) == ALIAS_PENALTY


def test_national_capitals_rank_above_their_size(gazetteer):
    from trip.gazetteer.geonames import CAPITAL_BONUS

    dili = gazetteer.hits("Dili")
    capital = next(h for h in dili if h.country == "TL")
    assert capital.importance == pytest.approx(math.log10(capital.population) + CAPITAL_BONUS)


def test_index_key_follows_the_curated_names(monkeypatch):
    from trip.gazetteer import build, exonyms

    before = build.index_key()
    monkeypatch.setitem(exonyms.ENGLISH_NAMES, ("XX", "Nowhere"), ("Anywhere",))
    assert build.index_key() != before
