"""A disposable cache of parsed records: SQLite in the records repository's git-ignored `.tracker-cache/` folder.

Each record file's parse result (the typed record, or the problems that stop it being one) is stored with the
file's size, mtime, ctime and inode and a hash of its bytes. A file whose stat is unchanged is not read again,
but only once it has *settled*: its ctime lay more than SETTLE_NS before the moment it was read, measured on the
file system's own clock (a stamp file in the cache folder). Any later write then gives it a different ctime (which,
unlike mtime, no tool can set back), so a same-size edit within the same second is never missed; a file that had
not settled is read and hashed again, as git does for "racily clean" index entries. The cache belongs to one
version of the code and the schemas; anything else, or a damaged database, and it starts afresh.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sqlite3
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CACHE_DIR = ".tracker-cache"
DB_NAME = "records.sqlite3"
STAMP_NAME = "stamp"
# Longer than the coarsest timestamp granularity of a common file system (FAT: 2 s).
SETTLE_NS = 3_000_000_000
FORMAT = "1"
# What a cached parse result depends on besides the file's bytes.
_CODE = ("cache.py", "store.py", "records.py", "dates.py", "yamlio.py", "schemas.py", "fastschema.py", "errors.py")

StatKey = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode
Result = tuple[str, int, int, int, int, bytes, bytes]  # path, the four of StatKey, digest, payload


def stat_key(stat: os.stat_result) -> StatKey:
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)


def digest(data: bytes) -> bytes:
    """A hash of a file's bytes, to tell whether a file with a recent timestamp really changed."""
    return hashlib.blake2b(data, digest_size=16).digest()


@dataclass(frozen=True)
class Parsed:
    """One file freshly read and parsed: what the cache stores about it."""

    path: str
    stat: StatKey
    digest: bytes
    kind: str
    id: str
    report: str
    final_status: str
    final_on: str
    ok: bool
    payload: bytes  # pickle of (record or None, problems)


def fingerprint(package: Path, schema_dir: Path) -> str:
    """Changes whenever the code that builds records, the schemas or Python itself changes."""
    hasher = hashlib.blake2b(digest_size=16)
    hasher.update(f"{FORMAT}|{sys.version}|{sys.implementation.cache_tag}".encode())
    for name in _CODE:
        hasher.update(name.encode() + (package / name).read_bytes())
    for schema in sorted(schema_dir.glob("*.json")):
        hasher.update(schema.name.encode() + schema.read_bytes())
    return hasher.hexdigest()


class RecordCache:
    """The cache of one records repository. Every method may raise sqlite3.Error or OSError; callers drop the
    cache and carry on without it when they do."""

    def __init__(self, root: Path, version: str, settle_ns: int | None = None):
        self.folder = root / CACHE_DIR
        self.settle_ns = SETTLE_NS if settle_ns is None else settle_ns
        self.folder.mkdir(exist_ok=True)
        ignore = self.folder / ".gitignore"
        if not ignore.exists():
            # Ignored even in a repository whose own .gitignore does not mention the folder.
            ignore.write_text("# A disposable cache of tracker; safe to delete.\n*\n", encoding="utf-8")
        self.db = self._connect(version)

    def _connect(self, version: str) -> sqlite3.Connection:
        path = self.folder / DB_NAME
        for attempt in range(2):
            try:
                db = sqlite3.connect(path, timeout=2, isolation_level=None)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
                db.execute(
                    "CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER,"
                    " ctime_ns INTEGER, ino INTEGER, settled INTEGER, digest BLOB, kind TEXT, id TEXT, report TEXT,"
                    " final_status TEXT, final_on TEXT, ok INTEGER, payload BLOB)"
                )
                row = db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
                if row is None or row[0] != version:
                    db.execute("BEGIN IMMEDIATE")
                    db.execute("DELETE FROM files")
                    db.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (version,))
                    db.execute("COMMIT")
                return db
            except sqlite3.DatabaseError:
                # Not a database any more (damaged, truncated, overwritten): it is only a cache, so start afresh.
                if attempt:
                    raise
                try:
                    db.close()
                except Exception:  # the connection may never have opened
                    pass
                self.clear()
        raise AssertionError("unreachable")

    def clear(self) -> None:
        for name in (DB_NAME, DB_NAME + "-wal", DB_NAME + "-shm"):
            (self.folder / name).unlink(missing_ok=True)

    def close(self) -> None:
        self.db.close()

    def drop(self) -> None:
        """Throw the database away (it is damaged or unusable); the next run builds a new one."""
        try:
            self.db.close()
        except sqlite3.Error:
            pass
        try:
            self.clear()
        except OSError:
            pass

    def now_ns(self) -> int:
        """The file system's current time, read from a freshly touched stamp file beside the database."""
        stamp = self.folder / STAMP_NAME
        stamp.write_bytes(b"")
        os.utime(stamp)
        return stamp.stat().st_mtime_ns

    def settled(self, stat: StatKey, read_at_ns: int) -> bool:
        """Whether no later write could leave this stat unchanged: the file's last change is well before the read."""
        return max(stat[1], stat[2]) < read_at_ns - self.settle_ns

    def stats(self) -> dict[str, tuple[StatKey, bool, bytes]]:
        """Each cached file's stat, whether it had settled, and the hash of its bytes."""
        rows = self.db.execute("SELECT path, size, mtime_ns, ctime_ns, ino, settled, digest FROM files")
        return {row[0]: ((row[1], row[2], row[3], row[4]), bool(row[5]), row[6]) for row in rows}

    def results(self, open_on: str | None = None, done: dict[str, list[str]] | None = None) -> Iterator[Result]:
        """The stored parse results: of every file, or (with open_on, an ISO date) of just the files a question
        about what needs attention on that day can touch. done gives the statuses that count as done, by kind."""
        columns = "path, size, mtime_ns, ctime_ns, ino, digest, payload"
        if open_on is None:
            yield from self.db.execute(f"SELECT {columns} FROM files")
            return
        # An item keeps the status of its last status change from that change's date on: done by then, the
        # question never looks at it. Open items bring their report and its responses; files with problems
        # and duplicated IDs always come, so problems and ID clashes resolve exactly as in a full load.
        open_items = " OR ".join(
            f"(kind = '{kind}' AND final_status NOT IN ({', '.join('?' * len(statuses))}))"
            for kind, statuses in (done or {}).items()
        ) or "0"
        params = [status for statuses in (done or {}).values() for status in statuses]
        query = f"""
            WITH items AS (
                SELECT path, report FROM files
                WHERE kind IN ('action', 'recommendation') AND (final_on > ? OR {open_items})
            ), reports AS (SELECT DISTINCT report FROM items WHERE report != '')
            SELECT {columns} FROM files
            WHERE ok = 0
               OR path IN (SELECT path FROM items)
               OR (kind = 'report' AND id IN reports)
               OR (kind = 'response' AND report IN reports)
               OR id IN (SELECT id FROM files WHERE id != '' GROUP BY id HAVING count(*) > 1)
        """
        yield from self.db.execute(query, [open_on, *params])

    def update(self, fresh: list[tuple[Parsed, bool]], confirmed: list[tuple[str, StatKey, bool]],
               gone: Iterable[str]) -> None:
        """Store new parse results, new stats of files whose bytes were unchanged, and forget deleted files
        (within a snapshot)."""
        gone = list(gone)
        if not (fresh or confirmed or gone):
            return
        db = self.db
        db.executemany("DELETE FROM files WHERE path = ?", ((path,) for path in gone))
        db.executemany(
            "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ((p.path, *p.stat, int(settled), p.digest, p.kind, p.id, p.report, p.final_status, p.final_on,
              int(p.ok), p.payload) for p, settled in fresh),
        )
        db.executemany(
            "UPDATE files SET size = ?, mtime_ns = ?, ctime_ns = ?, ino = ?, settled = ? WHERE path = ?",
            ((*stat, int(settled), path) for path, stat, settled in confirmed),
        )

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """One transaction from first read to last write: if another run writes in between, this run's write
        fails (sqlite3.OperationalError) instead of mixing the two runs' views of the files."""
        self.db.execute("BEGIN")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")


def load_payload(payload: bytes) -> tuple[Any, list[Any]]:
    result: tuple[Any, list[Any]] = pickle.loads(payload)
    return result


def dump_payload(record: Any, problems: list[Any]) -> bytes:
    return pickle.dumps((record, problems), protocol=pickle.HIGHEST_PROTOCOL)
