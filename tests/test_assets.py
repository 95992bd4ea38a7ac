"""Local assets: Leaflet from the installed package, our JS/CSS, data: URLs, safe inline tags."""

from __future__ import annotations

import base64

from trip import assets


def test_js_and_css_come_in_load_order_from_local_files():
    assert [name for name, _ in assets.js_assets()] == ["leaflet", "trip_map"]
    assert [name for name, _ in assets.css_assets()] == ["leaflet_css", "trip_map_css"]
    leaflet = dict(assets.js_assets())["leaflet"]
    assert "Leaflet " + assets.LEAFLET_VERSION in leaflet[:200]
    assert "sourceMappingURL" not in leaflet
    assert "window.TripMap" in dict(assets.js_assets())["trip_map"]
    assert (assets.leaflet_dir() / "leaflet.js").is_file()


def test_leaflet_css_images_are_inlined():
    css = dict(assets.css_assets())["leaflet_css"]
    assert "url(images/" not in css
    assert "url(data:image/png;base64," in css


def test_data_url_round_trips_text_and_bytes():
    url = assets.data_url("alert('é')", "text/javascript")
    head, _, body = url.partition(",")
    assert head == "data:text/javascript;charset=utf-8;base64"
    assert base64.b64decode(body).decode("utf-8") == "alert('é')"
    assert assets.data_url(b"\x89PNG", "image/png").startswith("data:image/png;base64,")


def test_asset_links_are_data_urls_by_default_or_served_urls():
    js, css = assets.asset_links()
    assert all(url.startswith("data:text/javascript") for _, url in js)
    assert all(url.startswith("data:text/css") for _, url in css)
    served = assets.asset_links(base_url="/static/trip/")
    assert served.js == (("leaflet", "/static/trip/leaflet.js"), ("trip_map", "/static/trip/trip-map.js"))
    assert served.css[0] == ("leaflet_css", "/static/trip/leaflet.css")


def test_write_assets_writes_the_files_served_urls_name(tmp_path):
    written = assets.write_assets(tmp_path)
    assert sorted(p.name for p in written) == ["leaflet.css", "leaflet.js", "trip-map.css", "trip-map.js"]
    assert (tmp_path / "leaflet.js").read_text(encoding="utf-8") == dict(assets.js_assets())["leaflet"]


def test_inline_tags_cannot_be_closed_early():
    tag = assets.script_tag('var s = "</script><script>alert(1)</script>"; // <!-- x')
    assert tag.count("</script>") == 1 and tag.endswith("</script>")
    assert "<!--" not in tag
    style = assets.style_tag("a{} </style><script>alert(1)</script>")
    assert style.count("</style>") == 1


def test_our_js_never_uses_innerhtml_or_template_literals():
    ours = dict(assets.js_assets())["trip_map"]
    assert "innerHTML" not in ours
    assert "`" not in ours


def test_assets_hold_no_template_syntax():
    """The HTML export may pass asset text through folium's jinja templates."""
    for _, text in assets.js_assets() + assets.css_assets():
        assert "{{" not in text and "{%" not in text and "{#" not in text
