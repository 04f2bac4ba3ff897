"""The door to a records repository: its records, their problems, and answers kept for the state it is in.

Commands ask a Snapshot for records, or for an answer through `kept(question, compute)`; how the answer is found
(worked out, or kept from an earlier run in the same state) is this module's business alone. The cache behind it
(cache.py) can be deleted, disabled or damaged without changing a byte of any answer.
"""

from __future__ import annotations

import gc
import json
import sqlite3
from collections.abc import Callable, Iterable
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

from tracker.model.errors import Problem, TrackerError
from tracker.model.records import Record
from tracker.model.recordset import RecordSet
from tracker.storage import cache as cache_module
from tracker.storage.cache import RecordCache, Row, StatKey, checksum, digest
from tracker.storage.config import Config
from tracker.storage.finding import Files, blobs_of, files_through_git
from tracker.storage.parts import Compute, Loaded, Needs, PartKeeper, Parts, State, record_set
from tracker.storage.reading import (
    Fresh,
    ProgressCallback,
    Reader,
    build_set,
    parse_many,
    problem_from,
    problem_json,
    read_sources,
    result_of,
    scan_records,
)

T = TypeVar("T")


def load_records(config: Config, paths: Iterable[Path] | None = None, *, use_cache: bool = True,
                 progress: ProgressCallback | None = None) -> RecordSet:
    """Every record of the repository (or just the given files), with the problems that stop files being records."""
    if paths is not None:
        return build_set(read_sources(config.root, paths))
    snapshot = Snapshot(config, use_cache, progress)
    try:
        return snapshot.records()
    finally:
        snapshot.close()


class Snapshot:
    """The repository as it is now. Its state (a digest of every record file's content, tracker.yaml and the code)
    is worked out on first use, from git where git can vouch for the files, and keys the answers kept."""

    def __init__(self, config: Config, use_cache: bool = True, progress: ProgressCallback | None = None):
        self.config = config
        self.root = config.root
        self.progress: ProgressCallback | None = progress
        self.reader = Reader(self.root)
        self._cache = _open_cache(self.root) if use_cache else None
        self._rows: dict[str, Row] = {}
        self._pinned = True  # whether what is read matches the state worked out (else nothing is kept)
        self._unsettled: set[str] = set()  # files whose rows were kept this run before their last write settled
        self._read: dict[str, Fresh] = {}  # files read while working out the state, to parse without reading again
        self._described: State | None = None  # what the state is made of (see parts.py), once worked out

    def close(self) -> None:
        """Let go of the cache (answers asked for after this are worked out, not kept)."""
        if self._cache is not None:
            self._cache.close()
            self._cache = None

    def records(self) -> RecordSet:
        """Every record, in path order; a file that is not one is a problem."""
        return self._records

    def problems(self) -> list[Problem]:
        """Every problem of the repository (see validate.py), sorted by file and line."""
        return [problem_from(item) for item in self._validation["problems"]]

    def count(self) -> int:
        """How many records the repository holds (an ID used twice counts once)."""
        return int(self._validation["count"])

    def uncommitted(self) -> bool:
        """Whether the records folder differs from the last commit (changed, staged or new files)."""
        if self._files.uncommitted is not None:
            return self._files.uncommitted
        from tracker.storage.gitio import has_uncommitted_records

        return has_uncommitted_records(self.root)

    def kept(self, question: str, compute: Callable[[], str]) -> str:
        """compute()'s text answer to question, kept for this state and given back while it holds. question must
        name everything the answer depends on besides the records (the command, its options, the day, templates)."""
        key = self._state
        if key is None or not self._pinned:
            return compute()
        name = "answer " + checksum(key, question)
        found = self._use_cache(lambda cache: cache.text(name), None)
        if found is not None:
            return found
        answer = compute()
        if self._pinned:  # not when a file changed while the answer was worked out
            self._write(lambda cache: cache.keep_text(name, answer))
        return answer

    def kept_parts(self, question: str, needs: Needs, compute: Compute) -> Parts:
        """An answer made of one part per record file (see parts.py): compute(records, files) gives the parts of
        those files (of every file, when None) that have one, from records that hold every record they read, as
        needs declares. question must name everything the answer depends on besides the records (see kept)."""
        state = self._state  # worked out first: it describes the state
        now = self._described
        if state is None or not self._pinned or now is None:
            records = self.records()
            return Parts(compute(records, None), len(records))
        keeper = PartKeeper(checksum(self._settings, question), needs, compute)
        found = self._use_cache(lambda cache: keeper.updated(
            cache, self.root, now, lambda rels: self._records_at(rels, now), lambda: self._pinned), None)
        if found is not None:
            return found
        records = self.records()
        texts = compute(records, None)
        if self._pinned:
            self._write(keeper.keeping(now, records, texts))
        return Parts(texts, len(records))

    def _records_at(self, rels: Iterable[str], now: State) -> Loaded:
        """The record (or problems) of each of the files given that exists now, as the state holds it."""
        expected = self._current(rels, now)
        none: dict[str, Row] = {}
        return self._loaded(expected, self._use_cache(lambda cache: cache.rows(expected), none))

    def _current(self, rels: Iterable[str], now: State) -> dict[str, str | None]:
        """Those of the files given that exist now, with the hash of the bytes the state holds for each."""
        found: dict[str, str | None] = {}
        in_tree = []
        gone = set(now.gone)
        for rel in rels:
            if rel in now.differing:
                found[rel] = now.differing[rel]
            elif now.tree and rel not in gone:
                in_tree.append(rel)
        if in_tree:
            blobs = self._files.blobs if self._files.blobs is not None else blobs_of(self.root, now.tree, in_tree)
            found.update((rel, blobs[rel]) for rel in in_tree if rel in blobs)
        return found

    @cached_property
    def _settings(self) -> str:
        """A digest of tracker.yaml, read once: every answer depends on it (the code is the cache's version)."""
        from tracker.storage.config import CONFIG_FILE

        try:
            return digest((self.root / CONFIG_FILE).read_bytes())
        except OSError:
            return ""

    @cached_property
    def _validation(self) -> dict[str, Any]:
        def compute() -> str:
            from tracker.storage.validate import check_needs, problems_by_file

            def by_file(records: RecordSet, only: frozenset[str] | None) -> dict[str, str]:
                found = problems_by_file(self.config, records, only)
                return {path: json.dumps([problem_json(p) for p in problems], ensure_ascii=False)
                        for path, problems in found.items()}

            parts = self.kept_parts("validate", check_needs, by_file)
            problems = sorted(problem_from(item) for text in parts.texts.values() for item in json.loads(text))
            return json.dumps({"count": parts.ids, "problems": [problem_json(problem) for problem in problems]})

        found: dict[str, Any] = json.loads(self.kept("validate", compute))
        return found

    @cached_property
    def _files(self) -> Files:
        if self._cache is not None:
            read_at = self._read_at
            found = self._use_cache(lambda cache: files_through_git(self.root, cache, read_at), None)
            if found is not None:
                return found
        files, odd = scan_records(self.root)
        return Files(files, odd)

    @cached_property
    def _read_at(self) -> int:
        return self._use_cache(lambda cache: cache.now_ns(), 0)

    @cached_property
    def _state(self) -> str | None:
        """The state's digest, or None without a cache (nothing is kept then)."""
        if self._cache is None:
            return None
        files = self._files
        self._rows = self._use_cache(lambda cache: cache.rows(files.checked if files.tree else None), {})
        unsure = [rel for rel, stat in files.checked.items() if not self._trusted(rel, stat)]
        # Recently written or touched: the bytes decide, and a file whose bytes are those kept is not parsed.
        known = {rel: self._rows[rel].digest for rel in unsure if rel in self._rows}
        self._read.update((item.path, item) for item in self._parse_all(unsure, known))
        entries = sorted((rel, self._digest(rel)) for rel in files.checked)
        if files.tree:
            # A file that holds its blob's bytes is fixed by the tree however it was checked, so it is left out:
            # the state then does not depend on which files were checked.
            blobs = files.blobs if files.blobs is not None else blobs_of(self.root, files.tree, list(files.checked))
            entries = [(rel, hashed) for rel, hashed in entries if blobs.get(rel) != hashed]
        # Every file kept as unsettled before was checked just now: those still unsettled are this run's.
        unsettled = sorted(self._unsettled)
        if files.tree and self._use_cache(lambda cache: cache.value("unsettled"), None) != unsettled:
            self._write(lambda cache: cache.keep("unsettled", unsettled))
        self._described = State(files.tree, dict(entries), sorted(files.gone), sorted(files.odd))
        return checksum(self._settings, files.tree, json.dumps(entries), json.dumps(sorted(files.gone)),
                        json.dumps(sorted(files.odd)))

    def _trusted(self, rel: str, stat: StatKey) -> bool:
        """Whether a checked file's cached row holds its bytes: its stat is unchanged since it had settled."""
        row = self._rows.get(rel)
        return row is not None and row.stat == stat and row.settled

    def _digest(self, rel: str) -> str:
        """A checked file's content hash, from its row if trusted, else as read now."""
        fresh = self._read.get(rel)
        if fresh is None:
            return self._rows[rel].digest
        return fresh.digest if fresh.digest is not None else "!" + fresh.body

    @cached_property
    def _records(self) -> RecordSet:
        self._state  # noqa: B018 (worked out first: it reads the files whose stat changed)
        gc_was_enabled = gc.isenabled()
        gc.disable()  # building many small objects; nothing here is cyclic
        try:
            return self._load()
        finally:
            if gc_was_enabled:
                gc.freeze()  # what was built lives until the command ends: keep the collector from walking it
                gc.enable()

    def _load(self) -> RecordSet:
        """Each record file's record or problems: from its kept row when that holds the bytes expected, else read."""
        expected = self._expected()
        none: dict[str, Row] = {}
        rows = self._use_cache(lambda cache: cache.rows(), none) if self._files.tree else self._rows
        loaded = self._loaded(expected, rows)
        gone = [rel for rel in rows if rel not in expected]
        if gone:
            self._write(lambda cache: cache.store({}, gone))
        records = record_set(loaded)
        records.problems.extend(self._odd_problems())
        return records

    def _loaded(self, expected: dict[str, str | None], rows: dict[str, Row]) -> Loaded:
        """Each expected file's record or problems: from its kept row when that holds the bytes expected, from this
        run's read of it, or read and parsed now."""
        loaded: Loaded = {}
        to_parse = []
        for rel, wanted in expected.items():
            row = rows.get(rel)
            found = result_of(rel, row.body) if row is not None and row.digest == wanted else None
            if found is None and rel in self._read and self._read[rel].body:
                found = self._result(self._read[rel])
            if found is None:  # not kept, or kept as something that cannot be one: read the file
                to_parse.append(rel)
            else:
                loaded[rel] = found
        loaded.update(self._parse(to_parse, expected))
        return loaded

    def _expected(self) -> dict[str, str | None]:
        """Each record file with the content hash its record must come from (None: whatever is read now)."""
        files = self._files
        expected: dict[str, str | None] = {}
        if files.tree:
            from tracker.storage.gitscan import tree_blobs

            blobs = files.blobs if files.blobs is not None else tree_blobs(self.root, files.tree)
            if blobs is None:
                raise TrackerError("git failed to list the records tree", hint="run `tracker --no-cache ...`")
            gone = set(files.gone)
            expected.update((rel, blob) for rel, blob in blobs.items() if rel not in gone)
        for rel in files.checked:
            fresh = self._read.get(rel)
            row = self._rows.get(rel)
            expected[rel] = fresh.digest if fresh is not None else row.digest if row is not None else None
        return expected

    def _parse_all(self, rels: list[str], known: dict[str, str] | None = None) -> list[Fresh]:
        """Read and parse files (across all cores when there are many; see parse_files for known), keeping each
        part's rows as it comes."""
        fresh: list[Fresh] = []
        progress = self.progress if len(rels) - len(known or ()) > 1 else None  # when there is parsing to do
        for part in parse_many(self.root, rels, progress, known):
            self._keep_rows(part, gone=[])  # while the other parts are parsed
            fresh.extend(part)
        return fresh

    def _parse(self, rels: list[str], expected: dict[str, str | None]) -> dict[str, tuple[Record | None, list[Problem]]]:
        """Read and parse files; a file whose bytes are not those the state was worked out from unpins the state."""
        fresh = self._parse_all(rels)
        if any(expected.get(item.path) not in (None, item.digest) for item in fresh):
            self._pinned = False  # a file changed meanwhile: keep nothing from this run
        return {item.path: self._result(item) for item in fresh}

    def _result(self, item: Fresh) -> tuple[Record | None, list[Problem]]:
        result = result_of(item.path, item.body)
        if result is None:  # a mapping that fails to build (a date that does not exist, say): say where
            item = _parse_one(self.reader, item.path)
            self._keep_rows([item], gone=[])
            result = result_of(item.path, item.body) or (None, [Problem(item.path, message="is not a record")])
        return result

    def _odd_problems(self) -> list[Problem]:
        problems = []
        for rel in self._files.odd:
            try:
                self.reader.read(rel)
                problems.append(Problem(rel, message="is not a record file"))
            except TrackerError as err:
                problems.extend(err.problems)
        return problems

    def _keep_rows(self, fresh: list[Fresh], gone: list[str]) -> None:
        read_at = self._read_at
        rows = {}
        for item in fresh:
            body = item.body or (self._rows[item.path].body if item.path in self._rows else "")
            if item.stat is not None and item.digest is not None and body:
                rows[item.path] = Row(item.stat, max(item.stat[1], item.stat[2]) < read_at - cache_module.SETTLE_NS, item.digest, body)
        unsettled = self._unsettled.union(rel for rel, row in rows.items() if not row.settled)
        unsettled.difference_update(rel for rel, row in rows.items() if row.settled)
        changed = unsettled != self._unsettled
        self._unsettled = unsettled

        def keep(cache: RecordCache) -> None:
            cache.store(rows, gone)
            if changed:
                cache.keep("unsettled", sorted(unsettled))

        if rows or gone:
            self._write(keep)

    def _use_cache(self, use: Callable[[RecordCache], T], default: T) -> T:
        """use(cache), or default when there is none or it fails (then it is dropped, to be built afresh)."""
        cache = self._cache
        if cache is None:
            return default
        try:
            return use(cache)
        except (sqlite3.Error, OSError, ValueError, TypeError, KeyError, AttributeError, IndexError):
            # Damaged in a way the checksums cannot see (or unwritable): start it afresh next time.
            cache.drop()
            self._cache = None
            self._pinned = False
            return default

    def _write(self, write: Callable[[RecordCache], None]) -> None:
        def written(cache: RecordCache) -> None:
            try:
                with cache.transaction():
                    write(cache)
            except sqlite3.OperationalError as err:
                if "locked" not in str(err) and "busy" not in str(err):
                    raise  # another run is writing: skip keeping this time

        self._use_cache(written, None)


def _parse_one(reader: Reader, rel: str) -> Fresh:
    from tracker.storage.reading import parse_files

    return parse_files(reader.root, [rel], build=True)[0]


def _open_cache(root: Path) -> RecordCache | None:
    from tracker.storage import cache as cache_module
    from tracker.storage.resources import data_dir

    try:
        version = cache_module.fingerprint(Path(cache_module.__file__).parent.parent, data_dir("schema"))
        return RecordCache(root, version)
    except (sqlite3.Error, OSError):
        return None  # a read-only checkout, say: work without the cache
