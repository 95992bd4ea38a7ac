"""Benchmark: itinerary → map HTML, trip's renderer against the naive folium map.

Run from the repository root::

    python bench/bench_render.py            # 100 and 10,000 stops
    python bench/bench_render.py --quick    # 100 and 1,000 stops (the naive map is slow)

trip's map puts every stop in one GeoJSON layer whose popups and tooltips are
built in the browser from feature properties; the naive map adds one
``folium.Marker`` with a ``folium.Popup`` and a tooltip per stop, the usual
folium recipe. Both maps carry the same text (place, date, note, source link)
and a route line. Times are the median of several runs (one run for the naive
10,000-stop map, which takes seconds). Targets: 100 stops ≤ 30 ms;
10,000 stops ≤ 0.5 s and ≤ 3 MB of HTML.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import folium  # noqa: E402

from trip.assets import asset_links  # noqa: E402
from trip.geo import LatLon  # noqa: E402
from trip.itinerary import Itinerary, Place, Stop  # noqa: E402
from trip.render import map_html  # noqa: E402

MODES = ("train", "car", "plane", "ship", "walk")


def synthetic_trip(n: int, *, seed: int = 1) -> Itinerary:
    """A random walk of ``n`` dated stops with a note and a source each."""
    rng = random.Random(seed)
    lat, lon = 45.0, 10.0
    start = dt.date(2024, 1, 1)
    stops = []
    for i in range(n):
        lat = max(-70.0, min(70.0, lat + rng.uniform(-1.5, 1.5)))
        lon = (lon + rng.uniform(-1.0, 2.0) + 180.0) % 360.0 - 180.0
        stops.append(Stop(
            Place(f"Stop {i + 1} (Ærø & Co)", LatLon(lat, lon), source="file"),
            date=start + dt.timedelta(days=i // 3),
            mode=MODES[i % len(MODES)],
            status="planned" if i > n * 0.8 else "visited",
            note=f"Note for stop {i + 1}: met people, saw things.",
            sources=(f"Example News <https://example.org/story/{i + 1}>",),
        ))
    return Itinerary(tuple(stops), title=f"Synthetic trip of {n} stops")


def naive_folium_html(itinerary: Itinerary) -> str:
    """One folium.Marker + Popup + tooltip per stop, and one PolyLine: the usual recipe."""
    first = itinerary.stops[0].location
    m = folium.Map(location=[first.lat, first.lon], zoom_start=4, tiles=None)
    points = []
    for i, stop in enumerate(itinerary.stops, start=1):
        loc = stop.location
        points.append([loc.lat, loc.lon])
        src = stop.sources[0]
        body = (f"<b>{i}. {html.escape(stop.name)}</b><br>{stop.date}<br>{html.escape(stop.note)}"
                f'<br><a href="{html.escape(src.url)}">{html.escape(src.title)}</a>')
        folium.Marker([loc.lat, loc.lon], popup=folium.Popup(body, max_width=300),
                      tooltip=f"{i}. {html.escape(stop.name)}").add_to(m)
    folium.PolyLine(points).add_to(m)
    return m.get_root().render()


def timed(fn, repeat: int) -> tuple[float, str]:
    times, out = [], ""
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1,000 instead of 10,000 stops")
    args = parser.parse_args()
    asset_links()  # encode the assets once, as a long-running app would
    map_html(synthetic_trip(10), tiles=None)  # warm up imports and templates
    sizes = (100, 1000) if args.quick else (100, 10_000)
    print(f"{'stops':>6}  {'trip map':>10}  {'size':>8}  {'naive folium':>12}  {'size':>8}  {'time ×':>7}  {'size ×':>7}")
    for n in sizes:
        trip = synthetic_trip(n)
        t_trip, page = timed(lambda: map_html(trip, tiles=None), 7 if n <= 1000 else 3)
        t_naive, naive = timed(lambda: naive_folium_html(trip), 3 if n <= 1000 else 1)
        size, naive_size = len(page.encode()), len(naive.encode())
        print(f"{n:>6}  {t_trip * 1000:>8.1f}ms  {size / 1e6:>6.2f}MB  {t_naive * 1000:>10.1f}ms  "
              f"{naive_size / 1e6:>6.2f}MB  {t_naive / t_trip:>6.1f}×  {naive_size / size:>6.1f}×")
        if n == 100:
            verdict = "ok" if t_trip <= 0.030 else "OVER TARGET"
            print(f"        target 100 stops ≤ 30 ms: {verdict}")
        if n == 10_000:
            verdict = "ok" if t_trip <= 0.5 and size <= 3_000_000 else "OVER TARGET"
            print(f"        target 10,000 stops ≤ 0.5 s and ≤ 3 MB: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
