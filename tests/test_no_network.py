"""The default configuration never opens a network socket."""

from __future__ import annotations

import socket

import pytest

from trip.geo import LatLon
from trip.geocoding import default_geocoder
from trip.geocoding.resolve import resolve_itinerary
from trip.itinerary import Itinerary, Place, Stop


def guard_sockets(monkeypatch) -> list[object]:
    """From now on, any outgoing connection (or name lookup) fails the test; the list
    collects the attempts, so a test can also assert there were none."""
    attempts: list[object] = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


@pytest.fixture
def no_network(monkeypatch):
    return guard_sockets(monkeypatch)


def test_guard_works(no_network):
    with pytest.raises(AssertionError, match="network access"):
        socket.create_connection(("127.0.0.1", 9))


def test_geocoding_a_trip_opens_no_socket(no_network):
    geocoder = default_geocoder()
    trip = Itinerary((
        Stop(Place("Pyongyang")), Stop(Place("Khasan"), mode="train"),
        Stop(Place("Vostochny"), mode="train"), Stop(Place("Komsomolsk-na-Amure")),
        Stop(Place("Артём")), Stop(Place("Vladivostock")),
        Stop(Place("Russky Island", location=LatLon(43.0, 131.8))), Stop(Place("Qqxxzzv")),
    ))
    resolved, warnings = resolve_itinerary(trip)
    assert len(resolved.resolved_stops) == 7
    assert geocoder.geocode("VVO").resolved
    assert geocoder.suggest("Vldvstk")
    assert no_network == []
