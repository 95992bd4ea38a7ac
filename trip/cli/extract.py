"""``python -m trip extract``: news articles in, a draft dated itinerary with evidence out.

    python -m trip extract data/articles/kim-2023.txt --published 2023-09-18
    python -m trip extract a.txt b.html --json
    python -m trip extract a.txt -o kim.csv      # the file `trip map` and the dashboard read

ARTICLE is a plain-text or HTML file, or ``-`` for standard input. Nothing is
fetched: save a web page first and pass the file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from ..errors import FormatError, ValidationError
from . import print_json
from .geocoder_options import add_geocoder_options, online_geocoder_from

__all__ = ["register", "run"]


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f'"{text}" is not a date (expected YYYY-MM-DD)') from None


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "extract",
        help="draft a dated itinerary from news articles, with the evidence for every stop",
        description="Read news articles (plain text or HTML) about one journey and print the "
                    "stops the traveller made, each with its date, status, confidence and the "
                    "sentence that supports it. Places only mentioned (capitals in reactions, "
                    "countries, reference points, other people's journeys) are listed apart.",
    )
    p.add_argument("articles", nargs="+", metavar="ARTICLE",
                   help="article file (.txt or .html), or - for standard input")
    p.add_argument("--published", type=_date, metavar="YYYY-MM-DD",
                   help="publication date, for 'on Tuesday', 'yesterday' (else read from the article)")
    p.add_argument("--json", action="store_true", help='print {"stops": [...], "mentions": [...]}')
    p.add_argument("-o", "--output", metavar="FILE",
                   help="write the draft itinerary (format from the extension: .csv, .json, .geojson, …)")
    add_geocoder_options(p)
    p.set_defaults(func=run)


def _read(spec: str):
    from ..extract import article_from_bytes, read_article

    if spec == "-":
        return article_from_bytes(sys.stdin.buffer.read(), name="stdin")
    if "://" in spec:
        raise ValidationError("is a URL; trip works offline — save the page and pass the file",
                              field="article", value=spec)
    path = Path(spec)
    if path.is_dir():
        raise FormatError("is a directory, not an article", field="article", value=spec)
    return read_article(path)


def run(args: argparse.Namespace) -> int:
    from ..extract import Extractor

    from ..gazetteer import open_gazetteer
    from ..gazetteer.progress import terminal_progress

    from ..geocoding.offline import OfflineGeocoder

    online = online_geocoder_from(args, fallback=lambda: OfflineGeocoder(gazetteer))
    articles = [_read(spec) for spec in args.articles]
    # the first run builds the offline index (about a minute): show how far it has got
    gazetteer = open_gazetteer(progress=terminal_progress())
    # places are spotted in the text with the gazetteer; --geocoder picks who resolves them
    extractor = Extractor(gazetteer, online)
    result = extractor.extract_many(articles, published=args.published)
    if args.output:
        from ..formats import save

        save(result.itinerary(), args.output)
    if args.json:
        print_json({"stops": [s.to_json() for s in result.stops],
                    "mentions": [m.to_json() for m in result.mentions],
                    "published": result.published.isoformat() if result.published else None,
                    "travellers": list(result.travellers),
                    "warnings": list(result.warnings)})
    else:
        _print_table(result)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if args.output:
        print(f"wrote {len(result.stops)} stops to {args.output}", file=sys.stderr)
    return 0


def _print_table(result) -> None:
    who = ", ".join(result.travellers) or "unknown traveller"
    published = result.published.isoformat() if result.published else "unknown"
    print(f"Draft itinerary of {who} (published {published}; {len(result.stops)} stops)")
    if not result.stops:
        print("  no stops found")
    for i, s in enumerate(result.stops, 1):
        date = s.date.isoformat() if s.date else "date ?"
        if s.end_date:
            date += f"–{s.end_date.isoformat()}"
        if s.date and s.date_precision != "day":
            date += f" ({s.date_precision})"
        loc = s.place.location
        where = f"{loc.lat:.4f}, {loc.lon:.4f}" if loc else "not located"
        country = f", {s.place.country}" if s.place.country else ""
        print(f"{i:>2}. {date:<24} {s.status:<8} {s.place.name}{country}  [{where}]  "
              f"confidence {s.confidence:.2f}")
        for line in s.evidence[:2]:
            print(f"      “{_short(line)}”")
        if len(s.sources) > 1:
            print(f"      sources: {', '.join(s.sources)}")
    if result.mentions:
        print("Mentioned, not stops:")
        for m in result.mentions:
            print(f"  - {m.text}: {m.reason}")


def _short(text: str, limit: int = 150) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
