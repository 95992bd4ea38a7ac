"""Reading the prebuilt index: exact and alias lookup, fuzzy fallback, ranking.

A :class:`Gazetteer` is safe to share between threads: each thread gets its own
read-only SQLite connection (the file is immutable once built), and the caches
are thread-safe ``lru_cache``-s of immutable values.
"""

from __future__ import annotations

import functools
import json
import math
import os
import sqlite3
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path

from rapidfuzz import fuzz, process

from ..errors import GazetteerError
from ..geo import LatLon
from ..geocoding import Candidate
from .normalize import MAX_QUERY, normalize_name, split_kind_hint, transliterate
from .records import Match

__all__ = ["Gazetteer", "Hit", "AREA_KINDS", "MATCH_QUALITY", "SAME_PLACE_KM", "rank",
           "explain", "explained", "ambiguous_rival", "alias_penalty", "owns_name",
           "match_quality", "distance_km_fast"]

AREA_KINDS = frozenset({"country", "region"})
# How much a kind of match adds to a place's importance (log10 population units).
_MATCH_BONUS = {Match.NAME: 0.5, Match.COMMON: 0.4, Match.ALT: 0.2, Match.CODE: 0.0,
                Match.QUALIFIED: 0.4, Match.TRANSLIT: 0.1}
# How far a kind of match can be trusted at all, whatever the ranking.
MATCH_QUALITY = {Match.NAME: 1.0, Match.COMMON: 1.0, Match.ALT: 0.95, Match.CODE: 0.9,
                 Match.QUALIFIED: 0.95, Match.TRANSLIT: 0.85}
_HINT_BONUS = 2.0
#: Similarity (rapidfuzz ratio) for a misspelling to resolve, and to be suggested.
FUZZY_RESOLVE = 84.0
FUZZY_SUGGEST = 70.0
#: Candidates this close are one place when judging confidence or ambiguity.
SAME_PLACE_KM = 50.0
#: A place called so (its own name, importance at least NAMESAKE_IMPORTANCE: about
#: 1,000 people) outranks a place elsewhere that merely lists the name among its
#: alternates unless that place is ALIAS_GAP more important (100 times the people):
#: "Dili" is Timor-Leste's capital, not Delhi; "Bombay" is still Mumbai, not the New
#: Zealand village. Past the gap the penalty fades over ALIAS_PENALTY, so a narrow
#: win stays a low-confidence one.
NAMESAKE_IMPORTANCE = 3.0
ALIAS_GAP = 2.0
ALIAS_PENALTY = ALIAS_GAP - 0.3  # 0.3: the bonus of a name over an alternate name
#: Below this share of belief the best candidate is called ambiguous in its reason.
AMBIGUOUS_BELOW = 0.6


@dataclass(frozen=True, slots=True)
class Hit:
    """One indexed place matched by one key, before ranking."""

    place_id: int
    ref: str
    name: str
    lat: float
    lon: float
    country: str
    admin1: str
    kind: str
    source: str
    population: int
    importance: float
    match: int
    key: str
    similarity: float = 100.0  # rapidfuzz ratio for fuzzy hits; 100 for exact keys

    @property
    def fuzzy(self) -> bool:
        return self.similarity < 100.0

    def score(self, *, hint: str = "", code_query: bool = False) -> float:
        """Importance plus match bonuses, in log10-population units."""
        bonus = _MATCH_BONUS.get(self.match, 0.0)
        if self.match == Match.CODE and code_query:
            # "KHV" in capitals is the airport, not Khabarovsk; but "FEFU" is not
            # worth reading as the ICAO code of an airstrip in the Central African Republic.
            bonus = 2.5 if self.importance >= 4.0 else 0.0
        if hint:
            if _kind_fits(self.kind, hint):
                bonus += _HINT_BONUS
            elif hint in ("city",) and self.kind in AREA_KINDS:
                bonus -= 1.0
        if self.fuzzy:
            bonus -= (100.0 - self.similarity) / 5.0
        return self.importance + bonus

    def describe(self) -> str:
        """"city of 604,901 in Primorye, RU"."""
        what = self.kind
        if self.population and self.kind not in AREA_KINDS:
            what += f" of {self.population:,}"
        where = ", ".join(p for p in (self.admin1 if self.admin1 != self.name else "",
                                      self.country) if p)
        return f"{what} in {where}" if where else what

    def match_label(self) -> str:
        if self.fuzzy:
            return f"spelling close to \"{self.key}\" ({self.similarity:.0f}%)"
        return Match.LABELS.get(self.match, "match")

    def candidate(self, confidence: float, reason: str) -> Candidate:
        return Candidate(
            name=self.name, location=LatLon(self.lat, self.lon), country=self.country,
            kind=self.kind, source=self.source, confidence=round(confidence, 4), reason=reason,
            population=self.population, admin1=self.admin1, ref=self.ref,
        )


_KINDS_FITTING: dict[str, tuple[str, ...]] = {
    "railway station": ("railway station", "border crossing"),
    "border crossing": ("border crossing", "railway station", "bridge"),
}


def _kind_fits(kind: str, hint: str) -> bool:
    """Does a place of ``kind`` answer a generic word hinting at ``hint``?

    Border stations are stations, and a border crossing may be a station or a bridge.
    """
    return kind == hint or kind in _KINDS_FITTING.get(hint, ())


def owns_name(hit: Hit) -> bool:
    """Is the matched key one of the place's own names (not a fuzzy or borrowed one)?"""
    return hit.match in Match.OWN_NAMES and not hit.fuzzy


def _curated(hit: Hit) -> bool:
    """Own names, and a landmark's aliases (we listed them: "Khasan" for the station)."""
    return owns_name(hit) or (hit.source == "landmarks" and not hit.fuzzy)


def _contains(area: Hit, other: Hit) -> bool:
    """Does ``area`` (a country or region) contain the place ``other``?"""
    return area.kind in AREA_KINDS and area.country == other.country and (
        area.kind == "country" or (bool(other.admin1) and other.admin1 == area.admin1))


def alias_penalty(hit: Hit, namesakes: list[Hit], *, code_query: bool = False) -> float:
    """How much ``hit`` loses for matching by a borrowed name while places elsewhere
    bear it as their own (log10 units; 0 when none does or when it is far bigger).
    ``namesakes``: the places bearing the name, most important first.

    Borrowed: an alternate name or transliteration, or a code when the query was not
    written as one ("Sal" is not SAL airport); never a landmark's alias, which we
    listed ourselves. Places that are one (within
    :data:`SAME_PLACE_KM`, or an area and a place in it) do not count.
    """
    if code_query:  # "DAX" in capitals: GeoNames lists airport codes as alternate names
        borrowed = hit.match == Match.TRANSLIT
    else:
        borrowed = hit.match in (Match.ALT, Match.TRANSLIT, Match.CODE)
    if not borrowed or _curated(hit):
        return 0.0
    for rival in namesakes:  # most important first: usually the first one decides
        if _contains(rival, hit) or _contains(hit, rival) or distance_km_fast(
                hit.lat, hit.lon, rival.lat, rival.lon) <= SAME_PLACE_KM:
            continue
        gap = hit.importance - rival.importance
        return max(0.0, min(ALIAS_PENALTY, ALIAS_PENALTY - (gap - ALIAS_GAP)))
    return 0.0


def rank(hits: list[Hit], *, hint: str = "", code_query: bool = False, limit: int = 10
         ) -> list[tuple[Hit, float, float]]:
    """Hits best first, each with (score, confidence).

    Confidence shares belief in proportion to 10**(0.8 * score): a place ten times
    more populous is about six times likelier to be meant. Each share is then capped
    by how much the kind of match can be trusted. The best candidate's confidence is
    that the place meant lies within :data:`SAME_PLACE_KM` of it, so it also gathers
    the shares of candidates that close (Dong Dang the station and the town).
    A name borrowed from places that bear it loses :func:`alias_penalty`.
    """
    if not hits:
        return []
    namesakes = sorted((h for h in hits if _curated(h) and h.importance >= NAMESAKE_IMPORTANCE),
                       key=lambda h: -h.importance)

    def score(h: Hit) -> float:
        return h.score(hint=hint, code_query=code_query) - alias_penalty(
            h, namesakes, code_query=code_query)

    scored = sorted(((h, score(h)) for h in hits), key=lambda pair: (-pair[1], pair[0].place_id))
    scored = _drop_duplicates(scored)
    top = scored[0][1]
    first = scored[0][0]
    if not owns_name(first):
        # "New Delhi": Delhi has it as an alternate name, New Delhi is called so, and
        # they are one place on a map; show the one that bears the name.
        for pos, (hit, _) in enumerate(scored[1:], start=1):
            if owns_name(hit) and hit.kind == first.kind and distance_km_fast(
                    first.lat, first.lon, hit.lat, hit.lon) <= SAME_PLACE_KM:
                scored.insert(0, scored.pop(pos))
                break
    weights = [10 ** (0.8 * (s - top)) for _, s in scored]
    total = sum(weights)
    out = []
    for (hit, score), weight in zip(scored[:limit], weights):
        out.append((hit, score, weight / total * match_quality(hit)))
    best = scored[0][0]
    near = sum(w for (h, _), w in zip(scored, weights)
               if distance_km_fast(best.lat, best.lon, h.lat, h.lon) <= SAME_PLACE_KM)
    out[0] = (best, out[0][1], min(1.0, near / total * match_quality(best)))
    return out


def match_quality(hit: Hit) -> float:
    """How far the kind of match can be trusted at all (a misspelling less so)."""
    quality = MATCH_QUALITY.get(hit.match, 0.8)
    return quality * 0.8 * hit.similarity / 100.0 if hit.fuzzy else quality


def _drop_duplicates(scored: list[tuple[Hit, float]]) -> list[tuple[Hit, float]]:
    """Keep one of two entries for the same site (a landmark and the airport list's VVO,
    or one place matched by two keys): same kind within 3 km."""
    kept: list[tuple[Hit, float]] = []
    for hit, score in scored:
        if any(k.place_id == hit.place_id or (
                k.kind == hit.kind and abs(k.lat - hit.lat) < 0.03
                and distance_km_fast(k.lat, k.lon, hit.lat, hit.lon) < 3.0) for k, _ in kept):
            continue
        kept.append((hit, score))
    return kept


def explain(hit: Hit, position: int, count: int, *, rival: Hit | None = None) -> str:
    """The reason shown for a candidate: how it matched, what it is, where it ranks.

    ``rival``, given for the best candidate, is a far-away runner-up nearly as likely:
    the reason then says the name is ambiguous and names it.
    """
    text = f"{hit.match_label()}; {hit.describe()}"
    if rival is not None:
        where = ", ".join(p for p in (rival.admin1, rival.country) if p)
        text += f"; ambiguous: also {rival.name} ({where})"
        if count > 2:
            text += f" and {count - 2} more"
    elif count > 1:
        text += ("; most prominent of " if position == 0 else f"; ranked {position + 1} of ") \
            + f"{count} places with this name"
    return text


def ambiguous_rival(ranked: list[tuple[Hit, float, float]]) -> Hit | None:
    """The runner-up far from the best when the best holds under
    :data:`AMBIGUOUS_BELOW` of the belief (Springfield, Missouri and Massachusetts)."""
    if len(ranked) < 2 or ranked[0][2] >= AMBIGUOUS_BELOW:
        return None
    best = ranked[0][0]
    for hit, _, _ in ranked[1:]:
        if distance_km_fast(best.lat, best.lon, hit.lat, hit.lon) > SAME_PLACE_KM:
            return hit
    return None


def explained(ranked: list[tuple[Hit, float, float]]) -> list[Candidate]:
    """Candidates with their reasons, from :func:`rank`'s output."""
    rival = ambiguous_rival(ranked)
    return [hit.candidate(conf, explain(hit, i, len(ranked), rival=rival if i == 0 else None))
            for i, (hit, _, conf) in enumerate(ranked)]


class Gazetteer:
    """The offline gazetteer: exact/alias lookups in microseconds, fuzzy only for misses.

    Open it with :func:`trip.gazetteer.open_gazetteer`; share one per process.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._fuzzy_lock = threading.Lock()
        self._fuzzy_buckets: tuple[dict[str, list[str]], list[str]] | None = None
        try:
            rows = self._conn().execute("SELECT k, v FROM meta").fetchall()
        except sqlite3.Error as err:
            raise GazetteerError(f"cannot read the gazetteer index {self.path}: {err}") from err
        self.meta: dict[str, str] = dict(rows)
        self._neighbours = {k: frozenset(v) for k, v in
                            json.loads(self.meta.get("neighbours", "{}")).items()}
        self._hits = functools.lru_cache(maxsize=20000)(self._query_hits)

    def __repr__(self) -> str:
        return f"Gazetteer({str(self.path)!r}, places={self.meta.get('places')})"

    # -- connections -------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is not None and self._local.pid != os.getpid():
            conn = None  # a forked child must not share its parent's SQLite connection
        if conn is None:
            try:
                # A URI so the file opens read-only; as_uri() escapes spaces, "#" and "?".
                conn = sqlite3.connect(self.path.resolve().as_uri() + "?mode=ro&immutable=1",
                                       uri=True, check_same_thread=False)
            except sqlite3.Error as err:
                raise GazetteerError(f"cannot open the gazetteer index {self.path}: {err}"
                                     ) from err
            conn.execute("PRAGMA cache_size=-16000")  # 16 MB page cache per thread
            self._local.conn = conn
            self._local.pid = os.getpid()
        return conn

    def close(self) -> None:
        """Close this thread's connection (others close when their thread ends)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    # -- exact and alias lookups ---------------------------------------------

    def _query_hits(self, key: str) -> tuple[Hit, ...]:
        rows = self._conn().execute(
            "SELECT p.id, p.ref, p.name, p.lat, p.lon, p.country, p.admin1, p.kind, p.source,"
            " p.population, p.importance, n.match FROM names n JOIN places p ON p.id = n.place"
            " WHERE n.key = ?", (key,)).fetchall()
        return tuple(Hit(*row, key=key) for row in rows)

    def is_known_name(self, normalised: str) -> bool:
        """True if ``normalised`` (a :func:`normalize_name` key) names any place.

        Cheap enough to call on every n-gram of an article (a few microseconds).
        """
        if not normalised or len(normalised) > MAX_QUERY:
            return False
        return bool(self._hits(normalised))

    def known_importance(self, normalised: str) -> float:
        """How prominent the most prominent place with this key is (≈ log10 population;
        0.0 when none): lets a caller skip names only villages bear ("Mary", "Best")."""
        if not normalised or len(normalised) > MAX_QUERY:
            return 0.0
        return max((h.importance for h in self._hits(normalised)), default=0.0)

    def hits(self, name: str, *, transliterate_misses: bool = True) -> list[Hit]:
        """Every place whose exact or alternate name normalises like ``name``."""
        key = normalize_name(name) if len(name) <= MAX_QUERY * 2 else ""
        if not key or len(key) > MAX_QUERY:
            return []
        found = list(self._hits(key))
        if not found and transliterate_misses and not key.isascii():
            ascii_key = transliterate(key)
            if ascii_key and ascii_key != key:
                found = [replace(h, match=max(h.match, Match.TRANSLIT))
                         for h in self._hits(ascii_key)]
        return found

    def lookup(self, name: str, *, limit: int = 10) -> list[Candidate]:
        """Ranked candidates for an exact or alias match of ``name``; [] if none.

        Generic words are tried both ways: "Vostochny Cosmodrome" is a name in the
        index; "Pingxiang city" is not, so "Pingxiang" is looked up with a hint
        that a town is meant.
        """
        key = normalize_name(name) if len(name) <= MAX_QUERY * 2 else ""
        hits, hint = self.hits(name), ""
        if not hits and key:
            core, hint = split_kind_hint(key)
            if hint:
                hits = self.hinted_hits(core, hint)
        return explained(rank(hits, hint=hint, code_query=_looks_like_code(name), limit=limit))

    def hinted_hits(self, core: str, hint: str, *, radius_km: float = 40.0) -> list[Hit]:
        """Places called ``core``, and, when none is of the hinted kind, places of that
        kind near the most important one: "Komsomolsk-on-Amur aircraft plant" finds the
        factory in Komsomolsk-on-Amur, "Ussuriysk station" the station there."""
        hits = self.hits(core)
        if not hits or hint in ("city", "region", "country") or \
                any(_kind_fits(h.kind, hint) for h in hits):
            return hits
        anchor = max(hits, key=lambda h: (h.kind not in AREA_KINDS, h.importance))
        kinds = sorted(k for k in _KINDS_FITTING.get(hint, (hint,)))
        dlat = radius_km / 111.0
        dlon = dlat / max(0.05, math.cos(math.radians(anchor.lat)))
        rows = self._conn().execute(
            "SELECT id, ref, name, lat, lon, country, admin1, kind, source, population,"
            f" importance FROM places WHERE kind IN ({','.join('?' * len(kinds))})"
            " AND lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?",
            (*kinds, anchor.lat - dlat, anchor.lat + dlat, anchor.lon - dlon, anchor.lon + dlon),
        ).fetchall()
        near = [Hit(*row, match=Match.QUALIFIED, key=core) for row in rows
                if distance_km_fast(anchor.lat, anchor.lon, row[3], row[4]) <= radius_km]
        return near + hits

    # -- fuzzy fallback --------------------------------------------------------

    def _buckets(self) -> tuple[dict[str, list[str]], list[str]]:
        """Fuzzy keys by first letter, and the keys of major places (loaded once)."""
        with self._fuzzy_lock:
            if self._fuzzy_buckets is None:
                buckets: dict[str, list[str]] = {}
                major: list[str] = []
                for key, is_major in self._conn().execute("SELECT key, major FROM fuzzy_keys"):
                    buckets.setdefault(key[0], []).append(key)
                    if is_major:
                        major.append(key)
                self._fuzzy_buckets = (buckets, major)
            return self._fuzzy_buckets

    def fuzzy_keys(self, name: str, *, limit: int = 5, budget_s: float = 0.05,
                   cutoff: float = FUZZY_RESOLVE) -> list[tuple[str, float]]:
        """Index keys spelt like ``name`` (rapidfuzz ratio ≥ ``cutoff``), best first.

        Searches keys sharing the first letter (typos rarely hit it), then, if
        nothing close was found and time remains, the names of major places (towns
        of about 30,000 and more, areas, airports, landmarks) whatever their first
        letter. Bounded by ``budget_s`` seconds.
        """
        key = transliterate(normalize_name(name[: MAX_QUERY * 2]))
        if len(key) < 3 or len(key) > MAX_QUERY:
            return []
        started = time.perf_counter()
        buckets, major = self._buckets()
        found = process.extract(key, buckets.get(key[0], ()), scorer=fuzz.ratio, limit=limit,
                                score_cutoff=cutoff)
        if not found and time.perf_counter() - started < budget_s / 2:
            found = [f for f in process.extract(key, major, scorer=fuzz.ratio, limit=limit,
                                                score_cutoff=max(cutoff, FUZZY_RESOLVE))
                     if f[0][0] != key[0]]
        return [(k, float(score)) for k, score, _ in found[:limit]]

    def fuzzy_hits(self, name: str, *, limit: int = 5, budget_s: float = 0.05,
                   cutoff: float = FUZZY_RESOLVE) -> list[Hit]:
        out: list[Hit] = []
        for key, similarity in self.fuzzy_keys(name, limit=limit, budget_s=budget_s,
                                               cutoff=cutoff):
            out.extend(replace(h, similarity=similarity) for h in self._hits(key))
        return out

    def fuzzy_lookup(self, name: str, *, limit: int = 5, budget_s: float = 0.05
                     ) -> list[Candidate]:
        """Ranked candidates for a misspelt name ("Vladivostock" -> Vladivostok)."""
        hits = self.fuzzy_hits(name, limit=limit, budget_s=budget_s)
        return explained(rank(hits, limit=limit))

    def suggest(self, name: str, *, limit: int = 5) -> list[str]:
        """Names to offer as "did you mean …", most prominent first, without repeats."""
        seen: list[str] = []
        hits = self.fuzzy_hits(name, limit=limit * 2, cutoff=FUZZY_SUGGEST)
        for hit, _, _ in rank(hits, limit=limit * 4):
            label = f"{hit.name} ({hit.country})" if hit.country else hit.name
            if label not in seen:
                seen.append(label)
        return seen[:limit]

    # -- facts ------------------------------------------------------------------

    def neighbours(self, country: str) -> frozenset[str]:
        """ISO codes of the countries sharing a land border with ``country``."""
        return self._neighbours.get(country, frozenset())

    def get(self, ref: str) -> Candidate | None:
        """The place with this reference (e.g. ``"landmark:khasan-station"``), if any."""
        row = self._conn().execute(
            "SELECT id, ref, name, lat, lon, country, admin1, kind, source, population,"
            " importance FROM places WHERE ref = ? LIMIT 1", (ref,)).fetchone()
        if row is None:
            return None
        return Hit(*row, match=Match.NAME, key="").candidate(1.0, "looked up by reference")

    def __len__(self) -> int:
        return int(self.meta.get("places", 0))


def _looks_like_code(text: str) -> bool:
    text = text.strip()
    return len(text) in (3, 4) and text.isascii() and text.isalnum() and text.isupper()


def distance_km_fast(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance on a sphere (km): for ranking, where 0.5 % error is fine."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 12742.0 * math.asin(min(1.0, math.sqrt(a)))
