"""Itinerary → :class:`folium.Map`: numbered stops, styled legs, arrows, legend, title.

The map is built from folium objects (a :class:`TripMap`, which is a
``folium.Map`` whose ``default_js``/``default_css`` are local assets, plus a few
``MacroElement``/``Layer`` subclasses) and our own small JavaScript in
``trip/static/trip-map.js``. No CDN is referenced: by default every asset is a
``data:`` URL (see :mod:`trip.assets`), so the HTML draws with no network; only
the map tiles are online, and without them the route shows on a plain
background.

Escaping: the trip travels as one JSON blob inside a ``<script>``, with ``<``,
``>``, ``&``, U+2028 and U+2029 escaped, so no user text can close the script
or start a tag; the JavaScript puts text into the page with ``textContent``
only, so ``<img src=x onerror=alert(1)>`` or ``${alert(1)}`` in a place name is
shown as typed. Source links are made only for http(s) URLs (checked here and
again in the browser).

Speed: all stops are one GeoJSON layer whose popups and tooltips are built in
the browser from feature properties on demand, so a 10,000-stop trip renders
to HTML in well under a second (``bench/bench_render.py``). Above
``numbered_limit`` stops the markers become canvas dots instead of numbered
icons.

>>> from trip.samples import load_sample
>>> m = render_map(load_sample("kim-jong-un-2023-far-east"))
>>> html = map_html(load_sample("kim-jong-un-2023-far-east"))
>>> "TripMap.stopsLayer" in html and "https://cdn" not in html
True
"""

from __future__ import annotations

import html as html_lib
import json
import math
import re
from dataclasses import dataclass
from typing import Any, Literal, Sequence

import folium
from branca.element import Element
from folium.elements import MacroElement
from folium.map import Layer
from folium.template import Template

from . import assets as assets_mod
from .errors import ValidationError
from .geo import LatLon, great_circle_points
from .itinerary import DatePrecision, Itinerary, Mode, Status, Stop
from .route import Route

__all__ = [
    "ModeStyle",
    "MODE_STYLES",
    "PLANNED_DASH",
    "WARNING_COLOR",
    "TripMap",
    "render_map",
    "map_html",
    "map_data",
    "tile_layer",
    "to_js_json",
    "STOP_COLUMNS",
    "LEG_COLUMNS",
]

#: Decimals kept for drawing: 5 is about a metre, plenty on screen and a third smaller.
DRAW_DECIMALS = 5


@dataclass(frozen=True, slots=True)
class ModeStyle:
    """How legs of one travel mode are drawn (and named in the legend)."""

    color: str
    weight: float
    label: str

    def as_dict(self) -> dict[str, Any]:
        return {"color": self.color, "weight": self.weight, "label": self.label}


#: Colour-blind-safe colours (Okabe–Ito), one per mode; planes are thinner as their lines are long.
MODE_STYLES: dict[Mode, ModeStyle] = {
    Mode.TRAIN: ModeStyle("#d55e00", 4, "train"),
    Mode.CAR: ModeStyle("#0072b2", 4, "car / road"),
    Mode.PLANE: ModeStyle("#cc79a7", 2.5, "plane"),
    Mode.SHIP: ModeStyle("#009e73", 3.5, "ship"),
    Mode.WALK: ModeStyle("#e69f00", 3, "walk"),
    Mode.UNKNOWN: ModeStyle("#555555", 3, "mode unknown"),
}
#: SVG dash pattern for planned legs; visited legs are solid.
PLANNED_DASH = "8 8"
#: Colour of a leg flagged as implausibly fast (the CLI prints why).
WARNING_COLOR = "#d7301f"

_TILES = {
    "openstreetmap": ("OpenStreetMap", "OpenStreetMap"),
    "osm": ("OpenStreetMap", "OpenStreetMap"),
    "cartodb positron": ("CartoDB positron", "CartoDB Positron"),
    "positron": ("CartoDB positron", "CartoDB Positron"),
}


_JINJA_OPEN = re.compile(r"\{(?=[{%#])")


def to_js_json(obj: Any) -> str:
    """JSON that is safe inside a ``<script>`` element and as a JavaScript expression.

    ``<``, ``>``, ``&`` and ``'`` become ``\\u003c`` etc. (no ``</script>``, no ``<!--``,
    nothing a later template pass could take for ``{{'name'}}``), and U+2028/U+2029,
    which end a line in older JavaScript, are escaped too.
    """
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    text = (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("'", "\\u0027")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
    # folium compiles each macro's rendered script as a new jinja template, so a
    # "{{", "{%" or "{#" in user text would be evaluated on the server. In compact
    # JSON a structural "{" is followed only by '"' or "}", so every "{" before
    # one of those three characters is inside a string and can be escaped.
    return _JINJA_OPEN.sub(r"\\u007b", text)


# -- geometry -----------------------------------------------------------------

def _unwrap(lon: float, near: float) -> float:
    """``lon`` ± 360° so that it is within 180° of ``near`` (a continuous line)."""
    return lon + 360.0 * round((near - lon) / 360.0)


def _r(x: float) -> float:
    return round(x, DRAW_DECIMALS)


@dataclass(slots=True)
class _Geometry:
    stop_lonlat: dict[int, tuple[float, float]]  # stop index -> drawn (lon, lat)
    #: (start, end, inner points [lat, lon] between the drawn stops, or explicit parts when split)
    legs: list[tuple[int, int, list[list[float]], list[list[list[float]]] | None]]
    bounds: list[list[float]] | None


def _geometry(stops: Sequence[Stop], *, mode: str, step_km: float) -> _Geometry:
    """Where to draw each stop and leg.

    ``"unwrap"`` keeps longitudes continuous along the whole route (Leaflet draws
    lon 200° fine), so a Tokyo→Honolulu flight is one short curve over the
    Pacific rather than two pieces at opposite edges of the world; if the
    route circles the globe it falls back to ``"split"``, which cuts lines at
    ±180° as GeoJSON wants.
    """
    resolved = [(i, s.location) for i, s in enumerate(stops) if s.location is not None]
    if not resolved:
        return _Geometry({}, [], None)
    paths = [(i, j, great_circle_points(a, b, step_km=step_km))  # type: ignore[arg-type]
             for (i, a), (j, b) in zip(resolved, resolved[1:])]

    if mode == "unwrap":
        current = resolved[0][1].lon  # type: ignore[union-attr]
        stop_lon = {resolved[0][0]: current}
        lines = []
        lo = hi = current
        for i, j, path in paths:
            line = []
            for p in path[1:]:
                current = _unwrap(p.lon, current)
                line.append((p.lat, current))
                if current < lo:
                    lo = current
                elif current > hi:
                    hi = current
            stop_lon[j] = current
            lines.append((i, j, line[:-1]))
        if hi - lo < 360.0:
            shift = -360.0 * round(((lo + hi) / 2) / 360.0)  # centre the view on -180..180
            stop_ll = {k: (_r(v + shift), _r(stops[k].location.lat))  # type: ignore[union-attr]
                       for k, v in stop_lon.items()}
            legs = [(i, j, [[_r(lat), _r(lon + shift)] for lat, lon in inner], None) for i, j, inner in lines]
            lats = [loc.lat for _, loc in resolved] + [p[0] for _, _, inner, _ in legs for p in inner]  # type: ignore[union-attr]
            return _Geometry(stop_ll, legs, [[min(lats), lo + shift], [max(lats), hi + shift]])

    from .geo import split_antimeridian

    stop_ll = {i: (_r(loc.lon), _r(loc.lat)) for i, loc in resolved}  # type: ignore[union-attr]
    legs = []
    lats, lons = [ll[1] for ll in stop_ll.values()], [ll[0] for ll in stop_ll.values()]
    for i, j, path in paths:
        parts = split_antimeridian(path)
        if len(parts) == 1:
            inner = [[_r(p.lat), _r(p.lon)] for p in path[1:-1]]
            legs.append((i, j, inner, None))
        else:
            explicit = [[[_r(p.lat), _r(p.lon)] for p in part] for part in parts]
            legs.append((i, j, [], explicit))
            for part in explicit:
                lats.extend(p[0] for p in part)
                lons.extend(p[1] for p in part)
        lats.extend(p[0] for p in legs[-1][2])
        lons.extend(p[1] for p in legs[-1][2])
    return _Geometry(stop_ll, legs, [[min(lats), min(lons)], [max(lats), max(lons)]])


def _fast_km(a: LatLon, b: LatLon) -> float:
    """Great-circle distance on the mean sphere: the map's "≈ km" (geodesic is in trip.route)."""
    la1, la2 = math.radians(a.lat), math.radians(b.lat)
    dlat, dlon = la2 - la1, math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin(dlon / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


# -- data ---------------------------------------------------------------------

#: The columns of each stop row in :func:`map_data` (trailing empty cells are dropped).
STOP_COLUMNS = ("n", "lon", "lat", "place", "date", "short_date", "status", "mode", "note",
                "sources", "place_source")
#: The columns of each leg row: stop numbers, km, points between the two stops
#: ([lat, lon] each), explicit parts when the leg is cut at ±180°, a warning, and
#: the speed range the dates allow (``"7.9–24 km/h"``, ``"≥ 22 km/h"``; only with a route).
LEG_COLUMNS = ("from", "to", "km", "inner", "parts", "warning", "speed")
_STATUSES = [s.value for s in Status]
_MODES = [m.value for m in Mode]
# Enum members hash like their str values; indexing by member avoids enum's slow ``.value``.
_STATUS_INDEX = {s: i for i, s in enumerate(Status)}
_MODE_INDEX = {m: i for i, m in enumerate(Mode)}
_MONTH, _APPROX = DatePrecision.MONTH, DatePrecision.APPROXIMATE


def _short_date(stop: Stop) -> str:
    """The date beside a marker: ``2023-09-16``, ``2023-09-16–17``, ``~2023-09-16``, ``2023-09``."""
    if stop.date is None:
        return ""
    precision = stop.date_precision
    if precision is _MONTH:
        return stop.date.strftime("%Y-%m")
    text = stop.date.isoformat()
    end = stop.end_date
    if end and end != stop.date:
        text += "–" + (end.strftime("%d") if end.strftime("%Y-%m") == stop.date.strftime("%Y-%m")
                       else end.strftime("%m-%d") if end.year == stop.date.year else end.isoformat())
    if precision is _APPROX:
        text = "~" + text
    return text


def _stop_row(number: int, lonlat: tuple[float, float], stop: Stop) -> list[Any]:
    label = stop.date_label()
    short = _short_date(stop)
    # Source URLs were checked at construction (http/https only); the browser checks again.
    sources = [[s.title, s.url] for s in stop.sources]
    row = [number, lonlat[0], lonlat[1], stop.name, label, short if short != label else "",
           _STATUS_INDEX[stop.status], _MODE_INDEX[stop.mode], stop.note,
           sources or 0, stop.place.source]
    while row and row[-1] in ("", 0, None) and len(row) > 4:
        row.pop()
    return row


def map_data(itinerary: Itinerary, *, route: Route | None = None,
             antimeridian: Literal["unwrap", "split"] = "unwrap", step_km: float = 100.0,
             numbered_limit: int = 1000) -> dict[str, Any]:
    """The JSON the map's JavaScript draws: stops, legs, styles and bounds.

    Stops and legs are compact rows (see :data:`STOP_COLUMNS`, :data:`LEG_COLUMNS`);
    ``trip-map.js`` turns the stops into one GeoJSON FeatureCollection and builds
    popups and tooltips from its properties. With ``route`` (from
    :func:`trip.route.build_route`) legs carry geodesic distances and
    plausibility warnings; without it distances are spherical ("≈") and nothing
    is flagged, which keeps rendering fast for huge trips.
    """
    if antimeridian not in ("unwrap", "split"):
        raise ValidationError("is not an antimeridian mode (expected unwrap or split)",
                              field="antimeridian", value=antimeridian)
    stops = itinerary.stops
    geom = _geometry(stops, mode=antimeridian, step_km=step_km)
    rows = [_stop_row(i + 1, geom.stop_lonlat[i], stop) for i, stop in enumerate(stops) if i in geom.stop_lonlat]
    known = {(leg.start, leg.end): (n, leg) for n, leg in enumerate(route.legs)} if route else {}
    warnings = {w.leg: w.message for w in route.warnings if w.leg is not None} if route else {}
    legs = []
    used: set[str] = set()
    for i, j, inner, parts in geom.legs:
        found = known.get((i, j))
        if found is not None:
            km = found[1].distance_km
            warning = "" if found[1].plausible else warnings.get(found[0], "implausible leg")
            speed = found[1].speed_label()
        else:
            km = _fast_km(stops[i].location, stops[j].location)  # type: ignore[arg-type]
            warning = speed = ""
        leg: list[Any] = [i + 1, j + 1, round(km, 1), inner, parts or 0, warning,
                          speed and speed + " km/h"]
        while leg[-1] in ("", 0, None) and len(leg) > 4:
            leg.pop()
        legs.append(leg)
        used.add(stops[j].mode)
    return {
        "stopColumns": STOP_COLUMNS,
        "legColumns": LEG_COLUMNS,
        "stops": rows,
        "legs": legs,
        "statuses": _STATUSES,
        "modeNames": _MODES,
        "modes": [m.value for m in Mode if m in used],
        "approxKm": route is None,
        "styles": {m.value: s.as_dict() for m, s in MODE_STYLES.items()},
        "plannedDash": PLANNED_DASH,
        "warningColor": WARNING_COLOR,
        "hasWarnings": any(len(leg) > 5 and leg[5] for leg in legs),
        "numbered": len(rows) <= numbered_limit,
        "dateLabels": len(rows) <= 60,
        "bounds": geom.bounds,
    }


# -- folium elements ----------------------------------------------------------

class TripMap(folium.Map):
    """A ``folium.Map`` that loads Leaflet and trip's controls from local assets.

    ``default_js``/``default_css`` are per instance, so streamlit-folium (which
    loads exactly those URLs) and ``get_root().render()`` both use the assets
    given, never folium's CDN list (jQuery, Bootstrap, Font Awesome, …), which a
    trip map does not need.
    """

    def __init__(self, *, asset_links: assets_mod.AssetLinks | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        links = asset_links or assets_mod.asset_links()
        self.default_js = list(links.js)
        self.default_css = list(links.css)


class _RawScript(Element):
    """Script text added to the page as is (already escaped by :func:`to_js_json`).

    folium turns each element's rendered script into a new jinja template, which
    for a 10,000-stop trip means compiling megabytes; this skips that.
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text

    def render(self, **kwargs: Any) -> str:
        return self._text


class TripData(MacroElement):
    """Declares the trip's JSON once; the layers and controls below read it.

    The ``script`` macro serves tools that call it directly (streamlit-folium
    builds its page from each element's macro); :meth:`render` adds the same
    text to the page without letting folium compile it as a template.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this.script_text() }}
        {% endmacro %}
    """)

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__()
        self._name = "TripData"
        self.data_json = to_js_json(data)

    def script_text(self) -> str:
        return f"var {self.get_name()} = TripMap.prepare({self._parent.get_name()}, {self.data_json});\n"

    def render(self, **kwargs: Any) -> None:
        self.get_root().script.add_child(_RawScript(self.script_text()), name=self.get_name())


class StopsLayer(Layer):
    """All stops as one GeoJSON layer (numbered icons, tooltips, popups built in JS)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = TripMap.stopsLayer({{ this.data.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, data: TripData, name: str = "Stops") -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "StopsLayer"
        self.data = data


class RouteLayer(Layer):
    """The legs arriving by one mode, styled by mode and status, with direction arrows."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = TripMap.routeLayer({{ this.data.get_name() }}, {{ this.mode_json }});
        {% endmacro %}
    """)

    def __init__(self, data: TripData, mode: Mode, name: str | None = None) -> None:
        super().__init__(name=name or f"Route: {MODE_STYLES[mode].label}", overlay=True, control=True, show=True)
        self._name = "RouteLayer"
        self.data = data
        self.mode_json = to_js_json(mode.value)


class PlainBackground(Layer):
    """An empty base layer: the map without tiles (what it looks like offline)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.layerGroup();
        {% endmacro %}
    """)

    def __init__(self, name: str = "Plain background (no tiles)", show: bool = False) -> None:
        super().__init__(name=name, overlay=False, control=True, show=show)
        self._name = "PlainBackground"


class TripControls(MacroElement):
    """Title, legend, fullscreen toggle and minimap (trip-map.js draws them)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        TripMap.controls({{ this.data.get_name() }}, {{ this.options_json }});
        {% endmacro %}
    """)

    def __init__(self, data: TripData, options: dict[str, Any]) -> None:
        super().__init__()
        self._name = "TripControls"
        self.data = data
        self.options_json = to_js_json(options)


# -- the map ------------------------------------------------------------------

def _subtitle(itinerary: Itinerary, data: dict[str, Any]) -> str:
    parts = [f"{len(itinerary)} stop{'s' if len(itinerary) != 1 else ''}"]
    km = sum(leg[2] for leg in data["legs"])
    if data["legs"]:
        parts.append(f"{'≈ ' if data['approxKm'] else ''}{km:,.0f} km")
    start, end = itinerary.start_date, itinerary.end_date
    if start and end:
        parts.append(start.isoformat() if start == end else f"{start.isoformat()} to {end.isoformat()}")
    unresolved = len(itinerary.unresolved_stops)
    if unresolved:
        parts.append(f"{unresolved} not on the map (no coordinates)")
    return " · ".join(parts)


def _minimap_line(data: dict[str, Any], limit: int = 400) -> list[list[float]]:
    coords = [[row[2], row[1]] for row in data["stops"]]
    step = max(1, math.ceil(len(coords) / limit))
    line = coords[::step]
    if coords and line[-1] != coords[-1]:
        line.append(coords[-1])
    return line


def tile_layer(tiles: str | None) -> folium.TileLayer | None:
    """The folium tile layer for a ``tiles`` option (None for no tiles); unknown names list the valid ones."""
    if tiles is None or tiles.lower() in ("", "none", "off"):
        return None
    key = tiles.lower()
    if key in _TILES:
        provider, label = _TILES[key]
        return folium.TileLayer(provider, name=f"{label} (online tiles)")
    if tiles.startswith(("https://", "http://")) and "{z}" in tiles:
        return folium.TileLayer(tiles, attr="Map tiles", name="Tiles (online)")
    valid = ", ".join(sorted({v[1] for v in _TILES.values()}))
    raise ValidationError(f"is not a tile set (expected one of: {valid}, none, or an "
                          "https://…/{z}/{x}/{y}.png URL)", field="tiles", value=tiles)


# Leaflet options for a picture: fitBounds lands at once instead of animating
# (a screenshot taken mid-animation shows half-drawn layers).
_STILL_OPTIONS: dict[str, Any] = {"zoom_control": False, "zoom_animation": False,
                                  "fade_animation": False, "marker_zoom_animation": False}


def render_map(
    itinerary: Itinerary,
    *,
    route: Route | None = None,
    title: str | None = None,
    tiles: str | None = "OpenStreetMap",
    asset_links: assets_mod.AssetLinks | None = None,
    antimeridian: Literal["unwrap", "split"] = "unwrap",
    width: str | int = "100%",
    height: str | int = "100%",
    legend: bool = True,
    fullscreen: bool = True,
    minimap: bool = True,
    layer_control: bool = True,
    numbered_limit: int = 1000,
    step_km: float = 100.0,
    still: bool = False,
    story: bool = True,
) -> TripMap:
    """Draw ``itinerary`` as a folium map (see the module docstring for what it shows).

    ``route`` adds geodesic distances and red implausible legs; ``tiles`` is
    ``"OpenStreetMap"``, ``"CartoDB Positron"``, an ``https://…/{z}/{x}/{y}.png``
    template, or ``None`` for no tiles at all; ``asset_links`` comes from
    :func:`trip.assets.asset_links` (default: self-contained ``data:`` URLs).
    Stops without coordinates are not drawn; the title line counts them.
    ``still=True`` draws for a picture: no buttons, no animations, so the map is
    final as soon as the page has loaded. ``story`` adds the player that tells
    the trip stop by stop (trip-map.js); a still picture never has it.
    """
    if still:
        fullscreen = layer_control = story = False
    data = map_data(itinerary, route=route, antimeridian=antimeridian, step_km=step_km,
                    numbered_limit=numbered_limit)
    tile = tile_layer(tiles)
    bounds = data["bounds"]
    m = TripMap(
        asset_links=asset_links,
        location=None if bounds is None else [(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2],
        zoom_start=4,
        tiles=None,
        width=width,
        height=height,
        control_scale=True,
        prefer_canvas=not data["numbered"],
        world_copy_jump=False,
        **_STILL_OPTIONS if still else {},
    )
    heading = itinerary.title if title is None else title
    m.get_root().title = html_lib.escape(heading or "Trip map")
    if tile is not None:
        tile.add_to(m)
    PlainBackground(show=tile is None).add_to(m)
    trip_data = TripData(data)
    trip_data.add_to(m)
    for mode in data["modes"]:
        RouteLayer(trip_data, Mode(mode)).add_to(m)
    StopsLayer(trip_data).add_to(m)
    options: dict[str, Any] = {
        "title": heading or "Trip map",
        "subtitle": _subtitle(itinerary, data),
        "legend": legend,
        "fullscreen": fullscreen,
        "minimap": None,
        # Unlocated stops are skipped by the player but named in its readout.
        "story": {"total": len(itinerary), "interval": 2500,
                  "missing": [[i + 1, s.name] for i, s in enumerate(itinerary.stops) if s.location is None]}
        if story and data["stops"] else None,
    }
    if minimap:
        options["minimap"] = {
            "tiles": {"url": tile.tiles} if tile is not None else None,
            "line": _minimap_line(data),
            "zoomOffset": 5,
        }
    TripControls(trip_data, options).add_to(m)
    if bounds is not None:
        if bounds[0] == bounds[1]:
            pad = 0.05
            bounds = [[bounds[0][0] - pad, bounds[0][1] - pad], [bounds[1][0] + pad, bounds[1][1] + pad]]
        # Room for the title (top right) and the minimap and legend (bottom corners).
        m.fit_bounds(bounds, padding_top_left=(40, 70), padding_bottom_right=(40, 50), max_zoom=12)
    if layer_control:
        folium.LayerControl(collapsed=True).add_to(m)
    return m


def map_html(itinerary: Itinerary, **options: Any) -> str:
    """The complete HTML page of :func:`render_map` (one self-contained file by default)."""
    return render_map(itinerary, **options).get_root().render()
