"""``python -m trip export ITINERARY --to FORMAT -o OUT``: write a shareable file.

ITINERARY is an itinerary file in any readable format (CSV, JSON, GeoJSON, GPX,
KML) or the name of a sample trip. Stops without coordinates are geocoded
offline first (``--no-geocode`` keeps them as they are); a stop that stays
unresolved is kept in the data formats and reported on stderr.

FORMAT is html (the default: one self-contained page), geojson, gpx, kml, csv,
json or png. Without ``-o`` the file is named after the itinerary with the
format's extension, in the current directory; ``-o -`` writes to stdout.
The dashboard's download buttons call the same functions
(:func:`trip.formats.write_itinerary`).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from ..errors import ExportError, ValidationError
from ..formats import FORMATS, format_module
from ..itinerary import Itinerary
from . import print_json
from .geocoder_options import add_geocoder_options

__all__ = ["register", "run", "export_bytes", "EXPORT_FORMATS"]

_HELP = """\
ITINERARY is an itinerary file in any readable format (CSV, JSON, GeoJSON, GPX,
KML) or the name of a sample trip. Stops without coordinates are geocoded
offline first (--no-geocode keeps them as they are); a stop that stays
unresolved is kept in the data formats and reported on stderr.

FORMAT is html (the default: one self-contained page that draws offline),
geojson, gpx, kml, csv, json or png. Without -o the file is named after the
itinerary with the format's extension, in the current directory; -o - writes
to stdout.

examples:
  python -m trip export kim-jong-un-2023-far-east -o kim.html
  python -m trip export my-trip.csv --to gpx -o my-trip.gpx
  python -m trip export my-trip.csv --to png --width 1600 --height 900 -o map.png
"""

#: What ``--to`` accepts, the default first.
EXPORT_FORMATS = ("html", "geojson", "gpx", "kml", "csv", "json", "png")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "export",
        help="write an itinerary as HTML, GeoJSON, GPX, KML, CSV, JSON or PNG",
        description=_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("itinerary", metavar="ITINERARY",
                        help="itinerary file (.csv, .json, .geojson, .gpx, .kml) or a sample trip name")
    parser.add_argument("--to", dest="format", choices=EXPORT_FORMATS, default=None,
                        help="output format (default: from -o's extension, else html)")
    parser.add_argument("-o", "--output", metavar="OUT", default=None,
                        help="output file; '-' for stdout (default: ITINERARY's name with the new extension)")
    parser.add_argument("--no-geocode", action="store_true",
                        help="do not look up stops that have no coordinates")
    parser.add_argument("--tiles", default=None,
                        help="html: tile set (OpenStreetMap, CartoDB Positron, an https template, or none); "
                             "png: opt-in online tiles (default: none, a plain offline background)")
    parser.add_argument("--width", type=int, default=1200, help="png: width in pixels (default 1200)")
    parser.add_argument("--height", type=int, default=800, help="png: height in pixels (default 800)")
    parser.add_argument("--force", action="store_true", help="overwrite OUT if it exists")
    parser.add_argument("--json", action="store_true", help="print a JSON summary on stdout")
    add_geocoder_options(parser)
    parser.set_defaults(func=run)


def _format_for(args: argparse.Namespace) -> str:
    if args.format:
        return args.format
    if args.output and args.output != "-":
        name = args.output.lower()
        if name.endswith(".geo.json"):
            return "geojson"
        suffix = Path(name).suffix.lstrip(".")
        aliases = {"htm": "html", "geo.json": "geojson"}
        suffix = aliases.get(suffix, suffix)
        if suffix in EXPORT_FORMATS:
            return suffix
        raise ValidationError(
            f"has an extension no export format uses (use --to {'|'.join(EXPORT_FORMATS)})",
            field="output", value=args.output)
    return "html"


def export_bytes(itinerary: Itinerary, fmt: str, *, tiles: str | None = None,
                 width: int = 1200, height: int = 800) -> bytes:
    """The export of ``itinerary`` as ``fmt``, with the CLI's options applied."""
    if fmt not in FORMATS:
        raise ValidationError(f"is not a format (expected one of: {', '.join(EXPORT_FORMATS)})",
                              field="format", value=fmt)
    if fmt == "html" and tiles is not None:
        from ..formats.html import render_html

        return render_html(itinerary, tiles=tiles).encode("utf-8")
    if fmt == "png":
        from ..formats.png import render_png

        if not (100 <= width <= 8000 and 100 <= height <= 8000):
            raise ValidationError("is out of range (expected 100 to 8000 pixels)",
                                  field="width/height", value=f"{width}x{height}")
        return render_png(itinerary, width=width, height=height,
                          tiles=None if tiles in (None, "", "none") else tiles)
    return format_module(fmt).write(itinerary)


def _default_output(spec: str, fmt: str) -> Path:
    stem = Path(spec).name
    for suffix in (".geo.json",) + tuple(f".{f}" for f in ("csv", "json", "geojson", "gpx", "kml", "txt")):
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    extension = {"geojson": ".geojson"}.get(fmt, "." + fmt)
    return Path(stem + extension)


def _write_atomically(path: Path, data: bytes) -> None:
    """Write via a temporary file in the same directory, so a failure leaves no half file."""
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        # mkstemp makes the file private (0600); give it the usual permissions.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _start_browser() -> None:
    """Start Chromium in the background while the itinerary is read and geocoded."""
    from ..formats import png

    try:
        png.warm_up(wait=False)
    except ExportError:
        pass  # the export itself says what is missing


def run(args: argparse.Namespace) -> int:
    from .show import geocode_missing, load_itinerary, online_geocoder_for

    fmt = _format_for(args)
    online = online_geocoder_for(args)
    if fmt == "png":
        _start_browser()
    itinerary = load_itinerary(args.itinerary)
    warnings: list[str] = []
    if not args.no_geocode:
        itinerary, warnings = geocode_missing(itinerary, geocoder=online)
    out: Path | None = None
    if args.output != "-":
        out = Path(args.output) if args.output else _default_output(args.itinerary, fmt)
        source = Path(args.itinerary)
        if source.exists() and out.exists() and out.resolve() == source.resolve():
            raise ValidationError("is the input file; choose another output name",
                                  field="output", value=str(out))
        if out.exists() and not args.force and args.output is None:
            raise ValidationError("already exists; pass -o to name the output or --force to overwrite",
                                  field="output", value=str(out))
        if out.parent and not out.parent.exists():
            raise ValidationError("is in a folder that does not exist", field="output", value=str(out))
    data = export_bytes(itinerary, fmt, tiles=args.tiles, width=args.width, height=args.height)
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    unresolved = [i + 1 for i, s in enumerate(itinerary.stops) if s.location is None]
    if unresolved and fmt in ("html", "png"):
        print(f"warning: {len(unresolved)} stop(s) without coordinates are not on the map "
              f"(stops {', '.join(map(str, unresolved[:10]))}{'…' if len(unresolved) > 10 else ''})",
              file=sys.stderr)
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return 0
    _write_atomically(out, data)
    summary: dict[str, Any] = {
        "output": str(out), "format": fmt, "bytes": len(data), "stops": len(itinerary),
        "unresolved": len(unresolved), "warnings": warnings,
    }
    if args.json:
        print_json(summary)
    else:
        print(f"wrote {out} ({fmt}, {len(data):,} bytes, {len(itinerary)} stops"
              + (f", {len(unresolved)} without coordinates" if unresolved else "") + ")")
    return 0
