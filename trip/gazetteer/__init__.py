"""The offline gazetteer: GeoNames towns, countries, regions, airports and our landmarks.

Open the shared index once per process and look names up::

    >>> from trip.gazetteer import open_gazetteer, normalize_name
    >>> gaz = open_gazetteer()                      # builds the index on first use
    >>> gaz.lookup("Артём")[0].name
    'Artëm'
    >>> gaz.is_known_name(normalize_name("Komsomolsk-na-Amure"))
    True

The index is a SQLite file in ``$TRIP_CACHE_DIR`` (else the user cache directory),
named after the versions of its sources, so it is rebuilt when they change.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from .build import Progress, cache_dir, ensure_index, index_key
from .index import AREA_KINDS, Gazetteer, Hit
from .normalize import MAX_QUERY, normalize_name, split_kind_hint, transliterate

__all__ = [
    "open_gazetteer",
    "Gazetteer",
    "Hit",
    "Progress",
    "normalize_name",
    "split_kind_hint",
    "transliterate",
    "cache_dir",
    "index_key",
    "AREA_KINDS",
    "MAX_QUERY",
]


def open_gazetteer(*, cache_dir: str | os.PathLike[str] | None = None,
                   progress: Progress | None = None,
                   landmarks_csv: str | os.PathLike[str] | None = None) -> Gazetteer:
    """Open the prebuilt index, building it first if it is missing or out of date.

    ``progress(done, total, stage)`` is called during a build (never when the index
    exists), so a terminal can draw a bar and the dashboard a spinner. Concurrent
    callers wait for one builder. Raises :class:`~trip.errors.GazetteerError` when
    the index cannot be built or opened. Opening the same index again returns the
    same (thread-safe) object.
    """
    from . import build, landmarks

    directory = build.cache_dir(cache_dir)
    csv_path = Path(landmarks_csv) if landmarks_csv else landmarks.LANDMARKS_CSV
    path = ensure_index(directory, progress=progress, landmarks_csv=csv_path)
    # One Gazetteer per index file and process: its caches and fuzzy lists are shared.
    with _open_lock:
        gaz = _opened.get(path)
        if gaz is None:
            gaz = _opened[path] = Gazetteer(path)
        return gaz


_opened: dict[Path, Gazetteer] = {}
_open_lock = threading.Lock()
