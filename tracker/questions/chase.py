"""Chasing what is owed: how far deadlines have slipped, and the chaser letters to each responsible body."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from tracker.model.dates import PartialDate, format_date
from tracker.model.errors import TrackerError
from tracker.model.records import Action, Event, Meeting, Recommendation, Report, Trackable
from tracker.model.recordset import RecordSet
from tracker.questions.query import Attention, Filters, matches_body, needs_attention, owners, sort_key, title_of, trackables
from tracker.storage.config import Config, Contact
from tracker.text.filenames import file_stem

REMINDER_TEMPLATE = "reminder.md.j2"
# The letter in each form it is written in: Markdown files, and an e-mail's plain-text and HTML parts.
LETTER_TEMPLATES = {"markdown": REMINDER_TEMPLATE, "text": "reminder.txt.j2", "html": "reminder.html.j2"}


# ---------------------------------------------------------------- slippage


@dataclass(frozen=True)
class Slip:
    """How often and how far an item's due date has moved by a given date."""

    record: Trackable
    moves: tuple[Event, ...]
    original: PartialDate | None
    current: PartialDate | None

    @property
    def days(self) -> int:
        """Days between the first due date and the current one (negative when brought forward)."""
        if self.original is None or self.current is None:
            return 0
        return (self.current.last_day() - self.original.last_day()).days

    @property
    def reasons(self) -> list[str]:
        return [move.reason for move in self.moves]

    def to_json(self) -> dict[str, Any]:
        return {
            "moves": len(self.moves),
            "days": self.days,
            "original": str(self.original) if self.original else None,
            "current": str(self.current) if self.current else None,
            "reasons": self.reasons,
            "history": [
                {"date": m.date.isoformat(), "previous_due": str(m.previous_due) if m.previous_due else None,
                 "due": str(m.due) if m.due else None, "reason": m.reason}
                for m in self.moves
            ],
        }


def slippage(record: Trackable, as_of: dt.date) -> Slip:
    """The item's reschedules up to as_of: first and current due dates, moves and reasons.

    Setting a first deadline on an item that had none is a reschedule event without a previous date, and is
    not slippage: only moves from an earlier date count."""
    moves = tuple(move for move in record.reschedules(as_of) if move.previous_due is not None)
    current = record.due_as_of(as_of)
    if not moves:
        return Slip(record, (), current, current)
    original = moves[0].previous_due
    return Slip(record, moves, original, current or moves[-1].due)


def slipped(records: RecordSet, config: Config, as_of: dt.date, filters: Filters | None = None) -> list[Slip]:
    """Every item whose due date was moved by as_of, worst first: most days slipped, then most moves."""
    found = []
    for record in trackables(records, config, as_of, filters or Filters()):
        slip = slippage(record, as_of)
        if slip.moves:
            found.append(slip)
    return sorted(found, key=lambda s: (-s.days, -len(s.moves), sort_key(records, s.record)))


def slip_rows(records: RecordSet, config: Config, slips: list[Slip], as_of: dt.date) -> list[dict[str, Any]]:
    """The stable, documented summary of each slipped item for tables, JSON and CSV."""
    rows = []
    for slip in slips:
        record = slip.record
        status = record.status_as_of(as_of)
        rows.append({
            "id": record.id,
            "kind": record.kind,
            "committee": records.committee_of(record),
            "responsible": list(owners(record)),
            "status": status,
            "status_label": config.label(record.kind, status),
            "original_due": str(slip.original) if slip.original else None,
            "current_due": str(slip.current) if slip.current else None,
            "moves": len(slip.moves),
            "days_slipped": slip.days,
            "reasons": slip.reasons,
            "title": title_of(records, record),
            "history": slip.to_json()["history"],
        })
    return rows


# ---------------------------------------------------------------- reminders


@dataclass
class Letter:
    """One chaser to one responsible person or body, listing everything it owes."""

    body: str
    items: list[dict[str, Any]] = field(default_factory=list)
    committees: list[str] = field(default_factory=list)
    text: str = ""  # the Markdown letter
    file_stem: str = ""
    contact: Contact = field(default_factory=Contact)
    forms: dict[str, str] = field(default_factory=dict)  # the letter in each form rendered, by LETTER_TEMPLATES key

    @property
    def record_ids(self) -> list[str]:
        return [item["id"] for item in self.items]

    @property
    def subject(self) -> str:
        """The e-mail's subject: the committee and how many items are outstanding."""
        count = len(self.items)
        committees = " ".join(" and ".join(self.committees).split())  # a header is one line
        return f"{committees}: {count} outstanding item{'s' if count != 1 else ''}"

    @property
    def file_name(self) -> str:
        """The letter's file name in an output folder: the body's slug, unique among the letters."""
        return f"{self.file_stem or file_stem(self.body)}.md"


def letters(records: RecordSet, config: Config, as_of: dt.date, responsible: str = "",
            committee: str = "") -> list[Letter]:
    """The chasers due on as_of, one per responsible body (aliases merged), in alphabetical order of body.

    A missing response is chased from the addressee who owes it; anything else from every body the item is owed by.
    """
    attention = needs_attention(records, config, as_of, Filters(committee=committee, responsible=responsible))
    by_body: dict[str, Letter] = {}
    for item in attention:
        for body in _bodies_to_chase(config, item, responsible):
            letter = by_body.setdefault(body, Letter(body, contact=config.contact(body)))
            reasons = [r for r in item.reasons if not r.addressee or config.canonical_body(r.addressee) == body]
            letter.items.append(_letter_item(records, config, item.record, reasons, as_of))
            name = _committee_name(config, records.committee_of(item.record))
            if name not in letter.committees:
                letter.committees.append(name)
    found = sorted(by_body.values(), key=lambda letter: letter.body.casefold())
    taken: set[str] = set()
    for letter in found:
        letter.items.sort(key=lambda i: (i["committee"], i["source"]["asked_iso"], i["order"]))
        _unique_slug(letter, taken)
    return found


def _unique_slug(letter: Letter, taken: set[str]) -> None:
    base = slug = file_stem(letter.body)
    n = 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    letter.file_stem = slug


def _bodies_to_chase(config: Config, item: Attention, responsible: str) -> list[str]:
    names: list[str] = []
    for reason in item.reasons:
        candidates = (reason.addressee,) if reason.addressee else owners(item.record)
        for name in candidates:
            if responsible and not matches_body(config, responsible, (name,)):
                continue
            body = config.canonical_body(name)
            if body not in names:
                names.append(body)
    return names


def _committee_name(config: Config, slug: str) -> str:
    committee = config.committees.get(slug)
    return committee.name if committee else slug


def _letter_item(records: RecordSet, config: Config, record: Trackable, reasons: list[Any],
                 as_of: dt.date) -> dict[str, Any]:
    style = config.date_style
    due = record.due_as_of(as_of)
    sentences = {}
    for reason in reasons:
        when = format_date(reason.since, style)
        if reason.reason == "overdue":
            deadline = "by " + due.in_words(style)[3:] if due else "on " + when
            sentences[0] = f"It was due {deadline} and is now {_days(reason.days)} overdue."
        elif reason.reason == "response-overdue":
            sentences[1] = f"Your response was due on {when} and has not been received ({_days(reason.days)} ago)."
        else:
            sentences[2] = f"We have had no update since {when} ({_days(reason.days)} ago)."
    outstanding = [sentences[key] for key in sorted(sentences)]
    follow_ups = [e.date for e in record.events_until(as_of) if e.event == "follow-up"]
    return {
        "id": record.id,
        "kind": record.kind,
        "heading": _heading(records, record),
        "title": title_of(records, record),
        "text": getattr(record, "text", ""),
        "committee": _committee_name(config, records.committee_of(record)),
        "source": _source(records, config, record),
        "due": record.deadline_words(due, style),
        "status": config.label(record.kind, record.status_as_of(as_of)),
        "outstanding": outstanding,
        "reasons": [r.to_json() for r in reasons],
        "last_followed_up": format_date(follow_ups[-1], style) if follow_ups else "",
        "order": sort_key(records, record),
    }


def _heading(records: RecordSet, record: Trackable) -> str:
    if isinstance(record, Recommendation):
        report = records.records.get(record.report)
        return f"Recommendation {record.number}" + (f" of \u201c{report.title}\u201d" if isinstance(report, Report) else "")
    return title_of(records, record)


def _source(records: RecordSet, config: Config, record: Trackable) -> dict[str, str]:
    """Where the item came from (a meeting or a report), when it was asked for, and a link if there is one."""
    style = config.date_style
    if isinstance(record, Action):
        committee = _committee_name(config, record.committee)
        if record.standing or record.meeting is None:
            asked = record.created or dt.date.min
            name = f"{committee}, standing item: {record.title}"
            url = ""
        else:
            asked = record.meeting
            name = f"{committee} meeting of {format_date(asked, style)}, item {record.item}: {record.item_title}"
            meeting = records.records.get(f"{record.committee}-{asked.isoformat()}")
            url = meeting.url if isinstance(meeting, Meeting) else ""
        return {"name": name, "asked": format_date(asked, style), "asked_iso": asked.isoformat(), "url": url}
    assert isinstance(record, Recommendation)
    report = records.records.get(record.report)
    if not isinstance(report, Report):
        raise TrackerError(f"{record.path}: report {record.report} is missing")
    asked = record.created or report.published.first_day()
    published = format_date(asked, style) if report.published.day else report.published.in_words(style)[3:]
    return {"name": f"the report \u201c{report.title}\u201d ({published}), recommendation {record.number}",
            "asked": format_date(asked, style), "asked_iso": asked.isoformat(), "url": report.url}


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


def render_letters(config: Config, found: list[Letter], as_of: dt.date, *, sender: str = "",
                   forms: tuple[str, ...] = ("markdown",)) -> list[Letter]:
    """Fill in each letter in each form asked for (markdown, text, html) from the reminder templates (the
    repository's own, if it has them); the Markdown letter is also letter.text."""
    from tracker.text.templating import render

    for letter in found:
        context = {
            "body": letter.body,
            "contact": letter.contact.name,
            "subject": letter.subject,
            "items": letter.items,
            "committees": letter.committees,
            "date": format_date(as_of, config.date_style),
            "as_of": as_of.isoformat(),
            "sender": sender,
        }
        for form in forms:
            letter.forms[form] = render(config, LETTER_TEMPLATES[form], context)
        letter.text = letter.forms.get("markdown", "")
    return found


def record_follow_ups(config: Config, records: RecordSet, found: list[Letter], *, date: dt.date, by: str,
                      commit: bool) -> list[str]:
    """Write a follow-up event on each item chased (once per item, naming every body chased) and return the IDs."""
    from tracker.edits import workflow

    bodies: dict[str, list[str]] = {}
    for letter in found:
        for record_id in letter.record_ids:
            bodies.setdefault(record_id, []).append(letter.body)
    changes = [workflow.follow_up(config, records, record_id, date=date, by=by, note=f"Reminder sent to {' and '.join(names)}.")
               for record_id, names in bodies.items()]
    if changes:
        workflow.apply(config, changes, commit=commit,
                       message=f"Record follow-ups sent on {date.isoformat()} ({len(changes)} items)")
    return list(bodies)
