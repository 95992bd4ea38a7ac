"""Date expressions in news prose: found by rule, resolved against the publication date.

Finding and converting are separate. :func:`find_dates` finds the spans ("on
Saturday", "Friday, September 6", "the next day", "in July") with our own
patterns, never by a free search (which finds dates in ordinary words such as
"may" or "second"); :func:`resolve` turns each span into a date and a precision,
given the publication date, the date the story was last at (the *narrative*
date) and the tense of the clause.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

__all__ = ["DateSpan", "find_dates", "resolve", "clause_tense", "find_published", "year_from_weekday"]

MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}
WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
            "sunday": 6}
NUMBERS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
           "eight": 8, "nine": 9, "ten": 10}

_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
          r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_RANGE = r"(?:\s*(?:-|–|and|to|&)\s*(?:[12]\d|3[01]|0?[1-9])(?!\d))?"
_WEEKDAY = r"(?i:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_PART = r"(?:\s+(?i:morning|afternoon|evening|night))?"

def _mdy(n: int) -> str:
    return (rf"(?P<m{n}>{_MONTH})\s+(?P<d{n}>{_DAY})(?!\d){_RANGE}"
            rf"(?:,?\s+(?P<y{n}>(?:1[0-9]|20)\d\d))?(?![\d:])")


def _dmy(n: int) -> str:
    return rf"(?P<d{n}>{_DAY})\s+(?:of\s+)?(?P<m{n}>{_MONTH})(?![a-z])(?:,?\s+(?P<y{n}>(?:1[0-9]|20)\d\d))?"


_ISO = r"(?P<iso>(?:1[0-9]|20)\d\d-[01]\d-[0-3]\d)"
_FULL = re.compile(
    rf"(?:(?P<q>(?i:last|next|this|early on|late on|early|late|on))\s+)?(?P<wd>{_WEEKDAY}){_PART}"
    rf"(?:,?\s+(?:{_mdy(3)}|{_dmy(4)}))?"
    rf"|{_mdy(1)}|{_dmy(2)}|{_ISO}"
)
_RELATIVE = re.compile(
    r"\b(?i:(?P<today>today|tonight|this (?:morning|afternoon|evening))"
    r"|(?P<yesterday>yesterday(?: (?:morning|afternoon|evening))?|last night)"
    r"|(?P<tomorrow>tomorrow(?: (?:morning|afternoon|evening|night))?)"
    r"|(?P<next>the (?:next|following) (?:day|morning|afternoon|evening)|a day later|the day after)"
    r"|(?P<prev>the (?:day before|previous day|previous evening|night before))"
    r"|(?P<same>(?:later|earlier) (?:that|the same) (?:day|morning|afternoon|evening)"
    r"|that (?:same )?(?:day|morning|afternoon|evening|night)|the same day"
    r"|in the (?:morning|afternoon|evening)|at (?:night|dusk|dawn|midnight|noon))"
    r"|(?P<later>(?P<n>two|three|four|five|six|seven|\d{1,2}) days (?:later|afterwards|after that)"
    r"|(?P<n2>two|three|four|five|six|seven|\d{1,2}) days (?:earlier|before)"
    r"|(?P<w>a|one|two|three) weeks? (?:later|afterwards)"
    r"|(?P<n3>two|three|four|five|six|seven|\d{1,2}) days after(?= (?:he|she|they|it|the|his|her|their)\b))"
    r"|(?P<overnight>overnight (?=train|flight|journey|ferry|bus|crossing|drive|sleeper)"
    r"|(?<=flew back to )[^.,;]{0,30}?overnight|overnight(?= to\b))"
    r"|(?P<week>earlier this week|this week|last week|next week|this weekend|last weekend|next weekend))\b"
)
_MONTH_ONLY = re.compile(
    rf"\b(?i:in|early|late|mid-|since|during|until|by|from|this|last|next)\s*(?P<m>{_MONTH})(?![a-z])"
    rf"(?!\s+\d{1,2}\b)(?:\s+(?P<y>(?:1[0-9]|20)\d\d))?"
)


@dataclass(frozen=True, slots=True)
class DateSpan:
    """A date expression found in a sentence (offsets into the sentence)."""

    start: int
    end: int
    text: str
    kind: str  # "absolute", "weekday", "relative", "week", "month"
    month: int = 0
    day: int = 0
    year: int = 0
    weekday: int = -1
    qualifier: str = ""  # "last", "next", "this", "on", ... for weekdays
    offset: int = 0  # days from the narrative date for relative spans
    anchor: str = ""  # "published" or "narrative" for relative spans


def _month(text: str) -> int:
    return MONTHS[text[:3].lower()]


def _day(text: str) -> int:
    return int(re.match(r"\d+", text).group(0))


def find_dates(sentence: str) -> list[DateSpan]:
    """Every date expression in ``sentence``, left to right, without overlaps."""
    spans: list[DateSpan] = []
    for m in _FULL.finditer(sentence):
        g = m.groupdict()
        if g["iso"]:
            y, mo, d = (int(x) for x in g["iso"].split("-"))
            spans.append(DateSpan(m.start(), m.end(), m.group(0), "absolute", mo, d, y))
            continue
        month = day = year = 0
        for n in (1, 2, 3, 4):
            if g[f"m{n}"]:
                month, day, year = _month(g[f"m{n}"]), _day(g[f"d{n}"]), int(g[f"y{n}"] or 0)
                break
        if g["wd"]:
            wd = WEEKDAYS[g["wd"].lower()]
            q = (g["q"] or "").lower()
            kind = "absolute" if month else "weekday"
            spans.append(DateSpan(m.start(), m.end(), m.group(0), kind, month, day, year, wd, q))
        else:
            spans.append(DateSpan(m.start(), m.end(), m.group(0), "absolute", month, day, year))
    for m in _RELATIVE.finditer(sentence):
        g = m.groupdict()
        if g["today"]:
            span = DateSpan(m.start(), m.end(), m.group(0), "relative", offset=0, anchor="published")
        elif g["yesterday"]:
            span = DateSpan(m.start(), m.end(), m.group(0), "relative", offset=-1, anchor="published")
        elif g["tomorrow"]:
            span = DateSpan(m.start(), m.end(), m.group(0), "relative", offset=1, anchor="published")
        elif g["next"]:
            span = DateSpan(m.start(), m.end(), m.group(0), "relative", offset=1, anchor="narrative")
        elif g["prev"]:
            span = DateSpan(m.start(), m.end(), m.group(0), "relative", offset=-1, anchor="narrative")
        elif g["same"]:
            span = DateSpan(m.start(), m.end(), m.group(0), "relative", offset=0, anchor="narrative")
        elif g["overnight"]:
            span = DateSpan(m.start(), m.end(), m.group(0), "relative", offset=1, anchor="narrative")
        elif g["later"] and g["n3"]:
            # "on Wednesday, three days after he sat out a match in Hong Kong": that was 3 days earlier
            n = g["n3"]
            span = DateSpan(m.start(), m.end(), m.group(0), "relative",
                            offset=-(NUMBERS.get(n.lower()) or int(n)), anchor="narrative")
        elif g["later"] and g["w"]:
            span = DateSpan(m.start(), m.end(), m.group(0), "relative",
                            offset=7 * NUMBERS[g["w"].lower()], anchor="narrative")
        elif g["later"]:
            n = g["n"] or g["n2"]
            days = NUMBERS.get(n.lower()) or int(n)
            span = DateSpan(m.start(), m.end(), m.group(0), "relative",
                            offset=days if g["n"] else -days, anchor="narrative")
        else:
            text = g["week"].lower()
            offset = -7 if text.startswith("last") else 7 if text.startswith("next") else 0
            span = DateSpan(m.start(), m.end(), m.group(0), "week", offset=offset, anchor="published",
                            qualifier="weekend" if "weekend" in text else "")
        spans.append(span)
    for m in _MONTH_ONLY.finditer(sentence):
        spans.append(DateSpan(m.start("m"), m.end(), m.group(0)[m.start("m") - m.start():], "month",
                              _month(m.group("m")), 1, int(m.group("y") or 0)))
    # "at about three in the morning" is a clock time, not a day
    spans = [s for s in spans if not (s.text.lower().startswith("in the ") and re.search(
        r"(?:\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|o'clock))\s*$",
        sentence[:s.start], re.IGNORECASE))]
    spans.sort(key=lambda s: (s.start, -(s.end - s.start)))
    kept: list[DateSpan] = []
    for span in spans:
        if kept and span.start < kept[-1].end:
            continue
        # "spent Wednesday and Thursday in Warsaw": one span, dated by its first day
        if kept and kept[-1].kind == span.kind == "weekday" and re.fullmatch(
                r"\s+(?:and|to|through|until|-|–)\s+", sentence[kept[-1].end:span.start]):
            first = kept[-1]
            kept[-1] = DateSpan(first.start, span.end, sentence[first.start:span.end], first.kind,
                                first.month, first.day, first.year, first.weekday, first.qualifier)
            continue
        kept.append(span)
    return kept


_FUTURE = re.compile(
    r"\b(?:will|'ll|shall|would|is due|are due|was due|were due|is expected|are expected|was expected"
    r"|is scheduled|are scheduled|was scheduled|were scheduled|is set to|are set to|plans? to|is planning"
    r"|are planning|is to|are to|is going to|are going to|is heading|are heading|will be)\b"
    # news uses the present simple for what is scheduled: "Xi flies on to Budapest on Wednesday"
    r"|\b(?-i:flies|travels|heads|leaves|returns|goes|moves on|sets off|departs|continues on)\b",
    re.IGNORECASE,
)
_PAST = re.compile(
    r"\b(?:was|were|had|did|has \w+ed|have \w+ed|\w{2,}ed|met|flew|left|went|came|spent|took|drove|rode|saw"
    r"|spoke|began|begun|held|made|gave|told|laid|stood|sat|brought|became|got|kept|led|paid|sent|shook"
    r"|wrote|rolled|ran|stayed|passed|crossed|reached|arrived|returned|stepped|called|said)\b",
    re.IGNORECASE,
)
_NOT_VERBS = {"armoured", "armored", "red", "bed", "need", "speed", "united", "based", "sealed", "hundred",
              "seed", "feed", "shed", "led", "wed", "bred", "sacred", "naked", "wicked", "tired",
              "limited", "advanced", "planned", "expected", "scheduled", "released"}


def clause_tense(clause: str) -> str:
    """``"future"``, ``"past"`` or ``""`` (present or unknown) for a clause."""
    if _FUTURE.search(clause):
        return "future"
    for m in _PAST.finditer(clause):
        word = m.group(0).lower()
        if word.endswith("ed") and " " not in word and word in _NOT_VERBS:
            continue
        return "past"
    return ""


def _closest_year(month: int, day: int, anchor: dt.date, tense: str) -> dt.date | None:
    options = []
    for year in (anchor.year - 1, anchor.year, anchor.year + 1):
        try:
            options.append(dt.date(year, month, day))
        except ValueError:
            continue
    if not options:
        return None

    def cost(d: dt.date) -> float:
        delta = (d - anchor).days
        if tense == "past" and delta > 1:
            return abs(delta) + 1000
        if tense == "future" and delta < -1:
            return abs(delta) + 1000
        return abs(delta)

    return min(options, key=cost)


def year_from_weekday(month: int, day: int, weekday: int, *, today: dt.date, years: int = 30) -> int | None:
    """The most recent year (not after ``today``) in which ``month``/``day`` falls on ``weekday``."""
    for year in range(today.year + 1, today.year - years, -1):
        try:
            d = dt.date(year, month, day)
        except ValueError:
            continue
        if d.weekday() == weekday and d <= today + dt.timedelta(days=1):
            return year
    return None


def resolve(
    span: DateSpan,
    *,
    published: dt.date | None,
    narrative: dt.date | None,
    tense: str = "",
) -> tuple[dt.date | None, str]:
    """``(date, precision)`` for a span; precision is "day", "approximate" or "month"."""
    if span.kind == "absolute":
        if span.year:
            try:
                return dt.date(span.year, span.month, span.day), "day"
            except ValueError:
                return None, "day"
        anchor = published or narrative
        if anchor is None:
            return None, "day"
        # a chronicle without a publication date moves forward from its last date: no tense rule
        found = _closest_year(span.month, span.day, anchor, tense if published else "")
        if found and span.weekday >= 0 and found.weekday() != span.weekday:
            # the weekday disagrees with the nearest year: try the neighbours
            for year in (found.year - 1, found.year + 1):
                try:
                    other = dt.date(year, span.month, span.day)
                except ValueError:
                    continue
                if other.weekday() == span.weekday:
                    return other, "day"
        return found, "day"
    if span.kind == "month":
        anchor = published or narrative
        year = span.year or (anchor.year if anchor else 0)
        if not year:
            return None, "month"
        if not span.year and published and tense == "past" and span.month > published.month:
            year -= 1
        return dt.date(year, span.month, 1), "month"
    if span.kind == "weekday":
        anchor = published or narrative
        if anchor is None:
            return None, "day"
        diff = (span.weekday - anchor.weekday()) % 7  # days forward to that weekday
        q = span.qualifier
        if q == "last":
            back = (anchor.weekday() - span.weekday) % 7 or 7
            return anchor - dt.timedelta(days=back), "day"
        if q == "next":
            return anchor + dt.timedelta(days=diff or 7), "day"
        if diff == 0:
            return anchor, "day"
        if tense == "future" or (tense == "" and q == "this"):
            return anchor + dt.timedelta(days=diff), "day"
        if tense == "past":
            return anchor - dt.timedelta(days=7 - diff), "day"
        # present tense in news ("flies on Wednesday") is the coming day
        return anchor + dt.timedelta(days=diff), "day"
    if span.kind == "relative":
        base = published if span.anchor == "published" else (narrative or published)
        if base is None:
            return None, "day"
        return base + dt.timedelta(days=span.offset), "day"
    if span.kind == "week":
        if published is None:
            return None, "approximate"
        if span.qualifier == "weekend":
            saturday = published + dt.timedelta(days=(5 - published.weekday()) % 7)
            return saturday + dt.timedelta(days=span.offset), "approximate"
        monday = published - dt.timedelta(days=published.weekday())
        return monday + dt.timedelta(days=span.offset), "approximate"
    return None, "day"


_PUBLISHED_LINE = re.compile(r"\b(?i:published|updated|posted|dated)\b")


def find_published(text: str, *, today: dt.date | None = None) -> tuple[dt.date | None, str]:
    """The publication date written in the article's first paragraphs, and how it was found.

    Tries, in order: a full date with a year near the top ("BELGRADE, May 8, 2024",
    "Published 23 October 2024"); then a weekday and a date without a year that
    agree on exactly one recent year ("Wednesday, September 13" is 2023).
    """
    today = today or dt.date.today()
    head = text.split("\n\n")[:4]
    candidates: list[DateSpan] = []
    # a timeline ("November 14, 1889 — Bly left Hoboken…" paragraph after paragraph) dates its
    # entries, not its publication
    timeline = len(_TIMELINE_ENTRY.findall(text)) >= 2
    for para in head:
        if timeline and _TIMELINE_ENTRY.match(para):
            continue
        m = _PUBLISHED_LINE.search(para[:200])
        window = para[: max(60, m.end() + 40 if m else 0)]
        for span in find_dates(window):
            prefix = window[:span.start]
            # only a date that opens the paragraph, follows a dateline ("BELGRADE, ", "MÜNSTER,
            # Germany — ") or a "Published" label: a date inside a sentence is the story's
            if _DATELINE_PREFIX.fullmatch(prefix) or _PUBLISHED_LINE.search(prefix):
                candidates.append(span)
    for span in candidates:
        if span.kind == "absolute" and span.year:
            try:
                return dt.date(span.year, span.month, span.day), f'"{span.text}" near the top'
            except ValueError:
                continue
    for span in candidates:
        if span.kind == "absolute" and span.weekday >= 0 and not span.year:
            year = year_from_weekday(span.month, span.day, span.weekday, today=today)
            if year:
                return dt.date(year, span.month, span.day), \
                    f'"{span.text}" falls on that weekday in {year}'
    return None, ""


_TIMELINE_ENTRY = re.compile(
    r"^(?:\d{1,2}\s+)?(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December)(?:\s+\d{1,2})?(?:,?\s+\d{4})?\s*[—–]\s+\S", re.MULTILINE)
_DATELINE_PREFIX = re.compile(
    r"\s*(?:[A-ZÀ-Þ][A-ZÀ-Þ .'\-/]+(?:,\s*[A-Z][\w .'\-]*)?\s*(?:[,—–(\-]\s*)+)?")
