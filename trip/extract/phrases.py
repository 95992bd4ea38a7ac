"""Places named by a description: "the Russian capital", "the capital of Kazakhstan", "the port city".

Two kinds of phrase, resolved in reading order:

* **capitals** — "the <nationality> capital" (adjectives from :mod:`.demonyms`),
  "the capital of <country>", "<Country>'s capital" and "the country's capital"
  (the country named last, in this or the previous sentence). The capital's name
  comes from the gazetteer's country table (GeoNames marks each country's capital)
  and is looked up in the gazetteer within that country.
* **anaphora** — "the city", "the port city", "the host city", "the seaside resort",
  "the capital"… refer back only when *one* town is named in the previous sentence
  or earlier in the same sentence. Two candidates (or none) leave the phrase a
  mention with the reason, never a guess.

A resolved phrase becomes a :class:`~.places.PlaceSpan` whose text is the phrase as
written and whose name and candidate are the place it stands for; the stop rules then
treat it like a written name ("landed in the Russian capital" is a stop, "officials in
the Ukrainian capital said" is a reaction).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace
from typing import Callable, Sequence

from ..geocoding import Candidate
from .demonyms import country_of_adjective
from .places import REGION_KINDS, PlaceSpan, Spotting
from .sentences import Sentence
from .stops import MACRO_REGIONS

__all__ = ["Unresolved", "capital_names", "resolve_phrases"]

_ADJ = r"[A-Z][\w.]*(?:\s+[A-Z][\w.]*){0,2}?"
#: "capital" as money, not a city: "Russia's capital markets", "the Chinese capital flight"
_MONEY = r"(?!\s+(?:markets?|gains?|flight|flows?|spending|investment|controls?|expenditure|punishment|goods|"\
    r"requirements?|ratios?|injection|outflows?|inflows?)\b)"
_CAPITAL_ADJ = re.compile(rf"\b[Tt]he\s+(?P<adj>{_ADJ})\s+capital\b{_MONEY}")
_CAPITAL_OF = re.compile(r"\b[Tt]he\s+capital\s+of\s+(?:the\s+)?(?P<country>[A-Z][\w\-]*(?:\s+[A-Z][\w\-]*){0,3})")
_COUNTRY_CAPITAL = re.compile(r"\b(?P<country>[A-Z][\w\-]*(?:\s+[A-Z][\w\-]*){0,2})['’]s?\s+capital\b"
                              + _MONEY)
_THE_COUNTRYS = re.compile(
    r"\b[Tt]he\s+(?:country|nation)['’]s\s+(?P<desc>(?:[\w\-]+\s+){0,2}?(?:capital|city|port|town|resort|"
    r"harbour|harbor))\b")
#: Descriptions of a town that refer back to one named just before.
_ANAPHOR = re.compile(
    r"\b[Tt]he\s+(?P<desc>(?:(?:host|port|seaside|coastal|border|garrison|harbour|harbor|market|frontier|"
    r"island|resort|industrial|ancient|historic|old)\s+)?(?:city|town|port|resort|capital|harbour|harbor))\b")
#: A line that only gives a date ("December 20, 2022"), skipped when looking back.
_DATE_LINE = re.compile(r"(?=[^\n]{0,40}$)(?![^\n]*\b[a-z]{3,})[^\n]*\d[^\n]*")
#: Kinds a town-like antecedent may have.
_TOWN_KINDS = {"city", "town", "village", "capital", "port", ""}


def _norm(text: str) -> str:
    return re.sub(r"[^\w]+", " ", text.lower()).strip()


@dataclass(frozen=True, slots=True)
class Unresolved:
    """A descriptive phrase that names no place we can be sure of."""

    start: int
    end: int
    text: str
    sentence: int
    reason: str


@functools.lru_cache(maxsize=1)
def capital_names() -> dict[str, str]:
    """ISO country code → the capital's name, from the gazetteer's country table (GeoNames)."""
    try:
        from ..gazetteer.geonames import load_countries

        return {iso: c["capital"] for iso, c in load_countries().items() if c.get("capital")}
    except Exception:  # no country table installed: capitals stay unresolved, nothing breaks
        return {}


def resolve_phrases(text: str, sentences: Sequence[Sentence], spotting: Spotting,
                    lookup: Callable[[str], Sequence[Candidate]]) -> list[Unresolved]:
    """Add a :class:`PlaceSpan` to ``spotting.places`` for each phrase that names a place.

    Spans the phrase covers ("Kazakhstan" in "the capital of Kazakhstan") are replaced.
    Returns the phrases left unresolved, for the mentions list.
    """
    capitals = capital_names()
    unresolved: list[Unresolved] = []
    added: list[PlaceSpan] = []
    by_sentence: dict[int, list[PlaceSpan]] = {}
    by_index = {s.index: s for s in sentences}
    for p in spotting.places:
        by_sentence.setdefault(p.sentence, []).append(p)

    def capital_of(iso: str) -> Candidate | None:
        name = capitals.get(iso)
        if not name:
            return None
        cands = [c for c in lookup(name) if c.country == iso and c.kind not in REGION_KINDS]
        # "New Delhi", not the bigger Delhi that also answers to the name
        wanted = _norm(name)
        return max(cands, key=lambda c: (_norm(c.name) == wanted, c.population)) if cands else None

    def country_code(name: str) -> str | None:
        for c in lookup(name):
            if c.kind == "country" and c.country:
                return c.country
        return None

    def window(s: Sentence, pos: int) -> list[PlaceSpan]:
        """Places named earlier in this sentence and in the previous one, nearest last."""
        back = s.index - 1
        while back > 0 and _DATE_LINE.fullmatch(by_index[back].text) and not by_sentence.get(back):
            back -= 1  # a date line ("December 20, 2022") between the headline and the lead
        prev = [p for p in by_sentence.get(back, []) + [a for a in added if a.sentence == back]]
        here = [p for p in by_sentence.get(s.index, []) + [a for a in added if a.sentence == s.index]
                if p.end <= pos]
        return sorted(prev, key=lambda p: p.start) + sorted(here, key=lambda p: p.start)

    def towns(spans: list[PlaceSpan]) -> dict[str, PlaceSpan]:
        out: dict[str, PlaceSpan] = {}
        for p in spans:
            best = p.best
            if best is None or p.institution or p.is_region or best.kind not in _TOWN_KINDS \
                    or p.text.lower() in MACRO_REGIONS:
                continue
            out[best.ref or best.name] = p
        return out

    def last_country(spans: list[PlaceSpan]) -> str | None:
        for p in reversed(spans):
            if p.best is not None and p.best.kind == "country" and p.is_region:
                return p.best.country
        return None

    def appositive(s: Sentence, start: int) -> bool:
        """"Tashkent, the Uzbek capital": a description of the name just before, not a place of its own."""
        before = text[max(s.start, start - 3):start]
        return before.endswith(", ") and any(
            p.end in (start - 2, start - 3) and p.best is not None and not p.is_region
            for p in by_sentence.get(s.index, []))

    def add(s: Sentence, start: int, end: int, cand: Candidate, how: str) -> None:
        phrase = text[start:end]
        possessive = bool(re.match(r"['’]s?\b", text[end:end + 2]))
        cand = replace(cand, reason=f"{cand.reason}; {how}" if cand.reason else how)
        added.append(PlaceSpan(start, end, phrase, cand.name, (cand,), s.index, possessive=possessive,
                               described=phrase))

    def miss(s: Sentence, start: int, end: int, reason: str) -> None:
        unresolved.append(Unresolved(start, end, text[start:end], s.index, reason))

    for s in sentences:
        body = s.text
        taken: list[tuple[int, int]] = []

        def free(a: int, b: int) -> bool:
            return not any(a < y and x < b for x, y in taken)

        for m in _CAPITAL_OF.finditer(body):
            start, end = s.start + m.start(), s.start + m.end()
            words = m["country"].split()
            iso = None
            while words and iso is None:  # "the capital of Kazakhstan Astana" is rare; "of South Korea, Seoul"
                iso = country_code(" ".join(words))
                if iso is None:
                    words = words[:-1]
            if iso is None or appositive(s, start):
                continue
            end = s.start + m.start("country") + len(" ".join(words))
            cand = capital_of(iso)
            taken.append((start - s.start, end - s.start))
            if cand is None:
                miss(s, start, end, "a capital the gazetteer does not know")
            else:
                add(s, start, end, cand, f"the capital of {' '.join(words)}")
        for m in _CAPITAL_ADJ.finditer(body):
            iso = country_of_adjective(m["adj"])
            start, end = s.start + m.start(), s.start + m.end()
            if iso is None or not free(m.start(), m.end()):
                continue
            taken.append((m.start(), m.end()))
            if appositive(s, start):
                continue
            cand = capital_of(iso)
            if cand is None:
                miss(s, start, end, "a capital the gazetteer does not know")
            else:
                add(s, start, end, cand, f"the {m['adj']} capital")
        for m in _COUNTRY_CAPITAL.finditer(body):
            if not free(m.start(), m.end()):
                continue
            words = m["country"].split()
            iso = None
            while words and iso is None:  # "Kenya's", "South Korea's", but not "Biden visited Kenya's"
                iso = country_code(" ".join(words))
                if iso is None:
                    words = words[1:]
            if iso is None:
                continue
            start = s.start + m.end() - len(m.group(0)) + m.group(0).index(words[0])
            end = s.start + m.end()
            cand = capital_of(iso)
            taken.append((start - s.start, m.end()))
            if cand is not None and not appositive(s, start):
                add(s, start, end, cand, f"{' '.join(words)}'s capital")
        for m in _THE_COUNTRYS.finditer(body):
            if not free(m.start(), m.end()):
                continue
            start, end = s.start + m.start(), s.start + m.end()
            taken.append((m.start(), m.end()))
            iso = last_country(window(s, start))
            if m["desc"].lower() == "capital" and iso is not None and (cand := capital_of(iso)) is not None:
                add(s, start, end, cand, "the capital of the country named before")
            else:
                miss(s, start, end, "a description that names no place (the country named before has "
                                    "no such place in the gazetteer)")
        for m in _ANAPHOR.finditer(body):
            start, end = s.start + m.start(), s.start + m.end()
            after = body[m.end():m.end() + 5]
            if not free(m.start(), m.end()) or re.match(r"['’]", after) or re.match(r"\s+of\b", after) \
                    or re.match(r"\s+[A-Z]", after) or appositive(s, start):
                continue  # "the city's mayor", "the city of Lyon", "the port of Tartus", "the city Lyon"
            taken.append((m.start(), m.end()))
            spans = window(s, start)
            # a town named earlier in the same sentence is the nearer antecedent
            found = towns([p for p in spans if p.sentence == s.index]) or towns(spans)
            desc = m["desc"].lower()
            if desc == "capital":
                capital_refs = {c.ref for iso in {p.best.country for p in found.values()}
                                if (c := capital_of(iso)) is not None}
                found = {k: p for k, p in found.items() if p.best.ref in capital_refs}
                if not found and (iso := last_country(spans)) is not None and \
                        (cand := capital_of(iso)) is not None:
                    add(s, start, end, cand, "the capital of the country named before")
                    continue
            if len(found) == 1:
                target = next(iter(found.values()))
                add(s, start, end, target.best, f"{text[start:end]} refers back to {target.text}")
            elif found:
                miss(s, start, end, "a description that could refer back to "
                                    + " or ".join(p.text for p in found.values()) + "; not a stop")
            else:
                miss(s, start, end, "a description with no place named just before it; not a stop")

    if added or unresolved:
        # "Kazakhstan" in "the capital of Kazakhstan", "Pacific" in "the country's Pacific port"
        covered = [(a.start, a.end) for a in added] + [(u.start, u.end) for u in unresolved]
        spotting.places = [p for p in spotting.places
                           if not any(p.start < b and a < p.end for a, b in covered)] + added
        spotting.places.sort(key=lambda p: p.start)
    return unresolved
