"""Benchmark every export (and import) of a 1,000-stop trip, beside a plain baseline.

Run from the repository root::

    python bench/bench_exports.py            # all formats, PNG included (needs Chromium)
    python bench/bench_exports.py --no-png   # skip the browser snapshot
    python bench/bench_exports.py --stops 5000

Targets (issue 5): every export of a 1,000-stop trip ≤ 1 s; the self-contained HTML
of the sample trip ≤ 1 MB.

Each trip export is timed against the plain way of writing the same stops with the
same library, which keeps far less (the ratio is the price of a lossless,
self-describing file):

* geojson: ``json.dumps`` of bare Point features (no legs, no fields but the name);
* gpx: gpxpy waypoints with name and time only (no route, no extensions);
* kml: fastkml Placemarks with name and Point only (no times, data or legs);
* csv: ``csv.writer`` rows of name, lat, lon;
* json: ``json.dumps`` of name/lat/lon dicts;
* html: the usual folium recipe, a ``folium.Marker`` with a ``Popup`` per stop and a
  ``PolyLine``, saved with folium's CDN links (so *not* self-contained);
* png: the baseline is the plain Playwright recipe: a new browser page, ``set_content``
  of the self-contained HTML export, a screenshot (the browser already running).
  Ours is timed cold (the first snapshot, which starts the Playwright driver and
  Chromium) and warm (later snapshots reuse the browser and its page; the
  dashboard and the CLI start the browser in the background beforehand).

Times are the median of ``--repeat`` runs (one run for PNG cold), wall clock and
this process's CPU time; on a shared machine the CPU time is the steadier figure.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from trip.formats import read_itinerary, write_itinerary  # noqa: E402
from trip.geo import LatLon  # noqa: E402
from trip.itinerary import Itinerary, Place, Source, Stop  # noqa: E402
from trip.samples import list_samples, load_sample  # noqa: E402

TARGET_S = 1.0
TARGET_HTML_BYTES = 1_000_000
FORMATS = ("html", "geojson", "gpx", "kml", "csv", "json", "png")
READABLE = ("geojson", "gpx", "kml", "csv", "json")


def synthetic_trip(n: int, *, seed: int = 5) -> Itinerary:
    """``n`` stops wandering round the world (crossing the antimeridian), with every field set."""
    rng = random.Random(seed)
    lat, lon = 43.1, 131.9
    day = dt.date(2023, 1, 1)
    modes = ("train", "car", "plane", "ship", "walk", "unknown")
    stops = []
    for i in range(n):
        lat = max(-80.0, min(80.0, lat + rng.uniform(-4, 4)))
        lon = ((lon + rng.uniform(-3, 9) + 180.0) % 360.0) - 180.0
        unresolved = i % 50 == 49
        place = Place(f"Stop {i + 1} – Станция <{i}> & co", None if unresolved else
                      LatLon(round(lat, 5), round(lon, 5)),
                      source="" if unresolved else "geonames", country="RU", kind="city",
                      confidence=0.9, ref=f"geonames:{1000 + i}")
        stops.append(Stop(
            place, date=day, end_date=day + dt.timedelta(days=i % 3), mode=modes[i % len(modes)],
            time="08:30" if i % 4 == 0 else None, timezone="Asia/Vladivostok" if i % 4 == 0 else "",
            note=f"Note {i}: met <officials> & \"guests\"; see the report.",
            sources=(Source(f"Report {i}", f"https://example.org/news/{i}?a=1&b=2"),),
            evidence="quoted line from the article",
        ))
        day += dt.timedelta(days=(i % 3) + 1)
    return Itinerary(tuple(stops), title=f"A {n}-stop benchmark trip",
                     description="Synthetic: every field set, some stops unresolved.",
                     sources=(Source("Benchmark"),))


# -- baselines ----------------------------------------------------------------

def _located(trip: Itinerary) -> list[Stop]:
    return [s for s in trip if s.location is not None]


def baseline_geojson(trip: Itinerary) -> bytes:
    features = [{"type": "Feature", "properties": {"name": s.name},
                 "geometry": {"type": "Point", "coordinates": [s.location.lon, s.location.lat]}}
                for s in _located(trip)]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def baseline_gpx(trip: Itinerary) -> bytes:
    import gpxpy.gpx

    gpx = gpxpy.gpx.GPX()
    for s in _located(trip):
        when = dt.datetime.combine(s.date, dt.time(0), tzinfo=dt.timezone.utc) if s.date else None
        gpx.waypoints.append(gpxpy.gpx.GPXWaypoint(s.location.lat, s.location.lon, name=s.name, time=when))
    return gpx.to_xml().encode()


def baseline_kml(trip: Itinerary) -> bytes:
    import pygeoif.geometry as geo
    from fastkml import KML, Document, Placemark, Point

    doc = Document(features=[Placemark(name=s.name, kml_geometry=Point(
        geometry=geo.Point(s.location.lon, s.location.lat))) for s in _located(trip)])
    return KML(features=[doc]).to_string().encode()


def baseline_csv(trip: Itinerary) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "lat", "lon"])
    for s in trip:
        writer.writerow([s.name, s.location.lat if s.location else "", s.location.lon if s.location else ""])
    return out.getvalue().encode()


def baseline_json(trip: Itinerary) -> bytes:
    return json.dumps([{"name": s.name, "lat": s.location.lat if s.location else None,
                        "lon": s.location.lon if s.location else None} for s in trip]).encode()


def baseline_html(trip: Itinerary) -> bytes:
    import folium

    located = _located(trip)
    m = folium.Map(location=[0, 0], zoom_start=2)
    for s in located:
        folium.Marker([s.location.lat, s.location.lon], tooltip=s.name,
                      popup=folium.Popup(f"{s.name}<br>{s.date}<br>{s.note}")).add_to(m)
    folium.PolyLine([[s.location.lat, s.location.lon] for s in located]).add_to(m)
    return m.get_root().render().encode()


def baseline_png(trip: Itinerary) -> bytes:
    from trip.formats import png

    page_html = write_itinerary(trip, "html").decode("utf-8")

    def shoot(state, executable):
        browser = png._browser(state, executable, 30_000)
        context = browser.new_context(viewport={"width": 1200, "height": 800})
        try:
            context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("data:", "about:"))
                          else r.abort())
            page = context.new_page()
            page.set_content(page_html, wait_until="load")
            return page.screenshot(type="png")
        finally:
            context.close()

    return png._ChromiumWorker.run(shoot, png.find_chromium(), timeout_s=120)


BASELINES: dict[str, Callable[[Itinerary], bytes]] = {
    "geojson": baseline_geojson, "gpx": baseline_gpx, "kml": baseline_kml,
    "csv": baseline_csv, "json": baseline_json, "html": baseline_html, "png": baseline_png,
}


def timed(func: Callable[[], bytes], repeat: int) -> tuple[float, bytes]:
    wall, _, result = timed_cpu(func, repeat)
    return wall, result


def timed_cpu(func: Callable[[], bytes], repeat: int) -> tuple[float, float, bytes]:
    """Median wall-clock and CPU seconds of this process (CPU time barely moves when
    other work shares the cores, so it is the figure to compare across runs)."""
    walls, cpus, result = [], [], b""
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = func()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - start_cpu)
    return statistics.median(walls), statistics.median(cpus), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--stops", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-png", action="store_true")
    args = parser.parse_args(argv)

    trip = synthetic_trip(args.stops)
    # Warm caches that are paid once per process (assets, gazetteer version, imports).
    for fmt in ("html", "geojson", "gpx", "kml", "csv", "json"):
        write_itinerary(synthetic_trip(3), fmt)
    for fmt in BASELINES:
        if fmt != "png":  # the PNG baseline would start the browser before "png cold"
            BASELINES[fmt](synthetic_trip(3))

    print(f"Exports of a {args.stops:,}-stop trip (median of {args.repeat}; target ≤ {TARGET_S:.1f} s each)")
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    print(f"{'format':8} {'trip s':>8} {'cpu s':>7} {'bytes':>11} {'baseline s':>11} {'bytes':>11} "
          f"{'ratio':>7}  target")
    failures = 0
    rows: list[tuple[str, str, int]] = [(f, f, args.repeat) for f in FORMATS if f != "png"]
    if not args.no_png:
        # The first snapshot starts Chromium; later ones reuse the warm browser.
        rows += [("png cold", "png", 1), ("png warm", "png", args.repeat)]
    for label, fmt, repeat in rows:
        seconds, cpu, data = timed_cpu(lambda: write_itinerary(trip, fmt), repeat)
        ok = seconds <= TARGET_S
        # The first snapshot also starts Chromium: a once-per-process cost, shown
        # but judged apart (the dashboard and the CLI start the browser early).
        verdict = "ok" if ok else ("start-up" if label == "png cold" else "OVER")
        failures += verdict == "OVER"
        if fmt in BASELINES and label != "png cold":
            base_s, base = timed(lambda: BASELINES[fmt](trip), repeat)
            extra = f"{base_s:11.3f} {len(base):11,} {seconds / base_s:6.1f}x"
        else:
            extra = f"{'-':>11} {'-':>11} {'-':>7}"
        # PNG's work happens in Chromium, whose CPU time is not this process's.
        cpu_text = f"{cpu:7.3f}" if fmt != "png" else f"{'-':>7}"
        print(f"{label:8} {seconds:8.3f} {cpu_text} {len(data):11,} {extra}  {verdict}")

    print(f"\nImports of the same trip (median of {args.repeat})")
    for fmt in READABLE:
        data = write_itinerary(trip, fmt)
        seconds, _ = timed(lambda: read_itinerary(data, format=fmt) and b"", args.repeat)
        print(f"{fmt:8} {seconds:8.3f} s")

    print(f"\nSelf-contained HTML of the sample trips (target ≤ {TARGET_HTML_BYTES:,} bytes)")
    for name in list_samples():
        size = len(write_itinerary(load_sample(name), "html"))
        ok = size <= TARGET_HTML_BYTES
        failures += not ok
        print(f"{name:32} {size:11,} bytes  {'ok' if ok else 'OVER'}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
