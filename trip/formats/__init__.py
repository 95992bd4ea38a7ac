"""Reading and writing itineraries: one module per format, each with ``read`` and ``write``.

A format module exposes ``NAME``, ``EXTENSIONS``, ``MEDIA_TYPE``,
``read(data: bytes, *, name: str = "") -> Itinerary`` and
``write(itinerary: Itinerary) -> bytes``. This package only dispatches.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

from ..errors import FileTooLarge, FormatError
from ..itinerary import Itinerary

__all__ = ["FORMATS", "MAX_FILE_BYTES", "format_module", "guess_format", "read_itinerary",
           "write_itinerary", "load", "save"]

#: Every format name, mapped to the module that implements it.
FORMATS: dict[str, str] = {
    "csv": "csv_format",
    "json": "json_format",
    "geojson": "geojson",
    "gpx": "gpx",
    "kml": "kml",
    "html": "html",
    "png": "png",
}
READABLE = ("csv", "json", "geojson", "gpx", "kml")

#: Uploads and files larger than this are refused before parsing.
MAX_FILE_BYTES = 20 * 1024 * 1024


def format_module(name: str) -> ModuleType:
    """The module for format ``name``; an unknown name lists the valid ones."""
    key = name.lower().lstrip(".")
    if key not in FORMATS:
        raise FormatError(f"is not a format (expected one of: {', '.join(FORMATS)})",
                          field="format", value=name)
    return importlib.import_module(f".{FORMATS[key]}", __name__)


def guess_format(filename: str) -> str:
    """The format implied by a file name's extension."""
    suffix = Path(filename).suffix.lower().lstrip(".")
    aliases = {"geo.json": "geojson", "txt": "csv"}
    if filename.lower().endswith(".geo.json"):
        return "geojson"
    if suffix in FORMATS:
        return suffix
    if suffix in aliases:
        return aliases[suffix]
    raise FormatError(f"has an unknown extension (expected one of: {', '.join('.' + f for f in READABLE)})",
                      field="file", value=filename)


def read_itinerary(data: bytes, *, format: str | None = None, name: str = "") -> Itinerary:
    """Parse ``data`` as ``format`` (or the format ``name``'s extension implies)."""
    if len(data) > MAX_FILE_BYTES:
        raise FileTooLarge(f"is {len(data):,} bytes; the limit is {MAX_FILE_BYTES:,}",
                           field="file", value=name or "upload")
    fmt = format or guess_format(name)
    if fmt not in READABLE:
        raise FormatError(f"cannot be read (readable formats: {', '.join(READABLE)})",
                          field="format", value=fmt)
    return format_module(fmt).read(data, name=name)


def write_itinerary(itinerary: Itinerary, format: str) -> bytes:
    """Serialise ``itinerary`` as ``format``."""
    return format_module(format).write(itinerary)


def load(path: str | Path, *, format: str | None = None) -> Itinerary:
    """Read an itinerary file from disk."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as err:
        raise FormatError(f"cannot be opened ({err.strerror})", field="file", value=str(path)) from err
    if size > MAX_FILE_BYTES:
        raise FileTooLarge(f"is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}",
                           field="file", value=str(path))
    return read_itinerary(path.read_bytes(), format=format, name=path.name)


def save(itinerary: Itinerary, path: str | Path, *, format: str | None = None) -> Path:
    """Write an itinerary file to disk, in the format its extension implies."""
    path = Path(path)
    fmt = format or guess_format(path.name)
    path.write_bytes(write_itinerary(itinerary, fmt))
    return path
