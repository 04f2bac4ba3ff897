"""A disposable cache, private to storage: SQLite in the records repository's git-ignored `.tracker-cache/` folder.

It keeps three things: each record file's parse result (the validated mapping as JSON, or the problems that stop
the file being a record) with the file's stat and the hash of its bytes; answers kept for a whole state of the
repository; and answers kept file by file (see parts.py), with the names each file's record is known by and needs,
so that after an edit only the files it can affect are worked out again. Everything is plain text or numbers;
nothing read from it is ever unpickled or evaluated. Every row carries a checksum of its values: a row that fails
it is dropped and its answer worked out again, and a database that cannot be read is deleted and built afresh.
The cache belongs to one version of the code and the schemas.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sqlite3
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from tracker.storage.config import local_folder

DB_NAME = "records.sqlite3"
STAMP_NAME = "stamp"
# Longer than the coarsest timestamp granularity of a common file system (FAT: 2 s): a file whose last change is
# older than this when it is read cannot be rewritten later with the same stat.
SETTLE_NS = 3_000_000_000
FORMAT = "15"
# Answers kept: a clerk's few questions a day on a few branches, and the validation of each state.
KEEP_ANSWERS = 16
# Answers kept file by file: the validation and a few listings, each a row per file that needs one.
KEEP_PARTS = 4

StatKey = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode


class Row:
    """One record file as cached: its stat, whether that had settled, its bytes' hash, and its parse result."""

    __slots__ = ("body", "digest", "settled", "stat")

    def __init__(self, stat: StatKey, settled: bool, digest: str, body: str):
        self.stat = stat
        self.settled = settled
        self.digest = digest
        self.body = body


def stat_key(stat: os.stat_result) -> StatKey:
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)


def digest(data: bytes) -> str:
    """A hash of a file's bytes: its git blob ID, so a file git reports unchanged is known to hold its blob's."""
    hasher = hashlib.sha1(b"blob %d\0" % len(data), usedforsecurity=False)
    hasher.update(data)
    return hasher.hexdigest()


def checksum(*values: object) -> str:
    """A checksum of the values' text, to tell a kept value from one damaged since."""
    text = "\0".join([value if isinstance(value, str) else str(value) for value in values])
    return hashlib.blake2b(text.encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()


@functools.cache
def _sources(package: Path) -> bytes:
    """A digest of every module of the package; they do not change while tracker runs."""
    hasher = hashlib.blake2b(digest_size=20)
    for module in sorted(package.rglob("*.py")):
        hasher.update(module.relative_to(package).as_posix().encode() + b"\0" + module.read_bytes())
    return hasher.digest()


def fingerprint(package: Path, schema_dir: Path) -> str:
    """Changes whenever the code, the schemas or Python itself change: the cache is then started afresh."""
    hasher = hashlib.blake2b(digest_size=16)
    hasher.update(f"{FORMAT}|{sys.version}|{sys.implementation.cache_tag}".encode())
    hasher.update(_sources(package))
    for schema in sorted(schema_dir.glob("*.json")):
        hasher.update(schema.name.encode() + schema.read_bytes())
    return hasher.hexdigest()


class RecordCache:
    """The cache of one records repository. Any method may raise sqlite3.Error or OSError; callers then carry on
    without it (see store.py), and a database that cannot be read is deleted on the next open."""

    def __init__(self, root: Path, version: str):
        self.folder = local_folder(root)
        self.db = self._connect(version)

    def _connect(self, version: str) -> sqlite3.Connection:
        for attempt in range(2):
            db = None
            try:
                db = sqlite3.connect(self.folder / DB_NAME, timeout=2, isolation_level=None)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                if not self._usable(db, version):
                    db.close()
                    self.clear()
                    continue
                return db
            except sqlite3.DatabaseError:
                if db is not None:
                    db.close()
                if attempt:
                    raise
                self.clear()  # damaged, truncated or overwritten: it is only a cache
        raise sqlite3.DatabaseError("the cache could not be opened")

    @staticmethod
    def _usable(db: sqlite3.Connection, version: str) -> bool:
        """Whether the database is this version's (creating it when empty); checks its integrity cheaply."""
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if tables:
            row = db.execute("SELECT body, sum FROM kept WHERE key = 'version'").fetchone()
            return row is not None and row[0] == version and row[1] == checksum("version", version)
        db.execute("BEGIN IMMEDIATE")
        db.execute("CREATE TABLE files (path TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, ctime_ns INTEGER,"
                   " ino INTEGER, settled INTEGER, digest TEXT, body TEXT, sum TEXT)")
        # The order of use before the text: finding the oldest answers then never reads the long texts.
        db.execute("CREATE TABLE kept (key TEXT PRIMARY KEY, at INTEGER, sum TEXT, body TEXT)")
        db.execute("CREATE TABLE parts (question TEXT, path TEXT, body TEXT, sum TEXT, PRIMARY KEY (question, path))"
                   " WITHOUT ROWID")
        db.execute("CREATE TABLE names (question TEXT, kind TEXT, first TEXT, next TEXT, line INTEGER, sum TEXT,"
                   " body TEXT, PRIMARY KEY (question, kind, first))")
        db.execute("CREATE INDEX names_by_line ON names (question, kind, line)")
        db.execute("INSERT INTO kept VALUES ('version', 0, ?, ?)", (checksum("version", version), version))
        db.execute("COMMIT")
        return True

    def clear(self) -> None:
        for name in (DB_NAME, DB_NAME + "-wal", DB_NAME + "-shm"):
            (self.folder / name).unlink(missing_ok=True)

    def close(self) -> None:
        self.db.close()

    def drop(self) -> None:
        """Throw the database away (it is damaged or unusable); the next run builds a new one."""
        with suppress(sqlite3.Error):
            self.db.close()
        with suppress(OSError):
            self.clear()

    def now_ns(self) -> int:
        """The file system's current time, read from a freshly touched stamp file beside the database."""
        stamp = self.folder / STAMP_NAME
        stamp.write_bytes(b"")
        os.utime(stamp)
        return stamp.stat().st_mtime_ns

    def rows(self, paths: Iterable[str] | None = None) -> dict[str, Row]:
        """The cached rows (of every file, or of those paths) whose checksum holds; the others are deleted."""
        select = "SELECT path, size, mtime_ns, ctime_ns, ino, settled, digest, body, sum FROM files"
        if paths is None:
            found = self.db.execute(select).fetchall()
        else:
            wanted = sorted(set(paths))
            found = []
            for start in range(0, len(wanted), 500):  # within SQLite's limit on parameters
                part = wanted[start:start + 500]
                found += self.db.execute(f"{select} WHERE path IN ({', '.join('?' * len(part))})", part).fetchall()
        rows: dict[str, Row] = {}
        damaged = []
        for path, size, mtime, ctime, ino, settled, hashed, body, summed in found:
            if summed != checksum(path, size, mtime, ctime, ino, settled, hashed, body):
                damaged.append((path,))
                continue
            rows[path] = Row((size, mtime, ctime, ino), bool(settled), hashed, body)
        self.db.executemany("DELETE FROM files WHERE path = ?", damaged)
        return rows

    def store(self, rows: dict[str, Row], gone: Iterable[str] = ()) -> None:
        """Keep these rows (in place of any for the same paths), and forget the files gone."""
        self.db.executemany("DELETE FROM files WHERE path = ?", [(path,) for path in gone])
        self.db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", (
            (path, *row.stat, int(row.settled), row.digest, row.body,
             checksum(path, *row.stat, int(row.settled), row.digest, row.body))
            for path, row in rows.items()))

    def text(self, key: str) -> str | None:
        """The text kept under key, or None when there is none, or what there is fails its checksum."""
        row = self.db.execute("SELECT body, sum FROM kept WHERE key = ?", (key,)).fetchone()
        if row is None or not isinstance(row[0], str) or row[1] != checksum(key, row[0]):
            return None
        return row[0]

    def keep_text(self, key: str, text: str) -> None:
        """Keep text under key; of those whose key starts "answer ", only the KEEP_ANSWERS most recent."""
        self.db.execute("INSERT OR REPLACE INTO kept VALUES (?, (SELECT coalesce(max(at), 0) + 1 FROM kept), ?, ?)",
                        (key, checksum(key, text), text))
        self.db.execute("DELETE FROM kept WHERE key LIKE 'answer %' AND key NOT IN"
                        " (SELECT key FROM kept WHERE key LIKE 'answer %' ORDER BY at DESC LIMIT ?)", (KEEP_ANSWERS,))

    def value(self, key: str) -> Any:
        """The JSON value kept under key (see text), or None."""
        found = self.text(key)
        try:
            return json.loads(found) if found is not None else None
        except ValueError:
            return None

    def keep(self, key: str, value: Any) -> None:
        """Keep a JSON value under key (see keep_text)."""
        self.keep_text(key, json.dumps(value, ensure_ascii=False, separators=(",", ":")))

    # Answers kept file by file (see parts.py): under "parts <question>" the state they were worked out for, in the
    # names table the names of every file's record then (see names.py), and in the parts table each file's part.

    def kept_names(self, question: str) -> KeptNames:
        """The names kept with the question's parts, read a chunk at a time (see names.py)."""
        return KeptNames(self.db, question)

    def keep_names(self, question: str, texts: dict[str, list[Any]] | None, recent: str) -> None:
        """Keep the names texts (unless None: those kept stand) and the recent lines."""
        kinds = [*(texts or {}), "recent"]
        self.db.executemany("DELETE FROM names WHERE question = ? AND kind = ?", [(question, kind) for kind in kinds])
        chunks = [(kind, *chunk) for kind, found in (texts or {}).items() for chunk in found]
        chunks.append(("recent", "", "", 0, recent))
        self.db.executemany("INSERT INTO names VALUES (?, ?, ?, ?, ?, ?, ?)", [
            (question, kind, first, after, line, checksum(question, kind, first, after, line, body), body)
            for kind, first, after, line, body in chunks])

    def parts(self, question: str) -> dict[str, str]:
        """Every file's part of the question's answer (files without one are left out); ValueError when a row fails
        its checksum (the caller then works the whole answer out again)."""
        found = self.db.execute("SELECT path, body, sum FROM parts WHERE question = ?", (question,)).fetchall()
        if any(summed != checksum(question, path, body) for path, body, summed in found):
            raise ValueError("a kept part is damaged")
        return {path: body for path, body, _ in found}

    def keep_parts(self, question: str, base: Any, parts: dict[str, str], replaced: Iterable[str] | None) -> None:
        """Keep the question's answer for the state base describes: the parts of the files replaced (of all files
        when replaced is None) take the place of those kept. (Its names are kept by keep_names.)"""
        db = self.db
        if replaced is None:
            db.execute("DELETE FROM parts WHERE question = ?", (question,))
        else:
            db.executemany("DELETE FROM parts WHERE question = ? AND path = ?", [(question, path) for path in replaced])
        db.executemany("INSERT INTO parts VALUES (?, ?, ?, ?)",
                       [(question, path, body, checksum(question, path, body)) for path, body in parts.items()])
        self.keep("parts " + question, base)
        questions = [row[0][len("parts "):] for row in db.execute(
            "SELECT key FROM kept WHERE key LIKE 'parts %' ORDER BY at DESC").fetchall()]
        for old in questions[KEEP_PARTS:]:
            db.execute("DELETE FROM kept WHERE key = ?", ("parts " + old,))
            db.execute("DELETE FROM names WHERE question = ?", (old,))
            db.execute("DELETE FROM parts WHERE question = ?", (old,))

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction: another run writing meanwhile makes this one's write fail rather than mix the two."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")



class KeptNames:
    """The names kept with one question's parts (see names.Stored), each chunk checked as it is read."""

    _SELECT = "SELECT first, next, line, sum, body FROM names WHERE question = ? AND kind = ?"

    def __init__(self, db: sqlite3.Connection, question: str):
        self.db = db
        self.question = question

    def chunk(self, kind: str, key: str) -> tuple[str, str]:
        row = self.db.execute(self._SELECT + " AND first <= ? ORDER BY first DESC LIMIT 1",
                              (self.question, kind, key)).fetchone()
        if row is None or (row[1] and key >= row[1]):  # a chunk is missing
            raise ValueError("kept names are damaged")
        return self._checked(kind, row)[1], str(row[1])

    def chunk_at(self, kind: str, number: int) -> tuple[int, str]:
        row = self.db.execute(self._SELECT + " AND line <= ? ORDER BY line DESC LIMIT 1",
                              (self.question, kind, number)).fetchone()
        if row is None:
            raise ValueError("kept names are damaged")
        return self._checked(kind, row)

    def everything(self, kind: str) -> str:
        """A whole text, its chunks checked and in order."""
        rows = self.db.execute(self._SELECT + " ORDER BY first", (self.question, kind)).fetchall()
        for index, row in enumerate(rows):
            following = rows[index + 1][0] if index + 1 < len(rows) else ""
            if row[1] != following:
                raise ValueError("kept names are damaged")
            self._checked(kind, row)
        return "".join(row[4] for row in rows)

    def _checked(self, kind: str, row: Any) -> tuple[int, str]:
        first, after, line, summed, body = row
        if not isinstance(body, str) or summed != checksum(self.question, kind, first, after, line, body):
            raise ValueError("kept names are damaged")
        return int(line), body
