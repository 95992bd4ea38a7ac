"""The JavaScript and CSS a trip map needs, read from installed packages at run time.

Nothing comes from a CDN and no third-party code is committed: Leaflet (JS, CSS
and its control images) is read from the installed ``django-js-lib-leaflet``
package; our own small controls (numbered stops, direction arrows, legend,
title, fullscreen toggle, minimap) are ``trip/static/trip-map.{js,css}``.

Three ways to ship them, for three consumers:

* :func:`asset_links` with the default ``"data"`` mode gives ``data:`` URLs, so a
  rendered map is one self-contained file that draws with no network (the CLI
  map, the HTML export) and streamlit-folium, which loads every element's
  ``default_js``/``default_css`` URL in its frontend, needs no file server;
* ``asset_links(base_url="/static/trip")`` gives URLs under a server path, for an
  app that serves the files itself (:func:`write_assets` writes them out);
* :func:`js_assets` and :func:`css_assets` give ``(name, text)`` pairs in load
  order for anything that wants to inline ``<script>``/``<style>`` blocks;
  :func:`script_tag` and :func:`style_tag` make such blocks safely.

Every function is cached: the files are read and encoded once per process.

>>> [name for name, _ in js_assets()]
['leaflet', 'trip_map']
>>> js, css = asset_links()
>>> js[0][1].startswith("data:text/javascript;charset=utf-8;base64,")
True
"""

from __future__ import annotations

import base64
import functools
import importlib.resources
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import ExportError

__all__ = [
    "LEAFLET_VERSION",
    "AssetLinks",
    "leaflet_dir",
    "static_dir",
    "js_assets",
    "css_assets",
    "data_url",
    "asset_links",
    "write_assets",
    "script_tag",
    "style_tag",
]

LEAFLET_VERSION = "1.9.4"
_LEAFLET_PACKAGE = "js_lib_leaflet"


@dataclass(frozen=True, slots=True)
class AssetLinks:
    """``(name, url)`` pairs in load order, the shape of folium's ``default_js``/``default_css``."""

    js: tuple[tuple[str, str], ...]
    css: tuple[tuple[str, str], ...]

    def __iter__(self):
        yield list(self.js)
        yield list(self.css)


def leaflet_dir() -> Path:
    """The directory holding ``leaflet.js``, ``leaflet.css`` and ``images/``."""
    try:
        root = importlib.resources.files(_LEAFLET_PACKAGE)
    except ModuleNotFoundError as err:
        raise ExportError("Leaflet is not installed: pip install django-js-lib-leaflet") from err
    path = Path(str(root)) / "static" / "js_lib_leaflet"
    if not (path / "leaflet.js").is_file():
        raise ExportError(f"Leaflet files are missing from {path}; reinstall django-js-lib-leaflet")
    return path


def static_dir() -> Path:
    """trip's own JS/CSS (``trip/static``)."""
    return Path(__file__).resolve().parent / "static"


def _strip_source_map(text: str) -> str:
    # The map file is not shipped alongside; a dangling reference only makes devtools fetch.
    return re.sub(r"\n?//# sourceMappingURL=\S+\s*$", "\n", text)


@functools.cache
def js_assets() -> tuple[tuple[str, str], ...]:
    """``(name, JavaScript text)`` in load order: Leaflet, then trip's map code."""
    leaflet = _strip_source_map((leaflet_dir() / "leaflet.js").read_text(encoding="utf-8"))
    ours = (static_dir() / "trip-map.js").read_text(encoding="utf-8")
    return (("leaflet", leaflet), ("trip_map", ours))


@functools.cache
def _image_data_urls() -> dict[str, str]:
    images = leaflet_dir() / "images"
    return {f"images/{p.name}": data_url(p.read_bytes(), "image/png") for p in sorted(images.glob("*.png"))}


@functools.cache
def css_assets() -> tuple[tuple[str, str], ...]:
    """``(name, CSS text)`` in load order; Leaflet's image URLs are inlined as ``data:`` URLs."""
    images = _image_data_urls()

    def inline(match: re.Match[str]) -> str:
        ref = match.group(2)
        return f"url({images[ref]})" if ref in images else match.group(0)

    leaflet = re.sub(r"url\((['\"]?)(images/[\w.-]+)\1\)", inline,
                     (leaflet_dir() / "leaflet.css").read_text(encoding="utf-8"))
    ours = (static_dir() / "trip-map.css").read_text(encoding="utf-8")
    return (("leaflet_css", leaflet), ("trip_map_css", ours))


def data_url(content: str | bytes, media_type: str) -> str:
    """A base64 ``data:`` URL; text is encoded as UTF-8 (and says so)."""
    if isinstance(content, str):
        content = content.encode("utf-8")
        if media_type.startswith("text/") and "charset" not in media_type:
            media_type += ";charset=utf-8"
    return f"data:{media_type};base64,{base64.b64encode(content).decode('ascii')}"


_FILE_NAMES = {"leaflet": "leaflet.js", "trip_map": "trip-map.js",
               "leaflet_css": "leaflet.css", "trip_map_css": "trip-map.css"}


@functools.cache
def _data_links() -> AssetLinks:
    return AssetLinks(
        js=tuple((name, data_url(text, "text/javascript")) for name, text in js_assets()),
        css=tuple((name, data_url(text, "text/css")) for name, text in css_assets()),
    )


def asset_links(*, base_url: str | None = None) -> AssetLinks:
    """Where a page loads the assets from: ``data:`` URLs, or files under ``base_url``.

    With ``base_url`` the files must be served there (see :func:`write_assets`).
    """
    if base_url is None:
        return _data_links()
    base = base_url.rstrip("/")
    return AssetLinks(
        js=tuple((name, f"{base}/{_FILE_NAMES[name]}") for name, _ in js_assets()),
        css=tuple((name, f"{base}/{_FILE_NAMES[name]}") for name, _ in css_assets()),
    )


def write_assets(directory: str | Path) -> list[Path]:
    """Write the four asset files into ``directory`` (for serving with ``asset_links(base_url=…)``)."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in js_assets() + css_assets():
        path = out / _FILE_NAMES[name]
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def script_tag(text: str) -> str:
    """An inline ``<script>`` block; ``</script`` and ``<!--`` inside cannot end or confuse it."""
    safe = re.sub(r"</(script)", r"<\\/\1", text, flags=re.IGNORECASE).replace("<!--", "<\\!--")
    return f"<script>{safe}</script>"


def style_tag(text: str) -> str:
    """An inline ``<style>`` block that cannot be closed early by its content."""
    safe = re.sub(r"</(style)", r"<\\/\1", text, flags=re.IGNORECASE)
    return f"<style>{safe}</style>"
