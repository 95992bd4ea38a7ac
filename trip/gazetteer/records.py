"""What every gazetteer source yields: one :class:`PlaceRecord` per place.

Sources (:mod:`.geonames`, :mod:`.regions`, :mod:`.airports`, :mod:`.landmarks`)
only read their data and name places; the index module keys and stores them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

__all__ = ["PlaceRecord", "Match", "population_importance"]


class Match:
    """How a key names a place (stored as a small int; lower is a better match).

    A place's own names (:data:`OWN_NAMES`) are its primary name and the common names
    we curated or derived from it: an English exonym ("Peking", "Cologne"), a country's
    or region's everyday name ("UK", "Primorye"), a landmark's aliases. GeoNames'
    other alternate names are a grab-bag of spellings in every language ("Rome" for
    Lomé, "Dili" for Delhi) and rank behind a place that is called so.
    """

    NAME = 0  # the place's own name
    COMMON = 1  # a common name we curated (exonym, everyday name, landmark alias)
    ALT = 2  # an alternate name, other language or script
    CODE = 3  # an IATA/ICAO code
    QUALIFIED = 4  # "<city> airport": the city name with a generic word
    TRANSLIT = 5  # an ASCII transliteration we made of a non-Latin name

    LABELS = {0: "name", 1: "common name", 2: "alternate name", 3: "code",
              4: "town + kind of place", 5: "transliteration"}
    OWN_NAMES = frozenset({NAME, COMMON})


@dataclass(slots=True)
class PlaceRecord:
    """A place as a source describes it, with every name that should find it."""

    ref: str  # "geonames:2027456", "iata:VVO", "landmark:vostochny", …
    name: str
    lat: float
    lon: float
    country: str
    kind: str
    source: str
    population: int = 0
    importance: float = 0.0  # roughly log10 of an equivalent population
    admin1: str = ""
    names: dict[str, int] = field(default_factory=dict)  # raw name -> Match

    def add(self, name: str | None, match: int) -> None:
        """Add a name unless it is already there with a better match."""
        if not name:
            return
        old = self.names.get(name)
        if old is None or match < old:
            self.names[name] = match


def population_importance(population: int) -> float:
    """log10 of the population, with a floor for places whose count is unknown."""
    return math.log10(population) if population >= 100 else 2.0
