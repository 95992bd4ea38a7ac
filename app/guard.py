"""Keep tracebacks off the page: every panel and callback runs inside a guard.

A :class:`~trip.errors.TripError` is the user's to fix, so its message is shown
as it is; anything else is our bug, so the page says which part failed and
that the trip is unchanged, and the traceback goes to the server log only.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from typing import Any, Callable, Iterator, TypeVar

import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException

from trip.errors import TripError

from .markdown import escape_links

__all__ = ["panel", "guarded_callback", "flash", "show_flashes", "describe_error"]

log = logging.getLogger("trip.dashboard")

FLASH_KEY = "flash_messages"
F = TypeVar("F", bound=Callable[..., Any])


def describe_error(err: BaseException, *, doing: str) -> str:
    """The message a user sees for ``err`` raised while ``doing`` something."""
    if isinstance(err, TripError):
        return f"{doing.capitalize()} failed: {err}"
    log.exception("dashboard error while %s", doing)
    return (f"{doing.capitalize()} failed because of an internal error ({type(err).__name__}). "
            "Your trip is unchanged; the details are in the server log.")


@contextlib.contextmanager
def panel(doing: str) -> Iterator[None]:
    """Draw a part of the page; an error becomes a message instead of a traceback."""
    try:
        yield
    except Exception as err:  # noqa: BLE001 - nothing may reach the page as a traceback
        if _is_control_flow(err):
            raise
        st.error(escape_links(describe_error(err, doing=doing)), icon="⚠️")


def _is_control_flow(err: BaseException) -> bool:
    # st.rerun()/st.stop() work by raising; they must pass through.
    return isinstance(err, ScriptControlException)


def flash(level: str, text: str) -> None:
    """Queue a message for the top of the next run (callbacks cannot draw in place)."""
    st.session_state.setdefault(FLASH_KEY, []).append((level, text))


def show_flashes() -> None:
    # Messages repeat user values (file names, bad cells, a crafted link's content):
    # shown as text, so they cannot become images or links.
    for level, text in st.session_state.pop(FLASH_KEY, []):
        {"error": st.error, "warning": st.warning, "success": st.success}.get(level, st.info)(
            escape_links(text))


def guarded_callback(doing: str) -> Callable[[F], F]:
    """Wrap an ``on_change``/``on_click`` callback so its errors become flash messages."""

    def wrap(func: F) -> F:
        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return func(*args, **kwargs)
            except Exception as err:  # noqa: BLE001
                if _is_control_flow(err):
                    raise
                flash("error", describe_error(err, doing=doing))
                return None

        return run  # type: ignore[return-value]

    return wrap
