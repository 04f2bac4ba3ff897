"""A batch of record changes built in memory, checked as a whole, and written only when every row is valid.

Both importers (spreadsheets and published Summary Lists) describe what they want row by row; the batch mints IDs
against the records plus everything already planned, edits existing files in place (so a diff shows only what
changed), and refuses the whole import with every failing row named if anything is wrong.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tracker.edits.create import NewRecord
from tracker.model.errors import Problem, TrackerError
from tracker.model.records import Record
from tracker.model.recordset import RecordSet
from tracker.storage.config import Config
from tracker.storage.reading import parse_record


@dataclass
class Change:
    """One file the import writes: a new record, or an existing one edited in place."""

    rel_path: str
    text: str
    record: Record
    created: bool
    rows: list[int]
    fields: list[str] = field(default_factory=list)  # of an existing record: each field changed, old → new

    @property
    def verb(self) -> str:
        return "create" if self.created else "update"


@dataclass(frozen=True)
class RowProblem:
    row: int
    message: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.message}"


class Batch:
    """Planned changes over a trial copy of the records; nothing touches the disk until write()."""

    def __init__(self, config: Config, records: RecordSet, source: str):
        self.config = config
        self.source = source
        self.trial = RecordSet(dict(records.records))
        self.changes: dict[str, Change] = {}
        self.problems: list[RowProblem] = []

    def fail(self, row: int, message: str) -> None:
        self.problems.append(RowProblem(row, message))

    def attempt(self, row: int, step: Callable[[], Any]) -> Any:
        """Run one row's step; a TrackerError becomes that row's problem instead of stopping the import."""
        try:
            return step()
        except TrackerError as err:
            self.fail(row, err.message.replace("\n", "\n    "))
            return None

    def add_new(self, row: int, new: NewRecord) -> Record:
        self.trial.records[new.record.id] = new.record
        self.changes[new.rel_path] = Change(new.rel_path, new.text, new.record, True, [row])
        return new.record

    def current_text(self, record: Record) -> str:
        pending = self.changes.get(record.path)
        if pending is not None:
            return pending.text
        try:
            return (self.config.root / record.path).read_text(encoding="utf-8")
        except OSError as err:
            raise TrackerError(f"{record.path}: cannot read: {err.strerror}") from None

    def edit(self, row: int, record: Record, mutate: Callable[[Any], None], fields: list[str] | None = None) -> Record:
        """Change a record (already on disk or planned) in place, keeping every untouched line as it was."""
        from tracker.storage.roundtrip import edit_text

        before = self.current_text(record)
        after = edit_text(before, mutate)
        if after == before:
            return record
        new_record, problems = parse_record(record.path, after.encode("utf-8"))
        if new_record is None:
            raise TrackerError("the change would not be valid:\n" + "\n".join(_plain(p) for p in problems), problems)
        self.trial.records[record.id] = new_record
        pending = self.changes.get(record.path)
        if pending is None:
            self.changes[record.path] = Change(record.path, after, new_record, False, [row], list(fields or []))
        else:
            pending.fields += fields or []
            pending.text, pending.record = after, new_record
            if row not in pending.rows:
                pending.rows.append(row)
        return new_record

    def check(self) -> None:
        """Validate the records as they would be after the import; problems in changed files become row problems."""
        from tracker.storage.validate import validate

        if self.changes:
            for problem in validate(self.config, self.trial):
                change = self.changes.get(problem.path)
                if change is not None:
                    self.fail(change.rows[0], _plain(problem).strip())
        if self.problems:
            rows = sorted(self.problems, key=lambda p: p.row)
            raise TrackerError(
                f"{self.source}: {len(rows)} problem{'s' if len(rows) != 1 else ''}; nothing was written:\n"
                + "\n".join(f"  {p}" for p in rows),
                hint="fix the rows named and import again",
            )

    def write(self, progress: Callable[[int], None] | None = None) -> list[Change]:
        """Put every planned file in place (new files never overwrite); return the changes made."""
        from tracker.storage.writer import replace, write_new

        self.check()
        done = []
        for index, change in enumerate(sorted(self.changes.values(), key=lambda c: c.rel_path), 1):
            if change.created:
                write_new(self.config.root, change.rel_path, change.text)
            else:
                replace(self.config.root, change.rel_path, change.text)
            done.append(change)
            if progress:
                progress(index)
        return done

    def planned(self) -> list[Change]:
        return sorted(self.changes.values(), key=lambda c: c.rel_path)


def _plain(problem: Problem) -> str:
    return f"  {problem.field + ': ' if problem.field else ''}{problem.message}"


def insert_event(history: Any, event: dict[str, Any]) -> None:
    """Add an event to a history list where its date belongs, after any events of the same day."""
    when: dt.date = event["date"]
    index = len(history)
    while index > 0 and _event_date(history[index - 1]) > when:
        index -= 1
    history.insert(index, event)


def _event_date(event: Any) -> dt.date:
    from tracker.model.dates import parse_date

    try:
        return parse_date(event.get("date"))
    except (ValueError, AttributeError):
        return dt.date.min


def progress_events(record: Any, status: str, note: str, follow_ups: tuple[dt.date, ...], when: dt.date,
                    by: str = "") -> tuple[str | None, list[dict[str, Any]]]:
    """What must be added to a record's history so it says what a table row says, and nothing it says already.

    Returns the new status (None when unchanged) and the events to add: follow-ups not yet recorded, a status
    change dated `when` (carrying the row's note), or the note alone when the status stands.
    """
    known = {(event.date, event.event) for event in record.history}
    events: list[dict[str, Any]] = [
        {"date": day, "event": "follow-up"} for day in follow_ups if (day, "follow-up") not in known
    ]
    new_status = None
    if status and status != record.status:
        change: dict[str, Any] = {"date": when, "event": "status", "from": record.status, "status": status}
        if note:
            change["note"] = note
        events.append(change)
        new_status = status
    elif note and not any(" ".join(event.note.split()) == " ".join(note.split()) for event in record.history):
        events.append({"date": when, "event": "note", "note": note})
    if by:
        for event in events:
            event["by"] = by
    return new_status, events


def history_mutation(new_status: str | None, events: list[dict[str, Any]]) -> Callable[[Any], None]:
    """A round-trip edit that sets the status and files the events in date order."""

    def mutate(document: Any) -> None:
        from ruamel.yaml.comments import CommentedMap, CommentedSeq

        if new_status:
            document["status"] = new_status
        if not events:
            return
        history = document.get("history")
        if not history:
            history = CommentedSeq()
            history.fa.set_block_style()
            document["history"] = history
        for event in events:
            entry = CommentedMap(event)
            entry.fa.set_block_style()
            insert_event(history, entry)

    return mutate
