"""The "From articles" dashboard panel, driven through streamlit's AppTest."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = f'''
import sys
sys.path.insert(0, {str(ROOT)!r})
import streamlit as st
from app.articles_panel import articles_panel

def accept(itinerary):
    st.session_state["accepted"] = [(s.place.name, str(s.date), s.status, s.evidence)
                                    for s in itinerary.stops]

articles_panel(accept, None)
'''

ARTICLE = (
    "Orban visits Tallinn\n\n"
    "Viktor Orban flew from Budapest to Tallinn on Monday for talks on energy. "
    "Officials in Moscow said the visit changed nothing. On Tuesday he travelled on to Riga.\n"
)


def _app() -> AppTest:
    at = AppTest.from_string(SCRIPT, default_timeout=120)
    at.run()
    assert not at.exception
    return at


def test_extract_review_and_accept_stops() -> None:
    at = _app()
    at.text_area[0].input(ARTICLE).run()
    at.text_input[0].input("2024-03-06").run()
    at.button[0].click().run()
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    markdown = " ".join(m.value for m in at.markdown)
    assert "draft stops" in markdown
    accept = [b for b in at.button if b.label.startswith("Accept")]
    assert accept and not accept[0].disabled
    accept[0].click().run()
    accepted = at.session_state["accepted"]
    names = [name for name, *_ in accepted]
    assert "Tallinn" in names and "Riga" in names and "Moscow" not in names
    tallinn = next(a for a in accepted if a[0] == "Tallinn")
    assert tallinn[1] == "2024-03-04"  # "on Monday" before Wednesday 6 March
    assert "Tallinn on Monday" in tallinn[3]
    assert any("Added" in s.value for s in at.success)


def test_bad_publication_date_is_a_message_not_a_traceback() -> None:
    at = _app()
    at.text_area[0].input(ARTICLE).run()
    at.text_input[0].input("6 March").run()
    at.button[0].click().run()
    assert not at.exception
    assert any("not a date" in e.value for e in at.error)


def test_nothing_to_read_says_so() -> None:
    at = _app()
    at.button[0].click().run()
    assert not at.exception
    assert any("paste an article" in e.value for e in at.error)
