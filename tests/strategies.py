"""Hypothesis strategies for itineraries, shared by round-trip and fuzz tests.

Values are built through the model's own constructors, so every generated
:class:`~trip.itinerary.Itinerary` is valid and already in canonical form
(NFC, stripped). Coordinates have at most 7 decimals, the precision every
format writes, so an exact round trip is a fair demand.

The interesting cases are over-represented on purpose: non-ASCII names
(Cyrillic, Korean, Devanagari, combining marks, emoji), notes full of markup
characters (``< > & " '`` and things that look like tags or entities), date
ranges, month-precision dates, local times in odd time zones, stops without
coordinates, and trips that cross the antimeridian.

Usage::

    from hypothesis import given
    from strategies import itineraries  # tests/ is on sys.path under pytest

    @given(itineraries())
    def test_something(itinerary): ...
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from hypothesis import strategies as st

from trip.geo import LatLon
from trip.itinerary import DatePrecision, Itinerary, Mode, Place, Source, Status, Stop

__all__ = [
    "names",
    "free_text",
    "latlons",
    "antimeridian_latlons",
    "sources",
    "places",
    "stops",
    "itineraries",
    "antimeridian_itineraries",
    "TIMEZONES",
]

#: Zones with DST, half-hour and 45-minute offsets, and both sides of the date line.
TIMEZONES = ("", "UTC", "Europe/Moscow", "Asia/Vladivostok", "Asia/Pyongyang", "Asia/Kolkata",
             "Asia/Kathmandu", "Pacific/Auckland", "Pacific/Chatham", "America/Anchorage",
             "America/Nome", "Pacific/Kiritimati")

_MARKUP = ("<", ">", "&", '"', "'", "<b>", "</script>", "&amp;", "&#x27;", "<!--", "-->",
           "]]>", "{{ x }}", "${x}", "`", "\\", "|", " <https://x.invalid>", ",", ";", "#")
_WORDS = ("Vladivostok", "Владивосток", "평양", "Хасан", "Artyom", "Komsomolsk-on-Amur",
          "São Paulo", "Zürich", "Ærøskøbing", "देहरादून", "北京", "Île-d'Orléans", "Ñandú",
          "e\u0301", "🚂", "O'Hare", "A & B", "Kim Jong Un", "Tumangang")


def _clean(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


# Printable characters XML can carry: no controls (the model refuses them), no
# surrogates, no U+FFFE/U+FFFF.
_chars = st.characters(
    blacklist_categories=("Cc", "Cs", "Co", "Cn"),
    blacklist_characters="\ufffe\uffff",
)


def _pieces(*, newlines: bool) -> st.SearchStrategy[str]:
    pieces = [st.sampled_from(_WORDS), st.sampled_from(_MARKUP), st.text(_chars, min_size=1, max_size=6),
              st.just(" ")]
    if newlines:
        pieces += [st.just("\n"), st.just("\t")]
    return st.one_of(*pieces)


def names() -> st.SearchStrategy[str]:
    """Place names: one line, non-empty, often non-ASCII or with markup characters."""
    return (st.lists(_pieces(newlines=False), min_size=1, max_size=4)
            .map(lambda parts: _clean("".join(parts))[:300].strip())
            .filter(bool))


def free_text(*, max_pieces: int = 6) -> st.SearchStrategy[str]:
    """Notes, evidence, descriptions: may be empty, may span lines, full of markup."""
    return st.lists(_pieces(newlines=True), max_size=max_pieces).map(lambda parts: _clean("".join(parts)))


def _coord(bound: float) -> st.SearchStrategy[float]:
    return st.floats(-bound, bound, allow_nan=False, allow_infinity=False).map(lambda x: round(x, 7))


def latlons() -> st.SearchStrategy[LatLon]:
    return st.builds(LatLon, _coord(85.0), _coord(180.0))


def antimeridian_latlons() -> st.SearchStrategy[LatLon]:
    """Points within 15° of the antimeridian, on either side of it."""
    east = st.floats(165.0, 180.0).map(lambda x: round(x, 7))
    west = st.floats(-180.0, -165.0).map(lambda x: round(x, 7))
    return st.builds(LatLon, _coord(80.0), st.one_of(east, west))


_urls = st.builds(
    lambda host, path, query: f"https://{host}/{path}{query}",
    st.sampled_from(("example.org", "news.example.com", "xn--80ak6aa92e.example", "127.0.0.1:8080")),
    st.text("abcxyz0123-_/.~%", max_size=12),
    st.sampled_from(("", "?a=1&b=2", "#frag", "?q=%D0%92&x=<y>".replace("<", "%3C").replace(">", "%3E"))),
)


def sources() -> st.SearchStrategy[Source]:
    titled = st.builds(Source, title=names(), url=st.one_of(st.just(""), _urls))
    bare = st.builds(Source, url=_urls)
    return st.one_of(titled, bare)


@st.composite
def places(draw, *, locations: st.SearchStrategy[LatLon] | None = None,
           unresolved: bool = True) -> Place:
    """Places; a located place always says where its coordinates came from
    (``source`` is "" only while unresolved, as the model documents)."""
    where = locations if locations is not None else latlons()
    location = draw(st.one_of(st.none(), where, where) if unresolved else where)
    return Place(
        name=draw(names()),
        location=location,
        source="" if location is None else draw(
            st.sampled_from(("geonames", "airports", "landmarks", "file", "manual"))),
        country=draw(st.sampled_from(("", "RU", "KP", "US", "NZ", "KI"))),
        kind=draw(st.sampled_from(("", "city", "airport", "spaceport", "station", "port"))),
        confidence=draw(st.one_of(st.none(), st.floats(0.0, 1.0))),
        ref=draw(st.sampled_from(("", "geonames:2013348", "iata:VVO", "landmark:vostochny"))),
    )


@st.composite
def stops(draw, *, locations: st.SearchStrategy[LatLon] | None = None,
          unresolved: bool = True) -> Stop:
    place = draw(places(locations=locations, unresolved=unresolved))
    # Mostly plausible dates, sometimes the calendar's edges (year 1, year 9999).
    date = draw(st.one_of(st.none(), st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 1)),
                          st.dates()))
    end_date = None
    if date is not None and draw(st.booleans()):
        end_date = min(dt.date.max - dt.timedelta(days=40), date) + dt.timedelta(days=draw(st.integers(0, 40)))
        end_date = max(end_date, date)
    # Whole seconds: itineraries quote clock times, never microseconds.
    time = draw(st.one_of(st.none(), st.times().map(lambda t: t.replace(microsecond=0)))) \
        if date is not None else None
    return Stop(
        place=place,
        date=date,
        end_date=end_date,
        time=time,
        timezone=draw(st.sampled_from(TIMEZONES)),
        date_precision=draw(st.sampled_from(list(DatePrecision))),
        status=draw(st.sampled_from(list(Status))),
        mode=draw(st.sampled_from(list(Mode))),
        note=draw(free_text()),
        sources=tuple(draw(st.lists(sources(), max_size=2))),
        evidence=draw(free_text(max_pieces=3)),
    )


@st.composite
def itineraries(draw, *, min_stops: int = 0, max_stops: int = 6,
                locations: st.SearchStrategy[LatLon] | None = None,
                unresolved: bool = True) -> Itinerary:
    """Valid itineraries with every field exercised."""
    return Itinerary(
        stops=tuple(draw(st.lists(stops(locations=locations, unresolved=unresolved),
                                  min_size=min_stops, max_size=max_stops))),
        title=draw(st.one_of(st.just(""), names())),
        description=draw(free_text()),
        sources=tuple(draw(st.lists(sources(), max_size=2))),
    )


def antimeridian_itineraries(*, min_stops: int = 2, max_stops: int = 5) -> st.SearchStrategy[Itinerary]:
    """Trips hopping across the 180th meridian (e.g. Chukotka to Alaska and back)."""
    return itineraries(min_stops=min_stops, max_stops=max_stops,
                       locations=antimeridian_latlons(), unresolved=False)
