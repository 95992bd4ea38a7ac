"""Spotting place names and person names in an article, with the gazetteer.

Capitalised runs of words are the candidates ("Port Moresby", "Komsomolsk-on-Amur",
"Kim Jong Un"). A run that the gazetteer knows as a whole is a place; a run of
several words that it does not know is a name (a person, a building, a forum),
and its words are *not* tried one by one, so "Kim Jong Un" never becomes the
Indian town of Kim and "Santiago Bernabeu" never becomes Santiago. Words of a
person's name are remembered for the whole article, so a later bare "Kim" is
the person too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol, Sequence

from ..geocoding import Candidate
from .sentences import Sentence

__all__ = ["NameIndex", "PlaceSpan", "PersonSpan", "Spotting", "PlaceSpotter", "REGION_KINDS"]


class NameIndex(Protocol):
    """What the spotter needs from the gazetteer: exact and alias matches for a name."""

    def lookup(self, name: str) -> list[Candidate]: ...


#: Candidate kinds that are areas, not points a traveller stops at.
REGION_KINDS = {"country", "region", "admin", "admin1", "admin2", "state", "province", "continent",
                "territory", "county", "dependency", "island_group", "sea", "river", "mountains",
                "mountain_range", "ocean", "area"}

_TOKEN = re.compile(r"[^\W\d_](?:[\w\-’'.]*[^\W_])?")
_CONNECTORS = {"of", "on", "upon", "am", "an", "der", "de", "del", "la", "le", "the", "sur", "en",
               "von", "van", "da", "di", "du", "dos", "das", "bin", "ibn", "al", "el"}
#: Connectors that only join the words of a person's name ("Ursula von der Leyen").
_NAME_PARTICLES = {"von", "van", "der", "de", "da", "di", "du", "dos", "das", "bin", "ibn", "al", "el", "le",
                   "la", "del"}
_PARTICLES = {"da", "de", "dos", "das", "do", "bin", "al", "el", "van", "von", "di", "du", "le", "ibn", "y"}
# Capitalised words that start sentences or titles and are never part of a place name.
_COMMON = set("""
a an the in on at from to into after before when while later earlier his her their its our this that these
those but and or as by for with of if then meanwhile according many some other both two three four five all
officials critics fans he she they we it i you there here however also yet still since during under over
about among between despite once pictures formal heavy live republicans democrats analysts diplomats
police forces troops experts sources residents commentators campaigners protesters executives reporters
leaders students economists doctors relatives people no not now today yesterday tomorrow last next
mr mrs ms dr sir prime minister president chancellor king queen pope prince princess senator general
marshal emperor empress premier governor mayor secretary defence defense foreign interior state deputy
southeast northeast southwest northwest far middle near greater inner outer
first lady lord chief vice ambassador spokesman spokeswoman leader north south east west northern southern
eastern western central upper lower new old great grand holy saint royal federal national international
russian chinese american british french german indian japanese korean ukrainian polish serbian hungarian
vietnamese brazilian kenyan saudi arab syrian australian italian spanish portuguese swedish austrian
indonesian european asian african western ukrainians koreans chinese muslim christian catholic
january february march april may june july august september october november december
jan feb mar apr jun jul aug sep sept oct nov dec
monday tuesday wednesday thursday friday saturday sunday
""".split())
#: Function words: stripped from the start of a run only at the start of a sentence, since
#: mid-sentence they belong to a name ("To Lam", "The Hague").
_FUNCTION = set("""a an the in on at from to into after before when while later earlier his her their its our
this that these those but and or as by for with of if then meanwhile according how why what who where which
inside behind despite amid without across once since during under over about among between""".split())
_MONTHS_WEEKDAYS = set("""january february march april may june july august september october november
december monday tuesday wednesday thursday friday saturday sunday""".split())
_TITLES = set("""mr mrs ms dr sir prime minister president chancellor king queen pope prince princess senator
general marshal emperor empress premier governor mayor secretary lady lord chief ambassador spokesman
spokeswoman sheikh emir sultan cardinal archbishop bishop admiral colonel captain""".split())
_LOWER_TITLES = set("""president leader minister chancellor premier king queen pope senator secretary spokesman
spokeswoman ambassador general mayor governor counterpart ally host envoy chief""".split())
# Words that make a capitalised run an institution, building, event or vessel rather than a person.
_ORG_WORDS = set("""university college school hotel palace square stadium arena bank forum league park
memorial house fleet force forces airport airlines station prize party council ministry agency tour summit
festival museum cathedral church mosque temple hall centre center institute company group corporation base
bridge river sea ocean lake mountains mountain island islands street avenue road gate tower theatre theater
opera plant factory cosmodrome spaceport pavilion assembly parliament congress senate court army navy
commission committee union meeting games cup championship treaty accord war agreement organisation
organization news times post press television radio club foundation fund office embassy consulate
development program programme project mission academy hospital prison zoo aquarium garden gardens valley
communique declaration accords protocol doctrine consensus initiative charter statement coliseum colosseum
dome bowl speedway raceway symphony orchestra philharmonic ballet circus
desert peninsula coast bay gulf strait canal wall gallery library market mall district quarter""".split())
_SHIP_PREFIXES = {"HMS", "USS", "RMS", "SS", "MV", "MS", "HMAS", "HMCS", "HMNZS", "INS", "RV", "USNS", "FS"}
#: First words of sports clubs named after their city ("Inter Miami", "Real Madrid").
_TEAM_PREFIXES = {"inter", "real", "atletico", "atlético", "sporting", "dynamo", "dinamo", "olympique",
                  "fc", "ac", "as", "sc", "cf", "club", "racing", "borussia", "bayern", "athletic", "deportivo",
                  "spartak", "lokomotiv", "partizan", "red", "crvena", "galatasaray", "orlando", "la"}
#: Landmarks and institutions named like places but used for the people inside ("the White House said").
INSTITUTIONS = {"white house", "kremlin", "elysee", "élysée", "elysee palace", "downing street", "pentagon",
                "holy see", "vatican", "capitol", "quai d'orsay", "zhongnanhai", "blue house", "bundestag",
                "state department", "foreign office", "whitehall", "buckingham palace", "the hague", "congress",
                "parliament", "senate", "bundestag", "duma", "state duma", "knesset", "national assembly",
                "house of commons", "house of lords", "supreme court", "european commission"}
_TRANSPORT = {"airport", "international airport", "air base", "airbase", "station", "railway station",
              "cosmodrome", "spaceport", "port", "harbour", "harbor", "naval base", "base"}
_TYPE_SUFFIX = re.compile(
    r"\s+(airport|international airport|air base|station|railway station|cosmodrome|spaceport|island|"
    r"port|naval base|region|province|oblast|krai|territory)\b", re.IGNORECASE)


_BUILDING = re.compile(
    r"\s+(?:hotel|palace|stadium|arena|university|hospital|mosque|church|cathedral|temple|square|"
    r"restaurant|museum|pavilion|park|tower|building|centre|center|plant|factory|aquarium|theatre|"
    r"theater|hall|school|institute|memorial|monument|gallery|mall|market|bridge|prison|camp|bank|"
    r"company|group|brand|rocket|missile|fighter|jet|frigate|destroyer|submarine|exhibition|mausoleum|"
    r"cemetery|shrine|tomb|cenotaph|stupa|pagoda|monastery|base camp)\b")


@dataclass(frozen=True, slots=True)
class PlaceSpan:
    """A place name found in the text (offsets into the article text)."""

    start: int
    end: int
    text: str  # as written, e.g. "Pyongyang's" → text "Pyongyang"
    name: str  # the name looked up, e.g. "Knevichi airport"
    candidates: tuple[Candidate, ...]
    sentence: int
    possessive: bool = False
    institution: bool = False
    #: the descriptive phrase this span stands for ("the Russian capital"); empty for a written name
    described: str = ""

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    @property
    def is_region(self) -> bool:
        """An area (country, region) rather than a point, judged by the best candidates."""
        if not self.candidates:
            return False
        top = self.candidates[0]
        if top.kind not in REGION_KINDS:
            return False
        # a city-state ("Singapore") is also a city of the same name: then it is a point
        norm = _norm(self.text)
        return not any(c.kind not in REGION_KINDS and _norm(c.name) == norm and c.country == top.country
                       for c in self.candidates[1:])


@dataclass(frozen=True, slots=True)
class PersonSpan:
    start: int
    end: int
    person: int  # index into Spotting.persons


@dataclass
class Spotting:
    places: list[PlaceSpan] = field(default_factory=list)
    person_spans: list[PersonSpan] = field(default_factory=list)
    persons: list[str] = field(default_factory=list)  # display names, by index
    vessels: set[int] = field(default_factory=set)  # persons that are ships ("HMS Beagle")


def _norm(text: str) -> str:
    return re.sub(r"[^\w]+", " ", text.lower()).strip()


@dataclass(slots=True)
class _Token:
    text: str
    start: int
    end: int
    possessive: bool = False

    @property
    def cap(self) -> bool:
        return self.text[:1].isupper()

    @property
    def lower(self) -> str:
        return self.text.lower()


def _tokens(sentence: str, base: int) -> list[_Token]:
    out = []
    for m in _TOKEN.finditer(sentence):
        text, start, end = m.group(0), m.start(), m.end()
        possessive = False
        for suffix in ("'s", "’s", "s'", "s’"):
            if text.endswith(suffix) and len(text) > 3:
                text = text[: -2] if suffix[0] in "'’" else text[:-1]
                end = start + len(text)
                possessive = True
                break
        text = text.rstrip(".")
        end = start + len(text)
        out.append(_Token(text, base + start, base + end, possessive))
    return out


def _runs(tokens: list[_Token], sentence: str, base: int) -> list[list[_Token]]:
    """Capitalised runs: adjacent capitalised tokens, joined by connectors, broken by punctuation."""
    runs: list[list[_Token]] = []
    current: list[_Token] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.cap and tok.lower not in _MONTHS_WEEKDAYS:
            if current:
                gap = sentence[current[-1].end - base: tok.start - base]
                if not re.fullmatch(r"[ \-]", gap) or current[-1].possessive:
                    runs.append(current)
                    current = []
            current.append(tok)
            i += 1
            continue
        # a connector between two capitalised words keeps the run going ("Palace of Serbia")
        if (current and tok.lower in _CONNECTORS and not current[-1].possessive
                and i + 1 < len(tokens)):
            j = i
            while j < len(tokens) and tokens[j].lower in _CONNECTORS and j - i < 2:
                j += 1
            if j < len(tokens) and tokens[j].cap and tokens[j].lower not in _MONTHS_WEEKDAYS:
                gap = sentence[current[-1].end - base: tokens[j].start - base]
                if re.fullmatch(r"[ \w\-]+", gap):
                    current.extend(tokens[i:j])
                    i = j
                    continue
        if current:
            runs.append(current)
            current = []
        i += 1
    if current:
        runs.append(current)
    return runs


class PlaceSpotter:
    """Finds places and persons in sentences with a gazetteer's exact/alias lookup."""

    def __init__(self, index: NameIndex, *, cache_size: int = 50_000) -> None:
        self.index = index
        self._cache: dict[str, tuple[Candidate, ...]] = {}
        self._cache_size = cache_size

    def lookup(self, name: str) -> tuple[Candidate, ...]:
        key = name.lower()
        hit = self._cache.get(key)
        if hit is None:
            query = name.title() if name.isupper() and len(name) > 3 else name
            try:
                hit = tuple(self.index.lookup(query))
            except Exception:  # a name the index refuses (too long, odd characters) is no place
                hit = ()
            if len(self._cache) >= self._cache_size:
                self._cache.clear()
            self._cache[key] = hit
        return hit

    def spot(self, text: str, sentences: Sequence[Sentence]) -> Spotting:
        result = Spotting()
        person_index: dict[str, int] = {}
        pending: list[tuple[Sentence, list[_Token], list[list[_Token]]]] = []
        lower_words = set(re.findall(r"\b[a-z][a-z\-]+\b", text)) | _FUNCTION
        self._lower_words = lower_words
        self._deferred: list[list[_Token]] = []
        # pass 1: persons (so that "Kim" later in the text is known to be a person)
        for sent in sentences:
            toks = _tokens(sent.text, sent.start)
            runs = _runs(toks, sent.text, sent.start)
            pending.append((sent, toks, runs))
            for run in runs:
                self._persons_in_run(run, toks, sent, person_index, result)
        # runs that start with a place name: "Pyongyang Putin" is a place then a known person
        self._place_first: set[int] = set()
        for words in self._deferred:
            if all(t.lower in person_index for t in words[1:]) and words[0].lower not in person_index:
                self._place_first.add(words[0].start)
            else:
                self._add_person(words, person_index, result)
        # pass 2: every occurrence of a person's words, adjacent words merged into one span
        for sent, toks, runs in pending:
            previous: PersonSpan | None = None
            for tok in toks:
                pid = person_index.get(tok.lower) if tok.cap else None
                if pid is None:
                    previous = None
                    continue
                if previous is not None and previous.person == pid and \
                        re.fullmatch(r"[ \-]", text[previous.end:tok.start]):
                    previous = PersonSpan(previous.start, tok.end, pid)
                    result.person_spans[-1] = previous
                else:
                    previous = PersonSpan(tok.start, tok.end, pid)
                    result.person_spans.append(previous)
                if tok.possessive:
                    previous = None
        # pass 3: places
        for sent, toks, runs in pending:
            for run in runs:
                self._places_in_run(run, toks, sent, text, person_index, lower_words, result)
        result.places.sort(key=lambda p: p.start)
        result.person_spans.sort(key=lambda p: p.start)
        return result

    # -- persons -------------------------------------------------------------------

    def _add_person(self, run: list[_Token], person_index: dict[str, int], result: Spotting) -> None:
        words = [t.text for t in run if t.lower not in _CONNECTORS]
        if not words:
            return
        pid = None
        for w in words:
            if w.lower() in person_index:
                pid = person_index[w.lower()]
                break
        if pid is None:
            pid = len(result.persons)
            result.persons.append(" ".join(words))
        for w in words:
            person_index.setdefault(w.lower(), pid)

    def _persons_in_run(self, run, toks, sent, person_index, result) -> None:
        words = [t for t in run]
        if words and re.search(r"\b(?:steamer|steamship|liner|ship|yacht|schooner|sloop|brig|frigate|ferry|"
                               r"catamaran|raft|vessel|boat)\s+$", sent.text[:words[0].start - sent.start]):
            # "aboard the steamer Augusta Victoria": a ship, and "the Victoria" later is the same ship
            self._add_person(words, person_index, result)
            result.vessels.add(person_index[words[0].lower])
            return
        if len(words) >= 2 and words[0].text in _SHIP_PREFIXES:
            # "HMS Beagle": the ship carries the traveller; "the Beagle" later is the same ship
            self._add_person(words[1:], person_index, result)
            result.vessels.add(person_index[words[1].lower])
            return
        while words and (words[0].lower in _COMMON or words[0].lower in _FUNCTION) \
                and words[0].lower not in _TITLES:
            words = words[1:]
        if words and words[0].start == sent.start and len(words) > 1 and words[0].lower not in _TITLES \
                and not self.lookup(
                " ".join(t.text for t in words)) and self._sentence_initial_word(words[0]):
            words = words[1:]  # "How Biden reached Kyiv": a headline's first word
        if not words:
            return
        # "President Joko Widodo", "Prime Minister Anthony Albanese": a title, then a person
        k = 0
        while k < len(words) and words[k].lower in _TITLES:
            k += 1
        if not k:
            # "Canadian Prime Minister Justin Trudeau": a title after an adjective
            at = next((i for i, t in enumerate(words) if t.lower in _TITLES), None)
            if at is not None:
                k = at
                while k < len(words) and words[k].lower in _TITLES:
                    k += 1
        if k and k < len(words):
            self._add_person(words[k:], person_index, result)
            return
        if k:
            return
        # "leader Xi Jinping", "the president, Frank-Walter Steinmeier"
        before = sent.text[: words[0].start - sent.start].rstrip(" ,")
        prev_word = before.rsplit(" ", 1)[-1].lower() if before else ""
        name = " ".join(t.text for t in words)
        if prev_word in _LOWER_TITLES and not self.lookup(name):
            self._add_person(words, person_index, result)
            return
        if len(words) >= 2 and any(t.lower in _CONNECTORS for t in words) \
                and all(t.lower in _NAME_PARTICLES for t in words if t.lower in _CONNECTORS) \
                and not any(t.lower in _ORG_WORDS for t in words) and not self.lookup(name):
            self._add_person(words, person_index, result)  # "Ursula von der Leyen"
            return
        if len(words) >= 2 and not any(t.lower in _CONNECTORS for t in words):
            # "Inter Miami", "Shanghai Communique": a big city's name makes it a team or a thing
            if (words[0].lower in _TEAM_PREFIXES and self._big_place(words[-1])) or (
                    self._big_place(words[0], 500_000)
                                              and not any(t.lower in person_index for t in words[1:])):
                return  # "Washington Coliseum", "Real Madrid"
            if any(t.lower in _ORG_WORDS for t in words) or any(t.lower in _COMMON for t in words):
                return
            if self.lookup(name) or self._transport_prefix(words):
                return
            if self.lookup(words[0].text):
                # "In Pyongyang Putin and Kim…": decided once the plain person names are known
                self._deferred.append(words)
                return
            self._add_person(words, person_index, result)
            # "Luiz Inacio Lula da Silva": the surname after a particle is the same person
            last = words[-1]
            idx = next((i for i, t in enumerate(toks) if t.start == last.start), None)
            if idx is not None and idx + 2 < len(toks) and toks[idx + 1].lower in _PARTICLES \
                    and toks[idx + 2].cap:
                person_index.setdefault(toks[idx + 2].lower, person_index[words[0].lower])
        elif len(words) == 1 and sent.paragraph >= 1 and sent.index <= 2 and re.fullmatch(
                r"(?:The\s+)?", sent.text[:words[0].start - sent.start]) and words[0].text[-1:] == "s" \
                and re.match(r"\s+[a-z]", sent.text[words[0].end - sent.start:]) \
                and not self.lookup(words[0].text) and words[0].lower not in self._lower_words:
            # "The Beatles landed…": a band or a team named in the plural opens the story
            self._add_person(words, person_index, result)

    def _big_place(self, tok: _Token, population: int = 100_000) -> bool:
        return any(_norm(c.name) == tok.lower and (c.population >= population or c.kind in REGION_KINDS)
                   for c in self.lookup(tok.text)[:3])

    def _sentence_initial_word(self, tok: _Token) -> bool:
        return tok.lower in self._lower_words

    def _transport_prefix(self, words: list[_Token]) -> list[_Token] | None:
        """``"Noi Bai International Airport"`` → the words before the transport word, if known."""
        for cut in range(len(words) - 1, 0, -1):
            tail = " ".join(t.lower for t in words[cut:])
            if tail in _TRANSPORT and self.lookup(" ".join(t.text for t in words[:cut])):
                return words[:cut]
        return None

    # -- places --------------------------------------------------------------------

    def _emit(self, words: list[_Token], sent: Sentence, text: str, name: str,
              candidates: tuple[Candidate, ...], result: Spotting, end: int | None = None) -> None:
        start = words[0].start
        stop = end if end is not None else words[-1].end
        surface = text[start:words[-1].end]
        institution = _norm(surface) in INSTITUTIONS or _norm(name) in INSTITUTIONS
        result.places.append(PlaceSpan(start, stop, surface, name, candidates, sent.index,
                                       possessive=words[-1].possessive, institution=institution))

    def _places_in_run(self, run, toks, sent, text, person_index, lower_words, result) -> None:
        words = list(run)
        while words and words[0].lower in (_COMMON | _FUNCTION) and not self._whole_is_place(words):
            if words[0].lower in _FUNCTION and words[0].start != sent.start and \
                    not re.search(r"[\"“‘(:—–]\s*$", text[sent.start:words[0].start]):
                break  # "talks with To Lam": part of a name
            words = words[1:]
        if not words or (words[0].lower in _FUNCTION and not self._whole_is_place(words)):
            return
        while words and words[-1].lower in _CONNECTORS:
            words = words[:-1]
        if not words:
            return
        if any(t.lower in _TITLES for t in words[:-1]):
            return  # "President Putin", "Queen Camilla"
        name = " ".join(t.text for t in words)
        if len(words) == 1 and name.isupper() and len(name) <= 5 and \
                text[max(0, words[0].start - 2):words[0].start].strip():
            return  # "NATO", "BRICS", "UN": organisations (a dateline "HANOI —" starts a paragraph)
        if _norm(name) in INSTITUTIONS:
            self._emit(words, sent, text, name, (), result)
            return
        # "Knevichi airport", "Russky Island": try the name with its type word first
        after = text[words[-1].end: words[-1].end + 40]
        m = _TYPE_SUFFIX.match(after)
        if m and not words[-1].possessive:
            longer = f"{name} {m.group(1)}"
            cands = self.lookup(longer)
            if cands:
                self._emit(words, sent, text, longer, cands, result, end=words[-1].end + m.end())
                return
        cands = self.lookup(name)
        if _BUILDING.match(after) and not words[-1].possessive:
            # "the Melia hotel", "the Istiqlal mosque": a building's name; "Notre-Dame cathedral"
            # is not the town of Notre-Dame-de-Bondeville. "Canterbury cathedral" is in Canterbury.
            if re.search(r"\bthe\s+$", text[max(0, words[0].start - 5):words[0].start]) or not any(
                    _norm(c.name) == _norm(name) and c.population >= 50_000 for c in cands[:3]):
                return
        if cands and len(words) < len(run) and run[0].lower not in _FUNCTION and not (
                cands[0].kind in REGION_KINDS or cands[0].population >= 100_000):
            return  # "European Union" → not "Union"
        if cands and self._plausible(words, cands, sent, person_index, lower_words):
            self._emit(words, sent, text, name, cands, result)
            return
        if len(words) == 1:
            return
        if words[0].start in self._place_first:
            self._emit(words[:1], sent, text, words[0].text, self.lookup(words[0].text), result)
            return
        # "Noi Bai International Airport" → "Noi Bai"
        prefix = self._transport_prefix(words)
        if prefix:
            self._emit(prefix, sent, text, " ".join(t.text for t in prefix),
                       self.lookup(" ".join(t.text for t in prefix)), result, end=words[-1].end)
            return
        # "Palace of Serbia" → "Serbia"; "Wall of Remembrance", "Peace of Westphalia Prize" → nothing
        if any(t.lower == "of" for t in words):
            cut = max(i for i, t in enumerate(words) if t.lower == "of")
            part = [t for t in words[cut + 1:] if t.lower != "the"]
            name = " ".join(t.text for t in part)
            cands = self.lookup(name) if part else ()
            if cands and (cands[0].kind in REGION_KINDS or cands[0].population >= 100_000):
                self._emit(part, sent, text, name, cands, result)
            return
        # several capitalised words that are not a known place: a name; but a leading
        # place before a person ("Pyongyang Kim Jong Un" is rare) is not worth the risk

    def _whole_is_place(self, words: list[_Token]) -> bool:
        return len(words) > 1 and bool(self.lookup(" ".join(t.text for t in words)))

    def _plausible(self, words, cands, sent, person_index, lower_words) -> bool:
        if len(words) > 1:
            return True
        tok = words[0]
        if tok.lower in person_index:
            return False
        if tok.lower in _COMMON:
            return False
        top = max(cands, key=lambda c: (c.kind in REGION_KINDS, c.population))
        notable = top.kind in REGION_KINDS or top.kind in ("airport", "spaceport", "landmark") \
            or top.population >= 50_000
        first_word = tok.start == sent.start
        if (first_word or tok.lower in lower_words) and not notable:
            return False  # "Summit" at a sentence start, or a word the text also uses in lower case
        return True
