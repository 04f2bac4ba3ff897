"""Changing the state of records: status updates, notes, follow-ups, responses and reschedules.

Each operation reads the record's file, builds the new text in memory with a round-trip YAML edit (so only the
lines carrying the change differ), checks the whole resulting record, and returns a Change. Nothing touches the
disk until `apply`, which takes the repository's write lock, re-reads the files, redoes any change whose file
moved on in the meantime, writes atomically and, when asked, commits exactly the files it wrote.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracker.model.dates import PartialDate, format_date
from tracker.model.errors import Problem, TrackerError
from tracker.model.numbers import Number
from tracker.model.records import Meeting, Recommendation, Record, Trackable
from tracker.model.recordset import RecordSet
from tracker.storage.config import Config, local_folder
from tracker.storage.reading import parse_record
from tracker.storage.store import load_records
from tracker.storage.yamlio import read_bytes

LOCK_FILE = "write.lock"
AWAITING_RESPONSE = "awaiting-response"


@dataclass(frozen=True)
class FileEdit:
    """One file's new text, and the bytes it must still hold for the edit to apply (None: a new file)."""

    rel_path: str
    before: bytes | None
    after: str


@dataclass(frozen=True)
class Change:
    """What one operation will do: the files it rewrites, and how to describe it in a commit."""

    record_id: str
    summary: str
    body: str
    edits: tuple[FileEdit, ...]
    details: tuple[str, ...] = ()
    redo: Callable[[RecordSet], Change] | None = field(default=None, compare=False, repr=False)

    @property
    def paths(self) -> list[str]:
        return [edit.rel_path for edit in self.edits]


# ---------------------------------------------------------------- operations


def update_status(
    config: Config, records: RecordSet, record_id: str, *, status: str, date: dt.date | None = None, note: str = "",
    by: str = "", reopen: bool = False, evidence: str = "", today: dt.date | None = None,
) -> Change:
    """Move a record to a new status, appending a status event."""
    redo = functools.partial(update_status, config, record_id=record_id, status=status, date=date, note=note, by=by,
                             reopen=reopen, evidence=evidence, today=today)
    record, before = _current(config, records, record_id)
    kind = record.kind
    status = config.resolve_status(kind, status)
    if status == record.status:
        raise TrackerError(f"{record_id} is already {status}; nothing was changed",
                           hint=f"to add a remark without changing the status: tracker note {record_id} --note TEXT")
    if not config.is_open(kind, record.status) and config.is_open(kind, status) and not reopen:
        raise TrackerError(
            f"{record_id} is {record.status}, which is done; moving it back to {status} reopens it",
            hint="add --reopen if that is what you mean",
        )
    if status in config.evidence_required and not evidence.strip():
        raise TrackerError(
            f"closing {record_id} as {status} needs evidence: tracker.yaml lists {status} under evidence_required",
            hint="add --evidence with a link or a short description of what shows it was done",
        )
    when = _check_date(config, records, record, date, today)
    event = _event(when, "status", by, **{"from": record.status, "status": status})
    if evidence.strip():
        event["evidence"] = _text(evidence)
    if note.strip():
        event["note"] = _text(note)

    def mutate(document: Any) -> None:
        document["status"] = status
        _append_event(document, event)

    summary = f"{record_id}: {record.status} → {status}"
    body = "\n\n".join(part for part in (note.strip(), f"Evidence: {evidence.strip()}" if evidence.strip() else "") if part)
    return _change(config, records, record, before, mutate, summary, body, redo)


def add_note(config: Config, records: RecordSet, record_id: str, *, note: str, date: dt.date | None = None,
             by: str = "", today: dt.date | None = None, at_meeting: str = "") -> Change:
    """Append a note event, leaving the status as it is; at_meeting names the meeting where it was said."""
    redo = functools.partial(add_note, config, record_id=record_id, note=note, date=date, by=by, today=today,
                             at_meeting=at_meeting)
    if not note.strip():
        raise TrackerError("the note is empty; give --note TEXT")
    record, before = _current(config, records, record_id)
    when = _check_date(config, records, record, date, today)
    event = _event(when, "note", by, note=_text(note))
    if at_meeting:
        event["at_meeting"] = at_meeting
    summary = f"{record_id}: {'remark at ' + at_meeting if at_meeting else 'note'}"
    return _change(config, records, record, before, lambda d: _append_event(d, event), summary, note.strip(), redo)


def follow_up(config: Config, records: RecordSet, record_id: str, *, date: dt.date | None = None, note: str = "",
              by: str = "", today: dt.date | None = None) -> Change:
    """Record that the responsible body was chased ("Followed-up on 4 May 2023.")."""
    redo = functools.partial(follow_up, config, record_id=record_id, date=date, note=note, by=by, today=today)
    record, before = _current(config, records, record_id)
    when = _check_date(config, records, record, date, today)
    event = _event(when, "follow-up", by)
    if note.strip():
        event["note"] = _text(note)
    summary = f"{record_id}: followed up on {format_date(when, config.date_style)}"
    return _change(config, records, record, before, lambda d: _append_event(d, event), summary, note.strip(), redo)


def reschedule(config: Config, records: RecordSet, record_id: str, *, due: PartialDate, reason: str,
               date: dt.date | None = None, by: str = "", today: dt.date | None = None) -> Change:
    """Move the due date, recording the old date, the new one and why: the only way a due date changes."""
    redo = functools.partial(reschedule, config, record_id=record_id, due=due, reason=reason, date=date, by=by,
                             today=today)
    if not reason.strip():
        raise TrackerError("a reschedule needs a reason; give --reason TEXT",
                           hint="every moved deadline is explained, so slippage cannot hide")
    record, before = _current(config, records, record_id)
    if record.due is not None and record.due == due:
        raise TrackerError(f"{record_id} is already due {due}; nothing was changed")
    when = _check_date(config, records, record, date, today)
    event = _event(when, "reschedule", by)
    if record.due is not None:
        event["previous_due"] = _due_value(record.due)
    event["due"] = _due_value(due)
    event["reason"] = _text(reason)

    def mutate(document: Any) -> None:
        from tracker.storage.roundtrip import insert_key

        if record.kind == "recommendation":
            insert_key(document, "due", _due_value(due), before=("status",))
        else:
            insert_key(document, "due", _due_value(due), after=("status",))
        _append_event(document, event)

    if record.due is None:
        summary = f"{record_id}: first deadline set: {due} (not a reschedule: it had no due date)"
    else:
        summary = f"{record_id}: due {record.due} → {due}"
    return _change(config, records, record, before, mutate, summary, reason.strip(), redo)


def respond(
    config: Config, records: RecordSet, *, report: str, numbers: list[Number], from_body: str, date: dt.date, text: str,
    url: str = "", appendix: str = "", positions: dict[Number, str] | None = None, by: str = "",
    today: dt.date | None = None, texts: dict[Number, str] | None = None,
) -> Change:
    """Record a body's response to a report, and move each answered recommendation awaiting a response on.

    positions maps recommendation numbers to the body's position (accepted, partially-accepted, not-accepted,
    noted); a recommendation not in it is `noted`.
    """
    from tracker.edits.create import new_response

    redo = functools.partial(respond, config, report=report, numbers=numbers, from_body=from_body, date=date,
                             text=text, url=url, appendix=appendix, positions=positions, by=by, today=today,
                             texts=texts)
    positions = positions or {}
    found = records.report(report)
    if date > (today or dt.date.today()):
        raise TrackerError(f"the response date {date} is in the future")
    by_number = {r.number: r for r in records.recommendations_of(found.id)}
    missing = [n for n in numbers if n not in by_number]
    if missing:
        known = ", ".join(str(n) for n in by_number) or "none"  # in number order, as recommendations_of gives
        raise TrackerError(f"report {found.id} has no recommendation {', '.join(map(str, missing))} (it has {known})")
    answers: list[dict[str, Any]] = []
    for number in numbers:
        answer: dict[str, Any] = {"number": number, "position": positions.get(number, "noted")}
        if (texts or {}).get(number):
            answer["text"] = (texts or {})[number].strip()
        answers.append(answer)
    made = new_response(config, records, report=found, from_body=from_body, date=date, summary=text, answers=answers,
                        url=url, appendix=appendix)
    trial = RecordSet(dict(records.records))
    trial.records[made.record.id] = made.record
    edits = [FileEdit(made.rel_path, None, made.text)]
    moves = []
    for number in numbers:
        recommendation = by_number[number]
        current, before = _current(config, trial, recommendation.id)
        when = _check_date(config, trial, current, date, today)
        event = _event(when, "response", by, response=made.record.id)
        new_status = ""
        if current.status == AWAITING_RESPONSE:
            new_status = config.status_after_response(positions.get(number, "noted"))
            event["from"] = current.status
            event["status"] = new_status
            moves.append(f"{current.id}: {current.status} → {new_status}")

        def mutate(document: Any, event: dict[str, Any] = event, new_status: str = new_status) -> None:
            if new_status:
                document["status"] = new_status
            _append_event(document, event)

        edit = _edit(config, trial, current, before, mutate)
        edits.append(edit)
    listed = ", ".join(str(n) for n in numbers)
    summary = f"{found.id}: response from {from_body} (recommendation{'s' if len(numbers) != 1 else ''} {listed})"
    return Change(made.record.id, summary, text.strip(), tuple(edits), tuple(moves), redo)


def meeting_deadlines(config: Config, records: RecordSet, committee: str, date: dt.date, *,
                      today: dt.date | None = None) -> list[Change]:
    """The items of the committee due at its next meeting that a meeting on that date now dates: those asked
    before it whose due date is not set yet, or is a later meeting. Each gets the date as due, and an edited event
    (dated the meeting's day, or today if that is later still)."""
    from tracker.model.records import NEXT_MEETING

    changes = []
    for record in records:
        if not isinstance(record, Trackable) or record.due_at != NEXT_MEETING:
            continue
        if records.committee_of(record) != committee:
            continue
        asked = records.created(record)
        if isinstance(record, Recommendation):
            presented = records.records.get(records.report(record.report).presented_at)
            asked = record.created or (presented.date if isinstance(presented, Meeting) else asked)
        if asked is None or asked >= date or (record.due is not None and record.due.last_day() <= date):
            continue
        current, before = _current(config, records, record.id)
        last = current.history[-1].date if current.history else asked
        when = max(last, min(today or dt.date.today(), date))
        event = _event(when, "edited", "", field="due")

        def mutate(document: Any, event: dict[str, Any] = event, kind: str = record.kind) -> None:
            from tracker.storage.roundtrip import insert_key

            insert_key(document, "due", date, **({"before": ("status",)} if kind == "recommendation"
                                                  else {"after": ("status",)}))
            _append_event(document, event)

        summary = f"{record.id}: due at the meeting of {format_date(date, config.date_style)}"
        changes.append(Change(record.id, summary, "", (_edit(config, records, current, before, mutate),)))
    return changes


# ---------------------------------------------------------------- applying


@contextmanager
def locked(root: Path) -> Iterator[None]:
    """Hold the repository's write lock, so concurrent tracker commands take turns instead of losing changes.

    filelock takes an OS lock on every platform (flock on Linux and macOS, LockFileEx on Windows), released by the
    system if the process dies, so a crashed command never leaves the repository locked.
    """
    from filelock import FileLock

    from tracker.storage.writer import cannot_write

    try:
        lock = FileLock(local_folder(root) / LOCK_FILE)
        lock.acquire()
    except OSError as err:
        error = cannot_write(root, err)
        raise TrackerError(error.message + "; nothing was changed", hint=error.hint) from None
    try:
        yield
    finally:
        lock.release()


def apply(config: Config, changes: list[Change], *, commit: bool = False, message: str = "") -> list[Change]:
    """Write the changes (and commit exactly their files when asked); return the changes as written.

    Inside the write lock each file is read again; a change whose file was rewritten meanwhile by another
    command is worked out afresh from the new contents, so neither command's change is lost.
    """
    if not changes:
        return []
    _refuse_double_edits(changes)
    if commit:
        from tracker.storage.gitio import check_can_commit

        check_can_commit(config.root)
    with locked(config.root):
        final = _redone_where_changed(config, changes)
        _write(config.root, final)
        if commit:
            from tracker.storage.gitio import commit_paths

            paths = [path for change in final for path in change.paths]
            commit_paths(config.root, paths, message or commit_message(final))
    return final


def _refuse_double_edits(changes: list[Change]) -> None:
    seen: set[str] = set()
    for change in changes:
        for path in change.paths:
            if path in seen:
                raise TrackerError(f"{path} would be changed twice in one go; make the changes one at a time")
            seen.add(path)


def _redone_where_changed(config: Config, changes: list[Change]) -> list[Change]:
    """The changes, each worked out again from the records as they are now if one of its files changed on disk
    since it was prepared; refused when it cannot be."""
    fresh: RecordSet | None = None
    final = []
    for change in changes:
        if any(_bytes_now(config.root, edit.rel_path) != edit.before for edit in change.edits):
            if change.redo is None:
                raise TrackerError(f"{change.paths[0]} changed while the change was prepared; run the command again")
            fresh = fresh or load_records(config)
            final.append(change.redo(fresh))
        else:
            final.append(change)
    return final


def _write(root: Path, changes: list[Change]) -> None:
    """Write every edit of the changes; a refusal says which files were already written."""
    from tracker.storage.writer import replace, write_new

    written: list[str] = []
    try:
        for change in changes:
            for edit in change.edits:
                _remove_stale_temp_files(root, edit.rel_path)
                if edit.before is None:
                    write_new(root, edit.rel_path, edit.after)
                else:
                    replace(root, edit.rel_path, edit.after)
                written.append(edit.rel_path)
    except TrackerError as err:
        done = f"already written: {', '.join(written)}" if written else "nothing was changed"
        raise TrackerError(f"{err.message}; {done}", hint=err.hint) from None


def commit_message(changes: list[Change]) -> str:
    """A message a reviewer can scan: the change on the first line, the notes below."""
    if len(changes) == 1:
        change = changes[0]
        parts = [change.summary, change.body, "\n".join(change.details)]
        return "\n\n".join(part for part in parts if part) + "\n"
    lines = [f"Update {len(changes)} records", ""]
    for change in changes:
        lines.append(f"- {change.summary}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- helpers


def _current(config: Config, records: RecordSet, record_id: str) -> tuple[Trackable, bytes]:
    """The record as its file holds it now, and those bytes; refuses records that have no status."""
    known: Record = records.get(record_id)
    if not isinstance(known, Trackable):
        raise TrackerError(f"{record_id} is a {known.kind}; only actions and recommendations have a status and history")
    data = read_bytes(config.root / known.path)
    record, problems = parse_record(known.path, data)
    if record is None:
        raise TrackerError(f"{known.path} has problems; fix them first:\n" + "\n".join(str(p) for p in problems), problems)
    assert isinstance(record, Trackable)
    return record, data


def _check_date(config: Config, records: RecordSet, record: Trackable, date: dt.date | None,
                today: dt.date | None) -> dt.date:
    """The event's date (default today), refused when it is in the future or would put history out of order."""
    now = today or dt.date.today()
    when = date or now
    style = config.date_style
    if when > now:
        raise TrackerError(f"{format_date(when, style)} is in the future (today is {format_date(now, style)})",
                           hint="record things once they have happened")
    created = records.created(record)
    if created is not None and when < created:
        raise TrackerError(f"{record.id} was created on {format_date(created, style)}; "
                           f"an event cannot be dated {format_date(when, style)}, before that")
    if record.history and when < record.history[-1].date:
        last = record.history[-1]
        raise TrackerError(
            f"{record.id}'s last event ({last.event}) is dated {format_date(last.date, style)}; "
            f"a new event cannot be dated {format_date(when, style)}, before it",
            hint="history is kept in date order; give a --date on or after the last event",
        )
    return when


def _event(when: dt.date, kind: str, by: str, **fields: Any) -> dict[str, Any]:
    event: dict[str, Any] = {"date": when, "event": kind}
    event.update(fields)
    if by.strip():
        event["by"] = by.strip()
    return event


def _text(text: str) -> Any:
    from tracker.storage.roundtrip import block_text

    return block_text(text.strip(), indent=6)


def _due_value(due: PartialDate) -> Any:
    """A due date as the record format writes it: a full date bare, a month or year quoted."""
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    if due.day is not None:
        return due.last_day()
    return DoubleQuotedScalarString(str(due))


def _append_event(document: Any, event: dict[str, Any]) -> None:
    from tracker.storage.roundtrip import append_item

    # Keep "by" last, after what happened, as the created events do.
    ordered = {key: value for key, value in event.items() if key != "by"}
    if "by" in event:
        ordered["by"] = event["by"]
    append_item(document, "history", ordered)


def _edit(config: Config, records: RecordSet, record: Trackable, before: bytes,
          mutate: Callable[[Any], None]) -> FileEdit:
    """The record's new text, checked in full among the other records before anything is written."""
    from tracker.storage.roundtrip import edit_text
    from tracker.storage.validate import check_record

    after = edit_text(before.decode("utf-8"), mutate)
    new_record, problems = parse_record(record.path, after.encode("utf-8"))
    if new_record is None:
        raise TrackerError(f"the change would make {record.path} invalid; nothing was written:\n"
                           + "\n".join(_plain(p) for p in problems), problems)
    trial = RecordSet(dict(records.records))
    trial.records[new_record.id] = new_record
    old = {(p.field, p.message) for p in check_record(config, records, record)}
    added = [p for p in check_record(config, trial, new_record) if (p.field, p.message) not in old]
    if added:
        raise TrackerError(f"the change would make {record.path} invalid; nothing was written:\n"
                           + "\n".join(_plain(p) for p in added), added)
    return FileEdit(record.path, before, after)


def _change(config: Config, records: RecordSet, record: Trackable, before: bytes, mutate: Callable[[Any], None],
            summary: str, body: str, redo: Callable[..., Change]) -> Change:
    return Change(record.id, summary, body, (_edit(config, records, record, before, mutate),), redo=redo)


def _plain(problem: Problem) -> str:
    return f"  {problem.field + ': ' if problem.field else ''}{problem.message}"


# A writer holds its temporary file for milliseconds; one this old was left by a writer that was killed.
STALE_TEMP_SECONDS = 60.0


def _remove_stale_temp_files(root: Path, rel_path: str) -> None:
    """Tidy away temporary files a killed writer left beside this file (they never hold anything the record lacks)."""
    from tracker.storage.writer import stale_temp_files

    for path in stale_temp_files(root / rel_path, STALE_TEMP_SECONDS):
        with suppress(OSError):
            path.unlink()


def _bytes_now(root: Path, rel_path: str) -> bytes | None:
    try:
        return (root / rel_path).read_bytes()
    except FileNotFoundError:
        return None
    except OSError as err:
        raise TrackerError(f"{rel_path}: cannot read: {os.strerror(err.errno or 0)}") from None
