"""The self-contained HTML export, checked as text: everything inlined, provenance in
the page, user text escaped, the sample under 1 MB. (The browser test is in
``test_export_browser.py``.)"""

from __future__ import annotations

import hashlib
import json
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings

from trip.formats import html as html_format
from trip.formats import write_itinerary
from trip.geo import LatLon
from trip.itinerary import Itinerary, Place, Source, Stop
from trip.provenance import canonical_json, content_hash
from trip.samples import list_samples, load_sample

from strategies import itineraries

#: Elements whose URL attribute makes a browser fetch something.
FETCHING = {("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src"),
            ("source", "src"), ("video", "src"), ("audio", "src"), ("embed", "src"),
            ("object", "data"), ("image", "href"), ("use", "href")}


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fetches: list[str] = []
        self.metas: dict[str, str] = {}
        self.json_blocks: dict[str, str] = {}
        self.scripts = 0
        self.styles = 0
        self._json_id: str | None = None
        self.footer_text: list[str] = []
        self._in_footer = 0
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if (tag, name) in FETCHING and value:
                self.fetches.append(value)
        if tag == "meta" and attributes.get("name"):
            self.metas[attributes["name"]] = attributes.get("content", "")
        if tag == "script":
            self.scripts += 1
            if attributes.get("type") == "application/json":
                self._json_id = attributes.get("id")
        if tag == "style":
            self.styles += 1
        if tag == "footer" or self._in_footer:
            self._in_footer += 1
        if tag == "a" and self._in_footer:
            self.links.append(attributes.get("href", ""))

    def handle_endtag(self, tag):
        if self._in_footer:
            self._in_footer -= 1
        if tag == "script":
            self._json_id = None

    def handle_data(self, data):
        if self._json_id:
            self.json_blocks[self._json_id] = self.json_blocks.get(self._json_id, "") + data
        if self._in_footer:
            self.footer_text.append(data)


def parse(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    return parser


HOSTILE = Itinerary(
    stops=(
        Stop(Place('</script><script>alert("x")</script>', LatLon(43.1155, 131.8855), source="manual"),
             date="2023-09-16", note="<img src=x onerror=alert(1)> & ${alert(2)}",
             sources=(Source("</title><b>bad</b>", "https://example.org/?q=<x>&y=\"z\""),)),
        Stop(Place("Khabarovsk", LatLon(48.4808, 135.0928), source="geonames"), date="2023-09-17"),
    ),
    title="</title><script>alert(3)</script>",
    description="desc",
    sources=(Source("Evil <source>", "https://example.com/a?b=<c>"),),
)


@pytest.fixture(scope="module")
def sample_page() -> str:
    return html_format.write(load_sample("kim-jong-un-2023-far-east")).decode("utf-8")


def test_nothing_is_fetched_from_the_network_but_tiles(sample_page):
    page = parse(sample_page)
    remote = [url for url in page.fetches if not url.startswith(("data:", "#"))]
    assert remote == []
    # Leaflet and our controls are inline blocks, not links
    assert page.scripts >= 3 and page.styles >= 3
    assert "Leaflet 1.9.4" in sample_page or "leafletjs.com" in sample_page
    assert "https://cdn" not in sample_page and "unpkg.com" not in sample_page
    # the tile layer is the one online part
    assert "https://tile.openstreetmap.org/{z}/{x}/{y}.png" in sample_page


def test_every_sample_is_under_one_megabyte():
    for name in list_samples():
        size = len(html_format.write(load_sample(name)))
        assert size <= 1_000_000, f"{name}: {size:,} bytes"


def test_provenance_is_machine_readable_and_visible(sample_page):
    trip = load_sample("kim-jong-un-2023-far-east")
    page = parse(sample_page)
    assert page.metas["trip:content-hash"] == content_hash(trip)
    assert page.metas["trip:exported-at"].endswith("Z")
    assert page.metas["trip:gazetteer-version"] and page.metas["generator"].startswith("trip ")
    record = json.loads(page.json_blocks["trip-provenance"])
    assert record["content_hash"] == content_hash(trip)
    urls = {s["url"] for s in record["sources"]}
    assert {s.url for stop in trip for s in stop.sources if s.url} <= urls
    footer = " ".join(page.footer_text)
    assert "Gazetteer:" in footer and content_hash(trip) in footer
    assert record["exported_at"] in footer
    assert any(link.startswith("https://") for link in page.links)


def test_embedded_itinerary_verifies_against_the_content_hash(sample_page):
    trip = load_sample("kim-jong-un-2023-far-east")
    page = parse(sample_page)
    embedded = json.loads(page.json_blocks["trip-itinerary"])
    text = json.dumps(embedded, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert text == canonical_json(trip)
    assert "sha256:" + hashlib.sha256(text.encode()).hexdigest() == page.metas["trip:content-hash"]


def test_user_text_cannot_break_out_of_script_or_title():
    page_text = html_format.write(HOSTILE).decode("utf-8")
    page = parse(page_text)
    # the hostile names added no script element and no remote fetch
    clean = parse(html_format.write(Itinerary(stops=HOSTILE.stops[1:])).decode("utf-8"))
    assert page.scripts == clean.scripts
    assert [u for u in page.fetches if not u.startswith("data:")] == []
    assert '<script>alert("x")</script>' not in page_text
    assert "<script>alert(3)</script>" not in page_text
    assert "<img src=x onerror" not in page_text.split("</head>", 1)[1]
    # the JSON blocks still parse, with the text intact
    embedded = json.loads(page.json_blocks["trip-itinerary"])
    assert embedded["title"] == "</title><script>alert(3)</script>"
    assert embedded["stops"][0]["note"] == "<img src=x onerror=alert(1)> & ${alert(2)}"


def test_footer_links_only_http_urls_and_escapes_titles():
    page_text = html_format.write(HOSTILE).decode("utf-8")
    footer = page_text[page_text.index('<footer id="trip-provenance-footer"'):]
    footer = footer[: footer.index("</footer>")]
    assert "Evil &lt;source&gt;" in footer
    assert 'href="https://example.com/a?b=&lt;c&gt;"' in footer
    assert "<b>bad</b>" not in footer


def test_registry_and_default_export_format_are_html():
    trip = load_sample("hanoi-beijing-rail")
    data = write_itinerary(trip, "html")
    assert data.startswith(b"<!DOCTYPE html>")
    assert b'<meta charset="utf-8" />' in data[:400]


def test_no_tiles_option_leaves_no_online_reference():
    page_text = html_format.render_html(load_sample("hanoi-beijing-rail"), tiles=None)
    assert "tile.openstreetmap.org" not in page_text


TEMPLATE_TEXT = Itinerary(
    stops=(Stop(Place("{{ 7*7 }} {% if true %}yes{% endif %}", LatLon(1.0, 2.0), source="manual"),
                sources=(Source("{{ self.__init__.__globals__ }}", "https://example.org/{{x}}"),)),),
    title="{{ 6*7 }}",
    sources=(Source("{% for x in range(3) %}{{x}}{% endfor %}"),),
)


def test_template_syntax_in_user_text_is_never_evaluated():
    page_text = html_format.write(TEMPLATE_TEXT).decode("utf-8")
    assert "<title>{{ 6*7 }}</title>" in page_text
    assert "{% for x in range(3) %}{{x}}{% endfor %}" in page_text  # footer, verbatim
    assert "{{ self.__init__.__globals__ }}" in page_text
    assert "<title>42</title>" not in page_text and ">012<" not in page_text
    embedded = json.loads(parse(page_text).json_blocks["trip-itinerary"])
    assert embedded["stops"][0]["place"] == "{{ 7*7 }} {% if true %}yes{% endif %}"


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(itinerary=itineraries(max_stops=4))
def test_any_itinerary_is_embedded_intact_and_adds_no_elements(itinerary):
    page_text = html_format.write(itinerary).decode("utf-8")
    page = parse(page_text)
    assert json.loads(page.json_blocks["trip-itinerary"]) == json.loads(canonical_json(itinerary))
    assert page.metas["trip:content-hash"] == content_hash(itinerary)
    # user text adds no element that fetches, and no script beyond the page's own
    assert [u for u in page.fetches if not u.startswith("data:")] == []
    assert page.scripts == BASE_SCRIPTS


BASE_SCRIPTS = parse(html_format.write(Itinerary((Stop(Place("A", LatLon(1.0, 2.0), source="manual")),))
                                       ).decode("utf-8")).scripts


def test_the_still_page_for_pictures_is_lean_and_does_not_animate():
    trip = load_sample("kim-jong-un-2023-far-east")
    full = html_format.render_html(trip, tiles=None)
    still = html_format.render_html(trip, tiles=None, still=True)
    assert 'id="trip-itinerary"' in full and 'id="trip-itinerary"' not in still
    assert "<details>" in full and "<details>" not in still  # the footer is its summary line
    assert html_format.FOOTER_ID in still
    assert '"story":{' in full and '"story":null' in still  # no story player in a picture
    for option in ('"zoomControl": false', '"zoomAnimation": false', '"fadeAnimation": false'):
        assert option in still and option not in full
    assert len(still) < len(full)
