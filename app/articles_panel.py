"""The "From articles" panel: paste or upload news reports, review the draft stops, accept them.

Thin like the rest of the dashboard: the work is :mod:`trip.extract`; this
module only draws widgets, keeps the last draft in the session and hands the
accepted stops to ``on_accept`` (the dashboard appends them to the trip).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable

import streamlit as st

from trip.errors import TripError
from trip.itinerary import Itinerary

from .markdown import escape_links, escape_markdown

__all__ = ["articles_panel", "ARTICLE_TYPES"]

#: File types the uploader accepts.
ARTICLE_TYPES = ["txt", "html", "htm"]
_DRAFT = "articles_draft"
_TEXT = "articles_text"
_PUBLISHED = "articles_published"
_EDITOR = "articles_editor"
_UPLOADS = "articles_uploads"
_MESSAGE = "articles_message"


def _extract(text: str, uploads: list[Any], published_text: str, geocoder: Any):
    from trip.extract import Extractor, article_from_bytes, article_from_text

    published = None
    if published_text.strip():
        try:
            published = dt.date.fromisoformat(published_text.strip())
        except ValueError:
            raise TripError(f'publication date "{published_text.strip()}" is not a date '
                            "(expected YYYY-MM-DD)") from None
    articles = []
    if text.strip():
        articles.append(article_from_text(text, source="pasted text"))
    for upload in uploads or []:
        articles.append(article_from_bytes(upload.getvalue(), name=upload.name))
    if not articles:
        raise TripError("paste an article or upload at least one file first")
    extractor = Extractor(geocoder=geocoder)
    return extractor.extract_many(articles, published=published)


def _rows(draft) -> list[dict]:
    rows = []
    for stop in draft.stops:
        rows.append({
            "accept": stop.confidence >= 0.5,
            "date": stop.date.isoformat() if stop.date else "",
            "precision": stop.date_precision,
            "status": stop.status,
            "place": stop.place.name,
            "country": stop.place.country,
            "located": stop.place.location is not None,
            "confidence": round(stop.confidence, 2),
            "evidence": " | ".join(stop.evidence),
            "source": ", ".join(stop.sources),
        })
    return rows


def articles_panel(on_accept: Callable[[Itinerary], None], geocoder: Any) -> None:
    """Draw the panel; ``on_accept(itinerary)`` receives the stops the user accepted."""
    st.subheader("Draft an itinerary from news articles", anchor=False)
    st.caption("Paste reports of one journey or upload .txt/.html files. trip finds the places the "
               "traveller went to, dates them and shows the sentence behind each stop; places only "
               "mentioned (reactions, countries, reference points) are listed apart. Nothing leaves "
               "this machine.")
    st.text_area("Article text", key=_TEXT, height=200,
                 placeholder="Kim Jong Un's train crossed into Russia at Khasan early on Tuesday…")
    uploads = st.file_uploader("…or upload articles", type=ARTICLE_TYPES, accept_multiple_files=True,
                               key=_UPLOADS)
    st.text_input("Publication date (YYYY-MM-DD, optional)", key=_PUBLISHED,
                  help="Used for 'on Tuesday', 'yesterday'. Left empty, trip reads it from the article.")
    if st.button("Extract stops", type="primary"):
        try:
            with st.spinner("Reading the articles…"):
                st.session_state[_DRAFT] = _extract(st.session_state.get(_TEXT, ""), uploads,
                                                    st.session_state.get(_PUBLISHED, ""), geocoder)
            st.session_state.pop(_EDITOR, None)
        except TripError as err:
            st.session_state.pop(_DRAFT, None)
            st.error(escape_links(f"Reading the articles failed: {err}"), icon="⚠️")

    message = st.session_state.pop(_MESSAGE, None)
    if message:
        st.success(message)
    draft = st.session_state.get(_DRAFT)
    if draft is None:
        return
    for warning in draft.warnings:
        st.warning(escape_links(warning))
    who = escape_markdown(", ".join(draft.travellers)) or "an unknown traveller"
    published = draft.published.isoformat() if draft.published else "unknown"
    st.markdown(f"**{len(draft.stops)} draft stops** for {who} (published {published}). "
                "Untick the stops you do not want, then accept.")
    if not draft.stops:
        st.info("No stops found: the articles name no place the traveller went to.")
    else:
        edited = st.data_editor(
            _rows(draft), key=_EDITOR, hide_index=True, width="stretch",
            disabled=["date", "precision", "status", "place", "country", "located", "confidence",
                      "evidence", "source"],
            column_config={
                "accept": st.column_config.CheckboxColumn("accept", help="add this stop to the trip"),
                "confidence": st.column_config.ProgressColumn("confidence", min_value=0.0, max_value=1.0,
                                                             format="%.2f"),
                "evidence": st.column_config.TextColumn("evidence", width="large"),
            },
        )
        chosen = [stop for stop, row in zip(draft.stops, _as_records(edited)) if row.get("accept")]
        if st.button(f"Accept {len(chosen)} stops into the trip", disabled=not chosen):
            try:
                on_accept(_itinerary_of(draft, chosen))
            except TripError as err:  # e.g. the trip would pass the stop limit: keep trip and draft
                st.error(escape_links(f"Accepting the stops failed: {err}. The trip is unchanged."),
                         icon="⚠️")
            else:
                st.session_state[_MESSAGE] = f"Added {len(chosen)} stops to the trip."
                st.session_state.pop(_DRAFT, None)
                st.rerun()
    if draft.mentions:
        with st.expander(f"{len(draft.mentions)} places mentioned but not stops"):
            st.dataframe([{"place": m.text, "why not a stop": m.reason, "sentence": m.evidence,
                           "source": m.source} for m in draft.mentions],
                         hide_index=True, width="stretch")


def _as_records(edited: Any) -> list[dict]:
    if hasattr(edited, "to_dict"):
        return edited.to_dict("records")
    return list(edited)


def _itinerary_of(draft, chosen) -> Itinerary:
    from dataclasses import replace

    return replace(draft, stops=tuple(chosen)).itinerary()
