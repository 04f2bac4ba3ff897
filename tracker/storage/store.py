"""Reading a records repository into a RecordSet: every record, typed, plus every problem found on the way."""

from __future__ import annotations

import datetime as dt
import gc
import marshal
import os
import pickle
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from tracker.model.errors import Problem, TrackerError
from tracker.model.records import FieldError, Record, Trackable, build_record
from tracker.model.recordset import RecordSet
from tracker.storage.cache import Parsed, RecordCache, StatKey, digest, dump_payload, load_payload, stat_key
from tracker.storage.config import KINDS_WITH_STATUS, RECORDS_DIR, Config
from tracker.storage.folders import list_folder
from tracker.storage.positions import field_position
from tracker.storage.schemas import KINDS, locate, schema_problems
from tracker.storage.yamlio import Marks, decode, dotted, load_text, read_bytes

Loaded = tuple[Record | None, list[Problem]] | Problem
ProgressCallback = Callable[[int, int], None]  # (files parsed, files to parse)


def parse_record(rel_path: str, data: bytes) -> tuple[Record | None, list[Problem]]:
    """One file's bytes to a typed record, or the problems that stop it being one.

    Each problem of a file that is not a record names the record the file was meant to hold (its `id`, else its
    file name, which is its ID), so the checks across records do not blame others for its absence."""
    record, problems = _parse_record(rel_path, data)
    if record is None:
        stem = rel_path.rpartition("/")[2].removesuffix(".yaml")
        problems = [p if p.record_id else replace(p, record_id=stem) for p in problems]
    return record, problems


def _parse_record(rel_path: str, data: bytes) -> tuple[Record | None, list[Problem]]:
    try:
        text = decode(data, rel_path)
        mapping = load_text(text, rel_path)
    except TrackerError as err:
        return None, err.problems or [Problem(rel_path, message=err.message)]

    def at(field_path: tuple[str | int, ...], message: str) -> Problem:
        # Positions are only worked out for the rare file that has a problem.
        marks: Marks = {}
        load_text(text, rel_path, marks)
        line, column = locate(marks, field_path)
        return Problem(rel_path, line, column, message, dotted(field_path))

    if not isinstance(mapping, dict):
        return None, [at((), "a record must be a mapping of fields (field: value)")]
    kind = mapping.get("kind")
    if kind not in KINDS:
        return None, [at(("kind",), f"kind must be one of {', '.join(KINDS)}; got {kind!r}")]
    problems = schema_problems(kind, mapping, rel_path)
    if problems:
        marks: Marks = {}
        load_text(text, rel_path, marks)
        located = schema_problems(kind, mapping, rel_path, marks)
        if isinstance(mapping.get("id"), str):
            located = [replace(p, record_id=mapping["id"]) for p in located]
        return None, located
    try:
        return build_record(mapping, rel_path), []
    except FieldError as err:
        return None, [at(err.field, str(err))]


def record_files(root: Path) -> list[Path]:
    """Every record file of the repository, in a stable order."""
    return sorted((root / RECORDS_DIR).rglob("*.yaml"))


def read_record_bytes(root: Path, rel: str) -> bytes:
    """A record file's bytes, refused with a Problem naming rel when it is a link out of the repository, too big
    or unreadable."""
    if root.resolve() not in (root / rel).resolve().parents:
        raise TrackerError.at(rel, "is a link to a file outside the records repository; refusing to read it")
    try:
        return read_bytes(root / rel)
    except TrackerError as err:
        problem = replace(err.problems[0], path=rel)
        raise TrackerError(str(problem), [problem]) from None


def read_sources(root: Path, paths: Iterable[Path]) -> Iterator[tuple[str, bytes | Problem]]:
    """Each file's bytes, or the Problem that stops it being read."""
    for path in paths:
        rel = path.relative_to(root).as_posix() if path.is_absolute() else path.as_posix()
        try:
            yield rel, read_record_bytes(root, rel)
        except TrackerError as err:
            yield rel, err.problems[0]


def build_set(sources: Iterable[tuple[str, bytes | Problem]]) -> RecordSet:
    """A RecordSet from (relative path, bytes) pairs; unreadable or invalid files become problems."""
    records = RecordSet()
    for rel, data in sources:
        if isinstance(data, Problem):
            records.problems.append(data)
            continue
        record, problems = parse_record(rel, data)
        records.problems.extend(problems)
        records.sources[rel] = data  # for locating problems found later, of failed files too
        if record is not None:
            records.add(record)
    return records


def load_records(
    config: Config, paths: Iterable[Path] | None = None, *, use_cache: bool = True, open_on: dt.date | None = None,
    committee: str | None = None, progress: ProgressCallback | None = None, only_problems: bool = False,
    question: str | None = None,
) -> RecordSet:
    """Load the repository's records (or just the given files) from the working tree.

    Unchanged files come from the cache in `.tracker-cache/` (unless use_cache is false); the rest are parsed,
    in parallel when there are many. With open_on, only what `query.needs_attention` needs on that date is
    built: items that may be open then, with the reports and responses they refer to; meetings and items
    already done by that date are left out. With committee, only that committee's meetings and actions are
    built. With only_problems, just the files with problems are built, and records.count tells how many records
    there are (what `tracker validate` needs). A part is loaded only when the state's validation is known
    (records.validated is set; found from the cache's facts when it is not remembered); otherwise every record
    is. Problems are reported for every file either way. progress, when given, hears how many of the files that
    need parsing are done. With question (a command's options and day, as text), an answer kept for it in this
    state by remember_answer comes back as records.answer, and then no record is built.
    """
    root = config.root
    if paths is not None:
        return build_set(read_sources(root, paths))
    cache = _open_cache(root) if use_cache else None
    gc_was_enabled = gc.isenabled()
    gc.disable()  # building many small objects; the collector would only slow it down (nothing here is cyclic)
    records = RecordSet()  # _load_snapshot sets what it learns besides the records (state, answer...)
    try:
        loaded: dict[str, Loaded] | None = None
        if cache is not None:
            try:
                with cache.snapshot():
                    loaded, odd = _load_snapshot(config, cache, _Wanted(open_on, committee, only_problems, question),
                                                 records, progress)
            except _Raced:
                pass  # another run of tracker changed the cache meanwhile: read the files this time
            except sqlite3.OperationalError as err:
                if "locked" not in str(err) and "busy" not in str(err):
                    cache.drop()  # not just busy with another run: unusable, so start it afresh next time
            except (sqlite3.Error, OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError, ValueError):
                cache.drop()  # a damaged or unwritable cache is never a reason to fail: start it afresh
            finally:
                cache.close()
        if loaded is None:
            records = RecordSet()
            loaded, odd = _load_scanned(root, progress)
        sources: list[tuple[str, Loaded]] = list(loaded.items())
        for rel, data in read_sources(root, [Path(rel) for rel in odd]):
            sources.append((rel, data if isinstance(data, Problem) else parse_record(rel, data)))
        sources.sort(key=lambda item: item[0].split("/"))
        for _rel, result in sources:
            if isinstance(result, Problem):
                records.problems.append(result)
                continue
            record, problems = result
            records.problems.extend(problems)
            if record is not None:
                records.add(record)
    finally:
        if gc_was_enabled:
            # Everything built here lives until the command ends: keep the collector from walking it again and
            # again (a full collection over 50,000 records costs more than building them).
            gc.freeze()
            gc.enable()
    return records


def remember_answer(config: Config, records: RecordSet, question: str, text: str, items: int,
                    kept: list[Any] | None = None) -> None:
    """Keep a command's answer to question in the state records.state (see load_records), and with kept, the items
    it lists (to answer from after a few files change: records.reuse). Never fails."""
    asked = _asked(question, records.uncommitted)

    def keep(cache: RecordCache, state: str) -> None:
        cache.remember_answer(state, asked, text, items)
        if kept is not None:
            cache.remember_items(state, question, kept)

    _keep(config, records, keep)


def _keep(config: Config, records: RecordSet, write: Callable[[RecordCache, str], None]) -> None:
    """Write something about the state records.state into the cache, if there is one; never fails."""
    if records.state is None:
        return
    cache = _open_cache(config.root)
    if cache is None:
        return
    try:
        write(cache, records.state)
    except (sqlite3.Error, OSError, pickle.PicklingError):
        pass
    finally:
        cache.close()


def _asked(question: str, uncommitted: bool | None) -> str:
    return f"{question} uncommitted={uncommitted}"


def scan_records(root: Path) -> tuple[dict[str, StatKey], list[str]]:
    """Every record file under records/ with its stat, and the odd entries (e.g. a folder named x.yaml) that
    are reported as problems."""
    from concurrent.futures import ThreadPoolExecutor

    base = root / RECORDS_DIR
    files: dict[str, StatKey] = {}
    odd: list[str] = []
    try:
        top = sorted(entry.name for entry in os.scandir(base) if entry.is_dir(follow_symlinks=False))
    except OSError:
        return files, odd
    prefix = f"{RECORDS_DIR}/"
    _scan_folder(base, prefix, files, odd, recurse=False)
    # Stat calls release the GIL, so a couple of threads overlap their waits.
    with ThreadPoolExecutor(max_workers=min(4, max(1, len(top)))) as pool:
        parts = list(pool.map(lambda name: _scan_tree(base / name, f"{prefix}{name}/"), top))
    for found, strange in parts:
        files.update(found)
        odd.extend(strange)
    return files, odd


def _scan_tree(folder: Path, prefix: str) -> tuple[dict[str, StatKey], list[str]]:
    files: dict[str, StatKey] = {}
    odd: list[str] = []
    _scan_folder(folder, prefix, files, odd, recurse=True)
    return files, odd


def _scan_folder(folder: Path, prefix: str, files: dict[str, StatKey], odd: list[str], *, recurse: bool) -> None:
    stack = [(str(folder), prefix)]
    while stack:
        path, rel = stack.pop()
        try:
            subfolders, names, strange = list_folder(path)
        except OSError:
            continue
        odd.extend(rel + name for name in strange)
        if recurse:
            stack.extend((os.path.join(path, name), f"{rel}{name}/") for name in subfolders)
        for name in names:
            try:
                stat = os.stat(os.path.join(path, name))
                files[rel + name] = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)
            except OSError:
                odd.append(rel + name)


def _open_cache(root: Path) -> RecordCache | None:
    from tracker.storage import cache as cache_module
    from tracker.storage.resources import data_dir

    try:
        version = cache_module.fingerprint(Path(cache_module.__file__).parent.parent, data_dir("schema"))
        return RecordCache(root, version)
    except (sqlite3.Error, OSError):
        return None  # a read-only checkout, say: work without the cache


def _load_scanned(root: Path, progress: ProgressCallback | None = None) -> tuple[dict[str, Loaded], list[str]]:
    files, odd = scan_records(root)
    return _load_fresh(root, list(files), progress), odd


@dataclass(frozen=True)
class _Wanted:
    """What part of the records a command wants (see load_records)."""

    open_on: dt.date | None = None
    committee: str | None = None
    only_problems: bool = False
    question: str | None = None


@dataclass
class _Found:
    """The record files on disk: those whose content git vouches for (path: blob ID), and the rest with their
    stats; tree is the git records tree the first are from ("" when every file was stat-ed instead). When lean,
    clean holds only the files of the tree whose cached results need checking: every other file of the tree is
    unchanged and its cached result is known to come from its bytes."""

    files: dict[str, StatKey]
    odd: list[str]
    clean: dict[str, bytes] = field(default_factory=dict)
    tree: str = ""
    deleted: list[str] = field(default_factory=list)
    dirty: bool = False  # git reported a tracked file under records/ changed, staged or deleted
    lean: bool = False
    checked: set[str] = field(default_factory=set)  # every file looked at (lean only)
    folders: Any = None  # the folder listings to keep for the next scan (lean only)
    # The files of the tree whose cached result did not match it, and the cached files not in the tree (lean only;
    # see RecordCache.unmatched), as they stood before this run updated the cache.
    diverged: list[str] = field(default_factory=list)
    others: list[str] = field(default_factory=list)
    kept: Any = None  # what the last scan kept for this one
    unstored: dict[str, bytes] | None = None  # the tree's files, when the cache is yet to keep them (lean only)
    first: bool = False  # nothing was cached before this run (lean only)


def _find_files(root: Path, cache: RecordCache, read_at: int) -> _Found:
    """Through git when the repository is a git work tree with committed records; else by stat-ing every file.

    Through git, only a few files are looked at: those git reports changed, those on disk that are not in the
    tree, and those of the tree whose cached result did not match it after the last run (kept with the scan)."""
    import stat as stat_module

    from tracker.storage.gitscan import git_scan, tree_blobs

    kept = cache.scan()
    known_tree, known_folders, diverged, others = kept if kept is not None else ("", None, [], [])
    scan = git_scan(root, known_folders, known_tree, read_at - cache.settle_ns)
    blobs: dict[str, bytes] | None = None
    first = False  # nothing cached yet: the tree's files are stored while they are parsed (see _load_snapshot)
    if scan is not None and cache.tree() != scan.tree:
        blobs = tree_blobs(root, scan.tree)
        first = blobs is not None and cache.empty()
        if blobs is not None and not first:
            cache.remember_tree(scan.tree, blobs)
    if scan is None or (blobs is None and cache.tree() != scan.tree):
        files, odd = scan_records(root)
        return _Found(files, odd)
    listed = [rel + name for rel, names in scan.listed.items() for name in names]
    in_tree = set(blobs) if blobs is not None else set(cache.tree_blobs(listed))
    folders = dict(scan.folders)
    extras = list(scan.extras)
    for rel, names in scan.listed.items():
        outside = [name for name in names if rel + name not in in_tree]
        key, settled, subfolders, _, strange = folders[rel]
        folders[rel] = (key, settled, subfolders, outside, strange)
        extras.extend(rel + name for name in outside)
    if first and blobs is not None:
        diverged, others = list(blobs), []
    elif known_tree != scan.tree:
        diverged, others = cache.unmatched()
    dirty = {rel for rel in scan.dirty if rel.endswith(".yaml")}
    check = dirty.union(extras, diverged, others)
    tree_files = {rel: blobs[rel] for rel in check if rel in blobs} if blobs is not None else cache.tree_blobs(check)
    found = _Found({}, list(scan.odd), tree=scan.tree, dirty=bool(scan.dirty), lean=True, checked=check,
                   folders=folders, diverged=diverged, others=others, kept=kept,
                   unstored=blobs if first else None, first=first)
    for rel in sorted(check):
        blob = tree_files.get(rel)
        if blob is not None and rel not in dirty:
            found.clean[rel] = blob
            continue
        try:  # on disk as a folder listing finds it (in a folder listed, not itself a folder), or gone?
            present = rel.rpartition("/")[0] + "/" in folders and not stat_module.S_ISDIR(os.lstat(root / rel).st_mode)
        except OSError:
            present = False
        if not present:
            if blob is not None:
                found.deleted.append(rel)
            continue
        try:  # new, ignored, changed, or a link: checked as a stat scan would
            found.files[rel] = stat_key(os.stat(root / rel))
        except OSError:
            found.odd.append(rel)
    return found


class _Raced(Exception):
    """Another run changed the cache while this one was reading it."""


def _load_snapshot(config: Config, cache: RecordCache, wanted: _Wanted, extras: RecordSet,
                   progress: ProgressCallback | None = None) -> tuple[dict[str, Loaded], list[str]]:
    """The records wanted, from the cache where their bytes are unchanged, and the odd entries; what it learns
    besides (the state and its problems, whether records differ from HEAD, a kept answer) it sets on extras, the
    RecordSet load_records will fill.
    Only when the state is known exactly (and so validated, from the last one or from the kept facts) is a part
    loaded: otherwise every record is, for validation needs them all."""
    from tracker.storage import cache as cache_module

    root = cache.folder.parent
    code = cache_module.validation_code(root, Path(cache_module.__file__).parent.parent)
    read_at = cache.now_ns()
    found = _find_files(root, cache, read_at)
    files, odd = found.files, found.odd
    if found.tree:
        extras.uncommitted = bool(found.dirty or found.files or found.odd or found.deleted)
    known = cache.index_of(found.checked) if found.lean else cache.stats()
    expected: dict[str, bytes] = {}  # the hash of the bytes each cached result must come from to be used
    to_parse: list[str] = []
    confirmed: list[tuple[str, StatKey, bool]] = []
    in_tree: dict[str, bytes] = {}  # the blob IDs of files of the tree that are checked by their stat
    for rel, blob in list(found.clean.items()):
        entry = known.get(rel)
        if entry is not None and entry[2] == blob and entry[1]:
            expected[rel] = blob  # git holds these bytes unchanged: no stat, no read
        elif entry is not None and entry[2] == blob:
            # Cached while its last write was recent: a same-size rewrite within that second, with the old mtime
            # put back, can hide from git (it compares change times to the second). Its stat decides, as below.
            del found.clean[rel]
            in_tree[rel] = blob
            try:
                files[rel] = stat_key(os.stat(root / rel))
            except OSError:
                to_parse.append(rel)
        else:
            to_parse.append(rel)
    for rel, stat in files.items():
        entry = known.get(rel)
        if entry is None:
            to_parse.append(rel)
        elif entry[0] == stat and entry[1]:
            expected[rel] = entry[2]
        else:
            # Recently written, or touched: the bytes decide.
            try:
                same = digest((root / rel).read_bytes()) == entry[2]
            except OSError:
                same = False
            if same:
                expected[rel] = entry[2]
                confirmed.append((rel, stat, cache.settled(stat, read_at)))
            else:
                to_parse.append(rel)
    # What validated state the cached rows held before this update, and those rows of the files it changes, so a
    # new state can be validated from the last one (see _validate_changes).
    last = (cache.meta("rows_state") or "").split(" ")
    incremental = len(last) == 2 and last[1] == code.hex()
    before = cache.check_rows("path", to_parse) if incremental else None
    cache.set_meta("rows_state", "")  # until this state's validation is known
    loaded: dict[str, Loaded] = {}
    fresh: list[tuple[Parsed, bool]] = []
    stats = dict(files)
    for part in _parse_many(root, to_parse, progress, config, code):
        stored: list[tuple[Parsed, bool]] = []
        for result in part:
            if isinstance(result, Parsed):
                stored.append((result, cache.settled(result.stat, read_at)))
                expected[result.path] = result.digest
                stats[result.path] = result.stat
            else:
                loaded[result[0]] = result[1]
        cache.update(stored, [], [], None)  # while the other parts are still being parsed
        fresh.extend(stored)
        if found.unstored is not None:
            cache.remember_tree(found.tree, found.unstored)
            found.unstored = None
    if found.unstored is not None:
        cache.remember_tree(found.tree, found.unstored)
    gone = [rel for rel in known if rel not in expected]
    changed = [parsed.path for parsed, _ in fresh] + gone
    if before is not None:
        before += cache.check_rows("path", set(gone).difference(to_parse))
    if fresh or confirmed or gone:
        index = None
        if not found.lean:
            index = {rel: known[rel] for rel in expected if rel in known}
            index.update((rel, (stat, settled, known[rel][2])) for rel, stat, settled in confirmed)
            index.update((parsed.path, (parsed.stat, settled, parsed.digest)) for parsed, settled in fresh)
        cache.update([], confirmed, gone, index)
    if found.lean:
        _keep_scan(cache, found, fresh, [(rel, known[rel][2], settled) for rel, _, settled in confirmed], gone)

    if loaded or odd:  # a file that could not be read, or is not a file: the state is not known exactly
        return _load_results(cache, found, files, expected, stats, loaded, odd, _Wanted())
    if found.tree:
        # The tree fixes the content of every file git vouched for; the rest are named with their hashes. (A file
        # that matches its blob is left out however it was checked, so the state does not depend on whether its
        # last write had settled.)
        entries = [(rel, hashed) for rel, hashed in expected.items() if found.clean.get(rel, in_tree.get(rel)) != hashed]
        entries += [(rel, b"") for rel in found.deleted]
        entries.append(("\0tree", found.tree.encode()))
        key = cache_module.state_key(entries, code)
    else:
        key = cache_module.state_key(expected.items(), code)
    problems = cache.validation(key)
    if problems is None:
        previous = cache.validation(last[0]) if before is not None else None
        if previous is not None and before is not None:
            problems = _validate_changes(cache, previous, before, changed)
        else:
            # On a first read every row was just parsed here: validate from those rather than read them back.
            problems = _validate_cached(config, cache, code, [
                (parsed.path, parsed.ok, parsed.checked, parsed.own, parsed.facts) for parsed, _ in fresh
            ] if found.first or (not found.lean and not known) else None)
        cache.remember_validation(key, problems)
    if before is not None and last[0] != key:
        cache.remember_transition(last[0], key, changed, before)
    cache.set_meta("rows_state", f"{key} {code.hex()}")
    extras.state, extras.validated = key, problems
    if wanted.only_problems:
        extras.count = cache.record_count()
    elif wanted.question is not None:
        # Whether the records differ from HEAD's is not part of the state (a changed file outside the records
        # can make it so), and answers may say it: they are kept for each.
        extras.answer = cache.answer(key, _asked(wanted.question, extras.uncommitted))
        if extras.answer is not None:
            return {}, odd
        # The items answering this question in a recent state, and what changed since (by this run or those
        # between): only the items of the files changed, and of the recommendations of a report changed or
        # answered by a response changed, need working out again.
        since = _since_items(cache, key, wanted.question) if not problems else None
        if since is not None:
            items, earlier, paths = since
            loaded, affected = _affected(cache, earlier, paths)
            extras.reuse = (items, affected)
            return loaded, odd
    return _load_results(cache, found, files, expected, stats, loaded, odd, wanted, config, clean=not problems)


def _load_results(cache: RecordCache, found: _Found, files: dict[str, StatKey], expected: dict[str, bytes],
                  stats: dict[str, StatKey], loaded: dict[str, Loaded], odd: list[str], wanted: _Wanted,
                  config: Config | None = None, clean: bool = False) -> tuple[dict[str, Loaded], list[str]]:
    """The stored records wanted (every one, with no part wanted), each checked to come from the bytes expected
    (and, for files checked by their stat, with that stat); clean as for RecordCache.results."""
    open_on, committee = wanted.open_on, "" if wanted.only_problems else wanted.committee
    done = None
    if open_on is not None and config is not None:
        done = {kind: [slug for slug, status in config.statuses.get(kind, {}).items() if not status.is_open]
                for kind in KINDS_WITH_STATUS}
    for rel, *row_stat, hashed, payload in cache.results(open_on.isoformat() if open_on else None, done, committee, clean):
        want = expected.get(rel)
        if (want is not None or not found.lean) and want != hashed or (rel in stats and stats[rel] != tuple(row_stat)):
            raise _Raced(rel)
        loaded[rel] = load_payload(payload)
    if open_on is None and committee is None and not found.lean and len(loaded) < len(files) + len(found.clean):
        raise _Raced("results went missing")
    return loaded, odd


def _keep_scan(cache: RecordCache, found: _Found, fresh: list[tuple[Parsed, bool]],
               confirmed: list[tuple[str, bytes, bool]], gone: list[str]) -> None:
    """Keep what this scan through git found for the next: the folders, and which cached files do not match the
    tree (brought up to date from the rows this run changed; confirmed holds (path, digest, settled))."""
    after = {parsed.path: (parsed.digest, settled) for parsed, settled in fresh}
    after.update((rel, (hashed, settled)) for rel, hashed, settled in confirmed)
    if len(after) + len(gone) > 2000:  # a first run, say: one query is quicker than looking up each row
        diverged, others = cache.unmatched()
    else:
        unmatched, outside = set(found.diverged), set(found.others)
        blobs = cache.tree_blobs([*after, *gone])
        for rel in [*after, *gone]:  # only these rows changed: how do they stand against the tree?
            unmatched.discard(rel)
            outside.discard(rel)
            row = after.get(rel)
            if rel in blobs:
                if row != (blobs[rel], True):
                    unmatched.add(rel)
            elif row is not None:
                outside.add(rel)
        diverged, others = list(unmatched), list(outside)
    now = (found.tree, found.folders, sorted(diverged), sorted(others))
    if now != found.kept:
        cache.remember_scan(now)


def _validate_cached(config: Config, cache: RecordCache, code: bytes, rows: list[Any] | None = None) -> list[Problem]:
    """Every problem of the cached files (which are every file of the repository): each file's own problems as
    kept with it (found again where they were found with other validation code), and those across records from
    the records' facts, so no record is built again. rows, when given, are those of the cache (see checks())."""
    from tracker.storage.validate import Facts, combine, facts_of, local_problems
    from tracker.storage.validate import salvaged_problems as salvaged_only

    def salvaged(config: Config, path: str, root: Path, problems: list[Problem]) -> list[Problem]:
        return problems + salvaged_only(config, path, root, problems)

    root = cache.folder.parent
    failed: list[Problem] = []
    kept: list[tuple[Facts, list[Problem]]] = []
    for path, ok, checked, own, facts in cache.checks() if rows is None else rows:
        if checked != code:
            record, problems = load_payload(cache.payload(path))
            found = salvaged(config, path, root, problems) if record is None else local_problems(config, record, root)
            own = pickle.dumps(found, protocol=pickle.HIGHEST_PROTOCOL) if found else b""
            facts = marshal.dumps(tuple(facts_of(record))) if record is not None else b""
            cache.recheck(path, own, code, facts)
        problems = pickle.loads(own) if own else []
        if ok:
            kept.append((Facts._make(marshal.loads(facts)), problems))
        else:
            failed.extend(problems)

    ids = [fact.id for fact, _ in kept]
    numbers = [(fact.report, fact.number) for fact, _ in kept if fact.kind == "recommendation"]
    if len(set(ids)) != len(ids) or len(set(numbers)) != len(numbers):
        # Of two records with one ID (or one report's number), the first in load order is the one kept (see
        # load_records); only then does the order matter.
        kept.sort(key=lambda entry: entry[0].path.split("/"))

    def locate(path: str, field_path: tuple[str | int, ...]) -> tuple[int, int]:
        return field_position(root, path, field_path) if field_path else (1, 1)

    return combine(failed, kept, locate)


def _since_items(cache: RecordCache, state: str, question: str, steps: int = 8,
                 ) -> tuple[list[Any], list[Any], list[str]] | None:
    """The items kept for question in the latest of the last few states this one came from through the cache's
    own updates, with the earlier rows of the files changed since and those files; None when there are none (or
    too many files changed for it to be worth it)."""
    earlier: list[Any] = []
    paths: list[str] = []
    for _ in range(steps):
        items = cache.items(state, question)
        if items is not None:
            return items, earlier, paths
        step = cache.transition_to(state)
        if step is None:
            return None
        state, changed, rows = step
        paths += changed
        earlier += rows
        if len(paths) > 200:
            return None
    return None


def _affected(cache: RecordCache, before: list[Any], changed: list[str]) -> tuple[dict[str, Loaded], set[str]]:
    """The records a question about items needs to work out again the items of the files changed (their rows
    then are before): the items changed and the recommendations of the reports changed or answered by a changed
    response, with their reports and those reports' responses; and the files whose items those are."""
    from tracker.storage.validate import Facts

    reports: set[str] = set()
    wanted: set[str] = set()
    for row in [*before, *cache.check_rows("path", changed)]:
        if row[1]:
            fact = Facts._make(marshal.loads(row[5]))
            if fact.kind == "report":
                reports.add(fact.id)
            elif fact.kind == "response":
                reports.add(fact.report)
            elif fact.kind == "recommendation":
                wanted.add(fact.report)
    loaded: dict[str, Loaded] = {}
    affected = set(changed)
    for rel, kind, payload in cache.results_about(changed, reports, reports | wanted):
        loaded[rel] = load_payload(payload)
        if kind in ("action", "recommendation"):
            affected.add(rel)
    return loaded, affected


def _validate_changes(cache: RecordCache, previous: list[Problem], before: list[Any], changed: list[str]) -> list[Problem]:
    """The problems of the cached files, from the problems of the state they held before the files changed were
    updated (their rows then are before): only the files whose problems can differ are checked again. Those are
    the files changed, those sharing an ID with one of them (old or new), the recommendations and responses of a
    report that is, or holds a recommendation that is, among them, and the records naming them as responses."""
    from tracker.storage.validate import Facts, across, without_cascades

    after = cache.check_rows("path", changed)
    touched_ids: set[str] = set()
    reports: set[str] = set()
    for _path, ok, record_id, report, own, _facts in [*before, *after]:
        if ok:
            touched_ids.add(record_id)
            reports.add(report)
        else:
            touched_ids.update(p.record_id for p in pickle.loads(own) if p.record_id)
    touched_ids.discard("")
    same_ids = cache.check_rows("id", touched_ids)
    reports.update(row[3] for row in same_ids)
    reports.update(touched_ids)
    reports.discard("")
    affected = {row[0]: row for row in [*after, *same_ids, *cache.check_rows("report", reports),
                                         *cache.check_rows("refs", touched_ids)]}
    # Everything the affected records' checks look at: the records with the IDs they name (and all that share
    # those IDs, for which of them is kept), and the recommendations of their reports (for their numbers).
    context = dict(affected)
    wanted: set[str] = set()
    for _path, ok, record_id, report, _own, facts in affected.values():
        if ok:
            fact = Facts._make(marshal.loads(facts))
            wanted.update((record_id, report, fact.meeting), (target for _, target in fact.response_refs))
    context.update((row[0], row) for row in cache.check_rows("id", wanted - {""}))
    context.update((row[0], row) for row in cache.check_rows("report", {row[3] for row in context.values()} - {""}))
    context.update((row[0], row) for row in cache.check_rows("id", {row[2] for row in context.values() if row[1]}))
    kept = sorted((Facts._make(marshal.loads(row[5])) for row in context.values() if row[1]),
                  key=lambda fact: fact.path.split("/"))
    broken = {p.record_id for own in cache.failed() if own for p in pickle.loads(own) if p.record_id}
    root = cache.folder.parent

    def locate(path: str, field_path: tuple[str | int, ...]) -> tuple[int, int]:
        return field_position(root, path, field_path) if field_path else (1, 1)

    found, shadowed = across(kept, broken, locate)
    checked_again = set(affected).union(changed)  # the files deleted among them too
    problems = [p for p in previous if p.path not in checked_again]
    problems += [p for p in found if p.path in checked_again]
    for path, ok, _id, _report, own, _facts in affected.values():
        if own and not (ok and path in shadowed):
            problems.extend(pickle.loads(own))
    return without_cascades(problems)


def _load_fresh(root: Path, rels: list[str], progress: ProgressCallback | None = None) -> dict[str, Loaded]:
    loaded: dict[str, Loaded] = {}
    for part in _parse_many(root, rels, progress):
        for result in part:
            if isinstance(result, Parsed):
                loaded[result.path] = load_payload(result.payload)
            else:
                loaded[result[0]] = result[1]
    return loaded


PARALLEL_FROM = 300


def _parse_many(root: Path, rels: list[str], progress: ProgressCallback | None = None, config: Config | None = None,
                checked: bytes = b"") -> Iterator[list[Parsed | tuple[str, Problem]]]:
    """Read and parse files, across all cores when there are many, part by part as each is done, reporting (done,
    total) as they come (config and checked as for parse_files)."""
    workers = _cores()
    chunk = max(50, len(rels) // (max(workers, 1) * 8))
    chunks = [rels[start:start + chunk] for start in range(0, len(rels), chunk)]
    done = 0

    def report(part: list[Parsed | tuple[str, Problem]]) -> list[Parsed | tuple[str, Problem]]:
        nonlocal done
        done += len(part)
        if progress is not None:
            progress(done, len(rels))
        return part

    given = 0  # chunks handed on so far
    if len(rels) >= PARALLEL_FROM and workers >= 2:
        from concurrent.futures import ProcessPoolExecutor

        try:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                for result in pool.map(parse_files, [str(root)] * len(chunks), chunks, [config] * len(chunks),
                                       [checked] * len(chunks)):
                    given += 1
                    yield report(result)
        except (OSError, ImportError, RuntimeError):
            pass  # no process pool here (a sandbox without semaphores, say): the rest is parsed in this process
    for names in chunks[given:]:
        yield report(parse_files(str(root), names, config, checked))


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def parse_files(root: str, rels: list[str], config: Config | None = None, checked: bytes = b"",
                ) -> list[Parsed | tuple[str, Problem]]:
    """Read and parse each file; a Parsed result to keep, or the problem that stopped it being read. With config,
    each record's own problems and its facts are found too (see validate.py), checked being the validation code."""
    results: list[Parsed | tuple[str, Problem]] = []
    base = Path(root)
    inside: dict[str, bool] = {}  # whether each folder, links resolved, is inside the repository
    real_root = os.path.realpath(root) + os.sep
    prefix = root + os.sep
    for rel in rels:
        try:
            folder = rel.rpartition("/")[0]
            if folder not in inside:
                inside[folder] = os.path.realpath(prefix + folder).startswith(real_root)
            read = _read_plain(prefix + rel) if inside[folder] else None
            if read is None:  # a link, or anything unusual: read with every check, for the message
                stat = stat_key(os.stat(base / rel))  # before reading: a write in between shows as a changed stat next time
                data = read_record_bytes(base, rel)
            else:
                stat, data = read
        except TrackerError as err:
            results.append((rel, err.problems[0]))
            continue
        except OSError as err:
            results.append((rel, Problem(rel, message=f"cannot read: {err.strerror}")))
            continue
        record, problems = parse_record(rel, data)
        kind = record.kind if record is not None else ""
        final_status, final_on = _final_status(record)
        own = b""
        facts = b""
        if config is not None:
            from tracker.storage.validate import facts_of, local_problems, salvaged_problems

            found = (problems + salvaged_problems(config, rel, data, problems) if record is None
                     else local_problems(config, record, data))
            own = pickle.dumps(found, protocol=pickle.HIGHEST_PROTOCOL) if found else b""
            facts = marshal.dumps(tuple(facts_of(record))) if record is not None else b""
        results.append(Parsed(
            rel, stat, digest(data), kind, record.id if record is not None else "",
            str(getattr(record, "report", "")), final_status, final_on, str(getattr(record, "committee", "")),
            record is not None and not problems,
            dump_payload(record, problems), own, checked if config is not None else b"", facts,
        ))
    return results


def _read_plain(path: str) -> tuple[StatKey, bytes] | None:
    """A regular file's stat (taken before reading) and bytes, or None when it is a link, not a regular file or
    too big (read_record_bytes then reads it with its checks and says what is wrong)."""
    import stat as stat_module

    from tracker.storage.yamlio import MAX_RECORD_BYTES

    try:
        # Not following a link, and not waiting on a pipe: either goes to read_record_bytes to be refused.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
                     | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        stat = os.fstat(fd)
        if not stat_module.S_ISREG(stat.st_mode) or stat.st_size > MAX_RECORD_BYTES or not hasattr(os, "O_NOFOLLOW"):
            return None
        chunks = []
        while True:
            chunk = os.read(fd, max(stat.st_size, 1 << 16))
            if not chunk:
                break
            chunks.append(chunk)
        data = b"".join(chunks)
        if len(data) > MAX_RECORD_BYTES:
            return None
        return stat_key(stat), data
    except OSError:
        return None
    finally:
        os.close(fd)


def _final_status(record: Record | None) -> tuple[str, str]:
    """The status an item settles on and from when: the last status change in its history, else its status."""
    if not isinstance(record, Trackable):
        return "", ""
    for event in reversed(record.history):
        if event.changes_status:
            return event.status, event.date.isoformat()
    return record.status, ""
