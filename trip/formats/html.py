"""A self-contained HTML map: one file that still opens, offline, years from now.

The page is :func:`trip.render.render_map`'s folium map with every script and
stylesheet inlined as ``<script>``/``<style>`` blocks (Leaflet read from the
installed ``django-js-lib-leaflet`` package, trip's own controls from
``trip/static``; see :mod:`trip.assets`), so nothing loads from a CDN. The only
online part is the tile layer: with no network the route, markers, popups and
legend draw on a plain background.

The file carries its provenance three ways:

* a visible footer: the sources (as links), the data credits, the gazetteer
  version, the export time and the itinerary's content hash;
* ``<meta name="trip:…">`` tags in the head, for tools that read only the head;
* two JSON blocks, ``<script type="application/json" id="trip-provenance">``
  and ``id="trip-itinerary"`` (the canonical itinerary, whose SHA-256 is the
  content hash, so anyone can check the map against its data). Both are escaped
  for a script element (``<``, ``>``, ``&`` as ``\\u003c``…), so no user text can
  close the block.

Writing only: an HTML map is not read back (export GeoJSON, CSV or JSON for that).
"""

from __future__ import annotations

import html as html_lib
from typing import Any

from branca.element import Element

from .. import assets
from ..itinerary import Itinerary, safe_url
from ..provenance import Provenance, build_provenance, canonical_json
from ..render import render_map, to_js_json

__all__ = ["NAME", "EXTENSIONS", "MEDIA_TYPE", "write", "render_html", "FOOTER_ID"]

NAME = "html"
EXTENSIONS = (".html", ".htm")
MEDIA_TYPE = "text/html"

FOOTER_ID = "trip-provenance-footer"
_NO_LINKS = assets.AssetLinks(js=(), css=())

# Our own small stylesheet for the footer (not third-party code).
_FOOTER_CSS = f"""
#{FOOTER_ID} {{
  position: fixed; left: 50%; bottom: 4px; transform: translateX(-50%);
  z-index: 1000; max-width: min(60vw, 720px); max-height: 40vh; overflow: auto;
  font: 11px/1.35 system-ui, -apple-system, "Segoe UI", sans-serif; color: #222;
  background: rgba(255, 255, 255, 0.88); border-radius: 4px; padding: 2px 8px;
  box-shadow: 0 1px 4px rgba(0, 0, 0, 0.25);
}}
#{FOOTER_ID} summary {{ cursor: pointer; }}
#{FOOTER_ID} ul {{ margin: 4px 0; padding-left: 18px; }}
#{FOOTER_ID} code {{ font-size: 10px; word-break: break-all; }}
@media print {{ #{FOOTER_ID} {{ position: static; transform: none; max-width: none; box-shadow: none; }} }}
"""


class _Raw(Element):
    """Markup added to the page as is.

    branca's ``Element(text)`` treats its text as a jinja template, so user text
    such as ``{{ 7*7 }}`` in a source title would be evaluated; everything here is
    escaped already and must be emitted verbatim.
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text

    def render(self, **kwargs: Any) -> str:
        return self._text


def _source_item(title: str, url: str) -> str:
    text = html_lib.escape(title or url)
    if url and safe_url(url):
        return (f'<li><a href="{html_lib.escape(url, quote=True)}" target="_blank" '
                f'rel="noopener noreferrer">{text}</a></li>')
    return f"<li>{text}</li>"


def _footer(provenance: Provenance, *, details: bool = True) -> str:
    esc = html_lib.escape
    count = len(provenance.sources)
    short_hash = provenance.content_hash.partition(":")[2][:12]
    gazetteer = provenance.gazetteer_version.partition(" (")[0]
    summary = (f"{count} source{'s' if count != 1 else ''} · exported {esc(provenance.exported_at)} "
               f"by {esc(provenance.generator)} · gazetteer {esc(gazetteer)} · "
               f'<span title="{esc(provenance.content_hash)}">#{esc(short_hash)}</span>')
    if not details:
        return f'<footer id="{FOOTER_ID}"><div>{summary}</div></footer>'
    items = "".join(_source_item(s.title, s.url) for s in provenance.sources) or "<li>none given</li>"
    credits = "".join(f"<li>{esc(c)}</li>" for c in provenance.credits)
    return (
        f'<footer id="{FOOTER_ID}"><details><summary>{summary}</summary>'
        f"<div>Sources:</div><ul>{items}</ul>"
        + (f"<div>Data:</div><ul>{credits}</ul>" if credits else "")
        + f"<div>Gazetteer: {esc(provenance.gazetteer_version)}</div>"
        f"<div>Content hash: <code>{esc(provenance.content_hash)}</code></div>"
        "</details></footer>"
    )


def _meta_tags(provenance: Provenance) -> str:
    pairs = [("generator", provenance.generator),
             ("trip:content-hash", provenance.content_hash),
             ("trip:gazetteer-version", provenance.gazetteer_version),
             ("trip:exported-at", provenance.exported_at)]
    return "\n".join(f'<meta name="{name}" content="{html_lib.escape(value, quote=True)}" />'
                     for name, value in pairs)


def _json_block(element_id: str, payload: str) -> str:
    return f'<script type="application/json" id="{element_id}">{payload}</script>'


def render_html(itinerary: Itinerary, *, tiles: str | None = "OpenStreetMap",
                provenance: Provenance | None = None, still: bool = False,
                **render_options: Any) -> str:
    """The self-contained page for ``itinerary`` (``render_options`` go to ``render_map``).

    ``still=True`` makes the page for a picture (:mod:`trip.formats.png`): the map
    has no buttons or animations, the footer is its one summary line, and the machine-readable JSON blocks are left
    out (the picture carries the provenance itself), which halves the page.
    """
    provenance = provenance or build_provenance(itinerary)
    m = render_map(itinerary, tiles=tiles, asset_links=_NO_LINKS, still=still, **render_options)
    root = m.get_root()
    inline = [assets.style_tag(text) for _, text in assets.css_assets()]
    inline += [assets.style_tag(_FOOTER_CSS)]
    inline += [assets.script_tag(text) for _, text in assets.js_assets()]
    # Index 0: the libraries must be defined before the map's own scripts run.
    root.header.add_child(_Raw("\n".join(inline)), name="trip_inline_assets", index=0)
    # folium puts <title> before its charset <meta>; a long non-ASCII title could
    # push the charset past the 1024 bytes browsers sniff, so declare it first.
    title, root.title = root.title, None
    head = '<meta charset="utf-8" />\n' + (f"<title>{title}</title>\n" if title else "")
    root.header.add_child(_Raw(head + _meta_tags(provenance)), name="trip_meta", index=0)
    root.html.add_child(_Raw(_footer(provenance, details=not still)), name="trip_footer")
    if still:
        return root.render()
    root.html.add_child(_Raw(
        _json_block("trip-provenance", to_js_json(provenance.as_dict())) + "\n"
        + _json_block("trip-itinerary", to_js_json_text(canonical_json(itinerary)))),
        name="trip_json")
    return root.render()


def to_js_json_text(json_text: str) -> str:
    """Already-serialised JSON made safe inside a ``<script>`` element (as :func:`to_js_json`)."""
    return (json_text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def write(itinerary: Itinerary) -> bytes:
    """The self-contained HTML page as UTF-8 bytes."""
    return render_html(itinerary).encode("utf-8")
