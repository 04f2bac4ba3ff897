"""Answers kept file by file, so that after an edit only what the edit can change is worked out again.

An answer made of one part per record file (each file's problems; each item that needs chasing) is kept with a
description of the state it was worked out for and the names each file's record is known by and needs (see
model/dependencies.py). In a later state, the files that differ are found by comparing the two descriptions (git
compares the trees); the files whose record shares a name with one of them, before or after the change, or needs
one of those names, are worked out again from the few records they read; every other file's part stands.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NamedTuple

from tracker.model.collector import collector_paused
from tracker.model.dependencies import known_as
from tracker.model.errors import Problem
from tracker.model.records import Record
from tracker.model.recordset import RecordSet
from tracker.storage.cache import RecordCache
from tracker.storage.names import ALSO_KNOWN_AS, ID, NEEDS, NameIndex, Names, name_of, role_of, texts_of, token

# Works out the parts of the files given (None: of every file) from records that hold all they read.
Compute = Callable[[RecordSet, frozenset[str] | None], dict[str, str]]
# The names a rule declares it reads of other records for one record.
Needs = Callable[[Record], Iterable[str]]
Loaded = dict[str, tuple[Record | None, list[Problem]]]
# With more files than this differing from the state an answer was kept for, it is worked out afresh instead.
MOST_CHANGED = 2000


class Parts(NamedTuple):
    """An answer file by file: each file's part (for the files that have one), and how many IDs the records have."""

    texts: dict[str, str]
    ids: int


class State(NamedTuple):
    """What a state of the repository is made of: HEAD's records tree (or ""), each file whose bytes differ from the
    tree's (every file, without git) with its bytes' hash, the tree's files that are gone, and the odd entries."""

    tree: str
    differing: dict[str, str]
    gone: list[str]
    odd: list[str]

    @classmethod
    def from_json(cls, data: Any) -> State | None:
        try:
            state = cls(str(data["tree"]), dict(data["differing"]), list(data["gone"]), list(data["odd"]))
        except (TypeError, KeyError, ValueError):
            return None
        return state if all(isinstance(value, str) for value in state.differing.values()) else None


def changed_files(root: Path, base: State, now: State) -> set[str] | None:
    """The record files whose bytes may differ between two states (or which are in one only); None when that
    cannot be told cheaply (an odd entry came or went, git cannot compare the trees)."""
    if base.odd != now.odd:
        return None
    changed = {rel for rel in base.differing.keys() | now.differing.keys()
               if base.differing.get(rel) != now.differing.get(rel)}
    changed.update(set(base.gone).symmetric_difference(now.gone))
    if base.tree != now.tree:
        from tracker.storage.gitscan import tree_changes

        in_trees = tree_changes(root, base.tree, now.tree) if base.tree and now.tree else None
        if in_trees is None:
            return None
        changed.update(in_trees)
    return changed


def names_of(records: RecordSet, needs: Needs) -> Names:
    """The names of each file of records: its record's ID, its other names and the names it needs; a file that is
    not a record is known by the ID it was meant to hold."""
    names: Names = {}
    for record in (*records.records.values(), *(second for _, second in records.duplicates)):
        known = known_as(record)
        found = [token(known[0], ID)]
        if len(known) > 1:
            found += [token(name, ALSO_KNOWN_AS) for name in known[1:]]
        needed = needs(record)
        if needed:
            found += [token(name, NEEDS) for name in needed]
        names[record.path] = found
    for problem in records.problems:
        found = names.setdefault(problem.path, [])
        if problem.record_id and token(problem.record_id, ALSO_KNOWN_AS) not in found:
            found.append(token(problem.record_id, ALSO_KNOWN_AS))
    return names


class Update(NamedTuple):
    """The files whose parts were worked out again, their new parts, the index after, and the change in IDs."""

    replaced: set[str]
    texts: dict[str, str]
    names: NameIndex
    more_ids: int


def update(index: NameIndex, changed: set[str], needs: Needs, compute: Compute,
           load: Callable[[Iterable[str]], Loaded], everything: Callable[[], str]) -> Update:
    """Work out again the parts of the files changed (load gives the records of the files that exist now, of those
    asked for) and of the files that share a name with them or need one, from the records they read."""
    fresh = load(changed)
    fresh_names: Names = {path: [] for path in fresh}
    fresh_names.update(names_of(record_set(fresh), needs))
    old_names = index.names_of(changed)
    touched = {name_of(name) for found in (*old_names.values(), *fresh_names.values()) for name in found
               if role_of(name) != NEEDS}
    dependents = index.paths_named(touched, ID + ALSO_KNOWN_AS + NEEDS) - changed
    affected = dependents | set(fresh)
    names = {**index.names_of(dependents), **fresh_names}
    read = {name_of(name) for path in affected for name in names.get(path, ())}
    providers = index.paths_named(read, ID + ALSO_KNOWN_AS) - changed - affected
    records = record_set({**fresh, **load(dependents | providers)})
    texts = compute(records, frozenset(affected))
    after = index.replaced(fresh_names, changed - set(fresh))
    # Only an ID that some of the changed files had before and none has now, or the other way round, can come or go.
    ids_before, ids_now = ({name for found in names.values() for name in found if role_of(name) == ID}
                           for names in (old_names, fresh_names))
    more = sum(after.has(name) - index.has(name) for name in ids_before ^ ids_now)
    after.fold(everything)
    return Update(affected | changed, texts, after, more)


def record_set(loaded: Loaded) -> RecordSet:
    """The records (and the problems) of the files loaded, in path order."""
    records = RecordSet()
    for rel in sorted(loaded, key=lambda rel: rel.split("/")):
        record, problems = loaded[rel]
        records.problems.extend(problems)
        if record is not None:
            records.add(record)
    return records


class PartKeeper:
    """One question's answer kept file by file in the cache: worked out in full and kept, or brought up to date."""

    def __init__(self, question: str, needs: Needs, compute: Compute):
        self.question = question
        self.needs = needs
        self.compute = compute

    def keeping(self, now: State, records: RecordSet, texts: dict[str, str]) -> Callable[[RecordCache], None]:
        """What keeps the parts worked out from every record (texts) for the state now, with their names."""
        with collector_paused():
            names = texts_of(names_of(records, self.needs))
        base = {"state": now._asdict(), "ids": len(records)}

        def keep(cache: RecordCache) -> None:
            cache.keep_names(self.question, names, "")
            cache.keep_parts(self.question, base, texts, None)

        return keep

    def updated(self, cache: RecordCache, root: Path, now: State, load: Callable[[Iterable[str]], Loaded],
                pinned: Callable[[], bool]) -> Parts | None:
        """The parts kept for an earlier state, those of the files an edit since can affect worked out again and
        kept for now; None when there are none, or too many files differ, or a file changed meanwhile (pinned()
        is then false), or another run is writing the cache or wrote these parts since they were read."""
        question = self.question
        base = cache.value("parts " + question)
        state = State.from_json(base.get("state")) if isinstance(base, dict) else None
        changed = changed_files(root, state, now) if state is not None else None
        if changed is None or len(changed) > MOST_CHANGED or not isinstance(base["ids"], int):
            return None
        kept_names = cache.kept_names(question)
        done = update(NameIndex(kept_names, kept_names.chunk("recent", "")[0]), changed, self.needs, self.compute, load,
                      lambda: kept_names.everything("paths"))
        ids = base["ids"] + done.more_ids
        if not pinned():
            return None
        try:
            with cache.transaction():
                if cache.value("parts " + question) != base:
                    return None  # another run brought the parts up to date meanwhile, from what it saw
                kept = cache.parts(question)
                cache.keep_names(question, done.names.folded_texts, done.names.recent_text())
                cache.keep_parts(question, {"state": now._asdict(), "ids": ids}, done.texts, done.replaced)
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) and "busy" not in str(err):
                raise
            return None
        texts = {path: text for path, text in kept.items() if path not in done.replaced}
        texts.update(done.texts)
        return Parts(texts, ids)
