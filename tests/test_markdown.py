"""app/markdown.py: user text in Streamlit markdown reads as typed and makes no links."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from app.markdown import escape_links, escape_markdown


def unescape(text: str) -> str:
    """What CommonMark shows for backslash-escaped ASCII punctuation."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


def every_special_is_escaped(escaped: str, specials: str) -> bool:
    i = 0
    while i < len(escaped):
        if escaped[i] == "\\":
            i += 2  # an escape pair
            continue
        if escaped[i] in specials:
            return False
        i += 1
    return True


@given(st.text())
def test_escaped_text_shows_as_typed(text):
    assert unescape(escape_markdown(text)) == text
    assert unescape(escape_links(text)) == text


@given(st.text(alphabet=st.sampled_from(list("ab:/@[]()<>!.\\ "))) | st.text())
def test_nothing_that_makes_a_link_is_left_bare(text):
    assert every_special_is_escaped(escape_links(text), "[]<>:@")
    assert every_special_is_escaped(escape_markdown(text), "[]()<>:@!*_`#|~$")


def test_bare_autolinks_and_emails_are_broken():
    out = escape_links('value "https://evil.example/x" from me@example.org')
    assert "https\\://evil.example/x" in out and "me\\@example.org" in out
    assert "end_date" in escape_links("column end_date")  # our own words keep their look
