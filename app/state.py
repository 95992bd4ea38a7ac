"""One user's working state: the itinerary, the selection, undo history, the URL.

Everything lives in ``st.session_state`` (one per browser tab) and the working
itinerary is mirrored into ``st.query_params`` as a :mod:`trip.share` token, so a
reload restores it and the address bar is a share link. Nothing here is a module
global: two people on one server never see each other's trips.
"""

from __future__ import annotations

from typing import Callable

import streamlit as st

from trip.errors import FileTooLarge, TripError
from trip.itinerary import Itinerary
from trip.share import decode_itinerary, encode_itinerary

from .guard import flash

__all__ = [
    "URL_PARAM",
    "init",
    "current",
    "commit",
    "undo",
    "can_undo",
    "selected",
    "select",
    "editor_key",
    "sync_url",
    "share_problem",
    "share_token",
]

URL_PARAM = "trip"
_ITINERARY = "itinerary"
_HISTORY = "history"
_SELECTED = "selected_stop"
_EDITOR_VERSION = "editor_version"
_SHARE_PROBLEM = "share_problem"
_LAST_TOKEN = "last_token"
_HISTORY_LIMIT = 30


def init(default: Callable[[], Itinerary]) -> None:
    """Set up the session once: the trip from the URL if there is one, else ``default()``."""
    ss = st.session_state
    if _ITINERARY in ss:
        return
    ss[_HISTORY] = []
    ss[_SELECTED] = None
    ss[_EDITOR_VERSION] = 0
    ss[_SHARE_PROBLEM] = None
    token = st.query_params.get(URL_PARAM)
    if token:
        try:
            ss[_ITINERARY] = decode_itinerary(token)
            ss[_LAST_TOKEN] = token
            return
        except TripError as err:
            flash("error", f"The trip in this link could not be opened ({err}). "
                           "The sample trip is shown instead.")
    ss[_ITINERARY] = default()


def current() -> Itinerary:
    return st.session_state[_ITINERARY]


def commit(itinerary: Itinerary, *, reset_view: bool = False) -> None:
    """Make ``itinerary`` the working trip, keeping the previous one for undo.

    The table editor is given a fresh key so its pending edits (already applied
    here) are not applied a second time.
    """
    ss = st.session_state
    previous = ss.get(_ITINERARY)
    if previous is not None and previous != itinerary:
        ss[_HISTORY] = (ss.get(_HISTORY, []) + [previous])[-_HISTORY_LIMIT:]
    ss[_ITINERARY] = itinerary
    ss[_EDITOR_VERSION] = ss.get(_EDITOR_VERSION, 0) + 1
    sel = ss.get(_SELECTED)
    if reset_view or (sel is not None and sel >= len(itinerary)):
        ss[_SELECTED] = None
    if reset_view:
        ss.pop("upto", None)
        ss.pop("pending_pin", None)


def can_undo() -> bool:
    return bool(st.session_state.get(_HISTORY))


def undo() -> None:
    ss = st.session_state
    history = ss.get(_HISTORY, [])
    if history:
        ss[_ITINERARY] = history[-1]
        ss[_HISTORY] = history[:-1]
        ss[_EDITOR_VERSION] = ss.get(_EDITOR_VERSION, 0) + 1
        if ss.get(_SELECTED) is not None and ss[_SELECTED] >= len(ss[_ITINERARY]):
            ss[_SELECTED] = None


def selected() -> int | None:
    index = st.session_state.get(_SELECTED)
    if index is None or not 0 <= index < len(current()):
        return None
    return index


def select(index: int | None) -> None:
    ss = st.session_state
    if ss.get(_SELECTED) != index:
        ss[_SELECTED] = index
        ss.pop("pending_pin", None)
        ss[_EDITOR_VERSION] = ss.get(_EDITOR_VERSION, 0) + 1


def editor_key() -> str:
    """The table editor's key: it changes after every applied edit."""
    return f"stops_table_{st.session_state.get(_EDITOR_VERSION, 0)}"


@st.cache_data(max_entries=256, show_spinner=False)
def _token(itinerary: Itinerary) -> tuple[str | None, str | None]:
    try:
        return encode_itinerary(itinerary), None
    except FileTooLarge as err:
        return None, str(err)


def sync_url() -> None:
    """Mirror the working trip into the URL, or explain why it does not fit."""
    ss = st.session_state
    token, problem = _token(current())
    ss[_SHARE_PROBLEM] = problem
    if token is not None:
        if st.query_params.get(URL_PARAM) != token:
            st.query_params[URL_PARAM] = token
    elif URL_PARAM in st.query_params:
        del st.query_params[URL_PARAM]


def share_token() -> str | None:
    """The working trip's share token, or None when it is too large for a link."""
    return _token(current())[0]


def share_problem() -> str | None:
    """Why the trip is not in the URL (too large), or None when it is."""
    return st.session_state.get(_SHARE_PROBLEM)
