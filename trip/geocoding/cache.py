"""A persistent on-disk cache of online geocoder answers, keyed on the normalised query.

Online services are slow, rate limited and ask to be spared repeated questions,
so every answer they give is kept in one SQLite file in the trip cache directory
(``TRIP_CACHE_DIR``, else the user cache directory).

The file is treated as something that *will* break one day — a process killed
mid-write, a disk that fills up, a stray editor, a bad sector — and the cache
must never be the reason a lookup fails, nor lose more than the bytes that broke:

* every entry is stored as one self-contained, self-verifying record
  (``TRIPGC1:<base64 of the entry>:<sha256 of that base64>;``) small enough to
  sit whole inside one database page. An entry whose record does not verify is
  dropped alone; the others stay.
* when SQLite reports the file damaged ("not a database", "malformed", a failed
  ``quick_check``), the file is salvaged: the raw bytes of the file (and of its
  rollback journal, which holds the pages as they were before an interrupted
  write) are scanned for records, every record that verifies is kept (the newest
  for each query), they are written to a fresh file that takes the damaged one's
  place, and the damaged file is kept beside it as ``*.corrupt-<time>``. The
  salvage does not depend on SQLite's page structure, so a truncated file, a
  zeroed header or garbage in the middle lose only the entries whose own bytes
  were destroyed.
* a file locked by another process is waited for briefly, then bypassed (a miss
  on read, a skipped write): nothing is rebuilt, so nothing is lost.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import logging
import os
import re
import sqlite3
import threading
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

__all__ = ["GeocodeCache", "CacheEntry", "normalise_query", "cache_dir", "CACHE_FILENAME"]

log = logging.getLogger(__name__)

CACHE_FILENAME = "geocode-online.sqlite"
_SCHEMA_VERSION = 1
#: Large pages keep every record inside one page (SQLite spills a record over
#: several pages only past ~64 KB), so a raw scan always sees records whole.
_PAGE_SIZE = 65536
#: A record larger than this is not cached (it would span pages); real answers are ~2 KB.
MAX_RECORD = 60_000
_RECORD = re.compile(rb"TRIPGC1:([A-Za-z0-9_=-]{8,%d}):([0-9a-f]{64});" % MAX_RECORD)

_SPACES = re.compile(r"\s+")


def cache_dir() -> Path:
    """The trip cache directory: ``TRIP_CACHE_DIR`` if set, else the user cache dir."""
    override = os.environ.get("TRIP_CACHE_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_cache_dir("trip", appauthor=False))


def normalise_query(query: str) -> str:
    """The form of a query that decides whether two queries are the same question.

    Compatibility-normalised, case-folded, with runs of white space (including
    zero-width and non-breaking spaces) collapsed: ``"  Vladivostok\\u00a0 "`` and
    ``"VLADIVOSTOK"`` share an entry. Diacritics are kept, because services
    answer "Artëm" and "Artem" differently often enough to matter.
    """
    text = unicodedata.normalize("NFKC", query)
    text = "".join(" " if unicodedata.category(c) in ("Zs", "Cf", "Cc") else c for c in text)
    return _SPACES.sub(" ", text).strip().casefold()


@dataclass(frozen=True, slots=True)
class CacheEntry:
    """One cached answer: the service's results as plain JSON data, and when they came."""

    service: str
    query: str  # normalised
    limit: int
    results: list[dict[str, Any]]
    created: float  # seconds since the epoch

    @property
    def key(self) -> str:
        return _key(self.service, self.query)


def _key(service: str, query: str) -> str:
    return f"{service}\x1f{normalise_query(query)}"


def _encode(entry: CacheEntry) -> str:
    body = json.dumps(
        {"s": entry.service, "q": entry.query, "l": entry.limit, "r": entry.results, "t": entry.created},
        ensure_ascii=False, sort_keys=True, allow_nan=False, separators=(",", ":"),
    )
    b64 = base64.urlsafe_b64encode(body.encode("utf-8")).decode("ascii")
    return f"TRIPGC1:{b64}:{hashlib.sha256(b64.encode('ascii')).hexdigest()};"


def _decode(record: bytes | str) -> CacheEntry | None:
    """The entry a record holds, or None if it is not a whole, intact record."""
    raw = record.encode("ascii", "replace") if isinstance(record, str) else record
    match = _RECORD.fullmatch(raw)
    if match is None:
        return None
    b64, digest = match.groups()
    if hashlib.sha256(b64).hexdigest().encode("ascii") != digest:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(b64).decode("utf-8"))
        entry = CacheEntry(str(data["s"]), str(data["q"]), int(data["l"]), list(data["r"]), float(data["t"]))
    except (binascii.Error, UnicodeDecodeError, ValueError, KeyError, TypeError):
        return None
    return entry


def _is_locked(err: sqlite3.Error) -> bool:
    text = str(err).lower()
    return "locked" in text or "busy" in text


class GeocodeCache:
    """Cached online answers in one SQLite file, safe across threads and processes.

    Parameters
    ----------
    path:
        The SQLite file; by default ``<cache dir>/geocode-online.sqlite``.
    max_age_s:
        Answers older than this are misses (default 90 days).
    empty_max_age_s:
        "No such place" answers expire sooner (default 1 day): a service that
        did not know a name yesterday may know it today.
    lock_timeout_s:
        How long to wait for a file another process holds before bypassing it.
    clock:
        Wall-clock time source, injectable for expiry tests.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        max_age_s: float = 90 * 86400,
        empty_max_age_s: float = 86400,
        lock_timeout_s: float = 2.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = Path(path) if path is not None else cache_dir() / CACHE_FILENAME
        self.max_age_s = max_age_s
        self.empty_max_age_s = empty_max_age_s
        self.lock_timeout_s = lock_timeout_s
        self._clock = clock
        self._lock = threading.RLock()
        self._checked = False
        #: What went wrong with the file, for the caller to show (most recent last).
        self.incidents: list[str] = []

    # -- public API -------------------------------------------------------------

    def get(self, service: str, query: str, *, limit: int = 1) -> CacheEntry | None:
        """The cached answer for ``query`` at ``service``, good for ``limit`` results, or None."""
        key = _key(service, query)
        row = self._run(lambda db: db.execute("SELECT record FROM entries WHERE key = ?", (key,)).fetchone(),
                        default=None)
        if row is None:
            return None
        entry = _decode(row[0]) if isinstance(row[0], str) else None
        if entry is None or entry.key != key:
            self._note(f"cache entry for {normalise_query(query)!r} failed its integrity check and was dropped")
            self._run(lambda db: db.execute("DELETE FROM entries WHERE key = ?", (key,)), default=None)
            return None
        age = self._clock() - entry.created
        if age > (self.max_age_s if entry.results else self.empty_max_age_s) or age < -86400:
            return None
        # An answer given for a smaller limit is incomplete for a larger one,
        # unless it already held fewer results than it was allowed.
        if entry.limit < limit and len(entry.results) >= entry.limit:
            return None
        return CacheEntry(entry.service, entry.query, entry.limit, entry.results[:limit], entry.created)

    def put(self, service: str, query: str, results: list[dict[str, Any]], *, limit: int) -> bool:
        """Store an answer; False when it was not stored (file locked, answer too large)."""
        entry = CacheEntry(service, normalise_query(query), int(limit), list(results), float(self._clock()))
        record = _encode(entry)
        if len(record) > MAX_RECORD:
            self._note(f"answer for {entry.query!r} is too large to cache ({len(record)} bytes)")
            return False

        def write(db: sqlite3.Connection) -> bool:
            with db:
                db.execute("INSERT OR REPLACE INTO entries(key, record) VALUES (?, ?)", (entry.key, record))
            return True

        return bool(self._run(write, default=False))

    def __bool__(self) -> bool:  # an empty cache is still a cache
        return True

    def __len__(self) -> int:
        return int(self._run(lambda db: db.execute("SELECT count(*) FROM entries").fetchone()[0], default=0))

    def entries(self) -> list[CacheEntry]:
        """Every entry that verifies (for inspection and tests)."""
        rows = self._run(lambda db: db.execute("SELECT record FROM entries ORDER BY rowid").fetchall(),
                         default=[])
        return [e for e in (_decode(r[0]) for r in rows if isinstance(r[0], str)) if e is not None]

    def clear(self) -> None:
        self._run(lambda db: db.execute("DELETE FROM entries"), default=None)

    # -- the file ---------------------------------------------------------------

    def _connect(self, path: Path | None = None) -> sqlite3.Connection:
        target = path or self.path
        target.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(target, timeout=self.lock_timeout_s, isolation_level=None)
        try:
            # Page size only takes effect on a new file; the rollback journal (not
            # WAL) keeps the cache in one file plus a journal the salvage can read.
            db.execute(f"PRAGMA page_size={_PAGE_SIZE}")
            db.execute("PRAGMA journal_mode=DELETE")
            db.execute("PRAGMA synchronous=NORMAL")
            # Deleted entries are zeroed, so a salvage cannot bring them back.
            db.execute("PRAGMA secure_delete=ON")
        except sqlite3.Error:
            db.close()
            raise
        return db

    @staticmethod
    def _create(db: sqlite3.Connection) -> None:
        db.execute("CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, record TEXT NOT NULL)")
        if db.execute("PRAGMA user_version").fetchone()[0] != _SCHEMA_VERSION:
            db.execute(f"PRAGMA user_version={_SCHEMA_VERSION}")

    def _open_checked(self) -> sqlite3.Connection:
        """Open the file; on first use in this object, check it (a damaged file raises)."""
        db = self._connect()
        try:
            self._create(db)
            if not self._checked:
                problems = db.execute("PRAGMA quick_check").fetchall()
                if problems != [("ok",)]:
                    raise sqlite3.DatabaseError("quick_check: " + "; ".join(str(p[0]) for p in problems[:3]))
                self._checked = True
        except sqlite3.Error:
            db.close()
            raise
        return db

    def _run(self, action: Callable[[sqlite3.Connection], Any], *, default: Any) -> Any:
        """Run ``action`` on an open, checked file; salvage a damaged one; bypass a lock."""
        with self._lock:
            for attempt in range(2):
                db = None
                try:
                    db = self._open_checked()
                    return action(db)
                except sqlite3.Error as err:
                    if _is_locked(err):
                        self._note(f"cache file is locked by another process; bypassed ({err})")
                        return default
                    if db is not None:
                        db.close()
                        db = None
                    if attempt == 0:
                        self._salvage(err)
                        continue
                    self._note(f"cache unusable after recovery, bypassed: {err}")
                    return default
                except OSError as err:  # directory not writable, disk full: run without a cache
                    self._note(f"cache file cannot be used, bypassed: {err}")
                    return default
                finally:
                    if db is not None:
                        with contextlib.suppress(sqlite3.Error):
                            db.close()
            return default

    def _salvage(self, err: sqlite3.Error) -> None:
        """Replace the damaged file by one holding every record that can still be read."""
        self._checked = False
        kept: dict[str, CacheEntry] = {}
        for entry in self.scan(self._damaged_files()):
            old = kept.get(entry.key)
            if old is None or entry.created >= old.created:
                kept[entry.key] = entry
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        fresh = self.path.with_name(self.path.name + ".rebuild")
        with contextlib.suppress(FileNotFoundError):
            fresh.unlink()
        db = self._connect(fresh)
        try:
            self._create(db)
            with db:
                db.executemany("INSERT OR REPLACE INTO entries(key, record) VALUES (?, ?)",
                               [(e.key, _encode(e)) for e in kept.values()])
        finally:
            db.close()
        damaged = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        for suffix in ("", "-journal", "-wal", "-shm"):
            side = self.path.with_name(self.path.name + suffix)
            if side.exists():
                os.replace(side, damaged.with_name(damaged.name + suffix))
        os.replace(fresh, self.path)
        self._note(
            f"cache file was damaged ({str(err).splitlines()[0]}); rebuilt with the {len(kept)} entries"
            f" that could be read; damaged copy kept as {damaged.name}"
        )

    def _damaged_files(self) -> list[Path]:
        return [p for p in (self.path, self.path.with_name(self.path.name + "-journal")) if p.exists()]

    @staticmethod
    def record_matches(data: bytes) -> Iterator[re.Match[bytes]]:
        """Where records sit in raw bytes (whole or not: :meth:`scan_bytes` verifies them)."""
        return _RECORD.finditer(data)

    @staticmethod
    def scan_bytes(data: bytes) -> list[CacheEntry]:
        """Every intact record in ``data``, whatever else the bytes hold."""
        return [e for e in (_decode(m.group(0)) for m in _RECORD.finditer(data)) if e is not None]

    @classmethod
    def scan(cls, paths: Iterable[Path]) -> Iterator[CacheEntry]:
        """Every intact record in the raw bytes of ``paths``, whatever state the files are in."""
        for path in paths:
            try:
                data = path.read_bytes()
            except OSError:
                continue
            yield from cls.scan_bytes(data)

    def _note(self, message: str) -> None:
        log.warning("%s: %s", self.path, message)
        self.incidents.append(message)
        del self.incidents[:-20]
