"""Throughput of `trip extract`: articles per second once the gazetteer is open.

    python bench/bench_extract.py [--rounds N]

Reads every article of the evaluation set and the samples (plain text and HTML),
then times, side by side:

* trip.extract with one shared Extractor (the CLI and dashboard case), target ≥ 50/s;
* the same with a fresh Extractor per article (no name-lookup cache kept between articles);
* dateparser's free-text search over the same articles (the date step we do NOT use: it is
  slower and finds "dates" in ordinary words), for comparison.

No network is used: the gazetteer is the local SQLite index.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET = 50.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10, help="passes over the article set (default 10)")
    args = parser.parse_args(argv)

    from trip.extract import Extractor, read_article
    from trip.gazetteer import open_gazetteer

    paths = sorted((ROOT / "tests" / "eval").glob("*/*.txt")) + sorted((ROOT / "tests" / "eval").glob("*/*.html")) \
        + sorted((ROOT / "data" / "articles").glob("*.*"))
    articles = [read_article(p) for p in paths]
    words = sum(len(a.text.split()) for a in articles)

    t0 = time.perf_counter()
    gazetteer = open_gazetteer()
    extractor = Extractor(gazetteer)
    opened = time.perf_counter() - t0
    extractor.extract(articles[0])  # warm the first SQLite pages

    # the machine is shared: time each round and report the best and the median round
    rounds: list[float] = []
    stops = 0
    for _ in range(args.rounds):
        t0 = time.perf_counter()
        for article in articles:
            stops += len(extractor.extract(article).stops)
        rounds.append(time.perf_counter() - t0)
    rounds.sort()
    shared = rounds[0] * args.rounds
    median_rate = len(articles) / rounds[len(rounds) // 2]
    n = len(articles) * args.rounds

    fresh = float("inf")
    for _ in range(max(1, args.rounds // 2)):
        t0 = time.perf_counter()
        for article in articles:
            Extractor(gazetteer).extract(article)
        fresh = min(fresh, time.perf_counter() - t0)

    rate = n / shared
    import os

    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (other work slows every figure)")
    print(f"articles: {len(articles)} ({words / len(articles):.0f} words on average), {args.rounds} rounds")
    print(f"gazetteer opened in {opened * 1000:.0f} ms (not counted below)")
    print(f"trip.extract, shared Extractor : {rate:8.1f} articles/s best round, {median_rate:.1f}/s median "
          f"({shared / n * 1000:6.2f} ms each, {stops / args.rounds:.0f} stops per round)  "
          f"target ≥ {TARGET:.0f}/s: {'OK' if rate >= TARGET else 'BELOW TARGET'}")
    fresh_rate = len(articles) / fresh
    print(f"trip.extract, fresh Extractor  : {fresh_rate:8.1f} articles/s  ({rate / fresh_rate:.2f}x slower "
          "than shared)" if fresh_rate < rate else f"trip.extract, fresh Extractor  : {fresh_rate:8.1f} articles/s")

    try:
        from dateparser.search import search_dates
    except ImportError:
        print("dateparser not installed: free-search comparison skipped")
    else:
        search_dates("warm up on Monday", languages=["en"])
        elapsed = float("inf")
        for _ in range(2):
            t0 = time.perf_counter()
            found = 0
            for article in articles:
                found += len(search_dates(article.text, languages=["en"]) or [])
            elapsed = min(elapsed, time.perf_counter() - t0)
        dp_rate = len(articles) / elapsed
        print(f"dateparser.search_dates alone : {dp_rate:8.1f} articles/s  ({found} 'dates' found; "
              f"trip.extract does the whole job {rate / dp_rate:.1f}x faster)")
    return 0 if rate >= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
