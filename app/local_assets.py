"""Serve Leaflet and every map script and stylesheet from this server, never a CDN.

streamlit-folium's frontend loads each folium element's ``default_js`` and
``default_css`` URLs with ``<script src>``/``<link href>`` inside the map
iframe. trip's map takes those URLs as :class:`trip.assets.AssetLinks`; here
they point at files this Streamlit server serves itself:

* Leaflet, straight from the installed ``django-js-lib-leaflet`` package, and
* trip's own map controls from ``trip/static``,

each directory registered as a static component, which Streamlit serves at
``/component/<name>/<file>`` on the app's own origin with caching headers. So the
browser fetches Leaflet once, a table edit only sends the map's data, and
leaflet.css finds its images next to it.

:func:`localise` is the safety net for any other element: an asset trip knows
becomes a ``data:`` URL, and an unknown external one is dropped (and named),
never fetched from the internet.
"""

from __future__ import annotations

import logging
from typing import Iterator

import folium
import streamlit.components.v1 as components
from branca.element import Element

from trip import assets

__all__ = ["served_links", "localise", "LEAFLET_COMPONENT", "TRIP_COMPONENT"]

log = logging.getLogger("trip.dashboard")

_leaflet = components.declare_component("leaflet_files", path=str(assets.leaflet_dir()))
_trip = components.declare_component("trip_map_files", path=str(assets.static_dir()))
LEAFLET_COMPONENT = _leaflet.name
TRIP_COMPONENT = _trip.name

#: folium asset name → (component serving it, file name)
_FILES = {
    "leaflet": (LEAFLET_COMPONENT, "leaflet.js"),
    "leaflet_css": (LEAFLET_COMPONENT, "leaflet.css"),
    "trip_map": (TRIP_COMPONENT, "trip-map.js"),
    "trip_map_css": (TRIP_COMPONENT, "trip-map.css"),
}


def _url(name: str) -> str:
    # Relative to the map iframe (/component/streamlit_folium.st_folium/index.html),
    # so it also works when the app is served under a base path.
    component, filename = _FILES[name]
    return f"../{component}/{filename}"


def served_links() -> assets.AssetLinks:
    """trip's map assets as URLs on this server, in the order trip loads them."""
    return assets.AssetLinks(
        js=tuple((name, _url(name)) for name, _ in assets.js_assets()),
        css=tuple((name, _url(name)) for name, _ in assets.css_assets()),
    )


def _elements(root: Element) -> Iterator[Element]:
    yield root
    for child in getattr(root, "_children", {}).values():
        yield from _elements(child)


def _local(name: str, url: str, kind: str) -> str | None:
    if name in _FILES:
        return _url(name)
    if url.startswith(("data:", "../", "/")) and not url.startswith("//"):
        return url
    known = dict(assets.js_assets() if kind == "js" else assets.css_assets())
    if name in known:
        return assets.data_url(known[name], "text/javascript" if kind == "js" else "text/css")
    return None


def localise(m: folium.Map) -> list[str]:
    """Point every script and stylesheet of ``m`` at a local copy, in place.

    Returns the names of assets that have no local copy (they are left out).
    """
    missing: list[str] = []
    for element in _elements(m):
        for attr, kind in (("default_js", "js"), ("default_css", "css")):
            links = getattr(element, attr, None)
            if not links:
                continue
            local = []
            for name, url in links:
                target = _local(name, url, kind)
                if target is None:
                    missing.append(name)
                else:
                    local.append((name, target))
            setattr(element, attr, local)
    if missing:
        log.warning("map assets without a local copy were left out: %s", ", ".join(missing))
    return missing
