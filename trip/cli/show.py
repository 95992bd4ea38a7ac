"""``python -m trip show`` and ``python -m trip map``: look at an itinerary, draw it.

ITINERARY is a file (CSV, JSON, or any readable format) or the name of a sample
trip (``python -m trip show kim-jong-un-2023-far-east``). Stops without
coordinates are geocoded offline first (the whole trip jointly); any stop that
stays unresolved is reported on stderr, never dropped silently.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Sequence

from ..errors import TripError, ValidationError
from ..formats import load
from ..formats.json_format import stop_to_dict
from ..itinerary import Itinerary
from ..route import Route, build_route, leg_range_fields
from ..samples import list_samples, sample_path
from . import print_json
from .geocoder_options import add_geocoder_options, is_online, online_geocoder_from

__all__ = ["register", "load_itinerary", "geocode_missing", "route_summary"]


def load_itinerary(spec: str) -> Itinerary:
    """A path to an itinerary file, or a sample trip's name."""
    path = Path(spec)
    if path.exists():
        return load(path)
    try:
        return load(sample_path(spec))
    except ValidationError:
        raise ValidationError(
            f"is neither a file nor a sample trip (samples: {', '.join(list_samples())})",
            field="itinerary", value=spec) from None


def _default_geocoder() -> Any:
    """The offline gazetteer geocoder (a seam tests replace with a fake)."""
    from ..geocoding import default_geocoder

    return default_geocoder()


def geocode_missing(itinerary: Itinerary, *, geocoder: Any = None) -> tuple[Itinerary, list[str]]:
    """Fill missing coordinates (offline gazetteer unless ``geocoder``); return the trip and warnings.

    A fully located trip is returned untouched (no gazetteer is opened). If the
    geocoder cannot run, the trip is returned as it is with a warning saying so.
    """
    if not itinerary.unresolved_stops:
        return itinerary, []
    try:
        from ..geocoding.resolve import resolve_itinerary
    except ImportError:
        return itinerary, ["geocoding is not available in this installation; "
                           "stops without coordinates stay off the map"]
    try:
        resolved, warnings = resolve_itinerary(itinerary, geocoder if geocoder is not None else _default_geocoder())
    except TripError as err:
        return itinerary, [f"geocoding failed ({err}); stops without coordinates stay off the map"]
    return resolved, [str(w) for w in warnings]


def _unresolved_lines(itinerary: Itinerary) -> list[str]:
    return [f'stop {i + 1} "{s.name}" has no coordinates and is not on the map'
            for i, s in enumerate(itinerary.stops) if s.location is None]


def route_summary(itinerary: Itinerary, route: Route, warnings: Sequence[str] = ()) -> dict[str, Any]:
    """The ``show --json`` object: stops, legs, totals and every warning."""
    stops = []
    for number, stop in enumerate(itinerary.stops, start=1):
        record = {"number": number, **stop_to_dict(stop)}
        stops.append(record)
    legs = []
    for number, leg in enumerate(route.legs, start=1):
        legs.append({
            "number": number,
            "from": leg.start + 1,
            "to": leg.end + 1,
            "from_place": itinerary.stops[leg.start].name,
            "to_place": itinerary.stops[leg.end].name,
            "mode": leg.mode.value,
            "status": leg.status.value,
            "distance_km": round(leg.distance_km, 1),
            "days": leg.days,
            "speed_kmh": None if leg.speed_kmh is None else round(leg.speed_kmh, 1),
            "plausible": leg.plausible,
            "crosses_antimeridian": leg.crosses_antimeridian,
            # The honest figures: the travel-time window the dates allow and its speed range
            # (speed_max_kmh None = open-ended when min_hours is 0; all None = undated).
            **leg_range_fields(leg),
        })
    route_warnings = [w.message for w in route.warnings if w.kind != "unresolved"]
    return {
        "title": itinerary.title,
        "stops": stops,
        "legs": legs,
        "total_km": round(route.total_km, 1),
        "days": route.days,
        "start_date": route.start_date.isoformat() if route.start_date else None,
        "end_date": route.end_date.isoformat() if route.end_date else None,
        "warnings": list(warnings) + _unresolved_lines(itinerary) + route_warnings,
    }


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int] = ()) -> str:
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        out = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths))]
        return "  ".join(out).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows])


def _clip(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _hours_label(low: float | None, high: float | None) -> str:
    """The travel-time window as ``23–71`` hours, or one number when times make it exact."""
    if low is None or high is None:
        return ""

    def number(hours: float) -> str:
        return "0" if hours == 0 else f"{hours:,.1f}" if hours < 10 else f"{hours:,.0f}"

    a, b = number(low), number(high)
    return a if a == b else f"{a}–{b}"


def _print_text(summary: dict[str, Any]) -> None:
    out = sys.stdout
    if summary["title"]:
        out.write(summary["title"] + "\n\n")
    rows = []
    for s in summary["stops"]:
        date = s["date"] or ""
        if s["end_date"] and s["end_date"] != s["date"]:
            date += " to " + s["end_date"]
        rows.append([str(s["number"]), date, _clip(s["place"]),
                     "" if s["lat"] is None else f"{s['lat']:.4f}",
                     "" if s["lon"] is None else f"{s['lon']:.4f}",
                     s["mode"] if s["mode"] != "unknown" else "", s["status"]])
    out.write("Stops\n" + _table(["#", "date", "place", "lat", "lon", "mode", "status"], rows, right=(0, 3, 4)) + "\n\n")
    if summary["legs"]:
        rows = []
        for leg in summary["legs"]:
            rows.append([str(leg["number"]), f"{leg['from']} → {leg['to']}",
                         _clip(f"{leg['from_place']} → {leg['to_place']}", 50),
                         leg["mode"] if leg["mode"] != "unknown" else "",
                         f"{leg['distance_km']:,.0f}",
                         "" if leg["days"] is None else str(leg["days"]),
                         _hours_label(leg["min_hours"], leg["max_hours"]),
                         leg["speed_range"],
                         "" if leg["plausible"] else "implausible"])
        out.write("Legs\n" + _table(["#", "stops", "route", "mode", "km", "days", "hours", "km/h", "check"],
                                    rows, right=(0, 4, 5, 6, 7)) + "\n")
        out.write("(days: the calendar gap between the dates; hours and km/h: the range the dates "
                  "and times allow)\n\n")
    days = summary["days"]
    out.write(f"Total: {len(summary['stops'])} stops, {summary['total_km']:,.0f} km"
              + (f", {days} days ({summary['start_date']} to {summary['end_date']})" if days else "") + "\n")
    if summary["warnings"]:
        out.write("\nWarnings\n" + "".join(f"  - {w}\n" for w in summary["warnings"]))


def online_geocoder_for(args: argparse.Namespace) -> Any | None:
    """The online geocoder ``--geocoder`` asks for, None for the offline default; flags checked first."""
    if args.no_geocode and is_online(args):
        raise ValidationError("cannot be combined with --no-geocode", field="--geocoder", value=args.geocoder)
    return online_geocoder_from(args, fallback=_default_geocoder)


def _prepare(args: argparse.Namespace) -> tuple[Itinerary, Route, list[str]]:
    online = online_geocoder_for(args)
    itinerary = load_itinerary(args.itinerary)
    warnings: list[str] = []
    if not args.no_geocode:
        itinerary, warnings = geocode_missing(itinerary, geocoder=online)
    return itinerary, build_route(itinerary), warnings


def _show(args: argparse.Namespace) -> int:
    itinerary, route, warnings = _prepare(args)
    summary = route_summary(itinerary, route, warnings)
    if args.json:
        print_json(summary)
    else:
        _print_text(summary)
    return 0


def _map(args: argparse.Namespace) -> int:
    from ..render import map_html

    itinerary, route, warnings = _prepare(args)
    for line in warnings + _unresolved_lines(itinerary) + [w.message for w in route.warnings
                                                             if w.kind != "unresolved"]:
        print(f"warning: {line}", file=sys.stderr)
    tiles = None if args.tiles.lower() == "none" else args.tiles
    html = map_html(itinerary, route=route, tiles=tiles, title=args.title,
                    antimeridian="split" if args.split_antimeridian else "unwrap")
    if args.output == "-":
        sys.stdout.write(html)
        return 0
    out = Path(args.output)
    try:
        out.write_text(html, encoding="utf-8")
    except OSError as err:
        raise ValidationError(f"cannot be written ({err.strerror})", field="output", value=str(out)) from None
    on_map = len(itinerary.resolved_stops)
    print(f"wrote {out} ({on_map} of {len(itinerary)} stops on the map, {route.total_km:,.0f} km)",
          file=sys.stderr)
    return 0


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("itinerary", metavar="ITINERARY",
                        help="itinerary file (.csv, .json, …) or sample name: " + ", ".join(list_samples()))
    parser.add_argument("--no-geocode", action="store_true",
                        help="do not look up stops without coordinates")
    add_geocoder_options(parser)


def register(sub: argparse._SubParsersAction) -> None:
    show = sub.add_parser("show", help="print stops, legs, distances and warnings",
                          description="Print an itinerary's stops, legs, distances and warnings as a table "
                                      "(or JSON with --json).")
    _common(show)
    show.add_argument("--json", action="store_true",
                      help='print {"stops", "legs", "total_km", "days", "warnings"} as JSON')
    show.set_defaults(func=_show)

    draw = sub.add_parser("map", help="draw an itinerary as an HTML map",
                          description="Draw an itinerary as one self-contained HTML map (Leaflet is "
                                      "embedded; only the background tiles come from the internet).")
    _common(draw)
    draw.add_argument("-o", "--output", default="map.html", help="HTML file to write, or - for stdout "
                                                                 "(default: map.html)")
    draw.add_argument("--tiles", default="OpenStreetMap",
                      help='background tiles: OpenStreetMap, "CartoDB Positron", an https://…/{z}/{x}/{y}.png '
                           "URL, or none (default: OpenStreetMap)")
    draw.add_argument("--title", default=None, help="map title (default: the itinerary's title)")
    draw.add_argument("--split-antimeridian", action="store_true",
                      help="cut lines at ±180° instead of drawing them continuously across the Pacific")
    draw.set_defaults(func=_map)
