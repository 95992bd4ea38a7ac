"""The itinerary model: places, sources, stops and the trip that orders them.

Every value is a frozen dataclass validated at construction, so an
:class:`Itinerary` that exists is a valid one. Edits return new objects.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Iterator, Sequence
from urllib.parse import urlsplit

from .errors import ValidationError
from .geo import LatLon

__all__ = [
    "Status",
    "Mode",
    "DatePrecision",
    "Place",
    "Source",
    "Stop",
    "Itinerary",
    "MAX_TEXT",
    "safe_url",
]

#: Longest free text accepted in any field; longer text is an error, not truncated.
MAX_TEXT = 10_000
MAX_NAME = 300


class _Choice(str, enum.Enum):
    """A str enum whose parse error lists the valid values."""

    @classmethod
    def parse(cls, value: Any, *, field: str) -> "_Choice":
        if isinstance(value, cls):
            return value
        text = "" if value is None else str(value).strip().lower()
        if not text:
            return cls.default()
        try:
            return cls(text)
        except ValueError:
            valid = ", ".join(m.value for m in cls)
            raise ValidationError(f"is not one of: {valid}", field=field, value=value) from None

    @classmethod
    def default(cls) -> "_Choice":
        return next(iter(cls))

    def __str__(self) -> str:
        return self.value


class Status(_Choice):
    """Where the stop stands in time: already visited, only planned, or the start."""

    VISITED = "visited"
    PLANNED = "planned"
    ORIGIN = "origin"


class Mode(_Choice):
    """How the traveller reached the stop (the mode of the leg arriving at it)."""

    UNKNOWN = "unknown"
    TRAIN = "train"
    CAR = "car"
    PLANE = "plane"
    SHIP = "ship"
    WALK = "walk"


class DatePrecision(_Choice):
    """How sure the date is: the exact day, about that day, or only the month."""

    DAY = "day"
    APPROXIMATE = "approximate"
    MONTH = "month"


def _clean_text(value: Any, *, field: str, limit: int = MAX_TEXT) -> str:
    """Text as stored: str, NFC-normalised, stripped, no control characters but newline/tab."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError("is not text", field=field, value=value)
    text = unicodedata.normalize("NFC", value).strip()
    if len(text) > limit:
        raise ValidationError(
            f"is too long ({len(text)} characters, at most {limit})",
            field=field, value=text[:40] + "…", show_value=True,
        )
    if any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in text):
        raise ValidationError("contains control characters", field=field, value=text)
    return text


def safe_url(value: str) -> bool:
    """True for absolute http(s) URLs with a host: the only links trip will render."""
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not any(
        c.isspace() or unicodedata.category(c) == "Cc" for c in value
    )


@dataclass(frozen=True, slots=True)
class Place:
    """A named place and, once resolved, where it is and how we know."""

    name: str
    location: LatLon | None = None
    #: where the coordinates came from: "geonames", "airports", "landmarks", "file",
    #: "manual" (a pin set by the user), "nominatim", …; "" while unresolved.
    source: str = ""
    country: str = ""  # ISO 3166-1 alpha-2 where known
    kind: str = ""  # "city", "airport", "spaceport", "country", …
    confidence: float | None = None  # 0..1, from the geocoder
    ref: str = ""  # the gazetteer's id for the place, e.g. "geonames:2013348"

    def __post_init__(self) -> None:
        name = _clean_text(self.name, field="place", limit=MAX_NAME)
        if not name:
            raise ValidationError("is required", field="place", show_value=False)
        object.__setattr__(self, "name", name)
        if self.location is not None and not isinstance(self.location, LatLon):
            raise ValidationError("is not a LatLon", field="location", value=self.location)
        if self.confidence is not None:
            c = float(self.confidence)
            if not 0.0 <= c <= 1.0:
                raise ValidationError("is out of range (expected 0 to 1)", field="confidence", value=c)
            object.__setattr__(self, "confidence", c)

    @property
    def resolved(self) -> bool:
        return self.location is not None


@dataclass(frozen=True, slots=True)
class Source:
    """Where a fact comes from: a title, a URL, or both. URLs must be http(s)."""

    title: str = ""
    url: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "title", _clean_text(self.title, field="source", limit=1000))
        url = _clean_text(self.url, field="source", limit=2000)
        if url and not safe_url(url):
            raise ValidationError("is not an http or https URL", field="source", value=url)
        object.__setattr__(self, "url", url)
        if not self.title and not self.url:
            raise ValidationError("needs a title or a URL", field="source", show_value=False)

    @classmethod
    def parse(cls, text: str) -> "Source":
        """Read ``"Title <https://…>"``, a bare URL, a bare title, or the quoted form.

        The quoted form, ``"Title" <https://…>`` or ``"Title"`` with the title as a
        JSON string, is what :meth:`__str__` writes for a title the plain forms
        would misread (``Report <draft>``, ``<https://x>``, a title that is a URL).
        """
        text = text.strip()
        quoted = cls._parse_quoted(text)
        if quoted is not None:
            return quoted
        if text.endswith(">") and " <" in text:
            title, _, url = text[:-1].rpartition(" <")
            return cls(title=title, url=url)
        if text.startswith(("<",)) and text.endswith(">"):
            return cls(url=text[1:-1])
        if "://" in text.split(None, 1)[0] if text else False:
            return cls(url=text)
        return cls(title=text)

    @classmethod
    def _parse_quoted(cls, text: str) -> "Source | None":
        """``"Title"`` or ``"Title" <url>`` (title a JSON string), else None."""
        if not text.startswith('"'):
            return None
        try:
            title, end = _JSON_STRING.raw_decode(text)
        except ValueError:
            return None
        if not isinstance(title, str):
            return None
        rest = text[end:]
        if not rest:
            return cls(title=title)
        if rest.startswith(" <") and rest.endswith(">"):
            return cls(title=title, url=rest[2:-1])
        return None

    def __str__(self) -> str:
        """``Title <url>``, the URL or the title; quoted when that would read back wrong.

        ``Source.parse(str(source)) == source`` holds for every source.
        """
        plain = f"{self.title} <{self.url}>" if self.title and self.url else self.title or self.url
        try:
            if Source.parse(plain) == self:
                return plain
        except ValidationError:
            pass
        quoted = json.dumps(self.title, ensure_ascii=False)
        return f"{quoted} <{self.url}>" if self.url else quoted


#: Reads the JSON string that starts a quoted source (``"Title" <url>``).
_JSON_STRING = json.JSONDecoder()


def _parse_date(value: Any, *, field: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValidationError("is not a date (expected YYYY-MM-DD)", field=field, value=value) from None
    raise ValidationError("is not a date (expected YYYY-MM-DD)", field=field, value=value)


def _parse_time(value: Any) -> dt.time | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.time):
        return value
    if isinstance(value, str):
        try:
            return dt.time.fromisoformat(value.strip())
        except ValueError:
            raise ValidationError("is not a time (expected HH:MM)", field="time", value=value) from None
    raise ValidationError("is not a time (expected HH:MM)", field="time", value=value)


def _check_tz(value: Any) -> str:
    text = _clean_text(value, field="timezone", limit=64)
    if text:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(text)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError("is not a time zone (expected e.g. Asia/Vladivostok)",
                                  field="timezone", value=value) from None
    return text


@dataclass(frozen=True, slots=True)
class Stop:
    """One stop of a trip: where, when, how the traveller got there, and the evidence.

    Strings given for enums and dates are parsed, so ``Stop(Place("Artyom"),
    date="2023-09-16", mode="train")`` works and a bad value raises a
    :class:`~trip.errors.ValidationError` naming the field.
    """

    place: Place
    date: dt.date | None = None
    end_date: dt.date | None = None
    time: dt.time | None = None
    timezone: str = ""
    date_precision: DatePrecision = DatePrecision.DAY
    status: Status = Status.VISITED
    mode: Mode = Mode.UNKNOWN
    note: str = ""
    sources: tuple[Source, ...] = ()
    evidence: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.place, str):
            object.__setattr__(self, "place", Place(self.place))
        if not isinstance(self.place, Place):
            raise ValidationError("is not a place", field="place", value=self.place)
        date = _parse_date(self.date, field="date")
        end = _parse_date(self.end_date, field="end_date")
        if end is not None and date is None:
            raise ValidationError("is set but date is empty", field="end_date", value=str(end))
        if end is not None and date is not None and end < date:
            raise ValidationError(f"is before the date {date.isoformat()}", field="end_date",
                                  value=end.isoformat())
        object.__setattr__(self, "date", date)
        object.__setattr__(self, "end_date", end)
        object.__setattr__(self, "time", _parse_time(self.time))
        object.__setattr__(self, "timezone", _check_tz(self.timezone))
        object.__setattr__(self, "date_precision",
                           DatePrecision.parse(self.date_precision, field="date_precision"))
        object.__setattr__(self, "status", Status.parse(self.status, field="status"))
        object.__setattr__(self, "mode", Mode.parse(self.mode, field="mode"))
        object.__setattr__(self, "note", _clean_text(self.note, field="note"))
        object.__setattr__(self, "evidence", _clean_text(self.evidence, field="evidence"))
        sources = self.sources
        if isinstance(sources, (str, Source)):
            sources = (sources,)
        object.__setattr__(self, "sources", tuple(
            s if isinstance(s, Source) else Source.parse(s) for s in sources if s
        ))

    @property
    def name(self) -> str:
        return self.place.name

    @property
    def location(self) -> LatLon | None:
        return self.place.location

    @property
    def last_date(self) -> dt.date | None:
        """The last day at this stop: ``end_date`` if set, else ``date``."""
        return self.end_date or self.date

    def replace(self, **changes: Any) -> "Stop":
        return replace(self, **changes)

    def date_label(self) -> str:
        """The date as a reader should see it, e.g. ``2023-09-16 to 2023-09-17``,
        ``about 2023-09-16``, ``2023-09`` (month precision) or ``""`` when undated."""
        if self.date is None:
            return ""
        if self.date_precision is DatePrecision.MONTH:
            text = self.date.strftime("%Y-%m")
            if self.end_date and self.end_date.strftime("%Y-%m") != text:
                text += " to " + self.end_date.strftime("%Y-%m")
            return text
        text = self.date.isoformat()
        if self.time is not None:
            text += " " + self.time.strftime("%H:%M")
            if self.timezone:
                text += " " + self.timezone
        if self.end_date and self.end_date != self.date:
            text += " to " + self.end_date.isoformat()
        if self.date_precision is DatePrecision.APPROXIMATE:
            text = "about " + text
        return text


@dataclass(frozen=True, slots=True)
class Itinerary:
    """A titled, ordered sequence of stops. Immutable: every edit returns a new one."""

    stops: tuple[Stop, ...] = ()
    title: str = ""
    description: str = ""
    sources: tuple[Source, ...] = ()

    def __post_init__(self) -> None:
        stops = tuple(self.stops)
        for i, stop in enumerate(stops):
            if not isinstance(stop, Stop):
                raise ValidationError("is not a Stop", field="stops", value=stop).at_row(i + 1)
        object.__setattr__(self, "stops", stops)
        object.__setattr__(self, "title", _clean_text(self.title, field="title", limit=500))
        object.__setattr__(self, "description", _clean_text(self.description, field="description"))
        object.__setattr__(self, "sources", tuple(
            s if isinstance(s, Source) else Source.parse(s) for s in self.sources if s
        ))

    def __len__(self) -> int:
        return len(self.stops)

    def __iter__(self) -> Iterator[Stop]:
        return iter(self.stops)

    def __getitem__(self, index: int) -> Stop:
        return self.stops[index]

    # -- edits: each returns a new Itinerary ---------------------------------

    def _with(self, stops: Iterable[Stop]) -> "Itinerary":
        return replace(self, stops=tuple(stops))

    def _index(self, index: int) -> int:
        if not -len(self.stops) <= index < len(self.stops):
            raise ValidationError(f"is not a stop index (trip has {len(self.stops)} stops)",
                                  field="index", value=index)
        return index % len(self.stops)

    def with_stop(self, index: int, stop: Stop) -> "Itinerary":
        """Replace the stop at ``index``."""
        i = self._index(index)
        return self._with(self.stops[:i] + (stop,) + self.stops[i + 1:])

    def insert(self, index: int, stop: Stop) -> "Itinerary":
        stops = list(self.stops)
        stops.insert(index, stop)
        return self._with(stops)

    def append(self, stop: Stop) -> "Itinerary":
        return self._with(self.stops + (stop,))

    def remove(self, index: int) -> "Itinerary":
        i = self._index(index)
        return self._with(self.stops[:i] + self.stops[i + 1:])

    def move(self, index: int, to: int) -> "Itinerary":
        """Move the stop at ``index`` so that it ends up at position ``to``."""
        i = self._index(index)
        stops = list(self.stops)
        stop = stops.pop(i)
        stops.insert(max(0, min(to, len(stops))), stop)
        return self._with(stops)

    def replace(self, **changes: Any) -> "Itinerary":
        return replace(self, **changes)

    # -- views ----------------------------------------------------------------

    @property
    def resolved_stops(self) -> tuple[Stop, ...]:
        return tuple(s for s in self.stops if s.location is not None)

    @property
    def unresolved_stops(self) -> tuple[Stop, ...]:
        return tuple(s for s in self.stops if s.location is None)

    @property
    def start_date(self) -> dt.date | None:
        dates = [s.date for s in self.stops if s.date]
        return min(dates) if dates else None

    @property
    def end_date(self) -> dt.date | None:
        dates = [s.last_date for s in self.stops if s.last_date]
        return max(dates) if dates else None
