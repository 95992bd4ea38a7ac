"""From articles to a draft itinerary: the steps in order, and the merge of several articles.

read → sentences → publication date → places and persons → the traveller →
dates → stop or mention → one stop per place and day → joint geocoding (with
distance phrases as extra evidence) → :class:`Extraction`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from typing import Iterable, Sequence

from ..errors import TripError
from ..geo import distance_km
from ..geocoding import Candidate, GeocodeResult
from ..itinerary import Itinerary, Place, Source, Stop, safe_url
from .dates import DateSpan, clause_tense, find_dates, find_published, resolve
from .phrases import resolve_phrases
from .places import PlaceSpan, PlaceSpotter
from .reading import Article
from .sentences import Sentence, clause_bounds, split_sentences
from .stops import (Finding, Reference, choose_traveller, classify, find_actors, mark_cancelled,
                    traveller_titles)

__all__ = ["DraftStop", "Mention", "Extraction", "Extractor", "merge_extractions"]

_EVIDENCE_LIMIT = 4000
#: Text beyond this is not read (a news report is a few thousand characters; this bounds the work).
MAX_TEXT_CHARS = 200_000


@dataclass(frozen=True, slots=True)
class DraftStop:
    """A proposed stop, with everything a reviewer needs to accept or reject it."""

    place: Place
    date: dt.date | None
    end_date: dt.date | None
    date_precision: str  # "day", "approximate", "month"
    status: str  # "visited", "planned", "origin"
    confidence: float  # how sure the extractor is that this is a stop *and* where it is
    evidence: tuple[str, ...]  # the supporting sentences
    sources: tuple[str, ...]  # file names or URLs
    cue: str = ""  # the words that make it a stop ("arrived in", "left", "dateline")
    date_text: str = ""  # the expression the date came from
    text: str = ""  # the name as written in the article

    def to_stop(self) -> Stop:
        """This draft as an itinerary :class:`~trip.itinerary.Stop`."""
        evidence = "\n".join(self.evidence)
        if len(evidence) > _EVIDENCE_LIMIT:
            evidence = evidence[: _EVIDENCE_LIMIT - 1] + "…"
        note = f"from articles: {self.cue}" + (f"; date from “{self.date_text}”" if self.date_text else "")
        return Stop(
            place=self.place,
            date=self.date,
            end_date=self.end_date if self.date else None,
            date_precision=self.date_precision,
            status=self.status,
            note=note,
            sources=tuple(_source(s) for s in self.sources),
            evidence=evidence,
        )

    def to_json(self) -> dict:
        loc = self.place.location
        return {
            "place": self.place.name,
            "text": self.text,
            "lat": round(loc.lat, 6) if loc else None,
            "lon": round(loc.lon, 6) if loc else None,
            "country": self.place.country,
            "kind": self.place.kind,
            "date": self.date.isoformat() if self.date else None,
            "end_date": self.end_date.isoformat() if self.end_date else None,
            "date_precision": self.date_precision,
            "date_text": self.date_text,
            "status": self.status,
            "confidence": round(self.confidence, 2),
            "cue": self.cue,
            "evidence": self.evidence[0] if len(self.evidence) == 1 else list(self.evidence),
            "source": self.sources[0] if len(self.sources) == 1 else list(self.sources),
        }


@dataclass(frozen=True, slots=True)
class Mention:
    """A place named in an article that is not a stop, and why."""

    text: str
    reason: str
    evidence: str
    source: str
    place: Place | None = None

    def to_json(self) -> dict:
        loc = self.place.location if self.place else None
        return {"place": self.place.name if self.place else self.text, "text": self.text,
                "lat": round(loc.lat, 6) if loc else None, "lon": round(loc.lon, 6) if loc else None,
                "reason": self.reason, "evidence": self.evidence, "source": self.source}


@dataclass(frozen=True, slots=True)
class Extraction:
    """The draft itinerary found in one or more articles."""

    stops: tuple[DraftStop, ...] = ()
    mentions: tuple[Mention, ...] = ()
    published: dt.date | None = None
    published_how: str = ""
    travellers: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    def itinerary(self, *, title: str = "") -> Itinerary:
        """The stops as an :class:`~trip.itinerary.Itinerary` (what ``-o`` writes).

        Raises :class:`~trip.errors.TooManyStops` past :data:`trip.formats.MAX_STOPS`,
        the limit every file and link obeys.
        """
        from ..formats import check_stop_count

        check_stop_count(len(self.stops), name=None, field="articles")
        if not title:
            who = ", ".join(self.travellers)
            title = f"Trip of {who} (draft from articles)" if who else "Draft itinerary from articles"
        return Itinerary(stops=tuple(s.to_stop() for s in self.stops), title=title[:500],
                         description="Drafted by `trip extract`; review every stop and its evidence.",
                         sources=tuple(_source(s) for s in self.sources))

    def to_json(self) -> dict:
        return {
            "published": self.published.isoformat() if self.published else None,
            "published_how": self.published_how,
            "travellers": list(self.travellers),
            "stops": [s.to_json() for s in self.stops],
            "mentions": [m.to_json() for m in self.mentions],
            "warnings": list(self.warnings),
        }


def _source(text: str) -> Source:
    return Source(url=text) if safe_url(text) else Source(title=text or "article")


def _place_from(cand: Candidate | None, name: str, confidence: float | None = None) -> Place:
    if cand is None:
        return Place(name[:300])
    return Place(cand.name[:300], cand.location, source=cand.source, country=cand.country,
                 kind=cand.kind, confidence=confidence if confidence is not None else cand.confidence,
                 ref=cand.ref)


@dataclass
class _Record:
    """A stop while one article is being read."""

    key: str
    name: str  # what to geocode
    text: str
    span: PlaceSpan
    date: dt.date | None
    end_date: dt.date | None
    precision: str
    date_text: str
    explicit: bool  # the date was written next to the place
    status: str
    confidence: float
    cue: str
    order: int
    evidence: list[str] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    countries: set[str] = field(default_factory=set)  # countries named in its sentences
    weak: bool = False  # only a headline or a dateline says so
    moved: bool = False  # the sentence moves the traveller there ("flew back to Rzeszów")


_DAY = dt.timedelta(days=1)
_MOVES = {"went to", "headed for", "came from", "left", "came back from", "then went to"}


class Extractor:
    """Reads articles with a gazetteer (for spotting) and a geocoder (for joint resolution).

    Build one and reuse it: opening the gazetteer is the slow part.

    >>> from trip.extract import Extractor, article_from_text
    >>> ex = Extractor()  # doctest: +SKIP
    >>> ex.extract(article_from_text("…"), published=dt.date(2023, 9, 18))  # doctest: +SKIP
    """

    def __init__(self, gazetteer=None, geocoder=None, *, today: dt.date | None = None) -> None:
        if gazetteer is None:
            if geocoder is not None and hasattr(geocoder, "gazetteer"):
                gazetteer = geocoder.gazetteer
            else:
                from ..gazetteer import open_gazetteer

                gazetteer = open_gazetteer()
        if geocoder is None:
            from ..gazetteer import Gazetteer

            if isinstance(gazetteer, Gazetteer):
                from ..geocoding.offline import OfflineGeocoder

                geocoder = OfflineGeocoder(gazetteer)
            # any other index (a small fake in tests): places resolve to their spotted candidates
        self.spotter = PlaceSpotter(gazetteer)
        self.geocoder = geocoder
        self.today = today

    # -- one article -------------------------------------------------------------------

    def extract(self, article: Article, *, published: dt.date | None = None) -> Extraction:
        text = article.text
        source = article.source or "article"
        warnings: list[str] = []
        if len(text) > MAX_TEXT_CHARS:
            cut = text.rfind("\n\n", 0, MAX_TEXT_CHARS)
            text = text[: cut if cut > 0 else MAX_TEXT_CHARS]
            warnings.append(f"{source}: only the first {len(text):,} characters were read "
                            f"(the article has {len(article.text):,})")
        sentences = split_sentences(text)
        how = ""
        if published is not None:
            how = "given"
            own = article.published or find_published(text, today=self.today)[0]
            if own is not None and own != published:
                warnings.append(f"{source}: the article itself is dated {own.isoformat()}, but "
                                f"{published.isoformat()} was given and used for its relative dates")
        elif article.published is not None:
            published, how = article.published, "HTML metadata"
        else:
            published, how = find_published(text, today=self.today)
        if published is None:
            warnings.append(f"{source}: no publication date given or found; relative dates "
                            "(\"on Tuesday\", \"yesterday\") are left empty (use --published)")

        has_headline = _has_headline(text, article)
        self._paragraph_of = {x.index: x.paragraph for x in sentences}
        spotting = self.spotter.spot(text, sentences)
        # "the Russian capital", "the port city": places named by a description
        unresolved = resolve_phrases(text, sentences, spotting, self.spotter.lookup)
        travellers = choose_traveller(sentences, spotting)
        titles = traveller_titles(text, spotting, travellers)

        # dates, in reading order, each resolved against the publication and narrative dates
        narrative: dt.date | None = None
        lead: dt.date | None = None
        first_dated: int | None = None
        dated: dict[int, list[tuple[DateSpan, dt.date | None, str]]] = {}
        for s in sentences:
            items = []
            bounds = clause_bounds(s.text)
            for span in find_dates(s.text):
                clause = next((c for c in bounds if c[0] <= span.start < c[1]), (0, len(s.text)))
                tense = clause_tense(s.text[clause[0]:clause[1]]) or clause_tense(s.text)
                date, precision = resolve(span, published=published, narrative=narrative, tense=tense)
                items.append((span, date, precision))
                if date is not None and precision == "month" and span.year:
                    narrative = date  # "in September 1835": the story has moved to that year
                if date is not None and precision == "day":
                    narrative = date
                    if lead is None and (s.paragraph > 0 or not has_headline) and \
                            len(_paragraph(text, s)) > 60:
                        lead, first_dated = date, s.index
            dated[s.index] = items
        lead = lead or published
        days = [d for items in dated.values() for _, d, p in items if d is not None and p == "day"]
        # news tells of a few days; a long chronicle's undated places are left undated
        self._short_story = not days or (max(days) - min(days)).days <= 10
        self._first_dated = first_dated if first_dated is not None else len(sentences)
        self._published = published

        # stop or mention, sentence by sentence
        findings: list[tuple[Sentence, Finding]] = []
        vehicle_seen: bool | None = None  # the last vehicle named: the traveller's or not
        previous_agent: list = []
        previous_paragraph = -1
        by_sentence: dict[int, list[PlaceSpan]] = {}
        for p in spotting.places:
            by_sentence.setdefault(p.sentence, []).append(p)
        self._places_in_sentence = by_sentence
        for s in sentences:
            actors = find_actors(s, spotting, travellers, vehicle_seen, titles)
            if s.paragraph != previous_paragraph:
                previous_agent = []
                previous_paragraph = s.paragraph
            headline = has_headline and s.paragraph == 0
            places = by_sentence.get(s.index, [])
            if places:
                for f in classify(s, places, actors, headline=headline, previous_agent=previous_agent):
                    findings.append((s, f))
            vehicles = [a for a in actors if a.kind == "vehicle"]
            if vehicles:
                vehicle_seen = vehicles[-1].traveller
            if actors:
                previous_agent = [actors[0]] if actors[0].kind != "others" else []
        _mark_dateline(text, sentences, findings, has_headline)
        mark_cancelled(sentences, findings)

        records, mentions = self._records(findings, dated, text, published, lead, source)
        sentence_text = {x.index: x.text for x in sentences}
        mentions.extend(Mention(u.text, u.reason, sentence_text.get(u.sentence, ""), source) for u in unresolved)
        stops = self._geocode(records, source)
        extraction = Extraction(
            stops=tuple(stops), mentions=tuple(mentions), published=published, published_how=how,
            travellers=tuple(spotting.persons[i] for i in sorted(travellers)), sources=(source,),
            warnings=tuple(warnings))
        return extraction

    def extract_many(self, articles: Sequence[Article], *, published: dt.date | None = None
                     ) -> Extraction:
        """Extract each article, then merge: one stop per place and day, all evidence kept."""
        return merge_extractions([self.extract(a, published=published) for a in articles])

    # -- records: one per place and day ---------------------------------------------------

    def _records(self, findings, dated, text, published, lead, source):
        records: list[_Record] = []
        weak: list[tuple[Sentence, Finding]] = []
        mentions: list[Mention] = []
        seen_mentions: set[tuple[str, str]] = set()
        paragraph_date: dict[int, tuple[dt.date, str]] = {}
        order = 0
        # "returned to England, docking at Falmouth": countries named beside a stop say which one
        countries_in: dict[int, set[str]] = {}
        for s, f in findings:
            best = f.span.best
            if not f.stop and best is not None and best.country and best.kind in ("country", "region") \
                    and f.reason.startswith("a country or region"):
                countries_in.setdefault(s.index, set()).add(best.country)
        for s, f in findings:
            # remember the latest date of each paragraph, for sentences that give none
            if not f.stop:
                for ref in f.references:
                    target = _reference_target(records, findings, s, f)
                    if target is not None:
                        target.references.append(ref)
                key = (f.span.text, f.reason)
                if key not in seen_mentions:
                    seen_mentions.add(key)
                    mentions.append(Mention(f.span.text, f.reason, s.text, source,
                                            _place_from(f.span.best, f.span.text) if f.span.best else None))
                continue
            if f.headline or f.dateline:
                weak.append((s, f))
                continue
            date, end_date, precision, date_text, explicit = self._date_for(s, f, dated, paragraph_date,
                                                                            lead)
            status = _status(s, f, date, published)
            if status == "planned" and not explicit and precision == "approximate":
                date, precision, date_text = None, "day", ""
            order += 1
            rec = _Record(_key(f.span), f.span.name, f.span.text, f.span, date, end_date, precision,
                          date_text, explicit, status, f.confidence, f.reason, order, [s.text],
                          moved=f.reason in _MOVES, countries=countries_in.get(s.index, set()))
            _merge_record(records, rec)
        for s, f in weak:
            key = _key(f.span)
            existing = [r for r in records if r.key == key or _norm(f.span.text) in (_norm(r.text),
                        _norm(r.name), _norm(r.span.best.name) if r.span.best else "")]
            if existing:
                if s.text not in existing[0].evidence:
                    existing[0].evidence.append(s.text)
                continue
            order += 1
            date = published if f.dateline else lead
            status = "visited"
            if f.headline and clause_tense(s.text) == "future":
                status, date = "planned", None
            records.append(_Record(key, f.span.name, f.span.text, f.span, date, None,
                                   "approximate" if date else "day", "dateline" if f.dateline else "",
                                   False, status, f.confidence, "dateline" if f.dateline else "headline",
                                   order if not f.dateline else 0, [s.text], weak=True))
        return _one_origin(_ordered(records)), mentions

    def _date_for(self, s: Sentence, f: Finding, dated, paragraph_date, lead):
        items = [(span, d, p) for span, d, p in dated.get(s.index, []) if d is not None]
        pos = f.span.start - s.start
        c0, c1 = f.clause
        def cost(span: DateSpan) -> int:
            span_end = f.span.end - s.start
            if span.start >= span_end:
                return span.start - span_end
            distance = max(0, pos - span.end)
            # "flew on that evening and landed in Pyongyang … on Wednesday": the date before the
            # "and" belongs to the first verb
            if re.search(r"\band\s+(?:then\s+)?(?:was\s+)?\w+(?:ed|ew|ent|ook|ove|ame|eft)\b",
                         s.text[span.end:pos]):
                distance += 50
            # "…visited the university and, on Sunday morning, the aquarium": that date is the next thing's
            return distance

        def belongs_to_next(span: DateSpan) -> bool:
            # "…visited the university and, on Sunday morning, the aquarium": the next thing's date;
            # "…Abu Dhabi on Saturday for a short stop before returning to Brasilia": the earlier thing's
            if span.start > pos:
                # "…a visit to Washington, his first trip abroad since the invasion in February";
                # "…in Tokyo, three days after he sat out a match": that date is for what follows
                return bool(re.search(r"\b(?:and|since|until)\b", s.text[pos:span.start])) or \
                    span.text.lower().endswith("days after")
            # "back in Ukraine on Thursday after a visit to Washington": Thursday is not the visit's
            return bool(re.search(r"\b(?:before|after)\b|\bthen\s+\w+ing\b", s.text[span.end:pos]))

        in_clause = [(cost(span), span, d, p) for span, d, p in items
                     if c0 <= span.start < c1 and not belongs_to_next(span)]
        date = end = None
        precision, date_text, explicit = "day", "", False
        if in_clause:
            _, span, date, precision = min(in_clause, key=lambda t: t[0])
            date_text, explicit = span.text, True
        else:
            future = _tense(s, f) == "future" or f.status == "planned"
            bounds = clause_bounds(s.text)
            relative = [b for b in bounds if re.match(r"(?:who|which|whose)\b", s.text[b[0]:b[1]].lstrip(", "))]
            earlier = [(span, d, p) for span, d, p in items if span.end <= c0
                       and not any(b[0] <= span.start < b[1] for b in relative)]
            nxt = next((b for b in clause_bounds(s.text) if b[0] >= c1), None)
            places_after = [p.start - s.start for p in self._places_in_sentence.get(s.index, [])
                            if p.start > f.span.start]
            # "Jakarta, where he attended a meeting on Wednesday": the date of what he did there,
            # unless another place comes first ("…, the raft was towed out of Callao on April 28")
            later = [(span, d, p) for span, d, p in items if nxt and nxt[0] <= span.start < nxt[1]
                     and re.match(r"where\b", s.text[nxt[0]:nxt[1]].lstrip(", "))
                     and not any(pa < span.start for pa in places_after)]
            if not future and earlier:
                span, date, precision = earlier[-1]
                date_text = span.text
            elif later:
                # "…for Vienna, where he will spend Wednesday"; "…to Porto, where they played on Tuesday"
                span, date, precision = later[0]
                date_text = span.text
            else:
                prior = None
                if not future:
                    prior = _paragraph_narrative(s, dated, self._paragraph_of)
                if prior is not None:
                    date, date_text = prior
                    precision = "approximate"
                elif not future and lead is not None and self._short_story:
                    # before the story names a day, it speaks of the day it was published
                    now = self._published if s.index < self._first_dated and self._published else lead
                    date, precision, date_text = now, "approximate", ""
        if f.nth_day > 1 and date is not None:
            end = date
            date = date - dt.timedelta(days=f.nth_day - 1)
        return date, end, precision, date_text, explicit

    # -- geocoding ----------------------------------------------------------------------

    def _geocode(self, records: list[_Record], source: str) -> list[DraftStop]:
        if not records:
            return []
        results: list[GeocodeResult | None] = [None] * len(records)
        pins = [_pin_by_country(r) for r in records]
        if self.geocoder is not None:
            kwargs = {}
            if any(pins):
                kwargs["fixed"] = [p.location if p is not None else None for p in pins]
            try:
                results = list(self.geocoder.geocode_route([r.name for r in records],
                                                           dates=[r.date for r in records], **kwargs))
            except TripError:
                results = [None] * len(records)
        stops = []
        chosen: list[Candidate | None] = [pin or (r.best if r is not None else None)
                                           for pin, r in zip(pins, results)]
        for i, (rec, res) in enumerate(zip(records, results)):
            cands = list(res.candidates) if res is not None and res.candidates else list(rec.span.candidates)
            best = chosen[i]
            if best is None and cands:
                best = _fallback_choice(rec.text, cands, [c for c in chosen[max(0, i - 2):i] +
                                                          chosen[i + 1:i + 3] if c is not None])
                chosen[i] = best
            if pins[i] is None:
                best = _prefer_prominent(best, rec.span.candidates, rec.references, rec.text)
                best = _apply_references(best, cands, rec.references)
            chosen[i] = best
            if best is not None and _norm(best.name) != _norm(rec.text) and not rec.span.described \
                    and _spike(best, chosen, i):
                best = None  # "West Lake" as a Westlake in Texas between Hangzhou and Shanghai
            geo_conf = best.confidence if best is not None else 0.0
            confidence = rec.confidence * (0.5 + 0.5 * geo_conf) if best else rec.confidence * 0.3
            stops.append(DraftStop(
                place=_place_from(best, rec.text, geo_conf if best else None),
                date=rec.date, end_date=rec.end_date if rec.end_date and rec.date and
                rec.end_date > rec.date else None,
                date_precision=rec.precision if rec.date else "day",
                status=rec.status, confidence=round(min(1.0, confidence), 3),
                evidence=tuple(dict.fromkeys(rec.evidence)), sources=(source,), cue=rec.cue,
                date_text=rec.date_text, text=rec.text))
        return stops


# -- helpers ------------------------------------------------------------------------------


def _has_headline(text: str, article: Article) -> bool:
    first, _, rest = text.partition("\n\n")
    if not rest:
        return False
    if article.title and first == article.title:
        return True
    return len(first) < 160 and not first.rstrip().endswith((".", "!", "?", "”", '"'))


def _paragraph(text: str, s: Sentence) -> str:
    start = text.rfind("\n\n", 0, s.start)
    end = text.find("\n\n", s.start)
    return text[start + 2 if start >= 0 else 0: end if end >= 0 else len(text)]


def _paragraph_narrative(s: Sentence, dated, paragraph_of: dict[int, int]) -> tuple[dt.date, str] | None:
    """The last day-precise date of earlier sentences in the same paragraph."""
    for index in range(s.index - 1, -1, -1):
        if paragraph_of.get(index) != s.paragraph:
            return None
        found = [(span, d) for span, d, p in dated.get(index, []) if d is not None and p == "day"]
        if found:
            return found[-1][1], found[-1][0].text
    return None


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def _key(span: PlaceSpan) -> str:
    best = span.best
    return best.ref if best is not None and best.ref else re.sub(r"\W+", " ", span.text.lower()).strip()


def _tense(s: Sentence, f: Finding) -> str:
    """The clause's tense; a verbless clause ("and then to Vladivostok") takes the sentence's so far."""
    return clause_tense(s.text[f.clause[0]:f.clause[1]]) or clause_tense(s.text[:f.clause[1]])


def _status(s: Sentence, f: Finding, date: dt.date | None, published: dt.date | None) -> str:
    if f.status == "origin":
        return "origin"
    tense = _tense(s, f)
    if tense == "future":
        return "planned"
    if date is not None and published is not None and date > published:
        return "planned"  # whatever the tense, a day after publication is still to come
    if tense == "" and date is None and clause_tense(s.text) == "future":
        return "planned"
    return "visited"


def _merge_record(records: list[_Record], rec: _Record) -> _Record:
    same_place = [r for r in records if r.key == rec.key]
    if not same_place:
        records.append(rec)
        return rec
    for r in same_place:
        if r.date == rec.date or (r.end_date and rec.date and r.date and r.date <= rec.date <= r.end_date):
            _absorb(r, rec)
            return r
    last = same_place[-1]
    if not rec.explicit and rec.moved and records[-1] is not last and rec.date and last.date \
            and rec.date > last.date:
        records.append(rec)  # a return after other stops: "flew back to Rzeszów"
        return rec
    if not rec.explicit:
        if not last.explicit and not last.date_text and rec.date_text and rec.date and last.date \
                and rec.date < last.date:
            # the lead's default day gives way to the day the story has reached ("He went on to
            # Biarritz" told under Saturday, after a lead that only said "after a summit in Biarritz")
            last.date, last.precision, last.date_text = rec.date, rec.precision, rec.date_text
        _absorb(last, rec)
        return last
    if rec.status == "origin" and last.date and rec.date and 0 < (rec.date - last.date).days <= 14 \
            and not any(r.date and last.date < r.date < rec.date for r in records):
        # "…took a train from New York to Washington" after days in New York: the stay ends
        last.end_date = max(rec.date, last.end_date or rec.date)
        _absorb(last, rec)
        return last
    if not last.explicit or last.date is None:
        # a written date beats an inherited one
        last.date, last.precision, last.date_text, last.explicit = rec.date, rec.precision, rec.date_text, True
        if rec.end_date:
            last.end_date = rec.end_date
        _absorb(last, rec)
        return last
    if last.date and rec.date and 0 < (rec.date - last.date).days <= 7 and rec.status == last.status \
            and not rec.moved and not any(r.date and last.date < r.date < rec.date for r in records) \
            and (records[-1] is last or all(r.date and r.date <= last.date for r in records[records.index(last) + 1:])):
        # the same stay, told over several days: "arrived in Luanda on Monday … on Tuesday … in Luanda"
        last.end_date = max(rec.date, last.end_date or rec.date)
        _absorb(last, rec)
        return last
    if last.date and rec.date and 0 < (last.date - rec.date).days <= 14 and rec.status != "origin" \
            and not any(r.date and r.key != rec.key and rec.date < r.date < last.date for r in records):
        # the same stay told from its end: "left the Mongolian capital on Monday" … "landed in
        # Ulaanbaatar on Friday" (a departure *from* the place before is a new stop: a return)
        last.end_date = max(last.end_date or last.date, last.date)
        last.date, last.precision, last.date_text = rec.date, rec.precision, rec.date_text
        if last.status == "origin":
            last.status = rec.status
        _absorb(last, rec)
        return last
    records.append(rec)
    return rec


def _absorb(into: _Record, other: _Record) -> None:
    for e in other.evidence:
        if e not in into.evidence:
            into.evidence.append(e)
    into.references.extend(other.references)
    into.countries |= other.countries
    into.confidence = max(into.confidence, other.confidence)
    if into.status == "planned" and other.status == "visited" and other.explicit:
        into.status = "visited"


def _one_origin(records: list[_Record]) -> list[_Record]:
    """Only the journey's first stop is its origin: "left Vladivostok on Friday for home",
    after days there, is the start of the last leg, a place visited."""
    for rec in records[1:]:
        if rec.status == "origin":
            rec.status = "visited"
    return records


def _ordered(records: list[_Record]) -> list[_Record]:
    """Sort by date; an undated stop keeps its place after the stop before it in the text,
    and an undated planned stop goes after every dated one (it is still to come)."""
    by_text = sorted(records, key=lambda r: r.order)
    return [by_text[i] for i in _order([(r.date, r.status) for r in by_text])]


def _order(items: list[tuple[dt.date | None, str]]) -> list[int]:
    known = [d for d, _ in items if d is not None]
    latest = max(known) if known else dt.date.min
    first = min(known) if known else dt.date.min
    effective: list[dt.date] = []
    current: dt.date | None = None
    for date, status in items:
        if date is not None:
            current = date
            effective.append(date)
        elif status == "planned":
            effective.append(latest)
        else:
            effective.append(current or first)
    return sorted(range(len(items)), key=lambda i: (effective[i], 0 if items[i][1] == "origin" else 1,
                                                    0 if items[i][0] else 1, i))


def _ordered_drafts(stops: list[DraftStop]) -> list[DraftStop]:
    return [stops[i] for i in _order([(s.date, s.status) for s in stops])]


def _reference_target(records, findings, s, f) -> _Record | None:
    """The stop a distance phrase describes: a stop earlier in the sentence, else the last stop."""
    in_sentence = [g for t, g in findings if t.index == s.index and g.stop and g.span.end <= f.span.start]
    if in_sentence:
        key = _key(in_sentence[-1].span)
        for r in reversed(records):
            if r.key == key:
                return r
    return records[-1] if records else None


def _spike(best: Candidate, chosen: list[Candidate | None], i: int) -> bool:
    """A stop thousands of kilometres off a route whose neighbours are close together."""
    prev = next((c for c in reversed(chosen[:i]) if c is not None), None)
    nxt = next((c for c in chosen[i + 1:] if c is not None), None)
    if prev is None or nxt is None:
        return False
    if distance_km(prev.location, nxt.location) < 50:
        return False  # out and back from one place (Rome to Ulaanbaatar and home): no route to leave
    return distance_km(prev.location, nxt.location) < 1000 and \
        min(distance_km(best.location, prev.location), distance_km(best.location, nxt.location)) > 2000


def _pin_by_country(rec: _Record) -> Candidate | None:
    """The candidate in a country named in the same sentence, when the top one is elsewhere.

    A place named by a description ("the Russian capital") is pinned to the place it
    was resolved to: its "name" is not what the article wrote.
    """
    if rec.span.described and rec.span.candidates:
        return rec.span.candidates[0]
    cands = [c for c in rec.span.candidates if c.kind not in ("country", "region")]
    if not rec.countries or not cands or cands[0].country in rec.countries:
        return None
    inside = [c for c in cands if c.country in rec.countries]
    if not inside:
        return None
    pick = max(inside, key=lambda c: c.confidence)
    return replace(pick, confidence=max(pick.confidence, 0.75),
                   reason=pick.reason + "; in the country the sentence names")


def _fallback_choice(text: str, cands: list[Candidate], neighbours: list[Candidate]) -> Candidate:
    """When joint resolution leaves a stop open, pick with the article's help.

    A place whose own name is what the article wrote beats a bigger place that
    merely has it as an alternative spelling ("Dili" is East Timor's capital, not
    Delhi), and a candidate near the neighbouring stops beats a far one.
    """
    wanted = _norm(text)

    def score(c: Candidate) -> float:
        value = c.confidence
        if _norm(c.name) == wanted:
            value += 0.5
        if neighbours:
            nearest = min(distance_km(c.location, n.location) for n in neighbours)
            value += 0.4 if nearest < 3000 else 0.0
        return value

    return max(cands, key=score)


def _prefer_prominent(best: Candidate | None, spotted: Sequence[Candidate], refs: list[Reference],
                      text: str = "") -> Candidate | None:
    """A city of half a million beats a small namesake the route happens to pass near.

    Joint resolution favours short legs, which pulls "Washington" towards a
    village near the rest of a European trip; a news report naming a big city
    means the big city unless a distance phrase says otherwise.
    """
    if best is None or not spotted or refs:
        return best
    top = spotted[0]
    if top.ref != best.ref and top.kind not in ("country", "region") and top.population >= 200_000 \
            and top.population >= 3 * best.population and best.population < 100_000 \
            and best.kind in ("city", "") and _close_name(top, best):
        return top
    # "Rome" is Rome, not Lomé: a big place with exactly the written name beats an alias match
    exact = [c for c in spotted if _norm(c.name) == _norm(text) and c.kind not in ("country", "region")]
    if exact and _norm(best.name) != _norm(text):
        big = max(exact, key=lambda c: c.population)
        if big.population >= 500_000 and big.population >= best.population:
            return big
    return best


def _close_name(a: Candidate, b: Candidate) -> bool:
    return a.name.split(",")[0].lower() == b.name.split(",")[0].lower()


def _apply_references(best: Candidate | None, cands: list[Candidate], refs: list[Reference]
                      ) -> Candidate | None:
    """Prefer the candidate that agrees with "about 40 km north-east of Vladivostok"."""
    if best is None or not refs or len(cands) < 2:
        return best

    def misfit(c: Candidate) -> float:
        total = 0.0
        for ref in refs:
            anchor = ref.place.best
            if anchor is None:
                continue
            d = distance_km(c.location, anchor.location)
            expected = ref.km if ref.km is not None else 50.0
            slack = max(expected * 0.5, 25.0)
            total += max(0.0, abs(d - expected) - slack) / max(expected, 25.0) if ref.km is not None \
                else max(0.0, d - 150.0) / 150.0
        return total

    current = misfit(best)
    if current < 0.5:
        return best
    alternative = min(cands, key=misfit)
    if misfit(alternative) < 0.3:
        return replace(alternative, reason=alternative.reason + "; fits the distance given in the article")
    return best


def _mark_dateline(text: str, sentences: list[Sentence], findings: list[tuple[Sentence, Finding]],
                   has_headline: bool) -> None:
    """"DONG DANG, Vietnam — …": the reporter (and usually the traveller) is there."""
    body = [s for s in sentences if s.paragraph > 0 or not has_headline]
    for s in body[:3]:
        m = re.match(r"([A-ZÀ-Þ][A-ZÀ-Þ .'\-/]{2,60}?)(?=,|\s+[—–-]|\s*\()", s.text)
        if not m or not m.group(1).replace(" ", "").replace("/", "").replace("-", "").replace(".", "").isupper():
            continue
        end = s.start + m.end()
        for t, f in findings:
            if t.index == s.index and f.span.start < end and f.span.text.isupper():
                if not f.span.is_region:
                    f.stop, f.dateline, f.reason, f.confidence, f.status = True, True, "dateline", 0.5, \
                        "visited"
        return


def merge_extractions(extractions: Iterable[Extraction]) -> Extraction:
    """Several articles about one trip → one itinerary: same place, same day = one stop."""
    extractions = list(extractions)
    if len(extractions) == 1:
        return extractions[0]
    merged: list[DraftStop] = []
    for ex in extractions:
        for stop in ex.stops:
            key = stop.place.ref or stop.place.name.lower()
            match = None
            for i, other in enumerate(merged):
                okey = other.place.ref or other.place.name.lower()
                if okey == key and (other.date == stop.date or other.date is None or stop.date is None):
                    match = i
                    break
            if match is None:
                merged.append(stop)
                continue
            other = merged[match]
            primary, secondary = (other, stop) if (other.date_precision == "day" and other.date) or \
                stop.date is None else (stop, other)
            merged[match] = replace(
                primary,
                evidence=tuple(dict.fromkeys(primary.evidence + secondary.evidence)),
                sources=tuple(dict.fromkeys(primary.sources + secondary.sources)),
                confidence=max(primary.confidence, secondary.confidence),
                end_date=max([d for d in (primary.end_date, secondary.end_date) if d], default=None),
            )
    merged = _ordered_drafts(merged)
    merged = merged[:1] + [replace(s, status="visited") if s.status == "origin" else s for s in merged[1:]]
    mentions: list[Mention] = []
    seen: set[tuple[str, str, str]] = set()
    for ex in extractions:
        for m in ex.mentions:
            if (m.text, m.reason, m.source) not in seen:
                seen.add((m.text, m.reason, m.source))
                mentions.append(m)
    published = max((e.published for e in extractions if e.published), default=None)
    return Extraction(
        stops=tuple(merged), mentions=tuple(mentions), published=published,
        published_how="latest of the articles" if published else "",
        travellers=tuple(dict.fromkeys(t for e in extractions for t in e.travellers)),
        sources=tuple(dict.fromkeys(s for e in extractions for s in e.sources)),
        warnings=tuple(w for e in extractions for w in e.warnings))
