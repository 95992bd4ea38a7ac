"""Load and save: sample trips, uploads, downloads in every export format, share links,
and the opt-in switch that looks places up with an online service."""

from __future__ import annotations

import functools
import re

import streamlit as st

from trip.errors import TripError
from trip.formats import MAX_FILE_BYTES
from trip.itinerary import Itinerary

from . import services, state
from .guard import describe_error, flash, guarded_callback
from .markdown import escape_links

__all__ = ["io_panel", "online_panel", "UPLOAD_TYPES", "ONLINE_SERVICES", "slug"]

#: What the uploader accepts (the readable formats of trip.formats).
UPLOAD_TYPES = ["csv", "json", "geojson", "gpx", "kml"]
_SAMPLE_KEY = "sample_choice"
_UPLOAD_VERSION = "upload_version"


def slug(title: str) -> str:
    """A file name stem for a trip title: lowercase ASCII words joined by hyphens."""
    from unidecode import unidecode

    text = re.sub(r"[^a-z0-9]+", "-", unidecode(title).lower()).strip("-")
    return text[:60].rstrip("-") or "trip"


@guarded_callback("opening the sample trip")
def _open_sample() -> None:
    name = st.session_state.get(_SAMPLE_KEY)
    if name:
        state.commit(services.load_sample(name), reset_view=True)
        flash("success", f"Opened the sample trip “{services.load_sample(name).title or name}”. "
                         "Undo brings back the previous trip.")


def _default_sample(names: list[str]) -> str:
    from trip.samples import DEFAULT_SAMPLE

    return DEFAULT_SAMPLE if DEFAULT_SAMPLE in names else names[0]


def _upload_key() -> str:
    return f"upload_{st.session_state.get(_UPLOAD_VERSION, 0)}"


def _on_upload(key: str) -> None:
    upload = st.session_state.get(key)
    st.session_state[_UPLOAD_VERSION] = st.session_state.get(_UPLOAD_VERSION, 0) + 1
    if upload is None:
        return
    name = upload.name
    try:
        data = upload.getvalue()
        itinerary = services.read_upload(data, name)
        itinerary, warnings = services.resolve(itinerary)
    except Exception as err:  # noqa: BLE001 - a bad file is a message, never a traceback
        flash("error", describe_error(err, doing=f"reading {name}") +
              " The current trip is unchanged.")
        return
    if not itinerary.title:
        itinerary = itinerary.replace(title=name.rsplit(".", 1)[0])
    state.commit(itinerary, reset_view=True)
    unresolved = len(itinerary.unresolved_stops)
    flash("success", f"Loaded {name}: {len(itinerary)} stops"
          + (f", {unresolved} unresolved (flagged in the table)" if unresolved else "") + ".")
    for warning in warnings:
        flash("warning", warning)


def _undo() -> None:
    state.undo()


#: Saved as bytes on every run (small, and the same bytes every time); the other
#: formats stamp an export time, so they are written when the button is clicked.
_EAGER = ("csv", "json")


def _downloads(itinerary: Itinerary) -> None:
    stem = slug(itinerary.title)
    formats = services.export_formats()
    if not formats:
        st.caption("No export format is installed.")
        return
    columns = st.columns(2)
    for i, (fmt, ext, media) in enumerate(formats):
        column = columns[i % 2]
        if fmt in _EAGER:
            try:
                data = services.export(itinerary, fmt)
            except (TripError, ImportError) as err:
                column.button(fmt.upper(), key=f"dl_{fmt}", disabled=True,
                              help=describe_error(err, doing=f"exporting {fmt.upper()}"))
                continue
        else:
            data = functools.partial(services.write_export, itinerary, fmt)
        column.download_button(fmt.upper(), data=data, file_name=stem + ext, mime=media,
                               key=f"dl_{fmt}", on_click="ignore", width="stretch",
                               help=f"The same file as: python -m trip export --to {fmt}")


_PICTURE_KEY = "picture"  # session key: (the itinerary pictured, its PNG bytes)


@guarded_callback("making the PNG picture")
def _make_picture() -> None:
    itinerary = state.current()
    st.session_state.pop(_PICTURE_KEY, None)
    st.session_state[_PICTURE_KEY] = (itinerary, services.picture(itinerary))


def _picture(itinerary: Itinerary) -> None:
    """A PNG of the map for articles: made on request (it takes the browser about half
    a second), then offered for download until the trip changes."""
    problem = services.picture_problem()
    if problem:
        st.button("PNG picture", key="make_png", disabled=True, width="stretch",
                  help=f"Not available on this server: {problem}")
        return
    services.start_browser()
    made = st.session_state.get(_PICTURE_KEY)
    if made is not None and made[0] == itinerary:
        st.download_button("Download PNG", data=made[1], file_name=slug(itinerary.title) + ".png",
                           mime="image/png", key="dl_png", on_click="ignore", width="stretch",
                           help="The same picture as: python -m trip export --to png")
        return
    empty = not itinerary.resolved_stops
    st.button("PNG picture", key="make_png", on_click=_make_picture, width="stretch", disabled=empty,
              help="No stop has coordinates yet, so there is nothing to draw" if empty else
              "Draw the map as a 1200×800 PNG (plain background, provenance in the file)")


def io_panel() -> None:
    itinerary = state.current()
    st.subheader("Open")
    names = services.sample_names()
    if names:
        if st.session_state.get(_SAMPLE_KEY) not in names:
            st.session_state[_SAMPLE_KEY] = _default_sample(names)
        st.selectbox("Sample trips", names, key=_SAMPLE_KEY)
        st.button("Open sample", on_click=_open_sample, width="stretch")
    key = _upload_key()
    st.file_uploader(
        f"Upload an itinerary ({', '.join(UPLOAD_TYPES)}; up to {MAX_FILE_BYTES // 2**20} MB)",
        type=UPLOAD_TYPES, key=key, on_change=_on_upload, args=(key,),
    )
    st.button("Undo last change", on_click=_undo, disabled=not state.can_undo(),
              width="stretch")

    st.subheader("Save")
    _downloads(itinerary)
    _picture(itinerary)

    st.subheader("Share")
    problem = state.share_problem()
    if problem:
        st.warning(f"This trip is too large for a link: {problem}. "
                   "Download it (JSON keeps every field) and send the file instead.")
        st.download_button("Download the trip (JSON)", data=services.export(itinerary, "json"),
                           file_name=slug(itinerary.title) + ".json", mime="application/json",
                           key="dl_share_json", on_click="ignore", width="stretch")
    else:
        st.caption("The address bar holds this trip: reloading keeps your work, and "
                   "copying the URL shares it. Nothing is stored on the server.")
        token = state.share_token()
        if token:
            with st.expander("Share link"):
                base = (st.context.url or "").split("?", 1)[0]
                st.code(f"{base}?{state.URL_PARAM}={token}", language=None, wrap_lines=True)

    online_panel()


# -- opt-in online geocoding -------------------------------------------------------

#: Services offered by name (no API key needed); any other geopy name can be typed.
ONLINE_SERVICES = ["nominatim", "photon", "pelias", "arcgis"]
_OTHER = "other (type a geopy name)…"
_ONLINE_ON = "online_on"
_ONLINE_SERVICE = "online_service"
_ONLINE_OTHER = "online_other"
_ONLINE_AGENT = "online_agent"
_ONLINE_URL = "online_url"
_ONLINE_ERROR = "online_error"


def _chosen_service() -> str:
    choice = st.session_state.get(_ONLINE_SERVICE) or ONLINE_SERVICES[0]
    return st.session_state.get(_ONLINE_OTHER, "") if choice == _OTHER else choice


@guarded_callback("switching online geocoding")
def _apply_online() -> None:
    """Validate and apply the online settings, or go back to offline; never half on."""
    ss = st.session_state
    was = services.online_settings()
    if not ss.get(_ONLINE_ON):
        services.set_online(None)
        if was is not None:
            flash("success", "Online geocoding is off: places are looked up offline again.")
        return
    try:
        settings = services.check_online_settings(_chosen_service(), ss.get(_ONLINE_AGENT, ""),
                                                   ss.get(_ONLINE_URL, ""))
    except TripError as err:
        services.set_online(None)
        ss[_ONLINE_ON] = False
        ss[_ONLINE_ERROR] = f"Online geocoding stays off: {err}"  # shown beside the switch
        return
    services.set_online(settings)
    if settings != was:
        flash("success", f"Online geocoding is on: the place names of stops you rename or add, and of "
                         f"uploaded stops without coordinates, are sent to {settings.service} "
                         f"({settings.where}).")


def online_panel() -> None:
    """The sidebar switch: off by default, per session, never in the share link."""
    settings = services.online_settings()
    with st.expander("Online geocoding", expanded=settings is not None):
        st.caption("Off by default: places are looked up in the offline gazetteer and nothing "
                   "leaves this server. Turned on, **the place names you type, and those of "
                   "uploaded stops without coordinates, are sent from this server to the service "
                   "you choose**, at most one a second; when it fails, the offline answer is used "
                   "and a warning says so. Articles and the stop panel's alternatives stay offline. "
                   "This setting is yours alone and is not part of the share link.")
        ss = st.session_state
        if _ONLINE_ON not in ss:
            ss[_ONLINE_ON] = settings is not None
        options = ONLINE_SERVICES + [_OTHER]
        if ss.get(_ONLINE_SERVICE) not in options:
            ss[_ONLINE_SERVICE] = ONLINE_SERVICES[0]
        st.selectbox("Service", options, key=_ONLINE_SERVICE, on_change=_apply_online)
        if ss.get(_ONLINE_SERVICE) == _OTHER:
            st.text_input("geopy service name", key=_ONLINE_OTHER, on_change=_apply_online,
                          max_chars=40, placeholder="e.g. geokeo")
        st.text_input("User agent", key=_ONLINE_AGENT, on_change=_apply_online, max_chars=200,
                      placeholder=services.NOMINATIM_AGENT_EXAMPLE,
                      help="How trip introduces itself to the service: your application and a "
                           "contact. Required for the public Nominatim (its usage policy).")
        servers = services.allowed_server_urls()
        if servers:  # only the operator's own servers, never a typed address
            if ss.get(_ONLINE_URL, "") not in ("", *servers):
                ss[_ONLINE_URL] = ""
            st.selectbox("Server", ["", *servers], key=_ONLINE_URL, on_change=_apply_online,
                         format_func=lambda url: url or "the service's public address",
                         help=f"This dashboard's own servers ({services.SERVER_URLS_ENV}).")
        st.toggle("Look places up online", key=_ONLINE_ON, on_change=_apply_online)
        refused = ss.pop(_ONLINE_ERROR, None)
        if refused:
            st.error(escape_links(refused), icon="⚠️")
        if settings is not None:
            st.info(f"On: place names go to {settings.service} ({settings.where}).", icon="🌐")
