"""trip's dashboard: ``streamlit run streamlit_app.py``.

Thin on purpose: layout and wiring only. Each panel lives in ``app/`` and the
work is done by ``trip.*``; every panel runs inside a guard, so an error is a
message on the page and never a traceback.

Streamlit sends each element to the browser as soon as the script draws it, so
the map comes first and the modules only the later panels need (Altair, the
export formats, the article extractor) are imported after it: the map starts
loading while the rest of the page is still being built.
"""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="trip: itinerary dashboard", page_icon="🗺️", layout="wide")

from app import services, state  # noqa: E402 - set_page_config must come first
from app.guard import guarded_callback, panel, show_flashes  # noqa: E402
from app.markdown import escape_markdown  # noqa: E402
from trip.itinerary import Itinerary  # noqa: E402


def _default_trip() -> Itinerary:
    try:
        return services.default_trip()
    except Exception:  # noqa: BLE001 - an empty trip still lets the user load one
        return Itinerary(title="New trip")


@guarded_callback("renaming the trip")
def _rename() -> None:
    state.commit(state.current().replace(title=st.session_state.get("trip_title", "")))


def _articles() -> None:
    try:
        from app.articles_panel import articles_panel
    except ImportError:
        st.info("The news-article extractor is not installed in this version.")
        return

    def accept(draft: Itinerary) -> None:
        current = state.current()
        if len(current):
            services.check_stop_limit(len(current) + len(draft.stops))
        merged = current.replace(stops=current.stops + tuple(draft.stops)) if len(current) else draft
        state.commit(merged)

    articles_panel(accept, services.LazyGeocoder())


with panel("starting the dashboard"):
    state.init(_default_trip)
    state.sync_url()
show_flashes()

itinerary = state.current()
st.title(escape_markdown(itinerary.title) or "Untitled trip", anchor=False)
if itinerary.description:
    st.caption(escape_markdown(itinerary.description))

map_column, stop_column = st.columns([3, 1], gap="medium")
with map_column:
    with panel("drawing the map"):
        from app.map_panel import map_panel
        from app.timeline_panel import shown_itinerary

        map_panel(shown_itinerary(state.current()))
with stop_column:
    with panel("showing the selected stop"):
        from app.stop_panel import stop_panel

        stop_panel()

with panel("showing the table"):
    from app.table_panel import table_panel

    table_panel()

timeline_tab, stats_tab, articles_tab = st.tabs(["Timeline", "Stats and warnings", "From articles"])
with timeline_tab:
    with panel("drawing the timeline"):
        from app.timeline_panel import timeline_panel

        timeline_panel(state.current())
with stats_tab:
    with panel("computing the stats"):
        from app.stats_panel import stats_panel

        stats_panel(state.current())
with articles_tab:
    with panel("reading articles"):
        _articles()

with st.sidebar:
    with panel("loading and saving"):
        from app.io_panel import io_panel

        io_panel()
    st.session_state["trip_title"] = state.current().title
    st.text_input("Trip title", key="trip_title", on_change=_rename, max_chars=500)
