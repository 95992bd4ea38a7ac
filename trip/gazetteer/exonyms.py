"""English names of towns whose GeoNames primary name is another: "Peking" is Beijing.

GeoNames lists such names among dozens of alternate names in every language with no
language tag, so on their own they cannot be told from a transliteration ("Dili" is
also an alternate name of Delhi). The names here are marked as the town's common
name (:data:`~trip.gazetteer.records.Match.COMMON`), so they rank like its own
name and beat an exact namesake elsewhere ("Canton", Ohio; "Cologne", Lombardy).

Keys are (ISO country, GeoNames primary name); the most populous town of that name
in that country gets the names. Facts (what a town is called in English), collected
by us; current and well-known former names both count.
"""

from __future__ import annotations

__all__ = ["ENGLISH_NAMES"]

ENGLISH_NAMES: dict[tuple[str, str], tuple[str, ...]] = {
    ("CN", "Beijing"): ("Peking", "Pekin"),
    ("CN", "Guangzhou"): ("Canton",),
    ("CN", "Nanjing"): ("Nanking",),
    ("CN", "Tianjin"): ("Tientsin",),
    ("CN", "Chongqing"): ("Chungking",),
    ("CN", "Xiamen"): ("Amoy",),
    ("CN", "Qingdao"): ("Tsingtao",),
    ("CN", "Shenyang"): ("Mukden",),
    ("IN", "Mumbai"): ("Bombay",),
    ("IN", "Kolkata"): ("Calcutta",),
    ("IN", "Chennai"): ("Madras",),
    ("IN", "Bengaluru"): ("Bangalore",),
    ("IN", "Pune"): ("Poona",),
    ("IN", "Varanasi"): ("Benares", "Banaras"),
    ("VN", "Ho Chi Minh City"): ("Saigon",),
    ("MM", "Yangon"): ("Rangoon",),
    ("DE", "Köln"): ("Cologne",),
    ("DE", "Hannover"): ("Hanover",),
    ("DE", "Braunschweig"): ("Brunswick",),
    ("DE", "Aachen"): ("Aix-la-Chapelle",),
    ("UA", "Kyiv"): ("Kiev",),
    ("UA", "Odesa"): ("Odessa",),
    ("UA", "Kharkiv"): ("Kharkov",),
    ("UA", "Lviv"): ("Lvov", "Lemberg"),
    ("RU", "Saint Petersburg"): ("St Petersburg", "St. Petersburg", "Petersburg",
                                 "Leningrad"),
    ("RU", "Nizhniy Novgorod"): ("Nizhny Novgorod", "Gorky"),
    ("RU", "Volgograd"): ("Stalingrad",),
    ("RU", "Yekaterinburg"): ("Sverdlovsk", "Ekaterinburg"),
    ("UA", "Dnipro"): ("Dnipropetrovsk", "Dnepropetrovsk"),
    ("KZ", "Astana"): ("Nur-Sultan",),
    ("IN", "Thiruvananthapuram"): ("Trivandrum",),
    ("IN", "Kochi"): ("Cochin",),
    ("IT", "Livorno"): ("Leghorn",),
    ("ES", "Sevilla"): ("Seville",),
    ("ES", "Zaragoza"): ("Saragossa",),
    ("PT", "Porto"): ("Oporto",),
    ("PL", "Kraków"): ("Cracow",),
    ("PL", "Gdańsk"): ("Danzig",),
    ("PL", "Wrocław"): ("Breslau",),
    ("GR", "Thessaloníki"): ("Salonika",),
    ("BE", "Gent"): ("Ghent",),
    ("BE", "Brugge"): ("Bruges",),
    ("BE", "Leuven"): ("Louvain",),
    ("CH", "Luzern"): ("Lucerne",),
    ("MA", "Fes"): ("Fez",),
    ("SA", "Makkah"): ("Mecca",),
    ("SA", "Madinah"): ("Medina",),
    ("YE", "Sanaa"): ("Sana", "San'a"),
    ("IN", "Vadodara"): ("Baroda",),
    ("MD", "Chisinau"): ("Kishinev",),
    ("GE", "Tbilisi"): ("Tiflis",),
    ("MO", "Macau"): ("Macao",),
    ("TR", "Istanbul"): ("Constantinople",),
    ("KZ", "Almaty"): ("Alma-Ata",),
    ("SK", "Bratislava"): ("Pressburg",),
}
