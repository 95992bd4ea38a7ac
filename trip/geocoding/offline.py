"""The offline geocoder: the gazetteer behind the :class:`~trip.geocoding.Geocoder` protocol.

One name is ranked by importance and match quality (:func:`trip.gazetteer.index.rank`).
A sequence of names that form one trip is resolved jointly: each stop's candidates
are nodes, consecutive stops are linked by how plausible the leg is (distance, the
speed the dates imply for the mode, whether the countries touch), and the best
combination is found exactly by dynamic programming (max-product, forward and
backward, so every candidate also gets a route-aware confidence). A doubtful
choice (alternate name, misspelling, ambiguous name) that the route cannot reach
gives way to the next plausible candidate; a stop with none is left unresolved
with the reason, rather than guessed across the world.

Never opens a network connection.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from dataclasses import dataclass
from typing import Sequence

from ..errors import PlaceNotFound, QueryError
from ..gazetteer import AREA_KINDS, Gazetteer, open_gazetteer
from ..gazetteer.index import (SAME_PLACE_KM, Hit, ambiguous_rival, distance_km_fast, explain,
                               explained, match_quality, owns_name, rank)
from ..gazetteer.normalize import MAX_QUERY, normalize_name, split_kind_hint
from ..geo import LatLon
from . import Candidate, GeocodeResult

__all__ = ["OfflineGeocoder", "default_offline_geocoder", "check_query", "MAX_QUERY"]

#: Candidates per stop considered in joint route resolution.
ROUTE_POOL = 25
#: Farthest a traveller plausibly goes in a day, by the mode of the leg (km).
KM_PER_DAY = {"plane": 15000.0, "train": 1500.0, "car": 1200.0, "ship": 900.0, "walk": 60.0,
              "unknown": 15000.0}
#: Distance scale of a leg (km): legs much longer than this cost plausibility.
LEG_SCALE_KM = {"plane": 2500.0, "train": 250.0, "car": 200.0, "ship": 400.0, "walk": 20.0,
                "unknown": 150.0}
#: A leg this long (km) by land, or this much detour, marks a doubtful stop implausible.
FAR_KM = 4000.0
DETOUR_KM = 2500.0
#: A misspelt name may not lie farther than this from the route.
FUZZY_FAR_KM = 1000.0
#: How many of a stop's best candidates are tried before it is left unresolved.
FALLBACK_TRIES = 5
#: What an unknown-mode leg costs at most beyond a flight's (halved) distance term:
#: about the cost of 500 km by land.
FLIGHT_COST = 1.5
#: A stop of a trip is usually a place, not a whole country or region: areas start
#: behind places in a route, and a leg into the area that contains a stop costs this.
AREA_NODE_PENALTY = 1.0
AREA_LEG_COST = 0.3


def check_query(query: object) -> str:
    """The query as text, or :class:`QueryError` for an empty, overlong or non-text one."""
    if not isinstance(query, str):
        raise QueryError("is not text", field="query", value=query)
    # Lone surrogates (from broken decoders) would crash any later encode; make them visible.
    text = query.encode("utf-8", "surrogatepass").decode("utf-8", "replace").strip()
    if not text:
        raise QueryError("is empty (give a place name)", field="query", show_value=False)
    if len(text) > MAX_QUERY:
        raise QueryError(f"is too long ({len(text)} characters, at most {MAX_QUERY})",
                         field="query", value=text[:40] + "…")
    return text


@dataclass(slots=True)
class _Option:
    """One candidate of one stop in the route lattice."""

    hit: Hit | None  # None for a stop fixed by the caller's coordinates
    lat: float
    lon: float
    country: str
    kind: str
    node: float  # single-name score relative to the stop's best (log10 units, <= 0)
    confidence: float  # single-name confidence
    admin1: str = ""


class OfflineGeocoder:
    """Geocode names and whole routes with the offline gazetteer only.

    >>> geo = OfflineGeocoder(open_gazetteer())
    >>> [r.best.admin1 for r in geo.geocode_route(["Nanning", "Pingxiang", "Dong Dang"])][1]
    'Guangxi'
    """

    name = "offline"

    def __init__(self, gazetteer: Gazetteer, *, fuzzy_budget_s: float = 0.05) -> None:
        self.gazetteer = gazetteer
        self.fuzzy_budget_s = fuzzy_budget_s

    def __repr__(self) -> str:
        return f"OfflineGeocoder({self.gazetteer!r})"

    # -- one name ------------------------------------------------------------

    def _ranked(self, text: str, pool: int) -> tuple[list[tuple[Hit, float, float]], bool]:
        """Ranked (hit, score, confidence) for one query, and whether fuzzy was needed."""
        gaz = self.gazetteer
        hits, hint, matched = gaz.hits(text), "", text
        if not hits:
            for variant in _variants(text):
                matched, hint = variant, ""
                hits = gaz.hits(variant)
                if not hits:
                    core, hint = split_kind_hint(normalize_name(variant))
                    hits = gaz.hinted_hits(core, hint) if hint else []
                if hits:
                    break
        fuzzy = False
        if not hits:
            fuzzy, matched, hint = True, text, ""
            hits = gaz.fuzzy_hits(text, limit=5, budget_s=self.fuzzy_budget_s)
        code = len(matched) in (3, 4) and matched.isascii() and matched.isalnum() \
            and matched.isupper()
        return rank(hits, hint=hint, code_query=code, limit=pool), fuzzy

    def _not_found_reason(self, text: str) -> tuple[str, list[str]]:
        suggestions = self.suggest(text)
        reason = "no place of that name in the offline gazetteer"
        if suggestions:
            reason += "; did you mean " + ", ".join(suggestions) + "?"
        return reason, suggestions

    def geocode(self, query: str, *, limit: int = 5) -> GeocodeResult:
        """Ranked candidates for one name; unresolved (with the reason) when nothing fits.

        Raises :class:`~trip.errors.QueryError` for an empty or overlong query.
        """
        text = check_query(query)
        ranked, fuzzy = self._ranked(text, max(limit, 1))
        if not ranked:
            reason, _ = self._not_found_reason(text)
            return GeocodeResult(query=text, best=None, reason=reason)
        cands = tuple(explained(ranked))
        note = "exact match not found; closest spelling used" if fuzzy else ""
        rival = ambiguous_rival(ranked)
        if rival is not None and not fuzzy:
            note = (f"ambiguous: {cands[0].name} ({_where(ranked[0][0])}) holds "
                    f"{cands[0].confidence:.0%}; also {rival.name} ({_where(rival)})")
        return GeocodeResult(query=text, best=cands[0], candidates=cands[:limit], reason=note)

    def locate(self, query: str) -> Candidate:
        """The best place for ``query``, or :class:`~trip.errors.PlaceNotFound` with suggestions."""
        result = self.geocode(query, limit=1)
        if result.best is None:
            text = check_query(query)
            raise PlaceNotFound(text, reason="no place of that name in the offline gazetteer",
                                suggestions=self.suggest(text))
        return result.best

    def suggest(self, query: str, *, limit: int = 5) -> list[str]:
        """Close spellings to offer as "did you mean …" (fuzzy, bounded in time)."""
        try:
            text = check_query(query)
        except QueryError:
            return []
        return self.gazetteer.suggest(text, limit=limit)

    # -- a route -------------------------------------------------------------

    def geocode_route(
        self,
        queries: Sequence[str],
        *,
        dates: Sequence[dt.date | None] | None = None,
        modes: Sequence[str | None] | None = None,
        limit: int = 5,
        fixed: Sequence[LatLon | None] | None = None,
    ) -> list[GeocodeResult]:
        """Resolve consecutive stops of one trip jointly.

        ``dates[i]`` and ``modes[i]`` describe stop ``i`` (the mode of the leg that
        arrives there). ``fixed[i]``, when given, pins stop ``i`` to known
        coordinates: it is not geocoded but still steers its neighbours.
        """
        n = len(queries)
        dates = [_as_date(d) for d in dates] if dates is not None else [None] * n
        modes = [_as_mode(m) for m in modes] if modes is not None else ["unknown"] * n
        fixed_at = list(fixed) if fixed is not None else [None] * n
        if not (len(dates) == len(modes) == len(fixed_at) == n):
            raise QueryError("dates, modes and fixed must have one entry per stop",
                             field="route", show_value=False)
        texts = [check_query(q) for q in queries]

        options: list[list[_Option]] = []
        fuzzy_used: list[bool] = []
        for text, pin in zip(texts, fixed_at):
            if pin is not None:
                options.append([_Option(None, pin.lat, pin.lon, "", "", 0.0, 1.0)])
                fuzzy_used.append(False)
                continue
            ranked, fuzzy = self._ranked(text, ROUTE_POOL)
            fuzzy_used.append(fuzzy)
            top = ranked[0][1] if ranked else 0.0
            options.append([_Option(h, h.lat, h.lon, h.country, h.kind,
                                    s - top - (AREA_NODE_PENALTY if h.kind in AREA_KINDS else 0),
                                    c, h.admin1)
                            for h, s, c in ranked])

        marginals = self._solve(options, dates, modes)
        chosen = [max(range(len(m)), key=m.__getitem__) if m else None for m in marginals]
        # A stop far off an otherwise coherent route should not make its neighbours
        # look implausible: judge each stop against neighbours that are not detours.
        detours = {i for i in range(n) if chosen[i] is not None and
                   _detour(i, options, chosen, modes) > 0}
        # A doubtful choice (alias, misspelling, ambiguous name) that the route cannot
        # reach plausibly gives way to the next candidate that it can; a stop with no
        # such candidate is left unresolved with the reason, never guessed.
        rejected: dict[int, list[int]] = {}
        dropped: dict[int, str] = {}
        for i in range(n):
            if chosen[i] is None or fixed_at[i] is not None:
                continue
            near = _chosen_neighbours(i, options, chosen, skip=detours - {i})
            order = sorted(range(len(options[i])), key=lambda k: -marginals[i][k])
            rejected[i] = []
            first_problem = ""
            for k in order[:FALLBACK_TRIES]:
                far_km, surface_only = _doubt(options[i], options[i][k], fuzzy_used[i])
                problem = "" if far_km is None else self._implausible(
                    i, options[i][k], near, dates, modes, far_km=far_km,
                    surface_only=surface_only)
                if not problem:
                    chosen[i] = k
                    break
                rejected[i].append(k)
                first_problem = first_problem or problem
            else:
                dropped[i] = first_problem
                chosen[i] = None

        results: list[GeocodeResult] = []
        for i, text in enumerate(texts):
            if fixed_at[i] is not None:
                results.append(GeocodeResult(query=text, best=None,
                                             reason="coordinates given; not geocoded"))
                continue
            if not options[i]:
                reason, _ = self._not_found_reason(text)
                results.append(GeocodeResult(query=text, best=None, reason=reason))
                continue
            results.append(self._route_result(
                i, text, options, marginals, chosen, texts, dates, modes, fuzzy_used[i], limit,
                skip=detours - {i}, rejected=rejected.get(i, []), dropped=dropped.get(i)))
        return results

    def _leg_cost(self, a: _Option, b: _Option, date_a: dt.date | None, date_b: dt.date | None,
                  mode: str, hops: int) -> float:
        """How implausible the leg a -> b is (>= 0, log10-like units)."""
        if (a.hit is not None and a.kind in AREA_KINDS and _area_contains(a, b)) or \
                (b.hit is not None and b.kind in AREA_KINDS and _area_contains(b, a)):
            return AREA_LEG_COST
        d = distance_km_fast(a.lat, a.lon, b.lat, b.lon)
        scale = LEG_SCALE_KM.get(mode, 150.0) * hops
        cost = math.log1p(d / scale)
        if mode == "unknown":  # perhaps a flight: a fixed fare, then distance matters little
            cost = min(cost, FLIGHT_COST + 0.5 * math.log1p(d / LEG_SCALE_KM["plane"]))
        if date_a and date_b and date_b >= date_a:
            days = (date_b - date_a).days + 1
            allowed = KM_PER_DAY.get(mode, 15000.0) * days
            if d > allowed:
                cost += 3.0 + math.log1p(d / allowed)
        if a.country and b.country and a.country != b.country:
            cost += 0.2 if b.country in self.gazetteer.neighbours(a.country) else 0.6
        return cost

    def _solve(self, options: list[list[_Option]], dates: list[dt.date | None],
               modes: list[str]) -> list[list[float]]:
        """Max-marginal score of every option (node scores plus best path through it)."""
        idx = [i for i, opts in enumerate(options) if opts]
        fwd: dict[int, list[float]] = {}
        bwd: dict[int, list[float]] = {}
        cost: dict[int, list[list[float]]] = {}  # cost[i][k][m]: prev stop's k -> i's m
        prev = None
        for i in idx:
            if prev is None:
                fwd[i] = [o.node for o in options[i]]
            else:
                hops, mode = i - prev, _leg_mode(modes, prev, i)
                cost[i] = [[self._leg_cost(p, o, dates[prev], dates[i], mode, hops)
                            for o in options[i]] for p in options[prev]]
                fwd[i] = [o.node + max(fwd[prev][k] - cost[i][k][m]
                                       for k in range(len(options[prev])))
                          for m, o in enumerate(options[i])]
            prev = i
        nxt = None
        for i in reversed(idx):
            if nxt is None:
                bwd[i] = [0.0] * len(options[i])
            else:
                bwd[i] = [max(options[nxt][m].node + bwd[nxt][m] - cost[nxt][k][m]
                              for m in range(len(options[nxt])))
                          for k in range(len(options[i]))]
            nxt = i
        return [[f + b for f, b in zip(fwd[i], bwd[i])] if i in fwd else []
                for i in range(len(options))]

    def _route_result(self, i: int, text: str, options: list[list[_Option]],
                      marginals: list[list[float]], chosen: list[int | None], texts: list[str],
                      dates: list[dt.date | None], modes: list[str], fuzzy: bool, limit: int,
                      *, skip: set[int], rejected: list[int], dropped: str | None
                      ) -> GeocodeResult:
        opts, marg = options[i], marginals[i]
        order = sorted(range(len(opts)), key=lambda k: -marg[k])
        pick = chosen[i]
        if pick is not None:  # the chosen one first, then the plausible, then the rejected
            order = [pick] + [k for k in order if k != pick and k not in rejected] + \
                [k for k in order if k in rejected]
        plausible = [k for k in order if k not in rejected] or order
        top = max(marg[k] for k in plausible)
        weight = {k: 10 ** (0.8 * (marg[k] - top)) for k in order}
        total = sum(weight[k] for k in plausible)
        neighbours = _chosen_neighbours(i, options, chosen, skip=skip)
        cands: list[Candidate] = []
        for rank_pos, k in enumerate(order):
            o = opts[k]
            assert o.hit is not None
            share = 0.0 if (k in rejected and pick is not None) else weight[k] / total
            if rank_pos == 0 and pick is not None:  # the place meant is within 50 km of it
                share = sum(weight[m] for m in plausible if distance_km_fast(
                    o.lat, o.lon, opts[m].lat, opts[m].lon) <= SAME_PLACE_KM) / total
            conf = min(1.0, share * match_quality(o.hit))
            why = explain(o.hit, rank_pos, len(opts))
            legs = _leg_notes(i, o, neighbours, texts)
            if legs:
                why += "; " + legs
            if k in rejected:
                why += "; implausible on this route"
            cands.append(o.hit.candidate(conf, why))
        if pick is None:
            return GeocodeResult(query=text, best=None, candidates=tuple(cands[:limit]),
                                 reason=f"no plausible place for this stop: {dropped}")
        best_opt = opts[pick]
        problem = self._implausible(i, best_opt, neighbours, dates, modes)
        warnings: tuple[str, ...] = ()
        if problem:
            warnings = (f"{problem}; check this stop",)
        elif _detour(i, options, chosen, modes) > 0:
            near = ", ".join(f"{distance_km_fast(best_opt.lat, best_opt.lon, nb.lat, nb.lon):,.0f}"
                             f" km from {texts[j]}"
                             for j, nb in _chosen_neighbours(i, options, chosen))
            warnings = (f"{cands[0].name} ({cands[0].country}) is far off the route ({near});"
                        " check this stop",)
        note = ""
        if pick != 0 and opts[0].hit is not None:
            first = opts[0].hit
            note = (f"chose {cands[0].name} ({_where(best_opt.hit)}) over the more prominent "
                    f"{first.name} ({_where(first)}) because it fits the route")
        elif fuzzy:
            note = "exact match not found; closest spelling used"
        return GeocodeResult(query=text, best=cands[0], candidates=tuple(cands[:limit]),
                             reason=note, warnings=warnings)

    def _implausible(self, i: int, o: _Option, neighbours: list[tuple[int, _Option]],
                     dates: list[dt.date | None], modes: list[str], *,
                     far_km: float | None = None, surface_only: bool = False) -> str:
        """Why option ``o`` at stop ``i`` cannot be on this route ("" if it can).

        Always checked: a speed the dates rule out for the mode. With ``far_km``, also a
        stop that far from its nearest neighbour or that far out of the way (not on a
        flight; with ``surface_only``, only when the legs are known to be by land or sea).
        """
        if not neighbours or o.kind in AREA_KINDS:
            return ""
        label = f"{o.hit.name if o.hit else 'the best'} ({o.country or '?'})"
        legs = []
        for j, nb in neighbours:
            d = 0.0 if (nb.kind in AREA_KINDS and _area_contains(nb, o)) else \
                distance_km_fast(o.lat, o.lon, nb.lat, nb.lon)
            a, b = (j, i) if j < i else (i, j)
            mode = _leg_mode(modes, a, b)
            legs.append((j, nb, d, mode))
            if dates[a] and dates[b] and dates[b] >= dates[a]:
                days = (dates[b] - dates[a]).days + 1
                if d > KM_PER_DAY.get(mode, 15000.0) * days:
                    return (f"{label} is {d:,.0f} km from stop {j + 1}, too far to travel by "
                            f"{mode} in {days} day(s)")
        if far_km is None or any(mode == "plane" for _, _, _, mode in legs):
            return ""
        if surface_only and all(mode == "unknown" for _, _, _, mode in legs):
            return ""
        nearest = min(legs, key=lambda leg: leg[2])
        if len(legs) == 2:
            (_, p, dp, _), (_, q, dq, _) = legs
            direct = distance_km_fast(p.lat, p.lon, q.lat, q.lon)
            if dp + dq - direct > max(0.6 * far_km, 3 * direct):
                return (f"the only candidates lie far off the route; {label} is "
                        f"{nearest[2]:,.0f} km from the neighbouring stops")
        if nearest[2] > far_km:
            return (f"the only candidates lie far off the route; {label} is "
                    f"{nearest[2]:,.0f} km from stop {nearest[0] + 1}")
        return ""


_MODE_ALIASES = {"flight": "plane", "air": "plane", "fly": "plane", "rail": "train",
                 "bus": "car", "coach": "car", "drive": "car", "road": "car", "boat": "ship",
                 "ferry": "ship", "foot": "walk", "on foot": "walk"}


def _as_mode(value: object) -> str:
    """A leg mode from a Mode, a string or None ("ferry" -> "ship"; unknown -> "unknown")."""
    text = str(value).strip().lower() if value else ""
    text = _MODE_ALIASES.get(text, text)
    return text if text in KM_PER_DAY else "unknown"


def _as_date(value: object) -> dt.date | None:
    """A date from a date, a datetime or an ISO string; anything else counts as unknown."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


_ARTICLES = ("the ", "la ", "le ", "el ", "les ", "los ", "las ", "die ", "der ")


def _variants(text: str) -> list[str]:
    """Readings of a query to try when it has no exact match, most literal first.

    "Knevichi airfield (Vladivostok airport)" -> itself, "Knevichi airfield",
    "Vladivostok airport"; "Honolulu (HNL)" -> itself, "HNL", "Honolulu";
    "the Amur region" -> "Amur region".
    """
    out = [text]
    if "(" in text and text.rstrip().endswith(")"):
        outer, _, inner = text.rstrip()[:-1].partition("(")
        inner = inner.strip()
        # "Honolulu (HNL)": the code is the more precise half
        code = len(inner) in (3, 4) and inner.isascii() and inner.isalpha() and inner.isupper()
        out += [inner, outer.strip()] if code else [outer.strip(), inner]
    for item in list(out):
        lowered = item.lower()
        for article in _ARTICLES:
            if lowered.startswith(article) and len(item) > len(article) + 1:
                out.append(item[len(article):])
    return [v for i, v in enumerate(out) if v and v not in out[:i]]


def _doubt(options: list[_Option], best: _Option, fuzzy: bool) -> tuple[float | None, bool]:
    """How far from the route we let a match lie before calling it implausible.

    Returns (far_km, surface_only): a misspelling may not lie far at all, an alternate
    name (how "Khasan" reaches Hassan in India) not across the world, and an exact
    name shared by far-apart places only when the trip is known to go by land or
    sea. A confident exact name is never dropped (None).
    """
    if best.hit is None:
        return None, False
    if fuzzy or best.hit.fuzzy:
        return FUZZY_FAR_KM, False
    # Candidates a few km apart are one place ("New Delhi": Delhi and New Delhi).
    same = [o for o in options if o.hit is not None and
            distance_km_fast(o.lat, o.lon, best.lat, best.lon) <= SAME_PLACE_KM]
    if not any(owns_name(o.hit) for o in same):  # type: ignore[arg-type]
        return FAR_KM, False
    return (FAR_KM, True) if sum(o.confidence for o in same) < 0.6 else (None, False)


def _leg_mode(modes: list[str], a: int, b: int) -> str:
    """The mode of the legs between stops a < b: a plane anywhere makes the hop a flight."""
    legs = modes[a + 1: b + 1]
    if "plane" in legs:
        return "plane"
    known = [m for m in legs if m != "unknown"]
    return known[0] if known else "unknown"


def _area_contains(area: _Option, other: _Option) -> bool:
    if not other.country or area.country != other.country:
        return False
    return area.kind == "country" or (bool(other.admin1) and other.admin1 == area.admin1)


def _chosen_neighbours(i: int, options: list[list[_Option]], chosen: list[int | None],
                       skip: set[int] = frozenset()) -> list[tuple[int, _Option]]:
    """The nearest stop before and after ``i`` that has a chosen option (not in ``skip``)."""
    out = []
    for j in range(i - 1, -1, -1):
        if chosen[j] is not None and j not in skip:
            out.append((j, options[j][chosen[j]]))
            break
    for j in range(i + 1, len(options)):
        if chosen[j] is not None and j not in skip:
            out.append((j, options[j][chosen[j]]))
            break
    return out


def _detour(i: int, options: list[list[_Option]], chosen: list[int | None], modes: list[str]
            ) -> float:
    """How far (km) stop ``i`` takes a land route out of its way; 0 if it does not."""
    o = options[i][chosen[i]]  # type: ignore[index]
    if o.kind in AREA_KINDS:
        return 0.0
    nbs = _chosen_neighbours(i, options, chosen)
    mode = _leg_mode(modes, nbs[0][0], nbs[1][0]) if len(nbs) == 2 else "plane"
    if mode == "plane":
        return 0.0
    (_, p), (_, q) = nbs
    direct = distance_km_fast(p.lat, p.lon, q.lat, q.lon)
    excess = (distance_km_fast(p.lat, p.lon, o.lat, o.lon)
              + distance_km_fast(o.lat, o.lon, q.lat, q.lon) - direct)
    # Leaders fly Jeddah -> Hiroshima -> Kyiv; by land, or with no mode known, a stop
    # that multiplies the way tenfold is still suspect.
    factor = 10 if mode == "unknown" else 3
    return excess if excess > max(DETOUR_KM, factor * direct) else 0.0


def _leg_notes(i: int, o: _Option, neighbours: list[tuple[int, _Option]], texts: list[str]
               ) -> str:
    """"170 km from Nanning, 15 km to Dong Dang"."""
    notes = []
    for j, nb in neighbours:
        d = distance_km_fast(o.lat, o.lon, nb.lat, nb.lon)
        notes.append(f"{d:,.0f} km {'from' if j < i else 'to'} {texts[j]}")
    return ", ".join(notes)


def _where(hit: Hit | None) -> str:
    if hit is None:
        return ""
    return ", ".join(p for p in (hit.admin1, hit.country) if p)


_default: OfflineGeocoder | None = None
_default_lock = threading.Lock()


def default_offline_geocoder() -> OfflineGeocoder:
    """The process-wide offline geocoder (opens, or first builds, the shared index)."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = OfflineGeocoder(open_gazetteer())
    return _default
