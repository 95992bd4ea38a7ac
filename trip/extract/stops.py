"""Stop or mention? Rules over the words around each place name.

A place is a *stop* when the traveller (the person the article follows) is the
one who is, was or will be there: "Kim left Pyongyang", "his train crossed the
border at Khasan", "the pope will fly on to Port Moresby". Everything else is a
*mention*, with the reason:

* an area: countries and regions ("crossed into Russia");
* metonymy and reactions: the place stands for its government or people
  ("Washington warned", "officials in Seoul", "Pyongyang's news agency",
  "the plane, offered by Paris");
* a reference point: "about 40 kilometres north-east of Vladivostok" says where
  the stop is; the distance is kept as evidence for geocoding;
* a description of another place ("Dresden, the capital of Saxony");
* someone else's journey ("Trump, who flew in from Washington");
* no sign that the traveller was there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .places import REGION_KINDS, PlaceSpan, Spotting
from .sentences import Sentence, clause_bounds

__all__ = ["Actor", "Finding", "Reference", "classify", "find_actors", "choose_traveller",
           "mark_cancelled", "CANCELLED", "MACRO_REGIONS"]

#: Regions the gazetteer may not know as areas (it may know a village of the name).
MACRO_REGIONS = {
    "siberia", "far east", "russian far east", "pyrenees", "alps", "balkans", "caucasus", "donbas",
    "donbass", "patagonia", "scandinavia", "sahara", "sahel", "middle east", "gulf", "persian gulf",
    "horn of africa", "central asia", "southeast asia", "south-east asia", "east asia", "south asia",
    "west africa", "east africa", "north africa", "latin america", "caribbean", "arctic", "antarctica",
    "antarctic", "himalayas", "andes", "amazon", "mediterranean", "baltic", "baltics", "crimea",
    "kashmir", "tibet", "west bank", "gaza strip", "levant", "maghreb", "oceania", "pacific",
    "atlantic", "indian ocean", "pacific ocean", "atlantic ocean", "europe", "asia", "africa",
    "north america", "south america", "korean peninsula", "yalu river", "tumen river", "red sea",
    "black sea", "sea of japan", "south china sea", "arab world", "scotland", "wales", "england",
    "northern ireland", "bavaria", "tuscany", "provence", "lapland", "outback", "highlands",
}

# -- who does things ---------------------------------------------------------------

_PRONOUN_TRAVELLER = re.compile(r"\b(?:he|she|him|his|her|himself|herself)\b", re.IGNORECASE)
_PRONOUN_PLURAL = re.compile(r"\b(?:they|their|them)\b", re.IGNORECASE)
_PRONOUN_IT = re.compile(r"\b[Ii]t\b(?!\s+(?:is|was|has been|had been|seemed|seems)\b)")
_DET = r"(?:the|his|her|their|its|a|an|[A-Z][\w\-]*['’]s)"
_TRAVELLER_NOUN = re.compile(
    rf"\b{_DET}\s+(?:[\w\-]+\s+){{0,3}}?(?P<n>president|prime minister|chancellor|king|queen|pope|pontiff|"
    r"leader|leaders|singer|monarch|couple|pair|delegation|premier|emperor|guest|visitor|two men|"
    r"two presidents|royal couple|entourage|star|band|explorer|expedition|team|crew|cyclists|peloton|"
    r"musicians|squad)\b|\bthe\s+(?P<n2>group|four|quartet|trio|\d{1,3}-year-old)\b",
    re.IGNORECASE,
)
_VEHICLE = re.compile(
    rf"\b{_DET}\s+(?:[\w\-]+\s+){{0,3}}?(?P<n>train|plane|aircraft|jet|motorcade|convoy|visit|trip|tour|"
    r"journey|leg|flight|cortege|ship|yacht|boat|helicopter|itinerary|tour bus|voyage|raft|canoe|balloon|"
    r"ferry|bus|car|caravan|capsule|sled|sledge|bicycle|expedition|party|column|procession|pre-season|"
    r"preseason|season|campaign|schedule|programme|program|stay|landfall|stopover|port of call)\b"
    r"(?!\s+(?:ride|journey|trip|ticket|station)\b)"  # "a long train ride": not a train of its own
    r"|\b(?P<named>Air Force One|Marine One|Shepherd One|Air India One)\b",
    re.IGNORECASE,
)
_CRAFT = {"train", "plane", "aircraft", "jet", "ship", "yacht", "boat", "helicopter", "raft", "canoe",
          "balloon", "ferry", "bus", "car", "caravan", "capsule", "sled", "sledge", "bicycle", "convoy",
          "motorcade"}
_OTHERS = re.compile(
    r"\b(?:officials?|spokes(?:man|woman|person)|fans|students|executives|analysts|critics|campaigners|"
    r"commentators|protesters|residents|reporters|journalists|economists|diplomats|police|troops|"
    r"forces|missiles?|ministry|government|authorities|crowds?|representatives|observers|experts|"
    r"sources|republicans|relatives|veterans|voters|polls|lawmakers|investors|markets|activists|"
    r"many of those|those|others|a group|counterpart|host|scientists|researchers|historians|academics|"
    r"soldiers|villagers|pilgrims|tourists|visitors from|workers|athletes|players|engineers|technicians|"
    r"mechanics|crew|staff|doctors|politicians|rebels|militants|refugees|victims|survivors|rivals?)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Actor:
    start: int  # offset in the sentence
    end: int
    traveller: bool
    kind: str  # "person", "pronoun", "noun", "vehicle", "others"


def traveller_titles(text: str, spotting: Spotting, travellers: set[int]) -> frozenset[str]:
    """Titles written before the traveller's name ("Minister Eva Lind" → "minister")."""
    titles = set()
    for ps in spotting.person_spans:
        if ps.person in travellers:
            m = re.search(r"\b([A-Za-z]+)\s+$", text[max(0, ps.start - 30):ps.start])
            if m and m.group(1).lower() in _TITLE_WORDS:
                titles.add(m.group(1).lower())
    return frozenset(titles)


_TITLE_WORDS = {"minister", "secretary", "governor", "mayor", "senator", "general", "ambassador", "envoy",
                "commissioner", "chairman", "chairwoman", "captain", "commander", "admiral", "cardinal",
                "archbishop", "bishop", "sheikh", "emir", "sultan", "prince", "princess", "crown"}


def find_actors(sentence: Sentence, spotting: Spotting, travellers: set[int],
                vehicle_seen: bool, titles: frozenset[str] = frozenset()) -> list[Actor]:
    """Everyone who may be doing something in the sentence, left to right."""
    text, base = sentence.text, sentence.start
    actors: list[Actor] = []
    for title in titles:
        for m in re.finditer(rf"\b(?:the|our|this)\s+{title}\b", text, re.IGNORECASE):
            actors.append(Actor(m.start(), m.end(), True, "noun"))
    for ps in spotting.person_spans:
        if base <= ps.start < base + len(text):
            if ps.person in spotting.vessels:
                actors.append(Actor(ps.start - base, ps.end - base, True, "vehicle"))
            else:
                actors.append(Actor(ps.start - base, ps.end - base, ps.person in travellers, "person"))
    for m in _PRONOUN_TRAVELLER.finditer(text):
        actors.append(Actor(m.start(), m.end(), True, "pronoun"))
    for m in _TRAVELLER_NOUN.finditer(text):
        group = "n" if m.group("n") else "n2"
        actors.append(Actor(m.start(group), m.end(group), True, "noun"))
    for m in _VEHICLE.finditer(text):
        group = "n" if m.group("n") else "named"
        # "a replacement aircraft", "another plane": not (yet) the traveller's
        # (a trip word is the traveller's whatever the article: "a refuelling stopover", "a short visit")
        indefinite = m.group(group).lower() in _CRAFT and \
            bool(re.match(r"(?:a|an|another)\b", m.group(0), re.IGNORECASE)) and \
            not re.match(r"\s+(?:\w+\s+){0,2}?(?:him|her|them|the (?:president|leader|pope|king|queen))\b",
                         text[m.end():m.end() + 40])
        actors.append(Actor(m.start(group), m.end(group), not indefinite, "vehicle"))
    covered = [(m.start(), m.end()) for rx in (_TRAVELLER_NOUN, _VEHICLE) for m in rx.finditer(text)]
    for m in _OTHERS.finditer(text):
        if not any(a <= m.start() < b for a, b in covered):  # "a French government aircraft"
            actors.append(Actor(m.start(), m.end(), False, "others"))
    if vehicle_seen is not None and vehicle_seen is not False:
        for m in _PRONOUN_IT.finditer(text):
            vehicles = [a for a in actors if a.kind == "vehicle" and a.end <= m.start()]
            # "it" is the last vehicle named: the traveller's train, or someone else's plane
            owner = vehicles[-1].traveller if vehicles else bool(vehicle_seen)
            actors.append(Actor(m.start(), m.end(), owner, "pronoun"))
    actors.sort(key=lambda a: a.start)
    # "they" refers to the last group named before it in the sentence, else to the travellers
    out: list[Actor] = []
    for m in _PRONOUN_PLURAL.finditer(text):
        prior = [a for a in actors if a.end <= m.start()]
        traveller = prior[-1].traveller if prior else True
        out.append(Actor(m.start(), m.end(), traveller, "pronoun"))
    actors.extend(out)
    actors.sort(key=lambda a: a.start)
    # drop actors nested in another (a person inside "the president's plane" stays)
    return actors


def choose_traveller(sentences: list[Sentence], spotting: Spotting) -> set[int]:
    """The person(s) the article follows: most mentioned, the headline and lead counting double."""
    if not spotting.persons:
        return set()
    score = [0.0] * len(spotting.persons)
    for vessel in spotting.vessels:
        score[vessel] = -1e9  # a ship is a vehicle, never the traveller
    first_body = next((s.index for s in sentences if s.paragraph > 0), 0)
    sent_of = {}
    for s in sentences:
        sent_of[s.index] = s
    for s in sentences:
        seen: set[int] = set()
        for ps in spotting.person_spans:
            if s.start <= ps.start < s.start + len(s.text) and ps.person not in seen:
                seen.add(ps.person)
                first_in_sentence = len(seen) == 1
                weight = 1.0 + (0.5 if first_in_sentence else 0.0)
                if (s.paragraph == 0 or s.index == first_body) and first_in_sentence:
                    weight += 2.0  # the subject of the headline or the lead
                score[ps.person] += weight
    best = max(range(len(score)), key=lambda i: score[i])
    return {best} if score[best] > 0 else set()


# -- what the words around a place say ------------------------------------------------

_DISTANCE = re.compile(
    r"(?P<num>\d[\d,.]*|a few|several|some)\s*(?P<unit>kilometres|kilometers|km|miles|mi)\b\s*"
    r"(?:\((?:[^)]{0,20})\)\s*)?(?P<dir>(?:to the\s+)?(?:north|south|east|west)(?:[\- ]?(?:north|south|east|west))?"
    r"(?:ern)?\s+)?(?:of|from|outside)\s+(?:the\s+)?(?:city\s+of\s+|centre\s+of\s+|center\s+of\s+)?$",
    re.IGNORECASE,
)
_DIRECTION_OF = re.compile(
    r"\b(?:just\s+)?(?:(?:north|south|east|west)(?:[\- ]?(?:north|south|east|west))?|outside|near|"
    r"close to|not far from|on the outskirts of|in the (?:north|south|east|west) of|the edge of|"
    r"the border (?:with|of))\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_POSSESSIVE_INSTITUTION = re.compile(
    r"^['’]s?\s+(?:[\w\-]+\s+){0,2}?(?:news agency|agency|state media|media|foreign ministry|ministry|"
    r"government|embassy|ambassador|envoy|officials?|leaders?|leadership|president|prime minister|army|"
    r"military|navy|regime|authorities|spokes\w+|central bank|stance|position|ranking|response|reaction|"
    r"representatives?|relations?|ties|independence|war|invasion|troops|forces|influence|ally|allies|"
    r"partner|economy|policy|policies|people|citizens|diplomats?|ruling|rulers?|dictator|mayor|"
    r"new president|first deputy|natural resources|team|leader)\b",
    re.IGNORECASE,
)
_SPEECH = re.compile(
    r"^(?:\s*,[^,]{1,90},)?\s+(?:and\s+[A-Z][\w\-]+(?:\s+[A-Z][\w\-]+)?\s+)?"
    r"(?:(?:has|have|had|is|was|were|will|would|also|again|later|quickly|then|had also|has also|"
    r"is also|been|not|did|does|do|could|may|might|must)\s+)*"
    r"(?:said|says|say|warned|warns|warn|urged|urges|called|calls|condemned|condemns|criticised|criticized|"
    r"criticises|criticizes|denounced|accused|welcomed|welcomes|expressed|summoned|insisted|stressed|argued|"
    r"rejected|responded|claimed|announced|demanded|vowed|protested|threatened|described|noted|hopes|"
    r"hoped|wants|wanted|watching|watched|repeated|added|told|denied|dismissed|reacted|sees|fears|feared|"
    r"worries|believes|believed|declared|objected|complained|clashed|praised|confirmed|made|refused|"
    r"approved|imposed|recognises|recognizes|backed|supports|opposes|raised|pressed|asked|notified|"
    r"informed|insists|reported|published|issued|released|sanctioned|responds|agreed|signed|regards|"
    r"considers|suspects|plans|planned|decided|chose|hosted|offered|sent|proposed|ordered|expects|"
    r"expected|hit back|struck back|retaliated|is divided|divided)\b",
)
_REACTION_IN = re.compile(
    r"\b(?:officials?|diplomats?|analysts?|critics|commentators|campaigners|observers|experts|sources|"
    r"representatives|residents|republicans|democrats|lawmakers|politicians|investors|economists|markets?|"
    r"protesters|journalists|reporters|those|many|groups?|people|activists|authorities|government|"
    r"embassy|newspapers?|media|ministers?|spokes\w+|leaders|voters|negotiators|prosecutors|police|"
    r"executives|students|fans)\s+(?:[\w\-]+\s+){0,2}?(?:in|from|at)\s+$",
    re.IGNORECASE,
)
_AGENT_BY = re.compile(
    r"\b(?:offered|provided|sent|supplied|funded|backed|paid|ordered|condemned|criticised|criticized|"
    r"imposed|issued|released|approved|rejected|organised|organized|proposed|announced|claimed|"
    r"recognised|recognized|denounced|welcomed|loaned|lent|donated)\s+by\s+$",
    re.IGNORECASE,
)
_OBJECT_OF_SPEECH = re.compile(
    r"\b(?:warned|urged|told|accused|criticised|criticized|asked|pressed|condemned|thanked|praised|"
    r"according to|with|against|on behalf of|than|like|unlike|between|urging|warning|telling)\s+$",
    re.IGNORECASE,
)
_ORIGIN_VERB = re.compile(
    r"\b(?:left|leaves|leave|leaving|departed|departs|depart|departing|quit|set(?:s|ting)? off from|"
    r"set(?:s|ting)? out from|started from|starts from|began from|flights? from|took off from|"
    r"takes off from|flew out of|drove out of|sailed from|out of(?:\s+the)?(?:\s+[\w\-]+)?\s+of|out of|"
    # "a rail journey … that had begun in Pyongyang" (a tour that "began in" a city is its first stop)
    r"(?:journey|voyage|flight|ride|drive|crossing|trek)\b[^.;]{0,60}?\b(?:that|which)\s+(?:had\s+)?"
    r"(?:begun|began|started)\s+in)"
    r"\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_FROM = re.compile(r"\bfrom\s+(?:the\s+)?$", re.IGNORECASE)
_RETURN_FROM = re.compile(r"\b(?:returned|returning|returns|back|home)\s+from\s+(?:the\s+)?$", re.IGNORECASE)
_TO = re.compile(r"\b(?:to|into|towards|toward|via|through|onward to|on to|onto)\s+(?:the\s+)?$",
                 re.IGNORECASE)
_FOR = re.compile(
    r"\b(?:left|leaves|leaving|departed|departs|taken off|took off|takes off|set off|sets off|headed|heads|"
    r"heading|bound|flies|flew|fly|sailed|sails|boarded \w+)\s+(?:[\w\-]+\s+){0,6}?for\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_AT = re.compile(r"\b(?:in|at|on|inside|around|across|throughout|outside of)\s+(?:the\s+)?$", re.IGNORECASE)
_VISIT_VERB = re.compile(
    r"\b(?:visited|visit|visits|visiting|toured|tour|tours|touring|reached|reach|reaches|reaching|"
    r"entered|enters|entering|crossed|crosses|inspected|explored|revisited|stormed|left for|"
    r"arrived in|landed in|made it to|returned to)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_CENTRE_OF = re.compile(
    r"\b(?:centre|center|heart|streets|outskirts|suburbs|old town|port|harbour|harbor|airport|station|"
    r"town hall|city hall|cathedral|university|capital|reef|shore|shores|coast|beach|island|islands|atoll|"
    r"banks|foot|slopes|summit|town|city|village|resort|border town|port city|market town|suburb)"
    r"\s+of\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_SEQUENCE = re.compile(r"(?:\b(?:followed by|then|and then|before|after)\s+(?:in\s+|at\s+|to\s+)?)$",
                       re.IGNORECASE)
_COORDINATION = re.compile(r"^\s*(?:,|and|or|,\s*and|,\s*then|and then|then)\s+(?:(?:in|at|to|on)\s+)?$",
                           re.IGNORECASE)
_APPOSITION = re.compile(
    r"^,\s+(?:(?:on|in|at|near|off)\s+)?(?:the|a|an|its|their|his|her)\s+[^,;]{0,70}?\b(?:in|on|of|near|by|at|off)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_TRAVEL_VERB = re.compile(
    r"\b(?:arriv\w*|land\w*|fl(?:ew|y|ies|ying|own)|travel\w*|dr(?:ove|ive|iven|iving)|went|go(?:es|ing)?|"
    r"came|come|return\w*|head\w*|visit\w*|tour\w*|left|leav\w*|depart\w*|reach\w*|cross\w*|sail\w*|"
    r"board\w*|stay\w*|spen[dt]|stopp?\w*|moved?|moving|rolled|touched down|passed|journey\w*)\b",
    re.IGNORECASE,
)
_NTH_DAY = re.compile(
    r"\b(?P<n>first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)\s+day\s+"
    r"(?:in|at|of\s+(?:his|her|their|the)\s+(?:[\w\-]+\s+){0,2}?(?:visit|trip|stay)\s+(?:to|in))\s+$",
    re.IGNORECASE,
)
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
             "eighth": 8, "ninth": 9, "tenth": 10}


_NEGATED_AFTER = re.compile(
    r"^[^;]{0,200}?\b(?:has been|have been|was|were|had been|is|are)\s+(?:dropped|cancell?ed|called off|"
    r"scrapped|ruled out|postponed indefinitely|shelved|abandoned)\b", re.IGNORECASE)
_EVENT_AT = re.compile(
    r"\b(?:explosion|blast|attack|attacks|air ?strikes?|strikes?|bombing|shelling|shooting|fire|earthquake|"
    r"floods?|protests?|riots?|clashes|fighting|war|battle|massacre|crash|storm|missile|hurricane|"
    r"typhoon|eruption)\b[^,;]{0,40}?\b(?:in|at|on|near|around|outside)\s+(?:the\s+)?$", re.IGNORECASE)
_OTHER_TIME = re.compile(
    r"\b(?:(?:\w+ )?(?:weeks|months|years|decades) (?:after|ago|earlier|before)|(?:a|one) (?:week|month|year) "
    r"(?:after|ago|earlier|before)|last (?:year|month|spring|summer|autumn|fall|winter)|years ago)\b",
    re.IGNORECASE)
_MET = re.compile(
    r"\b(?:visit\w*|met|meet\w*|greet\w*|address\w*|thank\w*|join\w*|inspect\w*|spoke to|talked to|"
    r"decorated|awarded|rallied)\s+(?:[\w\-]+\s+){0,3}$", re.IGNORECASE)
_JOINED = re.compile(
    r"\b(?:join\w*|attend\w*|led|lead\w*|address\w*|spoke at|speaking at|marched|took part in|"
    r"taking part in|watched|opened|visited|toured)\s+(?:[\w\-]+\s+){0,3}$", re.IGNORECASE)
_NEGATED_BEFORE = re.compile(
    r"\b(?:instead of|rather than|did not|didn't|does not|doesn't|will not|won't|never|no longer|not|"
    # a plan told in the past tense ("she planned to go on to Santiago"): it may not have happened
    r"planned to|had planned to|hoped to|had hoped to|intended to|had intended to|wanted to)"
    r"\s+(?:[\w\-]+\s+){0,4}$", re.IGNORECASE)


_TIMELINE_DATE = re.compile(
    r"(?:\d{1,2}\s+)?(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December)(?:\s+\d{1,2})?(?:,?\s+\d{4})?\s*[—–]\s*")
_TIMELINE_PLACE = re.compile(_TIMELINE_DATE.pattern + r"(?:(?:in|at|to)\s+)?")


@dataclass(frozen=True, slots=True)
class Reference:
    """A distance phrase: the stop lies ``km`` (direction) from ``place``."""

    place: PlaceSpan
    km: float | None
    direction: str
    sentence: int


@dataclass
class Finding:
    """What one place span is: a stop (with status) or a mention (with the reason)."""

    span: PlaceSpan
    stop: bool
    reason: str  # for a stop, the cue ("arrived in", "left"); for a mention, why not a stop
    status: str = "visited"  # visited, planned, origin
    confidence: float = 0.0
    clause: tuple[int, int] = (0, 0)  # offsets in the sentence
    nth_day: int = 0  # "his second day in Moscow" → 2
    headline: bool = False
    dateline: bool = False
    references: list[Reference] = field(default_factory=list)


def _small_region(span: PlaceSpan) -> bool:
    """An island or small district ("Sal, in Cape Verde") can be a stop; a country never is."""
    top = span.candidates[0]
    return top.kind == "region" and 0 < top.population < 500_000


def _km(num: str, unit: str) -> float | None:
    try:
        value = float(num.replace(",", ""))
    except ValueError:
        return None
    return value * 1.609344 if unit.lower().startswith("mi") else value


def _agent(actors: list[Actor], clause: tuple[int, int], pos: int, end: int, sentence: str
           ) -> list[Actor]:
    """Who acts on the place at ``pos``: the clause's subject as far as rules can tell."""
    c0, c1 = clause
    before = [a for a in actors if c0 <= a.start and a.end <= pos]
    clause_text = sentence[c0:c1].lstrip(", ")
    if re.match(r"(?:who|which|whose)\b", clause_text):
        # "Trump, who flew in … aboard Air Force One, was due to land at Noi Bai": Trump acts
        prior = [a for a in actors if a.end <= c0]
        if prior:
            return prior[-1:]
    if before:
        # the clause's subject comes first; "Kim Jong Un and Vladimir Putin shook hands": both act
        group = [before[0]]
        for nxt in before[1:]:
            between = sentence[group[-1].end:nxt.start]
            if re.fullmatch(r"\s*(?:and|,|&)\s*", between):
                group.append(nxt)
            else:
                break
        return group
    if re.match(r"(?:who|which|whose)\b", clause_text):
        prior = [a for a in actors if a.end <= c0]
        return prior[-1:] if prior else []
    # an opening phrase: "After months of preparation in Lima, the raft was towed…"
    if not any(a.start < pos for a in actors) and "," in sentence[end:] and "," not in sentence[:pos] \
            and re.match(r"(?:after|before|during|following|in|at|from|on|with|having|despite|amid|"
                         r"between|since|until)\b", sentence, flags=re.IGNORECASE):
        after = [a for a in actors if a.start >= end]
        if after:
            return after[:1]
    # a fronted place: "In Hanoi, Putin was greeted…"
    fronted = sentence[c0:pos].lstrip(", —–")
    dm = _TIMELINE_DATE.match(fronted)  # "November 22 — In Amiens she met…"
    if dm:
        fronted = fronted[dm.end():]
    if re.fullmatch(r"\s*(?:in|at|from|on|inside|outside|to)\s+(?:the\s+)?", fronted, flags=re.IGNORECASE):
        start = end
        # "in Liverpool, the band's home town, fans listened": skip a verbless apposition
        m = re.match(r",([^,]{1,60}),", sentence[end:c1])
        if m and not _TRAVEL_VERB.search(m.group(1)) and not re.search(
                r"\b(?:is|was|were|are|has|had|will|\w{3,}ed)\b", m.group(1)):
            start = end + m.end()
        after = [a for a in actors if start <= a.start < c1]
        if after:
            return after[:1]
    # "…, and two in Lisbon": the subject of the main clause, not of a relative clause between
    main = [a for a in actors if a.end <= c0 and not _in_relative(a, sentence)]
    if main:
        return main[:1]
    # "…stopped at Sal, an island in Cape Verde, where Biden met…": who acts there
    for b0, b1 in clause_bounds(sentence):
        if b0 >= c1 and re.match(r"where\b", sentence[b0:b1].lstrip(", ")):
            inside = [a for a in actors if b0 <= a.start < b1]
            return inside[:1]
        if b0 >= c1:
            break
    return []


def _in_relative(actor: Actor, sentence: str) -> bool:
    for c0, c1 in clause_bounds(sentence):
        if c0 <= actor.start < c1:
            return bool(re.match(r"(?:where|which|who|whose|when)\b", sentence[c0:c1].lstrip(", ")))
    return False


def classify(
    sentence: Sentence,
    places: list[PlaceSpan],
    actors: list[Actor],
    *,
    headline: bool,
    previous_agent: list[Actor],
) -> list[Finding]:
    """Decide, for each place in one sentence, whether it is a stop of the traveller."""
    text, base = sentence.text, sentence.start
    clauses = clause_bounds(text)
    findings: list[Finding] = []
    for span in places:
        pos, end = span.start - base, span.end - base
        clause = next((c for c in clauses if c[0] <= pos < c[1]), (0, len(text)))
        before = text[max(0, pos - 90):pos]
        before_clause = text[clause[0]:pos]
        f = Finding(span, False, "", clause=clause, headline=headline)
        findings.append(f)
        reason = _not_a_stop(f, sentence, places)
        if reason is not None:
            f.reason = reason
            continue
        agent = _agent(actors, clause, pos, end, text)
        if not agent and not re.match(r"\s*[A-Z][\w\-]+(?:\s+(?:[a-z]{1,3}\s+)?[A-Z][\w\-]+)*\s+(?!of\b)[a-z]",
                                      text[clause[0]:pos].lstrip(", ")):
            agent = previous_agent  # no subject of its own: the story goes on with the last one
        traveller = any(a.traveller for a in agent)
        others = bool(agent) and not traveller
        cue, status = _cue(before_clause, before, findings[:-1], clause, text, base)
        if cue is None and _TIMELINE_PLACE.fullmatch(text[:pos]) and re.match(r"\s*(?:[,.;]|$)", text[end:]):
            # a chronicle's entry: "December 18 — Singapore, where she bought a monkey."
            cue, status = "timeline entry", "visited"
        if cue is None:
            if _OBJECT_OF_SPEECH.search(before_clause):
                f.reason = "mentioned only"
            else:
                f.reason = "mentioned only; no sign the traveller was there"
            continue
        if others:
            kind = "origin of" if status == "origin" else "a place in"
            f.reason = f"{kind} someone else's journey"
            continue
        if not agent and cue != "timeline entry":
            # no one named: only vehicles and trips of the traveller count ("the train crossed…")
            f.reason = "no sign the traveller was there"
            continue
        f.stop = True
        f.reason = cue
        f.status = status
        nth = _NTH_DAY.search(before)
        if nth:
            f.nth_day = _ORDINALS[nth["n"].lower()]
        f.confidence = 0.9 if _TRAVEL_VERB.search(text[clause[0]:clause[1]]) else 0.75
        if headline:
            f.confidence = 0.5
    return findings


def _not_a_stop(f: Finding, sentence: Sentence, places: list[PlaceSpan]) -> str | None:
    """Why the place of ``f`` is only mentioned, from the words around it; None if it may be a stop."""
    span, text, base = f.span, sentence.text, sentence.start
    pos, end = span.start - base, span.end - base
    clause = f.clause
    before = text[max(0, pos - 90):pos]
    before_clause = text[clause[0]:pos]
    after = text[end:end + 120]
    norm = span.text.lower()
    if span.institution:
        return "an institution standing for its government (metonymy)"
    if (span.is_region and not _small_region(span)) or norm in MACRO_REGIONS \
            or span.name.lower() in MACRO_REGIONS:
        return "a country or region, not a stop"
    dm = _DISTANCE.search(before)
    if dm:
        f.references.append(Reference(span, _km(dm["num"], dm["unit"]) if dm["num"][0].isdigit()
                                      else None, (dm["dir"] or "").strip(), sentence.index))
        return "a reference point for another place"
    if _DIRECTION_OF.search(before):
        f.references.append(Reference(span, None, "", sentence.index))
        return "a reference point for another place"
    if span.possessive and _POSSESSIVE_INSTITUTION.match(text[end:end + 60].replace("’", "'")):
        return "stands for its government or people (metonymy)"
    at_clause_start = not re.search(r"[A-Za-z]", re.sub(
        r"^(?:,|;|:|and|but|while|though|although|as|when|where|which)\s*", "",
        before_clause.strip(" ,"), flags=re.IGNORECASE)) or re.search(
        r"(?:^|[,;:]\s*|\b(?:and|but|while|as|that|because)\s+)$", before_clause)
    if at_clause_start and _SPEECH.match(after):
        return "stands for its government or people (a reaction)"
    rm = _REACTION_IN.search(before_clause)
    if rm and (rm.group(0)[0].islower() or not before_clause[:rm.start()].strip(" ,")):
        # "officials in Seoul", "Analysts in Sao Paulo"; not "the Great Hall of the People in Beijing"
        return "where a reaction came from, not a stop"
    tail = before_clause[-40:]
    om = _OTHERS.search(tail)
    if om and re.fullmatch(r"\s+(?:in|at|from|of)\s+(?:the\s+)?", tail[om.end():]) \
            and not _MET.search(before_clause[:len(before_clause) - len(tail) + om.start()]):
        # "a flag signed by soldiers in Bakhmut"; not "visited soldiers in Bakhmut"
        return "where other people are, not the traveller"
    if _AGENT_BY.search(before_clause):
        return "stands for its government (metonymy)"
    if re.search(r"\baccording to\s+(?:the\s+)?$", before_clause, re.IGNORECASE):
        return "a source of information (metonymy)"
    if re.search(r"^(?:\s+(?:and|or)\s+[A-Z][\w\-]+)?\s+(?:talks|summit|meeting|agreement|"
                 r"accord|treaty|process|format|declaration|talks,)\b", after):
        return "names an event, not a stop"
    # a description of the previous place: "Dresden, the capital of Saxony"
    prior_places = [p for p in places if p.end - base <= pos and p.end - base >= clause[0] - 1]
    if prior_places:
        between = text[prior_places[-1].end - base:pos]
        if (_APPOSITION.match(between) and not _TRAVEL_VERB.search(between)
                and not re.search(r"\b\w{3,}ed\b|\b(?:is|was|were|are|has|had|will)\b", between)) \
                or re.fullmatch(r",\s+in\s+", between) \
                or (re.fullmatch(r",\s+", between) and span.candidates
                    and span.candidates[0].kind in REGION_KINDS):  # "Hampton, Virginia"
            return f"says where {prior_places[-1].text} is"

    om_time = _OTHER_TIME.search(before_clause)
    later_time = re.match(r"[^,;]{0,30}?\b(?:last (?:year|month|spring|summer|autumn|fall|winter)|"
                          r"\w+ (?:years|months) ago)\b", text[end:clause[1]])
    if (om_time and "," not in before_clause[om_time.end():]) or later_time:
        # "six weeks after Modi met Putin in Moscow"
        return "another time, not this journey"
    clause_after = text[end:clause[1]]
    if _NEGATED_AFTER.search(clause_after) or _NEGATED_BEFORE.search(before_clause):
        return CANCELLED if _NEGATED_AFTER.search(clause_after) else \
            "a visit that was called off or did not happen"
    em = _EVENT_AT.search(before_clause)
    if em and not _JOINED.search(before_clause[:em.start()]):
        # "an explosion at a hospital in Gaza City"; not "joining a climate strike in Montreal"
        return "where an event happened, not a stop"
    return None


def _cue(before_clause: str, before: str, earlier: list[Finding], clause: tuple[int, int],
         text: str, base: int) -> tuple[str | None, str]:
    """The words that tie the traveller to the place, and the status they imply."""
    if _ORIGIN_VERB.search(before_clause):
        return "left", "origin"
    if _RETURN_FROM.search(before_clause):
        return "came back from", "origin"
    if _FROM.search(before_clause):
        return "came from", "origin"
    if _FOR.search(before_clause):
        return "headed for", "visited"
    if _VISIT_VERB.search(before_clause):
        return "visited", "visited"
    if _CENTRE_OF.search(before_clause):
        return "was in", "visited"
    if _TO.search(before_clause):
        return "went to", "visited"
    if _AT.search(before_clause):
        return "was in", "visited"
    # "… Liverpool from June 13 and Cardiff on June 18": a list continues the previous stop's cue
    if earlier:
        prev = earlier[-1]
        middle = text[prev.span.end - base: clause[0] + len(before_clause)]
        # drop date words between the two places ("from June 13 and")
        middle = re.sub(r"\b(?:from|on|in|until|between)?\s*(?:[A-Z][a-z]+\.?\s+\d{1,2}(?:\s*(?:-|–|and)\s*\d{1,2})?"
                        r"|\d{1,2}\s+[A-Z][a-z]+|(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
                        r"(?:\s+(?:morning|afternoon|evening|night))?)", " ", middle)
        if prev.stop and _COORDINATION.match(middle):
            return prev.reason, prev.status
        # "…visited Mosul, where he prayed among the ruins, and Qaraqosh": the list goes on
        if re.fullmatch(r"\s*,?\s*and\s+(?:then\s+)?(?:(?:in|at|to|on)\s+)?", before_clause) \
                and any(e.stop for e in earlier):
            last_stop = [e for e in earlier if e.stop][-1]
            return last_stop.reason, last_stop.status
        if _SEQUENCE.search(before_clause) and any(e.stop for e in earlier):
            last_stop = [e for e in earlier if e.stop][-1]
            return "then went to", last_stop.status
    if _SEQUENCE.search(before_clause) and re.search(r"\bfollowed by\s+$", before_clause):
        return "then went to", "visited"
    return None, "visited"


# -- plans called off later in the article ------------------------------------------------

#: Words before a place that make it a plan: "was expected to visit", "had also been entered in",
#: "a planned stop in", "a visit to … planned for".
_PLAN_CONTEXT = re.compile(
    r"\b(?:(?:was|were|is|are|ha[sd](?:\s+\w+)?\s+been|have(?:\s+\w+)?\s+been)\s+(?:\w+\s+)?"
    r"(?:expected|due|scheduled|set|supposed|meant|slated|entered|booked|pencilled|penciled|planning|"
    r"going|invited)|(?:had\s+)?planned|plans?\s+to|intend\w*\s+to|(?:a|an|the|his|her|their)\s+"
    r"(?:planned\s+|scheduled\s+|proposed\s+)?(?:visit|trip|stop|stopover|leg|tour|appearance|show|concert|"
    r"match|game)\s+(?:to|in|at))\b", re.IGNORECASE)
_CANCEL_WORDS = (r"(?:called off|cancell?ed|dropped|scrapped|axed|shelved|abandoned|postponed|pulled out|"
                 r"withdr[ae]wn?|ruled out|struck off|cut|put off|scratched)")
_CANCEL_AFTER = re.compile(
    rf"(?:\bbut\b[^.;]{{0,120}}?|\b(?:was|were|has been|have been|had been|is|are)\s+(?:later\s+|since\s+|then\s+|"
    rf"now\s+|also\s+)?){_CANCEL_WORDS}\b", re.IGNORECASE)
#: A later sentence that calls off the plan just told: "That stop has since been dropped",
#: "The White House called off both stops", "the Danish leg was scrapped".
_CANCEL_LATER = re.compile(
    rf"\b(?:(?:the|that|this|both|those|these|his|her|their)\s+(?:[\w\-]+\s+){{0,2}}?"
    r"(?:stop|stops|leg|legs|visit|visits|trip|trips|plan|plans|stopover|appearance|engagement)\s+"
    rf"(?:ha[sd]|have|was|were|is|are)\s+(?:since\s+|later\s+|now\s+|also\s+|then\s+)?(?:been\s+)?{_CANCEL_WORDS}"
    rf"|{_CANCEL_WORDS}\s+(?:the|that|this|both|those|these|his|her|their)\s+(?:[\w\-]+\s+){{0,2}}?"
    r"(?:stop|stops|leg|legs|visit|visits|trip|trips|plan|plans|stopover))\b", re.IGNORECASE)

CANCELLED = "cancelled: planned, then called off in the article"


def mark_cancelled(sentences: list[Sentence], findings: list[tuple[Sentence, Finding]]) -> None:
    """Plans the article later calls off become mentions with the reason :data:`CANCELLED`.

    "Biden had been expected to fly on to Port Moresby …, but the White House called off
    both stops"; "He was expected to visit Kazan. The stop was later dropped." A place is
    a plan when words such as "was expected to", "a planned visit to" come before it in
    its sentence; the cancellation comes after it in the same sentence ("but …
    cancelled", "was called off") or in one of the next three sentences of the same
    paragraph, as a phrase about "the stop", "that leg", "both visits".
    """
    by_index = {s.index: s for s in sentences}
    planned: dict[int, list[Finding]] = {}
    for s, f in findings:
        if f.headline or f.dateline:
            continue
        pos = f.span.start - s.start
        if not _PLAN_CONTEXT.search(s.text[:pos]):
            continue
        planned.setdefault(s.index, []).append(f)
        after = s.text[f.span.end - s.start:]
        if _CANCEL_AFTER.search(after) and _cancel_is_about(after):
            _cancel(f)
    for index, group in planned.items():
        here = by_index[index]
        for k in range(1, 4):
            nxt = by_index.get(index + k)
            if nxt is None or nxt.paragraph != here.paragraph and k > 1:
                break
            if nxt.index in planned:
                break  # a new plan: a later cancellation is about that one
            if _CANCEL_LATER.search(nxt.text):
                for f in group:
                    _cancel(f)
                break


def _cancel_is_about(after: str) -> bool:
    """The cancellation after the place is about it, not about another plan named in between
    ("…to Kyiv, but a planned stop in Lviv was dropped")."""
    m = _CANCEL_AFTER.search(after)
    between = after[:m.start()] + m.group(0)
    return not re.search(r"\b(?:a|an|the)\s+(?:planned\s+|scheduled\s+)?(?:visit|trip|stop|stopover|leg)\s+"
                         r"(?:to|in|at)\s+(?:the\s+)?[A-Z]", between)


def _cancel(f: Finding) -> None:
    f.stop = False
    f.status = "planned"
    f.reason = CANCELLED
