"""Making new records: fill in the natural keys, mint the ID, check everything, then write the file."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from tracker.model import ids, numbers
from tracker.model.dates import PartialDate
from tracker.model.errors import Problem, TrackerError
from tracker.model.records import NEXT_MEETING, Meeting, Record, Report
from tracker.model.recordset import RecordSet
from tracker.storage.config import Config
from tracker.storage.reading import parse_record
from tracker.storage.writer import dump_record, write_new


@dataclass(frozen=True)
class NewRecord:
    record: Record
    rel_path: str
    text: str


def _finish(config: Config, records: RecordSet, mapping: dict[str, Any], rel_path: str) -> NewRecord:
    """Check the new record alone and among the others; refuse it with every problem found."""
    from tracker.storage.validate import validate

    text = dump_record(mapping, rel_path)
    record, problems = parse_record(rel_path, text.encode("utf-8"))
    if record is None:
        raise TrackerError("the new record would not be valid:\n" + "\n".join(_plain(p) for p in problems), problems)
    if record.id in records.records:
        existing = records.records[record.id]
        raise TrackerError(f"{record.id} already exists ({existing.path}); nothing was written")
    trial = RecordSet(dict(records.records))
    trial.add(record)
    problems = [p for p in validate(config, trial) if p.path == rel_path]
    if problems:
        raise TrackerError("the new record would not be valid:\n" + "\n".join(_plain(p) for p in problems), problems)
    return NewRecord(record, rel_path, text)


def _plain(problem: Problem) -> str:
    return f"  {problem.field + ': ' if problem.field else ''}{problem.message}"


def save(config: Config, new: NewRecord) -> None:
    write_new(config.root, new.rel_path, new.text)


def _require_committee(config: Config, committee: str) -> None:
    if committee not in config.committees:
        known = ", ".join(sorted(config.committees)) or "none yet"
        hint = f'add it with `tracker init --committee {committee}="Full Name"`' if ids.SLUG.match(committee) else ""
        raise TrackerError(f"unknown committee {committee!r} (tracker.yaml has {known})", hint=hint)


def _given(**fields: Any) -> dict[str, Any]:
    """The fields that have a value, in the order given: an empty one is left out of the file."""
    return {name: value for name, value in fields.items() if value}


def _history(created: dt.date, by: str) -> list[dict[str, Any]]:
    return [{"date": created, "event": "created", **_given(by=by)}]


def next_meeting(records: RecordSet, committee: str, after: dt.date) -> Meeting | None:
    """The committee's first meeting recorded after the day, if any."""
    return next((m for m in records.meetings_of(committee) if m.date > after), None)


def _deadline(mapping: dict[str, Any], records: RecordSet, committee: str, asked: dt.date,
              due: PartialDate | str | None, due_text: str) -> None:
    """Put the deadline in a new item's mapping: a date, or the next meeting after the day it was asked (its date
    too when that meeting is recorded already), and the paper's own words for it."""
    if due == NEXT_MEETING:
        mapping["due_at"] = NEXT_MEETING
        meeting = next_meeting(records, committee, asked)
        if meeting is not None:
            mapping["due"] = meeting.date.isoformat()
    elif due is not None:
        mapping["due"] = str(due)
    if due_text.strip():
        mapping["due_text"] = due_text.strip()


def new_meeting(config: Config, records: RecordSet, *, committee: str, date: dt.date, title: str = "", url: str = "") -> NewRecord:
    _require_committee(config, committee)
    record_id = ids.meeting_id(committee, date)
    mapping = {"id": record_id, "kind": "meeting", "committee": committee, "date": date, **_given(title=title, url=url)}
    return _finish(config, records, mapping, f"{ids.record_folder('meeting', committee)}/{record_id}.yaml")


def new_action(
    config: Config, records: RecordSet, *, committee: str, responsible: str, text: str, status: str,
    meeting: dt.date | None = None, item: str = "", item_title: str = "", standing: bool = False,
    title: str = "", deadline: str = "", due: PartialDate | str | None = None, created: dt.date | None = None,
    by: str = "", due_text: str = "",
) -> NewRecord:
    _require_committee(config, committee)
    status = config.resolve_status("action", status)
    mapping: dict[str, Any] = {"id": "", "kind": "action", "committee": committee}
    if standing:
        record_id = ids.standing_id(committee, title)
        mapping.update(standing=True, title=title)
        folder = ids.record_folder("action", committee, standing=True)
        created = created or dt.date.today()
    else:
        if meeting is None:
            raise TrackerError("an action needs --meeting DATE (or --standing for a standing item)")
        record_id = ids.action_id(committee, meeting, item, records.records.keys())
        mapping.update(meeting=meeting, item=item, item_title=item_title)
        folder = ids.record_folder("action", committee, year=meeting.year)
    mapping["id"] = record_id
    mapping.update(responsible=responsible, text=text, status=status)
    if standing:
        mapping["deadline"] = deadline or "N/A"
    _deadline(mapping, records, committee, created or meeting or dt.date.today(), due, due_text)
    mapping.update(_given(created=created))
    mapping["history"] = _history(created or meeting or dt.date.today(), by)
    return _finish(config, records, mapping, f"{folder}/{record_id}.yaml")


def new_report(
    config: Config, records: RecordSet, *, committee: str, title: str, published: PartialDate, slug: str = "",
    url: str = "", response_due: dt.date | None = None, presented_at: str = "",
) -> NewRecord:
    _require_committee(config, committee)
    slug = ids.check_slug(slug, "--slug") if slug else ids.slugify(title, 6)
    if not slug:
        raise TrackerError("cannot make a slug from that title; give --slug")
    record_id = ids.report_id(committee, slug)
    mapping = {"id": record_id, "kind": "report", "committee": committee, "slug": slug, "title": title,
               "published": published.last_day() if published.day else str(published),
               **_given(url=url, response_due=response_due, presented_at=presented_at)}
    folder = ids.record_folder("report", committee, report_slug=slug)
    return _finish(config, records, mapping, f"{folder}/{record_id}.yaml")


def new_recommendation(
    config: Config, records: RecordSet, *, report: Report, number: numbers.Number | None, text: str, to: list[str], status: str,
    due: PartialDate | str | None = None, created: dt.date | None = None, by: str = "", due_text: str = "",
) -> NewRecord:
    status = config.resolve_status("recommendation", status)
    if number is None:
        # The next whole number after the highest (after 5a, 6).
        number = max((int(numbers.number_key(r.number)[1]) for r in records.recommendations_of(report.id)), default=0) + 1
    record_id = ids.recommendation_id(report.id, number)
    mapping: dict[str, Any] = {"id": record_id, "kind": "recommendation", "report": report.id, "number": number,
                               "text": text, "to": list(to)}
    presented = records.records.get(report.presented_at)
    asked = created or (presented.date if isinstance(presented, Meeting) else report.published.first_day())
    _deadline(mapping, records, report.committee, asked, due, due_text)
    mapping["status"] = status
    mapping.update(_given(created=created))
    mapping["history"] = _history(created or report.published.first_day(), by)
    folder = ids.record_folder("recommendation", report.committee, report_slug=report.slug)
    return _finish(config, records, mapping, f"{folder}/{record_id}.yaml")


def new_response(
    config: Config, records: RecordSet, *, report: Report, from_body: str, date: dt.date, summary: str,
    answers: list[dict[str, Any]], url: str = "", appendix: str = "",
) -> NewRecord:
    record_id = ids.response_id(report.id, date, from_body)
    mapping = {"id": record_id, "kind": "response", "report": report.id, "from": from_body, "date": date,
               "summary": summary, **_given(url=url, appendix=appendix), "recommendations": answers}
    folder = ids.record_folder("response", report.committee, report_slug=report.slug)
    return _finish(config, records, mapping, f"{folder}/{record_id}.yaml")
