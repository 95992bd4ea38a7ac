"""Reading articles: plain text or HTML in, title + body text + publication date out.

HTML goes through the standard library's :class:`html.parser.HTMLParser`, which
never fetches anything, never expands external entities and tolerates broken
markup; scripts, styles, navigation and footers are dropped so that menu links
("London", "Tokyo summit") do not become places.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from ..errors import FileTooLarge, FormatError

__all__ = ["Article", "MAX_ARTICLE_BYTES", "read_article", "article_from_bytes", "article_from_text",
           "html_to_text"]

#: Articles longer than this are refused: news reports are a few kilobytes.
MAX_ARTICLE_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Article:
    """One article as the extractor sees it."""

    text: str  # paragraphs separated by blank lines; the first is the headline when known
    source: str = ""  # file name or URL, shown as the stop's source
    title: str = ""
    published: dt.date | None = None  # from HTML metadata, when present


_SKIP = {"script", "style", "noscript", "nav", "footer", "header", "aside", "form", "button",
         "svg", "template", "iframe", "select", "figure"}
_BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "br", "tr", "article", "section",
          "blockquote", "pre", "dd", "dt", "time", "table", "main", "ul", "ol", "figcaption", "title"}
_META_DATE = {"article:published_time", "date", "pubdate", "publishdate", "datepublished", "dc.date",
              "dc.date.issued", "og:published_time", "sailthru.date", "parsely-pub-date"}


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title: list[str] = []
        self.dates: list[str] = []
        self._skip_depth = 0
        self._in_title = False
        self._in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta":
            key = (a.get("property") or a.get("name") or a.get("itemprop") or "").lower()
            if key in _META_DATE and a.get("content"):
                self.dates.append(a["content"])
            return
        if tag == "time" and a.get("datetime"):
            self.dates.append(a["datetime"])
        if tag == "head":
            self._in_head = True
        if tag in _SKIP:
            self._skip_depth += 1
            return
        if tag == "title":
            self._in_title = True
            return
        if tag in _BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self._in_head = False
        if tag in _SKIP:
            self._skip_depth = max(0, self._skip_depth - 1)
            return
        if tag == "title":
            self._in_title = False
            return
        if tag in _BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title.append(data)
        elif not self._skip_depth and not self._in_head:
            self.parts.append(data)


def _clean_paragraphs(text: str) -> str:
    paragraphs = []
    for block in re.split(r"\n\s*\n", text):
        line = re.sub(r"\s+", " ", block).strip()
        if line:
            paragraphs.append(line)
    return "\n\n".join(paragraphs)


def _meta_date(values: list[str]) -> dt.date | None:
    for value in values:
        m = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})", value)
        if m:
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                continue
    return None


def html_to_text(html: str) -> tuple[str, str, dt.date | None]:
    """``(title, text, published)`` from an HTML page; text has one paragraph per block."""
    parser = _TextCollector()
    try:
        parser.feed(html)
        parser.close()
    except Exception as err:  # HTMLParser is lenient; anything left is a broken document
        raise FormatError(f"cannot be read as HTML ({err})", field="article", value="html") from err
    title = re.sub(r"\s+", " ", "".join(parser.title)).strip()
    return title, _clean_paragraphs("".join(parser.parts)), _meta_date(parser.dates)


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:500].lower()
    return head.startswith(("<!doctype html", "<html", "<?xml")) or bool(
        re.search(r"<(p|div|article|body|h1|head)\b", head))


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")


def article_from_text(text: str, *, source: str = "", html: bool | None = None) -> Article:
    """An :class:`Article` from a string (HTML detected by its tags unless ``html`` says)."""
    # control characters (form feeds, NULs) become spaces: they cannot be quoted as evidence
    text = _CONTROL.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))
    if html is None:
        html = _looks_like_html(text)
    if html:
        title, body, published = html_to_text(text)
        if title and not body.startswith(title):
            body = f"{title}\n\n{body}" if body else title
        return Article(text=body, source=source, title=title, published=published)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not re.search(r"\n\s*\n", text):  # no blank lines: every line is a paragraph
        text = text.replace("\n", "\n\n")
    # bullet and numbered lines are paragraphs of their own ("- Thursday 21 September: …")
    text = re.sub(r"\n(?=[ \t]*(?:[-*•–]|\d{1,2}[.)])\s)", "\n\n", text)
    body = _clean_paragraphs(text)
    title = body.split("\n\n", 1)[0] if body else ""
    return Article(text=body, source=source, title=title)


def article_from_bytes(data: bytes, *, name: str = "") -> Article:
    """An article from uploaded bytes (UTF-8, falling back to Latin-1)."""
    if len(data) > MAX_ARTICLE_BYTES:
        raise FileTooLarge(f"is {len(data):,} bytes; the limit for an article is {MAX_ARTICLE_BYTES:,}",
                           field="article", value=name or "upload")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    html = True if name.lower().endswith((".html", ".htm", ".xhtml")) else None
    return article_from_text(text, source=name, html=html)


def read_article(path: str | Path) -> Article:
    """Read an article file from disk (``.html``/``.htm`` as HTML, anything else sniffed)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_ARTICLE_BYTES:
            raise FileTooLarge(f"is {size:,} bytes; the limit for an article is {MAX_ARTICLE_BYTES:,}",
                               field="article", value=str(path))
        data = path.read_bytes()
    except OSError as err:
        raise FormatError(f"cannot be opened ({err.strerror})", field="article", value=str(path)) from err
    return article_from_bytes(data, name=path.name)
