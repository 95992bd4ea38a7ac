"""trip.extract's text layer: reading articles, splitting sentences, finding and resolving dates."""

from __future__ import annotations

import datetime as dt

import pytest

from trip.errors import FileTooLarge, FormatError
from trip.extract import article_from_bytes, article_from_text, html_to_text, read_article, split_sentences
from trip.extract.dates import clause_tense, find_dates, find_published, resolve, year_from_weekday
from trip.extract.reading import MAX_ARTICLE_BYTES

WED = dt.date(2024, 3, 6)


# -- reading -----------------------------------------------------------------------------

def test_html_keeps_article_text_and_drops_page_furniture() -> None:
    title, text, published = html_to_text(
        "<html><head><title>T &amp; C</title><meta property='article:published_time' "
        "content='2023-02-20T18:30:00Z'><style>p{}</style></head><body><nav>Home London</nav>"
        "<p>First &eacute;t&eacute; paragraph.</p><p>Second<br>line</p><script>Paris()</script>"
        "<footer>Tokyo</footer></body></html>")
    assert title == "T & C"
    assert published == dt.date(2023, 2, 20)
    assert text == "First été paragraph.\n\nSecond\n\nline"


def test_html_entities_are_never_expanded_from_a_doctype() -> None:
    bomb = ('<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
            "<html><body><p>&b;&b; Riga</p></body></html>")
    _, text, _ = html_to_text(bomb)
    assert "aaaaaaaaaa" not in text and "Riga" in text


def test_time_element_gives_the_publication_date() -> None:
    article = article_from_text("<html><body><p>Published <time datetime='2023-06-25T07:00'>25 June"
                                "</time></p><p>Text.</p></body></html>")
    assert article.published == dt.date(2023, 6, 25)


def test_plain_text_paragraphs_and_wrapped_lines() -> None:
    wrapped = article_from_text("Headline\n\nA sentence that is\nwrapped over lines.\n\nNext one.")
    assert wrapped.text == "Headline\n\nA sentence that is wrapped over lines.\n\nNext one."
    lines = article_from_text("Headline\nFirst paragraph.\nSecond paragraph.")
    assert lines.text.split("\n\n") == ["Headline", "First paragraph.", "Second paragraph."]
    assert lines.title == "Headline"


def test_bytes_limits_and_encodings(tmp_path) -> None:
    with pytest.raises(FileTooLarge, match="limit"):
        article_from_bytes(b"x" * (MAX_ARTICLE_BYTES + 1), name="big.txt")
    latin = article_from_bytes("Caf\xe9 in M\xfcnster.".encode("latin-1"), name="a.txt")
    assert latin.text == "Café in Münster."
    with pytest.raises(FormatError, match="cannot be opened"):
        read_article(tmp_path / "missing.txt")
    page = tmp_path / "p.html"
    page.write_text("<p>Riga</p>", encoding="utf-8")
    assert read_article(page).text == "Riga" and read_article(page).source == "p.html"


# -- sentences ---------------------------------------------------------------------------

def test_sentences_respect_abbreviations_and_keep_offsets() -> None:
    text = ("He landed at 3 a.m. on Sept. 11 in the U.S. capital. Mr. Lee waved.\n\n"
            "Then J. F. Smith spoke! Did it rain? Yes.")
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == [
        "He landed at 3 a.m. on Sept. 11 in the U.S. capital.", "Mr. Lee waved.",
        "Then J. F. Smith spoke!", "Did it rain?", "Yes."]
    assert [s.paragraph for s in sentences] == [0, 0, 1, 1, 1]
    for s in sentences:
        assert text[s.start:s.start + len(s.text)] == s.text


# -- dates -------------------------------------------------------------------------------

@pytest.mark.parametrize("sentence, expected", [
    ("He may go in the second week.", []),
    ("On Friday, September 6, he flies.", ["On Friday, September 6"]),
    ("They landed on Friday evening, 18 October, at Kent.", ["on Friday evening, 18 October"]),
    ("Concerts on May 24 and 25.", ["May 24 and 25"]),
    ("BELGRADE, May 8, 2024 — text", ["May 8, 2024"]),
    ("(Sept. 11, 2023) text", ["Sept. 11, 2023"]),
    ("the next day and two days later", ["the next day", "two days later"]),
    ("last Thursday evening", ["last Thursday evening"]),
    ("seven shows in July", ["July"]),
    ("on 2024-01-05", ["2024-01-05"]),
])
def test_find_dates(sentence: str, expected: list[str]) -> None:
    assert [d.text for d in find_dates(sentence)] == expected


def _one(text: str, *, tense: str = "", narrative: dt.date | None = None, published=WED):
    (span,) = find_dates(text)
    return resolve(span, published=published, narrative=narrative, tense=tense)


@pytest.mark.parametrize("text, tense, expected", [
    ("on Saturday", "past", dt.date(2024, 3, 2)),
    ("on Saturday", "future", dt.date(2024, 3, 9)),
    ("on Saturday", "", dt.date(2024, 3, 9)),          # present tense: what is scheduled
    ("on Wednesday", "past", WED),                      # the publication day itself
    ("last Thursday evening", "", dt.date(2024, 2, 29)),
    ("next Monday", "", dt.date(2024, 3, 11)),
    ("today", "", WED),
    ("tomorrow", "", dt.date(2024, 3, 7)),
    ("yesterday", "", dt.date(2024, 3, 5)),
    ("December 30", "past", dt.date(2023, 12, 30)),     # the nearest year in the past
    ("January 2", "future", dt.date(2025, 1, 2)),
])
def test_resolve_against_publication(text: str, tense: str, expected: dt.date) -> None:
    assert _one(text, tense=tense)[0] == expected


def test_relative_to_the_narrative() -> None:
    assert _one("the next day", narrative=dt.date(2024, 2, 1))[0] == dt.date(2024, 2, 2)
    assert _one("two days later", narrative=dt.date(2024, 2, 1))[0] == dt.date(2024, 2, 3)
    assert _one("the same day", narrative=dt.date(2024, 2, 1))[0] == dt.date(2024, 2, 1)


def test_precision() -> None:
    assert _one("in July", tense="future") == (dt.date(2024, 7, 1), "month")
    assert _one("this week")[1] == "approximate"
    assert _one("on Monday")[1] == "day"


def test_without_any_anchor_relative_dates_are_unknown() -> None:
    assert _one("on Monday", published=None)[0] is None
    assert _one("May 8, 2024", published=None)[0] == dt.date(2024, 5, 8)


def test_weekday_and_date_fix_the_year() -> None:
    today = dt.date(2026, 11, 21)
    assert year_from_weekday(9, 13, 2, today=today) == 2023  # Wednesday, September 13
    published, how = find_published("Kim meets Putin\n\nWednesday, September 13\n\nText.", today=today)
    assert published == dt.date(2023, 9, 13) and "2023" in how
    assert find_published("Published 23 October 2024\n\nText.")[0] == dt.date(2024, 10, 23)
    assert find_published("Nothing dated here.\n\nAt all.")[0] is None


@pytest.mark.parametrize("clause, tense", [
    ("He will travel to Riga", "future"),
    ("She is expected in Dili", "future"),
    ("Xi flies on to Budapest", "future"),
    ("He arrived in Hanoi", "past"),
    ("Kim met Putin", "past"),
    ("in the armoured train", ""),
])
def test_clause_tense(clause: str, tense: str) -> None:
    assert clause_tense(clause) == tense


def test_bullet_lines_are_paragraphs() -> None:
    article = article_from_text("Timeline\n\nIntro line.\n- Monday 4 March: in Riga.\n- Tuesday 5 March: in Tallinn.")
    assert article.text.split("\n\n")[1:] == ["Intro line.", "- Monday 4 March: in Riga.",
                                             "- Tuesday 5 March: in Tallinn."]


def test_a_date_deep_in_the_lead_is_the_story_not_the_paper() -> None:
    text = ("Title\n\nErnesto Guevara was a 23-year-old medical student when he and a friend left "
            "Buenos Aires on January 4, 1952, on an old motorcycle.")
    assert find_published(text)[0] is None
    assert find_published("Title\n\nKYIV, March 21, 2023 — Text.")[0] == dt.date(2023, 3, 21)


def test_overnight_journeys_arrive_the_next_day() -> None:
    (span,) = find_dates("and took an overnight train to Kyiv")
    assert resolve(span, published=None, narrative=dt.date(2023, 3, 20))[0] == dt.date(2023, 3, 21)


def test_control_characters_become_spaces() -> None:
    article = article_from_bytes(b"Title\x0c\n\nKim\x00 arrived in Riga.\x1b", name="a.txt")
    assert article.text == "Title\n\nKim arrived in Riga."
