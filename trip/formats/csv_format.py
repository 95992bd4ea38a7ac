"""Itineraries as CSV: one stop per row, the file a person edits in a spreadsheet.

The header is ``date,end_date,place,lat,lon,mode,status,note,source``; only
``place`` is required and the columns may come in any order. :func:`write` adds
the remaining stop fields after those nine (``time, timezone, date_precision,
evidence, country, kind, place_source, confidence, ref``) so a round trip keeps
every field. Several sources share one ``source`` cell, separated by `` | ``,
each written ``Title <https://url>`` (or in any other form :meth:`Source.parse
<trip.itinerary.Source.parse>` reads, such as ``"Report <draft>" <https://url>``).

The itinerary's own title, description and sources live in comment lines
before the header, which :func:`read` understands and spreadsheets show as rows::

    # title: Kim Jong Un in the Russian Far East, September 2023
    # description: By armoured train from Pyongyang …
    # source: Reuters <https://www.reuters.com/…>
    date,end_date,place,lat,lon,mode,status,note,source

Errors name the row as the file shows it (its line number, so the header is
row 1 when there are no comment lines) and the column, and every bad row is
reported at once (:class:`~trip.errors.RowErrors`).

Text cells that a spreadsheet would run as a formula (starting with ``=``,
``+``, ``-`` or ``@``) are written with a leading ``'`` and read back without
it, so exporting a hostile note cannot execute anything in Excel or LibreOffice.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any, Callable, Iterable

from ..errors import FormatError, RowErrors, ValidationError
from ..geo import LatLon
from ..itinerary import (
    DatePrecision,
    Itinerary,
    Mode,
    Place,
    Source,
    Status,
    Stop,
    _check_tz,
    _clean_text,
    _parse_date,
    _parse_time,
)

__all__ = ["NAME", "EXTENSIONS", "MEDIA_TYPE", "COLUMNS", "EXTRA_COLUMNS", "SOURCE_SEPARATOR",
           "read", "write", "parse_sources", "sources_cell"]

NAME = "csv"
EXTENSIONS = (".csv", ".txt")
MEDIA_TYPE = "text/csv"

#: The documented header, in order; ``place`` is the only required column.
COLUMNS = ("date", "end_date", "place", "lat", "lon", "mode", "status", "note", "source")
#: Every other stop field, written after :data:`COLUMNS` so nothing is lost.
EXTRA_COLUMNS = ("time", "timezone", "date_precision", "evidence", "country", "kind",
                 "place_source", "confidence", "ref")
ALL_COLUMNS = COLUMNS + EXTRA_COLUMNS
#: Other spellings people use for the same columns.
ALIASES = {
    "latitude": "lat", "longitude": "lon", "lng": "lon", "long": "lon",
    "name": "place", "sources": "source", "url": "source", "start_date": "date",
    "notes": "note", "precision": "date_precision", "tz": "timezone",
}
SOURCE_SEPARATOR = " | "
_META_KEYS = ("title", "description", "source")


#: One source of a cell and the separator after it. A quoted title (a JSON string, as
#: :meth:`Source.__str__` writes it) is read whole, so its ``|``, ``<`` and ``>`` are
#: its own; a plain title written with its URL may hold ``|`` too (headlines often do).
_SOURCE_RE = re.compile(r"""\s*(?:
      (?P<quoted>"(?:[^"\\]|\\.)*")(?:\s*<(?P<qurl>[^<>\s]*)>)?   # "Title" <https://…> or "Title"
      (?=\s*(?:\||$))
    | (?P<title>[^<>]*?)\s*<(?P<url>[^<>\s]*)>                   # Title <https://…>
      (?=\s*(?:\||$))
    | (?P<bare>[^|]+)                                            # a bare URL or a bare title
    )\s*(?:\||$)""", re.VERBOSE)


_BARE_RE = re.compile(r"\s*(?P<bare>[^|]+)\s*(?:\||$)")


def _separate_sources(title: str) -> bool:
    """Whether a "title" before ``<url>`` that holds ``|`` is really several sources:
    a piece before the last ``|`` is a URL, or a piece after one is a quoted title."""
    pieces = [piece.strip() for piece in title.split("|")]
    if any(piece.startswith('"') for piece in pieces[1:]):
        return True
    return any("://" in piece.split(None, 1)[0] for piece in pieces[:-1] if piece)


def _source_parts(text: str, field: str) -> list[str]:
    """The cell cut into one text per source, each in a form :meth:`Source.parse` reads."""
    parts = []
    pos = 0
    while pos < len(text):
        match = _SOURCE_RE.match(text, pos)
        if match is None or match.end() == pos:
            raise ValidationError("is not a list of sources (expected Title <https://…> | …)",
                                  field=field, value=text)
        pos = match.end()
        if match.group("quoted") is not None:
            url = match.group("qurl")
            parts.append(match.group("quoted") + (f" <{url}>" if url is not None else ""))
        elif match.group("url") is not None:
            title = match.group("title").strip()
            if "|" in title and _separate_sources(title):
                bare = _BARE_RE.match(text, match.start())
                if bare is None:
                    raise ValidationError("is not a list of sources (expected Title <https://…> | …)",
                                          field=field, value=text)
                pos = bare.end()
                parts.append(bare.group("bare").strip())
                continue
            parts.append(f"{title} <{match.group('url')}>" if title else f"<{match.group('url')}>")
        elif match.group("bare").strip():
            parts.append(match.group("bare").strip())
    return parts


def parse_sources(text: str, *, field: str = "source") -> tuple[Source, ...]:
    """Sources from one cell: ``Title <https://…> | https://… | Title | "Title" <https://…>``.

    Each part is read by :meth:`Source.parse`, so a cell accepts every form a single
    source has (the quoted one included); a JSON list of ``{"title", "url"}`` (what
    :func:`sources_cell` writes when nothing else reads back) is read too.
    """
    text = text.strip()
    if text.startswith("["):
        listed = _json_sources(text, field)
        if listed is not None:
            return listed
    out = []
    for part in _source_parts(text, field):
        try:
            out.append(Source.parse(part))
        except ValidationError as err:
            raise ValidationError(_with_hint(err.problem, part), field=field, value=err.value,
                                  show_value=err.value is not None) from None
    return tuple(out)


def _with_hint(problem: str, part: str) -> str:
    """A URL error for ``Title <not a URL>`` also says how to keep the ``<…>`` in the title."""
    if part.endswith(">") and not part.startswith('"') and problem.startswith("is not an http"):
        quoted = json.dumps(part, ensure_ascii=False)
        return (f"{problem}; if the <…> is part of the title, put the whole title in double "
                f"quotes: {quoted}")
    return problem


def _json_sources(text: str, field: str) -> tuple[Source, ...] | None:
    """A cell written as a JSON list (what :func:`write` uses for titles with ``<>|``)."""
    try:
        items = json.loads(text)
    except ValueError:
        return None
    if not isinstance(items, list):
        return None
    out = []
    for item in items:
        try:
            if isinstance(item, dict):
                out.append(Source(title=item.get("title") or "", url=item.get("url") or ""))
            elif isinstance(item, str):
                out.append(Source.parse(item))
            else:
                raise ValidationError("is not a source (expected {\"title\", \"url\"})", value=item)
        except ValidationError as err:
            raise ValidationError(err.problem, field=field, value=err.value,
                                  show_value=err.value is not None) from None
    return tuple(out)


def sources_cell(sources: Iterable[Source]) -> str:
    """Sources as one cell: ``Title <url> | url | Title`` when that reads back exactly,
    else a JSON list of ``{"title", "url"}`` (titles containing ``<``, ``>`` or ``|``)."""
    sources = tuple(sources)
    text = SOURCE_SEPARATOR.join(str(s) for s in sources)
    if not sources:
        return ""
    try:
        if not text.startswith("[") and parse_sources(text) == sources:
            return text
    except ValidationError:
        pass
    return json.dumps([{"title": s.title, "url": s.url} for s in sources], ensure_ascii=False)


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise FormatError(f"is not UTF-8 text (bad byte at offset {err.start}); "
                          "save it as CSV UTF-8", field="file", value=name or "upload") from None


def _header_key(cell: str) -> str:
    key = cell.strip().lower().replace(" ", "_").replace("-", "_")
    return ALIASES.get(key, key)


def _dialect(line: str) -> str:
    """Comma, unless the header clearly uses semicolons or tabs (European spreadsheets)."""
    if "," not in line:
        for sep in (";", "\t"):
            if sep in line:
                return sep
    return ","


def _number(value: str, field: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise ValidationError("is not a number", field=field, value=value) from None


class _Row:
    """Parse one row's cells, collecting an error per bad cell instead of stopping."""

    def __init__(self, cells: dict[str, str], row: int) -> None:
        self.cells = cells
        self.row = row
        self.errors: list[ValidationError] = []

    def get(self, key: str) -> str:
        return self.cells.get(key, "").strip()

    def parse(self, key: str, parser: Callable[[str], Any], default: Any = None) -> Any:
        text = self.get(key)
        if not text:
            return default
        try:
            return parser(text)
        except ValidationError as err:
            self.errors.append(ValidationError(
                err.problem, field=key, row=self.row, value=err.value,
                show_value=err.value is not None))
            return default

    def fail(self, problem: str, key: str, value: Any = None) -> None:
        self.errors.append(ValidationError(problem, field=key, row=self.row, value=value,
                                           show_value=value is not None))


def _stop_from_row(r: _Row) -> Stop | None:
    name = r.parse("place", lambda v: _clean_text(v, field="place", limit=300))
    if not name:
        r.fail("is required (every stop needs a place name)", "place")
    lat = r.parse("lat", lambda v: LatLon(_number(v, "lat"), 0).lat)
    lon = r.parse("lon", lambda v: LatLon(0, _number(v, "lon")).lon)
    if (lat is None) != (lon is None) and not r.errors:
        missing = "lon" if lon is None else "lat"
        r.fail(f"is empty but {'lat' if missing == 'lon' else 'lon'} is set (give both or neither)",
               missing)
    date = r.parse("date", lambda v: _parse_date(v, field="date"))
    end_date = r.parse("end_date", lambda v: _parse_date(v, field="end_date"))
    time = r.parse("time", _parse_time)
    timezone = r.parse("timezone", _check_tz, "")
    precision = r.parse("date_precision", lambda v: DatePrecision.parse(v, field="date_precision"),
                        DatePrecision.DAY)
    status = r.parse("status", lambda v: Status.parse(v, field="status"), Status.VISITED)
    mode = r.parse("mode", lambda v: Mode.parse(v, field="mode"), Mode.UNKNOWN)
    note = r.parse("note", lambda v: _clean_text(v, field="note"), "")
    evidence = r.parse("evidence", lambda v: _clean_text(v, field="evidence"), "")
    sources = r.parse("source", parse_sources, ())
    confidence = r.parse("confidence", lambda v: _number(v, "confidence"))
    country = r.parse("country", lambda v: _clean_text(v, field="country", limit=8).upper(), "")
    kind = r.parse("kind", lambda v: _clean_text(v, field="kind", limit=64), "")
    ref = r.parse("ref", lambda v: _clean_text(v, field="ref", limit=200), "")
    place_source = r.parse("place_source", lambda v: _clean_text(v, field="place_source", limit=64), "")
    if r.errors:
        return None
    location = LatLon(lat, lon) if lat is not None and lon is not None else None
    try:
        place = Place(name, location, source=place_source or ("file" if location else ""),
                      country=country, kind=kind, confidence=confidence, ref=ref)
        return Stop(place, date=date, end_date=end_date, time=time, timezone=timezone,
                    date_precision=precision, status=status, mode=mode, note=note,
                    sources=sources, evidence=evidence)
    except ValidationError as err:  # rules across fields, e.g. end_date before date
        r.errors.append(err.at_row(r.row))
        return None


def read(data: bytes, *, name: str = "") -> Itinerary:
    """Parse a CSV itinerary; raise :class:`~trip.errors.RowErrors` listing every bad row."""
    text = _decode(data, name)
    lines = text.split("\n")  # only "\n" ends a line: U+2028 in a cell is text
    meta: dict[str, list[str]] = {k: [] for k in _META_KEYS}
    line_no = 0
    # Comment lines and blank lines before the header carry the itinerary's metadata.
    while line_no < len(lines) and (lines[line_no].lstrip().startswith("#") or not lines[line_no].strip()):
        body = lines[line_no].rstrip("\r").lstrip().lstrip("#")
        key, sep, value = body.partition(":")
        if sep and key.strip().lower() in meta:
            meta[key.strip().lower()].append(value[1:] if value.startswith(" ") else value)
        line_no += 1
    if line_no >= len(lines) or not "".join(lines[line_no:]).strip():
        raise FormatError("has no header row (expected e.g. " + ",".join(COLUMNS) + ")",
                          field="file", value=name or "upload")
    header_row = line_no + 1
    reader = csv.reader(io.StringIO("\n".join(lines[line_no:]), newline=""), delimiter=_dialect(lines[line_no]))
    header = next(reader)
    keys = [_header_key(c) for c in header]
    problems: list[ValidationError] = []
    for i, key in enumerate(keys):
        if key and key not in ALL_COLUMNS:
            problems.append(FormatError(
                f"is not a column (expected some of: {', '.join(ALL_COLUMNS)})",
                field=header[i].strip(), row=header_row, value=header[i].strip()))
        elif key and keys.index(key) != i:
            problems.append(FormatError("appears twice in the header", field=header[i].strip(),
                                        row=header_row, value=header[i].strip()))
    if "place" not in keys:
        problems.append(FormatError("is missing from the header (it is the one required column)",
                                    field="place", row=header_row, show_value=False))
    if problems:
        raise problems[0] if len(problems) == 1 else RowErrors(problems, name=name)

    stops: list[Stop] = []
    errors: list[ValidationError] = []
    last_line = reader.line_num  # physical lines consumed so far, header included
    for cells in reader:
        row = header_row + last_line  # where this record starts, as the file shows it
        last_line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(keys) and any(c.strip() for c in cells[len(keys):]):
            errors.append(FormatError(f"has {len(cells)} cells but the header has {len(keys)} columns",
                                      row=row, show_value=False))
            continue
        r = _Row({k: _restore(v) if k in _TEXT_COLUMNS else v for k, v in zip(keys, cells) if k}, row)
        stop = _stop_from_row(r)
        if stop is None:
            errors.extend(r.errors)
        else:
            stops.append(stop)
    if errors:
        raise errors[0] if len(errors) == 1 else RowErrors(errors, name=name)
    try:
        sources = tuple(s for line in meta["source"] for s in parse_sources(line))
        return Itinerary(tuple(stops), title="\n".join(meta["title"]),
                         description="\n".join(meta["description"]), sources=sources)
    except ValidationError as err:
        raise FormatError(err.problem, field=err.field, value=err.value,
                          show_value=err.value is not None) from None


#: Text columns a spreadsheet might run as a formula if they start with = + - @.
_TEXT_COLUMNS = ("place", "note", "source", "evidence", "country", "kind", "place_source", "ref")
_FORMULA = re.compile(r"'*[=+\-@]")


def _defuse(cell: str) -> str:
    """Prefix ``'`` to text a spreadsheet would take for a formula (CSV injection).

    Reversible: :func:`_restore` removes exactly one ``'`` from text that starts
    with quotes and then a formula character, so a round trip is exact.
    """
    return "'" + cell if _FORMULA.match(cell) else cell


def _restore(cell: str) -> str:
    stripped = cell.strip()
    return stripped[1:] if stripped.startswith("'") and _FORMULA.match(stripped) else cell


def _fmt_number(x: float | None) -> str:
    return "" if x is None else repr(round(x, 7)) if not float(x).is_integer() else str(int(x))


def _stop_cells(stop: Stop) -> dict[str, str]:
    place = stop.place
    loc = place.location
    return {
        "date": stop.date.isoformat() if stop.date else "",
        "end_date": stop.end_date.isoformat() if stop.end_date else "",
        "place": place.name,
        "lat": _fmt_number(loc.lat) if loc else "",
        "lon": _fmt_number(loc.lon) if loc else "",
        "mode": "" if stop.mode is Mode.UNKNOWN else stop.mode.value,
        "status": stop.status.value,
        "note": stop.note,
        "source": sources_cell(stop.sources),
        "time": stop.time.isoformat(timespec="minutes" if not stop.time.second else "seconds")
        if stop.time else "",
        "timezone": stop.timezone,
        "date_precision": "" if stop.date_precision is DatePrecision.DAY else stop.date_precision.value,
        "evidence": stop.evidence,
        "country": place.country,
        "kind": place.kind,
        "place_source": place.source,
        "confidence": "" if place.confidence is None else repr(place.confidence),
        "ref": place.ref,
    }


def _meta_lines(itinerary: Itinerary) -> Iterable[str]:
    # One comment line per text line ("\n" only: U+2028 is text, not a line break here).
    if itinerary.title:
        for line in itinerary.title.split("\n"):
            yield f"# title: {line}\n"
    if itinerary.description:
        for line in itinerary.description.split("\n"):
            yield f"# description: {line}\n"
    for source in itinerary.sources:
        yield f"# source: {sources_cell((source,))}\n"


def write(itinerary: Itinerary) -> bytes:
    """The itinerary as UTF-8 CSV: metadata comments, the nine columns, then the rest.

    Extra columns that are empty in every row are still written, so the header is
    always the same and a spreadsheet user sees every field they may fill.
    """
    out = io.StringIO()
    out.writelines(_meta_lines(itinerary))
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ALL_COLUMNS)
    for stop in itinerary.stops:
        cells = _stop_cells(stop)
        for column in _TEXT_COLUMNS:
            cells[column] = _defuse(cells[column])
        writer.writerow([cells[c] for c in ALL_COLUMNS])
    return out.getvalue().encode("utf-8")
