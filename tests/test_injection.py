"""Hostile text never runs and never becomes markup: map HTML, self-contained export, dashboard.

Every payload in ``tests/data/payloads.txt`` is used as a trip title, a
description, stop names, notes, evidence and source titles. Headless Chromium
then loads

* the map page from :func:`trip.render.map_html`,
* the self-contained export from :mod:`trip.formats.html`,
* the dashboard opened through a share link (:mod:`trip.share`), including the
  map iframe and the stop panel after clicking stops on the map,

opens every popup and tooltip, and checks that no payload executed (``alert``,
``confirm``, ``prompt`` and ``window.__pwned`` are watched in every frame, and
any dialog is recorded), that no payload injected an element (every tag in the
payloads carries ``data-pwn``; hostile URLs carry ``pwn``), and that the text
is shown as typed. Source links must be http(s): ``javascript:`` and ``data:``
URLs are refused by the model and never reach a page.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest

from browser_support import block_external_requests, streamlit_server, wait_for_app_idle
from browser_support import map_frame as browser_map_frame
from trip.errors import ValidationError
from trip.geo import LatLon
from trip.itinerary import MAX_NAME, Itinerary, Place, Source, Stop, safe_url

pytestmark = pytest.mark.browser

PAYLOAD_FILE = Path(__file__).resolve().parent / "data" / "payloads.txt"


def load_payloads(path: Path = PAYLOAD_FILE) -> list[str]:
    """The payload corpus (see the file's header for its tiny syntax)."""
    payloads = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("@long "):
            _, size, text = line.split(" ", 2)
            line = (text * (int(size) // len(text) + 1))[: int(size)]
        payloads.append(line)
    return payloads


PAYLOADS = load_payloads()

# Installed in every frame before any page script: records executions in the top frame.
WATCH = """
(() => {
  const record = (how, what) => {
    try { (window.top.__hits = window.top.__hits || []).push(how + ': ' + String(what).slice(0, 80)); }
    catch (e) { (window.__hits = window.__hits || []).push(how + ': ' + String(what).slice(0, 80)); }
  };
  window.__pwned = (tag) => record('__pwned', tag);
  window.alert = (m) => record('alert', m);
  window.confirm = (m) => { record('confirm', m); return false; };
  window.prompt = (m) => { record('prompt', m); return null; };
})();
"""

# Elements a payload would have injected, in a document and its shadow roots.
FIND_INJECTED = """
() => {
  const bad = [];
  const hostile = /__pwned|^\\s*javascript:|^\\s*data:text\\/html|^\\s*vbscript:/i;
  const attrs = ['src', 'href', 'action', 'data', 'formaction', 'srcdoc', 'xlink:href', 'poster', 'background'];
  const walk = (root) => {
    for (const el of root.querySelectorAll('*')) {
      if (el.hasAttribute('data-pwn')) bad.push('data-pwn ' + el.outerHTML.slice(0, 100));
      for (const name of attrs) {
        const value = el.getAttribute(name);
        if (!value) continue;
        let host = '';
        try { host = new URL(value, document.baseURI).hostname; } catch (e) {}
        // A typed http(s) URL shown as a link to itself hides nothing (Streamlit's
        // headings linkify them); a link with other text, or any other element, does.
        const visible = el.tagName === 'A' && /^https?:$/.test(new URL(value, document.baseURI).protocol)
          && el.textContent.trim() === value;
        if (hostile.test(value) || (/evil\\.invalid$/i.test(host) && !visible)) bad.push(el.tagName + ' ' + name + '=' + value.slice(0, 80));
      }
      for (const attr of el.attributes) {
        if (/^on/i.test(attr.name) && /pwn|alert/i.test(attr.value)) bad.push(el.tagName + ' ' + attr.name);
      }
      if (el.shadowRoot) walk(el.shadowRoot);
    }
  };
  walk(document);
  return bad;
}
"""

# Open every popup and tooltip of the Leaflet map in this frame; return their texts.
OPEN_ALL = """
() => {
  const maps = [];
  for (const key of Object.keys(window)) {
    if (!key.startsWith('map_')) continue;
    try { if (window.L && window[key] instanceof L.Map) maps.push(window[key]); } catch (e) {}
  }
  const texts = [];
  for (const map of maps) {
    map.eachLayer(layer => {
      try {
        if (layer.getPopup && layer.getPopup()) {
          layer.openPopup();
          const el = layer.getPopup().getElement();
          if (el) texts.push(el.textContent);
        }
        if (layer.getTooltip && layer.getTooltip()) {
          layer.openTooltip();
          const el = layer.getTooltip().getElement();
          if (el) texts.push(el.textContent);
        }
      } catch (e) { texts.push('ERROR ' + e); }
    });
  }
  return {maps: maps.length, texts: texts, title: (document.querySelector('.trip-title') || {}).textContent || null};
}
"""


def _fit(text: str, limit: int) -> str:
    return text[:limit].strip() or "x"


GROUP = 3  # payloads per browser page: each page's stops carry three payloads, its title all three
GROUPS = range(0, len(PAYLOADS), GROUP)


def hostile_itinerary(index: int, *, stops: int = GROUP) -> Itinerary:
    """Payloads ``index``.. as stops' names, notes, evidence and sources, and together as the title."""
    items = []
    chosen = [PAYLOADS[(index + k) % len(PAYLOADS)] for k in range(stops)]
    for k, payload in enumerate(chosen):
        items.append(Stop(
            Place(_fit(payload, MAX_NAME), LatLon(43.0 + k, 131.0 + k), source="manual"),
            date=dt.date(2023, 9, 13 + k),
            note=payload,
            evidence=payload,
            sources=(Source(title=_fit(payload, 1000), url=f"https://example.org/report?id={index + k}&x=%3Cb%3E"),
                     Source(title=_fit(payload, 1000))),
        ))
    title = _fit(" ".join(p[:160] for p in chosen), 500)
    return Itinerary(tuple(items), title=title, description="\n".join(chosen)[:10_000],
                     sources=(Source(title=_fit(chosen[0], 1000), url="https://example.org/"),))


def watched_page(context, allowed_origins: tuple[str, ...] = ()):
    """A page of ``context`` that reaches only ``allowed_origins``, runs the injection
    watcher in every frame, and records blocked URLs and dialogs for :func:`problems`."""
    blocked = block_external_requests(context, allowed_origins=allowed_origins)
    context.add_init_script(WATCH)
    page = context.new_page()
    dialogs: list[str] = []

    def on_dialog(dialog):
        dialogs.append(f"{dialog.type}: {dialog.message[:80]}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.dialogs = dialogs  # type: ignore[attr-defined]
    page.blocked = blocked  # type: ignore[attr-defined]
    return page


@pytest.fixture
def page(browser):
    context = browser.new_context()
    yield watched_page(context)
    context.close()


def problems(page, where: str) -> list[str]:
    """What went wrong on the page: executions, dialogs, injected elements, hostile requests."""
    page.wait_for_timeout(100)  # let onerror/onload handlers of any injected element fire
    found = []
    hits = page.evaluate("() => window.__hits || []")
    if hits:
        found.append(f"{where}: payload executed: {hits}")
    if page.dialogs:
        found.append(f"{where}: dialog opened: {page.dialogs}")
        page.dialogs.clear()
    page.evaluate("() => { window.__hits = []; }")
    for frame in page.frames:
        try:
            injected = frame.evaluate(FIND_INJECTED)
        except Exception as err:  # a frame navigated away (e.g. a meta refresh) is itself a failure
            found.append(f"{where}: frame {frame.url[:80]} could not be inspected: {err}")
            continue
        if injected:
            found.append(f"{where}: injected elements in {frame.url[:60]}: {injected}")
    hostile = [u for u in page.blocked if u.lower().startswith("javascript:") or "evil.invalid" in u]
    if hostile:
        found.append(f"{where}: hostile request: {hostile}")
        page.blocked.clear()
    return found


def assert_clean(page, where: str) -> None:
    """No execution recorded, no dialog, no injected element in any frame."""
    found = problems(page, where)
    assert found == [], "\n".join(found)


def check_static_map(page, html: str, itinerary: Itinerary, where: str) -> None:
    page.set_content(html, wait_until="load")
    page.wait_for_function("() => window.L && document.querySelector('.leaflet-container')", timeout=15_000)
    assert_clean(page, where)
    opened = page.evaluate(OPEN_ALL)
    assert opened["maps"] == 1, f"{where}: no map drawn"
    assert_clean(page, where + " (popups and tooltips open)")
    shown = "\n".join(opened["texts"])
    for stop in itinerary.stops:
        assert stop.name in shown, f"{where}: stop name not shown as typed: {stop.name[:60]!r}"
    assert opened["title"] is not None and itinerary.title in opened["title"], (
        f"{where}: title not shown as typed: {opened['title']!r} vs {itinerary.title[:60]!r}")


# -- the corpus itself ------------------------------------------------------------------


def test_the_corpus_covers_every_kind_of_payload():
    text = "\n".join(PAYLOADS)
    assert len(PAYLOADS) >= 25
    for needle in ("<script", "onerror=", "onload=", "</script>", "${", "`", "\\1", "\\74", "javascript:",
                   "data:text/html", "{{", "\u202e", "\u200b", "\ufeff", "\u2028"):
        assert needle in text, needle
    assert max(len(p) for p in PAYLOADS) >= 9000


@pytest.mark.parametrize("payload", [p for p in PAYLOADS if ":" in p.split()[0] and "//" not in p.split()[0]]
                         + ["javascript:alert(1)", " javascript:alert(1)", "data:text/html,<b>x</b>",
                            "vbscript:msgbox(1)", "https:alert(1)", "//evil.invalid/x", "http://"])
def test_source_links_open_only_http_and_https(payload):
    assert not safe_url(payload)
    with pytest.raises(ValidationError, match="http"):
        Source(title="report", url=payload)


# -- static pages -----------------------------------------------------------------------


@pytest.mark.parametrize("payload", PAYLOADS, ids=[f"payload{i}" for i in range(len(PAYLOADS))])
def test_every_payload_alone_as_title_renders_as_text(payload):
    """Without a browser, one payload at a time: the page builds and the text is escaped."""
    from trip.formats import html as html_format
    from trip.render import map_html

    title = _fit(payload, 500)
    itinerary = Itinerary((Stop(Place(_fit(payload, MAX_NAME), LatLon(43, 131), source="manual"), note=payload),
                           Stop(Place("Ussuriysk", LatLon(43.8, 131.9), source="manual"))), title=title)
    for page in (map_html(itinerary, tiles=None), html_format.write(itinerary).decode("utf-8")):
        head = page.split("<title>", 1)[1].split("</title>", 1)[0]
        assert "<" not in head and html.unescape(head) == title
        assert _tags_with_hostile_attributes(page) == []


class _TagScanner(HTMLParser):
    """Collects what an HTML parser sees as elements (script text stays text)."""

    HOSTILE = re.compile(r"__pwned|evil\.invalid|^\s*javascript:|^\s*data:text/html", re.I)

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.bad: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "data-pwn" or (value and self.HOSTILE.search(value)) or (
                    name.startswith("on") and value and re.search(r"pwn|alert", value)):
                self.bad.append(f"<{tag} {name}={value!r:.60}>")


def _tags_with_hostile_attributes(page: str) -> list[str]:
    scanner = _TagScanner()
    scanner.feed(page)
    scanner.close()
    return scanner.bad


@pytest.mark.parametrize("index", GROUPS, ids=lambda i: f"payloads{i}-{i + GROUP - 1}")
def test_map_html_shows_payloads_as_text(page, index):
    from trip.render import map_html

    itinerary = hostile_itinerary(index)
    check_static_map(page, map_html(itinerary, tiles=None), itinerary, f"map_html payloads from {index}")


@pytest.mark.parametrize("index", GROUPS, ids=lambda i: f"payloads{i}-{i + GROUP - 1}")
def test_self_contained_export_shows_payloads_as_text(page, index):
    from trip.formats import html as html_format

    itinerary = hostile_itinerary(index)
    document = html_format.write(itinerary).decode("utf-8")
    check_static_map(page, document, itinerary, f"html export payloads from {index}")
    footer = page.evaluate("id => document.getElementById(id).textContent", html_format.FOOTER_ID)
    assert itinerary.stops[0].sources[0].title[:50] in footer, "source title not shown as typed in the footer"
    links = page.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => a.protocol)")
    assert set(links) <= {"http:", "https:", "about:"}, links


# -- the dashboard ------------------------------------------------------------------------


@pytest.mark.parametrize("index", GROUPS, ids=lambda i: f"payloads{i}-{i + GROUP - 1}")
def test_share_links_carry_every_payload_exactly(index):
    """A source titled "<b>report</b>" used to come back as a URL and break the link."""
    from trip.share import decode_itinerary, encode_itinerary

    itinerary = hostile_itinerary(index)
    assert decode_itinerary(encode_itinerary(itinerary, max_chars=100_000)) == itinerary


def _dashboard_trips() -> list[Itinerary]:
    """Three share links that between them carry every payload as a stop and several as titles."""
    trips = []
    chunk = (len(PAYLOADS) + 2) // 3
    for start in range(0, len(PAYLOADS), chunk):
        group = list(range(start, min(start + chunk, len(PAYLOADS))))
        stops = []
        for k, i in enumerate(group):
            payload = PAYLOADS[i]
            stops.append(Stop(
                Place(_fit(payload, MAX_NAME), LatLon(40.0 + k * 0.7, 125.0 + k * 0.9), source="manual"),
                date=dt.date(2023, 9, 1 + k), note=payload[:2000], evidence=payload[:2000],
                sources=(Source(title=_fit(payload, 200),
                                url="https://example.org/)![pwn](https://evil.invalid/pwn.png)"),
                         Source(title=_fit(payload, 200))),
            ))
        title_payload = PAYLOADS[group[len(group) // 2]]
        trips.append(Itinerary(tuple(stops), title=_fit(title_payload, 500), description=PAYLOADS[group[0]][:2000]))
    return trips


def test_dashboard_trips_carry_every_payload():
    assert sum(len(t) for t in _dashboard_trips()) == len(PAYLOADS)


@pytest.mark.parametrize("number", range(3), ids=lambda n: f"link{n}")
def test_dashboard_shared_links_show_payloads_as_text(browser, number):
    """Open a share link full of payloads; check the page, the map iframe, every popup,
    and the stop panel for every stop (selected by clicking it on the map)."""
    from trip.share import encode_itinerary

    trips = _dashboard_trips()[number:number + 1]
    with streamlit_server() as url:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = watched_page(context, allowed_origins=(url,))
        found: list[str] = []
        try:
            for itinerary in trips:
                where = f"dashboard trip {number}"
                token = encode_itinerary(itinerary, max_chars=60_000)
                page.goto(f"{url}/?trip={token}", wait_until="domcontentloaded", timeout=60_000)
                wait_for_app_idle(page, timeout_ms=60_000)
                heading = page.locator("h1").first.inner_text(timeout=30_000)
                if " ".join(heading.split()) != " ".join(itinerary.title.split()):
                    found.append(f"{where}: title not shown as typed: {heading[:80]!r} "
                                 f"for {itinerary.title[:80]!r}")
                map_frame = browser_map_frame(page)
                found += problems(page, where)
                opened = map_frame.evaluate(OPEN_ALL)
                assert opened["maps"] == 1
                shown = "\n".join(opened["texts"])
                for stop in itinerary.stops:
                    if stop.name not in shown:
                        found.append(f"{where}: stop not shown as typed in the map: {stop.name[:60]!r}")
                found += problems(page, where + " (map popups open)")
                # Hover over the timeline charts so Vega draws its tooltips (stop names).
                tooltips = ""
                for dwell_ms in (15, 60, 150):  # under load Vega can answer a hover late
                    tooltips = _hover_charts(page, dwell_ms=dwell_ms)
                    if any(stop.name[:20] in tooltips for stop in itinerary.stops):
                        break
                found += problems(page, where + " (chart tooltips shown)")
                if not any(stop.name[:20] in tooltips for stop in itinerary.stops):
                    found.append(f"{where}: no chart tooltip showed a stop name: {tooltips[:200]!r}")
                # Select every stop so the stop panel shows its name, evidence and sources.
                for k in range(len(itinerary)):
                    if not _click_stop(page, map_frame, k):
                        found.append(f"{where}: clicking stop {k + 1} on the map did not select it")
                    found += problems(page, f"{where} (stop {k + 1} selected: {itinerary[k].name[:40]!r})")
        finally:
            context.close()
    assert found == [], "\n".join(found)


def _hover_charts(page, *, dwell_ms: int = 15) -> str:
    """Move the mouse over every Vega chart on a grid; return the tooltip texts seen."""
    seen = []
    for chart in page.locator(".vega-embed").all():
        chart.scroll_into_view_if_needed(timeout=10_000)
        box = chart.bounding_box()
        if not box:
            continue
        # The timeline's bars run down a diagonal (one day per stop); the leg bars stand
        # on the x axis: a grid plus both diagonals meets both kinds.
        points = [(fx / 8, fy / 8) for fx in range(1, 8) for fy in range(2, 8)]
        points += [(t / 30, t / 30) for t in range(1, 30)] + [(t / 30, 1 - t / 30) for t in range(1, 30)]
        for fx, fy in points:
            page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
            page.wait_for_timeout(dwell_ms)
            tip = page.locator("#vg-tooltip-element")
            if tip.count() and tip.is_visible():
                seen.append(tip.inner_text())
    return "\n".join(seen)


def _crafted_token(doc: dict) -> str:
    """A share token as an attacker would make one by hand (valid wrapper, hostile content)."""
    import base64
    import json
    import zlib

    raw = json.dumps(doc, ensure_ascii=False).encode()
    return "1." + base64.urlsafe_b64encode(zlib.compress(raw)).rstrip(b"=").decode()


HOSTILE_MARKDOWN = "![pwn](https://evil.invalid/pwn.png) [click](https://evil.invalid/x) <img data-pwn src=x>"


def test_dashboard_error_messages_from_crafted_links_and_files_are_text(browser, tmp_path):
    """Error messages repeat the bad value; a crafted link or file must not turn it into markup."""
    links = [
        _crafted_token({"p": [{"n": "Artyom", "d": HOSTILE_MARKDOWN}]}),
        _crafted_token({"p": [{"n": "Artyom", "la": HOSTILE_MARKDOWN, "lo": 1}]}),
        _crafted_token({"p": [{"n": "Artyom", "m": HOSTILE_MARKDOWN}]}),
        _crafted_token({"p": [{"n": HOSTILE_MARKDOWN * 10}]}),
    ]
    upload = tmp_path / "hostile.csv"
    upload.write_text(f'place,date\nArtyom,"{HOSTILE_MARKDOWN}"\n', encoding="utf-8")
    with streamlit_server() as url:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = watched_page(context, allowed_origins=(url,))
        found: list[str] = []
        try:
            for number, token in enumerate(links):
                page.goto(f"{url}/?trip={token}", wait_until="domcontentloaded", timeout=60_000)
                page.locator('[data-testid="stAlert"]', has_text="could not be opened").first.wait_for(
                    timeout=60_000)
                wait_for_app_idle(page, timeout_ms=60_000)
                found += problems(page, f"crafted link {number}")
            page.locator('[data-testid="stSidebar"] [data-testid="stFileUploaderDropzoneInput"]').first \
                .set_input_files(str(upload))
            page.locator('[data-testid="stAlert"]', has_text="hostile.csv").first.wait_for(timeout=60_000)
            wait_for_app_idle(page, timeout_ms=60_000)
            found += problems(page, "hostile upload")
        finally:
            context.close()
    assert found == [], "\n".join(found)


def _click_stop(page, frame, index: int) -> bool:
    """Click stop ``index``'s marker (a DOM click, wherever the map has panned to);
    True once the stop panel shows that stop."""
    frame.evaluate("() => { for (const k of Object.keys(window)) { try { if (window[k] instanceof L.Map) "
                   "window[k].closePopup(); } catch (e) {} } }")
    frame.locator(".trip-stop").nth(index).dispatch_event("click")
    try:
        page.get_by_text(f"Stop {index + 1}:", exact=False).first.wait_for(timeout=15_000)
    except Exception:
        return False
    wait_for_app_idle(page, timeout_ms=60_000)
    return True
