"""Why one trip holds at most MAX_STOPS stops, and how fast a bigger file is refused.

Run from the repository root::

    python bench/bench_limits.py                  # 20,000 stops, refusals of 650,000
    python bench/bench_limits.py --stops 5000 10000 20000 --refuse 650000

For each size it times what one dashboard upload costs a worker: reading the CSV
(``read_itinerary``), building the route (``build_route``) and drawing the map
(``map_html``), for stops a few tens of km apart ("region") and for stops scattered
over the globe ("world": every leg a long great circle, the worst case). Sizes over the limit are read with the limit lifted for the run.
Then, for every readable format, it writes a file of ``--refuse`` stops (as small
as the format allows, ~31 bytes a CSV stop, so 650,000 fit in 20 MB; formats that
need more bytes a stop get as many as fit under MAX_FILE_BYTES) and times how
long ``read_itinerary`` takes to refuse it, beside the time to read those bytes
from disk. Times are wall clock and this process's CPU time, best of ``--repeat``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import trip.formats as formats  # noqa: E402
from trip.errors import TooManyStops  # noqa: E402
from trip.render import map_html  # noqa: E402
from trip.route import build_route  # noqa: E402


def _timed(fn: Callable[[], object], repeat: int) -> tuple[float, float, object]:
    best_wall = best_cpu = float("inf")
    result: object = None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    return best_wall, best_cpu, result


def _point(i: int, spread: str) -> tuple[float, float]:
    if spread == "region":  # legs of tens of km inside Europe: a long, real-looking trip
        return (40 + (i * 0.37) % 20, -10 + (i * 0.53) % 50)
    # legs of thousands of km all over the globe: the worst a file can ask for
    return (-60 + (i * 7.919) % 120, -179 + (i * 13.37) % 358)


def minimal_file(fmt: str, stops: int, spread: str = "world") -> bytes:
    """``stops`` stops with coordinates, written as tersely as ``fmt`` allows."""
    points = [_point(i, spread) for i in range(stops)]
    if fmt == "csv":
        return ("place,lat,lon\n" + "".join(f"s{i},{la:.4f},{lo:.4f}\n"
                                            for i, (la, lo) in enumerate(points))).encode()
    if fmt == "json":
        return ('{"stops":[' + ",".join(f'{{"place":"s{i}","lat":{la:.4f},"lon":{lo:.4f}}}'
                                         for i, (la, lo) in enumerate(points)) + "]}").encode()
    if fmt == "geojson":
        return ('{"type":"FeatureCollection","features":[' + ",".join(
            f'{{"type":"Feature","geometry":{{"type":"Point","coordinates":[{lo:.4f},{la:.4f}]}},'
            f'"properties":{{"place":"s{i}"}}}}' for i, (la, lo) in enumerate(points)) + "]}").encode()
    if fmt == "gpx":
        return ('<gpx xmlns="http://www.topografix.com/GPX/1/1" version="1.1" creator="b">' + "".join(
            f'<wpt lat="{la:.4f}" lon="{lo:.4f}"><name>s{i}</name></wpt>'
            for i, (la, lo) in enumerate(points)) + "</gpx>").encode()
    if fmt == "kml":
        return ('<kml xmlns="http://www.opengis.net/kml/2.2"><Document>' + "".join(
            f"<Placemark><name>s{i}</name><Point><coordinates>{lo:.4f},{la:.4f}</coordinates>"
            "</Point></Placemark>" for i, (la, lo) in enumerate(points)) + "</Document></kml>").encode()
    raise ValueError(fmt)


def cost_of_one_upload(stops: int, spread: str, repeat: int) -> None:
    data = minimal_file("csv", stops, spread)
    saved = formats.MAX_STOPS
    formats.MAX_STOPS = max(saved, stops)  # measure past the limit too
    try:
        read_s, read_cpu, itinerary = _timed(lambda: formats.read_itinerary(data, name="t.csv"), repeat)
    finally:
        formats.MAX_STOPS = saved
    route_s, route_cpu, route = _timed(lambda: build_route(itinerary), repeat)
    map_s, map_cpu, _ = _timed(lambda: map_html(itinerary, route=route, tiles=None), repeat)
    total = read_s + route_s + map_s
    print(f"{spread:>7} {stops:>9,} {len(data) / 2**20:5.1f} MB  read {read_s:6.2f} s  route {route_s:6.2f} s  "
          f"map {map_s:6.2f} s  total {total:6.2f} s  (cpu {read_cpu + route_cpu + map_cpu:6.2f} s)")


def cost_of_refusal(fmt: str, stops: int, repeat: int) -> None:
    data = minimal_file(fmt, stops)
    if len(data) > formats.MAX_FILE_BYTES:  # as many stops as fit, so the count (not the size) refuses it
        stops = int(stops * formats.MAX_FILE_BYTES / len(data) * 0.99)
        data = minimal_file(fmt, stops)
    with tempfile.NamedTemporaryFile(suffix="." + fmt, delete=False) as handle:
        handle.write(data)
    path = Path(handle.name)
    try:
        disk_s, _, _ = _timed(path.read_bytes, repeat)

        def refuse() -> str:
            try:
                formats.read_itinerary(data, format=fmt, name=path.name)
            except TooManyStops as err:
                return str(err)
            raise AssertionError("not refused")

        wall, cpu, message = _timed(refuse, repeat)
    finally:
        os.unlink(path)
    print(f"{fmt:>8} {stops:>9,} stops {len(data) / 2**20:6.1f} MB  read bytes {disk_s:5.3f} s  "
          f"refused in {wall:5.3f} s (cpu {cpu:5.3f} s)")
    if fmt == "csv":
        print(f"         message: {message}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stops", type=int, nargs="+", default=[formats.MAX_STOPS])
    parser.add_argument("--refuse", type=int, default=650_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"MAX_STOPS = {formats.MAX_STOPS:,}; MAX_FILE_BYTES = {formats.MAX_FILE_BYTES:,}")
    print("\nOne upload's work (CSV with coordinates; no geocoding):")
    for spread in ("region", "world"):
        for stops in args.stops:
            cost_of_one_upload(stops, spread, args.repeat)
    print(f"\nRefusing a file of {args.refuse:,} stops:")
    for fmt in formats.READABLE:
        cost_of_refusal(fmt, args.refuse, args.repeat)


if __name__ == "__main__":
    main()
