"""The dashboard's opt-in online geocoding, under AppTest, against the loopback fake service.

On, the names of renamed, added and uploaded stops really reach the service (a
``FakeNominatim`` on 127.0.0.1) with the user's agent; off (the default, or
turned off again) no socket is opened. The public Nominatim without a user agent
is refused as on the CLI, a failing service falls back to the offline answer with
a visible warning, the setting never reaches the share link, and sessions share
one rate limiter per endpoint.
"""

from __future__ import annotations

import threading

import pytest
from streamlit.testing.v1 import AppTest

from app import services
from fake_nominatim import FakeNominatim
from test_no_network import guard_sockets
from test_app import APP, _edit, _messages, _no_traceback, _trip, _url_trip
from trip.geo import LatLon, distance_km
from trip.errors import ValidationError
from trip.geocoding.online import shared_rate_limiter

UA = "trip-dashboard-tests/1.0 (loopback)"
# Far from the real Nakhodka (42.8, 132.9): an answer from the fake cannot be the gazetteer's.
FAKE = LatLon(43.6, 133.6)
REAL_NAKHODKA = LatLon(42.82, 132.87)
VLADIVOSTOK_ROW = 6  # the sample trip's last stop


@pytest.fixture
def server(tmp_path, monkeypatch):
    monkeypatch.setattr(services, "ONLINE_CACHE_PATH", tmp_path / "online.sqlite")
    with FakeNominatim() as fake:
        fake.add_place("Nakhodka", FAKE.lat, FAKE.lon, country_code="ru", importance=0.8,
                       addresstype="town")
        fake.add_place("Partizansk", 44.0, 134.0, country_code="ru", importance=0.7, addresstype="town")
        monkeypatch.setenv(services.SERVER_URLS_ENV, fake.url)  # the operator lists this server
        yield fake


def _app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=120).run()  # the real offline gazetteer


def _turn_on(at: AppTest, *, service: str = "nominatim", agent: str = UA, url: str = "",
             other: str = "") -> AppTest:
    at.selectbox(key="online_service").set_value(service)
    if other:
        at.run()  # the free-text field appears once "other" is chosen
        at.text_input(key="online_other").input(other)
    at.text_input(key="online_agent").input(agent)
    if url:
        at.selectbox(key="online_url").set_value(url)
    at.toggle(key="online_on").set_value(True)
    return at.run()


def _asked(server: FakeNominatim) -> list[tuple[str, str]]:
    return [(r.params.get("q", ""), r.headers.get("user-agent", "")) for r in server.search_requests]


def _near(a: LatLon | None, b: LatLon, km: float = 25.0) -> bool:
    return a is not None and distance_km(a, b) < km


# -- on: the service answers ------------------------------------------------------------


def test_renamed_and_added_stops_are_looked_up_by_the_service(server) -> None:
    at = _turn_on(_app(), url=server.url)
    _no_traceback(at)
    assert not _messages(at)
    notice = " ".join(_messages(at, "success"))
    assert "sent to nominatim" in notice and server.url.split("//")[1] in notice
    assert services.OnlineSettings("nominatim", UA, server.url) == at.session_state["online_geocoding"]

    _edit(at, edited={VLADIVOSTOK_ROW: {"place": "Nakhodka"}})
    _no_traceback(at)
    stop = _trip(at)[VLADIVOSTOK_ROW]
    assert stop.location == FAKE and stop.place.source == "nominatim"
    # only the name typed was sent, with the user's agent; located neighbours were not
    assert _asked(server) == [("Nakhodka", UA)]

    _edit(at, added=[{"place": "Partizansk"}])
    _no_traceback(at)
    assert _trip(at)[-1].location == LatLon(44.0, 134.0)
    assert _asked(server)[-1] == ("Partizansk", UA) and len(server.search_requests) == 2

    # The choice stays in this session: not in the address bar, not in the trip.
    assert set(at.query_params) == {"trip"}
    assert _url_trip(at) == _trip(at)
    assert "127.0.0.1" not in str(at.query_params["trip"]) and UA not in str(at.query_params["trip"])


def test_an_uploaded_trip_is_resolved_online(server) -> None:
    at = _turn_on(_app(), url=server.url)
    data = b"date,place,lat,lon\n2023-09-12,Khasan,42.43,130.64\n2023-09-13,Nakhodka,,\n"
    at.file_uploader(key="upload_0").set_value(("mine.csv", data, "text/csv")).run()
    _no_traceback(at)
    trip = _trip(at)
    assert [s.name for s in trip.stops] == ["Khasan", "Nakhodka"]
    assert trip[1].location == FAKE
    assert _asked(server) == [("Nakhodka", UA)]  # the located stop is not sent


def test_a_failing_service_falls_back_with_a_warning_and_keeps_the_trip(server) -> None:
    at = _turn_on(_app(), url=server.url)
    before = _trip(at)
    server.always("malformed")  # not retried: one request, then the gazetteer answers
    _edit(at, edited={VLADIVOSTOK_ROW: {"place": "Nakhodka"}})
    _no_traceback(at)
    trip = _trip(at)
    assert len(trip) == len(before) and trip.stops[:VLADIVOSTOK_ROW] == before.stops[:VLADIVOSTOK_ROW]
    stop = trip[VLADIVOSTOK_ROW]
    assert stop.name == "Nakhodka" and _near(stop.location, REAL_NAKHODKA)
    warnings = _messages(at, "warning")
    assert any("Nakhodka" in w and "nominatim failed" in w and "offline answer used" in w
               for w in warnings), warnings
    assert not _messages(at)
    assert len(server.search_requests) == 1

    # An upload while the service fails: every stop kept, the offline answer used, and said so.
    data = b"place,lat,lon\nKhasan,42.43,130.64\nNakhodka,,\n"
    at.file_uploader(key="upload_0").set_value(("fails.csv", data, "text/csv")).run()
    _no_traceback(at)
    assert [s.name for s in _trip(at).stops] == ["Khasan", "Nakhodka"]
    assert _near(_trip(at)[1].location, REAL_NAKHODKA)
    assert any("offline answer used" in w for w in _messages(at, "warning"))


# -- off: nothing leaves the machine ---------------------------------------------------------


def test_off_by_default_no_socket_is_opened(monkeypatch) -> None:
    at = _app()
    attempts = guard_sockets(monkeypatch)
    assert at.toggle(key="online_on").value is False
    assert "online_geocoding" not in at.session_state
    _edit(at, edited={VLADIVOSTOK_ROW: {"place": "Nakhodka"}})
    _no_traceback(at)
    assert _near(_trip(at)[VLADIVOSTOK_ROW].location, REAL_NAKHODKA)
    data = b"place,lat,lon\nKhasan,42.43,130.64\nUssuriysk,,\n"
    at.file_uploader(key="upload_0").set_value(("mine.csv", data, "text/csv")).run()
    _no_traceback(at)
    assert _trip(at)[1].location is not None
    assert attempts == []


def test_turning_it_off_returns_to_offline(server, monkeypatch) -> None:
    at = _turn_on(_app(), url=server.url)
    _edit(at, edited={VLADIVOSTOK_ROW: {"place": "Nakhodka"}})
    assert _trip(at)[VLADIVOSTOK_ROW].location == FAKE
    at.toggle(key="online_on").set_value(False).run()
    _no_traceback(at)
    assert "online_geocoding" not in at.session_state
    assert any("offline again" in m for m in _messages(at, "success"))
    attempts = guard_sockets(monkeypatch)
    _edit(at, edited={1: {"place": "Nakhodka"}})
    _no_traceback(at)
    assert _near(_trip(at)[1].location, REAL_NAKHODKA)
    assert attempts == [] and len(server.search_requests) == 1


def test_another_session_stays_offline(server, monkeypatch) -> None:
    online = _turn_on(_app(), url=server.url)
    offline = _app()
    attempts = guard_sockets(monkeypatch)
    _edit(offline, edited={VLADIVOSTOK_ROW: {"place": "Nakhodka"}})
    assert _near(_trip(offline)[VLADIVOSTOK_ROW].location, REAL_NAKHODKA)
    assert attempts == [] and server.search_requests == []
    assert "online_geocoding" in online.session_state and "online_geocoding" not in offline.session_state


# -- refusals, as on the CLI ---------------------------------------------------------------------


def test_the_public_nominatim_needs_a_user_agent(monkeypatch) -> None:
    at = _app()
    attempts = guard_sockets(monkeypatch)
    _turn_on(at, agent="", url="")
    _no_traceback(at)
    (error,) = _messages(at)
    assert "stays off" in error and "user agent" in error and "usage policy" in error
    assert services.NOMINATIM_AGENT_EXAMPLE in error
    assert at.toggle(key="online_on").value is False and "online_geocoding" not in at.session_state
    _edit(at, edited={VLADIVOSTOK_ROW: {"place": "Nakhodka"}})
    assert _near(_trip(at)[VLADIVOSTOK_ROW].location, REAL_NAKHODKA)
    assert attempts == []


def test_an_unknown_service_name_lists_the_valid_ones(monkeypatch) -> None:
    attempts = guard_sockets(monkeypatch)
    at = _turn_on(_app(), service="other (type a geopy name)…", other="nominatm")
    _no_traceback(at)
    (error,) = _messages(at)
    assert '"nominatm"' in error and 'did you mean "nominatim"' in error and "photon" in error
    assert at.toggle(key="online_on").value is False
    assert attempts == []


def test_without_an_operator_list_there_is_no_server_choice(monkeypatch) -> None:
    """A typed URL would let any user make the server request any address it can reach."""
    monkeypatch.delenv(services.SERVER_URLS_ENV, raising=False)
    at = _app()
    assert not [s for s in at.selectbox if s.key == "online_url"]
    assert not [t for t in at.text_input if t.key == "online_url"]


@pytest.mark.parametrize("url", ["http://10.0.0.1:8080", "http://169.254.169.254/latest", "ftp://127.0.0.1/x"])
def test_a_server_not_on_the_operator_list_is_refused(monkeypatch, url) -> None:
    attempts = guard_sockets(monkeypatch)
    monkeypatch.setenv(services.SERVER_URLS_ENV, "http://127.0.0.1:9")
    with pytest.raises(ValidationError) as info:
        services.check_online_settings("nominatim", UA, url)
    assert f'"{url}"' in str(info.value)
    assert attempts == []


def test_any_geopy_service_can_be_typed(server) -> None:
    at = _turn_on(_app(), service="other (type a geopy name)…", other="Photon", url=server.url)
    _no_traceback(at)
    assert at.session_state["online_geocoding"].service == "photon"
    _edit(at, edited={VLADIVOSTOK_ROW: {"place": "Nakhodka"}})
    assert _trip(at)[VLADIVOSTOK_ROW].location == FAKE
    assert [r.path for r in server.search_requests] == ["/api"]


# -- one limiter per endpoint, whatever the sessions ----------------------------------------------


def test_sessions_share_one_rate_limiter_per_endpoint(server) -> None:
    first = _turn_on(_app(), url=server.url)
    second = _turn_on(_app(), agent=UA + " second", url=server.url)
    endpoint = f"nominatim@{server.url.split('//')[1]}"
    limiter = shared_rate_limiter(endpoint, 0.0)
    geocoders = [services._online_geocoder(s.service, s.user_agent, s.url, str(services.ONLINE_CACHE_PATH))
                 for s in (first.session_state["online_geocoding"], second.session_state["online_geocoding"])]
    assert geocoders[0] is not geocoders[1]  # two user agents, two geocoders ...
    assert all(g.rate_limiter is limiter for g in geocoders)  # ... one limiter
    assert limiter.min_interval_s >= 1.0

    # Both sessions rename a stop at the same moment: the service sees them a second apart.
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def rename(at: AppTest, name: str) -> None:
        try:
            start.wait(timeout=30)
            _edit(at, edited={VLADIVOSTOK_ROW: {"place": name}})
        except BaseException as err:  # noqa: BLE001 - reported by the main thread
            errors.append(err)

    threads = [threading.Thread(target=rename, args=(first, "Nakhodka")),
               threading.Thread(target=rename, args=(second, "Partizansk"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    arrivals = sorted(r.at for r in server.search_requests)
    assert len(arrivals) == 2
    assert arrivals[1] - arrivals[0] >= 0.95
    assert _trip(first)[VLADIVOSTOK_ROW].location == FAKE
    assert _trip(second)[VLADIVOSTOK_ROW].location == LatLon(44.0, 134.0)
