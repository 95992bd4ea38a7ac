"""Share links: an itinerary as a compact, versioned token that fits in a URL.

A token is ``"1."`` (the format version) followed by the URL-safe base64 of a
zlib-compressed compact JSON document. zlib's checksum makes a token that was
cut short or edited by hand fail loudly instead of decoding into another trip.

>>> from trip.itinerary import Itinerary, Stop
>>> token = encode_itinerary(Itinerary((Stop("Vladivostok", date="2023-09-16"),)))
>>> decode_itinerary(token).stops[0].name
'Vladivostok'

Pure: no Streamlit, no I/O. Every failure is a :class:`~trip.errors.TripError`:
:class:`~trip.errors.FileTooLarge` when a trip is too large for a link, and
:class:`~trip.errors.FormatError` for any token that is not one we wrote.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from typing import Any

from .errors import FileTooLarge, FormatError, TooManyStops, TripError, ValidationError
from .formats import check_stop_count
from .geo import COORD_DECIMALS, LatLon
from .itinerary import DatePrecision, Itinerary, Mode, Place, Source, Status, Stop

__all__ = ["VERSION", "MAX_TOKEN_CHARS", "encode_itinerary", "decode_itinerary"]

#: The token format written by :func:`encode_itinerary`; older versions stay readable.
VERSION = 1

#: Longest token we write. URLs of a few kilobytes pass every browser, proxy and
#: server we know of (uvicorn refuses request lines over 16 KB); beyond that,
#: share a file instead.
MAX_TOKEN_CHARS = 6000

#: Tokens this long are refused unread, and no token inflates beyond this many bytes,
#: so a hostile link cannot make the server do much work.
_MAX_INPUT_CHARS = 64 * 1024
_MAX_JSON_BYTES = 2 * 1024 * 1024


def encode_itinerary(itinerary: Itinerary, *, max_chars: int = MAX_TOKEN_CHARS) -> str:
    """The share token for ``itinerary``.

    Raises :class:`~trip.errors.FileTooLarge` when the token would be longer than
    ``max_chars``; the message says by how much, so the UI can offer a file instead.
    """
    doc = _itinerary_doc(itinerary)
    raw = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    packed = base64.urlsafe_b64encode(zlib.compress(raw, 9)).rstrip(b"=").decode("ascii")
    token = f"{VERSION}.{packed}"
    if len(token) > max_chars:
        raise FileTooLarge(
            f"needs {len(token):,} characters but a link holds at most {max_chars:,}; "
            "download the trip as a file to share it",
            field="share link", value=f"{len(itinerary)} stops", show_value=True,
        )
    return token


def decode_itinerary(token: str) -> Itinerary:
    """The itinerary in a share token; a damaged or foreign token raises FormatError."""
    if not isinstance(token, str) or not token.strip():
        raise FormatError("is empty", field="share link", show_value=False)
    token = token.strip()
    if len(token) > _MAX_INPUT_CHARS:
        raise FormatError(f"is too long ({len(token):,} characters)", field="share link",
                          show_value=False)
    version, dot, packed = token.partition(".")
    if not dot or not version.isdigit():
        raise FormatError("is not a trip share link (no version prefix)", field="share link",
                          show_value=False)
    if int(version) != VERSION:
        raise FormatError(
            f"was written by format version {version}; this trip reads version {VERSION}",
            field="share link", show_value=False,
        )
    try:
        compressed = base64.b64decode(packed + "=" * (-len(packed) % 4), altchars=b"-_",
                                      validate=True)
        inflater = zlib.decompressobj()
        raw = inflater.decompress(compressed, _MAX_JSON_BYTES)
        if inflater.unconsumed_tail:
            raise FormatError("expands to more than 2 MB", field="share link", show_value=False)
        if not inflater.eof:
            raise FormatError("is damaged (it ends too soon: was it cut short?)", field="share link", show_value=False)
        doc = json.loads(raw.decode("utf-8"))
    except FormatError:
        raise
    except (binascii.Error, ValueError, zlib.error) as err:
        raise FormatError("is damaged (it may have been cut short or edited)",
                          field="share link", show_value=False) from err
    try:
        return _itinerary_from_doc(doc)
    except TooManyStops:
        raise
    except ValidationError as err:
        raise FormatError(f"holds an invalid trip: {err}", field="share link",
                          show_value=False) from err
    except TripError:
        raise
    except Exception as err:  # any shape we did not write: never a crash
        raise FormatError("holds data this version cannot read", field="share link",
                          show_value=False) from err


# -- the compact document -----------------------------------------------------
# Short keys, defaults omitted: the link is what the user copies, so every byte counts.


def _itinerary_doc(itinerary: Itinerary) -> dict[str, Any]:
    doc: dict[str, Any] = {"p": [_stop_doc(s) for s in itinerary.stops]}
    if itinerary.title:
        doc["t"] = itinerary.title
    if itinerary.description:
        doc["d"] = itinerary.description
    if itinerary.sources:
        doc["s"] = [_source_doc(s) for s in itinerary.sources]
    return doc


def _stop_doc(stop: Stop) -> dict[str, Any]:
    place = stop.place
    doc: dict[str, Any] = {"n": place.name}
    if place.location is not None:
        doc["la"] = round(place.location.lat, COORD_DECIMALS)
        doc["lo"] = round(place.location.lon, COORD_DECIMALS)
    optional = {
        "ps": place.source, "c": place.country, "k": place.kind, "r": place.ref,
        "d": stop.date.isoformat() if stop.date else "",
        "e": stop.end_date.isoformat() if stop.end_date else "",
        "tm": stop.time.isoformat() if stop.time else "",
        "tz": stop.timezone,
        "no": stop.note, "ev": stop.evidence,
    }
    doc.update({k: v for k, v in optional.items() if v})
    if place.confidence is not None:
        doc["cf"] = round(place.confidence, 3)
    if stop.date_precision is not DatePrecision.DAY:
        doc["dp"] = stop.date_precision.value
    if stop.status is not Status.VISITED:
        doc["st"] = stop.status.value
    if stop.mode is not Mode.UNKNOWN:
        doc["m"] = stop.mode.value
    if stop.sources:
        doc["src"] = [_source_doc(s) for s in stop.sources]
    return doc


def _text(doc: dict, key: str) -> str:
    value = doc.get(key, "")
    if not isinstance(value, str):
        raise ValidationError("is not text", field=key, value=value)
    return value


def _itinerary_from_doc(doc: Any) -> Itinerary:
    if not isinstance(doc, dict) or not isinstance(doc.get("p"), list):
        raise FormatError("holds no list of stops", field="share link", show_value=False)
    check_stop_count(len(doc["p"]), name=None, field="share link")  # before building any stop
    stops = []
    for row, item in enumerate(doc["p"], start=1):
        try:
            stops.append(_stop_from_doc(item))
        except ValidationError as err:
            raise err.at_row(row) from err
    return Itinerary(
        stops=tuple(stops),
        title=_text(doc, "t"),
        description=_text(doc, "d"),
        sources=_sources(doc.get("s", []), "sources"),
    )


def _source_doc(source: Source) -> list[str]:
    """A source as ``[title, url]``: never ``str(source)``, which reads back
    wrongly for titles such as ``<b>report</b>`` or ``Notes <draft>``."""
    return [source.title, source.url]


def _sources(value: Any, field: str) -> tuple[Source, ...]:
    """Sources written by :func:`_source_doc`, or "Title <url>" strings from older links."""
    if not isinstance(value, list):
        raise ValidationError("is not a list of sources", field=field, value=value)
    out = []
    for item in value:
        if isinstance(item, list) and len(item) == 2 and all(isinstance(v, str) for v in item):
            out.append(Source(title=item[0], url=item[1]))
        elif isinstance(item, str):
            out.append(Source.parse(item))
        else:
            raise ValidationError("is not a source", field=field, value=item)
    return tuple(out)


def _stop_from_doc(doc: Any) -> Stop:
    if not isinstance(doc, dict):
        raise ValidationError("is not a stop", field="stop", value=doc)
    location = None
    if "la" in doc or "lo" in doc:
        location = LatLon(doc.get("la"), doc.get("lo"))
    confidence = doc.get("cf")
    if confidence is not None and not isinstance(confidence, (int, float)):
        raise ValidationError("is not a number", field="confidence", value=confidence)
    place = Place(
        name=_text(doc, "n"), location=location, source=_text(doc, "ps"),
        country=_text(doc, "c"), kind=_text(doc, "k"), confidence=confidence, ref=_text(doc, "r"),
    )
    return Stop(
        place=place,
        date=_text(doc, "d") or None,
        end_date=_text(doc, "e") or None,
        time=_text(doc, "tm") or None,
        timezone=_text(doc, "tz"),
        date_precision=_text(doc, "dp"),
        status=_text(doc, "st"),
        mode=_text(doc, "m"),
        note=_text(doc, "no"),
        sources=_sources(doc.get("src", []), "source"),
        evidence=_text(doc, "ev"),
    )
