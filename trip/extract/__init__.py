"""News articles → a draft, dated itinerary with the evidence for every stop.

>>> from trip.extract import Extractor, read_article   # doctest: +SKIP
>>> ex = Extractor()                                    # opens the offline gazetteer
>>> result = ex.extract(read_article("data/articles/kim-2023.txt"),
...                     published=datetime.date(2023, 9, 18))
>>> [(s.place.name, str(s.date), s.status) for s in result.stops][:2]
[('Pyongyang', '2023-09-10', 'origin'), ('Khasan border station', '2023-09-12', 'visited')]

Rules and the gazetteer only: no language model, nothing downloaded.
"""

from __future__ import annotations

from .dates import find_dates, find_published, resolve
from .pipeline import DraftStop, Extraction, Extractor, Mention, merge_extractions
from .reading import Article, article_from_bytes, article_from_text, html_to_text, read_article
from .sentences import split_sentences

__all__ = [
    "Article",
    "DraftStop",
    "Extraction",
    "Extractor",
    "Mention",
    "article_from_bytes",
    "article_from_text",
    "find_dates",
    "find_published",
    "html_to_text",
    "merge_extractions",
    "read_article",
    "resolve",
    "split_sentences",
]
