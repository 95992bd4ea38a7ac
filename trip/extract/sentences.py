"""Paragraphs, sentences and clauses, by rule.

News prose is regular enough that a few rules do: a sentence ends at ``.``, ``!``
or ``?`` followed by a capital or a quote, unless the dot closes a known
abbreviation ("Sept.", "a.m.", "U.S.") or an initial. Offsets always index the
article text, so evidence can be quoted exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Sentence", "split_sentences", "clause_bounds"]

_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "st", "mt", "ft", "gen", "gov", "lt", "col", "sen", "rep", "prof", "sgt",
    "capt", "cmdr", "adm", "maj", "rev", "fr", "jr", "sr", "inc", "ltd", "co", "corp", "no", "vs",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun", "approx", "est",
    "e.g", "i.e", "a.m", "p.m", "u.s", "u.k", "u.n", "e.u", "d.c", "etc",
}

_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9À-Þ])")


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence with its place in the article."""

    text: str
    start: int  # offset of the first character in the article text
    paragraph: int  # 0-based paragraph index; paragraph 0 is the headline when there is one
    index: int  # 0-based sentence index in the article


def _is_abbreviation(text: str, dot: int) -> bool:
    m = re.search(r"([A-Za-z.]+)$", text[:dot])
    if not m:
        return False
    word = m.group(1).lower().strip(".")
    if word in _ABBREVIATIONS:
        return True
    # a lone initial ("John F. Kennedy"), but not a sentence ending in a one-letter word
    return len(word) == 1 and word.isalpha() and text[dot - 1].isupper()


def split_sentences(text: str) -> list[Sentence]:
    """Split article text (paragraphs separated by blank lines) into sentences."""
    sentences: list[Sentence] = []
    paragraph = 0
    for pm in re.finditer(r"[^\n]+(?:\n(?!\n)[^\n]+)*", text):
        block, base = pm.group(0), pm.start()
        start = 0
        for m in _END.finditer(block):
            dot = m.start()
            if block[dot] == "." and _is_abbreviation(block, dot):
                continue
            piece = block[start:m.end()]
            if piece.strip():
                lead = len(piece) - len(piece.lstrip())
                sentences.append(Sentence(piece.strip(), base + start + lead, paragraph, len(sentences)))
            start = m.end()
        piece = block[start:]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            sentences.append(Sentence(piece.strip(), base + start + lead, paragraph, len(sentences)))
        paragraph += 1
    return sentences


# Clause boundaries: where the grammatical subject may change.
_CLAUSE = re.compile(
    r";|:\s|\s[—–]\s|,\s+(?:and|but|while|whereas|where|which|who|whose|when|although|though)\b"
    r"|\s+(?:but|while|whereas)\s+|,?\s+as\s+(?=[A-Z])"
)


def clause_bounds(sentence: str) -> list[tuple[int, int]]:
    """``(start, end)`` offsets of the clauses of ``sentence``."""
    bounds = []
    start = 0
    for m in _CLAUSE.finditer(sentence):
        bounds.append((start, m.start()))
        start = m.start() + (1 if sentence[m.start()] in ",;:" else 0)
    bounds.append((start, len(sentence)))
    return [b for b in bounds if b[1] > b[0]]
