"""Open deadlines as an RFC 5545 iCalendar file a clerk's calendar can subscribe to.

Every open item with a due date gives an all-day event on the day it falls due; every report still waiting for
responses gives one on its response due date. UIDs depend only on the record and the kind of deadline, so a
subscribed calendar updates events in place instead of duplicating them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from tracker.model.dates import PartialDate
from tracker.model.records import Recommendation, Record, Report, Trackable
from tracker.model.recordset import RecordSet
from tracker.model.textsafety import without_controls
from tracker.questions.query import Filters, exists_on, matches_body, missing_responses, owners, sort_key, title_of
from tracker.storage.config import Config

PRODID = "-//tracker//Committee deadlines//EN"
UID_DOMAIN = "tracker.invalid"


@dataclass(frozen=True)
class Deadline:
    """One open deadline: an item's due date, or the date a report's responses are due."""

    uid: str
    day: dt.date
    summary: str
    description: str
    record_id: str
    kind: str  # due | responses
    url: str = ""


def record_url(config: Config, records: RecordSet, record: Record) -> str:
    """The page of the published site (`tracker site`) that lists the record, or "" when tracker.yaml sets no
    site_url: a report's page for a report, the record's own page for an action or recommendation."""
    from tracker.publish.site import page_of, report_page

    if not config.site_url:
        return ""
    page = report_page(record) if isinstance(record, Report) else page_of(records, record) if isinstance(record, Trackable) else ""
    return f"{config.site_url.rstrip('/')}/{page.removesuffix('.md')}.html" if page else ""


def deadlines(records: RecordSet, config: Config, as_of: dt.date, filters: Filters | None = None) -> list[Deadline]:
    """Every deadline still open on as_of (passed or not), in date order."""
    filters = filters or Filters()
    found: list[Deadline] = []
    responses_by_report = records.responses_by_report()
    waiting: dict[str, list[tuple[Recommendation, list[str]]]] = {}
    for record in _open_on(records, config, as_of, filters):
        if isinstance(record, Recommendation):
            missing = missing_responses(config, record, responses_by_report.get(record.report, []), as_of)
            if filters.responsible:
                missing = [body for body in missing if matches_body(config, filters.responsible, (body,))]
            if missing:
                waiting.setdefault(record.report, []).append((record, missing))
        if filters.responsible and not matches_body(config, filters.responsible, owners(record)):
            continue
        due = record.due_as_of(as_of)
        if due is not None:
            found.append(_due_deadline(records, config, record, due))
    for report_id, items in waiting.items():
        report = records.records.get(report_id)
        if isinstance(report, Report):
            found.append(_responses_deadline(records, config, report, items))
    return sorted(found, key=lambda d: (d.day, d.uid))


def _open_on(records: RecordSet, config: Config, as_of: dt.date, filters: Filters) -> Iterator[Trackable]:
    """The recommendations and actions that exist and are open on as_of, in the committee asked for, in order."""
    for record in sorted(records, key=lambda r: sort_key(records, r)):
        if not isinstance(record, Trackable) or not exists_on(records, record, as_of):
            continue
        if filters.committee and records.committee_of(record) != filters.committee:
            continue
        if config.is_open(record.kind, record.status_as_of(as_of)):
            yield record


def _due_deadline(records: RecordSet, config: Config, record: Trackable, due: PartialDate) -> Deadline:
    """The event for the day a recommendation or action is due."""
    who = ", ".join(owners(record))
    return Deadline(
        uid=f"{record.id}-due@{UID_DOMAIN}",
        day=due.last_day(),
        summary=f"Due from {who}: {_short(title_of(records, record))}",
        description=_description(record.id, record_url(config, records, record), [
            f"{title_of(records, record)}",
            f"Owed by: {who}",
            f"Deadline: {record.deadline_words(due, config.date_style)}",
        ]),
        record_id=record.id, kind="due", url=record_url(config, records, record),
    )


def _responses_deadline(records: RecordSet, config: Config, report: Report,
                        items: list[tuple[Recommendation, list[str]]]) -> Deadline:
    """The event for the day responses to a report are due, naming the recommendations still awaiting them."""
    bodies: list[str] = []
    for _, missing in items:
        bodies.extend(body for body in missing if body not in bodies)
    lines = [f"Responses to \u201c{report.title}\u201d are due from {', '.join(bodies)}.", "Still awaited:"]
    lines += [f"- recommendation {rec.number} ({rec.id}) from {', '.join(missing)}" for rec, missing in items]
    return Deadline(
        uid=f"{report.id}-responses@{UID_DOMAIN}",
        day=report.responses_due(config.response_days),
        summary=f"Responses due: {report.title} ({', '.join(bodies)})",
        description=_description(report.id, record_url(config, records, report), lines),
        record_id=report.id, kind="responses", url=record_url(config, records, report),
    )


def _short(text: str, width: int = 100) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "\u2026"


def _description(record_id: str, url: str, lines: list[str]) -> str:
    out = [*lines, f"Record: {record_id}"]
    if url:
        out.append(url)
    return "\n".join(out)


def calendar_text(found: list[Deadline], *, name: str, stamp: dt.datetime) -> str:
    """The iCalendar text (CRLF line ends, long lines folded at 75 octets) for the deadlines."""
    stamp_text = stamp.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             f"X-WR-CALNAME:{escape_text(name)}"]
    for deadline in found:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{escape_text(deadline.uid)}",
            f"DTSTAMP:{stamp_text}",
            f"DTSTART;VALUE=DATE:{deadline.day.strftime('%Y%m%d')}",
            f"DTEND;VALUE=DATE:{(deadline.day + dt.timedelta(days=1)).strftime('%Y%m%d')}",
            f"SUMMARY:{escape_text(deadline.summary)}",
            f"DESCRIPTION:{escape_text(deadline.description)}",
            f"CATEGORIES:{'Responses due' if deadline.kind == 'responses' else 'Due'}",
            "TRANSP:TRANSPARENT",
        ]
        if deadline.url:
            lines.append(f"URL:{deadline.url}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def escape_text(value: str) -> str:
    """A TEXT value as RFC 5545 section 3.3.11 requires: backslash, semicolon, comma and newlines escaped."""
    value = without_controls(value.replace("\r\n", "\n").replace("\r", "\n"))
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str, limit: int = 75) -> str:
    """Split a content line into lines of at most 75 octets, never inside a UTF-8 character (RFC 5545 3.1)."""
    parts: list[str] = []
    current, size = "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        # Continuation lines begin with a space, which counts towards their 75 octets.
        if size + width > (limit if not parts else limit - 1):
            parts.append(current)
            current, size = "", 0
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)
