"""Name normalisation: the one function that turns any spelling into an index key.

The same function keys the index at build time and the query at lookup time, so
"Artëm", "ARTEM" and "Artem" meet on ``"artem"``, "Komsomol'sk-na-Amure" and
"Komsomolsk na Amure" on ``"komsomolsk na amure"``, and "Артём" on ``"артем"``
(the script is kept: GeoNames carries names in many scripts as alternate names;
:func:`transliterate` is the fallback for names it lacks).

Generic words ("airport", "cosmodrome", "town of", …) are not dropped blindly:
:func:`split_kind_hint` separates them from the name and says which kind of place
they point to, and the lookup tries the full name first.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from unidecode import unidecode

__all__ = ["normalize_name", "transliterate", "split_kind_hint", "KIND_WORDS", "MAX_QUERY"]

#: Longest query accepted (characters); longer text is not a place name.
MAX_QUERY = 200

# Letters that carry no combining mark in Unicode but have an obvious base letter.
_FOLD = str.maketrans({
    "ø": "o", "đ": "d", "ð": "d", "ł": "l", "ħ": "h", "ı": "i", "ŀ": "l",
    "æ": "ae", "œ": "oe", "þ": "th", "ŧ": "t", "ʻ": "", "ʼ": "", "ʹ": "", "ʿ": "", "ʾ": "",
})

# Apostrophe-like marks vanish ("Komsomol'sk" = "Komsomolsk"); other punctuation
# and any separator becomes a space ("Komsomolsk-na-Amure" = "Komsomolsk na Amure").
_APOSTROPHES = re.compile(r"['’‘`´′″\"“”«»‹›]")
_SEPARATORS = re.compile(r"[\W_]+", re.UNICODE)


@lru_cache(maxsize=65536)
def normalize_name(text: str) -> str:
    """The index key for a place name: lower case, no diacritics, single spaces.

    Scripts are kept (Cyrillic stays Cyrillic); combining marks, apostrophes and
    punctuation go; hyphens, dots and underscores become spaces.

    >>> normalize_name("  Artëm ")
    'artem'
    >>> normalize_name("Komsomol'sk-na-Amure")
    'komsomolsk na amure'
    >>> normalize_name("Комсомольск-на-Амуре")
    'комсомольск на амуре'
    >>> normalize_name("St. Petersburg")
    'st petersburg'
    """
    if not text:
        return ""
    if text.isascii():  # the common case, ten times faster
        return _SEPARATORS.sub(" ", _APOSTROPHES.sub("", text.lower())).strip()
    text = unicodedata.normalize("NFKC", text).casefold()
    text = unicodedata.normalize("NFD", text)
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    text = unicodedata.normalize("NFC", text).translate(_FOLD)
    text = _APOSTROPHES.sub("", text)
    text = _SEPARATORS.sub(" ", text)
    return text.strip()


def transliterate(key: str) -> str:
    """An ASCII rendering of a normalised key (a fallback for names in other scripts)."""
    return normalize_name(unidecode(key)) if key and not key.isascii() else key


# Generic words, normalised, mapped to the kind of place they hint at. Multi-word
# phrases first so "international airport" wins over "airport".
KIND_WORDS: dict[str, str] = {
    "international airport": "airport", "intl airport": "airport", "airport": "airport",
    "airfield": "airport", "air base": "airport", "airbase": "airport", "aeroport": "airport",
    "aeropuerto": "airport", "flughafen": "airport", "аэропорт": "airport",
    "cosmodrome": "spaceport", "spaceport": "spaceport", "launch site": "spaceport",
    "космодром": "spaceport",
    "railway station": "railway station", "train station": "railway station",
    "rail station": "railway station", "station": "railway station",
    "вокзал": "railway station", "станция": "railway station", "gare": "railway station",
    "bahnhof": "railway station", "hauptbahnhof": "railway station",
    "border crossing": "border crossing", "border checkpoint": "border crossing",
    "checkpoint": "border crossing", "border post": "border crossing",
    "aircraft plant": "factory", "plant": "factory", "factory": "factory", "works": "factory",
    "завод": "factory",
    "university": "university", "campus": "university", "университет": "university",
    "naval base": "naval base", "port": "port", "seaport": "port", "harbour": "port",
    "harbor": "port", "palace": "palace",
    "city of": "city", "town of": "city", "village of": "city", "city": "city",
    "town": "city", "village": "city", "город": "city", "город of": "city",
    "krai": "region", "kray": "region", "oblast": "region", "region": "region",
    "province": "region", "republic": "region", "republic of": "region", "край": "region",
    "область": "region",
    "country": "country",
}

_PREFIX_WORDS = ("city of", "town of", "village of", "republic of", "port of",
                 "airport", "аэропорт", "космодром", "город", "станция", "вокзал")


def split_kind_hint(key: str) -> tuple[str, str]:
    """Split a normalised query into (core name, kind hint).

    Returns ``(key, "")`` when no generic word is present. The caller looks the
    full key up first: "Mexico City" is a name, not a hint.

    >>> split_kind_hint("vostochny cosmodrome")
    ('vostochny', 'spaceport')
    >>> split_kind_hint("town of pingxiang")
    ('pingxiang', 'city')
    """
    for word in _PREFIX_WORDS:
        if key.startswith(word + " "):
            rest = key[len(word) + 1:].strip()
            if rest:
                return rest, KIND_WORDS.get(word, "port" if word == "port of" else "")
    for word, kind in KIND_WORDS.items():
        if key.endswith(" " + word):
            rest = key[: -len(word) - 1].strip()
            if rest:
                return rest, kind
    return key, ""
