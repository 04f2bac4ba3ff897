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

import functools
import hashlib
import marshal
import os
import pickle
import sqlite3
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, NamedTuple

from tracker.storage.config import local_folder

DB_NAME = "records.sqlite3"
STAMP_NAME = "stamp"
# Longer than the coarsest timestamp granularity of a common file system (FAT: 2 s).
SETTLE_NS = 3_000_000_000
FORMAT = "12"
# What a cached parse result depends on besides the file's bytes.
_CODE = ("storage/cache.py", "storage/store.py", "model/records.py", "model/recordset.py", "model/dates.py",
         "storage/yamlio.py", "storage/fastyaml.py", "storage/schemas.py", "storage/fastschema.py", "model/errors.py")

# How many validated states to remember (the current one, and a few to come back to after switching branches).
KEEP_STATES = 8
# How many answers to keep (a clerk's few questions a day, on a few branches), each a file in this folder: a
# command's whole answer (how many items it listed, a newline, its output) in one state of the repository, for a
# question that names the command, its options and the day (see RecordCache.answer).
KEEP_ANSWERS = 16
ANSWERS = "answers"

# Where a record's response references are in its marshalled facts (validate.Facts.response_refs).
REFS = 7

StatKey = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode
Result = tuple[str, int, int, int, int, bytes, bytes]  # path, the four of StatKey, digest, payload
Index = dict[str, tuple[StatKey, bool, bytes]]  # path: stat, settled, digest


def stat_key(stat: os.stat_result) -> StatKey:
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)


def digest(data: bytes) -> bytes:
    """A hash of a file's bytes, to tell whether a file with a recent timestamp really changed: its git blob
    ID, so that a file git reports unchanged is known to hold the bytes its cached result came from."""
    hasher = hashlib.sha1(b"blob %d\0" % len(data), usedforsecurity=False)
    hasher.update(data)
    return hasher.digest()


class Parsed(NamedTuple):
    """One file freshly read and parsed: what the cache stores about it. (A named tuple: tens of thousands of them
    cross from the parsing processes on a first read, and tuples pickle for half the cost of objects.)"""

    path: str
    stat: StatKey
    digest: bytes
    kind: str
    id: str
    report: str
    final_status: str
    final_on: str
    committee: str
    ok: bool
    payload: bytes  # pickle of (record or None, problems)
    # For validation without building the record again (see validate.py): the record's own problems, or the
    # problems that stop the file being a record (pickled; empty for none), the validation code they were found
    # with (validation_code; empty when not checked), and the record's Facts (marshalled; empty for none).
    own: bytes = b""
    checked: bytes = b""
    facts: bytes = b""


def _answer_name(state: str, question: str) -> str:
    return hashlib.blake2b(f"{state}\0{question}".encode(), digest_size=20).hexdigest()


@functools.cache
def _sources(package: Path, names: tuple[str, ...] | None = None) -> bytes:
    """A digest of the package's modules (those named, else every one); they do not change while tracker runs,
    so each process reads them once."""
    hasher = hashlib.blake2b(digest_size=20)
    for module in [package / name for name in names] if names else sorted(package.rglob("*.py")):
        hasher.update(module.relative_to(package).as_posix().encode() + b"\0" + module.read_bytes())
    return hasher.digest()


def fingerprint(package: Path, schema_dir: Path) -> str:
    """Changes whenever the code that builds records, the schemas or Python itself changes."""
    hasher = hashlib.blake2b(digest_size=16)
    hasher.update(f"{FORMAT}|{sys.version}|{sys.implementation.cache_tag}".encode())
    hasher.update(_sources(package, _CODE))
    for schema in sorted(schema_dir.glob("*.json")):
        hasher.update(schema.name.encode() + schema.read_bytes())
    return hasher.hexdigest()


def state_key(entries: Iterable[tuple[str, bytes]], validation_code: bytes) -> str:
    """One digest of a whole state of the repository: every record file's path and content hash, plus what
    validating it depends on besides the files (tracker.yaml and the code), given as validation_code."""
    hasher = hashlib.blake2b(digest_size=20)
    hasher.update(validation_code)
    hasher.update(marshal.dumps(sorted(entries)))
    return hasher.hexdigest()


def validation_code(root: Path, package: Path) -> bytes:
    """What a validation result depends on besides the record files: tracker.yaml and every module's source."""
    from tracker.storage.config import CONFIG_FILE

    hasher = hashlib.blake2b(digest_size=20)
    hasher.update((root / CONFIG_FILE).read_bytes())
    hasher.update(_sources(package))
    return hasher.digest()


class _Outdated(Exception):
    pass


class RecordCache:
    """The cache of one records repository. Every method may raise sqlite3.Error or OSError; callers drop the
    cache and carry on without it when they do."""

    def __init__(self, root: Path, version: str, settle_ns: int | None = None):
        self.folder = local_folder(root)
        self.settle_ns = SETTLE_NS if settle_ns is None else settle_ns
        self.db = self._connect(version)

    def _connect(self, version: str) -> sqlite3.Connection:
        path = self.folder / DB_NAME
        for attempt in range(3):
            db = None
            try:
                db = sqlite3.connect(path, timeout=2, isolation_level=None)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
                if "meta" in tables:
                    row = db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
                    if row is None or row[0] != version:
                        # Made by other code or for other schemas: its results mean nothing now.
                        raise _Outdated
                    return db
                db.execute("BEGIN IMMEDIATE")
                # Payloads live apart from the narrow rows that the questions scan.
                db.execute(
                    "CREATE TABLE files (path TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, ctime_ns INTEGER,"
                    " ino INTEGER, settled INTEGER, digest BLOB, kind TEXT, id TEXT, report TEXT,"
                    " final_status TEXT, final_on TEXT, committee TEXT, ok INTEGER) WITHOUT ROWID"
                )
                db.execute("CREATE INDEX files_id ON files (id)")
                db.execute("CREATE INDEX files_report ON files (report)")
                db.execute("CREATE INDEX files_failed ON files (ok) WHERE ok = 0")
                # What validating each file needs (see Parsed), apart from the narrow rows the questions scan.
                db.execute("CREATE TABLE checks (path TEXT PRIMARY KEY, checked BLOB, own BLOB, facts BLOB) WITHOUT ROWID")
                # Which records' histories name which response IDs (from their facts), to find the records a
                # changed response touches.
                db.execute("CREATE TABLE refs (target TEXT, path TEXT)")
                db.execute("CREATE INDEX refs_target ON refs (target)")
                db.execute("CREATE INDEX refs_path ON refs (path)")
                db.execute("CREATE TABLE payloads (path TEXT PRIMARY KEY, data BLOB)")
                db.execute("CREATE TABLE stat_index (id INTEGER PRIMARY KEY CHECK (id = 1), data BLOB)")
                db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
                # The problems `validate` found in one whole state of the repository (see state_key).
                db.execute("CREATE TABLE validated (state TEXT PRIMARY KEY, problems BLOB, at INTEGER)")
                # The record files of git's current records tree with their blob IDs (its ID in meta 'tree'), so
                # `git ls-tree` runs once per tree, and which cached files match it is one query.
                db.execute("CREATE TABLE tree_files (path TEXT PRIMARY KEY, blob BLOB) WITHOUT ROWID")
                # The last scan through git (see store._find_files), kept whole in one blob.
                db.execute("CREATE TABLE scan (id INTEGER PRIMARY KEY CHECK (id = 1), data BLOB)")
                # How the cached rows went from one validated state to the next: the files changed and their rows
                # before (see check_rows), so a question answered a few states ago can be answered from there.
                db.execute("CREATE TABLE transitions (seq INTEGER PRIMARY KEY, before TEXT, after TEXT, data BLOB)")
                db.execute("INSERT INTO meta VALUES ('version', ?)", (version,))
                db.execute("COMMIT")
                return db
            except (sqlite3.DatabaseError, _Outdated):
                # Outdated, or not a database any more (damaged, truncated, overwritten): it is only a cache,
                # so start afresh. (Another run creating it at the same moment makes the next attempt succeed.)
                if db is not None:
                    db.close()
                if attempt == 2:
                    raise
                if attempt == 0:
                    self.clear()
        raise AssertionError("unreachable")

    def clear(self) -> None:
        import shutil

        for name in (DB_NAME, DB_NAME + "-wal", DB_NAME + "-shm"):
            (self.folder / name).unlink(missing_ok=True)
        shutil.rmtree(self.folder / ANSWERS, ignore_errors=True)

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

    def settled(self, stat: StatKey, read_at_ns: int) -> bool:
        """Whether no later write could leave this stat unchanged: the file's last change is well before the read."""
        return max(stat[1], stat[2]) < read_at_ns - self.settle_ns

    def stats(self) -> Index:
        """Each cached file's stat, whether it had settled, and the hash of its bytes."""
        # Kept whole in one marshalled blob as well as row by row: reading it is several times faster.
        row = self.db.execute("SELECT data FROM stat_index").fetchone()
        if row is not None:
            index: Index = marshal.loads(row[0])
            return index
        rows = self.db.execute("SELECT path, size, mtime_ns, ctime_ns, ino, settled, digest FROM files")
        return {row[0]: ((row[1], row[2], row[3], row[4]), bool(row[5]), row[6]) for row in rows}

    def results(self, open_on: str | None = None, done: dict[str, list[str]] | None = None,
                committee: str | None = None, clean: bool = False) -> Iterator[Result]:
        """The stored parse results: of every file, or (with open_on, an ISO date) of just the files a question
        about what needs attention on that day can touch, or (with committee) of just that committee's meetings
        and actions (with committee "", of just the files with problems). done gives the statuses that count as
        done, by kind. Files with problems and duplicated IDs always come, so problems and ID clashes resolve
        exactly as in a full load; clean says there are none (the state was validated without a problem, and a
        file that is not a record or an ID used twice is always one), so they need not be looked for."""
        columns = "files.path, size, mtime_ns, ctime_ns, ino, digest, payloads.data"
        tables = "files JOIN payloads ON payloads.path = files.path"
        if committee == "":
            yield from self.db.execute(f"SELECT {columns} FROM {tables} WHERE ok = 0")
            return
        clashes = "0" if clean else "ok = 0 OR id IN (SELECT id FROM files WHERE id != '' GROUP BY id HAVING count(*) > 1)"
        if committee is not None:
            yield from self.db.execute(f"""
                SELECT {columns} FROM {tables}
                WHERE (kind IN ('action', 'meeting') AND committee = ?) OR {clashes}
            """, (committee,))
            return
        if open_on is None:
            yield from self.db.execute(f"SELECT {columns} FROM {tables}")
            return
        # An item keeps the status of its last status change from that change's date on: done by then, the
        # question never looks at it. Open items bring their report and its responses; files with problems
        # and duplicated IDs always come, so problems and ID clashes resolve exactly as in a full load.
        open_items = " OR ".join(
            f"(kind = '{kind}' AND final_status NOT IN ({', '.join('?' * len(statuses))}))"
            for kind, statuses in (done or {}).items()
        ) or "0"
        params = [status for statuses in (done or {}).values() for status in statuses]
        items = f"kind IN ('action', 'recommendation') AND (final_on > ? OR {open_items})"
        query = f"""
            WITH reports AS (SELECT DISTINCT report FROM files WHERE {items} AND report != '')
            SELECT {columns} FROM {tables}
            WHERE ({items})
               OR (kind = 'report' AND id IN reports)
               OR (kind = 'response' AND report IN reports)
               OR {clashes}
        """
        yield from self.db.execute(query, [open_on, *params, open_on, *params])

    def update(self, fresh: list[tuple[Parsed, bool]], confirmed: list[tuple[str, StatKey, bool]],
               gone: Iterable[str], index: Index | None) -> None:
        """Store new parse results, new stats of files whose bytes were unchanged, and forget deleted files
        (within a snapshot); index is the new stats() whole, or None to have it read from the rows."""
        gone = list(gone)
        if not (fresh or confirmed or gone):
            return
        db = self.db
        db.executemany("DELETE FROM files WHERE path = ?", ((path,) for path in gone))
        db.executemany("DELETE FROM payloads WHERE path = ?", ((path,) for path in gone))
        db.executemany("DELETE FROM checks WHERE path = ?", ((path,) for path in gone))
        db.executemany("DELETE FROM refs WHERE path = ?", [(path,) for path in gone] + [(p.path,) for p, _ in fresh])
        db.executemany("INSERT INTO refs VALUES (?, ?)", (
            (target, p.path) for p, _ in fresh if p.facts for _, target in marshal.loads(p.facts)[REFS]))
        db.executemany(
            "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ((p.path, *p.stat, int(settled), p.digest, p.kind, p.id, p.report, p.final_status, p.final_on,
              p.committee, int(p.ok)) for p, settled in fresh),
        )
        db.executemany("INSERT OR REPLACE INTO checks VALUES (?, ?, ?, ?)",
                       ((p.path, p.checked, p.own, p.facts) for p, _ in fresh))
        db.executemany("INSERT OR REPLACE INTO payloads VALUES (?, ?)", ((p.path, p.payload) for p, _ in fresh))
        db.executemany(
            "UPDATE files SET size = ?, mtime_ns = ?, ctime_ns = ?, ino = ?, settled = ? WHERE path = ?",
            ((*stat, int(settled), path) for path, stat, settled in confirmed),
        )
        db.execute("DELETE FROM stat_index")
        if index is not None:
            db.execute("INSERT INTO stat_index VALUES (1, ?)", (marshal.dumps(index),))

    def tree(self) -> str:
        """The ID of the records tree whose files tree_files holds ("" for none)."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'tree'").fetchone()
        return str(row[0]) if row is not None else ""

    def empty(self) -> bool:
        """Whether no file is cached yet."""
        return self.db.execute("SELECT 1 FROM files LIMIT 1").fetchone() is None

    def remember_tree(self, tree: str, blobs: dict[str, bytes]) -> None:
        """Keep a records tree's files and blob IDs in place of the last (within a snapshot)."""
        db = self.db
        db.execute("DELETE FROM tree_files")
        db.executemany("INSERT INTO tree_files VALUES (?, ?)", blobs.items())
        db.execute("INSERT OR REPLACE INTO meta VALUES ('tree', ?)", (tree,))

    def tree_blobs(self, paths: Iterable[str]) -> dict[str, bytes]:
        """The blob IDs of those of paths that are files of the kept tree."""
        return dict(self._where_path("SELECT path, blob FROM tree_files", paths))

    def unmatched(self) -> tuple[list[str], list[str]]:
        """The files of the kept tree whose cached result is missing, from other bytes or from bytes written too
        recently to trust git about (see SETTLE_NS); and the cached files that are not in the tree."""
        diverged = [row[0] for row in self.db.execute(
            "SELECT tree_files.path FROM tree_files LEFT JOIN files ON files.path = tree_files.path"
            " WHERE files.path IS NULL OR files.digest != tree_files.blob OR files.settled = 0")]
        others = [row[0] for row in self.db.execute(
            "SELECT path FROM files WHERE path NOT IN (SELECT path FROM tree_files)")]
        return diverged, others

    def index_of(self, paths: Iterable[str]) -> Index:
        """stats(), for just those paths."""
        rows = self._where_path("SELECT path, size, mtime_ns, ctime_ns, ino, settled, digest FROM files", paths)
        return {row[0]: ((row[1], row[2], row[3], row[4]), bool(row[5]), row[6]) for row in rows}

    def _where_path(self, select: str, paths: Iterable[str]) -> list[Any]:
        return self._where(select, "path", paths)

    def _where(self, select: str, column: str, values: Iterable[str], close: str = "") -> list[Any]:
        wanted = sorted(set(values))
        rows: list[Any] = []
        for start in range(0, len(wanted), 500):  # within SQLite's limit on parameters
            part = wanted[start:start + 500]
            rows += self.db.execute(f"{select} WHERE {column} IN ({', '.join('?' * len(part))}){close}", part).fetchall()
        return rows

    def scan(self) -> Any:
        """What the last scan through git kept for the next, or None."""
        row = self.db.execute("SELECT data FROM scan").fetchone()
        return marshal.loads(row[0]) if row is not None else None

    def remember_scan(self, scan: Any) -> None:
        """Keep what this scan found for the next (within a snapshot)."""
        self.db.execute("INSERT OR REPLACE INTO scan VALUES (1, ?)", (marshal.dumps(scan),))

    def checks(self) -> list[tuple[str, int, bytes, bytes, bytes]]:
        """Each file's path, whether it holds a record, and what validating it needs: its own problems, the
        validation code they were found with, and its facts (see Parsed)."""
        return self.db.execute("SELECT path, ok, checked, own, facts FROM files JOIN checks USING (path)").fetchall()

    def check_rows(self, column: str, values: Iterable[str]) -> list[tuple[str, int, str, str, bytes, bytes]]:
        """checks(), with each file's ID and report, for the files whose column (path, id or report) is one of
        values, or (column "refs") whose history names one of values as a response."""
        select = "SELECT files.path, ok, id, report, own, facts FROM files JOIN checks ON checks.path = files.path"
        if column == "refs":
            return self._where(f"{select} WHERE files.path IN (SELECT path FROM refs", "target", values, ")")
        assert column in ("path", "id", "report")
        return self._where(select, f"files.{column}", values)

    def failed(self) -> list[bytes]:
        """The problems (pickled) of every file that holds no record."""
        return [row[0] for row in self.db.execute(
            "SELECT own FROM checks WHERE path IN (SELECT path FROM files WHERE ok = 0)")]

    def meta(self, key: str) -> Any:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row is not None else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def payload(self, path: str) -> bytes:
        row = self.db.execute("SELECT data FROM payloads WHERE path = ?", (path,)).fetchone()
        if row is None:
            raise sqlite3.DatabaseError(f"no parse result stored for {path}")
        data: bytes = row[0]
        return data

    def recheck(self, path: str, own: bytes, checked: bytes, facts: bytes) -> None:
        """Keep a file's own problems and facts found again with other validation code (within a snapshot)."""
        self.db.execute("UPDATE checks SET own = ?, checked = ?, facts = ? WHERE path = ?", (own, checked, facts, path))

    def record_count(self) -> int:
        """How many records the files hold, counting an ID used twice once."""
        row = self.db.execute("SELECT count(DISTINCT id) FROM files WHERE ok = 1").fetchone()
        return int(row[0])

    def validation(self, state: str) -> list[Any] | None:
        """The problems validation found in this state of the repository, if it was validated before."""
        row = self.db.execute("SELECT problems FROM validated WHERE state = ?", (state,)).fetchone()
        if row is None:
            return None
        problems: list[Any] = pickle.loads(row[0])
        return problems

    def remember_validation(self, state: str, problems: list[Any]) -> None:
        """Keep what validation found in this state (and only the few most recent states), within a snapshot."""
        db = self.db
        db.execute("INSERT OR REPLACE INTO validated VALUES (?, ?, (SELECT coalesce(max(at), 0) + 1 FROM validated))",
                   (state, pickle.dumps(problems, protocol=pickle.HIGHEST_PROTOCOL)))
        db.execute("DELETE FROM validated WHERE at <= (SELECT max(at) FROM validated) - ?", (KEEP_STATES,))

    def answer(self, state: str, question: str) -> tuple[str, int] | None:
        """The answer given before to this question in this state, if kept."""
        try:
            data = (self.folder / ANSWERS / _answer_name(state, question)).read_bytes()
        except OSError:
            return None
        items, _, text = data.partition(b"\n")
        return text.decode("utf-8"), int(items)

    def remember_answer(self, state: str, question: str, text: str, items: int) -> None:
        """Keep an answer (and only the KEEP_ANSWERS most recent). Answers are files of their own: a large one
        is written once, not into the database's log and then again into the database."""
        self._keep_file(_answer_name(state, question), b"%d\n" % items + text.encode("utf-8"))

    def _keep_file(self, name: str, data: bytes) -> None:
        """Write a file of the answers folder atomically, and forget the oldest beyond what is kept."""
        folder = self.folder / ANSWERS
        folder.mkdir(exist_ok=True)
        partial = folder / f".{name}.{os.getpid()}"
        partial.write_bytes(data)
        os.replace(partial, folder / name)
        kept = sorted(folder.iterdir(), key=lambda path: path.stat().st_mtime_ns, reverse=True)
        for old in kept[2 * KEEP_ANSWERS:]:  # each answer, and the items of some
            old.unlink(missing_ok=True)

    def remember_transition(self, before: str, after: str, changed: list[str], rows: list[Any]) -> None:
        """Keep how the rows went from state before to state after (within a snapshot; only the last few)."""
        db = self.db
        db.execute("INSERT INTO transitions (before, after, data) VALUES (?, ?, ?)",
                   (before, after, pickle.dumps((changed, rows), protocol=pickle.HIGHEST_PROTOCOL)))
        db.execute("DELETE FROM transitions WHERE seq <= (SELECT max(seq) FROM transitions) - ?", (KEEP_STATES * 2,))

    def transition_to(self, state: str) -> tuple[str, list[str], list[Any]] | None:
        """The latest step the rows took to this state: the state before, the files changed, their rows before."""
        row = self.db.execute("SELECT before, data FROM transitions WHERE after = ? ORDER BY seq DESC LIMIT 1",
                              (state,)).fetchone()
        if row is None:
            return None
        changed, rows = pickle.loads(row[1])
        return row[0], changed, rows

    def items(self, state: str, question: str) -> list[Any] | None:
        """The items kept with the answer to this question in this state (see remember_items), if kept."""
        try:
            data = (self.folder / ANSWERS / (_answer_name(state, question) + ".items")).read_bytes()
        except OSError:
            return None
        items: list[Any] = pickle.loads(data)
        return items

    def remember_items(self, state: str, question: str, items: list[Any]) -> None:
        """Keep the items an answer lists, to answer the same question after a few files change."""
        self._keep_file(_answer_name(state, question) + ".items", pickle.dumps(items, protocol=pickle.HIGHEST_PROTOCOL))

    def results_about(self, paths: list[str], reports: set[str], with_responses: set[str]) -> list[tuple[str, str, bytes]]:
        """The path, kind and stored result of the files given, the recommendations of reports, and the reports
        with_responses with their responses."""
        marks = ", ".join("?" * len(paths))
        named = ", ".join("?" * len(reports))
        answered = ", ".join("?" * len(with_responses))
        # One indexed query for each part: a single WHERE with OR reads every row.
        return self.db.execute(f"""
            SELECT files.path, kind, payloads.data FROM files JOIN payloads ON payloads.path = files.path
            WHERE files.path IN (
                SELECT path FROM files WHERE path IN ({marks})
                UNION SELECT path FROM files WHERE report IN ({named}) AND kind = 'recommendation'
                UNION SELECT path FROM files WHERE id IN ({answered}) AND kind = 'report'
                UNION SELECT path FROM files WHERE report IN ({answered}) AND kind = 'response')
        """, [*paths, *sorted(reports), *sorted(with_responses), *sorted(with_responses)]).fetchall()

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
