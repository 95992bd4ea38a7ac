"""``python -m trip geocode [--route] [--json] NAME [NAME ...]``: names to coordinates, offline.

With ``--json`` it prints one JSON list with one object per NAME, in order::

    {"query", "name", "lat", "lon", "country", "kind", "source", "confidence",
     "candidates": [...]}

and, when a name is unresolved, ``lat``/``lon`` (and the other place fields) are
null and ``"reason"`` says why. ``--route`` resolves the names jointly as
consecutive stops of one trip. Without ``--json``, a readable table.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..geocoding import Candidate, GeocodeResult
from . import print_json
from .geocoder_options import add_geocoder_options, online_geocoder_from

__all__ = ["register", "run", "result_to_json"]


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "geocode", help="resolve place names to coordinates (offline gazetteer)",
        description="Resolve place names to coordinates with the offline gazetteer (or, with "
                    "--geocoder, an online service). The first run builds the index (about 20 s); "
                    "later runs open it at once.",
        epilog="Exit status: 0 when every name resolved, 1 when some did not, 2 for a bad "
               "query. Example: python -m trip geocode --route Nanning Pingxiang 'Dong Dang'")
    parser.add_argument("names", nargs="+", metavar="NAME", help="place names, any script")
    parser.add_argument("--route", action="store_true",
                        help="treat the names as consecutive stops of one trip and resolve "
                             "them jointly")
    parser.add_argument("--json", action="store_true", help="print one JSON list on stdout")
    parser.add_argument("--limit", type=int, default=5, metavar="N",
                        help="candidates per name (default 5)")
    add_geocoder_options(parser)
    parser.set_defaults(func=run)


def candidate_to_json(cand: Candidate) -> dict[str, Any]:
    return {
        "name": cand.name, "lat": cand.location.lat, "lon": cand.location.lon,
        "country": cand.country, "admin1": cand.admin1, "kind": cand.kind,
        "source": cand.source, "confidence": cand.confidence, "reason": cand.reason,
        "ref": cand.ref,
    }


def result_to_json(result: GeocodeResult) -> dict[str, Any]:
    """The CLI's JSON object for one name (the stable contract)."""
    best = result.best
    out: dict[str, Any] = {
        "query": result.query,
        "name": best.name if best else None,
        "lat": best.location.lat if best else None,
        "lon": best.location.lon if best else None,
        "country": best.country if best else None,
        "kind": best.kind if best else None,
        "source": best.source if best else None,
        "confidence": best.confidence if best else None,
        "candidates": [candidate_to_json(c) for c in result.candidates],
    }
    if best is None:
        out["reason"] = result.reason or "unresolved"
    return out


def _table(results: list[GeocodeResult]) -> str:
    rows = [("QUERY", "PLACE", "LAT", "LON", "CC", "KIND", "CONF", "NOTE")]
    for r in results:
        b = r.best
        if b is None:
            rows.append((r.query, "(unresolved)", "", "", "", "", "", r.reason))
            continue
        note = "; ".join(filter(None, (r.reason, *r.warnings)))
        rows.append((r.query, b.name, f"{b.location.lat:.5f}", f"{b.location.lon:.5f}",
                     b.country, b.kind, f"{b.confidence:.2f}", note))
    widths = [min(max(len(row[c]) for row in rows), 40) for c in range(len(rows[0]) - 1)]
    lines = []
    for row in rows:
        cells = [cell[:w].ljust(w) for cell, w in zip(row, widths)]
        lines.append("  ".join(cells + [row[-1]]).rstrip())
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from ..gazetteer import open_gazetteer
    from ..gazetteer.progress import terminal_progress
    from ..geocoding.offline import OfflineGeocoder, check_query

    for name in args.names:  # reject bad queries before the (maybe slow) first open
        check_query(name)
    def offline() -> OfflineGeocoder:
        return OfflineGeocoder(open_gazetteer(progress=terminal_progress()))

    geocoder = online_geocoder_from(args, fallback=offline) or offline()
    limit = max(1, args.limit)
    if args.route:
        results = geocoder.geocode_route(args.names, limit=limit)
    else:
        results = [geocoder.geocode(name, limit=limit) for name in args.names]
    if args.json:
        print_json([result_to_json(r) for r in results])
    else:
        sys.stdout.write(_table(results) + "\n")
    return 0 if all(r.resolved for r in results) else 1
